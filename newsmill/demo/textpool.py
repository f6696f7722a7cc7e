"""The demo sites' words, one text pool per language, read from ``newsmill/demo/pools/<language>.toml``.

The pools are data so that a writer edits sentences without touching code; each file's header
comment documents its format. In short: ``{placeholder}``s are filled by
`newsmill.demo.placeholders`; a topic tells several stories (story N is its ``leads[N]``), and an
entry starting with a tag such as ``[1]`` or ``[0,2]`` fits only the stories it names (untagged
entries fit all; `newsmill.demo.writer.fitting` strips the tag).

Each pool is parsed once per process (`text_pool` is cached) and handed out as immutable tuples,
so the generator's seeded draws cannot alter it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

LANGUAGES = ("en", "de", "es")


@dataclass(frozen=True)
class Topic:
    """A section's texts: one lead per story and the tagged entries an article of it draws from."""

    leads: tuple[str, ...]
    headlines: tuple[str, ...]
    body: tuple[str, ...]
    """Body paragraphs, in the order an article keeps them."""
    quotes: tuple[str, ...]
    closings: tuple[str, ...]
    voices: tuple[str, ...]
    """A passer-by's statements, framed by the pool's `voice`."""


@dataclass(frozen=True)
class TextPool:
    """One language's words: site labels and dates, names to draw from, the topics' texts."""

    language: str
    date_format: str
    months: tuple[str, ...]
    weekdays: tuple[str, ...]
    teaser_label: str
    voice: str
    descriptors: tuple[str, ...]
    staff: tuple[str, ...]
    commenters: tuple[str, ...]
    comments: tuple[str, ...]
    names: Mapping[str, tuple[str, ...]]
    """The lists `newsmill.demo.placeholders` draws people, places, clubs and the like from."""
    labels: Mapping[str, str]
    topics: Mapping[str, Topic]
    foreign_inserts: tuple[tuple[str, ...], ...] = ()
    """Other-language (headline line, paragraph) pairs inserted into this language's articles."""


def _frozen(value: Any) -> Any:
    """`value` with its lists as tuples (recursively), so a shared pool cannot be changed."""
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    return value


@cache
def text_pool(language: str) -> TextPool:
    """The text pool of `language` (one of `LANGUAGES`), parsed on first use."""
    if language not in LANGUAGES:
        raise KeyError(f"no demo text pool for {language!r} (known: {', '.join(LANGUAGES)})")
    text = resources.files("newsmill.demo").joinpath("pools").joinpath(f"{language}.toml").read_text(encoding="utf-8")
    data = {key: _frozen(value) for key, value in tomllib.loads(text).items()}
    names = {key: _frozen(value) for key, value in data.pop("names").items()}
    topics = {name: Topic(**{key: _frozen(value) for key, value in spec.items()})
              for name, spec in data.pop("topics").items()}
    return TextPool(language=language, names=MappingProxyType(names), labels=MappingProxyType(data.pop("labels")),
                    topics=MappingProxyType(topics), **data)
