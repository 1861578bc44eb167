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
from itertools import islice, pairwise

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction import text as sk_text
from sklearn.feature_extraction.text import TfidfVectorizer

from lineage.normalize import _TOKEN, _form, normalize_text

__all__ = [
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


class HashedCharTfidf:
    """Character (``char_wb`` 3-5) TF-IDF whose rows are built only when asked for.

    ``fit`` counts document frequencies chunk by chunk through scikit-learn's
    ``HashingVectorizer`` (2**22 buckets), so the whole matrix never exists; then
    ``transform`` builds sublinear, IDF-weighted, L2-normalised rows for the texts
    it is given. Up to hash collisions, the rows equal :func:`char_vectorizer`'s.
    Sentence alignment needs character rows only for sentences whose words already
    match, a small share of all sentences.

    Parameters
    ----------
    n_features : int, default 2**22
    chunk_texts : int, default 20000
    """

    def __init__(self, n_features: int = 1 << 22, chunk_texts: int = 20_000) -> None:
        self.n_features = n_features
        self.chunk_texts = chunk_texts

    def _hasher(self):
        return sk_text.HashingVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), preprocessor=normalize_text,
            n_features=self.n_features, alternate_sign=False, norm=None,
            dtype=np.float32)

    def fit(self, texts: Sequence[str]) -> HashedCharTfidf:
        """Learn ``idf_`` (smoothed, as scikit-learn's) from ``texts``; returns self."""
        hasher = self._hasher()
        df = np.zeros(self.n_features, dtype=np.int64)
        for lo in range(0, len(texts), self.chunk_texts):
            counts = hasher.transform(texts[lo : lo + self.chunk_texts]).tocsc()
            df += np.diff(counts.indptr)
        n = len(texts)
        self.idf_ = (np.log((1 + n) / (1 + df)) + 1).astype(np.float32)
        return self

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """L2-normalised TF-IDF rows of ``texts``, shape (len(texts), n_features)."""
        return self._weigh(self._hasher().transform(list(texts)).tocsr())

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """``fit`` and ``transform`` in one pass over ``texts`` (counted chunk by chunk)."""
        hasher = self._hasher()
        parts = [hasher.transform(texts[lo : lo + self.chunk_texts]).tocsr()
                 for lo in range(0, len(texts), self.chunk_texts)]
        counts = sp.vstack(parts, format="csr") if parts else sp.csr_matrix(
            (0, self.n_features), dtype=np.float32)
        del parts
        df = np.bincount(counts.indices, minlength=self.n_features)
        self.idf_ = (np.log((1 + len(texts)) / (1 + df)) + 1).astype(np.float32)
        return self._weigh(counts)

    def _weigh(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        from sklearn.preprocessing import normalize

        counts.data = 1 + np.log(counts.data)
        counts.data *= self.idf_[counts.indices]
        return normalize(counts, norm="l2", copy=False).astype(np.float32)


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
