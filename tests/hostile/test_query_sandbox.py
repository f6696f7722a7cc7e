"""`newsmill query` is read-only: SQL typed by the user reads the warehouse (tables, views) and
nothing else; `newsmill search` answers from the index folder beside it, under the same sandbox. A warehouse crawled over loopback by the real CLI; every statement that
would write a file, read another one, attach a database, install an extension or undo the sandbox
is refused with one line (exit 2) and leaves no trace on disk."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import duckdb
import pytest

from bench.cli_harness import crawled, newsmill
from bench.hostile_site import steady_routes
from newsmill.demo.server import SiteServer


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A config whose warehouse holds six crawled articles about the harbour."""
    work = tmp_path_factory.mktemp("sandbox")
    with SiteServer() as server:
        return crawled(server, steady_routes(server.url, n=6, delay=0), work)


def assert_refused(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "read-only" in lines[0] and "newsmill shell" in lines[0]
    assert result.stdout == ""


def test_copy_to_a_file_is_refused_and_writes_nothing(warehouse: Path, tmp_path: Path) -> None:
    target = tmp_path / "x.csv"
    assert_refused(newsmill(warehouse, "query", f"COPY (SELECT 1) TO '{target}'"))
    assert_refused(newsmill(warehouse, "query", f"COPY (SELECT url FROM articles) TO '{target}'"))
    assert not target.exists()


def test_attach_is_refused_and_creates_nothing(warehouse: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.duckdb"
    with duckdb.connect(str(other)) as con:
        con.execute("CREATE TABLE secrets AS SELECT 'hunter2' AS password")
    assert_refused(newsmill(warehouse, "query", f"ATTACH '{other}' AS other (READ_ONLY)"))
    fresh = tmp_path / "fresh.duckdb"
    assert_refused(newsmill(warehouse, "query", f"ATTACH '{fresh}' AS fresh"))
    assert not fresh.exists()


@pytest.mark.parametrize("sql", [
    # reading other files or the network
    "SELECT * FROM read_text('/etc/hostname')",
    "SELECT * FROM read_csv('/etc/passwd', sep = ':')",
    "SELECT * FROM glob('/etc/*')",
    "SELECT * FROM read_parquet('http://127.0.0.1:9/x.parquet')",
    # changing extensions and settings
    "INSTALL httpfs",
    "SET enable_external_access = true",
    "RESET enable_external_access",
    "SET lock_configuration = false",
], ids=["read_text", "read_csv", "glob", "network", "install", "set-access", "reset-access", "unlock"])
def test_reading_other_files_or_the_network_or_changing_settings_is_refused(warehouse: Path, sql: str) -> None:
    assert_refused(newsmill(warehouse, "query", sql))


def test_tables_views_and_search_work_inside_the_sandbox(warehouse: Path) -> None:
    sql = """
        SELECT current_setting('enable_external_access') AS external_access,
               current_setting('lock_configuration') AS locked,
               (SELECT count(*) FROM articles) AS articles,
               (SELECT sum(articles) FROM articles_per_day) AS per_day
    """
    result = newsmill(warehouse, "query", "--format", "json", sql)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"external_access": False, "locked": True, "articles": 6,
                                         "per_day": 6}
    found = newsmill(warehouse, "search", "harbour", "--format", "json")
    assert found.returncode == 0, found.stderr
    scores = [json.loads(line)["score"] for line in found.stdout.splitlines()]
    assert len(scores) == 6 and min(scores) > 0
