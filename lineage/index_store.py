"""SQLite storage of a persistent lineage index (the standard library's ``sqlite3``).

One file, WAL mode, so readers never block the one writer and always see a whole
committed state. Tables:

``meta(key, value)``
    ``config`` (the :class:`~lineage.config.Config` as JSON) and ``schema``.
``documents(doc, id, text, title, source, url, published, derived)``
    ``doc`` is an integer key; ``id`` is the user's id (unique); ``published`` is
    fixed-width ISO 8601 UTC text (``NULL`` when unknown) so it sorts by time;
    ``derived`` holds the pipeline's per-document columns (``n_words``, ...) as JSON.
``sketches(doc, signature)``
    The MinHash signature as a little-endian ``uint32`` blob.
``bands(band, key, doc)``
    One LSH band key per band and document, indexed on ``(band, key)``.
``terms(term, doc)``
    The document's blocking terms (64-bit hashes), indexed on ``term``.
``word_df(term, df)``
    How many stored documents hold each word 1-2 gram term (by
    :mod:`lineage.wordvectors`' term hash, boilerplate left out as in a full run):
    the archive's IDF, over ``COUNT(*)`` of ``documents``. Each add counts its
    documents in; a replaced or evicted document is counted out again.
``boilerplate(doc, spans)``
    The boilerplate spans (JSON ``[start, end, ...]``) left out when a document was
    counted into ``word_df``, so it can be counted out exactly; only documents
    that had some.
``pairs(a, b, ..., extra)``
    Scored related pairs (``a < b``), the columns of ``pairs.csv`` plus details;
    ``extra`` holds any further pipeline columns as JSON.
``passages(a, b, a_start, a_end, b_start, b_end, kind, similarity, extra)``
    Shared passages of reuse pairs (the texts are cut from ``documents`` on read).
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from lineage.errors import LineageError

__all__ = [
    "PAIR_STORED",
    "PASSAGE_STORED",
    "SCHEMA_VERSION",
    "connect",
    "count_in",
    "delete_documents",
    "evidence_df",
    "hook",
    "read_table",
    "stored_df",
    "transaction",
]

SCHEMA_VERSION = "4"

#: Terms per ``json_each`` look-up.
_CHUNK = 200_000

#: Pair columns kept in the ``pairs`` table.
PAIR_STORED: tuple[str, ...] = (
    "a", "b", "relation", "likely_source", "jaccard", "containment_ab", "containment_ba",
    "tfidf_cosine", "char_cosine", "aligned_a", "aligned_b", "confidence", "evidence",
    "shared_shingles", "n_passages", "n_sentences", "n_verbatim", "direction_p",
)

#: Passage columns kept in the ``passages`` table.
PASSAGE_STORED: tuple[str, ...] = (
    "a", "b", "a_start", "a_end", "b_start", "b_end", "kind", "similarity",
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, text TEXT NOT NULL,
    title TEXT, source TEXT, url TEXT, published TEXT, derived TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS documents_published ON documents (published);
CREATE TABLE IF NOT EXISTS sketches (doc INTEGER PRIMARY KEY, signature BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS bands (band INTEGER NOT NULL, key INTEGER NOT NULL,
                                  doc INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS bands_key ON bands (band, key);
CREATE INDEX IF NOT EXISTS bands_doc ON bands (doc);
CREATE TABLE IF NOT EXISTS terms (term INTEGER NOT NULL, doc INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS terms_term ON terms (term);
CREATE INDEX IF NOT EXISTS terms_doc ON terms (doc);
CREATE TABLE IF NOT EXISTS word_df (term INTEGER PRIMARY KEY, df INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS boilerplate (doc INTEGER PRIMARY KEY, spans TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pairs (
    a TEXT NOT NULL, b TEXT NOT NULL, relation TEXT NOT NULL, likely_source TEXT,
    jaccard REAL, containment_ab REAL, containment_ba REAL, tfidf_cosine REAL,
    char_cosine REAL, aligned_a REAL, aligned_b REAL, confidence REAL, evidence TEXT,
    shared_shingles INTEGER, n_passages INTEGER, n_sentences INTEGER, n_verbatim INTEGER,
    direction_p REAL, extra TEXT NOT NULL, PRIMARY KEY (a, b));
CREATE INDEX IF NOT EXISTS pairs_b ON pairs (b);
CREATE TABLE IF NOT EXISTS passages (
    a TEXT NOT NULL, b TEXT NOT NULL, a_start INTEGER, a_end INTEGER, b_start INTEGER,
    b_end INTEGER, kind TEXT, similarity REAL, extra TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS passages_a ON passages (a, b);
CREATE INDEX IF NOT EXISTS passages_b ON passages (b);
"""

