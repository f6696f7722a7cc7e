"""The DuckLake backend: a warehouse whose catalog many machines share (PostgreSQL) and whose rows are
Parquet files in a folder or on S3, opened so that the same SQL runs on it as on the DuckDB file.

A connection attaches the lake as `lake` and `USE`s it, so unqualified names (`articles`, the views,
`current_database()`) mean the lake's. Its extensions (ducklake, postgres_scanner, httpfs) are
loaded from their PyPI wheels' files, never downloaded. Credentials are never written here: libpq reads
PGPASSWORD itself, and S3 keys come from the AWS_* environment into a temporary (in-memory) secret,
or from a DuckDB secret the user made.

DuckLake keeps no PRIMARY KEY, so uniqueness by URL is the load's: its transaction raises the search
generation (`newsmill_meta`), which makes two loads that change articles at once conflict at
commit; the loser is retried (`retry_conflicts`). Each machine keeps its own search index, beside
`DuckLake.local_path`, current from `search_pending`.
"""

from __future__ import annotations

import importlib
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

import duckdb

from newsmill.config import DuckLake, S3Credentials, s3_credentials

CATALOG = "lake"
EXTENSIONS = ("ducklake", "postgres_scanner", "httpfs")
_INDEX_BESIDE = "newsmill_index_beside"
"""DuckDB variable set on a lake connection: the local path its search index folder is beside."""
CONFLICT_ATTEMPTS = 8
_BACKOFF = 0.2  # seconds before the first retry of a conflicting commit; doubled each time, jittered
T = TypeVar("T")


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _s3_secret(con: duckdb.DuckDBPyConnection, credentials: S3Credentials | None) -> None:
    """A temporary S3 secret from the AWS_* variables (endpoint included, for S3-compatible servers)."""
    if credentials is None:
        return  # the user's own DuckDB secrets, if any, apply
    sql = (f"KEY_ID {_sql_string(credentials.key_id)}, SECRET {_sql_string(credentials.secret)}, "
           f"REGION {_sql_string(credentials.region)}")
    if credentials.endpoint:
        parts = urlsplit(credentials.endpoint)
        sql += (f", ENDPOINT {_sql_string(parts.netloc or parts.path)}, URL_STYLE 'path', "
                f"USE_SSL {'true' if parts.scheme == 'https' else 'false'}")
    con.execute(f"CREATE OR REPLACE TEMPORARY SECRET newsmill_s3 (TYPE s3, {sql})")


def _extension_binary(name: str) -> Path:
    """The extension's signed binary in its PyPI wheel (`duckdb-extension-<name>`), loaded from
    there: nothing is downloaded or copied into ~/.duckdb."""
    package = Path(importlib.import_module(f"duckdb_extension_{name}").__file__).parent
    return package / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"


def _attach(lake: DuckLake, *, read_only: bool) -> str:
    options = [f"DATA_PATH {_sql_string(lake.data_path)}"]
    if lake.metadata_schema:
        options.append(f"METADATA_SCHEMA {_sql_string(lake.metadata_schema)}")
    if read_only:
        options.append("READ_ONLY")
    return f"ATTACH {_sql_string('ducklake:' + lake.catalog)} AS {CATALOG} ({', '.join(options)})"


def _attach_once_created(con: duckdb.DuckDBPyConnection, lake: DuckLake, *, read_only: bool) -> None:
    """ATTACH the lake. Writers attaching a new catalog at once race to create its tables in
    PostgreSQL, and the losers fail on a duplicate key or an existing table; attaching again finds
    the winner's catalog."""
    for attempt in range(CONFLICT_ATTEMPTS):
        try:
            con.execute(_attach(lake, read_only=read_only))
            return
        except duckdb.Error as exc:
            lost_race = "duplicate key value" in str(exc) or "already exists" in str(exc)
            if not lost_race or attempt == CONFLICT_ATTEMPTS - 1:
                raise
            con.execute(f"DETACH DATABASE IF EXISTS {CATALOG}")
        time.sleep(_BACKOFF * (0.5 + random.random()))


def open_lake(lake: DuckLake, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    """A connection with `lake` attached (read-only if asked) and in use. Raises duckdb.Error."""
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    try:
        for name in EXTENSIONS:
            con.execute(f"LOAD {_sql_string(str(_extension_binary(name)))}")
        if lake.data_path.startswith("s3://"):
            _s3_secret(con, s3_credentials())
        _attach_once_created(con, lake, read_only=read_only)
        con.execute(f"USE {CATALOG}")
        con.execute(f"SET VARIABLE {_INDEX_BESIDE} = {_sql_string(str(lake.local_path))}")
    except BaseException:
        con.close()
        raise
    return con


def shell_arguments(lake: DuckLake, *, read_only: bool) -> list[str]:
    """Arguments for the DuckDB CLI to open `lake` as `open_lake` does. The CLI (1.5.6) loads the
    wheels' 1.5.5 binaries as unsigned extensions of another version; S3 keys come from the user's
    DuckDB secrets or `CREATE SECRET` typed in the shell, never from this command line."""
    loads = [f"LOAD {_sql_string(str(_extension_binary(name)))};" for name in EXTENSIONS]
    commands = ["SET allow_extensions_metadata_mismatch = true;", *loads,
                _attach(lake, read_only=read_only) + ";", f"USE {CATALOG};"]
    return ["-unsigned", "-cmd", " ".join(commands)]


def index_beside(con: duckdb.DuckDBPyConnection) -> Path | None:
    """For a lake connection the local path its search index is beside; None for the DuckDB file."""
    value = con.execute("SELECT getvariable(?)", [_INDEX_BESIDE]).fetchone()[0]
    return Path(value) if value else None


def is_conflict(exc: BaseException) -> bool:
    """Whether a commit failed because another transaction changed the same tables meanwhile."""
    return isinstance(exc, duckdb.Error) and "transaction conflict" in str(exc).lower()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """BEGIN, then COMMIT, or ROLLBACK on an error. A COMMIT a DuckLake refused (a conflict) has
    ended the transaction itself, so the error raised is the conflict, for `retry_conflicts`."""
    con.begin()
    try:
        yield
        con.commit()
    except BaseException:
        try:
            con.rollback()
        except duckdb.TransactionException as exc:
            if "no transaction is active" not in str(exc).lower():
                raise
        raise


def retry_conflicts(attempt: Callable[[], T], *, attempts: int = CONFLICT_ATTEMPTS,
                    sleep: Callable[[float], None] = time.sleep) -> tuple[T, int]:
    """Run `attempt` (one whole transaction) until it commits without a conflict; return its result
    and how many conflicts were retried. DuckLake's own retry replays the commit only, which meets
    the same conflict; the transaction must be run again on what the other one committed."""
    retried = 0
    while True:
        try:
            return attempt(), retried
        except duckdb.Error as exc:
            if not is_conflict(exc) or retried + 1 >= attempts:
                raise
        sleep(_BACKOFF * 2 ** retried * (0.5 + random.random()))
        retried += 1
