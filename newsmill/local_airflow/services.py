"""The services of the local distributed stack (`newsmill airflow up --distributed`): PostgreSQL
(Airflow's metadata and the ``lake`` database for a DuckLake catalog), Redis (Celery's broker) and an
S3 server (moto), each a process of its own under the Airflow home, on a free 127.0.0.1 port.

PostgreSQL refuses to run as root, so as root it runs as the ``postgres`` user that Debian's package
creates, with the one capability that lets it reach a data folder below root's private directories
(directory search); its data folder is its own. The S3 server keeps objects in memory: `down` loses
them (the metadata in PostgreSQL stays). Nothing here imports a driver: health is a TCP connect plus
the service's own client (``pg_isready``/``psql``), so the ``newsmill`` process stays light.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from newsmill import processes
from newsmill.local_airflow import AirflowLocalError

HOST = "127.0.0.1"
PG_USER = "postgres"  # the database superuser, and the system user PostgreSQL runs as under root
DATABASES = ("airflow", "lake")
BUCKET = "newsmill"
# moto accepts any credentials; these are what the processes' AWS_* variables say.
S3_KEY = "newsmill"
S3_REGION = "us-east-1"
REPO = Path(__file__).resolve().parents[2]
S3_PROJECT = REPO / "services" / "s3"
# The tables of a config whose warehouse and run storage are this stack's: the DuckLake with its
# catalog in the `lake` database and its Parquet files in the bucket, and finished runs and WARC in
# the bucket too (the processes' PG* and AWS_* variables say where both servers answer).
STACK_CONFIG = f"""[warehouse]
backend = "ducklake"
catalog = "postgres:dbname=lake"
data_path = "s3://{BUCKET}/lake/"

[storage]
runs = "s3://{BUCKET}/runs"
"""
# Start order (stop goes in reverse): PostgreSQL first, nothing Airflow runs without it.
NAMES = ("postgres", "redis", "s3")
# What a recorded pid's command line must hold to still be that service.
MARKERS = {"postgres": b"postgres", "redis": b"redis-server", "s3": b"moto_server"}
# How each one shuts down cleanly: PostgreSQL's "fast" shutdown is SIGINT to the postmaster (its
# children lead process groups of their own and follow it); the others take SIGTERM.
STOP_SIGNALS = {"postgres": signal.SIGINT}


@dataclass(frozen=True)
class Ports:
    postgres: int
    redis: int
    s3: int

    def airflow_env(self) -> dict[str, str]:
        """The Airflow settings for CeleryExecutor on these services, and where PostgreSQL and the S3
        server are as libpq's and the AWS clients' own variables: a config's DuckLake catalog
        ``postgres:dbname=lake`` and data path ``s3://newsmill/…`` then name this stack's, whatever
        ports it got, as a deployment's would name its servers."""
        db = f"postgresql+psycopg2://{PG_USER}@{HOST}:{self.postgres}/airflow"
        return {
            "PGHOST": HOST,
            "PGPORT": str(self.postgres),
            "PGUSER": PG_USER,
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            # Celery's default pool runs each task's supervisor in a daemonic process, whose task
            # process may not start the extraction's worker processes ("daemonic processes are not
            # allowed to have children"), and Airflow's supervisor needs the main thread (signals):
            # each worker runs one task at a time in its main process, more workers run more.
            "AIRFLOW__CELERY__POOL": "solo",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": db,
            "AIRFLOW__CELERY__BROKER_URL": f"redis://{HOST}:{self.redis}/0",
            "AIRFLOW__CELERY__RESULT_BACKEND": f"db+{db}",
            "AWS_ENDPOINT_URL": self.s3_url,
            "AWS_ACCESS_KEY_ID": S3_KEY,
            "AWS_SECRET_ACCESS_KEY": S3_KEY,
            "AWS_DEFAULT_REGION": S3_REGION,
        }

    @property
    def s3_url(self) -> str:
        return f"http://{HOST}:{self.s3}"

    def urls(self) -> dict[str, str]:
        """Where each service answers (no secrets: PostgreSQL trusts loopback, moto any key)."""
        return {
            "postgres": f"postgresql://{PG_USER}@{HOST}:{self.postgres}/ (databases {', '.join(DATABASES)})",
            "redis": f"redis://{HOST}:{self.redis}/0",
            "s3": f"{self.s3_url}/{BUCKET}",
        }


