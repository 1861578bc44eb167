"""The pair-at-a-time verbatim passages that :mod:`lineage.verbatim` replaced.

Kept as the oracle of ``tests/test_verbatim.py``: the array code over all pairs must
give exactly what this loop over pairs gave. It is not part of the package.

Verbatim passages: maximal runs of shared shingles, tolerant of small edits.

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
"""

from __future__ import annotations

import numpy as np

from lineage.boilerplate import mask_tokens

# one pair's overlapping runs, resolved longest first: the package still does this a
# pair at a time (for the pairs whose runs overlap), so the oracle uses its loop; the
# loop's own cases are pinned by exact tests in tests/test_verbatim.py
from lineage.verbatim import _resolve_pair as _resolve_overlaps

__all__ = ["verbatim_runs"]

_MAX_REPEATS = 4
#: A passage widens past one differing character when this many after it match again
#: (a letter misread by OCR, which otherwise leaves the words around it out).
_AGREE = 4


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
    """:func:`lineage.verbatim.verbatim_runs` (same parameters, same spans), as the
    loop over one pair computed them."""
    i, j = _anchors(ha, hb, skip_a, skip_b)
    if len(i) == 0:
        return np.empty((0, 4), dtype=np.int64)
    runs = _diagonal_runs(i, j, size, gap)
    runs = runs[(runs[:, 1] - runs[:, 0]) > size]  # at least two shingles in a row
    runs = _merge_neighbours(runs, gap)
    runs = runs[(runs[:, 1] - runs[:, 0]) >= min_tokens]
    return _resolve_overlaps(runs, min_tokens)


def _anchors(ha, hb, skip_a, skip_b) -> tuple[np.ndarray, np.ndarray]:
    pos_a = np.arange(len(ha)) if skip_a is None else np.flatnonzero(~skip_a)
    pos_b = np.arange(len(hb)) if skip_b is None else np.flatnonzero(~skip_b)
    if len(pos_a) == 0 or len(pos_b) == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    order = pos_b[np.argsort(hb[pos_b], kind="stable")]
    sorted_b = hb[order]
    lo = np.searchsorted(sorted_b, ha[pos_a], side="left")
    hi = np.searchsorted(sorted_b, ha[pos_a], side="right")
    count = hi - lo
    keep = (count > 0) & (count <= _MAX_REPEATS)
    pos_a, lo, count = pos_a[keep], lo[keep], count[keep]
    i = np.repeat(pos_a, count)
    offset = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    j = order[np.repeat(lo, count) + offset]
    return i.astype(np.int64), j.astype(np.int64)


def _diagonal_runs(i: np.ndarray, j: np.ndarray, size: int, gap: int) -> np.ndarray:
    diag = j - i
    order = np.lexsort((i, diag))
    i, j, diag = i[order], j[order], diag[order]
    brk = np.ones(len(i), dtype=bool)
    brk[1:] = (diag[1:] != diag[:-1]) | (i[1:] - i[:-1] > size + gap)
    starts = np.flatnonzero(brk)
    ends = np.r_[starts[1:], len(i)] - 1
    runs = np.column_stack([i[starts], i[ends] + size, j[starts], j[ends] + size])
    return runs[np.argsort(runs[:, 0], kind="stable")]


def _merge_neighbours(runs: np.ndarray, reach: int) -> np.ndarray:
    merged: list[list[int]] = []
    for a0, a1, b0, b1 in runs.tolist():
        if merged:
            last = merged[-1]
            da, db = a0 - last[1], b0 - last[3]
            if -reach <= da <= reach and -reach <= db <= reach and b1 > last[3]:
                last[1], last[3] = max(last[1], a1), max(last[3], b1)
                continue
        merged.append([a0, a1, b0, b1])
    return np.asarray(merged, dtype=np.int64).reshape(-1, 4)


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
    """:func:`lineage.verbatim.verbatim_passages` (same parameters, same table),
    computed a pair at a time."""
    import pandas as pd

    from lineage.align import PASSAGE_TABLE

    masks: dict[int, np.ndarray] = {}

    def inside(doc: int) -> np.ndarray:
        """Per token of ``doc``: inside its boilerplate (computed once)."""
        if doc not in masks:
            masks[doc] = mask_tokens(token_starts[doc], boilerplate[doc])
        return masks[doc]

    out = []
    for row in rows.tolist():
        a, b = pairs[row]
        if sizes[a] != sizes[b]:
            continue
        runs = verbatim_runs(positional[a], positional[b], int(sizes[a]), min_tokens=min_tokens,
                             gap=gap, skip_a=skips[a], skip_b=skips[b])
        widened: list[tuple[int, int, int, int]] = []
        for a0, a1, b0, b1 in runs.tolist():
            limits = None
            if boilerplate is not None:
                # a run's last shingles reach into a footer that starts after them
                a0, a1 = _outside(inside(a), a0, a1)
                b0, b1 = _outside(inside(b), b0, b1)
                if a1 <= a0 or b1 <= b0:
                    continue
            start_a, end_a = int(token_starts[a][a0]), int(token_ends[a][a1 - 1])
            start_b, end_b = int(token_starts[b][b0]), int(token_ends[b][b1 - 1])
            if boilerplate is not None:
                limits = (*_room(boilerplate[a], start_a, end_a, len(texts[a])),
                          *_room(boilerplate[b], start_b, end_b, len(texts[b])))
            if any(w[0] <= start_a and end_a <= w[1] and w[2] <= start_b and end_b <= w[3]
                   for w in widened):
                continue  # a passage widened past a misread already holds this run
            widened.append(_widen(texts[a], texts[b], start_a, end_a, start_b, end_b, limits))
        if len(widened) > 1:
            widened = _merge_aligned(widened)
        out += [(row, a, b, *w, "verbatim", 1.0, 0) for w in widened]
    return pd.DataFrame(out, columns=list(PASSAGE_TABLE))


