"""``interview-ready PROFILE.toml``: how a file manager opens a recruiter's profile with the app."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import make_parser, profile_to_open
from checks.config.profile import TEMPLATE
from tests.conftest import ROOT, run_cli


@pytest.mark.parametrize(("argv", "expected"), [
    (["acme.interview.toml"], ["--profile", "acme.interview.toml"]),
    (["--camera", "0", "acme.toml", "--demo"], ["--camera", "0", "--profile", "acme.toml", "--demo"]),
    (["--screenshot=out.png", "acme.toml"], ["--screenshot=out.png", "--profile", "acme.toml"]),
    (["--demo", "check", "--json"], ["--demo", "check", "--json"]),
    (["profile", "validate", "acme.toml"], ["profile", "validate", "acme.toml"]),
    (["--profile", "a.toml", "b.toml"], ["--profile", "a.toml", "b.toml"]),
])
def test_a_bare_argument_that_is_not_a_command_is_the_profile(argv, expected):
    assert profile_to_open(make_parser(), argv) == expected


def test_the_opened_profile_is_the_windows_profile():
    args = make_parser().parse_args(profile_to_open(make_parser(), ["--demo", "acme.interview.toml"]))

    assert (args.command, args.profile, args.demo) == (None, Path("acme.interview.toml"), True)


def test_a_broken_profile_opened_this_way_is_a_usage_error_naming_it(tmp_path):
    profile = tmp_path / "odd.interview.toml"
    profile.write_text('organisation = "Acme"\nplatform = zoom\n')

    done = run_cli(str(profile))

    assert done.returncode == 2
    assert "--profile" in done.stderr and "line 2" in done.stderr and "Traceback" not in done.stderr


def test_a_good_profile_opened_this_way_gets_as_far_as_the_screen(tmp_path):
    profile = tmp_path / "acme.interview.toml"
    profile.write_text(TEMPLATE)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = ""

    done = subprocess.run([sys.executable, "-m", "app", str(profile)], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=60)

    assert done.returncode == 2 and "no screen was found" in done.stderr, done.stderr
