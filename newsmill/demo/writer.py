"""Compose one coherent article from a language's text pools, deterministically from an RNG.

A topic has several stories (its leads). Headlines and paragraphs may carry a tag such as ``[0,2]``
naming the stories they fit; untagged ones fit every story of the topic (the pools' format:
`newsmill.demo.textpool`). An article is one story:
a lead, four to six fitting body paragraphs, a quote placed among them and a closing line.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from newsmill.demo.placeholders import article_values, voice_values
from newsmill.demo.textpool import text_pool

_TAG = re.compile(r"^\[(\d+(?:,\d+)*)\]")


@dataclass(frozen=True)
class Draft:
    """An article's words: topic, headline, paragraphs (lead first) and tags."""

    topic: str
    title: str
    paragraphs: tuple[str, ...]


def fitting(entries: Sequence[str], story: int) -> list[str]:
    """The entries that fit `story` (untagged or tagged with it), tags removed."""
    out = []
    for entry in entries:
        match = _TAG.match(entry)
        if match is None:
            out.append(entry)
        elif str(story) in match[1].split(","):
            out.append(entry[match.end():])
    return out


def stories(language: str, topic: str) -> int:
    """How many stories (leads) `topic` has in `language`."""
    return len(text_pool(language).topics[topic].leads)


def _pick(rng: random.Random, entries: Sequence[str], k: int, avoid: set[str]) -> list[str]:
    """`k` entries, those not in `avoid` (used by the story's previous article) first."""
    fresh = [e for e in entries if e not in avoid]
    stale = [e for e in entries if e in avoid]
    picked = rng.sample(fresh, min(k, len(fresh)))
    return picked + rng.sample(stale, min(k - len(picked), len(stale)))


def compose(language: str, topic: str, story: int, rng: random.Random, day: date,
            avoid: set[str] | None = None) -> tuple[Draft, set[str]]:
    """Story `story` of `topic` in `language`, its details drawn from `rng`, reported on `day`.

    Three or four fitting body paragraphs in the pool's order, one quote and two vox-pop
    paragraphs (a passer-by's words, with their own name and description) among them, a closing.
    Templates in `avoid` (those of the story's previous article) are used only when the pool runs
    short, so two articles of one story share little wording. Returns the draft and its templates.
    """
    avoid = avoid or set()
    pool = text_pool(language)
    spec = pool.topics[topic]
    values = article_values(pool, rng, day)
    title = _pick(rng, fitting(spec.headlines, story), 1, avoid)[0]
    body = fitting(spec.body, story)
    chosen = _pick(rng, body, rng.randint(3, 4), avoid)
    chosen.sort(key=body.index)  # keep the pool's narrative order
    quote = _pick(rng, fitting(spec.quotes, story), 1, avoid)[0]
    closing = _pick(rng, fitting(spec.closings, story), 1, avoid)[0]
    statements = _pick(rng, fitting(spec.voices, story), 2, avoid)
    used = {title, *chosen, quote, closing, *statements}
    title = title.format(**values)
    paragraphs = [p.format(**values) for p in chosen]
    paragraphs.insert(rng.randint(1, len(paragraphs)), quote.format(**values))
    for statement in statements:
        voice = voice_values(pool, rng, day)
        text = pool.voice.format(statement=statement.format(**voice),
                                 descriptor=rng.choice(pool.descriptors).format(**voice), name=voice["name"])
        paragraphs.insert(rng.randint(1, len(paragraphs)), text)
    lead = spec.leads[story].format(**values)
    return Draft(topic, title, (lead, *paragraphs, closing.format(**values))), used
