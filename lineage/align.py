"""Sentence alignment: which sentences of a stand in b, verbatim or rewritten, as passages.

Every sentence of a is compared with every sentence of b for each candidate pair,
with all sentence pairs of a batch of document pairs scored at once (sparse row
products, no Python loop over pairs). A match needs the two sentences to be each
other's best partner and their similarity (mean of word and character TF-IDF
cosine) to reach ``rewritten``; at ``verbatim`` it counts as verbatim. Neighbouring
matches of the same kind merge into one passage, so a copied paragraph is one span.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from lineage.candidates import rowwise_cosine
from lineage.config import SentenceConfig

__all__ = [
    "MATCH_COLUMNS",
    "PASSAGE_TABLE",
    "block_product",
    "build_passages",
    "combine_passages",
    "coverage",
    "covered",
    "match_sentences",
    "uncovered_matches",
]

#: Columns of the sentence-match table: pair row, the two sentence rows, similarity.
MATCH_COLUMNS = ("pair", "si", "sj", "sim")

#: Columns of the internal passage table (document positions ``ai < bi``).
PASSAGE_TABLE = (
    "pair",
    "ai",
    "bi",
    "a_start",
    "a_end",
    "b_start",
    "b_end",
    "kind",
    "similarity",
    "n_sentences",
)

_MAX_GAP = 2


def match_sentences(
    pairs: np.ndarray,
    sentences: pd.DataFrame,
    word_vectors: sp.csr_matrix,
    char_vectors: sp.csr_matrix,
    config: SentenceConfig,
    *,
    exclude: np.ndarray | None = None,
) -> pd.DataFrame:
    """One-to-one sentence matches for every document pair.

    Parameters
    ----------
    pairs : ndarray of int64, shape (n_pairs, 2)
        Document positions.
    sentences : DataFrame
        From :func:`lineage.normalize.sentence_table` (``doc, start, end, n_chars``).
    word_vectors : csr_matrix
        L2-normalised word TF-IDF rows, one per row of ``sentences``.
    char_vectors : csr_matrix, or callable
        Character TF-IDF rows likewise, or ``f(rows) -> csr_matrix`` giving the rows
        of just those sentences (only sentences whose words match are asked for).
    config : SentenceConfig
    exclude : ndarray of bool, optional
        Sentences never matched (boilerplate).

    Returns
    -------
    DataFrame
        Columns :data:`MATCH_COLUMNS`; ``pair`` indexes ``pairs``; ``si`` and ``sj``
        index ``sentences`` (a sentence of ``a`` and one of ``b``).
    """
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    ok = sentences["n_chars"].to_numpy() >= config.min_chars
    if exclude is not None:
        ok &= ~exclude
    eligible = np.flatnonzero(ok)
    n_docs = int(max(pairs.max(initial=-1), sentences["doc"].max() if len(sentences) else -1)) + 1
    counts = np.bincount(sentences["doc"].to_numpy()[eligible], minlength=n_docs)
    first = np.r_[0, np.cumsum(counts)[:-1]]
    pair, si, sj, word = _word_matches(pairs, counts, first, eligible, word_vectors,
                                       config.rewritten / 3)
    if len(pair) == 0:
        return pd.DataFrame({c: pd.Series(dtype="float64" if c == "sim" else "int64")
                             for c in MATCH_COLUMNS})
    char = _char_cosines(char_vectors, si, sj)
    sim = (word + char) / 2
    keep = sim >= config.rewritten
    found = [pd.DataFrame({"pair": pair[keep], "si": si[keep], "sj": sj[keep],
                           "sim": sim[keep]})]
    matches = pd.concat(found, ignore_index=True)
    return _mutual_best(matches)


def build_passages(
    matches: pd.DataFrame, pairs: np.ndarray, sentences: pd.DataFrame, config: SentenceConfig
) -> pd.DataFrame:
    """Merge neighbouring sentence matches of the same kind into passages.

    Returns
    -------
    DataFrame
        Columns :data:`PASSAGE_TABLE`, ordered by pair and ``a_start``. ``kind`` is
        ``verbatim`` when every merged sentence reaches ``config.verbatim``.
    """
    if matches.empty:
        return pd.DataFrame(columns=list(PASSAGE_TABLE))
    m = matches.sort_values(["pair", "si"]).reset_index(drop=True)
    kind = np.where(m["sim"].to_numpy() >= config.verbatim, "verbatim", "rewritten")
    pair, si, sj = (m[c].to_numpy() for c in ("pair", "si", "sj"))
    doc = sentences["doc"].to_numpy()
    breaks = np.ones(len(m), dtype=bool)
    breaks[1:] = (
        (pair[1:] != pair[:-1])
        | (kind[1:] != kind[:-1])
        | (si[1:] - si[:-1] > _MAX_GAP)
        | (sj[1:] - sj[:-1] <= 0)
        | (sj[1:] - sj[:-1] > _MAX_GAP)
        | (doc[si[1:]] != doc[si[:-1]])
    )
    start, end = sentences["start"].to_numpy(), sentences["end"].to_numpy()
    length = (end[si] - start[si]).astype(np.float64)
    frame = pd.DataFrame(
        {
            "run": np.cumsum(breaks),
            "pair": pair,
            "a_start": start[si],
            "a_end": end[si],
            "b_start": start[sj],
            "b_end": end[sj],
            "kind": kind,
            "weighted": m["sim"].to_numpy() * length,
            "length": length,
        }
    )
    out = frame.groupby("run", sort=True).agg(
        pair=("pair", "first"),
        a_start=("a_start", "min"),
        a_end=("a_end", "max"),
        b_start=("b_start", "min"),
        b_end=("b_end", "max"),
        kind=("kind", "first"),
        weighted=("weighted", "sum"),
        length=("length", "sum"),
        n_sentences=("pair", "size"),
    )
    out["similarity"] = (out["weighted"] / out["length"]).round(4)
    out["ai"] = pairs[out["pair"].to_numpy(), 0]
    out["bi"] = pairs[out["pair"].to_numpy(), 1]
    return out[list(PASSAGE_TABLE)].reset_index(drop=True)


def combine_passages(verbatim: pd.DataFrame, sentence: pd.DataFrame) -> pd.DataFrame:
    """Token-level verbatim passages, plus the sentence passages they do not cover.

    A sentence passage is dropped when verbatim passages of the same pair already
    cover half of its span in ``a`` or in ``b`` (:func:`covered`).
    """
    if verbatim.empty:
        return sentence.reset_index(drop=True)
    if sentence.empty:
        return verbatim.sort_values(["pair", "a_start"]).reset_index(drop=True)
    kept = sentence.loc[~covered(sentence, verbatim), list(PASSAGE_TABLE)]
    out = pd.concat([verbatim[list(PASSAGE_TABLE)], kept], ignore_index=True)
    return out.sort_values(["pair", "a_start"]).reset_index(drop=True)


def uncovered_matches(matches: pd.DataFrame, sentences: pd.DataFrame,
                      verbatim: pd.DataFrame) -> pd.DataFrame:
    """The sentence matches whose sentences verbatim passages do not cover (half of
    either sentence, :func:`covered`), so that passages built from them fill the
    gaps between verbatim runs (a copy whose verbatim runs are cut short by misread
    letters or small edits) instead of being dropped whole beside them."""
    if matches.empty or verbatim.empty:
        return matches
    start, end = sentences["start"].to_numpy(), sentences["end"].to_numpy()
    spans = pd.DataFrame({"pair": matches["pair"].to_numpy(),
                          "a_start": start[matches["si"]], "a_end": end[matches["si"]],
                          "b_start": start[matches["sj"]], "b_end": end[matches["sj"]]})
    return matches[~covered(spans, verbatim)].reset_index(drop=True)


def covered(spans: pd.DataFrame, verbatim: pd.DataFrame) -> np.ndarray:
    """Per row of ``spans`` (``pair, a_start, a_end, b_start, b_end``): whether the
    verbatim passages of its pair cover half of its span in ``a`` or in ``b``."""
    s = spans.reset_index(drop=True).assign(_row=lambda f: np.arange(len(f)))
    both = s[["pair", "a_start", "a_end", "b_start", "b_end", "_row"]].merge(
        verbatim[["pair", "a_start", "a_end", "b_start", "b_end"]], on="pair",
        suffixes=("", "_v"))
    over_a = (np.minimum(both["a_end"], both["a_end_v"]) - np.maximum(both["a_start"],
              both["a_start_v"])).clip(lower=0)
    over_b = (np.minimum(both["b_end"], both["b_end_v"]) - np.maximum(both["b_start"],
              both["b_start_v"])).clip(lower=0)
    both = both.assign(over_a=over_a, over_b=over_b)
    cover = both.groupby("_row")[["over_a", "over_b"]].sum()
    out = np.zeros(len(s), dtype=bool)
    idx = cover.index.to_numpy()
    out[idx] = (cover["over_a"].to_numpy() >= 0.5 * (s.loc[idx, "a_end"] - s.loc[idx,
                "a_start"]).to_numpy()) | (cover["over_b"].to_numpy() >= 0.5 * (
                s.loc[idx, "b_end"] - s.loc[idx, "b_start"]).to_numpy())
    return out


def coverage(passages: pd.DataFrame, n_pairs: int, n_chars_a: np.ndarray,
             n_chars_b: np.ndarray, *, verbatim: bool = True) -> pd.DataFrame:
    """Per pair: the share of each text inside passages, and passage counts.

    Overlapping passages (a verbatim phrase inside a rewritten sentence) count once:
    the shares are of the union of the spans.

    Returns
    -------
    DataFrame
        ``n_pairs`` rows, columns ``aligned_a, aligned_b, n_passages``, ``n_verbatim``
        (verbatim passages), ``n_sentences`` (matched sentences), ``verbatim_chars``
        (characters of ``a`` in verbatim passages), and with ``verbatim`` (the
        default) ``verbatim_a, verbatim_b`` (the share of each text inside verbatim
        passages).
    """
    counts = ["n_passages", "n_verbatim", "n_sentences", "verbatim_chars"]
    shares = ["aligned_a", "aligned_b", *(["verbatim_a", "verbatim_b"] if verbatim else [])]
    out = pd.DataFrame(0.0, index=np.arange(n_pairs), columns=[*shares, *counts])
    if not passages.empty:
        verb = (passages["kind"] == "verbatim").to_numpy()
        p = passages.assign(
            verb=verb.astype(np.int64),
            vchars=np.where(verb, passages["a_end"] - passages["a_start"], 0),
        )
        g = p.groupby("pair").agg(
            n_passages=("kind", "size"), n_verbatim=("verb", "sum"),
            n_sentences=("n_sentences", "sum"), verbatim_chars=("vchars", "sum"),
        )
        idx = g.index.to_numpy()
        spans = [("aligned", p)] + ([("verbatim", p[verb])] if verbatim else [])
        for name, part in spans:
            for side, n_chars in (("a", n_chars_a), ("b", n_chars_b)):
                length = _union_length(part["pair"].to_numpy(), part[f"{side}_start"].to_numpy(),
                                       part[f"{side}_end"].to_numpy())
                out.loc[idx, f"{name}_{side}"] = (length.reindex(idx, fill_value=0).to_numpy()
                                                  / np.maximum(n_chars[idx], 1))
        for col in counts:
            out.loc[idx, col] = g[col].to_numpy()
    out[shares] = out[shares].clip(0.0, 1.0)
    for col in counts:
        out[col] = out[col].astype(np.int64)
    return out


def _union_length(pair: np.ndarray, start: np.ndarray, end: np.ndarray) -> pd.Series:
    """Total length of the union of ``[start, end)`` spans, per pair."""
    order = np.lexsort((start, pair))
    pair, start, end = pair[order], start[order], end[order]
    frame = pd.DataFrame({"pair": pair, "start": start, "end": end})
    reach = frame.groupby("pair")["end"].cummax()
    prev = reach.groupby(frame["pair"]).shift(1)
    begin = np.maximum(start, prev.fillna(-1).to_numpy())
    length = np.clip(end - begin, 0, None)
    length = np.where(prev.isna().to_numpy(), end - start, length)
    return pd.Series(length).groupby(pair).sum()


def block_product(vectors: sp.csr_matrix, rows_a: np.ndarray, rows_b: np.ndarray
                  ) -> sp.csr_matrix:
    """``vectors[rows_a] @ vectors[rows_b].T``, at a cost that does not grow with the columns.

    scipy multiplies a CSR block by a transposed one after converting the transpose,
    which allocates and scans an array as long as the number of columns (every
    distinct term of the corpus): done once per document, that makes a sentence
    comparison cost grow with the corpus. Here the two blocks are first renumbered
    onto the columns they use. The stored order within each row is kept, so every
    product is summed in the same order and is bit-for-bit scipy's.

    Parameters
    ----------
    vectors : csr_matrix, shape (n_rows, n_columns)
    rows_a, rows_b : ndarray of int
        Rows to multiply.

    Returns
    -------
    csr_matrix, shape (len(rows_a), len(rows_b))
    """
    a, b = vectors[rows_a], vectors[rows_b]
    codes, used = pd.factorize(np.concatenate([a.indices, b.indices]))
    n = max(len(used), 1)
    a = sp.csr_matrix((a.data, codes[: a.nnz], a.indptr), shape=(a.shape[0], n))
    b = sp.csr_matrix((b.data, codes[a.nnz :], b.indptr), shape=(b.shape[0], n))
    return (a @ b.T).tocsr()


# -- private helpers ---------------------------------------------------------------


def _char_cosines(char_vectors, si: np.ndarray, sj: np.ndarray) -> np.ndarray:
    if not callable(char_vectors):
        return rowwise_cosine(char_vectors, np.column_stack([si, sj]))
    needed = np.unique(np.concatenate([si, sj]))
    rows = char_vectors(needed)
    local = np.column_stack([np.searchsorted(needed, si), np.searchsorted(needed, sj)])
    return rowwise_cosine(rows, local)


def _word_matches(pairs, counts, first, eligible, vectors, floor):
    """Sentence pairs whose word cosine reaches ``floor``, one sparse product per document.

    The pairs are grouped by their first document: its sentences are multiplied at
    once with the sentences of all its partners, so only sentence pairs sharing a
    word are ever materialised, and no Python loop runs over document pairs.

    Returns
    -------
    (pair, si, sj, word) : ndarrays
        Index into ``pairs``, the two sentence rows, and their word cosine.
    """
    out_pair, out_si, out_sj, out_w = [], [], [], []
    if len(pairs) == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty, np.empty(0)
    order = np.argsort(pairs[:, 0], kind="stable")
    docs_a = pairs[order, 0]
    bounds = np.flatnonzero(np.r_[True, docs_a[1:] != docs_a[:-1], True])
    for lo, hi in _group_bounds(bounds):
        a = docs_a[lo]
        if counts[a] == 0:
            continue
        rows_a = eligible[first[a] : first[a] + counts[a]]
        idx = order[lo:hi]
        nb = counts[pairs[idx, 1]]
        if nb.sum() == 0:
            continue
        starts = first[pairs[idx, 1]]
        local = np.arange(nb.sum()) - np.repeat(np.cumsum(nb) - nb, nb)
        rows_b = eligible[np.repeat(starts, nb) + local]
        col_pair = np.repeat(idx, nb)
        prod = block_product(vectors, rows_a, rows_b).tocoo()
        keep = prod.data >= floor
        out_pair.append(col_pair[prod.col[keep]])
        out_si.append(rows_a[prod.row[keep]])
        out_sj.append(rows_b[prod.col[keep]])
        out_w.append(np.minimum(prod.data[keep].astype(np.float64), 1.0))
    if not out_pair:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty, np.empty(0)
    return (np.concatenate(out_pair), np.concatenate(out_si), np.concatenate(out_sj),
            np.concatenate(out_w))


def _group_bounds(bounds: np.ndarray):
    """Consecutive ``(lo, hi)`` from an array of group boundaries."""
    return zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True)


def _mutual_best(matches: pd.DataFrame) -> pd.DataFrame:
    m = matches.sort_values(["pair", "sim", "si", "sj"], ascending=[True, False, True, True])
    m = m.drop_duplicates(["pair", "si"]).drop_duplicates(["pair", "sj"])
    return m.sort_values(["pair", "si"]).reset_index(drop=True)[list(MATCH_COLUMNS)]
