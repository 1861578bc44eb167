"""Word n-gram shingles, hashed to stable 32-bit values.

A shingle is ``size`` consecutive token forms. Its hash depends only on the forms
(BLAKE2b of each form, mixed positionally), never on the corpus, so sketches made
on different days can be compared.

:func:`shingle_corpus` is the fast path for a whole corpus: it takes only the token
forms (no offsets), hashes each distinct form once per worker, and spreads chunks
of documents over ``jobs`` processes. Its output equals calling
:func:`lineage.normalize.tokenize` and :func:`shingle_hashes` on every text, for
any ``jobs``.
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from functools import lru_cache
from itertools import chain

import numpy as np
import pandas as pd

from lineage.config import ShingleConfig
from lineage.normalize import _TOKEN, _UNSPACED_CHAR, Tokens, _form, is_unspaced

__all__ = [
    "ShingleSets",
    "hashed_tokens",
    "in_sorted",
    "positional_hashes",
    "positional_shingles",
    "resolve_jobs",
    "shingle_corpus",
    "shingle_hashes",
    "shingle_size",
    "size_for",
    "token_hashes",
]

_MIX = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93,
     0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53, 0x94D049BB133111EB, 0xBF58476D1CE4E5B9,
     0x2545F4914F6CDD1D, 0x9FB21C651E98DF25, 0xA0761D6478BD642F, 0xE7037ED1A0B428DB],
    dtype=np.uint64,
)

#: Below this many documents the process pool costs more than it saves.
_MIN_PARALLEL_DOCS = 2_000


def shingle_size(tokens: Tokens, config: ShingleConfig) -> int:
    """Tokens per shingle for this text: ``cjk_size`` for mostly unspaced scripts."""
    return size_for(is_unspaced(tokens), config)


def size_for(unspaced: bool, config: ShingleConfig) -> int:
    """Tokens per shingle for a text written without spaces between words (its tokens
    are single characters: ``cjk_size``) or with them (``size``), as
    :func:`hashed_tokens` reports it."""
    return config.cjk_size if unspaced else config.size


def token_hashes(forms: list[str]) -> np.ndarray:
    """Stable 64-bit hash of each token form, shape (n_tokens,)."""
    return np.fromiter(map(_hash_form, forms), dtype=np.uint64, count=len(forms))


def shingle_hashes(tokens: Tokens, config: ShingleConfig) -> np.ndarray:
    """The set of shingle hashes of one text.

    Parameters
    ----------
    tokens : Tokens
        From :func:`lineage.normalize.tokenize`.
    config : ShingleConfig

    Returns
    -------
    ndarray of uint32, shape (n_distinct_shingles,)
        Sorted, distinct. A text shorter than one shingle gives one shingle of all
        its tokens; an empty text gives an empty array.
    """
    return _shingles_of(token_hashes(tokens.forms), shingle_size(tokens, config))


def positional_shingles(tokens: Tokens, config: ShingleConfig) -> np.ndarray:
    """The hash of the shingle starting at each token, in text order.

    Returns
    -------
    ndarray of uint32, shape (max(n_tokens - size + 1, 1),)
        Entry ``i`` hashes tokens ``i .. i + size - 1`` (all tokens when the text is
        shorter than one shingle); empty for an empty text. ``np.unique`` of it is
        :func:`shingle_hashes`.
    """
    return _positional(token_hashes(tokens.forms), shingle_size(tokens, config))


def hashed_tokens(text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """Offsets and hashes of the tokens of ``text``, without keeping their strings.

    The same as ``tokenize(text)``'s ``starts`` and ``ends``, ``token_hashes`` of its
    forms and ``is_unspaced``, in one pass (each distinct token hashed once per
    process).

    Returns
    -------
    starts, ends : ndarray of int64
    hashes : ndarray of uint64
    unspaced : bool
        Mostly a script written without spaces (:func:`lineage.normalize.is_unspaced`).
    """
    matches = list(_TOKEN.finditer(text))
    n = len(matches)
    starts = np.fromiter((m.start() for m in matches), dtype=np.int64, count=n)
    ends = np.fromiter((m.end() for m in matches), dtype=np.int64, count=n)
    raw = [m.group() for m in matches]
    hashes = np.fromiter(map(_raw_hash, raw), dtype=np.uint64, count=n)
    unspaced = n > 0 and float(np.fromiter(map(_raw_unspaced, raw), dtype=bool,
                                           count=n).mean()) > 0.5
    return starts, ends, hashes, unspaced


def positional_hashes(hashes: np.ndarray, size: int) -> np.ndarray:
    """:func:`positional_shingles` from the text's token hashes and its shingle size.

    Parameters
    ----------
    hashes : ndarray of uint64
        :func:`token_hashes` of the text's token forms.
    size : int
        Tokens per shingle (:func:`shingle_size`).
    """
    return _positional(np.asarray(hashes, dtype=np.uint64), int(size))


def resolve_jobs(jobs: int | None) -> int:
    """Worker processes to use: ``None`` or ``0`` means all cores, negative counts back."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cores = cores or 1
    if not jobs:
        return cores
    return max(1, cores + 1 + jobs) if jobs < 0 else int(jobs)


