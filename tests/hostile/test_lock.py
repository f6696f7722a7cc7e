"""A user holding the DuckDB file open (a read-only session, e.g. a long query) while `newsmill run`
loads: the load waits with a message naming the holder and succeeds once the file is free, or gives
up after NEWSMILL_LOCK_TIMEOUT seconds with that message (exit 2), loading nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.cli_harness import NEWSMILL
from bench.hostile_site import DAY, snapshot, steady_config, steady_routes
from newsmill.demo.server import SiteServer
from newsmill.warehouse import connect

# A user's read-only session: opens the file, says so, holds it until `release` exists
# (or for good when it is never created), then closes it.
HOLDER = """
import sys, time
from pathlib import Path
import duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
con.execute("SELECT count(*) FROM articles").fetchall()
print("holding", flush=True)
release, linger = Path(sys.argv[2]), float(sys.argv[3])
while not release.exists():
    time.sleep(0.05)
time.sleep(linger)
con.close()
"""


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    with SiteServer() as server:
        server.set_routes(steady_routes(server.url, n=6, delay=0))
        config = steady_config(tmp_path / "sources.toml", server, tmp_path / "data")
        db = tmp_path / "data" / "news.duckdb"
        with connect(db):  # an empty warehouse, as after a first run
            pass
        yield config, db


def _hold(db: Path, release: Path, linger: float) -> subprocess.Popen[str]:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db), str(release), str(linger)],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
    return holder


def _run(config: Path, timeout: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NEWSMILL_LOCK_TIMEOUT": timeout}
    return subprocess.run([NEWSMILL, "--config", str(config), "run", "--date", DAY, "-q"],
                          capture_output=True, text=True, timeout=120, env=env)


def test_load_gives_up_after_the_timeout_naming_the_holder(site, tmp_path: Path) -> None:
    config, db = site
    holder = _hold(db, tmp_path / "never", 0)
    try:
        result = _run(config, "1.5")
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert f"is locked by PID {holder.pid}" in result.stderr  # said while waiting
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("newsmill: error: ") and f"still locked by PID {holder.pid}" in last
    assert "after 2 s" in last and "NEWSMILL_LOCK_TIMEOUT" in last
    assert snapshot(db)["articles"] == []  # nothing loaded


def test_load_waits_for_the_holder_and_then_succeeds(site, tmp_path: Path) -> None:
    config, db = site
    # released once extraction has written its files, i.e. while the load is waiting for the lock
    release = tmp_path / "data" / "runs" / f"{DAY}_{DAY}_steady" / "articles.parquet"
    holder = _hold(db, release, 2.0)
    try:
        result = _run(config, "60")
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 0, result.stderr
    assert f"is locked by PID {holder.pid}" in result.stderr and "waiting up to 60 s" in result.stderr
    assert len(snapshot(db)["articles"]) == 6
