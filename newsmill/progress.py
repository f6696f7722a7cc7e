"""Progress bars for long stages, shown only on an interactive terminal (or when asked)."""

from __future__ import annotations

import sys

from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as _RichProgress

from newsmill.terminal import printable


class Progress:
    """A bar with a known or unknown total; a no-op when disabled, so callers need no branches."""

    def __init__(self, enabled: bool, description: str, unit: str = "items") -> None:
        self._enabled = enabled and sys.stderr.isatty()
        self._description = printable(description)
        self._unit = unit
        self._bar: _RichProgress | None = None
        self._task = None

    def __enter__(self) -> Progress:
        if self._enabled:
            self._bar = _RichProgress(
                TextColumn("{task.description}", markup=False),  # a description is data, not markup
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn(self._unit, markup=False),
                TimeElapsedColumn(),
                transient=False,
            )
            self._bar.start()
            self._task = self._bar.add_task(self._description, total=None)
        return self

    def update(self, done: int, total: int | None = None) -> None:
        if self._bar is not None:
            self._bar.update(self._task, completed=done, total=total)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
