"""Word n-gram shingles, hashed to stable 32-bit values.

A shingle is ``size`` consecutive token forms. Its hash depends only on the forms
(BLAKE2b of each form, mixed positionally), never on the corpus, so sketches made
on different days can be compared.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

import numpy as np

from lineage.config import ShingleConfig
from lineage.normalize import Tokens, is_unspaced

__all__ = ["shingle_hashes", "shingle_size", "token_hashes"]

_MIX = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93,
     0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53, 0x94D049BB133111EB, 0xBF58476D1CE4E5B9,
     0x2545F4914F6CDD1D, 0x9FB21C651E98DF25, 0xA0761D6478BD642F, 0xE7037ED1A0B428DB],
    dtype=np.uint64,
)


def shingle_size(tokens: Tokens, config: ShingleConfig) -> int:
    """Tokens per shingle for this text: ``cjk_size`` for mostly unspaced scripts."""
    return config.cjk_size if is_unspaced(tokens) else config.size


def token_hashes(forms: list[str]) -> np.ndarray:
    """Stable 64-bit hash of each token form, shape (n_tokens,)."""
    return np.fromiter((_hash_form(f) for f in forms), dtype=np.uint64, count=len(forms))


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
    n = shingle_size(tokens, config)
    th = token_hashes(tokens.forms)
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
    return np.unique((h >> np.uint64(32)).astype(np.uint32))


@lru_cache(maxsize=1 << 20)
def _hash_form(form: str) -> int:
    return int.from_bytes(hashlib.blake2b(form.encode("utf-8"), digest_size=8).digest(), "little")
