"""Texts that follow the language: a widget's text set from the wording is set again when the language changes.

``worded(button, "setText", "ui.run")`` sets the text now and remembers how it was made; :func:`reword` makes every
remembered text of a widget and of everything inside it again, in the language now in use (:mod:`checks.wording`).
Setting the same setter again replaces what was remembered, so a text that changes with the state (a hint, a button
that turns into "Stop") follows the language too; :func:`unworded` sets a text that is not the app's own wording (a
device's name, a check's finding), which the next language change leaves alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject

from checks.wording import ENGLISH, language_name, languages, say, set_language

_KEPT = "_worded"


def keep(target: QObject, setter: str, make: Callable[[], Any], *args: Any) -> None:
    """Call ``target.setter(*args, make())`` now and again whenever the language changes."""
    kept = target.__dict__.setdefault(_KEPT, {})
    kept[(setter, *args)] = make
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
    for target in (root, *root.findChildren(QObject)):
        for (setter, *args), make in list(target.__dict__.get(_KEPT, {}).items()):
            getattr(target, setter)(*args, make())


def choose_language(code: str, root: QObject | None = None) -> None:
    """Speak ``code`` from now on and, with ``root``, say everything ``root`` shows again in it."""
    set_language(code)
    if root is not None:
        reword(root)


def offered_languages() -> list[tuple[str, str]]:
    """The languages to choose from, each named in its own language (never the pseudo-language)."""
    return [(code, language_name(code)) for code in languages()]


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
