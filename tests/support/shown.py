"""A run's results as the candidate sees them after the command line's text and JSON: in the real window (its check
page's banner, rows, step card and details, and its report tab) and in the PDF the window exports. The fault tests
hand their run's results here, so that a fault told as one problem in the JSON is told as one problem everywhere."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from checks.api import CheckResult, Guide, Series
from checks.report.steps import STEPS
from checks.text.wording import labelled, say, say_n

PROBLEM = ("fail", "error")
KEPT = {f.name for f in dataclasses.fields(CheckResult)} - {"series", "picture"}


def results_from_json(report: Mapping[str, Any]) -> list[CheckResult]:
    """The results of a saved JSON report (``interview-ready check --report x.json``), as the run made them: what a
    test that runs the command line has of its run."""
    made = []
    for check in report["checks"]:
        series = tuple(Series(s["label"], s["x_unit"], s["y_unit"], tuple(map(tuple, s["points"])),
                              tuple(Guide(g["value"], g["label"]) for g in s["guides"])) for s in check["series"])
        fields = {k: v for k, v in check.items() if k in KEPT}  # not what the report adds ("required")
        made.append(CheckResult(**fields, series=series))
    return made


def squashed(text: str) -> str:
    """``text`` without its spaces and line breaks, as a PDF's text is compared (it breaks lines where it likes); NFKC
    turns the PDF's "ﬁ" ligatures back into letters."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def pdf_text(path: Path) -> str | None:
    """The PDF's words, :func:`squashed` (None without pdftotext: .ci/setup.sh test installs it)."""
    if shutil.which("pdftotext") is None:
        return None
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, timeout=60, check=True)
    return squashed(done.stdout)


def assert_told_once_in_window_and_pdf(qtbot, tmp_path: Path, results: Iterable[CheckResult], cause: str,
                                       headline: str, attentions: int = 0) -> None:
    """The run's ``results`` shown in the real window as a run's end shows them, and exported as its PDF: one
    problem, ``cause``, whose step card says ``headline`` (what happened) and whose sentence the details, the report
    tab and the PDF show; the banner says "Not ready: 1 problem" in each; the PDF's fixes are that one and
    ``attentions`` more."""
    from app.cli import make_parser
    from app.session import resolve
    from app.window import MainWindow

    results = list(results)
    told = next(r for r in results if r.id == cause)
    args = ["--camera", "none", "--mic", "none", "--network", "none", "--only", ",".join(r.id for r in results)]
    window = MainWindow(resolve(make_parser().parse_args(args)))
    qtbot.addWidget(window)
    window.controller._finished(results, remember=False)  # the controller's end of a run, with this run's results
    page, verdict = window.page, say_n("verdict.problems", 1)
    assert window.report is not None and window.report.headline() == verdict
    assert page.banner.text() == verdict and told.advice[-1] in page.fix_first.text()
    problems = [item.data(0, Qt.ItemDataRole.UserRole) for item in page.items
                if item.data(1, Qt.ItemDataRole.AccessibleTextRole) in [say(f"status.{s}") for s in PROBLEM]]
    assert problems == [cause]
    assert told.summary in page.details.toPlainText()  # the row of the fix first is the one selected
    (step,) = [step for step, categories in STEPS if told.category in categories]
    cards = {name: card.summary for name, card in page.cards.items() if card.summary is not None}
    assert cards[step].headline == headline and page.cards[step].headline.text() == headline
    assert [r.id for summary in cards.values() for r in summary.problems if r.status.is_problem] == [cause]
    shown = [label.text() for label in window.report_view.findChildren(QLabel)]
    assert window.report_view.banner.text() == verdict and any(text.startswith(told.summary) for text in shown)
    rows = [text for text in shown for r in results for s in PROBLEM  # "Title: Problem", then a figure if any
            if text.startswith(labelled(r.title, say(f"status.{s}")))]
    assert len(rows) == 1 and rows[0].startswith(told.title), rows
    pdf = tmp_path / "report.pdf"
    assert window.export_to(pdf)
    printed = pdf_text(pdf)
    if printed is not None:
        assert squashed(verdict) in printed and squashed(told.summary) in printed
        assert squashed(told.advice[-1]) in printed
        fixes, table = printed.split(squashed(say("report.checks")), 1)  # the fixes first, then every check's row
        marks = [squashed(f"[{say('status_mark.' + s)}] {say('status.' + s)}") for s in PROBLEM]
        assert sum(table.count(mark) for mark in marks) == 1  # one row: its title and sentence are further on
        assert sum(fixes.count(mark) for mark in marks) <= 1 and f"{attentions + 2}.[" not in fixes
