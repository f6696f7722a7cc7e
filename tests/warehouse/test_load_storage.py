"""What a load writes to the DuckDB file: its own rows, never a rewrite of the articles already stored,
so that a load's memory and seconds stay those of its run however large the warehouse grows."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
from test_load import DAY, article, crawl_row, make_run

from newsmill.warehouse import connect, load_run
from newsmill.warehouse.connection import ROW_GROUP_ROWS


def _stored(db: Path) -> list[tuple]:
    """Where each column segment of `articles` lies in the file, by row group."""
    with connect(db, read_only=True) as con:
        return con.execute(
            "SELECT row_group_id, column_id, segment_id, block_id, block_offset, count "
            "FROM pragma_storage_info('articles') ORDER BY ALL").fetchall()


def _older_warehouse(db: Path, articles: int) -> None:
    """A warehouse whose articles fill one row group past `ROW_GROUP_ROWS`, as DuckDB's default
    row groups (122,880 rows) leave a file an older newsmill loaded day by day."""
    with connect(db):
        pass  # the schema
    with duckdb.connect(str(db)) as con:
        con.execute(
            "INSERT INTO articles (url, source, pub_date, title, text, word_count) "
            "SELECT 'http://old/' || i, 'town', ?, 'Old ' || i, repeat('earlier words ', 40) || i, 81 "
            "FROM range(?) r(i)", [date(2026, 10, 1), articles])
        con.execute("CHECKPOINT")


def test_a_load_appends_its_articles_and_leaves_the_stored_ones_where_they_are(tmp_path: Path) -> None:
    db = tmp_path / "news.duckdb"
    _older_warehouse(db, ROW_GROUP_ROWS + 100)
    before = _stored(db)
    assert {row[0] for row in before} == {0}

    result = load_run(db, make_run(tmp_path / "run", [article("http://t/a", "a fresh story"),
                                                      article("http://t/b", "another one")],
                                   [crawl_row("http://t/a"), crawl_row("http://t/b")]))

    after = _stored(db)
    assert result.inserted == 2
    assert [row for row in after if row[0] == 0] == before  # not rewritten by the load's checkpoint
    assert {row[0] for row in after} == {0, 1}
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM articles WHERE pub_date = ?", [DAY]).fetchone()[0] == 2
