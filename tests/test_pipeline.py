"""End to end on the seeds and on non-Latin corpora."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import lineage
from lineage.schema import REUSE_RELATIONS

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"


@pytest.fixture(scope="module")
def seeds():
    return lineage.analyze(SEEDS)


def _short(x: str) -> str:
    return x.split("_")[0]


def test_seeds_002_003_is_the_strongest_reuse_pair(seeds):
    reuse = seeds.pairs[seeds.pairs["relation"].isin(REUSE_RELATIONS)]
    strength = reuse[["containment_ab", "containment_ba"]].max(axis=1)
    best = reuse.loc[strength.idxmax()]
    assert (_short(best["a"]), _short(best["b"])) == ("002", "003")


def test_seeds_not_all_pairs_are_reuse(seeds):
    reuse = seeds.pairs["relation"].isin(REUSE_RELATIONS).sum()
    assert 1 <= reuse < 10


def test_seeds_002_003_passages_are_substrings(seeds):
    docs = seeds.documents.set_index("id")["text"]
    p = seeds.passages
    assert len(p) >= 5
    for row in p.itertuples():
        assert docs[row.a][row.a_start : row.a_end] == row.a_text
        assert docs[row.b][row.b_start : row.b_end] == row.b_text
    assert set(p["kind"]) == {"verbatim", "rewritten"}


def test_seeds_pairs_stored_once_a_before_b(seeds):
    pairs = seeds.pairs
    assert (pairs["a"] < pairs["b"]).all()
    assert not pairs.duplicated(["a", "b"]).any()


def test_seeds_family_and_tree(seeds):
    fam = seeds.families
    articles = fam[fam["role"] != "latent"]
    assert set(articles["id"].map(_short)) == {"002", "003"}
    assert fam["family"].nunique() == 1
    assert set(seeds.tree["child"]) == set(fam["id"])
    assert (seeds.tree["parent"] == "").sum() == 1


def test_seeds_direction_between_two_rewrites_is_not_overclaimed(seeds):
    """002 and 003 are rewrites with no dates, each with half its text its own: whoever
    the tree puts above, it does not claim to know it."""
    edges = seeds.tree[seeds.tree["parent"] != ""]
    assert (edges["confidence"] < 0.8).all()
    (pair,) = seeds.pairs[seeds.pairs["relation"] == "partially-derived"].itertuples()
    assert 0.2 < pair.direction_p < 0.8


def _siblings(published: str | None = None) -> pd.DataFrame:
    from fixtures.corpus import SIBLINGS_CORPUS

    docs = pd.DataFrame(SIBLINGS_CORPUS)
    if published:
        docs.loc[docs["id"] == "business-paper", "published"] = published
    return docs


def test_near_simultaneous_copies_of_an_unseen_wire_hang_from_a_latent_source():
    from fixtures.corpus import ORIGINAL_SENTENCES

    result = lineage.analyze(_siblings())
    parents = dict(zip(result.tree["child"], result.tree["parent"], strict=True))
    assert parents["harbour-paper"] == parents["business-paper"] == "latent:1"
    assert parents["latent:1"] == ""
    assert result.families.set_index("id").loc["latent:1", "role"] == "latent"
    (text,) = result.latent["text"]
    # what both ran: the wire's first four sentences; not what only one of them ran
    assert all(s in text for s in ORIGINAL_SENTENCES[:4])
    assert ORIGINAL_SENTENCES[5] not in text and ORIGINAL_SENTENCES[9] not in text


def test_an_hour_apart_the_earlier_copy_is_the_parent():
    result = lineage.analyze(_siblings("2024-03-12T09:30:00Z"))
    parents = dict(zip(result.tree["child"], result.tree["parent"], strict=True))
    assert parents == {"harbour-paper": "", "business-paper": "harbour-paper"}
    assert result.latent.empty


def test_evidence_reads_like_a_sentence(seeds):
    row = seeds.pairs.iloc[0]
    assert "sentences of" in row["evidence"]
    assert "verbatim" in row["evidence"]


def test_results_are_deterministic():
    one, two = lineage.analyze(SEEDS), lineage.analyze(SEEDS)
    pd.testing.assert_frame_equal(one.pairs, two.pairs)
    pd.testing.assert_frame_equal(one.passages, two.passages)


URDU = (
    "وزیر اعظم نے آج اسلام آباد میں ایک اہم اجلاس کی صدارت کی۔ اجلاس میں ملک کی معاشی صورتحال "
    "پر تفصیلی غور کیا گیا۔ وزیر خزانہ نے بتایا کہ مہنگائی کی شرح میں کمی آئی ہے۔ حکومت نے "
    "بجلی کی قیمتوں میں کمی کا اعلان بھی کیا۔ اپوزیشن نے اس فیصلے پر تنقید کی ہے۔"
)
CHINESE = (
    "国务院总理今天在北京主持召开常务会议。会议研究了进一步稳定经济增长的措施。"
    "财政部长表示，今年前十个月的财政收入保持增长。会议决定加大对中小企业的支持力度。"
    "专家认为，这些措施将有助于提振市场信心。"
)


@pytest.mark.parametrize("text", [URDU, CHINESE], ids=["urdu", "chinese"])
def test_non_latin_copy_is_found_and_aligned(text):
    copy = text[: text.rfind(text[-1], 0, len(text) - 1) + 1] + text[-1]
    table = pd.DataFrame(
        {"id": ["orig", "copy", "other"],
         "text": [text, copy, "An unrelated English text about football and the weather."]}
    )
    result = lineage.analyze(table)
    reuse = result.pairs[result.pairs["relation"].isin(REUSE_RELATIONS)]
    assert list(zip(reuse["a"], reuse["b"], strict=True)) == [("copy", "orig")]
    docs = result.documents.set_index("id")["text"]
    assert len(result.passages) >= 1
    for row in result.passages.itertuples():
        assert docs[row.a][row.a_start : row.a_end] == row.a_text
        assert row.kind == "verbatim"


def test_prepared_corpus_matches_the_library_stages():
    """The run keeps offsets and hashes, not tokens: the same shingles, word rows and texts."""
    import numpy as np

    from lineage import boilerplate
    from lineage.config import Config
    from lineage.load import load_documents
    from lineage.normalize import sentence_table, tokenize
    from lineage.pipeline import _prepare
    from lineage.vectorize import word_vectorizer

    docs = load_documents(SEEDS).sort_values("id").reset_index(drop=True)
    config = Config()
    corpus = _prepare(docs, config, lambda stage, total: lambda n: None)
    texts = docs["text"].tolist()
    for d, text in enumerate(texts):
        want = boilerplate.evidence_shingles(tokenize(text), corpus.spans[d], config.shingle)
        for w, got in zip(want, (corpus.positional[d], corpus.skips[d], corpus.shingles[d]),
                          strict=True):
            assert np.array_equal(w, got)
    clean = corpus.clean_texts()
    assert list(clean) == [boilerplate.strip_boilerplate(t, sp)
                           for t, sp in zip(texts, corpus.spans, strict=True)]
    # word rows from hashes have scikit-learn's row lengths on the clean texts and sentences
    from lineage.wordvectors import word_tfidf

    doc_rows = word_tfidf(*corpus.evidence_tokens())
    assert np.array_equal(doc_rows.indptr, word_vectorizer().fit_transform(list(clean)).indptr)
    sentences = sentence_table(texts)
    sent_texts = [texts[d][s:e] for d, s, e in sentences[["doc", "start", "end"]].to_numpy()]
    sent_rows = word_tfidf(*corpus.sentence_tokens())
    want = word_vectorizer().fit_transform(sent_texts).tocsr()
    assert np.array_equal(sent_rows.indptr, want.indptr)
    assert np.array_equal(sent_rows.data, want.data)


def test_a_batch_prepared_beforehand_gives_the_same_corpus_and_run():
    """The index prepares its new batch to sketch it, then analyses the batch with its
    stored partners: the batch's tokens and sentences are reused, boilerplate is found
    over all the documents (the footer only the whole corpus repeats often enough),
    and a text changed since it was prepared is tokenised again."""
    import dataclasses

    import numpy as np

    from lineage.config import Config
    from lineage.load import load_documents
    from lineage.pipeline import _prepare, prepare
    from tests.fixtures import corpus as fx

    footer = "\n\nThis article was produced by the Valley Sentinel newsroom."
    rows = fx.syndicated_corpus(seed=4, papers=4) + [
        {"id": f"sentinel-{k}", "text": text + footer, "source": "Valley Sentinel"}
        for k, text in enumerate((fx.INDEPENDENT, fx.UNRELATED, fx.DIGEST))]
    docs = load_documents(pd.DataFrame(rows)).sort_values("id").reset_index(drop=True)
    batch = docs.iloc[[6, 0, 7]].reset_index(drop=True)  # not in id order
    done = prepare(batch)
    changed = batch.assign(text=batch["text"].where(batch.index != 1, "Other."))
    done_changed = prepare(changed)
    config, quiet = Config(), (lambda stage, total: lambda n: None)
    want = _prepare(docs, config, quiet)
    assert len(prepare(batch.iloc[:2]).boiler) and not prepare(batch.iloc[:2]).boiler.any()
    assert want.boiler.any()
    for ids, prepared in ((batch["id"].tolist(), done), (changed["id"].tolist(), done_changed)):
        got = _prepare(docs, config, quiet, (ids, prepared))
        for field in dataclasses.fields(want):
            w, g = getattr(want, field.name), getattr(got, field.name)
            if isinstance(w, pd.DataFrame):
                pd.testing.assert_frame_equal(g, w)
            elif isinstance(w, list) and w and isinstance(w[0], np.ndarray):
                assert all(np.array_equal(x, y) for x, y in zip(g, w, strict=True)), field.name
            else:
                assert np.array_equal(np.asarray(g, dtype=object), np.asarray(w, dtype=object))
        # the batch's tokens are the prepared ones, not found again; a changed text's are
        reused = {i for i, d in enumerate(docs["id"]) for k, b in enumerate(ids)
                  if d == b and got.hashes[i] is prepared.hashes[k]}
        fresh = {i for i, d in enumerate(docs["id"]) if d in set(ids)
                 and prepared.texts[ids.index(d)] == docs["text"][i]}
        assert reused == fresh and len(fresh) >= 2
    one = lineage.analyze(docs)
    two = lineage.analyze(docs, prepared=(batch["id"].tolist(), done))
    pd.testing.assert_frame_equal(one.pairs, two.pairs)
    pd.testing.assert_frame_equal(one.passages, two.passages)
    pd.testing.assert_frame_equal(one.tree, two.tree)


def test_char_cosine_of_related_pairs_as_from_the_whole_matrix(seeds):
    """Character rows are built only for related pairs' documents: same cosines."""
    import numpy as np

    from lineage import boilerplate
    from lineage.config import Config
    from lineage.load import load_documents
    from lineage.pipeline import _prepare
    from lineage.vectorize import HashedCharTfidf

    docs = load_documents(SEEDS).sort_values("id").reset_index(drop=True)
    corpus = _prepare(docs, Config(), lambda stage, total: lambda n: None)
    clean = [boilerplate.strip_boilerplate(t, sp)
             for t, sp in zip(corpus.texts, corpus.spans, strict=True)]
    rows = HashedCharTfidf().fit_transform(clean)
    pairs = seeds.pairs
    assert len(pairs) and pairs["char_cosine"].notna().all()
    ai, bi = pairs["ai"].to_numpy(), pairs["bi"].to_numpy()
    want = np.asarray(rows[ai].multiply(rows[bi]).sum(axis=1)).ravel()
    assert np.allclose(pairs["char_cosine"].to_numpy(), np.clip(want, 0, 1), atol=6e-5)  # 4 d.p.


