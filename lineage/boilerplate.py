"""Boilerplate: text an outlet repeats across its articles (bylines, footers, blurbs).

Following passim, boilerplate is found from the corpus itself: a sentence (compared
after NFKC, case folding and collapsing digits and white space) that appears in at
least ``min_docs`` articles of the same outlet (``source``), as part of a block
that stands beside different text in different articles (a byline, a sign-off, a
footer), beside at least ``min_docs`` different stories (articles with different
leads), is that outlet's boilerplate. An outlet's runs of one story are not: trimmed
or edited runs keep the story's order (an edited sentence is the same sentence), and
a block that is most of the articles it stands in is the story itself (an agency's
"UPDATE 1", "UPDATE 2" under new leads). Such sentences are left out of every piece
of evidence (shingles, TF-IDF, sentence matches), so two articles that share only
boilerplate are not reuse.
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
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from lineage.normalize import normalize_text
from lineage.schema import require_columns

__all__ = [
    "boilerplate_spans",
    "evidence_shingles",
    "find_boilerplate",
    "mask_tokens",
    "sentence_groups",
    "shingle_skips",
    "spans_by_doc",
    "strip_boilerplate",
]

_DIGITS = regex.compile(r"\d+")
_SPACE = regex.compile(r"\s+")


def find_boilerplate(
    sentences: pd.DataFrame, texts: list[str], sources: pd.Series, *, min_docs: int = 3,
    max_changed: float = 0.0, seed: int = 1,
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
    max_changed : float, default 0.0
        Sentences of one length that differ in at most this share of their characters,
        plus one, count as one sentence (:func:`sentence_groups`): a footer that OCR or retyping
        garbled a little differently in each article is still one footer. 0 compares
        sentences exactly.
    seed : int, default 1
        Seed of the MinHash permutations that find similar sentences.

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
    forms: dict[int, str] = {}  # distinct forms by hash, kept only to group them

    def hashed(sentence: str) -> int:
        form = _key_form(sentence)
        h = _form_hash(form)
        if max_changed > 0:
            forms.setdefault(h, form)
        return h

    key, distinct = pd.factorize(np.fromiter(
        (hashed(texts[d][s:e]) for d, s, e in
         zip(doc, sentences["start"].to_numpy(), sentences["end"].to_numpy(), strict=True)),
        dtype=np.uint64, count=len(doc)))
    if max_changed > 0:
        # one key per group of near-identical sentences
        key = sentence_groups([forms[int(h)] for h in distinct], max_changed, seed=seed)[key]
    forms.clear()
    frame = pd.DataFrame({"outlet": outlet, "key": key, "doc": doc})
    spread = frame.groupby(["outlet", "key"])["doc"].transform("nunique").to_numpy()
    candidate = named & (spread >= min_docs)
    if not candidate.any():
        return candidate
    # Copies of one story in one outlet repeat its sentences too, so a sentence must
    # also stand beside different stories, told apart by their leads. A lead is a
    # document's first sentence that is not a "hub": a repeated sentence whose
    # neighbours are different sentences in different articles (a byline, a footer),
    # or one only ever next to hubs (the rest of their block). Copies of one story
    # keep its order, so its sentences are not hubs and all its copies get the same
    # lead. Neighbours and leads count as different only when their words differ
    # (:func:`_distinct`): an edited copy of a sentence is the same sentence.
    frame["group"] = frame.groupby(["outlet", "key"]).ngroup()
    # garbled text splits a few sentences differently (a misread full stop), so there
    # a sentence of a block need only stand beside its hubs in nine articles of ten
    hub = _hubs(frame.assign(candidate=candidate), sentences, texts, min_docs,
                beside=1.0 if max_changed <= 0 else 0.9)
    hub &= ~_story_blocks(frame, hub, sentences, spread)
    lead = frame.assign(row=np.arange(len(frame)))[~hub].groupby("doc")["row"].first()
    lead_row = frame["doc"].map(lead).fillna(-1).to_numpy(np.int64)
    lead_key = np.where(lead_row >= 0, key[np.maximum(lead_row, 0)], -1)
    stories = _distinct(frame["group"].to_numpy(), lead_key, lead_row, candidate, sentences,
                        texts, min_docs)
    marked = candidate & hub & stories
    # a sentence that is boilerplate for one outlet is boilerplate wherever it appears
    # (a generic "Follow us on ..." line in a small outlet, or in an unsourced text)
    return np.isin(key, np.unique(key[marked]))


def _key_form(sentence: str) -> str:
    """A sentence as boilerplate compares it: NFKC, case folded, digits collapsed to 0,
    white space to one space."""
    return _SPACE.sub(" ", _DIGITS.sub("0", normalize_text(sentence)))


def _form_hash(form: str) -> int:
    """64-bit hash of a :func:`_key_form`."""
    return int.from_bytes(hashlib.blake2b(form.encode("utf-8"), digest_size=8).digest(),
                          "little")


#: Bands x sampled positions of :func:`sentence_groups`' LSH: two strings with 10% of
#: their characters changed agree on 4 sampled positions with probability 0.9^4 = 0.66,
#: and on one of 6 such bands with 0.998.
_BANDS, _ROWS = 6, 4


def sentence_groups(forms: list[str], max_changed: float, *, seed: int = 1) -> np.ndarray:
    """Group strings that differ only by a few changed characters: a label per string,
    shared by strings of the same length that differ in at most ``max_changed`` of
    their characters plus one (two misread copies of a short line differ in two),
    directly or through a chain of such strings.

    This is the noise of OCR or retyping (a letter misread, a digit for a letter), not
    an edit: a word put in or taken out changes the length, so an edited sentence of
    a story is never joined to its source here. Pairs are proposed by locality-
    sensitive hashing for Hamming distance (bit sampling): a band is a string's length
    and its characters at 4 random relative positions, and each string is linked to
    the first string of every band bucket it falls in, never to every other member, so
    a sentence in a million articles costs a million checks, not their square. Each
    proposed pair not yet joined through an earlier band is then compared character by
    character, and scipy's connected components join the accepted pairs.

    Parameters
    ----------
    forms : list of str
        Distinct, already normalised strings.
    max_changed : float
        Largest share of changed characters (plus one) for two strings to be one; 0
        keeps every string apart.
    seed : int, default 1
        Seed of the sampled positions.

    Returns
    -------
    ndarray of int64, shape (len(forms),)
        Labels ``0 ..``; a string unlike every other keeps a label of its own.
    """
    n = len(forms)
    label = np.arange(n, dtype=np.int64)
    if n < 2 or max_changed <= 0:
        return label
    lengths = np.fromiter(map(len, forms), dtype=np.int64, count=n)
    # the code points of all strings, and one 0 after them that an empty string samples
    code = np.frombuffer("".join(forms).encode("utf-32-le") + b"\0\0\0\0", dtype=np.uint32)
    starts = np.cumsum(lengths) - lengths
    where = np.random.default_rng(seed).random((_BANDS, _ROWS))
    accepted = np.zeros((0, 2), dtype=np.int64)
    for band in range(_BANDS):
        bucket = lengths.astype(np.uint64)
        for u in where[band]:
            at = np.where(lengths > 0, starts + (u * lengths).astype(np.int64), len(code) - 1)
            bucket = (bucket * np.uint64(0x100000001B3)) ^ code[at].astype(np.uint64)
        head = pd.Series(label).groupby(bucket).transform("idxmin").to_numpy()
        # a pair already joined through earlier bands is not checked again
        current = np.flatnonzero(label[head] != label)
        if not len(current):
            continue
        pairs = np.column_stack([head[current], current])
        size = lengths[pairs[:, 0]]
        offset = np.arange(size.sum()) - np.repeat(np.cumsum(size) - size, size)
        differ = (code[np.repeat(starts[pairs[:, 0]], size) + offset]
                  != code[np.repeat(starts[pairs[:, 1]], size) + offset])
        changed = np.add.reduceat(differ, np.cumsum(size) - size) if len(differ) else size
        accepted = np.concatenate([accepted, pairs[changed <= max_changed * size + 1]])
        graph = coo_matrix((np.ones(len(accepted)), (accepted[:, 0], accepted[:, 1])),
                              shape=(n, n))
        label = connected_components(graph, directed=False)[1].astype(np.int64)
    return label


def _hubs(frame: pd.DataFrame, sentences: pd.DataFrame, texts: list[str], min_docs: int,
          beside: float = 1.0) -> np.ndarray:
    """Per sentence row: a repeated sentence whose neighbours vary (see find_boilerplate),
    or one beside such sentences in at least ``beside`` of its rows (the rest of their
    block)."""
    doc = frame["doc"].to_numpy()
    rows = np.arange(len(frame))
    same_prev = np.r_[False, doc[1:] == doc[:-1]]
    same_next = np.r_[doc[:-1] == doc[1:], False]
    # a text's start and end are not neighbours: copies are cut at different points
    keys, group = frame["key"].to_numpy(), frame["group"].to_numpy()
    candidate = frame["candidate"].to_numpy()
    varied = np.zeros(len(frame), dtype=bool)
    for same, shift in ((same_prev, 1), (same_next, -1)):
        row = np.where(same, np.roll(rows, shift), -1)
        varied |= _distinct(group, np.where(same, np.roll(keys, shift), -1), row, candidate,
                            sentences, texts, min_docs)
    hub = candidate & varied
    while True:  # a sentence always beside hubs belongs to their block (one round a row)
        prev_hub = same_prev & np.roll(hub, 1)
        next_hub = same_next & np.roll(hub, -1)
        near = (pd.Series(prev_hub).groupby(group).transform("mean").to_numpy() >= beside) | (
            pd.Series(next_hub).groupby(group).transform("mean").to_numpy() >= beside)
        grown = hub | (candidate & near)
        if (grown == hub).all():
            return hub
        hub = grown


def _story_blocks(frame: pd.DataFrame, hub: np.ndarray, sentences: pd.DataFrame,
                  spread: np.ndarray) -> np.ndarray:
    """Hub rows whose block is most of the articles it stands in: the story itself.

    An agency that sends a story again under new leads ("UPDATE 1", "UPDATE 2") makes
    its body a block of repeated sentences beside different text, as a footer is; but
    a footer is a small part of each article it ends, and a body most of it. A block
    is a run of hub rows of one document carried by equally many articles; it is the
    story when it is more than half of its document's text in most of them. (So an
    outlet whose items are mostly shorter than its footer keeps the footer as text.)
    """
    doc = frame["doc"].to_numpy()
    chars = (sentences["end"] - sentences["start"]).to_numpy(dtype=np.float64)
    doc_chars = pd.Series(chars).groupby(doc).transform("sum").to_numpy()
    joined = np.r_[False, hub[1:] & hub[:-1] & (doc[1:] == doc[:-1])
                   & (spread[1:] == spread[:-1])]
    block = np.cumsum(~joined)
    share = pd.Series(np.where(hub, chars, 0.0)).groupby(block).transform("sum").to_numpy()
    share = share / np.maximum(doc_chars, 1.0)
    typical = pd.Series(np.where(hub, share, np.nan)).groupby(frame["group"].to_numpy()
                                                               ).transform("median")
    return hub & (typical.to_numpy() > 0.5)


#: Words compared when telling sentences apart: letters and digits; scripts written
#: without spaces (and very short sentences) by character pairs instead.
_WORD = regex.compile(r"[\p{L}\p{M}\p{N}]+")
#: Two sentences are the same sentence, edited, when their word sets overlap this much
#: (Jaccard): one word changed in a sentence of ten leaves 0.82.
_SAME_SENTENCE = 0.5
#: Distinct sentences compared per group (the first few by position are enough to
#: see ``min_docs`` different ones).
_COMPARED = 8


def _distinct(group: np.ndarray, key: np.ndarray, row: np.ndarray, candidate: np.ndarray,
              sentences: pd.DataFrame, texts: list[str], min_docs: int) -> np.ndarray:
    """Per row: whether its group's items are at least ``min_docs`` different sentences.

    ``key[i]`` is the exact key of row i's item (a neighbour or a lead) and ``row[i]``
    the sentence row that shows it (-1: none). Groups with fewer than ``min_docs``
    exact keys are settled by the count; the others compare the words of their first
    :data:`_COMPARED` distinct items and count the items unlike every earlier one.
    """
    frame = pd.DataFrame({"group": group, "key": key, "row": row})[candidate & (row >= 0)]
    items = frame.drop_duplicates(["group", "key"])
    count = items.groupby("group")["key"].size()
    close = count.index[count >= min_docs]
    out = np.zeros(int(group.max()) + 1 if len(group) else 0, dtype=bool)
    if len(close):
        shown = items[items["group"].isin(close)].groupby("group").head(_COMPARED)
        words = _word_sets(sentences, texts, shown["row"].to_numpy())
        for g, sets in pd.Series(words, index=shown["group"].to_numpy()).groupby(level=0):
            kept: list[frozenset] = []
            for w in sets:
                if all(len(w & k) < _SAME_SENTENCE * len(w | k) for k in kept):
                    kept.append(w)
            out[g] = len(kept) >= min_docs
    return out[group]


def _word_sets(sentences: pd.DataFrame, texts: list[str], rows: np.ndarray
               ) -> list[frozenset]:
    """The words (digits as 0) of each sentence at ``rows``; character pairs where a
    sentence has fewer than four words (scripts written without spaces)."""
    doc, start, end = (sentences[c].to_numpy()[rows] for c in ("doc", "start", "end"))
    out = []
    for d, s, e in zip(doc, start, end, strict=True):
        text = _DIGITS.sub("0", normalize_text(texts[d][s:e]))
        words = _WORD.findall(text)
        out.append(frozenset(words) if len(words) >= 4
                   else frozenset(text[k:k + 2] for k in range(max(len(text) - 1, 1))))
    return out


def spans_by_doc(sentences: pd.DataFrame, n_docs: int) -> list[np.ndarray]:
    """``[start, end)`` spans of the given sentence rows, grouped by document position."""
    doc = sentences["doc"].to_numpy(dtype=np.int64)
    order = np.argsort(doc, kind="stable")
    spans = sentences[["start", "end"]].to_numpy(dtype=np.int64)[order]
    cuts = np.searchsorted(doc[order], np.arange(1, n_docs))
    return [np.array(part) for part in np.split(spans, cuts)] if n_docs else []


def boilerplate_spans(texts: list[str], sources: pd.Series, *, min_docs: int = 3,
                      max_changed: float = 0.0, seed: int = 1) -> list[np.ndarray]:
    """Each document's boilerplate spans, shape (k, 2), found over the whole corpus.

    The same spans the local pipeline leaves out of the evidence; engines that sketch
    elsewhere (Spark executors) take them from here so their shingles match.
    """
    from lineage.normalize import sentence_table

    sentences = sentence_table(texts)
    boiler = find_boilerplate(sentences, texts, sources, min_docs=min_docs,
                              max_changed=max_changed, seed=seed)
    return spans_by_doc(sentences[boiler], len(texts))


def evidence_shingles(tokens, spans: np.ndarray, config) -> tuple[np.ndarray, np.ndarray,
                                                                   np.ndarray]:
    """Shingles of one text outside its boilerplate ``spans``.

    Returns
    -------
    positional : ndarray of uint32
        :func:`lineage.shingle.positional_shingles` of the whole text.
    skip : ndarray of bool
        Shingle positions that reach into boilerplate (:func:`shingle_skips`).
    shingles : ndarray of uint32
        Distinct shingles outside boilerplate (what MinHash and Jaccard see).
    """
    from lineage.shingle import positional_shingles

    positional = positional_shingles(tokens, config)
    skip = shingle_skips(mask_tokens(tokens.starts, spans), len(positional))
    return positional, skip, np.unique(positional[~skip])


def shingle_skips(inside: np.ndarray, n_shingles: int) -> np.ndarray:
    """True for each shingle position whose tokens reach into boilerplate.

    A shingle that starts in the story and ends in a footer is no evidence either:
    two trims of one wire story that stop at the same sentence would share the
    shingles that run from that sentence into their (masked) footers, which the
    untrimmed story does not have.

    Parameters
    ----------
    inside : ndarray of bool
        Per token: inside boilerplate (:func:`mask_tokens`).
    n_shingles : int
        Shingle positions of the text (``len(positional_shingles(...))``); the shingle
        at position ``i`` covers tokens ``i`` to ``i + size - 1``, the last one runs
        to the end of the text.

    Returns
    -------
    ndarray of bool, shape (n_shingles,)
    """
    n = len(inside)
    if n_shingles == 0 or not inside.any():
        return np.zeros(n_shingles, dtype=bool)
    size = n - n_shingles + 1
    seen = np.concatenate([[0], np.cumsum(inside, dtype=np.int64)])
    first = np.arange(n_shingles)
    return seen[np.minimum(first + size, n)] > seen[first]


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
