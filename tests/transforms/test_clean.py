"""Cleaning: the rules run in order and every genuine paragraph stays."""

from pathlib import Path

import pytest

from transforms.clean import clean_article, clean_paragraphs
from transforms.extract import extract_article

FIXTURES = Path(__file__).parent / "fixtures"


BODY = [
    "The city council voted on Thursday to extend the night bus service to the eastern suburbs from January.",
    "Councillors said the trial of the last year had shown steady demand, above all on Friday and Saturday nights.",
    "The extension will cost about two million a year and will be paid for from the parking budget.",
]


@pytest.mark.parametrize(
    "teaser, language",
    [
        ("Read more: Council approves new budget for the harbour", "en"),
        ("[Related: Why the night buses were cut in the first place]", "en"),
        ("Sign up for our morning newsletter", "en"),
        ("Share on Facebook Twitter Email", "en"),
        ("Читайте также: В городе открылась новая библиотека", "ru"),
        ("Διαβάστε επίσης: Νέα γέφυρα στο λιμάνι της πόλης", "el"),
        ("Czytaj także: Nowy most otwarty dla ruchu", "pl"),
        ("相关阅读：城市公交夜班线路将延长", "zh"),
        ("Leia também: Prefeitura anuncia nova linha de ônibus", "pt"),
        ("Lesen Sie auch: Neue Brücke für den Verkehr freigegeben", "de"),
        ("Baca juga: Jembatan baru dibuka untuk umum", "id"),
        ("Leggi anche: Nuovo ponte aperto al traffico", "it"),
        ("관련기사: 새 다리 개통", "ko"),
        ("関連記事：新しい橋が開通", "ja"),
        ("© 2026 The Town Gazette. All rights reserved.", "en"),
    ],
)
def test_teasers_go_in_many_languages(teaser: str, language: str):
    paragraphs = [BODY[0], teaser, *BODY[1:]]
    cleaned = clean_paragraphs(paragraphs, "en")
    assert cleaned.text == "\n\n".join(BODY)
    assert [r.position for r in cleaned.removed] == [1]
    assert cleaned.removed[0].reason in {"teaser", "signup", "share", "copyright"}


@pytest.mark.parametrize(
    "genuine",
    [
        '"We will read more of these reports before we decide," the mayor said.',
        "LONDON, Nov 20 (Reuters) -",
        "- Buses every 20 minutes",
        "Related to the vote, a second motion on cycle lanes was postponed until spring.",
        "Thanks.",
        "Reporting by Ana Brook; editing by Tom Reyes",
        'The mayor quoted Goethe: "Mehr Licht" was all he said.',
        "- Sign up for the service at any station before the first trip",
        "- Więcej nie powiem - dodał minister.",
    ],
)
def test_genuine_short_paragraphs_stay(genuine: str):
    paragraphs = [BODY[0], genuine, *BODY[1:]]
    assert clean_paragraphs(paragraphs, "en").removed == []


def test_an_article_laid_out_in_a_table_cell_keeps_its_paragraphs_apart():
    ex = extract_article((FIXTURES / "layout_table.html").read_bytes(), "https://news.test/library")
    cleaned = clean_article(ex, "en")
    removed = [r.text for r in cleaned.removed]
    assert removed == [
        "Nowy park miejski zostanie otwarty wiosną",
        "Władze miasta poinformowały, że prace przy nowym parku potrwają jeszcze kilka miesięcy, "
        "a pierwsze alejki będą dostępne dla mieszkańców już w kwietniu.",
    ]
    assert cleaned.text.count("\n\n") == 4  # headline + four genuine paragraphs


def test_a_trailing_list_of_other_headlines_goes():
    tail = [
        "- 10:17 Ferry timetable changes from Monday",
        "- 09:40 Storm warning for the northern coast",
        "- 08:55 New mayor sworn in at the town hall",
        "Most read",
    ]
    cleaned = clean_paragraphs([*BODY, *tail], "en")
    assert cleaned.text == "\n\n".join(BODY)
    assert {r.reason for r in cleaned.removed} == {"trailing_list"}


def test_a_dated_list_of_the_article_itself_stays():
    dates = [
        "June 3 -- Harbour Hall, Eastwick, with the full orchestra and the town choir",
        "June 5 -- Old Mill Theatre, Westbury",
        "June 8 -- Riverside Park, Northam",
        "June 9 -- Castle Yard, Southport",
    ]
    assert clean_paragraphs([*BODY, *dates], "en").removed == []


def test_a_reader_thread_with_stamp_lines_goes_past_its_longer_posts():
    thread = [
        "~harbourwatcher",
        "[2026-11-18 08:24]",
        "Finally, the buses we were promised years ago",
        "The eastern suburbs have waited a decade for this and the council still wants applause for it.",
        "reply",
        "~nightshift",
        "[2026-11-18 07:51]",
        "Good news for shift workers",
        "reply",
    ]
    cleaned = clean_paragraphs([*BODY, *thread], "en")
    assert cleaned.text == "\n\n".join(BODY)
    assert {r.reason for r in cleaned.removed} == {"trailing_list"}


