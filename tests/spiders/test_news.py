"""How the news spider describes a failed request in crawl_log (`spiders.news.describe_failure`)."""

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

from spiders.news import describe_failure


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
