"""``interview-ready guard``: interview mode without a window, a line on each change (or JSON lines).

No Qt here: the command runs on a machine without a screen, and in the network lab's namespaces.

The watcher loop runs on a plain thread: the one exception to "work off the GUI thread is an
:class:`app.workers.Worker`" in ``app/``. The command has no Qt application (and no event loop to deliver a worker's
signals), and its main thread must stay in Python, waiting, so that Ctrl+C, SIGTERM and SIGHUP end the watch and the
record is saved (see :func:`run_guard`).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from checks.config.profile import Profile, ProfileError, check_servers, load_profile, private_servers_notice
from checks.config.servers import StunServer
from checks.engine.thresholds import Thresholds
from checks.guard.judgement import Status, channel_action
from checks.guard.watchers import Watch, guard_limits, run, stun_servers, timeline_record, wall_clock
from checks.report.model import build_report
from checks.sources.mic import MicSpec
from checks.storage.files import NotSaved, write_atomically
from checks.text.wording import clock, labelled, say, set_language

EXIT_USAGE, EXIT_NOT_SAVED = 2, 3


class GuardSetupError(Exception):
    """A bad argument; the message names it."""


def resolve_guard(stun: list[str], profile_path: Path | None, *, power: bool = True,
                  cpu: bool = True, mic: str | None = None) -> tuple[Watch, Profile | None, str]:
    """The watch and the profile the arguments name, and the sentence naming the profile's STUN servers on a
    private network that the watch probes (empty for none)."""
    profile, notice = None, ""
    if profile_path is not None:
        try:
            profile = load_profile(profile_path)
            private = [shown for field, shown in check_servers(profile) if field.startswith("stun[")]
            notice = "" if stun else private_servers_notice(private)  # --stun wins: the user's own servers
        except ProfileError as error:
            raise GuardSetupError(f"--profile: {error}") from None
    try:
        given = [(s.host, s.port) for s in map(StunServer.parse, stun)]
    except ValueError as error:
        raise GuardSetupError(str(error)) from None
    thresholds = Thresholds()
    servers = stun_servers(given, profile, thresholds)
    if not servers:
        raise GuardSetupError(say("guard.no_stun"))
    mic_spec = None
    if mic is not None:
        try:
            mic_spec = MicSpec.parse(mic)
        except ValueError as error:
            raise GuardSetupError(f"--mic-level: {error}") from None
        if mic_spec.kind in ("file", "none"):
            raise GuardSetupError(f"--mic-level: {say('guard.mic_level_device')}")
    watch = Watch(servers, guard_limits(thresholds), cpu=cpu, mic=mic_spec)
    if not power:
        watch.power = None
    return watch, profile, notice


def plan_b_lines(profile: Profile | None) -> list[str]:
    """What the terminal shows when the connection is down: the backup channel to use, and what to say."""
    channels = build_report([], profile).backup_channels
    return [channel_action(channels[0]) if channels else say("guard.no_channel"), say("guard.what_to_say")]


def printer(jsonl: bool, every: float, out: Any = None,
            plan: list[str] | None = None) -> Callable[[Status, bool], None]:
    """What ``guard`` prints for each evaluation: a line on each change (JSON lines: also every ``every`` s), and
    when it goes down, ``plan``."""
    last = [-1e9]
    stream = out or sys.stdout

    def emit(status: Status, changed: bool) -> None:
        if not (changed or (jsonl and status.t - last[0] >= every)):
            return
        last[0] = status.t
        if jsonl:
            stream.write(json.dumps({**status.to_json(), "t": round(wall_clock(status.t), 3)}) + "\n")
        else:
            when = clock(datetime.fromtimestamp(wall_clock(status.t)), seconds=True)
            mark = say(f"guard.state_marks.{status.shown}")
            stream.write(f"{when}  [{mark}] {labelled(say(f'guard.state_names.{status.shown}'), status.text())}\n")
            if status.state == "down":
                stream.write("".join(f"          → {line}\n" for line in plan or []))
        stream.flush()

    def emit_while_heard(status: Status, changed: bool) -> None:
        """The terminal closed or the pipe's reader left: watching goes on (its record is still saved)."""
        if heard[0]:
            try:
                emit(status, changed)
            except (OSError, ValueError):  # EIO from a hung-up terminal, a broken pipe, a closed stream
                heard[0] = False

    heard = [True]
    return emit_while_heard


