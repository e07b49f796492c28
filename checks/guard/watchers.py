"""Interview mode's watchers: an adaptive STUN probe stream, the interface, the power and the processor, feeding
:class:`checks.guard.judgement.Guard` from one loop.

The loop is cheap by design: one UDP socket sending a 20-byte request every ``slow_interval_s`` while all is calm
(every ``probe_interval_s`` while anything is wrong or was lately: :meth:`checks.guard.judgement.Guard.interval`) and
waiting in ``select`` in between, waking every ``probe_interval_s`` to notice a late answer; the interface read from
``/proc`` once a second; the battery every ten seconds; the processor's total load every two (the per-app figures
are read only while the load is high). Nothing but the probes leaves the machine, and nothing is written.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import psutil

from checks.builtin.system import busiest_processes, watch_processes
from checks.config.profile import Profile
from checks.config.servers import StunServer
from checks.engine.thresholds import Thresholds
from checks.guard.judgement import (
    Change,
    Cpu,
    Guard,
    Interface,
    Mic,
    MicOff,
    Power,
    Probe,
    Status,
    periods,
    timeline_text,
)
from checks.netprobe import link, reach
from checks.netprobe.common import Budget, ProbeError
from checks.netprobe.stun import BindingStream, first_answering
from checks.sources import SourceError
from checks.sources.mic import MicLevel, MicSpec
from checks.text.wording import clock, say


def guard_limits(thresholds: Thresholds | None = None) -> dict[str, Any]:
    """The ``[guard]`` table in force."""
    return (thresholds or Thresholds()).for_check("guard")


def stun_servers(given: Sequence[tuple[str, int]], profile: Profile | None,
                 thresholds: Thresholds | None = None) -> list[tuple[str, int]]:
    """Whom to probe: the command line's servers, else the profile's, else its platform's (or the default
    platform's) STUN servers from ``assets/platforms.toml``."""
    if given:
        return list(given)
    if profile is not None and profile.stun:
        return [(server.host, server.port) for server in map(StunServer.parse, profile.stun)]
    key = (profile.platform_key if profile else None) or str((thresholds or Thresholds()).for_check("network")
                                                             ["platform"])
    return list(reach.platform(key).udp_stun)


def read_interface(t: float, proc_net: Path = Path("/proc/net"),
                   sys_net: Path = Path("/sys/class/net")) -> Interface | None:
    """The default route's interface now: gone, down, or up (and whether it is a VPN); None where the system does
    not tell (no ``/proc/net/route``: Windows, macOS)."""
    try:
        table = (proc_net / "route").read_text()
    except OSError:
        return None
    name = link.default_route_interface(table)
    if name is None:
        return Interface(t, None, False, "unknown")
    try:
        state = (sys_net / name / "operstate").read_text().strip()
    except OSError:
        state = "unknown"
    kind = link.classify(name, sys_net)
    signal = None
    if kind == "wifi":
        try:
            signal = link.wifi_signal((proc_net / "wireless").read_text(), name)
        except OSError:
            signal = None
    return Interface(t, name, state not in ("down", "lowerlayerdown", "notpresent"), kind, signal)


def read_power(t: float) -> Power | None:
    """The battery now; None without one (or where psutil cannot tell)."""
    try:
        battery = psutil.sensors_battery() if hasattr(psutil, "sensors_battery") else None
    except (OSError, RuntimeError):
        return None
    if battery is None:
        return None
    return Power(t, float(battery.percent), bool(battery.power_plugged))


class CpuWatch:
    """The processor's total load; while it is over ``high`` %, also the busiest app, measured between two looks
    and then again only every ``rescan_s`` (looking at every process is the costly part)."""

    def __init__(self, high: float, rescan_s: float) -> None:
        self.high = high
        self.rescan_s = rescan_s
        self.processes: list[psutil.Process] | None = None
        self.primed_at = 0.0
        psutil.cpu_percent(None)

    def sample(self, t: float) -> Cpu:
        percent = psutil.cpu_percent(None)
        if percent < self.high:
            self.processes = None
            return Cpu(t, percent)
        if self.processes is None and t - self.primed_at >= self.rescan_s:
            self.processes, self.primed_at = watch_processes(), t
            return Cpu(t, percent)
        if self.processes is None:
            return Cpu(t, percent)
        busiest = busiest_processes(self.processes)
        self.processes = None  # the next look waits ``rescan_s`` after the last
        return Cpu(t, percent, busiest[0][0] if busiest else None)


@dataclass
class Watch:
    """What the loop watches with (the readers can be replaced, say, to watch another ``/proc``)."""

    servers: Sequence[tuple[str, int]]
    limits: Mapping[str, Any]
    interface: Callable[[float], Interface | None] = read_interface
    power: Callable[[float], Power | None] | None = read_power
    """None: the power is not watched."""
    cpu: bool = True
    """False: the processor is not watched."""
    mic: MicSpec | None = None
    """The microphone whose level is watched (None, the default: it is not). The loop follows changes to it
    while it runs (the window's tick box)."""


