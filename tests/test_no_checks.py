"""Nothing checked is not ready: an installation whose checks cannot be found says so in every output."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from checks.report.export import render_html
from checks.report.model import build_report, fix_first_text
from checks.text.wording import say
from tests.conftest import ROOT

NOT_FOUND = say("verdict.nothing.not_found")


def test_a_report_without_a_single_check_is_not_ready_in_text_json_and_html():
    report = build_report([])

    assert report.overall == "not_ready"
    assert "no checks were found: the installation is incomplete" in NOT_FOUND
    assert report.headline() == NOT_FOUND
    assert report.render_text().splitlines()[-1] == NOT_FOUND
    data = json.loads(report.to_json())
    assert (data["overall"], data["headline"]) == ("not_ready", NOT_FOUND)
    html = render_html(report)
    assert NOT_FOUND in html and say("verdict.nothing.fix") in html
    assert say("report.nothing_to_fix") not in html
    assert fix_first_text(report) == say("verdict.nothing.fix")


def test_the_pdf_of_a_report_without_checks_says_not_ready(qapp, tmp_path):
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed; .ci/setup.sh test installs it")
    from app.export import write_pdf

    path = tmp_path / "report.pdf"
    write_pdf(build_report([]), path)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, timeout=60).stdout
    assert " ".join(NOT_FOUND.split()) in " ".join(text.split())


def _without_our_metadata(tmp_path: Path) -> Path:
    """A site folder with this checkout's packages and every installed one, but not this one's metadata."""
    site = tmp_path / "site"
    site.mkdir()
    for package in ("app", "checks", "assets"):
        (site / package).symlink_to(ROOT / package)
    purelib = Path(sysconfig.get_paths()["purelib"])
    for entry in purelib.iterdir():
        name = entry.name.lower()
        if name.startswith(("interview_ready", "__editable__")) or name.endswith(".pth"):
            continue
        (site / entry.name).symlink_to(entry)
    return site


def test_an_installation_without_its_metadata_is_not_ready_and_says_why(tmp_path):
    site = _without_our_metadata(tmp_path)
    code = (f"import sys; sys.path.append({str(site)!r}); from app.cli import main; "
            "sys.exit(main(sys.argv[1:]))")
    run = [sys.executable, "-S", "-c", code, "check", "--demo"]

    as_json = subprocess.run([*run, "--json"], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    as_text = subprocess.run(run, capture_output=True, text=True, timeout=120, cwd=tmp_path)

    assert as_json.returncode == 1, as_json.stderr
    report = json.loads(as_json.stdout)
    assert (report["overall"], report["headline"], report["checks"]) == ("not_ready", NOT_FOUND, [])
    assert as_text.returncode == 1, as_text.stderr
    assert as_text.stdout.strip().splitlines()[-1] == NOT_FOUND


def test_the_window_banner_says_the_installation_is_incomplete(qtbot):
    from PySide6.QtCore import Qt

    from app.cli import make_parser
    from app.session import resolve
    from app.window import MainWindow

    session = resolve(make_parser().parse_args(["--demo"]))
    session.checks.clear()
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.run_finished, timeout=30_000) as blocker:
        qtbot.mouseClick(window.run_button, Qt.MouseButton.LeftButton)

    assert blocker.args[0].overall == "not_ready"
    assert window.banner.text() == NOT_FOUND
