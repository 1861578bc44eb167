"""The fast corpus-wide paths equal the simple per-document ones, for any ``jobs``."""

from __future__ import annotations

import numpy as np
import pytest
from datasketch import MinHash

from lineage import candidates, shingle, sketch
from lineage.config import ShingleConfig
from lineage.normalize import tokenize

TEXTS = [
    "Dockworkers at the Port of Calveston walked off the job on Tuesday, halting cargo.",
    "The strike was called by the Harbour and Maritime Workers Union after talks collapsed.",
    "Union leader Marta Okonkwo said about 4,200 members would stay off work.",
    "码头工人周二罢工，货运停止。工会领导人说四千二百名成员将继续罢工。",
    "",
    "Short text",
    "ÉCOLE Ｆｕｌｌｗｉｄｔｈ Biden’s U.S. missiles, 2024 — the ﬁnal word.",
]


@pytest.fixture
def corpus() -> list[str]:
    rng = np.random.default_rng(3)
    words = np.array(" ".join(TEXTS).split())
    out = list(TEXTS)
    for _ in range(40):
        out.append(" ".join(rng.choice(words, size=int(rng.integers(0, 60)))))
    return out


@pytest.fixture
def parallel(monkeypatch):
    """Let the process pool run on a tiny corpus."""
    monkeypatch.setattr(shingle, "_MIN_PARALLEL_DOCS", 0)


def test_shingle_corpus_equals_per_document_path(corpus):
    config = ShingleConfig()
    got, sizes, n_words = shingle.shingle_corpus(corpus, config, jobs=1)
    for text, s, size, nw in zip(corpus, got, sizes, n_words, strict=True):
        tokens = tokenize(text)
        assert np.array_equal(s, shingle.shingle_hashes(tokens, config))
        assert s.dtype == np.uint32
        assert size == shingle.shingle_size(tokens, config)
        assert nw == len(tokens)


def test_shingle_corpus_does_not_depend_on_jobs_or_chunks(corpus, parallel):
    config = ShingleConfig()
    one = shingle.shingle_corpus(corpus, config, jobs=1)
    two = shingle.shingle_corpus(corpus, config, jobs=2, chunk_docs=5)
    assert len(one[0]) == len(two[0]) == len(corpus)
    assert all(np.array_equal(a, b) for a, b in zip(one[0], two[0], strict=True))
    assert np.array_equal(one[1], two[1]) and np.array_equal(one[2], two[2])


def test_shingle_corpus_empty():
    shingles, sizes, n_words = shingle.shingle_corpus([], ShingleConfig(), jobs=2)
    assert shingles == [] and len(sizes) == 0 and len(n_words) == 0


def test_resolve_jobs():
    assert shingle.resolve_jobs(3) == 3
    assert shingle.resolve_jobs(None) == shingle.resolve_jobs(0) >= 1
    assert shingle.resolve_jobs(-1) == shingle.resolve_jobs(None)
    assert shingle.resolve_jobs(-1000) == 1


def test_signatures_do_not_depend_on_jobs_and_equal_datasketch(corpus):
    sets, _, _ = shingle.shingle_corpus(corpus, ShingleConfig(), jobs=1)
    one = sketch.minhash_signatures(sets, jobs=1)
    two = sketch.minhash_signatures(sets, jobs=2, chunk_shingles=16)
    assert np.array_equal(one, two)
    for i in (0, 3, 6):
        mh = MinHash(num_perm=128, seed=1, hashfunc=lambda x: x)
        mh.update_batch(sets[i])
        assert np.array_equal(mh.hashvalues.astype(np.uint32), one[i])


def _all_pairs_reference(keys: np.ndarray, cap: int, priority=None) -> set[tuple[int, int]]:
    out = set()
    for key in np.unique(keys):
        members = np.flatnonzero(keys == key)
        if priority is not None:
            members = sorted(members, key=lambda m: (priority[m], m))
        for i, a in enumerate(members[:cap]):
            out.update((int(min(a, b)), int(max(a, b))) for b in members[i + 1 :])
    return out


