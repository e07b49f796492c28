"""Plots of a check's measurements as SVG, without Qt: the HTML export embeds them, the PDF and the window draw the
same SVG with Qt's SVG renderer, so a plot looks the same everywhere.

One chart per check: its series share the axes (e.g. speech level in dBFS against seconds), each drawn with its
own dash pattern and named in the legend, so the lines are told apart without colour. The check's limits are
grey lines across the chart, each labelled. The SVG carries a ``<title>`` and a ``<desc>`` that says in words what
the chart shows (for screen readers and the PDF's alternative text). Every text is escaped.

Only SVG Tiny 1.2 features are used (lines, polylines, text, plain attributes), which is what Qt renders.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from checks.api import Series
from checks.text.wording import number, say

WIDTH, HEIGHT = 560, 180
LINE_COLOURS = ("#1e6ec8", "#c86e14", "#2e7d32", "#6a1b9a")
DASHES = ("", "6 3", "2 3", "8 3 2 3")
"""Each series' dash pattern (solid first), so lines differ in shape, not only in colour."""
GUIDE_COLOUR = "#757575"
FONT = 'font-family="DejaVu Sans, Arial, sans-serif" font-size="11"'


@dataclass(frozen=True)
class Scale:
    lo: float
    hi: float
    ticks: tuple[float, ...]


def nice_step(span: float, count: int) -> float:
    """A round step (1, 2 or 5 times a power of ten) that cuts ``span`` into about ``count`` parts."""
    raw = span / max(1, count)
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1.0, 2.0, 5.0, 10.0) if m * power >= raw)


def nice_scale(lo: float, hi: float, count: int = 4, *, from_zero: bool = False) -> Scale:
    """An axis from ``lo`` to ``hi`` widened to round numbers, with its tick values."""
    if from_zero and lo >= 0:
        lo = 0.0
    if not hi > lo:  # one value: a range around it (from zero, upwards: a speed of 0 is not drawn below zero)
        lo, hi = (lo, lo + 1.0) if from_zero and lo == 0 else (lo - 1.0, hi + 1.0)
    step = nice_step(hi - lo, count)
    start, end = math.floor(lo / step) * step, math.ceil(hi / step) * step
    ticks = tuple(round(start + i * step, 10) for i in range(round((end - start) / step) + 1))
    return Scale(start, end, ticks)


def tick_text(value: float) -> str:
    text = f"{value:g}" if abs(value) >= 1 or value == 0 else f"{value:.2g}"
    return number(text).replace("-", "−")


def _number(value: float) -> str:
    text = f"{value:.0f}" if abs(value) >= 100 else f"{value:.1f}"
    return text.replace("-", "−")


def describe(series: Sequence[Series]) -> str:
    """The chart in words: per series its span, lowest, highest and mean; then the limits."""
    parts = []
    for s in series:
        if not s.points:
            parts.append(say("plot.empty", label=s.label))
            continue
        xs, ys = [p[0] for p in s.points], [p[1] for p in s.points]
        parts.append(say("plot.describe", label=s.label, unit=s.y_unit, low=_number(min(ys)), high=_number(max(ys)),
                         mean=_number(sum(ys) / len(ys)), span=_number(max(xs) - min(xs)), x_unit=s.x_unit))
        parts.extend(say("plot.guide", label=g.label[:1].upper() + g.label[1:], value=_number(g.value), unit=s.y_unit)
                     for g in s.guides)
    return " ".join(parts)


def chart_svg(series: Sequence[Series], title: str, *, width: int = WIDTH, height: int = HEIGHT) -> str:
    """One chart of ``series`` (sharing their units) with their limits, as a standalone SVG document."""
    points = [p for s in series for p in s.points]
    guides = [g for s in series for g in s.guides]
    left, right, top, bottom = 46, width - 16, 24, height - 30
    xs = [p[0] for p in points] or [0.0, 1.0]
    ys = [p[1] for p in points] + [g.value for g in guides] or [0.0, 1.0]
    x_scale = nice_scale(min(xs), max(xs), 6, from_zero=True)
    y_scale = nice_scale(min(ys), max(ys), 4, from_zero=all(y >= 0 for y in ys))

    def px(x: float) -> float:
        return left + (right - left) * (x - x_scale.lo) / (x_scale.hi - x_scale.lo)

    def py(y: float) -> float:
        return bottom - (bottom - top) * (y - y_scale.lo) / (y_scale.hi - y_scale.lo)

    y_unit = series[0].y_unit if series else ""
    x_unit = series[0].x_unit if series else ""
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny" width="{width}" '
           f'height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label={quoteattr(title)}>',
           f"<title>{escape(title)}</title>", f"<desc>{escape(describe(series))}</desc>",
           f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>']
    for tick in y_scale.ticks:
        y = py(tick)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="#e0e0e0" stroke-width="1"/>')
        out.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" {FONT} fill="#444444">'
                   f"{escape(tick_text(tick))}</text>")
    for tick in x_scale.ticks:
        x = px(tick)
        out.append(f'<line x1="{x:.1f}" y1="{bottom}" x2="{x:.1f}" y2="{bottom + 4}" stroke="#444444"/>')
        out.append(f'<text x="{x:.1f}" y="{bottom + 15}" text-anchor="middle" {FONT} fill="#444444">'
                   f"{escape(tick_text(tick))}</text>")
    out.append(f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#444444" stroke-width="1"/>')
    out.append(f'<text x="{right}" y="{height - 3}" text-anchor="end" {FONT} fill="#444444">'
               f"{escape(x_unit)}</text>")
    out.append(f'<text x="4" y="14" {FONT} fill="#444444">{escape(y_unit)}</text>')
    for guide in guides:
        y = py(guide.value)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="{GUIDE_COLOUR}" '
                   f'stroke-width="1.5" stroke-dasharray="4 4"/>')
    legend_x = max(left, 16 + 7 * len(y_unit))
    for i, s in enumerate(series):
        colour, dash = LINE_COLOURS[i % len(LINE_COLOURS)], DASHES[i % len(DASHES)]
        dashing = f' stroke-dasharray="{dash}"' if dash else ""
        if s.points:
            coords = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in s.points)
            out.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2"'
                       f'{dashing} stroke-linejoin="round"/>')
        out.append(f'<line x1="{legend_x}" y1="12" x2="{legend_x + 22}" y2="12" stroke="{colour}" '
                   f'stroke-width="2"{dashing}/>')
        out.append(f'<text x="{legend_x + 26}" y="16" {FONT} fill="#202020">{escape(s.label)}</text>')
        legend_x += 40 + 7 * len(s.label)
    for guide in guides:  # the limits' names over the lines, on a white ground so that they stay readable
        y, text_width = py(guide.value), 6.5 * len(guide.label)
        out.append(f'<rect x="{right - 4 - text_width:.1f}" y="{y - 14:.1f}" width="{text_width + 4:.1f}" '
                   f'height="12" fill="#ffffff" fill-opacity="0.85"/>')
        out.append(f'<text x="{right - 2}" y="{y - 4:.1f}" text-anchor="end" {FONT} fill="#555555">'
                   f"{escape(guide.label)}</text>")
    out.append("</svg>")
    return "\n".join(out)
