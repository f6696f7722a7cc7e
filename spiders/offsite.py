"""Keep article and archive requests on the source's own domains, redirects included."""

from __future__ import annotations

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest

ON_SITE_KINDS = frozenset({"article", "archive"})
"""Feeds, sitemaps and robots.txt are named in the config and may live on other hosts (CDNs)."""


class OwnDomainsMiddleware:
    """Refuse, before any byte is sent, an article/archive request that is off the source's
    domains; the redirect middleware sends redirect targets through here again, so an off-site
    redirect ends in the request's errback with a readable reason."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OwnDomainsMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        source = getattr(self.crawler.spider, "source", None)
        if source is None or request.meta.get("newsmill_kind") not in ON_SITE_KINDS:
            return
        if not source.owns(request.url):
            if request.meta.get("redirect_urls"):
                raise IgnoreRequest(f"redirected off-site to {request.url}")
            raise IgnoreRequest(f"off-site URL {request.url}")
