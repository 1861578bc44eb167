"""Families: documents connected by reuse, without weak bridges between stories.

A family starts as a connected component of the reuse graph (networkx). One article
can join two stories that share nothing else: a roundup or digest that took a
paragraph from each. Such an article is a cut vertex of its component (networkx's
``articulation_points``) whose removal leaves two or more groups of at least two
articles with no link at all between them in the pairs table, neither reuse nor
``same-story``: different stories. The component is split there: the article stays
with the story it is most strongly linked to (the larger of a pair's two aligned
shares), each other story that holds together by reuse without it becomes a family
of its own, and each is split again in turn. Of several such articles, the one whose
severed links are weakest is cut first. Groups that the pairs table does link
elsewhere (the parts a source gave to different copies, which tell one story) stay
together.

Family ids are 1, 2, ... with the largest family first (ties broken by the smallest
member id). Documents without any reuse pair get no family (``<NA>``).
"""

from __future__ import annotations

import networkx as nx
import pandas as pd

from lineage.schema import REUSE_RELATIONS, require_columns

__all__ = ["assign_families"]


def assign_families(ids: pd.Series, pairs: pd.DataFrame) -> pd.Series:
    """Family id of every document.

    Parameters
    ----------
    ids : Series of str
        Document ids.
    pairs : DataFrame
        Columns ``a, b, relation``.

    Returns
    -------
    Series of Int64, aligned with ``ids``.
    """
    require_columns(pairs, ("a", "b", "relation"), table="pairs")
    reuse = pairs[pairs["relation"].isin(REUSE_RELATIONS)]
    graph = nx.Graph()
    graph.add_edges_from(zip(reuse["a"], reuse["b"], strict=True))
    groups = list(nx.connected_components(graph))
    # only components that could hold a bridge need the split (most families are
    # smaller): the links and strengths are built for their members alone
    open_ = [g for g in groups if _MIN_SPLIT <= len(g) <= _MAX_SPLIT]
    if open_:
        members = set().union(*open_)
        told = pairs["relation"].isin((*REUSE_RELATIONS, "same-story"))
        inside = pairs[told & pairs["a"].isin(members) & pairs["b"].isin(members)]
        linked = nx.Graph()  # every listed pair: reuse or same story
        linked.add_edges_from(zip(inside["a"], inside["b"], strict=True))
        strength = _strengths(inside[inside["relation"].isin(REUSE_RELATIONS)])
        groups = [g for g in groups if not _MIN_SPLIT <= len(g) <= _MAX_SPLIT]
        for component in open_:
            groups.extend(_split_bridges(graph.subgraph(component), linked, strength))
    groups = sorted(groups, key=lambda c: (-len(c), min(c)))
    family = {doc: k for k, members in enumerate(groups, start=1) for doc in members}
    return pd.Series([family.get(i) for i in ids], index=ids.index, dtype="Int64")


def _strengths(reuse: pd.DataFrame) -> dict[frozenset, float]:
    """{a, b} -> how much the pair shares: the larger of its two aligned shares (1.0
    where not given)."""
    a, b = reuse["a"].tolist(), reuse["b"].tolist()
    if "aligned_a" in reuse and "aligned_b" in reuse:
        # 4 decimals, as pairs.csv and the index keep them, so both cut the same bridge
        w = reuse[["aligned_a", "aligned_b"]].astype(float).max(axis=1).round(4).tolist()
    else:
        w = [1.0] * len(a)
    return {frozenset(e): x for e, x in zip(zip(a, b, strict=True), w, strict=True)}


#: Components of fewer articles cannot hold two stories of two and a bridge; larger
#: ones are left whole (each cut tried costs a pass over the component).
_MIN_SPLIT, _MAX_SPLIT = 5, 2000


def _split_bridges(component: nx.Graph, linked: nx.Graph, strength: dict) -> list[set]:
    """The families of one reuse component, split at the articles that bridge two
    stories (see the module notes), recursively.

    A bridge is a cut vertex whose removal leaves two or more stories of at least two
    articles each that no listed pair links. It stays with the story it is most
    strongly linked to; another such story leaves when it holds together by reuse
    without the cut; anything else (a single article, parts joined only through the
    cut) stays with it. Of several such articles, the one whose severed links are
    weakest is cut first."""
    nodes = set(component)
    if len(nodes) < _MIN_SPLIT:
        return [nodes]

    def pull(cut: str, cluster: set) -> float:
        return max((strength.get(frozenset((cut, d)), 1.0) for d in component[cut]
                    if d in cluster), default=0.0)

    best = None  # (cost, cut, what stays, the stories that leave)
    for cut in sorted(nx.articulation_points(component)):
        rest = nodes - {cut}
        parts = list(nx.connected_components(component.subgraph(rest)))
        if all(len(part) < 2 for part in parts):  # no story could leave (a star's root)
            continue
        part_of = {d: k for k, part in enumerate(parts) for d in part}
        stories = nx.Graph()  # parts that any listed pair links tell one story
        stories.add_nodes_from(range(len(parts)))
        stories.add_edges_from((part_of[x], part_of[y]) for x in rest for y in linked[x]
                               if y in part_of and part_of[x] != part_of[y])
        clusters = sorted(([parts[k] for k in c] for c in nx.connected_components(stories)),
                          key=lambda c: min(min(p) for p in c))
        merged = [set().union(*c) for c in clusters]
        big = [k for k in range(len(merged)) if len(merged[k]) >= 2]
        if len(big) < 2:  # a bridge joins two stories of two or more articles each
            continue
        home = max(big, key=lambda k: (pull(cut, merged[k]), -k))
        # a story leaves only when it holds together by reuse without the cut (one
        # part); the rest stays with the cut
        leave = [merged[k] for k in big if k != home and len(clusters[k]) == 1]
        if not leave:
            continue
        cost = max(pull(cut, c) for c in leave)
        if best is None or cost < best[0]:
            stay = nodes - set().union(*leave)
            best = (cost, cut, stay, leave)
    if best is None:
        return [nodes]
    out = []
    for cluster in (best[2], *best[3]):
        out.extend(_split_bridges(component.subgraph(cluster), linked, strength))
    return out
