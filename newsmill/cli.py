"""The `newsmill` command line: run a day, backfill a range, list sources, query the warehouse."""

from __future__ import annotations

import csv
import json
import os
import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click
import duckdb
from rich.console import Console
from rich.table import Table
from rich.text import Text

from newsmill import dates, layout
from newsmill.config import (
    CONFIG,
    DATA_DIR,
    DATABASE,
    DEMO_CONFIG,
    Config,
    ConfigError,
    load_config,
    packaged_config,
)
from newsmill.dates import DATE
from newsmill.terminal import json_for_terminal, printable, safe_text
from newsmill.warehouse import WarehouseError, connect
from newsmill.warehouse.backend import shell_arguments
from newsmill.warehouse.connection import check_usable, forbid_external_access, refused
from newsmill.warehouse.export import FORMATS, export_articles
from newsmill.warehouse.report import DEFAULT_DAYS as DEFAULT_REPORT_DAYS
from newsmill.warehouse.report import render_report, report_range
from newsmill.warehouse.search import search as search_articles
from newsmill.warehouse.search import sync_index

if TYPE_CHECKING:
    from newsmill import pipeline

_WIDTH = shutil.get_terminal_size((160, 24)).columns  # tables stay readable when piped or logged
console = Console(stderr=True, width=_WIDTH, soft_wrap=True)


class _Context:
    def __init__(self, config_path: str | None, data_dir: str | None, database: str | None) -> None:
        self.config_path, self.data_dir, self.database = config_path, data_dir, database

    def config(self) -> Config:
        return load_config(self.config_path, data_dir=self.data_dir, database=self.database)


SINGLE_PROCESS = frozenset({"search", "query", "report", "export", "index", "sources", "shell"})
"""Commands that start no other process: they run without `pipeline` (its pyarrow, Scrapy and
process pool imports would be most of a search's time), and a signal ends them as it ends any
program (Ctrl-C: `newsmill: aborted`, exit 130)."""


