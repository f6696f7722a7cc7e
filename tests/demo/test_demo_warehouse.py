"""One demo warehouse: `./run demo` (`newsmill demo`), the README's commands for exploring the demo and
the demo under the local Airflow all use data/demo/news.duckdb, and the README's commands run as written."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from datetime import date
from pathlib import Path

import pytest

from bench.cli_harness import NEWSMILL
from newsmill.config import DEMO_CONFIG, load_config, packaged_config
from newsmill.warehouse import connect

ROOT = Path(__file__).resolve().parents[2]


def _section(heading: str) -> str:
    """The README text under `heading`, up to the next heading."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(f"\n{heading}\n") + len(heading) + 2
    following = re.search(r"^#{1,3} ", text[start:], flags=re.MULTILINE)
    return text[start:start + following.start()] if following else text[start:]


def _blocks(heading: str) -> list[str]:
    return re.findall(r"```(?:sh|bash)\n(.*?)```", _section(heading), flags=re.DOTALL)


def _exports(block: str) -> dict[str, str]:
    """The NEWSMILL_* variables the block's `export` lines set, run by bash in the repository root."""
    exports = [line for line in block.splitlines() if line.startswith("export ")]
    assert exports, block
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSMILL_")}
    done = subprocess.run(["bash", "-c", "set -eu\n" + "\n".join(exports) + "\nenv -0"], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=True)
    pairs = (item.split("=", 1) for item in done.stdout.split("\0") if "=" in item)
    return {k: v for k, v in pairs if k.startswith("NEWSMILL_")}


def _warehouse(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Path:
    """The warehouse `newsmill` commands (and the tasks `newsmill airflow up` starts) use under `env`,
    run from the repository root."""
    for name in ("NEWSMILL_CONFIG", "NEWSMILL_DATA_DIR", "NEWSMILL_DB"):
        monkeypatch.delenv(name, raising=False)
        if name in env:
            monkeypatch.setenv(name, env[name])
    monkeypatch.chdir(ROOT)
    return load_config().settings.database.resolve()


@pytest.fixture
def demo_warehouse(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where `./run demo` loads: `newsmill demo` with the packaged demo config, nothing set."""
    monkeypatch.chdir(ROOT)
    return load_config(packaged_config(DEMO_CONFIG)).settings.database.resolve()


def test_the_demo_warehouse_is_data_demo(demo_warehouse: Path) -> None:
    assert demo_warehouse == ROOT / "data" / "demo" / "news.duckdb"


def test_exploring_the_demo_as_the_readme_says_opens_the_demo_warehouse(demo_warehouse, monkeypatch) -> None:
    [block] = _blocks("## Two commands")[1:]
    assert _warehouse(_exports(block), monkeypatch) == demo_warehouse


def test_the_demo_under_airflow_as_the_readme_says_writes_the_demo_warehouse(demo_warehouse, monkeypatch) -> None:
    block = next(b for b in _blocks("### Start and stop a local Airflow") if "export NEWSMILL_CONFIG" in b)
    env = _exports(block)
    assert Path(env["NEWSMILL_CONFIG"]).is_file(), env  # a file of the repository, not one to create first
    assert _warehouse(env, monkeypatch) == demo_warehouse
    assert "newsmill demo --serve &" in block


def test_watch_it_gives_the_command_that_shows_the_day_checks(tmp_path: Path) -> None:
    words = shlex.split("\n".join(_blocks("### Watch it")[0].splitlines()), comments=True)
    at = words.index("query")
    assert words[at - 1] == "newsmill"
    db = tmp_path / "news.duckdb"
    with connect(db) as con:
        con.execute("INSERT INTO day_checks VALUES (?, 'gazette', 3, 0, 0, true, 'ok', now())", [date(2026, 11, 20)])
    env = {**os.environ, "NEWSMILL_DB": str(db)}
    done = subprocess.run([NEWSMILL, "query", "--format", "csv", words[at + 1]], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["day,source,articles,empty_bodies,out_of_day,ok,message",
                                        "2026-11-20,gazette,3,0,0,True,ok"]
