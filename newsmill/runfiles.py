"""The files of a run directory and their rows, defined once for the stage that writes them and
the stages that read them (contract: docs/architecture.md, stages 1 to 3).

- `crawl.jsonl`: `CrawlRow`, written by `spiders.crawllog`, read by `CrawlLogReader` (the extract
  stage while the crawl appends, the load once it has finished);
- `articles.parquet` and `removed.parquet`: `ARTICLES_SCHEMA` and `REMOVED_SCHEMA`, written by
  `transforms`; `extract_errors.jsonl`: `ExtractError`;
- `run.json`: `RunInfo`, written by the pipeline when an attempt's crawl starts;
- the warehouse tables filled from these files (`WAREHOUSE_TABLES`), from which
  `newsmill.warehouse.schema` makes its DDL and `newsmill.warehouse.load` its column lists.

The file names of a run directory are `newsmill.layout`'s, with the other paths.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa

from newsmill import layout

# crawl.jsonl: what a row names (kind) and what became of it (outcome)
ARTICLE = "article"
FEED = "feed"
SITEMAP = "sitemap"
ARCHIVE = "archive"
ROBOTS = "robots"
KINDS = (ARTICLE, FEED, SITEMAP, ARCHIVE, ROBOTS)

FETCHED = "fetched"
FAILED = "failed"
SKIPPED = "skipped"
OUTCOMES = (FETCHED, FAILED, SKIPPED)
EXTRACT_FAILED = "extract_failed"
"""The outcome the warehouse's `crawl_log` gives a fetched page that yielded no article text."""


class BadRunFile(ValueError):
    """A run file that is not what its writer writes: torn, not JSON, a field missing or mistyped."""


def _day(value: object) -> date | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"not a YYYY-MM-DD day: {value!r}")
    return date.fromisoformat(value)


def _instant(value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError(f"not an ISO-8601 moment: {value!r}")
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _field(row: dict, name: str, kind: type, *, required: bool = False) -> object:
    """`row[name]` when it is a `kind` (or, unless `required`, null or absent)."""
    if name not in row and required:
        raise ValueError(f"no {name!r}")
    value = row.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValueError(f"{name!r} is not a {kind.__name__}: {value!r}")
    return value


@dataclass(frozen=True)
class CrawlRow:
    """One URL the crawl tried or skipped: a line of `crawl.jsonl`, fields in the contract's order.

    `warc_file` is the absolute path of the WARC file the crawl appended the response to (the crawl
    resolves its data directory before writing), `warc_offset` the offset of its gzip member; both
    null when no record was written."""

    source: str
    url: str
    kind: str
    listed_date: date | None
    outcome: str
    status: int | None
    error: str | None
    fetched_at: datetime
    warc_file: str | None = None
    warc_offset: int | None = None
    listed_title: str | None = None

    def to_json(self) -> str:
        """The row's line, without its newline."""
        fields = asdict(self)
        fields["listed_date"] = self.listed_date.isoformat() if self.listed_date else None
        fields["fetched_at"] = self.fetched_at.isoformat()
        return json.dumps(fields, ensure_ascii=False)

    @classmethod
    def from_json(cls, row: object) -> CrawlRow:
        """The row a decoded line holds; ValueError when it is not one the crawl writes. Fields
        that may be null may also be absent."""
        if not isinstance(row, dict):
            raise ValueError("not a JSON object")
        return cls(
            source=_field(row, "source", str, required=True),
            url=_field(row, "url", str, required=True),
            kind=_field(row, "kind", str, required=True),
            listed_date=_day(row.get("listed_date")),
            outcome=_field(row, "outcome", str, required=True),
            status=_field(row, "status", int),
            error=_field(row, "error", str),
            fetched_at=_instant(row.get("fetched_at")),
            warc_file=_field(row, "warc_file", str),
            warc_offset=_field(row, "warc_offset", int),
            listed_title=_field(row, "listed_title", str),
        )

    @property
    def is_fetched_article(self) -> bool:
        """An article page fetched whole (HTTP 200) whose response is in a WARC record."""
        return (
            self.kind == ARTICLE
            and self.outcome == FETCHED
            and self.status == 200
            and bool(self.warc_file)
            and self.warc_offset is not None
            and bool(self.url)
        )


class CrawlLogReader:
    """Reads `crawl.jsonl`; each `read` returns the rows of the whole lines appended since the last.

    `strict` is the reader's choice of tolerance. While the crawl appends (`strict=False`), a last
    line without its newline is still being written and waits for the next `read`, and a line that
    is not a crawl row (torn by a crash) is passed over, so the extraction goes on with the rest.
    Once the crawl has finished (`strict=True`, the load) every line must be a whole row: anything
    else raises `BadRunFile`, since loading the rest would record a crawl other than the one that ran.
    """

    def __init__(self, path: Path, *, strict: bool) -> None:
        self.path = Path(path)
        self.strict = strict
        self._offset = 0
        self._lines = 0

    def read(self) -> list[CrawlRow]:
        try:
            with self.path.open("rb") as f:
                f.seek(self._offset)
                data = f.read()
        except FileNotFoundError:
            if self.strict:
                raise BadRunFile(f"{self.path}: missing") from None
            return []
        end = data.rfind(b"\n") + 1
        if self.strict and end < len(data):
            raise BadRunFile(f"{self.path}: its last line is torn (no newline)")
        self._offset += end
        rows = []
        for line in data[:end].splitlines():
            self._lines += 1
            if not line.strip():
                continue
            try:
                rows.append(CrawlRow.from_json(json.loads(line)))
            except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError is a ValueError
                if self.strict:
                    raise BadRunFile(f"{self.path}, line {self._lines}: {exc}") from None
        return rows


@dataclass(frozen=True)
class ExtractError:
    """A fetched page that yielded no article text: a line of `extract_errors.jsonl`."""

    source: str
    url: str
    error: str

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)


