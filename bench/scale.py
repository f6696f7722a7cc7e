"""Scale: one day of many sources, each on a host of its own, collected three ways, in one run.

    .venv/bin/python bench/scale.py [--sources 100,1000] [--articles 20] [--modes run,local,celery]
        [--shard-sizes 1,10,50] [--delay 1] [--server-processes 1] [--timeout 1800]
        [--out FILE] [--keep DIR] [--markdown]

For each size in `--sources`, `scale_site.py` serves that many sites on loopback, one address in
127.0.0.0/8 per source (so Scrapy's per-host slot and `download_delay` apply per source, as on the
web), each with a feed, a sitemap and `--articles` articles of one day. Each mode collects the day
into a fresh data folder and warehouse (temp files):

- `run`: one `newsmill run --date D` over all sources;
- `local`: the newsmill_daily DAG on `newsmill airflow up` (LocalExecutor, temp home): a backfill of
  the day, waited for;
- `celery`: the same on `newsmill airflow up --distributed` (two Celery workers).

The Airflow modes run once per `--shard-sizes` entry (the DAG's NEWSMILL_SHARD_SIZE, sources per
crawl task) when the DAG has that setting. Measured per mode: wall time (for Airflow from the
backfill's creation to the run's end; `up` is timed apart), CPU seconds of the whole process tree
(for Airflow: every process `up` started, its executors, task processes and crawls, and the
services), peak PSS of that tree, and for Airflow each task instance's duration, its wait in the
queue and the scheduler's latency (from the end of its last upstream task to its start). The site
servers' CPU is measured apart, to show they are not the bottleneck.

Writes bench/results/scale-<time>.json (not committed) and prints a table (Markdown with
`--markdown`, as docs/scale.md holds it). Figures are ratios within one run: the cores are shared.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: `bench` as a package

from bench.process_tree import TreeMemory, cpu_seconds, tree_cpu_seconds  # noqa: E402
from bench.scale_site import Served, config_text  # noqa: E402

DAY = date(2026, 11, 20)
DAG_ID = "newsmill_daily"
NEWSMILL = str(Path(sys.executable).with_name("newsmill"))
SHARD_VARIABLE = "NEWSMILL_SHARD_SIZE"
MODES = ("run", "local", "celery")


@dataclass(frozen=True)
class Setup:
    """One mode's files: its config, data folder, warehouse and (Airflow) home."""

    work: Path
    sources: int
    port: int
    delay: float

    @property
    def config(self) -> Path:
        return self.work / "sources.toml"

    @property
    def data(self) -> Path:
        return self.work / "data"

    @property
    def database(self) -> Path:
        return self.work / "news.duckdb"

    @property
    def home(self) -> Path:
        return self.work / "airflow"

    def write(self, distributed: bool = False) -> Setup:
        """The config; `distributed`: as a multi-machine deployment, the warehouse the stack's DuckLake
        and the runs on its S3 server (the workers share no disk)."""
        from newsmill.local_airflow.services import BUCKET

        shutil.rmtree(self.work, ignore_errors=True)
        self.data.mkdir(parents=True)
        text = config_text(self.sources, self.port, self.data, self.database, self.delay)
        if distributed:  # the catalog's host and the S3 endpoint come from the stack's PG*/AWS_* variables
            text += (f'\n[warehouse]\nbackend = "ducklake"\ncatalog = "postgres:dbname=lake"\n'
                     f'data_path = "s3://{BUCKET}/lake/"\n\n[storage]\nruns = "s3://{BUCKET}/runs"\n')
        self.config.write_text(text)
        return self

    def newsmill(self, *args: str) -> list[str]:
        return [NEWSMILL, "--config", str(self.config), "--data-dir", str(self.data), "--db", str(self.database),
                *args]


