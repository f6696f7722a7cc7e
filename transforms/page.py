"""The work on one page, done in an extraction worker: read its WARC record, extract and clean it,
and make its `articles.parquet` row and `removed.parquet` rows (`newsmill.runfiles`)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from fastwarc.warc import ArchiveIterator, WarcRecordType

from transforms import topic
from transforms.clean import clean_article
from transforms.extract import NoArticleText, extract_article
from transforms.fingerprint import fingerprint
from transforms.language import word_count

_SPACE = re.compile(r"\s+")

WARM_PAGE = (
    b"<html lang='en'><head><title>Warm up</title><meta name='author' content='A. Writer'></head>"
    b"<body><article><h1>Warm up</h1><p>Published on Tuesday, 17 November 2026 at noon.</p>"
    + b"<p>The council met on Monday to discuss the harbour flood defences and the new ferry.</p>" * 6
    + b"</article></body></html>"
)
"""An article whose extraction and cleaning fill the caches and load the models a first page would."""


@dataclass(frozen=True)
class Page:
    """One fetched article of `crawl.jsonl` to extract: picklable, so it travels to a worker process."""

    source: str
    url: str
    listed_date: date | None
    fetched_at: datetime
    warc_file: str
    warc_offset: int
    language: str | None


def content_hash(text: str) -> str:
    """sha1 hex of the text lowercased with whitespace collapsed: equal for trivially equal copies."""
    return hashlib.sha1(_SPACE.sub(" ", text.lower()).strip().encode("utf-8")).hexdigest()


def warm_worker() -> None:
    """Run in each worker as it starts: load what its first pages would otherwise load (the language
    and off-topic models, caches), so they cost no more than the pages after them."""
    topic.load()
    clean_article(extract_article(WARM_PAGE, "https://warm.invalid/up"), "en")


def process_page(page: Page) -> tuple[dict, list[dict]] | str:
    """Read one WARC record, extract and clean it; a readable error string when it yields no text."""
    try:
        html = _read_record(Path(page.warc_file), page.warc_offset)
        extracted = extract_article(html, page.url)
    except NoArticleText as exc:
        return str(exc)
    except Exception as exc:  # noqa: BLE001 - one bad record must not stop the batch
        return f"{type(exc).__name__}: {exc}"
    cleaned = clean_article(extracted, page.language)
    if not cleaned.text:
        return "nothing left after cleaning"
    row = {
        "url": page.url,
        "source": page.source,
        "pub_date": extracted.date or page.listed_date or page.fetched_at.date(),
        "listed_date": page.listed_date,
        "date_source": "page" if extracted.date else "listing" if page.listed_date else "fetched",
        "title": extracted.title,
        "authors": extracted.authors,
        "description": extracted.description,
        "site_name": extracted.site_name,
        "language": cleaned.language,
        "tags": extracted.tags,
        "text": cleaned.text,
        "word_count": word_count(cleaned.text),
        "content_hash": content_hash(cleaned.text),
        "duplicate_of": None,  # set by the warehouse, which sees other runs and sources
        "fingerprint": fingerprint(cleaned.text),
        "fetched_at": page.fetched_at,
        "warc_file": page.warc_file,
        "warc_offset": page.warc_offset,
    }
    segments = [
        {
            "url": page.url,
            "position": r.position,
            "text": r.text,
            "reason": r.reason,
            "score": r.score,
        }
        for r in cleaned.removed
    ]
    return row, segments


def _read_record(path: Path, offset: int) -> bytes:
    """The HTTP payload of the WARC response record at `offset` (gzip per record), decoded.

    fastwarc (C++) reads one record cheaply; the body stored by the crawl is already decoded."""
    with path.open("rb") as f:
        f.seek(offset)
        for record in ArchiveIterator(f, parse_http=True):
            if record.record_type != WarcRecordType.response:
                raise ValueError(
                    f"record at {offset} is a {record.record_type.name} record, not a response"
                )
            return record.reader.read()
    raise ValueError(f"no WARC record at offset {offset} of {path}")
