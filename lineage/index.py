"""A persistent, incremental lineage index: add each day's articles without a rebuild.

:func:`add` stores documents, their MinHash signatures, LSH band keys, blocking
terms, and the archive's document frequencies for each TF-IDF model of a full run:
how many stored documents hold each word 1-2 gram (boilerplate left out, as a full
run leaves it out) and each hashed character n-gram bucket (of the
boilerplate-blanked text), and how many stored sentences (all of them) hold each
word 1-2 gram and each character bucket. For a new batch it builds the candidate
pairs a full run would look at that touch the batch: LSH pairs (the new documents'
band keys looked up in the stored ones, and LSH within the batch) and pairs blocked
on shared rare terms (stored and in-batch, by the full run's rules: at least
``min_shared_terms`` shared terms used by at most ``max_block_df`` documents, then a
word-cosine pre-filter with a margin). It then runs the ordinary pipeline
(:func:`lineage.pipeline.analyze` with ``candidates=`` and ``priors=``, the stored
document frequencies) on the new documents plus the stored partners only, keeps the
pairs a full run would keep (LSH pairs; blocked pairs with word cosine >=
``min_cosine`` among a new document's ``neighbours`` best) and stores them. No
stored text other than the partners' is read; the word document frequencies are
looked up for the terms at hand only, the character ones are two dense int32 arrays
of 2**22 buckets (16 MiB each, read and rewritten once per add). The cost is in
proportion to the new documents and their partners, not to the archive. An add to an
empty index is exactly ``analyze`` on the batch.

What equals a full run over everything (``analyze`` on all documents ever added):

* LSH candidates touching a new document are exactly the full run's (band keys are
  stored losslessly for the default 2-row bands; only the full run's cap of 500
  members per huge bucket is not applied), and the corpus-independent scores of a
  pair (``jaccard``, ``containment_*``, ``shared_shingles``) are identical.
* Every TF-IDF model of a pair touching a new document is weighted by the IDF of
  the archive plus the batch, as in a full run: document-level word
  (``tfidf_cosine``) and character (``char_cosine``), sentence-level word and
  character (the sentence matches and their similarity, hence ``aligned_*``,
  passages and the direction's addition coherence). A new document's blocking
  terms are the full run's (same weights, equal weights ordered by term hash), so
  pairs among the new documents are blocked as in a full run.
* Not the archive's: boilerplate is found among the new documents (for their
  sketches, blocking terms and stored counts) and among them plus their partners
  (for the scores), where a full run finds it in everything; a document's counts
  leave out the boilerplate of its own add. A stored document's blocking terms were
  chosen with the IDF of the day it was added, and a full run also keeps a blocked
  pair that is among the *stored* document's ``neighbours`` best, which the index
  does not know. Direction and the tree see only the batch and its partners. A
  score near a threshold can therefore still differ.
* Pairs between two old documents are never re-scored, while a full run would
  re-fit IDF on the grown corpus.

An ``add`` is one SQLite transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``): a process
killed mid-way leaves the index as it was, and readers (WAL mode) see either the
state before or after. Re-adding an id that is already stored *replaces* it: the old
version, its sketches and every pair and passage touching it are deleted in the
same transaction, and the new text is scored as a new document.
"""

from __future__ import annotations

import functools
import json
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lineage import direction, family, index_candidates, pipeline, sketch, story, tree
from lineage.candidates import lsh_params
from lineage.config import Config, load_config
from lineage.errors import LineageError
from lineage.index_store import (
    PAIR_STORED,
    PASSAGE_STORED,
    archive_counts,
    connect,
    count_in,
    delete_documents,
    hook,
    read_table,
    sqlite_errors,
    transaction,
)
from lineage.load import load_documents
from lineage.pipeline import Analysis, Progress, analyze
from lineage.schema import (
    DOCUMENT_COLUMNS,
    DOCUMENTS_OUT,
    PASSAGE_COLUMNS,
    RELATIONS,
)

__all__ = ["AddResult", "QueryResult", "add", "evict", "load_analysis", "query"]

