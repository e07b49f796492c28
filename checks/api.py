"""The check API: what a check is, what it is given, and what it returns.

A check is any object (usually a :class:`Check` subclass) with ``id``, ``title``, ``category``,
``requires`` and ``run(context) -> CheckResult``. It is registered in the entry-point group
``interview_ready.checks`` under its id, built-in checks exactly like third-party ones.
"""

from __future__ import annotations

import enum
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from checks.network import NetworkSettings
    from checks.sources.camera import CameraSource
    from checks.sources.mic import MicSource

ENTRY_POINT_GROUP = "interview_ready.checks"

CATEGORIES = ("camera", "mic", "network", "system")
"""Every category, in the order a report shows them."""

DEVICES = ("camera", "mic", "network")
"""What a check may require. Checks that share one are run one after another on one opened source."""

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


class Status(str, enum.Enum):
    """The outcome of one check. The string values are part of the JSON report schema."""

    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"
    ERROR = "error"

    @property
    def is_problem(self) -> bool:
        """True where the candidate is not ready: a failure, or a check that could not complete."""
        return self in (Status.FAIL, Status.ERROR)


Details = Mapping[str, "float | int | str | bool | None"]


@dataclass(frozen=True)
class CheckResult:
    """One check's finding: the fact (``summary``), and the consequence and exact fix (``advice``)."""

    id: str
    title: str
    category: str
    status: Status
    summary: str
    advice: tuple[str, ...] = ()
    value: float | None = None
    unit: str = ""
    details: Details = field(default_factory=dict)
    duration_s: float = 0.0

    def __post_init__(self) -> None:
        if not isinstance(self.status, Status):
            object.__setattr__(self, "status", Status(self.status))
        if isinstance(self.advice, str):
            object.__setattr__(self, "advice", (self.advice,))
        else:
            object.__setattr__(self, "advice", tuple(self.advice))
        object.__setattr__(self, "details", dict(self.details))

    def to_dict(self) -> dict[str, Any]:
        """The check as it stands in the JSON report."""
        return {
            "id": self.id,
            "title": self.title,
            "category": self.category,
            "status": self.status.value,
            "value": self.value,
            "unit": self.unit,
            "summary": self.summary,
            "advice": list(self.advice),
            "details": dict(self.details),
            "duration_s": round(self.duration_s, 3),
        }


class Cancelled(Exception):
    """Raised inside a check (by :meth:`CheckContext.raise_if_cancelled`) when the run was cancelled."""


@dataclass
class CheckContext:
    """Everything a check is given: opened sources, its thresholds, cancel, deadline, progress."""

    thresholds: Mapping[str, Any]
    """This check's thresholds (the defaults file, then the check's own defaults, then a profile)."""
    cancel_event: threading.Event
    deadline: float
    """``time.monotonic()`` value by which the check must have returned."""
    report_progress: Callable[[float, str], None] = lambda fraction, message: None
    camera: CameraSource | None = None
    mic: MicSource | None = None
    network: NetworkSettings | None = None
    shared: dict[str, Any] = field(default_factory=dict)
    """A scratch space shared by the checks of one device group (e.g. one recording for all mic checks)."""
    shared_lock: threading.RLock = field(default_factory=threading.RLock)  # a memo may use another memo
    source_errors: dict[str, Any] = field(default_factory=dict)
    """Why a required device could not be opened (a ``SourceError`` per device), for checks that report it."""

    @property
    def cancelled(self) -> bool:
        return self.cancel_event.is_set()

    def time_left(self) -> float:
        """Seconds until the deadline (never negative)."""
        return max(0.0, self.deadline - time.monotonic())

    def progress(self, fraction: float, message: str = "") -> None:
        """Tell the window how far the check has come (0..1) and what it is doing."""
        self.report_progress(min(1.0, max(0.0, float(fraction))), message)

    def raise_if_cancelled(self) -> None:
        if self.cancel_event.is_set():
            raise Cancelled()

    def sleep(self, seconds: float) -> None:
        """Wait, but wake at once on cancel or at the deadline (then raise :class:`Cancelled`)."""
        if self.cancel_event.wait(max(0.0, seconds)):
            raise Cancelled()

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """Compute something once per device group (the first check to ask pays for it).

        An exception is remembered too and raised again for every check that asks, except a cancel.
        """
        with self.shared_lock:
            if key not in self.shared:
                try:
                    self.shared[key] = (True, compute())
                except Cancelled:
                    raise
                except Exception as error:
                    self.shared[key] = (False, error)
            ok, value = self.shared[key]
        if not ok:
            raise value
        return value


class Check:
    """Base class for checks. Subclasses set the class attributes and implement :meth:`run`."""

    id: ClassVar[str]
    title: ClassVar[str]
    category: ClassVar[str]
    requires: ClassVar[frozenset[str]] = frozenset()
    deadline_s: ClassVar[float | None] = None
    """This check's own deadline; the thresholds file may override it."""
    defaults: ClassVar[Mapping[str, Any]] = {}
    """Default thresholds for a third-party check; the thresholds file and profiles override them."""
    order: ClassVar[int] = 100
    """Where the check stands within its category (lower first); the device checks come first at 0."""
    reports_source_errors: ClassVar[bool] = False
    """Run even when a required device failed to open (the device checks say why); others are skipped."""

    def run(self, context: CheckContext) -> CheckResult:
        raise NotImplementedError

    def result(
        self,
        status: Status,
        summary: str,
        advice: tuple[str, ...] | list[str] | str = (),
        *,
        value: float | None = None,
        unit: str = "",
        details: Details | None = None,
    ) -> CheckResult:
        """A result carrying this check's id, title and category."""
        return CheckResult(
            id=self.id,
            title=self.title,
            category=self.category,
            status=status,
            summary=summary,
            advice=tuple([advice] if isinstance(advice, str) else advice),
            value=value,
            unit=unit,
            details=details or {},
        )


def describe_problem(check: Any) -> str | None:
    """Why ``check`` is not a usable check, or None when it is."""
    for name in ("id", "title", "category", "run"):
        if not hasattr(check, name):
            return f"it has no '{name}'"
    if not isinstance(check.id, str) or not ID_PATTERN.match(check.id):
        return f"its id {check.id!r} is not a dotted lower-case name such as 'camera.exposure'"
    if not isinstance(check.title, str) or not check.title.strip():
        return "its title is empty"
    if check.category not in CATEGORIES:
        return f"its category {check.category!r} is not one of {', '.join(CATEGORIES)}"
    requires = getattr(check, "requires", frozenset())
    if isinstance(requires, str) or not all(r in DEVICES for r in requires):
        return f"its requires {requires!r} is not a set of {', '.join(DEVICES)}"
    if not callable(check.run):
        return "its run is not callable"
    deadline = getattr(check, "deadline_s", None)
    if deadline is not None and (not isinstance(deadline, (int, float)) or deadline <= 0):
        return f"its deadline_s {deadline!r} is not a positive number of seconds"
    return None
