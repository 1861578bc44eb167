"""Derivation tree: one parent per article, chosen jointly per family.

Every reuse pair gives two directed edges, source -> copy, weighted by how
faithfully the copy reproduces the source (aligned share and verbatim containment
of the copy) times the plausibility of that direction (from
:mod:`lineage.direction`; flat once a direction is the likelier one, so that among
plausible sources the most faithful one is the parent), plus small tie-breaking
bonuses for the candidate published closest before the child and for the surer
source (among equally faithful candidates, the one more likely to be an original:
copies are more often taken from the source than from each other). A virtual root links to
every article with a small prior (wire services and the earliest article weigh
more). networkx's
``maximum_spanning_arborescence`` then picks all parents at once (Edmonds'
algorithm), so one strong pair cannot force a cycle or a wrong chain. A copy then
moves up to an older text it reproduces as faithfully as its parent (the lift),
unless it shares its parent's omissions and this corpus's copies do not take from
the top of their trees often enough to outweigh that (:func:`copying_rate`); by the
same reading it moves down from its parent to an equally faithful sibling whose
omissions it shares (the descent).

**Unseen common source.** Two articles are *siblings* when they share passages but
neither contains the other (each carries shared material the other lacks: both
``aligned`` shares below ``sibling_coverage``) and their direction is uncertain
(probability within ``sibling_margin`` of 0.5: near-simultaneous or undated, and
no text or family evidence either way). When
the tree makes a family's root the parent of a sibling, the pair is better read as
two copies of one unseen text: ``latent:<family>`` becomes the family's root, with
the old root and its sibling children beneath it.

**Agency credits.** Two papers that credit one news agency in their datelines ("(AP)",
"(Reuters) -", :func:`lineage.direction.agency_credits`), in a family that holds no
wire service's own copy, most likely both took the text from the agency: when the
tree makes one the root and the other its child, the pair becomes two children of
``latent:<family>`` too, and the latent node says which agency they credit.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from lineage.config import TreeConfig
from lineage.direction import (
    agency_credits,
    agency_key,
    agency_name,
    date_only,
    publication_gaps,
    utc_times,
)
from lineage.normalize import whole_words
from lineage.schema import REUSE_RELATIONS, TREE_COLUMNS, require_columns
from lineage.witness import innovation_counts

__all__ = ["LATENT_COLUMNS", "build_tree", "copying_rate", "fidelity", "latent_id",
           "latent_sources", "other_sources", "parent_choice", "sibling_pairs", "tree_sources",
           "witness_choices"]

#: Columns of the latent-source table: family, latent id, its children, reconstructed text
#: and the news agencies two or more of its children credit.
LATENT_COLUMNS = ("family", "id", "children", "text", "credit")

_ROOT = "\x00root"


def latent_id(family: int) -> str:
    """The id of a family's unseen common source."""
    return f"latent:{family}"


def sibling_pairs(pairs: pd.DataFrame, config: TreeConfig) -> np.ndarray:
    """True for reuse pairs that look like two copies of an unseen common source."""
    reuse = pairs["relation"].isin(REUSE_RELATIONS).to_numpy()
    neither_contains = (
        np.maximum(pairs["aligned_a"], pairs["aligned_b"]).to_numpy() < config.sibling_coverage
    )
    uncertain = np.abs(pairs["direction_p"].to_numpy() - 0.5) < config.sibling_margin
    return reuse & neither_contains & uncertain


