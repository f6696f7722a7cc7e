"""Data model of the demo sites: site descriptions, articles, inserts. Pure data, no rendering."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class SiteSpec:
    """What kind of site it is: name (also the source name), language, look and listing options."""

    name: str
    title: str
    language: str
    tagline: str
    sections: tuple[tuple[str, str], ...]
    """(slug, label) per section; a section's slug is also the topic of the writer's pools."""
    url_style: str
    """``dated`` (/section/YYYY/MM/DD/slug/), ``html`` (/section/slug-ID.html), ``underscore``
    (/section/slug_ID.html)."""
    utc_offset: str
    """Offset written in the site's timestamps, e.g. ``+00:00`` or ``+01:00``."""
    rss: bool = True
    atom: bool = True
    rss_tracking: bool = False
    """RSS item links carry ``?utm_source=rss&utm_medium=feed`` (the crawler must canonicalise)."""
    default_port: int = 0
    per_day: tuple[int, int] = (3, 4)
    """Fewest and most articles a day."""


@dataclass(frozen=True)
class Comment:
    author: str
    text: str
    minutes_after: int


@dataclass(frozen=True)
class Insert:
    """Paragraphs inside an article's body that are not part of the article (tests assert on these)."""

    source: str
    path: str
    day: date
    kind: str
    """``foreign`` (headline line + paragraph in another language) or ``teaser`` ("Read more: ...")."""
    paragraphs: tuple[str, ...]
    after: str
    """The genuine body paragraph the insert follows."""

    def url(self, base_url: str) -> str:
        return base_url.rstrip("/") + self.path


@dataclass(frozen=True)
class Article:
    """One article: its genuine text, the body as rendered (with any inserts) and its metadata."""

    source: str
    id: str
    section: str
    slug: str
    path: str
    title: str
    description: str
    author: str
    published: datetime
    """Aware datetime in the site's own offset; its calendar date is the publication day."""
    modified: datetime
    paragraphs: tuple[str, ...]
    """The genuine article text, one entry per paragraph (no inserts)."""
    body: tuple[str, ...]
    """What is rendered as the body's ``<p>`` elements, in order (paragraphs plus inserts)."""
    tags: tuple[str, ...] = ()
    comments: tuple[Comment, ...] = ()
    related: tuple[str, ...] = field(default_factory=tuple)
    """Paths of other articles shown in the "Read more" block after the body."""

    @property
    def day(self) -> date:
        return self.published.date()

    def url(self, base_url: str) -> str:
        return base_url.rstrip("/") + self.path

    @property
    def text(self) -> str:
        """The genuine article text, paragraphs joined by a blank line."""
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True)
class DemoSite:
    """One generated site: its spec and its articles, oldest first."""

    spec: SiteSpec
    articles: tuple[Article, ...]

    @property
    def name(self) -> str:
        return self.spec.name

    def on(self, day: date) -> list[Article]:
        return [a for a in self.articles if a.day == day]

    def by_path(self, path: str) -> Article | None:
        for article in self.articles:
            if article.path == path:
                return article
        return None


@dataclass(frozen=True)
class DemoSites:
    """The generated demo: sites in a fixed order, the date range and the inserts placed in them."""

    start: date
    days: int
    sites: tuple[DemoSite, ...]
    inserts: tuple[Insert, ...]

    @property
    def last(self) -> date:
        from datetime import timedelta

        return self.start + timedelta(days=self.days - 1)

    def site(self, name: str) -> DemoSite:
        for site in self.sites:
            if site.name == name:
                return site
        raise KeyError(f"no demo site {name!r} (known: {[s.name for s in self.sites]})")
