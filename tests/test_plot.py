"""Tests for :mod:`lineage.plot`: charts are drawn, written and look like something."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lineage
from lineage import plot
from lineage.normalize import split_sentences
from lineage.pipeline import Analysis

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"

OUTLETS = (
    "Meridian Newswire", "Daily Gazette", "Bayview Courier", "Coastal Times",
    "Northern Echo", "Capital Ledger", "Valley Herald", "Metro Post", "Harbour Journal",
    "Evening Star", "Summit Record", "Lakeside Tribune", "Prairie Sentinel",
    "River City Observer", "Pacific Dispatch", "Highland Chronicle",
)

#: Family sizes of :func:`copy_corpus` (86 articles), then 14 unrelated ones.
FAMILY_SIZES = (12, 10, 9, 8, 7, 6, 6, 5, 5, 4, 4, 3, 3, 2, 2)


def copy_corpus(n_single: int = 14, *, seed: int = 0) -> pd.DataFrame:
    """A 100-article corpus of copies of copies, built from the seed sentences.

    Each family starts from five seed sentences no other family uses; every later
    member copies a random earlier member, dropping a sentence or a word, a few
    hours after it. Unrelated articles get four sentences of their own. Every
    article has an outlet; about one in twelve has no publication date.
    """
    rng = np.random.default_rng(seed)
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    pool = [t[a:b] for t in texts for a, b in split_sentences(t) if b - a >= 60]
    rows: list[dict[str, object]] = []
    start = pd.Timestamp("2024-11-17T05:00:00Z")
    used = 0
    for k, size in enumerate(FAMILY_SIZES):
        members = [pool[used:used + 5]]
        used += 5
        times = [start + pd.Timedelta(hours=7 * k + float(rng.uniform(0, 3)))]
        for _ in range(size - 1):
            parent = int(rng.integers(len(members)))
            members.append(_copy(members[parent], rng))
            times.append(times[parent] + pd.Timedelta(hours=float(rng.uniform(0.5, 9))))
        for sentences, when in zip(members, times, strict=True):
            rows.append({"text": " ".join(sentences), "published": when})
    for _ in range(n_single):
        rows.append({"text": " ".join(pool[used:used + 4]),
                     "published": start + pd.Timedelta(hours=float(rng.uniform(0, 110)))})
        used += 4
    order = rng.permutation(len(rows))
    out = pd.DataFrame([rows[i] for i in order])
    out.insert(0, "id", [f"art-{i:03d}" for i in range(len(out))])
    out["source"] = rng.choice(OUTLETS, size=len(out))
    undated = rng.random(len(out)) < 1 / 12
    out["published"] = [("" if u else t.isoformat()) for t, u in
                        zip(out["published"], undated, strict=True)]
    return out


def _copy(sentences: list[str], rng: np.random.Generator) -> list[str]:
    out = list(sentences)
    if len(out) > 3 and rng.random() < 0.5:
        out.pop(int(rng.integers(len(out))))
    i = int(rng.integers(len(out)))
    words = out[i].split()
    if len(words) > 8:
        words.pop(int(rng.integers(1, len(words) - 1)))
        out[i] = " ".join(words)
    return out


@pytest.fixture(scope="module")
def seeds() -> Analysis:
    return lineage.analyze(SEEDS)


@pytest.fixture(scope="module")
def corpus100() -> Analysis:
    return lineage.analyze(copy_corpus())


def _latent_tables() -> dict[str, pd.DataFrame]:
    """Two copies of an unseen common source, and a copy of one copy."""
    documents = pd.DataFrame({
        "id": ["x1", "x2", "x3"],
        "source": ["Daily Gazette", "", "Metro Post"],
        "published": pd.to_datetime(["2024-03-12T08:00Z", None, "2024-03-12T12:00Z"],
                                    utc=True),
        "family": pd.array([4, 4, 4], dtype="Int64"),
    })
    families = pd.DataFrame({"family": [4, 4, 4, 4],
                             "id": ["latent:4", "x1", "x2", "x3"],
                             "role": ["latent", "member", "member", "member"]})
    tree = pd.DataFrame({"child": ["x1", "x2", "x3"],
                         "parent": ["latent:4", "latent:4", "x1"],
                         "confidence": [0.4, 0.4, 0.9],
                         "evidence": ["", "", ""]})
    return {"documents": documents, "families": families, "tree": tree}


def _assert_png(path: Path, *, min_side: int = 300) -> None:
    import matplotlib.image as mpimg

    assert path.exists(), path
    pixels = mpimg.imread(path)
    assert min(pixels.shape[:2]) >= min_side
    assert max(pixels.shape[:2]) <= 6000
    assert float(np.var(pixels[..., :3])) > 1e-3, f"{path.name} looks blank"


def test_write_charts_seeds(seeds: Analysis, tmp_path: Path) -> None:
    written = plot.write_charts(seeds, tmp_path)
    names = {p.name for p in written}
    assert {"heatmap.png", "timeline.png", "tree_family_1.png", "charts.txt"} <= names
    for path in written:
        assert path.parent == tmp_path
        if path.suffix == ".png":
            _assert_png(path)
    assert "family 1" in (tmp_path / "charts.txt").read_text(encoding="utf-8")


def test_draw_functions_take_and_return_ax(seeds: Analysis) -> None:
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3)
    try:
        assert plot.draw_tree(seeds, 1, ax=axes[0]) is axes[0]
        assert plot.draw_heatmap(seeds, ax=axes[1]) is axes[1]
        assert plot.draw_timeline(seeds, ax=axes[2]) is axes[2]
    finally:
        plt.close(fig)


def test_draw_without_ax_makes_a_figure(seeds: Analysis) -> None:
    import matplotlib.pyplot as plt

    ax = plot.draw_heatmap(seeds)
    try:
        assert ax.figure is not None and ax.images
    finally:
        plt.close(ax.figure)


def test_latent_parent_is_dashed() -> None:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    try:
        plot.draw_tree(_latent_tables(), 4, ax=ax)
        boxes = {t.get_text(): t.get_bbox_patch() for t in ax.texts
                 if str(t.get_gid()).startswith("node:")}
        latent = [b for text, b in boxes.items() if "unseen" in text]
        assert len(latent) == 1
        assert latent[0].get_linestyle() in ("--", "dashed")
        solid = [b for text, b in boxes.items() if "unseen" not in text]
        assert len(solid) == 3 and all(b.get_linestyle() in ("-", "solid") for b in solid)
        labels = " ".join(boxes)
        assert "Daily Gazette" in labels and "x2" in labels and "2024-03-12" in labels
        assert "credited" not in labels
    finally:
        plt.close(fig)
    # an unseen source whose children credit an agency says which
    tables = {**_latent_tables(),
              "latent": pd.DataFrame({"id": ["latent:4"], "credit": ["Associated Press"]})}
    fig, ax = plt.subplots()
    try:
        plot.draw_tree(tables, 4, ax=ax)
        texts = [t.get_text() for t in ax.texts if str(t.get_gid()).startswith("node:")]
        assert "unseen source\ncredited: Associated Press" in texts
    finally:
        plt.close(fig)


def test_unknown_family_is_refused(seeds: Analysis) -> None:
    with pytest.raises(ValueError, match="family 99"):
        plot.draw_tree(seeds, 99)


def test_no_families(tmp_path: Path) -> None:
    result = lineage.analyze([
        {"id": "a", "text": "The cat sat on the mat all afternoon in the sun."},
        {"id": "b", "text": "Stock markets closed higher on Friday after a volatile week."},
    ])
    assert result.families.empty
    written = plot.write_charts(result, tmp_path)
    names = sorted(p.name for p in written)
    assert names == ["charts.txt", "heatmap.png", "timeline.png"]
    for path in written[:-1]:
        _assert_png(path, min_side=200)


def test_corpus100_charts_fast_and_legible(corpus100: Analysis, tmp_path: Path) -> None:
    assert len(corpus100.documents) == 100
    assert corpus100.families["family"].nunique() >= 10
    started = time.process_time()  # CPU time: robust to a busy machine
    written = plot.write_charts(corpus100, tmp_path, max_families=5)
    seconds = time.process_time() - started
    assert seconds < 8, f"charts took {seconds:.1f} s of CPU"
    trees = sorted(p.name for p in written if p.name.startswith("tree_family_"))
    assert trees == [f"tree_family_{k}.png" for k in range(1, 6)]
    note = (tmp_path / "charts.txt").read_text(encoding="utf-8")
    assert "omitted" in note
    for path in written:
        if path.suffix == ".png":
            _assert_png(path, min_side=1200 if path.stem == "heatmap" else 300)


def test_heatmap_orders_by_family_and_caps(corpus100: Analysis) -> None:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    try:
        plot.draw_heatmap(corpus100, ax=ax, max_docs=30)
        image = ax.images[0]
        matrix = np.asarray(image.get_array())
        # the first 30 rows, cut back to the end of the last whole family
        fam = plot._heatmap_order(plot._tables(corpus100))[1]
        n = max(i for i in range(1, 31) if fam[i] is None or fam[i] != fam[i - 1])
        assert n < 30 and fam[n - 1] != fam[n]  # this corpus has a family across row 30
        assert matrix.shape == (n, n)
        np.testing.assert_allclose(matrix, matrix.T)
        assert f"{n} of 100" in ax.get_title(loc="left")
    finally:
        plt.close(fig)


def _doubted_tables() -> dict[str, pd.DataFrame]:
    """A wire dated 18 days after its three copies, and an article in no family."""
    documents = pd.DataFrame({
        "id": ["w", "c1", "c2", "c3", "lone"],
        "published": pd.to_datetime(["2024-03-30T08:00Z", "2024-03-12T09:00Z",
                                     "2024-03-12T10:00Z", "2024-03-12T11:30Z",
                                     "2024-03-30T08:00Z"], utc=True),
        "family": pd.array([1, 1, 1, 1, pd.NA], dtype="Int64"),
    })
    tree = pd.DataFrame({"child": ["w", "c1", "c2", "c3"], "parent": ["", "w", "w", "w"],
                         "confidence": [0.9] * 4, "evidence": [""] * 4})
    families = pd.DataFrame({"family": [1] * 4, "id": ["w", "c1", "c2", "c3"],
                             "role": ["root", "member", "member", "member"]})
    return {"documents": documents, "families": families, "tree": tree}


def test_timeline_rings_a_date_far_from_its_family() -> None:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    try:
        plot.draw_timeline(_doubted_tables(), ax=ax)
        (rings,) = [c for c in ax.collections if c.get_gid() == "doubted-dates"]
        # the wire's date, 18 days after its three copies: one ring, at its place
        # (the article in no family, on the same day, is not ringed)
        assert len(rings.get_offsets()) == 1
        from matplotlib import dates as mdates

        x, _ = rings.get_offsets()[0]
        assert x == pytest.approx(mdates.date2num(pd.Timestamp("2024-03-30T08:00Z")))
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert "date far from its family's: likely wrong, not used" in labels
    finally:
        plt.close(fig)


def test_timeline_without_doubted_dates_has_no_ring(seeds: Analysis) -> None:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    try:
        plot.draw_timeline(seeds, ax=ax)
        assert not [c for c in ax.collections if c.get_gid() == "doubted-dates"]
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert not any("far from its family" in t for t in labels)
    finally:
        plt.close(fig)


def test_tree_marks_a_doubted_date() -> None:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    try:
        plot.draw_tree(_doubted_tables(), 1, ax=ax)
        labels = {str(t.get_gid()).removeprefix("node:"): t.get_text() for t in ax.texts
                  if str(t.get_gid()).startswith("node:")}
        assert "2024-03-30 08:00 (?)" in labels["w"]
        assert all("(?)" not in labels[c] for c in ("c1", "c2", "c3"))
        assert any("(?): date far from the rest of the family's" in t.get_text()
                   for t in ax.texts)
    finally:
        plt.close(fig)


def _star_tables(copies: int, grandchildren: int = 2) -> dict[str, pd.DataFrame]:
    """A wire story that ``copies`` papers ran, one of them copied in turn."""
    ids = ["wire"] + [f"p{k:03d}" for k in range(copies)]
    kids = [f"g{k}" for k in range(grandchildren)]
    documents = pd.DataFrame({
        "id": ids + kids,
        "source": ["Associated Press"] + [f"Paper {k}" for k in range(copies + grandchildren)],
        "published": pd.to_datetime(["2024-03-12T08:00Z"] * (copies + grandchildren + 1),
                                    utc=True),
        "family": pd.array([1] * (copies + grandchildren + 1), dtype="Int64"),
    })
    families = pd.DataFrame({"family": 1, "id": ids + kids,
                             "role": ["root"] + ["member"] * (copies + grandchildren)})
    parents = [""] + ["wire"] * copies + ["p000"] * len(kids)
    tree = pd.DataFrame({"child": ids + kids, "parent": parents,
                         "confidence": [0.9] * (copies + grandchildren + 1), "evidence": ""})
    return {"documents": documents, "families": families, "tree": tree}


def test_a_story_that_many_papers_ran_wraps_its_copies_into_rows() -> None:
    import matplotlib.pyplot as plt

    tables = _star_tables(30)
    graph = plot._family_graph(plot._tables(tables), 1)
    _, xs = plot._tree_layout(graph)
    leaves = [n for n in graph.nodes if graph.nodes[n]["wrapped"]]
    # the 29 childless papers in rows of 12 (3 rows), the copied paper beside them
    assert len(leaves) == 29
    rows = pd.Series({n: graph.nodes[n]["y"] for n in leaves}).value_counts().sort_index()
    assert rows.tolist() == [5, 12, 12]
    assert graph.nodes["p000"]["y"] == -1.0 and xs["p000"] > max(xs[n] for n in leaves)
    # drawn, no two boxes overlap
    fig, ax = plt.subplots(figsize=plot._tree_size(13, plot._tree_rows(graph))[:2])
    try:
        plot.draw_tree(tables, 1, ax=ax)
        fig.canvas.draw()
        boxes = [t.get_bbox_patch().get_window_extent() for t in ax.texts
                 if str(t.get_gid()).startswith("node:")]
        assert len(boxes) == 33
        assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    finally:
        plt.close(fig)
    # a dozen copies or fewer stay in one row, as before
    small = plot._family_graph(plot._tables(_star_tables(12, 0)), 1)
    plot._tree_layout(small)
    assert not any(small.nodes[n]["wrapped"] for n in small.nodes)


def test_heatmap_cut_keeps_whole_families() -> None:
    fam = [1, 1, 1, 2, 2, 3, 3, 3, None, None]
    order = list("abcdefghij")
    assert plot._whole_families(order, fam, 4) == (list("abc"), [1, 1, 1])
    assert plot._whole_families(order, fam, 5) == (list("abcde"), [1, 1, 1, 2, 2])
    assert plot._whole_families(order, fam, 2) == (list("ab"), [1, 1])  # first family: cut
    assert plot._whole_families(order, fam, 9) == (order[:9], fam[:9])  # no family split
    assert plot._whole_families(order, fam, 50) == (order, fam)


def test_labels_the_fonts_cannot_draw_become_rows(tmp_path: Path, monkeypatch) -> None:
    # no font for CJK (as on a machine without one); Arabic is right to left, which
    # matplotlib does not lay out, whatever fonts there are
    families, chars = plot._fonts()
    monkeypatch.setattr(plot, "_fonts", lambda: (families, frozenset(c for c in chars
                                                                    if c < 0x2E80)))
    plot._legible.cache_clear()
    tables = {
        "documents": pd.DataFrame({
            "id": ["wire", "新闻一", "p2"],
            "source": ["新华社", "Daily Post", "الأهرام"],
            "published": pd.to_datetime(["2024-03-01 08:00", "2024-03-01 09:00",
                                         "2024-03-01 10:00"], utc=True),
            "family": [1, 1, 1]}),
        "families": pd.DataFrame({"family": [1, 1, 1], "id": ["wire", "新闻一", "p2"],
                                  "role": ["root", "member", "member"]}),
        "tree": pd.DataFrame({"child": ["wire", "新闻一", "p2"], "parent": ["", "wire", "wire"],
                              "confidence": [0.9, 0.9, 0.8]}),
        "pairs": pd.DataFrame(columns=["a", "b", "relation"]),
    }
    try:
        graph = plot._family_graph(plot._tables(tables), 1)
        labels = plot._node_labels(tables["documents"], graph)
        assert labels["wire"].splitlines()[0] == "wire"  # outlet left out, the id shown
        assert labels["新闻一"].splitlines()[0] == "Daily Post"
        assert labels["新闻一"].splitlines()[-1] == "row 2"
        assert labels["p2"].splitlines()[0] == "p2"
        heat = plot._short_labels(tables["documents"].set_index("id"), ["wire", "新闻一", "p2"],
                                  width=26)
        assert heat == ["wire", "row 2 Daily Post", "p2"]
        plot.write_charts(tables, tmp_path)
        note = (tmp_path / "charts.txt").read_text(encoding="utf-8")
        assert "2 outlet names and 1 ids are in a script" in note
    finally:
        plot._legible.cache_clear()


def test_same_story_cells_are_grey_apart_from_reuse(seeds: Analysis) -> None:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    try:
        plot.draw_heatmap(seeds, ax=ax)
        reuse, story = ax.images
        order = plot._heatmap_order(plot._tables(seeds))[0]
        pos = {d: i for i, d in enumerate(order)}
        same = seeds.pairs[seeds.pairs["relation"] == "same-story"]
        expected = np.zeros((5, 5), dtype=bool)
        for a, b in zip(same["a"], same["b"], strict=True):
            expected[pos[a], pos[b]] = expected[pos[b], pos[a]] = True
        assert expected.any() and story.get_cmap().name == "Greys"
        np.testing.assert_array_equal(~np.ma.getmaskarray(story.get_array()), expected)
        assert (np.asarray(reuse.get_array())[expected] == 0).all()
        family = [pos["002_c905c3656ea7082f"], pos["003_67203c20ee23465f"]]
        assert np.asarray(reuse.get_array())[family[0], family[1]] > 0.3
    finally:
        plt.close(fig)


def test_an_article_without_outlet_is_named_by_its_headline(seeds: Analysis) -> None:
    graph = plot._family_graph(plot._tables(seeds), 1)
    labels = plot._node_labels(seeds.documents, graph)
    assert labels["002_c905c3656ea7082f"].splitlines() == [
        "Biden Agrees To Let U…", "no date", "002_c905c36…"]


def test_dollar_signs_in_ids_and_outlets_are_drawn_as_text(tmp_path: Path) -> None:
    ids = ["gdp_$^$", r"price_$\x_2$", "c"]
    tables = {
        "documents": pd.DataFrame({"id": ids, "source": ["$Money$ Daily", "", ""],
                                   "published": pd.to_datetime([None] * 3, utc=True),
                                   "family": [1, 1, 1]}),
        "families": pd.DataFrame({"family": [1, 1, 1], "id": ids,
                                  "role": ["root", "member", "member"]}),
        "tree": pd.DataFrame({"child": ids, "parent": ["", ids[0], ids[0]],
                              "confidence": [0.9, 0.9, 0.8]}),
        "pairs": pd.DataFrame(columns=["a", "b", "relation"]),
    }
    written = plot.write_charts(tables, tmp_path)  # raised ParseSyntaxException
    assert (tmp_path / "tree_family_1.png").is_file() and len(written) == 4
    graph = plot._family_graph(plot._tables(tables), 1)
    assert plot._node_labels(tables["documents"], graph)[ids[0]].splitlines()[0] == (
        r"\$Money\$ Daily")
