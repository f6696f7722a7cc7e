"""newsmill under the throughput bench: `pipeline.run` once per day in a child process (this module
run as ``python -m bench.newsmill_runner CONFIG DAY...``), which prints one JSON line per day, while
the parent samples the child's process tree.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from bench.process_tree import TreeMemory, tree_cpu_seconds

if TYPE_CHECKING:
    from newsmill.config import Config
    from transforms.pool import WorkerPool

ROOT = Path(__file__).resolve().parents[1]


def pipeline_run(config: Path, days: list[date], exclude: set[int]) -> tuple[list[dict], dict]:
    """Run `pipeline.run` once per day in a child process; per-day figures and its memory."""
    command = [sys.executable, "-m", "bench.newsmill_runner", str(config), *(d.isoformat() for d in days)]
    with tempfile.TemporaryFile("w+") as out:
        child = subprocess.Popen(command, cwd=ROOT, stdout=out)
        with TreeMemory(child.pid, exclude) as memory:
            child.wait()
        memory.sample()
        if child.returncode:
            raise RuntimeError(f"pipeline run failed: exit {child.returncode}")
        out.seek(0)
        runs = [json.loads(line) for line in out.read().splitlines() if line.startswith("{")]
    return runs, memory.summary()


def _run_days(config_path: Path, days: list[str]) -> None:
    # the pipeline is imported by the child only: the bench's own process stays small
    from newsmill import pipeline
    from newsmill.config import load_config

    config = load_config(config_path)
    started = time.perf_counter()
    # as `newsmill backfill`: one pool for all the days, started before the first; its start is
    # reported with the first day, not counted in it
    with pipeline.worker_pool() as pool:
        start = round(time.perf_counter() - started, 2)
        for value in days:
            _run_day(config, date.fromisoformat(value), pool, start if value == days[0] else 0.0)


def _run_day(config: Config, day: date, pool: WorkerPool, pool_start: float) -> None:
    """One `pipeline.run` of `day`, printed as a JSON line with the stages' seconds."""
    from newsmill import pipeline
    from newsmill.warehouse import connect
    from newsmill.warehouse.sync import sync_index

    started, cpu = time.perf_counter(), tree_cpu_seconds(os.getpid())
    summary = pipeline.run(config, day, day, progress=False, pool=pool)
    wall, cpu = time.perf_counter() - started, tree_cpu_seconds(os.getpid()) - cpu
    with connect(config.settings.database) as con:
        articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        clock = time.perf_counter()
        sync_index(con, rebuild="timed by the benchmark", progress=False, say=lambda _: None)
        index = time.perf_counter() - clock  # what a search index rebuild costs at this size
    print(json.dumps({
        "day": day.isoformat(), "pool_start_seconds": pool_start, "wall_seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2), "crawl_seconds": round(summary.crawl_seconds, 2),
        "extract_after_crawl_seconds": round(summary.extract_seconds, 2),
        "load_seconds": round(summary.load.seconds, 2), "fetched": summary.load.pages_fetched,
        "articles": summary.load.articles, "skipped": summary.load.skipped,
        "failures": summary.load.failures, "warehouse_articles": articles,
        "index_rebuild_seconds": round(index, 2),
    }), flush=True)


if __name__ == "__main__":
    _run_days(Path(sys.argv[1]), sys.argv[2:])
