"""All user-facing wording: English in ``assets/locale/english.toml``, every other language a gettext catalog
``assets/locale/<code>/LC_MESSAGES/messages.po`` made from it (:mod:`checks.text.catalogs` tells how).

Keys are dotted paths into the English source (``"verdict.ready"``); in a catalog a key is the entry's ``msgctxt``
and its English the ``msgid``. Fields are filled with ``str.format``. A sentence a language has not translated yet,
or whose translation is stale (fuzzy), is said in English, so a new sentence never breaks a translation (a test
lists the gaps). Messages follow flutter doctor's rule: the fact, then the consequence, then the exact fix.

The language is one setting for the whole process (:func:`set_language`): the command line sets it once from
``--lang`` or the system locale, the window from its menu, the kiosk for each student.

Numbers, dates and times are written as the language writes them, from the Unicode CLDR data that Babel ships:
:func:`say` writes every number it fills in with :func:`number` (a decimal comma in German and Spanish), and
:func:`date_time` and :func:`clock` write a moment in time. Only the text changes: the JSON report keeps numbers.
"""

from __future__ import annotations

import os
import re
from datetime import datetime
from functools import cache
from typing import Any

from checks.text.catalogs import (
    PSEUDO,
    SAME_IN_EVERY_LANGUAGE,
    Counted,
    english_tree,
    entries,
    msgid,
    spoken,
    translations,
)

ENGLISH = "en"
_current = ENGLISH


@cache
def languages() -> tuple[str, ...]:
    """The languages the app speaks: English first, then every language with a catalog in ``assets/locale/``."""
    return (ENGLISH, *(code for code in spoken() if code != ENGLISH))


def set_language(code: str) -> None:
    """Speak ``code`` from now on (one of :func:`languages` or the pseudo-language); anything else is a ValueError."""
    global _current
    if code not in (*languages(), PSEUDO):
        raise ValueError(f"unknown language {code!r}; choose one of {', '.join(languages())}")
    _current = code


def language() -> str:
    """The language in use."""
    return _current


def language_name(code: str) -> str:
    """The language named in its own language ("Deutsch"), the same whatever language is in use."""
    name = _find(f"language_names.{code}")  # the same in every language
    return name if isinstance(name, str) else code


def system_language(environ: os._Environ[str] | dict[str, str] | None = None) -> str:
    """The language the system asks for, if the app speaks it: the locale (``LC_ALL``, then ``LC_MESSAGES``, then
    ``LANG``) and, as gettext reads it, ``LANGUAGE`` before it, a list of preferences (``LANGUAGE=es:de``, as Linux
    desktops set it), which counts only when a locale is set and is not C or POSIX."""
    env = os.environ if environ is None else environ
    locale = next((env[name] for name in ("LC_ALL", "LC_MESSAGES", "LANG") if env.get(name)), "")
    wanted = [locale]
    if locale and locale.split(".")[0] not in ("C", "POSIX"):
        wanted = [*env.get("LANGUAGE", "").split(":"), locale]
    for value in wanted:
        code = value.split(".")[0].split("@")[0].split("_")[0].lower()
        if code in languages():
            return code
    return ENGLISH


@cache
def _english() -> dict[str, Any]:
    """Every English sentence by its key (:func:`checks.text.catalogs.entries`)."""
    return entries(english_tree())


def _find(key: str) -> Any:
    """What the English source holds at ``key``: a sentence, a list, a table (a dict) or None."""
    node: Any = english_tree()
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _catalog(key: str, code: str | None = None) -> Any:
    """The catalog ``key`` is said from: the language in use's (or ``code``'s), or None, English, for the tables
    that stay the same in every language."""
    code = code or _current
    if code == ENGLISH or key.split(".")[0] in SAME_IN_EVERY_LANGUAGE:
        return None
    return translations(code)


def _translated(key: str, english: str, code: str | None = None) -> str:
    """``english`` in the language in use (or ``code``): its catalog's translation, or the English itself where it
    has none."""
    catalog = _catalog(key, code)
    said = catalog.pgettext(key, msgid(english)) if catalog else None
    return said if said and said != msgid(english) else english


def _english_at(key: str) -> Any:
    found = _english().get(key)
    if found is None:
        node = _find(key)
        if node is None:
            raise KeyError(f"no wording for {key!r} in assets/locale/english.toml")
        if isinstance(node, dict):
            raise KeyError(f"wording {key!r} is a table, not a sentence")
        raise KeyError(f"wording {key!r} is one form of a sentence said for a count: say it with say_n")
    return found


def has_wording(key: str) -> bool:
    """Whether ``key`` names a sentence (in English, so in every language)."""
    return isinstance(_find(key), str)


