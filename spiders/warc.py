"""Append-only WARC/1.1 files, one gzip member per record, that survive a crash mid-write.

Each record is built in memory and written unbuffered, with one ``write`` call as a rule, so a
reader of ``crawl.jsonl`` finds every record it is pointed at. A process killed inside that call
leaves a torn gzip member at the end; before the first append to an existing file the tail is
checked and such a member cut off, so the file stays readable by warcio/fastwarc from start to end.
A write that fails (full disk) is cut off at once and raised as `RecordError` naming the file.

Appends hold an exclusive ``flock`` on the file, so two crawls of the same source and day (an
overlapping backfill) neither interleave records nor cut off each other's record in progress;
when the file grew since our last append, only the new part is checked.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import zlib
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from spiders.crawllog import RecordError, write_all

_CHUNK = 1 << 20
_DROPPED_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}
"""The stored body is the decoded one: these headers would no longer describe it."""


def good_length(path: Path, start: int = 0) -> int:
    """Bytes of `path` made of complete gzip members that each hold a WARC record, counting from
    `start` (a known member boundary).

    A member is complete when zlib reaches its end (CRC and size checked); anything after the
    last complete one (half a record, garbage) is not counted.
    """
    good = start
    with path.open("rb") as f:
        f.seek(start)
        member_start, fed = start, 0
        inflater, head = zlib.decompressobj(16 + zlib.MAX_WBITS), b""
        data = f.read(_CHUNK)
        while data:
            try:
                out = inflater.decompress(data)
            except zlib.error:
                return good
            if len(head) < 5:
                head += out[: 5 - len(head)]
            if not inflater.eof:
                fed += len(data)
                data = f.read(_CHUNK)
                continue
            if not head.startswith(b"WARC/"):
                return good
            member_start += fed + len(data) - len(inflater.unused_data)
            good, fed = member_start, 0
            data = inflater.unused_data or f.read(_CHUNK)
            inflater, head = zlib.decompressobj(16 + zlib.MAX_WBITS), b""
    return good


class WarcFile:
    """One WARC file opened for appending; a torn tail is cut off before our first record."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._fd: int | None = None
        self._end: int | None = None  # file size right after our last append
        self.repaired_bytes = 0

    def _append(self, data: bytes) -> int:
        """Write `data` at the end of the (repaired) file under an exclusive lock; its offset."""
        try:
            if self._fd is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            return self._locked_append(self._fd, data)
        except OSError as exc:
            raise RecordError.of(exc, self.path) from exc

    def _locked_append(self, fd: int, data: bytes) -> int:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            size = os.fstat(fd).st_size
            offset = size
            if size != self._end:  # first append, or another process appended since
                offset = good_length(self.path, self._end or 0)
                if offset < size:
                    os.ftruncate(fd, offset)
                    self.repaired_bytes += size - offset
            try:
                write_all(fd, data)
            except OSError:
                with contextlib.suppress(OSError):  # else the next append cuts it off
                    os.ftruncate(fd, offset)
                raise
            self._end = offset + len(data)
            return offset
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)

    def append_response(
        self,
        url: str,
        status: int,
        headers: list[tuple[str, str]],
        body: bytes,
        extra_headers: dict[str, str],
        fetched_at: datetime | None = None,
        ip_address: str | None = None,
    ) -> int:
        """Write one ``response`` record; return its offset in the file."""
        buffer = io.BytesIO()
        writer = WARCWriter(buffer, gzip=True, warc_version="1.1")
        kept = [(k, v) for k, v in headers if k.lower() not in _DROPPED_HEADERS]
        kept.append(("Content-Length", str(len(body))))
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = "Unknown"
        http_headers = StatusAndHeaders(f"{status} {reason}", kept, protocol="HTTP/1.1")
        moment = (fetched_at or datetime.now(UTC)).astimezone(UTC)
        warc_headers = {"WARC-Date": moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")}
        if ip_address:
            warc_headers["WARC-IP-Address"] = ip_address
        warc_headers.update(extra_headers)
        record = writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            length=len(body),
            http_headers=http_headers,
            warc_headers_dict=warc_headers,
        )
        writer.write_record(record)
        return self._append(buffer.getvalue())

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class WarcFiles:
    """The open WARC files of one crawl, by path, opened on first use."""

    def __init__(self) -> None:
        self._files: dict[Path, WarcFile] = {}

    def get(self, path: Path) -> WarcFile:
        if path not in self._files:
            self._files[path] = WarcFile(path)
        return self._files[path]

    def close(self) -> None:
        for warc in self._files.values():
            warc.close()
        self._files.clear()
