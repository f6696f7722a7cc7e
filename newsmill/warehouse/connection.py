"""Opening the DuckDB file: one writer at a time, so wait for the lock with a message, never silently."""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from newsmill.warehouse.schema import ensure_schema

LOCK_TIMEOUT_ENV = "NEWSMILL_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 300.0
_HOLDER = re.compile(r"PID (\d+)")


class WarehouseError(RuntimeError):
    """The DuckDB file cannot be used; the message says which file and what to do."""


def lock_timeout() -> float:
    """Seconds to wait for another process's lock (env NEWSMILL_LOCK_TIMEOUT, default 300)."""
    return float(os.environ.get(LOCK_TIMEOUT_ENV, DEFAULT_LOCK_TIMEOUT))


def _describe_holder(message: str) -> str:
    match = _HOLDER.search(message)
    if not match:
        return "another process"
    pid = match.group(1)
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        cmd = ""
    return f"PID {pid} ({cmd[:80]})" if cmd else f"PID {pid}"


def _open(path: Path, read_only: bool, timeout: float, say: Callable[[str], None]) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + timeout
    delay = 0.2
    announced = False
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            text = str(exc)
            if "lock" not in text.lower():
                raise WarehouseError(f"{path}: cannot open the DuckDB file: {text}") from None
            holder = _describe_holder(text)
            if time.monotonic() >= deadline:
                raise WarehouseError(
                    f"{path}: still locked by {holder} after {timeout:.0f} s; close that session "
                    f"or raise {LOCK_TIMEOUT_ENV}"
                ) from None
            if not announced:
                say(f"{path} is locked by {holder}; waiting up to {timeout:.0f} s for it to close")
                announced = True
            time.sleep(delay)
            delay = min(delay * 1.5, 2.0)
        except duckdb.Error as exc:
            raise WarehouseError(
                f"{path}: cannot open the DuckDB file ({exc}); is it a DuckDB {duckdb.__version__} file?"
            ) from None


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextmanager
def connect(
    path: Path,
    *,
    read_only: bool = False,
    timeout: float | None = None,
    say: Callable[[str], None] = _stderr,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection held only as long as needed; write connections get the schema created."""
    path = Path(path)
    if read_only and not path.exists():
        raise WarehouseError(f"{path}: no warehouse yet; run `newsmill run` or `newsmill demo` first")
    if not read_only:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WarehouseError(f"{path}: cannot create its folder: {exc}") from None
    con = _open(path, read_only, lock_timeout() if timeout is None else timeout, say)
    try:
        if not read_only:
            ensure_schema(con)
        yield con
    finally:
        con.close()
