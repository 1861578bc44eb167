"""Candidate partners for an index add: what a full run would compare a new article with.

The verbatim route is exact: stored LSH band keys are looked up, and the batch's own
bands are banded with :func:`lineage.candidates.lsh_candidates`. The paraphrase route
follows the full run's rare-term blocking rules, with each document's blocking terms
weighted by the word document frequencies of a stored reference sample, then keeps
the blocked pairs whose word cosine could reach ``min_cosine``. :func:`as_full_run`
keeps, of the scored pairs, only those a full run over everything would list.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter

import numpy as np
import pandas as pd
import scipy.sparse as sp

from lineage.candidates import FINGERPRINT_PREFIX, fingerprints, lsh_candidates, rowwise_cosine
from lineage.config import Config
from lineage.index_store import read_table
from lineage.vectorize import fit_vectors, word_features

__all__ = [
    "as_full_run",
    "band_keys",
    "blocking_terms",
    "find_candidates",
    "fingerprint_terms",
    "near_enough",
    "reference_df",
    "term_hash",
]

#: Documents (the first ever added) whose word document frequencies are stored as
#: a reference sample, joined to each new batch's when weighting its blocking terms,
#: so a small batch (one queried article) still gets corpus-like weights.
_REFERENCE_DOCS = 1000

#: Stored partners kept per new document on the blocking route, in multiples of
#: ``neighbours``: generous, since ``analyze`` then decides which pairs relate.
_BLOCK_PARTNERS = 3

#: Blocked pairs whose word cosine (fitted on the new documents and their partners)
#: is below ``min_cosine`` times this are not scored; the IDF of a subset differs a
#: little from the archive's, hence the margin.
_COSINE_MARGIN = 0.8


def near_enough(cand: pd.DataFrame, corpus: pd.DataFrame, cc) -> pd.DataFrame:
    """LSH pairs, and the blocked pairs whose word cosine could reach ``min_cosine``.

    The cosine here is fitted on ``corpus`` (raw texts); a margin of
    ``_COSINE_MARGIN`` and ``_BLOCK_PARTNERS * neighbours`` pairs kept per new
    document leave the final word to ``analyze``. Without this, every blocked pair
    would be aligned sentence by sentence, which a full run does only after its own
    cosine filter.
    """
    blocked = cand["route"] == "block"
    if not blocked.any():
        return cand
    vectors, _ = fit_vectors(corpus["text"].tolist(), char=False)
    row = pd.Series(np.arange(len(corpus)), index=corpus["id"].to_numpy())
    ends = np.column_stack([row.reindex(cand.loc[blocked, "x"]).to_numpy(),
                            row.reindex(cand.loc[blocked, "y"]).to_numpy()])
    cos = rowwise_cosine(vectors, ends)
    block = cand[blocked].assign(cos=cos)
    block = block[block["cos"] >= cc.min_cosine * _COSINE_MARGIN]
    block = block.sort_values(["x", "cos"], ascending=[True, False], kind="stable")
    block = block.groupby("x").head(_BLOCK_PARTNERS * cc.neighbours)
    return pd.concat([cand[~blocked], block.drop(columns="cos")], ignore_index=True)


def as_full_run(pairs: pd.DataFrame, cand: pd.DataFrame, new: set[str], cc) -> pd.DataFrame:
    """The scored pairs a full run would list: LSH pairs, and blocked pairs it keeps.

    A full run keeps a blocked pair when its word cosine is at least ``min_cosine``
    and it is among the ``neighbours`` best of one of its documents; here the best
    are ranked among each new document's blocked pairs.
    """
    pairs = pairs[pairs["a"].isin(new) | pairs["b"].isin(new)]
    key = pd.MultiIndex.from_frame(pairs[["a", "b"]])
    lsh = cand.loc[cand["route"] == "lsh", ["a", "b"]]
    blocked = cand.loc[cand["route"] == "block", ["a", "b"]]
    by_lsh = key.isin(pd.MultiIndex.from_frame(lsh)) if len(lsh) else np.zeros(len(key), bool)
    by_block = (key.isin(pd.MultiIndex.from_frame(blocked)) if len(blocked)
                else np.zeros(len(key), bool))
    cos = pairs["tfidf_cosine"].to_numpy()
    block = pairs[by_block & (cos >= cc.min_cosine)]
    ends = pd.concat([
        pd.DataFrame({"doc": block[end], "cos": block["tfidf_cosine"], "i": block.index})
        for end in ("a", "b")])
    ends = ends[ends["doc"].isin(new)].sort_values(["doc", "cos"],
                                                  ascending=[True, False], kind="stable")
    best = set(ends.groupby("doc").head(cc.neighbours)["i"])
    return pairs[by_lsh | pairs.index.isin(best)]


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """One int64 key per document and band; exact (lossless) when ``rows <= 2``."""
    sig = signatures[:, : bands * rows].astype(np.uint64).reshape(len(signatures), bands, rows)
    if rows <= 2:
        keys = sig[:, :, 0] << np.uint64(32)
        if rows == 2:
            keys |= sig[:, :, 1]
    else:
        keys = np.zeros(sig.shape[:2], dtype=np.uint64)
        with np.errstate(over="ignore"):
            for j in range(rows):
                keys = (keys ^ sig[:, :, j]) * np.uint64(0x9E3779B97F4A7C15)
                keys ^= keys >> np.uint64(29)
    keys = keys.view(np.int64)
    keys[np.all(signatures == np.uint32(0xFFFFFFFF), axis=1)] = -1  # no shingles: no key
    return keys


def reference_df(conn) -> tuple[np.ndarray, np.ndarray, int]:
    """The stored reference document frequencies: sorted term hashes, counts, documents."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'reference_docs'").fetchone()
    if row is None:
        return np.empty(0, np.int64), np.empty(0, np.int64), 0
    ref = read_table(conn, "SELECT term, df FROM reference ORDER BY term")
    return (ref["term"].to_numpy(np.int64), ref["df"].to_numpy(np.int64), int(row[0]))


