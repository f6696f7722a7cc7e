"""The search index folder beside the warehouse (real Tantivy, real DuckDB, small warehouses): kept up
to date load by load it answers as one built from scratch; every way it can disagree with the
warehouse (deleted, damaged, another version, another warehouse's, a load killed between the two
commits) is found at the next search or load and repaired to the answers of a clean build."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from test_load import DAY, article, make_run

from newsmill import layout
from newsmill.warehouse import connect, load_run
from newsmill.warehouse import index as index_module
from newsmill.warehouse.index import SearchIndex
from newsmill.warehouse.search import search

NEWSMILL = str(Path(sys.executable).with_name("newsmill"))
TEXTS = [
    "The harbour flood defences were raised after the storm; the council paid for new walls.",
    "Ferry crossings resumed on Tuesday. Passengers queued at the harbour for the first boat.",
    "Élections municipales : les résultats du premier tour sont tombés dans la soirée.",
    "Der Gemeinderat beschloss den Bau einer neuen Brücke über den Fluss.",
    "Council budget: libraries stay open, swimming pool hours are cut, parking fees rise.",
    "",
]
QUERIES = ["harbour", "council flood", "résultats", "brücke", "parking walls", "ferry storm harbour"]
FILTERS = [{}, {"first": DAY}, {"last": date(2026, 11, 19)}, {"language": "fr"}, {"sources": ["port"]},
           {"first": DAY, "last": DAY, "language": "en", "sources": ["town", "port"]}]


def _article(url: str, text: str, day: date = DAY, source: str = "town", language: str = "en") -> dict:
    return {**article(url, text, day), "source": source, "language": language}


def _first_runs(tmp_path: Path) -> list[Path]:
    """Two runs of six articles in three languages, two sources and two days."""
    languages = ["en", "en", "fr", "de", "en", "en"]
    rows = [_article(f"http://t/{i}", text, DAY if i % 2 else date(2026, 11, 19), "port" if i in (1, 4) else "town",
                     languages[i]) for i, text in enumerate(TEXTS)]
    return [make_run(tmp_path / "r1", rows[:3], []), make_run(tmp_path / "r2", rows[3:], [])]


def _refetches(tmp_path: Path) -> list[Path]:
    """A refetch that changes one text (its old words must go) and brings one more article; a
    second change of the same article."""
    return [make_run(tmp_path / "r3", [_article("http://t/1", "Ferry strike: no crossings today, the harbour is quiet.",
                                                source="port"),
                                       _article("http://t/9", "Flood warnings for the river valley tonight.",
                                                date(2026, 11, 19))], []),
            make_run(tmp_path / "r4", [_article("http://t/1", "Library reopens after the repairs; council harbour.",
                                                source="port")], [])]


def answers(db: Path) -> list[list[tuple[str, float]]]:
    """Every query under every filter: (url, score) best first."""
    return [[(h.url, round(h.score, 4)) for h in search(db, q, **f)] for q in QUERIES for f in FILTERS]


def urls_only(found: list[list[tuple[str, float]]]) -> list[list[str]]:
    return [[url for url, _ in hits] for hits in found]


@pytest.fixture
def loaded(tmp_path: Path) -> tuple[Path, list[list[tuple[str, float]]]]:
    """A warehouse after four loads, and the answers of an index built from scratch over it."""
    db = tmp_path / "w" / "news.duckdb"
    for run in [*_first_runs(tmp_path), *_refetches(tmp_path)]:
        load_run(db, run)
    clean = tmp_path / "clean" / "news.duckdb"
    clean.parent.mkdir()
    shutil.copyfile(db, clean)  # no index folder: the first search builds it from `articles`
    return db, answers(clean)


def test_incrementally_kept_index_answers_as_a_full_rebuild(loaded, capfd) -> None:
    db, clean = loaded
    capfd.readouterr()
    kept = answers(db)
    assert capfd.readouterr().err == ""  # current: nothing to repair
    # the same hits in the same order; not the same scores: a replaced article's old document
    # counts in BM25's statistics until Tantivy merges its segment away (in seven articles, a lot)
    assert urls_only(kept) == urls_only(clean)
    assert {url for url, _ in kept[0]} == {"http://t/0", "http://t/1"}  # "harbour"
    assert [h.url for h in search(db, "crossings")] == []  # t/1's earlier texts are gone
    assert [h.url for h in search(db, "reopens repairs")] == ["http://t/1"]
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM search_pending").fetchone()[0] == 0  # the loads cleared them


def test_loads_that_only_add_articles_score_as_a_full_rebuild(tmp_path: Path) -> None:
    db = tmp_path / "w" / "news.duckdb"
    for run in _first_runs(tmp_path):
        load_run(db, run)
    clean = tmp_path / "clean" / "news.duckdb"
    clean.parent.mkdir()
    shutil.copyfile(db, clean)
    assert answers(db) == answers(clean)  # two segments score as one: the statistics are the index's


def test_search_sees_every_load(tmp_path: Path) -> None:
    db = tmp_path / "news.duckdb"
    load_run(db, make_run(tmp_path / "r1", [article("http://t/a", TEXTS[0])], []))
    load_run(db, make_run(tmp_path / "r2", [article("http://t/b", TEXTS[1])], []))
    assert sorted(h.url for h in search(db, "harbour")) == ["http://t/a", "http://t/b"]
    assert [h.url for h in search(db, "ferry")] == ["http://t/b"]
    assert (layout.search_index_dir(db) / "tantivy").is_dir()


def test_filters_are_applied_by_the_engine(loaded) -> None:
    db, _ = loaded

    def found(terms: str, **filters: object) -> set[str]:
        return {h.url for h in search(db, terms, **filters)}

    every = {"http://t/0", "http://t/1", "http://t/4", "http://t/9"}
    assert found("council harbour flood parking") == every
    assert found("council harbour flood parking", first=DAY) == {"http://t/1"}
    assert found("council harbour flood parking", last=date(2026, 11, 19)) == every - {"http://t/1"}
    assert found("council harbour flood parking", sources=["port"]) == {"http://t/1", "http://t/4"}
    assert found("council harbour flood parking", sources=["port", "town"]) == every
    assert found("résultats", language="fr") == {"http://t/2"}
    assert found("résultats", language="en") == set()
    assert found("council harbour flood parking", first=DAY, last=DAY, language="en",
                 sources=["town"]) == set()
    assert len(search(db, "council harbour flood parking", limit=2)) == 2
    hit = search(db, "brücke")[0]
    assert (hit.url, hit.pub_date, hit.source, hit.language) == ("http://t/3", DAY, "town", "de")
    assert "Brücke" in hit.snippet and hit.title == "T http://t/3"


@pytest.mark.parametrize(("typed", "as_words"), [
    ("title:harbour", "title harbour"),
    ('"harbour', "harbour"),
    ("(ferry OR council)", "ferry council"),
    ("harbour AND -council", "harbour council"),
    ("harb*", "harb"),
    ("body:council^9 url:x", "body council url x"),
    ("*", ""),
    ("AND", ""),
    (")(:\"'", ""),
])
def test_query_syntax_is_only_words(loaded, typed: str, as_words: str) -> None:
    db, _ = loaded
    def ranked(terms: str) -> list[tuple[str, float]]:
        return [(h.url, h.score) for h in search(db, terms)]

    assert ranked(typed) == ranked(as_words)
    assert (ranked(typed) == []) == (as_words in ("", "harb"))


# ---------------------------------------------------------------- the index disagrees with the warehouse

def _engine_files(db: Path) -> list[Path]:
    return sorted((layout.search_index_dir(db) / "tantivy").iterdir(), key=lambda p: -p.stat().st_size)


def _damage_deleted(db: Path) -> None:
    shutil.rmtree(layout.search_index_dir(db))


def _damage_truncated(db: Path) -> None:
    biggest = next(p for p in _engine_files(db) if p.suffix not in (".json", ".lock"))
    biggest.write_bytes(biggest.read_bytes()[: biggest.stat().st_size // 2])


def _damage_overwritten(db: Path) -> None:
    """Same size, bytes changed where Tantivy reads first: found by Tantivy itself."""
    for path in _engine_files(db):
        if path.suffix in (".term", ".idx"):
            data = bytearray(path.read_bytes())
            for i in range(len(data) // 4, len(data) // 2):
                data[i] ^= 0xFF
            path.write_bytes(bytes(data))


def _damage_version(db: Path) -> None:
    state = layout.search_index_dir(db) / "state.json"
    state.write_text(json.dumps({**json.loads(state.read_text()), "version": "0ld"}))


def _damage_state(db: Path) -> None:
    (layout.search_index_dir(db) / "state.json").write_text("{not json")


@pytest.mark.parametrize(("damage", "said"), [
    (_damage_deleted, "it is missing"),
    (_damage_truncated, "bytes where"),
    (_damage_overwritten, "Tantivy cannot read it"),
    (_damage_version, "made by another version"),
    (_damage_state, "holds no finished build"),
], ids=["deleted", "truncated", "overwritten", "version", "state"])
@pytest.mark.parametrize("checked", [False, True], ids=["unchecked", "checked-against-the-file"])
def test_a_damaged_index_is_rebuilt_by_the_next_search(loaded, capfd, monkeypatch, damage, said: str,
                                                       checked: bool) -> None:
    db, clean = loaded
    if checked:  # the folder was found current with the file as it is: a search would trust it alone
        _settled_at_once(monkeypatch)
        _mark_checked_in_child(db)
    damage(db)
    capfd.readouterr()
    assert urls_only(answers(db)) == urls_only(clean)
    err = capfd.readouterr().err
    assert said in err and "building it from the warehouse's 7 articles" in err
    assert err.count("building it") == 1  # once: the next searches find it current
    assert answers(db) == clean  # a rebuilt index is a clean build: the same scores too


def test_a_damaged_index_is_rebuilt_by_the_next_load(loaded, tmp_path: Path, capfd) -> None:
    db, _ = loaded
    _damage_truncated(db)
    load_run(db, make_run(tmp_path / "r5", [_article("http://t/10", "A harbour crane collapsed.")], []))
    assert "building it from the warehouse's 8 articles" in capfd.readouterr().err
    assert "http://t/10" in {h.url for h in search(db, "harbour")}
    assert "building" not in capfd.readouterr().err


def test_an_index_of_another_warehouse_is_rebuilt(loaded, tmp_path: Path, capfd) -> None:
    db, clean = loaded
    other = tmp_path / "other" / "news.duckdb"
    load_run(other, make_run(tmp_path / "o1", [_article("http://o/1", "Harbour harbour harbour news.")], []))
    shutil.rmtree(layout.search_index_dir(db))
    shutil.copytree(layout.search_index_dir(other), layout.search_index_dir(db))
    capfd.readouterr()
    assert answers(db) == clean
    assert "made for another warehouse" in capfd.readouterr().err


def test_bytes_changed_anywhere_are_found_by_index_check(loaded, capfd) -> None:
    db, clean = loaded
    fast = next(p for p in _engine_files(db) if p.suffix == ".store")
    data = bytearray(fast.read_bytes())
    data[len(data) // 2] ^= 0x01  # a single bit: no size, no header changes
    fast.write_bytes(bytes(data))
    check = subprocess.run([NEWSMILL, "--db", str(db), "index", "check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    assert "does not match the checksum" in check.stderr and "rebuilt" in check.stderr
    again = subprocess.run([NEWSMILL, "--db", str(db), "index", "check"], capture_output=True, text=True)
    assert "current, 7 articles, every file as written" in again.stderr
    assert answers(db) == clean


def test_index_rebuild_rebuilds_whatever_the_index_holds(loaded) -> None:
    db, clean = loaded
    before = SearchIndex(db).state()
    result = subprocess.run([NEWSMILL, "--db", str(db), "index", "rebuild"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "asked for by `newsmill index rebuild`" in result.stderr and ": 7 articles" in result.stderr
    after = SearchIndex(db).state()
    assert after.generation == before.generation and after.files != before.files
    assert answers(db) == clean


# ---------------------------------------------------------------- answered from the folder alone

def _settled_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """In this process, a DuckDB file counts as settled as soon as it is written (no waiting out
    `SETTLED_SECONDS` before a reader may mark the folder checked against it)."""
    monkeypatch.setattr(index_module, "SETTLED_SECONDS", 0.0)


MARK_CHECKED_IN_CHILD = """
import sys
from pathlib import Path
from newsmill.warehouse import index
from newsmill.warehouse.search import search
index.SETTLED_SECONDS = 0.0
search(Path(sys.argv[1]), "harbour")
assert index.SearchIndex(Path(sys.argv[1])).trusted() is not None
"""


def _mark_checked_in_child(db: Path) -> None:
    """A search that marks the folder checked against the file, in a process of its own: Tantivy
    may still read the files this process mapped for a moment after the index object is gone, and
    a file then cut short in place (as the damage tests do) kills the process with SIGBUS."""
    subprocess.run([sys.executable, "-c", MARK_CHECKED_IN_CHILD, str(db)], check=True, timeout=60)


SEARCH_IN_CHILD = """
import sys
from pathlib import Path
from newsmill.warehouse.search import search
hits = search(Path(sys.argv[1]), sys.argv[2])
print(" ".join(hit.url for hit in hits), "duckdb" in sys.modules)
"""


def test_a_settled_warehouse_is_searched_from_the_folder_alone(loaded) -> None:
    db, clean = loaded
    child = [sys.executable, "-c", SEARCH_IN_CHILD, str(db), "reopens repairs"]
    assert subprocess.run(child, capture_output=True, text=True, check=True).stdout.split() == \
        ["http://t/1", "True"]  # the file was written just now: the folder is checked against it
    time.sleep(index_module.SETTLED_SECONDS + 0.1)
    assert urls_only(answers(db)) == urls_only(clean)  # checks the folder against the settled file, marks it
    assert subprocess.run(child, capture_output=True, text=True, check=True).stdout.split() == \
        ["http://t/1", "False"]  # no DuckDB imported: the stored fields gave the hit


def test_a_warehouse_changed_behind_the_folder_is_checked_again(loaded, capfd, monkeypatch) -> None:
    db, _ = loaded
    _settled_at_once(monkeypatch)
    assert "http://t/4" in {hit.url for hit in search(db, "parking")}  # marks the folder checked
    assert SearchIndex(db).trusted() is not None
    with connect(db) as con:  # a change that is not a load's: the folder is not told
        con.execute("DELETE FROM articles WHERE url = 'http://t/4'")
    assert SearchIndex(db).trusted() is None  # the file is not the one the folder was checked against
    capfd.readouterr()
    assert "http://t/4" not in {hit.url for hit in search(db, "parking")}
    assert "it holds 7 documents for 6 articles" in capfd.readouterr().err
    assert SearchIndex(db).trusted() is not None


# ---------------------------------------------------------------- a load killed between the two commits

# A load in a child process, held at one point after DuckDB's commit (the index not updated yet, or
# updated but its state not recorded): the test kills it there with SIGKILL.
HELD_LOAD = """
import sys, time
from pathlib import Path
from newsmill.warehouse import load, index
marker, where = Path(sys.argv[3]), sys.argv[4]
owner, name = (load, "sync_index") if where == "before-index" else (index.SearchIndex, "record")
real = getattr(owner, name)
def held(*args, **kwargs):
    marker.touch()
    time.sleep(120)
