"""The rest of an article that its template split into sibling blocks around an ad.

Some templates cut the story into blocks of one tag and class with an ad row between them (a
grid of `div` chunks). trafilatura takes the first block of the article's class and stops there;
readability often takes another one (the longest), and then neither has the whole story. The
blocks beside the one holding the extracted paragraphs, of the same tag and class, are read too,
keeping only what the reference (readability's reading of the page, transforms.reference) also
has: a row of same-class blocks is as often reader comments, teasers or the next story, which
readability leaves out, and such blocks more often hold that than article text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from lxml.html import HtmlElement

from transforms.reference import pair_share, reference_pairs

BLOCK_TAGS = frozenset({"p", "h2", "h3", "h4", "h5", "h6", "blockquote", "li", "pre"})
PREFIX = 60  # characters of a paragraph that identify it in the extracted text
MIN_PREFIX = 30  # a shorter <p> is too common a text to locate the article by
MIN_HOST_PARAGRAPHS = 2
MAX_LEVELS = 2  # the extracted paragraphs' container and its parent
MIN_SUPPORT = 0.8  # share of a paragraph's word pairs that readability's text must contain
MIN_SUPPORTED_SHARE = 0.8  # of a sibling block's new text, else the block is not the article's


def with_continuation(tree: HtmlElement, paragraphs: list[str], reference: str) -> list[str]:
    """`paragraphs` with the article's sibling blocks added where they sit in the page."""
    if not reference:
        return paragraphs
    text = _normal("\n".join(paragraphs))
    host = _host(tree, text)
    if host is None:
        return paragraphs
    ref = reference_pairs(reference)
    element = host
    for _ in range(MAX_LEVELS):
        parent = element.getparent()
        if parent is None:
            break
        before: list[str] = []
        after: list[str] = []
        ahead = True
        for sibling in parent:
            if sibling is element:
                ahead = False
            elif _same_block(sibling, element):
                (before if ahead else after).extend(_supported(sibling, text, ref))
        if before or after:
            return _insert(paragraphs, host, before, after)
        element = parent
    return paragraphs


def _host(tree: HtmlElement, text: str) -> HtmlElement | None:
    """The element whose <p> children the extracted text holds the most of."""
    parents: Counter[HtmlElement] = Counter()
    for p in tree.iter("p"):
        content = _normal(p.text_content())
        if len(content) >= MIN_PREFIX and content[:PREFIX] in text:
            parents[p.getparent()] += 1
    if not parents:
        return None
    host, count = parents.most_common(1)[0]
    return host if count >= MIN_HOST_PARAGRAPHS else None


def _same_block(a: HtmlElement, b: HtmlElement) -> bool:
    return a.tag == b.tag and bool(a.get("class")) and a.get("class") == b.get("class")


def _supported(block: HtmlElement, text: str, ref: set[tuple[str, ...]]) -> list[str]:
    """The block's paragraphs not extracted yet, if readability reads most of them as article."""
    fresh = [p for p in _paragraphs(block) if p[:PREFIX] not in text]
    supported = [p for p in fresh if pair_share(p, ref) >= MIN_SUPPORT]
    share = sum(map(len, supported)) / max(1, sum(map(len, fresh)))
    return supported if share >= MIN_SUPPORTED_SHARE else []


def _paragraphs(block: HtmlElement) -> Iterator[str]:
    """Text of the outermost paragraph-like elements in `block`, in document order."""
    for element in block.iter(*BLOCK_TAGS):
        content = _normal(element.text_content())
        if content and not _nested(element, block):
            yield content


def _nested(element: HtmlElement, block: HtmlElement) -> bool:
    """Whether a paragraph-like element sits inside another one within `block`."""
    for ancestor in element.iterancestors():
        if ancestor is block:
            return False
        if ancestor.tag in BLOCK_TAGS:
            return True
    return False


def _insert(
    paragraphs: list[str], host: HtmlElement, before: list[str], after: list[str]
) -> list[str]:
    """Put `before` ahead of the first and `after` behind the last paragraph from `host`."""
    own = {_normal(p.text_content())[:PREFIX] for p in host.iter("p")} - {""}
    at = [i for i, p in enumerate(paragraphs) if _normal(p)[:PREFIX] in own]
    if not at:
        return [*before, *paragraphs, *after]
    first, last = at[0], at[-1] + 1
    return [*paragraphs[:first], *before, *paragraphs[first:last], *after, *paragraphs[last:]]


def _normal(text: str) -> str:
    return " ".join(text.split())
