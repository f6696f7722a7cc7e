"""`newsmill airflow up --distributed` and the real newsmill_daily DAG on it, a worker killed mid-crawl.

One stack for the module (real PostgreSQL, Redis, S3 server, Airflow on Celery), the demo sites on
loopback (article pages answered after a short delay, so a crawl lasts long enough to be killed):
  1. `up` starts every process and service, `status` lists each one running, `env` points Airflow's
     CLI at the Celery executor and this Redis, the S3 bucket answers; the warehouse is the stack's
     DuckLake (catalog in its PostgreSQL, Parquet in its S3 bucket); a third Celery worker on queue
     `crawl` joins (`supervisor.add_worker`), each worker with a data folder of its own; the demo
     days are backfilled, two runs at a time: collects run on the `crawl` queue's workers only,
     loads on the `warehouse` queue's;
  2. the lake's articles equal those of an embedded `newsmill backfill` of the same days into a
     DuckDB file, column for column (times, run ids and WARC offsets aside);
  3. the first crawl seen running on a crawl worker gets every process of that worker SIGKILLed,
     as when its machine dies: the task is retried, succeeds on the other crawl worker, and no
     article is lost or loaded twice;
  4. loads wait for a pool slot until every crawl is done, then two warehouse workers load at
     once: their running times overlap, and all landed: no URL twice;
  5. a reader thread queries the lake read-only throughout, without an error, and never sees a
     source's day in part; `newsmill query` reads the lake with what `newsmill airflow env` exports;
  6. every process SIGKILLed (stale pid file, PostgreSQL's stale postmaster.pid, its cluster
     already made): up works again on the same home;
  7. `down` leaves nothing of the module running.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
import urllib.request
from datetime import date, datetime
from pathlib import Path

import pytest

from bench.cli_harness import NEWSMILL, alive_in_session, alive_naming, kill_naming, kill_session
from newsmill import demo
from newsmill.config import load_config
from newsmill.demo import Page
from newsmill.demo.server import send_page
from newsmill.local_airflow import DAG_ID, services, supervisor
from newsmill.local_airflow.client import AirflowClient
from newsmill.warehouse import connect
from newsmill.warehouse.connection import check_usable

pytestmark = pytest.mark.integration

FIRST = date(2026, 11, 18)
LAST = date(2026, 11, 19)
DAYS = [FIRST, LAST]
TERMINAL = {"success", "failed"}
PAGE_DELAY = 0.4  # seconds before an article page answers: a crawl runs for seconds, not a blink
EXTRA_WORKER = "worker-second-crawl"
CRAWL_WORKERS = ("worker-crawl", EXTRA_WORKER)
SECOND_WAREHOUSE = "worker-second-warehouse"  # a worker runs one task at a time: two loads need two
EVERY = {"postgres", "redis", "s3", "api-server", "scheduler", "dag-processor", "triggerer",
         "worker-crawl", "worker-warehouse"}  # what `up --distributed` starts
COLUMNS = ("url, source, pub_date, listed_date, date_source, title, authors, description, site_name, "
           "language, tags, content_hash, word_count")


def _wait(what: str, predicate, timeout: float, interval: float = 1.0, detail=lambda: ""):
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}; {detail()}")
        time.sleep(interval)
    return value


def _slowed(page: Page, seconds: float):
    """`page` answered after `seconds` (the server answers each request on a thread of its own)."""

    def answer(request) -> None:
        time.sleep(seconds)
        with contextlib.suppress(ConnectionError):  # the killed worker's crawl hung up
            send_page(request, page)

    return answer


def _slow_articles(servers: demo.DemoServers) -> None:
    for server, site in zip(servers, servers.demo.sites, strict=True):
        routes = demo.site_routes(servers.demo, site, server.url)
        server.set_routes({path: _slowed(page, PAGE_DELAY) if site.by_path(path) else page
                           for path, page in routes.items()})


def _articles(warehouse) -> list[tuple]:
    with connect(warehouse, read_only=True, timeout=120) as con:
        return con.execute(f"SELECT {COLUMNS} FROM articles ORDER BY url").fetchall()


class Reader(threading.Thread):
    """Queries the lake read-only until stopped, each time on a new connection, as a dashboard
    would: records every error and every (source, day) seen with a count other than the day's."""

    def __init__(self, lake) -> None:
        super().__init__(daemon=True)
        self.lake, self.stop = lake, threading.Event()
        self.queries, self.errors, self.partial, self.duplicates = 0, [], [], []

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                with connect(self.lake, read_only=True, timeout=60) as con:
                    seen = con.execute("SELECT source, pub_date, count(*), count(DISTINCT url) FROM articles "
                                       "GROUP BY ALL").fetchall()
            except Exception as exc:  # noqa: BLE001 - every error is a finding
                self.errors.append(repr(exc))
            else:
                self.queries += 1
                for source, day, n, distinct in seen:
                    if n != demo.expected_counts(source, day):
                        self.partial.append((source, day, n))
                    if n != distinct:
                        self.duplicates.append((source, day, n, distinct))
            self.stop.wait(0.5)


