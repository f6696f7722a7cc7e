"""Spider pieces that need no server: error texts, Scrapy settings."""

from __future__ import annotations

from scrapy import Request
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    IgnoreRequest,
)
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from newsmill.config import Settings
from spiders.news import describe_failure
from spiders.settings import scrapy_settings


def _failure(exc: Exception) -> Failure:
    try:
        raise exc
    except Exception:
        return Failure()


def test_describe_failure() -> None:
    response = Response("https://news.test/a", status=503, request=Request("https://news.test/a"))
    assert describe_failure(_failure(HttpError(response, "Ignoring"))) == (503, "HTTP 503 Service Unavailable")
    assert describe_failure(_failure(CannotResolveHostError("news.test"))) == (
        None, "DNS lookup failed: news.test")
    assert describe_failure(_failure(DownloadConnectionRefusedError())) == (None, "connection refused")
    assert describe_failure(_failure(IgnoreRequest("Forbidden by robots.txt"))) == (
        None, "forbidden by robots.txt")
    assert describe_failure(_failure(ValueError("odd"))) == (None, "ValueError: odd")
    bomb = IgnoreRequest("Ignored response <200 http://news.test/a> because its body (40790 B compressed, "
                         "262144 B decompressed so far) exceeded DOWNLOAD_MAXSIZE (200000 B) during decompression.")
    assert describe_failure(_failure(bomb)) == (None, "page larger than the size limit once decompressed")


def test_scrapy_settings_from_config() -> None:
    settings = scrapy_settings(Settings(user_agent="ua/1", concurrency=10, concurrency_per_domain=3,
                                        download_delay=1.5, download_timeout=20, max_page_bytes=1000,
                                        retries=4, obey_robots=True, autothrottle=True))
    assert settings["USER_AGENT"] == "ua/1"
    assert settings["ROBOTSTXT_OBEY"] is True
    assert settings["CONCURRENT_REQUESTS"] == 10 and settings["CONCURRENT_REQUESTS_PER_DOMAIN"] == 3
    assert settings["DOWNLOAD_DELAY"] == 1.5 and settings["AUTOTHROTTLE_ENABLED"] is True
    assert settings["DOWNLOAD_TIMEOUT"] == 20 and settings["DNS_TIMEOUT"] <= 20
    assert settings["DOWNLOAD_MAXSIZE"] == 1000 and settings["DOWNLOAD_WARNSIZE"] == 500
    assert settings["RETRY_TIMES"] == 4 and {429, 503} <= set(settings["RETRY_HTTP_CODES"])
    assert settings["REMOTE_CONTROL_ENABLED"] is False and settings["TELNETCONSOLE_ENABLED"] is False
    assert settings["HTTPCACHE_ENABLED"] is False
    assert settings["LOG_LEVEL"] == "WARNING"
    assert "spiders.politeness.CrawlDelay" in settings["EXTENSIONS"]
    assert scrapy_settings(Settings(retries=0))["RETRY_ENABLED"] is False
