"""The window's main surfaces in plain words, in every language: no technical names or check ids on the banner, the
step cards and the level meter (the figures with their technical names stay in Details and the report), every
figure with its unit, and no command-line flag in what a candidate reads."""

from __future__ import annotations

import re

import pytest

from app.cli import make_parser
from app.session import resolve
from app.window import MainWindow
from checks.wording import set_language
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
