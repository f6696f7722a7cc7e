"""Where a source's requests may go (`spiders.guard.refusal`, `Source.owns`/`allows`) and how the
config names the extra hosts; the crawl over loopback is in tests/hostile/test_offsite.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy import Request

from newsmill.config import ConfigError, Source, load_config
from spiders.guard import refusal

SOURCE = Source(name="town", domains=("news.test", "127.0.0.1:8781"), language="en",
                feeds=("https://feeds.cdn.test/rss.xml",), sitemaps=("http://127.0.0.1:9000/sitemap.xml",),
                extra_hosts=("img.test",))
HOSTS = "is not one of the source's hosts"
DOMAINS = "is not one of the source's domains"


@pytest.mark.parametrize(("url", "kind", "reason"), [
    ("https://news.test/a/story", "article", None),
    ("https://www.news.test/a/story", "article", None),  # subdomains of a domain
    ("http://news.test:8080/a/story", "article", None),  # a domain without a port: any port
    ("http://127.0.0.1:8781/a/story", "archive", None),
    ("http://127.0.0.1:8782/a/story", "article", f"refused: host 127.0.0.1:8782 {DOMAINS}"),
    ("https://feeds.cdn.test/other.xml", "sitemap", None),  # the host of a configured feed
    ("https://feeds.cdn.test/a/story", "article", f"refused: host feeds.cdn.test {DOMAINS}"),
    ("https://x.feeds.cdn.test/rss.xml", "feed", f"refused: host x.feeds.cdn.test {HOSTS}"),
    ("http://127.0.0.1:9000/news.xml", "sitemap", None),
    ("http://127.0.0.1:9001/news.xml", "sitemap", f"refused: host 127.0.0.1:9001 {HOSTS}"),
    ("https://img.test/sitemap.xml", "robots", None),  # extra_hosts
    ("https://img.test/a/story", "article", f"refused: host img.test {DOMAINS}"),
    ("http://169.254.169.254/latest/meta-data/", "sitemap", f"refused: host 169.254.169.254 {HOSTS}"),
    ("http://news.test@169.254.169.254/", "sitemap", f"refused: host 169.254.169.254 {HOSTS}"),
    ("http://2852039166/", "sitemap", f"refused: host 2852039166 {HOSTS}"),  # 169.254.169.254 as one number
    ("http://news.test.evil.test/", "sitemap", f"refused: host news.test.evil.test {HOSTS}"),
    ("http://evilnews.test/", "sitemap", f"refused: host evilnews.test {HOSTS}"),
    ("file:///etc/passwd", "sitemap", "refused: scheme 'file' is not http or https"),
    ("ftp://news.test/a/story", "article", "refused: scheme 'ftp' is not http or https"),
    ("https://news.test/" + "a" * 2100, "article", "refused: URL of 2118 characters, longer than the 2083 allowed"),
    ("http://169.254.169.254/latest/", None, f"refused: host 169.254.169.254 {HOSTS}"),  # Scrapy's own robots.txt
])
def test_refusal(url: str, kind: str | None, reason: str | None) -> None:
    meta = {"newsmill_kind": kind} if kind else {}
    assert refusal(SOURCE, Request(url, meta=meta)) == reason


def test_refusal_of_a_redirect_names_its_target() -> None:
    moved = {"redirect_urls": ["https://news.test/feed.xml"]}
    feed = Request("http://169.254.169.254/", meta={"newsmill_kind": "feed", **moved})
    assert refusal(SOURCE, feed) == f"refused: host 169.254.169.254 {HOSTS} (redirected to http://169.254.169.254/)"
    story = Request("https://other.test/story", meta={"newsmill_kind": "article", **moved})
    assert refusal(SOURCE, story) == "redirected off-site to https://other.test/story"
    on_site = Request("https://www.news.test/story", meta={"newsmill_kind": "article", **moved})
    assert refusal(SOURCE, on_site) is None


CONFIG = """[[sources]]
name = "town"
domains = ["news.test"]
language = "en"
sitemaps = ["https://news.test/sitemap.xml"]
"""


def test_extra_hosts_are_read_and_validated(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(CONFIG + 'extra_hosts = ["CDN.example.org", "127.0.0.1:8790"]\n')
    source = load_config(path).source("town")
    assert source.extra_hosts == ("cdn.example.org", "127.0.0.1:8790")
    assert source.allows("https://cdn.example.org/sitemap.xml") and not source.owns("https://cdn.example.org/a")
    assert load_config(_write(path, CONFIG)).source("town").extra_hosts == ()  # nothing extra by default
    for bad in ('"https://cdn.example.org/"', '"cdn.example.org/sitemaps"', '"user@cdn.example.org"',
                '"cdn.example.org:http"', '"cdn example.org"', '""'):
        with pytest.raises(ConfigError, match=r"source 'town': extra_hosts: ") as error:
            load_config(_write(path, CONFIG + f"extra_hosts = [{bad}]\n"))
        assert str(path) in str(error.value)


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path
