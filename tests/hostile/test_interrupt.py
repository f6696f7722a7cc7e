"""Ctrl-C (SIGINT to the whole foreground process group, once or twice) and SIGTERM (to the CLI
alone, as a supervisor stops its child, or to the group, as systemd does) during `newsmill run`:
the run must exit 130 (SIGINT) or 143 (SIGTERM) saying so in one line, with no traceback from the
CLI or a worker, no crawl.done.json and no process left running; running the same day again then
gives exactly the rows of an uninterrupted run."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import finish

from bench.cli_harness import (
    command,
    interrupt,
    kill_session,
    left_running,
    lines,
    run_dir,
    start,
    wait_for,
)
from bench.hostile_site import snapshot, steady_config, steady_routes
from newsmill.demo.server import SiteServer


@pytest.fixture(scope="module")
def steady(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SiteServer, dict]]:
    """A day of 24 articles, each answered after 0.3 s (so a crawl is long enough to interrupt),
    and the rows of one uninterrupted run of it."""
    with SiteServer() as server:
        server.set_routes(steady_routes(server.url, n=24, delay=0.3))
        work = tmp_path_factory.mktemp("reference")
        config = steady_config(work / "sources.toml", server, work / "data")
        assert subprocess.run(command(config), capture_output=True, timeout=120).returncode == 0
        reference = snapshot(work / "data" / "news.duckdb")
        assert len(reference["articles"]) == 24
        yield server, reference


@pytest.mark.parametrize(("signum", "group", "times", "status"), [
    (signal.SIGINT, True, 1, 130),
    (signal.SIGINT, True, 2, 130),
    (signal.SIGTERM, False, 1, 143),
    (signal.SIGTERM, True, 1, 143),
], ids=["ctrl-c", "ctrl-c-twice", "sigterm-to-the-cli", "sigterm-to-the-group"])
def test_interrupted_run_stops_everything_and_loads_nothing(
    steady, tmp_path: Path, signum: signal.Signals, group: bool, times: int, status: int,
) -> None:
    server, reference = steady
    data = tmp_path / "data"
    config = steady_config(tmp_path / "sources.toml", server, data)
    child = start(command(config))
    try:
        wait_for(lambda: lines(run_dir(data) / "crawl.jsonl") >= 6, "the middle of the crawl", child)
        interrupt(child, signum, group=group, times=times)
        code, stderr = finish(child, timeout=60)
        left = left_running(child.pid)
    finally:
        kill_session(child.pid)
    assert code == status, stderr
    assert stderr.strip().splitlines() == [
        f"newsmill: interrupted by {signum.name}; what was loaded stays, run the same command again "
        "for the rest"]  # one line: no traceback of the CLI, the crawl or a worker
    assert left == [], "still running after the run ended"
    assert lines(run_dir(data) / "crawl.jsonl") < 25, "interrupted too late to be during the crawl"
    assert not (run_dir(data) / "crawl.done.json").exists()
    assert not (data / "news.duckdb").exists()

    again = subprocess.run(command(config), capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert snapshot(data / "news.duckdb") == reference
