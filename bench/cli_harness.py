"""Running the real `newsmill` CLI as the tests of disk errors, interrupts, concurrent runs, the
query sandbox and terminal output (``tests/hostile``) and ``bench/run_faults.py`` need it: to its
end on a crawled warehouse, or in a session of its own (so a signal can go to its process group,
and what it leaves running can be found), without root's right to ignore file modes, on a small
disk that can be filled, and comparing every column of every warehouse row."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import duckdb

from bench.hostile_site import DAY, Hits, Route, steady_config, steady_routes
from newsmill.demo.server import SiteServer
from newsmill.processes import naming

NEWSMILL = str(Path(sys.executable).with_name("newsmill"))
RUN_ID = f"{DAY}_{DAY}_steady"
_NO_OVERRIDE = "-dac_override,-dac_read_search,-fowner"


class Unavailable(Exception):
    """This machine cannot set a scenario up (no setpriv, no right to mount): `tests/hostile`'s
    conftest skips a test raising it, and `bench/faults.py` prints its row as "not run here"."""


def run_dir(data: Path) -> Path:
    return data / "runs" / RUN_ID


def command(config: Path, *extra: str) -> list[str]:
    return [NEWSMILL, "--config", str(config), "run", "--date", DAY, "-q", *extra]


def start(argv: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """The CLI in a session of its own: its PID is the process group and session of all it starts."""
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, env=env)


def interrupt(child: subprocess.Popen[str], signum: signal.Signals, *, group: bool = True,
              times: int = 1) -> None:
    """Send `signum` `times` times, 0.1 s apart (a second Ctrl-C while the first is handled), to the
    CLI's process group as a terminal's Ctrl-C does, or (`group=False`) to the CLI alone as a
    supervisor stops its child."""
    for n in range(times):
        if n:
            time.sleep(0.1)
        try:
            os.killpg(child.pid, signum) if group else os.kill(child.pid, signum)
        except ProcessLookupError:  # already gone after the first: nothing left to stop
            return


def kill_session(sid: int) -> None:
    """SIGKILL whatever is left of a session this test started."""
    with suppress(ProcessLookupError):
        os.killpg(sid, signal.SIGKILL)
    for pid, _ in alive_in_session(sid):
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def alive_in_session(sid: int) -> list[tuple[int, str]]:
    """Processes of session `sid` that have not ended (zombies have: they only wait to be reaped),
    found in /proc: (pid, command line)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError):
            continue  # ended while we looked
        state, session = fields[0], int(fields[3])
        if session == sid and state not in ("Z", "X"):
            found.append((int(entry.name), cmdline.strip()))
    return found


def alive_naming(marker: str) -> list[str]:
    """Processes other than this one, not ended, whose environment or command line names `marker`
    (e.g. a test's temp folder: what that test started), found in /proc: "pid: command line"."""
    return [f"{pid}: {command[:100]}" for pid, command in naming(marker)]


def kill_naming(marker: str) -> list[int]:
    """SIGKILL every process `alive_naming(marker)` finds, as a machine that dies stops all it
    ran, whichever process group or session each is in; returns their pids. Looks again until
    none is left: a process may have forked while the others were being killed."""
    killed: list[int] = []
    deadline = time.monotonic() + 10
    while (found := naming(marker)) and time.monotonic() < deadline:
        for pid, _command in found:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
        time.sleep(0.05)
    return sorted(set(killed))


