"""The shared scored corpora, read page by page by newsmill and by bare trafilatura, and scored.

Each page runs through what a pipeline worker runs once it has the page's bytes
(`transforms.page.process_page`: `extract_article`, then `clean_article` with the manifest's
``lang`` standing in for the source's configured language), in the pipeline's own worker pool
(`transforms.pool.WorkerPool`, warmed like the pipeline's). Bare trafilatura is the same pinned
trafilatura with ``include_comments=False`` and otherwise its defaults.

Scoring is the shared ``eval/score.py``'s, imported from that file, not copied. Its figures come
with standard errors from a bootstrap over pages (score.py's: 1000 resamples, seed 0), so a floor or
a comparison can be set against the noise of a corpus of a few hundred pages.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import math
import random
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import trafilatura

from transforms.clean import clean_article
from transforms.extract import NoArticleText, extract_article
from transforms.page import warm_worker
from transforms.pool import WorkerPool

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPORA = ("corpus", "corpus-inserts", "corpus-web")
BOOTSTRAP = 1000  # resamples, as score.py's default
FOLDS = 5  # of sites, to check that a rule tuned on some sites carries to the others
Row = tuple[float, float, float, float]  # one page: score.py's normalised TP, FP, FN and exact match


def newsmill_text(html: bytes, url: str, language: str | None) -> str:
    """newsmill's text of a page: extraction and cleaning as in the pipeline; "" when it has none."""
    try:
        extracted = extract_article(html, url)
    except NoArticleText:
        return ""
    return clean_article(extracted, language).text


def trafilatura_text(html: bytes, url: str, language: str | None) -> str:
    """Bare trafilatura's text of a page (the baseline newsmill must not fall below)."""
    return trafilatura.extract(html, url=url or None, include_comments=False) or ""


READERS: dict[str, Callable[[bytes, str, str | None], str]] = {
    "newsmill": newsmill_text,
    "trafilatura": trafilatura_text,
}


def missing(shared: Path = SHARED) -> list[Path]:
    """The files of `shared` the corpora need and that are not there (scorer, manifests)."""
    wanted = [shared / "eval" / "score.py"]
    wanted += [shared / name / "manifest.jsonl" for name in CORPORA]
    return [path for path in wanted if not path.is_file()]


def load_manifest(corpus_dir: Path) -> list[dict]:
    with (corpus_dir / "manifest.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def read_corpora(
    shared: Path, readers: Sequence[str], workers: int | None = None
) -> dict[tuple[str, str], dict[str, str]]:
    """(corpus, reader) -> page id -> text, for every corpus and reader, in one worker pool.

    All pages are queued at once so both cores stay busy to the end; a page that raises anything
    but `NoArticleText` fails the whole call, since a crash is not an extraction result.
    """
    with WorkerPool(workers) as pool:
        pool.start(warm_worker)
        futures = {}
        for name in CORPORA:
            pages = shared / name / "pages"
            for record in load_manifest(shared / name):
                for reader in readers:
                    futures[name, reader, record["id"]] = pool.submit(
                        _read_page,
                        reader,
                        pages / f"{record['id']}.html",
                        record.get("url") or "",
                        record.get("lang"),
                    )
        texts: dict[tuple[str, str], dict[str, str]] = {}
        for (name, reader, page_id), future in futures.items():
            texts.setdefault((name, reader), {})[page_id] = future.result()
    return texts


def _read_page(reader: str, path: Path, url: str, language: str | None) -> str:
    return READERS[reader](path.read_bytes(), url, language)


@dataclass(frozen=True)
class Estimate:
    """A figure and its standard error (bootstrap over pages)."""

    value: float
    se: float


@dataclass(frozen=True)
class Share:
    """Inserts of one kind removed, of `n`, with the standard error of the share."""

    removed: int
    n: int
    se: float

    @property
    def value(self) -> float:
        return self.removed / self.n


@dataclass(frozen=True)
class Score:
    """One reader's figures on one corpus, and its per-page rows for paired comparisons."""

    pages: int
    body: dict[str, Estimate]  # "precision", "recall", "f1"
    inserts: dict[str, Share]  # score.py's kinds, lowercased: "all", "foreign", ...
    rows: list[Row]


