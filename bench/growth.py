"""A year in the warehouse: how search, loads and the other commands behave as the DuckDB file grows.

    .venv/bin/python bench/growth.py [--sizes 10000,100000,1000000] [--seed 1] [--cache /tmp/growth-cache]
                                     [--queries 50] [--engines duckdb-fts,duckdb-tuned,tantivy,bm25s]
                                     [--statements] [--keep-index] [--markdown]
    .venv/bin/python bench/growth.py --table CACHE/results-A.json CACHE/results-B.json [--markdown]

For each size N, a warehouse of N synthetic articles (`growth_corpus`: corpus wording, 50 sources in
five languages, a year of days) is built once through newsmill's schema (`growth_build`) and cached
under `--cache` by N and seed. Then, each operation in a fresh process (peak RSS from `os.wait4`,
the child's own):

- `newsmill index rebuild` (the search index folder made from the warehouse; with `--keep-index`,
  the cached folder is kept, checked and repaired off the clock);
- `newsmill search` through the CLI, one process per query, over `--queries` fixed queries drawn
  from the corpus vocabulary (1-3 words, some adjacent pairs), with no filter, with `--from` the
  last 3 days and `--lang en`, and with `--from` the last 90 days: wall-clock p50/p95 and peak RSS;
  and the same queries through `newsmill.warehouse.search.search` in one process (the folder's
  record checked against the DuckDB file, the engine's answer and the hits' stored fields): the
  search's own time, without Python's start-up and imports;
- a day's load of 1,000 new articles (`load_run` on a run directory, search index update included)
  and a refetch of 100 of them with changed text, on a copy of the warehouse and its index brought
  to this newsmill's schema; the same without the index update; with `--statements`, the seconds
  and memory of each statement of the load; the skip list (`pipeline.known_urls`);
  `newsmill report` (31 days), `export` (one day), `query` (one day's counts, and a whole-table scan);
- bytes per article: raw title+text, the search index folder, the rest of the DuckDB file.

`--engines` adds the comparison that chose the engine (`growth_engines`: DuckDB's fts extension as
newsmill used it, a tuned query over its tables, Tantivy and bm25s, each opened afresh per query;
in-process p50/p95, peak RSS, top-10 overlap with `duckdb-fts`, build seconds and bytes). It is off by
default: the fts tables of a 1M warehouse take over half an hour to build.

Prints a table (Markdown with `--markdown`) with the ratio of each figure to the smallest size's,
and writes the figures to `CACHE/results-<time>.json`. The machine's cores are shared, so compare
ratios within one run rather than seconds across runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

LAST_DAY = date(2026, 11, 20)  # growth_corpus.LAST_DAY: not imported, this process stays small (see child)
ENGINES = ("duckdb-fts", "duckdb-tuned", "tantivy", "bm25s")  # growth_engines.ENGINES
SITE = Path(os.environ.get("GROWTH_SITE", "/tmp/G-site"))

PYTHON = sys.executable
NEWSMILL = str(Path(sys.executable).parent / "newsmill")
PROBE = str(BENCH / "growth_probe.py")
FILTERS = {
    "no filter": [],
    "last 3 days, en": ["--from", str(LAST_DAY - timedelta(days=2)), "--to", str(LAST_DAY), "--lang", "en"],
    "last 90 days": ["--from", str(LAST_DAY - timedelta(days=89)), "--to", str(LAST_DAY)],
}


# ---------------------------------------------------------------- measuring a child process


def child(args: list[str]) -> dict:
    """Run `args`; its wall-clock seconds, its peak RSS in MB (`os.wait4`) and, for a probe, the
    JSON it printed. Linux counts the parent's RSS at fork in a child's peak, so this process
    imports nothing heavy (no pyarrow, duckdb or corpus): every heavy step is a probe child."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(args, stdout=out, stderr=err, env={**os.environ, "GROWTH_SITE": str(SITE)})
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode:
            raise RuntimeError(f"{' '.join(args)} failed ({proc.returncode}): {err.read()[-2000:]}")
        result = {"wall": wall, "rss_mb": usage.ru_maxrss / 1024}
        if PROBE in args:
            result.update(json.loads(out.read().strip().splitlines()[-1]))
    return result


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


# ---------------------------------------------------------------- one size


