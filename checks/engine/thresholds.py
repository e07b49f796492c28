"""Thresholds from one place: ``assets/thresholds.toml``, overridable by a profile.

Each check reads its own table (keyed by its id). A third-party check's ``defaults`` come first,
the defaults file over them, and profile overrides last. What a profile may set, and within which bounds, is
declared in ``assets/threshold_limits.toml`` (one line per threshold); :func:`override_problems` judges a profile's
overrides against it.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from checks.config.servers import StunServer
from checks.text.resources import load_toml_asset
from checks.text.wording import say

LIMITS_FILE = "threshold_limits.toml"
EVERY_CHECK, NETWORK = "*", "network"  # the declarations every check has, and those every network.* check shares
FIXED = ("runner", "guard")
"""Tables of thresholds.toml that no profile may change: the runner's and interview mode's own settings."""
_NOT_CHECKS = (*FIXED, NETWORK)      # tables of thresholds.toml that are no check's own
_DECLARATION = re.compile(r"^(?:(number|whole) (-?[0-9.]+)\.\.(-?[0-9.]+)|one of ([a-z0-9_, ]+)|endpoints ([0-9]+)"
                          r"|(yes or no)|text)$")


@dataclass(frozen=True)
class Limit:
    """What one threshold may be: a number (whole or not) within bounds, one of some words, endpoints, a switch
    (yes or no), or text."""

    kind: str
    low: float = 0.0
    high: float = 0.0
    choices: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: object) -> Limit:
        match = _DECLARATION.match(text) if isinstance(text, str) else None
        if not match:
            raise ValueError(f"{text!r} is not a declaration such as \"number 0..100\" (see {LIMITS_FILE})")
        kind, low, high, words, count, switch = match.groups()
        if kind:
            return cls(kind, float(low), float(high))
        if words:
            return cls("one of", choices=tuple(w.strip() for w in words.split(",")))
        if count:
            return cls("endpoints", high=float(count))
        return cls(switch or "text")

    def problem(self, value: Any) -> str | None:
        """What is wrong with ``value`` in words, or None when it is allowed."""
        if self.kind in ("number", "whole"):
            wanted = say(f"profile_errors.{'whole' if self.kind == 'whole' else 'number'}_range",
                         low=f"{self.low:g}", high=f"{self.high:g}")
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                return wanted
            if (self.kind == "whole" and value != int(value)) or not self.low <= value <= self.high:
                return wanted
            return None
        if self.kind == "yes or no":
            return None if isinstance(value, bool) else say("profile_errors.yes_or_no")
        if self.kind == "one of":
            return None if value in self.choices else say("profile_errors.one_of", choices=", ".join(self.choices))
        if self.kind == "endpoints":
            if not isinstance(value, list) or not 1 <= len(value) <= self.high:
                return say("profile_errors.endpoints", most=f"{self.high:g}")
            for item in value:
                try:
                    StunServer.parse(item if isinstance(item, str) else "")
                except ValueError as error:
                    return say("profile_errors.endpoint", item=repr(item), problem=str(error).removeprefix("--stun "))
            return None
        if not isinstance(value, str) or len(value) > 200:  # the profile refuses control characters in any text
            return say("profile_errors.text")
        return None


def declared() -> dict[str, dict[str, Any]]:
    """The declarations file as it is written (tables of "kind bounds" text)."""
    return load_toml_asset(LIMITS_FILE)


def check_ids() -> set[str]:
    """The checks a profile may set thresholds for: those with a table in either file."""
    return {t for t in {*load_toml_asset("thresholds.toml"), *declared()} if t not in (*_NOT_CHECKS, EVERY_CHECK)}


def declaration(check_id: str, key: str) -> Limit | None:
    """The declaration of ``key`` for ``check_id`` (its own, else the network checks', else every check's)."""
    tables = [check_id, *([NETWORK] if check_id.startswith(NETWORK + ".") else []), EVERY_CHECK]
    for table in tables:
        text = declared().get(table, {}).get(key)
        if text is not None:
            return Limit.parse(text)
    return None


def override_problems(overrides: Mapping[str, Any]) -> list[tuple[tuple[str, ...], str]]:
    """A profile's threshold overrides judged against the declarations: (location, what is wrong) for each fault."""
    known = check_ids()
    problems: list[tuple[tuple[str, ...], str]] = []
    for check_id, table in overrides.items():
        if check_id not in known:
            problems.append(((check_id,), say("profile_errors.not_tunable")))
            continue
        for key, value in (table.items() if isinstance(table, Mapping) else ()):
            limit = declaration(check_id, key)
            if limit is None:
                names = sorted({*declared().get(check_id, {}), *load_toml_asset("thresholds.toml").get(check_id, {})})
                problems.append(((check_id, key), say("profile_errors.not_a_threshold", check=check_id,
                                                      names=", ".join(names))))
            elif (problem := limit.problem(value)) is not None:
                problems.append(((check_id, key), problem))
    return problems


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
