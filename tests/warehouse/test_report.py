"""The HTML report on a real DuckDB warehouse: the days it covers by default, a chart whose bars
fill it and whose y-axis labels sit on its gridlines, the day checks, and crawled text kept as text."""

from __future__ import annotations

import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from lxml import html as lxml_html

from bench.cli_harness import NEWSMILL
from newsmill.warehouse import connect
from newsmill.warehouse.report import render_report

FIRST, LAST = date(2026, 11, 18), date(2026, 11, 20)
# articles per (source, day): day totals 7, 5 and 2, so the old quartered axis (0, 2, 4, 5, 7 at
# 0, 1.75, 3.5, 5.25, 7) would put labels beside, not on, the heights they name
COUNTS = {("gazette", FIRST): 4, ("rundschau", FIRST): 3, ("gazette", FIRST + timedelta(1)): 5,
          ("rundschau", LAST): 2}
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _warehouse(path: Path, counts: dict[tuple[str, date], int]) -> Path:
    with connect(path) as con:
        for (source, day), n in counts.items():
            for i in range(n):
                con.execute("INSERT INTO articles (url, source, pub_date, title, word_count) VALUES (?, ?, ?, ?, ?)",
                            [f"http://{source}.test/{day}/{i}", source, day, f"{source} {day} {i}", 100])
    return path


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    db = _warehouse(tmp_path / "news.duckdb", COUNTS)
    stamp = datetime(2026, 11, 21, 1, tzinfo=UTC)
    with connect(db) as con:
        con.execute("UPDATE articles SET title = ? WHERE url = 'http://gazette.test/2026-11-18/0'", [HOSTILE])
        con.execute("UPDATE articles SET duplicate_of = 'http://gazette.test/2026-11-18/0' "
                    "WHERE url = 'http://rundschau.test/2026-11-18/0'")
        con.executemany("INSERT INTO day_checks VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [
            [FIRST, "gazette", 4, 0, 0, True, "4 articles", stamp],
            [FIRST, "rundschau", 3, 0, 0, True, "3 articles", stamp],
            [FIRST + timedelta(1), "rundschau", 0, 0, 0, False, f"no articles {HOSTILE}", stamp],
        ])
        con.execute("INSERT INTO crawl_log (run_id, source, url, kind, listed_date, outcome, status, error, "
                    "fetched_at) VALUES ('r1', 'gazette', 'http://gazette.test/x', ?, ?, 'failed', "
                    "500, ?, ?)", [HOSTILE, FIRST, f"HTTP 500 {HOSTILE}", stamp])
        con.execute("INSERT INTO removed_segments (url, position, text, reason, score) VALUES ('http://gazette.test/2026-11-18/1', 2, 'x', ?, 1.0)",
                    [HOSTILE])
    return db


def _report(db: Path, first: date = FIRST, last: date = LAST):
    with connect(db, read_only=True) as con:
        text = render_report(con, first, last)
    return text, lxml_html.fromstring(text)


