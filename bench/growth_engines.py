"""Search engines compared by the growth benchmark, each behind the same three calls: build the
index from a warehouse, search it (terms, date range, language), update it with a run's articles.

- `duckdb-fts`: the search newsmill had before its index folder: DuckDB's `fts` extension (from the
  `duckdb-extension-fts` wheel, a dev dependency), `match_bm25` over every row of `articles`.
- `duckdb-tuned`: the same index tables read by a hand-written BM25 query that fetches the postings of
  the query's term ids only (a literal IN list, which DuckDB checks against each row group's min/max
  term id: the postings are re-sorted by term id once), scores per docid, and filters through a
  small docid → (day, language) table before touching `articles`.
- `tantivy`: an index folder beside the DuckDB file. One analysed field (title and text, as
  `create_fts_index` joins them into one document), tokenised like the fts extension (letters only,
  lower case, accents folded, DuckDB's 571 English stopwords, an English stemmer), BM25 k1=1.2,
  b=0.75; url, day and language as raw/fast fields for deletes and filters. Hits come back as urls;
  their rows (title, text for the snippet) are read from DuckDB by primary key.
- `bm25s`: a sparse-matrix BM25 in memory-mapped NumPy files; no filters and no updates (whole rebuild).

Third-party engines load from `GROWTH_SITE` (a `uv pip install --target` folder) so the benchmark
does not change newsmill's environment.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import duckdb_extensions
import pyarrow as pa
import pyarrow.parquet as pq

SITE = Path(os.environ.get("GROWTH_SITE", "/tmp/G-site"))
if SITE.is_dir() and str(SITE) not in sys.path:
    sys.path.append(str(SITE))

ENGINES = ("duckdb-fts", "duckdb-tuned", "tantivy", "bm25s")
EPOCH = date(1970, 1, 1)
LETTERS = r"[\p{L}\p{M}]+"
"""Tokens: runs of letters. The fts extension splits at ASCII digits, punctuation and spaces."""


FTS_SCHEMA = "fts_main_articles"


def load_fts(con: duckdb.DuckDBPyConnection) -> None:
    """Load the fts extension from its wheel, unless `con` has it already."""
    if not con.execute("SELECT count(*) FROM duckdb_functions() WHERE function_name = 'stem'").fetchone()[0]:
        duckdb_extensions.import_extension("fts", con=con)
        con.execute("LOAD fts")


def build_fts(con: duckdb.DuckDBPyConnection) -> None:
    """The BM25 tables over `articles` (title and text), as newsmill built them in the file."""
    load_fts(con)
    con.execute("PRAGMA create_fts_index('articles', 'url', 'title', 'text', stemmer = 'porter', "
                "stopwords = 'english', strip_accents = 1, lower = 1, overwrite = 1)")


def search_fts(con: duckdb.DuckDBPyConnection, terms: str, first: date | None, last: date | None,
               language: str | None, limit: int = 10) -> list[str]:
    """The top urls by `match_bm25`, evaluated for every article, as newsmill's search did."""
    load_fts(con)
    rows = con.execute(
        """
        SELECT url FROM (SELECT url, pub_date, language, fts_main_articles.match_bm25(url, ?) AS score
                         FROM articles)
        WHERE score IS NOT NULL AND (CAST(? AS DATE) IS NULL OR pub_date >= ?)
          AND (CAST(? AS DATE) IS NULL OR pub_date <= ?) AND (CAST(? AS VARCHAR) IS NULL OR language = ?)
        ORDER BY score DESC, url LIMIT ?
        """, [terms, first, first, last, last, language, language, limit]).fetchall()
    return [url for (url,) in rows]


def _batches(con: duckdb.DuckDBPyConnection, sql: str, rows: int = 20_000) -> Iterator[pa.RecordBatch]:
    reader = con.execute(sql).fetch_record_batch(rows)
    yield from reader


# ---------------------------------------------------------------- duckdb-tuned


def build_tuned(database: Path, target: Path) -> None:
    """A copy of the warehouse whose postings are sorted by term id, with a docid → day/language table."""
    shutil.copyfile(database, target)
    with duckdb.connect(str(target)) as con:
        load_fts(con)
        s = FTS_SCHEMA
        con.execute("SET preserve_insertion_order = false")
        con.execute(f"CREATE TABLE {s}.terms_sorted AS SELECT * FROM {s}.terms ORDER BY termid, docid")
        con.execute(f"DROP TABLE {s}.terms")
        con.execute(f"ALTER TABLE {s}.terms_sorted RENAME TO terms")
        con.execute(f"""CREATE OR REPLACE TABLE {s}.docmeta AS
            SELECT d.docid, a.pub_date, a.language, a.source FROM {s}.docs d JOIN articles a ON a.url = d.name
            ORDER BY d.docid""")
        con.execute("CHECKPOINT")


