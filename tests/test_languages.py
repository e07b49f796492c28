"""The languages: check titles are wording, every key a language has matches English, and the language in use reaches
every result and report; the JSON report stays the same in every language."""

from __future__ import annotations

import pytest

from checks.api import Check, CheckResult, Status, check_title
from checks.discovery import discover, find_plugins, load
from checks.history import entry
from checks.report import Report, describe_changes
from checks.wording import ENGLISH, PSEUDO, say, set_language


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