def measure(size: int, seed: int, cache: Path, queries_file: Path, engines: list[str], statements: bool,
            say, rebuild: bool = True) -> dict:  # noqa: ANN001 - a print-like callable
    folder = cache / f"{size}-s{seed}"  # growth_build.warehouse_dir
    database = folder / "news.duckdb"
    if not (folder / "build.json").exists():
        say(f"  {size}: building the warehouse")
        child(["nice", "-n", "10", PYTHON, PROBE, "build-warehouse", str(cache), str(size), str(seed)])
    build = json.loads((folder / "build.json").read_text())
    queries = json.loads(queries_file.read_text())
    figures: dict = {"size": size, "build": build}

    if rebuild:
        say(f"  {size}: newsmill index rebuild")
        figures["index_rebuild"] = child([NEWSMILL, "--db", str(database), "index", "rebuild"])
    else:  # the cached index as it is; `index check` repairs it (off the clock) if it is not current
        child([NEWSMILL, "--db", str(database), "index", "check"])
    figures["bytes"] = child([PYTHON, PROBE, "bytes", str(database), str(size)])

    # the CLI, one process per query, as users run it; the same search in one process
    figures["cli_search"], figures["search"] = {}, {}
    for name, flags in FILTERS.items():
        say(f"  {size}: newsmill search, {name}")
        runs = [child([NEWSMILL, "--db", str(database), "search", q, *flags]) for q in queries]
        figures["cli_search"][name] = _spread([r["wall"] for r in runs], max(r["rss_mb"] for r in runs))
        run = child([PYTHON, PROBE, "newsmill-search", str(database), str(queries_file), *flags])
        figures["search"][name] = _spread(run["seconds_each"], run["rss_mb"])

    if engines:
        figures["engines"] = _compare_engines(folder, database, size, queries_file, engines, say)

    work = cache / f"work-{size}"
    say(f"  {size}: day load and refetch")
    figures.update(measure_loads(database, work, seed, statements))
    copy = work / "news.duckdb"
    if "tantivy" in engines:
        tantivy_dir = folder / "tantivy"
        shutil.copytree(tantivy_dir, work / "tantivy")
        for run in ("day", "refetch"):
            figures[f"tantivy_{run}"] = child([PYTHON, PROBE, "index-update", "tantivy", str(copy),
                                               str(work / "tantivy"), str(work / run)])
    shutil.rmtree(work)

    say(f"  {size}: skip list, report, export, query")
    figures["skip_list"] = child([PYTHON, PROBE, "skip-list", str(database)])
    out = cache / f"out-{size}"
    figures["report"] = child([NEWSMILL, "--db", str(database), "report", "--out", str(out) + ".html"])
    figures["export"] = child([NEWSMILL, "--db", str(database), "export", "--from", str(LAST_DAY), "--to",
                               str(LAST_DAY), "--out", str(out)])
    figures["query_day"] = child([NEWSMILL, "--db", str(database), "query", "--format", "csv",
                                  f"SELECT source, count(*) FROM articles WHERE pub_date = DATE '{LAST_DAY}' "
                                  "GROUP BY ALL"])
    figures["query_scan"] = child([NEWSMILL, "--db", str(database), "query", "--format", "csv",
                                   "SELECT language, count(*), sum(word_count) FROM articles GROUP BY ALL"])
    shutil.rmtree(out, ignore_errors=True)
    Path(str(out) + ".html").unlink(missing_ok=True)
    return figures


def _spread(seconds: list[float], rss_mb: float) -> dict:
    return {"p50": percentile(seconds, 0.5), "p95": percentile(seconds, 0.95), "rss_mb": rss_mb}


def _compare_engines(folder: Path, database: Path, size: int, queries_file: Path, engines: list[str],
                     say) -> dict:  # noqa: ANN001 - a print-like callable
    """Each engine's build (cached), search per filter, and top-10 overlap with `duckdb-fts`."""
    index_dirs = {"duckdb-fts": database, "duckdb-tuned": folder / "tuned.duckdb",
                  "tantivy": folder / "tantivy", "bm25s": folder / "bm25s"}
    if "duckdb-tuned" in engines:  # built from the fts tables
        engines = ["duckdb-fts", *(e for e in engines if e != "duckdb-fts")]
    compared: dict = {}
    for engine in engines:
        record: dict = {}
        marker = folder / f"{engine}.build.json"
        built_with_rows = json.loads((folder / "build.json").read_text()).get("index_seconds")
        if engine == "duckdb-fts" and built_with_rows and not marker.exists():  # an older cache's file
            marker.write_text(json.dumps({"wall": built_with_rows, "rss_mb": None}))
        if not marker.exists():
            say(f"  {size}: building {engine}")
            built = child(["nice", "-n", "10", PYTHON, PROBE, "index-build", engine, str(database),
                           str(index_dirs[engine])])
            marker.write_text(json.dumps(built))
        record["build"] = json.loads(marker.read_text())
        record["bytes"] = None if engine == "duckdb-tuned" else _size(index_dirs[engine])
        record["search"] = {}
        for name, flags in FILTERS.items():
            if engine == "bm25s" and flags:
                continue  # no filters
            say(f"  {size}: {engine} search, {name}")
            db = index_dirs[engine] if engine == "duckdb-tuned" else database
            record["search"][name] = child([PYTHON, PROBE, "search", engine, str(db), str(index_dirs[engine]),
                                            str(queries_file), *flags])
        compared[engine] = record
    if "duckdb-fts" in compared:
        compared["duckdb-fts"]["bytes"] = size * child([PYTHON, PROBE, "bytes", str(database), str(size)])["fts"]
    _overlaps(compared)
    return compared


