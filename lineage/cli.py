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
#: Whether an interrupt was reported already (``lineage.__main__`` reports one that
#: typer ended before a command's own error handling saw it).
interrupt_reported = False


class OutputFormat(StrEnum):
    """How a command prints its result."""

    table = "table"
    json = "json"


class Engine(StrEnum):
    """Where the sketch and candidate stages run."""

    local = "local"
    spark = "spark"


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
                                              ".json/.jsonl/.csv/.parquet table.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Report folder "
                                             "[default: reports/<input name>].")] = None,
    config_file: Annotated[Path | None, typer.Option("--config", help="A TOML file of "
                                                     "settings (see lineage.config).")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed (overrides the config).")] = None,
    output_format: FormatOption = OutputFormat.table,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Threads for MinHash "
                                      "(0 = all cores).")] = 0,
    html: Annotated[bool, typer.Option("--html/--no-html", help="Also write a self-contained "
                                       "report.html.")] = True,
    engine: Annotated[Engine, typer.Option(help="local, or spark: sketch and candidates as "
                                           "Spark jobs (needs pyspark and Java).")] = Engine.local,
    master: Annotated[str, typer.Option(help="Spark master URL for --engine spark "
                                        "(local[*], spark://host:7077, yarn).")] = "local[*]",
) -> None:
    """Analyse a corpus and write a report folder (CSV tables, summary.json, PNG charts).

    Example: lineage report examples/seeds --out reports/seeds
    """
    from lineage.pipeline import analyze
    from lineage.write import check_out_dir, write_report

    with _user_errors():
        config = _config(config_file, seed)
        target = check_out_dir(out or Path("reports") / (path.stem or "corpus"))
        with _progress(quiet or output_format is OutputFormat.json) as progress:
            if engine == Engine.spark:
                from lineage.spark import analyze_spark

                result = analyze_spark(path, config=config, master=master, progress=progress,
                                       warn=_warn)
            else:
                result = analyze(path, config=config, progress=progress, warn=_warn,
                                 jobs=jobs or None)
        write_report(result, target, extra=_charts_and_html if html else _charts_extra)
    summary = result.summary
    if output_format is OutputFormat.json:
        print(json.dumps({**summary, "out": str(target)}, indent=2, default=str))
        return
    table = Table(title=f"lineage report: {path}", show_header=False)
    table.add_row("documents", str(summary["documents"]))
    for relation, count in summary["pairs"].items():
        table.add_row(f"pairs: {relation}", str(count))
    table.add_row("families", str(summary["families"]))
    table.add_row("stories", str(summary.get("stories", 0)))
    table.add_row("passages", str(summary["passages"]))
    copying = summary.get("copying", {})
    if copying.get("clear_copies"):
        table.add_row("copies taken from their family's original",
                      f"{copying['from_top']} of {copying['clear_copies']} clear copies")
    table.add_row("run time", f"{summary['run_seconds']:.2f} s")
    out_console.print(table)
    out_console.print(f"report written to [bold]{target}[/bold]")


@app.command()
def compare(
    a: Annotated[Path, typer.Argument(help="The first article file.")],
    b: Annotated[Path, typer.Argument(help="The second article file.")],
    config_file: Annotated[Path | None, typer.Option("--config", help="A TOML file of "
                                                     "settings (see lineage.config).")] = None,
    output_format: FormatOption = OutputFormat.table,
) -> None:
    """Compare two articles: relation, scores and the shared passages, highlighted.

    Example: lineage compare examples/seeds/002_c905c3656ea7082f.txt
    examples/seeds/003_67203c20ee23465f.txt
    """
    from lineage.view import compare_files, print_comparison

    with _user_errors():
        data = compare_files(a, b, config=_config(config_file, None))
    if output_format is OutputFormat.json:
        print(json.dumps(data, indent=2, ensure_ascii=False, default=str))
        return
    print_comparison(data, out_console)


@app.command()
def show(
    report_dir: Annotated[Path, typer.Argument(help="A folder written by lineage report.")],
    output_format: FormatOption = OutputFormat.table,
) -> None:
    """Print the summary of an existing report folder.

    Example: lineage show reports/seeds
    """
    from lineage.view import print_report, read_report

    with _user_errors():
        data = read_report(report_dir)
    if output_format is OutputFormat.json:
        print(json.dumps(data, indent=2, ensure_ascii=False, default=str))
        return
    print_report(data, out_console)


# -- lineage index: a persistent index (lineage.index) --------------------------------

index_app = typer.Typer(
    name="index",
    help="A persistent SQLite index: add each day's articles, query, report, evict.",
    no_args_is_help=True,
)
app.add_typer(index_app)
DbOption = Annotated[Path, typer.Option("--db", help="The SQLite index file.")]