def _cli_report(db: Path, out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([NEWSMILL, "--db", str(db), "report", "--out", str(out), *args],
                          capture_output=True, text=True, timeout=120)


def test_by_default_the_report_covers_the_days_the_warehouse_holds(warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    done = _cli_report(warehouse, out)
    assert done.returncode == 0, done.stderr
    assert " ".join(done.stderr.split()) == f"report for {FIRST} to {LAST} of {warehouse} written to {out}"
    assert lxml_html.fromstring(out.read_text()).findtext(".//h1") == f"newsmill report: {FIRST} to {LAST}"


def test_a_longer_history_defaults_to_its_last_31_days(tmp_path: Path) -> None:
    start = date(2026, 9, 1)
    db = _warehouse(tmp_path / "news.duckdb", {("gazette", start + timedelta(n)): 1 for n in range(60)})
    done = _cli_report(db, tmp_path / "r.html")
    assert done.returncode == 0, done.stderr
    assert f"report for {start + timedelta(29)} to {start + timedelta(59)} of" in done.stderr


def test_bars_fill_the_chart_one_slot_per_day(warehouse: Path) -> None:
    _text, doc = _report(warehouse)
    svg = doc.find(".//svg")
    width = float(svg.get("width"))
    rects = svg.findall(".//rect")
    lefts = sorted({float(r.get("x")) for r in rects})
    assert len(lefts) == 3  # three days with articles
    right = max(float(r.get("x")) + float(r.get("width")) for r in rects)
    assert lefts[0] < width * 0.3 and right > width * 0.7, (lefts, right, width)
    gaps = [b - a for a, b in zip(lefts, lefts[1:], strict=False)]
    assert max(gaps) - min(gaps) < 1  # evenly spread, one slot per day
    labels = [t.text for t in svg.findall(".//text") if t.get("font-size") == "10"]
    assert labels == ["11-18", "11-19", "11-20"]


def test_a_day_without_articles_is_a_gap_in_the_chart(tmp_path: Path) -> None:
    db = _warehouse(tmp_path / "news.duckdb", {("gazette", FIRST): 2, ("gazette", LAST): 2})
    _text, doc = _report(db)
    lefts = sorted(float(r.get("x")) for r in doc.findall(".//svg//rect"))
    labels = [t.text for t in doc.findall(".//svg//text") if t.get("font-size") == "10"]
    assert labels == ["11-18", "11-19", "11-20"] and len(lefts) == 2
    assert lefts[1] - lefts[0] > 1.5 * (float(doc.find(".//svg").get("width")) - 44) / 3


def test_y_axis_labels_sit_on_the_gridlines_at_the_heights_they_name(warehouse: Path) -> None:
    _text, doc = _report(warehouse)
    svg = doc.find(".//svg")
    rects = svg.findall(".//rect")
    counts = [int(r.findtext("title").rsplit(": ", 1)[1]) for r in rects]
    heights = [float(r.get("height")) for r in rects]
    scale = sum(heights) / sum(counts)  # pixels per article, the same for every bar
    assert all(abs(h - n * scale) < 0.1 for h, n in zip(heights, counts, strict=True))
    baseline = max(float(r.get("y")) + float(r.get("height")) for r in rects)
    lines = sorted(float(line.get("y1")) for line in svg.findall(".//line"))
    ticks = [t for t in svg.findall(".//text") if t.get("text-anchor") == "end"]
    values = [int(t.text) for t in ticks]
    assert values[0] == 0 and values == sorted(values) and len(set(values)) == len(values) >= 3
    assert max(values) >= 7  # the highest day fits under the top gridline
    for tick, value in zip(ticks, values, strict=True):
        expected = baseline - value * scale
        assert min(abs(y - expected) for y in lines) < 0.2, (value, expected, lines)
        assert abs(float(tick.get("y")) - 4 - expected) < 0.2, (value, tick.get("y"), expected)


def test_the_day_checks_are_in_the_report(warehouse: Path) -> None:
    text, doc = _report(warehouse)
    assert "3 day checks, 1 failed" in " ".join(doc.findtext(".//p").split())
    heading = next(h for h in doc.findall(".//h2") if h.text == "Day checks")
    table = heading.getnext()
    rows = [[td.text_content() for td in tr.findall("td")] for tr in table.findall(".//tr")[1:]]
    assert [row[:6] for row in rows] == [
        ["2026-11-19", "rundschau", "0", "0", "0", "failed"],
        ["2026-11-18", "gazette", "4", "0", "0", "ok"],
        ["2026-11-18", "rundschau", "3", "0", "0", "ok"],
    ]
    assert [tr.get("class") for tr in table.findall(".//tr")[1:]] == ["failed", None, None]


def test_crawled_text_stays_text(warehouse: Path) -> None:
    text, doc = _report(warehouse)
    assert doc.findall(".//script") == [] and doc.findall(".//img") == []
    assert "<script>" not in text and "<img" not in text
    shown = doc.text_content()
    assert f"no articles {HOSTILE}" in shown  # the day check's message
    assert f"HTTP 500 {HOSTILE}" in shown  # the crawl failure's error and kind
    assert shown.count(HOSTILE) >= 5  # also the removal reason and the duplicate cluster's title
