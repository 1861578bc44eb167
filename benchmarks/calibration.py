"""Is the tree's edge confidence honest? A reliability table pooled over seeds.

For each seed, builds the accuracy benchmark's corpus (:mod:`corpus`), runs
``lineage.analyze`` and keeps every tree edge whose parent is an article, with its
confidence and whether the parent is the true one. Pooled over the seeds, it prints
the edges per confidence bin, their mean confidence and the share right, the
expected calibration error (the bins' gaps weighted by their edges) and the Brier
score. One seed gives about 170 edges, too few for stable bins; pooling five gives
about 870.

Examples
--------
::

    python benchmarks/calibration.py --seeds 1 2 3 4 5
    python benchmarks/calibration.py --seeds 1 2 3 4 5 --max-depth 1 --no-timestamps
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import load_roots, make_corpus

__all__ = ["BINS", "edges_right", "main", "reliability"]

#: Upper edges of the confidence bins (the last bin ends at 1).
BINS = (0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)


def edges_right(tree: pd.DataFrame, parents: pd.DataFrame) -> pd.DataFrame:
    """``confidence, right`` for each tree edge whose parent is an article (not the
    virtual root, not an unseen source); ``right`` when it is the true parent."""
    truth = dict(zip(parents["child"], parents["parent"], strict=True))
    real = (tree["parent"] != "") & ~tree["parent"].astype(str).str.startswith("latent:")
    edges = tree[real]
    return pd.DataFrame({
        "confidence": edges["confidence"].to_numpy(dtype=float),
        "right": edges["parent"].to_numpy() == edges["child"].map(truth).to_numpy(),
    })


def reliability(edges: pd.DataFrame) -> tuple[pd.DataFrame, float, float]:
    """The reliability table (``n, confidence, right`` per bin), the expected
    calibration error and the Brier score of ``edges`` (``confidence, right``)."""
    conf = edges["confidence"].to_numpy(dtype=float)
    right = edges["right"].to_numpy(dtype=float)
    label = np.digitize(conf, BINS, right=True)
    names = [f"{lo:.2f}-{hi:.2f}" for lo, hi in zip((0.0, *BINS), (*BINS, 1.0), strict=True)]
    table = pd.DataFrame({"bin": np.array(names)[label], "confidence": conf, "right": right}
                         ).groupby("bin", sort=True).agg(
        n=("right", "size"), confidence=("confidence", "mean"), right=("right", "mean"))
    ece = float((table["n"] * (table["confidence"] - table["right"]).abs()).sum()
                / max(len(conf), 1))
    brier = float(((conf - right) ** 2).mean()) if len(conf) else 0.0
    return table, ece, brier


def main(argv: list[str] | None = None) -> int:
    """Command line: the pooled reliability table."""
    import lineage

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--families", type=int, default=60)
    parser.add_argument("--max-depth", type=int, default=3,
                        help="depth of copies of copies (default 3; 1 = stars)")
    parser.add_argument("--language", choices=("en", "zh"), default="en")
    parser.add_argument("--no-timestamps", action="store_true",
                        help="drop every published date before the analysis")
    args = parser.parse_args(argv)
    try:
        roots = load_roots(args.language)
    except RuntimeError as err:  # the data package is missing
        print(f"error: {err}", file=sys.stderr)
        return 2
    pooled = []
    for seed in args.seeds:
        docs, truth = make_corpus(roots, n_families=args.families, seed=seed,
                                  max_depth=args.max_depth, language=args.language)
        if args.no_timestamps:
            docs = docs.assign(published=pd.NaT)
        result = lineage.analyze(docs)
        pooled.append(edges_right(result.tree, truth.parents))
    table, ece, brier = reliability(pd.concat(pooled, ignore_index=True))
    print(table.round(3).to_string())
    print(f"edges {int(table['n'].sum())}, seeds {args.seeds}: calibration error {ece:.3f},"
          f" Brier {brier:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
