"""The search index folder kept current with the warehouse: what `search.py` answers from.

The warehouse is the truth and the folder derived from it. A load records, in its own transaction,
the urls it changed (`search_pending`) under a new generation (`newsmill_meta.search_generation`);
once DuckDB has committed, `sync_index` applies those urls to the folder, which records that
generation, and the load deletes the pending rows the folder now covers. A search runs the same
`sync_index` first, unless the folder was found current with the DuckDB file as it still is
(`SearchIndex.trusted`): a load killed between the two commits leaves the folder behind and its
pending rows, which are applied then; a folder missing, damaged, made by another version of the
index or for another warehouse, or whose changes since are no longer recorded, is rebuilt from
`articles` (saying why on stderr). No search answers from a folder that disagrees with the warehouse.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import tantivy

from newsmill.warehouse.backend import index_beside
from newsmill.warehouse.connection import say_on_stderr
from newsmill.warehouse.index import VERSION, IndexDamaged, SearchIndex, SearchIndexError, State
from newsmill.warehouse.schema import SEARCH_GENERATION, SEARCH_PENDING, WAREHOUSE_ID

LAKE_PENDING_GENERATIONS = 1000
"""A DuckLake keeps the pending urls of this many latest generations, for the search index of every
machine: one further behind is rebuilt from `articles` instead."""


def record_changes(con: duckdb.DuckDBPyConnection, changed: str) -> None:
    """In a load's transaction: the urls of table `changed` (inserted, replaced or deleted
    articles) become pending for the search index under a new generation; nothing if it is empty.

    On a DuckLake the generations older than `LAKE_PENDING_GENERATIONS` are dropped here: only
    loads write `search_pending`, and two loads that change articles conflict anyway (both raise
    the generation), so this delete adds no conflict; a delete anywhere else would."""
    if not con.execute(f"SELECT count(*) FROM {changed}").fetchone()[0]:
        return
    con.execute("UPDATE newsmill_meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) WHERE key = ?",
                [SEARCH_GENERATION])
    generation = "(SELECT CAST(value AS BIGINT) FROM newsmill_meta WHERE key = ?)"
    con.execute(f"INSERT INTO {SEARCH_PENDING} SELECT DISTINCT url, {generation} FROM {changed}",
                [SEARCH_GENERATION])
    if index_beside(con) is not None:
        con.execute(f"DELETE FROM {SEARCH_PENDING} WHERE generation <= {generation} - ?",
                    [SEARCH_GENERATION, LAKE_PENDING_GENERATIONS])


@dataclass(frozen=True)
class _Warehouse:
    """What the index must agree with: the file (for a DuckLake, the local path its index is
    beside), its id, its generation and its article count. `prunes_pending`: a write connection to
    the DuckDB file, whose one index is all that reads `search_pending`; a DuckLake keeps its pending
    rows for the index of every machine (and deleting them would conflict with other loads)."""

    path: Path
    id: str | None
    generation: int
    articles: int
    prunes_pending: bool
    read_only_file: bool  # a reader of the DuckDB file: no writer can change it while it is open


def _warehouse(con: duckdb.DuckDBPyConnection) -> _Warehouse | None:
    """The warehouse of `con`, or None when the file has no `articles` table yet."""
    path, read_only = con.execute(
        "SELECT path, readonly FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    beside = index_beside(con)
    if beside is not None:
        path = beside
    if path is None:
        raise ValueError("search needs a warehouse file, not an in-memory database")
    tables = {name for (name,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'main'").fetchall()}
    if "articles" not in tables:
        return None
    meta = dict(con.execute("SELECT key, value FROM newsmill_meta WHERE key IN (?, ?)",
                            [WAREHOUSE_ID, SEARCH_GENERATION]).fetchall()) if "newsmill_meta" in tables else {}
    articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    return _Warehouse(Path(path), meta.get(WAREHOUSE_ID), int(meta.get(SEARCH_GENERATION) or 0), articles,
                      prunes_pending=beside is None and not read_only and SEARCH_PENDING in tables,
                      read_only_file=beside is None and read_only)


@dataclass(frozen=True)
class _Finding:
    """The index folder against the warehouse: current (`index` set), behind from a generation
    whose changes are all pending (`behind` set; from 0 when there is no index yet), or a `problem`
    only a rebuild repairs."""

    index: tantivy.Index | None = None
    behind: int | None = None
    problem: str | None = None


def _examine(store: SearchIndex, warehouse: _Warehouse, con: duckdb.DuckDBPyConnection, *,
             checksums: bool = False) -> _Finding:
    state = store.state()
    if state is None and not store.built():
        if warehouse.generation and _every_article_pending(con, warehouse):  # a new warehouse's first load
            return _behind(con, 0, warehouse, None)
        return _Finding(problem="it is missing")
    if state is None:
        return _Finding(problem="it holds no finished build (a build was cut short, or its record is unreadable)")
    problem = _disagreement(state, warehouse) or store.damage(state, checksums=checksums)
    if problem:
        return _Finding(problem=problem)
    try:
        index = store.open()
        if state.generation < warehouse.generation:
            return _behind(con, state.generation, warehouse, index)
        documents = store.documents(index)
    except IndexDamaged as exc:
        return _Finding(problem=f"Tantivy cannot read it ({exc})")
    if documents != warehouse.articles:
        return _Finding(problem=f"it holds {documents} documents for {warehouse.articles} articles")
    return _Finding(index=index)


def _disagreement(state: State, warehouse: _Warehouse) -> str | None:
    if state.version != VERSION:
        return "it was made by another version of newsmill's search index"
    if state.warehouse != warehouse.id:
        return "it was made for another warehouse"
    if state.generation > warehouse.generation:
        return (f"it holds changes up to generation {state.generation}, the warehouse only up to "
                f"{warehouse.generation} (an older copy of the warehouse file?)")
    return None


def _every_article_pending(con: duckdb.DuckDBPyConnection, warehouse: _Warehouse) -> bool:
    """Whether applying every pending url can give the whole index: no article came in another way."""
    return _has_pending_table(con) and con.execute(
        f"SELECT count(DISTINCT url) FROM {SEARCH_PENDING}").fetchone()[0] >= warehouse.articles


def _behind(con: duckdb.DuckDBPyConnection, since: int, warehouse: _Warehouse,
            index: tantivy.Index | None) -> _Finding:
    recorded = con.execute(
        f"SELECT count(DISTINCT generation) FROM {SEARCH_PENDING} WHERE generation > ? AND generation <= ?",
        [since, warehouse.generation]).fetchone()[0] if _has_pending_table(con) else 0
    if recorded != warehouse.generation - since:
        return _Finding(problem=f"it is behind the warehouse (generation {since} of {warehouse.generation}) "
                                "and the changes since are no longer recorded")
    return _Finding(index=index, behind=since)


def _has_pending_table(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
                       "AND schema_name = 'main' AND table_name = ?", [SEARCH_PENDING]).fetchone()[0] > 0


@dataclass(frozen=True)
class Synced:
    """The index, current with the warehouse, and what it took: nothing, a catch-up, or a rebuild."""

    index: tantivy.Index
    store: SearchIndex
    documents: int
    caught_up: int = 0  # articles applied from `search_pending`
    rebuilt: str | None = None  # why it was rebuilt


def sync_index(con: duckdb.DuckDBPyConnection, *, say: Callable[[str], None] = say_on_stderr,
               progress: bool = True, announce_catch_up: bool = True, checksums: bool = False,
               rebuild: str | None = None) -> Synced | None:
    """Bring the search index of `con`'s warehouse up to the warehouse and return it (None: no
    `articles` table yet). A catch-up is said on `say` if `announce_catch_up` (a load's own is
    routine), a rebuild always, with a progress bar when `progress`. `checksums` reads every file
    of the folder to check it; `rebuild`, a reason, rebuilds it whatever it holds. On a write
    connection to the DuckDB file the pending rows the folder covers are deleted.

    Only writers take the folder's lock; the folder is examined again under it, since another
    process may have repaired it meanwhile. A reader of the DuckDB file marks the folder checked
    against the file, for the searches after it. Raises SearchIndexError when the folder cannot be
    written.
    """
    warehouse = _warehouse(con)
    if warehouse is None:
        return None
    store = SearchIndex(warehouse.path)
    found = _Finding(problem=rebuild) if rebuild else _examine(store, warehouse, con, checksums=checksums)
    caught_up, rebuilt = 0, None
    if found.index is None or found.behind is not None:
        with store.writing(say):
            if not rebuild:
                found = _examine(store, warehouse, con, checksums=checksums)
            if found.behind is not None:
                caught_up, found = _catch_up(store, warehouse, con, found.behind, say, announce_catch_up)
            if found.problem:
                rebuilt = found.problem
                say(f"search index {store.folder}: {found.problem}; building it from the "
                    f"warehouse's {warehouse.articles} articles")
                try:
                    store.rebuild(con, progress=progress)
                except IndexDamaged as exc:
                    raise SearchIndexError(f"search index {store.folder}: Tantivy cannot build it ({exc})") from None
                store.record(warehouse.id, warehouse.generation)
                found = _examine(store, warehouse, con)
                if found.index is None:
                    raise SearchIndexError(f"search index {store.folder}: {found.problem} right after "
                                           "it was rebuilt; move the folder away and search again")
    if warehouse.prunes_pending:
        con.execute(f"DELETE FROM {SEARCH_PENDING} WHERE generation <= ?", [warehouse.generation])
    if warehouse.read_only_file:
        store.mark_checked()
    return Synced(found.index, store, warehouse.articles, caught_up, rebuilt)


def _catch_up(store: SearchIndex, warehouse: _Warehouse, con: duckdb.DuckDBPyConnection, since: int,
              say: Callable[[str], None], announce: bool) -> tuple[int, _Finding]:
    """Apply the pending urls of the generations after `since`; then examine the folder again."""
    urls = [url for (url,) in con.execute(
        f"SELECT DISTINCT url FROM {SEARCH_PENDING} WHERE generation > ? AND generation <= ? ORDER BY url",
        [since, warehouse.generation]).fetchall()]
    if announce:
        say(f"search index {store.folder}: behind the warehouse (a load ended before updating it); "
            f"applying its {len(urls)} changed articles")
    try:
        store.update(con, urls)
    except IndexDamaged as exc:
        return len(urls), _Finding(problem=f"Tantivy cannot update it ({exc})")
    store.record(warehouse.id, warehouse.generation)
    return len(urls), _examine(store, warehouse, con)
