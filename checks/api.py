"""The check API: what a check is, what it is given, and what it returns.

A check is any object (usually a :class:`Check` subclass) with ``id``, ``title``, ``category``,
``requires`` and ``run(context) -> CheckResult``. It is registered in the entry-point group
``interview_ready.checks`` under its id, built-in checks exactly like third-party ones.
"""

from __future__ import annotations

import base64
import enum
import math
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import checks.engine.registry as devices
from checks.text.figures import stored, stored_details
from checks.text.wording import has_wording, say, say_all, say_n

if TYPE_CHECKING:
    from checks.config.servers import NetworkSettings
    from checks.sources.camera import CameraSource
    from checks.sources.mic import MicSource
    from checks.sources.screen import ScreenSource

ENTRY_POINT_GROUP = "interview_ready.checks"

CATEGORIES = devices.CATEGORIES
"""Every category, in the order a report shows them (the registry in :mod:`checks.engine.registry`)."""

DEVICES = tuple(d.name for d in devices.DEVICES)
"""What a check may require. Checks that share one are run one after another on one opened source."""

NOT_ASKED = "not_asked"
"""The ``details["reason"]`` of a check that runs only when asked (the echo test plays a sound) and was not asked
for: "not checked", but nothing a candidate expected to be checked, so never listed as left out."""

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

MAX_POINTS = 240
"""A series keeps at most this many points (longer ones are averaged down): a plot, not a recording."""
MAX_PICTURE_BYTES = 512 * 1024


@dataclass(frozen=True)
class Finding:
    """A check's decision before it is worded: the status, the wording key (under the check's id) and the fields
    the wording names. Built-in and third-party checks alike judge into one and word it in one place."""

    status: Status
    key: str
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Guide:
    """A horizontal line on a plot: a limit the values are judged against (``label`` says which)."""

    value: float
    label: str


@dataclass(frozen=True)
class Series:
    """A measurement over time, for a plot: ``points`` are (x, y) pairs, e.g. (seconds, Mbit/s).

    Points are numbers only, never samples of sound or picture; more than :data:`MAX_POINTS` are averaged down
    (:func:`thin`). ``guides`` are the limits drawn across the plot.
    """

    label: str
    x_unit: str
    y_unit: str
    points: tuple[tuple[float, float], ...]
    guides: tuple[Guide, ...] = ()

    def __post_init__(self) -> None:
        points = tuple((float(x), float(y)) for x, y in self.points)
        if not all(math.isfinite(x) and math.isfinite(y) for x, y in points):
            raise ValueError("a series holds finite numbers only")
        guides = tuple(self.guides)
        if not all(isinstance(g, Guide) and isinstance(g.label, str) and math.isfinite(float(g.value))
                   for g in guides):
            raise ValueError("a series' guides are Guide(finite value, label)")
        object.__setattr__(self, "points", thin(points, MAX_POINTS))
        object.__setattr__(self, "guides", guides)

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "x_unit": self.x_unit, "y_unit": self.y_unit,
                "points": [[round(x, 3), round(y, 3)] for x, y in self.points],
                "guides": [{"value": g.value, "label": g.label} for g in self.guides]}