#: Columns of :attr:`QueryResult.sources`.
SOURCE_COLUMNS = (
    "id", "relation", "role", "likely_source", "confidence", "aligned_article",
    "aligned_other", "jaccard", "tfidf_cosine", "title", "source", "published", "evidence",
)

_STAMP = "%Y-%m-%dT%H:%M:%S.%fZ"

#: Pipeline columns not stored: positions in one run's corpus, and passage texts.
_NOT_STORED = ("ai", "bi", "pair", "a_text", "b_text")


@dataclass
class AddResult:
    """What one :func:`add` did.

    Attributes
    ----------
    added : int
        Documents stored by this add (replacements included).
    replaced : list of str
        Ids that were already stored and were replaced.
    partners : int
        Stored documents re-read as candidate partners of the new ones.
    pairs : int
        Related pairs stored (each touches a new document).
    total_documents : int
        Documents in the index after the add.
    seconds : float
        Wall time of the add.
    """

    added: int
    replaced: list[str]
    partners: int
    pairs: int
    total_documents: int
    seconds: float


@dataclass
class QueryResult:
    """Likely sources of one article.

    Attributes
    ----------
    article : str
        The article's id.
    sources : DataFrame
        One row per related stored article, columns :data:`SOURCE_COLUMNS`; ``role``
        is ``source`` (the other article is the likely source), ``copy`` (it copied
        this one) or ``""`` (direction unknown). Reuse first, likely sources first.
    passages : DataFrame
        ``id`` (the other article), ``article_start, article_end, other_start,
        other_end, kind, similarity, article_text, other_text``.
    stored : bool
        Whether the article is stored in the index (else it was scored on the fly).
    """

    article: str
    sources: pd.DataFrame
    passages: pd.DataFrame
    stored: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


# -- public API ----------------------------------------------------------------------



def _sqlite_errors(operation):
    """A SQLite error in ``operation(db, ...)`` becomes one line naming ``db``."""
    @functools.wraps(operation)
    def wrapped(db, *args, **kwargs):
        with sqlite_errors(db):
            return operation(db, *args, **kwargs)
    return wrapped

@_sqlite_errors
def add(
    db: str | Path,
    documents: str | Path | pd.DataFrame | Iterable[Mapping[str, Any]],
    *,
    config: Config | None = None,
    progress: Progress | None = None,
    warn: Callable[[str], None] | None = None,
) -> AddResult:
    """Add a corpus to the index at ``db`` (created when missing), in one transaction.

    Parameters
    ----------
    db : str or Path
        The SQLite index file.
    documents : path, DataFrame or iterable of dicts
        As for :func:`lineage.analyze`.
    config : Config, optional
        Settings; must equal the settings the index was created with. Default: those.
    progress, warn : callable, optional
        As for :func:`lineage.analyze`.

    Returns
    -------
    AddResult

    Examples
    --------
    >>> add("lineage.db", "news/2024-03-12.jsonl")  # doctest: +SKIP
    """
    started = time.perf_counter()
    docs = load_documents(documents, warn=warn)
    hook("loaded")
    conn = connect(db, create=True)
    try:
        with transaction(conn, write=True):
            hook("locked")
            config = _index_config(conn, config, store=True)
            replaced = delete_documents(conn, _id_in(docs["id"]), tuple(docs["id"]))
            plan = _plan(conn, docs, config, progress=progress, warn=warn)
            hook("scored")
            _write(conn, docs, plan)
            hook("written")
            total = conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        hook("committed")
    finally:
        conn.close()
    return AddResult(
        added=len(docs), replaced=replaced, partners=plan["partners"],
        pairs=len(plan["pairs"]), total_documents=total,
        seconds=round(time.perf_counter() - started, 3),
    )


@_sqlite_errors
def query(
    db: str | Path, article: str | Path, *, warn: Callable[[str], None] | None = None
) -> QueryResult:
    """Likely sources of an article, with the shared passages.

    Parameters
    ----------
    db : str or Path
        The index file (must exist).
    article : str or Path
        A file holding one article (scored against the index on the fly, nothing
        stored), or the id of an article already in the index.

    Returns
    -------
    QueryResult
    """
    conn = connect(db)
    try:
        with transaction(conn):
            path = Path(article)
            if path.exists():
                return _query_file(conn, path, warn)
            row = conn.execute("SELECT id FROM documents WHERE id = ?", (str(article),)).fetchone()
            if row is None:
                raise LineageError(f"{article}: neither a file nor an id in the index {db}")
            return _query_stored(conn, str(article))
    finally:
        conn.close()


