"""`newsmill backfill --via ccnews` against the faithful local CC-NEWS archive (`bench.ccnews_archive`)
served on 127.0.0.1: real HTTP with Range, 503s and cut connections, real WARC files, the real
extraction and load.

The standard archive (`standard_files`) has files every 8 hours from 2026-10-29 to 2026-11-03, one
crossing into November, serials restarting; the backfill asks for 2026-10-31..2026-11-01.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import urllib.request
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bench.ccnews_archive import (
    LOOKALIKE,
    OTHER_SITE,
    SITE,
    Faults,
    NewsFile,
    Page,
    corrupt,
    serve_archive,
    standard_files,
    write_archive,
)
from bench.cli_harness import NEWSMILL
from newsmill import ccnews, layout
from newsmill.config import Source, load_config
from newsmill.demo import serve_demo, write_demo_config
from newsmill.runfiles import CrawlLogReader
from newsmill.warehouse import connect
from spiders import ccnews as scan

FIRST, LAST = date(2026, 10, 31), date(2026, 11, 1)
GAZETTE = Source("gazette", (SITE,), "en", feeds=(f"https://{SITE}/rss.xml",))


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[NewsFile], list]:
    root = tmp_path_factory.mktemp("ccnews-archive")
    files, expected = standard_files(FIRST)
    write_archive(root, files)
    return root, files, expected


def config_file(folder: Path, base_url: str) -> Path:
    path = folder / "sources.toml"
    path.write_text(f"""
[settings]
data_dir = "{folder / 'data'}"
ccnews_base_url = "{base_url}"

[[sources]]
name = "gazette"
domains = ["{SITE}"]
language = "en"
feeds = ["https://{SITE}/rss.xml"]
""")
    return path


def articles(folder: Path) -> dict[str, tuple]:
    """url → (pub_date, date_source, title, authors, text) of the warehouse's articles."""
    with connect(folder / "data" / "news.duckdb", read_only=True) as con:
        rows = con.execute("SELECT url, pub_date, date_source, title, authors, text FROM articles").fetchall()
    return {url: rest for url, *rest in rows}


def full_rows(folder: Path) -> list[tuple]:
    with connect(folder / "data" / "news.duckdb", read_only=True) as con:
        return con.execute("SELECT * FROM articles ORDER BY url").fetchall()


def at(month: int, day: int, hour: int) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def test_files_are_chosen_by_span_across_the_month_boundary(archive) -> None:
    root, _, _ = archive
    with serve_archive(root) as server:
        october = scan.fetch_listing(server.base_url, 2026, 10)
        november = scan.fetch_listing(server.base_url, 2026, 11)
        assert scan.fetch_listing(server.base_url, 2026, 9) is None
    assert october and november
    assert [f.begun for f in november] != sorted(f.begun for f in november)  # serials restarted
    listed = october + november
    # no margins: the files whose span meets the two days: from the one begun 10-30 19:xx (it runs
    # to 10-31 03:00) to the one begun 11-01 19:xx; the one begun 10-31 19:xx crosses the month
    start, end = scan.window(FIRST, LAST, timedelta(0), timedelta(0))
    chosen = scan.select_files(listed, start, end)
    assert [f.begun.replace(minute=0) for f in chosen] == [
        at(10, 30, 19), at(10, 31, 3), at(10, 31, 11), at(10, 31, 19), at(11, 1, 3), at(11, 1, 11),
        at(11, 1, 19)]
    # the lead adds the files that reach past 10-30 10:00, the lag those begun before 11-04
    wide = scan.select_files(listed, *scan.window(FIRST, LAST, timedelta(hours=14), timedelta(hours=48)))
    assert [f.begun.replace(minute=0) for f in wide] == [at(10, 30, 3), at(10, 30, 11)] + [
        f.begun.replace(minute=0) for f in chosen] + [at(11, d, h) for d in (2, 3) for h in (3, 11, 19)]
    assert scan.listing_months(start, end) == [(2026, 10), (2026, 11)]
    # the last listed file runs for ROTATION at most
    assert scan.select_files(listed, at(11, 4, 20), at(11, 5, 0)) == []
    assert scan.select_files(listed, at(11, 4, 12), at(11, 5, 0))[0].begun.replace(minute=0) == at(11, 3, 19)


