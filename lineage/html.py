"""A self-contained HTML page for an :class:`~lineage.pipeline.Analysis`.

:func:`report_data` turns the result tables into plain dicts and lists (the only
computation: the highlight segments of each pair's two texts); :func:`render_html`
puts them into the Jinja2 template ``templates/report.html.j2``, which inlines its CSS,
JavaScript and images, so the page works offline from a ``file://`` URL. The data is
embedded once as JSON; the page builds the pair table a page at a time and a pair's
side-by-side view only when it is opened, so it stays usable at thousands of documents.
"""

from __future__ import annotations

import base64
import itertools
import json
import math
import re
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from lineage.direction import doubted_dates
from lineage.pipeline import Analysis
from lineage.schema import PAIR_COLUMNS, RELATION_MEANINGS, RELATIONS, REUSE_RELATIONS
from lineage.story import story_members

__all__ = [
    "PAIR_FIELDS",
    "chart_images",
    "highlight_segments",
    "render_html",
    "report_data",
    "write_html",
]

#: Columns of ``pairs`` carried into the page, in this order (each row a list).
PAIR_FIELDS: tuple[str, ...] = (*PAIR_COLUMNS, "n_passages")

_DOC_FIELDS = ("id", "source", "title", "published", "n_chars", "family", "story")
_MAX_CHARTS = 24


def highlight_segments(spans: Iterable[tuple[int, int, int, str]]) -> list[list[Any]]:
    """Cut possibly overlapping passage spans of one text into disjoint segments.

    Parameters
    ----------
    spans : iterable of (start, end, passage, kind)
        ``[start, end)`` character offsets, the passage's number within its pair and its
        kind (``"verbatim"`` or ``"rewritten"``).

    Returns
    -------
    list of [start, end, kind, passages]
        Disjoint segments in text order, each covered by at least one span; ``kind`` is
        ``"verbatim"`` when any covering passage is verbatim, and ``passages`` lists the
        numbers of the covering passages.

    Examples
    --------
    >>> highlight_segments([(0, 10, 0, "rewritten"), (5, 8, 1, "verbatim")])
    [[0, 5, 'rewritten', [0]], [5, 8, 'verbatim', [0, 1]], [8, 10, 'rewritten', [0]]]
    """
    spans = [(int(s), int(e), int(p), k) for s, e, p, k in spans if int(e) > int(s)]
    cuts = sorted({x for s, e, _, _ in spans for x in (s, e)})
    out: list[list[Any]] = []
    for lo, hi in itertools.pairwise(cuts):
        covering = [(p, k) for s, e, p, k in spans if s <= lo and hi <= e]
        if not covering:
            continue
        kind = "verbatim" if any(k == "verbatim" for _, k in covering) else "rewritten"
        ids = sorted(p for p, _ in covering)
        if out and out[-1][1] == lo and out[-1][2] == kind and out[-1][3] == ids:
            out[-1][1] = hi
        else:
            out.append([lo, hi, kind, ids])
    return out


def report_data(result: Analysis, *, charts: Sequence[dict[str, str]] = ()) -> dict[str, Any]:
    """Everything the page shows, as plain JSON-ready values.

    Parameters
    ----------
    result : Analysis
    charts : sequence of dict, optional
        ``{"name", "family", "uri"}`` images to show, see :func:`chart_images`; a
        family's tree drawing goes with that family, the others into ``charts``.

    Returns
    -------
    dict
        ``overview`` (counts and rows of the flattened config), ``docs`` (``fields`` and
        ``rows``), ``texts`` (aligned with ``docs.rows``), ``pairs`` (``fields`` =
        :data:`PAIR_FIELDS` and ``rows``), ``views`` (per pair row number, as a string:
        ``passages`` and the highlight ``segments`` of sides ``a`` and ``b``),
        ``families`` (members, nested tree and timeline), ``stories`` (those told by
        more than one family or article: ``story, families, articles, size``) and
        ``charts``.
    """
    docs = result.documents
    summary = result.summary
    pairs = result.pairs.reset_index(drop=True)
    views = _views(pairs, result.passages)
    rows = _pair_rows(pairs)
    count = PAIR_FIELDS.index("n_passages")
    for i, row in enumerate(rows):  # the passages the pair view lists (reuse pairs')
        row[count] = len(views[str(i)]["passages"]) if str(i) in views else 0
    trees = {c["family"]: c["uri"] for c in charts if c.get("family") is not None}
    stories = story_members(docs)
    return {
        "overview": {
            "documents": int(summary.get("documents", len(docs))),
            "relations": [{"relation": r, "count": int(summary.get("pairs", {}).get(r, 0))}
                          for r in RELATIONS],
            "reuse_pairs": int(summary.get("reuse_pairs", 0)),
            "families": int(summary.get("families", 0)),
            "stories": int(summary.get("stories", 0)),
            "passages": int(summary.get("passages", len(result.passages))),
            "input": str(summary.get("input", "")),
            "version": str(summary.get("lineage_version", "")),
            "run_seconds": summary.get("run_seconds"),
            "copying": summary.get("copying", {}),
            "meanings": dict(RELATION_MEANINGS),
            "config": _flatten(summary.get("config", {})),
        },
        "docs": {"fields": list(_DOC_FIELDS), "rows": _doc_rows(docs)},
        "texts": [str(t) for t in docs["text"]],
        "pairs": {"fields": list(PAIR_FIELDS), "rows": rows},
        "relations": list(RELATIONS),
        "reuse_relations": sorted(REUSE_RELATIONS),
        "views": views,
        "families": _families(result, trees, stories),
        "stories": _stories(stories),
        "charts": [c for c in charts if c.get("family") is None],
    }


