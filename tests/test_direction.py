"""Tests for lineage.direction: wire outlets, the signed direction score, likely sources."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from lineage.config import TreeConfig
from lineage.direction import (
    direction_scores,
    is_wire,
    likely_sources,
    staleness,
    variant_support,
)

CFG = TreeConfig()
WIRE_BONUS = 0.3  # the documented outlet bonus


@pytest.mark.parametrize(("source", "expected"), [
    ("Associated Press", True),
    ("AP", True),
    ("The AP", True),
    ("Reuters", True),
    ("REUTERS UK", True),
    ("Thomson Reuters/AP", True),
    ("Agence France-Presse", True),
    ("Xinhua News Agency", True),
    ("Apple Daily", False),
    ("Capital", False),
    ("Capital FM", False),
    ("Reutersville Gazette", False),
    ("Daily Gazette", False),
    ("dpa-AFX", True),
    ("Press Trust of India", True),
    ("PA", True),  # the UK's Press Association, as many archives name it
    ("PA Media", True),
    ("Pampa Daily News", False),
    ("The Patriot-News (Harrisburg, PA)", False),  # a state, not the agency
    ("(PA)", True),
    ("PPI", True),  # Pakistan Press International
    ("NNI News", True),
    ("پی پی آئی", True),  # PPI in Urdu
    ("The Canadian Press", True),
    ("Keystone-SDA", True),
    ("यूएनआई", True),  # UNI in Devanagari
    ("Happiness Daily", False),
    ("新华社北京", True),  # no spaces in Chinese: matched inside
    ("连合早报", False),
    ("연합뉴스", True),
    ("ТАСС", True),
    ("اے پی پی", True),  # Associated Press of Pakistan, in Urdu
    ("روزنامہ جنگ", False),
    ("पीटीआई", True),  # PTI in Devanagari: vowel signs are part of the word
    ("दैनिक जागरण", False),
    ("reuters.com", True),  # an outlet taken from an address
    ("apnews.com", True),
    ("english.news.cn", False),
    ("xinhuanet.com", True),
    ("theguardian.com", False),
    ("رويترز", True),  # Reuters in Arabic
    ("الأهرام", False),
    ("Рейтер", True),
    ("Вести", False),
    ("ロイター通信", True),  # Japanese: matched inside
    ("朝日新聞", False),
    ("สำนักข่าวไทย", True),  # Thai News Agency: Thai has no spaces between words
    ("ไทยรัฐ", False),
    ("Anadolu Ajansı", True),
    ("Télam", True),  # accents on Latin letters do not count
    ("ČTK", True),
    ("Agência Lusa", True),
    ("Le Monde", False),
    ("Thông tấn xã Việt Nam", True),
    ("Tuổi Trẻ", False),
    ("A.P.", True),  # dotted initials
    ("U.P.I. wire", True),
    ("St. Louis Post-Dispatch", False),
    ("U.S. News", False),
    ("", False),
    (None, False),
])
def test_is_wire(source, expected):
    assert is_wire(pd.Series([source], dtype=object), CFG).tolist() == [expected]


def test_is_wire_uses_config_list():
    sources = pd.Series(["Meridian Newswire", "Reuters"])
    custom = dataclasses.replace(CFG, wire_sources=("meridian newswire",))
    assert is_wire(sources, custom).tolist() == [True, False]
    assert is_wire(sources, CFG).tolist() == [False, True]


def pairs_table(rows) -> pd.DataFrame:
    cols = ["ai", "bi", "aligned_a", "aligned_b", "containment_ab", "containment_ba"]
    return pd.DataFrame(rows, columns=cols)


def times(*values) -> pd.Series:
    return pd.Series(pd.to_datetime(list(values), utc=True))


NO_DATES = times(None, None, None)
NO_WIRE = np.zeros(3, dtype=bool)


def test_text_evidence_points_from_the_covered_copy_to_its_source():
    # doc 0 is a trimmed copy: 90% of it lies in doc 1, 50% of doc 1 lies in it
    pairs = pairs_table([(0, 1, 0.9, 0.5, 0.8, 0.4), (0, 1, 0.5, 0.9, 0.4, 0.8),
                         (0, 1, 0.7, 0.7, 0.6, 0.6)])
    scores = direction_scores(pairs, NO_DATES, NO_WIRE, CFG)
    np.testing.assert_allclose(scores, [-0.4 - 0.2, 0.4 + 0.2, 0.0])


def test_earlier_article_is_the_source_and_gap_matters():
    pairs = pairs_table([(0, 1, 0.7, 0.7, 0.6, 0.6), (1, 0, 0.7, 0.7, 0.6, 0.6),
                         (0, 2, 0.7, 0.7, 0.6, 0.6), (1, 2, 0.7, 0.7, 0.6, 0.6)])
    published = times("2024-03-12T06:00Z", "2024-03-13T06:00Z", None)
    scores = direction_scores(pairs, published, NO_WIRE, CFG)
    # a day apart: the full time weight towards the earlier article
    assert scores[0] == pytest.approx(CFG.time_weight, abs=1e-6)
    assert scores[1] == pytest.approx(-CFG.time_weight, abs=1e-6)
    # an unknown date adds nothing
    assert scores[2] == 0.0 and scores[3] == 0.0


def test_time_never_outweighs_its_weight_and_grows_with_gap():
    pairs = pairs_table([(0, 1, 0.5, 0.5, 0.5, 0.5), (0, 2, 0.5, 0.5, 0.5, 0.5)])
    published = times("2024-03-12T06:00Z", "2024-03-12T06:10Z", "2024-03-12T12:00Z")
    short, long = direction_scores(pairs, published, NO_WIRE, CFG)
    assert 0.0 < short < long <= CFG.time_weight
    same = direction_scores(pairs_table([(0, 1, 0.5, 0.5, 0.5, 0.5)]),
                            times("2024-03-12T06:00Z", "2024-03-12T06:00Z"), NO_WIRE[:2], CFG)
    assert same.tolist() == [0.0]


def test_a_gap_of_weeks_counts_for_less_than_one_of_hours():
    pairs = pairs_table([(0, 1, 0.5, 0.5, 0.5, 0.5), (0, 2, 0.5, 0.5, 0.5, 0.5)])
    published = times("2024-03-01T00:00Z", "2024-03-02T00:00Z", "2024-03-17T00:00Z")
    day, weeks = direction_scores(pairs, published, NO_WIRE, CFG)
    assert day == pytest.approx(CFG.time_weight, abs=1e-6)
    assert 0.25 * CFG.time_weight <= weeks < 0.5 * day


@pytest.mark.parametrize(("hours", "expected"), [(0, 1.0), (48, 1.0), (48 * 4, 0.25),
                                                 (24 * 60, 0.25)])
def test_staleness(hours, expected):
    assert staleness(np.array([hours * 3600.0]), 48.0)[0] == pytest.approx(expected)


def test_variant_support_counts_wording_kept_by_third_members():
    # a: the source; b: a copy that changed shingle 2 to 9; c: another copy of a
    shingles = [np.array([1, 2, 3, 4], np.uint32), np.array([1, 9, 3, 4], np.uint32),
                np.array([1, 2, 3], np.uint32), np.array([7, 8], np.uint32)]
    pairs = pd.DataFrame({"ai": [0, 0, 1], "bi": [1, 2, 2]})
    family = np.array([5, 5, 5, -1])
    sa, sb = variant_support(shingles, pairs, family)
    # a-b: a's extra {2} is kept by c; b's extra {9} by nobody
    assert sa[0] == 1.0 and sb[0] == 0.0
    # a-c: a's extra {4} is in b too; c has nothing a lacks
    assert sa[1] == 1.0 and np.isnan(sb[1])
    # b-c: b's extras {9, 4}: only 4 is in a; c's extra {2} is in a
    assert sa[2] == 0.5 and sb[2] == 1.0


def test_variant_support_does_not_depend_on_the_order_of_each_documents_shingles():
    rng = np.random.default_rng(3)
    shingles = [rng.choice(40, size=int(rng.integers(5, 20)), replace=False).astype(np.uint32)
                for _ in range(6)]
    pairs = pd.DataFrame({"ai": [0, 0, 1, 2, 3], "bi": [1, 2, 2, 4, 5]})
    family = np.array([1, 1, 1, 2, 2, 2])
    given = variant_support(shingles, pairs, family)  # unsorted: the sorting fallback
    ordered = variant_support([np.sort(x) for x in shingles], pairs, family)
    np.testing.assert_array_equal(given[0], ordered[0])
    np.testing.assert_array_equal(given[1], ordered[1])


def test_variant_support_of_no_pairs():
    sa, sb = variant_support([np.array([1], np.uint32)], pd.DataFrame({"ai": [], "bi": []}),
                             np.array([1]))
    assert len(sa) == len(sb) == 0


def test_time_can_be_switched_off():
    pairs = pairs_table([(0, 1, 0.5, 0.5, 0.5, 0.5)])
    published = times("2024-03-12T06:00Z", "2024-03-19T06:00Z")
    off = dataclasses.replace(CFG, time_weight=0.0)
    assert direction_scores(pairs, published, NO_WIRE[:2], off).tolist() == [0.0]


def test_wire_bonus():
    pairs = pairs_table([(0, 1, 0.5, 0.5, 0.5, 0.5), (1, 2, 0.5, 0.5, 0.5, 0.5),
                         (0, 2, 0.5, 0.5, 0.5, 0.5)])
    wire = np.array([True, False, True])
    scores = direction_scores(pairs, NO_DATES, wire, CFG)
    np.testing.assert_allclose(scores, [WIRE_BONUS, -WIRE_BONUS, 0.0])


def test_evidence_adds_up():
    # a is less covered (b is the copy), a is a week earlier and a wire: all point to a
    pairs = pairs_table([(0, 1, 0.2, 0.8, 0.1, 0.5)])
    published = times("2024-03-01T00:00Z", "2024-03-02T00:00Z")
    score = direction_scores(pairs, published, np.array([True, False]), CFG)[0]
    assert score == pytest.approx(0.6 + 0.5 * 0.4 + CFG.time_weight + WIRE_BONUS, abs=1e-6)


def test_text_can_outweigh_a_wrong_date():
    # b is a trimmed copy of a, but b carries the earlier (wrong) date
    pairs = pairs_table([(0, 1, 0.55, 0.95, 0.5, 0.9)])
    published = times("2024-03-08T00:00Z", "2024-03-01T00:00Z")
    assert direction_scores(pairs, published, NO_WIRE[:2], CFG)[0] > 0


def test_likely_sources_sides_and_confidence():
    side, conf = likely_sources(np.array([1.0, -1.0, 0.051, -0.051, 0.05, 0.0, -0.01]))
    assert side.tolist() == ["a", "b", "a", "b", "", "", ""]
    np.testing.assert_allclose(conf, np.round(np.tanh(2 * np.abs(
        [1.0, -1.0, 0.051, -0.051, 0.05, 0.0, -0.01])), 4))
    assert (conf >= 0).all() and (conf <= 1).all()


def test_addition_coherence_without_passages():
    from lineage.direction import addition_coherence

    sentences = pd.DataFrame({"doc": [0, 0, 1], "start": [0, 10, 0], "end": [9, 20, 9]})
    passages = pd.DataFrame({"pair": pd.Series([], dtype=np.int64),
                             **{c: pd.Series([], dtype=np.int64)
                                for c in ("a_start", "a_end", "b_start", "b_end")}})
    pairs = pd.DataFrame({"ai": [0], "bi": [1]})
    vectors = sp.csr_matrix(np.eye(3, dtype=np.float32))
    out = addition_coherence(passages, pairs, sentences, vectors)
    assert out.columns.tolist() == ["coherence_a", "coherence_b", "story_a", "story_b",
                                    "opening_a", "opening_b"]
    assert out[["coherence_a", "coherence_b", "story_a", "story_b"]].isna().all().all()
    assert (out[["opening_a", "opening_b"]] == 0).all().all()


def test_addition_coherence_exact():
    from lineage.direction import addition_coherence

    # doc 0: sentences 0 and 1 shared, 2 added; doc 1: sentence 3 shared, 4 and 5 added
    sentences = pd.DataFrame({"doc": [0, 0, 0, 1, 1, 1], "start": [0, 10, 20, 0, 10, 20],
                              "end": [10, 20, 30, 10, 20, 30]})
    vectors = sp.csr_matrix(np.array([[1, 0, 0], [0, 1, 0], [0.6, 0, 0.8],
                                      [1, 0, 0], [0, 0, 1], [0.8, 0.6, 0]], dtype=np.float32))
    passages = pd.DataFrame({"pair": [7], "a_start": [0], "a_end": [20], "b_start": [0],
                             "b_end": [10]})
    pairs = pd.DataFrame({"ai": [0], "bi": [1]}, index=[7])
    fit = addition_coherence(passages, pairs, sentences, vectors)
    out_a, out_b, story_a, story_b = (fit[c].to_numpy() for c in
                                      ("coherence_a", "coherence_b", "story_a", "story_b"))
    assert fit.index.tolist() == [7]
    # a and b open with a shared sentence: no lead of their own
    assert fit[["opening_a", "opening_b"]].to_numpy().tolist() == [[0.0, 0.0]]
    # a's added sentence: best cosine with a shared one 0.6 (not 0.0, the worst);
    # b's added sentences: 0.0 and 0.8, mean 0.4
    assert out_a.tolist() == pytest.approx([0.6]) and out_b.tolist() == pytest.approx([0.4])
    # a's two shared sentences are orthogonal: story fit 0; b shares one: unknown
    assert story_a.tolist() == pytest.approx([0.0]) and np.isnan(story_b).all()


def test_story_fit_and_ineligible_sentences():
    from lineage.direction import addition_coherence

    # doc 0 (the whole of it shared): three sentences; doc 1: the same three, then a
    # foreign one and a footer (not eligible: boilerplate), which is nobody's addition
    sentences = pd.DataFrame({"doc": [0, 0, 0, 1, 1, 1, 1, 1],
                              "start": [0, 10, 20, 0, 10, 20, 30, 40],
                              "end": [10, 20, 30, 10, 20, 30, 40, 50]})
    story = [[1, 0, 0, 0], [0.8, 0.6, 0, 0], [0, 1, 0, 0]]
    vectors = sp.csr_matrix(np.array(story + story + [[0.1, 0, 0.995, 0], [0, 0, 0, 1]],
                                     dtype=np.float64))
    passages = pd.DataFrame({"pair": [0], "a_start": [0], "a_end": [30], "b_start": [0],
                             "b_end": [30]})
    pairs = pd.DataFrame({"ai": [0], "bi": [1]})
    eligible = np.array([True] * 7 + [False])
    fit = addition_coherence(passages, pairs, sentences, vectors, eligible)
    out_a, out_b, story_a, story_b = (fit[c].to_numpy() for c in
                                      ("coherence_a", "coherence_b", "story_a", "story_b"))
    # best cosine of each story sentence with another: 0.8, 0.8 and 0.6
    assert story_a.tolist() == pytest.approx([2.2 / 3]) and story_b.tolist() == pytest.approx(
        [2.2 / 3])
    # a adds nothing; b adds one foreign sentence (best fit 0.1), the footer not counted
    assert np.isnan(out_a).all() and out_b.tolist() == pytest.approx([0.1])
    # every sentence eligible: the footer (orthogonal to the story) is an addition too
    fit = addition_coherence(passages, pairs, sentences, vectors)
    assert fit["coherence_b"].tolist() == pytest.approx([0.05])


def test_opening_is_the_share_of_a_text_above_its_first_shared_sentence():
    from lineage.direction import addition_coherence

    # doc 0: a lead of its own, two shared sentences, one more of its own;
    # doc 1: the two shared sentences, then its own
    sentences = pd.DataFrame({"doc": [0, 0, 0, 0, 1, 1, 1],
                              "start": [0, 10, 20, 30, 0, 10, 20],
                              "end": [10, 20, 30, 40, 10, 20, 30]})
    vectors = sp.csr_matrix(np.eye(7))
    passages = pd.DataFrame({"pair": [0], "a_start": [10], "a_end": [30], "b_start": [0],
                             "b_end": [20]})
    pairs = pd.DataFrame({"ai": [0], "bi": [1]})
    fit = addition_coherence(passages, pairs, sentences, vectors)
    assert fit[["opening_a", "opening_b"]].to_numpy().tolist() == [[0.25, 0.0]]


def _coherence_reference(passages, pairs, sentences, vectors, eligible):
    """addition_coherence the slow way, the reference: a loop over pairs and sides,
    each side's sentences one by one, cosines from a dense product."""
    doc, starts, ends = (sentences[c].to_numpy() for c in ("doc", "start", "end"))
    dense = vectors.toarray().astype(np.float64)
    out = {f"{m}_{s}": np.full(len(pairs), np.nan if m != "opening" else 0.0)
           for m in ("coherence", "story", "opening") for s in "ab"}
    for n, (key, ai, bi) in enumerate(zip(pairs.index, pairs["ai"], pairs["bi"], strict=True)):
        mine = passages[passages["pair"] == key]
        if len(mine) == 0:
            continue
        for side, d in (("a", ai), ("b", bi)):
            rows = np.flatnonzero(doc == d)
            keep = np.ones(len(rows), bool) if eligible is None else eligible[rows]
            spans = list(zip(mine[f"{side}_start"], mine[f"{side}_end"], strict=True))
            inside = np.array([
                sum(max(0, min(ends[r], e) - max(starts[r], b)) for b, e in spans)
                >= 0.5 * max(ends[r] - starts[r], 1) for r in rows], dtype=bool)
            shared = np.flatnonzero(keep & inside)
            added = np.flatnonzero(keep & ~inside)
            if len(shared) == 0:
                continue
            cos = dense[rows] @ dense[rows].T
            if len(added):
                out[f"coherence_{side}"][n] = np.mean(
                    [max(cos[i, j] for j in shared) for i in added])
            if len(shared) > 1:
                out[f"story_{side}"][n] = np.mean(
                    [max(cos[i, j] for j in shared if j != i) for i in shared])
            out[f"opening_{side}"][n] = (added < shared[0]).sum() / keep.sum()
    return pd.DataFrame(out, index=pairs.index)


