"""Tests for lineage.normalize: tokens and sentences with offsets into the original text."""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lineage.normalize import (
    is_unspaced,
    normalize_text,
    sentence_table,
    split_sentences,
    tokenize,
    whole_words,
)

HINDI_WORDS = ("बंदरगाह", "पर", "हड़ताल", "जारी", "है", "मज़दूरों", "ने", "काम", "बंद", "कर", "दिया")
HINDI = " ".join(HINDI_WORDS[:5]) + "। " + " ".join(HINDI_WORDS[5:]) + "।"
URDU_WORDS = ("کراچی", "کی", "بندرگاہ", "پر", "ہڑتال", "جاری", "ہے", "مزدوروں", "نے", "کام", "بند",
              "کر", "دیا")
URDU = " ".join(URDU_WORDS[:7]) + "۔ " + " ".join(URDU_WORDS[7:]) + "۔"
CHINESE = "码头工人周二罢工。港口停止运作！谈判何时恢复？"
ENGLISH = ("Mr. Reyes met U.S. officials on Tuesday. The talks failed! Will they resume? "
           "Nobody knows.")


def substrings(text: str, spans) -> list[str]:
    return [text[s:e] for s, e in spans]


def token_texts(text: str) -> list[str]:
    toks = tokenize(text)
    return [text[s:e] for s, e in zip(toks.starts, toks.ends, strict=True)]


def check_forms(text: str) -> None:
    toks = tokenize(text)
    assert toks.starts.dtype == np.int64 and toks.ends.dtype == np.int64
    for s, e, form in zip(toks.starts, toks.ends, toks.forms, strict=True):
        assert normalize_text(text[s:e]) == form


# ---------------------------------------------------------------- tokenize


def test_tokenize_english_offsets_and_forms():
    text = "Dockworkers' union: Biden’s U.S. ﬁle, 4,200 MEMBERS."
    assert token_texts(text) == [
        "Dockworkers", "union", "Biden’s", "U", "S", "ﬁle", "4", "200", "MEMBERS",
    ]
    assert tokenize(text).forms == [
        "dockworkers", "union", "biden's", "u", "s", "file", "4", "200", "members",
    ]
    check_forms(text)


def test_tokenize_docstring_example_mixes_words_and_han():
    toks = tokenize("Biden’s U.S. missiles 导弹")
    assert toks.forms == ["biden's", "u", "s", "missiles", "导", "弹"]
    assert toks.unspaced.tolist() == [False, False, False, False, True, True]


def test_tokenize_chinese_one_token_per_han_character():
    toks = tokenize(CHINESE)
    han = [c for c in CHINESE if c not in "。！？"]
    assert toks.forms == han
    assert token_texts(CHINESE) == han
    assert (toks.ends - toks.starts).tolist() == [1] * len(han)
    assert toks.unspaced.all()
    assert is_unspaced(toks)
    check_forms(CHINESE)


def test_tokenize_hindi_keeps_vowel_signs_inside_words():
    assert token_texts(HINDI) == list(HINDI_WORDS)
    check_forms(HINDI)
    # vowel signs (Mc/Mn) are inside, never at the start of, a token
    marks = [w for w in token_texts(HINDI) if any(unicodedata.category(c)[0] == "M" for c in w)]
    assert "मज़दूरों" in marks and "दिया" in marks
    assert all(unicodedata.category(w[0])[0] != "M" for w in token_texts(HINDI))
    assert not is_unspaced(tokenize(HINDI))


def test_tokenize_urdu_words():
    assert token_texts(URDU) == list(URDU_WORDS)
    check_forms(URDU)
    assert not tokenize(URDU).unspaced.any()


def test_tokenize_arabic_diacritics_stay_in_word():
    word = "مُلک"  # with a damma (U+064F, a combining mark)
    assert token_texts(f"یہ {word} ہے") == ["یہ", word, "ہے"]


def test_tokenize_empty_and_punctuation_only():
    for text in ("", "   ", "... ?! —"):
        toks = tokenize(text)
        assert len(toks) == 0
        assert toks.starts.shape == (0,) and toks.ends.shape == (0,)
        assert not is_unspaced(toks)


def test_normalize_text_is_nfkc_casefold():
    assert normalize_text("ＰＯＲＴ Straße ﬁ") == "port strasse fi"


