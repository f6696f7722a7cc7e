"""Mark near-duplicate articles (syndicated wire copy, re-published stories); never delete them.

Two articles are near-duplicates when at least half of the smaller one's sampled shingles
(`transforms.fingerprint`) also occur in the other, or their normalised texts hash the same. Only
articles of the run and those within `WINDOW_DAYS` of them are compared, so the cost of a load does
not grow with the warehouse. In each group the earliest article (day, fetch time, URL) is the
original; the others point at it through `duplicate_of`.

A shingle (and a content hash) is matched against at most `MAX_HOLDERS` articles of the window,
the earliest that hold it: comparing every pair that shares one grows with the square of a cluster
(a wire story carried by 1,000 sources is 1,000,000 pairs a shingle). The earliest holders are the
candidates for the original, so a copy still finds it, and its overlap with each of them is counted
on every shingle they share.
"""

from __future__ import annotations

import duckdb

WINDOW_DAYS = 3
MIN_OVERLAP = 0.5
MIN_SAMPLES = 3
MAX_HOLDERS = 32


def mark_duplicates(con: duckdb.DuckDBPyConnection, run_id: str) -> int:
    """Set `duplicate_of` for the run's articles and their near-duplicates; return how many are marked."""
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE dup_pairs AS
        WITH fresh AS (
            SELECT url, content_hash, len(fingerprint) AS n, fingerprint, pub_date FROM articles
            WHERE run_id = $run
        ), nearby AS (  -- within the window of some fresh article's own day, not of the run's whole
                        -- span: a run that also finds a years-old page must not compare against years
            SELECT url, content_hash, len(fingerprint) AS n, fingerprint, pub_date, fetched_at FROM articles
            WHERE pub_date IN (SELECT DISTINCT f.pub_date + CAST(d AS INTEGER)
                               FROM fresh f, range(-$days, $days + 1) r(d))
        ), fresh_shingles AS (
            SELECT url, n, unnest(fingerprint) AS h FROM fresh WHERE n >= $min_samples
        ), holders AS (  -- each shingle's earliest holders only (module docstring), of the shingles
                         -- the run has: ranking all the window's would follow the articles a day
            SELECT url, n, h FROM (
                SELECT url, n, unnest(fingerprint) AS h, pub_date, fetched_at FROM nearby WHERE n >= $min_samples
            )
            WHERE h IN (SELECT h FROM fresh_shingles)
            QUALIFY row_number() OVER (PARTITION BY h ORDER BY pub_date, fetched_at, url) <= $holders
        ), shared AS (
            SELECT f.url AS a, o.url AS b, count(*) AS common, any_value(least(f.n, o.n)) AS smaller
            FROM fresh_shingles f
            JOIN holders o ON f.h = o.h AND f.url <> o.url
            GROUP BY ALL
        )
        SELECT a, b FROM shared WHERE common >= $overlap * smaller
        UNION
        SELECT f.url, o.url FROM fresh f
        JOIN (FROM nearby QUALIFY row_number() OVER (PARTITION BY content_hash
                                                     ORDER BY pub_date, fetched_at, url) <= $holders) o
          ON f.content_hash = o.content_hash AND f.url <> o.url AND coalesce(f.content_hash, '') <> ''
        """,
        {"run": run_id, "days": WINDOW_DAYS, "min_samples": MIN_SAMPLES, "overlap": MIN_OVERLAP,
         "holders": MAX_HOLDERS},
    )
    # the earlier links of the pairs' articles, looked up through the primary key: with any other
    # filter on the same scan (duplicate_of IS NOT NULL) DuckDB reads those columns of every article
    con.execute(
        "CREATE OR REPLACE TEMP TABLE dup_prior AS SELECT url, duplicate_of FROM articles "
        "WHERE url IN (SELECT a FROM dup_pairs UNION SELECT b FROM dup_pairs)"
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE dup_links AS
        WITH pairs AS (SELECT a, b FROM dup_pairs UNION SELECT b, a FROM dup_pairs),
        ranked AS (
            SELECT p.a AS url, arg_min(o.url, (o.pub_date, o.fetched_at, o.url)) AS original
            FROM (
                SELECT a, b FROM pairs
                UNION SELECT a, a FROM pairs
                UNION SELECT url, duplicate_of FROM dup_prior  -- keep links made by earlier loads
                      WHERE duplicate_of IS NOT NULL
            ) p
            JOIN articles o ON o.url = p.b
            GROUP BY p.a
        )
        SELECT url, CASE WHEN original = url THEN NULL ELSE original END AS duplicate_of FROM ranked
        """
    )
    con.execute(
        "UPDATE articles SET duplicate_of = l.duplicate_of FROM dup_links l "
        "WHERE articles.url = l.url AND articles.duplicate_of IS DISTINCT FROM l.duplicate_of"
    )
    return con.execute("SELECT count(*) FROM dup_links WHERE duplicate_of IS NOT NULL").fetchone()[0]
