"""Packaging: the sdist and wheel install cleanly and run in a fresh venv; the bundle's spec, its platform files
and the workflow that builds the three platforms' apps are valid (they cannot all run here: see README "Build")."""

from __future__ import annotations

import ast
import json
import plistlib
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
import yaml

from bundle.platform_files import PROFILE_GLOB, PROFILE_MIME, desktop_entry, info_plist, mime_xml
from checks import __version__
from checks.api import ENTRY_POINT_GROUP
from checks.text.resources import tomllib
from checks.text.wording import languages, say, set_language
from tests.conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "bundles.yml"
SPEC = ROOT / "bundle" / "interview-ready.spec"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
NOISE = re.compile(r"deprecat|BuildBackendWarning|SetuptoolsWarning|!!|Traceback", re.IGNORECASE)


def _repo_paths(text: str) -> set[str]:
    """The repository files a command line names (bundle/…, tests/…)."""
    return set(re.findall(r"\b(?:bundle|tests|\.ci)/[\w./-]+\.\w+", text))


def test_the_workflow_builds_the_three_platforms_and_uploads_each():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert {"push", "pull_request", "workflow_dispatch"} <= set(triggers)
    (job,) = workflow["jobs"].values()
    platforms = job["strategy"]["matrix"]["include"]
    assert sorted(p["os"].split("-")[0] for p in platforms) == ["macos", "ubuntu", "windows"]
    assert len({p["artifact"] for p in platforms}) == 3
    assert job["runs-on"] == "${{ matrix.os }}"
    steps = job["steps"]
    for step in steps:
        assert isinstance(step, dict) and len({"uses", "run"} & set(step)) == 1, step
        if "run" in step:
            assert isinstance(step["run"], str) and step["run"].strip(), step
    uses = [s["uses"].split("@")[0] for s in steps if "uses" in s]
    assert uses[0] == "actions/checkout" and uses[-1] == "actions/upload-artifact"
    assert "${{ matrix.artifact }}" in steps[-1]["with"]["name"]
    commands = "\n".join(s["run"] for s in steps if "run" in s)
    assert "bundle/interview-ready.spec" in commands and "--bundle dist/interview-ready" in commands
    for path in _repo_paths(commands):
        assert (ROOT / path).is_file(), path
    extras = set(re.search(r'install "\.\[([\w,]+)\]"', commands).group(1).split(","))
    assert extras <= set(PYPROJECT["project"]["optional-dependencies"])


