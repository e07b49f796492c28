"""The command line: ``interview-ready`` (the window), ``check`` (headless report), ``list-checks`` and
``list-devices``.

Exit codes of ``check``: 0 ready (nothing failed), 1 not ready (a check failed or errored, or none was found),
2 a usage or configuration error, told in one line that names the bad argument.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from checks import __version__
from checks.network import BACKENDS

if TYPE_CHECKING:
    from app.session import Session
    from checks.api import CheckResult
    from checks.kiosk import KioskConfig
    from checks.runner import RunListener

# Each command imports what it needs when it runs: --help, --version and a bad argument answer at once, and the
# window shows its starting card before the checks, OpenCV and NumPy load.

EXIT_READY, EXIT_NOT_READY, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, naming the argument, exit 2
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see --help)\n")


def _source_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--camera", metavar="SRC",
                        help="auto (first camera), a camera number, a picture or video file, or none")
    parser.add_argument("--mic", metavar="SRC",
                        help="auto (default microphone), a number, part of a device name, an audio file, or none")
    parser.add_argument("--network", metavar="BACKEND", choices=BACKENDS, default=None,
                        help="throughput test: " + ", ".join(BACKENDS) + " (default auto)")
    parser.add_argument("--screen", choices=("auto", "none"), default="auto",
                        help="the screen-sharing checks: auto, or none to leave them out")
    parser.add_argument("--server", metavar="URL", help="your own LibreSpeed server (its root URL)")
    parser.add_argument("--stun", metavar="HOST:PORT", action="append", default=[],
                        help="a STUN server for latency, jitter and loss (repeatable)")
    parser.add_argument("--profile", metavar="FILE", type=Path, help="a recruiter's profile (TOML)")
    parser.add_argument("--only", metavar="PATTERNS", help="comma-separated check ids or patterns, e.g. 'camera.*'")
    parser.add_argument("--demo", action="store_true",
                        help="use the bundled demo picture and recording instead of your devices")


def _guard_options(sub: argparse._SubParsersAction) -> None:
    """The ``guard`` subcommand, on the main parser's subparsers."""
    guard = sub.add_parser("guard", help="interview mode: watch the connection, battery and processor during the "
                                         "interview and say when to switch to plan B",
                           description="Watch the connection (a slow STUN probe stream), the interface, the battery "
                                       "and the processor; print each change. Ctrl+C stops (exit 0).")
    guard.add_argument("--profile", metavar="FILE", type=Path, help="a recruiter's profile (TOML): its STUN servers "
                                                                    "and backup channels")
    guard.add_argument("--stun", metavar="HOST:PORT", action="append", default=[],
                       help="a STUN server to probe (repeatable; default: the profile's, else the platform's)")
    guard.add_argument("--jsonl", action="store_true",
                       help='one JSON object a line on each change and every 10 s: {"t", "state", "loss_pct", '
                            '"rtt_ms", "reason"}')
    guard.add_argument("--no-power", action="store_true", help="do not watch the battery")
    guard.add_argument("--no-cpu", action="store_true", help="do not watch the processor's load")
    guard.add_argument("--mic-level", metavar="MIC", nargs="?", const="auto", default=None,
                       help="also watch that the microphone (auto, a device number or part of its name; default "
                            "auto) still hears sound: a level each second, nothing recorded. Off unless given")
    guard.add_argument("--timeline", metavar="FILE.json", type=Path,
                       help="when it stops, save the record of states (times and numbers only) to add to a report")


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="interview-ready",
                     description="Checks your camera picture, microphone and network before a remote interview.",
                     epilog="'interview-ready PROFILE.toml' opens the window with a recruiter's profile "
                            "(the same as --profile PROFILE.toml).")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _source_options(parser)
    parser.add_argument("--screenshot", metavar="FILE.png", type=Path,
                        help="run the checks, save a picture of the window and exit")
    parser.add_argument("--kiosk", action="store_true",
                        help="kiosk mode for a shared machine: full screen, nothing kept, leaving needs the admin PIN")
    parser.add_argument("--kiosk-config", metavar="FILE", type=Path, help="the kiosk's settings (TOML)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    check = sub.add_parser("check", help="run the checks and print the report (no window)",
                           description="Run the checks and print a report. Exit 0 ready, 1 not ready, 2 usage error.")
    _source_options(check)
    check.add_argument("--json", action="store_true", help="print only the report as JSON")
    check.add_argument("--report", metavar="FILE", type=Path, help="also save the report (.json, .html or .pdf)")
    check.add_argument("--snapshot", action="store_true",
                       help="put a snapshot of the camera picture, with the framing guides, in the saved report "
                            "(needs --report or --json; without it no picture is kept)")
    check.add_argument("--echo", action="store_true",
                       help="also test for echo: plays a short sweep through the speakers and listens for it "
                            "(without it mic.echo is skipped)")
    check.add_argument("--remember", action="store_true",
                       help="keep this report's numbers (never pictures or sound) to compare with the next check")
    sub.add_parser("list-checks", help="list the installed checks: id, title, category, origin")
    devices = sub.add_parser("list-devices", help="list the cameras, microphones and speakers (their numbers for "
                                                  "--camera and --mic)")
    devices.add_argument("--json", action="store_true",
                         help='print {"cameras": [...], "microphones": [...], "speakers": [...]}')
    profile = sub.add_parser("profile", help="write or validate a recruiter's profile (TOML)")
    profile_sub = profile.add_subparsers(dest="profile_command", metavar="ACTION", parser_class=_Parser, required=True)
    profile_sub.add_parser("init", help="write a commented template").add_argument("file", metavar="FILE", type=Path)
    profile_sub.add_parser("validate", help="check a profile; exit 0 valid, 2 invalid").add_argument(
        "file", metavar="FILE", type=Path)
    _guard_options(sub)
    kiosk = sub.add_parser("kiosk", help="kiosk mode's administration")
    kiosk_sub = kiosk.add_subparsers(dest="kiosk_command", metavar="ACTION", parser_class=_Parser, required=True)
    set_pin = kiosk_sub.add_parser("set-pin", help="set the admin PIN (stored only as a salted hash)")
    set_pin.add_argument("--kiosk-config", metavar="FILE", type=Path, required=True,
                         help="the kiosk's settings file (made if missing)")
    return parser