def thin(points: tuple[tuple[float, float], ...], most: int) -> tuple[tuple[float, float], ...]:
    """At most ``most`` points: runs of consecutive points averaged (groups differ by one point at most, so the
    shape and, closely, the mean are kept)."""
    if len(points) <= most:
        return points
    groups = [points[len(points) * i // most:len(points) * (i + 1) // most] for i in range(most)]
    return tuple((sum(p[0] for p in g) / len(g), sum(p[1] for p in g) / len(g)) for g in groups)


@dataclass(frozen=True)
class Picture:
    """A still picture a check shows with its result (a JPEG): only made when the user opted in
    (:attr:`CheckContext.picture_allowed`), kept in memory, exported only inside a report the user saves."""

    jpeg: bytes
    width: int
    height: int
    description: str
    """What the picture shows, in words (its alternative text)."""

    def __post_init__(self) -> None:
        if not isinstance(self.jpeg, bytes) or not self.jpeg.startswith(b"\xff\xd8"):
            raise ValueError("a picture is a JPEG")
        if len(self.jpeg) > MAX_PICTURE_BYTES:
            raise ValueError(f"a picture is at most {MAX_PICTURE_BYTES} bytes")
        if not all(isinstance(n, int) and n > 0 for n in (self.width, self.height)):
            raise ValueError("a picture's width and height are whole numbers of pixels")

    def to_dict(self) -> dict[str, Any]:
        return {"media_type": "image/jpeg", "width": self.width, "height": self.height,
                "description": self.description, "base64": base64.b64encode(self.jpeg).decode("ascii")}


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
    series: tuple[Series, ...] = ()
    """Measurements over time to plot (e.g. throughput per second); numbers only."""
    picture: Picture | None = None
    """A picture of what was judged (the camera snapshot), only when the user opted in."""

    def __post_init__(self) -> None:
        if not isinstance(self.status, Status):
            object.__setattr__(self, "status", Status(self.status))
        if isinstance(self.advice, str):
            object.__setattr__(self, "advice", (self.advice,))
        else:
            object.__setattr__(self, "advice", tuple(self.advice))
        object.__setattr__(self, "details", dict(self.details))
        object.__setattr__(self, "series", tuple(self.series))

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
            "series": [s.to_dict() for s in self.series],
            **({"picture": self.picture.to_dict()} if self.picture is not None else {}),
        }


ADVISED = frozenset({Status.WARN, Status.FAIL, Status.ERROR, Status.SKIP})
"""The statuses whose result carries the wording's advice (the consequence and the exact fix, or for a check that could
not look, what to do by hand): every status but a pass, which never carries advice."""

RULE = "rule"
"""The detail naming the finding's wording key (``too_dark``, ``several``): what the report's order of fixes and the
live coach look up in the harm table (:mod:`checks.report.harm`)."""


BECAUSE = "because"
"""A "not checked" result's detail naming the check whose failure (or loss during the run) left it unjudged: its root
cause (see :attr:`Check.root_cause_of` and :class:`Lost`). The report counts the cause once."""

LOST = "lost"
"""The detail naming the device whose fault during the run a result tells (see :class:`Lost`)."""


class Cancelled(Exception):
    """Raised inside a check (by :meth:`CheckContext.raise_if_cancelled`) when the run was cancelled."""


class Lost(Exception):
    """Raised inside a check when something it depends on broke *during* the run: the connection dropped, the camera
    or microphone stopped sending, the server answered with errors, the recording came out too short to judge.

    The runner makes the first check that meets the fault its one problem, worded from ``lost.<key>`` in the wording
    (``summary``, ``advice``, ``headline``; ``fields`` fill them, and ``seconds``, how long into the device's part of
    the run it happened, is filled in unless given: from ``at``, the ``time.monotonic()`` when the fault began, else
    from when the check met it), with ``details["reason"] = "lost.<key>"`` and
    ``details["lost"]`` naming ``device``. What the check had measured before the fault (``measured``: its own result
    on what was left) keeps its value, series and details in that problem; a check with nothing to judge on what was
    left gives only what it had plotted until then (``series``).

    When the fault ``spoils`` what the device's later checks need, they are not run: each is "not checked" with
    ``details["because"]`` naming this problem's check, as for a cause found before the run (so the report counts one
    problem). When what was recorded before the fault is still enough to judge (``spoils=False``), the later checks
    run; a later check that meets the same fault again (it raises ``Lost`` with the same key) gives its ``measured``
    result, or is "not checked" because of the first.
    """

    def __init__(self, device: str, key: str, *, status: Status = Status.FAIL, spoils: bool = True,
                 measured: CheckResult | None = None, details: Details | None = None, at: float | None = None,
                 series: tuple[Series, ...] | list[Series] = (), **fields: Any) -> None:
        super().__init__(f"{device} lost: {key}")
        self.device, self.key, self.status, self.spoils, self.at = device, key, status, spoils, at
        self.measured, self.details, self.fields = measured, dict(details or {}), fields
        self.series = tuple(series)


class Unjudged(Exception):
    """Raised inside a check that can judge nothing because of what an earlier check of the run found (the only
    speed-test server is the one the connection check found unusable). The runner makes it "not checked" with
    ``details["because"]`` naming ``cause`` (that check's id), worded as every check an earlier problem leaves
    unjudged, so that the report counts the cause once; a ``cause`` that has no result yet is the check's own
    fault."""

    def __init__(self, cause: str) -> None:
        super().__init__(f"not checked because of {cause}")
        self.cause = cause


@dataclass
class CheckContext:
    """Everything a check is given: opened sources, its thresholds, cancel, deadline, progress."""

    thresholds: Mapping[str, Any]
    """This check's thresholds (the defaults file, then the check's own defaults, then a profile)."""
    cancel_event: threading.Event
    deadline: float
    """``time.monotonic()`` value by which the check must have returned."""
    report_progress: Callable[[float, str], None] = lambda fraction, message: None
    sources: dict[str, Any] = field(default_factory=dict)
    """The opened source of every device this check's group requires, by device name (:mod:`checks.engine.registry`)."""
    shared: dict[str, Any] = field(default_factory=dict)
    """A scratch space shared by the checks of one device group (e.g. one recording for all mic checks)."""
    shared_lock: threading.RLock = field(default_factory=threading.RLock)  # a memo may use another memo
    source_errors: dict[str, Any] = field(default_factory=dict)
    """Why a required device could not be opened (a ``SourceError`` per device), for checks that report it."""
    picture_allowed: bool = False
    """The user opted in to a picture of the camera in the report; without it no check makes a :class:`Picture`."""
    group: tuple[str, ...] = ()
    """The ids of the checks of this check's device group in this run, in the order they run: a check may start work
    early that a later one of them uses (the network phase starts its idle probe stream with the first check)."""

    @property
    def camera(self) -> CameraSource | None:
        return self.sources.get("camera")

    @property
    def mic(self) -> MicSource | None:
        return self.sources.get("mic")

    @property
    def network(self) -> NetworkSettings | None:
        return self.sources.get("network")

    @property
    def screen(self) -> ScreenSource | None:
        return self.sources.get("screen")

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


class _WordedTitle:
    """A built-in check's title: the wording ``<check id>.title`` in the language in use when it is read, so a result
    made after :func:`checks.text.wording.set_language` carries the title in that language. A third-party check sets its
    own ``title`` class attribute, which takes the place of this one."""

    def __get__(self, instance: object, owner: type) -> str:
        check_id = getattr(owner, "id", None)
        if not isinstance(check_id, str) or not has_wording(f"{check_id}.title"):
            raise AttributeError("title")
        return say(f"{check_id}.title")


def check_title(check_id: str, fallback: str) -> str:
    """The title of a check by its id in the language in use (a built-in check's wording), else ``fallback`` (a
    third-party check's own title, e.g. as a history entry kept it)."""
    return say(f"{check_id}.title") if has_wording(f"{check_id}.title") else fallback


class Check:
    """Base class for checks. Subclasses set the class attributes and implement :meth:`run`; a built-in check's title
    is its wording ``<id>.title``, a third-party check sets ``title`` itself."""

    id: ClassVar[str]
    title: ClassVar[str] = _WordedTitle()  # type: ignore[assignment]
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
    root_cause_of: ClassVar[str | None] = None
    """A device (``camera``, ``mic``, ``network``) whose other checks cannot be judged when this check fails: the
    camera or microphone is missing, the internet cannot be reached. The runner then does not run them; each is
    "not checked" (:attr:`Status.SKIP`) with ``details["because"]`` naming this check, so that the report counts
    one problem for the one cause (see :meth:`checks.report.model.Report.causes`)."""
    independent: ClassVar[bool] = False
    """Judged even when its device's root-cause check failed (it needs nothing of what failed)."""
    verdicts: ClassVar[frozenset[Status]] = frozenset()
    """The statuses this check's own judgement can give besides passing (the runner may make any check "not
    checked" or an error). For each of them a built-in check has a headline in the wording, the sentence a step
    card opens with (``<id>.headline_warn``, ``<id>.headline_fail``); a check without one is headlined by its
    summary."""

    def run(self, context: CheckContext) -> CheckResult:
        raise NotImplementedError

    def is_root_cause(self, result: CheckResult) -> bool:
        """Whether ``result`` leaves the other checks of :attr:`root_cause_of` unjudged (by default: it failed)."""
        return self.root_cause_of is not None and result.status is Status.FAIL

    def result(
        self,
        status: Status,
        summary: str,
        advice: tuple[str, ...] | list[str] | str = (),
        *,
        value: float | None = None,
        unit: str = "",
        details: Details | None = None,
        series: tuple[Series, ...] | list[Series] = (),
        picture: Picture | None = None,
    ) -> CheckResult:
        """A result carrying this check's id, title and category. Its value, and each detail whose name ends in a
        unit (``delay_ms``), are rounded here by their unit's rule (:mod:`checks.text.figures`), once: a sentence names
        the figure by :func:`checks.text.figures.figure`, and what shows the result shows it as stored."""
        return CheckResult(
            id=self.id,
            title=self.title,
            category=self.category,
            status=status,
            summary=summary,
            advice=tuple([advice] if isinstance(advice, str) else advice),
            value=None if value is None else stored(value, unit),
            unit=unit,
            details=stored_details(details or {}),
            series=tuple(series),
            picture=picture,
        )


    def worded(self, finding: Finding, *, also: Sequence[Finding] = (), summary_fields: Mapping[str, Any] | None = None,
               value: float | None = None, unit: str = "", details: Details | None = None,
               series: tuple[Series, ...] | list[Series] = (), picture: Picture | None = None,
               more_advice: Sequence[str] = (), status: Status | None = None,
               under: str | None = None) -> CheckResult:
        """The result of a finding, worded in one place for every check: the summary ``<id>.<key>.summary`` with the
        finding's fields (or ``summary_fields``; a finding with a count ``n`` and a summary in plural forms is said by
        them), advice ``<id>.<key>.advice`` only when the status is one of :data:`ADVISED`, and ``details["rule"]``
        naming the key. ``also`` are further findings of the same result (a room both echoing and loud): their
        sentences follow, each with its advice by the same rule, and ``status`` is then the result's own when the
        first finding's is not (the worst of them). ``more_advice`` is advice that comes from no finding (the
        system's own state, e.g. a headset in hands-free mode). ``under`` is the wording table the keys stand under
        when it is not the check's id: a finding several checks share (``mic.recording``: the take is silent).
        Details keep plain values only."""
        table = under or self.id
        parts = [(finding, dict(finding.fields if summary_fields is None else summary_fields))]
        parts += [(more, dict(more.fields)) for more in also]
        summary = " ".join(self._sentence(f"{table}.{f.key}.summary", fields) for f, fields in parts)
        advice = [line for f, fields in parts if f.status in ADVISED
                  for line in say_all(f"{table}.{f.key}.advice", **fields)]
        kept = {k: v for k, v in (details or {}).items() if v is None or isinstance(v, (int, float, str, bool))}
        return self.result(status or finding.status, summary, [*advice, *more_advice], value=value, unit=unit,
                           details={RULE: finding.key, **kept}, series=series, picture=picture)

    @staticmethod
    def _sentence(key: str, fields: Mapping[str, Any]) -> str:
        if not has_wording(key) and has_wording(f"{key}.one") and isinstance(fields.get("n"), int):
            return say_n(key, fields["n"], **{k: v for k, v in fields.items() if k != "n"})
        return say(key, **fields)


def describe_problem(check: Any) -> str | None:
    """Why ``check`` is not a usable check, or None when it is."""
    for name in ("id", "title", "category", "run"):
        if not hasattr(check, name):
            return say("discovery.no_attribute", name=name)
    if not isinstance(check.id, str) or not ID_PATTERN.match(check.id):
        return say("discovery.bad_id", id=repr(check.id))
    if not isinstance(check.title, str) or not check.title.strip():
        return say("discovery.empty_title")
    if check.category not in CATEGORIES:
        return say("discovery.bad_category", category=repr(check.category), categories=", ".join(CATEGORIES))
    requires = getattr(check, "requires", frozenset())
    if isinstance(requires, str) or not all(r in DEVICES for r in requires):
        return say("discovery.bad_requires", requires=repr(requires), devices=", ".join(DEVICES))
    if not callable(check.run):
        return say("discovery.run_not_callable")
    deadline = getattr(check, "deadline_s", None)
    if deadline is not None and (not isinstance(deadline, (int, float)) or deadline <= 0):
        return say("discovery.bad_deadline", deadline=repr(deadline))
    return None
