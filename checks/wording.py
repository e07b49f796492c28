"""All user-facing wording: ``assets/wording.toml`` (English) and one ``assets/wording.<code>.toml`` per language.

Keys are dotted paths into those files (``"verdict.ready"``); fields are filled with ``str.format``. A key a language
does not have yet falls back to English, so a new sentence never breaks a translation (a test lists the gaps).
Messages follow flutter doctor's rule: the fact, then the consequence, then the exact fix.

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
from importlib import resources
from typing import Any

from checks.resources import load_toml_asset

ENGLISH = "en"
PSEUDO = "qps"  # a made-up language whose every sentence is 40 % longer: for layout tests, never offered in menus
SAME_IN_EVERY_LANGUAGE = ("status_mark", "language_names")
"""Tables that are never translated: the status marks (✓ ! ✗) and each language's name in its own language."""
_current = ENGLISH


@cache
def languages() -> tuple[str, ...]:
    """The languages the app speaks: English first, then every ``wording.<code>.toml`` in ``assets/``."""
    codes = sorted(p.name.split(".")[1] for p in resources.files("assets").iterdir()  # in the frozen app too
                   if re.fullmatch(r"wording\.[a-z]{2}\.toml", p.name))
    return (ENGLISH, *codes)


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
    name = _find(_translation(ENGLISH), f"language_names.{code}")  # the same in every language
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


def _translation(code: str) -> dict[str, Any]:
    return load_toml_asset("wording.toml" if code in (ENGLISH, PSEUDO) else f"wording.{code}.toml")


def _find(node: Any, key: str) -> Any:
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _lookup(key: str, code: str | None = None) -> Any:
    code = ENGLISH if key.split(".")[0] in SAME_IN_EVERY_LANGUAGE else code or _current
    found = _find(_translation(code), key) if code != ENGLISH else None
    if found is None:
        found = _find(_translation(ENGLISH), key)
    if found is None:
        raise KeyError(f"no wording for {key!r} in assets/wording.toml")
    if code == PSEUDO:
        found = _stretch(found)
    return found


_FIELD = re.compile(r"(\{[^{}]*\}|%\([a-z_]+\)[sr]|%[sr])")  # str.format fields, and argparse's %-fields


def _stretch(node: Any) -> Any:
    """The pseudo-language: the same sentence with accented letters and 40 % more length (in words of five letters,
    as a longer translation has more words, not one endless one), fields left intact."""
    if isinstance(node, list):
        return [_stretch(item) for item in node]
    if not isinstance(node, str):
        return node
    plain = "".join(part for part in _FIELD.split(node) if not _FIELD.fullmatch(part))
    accented = "".join(part if _FIELD.fullmatch(part) else part.translate(_ACCENTS) for part in _FIELD.split(node))
    padding = max(1, round(len(plain) * 0.4) - 3)
    return f"[{accented} {' '.join(['~' * 5] * (padding // 6) + ['~' * max(1, padding % 6)])}]"  # words, not one


_ACCENTS = str.maketrans("aeiouAEIOUcnyCNY", "àéîõüÀÉÎÕÜçñýÇÑÝ")


def has_wording(key: str) -> bool:
    """Whether ``key`` names a sentence (in English, so in every language)."""
    return isinstance(_find(_translation(ENGLISH), key), str)


def say(key: str, **fields: Any) -> str:
    """The sentence stored under ``key`` in the language in use, with ``fields`` filled in (numbers as the language
    writes them, see :func:`number`)."""
    text = _lookup(key)
    if not isinstance(text, str):
        raise KeyError(f"wording {key!r} is a table, not a sentence")
    return text.format(**_written(fields)) if fields else _unescaped(text)


def _unescaped(text: str) -> str:
    """A sentence said without fields: its doubled braces (``{{``, the format's escape) are single ones."""
    return text.replace("{{", "{").replace("}}", "}")


def say_n(key: str, n: int, **fields: Any) -> str:
    """Like :func:`say` for a count: uses the form of ``key`` that the language's CLDR plural rule gives ``n``
    (:func:`plural_form`): ``key.one`` for 1 in English, German and Spanish, for 0 and 1 in French; ``key.other``
    for a form the language's wording does not spell out (French's "many" for a million)."""
    code = _current if _current != PSEUDO else ENGLISH
    forms = _find(_translation(code), key) if code != ENGLISH else None
    if not isinstance(forms, dict):  # not translated yet: said in English, by English's rule
        code, forms = ENGLISH, _find(_translation(ENGLISH), key)
    form = plural_form(n, code)
    return say(f"{key}.{form if isinstance(forms, dict) and form in forms else 'other'}", n=n, **fields)


def labelled(label: str, text: str) -> str:
    """``label: text`` as the language in use joins a label to its text ("Micro : …" in French, with a no-break space
    before the colon, as French typography has it)."""
    return say("punctuation.labelled", label=label, text=text)


def say_all(key: str, **fields: Any) -> tuple[str, ...]:
    """A list of sentences (advice) stored under ``key``, each filled in."""
    texts = _lookup(key)
    if isinstance(texts, str):
        texts = [texts]
    return tuple(t.format(**_written(fields)) if fields else _unescaped(t) for t in texts)


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


def plural_form(n: float, code: str | None = None) -> str:
    """The CLDR plural category of ``n`` in the language in use (or ``code``): "one" or "other", and in other
    languages "zero", "two", "few" or "many". French says 0 in the singular ("0 problème"), English the plural."""
    return str(babel_locale(code).plural_form(abs(n)))


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
    return str(_lookup("punctuation.date_time", code)).format(date=date, time=time)


def clock(when: datetime, seconds: bool = False, code: str | None = None) -> str:
    """A time of day in the language in use, or ``code`` ("14:05", or "14:05:30" with ``seconds``)."""
    from babel.dates import format_time

    return format_time(when, "medium" if seconds else "short", locale=babel_locale(code))
