"""TF-IDF vectors (scikit-learn) for documents and sentences, word and character level.

Word features are lineage's own tokens (so Chinese and Thai give characters and
character bigrams) as 1-2 grams; character features are ``char_wb`` 3-5 grams of
the NFKC, case-folded text. Both use sublinear term frequency and smoothed IDF
fitted on the corpus at hand, so shared names and numbers weigh more than
function words. Rows are L2-normalised: a dot product is a cosine.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from lineage.normalize import normalize_text, tokenize

__all__ = ["char_vectorizer", "fit_vectors", "word_features", "word_vectorizer"]


def word_features(text: str) -> list[str]:
    """Word 1-grams and 2-grams of ``text`` (normalised token forms)."""
    forms = tokenize(text).forms
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


def fit_vectors(texts: Sequence[str]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Fit both models on ``texts`` and return their word and character matrices.

    Returns
    -------
    (csr_matrix, csr_matrix)
        Shapes (len(texts), n_word_features) and (len(texts), n_char_features).
    """
    texts = list(texts)
    if not texts:
        empty = sp.csr_matrix((0, 0))
        return empty, empty
    return _fit(word_vectorizer(), texts), _fit(char_vectorizer(), texts)


def _fit(model: TfidfVectorizer, texts: list[str]) -> sp.csr_matrix:
    try:
        return model.fit_transform(texts).tocsr()
    except ValueError:  # empty vocabulary: nothing but punctuation
        return sp.csr_matrix((len(texts), 1), dtype=np.float32)
