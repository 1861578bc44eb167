"""Tests for lineage.score: exact shingle overlap and cosines of candidate pairs."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from fixtures.corpus import ORIGINAL, TRIMMED, UNRELATED
from hypothesis import given, settings
from hypothesis import strategies as st

from lineage.config import ShingleConfig
from lineage.normalize import tokenize
from lineage.score import SCORE_COLUMNS, score_pairs, shingle_matrix
from lineage.shingle import shingle_hashes
from lineage.vectorize import fit_vectors


def as_array(values) -> np.ndarray:
    return np.array(sorted(values), dtype=np.uint32)


def score_sets(sets, pairs):
    arrays = [as_array(s) for s in sets]
    eye = sp.identity(len(arrays), format="csr", dtype=np.float32)
    return score_pairs(np.asarray(pairs, dtype=np.int64), shingle_matrix(arrays), eye, eye)


def test_hand_made_sets_exact():
    out = score_sets([{1, 2, 3, 4}, {3, 4, 5}], [[0, 1]])
    assert list(out.columns) == list(SCORE_COLUMNS)
    row = out.iloc[0]
    assert (row["ai"], row["bi"]) == (0, 1)
    assert row["jaccard"] == pytest.approx(2 / 5)
    assert row["containment_ab"] == pytest.approx(2 / 4)
    assert row["containment_ba"] == pytest.approx(2 / 3)
    assert row["shared_shingles"] == 2
    assert row["tfidf_cosine"] == 0.0 and row["char_cosine"] == 0.0


def test_several_pairs_and_empty_set():
    sets = [{1, 2, 3, 4}, {3, 4, 5}, set(), {10, 11}, {1, 2, 3, 4, 10, 11}]
    out = score_sets(sets, [[0, 1], [0, 2], [1, 3], [0, 4], [3, 4]])
    assert out["jaccard"].tolist() == pytest.approx([2 / 5, 0.0, 0.0, 4 / 6, 2 / 6])
    assert out["containment_ab"].tolist() == pytest.approx([2 / 4, 0.0, 0.0, 1.0, 1.0])
    assert out["containment_ba"].tolist() == pytest.approx([2 / 3, 0.0, 0.0, 4 / 6, 2 / 6])
    assert out["shared_shingles"].tolist() == [2, 0, 0, 4, 2]


def test_shingle_matrix_shape_and_values():
    m = shingle_matrix([as_array({5, 9}), as_array(set()), as_array({9, 100})])
    assert m.shape == (3, 3)
    np.testing.assert_array_equal(m.toarray(), [[1, 1, 0], [0, 0, 0], [0, 1, 1]])
    assert shingle_matrix([as_array(set())] * 2).shape == (2, 1)


def test_no_pairs_gives_empty_table():
    out = score_sets([{1}, {2}], np.empty((0, 2), dtype=np.int64))
    assert list(out.columns) == list(SCORE_COLUMNS) and len(out) == 0


def text_scores(texts, pairs):
    sets = [shingle_hashes(tokenize(t), ShingleConfig()) for t in texts]
    word, char = fit_vectors(texts)
    return score_pairs(np.asarray(pairs), shingle_matrix(sets), word, char)


def test_text_with_itself():
    out = text_scores([ORIGINAL, ORIGINAL, UNRELATED], [[0, 1], [0, 2]]).iloc[0]
    assert out["jaccard"] == 1.0
    assert out["containment_ab"] == 1.0 and out["containment_ba"] == 1.0
    assert out["tfidf_cosine"] == pytest.approx(1.0, abs=1e-5)
    assert out["char_cosine"] == pytest.approx(1.0, abs=1e-5)


def test_trimmed_copy_is_contained_in_original():
    out = text_scores([TRIMMED, ORIGINAL, UNRELATED], [[0, 1], [0, 2], [1, 2]])
    trimmed = out.iloc[0]
    assert trimmed["containment_ab"] > 0.8 > trimmed["containment_ba"] > 0.5
    assert trimmed["containment_ab"] > trimmed["jaccard"]
    assert out.iloc[1]["jaccard"] == 0.0 and out.iloc[2]["jaccard"] == 0.0


SETS = st.frozensets(st.integers(0, 40), max_size=25)


@settings(max_examples=100, deadline=None)
@given(SETS, SETS)
def test_scores_exact_symmetric_and_bounded(a, b):
    out = score_sets([a, b], [[0, 1], [1, 0], [0, 0]])
    ab, ba, aa = (out.iloc[i] for i in range(3))
    shared = len(a & b)
    assert ab["shared_shingles"] == shared
    assert ab["jaccard"] == pytest.approx(shared / len(a | b) if a | b else 0.0)
    assert ab["containment_ab"] == pytest.approx(shared / len(a) if a else 0.0)
    assert ab["containment_ab"] == ba["containment_ba"]
    assert ab["containment_ba"] == ba["containment_ab"]
    assert ab["jaccard"] == ba["jaccard"]
    for col in ("jaccard", "containment_ab", "containment_ba", "tfidf_cosine", "char_cosine"):
        assert 0.0 <= out[col].min() and out[col].max() <= 1.0
    assert aa["jaccard"] == (1.0 if a else 0.0)
