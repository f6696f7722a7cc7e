"""Paragraphs in another language than the article's (removal reason `foreign_language`).

The article's language is detected over its whole text; a paragraph goes when language ID is sure
it is another one, and the run it starts grows to the neighbours of the same insert (its headline,
a short or weakly detected next paragraph), which the main test misses.
"""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass

from transforms.boilerplate import LIST_ITEM
from transforms.language import identify, same_language, word_count

# A paragraph goes as foreign only when language ID is this sure of it and it has this many words
# (a title-case headline needs more): weaker or shorter detections misname genuine lines.
FOREIGN_MIN_SCORE = 0.6
FOREIGN_MIN_WORDS = 6
TITLE_CASE_MIN_SCORE = 0.9
# A paragraph detected as foreign is confirmed on its words without the capitalised ones (names)
# when at least FOREIGN_MIN_WORDS of them remain; see _names_aside.
# Neighbours of a foreign paragraph: see foreign_neighbours.
NEIGHBOUR_MIN_SCORE = 0.3
HEADLINE_MAX_WORDS = 18
LIST_MIN_WORDS = 15  # a list item shorter than this is judged by patterns only
# The detected language must cover this many words and most of the text, else the source's wins.
ARTICLE_MIN_SCORE = 0.5
ARTICLE_MIN_WORDS = 10
_DIGITS = re.compile(r"[\d_]+")
_LETTERS = re.compile(r"[^\W\d_]+")
_LINK = re.compile(r"^\s*(?:https?://|www\.)\S*\s*$", re.IGNORECASE)

Detected = tuple[str | None, float]  # a language and its probability; (None, 0.0): none


@dataclass(frozen=True, slots=True)
class Languages:
    """The article's language and each paragraph's, as the foreign-language rule judges them."""

    article: str | None
    paragraphs: list[Detected]  # (None, 0.0) for a paragraph whose language means nothing


def languages(paragraphs: list[str], fallback: str | None) -> Languages:
    """Detect the article's language (else `fallback`, the source's) and each paragraph's."""
    identified = [identify(p) for p in paragraphs]
    article = article_language(paragraphs, identified, fallback)
    # Only prose is judged: the language of a table row, a link or a short list item means nothing.
    detected = [
        d if _judged_for_language(p) else (None, 0.0)
        for p, d in zip(paragraphs, identified, strict=True)
    ]
    return Languages(article, detected)


def article_language(
    paragraphs: list[str], detected: list[Detected], fallback: str | None
) -> str | None:
    """The article's language, detected over its whole text, else the source's configured one.

    Detection is summed over paragraphs weighted by their words rather than run on the joined text,
    so a page opening with a few lines in another language is still judged by its bulk.
    """
    weight: dict[str, int] = {}
    for paragraph, (lang, score) in zip(paragraphs, detected, strict=True):
        if lang and score >= ARTICLE_MIN_SCORE:
            weight[lang] = weight.get(lang, 0) + word_count(paragraph)
    if weight:
        lang, words = max(weight.items(), key=lambda item: item[1])
        if words >= ARTICLE_MIN_WORDS and 2 * words > sum(weight.values()):
            return lang
    return fallback or (max(weight, key=weight.__getitem__) if weight else None)


def foreign_score(paragraph: str, detected: Detected, language: str | None) -> float | None:
    """The probability that `paragraph` is in another language than `language`, if it goes."""
    lang, score = detected
    threshold = TITLE_CASE_MIN_SCORE if _title_case(paragraph) else FOREIGN_MIN_SCORE
    if (
        _foreign(lang, language)
        and score >= threshold
        and _language_words(paragraph) >= FOREIGN_MIN_WORDS
        and not _names_aside(paragraph, language)
    ):
        return score
    return None


def _names_aside(paragraph: str, language: str | None) -> bool:
    """Whether the paragraph's words without the capitalised ones read as the article's language.

    Names ("Fritz Eckart von Weizsäcker") read as any language and can tip a paragraph of the
    article's own language to another; with them left out, its running words say which it is.
    An insert in another language keeps its own running words (German capitalises its nouns, not
    its verbs and articles), so it still goes. Runs only for a paragraph about to be removed.
    """
    words = _LETTERS.findall(paragraph)
    rest = [w for w in words if not w[0].isupper()]
    if len(rest) < FOREIGN_MIN_WORDS or len(rest) == len(words):
        return False
    lang, score = identify(" ".join(rest))
    return same_language(lang, language) and score >= FOREIGN_MIN_SCORE


def foreign_neighbours(
    paragraphs: list[str], langs: Languages, foreign: list[int], removed: Container[int]
) -> dict[int, float]:
    """The neighbours of the `foreign` paragraphs that belong to the same insert: index -> score.

    An inserted story comes as a headline plus text; the headline and a short or weakly detected
    next paragraph miss the main rule. A neighbour goes when it is detected (even weakly) as the
    same foreign language, or, just before the run, when it is a short line not in the article's
    language (a headline, which language ID often misnames). Paragraphs already `removed` are not
    judged.
    """
    detected = langs.paragraphs
    grown: dict[int, float] = {}
    queue = list(foreign)
    while queue:
        i = queue.pop()
        run_lang = detected[i][0]
        for j in (i - 1, i + 1):
            if j < 0 or j >= len(paragraphs) or j in removed or j in grown:
                continue
            lang, score = detected[j]
            if not _foreign(lang, langs.article):
                continue
            same = same_language(lang, run_lang) and score >= NEIGHBOUR_MIN_SCORE
            headline = j == i - 1 and word_count(paragraphs[j]) < HEADLINE_MAX_WORDS
            if same or headline:
                grown[j] = score
                queue.append(j)
    return grown


def _foreign(lang: str | None, language: str | None) -> bool:
    return bool(lang and language) and not same_language(lang, language)


def _judged_for_language(paragraph: str) -> bool:
    """Table rows, links and short list items are names, figures and titles: no language to judge."""
    if paragraph.startswith("|") or _LINK.match(paragraph):
        return False
    return not (LIST_ITEM.match(paragraph) and word_count(paragraph) < LIST_MIN_WORDS)


def _title_case(paragraph: str) -> bool:
    """A headline in title case: language ID reads capitalised names as any language."""
    words = [w for w in _LETTERS.findall(paragraph) if len(w) > 3]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.8 * len(words)


def _language_words(paragraph: str) -> int:
    return word_count(_DIGITS.sub(" ", paragraph))
