"""How much a finding hurts an interview, and the one order of fixes that follows from it (``assets/harm.toml``).

Everything that says what to fix first asks here: the report's ``fix_first`` and causes, the step cards, the verdict
banner, the exports and the live camera coach. A finding is a check id and the rule it found (the wording key a
result keeps in ``details["rule"]``, e.g. ``camera.framing`` / ``several``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from checks.api import LOST, RULE, CheckResult, Status
from checks.text.resources import load_toml_asset

HARM_FILE = "harm.toml"

_GROUP = {Status.FAIL: 0, Status.ERROR: 0, Status.WARN: 1, Status.SKIP: 2, Status.PASS: 3}
"""Problems (a failure, or a check that could not complete) before what needs attention; within each, by harm."""


def _table() -> Mapping[str, Any]:
    return load_toml_asset(HARM_FILE)


def harm(check_id: str, rule: str | None = None, category: str | None = None) -> int:
    """How much the finding ``rule`` of ``check_id`` hurts an interview (higher: fix it sooner)."""
    table = _table()
    checks: Mapping[str, int] = table["check"]
    for key in ((f"{check_id}.{rule}",) if rule else ()) + (check_id,):
        if key in checks:
            return int(checks[key])
    category = category or check_id.split(".", 1)[0]
    return int(table["category"].get(category, table["default"]["harm"]))


NEEDS_DOING = frozenset({Status.FAIL, Status.ERROR, Status.WARN})


def _order(check_id: str, rule: str | None, status: Status, index: int, category: str | None = None,
           lost: str | None = None) -> tuple[int, ...]:
    hurts = int(_table()["lost"][lost]) if lost in _table()["lost"] else harm(check_id, rule, category)
    return (_GROUP[status], -hurts, index)


def fix_order(results: Sequence[CheckResult]) -> list[CheckResult]:
    """The results in the order to fix them: problems (fail, error) before needs-attention (warn); within each, the
    most harmful finding first (:data:`HARM_FILE`; a device or the connection lost during the run weighs as much as
    one missing from the start), then in the order they were reported."""

    def key(item: tuple[int, CheckResult]) -> tuple[int, ...]:
        index, result = item
        details = result.details if isinstance(result.details, Mapping) else {}
        rule, lost = details.get(RULE), details.get(LOST)
        return _order(result.id, rule if isinstance(rule, str) else None, result.status, index, result.category,
                      lost if isinstance(lost, str) else None)

    return [r for _, r in sorted(enumerate(results), key=key)]


def most_harmful(findings: Sequence[tuple[str, str, Status]]) -> int | None:
    """The index of the finding to speak of first among ``(check id, rule, status)`` triples, in the order of
    :func:`fix_order`; None when none needs anything done."""
    needing = [i for i, (_, _, status) in enumerate(findings) if status in NEEDS_DOING]
    return min(needing, key=lambda i: _order(*findings[i], i)) if needing else None
