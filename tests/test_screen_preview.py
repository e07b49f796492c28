"""Preview my screen share: the menu item, the picture in memory, the findings beside it, and the opt-in."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor, QPixmap
from PySide6.QtWidgets import QApplication

from app.screen_preview import ScreenPreview, to_picture
from app.window import MainWindow
from checks.text.wording import say
from tests.conftest import ROOT
from tests.support.xserver import XUnavailable, x_server
from tests.test_window_report import _run
from tests.test_window_report import _window as window_for

ARGS = ["--camera", "none", "--mic", "none", "--network", "none", "--only", "screen.*,system.power"]


def _window(qtbot) -> MainWindow:
    return window_for(qtbot, ARGS)


def _preview(qtbot, window) -> ScreenPreview:
    dialog = ScreenPreview(window)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


def test_the_menu_item_opens_the_preview_and_the_findings_stand_beside_it(qtbot, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    window = _window(qtbot)
    report = _run(qtbot, window)
    action = next(a for a in window.menuBar().actions()[0].menu().actions() if a.text() == say("screen_preview.action"))
    opened = []

    def close_when_shown():
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, ScreenPreview):
            opened.append(dialog)
            dialog.reject()

    QTimer.singleShot(200, close_when_shown)
    action.trigger()
    qtbot.waitUntil(lambda: len(opened) == 1)  # once the menu has closed
    dialog = _preview(qtbot, window)
    assert dialog.pixmap is not None and not dialog.pixmap.isNull()  # offscreen, the screen is still a picture
    assert dialog.picture.pixmap() is not None and dialog.picture.pixmap().width() <= 800
    titles = [r.title for r in report.results if r.category == "screen"]
    assert len(dialog.finding_rows) == 3 and all(any(t in row.text() for row in dialog.finding_rows) for t in titles)
    assert "scaling" in dialog.size_label.text()
    assert _files_under(tmp_path) == set()  # nothing of the screen was written


def test_the_picture_is_in_the_report_only_when_ticked(qtbot):
    window = _window(qtbot)
    _run(qtbot, window)
    dialog = _preview(qtbot, window)
    assert dialog.include is not None and not dialog.include.isChecked()
    assert all(r.picture is None for r in window.report.results)
    window.report_view.tick_boxes[0].setChecked(True)
    dialog.include.setChecked(True)
    assert window.report_view.report() is window.report and window.report_view.tick_boxes[0].isChecked()
    [display] = [r for r in window.report.results if r.id == "screen.display"]
    assert display.picture is not None and display.picture.jpeg.startswith(b"\xff\xd8")
    assert json.loads(window.report.to_json())["checks"][-1]["picture"]["media_type"] == "image/jpeg"
    dialog.include.setChecked(False)
    assert all(r.picture is None for r in window.report.results)


def test_before_a_run_there_is_nothing_to_put_the_picture_in(qtbot):
    window = _window(qtbot)
    dialog = _preview(qtbot, window)
    assert dialog.include is not None and not dialog.include.isEnabled()
    assert dialog.finding_rows[0].text() == say("screen_preview.no_findings")


def test_a_big_screen_becomes_a_small_enough_picture(qtbot):
    pixmap = QPixmap(3840, 2160)
    pixmap.fill(QColor("#336699"))
    picture = to_picture(pixmap)
    assert picture.width == 1280 and picture.height == 720


def test_the_screen_picture_has_its_own_caption_in_the_html_and_the_pdf(qtbot, tmp_path):
    from app.export import write_pdf
    from checks.report.export import render_html
    from tests.test_exports import _pdf_text

    window = _window(qtbot)
    _run(qtbot, window)
    dialog = _preview(qtbot, window)
    window.report_view.tick_boxes[0].setChecked(True)
    dialog.include.setChecked(True)
    page = render_html(window.report)
    assert "data:image/jpeg;base64," in page
    assert say("picture.screen_title") in page and say("picture.title") not in page  # not "your picture"
    write_pdf(window.report, tmp_path / "report.pdf")
    text = "".join(_pdf_text(tmp_path / "report.pdf").split())
    assert "".join(say("picture.screen_title").split()) in text
    assert "".join(say("picture.title").split()) not in text


def test_the_picture_is_taken_after_the_menu_that_opened_it_has_closed():
    try:
        with x_server(1280, 800, window_manager=False) as env:
            done = subprocess.run([sys.executable, "-m", "tests.support.share_probe"], env=env, cwd=ROOT,
                                  capture_output=True, text=True, timeout=120)
    except XUnavailable as error:
        pytest.skip(str(error))
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["sampled"] > 1000 and seen["differing"] < 0.01, seen  # the window where the menu was, not the menu
