"""Tests for lineage.family: reuse components, numbered largest first."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lineage.errors import LineageError
from lineage.family import assign_families
from lineage.schema import RELATIONS, REUSE_RELATIONS


def pairs_table(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["a", "b", "relation"])


def test_largest_family_first_ties_by_smallest_id():
    ids = pd.Series(["a", "b", "c", "d", "e", "f", "g", "x", "y"])
    pairs = pairs_table([
        ("x", "y", "duplicate"),           # size 2, smallest id "x"
        ("c", "d", "wholly-derived"),      # size 3
        ("d", "e", "partially-derived"),
        ("a", "b", "duplicate"),           # size 2, smallest id "a"
        ("f", "g", "same-story"),          # not reuse: no family
    ])
    out = assign_families(ids, pairs)
    assert out.dtype == "Int64"
    assert out.tolist() == [2, 2, 1, 1, 1, pd.NA, pd.NA, 3, 3]


def test_same_story_does_not_join_families():
    ids = pd.Series(["p", "q", "r", "s"])
    pairs = pairs_table([("p", "q", "duplicate"), ("q", "r", "same-story"),
                         ("r", "s", "duplicate")])
    assert assign_families(ids, pairs).tolist() == [1, 1, 2, 2]


def test_no_pairs_no_families():
    ids = pd.Series(["a", "b"], index=[5, 7])
    out = assign_families(ids, pairs_table([]))
    assert out.index.tolist() == [5, 7]
    assert out.isna().all()


def test_missing_columns():
    with pytest.raises(LineageError, match="relation"):
        assign_families(pd.Series(["a"]), pd.DataFrame({"a": [], "b": []}))


def _families(rows, n=10):
    ids = pd.Series([f"d{i}" for i in range(n)])
    return ids, assign_families(ids, pairs_table(rows))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9), st.sampled_from(RELATIONS)),
                max_size=15))
def test_families_are_reuse_components_when_every_pair_tells_one_story(edges):
    rows = [(f"d{min(x, y)}", f"d{max(x, y)}", r) for x, y, r in edges if x != y]
    listed = {(a, b) for a, b, _ in rows}
    # every other pair of articles is on the same story: no bridge can be cut
    rows += [(f"d{x}", f"d{y}", "same-story") for x in range(10) for y in range(x + 1, 10)
             if (f"d{x}", f"d{y}") not in listed]
    ids, fam = _families(rows)
    reuse = [(a, b) for a, b, r in rows if r in REUSE_RELATIONS]
    members = {d for pair in reuse for d in pair}
    assert set(ids[fam.notna()]) == members
    by_id = dict(zip(ids, fam, strict=True))
    for a, b in reuse:
        assert by_id[a] == by_id[b]
    sizes = fam.value_counts().sort_index()
    assert sizes.index.tolist() == list(range(1, len(sizes) + 1))
    assert sizes.tolist() == sorted(sizes.tolist(), reverse=True)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11), st.sampled_from(RELATIONS)),
                max_size=25))
def test_every_family_is_connected_by_its_own_reuse(edges):
    rows = [(f"d{min(x, y)}", f"d{max(x, y)}", r) for x, y, r in edges if x != y]
    ids, fam = _families(rows, 12)
    reuse = [(a, b) for a, b, r in rows if r in REUSE_RELATIONS]
    assert set(ids[fam.notna()]) == {d for pair in reuse for d in pair}
    by_id = dict(zip(ids[fam.notna()], fam.dropna(), strict=True))
    import networkx as nx

    for f in set(fam.dropna()):
        members = {d for d, g in by_id.items() if g == f}
        assert len(members) >= 2
        inner = nx.Graph([(a, b) for a, b in reuse if a in members and b in members])
        assert set(inner) == members and nx.is_connected(inner)
    sizes = fam.value_counts().sort_index()
    assert sizes.tolist() == sorted(sizes.tolist(), reverse=True)


def test_a_roundup_does_not_merge_two_stories():
    # story A (a1..a3) and story B (b1..b3) share nothing; the digest r took a
    # paragraph from each, more of its text from A
    rows = [("a1", "a2", "duplicate"), ("a1", "a3", "wholly-derived"),
            ("a2", "a3", "duplicate"), ("b1", "b2", "duplicate"),
            ("b1", "b3", "partially-derived"), ("b2", "b3", "same-story"),
            ("a1", "r", "partially-derived"), ("b1", "r", "partially-derived")]
    pairs = pairs_table(rows)
    pairs["aligned_a"] = [1.0, 0.9, 1.0, 1.0, 0.4, 0.0, 0.1, 0.1]
    pairs["aligned_b"] = [1.0, 0.95, 1.0, 1.0, 0.5, 0.0, 0.5, 0.3]
    ids = pd.Series(["a1", "a2", "a3", "b1", "b2", "b3", "r"])
    fam = dict(zip(ids, assign_families(ids, pairs), strict=True))
    assert fam["a1"] == fam["a2"] == fam["a3"] == fam["r"]
    assert fam["b1"] == fam["b2"] == fam["b3"] != fam["a1"]


def test_parts_on_one_story_stay_one_family():
    # the same shape, but some a and b are on the same story: a source excerpted in
    # two parts, not a digest of two stories
    rows = [("a1", "a2", "duplicate"), ("a1", "a3", "wholly-derived"),
            ("b1", "b2", "duplicate"), ("a1", "r", "partially-derived"),
            ("b1", "r", "partially-derived"), ("a3", "b2", "same-story")]
    ids = pd.Series(["a1", "a2", "a3", "b1", "b2", "r"])
    assert assign_families(ids, pairs_table(rows)).nunique() == 1
