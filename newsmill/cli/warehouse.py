"""The commands that read the warehouse: `query`, `export`, `report`, `shell` and `index`."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import click
import duckdb

from newsmill.cli import Context
from newsmill.cli.output import console, print_rows
from newsmill.config import Config
from newsmill.dates import DATE
from newsmill.terminal import safe_text
from newsmill.warehouse import WarehouseError, connect
from newsmill.warehouse.backend import shell_arguments
from newsmill.warehouse.connection import forbid_external_access, refused
from newsmill.warehouse.export import FORMATS, export_articles
from newsmill.warehouse.report import DEFAULT_DAYS as DEFAULT_REPORT_DAYS
from newsmill.warehouse.report import render_report, report_range
from newsmill.warehouse.sync import sync_index


@contextmanager
def _sandboxed(config: Config) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection that reaches no other file and no network."""
    with connect(config.settings.warehouse, read_only=True) as con:
        forbid_external_access(con)
        yield con


@click.command()
@click.argument("sql")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True,
              help="table: for reading; markup in the data shows as typed, control characters as "
                   "escapes (\\x1b). csv: the values exactly as stored, control characters included "
                   "(for files and programs). json: one object a line, the exact values, control "
                   "characters as JSON \\u escapes.")
@click.pass_obj
def query(obj: Context, sql: str, fmt: str) -> None:
    """Run SQL against the warehouse, read-only, and print the result.

    The SQL reads the warehouse's tables and views, but cannot write to the warehouse, open any
    other file (COPY, read_csv, read_text, ATTACH, EXPORT), reach the network, install or load
    extensions, or change settings: such a statement is refused with one line (exit 2). `newsmill
    shell` opens the full DuckDB CLI for those. Full-text search is `newsmill search`.
    """
    config = obj.config()
    with _sandboxed(config) as con:
        try:
            cursor = con.execute(sql)
            columns = [d[0] for d in cursor.description or []]
            rows = cursor.fetchall()
        except Exception as exc:  # many duckdb error types, and values Python cannot hold (fetchall)
            if refused(exc):
                raise click.UsageError(_refusal(exc), ctx=click.get_current_context()) from None
            raise click.ClickException(f"query failed: {exc}") from None
    print_rows(columns, rows, fmt)


def _refusal(exc: Exception) -> str:
    """One line for a statement the sandbox refused, with DuckDB's reason."""
    said = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return (f"the query is read-only: it cannot write, open other files, reach the network "
            f"or change settings ({said}); use `newsmill shell` for that")


@click.command()
@click.option("--from", "first", type=DATE, required=True, help="First publication date.")
@click.option("--to", "last", type=DATE, required=True, help="Last publication date (inclusive).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="parquet", show_default=True)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("export"),
              show_default=True, help="Folder of the dataset; one pub_date=YYYY-MM-DD/ folder per day.")
@click.pass_obj
def export(obj: Context, first: date, last: date, fmt: str, out: Path) -> None:
    """Export articles as a Hive-style day-partitioned dataset (parquet, jsonl or csv)."""
    if first > last:
        raise click.BadParameter(f"--from {first} is after --to {last}", param_hint="--from")
    config = obj.config()
    with connect(config.settings.warehouse, read_only=True) as con:
        try:
            rows = export_articles(con, out, fmt, first, last)
        except OSError as exc:
            raise click.ClickException(f"{out}: cannot write the export: {exc}") from None
    console.print(safe_text(f"exported {rows} articles from {first} to {last} into {out}/ ({fmt})"))


@click.command()
@click.option("--from", "first", type=DATE,
              help=f"First day (default: the oldest article's day, at most {DEFAULT_REPORT_DAYS} days up to --to).")
@click.option("--to", "last", type=DATE, help="Last day (default: the newest article's day).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("report.html"),
              show_default=True, help="HTML file to write.")
@click.pass_obj
def report(obj: Context, first: date | None, last: date | None, out: Path) -> None:
    """Write an offline HTML report: counts per source and day, day checks, failures, removals, duplicates."""
    config = obj.config()
    with connect(config.settings.warehouse, read_only=True) as con:
        first, last = report_range(con, first, last)
        if first > last:
            raise click.BadParameter(f"--from {first} is after --to {last}", param_hint="--from")
        html = render_report(con, first, last)
    try:
        out.write_text(html, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"{out}: cannot write the report: {exc}") from None
    console.print(safe_text(f"report for {first} to {last} of {config.settings.warehouse} written to {out}"))


@click.command()
@click.option("--write", is_flag=True, help="Open read-write (blocks loads while open).")
@click.pass_obj
def shell(obj: Context, write: bool) -> None:
    """Open the warehouse in the DuckDB CLI (`pip install duckdb-cli`).

    Full-text search is `newsmill search` (its index is not in the DuckDB file); its `--format csv`
    output can be read into the CLI with read_csv and joined with the tables by url.
    """
    config = obj.config()
    cli = shutil.which("duckdb") or shutil.which("duckdb", path=str(Path(sys.executable).parent))
    if cli is None:
        raise click.ClickException("the DuckDB CLI is not installed; run: pip install duckdb-cli==1.5.6")
    if config.settings.lake is not None:
        os.execv(cli, [cli, *shell_arguments(config.settings.lake, read_only=not write)])
    if not config.settings.database.exists():
        raise WarehouseError(f"{config.settings.database}: no warehouse yet; run `newsmill run` first")
    os.execv(cli, [cli, *([] if write else ["-readonly"]), str(config.settings.database)])


@click.group()
def index() -> None:
    """The search index beside the warehouse (FILE.search/): check it, or rebuild it.

    Every search and load checks the index against the warehouse and repairs it (catching up what
    a load left, or rebuilding it from the articles); these commands do it on demand.
    """


@index.command("check")
@click.pass_obj
def index_check(obj: Context) -> None:
    """Check the index against the warehouse, every file against its checksum; repair what differs."""
    config = obj.config()
    with connect(config.settings.warehouse, read_only=True) as con:  # beside searches, after loads
        synced = sync_index(con, checksums=True)
    if synced is None:
        console.print(safe_text(f"{config.settings.warehouse}: no articles table yet; nothing to index"))
    elif synced.rebuilt:
        console.print(safe_text(f"search index {synced.store.folder}: rebuilt ({synced.rebuilt}); "
                                f"{synced.documents} articles"))
    elif synced.caught_up:
        console.print(safe_text(f"search index {synced.store.folder}: caught up with {synced.caught_up} "
                                f"changed articles; {synced.documents} articles"))
    else:
        console.print(safe_text(f"search index {synced.store.folder}: current, {synced.documents} "
                                "articles, every file as written"))


@index.command("rebuild")
@click.pass_obj
def index_rebuild(obj: Context) -> None:
    """Rebuild the index from the warehouse's articles, whatever it holds."""
    config = obj.config()
    with connect(config.settings.warehouse, read_only=True) as con:  # beside searches, after loads
        synced = sync_index(con, rebuild="asked for by `newsmill index rebuild`")
    if synced is None:
        console.print(safe_text(f"{config.settings.warehouse}: no articles table yet; nothing to index"))
    else:
        console.print(safe_text(f"search index {synced.store.folder}: {synced.documents} articles"))
