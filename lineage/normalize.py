"""Tokens and sentences with character offsets into the original text, for any script.

Words are runs of letters, marks and digits (so Devanagari vowel signs and Arabic
diacritics stay inside their word). Scripts written without spaces between words
(Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar) give one token per character.
Each token's *form* is its NFKC-normalised, case-folded and *folded* text; its
offsets always index the original, unnormalised text. Folding removes the spelling
differences that copying between newsrooms introduces without changing a word
(:data:`FOLDED`): a typographic apostrophe is ``'`` (a CMS turns the wire's ``'``
into ``’``), every script's decimal digits are ASCII digits, and the Arabic script's
optional marks and letter variants are folded as Lucene's Arabic and Persian
normalisers fold them (tatweel and harakat dropped; alef with hamza or madda, alef
maksura and Farsi yeh, keheh, heh goal and teh marbuta to one letter each), Russian
``ё`` is ``е`` and Hebrew points are dropped.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice

import numpy as np
import pandas as pd
import regex

__all__ = [
    "FOLDED",
    "Tokens",
    "is_unspaced",
    "normalize_text",
    "quoted_spans",
    "sentence_table",
    "split_sentences",
    "tokenize",
    "whole_words",
]

_UNSPACED = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}"
_WORD_CHAR = rf"(?![{_UNSPACED}])[\p{{L}}\p{{M}}\p{{N}}]"
_TOKEN = regex.compile(rf"[{_UNSPACED}]|{_WORD_CHAR}+(?:['’]{_WORD_CHAR}+)*")
_UNSPACED_CHAR = regex.compile(rf"[{_UNSPACED}]")
#: Marks that end a sentence whatever follows: CJK full-width, Urdu full stop (U+06D4),
#: Arabic question mark, Devanagari danda (U+0964, U+0965), Myanmar section (U+104B),
#: Khmer khan (U+17D4, U+17D5), Ethiopic full stop and question mark (U+1362, U+1367),
#: Armenian full stop (U+0589).
_HARD_ENDS = "。！？۔؟।॥။។៕።፧։"
# Sentence ends: Latin marks, the hard ends above, ellipsis, then closing quotes or
# brackets; or, in Thai and Lao, which write no full stop, the space between two
# letters of the script (the writing's sentence and clause break).
_TERMINATOR = regex.compile(
    rf"(?:[.!?…]+|[{_HARD_ENDS}]+)[\"'”’»)\]」』]*"
    r"|(?<=[\p{Thai}\p{Lao}])[ \u00a0]+(?=[\p{Thai}\p{Lao}])"
)
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sen rep gov gen col lt sgt st jr sr inc ltd co corp vs etc no "
    "jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n e.u".split()
)


def _folding() -> dict[int, str | None]:
    table: dict[int, str | None] = {ord(c): "'" for c in "\u2019\u2018\u02bc\u02bb`\u00b4\u2032"}
    for cp in range(0x80, 0x10000):  # digits of every script (NFKC maps the rest)
        if unicodedata.category(chr(cp)) == "Nd":
            table[cp] = str(unicodedata.decimal(chr(cp)))
    arabic_marks = [0x0640, *range(0x064B, 0x0660), 0x0670]  # tatweel, harakat
    hebrew_points = [*range(0x0591, 0x05BE), 0x05BF, 0x05C1, 0x05C2, 0x05C4, 0x05C5, 0x05C7]
    table.update({cp: None for cp in arabic_marks + hebrew_points})
    table.update({cp: "\u0627" for cp in (0x0622, 0x0623, 0x0625, 0x0671)})  # alef
    table.update({cp: "\u064a" for cp in (0x0649, 0x06CC)})  # yeh
    table.update({0x06A9: "\u0643", 0x06C1: "\u0647", 0x0629: "\u0647",  # kaf, heh
                  0x0451: "\u0435"})  # Russian yo
    return table


#: The folding applied after NFKC and case folding (``str.translate`` table).
FOLDED = _folding()
_FOLD_TO = {chr(k): v or "" for k, v in FOLDED.items()}
# folded by a search for the few characters that fold (str.translate with a dict
# costs a lookup per character, eight times NFKC and case folding together)
_FOLDABLE = re.compile("[" + "".join(re.escape(c) for c in sorted(_FOLD_TO)) + "]")


def _fold(text: str) -> str:
    """``text.translate(FOLDED)``, in time that grows with what is folded."""
    if text.isascii():  # of ASCII, only the backtick folds
        return text.replace("`", "'") if "`" in text else text
    return _FOLDABLE.sub(lambda m: _FOLD_TO[m.group()], text)


@dataclass(frozen=True)
class Tokens:
    """The tokens of one text.

    Attributes
    ----------
    starts, ends : ndarray of int64, shape (n_tokens,)
        ``[start, end)`` character offsets into the original text.
    forms : list of str
        Normalised token text (NFKC, case-folded).
    unspaced : ndarray of bool, shape (n_tokens,)
        True where the token is one character of an unspaced script.
    """

    starts: np.ndarray
    ends: np.ndarray
    forms: list[str]
    unspaced: np.ndarray

    def __len__(self) -> int:
        return len(self.forms)


def normalize_text(text: str) -> str:
    """NFKC-normalise, case-fold and fold ``text`` (:data:`FOLDED`; used for
    character n-grams and sentence keys)."""
    return _fold(unicodedata.normalize("NFKC", text).casefold())


def tokenize(text: str) -> Tokens:
    """Split ``text`` into word tokens (one per character in unspaced scripts).

    Parameters
    ----------
    text : str
        The original text.

    Returns
    -------
    Tokens
        Offsets into ``text`` and normalised forms.

    Examples
    --------
    >>> toks = tokenize("Biden’s U.S. missiles 导弹")
    >>> toks.forms
    ["biden's", 'u', 's', 'missiles', '导', '弹']
    """
    starts, ends, forms = [], [], []
    for match in _TOKEN.finditer(text):
        starts.append(match.start())
        ends.append(match.end())
        forms.append(_form(match.group()))
    unspaced = np.fromiter(
        (len(f) == 1 and _UNSPACED_CHAR.match(f) is not None for f in forms),
        dtype=bool,
        count=len(forms),
    )
    return Tokens(
        np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64), forms, unspaced
    )


def is_unspaced(tokens: Tokens) -> bool:
    """True when most tokens come from a script written without spaces."""
    return len(tokens) > 0 and float(tokens.unspaced.mean()) > 0.5


def whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` narrowed to whole words, for display: off a word it cuts into at
    either end (in a script written with spaces), then off the white space and
    sentence punctuation it starts with."""
    while start < end and _cuts(text, start):
        start += 1
    while end > start and _cuts(text, end):
        end -= 1
    while start < end and (text[start].isspace() or text[start] in _LEADING):
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _cuts(text: str, pos: int) -> bool:
    """``pos`` falls inside a word of a spaced script."""
    return (0 < pos < len(text) and _SPACED_WORD_CHAR.match(text, pos - 1) is not None
            and _SPACED_WORD_CHAR.match(text, pos) is not None)


