"""Exports through the command line, as users run them: PDF (read back with pdftotext), HTML, JSON, history."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import unicodedata
from concurrent.futures import ThreadPoolExecutor

import jsonschema
import pytest

from checks.config.profile import TEMPLATE
from tests.conftest import ROOT, run_cli

SCHEMA = json.loads((ROOT / "assets" / "report.schema.json").read_text())
NO_DEVICES = ("--camera", "none", "--mic", "none", "--network", "none")
HOSTILE = (TEMPLATE.replace('organisation = "Acme Hiring"', 'organisation = "Acme <script>alert(1)</script> & Co"')
           .replace("# required = ", "required = "))  # the template's example of required checks, taken up


def _pdf_text(path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed; .ci/setup.sh test installs it")
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return unicodedata.normalize("NFKC", done.stdout)  # the typeface's ligatures (ﬁ) as the letters they join


@pytest.fixture(scope="module")
def profile(tmp_path_factory):
    path = tmp_path_factory.mktemp("profile") / "P.toml"
    path.write_text(HOSTILE)
    return path


@pytest.fixture(scope="module")
def profile_checks(profile) -> list[dict]:
    """The checks of a run with the profile, as JSON: one run, for the tests that look for each of them."""
    done = run_cli("check", *NO_DEVICES, "--profile", str(profile), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    jsonschema.validate(report, SCHEMA)
    return report["checks"]


@pytest.mark.slow
def test_the_pdf_shows_the_verdict_every_check_and_the_backup_channels(tmp_path, profile, profile_checks):
    out = tmp_path / "out.pdf"
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    done = subprocess.run([sys.executable, "-m", "app", "check", *NO_DEVICES,
                           "--profile", str(profile), "--report", str(out)],
                          capture_output=True, text=True, env={**env, "NO_COLOR": "1"}, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"%PDF")
    text = "".join(_pdf_text(out).split())  # without white space: lines wrap anywhere

    def shown(words: str) -> bool:
        return "".join(words.split()) in text

    assert shown("[✓] Ready") and shown("Interview readiness report")
    for check in profile_checks:
        assert shown(check["title"]), check["title"]
    for channel in ("+44 20 7946 0000,,123456#", "+44 20 7946 0001", "https://meet.example.com/acme-backup"):
        assert shown(channel), channel
    assert shown("Acme <script>alert(1)</script> & Co")  # shown as text, never taken as markup
    assert shown("Your phone is charged") and shown("Before the interview")
    assert shown("For information")  # the profile requires only some checks


def test_the_html_is_escaped_and_shows_the_same_report(tmp_path, profile, profile_checks):
    out = tmp_path / "out.html"
    done = run_cli("check", *NO_DEVICES, "--profile", str(profile), "--report", str(out))
    assert done.returncode == 0, done.stderr
    page = out.read_text()
    assert "<script>" not in page and "Acme &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in page
    assert '<a href="https://teams.microsoft.com/l/meetup-join/123">' in page and "tel:+442079460001" in page
    for check in profile_checks:
        assert str(check["title"]) in page
    assert "<img" not in page and "<audio" not in page and "base64" not in page  # no picture, no sound


def test_the_json_report_holds_the_profile(tmp_path, profile):
    out = tmp_path / "out.json"
    done = run_cli("check", *NO_DEVICES, "--profile", str(profile), "--report", str(out), "--only", "system.*")
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    jsonschema.validate(report, SCHEMA)
    assert report["profile"] == "Acme <script>alert(1)</script> & Co"
    assert [c["link"] for c in report["backup_channels"]] == [
        "tel:+442079460000,,123456#", "tel:+442079460001", "https://meet.example.com/acme-backup"]
    assert report["interview"]["platform"] == "teams" and report["reminders"] and report["checklist"]
    assert all(c["required"] is False for c in report["checks"])  # system.* is not among the required checks
    # what the profile requires was not checked at all: never the plain "Ready"
    assert report["not_checked"] == ["camera.*", "mic.*", "network.*"]
    assert report["headline"] == "Ready — but not checked: your camera, your microphone, your connection"


def test_history_only_with_remember(tmp_path):
    env = {"XDG_DATA_HOME": str(tmp_path / "data")}
    done = run_cli("check", *NO_DEVICES, "--only", "system.power", "--json", env=env)
    assert done.returncode == 0 and not (tmp_path / "data").exists()  # nothing is kept unless asked
    for _ in range(2):
        done = run_cli("check", *NO_DEVICES, "--only", "system.power", "--json", "--remember", env=env)
        assert done.returncode == 0, done.stderr
    history = json.loads((tmp_path / "data" / "interview-ready" / "history.json").read_text())
    assert len(history) == 2 and set(history[0]["checks"]) == {"system.power"}
    assert json.loads(done.stdout)["changes"] == []  # same machine, same power: nothing changed


def test_an_unknown_report_suffix_is_a_usage_error(tmp_path):
    done = run_cli("check", *NO_DEVICES, "--report", str(tmp_path / "out.docx"))
    assert done.returncode == 2 and ".json, .html, .pdf" in done.stderr


def _pdf_images(path) -> list[tuple[int, int]]:
    """The (width, height) of every image in a PDF, from poppler's pdfimages."""
    done = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines()[2:] if line.strip()]
    return [(int(row[3]), int(row[4])) for row in rows]


def _demo_exports(tmp_path, *extra: str) -> dict[str, object]:
    """The demo media's report saved as JSON, HTML and PDF, a run each, as users make them (the demo media give the
    same results every time), the three at the same time."""
    out = {suffix: tmp_path / f"demo{len(extra)}.{suffix}" for suffix in ("json", "html", "pdf")}
    with ThreadPoolExecutor(max_workers=3) as pool:
        runs = pool.map(lambda path: run_cli("check", "--demo", "--only", "camera.*,mic.*", "--report", str(path),
                                             *extra), out.values())
        for done in runs:
            assert done.returncode == 0, done.stderr
    return out


@pytest.mark.slow
def test_plots_in_every_export_and_the_snapshot_only_when_asked_for(tmp_path):
    from checks.text.wording import say

    if shutil.which("pdfimages") is None:
        pytest.skip("pdfimages (poppler-utils) is not installed; .ci/setup.sh test installs it")
    plain, snap = _demo_exports(tmp_path), _demo_exports(tmp_path, "--snapshot")
    for made, with_picture in ((plain, False), (snap, True)):
        report = json.loads(made["json"].read_text())
        jsonschema.validate(report, SCHEMA)
        checks = {c["id"]: c for c in report["checks"]}
        assert [i for i, c in checks.items() if c["series"]] == ["mic.level"]
        assert [i for i, c in checks.items() if "picture" in c] == (["camera.framing"] if with_picture else [])

        page = made["html"].read_text()
        assert page.count("<svg") == 1 and say("plot.title", title="Speech level") in page
        assert ("data:image/jpeg;base64," in page) is with_picture
        assert (say("picture.title") in page) is with_picture
        note = say("report.export_note_picture" if with_picture else "report.export_note")
        assert note in page

        images = _pdf_images(made["pdf"])
        plot = (1120, 360)  # the 560×180 plot drawn at twice its size for print
        assert images == ([(480, 270), plot] if with_picture else [plot])
        text = "".join(_pdf_text(made["pdf"]).split())
        assert "".join(say("plot.title", title="Speech level").split()) in text
        assert ("".join(say("picture.title").split()) in text) is with_picture
