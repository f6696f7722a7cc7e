"""The crawler goes only where the config says (SSRF): a real crawl over loopback whose listings
point at another host (a second server on another port, ``localhost`` for ``127.0.0.1``, a CDN's
robots.txt redirecting away) and at ``file:`` and ``ftp:`` URLs.

The other host must get no request at all, nothing of it may reach a WARC file, the links it would
have given are not followed, and every refused URL is a ``failed`` crawl.jsonl row naming the host.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import crawl, warc_records

from bench.hostile_site import article
from bench.loopback_sites import (
    SECRET,
    CountingSite,
    OffsiteSites,
    settings_toml,
    sitemap_index,
    urlset,
)
from newsmill.demo.server import Page


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[OffsiteSites, dict[str, dict], Path]]:
    work = tmp_path_factory.mktemp("offsite")
    sites = OffsiteSites()
    try:
        rows = crawl(sites.config(work / "sources.toml", work / "data"), work / "run")
        by_url = {row["url"]: row for row in rows}
        assert len(by_url) == len(rows)  # one row per URL
        yield sites, by_url, work / "data"
    finally:
        sites.stop()


def test_the_other_host_gets_no_request_at_all(crawled) -> None:
    sites, rows, _ = crawled
    assert sum(sites.other.hits.values()) == 0, sites.other.hits
    assert sites.site.hits["/a/lured"] == 0  # links the other host would have given
    assert sites.site.hits["/news.xml"] == 1  # once as 127.0.0.1, never as localhost
    assert f"{sites.other.url}/a/story" not in rows  # a partner's story in a feed: left out unlogged


def test_only_the_sources_pages_are_stored(crawled) -> None:
    sites, rows, data = crawled
    s = sites.site.url
    for url in (f"{s}/a/good", f"{s}/a/from-sitemap", f"{s}/a/via-cdn-feed", f"{sites.cdn.url}/feed.xml"):
        assert rows[url]["outcome"] == "fetched", rows[url]
    for uri, body in warc_records(data):
        assert uri.startswith((s + "/", sites.cdn.url + "/")), uri
        assert SECRET.encode() not in body and b"root:x:0:0" not in body, uri


@pytest.mark.parametrize(("listed", "kind", "error"), [
    ("{o}/sitemap.xml", "sitemap", "refused: host {on} is not one of the source's hosts"),
    ("{o}/robots-sitemap.xml", "sitemap", "refused: host {on} is not one of the source's hosts"),
    ("http://localhost:{sp}/news.xml", "sitemap", "refused: host localhost:{sp} is not one of the source's hosts"),
    ("file:///etc/passwd", "article", "refused: scheme 'file' is not http or https"),
    ("file:///etc/hosts", "sitemap", "refused: scheme 'file' is not http or https"),
    ("file:///etc/group", "sitemap", "refused: scheme 'file' is not http or https"),
    ("ftp://{on}/a/story", "article", "refused: scheme 'ftp' is not http or https"),
    ("ftp://{on}/sitemap.xml", "sitemap", "refused: scheme 'ftp' is not http or https"),
    ("c1file:/", "article", "refused: not a valid URL"),  # listed as c1file://: Scrapy cannot request it
], ids=["index-child", "robots-sitemap-line", "localhost-for-127.0.0.1", "file-sitemap-url", "file-index-child",
        "file-robots-sitemap-line", "ftp-feed-item", "ftp-index-child", "no-valid-url"])
def test_a_listed_url_elsewhere_is_refused_and_logged(crawled, listed: str, kind: str, error: str) -> None:
    sites, rows, _ = crawled
    names = {"o": sites.other.url, "on": sites.other.netloc, "sp": sites.site.server.port}
    row = rows.get(listed.format(**names))
    assert row is not None, f"no crawl_log row for {listed}"
    assert (row["kind"], row["outcome"], row["error"]) == (kind, "failed", error.format(**names))
    assert row["warc_file"] is None


def test_redirects_to_another_host_are_refused(crawled) -> None:
    sites, rows, _ = crawled
    for feed in ("/feed-301.xml", "/feed-302.xml", "/feed-307.xml", "/feed-308.xml", "/feed-refresh.xml"):
        row = rows[sites.site.url + feed]
        assert (row["kind"], row["outcome"]) == ("feed", "failed"), feed
        assert row["error"] == (f"refused: host {sites.other.netloc} is not one of the source's hosts "
                                f"(redirected to {sites.other.url}/feed.xml)"), feed
    row = rows[sites.site.url + "/a/moved-away"]
    assert (row["kind"], row["outcome"]) == ("article", "failed")
    assert row["error"] == f"redirected off-site to {sites.other.url}/a/story"


def test_scrapys_own_robots_txt_request_is_refused_when_redirected_away(crawled) -> None:
    sites, rows, _ = crawled
    assert sites.cdn.hits["/robots.txt"] == 1
    row = rows[f"{sites.cdn.url}/robots.txt"]
    assert (row["kind"], row["outcome"]) == ("robots", "failed")
    assert row["error"] == (f"refused: host {sites.other.netloc} is not one of the source's hosts "
                            f"(redirected to {sites.other.url}/robots.txt)")


def test_extra_hosts_allow_a_sitemap_on_another_host(tmp_path: Path) -> None:
    site, cdn = CountingSite(), CountingSite()
    try:
        site.set_routes({"/robots.txt": Page(b"User-agent: *\nAllow: /\n", content_type="text/plain"),
                         "/sitemap_index.xml": sitemap_index(f"{cdn.url}/sitemap.xml"),
                         "/a/from-cdn-sitemap": Page(article("From the CDN sitemap"))})
        cdn.set_routes({"/robots.txt": Page(b"User-agent: *\nAllow: /\n", content_type="text/plain"),
                        "/sitemap.xml": urlset(f"{site.url}/a/from-cdn-sitemap", f"{cdn.url}/a/on-the-cdn")})
        config = tmp_path / "sources.toml"
        config.write_text(settings_toml(tmp_path / "data") + f"""
[[sources]]
name = "town"
domains = ["{site.netloc}"]
language = "en"
sitemaps = ["{site.url}/sitemap_index.xml"]
extra_hosts = ["{cdn.netloc}"]
""", encoding="utf-8")
        rows = {row["url"]: row for row in crawl(config, tmp_path / "run")}
    finally:
        site.stop()
        cdn.stop()
    assert rows[f"{cdn.url}/sitemap.xml"]["outcome"] == "fetched" and cdn.hits["/sitemap.xml"] == 1
    assert rows[f"{site.url}/a/from-cdn-sitemap"]["outcome"] == "fetched"
    assert f"{cdn.url}/a/on-the-cdn" not in rows  # articles stay on the source's domains
    stored = {uri for uri, _ in warc_records(tmp_path / "data")}
    assert f"{cdn.url}/sitemap.xml" in stored
