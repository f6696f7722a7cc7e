"""A scenario this machine cannot set up is skipped, not failed."""

from __future__ import annotations

from collections.abc import Generator

import pytest

from bench.cli_harness import Unavailable


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """`bench.cli_harness` raises `Unavailable` where setpriv or a tmpfs mount is missing; it knows
    nothing of pytest, so the skip is decided here."""
    try:
        return (yield)
    except Unavailable as reason:
        pytest.skip(str(reason))
