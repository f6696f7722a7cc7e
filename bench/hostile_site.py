"""A hostile loopback news site for the reliability tests (``tests/hostile``) and ``bench/faults.py``.

Next to a few good articles it serves every fault a real crawl meets: error statuses, rate
limits, slow and reset connections, redirect loops and off-site redirects, oversized and non-HTML
pages, wrong charsets, malformed HTML, broken feeds and sitemaps, gzip bombs, XML entity attacks,
odd dates, robots.txt rules and tracking-parameter duplicates. `FAULTS` says, per fault class,
which URLs carry it and what the crawl log must show, so tests and the benchmark share one truth.

A second, well-behaved site (`calm_routes`) is served next to it as another source: one failing
source must never fail another.
"""

from __future__ import annotations

import gzip
import random
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import urlsplit

from newsmill.demo.server import Page, SiteServer

DAY = "2026-11-20"
MAX_PAGE_BYTES = 200_000
SECRET = "root:x:0:0"  # what an external entity pointing at /etc/passwd would pull in
Route = Page | Callable[[BaseHTTPRequestHandler], None]


@dataclass(frozen=True)
class Fault:
    """One fault class: the site paths that carry it and the expected end of each."""

    name: str
    paths: tuple[str, ...]
    outcome: str  # loaded | failed | extract_failed | skipped | not_listed | retried
    error: str = ""  # substring of the crawl_log error (failed rows)


_VOCABULARY = (
    "harbour council budget school ferry storm library market bridge river festival hospital "
    "police museum railway tram bakery theatre election park garden station fishermen teachers "
    "nurses farmers mayor residents volunteers engineers students visitors shopkeepers drivers "
    "approved delayed opened closed repaired doubled reduced praised questioned announced "
    "yesterday tonight quickly slowly again finally openly quietly near behind across during"
).split()


def _words(title: str, n: int = 6) -> str:
    """`n` paragraphs that differ from every other title's (no near-duplicates between articles)."""
    pick = random.Random(title)
    paragraphs = []
    for _ in range(n):
        words = " ".join(pick.choice(_VOCABULARY) for _ in range(28))
        paragraphs.append(f"<p>{title}: the {words}.</p>")
    return "".join(paragraphs)


def article(title: str, day: str = DAY, *, extra_head: str = "") -> bytes:
    return (f"<!doctype html><html lang='en'><head><title>{title}</title>"
            f"<meta name='date' content='{day}'>{extra_head}</head><body><article><h1>{title}</h1>"
            f"{_words(title)}</article></body></html>").encode()


def _send(request: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str,
          headers: dict[str, str] | None = None) -> None:
    request.send_response(status)
    request.send_header("Content-Type", content_type)
    request.send_header("Content-Length", str(len(body)))
    for name, value in (headers or {}).items():
        request.send_header(name, value)
    request.end_headers()
    request.wfile.write(body)


class Hits:
    """Counts the requests per path a served route gets (the HostileSites, the loopback sites of
    `loopback_sites.py` and the runs of `cli_harness.py` count with it)."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def counted(self, routes: Mapping[str, Route]) -> dict[str, Route]:
        """`routes`, each counting its requests in `counts` before it answers."""
        def wrap(route: Route) -> Route:
            def handler(request: BaseHTTPRequestHandler) -> None:
                with self._lock:
                    self.counts[urlsplit(request.path).path] += 1
                if callable(route):
                    route(request)
                else:
                    _send(request, route.status, route.body, route.content_type, route.headers)

            return handler

        return {path: wrap(route) for path, route in routes.items()}


def slow(seconds: float) -> Route:
    def handler(request: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)
        try:
            _send(request, 200, article("Too slow"), "text/html; charset=utf-8")
        except OSError:
            pass

    return handler


def reset_mid_body(request: BaseHTTPRequestHandler) -> None:
    body = article("Cut short")
    request.send_response(200)
    request.send_header("Content-Type", "text/html; charset=utf-8")
    request.send_header("Content-Length", str(len(body)))
    request.end_headers()
    request.wfile.write(body[: len(body) // 2])
    request.wfile.flush()
    # SO_LINGER 0: close with a TCP RST, as a crashing server or a middlebox does
    request.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    request.connection.close()
    request.close_connection = True


def flaky(failures: int) -> Route:
    """503 (Retry-After: 0) for the first `failures` requests, then the article."""
    count = {"n": 0}
    lock = threading.Lock()

    def handler(request: BaseHTTPRequestHandler) -> None:
        with lock:
            count["n"] += 1
            n = count["n"]
        if n <= failures:
            _send(request, 503, b"busy", "text/plain", {"Retry-After": "0"})
        else:
            _send(request, 200, article("Back after a hiccup"), "text/html; charset=utf-8")

    return handler


def nested(title: str, depth: int) -> bytes:
    """An article whose paragraphs sit inside `depth` nested divs: past the HTML parser's limit."""
    return (f"<!doctype html><html lang='en'><head><title>{title}</title><meta name='date' content='{DAY}'>"
            f"</head><body><h1>{title}</h1>{'<div>' * depth}{_words(title)}{'</div>' * depth}"
            f"</body></html>").encode()