def _random_coherence_case(rng, signed):
    """Small random documents, pairs, passages, eligible masks and sparse vectors."""
    n_docs = int(rng.integers(2, 7))
    per_doc = rng.integers(0, 8, size=n_docs)
    doc = np.repeat(np.arange(n_docs), per_doc)
    length = rng.integers(0, 15, size=len(doc))  # empty sentences too
    ends = np.array([e for d in range(n_docs) for e in np.cumsum(length[doc == d])],
                    dtype=np.int64)
    starts = ends - length
    sentences = pd.DataFrame({"doc": doc, "start": starts, "end": ends})
    n_chars = np.array([ends[doc == d].max() if (doc == d).any() else 0
                        for d in range(n_docs)])
    n_pairs = int(rng.integers(1, 6))
    ai = rng.integers(0, n_docs, size=n_pairs)
    bi = (ai + rng.integers(1, n_docs, size=n_pairs)) % n_docs
    keys = rng.choice(100, size=n_pairs + 1, replace=False)
    pairs = pd.DataFrame({"ai": ai, "bi": bi}, index=keys[:n_pairs])
    rows = []
    for key, a, b in zip(keys, [*ai, 0], [*bi, 1], strict=True):  # the last: no such pair
        for _ in range(int(rng.integers(0, 4))):
            a0, a1 = np.sort(rng.integers(0, n_chars[a] + 2, size=2))
            b0, b1 = np.sort(rng.integers(0, n_chars[b] + 2, size=2))
            rows.append((key, a0, a1, b0, b1))
    passages = pd.DataFrame(rows, columns=["pair", "a_start", "a_end", "b_start", "b_end"],
                            dtype=np.int64)
    eligible = rng.random(len(doc)) < 0.8 if rng.random() < 0.7 else None
    values = rng.random((len(doc), 6)) * (rng.random((len(doc), 6)) < 0.35)
    if signed:  # cosines below 0: a cosine not stored (no shared term) counts as 0
        values *= rng.choice([-1.0, 1.0], size=values.shape)
    norm = np.linalg.norm(values, axis=1, keepdims=True)
    vectors = sp.csr_matrix(np.divide(values, norm, out=np.zeros_like(values),
                                      where=norm > 0).astype(np.float32))
    return passages, pairs, sentences, vectors, eligible


