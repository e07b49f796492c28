"""The layout's contracts: checks/ never imports Qt; every wording key the code names exists."""

from __future__ import annotations

import re
import subprocess
import sys

from checks.resources import load_toml_asset
from checks.wording import say
from tests.conftest import ROOT


def test_checks_package_never_imports_qt():
    modules = sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for p in (ROOT / "checks").rglob("*.py"))
    code = (f"import importlib, sys\nfor m in {modules!r}: importlib.import_module(m)\n"
            "qt = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'PyQt'))]\n"
            "assert not qt, qt\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    assert len(modules) >= 10


def test_only_app_mentions_pyside():
    for path in ROOT.glob("checks/**/*.py"):
        assert "PySide6" not in path.read_text(), path


def test_every_literal_wording_key_exists():
    keys = set()
    for path in list(ROOT.glob("checks/**/*.py")) + list(ROOT.glob("app/*.py")):
        keys |= set(re.findall(r"""\bsay\(\s*["']([a-z_.]+)["']""", path.read_text()))
    assert len(keys) > 20
    for key in keys:
        assert say(key.rstrip(".")) if not key.endswith(".") else True


def test_every_runner_key_and_source_error_has_summary_and_advice():
    wording = load_toml_asset("wording.toml")
    for group in (wording["runner"], wording["sources"]["camera"], wording["sources"]["mic"]):
        for key, entry in group.items():
            if isinstance(entry, dict):
                assert isinstance(entry["summary"], str) and isinstance(entry["advice"], list), key
