"""The wording's sources: English in ``assets/locale/english.toml``, every other language a gettext catalog.

English is written in one place, by key: sections of sentences, a list of sentences (advice, said with ``say_all``),
a table of only ``one`` and ``other`` (a sentence said for a count, with ``say_n``). Translators never see that file;
they work on gettext catalogs made from it, in Poedit, Weblate or Transifex, with Babel's ``pybabel``:

- ``pybabel extract -F babel.cfg`` runs :func:`extract` (the extraction method ``interview_ready``, an entry point of
  the group ``babel.extractors``) on the English source and writes the template ``assets/locale/messages.pot``. Each
  sentence is one entry: its key is the ``msgctxt``, its English the ``msgid``. A list's sentences are the entries
  ``key.0``, ``key.1``, …; a sentence said for a count is one entry with ``msgid_plural``, translated in as many
  forms as the language's ``Plural-Forms`` (the Unicode CLDR's rules, as Babel knows them: French says "0 problème").
- ``pybabel update`` carries the template into every ``assets/locale/<code>/LC_MESSAGES/messages.po``; an entry whose
  English changed is marked fuzzy there (a stale translation), which a fuzzy entry's compiling leaves out, so the
  app says that sentence in English until a translator has looked at it.
- ``pybabel compile`` makes each ``messages.mo``: at install (``setup.py``), set-up (``.ci/setup.sh``) and bundle
  (``bundle/interview-ready.spec``) time, never committed. A ``.po`` newer than its ``.mo`` (a translator's edit in a
  checkout) is compiled in memory when it is read (:func:`translations`).

The pseudo-language (:data:`PSEUDO`) is a catalog too, made from the template: every sentence 40 % longer and
accented, its fields intact.
"""

from __future__ import annotations

import gettext
import io
import re
from functools import cache
from importlib import resources
from typing import IO, Any, NamedTuple

from checks.text.resources import tomllib

DOMAIN = "messages"
SOURCE = "english.toml"
PSEUDO = "qps"  # a made-up language whose every sentence is 40 % longer: for layout tests, never offered in menus
SAME_IN_EVERY_LANGUAGE = ("status_mark", "language_names")
"""Tables that are never translated: the status marks (✓ ! ✗) and each language's name in its own language."""
PROJECT = "Interview Ready"


class Counted(NamedTuple):
    """A sentence said for a count (``say_n``): its English for one thing and for any other number."""

    one: str
    other: str


Entry = str | list[str] | Counted


def _locale_folder() -> Any:
    return resources.files("assets").joinpath("locale")  # a Traversable: the frozen app's folder too


@cache
def english_tree() -> dict[str, Any]:
    """The English source as its tables."""
    with _locale_folder().joinpath(SOURCE).open("rb") as f:
        return tomllib.load(f)


def entries(tree: dict[str, Any], prefix: str = "") -> dict[str, Entry]:
    """Every sentence of a wording tree by its dotted key: a string, a list of strings, or a :class:`Counted`."""
    found: dict[str, Entry] = {}
    for name, node in tree.items():
        key = f"{prefix}{name}"
        if isinstance(node, dict):
            if set(node) == {"one", "other"} and all(isinstance(v, str) for v in node.values()):
                found[key] = Counted(node["one"], node["other"])
            else:
                found.update(entries(node, f"{key}."))
        else:
            found[key] = node
    return found


_PERCENT_THEN_WORD = re.compile(r"(?<=[}\d])% (?=[diouxXeEfFgGcrs])")


@cache
def msgid(english: str) -> str:
    """The English as a catalog's ``msgid``: the same, but for a percent sign before a word ("{percent}% of"),
    followed there by a no-break space, since Babel takes "% o" for an old-style %-field (``python-format``) and
    ``pybabel compile`` would hold every translation to it."""
    return _PERCENT_THEN_WORD.sub("%\u00a0", english)


def template_entries(tree: dict[str, Any]) -> list[tuple[str, str | Counted]]:
    """The template's entries, in the source's order: (``msgctxt``, the ``msgid``, or the two for a count)."""
    found: list[tuple[str, str | Counted]] = []
    for key, value in entries(tree).items():
        if key.split(".")[0] in SAME_IN_EVERY_LANGUAGE:
            continue
        if isinstance(value, list):
            found += [(f"{key}.{i}", msgid(text)) for i, text in enumerate(value) if text]
        elif isinstance(value, Counted):
            found.append((key, Counted(msgid(value.one), msgid(value.other))))
        elif value:
            found.append((key, msgid(value)))
    return found


_TABLE = re.compile(r"^\[([^\]]+)\]\s*(?:#.*)?$")
_KEY = re.compile(r"^([A-Za-z0-9_-]+)\s*=")


def _lines(text: str) -> dict[str, int]:
    """The line each key of a TOML text is on (written as the English source writes: bare keys, one per line)."""
    found, table = {}, ""
    for number, line in enumerate(text.splitlines(), 1):
        if match := _TABLE.match(line):
            table = f"{match.group(1).strip()}."
            found[table.rstrip(".")] = number  # a table said for a count is one entry
        elif match := _KEY.match(line):
            found[f"{table}{match.group(1)}"] = number
    return found


