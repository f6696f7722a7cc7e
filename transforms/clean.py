"""Cleaning of an extracted article: which rule judges each paragraph, in which order, and why.

Extractors keep whatever sits in the article's container as plain paragraphs: teasers, sign-ups,
stray snippets of other stories. Each rule removes a paragraph only with a stated reason and score,
so every removal can be audited in `removed.parquet`. The rules live in their own modules
(`repeats`, `teasers`, `boilerplate`, `foreign`, `offtopic`, `reference`); this one runs them in
order, a paragraph removed by one rule not judged by the later ones, and keeps what none removes.
"""

from __future__ import annotations

from dataclasses import dataclass

from transforms.boilerplate import (
    before_headline,
    comments_cut,
    dateline,
    headline_index,
    list_like,
    markup_share,
    ticker_runs,
    trailing_run,
)
from transforms.extract import Extracted
from transforms.foreign import foreign_neighbours, foreign_score, languages
from transforms.offtopic import offtopic
from transforms.reference import in_reference, not_in_reference, reference_pairs
from transforms.repeats import repeated_runs
from transforms.teasers import promo_reason, related_header

MIN_MARKUP_SHARE = 0.3  # of a paragraph's characters in HTML tags: leaked markup, not text


@dataclass(frozen=True, slots=True)
class Removed:
    """A paragraph taken out of the extracted text, with why and how sure."""

    position: int  # paragraph index in the extracted text
    text: str
    reason: str
    score: float


@dataclass(frozen=True, slots=True)
class Cleaned:
    text: str
    language: str | None
    removed: list[Removed]


def clean_article(extracted: Extracted, fallback_language: str | None = None) -> Cleaned:
    """Remove the paragraphs that are not the article; see `clean_paragraphs`."""
    return clean_paragraphs(
        extracted.paragraphs, fallback_language, extracted.title, extracted.reference
    )


def clean_paragraphs(
    paragraphs: list[str],
    fallback_language: str | None = None,
    title: str | None = None,
    reference: str = "",
) -> Cleaned:
    """Judge each paragraph; return the kept text (joined by a blank line) and what was removed.

    `reference` is readability's text of the page (see `transforms.reference`); empty, the
    `not_in_reference` rule is skipped.
    """
    langs = languages(paragraphs, fallback_language)
    verdicts: dict[int, tuple[str, float]] = {
        i: ("repeated", 1.0) for i in repeated_runs(paragraphs)
    }
    for i, paragraph in enumerate(paragraphs):
        if i in verdicts:
            continue
        reason = promo_reason(paragraph)
        if reason:
            verdicts[i] = (reason, 1.0)
            continue
        markup = markup_share(paragraph)
        if markup >= MIN_MARKUP_SHARE:
            verdicts[i] = ("markup", round(markup, 3))
            continue
        score = foreign_score(paragraph, langs.paragraphs[i], langs.article)
        if score is not None:
            verdicts[i] = ("foreign_language", score)
    foreign = [i for i, (reason, _) in verdicts.items() if reason == "foreign_language"]
    for i, score in foreign_neighbours(paragraphs, langs, foreign, verdicts).items():
        verdicts[i] = ("foreign_language", score)
    for i in comments_cut(paragraphs, set(verdicts)):
        verdicts[i] = ("comments", 1.0)
    for i in _after_related_header(paragraphs, verdicts):
        verdicts[i] = ("related", 1.0)
    for i in before_headline(paragraphs, title):
        verdicts.setdefault(i, ("before_headline", 1.0))
    pairs = reference_pairs(reference)
    for i in trailing_run(paragraphs, set(verdicts), lambda p: in_reference(p, pairs)):
        verdicts[i] = ("trailing_list", 1.0)
    for i in ticker_runs(paragraphs, set(verdicts)):
        verdicts[i] = ("ticker", 1.0)
    for i, score in offtopic(paragraphs, title, langs.article, verdicts).items():
        verdicts[i] = ("offtopic", score)
    for i, support in _kept_not_in_reference(paragraphs, title, reference, verdicts).items():
        verdicts[i] = ("not_in_reference", 1.0 - support)
    for i, paragraph in enumerate(paragraphs):
        if i not in verdicts and dateline(paragraph):
            verdicts[i] = ("dateline", 1.0)
    kept = [p for i, p in enumerate(paragraphs) if i not in verdicts]
    removed = [Removed(i, paragraphs[i], *verdicts[i]) for i in sorted(verdicts)]
    return Cleaned("\n\n".join(kept), langs.article, removed)


def _kept_not_in_reference(
    paragraphs: list[str],
    title: str | None,
    reference: str,
    verdicts: dict[int, tuple[str, float]],
) -> dict[int, float]:
    """Kept paragraphs not in the reference (index -> support); the headline is never judged:
    readability leaves it out."""
    if not reference:
        return {}
    kept = [i for i in range(len(paragraphs)) if i not in verdicts]
    texts = [paragraphs[i] for i in kept]
    headline = headline_index(texts, title)
    protected = set() if headline is None else {headline}
    return {kept[j]: s for j, s in not_in_reference(texts, reference, protected).items()}


def _after_related_header(
    paragraphs: list[str], verdicts: dict[int, tuple[str, float]]
) -> list[int]:
    """The link lines after a bare "Related" header in the second half of the text.

    The block ends at the first paragraph that reads as prose, where the story may go on; headers
    in the first half are skipped, as there a link box more often sits inside the story.
    """
    for i in range(len(paragraphs) // 2, len(paragraphs)):
        if related_header(paragraphs[i]):
            block = []
            for j in range(i + 1, len(paragraphs)):
                if not list_like(paragraphs[j]):
                    break
                if j not in verdicts:
                    block.append(j)
            return block
    return []