def build_tree(
    documents: pd.DataFrame,
    pairs: pd.DataFrame,
    wire: np.ndarray,
    config: TreeConfig | None = None,
    shingles: list[np.ndarray] | None = None,
) -> pd.DataFrame:
    """Parent of every article that belongs to a family.

    Parameters
    ----------
    documents : DataFrame
        Columns ``id, published, family``.
    pairs : DataFrame
        Columns ``a, b, relation, direction_p`` (probability that ``a`` is the source),
        ``aligned_a, aligned_b, containment_ab, containment_ba``.
    wire : ndarray of bool
        By row of ``documents``.
    config : TreeConfig, optional
    shingles : list of ndarray, optional
        Distinct evidence shingles of each row of ``documents`` (sorted): with them,
        this corpus's copying rate also counts the copies whose wording shows which
        source they took (:func:`witness_choices`).

    Returns
    -------
    DataFrame
        Columns :data:`lineage.schema.TREE_COLUMNS`, one row per family member;
        ``parent`` is "" for a family's root and ``latent:<family>`` for an unseen
        common source (which then has a row of its own, as a root).
    """
    config = config or TreeConfig()
    require_columns(documents, ("id", "published", "family"), table="documents")
    require_columns(pairs, ("a", "b", "relation", "direction_p", "aligned_a", "aligned_b",
                            "containment_ab", "containment_ba"), table="pairs")
    members = documents[documents["family"].notna()]
    if members.empty:
        return pd.DataFrame(columns=list(TREE_COLUMNS))
    reuse = pairs[pairs["relation"].isin(REUSE_RELATIONS)]
    p = reuse["direction_p"].to_numpy()
    a, b = reuse["a"].to_numpy(), reuse["b"].to_numpy()
    # a source's score as the parent of its partner: fidelity x direction plausibility
    to_b = fidelity(reuse, "b") * _plausible(p)
    to_a = fidelity(reuse, "a") * _plausible(1 - p)
    near_b, near_a = _proximity(documents, reuse)
    near, likely = config.proximity_weight, config.source_weight
    prior = _root_prior(documents, members, wire)
    edges = pd.DataFrame({
        "u": np.concatenate([[_ROOT] * len(members), a, b]),
        "v": np.concatenate([members["id"].to_numpy(), b, a]),
        "w": np.concatenate([prior,
                             1.0 + to_b + near * near_b + likely * p,
                             1.0 + to_a + near * near_a + likely * (1 - p)]),
    })
    tree = _arborescence_per_family(edges, members, config.max_candidate_parents)
    family_of = dict(zip(members["id"], members["family"].astype(int), strict=True))
    fam = pd.Series(family_of)
    # copies whose wording tells whether they took from the top of their tree or from
    # another copy (the tops stay where they are through the lift and the descent)
    witness = None if shingles is None else witness_choices(
        tree, reuse, shingles, dict(zip(documents["id"], range(len(documents)), strict=True)),
        config)
    if config.lift_tolerance > 0:
        edge = list(zip(np.r_[a, b], np.r_[b, a], strict=True))
        scores = pd.DataFrame({"u": np.r_[a, b], "v": np.r_[b, a], "s": np.r_[to_b, to_a]})
        rate = copying_rate(tree, scores[scores["u"].map(fam).to_numpy()
                                         == scores["v"].map(fam).to_numpy()],
                            config.parent_sharpness, witness)
        kept = np.r_[reuse["containment_ab"].to_numpy(), reuse["containment_ba"].to_numpy()]
        odds, omission = rate / (1.0 - rate), (config.omission_margin, config.omission_odds)
        # 0 keeps the arborescence's choice: neither the lift nor its mirror moves a copy
        _lift(tree, dict(zip(edge, scores["s"], strict=True)), config.lift_tolerance,
              kept=dict(zip(edge, kept, strict=True)), top_odds=odds, omission=omission)
        _descend(tree, scores.assign(k=kept), config.lift_tolerance, top_odds=odds,
                 omission=omission)
    sib = reuse[sibling_pairs(reuse, config)]
    siblings = set(zip(sib["a"], sib["b"], strict=True))
    credited = _credited_siblings(tree, documents, members, wire, config)
    _insert_latents(tree, siblings | set(credited), family_of, credited)
    # confidences from the probabilities as pairs.csv gives them (4 decimals), so a
    # tree rebuilt from stored pairs (the index) states the same figures
    q4 = np.round(p.astype(float), 4)
    prob = {(x, y): q for x, y, q in zip(a, b, q4, strict=True)}
    prob.update({(y, x): 1 - q for x, y, q in zip(a, b, q4, strict=True)})
    r4 = reuse[["containment_ab", "containment_ba", "aligned_a", "aligned_b"]].astype(float
                                                                                   ).round(4)
    candidates = pd.DataFrame({
        "u": np.concatenate([a, b]),
        "v": np.concatenate([b, a]),
        "s": np.concatenate([fidelity(r4, "b") * _plausible(q4),
                             fidelity(r4, "a") * _plausible(1 - q4)]),
        "q": np.concatenate([q4, 1 - q4]),
        "k": np.concatenate([r4["containment_ab"].to_numpy(), r4["containment_ba"].to_numpy()]),
    })
    # the choice is among the child's family: a pair across families (a digest and the
    # other story it took from) offers no parent, and is named in the evidence instead
    same = candidates["u"].map(fam).to_numpy() == candidates["v"].map(fam).to_numpy()
    top, clear = _copying_counts(tree, candidates[same], config.parent_sharpness, witness)
    choice = parent_choice(tree, candidates[same], config.parent_sharpness,
                           rate=_smoothed_rate(top, clear),
                           omission=(config.omission_margin, config.omission_odds))
    also = other_sources(tree, candidates[~same & candidates["u"].isin(fam.index)
                                          & candidates["v"].isin(fam.index)], fam)
    table = _rows(tree, members["id"], prob, choice, config.agency_latent_confidence, also)
    # how this corpus copies, for the run summary: copies whose text chose clearly
    # between the top of their tree and another copy, and how many took from the top
    table.attrs["copying"] = {"clear_copies": int(clear), "from_top": int(top)}
    return table


def other_sources(tree: nx.DiGraph, crossing: pd.DataFrame, family: pd.Series
                  ) -> dict[str, list[tuple[str, int]]]:
    """The source each article most likely took text from in each *other* family (a
    digest that ran two stories): per article and family, the partner it reproduces
    most faithfully among those that are its likelier source, the highest in that
    family's tree on a tie (the more original, as the lift reads equally faithful
    sources).

    Parameters
    ----------
    tree : networkx.DiGraph
        The family trees under the virtual root.
    crossing : DataFrame
        ``u, v, s, q``: candidate source ``u`` of ``v`` in another family, its score (as
        :func:`parent_choice` reads it) and the probability that ``u`` is the source.
    family : Series
        Family by article id.

    Returns
    -------
    dict
        article -> [(source, its family), ...], families in order.
    """
    crossing = crossing[crossing["q"] >= 0.5]
    if crossing.empty:
        return {}
    depth = nx.single_source_shortest_path_length(tree, _ROOT)
    ranked = crossing.assign(
        family=crossing["u"].map(family).astype(int), depth=crossing["u"].map(depth),
    ).sort_values(["v", "family", "s", "depth", "u"],
                  ascending=[True, True, False, True, True])
    best = ranked.drop_duplicates(["v", "family"])
    out: dict[str, list[tuple[str, int]]] = {}
    for v, u, f in zip(best["v"], best["u"], best["family"], strict=True):
        out.setdefault(v, []).append((u, int(f)))
    return out


def parent_choice(tree: nx.DiGraph, candidates: pd.DataFrame, sharpness: float,
                  rate: float | None = None, omission: tuple[float, float] | None = None
                  ) -> dict[str, tuple[float, str, float]]:
    """How clearly each article's parent beats its other candidate parents.

    An article's candidates are its reuse partners that are not below it in the
    tree; each is scored by how faithfully the article reproduces it, times the
    plausibility of that direction (the weight the arborescence used, without its
    tie-breaking bonuses). The parent's probability is its share of
    ``exp(sharpness * score) x prior`` over the candidates: a candidate the article
    reproduces exactly as faithfully (a duplicate of the parent, a grandparent the
    copy took nothing changed from) shares it, one 0.03 less faithful barely counts
    at the default sharpness. The prior is this corpus's rate of copies taken from
    the top of their family's tree (:func:`copying_rate`) for a candidate at the
    top, one minus it for another copy: 0.5 each (an even split) until copies with a
    clear choice between the two say otherwise.

    Parameters
    ----------
    tree : networkx.DiGraph
        The family trees under the virtual root.
    candidates : DataFrame
        ``u, v, s``: candidate parent ``u`` of ``v`` and its score.
    sharpness : float
    rate : float, optional
        The corpus's rate of copies taken from the top of their tree; by default
        :func:`copying_rate` of ``tree`` and ``candidates``.
    omission : (margin, odds), optional
        With a ``k`` column in ``candidates`` (the share of the candidate's text found
        in the article): a candidate the article keeps at least ``margin`` more of than
        of one of the candidate's own ancestors (it lacks what the candidate dropped:
        a shared omission) weighs ``odds`` times more, as the lift reads it.

    Returns
    -------
    dict
        child -> (probability of its parent, the best other candidate or "", that
        candidate's probability, the parent's ancestor whose dropped text the child
        lacks too or ""), for every article whose parent is an article.
    """
    found = _choice_frame(tree, candidates, sharpness)
    if found is None:
        return {}
    cand, weight, is_parent, original = found
    if rate is None:
        clear = _clear_choices(cand, weight, is_parent, original)
        rate = _smoothed_rate(int(clear.sum()), len(clear))
    weight = weight * np.where(original, rate, 1.0 - rate)
    dropped = np.full(len(cand), "", dtype=object)
    if omission is not None and "k" in cand:
        dropped = _shared_omission(tree, cand, omission[0])
        weight = weight * np.where(dropped != "", omission[1], 1.0)
    share = (weight / weight.groupby(cand["v"]).transform("sum")).round(4)
    frame = pd.DataFrame({"u": cand["u"], "v": cand["v"], "share": share, "dropped": dropped})
    mine = frame[is_parent].set_index("v")["share"]
    from_ = frame[is_parent].set_index("v")["dropped"]
    others = frame[~is_parent].sort_values(["v", "share", "u"], ascending=[True, False, True])
    best_other = others.drop_duplicates("v").set_index("v")
    rival = best_other["u"].reindex(mine.index).fillna("")
    rival_share = best_other["share"].reindex(mine.index).fillna(0.0)
    return {c: (float(m), str(r), float(x), str(d))
            for c, m, r, x, d in zip(mine.index, mine, rival, rival_share, from_, strict=True)}


