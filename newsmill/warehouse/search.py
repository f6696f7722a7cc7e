"""Full-text search over titles and bodies: DuckDB's `fts` extension (BM25), loaded offline.

The extension comes from the `duckdb-extension-fts` wheel installed with newsmill, so nothing is
downloaded at run time. The index is rebuilt by the load step, so search always sees loaded rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

import duckdb
import duckdb_extensions


def fts_extension_path() -> Path:
    """The fts extension binary shipped in the wheel, for loading it into the DuckDB CLI."""
    return (Path(str(resources.files("duckdb_extension_fts"))) / "extensions" / f"v{duckdb.__version__}"
            / "fts.duckdb_extension")


def load_fts(con: duckdb.DuckDBPyConnection) -> None:
    """Install the fts extension from its PyPI wheel (idempotent) and load it."""
    duckdb_extensions.import_extension("fts", con=con)
    con.execute("LOAD fts")


def rebuild_index(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)build the BM25 index of `articles` over title and text."""
    load_fts(con)
    con.execute(
        "PRAGMA create_fts_index('articles', 'url', 'title', 'text', "
        "stemmer = 'porter', stopwords = 'english', strip_accents = 1, lower = 1, overwrite = 1)"
    )


@dataclass(frozen=True)
class Hit:
    score: float
    url: str
    title: str | None
    pub_date: date
    source: str
    language: str | None
    snippet: str


def search(
    con: duckdb.DuckDBPyConnection,
    terms: str,
    *,
    first: date | None = None,
    last: date | None = None,
    sources: list[str] | None = None,
    language: str | None = None,
    limit: int = 10,
) -> list[Hit]:
    """Articles matching `terms`, best BM25 score first, filtered by date, source and language."""
    load_fts(con)
    indexed = con.execute(
        "SELECT count(*) FROM duckdb_schemas() WHERE schema_name = 'fts_main_articles'"
    ).fetchone()[0]
    if not indexed:
        return []
    rows = con.execute(
        """
        SELECT score, url, title, pub_date, source, language, text FROM (
            SELECT *, fts_main_articles.match_bm25(url, ?) AS score FROM articles
        ) WHERE score IS NOT NULL
          AND (CAST(? AS DATE) IS NULL OR pub_date >= ?)
          AND (CAST(? AS DATE) IS NULL OR pub_date <= ?)
          AND (CAST(? AS VARCHAR[]) IS NULL OR source IN (SELECT unnest(?)))
          AND (CAST(? AS VARCHAR) IS NULL OR language = ?)
        ORDER BY score DESC, url LIMIT ?
        """,
        [terms, first, first, last, last, sources or None, sources or None, language, language, limit],
    ).fetchall()
    return [Hit(score, url, title, day, source, lang, snippet(text or "", terms))
            for score, url, title, day, source, lang, text in rows]


def snippet(text: str, terms: str, width: int = 200) -> str:
    """The stretch of `text` around the first query term found, for showing a hit in context."""
    lowered = text.lower()
    positions = [lowered.find(t) for t in terms.lower().split() if t and lowered.find(t) >= 0]
    start = max(0, min(positions) - width // 4) if positions else 0
    piece = " ".join(text[start:start + width].split())
    return ("…" if start else "") + piece + ("…" if start + width < len(text) else "")
