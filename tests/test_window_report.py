"""The window's report tab, recruiter profiles opened from the menu or dropped on the window, and sharing."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QGuiApplication
from PySide6.QtWidgets import QMessageBox

from app.cli import make_parser
from app.session import resolve
from app.window import MainWindow
from checks.report.export import summary_text
from checks.text.wording import say
from tests.support.dialogs import answering

ARGS = ["--camera", "none", "--mic", "none", "--network", "none", "--only", "system.power,camera.device"]


def _window(qtbot, args=ARGS):
    parsed = make_parser().parse_args(args)

    def reload(path):
        return resolve(make_parser().parse_args([*args, "--profile", str(path)]))

    window = MainWindow(resolve(parsed), reload=reload)
    qtbot.addWidget(window)
    window.show()
    return window


def _run(qtbot, window):
    with qtbot.waitSignal(window.run_finished, timeout=30_000) as blocker:
        window.start()
    return blocker.args[0]


def test_the_report_tab_shows_the_run_and_the_summary_can_be_copied(qtbot):
    window = _window(qtbot)
    assert not window.report_button.isEnabled() and not window.copy_action.isEnabled()
    report = _run(qtbot, window)
    assert window.report is report and window.report_view.report() is report
    qtbot.mouseClick(window.report_button, Qt.MouseButton.LeftButton)
    assert window.tabs.currentWidget() is window.report_view
    window.copy_action.trigger()
    assert QGuiApplication.clipboard().text() == summary_text(report)


@pytest.fixture
def profile(tmp_path):
    path = tmp_path / "acme.toml"
    path.write_text('organisation = "Acme Hiring"\nrequired = ["system.*"]\n'
                    '[[backup_channels]]\nkind = "phone"\nlabel = "Recruiter"\nvalue = "+44 20 7946 0000"\n')
    return path


def _drop(window, path):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)


def test_a_dropped_profile_applies_and_checks_again(qtbot, profile):
    window = _window(qtbot)
    _run(qtbot, window)
    with qtbot.waitSignal(window.run_finished, timeout=30_000) as blocker:
        _drop(window, profile)
    report = blocker.args[0]
    assert report.profile == "Acme Hiring" and window.session.profile.name == "Acme Hiring"
    assert report.backup_channels and report.backup_channels[0]["value"] == "+44 20 7946 0000"
    camera = next(r for r in report.results if r.id == "camera.device")
    assert report.is_info(camera)  # the profile requires only system checks: the camera is for information
    row = next(i for i in window.items if i.data(0, Qt.ItemDataRole.UserRole) == "camera.device")
    assert row.text(1) == say("status.info")


def test_a_bad_profile_is_explained_and_changes_nothing(qtbot, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('organisation = "Acme"\nplatform = "carrier-pigeon"\n')
    window = _window(qtbot)
    before = window.session
    with answering() as seen:
        assert window.load_profile(bad) is False
    assert window.session is before
    assert seen and "platform" in seen[0][1] and str(bad) in seen[0][1]


def test_the_throughput_graph_follows_a_real_download(qtbot):
    import threading

    from tests.support.netservers import Server

    server = Server(("127.0.0.1", 0), "127.0.0.1", 0, False, None, None, 4)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        window = _window(qtbot, ["--camera", "none", "--mic", "none", "--network", "librespeed", "--server", url,
                                 "--only", "network.download"])
        assert window.throughput is not None
        report = _run(qtbot, window)
    finally:
        server.shutdown()
        server.server_close()
    [result] = report.results
    assert result.status.value in ("pass", "warn", "fail") and result.value > 0
    samples = window.throughput.series["download"]
    assert len(samples) >= 5 and all(mbps >= 0 for _, mbps in samples)


def test_no_graph_without_network_checks(qtbot):
    assert _window(qtbot).throughput is None


def test_the_guided_microphone_take_is_what_the_checks_analyse_and_can_be_heard(qtbot):
    from tests.conftest import DEMO

    window = _window(qtbot, ["--camera", "none", "--mic", str(DEMO / "speech.wav"), "--network", "none",
                             "--only", "mic.*"])
    panel = window.mic_panel
    assert panel is not None and panel.accessibleName()
    report = _run(qtbot, window)
    take = panel.take
    assert take is not None and take.samplerate == 48000 and len(take.samples) > 48000 * 5
    assert panel.prompt.text() == say("mic.guide.done")
    assert panel.playback.isEnabled()
    by_id = {r.id: r for r in report.results}
    assert by_id["mic.device"].status.value == "pass"
    assert by_id["mic.level"].status.value == "pass" and -24 < by_id["mic.level"].value < -16
    assert by_id["mic.noise"].value < -55
    assert by_id["mic.noise"].details["background_from"] == "pauses"  # a file's take is not a guided one


@pytest.mark.parametrize("ticked", [False, True])
def test_plots_show_in_the_report_tab_and_the_snapshot_only_when_ticked(qtbot, ticked):
    from PySide6.QtWidgets import QLabel

    from tests.conftest import DEMO

    window = _window(qtbot, ["--camera", str(DEMO / "camera.avi"), "--mic", str(DEMO / "speech.wav"),
                             "--network", "none", "--only", "camera.device,camera.framing,mic.device,mic.level"])
    box = window.camera_panel.snapshot_box
    assert box is not None and not box.isChecked() and box.accessibleName() == say("picture.opt_in")
    box.setChecked(ticked)
    report = _run(qtbot, window)
    framing = next(r for r in report.results if r.id == "camera.framing")
    assert (framing.picture is not None) is ticked
    figures = {label.accessibleName(): label for label in window.report_view.findChildren(QLabel)
               if label.pixmap() is not None and not label.pixmap().isNull() and label.accessibleDescription()}
    plot = figures.pop(say("plot.title", title="Speech level"))
    assert plot.accessibleDescription().startswith(say("plot.sound"))
    assert plot.pixmap().width() >= 520 and plot.pixmap().height() >= 160
    assert list(figures) == ([say("picture.title")] if ticked else [])
    texts = [label.text() for label in window.report_view.findChildren(QLabel)]
    assert say("report.export_note_picture" if ticked else "report.export_note") in texts


def test_no_microphone_panel_when_the_microphone_is_off(qtbot):
    assert _window(qtbot).mic_panel is None


def test_remembering_is_an_opt_in_and_shows_what_changed(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    from checks.storage.history import History, data_dir

    window = _window(qtbot)
    assert not window.remember_action.isChecked()
    _run(qtbot, window)
    assert not History(data_dir()).path.exists()  # nothing kept without the opt-in
    window.remember_action.setChecked(True)
    _run(qtbot, window)
    first = History(data_dir()).entries()
    assert len(first) == 1 and "camera.device" in first[0]["checks"]
    report = _run(qtbot, window)
    assert len(History(data_dir()).entries()) == 2
    assert isinstance(report.changes, tuple)
    assert str(data_dir()).startswith(str(tmp_path))


def test_an_export_is_confirmed_with_its_file_name(qtbot, tmp_path):
    """File → Export the report…, a file name typed in the dialog: the report is saved and the window says where,
    without a box to close."""
    window = _window(qtbot)
    _run(qtbot, window)
    path = tmp_path / "my-report.html"
    with answering(choose=path) as seen:
        window.export_action.trigger()
    assert seen == []
    assert path.read_text().rstrip().endswith("</html>")
    assert window.progress_text.text() == say("ui.exported", name="my-report.html", folder=tmp_path)


def test_a_failed_export_names_the_file_and_why_and_keeps_the_old_one(qtbot, tmp_path):
    """A good PDF, then the disk full (a real 1 MB tmpfs): the export is refused in a message box naming the file
    and the reason, and the PDF that was there is unchanged; the same for *Send to recruiter*."""
    from tests.support.disks import fill, small_disk

    window = _window(qtbot)
    _run(qtbot, window)
    with small_disk(tmp_path / "S") as disk:
        pdf = disk / "interview-ready-report.pdf"
        with answering() as seen:
            assert window.export_to(pdf)
        assert seen == [] and pdf.read_bytes().startswith(b"%PDF")
        good = pdf.read_bytes()
        fill(disk)
        with answering() as seen:
            assert not window.export_to(pdf)
        full = say("files.not_saved_kept", path=pdf, reason=say("files.reasons.full"))
        assert seen == [(QMessageBox.Icon.Warning, full)]
        with answering(choose=disk) as seen:
            window.send_action.trigger()
        assert seen == [(QMessageBox.Icon.Warning, full)]  # its PDF comes first
        assert pdf.read_bytes() == good and sorted(p.name for p in disk.iterdir()) == ["filler", pdf.name]