def test_quote_flags_mark_passages_mostly_inside_quotations():
    """A passage is a quotation when half of it, on either side, lies inside “…”, "…",
    «…» or 「…」 — counted across several quotations and documents at once."""
    from lineage.pipeline import _quote_flags

    texts = ['He said "we will rebuild the bridge" today.',  # quoted: 8..36
             "Plain text with no quotation at all, none.",
             "«Un» and «deux trois quatre» and more words here."]  # 9..28 («Un» too short)
    passages = pd.DataFrame({
        "ai": [0, 0, 1, 1, 0],
        "bi": [1, 2, 2, 2, 2],
        # a: all quoted | 6 of 13 | none | none | 6 of 10
        "a_start": [8, 30, 0, 0, 30],
        "a_end": [36, 43, 10, 10, 40],
        # b: none | none | 5 of 9 | 19 of 19 | none
        "b_start": [0, 30, 5, 9, 40],
        "b_end": [10, 40, 14, 28, 48],
    })
    assert _quote_flags(passages, texts, 25).tolist() == [True, False, True, True, True]
    assert _quote_flags(passages.iloc[:0], texts, 25).tolist() == []


def test_a_quote_inside_a_long_copied_passage_still_counts():
    """Mostly quotation, but with 25 words' worth (150 characters) of plain text
    around it on both sides: the quote was copied with the passage, not quoted apart."""
    from lineage.pipeline import _quote_flags

    plain = "x" * 160
    text = f'{plain} "{"y" * 300}"'
    passages = pd.DataFrame({"ai": [0, 0], "bi": [1, 1], "a_start": [0, 20],
                             "a_end": [len(text), len(text)], "b_start": [0, 20],
                             "b_end": [len(text), len(text)]})
    # 160 plain characters: counts; 140 (from 20): too few, a quotation
    assert _quote_flags(passages, [text, text], 25).tolist() == [False, True]