class _Commands(click.Group):
    """newsmill's commands, with the `airflow` group imported only when it is asked for (its
    imports would add to every other command's start)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), "airflow"])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name == "airflow":
            from newsmill.local_airflow.cli import airflow

            return airflow
        return super().get_command(ctx, cmd_name)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", envvar=CONFIG.name, metavar="FILE",
              help="Sources TOML (default: the packaged default.toml; env NEWSMILL_CONFIG).")
@click.option("--data-dir", envvar=DATA_DIR.name, metavar="DIR",
              help="Where WARC files and run files go (default: data/; env NEWSMILL_DATA_DIR).")
@click.option("--db", "database", envvar=DATABASE.name, metavar="FILE",
              help="DuckDB warehouse (default: DATA_DIR/news.duckdb; env NEWSMILL_DB).")
@click.version_option(package_name="newsmill")
@click.pass_context
def main(ctx: click.Context, config_path: str | None, data_dir: str | None, database: str | None) -> None:
    """newsmill: collect a day's news into a DuckDB file.

    Crawls feeds, sitemaps and archive pages by publication date (Scrapy), keeps raw pages as WARC,
    extracts and cleans the text (trafilatura + newsmill's cleaning) and loads DuckDB tables.

    Exit codes: 0 done (failed pages are counted, not fatal); 1 nothing could be fetched, or the
    crawl's record is incomplete (a file not written: nothing is loaded); 2 bad input (config,
    arguments, an unusable DuckDB file) or the warehouse or the run directory stayed locked by
    another run for NEWSMILL_LOCK_TIMEOUT seconds; 130 interrupted (Ctrl-C), 143 stopped (SIGTERM).
    """
    ctx.obj = _Context(config_path, data_dir, database)
    if ctx.invoked_subcommand not in SINGLE_PROCESS:  # crawls, workers, servers: stopped on the way out
        from newsmill import pipeline

        ctx.with_resource(pipeline.stop_on_signals())


def _run_range(obj: _Context, first: date, last: date, sources: Sequence[str], refetch: bool,
               days_per_run: int, quiet: bool) -> None:
    if first > last:
        raise click.BadParameter(f"--from {first} is after --to {last}", param_hint="--from")
    config = obj.config()
    config.select(list(sources))  # unknown source names fail before anything is written
    _check_paths(config)  # so do an unusable data folder or DuckDB file
    from newsmill import pipeline

    chunks = _chunks(first, last, days_per_run)
    summaries = []
    with pipeline.worker_pool() as pool:  # one pool for the range: only the first run starts it
        for chunk_first, chunk_last in chunks:  # a run that fails (RunFailed) ends the command
            summaries.append(pipeline.run(config, chunk_first, chunk_last, list(sources) or None,
                                          refetch=refetch, progress=not quiet, pool=pool))
    _print_summary(summaries, config)
    if not summaries or all(s.did_nothing for s in summaries):
        sys.exit(1)


def _check_paths(config: Config) -> None:
    """Raise ConfigError/WarehouseError, changing nothing on disk, unless a run can write its files."""
    data_dir = Path(config.settings.data_dir)
    folder = layout.nearest_existing(data_dir)
    if not folder.is_dir():
        raise ConfigError(f"data folder {data_dir}: {folder} is a file, not a folder; set --data-dir "
                          "(or settings.data_dir) to a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ConfigError(f"data folder {data_dir}: no write permission in {folder}; set --data-dir "
                          "(or settings.data_dir) to a folder you can write")
    check_usable(config.settings.warehouse)


def _chunks(first: date, last: date, size: int) -> list[tuple[date, date]]:
    all_days = list(dates.days(first, last))
    return [(group[0], group[-1]) for group in (all_days[i:i + size] for i in range(0, len(all_days), size))]


def _print_summary(summaries: list[pipeline.RunSummary], config: Config) -> None:
    table = Table(title=safe_text(f"newsmill: {config.settings.warehouse}"), title_justify="left")
    for column in ("run", "fetched", "articles", "removed", "failed", "skipped", "crawl s",
                   "extract s", "load s"):
        table.add_column(column, justify="left" if column == "run" else "right")
    for s in summaries:
        table.add_row(safe_text(s.run_id), str(s.load.pages_fetched), str(s.load.articles),
                      str(s.load.removed), str(s.load.failures), str(s.load.skipped), f"{s.crawl_seconds:.1f}",
                      f"{s.extract_seconds:.1f}", f"{s.load.seconds:.1f}")
    console.print(table)
    console.print("fetched: pages fetched; articles: articles of the run in the warehouse; removed: "
                  "paragraphs cleaned out; failed: pages that failed (see crawl_failures); skipped: "
                  "articles already loaded, not fetched again (--refetch to fetch them), or redirecting to one "
                  "fetched anyway", style="dim")


_refetch = click.option("--refetch", is_flag=True,
                        help="Fetch articles again even if already loaded; replaces the days' rows.")
_sources = click.option("--source", "sources", multiple=True, metavar="NAME",
                        help="Only this source (repeatable; default: all).")
_quiet = click.option("-q", "--quiet", is_flag=True, help="No progress bars.")


@main.command()
@click.option("--date", "day", type=DATE, required=True, help="Publication date to collect.")
@_sources
@_refetch
@_quiet
@click.pass_obj
def run(obj: _Context, day: date, sources: tuple[str, ...], refetch: bool, quiet: bool) -> None:
    """Collect the articles published on one day."""
    _run_range(obj, day, day, sources, refetch, 1, quiet)


@main.command()
@click.option("--from", "first", type=DATE, required=True, help="First publication date.")
@click.option("--to", "last", type=DATE, required=True, help="Last publication date (inclusive).")
@click.option("--days-per-run", type=click.IntRange(1), default=1, show_default=True,
              help="Days crawled together in one run (more is faster over long ranges).")
@click.option("--via", type=click.Choice(["sites", "ccnews"]), default="sites", show_default=True,
              help="Where the pages come from: the sites' listings, or Common Crawl's CC-NEWS "
                   "archive (days the sites no longer list; README: Backfill from CC-NEWS).")
@_sources
@_refetch
@_quiet
@click.pass_obj
def backfill(obj: _Context, first: date, last: date, days_per_run: int, via: str, sources: tuple[str, ...],
             refetch: bool, quiet: bool) -> None:
    """Collect every day of a date range (inclusive), one run per day by default.

    With --via ccnews, one run takes the range from CC-NEWS: the files around it are streamed
    (each once: later backfills over them stream nothing), the sources' pages stored as WARC and
    extracted and loaded as a crawl's; an article dated outside the range is not loaded (crawl_log
    says so). Exits 1 when a CC-NEWS file could not be read (the rest is loaded; the next backfill
    tries that file again) or nothing was found.
    """
    if via == "ccnews":
        _backfill_ccnews(obj, first, last, sources, refetch, quiet)
    else:
        _run_range(obj, first, last, sources, refetch, days_per_run, quiet)


def _backfill_ccnews(obj: _Context, first: date, last: date, sources: Sequence[str], refetch: bool,
                     quiet: bool) -> None:
    # CC-NEWS reading (warcio, pyarrow.parquet): imported here so other commands start without it
    from newsmill import ccnews

    if first > last:
        raise click.BadParameter(f"--from {first} is after --to {last}", param_hint="--from")
    config = obj.config()
    config.select(list(sources))  # unknown source names fail before anything is written
    _check_paths(config)
    summary = ccnews.backfill(config, first, last, list(sources) or None, refetch=refetch,
                              progress=not quiet, say=lambda line: console.print(safe_text(line)))
    scan, load = summary.scan, summary.load
    table = Table(title=safe_text(f"newsmill: {config.settings.warehouse}"), title_justify="left")
    for column in ("run", "files", "streamed", "MB", "failed files", "pages", "articles", "inserted",
                   "out of range", "failed", "skipped", "scan s", "extract s", "load s"):
        table.add_column(column, justify="left" if column == "run" else "right")
    table.add_row(safe_text(summary.run_id), str(len(scan.files)), str(scan.streamed),
                  f"{scan.streamed_bytes / 1e6:.1f}", str(len(scan.failed)), str(load.pages_fetched),
                  str(load.articles), str(load.inserted), str(summary.out_of_range), str(load.failures),
                  str(load.skipped), f"{summary.scan_seconds:.1f}", f"{summary.extract_seconds:.1f}",
                  f"{load.seconds:.1f}")
    console.print(table)
    console.print("files: CC-NEWS files around the range; streamed: of which read now (the others were "
                  "read by an earlier backfill of these sources); pages: the sources' pages found; "
                  "out of range: articles dated outside the range, not loaded; failed: pages CC-NEWS "
                  "cut at its size cap or that yielded no text; skipped: already loaded (--refetch "
                  "to load them again) or out of range", style="dim")
    if scan.failed or (load.pages_fetched == 0 and load.skipped == 0):
        sys.exit(1)


@main.command()
@click.option("--from", "first", type=DATE, required=True, help="First listing day of the stored pages.")
@click.option("--to", "last", type=DATE, required=True, help="Last listing day (inclusive).")
@_sources
@_quiet
@click.pass_obj
def reprocess(obj: _Context, first: date, last: date, sources: tuple[str, ...], quiet: bool) -> None:
    """Extract and clean the stored pages of a date range again, with no request (README: Reprocess).

    Reads the WARC files of the days (the latest record of each URL), extracts and cleans them as a
    crawl's pages are, and loads what changed in one transaction; rows that do not change stay as
    they are, and an article whose page now yields no text keeps its row. A day without a WARC
    file is named and skipped. Exits 1 when no stored page was found for any day.
    """
    # WARC reading: imported here so other commands start without it
    from newsmill.reprocess import reprocess as reprocess_stored

    if first > last:
        raise click.BadParameter(f"--from {first} is after --to {last}", param_hint="--from")
    config = obj.config()
    config.select(list(sources))  # unknown source names fail before anything is written
    _check_paths(config)
    summary = reprocess_stored(config, first, last, list(sources) or None, progress=not quiet,
                                     say=lambda line: console.print(safe_text(line)))
    load = summary.load
    table = Table(title=safe_text(f"newsmill: {config.settings.warehouse}"), title_justify="left")
    for column in ("run", "pages", "articles", "inserted", "updated", "removed", "failed",
                   "days missing", "read s", "extract s", "load s"):
        table.add_column(column, justify="left" if column == "run" else "right")
    table.add_row(safe_text(summary.run_id), str(load.pages_fetched), str(load.articles),
                  str(load.inserted), str(load.updated), str(load.removed), str(load.failures),
                  str(len(summary.missing)), f"{summary.read_seconds:.1f}",
                  f"{summary.extract_seconds:.1f}", f"{load.seconds:.1f}")
    console.print(table)
    console.print("pages: stored pages read; articles: articles extracted from them; inserted, updated: "
                  "articles the reprocess changed (the others kept their rows); failed: pages that "
                  "yielded no text now (their articles keep their rows; see crawl_failures); days "
                  "missing: source days without a WARC file", style="dim")
    if load.pages_fetched == 0:
        sys.exit(1)


@main.command()
@click.option("--days", type=click.IntRange(1, 30), default=3, show_default=True,
              help="How many of the demo's last days to backfill.")
@click.option("--serve", is_flag=True,
              help="Only serve the sites, in the foreground, until Ctrl-C, SIGTERM or `newsmill demo --stop` "
                   "(to crawl them with `newsmill run` or Airflow).")
@click.option("--stop", is_flag=True, help="Stop the sites that `newsmill demo --serve` serves for this config.")
@_quiet
@click.pass_obj
def demo(obj: _Context, days: int, serve: bool, stop: bool, quiet: bool) -> None:
    """Serve the demo news sites on 127.0.0.1 and backfill their last days into DuckDB.

    Uses the packaged demo config (sites on ports 8781-8783, warehouse data/demo/news.duckdb)
    unless --config is given; the sites are served on the ports the config names.
    """
    from newsmill import pipeline
    from newsmill.demo import DEFAULT_LAST, demo_ports, serve_demo, service

    config = load_config(obj.config_path or packaged_config(DEMO_CONFIG),
                         data_dir=obj.data_dir, database=obj.database)
    ports = demo_ports(config)
    pid_path = service.pid_file(config.settings.data_dir)
    if serve and stop:
        raise click.UsageError("--serve and --stop exclude each other")
    if stop:
        pid = service.stop(pid_path)
        click.echo(f"demo sites (pid {pid}) stopped" if pid else f"no demo sites run for {pid_path}; nothing to stop")
        return
    if serve:
        _serve_demo_sites(config, ports, pid_path)
        return
    first = DEFAULT_LAST - timedelta(days=days - 1)
    with ExitStack() as stack:
        try:
            running = stack.enter_context(serve_demo(ports))
        except OSError as exc:
            raise _cannot_serve(ports, exc) from None
        console.print(safe_text(f"demo sites: {' '.join(running.base_urls)}; "
                                f"backfilling {first} .. {DEFAULT_LAST}"))
        pool = stack.enter_context(pipeline.worker_pool())
        summaries = [pipeline.run(config, day, day, progress=not quiet, pool=pool)
                     for day in dates.days(first, DEFAULT_LAST)]
    _print_summary(summaries, config)
    with connect(config.settings.warehouse, read_only=True) as con:
        cursor = con.execute(
            "SELECT pub_date, source, count(*) AS articles, sum(word_count) AS words, "
            "count(*) FILTER (WHERE duplicate_of IS NOT NULL) AS duplicates "
            "FROM articles WHERE pub_date BETWEEN ? AND ? GROUP BY ALL ORDER BY ALL", [first, DEFAULT_LAST])
        columns = [d[0] for d in cursor.description]
        _print_rows(columns, cursor.fetchall(), "table")
    console.print(safe_text(f"warehouse: {config.settings.database}  (try: newsmill --db "
                            f"{config.settings.database} query \"SELECT * FROM removed_reasons\")"))


def _serve_demo_sites(config: Config, ports: Sequence[int], pid_path: Path) -> None:
    """`newsmill demo --serve`: the sites in the foreground, saying where crawls of them land."""
    from newsmill.demo import DemoServers, service

    def announce(servers: DemoServers) -> None:
        click.echo(f"demo sites ({servers.demo.start} .. {servers.demo.last}): {' '.join(servers.base_urls)}")
        click.echo(f"config {config.path}: its crawls write to {config.settings.warehouse}")
        click.echo(f"serving until Ctrl-C or `newsmill demo --stop` (pid {os.getpid()})")

    try:
        service.serve_until_stopped(ports, announce, pid_path=pid_path)
    except service.DemoRunning as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise _cannot_serve(ports, exc) from None
    click.echo("demo sites stopped")


def _cannot_serve(ports: Sequence[int], exc: OSError) -> click.ClickException:
    return click.ClickException(f"cannot serve the demo sites on 127.0.0.1 ports {', '.join(map(str, ports))} "
                                f"({exc}); is another `newsmill demo` or `python -m newsmill.demo` running?")


@main.command()
@click.pass_obj
def sources(obj: _Context) -> None:
    """List the configured sources (and validate the config)."""
    config = obj.config()
    title = safe_text(f"{len(config.sources)} sources in {config.path}")
    table = Table(title=title, title_justify="left")
    for column in ("name", "language", "domains", "feeds", "sitemaps", "archives"):
        table.add_column(column)
    for s in config.sources:
        sitemaps = [*s.sitemaps, *(["robots.txt"] if s.robots_sitemaps else [])]
        table.add_row(safe_text(s.name), safe_text(s.language), safe_text(" ".join(s.domains)),
                      str(len(s.feeds)), str(len(sitemaps)), str(len(s.archives)))
    Console(width=_WIDTH).print(table)


@contextmanager
def _sandboxed(config: Config, *, before: Callable[[duckdb.DuckDBPyConnection], object] | None = None,
               ) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection that reaches no other file and no network; `before` runs on it first,
    while it can still change its settings."""
    with connect(config.settings.warehouse, read_only=True) as con:
        if before is not None:
            before(con)
        forbid_external_access(con)
        yield con


