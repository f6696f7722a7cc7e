"""Date selection from feeds, sitemaps, robots.txt and archive pages (pure functions, no network)."""

from __future__ import annotations

import gzip
from datetime import date

import pytest

from newsmill.config import Source
from spiders.listings import (
    Listing,
    ListingError,
    gunzip_capped,
    is_archive_page,
    looks_like_article,
    parse_archive,
    parse_feed,
    parse_sitemap,
    robots_sitemaps,
    robots_urls,
    select_feed,
    select_sitemap,
    written_date,
)

D20, D21 = date(2026, 11, 20), date(2026, 11, 21)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-20", D20),
        ("2026-11-20T23:30:00-05:00", D20),  # 21 Nov in UTC: the publisher's day counts
        ("2026-11-21T00:30:00+01:00", D21),  # 20 Nov in UTC
        ("2026-11-20T10:00Z", D20),
        ("Fri, 20 Nov 2026 23:30:00 -0500", D20),
        ("Sat, 21 Nov 2026 00:10:00 +0100", D21),
        ("20 Nov 2026 08:00:00 GMT", D20),
        ("2026-11", None),
        ("yesterday", None),
        ("", None),
        (None, None),
    ],
)
def test_written_date(text: str | None, expected: date | None) -> None:
    assert written_date(text) == expected


RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Site</title><link>https://news.test/</link>
<item><title>Late on the 20th, New York time</title><link>https://news.test/a/late-20</link>
  <pubDate>Fri, 20 Nov 2026 23:30:00 -0500</pubDate></item>
<item><title>Early on the 21st, Berlin time</title><link>https://news.test/a/early-21</link>
  <pubDate>Sat, 21 Nov 2026 00:10:00 +0100</pubDate></item>
<item><title>Relative link</title><link>/a/relative-20</link>
  <pubDate>Fri, 20 Nov 2026 09:00:00 GMT</pubDate></item>
<item><title>No date</title><link>https://news.test/a/undated</link></item>
<item><title>Mail</title><link>mailto:desk@news.test</link></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Site</title>
<entry><title>Published the 19th, updated the 20th</title>
  <link rel="alternate" href="https://news.test/a/edited-19"/>
  <published>2026-11-19T22:00:00+02:00</published><updated>2026-11-20T08:00:00+02:00</updated></entry>
<entry><title>Only updated</title><link href="https://news.test/a/only-updated-20"/>
  <updated>2026-11-20T23:59:00-08:00</updated></entry>
</feed>"""


def test_rss_dates_keep_the_publishers_offset() -> None:
    items = {x.url: x for x in parse_feed(RSS, "https://news.test/feed.xml")}
    assert set(items) == {
        "https://news.test/a/late-20",
        "https://news.test/a/early-21",
        "https://news.test/a/relative-20",
        "https://news.test/a/undated",
    }
    assert items["https://news.test/a/late-20"].listed_date == D20
    assert items["https://news.test/a/early-21"].listed_date == D21
    assert items["https://news.test/a/late-20"].title == "Late on the 20th, New York time"
    assert items["https://news.test/a/undated"].listed_date is None


def test_feed_selection_takes_the_range_and_undated_items() -> None:
    selected = select_feed(parse_feed(RSS, "https://news.test/feed.xml"), D20, D20)
    assert [x.url for x in selected] == [
        "https://news.test/a/late-20",
        "https://news.test/a/relative-20",
        "https://news.test/a/undated",
    ]


def test_atom_prefers_published_over_updated() -> None:
    items = {x.url: x.listed_date for x in parse_feed(ATOM, "https://news.test/atom")}
    assert items == {"https://news.test/a/edited-19": date(2026, 11, 19),
                     "https://news.test/a/only-updated-20": D20}
    assert [x.url for x in select_feed(parse_feed(ATOM), D20, D21)] == ["https://news.test/a/only-updated-20"]


URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://news.test/a/one-20</loc><lastmod>2026-11-20T10:00:00+00:00</lastmod></url>
<url><loc>https://news.test/a/two-21</loc><lastmod>2026-11-21</lastmod></url>
<url><loc>https://news.test/a/old-2019</loc><lastmod>2019-01-01</lastmod></url>
<url><loc>https://news.test/about-us</loc></url>
</urlset>"""

NEWS = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://news.test/a/published-19-edited-20</loc><lastmod>2026-11-20T07:00:00Z</lastmod>
  <news:news><news:publication><news:name>Test</news:name><news:language>en</news:language></news:publication>
  <news:publication_date>2026-11-19T21:00:00-05:00</news:publication_date>
  <news:title>Published on the 19th</news:title></news:news></url>
<url><loc>https://news.test/a/published-20</loc>
  <news:news><news:publication_date>2026-11-20T01:00:00+09:00</news:publication_date>
  <news:title>Published on the 20th &amp; more</news:title></news:news></url>
