"""Charts of an analysis: a family's derivation tree, a similarity heatmap, a timeline.

Drawing functions follow networkx's style: they take ``ax=None`` (a new figure is
made when it is missing), import matplotlib only inside, and return the Axes.
:func:`write_charts` writes the PNG files of a report. Nothing here computes
lineage; the charts only show the tables of an :class:`~lineage.pipeline.Analysis`.
"""

from __future__ import annotations

import functools
import os
import sys
import textwrap
import unicodedata
from collections.abc import Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import networkx as nx
import numpy as np
import pandas as pd

from lineage.direction import doubted_dates
from lineage.schema import REUSE_RELATIONS

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["CHART_DPI", "draw_heatmap", "draw_timeline", "draw_tree", "write_charts"]

#: Resolution of the PNG files written by :func:`write_charts`.
CHART_DPI = 120

_LATENT = "latent:"
_ROOT_FACE, _MEMBER_FACE, _LATENT_FACE = "#fde3c3", "#d8e6f5", "#ffffff"
_NO_DATE = "#eeeeee"
_DOUBTED = "#d62728"
_LABEL_CHARS = 26
_LABELLED_POINTS = 30
#: Fonts tried glyph by glyph after matplotlib's own DejaVu Sans (matplotlib's font
#: fallback), those the system has: CJK and Thai outlet names draw where one is
#: installed (Debian: fonts-noto-cjk, fonts-wqy-zenhei, fonts-thai-tlwg).
_FALLBACK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans CJK KR",
                   "Noto Sans CJK TC", "Source Han Sans SC", "Source Han Sans",
                   "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Droid Sans Fallback",
                   "Noto Sans Thai", "TlwgTypist", "Noto Sans")
#: Scripts whose letters change shape or order with their neighbours, which
#: matplotlib's text layout does not do: a label in them would be drawn garbled.
_SHAPED = ((0x0590, 0x08FF), (0x0900, 0x0DFF), (0x0F00, 0x0FFF), (0x1000, 0x109F),
           (0x1780, 0x17FF), (0xFB1D, 0xFDFF), (0xFE70, 0xFEFF))


@functools.cache
def _fonts() -> tuple[tuple[str, ...], frozenset[int]]:
    """The installed :data:`_FALLBACK_FONTS`, and every character the charts' fonts
    (matplotlib's default and those) can draw."""
    from matplotlib import font_manager, ft2font, rcParams

    installed = {f.name: f.fname for f in font_manager.fontManager.ttflist}
    families = tuple(name for name in _FALLBACK_FONTS if name in installed)
    paths = [font_manager.findfont(font_manager.FontProperties(family=rcParams["font.family"]))]
    paths += [installed[name] for name in families]
    chars: set[int] = set()
    for path in dict.fromkeys(paths):
        try:
            chars.update(ft2font.FT2Font(path).get_charmap())
        except (OSError, RuntimeError):  # a font file matplotlib cannot read
            continue
    return families, frozenset(chars)


@functools.lru_cache(maxsize=65536)
def _legible(text: str) -> bool:
    """Whether the charts can draw ``text``: an installed font holds each character,
    and none is of a script that needs shaping or right-to-left layout, which
    matplotlib does not do (Arabic, Hebrew, Indic scripts)."""
    chars = _fonts()[1]
    for ch in text:
        cp = ord(ch)
        if ch.isspace():
            continue
        if (cp not in chars or unicodedata.bidirectional(ch) in ("R", "AL")
                or any(lo <= cp <= hi for lo, hi in _SHAPED)):
            return False
    return True


def _width(text: str) -> float:
    """``text``'s width in Latin characters: CJK ideographs and kana are about two."""
    return sum(1.8 if unicodedata.east_asian_width(ch) in "WF" else 1.0 for ch in text)


@contextmanager
def _chart_fonts():
    """matplotlib's font family followed by the installed fallbacks, for the texts
    made inside (a text takes its font family when it is made)."""
    from matplotlib import rc_context, rcParams

    families = _fonts()[0]
    current = rcParams["font.family"]
    current = [current] if isinstance(current, str) else list(current)
    with rc_context({"font.family": [*current, *families]} if families else {}):
        yield


def _with_fonts(draw):
    @functools.wraps(draw)
    def wrapped(*args, **kwargs):
        with _chart_fonts():
            return draw(*args, **kwargs)
    return wrapped


def _illegible_note(documents: pd.DataFrame) -> str:
    """A line for charts.txt when some outlets or ids cannot be drawn, else ''."""
    sources = (documents["source"].dropna().astype(str).str.strip().unique()
               if "source" in documents else [])
    outlets = sum(1 for s in sources if s and s.lower() != "nan" and not _legible(s))
    ids = sum(1 for d in documents["id"].astype(str) if not _legible(d))
    if not outlets and not ids:
        return ""
    return (f"{outlets} outlet names and {ids} ids are in a script these charts cannot draw "
            "(no installed font has it, or it is written right to left or needs shaping, "
            "which matplotlib does not do): the charts leave those outlets out and show "
            "such an id as its row in documents.csv ('row N'). With a font such as Noto "
            "Sans CJK installed (Debian: fonts-noto-cjk), CJK names are drawn.")