@_sqlite_errors
def load_analysis(db: str | Path) -> Analysis:
    """Everything in the index as an :class:`~lineage.pipeline.Analysis`.

    Families and the derivation tree are computed from the stored pairs, so the
    report folder written from it has the same files as ``lineage report``.
    """
    started = time.perf_counter()
    conn = connect(db)
    try:
        with transaction(conn):
            config = _index_config(conn, None, store=False)
            docs = _read_documents(conn, "1")
            pairs = _expand(read_table(conn, "SELECT * FROM pairs"), "extra")
            passages = _expand(read_table(conn, "SELECT * FROM passages"), "extra")
            spans = dict(conn.execute("SELECT doc, spans FROM boilerplate").fetchall())
    finally:
        conn.close()
    return _analysis(docs, pairs, passages, config, str(db), time.perf_counter() - started,
                     spans)


@_sqlite_errors
def evict(db: str | Path, before: str) -> list[str]:
    """Delete the documents published before ``before`` and everything touching them.

    Parameters
    ----------
    db : str or Path
    before : str
        An ISO date or datetime (UTC when it has no zone). Documents without a
        publication date are kept.

    Returns
    -------
    list of str
        The evicted ids.
    """
    try:  # a date, not "now" or "" (which pandas also reads)
        stamp = pd.Timestamp(before) if re.match(r"\s*\d{4}-\d{2}-\d{2}", before) else pd.NaT
    except (ValueError, TypeError):
        stamp = pd.NaT
    if pd.isna(stamp):
        raise LineageError(f"{before!r}: not a date (expected ISO 8601, e.g. 2024-03-01)")
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    conn = connect(db)
    try:
        with transaction(conn, write=True):
            gone = delete_documents(conn, "published IS NOT NULL AND published < ?",
                                    (stamp.strftime(_STAMP),))
    finally:
        conn.close()
    return gone


# -- planning: partners and scores -------------------------------------------------


