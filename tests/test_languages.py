"""The languages: check titles are wording, every key the code builds is an English sentence, and the language in use
reaches every result and report; the JSON report stays the same in every language. (What the catalogs hold, and the
translators' workflow that makes them, are tested in tests/test_catalogs.py.)"""

from __future__ import annotations

import inspect
import re
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from string import Formatter
from typing import get_args

import pytest

import checks.analysis.responsiveness as responsiveness
import checks.guard.judgement as guard
import checks.storage.files as files
from app.level_meter import LEVEL_WORDS
from checks.analysis.audio import CHANNEL_NAMES
from checks.api import CATEGORIES, Check, CheckResult, Status, check_title
from checks.config.profile import CHANNEL_KINDS, Profile
from checks.config.servers import REFUSED_KINDS
from checks.engine.discovery import discover, find_plugins, load
from checks.engine.registry import DEVICES
from checks.netprobe.common import ProbeError
from checks.report.model import Report, describe_changes, format_number
from checks.report.steps import STEPS
from checks.sources.listing import all_devices
from checks.storage.history import entry
from checks.text.catalogs import english_tree, entries, translations
from checks.text.wording import (
    ENGLISH,
    PSEUDO,
    SAME_IN_EVERY_LANGUAGE,
    clock,
    date_time,
    has_wording,
    languages,
    number,
    say,
    say_all,
    say_n,
    set_language,
    system_language,
)
from tests.conftest import ROOT


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    set_language(ENGLISH)


def _builtin_checks() -> list:
    return [load(p).check for p in find_plugins() if p.builtin]


def test_every_builtin_title_is_its_wording_key():
    checks = _builtin_checks()
    assert len(checks) >= 25
    for check in checks:
        assert "title" not in vars(type(check)), type(check).__name__  # no English left in the class
        assert check.title == say(f"{check.id}.title") and check.title.strip()


def test_a_result_carries_the_title_in_the_language_in_use_when_it_is_made():
    [loaded] = discover("system.power")
    english = loaded.check.result(Status.PASS, "x")
    assert english.title == say("system.power.title")
    set_language(PSEUDO)
    stretched = loaded.check.result(Status.PASS, "x")
    assert stretched.title != english.title
    assert stretched.title == say("system.power.title") and loaded.title == stretched.title


def test_a_third_party_check_keeps_its_own_title():
    class Acme(Check):
        id = "acme.hello"
        title = "Hello from Acme"
        category = "system"

    set_language(PSEUDO)
    assert Acme().result(Status.PASS, "x").title == "Hello from Acme"
    assert check_title("acme.hello", "Hello from Acme") == "Hello from Acme"


def test_a_check_without_a_title_is_not_a_check():
    class Untitled(Check):
        id = "acme.untitled"
        category = "system"

    assert not hasattr(Untitled(), "title")


def test_changes_since_an_earlier_run_name_a_check_in_the_language_in_use():
    earlier = Report((CheckResult("network.upload", say("network.upload.title"), "network", Status.FAIL, "slow",
                                  value=2.1, unit="Mbit/s"),))
    kept = entry(earlier)
    assert kept["checks"]["network.upload"]["status"] == "fail"  # history keeps the id, the status and the number
    set_language(PSEUDO)
    now = Report((CheckResult("network.upload", "Upload speed", "network", Status.PASS, "fast", value=8.4,
                              unit="Mbit/s"),))
    [line] = describe_changes(kept, now)
    assert say("network.upload.title") in line and "Upload speed" not in line


# --- every key the code builds at run time, for every value it can take ----------------------------------------

def _literals(path: str, pattern: str) -> set[str]:
    """The string values a pattern finds in a source file (where the code names the values it can pass)."""
    return set(re.findall(pattern, (ROOT / path).read_text()))


_FINDING = r'Finding\(\s*Status\.([A-Z]+),\s*"([a-z_]+)"'