def test_hosts_match_exactly_with_subdomains() -> None:
    assert scan.owner(f"https://{SITE}/a", [GAZETTE]) is GAZETTE
    assert scan.owner(f"https://news.{SITE}/a", [GAZETTE]) is GAZETTE
    assert scan.owner(f"https://{LOOKALIKE}/a", [GAZETTE]) is None
    assert scan.owner(f"https://go.example/r?u=https%3A%2F%2F{SITE}%2Fa", [GAZETTE]) is None
    assert scan.owner(f"https://go.example/r?u=https://{SITE}/a", [GAZETTE]) is None
    assert scan.owner(f"https://{OTHER_SITE}/a", [GAZETTE]) is None
    # the look-up by host suffix rules out what the exact rule would, and nothing more
    courier = Source("courier", (OTHER_SITE, "wire.example:8443"), "en", feeds=(f"https://{OTHER_SITE}/rss",))
    owners = scan.Owners([GAZETTE, courier])
    for url in (f"https://{SITE}/a", f"https://news.{SITE}./a", f"https://{LOOKALIKE}/a", f"https://x{SITE}/a",
                f"https://go.example/r?u=https://{SITE}/a", f"https://WWW.{OTHER_SITE.upper()}/n",
                "https://wire.example:8443/x", "https://wire.example/x", f"ftp://{SITE}/a", "https://[::1/a",
                f"https://user@{SITE}:443/a", "not a url"):
        assert owners(url) is scan.owner(url, [GAZETTE, courier]), url


def stage1(root: Path, data: Path, run: Path, faults: Faults | None = None):
    with serve_archive(root, faults) as server:
        done = scan.write_ccnews_crawl(run, data, [GAZETTE], FIRST, LAST, base_url=server.base_url,
                                       lead=timedelta(hours=14), lag=timedelta(hours=48))
    return done, server, CrawlLogReader(run / layout.CRAWL_LOG, strict=True).read()


def stored_records(data: Path) -> int:
    from fastwarc.warc import ArchiveIterator, WarcRecordType
    count = 0
    for path in (data / "warc" / "gazette").glob("*.warc.gz"):
        with path.open("rb") as handle:
            count += sum(1 for _ in ArchiveIterator(handle, record_types=WarcRecordType.response))
    return count


def test_503_retried_and_a_cut_resumed_without_duplicates(archive, tmp_path: Path) -> None:
    root, files, _ = archive
    plain, _, plain_rows = stage1(root, tmp_path / "plain", tmp_path / "run-plain")
    chosen = list(plain.files)
    faults = Faults(slow_down={chosen[0].path: 2, chosen[3].path: 1},
                    cut={chosen[1].path: 2500, chosen[4].path: 9000})
    hurt, server, rows = stage1(root, tmp_path / "hurt", tmp_path / "run-hurt", faults)
    assert hurt.failed == ()
    ranged = [(path, first) for path, first, status in server.requests if status == 206]
    assert ranged == [(chosen[1].path, 2500), (chosen[4].path, 9000)]
    assert sum(status == 503 for _, _, status in server.requests) == 3
    def key(r):  # offsets differ by a few bytes: each stored record gets a new random WARC-Record-ID
        return (r.url, r.outcome, r.status, r.fetched_at, Path(r.warc_file).name if r.warc_file else None)

    assert sorted(map(key, rows)) == sorted(map(key, plain_rows))
    fetched = sum(r.outcome == "fetched" for r in rows)
    assert stored_records(tmp_path / "hurt") == fetched == stored_records(tmp_path / "plain")
    assert len({r.url for r in rows}) == len(rows)


