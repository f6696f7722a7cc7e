"""Loading a run: one transaction, upsert by URL, re-loading changes nothing, refetch replaces."""

import json
import subprocess
import sys
import time
from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newsmill import layout
from newsmill.runfiles import ARTICLES_SCHEMA
from newsmill.warehouse import WarehouseError, connect, duplicates, load_run
from newsmill.warehouse.load import IncompleteRun
from transforms.fingerprint import fingerprint

DAY = date(2026, 11, 20)


def article(url: str, text: str, day: date = DAY) -> dict:
    return {
        "url": url, "source": "town", "pub_date": day, "listed_date": day, "date_source": "page",
        "title": "T " + url, "authors": ["A. Writer"], "description": None, "site_name": "Town",
        "language": "en", "tags": [], "text": text, "word_count": len(text.split()),
        "content_hash": str(hash(text)), "fetched_at": datetime(2026, 11, 20, 8, tzinfo=UTC),
        "warc_file": "x.warc.gz", "warc_offset": 0, "duplicate_of": None,
        "fingerprint": fingerprint(text),
    }


def make_run(run_dir: Path, articles: list[dict], crawl: list[dict], attempt: str = "1") -> Path:
    """A run directory as the pipeline leaves it for the load, for attempt `attempt` at the run."""
    run_dir.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(articles, schema=ARTICLES_SCHEMA), run_dir / layout.ARTICLES)
    removed = pa.table({"url": [articles[0]["url"]], "position": pa.array([3], pa.int32()),
                        "text": ["Read more: elsewhere"], "reason": ["teaser"], "score": [1.0]})
    pq.write_table(removed, run_dir / layout.REMOVED)
    (run_dir / layout.CRAWL_LOG).write_text("".join(json.dumps(r) + "\n" for r in crawl))
    (run_dir / layout.CRAWL_DONE).write_text("{}")  # the crawl finished: load_run refuses runs that did not
    info = {"run_id": run_dir.name, "attempt_id": f"{run_dir.name}@{attempt}", "first": DAY.isoformat(),
            "last": DAY.isoformat(), "sources": ["town"], "started_at": datetime.now(UTC).isoformat(),
            "crawl_seconds": 1.0, "extract_seconds": 2.0}
    (run_dir / layout.RUN_INFO).write_text(json.dumps(info))
    return run_dir


def crawl_row(url: str, outcome: str = "fetched") -> dict:
    return {"source": "town", "url": url, "kind": "article", "listed_date": DAY.isoformat(),
            "outcome": outcome, "status": 200 if outcome == "fetched" else 500,
            "error": None if outcome == "fetched" else "HTTP 500", "fetched_at": "2026-11-20T08:00:00+00:00"}


def counts(db: Path) -> tuple:
    with connect(db, read_only=True) as con:
        return tuple(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                     for t in ("articles", "removed_segments", "crawl_log", "runs"))


def test_loading_twice_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "news.duckdb"
    run = make_run(tmp_path / "run", [article("http://t/a", "one two"), article("http://t/b", "three")],
                   [crawl_row("http://t/a"), crawl_row("http://t/b"), crawl_row("http://t/c", "failed")])
    first = load_run(db, run)
    assert (first.articles, first.failures, first.pages_fetched) == (2, 1, 2)
    before = counts(db)
    load_run(db, run)
    assert counts(db) == before == (2, 1, 3, 1)


def test_upsert_keeps_other_articles_and_refetch_erases_nothing(tmp_path: Path) -> None:
    db = tmp_path / "news.duckdb"
    load_run(db, make_run(tmp_path / "r1", [article("http://t/a", "old"), article("http://t/b", "b")], []))
    load_run(db, make_run(tmp_path / "r2", [article("http://t/a", "new text")], []))
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT url, text FROM articles ORDER BY url").fetchall() == [
            ("http://t/a", "new text"), ("http://t/b", "b")]
    # a refetch that finds `a` again but not `b` (no longer listed, or its fetch failed)
    load_run(db, make_run(tmp_path / "r3", [article("http://t/a", "again")],
                          [crawl_row("http://t/a"), crawl_row("http://t/b", outcome="failed")]))
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT url, text FROM articles ORDER BY url").fetchall() == [
            ("http://t/a", "again"), ("http://t/b", "b")]
        assert con.execute("SELECT count(*) FROM removed_segments").fetchone()[0] == 1  # a's, replaced, not doubled
        # written with its article's row: a refetch deletes the old segments through this
        assert con.execute("SELECT count(*) FROM removed_segments JOIN articles a USING (url) "
                           "WHERE removed_segments.loaded_at = a.loaded_at").fetchone()[0] == 1


def test_failed_load_leaves_nothing_half_written(tmp_path: Path) -> None:
    db = tmp_path / "news.duckdb"
    load_run(db, make_run(tmp_path / "r1", [article("http://t/a", "kept")], [crawl_row("http://t/a")]))
    before = counts(db)
    bad = make_run(tmp_path / "r2", [article("http://t/a", "x"), article("http://t/a", "dup")], [])
    with pytest.raises(duckdb.Error):
        load_run(db, bad)  # the same URL twice in one batch violates the key: all or nothing
    assert counts(db) == before