def search_tuned(con: duckdb.DuckDBPyConnection, terms: str, first: date | None, last: date | None,
                 language: str | None, limit: int = 10) -> list[str]:
    s = FTS_SCHEMA
    load_fts(con)
    found = con.execute(
        f"SELECT d.termid, d.df FROM {s}.dict d WHERE d.term IN ("
        f"SELECT DISTINCT stem(t, 'porter') FROM (SELECT unnest({s}.tokenize(?)) AS t) "
        f"WHERE t <> '' AND t NOT IN (SELECT sw FROM {s}.stopwords))", [terms]).fetchall()
    if not found:
        return []
    ids = ", ".join(str(int(termid)) for termid, _ in found)
    conditions, params = [], []
    for condition, value in (("m.pub_date >= ?", first), ("m.pub_date <= ?", last), ("m.language = ?", language)):
        if value is not None:
            conditions.append(condition)
            params.append(value)
    meta = f"JOIN {s}.docmeta m ON m.docid = tf.docid" if conditions else ""
    rows = con.execute(f"""
        WITH tf AS (SELECT docid, termid, count(*) AS tf FROM {s}.terms WHERE termid IN ({ids}) GROUP BY ALL),
        st AS (SELECT num_docs, avgdl FROM {s}.stats),
        scored AS (
            SELECT tf.docid, sum(log((st.num_docs - d.df + 0.5) / (d.df + 0.5) + 1)
                   * tf.tf * 2.2 / (tf.tf + 1.2 * (0.25 + 0.75 * docs.len / st.avgdl))) AS score
            FROM tf JOIN {s}.dict d ON d.termid = tf.termid JOIN {s}.docs docs ON docs.docid = tf.docid
            {meta} CROSS JOIN st
            {"WHERE " + " AND ".join(conditions) if conditions else ""}
            GROUP BY tf.docid)
        SELECT docs.name FROM scored JOIN {s}.docs docs ON docs.docid = scored.docid
        ORDER BY score DESC, docs.name LIMIT {int(limit)}""", params).fetchall()
    return [name for (name,) in rows]


# ---------------------------------------------------------------- tantivy


def _tantivy():
    import tantivy
    return tantivy


def _analyzer(stopwords: list[str]):
    t = _tantivy()
    return (t.TextAnalyzerBuilder(t.Tokenizer.regex(LETTERS)).filter(t.Filter.lowercase())
            .filter(t.Filter.ascii_fold()).filter(t.Filter.custom_stopword(stopwords))
            .filter(t.Filter.stemmer("english")).build())


