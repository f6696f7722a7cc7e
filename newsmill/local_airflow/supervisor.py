"""Start and stop a local Airflow 3 for newsmill's DAGs: api-server, scheduler, dag-processor and
triggerer (Airflow 3's health check and UI expect one; it also runs deferred tasks).

Everything binds 127.0.0.1. Metadata lives in SQLite under the Airflow home, tasks run under the
LocalExecutor with parallelism 4 (or, with ``distributed``, on two Celery workers with queues and
data folders of their own, the metadata in PostgreSQL and the broker Redis: ``services`` starts
those, and an S3 server, before Airflow), and the one-slot ``duckdb`` pool that the DAGs' DuckDB writes use
is created (or reset) before the scheduler starts. ``start`` reads the newsmill config once and hands
the processes its absolute path, data folder and warehouse, so tasks write the file ``up`` names
whatever their working directory. Each process runs in its own session (process group), so
stopping it with one ``killpg`` also ends every child it forked (executor workers, task processes,
crawls) and nothing depends on the process that started them staying alive. Process ids go to
``<home>/newsmill-airflow.json``; logs to ``<home>/logs/newsmill-*.log``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import json
import os
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from newsmill import processes
from newsmill.config import AIRFLOW_API, AIRFLOW_PORT, CONFIG, DATA_DIR, DATABASE
from newsmill.local_airflow import AirflowLocalError, keeper, services
from newsmill.local_airflow.client import AirflowClient

PARALLELISM = 4
POOL = "duckdb"
POOL_DESCRIPTION = "newsmill: one writer at a time on the DuckDB file"
# On a DuckLake several loads may write at once (the load retries a commit that conflicts); the
# workers serving the warehouse queue bound them on the distributed stack.
LAKE_POOL_SLOTS = 4
LAKE_POOL_DESCRIPTION = "newsmill: loads and checks writing the DuckLake at once"
STATE_FILE = "newsmill-airflow.json"
SECRETS_FILE = "newsmill-secrets.json"
HOST = "127.0.0.1"
# What starts once the api-server is healthy (arguments after `airflow`); no log servers: task
# logs are read from their files.
COMMANDS = {
    "scheduler": ["scheduler", "--skip-serve-logs"],
    "dag-processor": ["dag-processor"],
    "triggerer": ["triggerer", "--skip-serve-logs"],
}
# Start order; stop goes in reverse so nothing is left to queue work on a dead api-server.
ORDER = ("api-server", *COMMANDS)
# The distributed stack's Celery workers and their queues; each runs one task at a time (Celery's
# solo pool, `services.Ports.airflow_env` says why) and has a data folder of its own
# (<home>/workers/<name>), as two machines would: a task finds no file another worker wrote.
WORKERS = {"worker-crawl": "crawl", "worker-warehouse": "warehouse,default"}
DISTRIBUTED_ORDER = (*services.NAMES, *ORDER, *WORKERS)
WORKER_PREFIX = "worker-"  # the names of workers, those of WORKERS and those `add_worker` adds
# What a recorded Airflow process's command line holds while the pid is still ours: the keeper it
# runs under (`_spawn`); a service's is its program (services.MARKERS).
KEEPER_MARKER = keeper.__name__.encode()
# Seconds a process group whose leader died gets between SIGTERM and SIGKILL.
ORPHAN_GRACE = 5.0

Say = Callable[[str], None]


class PortInUseError(AirflowLocalError):
    """The port the api-server should listen on is taken."""


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def repo_root() -> Path:
    return Path(__file__).resolve().parents[2]


def default_dags_folder() -> Path:
    return repo_root() / "dags"


def airflow_command() -> str:
    """The `airflow` executable of this interpreter's environment."""
    candidate = Path(sys.executable).with_name("airflow")
    if candidate.exists():
        return str(candidate)
    found = shutil.which("airflow")
    if not found:
        raise AirflowLocalError(
            "the `airflow` command is not installed; install newsmill with the airflow extra "
            "(uv sync --extra airflow, or pip install 'newsmill[airflow]')"
        )
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return True
    return False


def _secrets(home: Path) -> dict[str, str]:
    """JWT and session secrets shared by all processes of this home (kept so restarts keep sessions)."""
    path = home / SECRETS_FILE
    if path.exists():
        with contextlib.suppress(ValueError, OSError):
            values = json.loads(path.read_text())
            if {"jwt_secret", "secret_key"} <= set(values):
                return values
    values = {"jwt_secret": secrets.token_urlsafe(64), "secret_key": secrets.token_urlsafe(32)}
    home.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(values, handle)
    return values


