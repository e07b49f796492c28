"""What comes from strangers: a speed-test server's answer, a STUN server's datagrams, a profile's addresses and the
file it is given as. Each fault is made for real: a socket server in the test answers raw bytes, a UDP server sends
garbage, a named pipe stands where the profile should be."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import struct
import threading
import time

import pytest

from checks.api import Check, CheckContext, Status
from checks.engine.runner import Runner
from checks.netprobe import stun
from checks.netprobe.common import Budget
from checks.text.untrusted import clean
from checks.text.wording import say
from tests.conftest import run_cli
from tests.support.checkkit import loaded

HOSTILE = b"\x1b[2J\x1b]0;pwned\x07HELLO\x9b31m\x1b[8m\r\n\r\n"
"""An answer that clears the screen, sets the terminal's title and hides what follows, in place of HTTP."""
CONTROL = ("\x1b", "\x07", "\x9b", "\r")
OFF = ("--camera", "none", "--mic", "none", "--screen", "none")


@contextlib.contextmanager
def serving(sock: socket.socket, answer_one):
    """Serve on ``sock`` (bound on loopback) from a thread: ``answer_one()`` handles one request, until the block
    ends; the port."""
    sock.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                answer_one()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield sock.getsockname()[1]
    finally:
        stop.set()
        thread.join(2)
        sock.close()


def tcp_server(answer: bytes):
    """A real TCP server that answers every connection with ``answer`` and closes it; its port."""
    listener = socket.create_server(("127.0.0.1", 0))

    def answer_one() -> None:
        conn, _ = listener.accept()
        with conn, contextlib.suppress(OSError):
            conn.settimeout(2)
            conn.recv(65536)
            conn.sendall(answer)

    return serving(listener, answer_one)


