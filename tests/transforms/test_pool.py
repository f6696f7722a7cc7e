"""WorkerPool: one set of workers for several batches, the caller's script never re-run, and no
call (a page's extraction) holding a worker past its time."""

import os
import signal
import sys
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from test_batch import FIXTURES, crawl_row, write_warc

from newsmill import layout, runfiles
from newsmill.runfiles import ExtractError
from transforms import pool as pool_module
from transforms.batch import PageBatch
from transforms.pool import WorkerPool


def test_main_file_is_hidden_while_the_pool_runs_and_given_back():
    main = sys.modules["__main__"]
    before = main.__dict__.get("__file__")
    with WorkerPool(1) as pool:
        assert pool.submit(os.getpid).result() != os.getpid()
        assert "__file__" not in main.__dict__  # workers would re-run it by path (`airflow`)
    assert main.__dict__.get("__file__") == before


def test_batches_share_a_pool_and_leave_it_running(tmp_path: Path):
    warc = tmp_path / "w.warc.gz"
    offsets = write_warc(warc, {"a": (FIXTURES / "article.html").read_bytes()})
    with WorkerPool(1) as pool:
        for day in ("d1", "d2"):
            run_dir = tmp_path / "data" / "runs" / day
            run_dir.mkdir(parents=True)
            with PageBatch(run_dir, {"coast": "en"}, pool=pool) as batch:
                batch.start()
                batch.feed(crawl_row(f"https://coast.test/{day}", warc, offsets["a"]))
                assert batch.finish().articles == 1
            assert pool.running
            assert pq.read_table(run_dir / layout.ARTICLES).num_rows == 1
    assert not pool.running


def test_workers_serve_a_long_queue_and_are_renewed_between_runs_only(monkeypatch):
    """A queue longer than a worker's share never stalls (Python 3.11's max_tasks_per_child did:
    CPython gh-115634); worn workers are replaced once the run is over."""
    monkeypatch.setattr(pool_module, "RECYCLE_AFTER", 2)
    with WorkerPool(1) as pool:
        futures = [pool.submit(os.getpid) for _ in range(6)]
        pids = {f.result(timeout=60) for f in futures}
        assert len(pids) == 1  # one worker did them all
        pool.recycle_if_worn()
        assert pool.submit(os.getpid).result(timeout=60) not in pids
        pool.recycle_if_worn()  # one page served since: kept
        assert pool.running


def spin(seconds: float, swallow: bool) -> str:
    """Busy in Python for `seconds`, like a regex backtracking; with `swallow`, inside the catch-all
    a library's fallback has."""
    end = time.monotonic() + seconds
    try:
        while time.monotonic() < end:
            pass
    except Exception:  # noqa: BLE001 - what trafilatura's fallbacks do
        return "swallowed"
    return "finished"


def stuck(seconds: float) -> None:
    """Stuck where no signal handler runs (as in C code that never returns to Python)."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    time.sleep(seconds)


@pytest.mark.parametrize("swallow", [False, True])
def test_a_call_past_its_time_fails_with_timeout_and_the_worker_goes_on(swallow: bool):
    with WorkerPool(1, call_seconds=0.5) as pool:
        worker = pool.submit(os.getpid).result(timeout=60)
        started = time.monotonic()
        with pytest.raises(TimeoutError, match=r"still running after 0.5 s: stopped"):
            pool.submit(spin, 60, swallow).result(timeout=60)
        assert time.monotonic() - started < 30
        assert pool.submit(os.getpid).result(timeout=60) == worker  # the same worker, not killed
        assert pool.submit(spin, 0.01, swallow).result(timeout=60) == "finished"  # no late alarm
        time.sleep(1.5)  # past the hard limit of the calls above: their watchdog was cancelled
        assert pool.submit(os.getpid).result(timeout=60) == worker


def test_a_call_that_cannot_be_interrupted_ends_its_worker_and_the_pool_recovers():
    with WorkerPool(1, call_seconds=0.5, hard_grace=0.5) as pool:
        worker = pool.submit(os.getpid).result(timeout=60)
        started = time.monotonic()
        with pytest.raises(BrokenProcessPool):
            pool.submit(stuck, 60).result(timeout=60)
        assert time.monotonic() - started < 30
        assert pool.submit(os.getpid).result(timeout=60) not in (worker, os.getpid())


def test_a_page_past_its_time_is_that_pages_error_and_the_run_completes(tmp_path: Path):
    warc = tmp_path / "w.warc.gz"
    offsets = write_warc(warc, {"a": (FIXTURES / "article.html").read_bytes()})
    run_dir = tmp_path / "data" / "runs" / "d1"
    run_dir.mkdir(parents=True)
    with WorkerPool(1, call_seconds=1e-6) as pool, PageBatch(run_dir, {"coast": "en"}, pool=pool) as batch:
        batch.feed(crawl_row("https://coast.test/slow", warc, offsets["a"]))
        result = batch.finish()
    assert (result.articles, result.errors) == (0, 1)
    assert runfiles.read_extract_errors(run_dir / layout.EXTRACT_ERRORS) == [
        ExtractError("coast", "https://coast.test/slow", "TimeoutError: still running after 1e-06 s: stopped")]