def airflow_env(
    home: Path,
    dags_folder: Path,
    port: int,
    *,
    parallelism: int = PARALLELISM,
    env_extra: dict[str, str] | None = None,
    settings: dict[str, str] | None = None,
) -> dict[str, str]:
    """The environment every Airflow process of this home runs with (also good for `airflow` CLI
    calls); `settings` replace the local defaults (the distributed stack's executor and database)."""
    home = Path(home).resolve()
    keys = _secrets(home)
    url = f"http://{HOST}:{port}"
    env = {**os.environ, **(env_extra or {})}
    # Compiled bytecode: without it every task process pays seconds importing Airflow.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(Path(dags_folder).resolve()),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": str(parallelism),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            "AIRFLOW__CORE__AUTH_MANAGER": (
                "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
            ),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
            "AIRFLOW__API__HOST": HOST,
            "AIRFLOW__API__PORT": str(port),
            "AIRFLOW__API__BASE_URL": url,
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{url}/execution/",
            "AIRFLOW__API_AUTH__JWT_SECRET": keys["jwt_secret"],
            "AIRFLOW__API__SECRET_KEY": keys["secret_key"],
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
            AIRFLOW_API.name: url,  # where the DAG's first task notes the run's day
        }
    )
    env.update(settings or {})
    return env


@dataclass(frozen=True)
class NewsmillPaths:
    """The sources config, data folder and warehouse the tasks of a local Airflow use (absolute);
    `lake` names the config's DuckLake, which is the warehouse instead of `database` when set."""

    config: Path
    data_dir: Path
    database: Path
    lake: str | None = None

    @property
    def warehouse(self) -> str:
        return self.lake or str(self.database)

    @property
    def env(self) -> dict[str, str]:
        """As the processes' NEWSMILL_* variables (also how the pid file records them)."""
        return {CONFIG.name: str(self.config), DATA_DIR.name: str(self.data_dir),
                DATABASE.name: str(self.database)}

    @classmethod
    def from_env(cls, env: dict[str, str], lake: str | None = None) -> NewsmillPaths | None:
        try:
            return cls(Path(env[CONFIG.name]), Path(env[DATA_DIR.name]), Path(env[DATABASE.name]), lake)
        except (KeyError, TypeError):
            return None


def resolve_newsmill(env: dict[str, str]) -> NewsmillPaths:
    """Read the config that NEWSMILL_CONFIG/NEWSMILL_DATA_DIR/NEWSMILL_DB in `env` select (or the
    packaged default) as the CLI would here, with paths made absolute against this directory.

    A config's relative ``data_dir`` would otherwise be resolved against each task's working
    directory; pinning the paths makes the processes use the same warehouse as `newsmill` commands
    run here. Raises ConfigError for a config that cannot be used.
    """
    from newsmill.config import load_config

    config = load_config(CONFIG.value(env), data_dir=DATA_DIR.value(env), database=DATABASE.value(env))
    lake = config.settings.lake
    return NewsmillPaths(config=config.path.resolve(), data_dir=config.settings.data_dir.resolve(),
                         database=config.settings.database.resolve(), lake=str(lake) if lake else None)


# --- what runs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recorded:
    """What a home's pid file says, and which of those processes and process groups still run."""

    home: Path
    url: str | None = None
    port: int | None = None
    dags_folder: Path | None = None
    newsmill: NewsmillPaths | None = None
    pids: dict[str, int] = field(default_factory=dict)
    services: dict[str, str] = field(default_factory=dict)  # distributed stack: where each answers
    service_ports: services.Ports | None = None
    workers: dict[str, str] = field(default_factory=dict)  # distributed stack: each one's data folder
    leaders: dict[str, bool] = field(default_factory=dict)  # the recorded airflow process runs
    groups: dict[str, bool] = field(default_factory=dict)  # something of its process group runs
    started_at: datetime | None = None

    @property
    def running(self) -> bool:
        """All its processes run (a crashed or killed one makes it not running)."""
        expected = DISTRIBUTED_ORDER if self.services else ORDER
        return all(self.leaders.get(name, False) for name in expected)

    @property
    def remnants(self) -> dict[str, int]:
        """The recorded process groups that still have a process in them."""
        return {name: pid for name, pid in self.pids.items() if self.groups.get(name)}


