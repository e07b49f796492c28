"""Recruiter profiles: the template, validation with the file, line and field named, and hostile input."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from markupsafe import escape

from app.cli import make_parser
from app.session import resolve
from checks.config.profile import TEMPLATE, ProfileError, load_profile, parse_profile
from checks.report.export import render_html, summary_text
from checks.report.model import build_report
from checks.text.wording import say
from tests.conftest import run_cli

NO_DEVICES = ("--camera", "none", "--mic", "none", "--network", "none")
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)


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
    assert profile.required is None and profile.is_required("camera.exposure")  # kept as is, every check counts
    assert profile.warnings() == []
    taken_up = parse_profile(TEMPLATE.replace("# required = ", "required = "))  # its example, when taken up
    assert taken_up.is_required("camera.framing") and not taken_up.is_required("system.cpu")


def test_a_required_list_that_leaves_out_a_whole_part_is_warned_about(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('organisation = "Acme"\nrequired = ["camera.device", "mic.*"]\n')
    done = run_cli("profile", "validate", str(path))
    assert done.returncode == 0, done.stderr
    [warning] = [line for line in done.stderr.splitlines() if "required" in line]
    assert "no network check is listed" in warning and "your connection" in warning and '"network.*"' in warning


def test_the_minimal_format_of_earlier_versions_stays_valid(tmp_path):
    path = tmp_path / "old.toml"
    path.write_text('organisation = "Acme"\n[thresholds."system.cpu"]\nwarn_percent = 0\n')
    profile = load_profile(path)
    assert profile.name == "Acme" and profile.thresholds == {"system.cpu": {"warn_percent": 0}}
    assert profile.required is None and profile.is_required("anything.at_all")


def test_a_local_time_with_a_zone_name_becomes_an_aware_time():
    profile = parse_profile('interview_at = 2026-07-01T09:30:00\ntime_zone = "America/New_York"\n', now=NOW)
    assert profile.interview_at.utcoffset().total_seconds() == -4 * 3600


@pytest.mark.parametrize(("text", "expected"), [
    ('organisation = "Acme"\nplatform = "skype"\n', "line 2: platform: must be one of zoom, teams, meet, webex, other"),
    ('organisation = 5\n', f"line 1: organisation: {say('profile_errors.types.text')}"),
    ('role = "ok"\ncolour = "red"\n', "line 2: colour: is not a field"),
    ('interview_at = 2026-12-01T14:00:00\n', "line 1: interview_at: needs a time zone"),
    ('time_zone = "Mars/Olympus"\n', "line 1: time_zone: must be a time zone name"),
    ('schema = "interview-ready/profile@9"\n', "line 1: schema:"),
    ('stun = ["stun.example.org:3478", "bad host:1"]\n', "line 1: stun[2]: has a bad host name"),
    ('required = "camera.*"\n', f"line 1: required: {say('profile_errors.types.list')}"),
    ('[[backup_channels]]\nkind = "phone"\nvalue = "+44 20 7946 0000"\n\n[[backup_channels]]\nkind = "email"\n'
     'value = "not an address"\n', "line 7: backup_channels[2].value: must be an e-mail address"),
    ('[[backup_channels]]\nkind = "pigeon"\nvalue = "x"\n', "line 2: backup_channels[1].kind:"),
    ('[thresholds."system.cpu"]\nwarn_percent = {a = 1}\n', 'line 2: thresholds."system.cpu".warn_percent: must be a '
                                                           'number from 0 to 100'),
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
    report = build_report([], profile, generated_at=NOW)  # a fixed time: no "49" from the clock
    body = render_html(report, NOW).split("<body>", 1)[1]
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
    def undated(text: str) -> str:  # the example interview lies 14 days ahead of the day the template is written
        return re.sub(r"^interview_at = \d{4}-\d{2}-\d{2}", "interview_at = DAY", text, flags=re.M)

    assert done.returncode == 0 and undated(path.read_text()) == undated(TEMPLATE)
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


# -- dates, nesting, required checks, links and invisible text (profiles made to break or mislead a run) ----------

@pytest.mark.parametrize("when", ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59", "2025-05-01T09:00:00Z",
                                  "2031-07-01T09:00:00Z", "1970-01-01T00:00:00Z"])
def test_an_interview_date_must_lie_within_a_year_back_and_five_ahead(when):
    with pytest.raises(ProfileError) as caught:
        parse_profile(f"organisation = 'Acme'\ninterview_at = {when}\n", Path("acme.toml"), now=NOW)
    assert str(caught.value).startswith("acme.toml, line 2: interview_at: must lie between 2025-06-01 and 2031-06-01")


@pytest.mark.parametrize("when", ["2025-06-02T09:00:00Z", "2026-06-01T09:00:00+02:00", "2031-05-30T09:00:00Z"])
def test_dates_within_the_range_are_kept(when):
    assert parse_profile(f"interview_at = {when}\n", now=NOW).interview_at is not None


def test_an_absurd_date_is_refused_by_validate_and_check_with_the_line(tmp_path):
    path = tmp_path / "far.toml"
    path.write_text('organisation = "Acme"\ninterview_at = 9999-12-31T23:59:59-23:59\n')
    for args in (("profile", "validate", str(path)), ("check", *NO_DEVICES, "--only", "system.power",
                                                      "--profile", str(path))):
        done = run_cli(*args)
        assert done.returncode == 2 and "Traceback" not in done.stderr
        assert f"{path}, line 2: interview_at: must lie between" in done.stderr


def test_a_report_that_cannot_be_built_still_shows_every_result(capsys):
    from app.cli import finish_check
    from checks.api import CheckResult, Status

    args = make_parser().parse_args(["check", *NO_DEVICES])
    session = resolve(args)
    session.profile = parse_profile("organisation = 'Acme'\n").model_copy(  # as if a date slipped past validation
        update={"interview_at": datetime.max.replace(tzinfo=timezone(-timedelta(hours=23, minutes=59)))})
    results = [CheckResult("system.power", "Power", "system", Status.PASS, "Plugged in.")]
    assert finish_check(args, session, results) == 1
    out, err = capsys.readouterr()
    assert err.startswith("interview-ready: the report could not be made (OverflowError") and "Traceback" not in err
    assert f"Power (system.power): {say('status.pass')}: Plugged in." in out


@pytest.mark.parametrize(("text", "told"), [
    ("organisation = " + "[" * 500 + "]" * 500 + "\n", "nested too deeply"),
    ('[thresholds."system.cpu"]\nwarn_percent = ' + "9" * 5000 + "\n", "cannot be read (Exceeds the limit"),
])
def test_deep_nesting_is_one_line_naming_the_file_in_validate_and_check(tmp_path, text, told):
    path = tmp_path / "deep.toml"
    path.write_text(text)
    for args in (("profile", "validate", str(path)), ("check", *NO_DEVICES, "--profile", str(path))):
        done = run_cli(*args)
        assert done.returncode == 2 and "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1 and str(path) in done.stderr
        assert told in done.stderr


@pytest.mark.parametrize(("required", "expected"), [
    ("[]", "line 1: required: is empty: a profile must require at least one check"),
    ('["zzz.*"]', "line 1: required[1]: 'zzz.*' matches no installed check"),
    ('["camera.*", "mic.nois"]', "line 1: required[2]: 'mic.nois' matches no installed check"),
])
def test_required_must_name_installed_checks(required, expected):
    assert expected in _error(f"required = {required}\n")


def test_required_that_matches_nothing_is_not_a_ready_verdict(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('required = ["zzz.*"]\n')
    done = run_cli("check", "--camera", "none", "--mic", "none", "--network", "none", "--profile", str(path))
    assert done.returncode == 2 and "required[1]" in done.stderr


@pytest.mark.parametrize(("link", "shown"), [
    ("https://teams.micr\u043esoft.com/l/meetup-join/1", "https://teams.xn--micrsoft-qbh.com/l/meetup-join/1"),
    ("https://b\u00fccher.example:8443/a?b=c#d", "https://xn--bcher-kva.example:8443/a?b=c#d"),
    ("https://meet.google.com/abc-defg-hij", "https://meet.google.com/abc-defg-hij"),
])
def test_links_show_their_host_in_punycode(link, shown):
    text = f'meeting_link = "{link}"\n[[backup_channels]]\nkind = "meeting_link"\nvalue = "{link}"\n'
    profile = parse_profile(text)
    assert profile.meeting_link == shown and profile.backup_channels[0].link == shown
    assert shown in summary_text(build_report([], profile))


@pytest.mark.parametrize(("platform", "link", "warned"), [
    ("teams", "https://teams.micr\u043esoft.com/l/meetup-join/1", True),  # a Cyrillic о
    ("teams", "https://teams.microsoft.com.meet-join.example/l/1", True),
    ("zoom", "https://zoom.us.example.org/j/1", True),
    ("meet", "https://meet.google.com/abc-defg-hij", False),
    ("teams", "https://teams.microsoft.com/l/meetup-join/1", False),
    ("zoom", "https://acme.zoom.us/j/123", False),
    ("other", "https://video.acme.example/room", False),
])
def test_a_meeting_link_off_the_platforms_hosts_is_warned_about(tmp_path, platform, link, warned):
    path = tmp_path / "p.toml"
    path.write_text(f'platform = "{platform}"\nmeeting_link = "{link}"\n')
    done = run_cli("profile", "validate", str(path))
    assert done.returncode == 0
    assert ("warning:" in done.stderr and "meeting_link: the host" in done.stderr) is warned
    assert bool(load_profile(path).warnings()) is warned
    report = build_report([], load_profile(path))  # the candidate is warned too, wherever the report is shown
    assert any(line.startswith("Careful: this link goes to ") for line in summary_text(report).splitlines()) is warned
    assert ("Careful: this link goes to" in render_html(report)) is warned


@pytest.mark.parametrize(("lang", "words"), [("de", "gehört nicht zu denen, die Microsoft Teams"),
                                             ("es", "no es uno de los que usa Microsoft Teams"),
                                             ("fr", "n’est pas l’un de ceux qu’utilise Microsoft Teams")])
def test_a_meeting_link_warning_is_said_in_the_recruiters_language(tmp_path, lang, words):
    path = tmp_path / "p.toml"
    path.write_text('platform = "teams"\nmeeting_link = "https://teams.microsoft.com.meet-join.example/l/1"\n')
    done = run_cli("--lang", lang, "profile", "validate", str(path))
    assert done.returncode == 0
    assert words in done.stderr and "teams.microsoft.com.meet-join.example" in done.stderr, done.stderr


@pytest.mark.parametrize("filler", ["\\u2800", "\\u3164", "\\u115f", "\\u1160", "\\uffa0", "\\ufe0f\\ufe0f",
                                    "\\ufe00\\ufe01\\ufe02"])
@pytest.mark.parametrize("field", ["organisation", "role"])
def test_invisible_fillers_are_refused_like_control_characters(field, filler):
    assert f"line 1: {field}: must be one line of plain text" in _error(f'{field} = "Acme{filler}"\n')


def test_a_single_variation_selector_after_a_symbol_is_fine():
    assert parse_profile('organisation = "Acme \u2764\ufe0f"\n').organisation == "Acme \u2764\ufe0f"


# -- thresholds: every one a profile may set is declared with its type and bounds --------------------------------

def test_every_threshold_has_a_declaration_its_default_meets():
    from checks.engine.thresholds import FIXED, LIMITS_FILE, NETWORK, declaration, declared
    from checks.text.resources import load_toml_asset

    problems = []
    for table, values in load_toml_asset("thresholds.toml").items():
        if table in FIXED:  # the runner's and interview mode's own settings are no profile's to change
            continue
        check_id = f"{NETWORK}.any" if table == NETWORK else table
        for key, default in values.items():
            limit = declaration(check_id, key)
            if limit is None:
                problems.append(f'assets/thresholds.toml: ["{table}"] {key} has no declaration in '
                                f'assets/{LIMITS_FILE}: add a line such as  {key} = "number 0..100"  under ["{table}"]')
            elif limit.problem(default) is not None:
                problems.append(f'assets/thresholds.toml: ["{table}"] {key} = {default!r} breaks its own declaration '
                                f'in assets/{LIMITS_FILE}: {limit.problem(default)}')
    for table, lines in declared().items():
        for key in lines:  # every declaration is one the reader understands
            assert declaration(f"{NETWORK}.any" if table == NETWORK else table, key) is not None
    assert not problems, "\n".join(problems)


def test_a_new_threshold_is_declared_in_one_line(tmp_path):
    from checks.engine.thresholds import Limit

    assert Limit.parse("number 0..255").problem(300) == "must be a number from 0 to 255"
    assert Limit.parse("whole 1..8").problem(2.5) == "must be a whole number from 1 to 8"
    assert Limit.parse("one of zoom, teams").problem("skype") == "must be one of zoom, teams"
    assert Limit.parse("endpoints 2").problem(["a.example:1", "b.example:2", "c.example:3"])
    assert Limit.parse("text").problem("Acme's own service") is None
    with pytest.raises(ValueError, match="is not a declaration"):
        Limit.parse("between 1 and 2")


@pytest.mark.parametrize(("lines", "expected"), [
    ('[thresholds."network.latency"]\nwarn_ms = 150\nwarn_msec = 200\n',
     'line 3: thresholds."network.latency".warn_msec: is not a threshold of network.latency'),
    ('[thresholds."camera.exposur"]\nfail_dark = 10\n',
     'line 1: thresholds."camera.exposur": is not a check whose thresholds a profile may set'),
    ('[thresholds."camera.exposure"]\nfail_dark = "8"\n',
     'line 2: thresholds."camera.exposure".fail_dark: must be a number from 0 to 255'),
    ('[thresholds."camera.exposure"]\nfail_dark = [8]\n', 'line 2: thresholds."camera.exposure".fail_dark: must be a'),
    ('[thresholds."camera.exposure"]\nfail_dark = true\n', 'line 2: thresholds."camera.exposure".fail_dark: must be a'),
    ('[thresholds."camera.exposure"]\nfail_dark = nan\n', 'line 2: thresholds."camera.exposure".fail_dark: must be a'),
    ('[thresholds."camera.exposure"]\nwarn_dark = inf\n', 'line 2: thresholds."camera.exposure".warn_dark: must be a'),
    ('[thresholds."camera.exposure"]\nfail_dark = -1e308\n',
     'line 2: thresholds."camera.exposure".fail_dark: must be a number from 0 to 255'),
    ('[thresholds."network.loss"]\nprobe_interval_s = 0\n',
     'line 2: thresholds."network.loss".probe_interval_s: must be a number from 0.01 to 1'),
    ('[thresholds."network.loss"]\nprobe_interval_s = 0.001\n', 'probe_interval_s: must be a number from 0.01 to 1'),
    ('[thresholds."network.jitter"]\nprobe_duration_s = 3600\n', 'probe_duration_s: must be a number from 1 to 10'),
    ('[thresholds."network.download"]\nstreams = 64\n',
     'line 2: thresholds."network.download".streams: must be a whole number from 1 to 8'),
    ('[thresholds."network.download"]\nstreams = 2.5\n', 'streams: must be a whole number from 1 to 8'),
    ('[thresholds."network.platform"]\nplatform = "skype"\n', 'platform: must be one of zoom, teams, meet, webex'),
    ('[thresholds."network.platform"]\ntcp = ["a.example:443", "b.example:0"]\n', "tcp: 'b.example:0'"),
    ('[thresholds."system.cpu"]\ndeadline_s = 86400\n', 'deadline_s: must be a number from 1 to 60'),
    ('[thresholds."mic.echo"]\nplay = 1\n', 'line 2: thresholds."mic.echo".play: must be true or false'),
    ('[thresholds."network.platform"]\nname = "Acme \\u202e"\n', 'name: must be one line of plain text'),
])
def test_thresholds_are_checked_against_their_declarations(lines, expected):
    message = _error(lines)
    assert expected in message and len(message.splitlines()) == 1


def test_every_fault_in_the_thresholds_gets_its_own_line():
    message = _error('[thresholds."network.latency"]\nwarn_ms = nan\nstreams = 100\nbogus = 1\n')
    assert message.splitlines() == [
        'acme.toml, line 2: thresholds."network.latency".warn_ms: must be a number from 1 to 5000',
        'acme.toml, line 3: thresholds."network.latency".streams: must be a whole number from 1 to 8',
        'acme.toml, line 4: thresholds."network.latency".bogus: is not a threshold of network.latency (it has: '
        'deadline_s, fail_ms, warn_ms)',
    ]


def test_thresholds_within_their_bounds_are_applied():
    profile = parse_profile('[thresholds."network.loss"]\nprobe_interval_s = 0.05\nfail_percent = 3\n'
                            '[thresholds."network.download"]\nstreams = 2\n[thresholds."mic.echo"]\nplay = true\n')
    assert profile.thresholds == {"network.loss": {"probe_interval_s": 0.05, "fail_percent": 3},
                                  "network.download": {"streams": 2}, "mic.echo": {"play": True}}