def test_a_list_of_the_article_with_a_longer_dated_item_stays():
    dates = [
        "June 3 -- Harbour Hall, Eastwick",
        "June 5 -- Old Mill Theatre, Westbury",
        "June 6 -- Town Square, Eastwick, an open-air show with the town choir and the brass band",
        "June 8 -- Riverside Park, Northam",
        "June 9 -- Castle Yard, Southport",
        "June 11 -- Pier Pavilion, Seaham",
    ]
    assert clean_paragraphs([*BODY, *dates], "en").removed == []


def test_a_sentence_wrapped_over_short_lines_stays():
    wrapped = [
        "The two new routes will also stop",
        "at the hospital and the station, and",
        "the council will review the timetable",
        "after the first three months of service.",
    ]
    assert clean_paragraphs([*BODY, *wrapped], "en").removed == []


def test_menu_lines_above_the_headline_go():
    title = "Night buses to reach the eastern suburbs"
    paragraphs = ["Home", "Local news", "Print version", title, *BODY]
    cleaned = clean_paragraphs(paragraphs, "en", title + " | Town Gazette")
    assert cleaned.text == "\n\n".join([title, *BODY])
    assert [r.reason for r in cleaned.removed] == ["before_headline"] * 3


def test_reader_comments_after_a_comments_header_go():
    comments = [
        "Comments (2)",
        "I have taken that bus for years and it was always late after midnight, so good news.",
        "Who pays for this? Not the people who actually ride it, I bet.",
    ]
    cleaned = clean_paragraphs([*BODY, *comments], "en")
    assert cleaned.text == "\n\n".join(BODY)
    assert [r.reason for r in cleaned.removed] == ["comments"] * 3


def test_links_under_a_related_header_go_but_the_story_after_them_stays():
    links = ["Статьи по теме", "Ferry fares to rise in spring", "Harbour dredging starts next week"]
    more = "The council will publish the final timetable in December, after a last round of talks with the two bus companies that run the night routes."
    cleaned = clean_paragraphs([*BODY, *links, more], "en")
    assert cleaned.text == "\n\n".join([*BODY, more])
    assert [r.reason for r in cleaned.removed] == ["teaser", "related", "related"]


HEADLINES = [
    "Ferry timetable changes from Monday",
    "Storm warning for the northern coast",
    "New mayor sworn in at the town hall",
    "Library opens on Sundays",
]


@pytest.mark.parametrize(
    ("stamps", "at"),
    [
        (["11:05 //", "10:40 //", "09:55 //", "08:20 //"], 1),  # timed, inside the text
        (["30.09.2026 10:10", "16.09.2026 13:44", "12.09.2026 12:09", "10.09.2026 08:15"], 3),
    ],
    ids=["timed-inside", "dated-after"],
)
def test_a_ticker_of_timed_headlines_goes(stamps: list[str], at: int):
    ticker = [f"{stamp} {headline}" for stamp, headline in zip(stamps, HEADLINES, strict=True)]
    cleaned = clean_paragraphs([*BODY[:at], *ticker, *BODY[at:]], "en")
    assert cleaned.text == "\n\n".join(BODY)
    assert [r.reason for r in cleaned.removed] == ["ticker"] * 4


def test_markup_a_broken_page_leaked_as_text_goes():
    leaked = (
        '<div class="teaser" style="margin: 0px; padding: 10px;"><a href="/news/102">'
        "<h2>Ferry fares to rise</h2></a></div>"
    )
    cleaned = clean_paragraphs([*BODY, leaked], "en")
    assert cleaned.text == "\n\n".join(BODY)
    assert [r.reason for r in cleaned.removed] == ["markup"]


def test_prose_that_names_a_tag_stays():
    prose = (
        "The council's new website still puts every notice in a <table> element, which screen "
        "readers announce cell by cell, campaigners said at the meeting on Tuesday."
    )
    assert clean_paragraphs([*BODY, prose], "en").removed == []


def test_a_trailing_column_of_teasers_with_comment_counts_goes():
    column = [
        "Coffee break",
        "How the harbour committee met twice and decided nothing at all.",
        "5",
        "Year in review",
        "The editors look back at the stories readers opened most this year.",
        "102",
        "Quiet hero",
        "A lifeboat volunteer retires after forty years of night calls.",
        "38",
    ]
    cleaned = clean_paragraphs([*BODY, *column], "en")
    assert cleaned.text == "\n\n".join(BODY)
    assert {r.reason for r in cleaned.removed} == {"trailing_list"}


def test_a_schedule_of_the_article_with_times_stays_when_short():
    times = ["10:00 Doors open", "10:30 Opening speech by the mayor", "11:15 First bus leaves"]
    assert clean_paragraphs([*BODY[:2], *times, BODY[2]], "en").removed == []


def test_a_sentence_opening_with_the_word_comments_is_no_comments_header():
    closing = "Comments on the new routes can be sent to the council until the end of January."
    paragraphs = [*BODY, closing, "Share this article"]
    assert closing in clean_paragraphs(paragraphs, "en").text


