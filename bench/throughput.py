"""Throughput of the whole pipeline against bare trafilatura, measured side by side in one run.

    .venv/bin/python bench/throughput.py [--corpus ../shared/corpus] [--articles 2000]
                                         [--backfill-days 30 --per-day 60] [--no-peers] [--quick]

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

Prints a table and writes bench/results/throughput-<time>.json. Figures are ratios within one run:
the machine's cores are shared, so absolute pages/s vary from run to run.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

DAY = date(2026, 11, 20)
PYTHON = sys.executable
_P_OPEN = re.compile(rb"<p(\s[^>]*)?>", re.IGNORECASE)
_BODY_OPEN = re.compile(rb"<body(\s[^>]*)?>", re.IGNORECASE)


# ---------------------------------------------------------------- the site


def build_site(corpus_dir: Path, out: Path, days: list[date], per_day: int, sites: int = 4) -> int:
    """A corpus-format directory: `per_day` distinct pages for each day, cycling the corpus pages.

    Each copy gets a sentence of its own at the start of its first paragraph (a number and words
    drawn from it), so content hashes differ and the copies are separate articles.
    """
    rows = [json.loads(line) for line in (corpus_dir / "manifest.jsonl").read_text().splitlines() if line.strip()]
    (out / "pages").mkdir(parents=True, exist_ok=True)
    manifest = []
    n = 0
    for day in days:
        for _ in range(per_day):
            src = rows[n % len(rows)]
            html = (corpus_dir / "pages" / f"{src['id']}.html").read_bytes()
            words = " ".join(f"w{(n * 7919 + k * 104729) % 99991:05d}" for k in range(8))
            sentence = f"Bench copy {n} of {src['id']} notes {words}. ".encode()
            match = _P_OPEN.search(html) or _BODY_OPEN.search(html)
            if match:
                html = html[: match.end()] + sentence + html[match.end():]
            page_id = f"b{n:06d}-{src['id']}"
            (out / "pages" / f"{page_id}.html").write_bytes(html)
            manifest.append({"id": page_id, "site": f"bench{n % sites}.test", "lang": src.get("lang") or "en",
                             "published": day.isoformat(), "title": src.get("title")})
            n += 1
    (out / "manifest.jsonl").write_text("".join(json.dumps(r) + "\n" for r in manifest))
    return n


class Served:
    """A corpus directory served on 127.0.0.1 by a child process (`--serve`)."""

    def __init__(self, site: Path) -> None:
        self.port_file = site / "port"
        self.port_file.unlink(missing_ok=True)
        self.process = subprocess.Popen([PYTHON, __file__, "--serve", str(site)], stdout=subprocess.DEVNULL)
        for _ in range(600):
            if self.port_file.exists() and self.port_file.read_text().strip():
                break
            if self.process.poll() is not None:
                raise RuntimeError("site server did not start")
            time.sleep(0.05)
        self.url = f"http://127.0.0.1:{self.port_file.read_text().strip()}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


def serve(site: Path) -> None:
    from http.server import ThreadingHTTPServer

    from corpus_site import load_corpus, serve_corpus

    # the default listen backlog (5) drops connections when the crawler opens 32 at once; the
    # client then retries after 1, 3, 7, 15, 31 s (SYN back-off), which looks like a slow crawl
    ThreadingHTTPServer.request_queue_size = 256

    corpus = load_corpus(site)
    with serve_corpus(corpus) as server:
        (site / "port").write_text(str(server.port))
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass


def write_config(site: Path, server: Served, data_dir: Path) -> Path:
    from corpus_site import load_corpus, write_corpus_config

    return write_corpus_config(site / "sources.toml", server.url, load_corpus(site), data_dir=data_dir)


# ---------------------------------------------------------------- memory


class TreeMemory:
    """Samples the resident memory of a process tree: per process its peak (VmHWM) and, over time,
    the peak of the tree's summed PSS (shared pages counted once)."""

    def __init__(self, root_pid: int, exclude: set[int] = frozenset(), interval: float = 0.25) -> None:
        self.root, self.exclude, self.interval = root_pid, set(exclude), interval
        self.peaks: dict[int, tuple[str, int]] = {}
        self.cpu: dict[int, tuple[str, float]] = {}
        self.peak_total = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _tree(self) -> list[tuple[int, int]]:
        children: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
        out, todo = [], [(self.root, 0)]
        while todo:
            pid, parent = todo.pop()
            if pid in self.exclude:
                continue
            out.append((pid, parent))
            todo.extend((child, pid) for child in children.get(pid, []))
        return out

    def sample(self) -> None:
        total = 0
        commands: dict[int, str] = {}
        for pid, parent in self._tree():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
                rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            hwm = int(re.search(r"VmHWM:\s+(\d+)", status)[1]) * 1024
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            pss = re.search(r"^Pss:\s+(\d+)", rollup, re.M)
            total += int(pss[1]) * 1024 if pss else 0
            commands[pid] = cmd
            name = _label(cmd) if cmd else self.peaks.get(pid, ("", 0))[0]
            if name == "fork server" and "forkserver" in commands.get(parent, ""):
                name = "extract worker"
            if hwm > self.peaks.get(pid, ("", 0))[1]:
                self.peaks[pid] = (name, hwm)
            if name or pid not in self.cpu:  # an exited process has no command line left
                self.cpu[pid] = (name or self.cpu.get(pid, ("", 0))[0], cpu)
        self.peak_total = max(self.peak_total, total)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def summary(self) -> dict:
        by_role: dict[str, int] = {}
        for name, hwm in self.peaks.values():
            by_role[name] = max(by_role.get(name, 0), hwm)
        cpu: dict[str, float] = {}
        for name, seconds in self.cpu.values():
            cpu[name] = round(cpu.get(name, 0.0) + seconds, 2)
        return {"peak_total_pss_mb": _mb(self.peak_total),
                "peak_rss_mb_by_process": {k: _mb(v) for k, v in by_role.items()},
                "cpu_seconds_by_role": cpu, "cpu_seconds": round(sum(cpu.values()), 2)}


