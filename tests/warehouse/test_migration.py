"""A warehouse made by the newsmill before attempt ids opens, is migrated once, and loads."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import duckdb_extensions
import pyarrow as pa
import pyarrow.parquet as pq

from newsmill import layout
from newsmill.runfiles import ARTICLES_SCHEMA, REMOVED_SCHEMA
from newsmill.warehouse import connect, load_run
from newsmill.warehouse.search import search

DAY = date(2026, 11, 20)
RUN_ID = "2026-11-20_2026-11-20_town"

# The tables and view of schema version 1, as that newsmill created them.
OLD_SCHEMA = """
CREATE TABLE articles (
    url VARCHAR PRIMARY KEY, source VARCHAR NOT NULL, pub_date DATE NOT NULL, listed_date DATE,
    date_source VARCHAR, title VARCHAR, authors VARCHAR[], description VARCHAR, site_name VARCHAR,
    language VARCHAR, tags VARCHAR[], text VARCHAR, word_count INTEGER, content_hash VARCHAR,
    duplicate_of VARCHAR, fingerprint UINTEGER[], fetched_at TIMESTAMPTZ, warc_file VARCHAR,
    warc_offset BIGINT, run_id VARCHAR, loaded_at TIMESTAMPTZ
);
CREATE TABLE removed_segments (
    url VARCHAR NOT NULL, position INTEGER NOT NULL, text VARCHAR, reason VARCHAR, score DOUBLE
);
CREATE TABLE crawl_log (
    run_id VARCHAR NOT NULL, source VARCHAR NOT NULL, url VARCHAR NOT NULL, kind VARCHAR,
    listed_date DATE, outcome VARCHAR, status INTEGER, error VARCHAR, fetched_at TIMESTAMPTZ
);
CREATE TABLE runs (
    run_id VARCHAR NOT NULL, source VARCHAR NOT NULL, first_day DATE NOT NULL, last_day DATE NOT NULL,
    started_at TIMESTAMPTZ, finished_at TIMESTAMPTZ, pages_fetched INTEGER, articles_loaded INTEGER,
    removed_segments INTEGER, failures INTEGER, skipped INTEGER, crawl_seconds DOUBLE,
    extract_seconds DOUBLE, load_seconds DOUBLE, PRIMARY KEY (run_id, source)
);
CREATE TABLE day_checks (
    day DATE NOT NULL, source VARCHAR NOT NULL, articles INTEGER, empty_bodies INTEGER,
    out_of_day INTEGER, ok BOOLEAN, message VARCHAR, checked_at TIMESTAMPTZ, PRIMARY KEY (day, source)
);
CREATE TABLE newsmill_meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE VIEW crawl_failures AS
    SELECT source, kind, coalesce(CAST(status AS VARCHAR), '-') AS status, error, count(*) AS urls
    FROM crawl_log WHERE outcome IN ('failed', 'extract_failed') GROUP BY ALL ORDER BY urls DESC;
INSERT INTO newsmill_meta VALUES ('schema_version', '1');
"""
STAMP = datetime(2026, 11, 21, 1, tzinfo=UTC)


def _old_warehouse(path: Path) -> Path:
    """One loaded run of the old schema: an article and a segment cleaned out of it, its crawl log (a
    fetch, a failure), its runs row, and the BM25 index that newsmill built in the file with DuckDB's fts extension."""
    con = duckdb.connect(str(path))
    try:
        con.execute(OLD_SCHEMA)
        con.execute("INSERT INTO articles (url, source, pub_date, title, text, content_hash, run_id, loaded_at) "
                    "VALUES ('http://t/old', 'town', ?, 'Harbour dredging agreed', 'The harbour board met.', "
                    "'h-old', ?, ?)", [DAY, RUN_ID, STAMP])
        con.execute("INSERT INTO removed_segments VALUES ('http://t/old', 2, 'Read more', 'teaser', 1.0)")
        con.executemany("INSERT INTO crawl_log VALUES (?, 'town', ?, 'article', ?, ?, ?, NULL, ?)", [
            [RUN_ID, "http://t/old", DAY, "fetched", 200, STAMP],
            [RUN_ID, "http://t/broken", DAY, "failed", 500, STAMP]])
        con.execute("INSERT INTO runs VALUES (?, 'town', ?, ?, ?, ?, 2, 1, 0, 1, 0, 1.0, 1.0, 0.1)",
                    [RUN_ID, DAY, DAY, STAMP, STAMP])
        duckdb_extensions.import_extension("fts", con=con)
        con.execute("LOAD fts")
        con.execute("PRAGMA create_fts_index('articles', 'url', 'title', 'text', stemmer = 'porter', "
                    "stopwords = 'english', strip_accents = 1, lower = 1, overwrite = 1)")
    finally:
        con.close()
    return path


