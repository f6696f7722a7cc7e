"""The DAG under the real Airflow 3 scheduler, end to end, on loopback only (~2-3 minutes).

Starts api-server, scheduler and dag-processor (newsmill.airflow_local) in a temp AIRFLOW_HOME on
ephemeral ports, serves the demo sites on ephemeral ports, then:
  1. backfills 3 days and unpauses the DAG, whose start_date = end_date = the next day with
     catchup on, so the scheduler also creates exactly one *scheduled* run;
  2. asserts the DuckDB rows per source and day, and the recorded day checks;
  3. backfills the same 3 days again with reprocess "completed" and asserts the rows are unchanged;
  4. stops every process it started and checks none is left.
"""

from __future__ import annotations

import os
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

pytest.importorskip("airflow", reason="the airflow extra is not installed")
demo = pytest.importorskip("newsmill.demo", reason="newsmill.demo is not available")
if not hasattr(demo, "serve_demo") or not hasattr(demo, "write_demo_config"):
    pytest.skip("newsmill.demo has no serve_demo/write_demo_config yet", allow_module_level=True)

from newsmill import airflow_local  # noqa: E402
from newsmill.airflow_local import DAG_ID  # noqa: E402

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


def _failure_detail(client, procs) -> str:
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
    logs = sorted(Path(procs.home, "logs").rglob("*.log"), key=lambda p: p.stat().st_mtime)[-3:]
    for log in logs:
        tail = log.read_text(errors="replace").splitlines()[-12:]
        lines.append(f"--- {log.relative_to(procs.home)}\n" + "\n".join(tail))
    return "\n".join(lines)


def _articles(database: Path) -> list[tuple]:
    from newsmill.warehouse import connect

    with connect(database, read_only=True, timeout=120) as con:
        return con.execute(
            "SELECT url, source, pub_date, listed_date, content_hash, word_count FROM articles ORDER BY url"
        ).fetchall()


def _day_checks(database: Path) -> dict[tuple[date, str], tuple]:
    from newsmill.warehouse import connect

    with connect(database, read_only=True, timeout=120) as con:
        rows = con.execute("SELECT day, source, articles, ok, message FROM day_checks").fetchall()
    return {(day, source): (n, ok, message) for day, source, n, ok, message in rows}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """Demo sites + local Airflow, all on 127.0.0.1; everything stopped afterwards."""
    tmp = tmp_path_factory.mktemp("airflow-it")
    data_dir = tmp / "data"
    config_path = tmp / "sources.toml"
    with demo.serve_demo(ports=(0, 0, 0)) as servers:
        demo.write_demo_config(config_path, servers, data_dir=data_dir)
        env_extra = {
            "NEWSMILL_CONFIG": str(config_path),
            "NEWSMILL_DATA_DIR": str(data_dir),
            "NEWSMILL_DB": str(data_dir / "news.duckdb"),
            "NEWSMILL_START_DATE": SCHEDULED.isoformat(),
            "NEWSMILL_END_DATE": SCHEDULED.isoformat(),
            "NEWSMILL_CATCHUP": "true",
            "NEWSMILL_MAX_ACTIVE_RUNS": "4",
            "NEWSMILL_EXTRACT_WORKERS": "1",
        }
        started = time.monotonic()
        procs = airflow_local.start(tmp / "airflow", port=airflow_local.free_port(), env_extra=env_extra)
        groups = list(procs.pids.values())
        try:
            yield {"procs": procs, "client": procs.client(), "database": data_dir / "news.duckdb",
                   "servers": servers, "started": started}
        finally:
            procs.stop()
            leftovers = [pgid for pgid in groups if airflow_local._group_alive(pgid)]
            assert leftovers == [], f"process groups still running after stop: {leftovers}"
            assert _our_processes(tmp) == []


def _our_processes(tmp: Path) -> list[str]:
    """Processes whose environment points at this test's temp dir (i.e. started by this test)."""
    marker = str(tmp).encode()
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            if marker in (proc / "environ").read_bytes():
                cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                found.append(f"{proc.name}: {cmd[:100]}")
        except OSError:
            continue
    return found


def test_backfill_scheduled_run_and_reprocess(stack) -> None:
    procs, client, database = stack["procs"], stack["client"], stack["database"]
    detail = lambda: _failure_detail(client, procs)  # noqa: E731
    client.wait_dag(DAG_ID, timeout=120)

    # 1. backfill FIRST..LAST (runs stay queued while paused), then unpause: the scheduler also
    #    creates the one scheduled run (start_date = end_date = SCHEDULED, catchup on).
    t_backfill = time.monotonic()
    backfill = client.backfill(DAG_ID, FIRST, LAST, max_active_runs=3)
    assert backfill["dag_id"] == DAG_ID
    client.set_paused(DAG_ID, False)
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

    # 3. the same backfill again, reprocessing completed runs: rows unchanged
    t_again = time.time()
    client.backfill(DAG_ID, FIRST, LAST, reprocess="completed", max_active_runs=3, wait_busy=90)

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

    print(f"\nairflow up -> first backfill created: {t_backfill - stack['started']:.0f} s; "
          f"3-day backfill: {backfill_seconds:.0f} s; scheduled day: "
          f"{_epoch(scheduled['end_date']) - _epoch(scheduled['start_date']):.0f} s; "
          f"reprocess backfill: {time.time() - t_again:.0f} s")


def _epoch(stamp: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
