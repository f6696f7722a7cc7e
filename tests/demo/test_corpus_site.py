"""bench/corpus_site.py on a tiny corpus written here: served pages, feeds, sitemaps, config."""

from __future__ import annotations

import importlib.util
import json
import sys
import urllib.request
from datetime import date
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from newsmill.config import load_config

_PATH = Path(__file__).resolve().parents[2] / "bench" / "corpus_site.py"
_spec = importlib.util.spec_from_file_location("corpus_site", _PATH)
corpus_site = importlib.util.module_from_spec(_spec)
sys.modules["corpus_site"] = corpus_site
_spec.loader.exec_module(corpus_site)

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

PAGES = [
    ("cx-0001", "www.harbour-news.example", "en", "2024-03-05", "Ferry timetable changes",
     b'<html><head><meta charset="utf-8"><title>Ferry timetable changes</title></head><body>'
     b"<p>The island ferry will leave twenty minutes earlier from Monday, the operator said.</p>"
     b"</body></html>"),
    ("cx-0002", "www.harbour-news.example", "en", None, None,
     b"<html><head><title>Untitled</title></head><body><p>A page without any date.</p></body></html>"),
    ("cx-0003", "Radio.Example.NET", "de", "2024-03-02", "Neue Bank am Marktplatz",
     '<html><head><meta charset="iso-8859-1"><title>Neue Bank</title></head><body>'
     "<p>Am Marktplatz steht seit Dienstag eine neue Bank, gespendet vom Heimatverein.</p>"
     "<p>Größer als die alte ist sie nicht.</p></body></html>".encode("latin-1")),
]


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    (tmp_path / "pages").mkdir()
    with open(tmp_path / "manifest.jsonl", "w", encoding="utf-8") as manifest:
        for page_id, site, lang, published, title, raw in PAGES:
            (tmp_path / "pages" / f"{page_id}.html").write_bytes(raw)
            row = {"id": page_id, "url": None, "site": site, "lang": lang, "published": published,
                   "title": title, "body": "(own text)"}
            manifest.write(json.dumps(row) + "\n")
    return tmp_path


def get(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers["Content-Type"], response.read()


def test_load_groups_sites_and_dates_pages(corpus_dir: Path) -> None:
    corpus = corpus_site.load_corpus(corpus_dir)
    assert corpus.sites == {"www.harbour-news.example": "www-harbour-news-example",
                            "Radio.Example.NET": "radio-example-net"}
    assert corpus.date_range() == (date(2024, 3, 2), date(2024, 3, 5))
    undated = [p for p in corpus.pages if not p.dated]
    assert [(p.id, p.listed) for p in undated] == [("cx-0002", date(2024, 3, 5))]  # the corpus's last date
    assert corpus.language("radio-example-net") == "de"


def test_source_names_are_valid_and_unique() -> None:
    taken: set[str] = set()
    for site in ("News.Example.com", "news.example.com", "--weird__site--", "x" * 90, "日本.jp"):
        name = corpus_site.source_name(site, taken)
        assert name not in taken and len(name) <= 64
        taken.add(name)
        assert name[0].isalnum() and all(c.isalnum() or c in "-_" for c in name) and name == name.lower()


def test_served_pages_feeds_sitemaps_and_config(corpus_dir: Path, tmp_path: Path) -> None:
    corpus = corpus_site.load_corpus(corpus_dir)
    with corpus_site.serve_corpus(corpus) as server:
        assert server.url.startswith("http://127.0.0.1:")
        for page in corpus.pages:
            url = page.url(server.url)
            assert page.id in url and corpus.page_id(url + "?utm_source=rss") == page.id
            status, ctype, body = get(url)
            assert status == 200 and ctype == "text/html"  # no charset: the page's own meta decides
            assert body == (corpus_dir / "pages" / f"{page.id}.html").read_bytes()
        assert corpus.url_map(server.url) == {p.url(server.url): p.id for p in corpus.pages}

        for source, pages in corpus.sources.items():
            feed = feedparser.parse(get(f"{server.url}/{source}/rss.xml")[2])
            assert not feed.bozo
            listed = {e.link: date(*e.published_parsed[:3]) for e in feed.entries}
            assert listed == {p.url(server.url): p.listed for p in pages}
            urlset = etree.fromstring(get(f"{server.url}/{source}/sitemap.xml")[2])
            lastmods = {u.findtext(f"{SM}loc"): u.findtext(f"{SM}lastmod") for u in urlset.iter(f"{SM}url")}
            assert lastmods == {p.url(server.url): p.listed.isoformat() for p in pages}
        assert b"Allow: /" in get(server.url + "/robots.txt")[2]

        path = corpus_site.write_corpus_config(tmp_path / "bench.toml", server, corpus, data_dir=tmp_path / "d")
        config = load_config(path)
        assert [s.name for s in config.sources] == ["www-harbour-news-example", "radio-example-net"]
        for source in config.sources:
            assert source.domains == (server.netloc,)
            assert source.language == corpus.language(source.name)
            for url in (*source.feeds, *source.sitemaps):
                assert url.startswith(f"{server.url}/{source.name}/") and get(url)[0] == 200
    with pytest.raises(OSError):
        get(server.url + "/robots.txt")


def test_missing_page_file_is_an_error(corpus_dir: Path) -> None:
    (corpus_dir / "pages" / "cx-0003.html").unlink()
    with pytest.raises(ValueError, match="cx-0003"):
        corpus_site.load_corpus(corpus_dir)