@pytest.mark.parametrize("per_batch", [1, 1 << 22])
@pytest.mark.parametrize("seed", range(40))
def test_addition_coherence_matches_the_reference_loop(seed, per_batch, monkeypatch):
    from lineage import direction

    monkeypatch.setattr(direction, "_SENTENCE_PAIRS_AT_ONCE", per_batch)
    rng = np.random.default_rng(seed)
    case = _random_coherence_case(rng, signed=seed % 4 == 3)
    got = direction.addition_coherence(*case)
    want = _coherence_reference(*case)
    assert got.columns.tolist() == want.columns.tolist()
    assert got.index.equals(want.index)
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=0, atol=1e-12)


def _exclusive_by_character(passages, pairs, n_chars):
    """exclusive_shares the slow way: a character mask per (document, partner)."""
    masks = {}
    for ai, bi, a0, a1, b0, b1 in passages.itertuples(index=False):
        for doc, partner, s, e in ((ai, bi, a0, a1), (bi, ai, b0, b1)):
            mask = masks.setdefault((doc, partner), np.zeros(1000, bool))
            mask[s:e] = True
    out = []
    for x, y in ((pairs["ai"], pairs["bi"]), (pairs["bi"], pairs["ai"])):
        shares = []
        for doc, partner in zip(x, y, strict=True):
            others = np.zeros(1000, bool)
            for (d, q), mask in masks.items():
                if d == doc and q != partner:
                    others |= mask
            own = masks.get((doc, partner), np.zeros(1000, bool))
            shares.append((others & ~own).sum() / max(n_chars[doc], 1))
        out.append(np.array(shares))
    return out