def _findings_of(check: object) -> set[tuple[str, str]]:
    """The (status, key) of every Finding a built-in check's class makes, or the module's functions it calls make (the
    assess functions)."""
    body = inspect.getsource(type(check))
    module = inspect.getsource(sys.modules[type(check).__module__])
    called = [block for block in re.split(r"\n(?=\S)", module)  # the module's top-level functions the class calls
              if (name := re.match(r"def (\w+)", block)) and f"{name.group(1)}(" in body]
    return {found for block in [body, *called] for found in re.findall(_FINDING, block)}


def _finding_keys(module: str) -> set[str]:
    source = (ROOT / "checks" / "builtin" / f"{module}.py").read_text()
    return {key for _, key in re.findall(_FINDING, source)}


def _guardian_corners() -> tuple[str, ...]:
    from app.guardian import CORNERS

    return CORNERS


def _built_keys() -> dict[str, set[str]]:
    """Every f-string wording key in checks/ and app/, as a template, with every key it can become."""
    statuses = {s.value for s in Status} | {"info", "running", "waiting"}
    sources = _literals("checks/sources/camera.py", r'SourceError\("([a-z_.]+)"') \
        | _literals("checks/sources/mic.py", r'SourceError\("([a-z_.]+)"') \
        | _literals("checks/sources/echo.py", r'SourceError\("([a-z_.]+)"') \
        | {f"{d.wording or d.name}.{k}" for d in DEVICES if d.timeout for k in ("open_timeout", "failed")}
    runner = _literals("checks/engine/runner.py", r'problem_result\([^()]*?Status\.[A-Z]+, "([a-z_]+)"') \
        | {k for d in DEVICES for k in (d.off_key, d.needs_key)}
    steps = {step for step, _ in STEPS}
    lost = set().union(*(_literals(str(path.relative_to(ROOT)), r'Lost\("[a-z]+", "([a-z_]+)"')
                         for path in ROOT.glob("checks/builtin/*.py")))
    directions = {"download", "upload"}
    made = {(check.id, status, key) for check in _builtin_checks() for status, key in _findings_of(check)
            if _english(f"{check.id}.{key}") is not None}
    findings = {f"{check_id}.{key}" for check_id, _, key in made}
    advised = {f"{check_id}.{key}" for check_id, status, key in made if status != "PASS"}
    guard_reasons = {"ok", "checking", *guard.DOWN_REASONS, *guard.TROUBLE_REASONS, *guard.SETTLING_REASONS}
    screen_reasons = {"wayland", "macos", "none", "no_x11", "no_xlib", "no_window_manager", "not_counted", "unreadable"}
    platforms = set(get_args(get_args(Profile.model_fields["platform"].annotation)[0]))
    return {
        "status.{}": statuses,
        "status_mark.{}": statuses,
        "category.{}": set(CATEGORIES),
        "verdict.unchecked.what.{}": set(CATEGORIES),
        "devices.{}": set(all_devices()),
        "report.channel_kinds.{}": set(CHANNEL_KINDS),
        "guard.channel_action.{}": set(CHANNEL_KINDS),
        "report.platform_names.{}": platforms,
        "guard.reasons.{}": guard_reasons,
        "files.reasons.{}": set(files.ALL_REASONS),
        "guard.corner_names.{}": set(_guardian_corners()),
        "guard.state_marks.{}": set(guard.SHOWN_STATES),
        "guard.state_names.{}": set(guard.SHOWN_STATES),
        "level_meter.words.{}": set(LEVEL_WORDS),
        "guard.timeline.{}": set(guard.STATES),
        "network.failure.{}": set(ProbeError.KINDS),
        "network.server_source.{}": {"cli", "profile", "kiosk"},
        "network.server_fix.{}": {"cli", "profile", "kiosk", "public"},
        "profile_errors.address_kinds.{}": set(REFUSED_KINDS),
        "runner.{}.summary": runner,
        "runner.{}.advice": runner,
        "sources.{}.summary": sources,
        "sources.{}.advice": sources,
        "steps.{}.title": steps, "steps.{}.good": steps, "steps.{}.running": steps, "steps.{}.skipped": steps,
        "steps.{}.waiting": steps,
        "plot.{}": directions,
        "plot.round_trip_{}": directions,
        "network.rpm.band.{}": {name for _, name in responsiveness.BANDS} | {responsiveness.TOP},
        **{f"{{}}.{k}.summary": {f"network.{d}_delay" for d in directions} for k in ("no_transfer", "no_udp",
                                                                                    "no_answer")},
        "throughput_graph.{}": directions,
        "{}.progress_speedtest": {f"network.{d}" for d in directions},
        "{}.title": {c.id for c in _builtin_checks()},
        "{}.unit": {c.id for c in _builtin_checks() if c.category == "camera" and getattr(c, "unit", None) == ""
                    and hasattr(c, "measure")},  # a camera figure without a symbol has a worded unit
        "camera.side.{}": {"left", "right"},
        "camera.tint.{}": _literals("checks/analysis/camera.py", r'return "(orange|green|blue|pink)"'),
        "lost.{}.summary": lost, "lost.{}.advice": lost, "lost.during.{}": directions | {"probes", "platform", "other"},
        "mic.noise.{}.summary": {"hum", "rumble", "broadband"}, "mic.noise.{}.advice": {"hum", "rumble", "broadband"},
        "mic.level.{}.summary": _finding_keys("mic") & {"good", "quiet", "loud", "none"},
        "mic.level.{}.advice": _finding_keys("mic") & {"good", "quiet", "loud", "none"},
        "mic.channel.{}": set(CHANNEL_NAMES),
        "mic.snr.{}.summary": {"good", "low", "bad"}, "mic.snr.{}.advice": {"good", "low", "bad"},
        "mic.echo.{}.summary": {"strong", "room"}, "mic.echo.{}.advice": {"strong", "room"},
        "screen.notifications.reason.{}": _literals("checks/builtin/screen.py",
                                                    r'"([a-z]+_unreadable|no_desktop|unknown_desktop)"'),
        "screen.display.reason.{}": screen_reasons,
        "playback.{}": {"hear_yourself", "test_speakers"},
        "profile_errors.{}_range": {"number", "whole"},
        "profile_template.{}": _literals("checks/config/profile.py", r'(?:comment|after)\((?:[^()]*?, )?"([a-z_]+)"'),
        "{}.summary": findings | {"screen.apps.running.one", "screen.apps.running.other"},
        "{}.advice": advised | {"screen.apps.running.one", "screen.apps.running.other"},
        "{}.hint": set(),  # a camera finding's short hint is optional: without one the preview shows its summary
        "{}": set(),  # say_n's own .one/.other (tested below)
    }


