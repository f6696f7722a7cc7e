"""The reference: what readability does not read as the article goes, when the two agree."""

from pathlib import Path

from transforms.clean import clean_paragraphs
from transforms.extract import extract_article
from transforms.language import tokens
from transforms.reference import not_in_reference

FIXTURES = Path(__file__).parent / "fixtures"
STORY = [
    "A forty-metre container crane collapsed at Eastwick harbour on Tuesday night as gusts swept the coast.",
    "Nobody was hurt. The night shift had been sent home two hours earlier, the port authority said.",
    "The crane fell across two empty berths and the rail siding that serves the grain terminal.",
    "The authority has ordered inspections of its four remaining cranes of the same model.",
]
POSTS = ["harbourwatcher wrote at 08:24", "About time they checked the cranes, everyone knew it."]


def test_paragraphs_outside_the_reference_go_and_the_story_stays():
    removed = not_in_reference([*STORY, *POSTS], " ".join(STORY))
    assert sorted(removed) == [4, 5]
    assert all(score < 0.3 for score in removed.values())


def test_a_long_paragraph_inside_the_story_stays_though_the_reference_lacks_it():
    aside = (
        "Harbour workers have long said the older cranes shake in high winds, and the union asked "
        "for an independent survey of the whole quay last spring, after two smaller incidents in "
        "which loose cables fell onto the berth below while ships were being unloaded there."
    )
    paragraphs = [STORY[0], aside, *STORY[1:]]
    assert not_in_reference(paragraphs, " ".join(STORY)) == {}


def test_list_items_on_the_story_stay_and_link_lines_go_between_what_the_reference_reads():
    items = [
        "- Grain deliveries by rail suspended until Friday",
        "- Night shifts moved to the eastern berths",
        "- Subscribe to our weekly newsletter",
        "- Most read: local elections results",
    ]
    paragraphs = [*STORY[:2], *items, *STORY[2:]]
    assert sorted(not_in_reference(paragraphs, " ".join(STORY))) == [4, 5]


def test_the_line_introducing_a_list_that_stays_stays_and_one_over_a_link_list_goes():
    kept_list = ["Two steps follow at once:", "- Grain deliveries by rail suspended until Friday"]
    link_list = ["More from the newsroom:", "- Subscribe to our weekly newsletter"]
    paragraphs = [*STORY[:2], *kept_list, *link_list, *STORY[2:]]
    assert sorted(not_in_reference(paragraphs, " ".join(STORY))) == [4, 5]


def test_a_list_item_on_the_story_after_the_reference_still_goes():
    paragraphs = [*STORY, "- Grain deliveries by rail suspended until Friday"]
    assert sorted(not_in_reference(paragraphs, " ".join(STORY))) == [4]


def test_protected_paragraphs_are_never_judged():
    headline = "Harbour crane collapses during storm"
    removed = not_in_reference([headline, *STORY], " ".join(STORY), protected={0})
    assert removed == {}


def test_nothing_is_judged_when_the_reference_reads_another_part_of_the_page():
    elsewhere = "Weather alerts, port news and the archive of the Eastwick Courier since 1951. " * 4
    assert not_in_reference([*STORY, *POSTS], elsewhere) == {}


GUIDE = [
    "How to winter-proof a small boat",
    "Boats left on their moorings over winter need more care than those lifted out of the water.",
    "1. Drain the engine",
    "Run fresh water through the cooling system, then drain it completely so that no water is left "
    "to freeze and crack the block when the first hard frost of the season arrives at the harbour.",
    "2. Cover the deck",
    "A fitted canvas cover keeps rain and snow off the deck and out of the cockpit lockers, where "
    "standing water would otherwise rot the wood and rust every fitting it reaches over the months.",
    "3. Check the lines",
    "Mooring lines chafe through faster in winter storms, so double them up and wrap each one with "
    "a length of old hose wherever it passes over a fairlead, a cleat or the edge of the pontoon.",
]
MENU = [
    f"{place} {item}"
    for place in ("Eastwick", "Westport", "Harwell", "Northam", "Southby")
    for item in ("boats for sale", "moorings and fees", "winter storage", "events this month")
]


def test_a_reference_of_one_section_is_no_evidence_against_the_others():
    """readability kept only the first step: the other steps are sentences, so the guide stays."""
    assert not_in_reference(GUIDE, " ".join(GUIDE[1:4]), protected={0}) == {}


def test_a_short_reference_still_judges_the_menu_lines_after_the_article():
    """Under half of the text too, but what it lacks is short link lines: they go."""
    paragraphs = [*GUIDE[:4], *MENU]
    reference = " ".join(GUIDE[1:4])
    assert len(tokens(reference)) < 0.5 * sum(len(tokens(p)) for p in paragraphs)
    removed = not_in_reference(paragraphs, reference, protected={0})
    assert sorted(removed) == list(range(4, len(paragraphs)))


def test_nothing_is_judged_when_the_reference_is_too_short():
    assert not_in_reference([*STORY, *POSTS], STORY[0][:60]) == {}


def test_tokens_keep_the_order_of_mixed_scripts():
    assert tokens("Port 港口 closed") == ["port", "港", "口", "closed"]


