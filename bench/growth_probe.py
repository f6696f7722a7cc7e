"""One measured operation of the growth benchmark, run by `bench/growth.py` in a process of its own
so that its peak RSS is its own. Prints one JSON object on stdout.

    growth_probe.py newsmill-search DB QUERIES_JSON [--from D] [--to D] [--lang L]
    growth_probe.py search ENGINE DB INDEX_DIR QUERIES_JSON [--from D] [--to D] [--lang L]
    growth_probe.py prepare-load DB
    growth_probe.py load DB RUN_DIR
    growth_probe.py load-without-index DB RUN_DIR
    growth_probe.py load-statements DB RUN_DIR
    growth_probe.py index-update ENGINE DB INDEX_DIR RUN_DIR
    growth_probe.py index-build ENGINE DB INDEX_DIR
    growth_probe.py skip-list DB
    growth_probe.py build-warehouse CACHE SIZE SEED
    growth_probe.py day-runs OUT SEED
    growth_probe.py queries OUT COUNT SEED
    growth_probe.py bytes DB SIZE
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import growth_engines as engines  # noqa: E402
from growth_build import add_fts, build_warehouse, day_runs  # noqa: E402
from growth_corpus import Vocabulary  # noqa: E402
from growth_engines import FTS_SCHEMA  # noqa: E402

QUERY_LANGUAGES = {"en": 38, "ru": 4, "pl": 4, "el": 4}
"""Out of 50 queries; none in Chinese, which neither tokenizer splits into words."""
_WORD = r"[^\W\d_]{4,}"


def make_queries(vocab: Vocabulary, count: int, seed: int) -> list[str]:
    """`count` queries from the corpus vocabulary: words of middling frequency (not the commonest
    150 of their language, not rarer than the 3,000th), alone, in twos and threes, and pairs of
    words that stand next to each other in the corpus (phrases, searched as words)."""
    rng = random.Random(seed)
    queries: list[str] = []
    scale = count / sum(QUERY_LANGUAGES.values())
    for lang, share in QUERY_LANGUAGES.items():
        stream = [w.lower().strip(".,;:!?\"'()«»“”") for w in vocab.words[lang]]
        ranked = [w for w, _ in Counter(w for w in stream if re.fullmatch(_WORD, w)).most_common(3000)][150:]
        for i in range(max(1, round(share * scale))):
            if i % 5 == 0:  # a phrase: two adjacent words of the corpus
                while True:
                    j = rng.randrange(len(stream) - 1)
                    if all(re.fullmatch(_WORD, w) for w in stream[j:j + 2]):
                        queries.append(" ".join(stream[j:j + 2]))
                        break
            else:
                queries.append(" ".join(rng.sample(ranked, {1: 1, 2: 1, 3: 2, 4: 3}[i % 5])))
    return queries[:count]


def storage_bytes(database: Path, size: int) -> dict:
    """Bytes per article: raw title and text; the search index folder; the blocks the fts index
    tables hold (a benchmark's engine, when built); every other used block of the DuckDB file (the
    tables, their long strings' overflow blocks, metadata); the file."""
    import duckdb
    with duckdb.connect(str(database), read_only=True) as con:
        text = con.execute("SELECT sum(strlen(coalesce(title, '')) + strlen(coalesce(text, ''))) "
                           "FROM articles").fetchone()[0]
        block_size, used = con.execute("SELECT block_size, used_blocks FROM pragma_database_size() "
                                        "WHERE database_name = current_database()").fetchone()
        index_blocks = 0
        tables = con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
                             "AND schema_name = ?", [FTS_SCHEMA]).fetchall()
        for (table,) in tables:
            index_blocks += con.execute(
                f"SELECT count(DISTINCT block_id) FROM pragma_storage_info('{FTS_SCHEMA}.{table}') "
                "WHERE block_id >= 0").fetchone()[0]
    fts = index_blocks * block_size
    folder = Path(f"{database}.search")  # layout.search_index_dir
    index = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
    return {"text": text / size, "index": index / size, "fts": fts / size,
            "other": (used * block_size - fts) / size, "file": database.stat().st_size / size}


def newsmill_search(database: Path, queries: Path, first: date | None, last: date | None,
                    language: str | None) -> dict:
    """Seconds of each query through `newsmill.warehouse.search.search` as the CLI calls it (the
    folder's record checked against the DuckDB file, the engine's answer with the hits' stored
    fields), in one process: the CLI's time less Python's start-up and imports."""
    from newsmill.warehouse.search import search
    seconds = []
    for terms in json.loads(queries.read_text()):
        started = time.perf_counter()
        search(database, terms, first=first, last=last, language=language)
        seconds.append(time.perf_counter() - started)
    return {"seconds_each": seconds}


