"""Hashed character n-gram counts (``char_wb``-like), computed with numpy, not per n-gram.

scikit-learn's ``char_wb`` analyzer pads every whitespace-separated word of the
preprocessed text with one space on each side and takes all its n-grams; it runs in
pure Python, one n-gram at a time. Here each text is normalised
(:func:`lineage.normalize.normalize_text`) and split into words; the distinct
words of a chunk of texts are written as one string in which each word is
``" " + word + " "`` and encoded to code points. A substring of that string is a
``char_wb`` n-gram exactly when no interior position (all but the first and last
character) is a space: it then lies inside one padded word (padded words meet at
two spaces, which no gram of three or more characters can span without a space
inside). Rolling polynomial hashes of all 3-, 4- and 5-grams are computed at once
in uint64 arithmetic, mixed (splitmix64 finaliser, with the gram length folded in)
and reduced to ``n_features`` buckets, giving a (word x bucket) count matrix;
since n-grams never cross a word, the texts' counts are the sparse product
(text x word counts) @ (word x bucket counts). The only Python loop is the
normalisation and splitting of each text.

The bucket of an n-gram depends only on its code points, the length and
``n_features``: never on Python's string hash, so counts are the same under any
``PYTHONHASHSEED`` and in any process.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from lineage.normalize import normalize_text

__all__ = ["gram_buckets", "hashed_char_counts"]

#: Multiplier of the polynomial rolling hash (FNV-1 64-bit prime; odd).
_PRIME = np.uint64(0x100000001B3)
#: Folded into a gram's hash times its length, so "abc" and "\0abc" differ.
_GOLDEN = 0x9E3779B97F4A7C15
_SPACE = 32


def gram_buckets(
    grams: Sequence[str], *, n_features: int = 1 << 22
) -> np.ndarray:
    """The bucket of each n-gram, as :func:`hashed_char_counts` assigns it.

    The reference definition, computed one n-gram at a time (slow; for tests and for
    looking up where a given n-gram goes).

    Parameters
    ----------
    grams : sequence of str
        Already-normalised n-grams.
    n_features : int, default 2**22

    Returns
    -------
    ndarray of int64, shape (len(grams),)
    """
    mask = 0xFFFF_FFFF_FFFF_FFFF
    hashes = []
    for gram in grams:
        h = 0
        for ch in gram:
            h = (h * int(_PRIME) + ord(ch)) & mask
        hashes.append((h + len(gram) * _GOLDEN) & mask)
    out = _reduce(_mix(np.array(hashes, dtype=np.uint64)), n_features)
    return out


def hashed_char_counts(
    texts: Sequence[str],
    *,
    n_features: int = 1 << 22,
    ngram_range: tuple[int, int] = (3, 5),
    chunk_chars: int = 1 << 22,
) -> sp.csr_matrix:
    """Counts of the hashed ``char_wb`` n-grams of each text.

    Parameters
    ----------
    texts : sequence of str
        Raw texts; each is normalised with :func:`lineage.normalize.normalize_text`.
    n_features : int, default 2**22
        Buckets (columns).
    ngram_range : (int, int), default (3, 5)
        Smallest and largest n-gram length. The smallest must be 3: a padded word
        always has at least 3 characters, and ``char_wb`` treats words shorter than
        a larger minimum specially, which is not reproduced here.
    chunk_chars : int, default 2**22
        Characters of text analysed at once (whole texts; a longer text is one
        chunk), which bounds the working memory.

    Returns
    -------
    csr_matrix of float32, shape (len(texts), n_features)
        Canonical (sorted indices, no duplicates); values are n-gram counts.
    """
    parts = list(iter_char_counts(texts, n_features=n_features, ngram_range=ngram_range,
                                  chunk_chars=chunk_chars))
    counts = stack_rows(parts, n_features)
    counts.sort_indices()
    return counts


def iter_char_counts(
    texts: Sequence[str],
    *,
    n_features: int = 1 << 22,
    ngram_range: tuple[int, int] = (3, 5),
    chunk_chars: int = 1 << 22,
) -> Iterator[sp.csr_matrix]:
    """:func:`hashed_char_counts` one chunk of consecutive texts at a time.

    Yields
    ------
    csr_matrix of float32, shape (n_texts_in_chunk, n_features)
        The chunks cover ``texts`` in order. No duplicate entries, but the indices
        within a row are not sorted (sorting would cost as much as the counting).
    """
    min_n, max_n = ngram_range
    if min_n != 3 or max_n < min_n:
        raise ValueError(f"ngram_range must be (3, max_n) with max_n >= 3, "
                         f"got {ngram_range}")
    if n_features < 1:
        raise ValueError(f"n_features must be positive, got {n_features}")
    words: list[str] = []
    lengths: list[int] = []
    size = 0
    for text in texts:
        split = normalize_text(text).split()
        words += split
        lengths.append(len(split))
        size += len(text)
        if size >= chunk_chars:
            yield _word_chunk_counts(words, lengths, n_features, min_n, max_n)
            words, lengths, size = [], [], 0
    if lengths:
        yield _word_chunk_counts(words, lengths, n_features, min_n, max_n)


def stack_rows(parts: list[sp.csr_matrix], n_cols: int) -> sp.csr_matrix:
    """Stack CSR blocks vertically, dropping each block as soon as it is copied.

    Unlike ``scipy.sparse.vstack``, the peak memory is about one copy of the result
    (``np.empty`` pages are only resident once written), not two. ``parts`` is
    emptied.
    """
    if not parts:
        return sp.csr_matrix((0, n_cols), dtype=np.float32)
    nnz = sum(p.nnz for p in parts)
    n_rows = sum(p.shape[0] for p in parts)
    sorted_rows = all(p.has_sorted_indices for p in parts)
    idx_dtype = np.int64 if max(nnz, n_cols) > np.iinfo(np.int32).max else np.int32
    data = np.empty(nnz, dtype=parts[0].dtype)
    indices = np.empty(nnz, dtype=idx_dtype)
    indptr = np.empty(n_rows + 1, dtype=idx_dtype)
    indptr[0] = 0
    at, row = 0, 0
    parts.reverse()
    while parts:
        p = parts.pop()
        data[at : at + p.nnz] = p.data
        indices[at : at + p.nnz] = p.indices
        indptr[row + 1 : row + 1 + p.shape[0]] = p.indptr[1:] + at
        at += p.nnz
        row += p.shape[0]
        del p
    out = sp.csr_matrix((data, indices, indptr), shape=(n_rows, n_cols), copy=False)
    out.has_sorted_indices = sorted_rows
    return out


# -- private helpers ---------------------------------------------------------------


def _word_chunk_counts(words: list[str], lengths: list[int], n_features: int, min_n: int,
                       max_n: int) -> sp.csr_matrix:
    """Counts of texts given as their words: (text x word counts) @ (word x gram counts).

    N-grams never cross a word, so each distinct word of the chunk is analysed once
    and the texts' counts are one sparse product (no sort of every n-gram).
    """
    n_texts = len(lengths)
    codes, distinct = pd.factorize(np.asarray(words, dtype=object)) if words else (
        np.empty(0, np.int64), np.empty(0, dtype=object))
    indptr = np.zeros(n_texts + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    per_text = sp.csr_matrix((np.ones(len(codes), dtype=np.float32), codes, indptr),
                             shape=(n_texts, len(distinct)))
    per_text.sum_duplicates()
    per_word = _chunk_counts([f" {w} " for w in distinct], n_features, min_n, max_n)
    return (per_text @ per_word).tocsr()  # no duplicates; indices left unsorted


def _chunk_counts(padded: list[str], n_features: int, min_n: int,
                  max_n: int) -> sp.csr_matrix:
    """The count matrix of already padded texts (see the module docstring)."""
    lengths = np.fromiter(map(len, padded), dtype=np.int64, count=len(padded))
    code = np.frombuffer("".join(padded).encode("utf-32-le"), dtype=np.uint32)
    size = len(code)
    widths = max_n - min_n + 1
    if size < min_n:
        return sp.csr_matrix((len(padded), n_features), dtype=np.float32)
    code = code.astype(np.uint64)
    # spaces[i] = number of spaces in code[:i]
    spaces = np.zeros(size + 1, dtype=np.int32)
    np.cumsum(code == _SPACE, out=spaces[1:])
    # keys[i, w]: bucket of the gram of length min_n + w starting at i (or -1)
    keys = np.full((size, widths), -1, dtype=np.int64)
    h = np.zeros(size - min_n + 1, dtype=np.uint64)
    for k in range(min_n):
        h *= _PRIME
        h += code[k : k + size - min_n + 1]
    for w, n in enumerate(range(min_n, max_n + 1)):
        if n > min_n:
            if n > size:
                break
            h = h[:-1] * _PRIME + code[n - 1 :]
        starts = size - n + 1
        ok = spaces[n - 1 : n - 1 + starts] == spaces[1 : 1 + starts]
        salted = h[ok] + np.uint64((n * _GOLDEN) & 0xFFFF_FFFF_FFFF_FFFF)
        keys[:starts, w][ok] = _reduce(_mix(salted), n_features)
    del h, spaces, code
    row_of = np.repeat(np.arange(len(padded), dtype=np.int32), lengths)
    flat = keys.ravel()
    valid = flat >= 0
    cols = flat[valid].astype(np.int32 if n_features <= np.iinfo(np.int32).max else np.int64)
    per_row = np.bincount(np.repeat(row_of, widths)[valid], minlength=len(padded))
    del keys, flat, valid
    indptr = np.zeros(len(padded) + 1, dtype=np.int64)
    np.cumsum(per_row, out=indptr[1:])
    counts = sp.csr_matrix((np.ones(len(cols), dtype=np.float32), cols, indptr),
                           shape=(len(padded), n_features))
    counts.sum_duplicates()
    return counts


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser, in place on a uint64 array (returned)."""
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x


def _reduce(x: np.ndarray, n_features: int) -> np.ndarray:
    """Mixed hashes to buckets ``0 .. n_features - 1`` (int64)."""
    if n_features & (n_features - 1) == 0:
        return (x & np.uint64(n_features - 1)).astype(np.int64)
    return (x % np.uint64(n_features)).astype(np.int64)
