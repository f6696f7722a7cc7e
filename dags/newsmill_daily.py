"""newsmill_daily: collect one publication day of news per run into the DuckDB warehouse.

**Which day a run collects.** The DAG uses a data-interval timetable,
``CronDataIntervalTimetable("@daily", timezone="UTC")``, instead of Airflow 3's default ``@daily``
cron *trigger* timetable (whose run at D 00:00 has logical date D and no data interval). Here the run
for publication day D has the data interval ``[D 00:00, D+1 00:00)`` UTC, logical date D, and is
started by the scheduler only once that interval is over, just after midnight of D+1. Every task
collects the UTC day of the run's logical date (= its data interval start), so:

- the scheduled run each night collects the day that just ended (complete by then);
- ``airflow backfill create --dag-id newsmill_daily --from-date A --to-date B`` creates one run per
  logical date A..B (both included) and loads exactly the articles published on days A..B;
- a manual trigger with logical date D (UI, ``airflow dags trigger``, ``dag.test(logical_date=D)``)
  collects D; one without a logical date collects its data interval start, the last complete day.

Airflow 3 names and shows runs by the moment they may start, their "Run After" (the run for
2026-11-17 is ``backfill__2026-11-18T00:00:00+00:00``); its logical date is the day. So that the day
is on the run itself, ``sources`` writes it as the run's note ("collects 2026-11-17") when
``NEWSMILL_AIRFLOW_API`` names a REST API that hands out tokens (the local Airflow of ``newsmill
airflow up``); a note already there is kept.

A day is "published on D" as the pipeline defines it: listed for D in the source's feed, sitemap or
archive page, recorded under the date the page states when it states one (docs/architecture.md).

**Shape.** ``sources`` (names from the config, resolved at run time) fans out with dynamic task
mapping into one mapped task group per source: ``crawl -> extract -> load``, each task instance
named by its source (``map_index_template``) instead of its map index. The group runs depth
first per source, so a slow or failing source does not hold back the others' extraction and load.
``check`` then runs whatever happened upstream (trigger rule ``all_done``): it records what it sees
for the day in the warehouse (``day_checks``) and fails the run when a source failed or the day
looks wrong (no articles, most bodies empty, dates outside the day).

**Safety.** Tasks pass run-directory paths and small summaries through XCom, never data. Every task
is idempotent for its day: the crawl skips URLs already loaded (unless ``refetch``), the load upserts
by URL and adds the attempt's crawl log and counts to the warehouse's history once (a retried
``load`` of an attempt that committed records nothing twice). Writes to DuckDB (``load``, ``check``)
go through the one-slot pool ``duckdb`` (created by ``newsmill airflow up``) so concurrent runs
never collide on its file lock.

**Asset.** ``load`` emits an event of the Asset ``newsmill_articles`` only when its load inserted or
updated articles, through the AssetAlias ``newsmill_articles_changed`` (an Asset declared
as outlet gets an event on every success). The event's ``extra`` holds ``source``, ``day``,
``run_id``, ``attempt_id``, ``inserted`` and ``updated``.

**Settings** (environment variables, read through ``newsmill.config`` and listed in the README's
table; all optional). When the file is parsed: ``NEWSMILL_START_DATE``, ``NEWSMILL_END_DATE``,
``NEWSMILL_CATCHUP``, ``NEWSMILL_MAX_ACTIVE_RUNS``. At run time the tasks read the sources and paths
from ``NEWSMILL_CONFIG`` / ``NEWSMILL_DATA_DIR`` / ``NEWSMILL_DB``, and ``extract`` its processes from
``NEWSMILL_EXTRACT_WORKERS``. Trigger params: ``refetch`` (re-fetch and replace the day),
``reprocess`` (extract and clean the day's stored pages again instead of crawling: no request, as
``newsmill reprocess``; it overrides ``refetch``), ``sources`` (a subset of source names; default all).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from airflow.sdk import (
    Asset,
    AssetAlias,
    CronDataIntervalTimetable,
    Param,
    TriggerRule,
    dag,
    get_current_context,
    task,
    task_group,
)

from newsmill.config import (
    CATCHUP,
    END_DATE,
    EXTRACT_WORKERS,
    MAX_ACTIVE_RUNS,
    START_DATE,
    load_config,
)

DAG_ID = "newsmill_daily"
DUCKDB_POOL = "duckdb"
ARTICLES = Asset(name="newsmill_articles", uri="x-newsmill://warehouse/articles", group="newsmill")
# `load`'s outlet: through an alias a task emits only the events it adds, so a load that changed no
# article emits none (a declared Asset outlet gets one on every success).
ARTICLES_CHANGED = AssetAlias(name="newsmill_articles_changed", group="newsmill")
# Names each mapped task instance (crawl, extract, load of one source) by its source instead of its
# map index; rendered before the task runs, so a slow source shows by name while it runs.
BY_SOURCE = "{{ task.op_kwargs['source'] }}"


def _midnight_utc(day: date | None) -> datetime | None:
    return None if day is None else datetime.combine(day, datetime.min.time(), tzinfo=UTC)


# --- run-time helpers (called inside tasks only) --------------------------------------------------


def _config():
    return load_config()  # NEWSMILL_CONFIG / NEWSMILL_DATA_DIR / NEWSMILL_DB, read at run time


def _day() -> date:
    """The publication day this run collects: its logical date, else its data interval start (UTC).

    Scheduled and backfill runs have logical date == data interval start == the day. A manual run
    created without a logical date gets the last complete day as its data interval.
    """
    from airflow.sdk.exceptions import AirflowFailException

    from newsmill.dates import check_day

    context = get_current_context()
    moment = context.get("logical_date") or context.get("data_interval_start")
    if moment is None:
        raise RuntimeError(f"{DAG_ID}: run has neither a logical date nor a data interval")
    try:
        return check_day(moment.astimezone(UTC).date())
    except ValueError as exc:  # a manual run's logical date: retrying cannot help
        raise AirflowFailException(f"{DAG_ID}: logical date {exc}") from None


def _note_day(day: date) -> None:
    """Note the day on the run: Airflow shows a run by its Run After, the day after the one it collects."""
    from newsmill.local_airflow.client import note_collected_day

    context = get_current_context()
    run = context["dag_run"]
    note_collected_day(DAG_ID, run.run_id, day, current=run.note)


def _refetch() -> bool:
    return bool(get_current_context()["params"].get("refetch", False))


def _reprocess() -> bool:
    return bool(get_current_context()["params"].get("reprocess", False))


# --- tasks ----------------------------------------------------------------------------------------


@task
def sources() -> list[str]:
    """The source names to collect: the `sources` param, else every source of the config.

    Also checks the run's day (a logical date newsmill cannot collect fails the run here, before
    any crawl) and notes it on the run.
    """
    _note_day(_day())
    config = _config()
    wanted = get_current_context()["params"].get("sources") or None
    names = [s.name for s in config.select(wanted)]
    if not names:
        raise ValueError(f"{config.path}: no sources configured")
    return names


@task(execution_timeout=timedelta(hours=3), map_index_template=BY_SOURCE)
def crawl(source: str) -> str:
    """Fetch the source's articles listed for the day into WARC; returns the run directory. With
    the `reprocess` param, the run names the day's stored pages instead (`newsmill.reprocess`)."""
    from newsmill import pipeline, reprocess

    config = _config()
    day = _day()
    if _reprocess():
        return str(reprocess.read_stored(config, [config.source(source)], day, day))
    run_dir = pipeline.crawl(config, [config.source(source)], day, day, refetch=_refetch())
    return str(run_dir)


