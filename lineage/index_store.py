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
``sentence_df(term, df)``
    How many stored sentences (all of every document's sentences, boilerplate
    included, as a full run's sentence TF-IDF counts them) hold each word 1-2 gram;
    over ``char_df``'s ``sentence`` rows.
``char_df(level, rows, df)``
    Character n-gram document frequencies, a little-endian int32 blob over
    :class:`~lineage.vectorize.HashedCharTfidf`'s buckets, of ``rows`` texts:
    ``document`` counts the stored documents' boilerplate-blanked texts,
    ``sentence`` all their sentences.
``boilerplate(doc, spans)``
    The boilerplate spans (JSON ``[start, end, ...]``) left out when a document was
    counted into ``word_df`` and ``char_df``, so it can be counted out exactly;
    only documents that had some.
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
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from lineage.errors import LineageError

__all__ = [
    "PAIR_STORED",
    "PASSAGE_STORED",
    "SCHEMA_VERSION",
    "ArchiveCounts",
    "archive_counts",
    "bucket_df",
    "connect",
    "count_in",
    "delete_documents",
    "hook",
    "read_table",
    "stored_df",
    "transaction",
]

SCHEMA_VERSION = "7"  # 6: token forms folded (normalize.FOLDED); 7: shingles reaching
# into boilerplate dropped (boilerplate.shingle_skips)

#: ``char_df``'s blob: little-endian int32 (half the bytes rewritten per add of int64).
_BUCKET = np.dtype("<i4")

#: Tables of word 1-2 gram counts: documents' (evidence tokens) and sentences'.
_TERM_TABLES = ("word_df", "sentence_df")

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
CREATE TABLE IF NOT EXISTS sentence_df (term INTEGER PRIMARY KEY, df INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS char_df (level TEXT PRIMARY KEY, rows INTEGER NOT NULL,
                                    df BLOB NOT NULL);
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
        # 256 MiB of page cache (the default is 2 MiB): an add's lookups and inserts
        # touch pages all over a large index's term and band tables
        conn.execute("PRAGMA cache_size=-262144")
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        if tables and "meta" not in tables:  # someone else's database: leave it alone
            conn.close()
            shown = ", ".join(sorted(tables)[:3]) + (" …" if len(tables) > 3 else "")
            raise LineageError(f"{db}: an SQLite database that is not a lineage index "
                               f"(its tables: {shown})")
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
        raise LineageError(f"{db}: {database_problem(exc)}") from None
    return conn


def database_problem(exc: sqlite3.Error) -> str:
    """What a SQLite error means for the person running lineage, in one line."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return "the index is locked by another process (waited 60 s); try again when it ends"
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return ("cannot open the index for writing (a read-only file or folder? SQLite "
                f"needs to write beside it, even to read it: {text})")
    if "malformed" in text or "not a database" in text or "encrypted" in text:
        return f"not a lineage index, or a damaged one ({text})"
    return f"SQLite error: {text}"


@contextmanager
def sqlite_errors(db: str | Path) -> Iterator[None]:
    """Turn a SQLite error inside the block into a one-line :class:`LineageError`."""
    try:
        yield
    except sqlite3.Error as exc:
        raise LineageError(f"{db}: {database_problem(exc)}") from None


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
    are counted out of ``word_df``, ``sentence_df`` and ``char_df``. Run inside a
    write transaction. Returns the deleted ids.
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


@dataclass(frozen=True)
class ArchiveCounts:
    """What some documents add to the stored document frequencies.

    Attributes
    ----------
    word_terms, word_df : ndarray of uint64, int64
        Word 1-2 gram terms of the documents' evidence tokens, and documents
        holding each.
    sentence_terms, sentence_df : ndarray of uint64, int64
        The same over all their sentences, and sentences holding each.
    char_df, sentence_char_df : ndarray of int64, shape (n_features,)
        Documents (boilerplate-blanked texts) and sentences holding each character
        n-gram bucket.
    documents, sentences : int
    """

    word_terms: np.ndarray
    word_df: np.ndarray
    sentence_terms: np.ndarray
    sentence_df: np.ndarray
    char_df: np.ndarray
    sentence_char_df: np.ndarray
    documents: int
    sentences: int


def archive_counts(texts: list[str], spans: list[np.ndarray], *,
                   tokens: tuple[list[np.ndarray], list[np.ndarray]] | None = None,
                   sentences: pd.DataFrame | None = None) -> ArchiveCounts:
    """The counts a full run's TF-IDF models make of ``texts``, boilerplate ``spans``
    (per text) left out where a full run leaves them out.

    ``tokens`` (per text: token starts and hashes, :func:`lineage.shingle.hashed_tokens`)
    and ``sentences`` (:func:`lineage.normalize.sentence_table`) are computed when
    not given.
    """
    from lineage.boilerplate import mask_tokens, strip_boilerplate
    from lineage.normalize import sentence_table
    from lineage.shingle import hashed_tokens
    from lineage.vectorize import HashedCharTfidf
    from lineage.wordvectors import document_frequencies, span_tokens

    if tokens is None:
        tokens = ([], [])
        for text in texts:
            st, _, h, _ = hashed_tokens(text)
            tokens[0].append(st)
            tokens[1].append(h)
    starts, hashes = tokens
    if sentences is None:
        sentences = sentence_table(texts)
    kept = [h[~mask_tokens(st, sp)] for h, st, sp in zip(hashes, starts, spans, strict=True)]
    word = document_frequencies(_flat(kept), np.fromiter(map(len, kept), np.int64, len(kept)))
    doc, start, end = (sentences[c].to_numpy() for c in ("doc", "start", "end"))
    index, lengths = span_tokens(starts, doc, start, end)
    sentence = document_frequencies(_flat(hashes)[index], lengths)
    model = HashedCharTfidf()
    chars = model.frequencies([strip_boilerplate(t, sp) for t, sp in
                               zip(texts, spans, strict=True)])
    sentence_chars = model.frequencies([texts[d][a:b] for d, a, b in zip(
        doc.tolist(), start.tolist(), end.tolist(), strict=True)])
    return ArchiveCounts(*word, *sentence, chars.df, sentence_chars.df, len(texts),
                         len(sentences))


def count_in(conn: sqlite3.Connection, counts: ArchiveCounts) -> None:
    """Add ``counts`` to the stored document frequencies."""
    _apply(conn, counts, 1)


def stored_df(conn: sqlite3.Connection, terms: np.ndarray, table: str = "word_df"
              ) -> np.ndarray:
    """The stored document frequencies of ``terms`` (uint64; 0 for unseen ones) in
    ``table`` (``word_df`` or ``sentence_df``)."""
    if table not in _TERM_TABLES:
        raise ValueError(f"{table}: not a term count table")
    terms = np.asarray(terms, dtype=np.uint64)
    out = np.zeros(len(terms), dtype=np.int64)
    signed = terms.view(np.int64)
    for lo in range(0, len(terms), _CHUNK):
        part = signed[lo : lo + _CHUNK]
        found = dict(conn.execute(
            f"SELECT term, df FROM {table} WHERE term IN (SELECT value FROM json_each(?))",
            (json.dumps(part.tolist()),)).fetchall())
        out[lo : lo + _CHUNK] = [found.get(t, 0) for t in part.tolist()]
    return out


def bucket_df(conn: sqlite3.Connection, level: str):
    """The stored character n-gram frequencies of ``level`` (``document`` or
    ``sentence``) as a :class:`~lineage.vectorize.BucketFrequencies` (zeros when
    nothing is stored)."""
    from lineage.vectorize import BucketFrequencies, HashedCharTfidf

    row = conn.execute("SELECT rows, df FROM char_df WHERE level = ?", (level,)).fetchone()
    if row is None:
        return BucketFrequencies(np.zeros(HashedCharTfidf().n_features, np.int64), 0)
    return BucketFrequencies(np.frombuffer(row[1], dtype=_BUCKET).astype(np.int64), int(row[0]))


def _count_out(conn: sqlite3.Connection) -> None:
    """Count the documents in ``gone`` out of the stored frequencies."""
    rows = conn.execute("SELECT d.text, b.spans FROM gone g JOIN documents d ON d.doc = g.doc "
                        "LEFT JOIN boilerplate b ON b.doc = g.doc ORDER BY g.doc").fetchall()
    spans = [np.asarray(json.loads(sp) if sp else [], dtype=np.int64).reshape(-1, 2)
             for _, sp in rows]
    _apply(conn, archive_counts([t for t, _ in rows], spans), -1)


def _apply(conn: sqlite3.Connection, counts: ArchiveCounts, sign: int) -> None:
    for table, terms, df in (("word_df", counts.word_terms, counts.word_df),
                             ("sentence_df", counts.sentence_terms, counts.sentence_df)):
        signed = np.asarray(terms, dtype=np.uint64).view(np.int64)
        order = np.argsort(signed, kind="stable")  # the primary key's order
        signed, df = signed[order], np.asarray(df, np.int64)[order]
        conn.executemany(f"INSERT INTO {table} VALUES (?, ?) ON CONFLICT (term) "
                         "DO UPDATE SET df = df + excluded.df",
                         zip(signed.tolist(), (df * sign).tolist(),
                             strict=True))
        if sign < 0:
            for lo in range(0, len(signed), _CHUNK):
                conn.execute(f"DELETE FROM {table} WHERE df <= 0 AND term IN "
                             "(SELECT value FROM json_each(?))",
                             (json.dumps(signed[lo : lo + _CHUNK].tolist()),))
    for level, df, rows in (("document", counts.char_df, counts.documents),
                            ("sentence", counts.sentence_char_df, counts.sentences)):
        stored = bucket_df(conn, level)
        total = stored.df + sign * np.asarray(df, dtype=np.int64)
        if len(total) and (total.min() < 0 or total.max() > np.iinfo(_BUCKET).max):
            raise LineageError(f"character n-gram counts ({level}) out of range: the index "
                               "is damaged")
        conn.execute("INSERT INTO char_df VALUES (?, ?, ?) ON CONFLICT (level) DO UPDATE "
                     "SET rows = excluded.rows, df = excluded.df",
                     (level, stored.rows + sign * rows, total.astype(_BUCKET).tobytes()))


def _flat(arrays: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(arrays) if arrays else np.empty(0, np.uint64)


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
