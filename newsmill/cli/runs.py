"""The commands that collect and load: `run`, `backfill`, `reprocess`, `demo`, and `sources` (the
configuration they crawl)."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from contextlib import ExitStack
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.table import Table

from newsmill import dates, layout
from newsmill.cli import Context, quiet_option, refetch_option, sources_option
from newsmill.cli.output import WIDTH, console, print_rows
from newsmill.config import DEMO_CONFIG, Config, ConfigError, load_config, packaged_config
from newsmill.dates import DATE
from newsmill.terminal import safe_text
from newsmill.warehouse import connect
from newsmill.warehouse.connection import check_usable

if TYPE_CHECKING:
    from newsmill import pipeline


def _run_range(obj: Context, first: date, last: date, sources: Sequence[str], refetch: bool,
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


@click.command()
@click.option("--date", "day", type=DATE, required=True, help="Publication date to collect.")
@sources_option
@refetch_option
@quiet_option
@click.pass_obj
def run(obj: Context, day: date, sources: tuple[str, ...], refetch: bool, quiet: bool) -> None:
    """Collect the articles published on one day."""
    _run_range(obj, day, day, sources, refetch, 1, quiet)


@click.command()
@click.option("--from", "first", type=DATE, required=True, help="First publication date.")
@click.option("--to", "last", type=DATE, required=True, help="Last publication date (inclusive).")
@click.option("--days-per-run", type=click.IntRange(1), default=1, show_default=True,
              help="Days crawled together in one run (more is faster over long ranges).")
@click.option("--via", type=click.Choice(["sites", "ccnews"]), default="sites", show_default=True,
              help="Where the pages come from: the sites' listings, or Common Crawl's CC-NEWS "
                   "archive (days the sites no longer list; README: Backfill from CC-NEWS).")
@sources_option
@refetch_option
@quiet_option
@click.pass_obj
def backfill(obj: Context, first: date, last: date, days_per_run: int, via: str, sources: tuple[str, ...],
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


def _backfill_ccnews(obj: Context, first: date, last: date, sources: Sequence[str], refetch: bool,
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


@click.command()
@click.option("--from", "first", type=DATE, required=True, help="First listing day of the stored pages.")
@click.option("--to", "last", type=DATE, required=True, help="Last listing day (inclusive).")
@sources_option
@quiet_option
@click.pass_obj
def reprocess(obj: Context, first: date, last: date, sources: tuple[str, ...], quiet: bool) -> None:
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


@click.command()
@click.option("--days", type=click.IntRange(1, 30), default=3, show_default=True,
              help="How many of the demo's last days to backfill.")
@click.option("--serve", is_flag=True,
              help="Only serve the sites, in the foreground, until Ctrl-C, SIGTERM or `newsmill demo --stop` "
                   "(to crawl them with `newsmill run` or Airflow).")
@click.option("--stop", is_flag=True, help="Stop the sites that `newsmill demo --serve` serves for this config.")
@quiet_option
@click.pass_obj
def demo(obj: Context, days: int, serve: bool, stop: bool, quiet: bool) -> None:
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
        print_rows(columns, cursor.fetchall(), "table")
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


@click.command()
@click.pass_obj
def sources(obj: Context) -> None:
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
    Console(width=WIDTH).print(table)
