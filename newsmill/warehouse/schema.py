"""The warehouse schema: created, and brought up to date, on every write connection.

DuckDB 1.5 is pinned so the file opens in the `duckdb-cli` users install from PyPI (1.5.x refuses
2.0 files) and the official `fts` extension loads offline from PyPI wheels.
"""

from __future__ import annotations

import duckdb

SCHEMA_VERSION = 2

TABLES = """
CREATE TABLE IF NOT EXISTS articles (
    url          VARCHAR PRIMARY KEY,   -- canonical URL (tracking parameters dropped)
    source       VARCHAR NOT NULL,      -- source name from the config
    pub_date     DATE NOT NULL,         -- publication day: the page's own date, else the listing date
    listed_date  DATE,                  -- date given by the feed, sitemap or archive page
    date_source  VARCHAR,               -- 'page' or 'listing'
    title        VARCHAR,
    authors      VARCHAR[],
    description  VARCHAR,
    site_name    VARCHAR,
    language     VARCHAR,
    tags         VARCHAR[],
    text         VARCHAR,               -- cleaned body, paragraphs separated by a blank line
    word_count   INTEGER,
    content_hash VARCHAR,               -- sha1 of the normalised text
    duplicate_of VARCHAR,               -- url of the first article with the same story, if any
    fingerprint  UINTEGER[],            -- sampled shingle hashes, for near-duplicate detection
    fetched_at   TIMESTAMPTZ,
    warc_file    VARCHAR,               -- raw response: WARC file and record offset
    warc_offset  BIGINT,
    run_id       VARCHAR,
    loaded_at    TIMESTAMPTZ,           -- when the load that last changed the row committed
    attempt_id   VARCHAR                -- that load's attempt (runs.attempt_id)
);
CREATE TABLE IF NOT EXISTS removed_segments (
    url      VARCHAR NOT NULL,          -- the article it was removed from
    position INTEGER NOT NULL,          -- paragraph index in the extracted text
    text     VARCHAR,
    reason   VARCHAR,
    score    DOUBLE
);
CREATE TABLE IF NOT EXISTS crawl_log (  -- every attempt's rows, kept: crawl_latest is the last state
    run_id      VARCHAR NOT NULL,
    source      VARCHAR NOT NULL,
    url         VARCHAR NOT NULL,
    kind        VARCHAR,                -- article, feed, sitemap, archive, robots
    listed_date DATE,
    outcome     VARCHAR,                -- fetched, failed, skipped, extract_failed
    status      INTEGER,                -- HTTP status, if a response came
    error       VARCHAR,
    fetched_at  TIMESTAMPTZ,
    attempt_id  VARCHAR                 -- the attempt that tried (or skipped) the URL
);
CREATE TABLE IF NOT EXISTS runs (      -- one row per attempt and source; a re-run adds rows
    run_id            VARCHAR NOT NULL,  -- the days and sources (layout.run_id), same for every attempt
    attempt_id        VARCHAR NOT NULL,  -- this attempt (layout.attempt_id)
    source            VARCHAR NOT NULL,
    first_day         DATE NOT NULL,
    last_day          DATE NOT NULL,
    started_at        TIMESTAMPTZ,
    finished_at       TIMESTAMPTZ,
    pages_fetched     INTEGER,
    articles_loaded   INTEGER,           -- the attempt's articles, changed or not
    articles_inserted INTEGER,           -- of which new URLs; NULL for attempts loaded before
    articles_updated  INTEGER,           -- of which articles whose content changed
    removed_segments  INTEGER,
    failures          INTEGER,
    skipped           INTEGER,
    crawl_seconds     DOUBLE,
    extract_seconds   DOUBLE,
    load_seconds      DOUBLE,
    PRIMARY KEY (attempt_id, source)
);
CREATE TABLE IF NOT EXISTS day_checks (
    day          DATE NOT NULL,
    source       VARCHAR NOT NULL,
    articles     INTEGER,
    empty_bodies INTEGER,
    out_of_day   INTEGER,
    ok           BOOLEAN,
    message      VARCHAR,
    checked_at   TIMESTAMPTZ,
    PRIMARY KEY (day, source)
);
CREATE TABLE IF NOT EXISTS newsmill_meta (key VARCHAR PRIMARY KEY, value VARCHAR);
"""

