"""Reading the files in ``assets/``: thresholds, wording, demo media."""

from __future__ import annotations

import sys
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):  # re-exported for the profile reader
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def asset_path(*parts: str) -> Path:
    """The path of a file shipped in ``assets/`` (installed, in a checkout or in the frozen app)."""
    path = resources.files("assets")
    for part in parts:  # one part at a time: the frozen app's folder takes only one (a MultiplexedPath)
        path = path.joinpath(part)
    return Path(str(path))


@cache
def load_toml_asset(name: str) -> dict[str, Any]:
    """A TOML file from ``assets/``, parsed once."""
    with resources.files("assets").joinpath(name).open("rb") as f:
        return tomllib.load(f)
