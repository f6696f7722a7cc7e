"""``crawl.jsonl`` and ``crawl.done.json`` of a run (contract: docs/architecture.md, stage 1).

Lines are appended and flushed one by one, so the parent process can show progress by counting
them and the extract stage may stream them while the crawl goes on.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TextIO

from newsmill import layout

KINDS = ("article", "feed", "sitemap", "archive", "robots")
OUTCOMES = ("fetched", "failed", "skipped")


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class CrawlRow:
    """One URL tried or skipped; field names and order as in the contract."""

    source: str
    url: str
    kind: str
    listed_date: str | None
    outcome: str
    status: int | None
    error: str | None
    fetched_at: str
    warc_file: str | None
    warc_offset: int | None
    listed_title: str | None


class CrawlLog:
    """Appends rows to ``RUN_DIR/crawl.jsonl`` and counts outcomes per source."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = Path(run_dir)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.started_at = utc_now()
        self.counts: dict[str, Counter[str]] = {}
        self._file: TextIO = (self.run_dir / layout.CRAWL_LOG).open("a", encoding="utf-8")

    def add_source(self, name: str) -> None:
        """Make `name` appear in crawl.done.json even when it lists nothing."""
        self.counts.setdefault(name, Counter())

    def write(
        self,
        source: str,
        url: str,
        kind: str,
        outcome: str,
        *,
        listed_date: date | None = None,
        status: int | None = None,
        error: str | None = None,
        fetched_at: datetime | None = None,
        warc_file: Path | None = None,
        warc_offset: int | None = None,
        listed_title: str | None = None,
    ) -> CrawlRow:
        row = CrawlRow(
            source=source,
            url=url,
            kind=kind,
            listed_date=listed_date.isoformat() if listed_date else None,
            outcome=outcome,
            status=status,
            error=error,
            fetched_at=(fetched_at or utc_now()).isoformat(),
            warc_file=str(warc_file) if warc_file is not None else None,
            warc_offset=warc_offset,
            listed_title=listed_title,
        )
        self._file.write(json.dumps(asdict(row), ensure_ascii=False) + "\n")
        self._file.flush()
        self.counts.setdefault(source, Counter())[outcome] += 1
        return row

    def close(self) -> None:
        self._file.close()

    def write_done(self) -> Path:
        """Write ``crawl.done.json`` atomically: the crawl finished."""
        summary = {
            "sources": {
                name: {outcome: counts[outcome] for outcome in OUTCOMES}
                for name, counts in sorted(self.counts.items())
            },
            "started_at": self.started_at.isoformat(),
            "finished_at": utc_now().isoformat(),
        }
        path = self.run_dir / layout.CRAWL_DONE
        layout.write_atomic(path, json.dumps(summary, indent=2) + "\n")
        return path
