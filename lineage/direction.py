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

import numpy as np
import pandas as pd
import regex
import scipy.sparse as sp

from lineage.config import TreeConfig

__all__ = [
    "TERMS",
    "addition_coherence",
    "direction_scores",
    "direction_terms",
    "doubted_dates",
    "exclusive_shares",
    "explain_direction",
    "is_wire",
    "likely_sources",
    "relative_difference",
    "staleness",
    "story_weight",
    "trusted_times",
    "variant_support",
]

_WIRE_BONUS = 0.3
_PUNCT = regex.compile(r"[^\w\p{M}\s-]")
#: Scripts written without spaces between words (wire names matched as substrings).
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_TIME_SCALE = 3600.0
_UNKNOWN = 0.1


def is_wire(sources: pd.Series, config: TreeConfig) -> np.ndarray:
    """True where the outlet name matches a wire service (whole words, case-insensitive;
    a name given as ``^name`` only as the outlet's first word)."""
    # punctuation becomes space; letters and their combining marks (Devanagari,
    # Arabic vowel signs) stay
    names = pd.Series([_PUNCT.sub(" ", str(x).casefold()).strip() for x in sources.fillna("")],
                      index=sources.index, dtype=object)
    hit = np.zeros(len(names), dtype=bool)
    for wire in config.wire_sources:
        first = wire.startswith("^")  # only as the name's first word
        name = re.escape(wire.removeprefix("^").casefold())
        if _UNSPACED.search(wire):  # written without spaces: any occurrence
            pattern = name
        else:
            start = "^" if first else r"(?:^|[\s-])"
            pattern = start + name + r"(?:[\s-]|$)"
        hit |= names.str.contains(pattern, regex=True).to_numpy()
    return hit


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
TERMS = ("text", "time", "outlet", "family", "support", "additions", "opening")


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
    times = published.to_numpy()
    ta, tb = times[ai], times[bi]
    known = ~(pd.isna(ta) | pd.isna(tb))
    order = np.zeros(len(pairs))
    gap = (tb[known] - ta[known]).astype("timedelta64[s]").astype(np.float64)
    order[known] = (np.sign(gap) * (1.0 - np.exp(-np.abs(gap) / _TIME_SCALE))
                    * staleness(gap, config.stale_after_hours))
    outlet = _WIRE_BONUS * (wire[ai].astype(float) - wire[bi].astype(float))
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
                         "family": family, "support": support, "additions": adds,
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
    doc = sentences["doc"].to_numpy()
    first = np.searchsorted(doc, np.arange(doc.max() + 2 if len(doc) else 1))
    starts, ends = sentences["start"].to_numpy(), sentences["end"].to_numpy()
    vectors = sp.csr_matrix(vectors)
    grouped = dict(zip(*_group_rows(passages["pair"].to_numpy()), strict=True))
    spans = {side: passages[[f"{side}_start", f"{side}_end"]].to_numpy() for side in "ab"}
    sims: dict[int, np.ndarray] = {}  # per document: its sentences' cosines, computed once
    out_a, out_b = np.full(len(pairs), np.nan), np.full(len(pairs), np.nan)
    story_a, story_b = np.full(len(pairs), np.nan), np.full(len(pairs), np.nan)
    opening_a, opening_b = np.zeros(len(pairs)), np.zeros(len(pairs))
    for n, (row, ai, bi) in enumerate(zip(pairs.index, pairs["ai"], pairs["bi"], strict=True)):
        rows = grouped.get(row)
        if rows is None:
            continue
        for side, d, out, story, opening in (("a", ai, out_a, story_a, opening_a),
                                             ("b", bi, out_b, story_b, opening_b)):
            lo, hi = first[d], first[d + 1]
            keep = np.ones(hi - lo, dtype=bool) if eligible is None else eligible[lo:hi]
            inside = _covered(starts[lo:hi], ends[lo:hi], spans[side][rows])
            added, shared = keep & ~inside, keep & inside
            if not shared.any():
                continue
            if d not in sims:
                sims[d] = _within(vectors, lo, hi)
            if added.any():
                out[n] = float(sims[d][added][:, shared].max(axis=1).mean())
            story[n] = _self_fit(sims[d][shared][:, shared])
            opening[n] = (added & (np.cumsum(shared) == 0)).sum() / keep.sum()
    return pd.DataFrame({"coherence_a": out_a, "coherence_b": out_b, "story_a": story_a,
                         "story_b": story_b, "opening_a": opening_a, "opening_b": opening_b},
                        index=pairs.index)


