"""lineage: find which news articles reuse the same copy, and infer who copied whom."""

from importlib.metadata import PackageNotFoundError, version

from lineage.config import Config, load_config
from lineage.errors import LineageError
from lineage.pipeline import Analysis, analyze

try:
    __version__ = version("lineage")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = ["Analysis", "Config", "LineageError", "__version__", "analyze", "load_config"]
