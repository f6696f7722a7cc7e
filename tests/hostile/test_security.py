"""Security audit as tests: no SQL built by formatting values in, bounded XML and gzip, WARC file
names that cannot leave their folder, loopback-only servers."""

from __future__ import annotations

import ast
import gzip
from datetime import date
from pathlib import Path

import pytest

from newsmill import layout
from newsmill.demo.server import SiteServer
from spiders.listings import ListingError, gunzip_capped, parse_feed, parse_sitemap

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("newsmill", "spiders", "transforms", "dags")
# f-strings allowed in SQL, each reviewed: only constants or quoted user paths go in, never values
# from source names, dates or page data.
REVIEWED = {
    ("newsmill/warehouse/load.py", "ARTICLE_COLUMNS"),  # a module constant (column list)
    ("newsmill/warehouse/load.py", "_CONTENT_DIFFERS"),  # built from the constant CONTENT_COLUMNS
    ("newsmill/warehouse/export.py", "_literal"),  # COPY target path, quotes doubled; not bindable
    # the search index's bookkeeping: the pending table's name (a schema constant) and the temp
    # table of a load's changed urls (named by the load code); identifiers cannot be bound
    ("newsmill/warehouse/sync.py", "SEARCH_PENDING"),
    ("newsmill/warehouse/sync.py", "changed"),
    # rows by key: one "?" per url, the urls bound
    ("newsmill/warehouse/index.py", "placeholders"),
    # a module constant: the crawl_latest view's query (schema.crawl_latest) over a subquery whose
    # days are bound
    ("newsmill/warehouse/report.py", "_CRAWL_LATEST_OF_WINDOW"),
    # ATTACH and SET take no parameters: the warehouse's own path, quotes doubled; the catalog name
    # DuckDB gave that file, quoted as an identifier
    ("newsmill/warehouse/connection.py", "_sql_string"),
    ("newsmill/warehouse/connection.py", "name"),
    ("newsmill/warehouse/load.py", "LOOKUP_URLS"),  # a module constant (an int)
    # DuckDB settings the code names for a rebuild (memory_limit, threads) and their values as DuckDB
    # reported them before, restored after
    ("newsmill/warehouse/index.py", "value"),
    # DuckLake: ATTACH, LOAD, SET VARIABLE, USE, DETACH and CREATE SECRET take no parameters; only the
    # catalog's constant name and values quoted by _sql_string (quotes doubled) go in
    ("newsmill/warehouse/backend.py", "CATALOG"),
    ("newsmill/warehouse/backend.py", "_sql_string"),
    ("newsmill/warehouse/backend.py", "sql"),  # the secret's options, each value through _sql_string
}


def _formatted_sql() -> list[tuple[str, int, str]]:
    found = []
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr in ("execute", "executemany", "sql", "query") and node.args):
                    continue
                sql = node.args[0]
                if isinstance(sql, ast.JoinedStr | ast.BinOp) or (
                        isinstance(sql, ast.Call) and getattr(sql.func, "attr", "") == "format"):
                    names = {n.id for n in ast.walk(sql) if isinstance(n, ast.Name)}
                    rel = str(path.relative_to(REPO))
                    if not any((rel, name) in REVIEWED for name in names):
                        found.append((rel, node.lineno, ast.unparse(sql)[:80]))
    return found


def test_no_sql_is_built_by_formatting_values_in() -> None:
    assert _formatted_sql() == []


def test_gzip_is_capped_once_decompressed() -> None:
    bomb = gzip.compress(b" " * 3_000_000)
    with pytest.raises(ListingError, match="larger than"):
        gunzip_capped(bomb, limit=1_000_000)
    with pytest.raises(ListingError, match="larger than"):
        parse_sitemap(gzip.compress(b"<urlset>" + b" " * 3_000_000 + b"</urlset>"), limit=1_000_000)


def test_feeds_expand_no_external_entities(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    feed = (f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">]>'
            "<rss version='2.0'><channel><item><title>&x;</title><link>https://news.test/a/1</link>"
            "</item></channel></rss>").encode()
    for listing in parse_feed(feed):
        assert "TOP-SECRET" not in (listing.title or "") + listing.url


@pytest.mark.parametrize("name", ["../etc", "a/b", "..", "", "UPPER", "x" * 80, "a\x00b"])
def test_warc_file_names_cannot_leave_their_folder(name: str) -> None:
    with pytest.raises(ValueError, match="unsafe source name"):
        layout.warc_path(Path("data"), name, date(2026, 11, 20))


def test_test_and_demo_servers_listen_on_loopback_only() -> None:
    server = SiteServer()
    try:
        assert server._server.server_address[0] == "127.0.0.1"  # noqa: SLF001
    finally:
        server.stop()
