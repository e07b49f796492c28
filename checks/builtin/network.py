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
import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlsplit

from checks.analysis.network import RttStats, grade_throughput, grade_upper, rtt_stats
from checks.analysis.responsiveness import FOREIGN_KINDS, responsiveness
from checks.api import Cancelled, Check, CheckContext, CheckResult, Finding, Guide, Series, Status
from checks.netprobe import link, reach, stun, transfer
from checks.netprobe.common import Budget, ProbeError, endpoint
from checks.netprobe.counters import RateSampler
from checks.netprobe.foreign import foreign_probes
from checks.netprobe.speedtest_net import SpeedtestSession
from checks.network import NetworkSettings
from checks.resources import load_toml_asset
from checks.wording import say, say_all

SPEEDTEST_CONFIG_URL = "https://www.speedtest.net/speedtest-config.php"
NEEDS_SERVER = ("network.connectivity", "network.download", "network.upload")
"""Checks that use the throughput server (with ``--network librespeed`` they need ``--server``)."""
PLATFORM_FIELDS = ("name", "down_mbps", "up_mbps", "bandwidth_source", "tcp", "udp_stun")


def _failure(error: ProbeError) -> str:
    """The failure in words (one clause)."""
    return say(f"network.failure.{error.kind}", **{"status": "", "location": "", "proxy": "", "seconds": "",
                                                   **error.fields})


class NetworkCheck(Check):
    """What the network checks share: settings, the phase budget, and writing results from findings."""

    category = "network"
    requires = frozenset({"network"})
    defaults: ClassVar[Mapping[str, Any]] = load_toml_asset("thresholds.toml").get("network", {})

    def settings(self, context: CheckContext) -> NetworkSettings:
        return context.network or NetworkSettings()

    def budget(self, context: CheckContext) -> Budget:
        """This check's budget: its own deadline (less a margin to report), and the whole phase's."""
        phase_s = float(context.thresholds["phase_s"])  # the first network check's value sets the phase
        phase_end, phase_s = context.memo("network.phase_end", lambda: (time.monotonic() + phase_s, phase_s))
        deadline = min(context.deadline - 0.5, phase_end)
        if time.monotonic() >= phase_end - 0.2:
            raise PhaseOver(phase_s)
        return Budget(deadline, context.cancel_event)

    def platform(self, context: CheckContext) -> reach.Platform:
        limits = context.thresholds
        try:
            return reach.platform(str(limits["platform"]), {k: limits[k] for k in PLATFORM_FIELDS if k in limits})
        except (ValueError, KeyError, TypeError) as error:
            raise UnusablePlatform(str(limits.get("platform")), str(error)) from None

    def finish(self, finding: Finding, *, value: float | None = None, unit: str = "",
               details: Mapping[str, Any] | None = None, series: list[Series] | None = None) -> CheckResult:
        return self.worded(finding, value=value, unit=unit, details=details, series=series or ())

    def run(self, context: CheckContext) -> CheckResult:
        settings = self.settings(context)
        if settings.backend == "librespeed" and not settings.server and self.id in NEEDS_SERVER:
            return self.result(Status.ERROR, say("network.no_server.summary"), say_all("network.no_server.advice"))
        try:
            return self.measure(context)
        except UnusablePlatform as bad:
            return self.result(Status.ERROR, say("network.bad_platform.summary", platform=bad.name, error=bad.error),
                               say_all("network.bad_platform.advice"))
        except PhaseOver as over:
            return self.result(Status.ERROR, say("network.phase_over.summary", seconds=f"{over.seconds:g}"),
                               say_all("network.phase_over.advice"))
        except ProbeError as error:
            if error.kind == "cancelled" or context.cancelled:
                raise Cancelled() from None
            return self.result(Status.ERROR, say("network.probe_failed.summary", reason=_failure(error)),
                               say_all("network.probe_failed.advice"), details={"failure": error.kind})

    def measure(self, context: CheckContext) -> CheckResult:
        raise NotImplementedError


class UnusablePlatform(Exception):
    def __init__(self, name: str, error: str) -> None:
        super().__init__(name, error)
        self.name, self.error = name, error


class PhaseOver(Exception):
    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds


