"""The demo sites as a foreground service: serve until Ctrl-C, SIGTERM or a stop from another shell.

``newsmill demo --serve`` runs `serve_until_stopped` with a pid file in the demo's data folder, so
``newsmill demo --stop`` (`stop`) can end it from anywhere the same config is used, and a second
``--serve`` is refused with one line instead of a port error. ``python -m newsmill.demo`` serves
without a pid file.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from newsmill.demo.generate import DEFAULT_DAYS
from newsmill.demo.sites import DemoServers, serve_demo
from newsmill.processes import alive, command_line

PID_FILE = "demo-sites.pid"


class DemoRunning(RuntimeError):
    """The demo sites of this pid file are served already."""


def pid_file(data_dir: str | os.PathLike[str]) -> Path:
    """Where `newsmill demo --serve` records its pid for a data folder."""
    return Path(data_dir) / PID_FILE


def _is_demo(pid: int) -> bool:
    """Whether `pid` is a newsmill process (a recorded pid may have been reused since)."""
    return b"newsmill" in (command_line(pid) or b"")


def serving_pid(path: Path) -> int | None:
    """The pid of the demo service recorded in `path`, if it still runs."""
    try:
        pid = int(json.loads(path.read_text())["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return pid if alive(pid) and _is_demo(pid) else None


def serve_until_stopped(ports: Sequence[int], announce: Callable[[DemoServers], None], *,
                        pid_path: Path | None = None, start: date | None = None,
                        days: int = DEFAULT_DAYS) -> None:
    """Serve the demo sites on `ports` until SIGINT or SIGTERM; `announce` says what serves.

    With `pid_path`, refuses (DemoRunning) when it names a demo service that still runs, records
    this process there while serving and removes it on the way out.
    """
    if pid_path is not None and (pid := serving_pid(pid_path)) is not None:
        raise DemoRunning(f"the demo sites already run (pid {pid}, {pid_path}); "
                          "stop them with `newsmill demo --stop`")
    stopping = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stopping.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with serve_demo(ports, start=start, days=days) as servers:
            if pid_path is not None:
                pid_path.parent.mkdir(parents=True, exist_ok=True)
                tmp = pid_path.with_name(pid_path.name + ".tmp")
                tmp.write_text(json.dumps({"pid": os.getpid(), "urls": servers.base_urls}))
                tmp.replace(pid_path)
            try:
                announce(servers)
                while not stopping.wait(0.5):
                    pass
            finally:
                if pid_path is not None and serving_pid(pid_path) == os.getpid():
                    pid_path.unlink(missing_ok=True)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def stop(pid_path: Path, timeout: float = 10.0) -> int | None:
    """Stop the demo service recorded in `pid_path` (SIGTERM, SIGKILL after `timeout` s) and
    remove the file; returns its pid, or None when none ran (a stale file is removed too)."""
    pid = serving_pid(pid_path)
    if pid is not None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    pid_path.unlink(missing_ok=True)
    return pid
