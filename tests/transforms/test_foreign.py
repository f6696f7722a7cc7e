"""Foreign-language paragraphs: an insert in another language goes whole, the article stays."""

from pathlib import Path

from transforms.clean import clean_article, clean_paragraphs
from transforms.extract import extract_article
from transforms.foreign import languages

FIXTURES = Path(__file__).parent / "fixtures"
BODY = [
    "The city council voted on Thursday to extend the night bus service to the eastern suburbs from January.",
    "Councillors said the trial of the last year had shown steady demand, above all on Friday and Saturday nights.",
    "The extension will cost about two million a year and will be paid for from the parking budget.",
]


def test_seed_like_foreign_insert_goes_and_the_report_stays():
    ex = extract_article((FIXTURES / "seed_like.html").read_bytes(), "https://news.test/flood")
    cleaned = clean_article(ex, "en")
    assert cleaned.language == "en"
    assert [r.reason for r in cleaned.removed] == ["foreign_language", "foreign_language"]
    assert cleaned.removed[0].text.startswith("El equipo local")
    assert cleaned.removed[1].text.startswith("Con un gol")
    assert all(r.score >= 0.6 for r in cleaned.removed)
    assert cleaned.text.split("\n\n") == [
        p for p in ex.paragraphs if p not in {r.text for r in cleaned.removed}
    ]
    assert len(cleaned.text.split("\n\n")) == len(ex.paragraphs) - 2
    assert "Reporting by Ana Brook" in cleaned.text


def test_article_language_falls_back_to_the_source_when_there_is_too_little_text():
    assert languages(["OK"], "pl").article == "pl"
    assert languages(BODY, "pl").article == "en"
    assert clean_paragraphs(["OK"], "pl").language == "pl"


def test_a_short_headline_before_a_foreign_paragraph_goes_with_it():
    """Too short for the main rule, the insert's headline goes as a neighbour of its text."""
    headline = "Victoria del equipo local"
    insert = (
        "El equipo local ganó el partido del domingo con dos goles en la segunda parte y sigue "
        "primero en la tabla de la liga regional."
    )
    cleaned = clean_paragraphs([BODY[0], headline, insert, *BODY[1:]], "en")
    assert [(r.position, r.reason) for r in cleaned.removed] == [
        (1, "foreign_language"),
        (2, "foreign_language"),
    ]
    assert cleaned.text == "\n\n".join(BODY)


NAMED = (
    "The nephew of Bundespräsident Heinrich Lübke, Friedrich Wilhelm von Lübke-Hausmann, was "
    "stabbed at the Schlosspark-Klinik in Berlin, Tagesschau reported."
)
GERMAN = (
    "Der Bürgermeister hat am Freitag die neue Brücke über den Fluss eröffnet, und die Anwohner "
    "waren sehr zufrieden damit."
)


def test_a_paragraph_read_as_foreign_for_its_names_stays_and_a_foreign_one_goes():
    """Language ID reads the German names as German; the running words are English."""
    assert languages([NAMED], None).paragraphs[0][0] == "de"
    cleaned = clean_paragraphs([BODY[0], NAMED, *BODY[1:], GERMAN], "en")
    assert [r.text for r in cleaned.removed if r.reason == "foreign_language"] == [GERMAN]
