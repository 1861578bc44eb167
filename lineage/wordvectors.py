"""Word TF-IDF (1-2 grams) from token hashes, with numpy instead of a string vocabulary.

scikit-learn's ``TfidfVectorizer`` with :func:`lineage.vectorize.word_features`
keeps every distinct word and word pair as a Python string in a dict; over 100,000
articles that is tens of millions of strings, gigabytes and minutes. Here a term is
its 64-bit hash instead: a word is the stable hash of its form
(:func:`lineage.shingle.token_hashes`), a word pair a mix of its two words' hashes.
Terms are counted per row with sorts over whole chunks of rows, so no Python code
runs per token or per row.

The result is :func:`lineage.vectorize.word_vectorizer`'s matrix with the columns
permuted (numbered by hash instead of alphabetically): up to 64-bit hash collisions,
the same row lengths, the same values in the same order within each row (terms in
order of first occurrence, words before pairs, as scikit-learn stores them), the
same float32 arithmetic for sublinear tf, smoothed idf and L2 norms. Dot products,
and anything that breaks ties by position within a row, are therefore bit-for-bit
those of the scikit-learn matrix.

With ``prior`` (:class:`DocumentFrequencies`), document frequencies counted over
other documents (an index's archive) are added to the rows' own, so a few new rows
are weighted as in a run over all of those documents and them together.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np
import pandas as pd
import scipy.sparse as sp

__all__ = [
    "DocumentFrequencies",
    "document_frequencies",
    "feature_hash",
    "pair_hashes",
    "span_tokens",
    "text_token_hashes",
    "word_tfidf",
]

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


@dataclass(frozen=True)
class DocumentFrequencies:
    """Word document frequencies counted over documents outside the rows at hand.

    An index keeps its archive's counts, so the IDF of a few new rows is the IDF of
    a run over the whole archive: each term's document frequency is ``lookup``'s
    count plus the rows that hold it, and the document count is ``documents`` plus
    the rows, except rows whose documents the counts already include (``counted``).

    Attributes
    ----------
    lookup : callable
        ``lookup(terms)`` for sorted uint64 term hashes gives their int64 counts
        (0 for a term never seen).
    documents : int
        Documents the counts are over.
    counted : collection of str
        Ids of documents (of a corpus given to :func:`lineage.pipeline.analyze`)
        already included in the counts.
    """

    lookup: Callable[[np.ndarray], np.ndarray]
    documents: int
    counted: Collection[str] = frozenset()

    @classmethod
    def from_arrays(cls, terms: np.ndarray, df: np.ndarray, documents: int,
                    counted: Collection[str] = frozenset()) -> DocumentFrequencies:
        """Counts given as sorted uint64 ``terms`` and their ``df``."""
        terms = np.asarray(terms, dtype=np.uint64)
        df = np.asarray(df, dtype=np.int64)

        def lookup(query: np.ndarray) -> np.ndarray:
            if len(terms) == 0:
                return np.zeros(len(query), dtype=np.int64)
            at = np.searchsorted(terms, query).clip(max=len(terms) - 1)
            return np.where(terms[at] == query, df[at], 0)

        return cls(lookup, int(documents), frozenset(counted))


def feature_hash(term: str) -> int:
    """The term hash of one of :func:`lineage.vectorize.word_features`' features (a word
    form, or two forms joined by a space): the column key :func:`word_tfidf` uses."""
    from lineage.shingle import _hash_form

    words = term.split(" ")
    if len(words) == 1:
        return _hash_form(words[0])
    first, second = (np.array([_hash_form(w)], dtype=np.uint64) for w in words)
    return int(pair_hashes(first, second)[0])


def pair_hashes(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """The term hash of each word pair ``(first[i], second[i])`` (uint64 arrays)."""
    first = np.asarray(first, dtype=np.uint64)
    second = np.asarray(second, dtype=np.uint64)
    with np.errstate(over="ignore"):
        return _mix(first ^ _mix(second + _GOLDEN))


def text_token_hashes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Token hashes of ``texts``, flat, with the number of tokens of each text.

    The tokens are :func:`lineage.normalize.tokenize`'s, hashed as
    :func:`lineage.shingle.token_hashes` does; each distinct raw token is hashed once.

    Returns
    -------
    hashes : ndarray of uint64, shape (n_tokens,)
    lengths : ndarray of int64, shape (len(texts),)
    """
    from lineage.normalize import _TOKEN
    from lineage.shingle import _raw_hash

    raw = [_TOKEN.findall(text) for text in texts]
    lengths = np.fromiter(map(len, raw), dtype=np.int64, count=len(raw))
    codes, uniques = pd.factorize(np.fromiter(chain.from_iterable(raw), dtype=object,
                                              count=int(lengths.sum())))
    table = np.fromiter(map(_raw_hash, uniques), dtype=np.uint64, count=len(uniques))
    return table[codes], lengths


