"""The demo's text pools (hand-edited TOML) fit the code that uses them: tags name existing stories,
every story can be written, and every placeholder has a value."""

from __future__ import annotations

import random
import re
from datetime import date
from string import Formatter

import pytest

from newsmill.demo import SITES
from newsmill.demo.placeholders import article_values, voice_values
from newsmill.demo.textpool import LANGUAGES, text_pool
from newsmill.demo.writer import fitting

_TAG = re.compile(r"^\[(\d+(?:,\d+)*)\]")


def _fields(text: str) -> set[str]:
    return {name for _literal, name, _spec, _conversion in Formatter().parse(text) if name}


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_site_section_has_a_topic(language: str) -> None:
    sections = {slug for spec in SITES if spec.language == language for slug, _label in spec.sections}
    assert sections == set(text_pool(language).topics)


@pytest.mark.parametrize("language", LANGUAGES)
def test_tags_name_existing_stories_and_every_story_can_be_written(language: str) -> None:
    for name, topic in text_pool(language).topics.items():
        stories = range(len(topic.leads))
        assert not any(_TAG.match(lead) for lead in topic.leads), name
        for entries in (topic.headlines, topic.body, topic.quotes, topic.closings, topic.voices):
            for entry in entries:
                match = _TAG.match(entry)
                if match:
                    assert all(int(n) in stories for n in match[1].split(",")), (name, entry)
        for story in stories:
            assert fitting(topic.headlines, story) and fitting(topic.quotes, story), (name, story)
            assert fitting(topic.closings, story) and len(fitting(topic.voices, story)) >= 2, (name, story)
            assert len(fitting(topic.body, story)) >= 3, (name, story)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_placeholder_has_a_value(language: str) -> None:
    pool = text_pool(language)
    day = date(2026, 1, 5)
    article = set(article_values(pool, random.Random(1), day))
    voice = set(voice_values(pool, random.Random(1), day))
    for name, topic in pool.topics.items():
        for text in (*topic.leads, *topic.headlines, *topic.body, *topic.quotes, *topic.closings):
            assert _fields(text) <= article, (name, text)
        for text in topic.voices:
            assert _fields(text) <= voice, (name, text)
    for text in pool.descriptors:
        assert _fields(text) <= voice, text
    assert _fields(pool.voice) == {"statement", "name", "descriptor"}


def test_pools_are_loaded_once_and_cannot_be_changed() -> None:
    pool = text_pool("en")
    assert text_pool("en") is pool
    assert isinstance(pool.topics["local"].body, tuple)
    with pytest.raises(TypeError):
        pool.names["towns"] = ("Elsewhere",)  # type: ignore[index]
    with pytest.raises(KeyError, match="no demo text pool for 'fr'"):
        text_pool("fr")