@_with_fonts
def draw_tree(result_or_tables: Any, family: int, *, ax: Axes | None = None) -> Axes:
    """Draw one family's derivation tree, top-down from its root.

    Layers come from the ``parent`` links of the tree table (networkx topological
    generations); each article is a box labelled with its outlet (``source``; its
    ``title`` when the outlet is unknown), its publication time when known, and a
    short id.
    An unseen common source (``parent`` ``"latent:<family>"``) is a dashed box.
    Arrows point from parent to child; their width is the tree's ``confidence``.

    Parameters
    ----------
    result_or_tables : Analysis or mapping of DataFrames
        Anything with ``tree`` (``child, parent, confidence``) and ``families``
        (``family, id, role``) tables, as attributes or keys; ``documents``
        (``id, source, published``) is used for labels when present, and ``latent``
        (``id, credit``) names the agency an unseen source's children credit.
    family : int
        The family number, as in ``families.family``.
    ax : matplotlib Axes, optional
        Where to draw; a new figure sized to the tree when missing.

    Returns
    -------
    matplotlib Axes

    Raises
    ------
    ValueError
        When ``family`` has no articles in the tree.
    """
    tables = _tables(result_or_tables)
    graph = _family_graph(tables, family)
    _, xs = _tree_layout(graph)
    ys = {n: graph.nodes[n]["y"] for n in graph.nodes}
    width = max(xs.values()) - min(xs.values()) + 1
    depth = _tree_rows(graph)
    if ax is None:
        ax = _new_axes(*_tree_size(width, depth))
    font = _tree_font(ax, width, depth)
    labels = _node_labels(tables.documents, graph, _credits(tables.latent))
    boxes = {}
    for node in graph.nodes:
        latent = graph.nodes[node]["latent"]
        face = _LATENT_FACE if latent else (
            _ROOT_FACE if graph.in_degree(node) == 0 else _MEMBER_FACE)
        boxes[node] = ax.text(
            xs[node], ys[node], labels[node], ha="center", va="center",
            fontsize=font, zorder=3, linespacing=1.25, gid=f"node:{node}",
            bbox={"boxstyle": "round,pad=0.4", "facecolor": face,
                  "edgecolor": "#555555" if latent else "#333333",
                  "linestyle": "--" if latent else "-", "linewidth": 1.0},
        )
    for parent, child, data in graph.edges(data=True):
        conf = data["confidence"]
        ax.annotate(
            "", xy=(0.5, 1.0), xycoords=boxes[child], xytext=(0.5, 0.0),
            textcoords=boxes[parent], zorder=2,
            arrowprops={"arrowstyle": "-|>,head_length=0.5,head_width=0.25",
                        "color": "#444444", "linewidth": 0.6 + 3.4 * conf,
                        "linestyle": "--" if graph.nodes[parent]["latent"] else "-",
                        "shrinkA": 1, "shrinkB": 1},
        )
        # a wrapped row's numbers sit just above each copy, not half way up its arrow
        at = ((xs[child], ys[child] + 0.4) if graph.nodes[child]["wrapped"]
              else ((xs[parent] + xs[child]) / 2, (ys[parent] + ys[child]) / 2))
        ax.text(*at, f"{conf:.2f}", ha="center", va="center", fontsize=font * 0.85,
                color="#444444", zorder=4,
                bbox={"boxstyle": "square,pad=0.1", "facecolor": "white",
                      "edgecolor": "none", "alpha": 0.85})
    ax.set_xlim(min(xs.values()) - 0.6, max(xs.values()) + 0.6)
    ax.set_ylim(-(depth - 1) - 0.5, 0.5)
    ax.set_axis_off()
    n_docs = sum(not graph.nodes[n]["latent"] for n in graph.nodes)
    ax.set_title(f"Family {family}: who copied whom ({n_docs} articles)",
                 fontsize=font + 3, loc="left")
    width_in = ax.figure.get_size_inches()[0] * ax.get_position().width
    doubted = any(" (?)" in t for t in labels.values())
    legend = textwrap.fill(_tree_legend(graph, doubted),
                           max(int(width_in * 72 / (font * 0.9 * 0.55)), 30))
    ax.text(0.0, -0.01, legend, transform=ax.transAxes, ha="left", va="top",
            fontsize=font * 0.9, color="#444444")
    return ax


