"""Fixtures of the crawl tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from crawlsite import RecordingSite


@pytest.fixture
def site() -> Iterator[RecordingSite]:
    """A started RecordingSite on 127.0.0.1, stopped after the test."""
    recording = RecordingSite()
    recording.server.start()
    try:
        yield recording
    finally:
        recording.server.stop()
