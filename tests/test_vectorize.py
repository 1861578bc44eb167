"""Tests for lineage.chargrams and lineage.vectorize's HashedCharTfidf."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from fixtures.corpus import (
    INDEPENDENT_SENTENCES,
    ORIGINAL_SENTENCES,
    PARAPHRASE_SENTENCES,
    UNRELATED_SENTENCES,
)

from lineage.chargrams import gram_buckets, hashed_char_counts, stack_rows
from lineage.normalize import normalize_text
from lineage.vectorize import HashedCharTfidf, char_vectorizer

SENTENCES = [*ORIGINAL_SENTENCES, *PARAPHRASE_SENTENCES, *INDEPENDENT_SENTENCES,
             *UNRELATED_SENTENCES]


def reference_grams(text: str, ngram_range=(3, 5)) -> list[str]:
    """scikit-learn's ``char_wb`` n-grams of the normalised text."""
    analyze = char_vectorizer().set_params(ngram_range=ngram_range).build_analyzer()
    return analyze(text)


def reference_counts(texts, n_features, ngram_range=(3, 5)) -> sp.csr_matrix:
    """Slow reference: scikit-learn's n-grams, bucketed one at a time."""
    rows, cols, vals = [], [], []
    for r, text in enumerate(texts):
        grams = Counter(reference_grams(text, ngram_range))
        buckets = gram_buckets(list(grams), n_features=n_features)
        for b, v in zip(buckets, grams.values(), strict=True):
            rows.append(r)
            cols.append(b)
            vals.append(v)
    out = sp.csr_matrix((np.array(vals, np.float32), (rows, cols)),
                        shape=(len(texts), n_features))
    out.sum_duplicates()
    return out


def test_tiny_text_grams_land_in_their_buckets():
    n = 1 << 22
    counts = hashed_char_counts(["Ab  c\tAB"], n_features=n)
    # normalised and padded per word: " ab ", " c ", " ab "
    expected = {" ab": 2, "ab ": 2, " ab ": 2, " c ": 1}
    buckets = gram_buckets(list(expected), n_features=n)
    assert len(set(buckets.tolist())) == len(expected)  # no collision among these four
    assert counts.shape == (1, n)
    assert dict(zip(counts.indices.tolist(), counts.data.tolist(), strict=True)) == {
        int(b): float(v) for b, v in zip(buckets, expected.values(), strict=True)}


def test_gram_length_changes_the_bucket():
    b = gram_buckets(["abc", "\0abc", "abcd", "bcd"], n_features=1 << 30)
    assert len(set(b.tolist())) == 4


@pytest.mark.parametrize("n_features", [1 << 22, 1000, 7])
def test_counts_equal_slow_reference(n_features):
    texts = [*SENTENCES[:12], "", "!!", "a", "ab", "a b  c\t\n dd ee", "Ærø ÉCOLE ﬁne 東京都 ", "x"]
    got = hashed_char_counts(texts, n_features=n_features, chunk_chars=40)
    want = reference_counts(texts, n_features)
    assert got.shape == want.shape
    assert got.has_canonical_format
    assert np.array_equal(got.indptr, want.indptr)
    assert np.array_equal(got.indices, want.indices)
    assert np.array_equal(got.data, want.data)


def test_other_ngram_range_equals_reference():
    texts = SENTENCES[:5]
    got = hashed_char_counts(texts, n_features=1 << 20, ngram_range=(3, 7))
    rows, cols, vals = [], [], []
    for r, text in enumerate(texts):
        grams = Counter(reference_grams(text, (3, 7)))
        rows += [r] * len(grams)
        cols += gram_buckets(list(grams), n_features=1 << 20).tolist()
        vals += list(grams.values())
    want = sp.csr_matrix((np.array(vals, np.float32), (rows, cols)), shape=got.shape)
    assert abs(got - want).sum() == 0


def test_other_lower_bounds_refused():
    with pytest.raises(ValueError, match="ngram_range"):
        hashed_char_counts(["abc"], ngram_range=(2, 5))
    with pytest.raises(ValueError, match="ngram_range"):
        hashed_char_counts(["abc"], ngram_range=(4, 5))