# -- connectivity ------------------------------------------------------------------------------------------------


CONNECTIVITY_FAILURES = {
    "dns": (Status.FAIL, "dns"),
    "captive": (Status.FAIL, "captive"),
    "proxy": (Status.FAIL, "proxy"),
    "http_status": (Status.WARN, "server_error"),  # the internet works; the test server refused
    "bad_answer": (Status.WARN, "server_error"),
}


def assess_connectivity(error: ProbeError | None, host: str, ms: float | None) -> Finding:
    """The connectivity verdict from the fetch's outcome."""
    if error is None:
        return Finding(Status.PASS, "ok", {"host": host, "ms": round(ms or 0)})
    fields = {"host": host, "reason": _failure(error), **{k: v for k, v in error.fields.items()}}
    status, key = CONNECTIVITY_FAILURES.get(error.kind, (Status.FAIL, "offline"))
    return Finding(status, key, fields)


def _probe_target(backend: str, settings: NetworkSettings) -> tuple[str, Callable[[bytes], bool]]:
    """The URL that tells whether ``backend``'s server answers, and what its body must be."""
    if backend == "speedtest":
        return SPEEDTEST_CONFIG_URL, lambda body: b"<settings" in body
    server = _server(backend, settings)
    return server.probe_url, server.expected


def _server(backend: str, settings: NetworkSettings) -> transfer.Backend:
    if backend == "librespeed":
        if not settings.server:
            raise ProbeError("failed", error="no --server given for LibreSpeed")
        return transfer.Backend("librespeed", settings.server)
    return transfer.Backend("cloudflare", transfer.CLOUDFLARE)


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
        order = _backends(settings)
        errors: list[tuple[str, ProbeError]] = []
        details: dict[str, Any] = {}
        finding: Finding | None = None
        for i, backend in enumerate(order):
            url, expect = _probe_target(backend, settings)
            host = urlsplit(url).hostname or url
            if i == 0:
                details.update(url=url, proxy=reach.environment_proxy(url) or "none")
            context.progress(0.1 + 0.8 * i / len(order), say("network.connectivity.progress", host=host))
            try:
                # at least 3 s: a fetch takes three round trips, 2.4 s on an 800 ms satellite or mobile link
                answer = reach.fetch(url, budget.within(max(3.0, budget.left() / (len(order) - i))), expect)
            except ProbeError as error:
                if error.kind == "cancelled" or context.cancelled:
                    raise
                errors.append((host, error))
                if budget.done:
                    break
                continue
            if not errors:
                finding = assess_connectivity(None, host, answer.seconds * 1000)
            else:
                first_host, first = errors[0]
                finding = Finding(Status.WARN, "server_down",
                                  {"host": first_host, "reason": _failure(first), "other": host})
            details.update(answered=url, status=answer.status)
            break
        if finding is None:
            first_host, first = errors[0] if errors else ("", ProbeError("timeout"))
            finding = assess_connectivity(first, first_host, None)
            details["failure"] = first.kind
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
    """The throughput backends to try, in order: ``auto`` is the profile's or ``--server`` LibreSpeed server, then
    Cloudflare's speed test, then speedtest.net (through speedtest-cli)."""
    if settings.backend == "auto":
        return (["librespeed"] if settings.server else []) + ["cloudflare", "speedtest"]
    return [settings.backend]


def _stop_rule(limits: Mapping[str, Any]) -> transfer.StopRule:
    return transfer.StopRule(ramp_s=float(limits["ramp_s"]), window_s=float(limits["window_s"]),
                             windows=int(limits["windows"]), tolerance=float(limits["tolerance"]),
                             min_s=float(limits["min_s"]), max_s=float(limits["max_s"]),
                             stall_s=float(limits["stall_s"]), ramp_rtts=float(limits["ramp_rtts"]),
                             streams=int(limits["streams"]),
                             stream_mbps=float(limits["stream_mbps"]))