@contextmanager
def worker_pool(jobs: int) -> Iterator[ProcessPoolExecutor]:
    """A process pool of ``jobs`` workers, forked where the platform allows.

    Forked workers need no ``if __name__ == "__main__"`` guard in the caller's
    script. The garbage collector is frozen while the pool lives, so that it does
    not touch (and so copy) every object of a large parent in each worker.
    """
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork") if "fork" in methods else None
    gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            yield pool
    finally:
        gc.unfreeze()


def shingle_corpus(
    texts: Sequence[str], config: ShingleConfig, *, jobs: int | None = None,
    chunk_docs: int = 1_000,
) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Shingle hashes of every text, in parallel.

    Parameters
    ----------
    texts : sequence of str
        Document texts, by position.
    config : ShingleConfig
    jobs : int, optional
        Worker processes; ``None`` (default) uses every core, ``1`` runs in this
        process. The output does not depend on ``jobs``.
    chunk_docs : int, default 1000
        Documents sent to a worker at once.

    Returns
    -------
    shingles : list of ndarray of uint32
        ``shingle_hashes(tokenize(text), config)`` for each text.
    sizes : ndarray of int64, shape (n_texts,)
        Tokens per shingle used for each text (:func:`shingle_size`).
    n_words : ndarray of int64, shape (n_texts,)
        Tokens in each text (``len(tokenize(text))``).
    """
    texts = list(texts)
    jobs = min(resolve_jobs(jobs), max(1, len(texts) // chunk_docs))
    chunks = [texts[i : i + chunk_docs] for i in range(0, len(texts), chunk_docs)]
    args = [(c, config.size, config.cjk_size) for c in chunks]
    if jobs <= 1 or len(texts) < _MIN_PARALLEL_DOCS:
        parts = [_shingle_chunk(a) for a in args]
    else:
        with worker_pool(jobs) as pool:
            parts = list(pool.map(_shingle_chunk, args))
    shingles = [s for part in parts for s in part[0]]
    sizes = np.concatenate([p[1] for p in parts]) if parts else np.empty(0, np.int64)
    n_words = np.concatenate([p[2] for p in parts]) if parts else np.empty(0, np.int64)
    return shingles, sizes, n_words


# -- private helpers ---------------------------------------------------------------


def _shingle_chunk(
    args: tuple[list[str], int, int],
) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Shingles of a chunk of texts; each distinct raw token is hashed once per chunk."""
    texts, size, cjk_size = args
    raw = [_TOKEN.findall(text) for text in texts]
    n_words = np.fromiter(map(len, raw), dtype=np.int64, count=len(raw))
    codes, uniques = pd.factorize(np.fromiter(chain.from_iterable(raw), dtype=object,
                                              count=int(n_words.sum())))
    th = np.fromiter(map(_raw_hash, uniques), dtype=np.uint64, count=len(uniques))[codes]
    flag = np.fromiter(map(_raw_unspaced, uniques), dtype=bool, count=len(uniques))[codes]
    ends = np.cumsum(n_words)
    starts = ends - n_words
    unspaced = np.add.reduceat(flag, starts[n_words > 0]) if len(flag) else np.empty(0)
    share = np.zeros(len(texts))
    share[n_words > 0] = unspaced / n_words[n_words > 0]
    sizes = np.where(share > 0.5, cjk_size, size).astype(np.int64)
    out = [_shingles_of(th[lo:hi], int(n)) for lo, hi, n in zip(starts, ends, sizes, strict=True)]
    return out, sizes, n_words


