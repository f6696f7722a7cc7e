"""Start and stop a local Airflow 3 for newsmill's DAGs: api-server, scheduler and dag-processor.

Everything binds 127.0.0.1. Metadata lives in SQLite under the Airflow home, tasks run under the
LocalExecutor with parallelism 4, and the one-slot ``duckdb`` pool that the DAGs' DuckDB writes use
is created before the scheduler starts. Each process runs in its own session (process group), so
``stop`` ends it and every child it forked (executor workers, task processes, crawls) with one
``killpg``. Process ids go to ``<home>/newsmill-airflow.json``; logs to ``<home>/logs/newsmill-*.log``.

This module does not import Airflow (it runs the ``airflow`` command next to the interpreter), so
``newsmill`` works without the ``airflow`` extra until this is used.

    python -m newsmill.airflow_local [--home DIR] up [--port 8080] [--dags-folder DIR]
    python -m newsmill.airflow_local unpause | pause | runs | status
    python -m newsmill.airflow_local backfill --from 2026-11-17 --to 2026-11-19 [--reprocess completed]
    python -m newsmill.airflow_local down
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

DEFAULT_PORT = 8080
PARALLELISM = 4
POOL = "duckdb"
POOL_DESCRIPTION = "newsmill: one writer at a time on the DuckDB file"
DAG_ID = "newsmill_daily"
STATE_FILE = "newsmill-airflow.json"
SECRETS_FILE = "newsmill-secrets.json"
HOST = "127.0.0.1"
# Start order; stop goes in reverse so nothing is left to queue work on a dead api-server.
ORDER = ("api-server", "scheduler", "dag-processor")
# Seconds to retry a backfill that Airflow refuses with 503 "Database is locked" (SQLite only).
SQLITE_LOCKED_RETRY = 60.0

Say = Callable[[str], None]


class AirflowLocalError(RuntimeError):
    """Local Airflow could not be started, reached or stopped; the message says what to do."""


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


def default_dags_folder() -> Path:
    return repo_root() / "dags"


def default_home() -> Path:
    """NEWSMILL_AIRFLOW_HOME, else <NEWSMILL_DATA_DIR or ./data>/airflow (absolute)."""
    explicit = os.environ.get("NEWSMILL_AIRFLOW_HOME")
    if explicit:
        return Path(explicit).resolve()
    return (Path(os.environ.get("NEWSMILL_DATA_DIR") or "data") / "airflow").resolve()


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


def _port_in_use(port: int) -> bool:
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
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(values, handle)
    return values


def airflow_env(
    home: Path,
    dags_folder: Path,
    port: int,
    *,
    log_port: int | None = None,
    parallelism: int = PARALLELISM,
    env_extra: dict[str, str] | None = None,
) -> dict[str, str]:
    """The environment every Airflow process of this home runs with (also good for `airflow` CLI calls)."""
    home = Path(home).resolve()
    keys = _secrets(home)
    url = f"http://{HOST}:{port}"
    env = dict(os.environ)
    # Compiled bytecode: without it every task process pays 6-8 s importing Airflow.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for name in ("NEWSMILL_CONFIG", "NEWSMILL_DATA_DIR", "NEWSMILL_DB"):
        if env.get(name):
            env[name] = str(Path(env[name]).resolve())
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
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(log_port or free_port()),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
        }
    )
    env.update(env_extra or {})
    return env


# --- the running processes ----------------------------------------------------------------------


@dataclass
class AirflowProcesses:
    """A started local Airflow: its home, URL, environment and the processes (by name)."""

    home: Path
    port: int
    env: dict[str, str]
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def pids(self) -> dict[str, int]:
        return {name: proc.pid for name, proc in self.processes.items()}

    def client(self) -> AirflowClient:
        return AirflowClient(self.url)

    def airflow(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        """Run an `airflow` CLI command against this home (stdout+stderr captured as text)."""
        return subprocess.run(
            [airflow_command(), *args], env=self.env, capture_output=True, text=True, timeout=timeout
        )

    def alive(self) -> dict[str, bool]:
        return {name: proc.poll() is None for name, proc in self.processes.items()}

    def stop(self, timeout: float = 30.0, say: Say = _say) -> None:
        _stop_groups(self.pids, timeout, say, popens=self.processes)
        (self.home / STATE_FILE).unlink(missing_ok=True)

    def __enter__(self) -> AirflowProcesses:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _log_tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _spawn(name: str, args: list[str], env: dict[str, str], home: Path) -> subprocess.Popen:
    log = home / "logs" / f"newsmill-{name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        return subprocess.Popen(
            [airflow_command(), *args],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: killpg reaches every child it forks
        )


def _compile_bytecode(dags_folder: Path, say: Say) -> None:
    """Compile site-packages once (when Airflow's bytecode is missing) and the project's code."""
    import importlib.util

    targets = [str(p) for p in (repo_root() / "newsmill", repo_root() / "spiders",
                                repo_root() / "transforms", dags_folder) if p.is_dir()]
    spec = importlib.util.find_spec("airflow")
    if spec and spec.submodule_search_locations:
        package = Path(next(iter(spec.submodule_search_locations)))
        if not Path(importlib.util.cache_from_source(str(package / "__init__.py"))).exists():
            say("compiling Python bytecode for site-packages (once; makes every task start faster)")
            targets.append(str(package.parent))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", "-j", "0", *targets], env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def read_state(home: Path) -> dict | None:
    path = Path(home) / STATE_FILE
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _is_airflow_leader(pid: int) -> bool:
    """True when `pid` still is an `airflow` process leading its own group (not a reused pid)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        return b"airflow" in cmdline and os.getpgid(pid) == pid
    except (OSError, ProcessLookupError):
        return _group_alive(pid)  # leader gone (or no /proc): its group may still be running


def status(home: Path | None = None) -> dict[str, object]:
    """What the pid file says and which of those process groups are still running."""
    home = Path(home or default_home())
    state = read_state(home)
    if not state:
        return {"running": False, "home": str(home)}
    alive = {name: _group_alive(pid) for name, pid in state.get("pids", {}).items()}
    return {**state, "home": str(home), "alive": alive, "running": any(alive.values())}


def _stop_groups(pids: dict[str, int], timeout: float, say: Say,
                 popens: dict[str, subprocess.Popen] | None = None) -> None:
    names = [n for n in reversed(ORDER) if n in pids] + [n for n in pids if n not in ORDER]

    def reap() -> None:
        for proc in (popens or {}).values():
            proc.poll()
        for pid in pids.values():  # children of this process: collect zombies so groups can vanish
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(pid, os.WNOHANG)

    def send(pgid: int, sig: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, sig)

    targets = {name: pids[name] for name in names if _group_alive(pids[name])}
    for name, pgid in targets.items():
        if popens is None and not _is_airflow_leader(pgid):
            say(f"skipping {name} (pid {pgid}): not an airflow process any more")
            continue
        send(pgid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        reap()
        if not any(_group_alive(pgid) for pgid in targets.values()):
            break
        time.sleep(0.2)
    for name, pgid in targets.items():
        if _group_alive(pgid):
            say(f"{name} (process group {pgid}) did not stop in {timeout:.0f} s; killing it")
            send(pgid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_group_alive(p) for p in targets.values()):
        reap()
        time.sleep(0.1)


def stop(home: Path | None = None, *, timeout: float = 30.0, say: Say = _say) -> bool:
    """Stop the processes recorded in `home`'s pid file (SIGTERM, then SIGKILL); True if any ran."""
    home = Path(home or default_home())
    state = read_state(home)
    if not state:
        say(f"no local Airflow recorded in {home}")
        return False
    pids = {name: int(pid) for name, pid in state.get("pids", {}).items()}
    running = {name: pid for name, pid in pids.items() if _group_alive(pid)}
    if running:
        say("stopping " + ", ".join(f"{n} ({p})" for n, p in running.items()))
        _stop_groups(running, timeout, say)
    (home / STATE_FILE).unlink(missing_ok=True)
    return bool(running)


def start(
    home: Path | None = None,
    dags_folder: Path | None = None,
    port: int = DEFAULT_PORT,
    env_extra: dict[str, str] | None = None,
    *,
    parallelism: int = PARALLELISM,
    timeout: float = 180.0,
    say: Say = _say,
) -> AirflowProcesses:
    """Migrate the metadata DB, start api-server (waits for health), create the pool, then start
    scheduler and dag-processor. On any failure, stops what it started and raises."""
    home = Path(home or default_home()).resolve()
    dags_folder = Path(dags_folder or default_dags_folder()).resolve()
    home.mkdir(parents=True, exist_ok=True)
    current = status(home)
    if current.get("running"):
        raise AirflowLocalError(
            f"local Airflow already runs from {home} at {current.get('url')} "
            f"(pids {current.get('pids')}); stop it first (newsmill airflow down)"
        )
    if _port_in_use(port):
        raise AirflowLocalError(f"port {HOST}:{port} is in use; pick another with --port")
    env = airflow_env(home, dags_folder, port, parallelism=parallelism, env_extra=env_extra)
    _compile_bytecode(dags_folder, say)
    say(f"airflow db migrate ({home / 'airflow.db'})")
    migrate_log = home / "logs" / "newsmill-db-migrate.log"
    migrate_log.parent.mkdir(parents=True, exist_ok=True)
    with migrate_log.open("wb") as out:
        done = subprocess.run([airflow_command(), "db", "migrate"], env=env, stdout=out,
                              stderr=subprocess.STDOUT, timeout=600, check=False)
    if done.returncode != 0:
        raise AirflowLocalError(f"airflow db migrate failed:\n{_log_tail(migrate_log)}")

    procs = AirflowProcesses(home=home, port=port, env=env)
    try:
        procs.processes["api-server"] = _spawn(
            "api-server", ["api-server", "--host", HOST, "--port", str(port), "--workers", "1"], env, home
        )
        _write_state(procs)
        client = procs.client()
        client.wait_healthy(timeout, procs.processes["api-server"], home / "logs" / "newsmill-api-server.log")
        client.ensure_pool(POOL, 1, POOL_DESCRIPTION)
        procs.processes["scheduler"] = _spawn("scheduler", ["scheduler", "--skip-serve-logs"], env, home)
        procs.processes["dag-processor"] = _spawn("dag-processor", ["dag-processor"], env, home)
        _write_state(procs)
        time.sleep(1.0)
        for name, proc in procs.processes.items():
            if proc.poll() is not None:
                log = home / "logs" / f"newsmill-{name}.log"
                raise AirflowLocalError(f"airflow {name} exited with {proc.returncode}:\n{_log_tail(log)}")
    except BaseException:
        procs.stop(say=say)
        raise
    say(f"local Airflow runs at {procs.url} (home {home}, dags {dags_folder})")
    return procs


def _write_state(procs: AirflowProcesses) -> None:
    state = {
        "url": procs.url,
        "port": procs.port,
        "pids": procs.pids,
        "dags_folder": procs.env["AIRFLOW__CORE__DAGS_FOLDER"],
        "started_at": datetime.now(UTC).isoformat(),
    }
    path = procs.home / STATE_FILE
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(state, indent=1))
    tmp.replace(path)


# --- REST API v2 --------------------------------------------------------------------------------


class ApiError(AirflowLocalError):
    def __init__(self, status: int, method: str, path: str, detail: str) -> None:
        super().__init__(f"{method} {path}: HTTP {status}: {detail[:500]}")
        self.status = status


class AirflowClient:
    """Just enough of Airflow's REST API v2 for starting, backfilling and watching runs."""

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self._token: str | None = None

    def _request(self, method: str, path: str, body: object = None, auth: bool = True) -> object:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if auth:
            request.add_header("Authorization", f"Bearer {self.token()}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raise ApiError(exc.code, method, path, exc.read().decode(errors="replace")) from None
        return json.loads(raw) if raw else None

    def token(self) -> str:
        """A JWT from the SimpleAuthManager (all-admins mode hands one out without credentials)."""
        if self._token is None:
            answer = self._request("GET", "/auth/token", auth=False)
            self._token = answer["access_token"]  # type: ignore[index]
        return self._token

    def get(self, path: str) -> object:
        return self._request("GET", path)

    def post(self, path: str, body: object) -> object:
        return self._request("POST", path, body)

    def patch(self, path: str, body: object) -> object:
        return self._request("PATCH", path, body)

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/api/v2/monitor/health", timeout=5) as response:
                return response.status == 200
        except (OSError, urllib.error.URLError):
            return False

    def wait_healthy(self, timeout: float, proc: subprocess.Popen | None = None,
                     log: Path | None = None) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.healthy():
                return
            if proc is not None and proc.poll() is not None:
                raise AirflowLocalError(
                    f"airflow api-server exited with {proc.returncode}:\n{_log_tail(log) if log else ''}"
                )
            time.sleep(0.5)
        raise AirflowLocalError(f"airflow api-server not healthy at {self.url} after {timeout:.0f} s")

    def ensure_pool(self, name: str, slots: int, description: str) -> None:
        try:
            self.post("/api/v2/pools", {"name": name, "slots": slots, "description": description})
        except ApiError as exc:
            if exc.status != 409:
                raise
            self.patch(f"/api/v2/pools/{name}", {"slots": slots, "description": description})

    def wait_dag(self, dag_id: str, timeout: float = 120.0) -> dict:
        """Wait until the dag-processor has parsed `dag_id`; raise with its import errors if not."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                return self.get(f"/api/v2/dags/{dag_id}")  # type: ignore[return-value]
            except ApiError as exc:
                if exc.status != 404:
                    raise
            if time.monotonic() >= deadline:
                errors = self.get("/api/v2/importErrors")
                raise AirflowLocalError(f"DAG {dag_id} not parsed after {timeout:.0f} s; import errors: {errors}")
            time.sleep(1.0)

    def set_paused(self, dag_id: str, paused: bool) -> None:
        self.patch(f"/api/v2/dags/{dag_id}", {"is_paused": paused})

    def backfill(self, dag_id: str, first: date, last: date, *, reprocess: str = "none",
                 max_active_runs: int = 3, wait_busy: float = 0.0) -> dict:
        """Create a backfill of the runs for first..last; retry a 409 (one backfill at a time)
        for up to `wait_busy` seconds, and a 503 for up to SQLITE_LOCKED_RETRY seconds: on SQLite
        Airflow refuses the creation while the scheduler holds the write lock, which passes."""
        body = {
            "dag_id": dag_id,
            "from_date": f"{first.isoformat()}T00:00:00Z",
            "to_date": f"{last.isoformat()}T00:00:00Z",
            "reprocess_behavior": reprocess,
            "max_active_runs": max_active_runs,
        }
        started = time.monotonic()
        while True:
            try:
                return self.post("/api/v2/backfills", body)  # type: ignore[return-value]
            except ApiError as exc:
                waited = time.monotonic() - started
                busy = exc.status == 409 and waited < wait_busy
                locked = exc.status == 503 and waited < SQLITE_LOCKED_RETRY
                if not (busy or locked):
                    raise
            time.sleep(2.0)

    def dag_runs(self, dag_id: str) -> list[dict]:
        answer = self.get(f"/api/v2/dags/{dag_id}/dagRuns?limit=100&order_by=logical_date")
        return answer["dag_runs"]  # type: ignore[index]

    def task_instances(self, dag_id: str, run_id: str) -> list[dict]:
        from urllib.parse import quote

        answer = self.get(f"/api/v2/dags/{dag_id}/dagRuns/{quote(run_id, safe='')}/taskInstances?limit=100")
        return answer["task_instances"]  # type: ignore[index]


# --- command line -------------------------------------------------------------------------------


def client_for(home: Path | None = None) -> AirflowClient:
    """A REST client for the local Airflow recorded in `home`'s pid file."""
    home = Path(home or default_home())
    state = status(home)
    if not state.get("running"):
        raise AirflowLocalError(f"no local Airflow runs from {home}; start it with `up`")
    return AirflowClient(str(state["url"]))


def shell_exports(home: Path | None = None) -> str:
    """`export` lines that point the `airflow` CLI at the local Airflow recorded in `home`."""
    import shlex

    home = Path(home or default_home()).resolve()
    state = read_state(home)
    if not state:
        raise AirflowLocalError(f"no local Airflow recorded in {home}; start it with `up`")
    env = airflow_env(home, Path(state["dags_folder"]), int(state["port"]))
    names = sorted(k for k in env if k == "AIRFLOW_HOME" or k.startswith("AIRFLOW__"))
    return "\n".join(f"export {k}={shlex.quote(env[k])}" for k in names)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newsmill.airflow_local",
                                     description="Start, use and stop a local Airflow for newsmill's DAGs.")
    parser.add_argument("--home", type=Path, default=None,
                        help="AIRFLOW_HOME (default: $NEWSMILL_AIRFLOW_HOME or DATA_DIR/airflow)")
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="start api-server, scheduler and dag-processor on 127.0.0.1")
    up.add_argument("--port", type=int, default=int(os.environ.get("NEWSMILL_AIRFLOW_PORT", DEFAULT_PORT)))
    up.add_argument("--dags-folder", type=Path, default=None)
    commands.add_parser("down", help="stop every process `up` started")
    commands.add_parser("status", help="show the recorded processes and whether they run")
    commands.add_parser("env", help='print `export` lines for the `airflow` CLI: eval "$(... env)"')
    commands.add_parser("unpause", help=f"unpause {DAG_ID} (scheduled runs start; backfills proceed)")
    commands.add_parser("pause", help=f"pause {DAG_ID}")
    backfill = commands.add_parser("backfill", help="create a backfill: one run per day FROM..TO")
    backfill.add_argument("--from", dest="first", type=date.fromisoformat, required=True, metavar="YYYY-MM-DD")
    backfill.add_argument("--to", dest="last", type=date.fromisoformat, required=True, metavar="YYYY-MM-DD")
    backfill.add_argument("--reprocess", choices=["none", "failed", "completed"], default="none")
    backfill.add_argument("--max-active-runs", type=int, default=3)
    commands.add_parser("runs", help=f"list the runs of {DAG_ID}")
    args = parser.parse_args(argv)
    home = args.home or default_home()
    try:
        if args.command == "up":
            procs = start(home, args.dags_folder, args.port)
            print(f"Airflow UI and API: {procs.url}  (home {procs.home})")
            print(f"{DAG_ID} starts paused; `python -m newsmill.airflow_local unpause` to schedule it")
            print("stop with: python -m newsmill.airflow_local down")
        elif args.command == "down":
            stop(home)
        elif args.command == "status":
            print(json.dumps(status(home), indent=1))
        elif args.command == "env":
            print(shell_exports(home))
        elif args.command in ("unpause", "pause"):
            client = client_for(home)
            client.wait_dag(DAG_ID)
            client.set_paused(DAG_ID, args.command == "pause")
            print(f"{DAG_ID} {args.command}d")
        elif args.command == "backfill":
            client = client_for(home)
            client.wait_dag(DAG_ID)
            made = client.backfill(DAG_ID, args.first, args.last, reprocess=args.reprocess,
                                   max_active_runs=args.max_active_runs, wait_busy=60)
            print(f"backfill {made.get('id')} created: {args.first}..{args.last} "
                  f"(runs proceed while {DAG_ID} is unpaused)")
        elif args.command == "runs":
            for run in client_for(home).dag_runs(DAG_ID):
                print(f"{(run.get('logical_date') or '')[:10]}  {run['run_type']:<10} {run['state']:<8} {run['dag_run_id']}")
    except AirflowLocalError as exc:
        print(f"newsmill: {exc}", file=sys.stderr)
        return 1
    return 0


@contextlib.contextmanager
def running(home: Path, dags_folder: Path | None = None, port: int | None = None,
            env_extra: dict[str, str] | None = None, **kwargs: object) -> Iterator[AirflowProcesses]:
    """Context manager for tests: start on a free port, always stop."""
    procs = start(home, dags_folder, port or free_port(), env_extra, **kwargs)  # type: ignore[arg-type]
    try:
        yield procs
    finally:
        procs.stop()


if __name__ == "__main__":
    sys.exit(main())