def span_tokens(token_starts: Sequence[np.ndarray], doc: np.ndarray, start: np.ndarray,
                end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The tokens of each span ``[start, end)`` of a document, as positions into all tokens.

    Parameters
    ----------
    token_starts : sequence of ndarray of int64
        Per document, its tokens' start offsets (increasing).
    doc, start, end : ndarray of int64, shape (n_spans,)
        Spans, ordered by ``doc`` then ``start``, not overlapping (sentences).

    Returns
    -------
    index : ndarray of int64
        Positions into the documents' tokens laid end to end, span after span.
    lengths : ndarray of int64, shape (n_spans,)
        Tokens (those starting inside the span) of each span.
    """
    doc = np.asarray(doc, dtype=np.int64)
    counts = np.fromiter(map(len, token_starts), dtype=np.int64, count=len(token_starts))
    flat = (np.concatenate(token_starts).astype(np.int64) if len(token_starts)
            else np.empty(0, np.int64))
    keys = (np.repeat(np.arange(len(counts), dtype=np.int64), counts) << 32) | flat
    lo = np.searchsorted(keys, (doc << 32) | np.asarray(start, dtype=np.int64))
    hi = np.searchsorted(keys, (doc << 32) | np.asarray(end, dtype=np.int64))
    lengths = hi - lo
    index = np.arange(int(lengths.sum()), dtype=np.int64) + np.repeat(
        lo - (np.cumsum(lengths) - lengths), lengths)
    return index, lengths


def document_frequencies(hashes: np.ndarray, lengths: np.ndarray, *,
                         chunk_tokens: int = 1 << 21) -> tuple[np.ndarray, np.ndarray]:
    """The distinct word 1-2 gram terms of the rows and how many rows hold each.

    The terms and counts :func:`word_tfidf` weighs by (same arguments).

    Returns
    -------
    terms : ndarray of uint64, sorted
    df : ndarray of int64
    """
    terms, df = [], []
    for _, _, found, local, _, _, _ in _chunks(np.asarray(hashes, dtype=np.uint64),
                                               np.asarray(lengths, dtype=np.int64),
                                               chunk_tokens):
        terms.append(found)
        df.append(np.bincount(local, minlength=len(found)))
    if not terms:
        return np.empty(0, np.uint64), np.empty(0, np.int64)
    all_terms, at = np.unique(np.concatenate(terms), return_inverse=True)
    return all_terms, np.bincount(at.ravel(), weights=np.concatenate(df),
                                  minlength=len(all_terms)).astype(np.int64)


def word_tfidf(hashes: np.ndarray, lengths: np.ndarray, *,
               chunk_tokens: int = 1 << 21, prior: DocumentFrequencies | None = None,
               counted: np.ndarray | None = None, with_terms: bool = False):
    """Sublinear, smoothed-idf, L2-normalised word 1-2 gram TF-IDF rows.

    Parameters
    ----------
    hashes : ndarray of uint64, shape (n_tokens,)
        Token hashes of all rows, one row after the other.
    lengths : ndarray of int64, shape (n_rows,)
        Tokens in each row (they sum to ``len(hashes)``). Word pairs never span two
        rows.
    chunk_tokens : int, default 2**21
        Tokens counted at once (whole rows), which bounds the working memory.
    prior : DocumentFrequencies, optional
        Document frequencies counted elsewhere, added to the rows' own: the rows
        are then weighted as they would be among those documents and the rows
        together. Default: the rows' own counts only (scikit-learn's IDF).
    counted : ndarray of bool, shape (n_rows,), optional
        With ``prior``: rows already included in its counts (not counted again).
    with_terms : bool, default False
        Also return the columns' term hashes.

    Returns
    -------
    csr_matrix of float32, shape (n_rows, n_terms)
        Columns are the distinct terms in hash order; ``(n_rows, 1)`` of zeros when
        there is no term at all (as :func:`lineage.vectorize.fit_vectors` gives).
    terms : ndarray of uint64, shape (n_terms,)
        Only with ``with_terms``: each column's term hash (empty when no term).
    """
    hashes = np.asarray(hashes, dtype=np.uint64)
    lengths = np.asarray(lengths, dtype=np.int64)
    if int(lengths.sum()) != len(hashes):
        raise ValueError(f"lengths sum to {int(lengths.sum())}, but there are "
                         f"{len(hashes)} token hashes")
    n_rows = len(lengths)
    chunks = list(_chunks(hashes, lengths, chunk_tokens))
    vocabulary = (np.sort(pd.unique(np.concatenate([c[2] for c in chunks]))) if chunks
                  else np.empty(0, np.uint64))
    if len(vocabulary) == 0:
        empty = sp.csr_matrix((n_rows, 1), dtype=np.float32)
        return (empty, vocabulary) if with_terms else empty
    fresh = None
    if prior is not None and counted is not None:
        fresh = ~np.asarray(counted, dtype=bool)
    # scikit-learn numbers terms by first appearance in the corpus and keeps that
    # order within each row: rank every term by its earliest (row, position)
    first = np.full(len(vocabulary), np.iinfo(np.int64).max, dtype=np.int64)
    df = np.zeros(len(vocabulary), dtype=np.int64)
    for k, (lo, hi, terms, local, counts, rows, at) in enumerate(chunks):
        cols = np.searchsorted(vocabulary, terms).astype(np.int32)[local]
        np.minimum.at(first, cols, (rows.astype(np.int64) << 32) | at)
        df += np.bincount(cols if fresh is None else cols[fresh[rows]],
                          minlength=len(vocabulary))
        chunks[k] = (lo, hi, cols, counts, rows)
    rank = np.empty(len(vocabulary), dtype=np.int64)
    rank[np.argsort(first)] = np.arange(len(vocabulary))
    del first
    parts = []
    while chunks:
        lo, hi, cols, counts, rows = chunks.pop(0)
        order = np.argsort((rows.astype(np.int64) << 32) | rank[cols])
        n = hi - lo
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows - np.int32(lo), minlength=n), out=indptr[1:])
        parts.append(sp.csr_matrix((counts[order], cols[order].astype(np.int32), indptr),
                                   shape=(n, len(vocabulary))))
    from lineage.chargrams import stack_rows

    x = stack_rows(parts, len(vocabulary))
    x.has_sorted_indices = False  # in-row order is first appearance, not column order
    documents = n_rows
    if prior is not None:
        df += np.asarray(prior.lookup(vocabulary), dtype=np.int64)
        documents = prior.documents + (n_rows if fresh is None else int(fresh.sum()))
    x = _weigh(x, df, documents)
    return (x, vocabulary) if with_terms else x


# -- private helpers ---------------------------------------------------------------


def _chunks(hashes: np.ndarray, lengths: np.ndarray, chunk_tokens: int):
    """:func:`_count_rows` of whole rows, about ``chunk_tokens`` tokens at a time, as
    ``(first_row, stop_row, *counted)``."""
    n_rows = len(lengths)
    ends = np.cumsum(lengths)
    row = 0
    while row < n_rows:
        lo = int(ends[row - 1]) if row else 0
        stop = max(row + 1, int(np.searchsorted(ends, lo + chunk_tokens, side="right")))
        yield (row, stop, *_count_rows(hashes[lo : ends[stop - 1]], lengths[row:stop], row))
        row = stop


def _count_rows(hashes: np.ndarray, lengths: np.ndarray, first_row: int):
    """Distinct terms of each row of a chunk, with counts and first positions.

    Returns
    -------
    terms : ndarray of uint64
        The chunk's distinct terms (in order of first appearance).
    local : ndarray of int32
        Per (row, term): index into ``terms``. Ordered by row.
    counts : ndarray of float32
        Per (row, term): occurrences in the row.
    rows : ndarray of int32
        Per (row, term): the row (``first_row`` + position in the chunk).
    at : ndarray of int32
        Per (row, term): its first position in the row's feature list (words, then
        word pairs, as :func:`lineage.vectorize.word_features` lists them).
    """
    n_rows = len(lengths)
    row_of = np.repeat(np.arange(n_rows, dtype=np.int64), lengths)
    at = np.arange(len(hashes), dtype=np.int64) - np.repeat(np.cumsum(lengths) - lengths,
                                                            lengths)
    same = row_of[1:] == row_of[:-1]
    pairs = pair_hashes(hashes[:-1][same], hashes[1:][same])
    seq = np.concatenate([at, lengths[row_of[:-1][same]] + at[:-1][same]])
    rows = np.concatenate([row_of, row_of[:-1][same]])
    local, terms = pd.factorize(np.concatenate([hashes, pairs]))  # hashing, not sorting
    del pairs, row_of, same
    key = (rows << 32) | local
    order = np.argsort(key)
    key = key[order]
    start = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else np.empty(
        0, np.int64)
    counts = np.diff(np.r_[start, len(key)]).astype(np.float32)
    first = order[start]
    at = np.minimum.reduceat(seq[order], start) if len(start) else np.empty(0, np.int64)
    # int32 while the chunks wait for the vocabulary: half the memory
    return (terms, local[first].astype(np.int32), counts,
            (rows[first] + first_row).astype(np.int32), at.astype(np.int32))


def _weigh(x: sp.csr_matrix, df: np.ndarray, documents: int) -> sp.csr_matrix:
    """scikit-learn's ``TfidfTransformer`` (sublinear, smooth idf, l2), float32 as it does,
    with ``df`` counted over ``documents`` documents."""
    from sklearn.preprocessing import normalize

    df = df.astype(np.float32)
    df += 1.0
    idf = np.full_like(df, fill_value=documents + 1, dtype=np.float32)
    idf /= df
    np.log(idf, out=idf)
    idf += 1.0
    np.log(x.data, x.data)
    x.data += 1.0
    x.data *= idf[x.indices]
    return normalize(x, norm="l2", copy=False)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser (a new array)."""
    x = x ^ (x >> np.uint64(30))
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x