def _log(home: Path, name: str) -> Path:
    path = home / "logs" / f"newsmill-{name}.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _spawn(name: str, args: list[str], home: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    with _log(home, name).open("ab") as out:
        return subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)


def _tail(path: Path) -> str:
    try:
        lines = [line for line in path.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        lines = []
    return f"{lines[-1].strip() if lines else 'no output'} (log: {path})"


# --- PostgreSQL ---------------------------------------------------------------------------------


def postgres_bin(program: str) -> str:
    """A PostgreSQL server program: on PATH, else from Debian's newest /usr/lib/postgresql/N/bin."""
    found = shutil.which(program)
    if found:
        return found
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name)
                      if p.parent.name.isdigit() else 0)
    for folder in reversed(versions):
        if (folder / program).exists():
            return str(folder / program)
    raise AirflowLocalError(f"PostgreSQL's `{program}` is not installed (Debian: apt-get install postgresql)")


def _as_postgres(args: list[str]) -> list[str]:
    """`args` as the ``postgres`` system user when this process is root (PostgreSQL refuses root)."""
    if os.geteuid() != 0:
        return args
    try:
        pwd.getpwnam(PG_USER)
    except KeyError:
        raise AirflowLocalError(f"running as root, PostgreSQL needs a `{PG_USER}` user to run as "
                                "(Debian's postgresql package creates it)") from None
    return ["setpriv", f"--reuid={PG_USER}", f"--regid={PG_USER}", "--init-groups",
            "--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search", *args]


def _own(path: Path) -> None:
    if os.geteuid() == 0:
        entry = pwd.getpwnam(PG_USER)
        os.chown(path, entry.pw_uid, entry.pw_gid)


def start_postgres(home: Path, port: int) -> subprocess.Popen:
    """initdb once (trust on loopback only), then the postmaster on 127.0.0.1:`port`, no socket file."""
    data = home / "postgres"
    if not (data / "PG_VERSION").exists():
        data.mkdir(mode=0o700, parents=True, exist_ok=True)
        _own(data)
        with _log(home, "postgres-initdb").open("wb") as out:
            done = subprocess.run(_as_postgres([postgres_bin("initdb"), "-A", "trust", "-U", PG_USER,
                                                "-E", "UTF8", "--no-sync", "-D", str(data)]),
                                  stdout=out, stderr=subprocess.STDOUT, check=False)
        if done.returncode != 0:
            raise AirflowLocalError(f"initdb exited with {done.returncode}: "
                                    f"{_tail(_log(home, 'postgres-initdb'))}")
    _drop_stale_pid_file(data)
    return _spawn("postgres", _as_postgres([
        postgres_bin("postgres"), "-D", str(data), "-p", str(port),
        "-c", f"listen_addresses={HOST}", "-c", "unix_socket_directories=",
        "-c", "max_connections=200", "-c", "fsync=off",  # a local stack: speed over crash safety
    ]), home)