def _templates_in_code() -> set[str]:
    """The f-string keys the code uses, each field replaced by ``{}``."""
    found = set()
    for path in [*ROOT.glob("checks/**/*.py"), *ROOT.glob("app/*.py")]:
        for key in re.findall(r"""\b(?:say|say_all|say_n)\(\s*f(["'])(.+?)\1""", path.read_text()):
            found.add(re.sub(r"\{[^{}]*\}(\.\{[^{}]*\})*", "{}", key[1]))  # {a}.{b}: one dotted value
    return found


def test_every_key_built_at_run_time_is_enumerated_here():
    """A new f-string key fails this test until its values are listed in :func:`_built_keys`."""
    templates = _templates_in_code()
    assert len(templates) >= 40
    assert templates <= set(_built_keys()), sorted(templates - set(_built_keys()))


def test_every_value_a_built_key_takes_exists_in_english():
    missing = []
    for template, values in _built_keys().items():
        for value in values:
            key = template.replace("{}", value, 1)
            plural = has_wording(f"{key}.one") and has_wording(f"{key}.other")  # a sentence said for a count
            if not has_wording(key) and not isinstance(_english(key), list) and not plural:
                missing.append(key)
    assert not missing, missing
    assert len(_built_keys()["{}.summary"]) >= 60 and len(_built_keys()["sources.{}.summary"]) > 15