def test_a_digest_of_two_stories_does_not_merge_their_families():
    from fixtures.corpus import DIGEST_CORPUS

    result = lineage.analyze(pd.DataFrame(DIGEST_CORPUS))
    family = result.documents.set_index("id")["family"]
    strike = ["wire-original", "verbatim-copy", "trimmed-copy-with-local-additions"]
    match = ["match-report", "match-report-copy", "match-report-trimmed"]
    assert family[strike].nunique() == 1 and family[match].nunique() == 1
    assert family[strike].iloc[0] != family[match].iloc[0]
    # the digest took five sentences of the match report and three of the strike story
    assert family["morning-digest"] == family[match].iloc[0]
    # its reuse of the strike story is still listed, with the passages
    reuse = result.pairs[result.pairs["relation"].isin(REUSE_RELATIONS)]
    crossing = reuse[(reuse["a"] == "morning-digest") & reuse["b"].isin(strike)
                     | (reuse["b"] == "morning-digest") & reuse["a"].isin(strike)]
    assert len(crossing) == 3
    # and every tree edge stays inside a family
    parent = result.tree[result.tree["parent"] != ""]
    assert (parent["child"].map(family) == parent["parent"].map(family)).all()
    # the other story's source is named: the wire original, not the verbatim copy that
    # the digest reproduces as faithfully (the more original of the two)
    evidence = result.tree.set_index("child")["evidence"]
    assert evidence["morning-digest"].endswith(
        "; it also took text from another story: wire-original (family "
        f"{family['wire-original']})")
    assert not evidence.drop("morning-digest").str.contains("another story").any()


