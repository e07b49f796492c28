"""Interview mode's states made the real way: a :class:`checks.guard.Guard` fed with exact probe sequences."""

from __future__ import annotations

import random

from checks.guard import Guard, Probe, Status
from checks.guard_watch import guard_limits

LIMITS = guard_limits()
STEP = LIMITS["probe_interval_s"]


def drive(guard: Guard, start: float, end: float, loss: float = 0.0, rtt: float = 0.02, seed: int = 1,
          answered: bool = True, lose_every: int = 0) -> list[tuple[float, str, str]]:
    """Probes every STEP from ``start`` to ``end`` (each lost with probability ``loss``, or every ``lose_every``-th;
    none answered when not ``answered``), evaluated after each; the (t, state, reason) seen."""
    rng = random.Random(seed)
    seen = []
    n = round((end - start) / STEP)
    for i in range(n):
        t = start + i * STEP
        ok = answered and rng.random() >= loss and not (lose_every and i % lose_every == lose_every - 1)
        guard.add(Probe(t, rtt if ok else None))
        status = guard.evaluate(t + STEP)
        seen.append((status.t, status.state, status.reason))
    return seen


def drive_adaptive(guard: Guard, start: float, end: float, loss: float = 0.0, rtt: float = 0.02, seed: int = 1,
                   answered: bool = True, lost_at: tuple[float, ...] = (),
                   rtt_at: dict[float, float] | None = None) -> tuple[list[tuple[float, str, str]], list[float]]:
    """As the watch loop does it: a beat every STEP, a probe sent when :meth:`Guard.interval` says one is due, an
    unanswered probe given to the guard as lost only after ``answer_timeout_s`` (and as waiting before). A probe
    is lost with probability ``loss``, or when sent at a moment of ``lost_at``; ``rtt_at`` gives other round trips
    from a moment on. Returns (t, state, reason) of every beat and the send times."""
    rng = random.Random(seed)
    timeout = LIMITS["answer_timeout_s"]
    seen, sent, waiting = [], [], []
    last_sent = -1e9
    for i in range(round((end - start) / STEP)):
        t = round(start + i * STEP, 6)
        if t - last_sent >= guard.interval(t) - STEP / 2:
            last_sent = t
            sent.append(t)
            ok = answered and rng.random() >= loss and not any(abs(t - at) < STEP / 2 for at in lost_at)
            trip = next((v for at, v in sorted((rtt_at or {}).items(), reverse=True) if t >= at), rtt)
            if ok:
                guard.add(Probe(t, trip))
            else:
                waiting.append(t)
        now = t + STEP
        for s in [s for s in waiting if s + timeout <= now]:
            waiting.remove(s)
            guard.add(Probe(s, None))
        guard.waiting(now, waiting)
        status = guard.evaluate(now)
        seen.append((status.t, status.state, status.reason))
    return seen, sent


def statuses() -> dict[str, Status]:
    """One status of each state, as the guard judges them: a clean line, 20 % loss, then no answer at all."""
    guard = Guard(LIMITS)
    drive(guard, 0, 10, rtt=0.028)
    out = {"good": guard.evaluate(10)}
    drive(guard, 10, 20, loss=0.2, seed=4)
    out["trouble"] = guard.evaluate(20)
    drive(guard, 20, 25, answered=False)
    out["down"] = guard.evaluate(25)
    assert [s.state for s in out.values()] == list(out), out
    return out