@main.command()
@click.argument("sql")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True,
              help="table: for reading; markup in the data shows as typed, control characters as "
                   "escapes (\\x1b). csv: the values exactly as stored, control characters included "
                   "(for files and programs). json: one object a line, the exact values, control "
                   "characters as JSON \\u escapes.")
@click.pass_obj
def query(obj: _Context, sql: str, fmt: str) -> None:
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
    _print_rows(columns, rows, fmt)


def _refusal(exc: Exception) -> str:
    """One line for a statement the sandbox refused, with DuckDB's reason."""
    said = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return (f"the query is read-only: it cannot write, open other files, reach the network "
            f"or change settings ({said}); use `newsmill shell` for that")


@main.command()
@click.argument("terms")
@click.option("--from", "first", type=DATE, help="Only articles published on or after this day.")
@click.option("--to", "last", type=DATE, help="Only articles published on or before this day.")
@_sources
@click.option("--lang", "language", metavar="CODE", help="Only articles in this language (e.g. en).")
@click.option("--limit", type=click.IntRange(1), default=10, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True,
              help="table: for reading (title, date, source, language, url and a snippet). csv, json: "
                   "url, score, title, pub_date, source, language of each hit, for programs and for "
                   "SQL (e.g. DuckDB's read_csv), as `query` prints them.")
