"""Opening the DuckDB file: one writer at a time, so wait for the lock with a message, never silently."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from newsmill.config import LOCK_TIMEOUT, DuckLake
from newsmill.layout import nearest_existing
from newsmill.processes import LockHeld, describe_process, wait_for_lock
from newsmill.warehouse.backend import open_lake, retry_conflicts
from newsmill.warehouse.errors import WarehouseError
from newsmill.warehouse.schema import ensure_schema

_HOLDER = re.compile(r"PID (\d+)")


class NoWarehouse(WarehouseError):
    """A read-only connection asked for a warehouse nothing was loaded into yet."""


def _describe_holder(message: str) -> str:
    match = _HOLDER.search(message)
    return describe_process(int(match.group(1))) if match else "another process"


ROW_GROUP_ROWS = 8192
"""Rows per DuckDB row group for what a connection appends. DuckDB appends to the last row group of a
table with an index (`articles` has its primary key) and rewrites that whole row group, every column
and text, at the next checkpoint, which the load's connection makes when it closes: with DuckDB's
default of 122,880 rows a day's load rewrote up to 122,880 articles. Past this many rows in the last
row group, appends start a new one, so a checkpoint rewrites at most this many articles, however
large the warehouse; smaller groups would waste more of each group's last, partly filled blocks."""