@task(execution_timeout=timedelta(hours=2), map_index_template=BY_SOURCE)
def extract(source: str, run_dir: str) -> str:
    """Extract and clean the crawled pages into Parquet in the run directory (`source` names it)."""
    from pathlib import Path

    from newsmill import pipeline

    done = pipeline.extract(_config(), Path(run_dir), workers=EXTRACT_WORKERS.value())
    return str(done)


@task(pool=DUCKDB_POOL, outlets=[ARTICLES_CHANGED], execution_timeout=timedelta(hours=1),
      map_index_template=BY_SOURCE)
def load(source: str, run_dir: str) -> dict:
    """Load the run's Parquet into DuckDB in one transaction; returns a small summary.

    Emits a `newsmill_articles` event with the counts when articles were inserted or updated. A retry of a load that committed gets the counts it recorded, so the event its
    failed try could not emit is emitted then."""
    from dataclasses import asdict
    from pathlib import Path

    from newsmill import pipeline

    result = pipeline.load(_config(), Path(run_dir))
    summary = {"source": source, "day": _day().isoformat(), **asdict(result)}
    if result.changed:
        extra = {key: summary[key] for key in ("source", "day", "run_id", "attempt_id", "inserted",
                                               "updated")}
        get_current_context()["outlet_events"][ARTICLES_CHANGED].add(ARTICLES, extra=extra)
    return summary


