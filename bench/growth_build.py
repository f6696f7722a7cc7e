"""Warehouses of N synthetic articles for the growth benchmark, built once and cached by (N, seed).

The schema comes from `newsmill.warehouse.connection.connect` (which runs `ensure_schema`), so the
file is the one a year of loads would have left, built in bulk: a year of daily `load_run` calls
would take hours. Its search index folder is made by `newsmill index rebuild`, measured by the
benchmark; the BM25 tables of DuckDB's fts extension, which newsmill searched with before, are added
only for the engine comparison (`add_fts`). Rows go in day by day,
as daily loads append them, so DuckDB's row groups follow the days as they would in a real file.
A day's run directory (what `load_run` reads) is written the way the pipeline leaves it.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from growth_corpus import LAST_DAY, Vocabulary, articles_of_day, day_of, per_day, removed_of
from growth_engines import build_fts

from newsmill import layout, runfiles
from newsmill.warehouse.connection import connect
from transforms.page import content_hash

ROWS_PER_INSERT = 20_000
_vocab: Vocabulary | None = None


def _day_tables(args: tuple[int, int, int]) -> tuple[pa.Table, pa.Table]:
    """Articles and removed paragraphs of one day (in a worker: generation is the slow part)."""
    global _vocab
    seed, index, count = args
    if _vocab is None:
        _vocab = Vocabulary()
    articles = articles_of_day(_vocab, seed, day_of(index), count)
    return articles, removed_of(articles)


def warehouse_dir(cache: Path, size: int, seed: int) -> Path:
    return cache / f"{size}-s{seed}"


def build_warehouse(cache: Path, size: int, seed: int, workers: int = 2,
                    say=print) -> Path:  # noqa: ANN001 - a print-like callable
    """The cached warehouse of `size` articles (built now unless a finished one is there);
    `build.json` beside it records how long the rows took."""
    folder = warehouse_dir(cache, size, seed)
    database = folder / "news.duckdb"
    if (folder / "build.json").exists():
        return database
    folder.mkdir(parents=True, exist_ok=True)
    database.unlink(missing_ok=True)
    started = time.monotonic()
    jobs = [(seed, i, n) for i, n in enumerate(per_day(size)) if n]
    with connect(database) as con, ProcessPoolExecutor(workers) as pool:
        pending_articles: list[pa.Table] = []
        pending_removed: list[pa.Table] = []
        for done, (articles, removed) in enumerate(pool.map(_day_tables, jobs), 1):
            pending_articles.append(articles)
            pending_removed.append(removed)
            if sum(t.num_rows for t in pending_articles) >= ROWS_PER_INSERT or done == len(jobs):
                _insert(con, pa.concat_tables(pending_articles), pa.concat_tables(pending_removed))
                pending_articles, pending_removed = [], []
                say(f"  {size}: {done}/{len(jobs)} days, {time.monotonic() - started:.0f} s")
        _insert_runs(con, seed)
        con.execute("CHECKPOINT")
    record = {"size": size, "seed": seed, "rows_seconds": time.monotonic() - started}
    (folder / "build.json").write_text(json.dumps(record, indent=1))
    return database


def add_fts(database: Path) -> dict:
    """The fts extension's BM25 tables in the warehouse file, as newsmill built them before its
    index folder (a 1M warehouse takes over half an hour: only for `--engines duckdb-fts`)."""
    started = time.monotonic()
    with connect(database) as con:
        build_fts(con)
        con.execute("CHECKPOINT")
    return {"wall": time.monotonic() - started, "rss_mb": None}


def _insert(con, articles: pa.Table, removed: pa.Table) -> None:  # noqa: ANN001 - duckdb connection
    """Append articles (with the run bookkeeping a load adds), their removed paragraphs and crawl rows."""
    run_ids = pa.array([f"{d}_{d}_all" for d in articles["pub_date"].to_pylist()], pa.string())
    con.register("bulk_articles", articles.append_column("run_id", run_ids))
    con.register("bulk_removed", removed)
    con.execute("INSERT INTO articles BY NAME SELECT *, run_id || '@bulk' AS attempt_id, "
                "fetched_at + INTERVAL 1 HOUR AS loaded_at FROM bulk_articles")
    con.execute("INSERT INTO removed_segments SELECT * FROM bulk_removed")
    con.execute("""
        INSERT INTO crawl_log BY NAME
        SELECT run_id, source, url, 'article' AS kind, listed_date, 'fetched' AS outcome, 200 AS status,
               NULL AS error, fetched_at, run_id || '@bulk' AS attempt_id FROM bulk_articles""")
    con.unregister("bulk_articles")
    con.unregister("bulk_removed")


def _insert_runs(con, seed: int) -> None:  # noqa: ANN001 - duckdb connection
    """One `runs` row per source and day, and each day's feed fetch in `crawl_log`, as daily runs add."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE bulk_days AS
        SELECT source, pub_date AS day, count(*) AS n FROM articles GROUP BY ALL""")
    con.execute("""
        INSERT INTO runs BY NAME
        SELECT day || '_' || day || '_all' AS run_id, day || '_' || day || '_all@bulk' AS attempt_id, source,
               day AS first_day, day AS last_day, day + INTERVAL 6 HOUR AS started_at,
               day + INTERVAL 7 HOUR AS finished_at, n + 1 AS pages_fetched, n AS articles_loaded,
               n AS articles_inserted, 0 AS articles_updated, n AS removed_segments, 0 AS failures,
               0 AS skipped, 60.0 AS crawl_seconds, 30.0 AS extract_seconds, 5.0 AS load_seconds
        FROM bulk_days""")
    con.execute("""
        INSERT INTO crawl_log BY NAME
        SELECT day || '_' || day || '_all' AS run_id, source, 'https://' || source || '.example/feed.xml' AS url,
               'feed' AS kind, NULL AS listed_date, 'fetched' AS outcome, 200 AS status, NULL AS error,
               day + INTERVAL 6 HOUR AS fetched_at, day || '_' || day || '_all@bulk' AS attempt_id
        FROM bulk_days""")


def write_run(run_dir: Path, articles: pa.Table, attempt: str) -> Path:
    """A run directory as the pipeline leaves it for `load_run`: the extracted Parquet files, the
    crawl log (one fetched row per article), `crawl.done.json` and `run.json`."""
    run_dir.mkdir(parents=True, exist_ok=True)
    pq.write_table(articles, run_dir / layout.ARTICLES)
    pq.write_table(removed_of(articles), run_dir / layout.REMOVED)
    day: date = articles["pub_date"][0].as_py()
    crawl = [runfiles.CrawlRow(source=r["source"], url=r["url"], kind=runfiles.ARTICLE, listed_date=day,
                               outcome=runfiles.FETCHED, status=200, error=None, fetched_at=r["fetched_at"],
                               warc_file=r["warc_file"], warc_offset=r["warc_offset"], listed_title=r["title"])
             for r in articles.select(["source", "url", "fetched_at", "warc_file", "warc_offset",
                                       "title"]).to_pylist()]
    (run_dir / layout.CRAWL_LOG).write_text("".join(row.to_json() + "\n" for row in crawl))
    (run_dir / layout.CRAWL_DONE).write_text("{}")
    rid = layout.run_id(day, day, None)
    started = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=6)
    runfiles.RunInfo(run_id=rid, attempt_id=f"{rid}@{attempt}", first=day, last=day,
                     sources=tuple(sorted(set(articles["source"].to_pylist()))), started_at=started,
                     crawl_seconds=60.0, extract_seconds=30.0).write(run_dir)
    return run_dir


def day_runs(vocab: Vocabulary, seed: int, out: Path, count: int = 1000, refetched: int = 100) -> tuple[Path, Path]:
    """The next day's run (`count` new articles) and a refetch of it in which `refetched` of them
    changed (a corrected title and an added paragraph), so the load replaces and re-indexes them."""
    day = LAST_DAY + timedelta(days=1)
    articles = articles_of_day(vocab, seed, day, count, tag="new")
    first = write_run(out / "day", articles, "20261121T060000.000000Z")
    rows = articles.slice(0, refetched).to_pylist()
    for r in rows:
        r["title"] = "Updated: " + r["title"]
        r["text"] = r["text"] + "\n\nThis article was updated with a correction."
        r["content_hash"] = content_hash(r["text"])
    second = write_run(out / "refetch", pa.Table.from_pylist(rows, schema=runfiles.ARTICLES_SCHEMA),
                       "20261121T180000.000000Z")
    return first, second


