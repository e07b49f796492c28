"""History of past reports, kept only when the user opts in (``--remember``): numbers and words, never a picture
or a sound, in the platform's user data folder; only the last :data:`KEEP` reports.

Nothing is written unless :func:`open_history` is called with ``opt_in=True``; kiosk mode passes ``allowed=False``
and nothing is read or written at all.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checks.storage.files import write_atomically

if TYPE_CHECKING:
    from checks.report.model import Report

KEEP = 10
FILE_NAME = "history.json"
MAX_BYTES = 1024 * 1024


def data_dir() -> Path:
    """The platform's user data folder for the app (e.g. ``~/.local/share/interview-ready`` on Linux)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("interview-ready", appauthor=False))


def entry(report: Report) -> dict[str, Any]:
    """What history keeps of a report: when, the verdict, and each check's status, value and unit."""
    return {
        "generated_at": report.generated_at.isoformat(timespec="seconds"),
        "overall": report.overall,
        "checks": {r.id: {"title": r.title, "status": r.status.value, "value": r.value, "unit": r.unit}
                   for r in report.results},
    }


class History:
    """The last reports' numbers in one JSON file."""

    def __init__(self, folder: Path, keep: int = KEEP) -> None:
        self.path = Path(folder) / FILE_NAME
        self.keep = keep

    def entries(self) -> list[dict[str, Any]]:
        """The remembered entries, oldest first; an unreadable or damaged file counts as empty."""
        try:
            if self.path.stat().st_size > MAX_BYTES:
                return []
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        if not isinstance(data, list):
            return []
        return [e for e in data if isinstance(e, dict) and isinstance(e.get("checks"), dict)]

    def last(self) -> dict[str, Any] | None:
        entries = self.entries()
        return entries[-1] if entries else None

    def add(self, report: Report) -> None:
        """Remember a report (its numbers only), keeping the last :attr:`keep`."""
        entries = [*self.entries(), entry(report)][-self.keep:]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(self.path, json.dumps(entries, indent=1))

    def clear(self) -> None:
        """Forget everything."""
        self.path.unlink(missing_ok=True)


def open_history(opt_in: bool, allowed: bool = True, folder: Path | None = None) -> History | None:
    """The history, or None unless the user opted in and it is allowed (kiosk mode turns it off entirely)."""
    if not (opt_in and allowed):
        return None
    return History(folder or data_dir())
