"""Shared fixtures: the named port-strike corpus (texts in ``tests/fixtures/corpus.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.corpus import CORPUS


@pytest.fixture
def strike_corpus() -> list[dict[str, str]]:
    """The six named documents as rows (``id, text, source, published``), a fresh copy."""
    return [dict(row) for row in CORPUS]


@pytest.fixture
def strike_folder(tmp_path: Path, strike_corpus: list[dict[str, str]]) -> Path:
    """The corpus written as ``<id>.txt`` files (UTF-8) in a temporary folder."""
    folder = tmp_path / "strike"
    folder.mkdir()
    for row in strike_corpus:
        (folder / f"{row['id']}.txt").write_text(row["text"], encoding="utf-8", newline="")
    return folder
