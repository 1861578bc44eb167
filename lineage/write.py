"""Write an :class:`~lineage.pipeline.Analysis` to a report folder, atomically.

Everything is written into a temporary folder beside the target and renamed into
place at the end. A run that fails or is interrupted leaves no half-written report,
and an earlier report at the same place stays untouched until the new one is whole.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from lineage.errors import LineageError
from lineage.pipeline import Analysis
from lineage.schema import (
    DOCUMENTS_OUT,
    FAMILY_COLUMNS,
    PAIR_COLUMNS,
    PASSAGE_COLUMNS,
    TREE_COLUMNS,
)

__all__ = ["REPORT_FILES", "check_out_dir", "is_report_file", "write_report"]

#: The files of a report folder, in the order they are written.
REPORT_FILES = (
    "documents.csv",
    "pairs.csv",
    "families.csv",
    "tree.csv",
    "passages.csv",
    "summary.json",
    "latent.csv",
)


#: Other files a report folder may hold: the charts and page, and what file
#: managers leave behind.
_ALSO_REPORT = ("report.html", "charts.txt", "heatmap.png", "timeline.png", ".DS_Store",
                "Thumbs.db", "desktop.ini")


def is_report_file(name: str) -> bool:
    """Whether a report writes (or a file manager leaves) a file of this name."""
    return (name in REPORT_FILES or name in _ALSO_REPORT
            or (name.startswith("tree_family_") and name.endswith(".png")))


def check_out_dir(out: str | Path) -> Path:
    """The report folder to write: refuse an existing file, a path inside one, and a
    folder that holds anything a report did not write (a report replaces its folder
    whole, so nothing else there may be lost). A symbolic link is followed."""
    out = Path(out)
    if out.is_symlink() or out.name in ("", ".", ".."):
        out = out.resolve()
    if out.exists() and not out.is_dir():
        raise LineageError(f"{out}: --out is an existing file, not a folder")
    for parent in out.parents:
        if parent.exists() and not parent.is_dir():
            raise LineageError(f"{out}: {parent} is a file, not a folder")
    existing = next((p for p in (out, *out.parents) if p.exists()), None)
    if existing is not None and not os.access(existing, os.W_OK):
        raise LineageError(f"{out}: cannot write there ({existing} is not writable)")
    if out.is_dir():
        foreign = sorted(p.name for p in out.iterdir() if not is_report_file(p.name))
        if foreign:
            shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more"
                                              if len(foreign) > 3 else "")
            raise LineageError(
                f"{out}: not a lineage report folder (it holds {shown}); a report replaces "
                "its whole folder, so choose a new --out or an earlier report's folder")
    return out


def write_report(
    result: Analysis,
    out: str | Path,
    *,
    extra: Callable[[Analysis, Path], None] | None = None,
) -> Path:
    """Write the six report files into ``out``, replacing an earlier report there.

    Parameters
    ----------
    result : Analysis
    out : str or Path
        The report folder; created (with its parents) when missing.
    extra : callable, optional
        ``extra(result, folder)`` writes more files (charts, HTML) into the
        temporary folder before it is moved into place.

    Returns
    -------
    Path
        ``out``.
    """
    out = check_out_dir(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        # mkdtemp makes the folder private (0700); a report gets a folder's usual mode
        # (the earlier report's, or the umask's)
        tmp.chmod(out.stat().st_mode & 0o7777 if out.is_dir() else 0o777 & ~_umask())
        _write_tables(result, tmp)
        if extra is not None:
            extra(result, tmp)
        _swap_into_place(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def _write_tables(result: Analysis, folder: Path) -> None:
    docs = result.documents[list(DOCUMENTS_OUT)].copy()
    docs["published"] = _iso(docs["published"])
    tables = {
        "documents.csv": docs,
        "pairs.csv": result.pairs[list(PAIR_COLUMNS)],
        "families.csv": result.families[list(FAMILY_COLUMNS)],
        "tree.csv": result.tree[list(TREE_COLUMNS)],
        "passages.csv": result.passages[list(PASSAGE_COLUMNS)],
        "latent.csv": result.latent,
    }
    for name, table in tables.items():
        table.to_csv(folder / name, index=False, lineterminator="\n")
    (folder / "summary.json").write_text(
        json.dumps(result.summary, indent=2, ensure_ascii=False, default=str) + "\n",
        encoding="utf-8",
    )


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _iso(published: pd.Series) -> pd.Series:
    return published.map(lambda t: "" if pd.isna(t) else t.isoformat())


def _swap_into_place(tmp: Path, out: Path) -> None:
    if not out.exists():
        os.replace(tmp, out)
        return
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    os.replace(out, old)
    try:
        os.replace(tmp, out)
    except BaseException:
        os.replace(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)
