"""Extraction of one HTML page: main text and metadata, from a single trafilatura pass.

The page is parsed once (trafilatura's own loader, which sniffs the charset instead of assuming
UTF-8) and that tree serves the declared language, trafilatura's extraction and readability's
second opinion (on a copy), so no page is parsed twice, except a page served as mojibake, which
is parsed again once repaired.
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

# Measured on the shared corpora with cleaning (bench/extract_quality.py): favor_precision gains
# precision (.880) but loses too much recall (.896; .926 on corpus-inserts); deduplicate loses
# recall; reader comments are never article text. Tables stay (data tables are content) once
# layout and link tables are dealt with in _unwrap_layout.
_OPTIONS = {
    "favor_precision": False,
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
_LAYOUT_XPATH = (
    "boolean(.//p | .//div | .//h1 | .//h2 | .//h3 | .//ul | .//ol | .//table | .//blockquote)"
)
_BLOCK_OR_SCRIPT_XPATH = _LAYOUT_XPATH + " or boolean(.//script)"
_OWN_PARTS_XPATH = (
    "./thead | ./tbody | ./tfoot | ./tr | ./*/tr | ./tr/td | ./tr/th | ./*/tr/td | ./*/tr/th"
)
MAX_TABLE_LINK_DENSITY = 0.3
BREAK_BLOCKS = ("div", "td", "span")
MIN_BREAK_BLOCK_CHARS = 200
MIN_LINE_CHARS = 20
# An unread block shorter than this share of the extracted text is a side note, not the article.
MIN_UNREAD_SHARE = 0.5
_INLINE = frozenset({"a", "b", "strong", "i", "em", "u", "span", "font", "br", "sup", "sub", "small", "abbr"})
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
    """One trafilatura pass over a parsed page, with readability's reading of it alongside; a
    second pass when the first missed a block of text set with blank lines (`_blank_line_blocks`)."""
    if tree is None:
        return None
    reference = reference_text(tree)
    _unwrap_layout(tree)
    _reopen_paragraph_divs(tree)
    doc = _trafilatura(tree, url)
    if doc is None or not doc.text:
        return None
    unread = [
        b
        for b in _blank_line_blocks(tree)
        if len(_text(b)) >= MIN_UNREAD_SHARE * len(doc.text) and not _holds(doc.text, b)
    ]
    if unread:
        for block in unread:
            _split_at_blank_lines(block)
        retry = _trafilatura(tree, url)
        if retry is not None and retry.text and any(_holds(retry.text, b) for b in unread):
            doc = retry
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


def _trafilatura(tree: HtmlElement, url: str):
    """trafilatura's reading of the page (it works on a copy: the tree stays as it is)."""
    return trafilatura.bare_extraction(
        tree, url=url, with_metadata=True, date_extraction_params=_DATE_PARAMS, **_OPTIONS
    )


def _unwrap_layout(tree) -> None:
    """Turn tables and lists used for page layout into plain blocks; drop link tables.

    Old templates put the whole article in one table cell or list item; trafilatura then emits it
    as one row or item, flattening its paragraphs, so an inserted paragraph could no longer be
    judged on its own. A table or list holding block elements is layout, not data. A table of
    other blocks that is mostly links is a menu or a headline grid, which trafilatura would keep
    as table rows; data tables (results, figures) stay.
    """
    for table in list(tree.iter("table")):
        if table.xpath(_LAYOUT_XPATH):
            for el in [table, *table.xpath(_OWN_PARTS_XPATH)]:
                el.tag = "div"
        elif _link_density(table) > MAX_TABLE_LINK_DENSITY and table.getparent() is not None:
            _drop(table)
    for item in list(tree.iter("li")):
        if item.xpath(_LAYOUT_XPATH):
            item.tag = "div"
            parent = item.getparent()
            if parent is not None and parent.tag in ("ul", "ol"):
                parent.tag = "div"


