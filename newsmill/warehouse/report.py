"""A small self-contained HTML report of the warehouse: no scripts, no network, opens offline."""

from __future__ import annotations

from datetime import date
from html import escape

import duckdb

_PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#9c755f")
_CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 980px; color: #222; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: .5rem 0; } td, th { padding: .2rem .6rem; text-align: left; }
th { background: #f3f3f3; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
.legend span { display: inline-block; margin-right: 1rem; } .swatch { width: .8rem; height: .8rem;
display: inline-block; margin-right: .3rem; vertical-align: middle; } .muted { color: #777; }
"""


def _table(headers: list[str], rows: list[tuple], empty: str) -> str:
    if not rows:
        return f'<p class="muted">{escape(empty)}</p>'
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(
            f'<td class="n">{v}</td>' if isinstance(v, int | float) else f"<td>{escape(str(v))}</td>"
            for v in row
        ) + "</tr>"
        for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _chart(counts: list[tuple[str, date, int]]) -> str:
    """Stacked bars: one bar per day, one colour per source, as inline SVG."""
    if not counts:
        return '<p class="muted">No articles in this range.</p>'
    sources = sorted({s for s, _, _ in counts})
    days = sorted({d for _, d, _ in counts})
    per_day = {d: {s: 0 for s in sources} for d in days}
    for source, day, n in counts:
        per_day[day][source] = n
    peak = max(sum(v.values()) for v in per_day.values()) or 1
    width, height, left, bottom = 900, 260, 40, 40
    bar = min(60, max(4, (width - left) // len(days) - 4))
    parts = [f'<svg role="img" aria-label="articles per source and day" width="{width}" height="{height}">']
    for tick in range(0, 5):
        value = round(peak * tick / 4)
        y = height - bottom - (height - bottom - 10) * tick / 4
        parts.append(f'<line x1="{left}" x2="{width}" y1="{y:.0f}" y2="{y:.0f}" stroke="#eee"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.0f}" font-size="11" text-anchor="end">{value}</text>')
    for i, day in enumerate(days):
        x = left + i * (bar + 4) + 2
        y = height - bottom
        for j, source in enumerate(sources):
            n = per_day[day][source]
            h = (height - bottom - 10) * n / peak
            y -= h
            colour = _PALETTE[j % len(_PALETTE)]
            parts.append(
                f'<rect x="{x}" y="{y:.1f}" width="{bar}" height="{h:.1f}" fill="{colour}">'
                f"<title>{escape(source)} {day}: {n}</title></rect>"
            )
        if len(days) <= 16 or i % max(1, len(days) // 12) == 0:
            parts.append(
                f'<text x="{x + bar / 2:.0f}" y="{height - bottom + 14}" font-size="10" '
                f'text-anchor="middle">{day.strftime("%m-%d")}</text>'
            )
    parts.append("</svg>")
    legend = "".join(
        f'<span><i class="swatch" style="background:{_PALETTE[j % len(_PALETTE)]}"></i>{escape(s)}</span>'
        for j, s in enumerate(sources)
    )
    return "".join(parts) + f'<div class="legend">{legend}</div>'


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
        "FROM crawl_log WHERE outcome IN ('failed', 'extract_failed') "
        "AND coalesce(listed_date, CAST(fetched_at AS DATE)) BETWEEN ? AND ? "
        "GROUP BY ALL ORDER BY 5 DESC LIMIT 30",
        window,
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
    total = sum(n for _, _, n in counts)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>newsmill report {first} to {last}</title>
<style>{_CSS}</style></head><body>
<h1>newsmill report: {first} to {last}</h1>
<p>{total} articles from {len(per_source)} sources.</p>
<h2>Articles per source and day</h2>
{_chart(counts)}
{_table(["source", "articles", "avg words", "days"], per_source, "No articles.")}
<h2>Crawl failures</h2>
{_table(["source", "kind", "status", "error", "URLs"], failures, "No failures.")}
<h2>Removed segments by reason</h2>
{_table(["reason", "segments", "articles"], reasons, "Nothing was removed.")}
<h2>Top duplicate clusters</h2>
{_table(["story", "copies", "sources"], clusters, "No duplicates found.")}
</body></html>
"""