def say(key: str, **fields: Any) -> str:
    """The sentence stored under ``key`` in the language in use, with ``fields`` filled in (numbers as the language
    writes them, see :func:`number`)."""
    english = _english_at(key)
    if not isinstance(english, str):
        raise KeyError(f"wording {key!r} is a {'sentence said for a count' if isinstance(english, Counted) else 'list'}"
                       ", not a sentence")
    return _filled(_translated(key, english), fields)


def _filled(text: str, fields: dict[str, Any]) -> str:
    """A sentence with its fields filled in; one said without fields has its doubled braces (``{{``, the format's
    escape) made single ones."""
    return text.format(**_written(fields)) if fields else text.replace("{{", "{").replace("}}", "}")


def say_n(key: str, n: int, **fields: Any) -> str:
    """Like :func:`say` for a count ``n``: the form the language's plural rule (its catalog's ``Plural-Forms``, the
    CLDR's rule as Babel has it) chooses for ``n``: "1 problem", "2 problems"; in French "0 problème"."""
    english = _english_at(key)
    if not isinstance(english, Counted):
        raise KeyError(f"wording {key!r} is not said for a count (a table of `one` and `other`)")
    catalog = _catalog(key)
    forms = (msgid(english.one), msgid(english.other))
    said = catalog.npgettext(key, *forms, n) if catalog else None
    return _filled(said if said and said not in forms else english.one if n == 1 else english.other,
                   {"n": n, **fields})


def labelled(label: str, text: str) -> str:
    """``label: text`` as the language in use joins a label to its text ("Micro : …" in French, with a no-break space
    before the colon, as French typography has it)."""
    return say("punctuation.labelled", label=label, text=text)


def say_all(key: str, **fields: Any) -> tuple[str, ...]:
    """A list of sentences (advice) stored under ``key``, each filled in (in a catalog, ``key.0``, ``key.1``, …)."""
    english = _english_at(key)
    if isinstance(english, Counted):
        raise KeyError(f"wording {key!r} is said for a count: say it with say_n")
    texts = [english] if isinstance(english, str) else english
    key_of = (lambda i: key) if isinstance(english, str) else (lambda i: f"{key}.{i}")
    return tuple(_filled(_translated(key_of(i), text), fields) for i, text in enumerate(texts))


# -- numbers, dates and times ----------------------------------------------------------------------------------

_LOCALES = {ENGLISH: "en_GB", PSEUDO: "en_GB"}  # the app writes British English: 14:00, 1 December
_DECIMAL = re.compile(r"[-−]?\d+\.\d+")


def babel_locale(code: str | None = None) -> Any:
    """The Babel locale of a language (the one in use by default)."""
    return _babel_locale(code or _current)


@cache
def _babel_locale(code: str) -> Any:  # parsed once per language
    from babel import Locale

    return Locale.parse(_LOCALES.get(code, code))


def number(value: float | str, code: str | None = None) -> str:
    """A number as the language in use writes it: ``2.5`` is "2,5" in German and Spanish. The digits stay those the
    code rounded to ("2.50" keeps two decimals, 3.0 stays "3.0" in English); whole numbers are not grouped, so a
    1920×1080 picture and 48000 Hz read the same in every language. A text that is not a decimal number is left
    as it is. ``code`` names another language than the one in use."""
    text = str(value)
    if not _DECIMAL.fullmatch(text):
        return text
    from babel.numbers import get_decimal_symbol

    return text.replace(".", get_decimal_symbol(babel_locale(code)))


def _written(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: number(v) if isinstance(v, (float, str)) else v for k, v in fields.items()}


def date_time(when: datetime, code: str | None = None) -> str:
    """A date and time of day people read, in the language in use (or ``code``): "Tuesday, 1 December 2026, 14:00",
    "Dienstag, 1. Dezember 2026, 14:00", "martes, 1 de diciembre de 2026, 14:00", "mardi 1 décembre 2026 à 14:00".
    The date and the time are CLDR's; how they are joined is the wording's (``punctuation.date_time``), as CLDR's
    own "at" pattern is not in the data Babel ships."""
    from babel.dates import format_date, format_time

    locale = babel_locale(code)
    return joined_date_time(format_date(when, "full", locale), format_time(when, "short", locale=locale), code)


def joined_date_time(date: str, time: str, code: str | None = None) -> str:
    """A written date and a written time of day joined as the language in use (or ``code``) joins them."""
    return _translated("punctuation.date_time", _english_at("punctuation.date_time"), code).format(date=date, time=time)


def clock(when: datetime, seconds: bool = False, code: str | None = None) -> str:
    """A time of day in the language in use, or ``code`` ("14:05", or "14:05:30" with ``seconds``)."""
    from babel.dates import format_time

    return format_time(when, "medium" if seconds else "short", locale=babel_locale(code))
