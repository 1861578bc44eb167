"""Direction of reuse: which side of a pair is the likely source, with a confidence.

The score is positive when ``a`` is the likely source of ``b``. It adds

* text: the copy is the more-covered side (a trimmed or excerpted copy lies
  mostly inside its source), from aligned coverage and shingle containment;
* time: up to ``time_weight`` towards the earlier article when both dates are
  known, growing with the gap (``1 - exp(-gap / 1 h)``: copies minutes apart are
  as likely siblings of one wire text as copies of each other); strong but not
  absolute, since feeds carry wrong dates;
* outlet: a bonus towards a wire service (``wire_sources``).

Confidence is ``tanh(2 * |score|)`` in [0, 1]; below 0.1 the direction is unknown.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lineage.config import TreeConfig

__all__ = ["direction_scores", "is_wire", "likely_sources"]

_WIRE_BONUS = 0.3
_TIME_SCALE = 3600.0
_UNKNOWN = 0.1


def is_wire(sources: pd.Series, config: TreeConfig) -> np.ndarray:
    """True where the outlet name matches a wire service (whole words, case-insensitive)."""
    names = sources.fillna("").astype(str).str.casefold().str.replace(r"[^\w\s-]", " ", regex=True)
    hit = np.zeros(len(names), dtype=bool)
    for wire in config.wire_sources:
        hit |= names.str.contains(rf"(?:^|\s){wire}(?:\s|$)", regex=True).to_numpy()
    return hit


def direction_scores(
    pairs: pd.DataFrame, published: pd.Series, wire: np.ndarray, config: TreeConfig
) -> np.ndarray:
    """Signed score per pair, > 0 when ``a`` is the likely source of ``b``.

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
    ai, bi = pairs["ai"].to_numpy(), pairs["bi"].to_numpy()
    text = (pairs["aligned_b"] - pairs["aligned_a"]).to_numpy() + 0.5 * (
        pairs["containment_ba"] - pairs["containment_ab"]
    ).to_numpy()
    times = published.to_numpy()
    ta, tb = times[ai], times[bi]
    known = ~(pd.isna(ta) | pd.isna(tb))
    order = np.zeros(len(pairs))
    gap = (tb[known] - ta[known]).astype("timedelta64[s]").astype(np.float64)
    order[known] = np.sign(gap) * (1.0 - np.exp(-np.abs(gap) / _TIME_SCALE))
    outlet = _WIRE_BONUS * (wire[ai].astype(float) - wire[bi].astype(float))
    return text + config.time_weight * order + outlet


def likely_sources(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Side (``"a"``, ``"b"`` or ``""``) and confidence in [0, 1] from signed scores."""
    confidence = np.tanh(2.0 * np.abs(scores))
    side = np.where(scores > 0, "a", "b")
    side = np.where(confidence < _UNKNOWN, "", side)
    return side, np.round(confidence, 4)
