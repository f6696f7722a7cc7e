"""newsmill.runfiles: crawl.jsonl rows written and read back, and the reader's two tolerances."""

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from newsmill.runfiles import BadRunFile, CrawlLogReader, CrawlRow

ROW = CrawlRow(
    source="coast", url="https://coast.test/a", kind="article", listed_date=date(2026, 11, 20),
    outcome="fetched", status=200, error=None, fetched_at=datetime(2026, 11, 20, 6, tzinfo=UTC),
    warc_file="/data/warc/coast/2026-11-20.warc.gz", warc_offset=0, listed_title="Ferry",
)


def _line(url: str) -> bytes:
    return CrawlRow(**{**ROW.__dict__, "url": url}).to_json().encode() + b"\n"


def test_a_row_reads_back_as_written():
    assert CrawlRow.from_json(json.loads(ROW.to_json())) == ROW
    assert ROW.to_json().startswith('{"source": "coast", "url": "https://coast.test/a", "kind": "article", '
                                    '"listed_date": "2026-11-20", "outcome": "fetched"')


def test_the_tail_returns_only_whole_new_lines_and_passes_over_torn_ones(tmp_path: Path):
    log = tmp_path / "crawl.jsonl"
    tail = CrawlLogReader(log, strict=False)
    assert tail.read() == []  # not written yet
    with log.open("wb") as f:
        third = _line("c")
        f.write(_line("a") + _line("b") + third[:20])  # the third line is being written
        f.flush()
        assert [r.url for r in tail.read()] == ["a", "b"]
        assert tail.read() == []
        f.write(third[20:] + b'not json\n{"url": "no other field"}\n' + _line("d"))
        f.flush()
        assert [r.url for r in tail.read()] == ["c", "d"]


@pytest.mark.parametrize(("content", "whole"), [
    (_line("a") + b"not json\n" + _line("b"), ["a", "b"]),  # a line torn in the middle of the file
    (_line("a") + _line("b")[:30], ["a"]),  # the last line has no newline
    (_line("a") + b'{"source": "coast", "url": "b"}\n', ["a"]),  # fields missing
])
def test_the_strict_reader_refuses_a_damaged_log(tmp_path: Path, content: bytes, whole: list[str]):
    log = tmp_path / "crawl.jsonl"
    log.write_bytes(content)
    assert [r.url for r in CrawlLogReader(log, strict=False).read()] == whole
    with pytest.raises(BadRunFile, match="crawl.jsonl"):
        CrawlLogReader(log, strict=True).read()
