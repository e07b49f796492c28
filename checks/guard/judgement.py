"""Interview mode's judgement: good, trouble or down, from timestamped samples, with hysteresis so it never flickers.

Pure: no clock, no sockets, no Qt. The watchers (:mod:`checks.guard.watchers`) feed it samples stamped with
``time.monotonic()``; tests feed it exact sequences. Every figure comes from the ``[guard]`` table of
``assets/thresholds.toml``; every sentence from ``[guard]`` of the wording (``assets/locale/english.toml`` in English).

The rules, in short:

* **down** at once when the interface is gone (link down, no default route), or when no probe has been
  answered for ``down_silence_s``; it ends only after answers have come back steadily for ``up_after_s``.
* **trouble** when a trouble condition (loss, round trip or jitter over the 10-s window; the battery low; the
  charger just pulled; the processor busy for ``cpu_s``; a VPN just started) has lasted ``trouble_after_s``;
  connection figures leave trouble only below their lower *clear* limit (hysteresis on the value too).
* **good** again only when nothing has been wrong for ``good_after_s``.

The probe rate adapts (:meth:`Guard.interval`): the fast ``probe_interval_s`` from the start, while anything is
wrong and until ``calm_s`` after the last lost, late (unanswered after ``late_s``) or jumping (``rtt_jump_ms`` over
the window's median) probe; the slow ``slow_interval_s`` otherwise. The window's figures are counted per probe, so
a window that holds probes of both rates is judged as it is; and loss is trouble only with at least
``loss_min_lost`` probes lost, as at the fast rate a full window needs for its limit, so a window that is still
mostly slow cannot make one lost probe news.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from checks.analysis.network import rtt_stats
from checks.text.wording import say

STATES = ("good", "trouble", "down")
SHOWN_STATES = ("checking", *STATES)
"""What the window and the command line name: "checking" until the first answer, then the state."""
DOWN_REASONS = ("link_down", "no_route", "no_answer")
TROUBLE_REASONS = ("loss", "rtt", "jitter", "never_answered", "wifi", "mic_silent", "battery_low", "charger", "cpu",
                   "vpn")
"""Most important first: the one line shows the first that applies."""
IMMEDIATE = ("charger", "vpn", "mic_silent")
"""Changes that are news at once (the others must last ``trouble_after_s``; a silent microphone has lasted its own
``mic_silent_s`` already)."""
SETTLING_REASONS = ("back", "settling")
"""The reasons of a trouble state whose cause has gone, while it waits ``good_after_s``."""


@dataclass(frozen=True)
class Probe:
    """One STUN binding request: when it was sent and its round trip in seconds (None: no answer)."""

    sent: float
    rtt: float | None


@dataclass(frozen=True)
class Interface:
    """What the interface watcher saw at ``t``: the default route's interface (None: no default route)."""

    t: float
    interface: str | None
    up: bool = True
    kind: str = "wired"
    signal_percent: float | None = None
    """A Wi-Fi link's quality (None: not Wi-Fi, or not known)."""


@dataclass(frozen=True)
class Power:
    t: float
    percent: float
    plugged: bool


@dataclass(frozen=True)
class Cpu:
    t: float
    percent: float
    busiest: str | None = None
    """The app using the most processor time, when the watcher looked (it looks only while the load is high)."""


@dataclass(frozen=True)
class Mic:
    """The optional microphone watcher's look at ``t``: the loudest level in dBFS since its last look (None: no
    sound arrived at all). A level only: no sound is kept."""

    t: float
    level_dbfs: float | None


@dataclass(frozen=True)
class MicOff:
    """The microphone is no longer watched (the candidate unticked it)."""

    t: float


Sample = Probe | Interface | Power | Cpu | Mic | MicOff


@dataclass(frozen=True)
class Status:
    """The guardian's verdict at ``t``: the state, the reason (a key of ``[guard.reasons]``) and the figures."""

    t: float
    state: str
    reason: str
    loss_pct: float | None = None
    rtt_ms: float | None = None
    jitter_ms: float | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)
    mic_quiet_s: float | None = None
    """How long no sound has come from the watched microphone, in seconds (None: the microphone is not watched)."""
    probe_every_s: float | None = None
    """The seconds between probes now (:meth:`Guard.interval`): the fast rate while anything is wrong or was lately,
    the slow one after a calm spell."""

    def text(self) -> str:
        """The one line to show: what is wrong and the one thing to do now."""
        return say(f"guard.reasons.{self.reason}", **self.fields)

    @property
    def shown(self) -> str:
        """The state to show by name and mark: ``checking`` until the first answer came, then the state."""
        return "checking" if self.reason == "checking" else self.state

    def to_json(self) -> dict[str, Any]:
        """The ``--jsonl`` record (``t`` is filled in by the caller as wall-clock time)."""
        record = {"t": self.t, "state": self.state, "loss_pct": _round(self.loss_pct), "rtt_ms": _round(self.rtt_ms),
                  "reason": self.reason}
        if self.mic_quiet_s is not None:  # only while the microphone is watched
            record["mic_quiet_s"] = _round(self.mic_quiet_s)
        if self.probe_every_s is not None:
            record["probe_every_s"] = self.probe_every_s
        return record


