"""Loading a run's files into the warehouse: one transaction per attempt, bulk via Arrow; articles
upserted, the attempt's crawl log and counts added to the history."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from newsmill import layout
from newsmill.warehouse.connection import connect
from newsmill.warehouse.duplicates import mark_duplicates
from newsmill.warehouse.search import rebuild_index

CRAWL_LOG_SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("source", pa.string()),
        ("url", pa.string()),
        ("kind", pa.string()),
        ("listed_date", pa.date32()),
        ("outcome", pa.string()),
        ("status", pa.int32()),
        ("error", pa.string()),
        ("fetched_at", pa.timestamp("us", tz="UTC")),
        ("attempt_id", pa.string()),
    ]
)

ARTICLE_COLUMNS = (
    "url, source, pub_date, listed_date, date_source, title, authors, description, site_name, "
    "language, tags, text, word_count, content_hash, duplicate_of, fingerprint, fetched_at, warc_file, "
    "warc_offset"
)
CONTENT_COLUMNS = (
    "source", "pub_date", "listed_date", "date_source", "title", "authors", "description", "site_name",
    "language", "tags", "content_hash",
)
"""What a reader of an article sees: a load changes an article only when one of these differs."""
_CONTENT_DIFFERS = (f"row({', '.join('n.' + c for c in CONTENT_COLUMNS)}) IS DISTINCT FROM "
                    f"row({', '.join('o.' + c for c in CONTENT_COLUMNS)})")


class IncompleteRun(RuntimeError):
    """A run directory whose crawl or extraction did not finish: loading it would replace the
    days' rows with part of them."""


@dataclass(frozen=True)
class RunInfo:
    """What the pipeline records about an attempt at a run (`run.json` in the run directory),
    written when its crawl starts, so the crawl's files always belong to the attempt named here."""

    run_id: str
    attempt_id: str
    first: date
    last: date
    sources: tuple[str, ...]
    started_at: datetime
    crawl_seconds: float
    extract_seconds: float

    @classmethod
    def read(cls, run_dir: Path) -> RunInfo:
        """The run's `run.json`; one without an attempt id gets the id its run id and start give."""
        raw = json.loads((run_dir / layout.RUN_INFO).read_text())
        started = datetime.fromisoformat(raw["started_at"])
        return cls(
            run_id=raw["run_id"],
            attempt_id=raw.get("attempt_id") or layout.attempt_id(raw["run_id"], started),
            first=date.fromisoformat(raw["first"]),
            last=date.fromisoformat(raw["last"]),
            sources=tuple(raw["sources"]),
            started_at=started,
            crawl_seconds=float(raw.get("crawl_seconds", 0.0)),
            extract_seconds=float(raw.get("extract_seconds", 0.0)),
        )

    def write(self, run_dir: Path) -> None:
        payload = {
            "run_id": self.run_id,
            "attempt_id": self.attempt_id,
            "first": self.first.isoformat(),
            "last": self.last.isoformat(),
            "sources": list(self.sources),
            "started_at": self.started_at.isoformat(),
            "crawl_seconds": self.crawl_seconds,
            "extract_seconds": self.extract_seconds,
        }
        layout.write_atomic(run_dir / layout.RUN_INFO, json.dumps(payload, indent=1))


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

    @property
    def changed(self) -> int:
        """Articles inserted or updated: zero when readers of `articles` have nothing new."""
        return self.inserted + self.updated


def _jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    rows = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if line:
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError:
                    continue  # a line torn by a crash; the crawl re-runs it
    return rows


