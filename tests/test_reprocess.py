"""`newsmill reprocess`: the real CLI re-extracts the WARC a real crawl of the demo sites stored.

The demo sites serve only while the module's crawl runs; every reprocess here runs with them
stopped, so a request it made would fail and show in its crawl log. Each test starts from the
warehouse and WARC store that crawl left (restored in place, so the WARC paths stay the same).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from bench.cli_harness import NEWSMILL
from newsmill import layout, reprocess
from newsmill.config import load_config
from newsmill.demo import serve_demo, write_demo_config
from newsmill.runfiles import ARTICLE, FETCHED, CrawlLogReader
from newsmill.warehouse import connect
from spiders.stored import write_stored_crawl
from spiders.warc import WarcFile

FIRST, LAST = date(2026, 11, 19), date(2026, 11, 20)
SOURCES = ("gazette", "rundschau", "marcador")


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A folder with `sources.toml` and `data/` after a real backfill of FIRST..LAST; a copy of
    `data/` in `pristine/`. The sites are stopped before the tests run."""
    work = tmp_path_factory.mktemp("reprocess")
    with serve_demo([0, 0, 0]) as servers:
        config = write_demo_config(work / "sources.toml", servers, data_dir=work / "data")
        done = newsmill(config, "backfill", "--from", FIRST.isoformat(), "--to", LAST.isoformat(), "-q")
        assert done.returncode == 0, done.stderr
    shutil.copytree(work / "data", work / "pristine")
    yield work


@pytest.fixture
def work(crawled: Path) -> Path:
    """The crawl's data as it left it (earlier tests' changes undone)."""
    shutil.rmtree(crawled / "data")
    shutil.copytree(crawled / "pristine", crawled / "data")
    return crawled


