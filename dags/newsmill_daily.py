"""newsmill_daily: collect one publication day of news per run into the warehouse.

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

**Shape.** ``shards`` (source names from the config, resolved at run time, in shards of
``NEWSMILL_SHARD_SIZE``, by default the rule of ``newsmill.shards``) fans out with dynamic task
mapping into one mapped task group per shard: ``collect -> load``, each task instance named by its
sources (``map_index_template``) instead of its map index. ``collect`` crawls the shard's sources in
one Scrapy process with extraction alongside (``pipeline.collect``), puts the run and its WARC files
on the configured storage (``[storage] runs``; by default the data folder, where nothing moves) and
returns the run's URI; ``load`` fetches the run by that URI into its own data folder and loads it,
so the two may run on machines that share no disk. The group runs depth first per shard, so a slow
or failing shard does not hold back the others' load. ``check`` then runs whatever happened
upstream (trigger rule ``all_done``): it records what it sees for the day in the warehouse
(``day_checks``) and fails the run when a source failed or the day looks wrong (no articles, most
bodies empty, dates outside the day).

**Queues and pools.** ``collect`` runs on queue ``crawl``, ``load`` and ``check`` on queue
``warehouse`` (``sources`` on the default queue): a CeleryExecutor sends them to the workers that
serve those queues; the LocalExecutor and ``dag.test()`` ignore queues. ``load`` and ``check`` take
a slot of the pool ``duckdb`` (one slot, created by ``newsmill airflow up``): the DuckDB file has one
writer at a time. A DuckLake warehouse takes concurrent loads (they retry conflicts), so a
deployment on DuckLake may give that pool more slots (docs/airflow.md).

**Safety.** Tasks pass URIs and small summaries through XCom, never data. Every task is idempotent
for its day: the crawl skips URLs already loaded (unless ``refetch``), a retried ``collect`` puts the
same keys again (the run's marker last, so a half-put run is never loaded), the load upserts by URL
and adds the attempt's crawl log and counts to the warehouse's history once (a retried ``load`` of an
attempt that committed records nothing twice).

**Asset.** ``load`` emits an event of the Asset ``newsmill_articles`` only when its load inserted or
updated articles, through the AssetAlias ``newsmill_articles_changed`` (an Asset declared
as outlet gets an event on every success). The event's ``extra`` holds ``sources``, ``day``,
``run_id``, ``attempt_id``, ``inserted`` and ``updated``.

**Settings** (environment variables, read through ``newsmill.config`` and listed in the README's
table; all optional). When the file is parsed: ``NEWSMILL_START_DATE``, ``NEWSMILL_END_DATE``,
``NEWSMILL_CATCHUP``, ``NEWSMILL_MAX_ACTIVE_RUNS``. At run time the tasks read the sources, paths and
storage from ``NEWSMILL_CONFIG`` / ``NEWSMILL_DATA_DIR`` / ``NEWSMILL_DB``, ``shards`` the shard size from
``NEWSMILL_SHARD_SIZE`` / ``NEWSMILL_CRAWL_SLOTS``, and ``collect`` its extraction processes from
``NEWSMILL_EXTRACT_WORKERS``. Trigger params: ``refetch`` (re-fetch and replace the day),
``reprocess`` (extract and clean the day's stored pages again instead of crawling: no request, as
``newsmill reprocess``, WARC files fetched from the storage; it overrides ``refetch``), ``sources``
(a subset of source names; default all).
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
CRAWL_QUEUE = "crawl"
WAREHOUSE_QUEUE = "warehouse"
ARTICLES = Asset(name="newsmill_articles", uri="x-newsmill://warehouse/articles", group="newsmill")
# `load`'s outlet: through an alias a task emits only the events it adds, so a load that changed no
# article emits none (a declared Asset outlet gets one on every success).
ARTICLES_CHANGED = AssetAlias(name="newsmill_articles_changed", group="newsmill")
# Names each mapped task instance (collect, load of one shard) by its sources instead of its map
# index: the source, or the first and last of a shard and their number; rendered before the task
# runs, so a slow shard shows by name while it runs.
BY_SHARD = ("{% set s = task.op_kwargs['shard'] %}{{ s[0] }}"
            "{% if s | length > 1 %} … {{ s[-1] }} ({{ s | length }} sources){% endif %}")


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
def shards() -> list[list[str]]:
    """The source names to collect, in shards (`newsmill.shards.plan`): the `sources` param, else
    every source of the config.

    Also checks the run's day (a logical date newsmill cannot collect fails the run here, before
    any crawl) and notes it on the run.
    """
    from newsmill.shards import plan

    _note_day(_day())
    config = _config()
    wanted = get_current_context()["params"].get("sources") or None
    names = [s.name for s in config.select(wanted)]
    if not names:
        raise ValueError(f"{config.path}: no sources configured")
    return plan(names)


@task(queue=CRAWL_QUEUE, execution_timeout=timedelta(hours=3), map_index_template=BY_SHARD)
def collect(shard: list[str]) -> str:
    """Crawl the shard's articles listed for the day and extract them (one Scrapy process, the
    extraction alongside), put the run on the storage; return its URI. With the `reprocess` param,
    the day's stored pages are extracted instead (`newsmill.reprocess`)."""
    from newsmill import pipeline, reprocess

    config = _config()
    day = _day()
    workers = EXTRACT_WORKERS.value()
    if _reprocess():
        return reprocess.collect(config, day, day, shard, workers=workers)
    return pipeline.collect(config, day, day, shard, refetch=_refetch(), workers=workers)