def _group_alive(pgid: int) -> bool:
    """True while process group `pgid` has a process that has not exited (zombies do not count:
    a killed leader stays one until its new parent reaps it)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not processes.has_procfs() or bool(processes.group_members(pgid))


def _leader(pid: int, name: str = "") -> str:
    """What recorded pid `pid` (process `name`) is now: "airflow" (still the keeper of an airflow
    process, or the service `name`, leading its group), "gone" (exited; a zombie counts as gone) or
    "other" (the pid was reused)."""
    if not processes.has_procfs():  # trust a pid that still leads its group
        try:
            return "airflow" if os.getpgid(pid) == pid else "other"
        except OSError:
            return "gone"
    stat = processes.stat(pid)
    cmdline = processes.command_line(pid)
    if stat is None or stat[0] in processes.EXITED or cmdline is None:
        return "gone"
    return "airflow" if services.MARKERS.get(name, KEEPER_MARKER) in cmdline and stat[1] == pid else "other"


def status(home: Path) -> Recorded:
    """Read `home`'s pid file and look at each recorded process (group)."""
    home = Path(home).resolve()
    try:
        state = json.loads((home / STATE_FILE).read_text())
        pids = {str(name): int(pid) for name, pid in state["pids"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return Recorded(home=home)
    leaders = {name: _leader(pid, name) for name, pid in pids.items()}
    return Recorded(
        home=home,
        url=state.get("url"),
        port=state.get("port"),
        dags_folder=Path(state["dags_folder"]) if state.get("dags_folder") else None,
        newsmill=NewsmillPaths.from_env(state.get("newsmill") or {}, state.get("lake")),
        pids=pids,
        services=dict(state.get("services") or {}),
        service_ports=services.Ports(**state["service_ports"]) if state.get("service_ports") else None,
        workers=dict(state.get("workers") or {}),
        started_at=_timestamp(state.get("started_at")),
        leaders={name: leader == "airflow" for name, leader in leaders.items()},
        # a reused pid leads someone else's group, which is none of ours
        groups={name: leaders[name] != "other" and _group_alive(pid) for name, pid in pids.items()},
    )


def _timestamp(text: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text))
    except ValueError:
        return None


def restarts(home: Path, name: str, since: datetime) -> int:
    """How often process `name`'s keeper restarted it since `since` (its log says each time)."""
    try:
        lines = (Path(home) / "logs" / f"newsmill-{name}.log").read_text(errors="replace").splitlines()
    except OSError:
        return 0
    said = [line.split(" ", 1)[0] for line in lines
            if f"{keeper.SAYS} {name} " in line and f"; {keeper.RESTART} " in line]
    return sum(1 for stamp in map(_timestamp, said) if stamp and stamp >= since)


@dataclass
class AirflowProcesses:
    """A started local Airflow: its home, URL, environment, newsmill paths and processes (by name)."""

    home: Path
    port: int
    env: dict[str, str]
    newsmill: NewsmillPaths
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    services: services.Ports | None = None  # the distributed stack's services
    workers: dict[str, Path] = field(default_factory=dict)  # Celery worker -> its data folder

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def pids(self) -> dict[str, int]:
        return {name: proc.pid for name, proc in self.processes.items()}

    def stop(self, timeout: float = 30.0, say: Say = _say) -> None:
        _stop_groups(self.pids, timeout, say, popens=self.processes, home=self.home)
        (self.home / STATE_FILE).unlink(missing_ok=True)


def _stop_groups(pids: dict[str, int], timeout: float, say: Say,
                 popens: dict[str, subprocess.Popen] | None = None, home: Path | None = None) -> None:
    """SIGTERM each group (a service its own stop signal), SIGKILL what is left after `timeout`, or
    after ORPHAN_GRACE for a group whose leader is gone (nothing is left to shut its workers down).
    Without `popens` (groups read from a pid file) a group is only signalled while its leader is
    airflow (or the service) or gone, never a reused pid. Reverse start order: Airflow before the
    services it uses."""
    names = [n for n in reversed(DISTRIBUTED_ORDER) if n in pids]
    names += [n for n in pids if n not in names]

    def send(pgid: int, sig: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, sig)

    def stop_signal(name: str, pgid: int) -> None:
        if name in services.STOP_SIGNALS:  # to the leader alone: it shuts its children down itself
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pgid, services.STOP_SIGNALS[name])
        else:
            send(pgid, signal.SIGTERM)

    def phase(names: list[str]) -> None:
        started = time.monotonic()
        deadlines: dict[str, float] = {}
        killed: list[int] = []
        for name in names:
            pgid = pids[name]
            if not _group_alive(pgid):
                continue
            leader = _leader(pgid, name)
            if popens is None and leader == "other":
                say(f"skipping {name} (pid {pgid}): not an airflow process any more")
                continue
            deadlines[name] = started + (ORPHAN_GRACE if leader == "gone" else timeout)
            stop_signal(name, pgid)
        while deadlines:
            for proc in (popens or {}).values():
                proc.poll()  # reap the ones this process started, so their groups can end
            for name in [n for n in deadlines if not _group_alive(pids[n])]:
                del deadlines[name]
            for name in [n for n, deadline in deadlines.items() if time.monotonic() >= deadline]:
                waited = deadlines.pop(name) - started
                say(f"{name} (process group {pids[name]}) did not stop in {waited:.0f} s; killing it")
                send(pids[name], signal.SIGKILL)
                killed.append(pids[name])
            time.sleep(0.2)
        gone_by = time.monotonic() + 10  # SIGKILL cannot be ignored; exiting still takes a moment
        while any(_group_alive(pgid) for pgid in killed) and time.monotonic() < gone_by:
            time.sleep(0.1)

    # Airflow's processes first, while the database and broker they shut down through still run.
    phase([n for n in names if n not in services.NAMES])
    if home is not None:
        _stop_tasks(home, set(pids.values()), timeout, say)
    phase([n for n in names if n in services.NAMES])


