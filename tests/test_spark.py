"""The Spark engine gives the same pairs as the local engine (Spark in ``local[2]``)."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("pyspark", reason="pyspark is not installed (pip install -e '.[spark]')")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("Java is not installed: Spark needs a JVM (Java 17)", allow_module_level=True)

from fixtures.corpus import CORPUS
from typer.testing import CliRunner

from lineage.cli import app
from lineage.pipeline import analyze
from lineage.spark import analyze_spark, spark_session

_BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "spark_bench.py"
_KEYS = ["a", "b", "relation", "likely_source"]
_SCORES = ["jaccard", "containment_ab", "containment_ba", "tfidf_cosine", "char_cosine",
           "aligned_a", "aligned_b", "confidence"]


def _generate_corpus(n: int, **kwargs) -> pd.DataFrame:
    spec = importlib.util.spec_from_file_location("spark_bench", _BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate_corpus(n, **kwargs)


@pytest.fixture(scope="session")
def spark():
    session = spark_session(
        "local[2]",
        app_name="lineage-tests",
        conf={"spark.driver.memory": "2g", "spark.sql.shuffle.partitions": "2",
              "spark.default.parallelism": "2", "spark.ui.showConsoleProgress": "false"},
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("spark") / "generated.parquet"
    docs = _generate_corpus(2000, words=120, seed=7)
    # Every outlet signs its articles with a footer: outlet boilerplate, which both
    # engines must leave out of the evidence in the same way.
    docs["text"] = docs["text"] + "\n\nSubscribe to " + docs["source"] + (
        " for the latest news from around the region, every morning, straight to your inbox.")
    docs.to_parquet(path, index=False)
    return path


def _assert_same_pairs(local: pd.DataFrame, other: pd.DataFrame) -> None:
    assert len(local) > 0
    pd.testing.assert_frame_equal(local[_KEYS].reset_index(drop=True),
                                  other[_KEYS].reset_index(drop=True))
    np.testing.assert_allclose(other[_SCORES].to_numpy(float), local[_SCORES].to_numpy(float),
                               rtol=0, atol=1e-6)


def test_generated_corpus_same_pairs_and_relations(spark, generated):
    local = analyze(generated)
    result = analyze_spark(generated, spark=spark)
    assert set(local.pairs["relation"]) >= {"duplicate", "wholly-derived"}
    assert (local.documents["boilerplate_chars"] > 0).mean() > 0.9
    _assert_same_pairs(local.pairs, result.pairs)
    assert result.summary["engine"] == "spark"
    assert result.summary["spark"]["candidate_pairs"] >= len(local.pairs)


def test_cli_engine_spark_writes_same_pairs_csv(spark, tmp_path):
    source = tmp_path / "named.jsonl"
    pd.DataFrame(CORPUS).to_json(source, orient="records", lines=True)
    runner = CliRunner()
    for engine in ("local", "spark"):
        res = runner.invoke(app, ["report", str(source), "--out", str(tmp_path / engine),
                                  "--engine", engine, "--master", "local[2]", "--no-html",
                                  "-q"])
        assert res.exit_code == 0, res.output
    local = pd.read_csv(tmp_path / "local" / "pairs.csv", keep_default_na=False)
    other = pd.read_csv(tmp_path / "spark" / "pairs.csv", keep_default_na=False)
    _assert_same_pairs(local, other)


def test_a_capped_band_group_links_papers_to_the_wire_as_locally(spark, monkeypatch):
    # one wire story run by 16 papers: with band groups capped at 5 members to link
    # to, both engines link every paper to the wire (a wire service, ranked first),
    # though its id sorts last
    import dataclasses

    from test_pipeline import _syndicated

    from lineage import candidates
    from lineage import spark as spark_engine
    from lineage.config import Config

    monkeypatch.setattr(candidates, "_MAX_BUCKET", 5)
    monkeypatch.setattr(spark_engine, "_MAX_BUCKET", 5)
    config = Config()  # the TF-IDF route gives each article its nearest article only
    config = dataclasses.replace(config, candidates=dataclasses.replace(
        config.candidates, neighbours=1, fingerprint_sample=0))
    docs = _syndicated(16)
    local = analyze(docs, config=config)
    result = analyze_spark(docs, spark=spark, config=config)
    _assert_same_pairs(local.pairs, result.pairs)
    pairs = local.pairs
    with_wire = (set(pairs.loc[pairs["a"] == "wire", "b"])
                 | set(pairs.loc[pairs["b"] == "wire", "a"]))
    assert with_wire == set(docs["id"]) - {"wire"}
