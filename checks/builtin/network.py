"""The network checks: connectivity, download, upload, latency, jitter, loss, UDP, the meeting platform, and the
delay while downloading and while uploading (bufferbloat, with the responsiveness in RPM).

They run one after another in the network group and share their measurements through ``context.memo`` and
``context.shared``: one throughput run per direction (each with probes alongside it), one probe stream for
latency, jitter, loss and UDP. The whole network
phase is bounded (``phase_s``, counted from the first network check) and every wait honours cancel.

Settings shared by all network checks are the ``[network]`` table of ``assets/thresholds.toml`` (used as each
check's defaults); a check's own table, and a profile's table for that check, override them. The meeting
platform is the ``platform`` key (``zoom``, ``teams``, ``meet`` or ``webex``; default ``zoom``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlsplit

from checks.analysis.network import RttStats, grade_throughput, grade_upper, rtt_stats
from checks.analysis.responsiveness import FOREIGN_KINDS, loaded_delay_ms, responsiveness
from checks.api import (
    Cancelled,
    Check,
    CheckContext,
    CheckResult,
    Finding,
    Guide,
    Lost,
    Series,
    Status,
    Unjudged,
)
from checks.config.servers import NetworkSettings
from checks.netprobe import link, nq, reach, stun, transfer
from checks.netprobe.common import Budget, ProbeError, endpoint
from checks.netprobe.counters import RateSampler
from checks.netprobe.foreign import foreign_probes
from checks.netprobe.speedtest_net import SpeedtestSession
from checks.text.figures import figure, stored
from checks.text.resources import load_toml_asset
from checks.text.wording import say

SPEEDTEST_CONFIG_URL = "https://www.speedtest.net/speedtest-config.php"
NEEDS_SERVER = ("network.connectivity", "network.download", "network.upload")
"""Checks that use the throughput server (with ``--network librespeed`` they need ``--server``)."""
PLATFORM_FIELDS = ("name", "down_mbps", "up_mbps", "bandwidth_source", "tcp", "udp_stun")
FLOWED = "network.flowed"
"""In the network checks' shared space: the ``time.monotonic()`` when a transfer last moved data."""
WORKED = "network.worked"
"""In the network checks' shared space: a URL that answered as it should earlier in this run (the connection worked),
so that a failure after it is asked whether the connection dropped."""
LINK_FAILURES = ("stalled", "timeout", "unreachable", "failed", "dns")
"""Failures that a dropped connection causes (as a stalled or broken server can)."""
UNREACHED = "network.unreached"
"""In the network checks' shared space: the backends whose server the connectivity check could not reach in this run
(a link failure or a name that does not exist), each with its :class:`ProbeError`: the speed checks do not wait for
them again."""
SERVER_FAILURES = ("http_status", "bad_answer")
"""The server answered, but not as its protocol says: its fault, not the connection's."""
REFUSALS = (401, 403)
"""HTTP statuses by which a server refuses to serve this computer (no speed test for it), rather than failing."""


def server_failure(error: ProbeError) -> str:
    """The wording key of a server that answered wrongly: ``server_refused`` for a refusal (HTTP 401/403), else
    ``server_error``."""
    return "server_refused" if error.kind == "http_status" and error.fields.get("status") in REFUSALS else (
        "server_error")


def server_fix(backend: str, settings: NetworkSettings) -> str:
    """What to do about a speed-test server that refuses or fails: the named one's address is checked where it was
    given (``--server``, the profile, the kiosk's settings); a public one is tried again later."""
    return say(f"network.server_fix.{settings.server_source if _named(backend, settings) else 'public'}")


ROUND_TRIP = "network.round_trip"
"""In the network checks' shared space: the round trip measured so far (seconds; the idle probe stream's median, else
a transfer's), which the phase's time limit grows with."""
LOADED_ANSWER_WAIT_S = 0.1
"""Under load, the answers still due when the transfer ends are waited for this long at the least, else twice the
slowest round trip answered (``late_rtts``): the loaded queue's delay is known by then, and it drains once the
transfer has stopped."""
EARLY_PROBE = "network.early_probe"
"""In the network checks' shared space: the idle probe stream started with the phase's first check (:class:`Early`)."""


def _failure(error: ProbeError) -> str:
    """The failure in words (one clause)."""
    return say(f"network.failure.{error.kind}", **{"status": "", "location": "", "proxy": "", "seconds": "",
                                                   "host": "", **error.fields})


def _failure_details(error: ProbeError) -> dict[str, Any]:
    """The failure's kind, and the exception behind it (cleaned, for the details only: never in a message)."""
    return {"failure": error.kind, **({"error": error.fields["error"]} if error.fields.get("error") else {})}