def _merge_aligned(spans: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """Passages ``(a_start, a_end, b_start, b_end)`` in order of ``a_start``, with a
    passage that starts inside the one before, on the alignment that one ends on
    (``a_end - b_end == a_start - b_start``), joined to it: runs that a misread letter
    split grow into one another as they widen past it. (Two runs either side of an
    insertion may share a character, on two alignments: they stay apart.)"""
    merged: list[list[int]] = []
    for a0, a1, b0, b1 in sorted(spans):
        last = merged[-1] if merged else None
        if last is not None and a0 < last[1] and last[1] - last[3] == a0 - b0:
            last[1], last[3] = max(last[1], a1), max(last[3], b1)
        else:
            merged.append([a0, a1, b0, b1])
    return [(a0, a1, b0, b1) for a0, a1, b0, b1 in merged]


def _outside(inside: np.ndarray, t0: int, t1: int) -> tuple[int, int]:
    """Tokens ``[t0, t1)`` less any boilerplate tokens at either end."""
    while t1 > t0 and inside[t1 - 1]:
        t1 -= 1
    while t0 < t1 and inside[t0]:
        t0 += 1
    return t0, t1


def _room(spans: np.ndarray, start: int, end: int, length: int) -> tuple[int, int]:
    """How far ``[start, end)`` may widen: to the nearest boilerplate span each side."""
    if len(spans) == 0:
        return 0, length
    before = spans[spans[:, 1] <= start, 1]
    after = spans[spans[:, 0] >= end, 0]
    return (int(before.max()) if len(before) else 0,
            int(after.min()) if len(after) else length)


def _widen(ta: str, tb: str, a0: int, a1: int, b0: int, b1: int,
           limits: tuple[int, int, int, int] | None = None) -> tuple[int, int, int, int]:
    """Grow ``[a0, a1)`` and ``[b0, b1)`` over identical characters on both sides, and
    over one differing character when the ``_AGREE`` beyond it match again (one for
    one: OCR's misread letters), within ``limits`` (lowest start and highest end for
    a, then for b)."""
    lo_a, hi_a, lo_b, hi_b = limits or (0, len(ta), 0, len(tb))

    def same(i: int, j: int) -> bool:
        return ta[i].casefold() == tb[j].casefold()

    def misread(i: int, j: int, step: int) -> bool:
        # one character differs, and the _AGREE after it (in the direction of growth)
        # match again: a letter misread, not the end of the shared text
        return all(lo_a <= i + step * k < hi_a and lo_b <= j + step * k < hi_b
                   and same(i + step * k, j + step * k) for k in range(1, _AGREE + 1))

    while a0 > lo_a and b0 > lo_b and (same(a0 - 1, b0 - 1) or misread(a0 - 1, b0 - 1, -1)):
        a0, b0 = a0 - 1, b0 - 1
    while a1 < hi_a and b1 < hi_b and (same(a1, b1) or misread(a1, b1, 1)):
        a1, b1 = a1 + 1, b1 + 1
    while a0 < a1 and ta[a0].isspace():
        a0, b0 = a0 + 1, b0 + 1
    while a1 > a0 and ta[a1 - 1].isspace():
        a1, b1 = a1 - 1, b1 - 1
    return a0, a1, b0, b1
