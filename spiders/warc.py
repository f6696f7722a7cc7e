"""Append-only WARC/1.1 files, one gzip member per record, that survive a crash mid-write.

Each record is built in memory and written with one ``write`` call, then flushed, so a reader of
``crawl.jsonl`` finds every record it is pointed at. A process killed inside that call leaves a torn
gzip member at the end; before the first append to an existing file the tail is checked and such a
member cut off, so the file stays readable by warcio/fastwarc from start to end.
"""

from __future__ import annotations

import io
import zlib
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import BinaryIO

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

_CHUNK = 1 << 20
_DROPPED_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}
"""The stored body is the decoded one: these headers would no longer describe it."""


def good_length(path: Path) -> int:
    """Bytes from the start of `path` made of complete gzip members that each hold a WARC record.

    A member is complete when zlib reaches its end (CRC and size checked); anything after the
    last complete one (half a record, garbage) is not counted.
    """
    good = 0
    with path.open("rb") as f:
        member_start, fed = 0, 0
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


def repair(path: Path) -> int:
    """Cut a torn tail off `path`; return how many bytes were removed."""
    size = path.stat().st_size
    good = good_length(path)
    if good < size:
        with path.open("r+b") as f:
            f.truncate(good)
    return size - good


class WarcFile:
    """One WARC file opened for appending; the tail is repaired before the first record."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._file: BinaryIO | None = None
        self.repaired_bytes = 0

    def _open(self) -> BinaryIO:
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.path.exists():
                self.repaired_bytes = repair(self.path)
            self._file = self.path.open("ab")
        return self._file

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
        f = self._open()
        offset = f.seek(0, io.SEEK_END)
        f.write(buffer.getvalue())
        f.flush()
        return offset

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


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