def test_a_corrupt_file_is_said_while_the_others_finish(archive, tmp_path: Path) -> None:
    root, _, _ = archive
    copy = tmp_path / "archive"
    shutil.copytree(root, copy)
    plain, _, plain_rows = stage1(root, tmp_path / "plain", tmp_path / "run-plain")
    bad = plain.files[2]
    corrupt(copy / bad.path, at=3000)
    hurt, _, rows = stage1(copy, tmp_path / "hurt", tmp_path / "run-hurt")
    assert [f for f, _ in hurt.failed] == [bad]
    assert "unreadable" in hurt.failed[0][1]
    assert hurt.streamed == len(plain.files)
    assert {r.url for r in plain_rows} - {r.url for r in rows}  # the bad file's pages after the damage
    # the next backfill streams that file only, from its last good record on
    again, server, _ = stage1(copy, tmp_path / "hurt", tmp_path / "run-again")
    assert again.streamed == 1 and server.streamed() == [bad.path]


def backfill(folder: Path, base_url: str, first: date = FIRST, last: date = LAST, **kwargs):
    return ccnews.backfill(load_config(config_file(folder, base_url)), first, last, progress=False,
                           workers=2, say=lambda line: None, **kwargs)


def test_backfill_dates_hosts_truncation_and_a_second_run(archive, tmp_path: Path) -> None:
    root, _, expected = archive
    connected: list[object] = []

    def audit(event: str, args: tuple) -> None:
        if event == "socket.connect" and recording:
            connected.append(args[1])

    recording = True
    sys.addaudithook(audit)
    try:
        with serve_archive(root) as server:
            first = backfill(tmp_path, server.base_url)
            streamed = len(server.streamed())
            before = full_rows(tmp_path)
            second = backfill(tmp_path, server.base_url)
            assert len(server.streamed()) == streamed  # nothing streamed again
    finally:
        recording = False
    assert {address[0] for address in connected if isinstance(address, tuple)} <= {"127.0.0.1"}
    assert first.scan.streamed == len(first.scan.files) and second.scan.streamed == 0
    assert full_rows(tmp_path) == before
    assert second.load.inserted == second.load.updated == 0
    loaded = articles(tmp_path)
    assert all(SITE in url.split("/")[2] and url.split("/")[2].endswith(SITE)
               and LOOKALIKE not in url for url in loaded)
    in_range = {e.url: e for e in expected if not e.truncated
                and FIRST <= (e.published or e.fetched_at.date()) <= LAST}
    assert set(loaded) == set(in_range)
    for url, e in in_range.items():
        pub_date, date_source = loaded[url][:2]
        assert (pub_date, date_source) == ((e.published, "page") if e.published
                                           else (e.fetched_at.date(), "fetched")), url
    # the page published on 10-31 but fetched 11-02 (in the lag) is loaded
    assert any(e.published and e.fetched_at.date() > LAST for e in in_range.values())
    with connect(tmp_path / "data" / "news.duckdb", read_only=True) as con:
        log = con.execute("SELECT url, outcome, error FROM crawl_log WHERE attempt_id = ?",
                          [first.load.attempt_id]).fetchall()
    outcomes = {url: (outcome, error) for url, outcome, error in log}
    truncated = [e.url for e in expected if e.truncated]
    assert all(outcomes[url][0] == "failed" and "WARC-Truncated" in outcomes[url][1] for url in truncated)
    outside = [url for url, (outcome, error) in outcomes.items()
               if outcome == "skipped" and error and "outside 2026-10-31..2026-11-01" in error]
    assert outside and not set(outside) & set(loaded)
    assert first.out_of_range == len(outside)


KILLED_AFTER_STORING = """
import os, signal, sys
from spiders import ccnews
from newsmill.cli import entry
journal_add, matches, kill_at = ccnews.Journal.add, 0, int(sys.argv.pop(1))
def add(journal, at, row):  # the match is in the store: SIGKILL before its journal line
    global matches
    matches += 1
    if matches == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)
    journal_add(journal, at, row)
ccnews.Journal.add = add
entry()
"""
"""A backfill SIGKILLed at the one dangerous moment: its Nth match appended to the WARC store and
not journaled yet (the real CLI, with `Journal.add` wrapped to kill the process first)."""