class NetworkCheck(Check):
    """What the network checks share: settings, the phase budget, and writing results from findings."""

    category = "network"
    requires = frozenset({"network"})
    during: ClassVar[str] = "other"
    """What this check does, for "… while the download speed was measured" (``lost.during.<during>``)."""
    defaults: ClassVar[Mapping[str, Any]] = load_toml_asset("thresholds.toml").get("network", {})

    def settings(self, context: CheckContext) -> NetworkSettings:
        return context.network or NetworkSettings()

    def budget(self, context: CheckContext) -> Budget:
        """This check's budget: its own deadline (less a margin to report), and the whole phase's."""
        over = self.phase_over(context)
        if over is not None:
            raise over
        return Budget(min(context.deadline - 0.5, self.phase(context)[0]), context.cancel_event)

    def stretched(self, context: CheckContext, budget: Budget, rtt: float) -> Budget:
        """``budget`` once the round trip ``rtt`` (seconds) is known: this check's deadline longer by
        ``deadline_rtts`` round trips (a transfer's every step takes round trips, so a long line is not cut short,
        while a short one keeps the short deadline), and the phase's with it."""
        if rtt <= 0:
            return budget
        with context.shared_lock:
            context.shared.setdefault(ROUND_TRIP, rtt)
            base = context.shared.setdefault(f"{self.id}.deadline", context.deadline)
        context.deadline = max(context.deadline, base + float(context.thresholds["deadline_rtts"]) * rtt)
        return Budget(min(context.deadline - 0.5, self.phase(context)[0]), budget.cancel)

    def phase(self, context: CheckContext) -> tuple[float, float]:
        """When the whole network phase ends (``time.monotonic()``) and how long it is: ``phase_s`` from the first
        network check's start, and ``phase_rtts`` round trips more once the round trip is known (every step of the
        phase takes longer by round trips: an 800 ms line needs about 15 s more for each direction than a short one;
        the first network check's values set the phase)."""
        limits = context.thresholds
        start, phase_s, phase_rtts = context.memo("network.phase", lambda: (
            time.monotonic(), float(limits["phase_s"]), float(limits["phase_rtts"])))
        rtt = context.shared.get(ROUND_TRIP)
        seconds = phase_s + phase_rtts * (rtt if isinstance(rtt, float) else 0.0)
        return start + seconds, round(seconds)

    def phase_over(self, context: CheckContext) -> PhaseOver | None:
        """The phase's time up (under :data:`PHASE_LEFT_S` left: too little to measure anything), else None."""
        phase_end, phase_s = self.phase(context)
        return PhaseOver(phase_s) if time.monotonic() >= phase_end - PHASE_LEFT_S else None

    def failed(self, error: ProbeError, context: CheckContext, key: str, *, under: str | None = None,
               details: Mapping[str, Any]) -> CheckResult:
        """The result of a measurement that failed with ``error``: the phase's time limit when it ran out of time as
        the phase ended (the phase cut it short, whatever the server did), else ``key`` (worded ``under``) with the
        failure's reason."""
        over = self.phase_over(context) if error.kind == "timeout" else None
        if over is not None:
            return self.worded(over.finding(), under="network", details=details)
        return self.worded(Finding(Status.ERROR, key, {"reason": _failure(error)}), under=under, details=details)

    def platform(self, context: CheckContext) -> reach.Platform:
        limits = context.thresholds
        try:
            return reach.platform(str(limits["platform"]), {k: limits[k] for k in PLATFORM_FIELDS if k in limits})
        except (ValueError, KeyError, TypeError) as error:
            raise UnusablePlatform(str(limits.get("platform")), str(error)) from None

    def connection_lost(self, context: CheckContext, host: str = "", port: int = 0) -> bool:
        """Whether the connection that worked earlier in this run (:data:`WORKED`) is gone: no route any more to
        ``host`` (else to the server that answered), or that server's small request no longer answers. Sends one
        small request at most and takes two seconds at most."""
        url = context.shared.get(WORKED)
        if not isinstance(url, str) or not (url or host):
            return False
        budget = Budget(time.monotonic() + max(0.3, min(2.0, context.time_left() - 0.5)), context.cancel_event)
        where = urlsplit(reach.environment_proxy(url) or url)
        if not reach.has_route(host or where.hostname or "", port or where.port or (
                443 if where.scheme == "https" else 80), budget):
            return True
        if not url:  # only the probes answered: no request to repeat
            return False
        try:
            reach.fetch(url, budget, lambda body: True)
        except ProbeError as again:
            return again.kind in LINK_FAILURES
        return False

    def finish(self, finding: Finding, *, value: float | None = None, unit: str = "",
               details: Mapping[str, Any] | None = None, series: list[Series] | None = None) -> CheckResult:
        return self.worded(finding, value=value, unit=unit, details=details, series=series or ())

    def run(self, context: CheckContext) -> CheckResult:
        settings = self.settings(context)
        if settings.backend == "librespeed" and not settings.server and self.id in NEEDS_SERVER:
            return self.worded(Finding(Status.ERROR, "no_server"), under="network")
        try:
            result = self.measure(context)
        except UnusablePlatform as bad:
            return self.worded(Finding(Status.ERROR, "bad_platform", {"platform": bad.name}), under="network",
                               details={"error": bad.error})
        except PhaseOver as over:
            return self.worded(over.finding(), under="network")
        except ProbeError as error:
            if error.kind == "cancelled" or context.cancelled:
                raise Cancelled() from None
            result = self.failed(error, context, "probe_failed", under="network", details=_failure_details(error))
        # nothing measured (a figure judged too slow was measured, so the connection held): did it drop?
        if result.status.is_problem and result.value is None and self.connection_lost(context):
            raise Lost("network", "connection", during=say(f"lost.during.{self.during}"))
        return result

    def measure(self, context: CheckContext) -> CheckResult:
        raise NotImplementedError


class UnusablePlatform(Exception):
    def __init__(self, name: str, error: str) -> None:
        super().__init__(name, error)
        self.name, self.error = name, error


PHASE_LEFT_S = 0.2
"""Under this much of the network phase left, a check is not started, and a measurement that ran out of time was
cut short by the phase."""


class PhaseOver(Exception):
    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds

    def finding(self) -> Finding:
        """Not measured: the network phase's time is up."""
        return Finding(Status.ERROR, "phase_over", {"seconds": f"{self.seconds:g}"})


# -- connectivity ------------------------------------------------------------------------------------------------


CONNECTIVITY_FAILURES = {
    "dns": (Status.FAIL, "dns"),
    "captive": (Status.FAIL, "captive"),
    "proxy": (Status.FAIL, "proxy"),
    "http_status": (Status.WARN, "server_error"),  # the internet works; the test server failed or refused
    "bad_answer": (Status.WARN, "server_error"),
    "no_config": (Status.WARN, "server_error"),  # a networkQuality server that publishes no test, or a broken one
    "bad_config": (Status.WARN, "server_error"),
}
UNUSABLE = ("no_config", "bad_config")
"""A server that publishes no usable test: when it is the only one asked for, the connectivity check tells it
once, and the speed checks are "not checked" because of it."""


def assess_connectivity(error: ProbeError | None, host: str, ms: float | None) -> Finding:
    """The connectivity verdict from the fetch's outcome."""
    if error is None:
        return Finding(Status.PASS, "ok", {"host": host, "ms": figure(ms or 0, "ms")})
    fields = {"host": host, "reason": _failure(error), **{k: v for k, v in error.fields.items()}}
    status, key = CONNECTIVITY_FAILURES.get(error.kind, (Status.FAIL, "offline"))
    return Finding(status, server_failure(error) if key == "server_error" else key, fields)


def _probe_target(backend: str, settings: NetworkSettings) -> tuple[str, Callable[[bytes], bool]]:
    """The URL that tells whether ``backend``'s server answers, and what its body must be."""
    if backend == "speedtest":
        return SPEEDTEST_CONFIG_URL, lambda body: b"<settings" in body
    if backend == "nq":
        return _nq_configs(settings)[0], lambda body: True  # judged by nq.fetch_config
    server = _server(backend, settings)
    return server.probe_url, server.expected


def _server(backend: str, settings: NetworkSettings) -> transfer.Backend:
    if backend == "librespeed":
        if not settings.server:
            raise ProbeError("failed", error="no --server given for LibreSpeed")
        return transfer.Backend("librespeed", settings.server)
    return transfer.Backend("cloudflare", transfer.CLOUDFLARE)


def _nq_configs(settings: NetworkSettings) -> tuple[str, ...]:
    """The networkQuality configurations to try: the named server's, else Apple's and Cloudflare's public ones."""
    return (nq.config_url(settings.nq_server),) if settings.nq_server else nq.PUBLIC


def _named(backend: str, settings: NetworkSettings) -> bool:
    """Whether ``backend``'s server was named (``--server``, a profile, the kiosk), not a public one."""
    return (backend == "librespeed" and bool(settings.server)) or (backend == "nq" and bool(settings.nq_server))


