"""Running checks: one opened source per device, groups in parallel, a deadline per check, cancel, progress.

Checks that require the same device form a group and run one after another on the one source the
runner opened for it (the camera is opened once, not per check). Groups run concurrently. Every check
runs in its own daemon thread; the group waits for it until its deadline and then moves on, so one
slow or broken check never blocks the others. Every failure becomes a result.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

from checks.api import (
    BECAUSE,
    DEVICES,
    LOST,
    Cancelled,
    CheckContext,
    CheckResult,
    Lost,
    Picture,
    Series,
    Status,
    Unjudged,
)
from checks.config.servers import NetworkSettings
from checks.engine.deadlines import Outcome, bounded_call
from checks.engine.discovery import LoadedCheck
from checks.engine.registry import device_named
from checks.engine.thresholds import Thresholds
from checks.sources import SourceError
from checks.sources.camera import CameraSpec
from checks.sources.mic import MicSpec
from checks.text.figures import figure, stored_details
from checks.text.untrusted import clean_error, clean_result
from checks.text.wording import say, say_all


@dataclass
class RunConfig:
    """What a run uses: the sources asked for, the network settings and the thresholds."""

    camera: CameraSpec = field(default_factory=lambda: CameraSpec("auto"))
    mic: MicSpec = field(default_factory=lambda: MicSpec("auto"))
    network: NetworkSettings = field(default_factory=NetworkSettings)
    screen: str = "auto"
    """``none`` leaves the screen checks out (as ``--camera none`` does the camera's)."""
    thresholds: Thresholds = field(default_factory=Thresholds)
    opened: dict[str, Any] = field(default_factory=dict)
    """Sources already opened by the caller (the window's camera feed): used as they are, never closed."""
    picture: bool = False
    """The user opted in to a camera snapshot in the report (``--snapshot``; the window's tick box)."""


class RunListener:
    """Receives progress from the runner. Override what you need; any method may be called from any thread."""

    def check_started(self, check_id: str) -> None:
        pass

    def check_progress(self, check_id: str, fraction: float, message: str) -> None:
        pass

    def check_finished(self, result: CheckResult, done: int, total: int) -> None:
        pass




def because_result(loaded: LoadedCheck, cause: CheckResult) -> CheckResult:
    """"Not checked" for ``loaded``, naming the failed check ``cause`` that it depends on."""
    result = problem_result(loaded, Status.SKIP, "because", cause=cause.title)
    return dataclasses.replace(result, details={BECAUSE: cause.id})


def lost_result(loaded: LoadedCheck, lost: Lost, seconds: float) -> CheckResult:
    """The one problem for a fault that started during the run, met first by ``loaded`` ``seconds`` into its device's
    part of the run: worded from ``lost.<key>``, keeping what the check had measured before the fault."""
    measured = _validate(loaded, lost.measured) if lost.measured is not None else None
    fields = {"seconds": figure(seconds, "s"), **lost.fields}
    details = stored_details({**(measured.details if measured else {}), **lost.details,
                              "reason": f"lost.{lost.key}", LOST: lost.device, "after_s": seconds})
    advice = say_all(f"lost.{lost.key}.advice", **fields)
    if measured is not None and measured.status is not Status.SKIP:  # what it found on what was left, kept
        advice = (say("lost.measured", summary=measured.summary), *advice)
    return CheckResult(
        id=loaded.id, title=loaded.title, category=loaded.category, status=lost.status,
        summary=say(f"lost.{lost.key}.summary", **fields), advice=advice,
        value=measured.value if measured else None, unit=measured.unit if measured else "", details=details,
        series=measured.series if measured else lost.series)


def problem_result(loaded: LoadedCheck, status: Status, key: str, **fields: Any) -> CheckResult:
    """A result the runner writes for a check (skipped, cancelled, crashed, timed out)."""
    return CheckResult(
        id=loaded.id,
        title=loaded.title,
        category=loaded.category,
        status=status,
        summary=say(f"runner.{key}.summary", label=loaded.plugin.label, **fields),
        advice=say_all(f"runner.{key}.advice", label=loaded.plugin.label, **fields),
    )


@dataclass
class _Device:
    """The state of one device for a group: opened, off (``none``), or failed to open."""

    source: Any = None
    off: bool = False
    error: SourceError | None = None
    owned: bool = True  # opened by the runner, so the runner releases it


def _validate(loaded: LoadedCheck, value: Any) -> CheckResult | None:
    """The result if it is one this check may return, else None."""
    if not isinstance(value, CheckResult) or value.id != loaded.id:
        return None
    if value.value is not None and (not isinstance(value.value, (int, float)) or not math.isfinite(value.value)):
        return None
    if not isinstance(value.summary, str) or not all(isinstance(a, str) for a in value.advice):
        return None
    if not all(isinstance(s, Series) for s in value.series):
        return None
    if value.picture is not None and not isinstance(value.picture, Picture):
        return None
    return value


class Runner:
    """Runs a list of loaded checks once. Create a new runner for each run."""

    def __init__(self, checks: list[LoadedCheck], config: RunConfig | None = None,
                 listener: RunListener | None = None) -> None:
        self.checks = list(checks)
        self.config = config or RunConfig()
        self.listener = listener or RunListener()
        self._cancel = threading.Event()
        self._lock = threading.Lock()
        self._results: dict[int, CheckResult] = {}

    # -- public -------------------------------------------------------------------------------

    def cancel(self) -> None:
        """Stop the run: running checks are told to stop, checks not yet started are skipped."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def run(self) -> list[CheckResult]:
        """Run every check and return the results in the order of ``checks``."""
        threads = [
            threading.Thread(target=self._run_group, args=(group,), name=f"group {i}", daemon=True)
            for i, group in enumerate(self._groups())
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return [self._results[i] for i in range(len(self.checks))]

    def _run_group(self, members: list[int]) -> None:
        try:
            self._run_members(members)
        except Exception as error:  # a fault of the runner itself still ends as results
            for index in members:
                if index not in self._results:
                    self._finish(index, crashed_result(self.checks[index], error))

    # -- grouping -----------------------------------------------------------------------------

    def _groups(self) -> list[list[int]]:
        """Indices of checks, grouped so that checks sharing any device are in one group."""
        groups: list[tuple[set[str], list[int]]] = []
        for index, loaded in enumerate(self.checks):
            needs = set(loaded.requires)
            joined = [g for g in groups if g[0] & needs] if needs else []
            devices, members = set(needs), [index]
            for group in joined:
                groups.remove(group)
                devices |= group[0]
                members = group[1] + members
            groups.append((devices, sorted(members)))
        return [members for _, members in groups]

    # -- one group ----------------------------------------------------------------------------

    def _finish(self, index: int, result: CheckResult) -> None:
        result = clean_result(result)  # what a check quoted from a server or a file is shown, never obeyed
        with self._lock:
            self._results[index] = result
            done = len(self._results)
        self.listener.check_finished(result, done, len(self.checks))

    def _result_of(self, check_id: str) -> CheckResult | None:
        """The result of the check ``check_id`` when it has finished in this run."""
        with self._lock:
            return next((r for r in self._results.values() if r.id == check_id), None)

    def _open(self, name: str) -> _Device:
        cfg = self.config
        entry = device_named(name)
        if name in cfg.opened:
            return _Device(source=cfg.opened[name], owned=False)
        if entry.is_off(cfg):
            return _Device(off=True)
        if entry.timeout is None:
            return _Device(source=entry.open(cfg), owned=False)
        timeout_s = cfg.thresholds.runner(entry.timeout)
        outcome = bounded_call(lambda: entry.open(cfg), name=f"open {name}", timeout_s=timeout_s)
        return _device_of(name, outcome, timeout_s)

    def _run_members(self, members: list[int]) -> None:
        devices: dict[str, _Device] = {}
        shared: dict[str, Any] = {}
        shared_lock = threading.RLock()
        causes: dict[str, CheckResult] = {}  # per device, the failed check that leaves the others unjudged
        told: dict[tuple[str, str], CheckResult] = {}  # per device and fault during the run, its one problem
        first_used: dict[str, float] = {}  # when each device's first check started: a fault is told from then
        try:
            for index in members:
                loaded = self.checks[index]
                if self._cancel.is_set():
                    self._finish(index, problem_result(loaded, Status.SKIP, "cancelled"))
                    continue
                if loaded.error is not None:
                    self._finish(index, problem_result(loaded, Status.ERROR, "broken", reason=loaded.error))
                    continue
                cause = next((causes[d] for d in sorted(loaded.requires) if d in causes), None)
                if cause is not None and not getattr(loaded.check, "independent", False):
                    self._finish(index, because_result(loaded, cause))
                    continue
                for device in sorted(loaded.requires):
                    if device not in devices:
                        devices[device] = self._open(device)
                    first_used.setdefault(device, time.monotonic())
                result, lost = self._run_check(loaded, devices, shared, shared_lock,
                                               tuple(self.checks[i].id for i in members))
                if lost is not None:
                    result = self._fault(loaded, lost, result, first_used, causes, told)
                root_of = getattr(loaded.check, "root_cause_of", None)
                if root_of in loaded.requires and _is_root_cause(loaded, result):
                    causes.setdefault(root_of, result)
                self._finish(index, result)
        finally:
            for state in devices.values():
                close = getattr(state.source, "close", None) if state.owned else None
                if close is not None:
                    with contextlib.suppress(Exception):  # releasing a device that already vanished
                        close()

    @staticmethod
    def _fault(loaded: LoadedCheck, lost: Lost, measured: CheckResult, first_used: dict[str, float],
               causes: dict[str, CheckResult], told: dict[tuple[str, str], CheckResult]) -> CheckResult:
        """The result for a check that met a fault during the run (``lost``; ``measured``: its own result on what was
        left, if it had one): the fault's one problem when it is the first to meet it (which then leaves the device's
        later checks "not checked" when it spoils what they need), else its own result, or "not checked" because of
        the first."""
        now = time.monotonic()
        earlier = told.get((lost.device, lost.key))
        if earlier is not None:
            own = lost.measured is not None and _validate(loaded, lost.measured) is not None
            return measured if own else because_result(loaded, earlier)
        try:
            result = lost_result(loaded, lost, max(0.0, (lost.at or now) - first_used.get(lost.device, now)))
        except (KeyError, IndexError, ValueError) as error:  # a plugin's fault with wording that is not there
            return problem_result(loaded, Status.ERROR, "crashed", error=f"{type(error).__name__}: {error}")
        result = dataclasses.replace(result, duration_s=measured.duration_s)
        told[(lost.device, lost.key)] = result
        if lost.spoils:
            causes.setdefault(lost.device, result)
        return result

    def _run_check(self, loaded: LoadedCheck, devices: dict[str, _Device], shared: dict[str, Any],
                   shared_lock: threading.RLock, group: tuple[str, ...] = ()) -> tuple[CheckResult, Lost | None]:
        """The check's result, and the fault it met during the run (a :class:`Lost` for a device it requires)."""
        check = loaded.check
        for device in DEVICES:
            state = devices.get(device)
            if device not in loaded.requires or state is None:
                continue
            if state.off:
                return problem_result(loaded, Status.SKIP, device_named(device).off_key), None
            if state.error is not None and not getattr(check, "reports_source_errors", False):
                return problem_result(loaded, Status.SKIP, device_named(device).needs_key), None

        thresholds = self.config.thresholds
        deadline_s = thresholds.deadline(loaded.id, getattr(check, "deadline_s", None))
        check_cancel = threading.Event()
        context = CheckContext(
            thresholds=thresholds.for_check(loaded.id, getattr(check, "defaults", None)),
            cancel_event=check_cancel,
            deadline=time.monotonic() + deadline_s,
            report_progress=lambda f, m: self.listener.check_progress(loaded.id, f, m),
            sources={name: state.source for name, state in devices.items()},
            shared=shared,
            shared_lock=shared_lock,
            source_errors={d: s.error for d, s in devices.items() if s.error is not None},
            picture_allowed=self.config.picture,
            group=group,
        )

        self.listener.check_started(loaded.id)
        slow_after = thresholds.runner("slow_notice_s")
        told_slow = False

        def tick(waited: float) -> None:
            nonlocal told_slow
            if not told_slow and waited >= slow_after:
                told_slow = True
                self.listener.check_progress(loaded.id, -1.0, say("runner.still_running"))

        outcome = bounded_call(lambda: check.run(context), name=f"check {loaded.id}",
                               stop_when=lambda: self._cancel.is_set() or time.monotonic() >= context.deadline,
                               on_stop=check_cancel.set, grace_s=thresholds.runner("grace_s"), tick=tick)
        if isinstance(outcome.error, Unjudged) and not self._cancel.is_set():
            cause = self._result_of(outcome.error.cause)
            if cause is not None:  # told by the earlier check: "not checked" because of it, as its dependents are
                return dataclasses.replace(because_result(loaded, cause), duration_s=outcome.waited_s), None
        lost = outcome.error if isinstance(outcome.error, Lost) else None
        if lost is not None and self._cancel.is_set():  # the fault of a run being stopped: cancelled
            outcome, lost = dataclasses.replace(outcome, error=Cancelled()), None
        elif lost is not None and lost.device in loaded.requires:  # judged: what it measured before the fault
            outcome = dataclasses.replace(outcome, error=None, value=lost.measured)
        else:  # a device it does not require: the check's own fault
            lost = None
        result = judge_outcome(loaded, outcome, cancelled=self._cancel.is_set(), deadline_s=deadline_s)
        if result.picture is not None and not self.config.picture:
            result = dataclasses.replace(result, picture=None)  # no picture without the user's opt-in
        return dataclasses.replace(result, duration_s=outcome.waited_s), lost


