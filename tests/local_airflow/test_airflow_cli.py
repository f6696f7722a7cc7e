"""`newsmill airflow …` through the real CLI, without starting Airflow: every command parses and
has help, nothing of Airflow is imported until a command needs it, and with nothing running each
command says so in one line. Starting and stopping for real: tests/integration/test_airflow.py."""

from __future__ import annotations

import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.cli_harness import NEWSMILL

ROOT = Path(__file__).resolve().parents[2]

OPTIONS = {
    "up": ["--port", "--dags-folder"],
    "down": [],
    "status": [],
    "env": ["--port"],
    "unpause": [],
    "pause": [],
    "backfill": ["--from", "--to", "--reprocess", "--max-active-runs"],
    "runs": [],
}


def _newsmill(*args: str, home: Path | None = None, **kwargs) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSMILL_", "AIRFLOW"))}
    if home is not None:
        env["NEWSMILL_AIRFLOW_HOME"] = str(home)
    return subprocess.run([NEWSMILL, *args], capture_output=True, text=True, timeout=60, env=env, **kwargs)


def test_the_group_lists_its_commands() -> None:
    done = _newsmill("airflow", "--help")
    assert done.returncode == 0, done.stderr
    assert "Usage: newsmill airflow [OPTIONS] COMMAND" in done.stdout and "--home" in done.stdout
    listed = {line.split()[0] for line in done.stdout.split("Commands:")[1].splitlines() if line.strip()}
    assert listed == set(OPTIONS)
    assert "airflow" in _newsmill("--help").stdout


@pytest.mark.parametrize("command", OPTIONS)
def test_each_command_has_help(command: str) -> None:
    done = _newsmill("airflow", command, "--help")
    assert done.returncode == 0, done.stderr
    assert f"Usage: newsmill airflow {command} [OPTIONS]" in done.stdout
    for option in OPTIONS[command]:
        assert option in done.stdout, (option, done.stdout)