@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4), st.integers(0, 300),
                          st.integers(1, 200), st.integers(0, 300), st.integers(1, 200)),
                max_size=12))
@settings(max_examples=150, deadline=None)
def test_exclusive_shares_equal_a_character_count(rows):
    """The interval arithmetic gives what per-character masks give, for any overlaps."""
    from lineage.direction import exclusive_shares

    rows = [(min(a, b), max(a, b), s, s + n, t, t + m) for a, b, s, n, t, m in rows if a != b]
    passages = pd.DataFrame(rows, columns=["ai", "bi", "a_start", "a_end", "b_start", "b_end"],
                            dtype=np.int64)
    pairs = pd.DataFrame({"ai": [0, 0, 1, 2, 3], "bi": [1, 2, 3, 4, 4]})
    n_chars = np.array([500, 400, 300, 200, 100])
    got = exclusive_shares(passages, pairs, n_chars)
    want = _exclusive_by_character(passages, pairs, n_chars)
    assert np.allclose(got[0], want[0]) and np.allclose(got[1], want[1])


def test_addition_fit_is_compared_relative_to_each_other():
    """Sentence cosines are small: additions fitting at 0.02 against 0.04 count as much
    as 0.2 against 0.4 (a third of the weight each way), NaN or zero fits count 0."""
    import numpy as np
    import pandas as pd

    from lineage.config import TreeConfig
    from lineage.direction import direction_scores, relative_difference

    assert relative_difference(np.array([0.04, 0.4, np.nan, 0.0, 0.03]),
                               np.array([0.02, 0.2, 0.1, 0.0, 0.03])).tolist() == pytest.approx(
        [1 / 3, 1 / 3, 0.0, 0.0, 0.0])
    pairs = pd.DataFrame({"ai": [0, 0], "bi": [1, 1], "aligned_a": [0.9, 0.9],
                          "aligned_b": [0.9, 0.9], "containment_ab": [0.8, 0.8],
                          "containment_ba": [0.8, 0.8], "coherence_a": [0.02, 0.4],
                          "coherence_b": [0.04, 0.2]})
    published = pd.Series(pd.to_datetime([None, None], utc=True))
    config = TreeConfig(addition_weight=0.6)
    scores = direction_scores(pairs, published, np.zeros(2, dtype=bool), config)
    # b's additions fit better in the first pair, a's in the second, by the same ratio
    assert scores.tolist() == pytest.approx([-0.2, 0.2])


