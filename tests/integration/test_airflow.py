"""The DAG under the real Airflow 3 scheduler, end to end, on loopback only (~2-3 minutes).

Drives the real CLI, `newsmill airflow up|down|status|runs|unpause|backfill`, against a temp
Airflow home on an ephemeral port, with the demo sites served on ephemeral ports:
  1. up names the warehouse its tasks write; all four processes report healthy (the triggerer too);
  2. up -> down -> up on the same home (the pool already exists the second time);
  3. up after the processes were killed with SIGKILL (stale pid file, orphaned workers);
     the scheduler killed alone is started again by its keeper;
  4. backfills 3 days and unpauses the DAG, whose start_date = end_date = the next day with
     catchup on, so the scheduler also creates exactly one *scheduled* run; asserts the DuckDB rows
     per source and day and the recorded day checks, that every mapped task instance is named by
     its source (a shard of one source each: the default for a few sources) and every run notes the day it collects, and one `newsmill_articles` asset event
     per load that inserted articles, with the counts in its extra; backfills the same 3 days again
     with reprocess "completed" and asserts the rows are unchanged and no asset event was added;
  5. down stops every process it started and none is left.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from bench.cli_harness import NEWSMILL, alive_naming
from newsmill import demo, processes
from newsmill.local_airflow import DAG_ID
from newsmill.local_airflow.client import AirflowClient
from newsmill.local_airflow.supervisor import free_port

pytestmark = pytest.mark.integration

FIRST = date(2026, 11, 17)
LAST = date(2026, 11, 19)
SCHEDULED = date(2026, 11, 20)  # the demo's last day; the one scheduled run collects it
TERMINAL = {"success", "failed"}


def _wait(what: str, predicate, timeout: float, interval: float = 2.0, detail=lambda: ""):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}; {detail()}")
        time.sleep(interval)


def _day(run: dict) -> date:
    return date.fromisoformat(run["logical_date"][:10])


def _runs_by_day(client) -> dict[date, dict]:
    return {_day(run): run for run in client.dag_runs(DAG_ID) if run.get("logical_date")}


def _named_tasks(client, run_id: str) -> dict[str, list[str]]:
    """The rendered map index of each mapped task's instances, by task id, in map index order."""
    named: dict[str, list[str]] = {}
    for ti in sorted(client.task_instances(DAG_ID, run_id), key=lambda ti: ti["map_index"]):
        if ti["map_index"] >= 0:
            named.setdefault(ti["task_id"], []).append(ti["rendered_map_index"])
    return named


def _failure_detail(client, home: Path) -> str:
    """What to show when a run fails or times out: run states, failed tasks and their log tails."""
    lines = []
    try:
        for run in client.dag_runs(DAG_ID):
            lines.append(f"{run['dag_run_id']}: {run['state']}")
            if run["state"] != "success":
                for ti in client.task_instances(DAG_ID, run["dag_run_id"]):
                    if ti["state"] not in ("success", None):
                        lines.append(f"  {ti['task_id']}[{ti['map_index']}] {ti['state']} try {ti['try_number']}")
    except Exception as exc:  # noqa: BLE001 - best effort diagnostics
        lines.append(f"(could not list runs: {exc})")
    recent = sorted(Path(home, "logs").rglob("*.log"), key=lambda p: p.stat().st_mtime)[-3:]
    scheduler = Path(home, "logs", "newsmill-scheduler.log")  # quiet when it has died
    for log in [*recent, *([scheduler] if scheduler not in recent and scheduler.exists() else [])]:
        tail = log.read_text(errors="replace").splitlines()[-12:]
        lines.append(f"--- {log.relative_to(home)}\n" + "\n".join(tail))
    return "\n".join(lines)


def _articles(database: Path) -> list[tuple]:
    from newsmill.warehouse import connect

    with connect(database, read_only=True, timeout=120) as con:
        return con.execute(
            "SELECT url, source, pub_date, listed_date, content_hash, word_count FROM articles ORDER BY url"
        ).fetchall()


def _article_events(client) -> list[dict]:
    """The `newsmill_articles` asset events the DAG emitted (REST API), oldest first."""
    answer = client.get(f"/api/v2/assets/events?source_dag_id={DAG_ID}&order_by=timestamp&limit=100")
    assert answer["total_entries"] < 100, answer["total_entries"]
    return [event for event in answer["asset_events"] if event["name"] == "newsmill_articles"]


