"""Memory and CPU of a process tree, read from /proc: what a measured command costs with every
process it starts (the crawl, the fork server and its extraction workers) counted.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path


class TreeMemory:
    """Samples the resident memory of a process tree: per process its peak (VmHWM) and, over time,
    the peak of the tree's summed PSS (shared pages counted once)."""

    def __init__(self, root_pid: int, exclude: set[int] = frozenset(), interval: float = 0.25) -> None:
        self.root, self.exclude, self.interval = root_pid, set(exclude), interval
        self.peaks: dict[int, tuple[str, int]] = {}
        self.cpu: dict[int, tuple[str, float]] = {}
        self.peak_total = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _tree(self) -> list[tuple[int, int]]:
        """(pid, parent pid) of the root and its descendants, less `exclude` and theirs."""
        children = _children()
        out, todo = [], [(self.root, 0)]
        while todo:
            pid, parent = todo.pop()
            if pid in self.exclude:
                continue
            out.append((pid, parent))
            todo.extend((child, pid) for child in children.get(pid, []))
        return out

    def sample(self) -> None:
        total = 0
        commands: dict[int, str] = {}
        for pid, parent in self._tree():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
                rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            hwm = int(re.search(r"VmHWM:\s+(\d+)", status)[1]) * 1024
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            pss = re.search(r"^Pss:\s+(\d+)", rollup, re.M)
            total += int(pss[1]) * 1024 if pss else 0
            commands[pid] = cmd
            name = _label(cmd) if cmd else self.peaks.get(pid, ("", 0))[0]
            if name == "fork server" and "forkserver" in commands.get(parent, ""):
                name = "extract worker"
            if hwm > self.peaks.get(pid, ("", 0))[1]:
                self.peaks[pid] = (name, hwm)
            if name or pid not in self.cpu:  # an exited process has no command line left
                self.cpu[pid] = (name or self.cpu.get(pid, ("", 0))[0], cpu)
        self.peak_total = max(self.peak_total, total)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def summary(self) -> dict:
        by_role: dict[str, int] = {}
        for name, hwm in self.peaks.values():
            by_role[name] = max(by_role.get(name, 0), hwm)
        cpu: dict[str, float] = {}
        for name, seconds in self.cpu.values():
            cpu[name] = round(cpu.get(name, 0.0) + seconds, 2)
        return {"peak_total_pss_mb": _mb(self.peak_total),
                "peak_rss_mb_by_process": {k: _mb(v) for k, v in by_role.items()},
                "cpu_seconds_by_role": cpu, "cpu_seconds": round(sum(cpu.values()), 2)}


def _label(cmd: str) -> str:
    """The role of a process in the table, from its command line."""
    if "spiders.crawl" in cmd:
        return "crawl (scrapy)"
    if "forkserver" in cmd:
        return "fork server"
    if "multiprocessing" in cmd or "spawn_main" in cmd:
        return "extract worker"
    if "bench.newsmill_runner" in cmd:
        return "pipeline parent"
    if "trafilatura" in cmd:
        return "trafilatura cli"
    return cmd.split(" ")[0].rsplit("/", 1)[-1][:30]


def _children() -> dict[int, list[int]]:
    """Every process's children, by parent pid."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(ppid, []).append(int(entry))
    return children


def cpu_seconds(pid: int) -> float:
    """CPU of one process (user + system)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(root: int) -> float:
    """CPU of a process tree: each live process's own time plus that of its exited children."""
    children = _children()
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
        todo.extend(children.get(pid, []))
    return total / os.sysconf("SC_CLK_TCK")


def _mb(value: int) -> float:
    return round(value / 2**20, 1)
