"""Run files and WARC on the configured storage, so the tasks of a run need not share a disk.

A collecting task (crawl and extract) ends by putting its finished run directory and the WARC files
it appended to on the storage `[storage] runs` names, and hands on the run's URI; a loading task on
another machine fetches the run by that URI into its own data folder. With no `[storage]` the data
folder is the storage: nothing is copied and a run's URI is its directory, as it always was.

On storage a run is ``ROOT/runs/<run id>/<file>`` and a WARC file ``ROOT/warc/<source>/<day>.warc.gz``,
the layout of the data folder (`newsmill.layout`). Writes are safe to repeat and never read half done:

- a put removes the run's marker (``complete.json``) first, uploads the WARC files, then the run
  files, and writes the marker last, naming the attempt and each file's size; a fetch refuses a run
  without a marker and checks the sizes, so a put that stopped half way is never read as complete;
- the keys are the run's and the WARC files', so a retried task uploads the same keys again;
- before a crawl appends to a day's WARC file, the stored copy replaces a local one of another size
  (`fetch_warc`): records only the local copy holds are from an attempt whose put failed, which no
  load read, and records the stored copy holds are pointed at by loaded rows.

S3 credentials come from the AWS_* environment (`newsmill.config.s3_credentials`), never from the
config, and are never printed. The client is `obstore` (the Rust object_store: one wheel, no Python
dependencies; botocore pins python-dateutil below newsmill's, and DuckDB's httpfs writes no
arbitrary files).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from newsmill import layout
from newsmill.config import Config, s3_credentials
from newsmill.runfiles import RunInfo

if TYPE_CHECKING:
    from obstore.store import ObjectStore

MARKER = "complete.json"
RUN_FILES = (layout.RUN_INFO, layout.CRAWL_LOG, layout.CRAWL_DONE, layout.ARTICLES, layout.REMOVED,
             layout.EXTRACT_ERRORS)
"""What a load reads of a run directory: the files a put uploads (not its lock or skip list)."""
_CHUNK = 8 * 1024 * 1024
T = TypeVar("T")


class StorageError(RuntimeError):
    """The storage refused a read or write, or a run on it is not complete."""


@dataclass(frozen=True)
class RunStorage:
    """Where finished runs and WARC files go: `root` (``s3://bucket/prefix`` or a folder), or the
    data folder itself when `root` is None."""

    root: str | None

    def uri(self, rid: str) -> str:
        """The URI of run `rid` on this storage (not for the data folder, where it is the directory)."""
        assert self.root is not None
        return f"{self.root}/runs/{rid}"

    def put_run(self, run_dir: Path, data_dir: Path) -> str:
        """Put a finished run and the WARC files of its sources and days on the storage; return its URI.

        Run again after a failure, it uploads the same keys; the marker goes last."""
        run_dir = Path(run_dir)
        if self.root is None:
            return str(run_dir.resolve())
        info = RunInfo.read(run_dir)
        store = self._store()
        prefix = f"runs/{info.run_id}"
        _call(f"removing {self.uri(info.run_id)}/{MARKER}", _delete, store, f"{prefix}/{MARKER}")
        for path in _warc_files(data_dir, info.sources, info.first, info.last):
            if path.exists():
                key = path.relative_to(Path(data_dir)).as_posix()
                _call(f"putting {self.root}/{key}", _put, store, key, path)
        sizes = {}
        for name in RUN_FILES:
            path = run_dir / name
            if path.exists():
                _call(f"putting {self.uri(info.run_id)}/{name}", _put, store, f"{prefix}/{name}", path)
                sizes[name] = path.stat().st_size
        marker = json.dumps({"attempt_id": info.attempt_id, "files": sizes}).encode()
        _call(f"putting {self.uri(info.run_id)}/{MARKER}", _put, store, f"{prefix}/{MARKER}", marker)
        return self.uri(info.run_id)

    def run_id_of(self, uri: str) -> str:
        """The run id a run URI names (a run directory's name, on storage or in the data folder)."""
        if self.root is not None and not uri.startswith(f"{self.root}/runs/"):
            raise StorageError(f"{uri} is not a run on the configured storage {self.root}")
        rid = uri.rstrip("/").rsplit("/", 1)[-1]
        if not rid or rid in (".", ".."):
            raise StorageError(f"{uri} names no run")
        return rid

    def fetch_run(self, uri: str, run_dir: Path) -> None:
        """Make `run_dir` hold the complete run stored at `uri`, replacing what it held.

        Raises StorageError when the run has no marker (its put did not finish) or a file's size is
        not the marker's. With the data folder as storage `uri` is `run_dir` and nothing moves."""
        run_dir = Path(run_dir)
        if self.root is None:
            if Path(uri).resolve() != run_dir.resolve():
                raise StorageError(f"{uri} is not the run directory {run_dir}")
            return
        rid = self.run_id_of(uri)
        store = self._store()
        prefix = f"runs/{rid}"
        raw = _call(f"reading {uri}/{MARKER}", _get_bytes, store, f"{prefix}/{MARKER}")
        if raw is None:
            raise StorageError(f"{uri}: no {MARKER}: the run's upload did not finish")
        sizes: dict[str, int] = json.loads(raw)["files"]
        for name in RUN_FILES:
            target = run_dir / name
            if name not in sizes:
                target.unlink(missing_ok=True)
                continue
            _call(f"reading {uri}/{name}", _download, store, f"{prefix}/{name}", target)
            if target.stat().st_size != sizes[name]:
                raise StorageError(f"{uri}/{name}: {target.stat().st_size} bytes, its marker says "
                                   f"{sizes[name]}: a newer upload of the run is under way")

    def fetch_warc(self, data_dir: Path, sources: Iterable[str], first: date, last: date) -> list[Path]:
        """Bring the stored WARC files of these sources and days into the data folder where the local
        copy is missing or of another size; return the files fetched."""
        if self.root is None:
            return []
        store = self._store()
        fetched = []
        for path in _warc_files(data_dir, sources, first, last):
            key = path.relative_to(Path(data_dir)).as_posix()
            size = _call(f"reading {self.root}/{key}", _size, store, key)
            if size is None or (path.exists() and path.stat().st_size == size):
                continue
            _call(f"reading {self.root}/{key}", _download, store, key, path)
            fetched.append(path)
        return fetched

    def _store(self) -> ObjectStore:
        # imported late: only a configured storage needs the client
        from obstore.store import LocalStore, S3Store

        assert self.root is not None
        if not self.root.startswith("s3://"):
            try:
                Path(self.root).mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(f"cannot make the storage folder {self.root}: "
                                   f"{exc.strerror or exc}") from None
            return LocalStore(self.root)
        bucket, _, prefix = self.root.removeprefix("s3://").partition("/")
        credentials = s3_credentials()
        config: dict[str, str] = {}
        client: dict[str, bool] = {}
        if credentials is not None:
            config = {"access_key_id": credentials.key_id, "secret_access_key": credentials.secret,
                      "region": credentials.region}
            if credentials.endpoint:
                config["endpoint"] = credentials.endpoint
                client["allow_http"] = credentials.endpoint.startswith("http://")
        return S3Store(bucket, prefix=prefix or None, config=config, client_options=client)  # type: ignore[arg-type]


def for_config(config: Config) -> RunStorage:
    """The storage the config names (`[storage] runs`), else the data folder."""
    return RunStorage(config.settings.storage)


def _warc_files(data_dir: Path, sources: Iterable[str], first: date, last: date) -> list[Path]:
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return [layout.warc_path(Path(data_dir), source, day) for source in sources for day in days]


def _call(what: str, action: Callable[..., T], *args: object) -> T:
    """`action(*args)`, an obstore error turned into one StorageError line saying what failed."""
    try:
        return action(*args)
    except Exception as exc:
        if not isinstance(exc, OSError) and not type(exc).__module__.startswith("obstore"):
            raise
        raise StorageError(f"{what}: {_reason(exc)}") from None


def _reason(exc: Exception) -> str:
    """An obstore error in one line: its first line, and the S3 server's own message when it sent one
    (obstore quotes the server's XML answer on the lines after)."""
    text = str(exc) or type(exc).__name__
    said = re.search(r"<Message>(.*?)</Message>", text, re.S)
    first = text.splitlines()[0].removesuffix('<?xml version="1.0" encoding="utf-8"?>').strip()
    return first + (f" ({said.group(1).strip()})" if said else "")


def _put(store: ObjectStore, key: str, data: Path | bytes) -> None:
    import obstore

    obstore.put(store, key, data)


def _delete(store: ObjectStore, key: str) -> None:
    import obstore
    from obstore.exceptions import NotFoundError

    try:
        obstore.delete(store, key)
    except (NotFoundError, FileNotFoundError):
        pass


def _size(store: ObjectStore, key: str) -> int | None:
    import obstore
    from obstore.exceptions import NotFoundError

    try:
        return obstore.head(store, key)["size"]
    except (NotFoundError, FileNotFoundError):
        return None


def _get_bytes(store: ObjectStore, key: str) -> bytes | None:
    import obstore
    from obstore.exceptions import NotFoundError

    try:
        return bytes(obstore.get(store, key).bytes())
    except (NotFoundError, FileNotFoundError):
        return None


def _download(store: ObjectStore, key: str, target: Path) -> None:
    """Stream an object to `target` through a temporary file, so `target` is whole or as it was."""
    import obstore

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    with tmp.open("wb") as out:
        for chunk in obstore.get(store, key).stream(min_chunk_size=_CHUNK):
            out.write(chunk)
    os.replace(tmp, target)
