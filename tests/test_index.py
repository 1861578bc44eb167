"""The persistent index: incremental adds equal a full run, crash safety, readers, CLI."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fixtures.corpus import CORPUS
from typer.testing import CliRunner

import lineage
from lineage import index
from lineage.cli import app
from lineage.schema import PAIR_COLUMNS

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"
DAY1 = ("wire-original", "same-topic-independent", "unrelated")
KEY = ["a", "b", "relation", "likely_source"]
EXACT = ["jaccard", "containment_ab", "containment_ba", "shared_shingles"]


def _rows(ids=None) -> list[dict]:
    return [dict(r) for r in CORPUS if ids is None or r["id"] in ids]


def _day2() -> list[dict]:
    return [dict(r) for r in CORPUS if r["id"] not in DAY1]


def _sorted(frame: pd.DataFrame, cols) -> pd.DataFrame:
    return frame[cols].sort_values(["a", "b"]).reset_index(drop=True)


@pytest.fixture()
def db(tmp_path) -> Path:
    path = tmp_path / "lineage.db"
    index.add(path, _rows(DAY1))
    index.add(path, _day2())
    return path


# -- same pairs as a full run --------------------------------------------------------


def test_two_day_index_has_the_full_runs_pairs_and_relations(db):
    full = lineage.analyze(_rows())
    built = index.load_analysis(db)
    pd.testing.assert_frame_equal(_sorted(built.pairs, KEY), _sorted(full.pairs, KEY),
                                  check_dtype=False)
    pd.testing.assert_frame_equal(_sorted(built.pairs, ["a", "b", *EXACT]),
                                  _sorted(full.pairs, ["a", "b", *EXACT]), check_dtype=False)
    pd.testing.assert_frame_equal(built.families, full.families, check_dtype=False)
    story = {r: result.documents.set_index("id")["story"].sort_index()
             for r, result in (("built", built), ("full", full))}
    pd.testing.assert_series_equal(story["built"], story["full"], check_dtype=False)


def test_one_add_report_equals_analyze(tmp_path):
    path = tmp_path / "seeds.db"
    index.add(path, SEEDS)
    full, built = lineage.analyze(SEEDS), index.load_analysis(path)
    pd.testing.assert_frame_equal(built.pairs[list(PAIR_COLUMNS)], full.pairs[list(PAIR_COLUMNS)],
                                  check_dtype=False)
    pd.testing.assert_frame_equal(built.passages, full.passages, check_dtype=False)
    pd.testing.assert_frame_equal(built.tree, full.tree, check_dtype=False)
    cols = ["id", "source", "title", "n_chars", "n_words", "family", "story"]
    pd.testing.assert_frame_equal(built.documents[cols], full.documents[cols], check_dtype=False)


def test_a_doubted_date_gives_the_index_the_full_runs_tree(tmp_path):
    """A feed date a month before the rest of its family is set aside as evidence;
    the tree the index rebuilds must set it aside too."""
    docs = pd.DataFrame(CORPUS)
    docs.loc[docs["id"] == "verbatim-copy", "published"] = "2024-02-01T11:00:00Z"
    index.add(tmp_path / "d.db", docs)
    built, full = index.load_analysis(tmp_path / "d.db"), lineage.analyze(docs)
    pd.testing.assert_frame_equal(built.tree, full.tree, check_dtype=False)


def test_second_add_reads_only_partners(tmp_path):
    path, corpus = tmp_path / "x.db", _corpus(100)
    index.add(path, corpus)
    copy = {"id": "late-copy", "text": corpus["text"][3] + " A late update."}
    result = index.add(path, [copy])
    assert 1 <= result.partners < 25 and result.total_documents == 101
    pairs = index.query(path, "late-copy").sources
    assert "doc0003" in set(pairs["id"])


def test_adds_of_generated_news_give_the_full_runs_reuse_pairs(tmp_path):
    path, corpus = tmp_path / "g.db", _corpus(150, seed=2)
    index.add(path, corpus.iloc[:100])
    index.add(path, corpus.iloc[100:])
    key = ["a", "b", "relation"]
    built, full = index.load_analysis(path).pairs, lineage.analyze(corpus).pairs
    reuse = full["relation"] != "same-story"
    assert reuse.sum() >= 20
    pd.testing.assert_frame_equal(_sorted(built[built["relation"] != "same-story"], key),
                                  _sorted(full[reuse], key), check_dtype=False)
    pd.testing.assert_frame_equal(_sorted(built, ["a", "b", *EXACT]).query("a >= 'doc0100' "
                                                                            "or b >= 'doc0100'"),
                                  _sorted(full, ["a", "b", *EXACT]).query("a >= 'doc0100' "
                                                                           "or b >= 'doc0100'"),
                                  check_dtype=False)


def test_a_capped_band_group_in_a_batch_links_papers_to_the_wire_as_a_full_run(
        tmp_path, monkeypatch):
    # one wire story run by 16 papers, added to an index that already holds an article,
    # with band groups capped at 5 members to link to: the add's pairs are a full
    # run's, whose capped groups link every paper to the wire (a wire service, ranked
    # first) though its id sorts last. The pairs' equality is what fails when the
    # batch's groups go by position (the blocking route alone still meets the wire)
    import dataclasses

    from test_pipeline import _syndicated

    from lineage import candidates

    monkeypatch.setattr(candidates, "_MAX_BUCKET", 5)
    config = lineage.Config()  # the TF-IDF route gives each article its nearest only
    config = dataclasses.replace(config, candidates=dataclasses.replace(
        config.candidates, neighbours=1, fingerprint_sample=0))
    docs = _syndicated(16)
    path = tmp_path / "w.db"
    index.add(path, _rows(("unrelated",)), config=config)
    index.add(path, docs, config=config)
    pairs = index.load_analysis(path).pairs
    with_wire = (set(pairs.loc[pairs["a"] == "wire", "b"])
                 | set(pairs.loc[pairs["b"] == "wire", "a"]))
    assert with_wire == set(docs["id"]) - {"wire"}
    full = lineage.analyze(pd.concat([pd.DataFrame(_rows(("unrelated",))), docs]),
                           config=config).pairs
    pd.testing.assert_frame_equal(_sorted(pairs, KEY), _sorted(full, KEY), check_dtype=False)


def test_adds_give_the_full_runs_pairs_and_cosines_for_new_documents(tmp_path):
    # Articles on 40 topics: many same-story pairs whose word cosine sits near
    # min_cosine. Weighted by a subset's IDF (the old reference sample, the new
    # documents plus partners) such cosines move across it; with the archive's stored
    # document frequencies every pair touching a new document is the full run's, and
    # so is its character cosine (the archive's character n-gram IDF).
    path = tmp_path / "t.db"
    old, new = _topical(150, seed=3), _topical(50, seed=4, start=150)
    index.add(path, old)
    index.add(path, new)
    built = index.load_analysis(path).pairs
    full = lineage.analyze(pd.concat([old, new], ignore_index=True)).pairs
    touching = "a >= 'doc0150' or b >= 'doc0150'"
    cols = ["a", "b", "relation", "tfidf_cosine", "char_cosine", "aligned_a", "aligned_b",
            "n_sentences", *EXACT]
    want = _sorted(full, cols).query(touching)
    got = _sorted(built, cols).query(touching)
    assert (want["relation"] == "same-story").sum() >= 20
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True),
                                  check_dtype=False)


def _topic_sentences(rng, words: np.ndarray, topics: list[list[str]]) -> list[str]:
    """Ten sentences of twelve random words, each with three words of one random topic."""
    topic = topics[int(rng.integers(len(topics)))]
    sentences = []
    for _ in range(10):
        body = list(rng.choice(words, 12))
        for _ in range(3):
            body.insert(int(rng.integers(len(body))), topic[int(rng.integers(4))])
        sentences.append(" ".join(body).capitalize() + ".")
    return sentences


def _rewritten(n: int, seed: int, start: int = 0) -> pd.DataFrame:
    """Articles on 40 topics; every fifth rewrites one two before it (a third of each
    sentence's words swapped), so its sentences match as ``rewritten``."""
    rng = np.random.default_rng(seed)
    words = np.array([f"w{i}x{rng.integers(1000)}" for i in range(3000)])
    topics = [[f"Name{t}a", f"Name{t}b", f"Place{t}", f"{1000 + t}"] for t in range(40)]
    docs: list[list[str]] = []
    for i in range(n):
        if i % 5 == 4:
            out = []
            for sentence in docs[i - 2]:
                body = sentence.rstrip(".").split(" ")
                for j in rng.choice(len(body), len(body) // 3, replace=False):
                    body[j] = str(rng.choice(words))
                out.append(" ".join(body) + ".")
            docs.append(out)
            continue
        sentences = _topic_sentences(rng, words, topics)
        docs.append(sentences)
    return pd.DataFrame({"id": [f"doc{start + i:04d}" for i in range(n)],
                         "text": [" ".join(s) for s in docs]})


def test_adds_match_sentences_with_the_archives_sentence_idf(tmp_path):
    # Rewritten copies among the new articles: their sentence matches' similarity
    # (word and character sentence TF-IDF) is the full run's only when both are
    # weighted by the IDF of every stored sentence, not of the new documents and
    # their partners.
    path = tmp_path / "s.db"
    old, new = _rewritten(150, seed=3), _rewritten(50, seed=4, start=150)
    index.add(path, old)
    index.add(path, new)
    built = index.load_analysis(path)
    full = lineage.analyze(pd.concat([old, new], ignore_index=True))
    touching = "a >= 'doc0150' or b >= 'doc0150'"
    cols = ["a", "b", "a_start", "a_end", "b_start", "b_end", "kind", "similarity"]
    want = _sorted(full.passages, cols).query(touching).reset_index(drop=True)
    got = _sorted(built.passages, cols).query(touching).reset_index(drop=True)
    assert (want["kind"] == "rewritten").sum() >= 5
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    cols = ["a", "b", "relation", "tfidf_cosine", "char_cosine", "aligned_a", "aligned_b"]
    pd.testing.assert_frame_equal(
        _sorted(built.pairs, cols).query(touching).reset_index(drop=True),
        _sorted(full.pairs, cols).query(touching).reset_index(drop=True), check_dtype=False)


def test_document_frequencies_are_counted_in_and_out(tmp_path):
    from lineage.pipeline import prepare
    from lineage.vectorize import HashedCharTfidf
    from lineage.wordvectors import document_frequencies, text_token_hashes

    footer = "Subscribe to the Daily Planet for more."
    corpus = _corpus(30)  # digits to letters: boilerplate keys collapse digits
    corpus["text"] = corpus["text"].str.translate(str.maketrans("0123456789", "abcdefghij"))
    corpus["text"] = corpus["text"] + " " + footer
    corpus["source"] = "Daily Planet"
    corpus["published"] = [f"2024-03-{1 + i % 28:02d}" for i in range(30)]
    path = tmp_path / "df.db"

    def stored() -> tuple:
        with sqlite3.connect(path) as conn:
            out = []
            for table in ("word_df", "sentence_df"):
                assert conn.execute(f"SELECT MIN(df) FROM {table}").fetchone()[0] >= 1
                out.append(dict(conn.execute(f"SELECT term, df FROM {table}").fetchall()))
            for level in ("document", "sentence"):
                rows, blob = conn.execute("SELECT rows, df FROM char_df WHERE level = ?",
                                          (level,)).fetchone()
                out.append((rows, np.frombuffer(blob, dtype="<i4").tolist()))
        return tuple(out)

    def as_dict(terms, df) -> dict[int, int]:
        return dict(zip(terms.view(np.int64).tolist(), df.tolist(), strict=True))

    def expected(bare, texts) -> tuple:
        """Counts of the documents ``texts``: words and characters of their ``bare``
        texts (boilerplate left out), every sentence of the whole texts."""
        corpus = prepare(pd.DataFrame({"id": [f"x{i}" for i in range(len(texts))],
                                       "text": list(texts), "source": ""}))
        s = corpus.sentences
        sentences = [texts[d][a:b] for d, a, b in zip(s["doc"], s["start"], s["end"],
                                                     strict=True)]
        model = HashedCharTfidf()
        return (as_dict(*document_frequencies(*text_token_hashes(list(bare)))),
                as_dict(*document_frequencies(*corpus.sentence_tokens())),
                (len(texts), model.frequencies(list(bare)).df.tolist()),
                (len(sentences), model.frequencies(sentences).df.tolist()))

    bare = corpus["text"].str.removesuffix(" " + footer)
    index.add(path, corpus)  # the footer is boilerplate among 30: not counted
    assert stored() == expected(bare, corpus["text"].tolist())
    replacement = "A new text about the harbour strike. " + footer
    index.add(path, [{"id": "doc0004", "text": replacement, "source": "Daily Planet"}])
    # alone in its add, the replacement's footer is not boilerplate: counted with it
    texts = [*corpus["text"].drop(4), replacement]
    assert stored() == expected([*bare.drop(4), replacement], texts)
    gone = index.evict(path, "2024-03-10")
    assert "doc0004" not in gone and len(gone) > 5
    left = corpus["id"].isin(gone)
    assert stored() == expected([*bare[~left].drop(4), replacement],
                                [*corpus["text"][~left].drop(4), replacement])


def test_an_index_of_an_older_schema_is_refused(tmp_path):
    path = tmp_path / "old.db"
    index.add(path, _rows(["unrelated"]))
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = '4' WHERE key = 'schema'")
    with pytest.raises(lineage.LineageError, match="older lineage"):
        index.add(path, _rows(["wire-original"]))


# -- query, replace, evict -----------------------------------------------------------


def test_query_by_id_names_the_sources_with_passages(db):
    result = index.query(db, "trimmed-copy-with-local-additions")
    sources = result.sources.set_index("id")
    assert sources.loc["wire-original", "role"] == "source"
    assert result.stored
    shared = result.passages[result.passages["id"] == "wire-original"]
    assert len(shared) >= 1
    assert (shared["article_text"] == shared["other_text"]).all()  # verbatim copy


def test_query_a_file_scores_it_without_storing(db, tmp_path):
    text = next(r["text"] for r in CORPUS if r["id"] == "paraphrase")
    article = tmp_path / "new-paraphrase.txt"
    article.write_text(text, encoding="utf-8")
    result = index.query(db, article)
    assert not result.stored
    assert "wire-original" in set(result.sources.loc[result.sources["role"] == "source", "id"])
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == len(CORPUS)


def test_readding_an_id_replaces_it(db):
    before = index.load_analysis(db)
    assert "verbatim-copy" in set(before.pairs["a"]) | set(before.pairs["b"])
    result = index.add(db, [{"id": "verbatim-copy", "text": _rows(["unrelated"])[0]["text"]}])
    assert result.replaced == ["verbatim-copy"] and result.total_documents == len(CORPUS)
    after = index.load_analysis(db)
    touching = after.pairs[(after.pairs["a"] == "verbatim-copy")
                           | (after.pairs["b"] == "verbatim-copy")]
    assert set(touching["relation"]) == {"duplicate"}  # now a copy of the football report
    assert set(touching["a"]) | set(touching["b"]) == {"verbatim-copy", "unrelated"}


def test_evict_removes_old_documents_and_their_pairs(tmp_path):
    path = tmp_path / "e.db"
    rows = _rows()
    for i, row in enumerate(rows):
        row["published"] = f"2024-03-{10 + i:02d}"
    index.add(path, rows)
    gone = index.evict(path, "2024-03-12")
    assert gone == sorted(r["id"] for r in rows[:2])
    left = index.load_analysis(path)
    assert len(left.documents) == len(rows) - 2
    assert not (set(left.pairs["a"]) | set(left.pairs["b"])) & set(gone)


def _topical(n: int, seed: int, start: int = 0) -> pd.DataFrame:
    """Articles on 40 topics (three topic words in each sentence), every seventh a copy."""
    rng = np.random.default_rng(seed)
    words = np.array([f"w{i}x{rng.integers(1000)}" for i in range(3000)])
    topics = [[f"Name{t}a", f"Name{t}b", f"Place{t}", f"{1000 + t}"] for t in range(40)]
    texts = []
    for i in range(n):
        if i % 7 == 6:
            texts.append(texts[i - 3][:1200] + " Local desk added this line.")
            continue
        sentences = _topic_sentences(rng, words, topics)
        texts.append(" ".join(sentences))
    return pd.DataFrame({"id": [f"doc{start + i:04d}" for i in range(n)], "text": texts})


# -- crash safety and readers --------------------------------------------------------


def _corpus(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    words = np.array([f"w{i}x{rng.integers(1000)}" for i in range(3000)])
    texts = []
    for i in range(n):
        if i % 5 == 4:  # a near-copy of an earlier article
            texts.append(texts[i - 3][:1500] + " Local desk added this line.")
            continue
        sentences = [" ".join(rng.choice(words, 14)).capitalize() + "." for _ in range(12)]
        texts.append(" ".join(sentences))
    return pd.DataFrame({"id": [f"doc{i:04d}" for i in range(n)], "text": texts})


def _start_add(corpus: Path, db: Path, hook: Path, pause: str) -> subprocess.Popen:
    env = {**os.environ, "LINEAGE_INDEX_HOOK": str(hook), "LINEAGE_INDEX_HOOK_PAUSE": pause}
    return subprocess.Popen([sys.executable, "-m", "lineage", "index", "add", str(corpus),
                             "--db", str(db), "-q"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


def _wait_for(hook: Path, stage: str, proc: subprocess.Popen, limit: float = 50.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if hook.exists() and stage in hook.read_text().split():
            return
        if proc.poll() is not None:
            raise AssertionError(f"add ended early: {proc.stderr.read().decode()}")
        time.sleep(0.05)
    raise AssertionError(f"stage {stage} never reached")


def _state(db: Path) -> tuple[int, int, int]:
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("BEGIN")
        counts = tuple(conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                       for t in ("documents", "bands", "pairs"))
        conn.execute("COMMIT")
        return counts
    finally:
        conn.close()


@pytest.mark.parametrize("stage", ["scored", "written"])
def test_kill_9_mid_add_leaves_the_index_as_before(tmp_path, stage):
    corpus = _corpus(120)
    db, hook, big = tmp_path / "k.db", tmp_path / "hook", tmp_path / "big.jsonl"
    index.add(db, corpus.iloc[:40])
    corpus.iloc[40:].to_json(big, orient="records", lines=True)
    before = _state(db)
    proc = _start_add(big, db, hook, pause=f"{stage}:60")
    _wait_for(hook, stage, proc)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    ids = [r[0] for r in conn.execute("SELECT id FROM documents ORDER BY id")]
    conn.close()
    assert ids == sorted(corpus["id"][:40]) and _state(db) == before
    index.add(db, big)  # the index still works: the same add now goes through
    assert _state(db)[0] == 120


def test_a_reader_sees_the_state_before_or_after_an_add(tmp_path):
    corpus = _corpus(80, seed=1)
    db, hook, big = tmp_path / "r.db", tmp_path / "hook", tmp_path / "more.jsonl"
    index.add(db, corpus.iloc[:30])
    corpus.iloc[30:].to_json(big, orient="records", lines=True)
    before = _state(db)
    proc = _start_add(big, db, hook, pause="written:1.5")
    seen, mid = set(), []
    while proc.poll() is None:
        # read well inside the 1.5 s pause after "written" (the hook file's mtime):
        # the COMMIT (and its WAL checkpoint) may take a while after the pause
        paused = (hook.exists() and hook.read_text().split()[-1:] == ["written"]
                  and time.time() < hook.stat().st_mtime + 1.0)
        state = _state(db)
        seen.add(state)
        if paused:
            mid.append(state)
        # a second connection also gets a whole query while the writer holds its lock
        assert index.query(db, "doc0001").article == "doc0001"
        time.sleep(0.02)
    assert proc.returncode == 0, proc.stderr.read().decode()
    after = _state(db)
    assert after[0] == 80 and seen <= {before, after}
    assert mid and set(mid) == {before}  # inside the transaction: still the old state


# -- command line --------------------------------------------------------------------


def test_cli_add_query_report_evict(tmp_path):
    runner = CliRunner()
    db = str(tmp_path / "c.db")
    day1, day2 = tmp_path / "d1.jsonl", tmp_path / "d2.jsonl"
    pd.DataFrame(_rows(DAY1)).to_json(day1, orient="records", lines=True)
    pd.DataFrame(_day2()).to_json(day2, orient="records", lines=True)
    for day in (day1, day2):
        res = runner.invoke(app, ["index", "add", str(day), "--db", db, "--format", "json"])
        assert res.exit_code == 0, res.output
    assert json.loads(res.output)["documents"] == len(CORPUS)
    res = runner.invoke(app, ["index", "query", "paraphrase", "--db", db, "--format", "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    top = out["sources"][0]
    assert top["role"] == "source" and top["passages"]
    res = runner.invoke(app, ["index", "report", "--db", db, "--out", str(tmp_path / "rep")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "rep" / "pairs.csv").exists()
    res = runner.invoke(app, ["index", "evict", "--before", "2030-01-01", "--db", db])
    assert res.exit_code == 0 and "evicted 6" in res.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["index", "query", "x", "--db", "{tmp}/missing.db"], "no such index"),
        (["index", "report", "--db", "{tmp}/missing.db", "--out", "{tmp}/r"], "no such index"),
        (["index", "evict", "--before", "soon", "--db", "{tmp}/missing.db"], "not a date"),
        (["index", "add", "{tmp}/nothing", "--db", "{tmp}/a.db"], "no such file"),
    ],
)
def test_cli_bad_input_is_one_line(tmp_path, args, message):
    res = CliRunner().invoke(app, [a.format(tmp=tmp_path) for a in args])
    assert res.exit_code == 2
    assert message in res.output and len(res.output.strip().splitlines()) == 1


def test_query_unknown_id_is_an_error(db):
    with pytest.raises(lineage.LineageError, match="neither a file nor an id"):
        index.query(db, "no-such-article")


@pytest.mark.parametrize("command", ["add", "query", "report", "evict"])
def test_index_commands_have_help(command):
    res = CliRunner().invoke(app, ["index", command, "--help"])
    assert res.exit_code == 0 and "Example" in res.output


def test_terms_past_max_block_df_in_the_archive_do_not_block(tmp_path):
    """A term whose stored users already exceed ``max_block_df`` is not blocked on in
    an add, as a full run over everything would not: with a small cap, the pairs
    touching new articles are still the full run's."""
    import dataclasses

    from lineage.config import Config

    base = Config()
    config = dataclasses.replace(
        base, candidates=dataclasses.replace(base.candidates, max_block_df=6))
    path = tmp_path / "cap.db"
    old, new = _topical(150, seed=3), _topical(50, seed=4, start=150)
    index.add(path, old, config=config)
    index.add(path, new, config=config)
    built = index.load_analysis(path).pairs
    full = lineage.analyze(pd.concat([old, new], ignore_index=True), config=config).pairs
    touching = "a >= 'doc0150' or b >= 'doc0150'"
    key = ["a", "b", "relation"]
    pd.testing.assert_frame_equal(_sorted(built, key).query(touching).reset_index(drop=True),
                                  _sorted(full, key).query(touching).reset_index(drop=True),
                                  check_dtype=False)


def test_a_digest_added_the_next_day_splits_the_families_as_analyze_does(tmp_path):
    # day 1: two stories with their copies; day 2: the digest that took from both
    from fixtures.corpus import DIGEST_CORPUS

    path = tmp_path / "digest.db"
    rows = [dict(r) for r in DIGEST_CORPUS]
    index.add(path, [r for r in rows if r["id"] != "morning-digest"])
    index.add(path, [r for r in rows if r["id"] == "morning-digest"])
    built, full = index.load_analysis(path), lineage.analyze(pd.DataFrame(rows))
    cols = ["id", "family"]
    pd.testing.assert_frame_equal(built.documents[cols], full.documents[cols], check_dtype=False)
    assert full.documents["family"].nunique() == 2
    key = ["a", "b", "relation"]
    pd.testing.assert_frame_equal(_sorted(built.pairs[key], key), _sorted(full.pairs[key], key),
                                  check_dtype=False)


def test_the_report_reads_members_wording_over_the_boilerplate_each_add_found(tmp_path):
    """The tree's copying rate reads the wording of every member of a family of three
    or more (lineage.witness), over the boilerplate spans the add stored: the same
    shingles a full run counts, and no tokenising of the rest of the archive."""
    from fixtures.corpus import syndicated_corpus

    from lineage import pipeline

    footer = " Subscribe to the Daily Post for more news."
    rows = syndicated_corpus(3, papers=6)
    for row in rows[1:3]:  # two papers are the Daily Post's
        row.update(text=row["text"] + footer, source="Daily Post")
    lone = [{"id": f"lone-{k}", "text": text + footer, "source": "Daily Post"}
            for k, text in enumerate((
                "The council approved a new budget for the city's parks after a long "
                "debate on Tuesday night.",
                "A rare orchid was found growing beside the motorway verge, and the site "
                "will be fenced off.",
                "The football club named a new coach after a season of heavy defeats."))]
    docs = pd.DataFrame(rows + lone)
    index.add(tmp_path / "s.db", docs)
    built, full = index.load_analysis(tmp_path / "s.db"), lineage.analyze(docs)
    pd.testing.assert_frame_equal(built.tree, full.tree, check_dtype=False)
    conn = sqlite3.connect(tmp_path / "s.db")
    stored = index._read_documents(conn, "1")
    spans = dict(conn.execute("SELECT doc, spans FROM boilerplate").fetchall())
    conn.close()
    frame = stored.drop(columns="doc").merge(full.documents[["id", "family"]], on="id")
    got = index._member_shingles(frame, stored["doc"].to_numpy(), spans, index.Config())
    prepared = pipeline.prepare(frame).shingles
    assert len(spans) == 5  # the footer, found as the Daily Post's boilerplate
    for k, doc_id in enumerate(frame["id"]):
        expected = [] if doc_id.startswith("lone-") else prepared[k].tolist()
        assert got[k].tolist() == expected, doc_id


def test_an_add_tokenises_each_new_article_once(tmp_path, monkeypatch):
    # the batch is prepared to sketch it, then analysed with its stored partners:
    # the second pass takes the first one's tokens, so only the partners are tokenised
    from lineage import pipeline

    path = tmp_path / "lineage.db"
    index.add(path, _rows(DAY1))
    seen = []
    real = pipeline.hashed_tokens

    def counted(text):
        seen.append(text)
        return real(text)

    monkeypatch.setattr(pipeline, "hashed_tokens", counted)
    result = index.add(path, _day2())
    new = [r["text"] for r in _day2()]
    assert result.partners >= 1
    assert set(new) <= set(seen)  # (the verbatim copy's text is also a stored one's)
    assert len(seen) == len(new) + result.partners


def test_stored_texts_are_read_by_position_from_sqlite(db):
    index.add(db, _rows(DAY1))
    conn = sqlite3.connect(db)
    try:
        stored = dict(conn.execute("SELECT id, doc FROM documents"))
        order = ["unrelated", "wire-original"]
        take = index._texts_at(conn, ["new one", "new two"],
                               np.array([stored[i] for i in order]))
        text = {r["id"]: r["text"] for r in CORPUS}
        assert take(np.array([3, 0, 2, 1])) == [text["wire-original"], "new one",
                                                text["unrelated"], "new two"]
        assert take(np.array([], dtype=np.int64)) == []
    finally:
        conn.close()


def test_someone_elses_sqlite_database_is_left_alone(tmp_path):
    db = tmp_path / "user.db"
    with sqlite3.connect(db) as own:
        own.execute("CREATE TABLE mine (x INTEGER)")
        own.execute("INSERT INTO mine VALUES (7)")
    own.close()
    with pytest.raises(lineage.LineageError) as caught:
        index.add(db, SEEDS)
    assert str(caught.value) == (f"{db}: an SQLite database that is not a lineage index "
                                 "(its tables: mine)")
    with sqlite3.connect(db) as own:
        tables = [r[0] for r in own.execute("SELECT name FROM sqlite_master")]
    own.close()
    assert tables == ["mine"]


def test_a_damaged_index_and_a_bad_date_are_one_line_errors(tmp_path):
    db = tmp_path / "a.db"
    index.add(db, SEEDS)
    for before in ("", "now", "NaT", "yesterday"):
        with pytest.raises(lineage.LineageError, match="not a date"):
            index.evict(db, before)
    size = db.stat().st_size
    with open(db, "r+b") as f:  # overwrite pages past the header
        f.seek(size // 3)
        f.write(b"\xff" * (size // 3))
    with pytest.raises(lineage.LineageError) as caught:  # was sqlite3.DatabaseError
        index.add(db, SEEDS)
    assert str(caught.value).startswith(f"{db}: ") and "\n" not in str(caught.value)
    try:  # whatever evict meets in the damaged file, it is a one-line LineageError
        index.evict(db, "2024-01-01")
    except lineage.LineageError as exc:
        assert str(exc).startswith(f"{db}: ") and "\n" not in str(exc)