_SPACED_WORD_CHAR = regex.compile(_WORD_CHAR)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans ``[start, end)`` of ``text``, trimmed of surrounding space.

    A sentence ends at a line break, or at a terminator (``. ! ? … 。 ！ ？ ۔ ؟ ।`` and
    the full stops of Myanmar, Khmer, Ethiopic and Armenian) followed by white space,
    the end of the text, or (for all but the Latin marks) anything. Thai and Lao write
    no full stop: a space between two of their letters ends a sentence. A full stop
    after a known abbreviation or a single capital letter (``U.S.``, ``Mr.``) does not
    end a sentence. In a hard-wrapped text (lines broken at a fixed width inside
    paragraphs), a nearly full line that does not end on a terminator runs on into the
    next. Spans without a word are dropped.
    """
    spans: list[tuple[int, int]] = []
    for line_start, line_end in _lines(text):
        start = line_start
        for match in _TERMINATOR.finditer(text, line_start, line_end):
            end = match.end()
            if not _ends_sentence(text, match.start(), end, line_end):
                continue
            spans.append((start, end))
            start = end
        spans.append((start, line_end))
    return [s for s in (_trim(text, a, b) for a, b in spans) if s is not None]


# -- private helpers ---------------------------------------------------------------


@lru_cache(maxsize=1 << 18)
def _form(token: str) -> str:
    return _fold(unicodedata.normalize("NFKC", token).casefold())


def _lines(text: str) -> list[tuple[int, int]]:
    """Spans of the text's lines, hard-wrapped lines joined (see :func:`_wrap_width`)."""
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, pos + len(line)))
        pos += len(line) + 1
    width = _wrap_width(text, out)
    if width is None:
        return out
    joined = [out[0]]
    for start, end in out[1:]:
        prev_start, prev_end = joined[-1]
        if (start < end and not text[start:end].isspace()
                and _soft_break(text, prev_start, prev_end, width)):
            joined[-1] = (prev_start, end)
        else:
            joined.append((start, end))
    return joined


_TERMINATORS = frozenset(".!?…:;" + _HARD_ENDS)
_CLOSERS = frozenset("\"'”’»)]」』")
_LEADING = _TERMINATORS | frozenset(",،、，")  # no way to start a passage


