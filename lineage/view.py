"""Terminal views: compare two articles, and summarise an existing report folder.

:func:`compare_files` and :func:`read_report` return plain dicts (what ``--format json``
prints); :func:`print_comparison` and :func:`print_report` draw them with rich. The
comparison itself is :func:`lineage.analyze` run on a two-document table.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from lineage.config import Config
from lineage.errors import LineageError
from lineage.load import load_documents
from lineage.pipeline import Analysis, analyze
from lineage.schema import RELATIONS, REUSE_RELATIONS

__all__ = [
    "KIND_STYLES",
    "compare_files",
    "comparison",
    "print_comparison",
    "print_report",
    "read_report",
]

#: rich styles of the two passage kinds (the HTML report uses the same two colours).
KIND_STYLES: dict[str, str] = {"verbatim": "black on #f9c74f", "rewritten": "black on #9bd3f5"}

_SCORES = ("jaccard", "containment_ab", "containment_ba", "tfidf_cosine", "char_cosine",
           "aligned_a", "aligned_b", "confidence")


def compare_files(a: str | Path, b: str | Path, *, config: Config | None = None) -> dict[str, Any]:
    """Compare two article files and describe how they relate.

    Parameters
    ----------
    a, b : str or Path
        Two ``.txt``/``.md``/``.html`` files (or one-row tables).
    config : Config, optional
        Settings for :func:`lineage.analyze`.

    Returns
    -------
    dict
        See :func:`comparison`.

    Raises
    ------
    LineageError
        A file is missing or unreadable, or does not hold exactly one document.
    """
    frames = []
    for path in (a, b):
        frame = load_documents(path)
        if len(frame) != 1:
            raise LineageError(f"{path}: expected one document, found {len(frame)}")
        frames.append(frame)
    docs = pd.concat(frames, ignore_index=True)
    if docs.loc[0, "id"] == docs.loc[1, "id"]:
        docs["id"] = [f"A:{docs.loc[0, 'id']}", f"B:{docs.loc[1, 'id']}"]
    return comparison(analyze(docs, config=config), docs.loc[0, "id"], docs.loc[1, "id"])


def comparison(result: Analysis, a: str, b: str) -> dict[str, Any]:
    """How documents ``a`` and ``b`` of ``result`` relate, as a plain dict.

    Parameters
    ----------
    result : Analysis
    a, b : str
        Two document ids, in any order.

    Returns
    -------
    dict
        ``a, b`` (``a < b``), ``relation`` (``"unrelated"`` when the pair is not
        listed), ``likely_source``, ``evidence``, ``scores`` (the pair's scores; empty
        when unrelated) and ``passages`` (``kind, similarity``, offsets and both texts).
    """
    a, b = sorted((str(a), str(b)))
    pairs = result.pairs
    row = pairs[(pairs["a"] == a) & (pairs["b"] == b)]
    if row.empty:
        return {"a": a, "b": b, "relation": "unrelated", "likely_source": "",
                "evidence": "no shared passages and too little shared vocabulary to be "
                            "a candidate pair", "scores": {}, "passages": []}
    pair = row.iloc[0]
    passages = result.passages
    shared = passages[(passages["a"] == a) & (passages["b"] == b)]
    return {
        "a": a,
        "b": b,
        "relation": str(pair["relation"]),
        "likely_source": str(pair["likely_source"] or ""),
        "evidence": str(pair["evidence"]),
        "scores": {k: _number(pair[k]) for k in _SCORES if k in pair},
        "passages": [
            {k: _number(v) if k not in ("kind", "a_text", "b_text", "a", "b") else v
             for k, v in p.items() if k not in ("a", "b")}
            for p in shared.to_dict("records")
        ],
    }


def read_report(folder: str | Path) -> dict[str, Any]:
    """The summary of an existing report folder, from ``summary.json`` and its CSVs.

    Parameters
    ----------
    folder : str or Path
        A folder written by ``lineage report``.

    Returns
    -------
    dict
        ``folder``, ``summary`` (``summary.json`` as written), ``files`` (names found),
        ``families`` (``family, size, root`` of the largest ten) and ``top_pairs``
        (up to ten reuse pairs, most shared text first).

    Raises
    ------
    LineageError
        ``folder`` is not a report folder.
    """
    folder = Path(folder)
    summary_file = folder / "summary.json"
    if not summary_file.is_file():
        raise LineageError(f"{folder}: not a lineage report (no summary.json)")
    try:
        summary = json.loads(summary_file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise LineageError(f"{summary_file}: not valid JSON "
                           f"({getattr(exc, 'msg', type(exc).__name__)})") from None
    if not isinstance(summary, dict) or not isinstance(summary.get("pairs", {}), dict):
        raise LineageError(f"{summary_file}: not a lineage report summary (a JSON object "
                           "with the run's counts was expected)")
    out: dict[str, Any] = {
        "folder": str(folder),
        "summary": summary,
        "files": sorted(p.name for p in folder.iterdir() if p.is_file()),
        "families": [],
        "top_pairs": [],
    }
    families = _read_csv(folder / "families.csv")
    if families is not None and len(families):
        sizes = families.groupby("family")["id"].count().sort_values(ascending=False,
                                                                    kind="stable")
        roots = families[families["role"] == "root"].groupby("family")["id"].first()
        out["families"] = [{"family": int(f), "size": int(n), "root": str(roots.get(f, ""))}
                           for f, n in sizes.head(10).items()]
    pairs = _read_csv(folder / "pairs.csv")
    if pairs is not None and len(pairs):
        reuse = pairs[pairs["relation"].isin(REUSE_RELATIONS)].copy()
        reuse["_shared"] = reuse[["aligned_a", "aligned_b"]].max(axis=1)
        reuse = reuse.sort_values("_shared", ascending=False, kind="stable").head(10)
        out["top_pairs"] = [
            {"a": r["a"], "b": r["b"], "relation": r["relation"],
             "likely_source": "" if pd.isna(r["likely_source"]) else r["likely_source"],
             "aligned_a": _number(r["aligned_a"]), "aligned_b": _number(r["aligned_b"])}
            for r in reuse.to_dict("records")
        ]
    return out


def print_comparison(data: dict[str, Any], console: Any) -> None:
    """Draw :func:`comparison`'s dict on a rich console."""
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    head = Text()
    head.append(f"{data['a']}  ↔  {data['b']}\n", style="bold")
    head.append("relation: ")
    head.append(data["relation"], style="bold magenta")
    if data["likely_source"]:
        head.append(f"   likely source: {data['likely_source']}")
    head.append(f"\n{data['evidence']}", style="italic")
    console.print(Panel(head, title="lineage compare", expand=False))
    if data["scores"]:
        scores = Table(show_header=False, box=None, pad_edge=False)
        for name, value in data["scores"].items():
            scores.add_row(name, "" if value is None else f"{value:.3f}")
        console.print(scores)
    if not data["passages"]:
        console.print("no shared passages")
        return
    legend = Text("passages: ")
    for kind, style in KIND_STYLES.items():
        legend.append(f" {kind} ", style=style)
        legend.append(" ")
    console.print(legend)
    table = Table(show_lines=True, expand=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("sim", justify="right", no_wrap=True)
    table.add_column(f"A: {data['a']}", ratio=1)
    table.add_column(f"B: {data['b']}", ratio=1)
    for i, p in enumerate(data["passages"], 1):
        style = KIND_STYLES.get(p["kind"], "")
        table.add_row(str(i), p["kind"], f"{p['similarity']:.2f}",
                      Text(f"[{p['a_start']}, {p['a_end']})\n", style="dim")
                      + Text(p["a_text"], style=style),
                      Text(f"[{p['b_start']}, {p['b_end']})\n", style="dim")
                      + Text(p["b_text"], style=style))
    console.print(table)


def print_report(data: dict[str, Any], console: Any) -> None:
    """Draw :func:`read_report`'s dict on a rich console."""
    from rich.table import Table

    summary = data["summary"]
    table = Table(title=f"lineage report: {data['folder']}", show_header=False)
    table.add_row("input", str(summary.get("input", "")))
    table.add_row("lineage version", str(summary.get("lineage_version", "")))
    table.add_row("documents", str(summary.get("documents", "")))
    for relation in RELATIONS:
        table.add_row(f"pairs: {relation}", str(summary.get("pairs", {}).get(relation, 0)))
    table.add_row("families", str(summary.get("families", "")))
    if "stories" in summary:  # reports written before stories have none
        table.add_row("stories", str(summary["stories"]))
    table.add_row("passages", str(summary.get("passages", "")))
    if summary.get("run_seconds") is not None:
        table.add_row("run time", f"{summary['run_seconds']:.2f} s")
    table.add_row("files", ", ".join(data["files"]))
    console.print(table)
    if data["families"]:
        fams = Table(title="largest families")
        for col in ("family", "size", "root"):
            fams.add_column(col)
        for f in data["families"]:
            fams.add_row(str(f["family"]), str(f["size"]), f["root"])
        console.print(fams)
    if data["top_pairs"]:
        top = Table(title="reuse pairs, most shared text first")
        for col in ("a", "b", "relation", "likely source", "aligned a", "aligned b"):
            top.add_column(col)
        for p in data["top_pairs"]:
            top.add_row(p["a"], p["b"], p["relation"], p["likely_source"],
                        f"{p['aligned_a']:.2f}", f"{p['aligned_b']:.2f}")
        console.print(top)


# -- helpers -----------------------------------------------------------------------


def _number(value: Any) -> Any:
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value


def _read_csv(path: Path) -> pd.DataFrame | None:
    if not path.is_file():
        return None
    try:
        return pd.read_csv(path, dtype={"a": str, "b": str, "id": str, "likely_source": str})
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise LineageError(f"{path}: cannot read ({exc})") from None
