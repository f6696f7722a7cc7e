"""Stage 2 of the pipeline: extract and clean every fetched article of a run, in a process pool.

Contract (docs/architecture.md): reads `crawl.jsonl` and the WARC records it points at; writes
`articles.parquet`, `removed.parquet` and `extract_errors.jsonl` in the run directory, each
atomically, so a reader sees a whole file or none.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from queue import Empty, SimpleQueue

import pyarrow as pa
from fastwarc.warc import ArchiveIterator, WarcRecordType

from newsmill import layout
from transforms import topic
from transforms.clean import clean_article
from transforms.extract import NoArticleText, extract_article
from transforms.fingerprint import fingerprint
from transforms.language import word_count
from transforms.pool import WorkerPool
from transforms.spool import ParquetSpool

ARTICLES_SCHEMA = pa.schema(
    [
        ("url", pa.string()),
        ("source", pa.string()),
        ("pub_date", pa.date32()),
        ("listed_date", pa.date32()),
        ("date_source", pa.string()),
        ("title", pa.string()),
        ("authors", pa.list_(pa.string())),
        ("description", pa.string()),
        ("site_name", pa.string()),
        ("language", pa.string()),
        ("tags", pa.list_(pa.string())),
        ("text", pa.string()),
        ("word_count", pa.int32()),
        ("content_hash", pa.string()),
        ("fetched_at", pa.timestamp("us", tz="UTC")),
        ("warc_file", pa.string()),
        ("warc_offset", pa.int64()),
        ("duplicate_of", pa.string()),
        ("fingerprint", pa.list_(pa.uint32())),
    ]
)
REMOVED_SCHEMA = pa.schema(
    [
        ("url", pa.string()),
        ("position", pa.int32()),
        ("text", pa.string()),
        ("reason", pa.string()),
        ("score", pa.float64()),
    ]
)
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class ExtractResult:
    """Counts of one extract run and where its files are."""

    articles: int
    removed: int
    errors: int
    articles_path: Path
    removed_path: Path
    errors_path: Path


@dataclass(frozen=True)
class _Page:
    """One crawl.jsonl row to extract: picklable, so it travels to a worker process."""

    source: str
    url: str
    listed_date: date | None
    fetched_at: datetime | None
    warc_file: str
    warc_path: Path
    warc_offset: int
    language: str | None


def content_hash(text: str) -> str:
    """sha1 hex of the text lowercased with whitespace collapsed: equal for trivially equal copies."""
    return hashlib.sha1(_SPACE.sub(" ", text.lower()).strip().encode("utf-8")).hexdigest()


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
    run_dir = Path(run_dir).resolve()  # workers need absolute paths: their cwd is not ours
    rows = {}
    for row in CrawlLogTail(run_dir / layout.CRAWL_LOG).read():
        if _wanted(row):
            rows[row["url"]] = row  # one page per canonical URL, the last fetch wins: no work twice
    if progress:
        progress(0, len(rows))
    with PageBatch(run_dir, languages, workers=workers, progress=progress) as batch:
        batch.feed_rows(rows.values())
        return batch.finish()


class CrawlLogTail:
    """Reads the rows appended to a growing `crawl.jsonl`: each call returns the complete lines
    written since the previous call (a line still being written waits for the next call)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._offset = 0

    def read(self) -> list[dict]:
        try:
            with self.path.open("rb") as f:
                f.seek(self._offset)
                data = f.read()
        except FileNotFoundError:
            return []
        end = data.rfind(b"\n") + 1
        self._offset += end
        rows = []
        for line in data[:end].splitlines():
            try:
                row = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError):
                continue  # a line torn by a crash
            if isinstance(row, dict):
                rows.append(row)
        return rows


