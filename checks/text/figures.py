"""How a measured figure is rounded: one rule per unit, applied once, where a result is made.

A result's value and the figures in its details are rounded here when the result is made (:meth:`Check.result
<checks.api.Check.result>`), and its sentence names the same figure (:func:`figure`), so the JSON export, the window,
the command line and the reports all show the one number the check stored, and nothing rounds it again.

The rule is a number of significant digits, no more decimals than the unit's finest and never fewer than whole:
0.24 ms is "0.2 ms", 45.63 ms "45.6 ms", 1234.5 ms "1234 ms"; a clipped share of 0.0123 % keeps "0.012 %"; a level of
−23.46 dBFS is "−23.5 dBFS". The whole part of a number is never rounded away.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Mapping
from typing import Any

ROUNDING: Mapping[str, tuple[int, int]] = {
    # unit: (significant digits, most decimals)
    "Mbit/s": (3, 1),  # 0.3, 9.5, 95.3, 251
    "ms": (3, 1),      # 0.2, 4.6, 45.6, 123
    "dB": (3, 1),      # a level, a ratio, an echo's return: −23.5, 18.3, 0.4
    "dBFS": (3, 1),
    "%": (2, 3),       # 0.012 (a clipped share), 0.5, 3.5, 16
    "s": (4, 2),       # 0.04 (a dropout), 0.63 (a room's decay), 7.98, 62.5, 1234
    "fps": (2, 0),     # whole frames a second
    "Hz": (2, 0),
}
"""The rounding of each unit. A unit said in words (the camera's "sharpness points", "of 255 brightness", "times")
follows :data:`WORDED`."""
WORDED = (2, 1)
"""The rounding of a figure whose unit is said in words: a score or a count (4.3, 45, 123)."""
DETAIL_UNITS: Mapping[str, str] = {"mbps": "Mbit/s", "ms": "ms", "db": "dB", "dbfs": "dBFS", "percent": "%",
                                   "pct": "%", "s": "s", "hz": "Hz"}
"""A detail's unit, by how its name ends (``delay_ms``, ``noise_dbfs``, ``loss_percent``, ``rt60_s``): such a
figure is rounded by its unit's rule too."""


_FIGURE = re.compile(r"−?\d+(\.\d+)?")


def _decimals(value: float, unit: str) -> int:
    digits, most = ROUNDING.get(unit, WORDED)
    if value == 0 or not math.isfinite(value):
        return 0
    return min(most, max(0, digits - 1 - math.floor(math.log10(abs(value)))))


def stored(value: float, unit: str) -> float:
    """``value`` as a result keeps it: rounded by ``unit``'s rule (a whole number stays one). Rounding a stored
    figure again changes nothing."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return value
    value = int(value) if isinstance(value, numbers.Integral) else float(value)  # numpy's numbers too
    if not math.isfinite(value):
        return value
    rounded = round(value, _decimals(value, unit))
    again = round(rounded, _decimals(rounded, unit))  # 9.96 ms is 10.0, then whole: 10
    return again + 0.0 if again == 0 else again  # never −0


def figure(value: float, unit: str) -> str:
    """``value`` as a sentence and a report show it: the stored figure, its decimals as stored (no trailing zeros)
    and a true minus sign; the caller's language writes the decimal separator (:func:`checks.text.wording.number`)."""
    kept = stored(value, unit)
    text = f"{kept:.{_decimals(kept, unit)}f}" if isinstance(kept, float) else str(kept)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace("-", "−")


def figure_value(text: Any) -> float | int | None:
    """The number a :func:`figure` says (``"−23.5"``: −23.5, ``"46"``: 46), else None: what a sentence's field named
    goes back into the details as the number stored."""
    if not isinstance(text, str) or not _FIGURE.fullmatch(text):
        return None
    plain = text.replace("−", "-")
    return float(plain) if "." in plain else int(plain)


def detail_unit(name: str) -> str | None:
    """The unit of the detail ``name`` by how it ends (``after_s``: ``s``), else None."""
    return DETAIL_UNITS.get(name.rsplit("_", 1)[-1]) if "_" in name else None


def stored_details(details: Mapping[str, Any]) -> dict[str, Any]:
    """``details`` with each figure whose name ends in a unit rounded by that unit's rule."""
    out = dict(details)
    for name, value in out.items():
        unit = detail_unit(name)
        if unit is not None:
            out[name] = stored(value, unit)
    return out
