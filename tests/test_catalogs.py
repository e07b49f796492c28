"""The translations as translators work on them: gettext catalogs made with Babel's own ``pybabel`` from the English
source. Extract, update and compile run here as the developer's guide says; a shipped language with a fuzzy (stale)
or missing entry, or with a field that is not the English one's, fails. A count reads right in every language by
Babel's plural rules (the Unicode CLDR's), French's "0 problème" too."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from string import Formatter

import pytest
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po, write_po

from checks.text.catalogs import FIELD, PSEUDO, Counted, english_tree, template, template_entries, translations
from checks.text.wording import ENGLISH, languages, say_n, set_language
from tests.conftest import ROOT

LOCALE = ROOT / "assets" / "locale"
PYBABEL = str(Path(sys.executable).parent / "pybabel")
# The translators' workflow, word for word as docs/developers.md ("Translating") gives it
EXTRACT = ("pybabel extract -F babel.cfg --no-location --project 'Interview Ready' --copyright-holder "
           "'Interview Ready' -o assets/locale/messages.pot .")
UPDATE = "pybabel update -i assets/locale/messages.pot -d assets/locale -D messages --previous --ignore-obsolete"
COMPILE = "pybabel compile -d assets/locale -D messages --statistics"
TRANSLATIONS = [code for code in languages() if code != ENGLISH]


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    set_language(ENGLISH)


def pybabel(command: str, cwd: Path = ROOT, **paths: Path) -> subprocess.CompletedProcess[str]:
    """Run one of the guide's commands, its ``assets/locale`` paths (``locale=``) and its template (``pot=``) moved
    elsewhere so that the checkout is left as it is."""
    args = shlex.split(command)[1:]
    args = [str(paths["pot"]) if a == "assets/locale/messages.pot" and "pot" in paths else a for a in args]
    args = [str(paths["locale"]) if a == "assets/locale" and "locale" in paths else a for a in args]
    return subprocess.run([PYBABEL, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def read(path: Path, code: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=code)


def fields(text: str) -> list[str]:
    """A sentence's fields, sorted: ``{n}``, ``{seconds:.0f}`` and argparse's ``%(prog)s``, ``%s``."""
    found = [f"{{{name}}}" for _, name, _, _ in Formatter().parse(text.replace("%", "")) if name is not None]
    return sorted(found + [part for part in FIELD.findall(text) if part.startswith("%")])


def problems(catalog: Catalog) -> list[str]:
    """What keeps a language's catalog from shipping: an entry fuzzy (its English changed since it was translated) or
    not translated, a plural with another number of forms than the language has, a field not the English one's."""
    found = [f"{catalog.locale}: the catalog's header is marked fuzzy"] if catalog.fuzzy else []
    expected = get_plural(str(catalog.locale))
    if catalog.num_plurals != expected.num_plurals or catalog.plural_expr != expected.plural_expr:
        found.append(f"{catalog.locale}: Plural-Forms {catalog.plural_forms!r}, Babel's rule is {expected!r}")
    for message in catalog:
        if not message.id:
            continue
        where = f"{catalog.locale}: {message.context}"
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            found.append(f"{where} is fuzzy (its English changed: check the translation, then remove the flag)")
        elif any(comment.startswith("| msgid") for comment in message.user_comments):
            found.append(f"{where} still has the note of the English it translated before: remove it")
        elif not all(forms):
            found.append(f"{where} is not translated")
        elif message.pluralizable:
            if len(forms) != catalog.num_plurals:
                found.append(f"{where} has {len(forms)} forms, the language {catalog.num_plurals}")
            english = set(fields(message.id[0])) | set(fields(message.id[1]))
            if [f for form in forms for f in fields(form) if f not in english] or \
                    fields(forms[-1]) != fields(message.id[1]):
                found.append(f"{where} fills in other fields than English: {forms}")
        elif fields(message.string) != fields(message.id):
            found.append(f"{where} fills in {fields(message.string)}, English {fields(message.id)}")
    return found


def test_the_developers_guide_gives_the_commands_tested_here():
    guide = (ROOT / "docs" / "developers.md").read_text(encoding="utf-8")
    for command in (EXTRACT, UPDATE, COMPILE):
        assert command in guide, command
    assert "[interview_ready: assets/locale/english.toml]" in (ROOT / "babel.cfg").read_text()