def _shared_omission(tree: nx.DiGraph, cand: pd.DataFrame, margin: float) -> np.ndarray:
    """For each candidate source ``u`` of ``v``: the nearest of ``u``'s ancestors that
    ``v`` keeps at least ``margin`` less of than of ``u`` (``k``; the ancestor being a
    candidate too), so that ``v`` lacks what ``u`` dropped from it; "" when none. One
    vectorised step per tree level."""
    parent = pd.Series({v: u for u, v in tree.edges if u != _ROOT}, dtype=object)
    kept = pd.Series(cand["k"].to_numpy(dtype=float),
                     index=pd.MultiIndex.from_arrays([cand["u"], cand["v"]]))
    kept = kept[~kept.index.duplicated()]
    out = np.full(len(cand), "", dtype=object)
    rows = np.arange(len(cand))
    up = cand["u"].map(parent).to_numpy(dtype=object)
    v = cand["v"].to_numpy(dtype=object)
    k = cand["k"].to_numpy(dtype=float)
    while len(rows):
        alive = pd.notna(up)
        rows, up, v, k = rows[alive], up[alive], v[alive], k[alive]
        if not len(rows):
            break
        there = kept.reindex(pd.MultiIndex.from_arrays([up, v])).to_numpy()
        found = there < k - margin
        out[rows[found]] = up[found]
        rows, up, v, k = rows[~found], up[~found], v[~found], k[~found]
        up = pd.Series(up, dtype=object).map(parent).to_numpy(dtype=object)
    return out


def copying_rate(tree: nx.DiGraph, candidates: pd.DataFrame, sharpness: float,
                 witness: pd.Series | None = None) -> float:
    """How often, in this corpus, a copy took its text from the top of its family's
    tree rather than from another copy, among the copies whose text decides: those
    whose wording shows it (``witness``, from :func:`witness_choices`), and the others
    whose candidate sources include both and whose parent leads the others clearly (a
    share of at least 0.9 in :func:`parent_choice`, before any prior). The share that
    took from the top, with one pseudo-count each way (0.5 with none). Wire copy and
    the papers that ran it make it near 1; chains of copies of copies, lower.

    Parameters are those of :func:`parent_choice`, and ``witness``: copy -> whether
    its wording shows it took from the top (True) or from another copy (False).
    """
    return _smoothed_rate(*_copying_counts(tree, candidates, sharpness, witness))


def _smoothed_rate(top: int, decided: int) -> float:
    """The share of decided copies that took from the top, one pseudo-count each way."""
    return (top + 1.0) / (decided + 2.0)


def _copying_counts(tree: nx.DiGraph, candidates: pd.DataFrame, sharpness: float,
                    witness: pd.Series | None = None) -> tuple[int, int]:
    """:func:`copying_rate`'s counts: copies that took from the top, copies decided."""
    decided = pd.Series(dtype=bool) if witness is None else witness.astype(bool)
    found = _choice_frame(tree, candidates, sharpness)
    if found is not None:
        clear = _clear_choices(*found)
        decided = pd.concat([decided, clear[~clear.index.isin(decided.index)]])
    return int(decided.sum()), len(decided)


def witness_choices(tree: nx.DiGraph, reuse: pd.DataFrame, shingles: list[np.ndarray],
                    position: dict, config: TreeConfig) -> pd.Series:
    """Copies whose wording shows whether they took their text from the top of their
    family's tree or from another copy (:mod:`lineage.witness`).

    For a copy ``x`` and each of its ``witness_partners`` most faithful partners ``y``
    (another copy) such that both ``y`` and the top ``t`` hold ``x``'s text (aligned
    share of ``x`` at least ``witness_cover``, so what differs is wording, not a cut):
    ``x`` *inherits* ``y``'s changes when it shares at least ``witness_min_shingles``
    shingles with ``y`` that ``t`` lacks and fewer with ``t`` that ``y`` lacks, and
    *rejects* them the other way round. A copy that inherits from any such partner
    took from a copy; one that rejects some and inherits from none took from the top
    (a partner that differs from the top nowhere in ``x``'s text is as good a source
    as the top, and says nothing).

    Returns
    -------
    Series of bool
        By copy id: True when it took from the top, False from another copy; only
        copies with such evidence.
    """
    top = _tops(tree)
    a, b = reuse["a"].to_numpy(dtype=object), reuse["b"].to_numpy(dtype=object)
    ta = pd.Series(a).map(top).to_numpy(dtype=object)
    tb = pd.Series(b).map(top).to_numpy(dtype=object)
    ok = pd.notna(ta) & (ta == tb)
    # each side as the copy x: its partner y, their top t, how much of x each holds
    held = pd.DataFrame({"x": np.r_[a, b], "y": np.r_[b, a],
                         "held": np.r_[reuse["aligned_a"].to_numpy(),
                                       reuse["aligned_b"].to_numpy()]})
    rows = pd.DataFrame({"x": np.r_[a[ok], b[ok]], "y": np.r_[b[ok], a[ok]],
                         "t": np.r_[ta[ok], ta[ok]],
                         "f": np.r_[fidelity(reuse, "a")[ok], fidelity(reuse, "b")[ok]]})
    rows = rows.merge(held, on=["x", "y"]).merge(
        held.rename(columns={"y": "t", "held": "by_top"}), on=["x", "t"])
    cover = config.witness_cover
    rows = rows[(rows["held"] >= cover) & (rows["by_top"] >= cover)].sort_values(
        ["x", "f", "y"], ascending=[True, False, True])
    rows = rows[rows.groupby("x").cumcount().to_numpy() < config.witness_partners]
    if rows.empty:
        return pd.Series(dtype=bool)
    inherited, rejected = innovation_counts(
        shingles, rows["x"].map(position).to_numpy(), rows["y"].map(position).to_numpy(),
        rows["t"].map(position).to_numpy())
    least = config.witness_min_shingles
    verdict = pd.DataFrame({
        "x": rows["x"].to_numpy(),
        "inherits": (inherited >= least) & (rejected < least),
        "rejects": (rejected >= least) & (inherited < least),
    }).groupby("x")[["inherits", "rejects"]].any()
    verdict = verdict[verdict["inherits"] | verdict["rejects"]]
    return ~verdict["inherits"]