def _memory_mb() -> tuple[int, int]:
    """This process's resident MB now and at its peak since the last `_reset_peak`."""
    status = Path("/proc/self/status").read_text()
    return tuple(int(re.search(rf"{key}:\s+(\d+)", status).group(1)) // 1024 for key in ("VmRSS", "VmHWM"))


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")  # Linux: VmHWM starts again from VmRSS


class _TracedConnection:
    """A DuckDB connection that records each statement's seconds and the resident MB it added at its
    peak, so a load's growth can be pinned on the statement that causes it."""

    def __init__(self, con, steps: list[dict]) -> None:  # noqa: ANN001 - duckdb connection
        self._con = con
        self._steps = steps

    def __getattr__(self, name: str):  # noqa: ANN204 - whatever the connection has
        return getattr(self._con, name)

    def measure(self, label: str, call):  # noqa: ANN001, ANN201 - any callable and its result
        _reset_peak()
        before, _ = _memory_mb()
        started = time.perf_counter()
        result = call()
        seconds = time.perf_counter() - started
        _, peak = _memory_mb()
        self._steps.append({"statement": " ".join(label.split())[:160], "seconds": round(seconds, 4),
                            "rss_before_mb": before, "peak_added_mb": peak - before})
        return result

    def execute(self, sql: str, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        self.measure(sql, lambda: self._con.execute(sql, *args, **kwargs))
        return self

    def commit(self):  # noqa: ANN201
        self.measure("COMMIT", self._con.commit)
        return self


def prepare_load(database: Path) -> dict:
    """The warehouse as a day's load finds it: on this newsmill's schema (the migration of a cached
    warehouse done, its checkpoint too) and with its search index current, so that a measured load
    pays for its own run only."""
    from newsmill.warehouse.connection import connect
    from newsmill.warehouse.sync import sync_index
    with connect(database) as con:
        synced = sync_index(con, progress=False, say=lambda m: print(m, file=sys.stderr))
        con.execute("CHECKPOINT")
    return {"documents": synced.documents}


def load_statements(database: Path, run_dir: Path) -> dict:
    """`load_run` with every statement measured, and the connection's close: its checkpoint. Resetting
    the peak between statements also resets the process's: measure the load's peak in a run of its own."""
    from newsmill.warehouse import load as load_module
    steps: list[dict] = []
    opened = load_module.connect

    @contextmanager
    def traced(path: Path, **options) -> Iterator[_TracedConnection]:  # noqa: ANN003
        with opened(path, **options) as con:
            yield _TracedConnection(con, steps)
            _reset_peak()
            before, _ = _memory_mb()
            started = time.perf_counter()
        _, peak = _memory_mb()
        steps.append({"statement": "close (checkpoint)", "seconds": round(time.perf_counter() - started, 4),
                      "rss_before_mb": before, "peak_added_mb": peak - before})

    load_module.connect = traced
    result = load_module.load_run(database, run_dir)
    return {"changed": result.changed, "steps": steps}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("op", choices=["newsmill-search", "search", "prepare-load", "load", "load-without-index", "load-statements",
                                       "index-update", "index-build", "skip-list", "build-warehouse", "day-runs",
                                       "queries", "bytes"])
    parser.add_argument("args", nargs="*")
    parser.add_argument("--from", dest="first", type=date.fromisoformat)
    parser.add_argument("--to", dest="last", type=date.fromisoformat)
    parser.add_argument("--lang")
    a = parser.parse_args()
    started = time.perf_counter()
    out: dict = {}
    if a.op == "search":
        engine, database, index_dir, queries = a.args
        seconds, urls = [], []
        for terms in json.loads(Path(queries).read_text()):
            took, found = engines.timed_search(engine, Path(database), Path(index_dir), terms, a.first, a.last,
                                               a.lang)
            seconds.append(took)
            urls.append(found)
        out = {"seconds_each": seconds, "urls": urls}
    elif a.op == "newsmill-search":
        out = newsmill_search(Path(a.args[0]), Path(a.args[1]), a.first, a.last, a.lang)
    elif a.op == "prepare-load":
        out = prepare_load(Path(a.args[0]))
    elif a.op in ("load", "load-without-index"):
        from newsmill.warehouse import load as load_module
        from newsmill.warehouse import load_run
        if a.op == "load-without-index":  # the DuckDB side alone
            load_module.sync_index = lambda con, **_: None  # the index update after the commit
        result = load_run(Path(a.args[0]), Path(a.args[1]))
        out = {"changed": result.changed}
    elif a.op == "load-statements":
        out = load_statements(Path(a.args[0]), Path(a.args[1]))
    elif a.op == "index-update":
        engine, database, index_dir, run_dir = a.args
        if engine != "tantivy":
            raise SystemExit(f"{engine}: no incremental update")
        engines.update_tantivy(Path(database), Path(index_dir), Path(run_dir))
    elif a.op == "index-build":
        engine, database, index_dir = a.args
        if engine == "duckdb-fts":  # tables in the warehouse file itself
            add_fts(Path(database))
        else:
            build = {"tantivy": engines.build_tantivy, "bm25s": engines.build_bm25s,
                     "duckdb-tuned": engines.build_tuned}[engine]
            build(Path(database), Path(index_dir))
    elif a.op == "skip-list":
        from newsmill.pipeline import known_urls, write_skip_list
        from newsmill.warehouse.connection import connect
        with connect(Path(a.args[0]), read_only=True) as con:
            names = [n for (n,) in con.execute("SELECT DISTINCT source FROM articles").fetchall()]
        config = SimpleNamespace(settings=SimpleNamespace(database=Path(a.args[0]), warehouse=Path(a.args[0])))
        skip_file = Path(a.args[0]).with_name("skip_urls.probe.txt")
        write_skip_list(skip_file, known_urls(config, [SimpleNamespace(name=n) for n in names]))
        with skip_file.open(encoding="utf-8") as lines:
            out = {"urls": sum(1 for _ in lines)}
        skip_file.unlink()
    elif a.op == "build-warehouse":
        build_warehouse(Path(a.args[0]), int(a.args[1]), int(a.args[2]), say=lambda m: print(m, file=sys.stderr))
    elif a.op == "day-runs":
        day_runs(Vocabulary(), int(a.args[1]), Path(a.args[0]))
    elif a.op == "queries":
        queries = make_queries(Vocabulary(), int(a.args[1]), int(a.args[2]))
        Path(a.args[0]).write_text(json.dumps(queries, ensure_ascii=False))
    elif a.op == "bytes":
        out = storage_bytes(Path(a.args[0]), int(a.args[1]))
    out["seconds"] = time.perf_counter() - started
    print(json.dumps(out))


if __name__ == "__main__":
    main()
