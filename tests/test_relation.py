"""Tests for lineage.relation: the decision rules, at and around every threshold."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from lineage.config import RelationConfig
from lineage.errors import LineageError
from lineage.relation import FEATURE_COLUMNS, classify, describe

CFG = RelationConfig()
EPS = 1e-6


def features(**values) -> dict:
    """One pair's features: nothing shared, unless given."""
    row = {c: 0.0 for c in FEATURE_COLUMNS}
    row.update({"shared_shingles": 0, "n_sentences": 0, "n_verbatim": 0, "verbatim_chars": 0,
                "aligned_a": 0.0, "aligned_b": 0.0})
    row.update(values)
    # the coverage the rules read (evidence, quotes left out) and the displayed coverage agree
    for side in ("a", "b"):
        if f"evidence_{side}" in FEATURE_COLUMNS and f"evidence_{side}" not in values:
            row[f"evidence_{side}"] = row[f"aligned_{side}"]
    return row


def cov(a: float, b: float) -> dict:
    return {"aligned_a": a, "aligned_b": b}


def label(config: RelationConfig = CFG, shingle_size: int = 5, **values):
    return classify(pd.DataFrame([features(**values)]), config, shingle_size=shingle_size).iloc[0]


def test_defaults_are_the_documented_thresholds():
    assert (CFG.duplicate_coverage, CFG.wholly_coverage, CFG.partial_coverage) == (0.9, 0.6, 0.2)
    assert (CFG.min_sentences, CFG.min_verbatim_words, CFG.same_story_cosine) == (3, 25, 0.1)


@pytest.mark.parametrize(("values", "expected"), [
    # duplicate: both sides covered >= duplicate_coverage and char_cosine >= 0.9 (or jaccard >= .8)
    # or near-identical outright (jaccard >= 0.9 and char_cosine >= 0.95), whatever the coverage
    ({**cov(0.0, 0.0), "char_cosine": 0.95, "jaccard": 0.9}, "duplicate"),
    ({**cov(0.0, 0.0), "char_cosine": 0.95 - EPS, "jaccard": 0.9}, None),
    ({**cov(CFG.duplicate_coverage, CFG.duplicate_coverage), "char_cosine": 0.9}, "duplicate"),
    ({**cov(1.0, 1.0), "char_cosine": 0.9 - EPS, "jaccard": 0.8}, "duplicate"),
    ({**cov(1.0, 1.0), "char_cosine": 0.9 - EPS, "jaccard": 0.8 - EPS, "verbatim_chars": 600},
     "wholly-derived"),
    ({**cov(1.0, CFG.duplicate_coverage - EPS), "char_cosine": 0.94, "jaccard": 0.89,
      "verbatim_chars": 600}, "wholly-derived"),
    # ... or both texts at least duplicate_coverage inside verbatim passages (a scan
    # whose misread letters lower its character cosine and shingles)
    ({**cov(1.0, 1.0), "char_cosine": 0.8, "jaccard": 0.3, "verbatim_chars": 600,
      "verbatim_a": CFG.duplicate_coverage, "verbatim_b": 0.95}, "duplicate"),
    ({**cov(1.0, 1.0), "char_cosine": 0.8, "jaccard": 0.3, "verbatim_chars": 600,
      "verbatim_a": CFG.duplicate_coverage - EPS, "verbatim_b": 0.95}, "wholly-derived"),
    # quotations count for a duplicate's coverage (copied with the rest), not for reuse
    ({**cov(0.97, 0.97), "evidence_a": 0.8, "evidence_b": 0.8, "char_cosine": 0.95},
     "duplicate"),
    ({**cov(0.97, CFG.duplicate_coverage - EPS), "evidence_a": 0.97, "evidence_b": 0.97,
      "char_cosine": 0.95, "verbatim_chars": 600}, "wholly-derived"),
    # wholly-derived: the more-covered side >= wholly_coverage, whichever side it is,
    # by min_sentences matched sentences or a verbatim passage
    ({**cov(CFG.wholly_coverage, 0.0), "n_sentences": CFG.min_sentences}, "wholly-derived"),
    ({**cov(0.0, CFG.wholly_coverage), "n_sentences": CFG.min_sentences}, "wholly-derived"),
    ({**cov(CFG.wholly_coverage, 0.0), "verbatim_chars": 40}, "wholly-derived"),
    ({**cov(CFG.wholly_coverage - EPS, 0.1), "n_sentences": CFG.min_sentences},
     "partially-derived"),
    ({**cov(CFG.wholly_coverage - EPS, 0.1), "n_sentences": CFG.min_sentences - 1}, None),
    # a short text's two loose sentence matches: same facts, not enough for reuse
    ({**cov(0.64, 0.3), "n_sentences": CFG.min_sentences - 1, "tfidf_cosine": 0.4},
     "same-story"),
    # partially-derived by sentences: coverage >= partial_coverage AND >= min_sentences
    ({**cov(CFG.partial_coverage, 0.0), "n_sentences": CFG.min_sentences}, "partially-derived"),
    ({**cov(0.0, CFG.partial_coverage), "n_sentences": CFG.min_sentences}, "partially-derived"),
    ({**cov(CFG.partial_coverage - EPS, 0.0), "n_sentences": 10}, None),
    ({**cov(0.5, 0.5), "n_sentences": CFG.min_sentences - 1}, None),
    # partially-derived by a verbatim overlap of min_verbatim_words words
    ({"shared_shingles": CFG.min_verbatim_words - 5 + 1}, "partially-derived"),
    ({"shared_shingles": CFG.min_verbatim_words - 5}, None),
    ({"verbatim_chars": 6 * CFG.min_verbatim_words}, "partially-derived"),
    ({"verbatim_chars": 6 * CFG.min_verbatim_words - 1}, None),
    # same-story: nothing reused, but word TF-IDF cosine >= same_story_cosine
    ({"tfidf_cosine": CFG.same_story_cosine}, "same-story"),
    ({"tfidf_cosine": CFG.same_story_cosine - EPS}, None),
    ({**cov(0.5, 0.5), "n_sentences": 2, "tfidf_cosine": 0.9, "char_cosine": 0.9},
     "same-story"),
    # reuse wins over same-story
    ({**cov(0.7, 0.3), "n_sentences": CFG.min_sentences, "tfidf_cosine": 0.9},
     "wholly-derived"),
])
def test_labels_at_and_around_thresholds(values, expected):
    assert label(**values) == expected


