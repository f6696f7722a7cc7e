"""Stage 1 from Common Crawl's CC-NEWS archive instead of the sites: the sources' pages of a range.

No index covers CC-NEWS, so a backfill streams whole files and keeps what is on the sources' hosts:

- **Which files.** Each month's ``warc.paths.gz`` lists files named by the moment they were begun
  (serials restart, so they are ordered by that moment); a file holds what was fetched from its
  moment to the next file's (the last one: at most `ROTATION`). The files kept are those whose
  span overlaps [first − lead, last + 1 day + lag): a page is fetched after it is published, a
  page's day is a local day (lead), and news-crawl fetches a page up to days after it appears (lag).
- **Which records.** ``response`` records whose host is one of a source's domains or a subdomain
  of one (`Source.owns`: exact host rules, never a substring, so ``evil-gazette.example`` and
  ``go.example/?u=gazette.example`` are not the gazette's).
- **Where they go.** Into newsmill's own WARC store, the file of the page's fetch day
  (`layout.warc_path`), with the ``Newsmill-*`` headers of a crawl's article (``Newsmill-Listed-Date``
  empty: CC-NEWS keeps no listing date) and ``Newsmill-Via`` naming the CC-NEWS file; so the
  extraction, the load and `newsmill reprocess` read them as any crawl's. A record CC-NEWS cut at
  its size cap (``WARC-Truncated``) is not stored: its row is `failed`.
- **Once per file.** Each file's matches are journaled, each right after it is stored, in
  `layout.ccnews_journal`; a journal ending with its ``done`` line is the file's done-marker: later
  backfills over the same file take its rows and stream nothing. A scan cut short (a crash,
  SIGKILL) resumes, on the next backfill, at the last journaled record with an HTTP Range request.
  The one record a kill can leave stored but not journaled is the first match after that point;
  each stored record names its CC-NEWS record (``Newsmill-Via-Record-ID``), so the resumed scan
  looks that match up in the store file of its day and journals the copy there instead of
  storing it again: no record is stored twice, and no store file (which a crawl of the same day
  may be appending to) is cut.
- **The network.** A connection cut mid-file is reopened with Range at the byte it stopped at; a
  503 ("SlowDown") or a refused connection is retried after a growing pause (``Retry-After`` when
  given). A file that still cannot be read, or is not WARC, is reported and the others go on.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import io
import json
import os
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from fastwarc.warc import ArchiveIterator, WarcRecordType

from newsmill import layout, runfiles
from newsmill.config import Source
from newsmill.runfiles import CrawlRow
from spiders.canonical import canonical_url
from spiders.crawllog import CrawlLog, RecordError, write_all
from spiders.stored import latest_per_url
from spiders.warc import WarcFiles, good_length

LISTING = "crawl-data/CC-NEWS/{year:04d}/{month:02d}/warc.paths.gz"
ROTATION = timedelta(hours=24)
"""news-crawl starts a new file after 1 GB or 24 hours: the longest span of a file."""
RETRIES = 6
"""Consecutive failures (503, refused or cut connection) without a byte of progress before a file
is given up; pauses grow from 0 to about 30 s, so a busy server gets a minute to recover."""
BACKOFF = 0.5
VIA_RECORD_ID = "Newsmill-Via-Record-ID"
"""The stored record's header naming the CC-NEWS record it copies (its ``WARC-Record-ID``)."""
CHECKPOINT_BYTES = 64 << 20
"""How often a long scan with no match journals how far it got, so a resumed scan starts near."""
STREAM_BUFFER = 4 << 20
"""Bytes read from the connection at a time: few, large reads keep the Python cost per byte low."""
USER_AGENT = "newsmill/0.1 (CC-NEWS backfill)"
_NAME = re.compile(r"CC-NEWS-(\d{14})-(\d+)\.warc\.gz$")


class ScanError(RuntimeError):
    """A CC-NEWS file (or listing) that could not be read whole; the message says which and why."""


@dataclass(frozen=True, order=True)
class NewsFile:
    """A CC-NEWS file: the moment it was begun (from its name), its serial, its path."""

    begun: datetime
    serial: int
    path: str

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


