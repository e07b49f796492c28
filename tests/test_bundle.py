"""Smoke tests of the app ./build made, run as a candidate runs it: outside the virtual environment, with nothing
but a PATH, a home folder and an offscreen screen. Only with ``pytest --bundle dist/interview-ready`` (.ci/run)."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from checks.api import ENTRY_POINT_GROUP
from checks.config.profile import TEMPLATE
from checks.text.resources import tomllib
from checks.text.wording import ENGLISH, languages, say, say_n, set_language
from tests.conftest import ROOT

pytestmark = pytest.mark.bundle

SCHEMA = json.loads((ROOT / "assets" / "report.schema.json").read_text())


def builtin_check_ids() -> set[str]:
    """The check ids the package declares: its entry points in pyproject.toml."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return set(project["entry-points"][ENTRY_POINT_GROUP])


@pytest.fixture(scope="module")
def bundle(request) -> Path:
    folder = Path(request.config.getoption("--bundle")).resolve()
    program = folder / "interview-ready"
    assert program.is_file(), f"{program} is missing: run ./build first"
    return folder


@pytest.fixture
def run(bundle, tmp_path):
    """Run the bundled program in a bare environment (``env -i``) from an empty folder."""
    home = tmp_path / "home"
    home.mkdir()

    def run(*args: str, timeout: float = 120, program: Path | None = None,
            hidden: tuple[Path, ...] = ()) -> subprocess.CompletedProcess[str]:
        """``hidden`` files are covered with an empty one for this run only (a private mount namespace)."""
        env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
        command = ["env", "-i", *(f"{k}={v}" for k, v in env.items()), str(program or bundle / "interview-ready"),
                   *args]
        if hidden:
            empty = tmp_path / "empty"
            empty.write_bytes(b"")
            mounts = "".join(f"mount --bind {shlex.quote(str(empty))} {shlex.quote(str(path))} && "
                             for path in hidden)
            command = ["unshare", "--mount", "sh", "-c", mounts + shlex.join(command)]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=tmp_path)

    return run


def system_portaudio() -> Path | None:
    """The system's PortAudio library, as the dynamic linker's cache lists it."""
    ldconfig = shutil.which("ldconfig") or "/sbin/ldconfig"
    listing = subprocess.run([ldconfig, "-p"], capture_output=True, text=True, timeout=60).stdout
    for line in listing.splitlines():
        if line.strip().startswith("libportaudio.so.2 ") and "=>" in line:
            return Path(line.split("=>")[-1].strip()).resolve()
    return None


def test_the_demo_report_has_every_builtin_check_and_no_error(run):
    done = run("check", "--demo", "--json")

    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr
    report = json.loads(done.stdout)
    jsonschema.validate(report, SCHEMA)
    assert {c["id"] for c in report["checks"]} == builtin_check_ids()
    assert [c["id"] for c in report["checks"] if c["status"] == "error"] == []
    by_id = {c["id"]: c["status"] for c in report["checks"]}
    assert by_id["camera.device"] == by_id["mic.device"] == "pass"  # the bundled demo picture and recording


def test_list_checks_shows_every_builtin_check(run):
    done = run("list-checks")

    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines()[1:]]
    assert {row[0] for row in rows} == builtin_check_ids()
    assert all(row[-1] == "built-in" for row in rows)


@pytest.mark.parametrize("code", [code for code in languages() if code != ENGLISH])
def test_the_bundle_speaks_each_language_from_its_compiled_catalog(run, bundle, code):
    """The bundle carries each language's catalog compiled (``messages.mo``), not the ``.po`` translators edit, and
    says its verdict, plural form and all, from it."""
    locale = bundle / "_internal" / "assets" / "locale"
    assert (locale / code / "LC_MESSAGES" / "messages.mo").is_file()
    assert not list(locale.rglob("*.po")) and not list(locale.rglob("*.pot"))
    done = run("check", "--camera", "none", "--mic", "none", "--network", "none", "--screen", "none", "--only",
               "system.power", "--lang", code)
    assert done.returncode in (0, 1), done.stderr
    set_language(code)
    try:
        verdicts = {say("verdict.ready")} | {say_n(key, n) for key in ("verdict.warnings", "verdict.problems")
                                             for n in range(1, 10)}
    finally:
        set_language(ENGLISH)
    assert done.stdout.rstrip("\n").splitlines()[-1] in verdicts, done.stdout


def test_the_demo_window_picture_is_written(run, tmp_path):
    picture = tmp_path / "out.png"
    done = run("--demo", "--screenshot", str(picture))

    assert done.returncode == 0, done.stderr
    header = picture.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")
    assert width >= 400 and height >= 300


