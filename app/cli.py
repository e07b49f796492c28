"""The command line: ``interview-ready`` (the window), ``check`` (headless report) and ``list-checks``.

Exit codes of ``check``: 0 ready (nothing failed), 1 not ready (a check failed or errored, or none was found),
2 a usage or configuration error, told in one line that names the bad argument.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from app.guard_cli import add_guard_parser, run_guard
from checks import __version__
from checks.api import CheckResult
from checks.builtin.echo import asked
from checks.discovery import LoadedCheck, discover, find_plugins, load
from checks.export import interview_text, render_html
from checks.history import open_history
from checks.kiosk import KioskConfig, KioskError, load_kiosk_config, write_pin_hash
from checks.network import BACKENDS, NetworkSettings, StunServer, parse_server_url
from checks.profile import TEMPLATE as PROFILE_TEMPLATE
from checks.profile import Profile, ProfileError, load_profile
from checks.report import Report, build_report
from checks.resources import asset_path
from checks.runner import RunConfig, RunListener, Runner
from checks.sources.camera import CameraSpec
from checks.sources.mic import MicSpec
from checks.thresholds import Thresholds

EXIT_READY, EXIT_NOT_READY, EXIT_USAGE = 0, 1, 2
REPORT_SUFFIXES = (".json", ".html", ".pdf")


class UsageError(Exception):
    """A bad argument; the message names it."""


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
    profile = sub.add_parser("profile", help="write or validate a recruiter's profile (TOML)")
    profile_sub = profile.add_subparsers(dest="profile_command", metavar="ACTION", parser_class=_Parser, required=True)
    profile_sub.add_parser("init", help="write a commented template").add_argument("file", metavar="FILE", type=Path)
    profile_sub.add_parser("validate", help="check a profile; exit 0 valid, 2 invalid").add_argument(
        "file", metavar="FILE", type=Path)
    add_guard_parser(sub)
    kiosk = sub.add_parser("kiosk", help="kiosk mode's administration")
    kiosk_sub = kiosk.add_subparsers(dest="kiosk_command", metavar="ACTION", parser_class=_Parser, required=True)
    set_pin = kiosk_sub.add_parser("set-pin", help="set the admin PIN (stored only as a salted hash)")
    set_pin.add_argument("--kiosk-config", metavar="FILE", type=Path, required=True,
                         help="the kiosk's settings file (made if missing)")
    return parser


@dataclass
class Session:
    """What the arguments resolve to: the checks to run and how."""

    checks: list[LoadedCheck]
    config: RunConfig
    profile: Profile | None


def resolve(args: argparse.Namespace) -> Session:
    """Validate the arguments and build the run; :class:`UsageError` names what is wrong."""
    demo = getattr(args, "demo", False)
    camera_text = args.camera or (str(asset_path("demo", "camera.mp4")) if demo else "auto")
    mic_text = args.mic or (str(asset_path("demo", "speech.wav")) if demo else "auto")
    try:
        camera = CameraSpec.parse(camera_text)
    except ValueError as error:
        raise UsageError(str(error)) from None
    mic = MicSpec.parse(mic_text)
    profile = None
    if args.profile is not None:
        try:
            profile = load_profile(args.profile)
        except ProfileError as error:
            raise UsageError(f"--profile: {error}") from None
    try:  # the command line wins over the profile
        server_text = args.server or (profile.librespeed_server if profile else None)
        server = parse_server_url(server_text) if server_text else None
        stun = tuple(StunServer.parse(s) for s in (args.stun or (profile.stun if profile else [])))
    except ValueError as error:
        raise UsageError(str(error)) from None
    backend = args.network or ("none" if demo else "auto")
    report = getattr(args, "report", None)
    if report is not None:
        if report.suffix.lower() not in REPORT_SUFFIXES:
            raise UsageError(f"--report: {report} must end in {', '.join(REPORT_SUFFIXES)}")
        if not report.parent.resolve().is_dir():
            raise UsageError(f"--report: the folder {report.parent} does not exist")
    try:
        checks = discover(args.only)
    except ValueError as error:
        raise UsageError(str(error)) from None
    overrides = profile.threshold_overrides([c.id for c in checks]) if profile else None
    if getattr(args, "echo", False):  # the echo test plays a sound: only when asked
        overrides = asked(overrides)
    thresholds = Thresholds(overrides)
    snapshot = getattr(args, "snapshot", False)
    if snapshot and report is None and not getattr(args, "json", False):
        raise UsageError("--snapshot: a snapshot is only kept in a saved report; add --report FILE or --json")
    config = RunConfig(camera=camera, mic=mic, network=NetworkSettings(backend, server, stun), thresholds=thresholds,
                       picture=snapshot, screen=getattr(args, "screen", "auto"))
    return Session(checks, config, profile)


def write_atomically(path: Path, text: str) -> None:
    """Write a file so that a crash never leaves half of it behind."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class _TerminalProgress(RunListener):
    """A single status line on stderr while checks run (only on a terminal)."""

    def check_finished(self, result: object, done: int, total: int) -> None:
        sys.stderr.write(f"\rChecking… {done}/{total}")
        sys.stderr.flush()
        if done == total:
            sys.stderr.write("\r\033[K")


