"""The reference: readability's reading of the same page, a second opinion on where the article is.

trafilatura keeps whatever sits in or near the article's container: link lists, reader posts,
menus, the next story. readability (the fork bundled with trafilatura) scores blocks
differently and mostly stops at the article's edges, but drops headlines and leads more often. So
neither replaces the other: when the reference lies almost wholly inside trafilatura's text, the
two agree on where the article is, and a paragraph of trafilatura's whose word pairs the reference
does not contain is taken for page furniture (removal reason `not_in_reference`). When they
disagree, nothing is judged.
"""

from __future__ import annotations

from copy import deepcopy

from lxml.html import HtmlElement
from trafilatura.external import try_readability

from transforms.boilerplate import LIST_ITEM
from transforms.language import tokens

MIN_REFERENCE_TOKENS = 30  # a shorter reading is no evidence of where the article is
MIN_CONTAINED = 0.8  # share of the reference's tokens found in the extracted text
MIN_COVERAGE = 0.1  # the reference's length against ours: less is one fragment of the article
# Share of a paragraph's word pairs the reference must contain to keep it. Pairs, not words: a
# reader's post about the story shares its words, seldom its phrases.
MIN_SUPPORT = 0.3
# Longer paragraphs inside the article are left alone (prose readability cut short); after
# the reference's last paragraph every paragraph is judged (the next story, a reader's post).
MAX_JUDGED_TOKENS = 40
MIN_LEAD_TOKENS = 12  # a sentence this long above the reference's first paragraph is a lead
# A reference under this share of our text may be one section of a sectioned article (a guide's or
# a listicle's headed parts in blocks of their own, of which readability keeps the best scored).
MAX_FRAGMENT_COVERAGE = 0.5
# ... and it is one when what it leaves out is sentences, averaging this many tokens a paragraph;
# menus and headline lists, which it rightly leaves out, are short lines.
MIN_PROSE_TOKENS = 15
# A list item between the reference's first and last paragraphs stays when this share of its words
# (MIN_WORD_LENGTH+ letters) recur in the paragraphs the reference supports: a guide's or a
# listicle's items, which readability leaves out with the menus, name the article's own subject;
# a link list's or a headline column's lines name other things.
MIN_ITEM_TOPIC_SHARE = 0.25
MIN_WORD_LENGTH = 4
# readability may stop at the end of one block of the article (a guide's list, before its closing
# section and FAQ). A sentence after the reference's last paragraph that shares this much of its
# words with the supported text carries the article on, so the judging of what follows it
# starts after it...
MIN_SENTENCE_TOPIC_SHARE = 0.4
# ... as long as such sentences follow each other with at most this many other lines between (a
# heading, a question over its answer).
MAX_READ_ON_GAP = 2
# A section heading between two paragraphs the reference reads stays (readability drops headings):
# a line of at most this many tokens, with a letter, not closed like a sentence or a clause and
# without a colon (a "Source: ..." or "Photo: ..." label is no heading), right under a sentence or
# a list item (the end of the section before).
MAX_HEADING_TOKENS = 12
_NOT_HEADING_ENDS = (".", "!", "?", ":", ";", ",", "…", "。", "！", "？", "：", "；", "，")
_STOPS = (".", "!", "?", "。", "！", "？", "…", "»", '"', "”")


def reference_text(tree: HtmlElement) -> str:
    """The reference of a parsed page: readability's main text (read on a copy: readability edits
    the tree)."""
    return " ".join(try_readability(deepcopy(tree)).itertext())


def not_in_reference(
    paragraphs: list[str], reference: str, protected: set[int] = frozenset()
) -> dict[int, float]:
    """The paragraphs the reference does not contain, with their support (share of word pairs
    contained): short ones anywhere, any after the reference's last paragraph, none that reads as
    a lead above its first, nor, between its first and last, a list item on the article's topic
    or the line ending in a colon that introduces a list which stays.
    `protected` paragraphs (the headline, which readability leaves out) are never judged.
    """
    ref_tokens = tokens(reference)
    per_paragraph = [tokens(p) for p in paragraphs]
    ours = {t for ts in per_paragraph for t in ts}
    if (
        len(ref_tokens) < MIN_REFERENCE_TOKENS
        or sum(t in ours for t in ref_tokens) < MIN_CONTAINED * len(ref_tokens)
        or len(ref_tokens) < MIN_COVERAGE * sum(map(len, per_paragraph))
    ):
        return {}
    ref = set(_pairs(ref_tokens))
    support = [_share(_pairs(ts), ref) for ts in per_paragraph]
    agreed = [i for i, s in enumerate(support) if s >= MIN_SUPPORT]
    first, last = (agreed[0], agreed[-1]) if agreed else (len(paragraphs), -1)
    supported = {t for i in agreed for t in per_paragraph[i] if len(t) >= MIN_WORD_LENGTH}
    last = _read_on(paragraphs, per_paragraph, last, supported)
    judged = {
        i: s
        for i, s in enumerate(support)
        if s < MIN_SUPPORT
        and i not in protected
        and not (i < first and _prose(paragraphs[i], per_paragraph[i]))
        and (i > last or len(per_paragraph[i]) <= MAX_JUDGED_TOKENS)
    }
    if _fragment(len(ref_tokens), per_paragraph, judged):
        return {}
    items = {
        i
        for i in judged
        if first < i < last and _on_topic_item(paragraphs[i], per_paragraph[i], supported)
    }
    kept = items | {i for i in judged if first < i < last and _heading(paragraphs, i, support)}
    return {
        i: s
        for i, s in judged.items()
        if i not in kept and not (first < i < last and _introduces(paragraphs, i, judged, items))
    }