def _terminal_progress() -> RunListener:
    """A listener that keeps a single status line on stderr while checks run (only on a terminal)."""
    from checks.runner import RunListener

    class TerminalProgress(RunListener):
        def check_finished(self, result: object, done: int, total: int) -> None:
            sys.stderr.write(f"\rChecking… {done}/{total}")
            sys.stderr.flush()
            if done == total:
                sys.stderr.write("\r\033[K")

    return TerminalProgress()


def run_check(args: argparse.Namespace) -> int:
    from app.session import resolve
    from checks.runner import Runner

    session = resolve(args)
    for warning in session.profile.warnings() if session.profile else []:
        print(f"interview-ready: warning: {warning}", file=sys.stderr)
    listener = _terminal_progress() if (sys.stderr and sys.stderr.isatty() and not args.json) else None
    runner = Runner(session.checks, session.config, listener)
    try:
        results = runner.run()
    except KeyboardInterrupt:
        runner.cancel()
        print("Cancelled.", file=sys.stderr)
        return 130
    return finish_check(args, session, results)


def finish_check(args: argparse.Namespace, session: Session, results: list[CheckResult]) -> int:
    """Build, save and print the report of ``results``; a report that cannot be made still shows every result."""
    from app.session import save_report
    from checks.export import interview_text
    from checks.history import open_history
    from checks.report import build_report

    try:
        history = open_history(args.remember)
        previous = history.last() if history else None
        report = build_report(results, session.profile, session.config.thresholds, previous)
        if args.report is not None:
            try:
                save_report(report, args.report)
            except OSError as error:
                print(f"interview-ready: --report: could not write {args.report}: {error.strerror or error}",
                      file=sys.stderr)
                return EXIT_USAGE
        if history:
            try:
                history.add(report)
            except OSError as error:
                print(f"interview-ready: --remember: could not keep the report: {error.strerror or error}",
                      file=sys.stderr)
        if args.json:
            print(report.to_json())
        else:
            colour = sys.stdout.isatty() and "NO_COLOR" not in os.environ
            interview = interview_text(report)
            print("\n".join([*interview, ""] if interview else []) + report.render_text(colour=colour))
        return EXIT_NOT_READY if report.overall == "not_ready" else EXIT_READY
    except Exception as error:  # whatever breaks the report, the results are not lost
        print(f"interview-ready: the report could not be made ({type(error).__name__}: {error}); "
              "the checks' own results follow", file=sys.stderr)
        for result in results:
            print(f"{result.title} ({result.id}): {result.status.value}: {result.summary}")
        return EXIT_NOT_READY


