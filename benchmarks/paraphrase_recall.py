"""Recall of the blocked TF-IDF candidates against exact top-k cosine neighbours.

Run ``python benchmarks/paraphrase_recall.py --n 20000`` (the recall table over a
grid of blocking settings) and ``--curve 5000 10000 20000 40000`` (time of the
default setting against the exact search). The exact top-``k`` neighbours of every
document come from chunked sparse products ``X[rows] @ X.T``; a neighbour with
cosine >= ``--reuse`` (0.3) is a *reuse neighbour*. Recall is the share of those
(unordered) pairs that :func:`lineage.candidates.tfidf_candidates` returns.
This is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale_corpus import generate_corpus

from lineage.candidates import tfidf_candidates
from lineage.config import CandidateConfig
from lineage.vectorize import word_vectorizer


def corpus(n: int, cache: Path, seed: int = 0) -> pd.DataFrame:
    """The generated corpus of ``n`` articles, cached as Parquet."""
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"corpus_{n}.parquet"
    if not path.exists():
        generate_corpus(n, seed=seed).drop(columns="copy_of").to_parquet(path)
    return pd.read_parquet(path).sort_values("id").reset_index(drop=True)


def exact_neighbours(x: sp.csr_matrix, k: int, reuse: float, chunk: int = 2000) -> np.ndarray:
    """Unordered pairs ``a < b`` where b is among a's top-``k`` (or a among b's), cos >= reuse."""
    xt = x.T.tocsr()
    found = []
    for lo in range(0, x.shape[0], chunk):
        sims = (x[lo : lo + chunk] @ xt).toarray()
        rows = np.arange(sims.shape[0])
        sims[rows, lo + rows] = -1.0
        top = np.argpartition(-sims, k, axis=1)[:, :k]
        val = np.take_along_axis(sims, top, axis=1)
        r, c = np.nonzero(val >= reuse)
        a, b = lo + r, top[r, c]
        found.append(np.column_stack([np.minimum(a, b), np.maximum(a, b)]))
    pairs = np.concatenate(found)
    return np.unique(pairs, axis=0)


def recall(candidates: np.ndarray, truth: np.ndarray, n: int) -> float:
    """Share of ``truth`` pairs found in ``candidates``."""
    if len(truth) == 0:
        return 1.0
    code = candidates[:, 0] * n + candidates[:, 1]
    return float(np.isin(truth[:, 0] * n + truth[:, 1], code).mean())


def main(argv: list[str] | None = None) -> None:
    """Command line."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=20_000)
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--reuse", type=float, default=0.3)
    p.add_argument("--curve", type=int, nargs="*", default=[])
    p.add_argument("--exact-max", type=int, default=20_000,
                   help="skip the (quadratic) exact search in the curve above this N")
    p.add_argument("--grid", action="store_true", help="sweep blocking settings at --n")
    p.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "lineage_scale"))
    args = p.parse_args(argv)
    default = CandidateConfig()
    if args.grid:
        x, t_vec = _vectors(args.n, args)
        t = time.perf_counter()
        truth = exact_neighbours(x, args.k, args.reuse)
        t_exact = time.perf_counter() - t
        print(f"N = {args.n:,}: vectorise {t_vec:.1f} s, exact top-{args.k} {t_exact:.1f} s, "
              f"{len(truth):,} reuse-neighbour pairs (cos >= {args.reuse})")
        print("| block_terms | max_block_df | min_shared | pairs | recall | seconds |")
        print("|---|---|---|---|---|---|")
        for bt, df, ms in [(24, 200, 2), (16, 200, 2), (32, 200, 2), (24, 100, 2), (24, 500, 2),
                           (24, 200, 1), (32, 500, 2), (48, 200, 2)]:
            cfg = dataclasses.replace(default, block_terms=bt, max_block_df=df,
                                      min_shared_terms=ms)
            t = time.perf_counter()
            cand = tfidf_candidates(x, cfg)
            sec = time.perf_counter() - t
            print(f"| {bt} | {df} | {ms} | {len(cand):,} | {recall(cand, truth, args.n):.4f} "
                  f"| {sec:.2f} |", flush=True)
    if args.curve:
        print("\n| N | vectorise s | blocked candidates s | exact top-k s | recall |")
        print("|---|---|---|---|---|")
        for n in args.curve:
            x, t_vec = _vectors(n, args)
            t = time.perf_counter()
            cand = tfidf_candidates(x, default)
            t_cand = time.perf_counter() - t
            if n > args.exact_max:
                print(f"| {n:,} | {t_vec:.1f} | {t_cand:.2f} | - | - |", flush=True)
                continue
            t = time.perf_counter()
            truth = exact_neighbours(x, args.k, args.reuse)
            t_exact = time.perf_counter() - t
            print(f"| {n:,} | {t_vec:.1f} | {t_cand:.2f} | {t_exact:.1f} "
                  f"| {recall(cand, truth, n):.4f} |", flush=True)


def _vectors(n: int, args) -> tuple[sp.csr_matrix, float]:
    texts = corpus(n, Path(args.cache))["text"].tolist()
    t = time.perf_counter()
    x = word_vectorizer().fit_transform(texts).tocsr()
    return x, time.perf_counter() - t


if __name__ == "__main__":
    main()
