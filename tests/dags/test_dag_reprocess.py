"""The DAG's `reprocess` param: a run reads the day's stored pages instead of crawling, and its
extraction and load are the real ones. Run by `dag.test()` (~30 s); `pipeline.collect` is a stand-in
that fails, so a run that crawled would fail."""

from __future__ import annotations

import textwrap
from pathlib import Path

import newsmill

DAGS = Path(newsmill.__file__).resolve().parents[1] / "dags"  # the DAG of the newsmill under test

SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    from datetime import UTC, date, datetime
    from pathlib import Path

    import newsmill.pipeline as pipeline
    from newsmill import layout
    from newsmill.warehouse import connect
    from spiders.warc import WarcFile

    DAY = date(2026, 11, 18)
    URL = "http://alpha.test/2026/11/18/harbour"
    data = Path(os.environ["NEWSMILL_DATA_DIR"])
    paragraphs = "".join(
        f"<p>The harbour board met on Tuesday to discuss item {n} of the winter plan, which covers "
        f"dredging, new moorings for the ferry and a repaired sea wall along the northern quay.</p>"
        for n in range(1, 6))
    page = (f"<html><head><title>Harbour plan agreed</title></head><body><article>"
            f"<h1>Harbour plan agreed</h1>{paragraphs}</article></body></html>").encode()
    warc = WarcFile(layout.warc_path(data, "alpha", DAY))
    warc.append_response(URL, 200, [("Content-Type", "text/html; charset=utf-8")], page,
                         {"Newsmill-Source": "alpha", "Newsmill-Kind": "article",
                          "Newsmill-Listed-Date": DAY.isoformat(), "Newsmill-Canonical-URL": URL})
    warc.close()

    def collect(*args, **kwargs):
        raise RuntimeError("a reprocess run must not crawl")

    pipeline.collect = collect

    from airflow.dag_processing.dagbag import DagBag

    dag = DagBag(dag_folder=sys.argv[1]).dags["newsmill_daily"]
    for task in dag.tasks:
        task.retries = 0
    run = dag.test(logical_date=datetime(2026, 11, 18, tzinfo=UTC), run_conf={"reprocess": True})
    with connect(data / "news.duckdb", read_only=True) as con:
        articles = con.execute("SELECT url, run_id, title FROM articles").fetchall()
        log = con.execute("SELECT run_id, kind, outcome FROM crawl_log").fetchall()
    states = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
    print("RESULT " + json.dumps({"state": str(run.state), "tasks": states, "articles": articles,
                                  "log": log}))
    """
)


def test_a_reprocess_run_loads_the_stored_page_without_crawling(tmp_path, run_dag_test) -> None:
    result, output = run_dag_test(tmp_path, DAGS, {"alpha": "127.0.0.1:9"}, SCRIPT)
    assert result["state"] == "success", output[-3000:]
    assert result["articles"] == [["http://alpha.test/2026/11/18/harbour",
                                   "reprocess_2026-11-18_2026-11-18_alpha", "Harbour plan agreed"]]
    assert result["log"] == [["reprocess_2026-11-18_2026-11-18_alpha", "article", "fetched"]]