def measure_loads(database: Path, work: Path, seed: int, statements: bool = False) -> dict:
    """A day's load and a refetch (`load_run`, its search index update included), each pair on a
    copy of `database` brought to this newsmill's schema with its index current; the same without
    the index update; with `statements`, each statement's seconds and memory (`load-statements`, on
    a copy of its own: it resets the peak). Leaves the run directories and the last copy in `work`."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    child([PYTHON, PROBE, "day-runs", str(work), str(seed)])
    prepared, copy = work / "prepared.duckdb", work / "news.duckdb"
    _copy_warehouse(database, prepared)  # its index current: `newsmill index rebuild` made it
    figures = {"prepare_load": child([PYTHON, PROBE, "prepare-load", str(prepared)])}
    probes = [("load", "load_{}"), ("load-without-index", "load_{}_without_index")]
    if statements:
        probes.append(("load-statements", "load_{}_statements"))
    for probe, key in probes:
        _copy_warehouse(prepared, copy)
        for run in ("day", "refetch"):
            figures[key.format(run)] = child([PYTHON, PROBE, probe, str(copy), str(work / run)])
    return figures


def _copy_warehouse(source: Path, target: Path) -> None:
    """The DuckDB file and its search index folder, as one."""
    folders = [Path(f"{p}.search") for p in (source, target)]  # layout.search_index_dir
    shutil.rmtree(folders[1], ignore_errors=True)
    shutil.copyfile(source, target)
    shutil.copytree(folders[0], folders[1])
    # Written to disk before a probe starts: the kernel would otherwise write the copy back while
    # the probe runs, and the load's first fsync (its checkpoint) would wait for all of it, a
    # cost that grows with the warehouse and that no real load pays.
    os.sync()


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _overlaps(engines: dict) -> None:
    """Mean share of duckdb-fts's top 10 that each other engine also returns, per filter."""
    base = engines.get("duckdb-fts", {}).get("search", {})
    for record in engines.values():
        for name, run in record["search"].items():
            if name not in base:
                continue
            shares = []
            for a, b in zip(base[name]["urls"], run["urls"], strict=True):
                shares.append(1.0 if not a and not b else len(set(a) & set(b)) / max(len(a), 1))
            run["overlap"] = statistics.mean(shares)
            run["p50"] = percentile(run["seconds_each"], 0.5)
            run["p95"] = percentile(run["seconds_each"], 0.95)


# ---------------------------------------------------------------- the table


