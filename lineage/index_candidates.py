"""Candidate partners for an index add: what a full run would compare a new article with.

The verbatim route is exact: stored LSH band keys are looked up, and the batch's own
bands are banded with :func:`lineage.candidates.lsh_candidates`. The paraphrase route
follows the full run's rare-term blocking rules, with each new document's blocking
terms picked as a full run picks them (word TF-IDF weighted by the stored archive's
document frequencies plus the batch's, equal weights by term hash), then keeps the
blocked pairs whose word cosine (the same IDF) could reach ``min_cosine``.
:func:`as_full_run` keeps, of the scored pairs, only those a full run over
everything would list; :func:`archive_priors` gives ``analyze`` the stored
archive's document frequencies for all four TF-IDF models (document and sentence
level, word and character), so the scores of those pairs are weighted as in a full
run. Blocking terms are stored as 64-bit term hashes: a word feature's
:func:`lineage.wordvectors.feature_hash`, a fingerprint's :func:`term_hash`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from lineage.candidates import (
    FINGERPRINT_PREFIX,
    fingerprints,
    lsh_candidates,
    rowwise_cosine,
    top_terms,
)
from lineage.config import Config
from lineage.index_store import bucket_df, read_table, stored_df
from lineage.wordvectors import (
    DocumentFrequencies,
    document_frequencies,
    text_token_hashes,
    word_tfidf,
)

__all__ = [
    "archive_df",
    "archive_priors",
    "as_full_run",
    "band_keys",
    "blocked_cosines",
    "blocking_terms",
    "find_candidates",
    "fingerprint_terms",
    "near_enough",
    "term_hash",
]

#: Stored partners kept per new document on the blocking route, in multiples of
#: ``neighbours``: generous, since ``analyze`` then decides which pairs relate.
_BLOCK_PARTNERS = 3

#: Blocked pairs whose word cosine (with the archive's IDF, on raw texts) is below
#: ``min_cosine`` times this are not scored: boilerplate, which ``analyze`` leaves
#: out, moves the cosine a little, hence the margin.
_COSINE_MARGIN = 0.8
#: Texts by position: a list, or a function returning those at some positions.
Texts = Sequence[str] | Callable[[np.ndarray], list[str]]

#: Stored articles vectorised at once by :func:`blocked_cosines`.
_VECTOR_BLOCK = 5_000


def near_enough(cand: pd.DataFrame, ids: Sequence[str], texts: Texts,
                archive: DocumentFrequencies, cc) -> pd.DataFrame:
    """LSH pairs, and the blocked pairs whose word cosine could reach ``min_cosine``.

    ``ids`` are the new and stored articles the pairs name (``x``, ``y``) and
    ``texts`` their texts, by position in ``ids``: a list, or a function that returns
    the texts of some positions (an index reads its stored ones a block at a time).
    The cosine weighs the raw texts by the archive's IDF (``archive``, whose
    ``counted`` are the stored partners); a margin of ``_COSINE_MARGIN`` and
    ``_BLOCK_PARTNERS * neighbours`` pairs kept per new document leave the final
    word to ``analyze``. Without this, every blocked pair would be aligned sentence
    by sentence, which a full run does only after its own cosine filter.
    """
    blocked = cand["route"] == "block"
    if not blocked.any():
        return cand
    ids = np.asarray(ids, dtype=object)
    row = pd.Series(np.arange(len(ids)), index=ids)
    ends = np.column_stack([row.reindex(cand.loc[blocked, "x"]).to_numpy(),
                            row.reindex(cand.loc[blocked, "y"]).to_numpy()])
    cos = blocked_cosines(texts, pd.Series(ids).isin(list(archive.counted)).to_numpy(), ends,
                          archive)
    block = cand[blocked].assign(cos=cos)
    block = block[block["cos"] >= cc.min_cosine * _COSINE_MARGIN]
    block = block.sort_values(["x", "cos"], ascending=[True, False], kind="stable")
    block = block.groupby("x").head(_BLOCK_PARTNERS * cc.neighbours)
    return pd.concat([cand[~blocked], block.drop(columns="cos")], ignore_index=True)


def blocked_cosines(texts: Texts, counted: np.ndarray, ends: np.ndarray,
                    archive: DocumentFrequencies, *, block: int = _VECTOR_BLOCK) -> np.ndarray:
    """Word TF-IDF cosine of each pair of ``texts`` in ``ends`` (rows, shape (n, 2)),
    weighed as one :func:`lineage.wordvectors.word_tfidf` over all ``texts`` with the
    archive's counts (``archive``; ``counted`` marks the texts already in them) weighs.

    ``texts`` is a list, or a function that returns the texts at some positions
    (``len(counted)`` texts in all). The new texts are read and vectorised once; the
    stored ones ``block`` at a time, each block's columns matched to the new texts' by
    term hash, so memory stays bounded however many stored articles the blocking
    route proposes. Every row is weighed by the same counts: the archive's plus the
    new texts' own.
    """
    take = texts if callable(texts) else (lambda idx: [texts[i] for i in idx])
    counted = np.asarray(counted, dtype=bool)
    ends = np.asarray(ends, dtype=np.int64).reshape(-1, 2)
    fresh = np.flatnonzero(~counted)
    fresh_tokens = text_token_hashes(take(fresh))  # tokenised once
    own = DocumentFrequencies.from_arrays(*document_frequencies(*fresh_tokens), len(fresh))
    weights = DocumentFrequencies(lambda t: archive.lookup(t) + own.lookup(t),
                                  archive.documents + len(fresh))

    def vectorise(tokens: tuple[np.ndarray, np.ndarray]) -> tuple[sp.csr_matrix, np.ndarray]:
        return word_tfidf(*tokens, prior=weights, counted=np.ones(len(tokens[1]), dtype=bool),
                          with_terms=True)

    def rows(idx: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
        return vectorise(text_token_hashes(take(idx)))

    out = np.zeros(len(ends))
    stored = counted[ends]
    both = stored.all(axis=1)
    if both.any():  # two stored articles: vectorised together (an add makes none)
        idx, local = np.unique(ends[both], return_inverse=True)
        out[both] = rowwise_cosine(rows(idx)[0], local.reshape(-1, 2))
    new_x, new_y = ~stored[:, 0], ~stored[:, 1]
    if not (new_x | new_y).any():
        return out
    x_new, x_terms = vectorise(fresh_tokens)
    at = np.full(len(counted), -1, dtype=np.int64)
    at[fresh] = np.arange(len(fresh))
    none = new_x & new_y
    if none.any():
        out[none] = rowwise_cosine(x_new, at[ends[none]])
    mixed = np.flatnonzero(new_x ^ new_y)
    other = np.where(new_x[mixed], ends[mixed, 1], ends[mixed, 0])  # the stored end
    mine = np.where(new_x[mixed], ends[mixed, 0], ends[mixed, 1])
    keep, which = np.unique(other, return_inverse=True)
    which = which.ravel()
    by_block = np.argsort(which, kind="stable")  # the mixed pairs, block after block
    bounds = np.searchsorted(which[by_block], np.arange(0, len(keep) + block, block))
    for k, lo in enumerate(range(0, len(keep), block)):
        part = by_block[bounds[k]:bounds[k + 1]]
        s_rows, s_terms = rows(keep[lo:lo + block])
        used, x_at = np.unique(at[mine[part]], return_inverse=True)  # new rows it pairs
        # the block's terms as the new rows' columns; terms they lack go after them
        pos = np.searchsorted(x_terms, s_terms)
        known = pos < len(x_terms)
        known[known] = x_terms[pos[known]] == s_terms[known]
        pos[~known] = len(x_terms) + np.arange(int((~known).sum()))
        width = max(len(x_terms) + int((~known).sum()), 1)
        both_rows = sp.vstack([_columns(x_new[used], None, width),
                               _columns(s_rows, pos, width)], format="csr")
        pairs = np.column_stack([x_at.ravel(), len(used) + which[part] - lo])
        out[mixed[part]] = rowwise_cosine(both_rows, pairs)
    return out


def _columns(x: sp.csr_matrix, mapping: np.ndarray | None, width: int) -> sp.csr_matrix:
    """``x`` with column ``j`` moved to ``mapping[j]`` (kept where ``None``) in a
    matrix ``width`` wide."""
    cols = x.indices if mapping is None else mapping[x.indices]
    return sp.csr_matrix((x.data, cols, x.indptr), shape=(x.shape[0], width))


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


def archive_df(conn, counted=()) -> DocumentFrequencies:
    """The stored documents' word document frequencies, looked up term by term."""
    documents = conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    return DocumentFrequencies(lambda terms: stored_df(conn, terms), int(documents),
                               frozenset(counted))


