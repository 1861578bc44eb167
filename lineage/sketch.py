"""MinHash signatures, computed for a whole corpus at once with numpy.

The permutations are datasketch's own (``MinHash(num_perm, seed).permutations``,
the ``affine32`` scheme), and each shingle hash goes through the same MurmurHash3
finaliser, so a signature here equals datasketch's ``MinHash`` built from the same
32-bit shingle hashes with an identity hash function.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

import numpy as np
from datasketch import MinHash

from lineage.shingle import resolve_jobs

__all__ = ["minhash_signatures", "permutations"]

_EMPTY = np.uint32(0xFFFFFFFF)


@lru_cache(maxsize=8)
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine permutation parameters ``(a, b)``, each shape (num_perm,)."""
    a, b = MinHash(num_perm=num_perm, seed=seed).permutations
    return np.asarray(a, dtype=np.uint32), np.asarray(b, dtype=np.uint32)


def minhash_signatures(
    shingle_sets: Sequence[np.ndarray], *, num_perm: int = 128, seed: int = 1,
    chunk_shingles: int = 1 << 14, jobs: int | None = None,
) -> np.ndarray:
    """MinHash signature of every document.

    Parameters
    ----------
    shingle_sets : sequence of ndarray of uint32
        One array of distinct shingle hashes per document.
    num_perm : int, default 128
    seed : int, default 1
    chunk_shingles : int, default 2**14
        Shingles processed at once per thread (``chunk * num_perm * 4`` bytes, 8 MiB
        at the defaults: small enough to stay in cache, which is faster than larger).
        A document with more shingles than this is processed alone.
    jobs : int, optional
        Threads (numpy releases the GIL in the arithmetic); ``None`` (default) uses
        every core. The result does not depend on ``jobs``.

    Returns
    -------
    ndarray of uint32, shape (n_documents, num_perm)
        A document without shingles gets all ``0xFFFFFFFF``.
    """
    a, b = permutations(num_perm, seed)
    n_docs = len(shingle_sets)
    out = np.full((n_docs, num_perm), _EMPTY, dtype=np.uint32)
    sizes = np.fromiter((len(s) for s in shingle_sets), dtype=np.int64, count=n_docs)
    bounds, doc = [], 0
    while doc < n_docs:
        stop, total = doc, 0
        while stop < n_docs and (stop == doc or total + sizes[stop] <= chunk_shingles):
            total += sizes[stop]
            stop += 1
        bounds.append((doc, stop))
        doc = stop
    jobs = min(resolve_jobs(jobs), len(bounds))
    if jobs <= 1:
        for lo, hi in bounds:
            _fill(out, shingle_sets, lo, hi, sizes, a, b)
    else:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            list(pool.map(lambda lh: _fill(out, shingle_sets, *lh, sizes, a, b), bounds))
    return out


def _fill(out, shingle_sets, lo, hi, sizes, a, b) -> None:
    """Signatures of documents ``lo:hi``, permutations along rows of a (num_perm, m) block.

    The block is laid out so that ``np.minimum.reduceat`` reduces contiguous runs
    (one document's shingles under one permutation): about ten times faster than
    reducing across rows of an (m, num_perm) block.
    """
    keep = [i for i in range(lo, hi) if sizes[i] > 0]
    if not keep:
        return
    hv = _fmix32(np.concatenate([shingle_sets[i] for i in keep]).astype(np.uint32))
    phv = np.empty((len(a), len(hv)), dtype=np.uint32)
    with np.errstate(over="ignore"):
        np.multiply(a[:, None], hv[None, :], out=phv)
        phv += b[:, None]
    offsets = np.concatenate([[0], np.cumsum(sizes[keep])[:-1]])
    out[keep] = np.minimum.reduceat(phv, offsets, axis=1).T


def _fmix32(h: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        h = h ^ (h >> np.uint32(16))
        h = h * np.uint32(0x85EBCA6B)
        h = h ^ (h >> np.uint32(13))
        h = h * np.uint32(0xC2B2AE35)
        return h ^ (h >> np.uint32(16))
