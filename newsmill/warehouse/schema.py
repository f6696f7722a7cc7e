"""The warehouse schema: created idempotently on every write connection.

DuckDB 1.5 is pinned so the file opens in the `duckdb-cli` users install from PyPI (1.5.x refuses
2.0 files) and the official `fts` extension loads offline from PyPI wheels.
"""

from __future__ import annotations

import duckdb

SCHEMA_VERSION = 1

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
    loaded_at    TIMESTAMPTZ
);
CREATE TABLE IF NOT EXISTS removed_segments (
    url      VARCHAR NOT NULL,          -- the article it was removed from
    position INTEGER NOT NULL,          -- paragraph index in the extracted text
    text     VARCHAR,
    reason   VARCHAR,
    score    DOUBLE
);
CREATE TABLE IF NOT EXISTS crawl_log (
    run_id      VARCHAR NOT NULL,
    source      VARCHAR NOT NULL,
    url         VARCHAR NOT NULL,
    kind        VARCHAR,                -- article, feed, sitemap, archive, robots
    listed_date DATE,
    outcome     VARCHAR,                -- fetched, failed, skipped, extract_failed
    status      INTEGER,                -- HTTP status, if a response came
    error       VARCHAR,
    fetched_at  TIMESTAMPTZ
);
CREATE TABLE IF NOT EXISTS runs (
    run_id            VARCHAR NOT NULL,
    source            VARCHAR NOT NULL,
    first_day         DATE NOT NULL,
    last_day          DATE NOT NULL,
    started_at        TIMESTAMPTZ,
    finished_at       TIMESTAMPTZ,
    pages_fetched     INTEGER,
    articles_loaded   INTEGER,
    removed_segments  INTEGER,
    failures          INTEGER,
    skipped           INTEGER,
    crawl_seconds     DOUBLE,
    extract_seconds   DOUBLE,
    load_seconds      DOUBLE,
    PRIMARY KEY (run_id, source)
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
CREATE OR REPLACE VIEW crawl_failures AS
    SELECT source, kind, coalesce(CAST(status AS VARCHAR), '-') AS status, error, count(*) AS urls
    FROM crawl_log WHERE outcome IN ('failed', 'extract_failed') GROUP BY ALL ORDER BY urls DESC;
"""


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create missing tables; record the schema version for later migrations."""
    con.execute(TABLES)
    con.execute(VIEWS)
    con.execute(
        "INSERT OR REPLACE INTO newsmill_meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)]
    )
