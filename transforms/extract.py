"""Extraction of one HTML page: main text and metadata, from trafilatura's reading of it.

The page is parsed once (trafilatura's own loader, which sniffs the charset instead of assuming
UTF-8) and that tree serves the declared language, trafilatura's extraction and readability's
second opinion (on a copy), so no page is parsed twice, except a page served as mojibake, which
is parsed again once repaired. Markup that hides paragraphs is repaired first (transforms.markup).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import trafilatura
from ftfy import fix_encoding
from ftfy.badness import is_bad
from lxml.html import HtmlElement
from trafilatura.utils import decode_file, load_html

from transforms.chunks import with_continuation
from transforms.consensus import reference_text
from transforms.markup import reopen_paragraph_divs, unwrap_layout

# Measured on the shared corpora with cleaning (bench/extract_quality.py): favor_recall reads more of
# the article (corpus F1 .9319 -> .9336, R .931 -> .936; corpus-inserts F1 .928 -> .930) and costs
# less (42.6 -> 35.4 ms a page: trafilatura keeps its own reading of a long text without comparing
# readability's); the cleaning removes what it adds. favor_precision gains precision (.880) but loses
# too much recall (.896; .926 on corpus-inserts); deduplicate loses recall; reader comments are
# never article text. Tables stay (data tables are content) once layout and link tables are dealt
# with in transforms.markup.unwrap_layout.
_OPTIONS = {
    "favor_recall": True,
    "include_comments": False,
    "include_tables": True,
    "deduplicate": False,
}
# htmldate's strict search: date markup, URL and structured patterns only. Its extensive search
# (free text through dateparser) cost ~5 ms a page, and what it alone finds is the weakest evidence:
# the 1st of a month for a year alone or a nonsense date, a footer or a sidebar date. A page without
# a strict date keeps the listing date of its feed or sitemap (transforms.batch), which is how the
# article was chosen for the day.
_DATE_PARAMS = {"extensive_search": False, "original_date": True}
_LANG = re.compile(r"^([a-z]{2,3})(?:[-_].*)?$")


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
    # readability's text of the same page: a second opinion for cleaning (transforms.consensus)
    reference: str = ""

    @property
    def paragraphs(self) -> list[str]:
        return self.text.split("\n\n") if self.text else []


def extract_article(html: bytes, url: str) -> Extracted | None:
    """Extract the article of a page, or None when the page holds no main text.

    A page whose text comes out as mojibake (UTF-8 read as Latin-1 or cp1251 somewhere before it
    was served: "rozmÃ³w", "ItвЂ™s") is repaired and extracted again. Checking the extracted text
    costs well under a millisecond; checking every page's HTML would cost ~20 ms, and repairing
    the HTML rather than the text keeps what the text alone has lost (C1 characters that became
    spaces).
    """
    extracted = _extract(load_html(html), url)
    if extracted is not None and is_bad(extracted.text):
        decoded = decode_file(html)
        repaired = fix_encoding(decoded)
        if repaired != decoded:
            extracted = _extract(load_html(repaired), url) or extracted
    return extracted


def _extract(tree: HtmlElement | None, url: str) -> Extracted | None:
    """One trafilatura pass over a parsed page, with readability's reading of it alongside."""
    if tree is None:
        return None
    reference = reference_text(tree)
    unwrap_layout(tree)
    reopen_paragraph_divs(tree)
    # trafilatura reads a copy of the tree, which with_continuation then reads as it stands.
    doc = trafilatura.bare_extraction(
        tree, url=url, with_metadata=True, date_extraction_params=_DATE_PARAMS, **_OPTIONS
    )
    if doc is None or not doc.text:
        return None
    lines = [line.strip() for line in doc.text.split("\n") if line.strip()]
    if not lines:
        return None
    text = "\n\n".join(with_continuation(tree, lines, reference))
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