def _reach(backend: str, settings: NetworkSettings, url: str, budget: Budget,
           expect: Callable[[bytes], bool]) -> reach.Answer:
    """Whether ``backend``'s server answers as it should (a networkQuality server: its configuration is usable)."""
    if backend == "nq":  # the public servers one after the other, as the speed checks try them
        return nq.first_config(_nq_configs(settings), budget, public=not settings.nq_server)[1]
    return reach.fetch(url, budget, expect)


class Connectivity(NetworkCheck):
    """The speed-test servers in the order the throughput checks use them: the first that answers as it should
    shows the internet works. When none does, this is the one network problem (the others are not checked)."""

    id = "network.connectivity"
    verdicts = frozenset({Status.WARN, Status.FAIL})
    order = 0
    root_cause_of = "network"

    def is_root_cause(self, result: CheckResult) -> bool:
        """No route, no DNS, no server answering, a sign-in page: nothing else of the network can be judged. A
        proxy that does not answer is not one: the speed test goes straight to its server."""
        return result.status is Status.FAIL and result.details.get("failure") != "proxy"

    def measure(self, context: CheckContext) -> CheckResult:
        settings = self.settings(context)
        budget = self.budget(context)
        early = _start_probe(self, context)
        result = self.connectivity(context, settings, budget)
        if early is not None and self.is_root_cause(result):  # nothing answers: the probes would find nothing either
            early.cancel.set()
        return result

    def connectivity(self, context: CheckContext, settings: NetworkSettings, budget: Budget) -> CheckResult:
        order = _backends(settings)
        errors: list[tuple[str, ProbeError]] = []
        details: dict[str, Any] = {}
        finding: Finding | None = None
        missing: Finding | None = None  # the configured server's name does not exist: a mistyped address
        for i, backend in enumerate(order):
            url, expect = _probe_target(backend, settings)
            host = urlsplit(url).hostname or url
            if i == 0:
                details.update(url=url, proxy=reach.environment_proxy(url) or "none")
            context.progress(0.1 + 0.8 * i / len(order), say("network.connectivity.progress", host=host))
            try:
                # at least 3 s: a fetch takes three round trips, 2.4 s on an 800 ms satellite or mobile link
                answer = _reach(backend, settings, url, budget.within(max(3.0, budget.left() / (len(order) - i))),
                                expect)
            except ProbeError as error:
                if error.kind == "cancelled" or context.cancelled:
                    raise
                if error.kind == "no_such_name" and _named(backend, settings):  # a mistyped address, not the network
                    missing = Finding(Status.WARN, "no_such_server_alone", {
                        "host": host, "source": say(f"network.server_source.{settings.server_source}")})
                    details.update(_failure_details(error))
                elif error.kind == "no_such_name":  # a public service's name "does not exist": the name server fails
                    error = ProbeError("dns", **error.fields)
                if error.kind in UNUSABLE:
                    with context.shared_lock:
                        context.shared["network.unusable"] = backend
                if error.kind in (*LINK_FAILURES, "no_such_name"):
                    with context.shared_lock:
                        context.shared.setdefault(UNREACHED, {})[backend] = error
                error.fields.setdefault("fix", server_fix(backend, settings))
                errors.append((host, error))
                if budget.done:
                    break
                continue
            context.shared[WORKED] = url
            if i == 0 and backend in ("librespeed", "cloudflare"):  # the transfers' first choice answers
                _start_ready(self, context, _server(backend, settings))
            others = [(h, e) for h, e in errors if e.kind != "no_such_name"]
            if missing is not None:
                finding = dataclasses.replace(missing, key="no_such_server", fields={**missing.fields, "other": host})
            elif not errors:
                finding = assess_connectivity(None, host, answer.seconds * 1000)
            else:
                first_host, first = others[0]
                finding = Finding(Status.WARN, "server_down",
                                  {"host": first_host, "reason": _failure(first), "other": host})
            details.update(answered=answer.url, status=answer.status)
            break
        others = [(h, e) for h, e in errors if e.kind != "no_such_name"]
        if finding is None and missing is not None and not others:
            finding = missing  # nothing else was tried: nothing is known of the candidate's own connection
        if finding is None:
            first_host, first = others[0] if others else ("", ProbeError("timeout"))
            finding = assess_connectivity(first, first_host, None)
            details.update(_failure_details(first))
        details["tried"] = "; ".join(f"{host}: {error.kind}" for host, error in errors) or "none"
        details["contacted"] = ", ".join([host for host, _ in errors] + (
            [urlsplit(str(details["answered"])).hostname or ""] if "answered" in details else []))
        return self.finish(finding, details=details)


# -- throughput --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    mbps: float
    bytes: int
    seconds: float
    backend: str
    server: str
    stable: bool | None
    tried: str
    contacted: str
    samples: tuple[tuple[float, float], ...] = ()
    """(seconds since the transfer began, Mbit/s) as it went, for the plot: LibreSpeed's own rate, or for
    speedtest-cli the interfaces' (:mod:`checks.netprobe.counters`)."""
    started: float | None = None
    """When the transfer began (``time.perf_counter()``; None: not known, speedtest-cli)."""
    ramp_s: float | None = None
    """The ramp-up discarded from the start (longer on a long round trip; None: not known)."""


def _backends(settings: NetworkSettings) -> list[str]:
    """The throughput backends to try, in order: ``auto`` is the profile's or ``--server`` LibreSpeed server, the
    profile's networkQuality server, then Cloudflare's speed test, Apple's and Cloudflare's networkQuality servers
    (when the profile names none) and speedtest.net (through speedtest-cli)."""
    if settings.backend == "auto":
        named = (["librespeed"] if settings.server else []) + (["nq"] if settings.nq_server else [])
        return [*named, "cloudflare", *([] if settings.nq_server else ["nq"]), "speedtest"]
    return [settings.backend]


def _stop_rule(limits: Mapping[str, Any]) -> transfer.StopRule:
    return transfer.StopRule(ramp_s=float(limits["ramp_s"]), window_s=float(limits["window_s"]),
                             windows=int(limits["windows"]), tolerance=float(limits["tolerance"]),
                             straying=float(limits["straying"]),
                             min_s=float(limits["min_s"]), max_s=float(limits["max_s"]),
                             stall_s=float(limits["stall_s"]), ramp_rtts=float(limits["ramp_rtts"]),
                             window_rtts=float(limits["window_rtts"]), growth=float(limits["growth"]),
                             full_rounds=int(limits["full_rounds"]),
                             window_mbit=float(limits["window_mbit"]),
                             streams=int(limits["streams"]),
                             stream_mbps=float(limits["stream_mbps"]),
                             drain_max_s=float(limits["drain_max_s"]))


