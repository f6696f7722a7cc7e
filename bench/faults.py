"""Reliability tables: the hostile loopback site (`hostile_site.py`) through the real CLI.

Per URL: runs `newsmill run` for the site's day over the hostile source and a calm second source,
runs the same day again, and prints per fault class how many URLs carried it, how each ended
(loaded, logged as failed/skipped with its error, retried, not listed) and how many rows were lost
(an article that should be in the warehouse is not, or a URL the site was asked for has no
crawl_log row) or duplicated (a URL with two rows, one page stored under two URLs, or anything that
changed when the day was run again). Both must be 0, or the command exits 1.

Per run: then runs each run-level scenario of `run_faults.py` once (unwritable files, a full disk,
Ctrl-C and SIGTERM, two runs at once, off-site listings, terminal markup, the query sandbox, bad
input) and prints what it measured, without judging it. Progress goes to stderr.

    .venv/bin/python bench/faults.py [--markdown]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: `bench` as a package

import duckdb  # noqa: E402

from bench.cli_harness import NEWSMILL  # noqa: E402
from bench.hostile_site import DAY, FAULTS, LISTING_FAULTS, Fault, HostileSites, snapshot  # noqa: E402
from bench.run_faults import HEADER, Row, run_level  # noqa: E402


def _run(config: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    clock = time.monotonic()
    result = subprocess.run([NEWSMILL, "--config", str(config), "run", "--date", DAY, "-q"],
                            capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "200"})
    return result, time.monotonic() - clock


def _short(error: str | None) -> str:
    if not error:
        return ""
    error = error.split(" (", 1)[0] if error.startswith(("page larger", "unreadable", "refused")) else error
    for prefix, short in (("timed out", "timed out"), ("redirected off-site", "redirected off-site"),
                          ("redirects to", "redirects to an article fetched anyway"),
                          ("not an HTML page", "not an HTML page")):
        if error.startswith(prefix):
            return short
    return error[:90]


def judge(fault: Fault, base: str, log: dict[str, list[tuple]], articles: Counter[str],
          hits: Counter[str], texts: dict[str, str]) -> tuple[str, int, int]:
    """(outcome text, rows lost, rows duplicated) of one fault class."""
    outcomes, lost, duplicated = [], 0, 0
    for path in fault.paths:
        url = base + path
        rows = [r for r in log.get(path, []) if r[0] != "extract_failed"]
        extract_failed = [r for r in log.get(path, []) if r[0] == "extract_failed"]
        if hits[path] and not rows:
            lost += 1  # asked for, but no crawl_log row
        duplicated += max(0, len(rows) - 1) + max(0, articles[url] - 1)
        if fault.outcome in ("loaded", "retried") and not articles[url]:
            lost += 1
        if articles[url] and sum(1 for t in texts.values() if t == texts[url]) > 1:
            duplicated += 1
        # more than one request for a URL is Scrapy's retry, except where redirects come back to it
        retried = " after a retry" if hits[path] > 1 and "redirect" not in fault.name and (
            fault.outcome != "loaded") else ""
        if not rows and not hits[path]:
            outcomes.append("not listed, not fetched")
        elif extract_failed:
            outcomes.append(f"logged extract_failed ({extract_failed[0][2]})")
        elif articles[url]:
            outcomes.append(f"loaded{retried}")
        else:
            outcome, status, error = rows[0]
            what = f"{status} " if status and status != 200 and not (error or "").startswith("HTTP") else ""
            outcomes.append(f"logged {outcome}{retried}: {what}{_short(error) or 'ok'}".rstrip(": "))
    return "; ".join(dict.fromkeys(outcomes)), lost, duplicated


def _crawl_log(db: Path) -> list[tuple]:
    """(source, url, outcome, status, error, fetched_at) of every crawl_log row."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT source, url, outcome, status, error, fetched_at FROM crawl_log").fetchall()
    finally:
        con.close()


