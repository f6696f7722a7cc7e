"""``python -m spiders.crawl``: crawl the selected sources for a date range (docs/architecture.md).

All sources run in one AsyncCrawlerProcess (a Twisted reactor cannot restart, and one process for
hundreds of sources is cheaper than hundreds of processes), one spider per source, at most
`Settings.concurrency` spiders at a time so the number of open connections stays bounded.

Exit status: 0 when the crawl ran to its end (pages may have failed: see crawl.jsonl), 2 for bad
arguments or config, 1 when a spider could not start, 143 when stopped by SIGTERM/SIGINT. On a
signal Scrapy stops gracefully: every WARC record and crawl.jsonl line written is complete, and
crawl.done.json is not written, so callers know the crawl did not finish.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import NoReturn

from newsmill.config import ConfigError, Settings, Source, load_config
from newsmill.dates import parse_day
from spiders.canonical import canonical_url
from spiders.crawllog import CrawlLog
from spiders.settings import scrapy_settings

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 143
LOG_LEVEL_ENV = "NEWSMILL_CRAWL_LOG_LEVEL"
"""Scrapy's log level on stderr (default WARNING); DEBUG shows every request."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not usage + error
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _day(text: str) -> date:
    try:
        return parse_day(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = _Parser(prog="python -m spiders.crawl", description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True, type=Path, help="sources TOML file")
    parser.add_argument("--from", dest="first", required=True, type=_day, metavar="YYYY-MM-DD")
    parser.add_argument("--to", dest="last", required=True, type=_day, metavar="YYYY-MM-DD")
    parser.add_argument("--out", required=True, type=Path, metavar="RUN_DIR")
    parser.add_argument("--source", action="extend", nargs="+", default=[], metavar="NAME",
                        help="crawl only these sources (repeatable; default: all)")
    parser.add_argument("--skip-urls", type=Path, metavar="FILE",
                        help="URLs not to fetch (already loaded), one per line")
    parser.add_argument("--data-dir", type=Path, metavar="DIR", help="overrides settings.data_dir")
    args = parser.parse_args(argv)
    if args.first > args.last:
        parser.error(f"--from {args.first} is after --to {args.last}")
    return args


def read_skip_urls(path: Path | None) -> frozenset[str]:
    """Canonical forms of the URLs in `path` (blank lines ignored)."""
    if path is None:
        return frozenset()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read --skip-urls file: {exc.strerror or exc}") from None
    return frozenset(canonical_url(line) for line in text.splitlines() if line.strip())


def run_crawl(
    settings: Settings,
    sources: list[Source],
    first: date,
    last: date,
    run_dir: Path,
    skip: frozenset[str] = frozenset(),
) -> int:
    """Crawl `sources` for first..last in this process; return the exit status (module doc)."""
    from scrapy.crawler import AsyncCrawlerProcess

    from spiders.news import NewsSpider

    log = CrawlLog(run_dir)
    data_dir = settings.data_dir.resolve()  # crawl.jsonl names WARC files by absolute path
    level = os.environ.get(LOG_LEVEL_ENV, "WARNING").upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        level = "WARNING"
    process = AsyncCrawlerProcess(scrapy_settings(settings, log_level=level))
    pending = list(sources)
    state = {"interrupted": False, "broken": False, "running": 0}

    def closed(_name: str, reason: str) -> None:
        if reason == "shutdown":
            state["interrupted"] = True

    def launch() -> None:
        while pending and state["running"] < max(1, settings.concurrency) and not state["interrupted"]:
            source = pending.pop(0)
            state["running"] += 1
            task = process.crawl(
                NewsSpider,
                source=source,
                first=first,
                last=last,
                log=log,
                data_dir=data_dir,
                skip=skip,
                on_close=closed,
            )
            task.add_done_callback(finished)

    def finished(task: asyncio.Task[None]) -> None:
        state["running"] -= 1
        if task.cancelled() or task.exception() is not None:
            state["broken"] = True
        launch()

    for source in sources:
        log.add_source(source.name)
    launch()
    try:
        process.start()
    finally:
        log.close()
    if state["interrupted"]:
        return EXIT_INTERRUPTED
    if state["broken"] or pending:
        return EXIT_FAILED
    log.write_done()
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        config = load_config(args.config, data_dir=args.data_dir)
        sources = config.select(list(dict.fromkeys(args.source)))
        skip = read_skip_urls(args.skip_urls)
    except ConfigError as exc:
        print(f"python -m spiders.crawl: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not sources:
        print(f"python -m spiders.crawl: error: {config.path}: no sources to crawl", file=sys.stderr)
        return EXIT_USAGE
    return run_crawl(config.settings, sources, args.first, args.last, args.out, skip)


if __name__ == "__main__":
    sys.exit(main())
