"""Wall time of the Spark engine in ``local[2]`` beside the local engine, same corpus.

Not a timed test: it prints a small table. The corpus is generated (see
:func:`generate_corpus`): sentences of ``examples/seeds`` recombined with random
words, about 10% near copies of earlier articles.

Example::

    python benchmarks/spark_bench.py --n 20000 --master 'local[2]'
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import string
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["generate_corpus", "main"]

_SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"
_OUTLETS = ("Meridian Newswire", "Daily Gazette", "Bayview Courier", "Coastal Times",
            "Evening Star", "Northern Post", "Reuters", "City Herald")


def generate_corpus(n: int, *, seed: int = 0, words: int = 300,
                    copy_share: float = 0.1) -> pd.DataFrame:
    """A corpus of ``n`` generated news articles with known near copies.

    Each article recombines sentences of ``examples/seeds``, about half of whose words
    are replaced with words drawn from a Zipf-like vocabulary (seed words plus
    made-up ones), so unrelated articles share topic words but few 5-gram shingles.
    About ``copy_share`` of the articles are near copies of an earlier article: most
    sentences kept (a word changed here and there), one or two new ones added.

    Parameters
    ----------
    n : int
        Number of articles.
    seed : int, default 0
    words : int, default 300
        Rough length of an original article in words.
    copy_share : float, default 0.1

    Returns
    -------
    DataFrame
        Columns ``id, text, source, published``; ids ``g000000``... are unique and
        no two texts are equal.
    """
    rng = random.Random(seed)
    seed_text = " ".join(p.read_text(encoding="utf-8") for p in sorted(_SEEDS.glob("*.txt")))
    sentences = [s.split() for s in seed_text.replace("\n", " ").split(". ") if len(s.split()) > 5]
    vocab = sorted({w.strip(string.punctuation) for s in sentences for w in s} - {""})
    vocab += ["".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 10)))
              for _ in range(20 * len(vocab))]
    weights = 1.0 / np.arange(1, len(vocab) + 1) ** 0.8
    cum = np.cumsum(weights / weights.sum())
    draws = iter(np.searchsorted(cum, np.random.default_rng(seed).random(n * words * 4)))

    def word() -> str:
        return vocab[min(next(draws), len(vocab) - 1)]

    def sentence() -> list[str]:
        base = rng.choice(sentences)
        return [word() if rng.random() < 0.5 else w for w in base]

    texts: list[list[list[str]]] = []
    for _ in range(n):
        if texts and rng.random() < copy_share:
            kept = [[word() if rng.random() < 0.02 else w for w in s]
                    for s in rng.choice(texts) if rng.random() < 0.85]
            doc = kept + [sentence() for _ in range(rng.randint(1, 2))]
        else:
            doc, size = [], 0
            while size < words:
                doc.append(sentence())
                size += len(doc[-1])
        texts.append(doc)
    start = pd.Timestamp("2024-01-01", tz="UTC")
    return pd.DataFrame(
        {
            "id": [f"g{i:06d}" for i in range(n)],
            "text": [". ".join(" ".join(s) for s in doc) + "." for doc in texts],
            "source": [rng.choice(_OUTLETS) for _ in range(n)],
            "published": [start + pd.Timedelta(minutes=17 * i + rng.randint(0, 600))
                          for i in range(n)],
        }
    )


def main(argv: list[str] | None = None) -> None:
    """Run both engines on one generated corpus and print their wall times."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="articles (default 100000)")
    parser.add_argument("--master", default="local[2]", help="Spark master (default local[2])")
    parser.add_argument("--words", type=int, default=300, help="words per original article")
    parser.add_argument("--driver-memory", default="4g", help="spark.driver.memory")
    parser.add_argument("--skip-local", action="store_true", help="time the Spark engine only")
    args = parser.parse_args(argv)

    from lineage.pipeline import analyze
    from lineage.spark import analyze_spark, spark_session

    work = Path(tempfile.mkdtemp(prefix="lineage-spark-bench-"))
    try:
        corpus = generate_corpus(args.n, words=args.words)
        path = work / "corpus.parquet"
        corpus.to_parquet(path, index=False)
        mb = sum(len(t) for t in corpus["text"]) / 1e6
        print(f"corpus: {args.n} articles, {mb:.1f} MB of text, {os.cpu_count()} cores")
        rows = []
        if not args.skip_local:
            t0 = time.perf_counter()
            local = analyze(path)
            rows.append(("local", time.perf_counter() - t0, len(local.pairs)))
        t0 = time.perf_counter()
        spark = spark_session(args.master, conf={"spark.ui.showConsoleProgress": "false",
                                                 "spark.driver.memory": args.driver_memory})
        spark.sparkContext.setLogLevel("ERROR")
        boot = time.perf_counter() - t0
        t0 = time.perf_counter()
        result = analyze_spark(path, spark=spark)
        rows.append((f"spark {args.master}", time.perf_counter() - t0, len(result.pairs)))
        timing = result.summary.get("spark", {})
        spark.stop()
        print(f"{'engine':<18}{'wall s':>10}{'pairs':>10}")
        for name, seconds, n_pairs in rows:
            print(f"{name:<18}{seconds:>10.1f}{n_pairs:>10}")
        print(f"(spark session start {boot:.1f} s, not included; spark stages: {timing})")
        if not args.skip_local:
            same = local.pairs[["a", "b", "relation"]].equals(result.pairs[["a", "b", "relation"]])
            print(f"identical pairs and relations: {same}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