def test_shingle_size_turns_shingles_into_words():
    n = CFG.min_verbatim_words - 8 + 1  # 18 shingles of 8 tokens = 25 tokens
    assert label(shingle_size=8, shared_shingles=n) == "partially-derived"
    assert label(shingle_size=8, shared_shingles=n - 1) is None
    assert label(shingle_size=5, shared_shingles=n) is None


def test_config_thresholds_are_used():
    strict = dataclasses.replace(CFG, wholly_coverage=0.75, same_story_cosine=0.3)
    assert label(**cov(0.7, 0.0), n_sentences=3) == "wholly-derived"
    assert label(strict, **cov(0.7, 0.0), n_sentences=3) == "partially-derived"
    assert label(strict, tfidf_cosine=0.2) is None
    assert label(strict, tfidf_cosine=0.3) == "same-story"


def test_many_rows_keep_index_and_order():
    frame = pd.DataFrame([features(**cov(1, 1), char_cosine=1.0), features(),
                          features(tfidf_cosine=0.5)], index=[10, 20, 30])
    out = classify(frame, CFG)
    assert out.index.tolist() == [10, 20, 30]
    assert out.tolist() == ["duplicate", None, "same-story"]
    assert out.dtype == object


def test_missing_column_is_an_error():
    frame = pd.DataFrame([features()]).drop(columns=["tfidf_cosine"])
    with pytest.raises(LineageError, match="tfidf_cosine"):
        classify(frame, CFG)


def test_describe_same_story_and_reuse():
    row = pd.Series(features(**cov(0.0, 0.1), tfidf_cosine=0.25, n_sentences=1,
                             relation="same-story"))
    text = describe(row, "x", "y", 5, 6)
    assert text == ("same topic (word TF-IDF cosine 0.25) but only 1 sentence(s) loosely "
                    "match (10% of the more-covered text): likely written independently")
    row = pd.Series(features(**cov(0.0, 0.02), tfidf_cosine=0.2, relation="same-story"))
    assert describe(row, "x", "y", 5, 6) == (
        "same topic (word TF-IDF cosine 0.20) but no sentence matches (short shared "
        "fragments cover 2% of the more-covered text): likely written independently")
    row = pd.Series(features(**cov(0.95, 0.92), jaccard=0.9, n_sentences=4, n_verbatim=3,
                             relation="duplicate"))
    text = describe(row, "x", "y", 5, 4)
    assert text.startswith("near-identical texts")
    assert "95% of x and 92% of y" in text
    assert "Jaccard 0.90" in text
