"""Re-extract stored pages with today's code: `newsmill reprocess`, and the DAG's `reprocess` param.

A reprocess is a run whose first stage reads the WARC store instead of the network
(`spiders.stored`): it writes a `crawl.jsonl` pointing at the latest stored record of each
article of the days, then the run goes through the same extraction (`transforms.batch.extract_run`)
and the same load (`load_run`, one transaction) as a crawl's. So it changes what extraction and
cleaning now give differently, and nothing else:

- an article whose content is the same keeps its row as it is (`loaded_at`, `run_id`,
  `attempt_id` and WARC pointer of the load that last changed it); a changed one is replaced and
  its removed segments with it, under the reprocess's run id and a new `loaded_at`;
- an article whose stored page now yields no text keeps its row, and the attempt logs it as
  `extract_failed` (a reprocess never erases, like `--refetch`); an article with no stored page
  (its WARC file deleted) keeps its row too;
- a day without a WARC file is said (naming the file) and skipped; the other days go on.

With a `[storage]`, the days' WARC files are fetched from it first (`newsmill.storage`), so a
reprocess reads what the crawls stored, on any machine.

Its run id is the crawl's with `RUN_PREFIX`, so its run directory, lock and `runs` rows are its
own and never touch a crawl's; each reprocess is a new attempt, so one interrupted before its load
committed left nothing, and running it again gives the rows of an uninterrupted one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from newsmill import pipeline, storage
from newsmill.config import Config, Source
from newsmill.progress import Progress
from newsmill.runfiles import RunInfo
from newsmill.warehouse import LoadResult, load_run
from newsmill.warehouse.connection import say_on_stderr
from spiders.crawllog import RecordError
from spiders.stored import StoredCrawl, write_stored_crawl

RUN_PREFIX = "reprocess_"


@dataclass(frozen=True)
class ReprocessSummary:
    """One reprocess: its run, what its load did, the days' files it did not find, and the
    seconds spent reading the store (`read_seconds`) and extracting."""

    run_id: str
    first: date
    last: date
    sources: tuple[str, ...]
    load: LoadResult
    missing: tuple[Path, ...]
    read_seconds: float
    extract_seconds: float


def run_id(config: Config, sources: list[Source], first: date, last: date) -> str:
    """The reprocess's run id: the crawl's of the same days and sources, prefixed."""
    return RUN_PREFIX + pipeline.run_id_of(config, sources, first, last)


def collect(
    config: Config,
    first: date,
    last: date,
    sources: list[str] | None = None,
    *,
    workers: int | None = None,
    say: Callable[[str], None] | None = None,
) -> str:
    """A reprocess without its load (the DAG's `collect` task with the `reprocess` param): read the
    stored pages, extract them, put the run on the configured storage; return its URI, for
    `pipeline.load_stored`."""
    selected = config.select(sources)
    rid = run_id(config, selected, first, last)
    run_dir = pipeline.prepare(config, rid)
    with pipeline.RunLock(run_dir):
        _read_stored(config, selected, first, last, rid, run_dir, progress=False, say=say)
        pipeline.extract_held(config, run_dir, workers=workers, progress=False)
        with pipeline.on_storage(f"reprocess {rid}"):
            return storage.for_config(config).put_run(run_dir, config.settings.data_dir)


def reprocess(
    config: Config,
    first: date,
    last: date,
    sources: list[str] | None = None,
    *,
    progress: bool = True,
    workers: int | None = None,
    say: Callable[[str], None] | None = None,
) -> ReprocessSummary:
    """Extract and clean again the stored pages of first..last for the named sources (all when
    none are named) and load what changed, holding the run's lock throughout; no request is made.

    Raises `pipeline.RunFailed` when a run file cannot be written, before anything is loaded."""
    selected = config.select(sources)
    rid = run_id(config, selected, first, last)
    run_dir = pipeline.prepare(config, rid)
    with pipeline.RunLock(run_dir):
        found = _read_stored(config, selected, first, last, rid, run_dir, progress=progress, say=say)
        pipeline.extract_held(config, run_dir, workers=workers, progress=progress)
        with pipeline.on_storage(f"reprocess {rid}"):
            storage.for_config(config).put_run(run_dir, config.settings.data_dir)
        result = load_run(config.settings.warehouse, run_dir)
    info = RunInfo.read(run_dir)
    return ReprocessSummary(
        run_id=rid,
        first=first,
        last=last,
        sources=info.sources,
        load=result,
        missing=found.missing,
        read_seconds=info.crawl_seconds,
        extract_seconds=info.extract_seconds,
    )


def _read_stored(
    config: Config,
    sources: list[Source],
    first: date,
    last: date,
    rid: str,
    run_dir: Path,
    *,
    progress: bool,
    say: Callable[[str], None] | None,
) -> StoredCrawl:
    """Begin a new attempt at run `rid` (whose lock the caller holds) and write its crawl files
    from the store; `crawl_seconds` in `run.json` is the time this took."""
    say = say or say_on_stderr
    info = RunInfo.begin(rid, first, last, (s.name for s in sources))
    clock = time.monotonic()
    with pipeline.on_storage(f"reprocess {rid}"):
        storage.for_config(config).fetch_warc(config.settings.data_dir, info.sources, first, last)
    try:
        pipeline.begin_attempt(run_dir, info)
    except OSError as exc:
        raise pipeline.cannot_write(f"reprocess {rid}", exc, run_dir) from None
    try:
        with Progress(progress, f"read {rid}", unit="stored pages") as bar:
            found = write_stored_crawl(run_dir, config.settings.data_dir, info.sources, first, last,
                                       progress=bar.update)
    except RecordError as exc:  # a run file
        raise pipeline.RunFailed(f"reprocess {rid}: {exc}") from None
    except OSError as exc:  # a stored file
        raise pipeline.RunFailed(f"reprocess {rid}: cannot read {exc.filename}: "
                                 f"{exc.strerror or exc}") from None
    try:
        replace(info, crawl_seconds=time.monotonic() - clock).write(run_dir)
    except OSError as exc:
        raise pipeline.cannot_write(f"reprocess {rid}", exc, run_dir) from None
    for path in found.missing:
        say(f"reprocess {rid}: no stored pages for {path.parent.name} on {path.name.split('.')[0]}: "
            f"{path} does not exist; that day is left as it is")
    for damaged in found.damaged:
        say(f"reprocess {rid}: {damaged.path}: only its first {damaged.whole} of {damaged.size} bytes "
            "are whole WARC records; the pages after them are not read")
    return found