def udp_server(reply):
    """A real UDP server: ``reply(request)`` is sent back for every datagram; its port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))

    def answer_one() -> None:
        data, peer = sock.recvfrom(2048)
        sock.sendto(reply(data), peer)

    return serving(sock, answer_one)


def _report(stdout: str) -> dict:
    return {c["id"]: c for c in json.loads(stdout)["checks"]}


# -- 1. what a server answers never reaches the screen -------------------------------------------------------


def test_a_hostile_speed_test_server_cannot_write_to_the_terminal():
    with tcp_server(HOSTILE) as port:
        server = f"http://127.0.0.1:{port}/"
        text = run_cli("check", *OFF, "--network", "librespeed", "--server", server,
                       "--only", "network.connectivity,network.download", timeout=60)
        as_json = run_cli("check", *OFF, "--network", "librespeed", "--server", server,
                          "--only", "network.connectivity,network.download", "--json", timeout=60)
    for output in (text.stdout, text.stderr, as_json.stdout, as_json.stderr):
        assert not any(c in output for c in CONTROL), repr(output)
        assert "BadStatusLine" not in output.split('"details"')[0]
    assert "pwned" not in text.stdout and "BadStatusLine" not in text.stdout
    checks = _report(as_json.stdout)
    connectivity = checks["network.connectivity"]
    # the server answered, but not with HTTP: its fault, not the candidate's network
    assert connectivity["status"] == "warn" and connectivity["details"]["failure"] == "bad_answer"
    assert "something unexpected" in connectivity["summary"]
    assert connectivity["details"]["error"].startswith("BadStatusLine: HELLO")  # the detail, cleaned
    download = checks["network.download"]
    assert download["status"] == "error" and "BadStatusLine" not in download["summary"]
    assert not any(c in json.dumps(download, ensure_ascii=False) for c in CONTROL)


def test_clean_removes_escapes_controls_and_overrides_and_bounds_the_length():
    assert clean(HOSTILE.decode("iso-8859-1")) == "HELLO"  # as http.client reads a status line
    assert clean("a\u202eb\u2066c\nd\te") == "abc d e"  # bidirectional overrides go, line breaks are spaces
    assert clean("x" * 5000) == "x" * 299 + "…"
    assert clean("Zoë 東京 ✓") == "Zoë 東京 ✓"


class Crashes(Check):
    id = "sys.crash"
    title = "Crash"
    category = "system"

    def run(self, context: CheckContext):
        raise RuntimeError("\x1b]0;owned\x07\x1b[2Jserver said no")


def test_a_crashed_check_says_so_in_words_with_the_exception_only_in_the_details():
    [result] = Runner([loaded(Crashes())]).run()
    assert result.status is Status.ERROR
    assert result.summary == say("runner.crashed.summary", label="test-checks[sys.crash]")
    assert "RuntimeError" not in result.summary and "server said no" not in result.summary
    assert result.details["error"] == "RuntimeError: server said no"
    assert "server said no" in result.details["traceback"] and "\x1b" not in result.details["traceback"]


# -- 2. a profile cannot aim the app at this computer or its link -------------------------------------------


@pytest.mark.parametrize(("line", "field", "words"), [
    ('librespeed_server = "http://127.0.0.1:6379/"', "librespeed_server", "this computer itself"),
    ('librespeed_server = "http://[::1]:6379/"', "librespeed_server", "this computer itself"),
    ('librespeed_server = "http://[::ffff:127.0.0.1]:6379/"', "librespeed_server", "this computer itself"),
    ('librespeed_server = "http://[fe80::1]:8090/"', "librespeed_server", "link-local"),
    ('librespeed_server = "http://localhost:6379/"', "librespeed_server", "localhost leads to 127.0.0.1"),
    ('nq_server = "https://127.0.0.1:8443/"', "nq_server", "this computer itself"),
    ('nq_server = "https://[fe80::1]:8443/.well-known/nq"', "nq_server", "link-local"),
    ('nq_server = "https://localhost/"', "nq_server", "localhost leads to 127.0.0.1"),
    ('stun = ["stun.example.org:3478", "169.254.169.254:80"]', "stun[2]", "link-local"),
    ('stun = ["224.0.0.251:5353"]', "stun[1]", "multicast"),
    ('stun = ["0.0.0.0:3478"]', "stun[1]", "no address at all"),
    ('[thresholds."network.platform"]\ntcp = ["127.0.0.1:22"]', 'thresholds."network.platform".tcp', "this computer"),
])
def test_a_profile_naming_this_computer_or_its_link_is_refused(tmp_path, line, field, words):
    profile = tmp_path / "internal.toml"
    profile.write_text(line + "\n")
    done = run_cli("profile", "validate", str(profile))
    assert done.returncode == 2 and done.stdout == ""
    assert f"{field}: " in done.stderr and words in done.stderr, done.stderr
    run = run_cli("check", *OFF, "--network", "librespeed", "--profile", str(profile), "--only", "network.*")
    assert run.returncode == 2 and run.stdout == "" and field in run.stderr  # nothing was sent anywhere


def test_a_private_server_is_named_to_the_candidate_before_the_run(tmp_path):
    profile = tmp_path / "centre.toml"
    profile.write_text('librespeed_server = "http://10.0.0.5:8080/"\nstun = ["192.168.7.1:3478"]\n')
    validated = run_cli("profile", "validate", str(profile))
    assert validated.returncode == 0
    sentence = say("profile_notice.private", servers="10.0.0.5, 192.168.7.1:3478")
    assert sentence in validated.stdout
    done = run_cli("check", *OFF, "--network", "none", "--profile", str(profile), "--only", "system.power")
    assert done.stderr.splitlines()[0] == f"interview-ready: {sentence}"
    # the servers given on the command line are the user's own: not named, and loopback is allowed there
    own = run_cli("check", *OFF, "--network", "none", "--profile", str(profile), "--server", "http://127.0.0.1:9/",
                  "--stun", "127.0.0.1:9", "--only", "system.power")
    assert own.returncode in (0, 1) and "This profile" not in own.stderr


def test_names_are_judged_by_what_they_resolve_to(tmp_path):
    from checks.config.profile import check_servers, parse_profile

    # a name that does not resolve is told by the checks later; a private address is named as it is
    profile = parse_profile('stun = ["10.1.2.3:3478"]\nlibrespeed_server = "https://speed.acme.example/"\n')
    assert check_servers(profile) == [("stun[1]", "10.1.2.3:3478")]


def test_the_window_and_the_kiosk_name_a_private_server_before_they_start(qtbot, tmp_path):
    from app.cli import make_parser
    from app.kiosk import KioskWindow
    from app.session import resolve
    from app.window import MainWindow
    from checks.config.kiosk import KioskConfig

    profile = tmp_path / "centre.toml"
    profile.write_text('librespeed_server = "http://10.0.0.5:8080/"\n')
    session = resolve(make_parser().parse_args(["--camera", "none", "--mic", "none", "--network", "none",
                                                "--profile", str(profile), "--only", "system.power"]))
    sentence = say("profile_notice.private", servers="10.0.0.5")
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.show()
    assert window.server_notice.isVisible() and window.server_notice.text() == sentence
    assert not window.running  # named before anything runs
    kiosk = KioskWindow(session, KioskConfig(), fullscreen=False)
    qtbot.addWidget(kiosk)
    kiosk.show()
    assert kiosk.server_notice.isVisible() and kiosk.server_notice.text() == sentence
    assert kiosk.stack.currentWidget() is kiosk.start_page


# -- 3. a profile that is not a file --------------------------------------------------------------------------


def test_a_named_pipe_as_profile_is_refused_at_once(tmp_path):
    pipe = tmp_path / "profile.toml"
    os.mkfifo(pipe)
    started = time.monotonic()
    done = run_cli("profile", "validate", str(pipe), timeout=20)
    assert done.returncode == 2 and done.stderr.strip() == say("profile_errors.not_a_file", where=pipe)
    run = run_cli("check", *OFF, "--network", "none", "--profile", str(pipe), "--only", "system.power", timeout=20)
    assert run.returncode == 2 and run.stderr.count("\n") == 1
    window = run_cli(str(pipe), timeout=20)  # the window's "Getting ready…" with the pipe as its profile
    assert window.returncode == 2 and "is not a file" in window.stderr
    kiosk = tmp_path / "kiosk.toml"
    os.mkfifo(kiosk)
    from checks.config.kiosk import KioskError, load_kiosk_config

    with pytest.raises(KioskError, match="is not a file"):
        load_kiosk_config(kiosk)
    assert time.monotonic() - started < 15  # no wait for a writer that never comes


# -- 4. a name that does not exist is the address's fault, not the network's ---------------------------------


def test_a_mistyped_server_name_is_not_blamed_on_the_network(tmp_path):
    done = run_cli("check", *OFF, "--network", "librespeed", "--server", "http://does-not-exist.invalid/",
                   "--only", "network.connectivity", "--json", timeout=60)
    connectivity = _report(done.stdout)["network.connectivity"]
    assert connectivity["details"]["failure"] == "no_such_name"
    assert connectivity["status"] == "warn"  # not a failure of the candidate's connection
    assert "does-not-exist.invalid" in connectivity["summary"] and "--server" in connectivity["summary"]
    assert "router" not in " ".join(connectivity["advice"])
    profile = tmp_path / "typo.toml"
    profile.write_text('librespeed_server = "http://does-not-exist.invalid/"\n')
    done = run_cli("check", *OFF, "--network", "librespeed", "--profile", str(profile),
                   "--only", "network.connectivity", "--json", timeout=60)
    summary = _report(done.stdout)["network.connectivity"]["summary"]
    assert say("network.server_source.profile") in summary


# -- 5. a STUN server that answers something else -----------------------------------------------------------


def _wrong_transaction(request: bytes) -> bytes:
    """A well-formed binding success, for another transaction."""
    return struct.pack("!HHI12s", stun.BINDING_SUCCESS, 0, stun.MAGIC_COOKIE, os.urandom(12))


@pytest.mark.parametrize("reply", [lambda request: b"\x1b[2Jnot stun at all", _wrong_transaction])
def test_a_stun_server_answering_garbage_is_not_called_a_blocked_network(reply):
    with udp_server(reply) as port:
        chosen, _, error, not_stun = stun.first_answering(
            [("127.0.0.1", port)], Budget(time.monotonic() + 3, threading.Event()))
        assert chosen is None and error == "not_stun" and not_stun == [f"127.0.0.1:{port}"]
        done = run_cli("check", *OFF, "--stun", f"127.0.0.1:{port}", "--only", "network.udp", "--json", timeout=60)
    udp = _report(done.stdout)["network.udp"]
    assert udp["status"] == "warn"
    assert udp["summary"] == say("network.udp.not_stun.summary", servers=f"127.0.0.1:{port}")
    assert "block" not in udp["summary"] and udp["details"]["not_stun"] == f"127.0.0.1:{port}"


def test_a_link_local_server_on_the_command_line_ends_in_words_not_errno():
    done = run_cli("check", *OFF, "--network", "librespeed", "--server", "http://[fe80::1]:8090/",
                   "--only", "network.connectivity", "--json", timeout=60)
    connectivity = _report(done.stdout)["network.connectivity"]
    assert "Errno" not in connectivity["summary"] and "[Errno" not in " ".join(connectivity["advice"])
    assert connectivity["details"]["failure"] in ("bad_address", "unreachable")


def test_interview_mode_refuses_a_loopback_stun_server_and_names_a_private_one_first(tmp_path):
    import subprocess
    import sys

    from tests.conftest import ROOT

    refused = tmp_path / "refused.toml"
    refused.write_text('stun = ["127.0.0.1:3478"]\n')
    done = run_cli("guard", "--profile", str(refused), "--jsonl", timeout=30)
    assert done.returncode == 2 and "stun[1]" in done.stderr and done.stdout == ""
    private = tmp_path / "private.toml"
    private.write_text('stun = ["10.255.255.1:3478"]\n')
    process = subprocess.Popen([sys.executable, "-m", "app", "guard", "--profile", str(private), "--jsonl",
                                "--no-cpu", "--no-power"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               cwd=ROOT)
    try:
        first = process.stderr.readline()
    finally:  # SIGTERM ends it as Ctrl+C does; a Ctrl+C would not, where ./test runs as a background job (ignored)
        process.terminate()
        process.communicate(timeout=20)
    assert first == f"interview-ready: {say('profile_notice.private', servers='10.255.255.1:3478')}\n"
