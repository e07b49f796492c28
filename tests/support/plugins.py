"""Builds real distributions in a folder: a ``dist-info`` with entry points and the plugin's module beside it."""

from __future__ import annotations

import importlib.metadata as metadata
import textwrap
from pathlib import Path


def make_distribution(site: Path, name: str, entry_points: dict[str, str], modules: dict[str, str],
                      version: str = "1.0") -> None:
    """Write distribution ``name`` into ``site``: its metadata, entry points and module sources."""
    dist_info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    lines = ["[interview_ready.checks]", *(f"{k} = {v}" for k, v in entry_points.items())]
    (dist_info / "entry_points.txt").write_text("\n".join(lines) + "\n")
    for module, source in modules.items():
        (site / f"{module}.py").write_text(textwrap.dedent(source))


def distributions(site: Path) -> list[metadata.Distribution]:
    return list(metadata.distributions(path=[str(site)]))


GOOD_CHECK = textwrap.dedent('''
    from checks.api import Check, Status

    class Hello(Check):
        id = "acme.hello"
        title = "Hello from Acme"
        category = "system"

        def run(self, context):
            return self.result(Status.PASS, "Acme says hello.", value=1.5, unit="x")
''')