def unannounced(body: bytes) -> Route:
    """`body` sent without Content-Length: its end is the connection closing."""

    def handler(request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Type", "text/html; charset=utf-8")
        request.send_header("Connection", "close")
        request.end_headers()
        try:
            request.wfile.write(body)
        except OSError:  # the crawler hung up at its size limit
            pass
        request.close_connection = True

    return handler


def big_sitemap(base: str, listed: str, entries: int = 60_000) -> bytes:
    """An uncompressed sitemap of about 17 MB (the protocol allows 50 MB, 50,000 URLs): `entries`
    padded URLs of 2019, then `listed` (a path) dated `DAY`, so it is found only if all is read."""
    old = "".join(f"<url><loc>{base}/archive/2019/story-{i:05d}-{'x' * 200}</loc><lastmod>2019-01-01"
                  f"</lastmod></url>\n" for i in range(entries))
    return (f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/'
            f'sitemap/0.9">{old}<url><loc>{base}{listed}</loc><lastmod>{DAY}</lastmod></url></urlset>').encode()


ELSEWHERE = "http://metadata.invalid/latest/meta-data/"
"""A host no source names (``.invalid`` never resolves): where the moved feeds point."""


def _charset_page(title: str, body: str, encoding: str, *, meta: str = "") -> bytes:
    paragraphs = "".join(f"<p>{body}</p>" for _ in range(5))
    return (f"<html><head>{meta}<title>{title}</title><meta name='date' content='{DAY}'></head>"
            f"<body><article><h1>{title}</h1>{paragraphs}</article></body></html>").encode(encoding)


CYRILLIC = "Городской совет утвердил новый бюджет на следующий год после долгих обсуждений."
CHINESE = "市议会经过长时间的讨论，批准了明年的新预算，居民们对此表示欢迎和支持。"
JAPANESE = "市議会は長い議論の末、来年度の新しい予算を承認し、住民はこれを歓迎した。"
LATIN1 = "Le conseil municipal a approuvé le budget après une longue séance très animée à l'hôtel."

LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lollollollollollollollollollol">'
          + b"".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
                     for i in range(1, 10))
          + b"]>\n")
XXE = b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'


def _gzip_bomb(size: int) -> bytes:
    return gzip.compress(b"<" + b" " * size, compresslevel=9)


def hostile_routes(base: str, calm: str) -> dict[str, Route]:
    """The hostile site at `base`; `calm` is the other source's base URL (cross-site redirects)."""
    art = f"{base}/a"

    def item(path: str, date: str = "Fri, 20 Nov 2026 10:00:00 +0000") -> str:
        return f"<item><title>{path}</title><link>{base}{path}</link><pubDate>{date}</pubDate></item>"

    items = "".join(item(p) for p in FEED_ARTICLES)
    items += item("/a/good-1?utm_source=rss&utm_medium=feed&utm_campaign=x")  # tracking duplicate
    items += item("/private/members-only")  # disallowed by robots.txt
    feed = f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>H</title>{items}</channel></rss>"

    def urlset(entries: str) -> bytes:
        return (f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/'
                f'sitemap/0.9">{entries}</urlset>').encode()

    def url(path: str, lastmod: str = DAY) -> str:
        return f"<url><loc>{base}{path}</loc><lastmod>{lastmod}</lastmod></url>"

    index = f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{''.join(f'<sitemap><loc>{base}/sm/{name}</loc></sitemap>' for name in (
        "news.xml.gz", "bomb.xml.gz", "truncated.xml", "laughs.xml", "xxe.xml", "dates.xml",
        "index.xml", "notxml.xml", "empty.xml", "big.xml"))}
</sitemapindex>"""
    news = urlset(url("/a/good-1?fbclid=abc123") + url("/a/good-3") + url("/a/from-gzip-sitemap"))
    dates = urlset(url("/a/listed-future", "2099-01-01") + url("/a/listed-nonsense", "2026-13-45")
                   + url("/a/listed-words", "yesterday") + url("/a/dated-ok"))
    laughs_sitemap = LAUGHS + (b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>'
                               + f"{base}/a/laughs-".encode() + b"&lol9;</loc><lastmod>" + DAY.encode()
                               + b"</lastmod></url></urlset>")
    xxe_sitemap = XXE + (b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>'
                         + f"{base}/a/xxe-".encode() + b"&xxe;</loc><lastmod>" + DAY.encode()
                         + b"</lastmod></url>" + url("/a/xxe-neighbour").encode() + b"</urlset>")
    laughs_feed = LAUGHS + (b"<rss version='2.0'><channel><title>&lol9;</title><item><title>&lol9;</title>"
                            + f"<link>{base}/a/feed-laughs-item</link>".encode()
                            + b"<pubDate>Fri, 20 Nov 2026 10:00:00 +0000</pubDate></item></channel></rss>")
    xxe_feed = XXE + (b"<rss version='2.0'><channel><title>x</title><item><title>&xxe;</title>"
                      + f"<link>{base}/a/feed-xxe-item</link>".encode()
                      + b"<pubDate>Fri, 20 Nov 2026 10:00:00 +0000</pubDate></item></channel></rss>")
    truncated_feed = (f"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title>"
                      f"{item('/a/from-truncated-feed')}<item><title>cut").encode()
    html = "text/html; charset=utf-8"
    routes: dict[str, Route] = {
        "/robots.txt": Page(b"User-agent: *\nDisallow: /private/\nCrawl-delay: 0.1\n\n"
                            b"Sitemap: /sitemap_index.xml\n", content_type="text/plain"),
        "/feed.xml": Page(feed.encode(), content_type="application/rss+xml"),
        "/feed-truncated.xml": Page(truncated_feed, content_type="application/rss+xml"),
        "/feed-garbage.xml": Page(b"\x00\x01this is not a feed at all \xff\xfe", content_type="application/rss+xml"),
        "/feed-html.xml": Page(b"<html><body><p>Our feed has moved.</p></body></html>"),
        "/feed-laughs.xml": Page(laughs_feed, content_type="application/rss+xml"),
        "/feed-xxe.xml": Page(xxe_feed, content_type="application/rss+xml"),
        "/sitemap_index.xml": Page(index.encode(), content_type="application/xml"),
        "/sm/news.xml.gz": Page(gzip.compress(news), content_type="application/x-gzip"),
        "/sm/bomb.xml.gz": Page(_gzip_bomb(60 * 1024 * 1024), content_type="application/x-gzip"),
        "/sm/truncated.xml": Page(urlset(url("/a/from-truncated-sitemap"))[:-40], content_type="application/xml"),
        "/sm/laughs.xml": Page(laughs_sitemap, content_type="application/xml"),
        "/sm/xxe.xml": Page(xxe_sitemap, content_type="application/xml"),
        "/sm/dates.xml": Page(dates, content_type="application/xml"),
        "/sm/index.xml": Page(index.encode(), content_type="application/xml"),  # an index listing itself
        "/sm/notxml.xml": Page(b'{"sitemap": "json, not xml"}', content_type="application/json"),
        "/sm/empty.xml": Page(b"", content_type="application/xml"),
        "/sm/big.xml": Page(big_sitemap(base, "/a/from-big-sitemap"), content_type="application/xml"),
        **{f"/feed-moved-{status}.xml": Page(b"", status=status, headers={"Location": ELSEWHERE})
           for status in (301, 302, 307, 308)},
        "/feed-moved-refresh.xml": Page(f"<html><head><meta http-equiv='refresh' content='0; url={ELSEWHERE}'>"
                                        f"</head><body>Our feed has moved.</body></html>".encode()),
        # articles
        "/a/good-1": Page(article("Good one")),
        "/a/good-2": Page(article("Good two")),
        "/a/good-3": Page(article("Good three")),
        "/a/from-gzip-sitemap": Page(article("From the gzip sitemap")),
        "/a/from-big-sitemap": Page(article("From the big sitemap")),
        "/a/from-truncated-feed": Page(article("From the truncated feed")),
        "/a/from-truncated-sitemap": Page(article("From the truncated sitemap")),
        "/a/xxe-neighbour": Page(article("Next to an external entity")),
        "/a/feed-laughs-item": Page(article("Listed by a billion laughs feed")),
        "/a/feed-xxe-item": Page(article("Listed by an external entity feed")),
        "/a/gone-404": Page(b"<h1>Not found</h1>", status=404),
        "/a/gone-410": Page(b"<h1>Gone</h1>", status=410),
        "/a/error-500": Page(b"<h1>Oops</h1>", status=500),
        "/a/busy-503": Page(b"busy", status=503, content_type="text/plain", headers={"Retry-After": "1"}),
        "/a/limited-429": Page(b"slow down", status=429, content_type="text/plain", headers={"Retry-After": "1"}),
        "/a/flaky-503": flaky(1),
        # far past download_timeout (2 s): a crawl starved of CPU for seconds on a loaded machine
        # could otherwise read the answer before its timeout fires
        "/a/slow": slow(12),
        "/a/reset": reset_mid_body,
        "/a/loop-a": Page(b"", status=302, headers={"Location": f"{art}/loop-b"}),
        "/a/loop-b": Page(b"", status=302, headers={"Location": f"{art}/loop-a"}),
        "/a/cross-site": Page(b"", status=301, headers={"Location": f"{calm}/news/calm-one"}),
        "/a/moved-on-site": Page(b"", status=301, headers={"Location": f"{art}/good-2"}),
        "/a/huge": Page(article("Huge", extra_head="<!--" + "x" * MAX_PAGE_BYTES + "-->")),
        "/a/huge-unannounced": unannounced(article("Huge, length unsaid",
                                                   extra_head="<!--" + "x" * MAX_PAGE_BYTES + "-->")),
        "/a/gzip-bomb": Page(gzip.compress(b" " * (40 * 1024 * 1024), compresslevel=9), content_type=html,
                             headers={"Content-Encoding": "gzip"}),
        "/a/pdf-story": Page(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n", content_type="application/pdf"),
        "/a/image-story": Page(b"\x89PNG\r\n\x1a\n" + b"\0" * 64, content_type="image/png"),
        "/a/json-story": Page(b'{"title": "not html"}', content_type="application/json"),
        "/a/cp1251": Page(_charset_page("Бюджет", CYRILLIC, "cp1251"), content_type="text/html; charset=windows-1251"),
        "/a/gbk": Page(_charset_page("预算", CHINESE, "gbk", meta='<meta charset="gbk">'), content_type="text/html"),
        "/a/shift-jis": Page(_charset_page("予算", JAPANESE, "shift_jis"), content_type="text/html"),
        "/a/latin1-as-utf8": Page(_charset_page("Budget", LATIN1, "latin-1"), content_type=html),
        "/a/malformed": Page(b"<html><head><title>Malformed</title><body><div><article><h1>Malformed page"
                             + _words("Malformed page").encode().replace(b"</p>", b"")
                             + b"<td></tr><<>></b></i></span><!-- never closed"),
        "/a/empty": Page(b""),
        "/a/deeply-nested": Page(nested("Deeply nested", 5000)),
        "/a/headline-only": Page(f"<html><head><title>Headline only | Hostile</title></head><body><article>"
                                 f"<h1>Headline only</h1><p>By A. Writer</p><p>{DAY}</p></article></body>"
                                 f"</html>".encode()),
        "/a/listed-future": Page(article("Listed in the future")),
        "/a/listed-nonsense": Page(article("Listed on a nonsense day")),
        "/a/listed-words": Page(article("Listed in words")),
        "/a/dated-nonsense": Page(article("Dated nonsense", "2026-13-45")),
        "/a/dated-words": Page(article("Dated in words", "yesterday")),
        "/a/dated-ok": Page(article("Dated fine")),
        "/a/page-says-future": Page(article("The page claims 2099", "2099-06-01")),
        "/private/members-only": Page(article("Members only")),
    }
    return routes


FEED_ARTICLES = (
    "/a/good-1", "/a/good-2", "/a/gone-404", "/a/gone-410", "/a/error-500", "/a/busy-503",
    "/a/limited-429", "/a/flaky-503", "/a/slow", "/a/reset", "/a/loop-a", "/a/cross-site",
    "/a/moved-on-site", "/a/huge", "/a/gzip-bomb", "/a/pdf-story", "/a/image-story", "/a/json-story",
    "/a/cp1251", "/a/gbk", "/a/shift-jis", "/a/latin1-as-utf8", "/a/malformed", "/a/empty",
    "/a/deeply-nested", "/a/headline-only",
    "/a/huge-unannounced",
    "/a/dated-nonsense", "/a/dated-words", "/a/page-says-future",
)
"""Article URLs of the main feed (the others come from the sitemaps and the odd feeds)."""

FAULTS: tuple[Fault, ...] = (
    Fault("good article", ("/a/good-1", "/a/good-2", "/a/good-3"), "loaded"),
    Fault("tracking-parameter duplicate", ("/a/good-1",), "loaded"),
    Fault("HTTP 404/410", ("/a/gone-404", "/a/gone-410"), "failed", "HTTP 4"),
    Fault("HTTP 500", ("/a/error-500",), "failed", "HTTP 500"),
    Fault("HTTP 503 Retry-After", ("/a/busy-503",), "failed", "HTTP 503"),
    Fault("HTTP 429", ("/a/limited-429",), "failed", "HTTP 429"),
    Fault("503 once, then fine", ("/a/flaky-503",), "retried"),
    Fault("slow past timeout", ("/a/slow",), "failed", "timed out"),
    Fault("connection reset mid-body", ("/a/reset",), "failed", ""),
    Fault("redirect loop", ("/a/loop-a",), "failed", "redirect"),
    Fault("cross-site redirect", ("/a/cross-site",), "failed", "redirected off-site"),
    Fault("on-site redirect to a listed article", ("/a/moved-on-site",), "skipped", "redirects to"),
    Fault("page over size limit", ("/a/huge",), "failed", "size limit"),
    Fault("page over size limit, no Content-Length", ("/a/huge-unannounced",), "failed",
          "page larger than the size limit"),
    Fault("gzip bomb (Content-Encoding)", ("/a/gzip-bomb",), "failed", "size limit once decompressed"),
    Fault("non-HTML under article URL", ("/a/pdf-story", "/a/image-story", "/a/json-story"), "failed",
          "not an HTML page"),
    Fault("wrong or missing charset", ("/a/cp1251", "/a/gbk", "/a/shift-jis", "/a/latin1-as-utf8"), "loaded"),
    Fault("malformed HTML", ("/a/malformed",), "loaded"),
    Fault("empty HTML", ("/a/empty",), "extract_failed", "no article text"),
    Fault("nesting past the parser's depth limit", ("/a/deeply-nested",), "loaded"),
    Fault("headline without a body", ("/a/headline-only",), "extract_failed", "the body is only the title"),
    Fault("future / nonsense page dates", ("/a/dated-nonsense", "/a/dated-words", "/a/page-says-future"),
          "loaded"),
    Fault("sitemap dates", ("/a/dated-ok",), "loaded"),
    Fault("sitemap dates", ("/a/listed-future", "/a/listed-nonsense", "/a/listed-words"), "not_listed"),
    Fault("gzip sitemap", ("/a/from-gzip-sitemap",), "loaded"),
    Fault("sitemap over max_page_bytes (17 MB)", ("/a/from-big-sitemap",), "loaded"),
    Fault("robots.txt disallow", ("/private/members-only",), "failed", "robots.txt"),
    Fault("truncated feed / sitemap", ("/a/from-truncated-feed", "/a/from-truncated-sitemap"), "loaded"),
    Fault("entity attacks (laughs, XXE)", ("/a/feed-laughs-item", "/a/feed-xxe-item"), "loaded"),
    Fault("entity attacks (laughs, XXE)", ("/a/laughs-", "/a/xxe-", "/a/xxe-neighbour"), "not_listed"),
)
"""Article-level faults. Listing-level faults are in `LISTING_FAULTS`."""

LISTING_FAULTS: tuple[Fault, ...] = (
    Fault("invalid feed", ("/feed-garbage.xml", "/feed-html.xml"), "failed", "unreadable feed"),
    Fault("truncated feed / sitemap", ("/feed-truncated.xml", "/sm/truncated.xml"), "fetched"),
    Fault("gzip sitemap", ("/sm/news.xml.gz",), "fetched"),
    Fault("sitemap over max_page_bytes (17 MB)", ("/sm/big.xml",), "fetched"),
    Fault("feed moved to another host (301/302/307/308, meta refresh)",
          tuple(f"/feed-moved-{x}.xml" for x in (301, 302, 307, 308, "refresh")), "failed",
          "refused: host metadata.invalid is not one of the source's hosts"),
    Fault("gzip bomb (sitemap)", ("/sm/bomb.xml.gz",), "failed", "larger than"),
    Fault("entity attacks (laughs, XXE)", ("/feed-laughs.xml", "/feed-xxe.xml"), "fetched"),
    Fault("entity attacks (laughs, XXE)", ("/sm/laughs.xml", "/sm/xxe.xml"), "failed", "declares XML entities"),
    Fault("sitemap index loop", ("/sm/index.xml",), "fetched"),
    Fault("missing feed", ("/feed-missing.xml",), "failed", "HTTP 404"),
    Fault("invalid sitemap", ("/sm/notxml.xml", "/sm/empty.xml"), "failed", "unreadable sitemap"),
)

FEEDS = ("/feed.xml", "/feed-truncated.xml", "/feed-garbage.xml", "/feed-html.xml", "/feed-laughs.xml",
         "/feed-xxe.xml", "/feed-missing.xml", "/feed-moved-301.xml", "/feed-moved-302.xml",
         "/feed-moved-307.xml", "/feed-moved-308.xml", "/feed-moved-refresh.xml")


def calm_routes(base: str) -> dict[str, Route]:
    """The well-behaved second source: a feed and two articles."""
    items = "".join(
        f"<item><title>{t}</title><link>{base}/news/{p}</link><pubDate>Fri, 20 Nov 2026 08:00:00 +0000"
        f"</pubDate></item>" for p, t in CALM.items())
    routes: dict[str, Route] = {
        "/robots.txt": Page(b"User-agent: *\nAllow: /\n", content_type="text/plain"),
        "/feed.xml": Page(f"<rss version='2.0'><channel><title>C</title>{items}</channel></rss>".encode(),
                          content_type="application/rss+xml"),
    }
    routes.update({f"/news/{p}": Page(article(t)) for p, t in CALM.items()})
    return routes


CALM = {"calm-one": "Calm one", "calm-two": "Calm two"}


class HostileSites:
    """Both sites served on 127.0.0.1 (ephemeral ports) while the context is open; `hits` counts
    the requests per path of the hostile site (retries show as more than one)."""

    def __init__(self) -> None:
        self.hostile = SiteServer()
        self.calm = SiteServer()
        counter = Hits()
        self.hits = counter.counts
        self.hostile.set_routes(counter.counted(hostile_routes(self.hostile.url, self.calm.url)))
        self.calm.set_routes(calm_routes(self.calm.url))
        for server in (self.hostile, self.calm):  # resets and timeouts are the point: no tracebacks
            server._server.handle_error = lambda request, address: None  # noqa: SLF001

    def __enter__(self) -> HostileSites:
        self.hostile.start()
        self.calm.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.hostile.stop()
        self.calm.stop()

    def write_config(self, path: Path, data_dir: Path, **settings: object) -> Path:
        values = {"data_dir": str(data_dir), "download_delay": 0, "autothrottle": False, "retries": 1,
                  "download_timeout": 2, "max_page_bytes": MAX_PAGE_BYTES, "concurrency_per_domain": 4,
                  **settings}
        lines = "\n".join(f"{k} = {_toml(v)}" for k, v in values.items())
        h, c = self.hostile.url, self.calm.url
        feeds = ", ".join(f'"{h}{f}"' for f in FEEDS)
        path.write_text(f"""[settings]
{lines}

