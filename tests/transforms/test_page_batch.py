"""PageBatch: pages extracted as the crawl log grows give extract_run's files, and a page that
kills its worker costs no other page."""

import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
from test_batch import FIXTURES, crawl_row, make_run, write_warc

from newsmill import layout
from newsmill.runfiles import CrawlLogReader, CrawlRow
from transforms.batch import PageBatch, extract_run
from transforms.page import process_page
from transforms.pool import WorkerPool


def _rows(run_dir: Path) -> list[CrawlRow]:
    return CrawlLogReader(run_dir / layout.CRAWL_LOG, strict=True).read()


def _files(run_dir: Path) -> tuple[list[dict], list[dict], list[dict]]:
    """The three files' rows, sorted: rows are written in the order pages finish."""
    articles = pq.read_table(run_dir / layout.ARTICLES).to_pylist()
    removed = pq.read_table(run_dir / layout.REMOVED).to_pylist()
    errors = [json.loads(x) for x in (run_dir / layout.EXTRACT_ERRORS).read_text().splitlines()]
    return (
        sorted(articles, key=lambda a: a["url"]),
        sorted(removed, key=lambda r: (r["url"], r["position"])),
        sorted(errors, key=lambda e: e["url"]),
    )


def test_pages_fed_one_by_one_give_the_same_files_as_extract_run(tmp_path: Path):
    run_dir = make_run(tmp_path)
    extract_run(run_dir, {"coast": "en"}, workers=2)
    expected = _files(run_dir)
    for name in (layout.ARTICLES, layout.REMOVED, layout.EXTRACT_ERRORS):
        (run_dir / name).unlink()

    calls = []
    with PageBatch(run_dir, {"coast": "en"}, workers=2, progress=lambda d, t: calls.append((d, t))) as batch:
        submitted = [batch.feed(row) for row in _rows(run_dir)]
        batch.poll()
        result = batch.finish()

    # ferry, flood, app, ferry-copy, torn: pages; the feed and the failed fetch are not
    assert submitted == [True, True, True, True, False, False, True]
    assert (result.articles, result.errors) == (3, 2)
    assert calls[-1] == (5, 5)
    got = _files(run_dir)
    for row in got[0] + expected[0]:
        row.pop("fetched_at")  # same values; compared below on their own
    assert got == expected
    assert not list(run_dir.glob("*.tmp"))


def test_a_url_fed_twice_keeps_the_last_row_only(tmp_path: Path):
    run_dir = tmp_path / "data" / "runs" / "r"
    run_dir.mkdir(parents=True)
    warc = tmp_path / "w.warc.gz"
    article = (FIXTURES / "article.html").read_bytes()
    offsets = write_warc(warc, {"https://coast.test/a": article, "https://coast.test/b": article})
    first = crawl_row("https://coast.test/x", warc, offsets["https://coast.test/a"])
    again = crawl_row(
        "https://coast.test/x", warc, offsets["https://coast.test/b"],
        fetched_at=datetime(2026, 11, 20, 9, tzinfo=UTC),
    )
    with PageBatch(run_dir, {"coast": "en"}, workers=1) as batch:
        batch.feed(first)
        batch.feed(again)
        result = batch.finish()
    assert (result.articles, result.errors) == (1, 0)
    (only,) = pq.read_table(run_dir / layout.ARTICLES).to_pylist()
    assert only["warc_offset"] == offsets["https://coast.test/b"]


def test_a_page_whose_record_appears_later_is_read_when_fed(tmp_path: Path):
    """The parent feeds rows as the crawl appends them: the WARC has grown by then."""
    run_dir = tmp_path / "data" / "runs" / "r"
    run_dir.mkdir(parents=True)
    warc = tmp_path / "w.warc.gz"
    article = (FIXTURES / "article.html").read_bytes()
    with PageBatch(run_dir, {"coast": "en"}, workers=1) as batch:
        offsets = write_warc(warc, {"https://coast.test/one": article})
        batch.feed(crawl_row("https://coast.test/one", warc, offsets["https://coast.test/one"]))
        with warc.open("ab") as f:
            start = f.tell()
        more = tmp_path / "more.warc.gz"
        offsets2 = write_warc(more, {"https://coast.test/two": article})
        with warc.open("ab") as f:
            f.write(more.read_bytes())
        batch.feed(crawl_row("https://coast.test/two", warc, start + offsets2["https://coast.test/two"]))
        result = batch.finish()
    assert (result.articles, result.errors) == (2, 0)