def _choice_frame(tree: nx.DiGraph, candidates: pd.DataFrame, sharpness: float):
    """Each article's candidate sources (not below it in the tree; only articles whose
    parent is an article), their weights ``exp(sharpness * (score - best))``, whether
    each is the parent, and whether it is at the top of the tree; None when none."""
    enter, leave = _dfs_clock(tree)
    u_in = candidates["u"].map(enter).to_numpy(dtype=float)
    v_in = candidates["v"].map(enter).to_numpy(dtype=float)
    v_out = candidates["v"].map(leave).to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        below = (v_in < u_in) & (u_in < v_out)
    cand = candidates[~below & ~np.isnan(v_in)]
    parent = {v: u for u, v in tree.edges if u != _ROOT and not str(u).startswith("latent:")}
    cand = cand[cand["v"].isin(parent.keys())]
    if cand.empty:
        return None
    weight = np.exp(sharpness * (cand["s"] - cand.groupby("v")["s"].transform("max")))
    is_parent = cand["u"].to_numpy() == cand["v"].map(parent).to_numpy()
    original = cand["u"].isin(_original_candidates(tree)).to_numpy()
    return cand, weight, is_parent, original


def _clear_choices(cand: pd.DataFrame, weight: pd.Series, is_parent: np.ndarray,
                   original: np.ndarray, clear: float = 0.9) -> pd.Series:
    """The articles with both kinds of candidate whose parent's share is at least
    ``clear``: by article, whether its parent is the top of the tree."""
    share = (weight / weight.groupby(cand["v"]).transform("sum")).to_numpy()
    both = (pd.Series(original).groupby(cand["v"].to_numpy()).transform("nunique") == 2
            ).to_numpy()
    sure = is_parent & both & (share >= clear)
    return pd.Series(original[sure], index=cand["v"].to_numpy()[sure], dtype=bool)


def _tops(tree: nx.DiGraph) -> dict[str, str]:
    """Each article below a family's root -> that root (roots themselves are not
    keys). Moving an article under one of its ancestors, as the lift and the descent
    do, leaves it unchanged."""
    top: dict[str, str] = {}
    for root in tree.successors(_ROOT):
        top.update(dict.fromkeys(nx.descendants(tree, root), root))
    return top


def _original_candidates(tree: nx.DiGraph) -> set[str]:
    """The articles at the top of each family's tree: its root, or the children of its
    unseen common source."""
    tops = set()
    for node in tree.successors(_ROOT):
        if str(node).startswith("latent:"):
            tops.update(tree.successors(node))
        else:
            tops.add(node)
    return tops


def _dfs_clock(graph: nx.DiGraph) -> tuple[dict, dict]:
    """Entry and exit times of one depth-first walk from the virtual root: ``u`` is
    above ``v`` when ``v``'s entry lies between ``u``'s entry and exit."""
    enter: dict[str, int] = {}
    leave: dict[str, int] = {}
    for clock, (_, v, kind) in enumerate(nx.dfs_labeled_edges(graph, _ROOT)):
        if kind == "forward":
            enter[v] = clock
        elif kind == "reverse":
            leave[v] = clock
    return enter, leave


def tree_sources(tree_table: pd.DataFrame, a: pd.Series, b: pd.Series) -> np.ndarray:
    """For each pair, the side the tree puts above the other, or "" when neither is
    the other's ancestor (siblings, cousins, or outside any family).

    Ancestry is read from one depth-first numbering of the tree (``u`` is above
    ``v`` when ``v``'s entry time lies within ``u``'s visit), so the cost is
    linear in the tree and the pairs.

    Parameters
    ----------
    tree_table : DataFrame
        :data:`lineage.schema.TREE_COLUMNS` rows from :func:`build_tree`.
    a, b : Series of str
        The pairs' document ids.

    Returns
    -------
    ndarray of object (str)
    """
    out = np.full(len(a), "", dtype=object)
    if tree_table.empty or not len(a):
        return out
    graph = nx.DiGraph()
    graph.add_edges_from((_ROOT, c) if p == "" else (p, c)
                         for c, p in zip(tree_table["child"], tree_table["parent"], strict=True))
    enter, leave = _dfs_clock(graph)
    ta = a.map(enter).to_numpy(dtype=float)
    tb = b.map(enter).to_numpy(dtype=float)
    la = a.map(leave).to_numpy(dtype=float)
    lb = b.map(leave).to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        a_above = (ta < tb) & (tb < la)
        b_above = (tb < ta) & (ta < lb)
    out[a_above] = a.to_numpy()[a_above]
    out[b_above] = b.to_numpy()[b_above]
    return out