class ForestMemory(TreeMemory):
    """TreeMemory over several roots: the processes `newsmill airflow up` started each lead a
    session of their own, so they are no one's children here."""

    def __init__(self, roots: list[int], interval: float = 0.5) -> None:
        super().__init__(roots[0], interval=interval)
        self.roots = roots

    def _tree(self) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        for root in self.roots:
            self.root = root
            out.extend(super()._tree())
        return out


def forest_cpu(roots: list[int]) -> float:
    return sum(tree_cpu_seconds(pid) for pid in roots)


def storage(setup: Setup) -> dict:
    """Bytes on disk of `newsmill run`'s day: WARC, the run's Parquet, the warehouse."""
    def size(pattern: str, where: Path) -> int:
        return sum(p.stat().st_size for p in where.rglob(pattern) if p.is_file())

    return {"warc_bytes": size("*.warc.gz", setup.data), "parquet_bytes": size("articles.parquet", setup.data),
            "warehouse_bytes": setup.database.stat().st_size}


def count_articles(setup: Setup, env: dict[str, str] | None = None) -> int:
    out = subprocess.run(setup.newsmill("query", "--format", "json", "SELECT count(*) AS n FROM articles"),
                         capture_output=True, text=True, timeout=120, env=env)
    if out.returncode:
        raise RuntimeError(f"newsmill query failed: {out.stderr.strip()[-300:]}")
    return int(json.loads(out.stdout.splitlines()[0])["n"])


# --- mode run -------------------------------------------------------------------------------------


def mode_run(setup: Setup, timeout: float) -> dict:
    """One `newsmill run` over every source, its CPU from the kernel's account of the whole tree."""
    started = time.perf_counter()
    child = subprocess.Popen(setup.newsmill("run", "--date", DAY.isoformat(), "-q"), stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
    with TreeMemory(child.pid, interval=0.5) as memory:
        deadline = time.monotonic() + timeout
        try:
            while (status := os.wait4(child.pid, os.WNOHANG))[0] == 0:
                if time.monotonic() > deadline:
                    child.kill()
                    status = os.wait4(child.pid, 0)
                    return {"timed_out": True, "wall_seconds": round(time.perf_counter() - started, 1)}
                time.sleep(0.2)
        except KeyboardInterrupt:  # the bench is stopped: so is its run, which stops its crawl and workers
            child.terminate()
            os.wait4(child.pid, 0)
            raise
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status[1])
    if child.returncode:
        raise RuntimeError(f"newsmill run failed (exit {child.returncode}): {child.stderr.read()[-500:]}")
    usage = status[2]
    return {"wall_seconds": round(wall, 1), "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
            **memory.summary()}


# --- modes local and celery -----------------------------------------------------------------------


def mode_airflow(setup: Setup, distributed: bool, shard: int | None, timeout: float) -> dict:
    """`newsmill airflow up` on a temp home, a backfill of the day, waited for, then `down`."""
    from newsmill.local_airflow.supervisor import client_for, free_port, status

    # the day is the DAG's whole range: unpausing schedules no other run
    env = {**os.environ, "NEWSMILL_START_DATE": DAY.isoformat(), "NEWSMILL_END_DATE": DAY.isoformat(),
           "NEWSMILL_CATCHUP": "false", **({SHARD_VARIABLE: str(shard)} if shard else {})}
    up = [*setup.newsmill("airflow", "--home", str(setup.home), "up", "--port", str(free_port())),
          *(["--distributed"] if distributed else [])]
    clock = time.perf_counter()
    answer = subprocess.run(up, env=env, capture_output=True, text=True, timeout=300)
    if answer.returncode:
        raise RuntimeError(f"airflow up failed: {answer.stdout[-300:]} {answer.stderr[-500:]}")
    up_seconds = time.perf_counter() - clock
    try:
        client = client_for(setup.home)
        client.wait_dag(DAG_ID, timeout=180)
        roots = list(status(setup.home).pids.values())
        client.set_paused(DAG_ID, False)
        cpu_before = forest_cpu(roots)
        with ForestMemory(roots) as memory:
            started = time.perf_counter()
            client.backfill(DAG_ID, DAY, DAY, wait_busy=60)
            run = _wait_run(client, timeout)
            wall = time.perf_counter() - started
            memory.sample()
        cpu = forest_cpu(roots) - cpu_before
        tasks = _task_stats(client, run)
        # before `down`: the S3 server keeps its objects in memory; the stack's services by their variables
        services = status(setup.home).service_ports
        try:
            articles = count_articles(setup, {**env, **({k: v for k, v in services.airflow_env().items()
                                                          if not k.startswith("AIRFLOW__")} if services else {})})
        except RuntimeError as exc:  # no warehouse: the run failed before any load, which `state` says
            articles, tasks["count_error"] = 0, str(exc)[-300:]
    finally:
        subprocess.run(setup.newsmill("airflow", "--home", str(setup.home), "down"), capture_output=True, timeout=300)
    return {"up_seconds": round(up_seconds, 1), "wall_seconds": round(wall, 1), "cpu_seconds": round(cpu, 1),
            "state": run["state"], "articles": articles, **tasks, **memory.summary()}