def test_leaving_without_finish_writes_nothing_and_stops_the_workers(tmp_path: Path):
    run_dir = make_run(tmp_path)
    batch = PageBatch(run_dir, {"coast": "en"}, workers=1)
    with batch:
        batch.feed_rows(_rows(run_dir))
    assert not batch.pool.running
    assert not (run_dir / layout.ARTICLES).exists()
    assert not list(run_dir.glob("*.tmp"))


def test_nothing_fed_still_writes_typed_files(tmp_path: Path):
    run_dir = tmp_path / "runs" / "r"
    run_dir.mkdir(parents=True)
    with PageBatch(run_dir, {}) as batch:
        result = batch.finish()
    assert result.articles == result.removed == result.errors == 0
    assert (run_dir / layout.EXTRACT_ERRORS).read_text() == ""


def test_a_url_fed_again_after_its_row_was_written_keeps_only_the_new_outcome(tmp_path: Path):
    run_dir = tmp_path / "data" / "runs" / "r"
    run_dir.mkdir(parents=True)
    warc = tmp_path / "w.warc.gz"
    pages = {"article": "article.html", "flood": "seed_like.html", "empty": "empty.html"}
    offsets = write_warc(warc, {k: (FIXTURES / v).read_bytes() for k, v in pages.items()})
    x, y = "https://coast.test/x", "https://coast.test/y"
    with PageBatch(run_dir, {"coast": "en"}, workers=1) as batch:
        batch.feed(crawl_row(x, warc, offsets["article"]))
        batch.feed(crawl_row(y, warc, offsets["article"]))
        while batch.poll():
            time.sleep(0.05)  # both rows are written now
        batch.feed(crawl_row(x, warc, offsets["flood"]))  # another page: its row and segments
        batch.feed(crawl_row(y, warc, offsets["empty"]))  # no text now: an error, no row
        result = batch.finish()
    articles = pq.read_table(run_dir / layout.ARTICLES).to_pylist()
    removed = pq.read_table(run_dir / layout.REMOVED).to_pylist()
    assert [(a["url"], a["warc_offset"]) for a in articles] == [(x, offsets["flood"])]
    assert [(r["url"], r["reason"]) for r in removed] == [(x, "foreign_language")] * 2
    assert (result.articles, result.removed) == (1, 2)
    assert [e["url"] for e in _files(run_dir)[2]] == [y]


def crash_on_marked(page):
    """A page whose extraction kills its worker, as a parser crash would; others as usual."""
    if "crash" in page.url:
        os._exit(70)
    return process_page(page)


def test_a_page_that_kills_its_worker_takes_no_other_page_with_it(tmp_path: Path):
    """Crashing twice with pages queued behind it, then alone: only that page is an error."""
    warc = tmp_path / "w.warc.gz"
    offsets = write_warc(warc, {"a": (FIXTURES / "article.html").read_bytes()})
    run_dir = tmp_path / "data" / "runs" / "d1"
    run_dir.mkdir(parents=True)
    urls = ["https://coast.test/crash", *(f"https://coast.test/{n}" for n in range(6))]
    with WorkerPool(1) as pool, PageBatch(run_dir, {"coast": "en"}, pool=pool, work=crash_on_marked) as batch:
        for url in urls:
            batch.feed(crawl_row(url, warc, offsets["a"]))
        result = batch.finish()
    assert (result.articles, result.errors) == (6, 1)
    articles, _removed, errors = _files(run_dir)
    assert [a["url"] for a in articles] == sorted(urls[1:])
    assert errors == [{"source": "coast", "url": urls[0], "error": "worker process died while extracting this page"}]