def profile_command(args: argparse.Namespace) -> int:
    """``profile init FILE`` writes the commented template; ``profile validate FILE`` reports problems."""
    from app.session import UsageError
    from checks.files import write_atomically
    from checks.profile import TEMPLATE as PROFILE_TEMPLATE
    from checks.profile import ProfileError, load_profile

    if args.profile_command == "init":
        if args.file.exists():
            raise UsageError(f"profile init: {args.file} exists already; choose a new file name")
        if not args.file.parent.resolve().is_dir():
            raise UsageError(f"profile init: the folder {args.file.parent} does not exist")
        write_atomically(args.file, PROFILE_TEMPLATE)
        print(f"Wrote a profile template to {args.file}. Fill it in, then run: interview-ready profile validate "
              f"{args.file}")
        return 0
    try:
        profile = load_profile(args.file)
    except ProfileError as error:
        print(error, file=sys.stderr)
        return EXIT_USAGE
    for warning in profile.warnings():
        print(f"warning: {warning}", file=sys.stderr)
    print(f"{args.file}: valid profile for {profile.name}")
    return 0


def list_checks() -> int:
    from checks.discovery import find_plugins, load

    rows = []
    for plugin in find_plugins():
        loaded = load(plugin)
        title = loaded.title if loaded.error is None else f"(broken: {loaded.error})"
        rows.append((loaded.id, title, loaded.category, plugin.origin))
    widths = [max(len(r[i]) for r in [("ID", "TITLE", "CATEGORY", "ORIGIN"), *rows]) for i in range(4)]
    for row in [("ID", "TITLE", "CATEGORY", "ORIGIN"), *rows]:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
    return 0


def list_devices(as_json: bool) -> int:
    """Print the devices; there being none is an answer, not an error (exit 0)."""
    from checks.sources.listing import all_devices
    from checks.wording import say

    found = all_devices()
    if as_json:
        print(json.dumps(found, indent=1))
        return 0
    for kind, devices in found.items():
        print(say(f"devices.{kind}"))
        print("\n".join(f"  {d['index']}  {d['name']}" for d in devices) or f"  {say('devices.none')}")
    return 0


def apply_kiosk_config(args: argparse.Namespace) -> KioskConfig:
    """Read ``--kiosk-config``; its profile, checks and server apply where the command line names none."""
    from app.session import UsageError
    from checks.kiosk import KioskError, load_kiosk_config

    try:
        config = load_kiosk_config(args.kiosk_config)
    except KioskError as error:
        raise UsageError(f"--kiosk-config: {error}") from None
    if args.profile is None and config.profile_path() is not None:
        args.profile = config.profile_path()
    if args.only is None and config.checks:
        args.only = ",".join(config.checks)
    if args.server is None and config.librespeed_server:
        args.server = config.librespeed_server
    return config