VIEWS = """
CREATE OR REPLACE VIEW articles_per_day AS
    SELECT source, pub_date, count(*) AS articles, round(avg(word_count)) AS avg_words
    FROM articles GROUP BY ALL ORDER BY pub_date, source;
CREATE OR REPLACE VIEW languages AS
    SELECT language, count(*) AS articles FROM articles GROUP BY ALL ORDER BY articles DESC;
CREATE OR REPLACE VIEW removed_reasons AS
    SELECT reason, count(*) AS segments, count(DISTINCT url) AS articles
    FROM removed_segments GROUP BY ALL ORDER BY segments DESC;
CREATE OR REPLACE VIEW duplicate_clusters AS
    SELECT duplicate_of AS original, count(*) AS copies, list(url ORDER BY url) AS duplicates
    FROM articles WHERE duplicate_of IS NOT NULL GROUP BY ALL ORDER BY copies DESC;
CREATE OR REPLACE VIEW crawl_latest AS  -- per source and URL, the row of the last attempt that
    SELECT c.* FROM crawl_log c          -- tried it (skipped only if none did; extract_failed first)
    LEFT JOIN runs r ON r.attempt_id = c.attempt_id AND r.source = c.source
    QUALIFY row_number() OVER (
        PARTITION BY c.source, c.url
        ORDER BY c.outcome <> 'skipped' DESC, r.started_at DESC NULLS LAST, c.attempt_id DESC,
                 c.outcome = 'extract_failed' DESC) = 1;
CREATE OR REPLACE VIEW crawl_failures AS
    SELECT source, kind, coalesce(CAST(status AS VARCHAR), '-') AS status, error, count(*) AS urls
    FROM crawl_latest WHERE outcome IN ('failed', 'extract_failed') GROUP BY ALL ORDER BY urls DESC;
"""


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create missing tables and views and migrate tables an earlier newsmill made, in one
    transaction: a file is either left as it was or fully brought up to date."""
    con.begin()
    try:
        tables = _columns(con)
        if "runs" in tables and "attempt_id" not in tables["runs"]:
            con.execute("ALTER TABLE runs RENAME TO runs_before_attempts")  # TABLES makes the new one
        con.execute(TABLES)
        _migrate(con, tables)
        con.execute(VIEWS)
        con.execute(
            "INSERT OR REPLACE INTO newsmill_meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)]
        )
        con.commit()
    except BaseException:
        con.rollback()
        raise


def _columns(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """The columns of each table of the file's main schema."""
    found: dict[str, set[str]] = {}
    for table, column in con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() "
        "WHERE database_name = current_database() AND schema_name = 'main'"
    ).fetchall():
        found.setdefault(table, set()).add(column)
    return found


_ADD_ATTEMPT_ID = {
    "articles": ("ALTER TABLE articles ADD COLUMN attempt_id VARCHAR",
                 "UPDATE articles SET attempt_id = run_id"),
    "crawl_log": ("ALTER TABLE crawl_log ADD COLUMN attempt_id VARCHAR",
                  "UPDATE crawl_log SET attempt_id = run_id"),
}


def _migrate(con: duckdb.DuckDBPyConnection, tables: dict[str, set[str]]) -> None:
    """Give tables made before attempt ids their `attempt_id`. Such a warehouse holds one attempt
    per run id (a re-run replaced it), so the run id serves as that attempt's id.

    The columns are checked, not the recorded schema version: an older newsmill opening the file
    writes its own version back without changing the tables."""
    for table, statements in _ADD_ATTEMPT_ID.items():
        if table in tables and "attempt_id" not in tables[table]:
            for statement in statements:
                con.execute(statement)
    if "runs" in tables and "attempt_id" not in tables["runs"]:
        con.execute("INSERT INTO runs BY NAME SELECT *, run_id AS attempt_id FROM runs_before_attempts")
        con.execute("DROP TABLE runs_before_attempts")
