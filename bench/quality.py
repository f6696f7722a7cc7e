"""Quality of the whole pipeline on a corpus: crawl over HTTP → WARC → extract + clean → DuckDB.

Serves any corpus directory in the ``shared/corpus`` format as news sites on 127.0.0.1
(`corpus_site.py`), runs newsmill over all its dates in one run, reads the loaded texts back from
DuckDB, writes one ``{"id", "text"}`` line per manifest page and prints the scorer's figures:

    .venv/bin/python bench/quality.py --corpus ../shared/corpus [--out pred.jsonl] [--json]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus_site import load_corpus, serve_corpus, write_corpus_config  # noqa: E402

from newsmill import pipeline  # noqa: E402
from newsmill.config import load_config  # noqa: E402
from newsmill.warehouse import connect  # noqa: E402

SCORER = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "score.py"


def predictions(corpus_dir: Path, work: Path) -> tuple[dict[str, str], dict]:
    """Run the pipeline over the served corpus; return page id -> loaded text, and run figures."""
    corpus = load_corpus(corpus_dir)
    first, last = corpus.date_range()
    with serve_corpus(corpus) as server:
        config_path = write_corpus_config(work / "sources.toml", server, corpus, data_dir=work / "data")
        config = load_config(config_path)
        started = time.monotonic()
        summary = pipeline.run(config, first, last, progress=sys.stderr.isatty())
        wall = time.monotonic() - started
    with connect(config.settings.database, read_only=True) as con:
        rows = con.execute("SELECT url, text FROM articles").fetchall()
    texts: dict[str, str] = {}
    for url, text in rows:
        page_id = corpus.page_id(url)
        if page_id is not None:
            texts[page_id] = text or ""
    figures = {
        "pages": len(corpus.pages),
        "sources": len(config.sources),
        "fetched": summary.load.pages_fetched,
        "loaded": summary.load.articles,
        "failures": summary.load.failures,
        "wall_seconds": round(wall, 1),
    }
    return texts, figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, required=True, help="corpus directory (pages/ + manifest.jsonl)")
    parser.add_argument("--out", type=Path, help="predictions JSONL to write (default: a temporary file)")
    parser.add_argument("--scorer", type=Path, default=SCORER, help="score.py (default: %(default)s)")
    parser.add_argument("--json", action="store_true", help="print the scorer's JSON")
    args = parser.parse_args(argv)
    manifest = args.corpus / "manifest.jsonl"
    if not manifest.exists():
        parser.error(f"{manifest}: not found; --corpus must hold pages/ and manifest.jsonl")
    with tempfile.TemporaryDirectory(prefix="newsmill-quality-") as tmp:
        texts, figures = predictions(args.corpus, Path(tmp))
        out = args.out or Path(tmp) / "pred.jsonl"
        ids = [json.loads(line)["id"] for line in manifest.read_text().splitlines() if line.strip()]
        with out.open("w", encoding="utf-8") as handle:
            for page_id in ids:
                handle.write(json.dumps({"id": page_id, "text": texts.get(page_id, "")}, ensure_ascii=False) + "\n")
        print(f"pipeline: {json.dumps(figures)}", file=sys.stderr)
        command = [sys.executable, str(args.scorer), str(manifest), str(out)] + (["--json"] if args.json else [])
        return subprocess.run(command, check=False).returncode


if __name__ == "__main__":
    raise SystemExit(main())