@task(queue=WAREHOUSE_QUEUE, pool=DUCKDB_POOL, outlets=[ARTICLES_CHANGED],
      execution_timeout=timedelta(hours=1), map_index_template=BY_SHARD)
def load(shard: list[str], run_uri: str) -> dict:
    """Fetch the run at `run_uri` and load its Parquet into the warehouse in one transaction;
    returns a small summary.

    Emits a `newsmill_articles` event with the counts when articles were inserted or updated. A
    retry of a load that committed gets the counts it recorded, so the event its failed try could
    not emit is emitted then."""
    from dataclasses import asdict

    from newsmill import pipeline

    result = pipeline.load_stored(_config(), run_uri)
    summary = {"sources": list(shard), "day": _day().isoformat(), "run_uri": run_uri, **asdict(result)}
    if result.changed:
        extra = {key: summary[key] for key in ("sources", "day", "run_id", "attempt_id", "inserted",
                                               "updated")}
        get_current_context()["outlet_events"][ARTICLES_CHANGED].add(ARTICLES, extra=extra)
    return summary


@task_group(group_id="shard")
def per_shard(shard: list[str]):
    """collect -> load for one shard; mapped over the shards, depth first."""
    return load(shard=shard, run_uri=collect(shard=shard))  # by keyword: BY_SHARD reads op_kwargs


@task(queue=WAREHOUSE_QUEUE, pool=DUCKDB_POOL, trigger_rule=TriggerRule.ALL_DONE, retries=1)
def check(planned: list[list[str]]) -> dict:
    """Record the day's verdict per source in the warehouse; fail loudly when it looks wrong."""
    from airflow.sdk.exceptions import AirflowFailException

    from newsmill import pipeline

    day = _day()
    problems: list[str] = []
    names = [name for shard in planned for name in shard]
    # Pulled per map index: a failed shard has no summary (None) instead of shifting the list.
    loaded = get_current_context()["ti"].xcom_pull(
        task_ids="shard.load", map_indexes=list(range(len(planned))), default=None
    )
    done = {name for item in loaded if isinstance(item, dict) for name in item["sources"]}
    missing = [name for name in names if name not in done]
    if missing:
        problems.append(f"collect/load failed for {', '.join(missing)}")
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
        # Depth first: a task's priority grows with its upstream, so a shard's load (and a day's
        # check) goes before more collects start, and each day lands as early as possible.
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
    planned = shards()
    per_shard.expand(shard=planned) >> check(planned)


newsmill_daily()
