"""Refuse, before a connection is opened, every request the source's config does not allow.

Listings are hostile input: a sitemap index, a robots.txt ``Sitemap:`` line, a feed item or a
redirect may name any URL, a cloud metadata service or ``file:///etc/passwd`` included. This
middleware runs first, ahead of robots.txt handling (which would fetch the new host's robots.txt)
and of redirect handling (which sends every redirect target back through here), and refuses:

- a URL longer than `MAX_URL_LENGTH`;
- a scheme other than http or https;
- an article or archive page off the source's domains (`Source.owns`), any other request off the
  hosts the source's config names (`Source.allows`).

A refused request ends in its errback, so it leaves one ``failed`` crawl.jsonl line saying why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest

from newsmill.config import WEB_SCHEMES, Source

if TYPE_CHECKING:
    from spiders.news import NewsSpider

MAX_URL_LENGTH = 2083
"""Longer URLs are refused: no browser sends them, and the sitemap protocol stops at 2,048."""
ON_SITE_KINDS = frozenset({"article", "archive"})
"""Kinds fetched from the source's domains only; feeds, sitemaps and robots.txt may also live on
the other hosts its config names (a CDN)."""


def refusal(source: Source, request: Request) -> str | None:
    """Why `request` may not be sent for `source`, or None when it may."""
    url = request.url
    if len(url) > MAX_URL_LENGTH:
        return f"refused: URL of {len(url)} characters, longer than the {MAX_URL_LENGTH} allowed"
    kind = request.meta.get("newsmill_kind")
    on_site = kind in ON_SITE_KINDS
    if source.owns(url) if on_site else source.allows(url):
        return None
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    if parts.scheme not in WEB_SCHEMES:
        problem = f"scheme {parts.scheme!r} is not http or https"
    else:
        problem = f"host {host} is not one of the source's {'domains' if on_site else 'hosts'}"
    if not request.meta.get("redirect_urls"):
        return f"refused: {problem}"
    if kind == "article":
        return f"redirected off-site to {url}"
    return f"refused: {problem} (redirected to {url})"


class RequestGuardMiddleware:
    """The downloader middleware enforcing `refusal` on every request of a `NewsSpider`."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RequestGuardMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        spider: NewsSpider = self.crawler.spider  # type: ignore[assignment]
        reason = refusal(spider.source, request)
        if reason is None:
            return
        if "newsmill_kind" not in request.meta:  # Scrapy's own robots.txt request: no errback of ours
            spider.robots_refused(request, reason)
        raise IgnoreRequest(reason)
