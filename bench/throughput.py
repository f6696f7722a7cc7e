"""Throughput of the whole pipeline against bare trafilatura, measured side by side in one run.

    .venv/bin/python bench/throughput.py [--corpus ../shared/corpus] [--articles 2000]
        [--baseline-pages N] [--backfill-days 30 --per-day 60] [--no-peers]
        [--news-please PYTHON [--news-please-pages N]] [--out FILE] [--keep DIR] [--markdown]

Builds a large one-day news site from the corpus pages (each copy gets a unique sentence and URL,
so no two pages are the same), serves it on 127.0.0.1 from a separate process, and measures:

- baseline: `trafilatura.extract` in a plain loop on one core over the same HTML bytes;
- newsmill end to end (`pipeline.run`: crawl over HTTP → WARC → extract + clean → DuckDB), with
  the seconds of each stage, and a re-run of the same (already loaded) day;
- the trafilatura CLI (`--parallel 2`) over the same article URLs, and news-please when its
  separate virtualenv exists (it cannot share newsmill's: see `--news-please`);
- a backfill of `--backfill-days` days of a smaller site, one run per day sharing one worker pool
  (as `newsmill backfill` does): slowest / fastest day, and the full-text index rebuild time as the warehouse grows;
- peak memory: the largest resident set of each process, and the peak of the sum (PSS, so pages
  shared by the fork-server workers count once) over the pipeline's process tree.

Prints a table (Markdown with `--markdown`, as docs/performance.md holds it) and writes
bench/results/throughput-<time>.json. Figures are ratios within one run: the machine's cores are
shared, so absolute pages/s vary from run to run.

The parts: `throughput_site.py` (the site and its server), `process_tree.py` (memory and CPU of a
process tree), `newsmill_runner.py`, `trafilatura_runner.py`, `news_please_runner.py` (what is
measured), `throughput_report.py` (ratios and the table).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: `bench` as a package

from bench.news_please_runner import news_please  # noqa: E402
from bench.newsmill_runner import pipeline_run  # noqa: E402
from bench.process_tree import cpu_seconds  # noqa: E402
from bench.throughput_report import markdown, ratios, table  # noqa: E402
from bench.throughput_site import Served, build_site  # noqa: E402
from bench.trafilatura_runner import baseline, trafilatura_cli  # noqa: E402

DAY = date(2026, 11, 20)


def one_day(args: argparse.Namespace, work: Path) -> dict:
    """The one-day site: bare trafilatura, newsmill's first run and re-run, then the peers."""
    result: dict = {}
    site = work / "site"
    shutil.rmtree(site, ignore_errors=True)
    build_site(args.corpus, site, [DAY], args.articles)
    server = Served(site)
    try:
        skip = {server.process.pid}
        say(f"site: {args.articles} articles at {server.url}; baseline…")
        result["baseline"] = baseline(site, args.baseline_pages)
        say(f"baseline {result['baseline']['pages_per_s']} pages/s; newsmill first run…")
        data = work / "data"
        shutil.rmtree(data, ignore_errors=True)
        config = server.write_config(data)
        server_cpu = cpu_seconds(server.process.pid)
        (first,), memory = pipeline_run(config, [DAY], skip)
        server_cpu = round(cpu_seconds(server.process.pid) - server_cpu, 2)
        result["newsmill"] = {**first, "articles_per_s": round(first["articles"] / first["wall_seconds"], 2),
                              **memory, "site_server_cpu_seconds": server_cpu}
        say(f"newsmill {result['newsmill']['articles_per_s']} articles/s; re-run…")
        (result["rerun"],), _ = pipeline_run(config, [DAY], skip)
        if not args.no_peers:
            say("trafilatura CLI…")
            result["trafilatura_cli"] = trafilatura_cli(server, work, skip)
            if args.news_please:
                say("news-please…")
                result["news_please"] = news_please(args.news_please, server, work, skip, args.news_please_pages)
    finally:
        server.stop()
    return result


def backfill(args: argparse.Namespace, work: Path) -> dict:
    """`--backfill-days` days of `--per-day` articles, one run a day sharing one worker pool."""
    say(f"backfill: {args.backfill_days} days × {args.per_day} articles…")
    site = work / "backfill-site"
    shutil.rmtree(site, ignore_errors=True)
    days = [DAY - timedelta(days=args.backfill_days - 1 - i) for i in range(args.backfill_days)]
    build_site(args.corpus, site, days, args.per_day)
    server = Served(site)
    try:
        data = work / "backfill-data"
        shutil.rmtree(data, ignore_errors=True)
        runs, memory = pipeline_run(server.write_config(data), days, {server.process.pid})
    finally:
        server.stop()
    walls = [r["wall_seconds"] for r in runs]
    cpus = [r["cpu_seconds"] for r in runs]
    return {"days": runs, "slowest_s": max(walls), "fastest_s": min(walls),
            "slowest_over_fastest": round(max(walls) / min(walls), 2),
            "median_s": sorted(walls)[len(walls) // 2],
            # CPU per day: what a day costs, whatever else shares the cores
            "cpu_slowest_over_fastest": round(max(cpus) / min(cpus), 2), **memory}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus",
                        help="corpus directory (default: ../shared/corpus beside the repository)")
    parser.add_argument("--articles", type=int, default=2000, help="articles of the one-day site")
    parser.add_argument("--baseline-pages", type=int, default=0, help="0: all the site's pages")
    parser.add_argument("--backfill-days", type=int, default=30, help="0: no backfill")
    parser.add_argument("--per-day", type=int, default=60, help="articles per day of the backfill site")
    parser.add_argument("--no-peers", action="store_true", help="skip the trafilatura CLI and news-please")
    parser.add_argument("--news-please", type=Path, metavar="PYTHON",
                        help="python of a virtualenv with news-please 1.6.16 (`uv venv V && uv pip install "
                             "-p V/bin/python news-please==1.6.16`): measure it too")
    parser.add_argument("--news-please-pages", type=int, default=0, help="0: all the site's pages")
    parser.add_argument("--out", type=Path, help="result JSON (default bench/results/throughput-<time>.json)")
    parser.add_argument("--keep", type=Path, help="work directory to keep (default: a temporary one)")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown (docs/performance.md)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="newsmill-throughput-"))
    work.mkdir(parents=True, exist_ok=True)
    result: dict = {"started": datetime.now().isoformat(timespec="seconds"), "cores": os.cpu_count(),
                    "articles": args.articles, "corpus": str(args.corpus)}
    try:
        result.update(one_day(args, work))
        if args.backfill_days:
            result["backfill"] = backfill(args, work)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    result["ratios"] = ratios(result)
    out = args.out or ROOT / "bench" / "results" / f"throughput-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1))
    print(markdown(result) if args.markdown else table(result))
    print(f"\nresult: {out}")
    return 0


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
