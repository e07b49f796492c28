"""The guided flow's steps: "Your picture", "Your sound", "Your connection", "Your screen", each summed up in one
status and the one thing to fix, from the results as plain data (no Qt; the window's step cards show what this
says).

A result whose ``details["because"]`` names another check could not be judged because of that check (no camera,
no network route): it is never a problem of its own; its cause is counted and shown once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from checks.api import NOT_ASKED, CheckResult, Status
from checks.report.model import Report, category_label, fix_order
from checks.text.wording import labelled, say

STEPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("picture", ("camera",)),
    ("sound", ("mic",)),
    ("connection", ("network", "system")),
    ("screen", ("screen",)),
)
"""Each step and the check categories it sums up, in the order the candidate meets them."""


def step_of(category: str) -> str | None:
    return next((step for step, categories in STEPS if category in categories), None)


def is_consequence(result: CheckResult) -> bool:
    """True when the result only says that another check's problem kept it from being judged."""
    return isinstance(result.details, dict) and bool(result.details.get("because"))


def headline(result: CheckResult) -> str:
    """A problem in the words of a helpful person ("Your background looks busy"), for a step card's headline.

    The cause's own sentence first: the wording key a result names as its ``reason`` (a device's problem, under
    ``sources``: a missing camera, "No camera found") or its check's ``rule``, each with a ``headline``; then the
    check's sentence for its status (``<id>.headline_warn``, ``<id>.headline_fail`` in the wording); a check with
    neither (a third-party check) is headlined by its own summary. The summary itself stays in the step's details.
    """
    details = result.details if isinstance(result.details, dict) else {}
    reason = details.get("reason")
    keys = [f"sources.{reason}.headline", f"{reason}.headline"] if isinstance(reason, str) and "." in reason else []
    rule = details.get("rule")
    if isinstance(rule, str) and rule:
        keys.append(f"{result.id}.{rule}.headline")
    keys.append(f"{result.id}.headline_{result.status.value}")
    for key in keys:
        try:
            return say(key)
        except KeyError:
            continue
    return result.summary


def fix_first_line(result: CheckResult) -> str:
    """The verdict banner's one line about the most important problem: its plain headline, then the exact fix (the
    check's own summary, with its figures and file names, stays in the details and the report)."""
    advice = f" {result.advice[-1]}" if result.advice else ""
    return f"{labelled(say('report.fix_first'), headline(result).rstrip('.'))}.{advice}"


def unchecked_names(results: Iterable[CheckResult]) -> list[str]:
    """What was not checked, in words a candidate knows: a whole part by its name ("Network"), else each check by
    its title; never a check that could not be judged because of another one's problem (that problem is told), nor
    one that runs only on request and was not asked for (the echo test)."""
    by_category: dict[str, list[CheckResult]] = {}
    for result in results:
        if not was_not_asked(result) and not is_consequence(result):
            by_category.setdefault(result.category, []).append(result)
    names: list[str] = []
    for category, mine in by_category.items():
        skipped = [r.title for r in mine if r.status is Status.SKIP]
        names += [category_label(category)] if skipped and len(skipped) == len(mine) else skipped
    return names


def was_not_asked(result: CheckResult) -> bool:
    """True for a check that runs only on request (the echo test) and was not asked for this time."""
    return result.status is Status.SKIP and isinstance(result.details, dict) and result.details.get(
        "reason") == NOT_ASKED


@dataclass(frozen=True)
class StepSummary:
    step: str
    status: str
    """The key of the step's status icon and word: ``waiting``, ``running``, ``pass``, ``warn``, ``fail``,
    ``skip`` (nothing of it was checked) or ``info`` (only checks the profile does not require)."""
    headline: str
    """The step's state in the words of a helpful person ("No camera found", "Your picture looks good")."""
    fix: str
    """The one thing to do, or "" when there is nothing to do."""
    problems: tuple[CheckResult, ...] = ()
    """What needs doing, most important first: each cause once, never the checks it kept from running."""

    @property
    def title(self) -> str:
        return say(f"steps.{self.step}.title")

    def accessible_description(self) -> str:
        return " ".join(part for part in (say(f"status.{self.status}"), self.headline, self.fix) if part)


def summarise(step: str, results: Iterable[CheckResult], report: Report | None = None, *,
              running: Sequence[str] = (), expected: Sequence[str] = ()) -> StepSummary:
    """The step's summary from its results so far. ``running`` are the ids of its checks still to come in the
    current run; ``expected`` the ids of all its checks (a step with none is not offered)."""
    categories = dict(STEPS)[step]
    mine = [r for r in results if r.category in categories]
    judged = [r for r in mine if report is None or not report.is_info(r)]
    if running:
        return StepSummary(step, "running", say(f"steps.{step}.running"), "")
    if not mine:
        return StepSummary(step, "waiting", say(f"steps.{step}.waiting") if expected else say("steps.none"), "")
    causes = [r for r in judged if not is_consequence(r) and not was_not_asked(r)]
    problems = tuple(fix_order([r for r in causes if r.status in (Status.FAIL, Status.ERROR, Status.WARN)]))
    if problems:
        first = problems[0]
        status = "warn" if all(p.status is Status.WARN for p in problems) else "fail"
        fix = first.advice[-1] if first.advice else ""  # the advice ends with the exact fix
        more = say("steps.more", n=len(problems) - 1) if len(problems) > 1 else ""
        return StepSummary(step, status, headline(first), " ".join(part for part in (fix, more) if part), problems)
    if judged and all(r.status is Status.SKIP for r in judged):
        return StepSummary(step, "skip", say(f"steps.{step}.skipped"), "")
    if not judged:
        return StepSummary(step, "info", say(f"steps.{step}.good"), "")
    skipped = [r for r in causes if r.status is Status.SKIP]
    if skipped:  # never "ready" for what was not looked at, and never "passed" for a part not looked at at all
        unseen = any(all(r.status is Status.SKIP for r in causes if r.category == c)
                     for c in categories if any(r.category == c for r in causes))
        what = ", ".join(unchecked_names(causes))
        return StepSummary(step, "skip" if unseen else "pass", say("steps.partly", what=what), "")
    return StepSummary(step, "pass", say(f"steps.{step}.good"), "")
