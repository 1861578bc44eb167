"""lineage: find which news articles reuse the same copy, and infer who copied whom."""

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

from lineage.config import Config, load_config
from lineage.errors import LineageError

if TYPE_CHECKING:
    from lineage.pipeline import Analysis, analyze

try:
    __version__ = version("lineage")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = ["Analysis", "Config", "LineageError", "__version__", "analyze", "load_config"]


def __getattr__(name: str):
    # the pipeline (numpy, pandas, scikit-learn) loads on first use, so the command
    # line starts, and answers a Ctrl-C, before it has imported them
    if name in ("Analysis", "analyze"):
        from lineage import pipeline

        return getattr(pipeline, name)
    if not name.startswith("_"):  # lineage.pipeline etc. without importing them first
        from importlib import import_module
        from importlib.util import find_spec

        if find_spec(f"lineage.{name}") is not None:
            return import_module(f"lineage.{name}")
    raise AttributeError(f"module 'lineage' has no attribute {name!r}")
