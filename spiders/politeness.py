"""Honour robots.txt ``Crawl-delay``, which Scrapy parses (Protego) but never applies."""

from __future__ import annotations

from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

MAX_CRAWL_DELAY = 60.0
"""Upper bound on a Crawl-delay: one request a minute still lets a day's news through."""


class CrawlDelay:
    """Raise a site's download-slot delay to its robots.txt Crawl-delay for our user agent.

    The delay is (re)applied whenever a request reaches the downloader and after every response,
    because AutoThrottle lowers slot delays as responses come in. The slot also loses its jitter:
    Crawl-delay is a minimum, not an average.
    """

    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured
        self.crawler = crawler
        self.user_agent = crawler.settings.get("ROBOTSTXT_USER_AGENT") or crawler.settings["USER_AGENT"]
        self.delays: dict[str, float] = {}
        crawler.signals.connect(self._robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(self._enforce, signal=signals.request_reached_downloader)
        crawler.signals.connect(self._enforce, signal=signals.response_downloaded)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlDelay:
        return cls(crawler)

    def _robots_parsed(self, robotparser: Any, request: Request) -> None:
        rules = getattr(robotparser, "rp", None)  # scrapy.robotstxt.ProtegoRobotParser -> Protego
        delay = rules.crawl_delay(self.user_agent) if rules is not None else None
        if delay:
            key = self.crawler.engine.downloader.get_slot_key(request)
            self.delays[key] = min(float(delay), MAX_CRAWL_DELAY)

    def _enforce(self, request: Request, **_: Any) -> None:
        key = request.meta.get("download_slot")
        delay = self.delays.get(key) if key is not None else None
        if delay is None:
            return
        slot = self.crawler.engine.downloader.slots.get(key)
        if slot is not None and slot.delay < delay:
            slot.delay, slot.jitter = delay, 0.0
