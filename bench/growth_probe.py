"""One measured operation of the growth benchmark, run by `bench/growth.py` in a process of its own
so that its peak RSS is its own. Prints one JSON object on stdout.

    growth_probe.py search ENGINE DB INDEX_DIR QUERIES_JSON [--from D] [--to D] [--lang L]
    growth_probe.py load DB RUN_DIR
    growth_probe.py load-without-fts DB RUN_DIR
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
from datetime import date
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import growth_engines as engines  # noqa: E402
from growth_build import build_warehouse, day_runs  # noqa: E402
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
    """Bytes per article: raw title and text; the blocks the fts index tables hold; every used block
    of the file (the rest: the tables, their long strings' overflow blocks, metadata); the file."""
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
    index = index_blocks * block_size
    return {"text": text / size, "index": index / size, "other": (used * block_size - index) / size,
            "file": database.stat().st_size / size}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("op", choices=["search", "load", "load-without-fts", "index-update", "index-build", "skip-list",
                                       "build-warehouse", "day-runs", "queries", "bytes"])
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
    elif a.op in ("load", "load-without-fts"):
        from newsmill.warehouse import load as load_module
        from newsmill.warehouse import load_run
        if a.op == "load-without-fts":  # what the load costs once the index lives outside DuckDB
            load_module.sync_index = lambda con, **_: None  # the index update after the commit
        result = load_run(Path(a.args[0]), Path(a.args[1]))
        out = {"changed": result.changed}
    elif a.op == "index-update":
        engine, database, index_dir, run_dir = a.args
        if engine != "tantivy":
            raise SystemExit(f"{engine}: no incremental update")
        engines.update_tantivy(Path(database), Path(index_dir), Path(run_dir))
    elif a.op == "index-build":
        engine, database, index_dir = a.args
        build = {"tantivy": engines.build_tantivy, "bm25s": engines.build_bm25s,
                 "duckdb-tuned": engines.build_tuned}[engine]
        build(Path(database), Path(index_dir))
    elif a.op == "skip-list":
        from newsmill.pipeline import _known_urls
        from newsmill.warehouse.connection import connect
        with connect(Path(a.args[0]), read_only=True) as con:
            names = [n for (n,) in con.execute("SELECT DISTINCT source FROM articles").fetchall()]
        config = SimpleNamespace(settings=SimpleNamespace(database=Path(a.args[0])))
        out = {"urls": len(_known_urls(config, [SimpleNamespace(name=n) for n in names]))}
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
