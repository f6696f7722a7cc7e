"""Showing untrusted text on a terminal: page text, warehouse rows and user input are data, never markup.

Crawled pages, SQL results and the user's own arguments may hold Rich markup (`[link=…]`, `[/bold]`),
emoji codes (`:smile:`) or terminal control sequences (ESC starting CSI/OSC sequences such as OSC 8
hyperlinks or "clear screen", BEL, backspace, CR, C1 controls, bidi overrides). Every such value the
CLI prints goes through `safe_text`, so the user sees the characters that are there and the terminal
acts on none of them.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.text import Text

# C0 controls but tab and newline (which only lay text out), DEL, C1 controls (U+009B is a one-byte
# CSI to some terminals), and the bidi embeddings, overrides and isolates that reorder what follows.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# What json.dumps(ensure_ascii=False) leaves raw of the above: it escapes only U+0000-U+001F.
_JSON_RAW = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(value: object) -> str:
    """`str(value)` with each control character written as a visible escape (`\\x1b`, `\\u202e`)."""
    return _CONTROL.sub(_escape, str(value))


def safe_text(value: object, style: str = "") -> Text:
    """`value` as a Rich `Text` that prints literally: no markup, no emoji codes, no control codes."""
    from rich.text import Text  # here, not at the top: what prints without Rich starts without it

    return Text(printable(value), style=style)


def json_for_terminal(line: str) -> str:
    """A JSON text with the controls JSON leaves raw written as `\\uXXXX`: the same data once parsed."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", line)
