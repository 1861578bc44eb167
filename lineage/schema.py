"""Table contracts: the column names of every table lineage produces, defined once.

Each stage checks its input with :func:`require_columns` and returns a DataFrame
whose leading columns are exactly those listed here (more may follow at the end).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from lineage.errors import LineageError

__all__ = [
    "DOCUMENTS_OUT",
    "DOCUMENT_COLUMNS",
    "FAMILY_COLUMNS",
    "PAIR_COLUMNS",
    "PASSAGE_COLUMNS",
    "RELATIONS",
    "RELATION_MEANINGS",
    "REUSE_RELATIONS",
    "TREE_COLUMNS",
    "require_columns",
]

#: Columns of the ``documents`` table returned by :func:`lineage.load.load_documents`.
#: ``published`` is a timezone-aware UTC ``datetime64`` (``NaT`` when unknown).
DOCUMENT_COLUMNS: tuple[str, ...] = ("id", "text", "title", "source", "url", "published")

#: Columns of ``documents.csv`` (the loaded table plus derived counts and family).
DOCUMENTS_OUT: tuple[str, ...] = (
    "id",
    "source",
    "title",
    "published",
    "n_chars",
    "n_words",
    "family",
    "story",
    "boilerplate_chars",
)

#: Columns of ``pairs.csv``; each pair once with ``a < b``.
PAIR_COLUMNS: tuple[str, ...] = (
    "a",
    "b",
    "relation",
    "likely_source",
    "jaccard",
    "containment_ab",
    "containment_ba",
    "tfidf_cosine",
    "char_cosine",
    "aligned_a",
    "aligned_b",
    "confidence",
    "evidence",
)

#: Columns of ``families.csv``.
FAMILY_COLUMNS: tuple[str, ...] = ("family", "id", "role")

#: Columns of ``tree.csv``.
TREE_COLUMNS: tuple[str, ...] = ("child", "parent", "confidence", "evidence")

#: Columns of ``passages.csv``; offsets are ``[start, end)`` into the original texts.
PASSAGE_COLUMNS: tuple[str, ...] = (
    "a",
    "b",
    "a_start",
    "a_end",
    "b_start",
    "b_end",
    "kind",
    "similarity",
    "a_text",
    "b_text",
)

#: Relation labels, strongest first. Unrelated pairs are not listed at all.
RELATIONS: tuple[str, ...] = ("duplicate", "wholly-derived", "partially-derived", "same-story")

#: Each relation in plain words, for readers of a report.
RELATION_MEANINGS: dict[str, str] = {
    "duplicate": "the same text: at most lightly edited, restyled or misread by a scan",
    "wholly-derived": "one article is mostly made of the other's text, word for word or "
                      "rewritten sentence by sentence",
    "partially-derived": "some passages of one article were taken from the other; the rest "
                         "is its own",
    "same-story": "the same event written independently: similar words, no passage taken",
}

#: Relations that mean text was reused (as opposed to a shared topic only).
REUSE_RELATIONS: frozenset[str] = frozenset({"duplicate", "wholly-derived", "partially-derived"})


def require_columns(frame: pd.DataFrame, columns: Sequence[str], *, table: str) -> None:
    """Raise :class:`LineageError` unless ``frame`` has every name in ``columns``.

    Parameters
    ----------
    frame : DataFrame
        The table handed to a stage.
    columns : sequence of str
        The names the stage needs.
    table : str
        The table's name, for the message.
    """
    if not isinstance(frame, pd.DataFrame):
        raise LineageError(f"{table}: expected a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise LineageError(f"{table}: missing column(s) {', '.join(missing)}")