def _plan(conn, docs: pd.DataFrame, config: Config, *, progress=None, warn=None,
          exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """Sketch ``docs``, find stored partners, score the pairs touching ``docs``.

    On an empty index this is exactly ``analyze(docs)``. Otherwise the candidate
    pairs are those a full run would look at that touch ``docs``: LSH pairs (band
    keys, exact) and pairs blocked on shared rare terms; ``analyze`` scores only
    them, on ``docs`` plus the stored partners.
    """
    cc = config.candidates
    prepared = pipeline.prepare(docs, config)
    hashes, lengths = prepared.evidence_tokens()
    shingles = prepared.shingles
    signatures = sketch.minhash_signatures(shingles, num_perm=config.sketch.num_perm,
                                           seed=config.seed)
    bands, rows = lsh_params(config.sketch.threshold, config.sketch.num_perm)
    keys = index_candidates.band_keys(signatures, bands, rows)
    archive = index_candidates.archive_df(conn)
    terms = index_candidates.blocking_terms(hashes, lengths, archive, cc.block_terms)
    terms = [np.concatenate([t, index_candidates.fingerprint_terms(s, cc.fingerprint_sample)])
             for t, s in zip(terms, shingles, strict=True)]
    empty = conn.execute("SELECT NOT EXISTS (SELECT 1 FROM documents)").fetchone()[0]
    new = docs["id"].tolist()
    if empty:
        corpus = docs[list(DOCUMENT_COLUMNS)]
        result = analyze(corpus, config=config, progress=progress, warn=warn,
                         prepared=(new, prepared))
        n_partners, pairs, passages = 0, result.pairs, result.passages
    else:
        rank = direction.source_rank(docs["published"],
                                     direction.is_wire(docs["source"], config.tree))
        lsh, blocked, partners = index_candidates.find_candidates(
            conn, signatures, keys, terms, config, exclude, priority=rank)
        # the partners' ids only: their texts are read a block at a time by the
        # pre-filter, and whole rows only for the partners it keeps
        named = read_table(conn, f"SELECT doc, id FROM documents WHERE {_DOC_IN}",
                           (json.dumps(partners),))
        # candidate pairs as ids: batch positions name new documents, stored numbers others
        name = dict(zip(named["doc"].tolist(), named["id"], strict=True))
        cand = pd.DataFrame(
            [(_name(a, new, name), _name(b, new, name), route)
             for route, found in (("lsh", lsh), ("block", blocked)) for a, b in found],
            columns=["x", "y", "route"])
        cand["a"] = np.minimum(cand["x"], cand["y"])
        cand["b"] = np.maximum(cand["x"], cand["y"])
        archive = index_candidates.archive_df(conn, counted=named["id"])
        cand = index_candidates.near_enough(
            cand, new + named["id"].tolist(),
            _texts_at(conn, docs["text"].tolist(), named["doc"].to_numpy()), archive, cc)
        touched = set(cand["a"]) | set(cand["b"])
        kept = named.loc[named["id"].isin(touched), "doc"].tolist()
        stored = _read_documents(conn, _DOC_IN, (json.dumps(kept),))
        corpus = pd.concat([docs[list(DOCUMENT_COLUMNS)], stored[list(DOCUMENT_COLUMNS)]],
                           ignore_index=True)
        position = pd.Series(np.arange(len(corpus)), index=np.sort(corpus["id"].to_numpy()))
        found = np.column_stack([position.reindex(cand["a"]).to_numpy(),
                                 position.reindex(cand["b"]).to_numpy()]).astype(np.int64)
        result = analyze(corpus, config=config, progress=progress, warn=warn,
                         candidates=found if len(found) else np.empty((0, 2), np.int64),
                         priors=index_candidates.archive_priors(conn, counted=stored["id"]),
                         prepared=(new, prepared))
        pairs = index_candidates.as_full_run(result.pairs, cand, set(new), cc)
        keep = pd.MultiIndex.from_frame(pairs[["a", "b"]])
        passages = result.passages[pd.MultiIndex.from_frame(
            result.passages[["a", "b"]]).isin(keep)] if len(result.passages) else result.passages
        n_partners = len(stored)
    derived = result.documents.set_index("id").drop(
        columns=[c for c in (*DOCUMENT_COLUMNS, "family") if c != "id"], errors="ignore")
    return {
        "signatures": signatures, "keys": keys, "terms": terms,
        "counts": archive_counts(docs["text"].tolist(), prepared.spans,
                                 tokens=(prepared.starts, prepared.hashes),
                                 sentences=prepared.sentences),
        "spans": prepared.spans,
        "derived": derived.reindex(docs["id"]).reset_index(drop=True),
        "pairs": pairs.reset_index(drop=True),
        "passages": passages.reset_index(drop=True),
        "partners": n_partners, "corpus": corpus,
    }


# -- writing and reading -----------------------------------------------------------


def _write(conn, docs: pd.DataFrame, plan: dict[str, Any]) -> None:
    first = conn.execute("SELECT COALESCE(MAX(doc), 0) + 1 FROM documents").fetchone()[0]
    numbers = np.arange(first, first + len(docs), dtype=np.int64)
    published = [None if pd.isna(t) else t.strftime(_STAMP) for t in docs["published"]]
    conn.executemany(
        "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        zip(numbers.tolist(), docs["id"], docs["text"], docs["title"], docs["source"],
            docs["url"], published, _extras(plan["derived"]), strict=True),
    )
    conn.executemany("INSERT INTO sketches VALUES (?, ?)",
                     zip(numbers.tolist(), (s.astype("<u4").tobytes() for s in
                                            plan["signatures"]), strict=True))
    # rows in the order of the indexes they go into: a large index takes sorted
    # inserts page by page, random ones a page read each
    keys = plan["keys"]
    q, b = np.nonzero(keys != np.int64(-1))
    order = np.lexsort((numbers[q], keys[q, b], b))
    conn.executemany("INSERT INTO bands VALUES (?, ?, ?)",
                     zip(b[order].tolist(), keys[q, b][order].tolist(),
                         numbers[q][order].tolist(), strict=True))
    sizes = np.fromiter(map(len, plan["terms"]), np.int64, len(plan["terms"]))
    term = np.concatenate([*plan["terms"], np.empty(0, np.int64)]).astype(np.int64)
    owner = np.repeat(numbers, sizes)
    order = np.lexsort((owner, term))
    conn.executemany("INSERT INTO terms VALUES (?, ?)",
                     zip(term[order].tolist(), owner[order].tolist(), strict=True))
    count_in(conn, plan["counts"])
    conn.executemany("INSERT INTO boilerplate VALUES (?, ?)",
                     ((int(n), json.dumps(sp.ravel().tolist()))
                      for n, sp in zip(numbers, plan["spans"], strict=True) if len(sp)))
    for table, fixed in (("pairs", PAIR_STORED), ("passages", PASSAGE_STORED)):
        frame = plan[table]
        rest = frame.drop(columns=[*fixed, *_NOT_STORED], errors="ignore")
        rows = _rows(frame[list(fixed)])
        conn.executemany(
            f"INSERT INTO {table} VALUES ({', '.join('?' * (len(fixed) + 1))})",
            ((*row, extra) for row, extra in zip(rows, _extras(rest), strict=True)))