def _wait_run(client, timeout: float) -> dict:  # noqa: ANN001 (AirflowClient, imported in the mode)
    """The day's run once it ended; after `timeout`, as it is, its state "timeout" (the task
    instances that ended still count)."""
    deadline = time.monotonic() + timeout
    while True:
        run = next((r for r in client.dag_runs(DAG_ID) if (r.get("logical_date") or "").startswith(DAY.isoformat())),
                   None)
        if run and run["state"] in ("success", "failed"):
            return run
        if time.monotonic() > deadline:
            if run is None:
                raise TimeoutError(f"{DAG_ID}: no run of {DAY} in {timeout:.0f} s")
            return {**run, "state": "timeout"}
        time.sleep(2)


def _when(value: str | None) -> float | None:
    return datetime.fromisoformat(value).timestamp() if value else None


def _task_stats(client, run: dict) -> dict:  # noqa: ANN001
    """Per task: instances, median duration and queue wait; and the scheduler's latency, from the
    end of a task's last upstream instance (same map index when both are mapped) to its start."""
    from urllib.parse import quote

    path = f"/api/v2/dags/{DAG_ID}/dagRuns/{quote(run['dag_run_id'], safe='')}/taskInstances"
    instances: list[dict] = []
    while True:
        page = client.get(f"{path}?limit=100&offset={len(instances)}")["task_instances"]
        instances += page
        if len(page) < 100:
            break
    upstream: dict[str, list[str]] = {}
    for t in client.get(f"/api/v2/dags/{DAG_ID}/tasks")["tasks"]:
        for down in t.get("downstream_task_ids") or []:
            upstream.setdefault(down, []).append(t["task_id"])
    by_task: dict[str, list[dict]] = {}
    for ti in instances:
        by_task.setdefault(ti["task_id"], []).append(ti)
    run_start = _when(run.get("start_date"))
    latency: list[float] = []
    tasks = {}
    for task_id, tis in by_task.items():
        durations = [ti["duration"] for ti in tis if ti.get("duration") is not None]
        waits = [_when(ti["start_date"]) - _when(ti["queued_when"]) for ti in tis
                 if ti.get("start_date") and ti.get("queued_when")]
        for ti in tis:
            ends = [_when(u["end_date"]) for up in upstream.get(task_id, []) for u in by_task.get(up, [])
                    if u.get("end_date") and (u["map_index"] in (-1, ti["map_index"]) or ti["map_index"] == -1)]
            ready = max(ends) if ends else run_start
            if ready and ti.get("start_date"):
                latency.append(_when(ti["start_date"]) - ready)
        tasks[task_id] = {"instances": len(tis), "failed": sum(ti["state"] != "success" for ti in tis),
                          "duration_median_s": _median(durations), "duration_sum_s": round(sum(durations), 1),
                          "queue_wait_median_s": _median(waits)}
    return {"task_instances": len(instances), "tasks": tasks, "start_latency_median_s": _median(latency),
            "start_latency_p90_s": round(sorted(latency)[int(0.9 * (len(latency) - 1))], 2) if latency else None}


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None


