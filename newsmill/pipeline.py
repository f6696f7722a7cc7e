"""One run through all stages: crawl (Scrapy subprocess) → extract + clean (process pool) → load.

The CLI and the Airflow DAGs both call these functions, so both paths give the same rows.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from newsmill import layout
from newsmill.config import Config, Source
from newsmill.progress import Progress
from newsmill.warehouse import LoadResult, RunInfo, connect, load_run

if TYPE_CHECKING:
    from transforms.pool import WorkerPool


class CrawlError(RuntimeError):
    """The crawl process could not run at all (not: some pages failed)."""


class DayCheckFailed(RuntimeError):
    """A loaded day looks wrong: too few articles, empty bodies or dates outside the day."""


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    first: date
    last: date
    sources: tuple[str, ...]
    load: LoadResult
    crawl_seconds: float
    extract_seconds: float

    @property
    def did_nothing(self) -> bool:
        """True when not a single page could be fetched (nor was already loaded)."""
        return self.load.pages_fetched == 0 and self.load.skipped == 0 and self.load.articles == 0


def days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def _run_dir(config: Config, sources: list[Source], first: date, last: date) -> tuple[str, Path]:
    names = [s.name for s in sources]
    every = len(names) == len(config.sources) and len(names) > 1
    rid = layout.run_id(first, last, None if every else names)
    return rid, layout.run_dir(config.settings.data_dir, rid)


def _known_urls(config: Config, sources: list[Source]) -> list[str]:
    database = config.settings.database
    if not database.exists():
        return []
    with connect(database, read_only=True) as con:
        rows = con.execute(
            "SELECT url FROM articles WHERE source IN (SELECT unnest(?))", [[s.name for s in sources]]
        ).fetchall()
    return [url for (url,) in rows]


def crawl(
    config: Config,
    sources: list[Source],
    first: date,
    last: date,
    *,
    refetch: bool = False,
    progress: bool = False,
) -> Path:
    """Fetch the sources' articles listed for first..last into WARC; return the run directory."""
    return _crawl(config, sources, first, last, refetch=refetch, progress=progress)


def _crawl(
    config: Config,
    sources: list[Source],
    first: date,
    last: date,
    *,
    refetch: bool,
    progress: bool,
    on_rows: Callable[[list[dict]], object] | None = None,
) -> Path:
    """`crawl`; with `on_rows`, the crawl.jsonl rows are handed to it as the crawl appends them."""
    rid, run_dir = _run_dir(config, sources, first, last)
    run_dir.mkdir(parents=True, exist_ok=True)
    for stale in (layout.CRAWL_LOG, layout.CRAWL_DONE, layout.ARTICLES, layout.REMOVED, layout.EXTRACT_ERRORS):
        (run_dir / stale).unlink(missing_ok=True)
    skip_file = run_dir / layout.SKIP_URLS
    layout.write_atomic(skip_file, "" if refetch else "\n".join(_known_urls(config, sources)))
    started = datetime.now(UTC)
    clock = time.monotonic()
    command = [
        sys.executable, "-m", "spiders.crawl",
        "--config", str(config.path),
        "--from", first.isoformat(), "--to", last.isoformat(),
        "--out", str(run_dir),
        "--data-dir", str(config.settings.data_dir),
        "--skip-urls", str(skip_file),
    ]
    for source in sources:
        command += ["--source", source.name]
    log = run_dir / layout.CRAWL_LOG
    with _child(command) as child, Progress(progress, f"crawl {rid}", unit="pages") as bar:
        if on_rows is None:
            while child.poll() is None:
                time.sleep(0.5)
                bar.update(_count_lines(log))
            bar.update(_count_lines(log))
        else:
            from transforms.batch import CrawlLogTail

            tail, seen = CrawlLogTail(log), 0
            while True:
                finished = child.poll() is not None
                rows = tail.read()  # after poll: once the child is gone every line is complete
                seen += len(rows)
                on_rows(rows)
                bar.update(seen)
                if finished:
                    break
                time.sleep(0.1)
    if child.returncode != 0 or not (run_dir / layout.CRAWL_DONE).exists():
        detail = child.stderr_tail()
        raise CrawlError(f"crawl of {rid} failed (exit {child.returncode}): {detail}")
    RunInfo(
        run_id=rid,
        first=first,
        last=last,
        sources=tuple(s.name for s in sources),
        started_at=started,
        crawl_seconds=time.monotonic() - clock,
        extract_seconds=0.0,
    ).write(run_dir)
    return run_dir


def extract(config: Config, run_dir: Path, *, workers: int | None = None, progress: bool = False) -> Path:
    """Extract and clean every fetched article of a crawled run into Parquet; return the run dir."""
    from transforms.batch import extract_run  # imported late: trafilatura is heavy at import

    info = RunInfo.read(run_dir)
    languages = {s.name: s.language for s in config.sources}
    clock = time.monotonic()
    with Progress(progress, f"extract {info.run_id}", unit="pages") as bar:
        extract_run(run_dir, languages, workers=workers, progress=bar.update)
    RunInfo(**{**info.__dict__, "extract_seconds": time.monotonic() - clock}).write(run_dir)
    return run_dir


def load(config: Config, run_dir: Path, *, refetch: bool = False) -> LoadResult:
    """Load an extracted run into the warehouse in one transaction."""
    return load_run(config.settings.database, run_dir, refetch=refetch)