def _crawl_log(run_dir: Path, info: RunInfo) -> pa.Table:
    rows = []
    for row in _jsonl(run_dir / layout.CRAWL_LOG):
        rows.append(
            {
                "run_id": info.run_id,
                "attempt_id": info.attempt_id,
                "source": row.get("source"),
                "url": row.get("url"),
                "kind": row.get("kind"),
                "listed_date": _day(row.get("listed_date")),
                "outcome": row.get("outcome"),
                "status": row.get("status"),
                "error": row.get("error"),
                "fetched_at": _instant(row.get("fetched_at")),
            }
        )
    for row in _jsonl(run_dir / layout.EXTRACT_ERRORS):
        rows.append(
            {
                "run_id": info.run_id,
                "attempt_id": info.attempt_id,
                "source": row.get("source"),
                "url": row.get("url"),
                "kind": "article",
                "listed_date": None,
                "outcome": "extract_failed",
                "status": None,
                "error": row.get("error"),
                "fetched_at": None,
            }
        )
    return pa.Table.from_pylist(rows, schema=CRAWL_LOG_SCHEMA)


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def _instant(value: str | None) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _check_complete(run_dir: Path) -> None:
    if not (run_dir / layout.CRAWL_DONE).exists():
        raise IncompleteRun(f"{run_dir}: the crawl did not finish (no {layout.CRAWL_DONE}); crawl the "
                            "run again before loading it")
    for name in (layout.ARTICLES, layout.REMOVED):
        if not (run_dir / name).exists():
            raise IncompleteRun(f"{run_dir}: not extracted (no {name}); extract the run before loading it")


def _parquet(path: Path) -> pa.Table:
    return pq.read_table(path)


def load_run(database: Path, run_dir: Path) -> LoadResult:
    """Load one attempt at a run in a single transaction; loading the same attempt again changes nothing.

    Articles are upserted by canonical URL; an article whose content is unchanged keeps its row,
    and one the attempt did not extract again (not listed any more, failed, gone) keeps the row it
    has: a refetch replaces what it fetched, never erases. The attempt's crawl log and counts are added
    to `crawl_log` and `runs` next to those of earlier attempts. A run whose crawl did not finish
    (no crawl.done.json) or whose extraction did not (no Parquet files) raises `IncompleteRun`
    and changes nothing.
    """
    _check_complete(run_dir)
    started = time.monotonic()
    info = RunInfo.read(run_dir)
    articles = _parquet(run_dir / layout.ARTICLES)
    removed = _parquet(run_dir / layout.REMOVED)
    crawl_log = _crawl_log(run_dir, info)
    with connect(database) as con:
        con.begin()
        try:
            if not _recorded(con, info.attempt_id):
                _apply(con, info, articles, removed, crawl_log, clock=started)
            totals = con.execute(
                "SELECT sum(pages_fetched), sum(articles_loaded), sum(articles_inserted), "
                "sum(articles_updated), sum(removed_segments), sum(failures), "
                "sum(skipped) FROM runs WHERE attempt_id = ?",
                [info.attempt_id],
            ).fetchone()
            con.commit()
        except BaseException:
            con.rollback()
            raise
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
    )


def _recorded(con: duckdb.DuckDBPyConnection, attempt_id: str) -> bool:
    """Whether the attempt is loaded already (a retry of a load that committed, then died)."""
    return con.execute("SELECT count(*) FROM runs WHERE attempt_id = ?", [attempt_id]).fetchone()[0] > 0


def _apply(con: duckdb.DuckDBPyConnection, info: RunInfo, articles: pa.Table, removed: pa.Table,
           crawl_log: pa.Table, *, clock: float) -> None:
    """The writes of one load, inside its transaction (`clock`: `time.monotonic()` at its start)."""
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
    # the search index re-reads the changed articles only
    con.execute("CREATE OR REPLACE TEMP TABLE fts_changed AS "
                "SELECT url FROM load_changes WHERE change <> 'unchanged'")
    con.execute("DELETE FROM removed_segments WHERE url IN (SELECT url FROM fts_changed)")
    con.execute("DELETE FROM articles WHERE url IN (SELECT url FROM fts_changed)")
    con.execute(
        f"INSERT INTO articles ({ARTICLE_COLUMNS}, run_id, attempt_id, loaded_at) "
        f"SELECT {ARTICLE_COLUMNS}, ?, ?, now() FROM new_articles WHERE url IN (SELECT url FROM fts_changed)",
        [info.run_id, info.attempt_id],
    )
    con.execute(
        "INSERT INTO removed_segments SELECT url, position, text, reason, score FROM new_removed "
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
    rebuild_index(con, changed="fts_changed")
