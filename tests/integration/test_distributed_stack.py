"""`newsmill airflow up --distributed` with real services, on loopback only (~2 minutes).

PostgreSQL, Redis, the S3 server, Airflow on the CeleryExecutor and two Celery workers, driven by
the real CLI against a temp home:
  1. up starts every process and service, `status` lists each one running, `env` points Airflow's
     CLI at the Celery executor and this Redis;
  2. a DAG with a task on queue `crawl` and one on queue `warehouse` runs: each task's file lands in
     its own worker's data folder, none in the other's;
  3. down stops everything; up again on the same home (its PostgreSQL cluster already made);
  4. every process SIGKILLed (stale pid file, PostgreSQL's stale postmaster.pid): up works again;
  5. down leaves no process of this test running.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from bench.cli_harness import NEWSMILL, alive_naming
from newsmill.local_airflow import supervisor
from newsmill.local_airflow.client import AirflowClient
from newsmill.local_airflow.supervisor import free_port

pytestmark = pytest.mark.integration

DAGS = Path(__file__).with_name("distributed_dags")
DAG_ID = "queue_probe"
EVERY = {"postgres", "redis", "s3", "api-server", "scheduler", "dag-processor", "triggerer",
         "worker-crawl", "worker-warehouse"}


def _wait(what: str, predicate, timeout: float, interval: float = 1.0):
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)
    return value


def test_distributed_stack_routes_queues_to_their_workers_and_stops_cleanly(tmp_path: Path) -> None:
    home = tmp_path / "airflow"
    env = {**os.environ, "NEWSMILL_AIRFLOW_HOME": str(home), "NEWSMILL_DATA_DIR": str(tmp_path / "data"),
           "NEWSMILL_AIRFLOW_PORT": str(free_port())}

    def cli(*args: str) -> str:
        done = subprocess.run([NEWSMILL, "airflow", *args], env=env, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, f"newsmill airflow {' '.join(args)}: exit {done.returncode}\n{done.stderr}"
        return done.stdout

    def up() -> float:
        started = time.monotonic()
        cli("up", "--distributed", "--dags-folder", str(DAGS))
        return time.monotonic() - started

    def state() -> dict:
        return json.loads((home / supervisor.STATE_FILE).read_text())

    try:
        up_seconds = up()
        recorded = state()
        assert set(recorded["pids"]) == EVERY
        lines = cli("status").splitlines()
        assert "runs at" in lines[0], lines
        for name in EVERY:
            assert any(line.split()[:1] == [name] and " running" in line for line in lines), (name, lines)
        exports = cli("env")  # Airflow's own CLI, pointed at this stack
        assert "AIRFLOW__CORE__EXECUTOR=CeleryExecutor" in exports
        assert f"redis://127.0.0.1:{recorded['service_ports']['redis']}/0" in exports
        # the services answer where the state file says
        s3 = recorded["services"]["s3"]
        with urllib.request.urlopen(s3, timeout=10) as bucket:  # the bucket `up` created
            assert bucket.status == 200

        client = AirflowClient(recorded["url"])
        client.wait_dag(DAG_ID)
        client.set_paused(DAG_ID, False)
        run = client.write("POST", f"/api/v2/dags/{DAG_ID}/dagRuns", {"logical_date": None})
        run_id = run["dag_run_id"]

        def finished() -> str | None:
            found = client.get(f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}")["state"]
            return found if found in ("success", "failed") else None

        assert _wait("the probe run", finished, timeout=180) == "success"
        workers = {name: Path(folder) for name, folder in recorded["workers"].items()}
        assert sorted(p.name for p in workers["worker-crawl"].iterdir()) == ["ran-crawl.txt"]
        assert sorted(p.name for p in workers["worker-warehouse"].iterdir()) == ["ran-warehouse.txt"]
        queues = {ti["task_id"]: ti["queue"] for ti in client.task_instances(DAG_ID, run_id)}
        assert queues == {"on_crawl": "crawl", "on_warehouse": "warehouse"}

        cli("down")
        assert alive_naming(str(tmp_path)) == []
        assert (home / "postgres" / "PG_VERSION").exists()
        restart_seconds = up()  # the cluster, databases and bucket exist: no initdb this time

        for pgid in state()["pids"].values():
            os.killpg(pgid, signal.SIGKILL)
        assert (home / "postgres" / "postmaster.pid").exists()
        after_kill_seconds = up()
        assert set(state()["pids"]) == EVERY
        assert all(" running" in line for line in cli("status").splitlines()[2:])
        print(f"up --distributed: {up_seconds:.0f} s first, {restart_seconds:.0f} s after down, "
              f"{after_kill_seconds:.0f} s after SIGKILL")
    finally:
        subprocess.run([NEWSMILL, "airflow", "down"], env=env, capture_output=True, timeout=300)
    assert not (home / supervisor.STATE_FILE).exists()
    assert _wait("every process of the stack to end", lambda: alive_naming(str(tmp_path)) == [], timeout=15)