def test_bucket_cap_bounds_pairs(monkeypatch):
    monkeypatch.setattr(candidates, "_MAX_BUCKET", 5)
    keys = np.array([7] * 12 + [1, 2, 1, 3] + [9] * 5, dtype=np.uint64)
    pairs = candidates._pairs_in_groups(keys)
    assert set(map(tuple, pairs.tolist())) == _all_pairs_reference(keys, 5)
    assert len(pairs) == len(set(map(tuple, pairs.tolist())))
    assert (pairs[:, 0] < pairs[:, 1]).all()
    big = sum(12 - i - 1 for i in range(5))
    assert len(pairs) == big + 1 + 10  # capped group, the pair of 1s, the group of five


def test_a_capped_group_links_every_member_to_its_first_by_priority(monkeypatch):
    # twelve articles of one story in one band group, the likeliest source (priority 0)
    # last by position: with a cap of 5, by position it meets only the first five
    monkeypatch.setattr(candidates, "_MAX_BUCKET", 5)
    keys = np.array([7] * 12 + [1, 2, 1], dtype=np.uint64)
    priority = np.r_[np.arange(1, 12), 0, 12, 13, 14]
    by_position = candidates._pairs_in_groups(keys)
    assert {a for a, b in by_position.tolist() if b == 11} == set(range(5))
    pairs = candidates._pairs_in_groups(keys, priority)
    assert set(map(tuple, pairs.tolist())) == _all_pairs_reference(keys, 5, priority)
    assert len(pairs) == len(set(map(tuple, pairs.tolist())))
    assert (pairs[:, 0] < pairs[:, 1]).all()
    assert {a for a, b in pairs.tolist() if b == 11} == set(range(11))  # all meet it
    # lsh_candidates passes it on
    sig = np.ones((12, 128), dtype=np.uint32)
    got = candidates.lsh_candidates(sig, threshold=0.5, priority=priority[:12])
    assert {a for a, b in got.tolist() if b == 11} == set(range(11))


def test_huge_identical_group_stays_linear(monkeypatch):
    monkeypatch.setattr(candidates, "_MAX_BUCKET", 10)
    sig = np.ones((3000, 128), dtype=np.uint32)
    pairs = candidates.lsh_candidates(sig, threshold=0.5)
    assert len(pairs) <= 10 * 3000
    assert (pairs[:, 0] < pairs[:, 1]).all()


def test_union_pairs_equals_unique_rows():
    rng = np.random.default_rng(0)
    parts = [np.sort(rng.integers(0, 300, size=(400, 2)), axis=1) for _ in range(3)]
    expected = np.unique(np.concatenate(parts), axis=0)
    got = candidates.union_pairs(*parts)
    assert got.dtype == np.int64 and np.array_equal(got, expected)


def test_fit_vectors_equal_scikit_learn_bit_for_bit_for_any_jobs(corpus, monkeypatch):
    from lineage import vectorize

    texts = [*corpus, "!!!", "a b  c\t\n dd ee", ""]
    expected = (vectorize.word_vectorizer().fit_transform(texts).tocsr(),
                vectorize.char_vectorizer().fit_transform(texts).tocsr())
    monkeypatch.setattr(vectorize, "_MIN_PARALLEL_TEXTS", 0)
    for jobs, chunk in ((1, 2000), (2, 7), (1, 3)):
        got = vectorize.fit_vectors(texts, jobs=jobs, chunk_texts=chunk)
        for want, have in zip(expected, got, strict=True):
            assert want.shape == have.shape
            assert np.array_equal(want.indptr, have.indptr)
            assert np.array_equal(want.indices, have.indices)
            assert np.array_equal(want.data, have.data)


def test_fit_vectors_without_words():
    from lineage.vectorize import fit_vectors

    word, char = fit_vectors(["!!!", "?"])
    assert word.shape == (2, 1) and word.nnz == 0
    assert char.shape[0] == 2


def test_rowwise_cosine_does_not_depend_on_chunking():
    import scipy.sparse as sp

    x = sp.random(200, 80, density=0.2, format="csr", dtype=np.float32, random_state=1)
    pairs = np.sort(np.random.default_rng(0).integers(0, 200, size=(1000, 2)), axis=1)
    want = candidates.rowwise_cosine(x, pairs, chunk=10**9, chunk_nnz=10**12)
    for chunk, chunk_nnz in ((7, 10**12), (10**9, 1), (10**9, 300), (50, 500)):
        got = candidates.rowwise_cosine(x, pairs, chunk=chunk, chunk_nnz=chunk_nnz)
        assert np.array_equal(want, got)
