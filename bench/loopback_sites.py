"""Loopback sites that count the requests they get, for the crawl-level security and limit tests
(``tests/hostile``) and ``bench/run_faults.py``: the hosts of the off-site scenario and the pages
whose titles hold terminal markup.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path

from bench.hostile_site import DAY, Hits, Route, article
from newsmill.demo.server import Page, SiteServer


class CountingSite:
    """A started SiteServer on 127.0.0.1 that counts the requests per path of its routes."""

    def __init__(self) -> None:
        self.server = SiteServer()
        self._counter = Hits()
        self.hits = self._counter.counts
        self.server.start()

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def netloc(self) -> str:
        return self.server.netloc

    def set_routes(self, routes: Mapping[str, Route]) -> None:
        self.server.set_routes(self._counter.counted(routes))

    def stop(self) -> None:
        self.server.stop()


def settings_toml(data_dir: Path, **settings: object) -> str:
    """A ``[settings]`` table for fast loopback crawls, with `settings` on top."""
    values = {"data_dir": str(data_dir), "download_delay": 0, "autothrottle": False, "retries": 0,
              "download_timeout": 5, **settings}
    return "[settings]\n" + "".join(f"{key} = {json.dumps(value)}\n" for key, value in values.items())


# --- listings pointing at another host (test_offsite.py) -----------------------------------------

SECRET = "AKIAOTHERHOSTSECRET"
"""What the other host serves: must never be stored."""
PUBDATE = "Fri, 20 Nov 2026 10:00:00 +0000"


def rss(*links: str) -> Page:
    items = "".join(f"<item><title>{link[-30:]}</title><link>{link}</link><pubDate>{PUBDATE}</pubDate></item>"
                    for link in links)
    return Page(f"<rss version='2.0'><channel><title>F</title>{items}</channel></rss>".encode(),
                content_type="application/rss+xml")


def urlset(*locs: str) -> Page:
    urls = "".join(f"<url><loc>{loc}</loc><lastmod>{DAY}</lastmod></url>" for loc in locs)
    return Page(f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode(),
                content_type="application/xml")


def sitemap_index(*locs: str) -> Page:
    maps = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locs)
    return Page(f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{maps}</sitemapindex>'.encode(),
                content_type="application/xml")


class OffsiteSites:
    """`site` is the source's own; `cdn` hosts one of its feeds; `other` is named nowhere, yet the
    site's sitemap index and robots.txt list sitemaps on it, and its feeds redirect to it."""

    def __init__(self) -> None:
        self.site, self.cdn, self.other = CountingSite(), CountingSite(), CountingSite()
        s, o = self.site.url, self.other.url
        lured = f"{s}/a/lured"  # on the source's own site, but listed only by the other host
        self.other.set_routes({
            "/robots.txt": Page(f"User-agent: *\nAllow: /\nSitemap: {o}/sitemap.xml\n".encode(),
                                content_type="text/plain"),
            "/feed.xml": rss(lured),
            "/sitemap.xml": urlset(lured),
            "/robots-sitemap.xml": urlset(lured),
            "/latest/meta-data/": Page(SECRET.encode(), content_type="text/plain"),
            "/a/story": Page(article(SECRET)),
        })
        self.cdn.set_routes({
            "/robots.txt": Page(b"", status=301, headers={"Location": f"{o}/robots.txt"}),
            "/feed.xml": rss(f"{s}/a/via-cdn-feed"),
        })
        self.site.set_routes({
            "/robots.txt": Page(f"User-agent: *\nAllow: /\nSitemap: {o}/robots-sitemap.xml\n"
                                f"Sitemap: file:///etc/group\n".encode(), content_type="text/plain"),
            "/feed.xml": rss(f"{s}/a/good", f"{s}/a/moved-away", f"ftp://{self.other.netloc}/a/story",
                             f"{o}/a/story"),
            **{f"/feed-{status}.xml": Page(b"", status=status, headers={"Location": f"{o}/feed.xml"})
               for status in (301, 302, 307, 308)},
            "/feed-refresh.xml": Page(f"<html><head><meta http-equiv='refresh' content='0; url={o}/feed.xml'>"
                                      f"</head><body>moved</body></html>".encode()),
            "/sitemap_index.xml": sitemap_index(f"{o}/sitemap.xml", f"http://localhost:{self.site.server.port}/news.xml",
                                                "file:///etc/hosts", f"ftp://{self.other.netloc}/sitemap.xml",
                                                f"{s}/news.xml"),
            "/news.xml": urlset(f"{s}/a/from-sitemap", "file:///etc/passwd", "c1file://"),
            "/a/good": Page(article("Good")),
            "/a/from-sitemap": Page(article("From the sitemap")),
            "/a/via-cdn-feed": Page(article("Via the CDN feed")),
            "/a/lured": Page(article("Lured")),
            "/a/moved-away": Page(b"", status=302, headers={"Location": f"{o}/a/story"}),
        })

    def config(self, path: Path, data_dir: Path) -> Path:
        s = self.site.url
        feeds = [f"{s}/feed.xml", *(f"{s}/feed-{x}.xml" for x in (301, 302, 307, 308, "refresh")),
                 f"{self.cdn.url}/feed.xml"]
        path.write_text(settings_toml(data_dir) + f"""
[[sources]]
name = "town"
domains = ["{self.site.netloc}"]
language = "en"
feeds = [{", ".join(f'"{f}"' for f in feeds)}]
sitemaps = ["{s}/sitemap_index.xml"]
robots_sitemaps = true
""", encoding="utf-8")
        return path

    def stop(self) -> None:
        for server in (self.site, self.cdn, self.other):
            server.stop()