def kiosk_set_pin(path: Path) -> int:
    """Ask for the new PIN twice (from the terminal, or two lines on standard input) and store its hash."""
    import getpass

    from app.session import UsageError
    from checks.kiosk import KioskError, write_pin_hash

    if sys.stdin is not None and sys.stdin.isatty():
        first, second = getpass.getpass("New admin PIN (6 to 12 digits): "), getpass.getpass("Once more: ")
    else:
        lines = [*(sys.stdin.read() if sys.stdin is not None else "").splitlines(), "", ""]
        first, second = lines[0].strip(), lines[1].strip()
    if first != second:
        raise UsageError("kiosk set-pin: the two PINs differ; nothing was changed")
    if not path.parent.resolve().is_dir():
        raise UsageError(f"kiosk set-pin: the folder {path.parent} does not exist")
    try:
        write_pin_hash(path, first)
    except KioskError as error:
        raise UsageError(f"kiosk set-pin: {error}") from None
    print(f"The admin PIN is set in {path} (only its salted hash is stored).")
    return 0


def main(argv: list[str] | None = None) -> int:
    if sys.stdout is None or sys.stderr is None:  # a windowed app on Windows has no console
        sys.stdout = sys.stdout or open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
        sys.stderr = sys.stderr or open(os.devnull, "w")  # noqa: SIM115
    parser = make_parser()
    args = parser.parse_args(profile_to_open(parser, sys.argv[1:] if argv is None else argv))
    if args.command == "guard":
        from app.guard_cli import run_guard

        return run_guard(args)
    from app.starting import no_screen

    window = args.command is None
    if window and no_screen():
        print("interview-ready: no screen was found for the window (DISPLAY and WAYLAND_DISPLAY are not set); "
              "use 'interview-ready check' for a text report", file=sys.stderr)
        return EXIT_USAGE
    starting = None
    if window and not args.kiosk:  # the kiosk's own full-screen window is the first thing shown
        from app.starting import show_starting

        starting = show_starting()
    from app.session import UsageError, resolve

    try:
        if args.command == "list-checks":
            return list_checks()
        if args.command == "list-devices":
            return list_devices(args.json)
        if args.command == "check":
            return run_check(args)
        if args.command == "profile":
            return profile_command(args)
        if args.command == "kiosk":
            return kiosk_set_pin(args.kiosk_config)
        kiosk_config = apply_kiosk_config(args) if args.kiosk else None
        if kiosk_config is None and not args.demo:  # the devices chosen last time, unless named now
            from checks.settings import load_choice

            remembered = load_choice()
            args.camera = args.camera or remembered.camera
            args.mic = args.mic or remembered.mic
        session = resolve(args)
    except UsageError as error:
        print(f"interview-ready: {error}", file=sys.stderr)
        return EXIT_USAGE
    if kiosk_config is not None:
        from app.kiosk import run_kiosk

        return run_kiosk(session, kiosk_config)
    from app.window import run_window

    def reload(profile: Path) -> Session:  # the window opens another profile; the other choices stay
        return resolve(argparse.Namespace(**{**vars(args), "profile": profile}))

    return run_window(session, screenshot=args.screenshot, demo=args.demo, reload=reload, starting=starting)


def profile_to_open(parser: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """``interview-ready PROFILE.toml`` (how a file manager opens a double-clicked profile) means ``--profile
    PROFILE.toml``: the first bare argument that is not a command becomes the profile; anything else is unchanged."""
    commands = next(a.choices for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    i = 0
    while i < len(argv) and "--profile" not in argv:
        arg = argv[i]
        if arg.startswith("-"):
            action = parser._option_string_actions.get(arg.split("=", 1)[0])
            i += 2 if action is not None and action.nargs != 0 and "=" not in arg else 1
            continue
        if arg in commands:
            break
        return [*argv[:i], "--profile", arg, *argv[i + 1:]]
    return argv


def gui_main() -> int:
    """The entry point of the windowed launcher (no console on Windows)."""
    return main()
