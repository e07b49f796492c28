"""Text that came from outside (a server's answer, an exception about it, a file's keys or name), made safe to
print in a terminal or show in a window.

A speed-test server is whoever a profile names. What it answers can hold terminal escapes that clear the screen,
set the window title or hide what follows (``ESC [ 2J``, ``ESC ] 0; … BEL``), bidirectional overrides that make
text read differently from what it is, or megabytes of nonsense. :func:`clean` is the one place that makes such
text harmless: every escape sequence and control character goes, line breaks become spaces, and the length is
bounded. Whatever reaches a terminal, a window, a report or a details table from the network or a file goes
through it.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from typing import Any, TypeVar

T = TypeVar("T")

LIMIT = 300
"""At most this many characters are kept (an error message, a host name, a header; never a whole answer)."""

_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[\x20-\x3f]*[\x40-\x7e]?"  # CSI: cursor, colour, clear screen
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC, DCS, …: title, links
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]?"  # any other escape
)
_BREAKS = re.compile(r"[\r\n\t\v\f\u2028\u2029\x85]+")


def _shown(char: str) -> bool:
    """Whether ``char`` may be shown: not a control, format (bidirectional override, invisible) or separator
    character, and not one no font has (unassigned, private use, surrogate)."""
    return unicodedata.category(char) not in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")


def clean(text: Any, limit: int = LIMIT, lines: bool = False) -> str:
    """``text`` (anything; ``str()`` of it) without escape sequences or control characters, on one line (several
    when ``lines``: only ``\n`` is kept), at most ``limit`` characters (cut with "…"). Bytes are read as UTF-8, with
    anything else replaced."""
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text[:limit * 4]).decode("utf-8", "replace")
    text = _ESCAPES.sub("", str(text)[:limit * 4])  # a bound before the work: an answer of megabytes costs nothing
    if lines:
        text = "\n".join(_BREAKS.sub(" ", line).rstrip() for line in re.split(r"\r?\n", text))
    else:
        text = _BREAKS.sub(" ", text)
    text = "".join(c for c in text if c == "\n" or _shown(c)).strip()
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def clean_error(error: BaseException, limit: int = LIMIT) -> str:
    """An exception as ``Type: message``, cleaned (for ``details``, never for a message)."""
    return clean(f"{type(error).__name__}: {error}", limit)


def clean_details(details: Any) -> dict[str, Any]:
    """A details table with every key and text value cleaned (numbers, booleans and None as they are; a value may
    hold several lines, such as a traceback)."""
    return {clean(k, 80): clean(v, 2000, lines=True) if isinstance(v, str) else v for k, v in dict(details).items()}


def clean_result(result: T) -> T:
    """A check's result (:class:`checks.api.CheckResult`) with its title, summary, advice and details cleaned:
    whatever a check put in them from a server or a file is shown as text, never obeyed by a terminal."""
    return dataclasses.replace(
        result, title=clean(result.title, 200), summary=clean(result.summary, 2000),  # type: ignore[attr-defined]
        advice=tuple(clean(a, 2000) for a in result.advice),  # type: ignore[attr-defined]
        details=clean_details(result.details))  # type: ignore[attr-defined]
