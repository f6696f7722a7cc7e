"""Run-level faults for `faults.py`: what one `newsmill` command does as a whole when a file it
writes is read-only, the disk fills up, it is interrupted, a second run of the same day starts, a
listing points at another host, crawled text is terminal markup, `query` SQL reaches for files, or
its input is out of range.

Each scenario runs once through the real CLI, in a session of its own (as `tests/hostile` runs it,
with the helpers of `cli_harness.py` and `loopback_sites.py`), and is measured, not asserted: exit
status and the line the user sees; rows changed (every column of articles, removed_segments,
crawl_log and runs, before against after); processes of the session still running once the CLI has
exited; and article URLs the loopback site was asked for more than once.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from bench.cli_harness import (
    NEWSMILL,
    Unavailable,
    command,
    fill_once_crawling,
    grown,
    interrupt,
    kill_session,
    left_running,
    loaded_folder,
    rows,
    run_dir,
    small_disk,
    start,
    unprivileged,
    wait_for,
)
from bench.hostile_site import DAY, Hits, snapshot, steady_config
from bench.loopback_sites import (
    CONTROLS,
    LINK,
    MARKUP,
    TERMINAL,
    OffsiteSites,
    markup_routes,
    visible,
)
from newsmill.demo.server import SiteServer

NEW_ARTICLES = 12
"""Articles `cli_harness.grown` lists beyond the 12 of `cli_harness.loaded_folder`: what a run fetches."""
HEADER = ("fault", "outcome (exit status, the one line the user sees, shortened)", "rows changed",
          "processes left", "duplicated fetches")
NOT_MEASURED = "—"


@dataclass(frozen=True)
class Row:
    """One run-level fault and what its command did; `NOT_MEASURED` where a column does not apply."""

    fault: str
    outcome: str
    rows_changed: str = NOT_MEASURED
    processes_left: str = NOT_MEASURED
    duplicated_fetches: str = NOT_MEASURED


@dataclass(frozen=True)
class Ended:
    """A CLI command that has exited, and the processes of its session still running after it."""

    code: int
    stdout: str
    stderr: str
    left: int
    missed: str = ""  # why the fault could not be injected (the command ended first), if it could not

    def said(self, root: Path) -> str:
        """The first line on stderr, shortened; after a failure, how many more there were (a run
        that succeeds prints its summary table below it)."""
        lines = self.stderr.strip().splitlines() or [""]
        more = f" (+{len(lines) - 1} lines)" if len(lines) > 1 and self.code != 0 else ""
        return f"{_code(_short(lines[0], root))}{more}"

    def outcome(self, root: Path) -> str:
        missed = f"fault not injected ({self.missed}); " if self.missed else ""
        return f"{missed}exit {self.code}: {self.said(root)}"


def _code(text: str) -> str:
    """`text` as a Markdown code span, which may hold backticks itself."""
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def _short(line: str, root: Path, width: int = 150) -> str:
    """`line` without this bench's temporary folder `root`, PIDs with their command lines, and
    loopback ports; past `width` characters its middle is cut (an error's cause is at its end)."""
    line = line.replace(str(root), "…")
    line = re.sub(r"PID \d+( \([^)]*\))?", lambda m: "PID …" + (" (…)" if m[1] else ""), line)
    line = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:…", line)
    if len(line) <= width:
        return line
    half = (width - 3) // 2
    return f"{line[:half]} … {line[-half:]}"


def _changed(before: dict[str, list[tuple]], after: dict[str, list[tuple]]) -> int:
    """Rows in one and not the other, over all tables (a row that changed counts as gone and new;
    rows hold lists, so they are compared by their repr)."""
    changed = 0
    for table in before:
        old, new = Counter(map(repr, before[table])), Counter(map(repr, after[table]))
        changed += ((old - new) + (new - old)).total()
    return changed


def _extra_requests(hits: Counter[str], articles: str) -> int:
    """Requests beyond the first for each article URL (paths starting with `articles`)."""
    return sum(n - 1 for path, n in hits.items() if path.startswith(articles) and n > 1)


def _ended(child: subprocess.Popen[str], missed: str = "") -> Ended:
    try:
        stdout, stderr = child.communicate(timeout=120)
        left = len(left_running(child.pid))
    finally:
        kill_session(child.pid)
    return Ended(child.returncode, stdout, stderr, left, missed)


def cli(argv: list[str], *, env: dict[str, str] | None = None,
        during: Callable[[subprocess.Popen[str]], None] | None = None) -> Ended:
    """Run `argv` in a session of its own; `during` injects the fault while it runs."""
    child = start(argv, env)
    missed = ""
    try:
        if during is not None:
            during(child)
    except AssertionError as reason:  # wait_for's: the command ended before the moment came
        missed = str(reason)
    except BaseException:
        kill_session(child.pid)
        raise
    return _ended(child, missed)


class Steady:
    """The steady site of `tests/hostile`, its requests counted; a data folder after one run of its
    day (12 articles); and, to compare interrupted and concurrent runs with, the rows that one run
    and two runs in a row leave once the site lists 12 articles more (`cli_harness.grown`)."""

    def __init__(self, work: Path, site: SiteServer) -> None:
        self.work, self.site, self.hits = work, site, Hits()
        (work / "loaded").mkdir()
        self.loaded = loaded_folder(site, work / "loaded")
        data, config = self.copy("reference")
        subprocess.run(command(config), capture_output=True, timeout=120, check=True)
        self.after_one_run = snapshot(data / "news.duckdb")
        subprocess.run(command(config), capture_output=True, timeout=120, check=True)
        self.after_two_runs = snapshot(data / "news.duckdb")

    def copy(self, name: str, root: Path | None = None) -> tuple[Path, Path]:
        """A fresh copy of the loaded folder under `root` (default: a folder `name`), the site
        listing 24 articles, the request counts reset: (data folder, config)."""
        data = (root or self.work / name) / "data"
        config = grown(self.loaded, self.site, data, self.hits)
        self.hits.counts.clear()
        return data, config

    def article_requests(self) -> int:
        return sum(n for path, n in self.hits.counts.items() if path.startswith("/s/"))

    def duplicated(self) -> str:
        return str(_extra_requests(self.hits.counts, "/s/"))

    def measure(self, fault: str, data: Path, argv: list[str],
                during: Callable[[subprocess.Popen[str]], None] | None = None) -> tuple[Row, Ended]:
        """Run `argv` over `data` and compare every row before and after."""
        db = data / "news.duckdb"
        before = rows(db)
        ended = cli(argv, during=during)
        row = Row(fault, ended.outcome(data.parent), str(_changed(before, rows(db))),
                  str(ended.left), self.duplicated())
        return row, ended

    def mid_crawl(self, child: subprocess.Popen[str]) -> None:
        """Wait until the site has been asked for two articles (their answers take 0.2 s)."""
        wait_for(lambda: self.article_requests() >= 2, "the first article requests", child)


def unwritable_warc(steady: Steady, *extra: str) -> Row:
    fault = f"WARC file not writable{', --refetch' if extra else ''}"
    data, config = steady.copy(f"warc{''.join(extra)}")
    (data / "warc" / "steady" / f"{DAY}.warc.gz").chmod(0o444)
    try:
        argv = unprivileged(command(config, *extra))
    except Unavailable as reason:
        return Row(fault, f"not run here: {reason.msg}")
    return steady.measure(fault, data, argv)[0]


def unwritable_run_directory(steady: Steady) -> Row:
    fault = "run directory not writable"
    data, config = steady.copy("rundir")
    folder = run_dir(data)
    folder.chmod(0o555)
    try:
        return steady.measure(fault, data, unprivileged(command(config)))[0]
    except Unavailable as reason:
        return Row(fault, f"not run here: {reason.msg}")
    finally:
        folder.chmod(0o755)


def disk_full(steady: Steady) -> Row:
    fault = "disk full during the crawl (32 MB tmpfs, filled once crawl.jsonl has a line)"
    try:
        with small_disk(steady.work / "disk") as disk:
            data, config = steady.copy("disk", disk)
            fill_up = fill_once_crawling(run_dir(data) / "crawl.jsonl", disk)
            return steady.measure(fault, data, command(config), fill_up)[0]
    except Unavailable as reason:
        return Row(fault, f"not run here: {reason.msg}")


def interrupted(steady: Steady, fault: str, signum: signal.Signals, *, group: bool, times: int) -> Row:
    """Stopped mid-crawl, then the same command again: are the rows those of an uninterrupted run?"""
    data, config = steady.copy(f"{signum.name}{times}{'group' if group else ''}")

    def stop(child: subprocess.Popen[str]) -> None:
        steady.mid_crawl(child)
        interrupt(child, signum, group=group, times=times)

    row, _ = steady.measure(fault, data, command(config), stop)
    requested = steady.article_requests()
    again = cli(command(config))
    same = snapshot(data / "news.duckdb") == steady.after_one_run
    rerun = "the rows of an uninterrupted run" if same else "rows unlike an uninterrupted run's"
    outcome = (f"{row.outcome} (stopped after {requested} of {NEW_ARTICLES} article requests); "
               f"run again (exit {again.code}): {rerun}")
    return Row(fault, outcome, row.rows_changed, row.processes_left, row.duplicated_fetches)


def two_runs_at_once(steady: Steady) -> Row:
    fault = "two `newsmill run` of the same day at once"
    data, config = steady.copy("twice")
    first = start(command(config))
    second, missed = None, ""
    try:
        try:
            steady.mid_crawl(first)
        except AssertionError as reason:  # the first run ended before it fetched: started anyway
            missed = f"fault not injected ({reason}); "
        second = start(command(config))
        ends = [_ended(first), _ended(second)]
    finally:
        kill_session(first.pid)
        if second is not None:
            kill_session(second.pid)
    per_article = Counter(n for path, n in steady.hits.counts.items() if path.startswith("/s/"))
    fetches = ", ".join(f"{urls} articles requested {n}×" for n, urls in sorted(per_article.items()))
    outcome = (f"{missed}exit {ends[0].code} and {ends[1].code}; the second said "
               f"{ends[1].said(data.parent)}; {fetches}")
    unlike_sequential = _changed(steady.after_two_runs, snapshot(data / "news.duckdb"))
    return Row(fault, outcome, f"{unlike_sequential} (vs. two runs in a row)",
               str(ends[0].left + ends[1].left), steady.duplicated())


def offsite_listings(work: Path) -> Row:
    fault = "sitemap index child / robots.txt `Sitemap:` on a host the config does not name"
    sites = OffsiteSites()
    (work / "offsite").mkdir()
    try:
        data = work / "offsite" / "data"
        config = sites.config(work / "offsite" / "sources.toml", data)
        ended = cli(command(config))
        con = duckdb.connect(str(data / "news.duckdb"), read_only=True)
        try:
            logged = dict(con.execute("SELECT url, outcome || ': ' || error FROM crawl_log").fetchall())
        finally:
            con.close()
        other = sites.other.url
        listed = {"index child": f"{other}/sitemap.xml", "robots.txt line": f"{other}/robots-sitemap.xml"}
        rows_of = "; ".join(f"{what}: {_code(_short(logged.get(url, 'no crawl_log row'), work))}"
                            for what, url in listed.items())
        requests = sum(sites.other.hits.values())
        extra = _extra_requests(sites.site.hits, "/a/")
    finally:
        sites.stop()
    return Row(fault, f"exit {ended.code}; requests to the other host: {requests}; {rows_of}",
               NOT_MEASURED, str(ended.left), str(extra))


def terminal_markup(work: Path) -> Row:
    fault = "page titles with Rich markup and terminal escapes, then `query` / `search`"
    data = work / "terminal" / "data"
    data.parent.mkdir()
    with SiteServer() as server:
        server.set_routes(markup_routes(server.url))
        config = steady_config(work / "terminal" / "sources.toml", server, data)
        crawled = cli(command(config))
    if crawled.code != 0:
        return Row(fault, f"the crawl of the pages failed: {crawled.outcome(work)}")
    before = rows(data / "news.duckdb")
    base = [NEWSMILL, "--config", str(config)]
    query = cli([*base, "query", "SELECT title, array_to_string(tags, ' | ') AS tags FROM articles"],
                env=TERMINAL)
    search = cli([*base, "search", "budget ferry harbour"], env=TERMINAL)
    changed = _changed(before, rows(data / "news.duckdb"))
    shown = [visible(ended.stdout) for ended in (query, search)]
    literal = all(MARKUP in text and LINK in text for text in shown)
    controls = sum(text.count(c) for text in shown for c in CONTROLS)
    controls += sum(visible(ended.stderr).count(c) for ended in (query, search) for c in CONTROLS)
    return Row(fault, f"exit {query.code} and {search.code}; `[red]x[/red]`, `[link=…]` shown as typed: "
                      f"{'yes' if literal else 'no'}; ESC, BEL, CR, C1, bidi characters from the data "
                      f"in the output: {controls}",
               str(changed), str(query.left + search.left))


def query_sandbox(steady: Steady) -> Row:
    fault = "`newsmill query` with `COPY … TO` and `read_text`"
    data = steady.work / "sandbox" / "data"
    shutil.copytree(steady.loaded, data)
    config = steady_config(data.parent / "sources.toml", steady.site, data)
    target = data.parent / "x.csv"
    before = rows(data / "news.duckdb")
    base = [NEWSMILL, "--config", str(config), "query"]
    copy = cli([*base, f"COPY (SELECT url, text FROM articles) TO '{target}'"])
    read = cli([*base, "SELECT * FROM read_text('/etc/hostname')"])
    return Row(fault, f"{copy.outcome(data.parent)}; read_text: exit {read.code}; "
                      f"x.csv written: {'yes' if target.exists() else 'no'}",
               str(_changed(before, rows(data / "news.duckdb"))), str(copy.left + read.left))


def bad_date(steady: Steady) -> Row:
    data, config = steady.copy("baddate")
    argv = [NEWSMILL, "--config", str(config), "run", "--date", "9999-12-31", "-q"]
    return steady.measure("`newsmill run --date 9999-12-31`", data, argv)[0]


def zero_page_limit(steady: Steady) -> Row:
    data, config = steady.copy("maxpage")
    config.write_text(config.read_text().replace("[settings]\n", "[settings]\nmax_page_bytes = 0\n"))
    return steady.measure("`max_page_bytes = 0` in the config", data, command(config))[0]


@contextmanager
def _timed(what: str) -> Iterator[None]:
    print(f"run-level: {what} …", file=sys.stderr, flush=True)
    clock = time.monotonic()
    yield
    print(f"run-level: {what}: {time.monotonic() - clock:.1f} s", file=sys.stderr, flush=True)


def run_level(work: Path) -> list[Row]:
    """Every run-level scenario once, in `work`."""
    with SiteServer() as site:
        with _timed("a loaded day and the reference runs"):
            steady = Steady(work, site)
        scenarios: list[tuple[str, Callable[[], Row]]] = [
            ("read-only WARC file", lambda: unwritable_warc(steady)),
            ("read-only WARC file, --refetch", lambda: unwritable_warc(steady, "--refetch")),
            ("read-only run directory", lambda: unwritable_run_directory(steady)),
            ("disk full", lambda: disk_full(steady)),
            ("Ctrl-C", lambda: interrupted(steady, "one Ctrl-C (SIGINT to the process group) mid-crawl",
                                           signal.SIGINT, group=True, times=1)),
            ("Ctrl-C twice", lambda: interrupted(steady, "two Ctrl-C mid-crawl", signal.SIGINT,
                                                 group=True, times=2)),
            ("SIGTERM", lambda: interrupted(steady, "SIGTERM to the CLI alone mid-crawl", signal.SIGTERM,
                                            group=False, times=1)),
            ("two runs at once", lambda: two_runs_at_once(steady)),
            ("off-site listings", lambda: offsite_listings(work)),
            ("terminal markup", lambda: terminal_markup(work)),
            ("query sandbox", lambda: query_sandbox(steady)),
            ("--date 9999-12-31", lambda: bad_date(steady)),
            ("max_page_bytes = 0", lambda: zero_page_limit(steady)),
        ]
        table = []
        for what, scenario in scenarios:
            with _timed(what):
                table.append(scenario())
    return table
