"""What a screen reader reads of a running app: its accessible tree on the AT-SPI bus, printed as JSON.

Runs with the system's Python (Debian's python3-pyatspi, which no virtual environment has), never imports the app,
and sees the app only through the bus, as Orca does. Used by tests/test_screen_reader.py::

    /usr/bin/python3 tests/support/atspi_tree.py PID STEP...

Each step is one of ``wait:TEXT`` (until a showing object's name or text contains TEXT, up to 240 s), ``heard:``
(until the app has announced something, up to 240 s),
``press:NAME`` (the "Press" or "Toggle" action of the showing object named NAME), ``focus:NAME`` (the keyboard
focus to it), ``key:KEY`` (a key pressed on the X keyboard, by xdotool: ``space``, ``Return``), ``dump:LABEL`` (the
tree of every showing window, under LABEL). From the start it listens for the app's announcements
(``object:announcement``, what a screen reader speaks unasked). It prints one JSON object: ``{"screens": {LABEL:
[window, …]}, "announcements": [text, …], "failed": "the step that could not be done" | null}``. A node is
``{"role", "name", "description", "labelled_by", "text", "states", "actions", "children"}``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pyatspi
from gi.repository import GLib

WAIT_S = 240


def _safe(call, default):
    try:
        return call()
    except Exception:  # an object that went away while it was read (the app changes as it runs)
        return default


def node(acc) -> dict:
    """One object and its showing children, as a screen reader meets them."""
    states = _safe(lambda: [pyatspi.stateToString(s) for s in acc.getState().getStates()], [])
    out = {"role": _safe(acc.getRoleName, ""), "name": _safe(lambda: acc.name or "", ""),
           "description": _safe(lambda: acc.description or "", ""), "states": states}
    relations = _safe(acc.getRelationSet, [])
    out["labelled_by"] = [_safe(lambda r=r, i=i: r.getTarget(i).name or "", "")
                          for r in relations if _safe(r.getRelationType, None) == pyatspi.RELATION_LABELLED_BY
                          for i in range(_safe(r.getNTargets, 0))]
    text = _safe(acc.queryText, None)
    if text is not None:
        out["text"] = _safe(lambda: text.getText(0, -1), "")
    action = _safe(acc.queryAction, None)
    out["actions"] = [action.getName(i) for i in range(_safe(lambda: action.nActions, 0))] if action else []
    children = [_safe(lambda i=i: acc.getChildAtIndex(i), None) for i in range(_safe(lambda: acc.childCount, 0))]
    out["children"] = [node(c) for c in children
                       if c is not None and "showing" in _safe(lambda c=c: [pyatspi.stateToString(s) for s in
                                                                           c.getState().getStates()], [])]
    return out


def app_of(pid: int):
    desktop = pyatspi.Registry.getDesktop(0)
    for i in range(desktop.childCount):
        app = _safe(lambda i=i: desktop.getChildAtIndex(i), None)
        if app is not None and _safe(app.get_process_id, None) == pid:
            return app
    return None


def showing(tree: dict):
    yield tree
    for child in tree["children"]:
        yield from showing(child)


def windows(app) -> list[dict]:
    found = [node(app.getChildAtIndex(i)) for i in range(app.childCount)]
    return [w for w in found if "showing" in w["states"]]


def pump(seconds: float) -> None:
    """Let the bus deliver events (the announcements) for a while."""
    context = GLib.MainContext.default()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        while context.pending():
            context.iteration(False)
        time.sleep(0.02)


def find(app, test) -> dict | None:
    for window in windows(app) if app is not None else []:
        for item in showing(window):
            if test(item):
                return item
    return None


def named(acc, name: str):
    """The first showing object named ``name`` under ``acc``."""
    if _safe(lambda: acc.name, None) == name:
        return acc
    for i in range(_safe(lambda: acc.childCount, 0)):
        child = _safe(lambda i=i: acc.getChildAtIndex(i), None)
        if child is not None and "showing" in [pyatspi.stateToString(s) for s in child.getState().getStates()]:
            found = named(child, name)
            if found is not None:
                return found
    return None


def press(app, name: str) -> bool:
    """Do what a screen reader user's Enter does on the object named ``name``."""
    def walk(acc):
        if _safe(lambda: acc.name, None) == name:
            action = _safe(acc.queryAction, None)
            names = [action.getName(i) for i in range(action.nActions)] if action else []
            for wanted in ("Press", "Toggle"):
                if wanted in names:
                    action.doAction(names.index(wanted))
                    return True
        return any(walk(acc.getChildAtIndex(i)) for i in range(_safe(lambda: acc.childCount, 0)))
    return walk(app)


def main(argv: list[str]) -> int:
    pid, steps = int(argv[0]), argv[1:]
    heard: list[str] = []

    def on_announcement(event) -> None:
        heard.append(str(event.any_data))

    pyatspi.Registry.registerEventListener(on_announcement, "object:announcement")
    answer: dict = {"screens": {}, "announcements": heard, "failed": None}
    end = time.monotonic() + 30
    app = app_of(pid)
    while app is None and time.monotonic() < end:
        pump(0.2)
        app = app_of(pid)
    for step in steps:
        kind, _, arg = step.partition(":")
        done = False
        if app is None:
            pass
        elif kind == "wait":
            end = time.monotonic() + WAIT_S
            while not done and time.monotonic() < end:
                done = find(app, lambda n, arg=arg: arg in n["name"] or arg in n.get("text", "")) is not None
                pump(0.3)
            pump(1.0)  # the announcement that comes with it
        elif kind == "heard":
            end = time.monotonic() + WAIT_S
            while not heard and time.monotonic() < end:
                pump(0.3)
            done = bool(heard)
            pump(1.0)  # the window's last changes after it
        elif kind == "press":
            done = press(app, arg)
            pump(1.0)
        elif kind == "focus":
            target = named(app, arg)
            done = target is not None and bool(_safe(lambda target=target: target.queryComponent().grabFocus(), False))
            pump(0.5)
        elif kind == "key":
            done = subprocess.run(["xdotool", "key", arg], capture_output=True).returncode == 0
            pump(1.0)
        elif kind == "dump":
            answer["screens"][arg] = windows(app)
            done = True
        if not done:
            answer["failed"] = step
            break
    json.dump(answer, sys.stdout, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