def _day_checks(database: Path) -> dict[tuple[date, str], tuple]:
    from newsmill.warehouse import connect

    with connect(database, read_only=True, timeout=120) as con:
        rows = con.execute("SELECT day, source, articles, ok, message FROM day_checks").fetchall()
    return {(day, source): (n, ok, message) for day, source, n, ok, message in rows}


class Cli:
    """`newsmill airflow …` as a user runs it, in the environment of this test's Airflow."""

    def __init__(self, env: dict[str, str], home: Path) -> None:
        self.env, self.home = env, home

    def __call__(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run([NEWSMILL, "airflow", *args], env=self.env, capture_output=True, text=True,
                              timeout=timeout)

    def ok(self, *args: str) -> str:
        done = self(*args)
        assert done.returncode == 0, f"newsmill airflow {' '.join(args)}: exit {done.returncode}\n{done.stderr}"
        return done.stdout

    def pids(self) -> dict[str, int]:
        return json.loads((self.home / "newsmill-airflow.json").read_text())["pids"]

    def client(self) -> AirflowClient:
        return AirflowClient(json.loads((self.home / "newsmill-airflow.json").read_text())["url"])


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """Demo sites + local Airflow started by `newsmill airflow up`; stopped by `down` afterwards."""
    tmp = tmp_path_factory.mktemp("airflow-it")
    data_dir = tmp / "data"
    config_path = tmp / "sources.toml"
    home = tmp / "airflow"
    with demo.serve_demo(ports=(0, 0, 0)) as servers:
        demo.write_demo_config(config_path, servers, data_dir=data_dir)
        env = {
            **os.environ,
            "NEWSMILL_AIRFLOW_HOME": str(home),
            "NEWSMILL_AIRFLOW_PORT": str(free_port()),
            "NEWSMILL_CONFIG": str(config_path),
            "NEWSMILL_DATA_DIR": str(data_dir),
            "NEWSMILL_DB": str(data_dir / "news.duckdb"),
            "NEWSMILL_START_DATE": SCHEDULED.isoformat(),
            "NEWSMILL_END_DATE": SCHEDULED.isoformat(),
            "NEWSMILL_CATCHUP": "true",
            "NEWSMILL_MAX_ACTIVE_RUNS": "4",
            "NEWSMILL_EXTRACT_WORKERS": "1",
        }
        cli = Cli(env, home)
        started = time.monotonic()
        up = cli.ok("up")
        up_seconds = time.monotonic() - started
        try:
            yield {"cli": cli, "home": home, "database": data_dir / "news.duckdb", "servers": servers,
                   "up_seconds": up_seconds, "up": up, "config": config_path}
        finally:
            groups = list(cli.pids().values()) if (home / "newsmill-airflow.json").exists() else []
            down = cli("down")
            assert down.returncode == 0, down.stderr
            assert [pgid for pgid in groups if processes.group_members(pgid)] == []
            assert alive_naming(str(tmp)) == []
            assert cli.ok("status").splitlines() == [f"no local Airflow runs from {home}"]


def test_every_part_of_airflow_reports_healthy(stack) -> None:
    """The UI's health row reads this: a triggerer that does not run shows red."""
    cli = stack["cli"]

    def health():
        answer = cli.client().get("/api/v2/monitor/health")
        return answer if all(part["status"] == "healthy" for part in answer.values()) else None

    answer = _wait("every part of Airflow to report healthy", health, timeout=90,
                   detail=lambda: cli.client().get("/api/v2/monitor/health"))
    assert set(answer) == {"metadatabase", "scheduler", "triggerer", "dag_processor"}


def test_up_and_status_name_the_warehouse_the_tasks_write(stack) -> None:
    cli, database, config = stack["cli"], stack["database"], stack["config"]
    assert f"tasks read {config} and write {database}" in stack["up"].splitlines()
    status = cli.ok("status").splitlines()
    assert status[1] == f"  warehouse      {database}  (config {config})"
    assert [line.split()[0] for line in status[2:]] == ["api-server", "scheduler", "dag-processor", "triggerer"]


def test_up_down_up_on_the_same_home(stack) -> None:
    cli = stack["cli"]
    first = cli.pids()
    assert cli.ok("status").splitlines()[0].startswith("local Airflow runs at ")
    assert cli.ok("down").splitlines() == [f"local Airflow of {stack['home']} stopped"]
    assert [name for name, pgid in first.items() if processes.group_members(pgid)] == []
    assert "Airflow UI and API: " in cli.ok("up")  # the duckdb pool exists this time
    assert set(cli.pids().values()).isdisjoint(first.values())
    pool = cli.client().pool("duckdb")
    assert (pool["slots"], pool["include_deferred"]) == (1, False)


def test_up_after_the_processes_were_killed(stack) -> None:
    """SIGKILL leaves a stale pid file and orphans (the scheduler's executor workers); up copes."""
    cli = stack["cli"]
    killed = cli.pids()
    for pid in killed.values():
        os.kill(pid, signal.SIGKILL)
    _wait("the killed processes to exit", lambda: not cli.ok("status").startswith("local Airflow runs at "),
          timeout=30, interval=0.5)
    assert "Airflow UI and API: " in cli.ok("up")
    assert [name for name, pgid in killed.items() if processes.group_members(pgid)] == []
    status = cli.ok("status").splitlines()
    assert status[0].startswith("local Airflow runs at ") and len(status) == 6, status
    assert all(line.endswith(" running") for line in status[2:]), status


def test_a_crashed_scheduler_is_restarted_by_its_keeper(stack) -> None:
    """The scheduler exits on errors it does not expect (Airflow 3.3 does when a backfill that met a
    locked SQLite database deletes a run it holds); its keeper starts it again, and the backfill
    below runs on the restarted one."""
    cli, home = stack["cli"], stack["home"]
    keeper = cli.pids()["scheduler"]
    scheduler = _child(keeper)
    # a scheduler that exits within its first 20 s failed to start and is not restarted
    _wait("the scheduler to have run 20 s", lambda: _age(scheduler) > 21, timeout=30, interval=0.5)
    crashed = set(processes.group_members(keeper)) - {keeper}  # the scheduler, its LocalExecutor workers
    assert scheduler in crashed and len(crashed) > 1
    os.kill(scheduler, signal.SIGKILL)
    restarted = _wait("the keeper to start the scheduler again",
                      lambda: (child := _child(keeper)) not in (None, scheduler) and child, timeout=60, interval=0.5)
    # what the crashed one left (its workers ignore SIGTERM) was stopped: `down` need not kill it
    assert not crashed & set(processes.group_members(keeper))
    log = (home / "logs" / "newsmill-scheduler.log").read_text()
    assert "newsmill keeper: scheduler exited with -9 after " in log
    assert log.count("; restarting it in 5 s") == 1
    assert cli.pids()["scheduler"] == keeper and _child(keeper) == restarted
    status = cli.ok("status").splitlines()
    assert status[0].startswith("local Airflow runs at ")
    shown = {line.split()[0]: line for line in status[2:]}
    assert shown.pop("scheduler").endswith(" running (restarted 1x after a crash; see its log)")
    assert all(line.endswith(" running") for line in shown.values()), shown


def _stat(pid: int | str) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (state, ppid, pgrp, …); None once gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat[stat.rindex(")") + 2:].split()


def _child(pid: int) -> int | None:
    """The (first) process whose parent is `pid`."""
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit() and (fields := _stat(proc.name)) and int(fields[1]) == pid:
            return int(proc.name)
    return None


def _age(pid: int) -> float:
    """Seconds since process `pid` started."""
    started = int(_stat(pid)[19]) / os.sysconf("SC_CLK_TCK")  # type: ignore[index]
    return float(Path("/proc/uptime").read_text().split()[0]) - started


def test_backfill_scheduled_run_and_reprocess(stack) -> None:
    cli, home, database = stack["cli"], stack["home"], stack["database"]
    client = cli.client()
    detail = lambda: _failure_detail(client, home)  # noqa: E731
    assert cli.ok("runs").splitlines() == [f"no runs of {DAG_ID} yet"]

    # 1. backfill FIRST..LAST (runs stay queued while paused), then unpause: the scheduler also
    #    creates the one scheduled run (start_date = end_date = SCHEDULED, catchup on).
    t_backfill = time.monotonic()
    made = cli.ok("backfill", "--from", FIRST.isoformat(), "--to", LAST.isoformat())
    assert made.startswith("backfill ") and f"created: {FIRST}..{LAST}" in made
    assert cli.ok("unpause").splitlines() == [f"{DAG_ID} unpaused"]
    days = [FIRST + timedelta(n) for n in range((LAST - FIRST).days + 1)]

    def backfill_done():
        runs = _runs_by_day(client)
        return runs if all(runs.get(d, {}).get("state") in TERMINAL for d in days) else None

    runs = _wait("the 3-day backfill", backfill_done, timeout=300, detail=detail)
    backfill_seconds = time.monotonic() - t_backfill
    for day in days:
        assert runs[day]["run_type"] == "backfill", runs[day]
        assert runs[day]["state"] == "success", detail()

    def scheduled_done():
        run = _runs_by_day(client).get(SCHEDULED)
        return run if run and run["state"] in TERMINAL else None

    scheduled = _wait("the scheduled run", scheduled_done, timeout=240, detail=detail)
    assert scheduled["run_type"] == "scheduled", scheduled
    assert scheduled["state"] == "success", detail()
    assert scheduled["data_interval_start"][:10] == SCHEDULED.isoformat()
    assert scheduled["data_interval_end"][:10] == (SCHEDULED + timedelta(1)).isoformat()
    assert set(_runs_by_day(client)) == {*days, SCHEDULED}  # nothing else was scheduled
    listed = [line.split() for line in cli.ok("runs").splitlines()]
    assert sorted((day, kind, state) for day, kind, state, _run_id in listed) == sorted(
        [(d.isoformat(), "backfill", "success") for d in days] + [(SCHEDULED.isoformat(), "scheduled", "success")])

    # what the UI shows: each run's day in its note, mapped task instances named by source
    runs = _runs_by_day(client)
    by_source = {f"shard.{stage}": [spec.name for spec in demo.SITES] for stage in ("collect", "load")}
    shown = {day: (run["note"], _named_tasks(client, run["dag_run_id"])) for day, run in runs.items()}
    assert shown == {day: (f"collects {day}", by_source) for day in runs}

    # 2. rows per source and day: exactly the demo's articles of each day, none of other days
    rows = _articles(database)
    all_days = [*days, SCHEDULED]
    loaded = {(source, url, pub) for url, source, pub, *_ in rows}
    expected = {(source, url, day) for day in all_days
                for source, url, _ in stack["servers"].expected_articles(day)}
    sources = sorted({source for source, _url, _day in expected})
    assert len(sources) == 3
    for day in all_days:
        for source in sources:
            got = sum(1 for s, _u, d in loaded if (s, d) == (source, day))
            assert got == demo.expected_counts(source, day) > 0, (source, day, got)
    assert loaded == expected
    checks = _day_checks(database)
    for day in all_days:
        for source in sources:
            n, ok, message = checks[(day, source)]
            assert ok and n > 0, (day, source, n, ok, message)
    # one asset event per load, each of which inserted articles: their counts in its extra
    events = _article_events(client)
    assert sorted((e["extra"]["day"], e["extra"]["sources"]) for e in events) == sorted(
        (day.isoformat(), [source]) for day in all_days for source in sources)
    assert all(e["extra"]["inserted"] > 0 and e["extra"]["updated"] == 0
               and e["extra"]["attempt_id"].startswith(e["extra"]["run_id"] + "@") for e in events), events
    assert sum(e["extra"]["inserted"] for e in events) == len(rows)

    # 3. the same backfill again, reprocessing completed runs: rows unchanged
    t_again = time.time()
    cli.ok("backfill", "--from", FIRST.isoformat(), "--to", LAST.isoformat(), "--reprocess", "completed")

    def reprocessed():
        runs = _runs_by_day(client)
        fresh = [runs.get(d) for d in days]
        if all(r and r["state"] in TERMINAL and r.get("end_date") and
               _epoch(r["end_date"]) > t_again for r in fresh):
            return runs
        return None

    runs = _wait("the reprocessing backfill", reprocessed, timeout=300, detail=detail)
    for day in days:
        assert runs[day]["state"] == "success", detail()
    assert _articles(database) == rows
    assert _article_events(client) == events  # no article changed: no event for consumers

    print(f"\nnewsmill airflow up: {stack['up_seconds']:.0f} s; 3-day backfill: {backfill_seconds:.0f} s; "
          f"scheduled day: {_epoch(scheduled['end_date']) - _epoch(scheduled['start_date']):.0f} s; "
          f"reprocess backfill: {time.time() - t_again:.0f} s")


def _epoch(stamp: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
