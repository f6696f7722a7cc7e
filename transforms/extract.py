"""Extraction of one HTML page: main text and metadata, from trafilatura's reading of it.

The page is parsed once (trafilatura's own loader, which sniffs the charset instead of assuming
UTF-8) and that tree serves the declared language, trafilatura's extraction and readability's
second opinion (on a copy), so no page is parsed twice, except a page served as mojibake, which
is parsed again once repaired, and a page nested deeper than the parser's limit, which is parsed
again without it. Markup that hides paragraphs is repaired first (transforms.markup).

A page without article text raises `NoArticleText`, whose message says why for the crawl log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import trafilatura
from ftfy import fix_encoding
from ftfy.badness import is_bad
from lxml.etree import ErrorTypes
from lxml.html import HtmlElement, HTMLParser, fromstring
from trafilatura.utils import HTML_PARSER, decode_file, load_html

from transforms.continuation import with_continuation
from transforms.language import tokens, word_count
from transforms.markup import (
    collapse_wrapper_runs,
    holds_blocks,
    paragraph_loose_text,
    reopen_paragraph_divs,
    unwrap_layout,
)
from transforms.reference import reference_text

# favor_recall reads more of the article and costs less (trafilatura keeps its own reading of a
# long text without comparing readability's); the cleaning removes what it adds. favor_precision
# gains precision but loses too much recall; deduplicate loses recall; reader comments are never
# article text. Tables stay (data tables are content) once layout and link tables are dealt with in
# transforms.markup.unwrap_layout. bench/extract_quality.py measures these choices.
_OPTIONS = {
    "favor_recall": True,
    "include_comments": False,
    "include_tables": True,
    "deduplicate": False,
}
# favor_recall keeps its own reading of a long enough text without asking readability, and on some
# templates that reading is one block of the article. When readability's reading is this many times
# longer and mostly outside it, the page is read again as trafilatura reads by default (which does
# compare with readability); that reading is kept when it holds readability's, so two of the three
# readings agree on where the article is.
_RECALL_SHORTFALL = 2.0
_MAX_REFERENCE_INSIDE = 0.8  # of readability's tokens inside favor_recall's text: more is agreement
_MIN_REFERENCE_HELD = 0.9  # of readability's tokens the default reading must hold to be kept
# htmldate's strict search: date markup, URL and structured patterns only. Its extensive search
# (free text through dateparser) costs more, and what it alone finds is the weakest evidence:
# the 1st of a month for a year alone or a nonsense date, a footer or a sidebar date. A page without
# a strict date keeps the listing date of its feed or sitemap (transforms.page), which is how the
# article was chosen for the day.
_DATE_PARAMS = {"extensive_search": False, "original_date": True}
_LANG = re.compile(r"^([a-z]{2,3})(?:[-_].*)?$")
# Words of text besides the title: a headline with a byline, a date and a share line stays under
# this, a story (even a brief) does not.
MIN_BODY_WORDS = 10
NO_TEXT = "no article text found"
# trafilatura's parser with libxml2's safety limits lifted: 2048 levels of nesting instead of 256.
_DEEP_PARSER = HTMLParser(
    collect_ids=False,
    default_doctype=False,
    encoding="utf-8",
    remove_comments=True,
    remove_pis=True,
    huge_tree=True,
)
_NON_WORD = re.compile(r"[\W_]+")


class NoArticleText(ValueError):
    """The page holds no article text; the message says why."""


@dataclass(frozen=True, slots=True)
class Extracted:
    """What one page yields: the main text as paragraphs joined by a blank line, and metadata."""

    text: str
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    date: date | None = None
    language: str | None = None  # as declared by the page (<html lang>), not detected
    site_name: str | None = None
    description: str | None = None
    tags: list[str] = field(default_factory=list)
    # readability's text of the same page: a second opinion for cleaning (transforms.reference)
    reference: str = ""

    @property
    def paragraphs(self) -> list[str]:
        return self.text.split("\n\n") if self.text else []


def extract_article(html: bytes, url: str) -> Extracted:
    """Extract the article of a page; raise `NoArticleText` when the page holds none.

    A page whose text comes out as mojibake (UTF-8 read as Latin-1 or cp1251 somewhere before it
    was served: "rozmÃ³w", "ItвЂ™s") is repaired and extracted again. Checking the extracted text
    costs well under a millisecond; checking every page's HTML would cost far more, and repairing
    the HTML rather than the text keeps what the text alone has lost (C1 characters that became
    spaces).
    """
    extracted = _extract(*_parse(html), url)
    if is_bad(extracted.text):
        decoded = decode_file(html)
        repaired = fix_encoding(decoded)
        if repaired != decoded:
            try:
                extracted = _extract(*_parse(repaired), url)
            except NoArticleText:
                pass
    return extracted


def _parse(html: bytes | str) -> tuple[HtmlElement | None, bool]:
    """The page's tree, and whether the parser read the whole page.

    libxml2 stops reading at 256 levels of nesting and drops the rest of the page, the article
    with it. Such a page is parsed again with the limit raised to 2048 levels, and past that once
    more after runs of bare wrapper tags are collapsed (`transforms.markup.collapse_wrapper_runs`),
    which keeps every paragraph and its text in order. Other pages pay only a look at the parser's
    log.
    """
    tree = load_html(html)
    if tree is None or not _cut_short(HTML_PARSER):
        return tree, True
    text = decode_file(html)
    for attempt in (text, collapse_wrapper_runs(text)):
        tree = fromstring(attempt.encode("utf-8", "surrogatepass"), parser=_DEEP_PARSER)
        if not _cut_short(_DEEP_PARSER):
            return tree, True
    return tree, False


def _cut_short(parser: HTMLParser) -> bool:
    """Whether the parser's last run stopped at one of libxml2's limits (nesting depth, sizes)."""
    return any(entry.type == ErrorTypes.ERR_RESOURCE_LIMIT for entry in parser.error_log)


def _extract(tree: HtmlElement | None, whole: bool, url: str) -> Extracted:
    """One trafilatura pass over a parsed page, with readability's reading of it alongside.

    `whole` is False when the parser could not read the whole page: that is then why it has no text.
    """
    if tree is None:
        raise NoArticleText(NO_TEXT)
    reference = reference_text(tree)
    unwrap_layout(tree)
    reopen_paragraph_divs(tree)
    paragraph_loose_text(tree)
    # trafilatura reads a copy of the tree, which with_continuation then reads as it stands.
    doc, paragraphs = _read(tree, url, reference)
    headlines = [h1.text_content() for h1 in tree.iter("h1") if not holds_blocks(h1)]
    body_words = _words_besides(paragraphs, [doc.title or "", *headlines] if doc else headlines)
    if body_words < MIN_BODY_WORDS:
        if not whole:
            raise NoArticleText(f"{NO_TEXT}: the page is nested too deeply to parse")
        if not paragraphs:
            raise NoArticleText(NO_TEXT)
        besides = f" and {body_words} other words" if body_words else ""
        raise NoArticleText(f"{NO_TEXT}: the body is only the title{besides}")
    text = "\n\n".join(paragraphs)
    return Extracted(
        text=text,
        title=_clean(doc.title),
        authors=_split(doc.author, ";"),
        date=_date(doc.date),
        language=_declared_language(tree),
        site_name=_clean(doc.sitename),
        description=_clean(doc.description),
        tags=_unique([*(doc.tags or []), *(doc.categories or [])]),
        reference=reference,
    )


def _read(tree: HtmlElement, url: str, reference: str):
    """trafilatura's reading of the page (on a copy of the tree) and its paragraphs, the article's
    sibling blocks added: favor_recall's, or the default reading when favor_recall read one block
    of an article that readability and the default reading both see whole."""
    doc = _bare(tree, url, _OPTIONS)
    paragraphs = _paragraphs(tree, doc, reference)
    ref_tokens = tokens(reference)
    ours = tokens(" ".join(paragraphs))
    if (
        not ref_tokens
        or len(ref_tokens) < _RECALL_SHORTFALL * len(ours)
        or _inside(ref_tokens, ours) >= _MAX_REFERENCE_INSIDE
    ):
        return doc, paragraphs
    default = _bare(tree, url, {**_OPTIONS, "favor_recall": False})
    default_paragraphs = _paragraphs(tree, default, reference)
    if _inside(ref_tokens, tokens(" ".join(default_paragraphs))) >= _MIN_REFERENCE_HELD:
        return default, default_paragraphs
    return doc, paragraphs


def _bare(tree: HtmlElement, url: str, options: dict):
    return trafilatura.bare_extraction(
        tree, url=url, with_metadata=True, date_extraction_params=_DATE_PARAMS, **options
    )


def _paragraphs(tree: HtmlElement, doc, reference: str) -> list[str]:
    """The reading's lines, with the article's sibling blocks (transforms.continuation) added."""
    lines = [line.strip() for line in (doc.text if doc else "").split("\n") if line.strip()]
    return with_continuation(tree, lines, reference) if lines else []


def _inside(these: list[str], text: list[str]) -> float:
    """Share of the tokens `these` that occur in `text`."""
    vocabulary = set(text)
    return sum(t in vocabulary for t in these) / max(1, len(these))


def _words_besides(paragraphs: list[str], headlines: list[str]) -> int:
    """Words of the paragraphs that are not the page's title or headline, nor part of them,
    counted up to MIN_BODY_WORDS.

    trafilatura keeps the headline when it finds nothing else, e.g. when the article's paragraphs
    were lost before it read the page: a headline is not an article.
    """
    heads = [h for h in (_normal(h) for h in headlines) if h]
    words = 0
    for paragraph in paragraphs:
        text = _normal(paragraph)
        if any(text in head for head in heads):
            continue
        for head in heads:
            text = text.replace(head, " ")
        words += word_count(text)
        if words >= MIN_BODY_WORDS:
            break
    return words


def _normal(text: str) -> str:
    return _NON_WORD.sub(" ", text.casefold()).strip()


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _split(value: str | None, sep: str) -> list[str]:
    return _unique((value or "").split(sep))


def _unique(values: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        value = value.strip()
        if value:
            seen.setdefault(value, None)
    return list(seen)


def _date(value: str | None) -> date | None:
    """trafilatura gives an ISO day string; anything else is treated as no date."""
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _declared_language(tree) -> str | None:
    """The page's own language claim, a hint only: many templates never change the default."""
    lang = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang") or ""
    match = _LANG.match(lang.strip().lower())
    return match.group(1) if match else None