@dataclass(frozen=True)
class Change:
    """A change of state, for the timeline."""

    t: float
    state: str
    reason: str


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


class Guard:
    """The state machine. Feed it with :meth:`add` (any order of kinds, each kind in time order), ask with
    :meth:`evaluate` (``t`` never going back); :attr:`changes` is the timeline of states."""

    def __init__(self, limits: Mapping[str, Any], start: float = 0.0) -> None:
        self.limits = {k: v for k, v in limits.items()}
        self.start = start
        self.probes: deque[Probe] = deque()
        self.last_answer: float | None = None
        self.interface: Interface | None = None
        self.first_kind: str | None = None
        self.vpn_since: float | None = None
        self.power: Power | None = None
        self.unplugged_at: float | None = None
        self.cpu_high_since: float | None = None
        self.busiest: str | None = None
        self.mic_sound_at: float | None = None
        """The last moment sound arrived from the watched microphone (None: the microphone is not watched)."""
        self.mic_at: float | None = None
        self.state = "good"
        self.reason = "ok"
        self.wrong_since: dict[str, float] = {}
        """Since when each trouble condition has held (for ``trouble_after_s``)."""
        self.clear_since: float | None = start
        """Since when nothing has been wrong (for ``good_after_s``); None while something is."""
        self.answering_since: float | None = None
        """Since when answers come steadily (for ``up_after_s``)."""
        self.changes: list[Change] = [Change(start, "good", "ok")]
        self.alert_at = start
        """The last moment a probe was lost, late or jumped, or the state was not good: the fast rate until
        ``calm_s`` after it (the start counts: it begins fast)."""

    def _limit(self, name: str) -> float:
        return float(self.limits[name])

    # -- samples ------------------------------------------------------------------------------------------

    def add(self, sample: Sample) -> None:
        if isinstance(sample, Probe):
            if sample.rtt is None or self._jumps(sample.rtt):
                self.alert_at = max(self.alert_at, sample.sent)
            self.probes.append(sample)
            if sample.rtt is not None:
                answered = sample.sent + sample.rtt
                self.last_answer = answered if self.last_answer is None else max(self.last_answer, answered)
        elif isinstance(sample, Interface):
            if sample.interface is not None and self.first_kind is None:
                self.first_kind = sample.kind
            if sample.kind == "vpn" and self.first_kind not in (None, "vpn") and (
                    self.interface is None or self.interface.kind != "vpn"):
                self.vpn_since = sample.t
            self.interface = sample
        elif isinstance(sample, Power):
            if self.power is not None and self.power.plugged and not sample.plugged:
                self.unplugged_at = sample.t
            if sample.plugged:
                self.unplugged_at = None
            self.power = sample
        elif isinstance(sample, Cpu):
            if sample.percent >= self._limit("cpu_percent"):
                if self.cpu_high_since is None:
                    self.cpu_high_since = sample.t
                self.busiest = sample.busiest or self.busiest
            else:
                self.cpu_high_since, self.busiest = None, None
        elif isinstance(sample, Mic):
            if self.mic_sound_at is None or (sample.level_dbfs is not None
                                             and sample.level_dbfs > self._limit("mic_silent_dbfs")):
                self.mic_sound_at = sample.t  # watching begins as if sound had just arrived
            self.mic_at = sample.t
        elif isinstance(sample, MicOff):
            self.mic_sound_at = self.mic_at = None
        else:  # pragma: no cover - the type says it all
            raise TypeError(f"not a guard sample: {sample!r}")

    def _jumps(self, rtt: float) -> bool:
        """Whether a round trip is ``rtt_jump_ms`` over the median of the window's answered probes."""
        answered = [p.rtt for p in self.probes if p.rtt is not None]
        return bool(answered) and (rtt - statistics.median(answered)) * 1000 >= self._limit("rtt_jump_ms")

    def waiting(self, t: float, sent: Sequence[float]) -> None:
        """The probes still unanswered at ``t`` (their send times): one waiting ``late_s`` or more is an alert."""
        if any(t - s >= self._limit("late_s") for s in sent):
            self.alert_at = max(self.alert_at, t)

    def interval(self, t: float) -> float:
        """The probe interval now: fast while anything is wrong or was lately, slow after a calm spell."""
        if self.state != "good" or t - self.alert_at < self._limit("calm_s"):
            return self._limit("probe_interval_s")
        return self._limit("slow_interval_s")

    def answer_timeout(self) -> float:
        """How long a probe may go unanswered before it counts as lost: ``answer_timeout_s``, or ``answer_rtts`` times
        the median round trip of the window's answered probes when that is longer; ``first_answer_s`` before the first
        answer, whose round trip is not known yet. A steady line's answers come, late on a long round trip (a
        satellite's 1.5 s), and its probes are not lost because a fixed second has passed."""
        floor = self._limit("answer_timeout_s")
        if self.last_answer is None:
            return max(floor, self._limit("first_answer_s"))
        answered = [p.rtt for p in self.probes if p.rtt is not None]
        return max(floor, self._limit("answer_rtts") * statistics.median(answered)) if answered else floor

    def lost(self, t: float) -> int:
        """How many probes of the window are lost (unanswered after :meth:`answer_timeout`) at ``t``."""
        timeout = self.answer_timeout()
        return sum(1 for p in self.probes if p.rtt is None and p.sent + timeout <= t)

    # -- judgement ----------------------------------------------------------------------------------------

    def window(self, t: float) -> tuple[float | None, float | None, float | None]:
        """Loss (%), median round trip (ms) and jitter (ms) over the last ``window_s``; probes still within their
        answer time are not counted yet. (None, None, None) before ``min_probes`` have been judged."""
        horizon = t - self._limit("window_s")
        self.probes = deque(p for p in self.probes if p.sent >= horizon)  # they come as they settle, not as sent
        timeout = self.answer_timeout()
        judged = [p.rtt for p in self.probes if p.rtt is not None or p.sent + timeout <= t]
        if len(judged) < self._limit("min_probes"):
            return None, None, None
        stats = rtt_stats(judged)
        return stats.loss_percent, stats.median_ms, stats.jitter_ms

    def _down_reason(self, t: float) -> str | None:
        face = self.interface
        if face is not None and face.interface is None:
            return "no_route"
        if face is not None and not face.up:
            return "link_down"
        silence = self._limit("down_silence_s")
        if self.last_answer is not None and t - self.last_answer >= silence:
            recent = [p for p in self.probes if p.sent > self.last_answer]
            if len(recent) >= 2:
                return "no_answer"
        return None

    def _troubles(self, t: float, loss: float | None, rtt: float | None, jitter: float | None) -> dict[str, dict]:
        """The trouble conditions that hold now, each with the figures its sentence names."""
        out: dict[str, dict] = {}
        figures = (("loss", loss, "loss_percent"), ("rtt", rtt, "rtt_ms"), ("jitter", jitter, "jitter_ms"))
        for key, value, name in figures if self.last_answer is not None else ():
            holding = key in self.wrong_since  # once wrong, a figure must fall under the lower clear limit
            if value is not None and value >= self._limit(f"{'clear' if holding else 'trouble'}_{name}"):
                out[key] = {"value": f"{value:.0f}"}
        if "loss" in out and "loss" not in self.wrong_since and self.lost(t) < self._limit("loss_min_lost"):
            del out["loss"]  # too few lost probes to say anything about the line
        if self.last_answer is None and self.probes and t - self.probes[0].sent >= self._limit("down_silence_s"):
            out["never_answered"] = {}
        face = self.interface
        if face is not None and face.signal_percent is not None and (
                face.signal_percent < self._limit("weak_signal_percent")):
            out["wifi"] = {"percent": f"{face.signal_percent:.0f}"}
        silent = self._limit("mic_silent_s")
        if self.mic_sound_at is not None and self.mic_at is not None and self.mic_at - self.mic_sound_at >= silent:
            out["mic_silent"] = {"seconds": f"{silent:.0f}"}
        power = self.power
        if power is not None and not power.plugged and power.percent < self._limit("battery_percent"):
            out["battery_low"] = {"percent": f"{power.percent:.0f}"}
        elif self.unplugged_at is not None and t - self.unplugged_at < self._limit("notice_s"):
            out["charger"] = {}
        if self.cpu_high_since is not None and t - self.cpu_high_since >= self._limit("cpu_s"):
            out["cpu"] = {"app": self.busiest or say("guard.another_app")}
        if self.vpn_since is not None and t - self.vpn_since < self._limit("notice_s"):
            out["vpn"] = {}
        return out

    def evaluate(self, t: float) -> Status:
        """The state at ``t`` (not before the last evaluation)."""
        down = self._down_reason(t)
        if down is not None:
            self.answering_since = None
            self.clear_since = None
            if self.state != "down":
                self._change(t, "down", down)
            self.reason = down
            return self._status(t, {})
        if self.state == "down":
            if self.answering_since is None:
                self.answering_since = t
            if t - self.answering_since < self._limit("up_after_s"):
                return self._status(t, {})
            # the outage's unanswered probes belong to the outage, not to the loss of the line now
            self.probes = deque(p for p in self.probes if p.sent >= self.answering_since)
            self.wrong_since, self.clear_since = {}, None
            self._change(t, "trouble", "back")
        troubles = self._troubles(t, *self.window(t))
        self.wrong_since = {k: self.wrong_since.get(k, t) for k in troubles}
        after = self._limit("trouble_after_s")
        lasting = [k for k in TROUBLE_REASONS if k in troubles and (
            t - self.wrong_since[k] >= after or k in IMMEDIATE or self.state == "trouble")]
        if lasting:
            self.clear_since = None
            if self.state != "trouble":
                self._change(t, "trouble", lasting[0])
            self.reason = lasting[0]
            return self._status(t, troubles[lasting[0]])
        if self.clear_since is None:
            self.clear_since = t
        if self.state == "trouble":
            if t - self.clear_since < self._limit("good_after_s"):
                if self.reason != "back":
                    self.reason = "settling"
                return self._status(t, {})
            self._change(t, "good", "ok")
        return self._status(t, {})

    def _change(self, t: float, state: str, reason: str) -> None:
        self.state, self.reason = state, reason
        self.alert_at = max(self.alert_at, t)
        self.changes.append(Change(t, state, reason))

    def _status(self, t: float, fields: Mapping[str, Any]) -> Status:
        loss, rtt, jitter = self.window(t)
        # nothing wrong, but no answer yet either: "checking", never "good" before anything was measured
        reason = "checking" if self.state == "good" and self.reason == "ok" and self.last_answer is None \
            else self.reason
        quiet = None if self.mic_sound_at is None or self.mic_at is None else self.mic_at - self.mic_sound_at
        return Status(t, self.state, reason, loss, rtt, jitter, dict(fields), quiet, self.interval(t))