@task_group(group_id="source")
def per_source(source: str):
    """crawl -> extract -> load for one source; mapped over the sources, depth first."""
    crawled = crawl(source=source)  # by keyword: BY_SOURCE reads op_kwargs
    return load(source=source, run_dir=extract(source=source, run_dir=crawled))


@task(pool=DUCKDB_POOL, trigger_rule=TriggerRule.ALL_DONE, retries=1)
def check(names: list[str]) -> dict:
    """Record the day's verdict per source in the warehouse; fail loudly when it looks wrong."""
    from airflow.sdk.exceptions import AirflowFailException

    from newsmill import pipeline

    day = _day()
    problems: list[str] = []
    # Pulled per map index: a failed source has no summary (None) instead of shifting the list.
    loaded = get_current_context()["ti"].xcom_pull(
        task_ids="source.load", map_indexes=list(range(len(names))), default=None
    )
    done = {item["source"] for item in loaded if isinstance(item, dict)}
    missing = [name for name in names if name not in done]
    if missing:
        problems.append(f"crawl/extract/load failed for {', '.join(missing)}")
    try:
        verdict = pipeline.check_day(_config(), day, list(names))
    except pipeline.DayCheckFailed as exc:
        problems.append(str(exc))
        verdict = None
    if problems:
        raise AirflowFailException(f"{DAG_ID} {day}: " + " | ".join(problems))
    return {"day": day.isoformat(), "sources": verdict}


@dag(
    dag_id=DAG_ID,
    schedule=CronDataIntervalTimetable("@daily", timezone="UTC"),
    start_date=_midnight_utc(START_DATE.value()),
    end_date=_midnight_utc(END_DATE.value()),
    catchup=CATCHUP.value(),
    max_active_runs=MAX_ACTIVE_RUNS.value(),
    dagrun_timeout=timedelta(hours=8),
    default_args={
        "owner": "newsmill",
        "retries": 2,
        "retry_delay": timedelta(seconds=30),
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": timedelta(minutes=15),
        # Depth first: a task's priority grows with its upstream, so a source's extract and load
        # (and a day's check) go before more crawls start, and each day lands as early as possible.
        "weight_rule": "upstream",
    },
    params={
        "refetch": Param(False, type="boolean", description="Re-fetch and replace the day's articles"),
        "reprocess": Param(False, type="boolean",
                           description="Extract the day's stored pages again instead of crawling"),
        "sources": Param(None, type=["null", "array"], description="Source names (default: all)"),
    },
    tags=["newsmill"],
    doc_md=__doc__,
)
def newsmill_daily():
    names = sources()
    per_source.expand(source=names) >> check(names)


newsmill_daily()
