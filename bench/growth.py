"""A year in the warehouse: how search, loads and the other commands behave as the DuckDB file grows.

    .venv/bin/python bench/growth.py [--sizes 10000,100000] [--seed 1] [--cache /tmp/growth-cache]
                                     [--queries 50] [--engines duckdb-fts,duckdb-tuned,tantivy,bm25s]
                                     [--markdown]

For each size N, a warehouse of N synthetic articles (`growth_corpus`: corpus wording, 50 sources in
five languages, a year of days) is built once through newsmill's schema and index code
(`growth_build`) and cached under `--cache` by N and seed. Then, each operation in a fresh process
(peak RSS from `os.wait4`, the child's own):

- `newsmill search` through the CLI, one process per query, over `--queries` fixed queries drawn
  from the corpus vocabulary (1-3 words, some adjacent pairs), with no filter, with `--from` the
  last 3 days and `--lang en`, and with `--from` the last 90 days: wall-clock p50/p95 and peak RSS;
- the same queries through each search engine (`growth_engines`), one process per engine and filter,
  each query opening everything afresh: in-process p50/p95, peak RSS, top-10 overlap with
  `duckdb-fts`; and each engine's build seconds, bytes and update for a day's load;
- a day's load of 1,000 new articles (`load_run` on a run directory, search index update included)
  and a refetch of 100 of them with changed text, on a copy of the warehouse brought to this
  newsmill's schema with its index current; the same without the index update; the seconds and
  memory of each statement of the load; the skip list (`pipeline._known_urls`);
  `newsmill report` (31 days), `export` (one day), `query` (one day's counts, and a whole-table scan);
- bytes per article: raw title+text, file before the index, the fts index, the other engines' indexes.

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


def measure(size: int, seed: int, cache: Path, queries_file: Path, engines: list[str], say) -> dict:  # noqa: ANN001
    folder = cache / f"{size}-s{seed}"  # growth_build.warehouse_dir
    database = folder / "news.duckdb"
    if not (folder / "build.json").exists():
        say(f"  {size}: building the warehouse")
        child(["nice", "-n", "10", PYTHON, PROBE, "build-warehouse", str(cache), str(size), str(seed)])
    build = json.loads((folder / "build.json").read_text())
    queries = json.loads(queries_file.read_text())
    figures: dict = {"size": size, "build": build}
    figures["bytes"] = child([PYTHON, PROBE, "bytes", str(database), str(size)])

    # engines: build (cached), search per filter, overlap with duckdb-fts
    index_dirs = {"duckdb-fts": folder, "duckdb-tuned": folder / "tuned.duckdb",
                  "tantivy": folder / "tantivy", "bm25s": folder / "bm25s"}
    figures["engines"] = {}
    for engine in engines:
        record: dict = {}
        marker = folder / f"{engine}.build.json"
        if engine != "duckdb-fts":
            if not marker.exists():
                say(f"  {size}: building {engine}")
                built = child(["nice", "-n", "10", PYTHON, PROBE, "index-build", engine, str(database),
                               str(index_dirs[engine])])
                marker.write_text(json.dumps(built))
            record["build"] = json.loads(marker.read_text())
            record["bytes"] = None if engine == "duckdb-tuned" else _size(index_dirs[engine])
        else:
            record["build"] = {"wall": build["index_seconds"], "rss_mb": None}
            record["bytes"] = figures["bytes"]["index"] * size
        record["search"] = {}
        for name, flags in FILTERS.items():
            if engine == "bm25s" and flags:
                continue  # no filters
            say(f"  {size}: {engine} search, {name}")
            db = index_dirs[engine] if engine == "duckdb-tuned" else database
            record["search"][name] = child([PYTHON, PROBE, "search", engine, str(db), str(index_dirs[engine]),
                                            str(queries_file), *flags])
        figures["engines"][engine] = record
    _overlaps(figures["engines"])

    # the CLI, one process per query, as users run it
    figures["cli_search"] = {}
    for name, flags in FILTERS.items():
        say(f"  {size}: newsmill search, {name}")
        runs = [child([NEWSMILL, "--db", str(database), "search", q, *flags]) for q in queries]
        figures["cli_search"][name] = {"p50": percentile([r["wall"] for r in runs], 0.5),
                                       "p95": percentile([r["wall"] for r in runs], 0.95),
                                       "rss_mb": max(r["rss_mb"] for r in runs)}

    # a day's load and a refetch; the tantivy engine's update for the same runs
    work = cache / f"work-{size}"
    say(f"  {size}: day load and refetch")
    figures.update(measure_loads(database, work, seed))
    day, refetch, copy = work / "day", work / "refetch", work / "news.duckdb"
    if "tantivy" in engines:
        shutil.copytree(index_dirs["tantivy"], work / "tantivy")
        figures["tantivy_day"] = child([PYTHON, PROBE, "index-update", "tantivy", str(copy), str(work / "tantivy"),
                                        str(day)])
        figures["tantivy_refetch"] = child([PYTHON, PROBE, "index-update", "tantivy", str(copy),
                                            str(work / "tantivy"), str(refetch)])
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


def measure_loads(database: Path, work: Path, seed: int) -> dict:
    """A day's load and a refetch (`load_run`, its search index update included), each pair on a
    copy of `database` brought to this newsmill's schema with its index current; the same without
    the index update; each statement's seconds and memory (`load-statements`, on a copy of its own:
    it resets the peak). Leaves the run directories and the last copy in `work`."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    child([PYTHON, PROBE, "day-runs", str(work), str(seed)])
    prepared, copy = work / "prepared.duckdb", work / "news.duckdb"
    shutil.copyfile(database, prepared)
    figures = {"prepare_load": child([PYTHON, PROBE, "prepare-load", str(prepared)])}
    for probe, key in (("load", "load_{}"), ("load-without-index", "load_{}_without_index"),
                       ("load-statements", "load_{}_statements")):
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
    for op, label in (("load_day", "day's load, 1,000 articles"), ("load_refetch", "refetch, 100 changed"),
                      ("load_day_without_index", "day's load without the index update"),
                      ("load_refetch_without_index", "refetch without the index update"),
                      ("skip_list", "skip list (all sources)"), ("report", "`report` (31 days)"),
                      ("export", "`export` (one day)"), ("query_day", "`query` one day"),
                      ("query_scan", "`query` whole-table scan")):
        add(f"{label}: s", lambda r, o=op: r[o]["wall"], ".2f")
        add(f"{label}: peak MB", lambda r, o=op: r[o]["rss_mb"], ".0f")
    for key, label in (("text", "title+text (raw)"), ("index", "fts index tables"),
                       ("other", "other used blocks"), ("file", "file size")):
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
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    engines = [e for e in args.engines.split(",") if e]
    args.cache.mkdir(parents=True, exist_ok=True)
    queries_file = args.cache / f"queries-{args.queries}-s{args.seed}.json"
    child([PYTHON, PROBE, "queries", str(queries_file), str(args.queries), str(args.seed)])

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    results = []
    for size in sizes:
        say(f"{size:,} articles")
        results.append(measure(size, args.seed, args.cache, queries_file, engines, say))
    (args.cache / f"results-{time.strftime('%Y%m%dT%H%M%S')}.json").write_text(json.dumps(results, default=str))
    print_table(results, args.markdown)


if __name__ == "__main__":
    main()
