"""Scrapy settings from newsmill's `Settings`: polite, bounded and quiet by default.

Scrapy's defaults suit a one-off scrape (180 s timeouts, 1 GiB pages, robots.txt ignored, a remote
control server); a scheduled crawler of other people's sites needs the opposite.
"""

from __future__ import annotations

from typing import Any

from newsmill.config import Settings

RETRY_HTTP_CODES = [408, 429, 500, 502, 503, 504, 522, 524]
"""Transient answers worth another try: timeouts, rate limits, overloaded or restarting servers."""


def scrapy_settings(settings: Settings, log_level: str = "WARNING") -> dict[str, Any]:
    """The Scrapy settings dict of a crawl with `settings`."""
    return {
        "BOT_NAME": "newsmill",
        "USER_AGENT": settings.user_agent,
        "ROBOTSTXT_OBEY": settings.obey_robots,
        "CONCURRENT_REQUESTS": max(1, settings.concurrency),
        "CONCURRENT_REQUESTS_PER_DOMAIN": max(1, settings.concurrency_per_domain),
        "DOWNLOAD_DELAY": settings.download_delay,
        "AUTOTHROTTLE_ENABLED": settings.autothrottle,
        "AUTOTHROTTLE_START_DELAY": settings.download_delay,
        "AUTOTHROTTLE_MAX_DELAY": 60.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(max(1, settings.concurrency_per_domain)),
        "DOWNLOAD_TIMEOUT": settings.download_timeout,
        "DNS_TIMEOUT": min(settings.download_timeout, 15.0),
        "DOWNLOAD_MAXSIZE": settings.max_page_bytes,
        "DOWNLOAD_WARNSIZE": settings.max_page_bytes // 2,
        "RETRY_ENABLED": settings.retries > 0,
        "RETRY_TIMES": settings.retries,
        "RETRY_HTTP_CODES": RETRY_HTTP_CODES,
        "HTTPCACHE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": log_level,
        "STATS_DUMP": False,
        # The spider keeps its own set of canonical URLs; Scrapy's fingerprint filter would drop a
        # second redirect to the same page without calling any callback, losing its crawl.jsonl line.
        "DUPEFILTER_CLASS": "scrapy.dupefilters.BaseDupeFilter",
        "DOWNLOADER": "spiders.downloader.SlotLimitedDownloader",
        "EXTENSIONS": {"spiders.politeness.CrawlDelay": 1000},
        # The guard refuses requests off the source's hosts before anything else sees them; the
        # size limits then tell articles (max_page_bytes) from listings.
        "DOWNLOADER_MIDDLEWARES": {"spiders.guard.RequestGuardMiddleware": 10,
                                   "spiders.limits.SizeLimitsMiddleware": 20},
        # The guard refuses over-long URLs with a logged reason; Scrapy's UrlLengthMiddleware would
        # drop them unlogged.
        "URLLENGTH_LIMIT": 0,
        # Only http(s) is ever fetched: no handler for the other schemes, should a request get past
        # the guard.
        "DOWNLOAD_HANDLERS": {"file": None, "data": None, "ftp": None, "s3": None},
    }
