"""Scrapy's downloader with its per-site concurrency limit actually enforced.

Scrapy 2.19 on the asyncio reactor: ``Downloader._process_queue`` pops queued requests while
``slot.free_transfer_slots() > 0`` and schedules each download as an asyncio task, but a request
only counts as transferring once its task first runs. With ``DOWNLOAD_DELAY = 0`` one pass therefore
starts every queued request of a site at once, whatever ``CONCURRENT_REQUESTS_PER_DOMAIN`` says.
With a delay the burst guard hides it. Counting the request as transferring when its coroutine is created closes the gap.
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from scrapy import Request
from scrapy.core.downloader import Downloader, Slot
from twisted.internet.defer import Deferred


class SlotLimitedDownloader(Downloader):
    def _wait_for_download(
        self, slot: Slot, request: Request, queue_dfd: Deferred[Any]
    ) -> Coroutine[Any, Any, None]:
        slot.transferring.add(request)  # released by Downloader._download when it finishes
        return super()._wait_for_download(slot, request, queue_dfd)
