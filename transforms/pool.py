"""The extraction worker processes: one process pool that a run, or a whole backfill, shares.

Starting the pool costs a fork server (the extraction stack imported and warmed) and each worker's
first models; started once per backfill, that cost is paid on its first day only, so every day
after costs the same.
"""

from __future__ import annotations

import faulthandler
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
# Seconds a call (a page's extraction) may run in a worker: hostile markup can make a regex
# backtrack or a loop run for hours, and a run would wait on it. A call past it is interrupted and
# fails with TimeoutError (that page's error); one that cannot be interrupted (stuck in C code that
# never returns to Python) ends its worker HARD_GRACE seconds later, as a crash does.
CALL_SECONDS = 60.0
HARD_GRACE = 30.0


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

    def __init__(self, workers: int | None = None, *, call_seconds: float = CALL_SECONDS,
                 hard_grace: float = HARD_GRACE) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.call_seconds, self.hard_grace = call_seconds, hard_grace
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
        """Run `fn(*args)` in a worker, for `call_seconds` at most (see CALL_SECONDS); a pool
        broken by an earlier crash is replaced first."""
        if self._executor is None:
            self._executor = self._new()
        self._served += 1
        call = (_call_within, self.call_seconds, self.hard_grace, fn, *args)
        try:
            return self._executor.submit(*call)
        except BrokenProcessPool:  # broken by a crash whose pages are not collected yet
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = self._new()
            return self._executor.submit(*call)

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


class _Overtime(BaseException):
    """Raised in a worker when its call's time is up; a BaseException, so that the libraries' own
    `except Exception` fallbacks (trafilatura has them) do not swallow it and go on working."""


def _overtime(signum: int, frame: object) -> None:
    raise _Overtime


def _call_within(seconds: float, grace: float, fn: Callable[..., Any], *args: Any) -> Any:
    """In a worker: `fn(*args)`, interrupted by SIGALRM after `seconds` (TimeoutError), or the worker
    ended by faulthandler's watchdog thread (which needs no Python code to run) `grace` later. The
    alarm's handler is ignored again before leaving, so a late one cannot escape the call."""
    signal.signal(signal.SIGALRM, _overtime)
    faulthandler.dump_traceback_later(seconds + grace, exit=True)
    try:
        try:
            signal.setitimer(signal.ITIMER_REAL, seconds)
            return fn(*args)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, signal.SIG_IGN)
    except _Overtime:
        raise TimeoutError(f"still running after {seconds:g} s: stopped") from None
    finally:
        faulthandler.cancel_dump_traceback_later()
