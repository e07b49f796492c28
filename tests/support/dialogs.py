"""Answering the window's modal dialogs in a test, as a user would: each message box read and answered with its
accepting button (OK, Yes, or a button in the accept role such as "Save the record"), a file dialog given a name."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit, QMessageBox

_ACCEPTING = (QMessageBox.ButtonRole.AcceptRole, QMessageBox.ButtonRole.YesRole)


@contextlib.contextmanager
def answering(choose: Path | None = None) -> Iterator[list[tuple[QMessageBox.Icon, str]]]:
    """Every message box that opens in the block, as (icon, text), each answered as soon as it shows; a file
    dialog is answered with ``choose`` (a file name typed in, or the folder to pick)."""
    seen: list[tuple[QMessageBox.Icon, str]] = []
    answered: list[object] = []

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None or any(dialog is d for d in answered):
            return
        if isinstance(dialog, QMessageBox):
            seen.append((dialog.icon(), dialog.text()))
            button = next(b for b in dialog.buttons() if dialog.buttonRole(b) in _ACCEPTING)
            done = button.click
        elif isinstance(dialog, QFileDialog) and choose is not None:
            if dialog.fileMode() == QFileDialog.FileMode.Directory:
                dialog.setDirectory(str(choose))
            else:
                dialog.findChild(QLineEdit, "fileNameEdit").setText(str(choose))  # as if typed
            done = dialog.accept
        else:
            return
        answered.append(dialog)
        QTimer.singleShot(0, done)  # after this returns: answering may open another dialog (replace the file?)

    timer = QTimer()
    timer.timeout.connect(answer)
    timer.start(20)
    try:
        yield seen
    finally:
        timer.stop()
