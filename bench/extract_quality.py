"""Quality of extraction + cleaning on a scored corpus, without crawling: the fast loop for tuning.

    python bench/extract_quality.py CORPUS_DIR [--out PRED.jsonl] [--workers 2] [--no-clean]
                                    [--score PATH/TO/score.py] [--json]

CORPUS_DIR holds `manifest.jsonl` and `pages/<id>.html` (the shared corpus format). Each page is run
through `transforms.extract.extract_article` and `transforms.clean.clean_article` (the manifest's
`lang` stands in for the source's configured language), predictions are written as {"id", "text"}
JSONL and scored with the shared scorer, whose figures are printed. Timings are per page, summed
over workers, so pages/s is what one core does.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from transforms.clean import clean_article  # noqa: E402
from transforms.extract import NoArticleText, extract_article  # noqa: E402

DEFAULT_SCORER = Path(__file__).resolve().parents[2] / "shared" / "eval" / "score.py"


def run_page(args: tuple[Path, dict, bool]) -> tuple[str, str, float, float]:
    """Extract (and clean) one page; return id, text, extraction and cleaning seconds."""
    pages, rec, clean = args
    html = (pages / f"{rec['id']}.html").read_bytes()
    t0 = time.perf_counter()
    try:
        ex = extract_article(html, rec.get("url") or "")
    except NoArticleText:
        return rec["id"], "", time.perf_counter() - t0, 0.0
    t1 = time.perf_counter()
    text = clean_article(ex, rec.get("lang")).text if clean else ex.text
    return rec["id"], text, t1 - t0, time.perf_counter() - t1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument(
        "--out", type=Path, help="predictions JSONL (default: /tmp/<corpus>-pred.jsonl)"
    )
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-clean", action="store_true", help="score bare extraction")
    ap.add_argument("--score", type=Path, default=DEFAULT_SCORER, help="the shared score.py")
    ap.add_argument("--json", action="store_true", help="print the scorer's JSON")
    args = ap.parse_args(argv)

    manifest = [
        json.loads(line) for line in (args.corpus / "manifest.jsonl").open(encoding="utf-8")
    ]
    out = args.out or Path("/tmp") / f"{args.corpus.resolve().name}-pred.jsonl"
    jobs = [(args.corpus / "pages", rec, not args.no_clean) for rec in manifest]
    wall = time.perf_counter()
    with ProcessPoolExecutor(args.workers, mp_context=get_context("forkserver")) as pool:
        results = list(pool.map(run_page, jobs, chunksize=4))
    wall = time.perf_counter() - wall
    with out.open("w", encoding="utf-8") as f:
        for page_id, text, _, _ in results:
            f.write(json.dumps({"id": page_id, "text": text}, ensure_ascii=False) + "\n")

    t_extract = sum(r[2] for r in results)
    t_clean = sum(r[3] for r in results)
    n = len(results)
    print(
        f"{n} pages, {args.workers} workers, wall {wall:.1f} s; per core: "
        f"{n / (t_extract + t_clean):.1f} pages/s, extraction {1000 * t_extract / n:.1f} ms/page, "
        f"cleaning {1000 * t_clean / n:.1f} ms/page; predictions: {out}"
    )
    cmd = [sys.executable, str(args.score), str(args.corpus / "manifest.jsonl"), str(out)]
    return subprocess.run(cmd + (["--json"] if args.json else [])).returncode


if __name__ == "__main__":
    sys.exit(main())
