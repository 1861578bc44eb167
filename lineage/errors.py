"""The one exception type lineage raises for bad input or bad settings."""

from __future__ import annotations

__all__ = ["LineageError"]


class LineageError(ValueError):
    """A problem the user can fix: bad input, a bad path, a bad setting.

    The message is one line that names the file (when there is one) and the problem;
    the CLI prints it as it is, with no traceback.
    """
