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


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9), st.sampled_from(RELATIONS)),
                max_size=15))
def test_families_are_reuse_components_numbered_by_size(edges):
    ids = pd.Series([f"d{i}" for i in range(10)])
    rows = [(f"d{min(x, y)}", f"d{max(x, y)}", r) for x, y, r in edges if x != y]
    fam = assign_families(ids, pairs_table(rows))
    reuse = [(a, b) for a, b, r in rows if r in REUSE_RELATIONS]
    members = {d for pair in reuse for d in pair}
    assert set(ids[fam.notna()]) == members
    by_id = dict(zip(ids, fam, strict=True))
    for a, b in reuse:
        assert by_id[a] == by_id[b]
    sizes = fam.value_counts().sort_index()
    assert sizes.index.tolist() == list(range(1, len(sizes) + 1))
    assert sizes.tolist() == sorted(sizes.tolist(), reverse=True)