def test_story_weight():
    from lineage.direction import story_weight

    pairs = pd.DataFrame({"coherence_a": [0.1, 0.05, 0.02, 0.2, np.nan, 0.1],
                          "story_a": [0.1, 0.1, 0.1, 0.1, 0.1, 0.0]})
    # fits as well as the story: 1; half as well: 0; a fifth: -0.6; better: capped at 1;
    # nothing added or no story fit: 1 (the text evidence as it stands)
    assert story_weight(pairs, "a").tolist() == pytest.approx([1.0, 0.0, -0.6, 1.0, 1.0, 1.0])
    assert story_weight(pairs.drop(columns="story_a"), "a").tolist() == [1.0] * 6


def test_a_copy_that_runs_the_whole_source_and_adds_foreign_text_is_the_copy():
    """b holds all of a (a newspaper running a short agency item whole) and a third
    again of its own. Containment alone calls a the trimmed copy; when b's own text
    fits the story much less than the story's sentences fit each other, b is the copy;
    when it fits as well (the rest of one story, trimmed away by a), b is the source."""
    base = {"ai": [0, 0], "bi": [1, 1], "aligned_a": [1.0, 1.0], "aligned_b": [0.7, 0.7],
            "containment_ab": [1.0, 1.0], "containment_ba": [0.6, 0.6],
            "coherence_a": [np.nan, np.nan], "story_a": [0.1, 0.1],
            "coherence_b": [0.01, 0.1], "story_b": [0.1, 0.1]}
    scores = direction_scores(pd.DataFrame(base), times(None, None), NO_WIRE[:2],
                              TreeConfig(addition_weight=0.0))
    # b's extra: 0.3 aligned + 0.5 * 0.4 shingles = 0.5, weighted 2 * 0.1 - 1 = -0.8 / 1
    assert scores.tolist() == pytest.approx([0.4, -0.5])


