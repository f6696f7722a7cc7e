"""A file `newsmill run` cannot write: a read-only WARC file, a read-only run directory, a disk that
fills up during the crawl or at the extraction's Parquet write; and a spider callback that raises.
The run must exit 1 with one line naming the file (or the page) and the error, finish no crawl (no
crawl.done.json), and leave every row of the warehouse as it was, with and without --refetch;
`load_run` itself refuses a run that did not finish.

Root ignores file modes, so the CLI runs without CAP_DAC_OVERRIDE
(`bench.cli_harness.unprivileged`); the full disk is a small tmpfs, filled by the test as another
program would fill it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from harness import finish

from bench.cli_harness import (
    RUN_ID,
    command,
    fill_once_crawling,
    grown,
    kill_session,
    loaded_folder,
    rows,
    run_dir,
    small_disk,
    start,
    unprivileged,
)
from bench.hostile_site import DAY
from newsmill.demo.server import SiteServer
from newsmill.warehouse.load import load_run

REFETCH = pytest.mark.parametrize("extra", [(), ("--refetch",)], ids=["plain", "refetch"])
# The CLI, with the disk filled up right before the extraction writes its first Parquet bytes.
FILL_AT_PARQUET = """
import sys
from pathlib import Path
import transforms.spool
disk = Path(sys.argv[1])
real = transforms.spool.ParquetSpool._flush
def flush(self):
    with (disk / "filler").open("ab", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\\0" * 4096)
        except OSError:
            pass
    real(self)
transforms.spool.ParquetSpool._flush = flush
from newsmill.cli import entry
sys.argv = ["newsmill", *sys.argv[2:]]
entry()
"""


# A bug in the spider: its article callback raises on one page.
SPIDER_BUG = """
import spiders.news
real = spiders.news.NewsSpider.on_article
def on_article(self, response):
    if response.url.endswith("/s/story-20"):
        raise ZeroDivisionError("a bug")
    return real(self, response)
spiders.news.NewsSpider.on_article = on_article
"""


@pytest.fixture(scope="module")
def site() -> Iterator[SiteServer]:
    with SiteServer() as server:
        yield server


@pytest.fixture(scope="module")
def loaded(site: SiteServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder after one run of a day listing 12 articles."""
    return loaded_folder(site, tmp_path_factory.mktemp("loaded"))


def _fails(argv: list[str], data: Path, expected: str, *,
           during: Callable[[subprocess.Popen[str]], None] | None = None,
           env: dict[str, str] | None = None) -> str:
    """Run the CLI (`during` injects a fault while it runs); it must exit 1 with the one line
    `expected` (a regex) and change no row."""
    db = data / "news.duckdb"
    before = rows(db)
    child = start(argv, env)
    try:
        if during is not None:
            during(child)
        code, stderr = finish(child)
    finally:
        kill_session(child.pid)
    assert code == 1, stderr
    assert "Traceback" not in stderr
    said = stderr.strip().splitlines()
    assert len(said) == 1, stderr
    assert re.fullmatch(f"newsmill: error: {expected}", said[0]), said[0]
    assert rows(db) == before
    return said[0]


@REFETCH
def test_read_only_warc_file(loaded: Path, site: SiteServer, tmp_path: Path, extra: tuple[str, ...]) -> None:
    data = tmp_path / "data"
    config = grown(loaded, site, data)
    warc = data / "warc" / "steady" / f"{DAY}.warc.gz"
    warc.chmod(0o444)
    _fails(unprivileged(command(config, *extra)), data,
           re.escape(f"crawl of {RUN_ID}: cannot write {warc}: Permission denied"))
    assert not (run_dir(data) / "crawl.done.json").exists()


@REFETCH
def test_read_only_run_directory(loaded: Path, site: SiteServer, tmp_path: Path, extra: tuple[str, ...]) -> None:
    data = tmp_path / "data"
    config = grown(loaded, site, data)
    folder = run_dir(data)
    files = _contents(folder)
    folder.chmod(0o555)
    try:
        _fails(unprivileged(command(config, *extra)), data,
               re.escape(f"crawl of {RUN_ID}: cannot write {folder / 'crawl.jsonl'}: Permission denied"))
    finally:
        folder.chmod(0o755)
    assert _contents(folder) == files  # the last run's, intact


def _contents(folder: Path) -> dict[str, bytes]:
    """The files of a run directory but its lock, which names the last process that held it."""
    return {path.name: path.read_bytes() for path in folder.iterdir() if path.name != "run.lock"}


@REFETCH
def test_disk_full_during_the_crawl(loaded: Path, site: SiteServer, tmp_path: Path, extra: tuple[str, ...]) -> None:
    with small_disk(tmp_path / "disk") as disk:
        data = disk / "data"
        config = grown(loaded, site, data)
        log = run_dir(data) / "crawl.jsonl"
        warc = data / "warc" / "steady" / f"{DAY}.warc.gz"
        written = "|".join(re.escape(str(path)) for path in (warc, log))
        _fails(command(config, *extra), data,
               f"crawl of {RUN_ID}: cannot write ({written}): No space left on device",
               during=fill_once_crawling(log, data))
        assert not (run_dir(data) / "crawl.done.json").exists()


@REFETCH
def test_disk_full_at_the_parquet_write(loaded: Path, site: SiteServer, tmp_path: Path,
                                        extra: tuple[str, ...]) -> None:
    with small_disk(tmp_path / "disk") as disk:
        data = disk / "data"
        config = grown(loaded, site, data)
        argv = [sys.executable, "-c", FILL_AT_PARQUET, str(disk), *command(config, *extra)[1:]]
        _fails(argv, data, re.escape(f"extraction of {RUN_ID}: cannot write {run_dir(data)}: "
                                     "No space left on device"))
        assert not (run_dir(data) / "articles.parquet").exists()


@REFETCH
def test_exception_in_a_spider_callback(loaded: Path, site: SiteServer, tmp_path: Path,
                                        extra: tuple[str, ...]) -> None:
    data = tmp_path / "data"
    config = grown(loaded, site, data)
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(SPIDER_BUG)  # imported at start-up by the crawl too
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(hook), os.environ.get("PYTHONPATH")]))}
    _fails(command(config, *extra), data, re.escape(
        f"crawl of {RUN_ID}: source steady: ZeroDivisionError: a bug (handling {site.url}/s/story-20)"),
        env=env)
    assert not (run_dir(data) / "crawl.done.json").exists()


@pytest.mark.parametrize("missing", ["crawl.done.json", "articles.parquet"])
def test_load_run_refuses_a_run_that_did_not_finish(loaded: Path, site: SiteServer, tmp_path: Path,
                                                    missing: str) -> None:
    data = tmp_path / "data"
    grown(loaded, site, data)
    (run_dir(data) / missing).unlink()  # as a crawl, or an extraction, that stopped leaves it
    before = rows(data / "news.duckdb")
    with pytest.raises(RuntimeError, match=re.escape(missing)):
        load_run(data / "news.duckdb", run_dir(data))
    assert rows(data / "news.duckdb") == before