def test_a_crawl_log_with_a_torn_line_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "news.duckdb"
    load_run(db, make_run(tmp_path / "r1", [article("http://t/a", "kept")], [crawl_row("http://t/a")]))
    before = counts(db)
    run = make_run(tmp_path / "r2", [article("http://t/b", "b")], [crawl_row("http://t/b")])
    with (run / layout.CRAWL_LOG).open("a") as log:
        log.write('{"source": "town", "url": "http://t/c", "ki\n' + json.dumps(crawl_row("http://t/d")) + "\n")
    with pytest.raises(IncompleteRun, match="crawl.jsonl, line 2"):
        load_run(db, run)  # its crawl_log rows would not be the crawl's
    assert counts(db) == before


def test_a_writer_waits_for_a_held_lock_and_names_the_holder(tmp_path: Path) -> None:
    db = tmp_path / "news.duckdb"
    with connect(db):
        pass
    holder = subprocess.Popen([sys.executable, "-c", (
        "import duckdb, time, sys; c = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(2)"
    ), str(db)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    messages: list[str] = []
    started = time.monotonic()
    with connect(db, timeout=30, say=messages.append) as con:
        assert con.execute("SELECT 1").fetchone() == (1,)
    holder.wait()
    assert time.monotonic() - started > 0.5
    assert messages and f"PID {holder.pid}" in messages[0]


def test_lock_timeout_is_a_clear_error(tmp_path: Path) -> None:
    db = tmp_path / "news.duckdb"
    with connect(db):
        pass
    holder = subprocess.Popen([sys.executable, "-c", (
        "import duckdb, time, sys; c = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(5)"
    ), str(db)], stdout=subprocess.PIPE, text=True)
    try:
        holder.stdout.readline()
        with pytest.raises(WarehouseError, match=r"still locked by PID \d+ .* after 1 s"):
            with connect(db, timeout=1, say=lambda m: None):
                pass
    finally:
        holder.kill()
        holder.wait()


STORY = (" ".join(f"The harbour board met on day {i} and agreed to dredge berth {i} before the winter storms arrived in force."
                  for i in range(12)))


def test_near_duplicates_across_runs_point_at_the_earliest(tmp_path: Path) -> None:
    db = tmp_path / "news.duckdb"
    wire = article("http://wire/harbour", STORY, date(2026, 11, 19))
    load_run(db, make_run(tmp_path / "r1", [wire, article("http://t/other", "A different story about a school play.")], []))
    copy = article("http://t/harbour-copy", "Updated: " + STORY.replace("winter", "autumn", 1) + " More to follow.")
    unrelated = article("http://t/market", " ".join(f"Stall {i} at the farmers market sold apples and pears." for i in range(30)))
    load_run(db, make_run(tmp_path / "r2", [copy, unrelated], []))
    with connect(db, read_only=True) as con:
        marks = dict(con.execute("SELECT url, duplicate_of FROM articles").fetchall())
        clusters = con.execute("SELECT original, copies FROM duplicate_clusters").fetchall()
    assert marks == {"http://wire/harbour": None, "http://t/other": None,
                     "http://t/harbour-copy": "http://wire/harbour", "http://t/market": None}
    assert clusters == [("http://wire/harbour", 1)]


@pytest.mark.parametrize("exact", [False, True], ids=["edited copies", "exact copies"])
def test_a_cluster_larger_than_the_holders_a_shingle_is_matched_against_points_at_its_earliest(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exact: bool) -> None:
    """Each shingle is compared with its MAX_HOLDERS earliest holders only (2 here): 12 copies over
    two runs, and an unrelated story sharing a sentence with them, cluster as a full comparison would."""
    monkeypatch.setattr(duplicates, "MAX_HOLDERS", 2)
    db = tmp_path / "news.duckdb"

    def copy(i: int, day: date) -> dict:
        text = STORY if exact else f"Report {i}: {STORY}"
        row = article(f"http://s{i:02}/harbour", text, day)
        return {**row, "fetched_at": datetime(2026, 11, 20, 8, i, tzinfo=UTC)}

    aside = article("http://t/aside", STORY.split(". ")[0] + ". " + " ".join(
        f"Stall {i} at the farmers market sold apples and pears." for i in range(30)))
    load_run(db, make_run(tmp_path / "r1", [copy(i, date(2026, 11, 19)) for i in range(5)], []))
    load_run(db, make_run(tmp_path / "r2", [copy(i, DAY) for i in range(5, 12)] + [aside], []))
    with connect(db, read_only=True) as con:
        marks = dict(con.execute("SELECT url, duplicate_of FROM articles").fetchall())
        clusters = con.execute("SELECT original, copies FROM duplicate_clusters").fetchall()
    assert marks.pop("http://t/aside") is None
    assert marks == {f"http://s{i:02}/harbour": None if i == 0 else "http://s00/harbour" for i in range(12)}
    assert clusters == [("http://s00/harbour", 11)]


def test_every_attempt_is_kept_and_the_latest_state_is_a_view(tmp_path: Path) -> None:
    """A re-run of a day adds its own rows: the first fetch stays on record next to the skips."""
    db = tmp_path / "news.duckdb"
    run = tmp_path / "2026-11-20_2026-11-20_town"
    make_run(run, [article("http://t/a", "one two")],
             [crawl_row("http://t/a"), crawl_row("http://t/c", "failed")], attempt="first")
    load_run(db, run)
    make_run(run, [article("http://t/c", "three")],  # the re-run: a is loaded, c now answers
             [crawl_row("http://t/a", "skipped"), crawl_row("http://t/c")], attempt="second")
    second = load_run(db, run)
    with connect(db, read_only=True) as con:
        kept = con.execute("SELECT url, outcome FROM crawl_log ORDER BY ALL").fetchall()
        assert con.execute("SELECT count(*) FROM runs").fetchone()[0] == 2
    assert kept == [("http://t/a", "fetched"), ("http://t/a", "skipped"), ("http://t/c", "failed"),
                    ("http://t/c", "fetched")]  # the first attempt's fetch and failure stay on record
    assert (second.attempt_id, second.articles, second.skipped, second.failures) == (f"{run.name}@second", 1, 1, 0)
    with connect(db, read_only=True) as con:
        runs = con.execute("SELECT run_id, attempt_id, pages_fetched, articles_loaded, failures, skipped "
                           "FROM runs ORDER BY started_at").fetchall()
        log = con.execute("SELECT attempt_id, url, outcome FROM crawl_log ORDER BY ALL").fetchall()
        latest = con.execute("SELECT url, outcome, attempt_id FROM crawl_latest ORDER BY url").fetchall()
        failing = con.execute("SELECT count(*) FROM crawl_failures").fetchone()[0]
        written_by = con.execute("SELECT url, attempt_id FROM articles ORDER BY url").fetchall()
    first_id, second_id = f"{run.name}@first", f"{run.name}@second"
    assert runs == [(run.name, first_id, 1, 1, 1, 0), (run.name, second_id, 1, 1, 0, 1)]
    assert log == [(first_id, "http://t/a", "fetched"), (first_id, "http://t/c", "failed"),
                   (second_id, "http://t/a", "skipped"), (second_id, "http://t/c", "fetched")]
    assert latest == [("http://t/a", "fetched", first_id), ("http://t/c", "fetched", second_id)]
    assert failing == 0  # c failed once, then loaded: no failure now
    assert written_by == [("http://t/a", first_id), ("http://t/c", second_id)]


def test_loading_an_attempt_again_records_it_once_and_reports_what_it_did(tmp_path: Path) -> None:
    """A scheduler retrying a load that committed, then died before saying so."""
    db = tmp_path / "news.duckdb"
    run = make_run(tmp_path / "run", [article("http://t/a", "one"), article("http://t/b", "two")],
                   [crawl_row("http://t/a"), crawl_row("http://t/b")])
    first = load_run(db, run)
    before = counts(db)
    again = load_run(db, run)
    assert counts(db) == before == (2, 1, 2, 1)
    assert (again.attempt_id, again.inserted, again.changed) == (first.attempt_id, 2, 2)
    assert {**asdict(again), "seconds": 0} == {**asdict(first), "seconds": 0}


def test_the_load_counts_inserted_and_updated_articles(tmp_path: Path) -> None:
    db = tmp_path / "news.duckdb"
    first = load_run(db, make_run(tmp_path / "r1", [article("http://t/a", "same"), article("http://t/b", "old"),
                                                    article("http://t/gone", "was there")], []))
    assert (first.articles, first.inserted, first.updated) == (3, 3, 0)
    with connect(db, read_only=True) as con:
        loaded_a = con.execute("SELECT loaded_at, attempt_id FROM articles WHERE url = 'http://t/a'").fetchone()
    refetched = [article("http://t/a", "same"), article("http://t/b", "new"), article("http://t/c", "fresh")]
    second = load_run(db, make_run(tmp_path / "r1", refetched, [], attempt="2"))
    assert (second.articles, second.inserted, second.updated) == (3, 1, 1)
    assert second.changed == 2
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT url, text FROM articles ORDER BY url").fetchall() == [
            ("http://t/a", "same"), ("http://t/b", "new"), ("http://t/c", "fresh"), ("http://t/gone", "was there")]
        # the unchanged article keeps its row: loaded by the first attempt, not rewritten
        assert con.execute("SELECT loaded_at, attempt_id FROM articles WHERE url = 'http://t/a'"
                           ).fetchone() == loaded_a
        assert con.execute("SELECT articles_inserted, articles_updated FROM runs "
                           "ORDER BY started_at").fetchall() == [(3, 0), (1, 1)]
        assert con.execute("SELECT count(*) FROM removed_segments").fetchone()[0] == 1
    same = load_run(db, make_run(tmp_path / "r1", refetched, [], attempt="3"))
    assert (same.articles, same.changed) == (3, 0)  # fetched again, nothing new for readers
    retitled = [{**refetched[0], "title": "A new headline"}, *refetched[1:]]
    assert load_run(db, make_run(tmp_path / "r1", retitled, [], attempt="4")).updated == 1
