"""The `newsmill_articles` asset event: emitted by a `load` that changed articles, with the counts in
its extra, and by no other. Run by `dag.test()` (~20 s) with the real load into a real DuckDB file;
collect is a stand-in that leaves the files the real crawl and extraction would (no network)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import newsmill  # noqa: E402

DAGS = Path(newsmill.__file__).resolve().parents[1] / "dags"  # the DAG of the newsmill under test

SCRIPT = textwrap.dedent(
    """
    import json, sys
    from datetime import UTC, datetime

    import pyarrow as pa
    import pyarrow.parquet as pq

    import newsmill.pipeline as pipeline
    from newsmill import layout
    from newsmill.runfiles import ARTICLES_SCHEMA, REMOVED_SCHEMA

    # The new articles each source's crawl finds per day (url -> text): on the 18th alpha finds two
    # and beta none, on the 19th alpha none and beta one.
    SITE = {
        ("alpha", "2026-11-18"): {"http://alpha.test/1": "Alpha one.", "http://alpha.test/2": "Alpha two."},
        ("beta", "2026-11-18"): {},
        ("alpha", "2026-11-19"): {},
        ("beta", "2026-11-19"): {"http://beta.test/1": "Beta one."},
    }

    def collect(config, first, last, sources, *, refetch=False, workers=None):
        name = sources[0]
        rid = layout.run_id(first, last, [name])
        run_dir = layout.run_dir(config.settings.data_dir, rid)
        run_dir.mkdir(parents=True, exist_ok=True)
        started = datetime.now(UTC)
        (run_dir / layout.RUN_INFO).write_text(json.dumps({
            "run_id": rid, "attempt_id": f"{rid}@{started.isoformat()}", "first": first.isoformat(),
            "last": last.isoformat(), "sources": [name], "started_at": started.isoformat()}))
        pages = SITE[(name, first.isoformat())]
        (run_dir / layout.CRAWL_LOG).write_text("".join(json.dumps({
            "source": name, "url": url, "kind": "article", "listed_date": first.isoformat(),
            "outcome": "fetched", "status": 200, "error": None, "fetched_at": started.isoformat()}) + "\\n"
            for url in pages))
        (run_dir / layout.CRAWL_DONE).write_text("{}")
        day = first
        rows = [{"url": url, "source": name, "pub_date": day, "listed_date": day, "date_source": "listing",
                 "title": text, "authors": [], "tags": [], "text": text, "word_count": 2,
                 "content_hash": text, "language": "en", "fingerprint": []}
                for url, text in SITE[(name, day.isoformat())].items()]
        pq.write_table(pa.Table.from_pylist(rows, schema=ARTICLES_SCHEMA), run_dir / layout.ARTICLES)
        pq.write_table(REMOVED_SCHEMA.empty_table(), run_dir / layout.REMOVED)
        return str(run_dir)

    def check_day(config, day, sources):
        return {s: {"ok": True} for s in sources}

    pipeline.collect, pipeline.check_day = collect, check_day

    from airflow.dag_processing.dagbag import DagBag
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    dag = DagBag(dag_folder=sys.argv[1]).dags["newsmill_daily"]
    for task in dag.tasks:
        task.retries = 0
    result = {}
    for day in (datetime(2026, 11, 18, tzinfo=UTC), datetime(2026, 11, 19, tzinfo=UTC)):
        run = dag.test(logical_date=day)
        with create_session() as session:
            events = session.execute(
                select(AssetModel.name, AssetEvent.source_task_id, AssetEvent.extra)
                .join(AssetModel, AssetEvent.asset_id == AssetModel.id)
                .where(AssetEvent.source_run_id == run.run_id)
                .order_by(AssetEvent.id)).all()
        result[day.date().isoformat()] = {
            "state": str(run.state), "events": [[name, task, extra] for name, task, extra in events]}
    print("RESULT " + json.dumps(result))
    """
)

@pytest.fixture(scope="module")
def outcome(tmp_path_factory, run_dag_test) -> dict:
    tmp = tmp_path_factory.mktemp("dagassets")
    sources = {"alpha": "alpha.test", "beta": "beta.test"}
    return run_dag_test(tmp, DAGS, sources, SCRIPT, env={"NEWSMILL_DB": str(tmp / "data" / "news.duckdb")})[0]


def test_only_a_load_that_changed_articles_emits_the_event(outcome) -> None:
    first, second = outcome["2026-11-18"], outcome["2026-11-19"]
    assert first["state"] == second["state"] == "success", outcome
    # the 18th: alpha inserted two articles, beta found none
    assert [(name, extra.get("sources")) for name, _task, extra in first["events"]] == [
        ("newsmill_articles", ["alpha"])]
    assert first["events"] == [["newsmill_articles", "shard.load", {
        "sources": ["alpha"], "day": "2026-11-18", "run_id": "2026-11-18_2026-11-18_alpha",
        "attempt_id": first["events"][0][2]["attempt_id"], "inserted": 2, "updated": 0}]]
    assert first["events"][0][2]["attempt_id"].startswith("2026-11-18_2026-11-18_alpha@")
    # the 19th: alpha loaded nothing, beta its first article
    assert [(name, extra["sources"], extra["inserted"]) for name, _task, extra in second["events"]] == [
        ("newsmill_articles", ["beta"], 1)]
