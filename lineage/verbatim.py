"""Verbatim passages: maximal runs of shared shingles, tolerant of small edits.

For one pair, every shingle position of ``a`` is matched with the positions of the
same shingle in ``b``. Matches on one diagonal (``j - i`` constant) form a run; a
run survives a changed word (which breaks ``size`` consecutive shingles) because
gaps of up to ``size + gap`` positions on the diagonal are bridged. Neighbouring
runs on nearby diagonals (a word inserted or deleted) merge as local alignment
does (across at most ``gap`` tokens). A lone shingle is not a run, and runs
shorter than ``min_tokens`` tokens are dropped after merging, and overlapping runs are
resolved longest first, so each token of ``a`` and of ``b`` is in at most one run: a
shorter run that overlaps a longer one only at its start or end (two runs on either
side of an insertion can share a token where the shingles around the edit happen to
match) loses the overlapping tokens, not the whole passage; one that overlaps it in
the middle is dropped.

Every step runs on all the pairs of a batch at once, as array code: the shingles of
a pair are matched by one sorted search over keys ``pair << 32 | hash``; the merges,
whose every decision depends on the ones before it in the same pair, are settled by
repeating an array pass until no decision changes (a pair's decisions are right up
to its ``t``-th run after ``t`` passes, and pairs that stop changing leave the pass);
passages widen over characters a window at a time. Only the pairs whose runs overlap
(a repeated phrase) are resolved one by one.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lineage.boilerplate import mask_tokens

__all__ = ["verbatim_passages", "verbatim_runs"]

_MAX_REPEATS = 4
#: A passage widens past one differing character when this many after it match again
#: (a letter misread by OCR, which otherwise leaves the words around it out).
_AGREE = 4
#: Characters (or tokens) looked at per passage in one round of widening or trimming.
_WINDOW = 32
#: Tokens of the two texts of every pair in one batch (bounds a batch's memory).
_BATCH_TOKENS = 1 << 21

#: By character code: its case-folded code (one of its own for a fold of several
#: characters, as "ß" -> "ss"), whether it is white space, whether it is known yet.
#: Grown as characters are met, kept across calls.
_FOLD = np.zeros(0, dtype=np.int32)
_SPACE = np.zeros(0, dtype=bool)
_KNOWN = np.zeros(0, dtype=bool)
_MULTI: dict[str, int] = {}


def verbatim_runs(
    ha: np.ndarray,
    hb: np.ndarray,
    size: int,
    *,
    min_tokens: int = 8,
    gap: int = 3,
    skip_a: np.ndarray | None = None,
    skip_b: np.ndarray | None = None,
) -> np.ndarray:
    """Token spans of the verbatim passages shared by two texts.

    Parameters
    ----------
    ha, hb : ndarray of uint32
        Positional shingle hashes (:func:`lineage.shingle.positional_shingles`).
    size : int
        Tokens per shingle.
    min_tokens : int, default 8
        Shortest run kept, in tokens.
    gap : int, default 3
        Tokens of edits bridged inside a run.
    skip_a, skip_b : ndarray of bool, optional
        Shingle positions to ignore (boilerplate).

    Returns
    -------
    ndarray of int64, shape (n_runs, 4)
        ``a_start, a_end, b_start, b_end`` token indices (end exclusive), ordered by
        ``a_start``.
    """
    runs = _runs([ha, hb], [skip_a, skip_b], np.array([0]), np.array([1]),
                 np.array([size], dtype=np.int64), min_tokens, gap)
    return runs[:, 1:]


def _runs(positional: list[np.ndarray], skips: list[np.ndarray | None], a: np.ndarray,
          b: np.ndarray, size: np.ndarray, min_tokens: int, gap: int) -> np.ndarray:
    """Runs of the pairs ``(a[k], b[k])``: rows ``k, a_start, a_end, b_start, b_end``
    ordered by ``k`` then ``a_start``; ``size[k]`` tokens per shingle of pair ``k``."""
    k, i, j = _anchors(positional, skips, a, b)
    if len(k) == 0:
        return np.empty((0, 5), dtype=np.int64)
    runs = _diagonal_runs(k, i, j, size, gap)
    runs = runs[(runs[:, 2] - runs[:, 1]) > size[runs[:, 0]]]  # two shingles in a row
    runs = _merge_neighbours(runs, gap)
    runs = runs[(runs[:, 2] - runs[:, 1]) >= min_tokens]
    return _resolve_overlaps(runs, min_tokens)


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """``concatenate([arange(s, s + n) for s, n in zip(starts, lengths)])``."""
    total = int(lengths.sum())
    shift = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    return shift + np.arange(total, dtype=np.int64)


def _anchors(positional, skips, a, b) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pair ``k``, position ``i`` in ``a[k]`` and ``j`` in ``b[k]`` of every shingle the
    two share (one appearing more than ``_MAX_REPEATS`` times in ``b`` is left out)."""
    docs, local = np.unique(np.concatenate([a, b]), return_inverse=True)
    la, lb = local[: len(a)], local[len(a):]
    pos = [np.arange(len(positional[d])) if skips[d] is None else np.flatnonzero(~skips[d])
           for d in docs.tolist()]
    n = np.fromiter(map(len, pos), dtype=np.int64, count=len(pos))
    start = np.cumsum(n) - n
    flat_pos = np.concatenate(pos).astype(np.int64)
    flat_hash = np.concatenate([positional[d][p] for d, p in zip(docs.tolist(), pos,
                                                                 strict=True)])
    owner = np.repeat(np.arange(len(docs), dtype=np.uint64), n)
    # each text's shingles by hash (by position among equal ones: the sort is stable)
    order = np.argsort((owner << np.uint64(32)) | flat_hash.astype(np.uint64), kind="stable")
    # b's shingles under keys pair << 32 | hash: sorted as a whole, pair after pair
    idx_b = order[_ranges(start[lb], n[lb])]
    pair_b = np.repeat(np.arange(len(b), dtype=np.uint64), n[lb])
    key_b = (pair_b << np.uint64(32)) | flat_hash[idx_b].astype(np.uint64)
    idx_a = order[_ranges(start[la], n[la])]  # sorted too: the search runs in order
    pair_a = np.repeat(np.arange(len(a), dtype=np.int64), n[la])
    key_a = (pair_a.astype(np.uint64) << np.uint64(32)) | flat_hash[idx_a].astype(np.uint64)
    lo = np.searchsorted(key_b, key_a, side="left")
    count = np.searchsorted(key_b, key_a, side="right") - lo
    keep = (count > 0) & (count <= _MAX_REPEATS)
    lo, count = lo[keep], count[keep]
    k = np.repeat(pair_a[keep], count)
    i = np.repeat(flat_pos[idx_a[keep]], count)
    offset = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    j = flat_pos[idx_b[np.repeat(lo, count) + offset]]
    return k, i, j


