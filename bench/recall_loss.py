"""Where newsmill loses article text that bare trafilatura keeps: recall loss by rule and step.

For every page of the shared corpora whose newsmill recall is more than ``--gap`` below bare
trafilatura's (``include_comments=False``), each ground-truth 4-gram (score.py's unit) that bare
trafilatura has and newsmill's text lacks is put down to the step that dropped it:

- a cleaning rule (``Cleaned.removed``'s reason) when a removed paragraph holds it;
- ``extract: options`` when trafilatura with newsmill's options (favor_recall, tables) on the
  unrepaired page lacks it too: the options, or trafilatura's readability fallback they trigger;
- ``extract: repairs`` otherwise: the markup repairs and the continuation changed the reading.

Prints one Markdown table: per step, the 4-grams lost summed over pages (in words, roughly),
the pages it touched, and its share of all the loss:

    .venv/bin/python bench/recall_loss.py [--corpus corpus-web --corpus corpus] [--gap 0.1]
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo, when run as a script

import trafilatura  # noqa: E402
from trafilatura.utils import load_html  # noqa: E402

from bench.corpora import SHARED, load_manifest, load_scorer, trafilatura_text  # noqa: E402
from transforms.clean import clean_article  # noqa: E402
from transforms.extract import _OPTIONS, NoArticleText, extract_article  # noqa: E402

Loss = dict[str, int]  # step -> ground-truth 4-grams lost to it on one page


def page_loss(html: bytes, url: str, language: str | None, truth: str) -> tuple[float, float, Loss]:
    """(newsmill recall, bare trafilatura recall, 4-grams lost per step) of one page."""
    scorer = _scorer()
    bare = trafilatura_text(html, url, language)
    try:
        extracted = extract_article(html, url)
        cleaned = clean_article(extracted, language)
        ours, extracted_text, removed = cleaned.text, extracted.text, cleaned.removed
    except NoArticleText:
        ours, extracted_text, removed = "", "", []
    recalls = [_recall(scorer, truth, text) for text in (ours, bare)]
    grams = _grams(scorer, truth)
    lost = grams & _grams(scorer, bare)
    lost -= _grams(scorer, ours)
    if not lost:
        return recalls[0], recalls[1], {}
    # A removed paragraph's 4-grams with the edges of its neighbours: a 4-gram across a boundary
    # is lost with the paragraph.
    paragraphs = extracted_text.split("\n\n")
    by_reason: dict[str, Counter] = {}
    for r in removed:
        before = scorer.tokenize(paragraphs[r.position - 1])[-3:] if r.position else []
        after = scorer.tokenize(paragraphs[r.position + 1])[:3] if r.position + 1 < len(paragraphs) else []
        edged = scorer.shingles([*before, *scorer.tokenize(r.text), *after])
        by_reason.setdefault(r.reason, Counter()).update(edged)
    tree = load_html(html)
    options_text = (trafilatura.extract(tree, url=url or None, **_OPTIONS) or "") if tree is not None else ""
    with_options, in_extracted = _grams(scorer, options_text), _grams(scorer, extracted_text)
    loss: Loss = {}
    for gram, count in lost.items():
        step = next((reason for reason, grams_ in by_reason.items() if gram in grams_), None)
        if step is None:
            if gram in in_extracted:
                step = "clean: joins"
            elif gram not in with_options:
                step = "extract: options"
            else:
                step = "extract: repairs"
        loss[step] = loss.get(step, 0) + count
    return recalls[0], recalls[1], loss


@functools.cache
def _scorer():
    return load_scorer(SHARED)


def _grams(scorer, text: str) -> Counter:
    return scorer.shingles(scorer.tokenize(text)) if text else Counter()


def _recall(scorer, truth: str, text: str) -> float:
    tp, fp, fn = scorer.page_tp_fp_fn(truth, text)
    return scorer.recall(tp, fp, fn)


def _job(args: tuple[str, str, str, str | None, str]) -> tuple[float, float, Loss]:
    path, _, url, language, truth = args
    return page_loss(Path(path).read_bytes(), url, language, truth)


def diagnose(corpora: list[str], gap: float, workers: int) -> str:
    """The table of recall loss by step over the pages of `corpora` behind bare trafilatura."""
    lines = []
    for name in corpora:
        manifest = load_manifest(SHARED / name)
        jobs = [(str(SHARED / name / "pages" / f"{p['id']}.html"), p["id"], p.get("url") or "",
                 p.get("lang"), p.get("body") or "") for p in manifest]
        with ProcessPoolExecutor(workers) as pool:
            results = list(pool.map(_job, jobs, chunksize=4))
        behind = [(ours, bare, loss) for ours, bare, loss in results if ours < bare - gap]
        total: Counter = Counter()
        pages: Counter = Counter()
        for _, _, loss in behind:
            total.update(loss)
            pages.update(loss.keys())
        all_lost = sum(total.values()) or 1
        lines += [f"{name}: {len(behind)} of {len(manifest)} pages with newsmill recall more than "
                  f"{gap} below bare trafilatura's; {sum(total.values())} 4-grams lost", "",
                  "| step | 4-grams lost | pages | share |", "|---|---|---|---|"]
        lines += [f"| {step} | {n} | {pages[step]} | {n / all_lost:.0%} |" for step, n in total.most_common()]
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", action="append", help="corpus under ../shared (repeatable; default: corpus-web, corpus)")
    parser.add_argument("--gap", type=float, default=0.1, help="recall gap a page must exceed (default: %(default)s)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    print(diagnose(args.corpus or ["corpus-web", "corpus"], args.gap, args.workers))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
