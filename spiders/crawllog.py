"""``crawl.jsonl`` and ``crawl.done.json`` of a run (contract: docs/architecture.md, stage 1).

Lines are appended one by one with a single unbuffered write each, so the parent process can show
progress by counting them and the extract stage may stream them while the crawl goes on, and a
write that fails leaves nothing buffered to surface later.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

from newsmill import layout
from newsmill.runfiles import OUTCOMES, CrawlRow


def utc_now() -> datetime:
    return datetime.now(UTC)


class RecordError(OSError):
    """A WARC record or a crawl.jsonl line could not be written (full disk, no permission).

    The crawl's record of what it fetched is then incomplete, so the crawl must stop and fail
    rather than go on and finish as if nothing was lost."""

    def __str__(self) -> str:
        return f"cannot write {self.filename}: {self.strerror}"

    @classmethod
    def of(cls, exc: OSError, path: Path) -> RecordError:
        return cls(exc.errno, exc.strerror or str(exc), str(path))


def write_all(fd: int, data: bytes) -> None:
    """Write every byte of `data` to `fd` (a write to a nearly full disk may take only part)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


class CrawlLog:
    """Appends rows to ``RUN_DIR/crawl.jsonl`` and counts outcomes per source."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = Path(run_dir)
        self.started_at = utc_now()
        self.counts: dict[str, Counter[str]] = {}
        self.path = self.run_dir / layout.CRAWL_LOG
        try:
            self.run_dir.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            raise RecordError.of(exc, self.path) from exc

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
        """Append the row of one URL (`kind` and `outcome` from `newsmill.runfiles`)."""
        row = CrawlRow(
            source=source,
            url=url,
            kind=kind,
            listed_date=listed_date,
            outcome=outcome,
            status=status,
            error=error,
            fetched_at=fetched_at or utc_now(),
            warc_file=str(warc_file) if warc_file is not None else None,
            warc_offset=warc_offset,
            listed_title=listed_title,
        )
        line = row.to_json() + "\n"
        try:
            write_all(self._fd, line.encode("utf-8"))
        except OSError as exc:
            raise RecordError.of(exc, self.path) from exc
        self.counts.setdefault(source, Counter())[outcome] += 1
        return row

    def close(self) -> None:
        os.close(self._fd)

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
        try:
            layout.write_atomic(path, json.dumps(summary, indent=2) + "\n")
        except OSError as exc:
            raise RecordError.of(exc, path) from exc
        return path
