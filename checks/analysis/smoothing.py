"""Steady verdicts from a stream of noisy ones: no flicker between pass and warn in a live view."""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Hashable
from typing import Generic, TypeVar

T = TypeVar("T", bound=Hashable)


class Steady(Generic[T]):
    """Shows a new verdict only once it has been seen ``needed`` times among the last ``window`` ones.

    Until then the verdict shown before stays, so one odd frame never changes what the candidate reads.
    """

    def __init__(self, window: int = 5, needed: int = 3) -> None:
        if not 1 <= needed <= window:
            raise ValueError("needed must be between 1 and window")
        self.needed = needed
        self._recent: deque[T] = deque(maxlen=window)
        self.current: T | None = None

    def update(self, verdict: T) -> T:
        self._recent.append(verdict)
        top, count = Counter(self._recent).most_common(1)[0]
        if self.current is None or (top != self.current and count >= self.needed):
            self.current = top
        return self.current  # type: ignore[return-value]

    def reset(self) -> None:
        self._recent.clear()
        self.current = None