class Throughput(NetworkCheck):
    direction: ClassVar[str]

    def _measure_with(self, backend: str, context: CheckContext, budget: Budget,
                      samples: list[tuple[float, float]]) -> Measured:
        """The transfer with ``backend``; ``samples`` fills with (seconds, Mbit/s) as it goes (kept if it fails)."""
        settings = self.settings(context)
        progress_key = f"{self.id}.progress"
        if backend in ("librespeed", "cloudflare", "nq"):
            rule = _stop_rule(context.thresholds)
            configs = _nq_configs(settings) if backend == "nq" else ()
            server = None if backend == "nq" else _server(backend, settings)
            asked = configs[0] if server is None else server.probe_url  # asked again when the transfer breaks off

            def on_sample(t: float, mbps: float) -> None:
                samples.append((t, mbps))
                if mbps > 0:
                    context.shared[WORKED] = asked
                    context.shared[FLOWED] = time.monotonic()
                context.progress(min(0.99, t / rule.max_s), say(progress_key, mbps=f"{mbps:.1f}"))

            if server is None:  # networkQuality: the configuration read names the server measured
                rule = dataclasses.replace(rule, ramp_s=float(context.thresholds["nq_ramp_s"]),
                                           window_s=float(context.thresholds["nq_window_s"]),
                                           min_s=float(context.thresholds["nq_min_s"]), straying=0.0)
                done, config = nq.measure(self.direction, configs, budget, rule, not settings.nq_server, on_sample)
                root = config.url
            else:
                rtt = _readied(context, self.direction, server)
                done = transfer.measure(self.direction, server, self.stretched(context, budget, rtt or 0.0), rule,
                                        on_sample, rtt)
                root = server.root
            if done.rtt > 0:  # the phase's time limit grows with it, when the idle probes did not tell it
                context.shared.setdefault(ROUND_TRIP, done.rtt)
            return Measured(done.result.mbps, done.result.bytes, done.result.seconds, backend, root,
                            done.result.stable, "", ", ".join(done.contacted), tuple(samples), done.started,
                            done.ramp_s)

        def open_session() -> SpeedtestSession | ProbeError:
            try:
                return SpeedtestSession(budget)
            except ProbeError as error:
                return error

        session = context.memo("network.speedtest", open_session)
        if isinstance(session, ProbeError):
            raise session
        sampler = RateSampler(self.direction).start()  # speedtest-cli tells its speed only at the end
        try:
            mbps, moved, seconds = session.measure(
                self.direction, budget, lambda f: context.progress(f, say(f"{self.id}.progress_speedtest")))
        finally:
            samples = sampler.stop()
        return Measured(mbps, moved, seconds, "speedtest", str(session.server), None, "",
                        f"www.speedtest.net, {session.server.host}", tuple(samples))

    def measured(self, context: CheckContext) -> Measured | ProbeError:
        budget = self.budget(context)
        preferred = context.memo("network.preferred_backend", dict)
        order = _backends(self.settings(context))
        if preferred.get("backend") in order:
            order.remove(preferred["backend"])
            order.insert(0, preferred["backend"])
        tried: list[str] = []
        first: ProbeError | None = None
        unreached = dict(context.shared.get(UNREACHED, {}))
        for backend in order:
            if backend in unreached:  # the connectivity check could not reach it moments ago: not waited for again
                known = ProbeError(unreached[backend].kind, **unreached[backend].fields)  # this check's own copy
                tried.append(f"{backend}: {known.kind}")
                first = first or self._told(known, backend, context)
                continue
            samples: list[tuple[float, float]] = []
            try:
                done = self._measure_with(backend, context, budget, samples)
                preferred["backend"] = backend
                return dataclasses.replace(done, tried="; ".join(tried))
            except ProbeError as error:
                if error.kind == "cancelled" or context.cancelled:
                    raise
                stalled = error.fields.get("seconds") if error.kind == "stalled" else None
                began = time.monotonic() - stalled if isinstance(stalled, (int, float)) else context.shared.get(FLOWED)
                if error.kind in LINK_FAILURES and self.connection_lost(context):  # not this server's fault
                    raise Lost("network", "connection", during=say(f"lost.during.{self.during}"), at=began,
                               series=self.plot(context, samples),
                               details={"failure": error.kind, "backend": backend}) from None
                tried.append(f"{backend}: {error.kind}")
                first = first or self._told(error, backend, context)  # the reason told: the first backend's
                if budget.done:
                    break
        first = first or ProbeError("failed", error="no backend")
        first.fields.setdefault("tried", "; ".join(tried))
        return first

    def _told(self, error: ProbeError, backend: str, context: CheckContext) -> ProbeError:
        """``error`` with the server and the fix its sentence names."""
        settings = self.settings(context)
        error.fields.setdefault("server", urlsplit(_probe_target(backend, settings)[0]).hostname)
        error.fields.setdefault("fix", server_fix(backend, settings))
        return error

    def measure(self, context: CheckContext) -> CheckResult:
        if _backends(self.settings(context)) == [context.shared.get("network.unusable")]:  # told by connectivity
            raise Unjudged(Connectivity.id)
        limits = context.thresholds
        platform = self.platform(context)
        need = platform.down_mbps if self.direction == "download" else platform.up_mbps
        outcome = self.measured(context)
        if isinstance(outcome, ProbeError):
            details = {**_failure_details(outcome), "tried": outcome.fields.get("tried", "")}
            if outcome.kind in SERVER_FAILURES:  # the server answers, with errors: one problem for it, told once
                raise Lost("network", server_failure(outcome), status=Status.ERROR, spoils=False, details=details,
                           host=outcome.fields.get("server") or "", reason=_failure(outcome),
                           status_code=outcome.fields.get("status", ""), fix=outcome.fields.get("fix", ""),
                           during=say(f"lost.during.{self.during}"))
            return self.failed(outcome, context, "unmeasured", details=details)
        status = grade_throughput(outcome.mbps, need, float(limits["headroom"]))
        key = {Status.PASS: "ok", Status.WARN: "tight", Status.FAIL: "slow"}[status]
        want = need * float(limits["headroom"])
        fields = {"mbps": figure(outcome.mbps, "Mbit/s"), "need": f"{need:g}", "platform": platform.name,
                  "want": f"{want:g}"}
        series = self.plot(context, outcome.samples)
        return self.finish(Finding(status, key, fields), value=outcome.mbps, unit="Mbit/s", series=series,
                           details={
            "backend": outcome.backend, "server": outcome.server, "bytes": outcome.bytes,
            "seconds": round(outcome.seconds, 2), "stable": outcome.stable if outcome.stable is not None else "n/a",
            "platform": platform.name, "need_mbps": need, "source": platform.bandwidth_source,
            "fallbacks": outcome.tried or "none", "contacted": outcome.contacted})

    def plot(self, context: CheckContext, samples: Sequence[tuple[float, float]]) -> list[Series]:
        """The speed as the transfer went, against the platform's need and a comfortable margin."""
        if not samples:
            return []
        platform = self.platform(context)
        need = platform.down_mbps if self.direction == "download" else platform.up_mbps
        want = need * float(context.thresholds["headroom"])
        return [Series(say(f"plot.{self.direction}"), "s", "Mbit/s", tuple(samples), (
            Guide(need, say("plot.need", platform=platform.name)), Guide(want, say("plot.comfortable"))))]