def test_a_heading_above_a_copied_text_is_not_read_as_a_lead_of_its_own():
    """Scraps shorter than ``sentences.min_chars`` are nobody's additions: a paper
    that runs the wire text under "UPDATE 2" has not opened with text of its own (were
    the heading counted, as it is when ``addition_coherence`` gets no ``eligible`` mask,
    the evidence would read "on this pair alone, wire is
    the likely source: paper opens with more text of its own above the shared text")."""
    wire = ("Firefighters contained a large bushfire near the town of Hill Top on Tuesday "
            "evening. About 500 residents left their homes for nearby Mittagong as strong "
            "winds pushed the fire east. The Rural Fire Service said conditions had eased "
            "and crews were optimistic of saving all properties. A second fire near "
            "Goulburn closed the Hume Highway for several hours. Authorities expect hot "
            "and windy weather to return later in the week.")
    docs = pd.DataFrame({"id": ["paper", "wire"], "text": ["UPDATE 2\n\n" + wire, wire]})
    pair = lineage.analyze(docs).pairs.iloc[0]
    assert pair["relation"] == "duplicate"
    assert "opens with more text of its own" not in pair["evidence"]
    # nothing reads as a copy's mark, so nothing pushes the paper below even odds (with
    # the heading counted as its lead, 0.38)
    assert pair["direction_p"] >= 0.5