def _new_attempt(run_dir: Path) -> Path:
    """A later attempt at the same run: the failed page now answers."""
    run_dir.mkdir(parents=True)
    row = {"url": "http://t/broken", "source": "town", "pub_date": DAY, "listed_date": DAY,
           "date_source": "listing", "title": "Ferry timetable changes", "authors": [], "description": None,
           "site_name": None, "language": "en", "tags": [], "text": "The ferry runs hourly from Monday.",
           "word_count": 6, "content_hash": "h-new", "fetched_at": STAMP, "warc_file": "x.warc.gz",
           "warc_offset": 0, "duplicate_of": None, "fingerprint": []}
    pq.write_table(pa.Table.from_pylist([row], schema=ARTICLES_SCHEMA), run_dir / layout.ARTICLES)
    pq.write_table(REMOVED_SCHEMA.empty_table(), run_dir / layout.REMOVED)
    log = [{"source": "town", "url": url, "kind": "article", "listed_date": DAY.isoformat(), "outcome": outcome,
            "status": status, "error": None, "fetched_at": "2026-11-22T08:00:00+00:00"}
           for url, outcome, status in (("http://t/old", "skipped", None), ("http://t/broken", "fetched", 200))]
    (run_dir / layout.CRAWL_LOG).write_text("".join(json.dumps(r) + "\n" for r in log))
    (run_dir / layout.CRAWL_DONE).write_text("{}")
    (run_dir / layout.RUN_INFO).write_text(json.dumps({
        "run_id": RUN_ID, "attempt_id": f"{RUN_ID}@20261122T080000.000000Z", "first": DAY.isoformat(),
        "last": DAY.isoformat(), "sources": ["town"], "started_at": "2026-11-22T08:00:00+00:00"}))
    return run_dir


def test_an_old_warehouse_is_migrated_and_keeps_its_history(tmp_path: Path) -> None:
    db = _old_warehouse(tmp_path / "news.duckdb")
    run = _new_attempt(tmp_path / "runs" / RUN_ID)
    result = load_run(db, run)
    assert (result.inserted, result.updated, result.skipped) == (1, 0, 1)
    assert replace(load_run(db, run), seconds=0) == replace(result, seconds=0)  # loaded once
    new_id = f"{RUN_ID}@20261122T080000.000000Z"
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT run_id, attempt_id, pages_fetched, failures, skipped, articles_inserted "
                           "FROM runs ORDER BY started_at").fetchall() == [
            (RUN_ID, RUN_ID, 2, 1, 0, None),  # the old run: its id serves as its attempt's; counts unknown
            (RUN_ID, new_id, 1, 0, 1, 1)]
        assert con.execute("SELECT attempt_id, url, outcome FROM crawl_log ORDER BY ALL").fetchall() == [
            (RUN_ID, "http://t/broken", "failed"), (RUN_ID, "http://t/old", "fetched"),
            (new_id, "http://t/broken", "fetched"), (new_id, "http://t/old", "skipped")]
        assert con.execute("SELECT url, outcome FROM crawl_latest ORDER BY url").fetchall() == [
            ("http://t/broken", "fetched"), ("http://t/old", "fetched")]
        assert con.execute("SELECT count(*) FROM crawl_failures").fetchone()[0] == 0
        assert con.execute("SELECT url, attempt_id FROM articles ORDER BY url").fetchall() == [
            ("http://t/broken", new_id), ("http://t/old", RUN_ID)]
        # a segment's loaded_at is its article's: a refetch finds the old segments by it
        assert con.execute("SELECT url, loaded_at FROM removed_segments").fetchall() == [("http://t/old", STAMP)]
        assert con.execute("SELECT value FROM newsmill_meta WHERE key = 'schema_version'").fetchone() == ("4",)
        assert not con.execute("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'runs_%'").fetchall()
        assert _fts_tables(con) == 0  # the old index is dropped
    found = {hit.url for hit in search(db, "ferry")} | {hit.url for hit in search(db, "harbour")}
    assert found == {"http://t/broken", "http://t/old"}  # the index folder holds the old article and the new


def _fts_tables(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'fts_main_articles'").fetchone()[0]


def test_an_old_warehouse_is_searched_before_and_after_its_migration(tmp_path: Path, capfd) -> None:
    db = _old_warehouse(tmp_path / "news.duckdb")
    with connect(db, read_only=True) as con:
        assert _fts_tables(con) > 0
    # a search migrates nothing: it builds the index folder
    assert [hit.url for hit in search(db, "dredging harbour")] == ["http://t/old"]
    assert "it is missing; building it from the warehouse's 1 articles" in capfd.readouterr().err
    with connect(db) as con:
        assert _fts_tables(con) == 0
    # the migration gave the file its id: an index built before is not its
    assert [hit.url for hit in search(db, "dredging harbour")] == ["http://t/old"]
    assert "made for another warehouse" in capfd.readouterr().err


def test_a_warehouse_an_older_newsmill_opened_again_is_not_migrated_twice(tmp_path: Path) -> None:
    """The older newsmill writes its schema version back; the tables decide, not that number."""
    db = _old_warehouse(tmp_path / "news.duckdb")
    with connect(db):
        pass
    with duckdb.connect(str(db)) as con:
        con.execute("INSERT OR REPLACE INTO newsmill_meta VALUES ('schema_version', '1')")
    with connect(db) as con:
        assert con.execute("SELECT run_id, attempt_id FROM runs").fetchall() == [(RUN_ID, RUN_ID)]
        assert con.execute("SELECT count(*) FROM crawl_log WHERE attempt_id = run_id").fetchone()[0] == 2