def write_extract_errors(path: Path, errors: list[ExtractError]) -> None:
    layout.write_atomic(path, "".join(e.to_json() + "\n" for e in errors))


def read_extract_errors(path: Path) -> list[ExtractError]:
    """The file's rows (it is written whole, atomically); none when there is no file."""
    if not path.exists():
        return []
    errors = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            row = json.loads(line)
            errors.append(ExtractError(*(_field(row, k, str, required=True)
                                         for k in ("source", "url", "error"))))
        except (ValueError, TypeError) as exc:
            raise BadRunFile(f"{path}, line {number}: {exc}") from None
    return errors


_TIMESTAMP = pa.timestamp("us", tz="UTC")

ARTICLES_SCHEMA = pa.schema(
    [
        ("url", pa.string()),  # canonical URL (tracking parameters dropped); the key
        ("source", pa.string()),  # source name from the config
        ("pub_date", pa.date32()),  # the page's own date, else the listing date, else the fetch day
        ("listed_date", pa.date32()),  # date given by the feed, sitemap or archive page
        ("date_source", pa.string()),  # which of the three pub_date is: page, listing or fetched
        ("title", pa.string()),
        ("authors", pa.list_(pa.string())),
        ("description", pa.string()),
        ("site_name", pa.string()),
        ("language", pa.string()),
        ("tags", pa.list_(pa.string())),
        ("text", pa.string()),  # cleaned body, paragraphs separated by a blank line
        ("word_count", pa.int32()),
        ("content_hash", pa.string()),  # sha1 of the normalised text
        ("duplicate_of", pa.string()),  # url of the first article with the same story (warehouse)
        ("fingerprint", pa.list_(pa.uint32())),  # sampled shingle hashes, for near-duplicates
        ("fetched_at", _TIMESTAMP),
        ("warc_file", pa.string()),  # raw response: WARC file and record offset
        ("warc_offset", pa.int64()),
    ]
)
"""`articles.parquet`: one row per canonical URL; the `articles` table's columns but the warehouse's."""

ARTICLES_WAREHOUSE_COLUMNS = pa.schema(
    [
        ("run_id", pa.string()),
        ("loaded_at", _TIMESTAMP),  # when the load that last changed the row committed
        ("attempt_id", pa.string()),  # that load's attempt (runs.attempt_id)
    ]
)
"""The columns the `articles` table adds to `articles.parquet`'s, set by the load."""

REMOVED_SCHEMA = pa.schema(
    [
        ("url", pa.string()),  # the article it was removed from
        ("position", pa.int32()),  # paragraph index in the extracted text
        ("text", pa.string()),
        ("reason", pa.string()),
        ("score", pa.float64()),  # how sure, 0-1
    ]
)
"""`removed.parquet`: the paragraphs cleaning removed; the `removed_segments` table's columns but the
warehouse's."""

REMOVED_WAREHOUSE_COLUMNS = pa.schema(
    [
        # the `articles.loaded_at` of the row the segments belong to (one load's rows share it and lie
        # in that load's row groups), so a refetch finds an article's old segments through zone maps
        ("loaded_at", _TIMESTAMP),
    ]
)
"""The columns the `removed_segments` table adds to `removed.parquet`'s, set by the load."""


@dataclass(frozen=True)
class Table:
    """A warehouse table filled from run files: its columns in table order, its primary key and
    the other columns that may not be null."""

    name: str
    columns: pa.Schema
    key: tuple[str, ...] = ()
    required: tuple[str, ...] = ()


