"""The demo's generated content: deterministic, dated consistently, with the documented inserts."""

from __future__ import annotations

import re
from datetime import date, timedelta

from newsmill.demo import (
    DEFAULT_LAST,
    SITES,
    build_demo,
    expected_counts,
    expected_inserts,
    site_routes,
)
from newsmill.demo.render import human_date

BASE = "http://127.0.0.1:9"


def test_default_range_is_the_30_days_ending_2026_11_20() -> None:
    demo = build_demo()
    assert demo.last == DEFAULT_LAST == date(2026, 11, 20)
    assert demo.start == date(2026, 10, 22) and demo.days == 30
    assert [s.name for s in demo.sites] == [s.name for s in SITES] == ["gazette", "rundschau", "marcador"]
    assert [s.spec.language for s in demo.sites] == ["en", "de", "es"]


def test_same_inputs_give_the_same_bytes() -> None:
    one, two = build_demo(), build_demo()
    assert one == two
    for a, b in zip(one.sites, two.sites, strict=True):
        routes_a, routes_b = site_routes(one, a, BASE), site_routes(two, b, BASE)
        assert routes_a.keys() == routes_b.keys()
        assert all(routes_a[p].body == routes_b[p].body for p in routes_a)


def test_start_and_days_are_configurable() -> None:
    demo = build_demo(date(2025, 3, 1), 3)
    assert demo.last == date(2025, 3, 3)
    for site in demo.sites:
        assert {a.day for a in site.articles} == {date(2025, 3, n) for n in (1, 2, 3)}


def test_every_site_has_three_to_five_articles_every_day() -> None:
    demo = build_demo()
    for site in demo.sites:
        for n in range(demo.days):
            day = demo.start + timedelta(days=n)
            assert 3 <= len(site.on(day)) <= 5, (site.name, day)
            assert expected_counts(site.name, day) == len(site.on(day))


def test_articles_are_distinct_and_well_formed() -> None:
    demo = build_demo()
    for site in demo.sites:
        paths = [a.path for a in site.articles]
        assert len(set(paths)) == len(paths)
        assert len({a.text for a in site.articles}) == len(site.articles)
        for article in site.articles:
            assert article.slug in article.path and re.fullmatch(r"[a-z0-9-]+", article.slug)
            assert article.published.date() == article.modified.date() == article.day
            assert len(article.paragraphs) >= 6
            assert all("{" not in p and "}" not in p and "[" not in p[:1] for p in article.body)
            assert article.title and article.description and article.author


def _shingles(text: str) -> set[str]:
    words = re.findall(r"\w+", text.lower())
    return {" ".join(words[i : i + 5]) for i in range(len(words) - 4)}


def test_articles_of_nearby_days_share_little_wording() -> None:
    """No two articles of one site within three days share half their 5-word shingles."""
    demo = build_demo()
    for site in demo.sites:
        shingles = [_shingles(a.text) for a in site.articles]
        close = similar = 0
        for i, a in enumerate(site.articles):
            for j in range(i + 1, len(site.articles)):
                if (site.articles[j].day - a.day).days > 3:
                    break
                close += 1
                small = min(len(shingles[i]), len(shingles[j]))
                similar += len(shingles[i] & shingles[j]) / small >= 0.5
        assert close > 500 and similar == 0, (site.name, similar, close)


def test_inserts_are_placed_and_exposed() -> None:
    demo = build_demo()
    inserts = expected_inserts(demo=demo)
    foreign = [i for i in inserts if i.kind == "foreign"]
    teasers = [i for i in inserts if i.kind == "teaser"]
    assert len(foreign) >= 1 and 1 <= len([t for t in teasers if t.source == "gazette"]) <= 2
    assert any(i.day == demo.last for i in foreign)
    for insert in inserts:
        article = demo.site(insert.source).by_path(insert.path)
        assert article is not None and article.day == insert.day
        assert not set(insert.paragraphs) & set(article.paragraphs)  # not part of the article
        at = article.body.index(insert.paragraphs[0])
        assert article.body[at - 1] == insert.after
        assert article.body[at : at + len(insert.paragraphs)] == insert.paragraphs
    for insert in foreign:
        assert insert.source == "gazette"
        headline, paragraph = insert.paragraphs
        assert re.search(r" - [A-Z][\w ]+$", headline)  # "<headline> - <outlet>", as in the seed
        assert "¡Gol" in paragraph and len(paragraph.split()) > 25
    for insert in teasers:
        assert re.match(r"(Read more|Lesen Sie auch): \S", insert.paragraphs[0])


def test_visible_dates_match_the_publication_day() -> None:
    demo = build_demo()
    for site in demo.sites:
        routes = site_routes(demo, site, BASE)
        for article in site.articles[-12:]:
            html = routes[article.path].body.decode()
            iso = set(re.findall(r"\d{4}-\d{2}-\d{2}", html))
            assert iso == {article.day.isoformat()}, (article.path, iso)
            shown = human_date(site, article.day)
            assert shown in html
            month_words = "|".join(m for m in ("October", "November", "Oktober", "octubre", "noviembre"))
            others = set(re.findall(rf"\d{{1,2}}\.? (?:de )?(?:{month_words})(?: de)? 2026", html))
            assert others == {shown}, (article.path, others)
