"""Per-request size limits: `max_page_bytes` for articles, `LISTING_MAX_BYTES` for the rest.

One limit cannot serve both: a sitemap may hold 50,000 URLs in 50 MB, while an article page over a
few MB is a mistake or an attack. Scrapy's download handler and HttpCompressionMiddleware (while
decompressing) both read the limit from ``Request.meta``, so setting it there covers downloads,
Content-Encoding bombs and Scrapy's own robots.txt requests alike.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.crawler import Crawler

from spiders.listings import LISTING_MAX_BYTES


class SizeLimitsMiddleware:
    """Set ``download_maxsize``/``download_warnsize`` of each request from its kind."""

    def __init__(self, crawler: Crawler) -> None:
        self.article = (crawler.settings.getint("DOWNLOAD_MAXSIZE"), crawler.settings.getint("DOWNLOAD_WARNSIZE"))
        self.listing = (LISTING_MAX_BYTES, LISTING_MAX_BYTES // 2)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SizeLimitsMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        maxsize, warnsize = self.article if request.meta.get("newsmill_kind") == "article" else self.listing
        request.meta.setdefault("download_maxsize", maxsize)
        request.meta.setdefault("download_warnsize", warnsize)
