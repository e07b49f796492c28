"""Finding checks through the entry-point group ``interview_ready.checks``.

Plugins are found from distribution metadata *before* anything is imported (as flake8's finder
does); the entry-point name is the check id, so ``--only`` picks checks without importing the rest.
A plugin that fails to import, hangs while importing or is malformed becomes a :class:`LoadedCheck`
with an ``error``, which the runner turns into an ``error`` result naming ``package[name]``.
"""

from __future__ import annotations

import fnmatch
import importlib.metadata as metadata
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from checks.api import CATEGORIES, ENTRY_POINT_GROUP, ID_PATTERN, describe_problem
from checks.engine.deadlines import bounded_call
from checks.text.wording import say

BUILTIN_DISTRIBUTION = "interview-ready"
IMPORT_TIMEOUT_S = 10.0


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Plugin:
    """One entry point in the group, not yet imported."""

    name: str
    package: str
    version: str
    entry_point: metadata.EntryPoint

    @property
    def builtin(self) -> bool:
        return _normalize(self.package) == BUILTIN_DISTRIBUTION

    @property
    def label(self) -> str:
        """How an error names the plugin: ``package[name]``."""
        return f"{self.package}[{self.name}]"

    @property
    def origin(self) -> str:
        return "built-in" if self.builtin else f"{self.package} {self.version}"


@dataclass
class LoadedCheck:
    """A plugin after import: the check object, or the reason it is unusable."""

    plugin: Plugin
    check: Any = None
    error: str | None = None

    @property
    def id(self) -> str:
        return self.check.id if self.check is not None else self.plugin.name

    @property
    def title(self) -> str:
        return self.check.title if self.check is not None else self.plugin.label

    @property
    def category(self) -> str:
        if self.check is not None:
            return str(self.check.category)
        prefix = self.plugin.name.split(".", 1)[0]
        return prefix if prefix in CATEGORIES else "system"

    @property
    def order(self) -> int:
        order = getattr(self.check, "order", 100) if self.check is not None else 1000
        return order if isinstance(order, int) else 100

    @property
    def requires(self) -> frozenset[str]:
        return frozenset(getattr(self.check, "requires", ())) if self.check is not None else frozenset()


def find_plugins(distributions: Iterable[metadata.Distribution] | None = None) -> list[Plugin]:
    """Every entry point in the group, without importing any (first on ``sys.path`` wins)."""
    seen: set[str] = set()
    found: list[Plugin] = []
    for dist in metadata.distributions() if distributions is None else distributions:
        package = dist.metadata["Name"] or "unknown"
        if _normalize(package) in seen:  # the same distribution twice on sys.path
            continue
        seen.add(_normalize(package))
        for ep in dist.entry_points:
            if ep.group == ENTRY_POINT_GROUP:
                found.append(Plugin(ep.name, package, dist.version or "", ep))
    return sorted(found, key=lambda p: (not p.builtin, p.name, p.package))


def _import(plugin: Plugin, timeout_s: float) -> Any:
    outcome = bounded_call(plugin.entry_point.load, name=f"import {plugin.label}", timeout_s=timeout_s)
    if outcome.kind == "no_answer":
        raise TimeoutError(say("discovery.import_slow", seconds=f"{timeout_s:g}"))
    if outcome.error is not None:
        raise outcome.error
    return outcome.value


def load(plugin: Plugin, timeout_s: float | None = None) -> LoadedCheck:
    """Import one plugin and make its check object (a class is instantiated with no arguments)."""
    timeout_s = IMPORT_TIMEOUT_S if timeout_s is None else timeout_s
    if not ID_PATTERN.match(plugin.name):
        return LoadedCheck(plugin, error=say("discovery.not_an_id", name=plugin.name))
    try:
        target = _import(plugin, timeout_s)
        check = target() if isinstance(target, type) else target
    except BaseException as error:
        return LoadedCheck(plugin, error=say("discovery.not_loaded", error=f"{type(error).__name__}: {error}"))
    problem = describe_problem(check)
    if problem is None and check.id != plugin.name:
        problem = say("discovery.other_id", id=check.id, name=plugin.name)
    if problem is not None:
        return LoadedCheck(plugin, error=say("discovery.invalid", problem=problem))
    return LoadedCheck(plugin, check=check)


def select(plugins: list[Plugin], only: str | None) -> list[Plugin]:
    """The plugins whose ids match ``only`` (comma-separated ids or globs).

    ValueError names a pattern that matches no check.
    """
    if not only:
        return plugins
    patterns = [p.strip() for p in only.split(",") if p.strip()]
    if not patterns:
        raise ValueError(say("cli.errors.only_empty"))
    for pattern in patterns:
        if not any(fnmatch.fnmatchcase(p.name, pattern) for p in plugins):
            raise ValueError(say("cli.errors.only_unmatched", pattern=pattern))
    return [p for p in plugins if any(fnmatch.fnmatchcase(p.name, pat) for pat in patterns)]


def discover(only: str | None = None,
             distributions: Iterable[metadata.Distribution] | None = None) -> list[LoadedCheck]:
    """Find, select and load the checks; duplicates of an id already taken become errors."""
    loaded: list[LoadedCheck] = []
    owners: dict[str, Plugin] = {}
    for plugin in select(find_plugins(distributions), only):
        if plugin.name in owners:
            owner = owners[plugin.name]
            loaded.append(LoadedCheck(plugin, error=say("discovery.taken", id=plugin.name, package=owner.package)))
            continue
        owners[plugin.name] = plugin
        loaded.append(load(plugin))
    order = {c: i for i, c in enumerate(CATEGORIES)}
    return sorted(loaded, key=lambda c: (order.get(c.category, len(order)), c.order, not c.plugin.builtin, c.id))
