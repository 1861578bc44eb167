"""One wire story run by many papers: time and peak memory of :func:`lineage.analyze`.

Run ``python benchmarks/syndication.py --papers 100 200 400``. A news agency's story
run by a few hundred outlets makes one family with a reuse pair between every two of
them (LSH finds them all: they are near-duplicates), so the cost of everything after
the candidates grows with the square of the family. The corpus: one ABC story from
the Lee corpus as the wire copy (08:00, source "Associated Press"), ``N`` papers that
each ran its first 50-100% with one word of their own inserted and a closing line
of their own, an hour or so later, and 100 unrelated ABC stories. Each run is a
subprocess (peak RSS is its own): the default settings, and with ``--peer`` also the
same run with ``[tree] max_candidate_parents = 0`` (Edmonds' algorithm on every
candidate parent, as before the limit), and with ``--max-partners K`` a run with
``[candidates] max_partners = K`` (each document's ``K`` strongest partners only; 0
keeps every pair, as before session 18 made 30 the default).
Prints seconds, peak RSS, reuse pairs, how many papers the tree puts under the wire,
and whether the two trees are identical.
This is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def corpus(papers: int, seed: int = 0):
    """The wire story, ``papers`` papers that ran it cut and lightly changed, and 100
    unrelated stories (a DataFrame of id, text, source, published)."""
    import numpy as np
    import pandas as pd

    sys.path.insert(0, str(HERE))
    from corpus import load_roots

    roots = load_roots("en")
    rng = np.random.default_rng(seed)
    sentences = roots[0].split(". ")
    vocab = sorted({w for r in roots[300:400] for w in r.split() if w.isalpha() and len(w) > 5})
    rows = [("wire", roots[0], "Associated Press", "2024-03-01T08:00:00Z")]
    for i in range(papers):
        s = list(sentences)
        k = int(rng.integers(len(s)))
        words = s[k].split(" ")
        words.insert(int(rng.integers(1, len(words))), vocab[int(rng.integers(len(vocab)))])
        s[k] = " ".join(words)
        cut = int(rng.integers(max(3, len(s) // 2), len(s) + 1))
        closing = " ".join(vocab[int(x)] for x in rng.integers(len(vocab), size=4))
        rows.append((f"p{i:04d}", ". ".join(s[:cut]) + "\n\n" + closing.capitalize() + ".",
                     f"Paper {i}", f"2024-03-01T{9 + i % 12:02d}:{i % 60:02d}:00Z"))
    rows += [(f"o{j:04d}", r, "Other", None) for j, r in enumerate(roots[1:101])]
    return pd.DataFrame(rows, columns=["id", "text", "source", "published"])


def one_run(papers: int, limit: int | None, tree_out: str, partners: int | None = None
            ) -> dict:
    import dataclasses

    import lineage
    from lineage.config import Config

    docs = corpus(papers)
    config = Config()
    if limit is not None:
        config = dataclasses.replace(config, tree=dataclasses.replace(
            config.tree, max_candidate_parents=limit))
    if partners is not None:
        config = dataclasses.replace(config, candidates=dataclasses.replace(
            config.candidates, max_partners=partners))
    started = time.perf_counter()
    result = lineage.analyze(docs, config=config)
    seconds = time.perf_counter() - started
    result.tree.to_csv(tree_out, index=False)
    tree = result.tree.set_index("child")
    return {"seconds": round(seconds, 1),
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "reuse_pairs": int(result.pairs["relation"].isin(
                ["duplicate", "wholly-derived", "partially-derived"]).sum()),
            "under_wire": int((tree["parent"] == "wire").sum())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, nargs="+", default=[100, 200])
    parser.add_argument("--peer", action="store_true",
                        help="also run with max_candidate_parents = 0")
    parser.add_argument("--max-partners", type=int, default=None, metavar="K",
                        help="also run with [candidates] max_partners = K (0: every pair)")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        papers, limit, partners, out = args.child
        print(json.dumps(one_run(int(papers), None if limit == "default" else int(limit),
                                 out, None if partners == "default" else int(partners))))
        return
    import pandas as pd

    print(f"{'papers':>7} {'run':>12} {'seconds':>8} {'peak RSS MiB':>13} {'reuse pairs':>12} "
          f"{'under wire':>11}")
    for n in args.papers:
        trees = {}
        runs = [("default", "default", "default")] + (
            [("all", "0", "default")] if args.peer else []) + (
            [(f"partners={args.max_partners}", "default", str(args.max_partners))]
            if args.max_partners is not None else [])
        for name, limit, partners in runs:
            out = f"/tmp/lineage_syndication_{n}_{name}.csv"
            got = subprocess.run([sys.executable, __file__, "--child", str(n), limit,
                                  partners, out],
                                 check=True, capture_output=True, text=True)
            row = json.loads(got.stdout.strip().splitlines()[-1])
            trees[name] = pd.read_csv(out, keep_default_na=False)
            print(f"{n:>7} {name:>12} {row['seconds']:>8} {row['peak_rss_mib']:>13} "
                  f"{row['reuse_pairs']:>12} {row['under_wire']:>11}", flush=True)
        if "all" in trees:
            print(f"{'':>7} trees identical: {trees['default'].equals(trees['all'])}")


if __name__ == "__main__":
    main()
