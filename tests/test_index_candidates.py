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


@pytest.mark.parametrize("block", [1, 2, 100])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_blocked_cosines_equal_one_tfidf_over_all_texts(block, seed):
    rng = np.random.default_rng(seed)
    n = len(TEXTS)
    counted = rng.random(n) < 0.5  # stored texts, already in the archive's counts
    counted[0], counted[1] = False, True
    terms, df = document_frequencies(*text_token_hashes([t for t, c in zip(TEXTS, counted,
                                                                             strict=True) if c]))
    # the archive holds the stored texts and 40 others that used some of the terms
    extra = rng.integers(0, 3, len(df))
    archive = DocumentFrequencies.from_arrays(terms, df + extra, int(counted.sum()) + 40)
    ends = rng.integers(0, n, size=(60, 2))
    ends = ends[ends[:, 0] != ends[:, 1]]
    expected = rowwise_cosine(word_tfidf(*text_token_hashes(TEXTS), prior=archive,
                                         counted=counted), ends)
    got = blocked_cosines(TEXTS, counted, ends, archive, block=block)
    np.testing.assert_allclose(got, expected, atol=1e-6)
    assert (expected > 0.1).sum() >= 5  # the corpus's copies share words
