"""Limits and inputs: every number in [settings] within its range, listings with their own size
limit (the sitemap protocol's 50 MB), over-long URLs logged instead of dropped, and a page over the
limit sent without Content-Length said to be one."""

from __future__ import annotations

import gzip
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import crawl

from bench.cli_harness import NEWSMILL
from bench.hostile_site import DAY, article, big_sitemap, unannounced
from bench.loopback_sites import CountingSite, settings_toml
from newsmill.demo.server import Page

MAX_PAGE_BYTES = 100_000
LONG = "/a/" + "long-" * 2000  # a 10,003-character path


@pytest.mark.parametrize(("setting", "value", "expected"), [
    ("max_page_bytes", 0, "settings.max_page_bytes: must be between 1024 and 1073741824 bytes, got 0"),
    ("download_timeout", 0, "settings.download_timeout: must be between 1 and 3600 seconds, got 0"),
    ("download_timeout", float("nan"), "settings.download_timeout: must be between 1 and 3600 seconds, got nan"),
    ("concurrency", 0, "settings.concurrency: must be between 1 and 1024, got 0"),
    ("concurrency_per_domain", 0, "settings.concurrency_per_domain: must be between 1 and 256, got 0"),
    ("retries", 11, "settings.retries: must be between 0 and 10, got 11"),
    ("download_delay", 7200, "settings.download_delay: must be between 0 and 3600 seconds, got 7200"),
])
def test_settings_out_of_range_are_refused_naming_the_field(tmp_path: Path, setting: str, value: float,
                                                            expected: str) -> None:
    config = tmp_path / "sources.toml"
    config.write_text(f"""[settings]
{setting} = {value}

[[sources]]
name = "town"
domains = ["news.test"]
language = "en"
feeds = ["https://news.test/feed.xml"]
""", encoding="utf-8")
    result = subprocess.run([NEWSMILL, "--config", str(config), "sources"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2, result.stderr
    assert expected in result.stderr and str(config) in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[CountingSite, dict[str, dict]]]:
    work = tmp_path_factory.mktemp("limits")
    site = CountingSite()
    s = site.url
    big = big_sitemap(s, "/a/from-big-sitemap")
    assert len(big) > 17_000_000
    items = "".join(f"<item><title>{path[:20]}</title><link>{s}{path}</link>"
                    f"<pubDate>Fri, 20 Nov 2026 10:00:00 +0000</pubDate></item>"
                    for path in (LONG, "/a/short", "/a/huge", "/a/huge-unannounced"))
    padding = "<!--" + "x" * MAX_PAGE_BYTES + "-->"
    site.set_routes({
        "/robots.txt": Page(b"User-agent: *\nAllow: /\n", content_type="text/plain"),
        "/sitemap.xml": Page(big, content_type="application/xml"),
        "/sitemap-encoded.xml": Page(gzip.compress(big_sitemap(s, "/a/from-encoded-sitemap")),
                                     content_type="application/xml", headers={"Content-Encoding": "gzip"}),
        "/feed.xml": Page(f"<rss version='2.0'><channel><title>F</title>{items}</channel></rss>".encode(),
                          content_type="application/rss+xml"),
        LONG: Page(article("Long")),
        "/a/short": Page(article("Short")),
        "/a/huge": Page(article("Huge", extra_head=padding)),
        "/a/huge-unannounced": unannounced(article("Huge, length unsaid", extra_head=padding)),
        "/a/from-big-sitemap": Page(article("From the big sitemap")),
        "/a/from-encoded-sitemap": Page(article("From the encoded sitemap")),
    })
    config = work / "sources.toml"
    config.write_text(settings_toml(work / "data", max_page_bytes=MAX_PAGE_BYTES) + f"""
[[sources]]
name = "town"
domains = ["{site.netloc}"]
language = "en"
feeds = ["{s}/feed.xml"]
sitemaps = ["{s}/sitemap.xml", "{s}/sitemap-encoded.xml"]
""", encoding="utf-8")
    try:
        rows = crawl(config, work / "run", DAY)
        yield site, {row["url"].removeprefix(s): row for row in rows}
    finally:
        site.stop()


def test_a_sitemap_over_the_page_limit_is_read(crawled) -> None:
    site, rows = crawled
    for listing in ("/sitemap.xml", "/sitemap-encoded.xml"):
        assert (rows[listing]["outcome"], rows[listing]["status"]) == ("fetched", 200), rows[listing]
    for path in ("/a/from-big-sitemap", "/a/from-encoded-sitemap"):
        assert rows[path]["outcome"] == "fetched" and site.hits[path] == 1, rows[path]
    assert rows["/a/huge"]["outcome"] == "failed"  # articles keep max_page_bytes
    assert rows["/a/huge"]["error"].startswith("page larger than the size limit (Expected to receive")


def test_an_over_long_url_is_logged_not_dropped(crawled) -> None:
    site, rows = crawled
    row = rows[LONG]
    assert (row["kind"], row["outcome"], row["listed_date"]) == ("article", "failed", DAY)
    assert row["error"] == f"refused: URL of {len(site.url + LONG)} characters, longer than the 2083 allowed"
    assert site.hits[LONG] == 0
    assert rows["/a/short"]["outcome"] == "fetched"


def test_a_page_over_the_limit_without_content_length_says_so(crawled) -> None:
    _, rows = crawled
    row = rows["/a/huge-unannounced"]
    assert (row["outcome"], row["status"]) == ("failed", None)
    assert row["error"] == f"page larger than the size limit (more than {MAX_PAGE_BYTES} bytes received)"
