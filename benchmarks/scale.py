"""Time and peak memory of every pipeline stage on a generated corpus, beside datasketch.

Run ``python benchmarks/scale.py --n 10000 100000``. Each N runs in its own
subprocess (so peak RSS is that N's alone) over a generated corpus (see
``benchmarks/scale_corpus.py``, cached as Parquet under ``--cache``). The stages are the
functions :func:`lineage.analyze` calls, called one by one the same way. In the
same run the peer path: datasketch's per-document ``MinHash(num_perm=128)``
``update_batch`` over the same shingles, then ``MinHashLSH(threshold)`` insert and
query. Prints a table per N, the ratio of docs/s, and the cost per article across N.
This is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


class RssMeter:
    """Peak resident memory per stage, sampled from ``/proc/self/status``."""

    def __init__(self, every: float = 0.02, limit: int = 0) -> None:
        self.peak = 0
        self.stage = ""
        self.limit = limit
        self._every = every
        self._stop = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    @staticmethod
    def now() -> int:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return 0

    def reset(self) -> None:
        self.peak = self.now()

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            self.peak = max(self.peak, self.now())
            if self.limit and self.peak > self.limit:
                # a benchmark must not take the machine down: say where, and end
                print(f"BREAKS: resident memory {self.peak / 2**30:.1f} GiB passed the "
                      f"--max-rss-gib limit in stage {self.stage or '?'}",
                      file=sys.stderr, flush=True)
                os._exit(3)


def run_one(n: int, args: argparse.Namespace) -> dict:
    """All stages at one N, in this process; returns the rows of the table."""
    import numpy as np

    sys.path.insert(0, str(HERE))
    from scale_corpus import generate_corpus

    from lineage import candidates, score, sketch
    from lineage.config import Config
    from lineage.load import load_documents
    from lineage.normalize import tokenize
    from lineage.shingle import shingle_corpus, shingle_hashes
    from lineage.vectorize import fit_vectors

    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"corpus_{n}.parquet"
    if not path.exists():
        t = time.perf_counter()
        generate_corpus(n, seed=args.seed).drop(columns="copy_of").to_parquet(path)
        print(f"  generated {n} articles in {time.perf_counter() - t:.1f}s", file=sys.stderr)

    config = Config()
    meter = RssMeter(limit=int(args.max_rss_gib * 2**30))
    rows: list[dict] = []
    state: dict = {}

    def stage(name: str, docs: int = n):
        def wrap(fn):
            meter.reset()
            meter.stage = name
            t, c = time.perf_counter(), time.process_time()
            try:
                fn()
                error = ""
            except Exception as exc:  # a benchmark reports the failure and goes on
                error = f"{type(exc).__name__}: {exc}"[:120]
            sec = time.perf_counter() - t
            cpu = time.process_time() - c
            rows.append({"n": n, "stage": name, "seconds": round(sec, 2), "docs": docs,
                         "cpu_s": round(cpu, 2),
                         "docs_per_s": round(docs / sec) if sec else None,
                         "peak_rss_mib": round(meter.peak / 2**20), "error": error})
            print(f"  {n:>8} {name:<28} {sec:8.2f}s {meter.peak / 2**20:8.0f} MiB {error}",
                  file=sys.stderr, flush=True)
            return error == ""
        return wrap

    def s_load():
        docs = load_documents(path)
        state["docs"] = docs.sort_values("id", kind="stable").reset_index(drop=True)
        state["texts"] = state["docs"]["text"].tolist()

    if not stage("load")(s_load):
        return {"rows": rows}
    if args.e2e_only:
        state.clear()
        if args.tree_per_family:
            per_family_arborescence()
        _end_to_end(n, path, rows, meter, stop_after=args.stop_after)
        return {"rows": rows}
    texts = state["texts"]
    m = min(n, args.sample)

    def s_old():
        toks = [tokenize(t) for t in texts[:m]]
        state["old"] = [shingle_hashes(t, config.shingle) for t in toks]

    stage("tokenize+shingle (per-doc)", m)(s_old)

    def s_fast():
        state["shingles"], state["sizes"], state["n_words"] = shingle_corpus(
            texts, config.shingle, jobs=args.jobs)

    stage(f"tokenize+shingle (jobs={args.jobs or 'all'})")(s_fast)
    shingles = state["shingles"]
    same = all(np.array_equal(a, b) for a, b in zip(state.pop("old"), shingles, strict=False))
    rows[-1]["error"] = rows[-1]["error"] or ("" if same else "DIFFERS from per-doc path")

    def s_sketch():
        state["sig"] = sketch.minhash_signatures(shingles, num_perm=config.sketch.num_perm,
                                                 seed=config.seed, jobs=args.jobs)

    stage("sketch (minhash)")(s_sketch)

    def s_lsh():
        state["lsh"] = candidates.lsh_candidates(state["sig"], threshold=config.sketch.threshold)

    stage("candidates: LSH")(s_lsh)
    rows[-1]["pairs"] = len(state.get("lsh", []))

    if args.peer:
        peer_n = min(n, args.peer_max)
        _peer(stage, shingles[:peer_n], config, state, peer_n)
        if peer_n == n and "peer" in state:
            ours = set(map(tuple, state["lsh"].tolist()))
            rows[-1]["pairs"] = len(state["peer"])
            rows[-1]["error"] = (f"same pairs as ours: {len(ours & state['peer'])}"
                                 f"/{len(state['peer'] | ours)}")

    def s_vec():
        state["word"], state["char"] = fit_vectors(texts)

    stage("vectorize (word+char tfidf)")(s_vec)

    def s_tfidf():
        state["tfidf"] = candidates.tfidf_candidates(state["word"], config.candidates)

    stage("candidates: tfidf blocking")(s_tfidf)
    rows[-1]["pairs"] = len(state.get("tfidf", []))
    pairs = candidates.union_pairs(state.get("lsh", np.empty((0, 2))),
                                   state.get("tfidf", np.empty((0, 2))))
    state["pairs"] = pairs

    def s_score():
        state["scores"] = score.score_pairs(pairs, score.shingle_matrix(shingles),
                                            state["word"], state["char"])

    stage("score")(s_score)
    rows[-1]["pairs"] = len(pairs)
    if args.stop_after == "score":
        return {"rows": rows}
    for key in list(state):  # free the stage-by-stage results before the full run
        if key != "docs":
            state.pop(key)
    if args.tree_per_family:
        per_family_arborescence()
    _end_to_end(n, path, rows, meter)
    return {"rows": rows}


def per_family_arborescence():
    """Patch ``lineage.tree`` to run Edmonds' algorithm once per family (a proposed fix).

    ``build_tree`` solves one arborescence over the virtual root and every family.
    networkx copies the whole graph at each cycle contraction, so the cost grows with
    (families x graph size). The root joined to disjoint families decomposes exactly
    into one problem per family, which is what this does.
    """
    import networkx as nx

    from lineage import tree

    original = nx.maximum_spanning_arborescence

    def per_component(graph, attr="weight", default=1, preserve_attrs=False, partition=None):
        rest = graph.copy()
        rest.remove_node(tree._ROOT)
        out = nx.DiGraph()
        for comp in nx.weakly_connected_components(rest):
            sub = graph.subgraph([tree._ROOT, *comp]).copy()
            part = original(sub, attr=attr, default=default, preserve_attrs=preserve_attrs)
            out.add_edges_from(part.edges(data=True))
        return out

    tree.nx = type("nx", (), {"maximum_spanning_arborescence": staticmethod(per_component),
                              "DiGraph": nx.DiGraph})


class _Stopped(Exception):
    """Raised from the progress callback to end ``analyze`` after a stage."""


def _end_to_end(n: int, path: Path, rows: list[dict], meter: RssMeter,
                stop_after: str = "write") -> None:
    """``lineage.analyze`` then ``write_report``, timed per progress stage.

    With ``stop_after="score"`` the run ends when ``analyze`` reaches its align stage:
    the real pipeline through candidates and scores.
    """
    from lineage import analyze
    from lineage.write import write_report

    marks: list[tuple[str, float, int]] = []

    def progress(stage: str, total: int):
        if marks:
            _close(marks[-1])
        meter.reset()
        meter.stage = f"analyze: {stage}"
        if stop_after == "score" and stage == "align":
            raise _Stopped
        marks.append((stage, time.perf_counter(), time.process_time()))
        return lambda k: None

    def _close(mark):
        stage, t0, c0 = mark
        sec = time.perf_counter() - t0
        rows.append({"n": n, "stage": f"analyze: {stage}", "seconds": round(sec, 2), "docs": n,
                     "cpu_s": round(time.process_time() - c0, 2),
                     "docs_per_s": round(n / sec) if sec else None,
                     "peak_rss_mib": round(meter.peak / 2**20), "error": ""})
        print(f"  {n:>8} analyze: {stage:<19} {sec:8.2f}s {meter.peak / 2**20:8.0f} MiB",
              file=sys.stderr, flush=True)

    t = time.perf_counter()
    try:
        try:
            result = analyze(path, progress=progress)
        except _Stopped:
            sec = time.perf_counter() - t
            rows.append({"n": n, "stage": "THROUGH SCORES (analyze)", "seconds": round(sec, 2),
                         "docs": n, "docs_per_s": round(n / sec), "error": "",
                         "peak_rss_mib": round(
                             resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)})
            return
        _close(marks[-1])
        meter.reset()
        t1 = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            write_report(result, Path(tmp) / "out")
        rows.append({"n": n, "stage": "write_report", "seconds": round(time.perf_counter() - t1, 2),
                     "docs": n, "docs_per_s": None, "peak_rss_mib": round(meter.peak / 2**20),
                     "error": ""})
        error = ""
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:120]
    sec = time.perf_counter() - t
    rows.append({"n": n, "stage": "END TO END (analyze+write)", "seconds": round(sec, 2),
                 "docs": n, "docs_per_s": round(n / sec), "error": error,
                 "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)})


def _peer(stage, shingles, config, state, peer_n) -> None:
    from datasketch import MinHash, MinHashLSH

    def identity(x):
        return x

    def s_minhash():
        out = []
        for s in shingles:
            mh = MinHash(num_perm=config.sketch.num_perm, seed=config.seed, hashfunc=identity)
            mh.update_batch(s)
            out.append(mh)
        state["peer_mh"] = out

    stage("peer: datasketch MinHash", peer_n)(s_minhash)

    def s_lsh():
        lsh = MinHashLSH(threshold=config.sketch.threshold, num_perm=config.sketch.num_perm)
        mhs = state.pop("peer_mh")
        for i, mh in enumerate(mhs):
            lsh.insert(i, mh)
        found = set()
        for i, mh in enumerate(mhs):
            found.update((min(i, j), max(i, j)) for j in lsh.query(mh) if j != i)
        state["peer"] = found

    stage("peer: MinHashLSH insert+query", peer_n)(s_lsh)


def main(argv: list[str] | None = None) -> None:
    """Command line: run each N in a subprocess and print the tables."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, nargs="+", default=[10_000])
    p.add_argument("--jobs", type=int, default=0, help="worker processes; 0 = all cores")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--sample", type=int, default=20_000,
                   help="documents for the per-doc reference tokenizer (docs/s only)")
    p.add_argument("--peer-max", type=int, default=100_000,
                   help="documents for the datasketch path (docs/s from a prefix)")
    p.add_argument("--no-peer", dest="peer", action="store_false")
    p.add_argument("--stop-after", choices=["score", "write"], default="write")
    p.add_argument("--e2e-only", action="store_true",
                   help="only load, then analyze + write_report end to end (with "
                        "--stop-after score: analyze through its score stage)")
    p.add_argument("--max-rss-gib", type=float, default=20.0,
                   help="end the run, saying in which stage, past this resident memory")
    p.add_argument("--tree-per-family", action="store_true",
                   help="patch lineage.tree to solve one arborescence per family")
    p.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "lineage_scale"))
    p.add_argument("--json", help="write all rows to this JSON file")
    p.add_argument("--_one", type=int, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args._one:
        out = run_one(args._one, args)
        out["max_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        print("JSON:" + json.dumps(out))
        return
    results = {}
    for n in args.n:
        cmd = [sys.executable, __file__, "--_one", str(n), *_passthrough(args)]
        t = time.perf_counter()
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=False)
        line = next((x for x in proc.stdout.splitlines() if x.startswith("JSON:")), None)
        if line is None:
            print(f"N={n}: subprocess failed (exit {proc.returncode})")
            continue
        results[n] = json.loads(line[5:])
        results[n]["wall"] = time.perf_counter() - t
        _print_table(n, results[n])
    _print_curve(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


def _passthrough(args) -> list[str]:
    out = ["--jobs", str(args.jobs), "--seed", str(args.seed), "--sample", str(args.sample),
           "--peer-max", str(args.peer_max), "--stop-after", args.stop_after,
           "--cache", args.cache, "--max-rss-gib", str(args.max_rss_gib)] + (
        ["--tree-per-family"] if args.tree_per_family else []) + (
        ["--e2e-only"] if args.e2e_only else [])
    return out + ([] if args.peer else ["--no-peer"])


def _print_table(n: int, result: dict) -> None:
    rows = result["rows"]
    print(f"\nN = {n:,}   (peak RSS of the process {result['max_rss_mib']:,} MiB)")
    print(f"| {'stage':<30} | {'seconds':>8} | {'cpu s':>8} | {'docs/s':>9} "
          f"| {'peak RSS MiB':>12} | {'pairs':>10} | note")
    print(f"|{'-' * 32}|{'-' * 10}|{'-' * 10}|{'-' * 11}|{'-' * 14}|{'-' * 12}|------")
    for r in rows:
        cpu = r.get("cpu_s")
        cpu = f"{cpu:>8.2f}" if cpu is not None else f"{'':>8}"
        print(f"| {r['stage']:<30} | {r['seconds']:>8.2f} | {cpu} | {r['docs_per_s'] or 0:>9,} "
              f"| {r['peak_rss_mib']:>12,} | {r.get('pairs', ''):>10} | {r['error']}")
    by = {r["stage"]: r for r in rows}
    fast = [r for r in rows if r["stage"].startswith("tokenize+shingle (jobs")]
    if "peer: datasketch MinHash" in by and "sketch (minhash)" in by:
        ours = by["sketch (minhash)"]["seconds"] + by["candidates: LSH"]["seconds"]
        peer = (by["peer: datasketch MinHash"]["seconds"]
                + by["peer: MinHashLSH insert+query"]["seconds"])
        ours_rate = n / ours
        peer_rate = by["peer: datasketch MinHash"]["docs"] / peer
        print(f"sketch+LSH candidates: ours {ours_rate:,.0f} docs/s, datasketch "
              f"{peer_rate:,.0f} docs/s: {ours_rate / peer_rate:.1f}x")
        if fast:
            with_sh = n / (ours + fast[0]["seconds"])
            print(f"  with tokenize+shingle on both sides (ours {with_sh:,.0f} docs/s): "
                  f"{with_sh / (1 / (1 / peer_rate + fast[0]['seconds'] / n)):.1f}x")


def _print_curve(results: dict) -> None:
    if len(results) < 2:
        return
    stages = [r["stage"] for r in next(iter(results.values()))["rows"]]
    print("\nCost per article (ms) across N")
    print("| stage | " + " | ".join(f"{n:,}" for n in results) + " |")
    print("|---|" + "---|" * len(results))
    for s in stages:
        cells = []
        for res in results.values():
            r = next((x for x in res["rows"] if x["stage"] == s), None)
            cells.append(f"{1000 * r['seconds'] / r['docs']:.3f}" if r else "-")
        print(f"| {s} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
