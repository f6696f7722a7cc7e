"""Full-text search (BM25) over titles and bodies, answered by the search index folder beside the
warehouse (`index.py`), never by a folder that disagrees with the warehouse.

While the DuckDB file is as it was when a reader last found the folder current with it, the folder
answers alone: no DuckDB is opened, or even imported (its import is most of a search's start-up).
Otherwise, and always for a DuckLake, the search opens the warehouse read-only and brings the
folder up to it first (`sync.sync_index`: catching up, or rebuilding with a message on stderr).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from newsmill.config import DuckLake
from newsmill.warehouse.index import Hit, IndexDamaged, SearchIndex

if TYPE_CHECKING:
    import duckdb

__all__ = ["Hit", "search"]


def search(
    warehouse: Path | DuckLake,
    terms: str,
    *,
    first: date | None = None,
    last: date | None = None,
    sources: list[str] | None = None,
    language: str | None = None,
    limit: int = 10,
    say: Callable[[str], None] | None = None,
) -> list[Hit]:
    """Articles of `warehouse` holding any word of `terms`, best BM25 score first (ties by url),
    filtered by date, source and language. `terms` are words: query syntax of any kind is only text.
    What the search repairs first it says on `say` (default: stderr)."""
    filters = {"first": first, "last": last, "sources": sources, "language": language, "limit": limit}
    if not isinstance(warehouse, DuckLake):
        store = SearchIndex(Path(warehouse))
        index = store.trusted()
        if index is not None:
            try:
                return store.search(index, terms, **filters)
            except IndexDamaged:  # damaged where the cheap checks do not look: checked below, and rebuilt
                pass
    from newsmill.warehouse.connection import connect, say_on_stderr

    say = say or say_on_stderr
    with connect(warehouse, read_only=True, say=say) as con:
        return _search_checked(con, terms, say=say, **filters)


def _search_checked(con: duckdb.DuckDBPyConnection, terms: str, *, say: Callable[[str], None],
                   **filters: object) -> list[Hit]:
    """`search` on an open connection: the folder brought up to the warehouse first."""
    from newsmill.warehouse.sync import sync_index

    synced = sync_index(con, say=say)
    if synced is None:
        return []
    try:
        return synced.store.search(synced.index, terms, **filters)
    except IndexDamaged as exc:  # a file damaged where the cheap checks do not look
        synced = sync_index(con, say=say, rebuild=f"Tantivy cannot search it ({exc})")
        return synced.store.search(synced.index, terms, **filters)
