"""Running a day again, with the real CLI against a demo site on loopback: every attempt is its own
row, the first fetch stays on record, and a refetch that finds the same articles changes none."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from bench.cli_harness import NEWSMILL
from newsmill.demo import serve_demo, write_demo_config
from newsmill.demo.sites import DemoServers
from newsmill.warehouse import connect

DAY = date(2026, 11, 19)
SOURCE = "gazette"
RUN_ID = f"{DAY}_{DAY}_{SOURCE}"


@pytest.fixture(scope="module")
def three_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DemoServers, Path, list[dict]]]:
    """The day run, run again, then run with --refetch; the run.json after each."""
    work = tmp_path_factory.mktemp("history")
    with serve_demo([0, 0, 0]) as servers:
        config = write_demo_config(work / "sources.toml", servers, data_dir=work / "data")
        attempts = []
        for extra in ([], [], ["--refetch"]):
            done = subprocess.run([NEWSMILL, "--config", str(config), "run", "--date", DAY.isoformat(),
                                   "--source", SOURCE, "-q", *extra], capture_output=True, text=True, timeout=300)
            assert done.returncode == 0, done.stderr
            attempts.append(json.loads((work / "data" / "runs" / RUN_ID / "run.json").read_text()))
        yield servers, work / "data" / "news.duckdb", attempts


def test_each_run_of_the_day_is_its_own_row(three_runs) -> None:
    servers, db, infos = three_runs
    articles = len([a for a in servers.expected_articles(DAY) if a[0] == SOURCE])
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT run_id, count(*) FROM runs GROUP BY ALL").fetchall() == [(RUN_ID, 3)]
        runs = con.execute("SELECT run_id, attempt_id, articles_loaded, articles_inserted, articles_updated, "
                           "skipped FROM runs ORDER BY started_at").fetchall()
    attempts = [info["attempt_id"] for info in infos]
    assert articles > 0 and len(set(attempts)) == 3
    assert runs == [
        (RUN_ID, attempts[0], articles, articles, 0, 0),
        (RUN_ID, attempts[1], 0, 0, 0, articles),  # everything already loaded: skipped
        (RUN_ID, attempts[2], articles, 0, 0, 0),  # fetched again, the same articles: no change
    ]


def test_the_first_fetch_stays_on_record_and_the_latest_state_is_a_view(three_runs) -> None:
    servers, db, infos = three_runs
    urls = sorted(url for source, url, _ in servers.expected_articles(DAY) if source == SOURCE)
    with connect(db, read_only=True) as con:
        outcomes = con.execute("SELECT outcome, count(*) FROM crawl_log WHERE kind = 'article' "
                               "GROUP BY ALL ORDER BY ALL").fetchall()
    assert outcomes == [("fetched", 2 * len(urls)), ("skipped", len(urls))]  # nothing replaced
    attempts = [info["attempt_id"] for info in infos]
    with connect(db, read_only=True) as con:
        per_attempt = con.execute(
            "SELECT attempt_id, outcome, list(url ORDER BY url) FROM crawl_log WHERE kind = 'article' "
            "GROUP BY ALL ORDER BY attempt_id").fetchall()
        latest = con.execute("SELECT url, outcome, attempt_id FROM crawl_latest WHERE kind = 'article' "
                             "ORDER BY url").fetchall()
        loaded = con.execute("SELECT DISTINCT attempt_id FROM articles").fetchall()
    assert per_attempt == [(attempts[0], "fetched", urls), (attempts[1], "skipped", urls),
                           (attempts[2], "fetched", urls)]
    assert latest == [(url, "fetched", attempts[2]) for url in urls]
    assert loaded == [(attempts[0],)]  # the unchanged articles were not rewritten by the refetch
