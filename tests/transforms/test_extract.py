"""Extraction of one page: paragraphs and metadata kept, comments and related links left out."""

from datetime import date
from pathlib import Path

import pytest
from lxml.html import fromstring

from transforms.extract import NoArticleText, extract_article
from transforms.markup import paragraph_loose_text

FIXTURES = Path(__file__).parent / "fixtures"


def page(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_keeps_paragraphs_and_metadata():
    ex = extract_article(page("article.html"), "https://ledger.test/news/ferry")
    assert ex is not None
    assert ex.title == "Harbour town opens its new ferry terminal"
    assert ex.authors == ["Mara Lindqvist"]
    assert ex.date == date(2026, 11, 18)
    assert ex.site_name == "The Coastal Ledger"
    assert ex.description.startswith("After four years")
    assert ex.tags == ["transport"]
    assert ex.language == "en"
    paragraphs = ex.paragraphs
    assert any(p.startswith("The long-awaited ferry terminal") for p in paragraphs)
    assert any(p.startswith('"We waited a long time') for p in paragraphs)
    assert paragraphs[-1].startswith("Ticket prices will not change")
    assert "\n\n" in ex.text and "\n\n\n" not in ex.text


def test_drops_comments_and_related_links():
    text = extract_article(page("article.html"), "https://ledger.test/news/ferry").text
    for junk in (
        "grandmother",
        "cost overrun",
        "seagull77",
        "Bridge repairs",
        "Fishing fleet",
        "Privacy",
    ):
        assert junk not in text


def test_decodes_a_legacy_charset_without_being_told():
    html = page("article.html").replace(b'<meta charset="utf-8">', b"")
    html = html.decode("utf-8").replace("Lindqvist", "Lindqvíst").encode("cp1252")
    ex = extract_article(html, "https://ledger.test/news/ferry")
    assert ex is not None and ex.authors == ["Mara Lindqvíst"]


def test_a_page_without_text_raises_no_article_text():
    for html in (page("empty.html"), b""):
        with pytest.raises(NoArticleText, match="^no article text found$"):
            extract_article(html, "https://ledger.test/app")


def test_a_nonsense_or_year_only_page_date_is_no_date():
    def page(day: str) -> bytes:
        return (f"<html><head><title>T</title><meta name='date' content='{day}'></head><body><article>"
                f"<h1>Council</h1><p>{'The council met and voted on the budget for the harbour. ' * 6}</p>"
                f"</article></body></html>").encode()

    assert extract_article(page("2026-13-45"), "https://news.test/a/1").date is None  # not 2026-01-01
    assert extract_article(page("2026-01-01"), "https://news.test/a/1").date == date(2026, 1, 1)
    assert extract_article(page("2026-11-20"), "https://news.test/a/1").date == date(2026, 11, 20)


def test_a_date_in_running_text_only_is_no_page_date():
    """Only marked-up dates count (htmldate's strict search): the listing date is used instead."""
    html = (b"<html><head><title>T</title></head><body><article><h1>Harbour</h1>"
            + b"<p>The council met on Tuesday, 17 November 2026, to discuss the flood defences.</p>" * 4
            + b"</article></body></html>")
    assert extract_article(html, "https://news.test/a/1").date is None


POLISH = "Burmistrz zapowiedział, że prom będzie kursował również zimą, a bilety nie zdrożeją."


def test_repairs_a_page_served_as_mojibake():
    # UTF-8 bytes read as Latin-1 and saved again as UTF-8, C1 control characters and all: the
    # page still says charset=utf-8 and decodes cleanly, but reads "zapowiedziaÅ\x82".
    html = page("article.html").decode("utf-8")
    html = html.replace("The long-awaited ferry terminal", f"{POLISH} The long-awaited ferry terminal")
    html = html.replace("Lindqvist", "Lindqvíst")
    garbled = html.encode("utf-8").decode("latin-1").encode("utf-8")
    ex = extract_article(garbled, "https://ledger.test/news/ferry")
    assert ex is not None
    assert POLISH in ex.text
    assert ex.authors == ["Mara Lindqvíst"]


def test_leaves_text_that_only_looks_unusual_alone():
    words = "NÃO SABEMOS, disse o presidente da câmara de São João, citado pela Agência Lusa."
    html = page("article.html").decode("utf-8").replace(
        "The long-awaited ferry terminal", f"{words} The long-awaited ferry terminal"
    )
    ex = extract_article(html.encode("utf-8"), "https://ledger.test/news/ferry")
    assert ex is not None and words in ex.text


SENTENCE = (
    "The council met again on Thursday evening to discuss the plan for the harbour, which "
    "residents and traders have debated for many years."
)
PARAGRAPHS = [f"{SENTENCE} Paragraph {k} adds its own details about costs and dates." for k in range(6)]


def _story_page(body: str) -> bytes:
    return (
        "<html><head><title>Harbour plan</title></head><body><div class='nav'><a href='/'>Home</a></div>"
        f"<div class='story'><div class='title1'>Harbour plan</div><div class='story_body'>{body}</div>"
        "</div></body></html>"
    ).encode()


def test_paragraphs_of_a_div_nested_in_a_p_are_kept():
    # Old templates write <p><div class="dropcap"><b>T</b>he…</div></p>: the HTML parser closes the
    # <p> before the <div>, leaving an empty <p/> and a bare div of text, which trafilatura drops.
    body = "".join(
        f'<p><div class="dropcap"><b>{text[0]}</b>{text[1:]}</div></p>' if k in (0, 3) else f"<p>{text}</p>"
        for k, text in enumerate(PARAGRAPHS)
    )
    ex = extract_article(_story_page(body), "https://ledger.test/news/harbour")
    assert ex is not None
    assert ex.paragraphs == PARAGRAPHS


def test_a_lead_after_an_image_div_nested_in_a_p_is_kept():
    # <p><div class="image">…</div><b>The</b> council…</p>: the lead is left as loose text after the div.
    image = '<div class="image"><table><tr><td><img src="/i.jpg" alt=""></td></tr></table></div>'
    lead = PARAGRAPHS[0]
    body = f"<p>{image}<b>{lead[:3]}</b>{lead[3:]}</p>" + "".join(f"<p>{t}</p>" for t in PARAGRAPHS[1:])
    ex = extract_article(_story_page(body), "https://ledger.test/news/harbour")
    assert ex is not None
    assert ex.paragraphs == PARAGRAPHS


def _headline_page(body: str, title: str = "Harbour plan | The Ledger") -> bytes:
    return f"<html><head><title>{title}</title></head><body><h1>Harbour plan</h1>{body}</body></html>".encode()


@pytest.mark.parametrize("depth", [300, 100_000])
def test_paragraphs_nested_past_the_parser_limit_are_read(depth):
    # libxml2 stops at 256 levels and drops the rest of the page: trafilatura saw only the headline.
    wrappers = "".join(f"<div class='wrap-{k % 3}'>\n" for k in range(depth))
    paragraphs = "".join(f"<p>{text}</p>" for text in PARAGRAPHS)
    ex = extract_article(_headline_page(wrappers + paragraphs + "</div>\n" * depth), "https://ledger.test/a")
    assert ex.paragraphs == PARAGRAPHS


def test_a_page_nested_past_reading_says_so():
    # Each level holds an element of its own, so no wrapper can be collapsed: the paragraphs are lost.
    levels = 3000
    body = "<div><i></i>" * levels + "".join(f"<p>{text}</p>" for text in PARAGRAPHS) + "</div>" * levels
    with pytest.raises(NoArticleText, match="nested too deeply to parse"):
        extract_article(_headline_page(body), "https://ledger.test/a")


@pytest.mark.parametrize(
    ("body", "title"),
    [
        ("", "Harbour plan"),
        ("", "Harbour plan | The Ledger"),
        ("<p>By Mara Lindqvist</p><p>18 November 2026</p><p>Share this story</p>", "The Ledger"),
        ("<article><h2>Harbour plan</h2><p>Photo: the harbour.</p></article>", "Harbour plan"),
    ],
)
def test_a_body_that_is_only_the_title_is_no_article(body, title):
    with pytest.raises(NoArticleText, match="the body is only the title"):
        extract_article(_headline_page(body, title), "https://ledger.test/a")


def test_a_brief_of_one_sentence_is_an_article():
    brief = "The harbour road is closed until Friday after a storm damaged the sea wall overnight."
    with pytest.raises(NoArticleText):
        extract_article(_headline_page(""), "https://ledger.test/a")
    assert extract_article(_headline_page(f"<p>{brief}</p>"), "https://ledger.test/a").paragraphs[-1] == brief


TIPS = [
    ("Plan your trip", ["Check the timetable before you leave home", "Buy a weekly pass at any kiosk in town"]),
    ("Stay safe at night", ["Wait at lit stops near the main square", "Tell the driver where you want to get off"]),
]


def _list_page(items: str) -> bytes:
    body = "".join(f"<p>{t}</p>" for t in PARAGRAPHS[:2]) + f"<ol>{items}</ol><p>{PARAGRAPHS[2]}</p>"
    return (
        "<html><head><title>Night buses</title></head><body><div class='nav'><a href='/'>Home</a></div>"
        f"<article><h1>Night buses</h1>{body}</article></body></html>"
    ).encode()


def test_a_list_item_of_one_paragraph_and_a_nested_list_stays_an_item():
    items = "".join(
        f"<li><p>{head}</p><ul>{''.join(f'<li>{s}</li>' for s in subs)}</ul></li>" for head, subs in TIPS
    )
    paragraphs = extract_article(_list_page(items), "https://ledger.test/news/buses").paragraphs
    for head, subs in TIPS:
        assert f"- {head}" in paragraphs
        assert all(f"- {s}" in paragraphs for s in subs)


def test_a_list_item_holding_an_article_is_read_as_paragraphs():
    items = "<li>" + "".join(f"<p>{t}</p>" for t in PARAGRAPHS[2:]) + "</li><li><a href='/more'>More news</a></li>"
    paragraphs = extract_article(_list_page(items), "https://ledger.test/news/buses").paragraphs
    assert all(t in paragraphs for t in PARAGRAPHS[2:])


FARES = [
    ("Zone", "Single fare", "Weekly pass"),
    ("Centre", "1.80", "14.00"),
    ("Harbour and the eastern suburbs", "2.40", "18.50"),
    ("Airport", "3.90", "27.00"),
]


def _table_page(cell) -> bytes:
    rows = "".join("<tr>" + "".join(cell(c) for c in row) + "</tr>" for row in FARES)
    body = "".join(f"<p>{t}</p>" for t in PARAGRAPHS[:3]) + f"<table>{rows}</table>"
    return _headline_page(body + "".join(f"<p>{t}</p>" for t in PARAGRAPHS[3:]))


@pytest.mark.parametrize("cell", [lambda c: f"<td>{c}</td>", lambda c: f"<td><p>{c}</p></td>"])
def test_a_data_table_stays_rows_when_its_cells_wrap_text_in_paragraphs(cell):
    paragraphs = extract_article(_table_page(cell), "https://ledger.test/fares").paragraphs
    rows = [p for p in paragraphs if p.startswith("|")]
    assert any("Harbour and the eastern suburbs" in r and "18.50" in r for r in rows)
    assert all(t in paragraphs for t in PARAGRAPHS)


def test_loose_text_cut_by_empty_blocks_gets_paragraphs_of_its_own():
    """The article as loose text in a container, cut by an empty ad slot: each run of loose text
    and inline elements becomes a <p>; text inside a heading is left as it is."""
    first, second = PARAGRAPHS[:2]
    html = (
        f"<div class='body'>{first}<span class='br'></span><b>Quay</b> works"
        "<div class='ad'><div id='slot-1'></div></div>"
        f" {second}<h2>Costs<div class='spacer'></div>and dates</h2></div>"
    )
    container = fromstring(html)
    paragraph_loose_text(container)
    assert [child.tag for child in container] == ["p", "div", "p", "h2"]
    assert container[0].text_content() == f"{first}Quay works"
    assert container[2].text_content().strip() == second
    assert container[3].text_content() == "Costsand dates"
    assert not (container.text or "").strip()