def test_say_n_has_one_and_other_everywhere_it_is_used():
    keys = set()
    for path in [*ROOT.glob("checks/**/*.py"), *ROOT.glob("app/*.py")]:
        keys |= set(re.findall(r"""\bsay_n\(\s*["']([a-z_.]+)["']""", path.read_text()))
    assert keys
    for key in keys:
        assert has_wording(f"{key}.one") and has_wording(f"{key}.other"), key


# A counted thing read with 0, 1 and 2 of it: each language's plural rule from CLDR (French's singular takes 0 too).
COUNTED = {
    "en": ("0 windows are open.", "1 window is open.", "2 windows are open."),
    "de": ("0 Fenster sind offen.", "Ein Fenster ist offen.", "2 Fenster sind offen."),
    "es": ("Hay 0 ventanas abiertas.", "Hay una ventana abierta.", "Hay 2 ventanas abiertas."),
    "fr": ("0 fenêtre est ouverte.", "1 fenêtre est ouverte.", "2 fenêtres sont ouvertes."),
}


@pytest.mark.parametrize("code", sorted(COUNTED))
def test_a_check_with_0_1_and_2_of_a_counted_thing_reads_right(code):
    from checks.builtin.screen import DisplayCheck, assess_display
    from checks.engine.thresholds import Thresholds
    from checks.sources.screen import Display

    set_language(code)
    limits = Thresholds().for_check("screen.display")
    said = []
    for n in (0, 1, 2):
        _, [_, windows] = assess_display(Display(width=1280, height=720, scale=1.0, windows=n), limits)
        said.append(DisplayCheck().worded(windows).summary)
    assert tuple(said) == COUNTED[code]


def test_say_n_takes_each_languages_plural_rule_and_other_for_a_form_it_does_not_spell_out():
    set_language("fr")
    assert [say_n("verdict.problems", n) for n in (0, 1, 2)] == [
        "Pas encore prêt\u00a0: 0 problème", "Pas encore prêt\u00a0: 1 problème", "Pas encore prêt\u00a0: 2 problèmes"]
    assert say_n("report.countdown.days", 1_000_000) == "1000000 jours"  # CLDR's "many": French says it as "other"
    for code in ("en", "de", "es"):
        set_language(code)
        assert say_n("verdict.problems", 0) == say_n("verdict.problems", 2).replace("2", "0")  # 0 is plural


# --- what every translation is held to (and tests/test_catalogs.py) ---------------------------------------------

def _english(key: str) -> object:
    node: object = english_tree()
    for part in key.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _fields(node: object) -> list[set[str]]:
    texts = node if isinstance(node, list) else [node]
    return [{f for _, f, _, _ in Formatter().parse(t) if f is not None} for t in texts if isinstance(t, str)]


_FIELDS = re.compile(r"\{[^{}]*\}|%\([a-z_]+\)[sr]|%[sr]")  # format fields, argparse's %-fields
TRANSLATIONS = sorted(code for code in languages() if code != ENGLISH)


def test_the_languages_are_english_and_every_catalog():
    catalogs = sorted(p.parent.parent.name for p in (ROOT / "assets" / "locale").glob("*/LC_MESSAGES/messages.po"))
    assert languages() == (ENGLISH, *catalogs) and len(catalogs) >= 2


def test_the_pseudo_language_keeps_every_field_and_shape():
    """The layout tests' language: every English key, its fields intact, 40 % longer."""
    set_language(PSEUDO)
    for key, text in entries(english_tree()).items():
        if isinstance(text, str) and text and key.split(".")[0] not in SAME_IN_EVERY_LANGUAGE:
            stretched = say(key)
            if "{{" in text:  # a JSON shape in a help, said without fields: its braces are not fields
                continue
            assert _fields(stretched) == _fields(text), key
            assert len(_FIELDS.sub("", stretched)) >= 1.3 * len(_FIELDS.sub("", text)), key


# --- numbers, dates and times in the language ------------------------------------------------------------------

WHEN = datetime(2026, 12, 1, 14, 5, 30)