@pytest.mark.parametrize("args", [("--bogus",), ("check", "--only", "nothing.like.this"), ("check", "--camera")])
def test_a_bad_argument_exits_2_with_one_line(run, args):
    done = run(*args)

    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


def test_a_profile_given_as_the_argument_opens_the_window(run, tmp_path):
    profile = tmp_path / "acme.interview.toml"
    profile.write_text(TEMPLATE)
    picture = tmp_path / "out.png"

    done = run(str(profile), "--demo", "--screenshot", str(picture))

    assert done.returncode == 0, done.stderr
    assert picture.stat().st_size > 0


def test_a_strangers_broken_profile_stays_data(run, tmp_path):
    profile = tmp_path / "odd.interview.toml"
    profile.write_text('organisation = "Acme"\nplatform = zoom\n')

    done = run(str(profile))

    assert done.returncode == 2
    assert "--profile" in done.stderr and "line 2" in done.stderr and "Traceback" not in done.stderr


def test_the_bundle_uses_its_own_portaudio_when_the_system_has_none(run, bundle):
    library = system_portaudio()
    if library is None:
        pytest.skip("no system PortAudio to hide: the build needs libportaudio2")
    if subprocess.run(["unshare", "--mount", "true"], capture_output=True, timeout=60).returncode != 0:
        pytest.skip("a private mount namespace needs root (unshare --mount)")
    # the library's file and the linker's cache (which names it) both hidden, as on a system without the package
    hidden = (library, Path("/etc/ld.so.cache"))
    assert (bundle / "_internal" / "libportaudio.so.2").is_file()

    without = run("-c", "import sounddevice", program=Path(sys.executable), hidden=hidden)
    assert without.returncode != 0 and "PortAudio library not found" in without.stderr  # the hiding works
    done = run("check", "--camera", "none", "--mic", "auto", "--network", "none", "--screen", "none",
               "--only", "mic.device", "--json", hidden=hidden)
    listed = run("list-devices", "--json", hidden=hidden)

    assert done.returncode in (0, 1), done.stderr
    [mic] = json.loads(done.stdout)["checks"]
    assert mic["details"].get("reason") != "mic.no_portaudio", mic  # PortAudio loaded: found a microphone or none
    assert mic["status"] != "error", mic
    assert listed.returncode == 0 and set(json.loads(listed.stdout)) == {"cameras", "microphones", "speakers"}


def test_install_desktop_entry_registers_the_app_and_the_profile_type(bundle, tmp_path):
    data = tmp_path / "data"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_DATA_HOME": str(data)}

    done = subprocess.run([str(bundle / "install-desktop-entry")], env=env, capture_output=True, text=True, timeout=60)

    assert done.returncode == 0, done.stderr
    entry = data / "applications" / "interview-ready.desktop"
    assert f'Exec="{bundle}/interview-ready" %f' in entry.read_text().splitlines()
    if shutil.which("desktop-file-validate"):
        checked = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, text=True, timeout=60)
        assert checked.returncode == 0 and not checked.stdout.strip(), checked.stdout
    if shutil.which("update-mime-database"):
        globs = (data / "mime" / "globs2").read_text()
        assert "application/x-interview-ready-profile:*.interview.toml" in globs


def test_the_bundle_is_under_250_mb_with_its_small_opencv(bundle):
    # OpenCV with only the modules the app uses (bundle/opencv_wheel.py): none of FFmpeg, OpenBLAS or their codecs
    files = [p for p in bundle.rglob("*") if p.is_file() and not p.is_symlink()]
    names = {p.name for p in files}
    assert not [n for n in names if n.startswith(("libavcodec", "libavformat", "libswscale", "libopenblas", "libaom"))]
    assert sum(p.stat().st_size for p in files) < 250e6


def test_a_webcams_motion_jpeg_video_is_read_and_another_format_is_named(run, tmp_path):
    from tests.support import scenes

    frames = list(scenes.sitting_still(scenes.wall(640, 360), 10, noise=2.5))
    scenes.write_video(tmp_path / "clip.avi", frames, fourcc="MJPG")  # written with the venv's OpenCV (FFmpeg)
    scenes.write_video(tmp_path / "clip.mp4", frames, fourcc="mp4v")
    common = ("check", "--mic", "none", "--network", "none", "--screen", "none", "--only", "camera.device", "--json")

    motion_jpeg = run(*common, "--camera", str(tmp_path / "clip.avi"))
    mpeg4 = run(*common, "--camera", str(tmp_path / "clip.mp4"))

    [read] = json.loads(motion_jpeg.stdout)["checks"]
    assert read["status"] == "pass", read
    [named] = json.loads(mpeg4.stdout)["checks"]
    assert named["status"] == "fail" and named["details"]["reason"] == "camera.video_format", named
    assert "Motion JPEG" in named["summary"] and "Traceback" not in mpeg4.stderr