def test_a_trailing_list_of_exclaiming_headlines_goes():
    tail = [
        "Ferry fares frozen for another year!",
        "Who will be the next harbour master?",
        "Storm warning: stay off the pier!",
        "Seven cafés you must try this winter!",
    ]
    cleaned = clean_paragraphs([*BODY, *tail], "en")
    assert cleaned.text == "\n\n".join(BODY)


RANKING = [
    "| Rank | Harbour | Ferries a day |",
    "|---|---|---|",
    "| 1 | Eastwick | 42 |",
    "| 2 | Westbury | 35 |",
    "| 3 | Northam | 28 |",
    "| 4 | Southport | 19 |",
]


def test_a_data_table_closing_the_article_stays_when_the_reference_reads_it():
    reference = " ".join([*BODY, *RANKING])
    assert clean_paragraphs([*BODY, *RANKING], "en", reference=reference).removed == []


def test_a_table_the_reference_leaves_out_goes_as_a_trailing_list():
    cleaned = clean_paragraphs([*BODY, *RANKING], "en", reference=" ".join(BODY))
    assert cleaned.text == "\n\n".join(BODY)
    assert {r.reason for r in cleaned.removed} == {"trailing_list"}


def test_a_hard_wrapped_line_opening_with_comments_is_no_comments_header():
    wrapped = [
        "My backup script runs every night. It downloads all the",
        "comments on my blog posts. It pulls out the",
        "links from each post, fetches them all, and saves them.",
        "When the old service shuts down I will serve those",
        "comments from my backup instead of from their servers.",
    ]
    cleaned = clean_paragraphs([*BODY, *wrapped], "en")
    assert "comments" not in {r.reason for r in cleaned.removed}
    assert wrapped[1] in cleaned.text


@pytest.mark.parametrize(
    "stamp",
    ["28.11.2011 14:09", "Πηγή: ΑΠΕ\t\t\xa011/12/11-01:02", "Published at 11:27, Thursday, 12 January 2012"],
)
def test_a_dateline_left_in_the_text_goes(stamp: str):
    cleaned = clean_paragraphs([BODY[0], stamp, *BODY[1:]], "en")
    assert cleaned.text == "\n\n".join(BODY)
    assert [r.reason for r in cleaned.removed] == ["dateline"]


@pytest.mark.parametrize(
    "line",
    ["| 09:30 | Opening session, 2026 budget |", "- 14:00: the council votes on the 2026 plan", "Average GPA: 3.69 in 2023"],
)
def test_timetable_rows_list_items_and_decimals_are_not_datelines(line: str):
    assert clean_paragraphs([BODY[0], line, *BODY[1:]], "en").removed == []


DIRECTORY_INTRO = [
    "Low-fee counselling in Eastwick",
    "The student office keeps this list of clinics that charge on a sliding scale or nothing at all "
    "as a service to students. Being on the list is no endorsement of a clinic or of its staff.",
    "Fees are set by each clinic from what a client earns. Call to ask about waiting times.",
]
DIRECTORY = [
    line
    for name, street, phone, fee in (
        ("Harbour Counselling Centre", "12 Quay Street", "(555) 201-3301", "Fees based on income"),
        ("Eastwick Community Clinic", "48 Mill Lane, Suite 2", "(555) 201-7720", "Free for residents"),
        ("Riverside Therapy Rooms", "3 Bridge Road", "(555) 201-4415", "Scale: $20-60 per session"),
        ("Northam Family Practice", "90 Station Hill", "(555) 201-9902", "Low fee"),
        ("Old Mill Wellbeing Service", "7 Mill Yard", "(555) 201-6654", "Fees based on income"),
    )
    for line in (f"- {name}", street, phone, "Psychotherapy and counselling", fee)
]


def test_a_directory_the_reference_reads_under_a_short_introduction_stays():
    reference = " ".join([*DIRECTORY_INTRO[1:], *DIRECTORY])
    paragraphs = [*DIRECTORY_INTRO, *DIRECTORY]
    cleaned = clean_paragraphs(paragraphs, "en", DIRECTORY_INTRO[0], reference)
    assert cleaned.removed == []


def test_the_same_directory_the_reference_leaves_out_goes_as_a_trailing_list():
    reference = " ".join(DIRECTORY_INTRO[1:])
    cleaned = clean_paragraphs([*DIRECTORY_INTRO, *DIRECTORY], "en", DIRECTORY_INTRO[0], reference)
    assert {r.reason for r in cleaned.removed} == {"trailing_list"}
    assert cleaned.text == "\n\n".join(DIRECTORY_INTRO)


def test_the_short_last_items_of_the_article_s_own_list_stay():
    items = [
        "- Extend the night buses to the eastern suburbs from January, as the council agreed.",
        "- Pay for the extension from the parking budget rather than from higher fares.",
        "- Review demand after a year",
        "- Publish the figures",
        "- Ask riders again",
    ]
    assert clean_paragraphs([*BODY, *items], "en").removed == []
