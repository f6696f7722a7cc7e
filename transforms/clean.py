"""Cleaning of an extracted article: judge each paragraph and keep only the article's own.

Extractors keep whatever sits in the article's container as plain paragraphs: teasers, sign-ups,
stray snippets of other stories in other languages. Each rule here removes a paragraph only with a
stated reason and score, so every removal can be audited in `removed.parquet`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from statistics import median

import numpy as np

from transforms.boilerplate import (
    LIST_ITEM,
    before_headline,
    comments_cut,
    headline_index,
    list_like,
    markup_share,
    ticker_runs,
    trailing_run,
)
from transforms.consensus import unsupported
from transforms.extract import Extracted
from transforms.language import CJK, identify, same_language, word_count
from transforms.repeats import repeated_runs
from transforms.teasers import promo_reason, related_header
from transforms.topic import content_units, embed, lexical_coherence

# A paragraph goes as foreign only when language ID is this sure of it and it has this many words
# (a title-case headline needs more): weaker or shorter detections misname genuine lines.
FOREIGN_MIN_SCORE = 0.6
FOREIGN_MIN_WORDS = 6
TITLE_CASE_MIN_SCORE = 0.9
# Neighbours of a foreign paragraph: see _grow_foreign_runs.
NEIGHBOUR_MIN_SCORE = 0.3
HEADLINE_MAX_WORDS = 18
MIN_MARKUP_SHARE = 0.3  # of a paragraph's characters in HTML tags: leaked markup, not text
LIST_MIN_WORDS = 15  # a list item shorter than this is judged by patterns only
# The detected language must cover this many words and most of the text, else the source's wins.
ARTICLE_MIN_SCORE = 0.5
ARTICLE_MIN_WORDS = 10
_DIGITS = re.compile(r"[\d_]+")
_LETTERS = re.compile(r"[^\W\d_]+")
# Off-topic paragraphs (a story of the same language dropped into the article): see _offtopic.
# MiniLM reads English only: on other languages every paragraph scores alike, so no threshold
# tells an insert apart; those are judged by words alone.
TOPIC_LANGUAGES = frozenset({"en"})
TOPIC_MIN_WORDS = 15
TOPIC_SUSPECT_BELOW = 0.03  # lexical_coherence: TF-IDF cosine of stems with the article
TOPIC_MAX_SUSPECTS = 3
TOPIC_CONTEXT = 8  # the most coherent paragraphs that stand for the story, with the title
TOPIC_CONTEXT_FIRST = 4  # embedded first; the rest only if a suspect is still unvouched for
TOPIC_MIN_PARAGRAPHS = 4  # of TOPIC_MIN_WORDS+ words; fewer: too little story to judge against
OFFTOPIC_MAX_COSINE = 0.2  # highest cosine with the title and the central paragraphs
# Other languages, judged by words alone (`_offtopic_by_words`). A genuine paragraph of moderate
# length can share no stem with its story (the model would keep it, words alone cannot tell), so
# the length gate sits above such paragraphs: a lower one removes genuine text, a higher one lets
# more inserts through.
WORDS_BELOW = 0.012
WORDS_MIN_UNITS = 20  # 5-letter stems of 5+ letter words
WORDS_MIN_UNITS_CJK = 80  # CJK character pairs: weaker units; a genuine side thread can be long
WORDS_MIN_STORY = 0.02  # median coherence of the other paragraphs
# A quote or an interview answer ("A: ...", "Q:") strays from the story's words more than reporting
# does (a vox pop, an aside): it goes only when far from every part of the story. The threshold
# sits between inserted quotes and genuine ones: higher removes genuine quotes, lower keeps inserts.
QUOTE_MAX_COSINE = 0.12
_QUOTE_OPEN = re.compile(r"^\W{0,3}[\"'“”„«‘’‚‹›「『]|^\w{1,3}\s?:")
_SIGN_OFF = re.compile(
    r"\b(?:reporting|writing|editing|compiled|additional reporting|contributed|contributing)\s+by\b"
    r"|^\W*(?:by|source|sources|photo|credit)\b",
    re.IGNORECASE,
)
_FIELD = re.compile(r"[^\W\d_][^\s:：]{0,15}\s?[:：]\s?\S")  # "Name: …", "姓名：…"
_LINK = re.compile(r"^\s*(?:https?://|www\.)\S*\s*$", re.IGNORECASE)


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


def article_language(
    paragraphs: list[str], detected: list[tuple[str | None, float]], fallback: str | None
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

    `reference` is a second extractor's text of the page (see `transforms.consensus`); empty, the
    agreement check is skipped.
    """
    identified = [identify(p) for p in paragraphs]
    language = article_language(paragraphs, identified, fallback_language)
    # Only prose is judged: the language of a table row, a link or a short list item means nothing.
    detected = [
        d if _judged_for_language(p) else (None, 0.0)
        for p, d in zip(paragraphs, identified, strict=True)
    ]
    verdicts: dict[int, tuple[str, float]] = {i: ("repeated", 1.0) for i in repeated_runs(paragraphs)}
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
        lang, score = detected[i]
        threshold = TITLE_CASE_MIN_SCORE if _title_case(paragraph) else FOREIGN_MIN_SCORE
        if (
            _foreign(lang, language)
            and score >= threshold
            and _language_words(paragraph) >= FOREIGN_MIN_WORDS
        ):
            verdicts[i] = ("foreign_language", score)
    _grow_foreign_runs(paragraphs, detected, language, verdicts)
    for i in comments_cut(paragraphs, set(verdicts)):
        verdicts[i] = ("comments", 1.0)
    for i in _after_related_header(paragraphs, verdicts):
        verdicts[i] = ("related", 1.0)
    for i in before_headline(paragraphs, title):
        verdicts.setdefault(i, ("before_headline", 1.0))
    for i in trailing_run(paragraphs, set(verdicts)):
        verdicts[i] = ("trailing_list", 1.0)
    for i in ticker_runs(paragraphs, set(verdicts)):
        verdicts[i] = ("ticker", 1.0)
    judge = _offtopic if language in TOPIC_LANGUAGES else _offtopic_by_words
    for i, score in judge(paragraphs, title, verdicts).items():
        verdicts[i] = ("offtopic", score)
    for i, support in _unsupported(paragraphs, title, reference, verdicts).items():
        verdicts[i] = ("not_in_reference", 1.0 - support)
    kept = [p for i, p in enumerate(paragraphs) if i not in verdicts]
    removed = [Removed(i, paragraphs[i], *verdicts[i]) for i in sorted(verdicts)]
    return Cleaned("\n\n".join(kept), language, removed)