def _stop_tasks(home: Path, groups: set[int], timeout: float, say: Say) -> bool:
    """Stop the tasks still running once Airflow's processes are gone: an executor starts each task
    in a process group of its own, which a run under way at `down` leaves behind, crawling and
    loading with nothing to report to. They are found by the AIRFLOW_HOME they inherited."""
    marker = f"AIRFLOW_HOME={Path(home).resolve()}\0"

    def left() -> set[int]:
        found = {processes.stat(pid) for pid, _ in processes.naming(marker)}
        return {group for _, group in filter(None, found)} - groups

    tasks = left()
    if not tasks:
        return False
    say(f"stopping {len(tasks)} task process group(s) left running")
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 10.0)):
        for group in tasks:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(group, sig)
        deadline = time.monotonic() + wait
        while (tasks := left()) and time.monotonic() < deadline:
            time.sleep(0.2)
        if not tasks:
            break
    return True


def stop(home: Path, *, timeout: float = 30.0, say: Say = _say) -> bool:
    """Stop every process group recorded in `home` (SIGTERM, then SIGKILL); True if any ran."""
    recorded = status(home)
    remnants = recorded.remnants
    if remnants:  # its tasks are stopped between Airflow's processes and the services
        say("stopping " + ", ".join(f"{name} ({pid})" for name, pid in remnants.items()))
        _stop_groups(remnants, timeout, say, home=recorded.home)
        stopped = True
    else:  # the tasks of an Airflow killed before
        stopped = _stop_tasks(recorded.home, set(), timeout, say)
    (recorded.home / STATE_FILE).unlink(missing_ok=True)
    return stopped


# --- starting -----------------------------------------------------------------------------------


def _log_hint(path: Path) -> str:
    """The process's last line in its log (a traceback's last line names the error; the keeper's
    own lines say only that it exited) and where the rest is."""
    try:
        lines = [line.strip() for line in path.read_text(errors="replace").splitlines()
                 if line.strip() and keeper.SAYS not in line]
    except OSError:
        lines = []
    return f"{lines[-1] if lines else 'no output'} (log: {path})"


def _spawn(name: str, args: list[str], env: dict[str, str], home: Path) -> subprocess.Popen:
    """Start `airflow ARGS` under a keeper (which restarts it should it crash), logging to its file."""
    log = home / "logs" / f"newsmill-{name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", keeper.__name__, name, "--", airflow_command(), *args],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: killpg reaches every child it forks
        )


