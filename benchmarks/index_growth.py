"""Benchmark the persistent index as it grows: one add per day's batch, each its own process.

The local engine holds a whole corpus in memory (about 55 KB an article), so one
``analyze`` of a million articles does not fit a 12 GiB machine. The index is the
out-of-core path: each add reads only the stored partners of its batch from SQLite.
This script measures whether that holds as the archive grows: the scale corpus
(``benchmarks/scale_corpus.py``, in publication order) is cut into ``--batches``
batches of ``--batch`` articles, and each is added by a fresh Python process (as a
daily ``lineage index add`` would be), which reports its own wall time and peak RSS.

Prints one row per add (articles already stored, seconds, ms an article, peak RSS of
the add's process, stored partners re-read, index size), and the medians of the
first and the last half of the adds: flat time and memory per add mean the archive's
size does not enter an add's cost. ``--compare`` also runs one ``lineage.analyze``
over every article and compares the reuse pairs (ids and relation) with the index's.

Usage::

    python benchmarks/index_growth.py --batch 10000 --batches 10
    python benchmarks/index_growth.py --batch 2000 --batches 5 --compare
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

__all__ = ["main"]

# the add's own peak RSS is VmHWM: getrusage's ru_maxrss survives exec, so a child
# would report at least the parent's peak (this script holds the whole corpus)
_ADD = """
import json, sys, time
from lineage import index
t = time.perf_counter()
result = index.add(sys.argv[1], sys.argv[2])
seconds = time.perf_counter() - t
with open("/proc/self/status") as status:
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(json.dumps({"seconds": seconds, "partners": result.partners,
                  "total": result.total_documents, "rss_mib": peak / 1024}))
"""

_REUSE = ("duplicate", "wholly-derived", "partially-derived")


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=10_000, help="articles per add")
    parser.add_argument("--batches", type=int, default=10, help="number of adds")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--db", type=Path, default=None, help="index file (default: temp)")
    parser.add_argument("--compare", action="store_true",
                        help="also analyze every article at once and compare the reuse pairs")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from scale_corpus import generate_corpus

    corpus = generate_corpus(args.batch * args.batches, seed=args.seed).drop(columns="copy_of")
    corpus = corpus.sort_values(["published", "id"], kind="stable").reset_index(drop=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "growth.db"
        for k in range(args.batches):
            part = Path(tmp) / f"day{k:03d}.parquet"
            corpus.iloc[k * args.batch:(k + 1) * args.batch].to_parquet(part, index=False)
            t0 = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", _ADD, str(db), str(part)],
                                  capture_output=True, text=True, check=True)
            wall = time.perf_counter() - t0
            got = json.loads(done.stdout.strip().splitlines()[-1])
            rows.append({"stored": k * args.batch, "seconds": got["seconds"],
                         "process_s": wall, "ms_per_article": 1000 * got["seconds"] / args.batch,
                         "rss_mib": got["rss_mib"], "partners": got["partners"],
                         "db_mib": db.stat().st_size / 2**20})
            r = rows[-1]
            print(f"add {k + 1:>3}: {r['stored']:>9,} stored  {r['seconds']:7.1f} s  "
                  f"{r['ms_per_article']:6.2f} ms/article  {r['rss_mib']:7.0f} MiB  "
                  f"{r['partners']:>7,} partners  {r['db_mib']:8.0f} MiB index", flush=True)
            part.unlink()
        table = pd.DataFrame(rows)
        half = max(1, len(table) // 2)
        print()
        print(table.round(2).to_string(index=False))
        for name, rows_of in (("first half", table.iloc[:half]),
                              ("last half", table.iloc[half:])):
            if len(rows_of):
                print(f"{name}: median {statistics.median(rows_of['seconds']):.1f} s an add, "
                      f"{statistics.median(rows_of['ms_per_article']):.2f} ms an article, "
                      f"peak RSS {statistics.median(rows_of['rss_mib']):.0f} MiB")
        if args.compare:
            import lineage
            from lineage import index

            built = index.load_analysis(db).pairs
            full = lineage.analyze(corpus).pairs
            mine = {tuple(p) for p in built.loc[built["relation"].isin(_REUSE),
                                                ["a", "b", "relation"]].to_numpy()}
            theirs = {tuple(p) for p in full.loc[full["relation"].isin(_REUSE),
                                                 ["a", "b", "relation"]].to_numpy()}
            print(f"reuse pairs: index {len(mine):,}, one full run {len(theirs):,}, "
                  f"only in index {len(mine - theirs):,}, only in full run {len(theirs - mine):,}")


if __name__ == "__main__":
    main()