def test_extraction_carries_readability_reading_without_the_thread_below_the_story():
    html = (FIXTURES / "thread_outside_story.html").read_bytes()
    ex = extract_article(html, "http://127.0.0.1/news/crane")
    assert ex is not None
    assert "harbourwatcher wrote at 08:24" in ex.paragraphs
    assert "harbourwatcher" not in ex.reference
    removed = not_in_reference(ex.paragraphs, ex.reference)
    assert {ex.paragraphs[i] for i in removed} >= {
        "harbourwatcher wrote at 08:24",
        "nightshift wrote at 07:51",
        "Glad the shift was sent home in time.",
    }
    assert not any(ex.paragraphs[i].startswith("A forty-metre") for i in removed)


def test_cleaning_removes_what_the_reference_leaves_out_and_says_why():
    headline = "Harbour crane collapses during storm"
    cleaned = clean_paragraphs(
        [headline, *STORY, *POSTS], "en", headline + " | Eastwick Courier", " ".join(STORY)
    )
    assert cleaned.text == "\n\n".join([headline, *STORY])
    assert [(r.text, r.reason) for r in cleaned.removed] == [(p, "not_in_reference") for p in POSTS]
    assert all(r.score > 0.7 for r in cleaned.removed)


def test_a_lead_above_what_the_reference_reads_stays_but_menu_lines_go():
    lead = "Gales of 120 km/h toppled a harbour crane at Eastwick overnight; nobody was hurt in the collapse."
    menu = ["Home", "Port news"]
    removed = not_in_reference([*menu, lead, *STORY], " ".join(STORY))
    assert sorted(removed) == [0, 1]


CLOSING = [
    "What to expect next winter",
    "Boats that are drained, covered and double moored before the first frost of winter come "
    "through the season with a dry deck, a whole engine block and lines that still hold, and the "
    "owners who check the cover and the mooring lines after every storm seldom need the boatyard "
    "in spring.",
    "How often should the mooring lines be checked?",
    "After every storm, and once a fortnight otherwise: winter gales chafe the mooring lines of a "
    "small boat through at the fairlead, the cleat and the edge of the pontoon, and a line wrapped "
    "in old hose where it passes over them lasts the whole winter on its moorings.",
]
OTHER_STORY = ["Also on the site", "Harwell sailing club elects a new commodore"]


def test_the_article_read_on_past_the_reference_keeps_the_sentences_of_its_closing_section():
    """readability stopped at the last step: the long sentences after it are on the guide's subject,
    so the guide runs on to them and they stay; the short lines among them are judged as inside the
    article, and the link lines after them as after it."""
    paragraphs = [*GUIDE, *CLOSING, *OTHER_STORY]
    removed = not_in_reference(paragraphs, " ".join(GUIDE[1:]), protected={0})
    n = len(GUIDE)
    assert sorted(removed) == [n, n + 2, n + 4, n + 5]


def test_without_the_read_on_the_closing_section_goes_with_the_rest():
    """The same sentences after more than two other lines: the article has ended."""
    paragraphs = [*GUIDE, *MENU[:3], *CLOSING]
    removed = not_in_reference(paragraphs, " ".join(GUIDE[1:]), protected={0})
    assert sorted(removed) == list(range(len(GUIDE), len(paragraphs)))


SECTIONED = [
    "Eastwick harbour reopens its north quay after the winter storms.",
    "The quay was closed in January after a gale tore up part of its deck and two mooring posts.",
    "What was repaired",
    "Contractors replaced forty metres of deck and reset the mooring posts in concrete footings.",
    "Photo: Eastwick Port Authority",
    "Fishing boats may tie up at the quay again from Monday, the harbour master said on Friday.",
    "Advertisement",
    "The harbour master asked skippers to keep clear of the south end, where the work goes on.",
]


def test_a_section_heading_between_what_the_reference_reads_stays_and_labels_go():
    """A short heading under a sentence and over a paragraph the reference reads stays; a
    "label: value" line there goes, and so does a label over a paragraph the reference lacks."""
    reference = " ".join(SECTIONED[i] for i in (0, 1, 3, 5, 7))
    removed = not_in_reference(SECTIONED, reference)
    assert sorted(removed) == [4]


def test_a_heading_under_a_line_that_is_no_sentence_is_still_judged():
    lines = ["Latest from our port office", "What was repaired"]
    paragraphs = [SECTIONED[0], *lines, SECTIONED[3], SECTIONED[7]]
    reference = " ".join([SECTIONED[0], SECTIONED[3], SECTIONED[7]])
    assert sorted(not_in_reference(paragraphs, reference)) == [1, 2]


def test_a_section_heading_under_a_list_stays():
    """The section before ends with a list the reference reads; the heading after it stays."""
    items = ["- The deck of the north quay", "- Two mooring posts and their footings"]
    paragraphs = [*SECTIONED[:2], *items, "What it cost", SECTIONED[5], SECTIONED[7]]
    reference = " ".join([*SECTIONED[:2], *items, SECTIONED[5], SECTIONED[7]])
    assert not_in_reference(paragraphs, reference) == {}