def parse_path(line: str) -> NewsFile | None:
    """The file a `warc.paths.gz` line names; None for a line that is not a CC-NEWS file name."""
    found = _NAME.search(line.strip())
    if found is None:
        return None
    begun = datetime.strptime(found.group(1), "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    return NewsFile(begun, int(found.group(2)), line.strip())


def window(first: date, last: date, lead: timedelta, lag: timedelta) -> tuple[datetime, datetime]:
    """The fetch times to scan for pages of first..last: [first − lead, last + 1 day + lag)."""
    start = datetime(first.year, first.month, first.day, tzinfo=UTC) - lead
    end = datetime(last.year, last.month, last.day, tzinfo=UTC) + timedelta(days=1) + lag
    return start, end


def listing_months(start: datetime, end: datetime) -> list[tuple[int, int]]:
    """The months whose listings can hold files overlapping [start, end): from the month of
    `start − ROTATION` (a file begun then may run into the window) to the month of `end`."""
    year, month = (start - ROTATION).year, (start - ROTATION).month
    months = []
    while (year, month) <= (end.year, end.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def select_files(files: Iterable[NewsFile], start: datetime, end: datetime) -> list[NewsFile]:
    """The files whose span overlaps [start, end), in the order they were begun. A file spans
    from its moment to the next file's; the last one, whose next is not listed, `ROTATION`."""
    ordered = sorted(set(files))
    chosen = []
    for index, news_file in enumerate(ordered):
        until = ordered[index + 1].begun if index + 1 < len(ordered) else news_file.begun + ROTATION
        if news_file.begun < end and until > start:
            chosen.append(news_file)
    return chosen


def source_set(sources: Sequence[Source]) -> str:
    """The key of a set of sources' done-markers (`layout.ccnews_journal`): names and domains, so
    a source whose domains change scans again."""
    key = ";".join(f"{s.name}={','.join(sorted(s.domains))}" for s in sorted(sources, key=lambda s: s.name))
    return hashlib.sha1(key.encode()).hexdigest()[:16]


# --- HTTP ------------------------------------------------------------------------------------------

def _pause(failures: int, retry_after: str | None) -> float:
    if retry_after and retry_after.strip().isdigit():
        return min(float(retry_after), 60.0)
    return BACKOFF * (2 ** failures - 1)


def _open(url: str, start: int, timeout: float) -> http.client.HTTPResponse:
    """GET `url` from byte `start`, retrying 503s and failed connections (`RETRIES`)."""
    headers = {"User-Agent": USER_AGENT}
    if start:
        headers["Range"] = f"bytes={start}-"
    for failures in range(RETRIES):
        try:
            return urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout)
        except urllib.error.HTTPError as exc:
            if exc.code not in (429, 500, 502, 503, 504):
                raise ScanError(f"{url}: HTTP {exc.code} {exc.reason}") from None
            retry_after = exc.headers.get("Retry-After")
            exc.close()
            time.sleep(_pause(failures, retry_after))
        except (OSError, http.client.HTTPException):
            time.sleep(_pause(failures, None))
    raise ScanError(f"{url}: no answer after {RETRIES} tries (503 SlowDown or no connection)")


def fetch_listing(base_url: str, year: int, month: int, timeout: float = 60.0) -> list[NewsFile] | None:
    """The files one month's `warc.paths.gz` lists; None when the month has no listing (404)."""
    url = urljoin(base_url, LISTING.format(year=year, month=month))
    try:
        with _open(url, 0, timeout) as response:
            data = response.read()
    except ScanError as exc:
        if "HTTP 404" in str(exc):
            return None
        raise
    try:
        lines = gzip.decompress(data).decode("utf-8").splitlines()
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise ScanError(f"{url}: not a gzipped list of paths ({exc})") from None
    return [f for f in map(parse_path, lines) if f is not None]


class RemoteFile(io.RawIOBase):
    """A remote file read from byte `start` on; a connection cut before the end is reopened with
    Range at the byte it stopped at, so the reader sees every byte once and in order."""

    def __init__(self, url: str, start: int = 0, timeout: float = 60.0) -> None:
        self.url, self.position, self.timeout = url, start, timeout
        self.size: int | None = None
        self._response: http.client.HTTPResponse | None = None
        self.reopened = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        """Readers ask where they are; a move elsewhere reopens the file there (Range)."""
        if whence == io.SEEK_CUR:
            offset += self.position
        elif whence == io.SEEK_END:
            if self.size is None:
                raise OSError(f"{self.url}: size unknown")
            offset += self.size
        if offset != self.position:
            self._drop()
            self.position = offset
        return self.position

    def _connect(self) -> None:
        response = _open(self.url, self.position, self.timeout)
        if self.position and response.status != 206:
            response.close()
            raise ScanError(f"{self.url}: the server ignored a Range request (HTTP {response.status})")
        total = response.headers.get("Content-Range", "").rpartition("/")[2]
        length = response.headers.get("Content-Length")
        if total.isdigit():
            self.size = int(total)
        elif length and length.isdigit():
            self.size = self.position + int(length)
        self._response = response

    def readinto(self, buffer: bytearray | memoryview) -> int:
        failures = 0
        while True:
            if self.size is not None and self.position >= self.size:
                return 0
            try:
                if self._response is None:
                    self._connect()
                assert self._response is not None
                count = self._response.readinto(buffer)
            except ScanError:
                raise
            except (OSError, http.client.HTTPException):
                count = 0
            if count:
                self.position += count
                return count
            if self.size is None:  # no length given: the end of the body is the end
                return 0
            self._drop()  # cut short of the length: reopen where it stopped
            if failures >= RETRIES:
                raise ScanError(f"{self.url}: the connection kept breaking at byte {self.position} "
                                f"of {self.size}")
            time.sleep(_pause(failures, None))
            failures += 1
            self.reopened += 1

    def _drop(self) -> None:
        if self._response is not None:
            self._response.close()
            self._response = None

    def close(self) -> None:
        self._drop()
        super().close()


# --- one file ------------------------------------------------------------------------------------

class Journal:
    """The journal of one CC-NEWS file for a source set (see the module doc): match rows with the
    offset of their record, checkpoints, and the final ``done`` line. A torn last line (a kill
    mid-write) is ignored and cut off before the next append."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.rows: list[CrawlRow] = []
        self.done = False
        self.resume_at = 0  # the first byte not yet scanned
        self.skip_at: int | None = None  # a record at resume_at that was already handled
        self.resumed = self.path.exists()  # a scan began before: its next match may be stored
        whole = 0
        if self.path.exists():
            data = self.path.read_bytes()
            whole = data.rfind(b"\n") + 1
            for line in data[:whole].splitlines():
                entry = json.loads(line)
                if entry.get("done"):
                    self.done = True
                elif "row" in entry:
                    self.rows.append(CrawlRow.from_json(entry["row"]))
                    self.resume_at, self.skip_at = entry["at"], entry["at"]
                else:
                    self.resume_at, self.skip_at = entry["at"], None
            if whole < len(data):
                os.truncate(self.path, whole)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def _append(self, entry: dict) -> None:
        try:
            write_all(self._fd, (json.dumps(entry, ensure_ascii=False) + "\n").encode())
        except OSError as exc:
            raise RecordError.of(exc, self.path) from exc

    def add(self, at: int, row: CrawlRow) -> None:
        self.rows.append(row)
        self._append({"at": at, "row": json.loads(row.to_json())})

    def checkpoint(self, at: int) -> None:
        self._append({"at": at})

    def finish(self, size: int) -> None:
        self._append({"done": True, "bytes": size})
        os.fsync(self._fd)
        self.done = True

    def close(self) -> None:
        os.close(self._fd)


def owner(url: str, sources: Sequence[Source]) -> Source | None:
    """The source whose domains (or their subdomains) `url`'s host is on, if any."""
    return next((s for s in sources if s.owns(url)), None)


class Owners:
    """`owner` for a file's records: a host none of whose label suffixes is a source's domain name
    is ruled out by one URL parse and a few set look-ups, so the exact rule (`Source.owns`, ports
    included) runs only for the rare record that can match, however many sources are scanned."""

    def __init__(self, sources: Sequence[Source]) -> None:
        self.sources = tuple(sources)
        self._names = {(urlsplit(f"//{d}").hostname or "").rstrip(".") for s in sources for d in s.domains}

    def __call__(self, url: str) -> Source | None:
        try:
            labels = (urlsplit(url).hostname or "").rstrip(".").split(".")
        except ValueError:
            return None
        if not any(".".join(labels[i:]) in self._names for i in range(len(labels))):
            return None
        return owner(url, self.sources)


def scan_file(
    url: str,
    journal: Journal,
    sources: Sequence[Source],
    data_dir: Path,
    store: WarcFiles,
    *,
    timeout: float = 60.0,
) -> int:
    """Stream one CC-NEWS file from where its journal stopped, store and journal its sources'
    responses, and mark it done; return the compressed bytes read. Raises `ScanError`.

    Records are read without their HTTP headers parsed: the host of ``WARC-Target-URI`` rules
    almost all of them out, and only a match is parsed further."""
    data_dir = Path(data_dir).resolve()
    start = journal.resume_at
    remote = RemoteFile(url, start, timeout)
    stream = io.BufferedReader(remote, buffer_size=STREAM_BUFFER)
    last_checkpoint = start
    owners = Owners(sources)
    look_up = journal.resumed  # the first match may be in the store already (see the module doc)
    try:
        for record in ArchiveIterator(stream, record_types=WarcRecordType.response, parse_http=False):
            at = record.stream_pos
            if at == journal.skip_at:
                continue
            if at - last_checkpoint >= CHECKPOINT_BYTES:
                journal.checkpoint(at)
                last_checkpoint = at
            target = record.headers.get("WARC-Target-URI") or ""
            source = owners(target)
            if source is None:
                continue
            row = _stored_copy(record, target, source, data_dir) if look_up else None
            look_up = False
            journal.add(at, row or _keep(record, target, source, url, data_dir, store))
            last_checkpoint = at
    except RecordError:  # our own store or journal: not the remote file's fault
        raise
    except (ValueError, OSError, http.client.HTTPException) as exc:
        raise ScanError(f"{url}: unreadable after byte {remote.position} ({exc})") from None
    finally:
        stream.close()
    if remote.size is not None and remote.position < remote.size:
        raise ScanError(f"{url}: not WARC records from about byte {remote.position} of {remote.size}")
    journal.finish(remote.position)
    return remote.position - start


def _fetched_at(record: object) -> datetime:
    moment = record.headers.get("WARC-Date")  # type: ignore[attr-defined]
    return datetime.fromisoformat(moment.replace("Z", "+00:00")).astimezone(UTC)


def _stored_copy(record: object, target: str, source: Source, data_dir: Path) -> CrawlRow | None:
    """The row of `record`'s copy in the store, when a killed scan stored it but did not journal
    it. Only whole records count: a torn one at the end is cut off by the next append anyway."""
    record_id = record.headers.get("WARC-Record-ID")  # type: ignore[attr-defined]
    fetched_at = _fetched_at(record)
    path = layout.warc_path(data_dir, source.name, fetched_at.date())
    if not record_id or not path.exists():
        return None
    whole = good_length(path)
    with path.open("rb") as handle:
        for stored in ArchiveIterator(handle, record_types=WarcRecordType.response, parse_http=True):
            if stored.stream_pos >= whole:
                break
            if stored.headers.get(VIA_RECORD_ID) == record_id:
                return CrawlRow(source.name, canonical_url(target), runfiles.ARTICLE, None, runfiles.FETCHED,
                                stored.http_headers.status_code, None, fetched_at, str(path), stored.stream_pos)
    return None


def _keep(record: object, target: str, source: Source, via: str, data_dir: Path, store: WarcFiles) -> CrawlRow:
    """Store one matching response (or, when CC-NEWS cut it, only say so) and return its row."""
    headers = record.headers  # type: ignore[attr-defined]
    fetched_at = _fetched_at(record)
    url = canonical_url(target)
    record.parse_http()  # type: ignore[attr-defined]
    http_headers = record.http_headers  # type: ignore[attr-defined]
    status = http_headers.status_code if http_headers is not None else None
    truncated = headers.get("WARC-Truncated")
    if truncated or status is None:
        why = (f"truncated by CC-NEWS (WARC-Truncated: {truncated}): the page is cut at its size cap"
               if truncated else "not an HTTP response")
        return CrawlRow(source.name, url, runfiles.ARTICLE, None, runfiles.FAILED, status, why, fetched_at)
    body = record.reader.read()  # type: ignore[attr-defined]
    path = layout.warc_path(data_dir, source.name, fetched_at.date())
    offset = store.get(path).append_response(
        target, status, list(http_headers.items()), body,
        {"Newsmill-Source": source.name, "Newsmill-Kind": runfiles.ARTICLE,
         "Newsmill-Listed-Date": "", "Newsmill-Canonical-URL": url, "Newsmill-Via": via,
         VIA_RECORD_ID: headers.get("WARC-Record-ID") or ""},
        fetched_at=fetched_at)
    return CrawlRow(source.name, url, runfiles.ARTICLE, None, runfiles.FETCHED, status, None, fetched_at,
                    str(path), offset)


# --- a backfill's stage 1 -----------------------------------------------------------------------

@dataclass(frozen=True)
class CCNewsCrawl:
    """What `write_ccnews_crawl` did: the files chosen, how many it streamed (the others had a
    done-marker) and their compressed bytes, the files it could not read (with why), the months
    without a listing, and rows per source."""

    files: tuple[NewsFile, ...]
    streamed: int
    streamed_bytes: int
    failed: tuple[tuple[NewsFile, str], ...]
    unlisted: tuple[tuple[int, int], ...]
    rows: dict[str, int]


def write_ccnews_crawl(
    run_dir: Path,
    data_dir: Path,
    sources: Sequence[Source],
    first: date,
    last: date,
    *,
    base_url: str,
    lead: timedelta,
    lag: timedelta,
    skip_urls: Iterable[str] = (),
    progress: Callable[[int], None] | None = None,
    say: Callable[[str], None] = lambda line: None,
) -> CCNewsCrawl:
    """Write `run_dir`'s ``crawl.jsonl`` and ``crawl.done.json`` from the CC-NEWS files around
    first..last (scanning those without a done-marker): one row per URL of the sources found,
    the latest fetch; `skipped` for URLs in `skip_urls` (already loaded). A file that cannot be
    read is said and left out (its journal lets the next backfill resume it). Raises `ScanError`
    when a listing cannot be read, `RecordError` when a run file cannot be written."""
    start, end = window(first, last, lead, lag)
    listed: list[NewsFile] = []
    unlisted = []
    for year, month in listing_months(start, end):
        found = fetch_listing(base_url, year, month)
        if found is None:
            unlisted.append((year, month))
            say(f"CC-NEWS has no listing for {year:04d}-{month:02d} at "
                f"{urljoin(base_url, LISTING.format(year=year, month=month))}")
        else:
            listed += found
    chosen = select_files(listed, start, end)
    sources_key = source_set(sources)
    store = WarcFiles()
    rows: list[CrawlRow] = []
    failed: list[tuple[NewsFile, str]] = []
    streamed = streamed_bytes = 0
    try:
        for news_file in chosen:
            journal = Journal(layout.ccnews_journal(data_dir, sources_key, news_file.name))
            try:
                if not journal.done:
                    streamed += 1
                    streamed_bytes += scan_file(urljoin(base_url, news_file.path), journal, sources,
                                                data_dir, store)
            except ScanError as exc:
                failed.append((news_file, str(exc)))
                say(f"CC-NEWS file skipped: {exc}; the next backfill tries it again")
            finally:
                journal.close()
            rows += journal.rows
            if progress:
                progress(len(rows))
    finally:
        store.close()
    counts = _write_rows(run_dir, sources, rows, set(skip_urls))
    return CCNewsCrawl(tuple(chosen), streamed, streamed_bytes, tuple(failed), tuple(unlisted), counts)


def _write_rows(run_dir: Path, sources: Sequence[Source], rows: list[CrawlRow], skip: set[str]) -> dict[str, int]:
    log = CrawlLog(run_dir)
    counts: dict[str, int] = {}
    try:
        for source in sources:
            log.add_source(source.name)
            kept = latest_per_url(r for r in rows if r.source == source.name)
            for row in kept:
                if row.url in skip:
                    log.write(row.source, row.url, row.kind, runfiles.SKIPPED, fetched_at=row.fetched_at)
                    continue
                log.write(row.source, row.url, row.kind, row.outcome, status=row.status, error=row.error,
                          fetched_at=row.fetched_at,
                          warc_file=Path(row.warc_file) if row.warc_file else None,
                          warc_offset=row.warc_offset)
            counts[source.name] = len(kept)
        log.write_done()
    finally:
        log.close()
    return counts