# --- the whole bench ------------------------------------------------------------------------------


def shard_setting() -> bool:
    """Whether this checkout's DAG reads a shard size."""
    from newsmill.config import ENVIRONMENT

    return any(variable.name == SHARD_VARIABLE for variable in ENVIRONMENT)


def measure(args: argparse.Namespace, work: Path, rows: list[dict], save: Callable[[], None]) -> None:
    """Append a row to `rows` per size and mode, calling `save` after each: a run of an hour or more
    stopped part-way keeps every mode it finished."""
    shards = args.shard_sizes if shard_setting() else [None]
    for sources in args.sources:
        site = Served(sources, args.articles, DAY, processes=args.server_processes)
        try:
            plan = [(mode, None) for mode in args.modes if mode == "run"]
            plan += [(mode, shard) for mode in args.modes if mode != "run" for shard in shards]
            for mode, shard in plan:
                say(f"{sources} sources × {args.articles}: {mode}" + (f", shard {shard}" if shard else "") + "…")
                setup = Setup(work / f"{sources}-{mode}-{shard or 0}", sources, site.port, args.delay).write(
                    distributed=mode == "celery")
                server_cpu = sum(cpu_seconds(pid) for pid in site.pids)
                try:
                    result = (mode_run(setup, args.timeout) if mode == "run"
                              else mode_airflow(setup, mode == "celery", shard, args.timeout))
                except (RuntimeError, TimeoutError, subprocess.TimeoutExpired) as exc:
                    result = {"error": str(exc)[-400:]}
                result["site_server_cpu_seconds"] = round(sum(cpu_seconds(pid) for pid in site.pids) - server_cpu, 1)
                if mode == "run" and "error" not in result and not result.get("timed_out"):
                    result["articles"] = count_articles(setup)
                    result.update(storage(setup))
                rows.append({"sources": sources, "articles_per_source": args.articles, "mode": mode,
                             "shard_size": shard, **result})
                save()
                say(json.dumps({k: v for k, v in rows[-1].items() if not isinstance(v, dict)}))
                if not args.keep:
                    shutil.rmtree(setup.work, ignore_errors=True)
        finally:
            site.stop()


def ratios(rows: list[dict]) -> None:
    """Per row: CPU per article and per source, and against `run` at the same size the Airflow
    overhead: extra CPU per task instance, wall over run's."""
    base = {r["sources"]: r for r in rows if r["mode"] == "run" and "cpu_seconds" in r}
    smallest = {}
    for row in rows:
        if "cpu_seconds" not in row or not row.get("articles"):
            continue
        row["cpu_ms_per_article"] = round(1000 * row["cpu_seconds"] / row["articles"], 1)
        row["cpu_s_per_source"] = round(row["cpu_seconds"] / row["sources"], 2)
        if "warc_bytes" in row:
            row["warc_bytes_per_article"] = round(row["warc_bytes"] / row["articles"])
            row["parquet_bytes_per_article"] = round(row["parquet_bytes"] / row["articles"])
        run = base.get(row["sources"])
        if run and row["mode"] != "run" and row.get("task_instances"):
            row["extra_cpu_s_per_task"] = round((row["cpu_seconds"] - run["cpu_seconds"]) / row["task_instances"], 2)
            row["wall_over_run"] = round(row["wall_seconds"] / run["wall_seconds"], 2)
        key = (row["mode"], row["shard_size"])
        first = smallest.setdefault(key, row)
        if first is not row:
            row["growth"] = {"sources_ratio": round(row["sources"] / first["sources"], 1),
                             "wall_ratio": round(row["wall_seconds"] / first["wall_seconds"], 2),
                             "cpu_ratio": round(row["cpu_seconds"] / first["cpu_seconds"], 2)}


