"""The derivation tree's arborescence on one big family: networkx against lineage's arrays.

Run ``python benchmarks/arborescence.py --n 500 1000 2000``. A family of ``n`` articles
where each has an edge from the virtual root and from 20 random members (weights in
tenths, as ties are common, with a tiny random nudge), as the tree step builds it for a
story that ``n`` outlets ran. Each method runs in its own subprocess, so peak RSS is its
own; prints seconds, peak RSS and the tree's total weight (equal for both methods).
This is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

_RUN = """
import json, resource, sys, time
import numpy as np
n, method = int(sys.argv[1]), sys.argv[2]
rng = np.random.default_rng(0)
us, vs, ws = [], [], []
for v in range(1, n + 1):
    us.append(0); vs.append(v); ws.append(0.01)
    for u in rng.choice(np.arange(1, n + 1), size=20, replace=False):
        if u != v:
            us.append(int(u)); vs.append(v)
            ws.append(float(np.round(rng.random(), 1)) + 1e-9 * rng.random())
started = time.perf_counter()
if method == "networkx":
    import networkx as nx
    g = nx.DiGraph()
    g.add_weighted_edges_from(zip(us, vs, ws))
    best = nx.maximum_spanning_arborescence(g, attr="weight")
    total = sum(g[a][b]["weight"] for a, b in best.edges)
else:
    from lineage.tree import maximum_arborescence
    chosen = maximum_arborescence(n + 1, np.array(us), np.array(vs), np.array(ws))
    total = float(np.array(ws)[chosen].sum())
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "rss_mib": peak, "total": total}))
"""


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print one row per size and method."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[500, 1000, 2000])
    args = parser.parse_args(argv)
    print(f"{'articles':>8} {'method':>9} {'seconds':>8} {'peak RSS MiB':>13} {'weight':>12}")
    for n in args.n:
        for method in ("lineage", "networkx"):
            out = subprocess.run([sys.executable, "-c", _RUN, str(n), method], check=True,
                                 capture_output=True, text=True).stdout
            got = json.loads(out)
            print(f"{n:>8} {method:>9} {got['seconds']:>8.2f} {got['rss_mib']:>13.0f} "
                  f"{got['total']:>12.4f}", flush=True)


if __name__ == "__main__":
    main()
