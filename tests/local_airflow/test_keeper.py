"""The keeper every local Airflow process runs under, with a small Python child in Airflow's place:
a crash is restarted (within limits), a failed start is not, and stopping the group stops both
without a restart. With the real scheduler: tests/integration/test_airflow.py."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from newsmill import processes
from newsmill.local_airflow import keeper, supervisor

# Records each start in `starts`, each SIGTERM in `terms`; exits with `code` after `seconds` (or on
# SIGTERM, as Airflow's processes shut down).
CHILD = """
import signal, sys, time
starts, terms, seconds, code = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
open(starts, "a").write("started\\n")
def term(*_):
    open(terms, "a").write("SIGTERM\\n")
    sys.exit(0)
signal.signal(signal.SIGTERM, term)
time.sleep(seconds)
sys.exit(code)
"""


# Leaves a process behind in its group that ignores SIGTERM (as a crashed scheduler leaves its
# LocalExecutor workers), its pid appended to `orphans`, then exits with 3.
LEAVING = """
import subprocess, sys, time
orphan = subprocess.Popen([sys.executable, "-c",
                           "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"],
                          stdout=subprocess.DEVNULL)
open(sys.argv[1], "a").write(f"{orphan.pid}\\n")
time.sleep(0.5)
sys.exit(3)
"""


def _keep(tmp_path: Path, seconds: float, code: int, *options: str, child: list[str] | None = None
          ) -> subprocess.Popen:
    command = child or [sys.executable, "-c", CHILD, str(tmp_path / "starts"), str(tmp_path / "terms"),
                        str(seconds), str(code)]
    return subprocess.Popen([sys.executable, "-m", keeper.__name__, "scheduler", *options, "--", *command],
                            stdout=subprocess.PIPE, text=True, start_new_session=True)


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def test_a_crashed_child_is_restarted_until_the_limit(tmp_path: Path) -> None:
    began = datetime.now(UTC).replace(microsecond=0)  # the keeper's stamps are whole seconds
    kept = _keep(tmp_path, 0.5, 3, "--min-uptime", "0.3", "--delay", "0.1", "--max-restarts", "2")
    out, _ = kept.communicate(timeout=30)
    assert kept.returncode == 3
    assert len(_lines(tmp_path / "starts")) == 3  # the first start and two restarts
    said = out.splitlines()
    assert [line.split("newsmill keeper: ")[1].split(" after")[0] for line in said] == [
        "scheduler exited with 3"] * 3, said
    assert [line.endswith("restarting it in 0 s") for line in said] == [True, True, False], said
    assert said[-1].endswith("exited with 3 after 2 restarts within 600 s; not restarting it")
    # what `newsmill airflow status` counts: the restarts since `up`, from the process's log
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "newsmill-scheduler.log").write_text("earlier output\n" + out)
    assert supervisor.restarts(tmp_path, "scheduler", began) == 2
    assert supervisor.restarts(tmp_path, "scheduler", datetime.now(UTC) + timedelta(seconds=1)) == 0
    assert supervisor.restarts(tmp_path, "triggerer", began) == 0


def test_what_a_crashed_child_left_in_the_group_is_stopped_before_the_restart(tmp_path: Path) -> None:
    orphans = tmp_path / "orphans"
    kept = _keep(tmp_path, 0, 0, "--min-uptime", "0.3", "--delay", "0", "--max-restarts", "1",
                 child=[sys.executable, "-c", LEAVING, str(orphans)])
    try:
        out, _ = kept.communicate(timeout=60)
        assert kept.returncode == 3
        first, second = map(int, _lines(orphans))
        assert not processes.alive(first)  # SIGKILLed: it ignored SIGTERM
        assert processes.alive(second)  # left when the keeper gave up: `down` or `up` stops it
        assert processes.group_members(kept.pid) == [second]
        assert "could not stop" not in out
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(kept.pid, signal.SIGKILL)


def test_a_child_that_fails_to_start_is_not_restarted(tmp_path: Path) -> None:
    kept = _keep(tmp_path, 0, 2, "--min-uptime", "5")
    out, _ = kept.communicate(timeout=30)
    assert kept.returncode == 2
    assert len(_lines(tmp_path / "starts")) == 1
    assert out.strip().endswith("scheduler exited with 2 0 s after it started; not restarting it")


def test_stopping_the_group_stops_the_child_once_and_the_keeper(tmp_path: Path) -> None:
    kept = _keep(tmp_path, 60, 0, "--min-uptime", "0", "--delay", "0")
    deadline = time.monotonic() + 20
    while not _lines(tmp_path / "starts") and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(kept.pid, signal.SIGTERM)  # as `newsmill airflow down` does
    out, _ = kept.communicate(timeout=30)
    assert kept.returncode == 0
    assert _lines(tmp_path / "terms") == ["SIGTERM"]  # once: the keeper does not signal it again
    assert _lines(tmp_path / "starts") == ["started"]  # and does not start it again
    assert out == ""


def test_an_airflow_process_that_fails_to_start_is_reported_by_its_own_last_line(tmp_path: Path) -> None:
    """`up` names why a process did not start by its log's last line: Airflow's, not its keeper's."""
    home = tmp_path / "airflow"
    env = supervisor.airflow_env(home, tmp_path, supervisor.free_port())
    started = supervisor._spawn("scheduler", ["no-such-command"], env, home)
    assert started.wait(timeout=120) == 2  # argparse's exit status, passed on: not restarted
    log = home / "logs" / "newsmill-scheduler.log"
    assert "newsmill keeper: scheduler exited with 2 " in log.read_text()
    hint = supervisor._log_hint(log)
    assert "invalid choice: 'no-such-command'" in hint and "keeper" not in hint, hint
