"""Full-text search over titles and bodies: DuckDB's `fts` extension (BM25), loaded offline.

The extension comes from the `duckdb-extension-fts` wheel installed with newsmill, so nothing is
downloaded at run time. The load step brings the index up to date in its transaction (only the
documents of the run are re-indexed), so search always sees loaded rows.
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
    """Install the fts extension from its PyPI wheel and load it, unless `con` has it already.

    The check lets `search` run on a connection without external access (`forbid_external_access`),
    which can no longer install anything.
    """
    stemmer = con.execute("SELECT count(*) FROM duckdb_functions() WHERE function_name = 'stem'")
    if stemmer.fetchone()[0]:  # fts is loaded
        return
    duckdb_extensions.import_extension("fts", con=con)
    con.execute("LOAD fts")


FTS_SCHEMA = "fts_main_articles"
_FIELDS = ("title", "text")  # fieldid 0 and 1, as create_fts_index numbers them


def rebuild_index(con: duckdb.DuckDBPyConnection, changed: str | None = None) -> None:
    """Bring the BM25 index of `articles` (over title and text) up to date.

    Without `changed`, or when there is no index yet, the whole index is built (`create_fts_index`),
    which costs in proportion to the warehouse. With `changed`, the name of a
    table with a `url` column listing every article inserted, replaced or deleted since the index was
    last current, only those documents are taken out of and put back into the index tables, so a
    load costs in proportion to the run, not to the warehouse. The tables then hold what a full
    rebuild would give (document ids aside), so `match_bm25` scores are the same.
    """
    load_fts(con)
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = 'stats'", [FTS_SCHEMA]
    ).fetchone()[0]
    if changed is None or not exists:
        con.execute(
            "PRAGMA create_fts_index('articles', 'url', 'title', 'text', "
            "stemmer = 'porter', stopwords = 'english', strip_accents = 1, lower = 1, overwrite = 1)"
        )
        return
    _update_index(con, changed)


def _update_index(con: duckdb.DuckDBPyConnection, changed: str) -> None:
    s = FTS_SCHEMA
    con.execute(f"CREATE OR REPLACE TEMP TABLE fts_urls AS SELECT DISTINCT url FROM {changed}")
    # 1. take the changed documents out: their terms, their share of each term's df, their row
    con.execute(f"CREATE OR REPLACE TEMP TABLE fts_old AS SELECT docid FROM {s}.docs "
                "WHERE name IN (SELECT url FROM fts_urls)")
    if con.execute("SELECT count(*) FROM fts_old").fetchone()[0]:
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE fts_old_df AS
            SELECT termid, count(DISTINCT docid) AS n FROM {s}.terms
            WHERE docid IN (SELECT docid FROM fts_old) GROUP BY termid""")
        con.execute(f"DELETE FROM {s}.terms WHERE docid IN (SELECT docid FROM fts_old)")
        con.execute(f"DELETE FROM {s}.docs WHERE docid IN (SELECT docid FROM fts_old)")
        con.execute(f"UPDATE {s}.dict SET df = dict.df - o.n FROM fts_old_df o WHERE dict.termid = o.termid")
        con.execute(f"DELETE FROM {s}.dict WHERE df <= 0")
    # 2. put the changed documents still in the table back, tokenized as create_fts_index does
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE fts_new_docs AS
        SELECT (SELECT coalesce(max(docid), -1) FROM {s}.docs) + row_number() OVER (ORDER BY url) AS docid,
               url AS name, title, text
        FROM articles WHERE url IN (SELECT url FROM fts_urls)""")
    tokenized = " UNION ALL ".join(
        f"SELECT unnest({s}.tokenize({field})) AS w, docid, {fieldid} AS fieldid FROM fts_new_docs"
        for fieldid, field in enumerate(_FIELDS)
    )
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE fts_new_terms AS
        WITH tokenized AS ({tokenized})
        SELECT stem(t.w, 'porter') AS term, t.docid, t.fieldid FROM tokenized t
        WHERE t.w NOT NULL AND len(t.w) > 0 AND t.w NOT IN (SELECT sw FROM {s}.stopwords)""")
    con.execute(f"""
        INSERT INTO {s}.dict (termid, term, df)
        SELECT (SELECT coalesce(max(termid), -1) FROM {s}.dict) + row_number() OVER (ORDER BY term), term, 0
        FROM (SELECT DISTINCT term FROM fts_new_terms
              WHERE term NOT IN (SELECT term FROM {s}.dict))""")
    con.execute(f"""
        UPDATE {s}.dict SET df = dict.df + n.n
        FROM (SELECT term, count(DISTINCT docid) AS n FROM fts_new_terms GROUP BY term) n
        WHERE dict.term = n.term""")
    con.execute(f"""
        INSERT INTO {s}.terms (docid, fieldid, termid)
        SELECT t.docid, t.fieldid, d.termid FROM fts_new_terms t JOIN {s}.dict d ON d.term = t.term""")
    con.execute(f"""
        INSERT INTO {s}.docs (docid, name, len)
        SELECT d.docid, d.name, count(t.term) FROM fts_new_docs d
        LEFT JOIN fts_new_terms t ON t.docid = d.docid GROUP BY d.docid, d.name""")
    # 3. collection statistics
    con.execute(f"DELETE FROM {s}.stats")
    con.execute(f"INSERT INTO {s}.stats SELECT count(docs.docid), sum(docs.len) / count(docs.len) FROM {s}.docs")
    for temp in ("fts_urls", "fts_old", "fts_old_df", "fts_new_docs", "fts_new_terms"):
        con.execute(f"DROP TABLE IF EXISTS {temp}")


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
