"""extract_run over a tiny WARC and crawl.jsonl: the contract's files, columns and error lines."""

import json
import re
from dataclasses import replace
from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path

import pyarrow.parquet as pq
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsmill import layout
from newsmill.runfiles import ARTICLES_SCHEMA, REMOVED_SCHEMA, CrawlRow
from transforms.batch import extract_run
from transforms.page import content_hash

FIXTURES = Path(__file__).parent / "fixtures"
DAY = date(2026, 11, 20)


def write_warc(path: Path, pages: dict[str, bytes]) -> dict[str, int]:
    """Gzip-per-record WARC of HTTP 200 responses, as the crawl writes it; returns url -> offset."""
    path.parent.mkdir(parents=True, exist_ok=True)
    offsets = {}
    with path.open("wb") as f:
        writer = WARCWriter(f, gzip=True)
        for url, html in pages.items():
            offsets[url] = f.tell()
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                url,
                "response",
                payload=BytesIO(html),
                http_headers=http,
                warc_headers_dict={"Newsmill-Source": "coast", "Newsmill-Kind": "article"},
            )
            writer.write_record(record)
    return offsets


def crawl_row(url: str, warc: Path | None, offset: int | None, **extra) -> CrawlRow:
    fields = {
        "source": "coast",
        "url": url,
        "kind": "article",
        "listed_date": DAY,
        "outcome": "fetched",
        "status": 200,
        "error": None,
        "fetched_at": datetime(2026, 11, 20, 6, tzinfo=UTC),
        "warc_file": str(warc) if warc else None,
        "warc_offset": offset,
        "listed_title": None,
    }
    return CrawlRow(**{**fields, **extra})


def write_log(run_dir: Path, rows: list[CrawlRow]) -> None:
    (run_dir / layout.CRAWL_LOG).write_text("".join(r.to_json() + "\n" for r in rows))


def make_run(tmp_path: Path) -> Path:
    data_dir = tmp_path / "data"
    warc = layout.warc_path(data_dir, "coast", DAY)
    article = (FIXTURES / "article.html").read_bytes()
    offsets = write_warc(
        warc,
        {
            "https://coast.test/ferry": article,
            "https://coast.test/flood": (FIXTURES / "seed_like.html").read_bytes(),
            "https://coast.test/app": (FIXTURES / "empty.html").read_bytes(),
            "https://coast.test/ferry-copy": article,
        },
    )
    run_dir = layout.run_dir(data_dir, "2026-11-20_2026-11-20_all")
    run_dir.mkdir(parents=True)
    rows = [crawl_row(url, warc, off) for url, off in offsets.items()]
    rows[1] = replace(rows[1], listed_date=date(2026, 11, 19))
    rows[3] = replace(rows[3], fetched_at=datetime(2026, 11, 20, 7, tzinfo=UTC))
    rows += [
        crawl_row("https://coast.test/feed.xml", warc, 0, kind="feed"),
        crawl_row(
            "https://coast.test/gone", None, None, outcome="failed", status=404, warc_file=None
        ),
        crawl_row("https://coast.test/torn", warc, 7),  # no record starts there
    ]
    write_log(run_dir, rows)
    return run_dir


