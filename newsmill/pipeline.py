"""One run through all stages: crawl (Scrapy subprocess) → extract + clean (process pool) → load.

The CLI and the Airflow DAGs both call these functions, so both paths give the same rows.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from newsmill import layout, storage
from newsmill.config import LOCK_TIMEOUT, Config, Source
from newsmill.processes import hold_flock
from newsmill.progress import Progress
from newsmill.runfiles import CrawlLogReader, CrawlRow, RunInfo
from newsmill.warehouse import LoadResult, connect, load_run
from newsmill.warehouse.backend import retry_conflicts, transaction
from newsmill.warehouse.connection import NoWarehouse, say_on_stderr
from spiders.crawl import ERROR_PREFIX, EXIT_INTERRUPTED

if TYPE_CHECKING:
    import duckdb

    from transforms.pool import WorkerPool


class RunFailed(RuntimeError):
    """A run stopped before its load (a file it could not write, a crawl that did not finish):
    nothing of it reached the warehouse, and running the same days again completes it."""


class CrawlError(RunFailed):
    """The crawl did not finish, so its record of the days is incomplete (not: some pages failed)."""


class RunBusy(RuntimeError):
    """Another process held the run directory for `NEWSMILL_LOCK_TIMEOUT` seconds."""


class Interrupted(BaseException):  # noqa: N818 - named like KeyboardInterrupt, which it stands for
    """SIGINT or SIGTERM reached the process (`stop_on_signals`). A BaseException, like
    KeyboardInterrupt, so no `except Exception` mistakes it for a failure to handle and go on."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_status(self) -> int:
        """128 + the signal number, as a shell reports a process the signal ended: 130, 143."""
        return 128 + self.signum


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


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """Raise `Interrupted` in the main thread at the first SIGINT or SIGTERM, and ignore later ones.

    A Ctrl-C reaches the whole process group: the crawl stops itself, the extraction workers ignore
    it (`transforms.pool`), and this process unwinds, stopping the crawl and the workers on its
    way out. A second Ctrl-C raising in the middle of that would cut it short and leave them
    running, hence ignored. After a signal the handlers stay as they are: the process is ending.
    """
    caught: list[int] = []

    def interrupt(signum: int, _frame: FrameType | None) -> None:
        for name in (signal.SIGINT, signal.SIGTERM):
            signal.signal(name, signal.SIG_IGN)
        caught.append(signum)
        raise Interrupted(signum)

    previous = {name: signal.signal(name, interrupt) for name in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        if not caught:
            for name, handler in previous.items():
                signal.signal(name, handler)


class RunLock:
    """The lock of one run directory: one crawl, extraction or load of the same run at a time.

    A `flock` on ``RUN_DIR/run.lock``, which the kernel releases when its holder exits in any way,
    SIGKILL included, so a killed run never blocks the next. A second run of the same days waits
    for the first (saying who holds it) up to `NEWSMILL_LOCK_TIMEOUT` seconds, like the warehouse
    lock, then raises `RunBusy`; waiting suits scheduler retries better than refusing at once.
    The holder writes its PID into the file, for that message only.
    """

    def __init__(self, run_dir: Path, say: Callable[[str], None] | None = None) -> None:
        self.run_dir = Path(run_dir)
        self.path = self.run_dir / layout.RUN_LOCK
        self.fd: int | None = None
        self._say = say or say_on_stderr

    def __enter__(self) -> RunLock:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise cannot_write(f"run {self.run_dir.name}", exc, self.path) from None
        try:
            timeout = LOCK_TIMEOUT.value()
            folder = self.run_dir
            hold_flock(
                fd, self.path, timeout=timeout, say=self._say,
                waiting=lambda holder: f"{folder} is in use by {holder}; waiting up to {timeout:.0f} s for it to finish",
                busy=lambda holder: RunBusy(f"{folder} is still in use by {holder} after {timeout:.0f} s; "
                                            f"let that run finish, or raise {LOCK_TIMEOUT.name}"),
            )
        except BaseException:
            os.close(fd)
            raise
        self.fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self.fd is not None:
            os.close(self.fd)  # releases the lock
            self.fd = None


def cannot_write(what: str, exc: OSError, where: Path) -> RunFailed:
    """One line for a file a stage could not write: which file (else its folder) and why (pyarrow's
    errors carry a whole sentence as `strerror`; the errno says it in a few words)."""
    reason = os.strerror(exc.errno) if exc.errno else exc.strerror or str(exc)
    return RunFailed(f"{what}: cannot write {exc.filename or where}: {reason}")


def run_id_of(config: Config, sources: list[Source], first: date, last: date) -> str:
    """The run id of these days and sources (`layout.run_id`): every source of a config with
    several is `all`."""
    names = [s.name for s in sources]
    every = len(names) == len(config.sources) and len(names) > 1
    return layout.run_id(first, last, None if every else names)


def prepare(config: Config, rid: str) -> Path:
    """The directory of run `rid`, created so its lock can be taken."""
    run_dir = layout.run_dir(config.settings.data_dir, rid)
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise cannot_write(f"run {rid}", exc, run_dir) from None
    return run_dir


def begin_attempt(run_dir: Path, info: RunInfo) -> None:
    """Remove what an earlier attempt at the run left and record the new attempt (`run.json`)
    before any stage writes, so the stages' files always belong to the attempt named there.
    Raises OSError when a file cannot be removed or written."""
    for stale in (layout.CRAWL_LOG, layout.CRAWL_DONE, layout.ARTICLES, layout.REMOVED,
                  layout.EXTRACT_ERRORS):
        (run_dir / stale).unlink(missing_ok=True)
    info.write(run_dir)


def known_urls(config: Config, sources: list[Source]) -> Iterator[str]:
    """The URLs of the sources' loaded articles: what a run skips unless asked to fetch again.

    Streamed in batches, so a caller writing them to a file holds one batch at a time, not every
    URL of the warehouse; the warehouse stays open until the iteration ends."""
    try:
        with connect(config.settings.warehouse, read_only=True) as con:
            result = con.execute(
                "SELECT url FROM articles WHERE source IN (SELECT unnest(?))", [[s.name for s in sources]])
            while batch := result.fetchmany(_URL_BATCH):
                yield from (url for (url,) in batch)
    except NoWarehouse:
        return


_URL_BATCH = 10_000


def write_skip_list(path: Path, urls: Iterable[str]) -> None:
    """Write `urls` one per line so the crawl sees the old list or the new, never half of one."""
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        out.writelines(f"{url}\n" for url in urls)
    tmp.replace(path)


def _crawl(
    config: Config,
    sources: list[Source],
    first: date,
    last: date,
    rid: str,
    lock: RunLock,
    *,
    refetch: bool,
    progress: bool,
    on_rows: Callable[[list[CrawlRow]], object],
) -> Path:
    """Fetch the sources' articles listed for first..last into WARC, for run `rid` under its
    directory's `lock`; the crawl.jsonl rows are handed to `on_rows` as the crawl appends them.

    Raises `CrawlError` (nothing to load) unless the crawl ran to its end."""
    run_dir = lock.run_dir
    skip_file = run_dir / layout.SKIP_URLS
    info = RunInfo.begin(rid, first, last, (s.name for s in sources))
    # the crawl appends to the days' WARC files: to the stored ones, which loaded rows point at
    with on_storage(f"crawl of {rid}"):
        storage.for_config(config).fetch_warc(config.settings.data_dir, info.sources, first, last)
    try:
        begin_attempt(run_dir, info)
        write_skip_list(skip_file, () if refetch else known_urls(config, sources))
    except OSError as exc:
        raise cannot_write(f"crawl of {rid}", exc, run_dir) from None
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
    with _child(command, run_dir, lock) as child, Progress(progress, f"crawl {rid}", unit="pages") as bar:
        tail, seen = CrawlLogReader(log, strict=False), 0
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
        raise CrawlError(f"crawl of {rid}: {child.failure()}")
    try:
        replace(info, crawl_seconds=time.monotonic() - clock).write(run_dir)
    except OSError as exc:
        raise cannot_write(f"crawl of {rid}", exc, run_dir) from None
    return run_dir


def extract_held(config: Config, run_dir: Path, *, workers: int | None, progress: bool) -> None:
    """Extract and clean every fetched article of a crawled run into Parquet, for a caller that
    holds the run's lock (`newsmill.reprocess`)."""
    from transforms.batch import extract_run  # imported late: trafilatura is heavy at import

    languages = {s.name: s.language for s in config.sources}
    info = RunInfo.read(run_dir)
    clock = time.monotonic()
    try:
        with Progress(progress, f"extract {info.run_id}", unit="pages") as bar:
            extract_run(run_dir, languages, workers=workers, progress=bar.update)
        replace(info, extract_seconds=time.monotonic() - clock).write(run_dir)
    except OSError as exc:
        raise cannot_write(f"extraction of {info.run_id}", exc, run_dir) from None


def worker_pool(workers: int | None = None) -> WorkerPool:
    """Extraction workers to share over several `run`s (a backfill), started now: their start-up
    (fork server, models) is paid once, not by every day. Use as a context manager."""
    from transforms.page import warm_worker
    from transforms.pool import WorkerPool

    return WorkerPool(workers).start(warm_worker)


def collect(
    config: Config,
    first: date,
    last: date,
    sources: list[str] | None = None,
    *,
    refetch: bool = False,
    progress: bool = False,
    workers: int | None = None,
    pool: WorkerPool | None = None,
) -> str:
    """Crawl and extract first..last for the named sources (all when none are named), put the run
    and its WARC files on the configured storage and return the run's URI, for `load_stored` on
    any machine: `run` without its load (an Airflow `collect` task)."""
    selected = config.select(sources)
    rid = run_id_of(config, selected, first, last)
    run_dir = prepare(config, rid)
    with RunLock(run_dir) as lock:
        return _collect(config, selected, first, last, rid, lock, refetch=refetch, progress=progress,
                        workers=workers, pool=pool)


def load_stored(config: Config, uri: str) -> LoadResult:
    """Fetch the run `collect` stored at `uri` into this machine's data folder and load it."""
    store = storage.for_config(config)
    run_dir = prepare(config, store.run_id_of(uri))
    with RunLock(run_dir):
        with on_storage(f"load of {uri}"):
            store.fetch_run(uri, run_dir)
        return load_run(config.settings.warehouse, run_dir)


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
    remain. The files and rows are those of the three stages run one after the other;
    `crawl_seconds` is the crawl's wall time (extraction ran alongside) and `extract_seconds` the
    time extraction went on after the crawl had ended. With `pool` (`worker_pool`), extraction runs
    in those workers and leaves them running; else the run starts `workers` of its own.

    The run holds its directory's `RunLock` throughout. It raises `RunFailed` when a file cannot be
    written or the crawl does not finish, before anything is loaded: a `refetch` replaces the
    articles it fetched again only once the new crawl and extraction are complete, and keeps those
    it could not fetch again. With a `[storage]`, the run and its WARC files are put there before
    the load, as `collect` does.
    """
    selected = config.select(sources)
    rid = run_id_of(config, selected, first, last)
    run_dir = prepare(config, rid)
    with RunLock(run_dir) as lock:
        _collect(config, selected, first, last, rid, lock, refetch=refetch, progress=progress,
                 workers=workers, pool=pool)
        result = load_run(config.settings.warehouse, run_dir)
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


def _collect(
    config: Config,
    selected: list[Source],
    first: date,
    last: date,
    rid: str,
    lock: RunLock,
    *,
    refetch: bool,
    progress: bool,
    workers: int | None,
    pool: WorkerPool | None,
) -> str:
    """Crawl with extraction alongside, then put the run on the storage; return its URI. The
    caller holds the run's `lock`."""
    from transforms.batch import PageBatch  # imported late: trafilatura is heavy at import

    run_dir = lock.run_dir
    languages = {s.name: s.language for s in config.sources}
    try:
        with PageBatch(run_dir, languages, workers=workers, pool=pool) as batch:
            batch.start()
            _crawl(config, selected, first, last, rid, lock, refetch=refetch, progress=progress,
                   on_rows=batch.feed_rows)
            clock = time.monotonic()
            with Progress(progress, f"extract {rid}", unit="pages") as bar:
                batch.progress = bar.update
                batch.finish()
            replace(RunInfo.read(run_dir), extract_seconds=time.monotonic() - clock).write(run_dir)
    except OSError as exc:  # the extraction's files: `_crawl` reports its own as CrawlError
        raise cannot_write(f"extraction of {rid}", exc, run_dir) from None
    with on_storage(f"run {rid}"):
        return storage.for_config(config).put_run(run_dir, config.settings.data_dir)


@contextmanager
def on_storage(what: str) -> Iterator[None]:
    """A storage that refused a read or write as a `RunFailed` of `what`: nothing was loaded, and
    running the same days again puts or fetches it all again."""
    try:
        yield
    except storage.StorageError as exc:
        raise RunFailed(f"{what}: {exc}") from None


def check_day(config: Config, day: date, sources: list[str], *, min_articles: int = 1) -> dict:
    """Judge a loaded day per source, record the verdict in `day_checks`, raise if any looks wrong."""
    with connect(config.settings.warehouse) as con:
        retry_conflicts(lambda: _record_checks(con, day, sources, min_articles))
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


def _record_checks(con: duckdb.DuckDBPyConnection, day: date, sources: list[str], min_articles: int) -> None:
    """Replace the day's `day_checks` rows of `sources` in one transaction (delete, then insert: a
    DuckLake has no key for `INSERT OR REPLACE`)."""
    with transaction(con):
        con.execute("DELETE FROM day_checks WHERE day = ? AND source IN (SELECT unnest(?))", [day, sources])
        con.execute(
            """
            INSERT INTO day_checks
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


class _Child:
    """A crawl subprocess. Its stderr goes to ``crawl.stderr.log`` and its last lines are kept in
    memory too, so the cause of a failure can be quoted even when the disk is full.

    The child inherits the run's lock, so a crawl that outlives a killed parent still holds it."""

    def __init__(self, command: list[str], stderr_path: Path, lock: RunLock) -> None:
        assert lock.fd is not None
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                        pass_fds=(lock.fd,))
        self._tail: deque[str] = deque(maxlen=20)
        self._reader = threading.Thread(target=self._read, args=(stderr_path,), daemon=True)
        self._reader.start()

    def _read(self, path: Path) -> None:
        assert self.process.stderr is not None
        try:
            log = path.open("wb", buffering=0)
        except OSError:
            log = None
        with self.process.stderr as pipe:
            for line in pipe:
                self._tail.append(line.decode(errors="replace").rstrip())
                if log is not None:
                    try:
                        log.write(line)
                    except OSError:  # a full disk: the tail in memory is what remains
                        log.close()
                        log = None
        if log is not None:
            log.close()

    def poll(self) -> int | None:
        return self.process.poll()

    @property
    def returncode(self) -> int | None:
        return self.process.returncode

    def stop(self) -> None:
        """Stop the crawl if it still runs: SIGTERM ends it at once, SIGKILL if not within 20 s."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._reader.join(timeout=10)

    def failure(self) -> str:
        """Why the crawl did not finish, in one line: its own error line when it wrote one."""
        self._reader.join(timeout=10)
        said = [line.removeprefix(ERROR_PREFIX) for line in self._tail if line.startswith(ERROR_PREFIX)]
        if said:
            return said[-1]
        code = self.returncode
        if code == EXIT_INTERRUPTED or (code is not None and code < 0):
            return f"stopped by a signal (exit {code})"
        lines = [line for line in self._tail if line.strip()][-5:]
        return f"failed (exit {code}): {' | '.join(lines) or 'no error output'}"


@contextmanager
def _child(command: list[str], run_dir: Path, lock: RunLock) -> Iterator[_Child]:
    try:
        child = _Child(command, run_dir / "crawl.stderr.log", lock)
    except OSError as exc:
        raise CrawlError(f"crawl of {run_dir.name}: cannot start {command[0]}: {exc.strerror or exc}") from None
    try:
        yield child
    finally:
        child.stop()
