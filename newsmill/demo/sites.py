"""Serve the demo sites on loopback, write a sources config for them, say what they contain.

    with serve_demo(ports=(0, 0, 0)) as servers:        # ephemeral ports (tests)
        write_demo_config("sources.toml", servers, data_dir="data")
        expected = servers.expected_articles(date(2026, 11, 20))

`serve_demo()` without ports uses the fixed ports 8781-8783 of the packaged ``demo.toml``;
`demo_ports(config)` reads the ports a demo config names.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from newsmill.config import Config, ConfigError
from newsmill.demo import feeds, render
from newsmill.demo.generate import DEFAULT_DAYS, SITES, build_demo
from newsmill.demo.model import DemoSite, DemoSites, Insert
from newsmill.demo.server import Page, SiteServer

DEFAULT_PORTS: tuple[int, ...] = tuple(spec.default_port for spec in SITES)
"""Fixed ports of the user-facing demo (8781, 8782, 8783), in the order of `SITES`."""

_HTML = "text/html; charset=utf-8"
_XML = "application/xml; charset=utf-8"


@lru_cache(maxsize=4)
def default_demo(start: date | None = None, days: int = DEFAULT_DAYS) -> DemoSites:
    """`build_demo(start, days)`, built once per process."""
    return build_demo(start, days)


def site_routes(demo: DemoSites, site: DemoSite, base: str) -> dict[str, Page]:
    """Every path of `site` served at `base` (``http://127.0.0.1:PORT``) and its response."""
    first, last = demo.start, demo.last

    def html(text: str) -> Page:
        return Page(text.encode("utf-8"), _HTML)

    routes: dict[str, Page] = {
        "/": html(render.front_page(site, base, last)),
        "/robots.txt": Page(feeds.robots_txt(site, base).encode(), "text/plain; charset=utf-8"),
        "/sitemap_index.xml": Page(feeds.sitemap_index(site, base).encode(), _XML),
        "/news-sitemap.xml": Page(feeds.news_sitemap(site, base, last).encode(), _XML),
    }
    if site.spec.rss:
        routes["/rss.xml"] = Page(feeds.rss(site, base).encode(), "application/rss+xml; charset=utf-8")
    if site.spec.atom:
        routes["/atom.xml"] = Page(feeds.atom(site, base).encode(), "application/atom+xml; charset=utf-8")
    for month in feeds.months(site):
        routes[f"/sitemaps/{month}.xml"] = Page(feeds.month_sitemap(site, base, month).encode(), _XML)
    for slug, _label in site.spec.sections:
        routes[f"/{slug}/"] = html(render.front_page(site, base, last, section=slug))
    for n in range(demo.days):
        day = first + timedelta(days=n)
        routes[render.archive_path(day)] = html(render.archive_page(site, day, base, first, last))
    for article in site.articles:
        routes[article.path] = html(render.article_page(site, article, base, last))
    return routes


class DemoServers(list[SiteServer]):
    """The running demo servers (one per site, in the order of `SITES`) and what they serve."""

    def __init__(self, servers: Sequence[SiteServer], demo: DemoSites) -> None:
        super().__init__(servers)
        self.demo = demo

    @property
    def base_urls(self) -> list[str]:
        return [server.url for server in self]

    def expected_articles(self, day: date) -> list[tuple[str, str, str]]:
        return expected_articles(day, self, demo=self.demo)


@contextmanager
def serve_demo(ports: Sequence[int] | None = None, *, start: date | None = None,
               days: int = DEFAULT_DAYS) -> Iterator[DemoServers]:
    """Serve the demo sites on 127.0.0.1 (port 0: an ephemeral one), stopped on exit."""
    ports = tuple(DEFAULT_PORTS if ports is None else ports)
    if len(ports) != len(SITES):
        raise ValueError(f"serve_demo needs {len(SITES)} ports (one per site), got {list(ports)}")
    demo = default_demo(start, days)
    with ExitStack() as stack:
        servers = []
        for site, port in zip(demo.sites, ports, strict=True):
            server = SiteServer(port=port)
            stack.callback(server.stop)
            server.set_routes(site_routes(demo, site, server.url))
            server.start()
            servers.append(server)
        yield DemoServers(servers, demo)


def demo_ports(config: Config) -> tuple[int, ...]:
    """The ports on 127.0.0.1 that a demo config's sources name, in the order of `SITES`, so the
    sites are served where the config crawls; ConfigError for a config that is not a demo's."""
    ports = []
    for spec in SITES:
        domains = config.source(spec.name).domains
        host, _, port = domains[0].rpartition(":") if domains else ("", "", "")
        if host != "127.0.0.1" or not port.isdigit():
            raise ConfigError(f"{config.path}: source {spec.name!r}: not a demo site on 127.0.0.1:PORT "
                              f"(domains {list(domains)})")
        ports.append(int(port))
    return tuple(ports)


def _base_urls(servers: Sequence[SiteServer | str] | None) -> list[str]:
    if servers is None:
        return [f"http://127.0.0.1:{port}" for port in DEFAULT_PORTS]
    urls = [s.url if isinstance(s, SiteServer) else str(s).rstrip("/") for s in servers]
    if len(urls) != len(SITES):
        raise ValueError(f"expected {len(SITES)} servers or base URLs (one per site), got {len(urls)}")
    return urls


def demo_config_text(servers: Sequence[SiteServer | str] | None = None,
                     data_dir: str | os.PathLike[str] | None = None) -> str:
    """The sources TOML for demo sites served at `servers` (default: the fixed ports)."""
    q = json.dumps  # a JSON string is a valid TOML basic string
    lines = [
        "# newsmill demo: three invented news sites served on loopback by `python -m newsmill.demo`",
        "# (or newsmill.demo.serve_demo). Polite but fast: robots.txt obeyed, no delay, no throttling.",
        "",
        "[settings]",
        f"data_dir = {q(str(data_dir) if data_dir is not None else 'data/demo')}",
        'user_agent = "newsmill-demo/0.1 (loopback demo crawler)"',
        "obey_robots = true",
        "download_delay = 0",
        "autothrottle = false",
        "concurrency_per_domain = 8",
        "download_timeout = 10",
        "retries = 1",
    ]
    for spec, base in zip(SITES, _base_urls(servers), strict=True):
        netloc = base.split("://", 1)[1]
        feeds_ = [f"{base}/rss.xml"] if spec.rss and spec.name != "rundschau" else []
        if spec.atom:
            feeds_.append(f"{base}/atom.xml")
        lines += ["", "[[sources]]", f"name = {q(spec.name)}", f"domains = [{q(netloc)}]",
                  f"language = {q(spec.language)}",
                  f"feeds = [{', '.join(q(f) for f in feeds_)}]"]
        if spec.name == "rundschau":  # finds its sitemaps through robots.txt
            lines.append("robots_sitemaps = true")
        elif spec.name == "marcador":
            lines.append(f"sitemaps = [{q(base + '/news-sitemap.xml')}, {q(base + '/sitemap_index.xml')}]")
        else:
            lines.append(f"sitemaps = [{q(base + '/sitemap_index.xml')}]")
        if spec.name != "marcador":
            lines.append(f"archives = [{q(base + '/{date:%Y/%m/%d}/')}]")
    return "\n".join(lines) + "\n"


def write_demo_config(path: str | os.PathLike[str], servers: Sequence[SiteServer | str] | None = None,
                      data_dir: str | os.PathLike[str] | None = None) -> Path:
    """Write the sources TOML for the demo sites at `servers` (SiteServers or base URLs, in the
    order of `SITES`; default: the fixed ports) to `path`; returns the path."""
    path = Path(path)
    path.write_text(demo_config_text(servers, data_dir), encoding="utf-8")
    return path


def expected_articles(day: date, servers: Sequence[SiteServer | str] | None = None, *,
                      demo: DemoSites | None = None) -> list[tuple[str, str, str]]:
    """(source, canonical URL, title) of every article published on `day`, all sites."""
    demo = demo or default_demo()
    return [
        (site.name, article.url(base), article.title)
        for site, base in zip(demo.sites, _base_urls(servers), strict=True)
        for article in site.on(day)
    ]


def expected_counts(source: str, day: date, *, demo: DemoSites | None = None) -> int:
    """How many articles `source` published on `day`."""
    return len((demo or default_demo()).site(source).on(day))


def expected_inserts(*, demo: DemoSites | None = None) -> list[Insert]:
    """The paragraphs placed inside articles that are not part of them (foreign-language
    football snippets and "Read more" teasers); `Insert.url(base)` gives the article URL."""
    return list((demo or default_demo()).inserts)
