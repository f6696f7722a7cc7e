"""The DuckLake backend against a real PostgreSQL catalog: the same rows, views and searches as the
DuckDB file for the same runs; concurrent loads all land without a duplicate URL; readers never fail
and never see part of a load."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest

from newsmill import pipeline
from newsmill.config import Config, ConfigError, DuckLake, Settings, Source, load_config
from newsmill.local_airflow import services
from newsmill.warehouse import connect, load_run
from newsmill.warehouse import sync as sync_module
from newsmill.warehouse.backend import is_conflict, retry_conflicts
from newsmill.warehouse.connection import forbid_external_access
from newsmill.warehouse.search import search
from newsmill.warehouse.sync import sync_index
from tests.warehouse.test_load import DAY, article, crawl_row, make_run

TEXT = "The harbour council voted on the new ferry timetable after a long debate about fares. " * 3
NEWSMILL = str(Path(sys.executable).with_name("newsmill"))
OTHER = "Storm warnings closed the coastal road while crews cleared fallen trees near the bridge. " * 3


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A PostgreSQL server with the `lake` database, as the local distributed stack starts it."""
    home = tmp_path_factory.mktemp("pg")
    home.chmod(0o755)
    port = _free_port()
    process = services.start_postgres(home, port)
    try:
        deadline = time.monotonic() + 60
        while not services._postgres_ready(port):
            assert process.poll() is None, (home / "logs").glob("*")
            assert time.monotonic() < deadline, "PostgreSQL did not answer within 60 s"
            time.sleep(0.2)
        services.create_databases(port)
        yield port
    finally:
        process.send_signal(signal.SIGINT)  # PostgreSQL's fast shutdown
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def lake(postgres: int, tmp_path: Path) -> DuckLake:
    """A lake of its own: a fresh catalog schema in the shared `lake` database, a fresh data folder."""
    return DuckLake(catalog=f"postgres:dbname=lake host=127.0.0.1 port={postgres} user=postgres",
                    data_path=str(tmp_path / "lake-data") + "/", local_path=tmp_path / "machine-a" / "news.ducklake",
                    metadata_schema="t_" + uuid.uuid4().hex[:12])


def _runs(root: Path) -> list[Path]:
    """Three attempts: a first load with a near-duplicate pair and a failure, a refetch that updates
    one article and adds one, and the first attempt loaded again (changes nothing)."""
    first = [article("http://t/a", TEXT), article("http://t/a-copy", TEXT), article("http://t/b", OTHER)]
    crawl = [crawl_row(a["url"]) for a in first] + [crawl_row("http://t/broken", "failed")]
    r1 = make_run(root / "r1", first, crawl)
    changed = article("http://t/b", OTHER + " Updated with the council's reply.")
    added = article("http://t/c", "A new bakery opened on the square, selling rye bread and cakes. " * 3,
                    day=date(2026, 11, 21))
    r2 = make_run(root / "r2", [changed, added], [crawl_row(changed["url"]), crawl_row(added["url"])])
    return [r1, r2, r1]


_VOLATILE = {"loaded_at", "finished_at", "load_seconds", "started_at"}
_RELATIONS = ("articles", "removed_segments", "crawl_log", "runs", "articles_per_day", "languages",
              "removed_reasons", "duplicate_clusters", "crawl_latest", "crawl_failures")


def _contents(target: Path | DuckLake) -> dict[str, list[tuple]]:
    """Every table and view, without the columns that record when, sorted."""
    with connect(target, read_only=True) as con:
        found = {}
        for name in _RELATIONS:
            columns = [c for (c,) in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
                "AND table_name = ? ORDER BY column_index", [name]).fetchall() if c not in _VOLATILE]
            found[name] = sorted(con.execute(f"SELECT {', '.join(columns)} FROM {name}").fetchall(), key=repr)
        return found