@pytest.mark.parametrize(("a", "b"), [
    ("Ukraine's", "Ukraine\u2019s"),  # the wire's apostrophe, a CMS's typographic one
    ("didn't", "didn\u02bct"),
    ("2024", "٢٠٢٤"),  # Arabic-Indic digits
    ("2024", "۲۰۲۴"),  # Extended Arabic-Indic (Urdu, Persian)
    ("2024", "२०२४"),  # Devanagari
    ("مُلْك", "ملك"),  # harakat are optional
    ("الحكومـــة", "الحكومة"),  # tatweel stretches a word
    ("أعلن", "اعلن"), ("إعلان", "اعلان"), ("آخر", "اخر"),  # alef with hamza or madda
    ("پاکستانی", "پاكستاني"),  # Urdu keheh and Farsi yeh, typed as Arabic kaf and yeh
    ("کہا", "كها"),  # heh goal
    ("ёлка", "елка"), ("Ёж", "еж"),  # Russian yo, often written as ye
    ("שָׁלוֹם", "שלום"),  # Hebrew points
])
def test_normalize_text_folds_spellings_copying_changes(a, b):
    assert normalize_text(a) == normalize_text(b)
    assert tokenize(a).forms == tokenize(b).forms


def test_normalize_text_keeps_letters_that_differ():
    for a, b in [("uber", "über"), ("ے", "ي"), ("ھ", "ه"), ("e", "é"), ("ي", "ئ")]:
        assert normalize_text(a) != normalize_text(b)


# ---------------------------------------------------------------- sentences


def test_split_sentences_english_abbreviations():
    spans = split_sentences(ENGLISH)
    assert substrings(ENGLISH, spans) == [
        "Mr. Reyes met U.S. officials on Tuesday.",
        "The talks failed!",
        "Will they resume?",
        "Nobody knows.",
    ]


def test_split_sentences_single_initial_and_decimal_do_not_split():
    text = "J. Smith said 1.8 million boxes moved. Then it rained."
    assert substrings(text, split_sentences(text)) == [
        "J. Smith said 1.8 million boxes moved.",
        "Then it rained.",
    ]


def test_split_sentences_chinese_marks_without_spaces():
    assert substrings(CHINESE, split_sentences(CHINESE)) == [
        "码头工人周二罢工。", "港口停止运作！", "谈判何时恢复？",
    ]


def test_split_sentences_urdu_full_stop():
    assert substrings(URDU, split_sentences(URDU)) == [
        " ".join(URDU_WORDS[:7]) + "۔",
        " ".join(URDU_WORDS[7:]) + "۔",
    ]


def test_split_sentences_hindi_danda():
    assert substrings(HINDI, split_sentences(HINDI)) == [
        " ".join(HINDI_WORDS[:5]) + "।",
        " ".join(HINDI_WORDS[5:]) + "।",
    ]



@pytest.mark.parametrize("first, second", [
    ("မြို့တော်တွင် မိုးကြီးသည်။", "လမ်းများ ရေလွှမ်းသည်။"),  # Myanmar section mark
    ("ភ្នំពេញ មានភ្លៀងខ្លាំង។", "ផ្លូវជាច្រើនលិចទឹក។"),  # Khmer khan
    ("አዲስ አበባ ዝናብ ዘነበ።", "መንገዶች ተዘጉ።"),  # Ethiopic full stop
    ("Երևանում անձրև է։", "Փողոցները փակ են։"),  # Armenian full stop
])
def test_split_sentences_other_scripts_full_stops(first, second):
    for sep in ("", " "):
        text = first + sep + second
        assert substrings(text, split_sentences(text)) == [first, second]


def test_split_sentences_thai_space_between_letters_is_a_break():
    # Thai writes no full stop; a space between Thai letters ends a sentence, a space
    # beside digits or Latin letters does not
    text = "ฝนตกหนักในกรุงเทพ ถนนหลายสายมีน้ำท่วม 20 เซนติเมตร ประชาชนควรระวัง"
    assert substrings(text, split_sentences(text)) == [
        "ฝนตกหนักในกรุงเทพ", "ถนนหลายสายมีน้ำท่วม 20 เซนติเมตร", "ประชาชนควรระวัง",
    ]

def test_split_sentences_spans_are_trimmed_and_exact():
    text = "  \n  First line here  \n\n   \"Quoted end.\"   Next one?  \n ... \n"
    spans = split_sentences(text)
    assert spans == [(5, 20), (27, 40), (43, 52)]
    assert substrings(text, spans) == ["First line here", "\"Quoted end.\"", "Next one?"]


def test_split_sentences_line_break_ends_sentence():
    text = "Headline without a stop\nBody sentence one. Body two."
    assert substrings(text, split_sentences(text)) == [
        "Headline without a stop", "Body sentence one.", "Body two.",
    ]


def test_split_sentences_empty():
    assert split_sentences("") == []
    assert split_sentences(" \n\t ") == []