@pytest.mark.parametrize(("code", "decimal"), [("en", "2.5"), ("de", "2,5"), ("es", "2,5"), ("fr", "2,5"),
                                                    ("qps", "2.5")])
def test_a_decimal_is_written_as_the_language_writes_it_with_the_digits_the_code_gave(code, decimal):
    assert number(2.5, code) == decimal
    assert number("2.50", code) == decimal + "0" and number("−12.3", code) == "−12" + decimal[1] + "3"
    assert number(1920, code) == "1920" and number(48000, code) == "48000"  # whole numbers are never grouped
    assert number("10.0.0.1", code) == "10.0.0.1" and number("Mbit/s", code) == "Mbit/s"  # not numbers


@pytest.mark.parametrize(("code", "written"), [
    ("en", "Tuesday, 1 December 2026, 14:05"),
    ("de", "Dienstag, 1. Dezember 2026, 14:05"),
    ("es", "martes, 1 de diciembre de 2026, 14:05"),
    ("fr", "mardi 1 décembre 2026 à 14:05"),
])
def test_dates_and_times_are_written_in_the_language(code, written):
    assert date_time(WHEN, code) == written
    assert clock(WHEN, code=code) == "14:05" and clock(WHEN, seconds=True, code=code) == "14:05:30"


def test_say_writes_the_numbers_it_fills_in_for_the_language_in_use():
    english = say("report.change_value", title="Upload", old=2.5, new="8.4 Mbps")
    assert "2.5" in english
    for code in TRANSLATIONS:
        set_language(code)
        sentence = say("report.change_value", title="Upload", old=2.5, new=format_number(8.4, "Mbps"))
        assert number(2.5, code) in sentence and number("8.4", code) in sentence


def test_the_bundle_keeps_only_the_locale_data_its_languages_need(tmp_path):
    """With only the kept CLDR files, Babel still writes every language's numbers and dates (in a fresh process)."""
    import babel

    from bundle.platform_files import babel_locale_data, keep_data

    data = Path(babel.__file__).parent / "locale-data"
    kept = babel_locale_data()
    assert {"root", "en", "en_GB"} <= kept and {code for code in TRANSLATIONS} <= kept
    assert keep_data("babel/locale-data/en_GB.dat") and not keep_data("babel/locale-data/pl.dat")
    assert not keep_data("PySide6/Qt/translations/qt_de.qm") and keep_data("assets/locale/english.toml")
    assert not keep_data("assets/locale/messages.pot") and not keep_data("assets/locale/de/LC_MESSAGES/messages.po")
    assert not keep_data("assets/locale/de/LC_MESSAGES/messages.mo")  # the spec adds the catalogs it compiled
    for name in kept:
        shutil.copy(data / f"{name}.dat", tmp_path / f"{name}.dat")
    size = sum(p.stat().st_size for p in tmp_path.iterdir())
    everything = sum(p.stat().st_size for p in data.iterdir())
    assert size < everything / 20
    code = ("import babel.localedata, sys; babel.localedata._dirname = sys.argv[1]\n"
            "from datetime import datetime\n"
            "from checks.text.wording import clock, date_time, number, languages, PSEUDO\n"
            "for c in (*languages(), PSEUDO): print(number('2.5', c), date_time(datetime(2026, 12, 1, 14, 5), c), "
            "clock(datetime(2026, 12, 1, 14, 5), code=c))\n")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, cwd=ROOT,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == len(languages()) + 1


# --- choosing the language: --lang on every command, a profile's language, the system's --------------------------

COMMANDS = [["check", "--camera", "none", "--mic", "none", "--network", "none", "--screen", "none", "--only",
             "system.power"], ["list-checks"], ["list-devices"], ["profile", "init", "/nonexistent/profile.toml"],
            ["guard", "--timeline", "/nonexistent/record.json"], ["kiosk", "set-pin", "--kiosk-config",
                                                                 "/nonexistent/kiosk.toml"]]


