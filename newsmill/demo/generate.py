"""Deterministic generation of the demo's three news sites over a range of days.

The same `start` and `days` always give the same articles, byte for byte: every random choice comes
from ``random.Random`` seeded with the site name and the day (string seeds are hashed with SHA-512,
independent of PYTHONHASHSEED).
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone

from newsmill.demo.model import Article, Comment, DemoSite, DemoSites, Insert, SiteSpec
from newsmill.demo.textpool import text_pool
from newsmill.demo.writer import compose, stories

DEFAULT_LAST = date(2026, 11, 20)
DEFAULT_DAYS = 30
DEFAULT_START = DEFAULT_LAST - timedelta(days=DEFAULT_DAYS - 1)

SITES: tuple[SiteSpec, ...] = (
    SiteSpec(
        name="gazette", title="The Harwick Gazette", language="en",
        tagline="News for Harwick and the Lune valley",
        sections=(("local", "Local"), ("weather", "Weather"), ("business", "Business"),
                  ("transport", "Transport"), ("sport", "Sport")),
        url_style="dated", utc_offset="+00:00", rss=True, atom=True, default_port=8781,
    ),
    SiteSpec(
        name="rundschau", title="Auentaler Rundschau", language="de",
        tagline="Nachrichten aus dem Auental und dem Landkreis",
        sections=(("region", "Region"), ("verkehr", "Verkehr"), ("wirtschaft", "Wirtschaft"),
                  ("sport", "Sport")),
        url_style="html", utc_offset="+01:00", rss=True, atom=True, default_port=8782,
        per_day=(3, 3),
    ),
    SiteSpec(
        name="marcador", title="El Marcador del Sur", language="es",
        tagline="Deporte y cultura del sur",
        sections=(("futbol", "Fútbol"), ("baloncesto", "Baloncesto"), ("cultura", "Cultura")),
        url_style="underscore", utc_offset="+01:00", rss=True, atom=False, rss_tracking=True,
        default_port=8783, per_day=(3, 3),
    ),
)
"""The demo sites, in the order of `build_demo().sites` and of the servers of `serve_demo`."""


_TRANSLITERATE = str.maketrans({"ß": "ss", "ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


def slugify(title: str, max_words: int = 8) -> str:
    """ASCII slug of a headline: lowercase words joined by hyphens."""
    title = title.translate(_TRANSLITERATE)
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_title.lower())
    return "-".join(words[:max_words]) or "article"


def offset_of(spec: SiteSpec) -> timezone:
    sign = -1 if spec.utc_offset.startswith("-") else 1
    hours, minutes = spec.utc_offset[1:].split(":")
    return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))


def _path(spec: SiteSpec, section: str, slug: str, article_id: str, day: date) -> str:
    if spec.url_style == "dated":
        return f"/{section}/{day:%Y/%m/%d}/{slug}/"
    if spec.url_style == "html":
        return f"/{section}/{slug}-{article_id}.html"
    return f"/{section}/{slug}_{article_id}.html"


def _pick_story(spec: SiteSpec, rng: random.Random, used: dict[tuple[str, int], int]) -> tuple[str, int]:
    """The (topic, story) used longest ago (never-used ones first, at random among equals).

    Round robin over all stories: one story comes back only after all others, i.e. after
    (number of stories / articles a day) days, so articles that share a story's wording are
    rarely within three days of each other (the warehouse's near-duplicate window).
    """
    combos = [(topic, story) for topic, _label in spec.sections
              for story in range(stories(spec.language, topic))]
    oldest = min(used.get(c, -1) for c in combos)
    choice = rng.choice([c for c in combos if used.get(c, -1) == oldest])
    used[choice] = max(used.values(), default=0) + 1
    return choice


def _day_articles(spec: SiteSpec, day: date, taken: set[str], used: dict[tuple[str, int], int],
                  templates: dict[tuple[str, int], set[str]]) -> list[Article]:
    rng = random.Random(f"newsmill-demo/{spec.name}/{day.isoformat()}")
    pool = text_pool(spec.language)
    tz = offset_of(spec)
    count = rng.randint(*spec.per_day)
    minutes = sorted(rng.sample(range(6 * 60, 21 * 60), count))
    articles = []
    labels = dict(spec.sections)
    for index, minute in enumerate(minutes):
        section, story = _pick_story(spec, rng, used)
        label = labels[section]
        draft, templates[section, story] = compose(
            spec.language, section, story, rng, day, templates.get((section, story)))
        article_id = f"{day:%Y%m%d}{index + 1:02d}"
        slug = slugify(draft.title)
        path = _path(spec, section, slug, article_id, day)
        while path in taken:
            slug += "-2"
            path = _path(spec, section, slug, article_id, day)
        taken.add(path)
        published = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=tz)
        modified = min(published + timedelta(minutes=rng.randint(0, 150)),
                       datetime.combine(day, time(23, 30), tzinfo=tz))
        comments = tuple(
            Comment(rng.choice(pool.commenters), text, rng.randint(5, 600))
            for text in rng.sample(pool.comments, rng.randint(0, 3))
        )
        lead = draft.paragraphs[0]
        description = lead if len(lead) <= 200 else lead[:200].rsplit(" ", 1)[0] + "…"
        articles.append(Article(
            source=spec.name, id=article_id, section=section, slug=slug, path=path,
            title=draft.title, description=description, author=rng.choice(pool.staff),
            published=published, modified=modified, paragraphs=draft.paragraphs,
            body=draft.paragraphs, tags=(label,), comments=comments,
        ))
    return articles


def _with_related(articles: list[Article]) -> list[Article]:
    """Each article's "Read more" block: the three articles published just before it (or after)."""
    out = []
    for i, article in enumerate(articles):
        others = [*reversed(articles[max(0, i - 3):i]), *articles[i + 1:i + 4]][:3]
        out.append(replace(article, related=tuple(a.path for a in others)))
    return out


def _insert(article: Article, kind: str, paragraphs: tuple[str, ...]) -> tuple[Article, Insert]:
    """`article` with `paragraphs` placed after its middle genuine paragraph."""
    at = len(article.paragraphs) // 2
    body = (*article.paragraphs[:at], *paragraphs, *article.paragraphs[at:])
    insert = Insert(article.source, article.path, article.day, kind, paragraphs, article.paragraphs[at - 1])
    return replace(article, body=body), insert


def _place_inserts(start: date, days: int, sites: dict[str, list[Article]]) -> list[Insert]:
    """Foreign-language and teaser inserts at fixed places relative to the range (see module doc of
    `newsmill.demo`): in the gazette on the last day, the middle day and two days before the end,
    and one teaser in the rundschau on the last day."""
    last = start + timedelta(days=days - 1)
    middle = start + timedelta(days=days // 2)
    before_last = max(start, last - timedelta(days=2))
    plan = [
        ("gazette", last, 1, "foreign", 0),
        ("gazette", middle, 0, "foreign", 1),
        ("gazette", last, 2, "teaser", None),
        ("gazette", before_last, 1, "teaser", None),
        ("rundschau", last, 0, "teaser", None),
    ]
    inserts = []
    used: set[str] = set()
    for name, day, index, kind, variant in plan:
        articles = sites[name]
        on_day = [i for i, a in enumerate(articles) if a.day == day and a.path not in used]
        if not on_day:
            continue
        position = on_day[min(index, len(on_day) - 1)]
        article = articles[position]
        if kind == "foreign":
            texts = text_pool("en").foreign_inserts[variant]
        else:
            earlier = [a for a in articles if a.day < day] or [a for a in articles if a is not article]
            other = earlier[len(earlier) * 2 // 3]
            texts = (text_pool(article_language(name)).teaser_label.format(title=other.title),)
        articles[position], insert = _insert(article, kind, texts)
        used.add(article.path)
        inserts.append(insert)
    return inserts


def article_language(site_name: str) -> str:
    for spec in SITES:
        if spec.name == site_name:
            return spec.language
    raise KeyError(site_name)


def build_demo(start: date | None = None, days: int = DEFAULT_DAYS) -> DemoSites:
    """The demo's sites with their articles for `days` days from `start` (default start: the
    `days` days end on 2026-11-20), and the inserts placed in them."""
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    start = start or DEFAULT_LAST - timedelta(days=days - 1)
    per_site: dict[str, list[Article]] = {}
    for spec in SITES:
        taken: set[str] = set()
        used: dict[tuple[str, int], int] = {}
        templates: dict[tuple[str, int], set[str]] = {}
        articles: list[Article] = []
        for n in range(days):
            articles.extend(_day_articles(spec, start + timedelta(days=n), taken, used, templates))
        per_site[spec.name] = _with_related(articles)
    inserts = _place_inserts(start, days, per_site)
    sites = tuple(DemoSite(spec, tuple(per_site[spec.name])) for spec in SITES)
    return DemoSites(start=start, days=days, sites=sites, inserts=tuple(inserts))
