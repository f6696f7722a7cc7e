"""`newsmill reprocess` against bare extraction, on the same stored WARC, in one run.

    .venv/bin/python bench/reprocess.py [--corpus ../shared/corpus] [--articles 600] [--workers N]
        [--rounds 3] [--keep DIR] [--markdown]

Crawls a one-day site made of corpus pages (`throughput_site.py`, served from a child process)
once with `pipeline.run`, stops the site, then measures on the WARC that crawl stored:

- **extract only**: `transforms.batch.extract_run` on a copy of the crawl's run directory: the
  extract stage alone, over the same pages;
- **reprocess, nothing changed**: `newsmill.reprocess.reprocess` of the day (read the WARC store,
  extract, load) when today's code gives the rows already loaded, as after an upgrade that does
  not touch extraction;
- **reprocess, every article changed**: the same after the warehouse's text was made stale, so
  the load rewrites every article, its removed segments and its search-index entries.

The three are measured in turn `--rounds` times and the fastest of each counts (on shared cores
other processes only ever slow a measurement down). Each with its pages/s and its ratio to extract
only: a reprocess is extraction-bound when the ratio is close to 1 and its read and load seconds are
small beside its extraction's. Absolute pages/s vary from run to run.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: `bench` as a package

from bench.throughput_site import Served, build_site  # noqa: E402
from newsmill import layout, pipeline, reprocess  # noqa: E402
from newsmill.config import load_config  # noqa: E402
from newsmill.warehouse import connect  # noqa: E402

DAY = date(2026, 11, 20)
KINDS = ("extract_only", "reprocess_unchanged", "reprocess_all_changed")


def measure(args: argparse.Namespace, work: Path) -> dict:
    from transforms.batch import extract_run

    site = work / "site"
    build_site(args.corpus, site, [DAY], args.articles)
    served = Served(site)
    try:
        config = load_config(served.write_config(work / "data"))
        crawl = pipeline.run(config, DAY, DAY, progress=False, workers=args.workers)
    finally:
        served.stop()  # nothing below may reach the network
    result: dict = {"articles": args.articles, "loaded": crawl.load.articles}

    crawled = layout.run_dir(config.settings.data_dir, crawl.run_id)
    languages = {s.name: s.language for s in config.sources}
    runs: dict[str, list[dict]] = {key: [] for key in KINDS}
    for number in range(args.rounds):  # interleaved, so a busy moment of the machine hits all three
        bare = work / f"extract-only-{number}"
        bare.mkdir()
        for name in (layout.CRAWL_LOG, layout.CRAWL_DONE, layout.RUN_INFO):
            shutil.copy2(crawled / name, bare / name)
        clock = time.monotonic()
        extracted = extract_run(bare, languages, workers=args.workers)
        runs["extract_only"].append({"seconds": time.monotonic() - clock, "articles": extracted.articles})

        clock = time.monotonic()
        same = reprocess.reprocess(config, DAY, DAY, progress=False, workers=args.workers)
        runs["reprocess_unchanged"].append(_figures(same, time.monotonic() - clock))

        with connect(config.settings.database) as con:
            con.execute("UPDATE articles SET text = 'stale', content_hash = 'stale'")
        clock = time.monotonic()
        stale = reprocess.reprocess(config, DAY, DAY, progress=False, workers=args.workers)
        runs["reprocess_all_changed"].append(_figures(stale, time.monotonic() - clock))
    pages = result["pages"] = same.load.pages_fetched  # the stored article pages each one reads
    for key in KINDS:
        best = result[key] = min(runs[key], key=lambda r: r["seconds"])
        best["pages_per_s"] = pages / best["seconds"]
        best["all_seconds"] = [r["seconds"] for r in runs[key]]
    for key in KINDS:
        result[key]["ratio"] = result["extract_only"]["seconds"] / result[key]["seconds"]
    return result


def _figures(summary: reprocess.ReprocessSummary, seconds: float) -> dict:
    return {"seconds": seconds, "read_s": summary.read_seconds, "extract_s": summary.extract_seconds,
            "load_s": summary.load.seconds, "pages": summary.load.pages_fetched,
            "inserted": summary.load.inserted, "updated": summary.load.updated}


def markdown(result: dict) -> str:
    rows = [
        "| what | pages/s | × extract only | seconds (read / extract / load) | read + load |",
        "|---|---|---|---|---|",
    ]
    names = {"extract_only": "extract only (`extract_run`)",
             "reprocess_unchanged": "reprocess, nothing changed",
             "reprocess_all_changed": "reprocess, every article changed"}
    for key, name in names.items():
        r = result[key]
        if key == "extract_only":
            parts, overhead = f"{r['seconds']:.1f}", ""
        else:
            parts = f"{r['seconds']:.1f} ({r['read_s']:.2f} / {r['extract_s']:.1f} / {r['load_s']:.2f})"
            overhead = f"{(r['read_s'] + r['load_s']) / r['seconds']:.1%} of its time"
        rows.append(f"| {name} | {r['pages_per_s']:.1f} | {r['ratio']:.2f} | {parts} | {overhead} |")
    return "\n".join(rows) + (f"\n\n{result['pages']} stored pages of one day; the fastest of "
                                f"{len(result['extract_only']['all_seconds'])} interleaved rounds each.\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus",
                        help="corpus directory (manifest.jsonl, pages/)")
    parser.add_argument("--articles", type=int, default=600, help="articles of the one-day site")
    parser.add_argument("--rounds", type=int, default=3, help="each measured this often; the fastest counts")
    parser.add_argument("--workers", type=int, default=None, help="extraction processes (default: cores)")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--markdown", action="store_true", help="print the table as docs/performance.md holds it")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="newsmill-reprocess-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        result = measure(args, work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(markdown(result) if args.markdown else json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
