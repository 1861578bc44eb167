"""Tests for lineage.tree: one parent per family member, one root per family, no cycles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lineage.errors import LineageError
from lineage.family import assign_families
from lineage.schema import REUSE_RELATIONS, TREE_COLUMNS
from lineage.tree import build_tree, tree_sources


def make_documents(ids, published=None, pairs=None) -> pd.DataFrame:
    docs = pd.DataFrame({"id": ids})
    docs["published"] = pd.to_datetime(published if published is not None else [None] * len(ids),
                                       utc=True)
    docs["family"] = assign_families(docs["id"], pairs)
    return docs


def make_pairs(rows) -> pd.DataFrame:
    """Pair rows ``(a, b, relation, direction_p, aligned_a, aligned_b, **scores)``.

    Shingle containment defaults to the aligned share of the same side, and the wording
    scores (``jaccard``, ``char_cosine``, ``tfidf_cosine``) to the larger aligned share.
    """
    out = []
    for a, b, relation, p, aligned_a, aligned_b, *extra in rows:
        scores = extra[0] if extra else {}
        close = max(aligned_a, aligned_b)
        out.append({"a": a, "b": b, "relation": relation, "direction_p": p,
                    "aligned_a": aligned_a, "aligned_b": aligned_b,
                    "containment_ab": aligned_a, "containment_ba": aligned_b,
                    "jaccard": close, "char_cosine": close, "tfidf_cosine": close, **scores})
    columns = ["a", "b", "relation", "direction_p", "aligned_a", "aligned_b", "containment_ab",
               "containment_ba", "jaccard", "char_cosine", "tfidf_cosine"]
    return pd.DataFrame(out, columns=columns)


def parents(tree: pd.DataFrame) -> dict[str, str]:
    assert not tree["child"].duplicated().any()
    return dict(zip(tree["child"], tree["parent"], strict=True))


def check_tree(docs: pd.DataFrame, tree: pd.DataFrame) -> None:
    """Every member has one row; one root per family; parent chains end at a root."""
    assert list(tree.columns) == list(TREE_COLUMNS)
    parent = parents(tree)
    members = docs[docs["family"].notna()]
    family_of = dict(zip(members["id"], members["family"].astype(int), strict=True))
    real = [c for c in parent if not str(c).startswith("latent:")]
    assert sorted(real) == sorted(family_of)
    for child in list(parent):
        fam = family_of.get(child) or int(str(child).split(":")[1])
        family_of.setdefault(child, fam)
    roots_by_family: dict[int, list[str]] = {}
    for child, par in parent.items():
        if par == "":
            roots_by_family.setdefault(family_of[child], []).append(child)
        else:
            assert family_of[par] == family_of[child]  # parent in the same family
    assert sorted(roots_by_family) == sorted(set(members["family"].astype(int)))
    assert all(len(r) == 1 for r in roots_by_family.values()), roots_by_family
    for child in parent:  # no cycles: every chain reaches a root
        seen = set()
        while parent[child] != "":
            assert child not in seen
            seen.add(child)
            child = parent[child]
    assert tree["confidence"].between(0, 1).all()


def test_parents_follow_direction():
    pairs = make_pairs([
        ("w", "x", "duplicate", 0.9, 0.95, 0.95),                   # w is x's source
        ("w", "y", "wholly-derived", 0.8, 0.6, 0.95, {"jaccard": 0.8, "char_cosine": 0.9}),
        ("x", "y", "wholly-derived", 0.5, 0.5, 0.82,                # undecided, less close
         {"jaccard": 0.3, "char_cosine": 0.6, "tfidf_cosine": 0.6}),
        ("m", "n", "partially-derived", 0.1, 0.3, 0.2),             # n is m's source
        ("w", "z", "same-story", 0.99, 0.0, 0.0),                   # no reuse: no family
    ])
    docs = make_documents(["m", "n", "w", "x", "y", "z"], pairs=pairs)
    tree = build_tree(docs, pairs, np.zeros(len(docs), dtype=bool))
    check_tree(docs, tree)
    assert parents(tree) == {"m": "n", "n": "", "w": "", "x": "w", "y": "w"}
    conf = dict(zip(tree["child"], tree["confidence"], strict=True))
    assert conf["x"] == 0.9 and conf["y"] == 0.8 and conf["m"] == 0.9
    assert conf["w"] == 0.85  # mean of its children's direction probabilities


def test_undecided_pair_root_is_earliest():
    pairs = make_pairs([("a", "b", "duplicate", 0.5, 1.0, 1.0)])
    docs = make_documents(["a", "b"], ["2024-03-12T10:00Z", "2024-03-12T08:00Z"], pairs)
    tree = build_tree(docs, pairs, np.zeros(2, dtype=bool))
    check_tree(docs, tree)
    assert parents(tree) == {"a": "b", "b": ""}


def test_undecided_pair_root_is_wire():
    pairs = make_pairs([("a", "b", "duplicate", 0.5, 1.0, 1.0)])
    docs = make_documents(["a", "b"], pairs=pairs)
    tree = build_tree(docs, pairs, np.array([True, False]))
    assert parents(tree) == {"a": "", "b": "a"}


DOCUMENTED = ["a", "b", "relation", "direction_p", "aligned_a", "aligned_b", "containment_ab",
              "containment_ba"]


def test_documented_pair_columns_are_enough():
    pairs = make_pairs([("a", "b", "duplicate", 0.9, 1.0, 1.0)])[DOCUMENTED]
    docs = make_documents(["a", "b"], pairs=pairs)
    assert parents(build_tree(docs, pairs, np.zeros(2, dtype=bool))) == {"a": "", "b": "a"}


def test_missing_pair_column_is_an_error():
    pairs = make_pairs([("a", "b", "duplicate", 0.9, 1.0, 1.0)]).drop(columns=["direction_p"])
    docs = make_documents(["a", "b"], pairs=pairs)
    with pytest.raises(LineageError, match="direction_p"):
        build_tree(docs, pairs, np.zeros(2, dtype=bool))


def test_no_family_gives_empty_tree():
    pairs = make_pairs([("a", "b", "same-story", 0.5, 0.0, 0.0)])
    docs = make_documents(["a", "b"], pairs=pairs)
    tree = build_tree(docs, pairs, np.zeros(2, dtype=bool))
    assert list(tree.columns) == list(TREE_COLUMNS) and len(tree) == 0


@st.composite
def families(draw):
    n = draw(st.integers(2, 7))
    ids = [f"d{i}" for i in range(n)]
    rows = []
    for i, j in draw(st.sets(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)),
                             min_size=1, max_size=12)):
        if i < j:
            rows.append((ids[i], ids[j],
                         draw(st.sampled_from([*sorted(REUSE_RELATIONS), "same-story"])),
                         *(draw(st.floats(0, 1)) for _ in range(3)),
                         {c: draw(st.floats(0, 1)) for c in ("containment_ab", "containment_ba",
                                                            "jaccard", "char_cosine")}))
    days = draw(st.lists(st.one_of(st.none(), st.integers(1, 28)), min_size=n, max_size=n))
    published = [None if d is None else f"2024-03-{d:02d}T00:00Z" for d in days]
    wire = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    return ids, published, make_pairs(rows), wire


@settings(max_examples=40, deadline=None)
@given(families())
def test_tree_invariants(case):
    ids, published, pairs, wire = case
    docs = make_documents(ids, published, pairs)
    check_tree(docs, build_tree(docs, pairs, wire))


def test_tree_sources_reads_ancestry_not_adjacency():
    table = pd.DataFrame({
        "child": ["r", "x", "y", "z", "latent:2", "u", "v"],
        "parent": ["", "r", "x", "r", "", "latent:2", "latent:2"],
        "confidence": 1.0, "evidence": "",
    })
    a = pd.Series(["r", "y", "x", "y", "u", "r", "q"])
    b = pd.Series(["y", "r", "z", "z", "v", "u", "r"])
    got = tree_sources(table, a, b).tolist()
    # r above its grandchild y (both orders); siblings, cousins, other families, unknown: ""
    assert got == ["r", "r", "", "", "", "", ""]


def _choose(edges, candidates):
    """parent_choice at sharpness 100 on a tree of (child, parent) edges and
    (candidate parent, child, score) rows."""
    import networkx as nx

    from lineage.tree import _ROOT, parent_choice

    graph = nx.DiGraph()
    graph.add_edges_from((_ROOT, c) if p == "" else (p, c) for c, p in edges)
    return parent_choice(graph, pd.DataFrame(candidates, columns=["u", "v", "s"]), 100.0)


def test_parent_choice_shares_an_equally_faithful_candidate():
    # r is the root; a and b its copies; b reproduces a exactly as faithfully as r. No
    # copy had a clear choice between the top of the tree and another copy, so the
    # corpus says nothing about which is likelier: a coin
    got = _choose([("r", ""), ("a", "r"), ("b", "r")],
                  [("r", "b", 0.9), ("a", "b", 0.9), ("r", "a", 0.9)])
    assert got["b"] == (0.5, "a", 0.5, "")
    assert got["a"] == (1.0, "", 0.0, "")
    assert "r" not in got  # a root has no parent to choose


def test_parent_choice_weighs_a_tie_by_how_this_corpus_copies():
    # a chose r clearly over b (0.05 ahead): one copy of one that took from the top of
    # its tree, so the top's rate is (1 + 1) / (1 + 2) and b's tie leans to r
    got = _choose([("r", ""), ("a", "r"), ("b", "r")],
                  [("r", "b", 0.9), ("a", "b", 0.9), ("r", "a", 0.9), ("b", "a", 0.85)])
    assert got["b"] == (0.6667, "a", 0.3333, "")
    lead = 1 / (1 + np.exp(-5.0))  # 0.05 ahead at sharpness 100
    rate = 2 / 3
    assert got["a"] == (round(lead * rate / (lead * rate + (1 - lead) * (1 - rate)), 4), "b",
                        round((1 - lead) * (1 - rate) / (lead * rate + (1 - lead) * (1 - rate)),
                              4), "")
    # copies of copies: x and y each chose a copy clearly over the root, so the tie of
    # b (root r against copy a) now leans to the copy, at (0 + 1) / (2 + 2) for r
    got = _choose([("r", ""), ("a", "r"), ("b", "r"), ("x", "a"), ("y", "a")],
                  [("r", "b", 0.9), ("a", "b", 0.9), ("r", "a", 0.9),
                   ("a", "x", 0.95), ("r", "x", 0.8), ("a", "y", 0.95), ("r", "y", 0.8)])
    assert got["b"] == (0.25, "a", 0.75, "")


def test_copying_rate_counts_clear_choices_between_the_top_and_a_copy():
    import networkx as nx

    from lineage.tree import _ROOT, copying_rate

    graph = nx.DiGraph([(_ROOT, "r"), ("r", "a"), ("r", "b"), ("a", "x"), ("a", "y")])
    rows = [("r", "b", 0.9), ("a", "b", 0.9), ("r", "a", 0.9),
            ("a", "x", 0.95), ("r", "x", 0.8), ("a", "y", 0.95), ("r", "y", 0.8)]
    cand = pd.DataFrame(rows, columns=["u", "v", "s"])
    # x and y chose copy a clearly over the top r; b's tie is no clear choice; a had no
    # copy among its candidates (b is not one): (0 + 1) / (2 + 2)
    assert copying_rate(graph, cand, 100.0) == 0.25
    assert copying_rate(nx.DiGraph([(_ROOT, "r")]), cand.iloc[:0], 100.0) == 0.5


def test_copying_rate_reads_wording_evidence_first():
    import networkx as nx

    from lineage.tree import _ROOT, copying_rate

    graph = nx.DiGraph([(_ROOT, "r"), ("r", "a"), ("r", "b"), ("a", "x"), ("a", "y")])
    rows = [("r", "b", 0.9), ("a", "b", 0.9), ("r", "a", 0.9),
            ("a", "x", 0.95), ("r", "x", 0.8), ("a", "y", 0.95), ("r", "y", 0.8)]
    cand = pd.DataFrame(rows, columns=["u", "v", "s"])
    # x's wording shows it took from the top (its clear choice of a is set aside), b's
    # too (no clear choice otherwise); y keeps its clear choice of a copy: (2 + 1) / (3 + 2)
    witness = pd.Series({"x": True, "b": True})
    assert copying_rate(graph, cand, 100.0, witness) == 0.6
    assert copying_rate(graph, cand, 100.0, pd.Series(dtype=bool)) == 0.25


@pytest.mark.parametrize(("held", "expected"),
                         [(0.95, {"x": False, "y": False}), (0.75, {})])
def test_witness_choices_read_wording_not_a_cut(held, expected):
    """Copies x and y share shingles 7-9 that the top t lacks. Where t holds their
    whole text, that is wording one changed and the other kept: each took from a copy.
    Where t holds only 75% of them, it is text t cut: no evidence either way."""
    import networkx as nx

    from lineage.config import TreeConfig
    from lineage.tree import _ROOT, witness_choices

    tree = nx.DiGraph([(_ROOT, "t"), ("t", "x"), ("t", "y")])
    reuse = pd.DataFrame({"a": ["t", "t", "x"], "b": ["x", "y", "y"],
                          "aligned_a": [0.95, 0.95, 1.0], "aligned_b": [held, held, 1.0],
                          "containment_ab": [0.75, 0.75, 1.0],
                          "containment_ba": [0.75, 0.75, 1.0]})
    shingles = [np.arange(1, 7, dtype=np.uint32), np.arange(1, 10, dtype=np.uint32),
                np.arange(1, 10, dtype=np.uint32)]
    got = witness_choices(tree, reuse, shingles, {"t": 0, "x": 1, "y": 2}, TreeConfig())
    assert got.to_dict() == expected


@pytest.mark.parametrize("seed", [1, 7])
def test_papers_that_each_ran_the_wire_go_under_it(seed):
    """Papers that cut the wire story shorter lack what longer cuts dropped; that
    shared omission alone put them under another paper. None carries another paper's
    inserted word, and each reads as the wire where the others inserted theirs: the
    corpus's copies take from the top, and the tree says so (seeds 1 and 7 put two
    papers under other papers before)."""
    from fixtures.corpus import syndicated_corpus

    import lineage

    result = lineage.analyze(pd.DataFrame(syndicated_corpus(seed)))
    parents = dict(zip(result.tree["child"], result.tree["parent"], strict=True))
    assert parents.pop("wire") == ""
    assert set(parents.values()) == {"wire"}
    assert result.tree.attrs["copying"] == {"clear_copies": 12, "from_top": 12}


def test_reprints_of_reprints_count_as_taken_from_copies():
    from fixtures.corpus import reprint_chain

    import lineage

    result = lineage.analyze(pd.DataFrame(reprint_chain()))
    assert parents(result.tree) == {"wire": "", "first-reprint": "wire",
                                    "second-reprint": "first-reprint",
                                    "third-reprint": "second-reprint"}
    # the second and third carry the words the reprints before them inserted
    assert result.tree.attrs["copying"] == {"clear_copies": 2, "from_top": 0}


def test_parent_choice_leaves_out_the_articles_own_descendants():
    # a chain r -> a -> b: b cannot be a's parent, however faithful
    got = _choose([("r", ""), ("a", "r"), ("b", "a")],
                  [("r", "a", 0.8), ("b", "a", 0.95), ("a", "b", 0.9), ("r", "b", 0.7)])
    assert got["a"] == (1.0, "", 0.0, "")
    assert got["b"][0] == 1.0 and got["b"][1] == "r"


def test_tree_confidence_is_direction_times_parent_choice():
    # c copies a and b, which are textually identical duplicates: the text cannot
    # choose. b chose the root a clearly over c, so in this corpus copies take from
    # the top of the tree at (1 + 1) / (1 + 2): c's tie leans to a at 2/3
    pairs = make_pairs([("a", "b", "duplicate", 0.9, 1.0, 1.0),
                        ("a", "c", "wholly-derived", 0.8, 0.6, 0.95),
                        ("b", "c", "wholly-derived", 0.8, 0.6, 0.95)])
    docs = make_documents(["a", "b", "c"], pairs=pairs)
    tree = build_tree(docs, pairs, np.zeros(3, dtype=bool))
    row = tree.set_index("child").loc["c"]
    assert row["parent"] == "a"
    assert row["confidence"] == round(0.8 * 0.6667, 4)
    assert "next b at 0.33, almost as close a source" in row["evidence"]


def test_a_partner_in_another_family_is_no_rival_parent():
    # c copies p; it also shares as much with q, which the family step put in another
    # family (a digest's other story): the tree neither uses nor counts q
    pairs = make_pairs([("p", "c", "wholly-derived", 0.9, 0.6, 0.95),
                        ("q", "c", "wholly-derived", 0.9, 0.6, 0.95),
                        ("q", "r", "duplicate", 0.6, 1.0, 1.0)])
    docs = pd.DataFrame({"id": ["c", "p", "q", "r"],
                         "published": pd.to_datetime([None] * 4, utc=True),
                         "family": pd.array([1, 1, 2, 2], dtype="Int64")})
    tree = build_tree(docs, pairs, np.zeros(4, dtype=bool))
    row = tree.set_index("child").loc["c"]
    assert row["parent"] == "p"
    assert row["confidence"] == 0.9 and "next" not in row["evidence"]
    assert "no other member is a candidate source" in row["evidence"]
    root = tree.set_index("child").loc["p"]
    assert root["evidence"] == ("p is the family's root and the likely source of 1 member "
                                "(confidence: the mean direction probability towards its "
                                "children, 0.90)")


def _three(rows, published: dict[str, str], **tree_config) -> dict[str, str]:
    """Parents of a three-article family from its pair ``rows`` and dates (by id)."""
    from lineage.config import TreeConfig

    pairs = make_pairs(rows)
    ids = sorted(published)
    docs = make_documents(ids, [published[i] for i in ids], pairs)
    tree = build_tree(docs, pairs, np.zeros(3, dtype=bool), TreeConfig(**tree_config))
    check_tree(docs, tree)
    return parents(tree)


def _agency_story(**tree_config):
    """An agency text ``wire``, a paper ``verbatim`` that ran it whole, and a paper
    ``trimmed`` that ran its first half, which both reproduce equally faithfully; the
    verbatim run was published between the two, so it is the closer in time."""
    return _three([("trimmed", "verbatim", "wholly-derived", 0.1, 1.0, 0.5),
                   ("trimmed", "wire", "wholly-derived", 0.1, 1.0, 0.5),
                   ("verbatim", "wire", "duplicate", 0.2, 1.0, 1.0)],
                  {"trimmed": "2024-03-12T12:00Z", "verbatim": "2024-03-12T10:00Z",
                   "wire": "2024-03-12T08:00Z"}, **tree_config)


def test_of_equally_faithful_sources_the_older_is_the_parent():
    assert _agency_story() == {"wire": "", "verbatim": "wire", "trimmed": "wire"}
    # without the lift, the verbatim run wins on being closer in time
    assert _agency_story(lift_tolerance=0.0)["trimmed"] == "verbatim"


def test_a_copy_stays_under_a_parent_whose_changes_it_took():
    got = _three([
        # trimmed carries an edit of edited's: 0.02 less of it is found in the wire
        ("edited", "trimmed", "wholly-derived", 0.9, 0.5, 1.0),
        ("trimmed", "wire", "wholly-derived", 0.1, 0.98, 0.5),
        ("edited", "wire", "duplicate", 0.2, 0.99, 0.99),
    ], {"edited": "2024-03-12T10:00Z", "trimmed": "2024-03-12T12:00Z",
        "wire": "2024-03-12T08:00Z"})
    assert got == {"wire": "", "edited": "wire", "trimmed": "edited"}


def _omission_story(papers: int = 0, dated: bool = True, **tree_config) -> dict[str, str]:
    return parents(_omission_tree(papers, dated, **tree_config))


def _omission_tree(papers: int = 0, dated: bool = True, **tree_config) -> pd.DataFrame:
    """An agency text ``wire``; ``trimmed``, a paper that ran its first 70%; ``copy``,
    which ran its first 60% and so lies inside both equally faithfully, but lacks
    what ``trimmed`` dropped (it keeps 0.86 of trimmed and 0.6 of the wire). With
    ``papers``, as many more papers that ran the wire's last part, which only the wire
    holds: clear copies of the top of the tree."""
    from lineage.config import TreeConfig

    rows = [("copy", "trimmed", "wholly-derived", 0.1, 1.0, 0.86),
            ("copy", "wire", "wholly-derived", 0.1, 1.0, 0.6),
            ("trimmed", "wire", "wholly-derived", 0.2, 1.0, 0.7)]
    published = {"wire": "2024-03-12T08:00Z", "trimmed": "2024-03-12T10:00Z",
                 "copy": "2024-03-12T12:00Z"}
    return _with_papers(rows, published, papers, "trimmed", TreeConfig(**tree_config), dated)


def _with_papers(rows: list, published: dict[str, str], papers: int, other: str, config,
                 dated: bool = True) -> pd.DataFrame:
    """The tree of ``rows`` (pairs as :func:`make_pairs` reads them) and ``published``,
    with ``papers`` more papers that ran the wire's last part, which only the wire
    holds (a little of ``other`` too): clear copies of the top of the tree."""
    rows, published = list(rows), dict(published)
    for k in range(papers):
        rows += [(f"paper{k}", "wire", "wholly-derived", 0.1, 1.0, 0.3),
                 (f"paper{k}", other, "partially-derived", 0.3, 0.1, 0.1)]
        published[f"paper{k}"] = f"2024-03-12T{13 + k}:00Z"
    pairs = make_pairs(rows)
    ids = sorted(published)
    docs = make_documents(ids, [published[i] for i in ids] if dated else None, pairs)
    tree = build_tree(docs, pairs, np.zeros(len(ids), dtype=bool), config)
    check_tree(docs, tree)
    return tree


def test_a_copy_that_lacks_what_its_parent_dropped_stays_under_it():
    # a shared omission (3 to 1) beats even prior odds for the wire: no clear copy
    # says how this corpus copies
    assert _omission_story()["copy"] == "trimmed"
    row = _omission_tree().set_index("child").loc["copy"]
    # the confidence says so too: parent choice 3 x 0.5 against 0.5 for the wire
    assert row["confidence"] == round(0.9 * 0.75, 4)
    assert ("next wire at 0.25; copy, like trimmed, lacks part of wire's text: a shared "
            "omission that points to trimmed") in row["evidence"]
    # without the omission rule, the lift takes it to the older, equally faithful text
    assert _omission_story(omission_odds=0.0)["copy"] == "wire"


def _nested_cuts(papers: int, **tree_config) -> dict[str, str]:
    """``wire``; ``edited``, a paper that ran its first 90% with a word changed;
    ``reprint``, which ran ``edited``'s first 60%, the changed word included (it is
    truer to edited than to the wire); ``copy``, which ran the first 40%, above the
    changed word (as true to the wire as to either paper), and so keeps more of
    reprint (0.67) than of edited (0.44) or of the wire (0.40): its cut nests inside
    reprint's as reprint's nests inside edited's. With ``papers``, clear copies of the
    top (:func:`_with_papers`)."""
    from lineage.config import TreeConfig

    rows = [("copy", "reprint", "wholly-derived", 0.1, 1.0, 0.67),
            ("copy", "edited", "wholly-derived", 0.1, 1.0, 0.44),
            ("copy", "wire", "wholly-derived", 0.1, 1.0, 0.40),
            ("reprint", "edited", "wholly-derived", 0.1, 1.0, 0.67),
            ("reprint", "wire", "wholly-derived", 0.1, 0.97, 0.58),
            ("edited", "wire", "wholly-derived", 0.1, 0.97, 0.9)]
    published = {"wire": "2024-03-12T08:00Z", "edited": "2024-03-12T09:00Z",
                 "reprint": "2024-03-12T10:00Z", "copy": "2024-03-12T11:00Z"}
    return parents(_with_papers(rows, published, papers, "edited", TreeConfig(**tree_config)))


def test_a_climb_stopped_by_another_copys_omission_may_still_reach_the_top():
    # reprint carries edited's change, so it stays under edited. copy's climb from
    # reprint stops at edited: it lacks what reprint dropped of edited, 3 to 1 against
    # even odds for a copy
    got = _nested_cuts(0)
    assert got["reprint"] == "edited"
    assert got["copy"] == "reprint"
    # four papers and edited chose the wire clearly, reprint chose edited: odds for
    # the top of (5 + 1) / (1 + 1) = 3, not below the omission's 3, so copy goes
    # straight up to the wire, as true a source, past the copy that stopped its climb
    got = _nested_cuts(4)
    assert (got["reprint"], got["copy"]) == ("edited", "wire")
    assert _nested_cuts(4, omission_odds=3.5)["copy"] == "reprint"


def test_without_dates_a_copy_moves_down_to_the_sibling_whose_omission_it_shares():
    # undated, the arborescence puts copy under the surer source, the wire, and the lift
    # never meets trimmed; the descent moves it down to trimmed, its sibling there
    assert _omission_story(dated=False) == {"wire": "", "trimmed": "wire", "copy": "trimmed"}
    assert _omission_story(dated=False, omission_odds=0.0)["copy"] == "wire"
    # a corpus of papers running wire copy: the wire's odds (5) beat the omission's
    assert _omission_story(papers=3, dated=False)["copy"] == "wire"


def test_a_corpus_of_papers_running_wire_copy_lifts_past_a_shared_omission():
    # one paper took the wire's last part, which only the wire holds; trimmed too chose
    # the wire clearly over that paper. Two clear copies of the top, none of another
    # copy: the corpus's odds for the top are (2 + 1) / (0 + 1) = 3, not below the
    # omission's 3, so the copy goes up to the wire
    got = _omission_story(papers=1)
    assert got == {"wire": "", "trimmed": "wire", "paper0": "wire", "copy": "wire"}
    assert _omission_story(papers=1, omission_odds=3.5)["copy"] == "trimmed"
    assert _omission_story(papers=3, omission_odds=3.5)["copy"] == "wire"  # odds 5
    # the run summary reports the count behind those odds
    assert _omission_tree(papers=3).attrs["copying"] == {"clear_copies": 4, "from_top": 4}


def test_papers_crediting_an_absent_agency_share_an_unseen_source():
    from fixtures.corpus import credited_corpus

    import lineage

    result = lineage.analyze(pd.DataFrame(credited_corpus()))
    tree = result.tree.set_index("child")
    latent = tree.index[tree.index.str.startswith("latent:")]
    assert len(latent) == 1
    assert sorted(tree.index[tree["parent"] == latent[0]]) == [
        "city-ledger", "daily-post", "evening-star"]
    assert (tree.loc[["city-ledger", "daily-post", "evening-star"], "confidence"] >= 0.75).all()
    assert "credit Associated Press, whose own copy was not found in the corpus" in tree.loc[
        "evening-star", "evidence"]
    assert "credited as Associated Press" in tree.loc[latent[0], "evidence"]
    assert (result.pairs["likely_source"] == "").all()  # nobody's copy of each other
    assert result.latent[["id", "credit"]].values.tolist() == [[latent[0], "Associated Press"]]
    # its text is what the papers share, one line a stretch, in whole words: the two
    # longest runs both go on with a word that starts "E" ("Exporters", "Evening")
    lines = result.latent["text"].item().split("\n")
    assert lines[0].startswith("CALVESTON (AP) — Dockworkers")
    assert lines[0].endswith("while mediators were appointed.")
    assert lines[1:] == ["The Calveston terminal handles roughly 1.8 million containers a year, "
                         "most of them bound for Asian and European markets."]


def test_an_agency_in_the_corpus_or_unknown_outlets_give_no_credit_latent():
    from fixtures.corpus import credited_corpus

    import lineage

    with_agency = lineage.analyze(pd.DataFrame(credited_corpus(with_agency=True))).tree
    with_agency = with_agency.set_index("child")
    assert with_agency.loc["ap-wire", "parent"] == ""
    assert not with_agency.index.str.startswith("latent:").any()
    # the agency's copy under a name the wire list lacks but AGENCY_NAMES knows
    rows = [{**r, "text": r["text"].replace("(AP)", "(IANS)")}
            for r in credited_corpus(with_agency=True)]
    rows[-1]["source"] = "Indo-Asian News Service"
    held = lineage.analyze(pd.DataFrame(rows)).tree.set_index("child")
    assert held.loc["ap-wire", "parent"] == "" and not held.index.str.startswith("latent:").any()
    # without outlets the agency's own copy, which credits itself, could be any of them
    unknown = lineage.analyze(pd.DataFrame(credited_corpus(sources=False))).tree
    assert not unknown["child"].str.startswith("latent:").any()
    assert (unknown["parent"] == "").sum() == 1


def _syndicated(papers: list[tuple[str, str]]) -> dict[str, str]:
    """The strike story from the wire at 08:00, then each paper an hour after the last,
    each with its own closing line (``papers``: id, story text)."""
    from fixtures.corpus import INDEPENDENT_SENTENCES, ORIGINAL_SENTENCES, UNRELATED_SENTENCES

    import lineage

    own = UNRELATED_SENTENCES + INDEPENDENT_SENTENCES
    rows = [("wire", " ".join(ORIGINAL_SENTENCES) + "\n", "Associated Press", "2024-03-12T08:00Z")]
    rows += [(pid, f"{text}\n\n{own[k]}\n", f"Paper {k}", f"2024-03-12T{9 + k:02d}:00Z")
             for k, (pid, text) in enumerate(papers)]
    result = lineage.analyze(pd.DataFrame(rows, columns=["id", "text", "source", "published"]))
    return parents(result.tree)


def test_a_copy_that_lacks_a_passage_its_source_cut_from_the_middle_stays_under_it():
    from fixtures.corpus import ORIGINAL_SENTENCES as S

    # "edited" left out sentences 4-5; "copy" lacks them too although it runs on past
    # them: a shared omission inside the stretch it reproduces
    got = _syndicated([("edited", " ".join(S[:3] + S[5:])), ("copy", " ".join(S[:3] + S[5:10]))])
    assert got == {"wire": "", "edited": "wire", "copy": "edited"}


def test_the_arborescence_weighs_each_articles_best_candidate_parents_only():
    from lineage.tree import _ROOT, _best_parents

    edges = pd.DataFrame({"u": [_ROOT, _ROOT, "a", "b", "c", "d", "b", "a"],
                          "v": ["x", "a", "x", "x", "x", "x", "a", "b"],
                          "w": [0.1, 0.1, 1.5, 1.9, 1.9, 1.2, 1.4, 1.3]})
    # x keeps its two heaviest (b and c tie at 1.9, both kept) and its root edge
    got = _best_parents(edges, 2)
    assert sorted(zip(got["u"], got["v"], strict=True)) == sorted(
        [(_ROOT, "x"), (_ROOT, "a"), ("b", "x"), ("c", "x"), ("b", "a"), ("a", "b")])
    assert _best_parents(edges, 0).equals(edges) and _best_parents(edges, 4).equals(edges)


def test_the_limit_on_candidate_parents_reaches_the_arborescence():
    from lineage.config import TreeConfig

    # x and y are near-copies of each other, both taken from the wire w. Weighing
    # every candidate, the wire is the root; keeping only each article's single best
    # source, w's only candidate besides the virtual root is x, whose edge outweighs it
    pairs = make_pairs([("x", "y", "wholly-derived", 0.5, 0.99, 0.99),
                        ("w", "x", "wholly-derived", 0.95, 0.9, 0.97),
                        ("w", "y", "wholly-derived", 0.95, 0.9, 0.97)])
    docs = make_documents(["w", "x", "y"], None, pairs)
    wire = np.array([True, False, False])
    got = {k: parents(build_tree(docs, pairs, wire, TreeConfig(max_candidate_parents=k,
                                                                 lift_tolerance=0)))
           for k in (0, 1, 2)}
    assert got[0] == got[2] == {"w": "", "x": "y", "y": "w"}
    assert got[1] == {"w": "x", "x": "y", "y": ""}


def test_a_limit_on_candidate_parents_leaves_the_syndicated_tree_as_it_was():
    from fixtures.corpus import INDEPENDENT_SENTENCES, ORIGINAL_SENTENCES, UNRELATED_SENTENCES

    import lineage
    from lineage.config import Config, TreeConfig

    own = UNRELATED_SENTENCES + INDEPENDENT_SENTENCES
    rows = [("wire", " ".join(ORIGINAL_SENTENCES) + "\n", "Associated Press", "2024-03-12T08:00Z")]
    rows += [(f"cut{n}", " ".join(ORIGINAL_SENTENCES[:n]) + f"\n\n{own[n]}\n", f"Paper {n}",
              f"2024-03-12T{20 - n:02d}:00Z") for n in range(5, 13)]
    docs = pd.DataFrame(rows, columns=["id", "text", "source", "published"])
    trees = [lineage.analyze(docs, config=Config(tree=TreeConfig(max_candidate_parents=k))).tree
             for k in (0, 2)]  # every candidate, and each article's best two
    assert trees[0].equals(trees[1])


@settings(max_examples=200, deadline=None)
@given(st.integers(2, 30), st.integers(0, 150), st.integers(0, 2**32 - 1))
def test_maximum_arborescence_equals_networkx(n, extra, seed):
    import networkx as nx

    from lineage.tree import maximum_arborescence

    rng = np.random.default_rng(seed)
    u = np.r_[np.zeros(n - 1, np.int64), rng.integers(0, n, size=extra)]
    v = np.r_[np.arange(1, n), rng.integers(1, n, size=extra)]
    w = rng.random(len(u))  # distinct weights: one best tree
    chosen = maximum_arborescence(n, u, v, w)
    graph = nx.DiGraph()
    for a, b, c in zip(u.tolist(), v.tolist(), w.tolist(), strict=True):
        if a != b and (not graph.has_edge(a, b) or graph[a][b]["weight"] < c):
            graph.add_edge(a, b, weight=c)
    best = nx.maximum_spanning_arborescence(graph)
    assert sorted(v[chosen].tolist()) == list(range(1, n))
    assert {(int(u[i]), int(v[i])) for i in chosen} == set(best.edges)


def test_maximum_arborescence_needs_an_edge_into_every_node():
    from lineage.tree import maximum_arborescence

    with pytest.raises(ValueError, match="node 2 has no incoming edge"):
        maximum_arborescence(3, np.array([0]), np.array([1]), np.array([1.0]))


def test_large_families_get_the_same_tree_from_the_array_edmonds(monkeypatch):
    import sys
    from pathlib import Path

    import lineage
    import lineage.tree as tree_module

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from scale_corpus import generate_corpus

    docs = generate_corpus(300, seed=2, copies=0.4).drop(columns="copy_of")
    result = lineage.analyze(docs)
    monkeypatch.setattr(tree_module, "_NETWORKX_MEMBERS", 0)  # every family on arrays
    arrays = lineage.analyze(docs)
    sizes = result.families.groupby("family").size()
    assert len(sizes) > 50 and sizes.max() >= 4  # chains and stars, an unseen source
    assert result.tree["parent"].str.startswith("latent:").any()
    pd.testing.assert_frame_equal(result.tree, arrays.tree)