@dataclass(frozen=True)
class Loaded:
    """A transfer and the probe stream that ran alongside it (delay under load)."""

    outcome: Measured | ProbeError
    stats: RttStats | None
    rtts: tuple[float | None, ...]
    """Each probe's round trip in seconds (None: lost), sent every ``loaded_interval_s`` from ``start_s``."""
    target: str | None
    """The STUN server probed during the transfer (None: UDP known not to work)."""
    start_s: float = 0.0
    """When the first of ``rtts`` was sent, in seconds from the start of the transfer."""
    foreign: tuple[Mapping[str, float], ...] = ()
    """Foreign probes on new connections to the transfer's server once the line was full (see
    :mod:`checks.netprobe.foreign`): each one's TCP, TLS (https) and HTTP timings in seconds."""


def _loaded_target(check: NetworkCheck, context: CheckContext) -> tuple[str, int] | None:
    """The STUN server to probe under load: the one that answered before, else the first configured."""
    servers = [(s.host, s.port) for s in check.settings(context).stun] or list(check.platform(context).udp_stun)
    probed = context.shared.get("network.probe")
    if isinstance(probed, Probed):
        if probed.run.transport != "udp":
            return None
        return next((s for s in servers if endpoint(*s) == probed.run.server), None)
    early = context.shared.get(EARLY_PROBE)
    if isinstance(early, Early) and early.server is not None:  # its answers still to come: it works over UDP
        return early.server
    return servers[0] if servers else None


def _foreign_server(check: NetworkCheck, context: CheckContext) -> transfer.Backend | None:
    """The server the transfer will most likely use, for foreign probes (None: speedtest-cli's, or one reached
    through a proxy, whose own delay a new connection would measure)."""
    settings = check.settings(context)
    preferred = context.memo("network.preferred_backend", dict).get("backend")
    backend = preferred or next(iter(_backends(settings)), "")
    if backend not in ("librespeed", "cloudflare"):
        return None
    server = _server(backend, settings)
    return None if transfer.proxy_for(server) else server


class LoadedThroughput(Throughput):
    """A transfer with STUN probes and foreign probes alongside it after the ramp-up, kept in ``context.shared`` for
    the delay under load of its direction (``network.download_delay``, ``network.upload_delay``)."""

    verdicts = frozenset({Status.WARN, Status.FAIL})

    def measured(self, context: CheckContext) -> Measured | ProbeError:
        early = context.shared.get(EARLY_PROBE)
        if isinstance(early, Early) and not early.gone(context):  # the idle probe stream ends before the line is
            with contextlib.suppress(Lost, ProbeError, UnusablePlatform):  # loaded; told by the checks using it
                _probe(self, context)
        target = _loaded_target(self, context)
        stop = threading.Event()
        box: dict[str, Any] = {}
        limits = context.thresholds
        interval = float(limits["loaded_interval_s"])
        server = _foreign_server(self, context)
        foreign: list[tuple[float, Mapping[str, float]]] = []

        def foreign_while_loaded() -> None:
            if stop.wait(float(limits["ramp_s"])) or server is None:
                return
            foreign_probes(server.probe_url, Budget(context.deadline, context.cancel_event), stop,
                           float(limits["foreign_interval_s"]), lambda at, t: foreign.append((at, t)))

        def probe_while_loaded() -> None:
            if stop.wait(float(limits["ramp_s"])) or target is None:
                return
            box["start"] = time.perf_counter()
            with contextlib.suppress(ProbeError):  # no probe answered under load: told by the check
                box["rtts"], _ = stun.udp_stream(target[0], target[1], Budget(context.deadline, context.cancel_event),
                                                 interval, 60.0, LOADED_ANSWER_WAIT_S,
                                                 late_rtts=float(limits["late_rtts"]), stop=stop)

        stream, prober = (threading.Thread(target=work, name=f"{work.__name__} {self.direction}", daemon=True)
                          for work in (probe_while_loaded, foreign_while_loaded))
        stream.start()
        prober.start()
        try:
            outcome = super().measured(context)
        finally:
            stop.set()
        # the foreign probes done so far; one still on its way (two round trips and a queue) is not waited for
        settled = list(foreign)

        def settle(budget: Budget) -> Loaded:
            """The probes' answers still due (bounded by the check's deadline) come while the next check runs: the
            requests have gone, and their answers travel back on a line no longer loaded by this direction."""
            while stream.is_alive() and not budget.done:
                stream.join(0.05)
            return self.loaded(outcome, box, target, server, settled, context)

        with context.shared_lock:
            context.shared[f"network.{self.direction}.loaded"] = Early(f"{self.direction} probes", settle,
                                                                        context.deadline)
        return outcome

    @staticmethod
    def loaded(outcome: Measured | ProbeError, box: Mapping[str, Any], target: tuple[str, int] | None,
               server: transfer.Backend | None, settled: Sequence[tuple[float, Mapping[str, float]]],
               context: CheckContext) -> Loaded:
        """The transfer and the probes that ran alongside it once the line was full."""
        limits = context.thresholds
        interval = float(limits["loaded_interval_s"])
        rtts: tuple[float | None, ...] = tuple(box.get("rtts") or ())
        start_s = 0.0
        if rtts and isinstance(outcome, Measured) and outcome.started is not None and outcome.ramp_s is not None:
            # only the probes sent once the line is full: a long round trip's ramp-up lasts longer than ramp_s
            skip = max(0, math.ceil((outcome.started + outcome.ramp_s - box["start"]) / interval))
            rtts = rtts[skip:] if skip < len(rtts) else ()
            start_s = box["start"] + skip * interval - outcome.started
        elif rtts:
            start_s = float(limits["ramp_s"])
        full = outcome.started + outcome.ramp_s if isinstance(outcome, Measured) and outcome.started is not None \
            and outcome.ramp_s is not None and server is not None and outcome.server == server.root else None
        return Loaded(outcome, rtt_stats(rtts) if rtts else None, rtts, endpoint(*target) if target else None,
                      start_s, tuple(t for at, t in settled if full is not None and at >= full))


class Download(LoadedThroughput):
    id = "network.download"
    during = "download"
    direction = "download"


class Upload(LoadedThroughput):
    id = "network.upload"
    during = "upload"
    direction = "upload"


# -- the probe stream: latency, jitter, loss, UDP ----------------------------------------------------------------


