"""CC-NEWS backfill figures: the scan's throughput, and what the lead and lag margins buy.

    .venv/bin/python -m bench.ccnews scan [--files 6] [--pages 400] [--kb 60] [--every 100] [--profile]
    .venv/bin/python -m bench.ccnews margins

``scan`` writes a local archive (`bench.ccnews_archive`: CC-NEWS-shaped files, pages of about
`--kb` KB, one in `--every` on the source's hosts), serves it on 127.0.0.1 from a separate process (so
its CPU is not counted), and runs `spiders.ccnews.scan_file` over every file into a scratch WARC
store: the CPU time of this process (HTTP, fastwarc, the host filter, the stored matches) against
the bytes streamed; then bare fastwarc iteration over the same files on disk, for the ratio.
``--profile`` prints the scan's top functions (cProfile).

``margins`` builds the delay archive (`delay_archive`: realistic fetch delays and time zones) and,
for a one-day and a seven-day range and each lead and lag, counts the files a backfill streams and
the share of the pages dated in the range that those files hold.
"""

from __future__ import annotations

import argparse
import cProfile
import multiprocessing
import pstats
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from fastwarc.warc import ArchiveIterator, WarcRecordType

from bench.ccnews_archive import (
    SITE,
    NewsFile,
    Page,
    delay_archive,
    page_of_size,
    paragraphs,
    serve_archive,
    write_archive,
)
from newsmill.config import Source
from spiders.ccnews import Journal, parse_path, scan_file, select_files, window
from spiders.warc import WarcFiles

LEADS = (0, 6, 14, 24)
LAGS = (0, 24, 48, 72, 168, 720)


def _serve(root: str, ready: multiprocessing.Queue, stop: multiprocessing.Event) -> None:
    with serve_archive(Path(root)) as server:
        ready.put(server.base_url)
        stop.wait()


def build(root: Path, files: int, pages: int, kb: int, every: int) -> list[NewsFile]:
    begun = datetime(2026, 11, 1, tzinfo=UTC)
    made = []
    for n in range(files):
        news_file = NewsFile(begun + timedelta(hours=8 * n), n)
        for k in range(pages):
            host = SITE if k % every == 0 else f"site{k % 37}.example"
            seed = n * pages + k
            body = page_of_size(f"Story {seed}", paragraphs(seed, 8), kb * 1000, seed, published=None,
                                author="Desk")
            news_file.pages.append(Page(f"https://{host}/a/{seed}", body, news_file.begun + timedelta(seconds=k)))
        made.append(news_file)
    write_archive(root, made)
    return made


def bare_iteration(paths: list[Path]) -> int:
    """fastwarc alone: every response record of the files read (decompressed) and skipped."""
    count = 0
    for path in paths:
        with path.open("rb") as handle:
            for _ in ArchiveIterator(handle, record_types=WarcRecordType.response, parse_http=False):
                count += 1
    return count


def scan(args: argparse.Namespace) -> None:
    source = Source("gazette", (SITE,), "en", feeds=(f"https://{SITE}/rss.xml",))
    with tempfile.TemporaryDirectory() as scratch:
        root, data = Path(scratch) / "archive", Path(scratch) / "data"
        files = build(root, args.files, args.pages, args.kb, args.every)
        paths = [root / f.path for f in files]
        ready, stop = multiprocessing.Queue(), multiprocessing.Event()
        server = multiprocessing.Process(target=_serve, args=(str(root), ready, stop), daemon=True)
        server.start()
        base_url = ready.get(timeout=30)
        store, streamed, matches = WarcFiles(), 0, 0
        profile = cProfile.Profile() if args.profile else None
        cpu, wall = time.process_time(), time.perf_counter()
        if profile:
            profile.enable()
        for news_file in files:
            journal = Journal(data / "journals" / (news_file.path.rsplit("/", 1)[1] + ".jsonl"))
            streamed += scan_file(base_url + news_file.path, journal, [source], data, store)
            matches += len(journal.rows)
            journal.close()
        if profile:
            profile.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        store.close()
        stop.set()
        server.join(timeout=10)
        bare_cpu = time.process_time()
        records = bare_iteration(paths)
        bare_cpu = time.process_time() - bare_cpu
    megabytes = streamed / 1e6
    print(f"{len(files)} files, {megabytes:.1f} MB compressed, {records} responses "
          f"({streamed / records / 1000:.1f} KB compressed each), {matches} matches stored")
    print(f"scan (HTTP, host filter, matches stored): {megabytes / cpu:.0f} MB per CPU-second, "
          f"{megabytes / wall:.0f} MB/s wall (loopback)")
    print(f"bare fastwarc iteration of the same files: {megabytes / bare_cpu:.0f} MB per CPU-second")
    print(f"scan / bare: {bare_cpu / cpu:.2f}")
    if profile:
        pstats.Stats(profile).sort_stats("tottime").print_stats(12)


def margins(_: argparse.Namespace) -> None:
    files, pages = delay_archive(date(2026, 10, 1), 70)
    listed = [parse_path(f.path) for f in files]
    print(f"delay archive: {len(files)} files (12 a day), {len(pages)} pages\n")
    for first, last in ((date(2026, 10, 30), date(2026, 10, 30)), (date(2026, 10, 27), date(2026, 11, 2))):
        dated = [p for p in pages if first <= p.day <= last]
        days = (last - first).days + 1
        print(f"range {first}..{last} ({days} day{'s' if days > 1 else ''}, {len(dated)} pages dated in it)")
        print("| lead h | lag h | files streamed | files per day of range | pages of the range found |")
        print("|---:|---:|---:|---:|---:|")
        for lead in LEADS:
            for lag in LAGS:
                chosen = {f.path for f in select_files(listed, *window(first, last, timedelta(hours=lead),
                                                                        timedelta(hours=lag)))}
                found = sum(p.file.path in chosen for p in dated)
                print(f"| {lead} | {lag} | {len(chosen)} | {len(chosen) / days:.1f} | "
                      f"{100 * found / len(dated):.1f} % |")
        print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    scan_command = commands.add_parser("scan", help="scan throughput against bare fastwarc")
    scan_command.add_argument("--files", type=int, default=6)
    scan_command.add_argument("--pages", type=int, default=400)
    scan_command.add_argument("--kb", type=int, default=60, help="size of a page's body, KB")
    scan_command.add_argument("--every", type=int, default=100,
                              help="one page in this many is the source's (a source is one site of thousands)")
    scan_command.add_argument("--profile", action="store_true")
    scan_command.set_defaults(run=scan)
    commands.add_parser("margins", help="pages found and files streamed per lead and lag").set_defaults(run=margins)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
