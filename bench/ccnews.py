"""CC-NEWS scan throughput: MB of compressed WARC per CPU-second, with the domain filter.

    .venv/bin/python -m bench.ccnews [--files 8] [--pages 600]

Writes a local archive (`bench.ccnews_archive`: CC-NEWS-shaped files, one page in ten on the
source's hosts), serves it on 127.0.0.1 from a separate process (so its CPU is not counted), and
runs `spiders.ccnews.scan_file` over every file into a scratch WARC store: the CPU time of this
process (fastwarc's parsing, the host filter, the stored matches) against the bytes streamed.
"""

from __future__ import annotations

import argparse
import multiprocessing
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.ccnews_archive import (
    SITE,
    NewsFile,
    Page,
    article_html,
    paragraphs,
    serve_archive,
    write_archive,
)
from newsmill.config import Source
from spiders.ccnews import Journal, scan_file
from spiders.warc import WarcFiles


def _serve(root: str, ready: multiprocessing.Queue, stop: multiprocessing.Event) -> None:
    with serve_archive(Path(root)) as server:
        ready.put(server.base_url)
        stop.wait()


def build(root: Path, files: int, pages: int) -> list[NewsFile]:
    begun = datetime(2026, 11, 1, tzinfo=UTC)
    made = []
    for n in range(files):
        news_file = NewsFile(begun + timedelta(hours=8 * n), n)
        for k in range(pages):
            host = SITE if k % 10 == 0 else f"site{k % 37}.example"
            seed = n * pages + k
            news_file.pages.append(Page(f"https://{host}/a/{seed}",
                                        article_html(f"Story {seed}", paragraphs(seed, 8), published=None,
                                                     author="Desk"),
                                        news_file.begun + timedelta(seconds=k)))
        made.append(news_file)
    write_archive(root, made)
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--pages", type=int, default=600)
    args = parser.parse_args()
    source = Source("gazette", (SITE,), "en", feeds=(f"https://{SITE}/rss.xml",))
    with tempfile.TemporaryDirectory() as scratch:
        root, data = Path(scratch) / "archive", Path(scratch) / "data"
        files = build(root, args.files, args.pages)
        ready, stop = multiprocessing.Queue(), multiprocessing.Event()
        server = multiprocessing.Process(target=_serve, args=(str(root), ready, stop), daemon=True)
        server.start()
        base_url = ready.get(timeout=30)
        store, streamed, matches = WarcFiles(), 0, 0
        cpu, wall = time.process_time(), time.perf_counter()
        for news_file in files:
            journal = Journal(data / "journals" / (news_file.path.rsplit("/", 1)[1] + ".jsonl"))
            streamed += scan_file(base_url + news_file.path, journal, [source], data, store)
            matches += len(journal.rows)
            journal.close()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        store.close()
        stop.set()
        server.join(timeout=10)
    megabytes = streamed / 1e6
    print(f"{len(files)} files, {megabytes:.1f} MB compressed, {matches} matches stored")
    print(f"scan: {megabytes / cpu:.0f} MB per CPU-second, {megabytes / wall:.0f} MB/s wall (loopback)")


if __name__ == "__main__":
    main()
