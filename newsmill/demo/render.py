"""HTML pages of a demo site: article, day archive, home and section fronts.

Pages carry what real news pages carry around the article: head metadata (description, author,
Open Graph, ``article:published_time``, canonical link, JSON-LD), header navigation, a "Read more"
block, reader comments, a newsletter box and a footer. Every date shown on an article page is its
publication day.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from html import escape

from newsmill.demo.model import Article, DemoSite
from newsmill.demo.textpool import TextPool, text_pool

_LOCALES = {"en": "en_GB", "de": "de_DE", "es": "es_ES"}
_CSS = (
    "body{font-family:Georgia,serif;margin:0;color:#222}header,main,footer{max-width:46rem;"
    "margin:auto;padding:0 1rem}nav ul{list-style:none;padding:0;display:flex;gap:1rem}"
    ".byline,.comment-meta{color:#666;font-size:.9rem}.newsletter{background:#f3f0e8;padding:1rem}"
    "footer{border-top:1px solid #ccc;margin-top:2rem;font-size:.85rem}"
)


def pool(site: DemoSite) -> TextPool:
    return text_pool(site.spec.language)


def human_date(site: DemoSite, day: date) -> str:
    """A day as the site writes it (``20 November 2026``, ``20. November 2026``, ...)."""
    texts = pool(site)
    return texts.date_format.format(day=day.day, month=texts.months[day.month - 1], year=day.year)


def archive_path(day: date) -> str:
    return f"/{day:%Y/%m/%d}/"


def _head(site: DemoSite, base: str, title: str, description: str, canonical: str,
          extra: str = "") -> str:
    spec = site.spec
    return (
        f'<!DOCTYPE html>\n<html lang="{spec.language}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="description" content="{escape(description)}">\n'
        f'<meta property="og:site_name" content="{escape(spec.title)}">\n'
        f'<meta property="og:locale" content="{_LOCALES.get(spec.language, spec.language)}">\n'
        f'<link rel="canonical" href="{escape(canonical)}">\n'
        + (f'<link rel="alternate" type="application/rss+xml" title="{escape(spec.title)}" href="{base}/rss.xml">\n'
           if spec.rss else "")
        + (f'<link rel="alternate" type="application/atom+xml" title="{escape(spec.title)}" href="{base}/atom.xml">\n'
           if spec.atom else "")
        + extra
        + f"<style>{_CSS}</style>\n</head>\n"
    )


def _header(site: DemoSite, last_day: date) -> str:
    labels = pool(site).labels
    items = [f'<li><a href="/">{escape(labels["home"])}</a></li>']
    items += [f'<li><a href="/{slug}/">{escape(label)}</a></li>' for slug, label in site.spec.sections]
    items.append(f'<li><a href="{archive_path(last_day)}">{escape(labels["archive"])}</a></li>')
    return (
        f'<body>\n<a class="skip" href="#main">{escape(labels["skip"])}</a>\n'
        f'<header class="site-header">\n<div class="brand"><a href="/" class="logo">{escape(site.spec.title)}</a>'
        f'<p class="tagline">{escape(site.spec.tagline)}</p>'
        f'<form class="search" action="/search" method="get"><input name="q" aria-label="{escape(labels["search"])}">'
        f"<button>{escape(labels['search'])}</button></form></div>\n"
        f'<nav class="main-nav" aria-label="Sections"><ul>{"".join(items)}</ul></nav>\n</header>\n'
    )


def _newsletter(site: DemoSite) -> str:
    labels = pool(site).labels
    return (
        f'<aside class="newsletter" id="newsletter">\n<h2>{escape(labels["newsletter"])}</h2>\n'
        f'<p>{escape(labels["newsletter_text"])}</p>\n'
        f'<form action="/newsletter/subscribe" method="post"><input type="email" name="email" '
        f'placeholder="{escape(labels["email"])}"><button type="submit">{escape(labels["subscribe"])}</button></form>\n'
        "</aside>\n"
    )


def _footer(site: DemoSite, year: int) -> str:
    labels = pool(site).labels
    return (
        '<footer class="site-footer">\n<nav class="footer-nav"><ul>'
        f'<li><a href="/about/">{escape(site.spec.title)}</a></li>'
        f'<li><a href="/privacy/">{escape(labels["privacy"])}</a></li>'
        f'<li><a href="/contact/">{escape(labels["contact"])}</a></li></ul></nav>\n'
        f'<p class="copyright">© {year} {escape(site.spec.title)}. {escape(labels["rights"])}</p>\n'
        "</footer>\n</body>\n</html>\n"
    )


def _stamp(site: DemoSite, moment: datetime) -> str:
    return f"{human_date(site, moment.date())}, {moment:%H:%M}"


def article_page(site: DemoSite, article: Article, base: str, last_day: date) -> str:
    """The full HTML page of `article` on the site served at `base`."""
    labels = pool(site).labels
    url = article.url(base)
    label = dict(site.spec.sections)[article.section]
    ld = {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": article.title,
        "datePublished": article.published.isoformat(), "dateModified": article.modified.isoformat(),
        "author": {"@type": "Person", "name": article.author}, "articleSection": label,
        "inLanguage": site.spec.language, "mainEntityOfPage": url,
        "publisher": {"@type": "Organization", "name": site.spec.title},
        "description": article.description,
    }
    meta = (
        f'<meta name="author" content="{escape(article.author)}">\n'
        '<meta property="og:type" content="article">\n'
        f'<meta property="og:title" content="{escape(article.title)}">\n'
        f'<meta property="og:description" content="{escape(article.description)}">\n'
        f'<meta property="og:url" content="{escape(url)}">\n'
        f'<meta property="article:published_time" content="{article.published.isoformat()}">\n'
        f'<meta property="article:modified_time" content="{article.modified.isoformat()}">\n'
        f'<meta property="article:section" content="{escape(label)}">\n'
        + "".join(f'<meta property="article:tag" content="{escape(tag)}">\n' for tag in article.tags)
        + f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>\n'
    )
    updated = ""
    if article.modified > article.published:
        updated = (f' · <time class="updated" datetime="{article.modified.isoformat()}">'
                   f'{escape(labels["updated"])} {_stamp(site, article.modified)}</time>')
    author_slug = article.author.lower().replace(" ", "-")
    body = "\n".join(f"<p>{escape(p)}</p>" for p in article.body)
    related = [site.by_path(path) for path in article.related]
    related_items = "".join(
        f'<li><a href="{escape(a.url(base))}">{escape(a.title)}</a></li>' for a in related if a
    )
    end_of_day = datetime.combine(article.day, datetime.max.time().replace(microsecond=0),
                                  tzinfo=article.published.tzinfo)
    comments = "".join(
        f'<li class="comment"><p class="comment-meta"><span class="comment-author">{escape(c.author)}</span> · '
        f"{_stamp(site, min(article.published + timedelta(minutes=c.minutes_after), end_of_day))}</p>"
        f"<p>{escape(c.text)}</p></li>"
        for c in article.comments
    )
    count = labels["comment_count"].format(n=len(article.comments))
    return (
        _head(site, base, f"{article.title} | {site.spec.title}", article.description, url, meta)
        + _header(site, last_day)
        + '<main id="main">\n<article class="story">\n'
        f'<nav class="breadcrumb"><a href="/">{escape(labels["home"])}</a> › '
        f'<a href="/{article.section}/">{escape(label)}</a></nav>\n'
        f'<h1 class="headline">{escape(article.title)}</h1>\n'
        f'<p class="byline">{escape(labels["by"])} <a rel="author" href="/staff/{escape(author_slug)}/">'
        f"{escape(article.author)}</a> · "
        f'<time class="published" datetime="{article.published.isoformat()}">'
        f'{escape(labels["published"])} {_stamp(site, article.published)}</time>{updated}</p>\n'
        f'<div class="article-body">\n{body}\n</div>\n'
        f'<div class="share">{escape(labels["share"])}: <a href="#" class="share-mail">E-mail</a> '
        '<a href="#" class="share-copy">Link</a></div>\n'
        "</article>\n"
        f'<aside class="related"><h2>{escape(labels["read_more"])}</h2><ul>{related_items}</ul></aside>\n'
        f'<section class="comments" id="comments"><h2>{escape(labels["comments"])} ({escape(count)})</h2>\n'
        f"<ol>{comments}</ol>\n"
        f'<form class="comment-form" action="/comments/post" method="post"><label>{escape(labels["leave_comment"])}'
        '<textarea name="text"></textarea></label><button type="submit">OK</button></form>\n</section>\n'
        + _newsletter(site)
        + "</main>\n"
        + _footer(site, article.day.year)
    )


def _listing(site: DemoSite, articles: list[Article], base: str, with_date: bool) -> str:
    items = []
    for a in articles:
        when = _stamp(site, a.published) if with_date else f"{a.published:%H:%M}"
        items.append(
            f'<li class="teaser"><time datetime="{a.published.isoformat()}">{escape(when)}</time> '
            f'<a href="{escape(a.url(base))}">{escape(a.title)}</a></li>'
        )
    return f'<ul class="article-list">{"".join(items)}</ul>\n'


def archive_page(site: DemoSite, day: date, base: str, first_day: date, last_day: date) -> str:
    """The archive page of `day`: that day's articles, links to the previous and next day."""
    labels = pool(site).labels
    heading = labels["articles_of"].format(date=human_date(site, day))
    pager = []
    if day > first_day:
        pager.append(f'<a rel="prev" href="{archive_path(day - timedelta(days=1))}">{escape(labels["previous_day"])}</a>')
    if day < last_day:
        pager.append(f'<a rel="next" href="{archive_path(day + timedelta(days=1))}">{escape(labels["next_day"])}</a>')
    return (
        _head(site, base, f"{heading} | {site.spec.title}", heading, base + archive_path(day))
        + _header(site, last_day)
        + f'<main id="main">\n<h1>{escape(heading)}</h1>\n'
        + _listing(site, site.on(day), base, with_date=False)
        + f'<nav class="pager">{" ".join(pager)}</nav>\n</main>\n'
        + _footer(site, day.year)
    )


def front_page(site: DemoSite, base: str, last_day: date, section: str | None = None) -> str:
    """The home page (latest articles) or a section front (latest articles of `section`)."""
    labels = pool(site).labels
    articles = [a for a in site.articles if section is None or a.section == section]
    latest = list(reversed(articles))[:12]
    heading = labels["latest"] if section is None else dict(site.spec.sections)[section]
    path = "/" if section is None else f"/{section}/"
    return (
        _head(site, base, f"{heading} | {site.spec.title}", site.spec.tagline, base + path)
        + _header(site, last_day)
        + f'<main id="main">\n<h1>{escape(heading)}</h1>\n'
        + _listing(site, latest, base, with_date=True)
        + "</main>\n"
        + _newsletter(site)
        + _footer(site, last_day.year)
    )