def _extras(frame: pd.DataFrame) -> list[str]:
    """Each row of ``frame`` as a JSON object (numpy scalars made plain)."""
    return [json.dumps(row, default=_plain) for row in frame.to_dict(orient="records")]


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if pd.isna(value):
        return None
    return str(value)


def _expand(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Spread the JSON ``column`` back into columns."""
    extra = pd.DataFrame([json.loads(v) for v in frame[column]], index=frame.index)
    return pd.concat([frame.drop(columns=column), extra], axis=1)


def _rows(frame: pd.DataFrame) -> Iterable[tuple]:
    for row in frame.itertuples(index=False, name=None):
        yield tuple(v.item() if isinstance(v, np.generic) else v for v in row)


#: Rows whose document number is in a JSON list (the one parameter).
_DOC_IN = "doc IN (SELECT value FROM json_each(?))"


def _texts_at(conn, new: list[str], stored: np.ndarray) -> Callable[[np.ndarray], list[str]]:
    """Texts by position among ``new`` texts followed by the ``stored`` document
    numbers: a function of positions that reads the stored ones from SQLite."""

    def take(positions: np.ndarray) -> list[str]:
        positions = np.asarray(positions, dtype=np.int64)
        out = [new[k] if k < len(new) else "" for k in positions.tolist()]
        far = np.flatnonzero(positions >= len(new))
        if len(far):
            numbers = stored[positions[far] - len(new)]
            text = dict(conn.execute(f"SELECT doc, text FROM documents WHERE {_DOC_IN}",
                                     (json.dumps(numbers.tolist()),)))
            for k, number in zip(far.tolist(), numbers.tolist(), strict=True):
                out[k] = text[number]
        return out

    return take


def _read_documents(conn, where: str, params: tuple = ()) -> pd.DataFrame:
    docs = read_table(conn, "SELECT doc, id, text, title, source, url, published, derived "
                            f"FROM documents WHERE {where} ORDER BY id", params)
    docs = _expand(docs, "derived")
    for col in ("title", "source", "url"):
        docs[col] = docs[col].fillna("").astype(object)
    docs["published"] = pd.to_datetime(docs["published"], utc=True, format="ISO8601")
    return docs


def _index_config(conn, config: Config | None, *, store: bool) -> Config:
    row = conn.execute("SELECT value FROM meta WHERE key = 'config'").fetchone()
    if row is None:
        config = config or Config()
        if store:
            conn.execute("INSERT INTO meta VALUES ('config', ?)", (json.dumps(config.to_dict()),))
        return config
    stored = load_config(None, **json.loads(row[0]))
    if config is not None and config != stored:
        raise LineageError("the index was built with other settings; use the same --config "
                           "and --seed as its first add (or a new --db)")
    return stored


def _name(x: int, new: list[str], stored: dict[int, str]) -> str:
    """A candidate end's id: ``x >= 0`` is a batch position, ``x < 0`` is ``-doc``."""
    return new[x] if x >= 0 else stored[-x]


def _id_in(ids: pd.Series) -> str:
    return f"id IN ({', '.join('?' * len(ids))})" if len(ids) else "0"


# -- queries -------------------------------------------------------------------------


def _query_file(conn, path: Path, warn) -> QueryResult:
    docs = load_documents(path, warn=warn)
    if len(docs) != 1:
        raise LineageError(f"{path}: holds {len(docs)} articles; query takes one")
    config = _index_config(conn, None, store=False)
    article = docs["id"].iloc[0]
    plan = _plan(conn, docs, config, warn=warn, exclude=(article,))
    corpus = plan["corpus"].set_index("id")
    return _orient(article, plan["pairs"], plan["passages"], corpus, stored=False)


def _query_stored(conn, article: str) -> QueryResult:
    pairs = read_table(conn, "SELECT * FROM pairs WHERE a = ? OR b = ?", (article, article))
    passages = read_table(conn, "SELECT * FROM passages WHERE a = ? OR b = ?",
                          (article, article))
    ids = sorted({article, *pairs["a"], *pairs["b"]})
    docs = _read_documents(conn, "id IN (SELECT value FROM json_each(?))", (json.dumps(ids),))
    return _orient(article, pairs, passages, docs.set_index("id"), stored=True)


def _orient(article: str, pairs: pd.DataFrame, passages: pd.DataFrame, docs: pd.DataFrame,
            *, stored: bool) -> QueryResult:
    """Turn ``a/b`` pairs and passages into rows seen from ``article``."""
    pairs = pairs[(pairs["a"] == article) | (pairs["b"] == article)].copy()
    first = (pairs["a"] == article).to_numpy()
    other = np.where(first, pairs["b"], pairs["a"])
    meta = docs.reindex(other)
    likely = pairs["likely_source"].fillna("").to_numpy()
    sources = pd.DataFrame({
        "id": other,
        "relation": pairs["relation"].to_numpy(),
        "role": np.where(likely == other, "source", np.where(likely == article, "copy", "")),
        "likely_source": likely,
        "confidence": pairs["confidence"].to_numpy(),
        "aligned_article": np.where(first, pairs["aligned_a"], pairs["aligned_b"]),
        "aligned_other": np.where(first, pairs["aligned_b"], pairs["aligned_a"]),
        "jaccard": pairs["jaccard"].to_numpy(),
        "tfidf_cosine": pairs["tfidf_cosine"].to_numpy(),
        "title": meta["title"].to_numpy(),
        "source": meta["source"].to_numpy(),
        "published": [None if pd.isna(t) else t.isoformat() for t in meta["published"]],
        "evidence": pairs["evidence"].to_numpy(),
    }, columns=list(SOURCE_COLUMNS))
    rank = pd.Categorical(sources["relation"], list(RELATIONS), ordered=True)
    sources = sources.assign(_r=rank, _s=sources["role"] != "source").sort_values(
        ["_s", "_r", "confidence", "aligned_article", "id"],
        ascending=[True, True, False, False, True]).drop(columns=["_r", "_s"])
    p = passages[(passages["a"] == article) | (passages["b"] == article)]
    pf = (p["a"] == article).to_numpy()
    texts = docs["text"]
    out = pd.DataFrame({
        "id": np.where(pf, p["b"], p["a"]),
        "article_start": np.where(pf, p["a_start"], p["b_start"]).astype(np.int64),
        "article_end": np.where(pf, p["a_end"], p["b_end"]).astype(np.int64),
        "other_start": np.where(pf, p["b_start"], p["a_start"]).astype(np.int64),
        "other_end": np.where(pf, p["b_end"], p["a_end"]).astype(np.int64),
        "kind": p["kind"].to_numpy(),
        "similarity": p["similarity"].to_numpy(),
    })
    out["article_text"] = [texts[article][s:e] for s, e in
                           zip(out["article_start"], out["article_end"], strict=True)]
    out["other_text"] = [texts[o][s:e] for o, s, e in
                         zip(out["id"], out["other_start"], out["other_end"], strict=True)]
    out = out.sort_values(["id", "article_start"]).reset_index(drop=True)
    return QueryResult(article=article, sources=sources.reset_index(drop=True),
                       passages=out, stored=stored)


# -- report --------------------------------------------------------------------------


def _member_shingles(docs: pd.DataFrame, numbers: np.ndarray, spans: dict[int, str],
                     config: Config) -> list[np.ndarray]:
    """Evidence shingles of the members of families of three or more (by row of
    ``docs``, which has ``family``); an empty array for every other document."""
    size = docs.groupby("family")["id"].transform("size")
    need = np.flatnonzero(docs["family"].notna().to_numpy() & (size.fillna(0).to_numpy() >= 3))
    out = [np.zeros(0, dtype=np.uint32)] * len(docs)
    found = pipeline.evidence_shingles(
        docs["text"].to_numpy()[need].tolist(),
        [np.asarray(json.loads(spans.get(int(numbers[k]), "[]")), dtype=np.int64).reshape(-1, 2)
         for k in need], config)
    for k, sh in zip(need, found, strict=True):
        out[k] = sh
    return out


def _analysis(docs: pd.DataFrame, pairs: pd.DataFrame, passages: pd.DataFrame,
              config: Config, source: str, seconds: float, spans: dict[int, str]
              ) -> Analysis:
    """The stored tables as an Analysis, shaped by the pipeline's own table helpers.

    ``spans``: the stored boilerplate spans (JSON) by document number."""
    numbers = docs["doc"].to_numpy()
    docs = docs.drop(columns="doc").reset_index(drop=True)
    position = pd.Series(np.arange(len(docs)), index=docs["id"])
    pairs = pairs.copy()
    pairs["likely_source"] = pairs["likely_source"].fillna("")
    pairs["ai"] = position.reindex(pairs["a"]).to_numpy()
    pairs["bi"] = position.reindex(pairs["b"]).to_numpy()
    docs["family"] = family.assign_families(docs["id"], pairs)
    when = direction.trusted_times(docs["published"], docs["family"])
    docs["story"] = story.assign_stories(docs["id"], docs["family"], pairs, config.story,
                                         seed=config.seed, published=when)
    wire = direction.is_wire(docs["source"], config.tree)
    # the tree weighs dates as analyze does: a date far from its family's is set aside
    # the copying rate reads the members' wording, as analyze reads it, over the
    # boilerplate each add left out; only a family of three or more has a copy, another
    # copy and a top to compare, so only their members are tokenised again
    shingles = _member_shingles(docs, numbers, spans, config)
    tree_table = tree.build_tree(docs.assign(published=when), pairs, wire, config.tree,
                                 shingles=shingles)
    order = pd.Categorical(pairs["relation"], list(RELATIONS), ordered=True)
    pairs = pairs.assign(_o=order).sort_values(["_o", "a", "b"]).drop(columns="_o")
    texts = docs.set_index("id")["text"]
    passages = passages.sort_values(["a", "b", "a_start"]).reset_index(drop=True)
    passages["a_text"] = [texts[i][s:e] for i, s, e in
                          zip(passages["a"], passages["a_start"], passages["a_end"], strict=True)]
    passages["b_text"] = [texts[i][s:e] for i, s, e in
                          zip(passages["b"], passages["b_start"], passages["b_end"], strict=True)]
    passages = passages[[*PASSAGE_COLUMNS, *(c for c in passages if c not in PASSAGE_COLUMNS)]]
    result = Analysis(
        documents=docs[[*DOCUMENTS_OUT, "url", "text"]],
        pairs=pairs.reset_index(drop=True),
        families=pipeline.families_table(docs, tree_table),
        tree=tree_table,
        passages=passages,
        latent=tree.latent_sources(tree_table, passages, texts.to_dict(), config.tree),
    )
    result.summary = {**pipeline.run_summary(result, config, source, seconds), "index": True}
    return result