# --- crawled text that is terminal markup (test_terminal_output.py) ------------------------------

MARKUP = "Budget [/bold] vote [red]x[/red] passes"
LINK = "Ferry [link=https://example.invalid]click here[/link] returns"
OSC8 = "\x1b]8;;http://evil.invalid\x07"  # opens a terminal hyperlink to evil.invalid
ESCAPES = f"Harbour {OSC8}evil link\x1b]8;;\x07 then \x1b[2J clear, a bell\x07, and\rback"
# keywords end up in `tags` as served, C1 CSI (U+009B) and bidi override included
KEYWORDS = "storm\x9b2J warning, \u202eflood"
TITLES = {"/s/markup": MARKUP, "/s/link": LINK, "/s/escapes": ESCAPES, "/s/keywords": "Storm keywords"}
CONTROLS = ("\x1b", "\x07", "\r", "\x08", "\x9b", "\u202e")
"""Characters that must never reach a terminal from crawled data."""
# as a terminal: colours and OSC 8 hyperlinks rendered, wide enough that no title wraps
TERMINAL = {**os.environ, "FORCE_COLOR": "1", "TERM": "xterm-256color", "COLUMNS": "200"}
TERMINAL.pop("NO_COLOR", None)
_SGR = re.compile(r"\x1b\[[0-9;]*m")  # the styles rich itself writes


def markup_routes(base: str) -> dict[str, Route]:
    """A feed of the four `TITLES` pages at `base` (the keywords page with `KEYWORDS`)."""
    items = "".join(f"<item><title>story</title><link>{base}{path}</link><pubDate>Fri, 20 Nov 2026 "
                    f"09:00:00 +0000</pubDate></item>" for path in TITLES)
    routes: dict[str, Route] = {
        "/robots.txt": Page(b"User-agent: *\nAllow: /\n", content_type="text/plain"),
        "/feed.xml": Page(f"<rss version='2.0'><channel><title>S</title>{items}</channel></rss>".encode(),
                          content_type="application/rss+xml"),
    }
    routes.update({path: Page(article(title)) for path, title in TITLES.items()})
    routes["/s/keywords"] = Page(article(TITLES["/s/keywords"],
                                         extra_head=f"<meta name='keywords' content='{KEYWORDS}'>"))
    return routes


def visible(output: str) -> str:
    """`output` without rich's own colour codes: any control character left came from the data."""
    return _SGR.sub("", output)
