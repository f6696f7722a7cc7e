"""`newsmill search`: answered by the search index folder, so it imports neither DuckDB nor Rich
unless the folder must be checked against the warehouse first (`newsmill.warehouse.search`)."""

from __future__ import annotations

from datetime import date

import click

from newsmill.cli import Context, sources_option
from newsmill.cli.output import print_rows, say
from newsmill.dates import DATE
from newsmill.terminal import printable
from newsmill.warehouse.search import search as search_warehouse


@click.command()
@click.argument("terms")
@click.option("--from", "first", type=DATE, help="Only articles published on or after this day.")
@click.option("--to", "last", type=DATE, help="Only articles published on or before this day.")
@sources_option
@click.option("--lang", "language", metavar="CODE", help="Only articles in this language (e.g. en).")
@click.option("--limit", type=click.IntRange(1), default=10, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True,
              help="table: for reading (title, date, source, language, url and a snippet). csv, json: "
                   "url, score, title, pub_date, source, language of each hit, for programs and for "
                   "SQL (e.g. DuckDB's read_csv), as `query` prints them.")
@click.pass_obj
def search(obj: Context, terms: str, first: date | None, last: date | None, sources: tuple[str, ...],
           language: str | None, limit: int, fmt: str) -> None:
    """Full-text search (BM25) over titles and bodies, best match first.

    TERMS are words, not a query language: punctuation and operators are only text. The search
    index lives beside the DuckDB file (FILE.search/); a search that finds it missing, damaged or
    behind the warehouse repairs it first and says so. Besides that folder, search reads no other
    file and no network.
    Titles and text show literally: markup as typed, control characters as escapes (\\x1b).
    """
    config = obj.config()
    hits = search_warehouse(config.settings.warehouse, terms, first=first, last=last,
                            sources=list(sources) or None, language=language, limit=limit, say=say)
    if not hits:
        say(f"no article matches {terms!r}")
    if fmt != "table":
        print_rows(["url", "score", "title", "pub_date", "source", "language"],
                   [(h.url, h.score, h.title, h.pub_date, h.source, h.language) for h in hits], fmt)
        return
    for rank, hit in enumerate(hits, 1):  # click drops the bold when stdout is not a terminal
        click.echo(click.style(printable(f"{rank}. {hit.title or hit.url}"), bold=True) + f"  ({hit.score:.2f})")
        click.echo(printable(f"   {hit.pub_date} · {hit.source} · {hit.language or '?'} · {hit.url}"))
        click.echo(printable(f"   {hit.snippet}"))