def test_extract_run_writes_the_contract_files(tmp_path: Path):
    run_dir = make_run(tmp_path)
    calls = []
    result = extract_run(
        run_dir, {"coast": "en"}, workers=2, progress=lambda d, t: calls.append((d, t))
    )

    assert (result.articles, result.errors) == (3, 2)
    assert calls[0] == (0, 5) and calls[-1] == (5, 5)
    articles = pq.read_table(run_dir / layout.ARTICLES)
    assert articles.schema.equals(ARTICLES_SCHEMA)
    assert articles.column_names == [
        "url",
        "source",
        "pub_date",
        "listed_date",
        "date_source",
        "title",
        "authors",
        "description",
        "site_name",
        "language",
        "tags",
        "text",
        "word_count",
        "content_hash",
        "duplicate_of",
        "fingerprint",
        "fetched_at",
        "warc_file",
        "warc_offset",
    ]
    by_url = {r["url"]: r for r in articles.to_pylist()}
    ferry = by_url["https://coast.test/ferry"]
    assert ferry["title"] == "Harbour town opens its new ferry terminal"
    assert ferry["authors"] == ["Mara Lindqvist"]
    assert (ferry["pub_date"], ferry["date_source"], ferry["listed_date"]) == (
        date(2026, 11, 18),
        "page",
        DAY,
    )
    assert ferry["language"] == "en" and ferry["source"] == "coast"
    assert ferry["fetched_at"] == datetime(2026, 11, 20, 6, tzinfo=UTC)
    assert ferry["content_hash"] == content_hash(ferry["text"].upper().replace(" ", "  "))
    assert ferry["word_count"] == len(re.findall(r"\w+", ferry["text"]))  # words of the text
    assert ferry["fingerprint"] == by_url["https://coast.test/ferry-copy"]["fingerprint"] != []
    assert "El equipo local" not in by_url["https://coast.test/flood"]["text"]

    removed = pq.read_table(run_dir / layout.REMOVED)
    assert removed.schema.equals(REMOVED_SCHEMA)
    flood = [r for r in removed.to_pylist() if r["url"] == "https://coast.test/flood"]
    assert [r["reason"] for r in flood] == ["foreign_language", "foreign_language"]

    errors = [
        json.loads(line) for line in (run_dir / layout.EXTRACT_ERRORS).read_text().splitlines()
    ]
    assert {e["url"] for e in errors} == {"https://coast.test/app", "https://coast.test/torn"}
    assert all(set(e) == {"source", "url", "error"} and e["error"] for e in errors)
    assert not list(run_dir.glob("*.tmp"))


def test_page_date_missing_falls_back_to_listing_date(tmp_path: Path):
    run_dir = make_run(tmp_path)
    html = (
        (FIXTURES / "seed_like.html")
        .read_bytes()
        .replace(b'<meta property="article:published_time" content="2026-11-19">', b"")
    )
    warc = tmp_path / "other.warc.gz"
    offsets = write_warc(warc, {"https://coast.test/undated": html})
    row = crawl_row("https://coast.test/undated", warc, offsets["https://coast.test/undated"])
    write_log(run_dir, [row])
    extract_run(run_dir, {"coast": "en"}, workers=1)
    (only,) = pq.read_table(run_dir / layout.ARTICLES).to_pylist()
    assert (only["pub_date"], only["date_source"]) == (DAY, "listing")


def test_without_page_or_listing_date_the_fetch_day_is_used(tmp_path: Path):
    run_dir = tmp_path / "runs" / "r"
    run_dir.mkdir(parents=True)
    html = (
        (FIXTURES / "seed_like.html")
        .read_bytes()
        .replace(b'<meta property="article:published_time" content="2026-11-19">', b"")
    )
    warc = tmp_path / "w.warc.gz"
    offset = write_warc(warc, {"https://coast.test/x": html})["https://coast.test/x"]
    row = crawl_row("https://coast.test/x", warc, offset, listed_date=None)
    write_log(run_dir, [row])
    extract_run(run_dir, {"coast": "en"}, workers=1)
    (only,) = pq.read_table(run_dir / layout.ARTICLES).to_pylist()
    assert (only["pub_date"], only["date_source"], only["listed_date"]) == (DAY, "fetched", None)


def test_an_empty_run_still_writes_typed_files(tmp_path: Path):
    run_dir = tmp_path / "runs" / "r"
    run_dir.mkdir(parents=True)
    (run_dir / layout.CRAWL_LOG).write_text("")
    result = extract_run(run_dir, {})
    assert result.articles == result.removed == result.errors == 0
    assert pq.read_table(run_dir / layout.ARTICLES).schema.equals(ARTICLES_SCHEMA)
    assert pq.read_table(run_dir / layout.REMOVED).num_rows == 0
    assert (run_dir / layout.EXTRACT_ERRORS).read_text() == ""
