"""Loading a run's files into the warehouse: one transaction per attempt, bulk via Arrow; articles
upserted, the attempt's crawl log and counts added to the history."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from newsmill import layout, runfiles
from newsmill.config import DuckLake
from newsmill.runfiles import RunInfo
from newsmill.warehouse.backend import retry_conflicts, transaction
from newsmill.warehouse.connection import connect, say_on_stderr
from newsmill.warehouse.duplicates import mark_duplicates
from newsmill.warehouse.index import SearchIndexError
from newsmill.warehouse.sync import record_changes, sync_index

ARTICLE_COLUMNS = ", ".join(runfiles.ARTICLES_SCHEMA.names)
"""The columns a load takes from `articles.parquet`: all of them (the warehouse adds its own)."""
CONTENT_COLUMNS = (
    "source", "pub_date", "listed_date", "date_source", "title", "authors", "description", "site_name",
    "language", "tags", "content_hash",
)
"""What a reader of an article sees: a load changes an article only when one of these differs."""
LOOKUP_URLS = 2048
"""A run of up to this many articles finds its URLs' rows through the primary key of `articles` rather
than by scanning it. DuckDB looks a join's keys up in an index only when it pushes them into the scan
as a filter, by default for 50 keys at most, and only while at most `index_scan_max_count` (2,048 by
default) rows match; a scan reads the compared columns of every article of the warehouse."""
_CONTENT_DIFFERS = (f"row({', '.join('n.' + c for c in CONTENT_COLUMNS)}) IS DISTINCT FROM "
                    f"row({', '.join('o.' + c for c in CONTENT_COLUMNS)})")


class IncompleteRun(RuntimeError):
    """A run directory whose crawl or extraction did not finish, or whose crawl log is damaged:
    loading it would replace the days' rows with part of them."""


@dataclass(frozen=True)
class LoadResult:
    """What the load of one attempt did, summed over its sources. `inserted` and `updated` count
    the articles it changed (`updated`: content columns differ, not only the fetch);
    `articles` is every article of the attempt, changed or not. Loading an attempt again changes
    nothing and returns what its first load recorded."""

    run_id: str
    attempt_id: str
    articles: int
    inserted: int
    updated: int
    removed: int
    failures: int
    skipped: int
    pages_fetched: int
    seconds: float
    conflicts: int = 0  # commits a DuckLake refused because another load committed meanwhile, retried

    @property
    def changed(self) -> int:
        """Articles inserted or updated: zero when readers of `articles` have nothing new."""
        return self.inserted + self.updated


def _crawl_log(run_dir: Path, info: RunInfo) -> pa.Table:
    """The attempt's `crawl_log` rows: its crawl's, and one `extract_failed` row per page that
    yielded no article text."""
    try:
        crawled = runfiles.CrawlLogReader(run_dir / layout.CRAWL_LOG, strict=True).read()
        failed = runfiles.read_extract_errors(run_dir / layout.EXTRACT_ERRORS)
    except runfiles.BadRunFile as exc:
        raise IncompleteRun(f"{exc}; crawl and extract the run again before loading it") from None
    ids = {"run_id": info.run_id, "attempt_id": info.attempt_id}
    rows = [
        {**ids, "source": r.source, "url": r.url, "kind": r.kind, "listed_date": r.listed_date,
         "outcome": r.outcome, "status": r.status, "error": r.error, "fetched_at": r.fetched_at}
        for r in crawled
    ]
    rows += [
        {**ids, "source": e.source, "url": e.url, "kind": runfiles.ARTICLE, "listed_date": None,
         "outcome": runfiles.EXTRACT_FAILED, "status": None, "error": e.error, "fetched_at": None}
        for e in failed
    ]
    return pa.Table.from_pylist(rows, schema=runfiles.CRAWL_LOG_TABLE.columns)


