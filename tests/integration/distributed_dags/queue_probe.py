"""Two tasks on two queues, each noting in its worker's data folder that it ran there: which worker
took a queue shows as where its file is (the local stack gives each worker a folder of its own)."""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import dag, task


def _note(queue: str) -> str:
    import os
    import socket
    from pathlib import Path

    folder = Path(os.environ["NEWSMILL_DATA_DIR"])
    (folder / f"ran-{queue}.txt").write_text(f"{socket.gethostname()} {os.getpid()}\n")
    return str(folder)


@dag(dag_id="queue_probe", schedule=None, start_date=datetime(2026, 1, 1), catchup=False)
def queue_probe():
    @task(queue="crawl")
    def on_crawl() -> str:
        return _note("crawl")

    @task(queue="warehouse")
    def on_warehouse(after: str) -> str:
        return _note("warehouse")

    on_warehouse(on_crawl())


queue_probe()