def test_help_and_other_commands_import_nothing_of_airflow(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from newsmill.cli import main\n"
        "for argv in (['--help'], ['airflow', 'up', '--help'], ['airflow', 'backfill', '--help']):\n"
        "    assert main(argv, standalone_mode=False) == 0, argv\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'airflow'\n"
        "             or m.startswith(('newsmill.local_airflow.supervisor', 'newsmill.local_airflow.client'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_env_prints_the_variables_for_airflows_cli(tmp_path: Path) -> None:
    home = tmp_path / "airflow"
    done = _newsmill("airflow", "--home", str(home), "env", "--port", "18765")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines and all(line.startswith(("export AIRFLOW_HOME=", "export AIRFLOW__")) for line in lines)
    shell = subprocess.run(
        ["bash", "-c", f'eval "$({shlex.quote(NEWSMILL)} airflow --home {shlex.quote(str(home))} env '
                       '--port 18765)"; printf "%s\\n" "$AIRFLOW_HOME" "$AIRFLOW__CORE__DAGS_FOLDER" '
                       '"$AIRFLOW__DATABASE__SQL_ALCHEMY_CONN" "$AIRFLOW__API__BASE_URL" '
                       '"$AIRFLOW__CORE__EXECUTOR"'],
        capture_output=True, text=True, timeout=60)
    assert shell.stdout.splitlines() == [str(home), str(ROOT / "dags"), f"sqlite:///{home}/airflow.db",
                                         "http://127.0.0.1:18765", "LocalExecutor"]


def test_with_nothing_running_each_command_says_so_in_one_line(tmp_path: Path) -> None:
    home = tmp_path / "airflow"
    status = _newsmill("airflow", "status", home=home)
    assert (status.returncode, status.stdout.splitlines()) == (0, [f"no local Airflow runs from {home}"])
    down = _newsmill("airflow", "down", home=home)
    assert (down.returncode, down.stdout.splitlines()) == (0, [f"no local Airflow runs from {home}; nothing to stop"])
    for command in (["runs"], ["unpause"], ["backfill", "--from", "2026-11-17", "--to", "2026-11-19"]):
        done = _newsmill("airflow", *command, home=home)
        assert done.returncode == 1, (command, done.stderr)
        assert done.stderr.strip().splitlines() == [
            f"Error: no local Airflow runs from {home}; start it with `newsmill airflow up`"], command
        assert done.stdout == ""


def test_a_stale_pid_file_is_not_a_running_airflow(tmp_path: Path) -> None:
    """Recorded pids that exited, or that now belong to another program, are never signalled."""
    home = tmp_path / "airflow"
    home.mkdir()
    exited = subprocess.Popen(["true"])
    exited.wait()
    stranger = subprocess.Popen(["sleep", "60"], start_new_session=True)  # leads its own group
    try:
        (home / "newsmill-airflow.json").write_text(json.dumps({
            "url": "http://127.0.0.1:9", "port": 9, "dags_folder": str(ROOT / "dags"),
            "pids": {"api-server": exited.pid, "scheduler": stranger.pid, "dag-processor": exited.pid}}))
        status = _newsmill("airflow", "status", home=home)
        assert status.stdout.splitlines() == [f"no local Airflow runs from {home}"]
        runs = _newsmill("airflow", "runs", home=home)
        assert runs.returncode == 1 and "no local Airflow runs" in runs.stderr
        down = _newsmill("airflow", "down", home=home)
        assert down.returncode == 0, down.stderr
        assert not (home / "newsmill-airflow.json").exists()
        time.sleep(0.2)
        assert stranger.poll() is None  # the program that got a recorded pid still runs
    finally:
        stranger.kill()
        stranger.wait()


def test_down_stops_the_tasks_left_in_process_groups_of_their_own(tmp_path: Path) -> None:
    """An executor runs each task in a group of its own: a run under way at `down` (or an Airflow
    killed before) leaves them. down finds them by the AIRFLOW_HOME they inherited; another
    home's tasks are not touched."""
    home, other = (tmp_path / "airflow").resolve(), (tmp_path / "other").resolve()
    home.mkdir()

    def task(airflow_home: Path) -> subprocess.Popen:
        return subprocess.Popen(["sleep", "60"], start_new_session=True,
                                env={**os.environ, "AIRFLOW_HOME": str(airflow_home)})

    ours, theirs = task(home), task(other)
    try:
        down = _newsmill("airflow", "down", home=home)
        assert down.returncode == 0, down.stderr
        assert down.stdout.splitlines() == [f"local Airflow of {home} stopped"], down.stdout
        assert "stopping 1 task process group(s) left running" in down.stderr
        assert ours.wait(timeout=10) == -signal.SIGTERM
        assert theirs.poll() is None
    finally:
        for process in (ours, theirs):
            process.kill()
            process.wait()


def test_up_on_a_port_in_use_is_bad_input(tmp_path: Path) -> None:
    home = tmp_path / "airflow"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = _newsmill("airflow", "up", "--port", str(port), home=home)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [
        f"newsmill airflow up: error: Invalid value for --port: port 127.0.0.1:{port} is in use; pick "
        "another (see newsmill airflow up --help)"]
    assert not home.exists()  # refused before anything was created


def test_backfill_range_backwards_is_bad_input(tmp_path: Path) -> None:
    done = _newsmill("airflow", "backfill", "--from", "2026-11-20", "--to", "2026-11-01", home=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "newsmill airflow backfill: error: Invalid value for --from: --from 2026-11-20 is after --to "
        "2026-11-01 (see newsmill airflow backfill --help)"]


def test_up_with_a_config_it_cannot_read_is_bad_input(tmp_path: Path) -> None:
    """`up` reads the sources config before it starts anything, so tasks never start on a broken one."""
    home = tmp_path / "airflow"
    missing = tmp_path / "nope.toml"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        free = sock.getsockname()[1]
    try:
        done = _newsmill("--config", str(missing), "airflow", "up", "--port", str(free), home=home)
        assert (done.returncode, done.stdout) == (2, ""), done.stderr
        assert done.stderr.strip().splitlines() == [f"newsmill: error: {missing}: config file not found"]
        assert not home.exists()
    finally:
        _newsmill("airflow", "down", home=home)  # when an `up` that does not read the config started one