@pytest.mark.parametrize("command", [[], *COMMANDS], ids=lambda c: c[0] if c else "window")
def test_an_unknown_language_is_a_usage_error_on_every_command(cli, command):
    done = cli(*command, "--lang", "pl")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "--lang" in done.stderr
    assert say("cli.unknown_language", code="pl", languages=", ".join(languages())) in done.stderr


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_every_command_speaks_the_language_lang_names(cli, command):
    """The pseudo-language (40 % longer, accented) shows that every command's words come from the catalog."""
    done = cli(*command, "--lang", PSEUDO)
    out = done.stdout + done.stderr
    set_language(PSEUDO)
    expected = {
        "check": say("system.power.title"), "list-checks": say_all("cli.list_heading")[0],
        "list-devices": say("devices.cameras"),
        "profile": say("cli.errors.no_folder", option="profile init", folder="/nonexistent"),
        "guard": say("cli.errors.no_folder", option="--timeline", folder="/nonexistent"),
        "kiosk": say("cli.errors.no_folder", option="kiosk set-pin", folder="/nonexistent"),  # no PIN on stdin
    }[command[0]]
    assert expected in out, out
    assert done.returncode in (0, 1, 2) and "Traceback" not in out


def test_help_is_in_the_language_and_never_offers_the_pseudo_language(cli):
    plain = cli("check", "--help")
    assert plain.returncode == 0 and PSEUDO not in plain.stdout
    assert "|".join(languages()) in plain.stdout
    stretched = cli("--lang", PSEUDO, "check", "--help")
    set_language(PSEUDO)
    assert " ".join(say("cli.help.check_description").split()[:3]) in " ".join(stretched.stdout.split())
    assert " ".join(say("cli.help.json").split()[:3]) in " ".join(stretched.stdout.split())


def test_a_profile_names_a_language_and_lang_wins_over_it(tmp_path):
    from app.cli import choose_language
    from checks.config.profile import ProfileError, parse_profile

    profile = parse_profile('language = "en"\n')
    assert profile.language == "en" and parse_profile("").language is None
    with pytest.raises(ProfileError, match="language"):
        parse_profile('language = "pl"\n')
    with pytest.raises(ProfileError, match="language"):
        parse_profile(f'language = "{PSEUDO}"\n')  # the layout tests' language is no profile's
    assert choose_language(PSEUDO, profile) == PSEUDO and say("verdict.ready") != "Ready"
    assert choose_language(None, profile) == "en" and say("verdict.ready") == "Ready"
    for code in TRANSLATIONS:
        assert choose_language(None, parse_profile(f'language = "{code}"\n')) == code


def test_the_profile_template_names_the_language_field_and_is_valid_in_every_language(tmp_path):
    from checks.config.profile import parse_profile, profile_template

    for code in (*languages(), PSEUDO):
        set_language(code)
        template = profile_template()
        assert say("profile_template.platform") in template and "# language = " in template
        assert parse_profile(template).organisation == "Acme Hiring"  # the keys stay English


# --- the JSON report stays language-neutral ---------------------------------------------------------------------

def test_the_json_report_has_the_same_ids_statuses_and_exit_code_in_every_language(cli):
    import json

    import jsonschema

    schema = json.loads((ROOT / "assets" / "report.schema.json").read_text())
    # the demo's camera and microphone checks: the same numbers on every run (the system's, such as the processor's
    # load, vary from one run to the next, and with them the verdict and the exit code)
    runs = {code: cli("check", "--demo", "--json", "--screen", "none", "--only", "camera.*,mic.*", "--lang", code)
            for code in (ENGLISH, PSEUDO, *TRANSLATIONS)}
    reports = {code: json.loads(done.stdout) for code, done in runs.items()}
    english = reports[ENGLISH]
    assert english["language"] == ENGLISH and len(english["checks"]) >= 8
    for code, report in reports.items():
        jsonschema.validate(report, schema)
        assert report["language"] == code and runs[code].returncode == runs[ENGLISH].returncode
        assert report["overall"] == english["overall"]
        assert [(c["id"], c["status"], c["unit"] if c["value"] is None else c["value"]) for c in report["checks"]] \
            == [(c["id"], c["status"], c["unit"] if c["value"] is None else c["value"]) for c in english["checks"]]
    assert reports[PSEUDO]["headline"] != english["headline"]
    assert {c["title"] for c in reports[PSEUDO]["checks"]}.isdisjoint(c["title"] for c in english["checks"])


