"""Outlet boilerplate: repeated beside different stories, never a story's own copies."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

import lineage
from lineage.boilerplate import (
    boilerplate_spans,
    evidence_shingles,
    find_boilerplate,
    mask_tokens,
    sentence_groups,
    shingle_skips,
    strip_boilerplate,
)
from lineage.config import ShingleConfig
from lineage.normalize import sentence_table, tokenize

FOOTER = "Subscribe to the Daily Post for more news. Follow us on social media."
BYLINE = "By the Daily Post staff. Filed from the city desk."
STORIES = [
    "The council approved a new budget for the harbour district on Monday. "
    "Critics said the plan ignores the flood risk along the river.",
    "A storm cut power to thousands of homes in the northern suburbs overnight. "
    "Crews expect to restore supply by Thursday evening.",
    "The football club named a new coach after a season of heavy defeats. "
    "Fans gathered outside the stadium to welcome him.",
    "Scientists found a rare orchid growing beside the motorway verge. "
    "The site will be fenced off to protect the plants.",
]


def marked(texts: list[str], sources: list[str], max_changed: float = 0.0) -> list[str]:
    """The sentences found to be boilerplate, as text."""
    sentences = sentence_table(texts)
    flags = find_boilerplate(sentences, texts, pd.Series(sources), max_changed=max_changed)
    rows = sentences[flags]
    return sorted({texts[d][s:e] for d, s, e in zip(rows["doc"], rows["start"], rows["end"],
                                                   strict=True)})


def test_a_footer_beside_different_stories_is_boilerplate():
    texts = [f"{s} {FOOTER}" for s in STORIES]
    assert marked(texts, ["Daily Post"] * 4) == sorted(FOOTER.replace(". ", ".\n").split("\n"))


#: The footer as OCR read it under each story: a letter or two misread, never the same.
GARBLED = ["Subscribe to the Daily Post for more news. Follow us on sociai media.",
           "Subscribe to the Dai1y Post for more news. Follow us on social media.",
           "Subscribe to the Daily Post for mone news. Follow us 0n social media.",
           "Subscribe to tbe Daily Post for more news. Follow us on social medla."]


def test_a_footer_garbled_differently_in_each_article_is_boilerplate():
    texts = [f"{s} {g}" for s, g in zip(STORIES, GARBLED, strict=True)]
    assert marked(texts, ["Daily Post"] * 4) == []  # exact comparison: no sentence repeats
    found = marked(texts, ["Daily Post"] * 4, max_changed=0.1)
    assert found == sorted(x for g in GARBLED for x in g.replace(". ", ".\n").split("\n"))


def test_the_setting_reaches_the_corpus_level_spans_and_the_pipeline():
    # boilerplate_spans (the Spark engine's driver step) and analyze (Config) both
    # pass boilerplate_max_changed on: by default (0.1) the garbled footer is left out
    # of the evidence; 0 compares sentences exactly
    texts = [f"{s} {g}" for s, g in zip(STORIES, GARBLED, strict=True)]
    sources = pd.Series(["Daily Post"] * 4)
    footer = [(len(s) + 1, len(s) + 1 + len(g)) for s, g in zip(STORIES, GARBLED, strict=True)]
    assert [len(sp) for sp in boilerplate_spans(texts, sources)] == [0, 0, 0, 0]
    spans = boilerplate_spans(texts, sources, max_changed=0.1)
    assert [(int(sp[:, 0].min()), int(sp[:, 1].max())) for sp in spans] == footer
    docs = pd.DataFrame({"id": ["d0", "d1", "d2", "d3"], "text": texts, "source": sources})
    exact = lineage.analyze(docs, config=lineage.Config(boilerplate_max_changed=0.0)
                            ).documents["boilerplate_chars"].tolist()
    fuzzy = lineage.analyze(docs)
    assert exact == [0, 0, 0, 0]
    assert fuzzy.documents["boilerplate_chars"].tolist() == [len(g) - 1 for g in GARBLED]


def test_sentence_groups_join_misread_letters_not_edits():
    forms = ["copyright the harbour herald.", "copyrigbt the harbour herald.",
             "copyright the harbour hera1d.", "subscribe now for the news.",
             "copyright the harbour heralds.", "copyright the harbour tribune."]
    labels = sentence_groups(forms, 0.1)
    # one or two letters misread (of 29) join; a letter added (an edit: another
    # length) does not, nor does another word of the same length (7 of 29 changed)
    assert labels[0] == labels[1] == labels[2]
    assert len(set(labels[[0, 3, 4, 5]])) == 4
    assert list(sentence_groups(forms, 0.0)) == list(range(6))
    # at 0.03 of 29 letters, plus one: one misread letter joins, two do not
    two = ["copyright the harbour herald.", "copyrigbt the harbour hera1d."]
    assert len(set(sentence_groups(forms[:2], 0.03))) == 1
    assert len(set(sentence_groups(two, 0.03))) == 2


def test_a_byline_block_at_the_top_is_boilerplate():
    texts = [f"{BYLINE} {s}" for s in STORIES]
    assert marked(texts, ["Daily Post"] * 4) == sorted(BYLINE.replace(". ", ".\n").split("\n"))


def test_an_outlet_running_one_story_several_times_is_not_boilerplate():
    # the full story plus two trimmed runs of it and a longer update, all one outlet
    story = " ".join(STORIES)
    first_two = " ".join(STORIES[:2])
    texts = [story, STORIES[0], first_two, f"{story} Officials will meet again next week.",
             f"{STORIES[2]} {FOOTER}", f"{STORIES[3]} {FOOTER}", f"{STORIES[1]} {FOOTER}"]
    found = marked(texts, ["Daily Post"] * len(texts))
    assert found == sorted(FOOTER.replace(". ", ".\n").split("\n"))


def test_runs_of_one_story_edited_or_spliced_are_not_boilerplate():
    # One outlet runs a story twice (the second time with a word changed) and splices
    # its opening into a third article; its footer stands beside different stories.
    # The edited sentence must not make the story's sentences look like a footer
    # block (beside three "different" next sentences), nor their edited leads
    # like different stories.
    opening = ("The minister said the new border policy is working as a deterrent. "
               "He said the government would only change it if arrivals rose sharply.")
    rest = "The number of arrivals fell in the last three months of the year."
    edited = "The number of arrivals dropped in the last three months of the year."
    texts = [f"{opening} {rest} {FOOTER}", f"{opening} {edited} {FOOTER}",
             f"{STORIES[0]} {opening} {STORIES[1]} {FOOTER}",
             f"{STORIES[2]} {FOOTER}", f"{STORIES[3]} {FOOTER}"]
    found = marked(texts, ["Daily Post"] * len(texts))
    assert found == sorted(FOOTER.replace(". ", ".\n").split("\n"))
    # ... and the same when each of three runs words the lead its own way
    texts[0] = f"{opening} {rest} {FOOTER}"
    texts[1] = f"{opening.replace('is working as', 'works as')} {rest} {FOOTER}"
    texts[2] = f"{opening.replace('border policy', 'border rules')} {rest} {FOOTER}"
    assert marked(texts, ["Daily Post"] * len(texts)) == sorted(
        FOOTER.replace(". ", ".\n").split("\n"))


def test_an_agency_story_sent_again_under_new_leads_is_not_boilerplate():
    # "UPDATE 1/2/3": the body stands beside different leads, as a footer stands
    # beside different stories, but it is most of each article; the sign-off is not
    body = ("The central bank raised its main interest rate by a quarter point on Tuesday. "
            "Officials said inflation remained too high for comfort. "
            "The decision was expected by most economists polled last week. "
            "Markets barely moved after the announcement.")
    leads = ["", "UPDATE 1: The bank's governor warned of further rises to come. ",
             "UPDATE 2: Shares in lenders rose sharply after the rate decision. ",
             "UPDATE 3: The opposition called the rise a blow to homeowners. "]
    sign_off = "Reporting by Jane Doe; Editing by John Roe."
    texts = [f"{lead}{body} {sign_off}" for lead in leads]
    texts += [f"{story} {sign_off}" for story in STORIES]
    assert marked(texts, ["Reuters"] * len(texts)) == [sign_off]


def test_without_an_outlet_nothing_is_boilerplate():
    texts = [f"{s} {FOOTER}" for s in STORIES]
    assert marked(texts, [""] * 4) == []


def test_mask_and_strip_keep_offsets():
    text = "Keep this. Drop this. Keep that."
    spans = np.array([[11, 21]])
    assert strip_boilerplate(text, spans) == "Keep this. " + " " * 10 + " Keep that."
    starts = np.array([0, 5, 11, 16, 22, 27])
    assert mask_tokens(starts, spans).tolist() == [False, False, True, True, False, False]


def test_an_outlets_boilerplate_is_boilerplate_wherever_it_appears():
    generic = "Follow us on social media for breaking news alerts and updates all day."
    texts = [f"{s} {generic}" for s in STORIES[:3]]  # the Daily Post's footer
    texts += [f"{STORIES[3]} {generic}", f"{STORIES[0]} {generic}"]
    sources = ["Daily Post"] * 3 + ["Evening Star", ""]  # a small outlet, an unsourced text
    sentences = sentence_table(texts)
    flags = find_boilerplate(sentences, texts, pd.Series(sources))
    rows = sentences[flags]
    assert sorted(rows["doc"].tolist()) == [0, 1, 2, 3, 4]
    assert {texts[d][s:e] for d, s, e in zip(rows["doc"], rows["start"], rows["end"],
                                             strict=True)} == {generic}


def test_shingles_reaching_into_boilerplate_are_no_evidence():
    # two trims of one story that stop at the same sentence, each with its own footer
    # that begins alike: the shingles running from the story's last words into the
    # footers are not evidence (the untrimmed story lacks them)
    story = STORIES[0]
    texts = [f"{story}\n\nThis article was produced by the {name} newsroom."
             for name in ("Daily Post", "Evening Star")]
    config = ShingleConfig()
    kept = []
    for text in texts:
        footer = np.array([[len(story) + 2, len(text)]])
        kept.append(set(evidence_shingles(tokenize(text), footer, config)[2].tolist()))
    alone = set(evidence_shingles(tokenize(story), np.empty((0, 2), np.int64), config)[2].tolist())
    assert kept[0] == kept[1] == alone


@settings(max_examples=200, deadline=None)
@given(st.lists(st.booleans(), max_size=40), st.integers(1, 8))
def test_shingle_skips_mark_every_window_touching_boilerplate(inside, size):
    inside = np.array(inside, dtype=bool)
    n_shingles = max(len(inside) - size + 1, 1) if len(inside) else 0
    width = len(inside) - n_shingles + 1
    expected = [bool(inside[i:i + width].any()) for i in range(n_shingles)]
    assert shingle_skips(inside, n_shingles).tolist() == expected


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="abc .", max_size=12), max_size=30, unique=True),
       st.floats(0.0, 0.5))
def test_sentence_groups_only_join_strings_of_one_length_within_the_share(forms, share):
    labels = sentence_groups(forms, share)
    assert len(labels) == len(forms)
    for i, j in zip(*np.nonzero(labels[:, None] == labels[None, :]), strict=True):
        assert len(forms[i]) == len(forms[j])
    if share == 0.0:
        assert len(set(labels)) == len(forms)  # 0: exact comparison
    # joined pairs differ in at most the share of characters, plus one; a group holds
    # chains of them
    for label in set(labels):
        group = [forms[k] for k in np.flatnonzero(labels == label)]
        for f in group:
            assert any(sum(x != y for x, y in zip(f, g, strict=True)) <= share * len(f) + 1
                       for g in group if g != f) or len(group) == 1
