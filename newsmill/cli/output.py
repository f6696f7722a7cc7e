"""What the commands print: lines on stderr and rows on stdout, every value as data, never markup or
control codes (`newsmill.terminal`). Rich (tables, styled lines) is imported when first used, so
`newsmill search` and the csv/json outputs start without it."""

from __future__ import annotations

import csv
import json
import shutil
import sys
from typing import TYPE_CHECKING

import click

from newsmill.terminal import json_for_terminal, printable, safe_text

if TYPE_CHECKING:
    from rich.console import Console

    console: Console  # Rich's console on stderr, made on first use (`__getattr__`)

WIDTH = shutil.get_terminal_size((160, 24)).columns  # tables stay readable when piped or logged


def say(line: object) -> None:
    """One line on stderr, its control characters written as visible escapes."""
    click.echo(printable(line), err=True)


def print_rows(columns: list[str], rows: list[tuple], fmt: str) -> None:
    """Rows on stdout: csv and json carry the exact values (for programs), a table shows them as text."""
    if fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    elif fmt == "json":
        for row in rows:
            line = json.dumps(dict(zip(columns, row, strict=True)), default=str, ensure_ascii=False)
            print(json_for_terminal(line))
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table()
        for column in columns:
            table.add_column(safe_text(column), overflow="fold")
        for row in rows:
            table.add_row(*(safe_text("" if v is None else v) for v in row))
        Console(width=WIDTH).print(table)


def __getattr__(name: str) -> object:
    if name == "console":
        from rich.console import Console

        made = globals()["console"] = Console(stderr=True, width=WIDTH, soft_wrap=True)
        return made
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