def test_extract_update_and_compile_leave_no_fuzzy_missing_or_unmatched_entry(tmp_path):
    """The guide's three commands on a copy of the catalogs: the committed template is the one extracted now, and
    every shipped language is complete, current and compiles without an error."""
    extracted = pybabel(EXTRACT, pot=tmp_path / "messages.pot")
    assert extracted.returncode == 0, extracted.stderr
    made, committed = read(tmp_path / "messages.pot"), read(LOCALE / "messages.pot")
    assert [(m.context, m.id) for m in made] == [(m.context, m.id) for m in committed], \
        f"assets/locale/messages.pot is out of date: run {EXTRACT}"
    assert [(m.context, m.id) for m in made if m.id] == [(m.context, m.id) for m in template() if m.id]
    assert len(made) > 1000 and sum(1 for m in made if m.pluralizable) >= 5

    shutil.copytree(LOCALE, tmp_path / "locale", ignore=shutil.ignore_patterns("*.mo", "*.toml", "*.pot"))
    updated = pybabel(UPDATE, pot=tmp_path / "messages.pot", locale=tmp_path / "locale")
    assert updated.returncode == 0, updated.stderr
    assert TRANSLATIONS
    for code in TRANSLATIONS:
        catalog = read(tmp_path / "locale" / code / "LC_MESSAGES" / "messages.po", code)
        assert len([m for m in catalog if m.id]) == len([m for m in made if m.id])
        assert not problems(catalog), "\n".join(problems(catalog))

    compiled = pybabel(COMPILE, locale=tmp_path / "locale")
    assert compiled.returncode == 0 and "error" not in compiled.stderr, compiled.stderr
    assert {p.parent.parent.name for p in (tmp_path / "locale").glob("*/LC_MESSAGES/messages.mo")} == set(TRANSLATIONS)


def test_a_changed_english_sentence_is_flagged_in_every_catalog_and_said_in_english_till_then(tmp_path):
    """The stale translation: the English of one key changes; ``pybabel update`` marks it fuzzy (with the English it
    translated as its previous msgid), the check above names it, and the compiled catalog leaves it out."""
    source = (LOCALE / "english.toml").read_text(encoding="utf-8")
    old = 'summary = "Not checked, because no face was found (see “Framing”)."'
    assert source.count(old) >= 1
    (tmp_path / "english.toml").write_text(source.replace(old, old.replace("no face was found", "no face was seen"),
                                                          1), encoding="utf-8")
    (tmp_path / "babel.cfg").write_text("[interview_ready: english.toml]\n")
    assert pybabel(EXTRACT, cwd=tmp_path, pot=tmp_path / "messages.pot").returncode == 0
    shutil.copytree(LOCALE, tmp_path / "locale", ignore=shutil.ignore_patterns("*.mo", "*.toml", "*.pot"))
    assert pybabel(UPDATE, pot=tmp_path / "messages.pot", locale=tmp_path / "locale").returncode == 0
    for code in TRANSLATIONS:
        po = tmp_path / "locale" / code / "LC_MESSAGES" / "messages.po"
        catalog = read(po, code)
        [stale] = [m for m in catalog if m.id and m.fuzzy]
        assert "no face was seen" in stale.id
        previous = '#| msgid "Not checked, because no face was found'  # what it translated, for its translator
        assert previous in po.read_text(encoding="utf-8")
        assert problems(catalog) == [f"{code}: {stale.context} is fuzzy (its English changed: check the translation, "
                                     "then remove the flag)"]
        assert pybabel(COMPILE, locale=tmp_path / "locale").returncode == 0
        with (tmp_path / "locale" / code / "LC_MESSAGES" / "messages.mo").open("rb") as f:
            import gettext

            compiled = gettext.GNUTranslations(f)
        assert compiled.pgettext(stale.context, stale.id) == stale.id  # said in English until it is looked at


def test_the_check_names_a_field_a_translation_changed_or_dropped():
    catalog = Catalog(locale="de", fuzzy=False)
    catalog.add("The check {label} did not finish within {seconds} seconds.",
                "Die Prüfung {name} wurde nicht in {seconds} Sekunden fertig.", context="runner.timeout.summary")
    catalog.add("usage: %(prog)s", "Aufruf: ", context="cli.argparse.prog")
    catalog.add(("Not ready: 1 problem", "Not ready: {n} problems"), ("Nicht bereit: ein Problem",
                                                                    "Nicht bereit: {count} Probleme"),
                context="verdict.problems")
    catalog.add("Ready", "Bereit", context="verdict.ready")
    found = problems(catalog)
    assert len(found) == 3 and all(any(key in line for line in found) for key in (
        "runner.timeout.summary", "cli.argparse.prog", "verdict.problems"))
    assert fields("{n} of {total:.0f} at %(prog)s, %s, {{braces}}") == ["%(prog)s", "%s", "{n}", "{total}"]


