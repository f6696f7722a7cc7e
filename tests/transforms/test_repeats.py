"""A second copy of the article inside the extracted text goes; the text's own repeats stay."""

from transforms.clean import clean_paragraphs
from transforms.repeats import repeated_runs

STORY = [
    "The county council approved the new bus timetable on Thursday after a two-hour debate.",
    "From January, buses between Eastwick and Moorfield will run every twenty minutes instead "
    "of every half hour, and the last bus will leave the station at midnight.",
    "The operator said it would hire twelve drivers to cover the extra services.",
    "Councillor Ada Brennan, who chairs the transport committee, called it the biggest change "
    "to local buses in a decade.",
]


def test_a_hard_wrapped_copy_of_the_story_goes():
    words = " ".join(STORY).split()
    wrapped = [" ".join(words[k : k + 7]) for k in range(0, len(words), 7)]  # one line a paragraph
    paragraphs = STORY + wrapped
    assert repeated_runs(paragraphs) == list(range(len(STORY), len(paragraphs)))
    cleaned = clean_paragraphs(paragraphs, "en", "Council approves new bus timetable")
    assert cleaned.text == "\n\n".join(STORY)
    assert {r.reason for r in cleaned.removed} == {"repeated"}


def test_the_story_printed_twice_keeps_its_first_copy():
    paragraphs = [*STORY, "Share this article", *STORY]
    assert repeated_runs(paragraphs) == list(range(len(STORY) + 1, 2 * len(STORY) + 1))


def test_a_schedule_that_repeats_its_own_lines_stays():
    day = [
        "Morning",
        "Eat within an hour of waking",
        "Oats with berries, a spoon of yoghurt and a glass of water or green tea",
    ]
    paragraphs = [
        "Our three-day plan keeps breakfast the same and changes lunch and dinner each day.",
        *day, "Lunch", "Lentil soup with bread",
        *day, "Lunch", "Chicken salad with beans",
        *day, "Lunch", "Baked potato with cottage cheese",
    ]
    assert repeated_runs(paragraphs) == []


def test_a_pulled_quote_stays():
    quote = "the biggest change to local buses in a decade"
    assert repeated_runs([*STORY, quote, "Tickets will cost the same as before."]) == []