_TEMP = """
CREATE TEMP TABLE IF NOT EXISTS probe_bands (band INTEGER, key INTEGER, qdoc INTEGER);
CREATE TEMP TABLE IF NOT EXISTS probe_terms (term INTEGER, qdoc INTEGER);
CREATE TEMP TABLE IF NOT EXISTS gone (doc INTEGER PRIMARY KEY, id TEXT);
"""


def connect(db: str | Path, *, create: bool = False) -> sqlite3.Connection:
    """Open an index in WAL mode (autocommit; use :func:`transaction`).

    Parameters
    ----------
    db : str or Path
        The SQLite file.
    create : bool, default False
        Create the file and its tables when missing; otherwise a missing file is a
        :class:`LineageError`.
    """
    db = Path(db)
    if db.exists() and db.is_dir():
        raise LineageError(f"{db}: --db is a folder, not an index file")
    if not create and not db.exists():
        raise LineageError(f"{db}: no such index (create it with `lineage index add`)")
    if create and not db.parent.exists():
        raise LineageError(f"{db}: folder {db.parent} does not exist")
    try:
        conn = sqlite3.connect(db, isolation_level=None, timeout=60.0)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=60000")
        if create:
            with transaction(conn, write=True):
                _script(conn, _SCHEMA)
                conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        elif conn.execute("SELECT 1 FROM sqlite_master WHERE name='meta'").fetchone() is None:
            raise LineageError(f"{db}: not a lineage index")
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if row is not None and row[0] != SCHEMA_VERSION:
            raise LineageError(f"{db}: an index of an older lineage (schema {row[0]}, now "
                               f"{SCHEMA_VERSION}); build a new one with `lineage index add`")
        _script(conn, _TEMP)
    except sqlite3.DatabaseError as exc:
        raise LineageError(f"{db}: not a lineage index ({exc})") from None
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection, *, write: bool = False) -> Iterator[None]:
    """One transaction: ``BEGIN IMMEDIATE`` (write) or ``BEGIN`` (a read snapshot).

    Commits when the block ends normally, rolls back on any exception. A process
    killed inside the block leaves the file as it was before ``BEGIN``.
    """
    conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def read_table(conn: sqlite3.Connection, sql: str, params: tuple = ()) -> pd.DataFrame:
    """The result of a query as a DataFrame (column names from the cursor)."""
    cur = conn.execute(sql, params)
    names = [d[0] for d in cur.description]
    frame = pd.DataFrame(cur.fetchall(), columns=names)
    for col in frame.columns:  # text as object, like the pipeline's tables
        if pd.api.types.is_string_dtype(frame[col]):
            frame[col] = frame[col].astype(object)
    return frame


def delete_documents(conn: sqlite3.Connection, where: str, params: tuple = ()) -> list[str]:
    """Delete the documents matching ``where`` (SQL over ``documents``) and all they touch.

    Their sketches, band keys, blocking terms, pairs and passages go too, and they
    are counted out of ``word_df``. Run inside a write transaction. Returns the
    deleted ids.
    """
    conn.execute("DELETE FROM gone")
    conn.execute(f"INSERT INTO gone SELECT doc, id FROM documents WHERE {where}", params)
    ids = [r[0] for r in conn.execute("SELECT id FROM gone ORDER BY id")]
    if not ids:
        return ids
    _count_out(conn)
    for table in ("sketches", "bands", "terms", "boilerplate"):
        conn.execute(f"DELETE FROM {table} WHERE doc IN (SELECT doc FROM gone)")
    for table in ("pairs", "passages"):
        conn.execute(f"DELETE FROM {table} WHERE a IN (SELECT id FROM gone) "
                     "OR b IN (SELECT id FROM gone)")
    conn.execute("DELETE FROM documents WHERE doc IN (SELECT doc FROM gone)")
    return ids


