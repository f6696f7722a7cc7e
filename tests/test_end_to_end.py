"""End to end: the real CLI crawls the demo sites over HTTP on loopback into a real DuckDB file."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from bench.cli_harness import NEWSMILL
from newsmill.demo import expected_inserts, serve_demo, write_demo_config
from newsmill.demo.sites import DemoServers
from newsmill.warehouse import connect

FIRST, LAST = date(2026, 11, 18), date(2026, 11, 20)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DemoServers, Path, Path]]:
    work = tmp_path_factory.mktemp("e2e")
    with serve_demo([0, 0, 0]) as servers:
        config = write_demo_config(work / "sources.toml", servers, data_dir=work / "data")
        yield servers, config, work / "data" / "news.duckdb"


def newsmill(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([NEWSMILL, "--config", str(config), *args], capture_output=True, text=True,
                          timeout=300)


def snapshot(db: Path) -> dict[str, list[tuple]]:
    with connect(db, read_only=True) as con:
        return {
            "articles": con.execute("SELECT url, source, pub_date, title, text FROM articles ORDER BY url").fetchall(),
            "removed": con.execute("SELECT url, position, reason FROM removed_segments ORDER BY ALL").fetchall(),
        }


def test_backfill_loads_exactly_the_days_articles_and_rerun_changes_nothing(demo) -> None:
    servers, config, db = demo
    result = newsmill(config, "backfill", "--from", FIRST.isoformat(), "--to", LAST.isoformat(), "-q")
    assert result.returncode == 0, result.stderr

    with connect(db, read_only=True) as con:
        loaded = set(con.execute("SELECT source, url, pub_date FROM articles").fetchall())
        failures = con.execute("SELECT count(*) FROM crawl_log WHERE outcome = 'failed'").fetchone()[0]
    expected = {(source, url, day)
                for day in (FIRST, date(2026, 11, 19), LAST)
                for source, url, _ in servers.expected_articles(day)}
    assert loaded == expected
    assert failures == 0

    before = snapshot(db)
    again = newsmill(config, "backfill", "--from", FIRST.isoformat(), "--to", LAST.isoformat(), "-q")
    assert again.returncode == 0, again.stderr
    assert snapshot(db) == before  # nothing refetched, nothing duplicated

    refetched = newsmill(config, "run", "--date", LAST.isoformat(), "--refetch", "-q")
    assert refetched.returncode == 0, refetched.stderr
    assert snapshot(db) == before  # the day replaced by the same rows


def test_the_foreign_language_insert_is_removed_and_kept_for_audit(demo) -> None:
    servers, config, db = demo
    foreign = [i for i in expected_inserts() if i.kind == "foreign" and FIRST <= i.day <= LAST]
    assert foreign, "the demo places a foreign-language insert in the backfilled days"
    base = dict(zip(["gazette", "rundschau", "marcador"], servers.base_urls, strict=True))
    with connect(db, read_only=True) as con:
        for insert in foreign:
            url = insert.url(base[insert.source])
            text = con.execute("SELECT text FROM articles WHERE url = ?", [url]).fetchone()[0]
            assert insert.after in text  # the genuine paragraph before it stays
            removed = con.execute(
                "SELECT text, reason FROM removed_segments WHERE url = ? ORDER BY position", [url]
            ).fetchall()
            for paragraph in insert.paragraphs:
                assert paragraph not in text
                assert (paragraph, "foreign_language") in removed


def test_query_search_and_export_read_the_loaded_file(demo, tmp_path: Path) -> None:
    servers, config, db = demo
    result = newsmill(config, "query", "--format", "json", "SELECT source, count(*) AS n FROM articles GROUP BY 1 ORDER BY 1")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["source"] for r in rows] == ["gazette", "marcador", "rundschau"]

    with connect(db, read_only=True) as con:
        url, title = con.execute(
            "SELECT url, title FROM articles WHERE source = 'gazette' ORDER BY url LIMIT 1").fetchone()
    found = newsmill(config, "search", title, "--limit", "3")
    assert found.returncode == 0, found.stderr
    assert url in found.stdout.split("\n2.")[0]  # the article whose title was searched ranks first

    out = tmp_path / "export"
    exported = newsmill(config, "export", "--from", FIRST.isoformat(), "--to", LAST.isoformat(),
                        "--format", "parquet", "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    assert sorted(p.name for p in out.iterdir()) == [f"pub_date={d}" for d in ("2026-11-18", "2026-11-19", "2026-11-20")]
    with connect(db, read_only=True) as con:
        same = con.execute(
            f"SELECT count(*) FROM (SELECT url, title, text, pub_date FROM articles "
            f"EXCEPT SELECT url, title, text, pub_date FROM read_parquet('{out}/*/*.parquet', hive_partitioning = true))"
        ).fetchone()[0]
        total = con.execute(f"SELECT count(*) FROM read_parquet('{out}/*/*.parquet')").fetchone()[0]
    assert same == 0 and total == len(snapshot(db)["articles"])


def test_bad_input_is_one_clear_line_and_changes_nothing(demo, tmp_path: Path) -> None:
    servers, config, db = demo
    before = snapshot(db)
    backwards = newsmill(config, "backfill", "--from", "2026-11-20", "--to", "2026-11-18")
    assert backwards.returncode == 2 and "--from 2026-11-20 is after --to 2026-11-18" in backwards.stderr
    unknown = newsmill(config, "run", "--date", "2026-11-20", "--source", "nope")
    assert unknown.returncode == 2 and "unknown source 'nope'" in unknown.stderr
    not_a_date = newsmill(config, "run", "--date", "yesterday")
    assert not_a_date.returncode == 2 and "'yesterday' is not a date" in not_a_date.stderr
    assert "Traceback" not in backwards.stderr + unknown.stderr + not_a_date.stderr
    assert snapshot(db) == before


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def test_report_renders_offline_in_headless_chromium(demo, tmp_path: Path) -> None:
    servers, config, db = demo
    report = tmp_path / "report.html"
    made = newsmill(config, "report", "--from", FIRST.isoformat(), "--to", LAST.isoformat(), "--out", str(report))
    assert made.returncode == 0, made.stderr
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is installed by ./run test"
    base = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([*base, "--dump-dom", report.as_uri()], capture_output=True, text=True, timeout=60)
    assert dom.returncode == 0, dom.stderr
    bars = re.findall(r"<title>(\w+) (2026-11-\d\d): (\d+)</title>", dom.stdout)
    with connect(db, read_only=True) as con:
        expected = {(s, str(d), str(n)) for s, d, n in con.execute(
            "SELECT source, pub_date, count(*) FROM articles GROUP BY ALL").fetchall()}
    assert set(bars) == expected  # one bar segment per source and day, with its count
    assert "foreign_language" in dom.stdout and "No failures." in dom.stdout
    png = tmp_path / "report.png"
    shot = subprocess.run([*base, "--window-size=1000,1200", f"--screenshot={png}", report.as_uri()],
                          capture_output=True, text=True, timeout=60)
    assert shot.returncode == 0 and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_warehouse_opens_in_the_duckdb_cli_from_pypi_and_joins_search_hits(demo, tmp_path: Path) -> None:
    servers, config, db = demo
    found = newsmill(config, "search", "ferry", "--limit", "1000", "--format", "csv")
    assert found.returncode == 0, found.stderr
    hits = tmp_path / "hits.csv"
    hits.write_text(found.stdout, encoding="utf-8")
    cli = str(Path(sys.executable).with_name("duckdb"))  # duckdb-cli 1.5.6, the dev dependency
    sql = ("SELECT count(*) FROM articles; "
           f"SELECT count(*), count(a.url), min(h.score) > 0 FROM read_csv('{hits}') h LEFT JOIN articles a USING (url);")
    result = subprocess.run([cli, "-readonly", "-csv", "-noheader", str(db), "-c", sql],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    total, hit_rows = result.stdout.split()
    matches, joined, positive = hit_rows.split(",")
    assert int(total) == len(snapshot(db)["articles"]) and 0 < int(matches) < int(total)
    assert joined == matches and positive == "true"  # every hit is an article of the file


def test_every_genuine_paragraph_of_the_demo_is_kept(demo) -> None:
    servers, config, db = demo
    with connect(db, read_only=True) as con:
        loaded = dict(con.execute("SELECT url, text FROM articles").fetchall())
    for site, base in zip(servers.demo.sites, servers.base_urls, strict=True):
        day = FIRST
        while day <= LAST:
            for article in site.on(day):
                kept = loaded[article.url(base)].split("\n\n")
                lost = [p for p in article.paragraphs if p not in kept]
                assert not lost, f"{article.url(base)}: genuine paragraphs removed: {lost}"
            day += timedelta(days=1)
