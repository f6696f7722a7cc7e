"""Config validation: every mistake names the file, the source and the field."""

import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from newsmill.config import (
    AIRFLOW_API,
    AIRFLOW_PORT,
    CATCHUP,
    CRAWL_LOG_LEVEL,
    DEFAULT_CONFIG,
    END_DATE,
    ENVIRONMENT,
    EXTRACT_WORKERS,
    LOCK_TIMEOUT,
    MAX_ACTIVE_RUNS,
    START_DATE,
    ConfigError,
    EnvVar,
    load_config,
    packaged_config,
)

GOOD = """
[settings]
data_dir = "d"

[[sources]]
name = "town-news"
domains = ["127.0.0.1:8000"]
language = "en"
feeds = ["http://127.0.0.1:8000/feed.xml"]
archives = ["http://127.0.0.1:8000/{date:%Y/%m/%d}/"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text)
    return path


def test_good_config_loads(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    source = config.source("town-news")
    assert config.settings.database == Path("d/news.duckdb")
    assert source.archive_urls(date(2026, 11, 2)) == ["http://127.0.0.1:8000/2026/11/02/"]
    assert source.owns("http://127.0.0.1:8000/a.html")
    assert not source.owns("http://127.0.0.1:8001/a.html")


def test_packaged_default_config_is_valid() -> None:
    config = load_config(packaged_config(DEFAULT_CONFIG))
    assert len(config.sources) >= 5


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (('language = "en"', 'language = "English"'), "source 'town-news': language"),
        (('feeds = ["http://127.0.0.1:8000/feed.xml"]', 'feeds = ["ftp://x/feed"]'), "source 'town-news': feeds"),
        (('{date:%Y/%m/%d}', '{day}'), "source 'town-news': archives"),
        (('name = "town-news"', 'name = "Town News"'), "sources[0]: name"),
        (('data_dir = "d"', 'data_dir = 3'), "settings.data_dir"),
        (('language = "en"', 'language = "en"\ncolour = "red"'), "unknown field(s) ['colour']"),
        (('domains = ["127.0.0.1:8000"]', 'domains = []'), "source 'town-news': domains"),
    ],
)
def test_bad_config_names_file_source_and_field(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(path) in str(error.value)
    assert expected in str(error.value)


def test_invalid_toml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config(write(tmp_path, "[[sources]\n"))
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")


def test_unknown_source_lists_known_ones(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    with pytest.raises(ConfigError, match="unknown source 'nope' .known: town-news"):
        config.select(["nope"])


# --- environment variables ----------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
TABLE_START = "<!-- generated from newsmill.config.ENVIRONMENT; tests/test_config.py checks it -->\n"
TABLE_END = "<!-- end of the generated table -->\n"
NAME = re.compile(r"\bNEWSMILL_[A-Z][A-Z0-9_]*")
# Production code reads the environment through newsmill.config only (building a child's
# environment from os.environ is not reading a setting).
READS = re.compile(r"environ\.get\(|getenv\(|environ\[")


def _table() -> str:
    rows = "".join(f"| `{v.name}` | {v.meaning} | {v.shown_default} |\n" for v in ENVIRONMENT)
    return f"{TABLE_START}| variable | sets | default |\n|---|---|---|\n{rows}{TABLE_END}"


def _tracked(*suffixes: str) -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    return [ROOT / name for name in listed.decode().split("\0") if name.endswith(suffixes)]


def test_the_docs_list_every_variable_as_the_registry_says() -> None:
    doc = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    start, end = doc.find(TABLE_START), doc.find(TABLE_END)
    assert start >= 0 and end > start, "docs/configuration.md has lost the environment table's markers"
    assert doc[start:end + len(TABLE_END)] == _table(), f"replace docs/configuration.md's table with:\n{_table()}"


def test_every_variable_named_anywhere_is_in_the_registry() -> None:
    known = {v.name for v in ENVIRONMENT}
    assert len(known) == len(ENVIRONMENT)
    unknown = {f"{path.relative_to(ROOT)}: {name}"
               for path in _tracked(".py", ".md", ".toml", ".sh", ".yml", ".yaml", ".cfg", "run")
               for name in NAME.findall(path.read_text(encoding="utf-8", errors="replace"))
               if name not in known}
    assert unknown == set(), "add these to newsmill.config.ENVIRONMENT (and docs/configuration.md's table)"


def test_only_the_config_reads_the_environment() -> None:
    readers = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
               for folder in ("newsmill", "spiders", "transforms", "dags")
               for path in sorted((ROOT / folder).rglob("*.py")) if path != ROOT / "newsmill" / "config.py"
               for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
               if READS.search(line)]
    assert readers == []


def test_documented_defaults_are_the_defaults() -> None:
    for variable in ENVIRONMENT:
        if variable.default is not None:
            assert variable.parse(variable.shown_default.strip("`")) == variable.default, variable.name


def test_unset_or_empty_gives_the_default_and_a_value_is_parsed() -> None:
    assert LOCK_TIMEOUT.value({}) == 300.0
    assert LOCK_TIMEOUT.value({"NEWSMILL_LOCK_TIMEOUT": ""}) == 300.0
    assert LOCK_TIMEOUT.value({"NEWSMILL_LOCK_TIMEOUT": "2.5"}) == 2.5
    assert CATCHUP.value({"NEWSMILL_CATCHUP": "Yes"}) is True
    assert CATCHUP.value({"NEWSMILL_CATCHUP": "off"}) is False
    assert CRAWL_LOG_LEVEL.value({"NEWSMILL_CRAWL_LOG_LEVEL": "debug"}) == "DEBUG"
    assert END_DATE.value({"NEWSMILL_END_DATE": "2026-11-20"}) == date(2026, 11, 20)
    assert EXTRACT_WORKERS.value({}) is None


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        (LOCK_TIMEOUT, "abc", "environment variable NEWSMILL_LOCK_TIMEOUT='abc': expected a number of seconds"),
        (LOCK_TIMEOUT, "-1", "NEWSMILL_LOCK_TIMEOUT='-1'"),
        (LOCK_TIMEOUT, "nan", "NEWSMILL_LOCK_TIMEOUT='nan'"),
        (MAX_ACTIVE_RUNS, "0", "NEWSMILL_MAX_ACTIVE_RUNS='0': expected a whole number from 1"),
        (AIRFLOW_PORT, "70000", "NEWSMILL_AIRFLOW_PORT='70000': expected a port from 1 to 65535"),
        (CATCHUP, "maybe", "NEWSMILL_CATCHUP='maybe': expected true or false"),
        (START_DATE, "2026-13-01", "NEWSMILL_START_DATE='2026-13-01': expected a date YYYY-MM-DD"),
        (CRAWL_LOG_LEVEL, "LOUD", "NEWSMILL_CRAWL_LOG_LEVEL='LOUD': expected one of DEBUG"),
        (AIRFLOW_API, "localhost:8080", "NEWSMILL_AIRFLOW_API='localhost:8080': expected an http(s) URL"),
    ],
)
def test_a_bad_value_is_an_error_naming_the_variable_and_value(variable: EnvVar, value: str, expected: str) -> None:
    with pytest.raises(ConfigError) as error:
        variable.value({variable.name: value})
    assert expected in str(error.value)


def test_the_cli_reports_a_bad_variable_in_one_line(tmp_path: Path) -> None:
    from newsmill.warehouse import connect

    with connect(tmp_path / "news.duckdb", timeout=0):
        pass
    env = {**os.environ, "NEWSMILL_LOCK_TIMEOUT": "abc", "NEWSMILL_DB": str(tmp_path / "news.duckdb")}
    done = subprocess.run([sys.executable, "-c", "from newsmill.cli import entry; entry()", "query", "SELECT 1"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        "newsmill: error: environment variable NEWSMILL_LOCK_TIMEOUT='abc': expected a number of seconds, 0 or more"]