# --- the verdict in the candidate's language --------------------------------------------------------------------

NO_DEVICES = ("check", "--camera", "none", "--mic", "none", "--network", "none")


def _verdicts(code: str) -> set[str]:
    """Every headline the report can end with, in a language."""
    set_language(code)
    found = {say("verdict.ready")} | {say_n(k, n) for k in ("verdict.warnings", "verdict.problems")
                                      for n in range(1, 40)}
    set_language(ENGLISH)
    return found


def _assert_verdict_in(done, code: str) -> None:
    assert code in (*languages(), PSEUDO), f"assets/locale/{code}/LC_MESSAGES/messages.po is not there (yet)"
    assert done.returncode in (0, 1), done.stderr
    verdict = done.stdout.rstrip("\n").splitlines()[-1]
    assert verdict in _verdicts(code), verdict
    assert verdict not in _verdicts(ENGLISH)  # spoken in that language, not English


def test_the_pseudo_language_gives_the_verdict_in_it(cli):
    _assert_verdict_in(cli(*NO_DEVICES, "--lang", PSEUDO), PSEUDO)


def test_a_german_system_gets_the_german_verdict(cli):
    """Passes once German's catalog is in."""
    _assert_verdict_in(cli(*NO_DEVICES, env={"LANG": "de_DE.UTF-8", "LC_ALL": "", "LC_MESSAGES": "", "LANGUAGE": ""}),
                      "de")


def test_lang_es_gives_the_spanish_verdict(cli):
    """Passes once Spanish's catalog is in."""
    _assert_verdict_in(cli(*NO_DEVICES, "--lang", "es"), "es")


def test_lang_fr_gives_the_french_verdict(cli):
    _assert_verdict_in(cli(*NO_DEVICES, "--lang", "fr"), "fr")


def test_the_html_report_names_its_language_and_speaks_it():
    from checks.report.export import render_html
    from checks.report.model import build_report

    results = [CheckResult("system.power", say("system.power.title"), "system", Status.PASS, "x")]
    assert '<html lang="en">' in render_html(build_report(results))
    for code in (PSEUDO, *TRANSLATIONS):
        set_language(code)
        page = render_html(build_report(results))
        assert f'<html lang="{"en" if code == PSEUDO else code}">' in page
        assert say("verdict.ready") in page and say("report.title") in page


def test_a_profiles_problems_are_told_in_the_language_in_use():
    from checks.config.profile import PLATFORMS, ProfileError, parse_profile

    set_language(PSEUDO)
    with pytest.raises(ProfileError) as raised:
        parse_profile('platform = "skype"\nreport_to = "nobody"\ncolour = 1\n'
                      '[thresholds."system.cpu"]\nwarn_percent = -5\n')
    lines = str(raised.value).splitlines()
    assert say("profile_errors.line", where="profile", line=1, field="platform",
               message=say("profile_errors.one_of", choices=", ".join(PLATFORMS))) in lines
    assert say("profile_errors.line", where="profile", line=2, field="report_to",
               message=say("profile_errors.email")) in lines
    assert any(say("profile_errors.not_a_field") in line for line in lines)
    assert any("warn_percent" in line and say("profile_errors.number_range", low="0", high="100")[:12] in line
               for line in lines), lines


def test_the_window_started_from_the_command_line_takes_lang_too(cli):
    """Without a screen the window's start says so, in the language --lang names."""
    done = cli("--lang", PSEUDO, env={"QT_QPA_PLATFORM": "", "DISPLAY": "", "WAYLAND_DISPLAY": ""})
    set_language(PSEUDO)
    assert done.returncode == 2 and say("cli.no_screen") in done.stderr


# --- argparse's and pydantic's own words ------------------------------------------------------------------------

