"""Values of the ``{placeholder}``s in the demo's text pools, drawn per article and per vox pop.

The words come from the language's `TextPool` (its ``[names]``); which placeholders exist, the
number ranges and the money formats are per language and live here. The order of the draws is part
of the demo's determinism: every draw moved, added or removed changes all articles generated after
it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date

from newsmill.demo.textpool import TextPool

Values = dict[str, object]
"""Placeholder name -> value, for ``str.format(**values)``."""


def _cast(names: dict, rng: random.Random) -> tuple[list[str], list[str], list[str]]:
    """Two towns, two people (a man and a woman) and two clubs of a story, drawn in this order."""
    towns = rng.sample(names["towns"], 2)
    surnames = rng.sample(names["last"], 2)
    people = [f"{rng.choice(names['first_m'])} {surnames[0]}", f"{rng.choice(names['first_f'])} {surnames[1]}"]
    clubs = rng.sample(names["clubs"], 2)
    return towns, people, clubs


def _english(pool: TextPool, rng: random.Random, day: date) -> Values:
    names, weekdays, months = pool.names, pool.weekdays, pool.months
    towns, people, clubs = _cast(names, rng)
    streets = rng.sample(names["streets"], 2)
    goals = sorted(rng.sample(range(0, 5), 2), reverse=True)
    votes = rng.randint(8, 14)
    place = rng.choice(names["places"])
    return {
        "town": towns[0], "town2": towns[1], "person": people[0], "person2": people[1],
        "role": rng.choice(names["roles"]), "street": streets[0], "street2": streets[1],
        "river": rng.choice(names["rivers"]), "company": rng.choice(names["companies"]), "club": clubs[0],
        "rival": clubs[1], "school": rng.choice(names["schools"]),
        "goals_for": goals[0] if goals[0] != goals[1] else goals[0] + 1, "goals_against": goals[1],
        "scorer": f"{rng.choice(names['first'])} {rng.choice(names['last'])}", "minute": rng.randint(80, 94),
        "minute2": rng.randint(6, 40), "place": place, "nth": rng.choice(names["ordinals"]),
        "n": rng.randint(3, 19), "n2": rng.randint(20, 45), "n3": rng.randint(120, 310),
        "big": f"{rng.randint(2, 9)},{rng.randint(100, 999)}", "big2": rng.randint(120, 900),
        "pct": rng.randint(4, 28), "pct2": rng.randint(5, 35), "months": rng.randint(3, 9),
        "money": f"£{rng.randint(2, 48) / 10:.1f}m" if rng.random() < 0.6 else f"£{rng.randint(150, 950)},000",
        "votes_for": votes, "votes_against": rng.randint(2, votes - 3),
        "temp_low": -rng.randint(1, 7), "temp_high": rng.randint(7, 13), "wind": rng.randint(55, 80),
        "rain_mm": rng.randint(30, 70),
        "weekday": weekdays[(day.weekday() - 1) % 7], "next_weekday": weekdays[rng.randint(0, 6)],
        "month": months[day.month - 1], "prev_month": months[day.month - 2],
        "next_month": months[day.month % 12],
    }


def _english_voice(pool: TextPool, rng: random.Random, day: date) -> Values:
    names = pool.names
    first = rng.choice(names["first_f"] + names["first_m"])
    return {"name": f"{first} {rng.choice(names['last'])}", "town": rng.choice(names["towns"]),
            "town2": rng.choice(names["towns"]), "street2": rng.choice(names["streets"]),
            "years": rng.randint(6, 52), "age": rng.randint(19, 84),
            "occupation": rng.choice(names["occupations"]), "weekday": pool.weekdays[(day.weekday() - 1) % 7]}


def _german(pool: TextPool, rng: random.Random, day: date) -> Values:
    names, weekdays, months = pool.names, pool.weekdays, pool.months
    towns, people, clubs = _cast(names, rng)
    streets = rng.sample(names["streets"], 2)
    goals = sorted(rng.sample(range(0, 5), 2), reverse=True)
    votes = rng.randint(9, 16)
    return {
        "town": towns[0], "town2": towns[1], "person": people[0], "person2": people[1],
        "role": rng.choice(names["roles"]), "street": streets[0], "street2": streets[1],
        "river": rng.choice(names["rivers"]), "company": rng.choice(names["companies"]), "club": clubs[0],
        "rival": clubs[1], "goals_for": goals[0], "goals_against": goals[1],
        "scorer": f"{rng.choice(names['first_m'])} {rng.choice(names['last'])}", "minute": rng.randint(82, 94),
        "minute2": rng.randint(5, 38), "place": rng.randint(2, 7),
        "n": rng.randint(3, 18), "n2": rng.randint(12, 60), "n3": rng.randint(300, 900),
        "big": f"{rng.randint(1, 4)}.{rng.randint(100, 999)}", "big2": rng.randint(80, 700),
        "pct": rng.randint(5, 30), "months": rng.randint(4, 10), "km": rng.randint(4, 14),
        "money": f"{rng.randint(12, 58) / 10:.1f} Millionen Euro".replace(".", ",")
        if rng.random() < 0.6 else f"{rng.randint(180, 950)}.000 Euro",
        "votes_for": votes, "votes_against": rng.randint(1, votes - 4),
        "weekday": weekdays[(day.weekday() - 1) % 7], "next_weekday": weekdays[rng.randint(0, 6)],
        "month": months[day.month - 1], "prev_month": months[day.month - 2],
    }


def _german_voice(pool: TextPool, rng: random.Random, day: date) -> Values:
    names = pool.names
    return {"name": f"{rng.choice(names['first_f'] + names['first_m'])} {rng.choice(names['last'])}",
            "town": rng.choice(names["towns"]), "town2": rng.choice(names["towns"]),
            "street2": rng.choice(names["streets"]), "years": rng.randint(6, 52), "age": rng.randint(19, 84),
            "river": rng.choice(names["rivers"])}


def _spanish(pool: TextPool, rng: random.Random, day: date) -> Values:
    names, weekdays, months = pool.names, pool.weekdays, pool.months
    towns, people, clubs = _cast(names, rng)
    teams = rng.sample(names["teams"], 2)
    goals = sorted(rng.sample(range(0, 5), 2), reverse=True)
    points = sorted(rng.sample(range(61, 98), 2), reverse=True)
    return {
        "town": towns[0], "town2": towns[1], "person": people[0], "person2": people[1],
        "club": clubs[0], "rival": clubs[1], "team": teams[0], "team2": teams[1],
        "venue": rng.choice(names["venues"]), "work": rng.choice(names["works"]),
        "goals_for": goals[0], "goals_against": goals[1],
        "points_for": points[0], "points_against": points[1],
        "scorer": f"{rng.choice(names['first'])} {rng.choice(names['last'])}", "minute": rng.randint(88, 95),
        "minute2": rng.randint(7, 41), "place": rng.randint(2, 8),
        "nth": rng.choice(names["ordinals"]),
        "n": rng.randint(3, 14), "n2": rng.randint(4, 12), "n3": rng.randint(12, 31),
        "big": f"{rng.randint(2, 9)}.{rng.randint(100, 999)}",
        "money": f"{rng.randint(90, 480)}.000 euros",
        "weekday": weekdays[(day.weekday() - 1) % 7], "next_weekday": weekdays[rng.randint(0, 6)],
        "next_month": months[day.month % 12],
    }


def _spanish_voice(pool: TextPool, rng: random.Random, day: date) -> Values:
    names = pool.names
    return {"name": f"{rng.choice(names['first_f'] + names['first_m'])} {rng.choice(names['last'])}",
            "town": rng.choice(names["towns"]), "town2": rng.choice(names["towns"]),
            "years": rng.randint(6, 52), "age": rng.randint(19, 84)}


Draw = Callable[[TextPool, random.Random, date], Values]
_ARTICLE: dict[str, Draw] = {"en": _english, "de": _german, "es": _spanish}
_VOICE: dict[str, Draw] = {"en": _english_voice, "de": _german_voice, "es": _spanish_voice}


def article_values(pool: TextPool, rng: random.Random, day: date) -> Values:
    """One article's values: its people, places and clubs from `pool`, numbers in sane ranges, and
    weekday and month names relative to `day` (the publication day)."""
    return _ARTICLE[pool.language](pool, rng, day)


def voice_values(pool: TextPool, rng: random.Random, day: date) -> Values:
    """A vox pop's values: a passer-by's name and the places and numbers its descriptor may use."""
    return _VOICE[pool.language](pool, rng, day)
