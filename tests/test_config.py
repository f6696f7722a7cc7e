"""Config validation: every mistake names the file, the source and the field."""

from datetime import date
from pathlib import Path

import pytest

from newsmill.config import DEFAULT_CONFIG, ConfigError, load_config, packaged_config

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