def test_same_rows_views_and_searches_as_the_duckdb_file(lake: DuckLake, tmp_path: Path) -> None:
    runs = _runs(tmp_path / "runs")
    file = tmp_path / "news.duckdb"
    file_results = [load_run(file, run) for run in runs]
    lake_results = [load_run(lake, run) for run in runs]

    assert [(r.inserted, r.updated, r.articles) for r in lake_results] == \
           [(r.inserted, r.updated, r.articles) for r in file_results] == [(3, 0, 3), (1, 1, 2), (3, 0, 3)]
    lake_rows = _contents(lake)
    assert lake_rows == _contents(file)
    assert ("http://t/a", "http://t/a-copy") in [(o, d[0]) for o, _, d in lake_rows["duplicate_clusters"]]
    for terms in ("ferry timetable", "council reply", "bakery"):
        assert [h.url for h in search(lake, terms)] == [h.url for h in search(file, terms)] != []
    assert (tmp_path / "machine-a" / "news.ducklake.search" / "state.json").exists()


def test_the_pipeline_reads_and_checks_days_through_the_lake(lake: DuckLake, tmp_path: Path) -> None:
    town = Source(name="town", language="en", domains=("t",))
    config = Config(path=tmp_path / "sources.toml", settings=Settings(data_dir=tmp_path, lake=lake), sources=(town,))
    assert list(pipeline.known_urls(config, [town])) == []  # nothing loaded yet
    for run in _runs(tmp_path / "runs"):
        load_run(lake, run)
    assert sorted(pipeline.known_urls(config, [town])) == ["http://t/a", "http://t/a-copy", "http://t/b", "http://t/c"]
    verdict = pipeline.check_day(config, DAY, ["town"])
    assert verdict["town"]["articles"] == 3 and verdict["town"]["ok"]
    pipeline.check_day(config, DAY, ["town"])  # again: the day's row is replaced, not added
    with connect(lake, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM day_checks").fetchone()[0] == 1


def test_another_machine_catches_its_own_index_up_from_the_pending_rows(lake: DuckLake, tmp_path: Path) -> None:
    runs = _runs(tmp_path / "runs")
    load_run(lake, runs[0])
    machine_b = DuckLake(lake.catalog, lake.data_path, tmp_path / "machine-b" / "news.ducklake",
                         lake.metadata_schema)
    said: list[str] = []
    assert [h.url for h in search(machine_b, "storm", say=said.append)] == ["http://t/b"]
    load_run(lake, runs[1])  # machine A's load: A's index is current, B's behind by one generation
    with connect(machine_b, read_only=True) as con:
        synced = sync_index(con, say=said.append)
        assert synced.caught_up == 2 and synced.rebuilt is None
    assert [h.url for h in search(machine_b, "bakery")] == ["http://t/c"]
    assert not [s for s in said if "building it" in s]


def test_a_conflicting_commit_is_retried_on_what_the_other_committed(lake: DuckLake, tmp_path: Path) -> None:
    load_run(lake, _runs(tmp_path / "runs")[0])
    with connect(lake) as a, connect(lake) as b:
        bump = "UPDATE newsmill_meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) WHERE key = 'search_generation'"
        a.begin()
        a.execute(bump)
        tries: list[int] = []

        def attempt() -> int:
            b.begin()
            b.execute(bump)
            if not tries:
                a.commit()  # the other writer commits while this transaction is open
            tries.append(1)
            try:
                b.commit()
            except duckdb.Error as exc:
                assert is_conflict(exc)
                raise
            return int(b.execute("SELECT value FROM newsmill_meta WHERE key = 'search_generation'").fetchone()[0])

        generation, retried = retry_conflicts(attempt, sleep=lambda _: None)
    assert (generation, retried) == (3, 1)


def test_concurrent_loads_all_land_once_while_a_reader_reads(lake: DuckLake, tmp_path: Path) -> None:
    load_run(lake, _runs(tmp_path / "first")[0])  # the schema exists before the writers race
    shared = [article(f"http://t/shared{i}", f"{TEXT} shared story {i}") for i in range(5)]
    runs = [make_run(tmp_path / "race" / f"w{w}-{n}",
                     shared + [article(f"http://t/own{w}-{n}-{i}", f"{OTHER} own {w} {n} {i}") for i in range(3)],
                     [crawl_row(a["url"]) for a in shared])
            for w in range(2) for n in range(3)]
    results: list = []
    errors: list[BaseException] = []
    seen: list[int] = []
    done = threading.Event()

    def writer(mine: list[Path]) -> None:
        try:
            results.extend(load_run(lake, run) for run in mine)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    def reader() -> None:
        with connect(lake, read_only=True) as con:
            while not done.is_set():
                try:
                    urls, distinct = con.execute("SELECT count(*), count(DISTINCT url) FROM articles").fetchone()
                    assert urls == distinct
                    seen.append(urls)
                except BaseException as exc:  # noqa: BLE001
                    errors.append(exc)
                    return

    threads = [threading.Thread(target=writer, args=(runs[w::2],)) for w in range(2)]
    watcher = threading.Thread(target=reader)
    watcher.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    done.set()
    watcher.join(timeout=60)

    assert errors == []
    assert len(results) == 6
    with connect(lake, read_only=True) as con:
        total, distinct = con.execute("SELECT count(*), count(DISTINCT url) FROM articles").fetchone()
        attempts = con.execute("SELECT count(DISTINCT attempt_id) FROM runs").fetchone()[0]
    assert total == distinct == 3 + 5 + 6 * 3
    assert attempts == 7
    # whole loads only: 3 before, then 5 shared + 3 own with the first race load, 3 more per load
    assert set(seen) <= {3} | {3 + 5 + 3 * k for k in range(1, 7)}
    assert sum(r.inserted for r in results) == 5 + 6 * 3


def test_warehouse_table_in_the_config(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(f"""[settings]
data_dir = "{tmp_path / 'data'}"

[warehouse]
backend = "ducklake"
catalog = "postgres:dbname=lake host=127.0.0.1 user=newsmill"
data_path = "s3://newsmill/lake/"
""", encoding="utf-8")
    settings = load_config(path).settings
    assert settings.warehouse == DuckLake("postgres:dbname=lake host=127.0.0.1 user=newsmill",
                                          "s3://newsmill/lake/", tmp_path / "data" / "news.ducklake")
    path.write_text('[warehouse]\nbackend = "duckdb"\n', encoding="utf-8")
    assert load_config(path).settings.warehouse == Path("data/news.duckdb")
    for body, message in (
        ('backend = "ducklake"\ndata_path = "/x/"', "warehouse.catalog: required"),
        ('backend = "ducklake"\ncatalog = "postgres:dbname=lake password=hunter2"\ndata_path = "/x/"',
         "holds a password"),
        ('backend = "sqlite"', "warehouse.backend: expected one of duckdb, ducklake"),
        ('backend = "duckdb"\ncatalog = "postgres:dbname=lake"', 'only for backend = "ducklake"'),
    ):
        path.write_text("[warehouse]\n" + body + "\n", encoding="utf-8")
        with pytest.raises(ConfigError, match=message) as raised:
            load_config(path)
        assert "hunter2" not in str(raised.value)



def test_a_lake_on_s3_holds_the_same_rows_and_keeps_keys_out_of_the_catalog(
        postgres: int, s3: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"AWS_ACCESS_KEY_ID": services.S3_KEY, "AWS_SECRET_ACCESS_KEY": "s3cr3t-value",
                        "AWS_DEFAULT_REGION": services.S3_REGION, "AWS_ENDPOINT_URL": s3}.items():
        monkeypatch.setenv(name, value)
    prefix = uuid.uuid4().hex[:12]
    lake = DuckLake(catalog=f"postgres:dbname=lake host=127.0.0.1 port={postgres} user=postgres",
                    data_path=f"s3://{services.BUCKET}/{prefix}/", local_path=tmp_path / "news.ducklake",
                    metadata_schema="s3_" + prefix)
    # more rows than DuckLake inlines in the catalog, so the articles go to Parquet files on S3
    many = [article(f"http://t/many{i}", f"{TEXT} item {i}") for i in range(15)]
    runs = [*_runs(tmp_path / "runs"), make_run(tmp_path / "runs" / "r3", many, [crawl_row(a["url"]) for a in many])]
    file = tmp_path / "news.duckdb"
    for run in runs:
        load_run(file, run)
        load_run(lake, run)
    assert _contents(lake) == _contents(file)
    with connect(lake, read_only=True) as con:
        files = con.execute("SELECT data_file FROM ducklake_list_files('lake', 'articles')").fetchall()
        assert files and all(f.startswith(f"s3://{services.BUCKET}/{prefix}/") for (f,) in files)
        forbid_external_access(con)  # as `newsmill query` runs the user's SQL
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 4 + 15
    with urllib.request.urlopen(f"{s3}/{services.BUCKET}?list-type=2&prefix={prefix}/", timeout=10) as listing:
        assert b".parquet" in listing.read()
    dump = subprocess.run([services.postgres_bin("pg_dump"), "-h", "127.0.0.1", "-p", str(postgres), "-U",
                           "postgres", "-n", lake.metadata_schema, "lake"], capture_output=True, check=True)
    assert b"s3cr3t-value" not in dump.stdout


def test_writers_opening_a_new_lake_at_once_make_its_schema_once(lake: DuckLake) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(3)

    def open_for_writing() -> None:
        start.wait()
        try:
            with connect(lake):
                pass
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=open_for_writing) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with connect(lake, read_only=True) as con:
        assert con.execute("SELECT key, count(*) FROM newsmill_meta GROUP BY key ORDER BY key").fetchall() == \
               [("schema_version", 1), ("search_generation", 1), ("warehouse_id", 1)]


def test_the_commands_read_the_lake_the_config_names(lake: DuckLake, tmp_path: Path) -> None:
    for run in _runs(tmp_path / "runs"):
        load_run(lake, run)
    config = tmp_path / "sources.toml"
    config.write_text(f"""[settings]
data_dir = "{tmp_path / 'data'}"

[warehouse]
backend = "ducklake"
catalog = "{lake.catalog}"
data_path = "{lake.data_path}"
local_path = "{tmp_path / 'cli' / 'news.ducklake'}"
metadata_schema = "{lake.metadata_schema}"
""", encoding="utf-8")

    def newsmill(*args: str, stdin: str | None = None) -> str:
        done = subprocess.run([NEWSMILL, "--config", str(config), *args], input=stdin, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert newsmill("query", "SELECT count(*) AS n FROM articles", "--format", "csv") == "n\n4\n"
    assert "http://t/c" in newsmill("search", "bakery")
    assert (tmp_path / "cli" / "news.ducklake.search" / "state.json").exists()
    newsmill("export", "--from", "2026-11-20", "--to", "2026-11-21", "--out", str(tmp_path / "export"))
    assert len(duckdb.sql(f"SELECT * FROM read_parquet('{tmp_path / 'export'}/**/*.parquet')").fetchall()) == 4
    newsmill("report", "--out", str(tmp_path / "report.html"))
    assert "T http://t/a" in (tmp_path / "report.html").read_text(encoding="utf-8")  # its duplicates
    assert "4" in newsmill("shell", stdin="SELECT count(*) FROM articles;")


def test_a_lake_keeps_the_latest_pending_generations_and_a_machine_further_behind_rebuilds(
        lake: DuckLake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sync_module, "LAKE_PENDING_GENERATIONS", 1)
    first, second, _ = _runs(tmp_path / "runs")
    load_run(lake, first)  # generation 1
    load_run(lake, second)  # generation 2: generation 1's pending rows are dropped
    with connect(lake, read_only=True) as con:
        assert con.execute("SELECT DISTINCT generation FROM search_pending").fetchall() == [(2,)]
    machine_b = DuckLake(lake.catalog, lake.data_path, tmp_path / "machine-b" / "news.ducklake",
                         lake.metadata_schema)
    said: list[str] = []
    with connect(machine_b, read_only=True) as con:
        synced = sync_index(con, say=said.append, progress=False)
        assert synced.rebuilt == "it is missing" and synced.documents == 4
    assert [h.url for h in search(machine_b, "bakery")] == ["http://t/c"]


def test_a_lake_of_schema_3_gets_the_segments_load_time_at_its_next_load(lake: DuckLake, tmp_path: Path) -> None:
    first, second, _ = _runs(tmp_path / "runs")
    load_run(lake, first)
    with connect(lake) as con:  # as newsmill before schema 4 left the lake
        con.execute("ALTER TABLE removed_segments DROP COLUMN loaded_at")
        con.execute("UPDATE newsmill_meta SET value = '3' WHERE key = 'schema_version'")
    assert load_run(lake, second).updated == 1  # http://t/b: its old segment is replaced
    with connect(lake, read_only=True) as con:
        assert con.execute("SELECT value FROM newsmill_meta WHERE key = 'schema_version'").fetchone() == ("4",)
        assert con.execute("SELECT s.url, s.loaded_at = a.loaded_at FROM removed_segments s JOIN articles a "
                           "USING (url) ORDER BY ALL").fetchall() == [("http://t/a", True), ("http://t/b", True)]