@_with_fonts
def draw_heatmap(result: Any, *, ax: Axes | None = None, max_docs: int = 100) -> Axes:
    """Draw a document-by-document similarity heatmap, ordered by family.

    A reuse pair shows the larger of its aligned shares (``max(aligned_a,
    aligned_b)``) in orange to red, a ``same-story`` pair its word TF-IDF cosine in
    grey (no text was taken), other pairs 0.
    Rows run family by family (largest first, each in tree order), then the
    articles in no family; each family's block is outlined.

    Parameters
    ----------
    result : Analysis or mapping of DataFrames
        Needs ``documents`` and ``pairs``; ``families`` and ``tree`` order the rows.
    ax : matplotlib Axes, optional
        Where to draw; a new figure sized to the number of articles when missing.
    max_docs : int, default 100
        Show at most this many articles (the first in the order above).

    Returns
    -------
    matplotlib Axes
    """
    tables = _tables(result)
    order, fam = _heatmap_order(tables)
    n_all = len(order)
    order, fam = _whole_families(order, fam, max_docs)
    n = len(order)
    if ax is None:
        ax = _new_axes(*_heatmap_size(tables, max_docs))
    matrix = _similarity_matrix(tables.pairs, order)
    story = _story_cells(tables.pairs, order)
    image = ax.imshow(np.where(story, 0.0, matrix), cmap="OrRd", vmin=0.0, vmax=1.0,
                      interpolation="nearest", aspect="equal")
    if story.any():  # same story, no text taken: grey, apart from the reuse scale
        ax.imshow(np.ma.masked_where(~story, matrix), cmap="Greys", vmin=0.0, vmax=1.0,
                  interpolation="nearest", aspect="equal")
    font = _heatmap_font(ax, n)
    labels = _short_labels(tables.documents.set_index("id"), order, width=_LABEL_CHARS)
    ax.set_xticks(range(n), labels, rotation=90, fontsize=font)
    ax.set_yticks(range(n), labels, fontsize=font)
    ax.tick_params(length=1.5, pad=1.5)
    for k, start, stop in _runs(fam):
        if k is None:
            continue
        ax.add_patch(_rectangle((start - 0.5, start - 0.5), stop - start, stop - start))
        ax.annotate(f"family {k}", xy=(1.0, 1 - (start + stop) / 2 / max(n, 1)),
                    xycoords="axes fraction", xytext=(4, 0), textcoords="offset points",
                    fontsize=font, va="center", ha="left", color="#1f3b73")
    title = "Similarity between articles, grouped by family"
    if n < n_all:
        title += f" (first {n} of {n_all} articles)"
    ax.set_title(title, fontsize=font + 4, loc="left", pad=8)
    width = ax.figure.get_size_inches()[0] * ax.get_position().width
    gap = _family_label_inches(font) / max(width, 0.5)
    cax = ax.inset_axes((1.0 + gap, 0.25, min(0.035, 0.25 / max(width, 0.5)), 0.5))
    bar = ax.figure.colorbar(image, cax=cax)
    bar.set_label("share of text in shared passages (reuse pairs); 0 = unrelated\n"
                  "grey: same story, no text taken (darker = closer wording)",
                  fontsize=font + 1)
    bar.ax.tick_params(labelsize=font + 1)
    return ax


