"""Recruiter profiles: the template, validation with the file, line and field named, and hostile input."""

from __future__ import annotations

from pathlib import Path

import pytest
from markupsafe import escape

from app.cli import make_parser
from app.session import resolve
from checks.export import render_html, summary_text
from checks.profile import TEMPLATE, ProfileError, load_profile, parse_profile
from checks.report import build_report
from tests.conftest import run_cli

NO_DEVICES = ("--camera", "none", "--mic", "none", "--network", "none")


def _error(text: str) -> str:
    with pytest.raises(ProfileError) as caught:
        parse_profile(text, Path("acme.toml"))
    return str(caught.value)


def test_the_template_is_a_valid_profile_with_every_field():
    profile = parse_profile(TEMPLATE)
    assert profile.organisation == "Acme Hiring" and profile.role == "Backend developer"
    assert profile.interview_at is not None and profile.interview_at.utcoffset().total_seconds() == 3600
    assert profile.platform == "teams" and profile.report_to == "jobs@acme.example"
    assert [c.kind for c in profile.backup_channels] == ["dial_in", "phone", "meeting_link"]
    assert profile.backup_channels[0].link == "tel:+442079460000,,123456#"
    assert profile.is_required("mic.noise") and not profile.is_required("camera.exposure")


def test_the_minimal_format_of_earlier_versions_stays_valid(tmp_path):
    path = tmp_path / "old.toml"
    path.write_text('organisation = "Acme"\n[thresholds."system.cpu"]\nwarn_percent = 0\n')
    profile = load_profile(path)
    assert profile.name == "Acme" and profile.thresholds == {"system.cpu": {"warn_percent": 0}}
    assert profile.required is None and profile.is_required("anything.at_all")


def test_a_local_time_with_a_zone_name_becomes_an_aware_time():
    profile = parse_profile('interview_at = 2026-07-01T09:30:00\ntime_zone = "America/New_York"\n')
    assert profile.interview_at.utcoffset().total_seconds() == -4 * 3600


@pytest.mark.parametrize(("text", "expected"), [
    ('organisation = "Acme"\nplatform = "skype"\n', "line 2: platform: must be one of zoom, teams, meet, webex, other"),
    ('organisation = 5\n', "line 1: organisation: must be a valid string"),
    ('role = "ok"\ncolour = "red"\n', "line 2: colour: is not a field"),
    ('interview_at = 2026-12-01T14:00:00\n', "line 1: interview_at: needs a time zone"),
    ('time_zone = "Mars/Olympus"\n', "line 1: time_zone: must be a time zone name"),
    ('schema = "interview-ready/profile@9"\n', "line 1: schema:"),
    ('stun = ["stun.example.org:3478", "bad host:1"]\n', "line 1: stun[2]: has a bad host name"),
    ('required = "camera.*"\n', "line 1: required: must be a valid list"),
    ('[[backup_channels]]\nkind = "phone"\nvalue = "+44 20 7946 0000"\n\n[[backup_channels]]\nkind = "email"\n'
     'value = "not an address"\n', "line 7: backup_channels[2].value: must be an e-mail address"),
    ('[[backup_channels]]\nkind = "pigeon"\nvalue = "x"\n', "line 2: backup_channels[1].kind:"),
    ('[thresholds."system.cpu"]\nwarn_percent = {a = 1}\n', 'line 2: thresholds."system.cpu".warn_percent: has the '
                                                           'wrong type'),
    ('[thresholds."Not An Id"]\nx = 1\n', 'thresholds."Not An Id"'),
])
def test_errors_name_the_file_line_and_field(text, expected):
    message = _error(text)
    assert message.startswith("acme.toml") and expected in message


def test_a_broken_toml_file_names_the_line():
    assert "line 2" in _error('organisation = "Acme"\nplatform = zoom\n')


def test_huge_and_binary_files_are_refused(tmp_path):
    huge = tmp_path / "huge.toml"
    huge.write_text('organisation = "' + "x" * 100_000 + '"\n')
    with pytest.raises(ProfileError, match="larger than"):
        load_profile(huge)
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ProfileError, match="not a UTF-8"):
        load_profile(binary)


HOSTILE_LINKS = ["javascript:alert(1)", "file:///etc/passwd", "data:text/html,<script>alert(1)</script>",
                 "https://example.org/\"><script>alert(1)</script>", "https://user:pw@example.org/", "ftp://x.org/",
                 "//example.org/", "https://exa mple.org/"]


@pytest.mark.parametrize("link", HOSTILE_LINKS)
@pytest.mark.parametrize("field", ["meeting_link", "librespeed_server", "backup_channels", "report_to"])
def test_hostile_links_are_rejected_in_every_link_field(field, link):
    quoted = link.replace("\\", "\\\\").replace('"', '\\"')
    text = (f'[[backup_channels]]\nkind = "meeting_link"\nvalue = "{quoted}"\n' if field == "backup_channels"
            else f'{field} = "{quoted}"\n')
    message = _error(text)
    assert field in message


