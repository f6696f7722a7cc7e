"""Serve a corpus directory (the ../shared/corpus format) as news sites on loopback.

A corpus directory holds ``pages/<id>.html`` and ``manifest.jsonl`` (one JSON object per page with
at least ``id``, ``site``, ``lang``, ``published``; ``title`` is used when present). Each ``site``
becomes one news site, and all of them share one port under a path prefix, the site's source name:

    http://127.0.0.1:PORT/robots.txt                    allow all
    http://127.0.0.1:PORT/<source>/                     index page linking the site's pages
    http://127.0.0.1:PORT/<source>/rss.xml              RSS 2.0, every page, pubDate = its date
    http://127.0.0.1:PORT/<source>/sitemap.xml          every page, lastmod = its date
    http://127.0.0.1:PORT/<source>/<id>.html            the page's raw bytes, exactly as stored

Pages are served as ``text/html`` without a charset, so the page's own ``<meta charset>`` (or the
reader's detection) decides, as it did for the original. A page's URL contains its id
(`Corpus.page_id` maps a URL back; `Corpus.url_map` gives every URL).

Dates: a page is listed under its manifest ``published`` day. **A page without a date is listed
under the corpus's last date** (the latest ``published`` of all pages; 2000-01-01 if no page has
one), so it is collected by a run over `Corpus.first`..`Corpus.last`, which covers every page.

Source names are derived from the site (lowercase; characters other than ``a-z0-9_-`` become
``-``; at most 64 characters; a numeric suffix when two sites collide), e.g. ``www2.rizospastis.gr``
-> ``www2-rizospastis-gr``. Each source's language is the most common ``lang`` of its pages.

From a script:

    from bench.corpus_site import load_corpus, serve_corpus, write_corpus_config
    corpus = load_corpus("../shared/corpus")
    with serve_corpus(corpus) as server:            # ephemeral port on 127.0.0.1
        write_corpus_config("sources.toml", server, corpus, data_dir="data/bench")
        # crawl corpus.first .. corpus.last, then map results back:
        page_id = corpus.page_id(url)               # or corpus.url_map(server.url)

Or serve in the foreground: ``python bench/corpus_site.py CORPUS_DIR [--port P] [--config OUT]``.
"""

from __future__ import annotations

import argparse
import email.utils
import json
import os
import re
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from html import escape
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import urlsplit
from xml.sax.saxutils import escape as xml_escape

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from newsmill.demo.server import Handler, Page, SiteServer  # noqa: E402

NO_DATE_FALLBACK = date(2000, 1, 1)
"""Date of undated pages when no page of the corpus has a date at all."""
_NAME_CHARS = re.compile(r"[^a-z0-9_-]+")
_LANG = re.compile(r"^[a-z]{2,3}$")
_PAGE_URL = re.compile(r"^/([a-z0-9][a-z0-9_-]{0,63})/([^/]+)\.html$")


def source_name(site: str, taken: set[str] | None = None) -> str:
    """A config source name (``^[a-z0-9][a-z0-9_-]{0,63}$``) for `site`, unique among `taken`."""
    base = _NAME_CHARS.sub("-", site.lower()).strip("-_") or "site"
    base = base[:64].rstrip("-_") or "site"
    name, n = base, 2
    while taken is not None and name in taken:
        suffix = f"-{n}"
        name, n = base[: 64 - len(suffix)] + suffix, n + 1
    return name


@dataclass(frozen=True)
class CorpusPage:
    """One page of the corpus as served."""

    id: str
    site: str
    source: str
    lang: str
    listed: date
    """The day the page is listed under (its ``published`` date, or the fallback)."""
    dated: bool
    """False when the manifest had no date and `listed` is the fallback."""
    title: str | None
    file: Path

    @property
    def path(self) -> str:
        return f"/{self.source}/{self.id}.html"

    def url(self, base: str) -> str:
        return base.rstrip("/") + self.path


