"""Rows streamed to a Parquet file in row groups as they come, so a day's rows never pile up in the
parent: at 10,000 articles the rows as Python objects would be hundreds of MB."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ROWS_PER_GROUP = 256  # a few MB of article rows buffered at most


class ParquetSpool:
    """Appends rows to `<path>.tmp`; `close` renames it to `path` (atomic: a reader sees the whole
    file or none), optionally keeping only some rows, and `discard` removes it."""

    def __init__(self, path: Path, schema: pa.Schema, rows_per_group: int = ROWS_PER_GROUP) -> None:
        self.path = Path(path)
        self.tmp = self.path.with_name(self.path.name + ".tmp")
        self.schema = schema
        self.rows_per_group = rows_per_group
        self.written = 0  # rows appended so far, buffered ones included
        self._buffer: list[dict] = []
        self._writer: pq.ParquetWriter | None = None

    def append(self, rows: list[dict]) -> range:
        """Append rows; return their row numbers in the file."""
        start = self.written
        self._buffer.extend(rows)
        self.written += len(rows)
        if len(self._buffer) >= self.rows_per_group:
            self._flush()
        return range(start, self.written)

    def close(self, keep: list[int] | None = None) -> int:
        """Finish the file with every row, or with the rows numbered in `keep` (ascending): rows
        replaced later are dropped by reading the file back, which only a rare run needs.
        Returns the number of rows in the file."""
        self._flush()
        self._writer.close()
        self._writer = None
        rows = self.written
        if keep is not None and len(keep) < rows:
            pq.write_table(pq.read_table(self.tmp).take(keep), self.tmp)
            rows = len(keep)
        self.tmp.replace(self.path)
        return rows

    def discard(self) -> None:
        """Drop the rows and the temporary file."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self._buffer = []
        self.tmp.unlink(missing_ok=True)

    def _flush(self) -> None:
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.tmp, self.schema)
        if self._buffer:
            self._writer.write_table(pa.Table.from_pylist(self._buffer, schema=self.schema))
            self._buffer = []