def _schema():
    t = _tantivy()
    sb = t.SchemaBuilder()
    sb.add_text_field("url", stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("body", stored=False, tokenizer_name="newsmill", index_option="freq")
    sb.add_integer_field("day", indexed=True, fast=True)
    sb.add_text_field("language", stored=False, tokenizer_name="raw", index_option="basic", fast=True)
    return sb.build()


def _stopwords(con: duckdb.DuckDBPyConnection) -> list[str]:
    load_fts(con)
    return [w for (w,) in con.execute(f"SELECT sw FROM {FTS_SCHEMA}.stopwords").fetchall()]


def open_tantivy(folder: Path, stopwords: list[str]):
    t = _tantivy()
    index = t.Index(_schema(), path=str(folder), reuse=True)
    index.register_tokenizer("newsmill", _analyzer(stopwords))
    return index


def _add(writer, batch: pa.RecordBatch) -> None:  # noqa: ANN001 - tantivy writer
    t = _tantivy()
    columns = batch.to_pydict()
    for url, title, text, day, lang in zip(columns["url"], columns["title"], columns["text"],
                                           columns["pub_date"], columns["language"], strict=True):
        writer.add_document(t.Document(url=url, body=f"{title or ''}\n\n{text or ''}",
                                       day=(day - EPOCH).days, language=lang or ""))


def build_tantivy(database: Path, folder: Path, heap: int = 256_000_000) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    with duckdb.connect(str(database), read_only=True) as con:
        index = open_tantivy(folder, _stopwords(con))
        writer = index.writer(heap, 1)
        for batch in _batches(con, "SELECT url, title, text, pub_date, language FROM articles"):
            _add(writer, batch)
        writer.commit()
        writer.wait_merging_threads()


def update_tantivy(database: Path, folder: Path, run_dir: Path) -> None:
    """What a load would add: delete the run's changed urls, add their new rows, commit."""
    with duckdb.connect(str(database), read_only=True) as con:
        index = open_tantivy(folder, _stopwords(con))
    writer = index.writer(50_000_000, 1)
    articles = pq.read_table(run_dir / "articles.parquet",
                             columns=["url", "title", "text", "pub_date", "language"])
    for url in articles["url"].to_pylist():
        writer.delete_documents_by_term("url", url)
    for batch in articles.to_batches(5_000):
        _add(writer, batch)
    writer.commit()
    writer.wait_merging_threads()


def search_tantivy(index, analyzer, terms: str, first: date | None, last: date | None,  # noqa: ANN001
                   language: str | None, limit: int = 10) -> list[str]:
    t = _tantivy()
    schema = index.schema
    words = list(dict.fromkeys(analyzer.analyze(terms)))
    if not words:
        return []
    query = t.Query.boolean_query([(t.Occur.Should, t.Query.term_query(schema, "body", w, "freq"))
                                   for w in words])
    filters = []
    if first is not None or last is not None:
        filters.append(t.Query.range_query(schema, "day", t.FieldType.Integer,
                                           None if first is None else (first - EPOCH).days,
                                           None if last is None else (last - EPOCH).days))
    if language is not None:
        filters.append(t.Query.term_query(schema, "language", language))
    if filters:
        query = t.Query.boolean_query([(t.Occur.Must, query)]
                                      + [(t.Occur.Must, t.Query.const_score_query(f, 0.0)) for f in filters])
    searcher = index.searcher()
    hits = searcher.search(query, limit, count=False).hits
    return [searcher.doc(address)["url"][0] for _, address in hits]


# ---------------------------------------------------------------- bm25s


def build_bm25s(database: Path, folder: Path) -> None:
    import bm25s
    import Stemmer
    shutil.rmtree(folder, ignore_errors=True)
    with duckdb.connect(str(database), read_only=True) as con:
        stop = _stopwords(con)
        urls, docs = [], []
        for batch in _batches(con, "SELECT url, title, text FROM articles"):
            columns = batch.to_pydict()
            urls.extend(columns["url"])
            docs.extend(f"{a or ''}\n\n{b or ''}" for a, b in zip(columns["title"], columns["text"], strict=True))
    tokens = bm25s.tokenize(docs, stopwords=stop, stemmer=Stemmer.Stemmer("english"), show_progress=False)
    del docs
    model = bm25s.BM25(k1=1.2, b=0.75, method="lucene")
    model.index(tokens, show_progress=False)
    model.save(str(folder), corpus=[{"url": u} for u in urls])


def search_bm25s(model, terms: str, limit: int = 10) -> list[str]:  # noqa: ANN001
    import bm25s
    import Stemmer
    query = bm25s.tokenize([terms], stopwords=model.stop, stemmer=Stemmer.Stemmer("english"),
                           show_progress=False, return_ids=False)
    if not query or not query[0]:
        return []
    vocab = model.vocab_dict
    words = [w for w in query[0] if w in vocab]
    if not words:
        return []
    results, scores = model.retrieve([words], k=limit, show_progress=False, n_threads=1)
    return [r["url"] for r, score in zip(results[0], scores[0], strict=True) if score > 0]


def load_bm25s(folder: Path, stopwords: list[str]):
    import bm25s
    model = bm25s.BM25.load(str(folder), load_corpus=True, mmap=True)
    model.stop = stopwords
    return model


# ---------------------------------------------------------------- one search, as the CLI would run it


def timed_search(engine: str, database: Path, index_dir: Path | None, terms: str, first: date | None,
                 last: date | None, language: str | None) -> tuple[float, list[str]]:
    """Seconds and top-10 urls of one search, opening everything afresh as a new process would
    (the rows of the hits, with their text for the snippet, are read for every engine)."""
    started = time.perf_counter()
    with duckdb.connect(str(database), read_only=True) as con:
        if engine == "duckdb-fts":
            urls = search_fts(con, terms, first, last, language)
        elif engine == "duckdb-tuned":
            urls = search_tuned(con, terms, first, last, language)
        elif engine == "tantivy":
            stop = _stopwords(con)
            index = open_tantivy(index_dir, stop)
            urls = search_tantivy(index, _analyzer(stop), terms, first, last, language)
        elif engine == "bm25s":
            urls = search_bm25s(load_bm25s(index_dir, _stopwords(con)), terms)
        else:
            raise ValueError(engine)
        if urls:  # the CLI shows title, date, source and a snippet of the text
            con.execute("SELECT url, title, pub_date, source, language, text FROM articles "
                        "WHERE url IN (SELECT unnest(?))", [urls]).fetchall()
    return time.perf_counter() - started, urls