def _check_complete(run_dir: Path) -> None:
    if not (run_dir / layout.CRAWL_DONE).exists():
        raise IncompleteRun(f"{run_dir}: the crawl did not finish (no {layout.CRAWL_DONE}); crawl the "
                            "run again before loading it")
    for name in (layout.ARTICLES, layout.REMOVED):
        if not (run_dir / name).exists():
            raise IncompleteRun(f"{run_dir}: not extracted (no {name}); extract the run before loading it")


def _parquet(path: Path) -> pa.Table:
    return pq.read_table(path)


def load_run(database: Path | DuckLake, run_dir: Path) -> LoadResult:
    """Load one attempt at a run in a single transaction; loading the same attempt again changes nothing.

    Articles are upserted by canonical URL; an article whose content is unchanged keeps its row,
    and one the attempt did not extract again (not listed any more, failed, gone) keeps the row it
    has: a refetch replaces what it fetched, never erases. The attempt's crawl log and counts are added
    to `crawl_log` and `runs` next to those of earlier attempts. A run whose crawl did not finish
    (no crawl.done.json) or whose extraction did not (no Parquet files) raises `IncompleteRun`
    and changes nothing. On a DuckLake a transaction that conflicts with another load's commit is
    run again, on what that load committed (`LoadResult.conflicts`).
    """
    _check_complete(run_dir)
    started = time.monotonic()
    info = RunInfo.read(run_dir)
    articles = _parquet(run_dir / layout.ARTICLES)
    removed = _parquet(run_dir / layout.REMOVED)
    crawl_log = _crawl_log(run_dir, info)
    with connect(database) as con:
        def attempt() -> tuple:
            with transaction(con):
                if not _recorded(con, info.attempt_id):
                    _apply(con, info, articles, removed, crawl_log, clock=started)
                return con.execute(
                    "SELECT sum(pages_fetched), sum(articles_loaded), sum(articles_inserted), "
                    "sum(articles_updated), sum(removed_segments), sum(failures), "
                    "sum(skipped) FROM runs WHERE attempt_id = ?",
                    [info.attempt_id],
                ).fetchone()

        totals, conflicts = retry_conflicts(attempt)
        _update_search_index(con)
    fetched, loaded, inserted, updated, removed_count, failures, skipped = (int(v or 0) for v in totals)
    return LoadResult(
        run_id=info.run_id,
        attempt_id=info.attempt_id,
        articles=loaded,
        inserted=inserted,
        updated=updated,
        removed=removed_count,
        failures=failures,
        skipped=skipped,
        pages_fetched=fetched,
        seconds=time.monotonic() - started,
        conflicts=conflicts,
    )


def _recorded(con: duckdb.DuckDBPyConnection, attempt_id: str) -> bool:
    """Whether the attempt is loaded already (a retry of a load that committed, then died)."""
    return con.execute("SELECT count(*) FROM runs WHERE attempt_id = ?", [attempt_id]).fetchone()[0] > 0