@dataclass
class Corpus:
    """A corpus directory read into pages grouped by source (one source per ``site``)."""

    root: Path
    pages: list[CorpusPage]
    sites: dict[str, str] = field(default_factory=dict)
    """site -> source name"""

    @cached_property
    def sources(self) -> dict[str, list[CorpusPage]]:
        """source name -> its pages, in manifest order."""
        out: dict[str, list[CorpusPage]] = {}
        for page in self.pages:
            out.setdefault(page.source, []).append(page)
        return out

    @property
    def first(self) -> date:
        return min(p.listed for p in self.pages)

    @property
    def last(self) -> date:
        return max(p.listed for p in self.pages)

    def date_range(self) -> tuple[date, date]:
        """(first, last): a run over these days lists every page."""
        return self.first, self.last

    def language(self, source: str) -> str:
        """The most common ``lang`` of the source's pages (``en`` when none is usable)."""
        langs = Counter(p.lang for p in self.sources[source] if _LANG.match(p.lang))
        return langs.most_common(1)[0][0] if langs else "en"

    def page_id(self, url: str) -> str | None:
        """The page id in a served page URL (tracking parameters or another port do not matter)."""
        match = _PAGE_URL.match(urlsplit(url).path)
        if match is None or match[1] not in self.sources:
            return None
        return match[2]

    def url_map(self, base: str) -> dict[str, str]:
        """URL -> page id of every page served at `base`."""
        return {p.url(base): p.id for p in self.pages}


def load_corpus(root: str | os.PathLike[str]) -> Corpus:
    """Read ``manifest.jsonl`` of a corpus directory; every listed page must exist in ``pages/``."""
    root = Path(root)
    rows = []
    with open(root / "manifest.jsonl", encoding="utf-8") as manifest:
        for number, line in enumerate(manifest, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            for key in ("id", "site"):
                if not isinstance(row.get(key), str) or not row[key]:
                    raise ValueError(f"{root}/manifest.jsonl:{number}: missing {key!r}")
            if not re.fullmatch(r"[A-Za-z0-9._-]+", row["id"]):
                raise ValueError(f"{root}/manifest.jsonl:{number}: id {row['id']!r} is not URL-safe")
            rows.append(row)
    if not rows:
        raise ValueError(f"{root}/manifest.jsonl: no pages")
    days = {}
    for row in rows:
        try:
            days[row["id"]] = date.fromisoformat(str(row.get("published"))[:10]) if row.get("published") else None
        except ValueError:
            days[row["id"]] = None
    dated = [d for d in days.values() if d is not None]
    fallback = max(dated) if dated else NO_DATE_FALLBACK
    sites: dict[str, str] = {}
    for row in rows:
        if row["site"] not in sites:
            sites[row["site"]] = source_name(row["site"], set(sites.values()))
    pages = []
    for row in rows:
        file = root / "pages" / f"{row['id']}.html"
        if not file.is_file():
            raise ValueError(f"{root}: page file {file} is missing")
        day = days[row["id"]]
        pages.append(CorpusPage(
            id=row["id"], site=row["site"], source=sites[row["site"]],
            lang=str(row.get("lang") or "").lower(), listed=day or fallback, dated=day is not None,
            title=row.get("title") or None, file=file,
        ))
    return Corpus(root=root, pages=pages, sites=sites)


def _raw_file(file: Path) -> Handler:
    """A route that sends the file's bytes as stored, ``text/html`` without a charset."""

    def handler(request: BaseHTTPRequestHandler) -> None:
        body = file.read_bytes()
        request.send_response(200)
        request.send_header("Content-Type", "text/html")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    return handler


def _noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, 0, tzinfo=UTC)


def _rss(source: str, pages: list[CorpusPage], base: str) -> bytes:
    items = "".join(
        f"<item><title>{xml_escape(p.title or p.id)}</title><link>{xml_escape(p.url(base))}</link>"
        f'<guid isPermaLink="true">{xml_escape(p.url(base))}</guid>'
        f"<pubDate>{email.utils.format_datetime(_noon(p.listed))}</pubDate></item>\n"
        for p in sorted(pages, key=lambda p: (p.listed, p.id), reverse=True)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>\n'
        f"<title>{xml_escape(source)}</title><link>{xml_escape(base)}/{source}/</link>"
        f"<description>corpus pages of {xml_escape(source)}</description>\n{items}</channel></rss>\n"
    ).encode()


def _sitemap(pages: list[CorpusPage], base: str) -> bytes:
    rows = "".join(
        f"<url><loc>{xml_escape(p.url(base))}</loc><lastmod>{p.listed.isoformat()}</lastmod></url>\n"
        for p in pages
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{rows}</urlset>\n'
    ).encode()