def blocking_terms(texts: list[str], reference: tuple[np.ndarray, np.ndarray, int], k: int
                    ) -> tuple[list[np.ndarray], pd.Series]:
    """Each text's ``k`` highest-weighted word features, as 64-bit term hashes.

    Weights are word TF-IDF (sublinear tf, smoothed IDF) with document frequencies
    counted over ``texts`` plus the stored reference sample, so no stored text is
    re-read. Also returns the document frequencies, by term hash, of the first texts
    that join the reference sample (up to ``_REFERENCE_DOCS`` documents in all).
    """
    ref_terms, ref_df, ref_n = reference
    vocab: dict[str, int] = {}
    docs = []
    for text in texts:
        counts = Counter(word_features(text))
        cols = np.fromiter((vocab.setdefault(t, len(vocab)) for t in counts), np.int64,
                           len(counts))
        docs.append((cols, np.fromiter(counts.values(), np.float64, len(counts))))
    names = list(vocab)
    hashes = np.fromiter((term_hash(t) for t in names), np.int64, len(names))
    batch_df = np.bincount(np.concatenate([c for c, _ in docs] + [np.empty(0, np.int64)]),
                           minlength=len(names))
    at = np.searchsorted(ref_terms, hashes).clip(max=max(len(ref_terms) - 1, 0))
    known = ref_df[at] * (ref_terms[at] == hashes) if len(ref_terms) else 0
    idf = np.log((1 + ref_n + len(texts)) / (1 + batch_df + known)) + 1
    rank = np.empty(len(names), np.int64)
    rank[np.argsort(np.array(names, dtype=object), kind="stable")] = np.arange(len(names))
    out = []
    for cols, tf in docs:
        weight = (1 + np.log(tf)) * idf[cols]
        out.append(hashes[cols[np.lexsort((rank[cols], -weight))[:k]]])
    joining = docs[: max(0, _REFERENCE_DOCS - ref_n)]
    joined = pd.Series(hashes[np.concatenate([c for c, _ in joining] + [np.empty(0, np.int64)])]
                       ).value_counts()
    joined.attrs["documents"] = len(joining)
    return out, joined


