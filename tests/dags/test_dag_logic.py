"""The DAG's wiring, run by `dag.test()` against a stand-in pipeline (no crawling; ~15 s).

Proves: a run collects its logical date's day; sources fan out in shards (one per source by
default for a few sources, `NEWSMILL_SHARD_SIZE` of them when set) so a failing shard does not stop
the others' load; `load` gets the URI `collect` returned; each mapped task instance is named by its
sources, a failed one too; the check still runs, records the day and fails the run naming the failed
source. The real scheduler and pipeline are exercised by tests/integration/test_airflow.py.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    from datetime import UTC, datetime

    import newsmill.pipeline as pipeline
    from newsmill.warehouse import LoadResult

    calls = []

    def collect(config, first, last, sources, *, refetch=False, workers=None):
        calls.append(["collect", list(sources), first.isoformat(), last.isoformat(), refetch])
        if FAILING in sources:
            raise RuntimeError("site down")
        return f"s3://bucket/runs/{first}_{'+'.join(sources)}"

    def load_stored(config, uri):
        calls.append(["load", uri])
        rid = uri.rsplit("/", 1)[-1]
        return LoadResult(run_id=rid, attempt_id=rid + "@1", articles=3, inserted=3, updated=0,
                          removed=0, failures=0, skipped=0, pages_fetched=3, seconds=0.1)

    def check_day(config, day, sources):
        calls.append(["check", day.isoformat(), sorted(sources)])
        return {s: {"ok": True} for s in sources}

    pipeline.collect, pipeline.load_stored, pipeline.check_day = collect, load_stored, check_day

    from airflow.dag_processing.dagbag import DagBag

    dag = DagBag(dag_folder=sys.argv[1]).dags["newsmill_daily"]
    for task in dag.tasks:
        task.retries = 0
    result = {}
    days = ((None, None, datetime(2026, 11, 18, tzinfo=UTC)), ("beta", None, datetime(2026, 11, 19, tzinfo=UTC)),
            (None, "2", datetime(2026, 11, 20, tzinfo=UTC)))
    for failing, shard_size, day in days:
        FAILING = failing
        if shard_size:
            os.environ["NEWSMILL_SHARD_SIZE"] = shard_size
        calls.clear()
        run = dag.test(logical_date=day)
        tis = run.get_task_instances()
        states = {f"{ti.task_id}[{ti.map_index}]": str(ti.state) for ti in tis}
        names = {f"{ti.task_id}[{ti.map_index}]": ti.rendered_map_index for ti in tis}
        loads = {ti.map_index: ti.xcom_pull(task_ids="shard.load", map_indexes=ti.map_index)
                 for ti in tis if ti.task_id == "shard.load" and str(ti.state) == "success"}
        result[day.date().isoformat()] = {"state": str(run.state), "tasks": states, "names": names,
                                          "calls": list(calls), "loads": loads}
    print("RESULT " + json.dumps(result))
    """
)

@pytest.fixture(scope="module")
def outcome(tmp_path_factory, run_dag_test) -> dict:
    tmp = tmp_path_factory.mktemp("dagtest")
    sources = {"alpha": "127.0.0.1:9", "beta": "127.0.0.1:9", "gamma": "127.0.0.1:9"}
    return run_dag_test(tmp, ROOT / "dags", sources, SCRIPT)[0]


def test_run_collects_its_logical_day_for_every_source(outcome) -> None:
    good = outcome["2026-11-18"]
    assert good["state"] == "success", good
    collects = sorted(c for c in good["calls"] if c[0] == "collect")
    assert collects == [["collect", [name], "2026-11-18", "2026-11-18", False]
                        for name in ("alpha", "beta", "gamma")]
    assert ["check", "2026-11-18", ["alpha", "beta", "gamma"]] in good["calls"]
    assert all(state == "success" for state in good["tasks"].values()), good["tasks"]


def test_load_fetches_the_uri_collect_returned(outcome) -> None:
    good = outcome["2026-11-18"]
    assert sorted(c for c in good["calls"] if c[0] == "load") == [
        ["load", f"s3://bucket/runs/2026-11-18_{name}"] for name in ("alpha", "beta", "gamma")]
    summaries = good["loads"]
    assert {s["run_uri"] for s in summaries.values()} == {
        f"s3://bucket/runs/2026-11-18_{name}" for name in ("alpha", "beta", "gamma")}
    assert sorted(name for s in summaries.values() for name in s["sources"]) == ["alpha", "beta", "gamma"]


def test_failing_shard_does_not_hold_back_others_and_check_fails_loudly(outcome) -> None:
    bad = outcome["2026-11-19"]
    assert bad["state"] == "failed"
    tasks = bad["tasks"]
    assert tasks["shard.collect[0]"] == "success" and tasks["shard.load[0]"] == "success"
    assert tasks["shard.collect[1]"] == "failed"
    assert tasks["shard.load[1]"] == "upstream_failed"
    assert tasks["shard.load[2]"] == "success"
    assert ["load", "s3://bucket/runs/2026-11-19_alpha"] in bad["calls"]
    # the check ran anyway, recorded the day for every source, then failed the run
    assert ["check", "2026-11-19", ["alpha", "beta", "gamma"]] in bad["calls"]
    assert tasks["check[-1]"] == "failed"


def test_shard_size_groups_sources_into_one_collect_each(outcome) -> None:
    sharded = outcome["2026-11-20"]
    assert sharded["state"] == "success", sharded
    assert sorted(c[1] for c in sharded["calls"] if c[0] == "collect") == [["alpha", "beta"], ["gamma"]]
    assert sorted(k for k in sharded["tasks"] if k.startswith("shard.")) == [
        "shard.collect[0]", "shard.collect[1]", "shard.load[0]", "shard.load[1]"]
    assert sharded["names"]["shard.collect[0]"] == "alpha … beta (2 sources)"
    assert sharded["names"]["shard.load[1]"] == "gamma"


def test_mapped_task_instances_are_named_by_their_sources(outcome) -> None:
    good, bad = outcome["2026-11-18"]["names"], outcome["2026-11-19"]["names"]
    for stage in ("collect", "load"):
        assert [good[f"shard.{stage}[{i}]"] for i in (0, 1, 2)] == ["alpha", "beta", "gamma"], good
    assert (bad["shard.load[0]"], bad["shard.collect[1]"]) == ("alpha", "beta")  # the failed collect too
