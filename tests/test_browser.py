"""The seeds report.html in Debian's headless Chromium (driven by Playwright for Python).

Skipped only when ``/usr/bin/chromium`` is absent (``.ci/run`` installs it with apt-get).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import lineage
from lineage.html import write_html

CHROMIUM = Path("/usr/bin/chromium")
SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"
A, B = "002_c905c3656ea7082f", "003_67203c20ee23465f"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="Debian chromium is not installed at /usr/bin/chromium")


@pytest.fixture(scope="module")
def seeds() -> lineage.Analysis:
    return lineage.analyze(SEEDS)


@pytest.fixture(scope="module")
def browser_page(seeds, tmp_path_factory):
    from playwright.sync_api import sync_playwright

    folder = tmp_path_factory.mktemp("report")
    html = write_html(seeds, folder, charts=False)  # charts: see test_html
    profile = tmp_path_factory.mktemp("profile")
    errors: list[str] = []
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), args=ARGS, headless=True,
            viewport={"width": 1400, "height": 900})
        page = context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(html.as_uri())
        page.wait_for_function("window.lineageRendered !== undefined", timeout=30_000)
        yield page, errors
        context.close()


def _open_002_003(page) -> None:
    row = page.locator("#pair-table tbody tr", has_text=A).filter(has_text=B)
    row.first.click()
    page.wait_for_selector("#pair-view mark.hl", timeout=10_000)


def test_no_console_errors_and_pair_table_rows(browser_page, seeds):
    page, errors = browser_page
    assert page.locator("#pair-table tbody tr").count() == min(len(seeds.pairs), 50) > 0
    assert page.locator("#doc-table tbody tr").count() == len(seeds.documents)
    assert errors == []


def test_pair_table_filters_and_sorts(browser_page, seeds):
    page, _ = browser_page
    page.select_option("#f-relation", "same-story")
    n_same = int((seeds.pairs["relation"] == "same-story").sum())
    assert page.locator("#pair-table tbody tr").count() == n_same
    page.fill("#f-doc", A)
    expected = ((seeds.pairs["relation"] == "same-story")
                & ((seeds.pairs["a"] == A) | (seeds.pairs["b"] == A))).sum()
    assert page.locator("#pair-table tbody tr").count() == expected
    page.click("#f-clear")
    page.click("#pair-table th[data-col='jaccard']")
    first = page.locator("#pair-table tbody tr").first.locator("td").nth(4).inner_text()
    assert float(first) == pytest.approx(seeds.pairs["jaccard"].max(), abs=1e-3)
    assert page.locator("#pair-table tbody tr").count() == min(len(seeds.pairs), 50)


def test_pair_view_highlights_both_kinds_and_links(browser_page, seeds, tmp_path):
    from PIL import Image

    page, errors = browser_page
    _open_002_003(page)
    view = page.locator("#pair-view")
    assert view.is_visible()
    evidence = seeds.pairs.set_index(["a", "b"]).loc[(A, B), "evidence"]
    assert page.locator("#pair-evidence").inner_text() == evidence
    passages = seeds.passages[(seeds.passages["a"] == A) & (seeds.passages["b"] == B)]
    for kind in passages["kind"].unique():
        assert page.locator(f"#text-a mark.hl.{kind}").count() > 0
        assert page.locator(f"#text-b mark.hl.{kind}").count() > 0
    assert page.locator("#pair-view mark.hl.rewritten").count() > 0
    # every highlighted span shows exactly the characters its offsets name
    texts = dict(zip(seeds.documents["id"], seeds.documents["text"], strict=True))
    for side, doc in (("a", A), ("b", B)):
        marks = page.locator(f"#text-{side} mark.hl")
        for i in range(marks.count()):
            m = marks.nth(i)
            s, e = int(m.get_attribute("data-start")), int(m.get_attribute("data-end"))
            assert m.text_content() == texts[doc][s:e]
    # hovering a span on A highlights its counterpart on B
    first = page.locator("#text-a mark.hl").first
    first.hover()
    assert page.locator("#text-b mark.hl.linked").count() > 0
    first.click()
    assert page.locator("#text-b mark.hl.flash").count() == 1
    # the whole page text of the two sides equals the two articles
    assert page.locator("#text-a").text_content() == texts[A]
    assert page.locator("#text-b").text_content() == texts[B]
    # each side sets its own direction (an Urdu or Arabic article reads right to left)
    assert page.locator("#text-a").get_attribute("dir") == "auto"
    # the pair's confidence, and the probability it stands for
    conf = seeds.pairs.set_index(["a", "b"]).loc[(A, B), "confidence"]
    scores = page.locator("#pair-view .scores").text_content()
    assert f"confidence {conf:.3f} (probability {(1 + conf) / 2:.3f})" in scores
    shot = tmp_path / "pair_view.png"
    page.screenshot(path=str(shot))
    colours = Image.open(shot).convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50
    assert errors == []


def test_document_link_filters_pairs(browser_page, seeds):
    page, errors = browser_page
    page.locator("#doc-table tbody tr", has_text=A).locator("a").first.click()
    page.wait_for_function(f"document.getElementById('f-doc').value === '{A}'")
    n = ((seeds.pairs["a"] == A) | (seeds.pairs["b"] == A)).sum()
    assert page.locator("#pair-table tbody tr").count() == n
    assert errors == []


def test_the_story_list_links_its_family_and_articles(browser_page):
    page, errors = browser_page
    (item,) = page.locator("#story-list li").all_inner_texts()
    assert item.startswith("Story 1 · 5 articles: family 1, 000_fd4222279ed2832f")
    assert page.locator("#story-list li a").count() == 4
    assert page.locator("#family-note").inner_text().startswith("1 family of articles")
    summary = page.locator("details.family summary").first.inner_text()
    assert summary.endswith("story 1, told also by 3 other families or articles")
    assert errors == []


def test_an_unseen_source_shows_its_reconstructed_text(browser_page, tmp_path):
    import pandas as pd
    from fixtures.corpus import credited_corpus

    result = lineage.analyze(pd.DataFrame(credited_corpus()))
    (expected,) = result.latent["text"]
    html = write_html(result, tmp_path, charts=False)
    page = browser_page[0].context.new_page()  # beside the seeds report, left as it is
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(html.as_uri())
    page.wait_for_function("window.lineageRendered !== undefined", timeout=30_000)
    block = page.locator("details.family ul.tree details.latent-text")
    assert block.count() == 1
    block.locator("summary").click()
    text = block.locator("div.text")
    assert text.is_visible() and text.get_attribute("dir") == "auto"
    assert text.text_content() == expected
    page.close()
    assert errors == []


def test_a_verbatim_passage_marks_the_words_it_reaches_over(browser_page, tmp_path):
    import pandas as pd

    body = ("The radical movement has decided to stop the attacks, an official told the "
            "news agency on Sunday, but it was not going to make an official declaration "
            "of the change. The official refused to say what tactics the group would use "
            "in its struggle, or when the decision had been taken by its leaders. ")
    copy = body.replace("an official declaration", "an official statement")
    docs = pd.DataFrame({"id": ["wire", "paper"],
                         "text": [body + "Wire footer line that only the wire has.",
                                  "Local lead of the paper about the town. " + copy]})
    result = lineage.analyze(docs)
    verbatim = result.passages[result.passages["kind"] == "verbatim"]
    assert len(verbatim) == 1  # one passage reaching over the changed word
    html = write_html(result, tmp_path, charts=False)
    page = browser_page[0].context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(html.as_uri())
    page.wait_for_function("window.lineageRendered !== undefined", timeout=30_000)
    page.locator("#pair-table tbody tr").first.click()
    page.wait_for_selector("#pair-view mark.hl", timeout=10_000)
    changed = {side: page.locator(f"#text-{side} mark.verbatim span.changed").all_text_contents()
               for side in ("a", "b")}
    wire_side = "a" if result.pairs["a"].iloc[0] == "wire" else "b"
    paper_side = "b" if wire_side == "a" else "a"
    assert changed[wire_side] == ["declaration"] and changed[paper_side] == ["statement"]
    cells = page.locator("#passage-table tbody tr").first.locator("td").all_text_contents()
    assert cells[1] == "verbatim" and cells[3] == "1"
    page.close()
    assert errors == []


def test_a_narrow_window_does_not_scroll_sideways_and_back_closes_a_pair(browser_page, seeds,
                                                                          tmp_path):
    html = write_html(seeds, tmp_path, charts=False)
    page = browser_page[0].context.new_page()
    page.set_viewport_size({"width": 800, "height": 900})
    page.goto(html.as_uri())
    page.wait_for_function("window.lineageRendered !== undefined", timeout=30_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 800
    page.locator("#pair-table tbody tr").first.click()
    page.wait_for_selector("#pair-view mark.hl", timeout=10_000)
    assert page.evaluate("location.hash").startswith("#pair=")
    page.go_back()
    page.wait_for_function("document.getElementById('pair-view').hidden", timeout=10_000)
    page.close()
