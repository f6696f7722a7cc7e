"""A demo day through `newsmill_daily` with `[storage]` on moto's S3 server, by `dag.test()` (~60 s):
the real crawl, extraction and load, with the data folder wiped after every `collect`, so each
`load` starts from an empty data folder and has only the URI and the bucket (as on a machine that
shares no disk with the crawler). Then the day is reprocessed, again from an empty data folder:
the WARC files come from the bucket."""

from __future__ import annotations

import textwrap
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import newsmill
from newsmill.local_airflow import services

DAGS = Path(newsmill.__file__).resolve().parents[1] / "dags"  # the DAG of the newsmill under test
PREFIX = "dagtest"

SCRIPT = textwrap.dedent(
    """
    import json, os, shutil, sys
    from datetime import UTC, date, datetime
    from pathlib import Path

    from newsmill import demo, pipeline, reprocess
    from newsmill.warehouse import connect

    DAY = date(2026, 11, 19)
    data = Path(os.environ["NEWSMILL_DATA_DIR"])
    config = Path(sys.argv[2])
    collected = []

    def wiping(collect):
        def wrapped(*args, **kwargs):
            uri = collect(*args, **kwargs)
            collected.append(uri)
            shutil.rmtree(data)  # the load's machine has none of the crawler's files
            return uri
        return wrapped

    pipeline.collect = wiping(pipeline.collect)
    reprocess.collect = wiping(reprocess.collect)

    from airflow.dag_processing.dagbag import DagBag

    dag = DagBag(dag_folder=sys.argv[1]).dags["newsmill_daily"]
    for task in dag.tasks:
        task.retries = 0
    result = {}
    with demo.serve_demo(ports=(0, 0, 0)) as servers:
        demo.write_demo_config(config, servers, data_dir=data)
        with config.open("a") as toml:
            toml.write('\\n[storage]\\nruns = "' + sys.argv[3] + '"\\n')
        expected = {(s, u) for s, u, _t in demo.expected_articles(DAY, servers)}
        for name, conf in (("crawl", {}), ("reprocess", {"reprocess": True})):
            collected.clear()
            run = dag.test(logical_date=datetime.combine(DAY, datetime.min.time(), tzinfo=UTC), run_conf=conf)
            tis = run.get_task_instances()
            loads = [ti.xcom_pull(task_ids="shard.load", map_indexes=ti.map_index)
                     for ti in tis if ti.task_id == "shard.load"]
            with connect(os.environ["NEWSMILL_DB"], read_only=True) as con:
                rows = con.execute("SELECT source, url, run_id FROM articles").fetchall()
                log = con.execute("SELECT DISTINCT run_id FROM crawl_log ORDER BY 1").fetchall()
            result[name] = {"state": str(run.state), "collected": list(collected),
                            "uris": sorted(item["run_uri"] for item in loads if item),
                            "rows": sorted([s, u] for s, u, _r in rows),
                            "run_ids": sorted({r for _s, _u, r in rows}),
                            "log_runs": [r for (r,) in log],
                            "states": {f"{ti.task_id}[{ti.map_index}]": str(ti.state) for ti in tis}}
        result["expected"] = sorted([s, u] for s, u in expected)
    print("RESULT " + json.dumps(result))
    """
)



@pytest.fixture(scope="module")
def outcome(s3: str, tmp_path_factory: pytest.TempPathFactory, run_dag_test) -> tuple[dict, list[str], str]:
    tmp = tmp_path_factory.mktemp("dagstorage")
    env = {"NEWSMILL_CONFIG": str(tmp / "demo.toml"), "NEWSMILL_DB": str(tmp / "warehouse" / "news.duckdb"),
           "AWS_ACCESS_KEY_ID": services.S3_KEY, "AWS_SECRET_ACCESS_KEY": services.S3_KEY,
           "AWS_DEFAULT_REGION": services.S3_REGION, "AWS_ENDPOINT_URL": s3}
    (tmp / "warehouse").mkdir()
    result, output = run_dag_test(tmp, DAGS, {}, SCRIPT, str(tmp / "demo.toml"),
                                  f"s3://{services.BUCKET}/{PREFIX}", env=env)
    with urllib.request.urlopen(f"{s3}/{services.BUCKET}?list-type=2&prefix={PREFIX}/", timeout=10) as listing:
        keys = sorted(e.text for e in ET.fromstring(listing.read()).iter() if e.tag.endswith("Key"))
    return result, keys, output


def test_each_load_gets_the_collected_uri_and_loads_the_day_from_the_bucket(outcome) -> None:
    result, keys, output = outcome
    crawl = result["crawl"]
    assert crawl["state"] == "success", (crawl["states"], output[-3000:])
    sources = sorted({source for source, _url in result["expected"]})
    assert len(sources) == 3
    uris = [f"s3://{services.BUCKET}/{PREFIX}/runs/2026-11-19_2026-11-19_{s}" for s in sources]
    assert sorted(crawl["collected"]) == crawl["uris"] == uris
    assert crawl["rows"] == result["expected"]  # every article of the day, from empty data folders
    for source in sources:
        assert f"{PREFIX}/runs/2026-11-19_2026-11-19_{source}/complete.json" in keys
        assert f"{PREFIX}/warc/{source}/2026-11-19.warc.gz" in keys


def test_a_reprocess_reads_the_warc_files_from_the_bucket(outcome) -> None:
    result, keys, output = outcome
    again = result["reprocess"]
    assert again["state"] == "success", (again["states"], output[-3000:])
    assert again["uris"] == [f"s3://{services.BUCKET}/{PREFIX}/runs/reprocess_2026-11-19_2026-11-19_{s}"
                             for s in sorted({source for source, _url in result["expected"]})]
    assert again["rows"] == result["expected"]  # same articles; unchanged content keeps its row
    assert [r for r in again["log_runs"] if r.startswith("reprocess_")] == [
        f"reprocess_2026-11-19_2026-11-19_{s}" for s in sorted({source for source, _url in result["expected"]})]