</urlset>"""

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://news.test/sitemaps/2026-10.xml</loc><lastmod>2026-10-31T23:00:00Z</lastmod></sitemap>
<sitemap><loc>https://news.test/sitemaps/2026-11.xml.gz</loc><lastmod>2026-11-21</lastmod></sitemap>
<sitemap><loc>/sitemaps/news.xml</loc></sitemap>
</sitemapindex>"""


def test_urlset_lastmod_selection() -> None:
    urls, children = select_sitemap(parse_sitemap(URLSET), D20, D20)
    assert [x.url for x in urls] == ["https://news.test/a/one-20"]
    assert children == []
    urls, _ = select_sitemap(parse_sitemap(URLSET), D20, D21)
    assert [x.url for x in urls] == ["https://news.test/a/one-20", "https://news.test/a/two-21"]


def test_news_sitemap_prefers_publication_date_over_lastmod() -> None:
    sitemap = parse_sitemap(NEWS)
    assert [x.listed_date for x in sitemap.urls] == [date(2026, 11, 19), D20]
    urls, _ = select_sitemap(sitemap, D20, D20)
    assert urls == [Listing("https://news.test/a/published-20", D20, "Published on the 20th & more")]


def test_undated_sitemap_urls_only_when_nothing_is_dated() -> None:
    undated = b"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <url><loc>https://news.test/a/x-1</loc></url><url><loc>https://news.test/a/y-2</loc></url></urlset>"""
    urls, _ = select_sitemap(parse_sitemap(undated), D20, D20)
    assert [x.url for x in urls] == ["https://news.test/a/x-1", "https://news.test/a/y-2"]
    # URLSET has an undated /about-us among dated entries: left out
    urls, _ = select_sitemap(parse_sitemap(URLSET), date(2000, 1, 1), date(2100, 1, 1))
    assert "https://news.test/about-us" not in [x.url for x in urls]


def test_index_skips_children_last_modified_before_the_range() -> None:
    sitemap = parse_sitemap(INDEX, "https://news.test/sitemap.xml")
    urls, children = select_sitemap(sitemap, D20, D20)
    assert urls == []
    assert [x.url for x in children] == [
        "https://news.test/sitemaps/2026-11.xml.gz",
        "https://news.test/sitemaps/news.xml",  # undated: may hold the day, fetched
    ]
    _, children = select_sitemap(sitemap, date(2026, 10, 31), D20)
    assert len(children) == 3


def test_gzip_sitemap_and_size_cap() -> None:
    packed = gzip.compress(URLSET)
    assert [x.url for x in parse_sitemap(packed).urls][0] == "https://news.test/a/one-20"
    with pytest.raises(ListingError, match="larger than"):
        parse_sitemap(packed, limit=100)
    bomb = gzip.compress(b"<urlset>" + b" " * 5_000_000 + b"</urlset>")
    with pytest.raises(ListingError):
        gunzip_capped(bomb, limit=1_000_000)
    with pytest.raises(ListingError, match="broken gzip"):
        gunzip_capped(b"\x1f\x8b\x08\x00garbage")


def test_sitemap_parser_resolves_no_entities() -> None:
    evil = b"""<?xml version="1.0"?>
<!DOCTYPE urlset [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://news.test/a/&xxe;</loc><lastmod>2026-11-20</lastmod></url></urlset>"""
    with pytest.raises(ListingError, match="declares XML entities"):
        parse_sitemap(evil)
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;">]>'
              b"<urlset><url><loc>https://news.test/a/&lol1;</loc></url></urlset>")
    with pytest.raises(ListingError, match="declares XML entities"):
        parse_sitemap(laughs)


def test_wrong_namespace_and_text_sitemaps() -> None:
    wrong_ns = b"""<urlset xmlns="http://www.google.com/schemas/sitemap/0.84">
    <url><loc>https://news.test/a/n-1</loc><lastmod>2026-11-20</lastmod></url></urlset>"""
    assert [x.url for x in parse_sitemap(wrong_ns).urls] == ["https://news.test/a/n-1"]
    text = b"https://news.test/a/t-1\n\nhttps://news.test/a/t-2\nnot a url\n"
    assert [x.url for x in parse_sitemap(text).urls] == ["https://news.test/a/t-1", "https://news.test/a/t-2"]


def test_documents_that_are_no_listing_raise_readable_errors() -> None:
    for body in (b"", b"\x00\x01not a feed \xff", b'{"json": true}'):
        with pytest.raises(ListingError, match="not an RSS or Atom feed"):
            parse_feed(body)
    with pytest.raises(ListingError, match="not an RSS or Atom feed"):
        parse_feed(b"<html><body><p>Our feed has moved.</p></body></html>")
    assert parse_feed(b"<rss version='2.0'><channel><title>quiet day</title></channel></rss>") == []
    with pytest.raises(ListingError, match="empty sitemap"):
        parse_sitemap(b"  \n")
    with pytest.raises(ListingError, match="not a sitemap"):
        parse_sitemap(b'{"sitemap": "json"}')


