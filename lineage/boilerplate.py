"""Boilerplate: text an outlet repeats across its articles (bylines, footers, blurbs).

Following passim, boilerplate is found from the corpus itself: a sentence (compared
after NFKC, case folding and collapsing digits and white space) that appears in at
least ``min_docs`` articles of the same outlet (``source``), beside at least
``min_docs`` different stories (articles with different leads: an outlet that runs
one wire story three times is not repeating boilerplate), is that outlet's
boilerplate. Such sentences are left out of every piece of evidence (shingles,
TF-IDF, sentence matches), so two articles that share only boilerplate are not reuse.
A sentence found to be one outlet's boilerplate is boilerplate wherever it appears
(generic lines such as "Follow us on ..." recur in small outlets and unsourced
texts too). Otherwise articles without a ``source`` are never marked: without an
outlet, a sentence shared by many articles is as likely to be wire copy as
boilerplate.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import regex

from lineage.normalize import normalize_text
from lineage.schema import require_columns

__all__ = [
    "boilerplate_spans",
    "evidence_shingles",
    "find_boilerplate",
    "mask_tokens",
    "spans_by_doc",
    "strip_boilerplate",
]

_DIGITS = regex.compile(r"\d+")
_SPACE = regex.compile(r"\s+")


def find_boilerplate(
    sentences: pd.DataFrame, texts: list[str], sources: pd.Series, *, min_docs: int = 3
) -> np.ndarray:
    """Mark each sentence that is its outlet's boilerplate.

    Parameters
    ----------
    sentences : DataFrame
        From :func:`lineage.normalize.sentence_table` (``doc, start, end``).
    texts : list of str
        Document texts by position.
    sources : Series of str
        The outlet of each document, by position ("" when unknown).
    min_docs : int, default 3
        Articles of one outlet that must carry the sentence.

    Returns
    -------
    ndarray of bool, shape (len(sentences),)
    """
    require_columns(sentences, ("doc", "start", "end"), table="sentences")
    if sentences.empty:
        return np.zeros(0, dtype=bool)
    doc = sentences["doc"].to_numpy()
    outlet_names = sources.fillna("").astype(str).str.strip().str.casefold().to_numpy()
    outlet = pd.factorize(outlet_names)[0][doc]
    named = (outlet_names != "")[doc]
    # sentences as dense integer codes (a 64-bit hash of the normalised sentence,
    # then factorised): a copy of every sentence as a string key, grouped by pandas,
    # was the largest memory peak of a large run
    key = pd.factorize(np.fromiter(
        (_key_hash(texts[d][s:e]) for d, s, e in
         zip(doc, sentences["start"].to_numpy(), sentences["end"].to_numpy(), strict=True)),
        dtype=np.uint64, count=len(doc)))[0]
    frame = pd.DataFrame({"outlet": outlet, "key": key, "doc": doc})
    spread = frame.groupby(["outlet", "key"])["doc"].transform("nunique").to_numpy()
    candidate = named & (spread >= min_docs)
    if not candidate.any():
        return candidate
    # Copies of one story in one outlet repeat its sentences too, so a sentence must
    # also stand beside different stories, told apart by their leads. A lead is a
    # document's first sentence that is not a "hub": a repeated sentence followed (or
    # preceded) by different sentences in different articles (a byline, a footer) or
    # only ever next to hubs (a block of them). Copies of one story keep its order, so
    # its sentences are not hubs and all its copies get the same lead.
    hub = _hubs(frame.assign(candidate=candidate), min_docs)
    lead = frame[~hub].groupby("doc")["key"].first()
    frame["lead"] = frame["doc"].map(lead).fillna(-1)
    stories = frame.groupby(["outlet", "key"])["lead"].transform("nunique").to_numpy()
    marked = candidate & (stories >= min_docs)
    # a sentence that is boilerplate for one outlet is boilerplate wherever it appears
    # (a generic "Follow us on ..." line in a small outlet, or in an unsourced text)
    return np.isin(key, np.unique(key[marked]))


def _key_hash(sentence: str) -> int:
    """64-bit hash of a sentence compared as boilerplate (NFKC, case folded, digits
    collapsed to 0, white space to one space)."""
    key = _SPACE.sub(" ", _DIGITS.sub("0", normalize_text(sentence)))
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(),
                          "little")


def _hubs(frame: pd.DataFrame, min_docs: int, rounds: int = 3) -> np.ndarray:
    """Per sentence row: a repeated sentence whose neighbours vary (see find_boilerplate)."""
    doc = frame["doc"].to_numpy()
    same_prev = np.r_[False, doc[1:] == doc[:-1]]
    same_next = np.r_[doc[:-1] == doc[1:], False]
    keys = frame["key"].to_numpy()
    # a text's start and end are not neighbours: copies are cut at different points
    # (missing neighbours are NaN, which nunique leaves out; codes are exact in float)
    prev_key = pd.Series(np.where(same_prev, np.roll(keys, 1), np.nan))
    next_key = pd.Series(np.where(same_next, np.roll(keys, -1), np.nan))
    groups = [frame["outlet"], frame["key"]]
    varied = ((prev_key.groupby(groups).transform("nunique").to_numpy() >= min_docs)
              | (next_key.groupby(groups).transform("nunique").to_numpy() >= min_docs))
    candidate = frame["candidate"].to_numpy()
    hub = candidate & varied
    for _ in range(rounds):  # a sentence always beside hubs belongs to their block
        prev_hub = same_prev & np.roll(hub, 1)
        next_hub = same_next & np.roll(hub, -1)
        beside = (pd.Series(prev_hub).groupby(groups).transform("all").to_numpy()
                  | pd.Series(next_hub).groupby(groups).transform("all").to_numpy())
        grown = hub | (candidate & beside)
        if (grown == hub).all():
            break
        hub = grown
    return hub


def spans_by_doc(sentences: pd.DataFrame, n_docs: int) -> list[np.ndarray]:
    """``[start, end)`` spans of the given sentence rows, grouped by document position."""
    doc = sentences["doc"].to_numpy(dtype=np.int64)
    order = np.argsort(doc, kind="stable")
    spans = sentences[["start", "end"]].to_numpy(dtype=np.int64)[order]
    cuts = np.searchsorted(doc[order], np.arange(1, n_docs))
    return [np.array(part) for part in np.split(spans, cuts)] if n_docs else []


def boilerplate_spans(texts: list[str], sources: pd.Series, *, min_docs: int = 3
                      ) -> list[np.ndarray]:
    """Each document's boilerplate spans, shape (k, 2), found over the whole corpus.

    The same spans the local pipeline leaves out of the evidence; engines that sketch
    elsewhere (Spark executors) take them from here so their shingles match.
    """
    from lineage.normalize import sentence_table

    sentences = sentence_table(texts)
    boiler = find_boilerplate(sentences, texts, sources, min_docs=min_docs)
    return spans_by_doc(sentences[boiler], len(texts))


def evidence_shingles(tokens, spans: np.ndarray, config) -> tuple[np.ndarray, np.ndarray,
                                                                   np.ndarray]:
    """Shingles of one text outside its boilerplate ``spans``.

    Returns
    -------
    positional : ndarray of uint32
        :func:`lineage.shingle.positional_shingles` of the whole text.
    skip : ndarray of bool
        Shingle positions that start inside boilerplate.
    shingles : ndarray of uint32
        Distinct shingles outside boilerplate (what MinHash and Jaccard see).
    """
    from lineage.shingle import positional_shingles

    positional = positional_shingles(tokens, config)
    skip = mask_tokens(tokens.starts, spans)[: len(positional)]
    return positional, skip, np.unique(positional[~skip])


def mask_tokens(token_starts: np.ndarray, spans: np.ndarray) -> np.ndarray:
    """True for each token whose start lies inside one of ``spans`` (shape (k, 2))."""
    if len(spans) == 0 or len(token_starts) == 0:
        return np.zeros(len(token_starts), dtype=bool)
    spans = spans[np.argsort(spans[:, 0])]
    k = np.searchsorted(spans[:, 0], token_starts, side="right") - 1
    inside = k >= 0
    inside[inside] = token_starts[inside] < spans[k[inside], 1]
    return inside


def strip_boilerplate(text: str, spans: np.ndarray) -> str:
    """``text`` with the given ``[start, end)`` spans blanked out (same length)."""
    if len(spans) == 0:
        return text
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)
