"""Fixtures shared by the test folders."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def nowhere_config(tmp_path: Path) -> Path:
    """`tmp_path`/sources.toml: data in `tmp_path`/data, and one source, "nowhere", on a port no one
    listens on (127.0.0.1:9), for the CLI to refuse bad input before it would crawl anything."""
    path = tmp_path / "sources.toml"
    path.write_text(f"""[settings]
data_dir = "{tmp_path / 'data'}"

[[sources]]
name = "nowhere"
domains = ["127.0.0.1:9"]
language = "en"
feeds = ["http://127.0.0.1:9/feed.xml"]
""", encoding="utf-8")
    return path