def judge_outcome(loaded: LoadedCheck, outcome: Outcome, *, cancelled: bool, deadline_s: float) -> CheckResult:
    """The result of one check's bounded call: its own result if valid, else the runner's result for what
    happened (cancelled, timed out, crashed, returned something that is not its result)."""
    error = outcome.error
    if outcome.kind == "no_answer" or isinstance(error, Cancelled):
        if cancelled:
            return problem_result(loaded, Status.SKIP, "cancelled")
        return problem_result(loaded, Status.ERROR, "timeout", seconds=f"{deadline_s:g}")
    if error is not None:
        return crashed_result(loaded, error)
    result = _validate(loaded, outcome.value)
    if result is None:
        return problem_result(loaded, Status.ERROR, "garbage", got=type(outcome.value).__name__)
    return result


def crashed_result(loaded: LoadedCheck, error: BaseException) -> CheckResult:
    """"Stopped unexpectedly", in words; the exception (whose text may quote a server's answer) and the end of its
    traceback go to the details, cleaned."""
    result = problem_result(loaded, Status.ERROR, "crashed")
    tail = traceback.format_exception(error)[-3:]
    return dataclasses.replace(result, details={"error": clean_error(error), "traceback": "".join(tail).strip()})


def _device_of(device: str, outcome: Outcome, timeout_s: float) -> _Device:
    """The state of a device from the bounded call that opened it."""
    if outcome.kind == "no_answer":
        return _Device(error=SourceError(f"{device}.open_timeout", seconds=f"{timeout_s:g}"))
    error = outcome.error
    if error is not None and not isinstance(error, SourceError):
        error = _unexpected_source_error(device, error) if isinstance(error, Exception) else SourceError(
            f"{device}.failed", error=type(error).__name__)
    return _Device(source=outcome.value, error=error)


def _is_root_cause(loaded: LoadedCheck, result: CheckResult) -> bool:
    judge = getattr(loaded.check, "is_root_cause", None)
    try:
        return result.status is Status.FAIL and callable(judge) and bool(judge(result))
    except Exception:  # a plugin's fault: it gates nothing
        return False


def _unexpected_source_error(device: str, error: Exception) -> SourceError:
    return SourceError(f"{device}.failed", error=f"{type(error).__name__}: {error}")
