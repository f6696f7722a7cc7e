"""Repairs to a parsed page before trafilatura reads it: markup that hides the article's paragraphs.

Each repair answers one template habit that makes trafilatura drop or flatten article text (layout
tables and lists, a div nested in a <p>); bench/extract_quality.py measures each on the shared
corpora.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

_LAYOUT_XPATH = (
    "boolean(.//p | .//div | .//h1 | .//h2 | .//h3 | .//ul | .//ol | .//table | .//blockquote)"
)
_OWN_PARTS_XPATH = (
    "./thead | ./tbody | ./tfoot | ./tr | ./*/tr | ./tr/td | ./tr/th | ./*/tr/td | ./*/tr/th"
)
MAX_TABLE_LINK_DENSITY = 0.3
# A table whose rows all have two or more cells, each holding at most one block and this many
# words, is a data table whose editor wrapped cell text in <p>s, not a layout table.
MAX_GRID_CELL_WORDS = 50
_CELL_BLOCKS_XPATH = (
    "count(.//p | .//div | .//h1 | .//h2 | .//h3 | .//ul | .//ol | .//table | .//blockquote)"
)
MIN_LAYOUT_ITEM_PARAGRAPHS = 2  # <p>s in a list item that make it a layout cell, not an item
_INLINE = frozenset(
    {"a", "b", "strong", "i", "em", "u", "span", "font", "br", "sup", "sub", "small", "abbr"}
)
# Blocks whose loose text is running text of the page, not one line (a heading) or a phrase.
_TEXT_CONTAINERS = frozenset({"div", "section", "article", "main", "td", "blockquote", "body"})
_WRAPPER = r"(?:div|span|section|article|main|aside|header|footer|nav|font|center)"
_OPENING_RUN = re.compile(rf"(?:<{_WRAPPER}\b[^>]*>\s*)+(<{_WRAPPER}\b[^>]*>)", re.IGNORECASE)
_CLOSING_RUN = re.compile(rf"(</{_WRAPPER}\s*>)(?:\s*</{_WRAPPER}\s*>)+", re.IGNORECASE)


def unwrap_layout(tree: HtmlElement) -> None:
    """Turn tables and lists used for page layout into plain blocks; drop link tables.

    Old templates put the whole article in one table cell or list item; trafilatura then emits it
    as one row or item, flattening its paragraphs, so an inserted paragraph could no longer be
    judged on its own. A table holding block elements is layout, not data; so is a list item
    holding two or more paragraphs (an article's), while a list item holding one paragraph, a
    nested list or a heading over its items is a list of the article's own. A grid of short cells
    (`_grid`) is data even with a <p> in a cell. A table of other blocks that is mostly links is a
    menu or a headline grid, which trafilatura would keep as table rows; data tables (results,
    figures) stay.
    """
    for table in list(tree.iter("table")):
        if holds_blocks(table) and not _grid(table):
            for el in [table, *table.xpath(_OWN_PARTS_XPATH)]:
                el.tag = "div"
        elif _link_density(table) > MAX_TABLE_LINK_DENSITY and table.getparent() is not None:
            _drop(table)
    for item in list(tree.iter("li")):
        if len(item.xpath(".//p")) >= MIN_LAYOUT_ITEM_PARAGRAPHS:
            item.tag = "div"
            parent = item.getparent()
            if parent is not None and parent.tag in ("ul", "ol"):
                parent.tag = "div"


def _grid(table: HtmlElement) -> bool:
    """Two or more rows of two or more cells each, no cell holding more than one block or more than
    MAX_GRID_CELL_WORDS words: a data table (a layout table holds the article in one cell)."""
    rows = table.xpath("./tr | ./*/tr")
    if len(rows) < 2:
        return False
    for row in rows:
        cells = row.xpath("./td | ./th")
        if len(cells) < 2 or any(
            cell.xpath(_CELL_BLOCKS_XPATH) > 1
            or len("".join(cell.itertext()).split()) > MAX_GRID_CELL_WORDS
            for cell in cells
        ):
            return False
    return True


def holds_blocks(element: HtmlElement) -> bool:
    """Whether the element holds block elements (paragraphs, divs, headings, lists, tables)."""
    return bool(element.xpath(_LAYOUT_XPATH))


def reopen_paragraph_divs(tree: HtmlElement) -> None:
    """Give back their paragraph to the text an old template wrapped around a div inside a <p>.

    `<p><div class="dropcap"><b>T</b>he…</div></p>` and `<p><div class="image">…</div>The lead…</p>`
    are invalid HTML: the parser closes the <p> before the <div>, leaving an empty <p/>, then the div,
    then the rest of the paragraph as loose text, all of which trafilatura drops (a lead, or every
    section opening of an article, lost). After an empty <p/>, a div holding no block of its own is
    read as that paragraph, and the loose text after a div (with the inline elements in it) becomes
    one. Turning every text div among paragraphs into one would make trafilatura pick other blocks
    on other pages.
    """
    for div in list(tree.iter("div")):
        before = div.getprevious()
        if before is None or before.tag != "p" or len(before) != 0 or (before.text or "").strip():
            continue
        following = div.getnext()
        if not holds_blocks(div):
            div.tag = "p"
        if (div.tail or "").strip() or (following is not None and following.tag in _INLINE):
            _wrap_loose_text(div)


def paragraph_loose_text(tree: HtmlElement) -> None:
    """Give their own paragraphs to runs of loose text that empty blocks cut apart.

    Some templates set the article as loose text in a container, broken by empty divs (ad slots,
    spacers): `<div>First part.<div class="ad"></div>Second part.</div>`. trafilatura's
    favor_recall reading keeps the text before such a div and drops the text after it (the div's
    tail). In a container (div, section, article, main, td, blockquote, body; not a heading or an
    inline element, where the text is one line) holding an empty div followed by text, each run
    of loose text and inline elements becomes a <p>, the container's own text before its first
    child included.
    """
    parents = {
        div.getparent()
        for div in tree.iter("div")
        if (div.tail or "").strip()
        and div.getparent() is not None
        and div.getparent().tag in _TEXT_CONTAINERS
        and not "".join(div.itertext()).strip()
    }
    for parent in parents:
        blocks = [child for child in parent if child.tag not in _INLINE]
        if (parent.text or "").strip():
            lead = parent.makeelement("p")
            parent.insert(0, lead)
            lead.text, parent.text = parent.text, None
            _take_inline_run(lead)
        for block in blocks:
            if (block.tail or "").strip():
                _wrap_loose_text(block)


def collapse_wrapper_runs(html: str) -> str:
    """The page with each run of wrapper start tags (or end tags) that hold nothing between them
    reduced to one: the innermost start tag, with its attributes, and the first end tag.

    For a page nested deeper than the HTML parser reads (thousands of `<div>`s around the
    article), on the raw text, as the parser cannot build the tree. Wrappers (div, span, section…)
    carry no text of their own, so every paragraph and all text stay, in order; only where a run
    of start tags and a run of end tags do not pair up does some content move to a wrapper further
    out.
    """
    return _CLOSING_RUN.sub(r"\1", _OPENING_RUN.sub(r"\1", html))


def _wrap_loose_text(element: HtmlElement) -> None:
    """Move the text after `element`, up to the next block, into a new <p> right after it."""
    paragraph = element.makeelement("p")
    paragraph.text, element.tail = element.tail, None
    element.addnext(paragraph)
    _take_inline_run(paragraph)


def _take_inline_run(paragraph: HtmlElement) -> None:
    """Move the inline elements right after `paragraph` (with their tails) into it."""
    following = paragraph.getnext()
    while following is not None and following.tag in _INLINE:
        nxt = following.getnext()
        paragraph.append(following)  # moves it, with its tail
        following = nxt


def _link_density(element: HtmlElement) -> float:
    text = len("".join(element.itertext()).strip())
    links = sum(len("".join(a.itertext()).strip()) for a in element.iter("a"))
    return links / text if text else 1.0


def _drop(element: HtmlElement) -> None:
    """Remove an element but keep its tail text, which belongs to the parent's flow."""
    parent = element.getparent()
    if element.tail and element.tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)
