from __future__ import annotations

import gzip
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from spiders.warc import WarcFile, good_length

EXTRA = {
    "Newsmill-Source": "site",
    "Newsmill-Kind": "article",
    "Newsmill-Listed-Date": "2026-11-20",
    "Newsmill-Canonical-URL": "http://example.test/a",
}


def _append(path: Path, n: int, start: int = 0) -> list[int]:
    warc = WarcFile(path)
    offsets = [
        warc.append_response(
            f"http://example.test/{i}",
            200,
            [("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
            f"<html><body><p>page {i}</p></body></html>".encode() * 50,
            EXTRA,
        )
        for i in range(start, start + n)
    ]
    warc.close()
    return offsets


def _records(path: Path) -> list[tuple[int, str, bytes]]:
    out = []
    with path.open("rb") as f:
        iterator = ArchiveIterator(f, check_digests="raise")
        for record in iterator:
            body = record.content_stream().read()
            out.append((iterator.get_record_offset(), record.rec_headers["WARC-Target-URI"], body))
    return out


def test_records_are_readable_at_their_offsets(tmp_path: Path) -> None:
    path = tmp_path / "warc" / "site" / "2026-11-20.warc.gz"
    offsets = _append(path, 3)
    records = _records(path)
    assert [r[0] for r in records] == offsets
    assert records[2][2].startswith(b"<html><body><p>page 2")
    with path.open("rb") as f:
        f.seek(offsets[1])
        record = next(iter(ArchiveIterator(f)))
        assert record.rec_headers["WARC-Type"] == "response"
        assert record.rec_headers["WARC-Target-URI"] == "http://example.test/1"
        assert record.rec_headers["Newsmill-Listed-Date"] == "2026-11-20"
        assert record.rec_headers["Newsmill-Kind"] == "article"
        assert record.rec_headers.protocol == "WARC/1.1"
        # the stored body is decoded: no Content-Encoding, a Content-Length that fits
        assert record.http_headers.get_header("Content-Encoding") is None
        body = record.content_stream().read()
        assert record.http_headers.get_header("Content-Length") == str(len(body))


def test_torn_tail_is_cut_before_appending(tmp_path: Path) -> None:
    path = tmp_path / "a.warc.gz"
    first = _append(path, 2)
    intact = path.stat().st_size
    whole = path.read_bytes()
    with path.open("ab") as f:  # a crash in the middle of writing a third record
        f.write(whole[first[1] : first[1] + (intact - first[1]) // 2])
    assert good_length(path) == intact
    later = _append(path, 2, start=2)
    assert later[0] == intact
    assert [r[1] for r in _records(path)] == [f"http://example.test/{i}" for i in range(4)]


def test_garbage_tail_and_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "b.warc.gz"
    _append(path, 1)
    size = path.stat().st_size
    garbage = b"\x1f\x8bnot really gzip at all"
    with path.open("ab") as f:
        f.write(garbage)
    warc = WarcFile(path)
    assert warc.append_response("http://example.test/x", 200, [], b"x", EXTRA) == size
    warc.close()
    assert warc.repaired_bytes == len(garbage)
    assert len(_records(path)) == 2
    empty = tmp_path / "c.warc.gz"
    empty.write_bytes(b"")
    assert _append(empty, 1) == [0]


def test_two_writers_on_one_file_and_a_crash_between_appends(tmp_path: Path) -> None:
    """An overlapping crawl of the same source and day: records never interleave, and a torn
    record left by the other writer is cut off (only the part written since is re-checked)."""
    path = tmp_path / "e.warc.gz"
    a, b = WarcFile(path), WarcFile(path)
    offsets = [a.append_response("http://example.test/a1", 200, [], b"a1", EXTRA)]
    offsets.append(b.append_response("http://example.test/b1", 200, [], b"b1", EXTRA))
    torn = path.read_bytes()[offsets[1] :][:20]
    with path.open("ab") as f:  # the other writer dies mid-record
        f.write(torn)
    offsets.append(a.append_response("http://example.test/a2", 200, [], b"a2", EXTRA))
    a.close()
    b.close()
    assert a.repaired_bytes == len(torn)
    assert [(o, u) for o, u, _ in _records(path)] == list(
        zip(offsets, ["http://example.test/a1", "http://example.test/b1", "http://example.test/a2"], strict=True)
    )


def test_complete_gzip_member_that_is_not_warc_is_cut(tmp_path: Path) -> None:
    path = tmp_path / "d.warc.gz"
    _append(path, 1)
    size = path.stat().st_size
    with path.open("ab") as f:
        f.write(gzip.compress(b"hello"))
    assert good_length(path) == size