STORAGE_VERSION = "v1.5.0"
"""The storage format a write connection gives the file (an older file is upgraded in place, at its
next checkpoint; DuckDB 1.5 reads it, older ones do not). On DuckDB's default, v0.10.2, every
checkpoint re-reads the row group metadata of every table, whatever changed: 0.06-0.13 s at 1M
articles. From v1.5.0 it reuses the metadata of what did not change."""


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _attach(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    """A connection to `path` alone, as `duckdb.connect(path)` gives, with `ROW_GROUP_ROWS` and, for a
    writer, `STORAGE_VERSION`: storage options only ATTACH takes. Same catalog name (DuckDB's default
    for the file), same spill folder."""
    con = duckdb.connect()
    mode = "READ_ONLY" if read_only else f"STORAGE_VERSION '{STORAGE_VERSION}'"
    options = f"(ROW_GROUP_SIZE {ROW_GROUP_ROWS}, {mode})"
    try:
        try:
            con.execute(f"ATTACH {_sql_string(str(path))} {options}")
        except duckdb.BinderException:  # named like the in-memory database it is attached to
            con.execute(f"ATTACH {_sql_string(str(path))} AS warehouse {options}")
        (name,) = con.execute("SELECT database_name FROM duckdb_databases() "
                              "WHERE NOT internal AND database_name <> current_database()").fetchone()
        con.execute('USE "' + name.replace('"', '""') + '"')
        con.execute("DETACH memory")
        con.execute(f"SET temp_directory = {_sql_string(str(path) + '.tmp')}")
    except BaseException:
        con.close()
        raise
    return con


def _open(path: Path, read_only: bool, timeout: float, say: Callable[[str], None]) -> duckdb.DuckDBPyConnection:
    def attempt() -> duckdb.DuckDBPyConnection:
        try:
            return _attach(path, read_only)
        except duckdb.IOException as exc:
            text = str(exc)
            if "lock" not in text.lower():
                raise WarehouseError(_unusable(path, text)) from None
            raise LockHeld(_describe_holder(text)) from None
        except duckdb.Error as exc:
            raise WarehouseError(_unusable(path, str(exc))) from None

    return wait_for_lock(
        attempt, timeout=timeout, say=say,
        waiting=lambda holder: f"{path} is locked by {holder}; waiting up to {timeout:.0f} s for it to close",
        busy=lambda holder: WarehouseError(f"{path}: still locked by {holder} after {timeout:.0f} s; "
                                           f"close that session or raise {LOCK_TIMEOUT.name}"),
    )


def _unusable(path: Path, text: str) -> str:
    """One line on a file DuckDB refuses (not DuckDB, damaged, another DuckDB version)."""
    first = text.strip().splitlines()[0] if text.strip() else "unknown error"
    if "version number" in text:
        return (f"{path}: written by another DuckDB version than this newsmill's {duckdb.__version__} "
                f"({first.removeprefix('IO Error: ')}); open it with a matching DuckDB, or point --db "
                "at another file")
    return (f"{path}: cannot open the DuckDB file ({first.removeprefix('IO Error: ')}); point --db at "
            "another file or move this one away")


def _open_lake(lake: DuckLake, read_only: bool) -> duckdb.DuckDBPyConnection:
    try:
        return open_lake(lake, read_only=read_only)
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "unknown error"
        if read_only and "creating a new DuckLake is explicitly disabled" in str(exc):
            raise NoWarehouse(f"{lake}: no warehouse yet; run `newsmill run` or `newsmill demo` first") from None
        raise WarehouseError(f"{lake}: cannot attach the DuckLake ({first}); check [warehouse] in the "
                             "config, the catalog database and PGPASSWORD/AWS_* in the environment") from None


def check_usable(path: Path | DuckLake, timeout: float | None = None) -> None:
    """Raise WarehouseError unless `path` is a DuckDB file we can open, or can be created, or a
    DuckLake we can attach.

    Changes nothing on disk: run it before a run creates any file. (A DuckLake gets its catalog and
    empty tables, so that every reader finds them.)
    """
    if isinstance(path, DuckLake):
        with connect(path, timeout=timeout):
            return
    path = Path(path)
    if path.is_dir():
        raise WarehouseError(f"{path}: is a folder, not a DuckDB file; point --db at a file")
    if path.exists():
        with connect(path, read_only=True, timeout=timeout):
            return
    folder = nearest_existing(path.parent)
    if not folder.is_dir():
        raise WarehouseError(f"{path}: cannot be created: {folder} is a file, not a folder; "
                             "point --db elsewhere")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise WarehouseError(f"{path}: cannot be created: no write permission in {folder}; "
                             "point --db elsewhere")


def forbid_external_access(con: duckdb.DuckDBPyConnection) -> None:
    """Leave `con` able to read its attached database only, for SQL the user types.

    From here on DuckDB refuses files and the network (COPY TO, read_csv/read_text, ATTACH, INSTALL,
    LOAD, secrets) and every SET, so the SQL cannot turn access back on. Load the extensions the
    connection needs first.
    """
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")


def refused(exc: Exception) -> bool:
    """Whether DuckDB refused a statement for what `forbid_external_access` or read-only mode forbid."""
    if isinstance(exc, duckdb.PermissionException):
        return True
    text = str(exc)
    return isinstance(exc, duckdb.Error) and ("configuration has been locked" in text
                                              or "read-only mode" in text)


def say_on_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextmanager
def connect(
    path: Path | DuckLake,
    *,
    read_only: bool = False,
    timeout: float | None = None,
    say: Callable[[str], None] = say_on_stderr,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection held only as long as needed; write connections get the schema created.

    `path` is the DuckDB file, or a DuckLake (`newsmill.warehouse.backend`), which needs no lock:
    its writers commit or conflict, and its readers see whole loads only."""
    if isinstance(path, DuckLake):
        lake_con = _open_lake(path, read_only)
        try:
            if not read_only:
                retry_conflicts(lambda: ensure_schema(lake_con, lake=True))
            yield lake_con
        finally:
            lake_con.close()
        return
    path = Path(path)
    if read_only and not path.exists():
        raise NoWarehouse(f"{path}: no warehouse yet; run `newsmill run` or `newsmill demo` first")
    if not read_only:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WarehouseError(f"{path}: cannot create its folder: {exc}") from None
    con = _open(path, read_only, LOCK_TIMEOUT.value() if timeout is None else timeout, say)
    try:
        if not read_only:
            ensure_schema(con)
        yield con
    finally:
        con.close()
