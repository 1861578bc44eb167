"""Tests for lineage.candidates: banded LSH pairs, TF-IDF blocking pairs, pair utilities."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from fixtures.corpus import CORPUS
from hypothesis import given, settings
from hypothesis import strategies as st

from lineage.candidates import (
    fingerprint_matrix,
    fingerprints,
    lsh_candidates,
    lsh_params,
    rowwise_cosine,
    strongest_partners,
    tfidf_candidates,
    top_terms,
    union_pairs,
)
from lineage.config import CandidateConfig
from lineage.sketch import minhash_signatures
from lineage.vectorize import fit_vectors

IDS = [row["id"] for row in CORPUS]
TEXTS = [row["text"] for row in CORPUS]
POS = {doc_id: i for i, doc_id in enumerate(IDS)}


def pair_set(pairs: np.ndarray) -> set[tuple[str, str]]:
    return {(IDS[a], IDS[b]) for a, b in pairs.tolist()}


def check_pairs(pairs: np.ndarray) -> None:
    assert pairs.dtype == np.int64 and pairs.ndim == 2 and pairs.shape[1] == 2
    assert (pairs[:, 0] < pairs[:, 1]).all()
    np.testing.assert_array_equal(pairs, np.unique(pairs, axis=0))  # sorted and distinct


def disjoint_values(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.choice(2**31, size=n, replace=False).astype(np.uint32)


# ---------------------------------------------------------------- LSH


def test_lsh_params_fit_num_perm():
    for num_perm in (64, 128, 256):
        bands, rows = lsh_params(0.1, num_perm)
        assert bands >= 1 and rows >= 1 and bands * rows <= num_perm
    # a low threshold means short bands: a pair at twice the threshold is almost always caught
    bands, rows = lsh_params(0.1, 128)
    assert 1 - (1 - 0.2**rows) ** bands > 0.9


def test_lsh_finds_jaccard_half_pair_only():
    rng = np.random.default_rng(4)
    values = disjoint_values(rng, 800)
    shared, only_a, only_b, other = values[:200], values[200:300], values[300:400], values[400:]
    sets = [
        np.array([], dtype=np.uint32),
        np.concatenate([shared, only_a]),  # Jaccard 200 / 400 = 0.5 with the next
        other,                              # disjoint from everything
        np.concatenate([shared, only_b]),
        np.array([], dtype=np.uint32),
    ]
    sig = minhash_signatures(sets, num_perm=128, seed=1)
    pairs = lsh_candidates(sig, threshold=0.1)
    check_pairs(pairs)
    np.testing.assert_array_equal(pairs, np.array([[1, 3]]))


def test_lsh_empty_documents_never_pair():
    sig = minhash_signatures([np.array([], dtype=np.uint32)] * 4, num_perm=64, seed=1)
    assert lsh_candidates(sig, threshold=0.1).shape == (0, 2)


def test_lsh_identical_documents_all_pair():
    values = disjoint_values(np.random.default_rng(1), 50)
    sig = minhash_signatures([values] * 4, num_perm=128, seed=1)
    pairs = lsh_candidates(sig, threshold=0.5)
    np.testing.assert_array_equal(pairs, [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 5), min_size=0, max_size=12), st.integers(0, 1000))
def test_lsh_pairs_are_ordered_unique_without_self_pairs(labels, seed):
    # documents with the same label are identical; others share half their shingles
    rng = np.random.default_rng(seed)
    base = disjoint_values(rng, 60)
    sets = [np.concatenate([base[:30], base[30 + 5 * k: 35 + 5 * k]]) for k in labels]
    sig = minhash_signatures(sets, num_perm=64, seed=1) if sets else np.empty((0, 64), np.uint32)
    pairs = lsh_candidates(sig, threshold=0.1)
    check_pairs(pairs)
    found = set(map(tuple, pairs.tolist()))
    for i in range(len(labels)):
        for j in range(i + 1, len(labels)):
            if labels[i] == labels[j]:
                assert (i, j) in found


# ---------------------------------------------------------------- TF-IDF blocking


@pytest.fixture(scope="module")
def corpus_vectors() -> sp.csr_matrix:
    word, _ = fit_vectors(TEXTS)
    return word


def test_tfidf_finds_paraphrase_and_not_unrelated(corpus_vectors):
    pairs = tfidf_candidates(corpus_vectors, CandidateConfig())
    check_pairs(pairs)
    found = pair_set(pairs)
    assert ("wire-original", "paraphrase") in found
    assert ("verbatim-copy", "paraphrase") in found
    assert ("trimmed-copy-with-local-additions", "paraphrase") in found
    assert ("wire-original", "verbatim-copy") in found
    assert not any("unrelated" in pair for pair in found)


def test_tfidf_min_cosine_filters(corpus_vectors):
    pairs = tfidf_candidates(corpus_vectors, CandidateConfig(min_cosine=0.99))
    assert pair_set(pairs) == {("wire-original", "verbatim-copy")}


def test_tfidf_neighbours_cap(corpus_vectors):
    # each pair must be among the single best of one of its documents
    pairs = tfidf_candidates(corpus_vectors, CandidateConfig(neighbours=1))
    check_pairs(pairs)
    assert ("wire-original", "verbatim-copy") in pair_set(pairs)
    assert len(pairs) <= len(IDS)


def test_tfidf_fewer_than_two_documents():
    word, _ = fit_vectors(TEXTS[:1])
    out = tfidf_candidates(word, CandidateConfig())
    assert out.shape == (0, 2) and out.dtype == np.int64


# ---------------------------------------------------------------- utilities


def test_union_pairs_sorted_distinct():
    out = union_pairs(np.array([[2, 5], [0, 1]]), np.array([[0, 1], [1, 3]]),
                      np.empty((0, 2), dtype=np.int64))
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out, [[0, 1], [1, 3], [2, 5]])


def test_union_pairs_empty():
    for out in (union_pairs(), union_pairs(np.empty((0, 2), dtype=np.int64))):
        assert out.shape == (0, 2) and out.dtype == np.int64


def test_rowwise_cosine_self_is_one(corpus_vectors):
    n = corpus_vectors.shape[0]
    self_pairs = np.column_stack([np.arange(n), np.arange(n)])
    np.testing.assert_allclose(rowwise_cosine(corpus_vectors, self_pairs, clip=False),
                               np.ones(n), atol=1e-5)
    clipped = rowwise_cosine(corpus_vectors, self_pairs)
    assert ((clipped <= 1.0) & (clipped > 1.0 - 1e-5)).all()


def test_rowwise_cosine_values_and_chunks():
    vectors = sp.csr_matrix(np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]], dtype=np.float32))
    pairs = np.array([[0, 1], [0, 2], [1, 2], [2, 2]])
    expected = [0.0, 0.6, 0.8, 1.0]
    np.testing.assert_allclose(rowwise_cosine(vectors, pairs), expected, atol=1e-6)
    np.testing.assert_allclose(rowwise_cosine(vectors, pairs, chunk=1), expected, atol=1e-6)
    assert rowwise_cosine(vectors, np.empty((0, 2), dtype=np.int64)).shape == (0,)


def test_rowwise_cosine_reads_a_dense_group_off_its_gram_matrix():
    from lineage import candidates

    # 60 near-identical rows with every pair among them (1,770 pairs, a story's
    # copies), and 200 scattered pairs of other rows
    rng = np.random.default_rng(0)
    base = rng.random(400)
    rows = [np.where(rng.random(400) < 0.9, base, 0.0) for _ in range(60)]
    rows += [np.where(rng.random(400) < 0.05, rng.random(400), 0.0) for _ in range(300)]
    vectors = sp.csr_matrix(np.array(rows))
    i, j = np.triu_indices(60, 1)
    scattered = np.sort(rng.integers(60, 360, size=(200, 2)), axis=1)
    scattered = scattered[scattered[:, 0] != scattered[:, 1]]
    pairs = np.concatenate([scattered[:50], np.column_stack([i, j]), scattered[50:]])
    groups = candidates._pair_groups(pairs, vectors.shape[0])
    assert [len(g) for g in groups] == [1770]
    expected = (vectors[pairs[:, 0]].multiply(vectors[pairs[:, 1]])).sum(axis=1).A1
    for cells in (4_000_000, 500, 1):  # one block, several, one row at a time
        got = rowwise_cosine(vectors, pairs, clip=False, block_cells=cells)
        np.testing.assert_allclose(got, expected, rtol=1e-12)
    # the group's pairs come from the Gram matrix: the product per pair is not run
    import unittest.mock as mock

    seen = []
    real = sp.csr_matrix.multiply
    with mock.patch.object(sp.csr_matrix, "multiply",
                           lambda self, other: seen.append(self.shape[0]) or real(self, other)):
        rowwise_cosine(vectors, pairs, clip=False)
    assert sum(seen) == len(pairs) - 1770


# ---------------------------------------------------------------- fingerprints


def shingle_sets(texts: list[str]) -> list[np.ndarray]:
    from lineage.config import ShingleConfig
    from lineage.normalize import tokenize
    from lineage.shingle import shingle_hashes

    return [shingle_hashes(tokenize(t), ShingleConfig()) for t in texts]


def test_fingerprints_are_a_hash_chosen_sample():
    rng = np.random.default_rng(0)
    shingles = disjoint_values(rng, 8000)
    kept = fingerprints(shingles, 8)
    assert set(kept.tolist()) <= set(shingles.tolist())
    assert 800 < len(kept) < 1200  # about one in eight
    # the choice depends on the value only: any subset keeps exactly its own members
    part = shingles[::3]
    np.testing.assert_array_equal(fingerprints(part, 8), np.intersect1d(kept, part))
    np.testing.assert_array_equal(fingerprints(shingles, 1), np.unique(shingles))


def test_fingerprint_matrix_marks_each_document():
    sets = [np.array([1, 2, 3], np.uint32), np.array([3, 4], np.uint32),
            np.array([], np.uint32)]
    m = fingerprint_matrix(sets, 1)
    assert m.shape == (3, 4)
    assert m.toarray().tolist() == [[1, 1, 1, 0], [0, 0, 1, 1], [0, 0, 0, 0]]
    assert fingerprint_matrix(sets, 0) is None


def test_fingerprints_find_a_copy_that_top_terms_miss(corpus_vectors):
    # with one blocking term per document the rare-term route finds nothing; the
    # copies' shared passages still meet through their fingerprints
    cfg = CandidateConfig(block_terms=1)
    assert len(tfidf_candidates(corpus_vectors, cfg)) == 0
    marks = fingerprint_matrix(shingle_sets(TEXTS), 2)
    found = pair_set(tfidf_candidates(corpus_vectors, cfg, marks))
    assert ("wire-original", "verbatim-copy") in found
    assert ("wire-original", "trimmed-copy-with-local-additions") in found
    assert not any("unrelated" in pair for pair in found)


def test_top_terms_break_equal_weights_by_column():
    # stored out of column order (as word_tfidf keeps rows): ties go to lower columns
    x = sp.csr_matrix((np.array([0.5, 0.9, 0.5, 0.5, 0.5], np.float32),
                       np.array([4, 3, 0, 2, 1]), [0, 5]), shape=(1, 5))
    assert sorted(top_terms(x, 3).indices.tolist()) == [0, 1, 3]


@given(st.lists(st.lists(st.tuples(st.integers(0, 30), st.sampled_from([0.1, 0.2, 0.25, 0.5])),
                         max_size=20), min_size=1, max_size=8),
       st.integers(1, 6))
@settings(max_examples=100, deadline=None)
def test_top_terms_equal_a_per_row_sort(rows, k):
    """Each row keeps its k largest weights, equal weights by lower column, whatever the
    in-row order of the stored entries."""
    dense = np.zeros((len(rows), 31), dtype=np.float32)
    for r, entries in enumerate(rows):
        for col, w in entries:
            dense[r, col] = w
    x = sp.csr_matrix(dense)
    x.indices, x.data = x.indices.copy(), x.data.copy()
    for r in range(x.shape[0]):  # reverse each row's stored order
        lo, hi = x.indptr[r], x.indptr[r + 1]
        x.indices[lo:hi], x.data[lo:hi] = x.indices[lo:hi][::-1], x.data[lo:hi][::-1]
    x.has_sorted_indices = False
    got = top_terms(x, k).toarray() > 0
    for r in range(len(rows)):
        cols = np.flatnonzero(dense[r])
        best = sorted(cols, key=lambda c: (-dense[r, c], c))[:k]
        assert set(np.flatnonzero(got[r])) == set(best)


def scored(rows) -> pd.DataFrame:
    """A score table from ``(ai, bi, containment_ab, containment_ba, jaccard, cosine)``."""
    return pd.DataFrame(rows, columns=["ai", "bi", "containment_ab", "containment_ba",
                                       "jaccard", "tfidf_cosine"])


def test_strongest_partners_keep_the_text_that_holds_a_copy():
    # 0 is the wire; 1, 2, 3 ran it cut shorter (3 shortest): each is held whole by the
    # wire and by every longer copy, and holds less of them
    s = scored([
        (0, 1, 0.90, 0.99, 0.89, 0.95), (0, 2, 0.70, 0.99, 0.69, 0.85),
        (0, 3, 0.50, 0.99, 0.49, 0.75), (1, 2, 0.77, 0.98, 0.76, 0.90),
        (1, 3, 0.55, 0.98, 0.54, 0.80), (2, 3, 0.71, 0.97, 0.70, 0.88),
    ])
    # one partner each: 1, 2 and 3 keep the wire (it holds the most of each); the
    # wire keeps 1 (holds most of it), and by cosine each keeps its nearest
    keep = strongest_partners(s, 1)
    assert keep.tolist() == [True, True, True, True, False, True]
    # every document has three partners: three or more keeps all, 0 turns it off
    assert strongest_partners(s, 3).all() and strongest_partners(s, 0).all()


def test_strongest_partners_break_equal_holders_by_rank():
    # 1 and 2 each hold all of 0 (and 0 little of either): the rank decides which
    # 0 keeps; 1 and 2 keep each other, and 3 one of them
    s = scored([(0, 1, 1.0, 0.1, 0.1, 0.05), (0, 2, 1.0, 0.1, 0.1, 0.05),
                (1, 2, 0.3, 0.3, 0.2, 0.1), (1, 3, 0.3, 0.3, 0.2, 0.1),
                (2, 3, 0.3, 0.3, 0.2, 0.1)])
    by_two = strongest_partners(s, 1, rank=np.array([3, 2, 0, 1]))
    by_one = strongest_partners(s, 1, rank=np.array([3, 0, 2, 1]))
    assert by_two[1] and not by_two[0]
    assert by_one[0] and not by_one[1]


@given(st.integers(2, 9), st.integers(1, 4), st.integers(0, 1000))
@settings(max_examples=60, deadline=None)
def test_strongest_partners_bound_and_keep_each_document_s_best(n, k, seed):
    rng = np.random.default_rng(seed)
    i, j = np.triu_indices(n, 1)
    s = scored({"ai": i, "bi": j, "containment_ab": rng.random(len(i)),
                "containment_ba": rng.random(len(i)), "jaccard": rng.random(len(i)),
                "tfidf_cosine": rng.random(len(i))})
    keep = strongest_partners(s, k)
    # at most two lists of k per document, each pair counted from either end
    assert keep.sum() <= n * k * 2
    # each document keeps the partner that holds most of it
    for d in range(n):
        held = np.where(s["ai"] == d, s["containment_ab"], s["containment_ba"])
        mine = ((s["ai"] == d) | (s["bi"] == d)).to_numpy()
        best = np.flatnonzero(mine)[np.argmax(held[mine])]
        assert keep[best]