@given(st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1), st.floats(0, 1),
                          st.floats(0.001, 0.3), st.floats(0.001, 0.3), st.booleans()),
                min_size=1, max_size=8))
@settings(max_examples=100, deadline=None)
def test_direction_terms_add_up_to_the_score(rows):
    from lineage.direction import TERMS, direction_terms

    pairs = pd.DataFrame({
        "ai": 0, "bi": 1,
        "aligned_a": [r[0] for r in rows], "aligned_b": [r[1] for r in rows],
        "containment_ab": [r[2] for r in rows], "containment_ba": [r[3] for r in rows],
        "coherence_a": [r[4] for r in rows], "coherence_b": [np.nan if r[6] else r[5]
                                                             for r in rows],
        "story_a": 0.1, "story_b": 0.1, "excl_a": [r[2] / 3 for r in rows], "excl_b": 0.0,
        "support_a": [r[4] for r in rows], "support_b": np.nan})
    published = times("2024-03-01T01:00Z", "2024-03-01T03:00Z")  # (midnight: a date alone)
    wire = np.array([True, False])
    terms = direction_terms(pairs, published, wire, CFG)
    assert list(terms.columns) == [*TERMS, "turned"]
    np.testing.assert_allclose(terms[list(TERMS)].sum(axis=1),
                               direction_scores(pairs, published, wire, CFG))
    assert (terms["outlet"] == WIRE_BONUS).all() and (terms["time"] > 0).all()


