"""Where each stage keeps its files under the data directory; the one place paths are decided."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from newsmill.config import SOURCE_NAME


def warc_path(data_dir: Path, source: str, day: date) -> Path:
    """The gzipped WARC holding a source's raw responses of one listing day."""
    if not SOURCE_NAME.match(source):
        raise ValueError(f"unsafe source name for a path: {source!r}")
    return Path(data_dir) / "warc" / source / f"{day.isoformat()}.warc.gz"


def run_id(first: date, last: date, sources: list[str] | tuple[str, ...] | None) -> str:
    """The id of a run of these days and sources, the same every time: it names the run directory,
    so a second run of them waits for the first (its lock) and resumes what it left (its skip list).
    Each attempt at the run is recorded apart, under its `attempt_id`."""
    import hashlib  # here: `newsmill search` imports this module, and OpenSSL's start would cost it 3-4 ms

    if not sources:
        tag = "all"
    elif len(sources) == 1:
        tag = sources[0]
    else:
        tag = "set-" + hashlib.sha1(",".join(sorted(sources)).encode()).hexdigest()[:10]
    return f"{first.isoformat()}_{last.isoformat()}_{tag}"


def attempt_id(rid: str, started: datetime) -> str:
    """The id of one attempt at run `rid` (a crawl and the extraction and load of what it found):
    the run id and the moment the crawl started, which the run lock keeps apart for one run."""
    return f"{rid}@{started.astimezone(UTC):%Y%m%dT%H%M%S.%fZ}"


def run_dir(data_dir: Path, rid: str) -> Path:
    """The working directory of one run: crawl log, extracted Parquet, error lists."""
    return Path(data_dir) / "runs" / rid


def ccnews_journal(data_dir: Path, source_set: str, file_name: str) -> Path:
    """The journal (and done-marker) of one CC-NEWS file scanned for a set of sources, keyed by
    `spiders.ccnews.source_set`: what the scan found in the file and how far it got."""
    return Path(data_dir) / "ccnews" / source_set / (file_name.removesuffix(".warc.gz") + ".jsonl")


def search_index_dir(database: Path) -> Path:
    """The folder of the warehouse's search index, beside the DuckDB file (`news.duckdb.search/`):
    derived data that goes with that file and is rebuilt from it."""
    database = Path(database)
    return database.with_name(database.name + ".search")


CRAWL_LOG = "crawl.jsonl"
CRAWL_DONE = "crawl.done.json"
ARTICLES = "articles.parquet"
REMOVED = "removed.parquet"
EXTRACT_ERRORS = "extract_errors.jsonl"
RUN_INFO = "run.json"
SKIP_URLS = "skip_urls.txt"
RUN_LOCK = "run.lock"


def write_atomic(path: Path, text: str) -> None:
    """Write a small file so readers see the old content or the new, never half of it."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def nearest_existing(path: Path) -> Path:
    """The path itself or its closest ancestor that exists: where creating `path` would start."""
    folder = Path(path)
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder
