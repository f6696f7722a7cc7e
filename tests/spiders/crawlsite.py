"""A loopback news site (feed, sitemap index, gzip news sitemap, archives, robots.txt, articles on
three days) and helpers that run ``python -m spiders.crawl`` against it in a subprocess.

A plain module, not conftest.py: test modules import from it, and other test folders have their
own conftest.py."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from newsmill.demo.server import Page, SiteServer, send_page

REPO = Path(__file__).resolve().parents[2]


class RecordingSite:
    """A SiteServer whose routes record every path requested (with its arrival time)."""

    def __init__(self) -> None:
        self.server = SiteServer()
        self.hits: list[tuple[float, str]] = []
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def netloc(self) -> str:
        return self.server.netloc

    def counts(self) -> Counter[str]:
        with self._lock:
            return Counter(path for _, path in self.hits)

    def set_routes(self, routes: dict[str, Page | Callable[[BaseHTTPRequestHandler], None]]) -> None:
        def recorded(route: Page | Callable[[BaseHTTPRequestHandler], None]):
            def handler(request: BaseHTTPRequestHandler) -> None:
                with self._lock:
                    self.hits.append((time.monotonic(), request.path))
                if callable(route):
                    route(request)
                else:
                    send_page(request, route)

            return handler

        self.server.set_routes({path: recorded(route) for path, route in routes.items()})


def article(title: str, day: str) -> Page:
    body = (
        f"<html><head><title>{title}</title><meta name='date' content='{day}'></head><body>"
        f"<article><h1>{title}</h1><p>{title}. The town's reporters wrote this short test "
        f"story for the crawler on {day}; it has a few sentences and nothing else.</p>"
        f"</article></body></html>"
    )
    return Page(body.encode())


# Articles of the site: path -> (title, listing day). Written for these tests.
ARTICLES = {
    "/2026/11/19/harbour-reopens/": ("Harbour reopens after repairs", "2026-11-19"),
    "/2026/11/20/council-votes-on-budget/": ("Council votes on budget", "2026-11-20"),
    "/2026/11/20/storm-closes-schools/": ("Storm closes schools", "2026-11-20"),
    "/2026/11/20/library-extends-hours/": ("Library extends hours", "2026-11-20"),
    "/2026/11/20/late-night-vote/": ("Late-night vote", "2026-11-20"),
    "/2026/11/20/ferry-timetable-changes/": ("Ferry timetable changes", "2026-11-20"),
    "/2026/11/21/market-rallies/": ("Market rallies", "2026-11-21"),
    "/2026/11/21/early-bird/": ("Early bird", "2026-11-21"),
}
DAY20 = {
    "/2026/11/20/council-votes-on-budget/",
    "/2026/11/20/storm-closes-schools/",
    "/2026/11/20/library-extends-hours/",
    "/2026/11/20/late-night-vote/",
    "/2026/11/20/ferry-timetable-changes/",  # only on the second page of the day's archive
}


def news_routes(base: str) -> dict[str, Page]:
    """The whole test site; links are absolute to `base` (the server's own http://127.0.0.1:PORT)."""
    feed = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Town News</title><link>{base}/</link>
<item><title>Harbour reopens after repairs</title><link>{base}/2026/11/19/harbour-reopens/</link>
 <pubDate>Thu, 19 Nov 2026 16:00:00 +0000</pubDate></item>
<item><title>Council votes on budget</title>
 <link>{base}/2026/11/20/council-votes-on-budget/?utm_source=rss&amp;utm_medium=feed</link>
 <pubDate>Fri, 20 Nov 2026 11:00:00 +0000</pubDate></item>
<item><title>Late-night vote</title><link>{base}/2026/11/20/late-night-vote/</link>
 <pubDate>Fri, 20 Nov 2026 23:30:00 -0500</pubDate></item>
<item><title>Early bird</title><link>{base}/2026/11/21/early-bird/</link>
 <pubDate>Sat, 21 Nov 2026 00:10:00 +0100</pubDate></item>
<item><title>Members only</title><link>{base}/private/members-20</link>
 <pubDate>Fri, 20 Nov 2026 09:00:00 +0000</pubDate></item>
<item><title>Partner</title><link>http://partner.invalid/2026/11/20/partner-story/</link>
 <pubDate>Fri, 20 Nov 2026 09:00:00 +0000</pubDate></item>
</channel></rss>"""
    index = f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{base}/sitemaps/2026-10.xml</loc><lastmod>2026-10-31T20:00:00+00:00</lastmod></sitemap>
<sitemap><loc>{base}/sitemaps/news.xml.gz</loc><lastmod>2026-11-21T08:00:00+00:00</lastmod></sitemap>
</sitemapindex>"""
    news = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>{base}/2026/11/19/harbour-reopens/</loc><lastmod>2026-11-20T07:00:00Z</lastmod>
 <news:news><news:publication_date>2026-11-19T16:00:00+00:00</news:publication_date>
 <news:title>Harbour reopens after repairs</news:title></news:news></url>
<url><loc>{base}/2026/11/20/council-votes-on-budget/?fbclid=abc</loc>
 <news:news><news:publication_date>2026-11-20T11:00:00+00:00</news:publication_date>
 <news:title>Council votes on budget</news:title></news:news></url>
<url><loc>{base}/2026/11/20/storm-closes-schools/</loc>
 <news:news><news:publication_date>2026-11-20T06:15:00+01:00</news:publication_date>
 <news:title>Storm closes schools</news:title></news:news></url>
<url><loc>{base}/2026/11/21/market-rallies/</loc>
 <news:news><news:publication_date>2026-11-21T09:00:00+00:00</news:publication_date>
 <news:title>Market rallies</news:title></news:news></url>
</urlset>"""
    october = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>{base}/2026/10/30/old-news/</loc><lastmod>2026-10-30</lastmod></url></urlset>"""

    def archive(day: str) -> Page:
        items = "".join(
            f'<li><a href="{path}">{title}</a></li>'
            for path, (title, listed) in ARTICLES.items()
            if listed == day and not any(w in path for w in ("late-night", "early-bird", "ferry"))
        )
        y, m, d = day.split("-")
        return Page(
            f"""<html><body><nav><a href="/">Home</a> <a href="/tag/council/">Council</a>
<a href="/author/kim-lee/">Kim Lee</a> <a href="/feed.xml">RSS</a></nav>
<h1>News of {day}</h1><ul>{items}</ul>
<a href="/{y}/{m}/{int(d) - 1:02d}/">previous day</a> <a href="/{y}/{m}/{d}/page/2/">more</a>
</body></html>""".encode()
        )

    routes: dict[str, Page] = {
        "/robots.txt": Page(
            b"User-agent: *\nDisallow: /private/\n\nSitemap: /sitemap_index.xml\n",
            content_type="text/plain",
        ),
        "/feed.xml": Page(feed.encode(), content_type="application/rss+xml"),
        "/sitemap_index.xml": Page(index.encode(), content_type="application/xml"),
        "/sitemaps/news.xml.gz": Page(gzip.compress(news.encode()), content_type="application/x-gzip"),
        "/sitemaps/2026-10.xml": Page(october.encode(), content_type="application/xml"),
        "/2026/11/19/": archive("2026-11-19"),
        "/2026/11/20/": archive("2026-11-20"),
        "/2026/11/21/": archive("2026-11-21"),
        "/2026/11/20/page/2/": Page(
            b'<html><body><a href="/2026/11/20/">first page</a> '
            b'<a href="/2026/11/20/ferry-timetable-changes/">Ferry timetable changes</a></body></html>'
        ),
        "/private/members-20": article("Members only", "2026-11-20"),
    }
    routes.update({path: article(title, day) for path, (title, day) in ARTICLES.items()})
    return routes


def write_config(path: Path, site: RecordingSite, data_dir: Path, *,
                 settings: dict[str, object] | None = None, source: str = "") -> Path:
    """A one-source config for `site`; `settings` override fast, retry-free test defaults."""
    values: dict[str, object] = {"data_dir": str(data_dir), "download_delay": 0, "retries": 0,
                                 "download_timeout": 5, "autothrottle": False, **(settings or {})}
    lines = "\n".join(f"{key} = {_toml(value)}" for key, value in values.items())
    path.write_text(
        f"""[settings]
{lines}

[[sources]]
name = "town"
domains = ["{site.netloc}"]
language = "en"
{source or f'''feeds = ["{site.url}/feed.xml"]
robots_sitemaps = true
archives = ["{site.url}/{{date:%Y/%m/%d}}/"]'''}
""",
        encoding="utf-8",
    )
    return path


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return f'"{value}"' if isinstance(value, str) else str(value)


def crawl_command(config: Path, first: str, last: str, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "spiders.crawl", "--config", str(config),
            "--from", first, "--to", last, "--out", str(out), *extra]


def crawl_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSMILL_")}
    env["PYTHONPATH"] = str(REPO)
    return env


def run_crawl(config: Path, first: str, last: str, out: Path, *extra: str,
              timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(crawl_command(config, first, last, out, *extra), cwd=REPO,
                          env=crawl_env(), capture_output=True, text=True, timeout=timeout)
