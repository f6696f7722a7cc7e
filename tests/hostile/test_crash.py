"""SIGKILL of the whole `newsmill run` (process group: CLI, crawl subprocess, extraction pool)
during the crawl, the extraction and the load; running the same day again must leave exactly the
rows of an uninterrupted run, and a killed load must leave no half-written day visible."""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from bench.cli_harness import NEWSMILL
from bench.hostile_site import DAY, snapshot, steady_config, steady_routes
from newsmill.demo.server import SiteServer

RUN_DIR = f"runs/{DAY}_{DAY}_steady"
# The CLI with one function of a stage held (after or before its real work): the kill then lands
# inside that stage for certain (inside the DuckDB transaction, or before extraction wrote its files).
HELD = """
import importlib, sys, time
from pathlib import Path
marker, target, when = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
module_name, attribute = target.split(":")
owner = importlib.import_module(module_name)
*path, name = attribute.split(".")  # a function, or a method: Class.name
for part in path:
    owner = getattr(owner, part)
real = getattr(owner, name)
def held(*args, **kwargs):
    if when == "after":
        real(*args, **kwargs)
    marker.touch()
    time.sleep(120)
setattr(owner, name, held)
from newsmill.cli import entry
sys.argv = ["newsmill", *sys.argv[4:]]
entry()
"""


@pytest.fixture(scope="module")
def steady(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SiteServer, dict]]:
    """The served site and the rows of one uninterrupted run of its day."""
    with SiteServer() as server:
        server.set_routes(steady_routes(server.url))
        work = tmp_path_factory.mktemp("reference")
        config = steady_config(work / "sources.toml", server, work / "data")
        assert _run(config).returncode == 0
        reference = snapshot(work / "data" / "news.duckdb")
        assert len(reference["articles"]) == 24
        yield server, reference


def _run(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([NEWSMILL, "--config", str(config), "run", "--date", DAY, "-q"],
                          capture_output=True, text=True, timeout=120)


def _kill_when(command: list[str], ready: Callable[[], bool], timeout: float = 60) -> None:
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    try:
        deadline = time.monotonic() + timeout
        while not ready():
            assert child.poll() is None, "the run ended before the moment to kill it"
            assert time.monotonic() < deadline, "the moment to kill never came"
            time.sleep(0.01)
    finally:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()


def _lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def _warc_records(data: Path) -> int:
    total = 0
    for warc in (data / "warc").rglob("*.warc.gz"):
        with warc.open("rb") as handle:
            total += sum(1 for _ in ArchiveIterator(handle))
    return total


def _again_equals_reference(config: Path, data: Path, reference: dict) -> None:
    result = _run(config)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(data / "news.duckdb") == reference
    assert _warc_records(data) >= 25  # every file readable from start to end (feed + 24 articles)


def test_kill_during_crawl(steady, tmp_path: Path) -> None:
    server, reference = steady
    config = steady_config(tmp_path / "sources.toml", server, tmp_path / "data")
    log = tmp_path / "data" / RUN_DIR / "crawl.jsonl"
    _kill_when([NEWSMILL, "--config", str(config), "run", "--date", DAY, "-q"], lambda: _lines(log) >= 8)
    assert _lines(log) < 25, "killed too late to be during the crawl"
    assert not (tmp_path / "data" / "news.duckdb").exists()
    warc = tmp_path / "data" / "warc" / "steady" / f"{DAY}.warc.gz"
    with warc.open("ab") as handle:  # and a record torn mid-write, as a kill inside write() leaves
        handle.write(gzip.compress(b"WARC/1.1\r\nWARC-Type: response\r\n" + os.urandom(5000))[:700])
    _again_equals_reference(config, tmp_path / "data", reference)


def _held(marker: Path, target: str, when: str, config: Path) -> list[str]:
    return [sys.executable, "-c", HELD, str(marker), target, when, "--config", str(config), "run",
            "--date", DAY, "-q"]


def test_kill_during_extraction(steady, tmp_path: Path) -> None:
    server, reference = steady
    config = steady_config(tmp_path / "sources.toml", server, tmp_path / "data")
    marker = tmp_path / "extracting"
    _kill_when(_held(marker, "transforms.spool:ParquetSpool.close", "before", config), marker.exists)
    assert not (tmp_path / "data" / RUN_DIR / "articles.parquet").exists()
    assert not (tmp_path / "data" / "news.duckdb").exists()
    _again_equals_reference(config, tmp_path / "data", reference)


def test_kill_during_load_leaves_no_half_written_day(steady, tmp_path: Path) -> None:
    server, reference = steady
    config = steady_config(tmp_path / "sources.toml", server, tmp_path / "data")
    marker = tmp_path / "in-transaction"
    _kill_when(_held(marker, "newsmill.warehouse.load:record_changes", "after", config), marker.exists)
    seen = snapshot(tmp_path / "data" / "news.duckdb")  # the killed transaction is rolled back on open
    assert seen["articles"] == [] and seen["crawl_log"] == [] and seen["runs"] == []
    _again_equals_reference(config, tmp_path / "data", reference)
