"""Machine-readable listings of a demo site: robots.txt, RSS 2.0, Atom, sitemaps.

Paths (the same on every site): ``/robots.txt``, ``/rss.xml``, ``/atom.xml`` (sites with those
feeds), ``/sitemap_index.xml`` -> ``/sitemaps/YYYY-MM.xml`` (one per month, with ``lastmod``),
``/news-sitemap.xml`` (Google News, the last `NEWS_DAYS` days).
"""

from __future__ import annotations

import email.utils
from datetime import date, timedelta
from xml.sax.saxutils import escape, quoteattr

from newsmill.demo.model import Article, DemoSite

FEED_ITEMS = 20
"""Items in each feed: the latest ones (about five days)."""
NEWS_DAYS = 2
"""Days covered by the Google News sitemap, ending on the demo's last day."""
TRACKING_QUERY = "?utm_source=rss&utm_medium=feed&utm_campaign=demo"
"""Appended to RSS item links on sites with ``rss_tracking``."""

_XML = '<?xml version="1.0" encoding="UTF-8"?>\n'


def robots_txt(site: DemoSite, base: str) -> str:
    """robots.txt: search and newsletter endpoints disallowed, the sitemaps announced."""
    return (
        "User-agent: *\n"
        "Disallow: /search\n"
        "Disallow: /newsletter/\n"
        "Disallow: /comments/\n"
        "Allow: /\n\n"
        f"Sitemap: {base}/sitemap_index.xml\n"
        f"Sitemap: {base}/news-sitemap.xml\n"
    )


def latest(site: DemoSite, n: int = FEED_ITEMS) -> list[Article]:
    return list(reversed(site.articles))[:n]


def rss(site: DemoSite, base: str) -> str:
    """RSS 2.0 feed of the latest items, dates in the site's own offset (RFC 822)."""
    spec = site.spec
    items = []
    for a in latest(site):
        link = a.url(base) + (TRACKING_QUERY if spec.rss_tracking else "")
        items.append(
            "<item>"
            f"<title>{escape(a.title)}</title>"
            f"<link>{escape(link)}</link>"
            f'<guid isPermaLink="false">{escape(spec.name)}-{a.id}</guid>'
            f"<pubDate>{email.utils.format_datetime(a.published)}</pubDate>"
            f"<dc:creator>{escape(a.author)}</dc:creator>"
            f"<category>{escape(dict(spec.sections)[a.section])}</category>"
            f"<description>{escape(a.description)}</description>"
            "</item>\n"
        )
    built = site.articles[-1].modified if site.articles else None
    return (
        _XML + '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:atom="http://www.w3.org/2005/Atom">\n<channel>\n'
        f"<title>{escape(spec.title)}</title>\n<link>{escape(base)}/</link>\n"
        f"<description>{escape(spec.tagline)}</description>\n<language>{spec.language}</language>\n"
        f'<atom:link href={quoteattr(base + "/rss.xml")} rel="self" type="application/rss+xml"/>\n'
        + (f"<lastBuildDate>{email.utils.format_datetime(built)}</lastBuildDate>\n" if built else "")
        + "".join(items)
        + "</channel>\n</rss>\n"
    )


def atom(site: DemoSite, base: str) -> str:
    """Atom 1.0 feed of the latest items (ISO 8601 dates with the site's offset)."""
    spec = site.spec
    entries = []
    for a in latest(site):
        entries.append(
            "<entry>"
            f"<title>{escape(a.title)}</title>"
            f'<link rel="alternate" type="text/html" href={quoteattr(a.url(base))}/>'
            f"<id>tag:{spec.name}.demo,{a.day.isoformat()}:{a.id}</id>"
            f"<published>{a.published.isoformat()}</published>"
            f"<updated>{a.modified.isoformat()}</updated>"
            f"<author><name>{escape(a.author)}</name></author>"
            f"<summary>{escape(a.description)}</summary>"
            "</entry>\n"
        )
    updated = site.articles[-1].modified.isoformat() if site.articles else "2000-01-01T00:00:00Z"
    return (
        _XML + f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{spec.language}">\n'
        f"<title>{escape(spec.title)}</title>\n<subtitle>{escape(spec.tagline)}</subtitle>\n"
        f'<link rel="self" href={quoteattr(base + "/atom.xml")}/>\n'
        f'<link rel="alternate" href={quoteattr(base + "/")}/>\n'
        f"<id>tag:{spec.name}.demo,2026:feed</id>\n<updated>{updated}</updated>\n"
        + "".join(entries)
        + "</feed>\n"
    )


def months(site: DemoSite) -> list[str]:
    """``YYYY-MM`` of every month with articles, oldest first."""
    return sorted({f"{a.day:%Y-%m}" for a in site.articles})


def sitemap_index(site: DemoSite, base: str) -> str:
    """Sitemap index: one monthly sitemap per month, ``lastmod`` = its latest modification."""
    rows = []
    for month in months(site):
        lastmod = max(a.modified for a in site.articles if f"{a.day:%Y-%m}" == month)
        rows.append(f"<sitemap><loc>{escape(base)}/sitemaps/{month}.xml</loc>"
                    f"<lastmod>{lastmod.isoformat()}</lastmod></sitemap>\n")
    return (_XML + '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + "".join(rows) + "</sitemapindex>\n")


def month_sitemap(site: DemoSite, base: str, month: str) -> str:
    """The articles of `month` (``YYYY-MM``) with ``lastmod``."""
    rows = [
        f"<url><loc>{escape(a.url(base))}</loc><lastmod>{a.modified.isoformat()}</lastmod></url>\n"
        for a in site.articles if f"{a.day:%Y-%m}" == month
    ]
    return (_XML + '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + "".join(rows) + "</urlset>\n")


def news_sitemap(site: DemoSite, base: str, last_day: date, days: int = NEWS_DAYS) -> str:
    """Google News sitemap of the articles of the last `days` days (``news:publication_date``)."""
    since = last_day - timedelta(days=days - 1)
    rows = []
    for a in site.articles:
        if not since <= a.day <= last_day:
            continue
        rows.append(
            f"<url><loc>{escape(a.url(base))}</loc><news:news><news:publication>"
            f"<news:name>{escape(site.spec.title)}</news:name><news:language>{site.spec.language}</news:language>"
            f"</news:publication><news:publication_date>{a.published.isoformat()}</news:publication_date>"
            f"<news:title>{escape(a.title)}</news:title></news:news></url>\n"
        )
    return (
        _XML + '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n' + "".join(rows) + "</urlset>\n"
    )
