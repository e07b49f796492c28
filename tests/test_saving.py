"""Saving reports where saving fails, for real: a full disk (a 1 MB tmpfs filled to the last byte), a read-only
disk, an immutable file (``chattr +i``), a read-only file; and who may read a saved report (the umask, 0600 for a
report with a picture). The old file always stays whole, the results are always printed, and the failure is told
in one line naming the file and the reason."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import jsonschema
import pytest

from app.session import save_report
from checks.report.model import build_report
from checks.storage.files import NotSaved, file_mode, replacing, write_atomically
from checks.text.wording import say
from tests.conftest import ROOT, run_cli
from tests.support.disks import fill, immutable, read_only, small_disk

SCHEMA = json.loads((ROOT / "assets" / "report.schema.json").read_text())
DEMO = ("--demo", "--only", "camera.*,mic.*")
"""The demo media's checks: the same results every run (the machine's own checks vary with its load)."""
QUICK = ("--camera", "none", "--mic", "none", "--network", "none", "--only", "system.power")


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def _told_once(stderr: str, path: Path, reason: str) -> None:
    """One line on stderr, naming the file and the reason in plain words, and that the old file is unchanged."""
    assert stderr.count("\n") == 1, stderr
    assert str(path) in stderr and say(f"files.reasons.{reason}") in stderr, stderr
    assert "Errno" not in stderr and "Traceback" not in stderr


@pytest.mark.slow
def test_a_full_disk_keeps_the_good_pdf_and_the_results_are_printed_before_it_is_told(tmp_path):
    """The issue's own steps: a good PDF, then the disk full; the second run used to exit 0 over a 0-byte file."""
    with small_disk(tmp_path / "S") as disk:
        pdf = disk / "r.pdf"
        first = run_cli("check", *DEMO, "--report", str(pdf))
        assert first.returncode == 0, first.stderr
        good = pdf.read_bytes()
        assert good.startswith(b"%PDF-") and len(good) > 10_000
        fill(disk)
        second = run_cli("check", *DEMO, "--report", str(pdf))
        assert second.returncode == 3
        assert second.stdout == first.stdout and second.stdout.strip().endswith("Ready")  # every result as before
        _told_once(second.stderr, pdf, "full")
        assert say("files.not_saved_kept", path=pdf, reason=say("files.reasons.full")) in second.stderr
        as_json = run_cli("check", *DEMO, "--json", "--report", str(pdf))
        assert as_json.returncode == 3
        jsonschema.validate(json.loads(as_json.stdout), SCHEMA)
        _told_once(as_json.stderr, pdf, "full")
        assert pdf.read_bytes() == good and _leftovers(disk) == []


def test_a_full_disk_keeps_the_old_json_and_html_whole(tmp_path):
    report = build_report([])
    with small_disk(tmp_path / "S") as disk:
        for name in ("r.json", "r.html"):
            save_report(report, disk / name)
        old = {name: (disk / name).read_bytes() for name in ("r.json", "r.html")}
        fill(disk)
        for name in ("r.json", "r.html"):
            with pytest.raises(NotSaved) as caught:
                save_report(report, disk / name)
            assert caught.value.reason == "full" and caught.value.kept and caught.value.path == disk / name
            assert (disk / name).read_bytes() == old[name]
        with pytest.raises(NotSaved) as caught:  # a new file on a full disk: nothing is left behind
            save_report(report, disk / "new.json")
        assert not caught.value.kept and not (disk / "new.json").exists()
        assert _leftovers(disk) == []


def test_a_file_that_does_not_read_back_whole_never_replaces_the_old_one(tmp_path):
    """A writer that fails without a word (as Qt's PDF writer does) leaves a short file: it is caught on reading
    back, with room on the disk (so not put down to a full one)."""
    path = tmp_path / "r.pdf"
    write_atomically(path.with_suffix(".json"), "{}")
    path.write_bytes(b"%PDF-1.4 old and whole\nstartxref\n0\n%%EOF\n")
    for half in (b"", b"%PDF-1.4 cut off in the mid"):
        with pytest.raises(NotSaved) as caught, replacing(path) as tmp:
            tmp.write_bytes(half)
        assert caught.value.reason == "incomplete"
        assert path.read_bytes().endswith(b"%%EOF\n")
    with pytest.raises(NotSaved):
        write_atomically(path.with_suffix(".json"), '{"cut": ')
    assert path.with_suffix(".json").read_text() == "{}" and _leftovers(tmp_path) == []
    write_atomically(tmp_path / "empty.txt", "")  # meant to be empty: what was meant is what counts
    assert (tmp_path / "empty.txt").read_bytes() == b""


