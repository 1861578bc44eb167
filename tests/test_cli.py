"""The command line: exit codes, one-line errors, atomic reports."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from lineage import __version__
from lineage.cli import app
from lineage.schema import (
    DOCUMENTS_OUT,
    FAMILY_COLUMNS,
    PAIR_COLUMNS,
    PASSAGE_COLUMNS,
    TREE_COLUMNS,
)

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"
runner = CliRunner()


def _run(*args: str):
    return runner.invoke(app, list(args))


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def seeds_report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("r") / "seeds"
    result = _run("report", str(SEEDS), "--out", str(out), "--quiet")
    assert result.exit_code == 0, result.output
    return out


def test_version():
    result = _run("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"lineage {__version__}"


@pytest.mark.parametrize("command", [[], ["report"]])
def test_every_command_has_help(command):
    result = _run(*command, "--help")
    assert result.exit_code == 0
    assert "Usage" in result.output


def test_report_help_has_example():
    assert "Example: lineage report" in _run("report", "--help").output


def test_report_writes_six_files_with_contract_columns(seeds_report: Path):
    written = {p.name for p in seeds_report.iterdir()}
    assert {"documents.csv", "pairs.csv", "families.csv", "tree.csv", "passages.csv",
            "summary.json", "latent.csv"} <= written
    expected = {
        "documents.csv": DOCUMENTS_OUT,
        "pairs.csv": PAIR_COLUMNS,
        "families.csv": FAMILY_COLUMNS,
        "tree.csv": TREE_COLUMNS,
        "passages.csv": PASSAGE_COLUMNS,
    }
    for name, columns in expected.items():
        header = pd.read_csv(seeds_report / name, nrows=0).columns
        assert tuple(header[: len(columns)]) == tuple(columns), name
    summary = json.loads((seeds_report / "summary.json").read_text())
    assert summary["documents"] == 5
    assert summary["lineage_version"] == __version__
    assert summary["config"]["seed"] == 1
    # one copy, with one candidate source: no clear choice tells how this corpus copies
    assert summary["copying"] == {"clear_copies": 0, "from_top": 0, "rate": 0.5}


def test_report_json_format(tmp_path: Path):
    result = _run("report", str(SEEDS), "--out", str(tmp_path / "r"), "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.output)["documents"] == 5


def test_report_prints_summary_table(tmp_path: Path):
    result = _run("report", str(SEEDS), "--out", str(tmp_path / "r"), "--quiet")
    assert result.exit_code == 0
    assert "pairs: partially-derived" in result.output
    assert "report written to" in result.output


def test_report_says_how_the_corpus_copies(tmp_path: Path):
    from fixtures.corpus import DIGEST_CORPUS

    table = tmp_path / "digest.jsonl"
    pd.DataFrame(DIGEST_CORPUS).to_json(table, orient="records", lines=True)
    result = _run("report", str(table), "--out", str(tmp_path / "r"), "--quiet")
    assert result.exit_code == 0, result.output
    # both copies chose their family's original clearly over another copy
    assert "2 of 2 clear copies" in result.output
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert summary["copying"] == {"clear_copies": 2, "from_top": 2, "rate": 0.75}


def _assert_one_line_error(result, *needles: str) -> None:
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.strip().splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error:")
    assert "Traceback" not in result.output
    for needle in needles:
        assert needle in lines[0]


def test_missing_path(tmp_path: Path):
    missing = tmp_path / "nope"
    _assert_one_line_error(_run("report", str(missing), "--out", str(tmp_path / "o")),
                           "nope")


def test_empty_folder(tmp_path: Path):
    (tmp_path / "empty").mkdir()
    _assert_one_line_error(_run("report", str(tmp_path / "empty"), "--out",
                                str(tmp_path / "o")), "empty")


def test_malformed_jsonl_names_line(tmp_path: Path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "a", "text": "one"}\n{"id": "b", "text": \n', encoding="utf-8")
    _assert_one_line_error(_run("report", str(path), "--out", str(tmp_path / "o")),
                           "bad.jsonl", "line 2")


def test_duplicate_ids(tmp_path: Path):
    path = tmp_path / "dup.csv"
    path.write_text("id,text\nx,first text here\nx,second text here\n", encoding="utf-8")
    _assert_one_line_error(_run("report", str(path), "--out", str(tmp_path / "o")),
                           "dup.csv", "'x'")


def test_table_without_text_column(tmp_path: Path):
    path = tmp_path / "notext.csv"
    path.write_text("id,words\nx,hello\n", encoding="utf-8")
    _assert_one_line_error(_run("report", str(path), "--out", str(tmp_path / "o")),
                           "notext.csv", "text")


def test_out_is_an_existing_file(tmp_path: Path):
    target = tmp_path / "file.txt"
    target.write_text("keep me", encoding="utf-8")
    _assert_one_line_error(_run("report", str(SEEDS), "--out", str(target)), "file.txt")
    assert target.read_text(encoding="utf-8") == "keep me"


def test_bad_config_file(tmp_path: Path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("[sketch]\nnum_perms = 3\n", encoding="utf-8")
    _assert_one_line_error(_run("report", str(SEEDS), "--out", str(tmp_path / "o"),
                                "--config", str(cfg)), "num_perms")


def test_failed_run_keeps_earlier_report_byte_identical(tmp_path: Path, seeds_report: Path):
    out = tmp_path / "report"
    shutil.copytree(seeds_report, out)
    before = _snapshot(out)
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n", encoding="utf-8")
    result = _run("report", str(bad), "--out", str(out))
    assert result.exit_code == 2
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.jsonl", "report"]


def test_interrupted_write_keeps_earlier_report(tmp_path: Path, seeds_report: Path, monkeypatch):
    import lineage.write as write

    out = tmp_path / "report"
    shutil.copytree(seeds_report, out)
    before = _snapshot(out)

    def boom(result, folder):
        (folder / "partial.csv").write_text("half", encoding="utf-8")
        raise KeyboardInterrupt

    from lineage.pipeline import analyze

    result = analyze(SEEDS)
    with pytest.raises(KeyboardInterrupt):
        write.write_report(result, out, extra=boom)
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_rerun_replaces_report(tmp_path: Path):
    out = tmp_path / "r"
    assert _run("report", str(SEEDS), "--out", str(out), "-q").exit_code == 0
    (out / "tree_family_9.png").write_bytes(b"a chart of an earlier run")
    assert _run("report", str(SEEDS), "--out", str(out), "-q").exit_code == 0
    assert not (out / "tree_family_9.png").exists()


def test_a_folder_with_the_users_own_files_is_not_replaced(tmp_path: Path):
    out = tmp_path / "r"
    assert _run("report", str(SEEDS), "--out", str(out), "-q").exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    (out / "NOTES.txt").write_text("mine", encoding="utf-8")
    result = _run("report", str(SEEDS), "--out", str(out), "-q")
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"error: {out}: not a lineage report folder (it holds NOTES.txt); a report replaces "
        "its whole folder, so choose a new --out or an earlier report's folder"]
    assert (out / "NOTES.txt").read_text(encoding="utf-8") == "mine"
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.name != "NOTES.txt"} == before
    # the corpus folder itself is refused too: its articles stay
    corpus = tmp_path / "c"
    shutil.copytree(SEEDS, corpus)
    assert _run("report", str(corpus), "--out", str(corpus), "-q").exit_code == 2
    assert len(list(corpus.glob("*.txt"))) == 5


def test_a_report_follows_a_link_and_takes_the_usual_folder_mode(tmp_path: Path):
    real = tmp_path / "real"
    real.mkdir(mode=0o755)
    real.chmod(0o2755)
    link = tmp_path / "link"
    link.symlink_to(real)
    assert _run("report", str(SEEDS), "--out", str(link), "-q").exit_code == 0
    assert link.is_symlink() and (real / "pairs.csv").is_file()
    assert real.stat().st_mode & 0o7777 == 0o2755
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    fresh = tmp_path / "fresh"
    assert _run("report", str(SEEDS), "--out", str(fresh), "-q").exit_code == 0
    mask = os.umask(0)
    os.umask(mask)
    assert fresh.stat().st_mode & 0o777 == 0o777 & ~mask


def test_a_report_inside_the_corpus_is_not_read_as_articles(tmp_path: Path):
    corpus = tmp_path / "c"
    shutil.copytree(SEEDS, corpus)
    assert _run("report", str(corpus), "--out", str(corpus / "reports" / "c"),
                "-q").exit_code == 0
    result = _run("report", str(corpus), "--out", str(tmp_path / "o"), "-q")
    assert result.exit_code == 0
    assert "a lineage report folder, skipped" in result.output
    assert len(pd.read_csv(tmp_path / "o" / "documents.csv")) == 5


def test_binary_junk_beside_real_files_runs_with_warning(tmp_path: Path):
    corpus = tmp_path / "c"
    shutil.copytree(SEEDS, corpus)
    (corpus / "junk.txt").write_bytes(bytes(range(256)) * 40)
    result = _run("report", str(corpus), "--out", str(tmp_path / "o"), "-q")
    assert result.exit_code == 0, result.output
    assert "junk.txt" in result.output
    assert len(pd.read_csv(tmp_path / "o" / "documents.csv")) == 5


def test_single_article_runs(tmp_path: Path):
    (tmp_path / "one").mkdir()
    shutil.copy(next(SEEDS.iterdir()), tmp_path / "one")
    result = _run("report", str(tmp_path / "one"), "--out", str(tmp_path / "o"), "-q")
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(tmp_path / "o" / "documents.csv")) == 1
    assert len(pd.read_csv(tmp_path / "o" / "pairs.csv")) == 0


def test_module_entry_point():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "lineage", "--version"], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0
    assert done.stdout.strip() == f"lineage {__version__}"


def _bench_corpus(path: Path) -> Path:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from scale_corpus import generate_corpus

    # big enough that its analysis outlasts the signals sent (about 5 s on 2 cores)
    generate_corpus(1500, seed=3).drop(columns="copy_of").to_parquet(path)
    return path


def test_sigterm_ends_a_run_with_one_line_and_leaves_nothing(tmp_path: Path):
    import signal
    import subprocess
    import sys
    import time

    corpus = _bench_corpus(tmp_path / "news.parquet")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "lineage", "report", str(corpus), "--out", str(out), "-q"]
    # while it starts (typer ends an interrupt in its own code with exit code 130 and
    # no word), and during the analysis
    for delay in (0.4, 1.5):
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        time.sleep(delay)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 130 and err == "interrupted: nothing was written\n"
        assert not out.exists()
    # while the report is being written: the half-written folder goes too
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        if any(p.name.startswith(".out.tmp-") for p in tmp_path.iterdir()):
            proc.send_signal(signal.SIGTERM)
            break
        time.sleep(0.005)
    else:
        pytest.fail("the report was never being written while watched")
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and err == "interrupted: nothing was written\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["news.parquet"]


def test_import_lineage_is_light_and_loads_the_pipeline_on_use():
    import subprocess
    import sys

    code = ("import sys, lineage; light = 'pandas' not in sys.modules; "
            "print(light, lineage.pipeline.__name__, lineage.analyze.__module__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["True", "lineage.pipeline", "lineage.pipeline"]
