"""Stage 2 of the pipeline: extract and clean every fetched article of a run, in a process pool.

Contract (docs/architecture.md): reads `crawl.jsonl` and the WARC records it points at; writes
`articles.parquet`, `removed.parquet` and `extract_errors.jsonl` in the run directory, each
atomically, so a reader sees a whole file or none.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import warnings
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC, date, datetime
from multiprocessing import get_context
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from dateutil.parser import UnknownTimezoneWarning
from warcio.archiveiterator import ArchiveIterator

from newsmill import layout
from transforms.clean import clean_article
from transforms.extract import extract_article
from transforms.fingerprint import fingerprint
from transforms.language import word_count

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
TASKS_PER_CHILD = 500  # recycle workers now and then: lxml trees can leave memory fragmented


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
    pages = _pages(run_dir, languages)
    rows: list[dict] = []
    removed: list[dict] = []
    errors: list[dict] = []
    for page, outcome in _run_pool(pages, workers, progress):
        if isinstance(outcome, str):
            errors.append({"source": page.source, "url": page.url, "error": outcome})
            continue
        row, segments = outcome
        rows.append(row)
        removed.extend(segments)
    rows = sorted({r["url"]: r for r in rows}.values(), key=lambda r: r["url"])  # one row per URL
    paths = (run_dir / layout.ARTICLES, run_dir / layout.REMOVED, run_dir / layout.EXTRACT_ERRORS)
    _write_parquet(paths[0], rows, ARTICLES_SCHEMA)
    _write_parquet(paths[1], removed, REMOVED_SCHEMA)
    layout.write_atomic(paths[2], "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in errors))
    return ExtractResult(len(rows), len(removed), len(errors), *paths)


def _pages(run_dir: Path, languages: dict[str, str]) -> list[_Page]:
    """Fetched article rows of crawl.jsonl, one per canonical URL (the last fetch wins)."""
    data_dir = run_dir.parent.parent  # run dirs live in DATA_DIR/runs/<id> (newsmill.layout)
    by_url: dict[str, _Page] = {}
    with (run_dir / layout.CRAWL_LOG).open(encoding="utf-8") as f:
        for line in f:
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue  # a torn last line while the crawl is still appending
            if not (
                row.get("kind") == "article"
                and row.get("outcome") == "fetched"
                and row.get("status") == 200
                and row.get("warc_file")
                and row.get("warc_offset") is not None
            ):
                continue
            warc = _locate(Path(row["warc_file"]), data_dir)
            by_url[row["url"]] = _Page(
                source=row["source"],
                url=row["url"],
                listed_date=_day(row.get("listed_date")),
                fetched_at=_instant(row.get("fetched_at")),
                warc_file=row["warc_file"],
                warc_path=warc,
                warc_offset=int(row["warc_offset"]),
                language=languages.get(row["source"]),
            )
    return list(by_url.values())


def _locate(warc: Path, data_dir: Path) -> Path:
    """Find a WARC named in crawl.jsonl: the crawl may have written it relative to its own working
    directory (`data/warc/...`), which need not be ours; `warc/<source>/<day>` under the run's data
    directory is where `newsmill.layout.warc_path` puts it."""
    if warc.is_absolute() or warc.exists():
        return warc.resolve()
    parts = warc.parts
    tail = Path(*parts[parts.index("warc") :]) if "warc" in parts else warc
    return next((p for p in (data_dir / warc, data_dir / tail) if p.exists()), warc)


def _run_pool(
    pages: list[_Page], workers: int | None, progress: Callable[[int, int], None] | None
) -> Iterable[tuple[_Page, tuple[dict, list[dict]] | str]]:
    """Yield (page, outcome) as pages finish; outcome is a result or an error message.

    forkserver: a fork of an Airflow task process (threads, open sockets) is not safe. If a worker
    dies (say a parser crash), the pages still pending get one more try in a fresh pool; pages lost
    in a second crash become errors, so one bad page never sinks the run.
    """
    total, done = len(pages), 0
    if progress:
        progress(0, total)
    pending = pages
    for attempt in range(2):
        if not pending:
            return
        lost: list[_Page] = []
        max_workers = max(1, min(workers or os.cpu_count() or 1, len(pending)))
        with ProcessPoolExecutor(
            max_workers,
            mp_context=get_context("forkserver"),
            initializer=_quiet_worker,
            max_tasks_per_child=TASKS_PER_CHILD,
        ) as pool:
            futures: dict[Future, _Page] = {pool.submit(process_page, p): p for p in pending}
            for future in as_completed(futures):
                page = futures[future]
                try:
                    outcome = future.result()
                except BrokenProcessPool:
                    if attempt == 0:
                        lost.append(page)
                        continue
                    outcome = "worker process died while extracting this page"
                except Exception as exc:  # noqa: BLE001 - a failing page is reported, not raised
                    outcome = f"{type(exc).__name__}: {exc}"
                done += 1
                if progress:
                    progress(done, total)
                yield page, outcome
        pending = lost


def _quiet_worker() -> None:
    """Silence dateutil's per-page warning about unknown zone names (trafilatura's date search
    meets many); it would flood the task log and says nothing about the result."""
    warnings.filterwarnings("ignore", category=UnknownTimezoneWarning)


def process_page(page: _Page) -> tuple[dict, list[dict]] | str:
    """Read one WARC record, extract and clean it; a readable error string when it yields no text."""
    try:
        html = _read_record(page.warc_path, page.warc_offset)
        extracted = extract_article(html, page.url)
    except Exception as exc:  # noqa: BLE001 - one bad record must not stop the batch
        return f"{type(exc).__name__}: {exc}"
    if extracted is None:
        return "no article text found"
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
    """The HTTP payload of the WARC response record at `offset` (gzip per record), decoded."""
    with path.open("rb") as f:
        f.seek(offset)
        for record in ArchiveIterator(f):
            if record.rec_type != "response":
                raise ValueError(
                    f"record at {offset} is a {record.rec_type} record, not a response"
                )
            return record.content_stream().read()
    raise ValueError(f"no WARC record at offset {offset} of {path}")


def _write_parquet(path: Path, rows: list[dict], schema: pa.Schema) -> None:
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), tmp)
    tmp.replace(path)


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
