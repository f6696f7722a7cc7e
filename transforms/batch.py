"""Stage 2 of the pipeline: extract and clean every fetched article of a run, in a process pool.

Contract (docs/architecture.md, rows in `newsmill.runfiles`): reads `crawl.jsonl` and the WARC
records it points at; writes `articles.parquet`, `removed.parquet` and `extract_errors.jsonl` in
the run directory, each atomically, so a reader sees a whole file or none. The work on one page is
`transforms.page`'s; this module is the run's batch over its pages.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from queue import Empty, SimpleQueue

from newsmill import layout, runfiles
from newsmill.runfiles import CrawlRow, ExtractError
from transforms.page import Page, process_page, warm_worker
from transforms.pool import WorkerPool
from transforms.spool import ParquetSpool

ALONE = 2  # the attempt of a page lost in two crashes: it runs with nothing else in the pool


@dataclass(frozen=True)
class ExtractResult:
    """Counts of one extract run and where its files are."""

    articles: int
    removed: int
    errors: int
    articles_path: Path
    removed_path: Path
    errors_path: Path


def extract_run(
    run_dir: Path,
    languages: dict[str, str],
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ExtractResult:
    """Extract and clean the run's fetched articles; write the three output files atomically.

    `languages` maps source names to their configured language (the fallback when an article's
    language cannot be detected). `progress(done, total)` is called as pages finish.
    """
    run_dir = Path(run_dir)
    rows = {}
    for row in runfiles.CrawlLogReader(run_dir / layout.CRAWL_LOG, strict=False).read():
        if row.is_fetched_article:
            rows[row.url] = row  # one page per canonical URL, the last fetch wins: no work twice
    if progress:
        progress(0, len(rows))
    with PageBatch(run_dir, languages, workers=workers, progress=progress) as batch:
        batch.feed_rows(rows.values())
        return batch.finish()


class PageBatch:
    """Extract and clean pages as they are fetched, in a process pool, streaming rows to Parquet.

    `feed` takes `crawl.jsonl` rows (others than fetched article pages are ignored) and submits each
    page to the pool at once, so extraction runs while the crawl is still going; rows are appended to
    the Parquet files as pages finish (`transforms.spool`: the parent holds a row group at most, not
    the day). `finish` waits for the pages still in the pool and completes `articles.parquet`,
    `removed.parquet` and `extract_errors.jsonl` exactly as `extract_run` does: one row per canonical
    URL (when a URL is fed twice, the last row fed wins), in the order pages finished. Use as a
    context manager: leaving it without `finish` (an error, a failed crawl) cancels the pages not
    started and writes nothing.

    The workers are a `WorkerPool`: given one, the batch uses it and leaves it running (a backfill
    shares one pool over its days); else the batch starts its own and stops it when done. A page
    still being extracted after the pool's time limit (`transforms.pool.CALL_SECONDS`) becomes an
    error. If a worker dies (a parser crash), the pages it took down get one more try in a fresh
    pool. Pages lost in a second crash are run again one at a time, nothing else in the pool, and
    only one that takes its worker down alone becomes an error: one bad page neither sinks the run
    nor takes other pages with it.
    """

    def __init__(
        self,
        run_dir: Path,
        languages: dict[str, str],
        *,
        workers: int | None = None,
        progress: Callable[[int, int], None] | None = None,
        pool: WorkerPool | None = None,
        work: Callable[[Page], tuple[dict, list[dict]] | str] = process_page,
    ) -> None:
        self.run_dir = Path(run_dir).resolve()
        self.languages = dict(languages)
        self.progress = progress
        self.pool = pool or WorkerPool(workers)
        self._owns_pool = pool is None
        self._done: SimpleQueue[tuple[Future, Page, int, int]] = SimpleQueue()
        self._futures: dict[Future, int] = {}  # in the pool: the page's attempt
        self._suspects: deque[tuple[Page, int]] = deque()  # lost in two crashes: each to run alone
        self._held: deque[tuple[Page, int, int]] = deque()  # fed while suspects run alone
        self._work = work
        self._latest: dict[str, int] = {}  # url -> sequence number of its last row fed
        self._articles = ParquetSpool(self.run_dir / layout.ARTICLES, runfiles.ARTICLES_SCHEMA)
        self._removed = ParquetSpool(self.run_dir / layout.REMOVED, runfiles.REMOVED_SCHEMA)
        self._kept: dict[str, tuple[int, range]] = {}  # url -> its article and removed row numbers
        self._errors: list[ExtractError] = []
        self._complete = False  # the files are written
        self._seq = 0
        self._total = 0
        self._finished = 0

    def __enter__(self) -> PageBatch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def pending(self) -> int:
        """Pages fed and not finished yet."""
        return len(self._futures) + len(self._suspects) + len(self._held)

    def start(self) -> PageBatch:
        """Start the workers now and let each load its models, e.g. while the crawl reads listings
        (otherwise they start with the first page fed)."""
        self.pool.start(warm_worker)
        return self

    def feed(self, row: CrawlRow) -> bool:
        """Submit the page of one crawl.jsonl row; False when the row is not a fetched article."""
        if not row.is_fetched_article:
            return False
        self._seq += 1
        page = Page(
            source=row.source,
            url=row.url,
            listed_date=row.listed_date,
            fetched_at=row.fetched_at,
            warc_file=row.warc_file,
            warc_offset=row.warc_offset,
            language=self.languages.get(row.source),
        )
        if page.url not in self._latest:
            self._total += 1
        self._latest[page.url] = self._seq
        self._submit(page, self._seq, attempt=0)
        self._collect(block=False)
        return True

    def feed_rows(self, rows: Iterable[CrawlRow]) -> int:
        """`feed` each row; return how many were submitted."""
        return sum(self.feed(row) for row in rows)

    def poll(self) -> int:
        """Take in the pages finished so far (without waiting); return how many are still pending."""
        self._collect(block=False)
        return self.pending

    def finish(self) -> ExtractResult:
        """Wait for every page fed, complete the three files atomically, stop an own pool."""
        while self.pending:
            self._collect(block=True)
        if self._owns_pool:
            self.pool.close()
        else:
            self.pool.recycle_if_worn()
        kept = sorted(self._kept.values())
        articles = self._articles.close([row for row, _ in kept])
        removed = self._removed.close([n for _, rows in kept for n in rows])
        runfiles.write_extract_errors(self.run_dir / layout.EXTRACT_ERRORS, self._errors)
        self._complete = True
        return ExtractResult(
            articles,
            removed,
            len(self._errors),
            self._articles.path,
            self._removed.path,
            self.run_dir / layout.EXTRACT_ERRORS,
        )

    def close(self) -> None:
        """Cancel the pages not started and stop an own pool; without `finish`, write nothing."""
        for future in self._futures:
            future.cancel()
        self._futures.clear()
        self._suspects.clear()
        self._held.clear()
        if self._owns_pool:
            self.pool.close()
        if not self._complete:
            self._articles.discard()
            self._removed.discard()

    def _submit(self, page: Page, seq: int, attempt: int) -> None:
        if self._suspects or ALONE in self._futures.values():
            self._held.append((page, seq, attempt))  # suspects run with nothing else in the pool
            return
        self._start(page, seq, attempt)

    def _start(self, page: Page, seq: int, attempt: int) -> None:
        future = self.pool.submit(self._work, page)
        self._futures[future] = attempt
        future.add_done_callback(lambda f: self._done.put((f, page, seq, attempt)))

    def _advance(self) -> None:
        """Once the pool is idle, start the next suspect alone; after the last, the pages held."""
        if self._futures:
            return
        if self._suspects:
            self._start(*self._suspects.popleft(), attempt=ALONE)
            return
        while self._held:
            self._start(*self._held.popleft())

    def _collect(self, block: bool) -> None:
        while True:
            self._advance()
            if not self._futures:
                return
            try:
                future, page, seq, attempt = self._done.get(block=block)
            except Empty:
                return
            block = False
            self._futures.pop(future, None)
            try:
                outcome = future.result()
            except BrokenProcessPool:
                if attempt == 0:
                    self._submit(page, seq, attempt=1)  # a fresh pool gives it one more try
                    continue
                if attempt == 1:
                    self._suspects.append((page, seq))  # then a try alone, so it takes no other down
                    continue
                outcome = "worker process died while extracting this page"
            except Exception as exc:  # noqa: BLE001 - a failing page is reported, not raised
                outcome = f"{type(exc).__name__}: {exc}"
            if self._latest.get(page.url) != seq:
                continue  # a later row of the same URL was fed: its outcome is the one kept
            self._finished += 1
            if self.progress:
                self.progress(self._finished, self._total)
            if isinstance(outcome, str):
                self._kept.pop(page.url, None)
                self._errors.append(ExtractError(page.source, page.url, outcome))
            else:
                row, segments = outcome
                (number,) = self._articles.append([row])
                self._kept[page.url] = (number, self._removed.append(segments))
