"""``python -m spiders.crawl``: crawl the selected sources for a date range (docs/architecture.md).

All sources run in one AsyncCrawlerProcess (a Twisted reactor cannot restart, and one process for
hundreds of sources is cheaper than hundreds of processes), one spider per source, at most
`Settings.concurrency` spiders at a time so the number of open connections stays bounded.

Exit status: 0 when every spider ran to its end (pages may have failed: see crawl.jsonl), 2 for bad
arguments or config, 1 when the crawl's record is incomplete (a WARC record or crawl.jsonl line
could not be written, a spider callback raised, a spider could not start: the crawl stops at the
first such error and says it in one last stderr line), 143 when stopped by SIGTERM or SIGINT, at
once: every WARC record and crawl.jsonl line written is whole and the WARC files stay appendable.
crawl.done.json is written on exit 0 only, so callers know whether the crawl finished.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, NoReturn

from newsmill.config import CRAWL_LOG_LEVEL, ConfigError, Settings, Source, load_config
from newsmill.dates import parse_day
from spiders.canonical import canonical_url
from spiders.crawllog import CrawlLog, RecordError
from spiders.settings import scrapy_settings

if TYPE_CHECKING:
    from scrapy.http import Response
    from twisted.python.failure import Failure

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 143
PROG = "python -m spiders.crawl"
ERROR_PREFIX = f"{PROG}: error: "
"""Starts the one stderr line that says why the crawl failed (callers quote what follows it)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not usage + error
        self.exit(EXIT_USAGE, f"{ERROR_PREFIX}{message}\n")


def _day(text: str) -> date:
    try:
        return parse_day(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = _Parser(prog=PROG, description=__doc__.splitlines()[0])
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
        with path.open(encoding="utf-8") as lines:  # line by line: the list may hold every known URL
            return frozenset(canonical_url(line.strip()) for line in lines if line.strip())
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read --skip-urls file: {exc.strerror or exc}") from None


def run_crawl(
    settings: Settings,
    sources: list[Source],
    first: date,
    last: date,
    run_dir: Path,
    skip: frozenset[str] = frozenset(),
    log_level: str = CRAWL_LOG_LEVEL.default,
) -> int:
    """Crawl `sources` for first..last in this process, Scrapy logging at `log_level` on stderr;
    return the exit status (module doc).

    Signals are the caller's to handle (`main` ends the process at once); Scrapy installs none.
    At the first error that leaves the crawl's record incomplete every spider is stopped, and the
    error is printed as the last stderr line."""
    try:
        return _run(settings, sources, first, last, run_dir, skip, log_level)
    except RecordError as exc:  # crawl.jsonl cannot be opened, or crawl.done.json written
        return _failed(str(exc))


def _run(
    settings: Settings,
    sources: list[Source],
    first: date,
    last: date,
    run_dir: Path,
    skip: frozenset[str],
    log_level: str,
) -> int:
    from scrapy import signals
    from scrapy.crawler import AsyncCrawlerProcess

    from spiders.news import NewsSpider

    log = CrawlLog(run_dir)
    data_dir = settings.data_dir.resolve()  # crawl.jsonl names WARC files by absolute path
    process = AsyncCrawlerProcess(scrapy_settings(settings, log_level=log_level))
    pending = list(sources)
    finished: set[str] = set()  # sources whose spider closed at the end of its work
    errors: list[str] = []
    running = 0

    def fail(error: str) -> None:
        if not errors:
            asyncio.ensure_future(process.stop())  # called on the loop: a task, run once we return
        errors.append(error)

    def spider_error(failure: Failure, response: Response | Failure, spider: NewsSpider) -> None:
        exc = failure.value
        if isinstance(exc, RecordError):
            fail(str(exc))
        else:
            request = getattr(response, "request", None)
            fail(f"source {spider.name}: {type(exc).__name__}: {exc} (handling {getattr(request, 'url', '?')})")

    def closed(name: str, reason: str) -> None:
        if reason == "finished":
            finished.add(name)

    def launch() -> None:
        nonlocal running
        while pending and running < max(1, settings.concurrency) and not errors:
            source = pending.pop(0)
            running += 1
            crawler = process.create_crawler(NewsSpider)
            crawler.signals.connect(spider_error, signal=signals.spider_error)
            task = process.crawl(
                crawler,
                source=source,
                first=first,
                last=last,
                log=log,
                data_dir=data_dir,
                skip=skip,
                on_close=closed,
            )
            task.add_done_callback(lambda task, name=source.name: done(task, name))

    def done(task: asyncio.Task[None], name: str) -> None:
        nonlocal running
        running -= 1
        if task.cancelled() or task.exception() is not None:
            fail(f"source {name}: the spider could not run: {task.exception() or 'cancelled'}")
        launch()

    for source in sources:
        log.add_source(source.name)
    launch()
    try:
        process.start(install_signal_handlers=False)
    finally:
        log.close()
    if errors:
        return _failed(errors[0])
    unfinished = sorted({s.name for s in sources} - finished)
    if unfinished:
        return _failed(f"the spiders of {', '.join(unfinished)} stopped before their end")
    log.write_done()
    return EXIT_OK


def _failed(error: str) -> int:
    print(f"{ERROR_PREFIX}{error}", file=sys.stderr, flush=True)
    return EXIT_FAILED


def _exit_interrupted(_signum: int, _frame: FrameType | None) -> NoReturn:
    """End the crawl at once. Every WARC record and crawl.jsonl line is written by one write call,
    so what is on disk is whole; downloads in flight are dropped, as a crawl that did not finish
    is never loaded. (Scrapy's graceful stop would first finish every request it has queued.)"""
    os._exit(EXIT_INTERRUPTED)


def main(argv: Sequence[str] | None = None) -> int:
    signal.signal(signal.SIGINT, _exit_interrupted)
    signal.signal(signal.SIGTERM, _exit_interrupted)
    args = parse_args(argv)
    try:
        config = load_config(args.config, data_dir=args.data_dir)
        sources = config.select(list(dict.fromkeys(args.source)))
        skip = read_skip_urls(args.skip_urls)
        log_level = CRAWL_LOG_LEVEL.value()
    except ConfigError as exc:
        print(f"{ERROR_PREFIX}{exc}", file=sys.stderr)
        return EXIT_USAGE
    if not sources:
        print(f"{ERROR_PREFIX}{config.path}: no sources to crawl", file=sys.stderr)
        return EXIT_USAGE
    return run_crawl(config.settings, sources, args.first, args.last, args.out, skip, log_level)


if __name__ == "__main__":
    sys.exit(main())