def run_check(args: argparse.Namespace) -> int:
    session = resolve(args)
    for warning in session.profile.warnings() if session.profile else []:
        print(f"interview-ready: warning: {warning}", file=sys.stderr)
    listener = _TerminalProgress() if (sys.stderr and sys.stderr.isatty() and not args.json) else None
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


def save_report(report: Report, path: Path) -> None:
    """Save the report as .json, .html or .pdf by the file's suffix (Qt is loaded only for a PDF)."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        write_atomically(path, report.to_json() + "\n")
    elif suffix == ".html":
        write_atomically(path, render_html(report))
    elif suffix == ".pdf":
        if _no_screen():  # a PDF needs no screen: lay it out offscreen
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from app.export import write_pdf

        write_pdf(report, path)
    else:
        raise ValueError(f"a report is saved as {', '.join(REPORT_SUFFIXES)}, not {suffix or 'a file without one'}")


def profile_command(args: argparse.Namespace) -> int:
    """``profile init FILE`` writes the commented template; ``profile validate FILE`` reports problems."""
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
    rows = []
    for plugin in find_plugins():
        loaded = load(plugin)
        title = loaded.title if loaded.error is None else f"(broken: {loaded.error})"
        rows.append((loaded.id, title, loaded.category, plugin.origin))
    widths = [max(len(r[i]) for r in [("ID", "TITLE", "CATEGORY", "ORIGIN"), *rows]) for i in range(4)]
    for row in [("ID", "TITLE", "CATEGORY", "ORIGIN"), *rows]:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
    return 0


def apply_kiosk_config(args: argparse.Namespace) -> KioskConfig:
    """Read ``--kiosk-config``; its profile, checks and server apply where the command line names none."""
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
    try:
        if args.command == "list-checks":
            return list_checks()
        if args.command == "check":
            return run_check(args)
        if args.command == "profile":
            return profile_command(args)
        if args.command == "kiosk":
            return kiosk_set_pin(args.kiosk_config)
        if args.command == "guard":
            return run_guard(args)
        kiosk_config = apply_kiosk_config(args) if args.kiosk else None
        session = resolve(args)
    except UsageError as error:
        print(f"interview-ready: {error}", file=sys.stderr)
        return EXIT_USAGE
    if _no_screen():
        print("interview-ready: no screen was found for the window (DISPLAY and WAYLAND_DISPLAY are not set); "
              "use 'interview-ready check' for a text report", file=sys.stderr)
        return EXIT_USAGE
    if kiosk_config is not None:
        from app.kiosk import run_kiosk

        return run_kiosk(session, kiosk_config)
    from app.window import run_window  # Qt is imported only for the window

    def reload(profile: Path) -> Session:  # the window opens another profile; the other choices stay
        return resolve(argparse.Namespace(**{**vars(args), "profile": profile}))

    return run_window(session, screenshot=args.screenshot, demo=args.demo, reload=reload)


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


def _no_screen() -> bool:
    """True on Linux with no display to open a window on (Qt would abort there)."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def gui_main() -> int:
    """The entry point of the windowed launcher (no console on Windows)."""
    return main()
