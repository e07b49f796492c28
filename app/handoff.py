"""The sound card's callbacks hand their data to the GUI here: the one hand-off between an audio thread and a view.

The sound library calls its callbacks on its own thread, which must never wait (a late callback is a dropout), so
they are no workers (:mod:`app.workers`): a callback only :meth:`~Handoff.push`\\ es into a bounded queue (safe from any
thread, never blocks; when the queue is full the value is counted as dropped), and one timer in the GUI thread
calls the view, which :meth:`~Handoff.drain`\\ s what has arrived. The level meter hands over sound blocks this way,
the player the news that its sound has ended::

    feed = Handoff(view.show_news, interval_ms=40, copy=np.copy)
    feed.start()                 # the timer runs; view.show_news() calls feed.drain()
    feed.push(block)             # from the audio thread
    feed.stop()
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, Qt, QTimer

T = TypeVar("T")


class Handoff(Generic[T]):
    """A bounded queue from an audio thread to the GUI thread, drained on the GUI's timer."""

    def __init__(self, on_tick: Callable[[], None] | None = None, *, interval_ms: int = 40, capacity: int = 64,
                 copy: Callable[[Any], T] | None = None, parent: QObject | None = None) -> None:
        """``on_tick`` is called in the GUI thread every ``interval_ms`` while started (it drains); ``copy`` makes
        what is queued from what is pushed (an audio library reuses its buffers)."""
        self._queue: queue.Queue[T] = queue.Queue(maxsize=capacity)
        self._lock = threading.Lock()
        self._copy = copy
        self.pushed = 0
        self.dropped = 0
        self._timer = QTimer(parent)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        if on_tick is not None:
            self._timer.timeout.connect(on_tick)

    def push(self, value: Any) -> None:
        """Queue ``value`` (any thread; never blocks): when the queue is full it is counted as dropped."""
        with self._lock:
            self.pushed += 1
        try:
            self._queue.put_nowait(self._copy(value) if self._copy is not None else value)
        except queue.Full:
            with self._lock:
                self.dropped += 1

    def drain(self) -> list[T]:
        """Every value queued so far, oldest first."""
        values = []
        while True:
            try:
                values.append(self._queue.get_nowait())
            except queue.Empty:
                return values

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    @property
    def running(self) -> bool:
        return self._timer.isActive()