def latent_sources(tree_table: pd.DataFrame, passages: pd.DataFrame,
                   texts: dict[str, str], config: TreeConfig | None = None) -> pd.DataFrame:
    """Reconstruct each unseen common source from what its children share.

    The text is the union of the passages shared between the latent node's children,
    taken from the child that carries most of them, in that child's order, one line
    per stretch, each narrowed to whole words (a passage widened over the letter two
    different words start with ends inside a word). ``credit``
    names the news agencies that two or more of the children credit in a dateline
    (:func:`lineage.direction.agency_credits`, with ``config``'s ``wire_sources``),
    "" when none.

    Returns
    -------
    DataFrame
        Columns :data:`LATENT_COLUMNS`; ``children`` is a comma-separated id list.
    """
    config = config or TreeConfig()
    rows = []
    child = tree_table["child"].astype(str)
    latents = child[child.str.startswith("latent:")]
    under = tree_table[tree_table["parent"].astype(str).str.startswith("latent:")]
    latent_of = dict(zip(under["child"], under["parent"], strict=True))
    # passages between two children of the same latent node, grouped once (no scan of
    # the whole passage table per latent node)
    pa, pb = passages["a"].map(latent_of), passages["b"].map(latent_of)
    between = passages[pa.notna() & (pa == pb)]
    by_latent = dict(tuple(between.groupby(pa[between.index])))
    empty = passages.iloc[:0]
    children = under.groupby("parent")["child"].apply(sorted).to_dict()
    kids_all = sorted(under["child"])
    credited = dict(zip(kids_all, agency_credits([texts[k] for k in kids_all], config),
                        strict=True))
    for latent in latents:
        kids = children.get(latent, [])
        shared = by_latent.get(latent, empty)
        spans = pd.concat([
            shared[["a", "a_start", "a_end"]].set_axis(["doc", "start", "end"], axis=1),
            shared[["b", "b_start", "b_end"]].set_axis(["doc", "start", "end"], axis=1),
        ])
        text = ""
        if not spans.empty:
            base = (spans["end"] - spans["start"]).groupby(spans["doc"]).sum().idxmax()
            merged = _merge_spans(spans[spans["doc"] == base][["start", "end"]].to_numpy())
            pieces = (texts[base][slice(*whole_words(texts[base], a, b))] for a, b in merged)
            text = "\n".join(p for p in pieces if p)
        family = int(latent.split(":", 1)[1])
        counts = pd.Series([a for k in kids for a in credited[k]], dtype=object).value_counts()
        credit = ", ".join(sorted(agency_name(a) for a in counts.index[counts >= 2]))
        rows.append((family, latent, ",".join(kids), text, credit))
    return pd.DataFrame(rows, columns=list(LATENT_COLUMNS))


def _merge_spans(spans: np.ndarray) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for a, b in sorted(spans.tolist()):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _plausible(p: np.ndarray) -> np.ndarray:
    """Weight of a direction of probability ``p``: flat once it is the likelier one, so
    that among plausible sources the closest text, not the surest date, is the parent."""
    return np.clip(2.0 * p, 0.0, 1.0)


def _best_parents(edges: pd.DataFrame, limit: int) -> pd.DataFrame:
    """Each article's ``limit`` heaviest incoming edges, and the virtual root's edge to
    it (so that an arborescence always exists); ties by source id."""
    root = edges["u"] == _ROOT
    rest = edges[~root]
    if limit <= 0 or not len(rest) or rest["v"].value_counts().max() <= limit:
        return edges
    top = rest.sort_values(["v", "w", "u"], ascending=[True, False, True], kind="stable")
    top = top[top.groupby("v").cumcount().to_numpy() < limit]
    return pd.concat([edges[root], top]).sort_index()


def _arborescence_per_family(edges: pd.DataFrame, members: pd.DataFrame, limit: int = 0
                             ) -> nx.DiGraph:
    """Edmonds' algorithm on each family's graph (with the virtual root) in turn.

    ``edges`` holds every weighted edge (``u, v, w``; the virtual root's too). Families
    share no reuse edge, so this is the same arborescence as one run over the whole
    graph, but each family's graph is built from its own edges only: networkx copies
    its working graph at every contracted cycle, and a view of one big graph would
    scan the virtual root's edges to every article for every family. With ``limit``,
    only each article's ``limit`` heaviest edges from its own family and the virtual
    root's (:func:`_best_parents`) enter.
    """
    # integer labels: 0 the virtual root, 1.. each member in id order within its family
    ordered = members.sort_values(["family", "id"])
    rank = pd.Series(ordered.groupby("family").cumcount().to_numpy() + 1, index=ordered["id"])
    family = pd.Series(ordered["family"].to_numpy(), index=ordered["id"])
    fam = edges["v"].map(family)
    # an edge joins two members of one family or leaves the virtual root: a reuse
    # pair across families is a weak bridge the family step cut (lineage.family)
    keep = fam.notna() & ((edges["u"] == _ROOT) | (edges["u"].map(family) == fam))
    # each article's ``limit`` best sources within its family (0: all of them)
    edges = _best_parents(edges[keep], limit)
    fam = edges["v"].map(family).to_numpy()
    u = edges["u"].map(rank).fillna(0).to_numpy(np.int64)
    v = edges["v"].map(rank).to_numpy(np.int64)
    # Edmonds breaks exact ties by the order of sets that hold its merged nodes, which
    # changes with Python's hash seed: integer labels and a tiny label-based nudge to
    # every weight make runs repeatable.
    w = edges["w"].to_numpy() + ((u * 7919 + v * 104729) % 1_000_003) * 1e-12
    order = np.argsort(fam, kind="stable")
    cuts = np.flatnonzero(np.diff(fam[order])) + 1
    names = dict(tuple(ordered.groupby("family")["id"]))
    tree = nx.DiGraph()
    for rows in np.split(order, cuts) if len(order) else []:
        nodes = [_ROOT, *names[fam[rows[0]]]]
        if len(nodes) > _NETWORKX_MEMBERS:  # linear memory, where networkx's is not
            chosen = rows[maximum_arborescence(len(nodes), u[rows], v[rows], w[rows])]
            pairs = zip(u[chosen].tolist(), v[chosen].tolist(), strict=True)
            tree.add_edges_from((nodes[x], nodes[y]) for x, y in sorted(pairs))
            continue
        sub = nx.DiGraph()
        sub.add_nodes_from(range(len(nodes)))
        sub.add_weighted_edges_from(zip(u[rows].tolist(), v[rows].tolist(), w[rows].tolist(),
                                        strict=True))
        best = nx.maximum_spanning_arborescence(sub, attr="weight", preserve_attrs=True)
        tree.add_edges_from((nodes[x], nodes[y]) for x, y in sorted(best.edges))
    return tree


