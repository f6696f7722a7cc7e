"""The DAG's wiring, run by `dag.test()` against a stand-in pipeline (no crawling; ~15 s).

Proves: a run collects its logical date's day; sources fan out so a failing source does not stop
the others' extract and load; each mapped task instance is named by its source, a failed one too;
the check still runs, records the day and fails the run naming the failed source. The real scheduler and pipeline are exercised by tests/integration/test_airflow.py.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import json, sys
    from datetime import UTC, datetime
    from pathlib import Path

    import newsmill.pipeline as pipeline
    from newsmill.warehouse import LoadResult

    calls = []
    runs = Path(sys.argv[2])

    def crawl(config, sources, first, last, *, refetch=False, progress=False):
        calls.append(["crawl", sources[0].name, first.isoformat(), last.isoformat(), refetch])
        if sources[0].name == FAILING:
            raise RuntimeError("site down")
        run_dir = runs / f"{first}_{sources[0].name}"
        run_dir.mkdir(parents=True, exist_ok=True)
        return run_dir

    def extract(config, run_dir, *, workers=None, progress=False):
        calls.append(["extract", run_dir.name])
        return run_dir

    def load(config, run_dir, *, refetch=False):
        calls.append(["load", run_dir.name])
        return LoadResult(run_id=run_dir.name, attempt_id=run_dir.name + "@1", articles=3, inserted=3,
                          updated=0, removed=0, failures=0, skipped=0, pages_fetched=3, seconds=0.1)

    def check_day(config, day, sources):
        calls.append(["check", day.isoformat(), sorted(sources)])
        return {s: {"ok": True} for s in sources}

    pipeline.crawl, pipeline.extract, pipeline.load, pipeline.check_day = crawl, extract, load, check_day

    from airflow.dag_processing.dagbag import DagBag

    dag = DagBag(dag_folder=sys.argv[1]).dags["newsmill_daily"]
    for task in dag.tasks:
        task.retries = 0
    result = {}
    for failing, day in ((None, datetime(2026, 11, 18, tzinfo=UTC)), ("beta", datetime(2026, 11, 19, tzinfo=UTC))):
        FAILING = failing
        calls.clear()
        run = dag.test(logical_date=day)
        tis = run.get_task_instances()
        states = {f"{ti.task_id}[{ti.map_index}]": str(ti.state) for ti in tis}
        names = {f"{ti.task_id}[{ti.map_index}]": ti.rendered_map_index for ti in tis}
        result[day.date().isoformat()] = {"state": str(run.state), "tasks": states, "names": names,
                                          "calls": list(calls)}
    print("RESULT " + json.dumps(result))
    """
)

@pytest.fixture(scope="module")
def outcome(tmp_path_factory, run_dag_test) -> dict:
    tmp = tmp_path_factory.mktemp("dagtest")
    sources = {"alpha": "127.0.0.1:9", "beta": "127.0.0.1:9"}
    return run_dag_test(tmp, ROOT / "dags", sources, SCRIPT, str(tmp / "runs"))[0]


def test_run_collects_its_logical_day_for_every_source(outcome) -> None:
    good = outcome["2026-11-18"]
    assert good["state"] == "success", good
    crawls = sorted(c for c in good["calls"] if c[0] == "crawl")
    assert crawls == [["crawl", "alpha", "2026-11-18", "2026-11-18", False],
                      ["crawl", "beta", "2026-11-18", "2026-11-18", False]]
    assert ["check", "2026-11-18", ["alpha", "beta"]] in good["calls"]
    assert all(state == "success" for state in good["tasks"].values()), good["tasks"]


def test_failing_source_does_not_hold_back_others_and_check_fails_loudly(outcome) -> None:
    bad = outcome["2026-11-19"]
    assert bad["state"] == "failed"
    tasks = bad["tasks"]
    assert tasks["source.crawl[0]"] == "success" and tasks["source.load[0]"] == "success"
    assert tasks["source.crawl[1]"] == "failed"
    assert tasks["source.load[1]"] == "upstream_failed"
    assert ["load", "2026-11-19_alpha"] in bad["calls"]
    # the check ran anyway, recorded the day for both sources, then failed the run
    assert ["check", "2026-11-19", ["alpha", "beta"]] in bad["calls"]
    assert tasks["check[-1]"] == "failed"


def test_mapped_task_instances_are_named_by_their_source(outcome) -> None:
    good, bad = outcome["2026-11-18"]["names"], outcome["2026-11-19"]["names"]
    for stage in ("crawl", "extract", "load"):
        assert [good[f"source.{stage}[{i}]"] for i in (0, 1)] == ["alpha", "beta"], good
    assert (bad["source.load[0]"], bad["source.crawl[1]"]) == ("alpha", "beta")  # the failed crawl too