@pytest.fixture(scope="module")
def uninterrupted(archive, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root, _, _ = archive
    whole = tmp_path_factory.mktemp("whole")
    with serve_archive(root) as server:
        backfill(whole, server.base_url)
    return whole


def journaled_fetches(data: Path) -> int:
    lines = [line for path in (data / "ccnews").rglob("*.jsonl") for line in path.read_text().splitlines()]
    return sum('"outcome": "fetched"' in line for line in lines)


def stored_via_ids(data: Path) -> list[str]:
    from fastwarc.warc import ArchiveIterator, WarcRecordType
    ids = []
    for path in (data / "warc" / "gazette").glob("*.warc.gz"):
        with path.open("rb") as handle:
            ids += [r.headers.get(scan.VIA_RECORD_ID)
                    for r in ArchiveIterator(handle, record_types=WarcRecordType.response)]
    return ids


# the 7th match is the first of a file (its journal still empty), the 8th one within a file
@pytest.mark.parametrize("kill_at", [7, 8])
def test_killed_backfill_then_rerun_equals_an_uninterrupted_one(archive, uninterrupted: Path, tmp_path: Path,
                                                               kill_at: int) -> None:
    root, _, _ = archive
    command = ["--config", None, "backfill", "--via", "ccnews", "--from", FIRST.isoformat(),
               "--to", LAST.isoformat(), "-q"]
    with serve_archive(root) as server:
        command[1] = str(config_file(tmp_path, server.base_url))
        killed = subprocess.run([sys.executable, "-c", KILLED_AFTER_STORING, str(kill_at), *command],
                                capture_output=True, text=True, timeout=300)
        assert killed.returncode == -signal.SIGKILL, killed.stderr
        data = tmp_path / "data"
        assert stored_records(data) == journaled_fetches(data) + 1  # stored, not journaled
        assert not (data / "news.duckdb").exists() or not articles(tmp_path)
        done = subprocess.run([NEWSMILL, *command], capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        streamed = server.streamed()
    # files the killed run finished are not streamed again; the one it was in, from its journal
    assert len(streamed) - len(set(streamed)) == 1
    assert articles(tmp_path) == articles(uninterrupted)
    assert stored_records(data) == stored_records(uninterrupted / "data") == journaled_fetches(data)
    ids = stored_via_ids(data)
    assert len(set(ids)) == len(ids) and all(ids)


def test_demo_pages_from_ccnews_equal_a_live_crawl(tmp_path: Path) -> None:
    day = date(2026, 11, 19)
    live, archived = tmp_path / "live", tmp_path / "archived"
    live.mkdir()
    archived.mkdir()
    root = tmp_path / "archive"
    with serve_demo([0, 0, 0]) as servers:
        config = write_demo_config(live / "sources.toml", servers, data_dir=live / "data")
        done = subprocess.run([NEWSMILL, "--config", str(config), "run", "--date", day.isoformat(), "-q"],
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        log = layout.run_dir(live / "data", layout.run_id(day, day, None)) / layout.CRAWL_LOG
        urls = [r.url for r in CrawlLogReader(log, strict=True).read() if r.is_fetched_article]
        noon = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
        pages = [Page(url, urllib.request.urlopen(url, timeout=10).read(), noon + timedelta(minutes=n))
                 for n, url in enumerate(urls)]
        text = config.read_text()
    assert len(pages) >= 5
    write_archive(root, [NewsFile(noon - timedelta(hours=3), 0, pages)])
    with serve_archive(root) as server:
        config = archived / "sources.toml"
        config.write_text(text.replace("[settings]", f'[settings]\nccnews_base_url = "{server.base_url}"')
                          .replace(str(live / "data"), str(archived / "data")))
        done = subprocess.run([NEWSMILL, "--config", str(config), "backfill", "--via", "ccnews",
                               "--from", day.isoformat(), "--to", day.isoformat(), "-q"],
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
    want = {url: (pub, title, authors, body) for url, (pub, _, title, authors, body) in articles(live).items()}
    got = {url: (pub, title, authors, body) for url, (pub, _, title, authors, body) in articles(archived).items()}
    assert got == want and len(got) >= 5