def _label(cmd: str) -> str:
    if "spiders.crawl" in cmd:
        return "crawl (scrapy)"
    if "forkserver" in cmd:
        return "fork server"
    if "multiprocessing" in cmd or "spawn_main" in cmd or "forkserver" in cmd:
        return "extract worker"
    if "--pipeline" in cmd:
        return "pipeline parent"
    if "trafilatura" in cmd:
        return "trafilatura cli"
    return cmd.split(" ")[0].rsplit("/", 1)[-1][:30]


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _tree_cpu_seconds(root: int) -> float:
    """CPU of a process tree: each live process's own time plus that of its exited children."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
        todo.extend(children.get(pid, []))
    return total / os.sysconf("SC_CLK_TCK")


def _mb(value: int) -> float:
    return round(value / 2**20, 1)


# ---------------------------------------------------------------- the measured parts


def baseline(site: Path, limit: int | None) -> dict:
    """Bare trafilatura.extract on one core over the site's pages (a child process)."""
    out = subprocess.run([PYTHON, __file__, "--baseline", str(site), str(limit or 0)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _baseline_child(site: Path, limit: int) -> None:
    import warnings

    import trafilatura

    warnings.filterwarnings("ignore")
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    pages = sorted((site / "pages").glob("*.html"))[: limit or None]
    blobs = [p.read_bytes() for p in pages]
    trafilatura.extract(blobs[0])
    started, cpu = time.perf_counter(), time.process_time()
    extracted = sum(1 for html in blobs if trafilatura.extract(html))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(json.dumps({"pages": len(blobs), "extracted": extracted, "seconds": round(wall, 2),
                      "cpu_seconds": round(cpu, 2), "pages_per_s": round(len(blobs) / wall, 2)}))


def pipeline_run(config: Path, days: list[date], exclude: set[int]) -> tuple[list[dict], dict]:
    """Run `pipeline.run` once per day in a child process; per-day figures and its memory."""
    command = [PYTHON, __file__, "--pipeline", str(config), *(d.isoformat() for d in days)]
    with tempfile.TemporaryFile("w+") as out:
        child = subprocess.Popen(command, stdout=out)
        with TreeMemory(child.pid, exclude) as memory:
            child.wait()
        memory.sample()
        if child.returncode:
            raise RuntimeError(f"pipeline run failed: exit {child.returncode}")
        out.seek(0)
        runs = [json.loads(line) for line in out.read().splitlines() if line.startswith("{")]
    return runs, memory.summary()


def _pipeline_child(config_path: Path, days: list[str]) -> None:
    from newsmill import pipeline
    from newsmill.config import load_config

    config = load_config(config_path)
    started = time.perf_counter()
    # as `newsmill backfill`: one pool for all the days, started before the first; its start is
    # reported with the first day, not counted in it
    with pipeline.worker_pool() as pool:
        start = round(time.perf_counter() - started, 2)
        for value in days:
            _pipeline_day(config, date.fromisoformat(value), pool, start if value == days[0] else 0.0)


def _pipeline_day(config, day: date, pool, pool_start: float) -> None:
    from newsmill import pipeline
    from newsmill.warehouse import connect
    from newsmill.warehouse.search import rebuild_index

    started, cpu = time.perf_counter(), _tree_cpu_seconds(os.getpid())
    summary = pipeline.run(config, day, day, progress=False, pool=pool)
    wall, cpu = time.perf_counter() - started, _tree_cpu_seconds(os.getpid()) - cpu
    with connect(config.settings.database) as con:
        articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        clock = time.perf_counter()
        con.begin()
        rebuild_index(con)  # what a search index rebuild costs at this size (rolled back)
        fts = time.perf_counter() - clock
        con.rollback()
    print(json.dumps({
        "day": day.isoformat(), "pool_start_seconds": pool_start, "wall_seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2), "crawl_seconds": round(summary.crawl_seconds, 2),
        "extract_after_crawl_seconds": round(summary.extract_seconds, 2),
        "load_seconds": round(summary.load.seconds, 2), "fetched": summary.load.pages_fetched,
        "articles": summary.load.articles, "skipped": summary.load.skipped,
        "failures": summary.load.failures, "warehouse_articles": articles,
        "fts_rebuild_seconds": round(fts, 2),
    }), flush=True)


def trafilatura_cli(site: Path, server: Served, work: Path, exclude: set[int]) -> dict:
    """The trafilatura CLI over the article URLs, `--parallel 2 --json`, no politeness delay."""
    from corpus_site import load_corpus

    corpus = load_corpus(site)
    # courlan rejects 127.0.0.1:PORT as a host name; localhost:PORT passes its checks
    base = server.url.replace("127.0.0.1", "localhost")
    urls = work / "urls.txt"
    urls.write_text("".join(p.url(base) + "\n" for p in corpus.pages))
    cfg = work / "trafilatura.cfg"
    default = Path(PYTHON).parent.parent / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    text = (default / "site-packages" / "trafilatura" / "settings.cfg").read_text()
    text = re.sub(r"(?m)^SLEEP_TIME = .*$", "SLEEP_TIME = 0", text)
    text = re.sub(r"(?m)^SSRF_PROTECTION = .*$", "SSRF_PROTECTION = off", text)
    cfg.write_text(text)
    # --json (metadata too, as newsmill extracts it) to stdout, one line per document: with -o the
    # CLI names files by a content hash and near-identical pages overwrite each other
    out = work / "trafilatura-out.jsonl"
    command = [str(Path(PYTHON).parent / "trafilatura"), "-i", str(urls), "--json", "--parallel", "2",
               "--config-file", str(cfg)]
    started = time.perf_counter()
    with tempfile.TemporaryFile() as err, out.open("wb") as sink:
        child = subprocess.Popen(command, stdout=sink, stderr=err)
        with TreeMemory(child.pid, exclude) as memory:
            child.wait()
        wall = time.perf_counter() - started
        err.seek(0)
        tail = err.read().decode(errors="replace").strip().splitlines()[-3:]
    docs = sum(1 for line in out.read_bytes().splitlines() if line.startswith(b"{"))
    return {"pages": len(corpus.pages), "files": docs, "seconds": round(wall, 2),
            "pages_per_s": round(len(corpus.pages) / wall, 2), "exit": child.returncode,
            "stderr_tail": tail, **memory.summary()}


NEWS_PLEASE_CHILD = """
import json, sys, time, warnings
from concurrent.futures import ProcessPoolExecutor
warnings.filterwarnings("ignore")
from newsplease import NewsPlease
from newsplease.crawler.simple_crawler import SimpleCrawler

def extract(item):
    url, html = item
    warnings.filterwarnings("ignore")
    try:
        article = NewsPlease.from_html(html, url, None, False) if html else None
    except Exception:
        return False
    return bool(article is not None and article.maintext)

if __name__ == "__main__":
    urls = open(sys.argv[1]).read().split()
    started = time.perf_counter()
    # what NewsPlease.from_urls does (threaded fetch, then a process pool on all cores); its own
    # pool step returns {} for every page in 1.6.16 here, so the same steps are called directly
    pages = SimpleCrawler.fetch_urls(urls)
    with ProcessPoolExecutor() as pool:
        texts = sum(pool.map(extract, pages.items(), chunksize=8))
    wall = time.perf_counter() - started
    print(json.dumps({"pages": len(urls), "articles": texts, "seconds": round(wall, 2)}))
"""


def news_please(python: Path, site: Path, server: Served, work: Path, exclude: set[int], limit: int) -> dict:
    """news-please as a library (`NewsPlease.from_urls`: threaded fetch, then a process pool on all
    cores) over the same article URLs, in its own virtualenv (it cannot share newsmill's: its boto3
    pins python-dateutil<3, newsmill pins 4.0)."""
    from corpus_site import load_corpus

    corpus = load_corpus(site)
    urls = work / "np-urls.txt"
    urls.write_text("".join(p.url(server.url) + "\n" for p in corpus.pages[: limit or None]))
    script = work / "np_child.py"
    script.write_text(NEWS_PLEASE_CHILD)
    with tempfile.TemporaryFile("w+") as out:
        child = subprocess.Popen([str(python), str(script), str(urls)], stdout=out, stderr=subprocess.DEVNULL)
        with TreeMemory(child.pid, exclude) as memory:
            child.wait()
        out.seek(0)
        lines = [line for line in out.read().splitlines() if line.startswith("{")]
    if child.returncode or not lines:
        return {"error": f"exit {child.returncode}"}
    got = json.loads(lines[-1])
    return {**got, "pages_per_s": round(got["pages"] / got["seconds"], 2), **memory.summary()}


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus",
                        help="corpus directory (default: ../shared/corpus beside the repository)")
    parser.add_argument("--articles", type=int, default=2000, help="articles of the one-day site")
    parser.add_argument("--baseline-pages", type=int, default=0, help="0: all the site's pages")
    parser.add_argument("--backfill-days", type=int, default=30)
    parser.add_argument("--per-day", type=int, default=60, help="articles per day of the backfill site")
    parser.add_argument("--no-peers", action="store_true", help="skip the trafilatura CLI and news-please")
    parser.add_argument("--news-please", type=Path, metavar="PYTHON",
                        help="python of a virtualenv with news-please 1.6.16 (`uv venv V && uv pip install "
                             "-p V/bin/python news-please==1.6.16`): measure it too")
    parser.add_argument("--news-please-pages", type=int, default=0, help="0: all the site's pages")
    parser.add_argument("--out", type=Path, help="result JSON (default bench/results/throughput-<time>.json)")
    parser.add_argument("--keep", type=Path, help="work directory to keep (default: a temporary one)")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--baseline", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--pipeline", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve)
        return 0
    if args.baseline:
        _baseline_child(Path(args.baseline[0]), int(args.baseline[1]))
        return 0
    if args.pipeline:
        _pipeline_child(Path(args.pipeline[0]), args.pipeline[1:])
        return 0

    work = args.keep or Path(tempfile.mkdtemp(prefix="newsmill-throughput-"))
    work.mkdir(parents=True, exist_ok=True)
    result: dict = {"started": datetime.now().isoformat(timespec="seconds"), "cores": os.cpu_count(),
                    "articles": args.articles, "corpus": str(args.corpus)}
    try:
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
            config = write_config(site, server, data)
            server_cpu = _cpu_seconds(server.process.pid)
            (first,), memory = pipeline_run(config, [DAY], skip)
            server_cpu = round(_cpu_seconds(server.process.pid) - server_cpu, 2)
            result["newsmill"] = {**first, "articles_per_s": round(first["articles"] / first["wall_seconds"], 2),
                                  **memory, "site_server_cpu_seconds": server_cpu}
            say(f"newsmill {result['newsmill']['articles_per_s']} articles/s; re-run…")
            (again,), _ = pipeline_run(config, [DAY], skip)
            result["rerun"] = again
            if not args.no_peers:
                say("trafilatura CLI…")
                result["trafilatura_cli"] = trafilatura_cli(site, server, work, skip)
                if args.news_please:
                    say("news-please…")
                    result["news_please"] = news_please(args.news_please, site, server, work, skip,
                                                        args.news_please_pages)
        finally:
            server.stop()
        if args.backfill_days:
            say(f"backfill: {args.backfill_days} days × {args.per_day} articles…")
            bsite = work / "backfill-site"
            shutil.rmtree(bsite, ignore_errors=True)
            days = [DAY - timedelta(days=args.backfill_days - 1 - i) for i in range(args.backfill_days)]
            build_site(args.corpus, bsite, days, args.per_day)
            server = Served(bsite)
            try:
                bdata = work / "backfill-data"
                shutil.rmtree(bdata, ignore_errors=True)
                config = write_config(bsite, server, bdata)
                runs, memory = pipeline_run(config, days, {server.process.pid})
            finally:
                server.stop()
            walls = [r["wall_seconds"] for r in runs]
            cpus = [r["cpu_seconds"] for r in runs]
            result["backfill"] = {"days": runs, "slowest_s": max(walls), "fastest_s": min(walls),
                                  "slowest_over_fastest": round(max(walls) / min(walls), 2),
                                  "median_s": sorted(walls)[len(walls) // 2],
                                  # CPU per day: what a day costs, whatever else shares the cores
                                  "cpu_slowest_over_fastest": round(max(cpus) / min(cpus), 2), **memory}
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    result["ratios"] = ratios(result)
    out = args.out or ROOT / "bench" / "results" / f"throughput-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1))
    print(table(result))
    print(f"\nresult: {out}")
    return 0


def ratios(r: dict) -> dict:
    out = {}
    base, mill = r.get("baseline"), r.get("newsmill")
    if base and mill:
        out["newsmill_over_baseline"] = round(mill["articles_per_s"] / base["pages_per_s"], 2)
        out["load_share_of_e2e"] = round(mill["load_seconds"] / mill["wall_seconds"], 3)
        if base.get("cpu_seconds") and mill.get("cpu_seconds"):
            per_page = base["cpu_seconds"] / base["pages"]
            per_article = mill["cpu_seconds"] / mill["articles"]
            out["cpu_ms_per_page_baseline"] = round(1000 * per_page, 1)
            out["cpu_ms_per_article_newsmill"] = round(1000 * per_article, 1)
            out["cpu_ms_per_article_site_server"] = round(1000 * mill["site_server_cpu_seconds"] / mill["articles"], 1)
            # what the ratio is on 2 cores with nobody else on them and the site elsewhere
            out["newsmill_over_baseline_by_cpu_2_cores"] = round(2 * per_page / per_article, 2)
    if mill and r.get("rerun"):
        out["rerun_over_first"] = round(r["rerun"]["wall_seconds"] / mill["wall_seconds"], 3)
    cli = r.get("trafilatura_cli")
    if mill and cli:
        out["trafilatura_cli_wall_over_newsmill_wall"] = round(cli["seconds"] / mill["wall_seconds"], 2)
    npl = r.get("news_please")
    if mill and npl and "seconds" in npl:
        out["news_please_s_per_page_over_newsmill"] = round(
            (npl["seconds"] / npl["pages"]) / (mill["wall_seconds"] / mill["articles"]), 2)
    if r.get("backfill"):
        out["backfill_slowest_over_fastest"] = r["backfill"]["slowest_over_fastest"]
        out["backfill_cpu_slowest_over_fastest"] = r["backfill"]["cpu_slowest_over_fastest"]
    return out


def table(r: dict) -> str:
    lines = [f"{'what':<44} {'pages':>6} {'seconds':>8} {'pages/s':>8} {'peak MB':>8}"]
    if "baseline" in r:
        b = r["baseline"]
        lines.append(f"{'bare trafilatura.extract, 1 core':<44} {b['pages']:>6} {b['seconds']:>8} {b['pages_per_s']:>8} {'':>8}")
    if "newsmill" in r:
        m = r["newsmill"]
        lines.append(f"{'newsmill end to end (crawl+extract+load)':<44} {m['articles']:>6} {m['wall_seconds']:>8} "
                     f"{m['articles_per_s']:>8} {m['peak_total_pss_mb']:>8}")
        lines.append(f"{'  crawl (extraction alongside)':<44} {'':>6} {m['crawl_seconds']:>8}")
        lines.append(f"{'  extraction after the crawl ended':<44} {'':>6} {m['extract_after_crawl_seconds']:>8}")
        lines.append(f"{'  load':<44} {'':>6} {m['load_seconds']:>8}")
    if "rerun" in r:
        lines.append(f"{'newsmill re-run of the loaded day':<44} {r['rerun']['fetched']:>6} {r['rerun']['wall_seconds']:>8}")
    if "trafilatura_cli" in r:
        c = r["trafilatura_cli"]
        lines.append(f"{'trafilatura CLI --parallel 2 --json':<44} {c['files']:>6} {c['seconds']:>8} {c['pages_per_s']:>8} "
                     f"{c['peak_total_pss_mb']:>8}")
    if "seconds" in r.get("news_please", {}):
        c = r["news_please"]
        lines.append(f"{'news-please (fetch + from_html pool)':<44} {c['articles']:>6} {c['seconds']:>8} {c['pages_per_s']:>8} "
                     f"{c['peak_total_pss_mb']:>8}")
    if "backfill" in r:
        b = r["backfill"]
        lines.append(f"{'backfill ' + str(len(b['days'])) + ' days: fastest / median / slowest day':<44} {'':>6} "
                     f"{b['fastest_s']} / {b['median_s']} / {b['slowest_s']}")
    lines.append("")
    lines += [f"{k}: {v}" for k, v in r.get("ratios", {}).items()]
    if "newsmill" in r:
        lines.append("peak RSS by process (MB): " + json.dumps(r["newsmill"]["peak_rss_mb_by_process"]))
        lines.append("CPU seconds by process: " + json.dumps(r["newsmill"]["cpu_seconds_by_role"]))
    return "\n".join(lines)


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
