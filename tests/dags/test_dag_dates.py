"""A run whose logical date newsmill cannot collect (a manual trigger's typo) fails in its first task,
says why, and crawls nothing; run by `dag.test()` against a stand-in pipeline (~15 s)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DAYS = ("2200-01-01", "9999-12-31")  # after the DAG's start_date, so the runs have tasks

SCRIPT = textwrap.dedent(
    """
    import json, sys
    from datetime import UTC, datetime

    import newsmill.pipeline as pipeline

    calls = []

    def record(name):
        def stand_in(*args, **kwargs):
            calls.append(name)
            raise RuntimeError(f"{name} must not run")
        return stand_in

    for name in ("collect", "load_stored", "check_day"):
        setattr(pipeline, name, record(name))

    from airflow.dag_processing.dagbag import DagBag

    dag = DagBag(dag_folder=sys.argv[1]).dags["newsmill_daily"]
    for task in dag.tasks:
        task.retries = 0
    result = {}
    for day in sys.argv[2:]:
        calls.clear()
        run = dag.test(logical_date=datetime.fromisoformat(day).replace(tzinfo=UTC))
        states = {f"{ti.task_id}[{ti.map_index}]": str(ti.state) for ti in run.get_task_instances()}
        result[day] = {"state": str(run.state), "tasks": states, "calls": list(calls)}
    print("RESULT " + json.dumps(result))
    """
)

@pytest.fixture(scope="module")
def outcome(tmp_path_factory, run_dag_test) -> tuple[dict, str]:
    return run_dag_test(tmp_path_factory.mktemp("dagdates"), ROOT / "dags", {"alpha": "127.0.0.1:9"}, SCRIPT,
                        *DAYS)


@pytest.mark.parametrize("day", DAYS)
def test_a_day_out_of_range_fails_the_run_before_any_crawl(outcome, day: str) -> None:
    result, output = outcome
    run = result[day]
    assert run["state"] == "failed", run
    assert run["calls"] == [], run  # nothing collected, loaded or checked
    assert run["tasks"]["shards[-1]"] == "failed", run["tasks"]  # the first task, before any fan-out
    assert not any(task.startswith("source.") and state in ("success", "failed")
                   for task, state in run["tasks"].items()), run["tasks"]
    assert (f"newsmill_daily: logical date {day} is outside the days newsmill supports, "
            "1990-01-01 to 2199-12-31") in output
