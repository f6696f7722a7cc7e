"""Off-topic paragraphs: a same-language paragraph of another story goes, the article stays.

The model runs for real (read from installed packages, nothing from the network).
"""

from transforms.clean import clean_paragraphs
from transforms.offtopic import lexical_coherence

TITLE = "Harbour town opens its new water treatment plant after two years of building work"
ARTICLE = [
    "Harbour town opened its new water treatment plant on Monday, ending two years of building work "
    "on the hill above the old fishing port and a long dispute over the cost of the works.",
    "The plant will filter and disinfect drinking water for some forty thousand residents, replacing "
    "pumps and settling tanks that engineers said had been near the end of their working life.",
    '"It just works," the mayor said.',
    "Engineers at the water plant said the new membrane filters remove far more sediment than the old "
    "sand beds, and that the drinking water should taste cleaner within a few weeks of the switch.",
    "Town officials said the water plant cost about eighteen million, most of it paid from a regional "
    "infrastructure fund, and that household water bills would not rise this year.",
    "Residents near the treatment plant had complained about lorries and noise during the building "
    "work, and the council has promised to replant the trees that were cut along the access road.",
    "The old pumping station by the port will be kept as a museum of the town's water supply.",
    "Reporting by Mara Quill; editing by Joe Penn",
]
INSERT = (
    "Visiting striker Lopez scored twice in the second half as the league leaders came from behind to "
    "win the cup tie, and their goalkeeper saved a late penalty to keep the victory intact."
)
# The second paragraph of the same football story: the two share words with each other only.
INSERT_NEXT = (
    "Lopez, who joined the club from a rival side last summer, has now scored eleven goals in the "
    "competition, and the league leaders will face the holders in the semi-final next month."
)


def test_lexical_coherence_is_low_for_a_paragraph_of_another_story():
    scores = lexical_coherence([*ARTICLE[:4], INSERT, *ARTICLE[4:]], TITLE, 0.03)
    assert scores[4] < 0.03
    assert min(scores[k] for k in (0, 1, 3, 5, 6)) > 0.03


def test_lexical_coherence_of_a_two_paragraph_insert_is_low_for_both():
    """Two paragraphs of one other story do not vouch for each other."""
    scores = lexical_coherence([*ARTICLE[:4], INSERT, INSERT_NEXT, *ARTICLE[4:]], TITLE, 0.03)
    assert max(scores[4], scores[5]) < 0.03
    assert min(scores[k] for k in (0, 1, 3, 6, 7)) > 0.03


def test_an_offtopic_paragraph_goes_and_every_genuine_paragraph_stays():
    paragraphs = [*ARTICLE[:4], INSERT, *ARTICLE[4:]]
    cleaned = clean_paragraphs(paragraphs, "en", TITLE)
    assert [(r.position, r.reason) for r in cleaned.removed] == [(4, "offtopic")]
    assert 0.0 < cleaned.removed[0].score <= 2.0  # 1 - cosine with the article
    assert cleaned.text == "\n\n".join(ARTICLE)  # the short quote and the sign-off stay


def test_a_two_paragraph_insert_goes_whole():
    paragraphs = [*ARTICLE[:4], INSERT, INSERT_NEXT, *ARTICLE[4:]]
    cleaned = clean_paragraphs(paragraphs, "en", TITLE)
    assert [(r.position, r.reason) for r in cleaned.removed] == [(4, "offtopic"), (5, "offtopic")]
    assert cleaned.text == "\n\n".join(ARTICLE)


def test_two_paragraphs_on_a_side_thread_stay():
    """A side thread shares few words with the story, but the model ties it to the story."""
    side = [
        "A forecaster at the regional weather office said the dry summer had left reservoirs lower "
        "than usual, so clean supplies matter more this year.",
        "She added that autumn rain should refill them by December, although another dry spring "
        "could bring hosepipe bans across the county.",
    ]
    assert clean_paragraphs([*ARTICLE[:4], *side, *ARTICLE[4:]], "en", TITLE).removed == []


def test_an_article_without_inserts_loses_nothing():
    assert clean_paragraphs(ARTICLE, "en", TITLE).removed == []


POLISH_TITLE = "Nocne autobusy pojadą od stycznia na wschodnie osiedla"
POLISH = [
    "Rada miasta zdecydowała w czwartek, że nocne autobusy pojadą od stycznia także na wschodnie osiedla.",
    "Radni podkreślali, że próbny kurs nocnych autobusów w zeszłym roku cieszył się dużym "
    "zainteresowaniem pasażerów ze wschodnich osiedli.",
    "Przedłużenie nocnej linii będzie kosztować miasto około dwóch milionów złotych rocznie z budżetu "
    "parkingowego.",
    "Nowy rozkład jazdy nocnych autobusów miasto opublikuje w grudniu po rozmowach z przewoźnikami.",
    "Przewoźnicy zapowiadają, że na nocnej linii pojadą nowe autobusy elektryczne, a pasażerowie osiedli "
    "zapłacą zwykłą cenę biletu.",
]


def test_other_languages_are_judged_by_words_alone_only_on_strong_evidence():
    """MiniLM reads English only: in Polish a long paragraph sharing no stem with the story goes; a
    short one, which may share none by chance, stays though it is another story too."""
    long_insert = (
        "Giełdowe indeksy europejskich spółek technologicznych wzrosły w piątek wyraźnie, ponieważ "
        "amerykańscy bankierzy centralni zasugerowali niespodziewanie obniżki stóp procentowych; "
        "analitycy oczekują dalszych wzrostów notowań producentów półprzewodników oraz dostawców "
        "oprogramowania."
    )
    short_insert = (
        "Napastnik gości strzelił dwa gole w drugiej połowie, a bramkarz obronił rzut karny w końcówce meczu."
    )
    paragraphs = [*POLISH[:2], long_insert, *POLISH[2:4], short_insert, POLISH[4]]
    cleaned = clean_paragraphs(paragraphs, "pl", POLISH_TITLE)
    assert [(r.position, r.reason) for r in cleaned.removed] == [(2, "offtopic")]
    assert clean_paragraphs(POLISH, "pl", POLISH_TITLE).removed == []


def test_a_quote_of_another_story_goes_but_a_residents_quote_stays():
    """Quotes must be further from the story than reporting to go: a resident's aside stays."""
    quote = (
        '"Our striker scored twice in extra time and the keeper saved a penalty; nobody in the squad '
        'will sleep tonight," coach Ruiz said in the tunnel.'
    )
    aside = (
        '"My grandmother carried water up this hill in buckets, so a plant like this feels like a '
        'small miracle to our family," said Ada Brenn, who has lived near the port all her life.'
    )
    paragraphs = [*ARTICLE[:4], quote, aside, *ARTICLE[4:]]
    cleaned = clean_paragraphs(paragraphs, "en", TITLE)
    assert [(r.position, r.reason) for r in cleaned.removed] == [(4, "offtopic")]
