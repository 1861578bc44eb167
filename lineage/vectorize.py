"""TF-IDF vectors (scikit-learn) for documents and sentences, word and character level.

Word features are lineage's own tokens (so Chinese and Thai give characters and
character bigrams) as 1-2 grams; character features are ``char_wb`` 3-5 grams of
the NFKC, case-folded text. Both use sublinear term frequency and smoothed IDF
fitted on the corpus at hand, so shared names and numbers weigh more than
function words. Rows are L2-normalised: a dot product is a cosine.

Counting the terms (the slow, pure-Python part) is spread over ``jobs`` processes
in chunks of documents; the chunks' counts are merged into exactly the vocabulary
and count matrix scikit-learn's own counting builds (terms numbered in order of
first appearance, then sorted), and scikit-learn does the rest, so the matrices
are the same, bit for bit, for any ``jobs``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice, pairwise

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction import text as sk_text
from sklearn.feature_extraction.text import TfidfVectorizer

from lineage.chargrams import iter_char_counts, stack_rows
from lineage.normalize import _TOKEN, _form, normalize_text

__all__ = [
    "BucketFrequencies",
    "HashedCharTfidf",
    "char_vectorizer",
    "fit_vectors",
    "word_features",
    "word_vectorizer",
]

#: Below this many texts one process counts them all.
_MIN_PARALLEL_TEXTS = 4_000


def word_features(text: str) -> list[str]:
    """Word 1-grams and 2-grams of ``text`` (normalised token forms)."""
    forms = [_form(t) for t in _TOKEN.findall(text)]  # == tokenize(text).forms, faster
    return forms + [f"{x} {y}" for x, y in pairwise(forms)]


def word_vectorizer() -> TfidfVectorizer:
    """An unfitted word-level TF-IDF model."""
    return TfidfVectorizer(
        analyzer=word_features, sublinear_tf=True, dtype=np.float32, lowercase=False
    )


def char_vectorizer() -> TfidfVectorizer:
    """An unfitted character-level (``char_wb`` 3-5) TF-IDF model."""
    return TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(3, 5),
        preprocessor=normalize_text,
        sublinear_tf=True,
        dtype=np.float32,
    )


def fit_vectors(
    texts: Sequence[str], *, jobs: int | None = None, chunk_texts: int = 2_000,
    char: bool = True,
) -> tuple[sp.csr_matrix, sp.csr_matrix | None]:
    """Fit both models on ``texts`` and return their word and character matrices.

    Parameters
    ----------
    texts : sequence of str
    jobs : int, optional
        Processes counting terms; ``None`` (default) uses every core. The matrices
        do not depend on ``jobs``.
    chunk_texts : int, default 2000
        Texts counted by one process at a time.
    char : bool, default True
        Also fit the character model; when False the second matrix is None (use
        :class:`HashedCharTfidf` to get character rows for a few texts only).

    Returns
    -------
    (csr_matrix, csr_matrix)
        Shapes (len(texts), n_word_features) and (len(texts), n_char_features).
    """
    texts = list(texts)
    if not texts:
        empty = sp.csr_matrix((0, 0))
        return empty, empty
    from lineage.shingle import resolve_jobs, worker_pool

    jobs = min(resolve_jobs(jobs), max(1, -(-len(texts) // chunk_texts)))
    chunks = [texts[i : i + chunk_texts] for i in range(0, len(texts), chunk_texts)]
    kinds = ("word", "char") if char else ("word",)
    tasks = [(kind, c) for kind in kinds for c in chunks]
    if jobs <= 1 or len(texts) < _MIN_PARALLEL_TEXTS:
        counted = map(_count_chunk, tasks)
        word_counts = _merge_counts(islice(counted, len(chunks)), np.float32)
        char_counts = _merge_counts(counted, np.float32) if char else None
    else:
        with worker_pool(jobs) as pool:
            counted = pool.map(_count_chunk, tasks)  # in order; merged as they come
            word_counts = _merge_counts(islice(counted, len(chunks)), np.float32)
            char_counts = _merge_counts(counted, np.float32) if char else None
    words = _fit(word_vectorizer(), texts, word_counts)
    return words, (_fit(char_vectorizer(), texts, char_counts) if char else None)


@dataclass(frozen=True)
class BucketFrequencies:
    """Character n-gram document frequencies, per hashed bucket, of texts counted
    elsewhere (an index's archive): :meth:`HashedCharTfidf.fit`'s ``prior``.

    Attributes
    ----------
    df : ndarray of int64, shape (n_features,)
        Texts holding an n-gram of each bucket.
    rows : int
        Texts counted.
    """

    df: np.ndarray
    rows: int


class HashedCharTfidf:
    """Character (``char_wb``-like 3-5) TF-IDF whose rows are built only when asked for.

    The n-grams are counted by :func:`lineage.chargrams.hashed_char_counts` (numpy
    rolling hashes into ``n_features`` buckets, one chunk of texts at a time), so
    the whole count matrix never has to exist: ``fit`` keeps only the document
    frequencies; ``transform`` builds sublinear, IDF-weighted (smoothed, as
    scikit-learn's), L2-normalised rows for the texts it is given. Up to hash
    collisions the rows equal :func:`char_vectorizer`'s (a test bounds the cosine
    difference). Sentence alignment needs character rows only for sentences whose
    words already match, a small share of all sentences.

    Parameters
    ----------
    n_features : int, default 2**22
    chunk_chars : int, default 2**22
        Characters analysed at once (bounds the working memory).

    Attributes
    ----------
    idf_ : ndarray of float32, shape (n_features,)
    """

    def __init__(self, n_features: int = 1 << 22, chunk_chars: int = 1 << 22) -> None:
        self.n_features = n_features
        self.chunk_chars = chunk_chars

    def _counts(self, texts: Sequence[str]):
        return iter_char_counts(texts, n_features=self.n_features, chunk_chars=self.chunk_chars)

    def fit(self, texts: Sequence[str], *, prior: BucketFrequencies | None = None
            ) -> HashedCharTfidf:
        """Learn ``idf_`` from ``texts``; returns self.

        With ``prior``, its counts are added to those of ``texts`` (which it must not
        include already): the IDF of a fit over its texts and ``texts`` together.
        """
        own = self.frequencies(texts)
        df, rows = own.df, own.rows
        if prior is not None:
            if len(prior.df) != self.n_features:
                raise ValueError(f"prior has {len(prior.df)} buckets, the model "
                                 f"{self.n_features}")
            df += prior.df
            rows += prior.rows
        self._set_idf(df, rows)
        return self

    def frequencies(self, texts: Sequence[str]) -> BucketFrequencies:
        """How many of ``texts`` hold an n-gram of each bucket (what ``fit`` counts)."""
        df = np.zeros(self.n_features, dtype=np.int64)
        for counts in self._counts(texts):
            df += np.bincount(counts.indices, minlength=self.n_features)
        return BucketFrequencies(df, len(texts))

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """L2-normalised TF-IDF rows of ``texts``, shape (len(texts), n_features)."""
        return stack_rows([self._weigh(c) for c in self._counts(texts)], self.n_features)

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """``fit`` and ``transform`` in one pass over ``texts`` (counted chunk by chunk)."""
        df = np.zeros(self.n_features, dtype=np.int64)
        parts = []
        for counts in self._counts(texts):
            df += np.bincount(counts.indices, minlength=self.n_features)
            counts.data = 1 + np.log(counts.data)  # only the idf is still to come
            parts.append(counts)
        self._set_idf(df, len(texts))
        for counts in parts:
            self._normalise(counts)
        return stack_rows(parts, self.n_features)

    def _set_idf(self, df: np.ndarray, n: int) -> None:
        self.idf_ = (np.log((1 + n) / (1 + df)) + 1).astype(np.float32)

    def _weigh(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        counts.data = 1 + np.log(counts.data)
        return self._normalise(counts)

    def _normalise(self, weights: sp.csr_matrix) -> sp.csr_matrix:
        """Multiply sublinear counts by ``idf_`` and L2-normalise rows, in place."""
        from sklearn.preprocessing import normalize

        weights.data *= self.idf_[weights.indices]
        return normalize(weights, norm="l2", copy=False)


# -- private helpers ---------------------------------------------------------------


def _fit(model: TfidfVectorizer, texts: list[str], counted=None) -> sp.csr_matrix:
    if counted is not None:
        # scikit-learn's own fit_transform, with the term counting done already
        model._count_vocab = lambda raw_documents, fixed_vocab: counted()
    try:
        return model.fit_transform(texts).tocsr()
    except ValueError:  # empty vocabulary: nothing but punctuation
        return sp.csr_matrix((len(texts), 1), dtype=np.float32)


def _count_chunk(args: tuple[str, list[str]]):
    """Term counts of a chunk, as scikit-learn's ``_count_vocab`` makes them.

    Returns the chunk's terms in order of first appearance and a CSR triple
    (indices into those terms, counts, indptr), one row per text.
    """
    kind, texts = args
    if kind == "char":
        return _count_char_chunk(texts)
    analyze = word_vectorizer().build_analyzer()
    vocabulary: defaultdict[str, int] = defaultdict()
    vocabulary.default_factory = vocabulary.__len__
    indices: list[int] = []
    values: list[int] = []
    indptr = [0]
    for doc in texts:
        counts = Counter(analyze(doc))
        indices.extend(map(vocabulary.__getitem__, counts))
        values.extend(counts.values())
        indptr.append(len(indices))
    return (list(vocabulary), np.asarray(indices, dtype=np.int64),
            np.asarray(values, dtype=np.intc), np.asarray(indptr, dtype=np.int64))


def _count_char_chunk(texts: list[str]):
    """``char_wb`` counts, one distinct word at a time.

    ``char_wb`` n-grams never cross a word, so a text's counts are the sum over its
    distinct words of (word count) x (the word's n-gram counts), and a term first
    appears in the first word that contains it: numbering each new word's n-grams
    when the word is first seen gives scikit-learn's order of first appearance.
    """
    model = char_vectorizer()
    ngrams = model._char_wb_ngrams
    vocabulary: defaultdict[str, int] = defaultdict()
    vocabulary.default_factory = vocabulary.__len__
    words: dict[str, np.ndarray] = {}
    parts: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    per_doc = np.zeros(len(texts), dtype=np.int64)
    for d, doc in enumerate(texts):
        counts = Counter(normalize_text(doc).split())
        for word, count in counts.items():
            grams = words.get(word)
            if grams is None:
                grams = np.fromiter(map(vocabulary.__getitem__, ngrams(word)), dtype=np.int64)
                words[word] = grams
            parts.append(grams)
            weights.append(count)
            per_doc[d] += len(grams)
    if not parts:
        return [], np.empty(0, np.int64), np.empty(0, np.intc), np.zeros(len(texts) + 1, np.int64)
    lengths = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
    weight = np.repeat(np.asarray(weights, dtype=np.int64), lengths)
    doc = np.repeat(np.arange(len(texts), dtype=np.int64), per_doc)
    counts = sp.csr_matrix((weight, (doc, np.concatenate(parts))),
                           shape=(len(texts), len(vocabulary)), dtype=np.int64)
    counts.sum_duplicates()
    return (list(vocabulary), counts.indices.astype(np.int64), counts.data.astype(np.intc),
            counts.indptr.astype(np.int64))


def _merge_counts(counted, dtype):
    """Merge chunk counts (in order) into ``(vocabulary, X)`` as ``_count_vocab`` makes them.

    Each chunk's term list is folded into the vocabulary as it arrives and then
    dropped; only integer arrays are kept. Returns a callable giving the result (or
    raising ``ValueError`` for an empty vocabulary, as scikit-learn does).
    """
    vocabulary: dict[str, int] = {}
    blocks = []
    for terms, indices, values, indptr in counted:
        for term in terms:
            if term not in vocabulary:
                vocabulary[term] = len(vocabulary)
        to_global = np.fromiter(map(vocabulary.__getitem__, terms), dtype=np.int64,
                                count=len(terms))
        blocks.append((to_global[indices], values, indptr))
        del terms

    def merged():
        if not vocabulary:
            raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
        nnz = sum(len(b[0]) for b in blocks)
        idx_dtype = np.int64 if nnz > np.iinfo(np.int32).max else np.int32
        offsets = np.cumsum([0] + [len(b[0]) for b in blocks[:-1]])
        indptr = np.concatenate([[0]] + [b[2][1:] + o for b, o in zip(blocks, offsets,
                                                                      strict=True)])
        x = sp.csr_array(
            (np.concatenate([b[1] for b in blocks]),
             np.concatenate([b[0] for b in blocks]).astype(idx_dtype),
             indptr.astype(idx_dtype)),
            shape=(len(indptr) - 1, len(vocabulary)), dtype=dtype,
        )
        blocks.clear()
        x.sort_indices()
        align = getattr(sk_text, "_align_api_if_sparse", lambda m: m)
        return vocabulary, align(x)

    return merged