def count_in(conn: sqlite3.Connection, terms, df) -> None:
    """Add ``df`` (int64) to the stored document frequencies of ``terms`` (uint64)."""
    _upsert(conn, terms, df, 1)


def stored_df(conn: sqlite3.Connection, terms: np.ndarray) -> np.ndarray:
    """The stored document frequencies of ``terms`` (uint64; 0 for unseen ones)."""
    terms = np.asarray(terms, dtype=np.uint64)
    out = np.zeros(len(terms), dtype=np.int64)
    signed = terms.view(np.int64)
    for lo in range(0, len(terms), _CHUNK):
        part = signed[lo : lo + _CHUNK]
        found = dict(conn.execute(
            "SELECT term, df FROM word_df WHERE term IN (SELECT value FROM json_each(?))",
            (json.dumps(part.tolist()),)).fetchall())
        out[lo : lo + _CHUNK] = [found.get(t, 0) for t in part.tolist()]
    return out


def evidence_df(texts: list[str], spans: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Word document frequencies of ``texts`` with the boilerplate ``spans`` left out:
    the terms a full run's word TF-IDF counts for them."""
    from lineage.boilerplate import mask_tokens
    from lineage.shingle import hashed_tokens
    from lineage.wordvectors import document_frequencies

    kept = []
    for text, sp in zip(texts, spans, strict=True):
        starts, _, hashes, _ = hashed_tokens(text)
        kept.append(hashes[~mask_tokens(starts, sp)])
    lengths = np.fromiter(map(len, kept), dtype=np.int64, count=len(kept))
    flat = np.concatenate(kept) if kept else np.empty(0, np.uint64)
    return document_frequencies(flat, lengths)


def _count_out(conn: sqlite3.Connection) -> None:
    """Count the documents in ``gone`` out of ``word_df``."""
    rows = conn.execute("SELECT d.text, b.spans FROM gone g JOIN documents d ON d.doc = g.doc "
                        "LEFT JOIN boilerplate b ON b.doc = g.doc ORDER BY g.doc").fetchall()
    spans = [np.asarray(json.loads(sp) if sp else [], dtype=np.int64).reshape(-1, 2)
             for _, sp in rows]
    terms, df = evidence_df([t for t, _ in rows], spans)
    _upsert(conn, terms, df, -1)
    signed = terms.view(np.int64)
    for lo in range(0, len(terms), _CHUNK):
        conn.execute("DELETE FROM word_df WHERE df <= 0 AND term IN "
                     "(SELECT value FROM json_each(?))",
                     (json.dumps(signed[lo : lo + _CHUNK].tolist()),))


def _upsert(conn: sqlite3.Connection, terms, df, sign: int) -> None:
    signed = np.asarray(terms, dtype=np.uint64).view(np.int64).tolist()
    counts = (np.asarray(df, dtype=np.int64) * sign).tolist()
    conn.executemany("INSERT INTO word_df VALUES (?, ?) ON CONFLICT (term) "
                     "DO UPDATE SET df = df + excluded.df", zip(signed, counts, strict=True))


def hook(stage: str) -> None:
    """Test hook: append ``stage`` to the file ``$LINEAGE_INDEX_HOOK``, maybe pause.

    Does nothing unless ``LINEAGE_INDEX_HOOK`` names a file. With
    ``LINEAGE_INDEX_HOOK_PAUSE=STAGE:SECONDS`` it sleeps that long after signalling
    ``STAGE``. The crash and concurrency tests use it to kill or read an ``add`` at a
    known stage.
    """
    path = os.environ.get("LINEAGE_INDEX_HOOK")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(stage + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    at, _, seconds = os.environ.get("LINEAGE_INDEX_HOOK_PAUSE", "").partition(":")
    if at == stage and seconds:
        time.sleep(float(seconds))


def _script(conn: sqlite3.Connection, script: str) -> None:
    # not executescript: it would commit an open transaction first
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)