class MicWatch:
    """The optional microphone watcher, following :attr:`Watch.mic`: opened when it is set, closed when it is
    cleared. Where the microphone cannot be opened (busy, not shareable, missing), ``notice`` is told once and the
    watcher stays off until another microphone is asked for."""

    def __init__(self, notice: Callable[[str], None]) -> None:
        self.notice = notice
        self.meter: MicLevel | None = None
        self.spec: MicSpec | None = None
        self.refused: MicSpec | None = None

    def sample(self, t: float, wanted: MicSpec | None) -> Mic | MicOff | None:
        if wanted != self.spec:
            was_on = self.meter is not None
            self.close()
            self.spec = wanted
            if wanted is not None and wanted != self.refused:
                try:
                    self.meter = MicLevel(wanted)
                except SourceError as error:
                    self.refused = wanted
                    self.notice(say("guard.mic_unavailable", error=error.summary))
            if was_on and self.meter is None:
                return MicOff(t)
        if self.meter is None:
            return None
        return Mic(t, self.meter.level())

    def close(self) -> None:
        meter, self.meter = self.meter, None
        if meter is not None:
            meter.close()


def open_stream(servers: Sequence[tuple[str, int]], cancel: threading.Event) -> BindingStream | None:
    """A stream to the first server that answers, else to the first that can be reached at all (it may answer
    later); None when no server's name can even be looked up."""
    chosen, *_ = first_answering(servers, Budget(time.monotonic() + 3.0, cancel))
    for host, port in [chosen] if chosen else servers:
        try:
            return BindingStream(host, port, Budget(time.monotonic() + 2.0, cancel))
        except ProbeError:
            continue
    return None


def run(watch: Watch, cancel: threading.Event, emit: Callable[[Status, bool], None],
        notice: Callable[[str], None] = lambda text: None) -> Guard:
    """Watch until ``cancel`` is set. ``emit(status, changed)`` gets every evaluation (one per probe interval);
    ``changed`` is True when the state changed; ``notice`` gets a sentence to tell once (a watcher that cannot
    watch). Returns the guard (its ``changes`` are the timeline)."""
    limits = watch.limits
    interval = float(limits["probe_interval_s"])
    start = time.perf_counter()
    guard = Guard(limits, start)
    readers: dict[str, Callable[[float], Any]] = {"interface": watch.interface}
    if watch.power is not None:
        readers["power"] = watch.power
    if watch.cpu:
        readers["cpu"] = CpuWatch(float(limits["cpu_percent"]), float(limits["cpu_s"])).sample
    mic = MicWatch(notice)
    readers["mic"] = lambda now: mic.sample(now, watch.mic)
    every = {name: float(limits[f"{name}_every_s"]) for name in readers}
    last = dict.fromkeys(every, -1e9)
    stream: BindingStream | None = None
    next_open = start
    sent_at = -1e9
    try:
        tick = start
        while not cancel.is_set():
            now = time.perf_counter()
            if stream is None and now >= next_open:
                stream = open_stream(watch.servers, cancel)
                next_open = time.perf_counter() + 5.0
            for name, period in every.items():  # before the probe: nothing delays reading its answer
                if now - last[name] >= period:
                    last[name] = now
                    sample = readers[name](now)
                    if sample is not None:
                        guard.add(sample)
            if now - sent_at >= guard.interval(now) - interval / 2:  # on the beat nearest the rate's
                sent_at = now
                if stream is not None:
                    stream.send()
                else:
                    guard.add(Probe(now, None))  # no server can be reached: as good as unanswered
            tick += interval
            if stream is not None:
                stream.receive(tick - time.perf_counter())
                for sent, rtt in stream.finished(guard.answer_timeout()):
                    guard.add(Probe(sent, rtt))
                guard.waiting(time.perf_counter(), stream.waiting())
            else:
                cancel.wait(max(0.0, tick - time.perf_counter()))
            before = len(guard.changes)
            status = guard.evaluate(time.perf_counter())
            emit(status, len(guard.changes) != before)
            if time.perf_counter() - tick > interval:  # fell behind (the machine slept): start the beat afresh
                tick = time.perf_counter()
    finally:
        if stream is not None:
            stream.close()
        mic.close()
    return guard


def wall_clock(t: float) -> float:
    """A ``time.perf_counter()`` moment (the watchers' clock) as Unix time."""
    return time.time() - (time.perf_counter() - t)


def timeline_record(changes: Sequence[Change], end: float) -> dict[str, Any]:
    """The opt-in record after the interview: each period's wall-clock start, length, state and reason, and the
    timeline in words; nothing else."""
    items = periods(changes, end)

    def local(t: float) -> datetime:
        return datetime.fromtimestamp(wall_clock(t)).astimezone()

    return {
        "periods": [{"start": local(p.start).isoformat(timespec="seconds"), "seconds": round(p.seconds, 1),
                     "state": p.state, "reason": p.reason} for p in items],
        "lines": timeline_text(items, lambda t: clock(local(t))),
    }