def _ends_on_terminator(text: str, start: int, end: int) -> bool:
    """The line ``[start, end)`` ends on a terminator (closing quotes and brackets after
    it, then white space)."""
    while end > start and text[end - 1].isspace():
        end -= 1
    while end > start and text[end - 1] in _CLOSERS:
        end -= 1
    return end > start and text[end - 1] in _TERMINATORS


_RUN_ON = re.compile(r"[^\n]\n[^\n\s]")


def _wrap_width(text: str, lines: list[tuple[int, int]]) -> int | None:
    """The width a text was hard-wrapped at, or None if its line breaks are its own.

    A hard-wrapped text (old archives, agency feeds, e-mail) breaks lines at a fixed
    width inside paragraphs, mostly in mid-sentence; a line break there is not a
    sentence's end. Wrapped: at least four lines inside paragraphs (followed by a
    non-blank line), three in five of them at least 0.7 of the width (the 90th
    percentile of line lengths, 30 to 200 characters), and half of them ending
    without a terminator.
    """
    if sum(1 for _ in islice(_RUN_ON.finditer(text), 4)) < 4:  # few lines run on
        return None
    lengths = [e - s for s, e in lines]
    inner = [i for i in range(len(lines) - 1)
             if lengths[i] and lengths[i + 1] and not text[slice(*lines[i + 1])].isspace()]
    if len(inner) < 4:
        return None
    filled = sorted(n for n in lengths if n)
    width = filled[int(0.9 * (len(filled) - 1))]  # the 90th percentile, lower value
    if not 30 <= width <= 200:
        return None
    full = [i for i in inner if lengths[i] >= 0.7 * width]
    open_ended = [i for i in inner if not _ends_on_terminator(text, *lines[i])]
    if len(full) < 0.6 * len(inner) or len(open_ended) < 0.5 * len(inner):
        return None
    return width


def _soft_break(text: str, start: int, end: int, width: int) -> bool:
    """The line ``[start, end)`` of a wrapped text runs on into the next one: it is
    nearly full and does not end on a terminator (a heading or a byline is short)."""
    return end - start >= 0.6 * width and not _ends_on_terminator(text, start, end)


def _ends_sentence(text: str, mark_start: int, mark_end: int, limit: int) -> bool:
    mark = text[mark_start]
    if mark in _HARD_ENDS or mark in " \u00a0":  # a hard end, or a Thai or Lao break
        return True
    if mark_end < limit and not text[mark_end].isspace():
        return False
    if mark == ".":
        word = _WORD_BEFORE.search(text[max(0, mark_start - 12) : mark_start])
        if word is not None:
            w = word.group().casefold()
            if w in _ABBREVIATIONS or _INITIALS.fullmatch(word.group()):
                return False
    return True


_WORD_BEFORE = regex.compile(r"[\p{L}.]+$")  # the word a full stop ends
_INITIALS = regex.compile(r"(?:\p{L}\.)*\p{Lu}")  # U.S, J.R.R.T, a single capital


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end or _TOKEN.search(text, start, end) is None:
        return None
    return start, end


def sentence_table(texts: list[str]) -> pd.DataFrame:
    """One row per sentence of every text.

    Parameters
    ----------
    texts : list of str
        Document texts, by position.

    Returns
    -------
    DataFrame
        Columns ``doc`` (position of the text), ``start``, ``end`` (offsets into the
        original text), ``n_chars``; rows ordered by ``doc`` then ``start``.
    """
    docs, starts, ends = [], [], []
    for doc, text in enumerate(texts):
        for start, end in split_sentences(text):
            docs.append(doc)
            starts.append(start)
            ends.append(end)
    frame = pd.DataFrame(
        {
            "doc": np.asarray(docs, dtype=np.int64),
            "start": np.asarray(starts, dtype=np.int64),
            "end": np.asarray(ends, dtype=np.int64),
        }
    )
    frame["n_chars"] = frame["end"] - frame["start"]
    return frame


_QUOTE = regex.compile(
    r"“[^”\n]{3,}”|\"[^\"\n]{3,}\"|«[^»\n]{3,}»|„[^“”\n]{3,}[“”]|「[^」\n]{2,}」|『[^』\n]{2,}』"
)


def quoted_spans(text: str) -> np.ndarray:
    """``[start, end)`` spans of direct quotations (“…”, "…", «…», „…“, 「…」), shape (k, 2)."""
    spans = [(m.start(), m.end()) for m in _QUOTE.finditer(text)]
    return np.asarray(spans, dtype=np.int64).reshape(-1, 2)
