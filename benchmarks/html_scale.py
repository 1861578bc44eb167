"""How big is ``report.html`` and how fast does it first render, at 5 and 5,000 documents.

Generates a corpus by recombining sentences of ``examples/seeds`` with random words,
with copies (verbatim, trimmed and lightly rewritten) of some articles, runs
:func:`lineage.analyze`, writes the report with its HTML page, and prints the file size
and the time to first render in headless Chromium (skipped when ``/usr/bin/chromium``
is absent).

Run from the repository root::

    python benchmarks/html_scale.py            # seeds and 5,000 documents
    python benchmarks/html_scale.py --docs 1000
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import lineage
from lineage.html import write_html

__all__ = ["first_render_ms", "generate_corpus", "main"]

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "examples" / "seeds"
CHROMIUM = Path("/usr/bin/chromium")
OUTLETS = [f"Outlet {c}" for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"] + ["Reuters", "AP", "AFP"]


def _seed_sentences() -> tuple[list[str], list[str]]:
    text = " ".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if len(s.split()) >= 6]
    words = re.findall(r"[A-Za-z][A-Za-z'-]+", text)
    return sentences, words


def generate_corpus(n_docs: int, *, seed: int = 0, copy_share: float = 0.3) -> pd.DataFrame:
    """A synthetic news corpus of ``n_docs`` articles, some of them copies of others.

    Parameters
    ----------
    n_docs : int
        Number of articles.
    seed : int, default 0
        Random seed.
    copy_share : float, default 0.3
        Share of articles that copy (part of) an earlier one.

    Returns
    -------
    DataFrame
        Columns ``id, text, title, source, published``.
    """
    rng = np.random.default_rng(seed)
    sentences, words = _seed_sentences()
    vocab = np.array(sorted(set(words)))
    start = pd.Timestamp("2024-11-01", tz="UTC")

    def random_sentence() -> str:
        k = int(rng.integers(8, 22))
        return " ".join(rng.choice(vocab, size=k)).capitalize() + "."

    def reword(sentence: str, share: float) -> str:
        toks = sentence.split()
        for i in np.flatnonzero(rng.random(len(toks)) < share):
            toks[i] = str(rng.choice(vocab))
        return " ".join(toks)

    rows: list[dict] = []
    for i in range(n_docs):
        if rows and rng.random() < copy_share:
            src = rows[int(rng.integers(len(rows)))]
            body = src["text"].split("\n\n")
            keep = [s for s in body if rng.random() < 0.8] or body[:3]
            mode = rng.random()
            body = keep if mode < 0.3 else [reword(s, 0.15) for s in keep]
            body += [random_sentence() for _ in range(int(rng.integers(0, 4)))]
            published = src["published"] + pd.Timedelta(hours=float(rng.uniform(1, 48)))
        else:
            body = [random_sentence() for _ in range(int(rng.integers(6, 16)))]
            for _ in range(int(rng.integers(0, 2))):
                body.insert(int(rng.integers(len(body))), reword(str(rng.choice(sentences)), 0.3))
            published = start + pd.Timedelta(hours=float(rng.uniform(0, 24 * 30)))
        rows.append({"id": f"doc{i:05d}", "text": "\n\n".join(body),
                     "title": body[0][:80], "source": str(rng.choice(OUTLETS)),
                     "published": published})
    frame = pd.DataFrame(rows)
    frame["published"] = frame["published"].map(lambda t: t.isoformat())
    return frame


def first_render_ms(html: Path) -> tuple[float, float]:
    """Open ``html`` from file:// in headless Chromium and time its first render.

    Returns
    -------
    wall_ms : float
        Wall time from navigation start until the page says it has rendered.
    page_ms : float
        The page's own ``performance.now()`` at that moment (``window.lineageRendered``).
    """
    from playwright.sync_api import sync_playwright

    args = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"]
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), args=args, headless=True)
        page = context.new_page()
        started = time.perf_counter()
        page.goto(html.resolve().as_uri())
        page.wait_for_function("window.lineageRendered !== undefined", timeout=120_000)
        wall = (time.perf_counter() - started) * 1000
        page_ms = float(page.evaluate("window.lineageRendered"))
        context.close()
    return wall, page_ms


def _measure(label: str, source, folder: Path) -> None:
    started = time.perf_counter()
    result = lineage.analyze(source)
    analyse_s = time.perf_counter() - started
    started = time.perf_counter()
    html = write_html(result, folder)
    write_s = time.perf_counter() - started
    size = html.stat().st_size
    line = (f"{label}: {len(result.documents)} docs, {len(result.pairs)} pairs "
            f"({result.summary['reuse_pairs']} reuse), {len(result.passages)} passages; "
            f"analyze {analyse_s:.1f} s, write_html {write_s:.2f} s, "
            f"report.html {size / 1e6:.2f} MB")
    if CHROMIUM.exists():
        wall, page_ms = first_render_ms(html)
        line += f"; first render {wall:.0f} ms wall ({page_ms:.0f} ms page clock)"
    else:
        line += "; first render not measured (no /usr/bin/chromium)"
    print(line, flush=True)


def main() -> None:
    """Print size and first-render time for the seeds and a generated corpus."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="write the reports under this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = args.keep or Path(tmp)
        (base / "seeds").mkdir(parents=True, exist_ok=True)
        _measure("seeds", SEEDS, base / "seeds")
        corpus = base / f"generated_{args.docs}.jsonl"
        generate_corpus(args.docs, seed=args.seed).to_json(
            corpus, orient="records", lines=True, force_ascii=False)
        (base / "generated").mkdir(exist_ok=True)
        _measure(f"generated {args.docs}", corpus, base / "generated")


if __name__ == "__main__":
    main()