def _reopen_paragraph_divs(tree: HtmlElement) -> None:
    """Give back their paragraph to the text an old template wrapped around a div inside a <p>.

    `<p><div class="dropcap"><b>T</b>he…</div></p>` and `<p><div class="image">…</div>The lead…</p>`
    are invalid HTML: the parser closes the <p> before the <div>, leaving an empty <p/>, then the div,
    then the rest of the paragraph as loose text, all of which trafilatura drops (on the corpus, every
    section opening of dn-41d4e64dcd0c, recall .56, and the leads of its sister pages). After an empty
    <p/>, a div holding no block of its own is read as that paragraph, and the loose text after a
    div (with the inline elements in it) becomes one. Turning every text div among paragraphs into
    one instead made trafilatura pick other blocks on other pages (corpus F1 .924 -> .922).
    """
    for div in list(tree.iter("div")):
        before = div.getprevious()
        if (
            before is None
            or before.tag != "p"
            or len(before) != 0
            or (before.text or "").strip()
        ):
            continue
        following = div.getnext()
        if not div.xpath(_LAYOUT_XPATH):
            div.tag = "p"
        if (div.tail or "").strip() or (following is not None and following.tag in _INLINE):
            _wrap_loose_text(div)


def _blank_line_blocks(tree: HtmlElement) -> list[HtmlElement]:
    """Blocks of bare text with blank lines (`<br><br>`) between its paragraphs, long enough to
    be an article.

    A short article set so scores below a footer of a few lines with trafilatura and readability
    alike, which may then return the footer alone (2 corpus pages: recall .05 and .11 -> .95).
    Split into paragraphs, it reads as the article. Only a block the first reading missed is
    split and the page read again: splitting every such block changed which container trafilatura
    took on other pages and lost their leads (4 pages, R -.15 to -.25).
    """
    return [
        block
        for block in tree.iter(*BREAK_BLOCKS)
        if _blank_lines(block)
        and len(_text(block)) >= MIN_BREAK_BLOCK_CHARS
        and not block.xpath(_BLOCK_OR_SCRIPT_XPATH)
    ]


def _blank_lines(block: HtmlElement) -> set[int]:
    """Indexes of the block's children that are breaks of a blank line (two or more in a row)."""
    children = list(block)
    blank: set[int] = set()
    for k, child in enumerate(children[:-1]):
        if child.tag == "br" and not (child.tail or "").strip() and children[k + 1].tag == "br":
            blank.update((k, k + 1))
    return blank


def _holds(text: str, block: HtmlElement) -> bool:
    """Whether the extracted text holds most of the block's lines."""
    text = " ".join(text.split())
    lines = [" ".join(piece.split()) for piece in block.itertext()]
    lines = [line for line in lines if len(line) >= MIN_LINE_CHARS]
    return sum(line[:MIN_LINE_CHARS] in text for line in lines) >= len(lines) / 2


def _text(element: HtmlElement) -> str:
    return " ".join(element.text_content().split())


def _split_at_blank_lines(block: HtmlElement) -> None:
    """Make a <p> of each paragraph of the block (the text between blank lines)."""
    blank = _blank_lines(block)
    children = list(block)
    paragraphs = [block.makeelement("p")]
    paragraphs[0].text, block.text = block.text, None
    for k, child in enumerate(children):
        block.remove(child)  # the tail goes with it
        if k not in blank:
            paragraphs[-1].append(child)
        elif (child.tail or "").strip() or k + 1 not in blank:
            paragraphs.append(block.makeelement("p"))
            paragraphs[-1].text, child.tail = child.tail, None
    for paragraph in paragraphs:
        if (paragraph.text or "").strip() or len(paragraph):
            block.append(paragraph)


def _wrap_loose_text(element: HtmlElement) -> None:
    """Move the text after `element`, up to the next block, into a new <p> right after it."""
    paragraph = element.makeelement("p")
    paragraph.text, element.tail = element.tail, None
    following = element.getnext()
    while following is not None and following.tag in _INLINE:
        nxt = following.getnext()
        paragraph.append(following)  # moves it, with its tail
        following = nxt
    element.addnext(paragraph)


def _link_density(element) -> float:
    text = len("".join(element.itertext()).strip())
    links = sum(len("".join(a.itertext()).strip()) for a in element.iter("a"))
    return links / text if text else 1.0


def _drop(element) -> None:
    """Remove an element but keep its tail text, which belongs to the parent's flow."""
    parent = element.getparent()
    if element.tail and element.tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


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
