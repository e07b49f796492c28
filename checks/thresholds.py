"""Thresholds from one place: ``assets/thresholds.toml``, overridable by a profile.

Each check reads its own table (keyed by its id). A third-party check's ``defaults`` come first,
the defaults file over them, and profile overrides last.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from checks.resources import load_toml_asset


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


class Thresholds:
    """The thresholds in force for one run."""

    def __init__(self, overrides: Mapping[str, Any] | None = None) -> None:
        self._table = _merge(load_toml_asset("thresholds.toml"), overrides or {})

    def for_check(self, check_id: str, defaults: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The thresholds of one check: its own defaults, then the file and overrides."""
        return _merge(dict(defaults or {}), self._table.get(check_id, {}))

    def runner(self, key: str) -> float:
        """A runner setting, such as ``deadline_s`` (seconds)."""
        return float(self._table["runner"][key])

    def deadline(self, check_id: str, declared: float | None) -> float:
        """A check's deadline in seconds: the file's per-check value, else the check's own, else the default."""
        own = self._table.get(check_id, {}).get("deadline_s")
        if own is not None:
            return float(own)
        return float(declared) if declared else self.runner("deadline_s")