def newsmill(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([NEWSMILL, "--config", str(config), *args], capture_output=True, text=True,
                          timeout=300)


def reprocess_cli(work: Path, first: date = FIRST, last: date = LAST, *args: str) -> subprocess.CompletedProcess[str]:
    return newsmill(work / "sources.toml", "reprocess", "--from", first.isoformat(), "--to",
                    last.isoformat(), "-q", *args)


def snapshot(work: Path) -> dict[str, list[tuple]]:
    """Every column of `articles`, and of `removed_segments` but when the segments were loaded."""
    with connect(work / "data" / "news.duckdb", read_only=True) as con:
        return {
            "articles": con.execute("SELECT * FROM articles ORDER BY url").fetchall(),
            "removed": con.execute("SELECT * EXCLUDE (loaded_at) FROM removed_segments ORDER BY ALL").fetchall(),
        }


def last_runs(work: Path) -> list[tuple]:
    """(source, pages_fetched, articles_loaded, inserted, updated, failures) of the latest attempt."""
    with connect(work / "data" / "news.duckdb", read_only=True) as con:
        return con.execute(
            "SELECT source, pages_fetched, articles_loaded, articles_inserted, articles_updated, failures "
            "FROM runs WHERE started_at = (SELECT max(started_at) FROM runs) ORDER BY source"
        ).fetchall()


def reprocess_log(work: Path) -> list[tuple]:
    """(outcome, kind, error) of the crawl_log rows of reprocess attempts."""
    with connect(work / "data" / "news.duckdb", read_only=True) as con:
        return con.execute("SELECT outcome, kind, error FROM crawl_log WHERE run_id LIKE 'reprocess_%'"
                           ).fetchall()


def test_stored_rows_are_the_crawls_rows_of_its_fetched_articles(work: Path, tmp_path: Path) -> None:
    crawl_rows = []
    for day in (FIRST, LAST):
        log = layout.run_dir(work / "data", layout.run_id(day, day, None)) / layout.CRAWL_LOG
        crawl_rows += [r for r in CrawlLogReader(log, strict=True).read() if r.is_fetched_article]
    assert len(crawl_rows) >= 15
    found = write_stored_crawl(tmp_path, work / "data", SOURCES, FIRST, LAST)
    stored = CrawlLogReader(tmp_path / layout.CRAWL_LOG, strict=True).read()

    def key(row):
        return (row.source, row.url, row.listed_date, row.status, row.fetched_at, row.warc_file,
                row.warc_offset, row.kind, row.outcome)

    assert sorted(map(key, stored)) == sorted(map(key, crawl_rows))
    assert found.articles == {s: sum(r.source == s for r in crawl_rows) for s in SOURCES}
    assert found.missing == () and found.damaged == ()
    assert (tmp_path / layout.CRAWL_DONE).exists()


def test_reprocess_with_unchanged_code_changes_no_row_and_requests_nothing(work: Path) -> None:
    before = snapshot(work)
    done = reprocess_cli(work)
    assert done.returncode == 0, done.stderr
    assert snapshot(work) == before  # loaded_at, run_id, attempt_id and WARC pointers included
    runs = last_runs(work)
    assert [r[0] for r in runs] == sorted(SOURCES)
    assert all(inserted == 0 and updated == 0 and failures == 0 and fetched == loaded > 0
               for _, fetched, loaded, inserted, updated, failures in runs), runs
    assert sum(r[2] for r in runs) == len(before["articles"])
    log = reprocess_log(work)
    assert log and {(outcome, kind) for outcome, kind, _ in log} == {(FETCHED, ARTICLE)}
    run_dir = layout.run_dir(work / "data", reprocess.RUN_PREFIX + layout.run_id(FIRST, LAST, None))
    assert not (run_dir / "crawl.stderr.log").exists()  # no crawl process started

    again = reprocess_cli(work)
    assert again.returncode == 0, again.stderr
    assert snapshot(work) == before  # nothing inserted twice


def test_reprocess_restores_rows_a_different_cleaning_left(work: Path) -> None:
    original = snapshot(work)
    with connect(work / "data" / "news.duckdb") as con:
        changed, gone = con.execute(
            "SELECT list(url ORDER BY url)[1:2], list(url ORDER BY url)[3] FROM articles").fetchone()
        con.execute("UPDATE articles SET text = 'old cleaning', word_count = 2, content_hash = 'x', "
                    "title = 'old title' WHERE url IN (SELECT unnest(?))", [changed])
        con.execute("DELETE FROM removed_segments WHERE url IN (SELECT unnest(?))", [changed])
        con.execute("DELETE FROM removed_segments WHERE url = ?", [gone])
        con.execute("DELETE FROM articles WHERE url = ?", [gone])
    done = reprocess_cli(work)
    assert done.returncode == 0, done.stderr
    columns = slice(0, 19)  # the article's own columns, not run_id, loaded_at, attempt_id
    after = snapshot(work)
    assert [row[columns] for row in after["articles"]] == [row[columns] for row in original["articles"]]
    assert after["removed"] == original["removed"]
    restored = {row[0] for row in after["articles"] if row[-3].startswith(reprocess.RUN_PREFIX)}
    assert restored == {*changed, gone}
    assert [row for row in after["articles"] if row[0] not in restored] == \
        [row for row in original["articles"] if row[0] not in restored]  # untouched, loaded_at too
    runs = last_runs(work)
    assert (sum(r[3] for r in runs), sum(r[4] for r in runs)) == (1, 2)


def _append_newer(work: Path, url: str, body: bytes) -> int:
    """Store a later fetch of `url` in its day's WARC file, as a crawl would; its offset."""
    with connect(work / "data" / "news.duckdb", read_only=True) as con:
        source, listed = con.execute("SELECT source, listed_date FROM articles WHERE url = ?", [url]).fetchone()
    warc = WarcFile(layout.warc_path(work / "data", source, listed))
    try:
        return warc.append_response(
            url, 200, [("Content-Type", "text/html; charset=utf-8")], body,
            {"Newsmill-Source": source, "Newsmill-Kind": ARTICLE,
             "Newsmill-Listed-Date": listed.isoformat(), "Newsmill-Canonical-URL": url},
            fetched_at=datetime.now(UTC))
    finally:
        warc.close()


def _page(work: Path, url: str) -> bytes:
    """The stored body of `url`'s page (the response the crawl loaded it from)."""
    with connect(work / "data" / "news.duckdb", read_only=True) as con:
        path, offset = con.execute("SELECT warc_file, warc_offset FROM articles WHERE url = ?", [url]).fetchone()
    with open(path, "rb") as stream:
        stream.seek(offset)
        return next(iter(ArchiveIterator(stream))).content_stream().read()


def test_a_newer_stored_record_updates_only_its_article(work: Path) -> None:
    before = snapshot(work)
    url, text = next((row[0], row[11]) for row in before["articles"] if row[1] == "gazette")
    last_paragraph = text.split("\n\n")[-1]
    page = _page(work, url)
    assert last_paragraph.encode() in page
    offset = _append_newer(work, url, page.replace(last_paragraph.encode(), b"A correction was added."))
    done = reprocess_cli(work)
    assert done.returncode == 0, done.stderr
    after = {row[0]: row for row in snapshot(work)["articles"]}
    updated = after.pop(url)
    assert (updated[11], updated[18]) == (text.replace(last_paragraph, "A correction was added."), offset)
    assert after == {row[0]: row for row in before["articles"] if row[0] != url}
    runs = last_runs(work)
    assert (sum(r[3] for r in runs), sum(r[4] for r in runs)) == (0, 1)


def test_a_page_that_now_yields_no_text_keeps_its_row(work: Path) -> None:
    before = snapshot(work)
    url = before["articles"][0][0]
    _append_newer(work, url, b"<html><head><title>gone</title></head><body></body></html>")
    done = reprocess_cli(work)
    assert done.returncode == 0, done.stderr
    assert snapshot(work) == before
    assert [(o, e is not None) for o, _, e in reprocess_log(work) if o != FETCHED] == [("extract_failed", True)]
    assert sum(r[5] for r in last_runs(work)) == 1


def test_a_day_without_warc_is_named_and_the_source_filter_holds(work: Path) -> None:
    before = snapshot(work)
    later = date(2026, 11, 21)
    done = reprocess_cli(work, LAST, later, "--source", "gazette")
    assert done.returncode == 0, done.stderr
    missing = layout.warc_path(work / "data", "gazette", later)
    assert f"{missing} does not exist" in done.stderr and "Traceback" not in done.stderr
    assert "rundschau" not in done.stderr
    runs = last_runs(work)
    assert [r[0] for r in runs] == ["gazette"]
    expected = sum(1 for row in before["articles"] if row[1] == "gazette" and row[3] == LAST)
    assert runs[0][2] == expected > 0
    assert snapshot(work) == before

    nothing = reprocess_cli(work, later, later)
    assert nothing.returncode == 1, nothing.stderr
    assert all(f"{layout.warc_path(work / 'data', s, later)} does not exist" in nothing.stderr for s in SOURCES)
    assert snapshot(work) == before


def test_bad_input_is_one_line(work: Path) -> None:
    backwards = reprocess_cli(work, LAST, FIRST)
    assert backwards.returncode == 2 and f"--from {LAST} is after --to {FIRST}" in backwards.stderr
    unknown = reprocess_cli(work, FIRST, LAST, "--source", "nope")
    assert unknown.returncode == 2 and "unknown source 'nope'" in unknown.stderr
    assert "Traceback" not in backwards.stderr + unknown.stderr


def test_an_interrupted_reprocess_then_a_rerun_equals_an_uninterrupted_one(work: Path) -> None:
    original = snapshot(work)
    with connect(work / "data" / "news.duckdb") as con:
        con.execute("UPDATE articles SET text = 'old', content_hash = 'x'")
    stale = snapshot(work)
    config = load_config(work / "sources.toml")
    run_dir = layout.run_dir(config.settings.data_dir,
                             reprocess.run_id(config, config.sources, FIRST, LAST))
    child = subprocess.Popen([NEWSMILL, "--config", str(work / "sources.toml"), "reprocess", "--from",
                              FIRST.isoformat(), "--to", LAST.isoformat(), "-q"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (run_dir / layout.CRAWL_DONE).exists() and child.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    os.kill(child.pid, signal.SIGTERM)  # the extraction is starting
    _, err = child.communicate(timeout=60)
    assert child.returncode == 143, err
    assert snapshot(work) == stale  # nothing loaded

    done = reprocess_cli(work)
    assert done.returncode == 0, done.stderr
    columns = slice(0, 19)
    assert [r[columns] for r in snapshot(work)["articles"]] == [r[columns] for r in original["articles"]]
    assert snapshot(work)["removed"] == original["removed"]