def _diagonal_runs(k: np.ndarray, i: np.ndarray, j: np.ndarray, size: np.ndarray,
                   gap: int) -> np.ndarray:
    """Runs ``k, a_start, a_end, b_start, b_end`` of anchors on one diagonal of pair
    ``k`` (``size[k]`` tokens per shingle) no more than ``size + gap`` apart."""
    k, diag, i = _sort3(k, j - i, i)
    j, size = i + diag, size[k]
    brk = np.ones(len(i), dtype=bool)
    brk[1:] = (k[1:] != k[:-1]) | (diag[1:] != diag[:-1]) | (i[1:] - i[:-1] > size[1:] + gap)
    starts = np.flatnonzero(brk)
    ends = np.r_[starts[1:], len(i)] - 1
    runs = np.column_stack([k[starts], i[starts], i[ends] + size[ends], j[starts],
                            j[ends] + size[ends]])
    return runs[np.lexsort((runs[:, 3], runs[:, 1], runs[:, 0]))]


def _sort3(x: np.ndarray, y: np.ndarray, z: np.ndarray):
    """``x, y, z`` (integers, ``x`` and ``z`` not negative) sorted by ``x``, then ``y``,
    then ``z``: one sort of a packed key when the three fit in 63 bits, else by
    ``np.lexsort``."""
    y_min = int(y.min())
    bits = [max(int(v.max()), 0).bit_length() for v in (x, y - y_min, z)]
    if sum(bits) > 63:
        order = np.lexsort((z, y, x))
        return x[order], y[order], z[order]
    key = ((x << (bits[1] + bits[2])) | ((y - y_min) << bits[2]) | z)
    key = np.sort(key)
    mask_z, mask_y = (1 << bits[2]) - 1, (1 << bits[1]) - 1
    return key >> (bits[1] + bits[2]), ((key >> bits[2]) & mask_y) + y_min, key & mask_z


