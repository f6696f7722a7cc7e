"""The publication days newsmill accepts, 1990-01-01 to 2199-12-31, how command lines read them, and
the days of a range (`days`).

Every day a user gives is checked against this one range: the `newsmill` date options, the
``--from/--to`` of ``python -m spiders.crawl`` and the logical date of an Airflow run. A day
outside it is a slip (0026 for 2026, 9999-12-31 meant as "no end"), and it fails at once with
one line instead of deep in a run: the pipeline steps through days one at a time (``day + 1`` does not
exist after 9999-12-31), and Airflow's data interval of a day ends the next midnight.

Why these bounds: newsmill collects what web feeds, sitemaps and archive pages list for a day, and
the web itself dates from 1991 (RSS 1999, sitemaps 2005); page dates are read by htmldate, which
recognises none before 1995. 2199 leaves room for any schedule while keeping every day's next day,
and Airflow's interval arithmetic on it, far from the end of the calendar.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import click

FIRST = date(1990, 1, 1)
LAST = date(2199, 12, 31)


def check_day(day: date) -> date:
    """`day` itself; ValueError, naming the range, when it is outside FIRST..LAST."""
    if not FIRST <= day <= LAST:
        raise ValueError(f"{day.isoformat()} is outside the days newsmill supports, {FIRST} to {LAST}")
    return day


def parse_day(text: str) -> date:
    """A YYYY-MM-DD string as a supported day; ValueError says what is wrong with it."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date; use YYYY-MM-DD, e.g. 2026-11-20") from None
    return check_day(day)


def days(first: date, last: date) -> Iterator[date]:
    """Every day of first..last, both included, in order."""
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


class DayParam(click.ParamType):
    """A click option value that is a supported day (bad input: exit 2 with one line)."""

    name = "YYYY-MM-DD"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> date:
        try:
            return check_day(value) if isinstance(value, date) else parse_day(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


DATE = DayParam()
