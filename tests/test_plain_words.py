"""The window's main surfaces in plain words, in every language: no technical names or check ids on the banner, the
step cards and the level meter (the figures with their technical names stay in Details and the report), every
figure with its unit, and no command-line flag in what a candidate reads; every measured figure the same wherever it
is shown."""

from __future__ import annotations

import json
import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from app.cli import make_parser
from app.session import resolve
from app.window import MainWindow
from checks.report.model import format_value
from checks.text.figures import figure, stored
from checks.text.wording import labelled, number, set_language
from tests.conftest import DEMO

ARGS = ["--camera", str(DEMO / "camera.avi"), "--mic", str(DEMO / "speech.wav"), "--network", "none"]
TECHNICAL = re.compile(r"dBFS|\bSNR\b|[Jj]itter|\b(camera|mic|network|system|screen)\.[a-z_]+\b|--[a-z]")


@pytest.fixture(params=["en", "de", "es", "fr"])
def finished(request, qtbot):
    set_language(request.param)
    window = MainWindow(resolve(make_parser().parse_args(ARGS)))
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.run_finished, timeout=90_000) as blocker:
        window.start()
    yield window, blocker.args[0]
    window.close()
    set_language("en")


def test_the_banner_cards_and_meter_speak_plainly_and_every_figure_has_its_unit(finished):
    window, report = finished
    shown = [window.banner.text(), window.fix_first.text(), window.mic_panel.meter.text()]
    for card in window.cards.values():
        shown += [label.text() for label in card.labels() if card.isVisible()]
    assert [text for text in shown if TECHNICAL.search(text)] == []
    assert all(result.unit for result in report.results if result.value is not None), [
        (r.id, r.value) for r in report.results if r.value is not None and not r.unit]
    assert not any(re.search(r"--[a-z]", r.summary) for r in report.results)  # no command line in the report


NAMED = ("camera.resolution", "camera.exposure", "mic.level", "mic.noise", "mic.snr", "system.cpu")
"""The checks whose sentence names the figure they measured (on the demo camera and recording)."""


def test_every_figure_is_the_one_stored_in_the_json_the_window_the_command_line_and_the_sentence(finished):
    """A measured figure is rounded once, by its unit's rule, where the result is made: the window's row and its
    report, the command line's text and the JSON export show the figure stored, and a sentence that names it names
    the same one, in the language's digits (a comma in German and Spanish)."""
    window, report = finished
    exported = {c["id"]: c for c in json.loads(report.to_json())["checks"]}
    text = report.render_text()
    rows = {item.data(0, Qt.ItemDataRole.UserRole): item.text(2) for item in window.page.items}
    window.report_view.set_report(report)
    in_report = [label.text() for label in window.report_view.findChildren(QLabel)]
    measured = [r for r in report.results if r.value is not None]
    assert {r.id for r in measured} >= set(NAMED), [r.id for r in measured]
    for r in measured:
        shown = format_value(r)
        assert r.value == stored(r.value, r.unit) == exported[r.id]["value"], r  # rounded once, when made
        assert shown == f"{number(figure(r.value, r.unit))} {r.unit}", r
        assert rows[r.id] == shown, (r.id, rows[r.id])
        assert f"] {labelled(f'{r.title} ({shown})', r.summary)}" in text, r.id
        assert any(t.endswith(f" — {shown}") for t in in_report), (r.id, shown)
        if r.id in NAMED:
            assert number(figure(r.value, r.unit)) in r.summary, (r.id, r.value, r.summary)
    by_id = {r.id: r for r in measured}  # the figure a camera sentence names is the one in its details too
    assert by_id["camera.exposure"].details["luma"] == by_id["camera.exposure"].value
    assert by_id["camera.resolution"].details["fps"] == by_id["camera.resolution"].value
