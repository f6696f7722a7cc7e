"""The DAG's shards (`newsmill.shards`): the default size rule and the grouping."""

from __future__ import annotations

import pytest

from newsmill.config import ConfigError
from newsmill.shards import MAX_SHARD, plan, shard_size


@pytest.mark.parametrize(("sources", "slots", "size"), [
    (3, 4, 1),      # the demo: one task per source, as before shards
    (16, 4, 1),     # up to 4 shards per slot of one source each
    (17, 4, 2),
    (200, 4, 13),
    (1000, 16, 16),
    (1000, 4, MAX_SHARD),  # capped: a retry never redoes more than MAX_SHARD sources
    (0, 4, 1),
])
def test_the_default_size_gives_each_slot_about_four_shards(sources: int, slots: int, size: int) -> None:
    assert shard_size(sources, slots) == size


def test_a_plan_keeps_the_order_and_every_source_once(monkeypatch: pytest.MonkeyPatch) -> None:
    names = [f"s{i}" for i in range(7)]
    assert plan(names, size=3) == [["s0", "s1", "s2"], ["s3", "s4", "s5"], ["s6"]]
    monkeypatch.setenv("NEWSMILL_SHARD_SIZE", "4")
    assert plan(names) == [["s0", "s1", "s2", "s3"], ["s4", "s5", "s6"]]
    monkeypatch.delenv("NEWSMILL_SHARD_SIZE")
    monkeypatch.setenv("NEWSMILL_CRAWL_SLOTS", "1")  # 7 sources / (1 slot x 4) -> 2 per shard
    assert plan(names) == [["s0", "s1"], ["s2", "s3"], ["s4", "s5"], ["s6"]]
    assert plan(names, slots=2) == [[name] for name in names]


def test_a_bad_shard_size_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSMILL_SHARD_SIZE", "0")
    with pytest.raises(ConfigError, match="NEWSMILL_SHARD_SIZE='0': expected a whole number from 1"):
        plan(["a"])
