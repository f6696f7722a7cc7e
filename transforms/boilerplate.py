"""Page furniture around the article that an extractor keeps: judged by position and form.

- after the article: related-article lists, "latest news" columns and footer menus, a run of short
  lines (headlines without a full stop, dated list items, table rows, truncated summaries); one
  such line alone may be a genuine closing line (a sign-off, a source), so only a run is removed;
- news tickers anywhere in the text: runs of headlines each opening with a clock time (dated or not);
- reader comments after a comments header;
- HTML markup a broken page leaked into the text;
- before the article: breadcrumbs and menu lines above the headline.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from transforms.language import tokens, word_count

MAX_LEAD = 8  # the headline comes within the first lines, or it is not the article's headline
MAX_HEADER_CHARS = 80
# "Read also:" or "Keywords:" introduce link lists; a sentence ending in a colon introduces content.
MIN_INTRO_WORDS = 6
GAP_CONTEXT = 3
GAP_MIN_RUN = 6  # list lines of a run that steps over longer lines
MIN_RUN = 3  # fewer trailing short lines are more often a sign-off, a source or a caption
# A run whose lines the reference (readability's reading) reads this often, and that is longer than
# the text above it, is the article itself (a directory of names, addresses and fees under a short
# introduction): furniture after an article is neither read by readability nor longer than it.
MIN_RUN_IN_REFERENCE = 0.5
MAX_HEADLINE_WORDS = 12
MIN_TICKER = 4
MAX_ITEM_WORDS = 25
MAX_SUMMARY_WORDS = 60
_SENTENCE_END = re.compile(r"[.。…:;\"'»”’]\s*$")
# A teaser's summary: cut short, or with the "more" link glued to its end.
_TRUNCATED = re.compile(
    r"(?:\.{3,}|…)\s*$|[.!?…]\s*(?:read more|more|więcej|далее|подробнее|leia mais|saiba mais|mehr"
    r"|weiterlesen|selengkapnya|continua|leggi tutto|περισσότερα|更多|더 ?보기|続きを読む)\W*$",
    re.IGNORECASE,
)
LIST_ITEM = re.compile(r"^(?:[-•*·▪►]|\d{1,3}[.)])\s")  # a list item as trafilatura writes it
_COMMENTS = re.compile(
    r"^\W*(?:\d+\s*)?(?:comments?|reader comments|have your say|ваше мнение|leave a (?:comment|reply)|add (?:a )?comment"
    r"|post a comment|комментари[ийя]|оставить комментарий|добавить комментарий|σχόλια"
    r"|(?:wasze )?komentarze|dodaj komentarz|评论|網友評論|网友评论|我来说两句|comentários|kommentare"
    r"|komentar|commenti|댓글|コメント)\b",
    re.IGNORECASE,
)
_ALNUM_RUN = re.compile(r"[^\W_]+")
# "09:21", "30.09.2011 10:10", "2011-09-30, 10:10"; not "1.5.2012" alone
_CLOCK_LEAD = re.compile(
    r"^\W{0,3}(?:(?:\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|\d{4}-\d{1,2}-\d{1,2})[\s,T]+)?"
    r"\d{1,2}[:.]\d{2}\b(?![.:]\d)"
)
# A dateline: a clock time ("15:58", not "3.69" or "12:01:07"'s parts) and a date or a year
_CLOCK = re.compile(r"(?<![\d.])\d{1,2}:\d{2}(?![\d.])")
_DATE_OR_YEAR = re.compile(
    r"\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b|\b\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b|\b(?:19|20)\d{2}\b"
)
MAX_DATELINE_WORDS = 10
_COUNT = re.compile(r"^\W{0,2}\d{1,7}\W{0,2}$")  # a bare number: "102", "[4372]"
_TAG = re.compile(r"</?[A-Za-z][\w:-]*(?:\s[^<>]*)?/?>")
_STAMP = re.compile(
    r"\b\d{1,2}[:.]\d{2}\b|\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b|\b\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b"
)


def trailing_run(
    paragraphs: list[str], removed: set[int], in_reference: Callable[[str], bool] = lambda _: False
) -> list[int]:
    """Indices of the link-list run at the end of the text, or [] when there is none.

    The run may step over single longer lines (see _gap); if the run so extended is not accepted,
    its part below the first such line still may be.
    A table row that the reference (readability's reading, `in_reference`) also reads is a row of
    the article's own data table, not a line of a link list: a link table is a row of names that
    readability leaves out with the page's other furniture.
    """
    order = [i for i in range(len(paragraphs) - 1, -1, -1) if i not in removed]
    like = [
        list_like(paragraphs[i]) and not (paragraphs[i].startswith("|") and in_reference(paragraphs[i]))
        for i in order
    ]
    run: list[int] = []
    first_gap = None
    for k, i in enumerate(order):
        # A news column alternates headline and summary items: a summary item under a list-like
        # item belongs to the run.
        # So does a teaser column of headline, summary and a count (of comments, of views) each.
        bridged = (
            k + 1 < len(order)
            and like[k + 1]
            and word_count(paragraphs[i]) <= MAX_SUMMARY_WORDS
            and (
                (LIST_ITEM.match(paragraphs[i]) and LIST_ITEM.match(paragraphs[order[k + 1]]))
                or (k > 0 and _COUNT.match(paragraphs[order[k - 1]]) is not None)
            )
        )
        if not (like[k] or bridged):
            if not _gap(paragraphs, order, like, k):
                break
            first_gap = len(run) if first_gap is None else first_gap
        run.append(i)
    accepted = functools.partial(_accepted, paragraphs, removed, order, in_reference=in_reference)
    if first_gap is not None and accepted(run, GAP_MIN_RUN):
        return sorted(run)
    run = run[:first_gap]
    return sorted(run) if accepted(run, MIN_RUN) else []


def _accepted(
    paragraphs: list[str],
    removed: set[int],
    order: list[int],
    run: list[int],
    min_lines: int,
    in_reference: Callable[[str], bool],
) -> bool:
    """A run long enough to be a list, leaving an article, and not the article's own list."""
    lines = sum(list_like(paragraphs[i]) for i in run)
    kept_words = sum(word_count(paragraphs[i]) for i in order if i not in run)
    if lines < min_lines or kept_words < 2 * MAX_ITEM_WORDS:
        return False
    if sum(word_count(paragraphs[i]) for i in run) > kept_words and (
        sum(in_reference(paragraphs[i]) for i in run) >= MIN_RUN_IN_REFERENCE * len(run)
    ):
        return False
    top = min(run)
    before = [paragraphs[i] for i in range(top) if i not in removed][-2:]
    return not _continues(before, [paragraphs[i] for i in sorted(run)[:2]])


def _gap(paragraphs: list[str], order: list[int], like: list[bool], k: int) -> bool:
    """A single longer line inside a link list (a disclaimer, a reader's post between its stamp
    lines): the lines above it are list lines again, either marked as items (a bullet, a number, a
    date or time, a cut summary) or each opening like a new line, not a wrapped sentence. A longer
    item of the same dated or numbered shape as the line below it is the list's own: the list is
    then content, and the walk stops there.
    """
    above = order[k + 1 : k + 1 + GAP_CONTEXT]
    if len(above) < GAP_CONTEXT or not all(like[k + 1 : k + 1 + GAP_CONTEXT]):
        return False
    text = paragraphs[order[k]]
    if k and _shape(text) is not None and _shape(text) == _shape(paragraphs[order[k - 1]]):
        return False
    lines = [paragraphs[i] for i in above]
    return any(_marked(line) for line in lines) or not any(
        _wrapped(line) for line in [*lines, text]
    )


def _wrapped(paragraph: str) -> bool:
    """Opens in lower case: the rest of a sentence broken over lines, not an item of a list."""
    return paragraph[:1].islower()


def _marked(paragraph: str) -> bool:
    return bool(
        LIST_ITEM.match(paragraph)
        or _STAMP.search(paragraph)
        or _TRUNCATED.search(paragraph)
        or paragraph.startswith("|")
    )


def dateline(paragraph: str) -> bool:
    """A publication stamp left in the text ("28.11.2011 14:09", "Πηγή: ΑΠΕ 11/12/11-01:02",
    "Published at 11:27, Thursday, 12 January 2012"): a short line with a clock time and a date.
    Table rows and list items are the article's data (timetables, results), not stamps."""
    return (
        word_count(paragraph) <= MAX_DATELINE_WORDS
        and not paragraph.startswith("|")
        and not LIST_ITEM.match(paragraph)
        and bool(_CLOCK.search(paragraph))
        and bool(_DATE_OR_YEAR.search(paragraph))
    )


def markup_share(paragraph: str) -> float:
    """Share of a paragraph's characters that are HTML tags: markup a broken page leaked as text
    ("<div class=...><a href=...>"), never the article's prose, which may name a tag or two."""
    return sum(map(len, _TAG.findall(paragraph))) / len(paragraph) if paragraph else 0.0


def ticker_runs(paragraphs: list[str], removed: set[int]) -> list[int]:
    """Indices of news tickers anywhere in the text: MIN_TICKER or more consecutive short lines that
    each open with a clock time, dated or not ("09:21 // ...", "30.09.2011 10:10 ..."), a feed of
    the site's latest headlines. An article's own schedule is dated by day; a feed is listed by the
    minute.
    """
    out: list[int] = []
    run: list[int] = []
    for i in [*(i for i in range(len(paragraphs)) if i not in removed), None]:
        if (
            i is not None
            and _CLOCK_LEAD.match(paragraphs[i])
            and word_count(paragraphs[i]) <= MAX_ITEM_WORDS
        ):
            run.append(i)
            continue
        if len(run) >= MIN_TICKER:
            out.extend(run)
        run = []
    return out


def _continues(before: list[str], first: list[str]) -> bool:
    """True when the run is a list of the article itself: introduced by a sentence ending in a
    colon, the tail of a numbered or dated list, or the rest of a list whose items run on.

    Tour dates or a numbered product list run on from longer items of the same shape above (items
    may alternate with a link line, hence two on each side); a related-links block does not repeat
    the shape of the article's last paragraphs. A run opening with a list item right under a kept
    list item is the end of that list (its short last items, the notes under an essay): a link
    block comes after the article's closing line or its own header, not inside its list.
    """
    intro = before[-1].rstrip() if before else ""
    if intro.endswith((":", "：")) and word_count(intro) >= MIN_INTRO_WORDS:
        return True  # "Here are the tour dates:" - the article introduces its own list
    if intro and LIST_ITEM.match(intro) and first and LIST_ITEM.match(first[0]):
        return True
    shapes = {_shape(p) for p in first} - {None}
    return any(_shape(p) in shapes for p in before)


def _shape(paragraph: str) -> str | None:
    """The form of a numbered or dated item's first two tokens ("x) x", "x x"); None if no number."""
    head = " ".join(paragraph.split()[:2])
    return _ALNUM_RUN.sub("x", head) if any(c.isdigit() for c in head) else None


def comments_cut(paragraphs: list[str], removed: set[int]) -> list[int]:
    """Indices from a reader-comments header in the second half of the text to the end.

    trafilatura drops comment sections it recognises; plain-markup ones come through as the
    header ("Comments (5)", "Оставить комментарий", ...) and the readers' posts after it.
    """
    for i in range(len(paragraphs) // 2, len(paragraphs)):
        if (
            i not in removed
            and len(paragraphs[i]) <= MAX_HEADER_CHARS
            and _COMMENTS.match(paragraphs[i])
            and not _sentence(paragraphs[i])
            and not _continued(paragraphs[i - 1], paragraphs[i])
        ):
            return [j for j in range(i, len(paragraphs)) if j not in removed]
    return []


def _continued(before: str, paragraph: str) -> bool:
    """The rest of the sentence above, hard-wrapped onto a line of its own ("... the" / "comments on
    my posts."): it opens in lower case under a line that ends mid-sentence."""
    return _wrapped(paragraph) and not _SENTENCE_END.search(before)


def _sentence(paragraph: str) -> bool:
    """A sentence ("Comments on the plan can be sent to ..."), not a header label ("Comments (5)",
    "Leave a reply:")."""
    return word_count(paragraph) >= 4 and paragraph.rstrip().endswith((".", "!", "?", "。"))


def before_headline(paragraphs: list[str], title: str | None) -> list[int]:
    """Indices of the lines above the article's headline: breadcrumbs, menus, print links.

    What precedes the headline must be short lines, else the match is more likely a coincidence.
    """
    headline = headline_index(paragraphs, title)
    lead = list(range(headline or 0))
    if all(word_count(paragraphs[j]) <= MAX_ITEM_WORDS for j in lead):
        return lead
    return []


def headline_index(paragraphs: list[str], title: str | None) -> int | None:
    """The paragraph that is the headline: (nearly) all title words, within the first lines."""
    if not title:
        return None
    title_units = _units(title)
    for i, paragraph in enumerate(paragraphs[: MAX_LEAD + 1]):
        units = _units(paragraph)
        if (
            len(units) >= 3
            and _share(units, title_units) >= 0.8
            and _share(title_units, units) >= 0.5
        ):
            return i
    return None


def _units(text: str) -> set[str]:
    """Words, or characters for scripts written without spaces, lowercased."""
    return set(tokens(text))


def _share(part: set[str], whole: set[str]) -> float:
    return len(part & whole) / len(part) if part else 0.0


def list_like(paragraph: str) -> bool:
    """A line of a link list: a short headline without a full stop, a dated or table item, or a
    truncated teaser summary."""
    words = word_count(paragraph)
    if _TRUNCATED.search(paragraph) and words <= MAX_SUMMARY_WORDS:
        return True
    if paragraph.startswith("|"):
        return words <= MAX_ITEM_WORDS
    if LIST_ITEM.match(paragraph) and words <= MAX_ITEM_WORDS:
        return bool(_STAMP.search(paragraph)) or not _SENTENCE_END.search(paragraph)
    if _STAMP.search(paragraph) and words <= MAX_HEADLINE_WORDS:
        return True
    return words <= MAX_HEADLINE_WORDS and not _SENTENCE_END.search(paragraph)