def test_explain_direction_names_the_leaning_evidence_largest_first():
    from lineage.direction import explain_direction

    terms = pd.DataFrame({
        "text": [0.5, -0.4, 0.01, 0.3, 0.04], "time": [0.2, 0.0, 0.0, -0.1, 0.04],
        "outlet": [0.0, 0.0, 0.0, 0.0, 0.0], "credit": [0.0, 0.0, 0.0, 0.0, 0.0],
        "family": [-0.3, 0.0, 0.0, 0.0, 0.04],
        "support": [0.0, -0.1, 0.0, 0.0, 0.04], "additions": [0.0, 0.0, 0.02, 0.0, 0.04],
        "opening": [0.0, -0.06, 0.0, 0.0, 0.0], "turned": [False, True, False, False, False]})
    got = explain_direction(terms, pd.Series(["A"] * 5), pd.Series(["B"] * 5))
    assert got == [
        # the family term leans the other way and is not named
        "A is the likely source: more of B lies inside A than the other way round; "
        "A was published first",
        # score towards B; the containment evidence turned by A's poorly fitting extra text
        "B is the likely source: A holds the shared text inside more of its own that fits "
        "the story poorly, as a copy's additions do; where the two differ, the rest of the "
        "family keeps B's wording; A opens with more text of its own above the shared text, "
        "as a copy's added lead does",
        # 0.03 in all: inside the band where the direction is unknown
        "",
        # 0.2 towards A, but from no single term of 0.05 or more than text
        "A is the likely source: more of B lies inside A than the other way round",
        # 0.2 from five terms of 0.04
        "A is the likely source: many small signs, none strong",
    ]


def test_a_lead_of_its_own_marks_the_copy():
    pairs = pairs_table([(0, 1, 0.8, 0.8, 0.7, 0.7)]).assign(opening_a=[0.0], opening_b=[0.25])
    # b opens with a quarter of its text before what it shares: b is the copy
    assert direction_scores(pairs, NO_DATES, NO_WIRE, CFG).tolist() == pytest.approx(
        [CFG.opening_weight * 0.25])
    assert direction_scores(pairs.assign(opening_b=[np.nan]), NO_DATES, NO_WIRE,
                            CFG).tolist() == pytest.approx([0.0])


def test_publication_gaps_compare_a_date_alone_by_days():
    from lineage.direction import date_only, publication_gaps, utc_times

    t = utc_times(pd.Series(pd.to_datetime(
        ["2024-11-18 08:00", "2024-11-18", "2024-11-19", None, "2024-11-18 20:00"], utc=True,
        format="mixed")))
    assert date_only(t).tolist() == [False, True, True, False, False]
    a, b = t[[0, 0, 0, 0, 1]], t[[1, 2, 3, 4, 2]]
    gaps = publication_gaps(a, b)
    # same day: unknown order; next day: a whole day; unknown; both timed: 12 h
    assert gaps[[0, 1, 3, 4]].tolist() == [0.0, 86400.0, 43200.0, 86400.0]
    assert np.isnan(gaps[2])


def test_a_paper_dated_only_by_its_day_is_not_out_before_the_wire():
    from fixtures.corpus import ORIGINAL

    import lineage

    docs = pd.DataFrame({"id": ["paper", "wire"], "text": [ORIGINAL, ORIGINAL],
                         "published": ["2024-11-18", "2024-11-18T08:00:00Z"]})
    res = lineage.analyze(docs)
    assert "published first" not in res.pairs.iloc[0]["evidence"]
    assert res.pairs.iloc[0]["direction_p"] == 0.5  # identical texts, no outlets: no order
    # nor as the family's earliest article: the root prior goes to the timed wire
    assert res.tree.set_index("child")["parent"].to_dict() == {"paper": "wire", "wire": ""}


def test_credits_name_the_outlet_a_copy_took_from():
    from lineage.direction import credits

    texts = ["LONDON (Reuters) - Talks collapsed, a union official told Reuters.",  # wire
             "LONDON (Reuters) - Talks collapsed. Our reporter adds more.",  # credits it
             "Talks collapsed, as the Daily Post reported on Monday.",  # credits the Post
             "Talks collapsed on Monday.",  # the Post
             "Talks collapsed (AP). In Harrisburg, PA, nothing.",  # "AP" exact case only
             "Talks collapsed, the ap said.",
             "新华社北京11月18日电 谈判破裂。",  # credits Xinhua, no spaces
             "谈判破裂。"]
    sources = ["Reuters", "Evening Star", "Evening Star", "The Daily Post", "Evening Star",
               "Evening Star", "人民日报", "新华社"]
    ai = np.array([0, 1, 3, 0, 4, 5, 7, 1])
    bi = np.array([1, 0, 2, 2, 3, 3, 6, 2])
    got = credits(texts, sources, ai, bi).tolist()
    # wire->paper credited both ways of listing; Post credited; Reuters not named by 2;
    # Evening Star pairs: same outlet say nothing (1, 2)
    assert got[:4] == [1, -1, 1, 0]
    assert got[6] == 1
    assert got[7] == 0
    ap = credits([*texts, "Wire text."], [*sources, "AP"], np.array([8, 8]), np.array([4, 5]))
    assert ap.tolist() == [1, 0]  # "(AP)" credits AP; "the ap said" does not


