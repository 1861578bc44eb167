"""Three-witness evidence: does a copy carry another copy's changes?

Where a copy changes its source's wording (a word swapped or inserted, a number
restyled, a sentence rewritten), the changed wording is its own and its copies'.
So for a copy ``x``, another copy ``y`` whose text covers ``x``'s, and the top of
their family's tree ``t``:

* ``x`` *inherits* from ``y`` when it shares wording with ``y`` that ``t`` lacks
  (``y``'s changes, which ``x`` could only have through ``y``);
* ``x`` *rejects* ``y`` when it shares wording with ``t`` that ``y`` lacks (at the
  places ``y`` changed, ``x`` reads as the top does: it did not take its text from
  ``y``).

Counted over evidence shingles (boilerplate left out), so one changed word shows,
by sorted searches over all rows at once (no loop over pairs or triples). How often
copies inherit rather than reject tells how this corpus copies: papers that each ran
an agency's story never carry one another's changes; reprints of reprints do
(:func:`lineage.tree.copying_rate`).
"""

from __future__ import annotations

import numpy as np

__all__ = ["innovation_counts"]


def innovation_counts(shingles: list[np.ndarray], x: np.ndarray, y: np.ndarray,
                      t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each row: how many of ``x``'s shingles it shares with ``y`` but not ``t``
    (inherited from ``y``), and with ``t`` but not ``y`` (``y``'s changes it lacks).

    Parameters
    ----------
    shingles : list of ndarray of uint32
        Distinct evidence shingles per document position, each sorted.
    x, y, t : ndarray of int64
        Document positions, one row each: the copy, another copy, the top.

    Returns
    -------
    (ndarray, ndarray) of int64
        ``inherited`` and ``rejected`` per row.
    """
    x, y, t = (np.asarray(v, dtype=np.int64) for v in (x, y, t))
    n = len(x)
    if not n:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    sizes = np.fromiter((len(s) for s in shingles), dtype=np.int64, count=len(shingles))
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    flat = (np.concatenate(shingles).astype(np.int64) if sizes.sum()
            else np.zeros(0, np.int64))
    rows = np.arange(n, dtype=np.int64)
    keys = {side: _tagged(flat, offsets, sizes, docs, rows)
            for side, docs in (("x", x), ("y", y), ("t", t))}
    in_y = _member(keys["x"], keys["y"])
    in_t = _member(keys["x"], keys["t"])
    row = keys["x"] >> 32
    inherited = np.bincount(row[in_y & ~in_t], minlength=n)
    rejected = np.bincount(row[in_t & ~in_y], minlength=n)
    return inherited.astype(np.int64), rejected.astype(np.int64)


def _tagged(flat: np.ndarray, offsets: np.ndarray, sizes: np.ndarray, docs: np.ndarray,
            rows: np.ndarray) -> np.ndarray:
    """``row << 32 | shingle`` for every shingle of each row's document, sorted (rows
    in order and each document's shingles sorted make it so; sorted again if not)."""
    counts = sizes[docs]
    idx = (np.repeat(offsets[docs] - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
           + np.arange(int(counts.sum())))
    keys = (np.repeat(rows, counts) << 32) | flat[idx]
    if len(keys) > 1 and not (keys[1:] >= keys[:-1]).all():
        keys.sort()
    return keys


def _member(keys: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    """Whether each of ``keys`` is in ``sorted_keys``, by binary search."""
    if not len(sorted_keys):
        return np.zeros(len(keys), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return sorted_keys[at] == keys
