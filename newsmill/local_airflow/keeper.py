"""Keep one of a local Airflow's processes running: restart it when it exits on its own.

Airflow's scheduler, dag-processor and triggerer exit on an error they do not expect (Airflow 3.3's
scheduler does when a run it holds is deleted under it, as a backfill that met a locked SQLite
database does) and leave restarting them to whatever supervises them: systemd or Kubernetes in a
deployment. Without it a local Airflow would show every process "running" but the dead one, and
queued runs would wait forever. ``supervisor`` starts each Airflow process through this module:

    python -m newsmill.local_airflow.keeper NAME -- airflow scheduler --skip-serve-logs

The keeper leads the process group, its child runs in it, so `newsmill airflow down`'s ``killpg``
reaches both: the keeper then waits for its child to exit and does not restart it. A child that
exits within its first ``--min-uptime`` seconds failed to start (a bad setting, a port in use), and
one that needs more than ``--max-restarts`` restarts within ``--window`` seconds keeps failing: the
keeper then exits with the child's code, so ``status`` reports the process stopped. Each restart is
a line in the process's log.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections import deque
from datetime import UTC, datetime

from newsmill import processes

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
SAYS = "newsmill keeper:"  # begins what the keeper writes into its process's log, after a time
RESTART = "restarting it in"  # in each line announcing a restart (supervisor.restarts counts them)
CLEAR_SECONDS = 2.0  # for what a crashed child left to stop on SIGTERM, before SIGKILL


class Keeper:
    """Runs `command` until stopped by a signal, restarting it as the module docstring says."""

    def __init__(self, name: str, command: list[str], *, min_uptime: float, delay: float,
                 max_restarts: int, window: float) -> None:
        self.name, self.command = name, command
        self.min_uptime, self.delay = min_uptime, delay
        self.max_restarts, self.window = max_restarts, window
        self.stopping = False

    def stop(self, signum: int, _frame: object) -> None:
        # The child got the signal too (it came to the whole group): let it shut down in its own time.
        self.stopping = True

    def run(self) -> int:
        """0 once stopped by a signal; the child's code (1 for a signal) once it gave up on it."""
        restarts: deque[float] = deque()
        while not self.stopping:
            started = time.monotonic()
            child = subprocess.Popen(self.command)
            if self.stopping:  # signalled while starting it: the child missed the signal
                child.terminate()
            code = child.wait()
            if self.stopping:
                return 0
            now = time.monotonic()
            while restarts and now - restarts[0] > self.window:
                restarts.popleft()
            if now - started < self.min_uptime:
                self.say(f"exited with {code} {now - started:.0f} s after it started; not restarting it")
                return code if code > 0 else 1
            if len(restarts) >= self.max_restarts:
                self.say(f"exited with {code} after {len(restarts)} restarts within {self.window:.0f} s; "
                         "not restarting it")
                return code if code > 0 else 1
            restarts.append(now)
            self.say(f"exited with {code} after {now - started:.0f} s; {RESTART} {self.delay:.0f} s")
            self.clear_group()
            deadline = time.monotonic() + self.delay
            while not self.stopping and time.monotonic() < deadline:
                time.sleep(min(0.2, self.delay))
        return 0

    def clear_group(self) -> None:
        """Stop what the exited child left in the group, so that the restarted one runs alone: a
        crashed scheduler leaves its LocalExecutor workers, which do not stop on SIGTERM, and would
        hold `down` up for its 30 s. Only as the group's leader (as `supervisor` starts it)."""
        if os.getpgrp() != os.getpid() or not processes.has_procfs():
            return
        for signum in (signal.SIGTERM, signal.SIGKILL):
            left = processes.group_members(os.getpid())
            for pid in left:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signum)
            deadline = time.monotonic() + CLEAR_SECONDS
            while left and time.monotonic() < deadline and not self.stopping:
                time.sleep(0.1)
                left = processes.group_members(os.getpid())
            if not left or self.stopping:
                return
        self.say(f"could not stop what it left: pids {', '.join(map(str, left))}")

    def say(self, message: str) -> None:
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        print(f"{stamp} {SAYS} {self.name} {message}", flush=True)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    split = argv.index("--") if "--" in argv else len(argv)
    options, command = argv[:split], argv[split + 1:]
    parser = argparse.ArgumentParser(prog="python -m newsmill.local_airflow.keeper",
                                     usage="%(prog)s [options] NAME -- COMMAND...", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", help="the process's name in logs")
    parser.add_argument("--min-uptime", type=float, default=20.0,
                        help="seconds a child must run for its exit to be a crash, not a failed start")
    parser.add_argument("--delay", type=float, default=5.0, help="seconds between an exit and the restart")
    parser.add_argument("--max-restarts", type=int, default=5, help="restarts allowed within --window")
    parser.add_argument("--window", type=float, default=600.0, help="seconds --max-restarts counts over")
    args = parser.parse_args(options)
    if not command:
        parser.error("no command to keep running (give it after --)")
    kept = Keeper(args.name, command, min_uptime=args.min_uptime, delay=args.delay,
                  max_restarts=args.max_restarts, window=args.window)
    for signum in STOP_SIGNALS:
        signal.signal(signum, kept.stop)
    return kept.run()


if __name__ == "__main__":
    sys.exit(main())
