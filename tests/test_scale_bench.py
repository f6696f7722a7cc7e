"""bench/scale.py at a tiny size, so the bench keeps working: its sites, one host each, and mode `run`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import date

from bench import scale
from bench.cli_harness import alive_naming
from bench.scale_site import Served, host_address

DAY = scale.DAY


def test_each_source_is_served_from_an_address_of_its_own():
    assert [host_address(i) for i in (0, 1, 249, 250, 999)] == [
        "127.0.1.1", "127.0.1.2", "127.0.1.250", "127.0.2.1", "127.0.4.250"]
    site = Served(sources=300, articles=3, day=DAY)
    try:
        feed = urllib.request.urlopen(site.url(299) + "/feed.xml", timeout=10).read().decode()
        assert f"{site.url(299)}/news/2.html" in feed and "/news/3.html" not in feed
        page = urllib.request.urlopen(site.url(299) + "/news/2.html", timeout=10).read().decode()
        assert "s00299 no. 2" in page and f'datetime="{DAY.isoformat()}' in page
        other = urllib.request.urlopen(site.url(0) + "/news/2.html", timeout=10).read().decode()
        assert "s00000 no. 2" in other
    finally:
        site.stop()


def test_mode_run_collects_every_article_of_every_source(tmp_path):
    out = tmp_path / "scale.json"
    assert scale.main(["--sources", "5", "--articles", "3", "--delay", "0", "--modes", "run",
                       "--out", str(out)]) == 0
    (row,) = json.loads(out.read_text())["rows"]
    assert (row["sources"], row["mode"], row["articles"]) == (5, "run", 15)
    assert row["cpu_seconds"] > 0 and row["wall_seconds"] > 0 and row["peak_total_pss_mb"] > 0
    assert row["warc_bytes_per_article"] > 1000 and row["parquet_bytes_per_article"] > 100
    assert date.fromisoformat(json.loads(out.read_text())["day"]) == DAY


def test_a_bench_stopped_part_way_keeps_the_modes_it_finished(tmp_path):
    """SIGTERM during the second size: exit 130, the first size's row in the result, no run left."""
    out = tmp_path / "scale.json"
    bench = subprocess.Popen([sys.executable, str(scale.ROOT / "bench" / "scale.py"), "--sources", "2,300",
                              "--articles", "3", "--delay", "1", "--modes", "run", "--keep", str(tmp_path / "work"),
                              "--out", str(out), "--markdown"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not (out.exists() and json.loads(out.read_text())["rows"]):
        assert bench.poll() is None and time.monotonic() < deadline, bench.stderr.read() if bench.poll() else ""
        time.sleep(0.2)
    while not alive_naming(str(tmp_path / "work" / "300-run-0")):  # the second size's run has started
        assert time.monotonic() < deadline
        time.sleep(0.2)
    os.kill(bench.pid, signal.SIGTERM)
    stdout, stderr = bench.communicate(timeout=60)
    assert bench.returncode == 130, stderr
    (row,) = json.loads(out.read_text())["rows"]
    assert (row["sources"], row["articles"]) == (2, 6)
    assert [line for line in stdout.splitlines() if line.startswith("| 2 | run |")], stdout  # its table
    assert alive_naming(str(tmp_path / "work")) == []
