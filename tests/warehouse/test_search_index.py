"""The search index kept up to date load by load equals one built from scratch over the same rows."""

from datetime import date
from pathlib import Path

from test_load import article, make_run

from newsmill.warehouse import connect, load_run
from newsmill.warehouse.search import rebuild_index, search

TEXTS = [
    "The harbour flood defences were raised after the storm; the council paid for new walls.",
    "Ferry crossings resumed on Tuesday. Passengers queued at the harbour for the first boat.",
    "Élections municipales : les résultats du premier tour sont tombés dans la soirée.",
    "Der Gemeinderat beschloss den Bau einer neuen Brücke über den Fluss.",
    "Council budget: libraries stay open, swimming pool hours are cut, parking fees rise.",
    "",
]


def index_tables(con) -> dict:
    """The index's content independent of document ids (which differ between the two ways)."""
    s = "fts_main_articles"
    return {
        "docs": con.execute(f"SELECT name, len FROM {s}.docs ORDER BY name").fetchall(),
        "dict": con.execute(f"SELECT term, df FROM {s}.dict ORDER BY term").fetchall(),
        "terms": con.execute(
            f"SELECT d.name, t.fieldid, w.term, count(*) FROM {s}.terms t "
            f"JOIN {s}.docs d USING (docid) JOIN {s}.dict w USING (termid) GROUP BY ALL ORDER BY ALL"
        ).fetchall(),
        "stats": con.execute(f"SELECT num_docs, round(avgdl, 9) FROM {s}.stats").fetchall(),
        "scores": [
            con.execute(
                f"SELECT url, round({s}.match_bm25(url, ?), 9) AS score FROM articles "
                "WHERE score IS NOT NULL ORDER BY url", [q]
            ).fetchall()
            for q in ("harbour", "council flood", "résultats", "brücke", "parking walls")
        ],
    }


def test_incremental_index_equals_a_full_rebuild(tmp_path: Path) -> None:
    db = tmp_path / "news.duckdb"
    load_run(db, make_run(tmp_path / "r1", [article(f"http://t/{i}", t) for i, t in enumerate(TEXTS[:3])], []))
    load_run(db, make_run(tmp_path / "r2", [article(f"http://t/{i}", t) for i, t in enumerate(TEXTS[3:], 3)], []))
    # a re-fetch changes one text (its old terms must go) and brings one more
    changed = [article("http://t/1", "Ferry strike: no crossings today, the harbour is quiet."),
               article("http://t/9", "Flood warnings for the river valley tonight.", date(2026, 11, 19))]
    load_run(db, make_run(tmp_path / "r3", changed, []))
    # a second change of the same article: its terms of both earlier texts must be gone
    load_run(db, make_run(tmp_path / "r4", [article("http://t/1", "Library reopens after the repairs.")], []))

    with connect(db) as con:
        kept = index_tables(con)
        assert {name for name, _ in kept["docs"]} == {f"http://t/{i}" for i in range(len(TEXTS))} | {"http://t/9"}
        con.execute("CHECKPOINT")
        rebuild_index(con)  # from scratch
        assert index_tables(con) == kept


def test_search_sees_every_load(tmp_path: Path) -> None:
    db = tmp_path / "news.duckdb"
    load_run(db, make_run(tmp_path / "r1", [article("http://t/a", TEXTS[0])], []))
    load_run(db, make_run(tmp_path / "r2", [article("http://t/b", TEXTS[1])], []))
    with connect(db, read_only=True) as con:
        assert sorted(h.url for h in search(con, "harbour")) == ["http://t/a", "http://t/b"]
        assert [h.url for h in search(con, "ferry")] == ["http://t/b"]
