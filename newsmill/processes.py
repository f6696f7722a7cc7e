"""Other processes, as the kernel shows them: whether one still runs, what it is, and waiting while
one holds a lock.

The warehouse lock and the run-directory lock name their holder, the demo service's pid file and the
local Airflow's supervisor check that a recorded pid still runs and is still theirs: one reading of
procfs for all of them. Without procfs (not Linux) the kernel is asked through signal 0.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

PROC = Path("/proc")
EXITED = frozenset({"Z", "X"})  # zombie (exited, waiting for its parent) and dead
T = TypeVar("T")


def has_procfs() -> bool:
    return PROC.joinpath("self").exists()


def stat(pid: int | str) -> tuple[str, int] | None:
    """(state, process group) of a process, from procfs; None when it is gone."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()  # the command name in parentheses may hold spaces
    return fields[0], int(fields[2])


def alive(pid: int) -> bool:
    """True while `pid` runs and has not exited (a zombie waiting for its parent has)."""
    if not has_procfs():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    state = stat(pid)
    return state is not None and state[0] not in EXITED


def group_members(pgid: int) -> list[int]:
    """The processes of group `pgid` that have not exited, but this one (procfs only)."""
    members = []
    with os.scandir(PROC) as entries:
        for entry in entries:
            if entry.name.isdigit() and int(entry.name) != os.getpid():
                found = stat(entry.name)
                if found and found[1] == pgid and found[0] not in EXITED:
                    members.append(int(entry.name))
    return members


def naming(marker: str) -> list[tuple[int, str]]:
    """(pid, command line) of each running process but this one whose environment or command line
    holds `marker`: what was started for a folder or an Airflow home, whatever group or session it
    moved to. Processes we may not read are not ours and are left out."""
    needle = marker.encode()
    found = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            state = stat(entry.name)
            cmdline = (entry / "cmdline").read_bytes()
            named = needle in cmdline or needle in (entry / "environ").read_bytes()
        except OSError:
            continue  # ended while we looked, or not ours to read
        if named and state is not None and state[0] not in EXITED:
            found.append((int(entry.name), cmdline.replace(b"\0", b" ").decode(errors="replace")))
    return found


def command_line(pid: int) -> bytes | None:
    """The raw command line of `pid` (arguments separated by NUL), or None when it cannot be read."""
    try:
        return (PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return None


def describe_process(pid: int) -> str:
    """``PID n (its command line)``, for a message naming who holds a lock."""
    raw = (command_line(pid) or b"").replace(b"\0", b" ")
    cmd = " ".join(raw.decode(errors="replace").split())  # one line, even for `python -c "..."`
    return f"PID {pid} ({cmd[:80]})" if cmd else f"PID {pid}"


class LockHeld(Exception):  # noqa: N818 - a signal between a lock attempt and `wait_for_lock`
    """Raised by a `wait_for_lock` attempt: the lock is taken, by `holder` (`describe_process`)."""

    def __init__(self, holder: str) -> None:
        super().__init__(holder)
        self.holder = holder


def wait_for_lock(
    attempt: Callable[[], T],
    *,
    timeout: float,
    say: Callable[[str], None],
    waiting: Callable[[str], str],
    busy: Callable[[str], Exception],
    longest_pause: float = 2.0,
) -> T:
    """Call `attempt` until it stops raising LockHeld, for up to `timeout` seconds; its result.

    Never waits silently: the first time the lock is held `say` gets `waiting(holder)`; after
    `timeout` seconds `busy(holder)` is raised. The pause between attempts grows from 0.2 s to
    `longest_pause`, so a long wait does not spin while a short one ends soon after the holder.
    """
    deadline = time.monotonic() + timeout
    pause = 0.2
    announced = False
    while True:
        try:
            return attempt()
        except LockHeld as held:
            holder = held.holder
        if time.monotonic() >= deadline:
            raise busy(holder) from None
        if not announced:
            say(waiting(holder))
            announced = True
        time.sleep(pause)
        pause = min(pause * 1.5, longest_pause)


def hold_flock(
    fd: int,
    path: Path,
    *,
    timeout: float,
    say: Callable[[str], None],
    waiting: Callable[[str], str],
    busy: Callable[[str], Exception],
) -> None:
    """Take the exclusive `flock` of the lock file `path` open as `fd`, waiting as `wait_for_lock`
    does, then write this process's pid in it so the next waiter can name its holder. The kernel
    releases a flock however its holder ends, so a killed holder never blocks anyone."""

    def attempt() -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockHeld(flock_holder(path)) from None

    # a flock costs nothing to try, and the next holder should start at once
    wait_for_lock(attempt, timeout=timeout, say=say, waiting=waiting, busy=busy, longest_pause=0.2)
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)


def flock_holder(path: Path) -> str:
    """The process whose pid the lock file `path` holds, described; "another process" if unknown."""
    try:
        return describe_process(int(path.read_text().split()[0]))
    except (OSError, ValueError, IndexError):
        return "another process"