# --- counts in every language ----------------------------------------------------------------------------------

english = dict(template_entries(english_tree()))
COUNTED = [key for key, sentence in english.items() if isinstance(sentence, Counted)]


@pytest.mark.parametrize("code", [ENGLISH, *TRANSLATIONS])
def test_zero_one_and_two_of_a_counted_thing_read_right(code):
    """Each count gets the form Babel's plural rule for the language (CLDR's) gives it: in English, German and Spanish
    0 is plural ("0 problems"), 1 singular; the form for 2 says 2."""
    assert {"verdict.problems", "verdict.warnings", "report.countdown.minutes"} <= set(COUNTED)
    locale = Locale.parse(code)
    set_language(code)
    for key in COUNTED:
        others = {name: "x" for one_or_other in english[key] for name in fields(one_or_other) if name != "{n}"}
        said = {n: say_n(key, n, **{name.strip("{}"): value for name, value in others.items()}) for n in (0, 1, 2, 5)}
        for a in (0, 1, 2):
            for b in (0, 1, 2, 5):  # the same form exactly when CLDR puts the two numbers in the same category
                same = said[a].replace(str(a), "#") == said[b].replace(str(b), "#")
                assert same == (locale.plural_form(a) == locale.plural_form(b)), (code, key, a, b, said)
        assert "2" in said[2] and "5" in said[5]


def test_a_language_whose_zero_is_singular_says_0_probleme(tmp_path):
    """French (or any language whose rule puts 0 with 1) from a catalog made here with Babel's Plural-Forms for
    ``fr``: the app finds it as one more language, and a count of 0 takes the singular."""
    assets = tmp_path / "assets"
    (assets / "locale").mkdir(parents=True)
    (assets / "__init__.py").write_text("")
    shutil.copy(LOCALE / "english.toml", assets / "locale" / "english.toml")
    catalog = Catalog(locale="fr", fuzzy=False)
    [(one, other)] = [english for key, english in template_entries(english_tree()) if key == "verdict.problems"]
    catalog.add((one, other), ("Pas prêt : {n} problème", "Pas prêt : {n} de problèmes", "Pas prêt : {n} problèmes"),
                context="verdict.problems")
    po = assets / "locale" / "fr" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    with po.open("wb") as f:
        write_po(f, catalog)
    assert catalog.num_plurals == get_plural("fr").num_plurals
    code = ("import assets, sys\nfrom checks.text.wording import languages, say_n, set_language, say\n"
            "assert assets.__file__.startswith(sys.argv[1]), assets.__file__\n"
            "set_language('fr')\nprint(languages())\nfor n in (0, 1, 2, 1000000): print(say_n('verdict.problems', n))\n"
            "print(say('verdict.ready'))\n")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["('en', 'fr')", "Pas prêt : 0 problème", "Pas prêt : 1 problème",
                                        "Pas prêt : 2 problèmes", "Pas prêt : 1000000 de problèmes",
                                        "Ready"]  # not translated yet: said in English


# --- the pseudo-language and the compiled catalogs --------------------------------------------------------------

def test_the_pseudo_language_is_made_from_the_template_and_says_every_entry_in_it():
    pseudo = translations(PSEUDO)
    entries = [m for m in template() if m.id]
    assert len(entries) > 1000
    for message in entries:
        if message.pluralizable:
            assert pseudo.npgettext(message.context, *message.id, 1).startswith("[")
        else:
            said = pseudo.pgettext(message.context, message.id)
            assert said != message.id and said.startswith("[") and fields(said) == fields(message.id), message.context


def test_a_catalog_edited_after_its_compiling_is_read_from_its_po(tmp_path):
    """A translator's edit in a checkout counts at once: a ``.po`` newer than its ``.mo`` is compiled when read."""
    assets = tmp_path / "assets"
    shutil.copytree(LOCALE, assets / "locale", ignore=shutil.ignore_patterns("*.mo"))
    (assets / "__init__.py").write_text("")
    code = TRANSLATIONS[0]
    po = assets / "locale" / code / "LC_MESSAGES" / "messages.po"
    assert pybabel(COMPILE, locale=assets / "locale").returncode == 0
    catalog = read(po, code)
    catalog.get("Ready", context="verdict.ready").string = "Edited"
    with po.open("wb") as f:
        write_po(f, catalog)
    os.utime(po.with_suffix(".mo"), (1, 1))
    script = f"from checks.text.wording import say, set_language\nset_language({code!r})\nprint(say('verdict.ready'))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])})
    assert done.returncode == 0 and done.stdout == "Edited\n", done.stderr
