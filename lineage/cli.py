"""The ``lineage`` command line: a thin layer over :func:`lineage.analyze`.

Every command calls a library function and prints; nothing is computed here.
A :class:`~lineage.errors.LineageError` becomes one line on stderr and exit code 2.
"""

from __future__ import annotations

import json
import sys
import warnings
from collections.abc import Callable
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from lineage import __version__
from lineage.config import Config, load_config
from lineage.errors import LineageError

__all__ = ["app", "main"]

app = typer.Typer(
    name="lineage",
    help="Find which news articles reuse the same copy, and infer who copied whom.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out_console = Console()
err_console = Console(stderr=True)


class OutputFormat(StrEnum):
    """How a command prints its result."""

    table = "table"
    json = "json"


FormatOption = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="Print a table (default) or JSON.")
]


def _version(value: bool) -> None:
    if value:
        out_console.print(f"lineage {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Find which news articles reuse the same copy, and infer who copied whom."""


@app.command()
def report(
    path: Annotated[Path, typer.Argument(help="A folder of .txt/.md/.html files, or a "
                                              ".jsonl/.csv/.parquet table.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Report folder "
                                             "[default: reports/<input name>].")] = None,
    config_file: Annotated[Path | None, typer.Option("--config", help="A TOML file of "
                                                     "settings (see lineage.config).")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed (overrides the config).")] = None,
    output_format: FormatOption = OutputFormat.table,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
) -> None:
    """Analyse a corpus and write a report folder (CSV tables and summary.json).

    Example: lineage report examples/seeds --out reports/seeds
    """
    from lineage.pipeline import analyze
    from lineage.write import check_out_dir, write_report

    with _user_errors():
        config = _config(config_file, seed)
        target = check_out_dir(out or Path("reports") / (path.stem or "corpus"))
        with _progress(quiet or output_format is OutputFormat.json) as progress:
            result = analyze(path, config=config, progress=progress, warn=_warn)
        write_report(result, target)
    summary = result.summary
    if output_format is OutputFormat.json:
        print(json.dumps({**summary, "out": str(target)}, indent=2, default=str))
        return
    table = Table(title=f"lineage report: {path}", show_header=False)
    table.add_row("documents", str(summary["documents"]))
    for relation, count in summary["pairs"].items():
        table.add_row(f"pairs: {relation}", str(count))
    table.add_row("families", str(summary["families"]))
    table.add_row("passages", str(summary["passages"]))
    table.add_row("run time", f"{summary['run_seconds']:.2f} s")
    out_console.print(table)
    out_console.print(f"report written to [bold]{target}[/bold]")


def main() -> None:
    """Console-script entry point."""
    app()


# -- helpers -----------------------------------------------------------------------


def _config(config_file: Path | None, seed: int | None) -> Config:
    overrides = {} if seed is None else {"seed": seed}
    return load_config(config_file, **overrides)


def _warn(message: str) -> None:
    err_console.print(f"[yellow]warning:[/yellow] {message}", highlight=False, soft_wrap=True)


@contextmanager
def _user_errors():
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=FutureWarning)
            yield
    except LineageError as exc:
        err_console.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None
    except KeyboardInterrupt:
        err_console.print("[red]interrupted:[/red] nothing was written", highlight=False)
        raise typer.Exit(code=130) from None
    except OSError as exc:
        name = f"{exc.filename}: " if exc.filename else ""
        err_console.print(f"[red]error:[/red] {name}{exc.strerror or exc}", highlight=False,
                          soft_wrap=True)
        raise typer.Exit(code=2) from None


@contextmanager
def _progress(quiet: bool):
    if quiet or not sys.stderr.isatty():
        yield None
        return
    bars = Progress(TextColumn("{task.description:<11}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=err_console, transient=True)
    state: dict[str, int] = {}

    def start(stage: str, total: int) -> Callable[[int], None]:
        if "task" in state:
            bars.update(state["task"], completed=bars.tasks[state["task"]].total)
        state["task"] = bars.add_task(stage, total=max(total, 1))
        return lambda n: bars.advance(state["task"], n)

    with bars:
        yield start
