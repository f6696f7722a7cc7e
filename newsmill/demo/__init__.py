"""Demo news sites on loopback: three invented sites with a month of articles, for demos and tests.

- `build_demo(start, days)`: the generated sites (deterministic; default the 30 days ending
  2026-11-20) -> `DemoSites`.
- `serve_demo(ports)`: context manager serving them (default ports 8781-8783; 0 = ephemeral).
- `write_demo_config(path, servers, data_dir)`: a sources TOML for the served sites;
  `demo_ports(config)`: the ports a demo config names.
- `expected_articles(day)`, `expected_counts(source, day)`, `expected_inserts()`: what they hold.
- ``newsmill demo --serve`` / ``--stop``: serve them in the foreground until stopped
  (`newsmill.demo.service`); ``python -m newsmill.demo`` likewise, on any ports, without a pid file.

Sites (source names): ``gazette`` (en, general news), ``rundschau`` (de, regional),
``marcador`` (es, sports and culture).

Inserts (paragraphs inside an article's body that are not part of it; `expected_inserts()` lists
them with the article path and the paragraph they follow): a Spanish football headline line and
paragraph in a gazette article of the last day and one of the middle day; "Read more: <headline>"
teasers in a gazette article of the last day and of two days before; "Lesen Sie auch: ..." in a
rundschau article of the last day.
"""

from newsmill.demo.generate import DEFAULT_DAYS, DEFAULT_LAST, DEFAULT_START, SITES, build_demo
from newsmill.demo.model import Article, DemoSite, DemoSites, Insert, SiteSpec
from newsmill.demo.server import Page, SiteServer, serving
from newsmill.demo.sites import (
    DEFAULT_PORTS,
    DemoServers,
    demo_config_text,
    demo_ports,
    expected_articles,
    expected_counts,
    expected_inserts,
    serve_demo,
    site_routes,
    write_demo_config,
)

__all__ = [
    "DEFAULT_DAYS", "DEFAULT_LAST", "DEFAULT_PORTS", "DEFAULT_START", "SITES", "Article",
    "DemoServers", "DemoSite", "DemoSites", "Insert", "Page", "SiteServer", "SiteSpec",
    "build_demo", "demo_config_text", "demo_ports", "expected_articles", "expected_counts", "expected_inserts",
    "serve_demo", "serving", "site_routes", "write_demo_config",
]
