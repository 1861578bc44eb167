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

from lineage.shingle import ShingleSets, in_sorted

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
    sets = ShingleSets(shingles)
    rows = np.arange(n, dtype=np.int64)
    keys = sets.tagged(x, rows)
    in_y = in_sorted(keys, sets.tagged(y, rows))
    in_t = in_sorted(keys, sets.tagged(t, rows))
    row = keys >> 32
    inherited = np.bincount(row[in_y & ~in_t], minlength=n)
    rejected = np.bincount(row[in_t & ~in_y], minlength=n)
    return inherited.astype(np.int64), rejected.astype(np.int64)