def _crawling(folders: dict[str, Path]) -> tuple[str, Path] | None:
    """A crawl worker with a crawl under way: a crawl.jsonl with a line in its data folder."""
    for name in CRAWL_WORKERS:
        for log in Path(folders[name]).rglob("crawl.jsonl"):
            if log.stat().st_size > 0:
                return name, log
    return None


def _machine(folder: str | Path) -> str:
    """What the processes one worker starts have in their environment: its own data folder. With
    the worker's session (the processes that retitle themselves overwrite their environment) that
    is all it runs: a task's processes may lead process groups or sessions of their own."""
    return f"NEWSMILL_DATA_DIR={folder}\0"


def _epoch(stamp: str | None) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp() if stamp else 0.0


def _overlapping(tis: list[dict]) -> list[tuple[str, str]]:
    """Pairs of task instances (by run and map index) whose running times overlap."""
    spans = sorted((_epoch(ti["start_date"]), _epoch(ti["end_date"]), f"{ti['dag_run_id']}[{ti['map_index']}]")
                   for ti in tis if ti.get("start_date") and ti.get("end_date"))
    return [(a[2], b[2]) for i, a in enumerate(spans) for b in spans[i + 1:] if b[0] < a[1]]


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    """Everything the checks read: the stack up, the backfill done with a worker killed, the
    embedded reference run, the reader's findings; `down` afterwards."""
    tmp = tmp_path_factory.mktemp("distributed-dag")
    home = tmp / "airflow"
    config = tmp / "sources.toml"
    reference = tmp / "reference.toml"
    with demo.serve_demo(ports=(0, 0, 0)) as servers, pytest.MonkeyPatch.context() as patch:
        _slow_articles(servers)
        config.write_text(demo.demo_config_text(servers, data_dir=tmp / "data") + "\n" + services.STACK_CONFIG)
        reference.write_text(demo.demo_config_text(servers, data_dir=tmp / "reference"))
        env = {
            **os.environ,
            "NEWSMILL_AIRFLOW_HOME": str(home),
            "NEWSMILL_AIRFLOW_PORT": str(supervisor.free_port()),
            "NEWSMILL_CONFIG": str(config),
            "NEWSMILL_DATA_DIR": str(tmp / "data"),
            # no scheduled run: the days are the DAG's whole range, and it does not catch up
            "NEWSMILL_START_DATE": FIRST.isoformat(),
            "NEWSMILL_END_DATE": LAST.isoformat(),
            "NEWSMILL_CATCHUP": "false",
            "NEWSMILL_EXTRACT_WORKERS": "1",
            # a killed worker's task is failed (and retried) this long after its last heartbeat
            "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "20",
            "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "3",
        }

        def cli(*args: str) -> str:
            done = subprocess.run([NEWSMILL, "airflow", *args], env=env, capture_output=True, text=True,
                                  timeout=300)
            assert done.returncode == 0, f"newsmill airflow {' '.join(args)}: exit {done.returncode}\n{done.stderr}"
            return done.stdout

        started = time.monotonic()
        embedded = subprocess.Popen([NEWSMILL, "--config", str(reference), "backfill", "--from", FIRST.isoformat(),
                                     "--to", LAST.isoformat(), "-q"], stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
        result: dict = {"tmp": tmp, "home": home, "cli": cli, "env": env, "config": config}
        try:
            result["up"] = cli("up", "--distributed")
            recorded = supervisor.status(home)
            for name, value in recorded.service_ports.airflow_env().items():
                if not name.startswith("AIRFLOW__"):  # where PostgreSQL and S3 are, for this process
                    patch.setenv(name, value)
            supervisor.add_worker(home, EXTRA_WORKER, "crawl")
            supervisor.add_worker(home, SECOND_WAREHOUSE, "warehouse")
            lake = result["lake"] = load_config(config).settings.lake
            check_usable(lake)  # the catalog and empty tables, so the reader has a lake from the start
            out, err = embedded.communicate(timeout=300)
            assert embedded.returncode == 0, f"embedded backfill: exit {embedded.returncode}\n{err}"
            result["reference"] = _articles(tmp / "reference" / "news.duckdb")
            up_seconds = time.monotonic() - started

            reader = Reader(lake)
            reader.start()
            client = AirflowClient(recorded.url)
            client.wait_dag(DAG_ID)
            result["pool"], result["status"] = client.pool(supervisor.POOL), cli("status")
            result["exports"], result["recorded"] = cli("env"), supervisor.status(home)
            # loads wait (no pool slot) until every collect is done, then start together: two at once
            client.ensure_pool(supervisor.POOL, 0, "held by the test")
            t_backfill = time.monotonic()
            cli("backfill", "--from", FIRST.isoformat(), "--to", LAST.isoformat(), "--max-active-runs", "2")
            cli("unpause")
            folders = supervisor.status(home).workers
            killed = _wait("a crawl under way on a crawl worker", lambda: _crawling(folders) or _over(client),
                           timeout=240, interval=0.2)
            assert isinstance(killed, tuple), f"the runs ended before a crawl was seen:\n{_where_tasks_ran(client)}"
            killed_at = time.time()
            worker = supervisor.status(home).pids[killed[0]]
            kill_session(worker)
            kill_naming(_machine(folders[killed[0]]))
            result["killed"] = (*killed, killed_at, worker)
            _wait("every collect", lambda: _collected(client) or _over(client), timeout=300, interval=1,
                  detail=lambda: _where_tasks_ran(client))
            client.ensure_pool(supervisor.POOL, supervisor.LAKE_POOL_SLOTS, supervisor.LAKE_POOL_DESCRIPTION)

            result["runs"] = _wait("the backfill", lambda: _over(client), timeout=420, interval=2,
                                   detail=lambda: _where_tasks_ran(client))
            result["tis"] = [ti for run in result["runs"] for ti in client.task_instances(DAG_ID, run["dag_run_id"])]
            result["detail"] = _where_tasks_ran(client)
            reader.stop.set()
            reader.join(timeout=60)
            result["reader"] = reader
            result["articles"] = _articles(lake)
            print(f"\nup --distributed and the embedded backfill: {up_seconds:.0f} s; DAG backfill of "
                  f"{len(DAYS)} days with a worker killed: {time.monotonic() - t_backfill:.0f} s; "
                  f"reader: {reader.queries} queries")
            yield result
        finally:
            if embedded.poll() is None:
                embedded.kill()
            subprocess.run([NEWSMILL, "airflow", "down"], env=env, capture_output=True, timeout=300)


def _over(client: AirflowClient) -> list[dict] | None:
    """The backfill's runs once every one has ended."""
    runs = [run for run in client.dag_runs(DAG_ID) if run.get("logical_date")]
    return runs if len(runs) == len(DAYS) and all(run["state"] in TERMINAL for run in runs) else None


def _collected(client: AirflowClient) -> bool:
    """Every run's collect tasks mapped and succeeded."""
    runs = [run for run in client.dag_runs(DAG_ID) if run.get("logical_date")]
    collects = [[ti for ti in client.task_instances(DAG_ID, run["dag_run_id"])
                 if ti["task_id"].endswith("collect") and ti["map_index"] >= 0] for run in runs]
    return len(runs) == len(DAYS) and all(tis and all(ti["state"] == "success" for ti in tis) for tis in collects)


def _where_tasks_ran(client: AirflowClient) -> str:
    lines = []
    for run in client.dag_runs(DAG_ID):
        lines.append(f"{run['dag_run_id']}: {run['state']}")
        for ti in client.task_instances(DAG_ID, run["dag_run_id"]):
            lines.append(f"  {ti['task_id']}[{ti['map_index']}] {ti['state']} try {ti['try_number']} "
                         f"queue {ti.get('queue')}")
    return "\n".join(lines)


def test_the_stack_names_the_lake_and_lists_the_added_workers(scenario) -> None:
    lake = scenario["lake"]
    assert f"write {lake}" in scenario["up"]
    status = scenario["status"].splitlines()
    assert status[1] == f"  warehouse      {lake}  (config {scenario['config']})"
    for name in ("worker-crawl", "worker-warehouse", EXTRA_WORKER, SECOND_WAREHOUSE):
        assert any(line.split()[:1] == [name] and " running" in line for line in status), (name, status)
    assert scenario["pool"]["slots"] == supervisor.LAKE_POOL_SLOTS  # up gave the lake's loads room
    recorded = scenario["recorded"]
    assert set(recorded.pids) == EVERY | {EXTRA_WORKER, SECOND_WAREHOUSE}
    for name in EVERY:
        assert any(line.split()[:1] == [name] and " running" in line for line in status), (name, status)
    exports = scenario["exports"]  # Airflow's own CLI, pointed at this stack
    assert "AIRFLOW__CORE__EXECUTOR=CeleryExecutor" in exports
    assert f"redis://127.0.0.1:{recorded.service_ports.redis}/0" in exports
    with urllib.request.urlopen(recorded.services["s3"], timeout=10) as bucket:  # the bucket `up` made
        assert bucket.status == 200


def test_collects_ran_on_crawl_workers_and_loads_on_warehouse_workers(scenario) -> None:
    queues = {ti["task_id"]: ti["queue"] for ti in scenario["tis"]}
    assert {queue for task, queue in queues.items() if task.endswith("collect")} == {"crawl"}, queues
    assert {queue for task, queue in queues.items() if task.endswith("load")} == {"warehouse"}, queues
    # the crawl writes WARC in its worker's data folder; a load fetches only the run's files
    folders = supervisor.status(scenario["home"]).workers
    survivor = next(name for name in CRAWL_WORKERS if name != scenario["killed"][0])
    assert list(Path(folders[survivor]).rglob("*.warc.gz"))
    for name in ("worker-warehouse", SECOND_WAREHOUSE):
        assert list(Path(folders[name]).rglob("*.warc.gz")) == [], name


def test_every_run_succeeds_and_the_lake_equals_the_embedded_run(scenario) -> None:
    assert [run["state"] for run in scenario["runs"]] == ["success"] * len(DAYS), scenario["detail"]
    articles, reference = scenario["articles"], scenario["reference"]
    assert len(reference) == sum(demo.expected_counts(spec.name, day) for spec in demo.SITES for day in DAYS)
    assert articles == reference


def test_a_crawl_worker_killed_mid_crawl_its_task_retried_on_the_other(scenario) -> None:
    worker, log, killed_at, session = scenario["killed"]
    assert alive_naming(_machine(supervisor.status(scenario["home"]).workers[worker])) == []
    assert alive_in_session(session) == []
    queues = {ti["task_id"]: ti["queue"] for ti in scenario["tis"]}
    crawl_tasks = {task for task, queue in queues.items() if queue == "crawl"}
    assert crawl_tasks, queues
    retried = [ti for ti in scenario["tis"] if ti["task_id"] in crawl_tasks and ti["try_number"] > 1]
    assert retried and all(ti["state"] == "success" for ti in retried), scenario["detail"]
    # the retries ran after the kill, so on a worker still alive: the other crawl worker
    assert all(_epoch(ti["start_date"]) > killed_at for ti in retried), retried
    # the killed crawl's run (named by its days and source) ran again in the other worker's folder
    other = next(name for name in CRAWL_WORKERS if name != worker)
    again = Path(supervisor.status(scenario["home"]).workers[other]).rglob(f"{log.parent.name}/crawl.jsonl")
    assert any(path.stat().st_size > 0 for path in again), (other, log)
    urls = [row[0] for row in scenario["articles"]]
    assert len(urls) == len(set(urls))


def test_loads_at_once_all_land_without_a_duplicate_url(scenario) -> None:
    loads = [ti for ti in scenario["tis"] if ti["task_id"].endswith("load")]
    assert len(loads) >= len(DAYS) and all(ti["state"] == "success" for ti in loads), scenario["detail"]
    assert _overlapping(loads), "no two loads ran at the same time"
    urls = [row[0] for row in scenario["articles"]]
    assert len(urls) == len(set(urls))


def test_a_reader_queries_throughout_and_never_sees_part_of_a_load(scenario) -> None:
    reader = scenario["reader"]
    assert reader.errors == []
    assert reader.queries >= 10
    assert reader.partial == [] and reader.duplicates == []
    # `newsmill query` in a shell that has only what `newsmill airflow env` exports reaches the lake
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "AWS_", "NEWSMILL_"))}
    home, config = scenario["home"], scenario["config"]
    shell = subprocess.run(
        ["bash", "-c", f'eval "$({NEWSMILL} airflow --home {home} env)" && '
                       f'{NEWSMILL} --config {config} query --format csv "SELECT count(*), count(DISTINCT url) FROM articles"'],
        env=env, capture_output=True, text=True, timeout=120)
    assert shell.returncode == 0, shell.stderr
    n = len(scenario["articles"])
    assert shell.stdout.splitlines()[-1] == f"{n},{n}"


def test_up_again_after_every_process_was_killed(scenario) -> None:
    """As after a power cut: stale pid file, PostgreSQL's stale postmaster.pid, its cluster, databases
    and bucket already made (no initdb this time)."""
    home, cli = scenario["home"], scenario["cli"]
    for pgid in supervisor.status(home).pids.values():
        with contextlib.suppress(ProcessLookupError):  # the crawl worker killed before is gone
            os.killpg(pgid, signal.SIGKILL)
    assert (home / "postgres" / "postmaster.pid").exists()
    cli("up", "--distributed")
    assert set(supervisor.status(home).pids) == EVERY
    assert all(" running" in line for line in cli("status").splitlines()[2:])


def test_down_leaves_nothing_running(scenario) -> None:
    sessions = supervisor.status(scenario["home"]).pids.values()  # each process was started in its own
    scenario["cli"]("down")
    assert [(sid, alive_in_session(sid)) for sid in sessions if alive_in_session(sid)] == []
    assert not (scenario["home"] / supervisor.STATE_FILE).exists()
    assert _wait("every process of the stack to end", lambda: alive_naming(str(scenario["tmp"])) == [],
                 timeout=20, detail=lambda: alive_naming(str(scenario["tmp"])))
