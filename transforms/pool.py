"""The extraction worker processes: one process pool that a run, or a whole backfill, shares.

Starting the pool costs a fork server (the extraction stack imported and warmed) and each worker's
first models; started once per backfill, that cost is paid on its first day only, so every day
after costs the same.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import warnings
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import forkserver, get_context
from typing import Any

from dateutil.parser import UnknownTimezoneWarning

# Workers are replaced after this many pages each (lxml trees can leave memory fragmented), but not
# often: a fresh worker loads its models again. Only between runs (`recycle_if_worn`), never with
# `max_tasks_per_child`: on Python 3.11 the pool stops for good once a worker retires with pages
# still queued (CPython gh-115634, fixed in 3.13+), which hangs a large day.
RECYCLE_AFTER = 2000
# Imported by the fork server once; workers (and their replacements) fork from it ready to go and
# share those pages of memory. transforms.preload fills the caches the first page would fill.
PRELOAD = ["transforms.page", "transforms.preload"]


class WorkerPool:
    """A forkserver process pool (a fork of an Airflow task process is not safe), created on first
    use, re-created after a worker crash broke it, and renewed between runs (`recycle_if_worn`).

    While it runs, the parent's ``__main__.__file__`` is hidden: every process the fork server starts
    would otherwise re-run the parent's main script by path. In an Airflow task that is the
    ``airflow`` script, which initialises Airflow's ORM without database access and kills the
    worker; elsewhere it is wasted work. Workers need nothing from ``__main__``.

    The fork server and the workers ignore SIGINT: a Ctrl-C reaches the whole process group, and
    the parent, not each worker, decides how the pool stops (`close`); a worker would otherwise die
    with a KeyboardInterrupt traceback, or the fork server while it imports `PRELOAD`.
    """

    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self._executor: ProcessPoolExecutor | None = None
        self._main_file: str | None = None
        self._served = 0  # calls submitted to the current workers

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def running(self) -> bool:
        return self._executor is not None

    def start(self, warm_up: Callable[[], Any] | None = None) -> WorkerPool:
        """Start the workers now and have each run `warm_up` (load its models) while the caller
        does something else, e.g. while the crawl reads listings; a no-op when already running."""
        if self._executor is None:
            self._executor = self._new()
            if warm_up is not None:
                for _ in range(self.workers):
                    self._executor.submit(warm_up)
        return self

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        """Run `fn(*args)` in a worker; a pool broken by an earlier crash is replaced first."""
        if self._executor is None:
            self._executor = self._new()
        self._served += 1
        try:
            return self._executor.submit(fn, *args)
        except BrokenProcessPool:  # broken by a crash whose pages are not collected yet
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = self._new()
            return self._executor.submit(fn, *args)

    def recycle_if_worn(self) -> None:
        """Between runs, with nothing pending: stop workers that served `RECYCLE_AFTER` pages each;
        the next call starts fresh ones (forked warm from the fork server, which stays)."""
        if self._executor is not None and self._served >= RECYCLE_AFTER * self.workers:
            self._executor.shutdown(wait=True)
            self._executor = None

    def close(self) -> None:
        """Stop the workers (calls not started are dropped) and give `__main__` its file back."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
        if self._main_file is not None:
            sys.modules["__main__"].__file__ = self._main_file
            self._main_file = None

    def _new(self) -> ProcessPoolExecutor:
        self._served = 0
        if self._main_file is None:
            self._main_file = sys.modules["__main__"].__dict__.pop("__file__", None)
        context = get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        _start_fork_server()
        return ProcessPoolExecutor(self.workers, mp_context=context, initializer=_init_worker)


def _start_fork_server() -> None:
    """Start the fork server (a no-op when it runs) with SIGINT ignored from its first instruction:
    the ignored disposition survives exec, and Python then installs no KeyboardInterrupt handler,
    neither in the server nor in the workers it forks. Only the main thread may change handlers;
    elsewhere the workers ignore SIGINT from `_init_worker` on."""
    if threading.current_thread() is not threading.main_thread():
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        forkserver.ensure_running()
    finally:
        if previous is not None:  # None: a handler not set from Python, which Python cannot restore
            signal.signal(signal.SIGINT, previous)


def _init_worker() -> None:
    """Ignore SIGINT (see `WorkerPool`), and silence dateutil's per-page warning about unknown zone
    names (htmldate's date search meets many): it would flood the task log and says nothing about
    the result."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    warnings.filterwarnings("ignore", category=UnknownTimezoneWarning)
