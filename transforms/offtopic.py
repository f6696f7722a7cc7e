"""Off-topic paragraphs: a story of the same language dropped into the article.

Two stages. `lexical_coherence`, a lexical test that costs about a millisecond and works in any
language, picks the few suspects; the model (`transforms.topic.embed`) confirms them, by the best
cosine of a suspect with the title and the paragraphs central to the story (`_by_model`). In
languages the model cannot read, the lexical test decides alone, for long paragraphs only
(`_by_words`).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Container
from statistics import median

import numpy as np

from transforms.boilerplate import LIST_ITEM
from transforms.language import CJK, word_count
from transforms.topic import embed

STEM = 5  # letters of a word's prefix that stand for its stem (`content_units`)
# The languages the model reads: MiniLM reads English only; on other languages every paragraph
# scores alike, so no threshold tells an insert apart, and those are judged by words alone.
MODEL_LANGUAGES = frozenset({"en"})
TOPIC_MIN_WORDS = 15
TOPIC_SUSPECT_BELOW = 0.03  # lexical_coherence: TF-IDF cosine of stems with the article
TOPIC_MAX_SUSPECTS = 3
TOPIC_CONTEXT = 8  # the most coherent paragraphs that stand for the story, with the title
TOPIC_CONTEXT_FIRST = 4  # embedded first; the rest only if a suspect is still unvouched for
TOPIC_MIN_PARAGRAPHS = 4  # of TOPIC_MIN_WORDS+ words; fewer: too little story to judge against
OFFTOPIC_MAX_COSINE = 0.2  # highest cosine with the title and the central paragraphs
# Other languages, judged by words alone (`_by_words`). A genuine paragraph of moderate
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
_LETTERS = re.compile(r"[^\W\d_]+")


def offtopic(
    paragraphs: list[str], title: str | None, language: str | None, removed: Container[int]
) -> dict[int, float]:
    """Paragraphs of another story among those not `removed` yet: index -> 1 - cosine with the
    article (how sure); by the model in the languages it reads, else by words alone."""
    judge = _by_model if language in MODEL_LANGUAGES else _by_words
    return judge(paragraphs, title, removed)


def _by_model(
    paragraphs: list[str], title: str | None, removed: Container[int]
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
    kept = [i for i in range(len(paragraphs)) if i not in removed]
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


def _by_words(
    paragraphs: list[str], title: str | None, removed: Container[int]
) -> dict[int, float]:
    """Paragraphs of another story in a language the model cannot read: index -> 1 - cosine.

    Words alone decide, so only where they are strong evidence: a long paragraph (WORDS_MIN_UNITS
    content units; a short one shares no stem with the story by chance) with almost no stem in
    common with the title and the text (WORDS_BELOW, leaving out a neighbour that is itself apart,
    see `lexical_coherence`), in a story whose other paragraphs do share theirs (WORDS_MIN_STORY).
    Never the lead, a quote, a list item, a sign-off or a record of fields ("Name: … Age: …").
    """
    kept = [i for i in range(len(paragraphs)) if i not in removed]
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


def lexical_coherence(paragraphs: list[str], title: str | None, below: float) -> list[float]:
    """For each paragraph, the TF-IDF cosine of its content units with the title and the other
    paragraphs, leaving out a neighbour that is itself under `below` without its own neighbours.

    Units are 5-letter prefixes of words of 5+ letters (a crude stem that works for inflected
    languages) and pairs of CJK characters; idf is over the article's paragraphs, so the names and
    terms a story repeats weigh less than the rare ones a paragraph shares with few others. A stray
    insert often comes as two paragraphs of one other story, which share their words with each
    other and with nothing else: such a neighbour cannot vouch for a paragraph, while a neighbour
    that belongs to the story can. A paragraph without units scores 1.0 (nothing to judge). Costs
    about a millisecond per article.
    """
    units = [content_units(p) for p in paragraphs]
    df: Counter[str] = Counter()
    for u in units:
        df.update(u)
    n = len(units)
    idf = {x: math.log(1 + n / c) for x, c in df.items()}
    title_units = content_units(title) if title else set()
    total: Counter[str] = Counter({x: idf.get(x, math.log(1 + n)) for x in title_units})
    for u in units:
        total.update({x: idf[x] for x in u})

    def cosine(k: int, left_out: list[int]) -> float:
        if not units[k]:
            return 1.0
        context = total.copy()
        for j in left_out:
            context.subtract({x: idf[x] for x in units[j]})
        dot = sum(idf[x] * context[x] for x in units[k])
        norm = math.sqrt(sum(idf[x] ** 2 for x in units[k])) * math.sqrt(
            sum(w * w for w in context.values() if w > 1e-9)
        )
        return dot / norm if norm else 0.0

    near = [[j for j in (k - 1, k + 1) if 0 <= j < n] for k in range(n)]
    distant = [cosine(k, [k, *near[k]]) for k in range(n)]
    return [cosine(k, [k, *(j for j in near[k] if distant[j] < below)]) for k in range(n)]


def content_units(text: str) -> set[str]:
    """The units `lexical_coherence` compares: 5-letter stems of 5+ letter words, CJK pairs."""
    text = text.lower()
    chars = CJK.findall(text)
    units = {a + b for a, b in zip(chars, chars[1:], strict=False)}
    units.update(w[:STEM] for w in _LETTERS.findall(CJK.sub(" ", text)) if len(w) >= STEM)
    return units
