"""Candidate pairs: banded LSH over MinHash signatures, and TF-IDF neighbours by blocking.

Neither step compares all pairs. LSH groups documents whose signatures agree on a
whole band; blocking indexes each document under its few highest-weighted terms
(names, numbers, rare words) and a hash-chosen sample of its word shingles
(fingerprints of its passages), that are not too common, so a pair is looked at
only when the two share at least ``min_shared_terms`` such terms or fingerprints.
Pairs are int64 arrays of document positions, shape (n_pairs, 2), ``a < b``,
sorted, without duplicates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
from datasketch.lsh import _optimal_param

from lineage.config import CandidateConfig

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "FINGERPRINT_PREFIX",
    "fingerprint_matrix",
    "fingerprints",
    "lsh_candidates",
    "lsh_params",
    "rowwise_cosine",
    "strongest_partners",
    "tfidf_candidates",
    "top_terms",
    "union_pairs",
]

#: Marks a fingerprint among blocking terms where both are strings or term hashes (the
#: Spark engine, the index): no word feature holds a NUL.
FINGERPRINT_PREFIX = "\x00fp"

_MAX_BUCKET = 500
_MAX_CODED = 3_037_000_499  # n * n + n fits in int64


def lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """Bands and rows for a Jaccard ``threshold`` (datasketch's own optimiser)."""
    return _optimal_param(threshold, num_perm, 0.5, 0.5)


def lsh_candidates(signatures: np.ndarray, *, threshold: float,
                   priority: np.ndarray | None = None) -> np.ndarray:
    """Pairs of documents that share at least one LSH band.

    Parameters
    ----------
    signatures : ndarray of uint32, shape (n_documents, num_perm)
    threshold : float
        Jaccard similarity the bands are tuned to.
    priority : ndarray of int64, optional
        Per document, lower first: the order in which a huge band group (one story
        run by more outlets than ``_MAX_BUCKET``) picks the members it links every
        other member to (:func:`_pairs_in_groups`), e.g. likely sources first
        (:func:`lineage.direction.source_rank`); by position when not given.

    Returns
    -------
    ndarray of int64, shape (n_pairs, 2)
    """
    num_perm = signatures.shape[1]
    bands, rows = lsh_params(threshold, num_perm)
    empty = np.all(signatures == np.uint32(0xFFFFFFFF), axis=1)
    found = []
    for band in range(bands):
        block = np.ascontiguousarray(signatures[:, band * rows : (band + 1) * rows])
        keys = _row_keys(block)
        keys[empty] = np.arange(empty.sum(), dtype=np.uint64) ^ np.uint64(0xDEADBEEF << 20)
        found.append(_pairs_in_groups(keys, priority))
    return union_pairs(*found)


def tfidf_candidates(vectors: sp.csr_matrix, config: CandidateConfig,
                     fingerprints: sp.csr_matrix | None = None) -> np.ndarray:
    """Pairs that share rare high-weight terms and have word TF-IDF cosine >= min_cosine.

    Parameters
    ----------
    vectors : csr_matrix, shape (n_documents, n_terms)
        L2-normalised TF-IDF rows.
    config : CandidateConfig
    fingerprints : csr_matrix, shape (n_documents, n_fingerprints), optional
        Binary marks of each document's sampled shingle fingerprints
        (:func:`fingerprint_matrix`), blocked on like terms: a copy that adds much
        of its own text may share few top terms with its source, but shares the
        fingerprints of the passages it took.

    Returns
    -------
    ndarray of int64, shape (n_pairs, 2)
        At most ``neighbours`` best partners kept per document.
    """
    n_docs = vectors.shape[0]
    if n_docs < 2:
        return np.empty((0, 2), dtype=np.int64)
    block = top_terms(vectors, config.block_terms)
    if fingerprints is not None and fingerprints.shape[1]:
        block = sp.hstack([block, fingerprints.astype(np.float32)], format="csr")
    df = np.asarray(block.sum(axis=0)).ravel()
    usable = (df >= 2) & (df <= config.max_block_df)
    block = block[:, np.flatnonzero(usable)]
    shared = sp.triu(block @ block.T, k=1).tocoo()
    keep = shared.data >= config.min_shared_terms
    pairs = np.column_stack([shared.row[keep], shared.col[keep]]).astype(np.int64)
    if len(pairs) == 0:
        return pairs
    cos = rowwise_cosine(vectors, pairs)
    pairs, cos = pairs[cos >= config.min_cosine], cos[cos >= config.min_cosine]
    return _top_k_each(pairs, cos, config.neighbours)


def fingerprints(shingles: np.ndarray, sample: int) -> np.ndarray:
    """The shingles kept as fingerprints: about one in ``sample``, chosen by hash value
    (so two texts keep the same ones wherever they share them), sorted, distinct."""
    s = np.asarray(shingles, dtype=np.uint32)
    if sample == 1:
        return np.unique(s)
    with np.errstate(over="ignore"):
        mixed = (s.astype(np.uint64) * np.uint64(0x9E3779B1)) & np.uint64(0xFFFFFFFF)
    return np.unique(s[mixed % np.uint64(sample) == 0])


def fingerprint_matrix(shingles: list[np.ndarray], sample: int) -> sp.csr_matrix | None:
    """Binary (documents x distinct fingerprints) matrix of :func:`fingerprints`;
    None when ``sample`` is 0 (fingerprints turned off)."""
    if sample <= 0:
        return None
    kept = [fingerprints(s, sample) for s in shingles]
    sizes = np.fromiter((len(k) for k in kept), np.int64, len(kept))
    flat = np.concatenate(kept) if kept else np.empty(0, np.uint32)
    cols, inverse = np.unique(flat, return_inverse=True)
    rows = np.repeat(np.arange(len(kept)), sizes)
    return sp.csr_matrix((np.ones(len(flat), np.float32), (rows, inverse.ravel())),
                         shape=(len(kept), len(cols)))


def union_pairs(*arrays: np.ndarray) -> np.ndarray:
    """Sorted distinct union of pair arrays (each row ``a < b``)."""
    arrays = [np.asarray(a, dtype=np.int64).reshape(-1, 2) for a in arrays if len(a)]
    if not arrays:
        return np.empty((0, 2), dtype=np.int64)
    pairs = np.concatenate(arrays)
    n = int(pairs.max()) + 1
    if pairs.min() < 0 or n > _MAX_CODED:
        return np.unique(pairs, axis=0)
    code = np.unique(pairs[:, 0] * n + pairs[:, 1])
    return np.column_stack([code // n, code % n])


def rowwise_cosine(
    vectors: sp.csr_matrix, pairs: np.ndarray, *, clip: bool = True, chunk: int = 200_000,
    chunk_nnz: int = 20_000_000, block_cells: int = 4_000_000,
) -> np.ndarray:
    """Dot product of rows ``pairs[:, 0]`` and ``pairs[:, 1]`` (cosine for L2 rows).

    With ``clip`` (default) the result is clipped to [0, 1] against rounding. Pairs
    are processed in chunks of at most ``chunk`` pairs whose rows hold at most
    ``chunk_nnz`` stored values together (a chunk has at least one pair), so memory
    stays bounded however long the rows are. A connected group of rows with many pairs
    among them (one story's near-duplicates, and their sentences) is instead read off
    its Gram matrix, ``block_cells`` values at a time, when that is less work.
    """
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    out = np.empty(len(pairs), dtype=np.float64)
    row_nnz = np.diff(vectors.indptr).astype(np.int64)
    done = np.zeros(len(pairs), dtype=bool)
    for rows in _pair_groups(pairs, vectors.shape[0]):
        # a group of documents with many pairs among them (near-duplicates of one
        # story, the sentences of their copies): one sparse product of the group's
        # rows, when its multiplications are at most twice those of a product per
        # pair (which also copies both rows of every pair: measured, the one product
        # is about four times faster per multiplication)
        budget = 2 * int(row_nnz[pairs[rows]].sum())
        docs, at = np.unique(pairs[rows], return_inverse=True)
        if len(docs) ** 2 > budget:
            continue
        sub = vectors[docs]
        per_column = np.bincount(sub.indices).astype(np.int64)
        if int((per_column ** 2).sum()) + len(docs) ** 2 > budget:
            continue
        out[rows] = _gram_lookup(sub, at.reshape(-1, 2), max(1, block_cells // len(docs)))
        done[rows] = True
    rest = np.flatnonzero(~done)
    cost = np.cumsum(row_nnz[pairs[rest, 0]] + row_nnz[pairs[rest, 1]])
    lo = 0
    while lo < len(rest):
        base = cost[lo - 1] if lo else 0
        hi = int(np.searchsorted(cost, base + chunk_nnz, side="right"))
        hi = min(max(hi, lo + 1), lo + chunk)
        p = pairs[rest[lo:hi]]
        out[rest[lo:hi]] = np.asarray(
            vectors[p[:, 0]].multiply(vectors[p[:, 1]]).sum(axis=1)
        ).ravel()
        lo = hi
    return np.clip(out, 0.0, 1.0) if clip else out


def _gram_lookup(sub: sp.csr_matrix, at: np.ndarray, block: int) -> np.ndarray:
    """``sub[i] . sub[j]`` for each row ``(i, j)`` of ``at``, from the Gram matrix of
    ``sub`` computed ``block`` rows at a time (``block x len(sub)`` values held)."""
    out = np.empty(len(at), dtype=np.float64)
    order = np.argsort(at[:, 0], kind="stable")
    first = at[order, 0]
    right = sub.T.tocsr()  # once: a product with a CSC right side converts it each time
    for start in range(0, sub.shape[0], block):
        lo, hi = np.searchsorted(first, [start, start + block])
        if lo == hi:
            continue
        sel = order[lo:hi]
        gram = (sub[start:start + block] @ right).toarray()
        out[sel] = gram[at[sel, 0] - start, at[sel, 1]]
    return out


def _pair_groups(pairs: np.ndarray, n: int, *, min_pairs: int = 1000) -> list[np.ndarray]:
    """Positions of the pairs of each connected group of documents with at least
    ``min_pairs`` pairs."""
    if len(pairs) < min_pairs:
        return []
    from scipy.sparse.csgraph import connected_components

    graph = sp.coo_matrix((np.ones(len(pairs), dtype=np.int8), (pairs[:, 0], pairs[:, 1])),
                          shape=(n, n))
    _, label = connected_components(graph, directed=False)
    group = label[pairs[:, 0]]
    n_docs = np.bincount(label)
    n_pairs = np.bincount(group, minlength=len(n_docs))
    chosen = np.flatnonzero(n_pairs >= min_pairs)
    if not len(chosen):
        return []
    order = np.argsort(group, kind="stable")
    cuts = np.searchsorted(group[order], chosen)
    return [order[c:c + n_pairs[g]] for c, g in zip(cuts, chosen, strict=True)]


# -- private helpers ---------------------------------------------------------------


def _row_keys(block: np.ndarray) -> np.ndarray:
    keys = np.zeros(block.shape[0], dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(block.shape[1]):
            keys = (keys ^ block[:, j].astype(np.uint64)) * np.uint64(0x9E3779B97F4A7C15)
            keys ^= keys >> np.uint64(31)
    return keys


def _pairs_in_groups(keys: np.ndarray, priority: np.ndarray | None = None) -> np.ndarray:
    """All pairs of positions with equal keys; a huge group links each to its first members.

    A group of ``size > _MAX_BUCKET`` gives only the pairs ``(i, j)`` with ``i`` among
    its first ``_MAX_BUCKET`` members (by ``priority``, then position), about
    ``500 * size`` pairs instead of ``size**2 / 2``, and never builds a
    ``size x size`` index. Pairs come as ``(lower, higher)`` positions.
    """
    order = (np.argsort(keys, kind="stable") if priority is None
             else np.lexsort((np.asarray(priority, dtype=np.int64), keys)))
    sorted_keys = keys[order]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    sizes = np.diff(np.r_[starts, len(keys)])
    out = []
    small = sizes[(sizes > 1) & (sizes <= _MAX_BUCKET)]
    for size in np.unique(small):
        group_starts = starts[sizes == size]
        members = order[group_starts[:, None] + np.arange(size)[None, :]]
        i, j = np.triu_indices(size, k=1)
        out.append(_ordered(members[:, i].ravel(), members[:, j].ravel()))
    for start, size in zip(starts[sizes > _MAX_BUCKET], sizes[sizes > _MAX_BUCKET], strict=True):
        members = order[start : start + size]
        for i in range(_MAX_BUCKET):
            out.append(_ordered(np.full(size - i - 1, members[i]), members[i + 1 :]))
    if not out:
        return np.empty((0, 2), dtype=np.int64)
    return np.concatenate(out).astype(np.int64)


def _ordered(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.column_stack([np.minimum(a, b), np.maximum(a, b)])


def top_terms(vectors: sp.csr_matrix, k: int, *, chunk_nnz: int = 4_000_000
              ) -> sp.csr_matrix:
    """Binary matrix marking each row's ``k`` highest-weighted terms.

    Equal weights are ordered by column: for :func:`lineage.wordvectors.word_tfidf`'s
    rows that is term-hash order, which does not depend on the rest of the corpus, so
    an index picks a new document's terms as a full run over everything would. Rows
    are ranked in blocks of about ``chunk_nnz`` stored values.
    """
    v = vectors.tocsr()
    if v.nnz and float(v.data.min()) < 0:  # the bit trick below orders non-negative floats
        raise ValueError("top_terms needs non-negative weights")
    rows, cols = [], []
    lo = 0
    while lo < v.shape[0]:  # blocks of rows: the sort's working memory stays small
        hi = max(lo + 1, int(np.searchsorted(v.indptr, v.indptr[lo] + chunk_nnz, side="right")) - 1)
        hi = min(hi, v.shape[0])
        r, c = _top_of_rows(v[lo:hi], k)
        rows.append(r + lo)
        cols.append(c)
        lo = hi
    rows = np.concatenate(rows) if rows else np.empty(0, np.int64)
    cols = np.concatenate(cols) if cols else np.empty(0, np.int32)
    return sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                         shape=vectors.shape)


def _top_of_rows(v: sp.csr_matrix, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of each row's ``k`` largest entries, ties by lower column.

    One stable sort on (row, descending weight) over column-sorted rows keeps the
    column order of ties; the bits of a non-negative float32 order as the float does
    (a 3-key lexsort was 4x slower and the largest cost of the candidate stage).
    """
    v = v if v.has_sorted_indices else v.sorted_indices()
    row = np.repeat(np.arange(v.shape[0], dtype=np.uint64), np.diff(v.indptr))
    bits = np.asarray(v.data, dtype=np.float32).view(np.uint32)
    order = np.argsort((row << np.uint64(32)) | (np.uint64(0xFFFFFFFF) - bits), kind="stable")
    ranked = row[order].astype(np.int64)
    top = (np.arange(len(ranked)) - np.searchsorted(ranked, ranked, side="left")) < k
    return ranked[top], v.indices[order[top]]


def strongest_partners(scores: pd.DataFrame, k: int, rank: np.ndarray | None = None) -> np.ndarray:
    """Which scored pairs to keep: those among the ``k`` partners that hold most of
    either document (``containment_ab`` for ``a``, ``containment_ba`` for ``b``) or
    among either's ``k`` nearest by ``tfidf_cosine`` (rewritten copies).

    ``scores`` is :func:`lineage.score.score_pairs`' table. Partners that hold a
    document equally go by ``rank`` (per document position, lower first: the likelier
    source, e.g. a wire service, then the earliest published), then by Jaccard, then
    by position. Returns a boolean mask over the rows; all True when ``k`` is 0 or no
    document has more than ``k`` partners. A copy's source holds all of it that the
    copy did not change, as much as any other copy of the same text can, so a copy
    keeps its source among its ``k`` however many copies of that text there are.
    """
    n = len(scores)
    a, b = scores["ai"].to_numpy(np.int64), scores["bi"].to_numpy(np.int64)
    if k <= 0 or n == 0 or np.bincount(np.concatenate([a, b])).max() <= k:
        return np.ones(n, dtype=bool)
    node = np.concatenate([a, b])
    other = np.concatenate([b, a])
    idx = np.concatenate([np.arange(n), np.arange(n)])
    held = np.concatenate([scores["containment_ab"].to_numpy(np.float64),
                           scores["containment_ba"].to_numpy(np.float64)])
    jaccard = np.tile(scores["jaccard"].to_numpy(np.float64), 2)
    cosine = np.tile(scores["tfidf_cosine"].to_numpy(np.float64), 2)
    prior = (np.zeros(len(other)) if rank is None
             else np.asarray(rank, dtype=np.float64)[other])
    keep = np.zeros(n, dtype=bool)
    # np.lexsort sorts by its last key first
    for keys in ((other, -jaccard, prior, -held), (other, prior, -cosine)):
        keep[idx[_first_k(node, keys, k)]] = True
    return keep


def _top_k_each(pairs: np.ndarray, scores: np.ndarray, k: int) -> np.ndarray:
    """Keep a pair when it is among the ``k`` best of either of its documents."""
    both = np.concatenate([pairs[:, 0], pairs[:, 1]])
    idx = np.concatenate([np.arange(len(pairs))] * 2)
    s = np.concatenate([scores, scores])
    keep = np.unique(idx[_first_k(both, (-s,), k)])
    return union_pairs(pairs[keep])


def _first_k(node: np.ndarray, keys: tuple[np.ndarray, ...], k: int) -> np.ndarray:
    """True for the entries among the ``k`` first of their ``node`` in the order of
    ``keys`` (``np.lexsort``'s: the last key first; ties by position)."""
    order = np.lexsort((*keys, node))
    ranked = node[order]
    place = np.arange(len(ranked)) - np.searchsorted(ranked, ranked, side="left")
    first = np.zeros(len(node), dtype=bool)
    first[order[place < k]] = True
    return first