def _rerun(first: list[tuple], again: list[tuple], loaded: set[str]) -> str:
    """What the re-run did with the loaded articles and with the URLs that failed the first time,
    from the crawl_log rows of each run."""
    failed = {url for _, url, outcome, *_ in first if outcome in ("failed", "extract_failed")}
    outcomes = {url: outcome for _, url, outcome, *_ in again}
    skipped = sum(1 for url in loaded if outcomes.get(url) == "skipped")
    tried = sum(1 for url in failed if outcomes.get(url, "skipped") != "skipped")
    return (f"{skipped} of {len(loaded)} loaded articles skipped (already loaded), {tried} of {len(failed)} "
            "failed URLs tried again")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table (README)")
    args = parser.parse_args()
    clock = time.monotonic()
    print("faults: the hostile site's day, twice …", file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory(prefix="newsmill-faults-") as work, HostileSites() as sites:
        config = sites.write_config(Path(work) / "sources.toml", Path(work) / "data")
        db = Path(work) / "data" / "news.duckdb"
        first, first_seconds = _run(config)
        if first.returncode != 0:
            print(first.stderr, file=sys.stderr)
            return 1
        before, first_log = snapshot(db), _crawl_log(db)
        hits = Counter(sites.hits)
        again, again_seconds = _run(config)
        after = snapshot(db)
        # the re-run's rows: new ones (their fetched_at is), whether it replaced the first's or not
        again_log = list((Counter(_crawl_log(db)) - Counter(first_log)).elements())
        rerun_changed = sum(
            len(set(before[table]) ^ set(after[table])) for table in ("articles", "removed_segments"))
        con = duckdb.connect(str(db), read_only=True)
        base = sites.hostile.url
        log: dict[str, list[tuple]] = {}  # the first run's rows, which the site's hits belong to
        for source, url, outcome, status, error, _ in first_log:
            if source == "hostile":
                log.setdefault(url.removeprefix(base), []).append((outcome, status, error))
        articles = Counter(u for (u,) in con.execute("SELECT url FROM articles").fetchall())
        texts = dict(con.execute("SELECT url, content_hash FROM articles").fetchall())
        runs = con.execute("SELECT source, pages_fetched, articles_loaded, failures, skipped FROM runs "
                           "ORDER BY source, started_at").fetchall()
        con.close()
    grouped: dict[str, list[Fault]] = {}
    for fault in FAULTS + LISTING_FAULTS:
        grouped.setdefault(fault.name, []).append(fault)
    table = []
    for name, faults in grouped.items():
        outcomes, lost, duplicated, tried = [], 0, 0, 0
        for fault in faults:
            outcome, fault_lost, fault_duplicated = judge(fault, base, log, articles, hits, texts)
            outcomes.append(outcome)
            lost, duplicated, tried = lost + fault_lost, duplicated + fault_duplicated, tried + len(fault.paths)
        table.append((name, tried, "; ".join(dict.fromkeys(outcomes)), lost, duplicated))
    table.append(("same day run again", len(articles), _rerun(first_log, again_log, set(articles)), 0, rerun_changed))
    header = ("fault class", "URLs", "outcome", "rows lost", "rows duplicated")
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "|".join(["---", "--:", "---", "--:", "--:"]) + "|")
        for row in table:
            print("| " + " | ".join(str(v) for v in row) + " |")
    else:
        for row in (header, *table):
            print(f"{row[0]:<38} {row[1]!s:>4}  {row[3]!s:>4} {row[4]!s:>4}  {row[2]}")
    total_lost, total_dup = sum(r[3] for r in table), sum(r[4] for r in table)
    print(f"\nruns after the re-run (source, fetched, articles, failures, skipped): {runs}; first run {first_seconds:.1f} s, "
          f"re-run {again_seconds:.1f} s (exit {again.returncode}); rows lost {total_lost}, "
          f"duplicated {total_dup}\n", flush=True)
    with tempfile.TemporaryDirectory(prefix="newsmill-run-faults-") as work:
        _print_run_level(run_level(Path(work)), args.markdown)
    print(f"faults: {time.monotonic() - clock:.0f} s in all", file=sys.stderr)
    return 0 if total_lost == 0 and total_dup == 0 and again.returncode == 0 else 1


def _print_run_level(table: list[Row], markdown: bool) -> None:
    if not markdown:
        for row in table:
            print(f"{row.fault}: {row.outcome}\n    rows changed {row.rows_changed}, processes left "
                  f"{row.processes_left}, duplicated fetches {row.duplicated_fetches}")
        return
    print("| " + " | ".join(HEADER) + " |")
    print("|" + "|".join(["---", "---", "--:", "--:", "--:"]) + "|")
    for row in table:
        cells = (row.fault, row.outcome, row.rows_changed, row.processes_left, row.duplicated_fetches)
        print("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")


if __name__ == "__main__":
    sys.exit(main())
