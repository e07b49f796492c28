"""The registry of categories and devices: adding one is one entry here.

A *category* groups checks in a report (in the order of :data:`CATEGORIES`). A *device* is something a check may
``require``: the runner opens it once for every check that needs it, waits at most its ``timeout`` (a runner
threshold) for it to open, and skips the checks when the run turned it off (:attr:`Device.off_key`) or it could not
be opened (:attr:`Device.needs_key`). A new category or device is one line in :data:`CATEGORIES` / :data:`DEVICES`,
with its wording (``category.<name>``, ``runner.off_<name>``, ``runner.needs_<name>``, ``sources.<name>.*``).

This module imports nothing of the project at load time, so the check API may import it; the openers import their
sources when they are called.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Device:
    """Something checks require, opened once per run from the run's configuration (a ``RunConfig``)."""

    name: str
    open: Callable[[Any], Any]
    """Opens it from the run's configuration; raises ``SourceError`` when it cannot."""
    is_off: Callable[[Any], bool]
    """Whether the run turned it off (``--camera none``)."""
    timeout: str | None = None
    """The runner threshold saying how long opening may take; None: it is opened at once, in place."""
    wording: str = ""
    """Its wording key (``runner.off_<key>``, ``runner.needs_<key>``, ``sources.<key>.*``); the name by default."""

    @property
    def off_key(self) -> str:
        """The ``runner.`` wording of a check skipped because the device is off."""
        return f"off_{self.wording or self.name}"

    @property
    def needs_key(self) -> str:
        """The ``runner.`` wording of a check skipped because the device could not be opened."""
        return f"needs_{self.wording or self.name}"


def _open_camera(config: Any) -> Any:
    from checks.sources.camera import open_camera
    return open_camera(config.camera)


def _open_mic(config: Any) -> Any:
    from checks.sources.mic import open_mic
    return open_mic(config.mic)


def _open_screen(config: Any) -> Any:
    from checks.sources.screen import open_screen
    return open_screen(config.screen)


CATEGORIES: tuple[str, ...] = ("camera", "mic", "network", "system", "screen")
"""Every category, in the order a report shows them."""

DEVICES: tuple[Device, ...] = (
    Device("camera", _open_camera, lambda config: config.camera.kind == "none", timeout="open_camera_s"),
    Device("mic", _open_mic, lambda config: config.mic.kind == "none", timeout="open_mic_s"),
    Device("network", lambda config: config.network, lambda config: config.network.backend == "none"),
    Device("screen", _open_screen, lambda config: config.screen == "none", timeout="open_screen_s"),
)
"""What a check may require. Checks that share one run one after another on the one opened source."""


def device_named(name: str) -> Device:
    """The registered device called ``name`` (KeyError when there is none)."""
    for entry in DEVICES:
        if entry.name == name:
            return entry
    raise KeyError(name)
