"""The kiosk's language: each student chooses on the start screen (big buttons, each language named in its own
language, by keyboard too); the wipe between students goes back to the kiosk's default, a kiosk setting."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QRadioButton

from app.kiosk import KioskWindow
from checks.config.kiosk import KioskConfig, KioskError, load_kiosk_config
from checks.text.wording import ENGLISH, PSEUDO, language, language_name, languages, say, set_language
from tests import test_kiosk


@pytest.fixture(autouse=True)
def english_again():
    set_language(ENGLISH)
    yield
    set_language(ENGLISH)


kiosk = test_kiosk.kiosk  # the kiosk fixture, with its media and its leaving at the end
media = test_kiosk.media


def start_texts(window: KioskWindow) -> list[str]:
    shown = [*window.start_page.findChildren(QLabel), *window.start_page.findChildren(QAbstractButton)]
    return [w.text() for w in shown if w.isVisibleTo(window) and w.text() and w.property("language") is None]


def finish_and_wipe(qtbot, window: KioskWindow) -> None:
    test_kiosk._run_student(qtbot, window)
    with qtbot.waitSignal(window.reset_done, timeout=5000):
        qtbot.mouseClick(window.done_button, Qt.MouseButton.LeftButton)


def test_the_start_screen_offers_each_language_named_in_its_own_language(kiosk):
    window = kiosk(only="camera.device")
    buttons = window.language_buttons.buttons()
    assert [(b.property("language"), b.text().removeprefix(f"{say('status_mark.pass')} "), b.accessibleName())
            for b in buttons] == [(code, language_name(code), language_name(code)) for code in languages()]
    assert [b.property("language") for b in buttons if b.isChecked()] == [ENGLISH]
    # the one in use is marked in its text, not by its colour alone; choosing another moves the mark
    assert [b.text() for b in buttons if b.text().startswith(say("status_mark.pass"))] == [f"✓ {language_name('en')}"]
    window.choose_language("es")
    assert [b.property("language") for b in buttons if b.text().startswith("✓ ")] == ["es"]
    assert [b.property("language") for b in buttons if b.isChecked()] == ["es"]
    assert window.start_page.findChild(QRadioButton, "language_en").focusPolicy() & Qt.FocusPolicy.TabFocus
    picker = window.start_page.findChild(QRadioButton, "language_en").parentWidget()
    assert picker.accessibleName() == say("kiosk.language_picker")
    assert picker.isVisibleTo(window) == (len(languages()) > 1)


def test_a_students_language_speaks_through_the_check_and_the_wipe_goes_back_to_the_default(qtbot, kiosk):
    window = kiosk(only="camera.device")
    english = start_texts(window)

    window.choose_language(PSEUDO)  # the pseudo-language is never offered; chosen here as a button would
    assert language() == PSEUDO
    assert all(text.startswith("[") for text in start_texts(window))
    test_kiosk._run_student(qtbot, window)
    assert window.page is not None and window.page.run_button.text().startswith("[")
    assert window.over_button.text() == say("kiosk.start_over").replace("&", "")
    assert window.done_button.text().startswith("[")
    with qtbot.waitSignal(window.reset_done, timeout=5000):
        qtbot.mouseClick(window.done_button, Qt.MouseButton.LeftButton)

    assert language() == ENGLISH
    assert start_texts(window) == english
    assert [b.property("language") for b in window.language_buttons.buttons() if b.isChecked()] == [ENGLISH]


def test_choose_spanish_by_keyboard_finish_wipe_and_the_kiosks_default_is_back(qtbot, kiosk):
    if "es" not in languages():
        pytest.skip("the Spanish catalog (assets/locale/es/LC_MESSAGES/messages.po) is not here")
    window = kiosk(only="camera.device")
    spanish = window.start_page.findChild(QRadioButton, "language_es")
    spanish.setFocus()
    qtbot.waitUntil(spanish.hasFocus)
    qtbot.keyClick(spanish, Qt.Key.Key_Space)
    assert language() == "es" and spanish.isChecked()
    assert window.start_button.text() == say("kiosk.start").replace("&", "")
    set_language(ENGLISH)
    english_start = say("kiosk.start").replace("&", "")
    set_language("es")
    assert window.start_button.text() != english_start

    finish_and_wipe(qtbot, window)

    assert language() == ENGLISH and window.start_button.text() == english_start
    assert window.language_buttons.checkedButton().property("language") == ENGLISH


def test_the_start_screen_offers_francais_and_a_french_student_reads_it_in_french(qtbot, kiosk):
    window = kiosk(only="camera.device")
    french = window.start_page.findChild(QRadioButton, "language_fr")
    assert french.text() == "Français" and french.accessibleName() == "Français"
    english = start_texts(window)
    qtbot.mouseClick(french, Qt.MouseButton.LeftButton)
    assert language() == "fr" and french.isChecked() and french.text() == "✓ Français"
    assert say("kiosk.title") == "Vérifiez votre installation pour l’entretien" and say("kiosk.title") in start_texts(
        window)
    assert window.start_button.text() == "Commencer" and set(start_texts(window)).isdisjoint(english)
    finish_and_wipe(qtbot, window)
    assert language() == ENGLISH and start_texts(window) == english


def test_the_kiosks_default_language_is_its_setting(qtbot, kiosk, tmp_path):
    other = next((code for code in languages() if code != ENGLISH), None)
    if other is None:
        pytest.skip("one language only: the other languages' wording files are not here")
    path = tmp_path / "kiosk.toml"
    path.write_text(f'language = "{other}"\n')
    window = kiosk(load_kiosk_config(path), only="camera.device")
    assert language() == other and window.language_buttons.checkedButton().property("language") == other
    window.choose_language(ENGLISH)
    finish_and_wipe(qtbot, window)
    assert language() == other
    QApplication.processEvents()


def test_a_language_the_app_does_not_speak_is_refused_naming_the_field(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_text('language = "xx"\n')
    with pytest.raises(KioskError, match=r"language: 'xx' is not a language the app speaks; choose one of en"):
        load_kiosk_config(path)
    assert KioskConfig().language is None  # the language the kiosk was started in


def test_the_languages_are_one_choice_by_keyboard_arrows_move_it_and_tab_leaves_it(qtbot, kiosk):
    window = kiosk(only="camera.device")
    english = window.start_page.findChild(QRadioButton, "language_en")
    english.setFocus()
    qtbot.waitUntil(english.hasFocus)
    qtbot.keyClick(english, Qt.Key.Key_Right)  # as radio buttons do: the arrow moves the choice
    chosen = QApplication.focusWidget()
    assert isinstance(chosen, QRadioButton) and chosen is not english and chosen.isChecked()
    assert language() == chosen.property("language") and not english.isChecked()
    qtbot.keyClick(chosen, Qt.Key.Key_Tab)  # one stop for the whole choice: Tab goes on to the camera picker
    assert QApplication.focusWidget() is window.pickers.camera