def _apply(con: duckdb.DuckDBPyConnection, info: RunInfo, articles: pa.Table, removed: pa.Table,
           crawl_log: pa.Table, *, clock: float) -> None:
    """The writes of one load, inside its transaction (`clock`: `time.monotonic()` at its start)."""
    con.execute(f"SET dynamic_or_filter_threshold = {LOOKUP_URLS}")
    con.register("new_articles", articles)
    con.register("new_removed", removed)
    con.register("new_crawl_log", crawl_log)
    # The articles this load may replace: its own URLs, changed when their CONTENT_COLUMNS differ;
    # fetch bookkeeping (fetched_at, WARC pointers) and what the warehouse derives (duplicate_of)
    # do not count.
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE load_changes AS
        WITH old AS (SELECT * FROM articles WHERE url IN (SELECT url FROM new_articles))
        SELECT n.url, n.source,
               CASE WHEN o.url IS NULL THEN 'inserted'
                    WHEN {_CONTENT_DIFFERS} THEN 'updated'
                    ELSE 'unchanged' END AS change
        FROM new_articles n LEFT JOIN old o ON n.url = o.url
        """
    )
    # the search index re-reads the changed articles only (record_changes)
    con.execute("CREATE OR REPLACE TEMP TABLE fts_changed AS "
                "SELECT url FROM load_changes WHERE change <> 'unchanged'")
    # Only an updated article has segments to replace (a new one has none): with no url to look up,
    # DuckDB ends the join before it reads the url column of every segment in the warehouse.
    # Their segments lie in the row groups of the loads that loaded their current rows: the filter on
    # loaded_at lets DuckDB skip every other row group by its zone maps rather than read every url.
    con.execute("CREATE OR REPLACE TEMP TABLE load_updated AS SELECT url FROM load_changes WHERE change = 'updated'")
    con.execute(
        "DELETE FROM removed_segments WHERE loaded_at IN "
        "(SELECT DISTINCT loaded_at FROM articles WHERE url IN (SELECT url FROM load_updated)) "
        "AND url IN (SELECT url FROM load_updated)"
    )
    con.execute("DELETE FROM articles WHERE url IN (SELECT url FROM fts_changed)")
    con.execute(
        f"INSERT INTO articles ({ARTICLE_COLUMNS}, run_id, attempt_id, loaded_at) "
        f"SELECT {ARTICLE_COLUMNS}, ?, ?, now() FROM new_articles WHERE url IN (SELECT url FROM fts_changed)",
        [info.run_id, info.attempt_id],
    )
    con.execute(
        "INSERT INTO removed_segments BY NAME SELECT *, now() AS loaded_at FROM new_removed "
        "WHERE url IN (SELECT url FROM fts_changed)"
    )
    con.execute("INSERT INTO crawl_log BY NAME SELECT * FROM new_crawl_log")
    load_seconds = time.monotonic() - clock
    con.execute(
        """
        INSERT INTO runs BY NAME
        SELECT ? AS run_id, ? AS attempt_id, s.source, ? AS first_day, ? AS last_day, ? AS started_at,
               now() AS finished_at,
               (SELECT count(*) FROM new_crawl_log c
                 WHERE c.source = s.source AND c.outcome = 'fetched') AS pages_fetched,
               (SELECT count(*) FROM new_articles a WHERE a.source = s.source) AS articles_loaded,
               (SELECT count(*) FROM load_changes l
                 WHERE l.source = s.source AND l.change = 'inserted') AS articles_inserted,
               (SELECT count(*) FROM load_changes l
                 WHERE l.source = s.source AND l.change = 'updated') AS articles_updated,
               (SELECT count(*) FROM new_removed r JOIN new_articles a USING (url)
                 WHERE a.source = s.source) AS removed_segments,
               (SELECT count(*) FROM new_crawl_log c
                 WHERE c.source = s.source AND c.outcome IN ('failed', 'extract_failed')) AS failures,
               (SELECT count(*) FROM new_crawl_log c
                 WHERE c.source = s.source AND c.outcome = 'skipped') AS skipped,
               ? AS crawl_seconds, ? AS extract_seconds, ? AS load_seconds
        FROM (SELECT unnest(?) AS source) s
        """,
        [
            info.run_id, info.attempt_id, info.first, info.last, info.started_at,
            info.crawl_seconds, info.extract_seconds, load_seconds, list(info.sources),
        ],
    )
    mark_duplicates(con, info.run_id)
    record_changes(con, "fts_changed")


def _update_search_index(con: duckdb.DuckDBPyConnection) -> None:
    """After the commit: the search index applies what the load changed. The articles are loaded
    whatever happens here; an index left behind is caught up by the next search or load, so a
    failure is said, not raised."""
    try:
        sync_index(con, announce_catch_up=False)
    except SearchIndexError as exc:
        say_on_stderr(f"newsmill: warning: {exc}; the articles are loaded, and the next search or load "
                      "updates the index")