def test_sentence_table_columns_and_rows():
    texts = ["One sentence here. And two.", "", CHINESE]
    table = sentence_table(texts)
    assert list(table.columns) == ["doc", "start", "end", "n_chars"]
    assert all(table[c].dtype == np.int64 for c in table.columns)
    assert table["doc"].tolist() == [0, 0, 2, 2, 2]
    assert table["start"].tolist() == [0, 19, 0, 9, 16]
    assert table["end"].tolist() == [18, 27, 9, 16, 23]
    assert (table["n_chars"] == table["end"] - table["start"]).all()


def test_sentence_table_empty():
    table = sentence_table([])
    assert list(table.columns) == ["doc", "start", "end", "n_chars"]
    assert len(table) == 0
    pd.testing.assert_frame_equal(table, sentence_table(["", "  "]))


# ---------------------------------------------------------------- invariants

TRICKY = list(".!?…。！？۔؟।॥\n \t\u3000\"'”’)»Mr.U.S.aé导ठि")
TEXTS = st.text(alphabet=st.one_of(st.characters(exclude_categories=["Cs"]),
                                   st.sampled_from(TRICKY)), max_size=200)


def check_spans(text: str, spans: list[tuple[int, int]]) -> None:
    previous_end = 0
    for start, end in spans:
        assert 0 <= previous_end <= start < end <= len(text)
        previous_end = end


@settings(max_examples=120, deadline=None)
@given(TEXTS)
def test_token_spans_in_bounds_ordered_and_forms_match(text):
    toks = tokenize(text)
    check_spans(text, list(zip(toks.starts.tolist(), toks.ends.tolist(), strict=True)))
    check_forms(text)


@settings(max_examples=120, deadline=None)
@given(TEXTS)
def test_sentence_spans_in_bounds_ordered_and_trimmed(text):
    spans = split_sentences(text)
    check_spans(text, spans)
    for start, end in spans:
        assert not text[start].isspace() and not text[end - 1].isspace()
        assert len(tokenize(text[start:end])) > 0
    # every word lies inside some sentence: no text is lost between sentences
    toks = tokenize(text)
    for s, e in zip(toks.starts.tolist(), toks.ends.tolist(), strict=True):
        assert any(a <= s and e <= b for a, b in spans), text[s:e]


WRAPPED_WIRE = """COURT Smith
By Jane Doe, PA News

A man who stole a car from outside a school in Leeds was jailed for two
years today after a judge heard he had driven it at over 90mph along the
M62 while three times over the legal limit. Thomas Smith, 34, admitted
dangerous driving and drink driving at Leeds Crown Court.

Judge Peter Grey told him: "You could easily have killed someone that
night." Smith was also banned from driving for five years.
ENDS"""


def test_a_hard_wrapped_text_is_split_into_its_sentences_not_its_lines():
    got = [" ".join(WRAPPED_WIRE[a:b].split()) for a, b in split_sentences(WRAPPED_WIRE)]
    assert got == [
        "COURT Smith", "By Jane Doe, PA News",
        "A man who stole a car from outside a school in Leeds was jailed for two years today "
        "after a judge heard he had driven it at over 90mph along the M62 while three times "
        "over the legal limit.",
        "Thomas Smith, 34, admitted dangerous driving and drink driving at Leeds Crown Court.",
        'Judge Peter Grey told him: "You could easily have killed someone that night."',
        "Smith was also banned from driving for five years.", "ENDS"]


def test_lines_of_their_own_are_not_joined():
    # one paragraph a line, of varied lengths, each ending on a full stop; and a list
    text = ("The council met on Monday.\nIt approved the harbour budget after a long debate "
            "about flood defences.\nCritics walked out.\nThe vote was 12 to 9.\n"
            "Items on the agenda\nroads\nschools\nparks and gardens")
    assert len(split_sentences(text)) == 8


FOLDABLE = list("ab Z`'\u2019\u00b4٢۴ًـأىیکہةёЁשָ1é\u200b")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(FOLDABLE), max_size=40) | TEXTS)
def test_normalize_text_folds_as_the_translate_table_does(text):
    from lineage.normalize import FOLDED

    assert normalize_text(text) == unicodedata.normalize("NFKC", text).casefold().translate(
        FOLDED)



@pytest.mark.parametrize("text, span, expected", [
    ("were appointed. Exporters", (0, 17), "were appointed."),  # off the "E"
    ("he said the talks", (6, 17), "the talks"),  # off "aid"
    ("appointed. The port", (9, 19), "The port"),  # off the full stop it starts with
    ("谈判破裂。港口停运", (2, 7), "破裂。港口"),  # each Chinese character is a word
    ("करना है", (0, 7), "करना है"),  # a vowel sign is part of the word
    ("abc", (1, 2), ""),
])
def test_whole_words_narrows_a_span_for_display(text, span, expected):
    start, end = whole_words(text, *span)
    assert text[start:end] == expected