def load_scorer(shared: Path = SHARED) -> ModuleType:
    """The shared scorer, imported from its file (it is a script, not an installed module)."""
    spec = importlib.util.spec_from_file_location("newsmill_shared_score", shared / "eval" / "score.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def score(scorer: ModuleType, manifest: list[dict], texts: dict[str, str]) -> Score:
    """Score one reader's texts as ``score.py --json`` does, with standard errors for every figure."""
    rows: list[Row] = []
    for page in manifest:
        true, pred = page.get("body") or "", texts.get(str(page["id"]), "")
        exact = float(scorer.tokenize(true) == scorer.tokenize(pred))
        rows.append((*scorer.page_tp_fp_fn(true, pred), exact))
    summary = scorer.summarize(rows, BOOTSTRAP)
    body = {k: Estimate(summary[k], summary[k + "_std"]) for k in ("precision", "recall", "f1")}
    return Score(len(rows), body, _insert_shares(scorer, manifest, texts), rows)


def _insert_shares(scorer: ModuleType, manifest: list[dict], texts: dict[str, str]) -> dict[str, Share]:
    """Share of inserts removed per kind, as score.py counts them, with a standard error.

    The error is the larger of a bootstrap over pages (a page's inserts stay together) and the
    plus-four binomial one, sqrt(p(1-p)/n) with p = (removed+2)/(n+4): at 100 % removed the
    bootstrap has no spread at all, which would make one missed insert look like a collapse.
    """
    pages: list[dict[str, tuple[int, int]]] = []  # per page with inserts: kind -> (n, removed)
    for page in manifest:
        if not page.get("inserts"):
            continue
        predicted = scorer.shingles(scorer.tokenize(texts.get(str(page["id"]), "")))
        counts: dict[str, tuple[int, int]] = {}
        for insert in page["inserts"]:
            removed = not scorer.insert_kept(insert["text"], predicted)
            for kind in ("all", insert["kind"].lower()):
                n, r = counts.get(kind, (0, 0))
                counts[kind] = (n + 1, r + removed)
        pages.append(counts)
    kinds = sorted({kind for counts in pages for kind in counts})
    shares = {}
    rng = random.Random(0)
    samples = [[pages[rng.randrange(len(pages))] for _ in pages] for _ in range(BOOTSTRAP)]
    for kind in kinds:
        n = sum(c[kind][0] for c in pages if kind in c)
        removed = sum(c[kind][1] for c in pages if kind in c)
        resampled = [_share(sample, kind) for sample in samples]
        plus_four = (removed + 2) / (n + 4)
        se = max(statistics.stdev(resampled), math.sqrt(plus_four * (1 - plus_four) / n))
        shares[kind] = Share(removed, n, se)
    return shares


def _share(pages: list[dict[str, tuple[int, int]]], kind: str) -> float:
    n = sum(c[kind][0] for c in pages if kind in c)
    return sum(c[kind][1] for c in pages if kind in c) / n if n else 0.0


def f1_margin(scorer: ModuleType, ours: Score, theirs: Score) -> Estimate:
    """Our F1 minus theirs on the same pages, with a paired bootstrap standard error.

    Resampling the same pages for both readers keeps what they share (hard pages are hard for
    both) out of the error, so the difference is judged against its own noise, not each F1's.
    """
    rng = random.Random(0)
    diffs = []
    for _ in range(BOOTSTRAP):
        picks = [rng.randrange(len(ours.rows)) for _ in ours.rows]
        ours_f1 = scorer.aggregate([ours.rows[i] for i in picks])["f1"]
        diffs.append(ours_f1 - scorer.aggregate([theirs.rows[i] for i in picks])["f1"])
    return Estimate(ours.body["f1"].value - theirs.body["f1"].value, statistics.stdev(diffs))


def fold_of(site: str, folds: int = FOLDS) -> int:
    """The fold of a site (the page URL's host, the manifest's ``site``): a stable hash, so a site's
    pages stay together and a rule is judged on sites it was not tuned on."""
    return int(hashlib.sha1(site.encode("utf-8")).hexdigest(), 16) % folds


def fold_scores(scorer: ModuleType, manifest: list[dict], texts: dict[str, str]) -> dict[int, Score]:
    """One reader's score on each fold of sites of a corpus."""
    by_fold: dict[int, list[dict]] = {}
    for page in manifest:
        by_fold.setdefault(fold_of(page["site"]), []).append(page)
    return {fold: score(scorer, pages, texts) for fold, pages in sorted(by_fold.items())}
