"""A check installed from another distribution (a real pip install) appears in the CLI without touching our code."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT, run_cli


@pytest.fixture(scope="module")
def plugin_site(tmp_path_factory):
    site = tmp_path_factory.mktemp("site")
    source = tmp_path_factory.mktemp("src") / "sample_plugin"
    shutil.copytree(ROOT / "tests" / "sample_plugin", source)  # the build writes beside the sources
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--target", str(site), str(source)],
        capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return site


def test_an_installed_plugin_is_listed_with_its_origin(plugin_site):
    done = run_cli("list-checks", env={"PYTHONPATH": str(plugin_site)})
    assert done.returncode == 0, done.stderr
    assert "acme.headset" in done.stdout and "acme-interview-checks 2.0" in done.stdout
    broken = [line for line in done.stdout.splitlines() if line.startswith("acme.broken")]
    assert broken and "broken" in broken[0] and "DoesNotExist" in broken[0]


def test_an_installed_plugin_runs_and_a_broken_one_is_an_error_row(plugin_site):
    done = run_cli("check", "--camera", "none", "--mic", "none", "--network", "none", "--json",
                   "--only", "acme.*,system.power", env={"PYTHONPATH": str(plugin_site)})
    report = json.loads(done.stdout)
    by_id = {c["id"]: c for c in report["checks"]}
    assert by_id["acme.headset"]["status"] == "warn"
    assert by_id["acme.headset"]["advice"][-1] == "Plug in a wired headset before the call."
    assert by_id["acme.broken"]["status"] == "error"
    assert "acme-interview-checks[acme.broken]" in by_id["acme.broken"]["summary"]
    assert by_id["system.power"]["status"] in ("pass", "warn", "fail")
    assert done.returncode == 1 and report["overall"] == "not_ready"
