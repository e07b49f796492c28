"""The window and the kiosk as a screen reader meets them: the real app on a real X server (Xvfb), its accessible
tree read from a private AT-SPI bus with Debian's pyatspi (tests/support/atspi_tree.py), as Orca reads it.

On every screen, every control a candidate can act on is named by its purpose (a picker by its label, never by the
device it shows), no two share a name, and when a run ends the verdict is spoken unasked and can be read as text.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator

import pytest

from checks.text.wording import language_name, say, say_n, set_language
from tests.conftest import ROOT
from tests.support.screen_reader import unavailable
from tests.support.xserver import XUnavailable, x_server

ACTIONABLE = frozenset({"push button", "toggle button", "check box", "radio button", "combo box", "page tab",
                        "spin button", "slider", "entry", "link", "menu item", "check menu item", "radio menu item"})
"""The roles a candidate acts on (a screen reader offers them as things to press, tick or choose)."""
NAMED_BY_LABEL = frozenset({"combo box", "spin button", "slider", "entry"})
"""Roles whose name on Linux is the value they hold: their purpose comes from the label that names them."""


@pytest.fixture(scope="module")
def display(tmp_path_factory):
    why = unavailable()
    if why:
        pytest.skip(why)
    try:
        with x_server(1366, 768) as env:
            home = tmp_path_factory.mktemp("home")  # nothing remembered from another run or the machine's user
            yield {**env, "HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"),
                   "XDG_DATA_HOME": str(home / "data")}
    except XUnavailable as error:
        pytest.skip(str(error))


@pytest.fixture
def speaking():
    """The test speaks the language it asks for (the names it looks for), and English again after it."""
    yield set_language
    set_language("en")


def read(display: dict[str, str], app_args: list[str], steps: list[str]) -> dict:
    done = subprocess.run(["dbus-run-session", "--", sys.executable, "-m", "tests.support.screen_reader", *app_args,
                           "--", *steps], env=display, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    heard = json.loads(done.stdout.strip().splitlines()[-1])
    assert heard["failed"] is None, heard
    return heard


def nodes(tree: dict) -> Iterator[dict]:
    yield tree
    for child in tree["children"]:
        yield from nodes(child)


def announced(node: dict) -> str:
    """What a screen reader says a control is: the labels that name it, else its own name."""
    return ", ".join(node["labelled_by"]) if node["labelled_by"] else node["name"]


def faults(screen: list[dict]) -> list[str]:
    """What a screen reader user would stumble on in one screen: a control without a name, one named by its value,
    two of the same name."""
    found, names = [], {}
    for window in screen:
        for node in nodes(window):
            if node["role"] not in ACTIONABLE:
                continue
            name = announced(node).strip()
            if not name:
                found.append(f"unnamed {node['role']}")
            elif node["role"] in NAMED_BY_LABEL and not node["labelled_by"]:
                found.append(f"{node['role']} named by its value: {name!r}")
            elif not re.search(r"[^\W\d_]", name):  # "×", "⋯", "5.4": a symbol or a value, not a purpose
                found.append(f"{node['role']} named without a word: {name!r}")
            names.setdefault(name, []).append(node["role"])
    found += [f"{len(roles)} controls named {name!r}" for name, roles in names.items() if len(roles) > 1]
    return found


def verdict(screen: list[dict]) -> str:
    """The name of the verdict banner (the label described as the overall verdict), read as a screen reader reads
    it."""
    banners = [n for w in screen for n in nodes(w) if n["description"] == say("ui.verdict_banner")]
    assert len(banners) == 1, "the verdict banner is not on the screen, or not once"
    return banners[0]["name"]


def headlines() -> set[str]:
    return {say("verdict.ready"), say("verdict.nothing.not_found"), say("ui.cancelled"),
            *(say_n(key, n) for key in ("verdict.problems", "verdict.warnings") for n in range(1, 60))}


def test_the_fault_finder_sees_an_unnamed_a_value_named_and_a_twice_named_control():
    def control(role: str, name: str, labelled_by: list[str] | None = None) -> dict:
        return {"role": role, "name": name, "labelled_by": labelled_by or [], "children": []}

    screen = [{"role": "frame", "name": "x", "labelled_by": [], "children": [
        control("push button", ""), control("combo box", "File: camera.avi"), control("push button", "×"),
        control("push button", "Run"), control("check box", "Run"), control("combo box", "Default", ["Camera"]),
        control("label", "")]}]
    assert faults(screen) == ["unnamed push button", "combo box named by its value: 'File: camera.avi'",
                              "push button named without a word: '×'", "2 controls named 'Run'"]


@pytest.mark.parametrize("lang", ["en", "de", "fr"])
def test_the_window_names_each_control_by_its_purpose_and_speaks_the_verdict(display, speaking, lang):
    speaking(lang)
    details = f"{say('steps.details').replace('&', '')}: {say('steps.picture.title')}"
    heard = read(display, ["--demo", "--network", "none", "--lang", lang],
                 ["heard:", "dump:window", f"focus:{details}", "key:Return", "dump:details",
                  f"focus:{say('ui.see_report').replace('&', '')}", "key:space", "dump:report"])
    screen = heard["screens"]["window"]
    assert faults(screen) == []
    pickers = {announced(n) for w in screen for n in nodes(w) if n["role"] == "combo box"}
    assert pickers == {say("devices.camera_picker"), say("devices.mic_picker"), say("devices.speaker_picker")}
    headline = verdict(screen)
    assert any(headline.startswith(h) for h in headlines()), headline
    assert heard["announcements"] and heard["announcements"][-1].startswith(headline)  # spoken when it came

    # the real keyboard: Enter ticks the focused Details, Space on "See your report" opens the report's tab
    [ticked] = [n for w in heard["screens"]["details"] for n in nodes(w) if n["name"] == details]
    assert "checked" in ticked["states"]
    [report] = [n for w in heard["screens"]["report"] for n in nodes(w)
                if n["role"] == "page tab" and n["name"] == say("ui.tab_report")]
    assert "selected" in report["states"]


@pytest.mark.parametrize("lang", ["en", "es", "fr"])
def test_the_kiosk_names_each_control_offers_one_language_and_speaks_the_verdict(display, speaking, lang):
    speaking(lang)
    heard = read(display, ["--demo", "--kiosk", "--network", "none", "--lang", lang],
                 ["dump:start", f"press:{say('kiosk.start')}", "heard:", "dump:check",
                  f"press:{say('kiosk.show_report')}", "dump:report"])
    for name, screen in heard["screens"].items():
        assert faults(screen) == [], name
    start = heard["screens"]["start"]
    languages = [n for w in start for n in nodes(w) if n["role"] == "radio button"]
    assert len(languages) >= 3 and [n for n in languages if "checked" in n["states"]] == [
        n for n in languages if n["name"] == language_name(lang)]  # one choice: the language in use
    assert not [n for w in start for n in nodes(w) if n["role"] == "check box"]
    headline = verdict(heard["screens"]["check"])
    assert any(headline.startswith(h) for h in headlines()), headline
    assert heard["announcements"][-1].startswith(headline)