@_with_fonts
def draw_timeline(result: Any, *, ax: Axes | None = None, max_families: int = 20) -> Axes:
    """Draw publication time against family, with an arrow for each derivation edge.

    Each family is a row (largest at the top), then a row of articles in no
    family. Roots are stars, copies dots; arrows run parent to child. Articles
    without a publication date sit in a shaded "no date" strip at the right. A date
    far from the rest of its family (see :func:`lineage.direction.trusted_times`),
    which the direction evidence does not use, is ringed in red: an arrow running
    back in time to or from it is a wrong date, not a copy from the future.

    Parameters
    ----------
    result : Analysis or mapping of DataFrames
        Needs ``documents`` (``id, published, family``); ``tree`` gives the arrows.
    ax : matplotlib Axes, optional
        Where to draw; a new figure sized to the rows when missing.
    max_families : int, default 20
        Show at most this many families (the largest); the rest are said omitted.

    Returns
    -------
    matplotlib Axes
    """
    from matplotlib import dates as mdates
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    tables = _tables(result)
    docs = tables.documents
    families = _family_sizes(tables)
    shown = families.index[:max_families].tolist()
    rows = {k: i for i, k in enumerate(shown)}
    fam = docs["family"] if "family" in docs else pd.Series(pd.NA, index=docs.index)
    loose = fam.isna()
    n_rows = len(shown) + int(loose.any())
    if ax is None:
        ax = _new_axes(11.0, max(3.2, 1.4 + 0.42 * n_rows))
    y = np.array([rows.get(k, -1) if pd.notna(k) else len(shown) for k in fam], dtype=float)
    keep = y >= 0
    when = pd.to_datetime(docs["published"], utc=True)
    x, strip, dated = _time_positions(when, keep)
    dated_rows = when.notna().to_numpy()
    y = y + _jitter(docs["id"]) * 0.25
    parents = tables.tree["parent"].astype(str)
    roots = set(tables.tree.loc[(parents == "") | parents.str.startswith(_LATENT), "child"])
    colors = _family_colors(shown)
    doubted = doubted_dates(docs.assign(published=when, family=fam)) & keep
    if doubted.any():
        ax.scatter(x[doubted], y[doubted], s=150, marker="o", facecolors="none", zorder=4,
                   edgecolors=_DOUBTED, linewidths=1.3, gid="doubted-dates")
    for k in [*shown, None]:
        sel = keep & (loose.to_numpy() if k is None else (fam == k).fillna(False).to_numpy())
        if not sel.any():
            continue
        color = colors.get(k, "#9a9a9a")
        is_root = docs["id"].isin(roots).to_numpy()
        if k is None:  # no reuse found: hollow, so it does not read as a copy
            ax.scatter(x[sel], y[sel], s=34, marker="o", facecolors="white", zorder=3,
                       edgecolors="#555555", linewidths=0.8)
            continue
        for mask, marker, size in ((sel & ~is_root, "o", 34), (sel & is_root, "*", 120)):
            ax.scatter(x[mask], y[mask], s=size, marker=marker, color=color, zorder=3,
                       edgecolors="#222222", linewidths=0.5)
    labels = [f"family {k} ({families[k]})" for k in shown]
    if loose.any():
        labels.append(f"no family ({int(loose.sum())})")
    ax.set_yticks(range(n_rows), labels, fontsize=9)
    ax.set_ylim(n_rows - 0.5, -0.5)
    for i in range(n_rows):
        ax.axhline(i, color="#dddddd", linewidth=0.6, zorder=0)
    _set_time_limits(ax, x[keep], strip)
    if keep.sum() <= _LABELLED_POINTS:
        names = _short_labels(docs.set_index("id"), docs["id"].tolist(), width=18)
        for i in np.flatnonzero(keep):
            ax.annotate(names[i], (x[i], y[i]), xytext=(0, -7), textcoords="offset points",
                        ha="center", va="top", fontsize=7, color="#333333")
    _timeline_arrows(ax, tables.tree, docs["id"], x, y, keep,
                     [colors.get(k, "#777777") if pd.notna(k) else "#777777" for k in fam],
                     n_rows, dated_rows)
    if strip is not None:
        ax.axvspan(*strip, color=_NO_DATE, zorder=0)
        if dated:
            ax.axvline(strip[0], color="#888888", linewidth=0.8, linestyle=(0, (4, 3)),
                       zorder=1)
        ax.text((strip[0] + strip[1]) / 2, -0.5, "no date", ha="center", va="bottom",
                fontsize=9, color="#555555")
    if dated:
        locator = mdates.AutoDateLocator(minticks=3, maxticks=9)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        # no tick past the last date: the "no date" strip is not a time
        right = float(x[keep & dated_rows].max()) if strip is not None else ax.get_xlim()[1]
        ticks = [t for t in locator.tick_values(*mdates.num2date(ax.get_xlim()))
                 if t <= right]
        ax.set_xticks(ticks)
        ax.set_xlabel("publication time (UTC)", fontsize=9)
    else:
        ax.set_xticks([])
        ax.set_xlabel("no article has a publication date", fontsize=9)
    ax.tick_params(axis="x", labelsize=8)
    handles = [Line2D([], [], marker="*", linestyle="", color="#777777", markersize=10,
                      label="root, or copy of an unseen source"),
               Line2D([], [], marker="o", linestyle="", color="#777777", markersize=6,
                      label="copy"),
               Line2D([], [], color="#777777", marker=">", markersize=4,
                      label="derivation: parent → child")]
    if strip is not None and dated:
        handles.append(Line2D([], [], color="#777777", alpha=0.5, linestyle=(0, (3, 2)),
                              label="derivation to or from an undated article"))
    if loose.any():
        handles.insert(2, Line2D([], [], marker="o", linestyle="", markerfacecolor="white",
                                 markeredgecolor="#555555", markersize=6,
                                 label="in no family (no reuse found)"))
    if doubted.any():
        handles.append(Line2D([], [], marker="o", linestyle="", markerfacecolor="none",
                              markeredgecolor=_DOUBTED, markersize=9,
                              label="date far from its family's: likely wrong, not used"))
    if strip is not None:
        handles.append(Patch(color=_NO_DATE, label="no date (placed at the side)"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8,
              frameon=False)
    title = "Publication timeline by family"
    if len(families) > len(shown):
        title += f" ({len(shown)} largest of {len(families)} families; the rest omitted)"
    ax.set_title(title, fontsize=11, loc="left")
    return ax


def write_charts(result: Any, folder: str | Path, *, max_families: int = 12) -> list[Path]:
    """Write a report's charts into ``folder``.

    Writes ``tree_family_<k>.png`` for the ``max_families`` largest families,
    ``heatmap.png``, ``timeline.png`` (all at :data:`CHART_DPI`), and
    ``charts.txt``, which says what each file shows and which families were
    left out. Figures are closed after saving.

    Parameters
    ----------
    result : Analysis or mapping of DataFrames
    folder : str or Path
        An existing folder (a report folder, or the temporary one of
        :func:`lineage.write.write_report`; pass ``extra=write_charts``).
    max_families : int, default 12
        Draw trees (and timeline rows) for at most this many families.

    Returns
    -------
    list of Path
        The files written: the PNGs, then ``charts.txt``.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tables = _tables(result)
    sizes = _family_sizes(tables)
    drawn = sizes.index[:max_families].tolist()
    written = []
    for k in drawn:
        graph = _family_graph(tables, k)
        _, xs = _tree_layout(graph)
        width = max(xs.values()) - min(xs.values()) + 1
        fig = _figure(*_tree_size(width, _tree_rows(graph)))
        draw_tree(tables, k, ax=fig.add_subplot())
        written.append(_save(fig, folder / f"tree_family_{k}.png"))
    fig = _figure(*_heatmap_size(tables, 100))
    draw_heatmap(tables, ax=fig.add_subplot(), max_docs=100)
    written.append(_save(fig, folder / "heatmap.png"))
    n_rows = min(len(sizes), max_families) + 1
    fig = _figure(12.0, max(3.4, 1.6 + 0.42 * n_rows))
    draw_timeline(tables, ax=fig.add_subplot(), max_families=max_families)
    written.append(_save(fig, folder / "timeline.png"))
    note = folder / "charts.txt"
    n_heat = len(_whole_families(*_heatmap_order(tables), 100)[0])
    text = _charts_note(sizes, drawn, len(tables.documents), n_heat)
    illegible = _illegible_note(tables.documents)
    note.write_text(text + (f"\n{illegible}\n" if illegible else ""), encoding="utf-8")
    written.append(note)
    return written


# -- tables ------------------------------------------------------------------------


class _Tables(NamedTuple):
    documents: pd.DataFrame
    pairs: pd.DataFrame
    families: pd.DataFrame
    tree: pd.DataFrame
    latent: pd.DataFrame


def _tables(result: Any) -> _Tables:
    if isinstance(result, _Tables):
        return result

    def get(name: str, columns: tuple[str, ...]) -> pd.DataFrame:
        table = result.get(name) if isinstance(result, Mapping) else getattr(result, name, None)
        return pd.DataFrame(columns=list(columns)) if table is None else table

    documents = get("documents", ("id", "source", "published", "family"))
    tree = get("tree", ("child", "parent", "confidence")).copy()
    tree["parent"] = tree["parent"].fillna("").astype(str)
    return _Tables(documents, get("pairs", ("a", "b", "relation")),
                   get("families", ("family", "id", "role")), tree,
                   get("latent", ("id", "credit")))


def _family_sizes(tables: _Tables) -> pd.Series:
    """Articles per family (latent nodes not counted), largest first, then by number."""
    fams = tables.families
    if fams.empty:
        return pd.Series(dtype=np.int64)
    real = fams[fams["role"] != "latent"]
    sizes = real.groupby("family").size()
    frame = pd.DataFrame({"size": sizes, "k": sizes.index})
    frame = frame.sort_values(["size", "k"], ascending=[False, True])
    return frame["size"]


def _family_graph(tables: _Tables, family: int) -> nx.DiGraph:
    fams = tables.families
    ids = set(fams.loc[fams["family"] == family, "id"])
    latent = f"{_LATENT}{family}"
    rows = tables.tree[tables.tree["child"].isin(ids) | (tables.tree["parent"] == latent)]
    if rows.empty:
        raise ValueError(f"family {family} has no articles in the tree")
    graph = nx.DiGraph()
    for child, parent, conf in rows[["child", "parent", "confidence"]].itertuples(index=False):
        graph.add_node(child)
        if parent:
            graph.add_edge(parent, child, confidence=float(np.clip(conf, 0.0, 1.0)))
    for node in graph.nodes:
        graph.nodes[node]["latent"] = str(node).startswith(_LATENT)
    return graph


def _heatmap_order(tables: _Tables) -> tuple[list[str], list[Any]]:
    """Article ids family by family (tree order inside), then the rest; and their family."""
    order: list[str] = []
    fam: list[Any] = []
    for k in _family_sizes(tables).index:
        graph = _family_graph(tables, k)
        _, xs = _tree_layout(graph)
        members = [n for n in sorted(xs, key=lambda n: (graph.nodes[n]["layer"], xs[n]))
                   if not graph.nodes[n]["latent"]]
        order += members
        fam += [k] * len(members)
    seen = set(order)
    rest = [d for d in tables.documents["id"] if d not in seen]
    return order + rest, fam + [None] * len(rest)


def _whole_families(order: list[str], fam: list[Any], limit: int
                    ) -> tuple[list[str], list[Any]]:
    """The first ``limit`` of ``order``, cut back to the last whole family when the cut
    would split one (unless that family is the first: then its first ``limit``)."""
    stop = min(limit, len(order))
    if stop < len(order) and fam[stop] is not None and fam[stop - 1] == fam[stop]:
        start = stop - 1
        while start > 0 and fam[start - 1] == fam[stop]:
            start -= 1
        stop = start or stop
    return order[:stop], fam[:stop]


def _similarity_matrix(pairs: pd.DataFrame, order: list[str]) -> np.ndarray:
    """Each pair's value (see :func:`draw_heatmap`), 1 on the diagonal; :func:`_story_cells`
    says which cells are same-story pairs."""
    n = len(order)
    matrix = np.zeros((n, n))
    np.fill_diagonal(matrix, 1.0)
    if pairs.empty or n == 0:
        return matrix
    pos = pd.Series(np.arange(n), index=order)
    keep = pairs[pairs["a"].isin(pos.index) & pairs["b"].isin(pos.index)]
    reuse = keep["relation"].isin(REUSE_RELATIONS).to_numpy()
    value = np.where(reuse, np.maximum(keep["aligned_a"], keep["aligned_b"]),
                     np.where(keep["relation"] == "same-story", keep["tfidf_cosine"], 0.0))
    i, j = pos[keep["a"]].to_numpy(), pos[keep["b"]].to_numpy()
    matrix[i, j] = matrix[j, i] = np.clip(value.astype(float), 0.0, 1.0)
    return matrix


def _story_cells(pairs: pd.DataFrame, order: list[str]) -> np.ndarray:
    """True at the cells of ``same-story`` pairs (both ways)."""
    n = len(order)
    cells = np.zeros((n, n), dtype=bool)
    if pairs.empty or n == 0:
        return cells
    pos = pd.Series(np.arange(n), index=order)
    keep = pairs[pairs["a"].isin(pos.index) & pairs["b"].isin(pos.index)
                 & (pairs["relation"] == "same-story")]
    i, j = pos[keep["a"]].to_numpy(), pos[keep["b"]].to_numpy()
    cells[i, j] = cells[j, i] = True
    return cells


# -- layout ------------------------------------------------------------------------


#: Childless copies of one parent drawn side by side before they wrap into rows (a
#: wire story that a hundred papers ran), and the distance between those rows.
_WRAP = 12
_ROW = 0.8


def _tree_layout(graph: nx.DiGraph) -> tuple[list[list[Any]], dict[Any, float]]:
    """Layers (networkx topological generations) and an x for every node; each node's
    ``y`` (``-layer``, lower for wrapped rows) is set on the graph.

    Leaves take consecutive places in depth-first order (children by id); a
    parent sits above the middle of its children, so edges never cross. A parent
    with more than ``_WRAP`` childless children sets those in rows of ``_WRAP``
    under it (``wrapped`` on each), its other children to their right.
    """
    layers = [sorted(layer, key=str) for layer in nx.topological_generations(graph)]
    for depth, layer in enumerate(layers):
        for node in layer:
            graph.nodes[node]["layer"] = depth
            graph.nodes[node]["y"] = -float(depth)
            graph.nodes[node]["wrapped"] = False
    xs: dict[Any, float] = {}
    nxt = [0.0]

    def place(node: Any) -> float:
        kids = sorted(graph.successors(node), key=str)
        leaves = [k for k in kids if graph.out_degree(k) == 0]
        if not kids:
            xs[node] = nxt[0]
            nxt[0] += 1.0
        elif len(leaves) > _WRAP:
            start, below = nxt[0], graph.nodes[node]["y"] - 1.0
            for i, leaf in enumerate(leaves):
                xs[leaf] = start + i % _WRAP
                graph.nodes[leaf]["y"] = below - _ROW * (i // _WRAP)
                graph.nodes[leaf]["wrapped"] = True
            nxt[0] = start + _WRAP
            spots = [start, start + _WRAP - 1.0]
            spots += [place(kid) for kid in kids if graph.out_degree(kid) > 0]
            xs[node] = (spots[0] + spots[-1]) / 2
        else:
            spots = [place(kid) for kid in kids]
            xs[node] = (spots[0] + spots[-1]) / 2
        return xs[node]

    for root in layers[0]:
        place(root)
    return layers, xs


def _tree_rows(graph: nx.DiGraph) -> float:
    """How many layers deep the drawing is, wrapped rows included."""
    return 1.0 - min(graph.nodes[n]["y"] for n in graph.nodes)


def _time_positions(when: pd.Series, keep: np.ndarray):
    """x of each article: its date, or a place in a "no date" strip at the right."""
    from matplotlib import dates as mdates

    known = when.notna().to_numpy()
    missing = np.flatnonzero(~known & keep)
    x = np.zeros(len(when))
    if (known & keep).any():
        nums = mdates.date2num(when[known].dt.tz_convert(None).to_numpy())
        x[known] = nums
        lo, hi = nums[keep[known]].min(), nums[keep[known]].max()
        span = max(hi - lo, 1 / 24)
        left = hi + 0.06 * span
        strip = (left, left + 0.14 * span)
        dated = True
    else:
        span, strip, dated = 1.0, (0.0, 1.0), False
    if len(missing):
        step = (strip[1] - strip[0]) / (len(missing) + 1)
        x[missing] = strip[0] + step * (1 + np.arange(len(missing)))
    elif dated:
        strip = None
    return x, strip, dated


def _set_time_limits(ax: Axes, x: np.ndarray, strip: tuple[float, float] | None) -> None:
    """Pad the dated range; a "no date" strip, when there is one, ends at the right edge."""
    lo, hi = (float(x.min()), float(x.max())) if len(x) else (0.0, 1.0)
    if strip is None:
        pad = 0.03 * max(hi - lo, 1 / 24)
        ax.set_xlim(lo - pad, hi + pad)
        return
    lo, hi = min(lo, strip[0]), max(hi, strip[1])
    ax.set_xlim(lo - (0.03 * (hi - lo) if lo < strip[0] else 0.0), hi)


def _timeline_arrows(ax: Axes, tree: pd.DataFrame, ids: pd.Series, x: np.ndarray,
                     y: np.ndarray, keep: np.ndarray, colors: list[Any], n_rows: int,
                     dated: np.ndarray) -> None:
    """Arcs parent -> child, bowing up by about a third of a row whatever their length;
    dashed and faint where one end has no date (its place in the strip is no time)."""
    index = {doc: i for i, doc in enumerate(ids)}
    w, h = ax.figure.get_size_inches() * np.array(ax.get_position().size)
    x0, x1 = ax.get_xlim()
    row = h / max(n_rows, 1)
    for child, parent, conf in tree[["child", "parent", "confidence"]].itertuples(index=False):
        c, p = index.get(child), index.get(parent)
        if c is None or p is None or not (keep[c] and keep[p]):
            continue
        dist = float(np.hypot((x[c] - x[p]) / (x1 - x0) * w, (y[c] - y[p]) * row))
        rad = float(np.clip(0.35 * row / max(dist, 1e-3), 0.05, 0.5))
        rad = -rad if x[c] >= x[p] else rad
        timed = bool(dated[c] and dated[p])
        ax.annotate("", xy=(x[c], y[c]), xytext=(x[p], y[p]), zorder=2,
                    arrowprops={"arrowstyle": "-|>,head_length=0.4,head_width=0.2",
                                "color": colors[c], "linewidth": 0.5 + 1.5 * float(conf),
                                "alpha": 0.8 if timed else 0.35, "shrinkA": 4, "shrinkB": 4,
                                "linestyle": "-" if timed else (0, (3, 2)),
                                "connectionstyle": f"arc3,rad={rad:.3f}"})


def _jitter(ids: pd.Series) -> np.ndarray:
    """A small, deterministic vertical offset per article, so dots at one time separate."""
    codes = np.array([sum(map(ord, str(i))) * 2654435761 % 997 for i in ids], dtype=float)
    return codes / 997 - 0.5


def _tree_size(width: float, depth: float) -> tuple[float, float, dict[str, float]]:
    """Figure size (inches) and subplot margins for a tree ``width`` leaves wide."""
    w = float(np.clip(1.5 * width + 0.8, 5.0, 24.0))
    h = float(np.clip(1.2 * depth + 1.1, 3.0, 16.0))
    return w, h, {"left": 0.1 / w, "right": 1 - 0.1 / w, "bottom": 0.45 / h,
                  "top": 1 - 0.5 / h}


def _tree_font(ax: Axes, width: float, depth: float) -> float:
    w, h = ax.figure.get_size_inches() * np.array(ax.get_position().size)
    return float(np.clip(min(w / width * 6.0, h / depth * 6.5), 5.0, 9.0))


def _heatmap_size(tables: _Tables, max_docs: int) -> tuple[float, float, dict[str, float]]:
    """Figure size (inches) and subplot margins for the heatmap of ``tables``."""
    order = _whole_families(*_heatmap_order(tables), max_docs)[0]
    n = len(order)
    chars = max((_width(t) for t in _short_labels(tables.documents.set_index("id"), order,
                                                width=_LABEL_CHARS)), default=4)
    side = float(np.clip(0.11 * n + 1.5, 4.5, 13.0))
    font = float(np.clip(side * 72 / max(n, 1) * 0.8, 4.0, 9.0))
    label = chars * font * 0.62 / 72 + 0.25
    left, bottom, top = label, label, 0.55
    right = _family_label_inches(font) + 1.4
    w, h = left + side + right, bottom + side + top
    return w, h, {"left": left / w, "right": 1 - right / w, "bottom": bottom / h,
                  "top": 1 - top / h}


def _family_label_inches(font: float) -> float:
    return 10 * font * 0.62 / 72 + 0.15


def _heatmap_font(ax: Axes, n: int) -> float:
    w, h = ax.figure.get_size_inches() * np.array(ax.get_position().size)
    return float(np.clip(min(w, h) * 72 / max(n, 1) * 0.8, 4.0, 9.0))


# -- labels and drawing helpers ----------------------------------------------------


def _credits(latent: pd.DataFrame) -> dict[str, str]:
    """The agencies each unseen source's children credit, by latent id (none: absent)."""
    if "credit" not in latent or latent.empty:
        return {}
    credit = latent["credit"].fillna("").astype(str)
    return dict(zip(latent["id"][credit != ""], credit[credit != ""], strict=True))


def _node_labels(documents: pd.DataFrame, graph: nx.DiGraph,
                 credits: dict[str, str] | None = None) -> dict[Any, str]:
    doubted: set[Any] = set()
    rows = ({d: i for i, d in enumerate(documents["id"], start=1)} if "id" in documents
            else {d: i for i, d in enumerate(documents.index, start=1)})
    if "id" in documents:
        # the family's own rows (its tree holds every member): a date is doubted
        # against its family's alone, so nothing else needs reading
        documents = documents[documents["id"].isin(graph.nodes)]
        doubted = set(documents["id"].to_numpy()[doubted_dates(documents)])
    docs = documents.set_index("id") if "id" in documents else documents
    labels = {}
    for node in graph.nodes:
        if graph.nodes[node]["latent"]:
            credit = (credits or {}).get(node)
            labels[node] = ("unseen\ncommon source" if not credit
                            else f"unseen source\ncredited: {_clip(credit, 22)}"
                            if _legible(credit) else "unseen source\n(credited)")
            continue
        row = docs.loc[node] if node in docs.index else pd.Series(dtype=object)
        # the outlet, or else the headline, names the article; the id comes last
        source = _outlet(row.get("source", "")) or _outlet(row.get("title", ""))
        lines = [_clip(source, 22) if source else _short_id(node, row=rows.get(node))]
        when = row.get("published", pd.NaT)
        if pd.notna(when):
            stamp = pd.Timestamp(when)
            stamp = stamp.tz_convert("UTC") if stamp.tzinfo else stamp
            lines.append(stamp.strftime("%Y-%m-%d %H:%M" if (stamp.hour or stamp.minute)
                                        else "%Y-%m-%d") + (" (?)" if node in doubted else ""))
        else:
            lines.append("no date")
        if source:
            lines.append(_short_id(node, row=rows.get(node)))
        labels[node] = "\n".join(lines)
    return labels


def _short_labels(docs: pd.DataFrame, order: list[str], *, width: int) -> list[str]:
    rows = pd.Series(np.arange(1, len(docs) + 1), index=docs.index)
    labels = []
    for doc in order:
        source = _outlet(docs["source"].get(doc, "")) if "source" in docs else ""
        row = int(rows[doc]) if doc in rows.index else None
        labels.append(_clip(f"{_short_id(doc, row=row)} {source}".strip(), width))
    return labels


def _short_id(doc: Any, width: int = 12, row: int | None = None) -> str:
    """``doc`` clipped to ``width``; where the charts cannot draw it, ``row N`` (its
    1-based row in documents.csv) when ``row`` is given."""
    text = str(doc)
    if not _legible(text) and row is not None:
        return f"row {row}"
    return _clip(text, width)


def _outlet(value: Any) -> str:
    """An outlet name as the charts show it: '' when unknown or not drawable."""
    source = str(value or "").strip()
    return "" if source.lower() == "nan" or not _legible(source) else source


def _clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, its dollar signs escaped (matplotlib reads
    text between two of them as math: an id "gdp_$^$" stopped the charts)."""
    text = text if len(text) <= width else text[: width - 1] + "…"
    return text.replace("$", r"\$")


def _tree_legend(graph: nx.DiGraph, doubted: bool = False) -> str:
    parts = ["arrows: parent → child, width and number = confidence",
             "orange: root", "blue: copy"]
    if any(graph.nodes[n]["latent"] for n in graph.nodes):
        parts.append("dashed: unseen common source")
    if doubted:
        parts.append("(?): date far from the rest of the family's, likely wrong, not used")
    return "; ".join(parts)


def _family_colors(families: list[Any]) -> dict[Any, Any]:
    from matplotlib import colormaps

    cmap = colormaps["tab20" if len(families) > 10 else "tab10"]
    return {k: cmap(i % cmap.N) for i, k in enumerate(families)}


def _runs(values: list[Any]) -> list[tuple[Any, int, int]]:
    runs: list[tuple[Any, int, int]] = []
    for i, v in enumerate(values):
        if runs and runs[-1][0] == v:
            runs[-1] = (v, runs[-1][1], i + 1)
        else:
            runs.append((v, i, i + 1))
    return runs


def _rectangle(corner: tuple[float, float], width: float, height: float):
    from matplotlib.patches import Rectangle

    return Rectangle(corner, width, height, fill=False, edgecolor="#1f3b73", linewidth=1.2,
                     zorder=3)


def _charts_note(sizes: pd.Series, drawn: list[Any], n_docs: int, n_heat: int) -> str:
    lines = ["Charts of this report", ""]
    for k in drawn:
        lines.append(f"tree_family_{k}.png: derivation tree of family {k} "
                     f"({sizes[k]} articles)")
    lines.append(f"heatmap.png: similarity of {n_heat} of {n_docs} articles, "
                 "grouped by family" + (" (whole families only)" if n_heat < n_docs else ""))
    lines.append("timeline.png: publication time by family, arrows parent -> child")
    omitted = [k for k in sizes.index if k not in set(drawn)]
    lines.append("")
    if not len(sizes):
        lines.append("No families were found, so no tree was drawn.")
    elif omitted:
        lines.append(f"Trees drawn for the {len(drawn)} largest of {len(sizes)} families; "
                     f"{len(omitted)} omitted: " + ", ".join(f"family {k}" for k in omitted))
    else:
        lines.append("Tree drawn for the only family." if len(drawn) == 1
                     else f"Trees drawn for all {len(drawn)} families.")
    return "\n".join(lines) + "\n"


def _pyplot():
    import matplotlib

    headless = sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if headless and "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _new_axes(width: float, height: float, margins: dict[str, float] | None = None) -> Axes:
    plt = _pyplot()
    fig = plt.figure(figsize=(width, height), layout=None if margins else "constrained")
    if margins:
        fig.subplots_adjust(**margins)
    return fig.add_subplot()


def _figure(width: float, height: float, margins: dict[str, float] | None = None) -> Figure:
    """A figure outside pyplot (no global state); fixed margins are faster to lay out."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout=None if margins else "constrained")
    if margins:
        fig.subplots_adjust(**margins)
    return fig


def _save(fig: Figure, path: Path) -> Path:
    try:
        fig.savefig(path, dpi=CHART_DPI)
    finally:
        fig.clear()
        plt = sys.modules.get("matplotlib.pyplot")
        if plt is not None:
            plt.close(fig)
    return path