def test_the_spec_is_python_that_names_existing_files():
    tree = ast.parse(SPEC.read_text(), str(SPEC))
    calls = {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    assert {"Analysis", "PYZ", "EXE", "COLLECT", "BUNDLE", "copy_metadata"} <= calls
    literals = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    assert PYPROJECT["project"]["name"] in literals  # its metadata holds the built-in checks' entry points
    for part in ("launcher.py", "portaudio_hook.py", "install-desktop-entry"):
        assert part in literals and list(ROOT.glob(f"bundle/**/{part}")), part


def test_the_macos_info_plist_asks_for_the_camera_and_the_microphone():
    plist = plistlib.loads(plistlib.dumps(info_plist(__version__)))

    assert plist["NSCameraUsageDescription"] == say("bundle.camera_usage")
    assert plist["NSMicrophoneUsageDescription"] == say("bundle.microphone_usage")
    assert plist["CFBundleShortVersionString"] == __version__
    assert plist["CFBundleDocumentTypes"][0]["CFBundleTypeExtensions"] == ["toml"]


def test_the_linux_desktop_entry_is_valid_and_opens_profiles(tmp_path):
    entry = tmp_path / "interview-ready.desktop"
    entry.write_text(desktop_entry().replace("@BUNDLE@", str(tmp_path / "Interview Ready")))

    fields = dict(line.split("=", 1) for line in entry.read_text().splitlines()[1:])
    assert fields["MimeType"] == f"{PROFILE_MIME};"
    assert fields["Exec"] == f'"{tmp_path}/Interview Ready/interview-ready" %f'
    if shutil.which("desktop-file-validate") is None:
        pytest.skip("desktop-file-validate (desktop-file-utils) is not installed; .ci/setup.sh test installs it")
    done = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout


def test_the_profile_mime_type_is_recognised_by_its_double_suffix(tmp_path):
    namespace = "{http://www.freedesktop.org/standards/shared-mime-info}"
    root = ET.fromstring(mime_xml())
    (kind,) = root.findall(f"{namespace}mime-type")
    assert kind.get("type") == PROFILE_MIME
    assert kind.find(f"{namespace}glob").get("pattern") == PROFILE_GLOB
    if shutil.which("update-mime-database") is None:
        pytest.skip("update-mime-database (shared-mime-info) is not installed; .ci/setup.sh test installs it")
    (tmp_path / "packages").mkdir()
    (tmp_path / "packages" / "interview-ready-profile.xml").write_text(mime_xml())
    done = subprocess.run(["update-mime-database", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert f"{PROFILE_MIME}:{PROFILE_GLOB}" in (tmp_path / "globs2").read_text()


GENERATED = {".git", ".venv", ".venv-bundle", ".build", "dist", ".pytest_cache", ".ruff_cache"}
"""What lies at the checkout's top level and is no part of its sources (and ``build/``, ``*.egg-info``)."""


def _checkout_copy(dest: Path) -> Path:
    """The checkout's sources copied to ``dest``, to build and install from. Building writes beside the sources
    (``interview_ready.egg-info``, ``build/``), and the suite's other processes read the checkout's metadata while
    this test runs: its ``.egg-info`` comes first on their ``sys.path``, and half rewritten it once hid every
    built-in check from a profile being read (``'network.*' matches no installed check``)."""

    def generated(folder: str, names: list[str]) -> set[str]:
        def made(name: str) -> bool:
            if name == "__pycache__" or name.endswith(".egg-info"):
                return True
            return Path(folder) == ROOT and (name in GENERATED or (name == "build" and (ROOT / name).is_dir()))

        return {name for name in names if made(name)}

    return Path(shutil.copytree(ROOT, dest, ignore=generated, symlinks=True))


@pytest.mark.slow
def test_the_sdist_the_wheel_and_the_checkout_install_cleanly_and_run_the_demo_in_a_fresh_venv(tmp_path):
    venv = tmp_path / "venv"
    checkout = _checkout_copy(tmp_path / "interview-ready")
    # An empty venv, made while the packages build: this venv's pip installs into it (pip --python), so that
    # nothing but the app and what it depends on is ever there. Python compiles what the demo imports when it runs;
    # pip's compiling of every file of every dependency beforehand proves nothing more and takes longer than copying.
    making = subprocess.Popen([sys._base_executable, "-m", "venv", "--without-pip", str(venv)])
    built = subprocess.run([sys.executable, "-m", "build", "--outdir", str(tmp_path / "dist"), str(checkout)],
                           capture_output=True, text=True, timeout=600)
    assert making.wait(300) == 0
    assert built.returncode == 0, built.stderr
    assert not NOISE.search(built.stdout + built.stderr), NOISE.search(built.stdout + built.stderr)
    (sdist,) = (tmp_path / "dist").glob("*.tar.gz")
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    translated = [code for code in languages() if code != "en"]
    with zipfile.ZipFile(wheel) as packed:  # each translation's catalog, compiled at install (setup.py)
        catalogs = {name for name in packed.namelist() if name.startswith("assets/locale/")}
    assert catalogs == {"assets/locale/english.toml",
                        *(f"assets/locale/{code}/LC_MESSAGES/messages.mo" for code in translated)}
    pip = [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
           "--disable-pip-version-check", "--no-compile"]
    expected = set(PYPROJECT["project"]["entry-points"][ENTRY_POINT_GROUP])

    # pip builds the sdist into a wheel; then the wheel itself, then `pip install .` from the checkout, replace it
    for package in (sdist, wheel, checkout):
        installed = subprocess.run([*pip, *(["--force-reinstall", "--no-deps"] if package != sdist else []),
                                    str(package)], capture_output=True, text=True, timeout=1200, cwd=tmp_path)
        assert installed.returncode == 0, installed.stderr
        assert not NOISE.search(installed.stdout + installed.stderr), installed.stdout + installed.stderr
        done = subprocess.run([str(venv / "bin" / "interview-ready"), "check", "--demo", "--json", "--lang",
                               translated[0]], capture_output=True, text=True, timeout=300, cwd=tmp_path)
        assert done.returncode in (0, 1), done.stderr
        report = json.loads(done.stdout)
        english = say("system.power.title")
        set_language(translated[0])
        titles = {c["id"]: c["title"] for c in report["checks"]}
        assert titles["system.power"] == say("system.power.title") != english  # said from the installed catalog
        set_language("en")
        assert {c["id"] for c in report["checks"]} == expected
        assert not [c["id"] for c in report["checks"] if c["status"] == "error"], package.name