def left_running(sid: int, grace: float = 15) -> list[tuple[int, str]]:
    """What of session `sid` still runs once the CLI has exited; a fork server whose last worker just
    ended needs a moment to notice, hence up to `grace` seconds."""
    deadline = time.monotonic() + grace
    while (alive := alive_in_session(sid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return alive


def wait_for(ready: Callable[[], bool], what: str, child: subprocess.Popen[str] | None = None,
             timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        assert child is None or child.poll() is None, f"the run ended before {what}"
        assert time.monotonic() < deadline, f"{what} never came"
        time.sleep(0.01)


def lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def _inode(path: Path) -> int | None:
    try:
        return path.stat().st_ino
    except FileNotFoundError:
        return None


def crawl_started(log: Path) -> Callable[[], bool]:
    """For `wait_for`: whether a new crawl.jsonl at `log` has its first line (a run replaces the
    last run's file, so the old one's lines do not count)."""
    old = _inode(log)
    return lambda: _inode(log) not in (None, old) and lines(log) >= 1


def newsmill(config: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`newsmill --config CONFIG ARGS` run to its end (bounded), its output captured as text."""
    return subprocess.run([NEWSMILL, "--config", str(config), *args], capture_output=True, text=True,
                          timeout=300, env=env)


def crawled(site: SiteServer, routes: dict[str, Route], work: Path) -> Path:
    """`site` serving `routes` and crawled into a warehouse in `work`/data by one `newsmill run` of
    DAY (which must exit 0); returns the config, sources.toml in `work`."""
    site.set_routes(routes)
    config = steady_config(work / "sources.toml", site, work / "data")
    result = newsmill(config, "run", "--date", DAY, "-q")
    assert result.returncode == 0, result.stderr
    return config


def loaded_folder(site: SiteServer, work: Path) -> Path:
    """A data folder in `work` after one run of a day listing 12 articles: warehouse, WARC, run
    directory."""
    crawled(site, steady_routes(site.url, n=12, delay=0), work)
    return work / "data"


def grown(loaded: Path, site: SiteServer, data: Path, hits: Hits | None = None) -> Path:
    """A copy of the `loaded` data folder in `data`, with `site` now listing 12 articles more, each
    answered after 0.2 s (so a plain run fetches too, long enough to be stopped mid-crawl), their
    requests counted in `hits`; returns the config."""
    shutil.copytree(loaded, data, dirs_exist_ok=True)
    routes = steady_routes(site.url, n=24, delay=0.2)
    site.set_routes(hits.counted(routes) if hits else routes)
    return steady_config(data.parent / "sources.toml", site, data)


def rows(db: Path) -> dict[str, list[tuple]]:
    """Every column of every row of the tables a run writes, times and WARC offsets included."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {table: con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
                for table in ("articles", "removed_segments", "crawl_log", "runs")}
    finally:
        con.close()


def unprivileged(argv: list[str]) -> list[str]:
    """`argv` run so that file modes bind it: as root, without the capabilities that override them
    (checked: the prefix must fail to create a file in a read-only folder)."""
    if os.geteuid() != 0:
        return argv
    if shutil.which("setpriv") is None:
        raise Unavailable("running as root without setpriv: file modes cannot be made to bind")
    prefix = ["setpriv", f"--bounding-set={_NO_OVERRIDE}", f"--inh-caps={_NO_OVERRIDE}"]
    probe = Path(f"/tmp/newsmill-probe-{os.getpid()}")
    probe.mkdir(mode=0o555, exist_ok=True)
    try:
        touched = subprocess.run([*prefix, "touch", str(probe / "x")], capture_output=True)
    finally:
        with suppress(OSError):
            (probe / "x").unlink()
        probe.rmdir()
    if touched.returncode == 0:
        raise Unavailable("setpriv could not drop CAP_DAC_OVERRIDE here: file modes do not bind")
    return [*prefix, *argv]


@contextmanager
def small_disk(path: Path, size: str = "32m") -> Iterator[Path]:
    """A tmpfs of `size` mounted at `path` (Unavailable where mounting is not allowed)."""
    path.mkdir(parents=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        raise Unavailable(f"cannot mount a small tmpfs here ({mounted.stderr.strip()}): needs root")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=True)


def fill_once_crawling(log: Path, disk: Path) -> Callable[[subprocess.Popen[str]], None]:
    """What to do while a run goes on to fill the disk mid-crawl: wait until a new crawl.jsonl at
    `log` has its first line, then `fill(disk)`. Make it before the run starts."""
    started = crawl_started(log)

    def fill_up(child: subprocess.Popen[str]) -> None:
        wait_for(started, "the first crawl.jsonl line", child)
        fill(disk)

    return fill_up


def fill(disk: Path) -> None:
    """Write to `disk` until it is full (ENOSPC), as another program filling it would."""
    with (disk / "filler").open("wb", buffering=0) as handle:
        block = b"\0" * (1 << 20)
        try:
            while True:
                handle.write(block)
        except OSError:
            pass
        try:
            while True:
                handle.write(b"\0" * 512)
        except OSError:
            return
