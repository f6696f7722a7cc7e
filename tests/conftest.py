"""Fixtures shared by the test folders."""

from __future__ import annotations

import time
from collections.abc import Iterator
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


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """moto's S3 server with the `newsmill` bucket, started as the local distributed stack starts
    it; yields its endpoint URL. One per test module, so modules never see each other's keys."""
    from newsmill.local_airflow import services
    from newsmill.local_airflow.supervisor import free_port

    home = tmp_path_factory.mktemp("s3")
    port = free_port()
    process = services.start_s3(home, port)
    try:
        deadline = time.monotonic() + 60
        while not services._s3_ready(port):
            assert process.poll() is None, "the S3 server exited"
            assert time.monotonic() < deadline, "the S3 server did not answer within 60 s"
            time.sleep(0.2)
        services.create_bucket(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)
