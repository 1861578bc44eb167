"""Direction of reuse: which side of a pair is the likely source, with a confidence.

The score is positive when ``a`` is the likely source of ``b``. It adds

* text: the copy is the more-covered side (a trimmed or excerpted copy lies
  mostly inside its source), from aligned coverage and shingle containment, as far
  as the other side's extra text is the rest of its story (:func:`story_weight`):
  extra text that fits the shared story much less than the story's own sentences
  fit each other was brought in around a text taken whole, and makes its side the
  copy;
* time: up to ``time_weight`` towards the earlier article when both dates are
  known, growing with the gap (``1 - exp(-gap / 1 h)``: copies minutes apart are
  as likely siblings of one wire text as copies of each other) and fading for gaps
  of more than ``stale_after_hours`` (a date weeks away from its family's is more
  likely wrong than a late copy); strong but not absolute, since feeds carry wrong
  dates;
* outlet: a bonus towards a wire service (``wire_sources``);
* family: ``family_weight`` towards the side that carries material it shares with
  third articles but not with the other side (:func:`exclusive_shares`): a source
  carries what its other copies share, a copy's own additions are shared by nobody;
  and ``support_weight`` for the same at the level of wording
  (:func:`variant_support`): where the two differ, whose wording the rest of the
  family keeps;
* additions: ``addition_weight`` towards the side whose own text (outside the shared
  passages) fits the shared story better (:func:`addition_coherence`), the two fits
  compared relative to each other (:func:`relative_difference`): a source's extra
  text is the rest of its story, a copy's additions are brought in from elsewhere;
* opening: ``opening_weight`` times the difference in the shares of the two texts
  that stand above their first shared sentence: a copy keeps its source's lead and
  adds at the edges (a local lead above an agency text), while a source's own text
  is what its copies dropped, mostly the end.

Confidence is ``tanh(2 * |score|)`` in [0, 1]; below 0.1 the direction is unknown.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from itertools import pairwise
from typing import NamedTuple

import numpy as np
import pandas as pd
import regex
import scipy.sparse as sp

from lineage.config import TreeConfig
from lineage.shingle import ShingleSets, in_sorted

__all__ = [
    "AGENCY_NAMES",
    "TERMS",
    "addition_coherence",
    "agency_credits",
    "agency_key",
    "agency_name",
    "credits",
    "date_only",
    "direction_scores",
    "direction_terms",
    "doubted_dates",
    "exclusive_shares",
    "explain_direction",
    "is_wire",
    "likely_sources",
    "publication_gaps",
    "relative_difference",
    "source_rank",
    "staleness",
    "story_weight",
    "trusted_times",
    "utc_times",
    "variant_support",
]

_WIRE_BONUS = 0.3
_PUNCT = regex.compile(r"[^\w\p{M}\s-]")
#: Scripts written without spaces between words, and Korean (wire names matched as
#: substrings): Thai, Lao, Myanmar, Khmer, Japanese kana, CJK, Hangul.
_UNSPACED = re.compile(
    r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af"
    r"\uf900-\ufaff]")
_TIME_SCALE = 3600.0
_UNKNOWN = 0.1

#: The names one news agency goes by, its usual name first (and its site, as an outlet
#: taken from an address reads): a dateline's "(AP)" names the outlet "Associated
#: Press" or "apnews.com", and "(Associated Press)" and "(AP)" credit one agency. A
#: name of four letters or fewer counts only in brackets, in capitals or as spelled
#: here.
AGENCY_NAMES: tuple[tuple[str, ...], ...] = (
    ("Associated Press", "AP", "apnews.com", "أسوشيتد برس", "美联社", "美聯社",
     "Ассошиэйтед Пресс"),
    ("Agence France-Presse", "Agence France Presse", "AFP", "اے ایف پی", "afp.com", "فرانس برس",
     "法新社", "Франс Пресс", "एएफपी"),
    ("Reuters", "Thomson Reuters", "رائٹرز", "reuters.com", "رويترز", "路透社", "ロイター",
     "로이터", "Рейтер", "Рейтерс", "रॉयटर्स"),
    ("Press Association", "PA Media"),  # not "(PA)": Pennsylvania
    ("United Press International", "UPI"),
    ("Deutsche Presse-Agentur", "dpa", "dpa.com"),
    ("Australian Associated Press", "AAP", "aap.com.au"),
    ("Press Trust of India", "PTI", "पीटीआई", "پی ٹی آئی", "ptinews.com"),
    ("Asian News International", "ANI", "एएनआई"),
    ("Indo-Asian News Service", "IANS", "आईएएनएस"),
    ("United News of India", "UNI", "यूएनआई"),
    ("Associated Press of Pakistan", "APP", "اے پی پی", "app.com.pk"),
    ("Pakistan Press International", "PPI", "پی پی آئی"),
    ("News Network International", "NNI", "این این آئی"),
    ("Independent News Pakistan", "INP"),
    ("Bangladesh Sangbad Sangstha", "BSS"),
    ("Xinhua", "Xinhua News Agency", "新华社", "新華社", "新华网", "xinhuanet.com", "news.cn"),
    ("China News Service", "中新社", "中国新闻社"),
    ("Central News Agency", "CNA", "中央社"),
    ("Kyodo", "Kyodo News", "共同社", "共同通信", "kyodonews.net"),
    ("Jiji Press", "Jiji", "時事通信"),
    ("Yonhap", "연합뉴스", "yna.co.kr", "yonhapnews.co.kr"),
    ("TASS", "ТАСС", "tass.com", "tass.ru"),
    ("RIA Novosti", "РИА Новости", "ria.ru"),
    ("Interfax", "Интерфакс", "interfax.ru", "interfax.com"),
    ("EFE", "Agencia EFE", "efe.com"),
    ("ANSA", "ansa.it"),
    ("Anadolu Agency", "Anadolu Ajansı", "AA", "aa.com.tr"),
    ("Islamic Republic News Agency", "IRNA", "ایرنا"),
    ("Ukrinform", "Укрінформ"),
    ("UNIAN", "УНІАН"),
    ("Vietnam News Agency", "VNA", "TTXVN", "Thông tấn xã Việt Nam"),
    ("Thai News Agency", "TNA", "สำนักข่าวไทย"),
    ("Bernama",),
    ("Antara", "antaranews.com"),
)
_AGENCY = {" ".join(n.split()).casefold(): group for group in AGENCY_NAMES for n in group}


def is_wire(sources: pd.Series, config: TreeConfig) -> np.ndarray:
    """True where the outlet name matches a wire service (whole words, case-insensitive;
    a name given as ``^name`` only as the outlet's first word)."""
    # each distinct outlet name once (a corpus has millions of articles, hundreds of
    # outlets); dotted initials close up ("A.P." is "ap"), other punctuation becomes
    # space; letters and their combining marks (Devanagari, Arabic vowel signs) stay
    # accents on Latin letters do not count ("Télam" is "telam", "ČTK" is "ctk")
    codes, distinct = pd.factorize(sources.fillna("").astype(str), use_na_sentinel=False)
    names = pd.Series([_PUNCT.sub(" ", _undot(_unaccent(x.casefold()))).strip()
                       for x in distinct], dtype=object)
    hit = np.zeros(len(names), dtype=bool)
    for wire in config.wire_sources:
        first = wire.startswith("^")  # only as the name's first word
        name = re.escape(_unaccent(wire.removeprefix("^").casefold()))
        if _UNSPACED.search(wire):  # written without spaces: any occurrence
            pattern = name
        else:
            start = "^" if first else r"(?:^|[\s-])"
            pattern = start + name + r"(?:[\s-]|$)"
        hit |= names.str.contains(pattern, regex=True).to_numpy()
    return hit[codes]


def direction_scores(
    pairs: pd.DataFrame, published: pd.Series, wire: np.ndarray, config: TreeConfig
) -> np.ndarray:
    """Signed score per pair, > 0 when ``a`` is the likely source of ``b``: the sum of
    :func:`direction_terms`.

    Parameters
    ----------
    pairs : DataFrame
        Columns ``ai, bi, aligned_a, aligned_b, containment_ab, containment_ba``.
    published : Series of datetime64
        By document position; NaT when unknown.
    wire : ndarray of bool
        By document position.
    config : TreeConfig
    """
    return direction_terms(pairs, published, wire, config)[list(TERMS)].sum(axis=1).to_numpy()


#: The evidence terms of a direction score, in the order :func:`direction_terms` gives.
TERMS = ("text", "time", "outlet", "credit", "family", "support", "additions", "opening")


def direction_terms(
    pairs: pd.DataFrame, published: pd.Series, wire: np.ndarray, config: TreeConfig
) -> pd.DataFrame:
    """Each kind of evidence's share of the direction score (> 0 towards ``a``).

    Columns :data:`TERMS`, one row per pair (same index): ``text`` (containment, by
    the story weight), ``time``, ``outlet`` (wire service), ``family`` (material shared
    with third members), ``support`` (wording kept by the family), ``additions``
    (how well each side's own text fits) and ``opening`` (a lead of one's own above
    the shared text). Parameters as :func:`direction_scores`; the terms a table lacks
    the columns for are 0. A last column, ``turned``, is True where the side with more
    text of its own is, by the story weight, the copy.
    """
    ai, bi = pairs["ai"].to_numpy(), pairs["bi"].to_numpy()
    # what each side has beyond the other, in aligned text and in shingles
    extra_a = (1 - pairs["aligned_a"].to_numpy()) + 0.5 * (1 - pairs["containment_ab"].to_numpy())
    extra_b = (1 - pairs["aligned_b"].to_numpy()) + 0.5 * (1 - pairs["containment_ba"].to_numpy())
    # the side with more of its own is the source if that is its own story
    weight = np.where(extra_a >= extra_b, story_weight(pairs, "a"), story_weight(pairs, "b"))
    text = (extra_a - extra_b) * weight
    times = utc_times(published)
    gap = publication_gaps(times[ai], times[bi])
    known = ~np.isnan(gap)
    order = np.zeros(len(pairs))
    gap = gap[known]
    order[known] = (np.sign(gap) * (1.0 - np.exp(-np.abs(gap) / _TIME_SCALE))
                    * staleness(gap, config.stale_after_hours))
    outlet = _WIRE_BONUS * (wire[ai].astype(float) - wire[bi].astype(float))
    credit = np.zeros(len(pairs))
    if "credit" in pairs:
        credit = config.credit_weight * pairs["credit"].to_numpy(dtype=float)
    family = np.zeros(len(pairs))
    if "excl_a" in pairs:
        family = config.family_weight * (pairs["excl_a"] - pairs["excl_b"]).to_numpy()
    adds = np.zeros(len(pairs))
    if "coherence_a" in pairs:
        ca = pairs["coherence_a"].to_numpy(dtype=float)
        cb = pairs["coherence_b"].to_numpy(dtype=float)
        adds = config.addition_weight * relative_difference(ca, cb)
    support = np.zeros(len(pairs))
    if "support_a" in pairs:
        diff = (pairs["support_a"] - pairs["support_b"]).to_numpy(dtype=float)
        support = config.support_weight * np.nan_to_num(diff, nan=0.0)
    opening = np.zeros(len(pairs))
    if "opening_a" in pairs:
        diff = (pairs["opening_b"] - pairs["opening_a"]).to_numpy(dtype=float)
        opening = config.opening_weight * np.nan_to_num(diff, nan=0.0)
    return pd.DataFrame({"text": text, "time": config.time_weight * order, "outlet": outlet,
                         "credit": credit, "family": family, "support": support, "additions": adds,
                         "opening": opening, "turned": weight < 0}, index=pairs.index)


def explain_direction(terms: pd.DataFrame, a: pd.Series, b: pd.Series,
                      *, at_least: float = 0.05) -> list[str]:
    """A clause per pair naming the evidence that points to its likely source.

    The terms of :func:`direction_terms` that lean the way the score does by at least
    ``at_least``, largest first (at most three); "" where the score is within the
    unknown band around 0 (see :func:`likely_sources`).

    Parameters
    ----------
    terms : DataFrame
        From :func:`direction_terms`.
    a, b : Series of str
        The pairs' document ids, aligned with ``terms``.
    """
    values = terms[list(TERMS)].to_numpy(dtype=float)
    total = values.sum(axis=1)
    lean = values * np.where(total > 0, 1.0, -1.0)[:, None]  # towards the likely source
    top = np.argsort(-lean, axis=1, kind="stable")[:, :3]
    strong = np.take_along_axis(lean, top, axis=1) >= at_least
    known = np.tanh(2 * np.abs(total)) >= _UNKNOWN
    out = []
    for k, turned, x, y in zip(range(len(total)), terms["turned"], a, b, strict=True):
        if not known[k]:
            out.append("")
            continue
        src, copy = (x, y) if total[k] > 0 else (y, x)
        reasons = [_reason(TERMS[t], src, copy, bool(turned)) for t in top[k][strong[k]]]
        out.append(f"{src} is the likely source: " + ("; ".join(reasons) if reasons
                                                        else "many small signs, none strong"))
    return out


def _reason(term: str, src: str, copy: str, turned: bool) -> str:
    if term == "text":
        if turned:
            return (f"{copy} holds the shared text inside more of its own that fits the "
                    "story poorly, as a copy's additions do")
        return f"more of {copy} lies inside {src} than the other way round"
    return {
        "time": f"{src} was published first",
        "outlet": f"{src} is a wire service",
        "credit": f"{copy} names {src}'s outlet, as a credit line does",
        "family": f"{src} carries text other family members share and {copy} lacks",
        "support": f"where the two differ, the rest of the family keeps {src}'s wording",
        "additions": f"{src}'s own text fits the shared story better than {copy}'s",
        "opening": f"{copy} opens with more text of its own above the shared text, as a "
                   "copy's added lead does",
    }[term]


def story_weight(pairs: pd.DataFrame, side: str) -> np.ndarray:
    """How far a side's extra text counts as the rest of its story, in [-1, 1].

    A side with more of its own is the likely source when that extra is the story
    the other side trimmed away (weight 1), and the likely copy when it was brought
    in around a text taken whole (weight -1): a newspaper that runs all of a short
    agency item inside a longer article of its own. :func:`direction_scores` weighs
    the difference in extra text by the weight of the side that has more.

    The weight is ``2 q - 1`` where ``q`` is the coherence of the side's additions
    relative to its story fit (:func:`addition_coherence`), clipped to [0, 1]:
    additions that fit as well as the story's own sentences fit each other count
    fully, additions fitting half as well count for nothing. Where either is unknown
    (no columns ``coherence_<side>`` and ``story_<side>``, nothing added, fewer than
    two shared sentences) the weight is 1.
    """
    if f"story_{side}" not in pairs:
        return np.ones(len(pairs))
    added = pairs[f"coherence_{side}"].to_numpy(dtype=float)
    story = pairs[f"story_{side}"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        q = np.clip(added / story, 0.0, 1.0)
    return np.where(np.isfinite(q) & (story > 0), 2.0 * q - 1.0, 1.0)


def relative_difference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``(a - b) / (a + b)`` in [-1, 1], 0 where either is NaN or both are 0.

    Sentence cosines are small and their scale depends on the language, sentence
    length and vocabulary (a story's own sentences share only a few words), so how
    well two sides' additions fit their story is compared relative to each other:
    0.02 against 0.04 is as clear a difference as 0.2 against 0.4.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    total = a + b
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(total > 0, (a - b) / total, 0.0)
    return np.nan_to_num(out, nan=0.0)


def credits(texts: Sequence[str], sources: Sequence[str], ai: np.ndarray, bi: np.ndarray
            ) -> np.ndarray:
    """Per pair, +1 where ``b`` names ``a``'s outlet and ``a`` does not name ``b``'s
    (``a`` is credited as the source: "(Reuters)", "AFP reported", "– PA"), -1 the other
    way round, 0 otherwise.

    An outlet is named when its ``source`` (a leading "the" dropped) stands in the text
    as whole words, case-insensitively (exactly, for names of three letters or fewer:
    "AP"; inside the text, for scripts written without spaces), or when another name of
    its agency does (:data:`AGENCY_NAMES`: the outlet "Associated Press" is named by a
    dateline's "(AP)"). Two articles of one outlet (or agency), or texts naming each
    other's outlets, say nothing. Each (document, outlet) is searched once.
    """
    ai, bi = np.asarray(ai, dtype=np.int64), np.asarray(bi, dtype=np.int64)
    codes, distinct = pd.factorize(pd.Series(list(sources), dtype=object).fillna("").astype(str),
                                   use_na_sentinel=False)
    distinct = [_credit_name(x) for x in distinct]
    names = np.array(distinct, dtype=object)[codes]
    agency = np.array([agency_key(x) for x in distinct], dtype=object)[codes]
    na, nb = names[ai], names[bi]
    differ = agency[ai] != agency[bi]  # "AP" and "Associated Press" are one outlet
    # the (text, outlet) searches the pairs need, each once
    asks = pd.DataFrame({"doc": np.r_[bi, ai], "name": np.r_[na, nb],
                         "pair": np.r_[np.arange(len(ai)), np.arange(len(ai))],
                         "sign": np.repeat([1, -1], len(ai))})
    asks = asks[np.r_[differ, differ] & (asks["name"] != "").to_numpy()]
    if asks.empty:
        return np.zeros(len(ai), dtype=np.int8)
    wanted = asks[["doc", "name"]].drop_duplicates()
    found = [_credit_pattern(name).search(texts[doc]) is not None
             for doc, name in zip(wanted["doc"], wanted["name"], strict=True)]
    named = asks.merge(wanted.assign(found=found), on=["doc", "name"])
    out = np.zeros(len(ai), dtype=np.int64)
    np.add.at(out, named["pair"].to_numpy(), named["sign"].to_numpy() * named["found"])
    return out.astype(np.int8)


def agency_credits(texts: Sequence[str], config: TreeConfig) -> list[frozenset[str]]:
    """The news agencies each text credits as its source.

    A credit is an agency's name (of ``wire_sources`` or :data:`AGENCY_NAMES`) as
    datelines and credit lines give it: alone in brackets or slashes ("WASHINGTON (AP)
    —", "(Reuters) -", "[Xinhua]", "/AFP/", "(اے پی پی)", "(भाषा)"), after a lead-in
    ("With inputs from PTI", "Source: AFP", "according to Reuters") or after a dash
    that ends a line ("— AP"); in a script written without spaces, the name anywhere
    ("新华社北京11月20日电"). A name of four letters or fewer counts only in capitals or
    as :data:`AGENCY_NAMES` spells it ("(AP)", "(dpa)", not "(app)"). An agency named
    in the running text ("a Reuters reporter", "an AP photo") is not a credit.

    Parameters
    ----------
    texts : sequence of str
    config : TreeConfig
        Its ``wire_sources`` (names marked ``^`` are left out: they are outlet names'
        first words, not credits).

    Returns
    -------
    list of frozenset of str
        Per text, one key per credited agency: its usual name in
        :data:`AGENCY_NAMES`, case-folded ("(AP)" and "(Associated Press)" both give
        "associated press"), else the name as found, case-folded
        (:func:`agency_name` turns a key back into a name).
    """
    find = _agency_patterns(tuple(config.wire_sources))
    out = []
    for text in texts:
        found = {m.group("name") for form in (find.bracket, find.dash)
                 for m in form.finditer(text)}
        lower = text.lower()
        if len(lower) == len(text):
            # lead-ins found in the lower-cased text (4x faster than a case-insensitive
            # search), the name read at the same offset of the text itself
            for m in _LEAD_IN.finditer(lower):
                hit = find.name_at.match(text, m.end())
                if hit:
                    found.add(hit.group("name"))
        else:
            found.update(m.group("name") for m in find.lead.finditer(text))
        if find.anywhere is not None:
            found.update(m.group() for m in find.anywhere.finditer(text))
        out.append(frozenset(map(agency_key, found)))
    return out


_LEAD = (r"with\s+(?:agency\s+)?inputs?\s+from|inputs?\s+from|source\s*:|"
         r"courtesy(?:\s+of)?|via|according\s+to|reported\s+by")
#: The lead-ins of :func:`_credit_forms` in lower case, for lower-cased text.
_LEAD_IN = re.compile(rf"(?:{_LEAD})\s+(?:the\s+)?")


def agency_name(key: str) -> str:
    """An agency's name for an evidence sentence, from an :func:`agency_credits` key:
    its usual name in :data:`AGENCY_NAMES` ("Associated Press" for "(AP)"), else the
    name in capitals (four letters or fewer) or title case."""
    group = _AGENCY.get(key)
    if group:
        return group[0]
    return key.upper() if len(key) <= 4 else key.title()


def agency_key(name: str) -> str:
    """One key per agency (as :func:`agency_credits` gives them): its usual name's,
    case-folded, when :data:`AGENCY_NAMES` knows the name (dotted initials closed up:
    "A.P." is "AP"), else the name case-folded."""
    name = " ".join(name.split()).casefold()
    group = _AGENCY.get(name) or _AGENCY.get(_undot(name))
    return " ".join(group[0].split()).casefold() if group else name


_INITIALS = re.compile(r"\b(?:\w\.){2,}")


def _unaccent(name: str) -> str:
    """Accents on Latin letters dropped ("é" is "e"); other scripts' combining marks
    (Devanagari vowel signs, Arabic harakat) kept, since they spell the word."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFKD", name):
        if unicodedata.combining(ch) and out and "a" <= out[-1] <= "z":
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def _undot(name: str) -> str:
    """Dotted initials closed up: "a.p. news" is "ap news", "u.p.i." is "upi"."""
    return _INITIALS.sub(lambda m: m.group().replace(".", ""), name)


def _credit_forms(names: str, group: str = "?P<name>") -> tuple[str, str, str]:
    """The ways a text credits a source named by the regex ``names`` (in a group opened
    by ``group``: named ``name``, or ``"?:"``): alone in brackets or slashes ("(AP)",
    "[Xinhua]", "/AFP/"), after a lead-in ("with inputs from PTI", "Source: AFP",
    "according to Reuters", "via AP"), or after a dash that ends a line ("— AP")."""
    return (rf"[(\[/]\s*({group}{names})\s*[)\]/]",
            rf"(?i:{_LEAD})\s+(?:the\s+)?({group}{names})(?!\w)",
            rf"(?m:[—–-]\s*({group}{names})\s*$)")


class _AgencyPatterns(NamedTuple):
    bracket: re.Pattern
    lead: re.Pattern
    dash: re.Pattern
    name_at: re.Pattern  # a name where a lead-in ends
    anywhere: re.Pattern | None  # names in scripts without spaces


@lru_cache(maxsize=8)
def _agency_patterns(names: tuple[str, ...]) -> _AgencyPatterns:
    names = [n for n in names if not n.startswith("^")]
    names += [n for group in AGENCY_NAMES for n in group]
    # short names in capitals, and as AGENCY_NAMES spells them ("dpa")
    spelled = {n.casefold(): n for group in AGENCY_NAMES for n in group if len(n) <= 4}
    spaced = sorted({n for n in names if not _UNSPACED.search(n)}, key=len, reverse=True)
    short = sorted({re.escape(form) for n in spaced if len(n) <= 4
                    for form in {spelled.get(n.casefold(), n.upper()), n.upper()}},
                   key=len, reverse=True)
    long = sorted({re.escape(n.casefold()).replace(r"\ ", r"\s+") for n in spaced
                   if len(n) > 4}, key=len, reverse=True)
    alternatives = "|".join(([f"(?i:{'|'.join(long)})"] if long else []) + short)
    unspaced = sorted({n for n in names if _UNSPACED.search(n)}, key=len, reverse=True)
    bracket, lead, dash = map(re.compile, _credit_forms(alternatives))
    return _AgencyPatterns(
        bracket, lead, dash, re.compile(rf"(?P<name>{alternatives})(?!\w)"),
        re.compile("|".join(map(re.escape, unspaced))) if unspaced else None)


def _credit_name(source: object) -> str:
    name = " ".join(str(source or "").split())
    name = re.sub(r"^the\s+", "", name, flags=re.I)
    return name if len(name) >= 2 else ""


@lru_cache(maxsize=4096)
def _credit_pattern(name: str) -> re.Pattern:
    """The outlet's name, or another name of its agency (:data:`AGENCY_NAMES`; one of
    four letters or fewer only as a credit (:func:`_credit_forms`), in capitals or as
    spelled there: "(AP)", "with inputs from PTI", "— dpa")."""
    parts = [_name_pattern(name, len(name) <= 3)]
    for other in _AGENCY.get(" ".join(name.split()).casefold(), ()):
        if other.casefold() == name.casefold():
            continue
        if len(other) <= 4 and not _UNSPACED.search(other):
            forms = "|".join(sorted({re.escape(other), re.escape(other.upper())}))
            parts += _credit_forms(forms, group="?:")
        else:
            parts.append(_name_pattern(other, False))
    return re.compile("|".join(parts))


def _name_pattern(name: str, exact_case: bool) -> str:
    if _UNSPACED.search(name):
        return re.escape(name)
    word = rf"(?<!\w){re.escape(name)}(?!\w)"
    return word if exact_case else f"(?i:{word})"


def utc_times(published: pd.Series | np.ndarray) -> np.ndarray:
    """Publication times as naive UTC ``datetime64[ns]`` (NaT where unknown)."""
    stamps = pd.to_datetime(pd.Series(published), utc=True)  # no copy for UTC times
    return stamps.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")


def source_rank(published: pd.Series, wire: np.ndarray) -> np.ndarray:
    """Each document's place as a likely source among partners that hold a text
    equally: wire services first, then by publication time (undated last), then by
    position. By document position, ``0..n-1``."""
    times = utc_times(published)
    when = np.where(np.isnat(times), np.inf,
                    times.astype("datetime64[s]").astype(np.int64).astype(np.float64))
    order = np.lexsort((when, ~np.asarray(wire, dtype=bool)))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank


def date_only(times: np.ndarray) -> np.ndarray:
    """True where a time is exactly midnight UTC: a date given without a time of day
    (feeds that give only the day are read as its midnight)."""
    times = np.asarray(times, dtype="datetime64[ns]")
    return ~np.isnat(times) & (times == times.astype("datetime64[D]"))


def publication_gaps(ta: np.ndarray, tb: np.ndarray) -> np.ndarray:
    """Seconds from ``ta`` to ``tb`` (NaN where either is unknown), compared at the
    coarser precision of the two: where one is a date alone, the gap is whole days,
    so a paper dated only by its day is not read as out before a wire story timed
    08:00 that day.

    Parameters
    ----------
    ta, tb : ndarray of datetime64[ns]
        Naive UTC times (:func:`utc_times`).
    """
    ta = np.asarray(ta, dtype="datetime64[ns]")
    tb = np.asarray(tb, dtype="datetime64[ns]")
    known = ~(np.isnat(ta) | np.isnat(tb))
    out = np.full(len(ta), np.nan)
    fine = (tb[known] - ta[known]).astype("timedelta64[s]").astype(np.float64)
    days = (tb[known].astype("datetime64[D]") - ta[known].astype("datetime64[D]")
            ).astype("timedelta64[s]").astype(np.float64)
    coarse = date_only(ta[known]) | date_only(tb[known])
    out[known] = np.where(coarse, days, fine)
    return out


def staleness(gap_seconds: np.ndarray, after_hours: float) -> np.ndarray:
    """Weight in [0.25, 1] of a publication gap as evidence of order: 1 up to
    ``after_hours``, then decaying (to a quarter at four times ``after_hours``)."""
    gap = np.abs(np.asarray(gap_seconds, dtype=np.float64)) / 3600.0
    over = np.clip(gap - after_hours, 0.0, None)
    return np.maximum(0.25, np.exp(-over / (3.0 * after_hours) * np.log(4.0)))


def likely_sources(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Side (``"a"``, ``"b"`` or ``""``) and confidence in [0, 1] from signed scores."""
    confidence = np.tanh(2.0 * np.abs(scores))
    side = np.where(scores > 0, "a", "b")
    side = np.where(confidence < _UNKNOWN, "", side)
    return side, np.round(confidence, 4)


def exclusive_shares(passages: pd.DataFrame, pairs: pd.DataFrame, n_chars: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray]:
    """For each pair, what each side shares with *other* partners that the other side lacks.

    ``excl_a`` is the share of a's text that a shares with some third article but
    not with b. A source carries material its other copies share; a copy's own
    additions are shared with nobody (but its own copies). When both sides carry
    such material, neither can have taken it from the other: they are siblings.

    Parameters
    ----------
    passages : DataFrame
        Internal passages (``ai, bi, a_start, a_end, b_start, b_end``) of reuse pairs.
    pairs : DataFrame
        Reuse pairs, columns ``ai, bi``.
    n_chars : ndarray of int64
        Characters of evidence-bearing text per document (the denominator).

    Returns
    -------
    (ndarray, ndarray)
        ``excl_a`` and ``excl_b``, aligned with ``pairs``.
    """
    # a's text shared with someone but not with b is (union of all a's shared
    # spans) minus (a's spans shared with b): the second lies inside the first
    p = passages
    doc = np.concatenate([p["ai"].to_numpy(np.int64), p["bi"].to_numpy(np.int64)])
    partner = np.concatenate([p["bi"].to_numpy(np.int64), p["ai"].to_numpy(np.int64)])
    start = np.concatenate([p["a_start"].to_numpy(np.int64), p["b_start"].to_numpy(np.int64)])
    stop = np.concatenate([p["a_end"].to_numpy(np.int64), p["b_end"].to_numpy(np.int64)])
    ai, bi = pairs["ai"].to_numpy(np.int64), pairs["bi"].to_numpy(np.int64)
    width = max(int(doc.max()) if len(doc) else 0, int(ai.max()) if len(ai) else 0,
                int(bi.max()) if len(bi) else 0) + 1
    everything = _union_lengths(doc, start, stop)
    own = _union_lengths(doc * width + partner, start, stop)

    def exclusive(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return (everything.reindex(x, fill_value=0).to_numpy()
                - own.reindex(x * width + y, fill_value=0).to_numpy()).astype(float)

    size_a, size_b = np.maximum(n_chars[ai], 1), np.maximum(n_chars[bi], 1)
    return exclusive(ai, bi) / size_a, exclusive(bi, ai) / size_b


def _union_lengths(key: np.ndarray, start: np.ndarray, stop: np.ndarray) -> pd.Series:
    """Length of the union of the ``[start, stop)`` spans of each key, by key.

    Spans sorted by (key, start); each adds what reaches past the furthest end of the
    key's earlier spans (a running maximum, kept within the key by an offset).
    """
    if len(key) == 0:
        return pd.Series(dtype=np.int64)
    order = np.lexsort((start, key))
    key, start, stop = key[order], start[order], stop[order]
    opens = np.r_[True, key[1:] != key[:-1]]  # the first span of each key
    shift = (np.cumsum(opens) - 1).astype(np.int64) << 32
    reach = np.maximum.accumulate(stop + shift) - shift  # furthest end so far, in the key
    before = np.r_[-1, reach[:-1]]
    before[opens] = -1
    gained = np.clip(stop - np.maximum(start, before), 0, None)
    first = np.flatnonzero(opens)
    return pd.Series(np.add.reduceat(gained, first), index=key[first])


#: Sentence pairs (of one document, for one side of a pair) handled at once by
#: :func:`addition_coherence`: bounds its memory, not its result.
_SENTENCE_PAIRS_AT_ONCE = 1 << 22


def addition_coherence(passages: pd.DataFrame, pairs: pd.DataFrame, sentences: pd.DataFrame,
                       vectors, eligible: np.ndarray | None = None) -> pd.DataFrame:
    """How well what each side adds fits the story they share, how well that story's
    own sentences fit each other, and how much of each side comes before it.

    For each side, the *coherence* of its additions is the mean over its sentences
    outside shared passages of their best word TF-IDF cosine with its sentences
    inside them. A source's extra material is the rest of the same story (dropped by
    the copy) and fits; a copy's additions are often material brought in from
    elsewhere and fit less. A side that adds nothing gets NaN.

    The *story fit* of a side is the same measure among its shared sentences (each
    one's best cosine with another of them): what "fits the story" means for this
    text, in its language and vocabulary. Additions that fit about as well are the
    story's own; additions that fit much less were brought in. NaN for fewer than two
    shared sentences.

    The *opening* of a side is the share of its sentences that stand before the first
    one it shares: a lead of its own above the shared text. A copy keeps its source's
    lead and adds at the edges, so an opening of its own is a copy's mark.

    Parameters
    ----------
    passages : DataFrame
        Internal passages of these pairs (``pair, a_start, a_end, b_start, b_end``).
    pairs : DataFrame
        Reuse pairs (``ai, bi``), indexed by the ``pair`` numbers of ``passages``.
    sentences : DataFrame
        ``doc, start, end`` (:func:`lineage.normalize.sentence_table`).
    vectors : sparse matrix
        L2-normalised word TF-IDF rows of ``sentences``.
    eligible : ndarray of bool, optional
        Per sentence: counts as text. Other sentences (headings and scraps shorter
        than a sentence) are neither shared nor added. All by default.

    Returns
    -------
    DataFrame
        ``coherence_a, coherence_b, story_a, story_b, opening_a, opening_b``, indexed
        like ``pairs``.
    """
    # an *entry* is one side of a pair with passages; a *row*, one sentence of an entry
    doc = sentences["doc"].to_numpy(np.int64)
    starts, ends = sentences["start"].to_numpy(np.int64), sentences["end"].to_numpy(np.int64)
    k, p = _passage_pairs(passages, pairs.index)
    with_passages = np.unique(k)
    e_pair = np.r_[with_passages, with_passages]
    e_side = np.repeat([0, 1], len(with_passages))
    e_doc = np.r_[pairs["ai"].to_numpy(np.int64)[with_passages],
                  pairs["bi"].to_numpy(np.int64)[with_passages]]
    n_docs = max(int(doc.max()) if len(doc) else -1, int(e_doc.max()) if len(e_doc) else -1)
    first = np.searchsorted(doc, np.arange(n_docs + 2))  # each document's first sentence
    count = np.diff(first)[e_doc]
    offset = np.cumsum(count) - count  # each entry's first row
    entry = np.repeat(np.arange(len(e_doc)), count)
    sent = _ranges(first[e_doc], count)  # each row's sentence
    keep = (np.ones(len(sent), dtype=bool) if eligible is None
            else np.asarray(eligible, dtype=bool)[sent])
    # each passage spans one entry per side
    owner = np.searchsorted(with_passages, k)
    owner = np.r_[owner, owner + len(with_passages)]
    spans = np.r_[passages[["a_start", "a_end"]].to_numpy(np.int64)[p],
                  passages[["b_start", "b_end"]].to_numpy(np.int64)[p]]
    inside = _inside(starts, ends, sent, offset[owner], count[owner], spans)
    added, shared = keep & ~inside, keep & inside
    n_keep, n_added, n_shared = (np.bincount(entry, weights=m, minlength=len(e_doc))
                                 for m in (keep, added, shared))
    seen = np.r_[0, np.cumsum(shared)]
    lead = added & (seen[1:] == np.repeat(seen[offset], count))  # above the first shared
    n_lead = np.bincount(entry, weights=lead, minlength=len(e_doc))
    need = np.repeat(n_shared, count) - shared  # shared sentences other than the row's own
    todo = n_shared > 0
    best = _best_fits(sp.csr_matrix(vectors), first, e_doc[todo], offset[todo], keep, shared,
                      need)
    fit_added = np.bincount(entry, weights=np.where(added, best, 0.0), minlength=len(e_doc))
    fit_story = np.bincount(entry, weights=np.where(shared, best, 0.0), minlength=len(e_doc))
    fits = np.full((3, 2, len(pairs)), np.nan)  # coherence, story, opening by side, pair
    fits[2] = 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        fits[0, e_side, e_pair] = np.where((n_shared > 0) & (n_added > 0),
                                           fit_added / n_added, np.nan)
        fits[1, e_side, e_pair] = np.where(n_shared > 1, fit_story / n_shared, np.nan)
        fits[2, e_side, e_pair] = np.where(n_shared > 0, n_lead / n_keep, 0.0)
    return pd.DataFrame({f"{name}_{side}": fits[m, s]
                         for m, name in enumerate(("coherence", "story", "opening"))
                         for s, side in enumerate("ab")}, index=pairs.index)


def _ranges(start: np.ndarray, count: np.ndarray) -> np.ndarray:
    """``start[n], ..., start[n] + count[n] - 1`` for each ``n``, one after another."""
    return np.repeat(start - (np.cumsum(count) - count), count) + np.arange(count.sum())


def _passage_pairs(passages: pd.DataFrame, index: pd.Index) -> tuple[np.ndarray, np.ndarray]:
    """For each passage of a pair in ``index``: the pair's position and the passage's."""
    link = pd.DataFrame({"pair": passages["pair"].to_numpy(), "p": np.arange(len(passages))}
                        ).merge(pd.DataFrame({"pair": index.to_numpy(),
                                              "k": np.arange(len(index))}), on="pair")
    return link["k"].to_numpy(np.int64), link["p"].to_numpy(np.int64)


def _inside(starts: np.ndarray, ends: np.ndarray, sent: np.ndarray, offset: np.ndarray,
            count: np.ndarray, spans: np.ndarray) -> np.ndarray:
    """Per row, whether the spans over its rows (``spans[n]`` over rows ``offset[n]``
    onwards, ``count[n]`` of them) cover at least half of its sentence, overlaps added."""
    rows = _ranges(offset, count)
    at = sent[rows]
    over = np.clip(np.minimum(ends[at], np.repeat(spans[:, 1], count))
                   - np.maximum(starts[at], np.repeat(spans[:, 0], count)), 0, None)
    covered = np.bincount(rows, weights=over, minlength=len(sent))
    return covered >= 0.5 * np.maximum(ends[sent] - starts[sent], 1)


def _best_fits(vectors: sp.csr_matrix, first: np.ndarray, e_doc: np.ndarray,
               offset: np.ndarray, keep: np.ndarray, shared: np.ndarray, need: np.ndarray
               ) -> np.ndarray:
    """Per row of the entries given (document, first row): its best cosine with another
    sentence its entry shares, counting 0 for any not stored (``need`` to compare with)."""
    best = np.zeros(len(keep))
    todo = np.argsort(e_doc, kind="stable")  # the entries, by document
    docs, at, uses = np.unique(e_doc[todo], return_index=True, return_counts=True)
    own, row_at, col_at = _term_columns(vectors, first, docs)
    weight = np.diff(row_at) ** 2 * uses  # sentence pairs to expand, at most
    batch = (np.cumsum(weight) - weight) // _SENTENCE_PAIRS_AT_ONCE
    edges = np.r_[0, np.flatnonzero(np.diff(batch)) + 1, len(docs)]
    at = np.r_[at, len(todo)]
    for lo, hi in pairwise(edges):  # batches of documents
        i, j, x, bounds = _doc_cosines(own, row_at[lo:hi + 1], col_at[lo], col_at[hi])
        ents = todo[at[lo]:at[hi]]
        stored = np.diff(bounds)[np.repeat(np.arange(hi - lo), uses[lo:hi])]
        t = _ranges(np.repeat(bounds[:-1], uses[lo:hi]), stored)  # each entry's cosines
        base = np.repeat(offset[ents], stored)
        row, col = base + i[t], base + j[t]
        use = keep[row] & shared[col]
        row, x = row[use], x[t[use]]
        if not len(row):
            continue
        run = np.flatnonzero(np.r_[True, row[1:] != row[:-1]])  # rows come in runs
        top, n = np.maximum.reduceat(x, run), np.diff(np.r_[run, len(row)])
        row = row[run]
        best[row] = np.where(n < need[row], np.maximum(top, 0.0), top)
    return best


def _term_columns(vectors: sp.csr_matrix, first: np.ndarray, docs: np.ndarray
                  ) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    """The sentences of ``docs`` in turn over a column per term and document using it
    in two of them or more, by document; where each document's rows and columns begin.

    Sentences of different documents then share no column (a product of the whole
    matrix would pair them all), and a term of only one sentence adds nothing but to
    the sentence's cosine with itself.
    """
    size = first[docs + 1] - first[docs]
    by_term = vectors[_ranges(first[docs], size)].tocsc()  # a term's rows by document
    by_term.sort_indices()
    owner = np.repeat(np.arange(len(docs)), size)[by_term.indices]
    opens = np.ones(len(owner), dtype=bool)  # a new (term, document) column
    opens[1:] = owner[1:] != owner[:-1]
    opens[by_term.indptr[:-1][np.diff(by_term.indptr) > 0]] = True  # a term's first
    start = np.flatnonzero(opens)
    used = np.diff(np.r_[start, len(opens)])
    start, used = start[used > 1], used[used > 1]
    order = np.argsort(owner[start], kind="stable")
    take = _ranges(start[order], used[order])
    own = sp.csc_matrix((by_term.data[take].astype(np.float64), by_term.indices[take],
                         np.r_[0, np.cumsum(used[order])]), shape=(size.sum(), len(order)))
    col_at = np.searchsorted(owner[start[order]], np.arange(len(docs) + 1))
    return own.tocsr(), np.r_[0, np.cumsum(size)], col_at


def _doc_cosines(own: sp.csr_matrix, row_at: np.ndarray, c0: int, c1: int
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Stored cosines between two sentences of the same document, for the documents
    whose rows of ``own`` begin at ``row_at`` (its last: their end) and columns fill
    ``c0:c1``: rows and columns within the document, values, where each document's begin."""
    part = own[row_at[0]:row_at[-1]]
    part = sp.csr_matrix((part.data, part.indices - c0, part.indptr), shape=(part.shape[0],
                                                                             c1 - c0))
    sims = part @ part.T
    i = np.repeat(np.arange(sims.shape[0]), np.diff(sims.indptr))
    off = i != sims.indices
    i, j, x = i[off], sims.indices[off], sims.data[off]
    begin = row_at - row_at[0]
    bounds = np.searchsorted(i, begin)
    shift = np.repeat(begin[:-1], np.diff(bounds))
    return i - shift, j - shift, x, bounds


def doubted_dates(documents: pd.DataFrame) -> np.ndarray:
    """True for each document whose date :func:`trusted_times` sets aside: one far
    from the rest of its family's, more likely a wrong date than a late copy.

    ``documents`` needs ``published`` and ``family`` (by row); without them nothing
    is doubted.
    """
    if not {"published", "family"} <= set(documents.columns):
        return np.zeros(len(documents), dtype=bool)
    when = pd.to_datetime(documents["published"], utc=True).reset_index(drop=True)
    trusted = trusted_times(when, documents["family"].reset_index(drop=True))
    return when.notna().to_numpy() & trusted.isna().to_numpy()


def trusted_times(published: pd.Series, family: pd.Series, *, min_gap_hours: float = 48.0
                  ) -> pd.Series:
    """Publication times with each family's outliers set to NaT.

    Copies of one story appear within hours or days of each other. A date far from
    the rest of its family (more than ``min_gap_hours`` and more than three median
    absolute deviations from the family's median) is more likely a wrong date in the
    feed than a copy made weeks later, so it is not used as evidence of direction.

    Parameters
    ----------
    published : Series of datetime64[ns, UTC]
        By document position.
    family : Series of Int64
        Family id by document position (``<NA>`` outside families).

    Returns
    -------
    Series of datetime64[ns, UTC]
    """
    out = published.copy()
    frame = pd.DataFrame({"t": published, "f": family})
    frame = frame[frame["f"].notna() & frame["t"].notna()]
    if frame.empty:
        return out
    median = frame.groupby("f")["t"].transform("median")
    hours = (frame["t"] - median).abs() / pd.Timedelta(hours=1)
    mad = hours.groupby(frame["f"]).transform("median")
    outlier = (hours > min_gap_hours) & (hours > 3 * mad)
    out.loc[outlier[outlier].index] = pd.NaT
    return out


def variant_support(shingles: list[np.ndarray], pairs: pd.DataFrame, family: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray]:
    """For each pair, the share of what each side has and the other lacks that third
    members of the family also have.

    Where a copy rewords, inserts or cuts, its new wording is its own (and its
    copies'); the source's wording at the same places is what the source's other
    copies and its own source keep. Counted over word shingles, so a single changed
    word counts, which passage-level sharing (:func:`exclusive_shares`) cannot see.
    One pass of sorting over all pairs' shingles (no loop over pairs).

    Parameters
    ----------
    shingles : list of ndarray of uint32
        Distinct evidence shingles per document (by position).
    pairs : DataFrame
        Columns ``ai, bi`` (document positions), both in the same family.
    family : ndarray of int64
        Family id per document position.

    Returns
    -------
    (ndarray, ndarray)
        ``support_a`` and ``support_b`` in [0, 1] (NaN where a side has nothing the
        other lacks), aligned with ``pairs``.
    """
    ai, bi = pairs["ai"].to_numpy(np.int64), pairs["bi"].to_numpy(np.int64)
    n = len(pairs)
    if n == 0:
        return np.empty(0), np.empty(0)
    sets = ShingleSets(shingles)
    # how many members of each family carry each shingle
    members = np.unique(np.concatenate([ai, bi]))
    fam_keys, fam_counts = np.unique(sets.tagged(members, family[members].astype(np.int64)),
                                     return_counts=True)
    # each side's keys once, sorted, tagged with the pair each belongs to
    keys = {side: sets.tagged(docs, np.arange(n, dtype=np.int64))
            for side, docs in (("a", ai), ("b", bi))}
    out = []
    for me, you, own in (("a", "b", ai), ("b", "a", bi)):
        own_keys = keys[me]
        # membership by binary search in the sorted other side
        extra = ~in_sorted(own_keys, keys[you])
        shingle = own_keys[extra] & 0xFFFFFFFF
        mine = own_keys[extra] >> 32
        fam = family[own][mine].astype(np.int64)
        df = fam_counts[np.searchsorted(fam_keys, (fam << 32) | shingle)]
        total = np.bincount(mine, minlength=n).astype(np.float64)
        shared = np.bincount(mine, weights=(df >= 2), minlength=n)
        with np.errstate(invalid="ignore", divide="ignore"):
            out.append(np.where(total > 0, shared / total, np.nan))
    return out[0], out[1]