def test_robots_sitemap_discovery() -> None:
    robots = b"""User-agent: *
Disallow: /search
Crawl-delay: 2

Sitemap: https://news.test/sitemap_index.xml
sitemap: /news-sitemap.xml
Sitemap: https://news.test/sitemap_index.xml
"""
    assert robots_sitemaps(robots, "https://news.test/robots.txt") == [
        "https://news.test/sitemap_index.xml",
        "https://news.test/news-sitemap.xml",
    ]
    assert robots_sitemaps(b"User-agent: *\nDisallow:\n", "https://news.test/robots.txt") == []


def test_robots_urls_of_a_source() -> None:
    source = Source(
        name="s",
        domains=("news.test", "127.0.0.1:8000"),
        language="en",
        feeds=("https://www.news.test/feed.xml", "https://cdn.example/feed.xml"),
        robots_sitemaps=True,
    )
    assert robots_urls(source) == [
        "https://www.news.test/robots.txt",
        "https://news.test/robots.txt",
        "http://127.0.0.1:8000/robots.txt",
    ]


SOURCE = Source(
    name="s",
    domains=("news.test",),
    language="en",
    archives=("https://news.test/{date:%Y/%m/%d}/", "https://news.test/archive?day={date:%Y-%m-%d}"),
)


def test_archive_templates_and_pages() -> None:
    assert SOURCE.archive_urls(D20) == ["https://news.test/2026/11/20/", "https://news.test/archive?day=2026-11-20"]
    assert is_archive_page("https://news.test/2026/11/19/", SOURCE)
    assert is_archive_page("https://news.test/2026/11/20/page/2/", SOURCE)
    assert is_archive_page("https://news.test/archive?day=2026-11-21", SOURCE)
    assert not is_archive_page("https://news.test/2026/11/20/the-story/", SOURCE)


@pytest.mark.parametrize(
    ("url", "article"),
    [
        ("https://news.test/2026/11/20/council-votes-on-budget/", True),
        ("https://news.test/world/europe-12345678", True),
        ("https://news.test/story.html", True),
        ("https://news.test/article.php?id=4711", True),
        ("https://news.test/", False),
        ("https://news.test/world/", False),
        ("https://news.test/tag/budget", False),
        ("https://news.test/news/author/jane-doe", False),
        ("https://news.test/category/local-news/", False),
        ("https://news.test/feed/", False),
        ("https://news.test/2026/11/20/council-votes/feed/", False),
        ("https://news.test/images/photo-1.jpg", False),
        ("https://news.test/static/app-3.css", False),
        ("https://news.test/page/2", False),
        ("https://news.test/search?q=budget-2026", False),
        ("https://news.test/export?format=rss&id=123", False),
    ],
)
def test_looks_like_article(url: str, article: bool) -> None:
    assert looks_like_article(url) is article


ARCHIVE_PAGE = b"""<html><head><title>Archive</title></head><body>
<nav><a href="/">Home</a> <a href="/world/">World</a> <a href="/tag/budget">budget</a>
 <a href="/author/jane-doe">Jane Doe</a> <a href="/feed/">RSS</a></nav>
<ul>
 <li><a href="/2026/11/20/council-votes-on-budget/">Council votes
   on budget</a></li>
 <li><a href="https://news.test/2026/11/20/storm-closes-schools/#comments">Storm closes schools</a></li>
 <li><a href="https://other.example/2026/11/20/partner-story/">Partner story</a></li>
 <li><a href="/2026/11/20/council-votes-on-budget/">Council votes on budget</a></li>
 <li><a href="mailto:desk@news.test">Mail us</a></li>
</ul>
<a href="/2026/11/19/">Previous day</a> <a href="/2026/11/20/page/2/">More</a>
<a href="/archive?day=2026-11-21">Next day</a> <a href="/media/chart-1.png">chart</a>
</body></html>"""


def test_archive_links_keep_articles_on_the_source_domains() -> None:
    page = parse_archive(ARCHIVE_PAGE, "https://news.test/2026/11/20/", SOURCE, D20)
    assert page.articles == [
        Listing("https://news.test/2026/11/20/council-votes-on-budget/", D20, "Council votes on budget"),
        Listing("https://news.test/2026/11/20/storm-closes-schools/", D20, "Storm closes schools"),
    ]
    # the next page of the same day is followed; other days' archives are not
    assert page.more_pages == ["https://news.test/2026/11/20/page/2/"]
    empty = parse_archive(b"", "https://news.test/2026/11/20/", SOURCE, D20)
    assert empty.articles == [] and empty.more_pages == []


def test_archive_pagination_does_not_match_a_longer_day() -> None:
    source = Source(name="s", domains=("news.test",), language="en",
                    archives=("https://news.test/{date:%Y/%-m/%-d}/",))
    body = b"""<a href="/2026/11/20/">the 20th</a> <a href="/2026/11/2/page/2">next</a>
    <a href="/2026/11/2/story-one">Story one</a>"""
    page = parse_archive(body, "https://news.test/2026/11/2/", source, date(2026, 11, 2))
    assert page.more_pages == ["https://news.test/2026/11/2/page/2"]
    assert [x.url for x in page.articles] == ["https://news.test/2026/11/2/story-one"]