COLUMNS = [("sources", "sources"), ("mode", "mode"), ("shard_size", "shard"), ("articles", "articles"),
           ("wall_seconds", "wall s"), ("cpu_ms_per_article", "CPU ms/article"),
           ("cpu_s_per_source", "CPU s/source"), ("task_instances", "tasks"),
           ("extra_cpu_s_per_task", "extra CPU s/task vs run"), ("start_latency_median_s", "start latency s (median)"),
           ("peak_total_pss_mb", "peak PSS MB"), ("site_server_cpu_seconds", "site server CPU s"),
           ("warc_bytes_per_article", "WARC B/article"), ("parquet_bytes_per_article", "Parquet B/article")]


def table(rows: list[dict], markdown: bool) -> str:
    cells = [[str(row.get(key) if row.get(key) is not None else ("error" if key == "wall_seconds" and "error" in row
                                                                   else "")) for key, _ in COLUMNS] for row in rows]
    head = [label for _, label in COLUMNS]
    lines = []
    if markdown:
        lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(c) + " |" for c in cells]
    else:
        widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(head)]
        lines += ["  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True))]
        lines += ["  ".join(v.ljust(w) for v, w in zip(c, widths, strict=True)) for c in cells]
    growth = [f"{r['mode']}{'' if r['shard_size'] is None else ' shard ' + str(r['shard_size'])}: "
              f"{r['growth']['sources_ratio']} × the sources → {r['growth']['wall_ratio']} × the wall time, "
              f"{r['growth']['cpu_ratio']} × the CPU" for r in rows if "growth" in r]
    return "\n".join(lines + ([""] + growth if growth else []))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    def numbers(text: str) -> list[int]:
        return [int(x) for x in text.split(",") if x]

    def modes(text: str) -> list[str]:
        chosen = [m for m in text.split(",") if m]
        if not set(chosen) <= set(MODES):
            raise argparse.ArgumentTypeError(f"modes are {', '.join(MODES)}")
        return chosen

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sources", type=numbers, default=[100, 1000], help="sizes, e.g. 100,1000")
    parser.add_argument("--articles", type=int, default=20, help="articles per source")
    parser.add_argument("--modes", type=modes, default=list(MODES), help="of run,local,celery")
    parser.add_argument("--shard-sizes", type=numbers, default=[1, 10, 50],
                        help=f"{SHARD_VARIABLE} values for the Airflow modes (when the DAG has it)")
    parser.add_argument("--delay", type=float, default=1.0, help="download_delay per host, seconds")
    parser.add_argument("--server-processes", type=int, default=1, help="site server processes")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per mode before it counts as failed")
    parser.add_argument("--out", type=Path, help="result JSON (default bench/results/scale-<time>.json)")
    parser.add_argument("--keep", type=Path, help="work directory to keep (default: a temporary one)")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown (docs/scale.md)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="newsmill-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    rows: list[dict] = []
    result: dict = {"started": datetime.now().isoformat(timespec="seconds"), "cores": os.cpu_count(),
                    "day": DAY.isoformat(), "delay": args.delay, "argv": sys.argv[1:], "rows": rows}
    out = args.out or ROOT / "bench" / "results" / f"scale-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)

    def save() -> None:
        ratios(rows)
        out.write_text(json.dumps(result, indent=1))

    stopped = False
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)  # SIGTERM stops as Ctrl-C does
    try:
        measure(args, work, rows, save)
    except KeyboardInterrupt:
        stopped = True
        say(f"stopped: the table has the {len(rows)} modes that finished")
    finally:
        signal.signal(signal.SIGTERM, previous)
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    save()
    print(table(rows, args.markdown))
    print(f"\nresult: {out}")
    return 130 if stopped else 0


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