def run_guard(args: argparse.Namespace) -> int:
    try:
        watch, profile, notice = resolve_guard(args.stun, args.profile, power=not args.no_power,
                                               cpu=not args.no_cpu, mic=args.mic_level)
    except GuardSetupError as error:
        print(f"interview-ready: {error}", file=sys.stderr)
        return EXIT_USAGE
    if profile is not None and profile.language and not getattr(args, "lang", None):
        set_language(profile.language)  # the profile's language, unless --lang chose one
    if args.timeline is not None and not args.timeline.parent.resolve().is_dir():
        print("interview-ready: " + say("cli.errors.no_folder", option="--timeline", folder=args.timeline.parent),
              file=sys.stderr)
        return EXIT_USAGE
    if notice:  # before the first probe
        print(f"interview-ready: {notice}", file=sys.stderr, flush=True)
    if not args.jsonl:
        print(say("guard.starting"), flush=True)
        if watch.mic is not None:
            print(say("guard.starting_mic"), flush=True)
    cancel = threading.Event()
    stop_on_signals(cancel)
    box: dict[str, Any] = {}
    finished = threading.Event()  # not Thread.join: a Ctrl+C inside join() can leave it unreliable

    def watcher() -> None:
        try:
            box["guard"] = run(watch, cancel, printer(args.jsonl, float(watch.limits["report_every_s"]),
                                                      plan=plan_b_lines(profile)),
                               lambda text: tell(f"interview-ready: {text}", sys.stderr))
        except Exception as error:  # a failure is told, never a traceback
            box["error"] = f"{type(error).__name__}: {error}"
        finally:
            finished.set()

    # a plain thread, not a worker: no Qt application here (see the module's docstring)
    threading.Thread(target=watcher, name="guard", daemon=True).start()
    try:
        while not finished.wait(0.2):
            pass
    except KeyboardInterrupt:
        pass
    cancel.set()
    finished.wait(5)
    if "error" in box:
        tell(say("guard.failed", error=box["error"]), sys.stderr)
        return 1
    saved = False
    if args.timeline is not None and "guard" in box:  # first: the terminal may be gone (SIGHUP)
        record = timeline_record(box["guard"].changes, time.perf_counter())
        try:  # whole or not at all
            write_atomically(args.timeline, json.dumps(record, indent=2) + "\n")
        except NotSaved as error:
            tell(f"interview-ready: --timeline: {error}", sys.stderr)
            return EXIT_NOT_SAVED
        saved = True
    if not args.jsonl:
        tell(say("guard.stopped"), sys.stdout)
        if saved:
            tell(say("guard.timeline_saved", path=args.timeline), sys.stdout)
    return 0


def stop_on_signals(cancel: threading.Event) -> None:
    """SIGTERM, and SIGHUP (the terminal closed), end the watch as Ctrl+C does: the record is saved. SIGHUP left
    ignored by ``nohup`` stays ignored (the user asked to outlive the terminal); SIGINT is Python's (a background
    job, started with it ignored, is stopped with SIGTERM)."""
    signal.signal(signal.SIGTERM, lambda *_: cancel.set())
    hangup = getattr(signal, "SIGHUP", None)  # not on Windows
    if hangup is not None and signal.getsignal(hangup) is not signal.SIG_IGN:
        signal.signal(hangup, lambda *_: cancel.set())


def tell(text: str, stream: Any) -> None:
    """A line to a terminal that may have closed (SIGHUP): nobody is there to read it, and that is no failure."""
    with contextlib.suppress(OSError, ValueError):
        print(text, file=stream, flush=True)
