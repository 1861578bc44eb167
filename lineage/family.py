"""Families: documents connected by reuse (networkx connected components).

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
    groups = sorted(nx.connected_components(graph), key=lambda c: (-len(c), min(c)))
    family = {doc: k for k, members in enumerate(groups, start=1) for doc in members}
    return pd.Series([family.get(i) for i in ids], index=ids.index, dtype="Int64")
