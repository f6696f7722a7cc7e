from __future__ import annotations

import pytest

from spiders.canonical import canonical_url, is_tracking_param


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://Example.COM:80/a/b?z=1&a=2#frag", "http://example.com/a/b?a=2&z=1"),
        ("https://example.com:443", "https://example.com/"),
        ("https://example.com:8443/x", "https://example.com:8443/x"),
        ("http://127.0.0.1:8080/news/a?utm_source=rss&utm_MEDIUM=x", "http://127.0.0.1:8080/news/a"),
        (
            "https://example.com/a?id=5&fbclid=1&gclid=2&dclid=3&msclkid=4&mc_cid=5&mc_eid=6"
            "&igshid=7&_ga=8&yclid=9&ref_src=10&cmpid=11&__hstc=12",
            "https://example.com/a?id=5",
        ),
        ("https://example.com/a%2fb?q=%41", "https://example.com/a%2Fb?q=A"),
        ("  https://example.com/a?b=&a=1  ", "https://example.com/a?a=1&b="),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_same_article_from_feed_and_sitemap_is_one_url() -> None:
    feed = "https://News.example.com/2026/11/20/story-1/?utm_source=rss&utm_campaign=feed#comments"
    sitemap = "https://news.example.com:443/2026/11/20/story-1/"
    assert canonical_url(feed) == canonical_url(sitemap)


def test_content_parameters_are_kept() -> None:
    assert canonical_url("https://example.com/article.php?page=2&id=77") == (
        "https://example.com/article.php?id=77&page=2"
    )
    assert not is_tracking_param("id")
    assert is_tracking_param("UTM_Content")
