"""Backfill from Common Crawl's CC-NEWS: `newsmill backfill --via ccnews`.

A run whose stage 1 is `spiders.ccnews` (the CC-NEWS files around the days, streamed once per
source set, their matches written into newsmill's WARC store) instead of the sites; then the
crawl's extraction and load. Between the two, the range is enforced: CC-NEWS keeps no listing date,
so a page can only be dated by its own date or, without one, by its fetch day; an article whose
date so found is outside first..last is not loaded, and its `crawl.jsonl` row becomes `skipped`
with the reason, so `crawl_log` says why (a backfill of its own days loads it).

Its run id is the crawl's with `RUN_PREFIX`: its own directory, lock and `runs` rows. Each backfill
is a new attempt; the journals of the files (`spiders.ccnews`) carry over, so one killed midway
resumes the file it was streaming and streams none it had finished.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from newsmill import layout, pipeline, runfiles
from newsmill.config import Config
from newsmill.progress import Progress
from newsmill.runfiles import CrawlLogReader, RunInfo
from newsmill.warehouse import LoadResult, load_run
from newsmill.warehouse.connection import say_on_stderr
from spiders.ccnews import CCNewsCrawl, ScanError, write_ccnews_crawl
from spiders.crawllog import RecordError

RUN_PREFIX = "ccnews_"


@dataclass(frozen=True)
class BackfillSummary:
    """One CC-NEWS backfill: its run, the scan (`CCNewsCrawl`), the articles left out as dated
    outside the range, and what its load did."""

    run_id: str
    scan: CCNewsCrawl
    out_of_range: int
    load: LoadResult
    scan_seconds: float
    extract_seconds: float


def backfill(
    config: Config,
    first: date,
    last: date,
    sources: list[str] | None = None,
    *,
    refetch: bool = False,
    progress: bool = True,
    workers: int | None = None,
    say: Callable[[str], None] | None = None,
) -> BackfillSummary:
    """Load the sources' articles of first..last found in CC-NEWS, holding the run's lock
    throughout. Raises `pipeline.RunFailed` (nothing loaded) when a listing or a run file cannot
    be read or written; a CC-NEWS file that cannot be read is said, and the rest is loaded."""
    say = say or say_on_stderr
    selected = config.select(sources)
    settings = config.settings
    rid = RUN_PREFIX + pipeline.run_id_of(config, selected, first, last)
    run_dir = pipeline.prepare(config, rid)
    with pipeline.RunLock(run_dir):
        info = RunInfo.begin(rid, first, last, (s.name for s in selected))
        clock = time.monotonic()
        try:
            pipeline.begin_attempt(run_dir, info)
        except OSError as exc:
            raise pipeline.cannot_write(f"backfill {rid}", exc, run_dir) from None
        skip = frozenset() if refetch else frozenset(pipeline.known_urls(config, selected))
        try:
            with Progress(progress, f"CC-NEWS {rid}", unit="pages") as bar:
                scan = write_ccnews_crawl(
                    run_dir, settings.data_dir, selected, first, last,
                    base_url=settings.ccnews_base_url,
                    lead=timedelta(hours=settings.ccnews_lead_hours),
                    lag=timedelta(hours=settings.ccnews_lag_hours),
                    skip_urls=skip, progress=bar.update, say=say)
            replace(info, crawl_seconds=time.monotonic() - clock).write(run_dir)
        except ScanError as exc:
            raise pipeline.RunFailed(f"backfill {rid}: {exc}") from None
        except RecordError as exc:
            raise pipeline.RunFailed(f"backfill {rid}: {exc}") from None
        except OSError as exc:
            raise pipeline.cannot_write(f"backfill {rid}", exc, run_dir) from None
        pipeline.extract_held(config, run_dir, workers=workers, progress=progress)
        try:
            left_out = keep_range(run_dir, first, last)
        except OSError as exc:
            raise pipeline.cannot_write(f"backfill {rid}", exc, run_dir) from None
        result = load_run(settings.warehouse, run_dir)
    info = RunInfo.read(run_dir)
    return BackfillSummary(rid, scan, left_out, result, info.crawl_seconds, info.extract_seconds)


def keep_range(run_dir: Path, first: date, last: date) -> int:
    """Leave out of the run's extracted articles (and their removed paragraphs) those dated
    outside first..last, turning their crawl rows into `skipped` rows saying so; return how many.
    Each file is rewritten whole and atomically."""
    articles = pq.read_table(run_dir / layout.ARTICLES, schema=runfiles.ARTICLES_SCHEMA)
    days = articles.column("pub_date")
    inside = pc.and_(pc.greater_equal(days, pa.scalar(first, pa.date32())),
                     pc.less_equal(days, pa.scalar(last, pa.date32())))
    if pc.all(inside).as_py() is not False:
        return 0
    outside = articles.filter(pc.invert(inside))
    reasons = {
        url: f"dated {day} ({how}), outside {first}..{last}: not loaded under this range"
        for url, day, how in zip(outside.column("url").to_pylist(), outside.column("pub_date").to_pylist(),
                                 outside.column("date_source").to_pylist(), strict=True)
    }
    removed = pq.read_table(run_dir / layout.REMOVED, schema=runfiles.REMOVED_SCHEMA)
    kept_removed = removed.filter(pc.invert(pc.is_in(removed.column("url"),
                                                     pa.array(list(reasons), pa.string()))))
    _write_parquet(run_dir / layout.ARTICLES, articles.filter(inside))
    _write_parquet(run_dir / layout.REMOVED, kept_removed)
    rows = [replace(row, outcome=runfiles.SKIPPED, error=reasons[row.url])
            if row.url in reasons and row.is_fetched_article else row
            for row in CrawlLogReader(run_dir / layout.CRAWL_LOG, strict=True).read()]
    layout.write_atomic(run_dir / layout.CRAWL_LOG, "".join(row.to_json() + "\n" for row in rows))
    _recount(run_dir, rows)
    return len(reasons)


def _write_parquet(path: Path, table: pa.Table) -> None:
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(table, tmp)
    tmp.replace(path)


def _recount(run_dir: Path, rows: list[runfiles.CrawlRow]) -> None:
    """`crawl.done.json`'s counts after rows changed outcome, its times kept."""
    path = run_dir / layout.CRAWL_DONE
    done = json.loads(path.read_text())
    for name, counts in done["sources"].items():
        for outcome in runfiles.OUTCOMES:
            counts[outcome] = sum(r.source == name and r.outcome == outcome for r in rows)
    layout.write_atomic(path, json.dumps(done, indent=2) + "\n")
