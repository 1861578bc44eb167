"""The index's candidate stage: the blocked pairs' word cosines, new and stored texts
vectorised apart, equal one TF-IDF over all of them."""

from __future__ import annotations

import numpy as np
import pytest
from fixtures.corpus import CORPUS

from lineage.candidates import rowwise_cosine
from lineage.index_candidates import blocked_cosines
from lineage.wordvectors import (
    DocumentFrequencies,
    document_frequencies,
    text_token_hashes,
    word_tfidf,
)

TEXTS = [r["text"] for r in CORPUS] + ["", "Short note on the same topic."]


def _archive(rng: np.random.Generator):
    """Which texts are stored (at random, the first new and the second stored), and an
    archive that holds them and 40 others that used some of their terms."""
    n = len(TEXTS)
    counted = rng.random(n) < 0.5  # stored texts, already in the archive's counts
    counted[0], counted[1] = False, True
    terms, df = document_frequencies(*text_token_hashes([t for t, c in zip(TEXTS, counted,
                                                                             strict=True) if c]))
    # the archive holds the stored texts and 40 others that used some of the terms
    extra = rng.integers(0, 3, len(df))
    return counted, DocumentFrequencies.from_arrays(terms, df + extra, int(counted.sum()) + 40)


@pytest.mark.parametrize("block", [1, 2, 100])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_blocked_cosines_equal_one_tfidf_over_all_texts(block, seed):
    rng = np.random.default_rng(seed)
    n = len(TEXTS)
    counted, archive = _archive(rng)
    ends = rng.integers(0, n, size=(60, 2))
    ends = ends[ends[:, 0] != ends[:, 1]]
    expected = rowwise_cosine(word_tfidf(*text_token_hashes(TEXTS), prior=archive,
                                         counted=counted), ends)
    got = blocked_cosines(TEXTS, counted, ends, archive, block=block)
    np.testing.assert_allclose(got, expected, atol=1e-6)
    assert (expected > 0.1).sum() >= 5  # the corpus's copies share words


@pytest.mark.parametrize("block", [1, 3])
def test_blocked_cosines_read_stored_texts_a_block_at_a_time(block):
    """Given a function for the texts (an index reads stored ones from SQLite), the new
    texts are read once and the stored ones a block at a time, each once, and the
    cosines are those from the list."""
    rng = np.random.default_rng(5)
    counted, archive = _archive(rng)
    ends = np.array([(x, y) for x in np.flatnonzero(~counted) for y in range(len(TEXTS))
                     if x != y])
    calls = []

    def take(positions):
        calls.append(sorted(positions.tolist()))
        return [TEXTS[i] for i in positions]

    got = blocked_cosines(take, counted, ends, archive, block=block)
    np.testing.assert_allclose(got, blocked_cosines(TEXTS, counted, ends, archive), atol=1e-12)
    assert calls[0] == np.flatnonzero(~counted).tolist()
    stored = calls[1:]
    assert all(len(c) <= block and counted[c].all() for c in stored)
    assert sorted(i for c in stored for i in c) == np.flatnonzero(counted).tolist()