_PERCENT_FIELDS = re.compile(r"%\([a-z_]+\)[sr]|%[sr]")


@pytest.mark.parametrize("code", TRANSLATIONS)
def test_argparses_words_keep_its_percent_fields_in_every_language(code):
    from app.cli import ARGPARSE_WORDS

    for message, key in ARGPARSE_WORDS.items():
        assert _english(key) == message, key  # English is argparse's own sentence
        translated = translations(code).pgettext(key, message)
        assert sorted(_PERCENT_FIELDS.findall(translated)) == sorted(_PERCENT_FIELDS.findall(message)), \
            f"{code}: {key}"


def test_argparses_own_errors_and_usage_are_in_the_language(cli):
    unknown = cli("--lang", PSEUDO, "check", "--no-such-option")
    wrong = cli("--lang", PSEUDO, "check", "--network", "bogus")
    usage = cli("--lang", PSEUDO, "check", "--help")
    set_language(PSEUDO)
    assert unknown.returncode == 2 and say("cli.argparse.unrecognized") % "--no-such-option" in unknown.stderr
    assert wrong.returncode == 2 and "bogus" in wrong.stderr
    assert say("cli.argparse.argument").split("%")[0] in wrong.stderr  # "argument --network: …", said in it
    assert usage.stdout.startswith(say("cli.argparse.usage"))
    assert "unrecognized" not in unknown.stderr and "invalid choice" not in wrong.stderr


def test_a_profiles_wrong_types_are_said_in_the_language_not_pydantics_english(cli, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('organisation = 5\nrequired = "camera.*"\n')
    done = cli("--lang", PSEUDO, "profile", "validate", str(bad))
    set_language(PSEUDO)
    assert done.returncode == 2
    assert say("profile_errors.types.text") in done.stderr and say("profile_errors.types.list") in done.stderr
    assert "Input should" not in done.stderr and "must be" not in done.stderr


def test_a_sentence_said_without_fields_shows_single_braces(cli):
    """The help of ``list-devices --json`` shows the JSON's shape: its braces are escaped in the wording."""
    done = cli("list-devices", "--help")
    assert done.returncode == 0 and '{"cameras"' in done.stdout and "{{" not in done.stdout


@pytest.mark.parametrize(("environ", "expected"), [
    ({"LANG": "de_DE.UTF-8"}, "de"),
    ({"LC_ALL": "es_MX.UTF-8", "LANG": "de_DE.UTF-8"}, "es"),
    ({"LC_MESSAGES": "es_ES.UTF-8", "LANG": "de_DE.UTF-8"}, "es"),
    ({"LANG": "fr_FR.UTF-8"}, "fr"),
    ({"LANG": "pl_PL.UTF-8"}, "en"),  # a language the app does not speak
    ({"LANG": "de_DE.UTF-8", "LANGUAGE": "es:de"}, "es"),  # a desktop's list of preferences comes first
    ({"LANG": "en_GB.UTF-8", "LANGUAGE": "pl_PL:es_ES:de"}, "es"),  # the first one spoken
    ({"LANG": "de_DE.UTF-8", "LANGUAGE": "pl"}, "de"),  # none of the list spoken: the locale's
    ({"LANG": "de_DE.UTF-8", "LANGUAGE": "fr_CA:fr"}, "fr"),
    ({"LANG": "C.UTF-8", "LANGUAGE": "de"}, "en"),  # as in gettext, the list counts only with a real locale
    ({"LANGUAGE": "de"}, "en"),
    ({"LANG": "de_DE.UTF-8@euro"}, "de"),
    ({}, "en"),
])
def test_the_system_language_is_read_as_gettext_reads_it(environ, expected):
    assert system_language(environ) == expected


def test_a_desktops_language_list_gives_its_verdict(cli):
    _assert_verdict_in(cli(*NO_DEVICES, env={"LANG": "en_US.UTF-8", "LANGUAGE": "es_ES:es", "LC_ALL": "",
                                             "LC_MESSAGES": ""}), "es")