def worker_pool(workers: int | None = None) -> WorkerPool:
    """Extraction workers to share over several `run`s (a backfill), started now: their start-up
    (fork server, models) is paid once, not by every day. Use as a context manager."""
    from transforms.batch import warm_up
    from transforms.pool import WorkerPool

    return WorkerPool(workers).start(warm_up)


def run(
    config: Config,
    first: date,
    last: date,
    sources: list[str] | None = None,
    *,
    refetch: bool = False,
    progress: bool = True,
    workers: int | None = None,
    pool: WorkerPool | None = None,
) -> RunSummary:
    """Crawl, extract and load first..last for the named sources (all when none are named).

    Extraction overlaps the crawl: the workers start with it and each fetched article is handed to
    them as soon as the crawl logs it, so when the crawl ends only the pages of its last moments
    remain. The files and rows are those of `crawl` → `extract` → `load` run one after the other;
    `crawl_seconds` is the crawl's wall time (extraction ran alongside) and `extract_seconds` the
    time extraction went on after the crawl had ended. With `pool` (`worker_pool`), extraction runs
    in those workers and leaves them running; else the run starts `workers` of its own.
    """
    from transforms.batch import PageBatch  # imported late: trafilatura is heavy at import

    selected = config.select(sources)
    rid, run_dir = _run_dir(config, selected, first, last)
    languages = {s.name: s.language for s in config.sources}
    with PageBatch(run_dir, languages, workers=workers, pool=pool) as batch:
        batch.start()
        run_dir = _crawl(
            config, selected, first, last, refetch=refetch, progress=progress, on_rows=batch.feed_rows
        )
        clock = time.monotonic()
        with Progress(progress, f"extract {rid}", unit="pages") as bar:
            batch.progress = bar.update
            batch.finish()
        info = RunInfo.read(run_dir)
        RunInfo(**{**info.__dict__, "extract_seconds": time.monotonic() - clock}).write(run_dir)
    result = load(config, run_dir, refetch=refetch)
    info = RunInfo.read(run_dir)
    return RunSummary(
        run_id=info.run_id,
        first=first,
        last=last,
        sources=info.sources,
        load=result,
        crawl_seconds=info.crawl_seconds,
        extract_seconds=info.extract_seconds,
    )


def check_day(config: Config, day: date, sources: list[str], *, min_articles: int = 1) -> dict:
    """Judge a loaded day per source, record the verdict in `day_checks`, raise if any looks wrong."""
    with connect(config.settings.database) as con:
        con.execute(
            """
            INSERT OR REPLACE INTO day_checks
            SELECT ?, s.source,
                   count(a.url),
                   count(a.url) FILTER (WHERE coalesce(a.word_count, 0) < 20),
                   count(a.url) FILTER (WHERE a.pub_date <> ?),
                   NULL, NULL, now()
            FROM (SELECT unnest(?) AS source) s
            LEFT JOIN articles a
              ON a.source = s.source AND (a.listed_date = ? OR a.pub_date = ?)
            GROUP BY s.source
            """,
            [day, day, sources, day, day],
        )
        con.execute(
            """
            UPDATE day_checks SET
              ok = articles >= ? AND empty_bodies * 2 <= articles AND out_of_day * 2 <= articles,
              message = CASE
                WHEN articles < ? THEN 'no articles loaded'
                WHEN empty_bodies * 2 > articles THEN 'most bodies empty'
                WHEN out_of_day * 2 > articles THEN 'most articles dated outside the day'
                ELSE 'ok' END
            WHERE day = ? AND source IN (SELECT unnest(?))
            """,
            [min_articles, min_articles, day, sources],
        )
        rows = con.execute(
            "SELECT source, articles, empty_bodies, out_of_day, ok, message FROM day_checks "
            "WHERE day = ? AND source IN (SELECT unnest(?)) ORDER BY source",
            [day, sources],
        ).fetchall()
    verdict = {
        source: {"articles": n, "empty_bodies": e, "out_of_day": o, "ok": ok, "message": m}
        for source, n, e, o, ok, m in rows
    }
    bad = {s: v["message"] for s, v in verdict.items() if not v["ok"]}
    if bad:
        raise DayCheckFailed(f"{day}: " + "; ".join(f"{s}: {m}" for s, m in sorted(bad.items())))
    return verdict


def _count_lines(path: Path) -> int:
    try:
        with path.open("rb") as handle:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 16), b""))
    except FileNotFoundError:
        return 0


class _Child:
    """A crawl subprocess whose stderr goes to a file we can quote when it fails."""

    def __init__(self, command: list[str], stderr_path: Path) -> None:
        self.stderr_path = stderr_path
        self._stderr = stderr_path.open("wb")
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=self._stderr)

    def poll(self) -> int | None:
        return self.process.poll()

    @property
    def returncode(self) -> int | None:
        return self.process.returncode

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._stderr.close()

    def stderr_tail(self, lines: int = 5) -> str:
        text = self.stderr_path.read_text(errors="replace").strip().splitlines()
        return " | ".join(text[-lines:]) or "no error output"


@contextmanager
def _child(command: list[str]) -> Iterator[_Child]:
    run_dir = Path(command[command.index("--out") + 1])
    child = _Child(command, run_dir / "crawl.stderr.log")
    try:
        yield child
    finally:
        child.stop()
