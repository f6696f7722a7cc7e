"""Stage 1 without the network: the crawl rows of the article pages already in the WARC store.

A run directory whose ``crawl.jsonl`` points at stored records instead of fresh fetches goes
through the same extraction and load as a crawl's, so pages fetched long ago get today's
extraction and cleaning (`newsmill reprocess`), and pages written into the store by other means
(a CC-NEWS backfill) are read like any crawl's. Nothing here opens a connection.

Which records: the ``response`` records with ``Newsmill-Kind: article`` in the files of the days
asked for (`newsmill.layout.warc_path`: a page is in the file of its listing day, an undated one in
the file of the first day of the crawl that fetched it). A URL fetched more than once has a record
per fetch: the latest (``WARC-Date``, then position) is the one the row points at. A file is read
only as far as it holds whole records: a torn tail left by a crash, or a record a crawl is still
appending, is not read (`spiders.warc.good_length`).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from fastwarc.warc import ArchiveIterator, WarcRecordType

from newsmill import dates, layout, runfiles
from newsmill.runfiles import CrawlRow
from spiders.canonical import canonical_url
from spiders.crawllog import CrawlLog
from spiders.warc import good_length


@dataclass(frozen=True)
class Damaged:
    """A WARC file whose end is not whole records: only its first `whole` of `size` bytes are read."""

    path: Path
    whole: int
    size: int


@dataclass(frozen=True)
class StoredCrawl:
    """What `write_stored_crawl` found: article pages per source (one per URL), the days' files
    that do not exist, and files with a damaged end."""

    articles: dict[str, int]
    missing: tuple[Path, ...]
    damaged: tuple[Damaged, ...]


class _Prefix(io.RawIOBase):
    """The first `length` bytes of a file, so a reader never reaches a torn record after them."""

    def __init__(self, handle: io.RawIOBase, length: int) -> None:
        self._handle = handle
        self._length = length

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_END:
            offset, whence = self._length + offset, io.SEEK_SET
        return self._handle.seek(offset, whence)

    def tell(self) -> int:
        return self._handle.tell()

    def readinto(self, buffer: bytearray | memoryview) -> int:
        left = self._length - self._handle.tell()
        if left <= 0:
            return 0
        return self._handle.readinto(memoryview(buffer)[:left]) or 0


def _header(record: object, name: str) -> str:
    return record.headers.get(name) or ""  # type: ignore[attr-defined]


def article_rows(path: Path, source: str, whole: int) -> list[CrawlRow]:
    """The `crawl.jsonl` rows of the article responses in the first `whole` bytes of one WARC
    file (`good_length`), in file order: `fetched`, with the record's status, fetch time and
    listing day, `warc_file` the absolute path and `warc_offset` the record's gzip member."""
    path = Path(path).resolve()
    rows = []
    with path.open("rb", buffering=0) as handle:
        stream = io.BufferedReader(_Prefix(handle, whole), buffer_size=1 << 20)
        for record in ArchiveIterator(stream, record_types=WarcRecordType.response, parse_http=True):
            if _header(record, "Newsmill-Kind") != runfiles.ARTICLE:
                continue
            listed = _header(record, "Newsmill-Listed-Date")
            url = _header(record, "Newsmill-Canonical-URL") or canonical_url(_header(record, "WARC-Target-URI"))
            rows.append(CrawlRow(
                source=source,
                url=url,
                kind=runfiles.ARTICLE,
                listed_date=date.fromisoformat(listed) if listed else None,
                outcome=runfiles.FETCHED,
                status=record.http_headers.status_code if record.http_headers else None,
                error=None,
                fetched_at=datetime.fromisoformat(_header(record, "WARC-Date")),
                warc_file=str(path),
                warc_offset=record.stream_pos,
            ))
    return rows


def latest_per_url(rows: Iterable[CrawlRow]) -> list[CrawlRow]:
    """One row per URL: its latest fetch (a tie goes to the row read last), in the order of
    each URL's first row."""
    latest: dict[str, CrawlRow] = {}
    for row in rows:
        kept = latest.get(row.url)
        if kept is None or row.fetched_at >= kept.fetched_at:
            latest[row.url] = row
    return list(latest.values())


def write_stored_crawl(
    run_dir: Path,
    data_dir: Path,
    sources: Sequence[str],
    first: date,
    last: date,
    *,
    progress: Callable[[int], None] | None = None,
) -> StoredCrawl:
    """Write `run_dir`'s ``crawl.jsonl`` (one `fetched` row per URL stored for the sources' days
    first..last, the latest record of each) and ``crawl.done.json``; say what was missing.

    Appends to ``crawl.jsonl``: the caller removes an earlier attempt's first. `progress(records)`
    is called after each file with the article records read so far. Raises `RecordError` when a run file
    cannot be written, OSError when a WARC file cannot be read.
    """
    data_dir = Path(data_dir).resolve()
    log = CrawlLog(run_dir)
    articles: dict[str, int] = {}
    missing: list[Path] = []
    damaged: list[Damaged] = []
    read = 0
    try:
        for source in sources:
            log.add_source(source)
            found: list[CrawlRow] = []
            for day in dates.days(first, last):
                path = layout.warc_path(data_dir, source, day)
                if not path.exists():
                    missing.append(path)
                    continue
                size = path.stat().st_size
                whole = good_length(path)
                if whole < size:
                    damaged.append(Damaged(path, whole, size))
                rows = article_rows(path, source, whole)
                found += rows
                read += len(rows)
                if progress:
                    progress(read)
            kept = latest_per_url(found)
            for row in kept:
                log.write(row.source, row.url, row.kind, row.outcome, listed_date=row.listed_date,
                          status=row.status, fetched_at=row.fetched_at, warc_file=Path(row.warc_file),
                          warc_offset=row.warc_offset)
            articles[source] = len(kept)
        log.write_done()
    finally:
        log.close()
    return StoredCrawl(articles, tuple(missing), tuple(damaged))