@dataclass(frozen=True)
class Probed:
    run: stun.ProbeRun
    stats: RttStats | None


class Early:
    """Work started in the background for a check later in the phase: the idle probe stream begins with the
    connectivity check (a few small requests beside 50 small packets a second disturb neither), and the check that
    needs it takes its outcome, waiting for it if need be."""

    def __init__(self, name: str, work: Callable[[Budget], Any], deadline: float) -> None:
        self.cancel = threading.Event()
        self.finished = threading.Event()
        self.sent = threading.Event()
        self.server: tuple[str, int] | None = None
        """The STUN server the probe stream's requests went to, once they all have (see :meth:`gone`)."""
        self.outcome: tuple[bool, Any] = (False, ProbeError("cancelled"))

        def target() -> None:
            try:
                self.outcome = (True, work(Budget(deadline, self.cancel)))
            except Exception as error:  # raised again in the check that takes the outcome
                self.outcome = (False, error)
            finally:
                self.finished.set()

        threading.Thread(target=target, name=f"early {name}", daemon=True).start()

    def wait(self, context: CheckContext) -> None:
        """Until the work has ended; :class:`Cancelled` (and the work stopped) when the waiting check is first."""
        while not self.finished.wait(0.05):
            if context.cancelled:
                self.cancel.set()
                raise Cancelled()

    def went(self, server: tuple[str, int]) -> None:
        """The probe stream's last request to ``server`` has gone: its answers are still to come."""
        self.server = server
        self.sent.set()

    def gone(self, context: CheckContext) -> bool:
        """Waits until the work has ended or, for the probe stream, its last request has gone (:meth:`went`): then
        a transfer may start. The answers still due come back before the transfer's first data can (its
        connection and request take a round trip and more), over a line still idle. True: the stream's requests
        have all gone, its outcome is still to come; :class:`Cancelled` when the waiting check is."""
        while not self.finished.wait(0.02):
            if self.sent.is_set():
                return not self.finished.is_set()
            if context.cancelled:
                self.cancel.set()
                raise Cancelled()
        return False

    def result(self, context: CheckContext) -> Any:
        self.wait(context)
        ok, value = self.outcome
        if not ok:
            raise value
        return value


def _stun_servers(check: NetworkCheck, context: CheckContext) -> list[tuple[str, int]]:
    return [(s.host, s.port) for s in check.settings(context).stun] or list(check.platform(context).udp_stun)


def _probe_run(check: NetworkCheck, context: CheckContext, budget: Budget,
               progress: Callable[[float], None] = lambda f: None,
               sent: Callable[[tuple[str, int]], None] = lambda server: None) -> stun.ProbeRun:
    """The idle probe stream: STUN to the first server that answers, else TCP connect times."""
    limits = context.thresholds
    settings = check.settings(context)
    servers = _stun_servers(check, context)
    tcp_targets = list(servers)
    for server in (settings.server, settings.nq_server):  # the speed-test servers answer TCP too
        if server:
            parts = urlsplit(server)
            tcp_targets.append((parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)))
    return stun.probe(servers, tcp_targets, budget, interval=float(limits["probe_interval_s"]),
                      duration=float(limits["probe_duration_s"]), answer_wait=float(limits["answer_wait_s"]),
                      late_rtts=float(limits["late_rtts"]), first_answer_s=float(limits["first_answer_s"]),
                      progress=progress, sent=sent)


def _start_probe(check: NetworkCheck, context: CheckContext) -> Early | None:
    """The idle probe stream started now, in the background, when a later check of the run uses it (see
    :class:`Early`); the first transfer waits until its last request has gone (:meth:`Early.gone`), so that the
    stream measures an idle line."""
    if not PROBE_USERS & set(context.group) or EARLY_PROBE in context.shared:
        return None
    try:
        _stun_servers(check, context)
    except UnusablePlatform:  # told by the checks that use the probes
        return None
    early = Early("probes", lambda budget: _probe_run(check, context, budget, sent=lambda server: early.went(server)),
                  check.phase(context)[0])
    with context.shared_lock:
        context.shared[EARLY_PROBE] = early
    return early


def _start_ready(check: NetworkCheck, context: CheckContext, server: transfer.Backend) -> None:
    """Each transfer's small request and round trip (:func:`checks.netprobe.transfer.ready`) done now, in the
    background, while the idle probe stream runs (:class:`Early`): a few small requests disturb it no more than the
    connectivity check's, and each takes two round trips that the transfer then does not wait for (3.2 s in all at
    800 ms). ``server`` has just answered the download's small request."""
    for direction in ("download", "upload"):
        if f"network.{direction}" not in context.group or f"network.{direction}.ready" in context.shared:
            continue
        early = Early(f"{direction} ready", functools.partial(
            transfer.ready, direction, server, asked=direction == "download"), check.phase(context)[0])
        with context.shared_lock:
            context.shared[f"network.{direction}.ready"] = (server, early)


def _readied(context: CheckContext, direction: str, server: transfer.Backend) -> float | None:
    """The round trip to ``server`` when its small request for ``direction`` was answered earlier (see
    :func:`_start_ready`); None when it was not asked, or failed (the transfer asks again and tells why)."""
    found = context.shared.get(f"network.{direction}.ready")
    if not isinstance(found, tuple) or found[0] != server:
        return None
    try:
        rtt = found[1].result(context)
    except ProbeError:
        return None
    return rtt if isinstance(rtt, float) else None


def _probe(check: NetworkCheck, context: CheckContext) -> Probed:
    existing = context.shared.get("network.probe")
    if isinstance(existing, Probed):
        return existing
    early = context.shared.get(EARLY_PROBE)
    budget = check.budget(context) if early is None else None  # outside the memo: memo holds its lock while computing

    def compute() -> Probed:
        if isinstance(early, Early):
            run = early.result(context)
        else:
            assert budget is not None
            run = _probe_run(check, context, budget, lambda f: context.progress(f, say("network.latency.progress")))
        if context.cancelled:
            raise Cancelled()
        _raise_if_dropped(check, context, run, _stun_servers(check, context))
        limits = context.thresholds
        lag = max(1, round(float(limits["jitter_spacing_s"]) / float(limits["probe_interval_s"])))
        stats = rtt_stats(run.rtts, lag if run.transport == "udp" else 1) if run.rtts else None
        if stats is not None and stats.median_ms is not None:
            context.shared[ROUND_TRIP] = stats.median_ms / 1000
        return Probed(run, stats)

    return context.memo("network.probe", compute)


