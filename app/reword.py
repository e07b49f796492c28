"""Texts that follow the language: a widget's text set from the wording is set again when the language changes.

``worded(button, "setText", "ui.run")`` sets the text now and remembers how it was made; :func:`reword` makes every
remembered text of a widget and of everything inside it again, in the language now in use (:mod:`checks.text.wording`).
Setting the same setter again replaces what was remembered, so a text that changes with the state (a hint, a button
that turns into "Stop") follows the language too; :func:`unworded` sets a text that is not the app's own wording (a
device's name, a check's finding), which the next language change leaves alone.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QDateTime, QLocale, QObject
from shiboken6 import isValid

from checks.text.wording import ENGLISH, joined_date_time, language, language_name, languages, say, set_language

_KEPT = "_worded"
_worded: weakref.WeakSet[QObject] = weakref.WeakSet()
"""Every object with a remembered text: :func:`reword` visits these, not every child of the window (asking Qt for
every child makes a Python object for each of its own inner ones too, which then lives as long as they do)."""


def keep(target: QObject, setter: str, make: Callable[[], Any], *args: Any) -> None:
    """Call ``target.setter(*args, make())`` now and again whenever the language changes."""
    kept = target.__dict__.setdefault(_KEPT, {})
    kept[(setter, *args)] = make
    _worded.add(target)
    getattr(target, setter)(*args, make())


def worded(target: QObject, setter: str, key: str, /, *, plain: bool = False, **fields: Any) -> None:
    """Set a text from the wording key ``key`` (with ``plain``, without the "&" that marks a shortcut letter: for
    accessible names and titles)."""
    keep(target, setter, lambda: mnemonic_free(say(key, **fields)) if plain else say(key, **fields))


def unworded(target: QObject, setter: str, text: str, *args: Any) -> None:
    """Set a text that the next language change is to leave as it is."""
    target.__dict__.get(_KEPT, {}).pop((setter, *args), None)
    getattr(target, setter)(*args, text)


def mnemonic_free(text: str) -> str:
    return text.replace("&", "")


def reword(root: QObject) -> None:
    """Every remembered text of ``root`` and its children, made again in the language in use."""
    for target in list(_worded):
        if isValid(target) and _within(target, root):
            for (setter, *args), make in list(target.__dict__.get(_KEPT, {}).items()):
                getattr(target, setter)(*args, make())


def _within(target: QObject, root: QObject) -> bool:
    """Whether ``target`` is ``root`` or one of its children, at any depth."""
    node: QObject | None = target
    while node is not None:
        if node is root:
            return True
        node = node.parent()
    return False


def choose_language(code: str, root: QObject | None = None) -> None:
    """Speak ``code`` from now on and, with ``root``, say everything ``root`` shows again in it."""
    set_language(code)
    if root is not None:
        reword(root)


def offered_languages() -> list[tuple[str, str]]:
    """The languages to choose from, each named in its own language (never the pseudo-language)."""
    return [(code, language_name(code)) for code in languages()]


def ui_locale() -> QLocale:
    """How the language in use writes numbers and dates: the system's own locale when it is in that language (so
    "en" on a British system keeps its 24-hour clock), else the language's usual one."""
    code = language() if language() in languages() else ENGLISH  # the pseudo-language writes as English does
    system = QLocale.system()
    return system if QLocale.languageToCode(system.language()) == code else QLocale(code)


def number_text(value: float, decimals: int = 0, locale: QLocale | None = None) -> str:
    """A number as the language in use writes it ("12.5", "12,5"), with a true minus sign."""
    locale = locale or ui_locale()
    text = locale.toString(round(value)) if decimals == 0 else locale.toString(float(value), "f", decimals)
    return text.replace("-", "\u2212")


def when_text(when: datetime, locale: QLocale | None = None) -> str:
    """A local date and time as the language in use writes them: the date in full, the time short, joined as the
    language joins them ("Dienstag, 1. Dezember 2026, 14:00", "mardi 1 décembre 2026 à 14:00")."""
    locale = locale or ui_locale()
    moment = QDateTime.fromSecsSinceEpoch(int(when.timestamp()))
    code = QLocale.languageToCode(locale.language())
    return joined_date_time(locale.toString(moment.date(), QLocale.FormatType.LongFormat),
                            locale.toString(moment.time(), QLocale.FormatType.ShortFormat),
                            code if code in languages() else None)


def starting_language(command_line: str | None, remembered: str | None, system: list[str]) -> str:
    """The language the window starts in: the command line's, else the one chosen last time, else the first of the
    system's languages (``QLocale.system().uiLanguages()``, "de-CH", "de") that the app speaks, else English."""
    spoken = languages()
    for code in (command_line, remembered):
        if code in spoken:
            return code
    for tag in system:
        code = tag.replace("_", "-").split("-")[0].lower()
        if code in spoken:
            return code
    return ENGLISH
