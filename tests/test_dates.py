"""Days newsmill cannot collect are bad input everywhere a user types one: one line naming the
option and the supported range, exit 2, no traceback, nothing written."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import click
import pytest

from bench.cli_harness import NEWSMILL

RANGE = "is outside the days newsmill supports, 1990-01-01 to 2199-12-31"

CASES = {
    # name: (arguments after `newsmill --config C --data-dir D`, the option the line names, the day)
    "run --date": (["run", "--date", "9999-12-31"], "--date", "9999-12-31"),
    "backfill --from": (["backfill", "--from", "0001-01-01", "--to", "2026-11-20"], "--from", "0001-01-01"),
    "backfill --to": (["backfill", "--from", "2026-11-01", "--to", "9999-12-31"], "--to", "9999-12-31"),
    "search --from": (["search", "ferry", "--from", "1989-12-31"], "--from", "1989-12-31"),
    "export --to": (["export", "--from", "2026-11-01", "--to", "2200-01-01"], "--to", "2200-01-01"),
    "report --from": (["report", "--from", "0001-01-01"], "--from", "0001-01-01"),
    "airflow backfill --to": (["airflow", "backfill", "--from", "2026-11-01", "--to", "9999-12-31"],
                              "--to", "9999-12-31"),
}


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() if p.is_file() else b"/"
            for p in sorted(root.rglob("*"))}


@pytest.fixture
def work(nowhere_config: Path) -> Path:
    """A folder holding sources.toml (`nowhere_config`) and no data folder yet."""
    return nowhere_config.parent


@pytest.mark.parametrize("case", CASES)
def test_cli_refuses_a_day_out_of_range(case: str, work: Path) -> None:
    args, option, day = CASES[case]
    before = _tree(work)
    done = subprocess.run([NEWSMILL, "--config", str(work / "sources.toml"), "--data-dir", str(work / "data"),
                           *args], capture_output=True, text=True, timeout=60, cwd=work)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert f"'{option}'" in lines[0] and f"{day} {RANGE}" in lines[0], lines[0]
    assert _tree(work) == before  # no data folder, no warehouse, no export, no report


@pytest.mark.parametrize("option", ["--from", "--to"])
def test_crawl_refuses_a_day_out_of_range(option: str, work: Path) -> None:
    days = {"--from": "2026-11-20", "--to": "2026-11-20", option: "0001-01-01" if option == "--from" else "9999-12-31"}
    before = _tree(work)
    done = subprocess.run([sys.executable, "-m", "spiders.crawl", "--config", str(work / "sources.toml"),
                           "--from", days["--from"], "--to", days["--to"], "--out", str(work / "run")],
                          capture_output=True, text=True, timeout=60, cwd=work)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [
        f"python -m spiders.crawl: error: argument {option}: {days[option]} {RANGE}"]
    assert _tree(work) == before


def test_the_range_includes_both_ends_and_no_more() -> None:
    from newsmill.dates import DATE, FIRST, LAST

    assert (FIRST, LAST) == (date(1990, 1, 1), date(2199, 12, 31))
    assert DATE.convert("1990-01-01", None, None) == FIRST
    assert DATE.convert("2199-12-31", None, None) == LAST
    for outside in ("1989-12-31", "2200-01-01"):
        with pytest.raises(click.BadParameter, match=RANGE):
            DATE.convert(outside, None, None)
    with pytest.raises(click.BadParameter, match="'2026-02-30' is not a date; use YYYY-MM-DD"):
        DATE.convert("2026-02-30", None, None)
