"""Quality of newsmill on the shared scored corpora: the quality gate, and the whole pipeline.

The gate (what ``./run test`` checks, in tests/quality/test_quality_gate.py; docs/quality.md):

    .venv/bin/python bench/quality.py --gate [--floors bench/quality_floors.toml] [--workers N] [--folds]

reads every page of ../shared/corpus, corpus-inserts and corpus-web with newsmill's extraction and
cleaning and with bare trafilatura (`corpora.py`), scores both with ../shared/eval/score.py, prints
one Markdown table per corpus and exits 1 when a figure is below its floor in the floors file.
With ``--folds``, also each corpus's figures on 5 folds of sites (`corpora.fold_of`): a rule is
kept only if it holds on the folds it was not tuned on.

The whole pipeline (crawl over HTTP → WARC → extract + clean → DuckDB) on one corpus, served as news
sites on 127.0.0.1 (`corpus_site.py`): runs newsmill over all its dates in one run, reads the loaded
texts back from DuckDB, writes one ``{"id", "text"}`` line per manifest page and prints the
scorer's figures:

    .venv/bin/python bench/quality.py --corpus ../shared/corpus [--out pred.jsonl] [--json]
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo, when run as a script

from bench.corpora import (  # noqa: E402
    CORPORA,
    SHARED,
    Estimate,
    Score,
    f1_margin,
    fold_scores,
    load_manifest,
    load_scorer,
    missing,
    read_corpora,
    score,
)
from bench.corpus_site import load_corpus, serve_corpus, write_corpus_config  # noqa: E402
from newsmill import pipeline  # noqa: E402
from newsmill.config import load_config  # noqa: E402
from newsmill.warehouse import connect  # noqa: E402

SCORER = SHARED / "eval" / "score.py"
FLOORS = Path(__file__).resolve().with_name("quality_floors.toml")
BODY = ("precision", "recall", "f1")
MARGIN = "f1_minus_trafilatura"


@dataclass(frozen=True)
class CorpusReport:
    """newsmill and bare trafilatura on one corpus, and newsmill's F1 minus trafilatura's."""

    name: str
    newsmill: Score
    trafilatura: Score
    margin: Estimate
    # fold of sites -> (newsmill, trafilatura) on its pages
    folds: dict[int, tuple[Score, Score]] = field(default_factory=dict)


@dataclass(frozen=True)
class GateReport:
    corpora: dict[str, CorpusReport]
    wall_seconds: float  # reading and scoring every page of every corpus, both readers


def measure(shared: Path = SHARED, workers: int | None = None) -> GateReport:
    """Read and score every page of the three corpora with newsmill and bare trafilatura.

    Raises FileNotFoundError naming what is missing when `shared` lacks a corpus or the scorer:
    a gate that scored less than it claims would pass for the wrong reason."""
    absent = missing(shared)
    if absent:
        raise FileNotFoundError(
            f"the quality gate needs the shared corpora beside the repository ({shared}): "
            + ", ".join(str(path) for path in absent) + " not found"
        )
    started = time.monotonic()
    scorer = load_scorer(shared)
    texts = read_corpora(shared, ("newsmill", "trafilatura"), workers)
    reports = {}
    for name in CORPORA:
        manifest = load_manifest(shared / name)
        ours = score(scorer, manifest, texts[name, "newsmill"])
        theirs = score(scorer, manifest, texts[name, "trafilatura"])
        ours_folds = fold_scores(scorer, manifest, texts[name, "newsmill"])
        theirs_folds = fold_scores(scorer, manifest, texts[name, "trafilatura"])
        folds = {k: (ours_folds[k], theirs_folds[k]) for k in ours_folds}
        reports[name] = CorpusReport(name, ours, theirs, f1_margin(scorer, ours, theirs), folds)
    return GateReport(reports, time.monotonic() - started)


def load_floors(path: Path = FLOORS) -> dict[str, dict]:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def below_floors(report: CorpusReport, floors: dict) -> list[str]:
    """One line per newsmill figure under its floor (or without one); none when all hold."""
    ours, name = report.newsmill, report.name
    if ours.pages != floors["pages"]:
        return [f"{name}: {ours.pages} pages scored, floors set on {floors['pages']}: "
                "the corpus changed, so measure again and set the floors anew"]
    failures = [
        f"{name}: newsmill body {metric} {ours.body[metric].value:.4f} < floor {floors[metric]:.3f}"
        for metric in BODY
        if ours.body[metric].value < floors[metric]
    ]
    kinds = floors.get("inserts_removed", {})
    for kind in sorted(set(kinds) | set(ours.inserts)):
        if kind not in kinds:
            failures.append(f"{name}: inserts removed ({kind}) has no floor")
        elif kind not in ours.inserts:
            failures.append(f"{name}: inserts removed ({kind}) has a floor, but score.py reports no such kind")
        elif ours.inserts[kind].value < kinds[kind]:
            share = ours.inserts[kind]
            failures.append(f"{name}: newsmill inserts removed ({kind}) {share.value:.4f} "
                            f"({share.removed}/{share.n}) < floor {kinds[kind]:.3f}")
    return failures


def below_trafilatura(report: CorpusReport, floors: dict) -> list[str]:
    """A line when newsmill's F1 trails bare trafilatura's by more than the floor allows."""
    floor = floors[MARGIN]
    if report.margin.value >= floor:
        return []
    gap = f" (known gap: {floors['known_gap']})" if "known_gap" in floors else ""
    return [f"{report.name}: newsmill F1 {report.newsmill.body['f1'].value:.4f} − bare trafilatura "
            f"F1 {report.trafilatura.body['f1'].value:.4f} = {report.margin.value:+.4f} < floor "
            f"{floor:+.3f}{gap}"]


def table(report: CorpusReport, floors: dict) -> str:
    """The corpus's figures as Markdown: newsmill and bare trafilatura (± SE), the floors, and
    newsmill's figures minus 2 SE (what the floors were set to)."""
    ours, theirs = report.newsmill, report.trafilatura
    lines = [f"{report.name} ({ours.pages} pages)", "",
             "| | newsmill | bare trafilatura | floor | today − 2 SE |", "|---|---|---|---|---|"]
    for metric in BODY:
        a, b = ours.body[metric], theirs.body[metric]
        lines.append(f"| body {metric} | {a.value:.3f} ± {a.se:.3f} | {b.value:.3f} ± {b.se:.3f} "
                     f"| {floors[metric]:.3f} | {_down(a.value - 2 * a.se):.3f} |")
    m = report.margin
    lines.append(f"| F1 newsmill − trafilatura | {m.value:+.4f} ± {m.se:.4f} (paired) | | "
                 f"{floors[MARGIN]:+.3f} | {_down(-2 * m.se):+.3f} (0 − 2 SE) |")
    for kind, share in ours.inserts.items():
        base = theirs.inserts[kind]
        lines.append(f"| inserts removed: {kind} | {share.removed}/{share.n} = {share.value:.3f} ± "
                     f"{share.se:.3f} | {base.removed}/{base.n} = {base.value:.3f} | "
                     f"{floors.get('inserts_removed', {}).get(kind, float('nan')):.3f} "
                     f"| {_down(share.value - 2 * share.se):.3f} |")
    return "\n".join(lines)