def _drop_stale_pid_file(data: Path) -> None:
    """Remove postmaster.pid when the postmaster it names has exited. PostgreSQL does that itself for
    a pid that is gone, but a killed postmaster that nobody reaped is a zombie, which still answers
    signal 0, and PostgreSQL would refuse to start ("Is another postmaster running?")."""
    pid_file = data / "postmaster.pid"
    try:
        pid = int(pid_file.read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return
    if not processes.alive(pid):
        pid_file.unlink(missing_ok=True)


def _psql(port: int, sql: str) -> str:
    done = subprocess.run([postgres_bin("psql"), "-h", HOST, "-p", str(port), "-U", PG_USER, "-d", "postgres",
                           "-XAtqc", sql], capture_output=True, text=True, timeout=60, check=False)
    if done.returncode != 0:
        raise AirflowLocalError(f"psql: {done.stderr.strip()}")
    return done.stdout


def create_databases(port: int) -> None:
    existing = set(_psql(port, "SELECT datname FROM pg_database").split())
    for name in DATABASES:
        if name not in existing:
            _psql(port, f"CREATE DATABASE {name}")


def _postgres_ready(port: int) -> bool:
    done = subprocess.run([postgres_bin("pg_isready"), "-q", "-h", HOST, "-p", str(port), "-U", PG_USER],
                          check=False)
    return done.returncode == 0


# --- Redis and S3 -------------------------------------------------------------------------------


def start_redis(home: Path, port: int) -> subprocess.Popen:
    redis = shutil.which("redis-server")
    if not redis:
        raise AirflowLocalError("`redis-server` is not installed (Debian: apt-get install redis-server)")
    folder = home / "redis"
    folder.mkdir(parents=True, exist_ok=True)
    # No snapshots: the broker only holds queued task messages, which Airflow re-queues.
    return _spawn("redis", [redis, "--bind", HOST, "--port", str(port), "--save", "", "--appendonly", "no",
                            "--dir", str(folder), "--daemonize", "no"], home)


def moto_server() -> str:
    program = S3_PROJECT / ".venv" / "bin" / "moto_server"
    if not program.exists():
        raise AirflowLocalError(f"the S3 server is not installed: uv sync --frozen --project {S3_PROJECT}")
    return str(program)


def start_s3(home: Path, port: int) -> subprocess.Popen:
    return _spawn("s3", [moto_server(), "-H", HOST, "-p", str(port)], home,
                  env={k: v for k, v in os.environ.items() if not k.startswith("AWS_")})


def _redis_ready(port: int) -> bool:
    """A PING answered with PONG (the port opens before Redis serves)."""
    try:
        with socket.create_connection((HOST, port), timeout=1.0) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _s3_ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}/", timeout=2.0):
            return True
    except (urllib.error.URLError, OSError):
        return False


def create_bucket(port: int) -> None:
    """PUT the bucket (moto checks no signature); an existing one answers 409/200, both fine."""
    request = urllib.request.Request(f"http://{HOST}:{port}/{BUCKET}", method="PUT", data=b"")
    try:
        with urllib.request.urlopen(request, timeout=10.0):
            pass
    except urllib.error.HTTPError as exc:
        if exc.code != 409:
            raise AirflowLocalError(f"creating bucket {BUCKET}: HTTP {exc.code}") from None


# --- together -----------------------------------------------------------------------------------

READY = {"postgres": _postgres_ready, "redis": _redis_ready, "s3": _s3_ready}


def start(home: Path, ports: Ports, processes: dict[str, subprocess.Popen], timeout: float = 60.0) -> None:
    """Start the three services into `processes` (so a failure leaves them there to be stopped),
    wait until each answers, then create the databases and the bucket."""
    processes["postgres"] = start_postgres(home, ports.postgres)
    processes["redis"] = start_redis(home, ports.redis)
    processes["s3"] = start_s3(home, ports.s3)
    waiting = set(NAMES)
    deadline = time.monotonic() + timeout
    while waiting:
        for name in sorted(waiting):
            if READY[name](getattr(ports, name)):
                waiting.discard(name)
            elif processes[name].poll() is not None:
                raise AirflowLocalError(f"{name} exited with {processes[name].returncode}: "
                                        f"{_tail(_log(home, name))}")
        if waiting and time.monotonic() > deadline:
            raise AirflowLocalError(f"{', '.join(sorted(waiting))} not answering after {timeout:.0f} s "
                                    f"(logs: {home / 'logs'})")
        time.sleep(0.2)
    create_databases(ports.postgres)
    create_bucket(ports.s3)