def test_a_copy_that_credits_its_source_points_to_it():
    from fixtures.corpus import ORIGINAL

    import lineage

    copy = ORIGINAL + "\n\nThe Daily Post first reported the walkout."
    docs = pd.DataFrame({"id": ["post", "star"], "text": [ORIGINAL, copy],
                         "source": ["The Daily Post", "Evening Star"]})
    pair = lineage.analyze(docs).pairs.iloc[0]
    assert pair["likely_source"] == "post" and pair["direction_p"] > 0.8
    assert "star names post's outlet, as a credit line does" in pair["evidence"]


def test_a_dateline_credits_the_agency_by_its_other_names():
    from lineage.config import TreeConfig
    from lineage.direction import agency_credits, agency_key, agency_name, credits

    texts = ["Talks collapsed.", "WASHINGTON (AP) — Talks collapsed.",
             "BERLIN (dpa) - Talks collapsed.", "The AP said talks collapsed.",
             "新华社北京11月18日电 谈判破裂。"]
    sources = ["Associated Press", "Daily Post", "Deutsche Presse-Agentur", "Evening Star",
               "Xinhua"]
    # the paper's "(AP)" names the outlet "Associated Press"; "the AP said" in running
    # text does not; the agency's two names are one outlet, which credits nothing
    got = credits(texts, sources, np.array([0, 0, 0, 2]), np.array([1, 3, 2, 1]))
    assert got.tolist() == [1, 0, 0, 0]
    assert credits(texts, ["AP", *sources[:1]], np.array([0]), np.array([1])).tolist() == [0]
    # an outlet known by its site (a url's host) is the agency too
    assert credits(texts, ["apnews.com", *sources[1:]], np.array([0]), np.array([1])
                   ).tolist() == [1]
    keys = agency_credits([*texts, "(Associated Press)", "(DPA)", "(app)",
                           "Story.\n\nWith inputs from PTI", "Source: AFP", "Story.\n— AP",
                           "an AP photo", "in the PTI office", "Scranton (PA)"], TreeConfig())
    assert [sorted(agency_name(k) for k in found) for found in keys] == [
        [], ["Associated Press"], ["Deutsche Presse-Agentur"], [], ["Xinhua"],
        ["Associated Press"], ["Deutsche Presse-Agentur"], [], ["Press Trust of India"],
        ["Agence France-Presse"], ["Associated Press"], [], [], []]
    # other scripts' names, in brackets or (in a script without spaces) anywhere
    assert [sorted(agency_name(k) for k in found) for found in agency_credits(
        ["القاهرة (رويترز) - انهارت المحادثات.", "路透社华盛顿11月20日电 谈判破裂。",
         "МОСКВА (Франс Пресс) — Переговоры сорваны.", "MADRID, 20 nov (EFE).- Fracasan",
         "ANKARA (AA) - Görüşmeler çöktü.", "กรุงเทพฯ สำนักข่าวไทย รายงาน",
         "ワシントン＝ロイター", "an aa battery"], TreeConfig())] == [
        ["Reuters"], ["Reuters"], ["Agence France-Presse"], ["EFE"], ["Anadolu Agency"],
        ["Thai News Agency"], ["Reuters"], []]
    # lead-ins in any case; a text whose lower case changes length ("İ") takes the
    # slower search and finds the same
    assert [sorted(agency_name(k) for k in found) for found in agency_credits(
        ["ACCORDING TO Reuters, talks collapsed.", "SOURCE: AFP", "Via AP",
         "İstanbul: with inputs from PTI"], TreeConfig())] == [
        ["Reuters"], ["Agence France-Presse"], ["Associated Press"], ["Press Trust of India"]]
    # the same forms name an outlet for the direction evidence
    lines = ["Wire text.", "Story.\n\nWith inputs from PTI", "Story. An AP photo."]
    assert credits(lines, ["Press Trust of India", "Paper", "Paper"], np.array([0]),
                   np.array([1])).tolist() == [1]
    assert credits(lines, ["Associated Press", "Paper", "Paper"], np.array([0]),
                   np.array([2])).tolist() == [0]
    # an outlet spelled with dotted initials is its agency
    assert [agency_key(x) for x in ("A.P.", "U.P.I.", "e.g. News")] == [
        "associated press", "united press international", "e.g. news"]