@pytest.mark.parametrize("kind", ["dial_in", "phone"])
@pytest.mark.parametrize("value", ["javascript:alert(1)", "<b>1</b>", "+44 20 7946 0000; rm -rf /"])
def test_phone_numbers_must_be_phone_numbers(kind, value):
    assert "backup_channels[1].value" in _error(f'[[backup_channels]]\nkind = "{kind}"\nvalue = "{value}"\n')


TEXT_FIELDS = ["organisation", "role"]
HOSTILE_TEXT = ['<script>alert("x")</script>', "<img src=x onerror=alert(1)>", "<a href='javascript:alert(1)'>x</a>",
                "{{ 7*7 }} {% raw %}", "&lt;b&gt;"]


@pytest.mark.parametrize("payload", HOSTILE_TEXT)
def test_markup_in_text_fields_is_shown_escaped_never_as_markup(payload):
    quoted = payload.replace('"', '\\"')
    text = "\n".join(f'{f} = "{quoted}"' for f in TEXT_FIELDS)
    text += f'\n[[backup_channels]]\nkind = "chat"\nlabel = "{quoted}"\nvalue = "{quoted}"\n'
    profile = parse_profile(text)
    report = build_report([], profile)
    body = render_html(report).split("<body>", 1)[1]
    assert str(escape(payload)) in body
    assert payload == str(escape(payload)) or payload not in body  # every occurrence escaped
    assert "<script" not in body and "<img" not in body and "<a " not in body
    assert "49" not in body  # the template engine never evaluates the text
    assert payload in summary_text(report)  # plain text keeps it as it is


@pytest.mark.parametrize("field", ["organisation", "role"])
@pytest.mark.parametrize("bad", ["x" * 121, "line\\nbreak", "escape \\u001b[31mred", "bidi \\u202e txt"])
def test_text_fields_are_bounded_and_single_line(field, bad):
    assert field in _error(f'{field} = "{bad}"\n')


@pytest.mark.parametrize(("text", "field"), [
    ("organisation = ['a']\n", "organisation"), ("role = 1.5\n", "role"), ("platform = 1\n", "platform"),
    ("stun = 'stun.example.org'\n", "stun"), ("backup_channels = 'call me'\n", "backup_channels"),
    ("thresholds = 3\n", "thresholds"), ("interview_at = 'tomorrow'\n", "interview_at"),
    ("required = [1, 2]\n", "required[1]"),
])
def test_wrong_types_name_the_field(text, field):
    assert f": {field}" in _error(text)


def test_sizes_of_lists_are_bounded():
    channels = '[[backup_channels]]\nkind = "phone"\nvalue = "+44 20 7946 0000"\n' * 11
    assert "backup_channels" in _error(channels)
    assert "stun" in _error("stun = [" + ", ".join(['"s.example.org:3478"'] * 6) + "]\n")


def test_the_profile_feeds_the_run_and_the_command_line_wins(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('platform = "webex"\nlibrespeed_server = "https://speed.acme.example/"\n'
                    'stun = ["stun.acme.example:3478"]\n[thresholds."network.latency"]\nwarn_ms = 150\n')
    session = resolve(make_parser().parse_args(["check", *NO_DEVICES, "--profile", str(path)]))
    network = session.config.network
    assert network.server == "https://speed.acme.example/" and [str(s) for s in network.stun] == [
        "stun.acme.example:3478"]
    latency = session.config.thresholds.for_check("network.latency")
    assert latency["platform"] == "webex" and latency["warn_ms"] == 150
    assert session.config.thresholds.for_check("network.download")["platform"] == "webex"
    session = resolve(make_parser().parse_args(["check", *NO_DEVICES, "--profile", str(path),
                                                "--server", "http://127.0.0.1:8080/", "--stun", "127.0.0.1:3479"]))
    assert session.config.network.server == "http://127.0.0.1:8080/"
    assert [str(s) for s in session.config.network.stun] == ["127.0.0.1:3479"]


def test_profile_init_and_validate_commands(tmp_path):
    path = tmp_path / "acme.toml"
    done = run_cli("profile", "init", str(path))
    assert done.returncode == 0 and path.read_text() == TEMPLATE
    assert run_cli("profile", "init", str(path)).returncode == 2  # never overwrites
    done = run_cli("profile", "validate", str(path))
    assert done.returncode == 0 and "valid profile for Acme Hiring" in done.stdout
    path.write_text(TEMPLATE.replace('platform = "teams"', 'platform = "skype"')
                    .replace('report_to = "jobs@acme.example"', 'report_to = "javascript:alert(1)"'))
    done = run_cli("profile", "validate", str(path))
    assert done.returncode == 2
    assert "platform: must be one of" in done.stderr and "report_to: must be an e-mail address" in done.stderr
    line = TEMPLATE.splitlines().index('platform = "skype"                      # zoom, teams, meet, webex or other: '
                                       'the network checks apply its needs'.replace("skype", "teams")) + 1
    assert f"line {line}: platform" in done.stderr
