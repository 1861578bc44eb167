"""Benchmark the persistent index: build it from N articles, add 1,000 more, compare.

Prints a table: the time to build the index, the time of the incremental add, the
time of a full ``lineage.analyze`` run over all N + 1,000 articles, their ratio,
and whether the index's pairs (ids and relations) are identical to the full run's:
the reuse pairs (duplicate, wholly- and partially-derived) and all pairs apart.

Usage::

    python benchmarks/index_bench.py              # N = 20,000
    python benchmarks/index_bench.py --n 100000 --add 1000
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import lineage
from lineage import index

__all__ = ["generate", "main"]


def generate(n: int, *, seed: int = 0, start: int = 0, copy_share: float = 0.1,
             archive: pd.DataFrame | None = None, words: int = 300) -> pd.DataFrame:
    """``n`` generated news articles, ``copy_share`` of them near-copies of earlier ones.

    Each article is ~``words`` words of sentences drawn from a Zipf vocabulary, plus
    a few story-specific names and numbers. A near-copy takes the first two thirds
    of an earlier article (from this batch or from ``archive``) and adds a local line.
    Ids are ``art{start + i:07d}``; ``published`` increases by one minute per article.
    """
    rng = np.random.default_rng(seed)
    vocab = np.array([f"{_syllables(rng)}" for _ in range(20_000)])
    weights = 1.0 / np.arange(1, len(vocab) + 1)
    weights /= weights.sum()
    pool = [] if archive is None else list(archive["text"])
    texts = []
    for _ in range(n):
        if (pool or texts) and rng.random() < copy_share:
            source_pool = texts if texts and (not pool or rng.random() < 0.5) else pool
            base = source_pool[int(rng.integers(len(source_pool)))]
            texts.append(base[: 2 * len(base) // 3] + " The local desk contributed reporting.")
            continue
        names = [_syllables(rng).capitalize() for _ in range(4)]
        number = str(int(rng.integers(100, 99_999)))
        sentences = []
        for _ in range(max(1, words // 20)):
            body = list(rng.choice(vocab, int(rng.integers(14, 24)), p=weights))
            body.insert(int(rng.integers(len(body))), names[int(rng.integers(4))])
            if rng.random() < 0.3:
                body.append(number)
            sentences.append(" ".join(body).capitalize() + ".")
        texts.append(" ".join(sentences))
    base = pd.Timestamp("2024-01-01", tz="UTC")
    return pd.DataFrame({
        "id": [f"art{start + i:07d}" for i in range(n)],
        "text": texts,
        "source": [f"Outlet {i % 50}" for i in range(n)],
        "published": [base + pd.Timedelta(minutes=start + i) for i in range(n)],
    })


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000, help="articles in the index")
    parser.add_argument("--add", type=int, default=1_000, help="articles added afterwards")
    parser.add_argument("--words", type=int, default=300, help="words per article")
    parser.add_argument("--db", type=Path, default=None, help="index file (default: temp)")
    args = parser.parse_args(argv)

    archive = generate(args.n, seed=1, words=args.words)
    new = generate(args.add, seed=2, start=args.n, archive=archive, words=args.words)
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "bench.db"
        t0 = time.perf_counter()
        index.add(db, archive)
        build = time.perf_counter() - t0
        t0 = time.perf_counter()
        added = index.add(db, new)
        add_s = time.perf_counter() - t0
        built = index.load_analysis(db)
        t0 = time.perf_counter()
        full = lineage.analyze(pd.concat([archive, new], ignore_index=True))
        full_s = time.perf_counter() - t0
        size = db.stat().st_size / 2**20

    key = ["a", "b", "relation"]
    mine = set(map(tuple, built.pairs[key].to_numpy()))
    theirs = set(map(tuple, full.pairs[key].to_numpy()))
    reuse = {"duplicate", "wholly-derived", "partially-derived"}
    mine_r, theirs_r = {p for p in mine if p[2] in reuse}, {p for p in theirs if p[2] in reuse}
    rows = [
        ("articles in index", f"{args.n:,}"),
        ("articles added", f"{args.add:,} ({added.partners:,} stored partners re-read)"),
        ("build index (one add of N)", f"{build:.2f} s"),
        (f"add {args.add:,}", f"{add_s:.2f} s"),
        (f"full run over {args.n + args.add:,}", f"{full_s:.2f} s"),
        ("add / full run", f"{add_s / full_s:.2%}"),
        ("index size", f"{size:.1f} MiB"),
        ("reuse pairs: index / full run", f"{len(mine_r):,} / {len(theirs_r):,}"),
        ("reuse pairs identical (a, b, relation)", _same(mine_r, theirs_r)),
        ("all pairs: index / full run", f"{len(mine):,} / {len(theirs):,}"),
        ("all pairs identical (a, b, relation)", _same(mine, theirs)),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  value")
    print(f"{'-' * width}  {'-' * 30}")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    first_new = f"art{args.n:07d}"
    for label, diff in (("only in index", mine - theirs), ("only in full run", theirs - mine)):
        for a, b, rel in sorted(diff)[:10]:
            kind = "new-old" if max(a, b) >= first_new > min(a, b) else (
                "new-new" if min(a, b) >= first_new else "old-old")
            print(f"  {label}: {a} {b} {rel} ({kind})")


def _same(mine: set, theirs: set) -> str:
    if mine == theirs:
        return "yes"
    return f"no: {len(mine - theirs)} only in index, {len(theirs - mine)} only in full run"


def _syllables(rng: np.random.Generator) -> str:
    parts = ("ka", "lo", "mi", "ren", "sta", "vo", "tri", "nel", "qu", "dar", "bis", "ul",
             "fen", "gro", "hap", "jin")
    return "".join(parts[int(j)] for j in rng.integers(0, len(parts), int(rng.integers(2, 4))))


if __name__ == "__main__":
    main()