class Throughput(NetworkCheck):
    direction: ClassVar[str]

    def _measure_with(self, backend: str, context: CheckContext, budget: Budget) -> Measured:
        settings = self.settings(context)
        progress_key = f"{self.id}.progress"
        if backend in ("librespeed", "cloudflare"):
            server = _server(backend, settings)
            rule = _stop_rule(context.thresholds)
            samples: list[tuple[float, float]] = []

            def on_sample(t: float, mbps: float) -> None:
                samples.append((t, mbps))
                context.progress(min(0.99, t / rule.max_s), say(progress_key, mbps=f"{mbps:.1f}"))

            done = transfer.measure(self.direction, server, budget, rule, on_sample)
            return Measured(done.result.mbps, done.result.bytes, done.result.seconds, backend, server.root,
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
        for backend in order:
            try:
                done = self._measure_with(backend, context, budget)
                preferred["backend"] = backend
                return dataclasses.replace(done, tried="; ".join(tried))
            except ProbeError as error:
                if error.kind == "cancelled" or context.cancelled:
                    raise
                tried.append(f"{backend}: {error.kind}")
                first = first or error  # the reason told is the first backend's (the one asked for)
                if budget.done:
                    break
        first = first or ProbeError("failed", error="no backend")
        first.fields.setdefault("tried", "; ".join(tried))
        return first

    def measure(self, context: CheckContext) -> CheckResult:
        limits = context.thresholds
        platform = self.platform(context)
        need = platform.down_mbps if self.direction == "download" else platform.up_mbps
        outcome = self.measured(context)
        if isinstance(outcome, ProbeError):
            return self.finish(Finding(Status.ERROR, "unmeasured", {"reason": _failure(outcome)}),
                               details={"failure": outcome.kind, "tried": outcome.fields.get("tried", "")})
        status = grade_throughput(outcome.mbps, need, float(limits["headroom"]))
        key = {Status.PASS: "ok", Status.WARN: "tight", Status.FAIL: "slow"}[status]
        want = need * float(limits["headroom"])
        fields = {"mbps": f"{outcome.mbps:.1f}", "need": f"{need:g}", "platform": platform.name, "want": f"{want:g}"}
        series = [Series(say(f"plot.{self.direction}"), "s", "Mbit/s", outcome.samples, (
            Guide(need, say("plot.need", platform=platform.name)),
            Guide(want, say("plot.comfortable"))))] if outcome.samples else []
        return self.finish(Finding(status, key, fields), value=round(outcome.mbps, 2), unit="Mbit/s", series=series,
                           details={
            "backend": outcome.backend, "server": outcome.server, "bytes": outcome.bytes,
            "seconds": round(outcome.seconds, 2), "stable": outcome.stable if outcome.stable is not None else "n/a",
            "platform": platform.name, "need_mbps": need, "source": platform.bandwidth_source,
            "fallbacks": outcome.tried or "none", "contacted": outcome.contacted})


@dataclass(frozen=True)
class Loaded:
    """A transfer and the probe stream that ran alongside it (delay under load)."""

    outcome: Measured | ProbeError
    stats: RttStats | None
    rtts: tuple[float | None, ...]
    """Each probe's round trip in seconds (None: lost), sent every ``probe_interval_s`` from ``start_s``."""
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
        target = _loaded_target(self, context)
        stop = threading.Event()
        box: dict[str, Any] = {}
        limits = context.thresholds
        interval = float(limits["probe_interval_s"])
        server = _foreign_server(self, context)
        foreign: list[tuple[float, Mapping[str, float]]] = []

        def foreign_while_loaded() -> None:
            if stop.wait(float(limits["ramp_s"])) or server is None:
                return
            foreign_probes(server.probe_url, Budget(context.deadline, context.cancel_event), stop,
                           float(limits["foreign_interval_s"]), lambda t: foreign.append((time.perf_counter(), t)))

        def probe_while_loaded() -> None:
            if stop.wait(float(limits["ramp_s"])) or target is None:
                return
            box["start"] = time.perf_counter()
            with contextlib.suppress(ProbeError):  # no probe answered under load: told by the check
                box["rtts"], _ = stun.udp_stream(target[0], target[1], Budget(context.deadline, context.cancel_event),
                                                 interval, 60.0, 0.3, late_rtts=float(limits["late_rtts"]), stop=stop)

        stream, prober = (threading.Thread(target=work, name=f"{work.__name__} {self.direction}", daemon=True)
                          for work in (probe_while_loaded, foreign_while_loaded))
        stream.start()
        prober.start()
        try:
            outcome = super().measured(context)
        finally:
            stop.set()
            while stream.is_alive() and not context.cancelled:  # the answers still due (bounded by the deadline)
                stream.join(0.05)
        # the foreign probes done so far; one still on its way (two round trips and a queue) is not waited for
        settled = list(foreign)
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
        loaded = Loaded(outcome, rtt_stats(rtts) if rtts else None, rtts, endpoint(*target) if target else None,
                        start_s, tuple(t for at, t in settled if full is not None and at >= full))
        with context.shared_lock:
            context.shared[f"network.{self.direction}.loaded"] = loaded
        return outcome


class Download(LoadedThroughput):
    id = "network.download"
    direction = "download"


class Upload(LoadedThroughput):
    id = "network.upload"
    direction = "upload"


# -- the probe stream: latency, jitter, loss, UDP ----------------------------------------------------------------


@dataclass(frozen=True)
class Probed:
    run: stun.ProbeRun
    stats: RttStats | None


def _probe(check: NetworkCheck, context: CheckContext) -> Probed:
    existing = context.shared.get("network.probe")
    if isinstance(existing, Probed):
        return existing
    budget = check.budget(context)  # outside the memo: memo holds its lock while computing

    def compute() -> Probed:
        limits = context.thresholds
        settings = check.settings(context)
        servers = [(s.host, s.port) for s in settings.stun] or list(check.platform(context).udp_stun)
        tcp_targets = list(servers)
        if settings.server:
            parts = urlsplit(settings.server)
            tcp_targets.append((parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)))
        run = stun.probe(servers, tcp_targets, budget, interval=float(limits["probe_interval_s"]),
                         duration=float(limits["probe_duration_s"]), answer_wait=float(limits["answer_wait_s"]),
                         late_rtts=float(limits["late_rtts"]), first_answer_s=float(limits["first_answer_s"]),
                         progress=lambda f: context.progress(f, say("network.latency.progress")))
        if context.cancelled:
            raise Cancelled()
        return Probed(run, rtt_stats(run.rtts) if run.rtts else None)

    return context.memo("network.probe", compute)