def _raise_if_dropped(check: NetworkCheck, context: CheckContext, run: stun.ProbeRun,
                      servers: Sequence[tuple[str, int]]) -> None:
    """:class:`Lost` when the probe stream's last probes went unanswered because the connection dropped (it worked
    before: earlier in the run, or for the first probes), saying about when the answers stopped."""
    answered = [i for i, rtt in enumerate(run.rtts) if rtt is not None]
    if answered and not context.shared.get(WORKED):
        context.shared[WORKED] = check.settings(context).server or ""  # "": only the probes answered
    if answered and answered[-1] == len(run.rtts) - 1:
        return
    host, port = servers[0] if servers else ("", 0)
    if run.server:
        host, _, port_text = run.server.removeprefix("tcp ").rpartition(":")
        port = int(port_text) if port_text.isdigit() else port
    if check.connection_lost(context, host.strip("[]"), port):
        limits = context.thresholds
        unanswered = len(run.rtts) - (answered[-1] + 1 if answered else 0)
        began = time.monotonic() - float(limits["answer_wait_s"]) - unanswered * float(limits["probe_interval_s"])
        raise Lost("network", "connection", during=say("lost.during.probes"), at=began,
                   details={"transport": run.transport})


def _probe_details(probed: Probed) -> dict[str, Any]:
    run, stats = probed.run, probed.stats
    details: dict[str, Any] = {"transport": run.transport, "server": run.server or "none",
                               "contacted": ", ".join(run.contacted) or "none"}
    if stats:
        details.update(sent=stats.sent, received=stats.received, median_ms=stats.median_ms,
                       jitter_ms=stats.jitter_ms, p95_ms=stats.p95_ms, loss_percent=stats.loss_percent)
    if run.udp_error:
        details["udp"] = run.udp_error
    if run.not_stun:
        details["not_stun"] = ", ".join(run.not_stun)
    return details


def rtt_points(rtts: Sequence[float | None], interval: float, start: float = 0.0) -> tuple[tuple[float, float], ...]:
    """Round trips (seconds; None for a lost probe) sent every ``interval`` s from ``start``, as (s, ms) points for a
    plot; lost probes are left out."""
    return tuple((start + i * interval, rtt * 1000.0) for i, rtt in enumerate(rtts) if rtt is not None)


class ProbeCheck(NetworkCheck):
    """A figure of the shared probe stream, graded against ``limits`` (lower is better)."""

    during = "probes"
    figure: ClassVar[str] = ""
    """The :class:`RttStats` field this check reports."""
    limits: ClassVar[tuple[str, str]] = ("warn_ms", "fail_ms")
    keys: ClassVar[tuple[str, str, str]] = ("ok", "high", "very_high")
    unit: ClassVar[str] = "ms"

    def fields(self, value: float, probed: Probed) -> dict[str, Any]:
        return {"ms": figure(value, "ms"), "via": say("network.via_tcp") if probed.run.transport == "tcp" else ""}

    def skipped(self, probed: Probed) -> CheckResult | None:
        return None

    def measure(self, context: CheckContext) -> CheckResult:
        probed = _probe(self, context)
        skipped = self.skipped(probed)
        if skipped is not None:
            return skipped
        value = getattr(probed.stats, self.figure) if probed.stats else None
        if value is None:
            return self.finish(Finding(Status.FAIL, "no_answer", {}), details=_probe_details(probed))
        warn, fail = (float(context.thresholds[k]) for k in self.limits)
        status = grade_upper(value, warn, fail)
        key = dict(zip((Status.PASS, Status.WARN, Status.FAIL), self.keys, strict=True))[status]
        return self.finish(Finding(status, key, self.fields(value, probed)), value=value, unit=self.unit,
                           details=_probe_details(probed), series=self.series(probed, context, warn, fail))

    def series(self, probed: Probed, context: CheckContext, warn: float, fail: float) -> list[Series]:
        """The plot this check shows (the latency check shows the round trips of the probe stream)."""
        return []


class Latency(ProbeCheck):
    id = "network.latency"
    verdicts = frozenset({Status.WARN, Status.FAIL})
    figure = "median_ms"

    def series(self, probed: Probed, context: CheckContext, warn: float, fail: float) -> list[Series]:
        if probed.run.transport != "udp":  # TCP connect times are a handful, spaced differently: no plot
            return []
        points = rtt_points(probed.run.rtts, float(context.thresholds["probe_interval_s"]))
        return [Series(say("plot.round_trip"), "s", "ms", points, (
            Guide(warn, say("plot.attention")), Guide(fail, say("plot.problem"))))] if points else []


class Jitter(ProbeCheck):
    id = "network.jitter"
    verdicts = frozenset({Status.WARN, Status.FAIL})
    figure = "jitter_ms"


class Loss(ProbeCheck):
    id = "network.loss"
    verdicts = frozenset({Status.WARN, Status.FAIL})
    figure = "loss_percent"
    limits = ("warn_percent", "fail_percent")
    keys = ("ok", "some", "many")
    unit = "%"

    def fields(self, value: float, probed: Probed) -> dict[str, Any]:
        assert probed.stats is not None
        return {"percent": figure(value, "%"), "lost": probed.stats.sent - probed.stats.received,
                "sent": probed.stats.sent}

    def skipped(self, probed: Probed) -> CheckResult | None:
        if probed.run.transport == "udp" and probed.stats is not None:
            return None
        return self.worded(Finding(Status.SKIP, "no_udp"), details=_probe_details(probed))


class Udp(ProbeCheck):
    id = "network.udp"
    verdicts = frozenset({Status.WARN})

    def measure(self, context: CheckContext) -> CheckResult:
        probed = _probe(self, context)
        if probed.run.transport == "udp":
            finding = Finding(Status.PASS, "ok", {"server": probed.run.server})
        elif probed.run.not_stun:  # UDP got through; the server's answer was not STUN's
            finding = Finding(Status.WARN, "not_stun", {"servers": ", ".join(probed.run.not_stun)})
        elif probed.run.transport == "none":
            finding = Finding(Status.WARN, "no_answer", {})
        else:
            udp_tried = [c for c in probed.run.contacted if not c.startswith("tcp ")]
            finding = Finding(Status.WARN, "blocked", {"servers": ", ".join(udp_tried) or "none"})
        return self.finish(finding, details=_probe_details(probed))


# -- the meeting platform ----------------------------------------------------------------------------------------


def assess_platform(name: str, reached: list[tuple[str, float | None, str]], udp: str | None) -> Finding:
    """All TCP endpoints answer (and UDP works, when it was tried): pass; some or UDP blocked: warn; none: fail."""
    failed = [where for where, took, _ in reached if took is None]
    fields = {"platform": name, "failed": ", ".join(failed), "n": len(reached)}
    if reached and len(failed) == len(reached):
        return Finding(Status.FAIL, "unreachable", fields)
    if failed:
        return Finding(Status.WARN, "partly", fields)
    if udp is not None and udp != "udp":
        return Finding(Status.WARN, "tcp_only", fields)
    return Finding(Status.PASS, "ok", fields)


