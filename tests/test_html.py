"""lineage.html: a self-contained page, exact highlight offsets, safe escaping."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

import lineage
from lineage.html import chart_images, highlight_segments, render_html, report_data, write_html
from lineage.write import write_report

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"
A, B = "002_c905c3656ea7082f", "003_67203c20ee23465f"
EVIL = "</script><script>alert('x')</script> & <b>bold</b> \u2028 end"


@pytest.fixture(scope="module")
def seeds() -> lineage.Analysis:
    return lineage.analyze(SEEDS)


@pytest.fixture(scope="module")
def page(seeds) -> str:
    return render_html(seeds)


def _embedded(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="lineage-data">(.*?)</script>',
                      html, re.S)
    assert match, "no embedded data"
    return json.loads(match.group(1))


def _union(intervals) -> set[int]:
    return {x for s, e in intervals for x in range(s, e)}


def test_highlight_segments_cuts_overlaps():
    spans = [(0, 10, 0, "rewritten"), (5, 8, 1, "verbatim"), (20, 25, 2, "rewritten")]
    assert highlight_segments(spans) == [
        [0, 5, "rewritten", [0]], [5, 8, "verbatim", [0, 1]], [8, 10, "rewritten", [0]],
        [20, 25, "rewritten", [2]],
    ]


def test_highlight_segments_merges_and_drops_empty():
    assert highlight_segments([(0, 4, 0, "verbatim"), (4, 9, 0, "verbatim"),
                               (3, 3, 1, "rewritten")]) == [[0, 9, "verbatim", [0]]]
    assert highlight_segments([]) == []


def test_page_is_self_contained(page: str):
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert not re.search(r"<script[^>]+src=", page, re.I)
    assert not re.search(r"<link[^>]+stylesheet", page, re.I)
    assert "@import" not in page
    assert page.count("<style>") == 1
    assert page.lstrip().startswith("<!DOCTYPE html>")


def test_embedded_data_round_trips(page: str, seeds):
    data = _embedded(page)
    assert data["texts"] == seeds.documents["text"].tolist()
    assert len(data["pairs"]["rows"]) == len(seeds.pairs)
    assert data["overview"]["documents"] == 5
    assert any(k == "seed" for k, _ in data["overview"]["config"])


def test_002_003_highlights_have_exact_offsets(seeds):
    data = report_data(seeds)
    rows = data["pairs"]["rows"]
    row = next(i for i, r in enumerate(rows) if (r[0], r[1]) == (A, B))
    view = data["views"][str(row)]
    passages = seeds.passages[(seeds.passages["a"] == A) & (seeds.passages["b"] == B)]
    assert len(view["passages"]) == len(passages) > 0
    texts = dict(zip(seeds.documents["id"], seeds.documents["text"], strict=True))
    for side, doc in (("a", A), ("b", B)):
        segments = view[side]
        expected = list(zip(passages[f"{side}_start"], passages[f"{side}_end"], strict=True))
        assert _union((s, e) for s, e, _, _ in segments) == _union(expected)
        verbatim = passages[passages["kind"] == "verbatim"]
        assert _union((s, e) for s, e, k, _ in segments if k == "verbatim") == _union(
            zip(verbatim[f"{side}_start"], verbatim[f"{side}_end"], strict=True))
        for s, e, _, ids in segments:
            for i in ids:
                p = view["passages"][i]
                lo, hi = (p[0], p[1]) if side == "a" else (p[2], p[3])
                assert lo <= s < e <= hi
        for p in passages.itertuples():
            start, end = getattr(p, f"{side}_start"), getattr(p, f"{side}_end")
            assert texts[doc][start:end] == getattr(p, f"{side}_text")
    kinds = {k for s in ("a", "b") for _, _, k, _ in view[s]}
    assert kinds <= {"verbatim", "rewritten"} and "rewritten" in kinds


def test_script_in_article_text_is_escaped():
    frame = pd.DataFrame({
        "id": ["x1", "x2"],
        "title": [EVIL, "plain"],
        "text": [f"Opening line here. {EVIL} The port strike went on for a week. " * 4] * 2,
    })
    result = lineage.analyze(frame)
    html = render_html(result)
    assert "<script>alert" not in html
    assert "<b>bold</b>" not in html
    assert html.count("</script>") == html.count("<script")
    data = _embedded(html)
    assert EVIL in data["texts"][0]
    assert data["docs"]["rows"][0][2] == EVIL


def test_write_html_and_write_report_extra(tmp_path: Path, seeds):
    path = write_html(seeds, tmp_path, charts=False)
    assert path == tmp_path / "report.html" and path.stat().st_size > 1000
    (tmp_path / "charts.txt").write_text("charts drawn earlier\n", encoding="utf-8")
    (tmp_path / "tree_family_1.png").write_bytes(b"\x89PNG fake")
    assert [c["family"] for c in chart_images(seeds, folder=tmp_path)] == [1]
    out = write_report(seeds, tmp_path / "rep", extra=write_html)
    assert (out / "report.html").is_file()


def test_charts_are_inline_png(seeds):
    pytest.importorskip("lineage.plot")
    images = chart_images(seeds)
    assert images and all(c["uri"].startswith("data:image/png;base64,") for c in images)
    page = render_html(seeds, charts=images)
    assert any(c["family"] is not None for c in images)
    assert "data:image/png;base64," in page
    assert not re.search(r'src="(?!data:)[^"]+\.png"', page)


def test_a_date_far_from_its_family_is_flagged_in_the_family_timeline():
    from fixtures.corpus import CORPUS

    docs = pd.DataFrame(CORPUS)
    # the paraphrase's feed date is four weeks after the rest of its family's
    docs.loc[docs["id"] == "paraphrase", "published"] = "2024-04-09T11:00:00Z"
    data = _embedded(render_html(lineage.analyze(docs)))
    (family,) = data["families"]
    flags = {t["id"]: t["doubted"] for t in family["timeline"]}
    assert flags == {"wire-original": False, "verbatim-copy": False,
                     "trimmed-copy-with-local-additions": False, "paraphrase": True}


def test_the_seeds_story_lists_its_family_and_three_articles(page):
    data = _embedded(page)
    assert data["overview"]["stories"] == 1
    assert data["stories"] == [{"story": 1, "families": [1], "size": 5, "articles": [
        "000_fd4222279ed2832f", "001_dba7a17ad331c495", "004_1c2efd5fc1da670c"]}]
    (family,) = data["families"]
    assert (family["story"], family["story_with"]) == (1, 3)
    story = data["docs"]["fields"].index("story")
    assert [row[story] for row in data["docs"]["rows"]] == [1] * 5


def test_an_unseen_source_names_the_agency_its_children_credit():
    from fixtures.corpus import credited_corpus

    result = lineage.analyze(pd.DataFrame(credited_corpus()))
    (family,) = report_data(result)["families"]
    (latent,) = family["tree"]
    assert latent["role"] == "latent" and latent["credit"] == "Associated Press"
    # its reconstructed text goes with it; the articles under it have none
    assert latent["text"] == result.latent["text"].item() != ""
    assert all(k["text"] == "" for k in latent["children"])
    assert sorted(k["id"] for k in latent["children"]) == [
        "city-ledger", "daily-post", "evening-star"]
    assert all(k["credit"] == "" for k in latent["children"])


def test_the_overview_says_how_the_corpus_copies(page):
    from fixtures.corpus import DIGEST_CORPUS

    assert 'id="copying"' not in page  # the seeds: no clear choice to count
    digest = render_html(lineage.analyze(pd.DataFrame(DIGEST_CORPUS)))
    assert ("of the 2 copies whose wording shows whether they took their text from their "
            "family's original or from another copy, 2 took it from the original") in digest
    assert _embedded(digest)["overview"]["copying"] == {"clear_copies": 2, "from_top": 2,
                                                        "rate": 0.75}


def test_the_pair_table_counts_the_passages_the_pair_view_lists(seeds):
    data = report_data(seeds)
    count = data["pairs"]["fields"].index("n_passages")
    relation = data["pairs"]["fields"].index("relation")
    rows = data["pairs"]["rows"]
    for i, row in enumerate(rows):
        listed = data["views"].get(str(i), {}).get("passages", [])
        assert row[count] == len(listed)
    # the seeds' same-story pairs have loose sentence matches but no passages
    same = [i for i, r in enumerate(rows) if r[relation] == "same-story"]
    assert same and all(rows[i][count] == 0 for i in same)
    assert (seeds.pairs.loc[seeds.pairs["relation"] == "same-story", "n_passages"] > 0).any()


def test_the_overview_says_what_each_relation_means(page):
    for meaning in ("the same event written independently", "some passages of one article"):
        assert meaning in page


def test_charts_are_captioned_from_charts_txt(seeds, tmp_path: Path):
    from lineage.plot import write_charts

    write_charts(seeds, tmp_path)
    charts = {c["name"]: c["caption"] for c in chart_images(seeds, folder=tmp_path)}
    assert charts["heatmap"].startswith("similarity of 5 of 5 articles")
    assert charts["tree_family_1"] == "derivation tree of family 1 (2 articles)"