def test_chunking_does_not_change_counts():
    texts = SENTENCES * 3
    whole = hashed_char_counts(texts, chunk_chars=1 << 30)
    for chunk in (1, 100, 1000):
        part = hashed_char_counts(texts, chunk_chars=chunk)
        assert abs(part - whole).sum() == 0


def test_empty_inputs():
    assert hashed_char_counts([]).shape == (0, 1 << 22)
    counts = hashed_char_counts(["", "  ", "\t\n"], n_features=64)
    assert counts.shape == (3, 64) and counts.nnz == 0
    rows = HashedCharTfidf(n_features=64).fit_transform(["", "a"])
    assert rows.shape == (2, 64) and np.diff(rows.indptr).tolist() == [0, 1]


def test_stack_rows_equals_vstack():
    rng = np.random.default_rng(0)
    parts = [sp.random(k, 50, density=0.2, format="csr", dtype=np.float32, random_state=rng)
             for k in (3, 0, 5, 1)]
    want = sp.vstack(parts, format="csr")
    got = stack_rows(list(parts), 50)
    assert (got != want).nnz == 0 and got.shape == want.shape


def cosines(rows: sp.csr_matrix) -> np.ndarray:
    return (rows @ rows.T).toarray()


def test_cosine_close_to_scikit_learn_char_wb():
    """Same n-grams, same weighting: only hash collisions (2**22 buckets) differ.

    Over all sentence pairs of the fixture corpus the cosine differs from
    scikit-learn's exact-vocabulary ``char_wb`` TF-IDF cosine by at most 0.01.
    """
    exact = char_vectorizer().fit_transform(SENTENCES).tocsr()
    hashed = HashedCharTfidf().fit_transform(SENTENCES)
    want, got = cosines(exact), cosines(hashed)
    assert np.abs(got - want).max() <= 0.01
    assert np.allclose(np.diag(got), 1.0, atol=1e-5)


def test_fit_then_transform_equals_fit_transform():
    model = HashedCharTfidf(chunk_chars=300)
    together = model.fit_transform(SENTENCES)
    apart = HashedCharTfidf(chunk_chars=300).fit(SENTENCES).transform(SENTENCES)
    assert np.array_equal(model.idf_, HashedCharTfidf().fit(SENTENCES).idf_)
    assert np.abs((together - apart).toarray()).max() < 1e-6
    assert together.dtype == np.float32
    # the idf is scikit-learn's smoothed idf of the bucket's document frequency
    df = np.diff(hashed_char_counts(SENTENCES).tocsc().indptr)
    assert np.allclose(model.idf_, np.log((1 + len(SENTENCES)) / (1 + df)) + 1)


def test_fit_with_prior_frequencies_equals_a_fit_over_both():
    # an index fits the idf of its archive plus a batch from the archive's stored counts
    model = HashedCharTfidf(n_features=1 << 12)
    archive, batch = SENTENCES[: len(SENTENCES) // 2], SENTENCES[len(SENTENCES) // 2 :]
    prior = model.frequencies(archive)
    assert prior.rows == len(archive)
    together = HashedCharTfidf(n_features=1 << 12).fit([*archive, *batch]).idf_
    assert np.array_equal(HashedCharTfidf(n_features=1 << 12).fit(batch, prior=prior).idf_,
                          together)
    assert not np.array_equal(HashedCharTfidf(n_features=1 << 12).fit(batch).idf_, together)
    with pytest.raises(ValueError, match="buckets"):
        HashedCharTfidf().fit(batch, prior=prior)


def test_deterministic_across_hash_seeds():
    code = ("import sys, hashlib; sys.path.insert(0, 'tests');"
            "from fixtures.corpus import ORIGINAL_SENTENCES as S;"
            "from lineage.vectorize import HashedCharTfidf;"
            "m = HashedCharTfidf().fit_transform(S);"
            "print(hashlib.sha1(m.indices.tobytes() + m.data.tobytes()).hexdigest())")
    root = Path(__file__).resolve().parents[1]
    digests = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed,
               "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}
        out = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, check=True,
                             capture_output=True, text=True)
        digests.add(out.stdout.strip())
    assert len(digests) == 1


def test_normalisation_is_lineages():
    text = "ＡＢＣ Straße"
    assert (hashed_char_counts([text]) != hashed_char_counts([normalize_text(text)])).nnz == 0
