"""Interview mode's states made the real way: a :class:`checks.guard.judgement.Guard` fed with exact probe sequences."""

from __future__ import annotations

import contextlib
import json
import queue
import random
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

from checks.guard.judgement import Guard, Probe, Status
from checks.guard.watchers import guard_limits
from tests.conftest import ROOT

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
    unanswered probe given to the guard as lost only after its answer time (and as waiting before). A probe
    is lost with probability ``loss``, or when sent at a moment of ``lost_at``; ``rtt_at`` gives other round trips
    from a moment on. Returns (t, state, reason) of every beat and the send times."""
    rng = random.Random(seed)
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
        for s in [s for s in waiting if s + guard.answer_timeout() <= now]:
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


def default_signals() -> None:
    """A child's ``preexec_fn``: Ctrl+C (SIGINT) and a hang-up (SIGHUP) at their defaults in the child, as a shell
    in a terminal starts a program, whatever this process inherited. Run as a background job (``./test &``), the
    tests start with SIGINT ignored, and under ``nohup`` with SIGHUP ignored; a child inheriting that would never
    stop on the Ctrl+C a test sends it, or would outlive the terminal a test closes (as ``nohup`` asks)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)


class GuardCommand:
    """The real ``interview-ready guard --jsonl`` (``argv``, run from the repository); its lines, each with the
    moment it was read."""

    def __init__(self, argv: Sequence[str], env: Mapping[str, str] | None = None) -> None:
        self.process = subprocess.Popen(list(argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                                        env=None if env is None else dict(env), preexec_fn=default_signals)
        self.lines: queue.Queue[tuple[float, dict]] = queue.Queue()
        self.seen: list[tuple[float, dict]] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put((time.monotonic(), json.loads(line)))

    def until(self, state: str, within: float, where: Callable[[dict], bool] = lambda record: True) -> float:
        """Seconds from now until a line in ``state`` (and ``where`` it is true) arrives (fails after ``within``)."""
        start = time.monotonic()
        while True:
            record = self.next_line(max(0.01, start + within - time.monotonic()), f"no {state!r} within {within} s")
            if record["state"] == state and where(record):
                return self.seen[-1][0] - start

    def next_line(self, within: float, failure: str = "no line") -> dict:
        """The next line, whatever it says (fails after ``within``, saying ``failure``)."""
        try:
            at, record = self.lines.get(timeout=within)
        except queue.Empty:
            raise AssertionError(f"{failure}; seen {self.states()}: {self.seen}") from None
        self.seen.append((at, record))
        return record

    def during(self, seconds: float) -> list[dict]:
        """The lines that arrive in the next ``seconds``."""
        end, out = time.monotonic() + seconds, []
        while (left := end - time.monotonic()) > 0:
            try:
                at, record = self.lines.get(timeout=left)
            except queue.Empty:
                break
            self.seen.append((at, record))
            out.append(record)
        return out

    def states(self) -> list[str]:
        out: list[str] = []
        for _, record in self.seen:
            if not out or out[-1] != record["state"]:
                out.append(record["state"])
        return out

    def stop(self) -> tuple[int, str]:
        self.process.send_signal(2)  # Ctrl+C
        try:
            _, err = self.process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, err = self.process.communicate()
        return self.process.returncode, err


@contextlib.contextmanager
def local_stun(folder: Path) -> Iterator[str]:
    """A real coturn answering STUN on a free port of this machine's loopback ("127.0.0.1:PORT"), its log and pid
    file in ``folder``; RuntimeError if it does not start."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(["turnserver", "-n", "--listening-ip=127.0.0.1", f"--listening-port={port}",
                               "--stun-only", "--no-tls", "--no-dtls", "--no-cli", "--simple-log",
                               f"--log-file={folder / 'turn.log'}", f"--pidfile={folder / 'turn.pid'}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        end = time.monotonic() + 10
        while not any(f":{port:04X} " in line for line in Path("/proc/net/udp").read_text().splitlines()):
            if time.monotonic() > end or server.poll() is not None:
                raise RuntimeError(f"coturn did not start on 127.0.0.1:{port}")
            time.sleep(0.1)
        yield f"127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(10)
