"""Settings: small frozen dataclasses, one per stage, gathered in :class:`Config`.

Every threshold lineage uses lives here, documented, so that a run is described
completely by its ``Config`` (written into ``summary.json``) and can be repeated.
A TOML file with the same section and field names overrides the defaults::

    seed = 7
    [sketch]
    num_perm = 256
    [relation]
    wholly_coverage = 0.75
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lineage.errors import LineageError

__all__ = [
    "CandidateConfig",
    "Config",
    "RelationConfig",
    "SentenceConfig",
    "ShingleConfig",
    "SketchConfig",
    "StoryConfig",
    "TreeConfig",
    "load_config",
]


@dataclass(frozen=True)
class ShingleConfig:
    """Word n-gram shingles for the verbatim level.

    Attributes
    ----------
    size : int
        Tokens per shingle (5). In scripts written without spaces (Chinese,
        Japanese, Thai) a token is one character, so ``cjk_size`` is used instead.
    cjk_size : int
        Characters per shingle for texts that are mostly unspaced scripts (8).
    """

    size: int = 5
    cjk_size: int = 8


@dataclass(frozen=True)
class SketchConfig:
    """MinHash signatures and banded LSH for verbatim candidates.

    Attributes
    ----------
    num_perm : int
        Permutations per signature (128).
    threshold : float
        Jaccard similarity the LSH bands are tuned to catch (0.2). Bands and rows
        are derived from it, never set by hand. Lower catches more partial copies
        by their shingles alone, but the pairs colliding by chance grow with the
        square of the corpus (at 0.1, 520k candidate pairs on 100k generated
        articles); partial copies also reach the candidates through the rare-term
        TF-IDF route.
    """

    num_perm: int = 128
    threshold: float = 0.2


@dataclass(frozen=True)
class CandidateConfig:
    """Paraphrase candidates: TF-IDF neighbours found by blocking on rare terms.

    Attributes
    ----------
    block_terms : int
        How many of a document's highest-weighted terms it is indexed under (24).
    max_block_df : int
        A term shared by more documents than this is too common to block on (200).
    min_shared_terms : int
        Documents must share at least this many blocking terms to be compared (2).
    neighbours : int
        Keep at most this many TF-IDF neighbours per document (20).
    min_cosine : float
        Word TF-IDF cosine below which a blocked pair is dropped (0.1).
    fingerprint_sample : int
        Documents are also blocked on about one in this many of their word shingles
        (8; chosen by hash value, as passim and winnowing do), so a copy that took a
        few paragraphs into a longer text of its own meets its source even when
        their top terms differ. 0 turns this off.
    max_partners : int
        A scored pair is kept only when it is among the ``max_partners`` (30)
        partners that hold most of either of its documents verbatim (shingle
        containment; equal holders go to a wire service, then the earliest
        published) or among either's ``max_partners`` nearest by word TF-IDF cosine
        (rewritten copies). A wire story run by N papers is then about
        ``N x max_partners`` pairs to align, not ``N**2 / 2``, and each copy keeps its
        source among them. Only stories with more copies than that lose pairs:
        ``pairs.csv`` lists each copy's strongest partners, not every two copies of
        the story. 0 keeps every scored pair.
    """

    block_terms: int = 24
    max_block_df: int = 200
    min_shared_terms: int = 2
    neighbours: int = 20
    min_cosine: float = 0.1
    fingerprint_sample: int = 8
    max_partners: int = 30


@dataclass(frozen=True)
class SentenceConfig:
    """Sentence-level matching (the paraphrase evidence and the passages).

    Attributes
    ----------
    rewritten : float
        Sentence similarity (mean of word and character TF-IDF cosine) at or above
        which two sentences count as the same copy rewritten (0.3). Loose on purpose:
        a single loose match proves nothing; the relation needs many of them
        (see :class:`RelationConfig`).
    verbatim : float
        Similarity at or above which they count as verbatim (0.9).
    min_chars : int
        Sentences shorter than this (headings, datelines) are not matched alone (20).
    verbatim_min_tokens : int
        Shortest verbatim passage found by token alignment, in tokens (8).
    verbatim_gap : int
        Tokens of small edits bridged inside a verbatim passage (3).
    """

    rewritten: float = 0.3
    verbatim: float = 0.9
    min_chars: int = 20
    verbatim_min_tokens: int = 8
    verbatim_gap: int = 3


@dataclass(frozen=True)
class RelationConfig:
    """Thresholds that turn scores into a relation label.

    Attributes
    ----------
    duplicate_coverage : float
        Both texts covered at least this much by shared passages -> ``duplicate`` (0.9).
    wholly_coverage : float
        The more-covered text covered at least this much, by a verbatim passage or
        ``min_sentences`` matched sentences -> ``wholly-derived`` (0.6).
    partial_coverage : float
        The more-covered text covered at least this much, with ``min_sentences``
        matched sentences -> ``partially-derived`` (0.2).
    min_sentences : int
        Matched sentences needed for ``partially-derived``, and for
        ``wholly-derived`` without a verbatim passage (3).
    min_verbatim_words : int
        A verbatim run of at least this many words is reuse by itself (25).
    same_story_cosine : float
        Word TF-IDF cosine at or above which a non-reuse pair is ``same-story`` (0.1).
    """

    duplicate_coverage: float = 0.9
    wholly_coverage: float = 0.6
    partial_coverage: float = 0.2
    min_sentences: int = 3
    min_verbatim_words: int = 25
    same_story_cosine: float = 0.1


@dataclass(frozen=True)
class TreeConfig:
    """Direction and parent choice.

    Attributes
    ----------
    time_weight : float
        Weight of publication order in the direction score (0.5); text evidence
        weighs 1.
    credit_weight : float
        Weight of a credit (0.5): one side names the other's outlet ("(Reuters)",
        "AFP reported") and not the other way round.
    family_weight : float
        Weight of family evidence: what each side shares with third articles that
        the other lacks (0.3).
    addition_weight : float
        Weight of how well what each side adds fits the shared story (0.4): a
        source's extra text is the rest of the story, a copy's additions are local.
        The two sides' fits are compared relative to each other,
        ``(a - b) / (a + b)``, since sentence cosines are small and their scale
        varies with language and vocabulary.
    support_weight : float
        Weight of variant support (0.3): of the wording each side has and the other
        lacks, the share that third members of the family also carry. A source's
        wording is what its other copies keep; a copy's changes are its own.
    stale_after_hours : float
        Publication gaps longer than this (48 h) count for less as the gap grows
        (down to a quarter at four times it): copies follow their source within
        hours or days, so a gap of weeks inside a family is more likely a wrong date.
    proximity_weight : float
        Among equally faithful candidate parents, a small bonus (0.01) for the one
        published closest before the child.
    source_weight : float
        ... and a small bonus (0.03 x direction probability) for the surer source.
    sibling_coverage : float
        Two reuse partners are siblings of an unseen common source only when neither
        is covered this much by the other (0.8).
    sibling_margin : float
        ... and their direction probability is within this of 0.5 (0.08).
    max_candidate_parents : int
        The arborescence weighs each article's best candidate parents only (20, and
        the virtual root): a wire story a few hundred papers ran makes a family with a
        reuse pair between every two of them, and Edmonds' algorithm on all of them
        took minutes and gigabytes (400 papers: 80,000 pairs); a parent outside an
        article's best 20 sources is never its best choice unless a cycle forces it.
        0 weighs them all.
    parent_sharpness : float
        How sharply a parent's lead in fidelity over the article's other candidate
        sources turns into certainty (100): the parent's probability is its share of
        ``exp(parent_sharpness * score)`` (weighted by how often this corpus's clear
        copies took from the top of their tree), so an equally faithful candidate
        shares it and one 0.03 behind barely counts. A tree edge's confidence is the direction
        probability times this. Chosen for calibration on the accuracy benchmark's
        seeds 1-3 (Brier score) and checked on seeds 4-5.
    lift_tolerance : float
        A copy moves up to its parent's parent when that one is as good a source, its
        score (fidelity times direction plausibility) at most this much lower
        (0.005, less than one changed word's shingles in a copy of a few hundred
        words): the copy then took nothing from its parent that the older text lacks,
        and of equally faithful sources the more original one is likelier (older
        articles have had longer to be copied; agency copy is the common source).
        0 keeps the arborescence's choice.
    omission_margin : float
        ... unless the copy keeps at least this much less (0.1) of the older text than
        of its parent (shingle containment): it lacks what its parent dropped, a shared
        omission, the classic sign of descent from the parent.
    omission_odds : float
        How strongly a shared omission speaks for the parent (3.0, as odds): the copy
        moves up past it only when the prior odds of the older text are higher, and
        moves down from the older text to an equally faithful sibling whose omission
        it shares when they are lower. For
        the top of the tree those are the corpus's own odds that a copy took from the
        top (:func:`lineage.tree.copying_rate`: near 1 where papers ran wire copy, so
        they move up; lower in chains of copies of copies, so they stay); for another
        copy, even. A stated weight, not a fitted one.
    witness_cover : float
        The copying rate (:func:`lineage.tree.copying_rate`) also reads copies' wording
        (:func:`lineage.tree.witness_choices`): a copy against another copy and the top
        of their tree when both hold at least this share of the copy's text (0.9), so
        that what differs between them is wording, not a cut ...
    witness_min_shingles : int
        ... in at least this many shingles (3: a word changed or inserted changes about
        as many as the shingle is long), shared with one and lacking in the other ...
    witness_partners : int
        ... for each copy's most faithful partners only (8).
    agency_latent_confidence : float
        The confidence given to an article placed under an unseen common source because
        it and the family's root credit one news agency whose own copy is not in the
        corpus (at least this; more when their direction is uncertain too). A stated
        prior, not a measured one: no labelled corpus with agency credits was at hand.
    opening_weight : float
        Weight of the share of each text that stands above its first shared sentence
        (0.5): a copy adds a lead of its own, a source keeps its lead in its copies.
    wire_sources : tuple of str
        Outlets treated as likely roots (wire services and news agencies, in Latin
        and in their own scripts), matched case-insensitively as whole words of
        ``source`` (as substrings for Chinese, Japanese and Korean names, which are
        written without spaces). A name written ``^name`` counts only as the first
        word: "PA" is the Press Association in "PA" or "PA Media", but a US state in
        "Patriot-News (Harrisburg, PA)".
    """

    time_weight: float = 0.5
    credit_weight: float = 0.5
    family_weight: float = 0.3
    addition_weight: float = 0.4
    support_weight: float = 0.3
    stale_after_hours: float = 48.0
    proximity_weight: float = 0.01
    source_weight: float = 0.03
    sibling_coverage: float = 0.8
    sibling_margin: float = 0.08
    parent_sharpness: float = 100.0
    max_candidate_parents: int = 20
    lift_tolerance: float = 0.005
    omission_margin: float = 0.1
    omission_odds: float = 3.0
    witness_cover: float = 0.9
    witness_min_shingles: int = 3
    witness_partners: int = 8
    agency_latent_confidence: float = 0.75
    opening_weight: float = 0.5
    wire_sources: tuple[str, ...] = (
        # international and national news agencies, as outlets name them
        "associated press", "ap", "reuters", "afp", "agence france-presse",
        "agence france presse", "dpa", "deutsche presse-agentur", "efe", "ansa",
        "xinhua", "app", "associated press of pakistan", "pti", "press trust of india",
        "ani", "ians", "uni", "tass", "ria novosti", "interfax", "bloomberg", "kyodo",
        "jiji", "jiji press", "yonhap", "aap", "bernama", "antara", "anadolu agency",
        "pa media", "press association", "^pa", "upi", "united press international", "apa",
        "belga", "anp", "ntb", "ritzau", "ctk", "pap", "mti", "lusa", "europa press",
        "notimex", "prensa latina", "telam", "agencia brasil", "irna", "wam", "mena",
        "kuna", "qna", "sana", "ukrinform", "unian", "belta", "cna",
        "central news agency", "ppi", "pakistan press international", "nni",
        "news network international", "inp", "independent news pakistan", "bss",
        "bangladesh sangbad sangstha", "unb", "canadian press", "keystone-sda", "sda", "agi",
        "adnkronos", "agerpres", "tanjug", "tasr", "kcna", "saudi press agency", "tt", "stt",
        "hina", "bta", "wafa", "sputnik", "nzpa", "agência brasil", "agencia efe",
        "news agency", "wire service",
        # their own sites, as an outlet taken from an address reads
        "apnews", "xinhuanet", "ptinews", "kyodonews", "yonhapnews", "antaranews",
        # the same in their own scripts
        "新华社", "新華社", "新华网", "中新社", "中国新闻社", "中央社", "共同社", "共同通信",
        "時事通信",
        "연합뉴스", "ТАСС", "РИА Новости", "Интерфакс", "وكالة", "خبر رساں ادارہ",
        "اے پی پی", "پی پی آئی", "این این آئی", "رائٹرز", "اے ایف پی", "پی ٹی آئی", "पीटीआई",
        "एएनआई", "आईएएनएस", "यूएनआई", "भाषा", "समाचार एजेंसी", "रॉयटर्स", "एएफपी",
        "رويترز", "فرانس برس", "أسوشيتد برس", "ایرنا", "路透社", "法新社", "美联社", "美聯社",
        "ロイター", "로이터", "Рейтер", "Рейтерс", "Франс Пресс", "Ассошиэйтед Пресс",
        "Укрінформ", "УНІАН", "anadolu ajansı", "vietnam news agency", "ttxvn", "vna",
        "thông tấn xã việt nam", "thai news agency", "สำนักข่าวไทย",
    )


@dataclass(frozen=True)
class StoryConfig:
    """Stories: families and single articles that report one event (:mod:`lineage.story`).

    Attributes
    ----------
    min_share : float
        Two units (a family, or an article in none) are linked when at least this
        share of the article pairs across them read as the same story (0.5); pairs
        never compared count as not.
    resolution : float
        Resolution of the Louvain community step that splits chains of linked units
        (1.0; higher gives smaller stories).
    max_days : float
        Two articles published more than this many days apart (both dates known, each
        trusted as :func:`lineage.direction.trusted_times` trusts it) are no link: a
        story is an event, the same topic weeks later another story (7).
    """

    min_share: float = 0.5
    resolution: float = 1.0
    max_days: float = 7.0


@dataclass(frozen=True)
class Config:
    """All settings of a run. Results are deterministic for a given ``seed``.

    ``boilerplate_min_docs``: a sentence in this many articles of one outlet is that
    outlet's boilerplate and is left out of the evidence (3).
    ``boilerplate_max_changed``: sentences of one length that differ in at most this
    share of their characters, plus one, count as one sentence there, so that a footer garbled
    differently in each article (OCR, retyping) is still found (0.1; 0 compares
    sentences exactly). Scanned archives need it and nothing tells a run that its text
    was scanned, so it is on by default: it leaves every figure of the clean accuracy
    benchmark unchanged and costs little (20,000 articles: 72.2 / 63.1 s end to end
    against 76.3 / 72.4 s exact, noise of a shared machine); a story sentence with one
    word swapped for another of the same length can then count as that sentence.
    """

    seed: int = 1
    boilerplate_min_docs: int = 3
    boilerplate_max_changed: float = 0.1
    shingle: ShingleConfig = field(default_factory=ShingleConfig)
    sketch: SketchConfig = field(default_factory=SketchConfig)
    candidates: CandidateConfig = field(default_factory=CandidateConfig)
    sentences: SentenceConfig = field(default_factory=SentenceConfig)
    relation: RelationConfig = field(default_factory=RelationConfig)
    tree: TreeConfig = field(default_factory=TreeConfig)
    story: StoryConfig = field(default_factory=StoryConfig)

    def to_dict(self) -> dict[str, Any]:
        """The settings as plain nested dicts (for ``summary.json``)."""
        return dataclasses.asdict(self)


def _same_kind(default: Any, value: Any) -> bool:
    if isinstance(value, bool) != isinstance(default, bool):
        return False
    if isinstance(default, float):
        return isinstance(value, int | float)
    return isinstance(value, type(default))


def _build(cls: type, values: dict[str, Any], where: str) -> Any:
    known = {f.name: f for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        if key not in known:
            raise LineageError(f"{where}: unknown setting {key!r}")
        default = getattr(cls(), key)
        if dataclasses.is_dataclass(default):
            if not isinstance(value, dict):
                raise LineageError(f"{where}: [{key}] must be a table")
            kwargs[key] = _build(type(default), value, f"{where} [{key}]")
        elif isinstance(default, tuple):
            if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
                raise LineageError(f"{where}: {key} must be a list of strings, got {value!r}")
            kwargs[key] = tuple(value)
        elif not _same_kind(default, value):
            raise LineageError(f"{where}: {key} must be {type(default).__name__}, got {value!r}")
        else:
            kwargs[key] = type(default)(value)
            if not isinstance(value, bool):
                _check_range(key, kwargs[key], where)
    return cls(**kwargs)


#: Settings with bounds of their own (inclusive); every other number is finite and >= 0.
_RANGES: dict[str, tuple[float, float]] = {
    "seed": (0, 2**32 - 1),  # numpy's and datasketch's seeds
    "num_perm": (1, 2**16),
    "threshold": (1e-6, 1.0),
}


def _check_range(key: str, value: Any, where: str) -> None:
    if not isinstance(value, int | float):
        return
    low, high = _RANGES.get(key, (0, math.inf))
    if not math.isfinite(value) or not low <= value <= high:
        bound = f"from {low} to {high}" if math.isfinite(high) else f"at least {low}"
        raise LineageError(f"{where}: {key} must be a number {bound}, got {value!r}")


def load_config(path: str | Path | None = None, **overrides: Any) -> Config:
    """Read a :class:`Config` from a TOML file, then apply keyword overrides.

    Parameters
    ----------
    path : str or Path, optional
        A TOML file whose tables and keys mirror :class:`Config`.
    **overrides
        Top-level fields (``seed=3``) or whole sections.

    Raises
    ------
    LineageError
        When the file is missing, is not TOML, or names an unknown setting.
    """
    values: dict[str, Any] = {}
    if path is not None:
        path = Path(path)
        try:
            values = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise LineageError(f"{path}: config file does not exist") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise LineageError(f"{path}: not a valid TOML file ({exc})") from None
    values.update(overrides)
    return _build(Config, values, str(path) if path else "config")
