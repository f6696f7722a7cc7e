"""The real CLI against the hostile site and a calm second source: every fault ends as a readable
crawl_log row, the run goes on, the calm source is untouched, nothing is lost or duplicated."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.cli_harness import NEWSMILL
from bench.hostile_site import (
    CALM,
    CHINESE,
    CYRILLIC,
    DAY,
    FAULTS,
    JAPANESE,
    LATIN1,
    LISTING_FAULTS,
    SECRET,
    HostileSites,
)
from newsmill.warehouse import connect


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[HostileSites, Path, str]]:
    work = tmp_path_factory.mktemp("hostile")
    with HostileSites() as sites:
        config = sites.write_config(work / "sources.toml", work / "data")
        result = subprocess.run([NEWSMILL, "--config", str(config), "run", "--date", DAY, "-q"],
                                capture_output=True, text=True, timeout=120,
                                env={**os.environ, "COLUMNS": "200"})
        assert result.returncode == 0, result.stderr
        yield sites, work / "data" / "news.duckdb", result.stderr


def _log(db: Path, base: str) -> dict[str, list[tuple]]:
    with connect(db, read_only=True) as con:
        rows = con.execute("SELECT url, kind, outcome, status, error FROM crawl_log WHERE source = 'hostile'"
                           ).fetchall()
    by_path: dict[str, list[tuple]] = {}
    for url, kind, outcome, status, error in rows:
        by_path.setdefault(url.removeprefix(base), []).append((kind, outcome, status, error))
    return by_path


def _articles(db: Path) -> dict[str, tuple]:
    with connect(db, read_only=True) as con:
        rows = con.execute("SELECT url, source, pub_date, date_source, title, text FROM articles").fetchall()
    return {url: rest for url, *rest in rows}


def test_the_run_goes_on_and_says_nothing_unhandled(hostile) -> None:
    _, _, stderr = hostile
    assert "Traceback" not in stderr and "Error" not in stderr.replace("error", "")


@pytest.mark.parametrize("fault", FAULTS + LISTING_FAULTS, ids=lambda f: f"{f.name}:{f.paths[0]}")
def test_every_fault_ends_as_expected(hostile, fault) -> None:
    sites, db, _ = hostile
    base = sites.hostile.url
    log, articles = _log(db, base), _articles(db)
    for path in fault.paths:
        rows = log.get(path, [])
        fetch_rows = [r for r in rows if r[1] != "extract_failed"]
        if fault.outcome == "not_listed":
            assert not rows and sites.hits[path] == 0, (path, rows)
            continue
        assert len(fetch_rows) == 1, (path, rows)  # one row per URL tried, never two
        kind, outcome, status, error = fetch_rows[0]
        if fault.outcome in ("loaded", "retried"):
            assert outcome == "fetched" and status == 200, (path, rows)
            assert base + path in articles, path
            if fault.outcome == "retried":
                assert sites.hits[path] == 2
        elif fault.outcome == "extract_failed":
            assert outcome == "fetched" and base + path not in articles
            errors = [r[3] for r in rows if r[1] == "extract_failed"]
            assert len(errors) == 1 and fault.error in errors[0], (path, errors)
        else:
            assert outcome == fault.outcome, (path, rows)
            if fault.error:
                assert error and fault.error in error, (path, error)
            if outcome in ("failed", "skipped"):
                assert error and len(error) < 300 and "Traceback" not in error
                assert base + path not in articles


def test_retries_are_bounded(hostile) -> None:
    sites, _, _ = hostile
    assert sites.hits["/a/busy-503"] == 2 and sites.hits["/a/limited-429"] == 2  # retries = 1
    assert sites.hits["/a/gone-404"] == 1 and sites.hits["/a/error-500"] == 2


def test_the_calm_source_is_untouched(hostile) -> None:
    sites, db, _ = hostile
    with connect(db, read_only=True) as con:
        calm = con.execute("SELECT url FROM articles WHERE source = 'calm'").fetchall()
        run = con.execute("SELECT pages_fetched, articles_loaded, failures FROM runs WHERE source = 'calm'"
                          ).fetchone()
    assert {u for (u,) in calm} == {f"{sites.calm.url}/news/{p}" for p in CALM}
    assert run == (3, 2, 0)


def test_runs_table_and_summary_count_the_failures(hostile) -> None:
    _, db, stderr = hostile
    with connect(db, read_only=True) as con:
        logged = con.execute("SELECT count(*) FILTER (WHERE outcome IN ('failed', 'extract_failed')), "
                             "count(*) FILTER (WHERE outcome = 'skipped') FROM crawl_log").fetchone()
        counted = con.execute("SELECT sum(failures), sum(skipped) FROM runs").fetchone()
        in_view = con.execute("SELECT sum(urls) FROM crawl_failures").fetchone()[0]
    assert logged == counted and logged[0] > 20
    assert in_view == logged[0]
    summary = next(line for line in stderr.splitlines() if "2026-11-20_2026-11-20_all" in line)
    cells = [cell.strip() for cell in summary.split("│") if cell.strip()]
    assert (int(cells[4]), int(cells[5])) == logged  # failed, skipped


def test_nothing_is_duplicated(hostile) -> None:
    sites, db, _ = hostile
    with connect(db, read_only=True) as con:
        per_url = con.execute("SELECT url, count(*) FROM crawl_log WHERE outcome <> 'extract_failed' "
                              "GROUP BY url HAVING count(*) > 1").fetchall()
        texts = con.execute("SELECT count(*), count(DISTINCT text) FROM articles WHERE source = 'hostile' "
                            "AND title NOT IN ('Budget', '预算', '予算', 'Бюджет')").fetchone()
        tracked = con.execute("SELECT count(*) FROM crawl_log WHERE url LIKE '%utm_%' OR url LIKE '%fbclid%'"
                              ).fetchone()[0]
    assert per_url == [] and tracked == 0
    assert texts[0] == texts[1]  # the on-site redirect did not store good-2 a second time
    assert sites.hits["/a/good-1"] == 1 and sites.hits["/a/good-2"] == 2  # once itself, once redirected


def test_wrong_and_missing_charsets_are_decoded(hostile) -> None:
    sites, db, _ = hostile
    articles = _articles(db)
    for path, words in (("/a/cp1251", CYRILLIC), ("/a/gbk", CHINESE), ("/a/shift-jis", JAPANESE),
                        ("/a/latin1-as-utf8", LATIN1)):
        assert words in articles[sites.hostile.url + path][4], path


def test_a_deeply_nested_article_keeps_its_paragraphs(hostile) -> None:
    sites, db, _ = hostile
    paragraphs = _articles(db)[sites.hostile.url + "/a/deeply-nested"][4].split("\n\n")
    assert len(paragraphs) == 6 and all(p.startswith("Deeply nested: the ") for p in paragraphs)


def test_entities_are_never_expanded_and_robots_is_obeyed(hostile) -> None:
    sites, db, _ = hostile
    with connect(db, read_only=True) as con:
        leaked = con.execute("SELECT count(*) FROM articles WHERE contains(text, ?) OR contains(title, ?)",
                             [SECRET, SECRET]).fetchone()[0]
        longest = con.execute("SELECT max(length(url)) FROM crawl_log").fetchone()[0]
    assert leaked == 0 and longest < 200
    assert sites.hits["/private/members-only"] == 0


def test_dates_outside_reason_fall_back_to_the_listing(hostile) -> None:
    sites, db, _ = hostile
    articles = _articles(db)
    for path in ("/a/page-says-future", "/a/dated-words", "/a/dated-nonsense"):
        _, pub_date, date_source, _, _ = articles[sites.hostile.url + path]
        assert (pub_date.isoformat(), date_source) == (DAY, "listing"), path