def _group_cummax(values: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Running maximum of ``values`` restarting at each new (non-decreasing) ``group``."""
    if len(values) == 0:
        return values
    scale = int(values.max()) - min(int(values.min()), 0) + 1
    lifted = values + group * scale
    return np.maximum.accumulate(lifted) - group * scale


def _chain_merge(spans: np.ndarray, joins: Callable[..., np.ndarray]) -> np.ndarray:
    """Merge rows ``k, a0, a1, b0, b1`` (in order within each ``k``) as the loop

    ``for each row: if joins(row, last): last grows to hold it, else it starts anew``

    does, where ``last`` is the merged row before it (its ``a1`` and ``b1`` the largest
    so far). ``joins(a0, a1, b0, b1, last_a1, last_b1)`` decides for arrays of rows."""
    if len(spans) <= 1:
        return spans
    k, a0, a1, b0, b1 = spans.T
    first = np.r_[True, k[1:] != k[:-1]]
    join = np.zeros(len(spans), dtype=bool)
    todo = np.arange(len(spans))
    while len(todo):
        group = np.cumsum(~join[todo])
        last_a1 = np.r_[0, _group_cummax(a1[todo], group)[:-1]]
        last_b1 = np.r_[0, _group_cummax(b1[todo], group)[:-1]]
        new = ~first[todo] & joins(a0[todo], a1[todo], b0[todo], b1[todo], last_a1, last_b1)
        changed = new != join[todo]
        join[todo] = new
        todo = todo[np.isin(k[todo], k[todo][changed])]
    heads = np.flatnonzero(~join)
    return np.column_stack([k[heads], a0[heads], np.maximum.reduceat(a1, heads), b0[heads],
                            np.maximum.reduceat(b1, heads)])


def _merge_neighbours(runs: np.ndarray, reach: int) -> np.ndarray:
    def joins(a0, a1, b0, b1, last_a1, last_b1):
        da, db = a0 - last_a1, b0 - last_b1
        return (np.abs(da) <= reach) & (np.abs(db) <= reach) & (b1 > last_b1)

    return _chain_merge(runs, joins)


def _resolve_overlaps(runs: np.ndarray, min_tokens: int) -> np.ndarray:
    """:func:`_resolve_pair` for every pair of rows ``k, a0, a1, b0, b1``: a pair whose
    runs overlap neither in ``a`` nor in ``b`` keeps those at least ``min_tokens`` long
    in both (or its only run); the rest are resolved one pair at a time."""
    if len(runs) <= 1:
        return runs
    k = runs[:, 0]
    n = np.bincount(k)
    first = np.r_[True, k[1:] != k[:-1]]
    group = np.cumsum(first)
    overlap = ~first & (runs[:, 1] < np.r_[0, _group_cummax(runs[:, 2], group)[:-1]])
    by_b = np.lexsort((runs[:, 3], k))
    sb = runs[by_b]
    overlap[by_b] |= ~first & (sb[:, 3] < np.r_[0, _group_cummax(sb[:, 4], group)[:-1]])
    tangled = np.zeros(len(n), dtype=bool)
    tangled[k[overlap]] = True
    short = np.minimum(runs[:, 2] - runs[:, 1], runs[:, 4] - runs[:, 3]) < min_tokens
    keep = ~tangled[k] & ~(short & (n[k] > 1))
    out = [runs[keep]]
    for pair in np.flatnonzero(tangled).tolist():
        rows = runs[k == pair]
        kept = _resolve_pair(rows[:, 1:], min_tokens)
        out.append(np.column_stack([np.full(len(kept), pair), kept]))
    out = np.concatenate(out)
    return out[np.lexsort((out[:, 1], out[:, 0]))]


def _resolve_pair(runs: np.ndarray, min_tokens: int = 1) -> np.ndarray:
    """Keep runs longest first; trim a run's head or tail where it overlaps a kept run
    (in ``a`` or in ``b``, by the same number of tokens on both sides, as a run moves
    along a diagonal), and drop it when the overlap is inside it or what is left is
    shorter than ``min_tokens``."""
    if len(runs) <= 1:
        return runs
    order = np.argsort(-(runs[:, 1] - runs[:, 0]), kind="stable")
    kept: list[list[int]] = []
    for a0, a1, b0, b1 in runs[order].tolist():
        for k0, k1, l0, l1 in kept:
            head = max(k1 - a0 if k0 <= a0 < k1 else 0, l1 - b0 if l0 <= b0 < l1 else 0)
            tail = max(a1 - k0 if k0 < a1 <= k1 else 0, b1 - l0 if l0 < b1 <= l1 else 0)
            a0, b0, a1, b1 = a0 + head, b0 + head, a1 - tail, b1 - tail
        if min(a1 - a0, b1 - b0) < min_tokens:
            continue
        if all(a0 >= k[1] or a1 <= k[0] for k in kept) and all(
            b0 >= k[3] or b1 <= k[2] for k in kept
        ):
            kept.append([a0, a1, b0, b1])
    out = np.asarray(kept, dtype=np.int64).reshape(-1, 4)
    return out[np.argsort(out[:, 0], kind="stable")]


def verbatim_passages(
    texts: list[str],
    pairs: np.ndarray,
    rows: np.ndarray,
    positional: list[np.ndarray],
    skips: list[np.ndarray],
    token_starts: list[np.ndarray],
    token_ends: list[np.ndarray],
    sizes: np.ndarray,
    *,
    min_tokens: int = 8,
    gap: int = 3,
    boilerplate: list[np.ndarray] | None = None,
):
    """Verbatim passages (character offsets) for the pairs at ``rows``.

    Each passage is widened over identical neighbouring characters (case-folded), so
    it takes in a closing full stop or quote, or words just before an edit, and past
    a single differing character that the next four characters confirm (a letter
    misread by OCR: the shingles around it never match, so the run stops short of
    the words it shares); never into boilerplate (two runs of one outlet end with
    the same footer). A run that a passage widened before it already holds is not a
    passage of its own, and passages that widen into one another on one alignment
    are joined.

    Parameters
    ----------
    texts : list of str
        Document texts by position.
    pairs : ndarray of int64, shape (n_pairs, 2)
    rows : ndarray of int64
        Which pairs to align (those sharing enough shingles).
    positional, skips : list of ndarray
        Per document: positional shingle hashes and the boilerplate positions.
    token_starts, token_ends : list of ndarray
        Per document: token offsets into the original text.
    sizes : ndarray of int64
        Per document: tokens per shingle (pairs of two sizes have no passages).
    boilerplate : list of ndarray, optional
        Per document: boilerplate ``[start, end)`` spans, shape (k, 2).

    Returns
    -------
    DataFrame
        Columns :data:`lineage.align.PASSAGE_TABLE` with ``kind == "verbatim"``,
        ``similarity`` 1.0 and ``n_sentences`` 0, ordered by pair, then by span.
    """
    import pandas as pd

    from lineage.align import PASSAGE_TABLE

    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    rows = np.asarray(rows, dtype=np.int64)
    rows = rows[sizes[pairs[rows, 0]] == sizes[pairs[rows, 1]]]
    lengths = np.fromiter(map(len, positional), dtype=np.int64, count=len(positional))
    # batches of about _BATCH_TOKENS tokens of the two texts of their pairs
    weight = np.cumsum(lengths[pairs[rows, 0]] + lengths[pairs[rows, 1]])
    batch = weight // _BATCH_TOKENS
    found = [_batch_passages(texts, pairs, part, positional, skips, token_starts,
                             token_ends, sizes, min_tokens, gap, boilerplate)
             for part in np.split(rows, np.flatnonzero(np.diff(batch)) + 1) if len(part)]
    out = np.concatenate(found) if found else np.empty((0, 7), dtype=np.int64)
    table = pd.DataFrame(out, columns=list(PASSAGE_TABLE[:7]))
    table["kind"] = "verbatim"
    table["similarity"] = 1.0
    table["n_sentences"] = 0
    return table


def _concat(parts: list[np.ndarray], dtype=np.int64) -> tuple[np.ndarray, np.ndarray]:
    """``parts`` end to end, and where each starts."""
    n = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
    values = np.concatenate(parts).astype(dtype) if parts else np.empty(0, dtype)
    return values, np.cumsum(n) - n


def _batch_passages(texts, pairs, rows, positional, skips, token_starts, token_ends, sizes,
                    min_tokens, gap, boilerplate) -> np.ndarray:
    """Rows ``row, a, b, a_start, a_end, b_start, b_end`` of the pairs at ``rows``."""
    a, b = pairs[rows, 0], pairs[rows, 1]
    runs = _runs(positional, skips, a, b, sizes[a], min_tokens, gap)
    if len(runs) == 0:
        return np.empty((0, 7), dtype=np.int64)
    k = runs[:, 0]
    docs, local = np.unique(np.r_[a[k], b[k]], return_inverse=True)
    la, lb = local[: len(k)], local[len(k):]
    # token offsets, then (with boilerplate) which tokens are inside it: one layout
    starts, tok = _concat([token_starts[d] for d in docs.tolist()])
    ends, _ = _concat([token_ends[d] for d in docs.tolist()])
    ta0, ta1 = tok[la] + runs[:, 1], tok[la] + runs[:, 2]
    tb0, tb1 = tok[lb] + runs[:, 3], tok[lb] + runs[:, 4]
    chars = _Chars(texts, docs)
    lo_a, hi_a = chars.base[la], chars.base[la] + chars.length[la]
    lo_b, hi_b = chars.base[lb], chars.base[lb] + chars.length[lb]
    if boilerplate is not None:
        # a run's last shingles reach into a footer that starts after them
        inside, _ = _concat([mask_tokens(token_starts[d], boilerplate[d])
                             for d in docs.tolist()], bool)
        ta0, ta1 = _outside(inside, ta0, ta1)
        tb0, tb1 = _outside(inside, tb0, tb1)
        live = (ta1 > ta0) & (tb1 > tb0)
        k, la, lb, ta0, ta1, tb0, tb1 = (x[live] for x in (k, la, lb, ta0, ta1, tb0, tb1))
        lo_a, hi_a, lo_b, hi_b = (x[live] for x in (lo_a, hi_a, lo_b, hi_b))
    sa, ea = chars.base[la] + starts[ta0], chars.base[la] + ends[ta1 - 1]
    sb, eb = chars.base[lb] + starts[tb0], chars.base[lb] + ends[tb1 - 1]
    if boilerplate is not None:
        parts = [np.reshape(boilerplate[d], (-1, 2)) for d in docs.tolist()]
        spans = np.concatenate(parts).astype(np.int64) if parts else np.empty((0, 2), np.int64)
        owner = np.repeat(np.arange(len(parts)), [len(x) for x in parts])
        lo_a, hi_a = _room(spans, owner, la, sa - lo_a, ea - lo_a, lo_a, hi_a)
        lo_b, hi_b = _room(spans, owner, lb, sb - lo_b, eb - lo_b, lo_b, hi_b)
    wa0, wa1, wb0, wb1 = _widen(chars, sa, ea, sb, eb, lo_a, hi_a, lo_b, hi_b)
    keep = _not_held(k, np.column_stack([sa, ea, sb, eb]), np.column_stack([wa0, wa1, wb0, wb1]))
    la, lb = la[keep], lb[keep]
    wa0, wa1 = wa0[keep] - chars.base[la], wa1[keep] - chars.base[la]
    wb0, wb1 = wb0[keep] - chars.base[lb], wb1[keep] - chars.base[lb]
    spans = np.column_stack([k[keep], wa0, wa1, wb0, wb1])
    spans = _merge_aligned(spans[np.lexsort((wb1, wb0, wa1, wa0, k[keep]))])
    k = spans[:, 0]
    return np.column_stack([rows[k], a[k], b[k], spans[:, 1:]])


class _Chars:
    """The batch's texts end to end as case-folded character codes, with each text's
    offset and length, and which characters are white space."""

    def __init__(self, texts: list[str], docs: np.ndarray):
        parts = [texts[d] for d in docs.tolist()]
        self.length = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
        self.base = np.cumsum(self.length) - self.length
        codes = np.frombuffer("".join(parts).encode("utf-32-le", "surrogatepass"), dtype="<u4")
        _learn(codes)
        self.fold, self.space = _FOLD[codes], _SPACE[codes]


def _learn(codes: np.ndarray) -> None:
    """Extend the character tables to every code in ``codes``."""
    global _FOLD, _SPACE, _KNOWN
    top = int(codes.max()) + 1 if len(codes) else 0
    if top > len(_KNOWN):
        grow = top - len(_KNOWN)
        _FOLD = np.r_[_FOLD, np.zeros(grow, dtype=np.int32)]
        _SPACE = np.r_[_SPACE, np.zeros(grow, dtype=bool)]
        _KNOWN = np.r_[_KNOWN, np.zeros(grow, dtype=bool)]
    new = codes[~_KNOWN[codes]]
    for c in np.unique(new).tolist():
        f = chr(c).casefold()
        _FOLD[c] = ord(f) if len(f) == 1 else 0x110000 + _MULTI.setdefault(f, len(_MULTI))
        _SPACE[c] = chr(c).isspace()
        _KNOWN[c] = True


def _count(first: np.ndarray, step: int, ok: Callable[[np.ndarray, np.ndarray], np.ndarray]
           ) -> np.ndarray:
    """Per item, how many positions ``first, first + step, ...`` in a row pass ``ok``.

    ``ok(todo, done)`` answers for items ``todo``, ``done`` positions on, the next
    ``_WINDOW`` (shape (len(todo), _WINDOW)); items whose window all passes go on."""
    grown = np.zeros(len(first), dtype=np.int64)
    todo = np.arange(len(first))
    while len(todo):
        good = ok(todo, grown[todo])
        f = np.where(good.all(axis=1), _WINDOW, good.argmin(axis=1))
        grown[todo] += f
        todo = todo[f == _WINDOW]
    return grown


def _at(values: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``values[x]``, with ``x`` out of range clipped (callers mask those)."""
    if len(values) == 0:
        return np.zeros(np.shape(x), dtype=values.dtype)
    return values[np.clip(x, 0, len(values) - 1)]


def _outside(inside: np.ndarray, t0: np.ndarray, t1: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray]:
    """Token spans ``[t0, t1)`` (into ``inside``) less boilerplate tokens at either end."""
    m = np.arange(_WINDOW)
    t1 = t1 - _count(t1 - 1, -1, lambda todo, done: _at(
        inside, x := t1[todo, None] - 1 - (done[:, None] + m)) & (x >= t0[todo, None]))
    t0 = t0 + _count(t0, 1, lambda todo, done: _at(
        inside, x := t0[todo, None] + done[:, None] + m) & (x < t1[todo, None]))
    return t0, t1


def _room(spans: np.ndarray, owner: np.ndarray, doc: np.ndarray, start: np.ndarray,
          end: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """How far each ``[start, end)`` of text ``doc`` (offsets within it) may widen: to
    the nearest boilerplate span each side (``spans`` of the texts ``owner``, shape
    (k, 2)); ``[lo, hi)`` is the whole text (offsets of the batch)."""
    if len(spans) == 0:
        return lo, hi
    shift = np.uint64(32)
    owner, doc = owner.astype(np.uint64) << shift, doc.astype(np.uint64) << shift
    ends = np.sort(owner | spans[:, 1].astype(np.uint64))
    q = np.searchsorted(ends, doc | start.astype(np.uint64), side="right") - 1
    hit = (q >= 0) & ((_at(ends, q) >> shift) << shift == doc)
    low = (_at(ends, q) & np.uint64(0xFFFFFFFF)).astype(np.int64)
    starts = np.sort(owner | spans[:, 0].astype(np.uint64))
    q = np.searchsorted(starts, doc | end.astype(np.uint64), side="left")
    hit_hi = (q < len(starts)) & ((_at(starts, q) >> shift) << shift == doc)
    high = (_at(starts, q) & np.uint64(0xFFFFFFFF)).astype(np.int64)
    # lo is the text's own offset in the batch
    return np.where(hit, lo + low, lo), np.where(hit_hi, lo + high, hi)


def _widen(chars: _Chars, a0, a1, b0, b1, lo_a, hi_a, lo_b, hi_b):
    """Grow ``[a0, a1)`` and ``[b0, b1)`` (offsets of the batch) over identical
    characters on both sides, and over one differing character when the ``_AGREE``
    beyond it match again (one for one: OCR's misread letters), within ``[lo, hi)``
    of each text; then drop white space at either end."""
    fold, space = chars.fold, chars.space
    width = np.arange(_WINDOW + _AGREE)

    def grows(first_a, first_b, step):
        def ok(todo, done):
            off = step * (done[:, None] + width)
            xa, xb = first_a[todo, None] + off, first_b[todo, None] + off
            valid = ((xa >= lo_a[todo, None]) & (xa < hi_a[todo, None])
                     & (xb >= lo_b[todo, None]) & (xb < hi_b[todo, None]))
            same = valid & (_at(fold, xa) == _at(fold, xb))
            agreed = np.cumsum(np.c_[np.zeros(len(todo), dtype=np.int64), same], axis=1)
            # a differing character, and the _AGREE after it match: a letter misread
            misread = (agreed[:, 1 + _AGREE:1 + _AGREE + _WINDOW] - agreed[:, 1:1 + _WINDOW]
                       == _AGREE)
            return valid[:, :_WINDOW] & (same[:, :_WINDOW] | misread)
        return _count(first_a, step, ok)

    grown = grows(a0 - 1, b0 - 1, -1)
    a0, b0 = a0 - grown, b0 - grown
    grown = grows(a1, b1, 1)
    a1, b1 = a1 + grown, b1 + grown
    m = np.arange(_WINDOW)
    lead = _count(a0, 1, lambda todo, done: _at(
        space, x := a0[todo, None] + done[:, None] + m) & (x < a1[todo, None]))
    a0, b0 = a0 + lead, b0 + lead
    trail = _count(a1 - 1, -1, lambda todo, done: _at(
        space, x := a1[todo, None] - 1 - (done[:, None] + m)) & (x >= a0[todo, None]))
    return a0, a1 - trail, b0, b1 - trail


def _not_held(k: np.ndarray, runs: np.ndarray, wide: np.ndarray) -> np.ndarray:
    """Per run (rows ``a0, a1, b0, b1`` in order within each pair ``k``), whether no
    passage widened from a run before it (and itself kept) holds it whole."""
    keep = np.ones(len(k), dtype=bool)
    if len(k) <= 1:
        return keep
    first = np.r_[True, k[1:] != k[:-1]]
    group = np.cumsum(first)
    reach = np.r_[0, _group_cummax(wide[:, 1], group)[:-1]]
    later = np.flatnonzero(~first & (runs[:, 1] <= reach))
    if len(later) == 0:
        return keep
    head = np.flatnonzero(first)[group - 1]
    before = later - head[later]
    earlier = _ranges(head[later], before)
    later = np.repeat(later, before)
    holds = ((wide[earlier, 0] <= runs[later, 0]) & (runs[later, 1] <= wide[earlier, 1])
             & (wide[earlier, 2] <= runs[later, 2]) & (runs[later, 3] <= wide[earlier, 3]))
    earlier, later = earlier[holds], later[holds]
    while True:
        held = np.zeros(len(k), dtype=bool)
        held[later[keep[earlier]]] = True
        if np.array_equal(~held, keep):
            return keep
        keep = ~held


def _merge_aligned(spans: np.ndarray) -> np.ndarray:
    """Passages ``k, a_start, a_end, b_start, b_end`` (in order within each ``k``), with
    a passage that starts inside the one before, on the alignment that one ends on
    (``a_end - b_end == a_start - b_start``), joined to it: runs that a misread letter
    split grow into one another as they widen past it. (Two runs either side of an
    insertion may share a character, on two alignments: they stay apart.)"""
    def joins(a0, a1, b0, b1, last_a1, last_b1):
        return (a0 < last_a1) & (last_a1 - last_b1 == a0 - b0)

    return _chain_merge(spans, joins)