class PlatformReach(NetworkCheck):
    id = "network.platform"
    during = "platform"
    verdicts = frozenset({Status.WARN, Status.FAIL})

    def measure(self, context: CheckContext) -> CheckResult:
        platform = self.platform(context)
        budget = self.budget(context)
        context.progress(0.2, say("network.platform.progress", platform=platform.name))
        reached = reach.tcp_reachable(platform.tcp, budget)
        if context.cancelled:
            raise Cancelled()
        probed = context.shared.get("network.probe")
        udp = probed.run.transport if isinstance(probed, Probed) else None
        finding = assess_platform(platform.name, reached, udp)
        details: dict[str, Any] = {"platform": platform.name, "udp": udp or "not tried",
                                   "contacted": ", ".join(e for e, _, _ in reached)}
        for where, took, failure in reached:
            details[f"tcp {where}"] = f"{figure(took * 1000, 'ms')} ms" if took is not None else failure
        return self.finish(finding, details=details)


# -- delay under load ---------------------------------------------------------------------------------------------


class LoadedDelay(NetworkCheck):
    """Bufferbloat: how much the delay grows while the connection is busy in one direction (a full queue at the
    router or the line delays the call's packets behind the transfer's)."""

    verdicts = frozenset({Status.WARN, Status.FAIL})
    transfer: ClassVar[type[LoadedThroughput]]
    order = 101  # after both transfers: the answers still due after the download come while the upload runs

    def measure(self, context: CheckContext) -> CheckResult:
        idle = _probe(self, context)
        direction = self.transfer.direction
        if not isinstance(context.shared.get(f"network.{direction}.loaded"), Early):
            self.transfer().measured(context)  # run on its own: the transfer runs here, with the probes alongside
        loaded = context.shared[f"network.{direction}.loaded"].result(context)
        details: dict[str, Any] = {"contacted": loaded.target or "none"} if isinstance(loaded, Loaded) else {}
        if not isinstance(loaded, Loaded) or isinstance(loaded.outcome, ProbeError):
            return self.worded(Finding(Status.SKIP, "no_transfer"), details=details)
        if idle.run.transport != "udp" or idle.stats is None or idle.stats.median_ms is None:
            return self.worded(Finding(Status.SKIP, "no_udp"), details=details)
        if loaded.stats is None or loaded.stats.median_ms is None:
            return self.worded(Finding(Status.SKIP, "no_answer"), details=details)
        loaded_ms = loaded_delay_ms(loaded.rtts)
        growth = max(0.0, loaded_ms - idle.stats.median_ms)
        status = grade_upper(growth, float(context.thresholds["warn_ms"]), float(context.thresholds["fail_ms"]))
        key = {Status.PASS: "ok", Status.WARN: "high", Status.FAIL: "very_high"}[status]
        details.update(idle_ms=idle.stats.median_ms, loaded_ms=loaded_ms,
                       loaded_sent=loaded.stats.sent, loaded_received=loaded.stats.received, **_rpm_details(loaded))
        limits = context.thresholds
        points = rtt_points(loaded.rtts, float(limits["loaded_interval_s"]), loaded.start_s)
        idle_ms = stored(idle.stats.median_ms, "ms")  # the guide at the figure the details show
        series = [Series(say(f"plot.round_trip_{direction}"), "s", "ms", points, (
            Guide(idle_ms, say("plot.idle")), Guide(idle_ms + float(limits["warn_ms"]), say("plot.attention"))))
                  ] if points else []
        rpm = say("network.rpm.clause", rpm=details["rpm"], band=say(f"network.rpm.band.{details['rpm_band']}")) \
            if "rpm" in details else ""
        fields = {"ms": figure(growth, "ms"), "loaded": figure(loaded_ms, "ms"), "rpm": rpm}
        return self.finish(Finding(status, key, fields), value=growth, unit="ms", details=details, series=series)


def _rpm_details(loaded: Loaded) -> dict[str, Any]:
    """Responsiveness (RPM, draft-ietf-ippm-responsiveness) under this load: the foreign probes on new connections,
    and as self probes the STUN round trips on the loaded path (an HTTP/1.1 connection busy with the transfer cannot
    carry a probe of its own; the STUN answers wait in the same queues)."""
    kinds = {kind: [t[kind] for t in loaded.foreign if kind in t] for kind in FOREIGN_KINDS}
    answered = [rtt for rtt in loaded.rtts if rtt is not None]
    try:
        found = responsiveness({k: v for k, v in kinds.items() if v}, answered)
    except ValueError:
        return {}
    figures = {"rpm": round(found.rpm), "rpm_band": found.band, "rpm_foreign_ms": found.foreign_ms,
               "rpm_self_ms": found.self_ms, "rpm_foreign_probes": found.foreign_n,
               "rpm_self_probes": found.self_n}
    return {k: v for k, v in figures.items() if v is not None}  # details hold numbers and strings only


class DownloadDelay(LoadedDelay):
    """Delay while downloading: someone at home streaming or downloading fills the downlink's queue, and the
    call's incoming sound waits behind it."""

    id = "network.download_delay"
    during = "download"
    transfer = Download


class UploadDelay(LoadedDelay):
    id = "network.upload_delay"
    during = "upload"
    transfer = Upload


# -- the link --------------------------------------------------------------------------------------------------


def assess_link(found: link.Link, weak_percent: float) -> Finding:
    """Wired passes; Wi-Fi passes unless its signal is weak; a VPN in the path needs attention."""
    fields: dict[str, Any] = {"interface": found.interface or "",
                              "signal": f"{found.signal_percent:.0f}" if found.signal_percent is not None else ""}
    if found.kind == "vpn":
        return Finding(Status.WARN, "vpn", fields)
    if found.kind == "wifi":
        if found.signal_percent is not None and found.signal_percent < weak_percent:
            return Finding(Status.WARN, "weak_wifi", fields)
        return Finding(Status.PASS, "wifi" if found.signal_percent is not None else "wifi_unknown", fields)
    return Finding(Status.PASS, "wired", fields)


class LinkType(NetworkCheck):
    """Wired or Wi-Fi (and how strong), and whether a VPN carries the traffic. Contacts nothing."""

    id = "network.link"
    verdicts = frozenset({Status.WARN})
    independent = True  # tells the kind of connection even when the internet cannot be reached

    def measure(self, context: CheckContext) -> CheckResult:
        found = link.current_link()
        details = {"interface": found.interface or "none", "kind": found.kind}
        if found.signal_percent is not None:
            details["signal_percent"] = round(found.signal_percent)
        if found.kind == "unknown":
            return self.worded(Finding(Status.SKIP, "unknown"), details=details)
        return self.finish(assess_link(found, float(context.thresholds["weak_signal_percent"])), details=details)


PROBE_USERS = frozenset(check.id for check in (Latency, Jitter, Loss, Udp, DownloadDelay, UploadDelay))
"""The checks that use the idle probe stream."""
