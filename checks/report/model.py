"""The report model: the verdict over all results, the JSON schema ``interview-ready/report@1``, and text.

Checks a profile does not require are "info": they are shown, but never change the verdict. The fixes are ordered by
:func:`checks.report.harm.fix_order` (by how much each finding hurts an interview). :func:`build_report` fills in what a
profile adds (the interview, backup channels) and the general reminders and checklist from the wording.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from typing import TYPE_CHECKING, Any

from checks import __version__
from checks.api import BECAUSE, CATEGORIES, CheckResult, Status, check_title
from checks.report.harm import fix_order
from checks.text.figures import figure
from checks.text.wording import date_time, labelled, language, number, say, say_all, say_n

if TYPE_CHECKING:
    from checks.config.profile import Profile
    from checks.engine.thresholds import Thresholds

SCHEMA = "interview-ready/report@1"
_COLOURS = {Status.PASS: "32", Status.WARN: "33", Status.FAIL: "31", Status.ERROR: "31", Status.SKIP: "2"}




@dataclass(frozen=True)
class Cause:
    """One thing to fix and the checks it left "not checked" (they are judged again once it is fixed)."""

    result: CheckResult
    dependents: tuple[CheckResult, ...] = ()


@dataclass(frozen=True)
class Report:
    results: tuple[CheckResult, ...]
    generated_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    app_version: str = __version__
    language: str = field(default_factory=language)
    """The language of the report's words (the one in use when it was made); ids, statuses and numbers are the same
    in every language."""
    profile: str | None = None
    backup_channels: tuple[dict[str, Any], ...] = ()
    reminders: tuple[str, ...] = ()
    required: tuple[str, ...] | None = None
    """Patterns of the checks that count for the verdict (a profile's ``required``); None: every check counts."""
    interview: Mapping[str, Any] | None = None
    """What the profile says about the interview (organisation, role, starts_at, platform, links)."""
    checklist: tuple[str, ...] = ()
    changes: tuple[str, ...] = ()
    """What changed since the last remembered report ("Upload: 2.1 → 8.4 Mbps"); empty without history."""
    limits: Mapping[str, str] = field(default_factory=dict)
    """Per check id, the thresholds it was judged against, in words."""
    interview_record: tuple[str, ...] = ()
    """Interview mode's timeline ("14:12–14:13 connection down, 48 s"), only when the candidate added it."""

    def is_info(self, result: CheckResult) -> bool:
        """True for a check the profile does not require: shown "for information", never in the verdict."""
        from checks.config.profile import is_required

        return not is_required(result.id, list(self.required) if self.required is not None else None)

    def dependents(self, result: CheckResult) -> tuple[CheckResult, ...]:
        """The checks not judged because ``result`` failed (their ``details["because"]`` names it)."""
        return tuple(r for r in self.results if r.status is Status.SKIP and r.details.get(BECAUSE) == result.id)

    def counts(self, result: CheckResult) -> bool:
        """Whether ``result`` counts for the verdict: it is required, or a required check depends on it."""
        return not self.is_info(result) or any(not self.is_info(d) for d in self.dependents(result))

    @property
    def problems(self) -> list[CheckResult]:
        """The problems, one per cause: a check left unjudged by another's failure is not one of them."""
        return [r for r in self.results if r.status.is_problem and self.counts(r)]

    @property
    def improvements(self) -> list[CheckResult]:
        return [r for r in self.results if r.status is Status.WARN and self.counts(r)]

    def fixes(self) -> list[CheckResult]:
        """The required checks that need something done, most important first (see :func:`fix_order`)."""
        return fix_order(self.problems + self.improvements)

    def left_unchecked(self, result: CheckResult) -> str:
        """"Not checked until this is fixed: Download speed, Upload speed" ("" when nothing depends on it)."""
        left = self.dependents(result)
        return say("report.left_unchecked", checks=", ".join(d.title for d in left)) if left else ""

    def causes(self) -> list[Cause]:
        """Each thing to fix, most important first, with the checks it left "not checked": one entry per cause
        (no route to the internet is one problem, not one per network check)."""
        return [Cause(r, self.dependents(r)) for r in self.fixes()]

    @property
    def fix_first(self) -> CheckResult | None:
        fixes = self.fixes()
        return fixes[0] if fixes else None

    def not_checked(self) -> list[str]:
        """The checks the profile requires that were not judged in this run (left out, or turned off such as
        ``--network none``): each required pattern none of whose checks was judged, as the ids it matches (the
        pattern itself when none of its checks is in the report). A check left unjudged by another's failure is not
        among them: that failure is the problem."""
        if self.required is None:
            return []
        from checks.config.profile import is_required

        missing: list[str] = []
        for pattern in self.required:
            matching = [r for r in self.results if is_required(r.id, [pattern])]
            if any(r.status is not Status.SKIP or r.details.get(BECAUSE) for r in matching):
                continue
            missing.extend([r.id for r in matching] or [pattern])
        return list(dict.fromkeys(missing))

    @property
    def nothing_found(self) -> bool:
        """True when no check ran at all: the installation is incomplete (its checks were not found)."""
        return not self.results

    @property
    def overall(self) -> str:
        """``ready``, ``warnings`` or ``not_ready`` (a failed or errored check, or no check at all)."""
        if self.problems or self.nothing_found:
            return "not_ready"
        return "warnings" if self.improvements else "ready"

    def headline(self) -> str:
        """The one summary line: "Ready", "Ready, with 2 things to improve", "Not ready: 1 problem"."""
        if self.nothing_found:
            return say("verdict.nothing.not_found")
        if self.problems:
            return say_n("verdict.problems", len(self.problems))
        verdict = say_n("verdict.warnings", len(self.improvements)) if self.improvements else say("verdict.ready")
        unchecked = list(dict.fromkeys(c.split(".", 1)[0] for c in self.not_checked()))
        if not unchecked:
            return verdict
        what = ", ".join(say(f"verdict.unchecked.what.{c}") if c in CATEGORIES else c for c in unchecked)
        return say("verdict.unchecked.headline", verdict=verdict, what=what)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
            "app_version": self.app_version,
            "language": self.language,
            "overall": self.overall,
            "headline": self.headline(),
            "profile": self.profile,
            "checks": [{**r.to_dict(), "required": not self.is_info(r), "limit": self.limits.get(r.id)}
                       for r in self.results],
            "backup_channels": [dict(c) for c in self.backup_channels],
            "reminders": list(self.reminders),
            "fix_first": self.fix_first.id if self.fix_first else None,
            "not_checked": self.not_checked(),
            "causes": [{"id": c.result.id, "status": c.result.status.value,
                        "dependents": [d.id for d in c.dependents]} for c in self.causes()],
            "interview": dict(self.interview) if self.interview else None,
            "checklist": list(self.checklist),
            "changes": list(self.changes),
            "interview_record": list(self.interview_record),
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
                info = self.is_info(r)
                mark_text = say("status_mark.info") if info else say(f"status_mark.{r.status.value}")
                mark = paint(f"[{mark_text}]", Status.SKIP if info else r.status)
                value = f" ({format_value(r)})" if r.value is not None else ""
                lines.append(f"  {mark} {labelled(f'{r.title}{value}', r.summary)}")
                if info:
                    lines.append(f"      {self.info_note()}")
                else:
                    lines.extend(f"      • {line}" for line in r.advice)
                    if r.status is not Status.SKIP and self.left_unchecked(r):
                        lines.append(f"      • {self.left_unchecked(r)}")
            lines.append("")
        if self.changes:
            lines.append(say("report.changes"))
            lines.extend(f"  {c}" for c in self.changes)
            lines.append("")
        if self.interview_record:
            lines.append(say("guard.timeline_title"))
            lines.extend(f"  {line}" for line in self.interview_record)
            lines.append("")
        if self.backup_channels:
            lines.append(say("report.backup"))
            lines.extend(f"  [ ] {channel_text(c)}" for c in self.backup_channels)
            lines.append("")
        lines.append(self.headline())
        return "\n".join(lines)

    def info_note(self) -> str:
        organisation = (self.interview or {}).get("organisation") or self.profile
        return say("report.info_note", organisation=organisation) if organisation else say("report.info_note_generic")

    def status_label(self, result: CheckResult) -> str:
        """The status in words ("Passed", "Problem", or "For information" for a check that is not required)."""
        return say("status.info") if self.is_info(result) else say(f"status.{result.status.value}")

    def status_key(self, result: CheckResult) -> str:
        """The key of the status icon: the status, or ``info`` for a check that is not required."""
        return "info" if self.is_info(result) else result.status.value


def channel_text(channel: Mapping[str, Any]) -> str:
    """A backup channel in one line: "Dial-in number: +44 20 7946 0000"."""
    label = channel.get("label") or say(f"report.channel_kinds.{channel.get('kind', 'chat')}")
    return labelled(label, str(channel.get("value", "")))


_UNITS = {"ms": "ms", "percent": "%", "db": "dB", "dbfs": "dBFS", "mbps": "Mbps"}
"""Threshold names end in their unit (``warn_ms``, ``fail_percent``); only those are shown as limits."""
_SIDES = {"below": "quiet", "above": "loud"}
"""A threshold with one of these words in its name (``warn_quiet_dbfs``) bounds the value from that side."""


def limits_text(result: CheckResult, table: Mapping[str, Any]) -> str | None:
    """The thresholds a measured result was judged against, in words ("Limit: needs attention at 100 ms, a problem
    at 250 ms"); None when nothing was measured or no threshold has a unit."""
    if result.value is None:
        return None
    parts = []
    for prefix, wording in (("warn_", "report.limit_attention"), ("fail_", "report.limit_problem")):
        for name, value in table.items():
            unit = _UNITS.get(name.rsplit("_", 1)[-1])
            if name.startswith(prefix) and unit and isinstance(value, (int, float)) and not isinstance(value, bool):
                side = next((f"_{s}" for s, word in _SIDES.items() if f"_{word}_" in name), "")
                parts.append(say(wording + side, value=f"{number(f'{value:g}'.replace('-', '−'))} {unit}"))
    need = result.details.get("need_mbps")
    if isinstance(need, (int, float)) and not isinstance(need, bool):
        parts.append(say("report.limit_need", platform=result.details.get("platform", ""),
                         value=f"{number(f'{need:g}')} Mbps"))
    return say("report.limit", limits=", ".join(parts)) if parts else None


def build_report(results: Sequence[CheckResult], profile: Profile | None = None,
                 thresholds: Thresholds | None = None, previous: Mapping[str, Any] | None = None,
                 generated_at: datetime | None = None) -> Report:
    """The whole report: the verdict (required vs info), the profile's interview and backup channels, the general
    reminders and checklist, the limits each check was judged against, and what changed since ``previous`` (a
    history entry, see :mod:`checks.storage.history`)."""
    limits: dict[str, str] = {}
    if thresholds is not None:
        for r in results:
            text = limits_text(r, thresholds.for_check(r.id))
            if text:
                limits[r.id] = text
    report = Report(
        tuple(results),
        generated_at=generated_at or datetime.now(timezone.utc),
        profile=profile.name if profile else None,
        backup_channels=tuple(c.to_dict() for c in profile.backup_channels) if profile else (),
        reminders=say_all("report.reminders.items"),
        required=tuple(profile.required) if profile and profile.required is not None else None,
        interview=profile.interview_summary() if profile else None,
        checklist=say_all("report.checklist.items"),
        limits=limits,
    )
    if previous:
        report = dataclasses.replace(report, changes=tuple(describe_changes(previous, report)))
    return report


def describe_changes(previous: Mapping[str, Any], report: Report) -> list[str]:
    """What changed since ``previous`` (a history entry): values ("Upload: 2.1 → 8.4 Mbps") and statuses
    ("Camera: Problem → Passed"). Unchanged checks and checks not in both are left out. A built-in check is named in
    the language in use, whichever language the earlier run spoke."""
    before = previous.get("checks", {})
    lines = []
    for r in report.results:
        old = before.get(r.id)
        if not isinstance(old, dict):
            continue
        title = check_title(r.id, r.title)
        old_value, old_status = old.get("value"), old.get("status")
        if (isinstance(old_value, (int, float)) and r.value is not None and old.get("unit", "") == r.unit
                and format_number(old_value, r.unit) != format_number(r.value, r.unit)):
            lines.append(say("report.change_value", title=title, old=number(figure(old_value, r.unit)),
                             new=format_number(r.value, r.unit)))
        elif old_status != r.status.value and old_status in ("pass", "warn", "fail", "skip", "error"):
            lines.append(say("report.change_status", title=title, old=say(f"status.{old_status}"),
                             new=say(f"status.{r.status.value}")))
    return lines


def local_time(when: datetime, zone: tzinfo | None = None) -> datetime:
    """``when`` in the candidate's local time zone (or ``zone``)."""
    return when.astimezone(zone)


def countdown(when: datetime, now: datetime) -> str:
    """How long until ``when`` in words: "in 2 days 3 hours", "in 45 minutes", "started 10 minutes ago"."""
    seconds = (when - now).total_seconds()
    if abs(seconds) < 60:
        return say("report.countdown.now")
    minutes = int(abs(seconds) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(say_n("report.countdown.days", days))
    if hours:
        parts.append(say_n("report.countdown.hours", hours))
    if mins and not days:
        parts.append(say_n("report.countdown.minutes", mins))
    text = " ".join(parts)
    return say("report.countdown.future", left=text) if seconds > 0 else say("report.countdown.past", ago=text)


def format_when(when: datetime) -> str:
    """A local date and time people read, in the language in use: "Tuesday, 1 December 2026, 14:00"."""
    return date_time(when)


def format_value(result: CheckResult) -> str:
    """A result's measured value with its unit, e.g. ``48000 Hz`` or ``12.5 %``."""
    return "" if result.value is None else format_number(result.value, result.unit)


def format_number(value: float, unit: str = "") -> str:
    """A number as the report shows it: the figure the check stored, by its unit's rule (:func:`figure`), in the
    language's digits, with its unit."""
    return f"{number(figure(value, unit))} {unit}".strip()


def no_fix_text(report: Report) -> str:
    """What to say when nothing needs fixing; when no check was found at all, how to repair the installation."""
    return say("verdict.nothing.fix") if report.nothing_found else say("report.nothing_to_fix")


def fix_first_text(report: Report) -> str:
    """The one line that says what to fix first (or that nothing needs fixing)."""
    first = report.fix_first
    if first is None:
        return no_fix_text(report)
    advice = f" {first.advice[-1]}" if first.advice else ""
    return f"{labelled(say('report.fix_first'), first.title)}. {first.summary}{advice}"


def category_label(category: str) -> str:
    """A category as people read it ("This computer"); a third-party category as it is."""
    return say(f"category.{category}") if category in CATEGORIES else category
