"""Stories: families and single articles that tell the same story, apart from reuse.

A family is one text and its copies; two families (or a family and an article of
its own) may still report one event, each in its own words. Pairs marked
``same-story`` (shared names, numbers and vocabulary, no shared passages) say so,
one pair at a time. This step groups the *units* (each family, and each article in
no family) into stories:

1. Two units are linked when at least ``min_share`` of the article pairs across
   them are read as the same story (or as reuse: a digest's bridge the family step
   cut). Pairs never compared count as not linked, so a family of eight that one
   stray article resembles through one member stays apart from it; nor do pairs
   published more than ``max_days`` apart: a story is an event, and the same topic
   weeks later is another story.
2. The linked units are split into communities (Louvain, networkx, seeded), so a
   chain of linked units, each like the next but the ends unlike each other, does
   not become one story. A densely linked group stays whole.

A story never splits a family; a family with no link is a story of its own, and a
single article that no link (or no community) joins to another unit is in none.
Stories are numbered by size (articles), largest first, then by the smallest id in
them.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from lineage.config import StoryConfig
from lineage.schema import REUSE_RELATIONS, require_columns

__all__ = ["assign_stories", "story_links", "story_members"]


def story_links(ids: pd.Series, family: pd.Series, pairs: pd.DataFrame,
                config: StoryConfig, published: pd.Series | None = None) -> pd.DataFrame:
    """The links between units that count towards a story (parameters as
    :func:`assign_stories`).

    Returns
    -------
    DataFrame
        ``u, v, pairs, share``: two units (``family:<k>`` or a document id, ``u < v``),
        the article pairs across them read as the same story or as reuse, and their
        share of all article pairs across them; only links of at least ``min_share``.
    """
    require_columns(pairs, ("a", "b", "relation"), table="pairs")
    unit = _units(ids, family)
    return _links(unit, unit.value_counts(), pairs, config, published)


def _links(unit: pd.Series, size: pd.Series, pairs: pd.DataFrame, config: StoryConfig,
           published: pd.Series | None) -> pd.DataFrame:
    """:func:`story_links` from each document's unit (by id) and each unit's size."""
    told = pairs[pairs["relation"].isin((*REUSE_RELATIONS, "same-story"))]
    if published is not None:  # one event: both dates known and far apart is not
        when = pd.Series(pd.to_datetime(published, utc=True).to_numpy(), index=unit.index)
        gap = (told["b"].map(when) - told["a"].map(when)).abs()
        told = told[~(gap > pd.Timedelta(days=config.max_days)).to_numpy()]
    ua = told["a"].map(unit).to_numpy(dtype=object)
    ub = told["b"].map(unit).to_numpy(dtype=object)
    across = pd.notna(ua) & pd.notna(ub) & (ua != ub)
    if not across.any():
        return pd.DataFrame({"u": pd.Series(dtype=object), "v": pd.Series(dtype=object),
                             "pairs": pd.Series(dtype=np.int64),
                             "share": pd.Series(dtype=np.float64)})
    ua, ub = ua[across], ub[across]
    first = ua < ub
    links = (pd.DataFrame({"u": np.where(first, ua, ub), "v": np.where(first, ub, ua)})
             .value_counts(["u", "v"]).rename("pairs").reset_index()
             .sort_values(["u", "v"], kind="stable").reset_index(drop=True))
    possible = links["u"].map(size).to_numpy() * links["v"].map(size).to_numpy()
    links["share"] = links["pairs"].to_numpy() / possible
    return links[links["share"] >= config.min_share].reset_index(drop=True)


def assign_stories(ids: pd.Series, family: pd.Series, pairs: pd.DataFrame,
                   config: StoryConfig | None = None, *, seed: int = 1,
                   published: pd.Series | None = None) -> pd.Series:
    """Story of every document.

    Parameters
    ----------
    ids : Series of str
        Document ids.
    family : Series of Int64
        Family of each document (aligned with ``ids``), ``<NA>`` for none.
    pairs : DataFrame
        Columns ``a, b, relation``.
    config : StoryConfig, optional
    seed : int
        Seed of the community step (:attr:`lineage.config.Config.seed`).
    published : Series of datetime, optional
        Publication time of each document (aligned with ``ids``; NaT unknown). A pair
        dated more than ``config.max_days`` apart is no link.

    Returns
    -------
    Series of Int64, aligned with ``ids``: ``<NA>`` for an article in no family that
    no link joins to another unit.
    """
    config = config or StoryConfig()
    require_columns(pairs, ("a", "b", "relation"), table="pairs")
    unit = _units(ids, family)
    size = unit.value_counts()
    links = _links(unit, size, pairs, config, published)
    graph = nx.Graph()
    graph.add_nodes_from(sorted(size.index[size.index.str.startswith("family:")]))
    graph.add_weighted_edges_from(zip(links["u"], links["v"], links["share"], strict=True))
    groups: list[set[str]] = []
    for component in nx.connected_components(graph):
        if len(component) <= 2:
            groups.append(set(component))
            continue
        # a graph of its own, integer labels, nodes and edges in sorted order: a
        # subgraph view of a few nodes iterates them from a set, and Louvain keeps its
        # communities in sets; sets of strings iterate in an order that changes with
        # Python's hash seed, and so did the communities
        names = sorted(component)
        at = {name: i for i, name in enumerate(names)}
        sub = nx.Graph()
        sub.add_nodes_from(range(len(names)))
        sub.add_weighted_edges_from(sorted(
            (min(at[u], at[v]), max(at[u], at[v]), w)
            for u, v, w in graph.edges(component, data="weight")))
        groups.extend({names[i] for i in community} for community in
                      nx.community.louvain_communities(
                          sub, weight="weight", resolution=config.resolution, seed=seed))
    # a single article the community step leaves alone tells no story with anyone
    groups = [g for g in groups if len(g) > 1 or next(iter(g)).startswith("family:")]
    n_of = size.to_dict()
    articles = {tuple(sorted(g)): sum(n_of[u] for u in g) for g in groups}
    # each unit's smallest id
    first = pd.Series(unit.index, index=unit.to_numpy()).groupby(level=0).min().to_dict()
    order = sorted(articles, key=lambda g: (-articles[g], min(first[u] for u in g)))
    story = {u: k for k, g in enumerate(order, start=1) for u in g}
    return pd.Series(unit.map(story).to_numpy(), index=ids.index, dtype="Int64")


def _units(ids: pd.Series, family: pd.Series) -> pd.Series:
    """Each document's unit, by id: ``family:<k>``, or its own id when in no family."""
    fam = pd.Series(pd.array(family, dtype="Int64"))
    names = np.where(fam.isna(), ids.astype(str).to_numpy(),
                     ("family:" + fam.astype("string")).to_numpy(dtype=object))
    return pd.Series(names, index=ids.astype(str).to_numpy())


def story_members(documents: pd.DataFrame) -> pd.DataFrame:
    """What each story holds, from a documents table (``id, family, story``; a table
    without ``story``, as reports written before stories, holds none).

    Returns
    -------
    DataFrame
        One row per story, in story order: ``story``, ``families`` (their numbers,
        sorted), ``articles`` (the ids of its articles in no family, sorted), ``size``
        (all its articles) and ``units`` (families plus articles in no family).
    """
    columns = ["story", "families", "articles", "size", "units"]
    if "story" not in documents:
        return pd.DataFrame(columns=columns)
    told = documents[documents["story"].notna()]
    rows = []
    for number, group in told.groupby("story", sort=True):
        families = sorted({int(f) for f in group["family"].dropna()})
        articles = sorted(group.loc[group["family"].isna(), "id"].astype(str))
        rows.append((int(number), families, articles, len(group),
                     len(families) + len(articles)))
    return pd.DataFrame(rows, columns=columns)
