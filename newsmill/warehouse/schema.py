"""The warehouse schema: created, and brought up to date, on every write connection.

DuckDB 1.5 is pinned so the file opens in the `duckdb-cli` users install from PyPI (1.5.x refuses
2.0 files).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import duckdb

from newsmill.warehouse.backend import transaction

if TYPE_CHECKING:
    import pyarrow as pa

    from newsmill import runfiles

SCHEMA_VERSION = 4


def _sql_type(kind: pa.DataType) -> str:
    """The DuckDB type Arrow's `kind` loads into unchanged."""
    import pyarrow as pa

    if pa.types.is_list(kind):
        return _sql_type(kind.value_type) + "[]"
    return {
        pa.string(): "VARCHAR",
        pa.date32(): "DATE",
        pa.int32(): "INTEGER",
        pa.int64(): "BIGINT",
        pa.uint32(): "UINTEGER",
        pa.float64(): "DOUBLE",
        pa.timestamp("us", tz="UTC"): "TIMESTAMPTZ",
    }[kind]


def _create_table(table: runfiles.Table, *, keys: bool = True) -> str:
    """`CREATE TABLE IF NOT EXISTS` for a table whose columns a run file defines (without its
    primary key unless `keys`: DuckLake has none)."""
    lines = [
        f"    {field.name} {_sql_type(field.type)}{' NOT NULL' if field.name in table.required else ''}"
        for field in table.columns
    ]
    if table.key and keys:
        lines.append(f"    PRIMARY KEY ({', '.join(table.key)})")
    return f"CREATE TABLE IF NOT EXISTS {table.name} (\n" + ",\n".join(lines) + "\n);\n"


def _checks_and_meta(*, keys: bool) -> str:
    day_key = ",\n    PRIMARY KEY (day, source)" if keys else ""
    meta_key = " PRIMARY KEY" if keys else " NOT NULL"
    return f"""
CREATE TABLE IF NOT EXISTS day_checks (
    day          DATE NOT NULL,
    source       VARCHAR NOT NULL,
    articles     INTEGER,
    empty_bodies INTEGER,
    out_of_day   INTEGER,
    ok           BOOLEAN,
    message      VARCHAR,
    checked_at   TIMESTAMPTZ{day_key}
);
CREATE TABLE IF NOT EXISTS newsmill_meta (key VARCHAR{meta_key}, value VARCHAR);
"""


SEARCH_PENDING = "search_pending"
"""Articles a load changed that the search index folder may not hold yet, with the generation of
that load (`newsmill.warehouse.sync`)."""
WAREHOUSE_ID = "warehouse_id"
"""`newsmill_meta` key: a random id given to the file once, so an index made for another file is
recognised."""
SEARCH_GENERATION = "search_generation"
"""`newsmill_meta` key: a counter raised by every load that changes articles."""
_SEARCH = f"""
CREATE TABLE IF NOT EXISTS {SEARCH_PENDING} (url VARCHAR NOT NULL, generation BIGINT NOT NULL);
INSERT OR IGNORE INTO newsmill_meta VALUES ('{WAREHOUSE_ID}', CAST(uuid() AS VARCHAR)),
                                           ('{SEARCH_GENERATION}', '0');
"""


@cache
def _tables(*, lake: bool) -> str:
    """The tables' DDL, made from the run files' Arrow schemas (`newsmill.runfiles`). Imported here,
    not with the module: the readers that need only this module's names (`search`, `query`) start
    without pyarrow. In a DuckLake, which has no keys, `INSERT OR IGNORE` becomes an anti-join."""
    from newsmill import runfiles

    if not lake:
        return "".join(_create_table(t) for t in runfiles.WAREHOUSE_TABLES) + _checks_and_meta(keys=True) + _SEARCH
    return (
        "".join(_create_table(t, keys=False) for t in runfiles.WAREHOUSE_TABLES) + _checks_and_meta(keys=False)
        + f"""
CREATE TABLE IF NOT EXISTS {SEARCH_PENDING} (url VARCHAR NOT NULL, generation BIGINT NOT NULL);
INSERT INTO newsmill_meta SELECT * FROM (VALUES ('{WAREHOUSE_ID}', CAST(uuid() AS VARCHAR)),
                                                ('{SEARCH_GENERATION}', '0'), ('schema_version', NULL)) v(k, v)
    WHERE k NOT IN (SELECT key FROM newsmill_meta);
""")