def _compile_bytecode(dags_folder: Path, say: Say) -> None:
    """Compile site-packages once (when Airflow's bytecode is missing) and the project's code."""
    root = repo_root()
    targets = [str(p) for p in (root / "newsmill", root / "spiders", root / "transforms", dags_folder)
               if p.is_dir()]
    spec = importlib.util.find_spec("airflow")
    if spec and spec.submodule_search_locations:
        package = Path(next(iter(spec.submodule_search_locations)))
        if not Path(importlib.util.cache_from_source(str(package / "__init__.py"))).exists():
            say("compiling Python bytecode for site-packages (once; makes every task start faster)")
            targets.append(str(package.parent))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", "-j", "0", *targets], env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def _wait_healthy(client: AirflowClient, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if client.healthy():
            return
        if proc.poll() is not None:
            raise AirflowLocalError(f"airflow api-server exited with {proc.returncode}: {_log_hint(log)}")
        time.sleep(0.5)
    raise AirflowLocalError(f"airflow api-server not healthy at {client.url} after {timeout:.0f} s "
                            f"(log: {log})")


def _write_state(procs: AirflowProcesses) -> None:
    state = {
        "url": procs.url,
        "port": procs.port,
        "pids": procs.pids,
        "dags_folder": procs.env["AIRFLOW__CORE__DAGS_FOLDER"],
        "newsmill": procs.newsmill.env,
        "lake": procs.newsmill.lake,
        "started_at": datetime.now(UTC).isoformat(),
    }
    if procs.services:
        state["services"] = procs.services.urls()
        state["service_ports"] = dataclasses.asdict(procs.services)
        state["workers"] = {name: str(folder) for name, folder in procs.workers.items()}
    _replace_state(procs.home, state)


def _replace_state(home: Path, state: dict) -> None:
    """Write the pid file whole, so a reader never sees half of it."""
    path = home / STATE_FILE
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(state, indent=1))
    tmp.replace(path)


def start(
    home: Path,
    dags_folder: Path | None = None,
    port: int = AIRFLOW_PORT.default,
    env_extra: dict[str, str] | None = None,
    *,
    distributed: bool = False,
    parallelism: int = PARALLELISM,
    timeout: float = 180.0,
    say: Say = _say,
) -> AirflowProcesses:
    """Read the newsmill config, (distributed: start PostgreSQL, Redis and the S3 server,) migrate
    the metadata DB, start api-server (waits for health), create the pool, then start scheduler,
    dag-processor and triggerer (distributed: and the Celery workers). What is left of an earlier
    start that was not stopped (a process crashed or was killed) is stopped first. On any failure,
    stops what it started and raises (ConfigError, before anything starts, for a bad config)."""
    home = Path(home).resolve()
    dags_folder = Path(dags_folder or default_dags_folder()).resolve()
    recorded = status(home)
    if recorded.running:
        raise AirflowLocalError(f"local Airflow already runs from {home} at {recorded.url}; "
                                "stop it first with `newsmill airflow down`")
    if recorded.remnants:
        say("stopping what is left of the last local Airflow of this home (it was not stopped with down)")
        stop(home, say=say)
    if port_in_use(port):
        raise PortInUseError(f"port {HOST}:{port} is in use; pick another")
    command = airflow_command()
    newsmill = resolve_newsmill({**os.environ, **(env_extra or {})})
    home.mkdir(parents=True, exist_ok=True)
    ports = services.Ports(free_port(), free_port(), free_port()) if distributed else None
    env = airflow_env(home, dags_folder, port, parallelism=parallelism,
                      env_extra={**(env_extra or {}), **newsmill.env},
                      settings=ports.airflow_env() if ports else None)
    _compile_bytecode(dags_folder, say)
    procs = AirflowProcesses(home=home, port=port, env=env, newsmill=newsmill, services=ports)
    try:
        if ports:
            say("starting PostgreSQL, Redis and the S3 server")
            services.start(home, ports, procs.processes)
            _write_state(procs)
        _migrate(command, env, home, say)
        api = procs.processes["api-server"] = _spawn(
            "api-server", ["api-server", "--host", HOST, "--port", str(port), "--workers", "1"], env, home
        )
        _write_state(procs)
        client = AirflowClient(procs.url)
        _wait_healthy(client, api, home / "logs" / "newsmill-api-server.log", timeout)
        if newsmill.lake:
            client.ensure_pool(POOL, LAKE_POOL_SLOTS, LAKE_POOL_DESCRIPTION)
        else:
            client.ensure_pool(POOL, 1, POOL_DESCRIPTION)
        for name, args in COMMANDS.items():
            procs.processes[name] = _spawn(name, args, env, home)
        if ports:
            _start_workers(procs)
        _write_state(procs)
        time.sleep(1.0)
        for name, proc in procs.processes.items():
            if proc.poll() is not None:
                log = home / "logs" / f"newsmill-{name}.log"
                raise AirflowLocalError(f"{name} exited with {proc.returncode}: {_log_hint(log)}")
    except BaseException:
        procs.stop(say=say)
        raise
    say(f"local Airflow runs at {procs.url} (home {home}, dags {dags_folder})")
    return procs