def fold_table(report: CorpusReport) -> str:
    """The corpus's figures per fold of sites, newsmill beside bare trafilatura, as Markdown."""
    lines = [f"{report.name} by fold of sites", "",
             "| fold | pages | newsmill P / R / F1 | bare trafilatura P / R / F1 |", "|---|---|---|---|"]
    for fold, (ours, theirs) in report.folds.items():
        cells = [" / ".join(f"{s.body[m].value:.3f}" for m in BODY) for s in (ours, theirs)]
        lines.append(f"| {fold} | {ours.pages} | {cells[0]} | {cells[1]} |")
    return "\n".join(lines)


def _down(value: float) -> float:
    """Rounded down to .001, as floors are."""
    return math.floor(value * 1000 + 1e-9) / 1000


def gate(floors_path: Path, workers: int | None, folds: bool = False) -> int:
    """Print the gate's tables (and per fold of sites) and verdict; 1 when a figure is under its floor."""
    floors = load_floors(floors_path)
    report = measure(workers=workers)
    failures = []
    for name, corpus in report.corpora.items():
        print(table(corpus, floors[name]), end="\n\n")
        if folds:
            print(fold_table(corpus), end="\n\n")
        failures += below_floors(corpus, floors[name]) + below_trafilatura(corpus, floors[name])
    print(f"{sum(c.newsmill.pages for c in report.corpora.values())} pages, both readers, "
          f"read and scored in {report.wall_seconds:.0f} s")
    for line in failures:
        print(f"BELOW FLOOR {line}")
    return 1 if failures else 0


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
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--gate", action="store_true", help="check the three shared corpora against the floors")
    mode.add_argument("--corpus", type=Path, help="corpus directory (pages/ + manifest.jsonl) for the whole pipeline")
    parser.add_argument("--floors", type=Path, default=FLOORS, help="floors file (--gate; default: %(default)s)")
    parser.add_argument("--workers", type=int, help="worker processes (--gate; default: one per core)")
    parser.add_argument("--folds", action="store_true", help="also print each corpus per fold of sites (--gate)")
    parser.add_argument("--out", type=Path, help="predictions JSONL to write (default: a temporary file)")
    parser.add_argument("--scorer", type=Path, default=SCORER, help="score.py (--corpus; default: %(default)s)")
    parser.add_argument("--json", action="store_true", help="print the scorer's JSON")
    args = parser.parse_args(argv)
    if args.gate:
        return gate(args.floors, args.workers, args.folds)
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