def _page(site: str, title: str, when: str, body: str) -> str:
    """A saved news page: masthead and menu, the article, a most-read box, a footer."""
    menu = " ".join(f"<a href='/{s}'>{s}</a>" for s in (
        "Home", "World", "Politics", "Business", "Science", "Sport", "Culture", "Opinion"))
    paragraphs = "".join(f"<p>{x}</p>" for x in body.split("\n\n"))
    return (f"<html><head><title>{title} | {site}</title>"
            f"<meta property='og:site_name' content='{site}'>"
            f"<meta property='article:published_time' content='{when}'></head><body>"
            f"<header><h2>{site}</h2><nav>{menu}</nav></header>"
            f"<main><article><h1>{title}</h1>{paragraphs}</article>"
            "<aside><h3>Most read</h3><ul><li>Council approves harbour budget after a long "
            "night of debate in the chamber</li><li>Storm cuts power to thousands of homes "
            "across the northern suburbs</li><li>Football club names new coach after a season "
            "of heavy defeats</li></ul></aside></main>"
            f"<footer><p>Copyright {site}. All rights reserved. Registered in England. "
            f"Contact the {site} news desk by email or phone, day or night.</p></footer>"
            "</body></html>")


def test_saved_news_pages_give_their_articles_outlets_and_dates(tmp_path):
    from fixtures.corpus import INDEPENDENT, ORIGINAL, TRIMMED, UNRELATED

    from lineage.load import load_documents

    pages = {"wire": ("Agency Wire", ORIGINAL, "2024-11-18T08:00:00Z"),
             "paper": ("The Daily Post", TRIMMED, "2024-11-18T11:00:00Z"),
             "other": ("The Daily Post", UNRELATED, "2024-11-18T12:00:00Z"),
             "third": ("The Daily Post", INDEPENDENT, "2024-11-18T13:00:00Z")}
    for name, (site, body, when) in pages.items():
        (tmp_path / f"{name}.html").write_text(_page(site, name.title(), when, body))
    docs = load_documents(tmp_path)
    assert docs.set_index("id")["source"].to_dict() == {
        "other": "The Daily Post", "paper": "The Daily Post", "third": "The Daily Post",
        "wire": "Agency Wire"}
    res = lineage.analyze(docs)
    reuse = res.pairs[res.pairs["relation"].isin(["duplicate", "wholly-derived",
                                                  "partially-derived"])]
    # the menus, most-read boxes and footers every page carries are no evidence
    assert reuse[["a", "b", "likely_source"]].values.tolist() == [["paper", "wire", "wire"]]
    assert res.tree.set_index("child")["parent"].to_dict() == {"paper": "wire", "wire": ""}


@pytest.mark.parametrize("restyle", [
    lambda t: t.replace("'", "\u2019"),  # a CMS's typographic apostrophes
    lambda t: t.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")),  # Arabic-Indic digits
], ids=["apostrophes", "digits"])
def test_a_copy_restyled_by_its_newsroom_is_a_duplicate(restyle):
    wire = ("Ukraine's president said on Monday that the country's forces had struck a "
            "Russian arms depot 120 km from the border. It's the first such strike since "
            "Washington's decision, officials said. The governor's office didn't confirm the "
            "damage but said the region's air defences shot down 8 of 10 drones overnight. "
            "Kyiv's allies have debated the move for months, and Britain's government "
            "welcomed it on 18 November.")
    docs = pd.DataFrame({"id": ["wire", "paper"], "text": [wire, restyle(wire)]})
    pair = lineage.analyze(docs).pairs.iloc[0]
    assert (pair["relation"], pair["jaccard"]) == ("duplicate", 1.0)


def test_urdu_copy_typed_with_arabic_letters_is_a_duplicate():
    # the agency types Urdu keheh, Farsi yeh and heh goal; the paper Arabic kaf, yeh, heh
    agency = ("پاکستان کی حکومت نے پیر کو معیشت کی مدد کے لیے نئے اقدامات کا اعلان کیا۔ "
              "وزیر خزانہ نے کہا کہ اکتوبر میں مہنگائی کی شرح کم ہو کر چار فیصد رہ گئی۔ "
              "مرکزی بینک نے شرح سود میں کوئی تبدیلی نہیں کی۔ "
              "ماہرین کا خیال ہے کہ سال کے آخر تک اشیائے خورونوش کی قیمتوں میں "
              "اضافہ سست ہو جائے گا۔")
    paper = agency.translate(str.maketrans({"ک": "ك", "ی": "ي", "ہ": "ه"}))
    assert paper != agency
    docs = pd.DataFrame({"id": ["agency", "paper"], "text": [agency, paper],
                         "source": ["APP", "Daily Jang"]})
    res = lineage.analyze(docs)
    pair = res.pairs.iloc[0]
    assert (pair["relation"], pair["jaccard"]) == ("duplicate", 1.0)
    assert res.tree.set_index("child")["parent"].to_dict() == {"agency": "", "paper": "agency"}


