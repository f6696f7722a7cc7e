"""The news spider: one source, a date range; listings in, each listed article fetched once.

Every URL it tries ends as exactly one ``crawl.jsonl`` line (fetched, failed or skipped), because
callbacks and errbacks both write one and duplicate requests are never made: URLs are
canonicalised and remembered before they are requested, so an article listed by a feed and a
sitemap (or with different tracking parameters) is fetched once, under its first listing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from datetime import date, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any, TypeVar

import scrapy
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import HtmlResponse, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from newsmill import layout, runfiles
from newsmill.config import Source
from newsmill.dates import days
from spiders.canonical import canonical_url
from spiders.crawllog import CrawlLog, utc_now
from spiders.listings import (
    Listing,
    ListingError,
    is_http_url,
    parse_archive,
    parse_feed,
    parse_sitemap,
    robots_sitemaps,
    robots_urls,
    select_feed,
    select_sitemap,
)
from spiders.warc import WarcFiles

T = TypeVar("T")
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
MAX_SITEMAP_DEPTH = 3
"""Sitemap indexes nest one level in practice; the cap stops index loops."""
MAX_ARCHIVE_PAGES = 30
"""Pages followed per archive URL and day (pagination); a day rarely needs more."""


def describe_failure(failure: Failure) -> tuple[int | None, str]:
    """(HTTP status or None, readable error text) of a failed request."""
    exc = failure.value
    if isinstance(exc, HttpError):
        response = exc.response
        return response.status, f"HTTP {response.status}{_reason(response.status)}"
    if isinstance(exc, DownloadTimeoutError):
        return None, f"timed out: {exc}" if str(exc) else "timed out"
    if isinstance(exc, CannotResolveHostError):
        return None, f"DNS lookup failed: {exc}" if str(exc) else "DNS lookup failed"
    if isinstance(exc, DownloadConnectionRefusedError):
        return None, "connection refused"
    if isinstance(exc, DownloadCancelledError):
        # Scrapy's HTTP/1.1 handler cancels a download only at the size limit: with the size in the
        # text when Content-Length announced it, as a bare cancellation when the body outgrew it.
        text = str(exc).partition(" in request <")[0]
        if "max size" not in text:
            text = f"more than {failure.request.meta.get('download_maxsize')} bytes received"
        return None, f"page larger than the size limit ({text})"
    if isinstance(exc, ResponseDataLossError):
        return None, "connection closed before the whole response arrived"
    if isinstance(exc, IgnoreRequest):
        text = str(exc) or "request ignored"
        if "DOWNLOAD_MAXSIZE" in text and "decompress" in text:  # Scrapy's gzip-bomb guard
            return None, "page larger than the size limit once decompressed"
        return None, text[0].lower() + text[1:]
    return None, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _canonical(url: str) -> str:
    """`canonical_url(url)`, or `url` as it is when too malformed to canonicalise."""
    try:
        return canonical_url(url)
    except ValueError:
        return url


def _reason(status: int) -> str:
    try:
        return f" {HTTPStatus(status).phrase}"
    except ValueError:
        return ""


def _headers(response: Response) -> list[tuple[str, str]]:
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in response.headers.items()
        for value in values
    ]


class NewsSpider(scrapy.Spider):
    """Fetch the articles one source lists for first..last into WARC + crawl.jsonl."""

    name = "news"

    def __init__(
        self,
        source: Source,
        first: date,
        last: date,
        log: CrawlLog,
        data_dir: Path,
        skip: frozenset[str] = frozenset(),
        on_close: Callable[[str, str], None] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=source.name, **kwargs)
        self.source, self.first, self.last = source, first, last
        self.log, self.data_dir, self.skip = log, Path(data_dir), skip
        self.on_close = on_close
        self.warcs = WarcFiles()
        self.seen: set[str] = set()
        log.add_source(source.name)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.source.feeds:
            if request := self._request(url, runfiles.FEED, self.on_feed):
                yield request
        for url in self.source.sitemaps:
            if request := self._request(url, runfiles.SITEMAP, self.on_sitemap):
                yield request
        if self.source.robots_sitemaps:
            for url in robots_urls(self.source):
                if request := self._request(url, runfiles.ROBOTS, self.on_robots):
                    yield request
        for day in days(self.first, self.last):
            for url in self.source.archive_urls(day):
                if request := self._request(url, runfiles.ARCHIVE, self.on_archive, Listing(url, day)):
                    yield request

    # --- requests ------------------------------------------------------------------------------

    def _request(
        self,
        url: str,
        kind: str,
        callback: Callable[..., Any],
        listing: Listing | None = None,
        depth: int = 0,
    ) -> scrapy.Request | None:
        """A request for `url` unless it was already requested in this crawl.

        Whether it may be sent is `spiders.guard`'s call, so every URL a listing names ends as a
        crawl.jsonl line; one Scrapy cannot even build a request for is logged as failed here.
        """
        canonical = _canonical(url)
        if canonical in self.seen:
            return None
        self.seen.add(canonical)
        try:
            return scrapy.Request(
                canonical,
                callback=callback,
                errback=self.failed,
                dont_filter=True,  # deduplicated above, by canonical URL
                priority=0 if kind == runfiles.ARTICLE else 10,  # listings first: they feed the queue
                meta={
                    "newsmill_kind": kind,
                    "newsmill_url": canonical,
                    "newsmill_listing": listing,
                    "newsmill_depth": depth,
                    "dont_obey_robotstxt": kind == runfiles.ROBOTS,
                },
            )
        except ValueError:
            self.log.write(self.source.name, canonical, kind, runfiles.FAILED, error="refused: not a valid URL",
                           listed_date=listing.listed_date if listing else None,
                           listed_title=listing.title if listing else None)
            return None

    def _articles(self, listings: Iterable[Listing]) -> Iterator[scrapy.Request]:
        """Requests for the listed articles; skip-list URLs are logged.

        A web page on another site (a partner's story) is not this source's and is left out
        unlogged; any other URL the source does not own (``file:``, ``ftp:``) is requested so that
        the guard refuses it with a logged reason.
        """
        for listing in listings:
            if is_http_url(listing.url) and not self.source.owns(listing.url):
                continue
            canonical = _canonical(listing.url)
            if canonical in self.skip:
                if canonical not in self.seen:
                    self.seen.add(canonical)
                    self.log.write(
                        self.source.name,
                        canonical,
                        runfiles.ARTICLE,
                        runfiles.SKIPPED,
                        listed_date=listing.listed_date,
                        listed_title=listing.title,
                    )
                continue
            if request := self._request(canonical, runfiles.ARTICLE, self.on_article, listing):
                yield request

    # --- callbacks -----------------------------------------------------------------------------

    def _read(self, response: Response, read: Callable[[], T]) -> T | None:
        """`read()` (parsing a listing), or None after logging the listing as failed."""
        try:
            return read()
        except Exception as exc:  # noqa: BLE001 - one unreadable listing must not stop the source
            detail = str(exc) if isinstance(exc, ListingError) else f"{type(exc).__name__}: {exc}"
            self._failed_response(response, f"unreadable {response.meta['newsmill_kind']}: {detail}")
            return None

    def on_feed(self, response: Response) -> Iterator[scrapy.Request]:
        listings = self._read(response, lambda: parse_feed(response.body, response.url))
        if listings is not None:
            self._fetched(response)
            yield from self._articles(select_feed(listings, self.first, self.last))

    def on_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        sitemap = self._read(response, lambda: parse_sitemap(response.body, response.url))
        if sitemap is None:
            return
        urls, children = select_sitemap(sitemap, self.first, self.last)
        self._fetched(response)
        depth = response.meta["newsmill_depth"] + 1
        if depth <= MAX_SITEMAP_DEPTH:
            for child in children:
                if request := self._request(child.url, runfiles.SITEMAP, self.on_sitemap, depth=depth):
                    yield request
        yield from self._articles(urls)

    def on_robots(self, response: Response) -> Iterator[scrapy.Request]:
        sitemaps = self._read(response, lambda: robots_sitemaps(response.body, response.url))
        if sitemaps is not None:
            self._fetched(response)
            for url in sitemaps:
                if request := self._request(url, runfiles.SITEMAP, self.on_sitemap):
                    yield request

    def on_archive(self, response: Response) -> Iterator[scrapy.Request]:
        day = response.meta["newsmill_listing"].listed_date
        page = self._read(response, lambda: parse_archive(response.body, response.url, self.source, day))
        if page is None:
            return
        self._fetched(response)
        depth = response.meta["newsmill_depth"] + 1
        if depth < MAX_ARCHIVE_PAGES:
            for url in page.more_pages:
                if request := self._request(url, runfiles.ARCHIVE, self.on_archive, Listing(url, day), depth):
                    yield request
        yield from self._articles(page.articles)

    def on_article(self, response: Response) -> None:
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        media_type = content_type.split(";")[0].strip().lower()
        final = canonical_url(response.url)
        if final != response.meta["newsmill_url"] and final in self.seen:
            self._skipped_response(response, f"redirects to {final}, fetched under that URL")
        elif media_type not in HTML_TYPES and (media_type or not isinstance(response, HtmlResponse)):
            self._failed_response(response, f"not an HTML page (content type {media_type or 'unknown'!r})")
        else:
            self.seen.add(final)  # a later listing of the redirect target is not fetched again
            self._fetched(response)

    def robots_refused(self, request: scrapy.Request, reason: str) -> None:
        """One ``failed`` line for a robots.txt request that Scrapy's RobotsTxtMiddleware made and
        the guard refused (it has no errback of ours), under the URL first asked for; none when
        this spider requests that URL itself (its errback logs it)."""
        url = canonical_url((request.meta.get("redirect_urls") or [request.url])[0])
        if url not in self.seen:
            self.seen.add(url)
            self.log.write(self.source.name, url, runfiles.ROBOTS, runfiles.FAILED, error=reason)

    def failed(self, failure: Failure) -> None:
        """Errback of every request: one ``failed`` line with a readable reason."""
        request = failure.request
        status, error = describe_failure(failure)
        listing: Listing | None = request.meta.get("newsmill_listing")
        self.log.write(
            self.source.name,
            request.meta["newsmill_url"],
            request.meta["newsmill_kind"],
            runfiles.FAILED,
            listed_date=listing.listed_date if listing else None,
            status=status,
            error=error,
            listed_title=listing.title if listing else None,
        )

    # --- outputs -------------------------------------------------------------------------------

    def _fetched(self, response: Response) -> None:
        """Store `response` in the WARC of its listing day (listings: of `first`) and log it."""
        meta = response.meta
        kind: str = meta["newsmill_kind"]
        listing: Listing | None = meta.get("newsmill_listing")
        listed = listing.listed_date if listing else None
        day = listed if kind == runfiles.ARTICLE and listed else self.first
        path = layout.warc_path(self.data_dir, self.source.name, day)
        fetched_at: datetime = utc_now()
        offset = self.warcs.get(path).append_response(
            response.url,
            response.status,
            _headers(response),
            response.body,
            {
                "Newsmill-Source": self.source.name,
                "Newsmill-Kind": kind,
                "Newsmill-Listed-Date": listed.isoformat() if listed else "",
                "Newsmill-Canonical-URL": meta["newsmill_url"],
            },
            fetched_at=fetched_at,
            ip_address=str(response.ip_address) if response.ip_address else None,
        )
        self.log.write(
            self.source.name,
            meta["newsmill_url"],
            kind,
            runfiles.FETCHED,
            listed_date=listed,
            status=response.status,
            fetched_at=fetched_at,
            warc_file=path,
            warc_offset=offset,
            listed_title=listing.title if listing else None,
        )

    def _failed_response(self, response: Response, error: str) -> None:
        listing: Listing | None = response.meta.get("newsmill_listing")
        self.log.write(
            self.source.name,
            response.meta["newsmill_url"],
            response.meta["newsmill_kind"],
            runfiles.FAILED,
            listed_date=listing.listed_date if listing else None,
            status=response.status,
            error=error,
            listed_title=listing.title if listing else None,
        )

    def _skipped_response(self, response: Response, reason: str) -> None:
        """An article that redirected to one this crawl fetches anyway: not stored twice."""
        listing: Listing | None = response.meta.get("newsmill_listing")
        self.log.write(
            self.source.name,
            response.meta["newsmill_url"],
            runfiles.ARTICLE,
            runfiles.SKIPPED,
            listed_date=listing.listed_date if listing else None,
            status=response.status,
            error=reason,
            listed_title=listing.title if listing else None,
        )

    def closed(self, reason: str) -> None:
        self.warcs.close()
        if self.on_close:
            self.on_close(self.source.name, reason)