@click.pass_obj
def search(obj: _Context, terms: str, first: date | None, last: date | None, sources: tuple[str, ...],
           language: str | None, limit: int, fmt: str) -> None:
    """Full-text search (BM25) over titles and bodies, best match first.

    TERMS are words, not a query language: punctuation and operators are only text. The search
    index lives beside the DuckDB file (FILE.search/); a search that finds it missing, damaged or
    behind the warehouse repairs it first and says so. Besides that folder, search reads no other
    file and no network.
    Titles and text show literally: markup as typed, control characters as escapes (\\x1b).
    """
    config = obj.config()
    with _sandboxed(config, before=sync_index) as con:  # a repair's scan sets its own memory bound
        hits = search_articles(con, terms, first=first, last=last, sources=list(sources) or None,
                               language=language, limit=limit)
    if not hits:
        console.print(safe_text(f"no article matches {terms!r}"))
    if fmt != "table":
        _print_rows(["url", "score", "title", "pub_date", "source", "language"],
                    [(h.url, h.score, h.title, h.pub_date, h.source, h.language) for h in hits], fmt)
        return
    out = Console(width=_WIDTH, soft_wrap=True)
    for rank, hit in enumerate(hits, 1):
        heading = safe_text(f"{rank}. {hit.title or hit.url}", style="bold")
        out.print(Text.assemble(heading, f"  ({hit.score:.2f})"))
        out.print(safe_text(f"   {hit.pub_date} · {hit.source} · {hit.language or '?'} · {hit.url}"))
        out.print(safe_text(f"   {hit.snippet}"))