def archive_priors(conn, counted=()):
    """All the stored archive's document frequencies, as :func:`lineage.pipeline.analyze`'s
    ``priors``: word and character, document and sentence level; ``counted`` are the
    stored documents in the corpus to be analysed."""
    from lineage.pipeline import Priors

    sentence_char = bucket_df(conn, "sentence")
    return Priors(
        word=archive_df(conn),
        char=bucket_df(conn, "document"),
        sentence_word=DocumentFrequencies(lambda terms: stored_df(conn, terms, "sentence_df"),
                                          sentence_char.rows),
        sentence_char=sentence_char,
        counted=frozenset(counted),
    )


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


def blocking_terms(hashes: np.ndarray, lengths: np.ndarray, archive: DocumentFrequencies,
                   k: int) -> list[np.ndarray]:
    """Each new document's ``k`` highest-weighted word terms, as int64 term hashes.

    ``hashes, lengths`` are the documents' evidence tokens (boilerplate left out,
    as :func:`lineage.pipeline.prepare` gives them). The rows are
    :func:`lineage.wordvectors.word_tfidf`'s with the stored archive's document
    frequencies added, and :func:`lineage.candidates.top_terms` picks the terms (equal
    weights by term hash): the terms a full run over the archive and the batch picks.
    """
    rows, vocabulary = word_tfidf(hashes, lengths, prior=archive, with_terms=True)
    top = top_terms(rows, k)
    signed = vocabulary.view(np.int64)
    return [signed[top.indices[top.indptr[i] : top.indptr[i + 1]]] for i in range(len(lengths))]