ARTICLES_TABLE = Table(
    "articles",
    pa.schema(list(ARTICLES_SCHEMA) + list(ARTICLES_WAREHOUSE_COLUMNS)),
    key=("url",),
    required=("source", "pub_date"),
)
REMOVED_TABLE = Table(
    "removed_segments", pa.schema(list(REMOVED_SCHEMA) + list(REMOVED_WAREHOUSE_COLUMNS)),
    required=("url", "position"),
)
CRAWL_LOG_TABLE = Table(  # every attempt's rows, kept: the view crawl_latest is the last state
    "crawl_log",
    pa.schema(
        [
            ("run_id", pa.string()),
            ("source", pa.string()),
            ("url", pa.string()),
            ("kind", pa.string()),  # KINDS
            ("listed_date", pa.date32()),
            ("outcome", pa.string()),  # OUTCOMES or EXTRACT_FAILED
            ("status", pa.int32()),  # HTTP status, if a response came
            ("error", pa.string()),
            ("fetched_at", _TIMESTAMP),
            ("attempt_id", pa.string()),  # the attempt that tried (or skipped) the URL
        ]
    ),
    required=("run_id", "source", "url"),
)
RUNS_TABLE = Table(  # one row per attempt and source (from run.json and the load); a re-run adds rows
    "runs",
    pa.schema(
        [
            ("run_id", pa.string()),  # the days and sources (layout.run_id), same for every attempt
            ("attempt_id", pa.string()),  # this attempt (layout.attempt_id)
            ("source", pa.string()),
            ("first_day", pa.date32()),
            ("last_day", pa.date32()),
            ("started_at", _TIMESTAMP),
            ("finished_at", _TIMESTAMP),
            ("pages_fetched", pa.int32()),
            ("articles_loaded", pa.int32()),  # the attempt's articles, changed or not
            ("articles_inserted", pa.int32()),  # of which new URLs; NULL for attempts loaded before
            ("articles_updated", pa.int32()),  # of which articles whose content changed
            ("removed_segments", pa.int32()),
            ("failures", pa.int32()),
            ("skipped", pa.int32()),
            ("crawl_seconds", pa.float64()),
            ("extract_seconds", pa.float64()),
            ("load_seconds", pa.float64()),
        ]
    ),
    key=("attempt_id", "source"),
    required=("run_id", "attempt_id", "first_day", "last_day"),
)
WAREHOUSE_TABLES = (ARTICLES_TABLE, REMOVED_TABLE, CRAWL_LOG_TABLE, RUNS_TABLE)


@dataclass(frozen=True)
class RunInfo:
    """What the pipeline records about an attempt at a run (`run.json` in the run directory),
    written when its crawl starts, so the crawl's files always belong to the attempt named here."""

    run_id: str
    attempt_id: str
    first: date
    last: date
    sources: tuple[str, ...]
    started_at: datetime
    crawl_seconds: float
    extract_seconds: float

    @classmethod
    def begin(cls, rid: str, first: date, last: date, sources: Iterable[str]) -> RunInfo:
        """A new attempt at run `rid`, starting now: its id is the run id and this moment."""
        started = datetime.now(UTC)
        return cls(run_id=rid, attempt_id=layout.attempt_id(rid, started), first=first, last=last,
                   sources=tuple(sources), started_at=started, crawl_seconds=0.0, extract_seconds=0.0)

    @classmethod
    def read(cls, run_dir: Path) -> RunInfo:
        """The run's `run.json`; one without an attempt id gets the id its run id and start give."""
        raw = json.loads((run_dir / layout.RUN_INFO).read_text())
        started = datetime.fromisoformat(raw["started_at"])
        return cls(
            run_id=raw["run_id"],
            attempt_id=raw.get("attempt_id") or layout.attempt_id(raw["run_id"], started),
            first=date.fromisoformat(raw["first"]),
            last=date.fromisoformat(raw["last"]),
            sources=tuple(raw["sources"]),
            started_at=started,
            crawl_seconds=float(raw.get("crawl_seconds", 0.0)),
            extract_seconds=float(raw.get("extract_seconds", 0.0)),
        )

    def write(self, run_dir: Path) -> None:
        payload = {
            "run_id": self.run_id,
            "attempt_id": self.attempt_id,
            "first": self.first.isoformat(),
            "last": self.last.isoformat(),
            "sources": list(self.sources),
            "started_at": self.started_at.isoformat(),
            "crawl_seconds": self.crawl_seconds,
            "extract_seconds": self.extract_seconds,
        }
        layout.write_atomic(run_dir / layout.RUN_INFO, json.dumps(payload, indent=1))
