"""The plots: series in the API, the SVG chart (its geometry, text and escaping), and Qt drawing that same SVG."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from checks.api import MAX_POINTS, CheckResult, Guide, Series, Status, thin
from checks.report.plots import HEIGHT, LINE_COLOURS, WIDTH, chart_svg, describe, nice_scale
from checks.text.wording import say

SVG = "{http://www.w3.org/2000/svg}"


def _series(points, label="Download", guides=()):
    return Series(label, "s", "Mbit/s", points, guides)


def test_a_long_series_is_averaged_down_keeping_its_mean_and_span():
    points = tuple((i * 0.05, 10 + math.sin(i / 7)) for i in range(1000))
    s = _series(points)
    assert len(s.points) == MAX_POINTS
    assert np.mean([p[1] for p in s.points]) == pytest.approx(np.mean([p[1] for p in points]), abs=0.01)
    assert s.points[0][0] < 0.2 and s.points[-1][0] > 49.7
    assert all(a[0] < b[0] for a, b in zip(s.points, s.points[1:], strict=False))
    assert thin(points[:10], MAX_POINTS) == points[:10]  # a short one is kept as it is


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "x"])
def test_a_series_holds_finite_numbers_only(bad):
    with pytest.raises(ValueError):
        _series([(0.0, 1.0), (1.0, bad)])
    with pytest.raises(ValueError):
        _series([(0.0, 1.0)], guides=(Guide(bad, "limit"),))
    with pytest.raises(ValueError):
        _series([(0.0, 1.0)], guides=((1.0, "not a Guide"),))


def test_series_in_the_json_report():
    result = CheckResult("network.download", "Download speed", "network", Status.PASS, "fine",
                         series=[_series([(0.0, 9.5), (0.5, 10.25)], guides=(Guide(3.0, "Zoom needs"),))])
    assert result.to_dict()["series"] == [{"label": "Download", "x_unit": "s", "y_unit": "Mbit/s",
                                           "points": [[0.0, 9.5], [0.5, 10.25]],
                                           "guides": [{"value": 3.0, "label": "Zoom needs"}]}]
    assert "picture" not in result.to_dict()


@pytest.mark.parametrize(("lo", "hi", "from_zero", "ticks"), [
    (0.3, 9.7, False, (0, 5, 10)),
    (2.0, 38.0, True, (0, 10, 20, 30, 40)),
    (-61.0, -13.0, False, (-80, -60, -40, -20, 0)),
    (5.0, 5.0, False, (4, 4.5, 5, 5.5, 6)),
    (0.0, 0.0, True, (0, 0.5, 1)),  # nothing moved: no axis below zero
])
def test_axes_are_widened_to_round_numbers(lo, hi, from_zero, ticks):
    scale = nice_scale(lo, hi, 4, from_zero=from_zero)
    assert scale.ticks == ticks
    assert scale.lo <= lo and scale.hi >= hi


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_the_chart_puts_each_point_where_it_belongs():
    points = [(0.0, 0.0), (5.0, 10.0), (10.0, 5.0)]
    root = _parse(chart_svg([_series(points)], "Download speed over time"))
    assert root.get("role") == "img" and root.get("aria-label") == "Download speed over time"
    line = root.find(f"{SVG}polyline")
    coords = [tuple(map(float, pair.split(","))) for pair in line.get("points").split()]
    xs, ys = zip(*coords, strict=True)
    # x: 0..10 s spans the plot's width; y: 0..10 Mbit/s its height, upwards
    assert xs[1] - xs[0] == pytest.approx(xs[2] - xs[1])
    assert ys[0] > ys[2] > ys[1]
    assert ys[0] - ys[2] == pytest.approx(ys[2] - ys[1], abs=0.2)
    assert all(0 < x < WIDTH for x in xs) and all(0 < y < HEIGHT for y in ys)
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert {"0", "5", "10", "s", "Mbit/s", "Download"} <= set(labels)


def test_limits_are_labelled_lines_and_lines_differ_in_dash_not_only_colour():
    down = _series([(0.0, 8.0), (4.0, 9.0)], "Download", (Guide(3.0, "Zoom needs"),))
    up = _series([(0.0, 2.0), (4.0, 2.5)], "Upload")
    root = _parse(chart_svg([down, up], "Speed"))
    polylines = root.findall(f"{SVG}polyline")
    assert [p.get("stroke") for p in polylines] == list(LINE_COLOURS[:2])
    assert polylines[0].get("stroke-dasharray") is None and polylines[1].get("stroke-dasharray")
    guide_lines = [e for e in root.iter(f"{SVG}line") if e.get("stroke-dasharray") == "4 4"]
    assert len(guide_lines) == 1
    assert "Zoom needs" in [t.text for t in root.iter(f"{SVG}text")]
    # the limit at 3 Mbit/s lies between the upload line (2–2.5) and the download line (8–9)
    guide_y = float(guide_lines[0].get("y1"))
    up_ys = [float(p.split(",")[1]) for p in polylines[1].get("points").split()]
    down_ys = [float(p.split(",")[1]) for p in polylines[0].get("points").split()]
    assert max(down_ys) < guide_y < min(up_ys)


def test_the_description_says_what_the_chart_shows():
    s = _series([(0.0, 8.0), (2.0, 10.0), (4.0, 12.0)], guides=(Guide(3.0, "Zoom needs"),))
    text = describe([s])
    assert text == (say("plot.describe", label="Download", unit="Mbit/s", low="8.0", high="12.0", mean="10.0",
                        span="4.0", x_unit="s") + " " + say("plot.guide", label="Zoom needs", value="3.0",
                                                             unit="Mbit/s"))
    root = _parse(chart_svg([s], "t"))
    assert root.find(f"{SVG}desc").text == text


def test_text_from_anywhere_is_escaped():
    evil = '<script>alert("x")</script> & "quotes"'
    svg = chart_svg([_series([(0.0, 1.0), (1.0, 2.0)], evil, (Guide(1.5, evil),))], evil)
    assert "<script>" not in svg
    root = _parse(svg)
    assert root.find(f"{SVG}title").text == evil
    assert root.get("aria-label") == evil
    assert [t.text for t in root.iter(f"{SVG}text")].count(evil) == 2  # the legend and the limit
    assert not list(root.iter(f"{SVG}script"))


def test_an_empty_series_still_gives_a_valid_chart():
    root = _parse(chart_svg([_series([])], "Nothing"))
    assert root.find(f"{SVG}polyline") is None
    assert root.find(f"{SVG}desc").text == say("plot.empty", label="Download")


def test_qt_draws_the_same_svg_with_the_line_where_the_svg_puts_it(qapp):
    from app.export import figure_image
    from checks.report.export import Figure

    s = _series([(0.0, 5.0), (10.0, 5.0)])  # a flat line at 5 on a 0..5 axis: at the top of the plot
    svg = chart_svg([s], "flat")
    y_svg = float(_parse(svg).find(f"{SVG}polyline").get("points").split()[0].split(",")[1])
    image = figure_image(Figure("plot/x", "flat", "", WIDTH, HEIGHT, svg=svg), scale=1.0)
    assert (image.width(), image.height()) == (WIDTH, HEIGHT)
    colour = tuple(int(LINE_COLOURS[0][i:i + 2], 16) for i in (1, 3, 5))
    rows = [y for y in range(HEIGHT)
            if sum(1 for x in range(60, WIDTH - 30, 10)
                   if _close(image.pixelColor(x, y).getRgb()[:3], colour)) > 20]
    assert rows, "the line was not drawn"
    assert min(rows) <= y_svg <= max(rows) + 1


def _close(rgb, target, tolerance=40):
    return all(abs(a - b) <= tolerance for a, b in zip(rgb, target, strict=True))


def test_number_formatting_in_ticks_uses_a_real_minus():
    svg = chart_svg([Series("Sound level", "s", "dBFS", [(0.0, -60.0), (1.0, -20.0)])], "Sound")
    assert "−60" in svg and not re.search(r">-\d", svg)