def _probe_details(probed: Probed) -> dict[str, Any]:
    run, stats = probed.run, probed.stats
    details: dict[str, Any] = {"transport": run.transport, "server": run.server or "none",
                               "contacted": ", ".join(run.contacted) or "none"}
    if stats:
        details.update(sent=stats.sent, received=stats.received, median_ms=_r(stats.median_ms),
                       jitter_ms=_r(stats.jitter_ms), p95_ms=_r(stats.p95_ms),
                       loss_percent=round(stats.loss_percent, 2))
    if run.udp_error:
        details["udp"] = run.udp_error
    return details


def rtt_points(rtts: Sequence[float | None], interval: float, start: float = 0.0) -> tuple[tuple[float, float], ...]:
    """Round trips (seconds; None for a lost probe) sent every ``interval`` s from ``start``, as (s, ms) points for a
    plot; lost probes are left out."""
    return tuple((start + i * interval, rtt * 1000.0) for i, rtt in enumerate(rtts) if rtt is not None)


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _ms(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


class ProbeCheck(NetworkCheck):
    """A figure of the shared probe stream, graded against ``limits`` (lower is better)."""

    figure: ClassVar[str] = ""
    """The :class:`RttStats` field this check reports."""
    limits: ClassVar[tuple[str, str]] = ("warn_ms", "fail_ms")
    keys: ClassVar[tuple[str, str, str]] = ("ok", "high", "very_high")
    unit: ClassVar[str] = "ms"

    def fields(self, value: float, probed: Probed) -> dict[str, Any]:
        return {"ms": _ms(value), "via": say("network.via_tcp") if probed.run.transport == "tcp" else ""}

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
        return self.finish(Finding(status, key, self.fields(value, probed)), value=round(value, 2), unit=self.unit,
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
        return {"percent": f"{value:.1f}", "lost": probed.stats.sent - probed.stats.received,
                "sent": probed.stats.sent}

    def skipped(self, probed: Probed) -> CheckResult | None:
        if probed.run.transport == "udp" and probed.stats is not None:
            return None
        return self.result(Status.SKIP, say("network.loss.no_udp.summary"), (), details=_probe_details(probed))


class Udp(ProbeCheck):
    id = "network.udp"
    verdicts = frozenset({Status.WARN})

    def measure(self, context: CheckContext) -> CheckResult:
        probed = _probe(self, context)
        if probed.run.transport == "udp":
            finding = Finding(Status.PASS, "ok", {"server": probed.run.server})
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
            details[f"tcp {where}"] = f"{took * 1000:.0f} ms" if took is not None else failure
        return self.finish(finding, details=details)


# -- delay under load ---------------------------------------------------------------------------------------------


class LoadedDelay(NetworkCheck):
    """Bufferbloat: how much the delay grows while the connection is busy in one direction (a full queue at the
    router or the line delays the call's packets behind the transfer's)."""

    verdicts = frozenset({Status.WARN, Status.FAIL})
    transfer: ClassVar[type[LoadedThroughput]]

    def measure(self, context: CheckContext) -> CheckResult:
        idle = _probe(self, context)
        direction = self.transfer.direction
        loaded = context.shared.get(f"network.{direction}.loaded")
        if not isinstance(loaded, Loaded):  # run on its own: the transfer runs here, with the probes alongside
            self.transfer().measured(context)
            loaded = context.shared.get(f"network.{direction}.loaded")
        details: dict[str, Any] = {"contacted": loaded.target or "none"} if isinstance(loaded, Loaded) else {}
        if not isinstance(loaded, Loaded) or isinstance(loaded.outcome, ProbeError):
            return self.result(Status.SKIP, say(f"{self.id}.no_transfer.summary"), (), details=details)
        if idle.run.transport != "udp" or idle.stats is None or idle.stats.median_ms is None:
            return self.result(Status.SKIP, say(f"{self.id}.no_udp.summary"), (), details=details)
        if loaded.stats is None or loaded.stats.median_ms is None:
            return self.result(Status.SKIP, say(f"{self.id}.no_answer.summary"), (), details=details)
        growth = max(0.0, loaded.stats.median_ms - idle.stats.median_ms)
        status = grade_upper(growth, float(context.thresholds["warn_ms"]), float(context.thresholds["fail_ms"]))
        key = {Status.PASS: "ok", Status.WARN: "high", Status.FAIL: "very_high"}[status]
        details.update(idle_ms=_r(idle.stats.median_ms), loaded_ms=_r(loaded.stats.median_ms),
                       loaded_sent=loaded.stats.sent, loaded_received=loaded.stats.received, **_rpm_details(loaded))
        limits = context.thresholds
        points = rtt_points(loaded.rtts, float(limits["probe_interval_s"]), loaded.start_s)
        series = [Series(say(f"plot.round_trip_{direction}"), "s", "ms", points, (
            Guide(idle.stats.median_ms, say("plot.idle")),
            Guide(idle.stats.median_ms + float(limits["warn_ms"]), say("plot.attention"))))] if points else []
        rpm = say("network.rpm.clause", rpm=details["rpm"], band=say(f"network.rpm.band.{details['rpm_band']}")) \
            if "rpm" in details else ""
        return self.finish(Finding(status, key, {"ms": _ms(growth), "loaded": _ms(loaded.stats.median_ms), "rpm": rpm}),
                           value=round(growth, 1), unit="ms", details=details, series=series)


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
    figures = {"rpm": round(found.rpm), "rpm_band": found.band, "rpm_foreign_ms": _r(found.foreign_ms),
               "rpm_self_ms": _r(found.self_ms), "rpm_foreign_probes": found.foreign_n,
               "rpm_self_probes": found.self_n}
    return {k: v for k, v in figures.items() if v is not None}  # details hold numbers and strings only


class DownloadDelay(LoadedDelay):
    """Delay while downloading: someone at home streaming or downloading fills the downlink's queue, and the
    call's incoming sound waits behind it."""

    id = "network.download_delay"
    transfer = Download


class UploadDelay(LoadedDelay):
    id = "network.upload_delay"
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
            return self.result(Status.SKIP, say("network.link.unknown.summary"), (), details=details)
        return self.finish(assess_link(found, float(context.thresholds["weak_signal_percent"])), details=details)
