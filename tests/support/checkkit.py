"""Small real checks for runner and window tests, wrapped as loaded plugins with real entry points."""

from __future__ import annotations

import importlib.metadata as metadata
import threading
import time

from checks.api import Check, CheckContext, Status
from checks.engine.discovery import LoadedCheck, Plugin


def loaded(check: Check, package: str = "test-checks") -> LoadedCheck:
    """``check`` as discovery would hand it over from distribution ``package``."""
    ep = metadata.EntryPoint(name=check.id, value=f"tests.support.checkkit:{type(check).__name__}",
                             group="interview_ready.checks")
    return LoadedCheck(Plugin(check.id, package, "1.0", ep), check=check)


class Simple(Check):
    """Returns ``status`` after ``sleep_s`` (cooperatively), remembering what it was given."""

    category = "system"

    def __init__(self, check_id: str, status: Status = Status.PASS, sleep_s: float = 0.0,
                 requires: frozenset[str] = frozenset(), deadline_s: float | None = None) -> None:
        self.id = check_id
        self.title = check_id.replace(".", " ").title()
        self.requires = requires
        self.deadline_s = deadline_s
        self.status = status
        self.sleep_s = sleep_s
        self.contexts: list[CheckContext] = []
        self.started = threading.Event()

    def run(self, context: CheckContext):
        self.contexts.append(context)
        self.started.set()
        if self.sleep_s:
            context.sleep(self.sleep_s)
        return self.result(self.status, f"{self.id} is {self.status.value}.", ("Do this.",))


class Hangs(Simple):
    """Ignores cancel and its deadline."""

    def run(self, context: CheckContext):
        self.started.set()
        time.sleep(self.sleep_s)
        return self.result(Status.PASS, "finished too late")


class Raises(Simple):
    def run(self, context: CheckContext):
        raise ZeroDivisionError("the plugin divided by zero")


class Garbage(Simple):
    def __init__(self, check_id: str, value: object) -> None:
        super().__init__(check_id)
        self.value = value

    def run(self, context: CheckContext):
        return self.value
