"""A small self-contained HTML report of the warehouse: no scripts, no network, opens offline."""

from __future__ import annotations

import math
from collections.abc import Container
from datetime import date, timedelta
from html import escape

import duckdb

from newsmill.warehouse.schema import crawl_latest

DEFAULT_DAYS = 31
"""Days a report covers unless told: the last ones the warehouse holds articles for, at most this many."""

_PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#9c755f")
_CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 980px; color: #222; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: .5rem 0; } td, th { padding: .2rem .6rem; text-align: left; }
th { background: #f3f3f3; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.failed td { background: #fdecea; }
.legend span { display: inline-block; margin-right: 1rem; } .swatch { width: .8rem; height: .8rem;
display: inline-block; margin-right: .3rem; vertical-align: middle; } .muted { color: #777; }
"""


def report_range(con: duckdb.DuckDBPyConnection, first: date | None = None,
                 last: date | None = None) -> tuple[date, date]:
    """The days to report: `first`/`last` where given, else the days the warehouse holds articles
    for, at most the DEFAULT_DAYS ending with `last` (or the newest article's day; today if none)."""
    oldest, newest = con.execute("SELECT min(pub_date), max(pub_date) FROM articles").fetchone()
    last = last or newest or date.today()
    if first is None:
        first = last - timedelta(days=DEFAULT_DAYS - 1)
        if oldest is not None and first < oldest <= last:
            first = oldest
    return first, last


def _table(headers: list[str], rows: list[tuple], empty: str, failed: Container[int] = ()) -> str:
    """An HTML table; cells are escaped, numbers right-aligned, rows whose index is in `failed` marked."""
    if not rows:
        return f'<p class="muted">{escape(empty)}</p>'
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        ('<tr class="failed">' if i in failed else "<tr>") + "".join(
            f'<td class="n">{v}</td>' if isinstance(v, int | float) and not isinstance(v, bool)
            else f"<td>{escape(str(v))}</td>"
            for v in row
        ) + "</tr>"
        for i, row in enumerate(rows)
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _axis(peak: int, most: int = 5) -> tuple[int, int]:
    """(step, top) of a y-axis from 0 whose gridlines fall on round numbers: the step is 1, 2 or 5
    times a power of ten, with at most `most` steps up to the top, the first multiple >= `peak`."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if math.ceil(peak / step) <= most:
                return step, max(1, math.ceil(peak / step)) * step
        magnitude *= 10


def _chart(counts: list[tuple[str, date, int]], first: date, last: date) -> str:
    """Stacked bars as inline SVG: one slot per day of first..last (a day without articles is a gap),
    one colour per source, the y-axis labelled at its gridlines."""
    if not counts:
        return '<p class="muted">No articles in this range.</p>'
    sources = sorted({s for s, _, _ in counts})
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    per_day = {d: dict.fromkeys(sources, 0) for d in days}
    for source, day, n in counts:
        per_day[day][source] = n
    step, top = _axis(max(sum(v.values()) for v in per_day.values()))
    width, height, left, bottom, above = 900, 270, 44, 40, 22
    plot = height - bottom - above
    slot = (width - left) / len(days)
    bar = max(1.0, min(48.0, slot * 0.75))
    parts = [f'<svg role="img" aria-label="articles per source and day" width="{width}" height="{height}">',
             '<text x="4" y="11" font-size="11">articles</text>']
    for value in range(0, top + 1, step):
        y = height - bottom - plot * value / top
        parts.append(f'<line x1="{left}" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{value}</text>')
    label_every = 1 if len(days) <= 16 else math.ceil(len(days) / 12)
    for i, day in enumerate(days):
        x = left + i * slot + (slot - bar) / 2
        y = height - bottom
        for j, source in enumerate(sources):
            n = per_day[day][source]
            if not n:
                continue
            h = plot * n / top
            y -= h
            colour = _PALETTE[j % len(_PALETTE)]
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{colour}">'
                f"<title>{escape(source)} {day}: {n}</title></rect>"
            )
        if i % label_every == 0:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{height - bottom + 14}" font-size="10" '
                f'text-anchor="middle">{day.strftime("%m-%d")}</text>'
            )
    parts.append("</svg>")
    legend = "".join(
        f'<span><i class="swatch" style="background:{_PALETTE[j % len(_PALETTE)]}"></i>{escape(s)}</span>'
        for j, s in enumerate(sources)
    )
    return "".join(parts) + f'<div class="legend">{legend}</div>'


_CRAWL_LATEST_OF_WINDOW = crawl_latest(
    "(SELECT * FROM crawl_log WHERE (source, url) IN (SELECT source, url FROM crawl_log "
    "WHERE coalesce(listed_date, CAST(fetched_at AS DATE)) BETWEEN ? AND ?))")
"""`crawl_latest` of the URLs crawl_log holds a row of in the window: a URL's latest row can be in
the window only then, and the window ranks these URLs only, not the whole crawl history."""


def render_report(con: duckdb.DuckDBPyConnection, first: date, last: date) -> str:
    """The report of first..last as one HTML document."""
    window = [first, last]
    counts = con.execute(
        "SELECT source, pub_date, count(*) FROM articles WHERE pub_date BETWEEN ? AND ? GROUP BY ALL",
        window,
    ).fetchall()
    per_source = con.execute(
        "SELECT source, count(*), round(avg(word_count)), count(DISTINCT pub_date) FROM articles "
        "WHERE pub_date BETWEEN ? AND ? GROUP BY ALL ORDER BY source",
        window,
    ).fetchall()
    failures = con.execute(
        "SELECT source, kind, coalesce(CAST(status AS VARCHAR), '-'), coalesce(error, ''), count(*) "
        f"FROM ({_CRAWL_LATEST_OF_WINDOW}) WHERE outcome IN ('failed', 'extract_failed') "
        "AND coalesce(listed_date, CAST(fetched_at AS DATE)) BETWEEN ? AND ? "
        "GROUP BY ALL ORDER BY 5 DESC LIMIT 30",
        window * 2,
    ).fetchall()
    reasons = con.execute(
        "SELECT r.reason, count(*), count(DISTINCT r.url) FROM removed_segments r JOIN articles a USING (url) "
        "WHERE a.pub_date BETWEEN ? AND ? GROUP BY ALL ORDER BY 2 DESC",
        window,
    ).fetchall()
    clusters = con.execute(
        "SELECT coalesce(o.title, a.duplicate_of), count(*) + 1, string_agg(DISTINCT a.source, ', ') "
        "FROM articles a LEFT JOIN articles o ON o.url = a.duplicate_of "
        "WHERE a.duplicate_of IS NOT NULL AND a.pub_date BETWEEN ? AND ? "
        "GROUP BY ALL ORDER BY 2 DESC LIMIT 15",
        window,
    ).fetchall()
    checks = con.execute(
        "SELECT day, source, articles, empty_bodies, out_of_day, CASE WHEN ok THEN 'ok' ELSE 'failed' END, "
        "coalesce(message, '') FROM day_checks WHERE day BETWEEN ? AND ? ORDER BY day DESC, source",
        window,
    ).fetchall()
    failed_checks = {i for i, row in enumerate(checks) if row[5] == "failed"}
    total = sum(n for _, _, n in counts)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>newsmill report {first} to {last}</title>
<style>{_CSS}</style></head><body>
<h1>newsmill report: {first} to {last}</h1>
<p>{total} articles from {len(per_source)} sources; {len(checks)} day checks, {len(failed_checks)} failed.</p>
<h2>Articles per source and day</h2>
{_chart(counts, first, last)}
{_table(["source", "articles", "avg words", "days"], per_source, "No articles.")}
<h2>Day checks</h2>
{_table(["day", "source", "articles", "empty bodies", "out of day", "verdict", "message"], checks,
        "No day checked: the Airflow DAG's check task records them.", failed_checks)}
<h2>Crawl failures</h2>
{_table(["source", "kind", "status", "error", "URLs"], failures, "No failures.")}
<h2>Removed segments by reason</h2>
{_table(["reason", "segments", "articles"], reasons, "Nothing was removed.")}
<h2>Top duplicate clusters</h2>
{_table(["story", "copies", "sources"], clusters, "No duplicates found.")}
</body></html>
"""