def find_candidates(conn, signatures: np.ndarray, keys: np.ndarray, terms: list[np.ndarray],
                config: Config, exclude: tuple[str, ...]
                ) -> tuple[list[tuple[int, int]], list[tuple[int, int]], list[int]]:
    """Candidate pairs touching the batch: LSH pairs, and pairs blocked on shared terms.

    Pair ends are batch positions (``>= 0``) or stored documents as ``-doc``.
    Returns the LSH pairs, the blocked pairs and the stored partners' ``doc`` numbers.
    """
    cc = config.candidates
    conn.execute("DELETE FROM probe_bands")
    conn.execute("DELETE FROM probe_terms")
    q, b = np.nonzero(keys != np.int64(-1))  # -1: an empty signature, no key
    conn.executemany("INSERT INTO probe_bands VALUES (?, ?, ?)",
                     zip(b.tolist(), keys[q, b].tolist(), q.tolist(), strict=True))
    lsh = [(int(x), -int(d)) for x, d in conn.execute(
        "SELECT DISTINCT p.qdoc, x.doc FROM probe_bands p JOIN bands x "
        "ON x.band = p.band AND x.key = p.key")]
    lsh += [(int(x), int(y)) for x, y in
            lsh_candidates(signatures, threshold=config.sketch.threshold)]
    conn.executemany("INSERT INTO probe_terms VALUES (?, ?)",
                     ((int(t), q) for q, ts in enumerate(terms) for t in ts))
    batch_df = pd.Series(np.concatenate([*terms, np.empty(0, np.int64)])).value_counts()
    stored_df = dict(conn.execute(
        "SELECT t.term, COUNT(*) FROM (SELECT DISTINCT term FROM probe_terms) p "
        "JOIN terms t ON t.term = p.term GROUP BY t.term").fetchall())
    usable = {int(t) for t, n in batch_df.items()
              if n + stored_df.get(t, 0) <= cc.max_block_df}
    shared = read_table(conn, (
        "SELECT p.qdoc, t.doc, COUNT(*) AS n FROM probe_terms p JOIN terms t ON t.term = p.term "
        "WHERE p.term IN (SELECT value FROM json_each(?)) GROUP BY p.qdoc, t.doc HAVING n >= ?"),
        (json.dumps(sorted(usable)), cc.min_shared_terms))
    blocked = []
    if len(shared):  # a generous partner set: analyze decides which pairs relate
        shared = shared.sort_values(["qdoc", "n", "doc"], ascending=[True, False, True])
        top = shared.groupby("qdoc").head(_BLOCK_PARTNERS * cc.neighbours)
        blocked = [(int(x), -int(d)) for x, d in zip(top["qdoc"], top["doc"], strict=True)]
    columns = {t: j for j, t in enumerate(sorted(usable))}
    rows = [(q, columns[int(t)]) for q, ts in enumerate(terms) for t in ts if int(t) in columns]
    if rows:
        r, c = np.array(rows).T
        mark = sp.csr_matrix((np.ones(len(r), np.float32), (r, c)),
                             shape=(len(terms), len(columns)))
        both = sp.triu(mark @ mark.T, k=1).tocoo()
        keep = both.data >= cc.min_shared_terms
        blocked += list(zip(both.row[keep].tolist(), both.col[keep].tolist(), strict=True))
    if exclude:
        drop = {-r[0] for r in conn.execute(
            "SELECT doc FROM documents WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(list(exclude)),))}
        lsh = [p for p in lsh if p[1] not in drop]
        blocked = [p for p in blocked if p[1] not in drop]
    partners = sorted({-y for _, y in lsh + blocked if y < 0})
    return lsh, blocked, partners


def fingerprint_terms(shingles: np.ndarray, sample: int) -> np.ndarray:
    """A document's shingle fingerprints (:func:`lineage.candidates.fingerprints`) as
    blocking-term hashes, the same terms the Spark engine blocks on."""
    if sample <= 0:
        return np.empty(0, np.int64)
    return np.fromiter((term_hash(f"{FINGERPRINT_PREFIX}{int(f)}")
                        for f in fingerprints(shingles, sample)), np.int64)


def term_hash(term: str) -> int:
    return int.from_bytes(hashlib.blake2b(term.encode("utf-8"), digest_size=8).digest(),
                          "little", signed=True)
