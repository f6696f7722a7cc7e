"""The demo sites served on 127.0.0.1 (ephemeral ports): robots, feeds, sitemaps, archives, pages."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import feedparser
import pytest
from lxml import etree
from lxml import html as lxml_html

from newsmill.config import load_config, packaged_config
from newsmill.demo import demo_config_text, expected_inserts, serve_demo, write_demo_config

LAST = date(2026, 11, 20)
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


@pytest.fixture(scope="module")
def servers():
    with serve_demo(ports=(0, 0, 0)) as running:
        yield running


def get(url: str) -> tuple[int, str, bytes]:
    assert urlsplit(url).hostname == "127.0.0.1"
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read()


def test_servers_listen_on_loopback_ephemeral_ports(servers) -> None:
    assert len(servers) == 3
    for server in servers:
        assert server.url.startswith("http://127.0.0.1:") and server.port not in (0, 8781, 8782, 8783)


def test_robots_txt(servers) -> None:
    for server in servers:
        status, ctype, body = get(server.url + "/robots.txt")
        text = body.decode()
        assert status == 200 and ctype.startswith("text/plain")
        assert f"Sitemap: {server.url}/sitemap_index.xml" in text.splitlines()
        assert "Disallow: /search" in text.splitlines()


def test_feeds_parse_and_list_the_latest_articles(servers) -> None:
    demo = servers.demo
    for site, server in zip(demo.sites, servers, strict=True):
        latest = [a.url(server.url) for a in reversed(site.articles)][:20]
        kinds = [k for k, on in (("rss.xml", site.spec.rss), ("atom.xml", site.spec.atom)) if on]
        assert kinds
        for kind in kinds:
            status, _ctype, body = get(f"{server.url}/{kind}")
            assert status == 200
            feed = feedparser.parse(body)
            assert not feed.bozo, feed.get("bozo_exception")
            assert feed.version == ("rss20" if kind == "rss.xml" else "atom10")
            links = [e.link for e in feed.entries]
            assert [link.split("?")[0] for link in links] == latest
            for entry in feed.entries:
                assert entry.title and entry.published_parsed
            tracked = site.spec.rss_tracking and kind == "rss.xml"
            assert all((parse_qs(urlsplit(link).query).get("utm_source") == ["rss"]) == tracked for link in links)
    assert any(s.spec.rss_tracking for s in demo.sites)


def test_sitemap_index_children_and_news_sitemap(servers) -> None:
    for site, server in zip(servers.demo.sites, servers, strict=True):
        status, _ctype, body = get(server.url + "/sitemap_index.xml")
        index = etree.fromstring(body)
        assert status == 200 and index.tag == SM + "sitemapindex"
        children = index.findall(f"{SM}sitemap")
        assert [c.findtext(f"{SM}loc").rsplit("/", 1)[1] for c in children] == ["2026-10.xml", "2026-11.xml"]
        urls = []
        days = {a.url(server.url): a.day.isoformat() for a in site.articles}
        for child in children:
            assert child.findtext(f"{SM}lastmod")
            status, _ctype, body = get(child.findtext(f"{SM}loc"))
            urlset = etree.fromstring(body)
            for url in urlset.findall(f"{SM}url"):
                urls.append(url.findtext(f"{SM}loc"))
                assert url.findtext(f"{SM}lastmod")[:10] == days[urls[-1]]
        assert urls == [a.url(server.url) for a in site.articles]
        status, _ctype, body = get(server.url + "/news-sitemap.xml")
        news = etree.fromstring(body)
        news_days = {n.findtext(f"{NEWS}publication_date")[:10] for n in news.iter(f"{NEWS}news")}
        assert news_days == {LAST.isoformat(), (LAST - timedelta(days=1)).isoformat()}


def test_archive_page_links_the_days_articles(servers) -> None:
    for site, server in zip(servers.demo.sites, servers, strict=True):
        status, _ctype, body = get(f"{server.url}/2026/11/20/")
        assert status == 200
        page = lxml_html.fromstring(body, base_url=server.url + "/2026/11/20/")
        page.make_links_absolute()
        links = {href for href in page.xpath("//main//ul[@class='article-list']//a/@href")}
        assert links == {a.url(server.url) for a in site.on(LAST)}
        assert page.xpath("//a[@rel='prev']/@href") == [f"{server.url}/2026/11/19/"]
        assert page.xpath("//nav[@class='main-nav']//a")
        assert get(f"{server.url}/2026/11/21/")[0] == 404


def test_article_pages_have_realistic_structure(servers) -> None:
    for site, server in zip(servers.demo.sites, servers, strict=True):
        for article in site.on(LAST):
            url = article.url(server.url)
            status, ctype, body = get(url)
            assert status == 200 and ctype == "text/html; charset=utf-8"
            page = lxml_html.fromstring(body)
            meta = {m.get("property") or m.get("name"): m.get("content") for m in page.xpath("//meta")}
            assert page.findtext(".//title").startswith(article.title)
            assert meta["description"] == article.description and meta["author"] == article.author
            assert meta["article:published_time"] == article.published.isoformat()
            assert meta["og:url"] == url and page.xpath("//link[@rel='canonical']/@href") == [url]
            assert meta["og:title"] == article.title and meta["og:type"] == "article"
            assert page.xpath("string(//h1)") == article.title
            assert [p.text_content() for p in page.xpath("//div[@class='article-body']/p")] == list(article.body)
            assert len(page.xpath("//aside[@class='related']//a")) == 3
            assert page.xpath("//section[@id='comments']") and page.xpath("//aside[@class='newsletter']//form")
            assert "©" in page.xpath("string(//footer)") and page.xpath("//header//nav//a")


def test_insert_articles_carry_the_spanish_paragraph(servers) -> None:
    bases = dict(zip([s.name for s in servers.demo.sites], servers.base_urls, strict=True))
    foreign = [i for i in expected_inserts(demo=servers.demo) if i.kind == "foreign"]
    assert foreign
    for insert in foreign:
        status, _ctype, body = get(insert.url(bases[insert.source]))
        page = lxml_html.fromstring(body)
        paragraphs = [p.text_content() for p in page.xpath("//div[@class='article-body']/p")]
        at = paragraphs.index(insert.paragraphs[0])
        assert paragraphs[at + 1] == insert.paragraphs[1] and paragraphs[at - 1] == insert.after
        assert page.get("lang") == "en"


def test_expected_articles_are_served(servers) -> None:
    expected = servers.expected_articles(LAST)
    assert {source for source, _url, _title in expected} == {"gazette", "rundschau", "marcador"}
    for _source, url, title in expected:
        status, _ctype, body = get(url)
        assert status == 200 and lxml_html.fromstring(body).xpath("string(//h1)") == title


def test_unknown_path_is_404(servers) -> None:
    assert get(servers[0].url + "/no/such/page.html")[0] == 404


def test_written_config_loads(servers, tmp_path) -> None:
    path = write_demo_config(tmp_path / "sources.toml", servers, data_dir=tmp_path / "data")
    config = load_config(path)
    assert config.settings.data_dir == tmp_path / "data"
    assert config.settings.obey_robots and config.settings.download_delay == 0
    assert [s.name for s in config.sources] == ["gazette", "rundschau", "marcador"]
    for source, server in zip(config.sources, servers, strict=True):
        assert source.domains == (server.netloc,)
        for url in (*source.feeds, *source.sitemaps, *source.archive_urls(LAST)):
            assert source.owns(url) and get(url)[0] == 200
    assert config.source("rundschau").robots_sitemaps


def test_packaged_demo_config_matches_the_fixed_ports() -> None:
    path = packaged_config("demo.toml")
    assert path.read_text(encoding="utf-8") == demo_config_text()
    config = load_config(path)
    assert [s.domains for s in config.sources] == [("127.0.0.1:8781",), ("127.0.0.1:8782",), ("127.0.0.1:8783",)]


def test_servers_are_stopped_on_exit() -> None:
    with serve_demo(ports=(0, 0, 0), days=2) as running:
        ports = [s.port for s in running]
        assert get(running[0].url + "/robots.txt")[0] == 200
    for port in ports:
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()


def test_module_entry_serves_until_interrupted() -> None:
    import signal
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-m", "newsmill.demo", "--ports", "0", "0", "0", "--days", "2"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        lines = [proc.stdout.readline() for _ in range(4)]
        assert "serving on 127.0.0.1" in lines[0]
        url = lines[1].split()[-3].rstrip("/")
        assert url.startswith("http://127.0.0.1:") and get(url + "/robots.txt")[0] == 200
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
        proc.stdout.close()