def find_candidates(conn, signatures: np.ndarray, keys: np.ndarray, terms: list[np.ndarray],
                config: Config, exclude: tuple[str, ...], priority: np.ndarray | None = None
                ) -> tuple[list[tuple[int, int]], list[tuple[int, int]], list[int]]:
    """Candidate pairs touching the batch: LSH pairs, and pairs blocked on shared terms.

    Pair ends are batch positions (``>= 0``) or stored documents as ``-doc``.
    ``priority`` orders the batch's members of a huge band group as a full run does
    (:func:`lineage.candidates.lsh_candidates`; wire services and the earliest first).
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
            lsh_candidates(signatures, threshold=config.sketch.threshold, priority=priority)]
    conn.executemany("INSERT INTO probe_terms VALUES (?, ?)",
                     ((int(t), q) for q, ts in enumerate(terms) for t in ts))
    batch_df = pd.Series(np.concatenate([*terms, np.empty(0, np.int64)])).value_counts()
    # stored users of each term, counted only up to max_block_df + 1: past that the
    # term is unusable whatever the exact count (a common term has thousands of rows)
    stored_users = dict(conn.execute(
        "SELECT p.term, (SELECT COUNT(*) FROM (SELECT 1 FROM terms t WHERE t.term = p.term "
        "LIMIT ?)) FROM (SELECT DISTINCT term FROM probe_terms) p",
        (cc.max_block_df + 1,)).fetchall())
    usable = {int(t) for t, n in batch_df.items()
              if n + stored_users.get(t, 0) <= cc.max_block_df}
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