[[sources]]
name = "hostile"
domains = ["{self.hostile.netloc}"]
language = "en"
feeds = [{feeds}]
robots_sitemaps = true

[[sources]]
name = "calm"
domains = ["{self.calm.netloc}"]
language = "en"
feeds = ["{c}/feed.xml"]
""", encoding="utf-8")
        return path


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return f'"{value}"' if isinstance(value, str) else str(value)


# --- a steady site for crash and lock tests ------------------------------------------------------


def steady_routes(base: str, n: int = 24, delay: float = 0.08) -> dict[str, Route]:
    """A feed of `n` good articles, each answered after `delay` s (so a crawl lasts long enough
    to be killed in the middle)."""

    def later(body: bytes) -> Route:
        def handler(request: BaseHTTPRequestHandler) -> None:
            time.sleep(delay)
            try:
                _send(request, 200, body, "text/html; charset=utf-8")
            except OSError:  # the crawler was killed
                pass

        return handler

    titles = {f"/s/story-{i:02d}": f"Steady story number {i} about the harbour" for i in range(n)}
    items = "".join(f"<item><title>{t}</title><link>{base}{p}</link><pubDate>Fri, 20 Nov 2026 "
                    f"09:00:00 +0000</pubDate></item>" for p, t in titles.items())
    routes: dict[str, Route] = {
        "/robots.txt": Page(b"User-agent: *\nAllow: /\n", content_type="text/plain"),
        "/feed.xml": Page(f"<rss version='2.0'><channel><title>S</title>{items}</channel></rss>".encode(),
                          content_type="application/rss+xml"),
    }
    routes.update({p: later(article(t)) for p, t in titles.items()})
    return routes


def steady_config(path: Path, server: SiteServer, data_dir: Path) -> Path:
    path.write_text(f"""[settings]
data_dir = "{data_dir}"
download_delay = 0
autothrottle = false
retries = 1
download_timeout = 2
concurrency_per_domain = 2

[[sources]]
name = "steady"
domains = ["{server.netloc}"]
language = "en"
feeds = ["{server.url}/feed.xml"]
""", encoding="utf-8")
    return path


def snapshot(db: Path) -> dict[str, list[tuple]]:
    """Every row a run leaves, without the columns that differ between two runs of the same day
    (times, WARC offsets)."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            "articles": con.execute(
                "SELECT url, source, pub_date, listed_date, date_source, title, text, word_count, "
                "content_hash, duplicate_of, run_id FROM articles ORDER BY ALL").fetchall(),
            "removed_segments": con.execute("SELECT * FROM removed_segments ORDER BY ALL").fetchall(),
            "crawl_log": con.execute("SELECT run_id, source, url, kind, listed_date, outcome, status, error "
                                     "FROM crawl_log ORDER BY ALL").fetchall(),
            "runs": con.execute("SELECT run_id, source, first_day, last_day, pages_fetched, articles_loaded, "
                                "removed_segments, failures, skipped FROM runs ORDER BY ALL").fetchall(),
        }
    finally:
        con.close()