def _wanted(row: dict) -> bool:
    """A crawl.jsonl row that names a fetched article page with a WARC record."""
    return bool(
        row.get("kind") == "article"
        and row.get("outcome") == "fetched"
        and row.get("status") == 200
        and row.get("warc_file")
        and row.get("warc_offset") is not None
        and row.get("url")
    )


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
    shares one pool over its days); else the batch starts its own and stops it when done. If a
    worker dies (a parser crash), the pages it took down get one more try in a fresh pool; pages
    lost in a second crash become errors, so one bad page never sinks the run.
    """

    def __init__(
        self,
        run_dir: Path,
        languages: dict[str, str],
        *,
        workers: int | None = None,
        progress: Callable[[int, int], None] | None = None,
        pool: WorkerPool | None = None,
    ) -> None:
        self.run_dir = Path(run_dir).resolve()
        self.data_dir = self.run_dir.parent.parent  # run dirs live in DATA_DIR/runs/<id> (layout)
        self.languages = dict(languages)
        self.progress = progress
        self.pool = pool or WorkerPool(workers)
        self._owns_pool = pool is None
        self._done: SimpleQueue[tuple[Future, _Page, int, int]] = SimpleQueue()
        self._futures: set[Future] = set()
        self._latest: dict[str, int] = {}  # url -> sequence number of its last row fed
        self._articles = ParquetSpool(self.run_dir / layout.ARTICLES, ARTICLES_SCHEMA)
        self._removed = ParquetSpool(self.run_dir / layout.REMOVED, REMOVED_SCHEMA)
        self._kept: dict[str, tuple[int, range]] = {}  # url -> its article and removed row numbers
        self._errors: list[dict] = []
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
        """Pages submitted and not finished yet."""
        return len(self._futures)

    def start(self) -> PageBatch:
        """Start the workers now and let each load its models, e.g. while the crawl reads listings
        (otherwise they start with the first page fed)."""
        self.pool.start(warm_up)
        return self

    def feed(self, row: dict) -> bool:
        """Submit the page of one crawl.jsonl row; False when the row is not a fetched article."""
        if not _wanted(row):
            return False
        self._seq += 1
        page = _Page(
            source=row["source"],
            url=row["url"],
            listed_date=_day(row.get("listed_date")),
            fetched_at=_instant(row.get("fetched_at")),
            warc_file=row["warc_file"],
            warc_path=_locate(Path(row["warc_file"]), self.data_dir),
            warc_offset=int(row["warc_offset"]),
            language=self.languages.get(row["source"]),
        )
        if page.url not in self._latest:
            self._total += 1
        self._latest[page.url] = self._seq
        self._submit(page, self._seq, attempt=0)
        self._collect(block=False)
        return True

    def feed_rows(self, rows: Iterable[dict]) -> int:
        """`feed` each row; return how many were submitted."""
        return sum(self.feed(row) for row in rows)

    def poll(self) -> int:
        """Take in the pages finished so far (without waiting); return how many are still pending."""
        self._collect(block=False)
        return self.pending

    def finish(self) -> ExtractResult:
        """Wait for every page fed, complete the three files atomically, stop an own pool."""
        while self._futures:
            self._collect(block=True)
        if self._owns_pool:
            self.pool.close()
        else:
            self.pool.recycle_if_worn()
        kept = sorted(self._kept.values())
        articles = self._articles.close([row for row, _ in kept])
        removed = self._removed.close([n for _, rows in kept for n in rows])
        text = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in self._errors)
        layout.write_atomic(self.run_dir / layout.EXTRACT_ERRORS, text)
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
        if self._owns_pool:
            self.pool.close()
        if not self._complete:
            self._articles.discard()
            self._removed.discard()

    def _submit(self, page: _Page, seq: int, attempt: int) -> None:
        future = self.pool.submit(process_page, page)
        self._futures.add(future)
        future.add_done_callback(lambda f: self._done.put((f, page, seq, attempt)))

    def _collect(self, block: bool) -> None:
        while self._futures:
            try:
                future, page, seq, attempt = self._done.get(block=block)
            except Empty:
                return
            block = False
            self._futures.discard(future)
            try:
                outcome = future.result()
            except BrokenProcessPool:
                if attempt == 0:
                    self._submit(page, seq, attempt=1)  # a fresh pool gives it one more try
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
                self._errors.append({"source": page.source, "url": page.url, "error": outcome})
            else:
                row, segments = outcome
                (number,) = self._articles.append([row])
                self._kept[page.url] = (number, self._removed.append(segments))


def _locate(warc: Path, data_dir: Path) -> Path:
    """Find a WARC named in crawl.jsonl: the crawl may have written it relative to its own working
    directory (`data/warc/...`), which need not be ours; `warc/<source>/<day>` under the run's data
    directory is where `newsmill.layout.warc_path` puts it."""
    if warc.is_absolute() or warc.exists():
        return warc.resolve()
    parts = warc.parts
    tail = Path(*parts[parts.index("warc") :]) if "warc" in parts else warc
    return next((p for p in (data_dir / warc, data_dir / tail) if p.exists()), warc)


_WARM_PAGE = (
    b"<html lang='en'><head><title>Warm up</title><meta name='author' content='A. Writer'></head>"
    b"<body><article><h1>Warm up</h1><p>Published on Tuesday, 17 November 2026 at noon.</p>"
    + b"<p>The council met on Monday to discuss the harbour flood defences and the new ferry.</p>" * 6
    + b"</article></body></html>"
)


def warm_up() -> None:
    """Load what the first pages would otherwise load: the language and off-topic models, caches."""
    topic.load()
    clean_article(extract_article(_WARM_PAGE, "https://warm.invalid/up"), "en")


def process_page(page: _Page) -> tuple[dict, list[dict]] | str:
    """Read one WARC record, extract and clean it; a readable error string when it yields no text."""
    try:
        html = _read_record(page.warc_path, page.warc_offset)
        extracted = extract_article(html, page.url)
    except NoArticleText as exc:
        return str(exc)
    except Exception as exc:  # noqa: BLE001 - one bad record must not stop the batch
        return f"{type(exc).__name__}: {exc}"
    cleaned = clean_article(extracted, page.language)
    if not cleaned.text:
        return "nothing left after cleaning"
    pub_date = extracted.date or page.listed_date
    row = {
        "url": page.url,
        "source": page.source,
        "pub_date": pub_date or (page.fetched_at.date() if page.fetched_at else None),
        "listed_date": page.listed_date,
        "date_source": "page" if extracted.date else "listing" if page.listed_date else "fetched",
        "title": extracted.title,
        "authors": extracted.authors,
        "description": extracted.description,
        "site_name": extracted.site_name,
        "language": cleaned.language,
        "tags": extracted.tags,
        "text": cleaned.text,
        "word_count": word_count(cleaned.text),
        "content_hash": content_hash(cleaned.text),
        "fetched_at": page.fetched_at,
        "warc_file": page.warc_file,
        "warc_offset": page.warc_offset,
        "duplicate_of": None,  # set by the warehouse, which sees other runs and sources
        "fingerprint": fingerprint(cleaned.text),
    }
    segments = [
        {
            "url": page.url,
            "position": r.position,
            "text": r.text,
            "reason": r.reason,
            "score": r.score,
        }
        for r in cleaned.removed
    ]
    return row, segments


def _read_record(path: Path, offset: int) -> bytes:
    """The HTTP payload of the WARC response record at `offset` (gzip per record), decoded.

    fastwarc (C++) reads one record cheaply; the body stored by the crawl is already decoded."""
    with path.open("rb") as f:
        f.seek(offset)
        for record in ArchiveIterator(f, parse_http=True):
            if record.record_type != WarcRecordType.response:
                raise ValueError(
                    f"record at {offset} is a {record.record_type.name} record, not a response"
                )
            return record.reader.read()
    raise ValueError(f"no WARC record at offset {offset} of {path}")


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _instant(value: str | None) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC) if moment else None
