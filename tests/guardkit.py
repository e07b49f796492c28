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
