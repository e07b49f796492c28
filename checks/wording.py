"""All user-facing wording, from one file: ``assets/wording.toml``.

Keys are dotted paths into that file (``"verdict.ready"``); fields are filled with ``str.format``.
Messages follow flutter doctor's rule: the fact, then the consequence, then the exact fix.
"""

from __future__ import annotations

from typing import Any

from checks.resources import load_toml_asset


def _lookup(key: str) -> Any:
    node: Any = load_toml_asset("wording.toml")
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(f"no wording for {key!r} in assets/wording.toml")
        node = node[part]
    return node


def say(key: str, **fields: Any) -> str:
    """The sentence stored under ``key``, with ``fields`` filled in."""
    text = _lookup(key)
    if not isinstance(text, str):
        raise KeyError(f"wording {key!r} is a table, not a sentence")
    return text.format(**fields) if fields else text


def say_n(key: str, n: int, **fields: Any) -> str:
    """Like :func:`say` for a count: uses ``key.one`` when ``n == 1``, else ``key.other``."""
    return say(f"{key}.{'one' if n == 1 else 'other'}", n=n, **fields)


def say_all(key: str, **fields: Any) -> tuple[str, ...]:
    """A list of sentences (advice) stored under ``key``, each filled in."""
    texts = _lookup(key)
    if isinstance(texts, str):
        texts = [texts]
    return tuple(t.format(**fields) if fields else t for t in texts)
