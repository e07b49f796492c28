"""Exports that need Qt: the PDF (the same HTML as the .html export, laid out by QTextDocument and written by
QPdfWriter), "Send to recruiter" (save PDF and JSON, then a mail draft the user sends) and "Copy summary".

Nothing is sent by itself: :func:`send_to_recruiter` returns the ``mailto:`` link, and the window shows it and opens
it only when the user asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QByteArray, QMarginsF, QUrl
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QGuiApplication,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)
from PySide6.QtSvg import QSvgRenderer

from app.lockdown import opening_refused
from checks.report.export import Figure, figures, has_picture, mailto_url, render_html, summary_text
from checks.report.model import Report
from checks.storage.files import replacing, write_atomically
from checks.text.wording import say


def _ensure_app() -> None:
    if QGuiApplication.instance() is None:
        # lives as long as the process; QTextDocument needs the font database
        _ensure_app.app = QGuiApplication([])  # type: ignore[attr-defined]


def figure_image(figure: Figure, scale: float = 2.0) -> QImage:
    """A plot (its SVG drawn by Qt's SVG renderer) or a picture as an image, ``scale`` times its size for print."""
    if figure.jpeg is not None:
        return QImage.fromData(figure.jpeg, "JPG")
    image = QImage(round(figure.width * scale), round(figure.height * scale), QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    QSvgRenderer(QByteArray((figure.svg or "").encode("utf-8"))).render(painter)
    painter.end()
    return image


def print_document(report: Report, now: datetime | None = None) -> QTextDocument:
    """The report laid out for paper (the PDF, and the kiosk's Print): the HTML page with its figures as images."""
    document = QTextDocument()
    for figure in (f for r in report.results for f in figures(r)):
        document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(figure.name), figure_image(figure))
    document.setHtml(render_html(report, now, for_print=True))
    return document


def write_pdf(report: Report, path: Path, now: datetime | None = None) -> None:
    """Write the report as an A4 PDF: words, plots, and the camera snapshot only when the user opted in (it is then
    in the report, and the file is the user's alone). Qt's writer fails without a word (a full disk leaves an empty
    file): :func:`checks.storage.files.replacing` reads the PDF back and raises :class:`checks.storage.files.NotSaved`
    unless it is whole, and the old file stays."""
    _ensure_app()
    with replacing(Path(path), private=has_picture(report)) as tmp:
        writer = QPdfWriter(str(tmp))
        writer.setTitle(say("report.summary_title", headline=report.headline()))  # in the report's language
        writer.setCreator(say("ui.app_name"))
        writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                         QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter))
        document = print_document(report, now)
        document.print_(writer)  # paginates a copy at the writer's page size and resolution
        del writer  # finishes the file


@dataclass(frozen=True)
class Sent:
    """What "Send to recruiter" did: the files it saved and the mail draft link (None without an address)."""

    pdf: Path
    json: Path
    mailto: str | None


def send_to_recruiter(report: Report, folder: Path, stem: str = "interview-ready-report") -> Sent:
    """Save the report as PDF and JSON in ``folder`` and build the mail draft link; sends nothing."""
    folder = Path(folder)
    pdf, json_file = folder / f"{stem}.pdf", folder / f"{stem}.json"
    write_pdf(report, pdf)
    write_atomically(json_file, report.to_json() + "\n", private=has_picture(report))
    return Sent(pdf, json_file, mailto_url(report, (pdf, json_file)))


def open_mail_draft(sent: Sent) -> bool:
    """Open the user's mail program with the draft (the user reviews, attaches and sends it; never in kiosk
    mode)."""
    return bool(sent.mailto) and not opening_refused() and QDesktopServices.openUrl(QUrl(sent.mailto))


def copy_summary(report: Report) -> str:
    """Put the summary on the clipboard; returns the text."""
    text = summary_text(report)
    QGuiApplication.clipboard().setText(text)
    return text
