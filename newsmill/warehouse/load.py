"""Loading a run's files into the warehouse: one transaction, bulk via Arrow, replace-not-append."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

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
    ]
)

ARTICLE_COLUMNS = (
    "url, source, pub_date, listed_date, date_source, title, authors, description, site_name, "
    "language, tags, text, word_count, content_hash, duplicate_of, fingerprint, fetched_at, warc_file, "
    "warc_offset"
)


class IncompleteRun(RuntimeError):
    """A run directory whose crawl or extraction did not finish: loading it would replace the
    days' rows with part of them."""


@dataclass(frozen=True)
class RunInfo:
    """What the pipeline records about a run before loading it (`run.json` in the run directory)."""

    run_id: str
    first: date
    last: date
    sources: tuple[str, ...]
    started_at: datetime
    crawl_seconds: float
    extract_seconds: float

    @classmethod
    def read(cls, run_dir: Path) -> RunInfo:
        raw = json.loads((run_dir / layout.RUN_INFO).read_text())
        return cls(
            run_id=raw["run_id"],
            first=date.fromisoformat(raw["first"]),
            last=date.fromisoformat(raw["last"]),
            sources=tuple(raw["sources"]),
            started_at=datetime.fromisoformat(raw["started_at"]),
            crawl_seconds=float(raw.get("crawl_seconds", 0.0)),
            extract_seconds=float(raw.get("extract_seconds", 0.0)),
        )

    def write(self, run_dir: Path) -> None:
        payload = {
            "run_id": self.run_id,
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
    run_id: str
    articles: int
    removed: int
    failures: int
    skipped: int
    pages_fetched: int
    seconds: float


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


def _crawl_log(run_dir: Path, run_id: str) -> pa.Table:
    rows = []
    for row in _jsonl(run_dir / layout.CRAWL_LOG):
        rows.append(
            {
                "run_id": run_id,
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
                "run_id": run_id,
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


def load_run(database: Path, run_dir: Path, *, refetch: bool = False) -> LoadResult:
    """Load one run in a single transaction; re-loading the same run changes nothing.

    Articles are upserted by canonical URL. With `refetch`, the run's sources' rows for the run's
    days are first deleted, so the days hold exactly what this run found. A run whose crawl did not
    finish (no crawl.done.json) or whose extraction did not (no Parquet files) raises
    `IncompleteRun` and changes nothing.
    """
    _check_complete(run_dir)
    started = time.monotonic()
    info = RunInfo.read(run_dir)
    articles = _parquet(run_dir / layout.ARTICLES)
    removed = _parquet(run_dir / layout.REMOVED)
    crawl_log = _crawl_log(run_dir, info.run_id)
    with connect(database) as con:
        con.register("new_crawl_log", crawl_log)
        con.begin()
        try:
            # articles whose indexed text may change in this load: the search index re-reads them only
            con.execute("CREATE OR REPLACE TEMP TABLE fts_changed (url VARCHAR)")
            if refetch:
                con.execute(
                    "INSERT INTO fts_changed SELECT url FROM articles "
                    "WHERE source IN (SELECT unnest(?)) AND pub_date BETWEEN ? AND ?",
                    [list(info.sources), info.first, info.last],
                )
                con.execute(
                    "DELETE FROM removed_segments WHERE url IN (SELECT url FROM articles "
                    "WHERE source IN (SELECT unnest(?)) AND pub_date BETWEEN ? AND ?)",
                    [list(info.sources), info.first, info.last],
                )
                con.execute(
                    "DELETE FROM articles WHERE source IN (SELECT unnest(?)) AND pub_date BETWEEN ? AND ?",
                    [list(info.sources), info.first, info.last],
                )
            if articles.num_rows:
                con.register("new_articles", articles)
                con.execute("INSERT INTO fts_changed SELECT url FROM new_articles")
                con.execute("DELETE FROM removed_segments WHERE url IN (SELECT url FROM new_articles)")
                con.execute("DELETE FROM articles WHERE url IN (SELECT url FROM new_articles)")
                con.execute(
                    f"INSERT INTO articles ({ARTICLE_COLUMNS}, run_id, loaded_at) "
                    f"SELECT {ARTICLE_COLUMNS}, ?, now() FROM new_articles",
                    [info.run_id],
                )
            if removed.num_rows:
                con.register("new_removed", removed)
                con.execute(
                    "INSERT INTO removed_segments SELECT url, position, text, reason, score FROM new_removed"
                )
            con.execute("DELETE FROM crawl_log WHERE run_id = ?", [info.run_id])
            con.execute("INSERT INTO crawl_log SELECT * FROM new_crawl_log")
            load_seconds = time.monotonic() - started
            con.execute("DELETE FROM runs WHERE run_id = ?", [info.run_id])
            con.execute(
                """
                INSERT INTO runs
                SELECT ?, s.source, ?, ?, ?, now(),
                       (SELECT count(*) FROM new_crawl_log c
                         WHERE c.source = s.source AND c.outcome = 'fetched'),
                       (SELECT count(*) FROM articles a WHERE a.source = s.source AND a.run_id = ?),
                       (SELECT count(*) FROM removed_segments r JOIN articles a USING (url)
                         WHERE a.source = s.source AND a.run_id = ?),
                       (SELECT count(*) FROM new_crawl_log c
                         WHERE c.source = s.source AND c.outcome IN ('failed', 'extract_failed')),
                       (SELECT count(*) FROM new_crawl_log c
                         WHERE c.source = s.source AND c.outcome = 'skipped'),
                       ?, ?, ?
                FROM (SELECT unnest(?) AS source) s
                """,
                [
                    info.run_id, info.first, info.last, info.started_at, info.run_id, info.run_id,
                    info.crawl_seconds, info.extract_seconds, load_seconds, list(info.sources),
                ],
            )
            totals = con.execute(
                "SELECT sum(pages_fetched), sum(articles_loaded), sum(removed_segments), "
                "sum(failures), sum(skipped) FROM runs WHERE run_id = ?",
                [info.run_id],
            ).fetchone()
            mark_duplicates(con, info.run_id)
            rebuild_index(con, changed="fts_changed")
            con.commit()
        except BaseException:
            con.rollback()
            raise
    fetched, loaded, removed_count, failures, skipped = (int(v or 0) for v in totals)
    return LoadResult(
        run_id=info.run_id,
        articles=loaded,
        removed=removed_count,
        failures=failures,
        skipped=skipped,
        pages_fetched=fetched,
        seconds=time.monotonic() - started,
    )
