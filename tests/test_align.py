"""Tests for lineage.align: sentence matches, passages with exact offsets, coverage."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fixtures.corpus import (
    CORPUS,
    INDEPENDENT,
    ORIGINAL,
    ORIGINAL_SENTENCES,
    PARAPHRASE,
    PARAPHRASE_SENTENCES,
    TRIMMED,
)

from lineage import align, analyze
from lineage.config import SentenceConfig
from lineage.normalize import sentence_table
from lineage.vectorize import fit_vectors

CONFIG = SentenceConfig()
SHARED_PREFIX = " ".join(ORIGINAL_SENTENCES[:7])


def align_two(a: str, b: str, config: SentenceConfig = CONFIG):
    """Run the align stages on one pair (a = position 0, b = position 1)."""
    texts = [a, b]
    sentences = sentence_table(texts)
    sent_texts = [texts[d][s:e] for d, s, e in
                  sentences[["doc", "start", "end"]].itertuples(index=False)]
    word, char = fit_vectors(sent_texts)
    pairs = np.array([[0, 1]], dtype=np.int64)
    matches = align.match_sentences(pairs, sentences, word, char, config)
    passages = align.build_passages(matches, pairs, sentences, config)
    cov = align.coverage(passages, 1, np.array([len(a)]), np.array([len(b)]))
    return sentences, matches, passages, cov


# ---------------------------------------------------------------- stage functions


def test_trimmed_copy_matches_first_seven_sentences_verbatim():
    sentences, matches, passages, cov = align_two(ORIGINAL, TRIMMED)
    assert list(matches.columns) == list(align.MATCH_COLUMNS)
    n_a = len(ORIGINAL_SENTENCES)
    assert matches["si"].tolist() == list(range(7))
    assert matches["sj"].tolist() == [n_a + k for k in range(7)]
    assert (matches["sim"] >= CONFIG.verbatim).all()
    # each matched pair of sentences is the same text
    for si, sj in zip(matches["si"], matches["sj"], strict=True):
        s_a, s_b = sentences.loc[si], sentences.loc[sj]
        assert ORIGINAL[s_a["start"]:s_a["end"]] == TRIMMED[s_b["start"]:s_b["end"]]

    assert list(passages.columns) == list(align.PASSAGE_TABLE)
    assert len(passages) == 1
    p = passages.iloc[0]
    assert (p["ai"], p["bi"], p["kind"], p["n_sentences"]) == (0, 1, "verbatim", 7)
    assert (p["a_start"], p["a_end"]) == (0, len(SHARED_PREFIX))
    assert (p["b_start"], p["b_end"]) == (0, len(SHARED_PREFIX))
    assert ORIGINAL[p["a_start"]:p["a_end"]] == TRIMMED[p["b_start"]:p["b_end"]] == SHARED_PREFIX
    assert p["similarity"] == 1.0

    c = cov.iloc[0]
    assert c["aligned_a"] == pytest.approx(len(SHARED_PREFIX) / len(ORIGINAL))
    assert c["aligned_b"] == pytest.approx(len(SHARED_PREFIX) / len(TRIMMED))
    assert (c["n_passages"], c["n_verbatim"], c["n_sentences"]) == (1, 1, 7)
    assert c["verbatim_chars"] == len(SHARED_PREFIX)


def test_paraphrase_matches_each_reworded_sentence_as_rewritten():
    _, matches, passages, cov = align_two(ORIGINAL, PARAPHRASE)
    n_a = len(ORIGINAL_SENTENCES)
    assert matches["si"].tolist() == list(range(8))
    assert matches["sj"].tolist() == [n_a + k for k in range(8)]
    assert ((matches["sim"] >= CONFIG.rewritten) & (matches["sim"] < CONFIG.verbatim)).all()
    assert passages["kind"].tolist() == ["rewritten"]
    p = passages.iloc[0]
    assert (p["a_start"], p["a_end"]) == (0, len(" ".join(ORIGINAL_SENTENCES[:8])))
    assert (p["b_start"], p["b_end"]) == (0, len(" ".join(PARAPHRASE_SENTENCES)))
    assert p["n_sentences"] == 8
    c = cov.iloc[0]
    assert c["n_verbatim"] == 0 and c["verbatim_chars"] == 0 and c["n_sentences"] == 8
    assert c["aligned_b"] > 0.99


def test_independent_story_has_no_matches():
    _, matches, passages, cov = align_two(ORIGINAL, INDEPENDENT)
    assert len(matches) == 0 and len(passages) == 0
    assert cov.iloc[0].tolist() == [0.0, 0.0, 0.0, 0.0, 0, 0, 0, 0]


def test_matches_are_one_to_one():
    _, matches, _, _ = align_two(ORIGINAL + ORIGINAL, PARAPHRASE)
    assert not matches.duplicated(["pair", "si"]).any()
    assert not matches.duplicated(["pair", "sj"]).any()


def test_short_sentences_are_not_matched_alone():
    text = "Strike ends. Ships sail."  # both sentences shorter than min_chars
    _, matches, passages, _ = align_two(text, text)
    assert len(matches) == 0 and len(passages) == 0
    _, matches, _, _ = align_two(text, text, SentenceConfig(min_chars=5))
    assert len(matches) == 2


def test_no_pairs():
    sentences = sentence_table([ORIGINAL])
    word, char = fit_vectors([ORIGINAL[s:e] for s, e in sentences[["start", "end"]].to_numpy()])
    matches = align.match_sentences(np.empty((0, 2), dtype=np.int64), sentences, word, char,
                                    CONFIG)
    assert list(matches.columns) == list(align.MATCH_COLUMNS) and len(matches) == 0
    passages = align.build_passages(matches, np.empty((0, 2)), sentences, CONFIG)
    assert list(passages.columns) == list(align.PASSAGE_TABLE) and len(passages) == 0


def reordered_sentences() -> pd.DataFrame:
    """a has 3 sentences of 10 characters, b has 5."""
    sentences = pd.DataFrame({
        "doc": [0, 0, 0, 1, 1, 1, 1, 1],
        "start": [0, 11, 22, 0, 11, 22, 33, 44],
        "end": [10, 21, 32, 10, 21, 32, 43, 54],
    })
    sentences["n_chars"] = sentences["end"] - sentences["start"]
    return sentences


def reordered_matches():
    """a has 3 sentences, b has 5; a0->b0, a1->b2, a2->b1 (b1 and b2 swapped in b)."""
    sentences = reordered_sentences()
    matches = pd.DataFrame({"pair": [0, 0, 0], "si": [0, 1, 2], "sj": [3, 5, 4],
                            "sim": [1.0, 1.0, 1.0]})
    pairs = np.array([[0, 1]])
    return align.build_passages(matches, pairs, sentences, CONFIG)


def test_reordered_sentences_give_two_passages():
    passages = reordered_matches()
    assert passages[["a_start", "a_end", "b_start", "b_end"]].to_numpy().tolist() == [
        [0, 21, 0, 32], [22, 32, 11, 21],
    ]
    assert passages["n_sentences"].tolist() == [2, 1]


def test_sentence_passages_fill_the_gaps_between_verbatim_runs():
    # a verbatim run covers a0 and the start of a1 (as a misread letter or a small edit
    # cuts a run short): a1's match still stands and fills the rest
    sentences = reordered_sentences()
    matches = pd.DataFrame({"pair": [0, 0, 0], "si": [0, 1, 2], "sj": [3, 5, 4],
                            "sim": [1.0, 1.0, 1.0]})
    run = pd.DataFrame({"pair": [0], "ai": [0], "bi": [1], "a_start": [0], "a_end": [14],
                        "b_start": [0], "b_end": [14], "kind": ["verbatim"],
                        "similarity": [1.0], "n_sentences": [0]})
    pairs = np.array([[0, 1]])
    kept = align.uncovered_matches(matches, sentences, run)
    assert kept[["si", "sj"]].to_numpy().tolist() == [[1, 5], [2, 4]]
    filled = align.combine_passages(run, align.build_passages(kept, pairs, sentences, CONFIG))
    assert filled[["a_start", "a_end", "b_start", "b_end"]].to_numpy().tolist() == [
        [0, 14, 0, 14], [11, 21, 22, 32], [22, 32, 11, 21]]
    # built from every match, the passage a0-a1 is two thirds verbatim and is dropped
    # whole, and with it a1's rewritten rest
    whole = align.combine_passages(run, align.build_passages(matches, pairs, sentences, CONFIG))
    assert whole[["a_start", "a_end"]].to_numpy().tolist() == [[0, 14], [22, 32]]


def test_coverage_counts_overlapping_spans_once():
    # a's passages are [0, 21) and [22, 32): 31 of its 32 characters are covered;
    # b's are [0, 32) and [11, 21): only 32 of its 54 characters, not 42
    cov = align.coverage(reordered_matches(), 1, np.array([32]), np.array([54]))
    assert cov.loc[0, "aligned_a"] == pytest.approx(31 / 32)
    assert cov.loc[0, "aligned_b"] == pytest.approx(32 / 54)
    assert cov.loc[0, "n_passages"] == 2 and cov.loc[0, "n_sentences"] == 3


def test_coverage_gives_each_text_s_share_inside_verbatim_passages():
    # verbatim [0, 10) and [5, 20) of a (one union, 20 of 40 characters), [0, 10) and
    # [30, 45) of b (25 of 50); the rewritten passage counts in aligned_a only
    passages = pd.DataFrame({
        "pair": [0, 0, 0], "a_start": [0, 5, 25], "a_end": [10, 20, 40],
        "b_start": [0, 30, 10], "b_end": [10, 45, 28], "n_sentences": [0, 0, 1],
        "kind": ["verbatim", "verbatim", "rewritten"]})
    cov = align.coverage(passages, 2, np.array([40, 9]), np.array([50, 9]))
    assert cov.loc[0, ["verbatim_a", "verbatim_b"]].tolist() == [20 / 40, 25 / 50]
    assert cov.loc[0, ["aligned_a", "aligned_b"]].tolist() == [35 / 40, 43 / 50]
    assert cov.loc[1, ["verbatim_a", "verbatim_b"]].tolist() == [0.0, 0.0]
    # the coverage without verbatim shares (the relation's quote-free one) is the same
    plain = align.coverage(passages, 2, np.array([40, 9]), np.array([50, 9]), verbatim=False)
    assert "verbatim_a" not in plain and "verbatim_b" not in plain
    assert plain.equals(cov.drop(columns=["verbatim_a", "verbatim_b"]))
    # rewritten passages alone: no verbatim share
    only = align.coverage(passages[passages["kind"] == "rewritten"], 1, np.array([40]),
                          np.array([50]))
    assert only.loc[0, ["verbatim_a", "verbatim_b"]].tolist() == [0.0, 0.0]


def test_coverage_of_pairs_without_passages_is_zero():
    cov = align.coverage(reordered_matches(), 3, np.array([32, 10, 10]), np.array([54, 9, 9]))
    assert cov.loc[1:, ["aligned_a", "aligned_b", "n_passages"]].to_numpy().tolist() == [
        [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]


# ---------------------------------------------------------------- via analyze


@pytest.fixture(scope="module")
def result():
    return analyze([dict(row) for row in CORPUS])


def test_passage_offsets_index_the_texts(result):
    texts = dict(zip(result.documents["id"], result.documents["text"], strict=True))
    assert len(result.passages) > 0
    for row in result.passages.itertuples():
        assert texts[row.a][row.a_start:row.a_end] == row.a_text
        assert texts[row.b][row.b_start:row.b_end] == row.b_text
        assert row.a < row.b


def trimmed_passages(result) -> pd.DataFrame:
    passages = result.passages
    return passages[(passages["a"] == "trimmed-copy-with-local-additions")
                    & (passages["b"] == "wire-original")]


def test_trimmed_copy_passage_is_the_copied_text(result):
    trimmed = trimmed_passages(result)
    assert len(trimmed) == 1
    row = trimmed.iloc[0]
    assert row["kind"] == "verbatim"
    assert row["a_text"] == row["b_text"]
    assert (row["a_start"], row["b_start"]) == (0, 0)
    assert row["a_end"] == row["b_end"]
    # the copied seven sentences, at most without the closing full stop
    assert SHARED_PREFIX.startswith(row["a_text"])
    assert len(SHARED_PREFIX) - 1 <= len(row["a_text"]) <= len(SHARED_PREFIX)


def test_trimmed_copy_passage_spans_whole_sentences(result):
    row = trimmed_passages(result).iloc[0]
    assert row["a_text"] == row["b_text"] == SHARED_PREFIX


def test_paraphrase_passage_is_rewritten_and_spans_the_paraphrase(result):
    passages = result.passages
    para = passages[(passages["a"] == "paraphrase") & (passages["b"] == "wire-original")]
    rewritten = para[para["kind"] == "rewritten"]
    assert len(rewritten) == 1
    assert rewritten.iloc[0]["a_text"] == " ".join(PARAPHRASE_SENTENCES)
    assert rewritten.iloc[0]["b_text"] == " ".join(ORIGINAL_SENTENCES[:8])


def test_paraphrase_has_no_verbatim_passage(result):
    passages = result.passages
    para = passages[(passages["a"] == "paraphrase") & (passages["b"] == "wire-original")]
    assert para["kind"].tolist() == ["rewritten"]


def test_coverage_in_unit_interval(result):
    for col in ("aligned_a", "aligned_b"):
        assert result.pairs[col].between(0.0, 1.0).all()


def test_block_product_is_scipys_bit_for_bit():
    sentences = [*ORIGINAL_SENTENCES, *PARAPHRASE_SENTENCES, "", "!!!"]
    word, _ = fit_vectors(sentences, char=False)
    rng = np.random.default_rng(0)
    for _ in range(5):
        rows_a = rng.choice(len(sentences), size=4, replace=False)
        rows_b = rng.choice(len(sentences), size=7, replace=True)
        want = (word[rows_a] @ word[rows_b].T).tocsr()
        got = align.block_product(word, rows_a, rows_b)
        assert got.shape == want.shape
        assert np.array_equal(got.indptr, want.indptr)
        assert np.array_equal(got.indices, want.indices)
        assert np.array_equal(got.data, want.data)
    empty = align.block_product(word, np.array([len(sentences) - 1]), np.array([0]))
    assert empty.shape == (1, 1) and empty.nnz == 0


def test_verbatim_passage_stops_at_the_outlets_footer():
    # two runs of one story by one outlet, whose footer (beside three other stories)
    # is boilerplate: the passage is the story, not the footer the two runs share
    footer = ("Copyright Daily Post. All rights reserved. Contact the Daily Post news desk "
              "by email or phone, day or night.")
    story = " ".join(ORIGINAL_SENTENCES[:7])
    others = ["The council approved a new budget for the harbour district on Monday. "
              "Critics said the plan ignores the flood risk along the river.",
              "A storm cut power to thousands of homes in the northern suburbs overnight. "
              "Crews expect to restore supply by Thursday evening.",
              "The football club named a new coach after a season of heavy defeats. "
              "Fans gathered outside the stadium to welcome him."]
    texts = [f"{story}\n\n{footer}", f"{story}\n\n{footer}",
             *(f"{o}\n\n{footer}" for o in others)]
    docs = pd.DataFrame({"id": ["run1", "run2", "x1", "x2", "x3"], "text": texts,
                         "source": "Daily Post"})
    res = analyze(docs)
    # the footer's three sentences, without the spaces between them
    assert (res.documents["boilerplate_chars"] == len(footer.replace(". ", "."))).all()
    pair = res.passages[(res.passages["a"] == "run1") & (res.passages["b"] == "run2")]
    assert pair[["a_start", "a_end", "b_start", "b_end"]].values.tolist() == [
        [0, len(story), 0, len(story)]]


def test_a_hard_wrapped_source_aligns_as_its_unwrapped_text():
    import textwrap

    wrapped = "\n\n".join(textwrap.fill(p, 70) for p in ORIGINAL.split("\n\n"))
    aligned = {}
    for name, wire in (("plain", ORIGINAL), ("wrapped", wrapped)):
        docs = pd.DataFrame({"id": ["para", "wire"], "text": [PARAPHRASE, wire]})
        pair = analyze(docs).pairs.iloc[0]
        aligned[name] = (pair["relation"], round(pair["aligned_a"], 2),
                         round(pair["aligned_b"], 2))
    # line by line, the wire's 12 sentences were 32 fragments and 0.36 of it aligned
    assert aligned["wrapped"] == aligned["plain"] == ("wholly-derived", 1.0, 0.69)


def test_an_ocr_copy_is_covered_past_its_misread_letters():
    # a story and a scan of its copy with a letter misread every 29 characters: the
    # shingles around each misread never match, and the passages stopped short of the
    # words around them (0.87 of each text covered)
    misread = {"e": "c", "l": "1", "o": "0", "s": "5", "a": "o", "n": "m", "i": "l",
               "t": "f", "r": "n"}
    text = ORIGINAL
    noisy = "".join(misread.get(c, c) if k % 29 == 14 else c for k, c in enumerate(text))
    assert noisy != text and len(noisy) == len(text)
    docs = [{"id": "wire", "text": text}, {"id": "scan", "text": noisy}]
    res = analyze(docs)
    pair = res.pairs.set_index(["a", "b"]).loc[("scan", "wire")]
    assert pair["aligned_a"] >= 0.99 and pair["aligned_b"] >= 0.99
    # the runs the misreads split grow into one passage, not into copies of each other
    verb = res.passages[res.passages["kind"] == "verbatim"].sort_values("a_start")
    assert (verb["a_start"].to_numpy()[1:] >= verb["a_end"].to_numpy()[:-1]).all()
    assert (verb["a_end"] - verb["a_start"]).sum() <= len(noisy)
    # one text scanned is a duplicate, though the misreads put its character profile
    # below the 0.9 that clean near-identical texts reach
    assert pair["char_cosine"] < 0.9
    assert pair["relation"] == "duplicate"