def extract(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any) -> Any:
    """Babel's extraction method for the English source (``[interview_ready: assets/locale/english.toml]`` in
    ``babel.cfg``): each entry of :func:`template_entries`, said as ``pgettext`` (or ``npgettext`` for a count) so
    that Babel sets its key as the ``msgctxt``."""
    text = fileobj.read().decode("utf-8")
    lines = _lines(text)
    for context, english in template_entries(tomllib.loads(text)):
        key = context.rsplit(".", 1)[0] if context not in lines else context  # a list's sentence: the list's line
        if isinstance(english, Counted):
            yield lines.get(key, 0), "npgettext", (context, english.one, english.other), []
        else:
            yield lines.get(key, 0), "pgettext", (context, english), []


def template() -> Any:
    """The template (a Babel ``Catalog``) as ``pybabel extract`` makes it from the English source."""
    from babel.messages.catalog import Catalog

    catalog = Catalog(project=PROJECT, copyright_holder=PROJECT, msgid_bugs_address="")
    for context, english in template_entries(english_tree()):
        catalog.add(tuple(english) if isinstance(english, Counted) else english, context=context)
    return catalog


# -- the catalogs the app reads --------------------------------------------------------------------------------

@cache
def spoken() -> tuple[str, ...]:
    """The languages that have a catalog (a ``messages.po`` or a compiled ``messages.mo``), sorted."""
    return tuple(sorted(folder.name for folder in _locale_folder().iterdir()
                        if re.fullmatch(r"[a-z]{2,3}", folder.name) and _has_catalog(folder)))


def _has_catalog(folder: Any) -> bool:
    messages = folder.joinpath("LC_MESSAGES")
    return any(messages.joinpath(f"{DOMAIN}{suffix}").is_file() for suffix in (".mo", ".po"))


@cache
def translations(code: str) -> gettext.NullTranslations:
    """A language's catalog, read with Python's ``gettext``: its compiled ``messages.mo``, or, where that is missing
    or older than the ``messages.po`` beside it, the ``.po`` compiled now. Fuzzy entries are left out of both, so a
    stale translation is said in English. The pseudo-language's is made from the template."""
    if code == PSEUDO:
        return gettext.GNUTranslations(io.BytesIO(mo_bytes(_pseudo_catalog())))
    messages = _locale_folder().joinpath(code, "LC_MESSAGES")
    mo, po = messages.joinpath(f"{DOMAIN}.mo"), messages.joinpath(f"{DOMAIN}.po")
    if mo.is_file() and not (po.is_file() and _newer(po, mo)):
        with mo.open("rb") as f:
            return gettext.GNUTranslations(f)
    if not po.is_file():
        return gettext.NullTranslations()
    with po.open("rb") as f:
        return gettext.GNUTranslations(io.BytesIO(mo_bytes(read_catalog(f, code))))


def _newer(a: Any, b: Any) -> bool:
    from pathlib import Path

    return Path(str(a)).stat().st_mtime > Path(str(b)).stat().st_mtime


def read_catalog(fileobj: IO[bytes], code: str | None = None) -> Any:
    """A ``.po`` file as a Babel ``Catalog``."""
    from babel.messages.pofile import read_po

    return read_po(fileobj, locale=code)


def mo_bytes(catalog: Any) -> bytes:
    """A catalog compiled as ``pybabel compile`` does (fuzzy and untranslated entries left out)."""
    from babel.messages.mofile import write_mo

    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def compile_all(source: Any, into: Any) -> list[str]:
    """Compile every ``<code>/LC_MESSAGES/messages.po`` under ``source`` to the same place under ``into`` (both
    :class:`pathlib.Path`); the languages compiled. For the bundle, which ships the compiled catalogs only."""
    done = []
    for po in sorted(source.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        code = po.parent.parent.name
        target = into / code / "LC_MESSAGES" / f"{DOMAIN}.mo"
        target.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as f:
            target.write_bytes(mo_bytes(read_catalog(f, code)))
        done.append(code)
    return done


# -- the pseudo-language ---------------------------------------------------------------------------------------

FIELD = re.compile(r"(\{[^{}]*\}|%\([a-z_]+\)[sr]|%[sr])")  # str.format fields, and argparse's %-fields
_ACCENTS = str.maketrans("aeiouAEIOUcnyCNY", "àéîõüÀÉÎÕÜçñýÇÑÝ")


def stretch(text: str) -> str:
    """The pseudo-language's sentence: the same with accented letters and 40 % more length (in words of five
    letters, as a longer translation has more words, not one endless one), fields left intact."""
    parts = FIELD.split(text)
    plain = "".join(part for part in parts if not FIELD.fullmatch(part))
    accented = "".join(part if FIELD.fullmatch(part) else part.translate(_ACCENTS) for part in parts)
    padding = max(1, round(len(plain) * 0.4) - 3)
    return f"[{accented} {' '.join(['~' * 5] * (padding // 6) + ['~' * max(1, padding % 6)])}]"  # words, not one


def _pseudo_catalog() -> Any:
    catalog = template()
    for message in catalog:
        if message.id:
            message.string = tuple(map(stretch, message.id)) if message.pluralizable else stretch(message.id)
    return catalog