# -- after the interview: the timeline ------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    """A stretch of one state: start and end in seconds since the guardian started."""

    start: float
    end: float
    state: str
    reason: str

    @property
    def seconds(self) -> float:
        return self.end - self.start


def periods(changes: Sequence[Change], end: float) -> list[Period]:
    """The timeline as periods of one state each, up to ``end`` (numbers and state names only)."""
    out = []
    for i, change in enumerate(changes):
        stop = changes[i + 1].t if i + 1 < len(changes) else end
        if stop > change.t:
            out.append(Period(change.t, stop, change.state, change.reason))
    return out


def timeline_text(items: Sequence[Period], clock: Any) -> list[str]:
    """One line per period that was not good ("14:12–14:13 connection down, 48 s"); ``clock`` turns a period's
    seconds into wall-clock ``HH:MM`` text."""
    lines = []
    for item in items:
        if item.state == "good":
            continue
        lines.append(say(f"guard.timeline.{item.state}", start=clock(item.start), end=clock(item.end),
                         seconds=math.ceil(item.seconds)))
    return lines or [say("guard.timeline.all_good")]


# -- the plan B card: the profile's backup channels as things to do --------------------------------------------

_DIAL = re.compile(r"^(?P<number>[^,;]+?)\s*[,;]+(?P<pin>[0-9*]+)#?$")


def channel_action(channel: Mapping[str, Any]) -> str:
    """A backup channel (as :func:`checks.report.model.build_report` lists it) as the thing to do now: "Call the
    dial-in: +44 20 7946 0000, PIN 123456"."""
    kind = channel.get("kind", "chat")
    value = str(channel.get("value", ""))
    label = channel.get("label") or say(f"report.channel_kinds.{kind}")
    if kind == "dial_in":
        match = _DIAL.match(value)
        if match:
            return say("guard.channel_action.dial_in_pin", number=match["number"].strip(), pin=match["pin"])
        return say("guard.channel_action.dial_in", number=value.rstrip("#"))
    return say(f"guard.channel_action.{kind}", label=label, value=value)