def corpus_routes(corpus: Corpus, base: str) -> dict[str, Page | Handler]:
    """Every path served for `corpus` at `base` (``http://127.0.0.1:PORT``)."""
    routes: dict[str, Page | Handler] = {
        "/robots.txt": Page(b"User-agent: *\nAllow: /\n", "text/plain; charset=utf-8"),
    }
    index_rows = []
    for source, pages in corpus.sources.items():
        routes[f"/{source}/rss.xml"] = Page(_rss(source, pages, base), "application/rss+xml; charset=utf-8")
        routes[f"/{source}/sitemap.xml"] = Page(_sitemap(pages, base), "application/xml; charset=utf-8")
        links = "".join(f'<li><a href="{escape(p.path)}">{escape(p.title or p.id)}</a></li>' for p in pages)
        routes[f"/{source}/"] = Page(
            f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(source)}</title></head>'
            f"<body><h1>{escape(source)}</h1><ul>{links}</ul></body></html>".encode()
        )
        index_rows.append(f'<li><a href="/{escape(source)}/">{escape(source)}</a> ({len(pages)})</li>')
        for page in pages:
            routes[page.path] = _raw_file(page.file)
    routes["/"] = Page(
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>corpus</title></head><body>'
        f'<ul>{"".join(index_rows)}</ul></body></html>'.encode()
    )
    return routes


@contextmanager
def serve_corpus(corpus: Corpus | str | os.PathLike[str], port: int = 0) -> Iterator[SiteServer]:
    """Serve `corpus` (a `Corpus` or a directory) on 127.0.0.1:`port` (0: ephemeral), stopped on exit."""
    if not isinstance(corpus, Corpus):
        corpus = load_corpus(corpus)
    server = SiteServer(port=port)
    try:
        server.set_routes(corpus_routes(corpus, server.url))
        server.start()
        yield server
    finally:
        server.stop()


def corpus_config_text(server: SiteServer | str, corpus: Corpus,
                       data_dir: str | os.PathLike[str] | None = None) -> str:
    """Sources TOML: one source per site, all on the server's netloc, feed and sitemap each."""
    base = server.url if isinstance(server, SiteServer) else str(server).rstrip("/")
    netloc = urlsplit(base).netloc
    q = json.dumps  # a JSON string is a valid TOML basic string
    lines = [
        f"# corpus {corpus.root} served by bench/corpus_site.py; pages dated "
        f"{corpus.first}..{corpus.last}",
        "[settings]",
        *([f"data_dir = {q(str(data_dir))}"] if data_dir is not None else []),
        'user_agent = "newsmill-bench/0.1 (loopback corpus crawler)"',
        "obey_robots = true",
        "download_delay = 0",
        "autothrottle = false",
        "concurrency = 32",
        "concurrency_per_domain = 32",
        "download_timeout = 30",
        "retries = 1",
    ]
    for source in corpus.sources:
        lines += [
            "", "[[sources]]", f"name = {q(source)}", f"domains = [{q(netloc)}]",
            f"language = {q(corpus.language(source))}",
            f"feeds = [{q(f'{base}/{source}/rss.xml')}]",
            f"sitemaps = [{q(f'{base}/{source}/sitemap.xml')}]",
        ]
    return "\n".join(lines) + "\n"


def write_corpus_config(path: str | os.PathLike[str], server: SiteServer | str, corpus: Corpus,
                        data_dir: str | os.PathLike[str] | None = None) -> Path:
    """Write the sources TOML for `corpus` served by `server` (or at a base URL) to `path`."""
    path = Path(path)
    path.write_text(corpus_config_text(server, corpus, data_dir), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve a corpus directory as news sites on 127.0.0.1.")
    parser.add_argument("corpus", help="directory with manifest.jsonl and pages/")
    parser.add_argument("--port", type=int, default=0, help="port (default: ephemeral)")
    parser.add_argument("--config", help="write a sources TOML for the served sites here")
    parser.add_argument("--data-dir", help="data_dir of the written config")
    args = parser.parse_args(argv)
    corpus = load_corpus(args.corpus)
    with serve_corpus(corpus, args.port) as server:
        print(f"{len(corpus.pages)} pages, {len(corpus.sources)} sites, dated {corpus.first}..{corpus.last}")
        print(f"serving on {server.url}/ (Ctrl-C to stop)")
        if args.config:
            write_corpus_config(args.config, server, corpus, args.data_dir)
            print(f"sources config written to {args.config}")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("\nstopped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