def test_a_rewritten_sentence_beside_a_verbatim_run_keeps_its_passage():
    # S0 is copied whole and S1 up to its last clause: one verbatim run covers S0 and
    # most of S1. S2 is rewritten. Its passage must stand on its own, not be lost in a
    # sentence passage S1-S2 that the verbatim run half covers.
    s0 = ("Residents of the coastal town of Port Ellis woke to news on Wednesday that their "
          "only road link to the mainland would soon be cut for heavy traffic.")
    s1 = ("The regional council voted on Tuesday evening to close the old harbour bridge to "
          "heavy trucks from the first of March, citing a structural report that found "
          "corroded steel in three of its five spans.")
    s1b = ("The regional council voted on Tuesday evening to close the old harbour bridge to "
           "heavy trucks from the first of March, citing a structural survey which showed "
           "rusting girders underneath.")
    s2 = "Repairs could take two years and cost forty million dollars."
    a = f"{s0} {s1} {s2} Local shop owners said they feared losing passing trade."
    b = (f"{s0} {s1b} Fixing it may need two years and some forty million dollars. The mayor "
         "will meet residents at the town hall next week to explain the plan.")
    other = "A farmer in the north reported record wheat yields after a wet winter and spring."
    result = lineage.analyze(pd.DataFrame({"id": ["a", "b", "c"], "text": [a, b, other]}))
    spans = result.passages[["a_start", "a_end", "kind"]].to_numpy().tolist()
    start = a.index(s2)
    assert spans == [[0, a.index(s1) + 138, "verbatim"], [start, start + len(s2), "rewritten"]]


def _syndicated(papers: int) -> pd.DataFrame:
    """A wire story and ``papers`` papers that each ran its first 5-8 sentences with a
    word of their own inserted and a line of their own (words no other has) at the end,
    an hour apart."""
    from fixtures.corpus import ORIGINAL_SENTENCES

    words = ["Meanwhile", "Locally", "Reportedly", "Officially", "Notably", "Separately"]
    rows = [("wire", " ".join(ORIGINAL_SENTENCES), "Associated Press", "2024-03-01T08:00Z")]
    for i in range(papers):
        s = list(ORIGINAL_SENTENCES[: 5 + i % 4])
        k = i % len(s)
        s[k] = f"{words[i % len(words)]}, {s[k][0].lower()}{s[k][1:]}"
        own = " ".join(f"{w}{'ab'[i % 2]}{chr(97 + i)}" for w in ("Town", "hall", "notes")) + "."
        rows.append((f"p{i:02d}", " ".join(s) + "\n\n" + own, f"Paper {i}",
                     f"2024-03-01T{9 + i % 12:02d}:00Z"))
    return pd.DataFrame(rows, columns=["id", "text", "source", "published"])


def test_max_partners_bounds_the_pairs_and_keeps_each_copy_s_source():
    import dataclasses

    docs = _syndicated(16)
    every = lineage.analyze(docs)
    config = lineage.Config()
    config = dataclasses.replace(config, candidates=dataclasses.replace(
        config.candidates, max_partners=3))
    few = lineage.analyze(docs, config=config)
    reuse = every.pairs[every.pairs["relation"].isin(REUSE_RELATIONS)]
    assert len(reuse) == 17 * 16 // 2  # every two of them: 17 articles, fewer than 30
    kept = few.pairs[few.pairs["relation"].isin(REUSE_RELATIONS)]
    # at most two lists of three per article, and every paper keeps the wire
    assert len(kept) <= 17 * 3 * 2 and len(kept) < len(reuse) // 2
    with_wire = set(kept.loc[kept["a"] == "wire", "b"]) | set(kept.loc[kept["b"] == "wire", "a"])
    assert with_wire == {f"p{i:02d}" for i in range(16)}
    # one family still, every paper in it
    assert few.documents["family"].nunique() == 1 and few.documents["family"].notna().all()
