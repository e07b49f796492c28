"""The one rounding rule for stored figures (:mod:`checks.text.figures`): each unit's figure is rounded once, where a
result is made, and shown as stored; rounding it again changes nothing."""

from __future__ import annotations

import math
import random

import pytest

from checks.api import Check, Status
from checks.report.model import format_value
from checks.text.figures import ROUNDING, WORDED, figure, stored, stored_details
from checks.text.wording import number, set_language


@pytest.mark.parametrize(("value", "unit", "kept", "shown"), [
    (9.463, "Mbit/s", 9.5, "9.5"), (251.4, "Mbit/s", 251, "251"), (2.0, "Mbit/s", 2, "2"),
    (0.24, "ms", 0.2, "0.2"), (9.96, "ms", 10, "10"), (45.63, "ms", 45.6, "45.6"), (1234.5, "ms", 1234, "1234"),
    (-23.46, "dBFS", -23.5, "−23.5"), (41.84, "dB", 41.8, "41.8"), (-0.04, "dB", 0, "0"),
    (0.01234, "%", 0.012, "0.012"), (15.6, "%", 16, "16"), (3.46, "%", 3.5, "3.5"),
    (0.0349, "s", 0.03, "0.03"), (12.884, "s", 12.88, "12.88"), (29.7, "fps", 30, "30"), (48000, "Hz", 48000, "48000"),
    (4.35, "clutter points", 4.3, "4.3"), (178.4, "of 255 brightness", 178, "178"),
])
def test_each_unit_keeps_its_figure(value, unit, kept, shown):
    assert stored(value, unit) == kept
    assert figure(value, unit) == shown


def test_a_figure_is_never_rounded_twice():
    """The jitter that read "0.1 ms" beside a sentence saying "0.0 ms": rounded to 0.05 when stored, then again when
    shown. Now the figure is rounded once, and the sentence, the value and the report show the same one."""
    assert stored(0.049, "ms") == 0 and figure(0.049, "ms") == "0"
    rng = random.Random(24)
    for unit in [*ROUNDING, "points"]:
        for _ in range(2000):
            value = rng.choice([-1, 1]) * 10 ** rng.uniform(-4, 4)
            kept = stored(value, unit)
            assert stored(kept, unit) == kept, (unit, value)  # rounding the stored figure again changes nothing
            assert figure(kept, unit) == figure(value, unit), (unit, value)
            assert float(figure(value, unit).replace("−", "-")) == kept, (unit, value)
            digits, most = ROUNDING.get(unit, WORDED)  # so many significant digits, at most so many decimals
            decimals = min(most, max(0, digits - 1 - math.floor(math.log10(abs(value)))))
            assert abs(kept - value) <= 0.5 * 10 ** -decimals * (1 + 1e-9), (unit, value)


class Measures(Check):
    id = "sample.figures"
    title = "Figures"
    category = "system"


def test_a_result_keeps_its_value_and_unit_details_rounded_by_the_rule():
    result = Measures().result(Status.PASS, "Measured.", value=0.0123456, unit="%", details={
        "delay_ms": 45.67, "rt60_s": 0.6349, "noise_dbfs": -61.96, "loss_percent": 0.05, "rate_mbps": 9.463,
        "count": 3, "share": 0.123456, "name": "x"})
    assert result.value == 0.012
    assert result.details == {"delay_ms": 45.7, "rt60_s": 0.63, "noise_dbfs": -62, "loss_percent": 0.05,
                              "rate_mbps": 9.5, "count": 3, "share": 0.123456, "name": "x"}
    assert stored_details(result.details) == result.details


def test_a_figure_is_written_in_the_language_s_digits():
    result = Measures().result(Status.PASS, "Measured.", value=-23.46, unit="dBFS")
    try:
        set_language("de")
        assert format_value(result) == f"{number(figure(result.value, 'dBFS'))} dBFS" == "−23,5 dBFS"
    finally:
        set_language("en")
    assert format_value(result) == "−23.5 dBFS"