@index_app.command("add")
def index_add(
    path: Annotated[Path, typer.Argument(help="A folder or a .json/.jsonl/.csv/.parquet "
                                              "table of articles to add.")],
    db: DbOption = Path("lineage.db"),
    config_file: Annotated[Path | None, typer.Option("--config", help="A TOML file of "
                                                     "settings (first add only).")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed (first add only).")] = None,
    output_format: FormatOption = OutputFormat.table,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
) -> None:
    """Add articles to the index (created when missing) in one transaction.

    An id already in the index is replaced. Example: lineage index add news/today --db lineage.db
    """
    from lineage.index import add

    with _user_errors():
        config = None if config_file is None and seed is None else _config(config_file, seed)
        with _progress(quiet or output_format is OutputFormat.json) as progress:
            result = add(db, path, config=config, progress=progress, warn=_warn)
    info = {"db": str(db), "added": result.added, "replaced": len(result.replaced),
            "partners": result.partners, "pairs": result.pairs,
            "documents": result.total_documents, "seconds": result.seconds}
    if output_format is OutputFormat.json:
        print(json.dumps(info, indent=2))
        return
    table = Table(title=f"lineage index add: {path}", show_header=False)
    for key, value in info.items():
        table.add_row(key, str(value))
    out_console.print(table)


@index_app.command("query")
def index_query(
    article: Annotated[str, typer.Argument(help="A file with one article, or the id of an "
                                                "article in the index.")],
    db: DbOption = Path("lineage.db"),
    output_format: FormatOption = OutputFormat.table,
) -> None:
    """Likely sources of an article, with the shared passages.

    Example: lineage index query news/today/story.txt --db lineage.db --format json
    """
    from lineage.index import query

    with _user_errors():
        result = query(db, article, warn=_warn)
    if output_format is OutputFormat.json:
        passages = result.passages.groupby("id")
        rows = []
        for row in result.sources.to_dict(orient="records"):
            own = passages.get_group(row["id"]) if row["id"] in passages.groups else None
            row["passages"] = [] if own is None else own.drop(columns="id").to_dict("records")
            rows.append(row)
        print(json.dumps({"article": result.article, "stored": result.stored,
                          "sources": rows}, indent=2, ensure_ascii=False, default=str))
        return
    table = Table(title=f"likely sources of {result.article}")
    for col in ("id", "relation", "role", "confidence", "aligned_article", "evidence"):
        table.add_column(col)
    for row in result.sources.itertuples(index=False):
        table.add_row(row.id, row.relation, row.role, f"{row.confidence:.2f}",
                      f"{row.aligned_article:.0%}", row.evidence)
    out_console.print(table)
    out_console.print(f"{len(result.passages)} shared passage(s); --format json shows them")


@index_app.command("report")
def index_report(
    db: DbOption = Path("lineage.db"),
    out: Annotated[Path, typer.Option("--out", "-o", help="Report folder.")] = Path(
        "reports/index"),
) -> None:
    """Write the index as a report folder (the same files as `lineage report`).

    Example: lineage index report --db lineage.db --out reports/archive
    """
    from lineage.index import load_analysis
    from lineage.write import check_out_dir, write_report

    with _user_errors():
        target = check_out_dir(out)
        write_report(load_analysis(db), target)
    out_console.print(f"report written to [bold]{target}[/bold]")


@index_app.command("evict")
def index_evict(
    before: Annotated[str, typer.Option("--before", help="Evict articles published before "
                                                         "this ISO date (UTC).")],
    db: DbOption = Path("lineage.db"),
) -> None:
    """Delete articles published before a date, with their pairs and passages.

    Articles without a date are kept. Example: lineage index evict --before 2024-01-01
    """
    from lineage.index import evict

    with _user_errors():
        gone = evict(db, before)
    out_console.print(f"evicted {len(gone)} article(s) from {db}")


def main() -> None:
    """Console-script entry point."""
    app()


# -- helpers -----------------------------------------------------------------------


def _config(config_file: Path | None, seed: int | None) -> Config:
    overrides = {} if seed is None else {"seed": seed}
    return load_config(config_file, **overrides)


def _charts_extra(result, folder: Path) -> None:
    from lineage.plot import write_charts

    write_charts(result, folder)


def _charts_and_html(result, folder: Path) -> None:
    _charts_extra(result, folder)
    _html_extra(result, folder)


def _html_extra(result, folder: Path) -> None:
    from lineage.html import write_html

    write_html(result, folder)


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
        global interrupt_reported
        err_console.print("[red]interrupted:[/red] nothing was written", highlight=False)
        interrupt_reported = True
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