def _migrate(command: str, env: dict[str, str], home: Path, say: Say) -> None:
    say(f"airflow db migrate ({env['AIRFLOW__DATABASE__SQL_ALCHEMY_CONN']})")
    migrate_log = home / "logs" / "newsmill-db-migrate.log"
    migrate_log.parent.mkdir(parents=True, exist_ok=True)
    with migrate_log.open("wb") as out:
        done = subprocess.run([command, "db", "migrate"], env=env, stdout=out,
                              stderr=subprocess.STDOUT, timeout=600, check=False)
    if done.returncode != 0:
        raise AirflowLocalError(f"airflow db migrate exited with {done.returncode}: {_log_hint(migrate_log)}")


def _start_workers(procs: AirflowProcesses) -> None:
    """One Celery worker per entry of WORKERS, each with its data folder as NEWSMILL_DATA_DIR."""
    for name, queues in WORKERS.items():
        procs.processes[name], procs.workers[name] = _spawn_worker(procs.home, name, queues, procs.env)


def _spawn_worker(home: Path, name: str, queues: str, env: dict[str, str]) -> tuple[subprocess.Popen, Path]:
    folder = home / "workers" / name
    folder.mkdir(parents=True, exist_ok=True)
    args = ["celery", "worker", "--queues", queues, "--celery-hostname", f"{name}@%h", "--skip-serve-logs"]
    return _spawn(name, args, {**env, DATA_DIR.name: str(folder)}, home), folder


def add_worker(home: Path, name: str, queues: str) -> int:
    """Start one more Celery worker on the running distributed stack of `home`, as another machine
    joining it: `queues`, a data folder of its own, the environment the stack's workers have. It is
    recorded with the others, so `status` lists it and `down` stops it. Returns its pid."""
    home = Path(home).resolve()
    recorded = status(home)
    if not (recorded.running and recorded.service_ports and recorded.newsmill and recorded.dags_folder
            and recorded.port):
        raise AirflowLocalError(f"no distributed local Airflow runs from {home}; start it with "
                                "`newsmill airflow up --distributed`")
    if not name.startswith(WORKER_PREFIX) or name in recorded.pids:
        raise AirflowLocalError(f"a worker's name starts with {WORKER_PREFIX!r} and is new: {name!r}")
    env = airflow_env(home, recorded.dags_folder, recorded.port, env_extra=recorded.newsmill.env,
                      settings=recorded.service_ports.airflow_env())
    proc, folder = _spawn_worker(home, name, queues, env)
    state = json.loads((home / STATE_FILE).read_text())
    state["pids"][name] = proc.pid
    state["workers"][name] = str(folder)
    _replace_state(home, state)
    return proc.pid


# --- using a running one ------------------------------------------------------------------------


def client_for(home: Path) -> AirflowClient:
    """A REST client for the local Airflow recorded in `home`, which must be running."""
    recorded = status(home)
    if not (recorded.url and recorded.leaders.get("api-server")):
        raise AirflowLocalError(f"no local Airflow runs from {recorded.home}; start it with `newsmill airflow up`")
    return AirflowClient(recorded.url)


def shell_exports(home: Path, port: int = AIRFLOW_PORT.default) -> str:
    """`export` lines that point the `airflow` CLI at `home`: at its recorded api-server when it
    was started, else at the DAGs folder and `port` that `up` would use. For the distributed stack
    also libpq's and the AWS clients' variables, so `newsmill` commands reach a lake on its services."""
    recorded = status(home)
    ports = recorded.service_ports
    env = airflow_env(recorded.home, recorded.dags_folder or default_dags_folder(), recorded.port or port,
                      settings=ports.airflow_env() if ports else None)
    names = sorted(k for k in env if k == "AIRFLOW_HOME" or k.startswith("AIRFLOW__"))
    if ports:  # and where the services are, so `newsmill` commands reach a lake on them
        names += sorted(k for k in ports.airflow_env() if not k.startswith("AIRFLOW__"))
    return "\n".join(f"export {k}={shlex.quote(env[k])}" for k in names)
