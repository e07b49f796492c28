"""The PDF report in a language 40 % longer (the pseudo-language), and in French: no line of text runs out of its box,
on a report made by the real checks on the demo media with a recruiter's profile (interview, backup channels,
checklist)."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QTextDocument

from app.cli import make_parser
from app.export import print_document
from app.session import resolve
from checks.config.profile import TEMPLATE
from checks.engine.runner import Runner
from checks.report.model import build_report
from checks.text.wording import ENGLISH, PSEUDO, set_language

A4_TEXT_WIDTH_PX = (210 - 2 * 15) / 25.4 * 96  # the PDF's A4 page less its 15 mm margins, at the screen's 96 dpi


def overflowing(document: QTextDocument, width: float) -> list[str]:
    """Every line of ``document``, laid out ``width`` wide, that runs out of its box: wider than the line it was given
    (a cell, a paragraph), or past the page's right edge (a table or a cell that would not wrap)."""
    document.setTextWidth(width)
    document.size()  # laid out now
    found = []
    block = document.begin()
    while block.isValid():
        left = document.documentLayout().blockBoundingRect(block).left()
        layout = block.layout()
        for i in range(layout.lineCount()):
            line = layout.lineAt(i)
            text = block.text()[line.textStart():line.textStart() + line.textLength()].strip()
            if text and (line.naturalTextWidth() > line.width() + 0.5
                         or left + line.x() + line.naturalTextWidth() > width + 0.5):
                found.append(text[:30])
        block = block.next()
    return found


@pytest.fixture
def report(request, tmp_path):
    profile = tmp_path / "acme.toml"
    profile.write_text(TEMPLATE.replace("<script>", ""), encoding="utf-8")
    set_language(getattr(request, "param", PSEUDO))  # the pseudo-language, or a real language named by the test
    session = resolve(make_parser().parse_args(["--demo", "--network", "none", "--profile", str(profile),
                                                "--only", "camera.*,mic.device,mic.level,system.*"]))
    results = Runner(session.checks, session.config).run()
    yield build_report(results, session.profile, session.config.thresholds)
    set_language(ENGLISH)


def test_no_line_of_the_pdf_report_in_a_language_40_percent_longer_runs_out_of_its_box(qapp, report):
    document = print_document(report)
    assert overflowing(document, A4_TEXT_WIDTH_PX) == []
    assert "~]" in document.toPlainText() and document.size().width() <= A4_TEXT_WIDTH_PX + 1
    assert len(document.toPlainText()) > 2000  # the whole report: checks, interview, plan B, checklist


@pytest.mark.parametrize("report", ["fr"], indirect=True)
def test_no_line_of_the_pdf_report_in_french_runs_out_of_its_box(qapp, report):
    document = print_document(report)
    assert overflowing(document, A4_TEXT_WIDTH_PX) == [] and document.size().width() <= A4_TEXT_WIDTH_PX + 1
    assert "Rapport de préparation à l’entretien" in document.toPlainText()


def test_the_overflow_finder_sees_text_that_will_not_wrap(qapp):
    document = QTextDocument()
    document.setHtml("<p>A sentence that wraps at spaces as it should, however long it grows on the page.</p>"
                     "<table><tr><td class='x' style='white-space: nowrap'>" + "word " * 60 + "</td></tr></table>")
    assert overflowing(document, 300) == [("word\N{NO-BREAK SPACE}" * 6)[:30]]
    document.setHtml("<p>A sentence that wraps at spaces as it should, however long it grows on the page.</p>")
    assert overflowing(document, 300) == []