def crawl_latest(crawl_rows: str) -> str:
    """The query of the `crawl_latest` view over `crawl_rows`, a table or a subquery of `crawl_log`
    rows with every row of each (source, url) it holds. A reader of a few days passes the rows of
    the (source, url) pairs seen on those days, so the window ranks those pairs only: DuckDB does
    not push a filter on the view's result below its window."""
    return f"""SELECT c.* FROM {crawl_rows} c
    LEFT JOIN runs r ON r.attempt_id = c.attempt_id AND r.source = c.source
    QUALIFY row_number() OVER (
        PARTITION BY c.source, c.url
        ORDER BY c.outcome <> 'skipped' DESC, r.started_at DESC NULLS LAST, c.attempt_id DESC,
                 c.outcome = 'extract_failed' DESC) = 1"""


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
-- per source and URL, the row of the last attempt that tried it (skipped only if none did;
-- extract_failed first)
CREATE OR REPLACE VIEW crawl_latest AS
    """ + crawl_latest("crawl_log") + """;
CREATE OR REPLACE VIEW crawl_failures AS
    SELECT source, kind, coalesce(CAST(status AS VARCHAR), '-') AS status, error, count(*) AS urls
    FROM crawl_latest WHERE outcome IN ('failed', 'extract_failed') GROUP BY ALL ORDER BY urls DESC;
"""


def ensure_schema(con: duckdb.DuckDBPyConnection, *, lake: bool = False) -> None:
    """Create missing tables and views and migrate tables an earlier newsmill made, in one
    transaction: a file is either left as it was or fully brought up to date. With `lake`, a
    DuckLake's tables are made, and those of an older schema version given their new columns."""
    if lake:
        _ensure_lake_schema(con)
        return
    con.begin()
    try:
        tables = _columns(con)
        rebuild_runs = "runs" in tables and "attempt_id" not in tables["runs"]
        if rebuild_runs:
            con.execute("ALTER TABLE runs RENAME TO runs_before_attempts")  # _tables makes the new one
        con.execute(_tables(lake=False))
        _migrate(con, tables, rebuild_runs=rebuild_runs)
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


_ADDED_COLUMNS = {
    # attempt ids: such a warehouse holds one attempt per run id (a re-run replaced it), so the run
    # id serves as that attempt's id
    ("articles", "attempt_id"): ("ALTER TABLE articles ADD COLUMN attempt_id VARCHAR",
                                 "UPDATE articles SET attempt_id = run_id"),
    ("crawl_log", "attempt_id"): ("ALTER TABLE crawl_log ADD COLUMN attempt_id VARCHAR",
                                  "UPDATE crawl_log SET attempt_id = run_id"),
    # schema 4: a segment's load time is its article row's, which the load that wrote it wrote too
    ("removed_segments", "loaded_at"): ("ALTER TABLE removed_segments ADD COLUMN loaded_at TIMESTAMPTZ",
                                        "UPDATE removed_segments SET loaded_at = a.loaded_at FROM articles a "
                                        "WHERE a.url = removed_segments.url"),
}
"""Columns added to tables after their first version, and how an older table gets them."""


def _migrate(con: duckdb.DuckDBPyConnection, tables: dict[str, set[str]], *, rebuild_runs: bool) -> None:
    """Give older tables their added columns (`_ADDED_COLUMNS`). With `rebuild_runs`, the old `runs`
    (renamed `runs_before_attempts`, made before attempt ids) is copied into the new one, whose key
    holds the attempt id (its run id, as above), and dropped.

    The BM25 tables of DuckDB's fts extension (`fts_main_articles`) are dropped: the search index
    folder answers searches now, and those tables cost every load time and the file room.

    The columns are checked, not the recorded schema version: an older newsmill opening the file
    writes its own version back without changing the tables."""
    _add_columns(con, tables)
    if rebuild_runs:
        con.execute("INSERT INTO runs BY NAME SELECT *, run_id AS attempt_id FROM runs_before_attempts")
        con.execute("DROP TABLE runs_before_attempts")
    con.execute("DROP SCHEMA IF EXISTS fts_main_articles CASCADE")


def _add_columns(con: duckdb.DuckDBPyConnection, tables: dict[str, set[str]]) -> None:
    """The `_ADDED_COLUMNS` that `tables` (each table's columns as found) lack, added and filled."""
    for (table, column), statements in _ADDED_COLUMNS.items():
        if table in tables and column not in tables[table]:
            for statement in statements:
                con.execute(statement)


def _ensure_lake_schema(con: duckdb.DuckDBPyConnection) -> None:
    """A DuckLake's tables and views, made only when its recorded schema version is not this one:
    every change to a DuckLake's catalog is a commit that concurrent writers would conflict with."""
    tables = _columns(con)
    if "newsmill_meta" in tables and con.execute(
            "SELECT count(*) FROM newsmill_meta WHERE key = 'schema_version' AND value = ?",
            [str(SCHEMA_VERSION)]).fetchone()[0]:
        return
    with transaction(con):
        con.execute(_tables(lake=True))
        _add_columns(con, tables)
        con.execute(VIEWS)
        con.execute("UPDATE newsmill_meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION)])