setattr(owner, name, held)
load.load_run(Path(sys.argv[1]), Path(sys.argv[2]))
"""


def _killed_load(db: Path, run: Path, where: str, marker: Path) -> None:
    child = subprocess.Popen([sys.executable, "-c", HELD_LOAD, str(db), str(run), str(marker), where])
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert child.poll() is None, "the load ended before the moment to kill it"
            assert time.monotonic() < deadline
            time.sleep(0.01)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()


@pytest.mark.parametrize("where", ["before-index", "before-state"])
@pytest.mark.parametrize("repaired_by", ["search", "load"])
def test_a_load_killed_between_the_commits_is_caught_up(tmp_path: Path, capfd, where: str,
                                                        repaired_by: str) -> None:
    runs = [*_first_runs(tmp_path), *_refetches(tmp_path)]
    reference = tmp_path / "reference" / "news.duckdb"
    for run in runs:
        load_run(reference, run)
    db = tmp_path / "w" / "news.duckdb"
    for run in runs[:-1]:
        load_run(db, run)
    _killed_load(db, runs[-1], where, tmp_path / "held")
    with connect(db, read_only=True) as con:  # the warehouse has the load; the index's record not
        generation = int(con.execute("SELECT value FROM newsmill_meta WHERE key = 'search_generation'").fetchone()[0])
        assert con.execute("SELECT count(*) FROM search_pending WHERE generation = ?", [generation]).fetchone()[0] == 1
    assert SearchIndex(db).state().generation == generation - 1
    capfd.readouterr()
    if repaired_by == "load":  # the same run loaded again: recorded already, so only the index is done
        load_run(db, runs[-1])
    assert answers(db) == answers(reference)
    err = capfd.readouterr().err
    assert ("applying its 1 changed articles" in err) == (repaired_by == "search")
    assert "building" not in err
    assert SearchIndex(db).state().generation == generation


def test_pending_changes_no_longer_recorded_mean_a_rebuild(loaded, capfd) -> None:
    db, clean = loaded
    state_path = layout.search_index_dir(db) / "state.json"
    state = json.loads(state_path.read_text())
    state_path.write_text(json.dumps({**state, "generation": state["generation"] - 1}))
    capfd.readouterr()
    assert answers(db) == clean
    assert "changes since are no longer recorded" in capfd.readouterr().err


# ---------------------------------------------------------------- concurrency and migration

def test_two_searches_at_once_both_answer_while_one_rebuilds(loaded) -> None:
    db, _ = loaded
    shutil.rmtree(layout.search_index_dir(db))
    argv = [NEWSMILL, "--db", str(db), "search", "council harbour flood parking", "--format", "json"]
    children = [subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [child.communicate(timeout=120) for child in children]
    assert [child.returncode for child in children] == [0, 0], outputs
    assert outputs[0][0] == outputs[1][0] and len(outputs[0][0].splitlines()) == 4
    assert sum("building it" in err for _, err in outputs) == 1  # the other found it rebuilt


def test_a_search_waits_for_the_writer_of_the_index_and_says_so(loaded) -> None:
    db, _ = loaded
    shutil.rmtree(layout.search_index_dir(db))
    store = SearchIndex(db)
    with store.writing(say=print):
        child = subprocess.Popen([NEWSMILL, "--db", str(db), "search", "harbour", "--format", "csv"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1.5)
        assert child.poll() is None  # waiting for the lock this test holds
    out, err = child.communicate(timeout=60)
    assert child.returncode == 0, err
    assert f"is being written by PID {os.getpid()}" in err and "waiting up to" in err
    assert out.splitlines()[0] == "url,score,title,pub_date,source,language" and len(out.splitlines()) == 3