@main.command()
@click.option("--from", "first", type=DATE, required=True, help="First publication date.")
@click.option("--to", "last", type=DATE, required=True, help="Last publication date (inclusive).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="parquet", show_default=True)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("export"),
              show_default=True, help="Folder of the dataset; one pub_date=YYYY-MM-DD/ folder per day.")
@click.pass_obj
def export(obj: _Context, first: date, last: date, fmt: str, out: Path) -> None:
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


@main.command()
@click.option("--from", "first", type=DATE,
              help=f"First day (default: the oldest article's day, at most {DEFAULT_REPORT_DAYS} days up to --to).")
@click.option("--to", "last", type=DATE, help="Last day (default: the newest article's day).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("report.html"),
              show_default=True, help="HTML file to write.")
@click.pass_obj
def report(obj: _Context, first: date | None, last: date | None, out: Path) -> None:
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


@main.command()
@click.option("--write", is_flag=True, help="Open read-write (blocks loads while open).")
@click.pass_obj
def shell(obj: _Context, write: bool) -> None:
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


@main.group()
def index() -> None:
    """The search index beside the warehouse (FILE.search/): check it, or rebuild it.

    Every search and load checks the index against the warehouse and repairs it (catching up what
    a load left, or rebuilding it from the articles); these commands do it on demand.
    """


