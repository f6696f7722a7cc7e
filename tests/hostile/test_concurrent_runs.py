"""Two `newsmill run` of the same day and sources at once: the second waits for the first (the run
directory's lock) and then finds every article loaded, so each article is fetched once and the
warehouse ends as after the two runs one after the other. A lock held by a run that was SIGKILLed
never blocks the next run."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import finish

from bench.cli_harness import command, kill_session, lines, run_dir, start, wait_for
from bench.hostile_site import Hits, snapshot, steady_config, steady_routes
from newsmill.demo.server import SiteServer

ARTICLES = 24


@pytest.fixture(scope="module")
def site() -> Iterator[tuple[SiteServer, Hits]]:
    """A day of 24 articles, each answered after 0.3 s, with the requests per path counted."""
    hits = Hits()
    with SiteServer() as server:
        server.set_routes(hits.counted(steady_routes(server.url, n=ARTICLES, delay=0.3)))
        yield server, hits


def _sequential(server: SiteServer, work: Path, times: int) -> dict:
    """The rows after `times` runs of the day, one after the other."""
    work.mkdir()
    config = steady_config(work / "sources.toml", server, work / "data")
    for _ in range(times):
        assert subprocess.run(command(config), capture_output=True, timeout=120).returncode == 0
    return snapshot(work / "data" / "news.duckdb")


def _article_hits(hits: Hits) -> dict[str, int]:
    return {path: n for path, n in hits.counts.items() if path.startswith("/s/")}


def _summary_row(stderr: str) -> list[str]:
    """The cells of the one run's row in the summary table: run, fetched, articles, removed, failed,
    skipped, ... (the run id may be cut short to fit the width)."""
    (row,) = [line for line in stderr.splitlines() if line.startswith("│")]
    return [cell.strip() for cell in row.strip("│ ").split("│")]


def test_a_second_run_waits_and_each_article_is_fetched_once(site, tmp_path: Path) -> None:
    server, hits = site
    reference = _sequential(server, tmp_path / "reference", times=2)
    hits.counts.clear()
    data = tmp_path / "data"
    config = steady_config(tmp_path / "sources.toml", server, data)
    first = start(command(config))
    second = None
    try:
        wait_for(lambda: lines(run_dir(data) / "crawl.jsonl") >= 3, "the first run's crawl", first)
        second = start(command(config))
        first_code, first_err = finish(first)
        second_code, second_err = finish(second)
    finally:
        kill_session(first.pid)
        if second is not None:
            kill_session(second.pid)
    assert first_code == 0, first_err
    assert second_code == 0, second_err
    assert f"is in use by PID {first.pid}" in second_err and "waiting up to" in second_err
    assert _article_hits(hits) == {f"/s/story-{i:02d}": 1 for i in range(ARTICLES)}
    assert _summary_row(first_err)[1:3] == [str(ARTICLES + 1), str(ARTICLES)]  # fetched (and the feed), loaded
    assert _summary_row(second_err)[5] == str(ARTICLES)  # skipped: already loaded by the first
    assert snapshot(data / "news.duckdb") == reference


def test_a_run_gives_up_waiting_with_one_line_and_a_killed_run_blocks_nothing(site, tmp_path: Path) -> None:
    server, _ = site
    reference = _sequential(server, tmp_path / "reference", times=1)
    data = tmp_path / "data"
    config = steady_config(tmp_path / "sources.toml", server, data)
    log = run_dir(data) / "crawl.jsonl"
    first = start(command(config))
    try:
        wait_for(lambda: lines(log) >= 3, "the first run's crawl", first)
        inode = log.stat().st_ino
        impatient = subprocess.run(command(config), capture_output=True, text=True, timeout=60,
                                   env={**os.environ, "NEWSMILL_LOCK_TIMEOUT": "1"})
        assert first.poll() is None, "the first run ended before the second gave up"
        assert log.stat().st_ino == inode, "the run that gave up replaced the first run's crawl.jsonl"
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        kill_session(first.pid)
    assert impatient.returncode == 2, impatient.stderr
    said = impatient.stderr.strip().splitlines()
    assert len(said) == 2 and f"is in use by PID {first.pid}" in said[0], impatient.stderr  # waiting
    assert said[1].startswith(f"newsmill: error: {run_dir(data)} is still in use by PID {first.pid} (")
    assert said[1].endswith(") after 1 s; let that run finish, or raise NEWSMILL_LOCK_TIMEOUT")

    again = subprocess.run(command(config), capture_output=True, text=True, timeout=120,
                           env={**os.environ, "NEWSMILL_LOCK_TIMEOUT": "30"})
    assert again.returncode == 0, again.stderr
    assert "in use" not in again.stderr
    assert snapshot(data / "news.duckdb") == reference
