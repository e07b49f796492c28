"""The window's language: the Language menu, every text said again in the chosen language without a restart, the
choice remembered, and the language the window starts in."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractButton, QLabel, QMenu, QTabBar, QWidget

from app.reword import starting_language
from app.window import MainWindow
from checks.storage.settings import load_choice
from checks.text.wording import ENGLISH, PSEUDO, language, language_name, languages, say, set_language
from tests import test_window
from tests.test_window import OFF, run_to_end, session_for

open_window = test_window.open_window  # the window fixture, letting any run end at the end


@pytest.fixture(autouse=True)
def english_again(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # the remembered choice goes here
    set_language(ENGLISH)
    yield
    set_language(ENGLISH)


def static_texts(window: MainWindow) -> dict[str, str]:
    """Every text the window shows or tells a screen reader, outside the list of checks: labels, buttons, menus,
    actions, accessible names and descriptions, tooltips, tab titles."""
    found: dict[str, str] = {"window title": window.windowTitle()}
    for i in range(window.tabs.count()):
        found[f"tab {i}"] = window.tabs.tabText(i)
    for n, widget in enumerate(window.findChildren(QWidget)):
        if isinstance(widget.parent(), QTabBar):  # Qt's own scroll arrows, in Qt's words
            continue
        name = f"{type(widget).__name__} {widget.objectName()} {n}"
        if isinstance(widget, (QLabel, QAbstractButton)) and widget.isVisibleTo(window):
            found[f"{name} text"] = widget.text()
        if isinstance(widget, QMenu):
            found[f"{name} title"] = widget.title()
        for what in ("accessibleName", "accessibleDescription", "toolTip"):
            found[f"{name} {what}"] = getattr(widget, what)()
    for n, action in enumerate(window.findChildren(QAction)):
        if action.data() is None:  # a language is named in its own language, whatever the language in use
            found[f"action {n} text"] = action.text()
            found[f"action {n} toolTip"] = action.toolTip()
    return {where: text for where, text in found.items() if text}


def pseudo(text: str) -> bool:
    """Whether a text was made by the pseudo-language (every sentence in it is bracketed and stretched)."""
    return all(line.removeprefix("• ").startswith("[") and line.endswith("]") for line in text.splitlines())


def test_the_language_menu_names_each_language_in_its_own_language_and_alt_l_opens_it(open_window):
    window = open_window(session_for(*OFF))

    menu = window.language_menu
    assert menu.title() == say("ui.menu_language")
    assert QKeySequence.mnemonic(menu.title()) == QKeySequence("Alt+L")
    assert menu.menuAction() in window.menuBar().actions()
    offered = [(a.data(), a.text()) for a in menu.actions()]
    assert offered == [(code, language_name(code)) for code in languages()]
    assert PSEUDO not in dict(offered)
    assert [a.data() for a in menu.actions() if a.isChecked()] == [language()]
    assert [language_name(code) for code in ("en", "de", "es", "fr")] == ["English", "Deutsch", "Español", "Français"]


def test_choosing_a_language_says_every_text_again_in_it_without_a_restart_and_remembers_it(qtbot, open_window):
    window = open_window(session_for(*OFF))
    english = static_texts(window)
    assert len(english) > 40

    window.choose_language(PSEUDO)

    stretched = static_texts(window)
    assert set(stretched) == set(english)
    assert {where: text for where, text in stretched.items() if not pseudo(text)} == {}
    assert window.banner.text() == say("ui.not_started") and pseudo(window.banner.text())
    assert all(pseudo(card.title.text()) for card in window.cards.values())
    header = window.tree.headerItem()
    assert [header.text(i) for i in range(3)] == [say("ui.column_check"), say("ui.column_status"),
                                                  say("ui.column_value")]
    assert all(pseudo(window.tree.topLevelItem(i).text(0)) for i in range(window.tree.topLevelItemCount()))
    assert load_choice().language == PSEUDO

    window.choose_language(ENGLISH)
    assert static_texts(window) == english
    assert load_choice().language == ENGLISH


def test_after_a_run_the_verdict_is_said_again_and_a_line_says_the_next_check_speaks_the_new_language(
        qtbot, open_window):
    window = open_window(session_for("--camera", "none", "--mic", "none", "--network", "none",
                                     "--only", "system.*"))
    report = run_to_end(qtbot, window)
    assert window.banner.text() == report.headline()

    window.choose_language(PSEUDO)

    assert window.banner.text() == report.headline() and pseudo(window.banner.text())  # said from its key again
    assert window.progress_text.text() == say("ui.language_next_run", language=language_name(PSEUDO))
    assert all(pseudo(item.text(1)) for item in window.items)  # each row's status word
    assert window.run_button.text() == say("ui.run_again") and pseudo(window.run_button.text())
    assert window.report_view.banner.text() == report.headline()
    shown = window.report_view.findChildren(QLabel)
    assert any(label.text() == say("report.backup_intro") for label in shown)


def test_alt_l_opens_the_language_menu_and_enter_chooses(qtbot, open_window):
    from PySide6.QtWidgets import QApplication

    window = open_window(session_for(*OFF))
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(window.language_menu.isVisible)
    assert QApplication.activePopupWidget() is window.language_menu
    last = window.language_menu.actions()[-1]
    for _ in window.language_menu.actions()[1:]:
        qtbot.keyClick(window.language_menu, Qt.Key.Key_Down)
    with qtbot.waitSignal(last.triggered):
        qtbot.keyClick(window.language_menu, Qt.Key.Key_Return)
    assert language() == last.data() and last.isChecked()


def test_the_window_starts_in_the_command_lines_language_else_the_last_choice_else_the_systems():
    spoken = languages()
    other = next((code for code in spoken if code != ENGLISH), None)
    assert starting_language(None, None, []) == ENGLISH
    assert starting_language(None, None, ["xx-XX", "yy"]) == ENGLISH  # a language the app does not speak
    assert starting_language("xx", "yy", ["en-GB"]) == ENGLISH
    if other is None:
        pytest.skip("one language only: the other languages' wording files are not here")
    assert starting_language(other, ENGLISH, ["en-US"]) == other
    assert starting_language(None, other, ["en-US"]) == other
    assert starting_language(None, None, [f"{other}-CH", other]) == other
    assert starting_language(None, None, [f"{other}_AT"]) == other
    assert starting_language(ENGLISH, other, [other]) == ENGLISH


# -- numbers and dates as the language writes them --------------------------------------------------------------


def test_numbers_and_dates_are_written_as_each_language_writes_them():
    from datetime import datetime

    from PySide6.QtCore import QLocale

    from app.reword import number_text, when_text

    assert [number_text(12.46, 1, QLocale(code)) for code in ("en", "de", "es", "fr")] == ["12.5", "12,5", "12,5",
                                                                                           "12,5"]
    assert number_text(-3.4, 0, QLocale("de")) == "\u22123"  # a true minus sign, as the level meter always had
    assert number_text(1234.5, 1, QLocale("de")) == "1.234,5"
    assert number_text(1234.5, 1, QLocale("fr")) == "1\u202f234,5"  # French groups with a narrow no-break space
    two_pm = datetime(2026, 12, 1, 14, 0).astimezone()  # local time, as the report shows it
    assert when_text(two_pm, QLocale("de")) == "Dienstag, 1. Dezember 2026, 14:00"
    assert when_text(two_pm, QLocale("es")) == "martes, 1 de diciembre de 2026, 14:00"
    assert when_text(two_pm, QLocale("fr")) == "mardi 1 décembre 2026 à 14:00"
    assert when_text(two_pm, QLocale("en_GB")) == "Tuesday, 1 December 2026, 14:00"


def test_the_widgets_write_numbers_and_the_interview_time_in_the_language_in_use(qtbot):
    from app.level_meter import LevelMeter
    from app.reword import number_text, ui_locale, when_text
    from app.throughput_graph import ThroughputGraph
    from checks.report.model import local_time
    from tests.test_report_view import START, _view

    other = next((code for code in languages() if code != ENGLISH), None)
    for code in [ENGLISH, PSEUDO] + ([other] if other else []):
        set_language(code)
        graph = ThroughputGraph()
        qtbot.addWidget(graph)
        graph.add_sample(1.0, 12.46)
        assert number_text(12.46, 1) in graph.accessibleDescription()
        assert number_text(12.46, 1) == ui_locale().toString(12.46, "f", 1)
        meter = LevelMeter()
        qtbot.addWidget(meter)
        meter.level_dbfs, meter.peak_dbfs = -23.4, -12.0
        assert meter.text() == say("level_meter.words.good")
        view, _, _ = _view(qtbot, START)
        assert when_text(local_time(START)) in view.countdown_label.text()
    set_language(ENGLISH)
    assert ui_locale().toString(0.5, "f", 1) == "0.5"  # the pseudo-language and English write as English does


def test_the_status_marks_and_the_languages_names_are_the_same_in_every_language():
    english = [say(f"status_mark.{s}") for s in ("pass", "warn", "fail")], say("language_names.de")
    set_language(PSEUDO)
    assert ([say(f"status_mark.{s}") for s in ("pass", "warn", "fail")], say("language_names.de")) == english
    assert english == (["✓", "!", "✗"], "Deutsch")
