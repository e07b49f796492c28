"""The throughput graph widget, offscreen: samples, the runner's progress messages, painting, accessibility."""

from __future__ import annotations

import pytest

from app.throughput_graph import COLOURS, ThroughputGraph, mbps_in
from checks.text.wording import say


@pytest.fixture
def graph(qtbot):
    widget = ThroughputGraph(window_s=10.0)
    qtbot.addWidget(widget)
    widget.resize(300, 120)
    widget.show()
    return widget


def has_colour(image, colour, tolerance=40) -> bool:
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            pixel = image.pixelColor(x, y)
            if (abs(pixel.red() - colour.red()) + abs(pixel.green() - colour.green())
                    + abs(pixel.blue() - colour.blue())) < tolerance:
                return True
    return False


def test_starts_empty_with_an_accessible_name(graph):
    assert graph.accessibleName() == say("throughput_graph.name")
    assert graph.accessibleDescription() == say("throughput_graph.empty")
    assert not has_colour(graph.grab().toImage(), COLOURS["download"])


def test_samples_are_drawn_and_told_as_text(graph):
    for i in range(20):
        graph.add_sample(i * 0.25, 8.0 + (i % 3))
    assert len(graph.series["download"]) == 20
    assert graph.accessibleDescription() == say("throughput_graph.latest", direction="Download", mbps="9.0")
    assert graph.scale() == (10.0, 10.0)
    assert has_colour(graph.grab().toImage(), COLOURS["download"])
    graph.add_sample(float("nan"), 3.0)  # ignored
    graph.add_sample(1.0, -2.0)
    assert len(graph.series["download"]) == 20


def test_takes_samples_from_the_checks_progress_messages(graph):
    graph.on_check_progress("network.download", 0.2, say("network.download.progress", mbps="12.5"))
    graph.on_check_progress("network.upload", 0.1, say("network.upload.progress", mbps="3.5"))
    graph.on_check_progress("network.upload", 0.5, say("network.upload.progress_speedtest"))  # no figure
    graph.on_check_progress("mic.level", 0.5, "Listening… 4 Mbit/s")  # not a throughput check
    assert [m for _, m in graph.series["download"]] == [12.5]
    assert [m for _, m in graph.series["upload"]] == [3.5]
    assert graph.scale()[1] == 20.0
    graph.on_check_progress("network.upload", 0.6, say("network.upload.progress", mbps="4.5"))
    assert len(graph.series["upload"]) == 2
    assert graph.series["upload"][1][0] >= graph.series["upload"][0][0]
    graph.clear()
    assert graph.series == {"download": [], "upload": []}
    assert graph.accessibleDescription() == say("throughput_graph.empty")


def test_reads_the_figure_in_a_message():
    assert mbps_in("Measuring download speed… 38.26 Mbit/s") == 38.26
    assert mbps_in("Measuring download speed with speedtest.net…") is None


def test_keeps_a_bounded_history(qtbot):
    widget = ThroughputGraph(max_points=50)
    qtbot.addWidget(widget)
    for i in range(200):
        widget.add_sample(i * 0.05, 1.0)
    assert len(widget.series["download"]) == 50 and widget.series["download"][0][0] == pytest.approx(7.5)
    with pytest.raises(ValueError):
        widget.set_direction("sideways")
