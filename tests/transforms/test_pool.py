"""WorkerPool: one set of workers for several batches, and the caller's script never re-run."""

import os
import sys
from pathlib import Path

import pyarrow.parquet as pq
from test_batch import FIXTURES, crawl_row, write_warc

from newsmill import layout
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