def render_html(result: Analysis, *, charts: Sequence[dict[str, str]] = ()) -> str:
    """The report page as one self-contained HTML string.

    Parameters
    ----------
    result : Analysis
    charts : sequence of dict, optional
        Images to embed, see :func:`chart_images`.

    Returns
    -------
    str
    """
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("lineage", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    data = report_data(result, charts=charts)
    return env.get_template("report.html.j2").render(
        overview=data["overview"], charts=data["charts"], data_json=_script_json(data)
    )


def chart_images(result: Analysis, *, folder: str | Path | None = None) -> list[dict[str, str]]:
    """PNG charts from :mod:`lineage.plot`, as ``{"name", "family", "uri"}``.

    ``uri`` is a ``data:`` URI; ``family`` is the family number of a tree drawing
    (``tree_family_<k>.png``) and ``None`` for a chart of the whole corpus. The charts
    come from ``lineage.plot.write_charts``; when ``folder`` already holds them (its
    ``charts.txt`` was written), they are read from there instead of drawn again.
    At most 24 are embedded.
    """
    if folder is not None and (Path(folder) / "charts.txt").is_file():
        return _png_uris(sorted(Path(folder).glob("*.png"), key=_chart_order))
    from lineage.plot import write_charts

    with tempfile.TemporaryDirectory() as tmp:
        return _png_uris([Path(p) for p in write_charts(result, Path(tmp)) or []])


def write_html(result: Analysis, folder: str | Path, *, charts: bool = True) -> Path:
    """Write ``report.html`` into ``folder``; usable as ``write_report(..., extra=...)``.

    Parameters
    ----------
    result : Analysis
    folder : str or Path
        An existing folder.
    charts : bool, default True
        Embed the charts of :func:`chart_images`.

    Returns
    -------
    Path
        The written file.
    """
    path = Path(folder) / "report.html"
    images = chart_images(result, folder=folder) if charts else []
    path.write_text(render_html(result, charts=images), encoding="utf-8")
    return path


# -- helpers -----------------------------------------------------------------------


def _script_json(data: Any) -> str:
    """JSON safe to put inside a ``<script type="application/json">`` element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _plain(value: Any) -> Any:
    """A JSON-ready scalar: ``None`` for missing, ISO text for times, Python numbers."""
    if value is None:
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.isoformat()
    if isinstance(value, str):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else round(value, 4)
    return value


def _doc_rows(docs: pd.DataFrame) -> list[list[Any]]:
    cols = [docs[c] if c in docs else pd.Series([None] * len(docs)) for c in _DOC_FIELDS]
    return [[_plain(v) for v in row] for row in zip(*cols, strict=True)]


def _pair_rows(pairs: pd.DataFrame) -> list[list[Any]]:
    cols = [pairs[c] if c in pairs else pd.Series([None] * len(pairs)) for c in PAIR_FIELDS]
    return [[_plain(v) for v in row] for row in zip(*cols, strict=True)]


def _views(pairs: pd.DataFrame, passages: pd.DataFrame) -> dict[str, Any]:
    if passages.empty or pairs.empty:
        return {}
    row_of = {(a, b): i for i, (a, b) in enumerate(zip(pairs["a"], pairs["b"], strict=True))}
    cols = ["a_start", "a_end", "b_start", "b_end", "kind", "similarity"]
    grouped: dict[int, list[list[Any]]] = {}
    keys = zip(passages["a"], passages["b"], strict=True)
    values = zip(*(passages[c].tolist() for c in cols), strict=True)
    for key, row in zip(keys, values, strict=True):
        if key in row_of:
            grouped.setdefault(row_of[key], []).append([_plain(v) for v in row])
    views: dict[str, Any] = {}
    for i, rows in grouped.items():
        rows.sort(key=lambda r: (r[0], r[2]))
        views[str(i)] = {
            "passages": rows,
            "a": highlight_segments((r[0], r[1], k, r[4]) for k, r in enumerate(rows)),
            "b": highlight_segments((r[2], r[3], k, r[4]) for k, r in enumerate(rows)),
        }
    return views


def _png_uris(paths: Sequence[Path]) -> list[dict[str, Any]]:
    pngs = [p for p in paths if p.suffix.lower() == ".png" and p.is_file()]
    captions = _captions(pngs[0].parent / "charts.txt") if pngs else {}
    return [
        {"name": p.stem, "family": _chart_family(p.stem), "uri": "data:image/png;base64,"
         + base64.b64encode(p.read_bytes()).decode("ascii"),
         "caption": captions.get(p.name, p.stem)}
        for p in pngs[:_MAX_CHARTS]
    ]


def _captions(note: Path) -> dict[str, str]:
    """Each chart's line of ``charts.txt`` (``name.png: what it shows``), by file name."""
    if not note.is_file():
        return {}
    lines = note.read_text(encoding="utf-8").splitlines()
    return dict(line.split(": ", 1) for line in lines if line.split(": ", 1)[0].endswith(".png"))


def _chart_order(path: Path) -> tuple[int, int, str]:
    family = _chart_family(path.stem)
    return (0, family, "") if family is not None else (1, 0, path.stem)


def _chart_family(stem: str) -> int | None:
    match = re.fullmatch(r"tree_family_(\d+)", stem)
    return int(match.group(1)) if match else None


def _families(result: Analysis, trees: dict[int, str], stories: pd.DataFrame
              ) -> list[dict[str, Any]]:
    fams = result.families
    if fams.empty:
        return []
    docs = result.documents
    published = dict(zip(docs["id"], (_plain(v) for v in docs["published"]), strict=True))
    outlet = dict(zip(docs["id"], (str(v or "") for v in docs["source"]), strict=True))
    doubted = set(docs["id"].to_numpy()[doubted_dates(docs)])
    tree = result.tree
    parent = dict(zip(tree["child"], tree["parent"], strict=True))
    conf = dict(zip(tree["child"], tree["confidence"], strict=True))
    evidence = dict(zip(tree["child"], tree["evidence"], strict=True))
    latent = result.latent
    credit = (dict(zip(latent["id"], latent["credit"].fillna("").astype(str), strict=True))
              if "credit" in latent else {})
    # an unseen source's reconstructed text (what its children share), shown under it
    latent_text = (dict(zip(latent["id"], latent["text"].fillna("").astype(str), strict=True))
                   if "text" in latent else {})
    story_of = ({i: int(k) for i, k in zip(docs["id"], docs["story"], strict=True)
                 if pd.notna(k)} if "story" in docs else {})
    # units (families, articles in no family) per story
    together = dict(zip(stories["story"].tolist(), stories["units"].tolist(), strict=True))
    out = []
    for fam, group in fams.groupby("family", sort=True):
        articles = [i for i, r in zip(group["id"], group["role"], strict=True) if r != "latent"]
        members = list(group["id"])
        roles = dict(zip(group["id"], group["role"], strict=True))
        for m in list(members):  # an unseen common source is a node of the tree too
            p = parent.get(m, "") or ""
            if p.startswith("latent:") and p not in roles:
                roles[p] = "latent"
                members.append(p)
        children: dict[str, list[str]] = {}
        for m in members:
            p = parent.get(m, "") or ""
            if p and p in roles:
                children.setdefault(p, []).append(m)
        roots = [m for m in members if (parent.get(m, "") or "") not in roles]
        info = {m: {"id": m, "role": roles.get(m, ""), "confidence": _plain(conf.get(m)),
                    "evidence": str(evidence.get(m, "") or ""),
                    "credit": credit.get(m, ""), "text": latent_text.get(m, "")}
                for m in members}
        timeline = []
        for m in articles:
            timeline.append({"id": m, "published": published.get(m), "source": outlet.get(m, ""),
                             "role": roles.get(m, ""), "doubted": m in doubted})
        timeline.sort(key=lambda t: (t["published"] is None, t["published"] or "", t["id"]))
        story = story_of.get(articles[0]) if articles else None
        out.append({"family": int(fam), "size": len(articles), "members": articles,
                    "story": story, "story_with": (together.get(story, 1) - 1) if story else 0,
                    "tree": [_tree_node(r, children, info, set()) for r in sorted(roots)],
                    "timeline": timeline,
                    "chart": trees.get(int(fam))})
    return out


def _stories(stories: pd.DataFrame) -> list[dict[str, Any]]:
    """Stories that join two or more units (families, articles in no family), from
    :func:`lineage.story.story_members`."""
    told = stories[stories["units"] >= 2]
    return [{"story": int(k), "families": f, "articles": a, "size": int(n)}
            for k, f, a, n in zip(told["story"], told["families"], told["articles"],
                                  told["size"], strict=True)]


def _tree_node(i: str, children: dict[str, list[str]], info: dict[str, dict[str, Any]],
               seen: set[str]) -> dict[str, Any]:
    seen.add(i)
    kids = [k for k in sorted(children.get(i, [])) if k not in seen]
    return {**info[i], "children": [_tree_node(k, children, info, seen) for k in kids]}


def _flatten(config: Any, prefix: str = "") -> list[list[str]]:
    if isinstance(config, dict):
        rows: list[list[str]] = []
        for key, value in config.items():
            rows += _flatten(value, f"{prefix}{key}.")
        return rows
    if isinstance(config, list | tuple):
        config = ", ".join(str(v) for v in config)
    return [[prefix.rstrip("."), str(config)]]