def _self_fit(sims: np.ndarray) -> float:
    """Mean over a document's sentences of the best cosine with another of them (NaN
    for a single sentence)."""
    if len(sims) < 2:
        return np.nan
    other = sims.copy()
    np.fill_diagonal(other, -np.inf)
    return float(other.max(axis=1).mean())


def _group_rows(keys: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """Distinct ``keys`` and, for each, the positions holding it."""
    order = np.argsort(keys, kind="stable")
    uniq, first = np.unique(keys[order], return_index=True)
    return uniq, (np.split(order, first[1:]) if len(uniq) else [])


def _within(vectors: sp.csr_matrix, lo: int, hi: int) -> np.ndarray:
    """Cosines among rows ``lo:hi`` (one document's sentences), dense, over only the
    columns those rows use (a transpose of the whole matrix would scan every term)."""
    block = vectors[lo:hi]
    cols, inverse = np.unique(block.indices, return_inverse=True)
    dense = np.zeros((hi - lo, len(cols)), dtype=np.float64)
    dense[np.repeat(np.arange(hi - lo), np.diff(block.indptr)), inverse.ravel()] = block.data
    return dense @ dense.T


def _covered(starts: np.ndarray, ends: np.ndarray, spans: np.ndarray) -> np.ndarray:
    over = np.clip(np.minimum(ends[:, None], spans[None, :, 1])
                   - np.maximum(starts[:, None], spans[None, :, 0]), 0, None).sum(axis=1)
    return over >= 0.5 * np.maximum(ends - starts, 1)


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
    sizes = np.fromiter((len(x) for x in shingles), dtype=np.int64, count=len(shingles))
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    flat = np.concatenate(shingles).astype(np.int64) if len(shingles) else np.empty(0, np.int64)

    def spread(docs: np.ndarray, tag: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(tag << 32 | shingle) for every shingle of every doc in ``docs``."""
        counts = sizes[docs]
        idx = np.repeat(offsets[docs] - np.concatenate([[0], np.cumsum(counts)[:-1]]),
                        counts) + np.arange(counts.sum())
        return np.repeat(tag, counts), (np.repeat(tag, counts) << 32) | flat[idx]

    # how many members of each family carry each shingle
    members = np.unique(np.concatenate([ai, bi]))
    _, fam_keys = spread(members, family[members].astype(np.int64))
    fam_keys, fam_counts = np.unique(fam_keys, return_counts=True)
    out = []
    for own, other in ((ai, bi), (bi, ai)):
        pair_of, own_keys = spread(own, np.arange(n, dtype=np.int64))
        _, other_keys = spread(other, np.arange(n, dtype=np.int64))
        extra = ~np.isin(own_keys, other_keys)
        shingle = own_keys[extra] & 0xFFFFFFFF
        fam = family[own][pair_of[extra]].astype(np.int64)
        df = fam_counts[np.searchsorted(fam_keys, (fam << 32) | shingle)]
        total = np.bincount(pair_of[extra], minlength=n).astype(np.float64)
        shared = np.bincount(pair_of[extra], weights=(df >= 2), minlength=n)
        with np.errstate(invalid="ignore", divide="ignore"):
            out.append(np.where(total > 0, shared / total, np.nan))
    return out[0], out[1]
