"""Results do not depend on Python's hash seed (sets of strings iterate differently)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = """
import sys
sys.path.insert(0, {bench!r})
import lineage
from corpus import load_roots, make_corpus
docs, _ = make_corpus(load_roots("en"), n_families=12, seed=5)
r = lineage.analyze(docs)
print(r.pairs[["a", "b", "relation", "likely_source"]].to_csv(index=False))
print(r.tree.to_csv(index=False))
"""


STORIES = """
import sys
sys.path.insert(0, {bench!r})
import pandas as pd
import lineage
from corpus import load_roots, make_corpus
docs, _ = make_corpus(load_roots("en"), n_families=60, seed=2)
docs["published"] = pd.NaT
print(lineage.analyze(docs).documents[["id", "family", "story"]].to_csv(index=False))
"""


def _run(hash_seed: str, script: str = SCRIPT) -> str:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run([sys.executable, "-c", script.format(bench=str(ROOT / "benchmarks"))],
                          capture_output=True, text=True, env=env, check=False, cwd=ROOT)
    if "pip install gensim" in done.stderr or "No module named 'gensim'" in done.stderr:
        pytest.skip("the benchmark corpus needs gensim's bundled news text")
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_pairs_and_tree_do_not_depend_on_the_hash_seed():
    first = _run("1")
    assert "wholly-derived" in first or "duplicate" in first
    assert _run("2") == first
    assert _run("3") == first


def test_stories_do_not_depend_on_the_hash_seed():
    # the community step split one story differently under hash seeds 1 and 3 (a
    # subgraph view of a few nodes iterates them from a set of strings)
    first = _run("1", STORIES)
    assert first.count("\n") > 200
    assert _run("3", STORIES) == first
