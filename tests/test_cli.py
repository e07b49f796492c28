"""The command line in subprocesses, as users and other tools call it: exit codes, JSON schema, --only, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import jsonschema
import pytest

from checks.text.wording import say
from tests.conftest import DEMO, ROOT, run_cli

SCHEMA = json.loads((ROOT / "assets" / "report.schema.json").read_text())
NO_DEVICES = ("--camera", "none", "--mic", "none", "--network", "none")


def _report(stdout: str) -> dict:
    report = json.loads(stdout)
    jsonschema.validate(report, SCHEMA)
    return report


def test_json_report_with_no_devices_is_valid_and_ready():
    done = run_cli("check", *NO_DEVICES, "--json")
    assert done.returncode == 0, done.stderr
    report = _report(done.stdout)
    assert report["schema"] == "interview-ready/report@1"
    assert report["overall"] in ("ready", "warnings")
    statuses = {c["id"]: c["status"] for c in report["checks"]}
    assert statuses["camera.device"] == statuses["mic.device"] == "skip"
    assert done.stderr == ""


def test_text_report_is_doctor_style_with_a_closing_verdict(tmp_path):
    missing = tmp_path / "nobody.png"
    done = run_cli("check", "--camera", str(missing), "--mic", str(DEMO / "speech.wav"), "--network", "none")
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[-1] == "Not ready: 1 problem"
    assert f"  [✗] Camera: There is no picture or video file at {missing}." in lines
    assert any(line == "  [✓] Microphone: speech.wav works (48 kHz, mono)." for line in lines)
    assert "      • Check the file name given with --camera." in lines
    assert "\033[" not in done.stdout  # no colour codes when not on a terminal


def test_lang_fr_gives_the_text_and_the_saved_reports_in_french(tmp_path):
    missing = tmp_path / "personne.png"
    page = tmp_path / "rapport.html"
    done = run_cli("--lang", "fr", "check", "--camera", str(missing), "--mic", str(DEMO / "speech.wav"), "--network",
                   "none", "--report", str(page))
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[-1] == "Pas encore prêt\u00a0: 1 problème"
    # French typography: a no-break space before the colon, where the code joins a title to its sentence too
    assert f"  [✗] Caméra\u00a0: Il n’y a pas de fichier d’image ou de vidéo à l’emplacement {missing}." in lines
    assert "  [✓] Micro\u00a0: speech.wav fonctionne (48 kHz, mono)." in lines
    assert "      • Vérifiez le nom de fichier indiqué avec --camera." in lines
    html = page.read_text()
    assert '<html lang="fr">' in html and "Pas encore prêt" in html and "Rapport de préparation à l’entretien" in html


def test_the_text_report_starts_with_the_interview(tmp_path):
    from checks.config.profile import TEMPLATE

    profile = tmp_path / "acme.toml"
    profile.write_text(TEMPLATE)
    done = run_cli("check", *NO_DEVICES, "--only", "system.power", "--profile", str(profile))
    lines = done.stdout.splitlines()
    assert lines[0] == say("report.interview_with", organisation="Acme Hiring")
    starts = next(line for line in lines if line.startswith("Starts "))
    assert "(your time)" in starts and lines.index(starts) < lines.index("This computer")
    assert any(line.endswith("https://teams.microsoft.com/l/meetup-join/123") for line in lines)


def test_demo_media_pass_and_report_file_matches_stdout(tmp_path):
    out = tmp_path / "report.json"
    done = run_cli("check", "--demo", "--json", "--report", str(out))
    assert done.returncode == 0, done.stderr
    printed, saved = _report(done.stdout), _report(out.read_text())
    assert printed == saved
    assert {c["id"]: c["status"] for c in saved["checks"]}["camera.device"] == "pass"


def test_only_takes_ids_and_patterns():
    done = run_cli("check", *NO_DEVICES, "--json", "--only", "system.*,camera.device")
    ids = [c["id"] for c in _report(done.stdout)["checks"]]
    assert ids == ["camera.device", "system.cpu", "system.power"]


BAD_ARGUMENTS = [
    (("--only", "camera.nonexistent"), "camera.nonexistent"),
    (("--only", "wifi.*"), "wifi.*"),
    (("--stun", "stun.example.org:99999"), "--stun"),
    (("--stun", "not a host:3478"), "--stun"),
    (("--stun", "[zz::1]:3478"), "--stun"),
    (("--server", "ftp://speed.example.org/"), "--server"),
    (("--server", "https:///nohost"), "--server"),
    (("--server", "http://speed.example.org:0/"), "--server"),
    (("--network", "carrier-pigeon"), "--network"),
    (("--camera", "frontcam"), "--camera"),
    (("--report", "out.txt"), "--report"),
    (("--report", "/no/such/folder/out.json"), "--report"),
    (("--profile", "/no/such/profile.toml"), "--profile"),
    (("--bogus",), "--bogus"),
    (("--snapshot",), "--snapshot"),  # a snapshot is kept only in a saved report
]
GOOD_STUN = ["stun.example.org", "stun.example.org:19302", "[::1]:3478", "127.0.0.1:3478"]


def _good_stun_args(stun: str) -> tuple[str, ...]:
    return ("check", *NO_DEVICES, "--only", "system.power", "--stun", stun,
            "--server", "https://speed.example.org:8443/librespeed/")


@pytest.fixture(scope="module")
def argument_runs() -> dict[tuple[str, ...], subprocess.CompletedProcess[str]]:
    """The runs of the argument tests below, a process each, several at a time: none of them waits for a clock
    (bad arguments end before any check starts; the good ones run only system.power)."""
    commands = [("check", *NO_DEVICES, *args) for args, _ in BAD_ARGUMENTS] + [_good_stun_args(s) for s in GOOD_STUN]
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(commands, pool.map(lambda command: run_cli(*command), commands), strict=True))


@pytest.mark.parametrize(("args", "named"), BAD_ARGUMENTS)
def test_bad_arguments_exit_2_with_one_line_naming_them(argument_runs, args, named):
    done = argument_runs[("check", *NO_DEVICES, *args)]
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0] and "Traceback" not in done.stderr


def test_a_malformed_profile_names_the_line(tmp_path):
    profile = tmp_path / "acme.toml"
    profile.write_text('organisation = "Acme"\nplatform = zoom\n')
    done = run_cli("check", *NO_DEVICES, "--profile", str(profile))
    assert done.returncode == 2 and "line 2" in done.stderr and str(profile) in done.stderr


def test_a_profile_overrides_thresholds_and_names_the_report(tmp_path):
    profile = tmp_path / "acme.toml"
    profile.write_text('organisation = "Acme Hiring"\n[thresholds."system.cpu"]\nwarn_percent = 0\n')
    done = run_cli("check", *NO_DEVICES, "--json", "--only", "system.cpu", "--profile", str(profile))
    report = _report(done.stdout)
    assert report["profile"] == "Acme Hiring"
    assert report["checks"][0]["status"] == "warn"  # everything is "busy" at a threshold of 0 %
    assert report["overall"] == "warnings" and done.returncode == 0


@pytest.mark.parametrize("stun", GOOD_STUN)
def test_good_stun_and_server_arguments_are_accepted(argument_runs, stun):
    done = argument_runs[_good_stun_args(stun)]
    assert done.returncode == 0, done.stderr


def test_list_checks_shows_the_builtins():
    done = run_cli("list-checks")
    assert done.returncode == 0
    rows = [line.split() for line in done.stdout.splitlines()]
    assert rows[0] == ["ID", "TITLE", "CATEGORY", "ORIGIN"]
    assert ["camera.device", "Camera", "camera", "built-in"] in rows
    assert ["system.cpu", "Processor", "load", "system", "built-in"] in rows


def test_the_check_command_does_not_load_qt():
    code = ("import sys; from app.cli import main; rc = main(['check', '--camera', 'none', '--mic', 'none', "
            "'--network', 'none', '--only', 'system.power', '--json']); "
            "assert not [m for m in sys.modules if m.startswith('PySide6')], 'Qt was imported'; sys.exit(rc)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr


def test_version():
    done = run_cli("--version")
    assert done.returncode == 0 and done.stdout.startswith("interview-ready ")


def test_the_window_without_a_screen_says_so_instead_of_crashing():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = ""
    done = subprocess.run([sys.executable, "-m", "app", "--demo"], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=60)
    assert done.returncode == 2 and "no screen was found" in done.stderr and "Traceback" not in done.stderr
