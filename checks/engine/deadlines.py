"""A call that may hang (a driver, a plugin's import, a network library) run with a bound on how long we wait.

The work runs in a daemon thread; the caller waits until it ends, until ``timeout_s`` has passed, or until
``stop_when`` says so. Then ``on_stop`` asks the work to end (cooperatively) and it gets ``grace_s`` more.
A thread that still does not end is left behind (a daemon thread never keeps the process alive). What
happened is an :class:`Outcome`, plain data, whose :attr:`~Outcome.kind` says which of the three it was.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

POLL_S = 0.05

Kind = Literal["returned", "raised", "no_answer"]


@dataclass(frozen=True)
class Outcome:
    """How a bounded call ended."""

    ended: bool
    """The work's thread finished (it returned or raised)."""
    stopped: bool = False
    """The caller gave up waiting (time was up or ``stop_when`` said so) and asked it to stop."""
    value: Any = None
    error: BaseException | None = None
    waited_s: float = 0.0

    @property
    def kind(self) -> Kind:
        """``returned`` or ``raised``; ``no_answer`` when it never ended, or ended only by being stopped."""
        if not self.ended:
            return "no_answer"
        if self.error is not None:
            return "raised"
        if self.stopped and self.value is None:
            return "no_answer"
        return "returned"


def bounded_call(work: Callable[[], Any], *, name: str, timeout_s: float | None = None,
                 stop_when: Callable[[], bool] | None = None, on_stop: Callable[[], None] | None = None,
                 grace_s: float = 0.0, tick: Callable[[float], None] | None = None) -> Outcome:
    """Run ``work()`` in a thread and wait for it within the bounds; ``tick(seconds waited)`` is called while
    waiting (at most every :data:`POLL_S`)."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = work()
        except BaseException as error:  # the work may raise anything, SystemExit included
            box["error"] = error

    started = time.monotonic()
    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    stopped = False
    if stop_when is None and tick is None:
        thread.join(timeout_s)
    while thread.is_alive() and not stopped:
        thread.join(POLL_S)
        waited = time.monotonic() - started
        if not thread.is_alive():
            break
        if (timeout_s is not None and waited >= timeout_s) or (stop_when is not None and stop_when()):
            stopped = True
        elif tick is not None:
            tick(waited)
    if stopped or thread.is_alive():
        stopped = True
        if on_stop is not None:
            on_stop()
        thread.join(grace_s)
    return Outcome(ended=not thread.is_alive(), stopped=stopped, value=box.get("value"), error=box.get("error"),
                   waited_s=time.monotonic() - started)
