"""The report model: the verdict over all results, the JSON schema ``interview-ready/report@1``, and text."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from checks import __version__
from checks.api import CATEGORIES, CheckResult, Status
from checks.wording import say, say_n

SCHEMA = "interview-ready/report@1"
_COLOURS = {Status.PASS: "32", Status.WARN: "33", Status.FAIL: "31", Status.ERROR: "31", Status.SKIP: "2"}


@dataclass(frozen=True)
class Report:
    results: tuple[CheckResult, ...]
    generated_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    app_version: str = __version__
    profile: str | None = None
    backup_channels: tuple[dict[str, Any], ...] = ()
    reminders: tuple[str, ...] = ()

    @property
    def problems(self) -> list[CheckResult]:
        return [r for r in self.results if r.status.is_problem]

    @property
    def improvements(self) -> list[CheckResult]:
        return [r for r in self.results if r.status is Status.WARN]

    @property
    def overall(self) -> str:
        """``ready``, ``warnings`` or ``not_ready`` (a failed or errored check)."""
        if self.problems:
            return "not_ready"
        return "warnings" if self.improvements else "ready"

    def headline(self) -> str:
        """The one summary line: "Ready", "Ready, with 2 things to improve", "Not ready: 1 problem"."""
        if self.problems:
            return say_n("verdict.problems", len(self.problems))
        if self.improvements:
            return say_n("verdict.warnings", len(self.improvements))
        return say("verdict.ready")

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
            "app_version": self.app_version,
            "overall": self.overall,
            "headline": self.headline(),
            "profile": self.profile,
            "checks": [r.to_dict() for r in self.results],
            "backup_channels": list(self.backup_channels),
            "reminders": list(self.reminders),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def by_category(self) -> list[tuple[str, list[CheckResult]]]:
        order = list(CATEGORIES) + sorted({r.category for r in self.results} - set(CATEGORIES))
        return [(c, [r for r in self.results if r.category == c]) for c in order
                if any(r.category == c for r in self.results)]

    def render_text(self, colour: bool = False) -> str:
        """A doctor-style report: a line per check with its mark, value and summary, then indented advice."""

        def paint(text: str, status: Status) -> str:
            return f"\033[{_COLOURS[status]}m{text}\033[0m" if colour else text

        lines: list[str] = []
        for category, results in self.by_category():
            lines.append(category_label(category))
            for r in results:
                mark = paint(f"[{say(f'status_mark.{r.status.value}')}]", r.status)
                value = f" ({format_value(r)})" if r.value is not None else ""
                lines.append(f"  {mark} {r.title}{value}: {r.summary}")
                lines.extend(f"      • {line}" for line in r.advice)
            lines.append("")
        lines.append(self.headline())
        return "\n".join(lines)


def format_value(result: CheckResult) -> str:
    """A result's measured value with its unit, e.g. ``48000 Hz`` or ``12.5 %``."""
    if result.value is None:
        return ""
    value = result.value
    text = f"{value:.0f}" if float(value).is_integer() or abs(value) >= 100 else f"{value:.1f}"
    return f"{text} {result.unit}".strip()


def category_label(category: str) -> str:
    """A category as people read it ("This computer"); a third-party category as it is."""
    return say(f"category.{category}") if category in CATEGORIES else category