@index.command("check")
@click.pass_obj
def index_check(obj: _Context) -> None:
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
def index_rebuild(obj: _Context) -> None:
    """Rebuild the index from the warehouse's articles, whatever it holds."""
    config = obj.config()
    with connect(config.settings.warehouse, read_only=True) as con:  # beside searches, after loads
        synced = sync_index(con, rebuild="asked for by `newsmill index rebuild`")
    if synced is None:
        console.print(safe_text(f"{config.settings.warehouse}: no articles table yet; nothing to index"))
    else:
        console.print(safe_text(f"search index {synced.store.folder}: {synced.documents} articles"))


def _print_rows(columns: list[str], rows: list[tuple], fmt: str) -> None:
    """Rows on stdout: csv and json carry the exact values (for programs), a table shows them as text."""
    if fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    elif fmt == "json":
        for row in rows:
            line = json.dumps(dict(zip(columns, row, strict=True)), default=str, ensure_ascii=False)
            print(json_for_terminal(line))
    else:
        table = Table()
        for column in columns:
            table.add_column(safe_text(column), overflow="fold")
        for row in rows:
            table.add_row(*(safe_text("" if v is None else v) for v in row))
        Console(width=_WIDTH).print(table)


def entry() -> None:
    try:
        main(standalone_mode=False)
    except click.exceptions.Abort:
        console.print("newsmill: aborted")
        sys.exit(130)
    except click.UsageError as exc:  # one line, with where to read more
        command = exc.ctx.command_path if exc.ctx else "newsmill"
        console.print(safe_text(f"{command}: error: {exc.format_message()} (see {command} --help)"))
        sys.exit(exc.exit_code)
    except click.ClickException as exc:  # click's own "Error: …" line, its text shown harmlessly
        click.echo(f"Error: {printable(exc.format_message())}", err=True)
        sys.exit(exc.exit_code)
    except (ConfigError, WarehouseError) as exc:
        console.print(safe_text(f"newsmill: error: {exc}"))
        sys.exit(2)
    except OSError as exc:  # a disk or permission problem mid-run: say which file, no traceback
        where = f"{exc.filename}: " if exc.filename else ""
        console.print(safe_text(f"newsmill: error: {where}{exc.strerror or exc}"))
        sys.exit(1)
    except BaseException as exc:
        _exit_after_run_error(exc)
        raise


def _exit_after_run_error(exc: BaseException) -> None:
    """Exit as a run's error says, if `exc` is one; return otherwise. Only a command that imported
    `pipeline` can have raised its errors, so a command that did not is not made to import it here."""
    pipeline = sys.modules.get("newsmill.pipeline")
    if pipeline is None:
        return
    if isinstance(exc, pipeline.Interrupted):  # SIGINT or SIGTERM: children stopped on the way out
        console.print(f"newsmill: interrupted by {exc}; what was loaded stays, run the same command "
                      "again for the rest", markup=False, highlight=False)
        sys.exit(exc.exit_status)
    if isinstance(exc, pipeline.RunBusy):  # another process held the run directory
        console.print(safe_text(f"newsmill: error: {exc}"))
        sys.exit(2)
    if isinstance(exc, pipeline.RunFailed):  # a file not written or a crawl not finished: nothing loaded
        console.print(safe_text(f"newsmill: error: {exc}"))
        sys.exit(1)
