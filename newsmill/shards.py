"""How many sources one `collect` task of `newsmill_daily` crawls, and which.

One task per source is right for dozens of sources; for thousands it is thousands of Scrapy start-ups
and task instances a day. A shard is several sources crawled by one Scrapy process (per-host
politeness holds inside it: delays and concurrency are per host), extracted and loaded together.

The default size (`shard_size`) gives every crawl slot about `ROUNDS` shards a day, so a slow shard
at the end leaves the other slots idle only briefly and a failed shard's retry redoes a small part
of the day, and caps a shard at `MAX_SHARD` sources, so one crawl's failure or retry stays bounded
whatever the number of sources. A source that fails inside a shard (host down, every page an
error) costs the others nothing: its rows say so, the check flags it, the shard's other articles
load. Only the crawl process dying fails the whole shard, and its retry crawls it again.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from newsmill.config import CRAWL_SLOTS, SHARD_SIZE

ROUNDS = 4
MAX_SHARD = 50


def shard_size(sources: int, slots: int) -> int:
    """Sources per shard for `sources` sources and `slots` collect tasks at once: about `ROUNDS`
    shards per slot, at least 1 and at most `MAX_SHARD` sources each."""
    return max(1, min(MAX_SHARD, math.ceil(sources / (slots * ROUNDS))))


def plan(names: Sequence[str], size: int | None = None, slots: int | None = None) -> list[list[str]]:
    """The sources in shards of `size` (default: `NEWSMILL_SHARD_SIZE`, else `shard_size` for
    `slots`, default `NEWSMILL_CRAWL_SLOTS`), in the order given, so a day's shards are the same
    on every try and their run ids (which name the sources) are too."""
    if size is None:
        size = SHARD_SIZE.value() or shard_size(len(names), slots or CRAWL_SLOTS.value())
    return [list(names[i:i + size]) for i in range(0, len(names), size)]
