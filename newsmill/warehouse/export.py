"""Export articles as a day-partitioned (Hive-style `pub_date=YYYY-MM-DD/`) dataset for other tools."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb

FORMATS = ("parquet", "csv", "jsonl")
_COPY_OPTIONS = {"parquet": "FORMAT parquet", "csv": "FORMAT csv, HEADER true", "jsonl": "FORMAT json"}


def _literal(path: Path) -> str:
    """A file path as an SQL string literal (COPY targets cannot be bound parameters)."""
    return "'" + str(path).replace("'", "''") + "'"


def export_articles(con: duckdb.DuckDBPyConnection, out: Path, fmt: str, first: date, last: date) -> int:
    """Write each day of first..last to `out/pub_date=D/data.<fmt>`, replacing earlier exports of it.

    As in any Hive-partitioned dataset the `pub_date` column lives in the folder name, not the files.
    Returns the number of rows written.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    days = [d for (d,) in con.execute(
        "SELECT DISTINCT pub_date FROM articles WHERE pub_date BETWEEN ? AND ? ORDER BY 1", [first, last]
    ).fetchall()]
    total = 0
    for day in days:
        folder = out / f"pub_date={day.isoformat()}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        con.execute(
            "CREATE OR REPLACE TEMP TABLE export_day AS "
            "SELECT * EXCLUDE (pub_date) FROM articles WHERE pub_date = ? ORDER BY url",
            [day],
        )
        con.execute(f"COPY export_day TO {_literal(folder / f'data.{fmt}')} ({_COPY_OPTIONS[fmt]})")
        total += con.execute("SELECT count(*) FROM export_day").fetchone()[0]
    con.execute("DROP TABLE IF EXISTS export_day")
    return total