@lru_cache(maxsize=1 << 20)
def _raw_hash(token: str) -> int:
    """``_hash_form`` of the token's form, cached on the raw token text."""
    return _hash_form(_form(token))


@lru_cache(maxsize=1 << 20)
def _raw_unspaced(token: str) -> bool:
    """The token's form is one character of an unspaced script (as in ``tokenize``)."""
    form = _form(token)
    return len(form) == 1 and _UNSPACED_CHAR.match(form) is not None


def _shingles_of(th: np.ndarray, n: int) -> np.ndarray:
    return np.unique(_positional(th, n))


def _positional(th: np.ndarray, n: int) -> np.ndarray:
    if len(th) == 0:
        return np.empty(0, dtype=np.uint32)
    n = min(n, len(th))
    m = len(th) - n + 1
    h = np.zeros(m, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(n):
            h = (h ^ th[k : k + m]) * _MIX[k % len(_MIX)]
            h ^= h >> np.uint64(29)
        h ^= np.uint64(n)
    return (h >> np.uint64(32)).astype(np.uint32)


@lru_cache(maxsize=1 << 20)
def _hash_form(form: str) -> int:
    return int.from_bytes(hashlib.blake2b(form.encode("utf-8"), digest_size=8).digest(), "little")


class ShingleSets:
    """Every document's distinct shingles laid end to end once, so that the shingles
    of many (row, document) pairs can be tagged with their row and searched at once.

    Parameters
    ----------
    shingles : list of ndarray of uint32
        Distinct shingles per document position, each sorted (as ``np.unique`` gives
        them).
    """

    def __init__(self, shingles: Sequence[np.ndarray]) -> None:
        self.sizes = np.fromiter((len(s) for s in shingles), dtype=np.int64,
                                 count=len(shingles))
        self.offsets = np.concatenate([[0], np.cumsum(self.sizes)])
        self.flat = (np.concatenate(shingles).astype(np.int64) if self.sizes.sum()
                     else np.zeros(0, np.int64))

    def tagged(self, docs: np.ndarray, tags: np.ndarray) -> np.ndarray:
        """``tag << 32 | shingle`` for every shingle of each of ``docs``, sorted: tags in
        ascending order and each document's shingles sorted make it so; sorted again
        when not."""
        counts = self.sizes[docs]
        idx = (np.repeat(self.offsets[docs] - np.concatenate([[0], np.cumsum(counts)[:-1]]),
                         counts) + np.arange(int(counts.sum())))
        keys = (np.repeat(np.asarray(tags, dtype=np.int64), counts) << 32) | self.flat[idx]
        if len(keys) > 1 and not (keys[1:] >= keys[:-1]).all():
            keys.sort()
        return keys


def in_sorted(keys: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    """Whether each of ``keys`` is in ``sorted_keys``, by binary search (``np.isin``
    hashes both sides, much slower on the millions of keys of a large family)."""
    if not len(sorted_keys):
        return np.zeros(len(keys), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return sorted_keys[at] == keys
