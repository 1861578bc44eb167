"""Relation labels and the plain-English evidence for each scored pair.

The label comes from how much of each text is covered by shared passages other
than direct quotations (``evidence_a``/``evidence_b``: everyone quotes the same
speaker, so a shared quote is weak evidence), how many sentences match,
how much is verbatim, and the document-level topical similarity:

``duplicate``
    both texts covered at least ``duplicate_coverage`` (quotations included: a
    duplicate's quotes are copied with the rest) and near-identical: by characters
    (``char_cosine`` >= 0.9), by shingles (Jaccard >= 0.8), or both texts at least
    ``duplicate_coverage`` inside verbatim passages (``verbatim_a``, ``verbatim_b``),
    which reach over small edits and a scan's misread letters where the character
    profile does not; or near-identical outright (Jaccard >= 0.9 and ``char_cosine``
    >= 0.95: a headline too short to hold a passage);
``wholly-derived``
    the more-covered text is covered at least ``wholly_coverage``, by a verbatim
    passage or by at least ``min_sentences`` matched sentences (two reporters'
    sentences on the same facts can look as alike as one rewritten sentence, so a
    short text's one or two loose matches are not enough);
``partially-derived``
    at least ``min_sentences`` matched sentences covering ``partial_coverage`` of
    one text, or a verbatim overlap of ``min_verbatim_words`` words;
``same-story``
    none of the above, but word TF-IDF cosine >= ``same_story_cosine``;
unrelated
    everything else; such pairs are dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from lineage.config import RelationConfig
from lineage.schema import require_columns

__all__ = ["FEATURE_COLUMNS", "classify", "describe"]

#: Columns :func:`classify` needs.
FEATURE_COLUMNS = (
    "jaccard",
    "shared_shingles",
    "tfidf_cosine",
    "char_cosine",
    "evidence_a",
    "evidence_b",
    "aligned_a",
    "aligned_b",
    "verbatim_a",
    "verbatim_b",
    "n_sentences",
    "n_verbatim",
    "verbatim_chars",
)


def classify(features: pd.DataFrame, config: RelationConfig, *, shingle_size: int = 5
             ) -> pd.Series:
    """The relation of each pair (``None`` for unrelated).

    Parameters
    ----------
    features : DataFrame
        One row per pair, with :data:`FEATURE_COLUMNS`.
    config : RelationConfig
    shingle_size : int, default 5
        Words per shingle, to turn shared shingles into shared words.

    Returns
    -------
    Series of object
        ``duplicate``, ``wholly-derived``, ``partially-derived``, ``same-story`` or None.
    """
    require_columns(features, FEATURE_COLUMNS, table="pair features")
    f = features
    cov_max = np.maximum(f["evidence_a"], f["evidence_b"]).to_numpy()
    verbatim_words = np.maximum(
        np.where(f["shared_shingles"] > 0, f["shared_shingles"] + shingle_size - 1, 0),
        f["verbatim_chars"].to_numpy() / 6.0,
    )
    identical = ((f["jaccard"] >= 0.9) & (f["char_cosine"] >= 0.95)).to_numpy()
    # a duplicate's quotations are copied with the rest: the whole of both texts counts
    # (quotes are discounted so that two reports quoting one speaker are not reuse)
    whole = np.minimum(f["aligned_a"], f["aligned_b"]).to_numpy()
    # near-identical: by characters, by shingles, or both texts inside verbatim
    # passages (which reach over small edits and misread letters, where a scan's
    # character profile and shingles are not)
    same = ((f["char_cosine"] >= 0.9) | (f["jaccard"] >= 0.8)).to_numpy() | (
        np.minimum(f["verbatim_a"], f["verbatim_b"]).to_numpy() >= config.duplicate_coverage)
    duplicate = (whole >= config.duplicate_coverage) & same | identical
    # rewritten sentences alone are reuse only when there are enough of them: two
    # reporters' sentences on the same facts can look as alike as one rewritten
    # sentence (a verbatim passage needs no such count)
    enough = (f["n_sentences"].to_numpy() >= config.min_sentences) | (
        f["verbatim_chars"].to_numpy() > 0)
    wholly = (cov_max >= config.wholly_coverage) & enough
    partial = (
        (cov_max >= config.partial_coverage) & (f["n_sentences"].to_numpy() >= config.min_sentences)
    ) | (verbatim_words >= config.min_verbatim_words)
    same_story = f["tfidf_cosine"].to_numpy() >= config.same_story_cosine
    label = np.select(
        [duplicate, wholly, partial, same_story],
        ["duplicate", "wholly-derived", "partially-derived", "same-story"],
        default="",
    )
    return pd.Series(np.where(label == "", None, label), index=features.index, dtype=object)


def describe(row: Mapping[str, Any], a: str, b: str, n_sent_a: int, n_sent_b: int,
             shingle_size: int = 5) -> str:
    """One plain-English sentence saying why a pair got its relation."""
    relation = row["relation"]
    pct_a, pct_b = round(100 * row["aligned_a"]), round(100 * row["aligned_b"])
    n = int(row["n_sentences"])
    if relation == "same-story":
        quotes = int(row.get("n_quotes", 0))
        quoted = f", {quotes} shared direct quote(s) (weak evidence)" if quotes else ""
        share = max(pct_a, pct_b)
        if n:
            matched = (f"but only {n} sentence(s) loosely match ({share}% of the "
                       "more-covered text)")
        else:
            matched = "but no sentence matches" + (
                f" (short shared fragments cover {share}% of the more-covered text)"
                if share else "")
        return (f"same topic (word TF-IDF cosine {row['tfidf_cosine']:.2f}) {matched}"
                f"{quoted}: likely written independently")
    smaller, n_small, who = (b, n_sent_b, "b") if n_sent_b <= n_sent_a else (a, n_sent_a, "a")
    other = a if who == "b" else b
    nv = int(row["n_verbatim"])
    words = round(row["verbatim_chars"] / 6)
    parts = []
    if n:
        parts.append(
            f"{n} of {n_small} sentences of {smaller} have a rewritten counterpart in {other}"
        )
    if nv:
        parts.append(f"{nv} verbatim passage(s) (about {words} words)")
    if not parts:
        parts.append("no sentence matches")
    parts.append(f"{pct_a}% of {a} and {pct_b}% of {b} lie in shared passages")
    if row["jaccard"] > 0:
        parts.append(f"word {shingle_size}-gram Jaccard {row['jaccard']:.2f}")
    quotes = int(row.get("n_quotes", 0))
    if relation == "duplicate":
        # the quotes count here: a duplicate's quotations were copied with the rest
        verbatim = min(row.get("verbatim_a", 0.0), row.get("verbatim_b", 0.0))
        parts.insert(0, "near-identical texts" + (
            f" ({round(100 * verbatim)}% of each verbatim)" if verbatim >= 0.5 else ""))
    elif quotes:
        parts.append(f"{quotes} shared direct quote(s), weak evidence, not counted")
    return "; ".join(parts)