#: Families of at most this many articles get networkx's Edmonds; larger ones
#: :func:`maximum_arborescence`, the same algorithm on arrays (the same tree, tested
#: against networkx), since networkx's memory grows with the square of the family:
#: 500 members with 20 candidate parents each took 0.9 GB and 10 s, 2,000 took 12 GB
#: and 175 s, against 0.15 GB / 0.3 s and 0.46 GB / 2.8 s
#: (``python benchmarks/arborescence.py``).
_NETWORKX_MEMBERS = 200


def maximum_arborescence(n: int, u: np.ndarray, v: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The edges of a maximum-weight spanning arborescence rooted at node 0.

    Chu-Liu/Edmonds on arrays: every node but the root takes its heaviest incoming
    edge; the cycles this makes are contracted all at once (an edge entering a cycle
    weighs what it gains over the cycle's own edge into that node) and the step
    repeats until no cycle is left; then each cycle is opened where the edge chosen
    for it enters. Memory stays linear in the edges, where networkx's
    ``maximum_spanning_arborescence`` copies its working graph at every contracted
    cycle (a family of 2,000 articles with 20 candidate parents each: 175 s and 12 GB
    there). Ties go to the edge listed first.

    Parameters
    ----------
    n : int
        Nodes ``0 .. n - 1``; node 0 is the root.
    u, v, w : ndarray
        Edges ``u -> v`` with weights ``w``. Every node but the root needs one.

    Returns
    -------
    ndarray of int64
        Positions in ``u, v, w`` of the ``n - 1`` edges chosen.
    """
    u, v = np.asarray(u, np.int64), np.asarray(v, np.int64)
    w = np.asarray(w, np.float64)
    keep = (u != v) & (v != 0)
    idx = np.flatnonzero(keep)  # this level's edges, as positions in the input
    cu, cv, cw, nodes = u[keep], v[keep], w[keep], n
    levels = []
    while True:
        order = np.lexsort((np.arange(len(cv)), -cw, cv))
        first = order[np.r_[True, cv[order][1:] != cv[order][:-1]]] if len(order) else order
        best = np.full(nodes, -1, np.int64)
        best[cv[first]] = first
        if (best[1:] < 0).any():
            raise ValueError(f"node {int(np.flatnonzero(best[1:] < 0)[0]) + 1} has no "
                             "incoming edge: there is no spanning arborescence")
        parent = np.full(nodes, -1, np.int64)
        parent[1:] = cu[best[1:]]
        cycle, k = _cycles(parent)
        if k == 0:
            chosen = best[1:]
            break
        inside = cycle >= 0
        outside = np.flatnonzero(~inside)
        new = np.empty(nodes, np.int64)
        new[outside] = np.arange(len(outside))
        new[inside] = len(outside) + cycle[inside]
        gain = cw - np.where(inside[cv], cw[best[cv]], 0.0)
        nu, nv = new[cu], new[cv]
        kept = np.flatnonzero((nu != nv) & (nv != 0))
        levels.append((cv, best, cycle, k, kept))
        cu, cv, cw, nodes = nu[kept], nv[kept], gain[kept], len(outside) + k
    while levels:  # open each cycle where its chosen edge enters
        cv, best, cycle, k, kept = levels.pop()
        chosen = kept[chosen]
        entered = np.full(k, -1, np.int64)
        heads = cv[chosen]
        into = cycle[heads] >= 0
        entered[cycle[heads[into]]] = heads[into]
        members = np.flatnonzero(cycle >= 0)
        chosen = np.concatenate([chosen, best[members[members != entered[cycle[members]]]]])
    return idx[np.sort(chosen)]


def _cycles(parent: np.ndarray) -> tuple[np.ndarray, int]:
    """The cycles of a graph where each node has one ``parent`` (-1: none): a cycle
    number per node (-1 outside any), and how many cycles.

    By doubling: after ``n`` steps every walk is on its cycle, so the nodes ``n``
    steps on from some node are exactly the cycles' nodes; a cycle is named by the
    smallest node on it, found over ``2**j >= n`` steps the same way.
    """
    n = len(parent)
    up = np.where(parent >= 0, parent, np.arange(n))  # a node without parent stays put
    ahead, low = up.copy(), np.arange(n)
    steps = 1
    while steps < n:
        low = np.minimum(low, low[ahead])
        ahead = ahead[ahead]
        steps *= 2
    low = np.minimum(low, low[ahead])
    on_cycle = np.zeros(n, bool)
    on_cycle[ahead] = True
    on_cycle &= up != np.arange(n)  # a fixed point (the root) is no cycle
    cycle = np.full(n, -1, np.int64)
    names, cycle[on_cycle] = np.unique(low[on_cycle], return_inverse=True)
    return cycle, len(names)


def _lift(tree: nx.DiGraph, score: dict, tolerance: float, *, kept: dict | None = None,
          top_odds: float = 1.0, omission: tuple[float, float] = (1.0, 1.0)) -> None:
    """Move each article up to its parent's parent, and on up, while that one is as
    good a source (``score`` of the pair at most ``tolerance`` below its parent's).

    The arborescence has no reason to prefer a grandparent the copy reproduces exactly
    as faithfully as its parent (a duplicate of the source, an intermediate the copy
    took nothing changed from); of equally faithful sources the more original one is
    the likelier. Top-down, so a moved article's copies are weighed after it; an
    ancestor is never in the article's own subtree, so no cycle can form.

    **Shared omissions.** ``kept[(u, v)]`` is the share of ``u``'s text found in ``v``.
    When the copy keeps at least ``omission[0]`` less of the older text than of its
    parent, it lacks what its parent dropped: a shared omission, the classic sign of
    descent from the parent, weighed as ``omission[1]`` to one. The move up is then
    made only when the prior odds of the older text beat that: ``top_odds`` (this
    corpus's rate of copies taken from the top of their tree, as odds) for the top of
    the tree, even odds for another copy. A climb stopped by a shared omission with
    another copy may still go straight to the top of the tree, when the top is as good
    a source and its odds beat the omission: in a corpus of papers that ran an
    agency's text, a paper's cut nests inside a longer paper's, and that paper's
    inside a third's, because each cut from the bottom, not because they copied one
    another.
    """
    margin, odds = omission

    def omitted(up: str, best: str, node: str) -> bool:
        return kept is not None and kept.get((up, node), 0.0) < kept.get((best, node), 0.0
                                                                          ) - margin

    tops = _tops(tree)
    for node in list(nx.bfs_tree(tree, _ROOT))[1:]:
        (parent,) = tree.predecessors(node)
        best, here = parent, score.get((parent, node))
        if here is None:
            continue
        top, up = tops[node], parent
        while up != top:  # up the node's ancestors, nearest first
            (up,) = tree.predecessors(up)
            there = score.get((up, node))
            if there is None or there < here - tolerance:
                break
            if omitted(up, best, node) and (top_odds if up == top else 1.0) < odds:
                break
            best = up
        there = score.get((top, node))
        if (best != top and there is not None and there >= here - tolerance
                and (top_odds >= odds or not omitted(top, best, node))):
            best = top
        if best != parent:
            tree.remove_edge(parent, node)
            tree.add_edge(best, node)


def _descend(tree: nx.DiGraph, edges: pd.DataFrame, tolerance: float, *, top_odds: float,
             omission: tuple[float, float]) -> None:
    """The lift's mirror: move an article down from its parent to a sibling that is as
    good a source (``s`` at most ``tolerance`` below the parent's) and whose text the
    article keeps at least ``omission[0]`` more of (``k``): the article lacks what the
    sibling dropped from their parent, a shared omission weighed ``omission[1]`` to
    one, against the prior odds of the parent (``top_odds`` for the top of the tree,
    even for another copy). Without dates the arborescence picks the surer source
    among equally faithful ones, most often the older text, and the lift never meets
    the intermediate. Vectorised over ``edges`` (``u, v, s, k``: candidate source,
    article, score, share of the source's text found in the article); a sibling that
    moves itself takes no one, so no cycle can form.
    """
    margin, odds = omission
    parent = pd.Series({v: u for u, v in tree.edges if u != _ROOT}, dtype=object)
    if parent.empty:
        return
    grand = parent.map(parent)  # a parent's own parent; NaN for the top of a tree
    prior = np.where(grand.isna(), top_odds, 1.0)
    movable = set(parent.index[prior < odds])
    g = edges["v"].map(parent)
    cand = edges[edges["v"].isin(movable) & (edges["u"].map(parent) == g) & g.notna()]
    if cand.empty:
        return
    own = edges.set_index(["u", "v"])[["s", "k"]]
    own = own[~own.index.duplicated()]
    base = own.reindex(pd.MultiIndex.from_arrays([cand["v"].map(parent), cand["v"]]))
    ok = ((cand["s"].to_numpy() >= base["s"].to_numpy() - tolerance)
          & (cand["k"].to_numpy() >= base["k"].to_numpy() + margin))
    best = cand[ok].sort_values(["v", "s", "k", "u"], ascending=[True, False, False, True]
                                ).drop_duplicates("v")
    moving = set(best["v"])
    for u, v in zip(best["u"], best["v"], strict=True):
        if u not in moving:
            tree.remove_edge(parent[v], v)
            tree.add_edge(u, v)


def _proximity(documents: pd.DataFrame, reuse: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """How closely each side follows the other in time: exp(-gap / 12 h) when the
    candidate parent precedes the child, 0 otherwise or when a date is unknown."""
    when = pd.Series(utc_times(documents["published"]), index=documents["id"].to_numpy())
    gap = publication_gaps(reuse["a"].map(when).to_numpy(), reuse["b"].map(when).to_numpy())
    gap = np.nan_to_num(gap / (12 * 3600.0), nan=0.0)
    near_b = np.where(gap > 0, np.exp(-np.abs(gap)), 0.0)
    near_a = np.where(gap < 0, np.exp(-np.abs(gap)), 0.0)
    return near_b, near_a


def fidelity(reuse: pd.DataFrame, child: str) -> np.ndarray:
    """How faithfully ``child`` (``"a"`` or ``"b"``) reproduces the other text: mostly
    the share of its shingles found verbatim in the other (one changed word shows),
    a little of its share inside shared passages (so that rewritten copies still
    rank). Edits are inherited, so a copy is most faithful to its parent, less so to
    a grandparent (which lacks the parent's edits) or a sibling (which has its own)."""
    other = "b" if child == "a" else "a"
    return 0.8 * reuse[f"containment_{child}{other}"].to_numpy() + 0.2 * reuse[
        f"aligned_{child}"].to_numpy()


def _rows(tree: nx.DiGraph, ids: pd.Series, prob: dict, choice: dict, credit_confidence: float,
          also: dict[str, list[tuple[str, int]]] | None = None) -> pd.DataFrame:
    rows = []
    also = also or {}
    latents = sorted(n for n in tree.successors(_ROOT) if str(n).startswith("latent:"))
    for node in [*ids, *latents]:
        (parent,) = tree.predecessors(node)
        if parent == _ROOT and str(node).startswith("latent:"):
            kids = sorted(tree.successors(node))
            rows.append((node, "", 1.0, _latent_root_evidence(kids,
                                                               tree.nodes[node].get("credit"))))
        elif parent == _ROOT:
            kids = [prob[(node, k)] for k in tree.successors(node)]
            conf = float(np.mean(kids)) if kids else 1.0
            rows.append((node, "", round(conf, 4), _root_evidence(node, kids)))
        elif str(parent).startswith("latent:"):
            sibs = [k for k in tree.successors(parent) if k != node]
            conf = 1.0 - 2 * max(abs(prob.get((node, s), 0.5) - 0.5) for s in sibs) if sibs else 0.5
            credit = tree.nodes[parent].get("credit")
            by_credit = bool(credit) and node in tree.nodes[parent]["credited"]
            if by_credit:
                conf = max(conf, credit_confidence)
            rows.append((node, parent, round(conf, 4),
                         _latent_evidence(node, sibs, credit if by_credit else None)))
        else:
            direction = prob[(parent, node)]
            share, rival, rival_share, dropped = choice.get(node, (1.0, "", 0.0, ""))
            rows.append((node, parent, round(direction * share, 4),
                         _edge_evidence(node, parent, direction, share, rival, rival_share,
                                        dropped)))
    rows = [(c, p, conf, text + _also_evidence(also[c]) if c in also else text)
            for c, p, conf, text in rows]
    return pd.DataFrame(rows, columns=list(TREE_COLUMNS))


def _also_evidence(sources: list[tuple[str, int]]) -> str:
    named = ", ".join(f"{u} (family {f})" for u, f in sources)
    return f"; it also took text from another story: {named}"


def _root_prior(documents, members, wire) -> np.ndarray:
    """Weight of the virtual root's edge to each member (in ``members`` order): 0.1,
    plus 0.2 for the family's earliest dated article and 0.2 for a wire service. A
    date given without a time of day counts as that day's end (it is not known to be
    earlier than anything published that day)."""
    times = utc_times(documents.loc[members.index, "published"])
    times = np.where(date_only(times), times + np.timedelta64(86_399, "s"), times)
    published = pd.Series(times, index=members.index)
    first = published.groupby(members["family"]).transform("min")
    earliest = (published == first) & published.notna()
    return (0.1 + 0.2 * earliest.to_numpy()
            + 0.2 * wire[documents.index.get_indexer(members.index)])


def _credited_siblings(tree: nx.DiGraph, documents: pd.DataFrame, members: pd.DataFrame,
                       wire: np.ndarray, config: TreeConfig) -> dict[tuple[str, str], str]:
    """Root-child tree edges between two papers that credit one news agency whose own
    copy is not in the family: both most likely took the text from the agency.

    Only where every article involved has a known outlet that is not a wire service,
    and no member of the family is one (an agency's own copy carries its credit in its
    dateline too, and one in the family would be the source). Needs the ``text`` and
    ``source`` columns; without them, nothing.

    Returns
    -------
    dict
        ``(root, child) -> "agency, ..."`` for each such edge.
    """
    if "text" not in documents or "source" not in documents:
        return {}
    rows = documents.loc[members.index]
    outlet = rows["source"].fillna("").astype(str).str.strip()
    known = (outlet != "").to_numpy()
    agency = known & wire[documents.index.get_indexer(members.index)]
    family = rows["family"].to_numpy()
    with_agency = pd.Series(agency).groupby(family).transform("any").to_numpy()
    eligible = set(rows["id"].to_numpy()[known & ~agency & ~with_agency])
    edges = [(r, k) for r in tree.successors(_ROOT) if r in eligible
             for k in tree.successors(r) if k in eligible]
    if not edges:
        return {}
    ids = sorted({x for edge in edges for x in edge})
    text = rows.set_index("id")["text"]
    named = dict(zip(ids, agency_credits([str(text[i]) for i in ids], config), strict=True))
    # an agency whose own copy is in the family under a name wire_sources lacks
    # ("Indo-Asian News Service") is no unseen source: the agencies the outlets of the
    # edges' families are, each distinct outlet name read once
    fam_of = dict(zip(rows["id"], family, strict=True))
    mine = np.isin(family, [fam_of[r] for r, _ in edges])
    codes, names = pd.factorize(outlet[mine])
    keys = np.array([agency_key(o) for o in names], dtype=object)
    held = pd.Series(keys[codes]).groupby(family[mine]).agg(set)
    out = {}
    for r, k in edges:
        shared = named[r] & named[k] - held[fam_of[r]]
        if shared:
            out[(r, k)] = ", ".join(sorted(map(agency_name, shared)))
    return out


def _insert_latents(tree: nx.DiGraph, siblings: set[tuple[str, str]], family_of: dict,
                    credited: dict[tuple[str, str], str] | None = None) -> None:
    """Put ``latent:<family>`` above a root whose tree edges to children are sibling
    pairs; a latent node whose children credit a news agency records it (``credit``)."""
    credited = credited or {}
    for root in list(tree.successors(_ROOT)):
        kids = [k for k in tree.successors(root)
                if (root, k) in siblings or (k, root) in siblings]
        if not kids:
            continue
        latent = latent_id(family_of[root])
        tree.remove_edge(_ROOT, root)
        tree.add_edge(_ROOT, latent)
        tree.add_edge(latent, root)
        names = sorted({credited[(root, k)] for k in kids if (root, k) in credited})
        if names:
            tree.nodes[latent]["credit"] = "; ".join(names)
            tree.nodes[latent]["credited"] = {root} | {k for k in kids if (root, k) in credited}
        for kid in kids:
            tree.remove_edge(root, kid)
            tree.add_edge(latent, kid)


def _edge_evidence(child: str, parent: str, direction: float, share: float, rival: str,
                   rival_share: float, dropped: str = "") -> str:
    choice = (f"parent choice {share:.2f} among its candidate sources" if rival
              else "no other member is a candidate source")
    text = (f"{child} most likely took its shared text from {parent} (direction probability "
            f"{direction:.2f}; {choice}")
    if rival and rival_share >= 0.1:
        text += f", next {rival} at {rival_share:.2f}"
        if rival_share >= 0.3:
            text += ", almost as close a source"
    if dropped:
        text += (f"; {child}, like {parent}, lacks part of {dropped}'s text: a shared omission "
                 f"that points to {parent}")
    return text + "; chosen jointly over the family)"


def _root_evidence(child: str, kids: list[float]) -> str:
    if not kids:
        return f"{child} is the family's root: no member is a more likely source"
    members = "1 member" if len(kids) == 1 else f"{len(kids)} members"
    return (f"{child} is the family's root and the likely source of {members} (confidence: "
            f"the mean direction probability towards its children, {np.mean(kids):.2f})")


def _latent_evidence(child: str, siblings: list[str], credit: str | None = None) -> str:
    everyone = "both" if len(siblings) == 1 else "all"
    if credit:
        return (
            f"{child} and {', '.join(siblings)} credit {credit}, whose own copy was not found "
            f"in the corpus: most likely {everyone} took the text from it"
        )
    return (
        f"{child} and {', '.join(siblings)} share passages that neither could have taken from "
        "the other (each carries shared material the other lacks, and neither is clearly "
        f"earlier): most likely {everyone} copied an unseen common source"
    )


def _latent_root_evidence(children: list[str], credit: str | None = None) -> str:
    told = f" (credited as {credit})" if credit else ""
    return (
        f"unseen common source{told} of {', '.join(children)}, reconstructed from the "
        "passages they share"
    )