@pytest.mark.parametrize(("name", "protect", "reason"), [
    ("r.json", lambda disk: immutable(disk / "r.json"), "not_allowed"),
    ("r.html", read_only, "read_only_disk"),
])
def test_a_protected_report_keeps_the_results_and_is_told_with_its_own_exit_code(tmp_path, name, protect, reason):
    """An immutable file (``chattr +i``), a read-only disk: the checks' results are printed (text or JSON), then the
    failure; exit 3, never 2 (a usage error) with nothing on stdout."""
    with small_disk(tmp_path / "S") as disk:
        report = disk / name
        assert run_cli("check", *QUICK, "--report", str(report)).returncode == 0
        old = report.read_bytes()
        protect(disk)
        as_json = run_cli("check", *QUICK, "--json", "--report", str(report))
        as_text = run_cli("check", *QUICK, "--report", str(report))
        assert as_json.returncode == as_text.returncode == 3
        assert [c["id"] for c in json.loads(as_json.stdout)["checks"]] == ["system.power"]
        assert say("system.power.title") in as_text.stdout
        for done in (as_json, as_text):
            _told_once(done.stderr, report, reason)
        assert report.read_bytes() == old and _leftovers(disk) == []


def test_a_read_only_file_is_not_replaced_for_a_user(tmp_path):
    """A user (not root: root may write anything) who made the report read-only keeps it: renaming over it would
    be allowed in a folder they may write, so it is checked first."""
    folder = Path(tempfile.mkdtemp(prefix="ir-read-only-"))  # pytest's own folders are root's alone
    try:
        os.chmod(folder, 0o777)
        path = folder / "r.json"
        path.write_text('{"old": true}')
        os.chmod(path, 0o444)
        os.chown(path, 65534, 65534)
        say("files.reasons.read_only_file")  # the wording read before the child can no longer read root's files
        pid = os.fork()
        if pid == 0:  # the child: nobody
            code = 1
            try:
                os.setgid(65534)
                os.setuid(65534)
                write_atomically(path, '{"new": true}')
            except NotSaved as error:
                code = 10 if error.reason == "read_only_file" and error.kept else 11
            except BaseException:
                code = 12
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 10
        assert path.read_text() == '{"old": true}' and _leftovers(folder) == []
    finally:
        for p in folder.iterdir():
            p.unlink()
        folder.rmdir()


def _check_under_umask(umask: int, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app", "check", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=120, env={**os.environ, "NO_COLOR": "1"}, preexec_fn=lambda: os.umask(umask))


def test_a_report_follows_the_umask_and_one_with_a_picture_is_the_users_alone(tmp_path):
    framing = ("--demo", "--only", "camera.framing")
    for suffix in ("json", "html"):
        plain, pictured = tmp_path / f"plain.{suffix}", tmp_path / f"pictured.{suffix}"
        assert _check_under_umask(0o027, *framing, "--report", str(plain)).returncode == 0
        assert _check_under_umask(0o002, *framing, "--snapshot", "--report", str(pictured)).returncode == 0
        assert "base64" not in plain.read_text() and "base64" in pictured.read_text()
        assert plain.stat().st_mode & 0o777 == 0o640
        assert pictured.stat().st_mode & 0o777 == 0o600
    assert file_mode(private=True) == 0o600


def test_a_pdf_with_a_picture_is_the_users_alone(tmp_path):
    pdf = tmp_path / "pictured.pdf"
    done = _check_under_umask(0o022, "--demo", "--only", "camera.framing", "--snapshot", "--report", str(pdf))
    assert done.returncode == 0, done.stderr
    assert pdf.read_bytes().startswith(b"%PDF-") and pdf.stat().st_mode & 0o777 == 0o600
