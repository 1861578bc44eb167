"""Document-level scores of candidate pairs: exact shingle overlap and TF-IDF cosines.

The verbatim scores come from the real shingle sets, never from MinHash estimates.
Everything is computed for all pairs at once with sparse matrices.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from lineage.candidates import rowwise_cosine

__all__ = ["SCORE_COLUMNS", "score_pairs", "shingle_matrix"]

#: Columns of the table returned by :func:`score_pairs` (document positions ``ai < bi``).
SCORE_COLUMNS = (
    "ai",
    "bi",
    "jaccard",
    "containment_ab",
    "containment_ba",
    "shared_shingles",
    "tfidf_cosine",
    "char_cosine",
)


def shingle_matrix(shingle_sets: Sequence[np.ndarray]) -> sp.csr_matrix:
    """Binary document x shingle matrix, shape (n_documents, n_distinct_shingles)."""
    sizes = np.fromiter((len(s) for s in shingle_sets), dtype=np.int64, count=len(shingle_sets))
    if sizes.sum() == 0:
        return sp.csr_matrix((len(shingle_sets), 1), dtype=np.float32)
    _, cols = np.unique(np.concatenate(shingle_sets), return_inverse=True)
    indptr = np.r_[0, np.cumsum(sizes)]
    data = np.ones(len(cols), dtype=np.float32)
    return sp.csr_matrix((data, cols, indptr), shape=(len(shingle_sets), cols.max() + 1))


def score_pairs(
    pairs: np.ndarray,
    shingles: sp.csr_matrix,
    word_vectors: sp.csr_matrix,
    char_vectors: sp.csr_matrix | None,
) -> pd.DataFrame:
    """Exact Jaccard, containment both ways and TF-IDF cosines for each pair.

    Parameters
    ----------
    pairs : ndarray of int64, shape (n_pairs, 2)
        Document positions, ``a < b``.
    shingles : csr_matrix
        From :func:`shingle_matrix`.
    word_vectors, char_vectors : csr_matrix
        L2-normalised document TF-IDF rows. ``char_vectors`` may be None: the
        character cosine is then left NaN, to be filled in for the pairs that need
        it (:func:`lineage.pipeline.analyze` does so for the related pairs only).

    Returns
    -------
    DataFrame
        Columns :data:`SCORE_COLUMNS`. ``containment_ab`` is the share of a's
        shingles found in b.
    """
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    size = np.asarray(shingles.sum(axis=1)).ravel()
    shared = np.rint(rowwise_cosine(shingles, pairs, clip=False)).astype(np.int64)
    size_a, size_b = size[pairs[:, 0]], size[pairs[:, 1]]
    union = size_a + size_b - shared
    return pd.DataFrame(
        {
            "ai": pairs[:, 0],
            "bi": pairs[:, 1],
            "jaccard": _ratio(shared, union),
            "containment_ab": _ratio(shared, size_a),
            "containment_ba": _ratio(shared, size_b),
            "shared_shingles": shared,
            "tfidf_cosine": rowwise_cosine(word_vectors, pairs),
            "char_cosine": (rowwise_cosine(char_vectors, pairs) if char_vectors is not None
                            else np.full(len(pairs), np.nan)),
        },
        columns=list(SCORE_COLUMNS),
    )


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    out = np.divide(num, den, out=np.zeros_like(num), where=den > 0)
    return np.clip(out, 0.0, 1.0)