def _unsupported(
    paragraphs: list[str],
    title: str | None,
    reference: str,
    verdicts: dict[int, tuple[str, float]],
) -> dict[int, float]:
    """Kept paragraphs the second extractor does not read as the article (index -> support);
    the headline is never judged: readability leaves it out."""
    if not reference:
        return {}
    kept = [i for i in range(len(paragraphs)) if i not in verdicts]
    texts = [paragraphs[i] for i in kept]
    headline = headline_index(texts, title)
    protected = set() if headline is None else {headline}
    return {kept[j]: s for j, s in unsupported(texts, reference, protected).items()}


def _after_related_header(
    paragraphs: list[str], verdicts: dict[int, tuple[str, float]]
) -> list[int]:
    """The link lines after a bare "Related" header in the second half of the text.

    The block ends at the first paragraph that reads as prose, where the story may go on; headers in the first
    half are skipped, as there a link box more often sits inside the story.
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


def _grow_foreign_runs(
    paragraphs: list[str],
    detected: list[tuple[str | None, float]],
    language: str | None,
    verdicts: dict[int, tuple[str, float]],
) -> None:
    """Extend each foreign paragraph to its neighbours of the same insert.

    An inserted story comes as a headline plus text; the headline and a short or weakly detected
    next paragraph miss the main rule. A neighbour goes when it is detected (even weakly) as the
    same foreign language, or, just before the run, when it is a short line not in the article's
    language (a headline, which language ID often misnames).
    """
    queue = [i for i, (reason, _) in verdicts.items() if reason == "foreign_language"]
    while queue:
        i = queue.pop()
        run_lang = detected[i][0]
        for j in (i - 1, i + 1):
            if j < 0 or j >= len(paragraphs) or j in verdicts:
                continue
            lang, score = detected[j]
            if not _foreign(lang, language):
                continue
            same = same_language(lang, run_lang) and score >= NEIGHBOUR_MIN_SCORE
            headline = j == i - 1 and word_count(paragraphs[j]) < HEADLINE_MAX_WORDS
            if same or headline:
                verdicts[j] = ("foreign_language", score)
                queue.append(j)


def _offtopic(
    paragraphs: list[str], title: str | None, verdicts: dict[int, tuple[str, float]]
) -> dict[int, float]:
    """Paragraphs of another story: index -> 1 - cosine with the article (how sure).

    A cheap lexical test (TF-IDF cosine of word stems with the title and the text, leaving out a
    neighbour that is itself apart from the text, so a two-paragraph insert cannot vouch for
    itself; see `lexical_coherence`) picks the few suspects; only those are embedded, with the
    title and the paragraphs most central to the story, in one inference call (a second one adds
    more of the story only while a suspect is unvouched for), and each goes when none of them
    vouches for it (see `_vouched`); a quote needs to be further still (QUOTE_MAX_COSINE). Sign-offs
    and short paragraphs are never judged.
    """
    kept = [i for i in range(len(paragraphs)) if i not in verdicts]
    texts = [paragraphs[i] for i in kept]
    if sum(word_count(text) >= TOPIC_MIN_WORDS for text in texts) < TOPIC_MIN_PARAGRAPHS:
        return {}
    lexical = lexical_coherence(texts, title, TOPIC_SUSPECT_BELOW)
    suspects = sorted(
        (
            k
            for k, text in enumerate(texts)
            if lexical[k] < TOPIC_SUSPECT_BELOW
            and word_count(text) >= TOPIC_MIN_WORDS
            and not _SIGN_OFF.search(text)
        ),
        key=lexical.__getitem__,
    )[:TOPIC_MAX_SUSPECTS]
    if not suspects:
        return {}
    others = [k for k in range(len(texts)) if k not in suspects]
    central = sorted(others, key=lambda k: -lexical[k])[:TOPIC_CONTEXT]
    members = [*suspects, *central[:TOPIC_CONTEXT_FIRST]]
    vectors = embed([texts[k] for k in members] + ([title] if title else []))
    best = _vouched(suspects, members, vectors)
    if min(best.values()) < OFFTOPIC_MAX_COSINE and len(central) > TOPIC_CONTEXT_FIRST:
        more = central[TOPIC_CONTEXT_FIRST:]
        n = len(members)
        vectors = np.vstack([vectors[:n], embed([texts[k] for k in more]), vectors[n:]])
        members += more
        best = _vouched(suspects, members, vectors)
    return {
        kept[k]: round(1.0 - best[k], 3)
        for k in suspects
        if best[k] < (QUOTE_MAX_COSINE if _QUOTE_OPEN.match(texts[k]) else OFFTOPIC_MAX_COSINE)
    }


def _offtopic_by_words(
    paragraphs: list[str], title: str | None, verdicts: dict[int, tuple[str, float]]
) -> dict[int, float]:
    """Paragraphs of another story in a language the model cannot read: index -> 1 - cosine.

    Words alone decide, so only where they are strong evidence: a long paragraph (WORDS_MIN_UNITS
    content units; a short one shares no stem with the story by chance) with almost no stem in
    common with the title and the text (WORDS_BELOW, leaving out a neighbour that is itself apart,
    see `lexical_coherence`), in a story whose other paragraphs do share theirs (WORDS_MIN_STORY).
    Never the lead, a quote, a list item, a sign-off or a record of fields ("Name: … Age: …").
    """
    kept = [i for i in range(len(paragraphs)) if i not in verdicts]
    texts = [paragraphs[i] for i in kept]
    judged = [k for k, text in enumerate(texts) if word_count(text) >= TOPIC_MIN_WORDS]
    if len(judged) < TOPIC_MIN_PARAGRAPHS:
        return {}
    lexical = lexical_coherence(texts, title, WORDS_BELOW)
    return {
        kept[k]: round(1.0 - lexical[k], 3)
        for k in judged[1:]
        if lexical[k] < WORDS_BELOW
        and _long_enough(texts[k])
        and median(lexical[j] for j in judged if j != k) >= WORDS_MIN_STORY
        and not _QUOTE_OPEN.match(texts[k])
        and not LIST_ITEM.match(texts[k])
        and not _SIGN_OFF.search(texts[k])
        and len(_FIELD.findall(texts[k])) < 2
    }


def _long_enough(text: str) -> bool:
    """Whether a paragraph carries enough content units for words alone to judge it."""
    cjk = len(CJK.findall(text)) * 3 > len(text)
    return len(content_units(text)) >= (WORDS_MIN_UNITS_CJK if cjk else WORDS_MIN_UNITS)


def _vouched(suspects: list[int], members: list[int], vectors: np.ndarray) -> dict[int, float]:
    """Each suspect's best cosine with the title (the row after the members', if any) and the
    other members (paragraph indexes, suspects first; `vectors` has one row each).

    The best match rather than the mean: a genuine paragraph may take up one thread of the story
    only (the rescue, the cost), while a paragraph of another story is close to none of it. A
    neighbouring suspect may be the rest of the same insert, so it vouches only once it is itself
    confirmed on the topic: then two genuine paragraphs on a side thread keep each other.
    """
    similarity = vectors[: len(suspects)] @ vectors.T
    confirmed: set[int] = set()
    while True:
        best = {}
        for row, k in enumerate(suspects):
            usable = [
                s
                for col, s in enumerate(similarity[row])
                if col != row
                and (
                    col >= len(members)
                    or members[col] not in suspects
                    or abs(members[col] - k) > 1
                    or members[col] in confirmed
                )
            ]
            best[k] = float(max(usable, default=1.0))
        on_topic = {k for k in suspects if best[k] >= OFFTOPIC_MAX_COSINE}
        if on_topic <= confirmed:
            return best
        confirmed |= on_topic