def _heading(paragraphs: list[str], i: int, support: list[float]) -> bool:
    """A section heading of the article: a short line with a letter, not closed like a sentence
    and without a colon, between a supported sentence or list item and a supported paragraph.
    Captions, source lines and ad labels inside an article seldom sit right under a sentence or an
    item and over the next paragraph readability reads, and those that do are mostly
    "label: value" lines."""
    text, above = paragraphs[i].rstrip(), paragraphs[i - 1].rstrip()
    return (
        len(tokens(text)) <= MAX_HEADING_TOKENS
        and any(c.isalpha() for c in text)
        and not text.endswith(_NOT_HEADING_ENDS)
        and ":" not in text
        and "：" not in text
        and support[i - 1] >= MIN_SUPPORT
        and support[i + 1] >= MIN_SUPPORT
        and (above.endswith(_STOPS) or bool(LIST_ITEM.match(above)))
    )


def _read_on(
    paragraphs: list[str], per_paragraph: list[list[str]], last: int, supported: set[str]
) -> int:
    """Where the article ends: the reference's last paragraph, or a later sentence on the article's
    topic (MIN_SENTENCE_TOPIC_SHARE of its words in the supported text) reached over at most
    MAX_READ_ON_GAP other lines at a time. A reader's post or the next story after the article
    shares the story's words less; menus and link lines are not sentences."""
    end, gap = last, 0
    for i in range(last + 1, len(paragraphs)) if last >= 0 else ():
        on_topic = _topic_share(per_paragraph[i], supported) >= MIN_SENTENCE_TOPIC_SHARE
        if on_topic and _prose(paragraphs[i], per_paragraph[i]):
            end, gap = i, 0
            continue
        gap += 1
        if gap > MAX_READ_ON_GAP:
            break
    return end


def _topic_share(paragraph_tokens: list[str], supported: set[str]) -> float:
    """Share of a paragraph's words (MIN_WORD_LENGTH+ letters) found in the supported text."""
    words = {t for t in paragraph_tokens if len(t) >= MIN_WORD_LENGTH}
    return len(words & supported) / len(words) if words else 0.0


def _introduces(paragraphs: list[str], i: int, judged: dict[int, float], items: set[int]) -> bool:
    """A line ending in a colon over a list item that stays: the article's own list's lead-in."""
    following = i + 1
    return (
        paragraphs[i].rstrip().endswith(":")
        and following < len(paragraphs)
        and bool(LIST_ITEM.match(paragraphs[following]))
        and (following not in judged or following in items)
    )


def _on_topic_item(paragraph: str, paragraph_tokens: list[str], supported: set[str]) -> bool:
    """A list item whose words recur in the supported text: one of the article's own items."""
    return bool(LIST_ITEM.match(paragraph)) and (
        _topic_share(paragraph_tokens, supported) >= MIN_ITEM_TOPIC_SHARE
    )


def _fragment(reference_tokens: int, per_paragraph: list[list[str]], judged: dict[int, float]) -> bool:
    """The reference is one part of the article, so what it lacks is no evidence: it covers under
    MAX_FRAGMENT_COVERAGE of our text, and the paragraphs it lacks are sentences, not link lines."""
    ours = sum(map(len, per_paragraph))
    if not judged or reference_tokens >= MAX_FRAGMENT_COVERAGE * ours:
        return False
    return sum(len(per_paragraph[i]) for i in judged) >= MIN_PROSE_TOKENS * len(judged)


def reference_pairs(reference: str) -> set[tuple[str, ...]]:
    """The adjacent token pairs of a reference text, to test paragraphs against (`pair_share`)."""
    return set(_pairs(tokens(reference)))


def pair_share(paragraph: str, reference: set[tuple[str, ...]]) -> float:
    """Share of the paragraph's adjacent token pairs found in the reference."""
    return _share(_pairs(tokens(paragraph)), reference)


def in_reference(paragraph: str, reference: set[tuple[str, ...]]) -> bool:
    """Whether the reference reads the paragraph too (MIN_SUPPORT of its word pairs); a paragraph
    without words (a table's rule line) is no evidence either way and reads as not."""
    return bool(tokens(paragraph)) and pair_share(paragraph, reference) >= MIN_SUPPORT


def _prose(paragraph: str, paragraph_tokens: list[str]) -> bool:
    """A sentence or more: above the article, that is the lead, which readability often drops."""
    return len(paragraph_tokens) >= MIN_LEAD_TOKENS and paragraph.rstrip().endswith(_STOPS)


def _pairs(ts: list[str]) -> list[tuple[str, ...]]:
    """Adjacent token pairs; a one-token paragraph is its own unit."""
    return list(zip(ts, ts[1:], strict=False)) if len(ts) > 1 else [tuple(ts)]


def _share(units: list[tuple[str, ...]], reference: set[tuple[str, ...]]) -> float:
    return sum(u in reference for u in units) / len(units) if units and units[0] else 1.0
