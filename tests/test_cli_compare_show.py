"""``lineage compare`` and ``lineage show``: thin commands over lineage.view."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lineage.cli import app
from lineage.schema import REUSE_RELATIONS

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"
A = SEEDS / "002_c905c3656ea7082f.txt"
B = SEEDS / "003_67203c20ee23465f.txt"
runner = CliRunner()


def _run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("r") / "seeds"
    result = _run("report", SEEDS, "--out", out, "--quiet", "--no-html")
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("command", ["compare", "show"])
def test_help_has_example(command):
    result = _run(command, "--help")
    assert result.exit_code == 0
    assert f"Example: lineage {command}" in result.output


def test_compare_json_reports_reuse_with_passages():
    result = _run("compare", A, B, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["a"], data["b"]) == (A.stem, B.stem)
    assert data["relation"] in REUSE_RELATIONS
    assert data["evidence"] and set(data["scores"]) >= {"jaccard", "aligned_a", "aligned_b"}
    texts = {A.stem: A.read_text(encoding="utf-8"), B.stem: B.read_text(encoding="utf-8")}
    assert data["passages"]
    for p in data["passages"]:
        assert p["kind"] in {"verbatim", "rewritten"}
        assert texts[A.stem][p["a_start"]:p["a_end"]] == p["a_text"]
        assert texts[B.stem][p["b_start"]:p["b_end"]] == p["b_text"]


def test_compare_table_prints_relation_and_passages():
    result = _run("compare", A, B)
    assert result.exit_code == 0, result.output
    assert "relation:" in result.output and "jaccard" in result.output
    assert "rewritten" in result.output


def test_compare_unrelated(tmp_path: Path):
    other = tmp_path / "recipe.txt"
    other.write_text("Whisk two eggs with sugar until pale, then fold in the flour gently.\n",
                     encoding="utf-8")
    data = json.loads(_run("compare", A, other, "-f", "json").output)
    assert data["relation"] == "unrelated" and data["passages"] == []


def test_compare_same_stem_keeps_both(tmp_path: Path):
    (tmp_path / "x").mkdir()
    copy = tmp_path / "x" / A.name
    copy.write_text(A.read_text(encoding="utf-8"), encoding="utf-8")
    data = json.loads(_run("compare", A, copy, "-f", "json").output)
    assert data["relation"] == "duplicate"
    assert {data["a"], data["b"]} == {f"A:{A.stem}", f"B:{A.stem}"}


def test_compare_missing_file_is_one_line_error(tmp_path: Path):
    result = _run("compare", A, tmp_path / "nope.txt")
    assert result.exit_code == 2
    assert result.output.strip().startswith("error:") and "Traceback" not in result.output


def test_show_table_and_json(report_dir: Path):
    result = _run("show", report_dir)
    assert result.exit_code == 0, result.output
    assert "documents" in result.output and "pairs: same-story" in result.output
    assert re.search(r"stories\s+│\s+1\s", result.output)
    data = json.loads(_run("show", report_dir, "--format", "json").output)
    summary = json.loads((report_dir / "summary.json").read_text(encoding="utf-8"))
    assert data["summary"] == summary
    assert "pairs.csv" in data["files"] and "report.html" not in data["files"]
    assert [p["a"] for p in data["top_pairs"]][:1] == ["002_c905c3656ea7082f"]
    assert data["families"][0]["size"] >= 2


def test_show_not_a_report(tmp_path: Path):
    result = _run("show", tmp_path)
    assert result.exit_code == 2
    assert "not a lineage report" in result.output


def test_show_a_summary_that_is_not_a_report_summary(tmp_path: Path):
    (tmp_path / "summary.json").write_text("[1, 2]\n", encoding="utf-8")
    result = _run("show", tmp_path)
    assert result.exit_code == 2
    assert result.output.strip() == (f"error: {tmp_path / 'summary.json'}: not a lineage report "
                                     "summary (a JSON object with the run's counts was expected)")