def rows(results: list[dict]) -> list[tuple[str, list[str]]]:
    """(label, one cell per size) for every figure, with the ratio to the first size."""
    def cell(values: list[float | None], fmt: str) -> list[str]:
        first = values[0]
        out = []
        for v in values:
            if v is None:
                out.append("")
            elif first and v is not first:
                out.append(f"{v:{fmt}} ({v / first:.1f}×)")
            else:
                out.append(f"{v:{fmt}}")
        return out

    table: list[tuple[str, list[str]]] = []

    def add(label: str, getter, fmt: str) -> None:  # noqa: ANN001
        values = []
        for r in results:
            try:
                values.append(getter(r))
            except (KeyError, TypeError):
                values.append(None)
        table.append((label, cell(values, fmt)))

    for name in FILTERS:
        add(f"`newsmill search` {name}: p50 s", lambda r, n=name: r["cli_search"][n]["p50"], ".2f")
        add(f"`newsmill search` {name}: p95 s", lambda r, n=name: r["cli_search"][n]["p95"], ".2f")
        add(f"`newsmill search` {name}: peak MB", lambda r, n=name: r["cli_search"][n]["rss_mb"], ".0f")
    for name in FILTERS:
        add(f"search in process {name}: p50 ms", lambda r, n=name: r["search"][n]["p50"] * 1000, ".0f")
        add(f"search in process {name}: p95 ms", lambda r, n=name: r["search"][n]["p95"] * 1000, ".0f")
        add(f"search in process {name}: peak MB", lambda r, n=name: r["search"][n]["rss_mb"], ".0f")
    add("`newsmill index rebuild`: s", lambda r: r["index_rebuild"]["wall"], ".1f")
    add("`newsmill index rebuild`: peak MB", lambda r: r["index_rebuild"]["rss_mb"], ".0f")
    for op, label in (("load_day", "day's load, 1,000 articles"), ("load_refetch", "refetch, 100 changed"),
                      ("load_day_without_index", "day's load without the index update"),
                      ("load_refetch_without_index", "refetch without the index update"),
                      ("skip_list", "skip list (all sources)"), ("report", "`report` (31 days)"),
                      ("export", "`export` (one day)"), ("query_day", "`query` one day"),
                      ("query_scan", "`query` whole-table scan")):
        add(f"{label}: s", lambda r, o=op: r[o]["wall"], ".2f")
        add(f"{label}: peak MB", lambda r, o=op: r[o]["rss_mb"], ".0f")
    for key, label in (("text", "title+text (raw)"), ("index", "search index folder"),
                       ("other", "DuckDB used blocks, fts tables excluded"), ("fts", "fts index tables"),
                       ("file", "DuckDB file size")):
        add(f"bytes/article: {label}", lambda r, k=key: r["bytes"][k], ",.0f")
    for engine in ENGINES:
        add(f"{engine}: index build s", lambda r, e=engine: r["engines"][e]["build"]["wall"], ".1f")
        add(f"{engine}: index bytes/article", lambda r, e=engine: r["engines"][e]["bytes"] / r["size"], ",.0f")
        add(f"{engine}: index build peak MB", lambda r, e=engine: r["engines"][e]["build"]["rss_mb"], ".0f")
        for name in FILTERS:
            add(f"{engine} {name}: p50 / p95 ms",
                lambda r, e=engine, n=name: r["engines"][e]["search"][n]["p50"] * 1000, ".0f")
            table[-1] = (table[-1][0], [
                f"{c} / {r['engines'][engine]['search'][name]['p95'] * 1000:.0f}" if c else c
                for c, r in zip(table[-1][1], results, strict=True)])
            add(f"{engine} {name}: peak MB", lambda r, e=engine, n=name: r["engines"][e]["search"][n]["rss_mb"],
                ".0f")
            add(f"{engine} {name}: top-10 overlap", lambda r, e=engine, n=name:
                r["engines"][e]["search"][n]["overlap"], ".2f")
    for op, label in (("tantivy_day", "tantivy update, day's load"), ("tantivy_refetch", "tantivy update, refetch")):
        add(f"{label}: s", lambda r, o=op: r[o]["wall"], ".2f")
        add(f"{label}: peak MB", lambda r, o=op: r[o]["rss_mb"], ".0f")
    return [(label, cells) for label, cells in table if any(cells)]


def print_table(results: list[dict], markdown: bool) -> None:
    header = ["", *(f"{r['size']:,} articles" for r in results)]
    body = rows(results)
    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for label, cells in body:
            print("| " + " | ".join([label, *cells]) + " |")
        return
    width = max(len(label) for label, _ in body)
    print("  ".join([" " * width, *(h.rjust(22) for h in header[1:])]))
    for label, cells in body:
        print("  ".join([label.ljust(width), *(c.rjust(22) for c in cells)]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="Warehouse sizes, comma-separated.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/growth-cache"))
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--engines", default="",
                        help=f"Also compare these search engines ({','.join(ENGINES)}); the fts build of a "
                             "1M warehouse takes over half an hour.")
    parser.add_argument("--statements", action="store_true",
                        help="Also measure each statement of the loads (a third pair of loads).")
    parser.add_argument("--keep-index", action="store_true",
                        help="Do not measure `newsmill index rebuild` (a quarter of an hour at 1M): use "
                             "each cached warehouse's index, repaired first if it is not current.")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--table", type=Path, nargs="+", metavar="RESULTS_JSON",
                        help="Measure nothing: print the table of these results files' sizes, in order.")
    args = parser.parse_args()
    if args.table:
        print_table([r for path in args.table for r in json.loads(path.read_text())], args.markdown)
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    engines = [e for e in args.engines.split(",") if e]
    args.cache.mkdir(parents=True, exist_ok=True)
    queries_file = args.cache / f"queries-{args.queries}-s{args.seed}.json"
    child([PYTHON, PROBE, "queries", str(queries_file), str(args.queries), str(args.seed)])

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    results = []
    saved = args.cache / f"results-{time.strftime('%Y%m%dT%H%M%S')}.json"
    for size in sizes:
        say(f"{size:,} articles")
        results.append(measure(size, args.seed, args.cache, queries_file, engines, args.statements, say,
                               rebuild=not args.keep_index))
        saved.write_text(json.dumps(results, default=str))  # each size as it ends: a long run cut short keeps them
    print_table(results, args.markdown)


if __name__ == "__main__":
    main()
