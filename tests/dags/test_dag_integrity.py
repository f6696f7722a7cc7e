"""The DAG files parse, are thin, and carry the settings the pipeline relies on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DAGS = ROOT / "dags"
DAG_ID = "newsmill_daily"


def _bag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


@pytest.fixture(scope="module")
def bag():
    return _bag()


@pytest.fixture(scope="module")
def dag(bag):
    return bag.dags[DAG_ID]


def test_no_import_errors(bag) -> None:
    assert bag.import_errors == {}
    assert DAG_ID in bag.dags


def test_daily_interval_schedule(dag) -> None:
    from airflow.sdk import CronDataIntervalTimetable

    assert isinstance(dag.timetable, CronDataIntervalTimetable)
    assert dag.timetable.expression == "0 0 * * *"  # @daily
    assert str(dag.timetable.timezone) == "UTC"
    assert dag.catchup is False
    assert dag.start_date == datetime.fromisoformat("2026-01-01T00:00:00+00:00")
    assert "newsmill" in dag.tags
    assert dag.doc_md and "backfill" in dag.doc_md


def test_shape_per_shard_mapped_group(dag) -> None:
    tasks = {t.task_id: t for t in dag.tasks}
    assert set(tasks) == {"shards", "shard.collect", "shard.load", "check"}
    for task_id in ("shard.collect", "shard.load"):  # one mapped group per shard
        assert tasks[task_id].get_closest_mapped_task_group() is not None, task_id
    assert tasks["shard.collect"].upstream_task_ids == {"shards"}
    assert tasks["shard.load"].upstream_task_ids == {"shard.collect", "shards"}
    assert {"shard.load", "shards"} <= tasks["check"].upstream_task_ids
    assert tasks["check"].trigger_rule == "all_done"


def test_collect_on_the_crawl_queue_and_warehouse_writers_on_theirs(dag) -> None:
    queues = {t.task_id: t.queue for t in dag.tasks}
    assert queues == {"shards": "default", "shard.collect": "crawl", "shard.load": "warehouse",
                      "check": "warehouse"}


def test_retries_with_backoff(dag) -> None:
    for task in dag.tasks:
        assert task.retries >= 1, task.task_id
        assert task.retry_exponential_backoff, task.task_id
        assert task.max_retry_delay is not None, task.task_id
    for task_id in ("shard.collect", "shard.load"):
        assert dag.get_task(task_id).retries >= 2


def test_depth_first_priorities(dag) -> None:
    # "upstream": a task's priority is the sum of its upstream's, so later stages go first
    assert {str(t.weight_rule) for t in dag.tasks} == {"upstream"}


def test_duckdb_writers_use_the_one_slot_pool(dag) -> None:
    pools = {t.task_id: t.pool for t in dag.tasks}
    assert pools["shard.load"] == "duckdb"
    assert pools["check"] == "duckdb"
    assert pools["shard.collect"] != "duckdb"  # crawls and extraction run in parallel


def test_load_emits_the_articles_asset_through_an_alias(dag) -> None:
    """An alias outlet, so a load emits `newsmill_articles` only when it adds the event
    (tests/dags/test_dag_assets.py); a declared Asset outlet would get one on every success."""
    outlets = dag.get_task("shard.load").outlets
    assert [(type(a).__name__, a.name) for a in outlets] == [("AssetAlias", "newsmill_articles_changed")]


def test_settings_from_environment(monkeypatch) -> None:
    monkeypatch.setenv("NEWSMILL_START_DATE", "2026-11-01")
    monkeypatch.setenv("NEWSMILL_END_DATE", "2026-11-20")
    monkeypatch.setenv("NEWSMILL_CATCHUP", "true")
    bag = _bag()
    assert bag.import_errors == {}
    dag = bag.dags[DAG_ID]
    assert dag.catchup is True
    assert dag.start_date.date().isoformat() == "2026-11-01"
    assert dag.end_date.date().isoformat() == "2026-11-20"


def test_dag_file_imports_nothing_heavy() -> None:
    """Parsing happens often: the DAG file must not import the crawler, extractor or DuckDB; of
    newsmill only its settings (`newsmill.config`, which imports nothing of the project)."""
    code = textwrap.dedent(
        f"""
        import importlib.util, json, sys
        spec = importlib.util.spec_from_file_location("dagfile", {str(DAGS / "newsmill_daily.py")!r})
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        heavy = ("scrapy", "trafilatura", "duckdb", "pyarrow", "newsmill", "warcio", "fastwarc")
        print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in heavy)))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**os.environ}, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == ["newsmill", "newsmill.config"]


def test_a_bad_setting_is_an_import_error_naming_it(monkeypatch) -> None:
    monkeypatch.setenv("NEWSMILL_MAX_ACTIVE_RUNS", "three")
    errors = _bag().import_errors
    assert len(errors) == 1
    assert "NEWSMILL_MAX_ACTIVE_RUNS='three': expected a whole number" in next(iter(errors.values()))


def test_only_airflow_wiring_imports_airflow() -> None:
    offenders = []
    for path in [*ROOT.joinpath("newsmill").rglob("*.py"), *ROOT.joinpath("spiders").rglob("*.py"),
                 *ROOT.joinpath("transforms").rglob("*.py")]:
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith(("import airflow", "from airflow")):
                offenders.append(f"{path.relative_to(ROOT)}: {stripped}")
    assert offenders == []


def test_ruff_airflow3_rules() -> None:
    ruff = Path(sys.executable).with_name("ruff")  # a dev dependency: always there
    done = subprocess.run([str(ruff), "check", "--select", "AIR3", "--no-cache", str(DAGS)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
