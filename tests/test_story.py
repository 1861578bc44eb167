"""Stories: families and single articles that report one event, apart from reuse."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from lineage.config import StoryConfig
from lineage.story import assign_stories, story_links, story_members

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"


def _corpus(families: dict[str, int], links: list[tuple[str, str, str]]):
    """ids, family and pairs: ``families`` maps each id to its family (0: none), and
    ``links`` lists ``(a, b, relation)``. Members of one family are reuse pairs."""
    ids = pd.Series(sorted(families))
    family = pd.Series([families[i] or pd.NA for i in ids], dtype="Int64")
    rows = [(a, b, "wholly-derived") for a, b in combinations(ids, 2)
            if families[a] and families[a] == families[b]]
    rows += [(min(a, b), max(a, b), rel) for a, b, rel in links]
    return ids, family, pd.DataFrame(rows, columns=["a", "b", "relation"])


def _stories(families, links, **config) -> dict[str, object]:
    ids, family, pairs = _corpus(families, links)
    got = assign_stories(ids, family, pairs, StoryConfig(**config))
    return {i: (None if pd.isna(s) else int(s)) for i, s in zip(ids, got, strict=True)}


# two families of two: f1 = {a1, a2}, f2 = {b1, b2}
TWO_FAMILIES = {"a1": 1, "a2": 1, "b1": 2, "b2": 2}


def test_two_families_most_of_whose_pairs_tell_one_story_are_one_story():
    links = [("a1", "b1", "same-story"), ("a1", "b2", "same-story"),
             ("a2", "b1", "same-story")]  # 3 of the 4 pairs across
    assert _stories(TWO_FAMILIES, links) == {"a1": 1, "a2": 1, "b1": 1, "b2": 1}


def test_one_pair_of_four_across_two_families_does_not_join_them():
    links = [("a1", "b1", "same-story")]  # 1 of 4 pairs across: share 0.25
    assert _stories(TWO_FAMILIES, links) == {"a1": 1, "a2": 1, "b1": 2, "b2": 2}
    # a lower bar joins them
    assert set(_stories(TWO_FAMILIES, links, min_share=0.25).values()) == {1}


def test_links_count_same_story_and_cut_reuse_pairs_not_unrelated_ones():
    ids, family, pairs = _corpus(
        {**TWO_FAMILIES, "x": 0, "y": 0},
        [("a1", "x", "same-story"), ("a2", "x", "duplicate"), ("b1", "y", "none")])
    links = story_links(ids, family, pairs, StoryConfig())
    assert links.to_dict("list") == {"u": ["family:1"], "v": ["x"], "pairs": [2],
                                     "share": [1.0]}


def test_a_family_alone_is_a_story_and_an_article_alone_is_none():
    got = _stories({"a1": 1, "a2": 1, "b1": 2, "b2": 2, "b3": 2, "lone": 0}, [])
    # numbered by size: the family of three first
    assert got == {"a1": 2, "a2": 2, "b1": 1, "b2": 1, "b3": 1, "lone": None}


def test_two_tight_groups_joined_by_one_link_stay_two_stories():
    """Single articles p1..p4 all alike, q1..q4 all alike, and one p-q pair alike: the
    community step does not chain the two groups into one story."""
    p = [f"p{k}" for k in range(1, 5)]
    q = [f"q{k}" for k in range(1, 5)]
    links = [(a, b, "same-story") for group in (p, q) for a, b in combinations(group, 2)]
    links.append(("p4", "q1", "same-story"))
    got = _stories(dict.fromkeys(p + q, 0), links)
    assert got == {**dict.fromkeys(p, 1), **dict.fromkeys(q, 2)}


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=2, max_size=12),
       st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)), max_size=30),
       st.floats(0.1, 1.0))
def test_a_story_never_splits_a_family(fams, edges, share):
    ids = [f"d{k:02d}" for k in range(len(fams))]
    families = dict(zip(ids, fams, strict=True))
    links = [(ids[x], ids[y], "same-story") for x, y in edges
             if x < len(ids) and y < len(ids) and x != y]
    got = _stories(families, links, min_share=share)
    for f in set(fams) - {0}:
        members = {got[i] for i in ids if families[i] == f}
        assert len(members) == 1 and None not in members
    # numbered 1..n without gaps; a story holds a family or two articles at least
    numbers = sorted({s for s in got.values() if s is not None})
    assert numbers == list(range(1, len(numbers) + 1))
    for k in numbers:
        told = [i for i in ids if got[i] == k]
        assert len(told) > 1 or families[told[0]]


def test_the_seeds_are_one_story():
    import lineage

    result = lineage.analyze(SEEDS)
    assert result.documents["story"].tolist() == [1] * 5
    assert result.summary["stories"] == 1
    assert np.array_equal(result.documents["family"].isna().to_numpy(),
                          [True, True, False, False, True])


def test_articles_dated_weeks_apart_tell_two_stories():
    ids, family, pairs = _corpus({"x": 0, "y": 0, "z": 0},
                                 [("x", "y", "same-story"), ("y", "z", "same-story")])
    # x and y a day apart, z three weeks after y
    dates = pd.Series(pd.to_datetime(["2024-03-01", "2024-03-02", "2024-03-23"], utc=True))
    got = assign_stories(ids, family, pairs, published=dates)
    assert got.tolist() == [1, 1, pd.NA]
    # a date unknown is no reason to part them
    got = assign_stories(ids, family, pairs, published=dates.where(ids != "z"))
    assert got.tolist() == [1, 1, 1]
    assert assign_stories(ids, family, pairs, StoryConfig(max_days=30),
                          published=dates).tolist() == [1, 1, 1]


def _dated_seeds() -> pd.DataFrame:
    """The seeds, 000 dated three weeks after the other four."""
    from lineage.load import load_documents

    docs = load_documents(SEEDS)
    docs["published"] = pd.to_datetime(["2024-12-10T09:00Z", "2024-11-17T20:00Z",
                                        "2024-11-18T08:00Z", "2024-11-18T09:00Z",
                                        "2024-11-18T12:00Z"], utc=True)
    return docs


def test_the_pipeline_and_the_index_part_a_story_told_weeks_later(tmp_path):
    import lineage
    from lineage import index

    docs = _dated_seeds()
    want = [pd.NA, 1, 1, 1, 1]
    assert lineage.analyze(docs).documents["story"].tolist() == want
    index.add(tmp_path / "s.db", docs)
    assert index.load_analysis(tmp_path / "s.db").documents["story"].tolist() == want


def test_story_members_lists_each_storys_families_and_lone_articles():
    docs = pd.DataFrame({"id": ["a1", "a2", "b1", "x", "y", "z"],
                         "family": pd.array([1, 1, 2, pd.NA, pd.NA, pd.NA], dtype="Int64"),
                         "story": pd.array([1, 1, 2, 1, 2, pd.NA], dtype="Int64")})
    got = story_members(docs)
    assert got.to_dict("list") == {"story": [1, 2], "families": [[1], [2]],
                                   "articles": [["x"], ["y"]], "size": [3, 2],
                                   "units": [2, 2]}
    assert story_members(docs.drop(columns="story")).empty
