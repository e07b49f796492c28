"""The command line: ``interview-ready`` (the window), ``check`` (headless report), ``list-checks`` and
``list-devices``.

Exit codes of ``check``: 0 ready (nothing failed), 1 not ready (a check failed or errored, or none was found),
2 a usage or configuration error, told in one line that names the bad argument, 3 the checks ran and their results
are printed but the ``--report`` file could not be written (told in one line after them; the old file is kept).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from checks import __version__
from checks.config.servers import BACKENDS
from checks.text.untrusted import clean_error

if TYPE_CHECKING:
    from app.session import Session
    from checks.api import CheckResult
    from checks.config.kiosk import KioskConfig
    from checks.config.profile import Profile
    from checks.engine.runner import RunListener

# Each command imports what it needs when it runs: --help, --version and a bad argument answer at once, and the
# window shows its starting card before the checks, OpenCV and NumPy load. The wording is light (Babel is loaded
# only when a number or date is written).
from checks.text.wording import PSEUDO, languages, say, say_all, set_language, system_language

EXIT_READY, EXIT_NOT_READY, EXIT_USAGE, EXIT_NOT_SAVED = 0, 1, 2, 3


ARGPARSE_WORDS = {
    "usage: ": "cli.argparse.usage",
    "expected one argument": "cli.argparse.expected_one",
    "expected at least one argument": "cli.argparse.expected_at_least_one",
    "expected at most one argument": "cli.argparse.expected_at_most_one",
    "invalid choice: %(value)r (choose from %(choices)s)": "cli.argparse.invalid_choice",
    "invalid %(type)s value: %(value)r": "cli.argparse.invalid_value",
    "the following arguments are required: %s": "cli.argparse.required",
    "unrecognized arguments: %s": "cli.argparse.unrecognized",
    "ambiguous option: %(option)s could match %(matches)s": "cli.argparse.ambiguous",
    "argument %(argument_name)s: %(message)s": "cli.argparse.argument",
    "not allowed with argument %s": "cli.argparse.not_allowed_with",
    "ignored explicit argument %r": "cli.argparse.ignored_explicit",
    "one of the arguments %s is required": "cli.argparse.one_of_required",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "cli.argparse.unknown_parser",
}
"""argparse's own words (it asks ``gettext`` for each): the wording key saying each in the language in use; they
keep argparse's ``%`` fields."""


def _argparse_text(message: str) -> str:
    key = ARGPARSE_WORDS.get(message)
    return say(key) if key is not None else message


argparse._ = _argparse_text  # argparse looks its words up through this module-level name at the moment it needs them


class _Parser(argparse.ArgumentParser):
    """argparse in the language in use: its headings and ``-h`` too, and errors in one line, naming the argument, with
    exit 2. Every command takes ``--lang``."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._positionals.title = say("cli.help.commands")
        self._optionals.title = say("cli.help.options")
        self.add_argument("-h", "--help", action="help", help=say("cli.help.help"))
        self.add_argument("--lang", metavar="|".join(languages()), type=language_code,
                          default=None if self.prog == PROG else argparse.SUPPRESS,
                          help=say("cli.help.lang", languages=", ".join(languages())))

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message} ({say('cli.usage_hint')})\n")


PROG = "interview-ready"


def language_code(text: str) -> str:
    """A ``--lang`` value: a language the app speaks (or the pseudo-language of the layout tests, never listed)."""
    if text in (*languages(), PSEUDO):
        return text
    raise argparse.ArgumentTypeError(say("cli.unknown_language", code=text, languages=", ".join(languages())))


def early_language(argv: list[str]) -> str | None:
    """The ``--lang`` of a command line, read before it is parsed (the help and the errors are in it); None when it
    names none or an unknown one (the parser then says so)."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        value = arg.split("=", 1)[1] if arg.startswith("--lang=") else (
            argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else None)
        if value in (*languages(), PSEUDO):
            return value
    return None


def choose_language(asked: str | None, profile: Profile | None = None) -> str:
    """Speak the language asked for (``--lang``), else the profile's, else the system's; returns it."""
    code = asked or (profile.language if profile is not None else None) or system_language()
    set_language(code)
    return code


def _source_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--camera", metavar="SRC", help=say("cli.help.camera"))
    parser.add_argument("--mic", metavar="SRC", help=say("cli.help.mic"))
    parser.add_argument("--network", metavar="BACKEND", choices=BACKENDS, default=None,
                        help=say("cli.help.network", backends=", ".join(BACKENDS)))
    parser.add_argument("--screen", choices=("auto", "none"), default="auto", help=say("cli.help.screen"))
    parser.add_argument("--server", metavar="URL", help=say("cli.help.server"))
    parser.add_argument("--stun", metavar="HOST:PORT", action="append", default=[], help=say("cli.help.stun"))
    parser.add_argument("--profile", metavar="FILE", type=Path, help=say("cli.help.profile"))
    parser.add_argument("--only", metavar="PATTERNS", help=say("cli.help.only"))
    parser.add_argument("--demo", action="store_true", help=say("cli.help.demo"))


def _guard_options(sub: argparse._SubParsersAction) -> None:
    """The ``guard`` subcommand, on the main parser's subparsers."""
    guard = sub.add_parser("guard", help=say("cli.help.guard"), description=say("cli.help.guard_description"))
    guard.add_argument("--profile", metavar="FILE", type=Path, help=say("cli.help.guard_profile"))
    guard.add_argument("--stun", metavar="HOST:PORT", action="append", default=[], help=say("cli.help.guard_stun"))
    guard.add_argument("--jsonl", action="store_true", help=say("cli.help.jsonl"))
    guard.add_argument("--no-power", action="store_true", help=say("cli.help.no_power"))
    guard.add_argument("--no-cpu", action="store_true", help=say("cli.help.no_cpu"))
    guard.add_argument("--mic-level", metavar="MIC", nargs="?", const="auto", default=None,
                       help=say("cli.help.mic_level"))
    guard.add_argument("--timeline", metavar="FILE.json", type=Path, help=say("cli.help.timeline"))


def make_parser() -> argparse.ArgumentParser:
    """The command line's parser, in the language in use."""
    parser = _Parser(prog=PROG, description=say("cli.description"), epilog=say("cli.epilog"))
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}", help=say("cli.help.version"))
    _source_options(parser)
    parser.add_argument("--screenshot", metavar="FILE.png", type=Path, help=say("cli.help.screenshot"))
    parser.add_argument("--kiosk", action="store_true", help=say("cli.help.kiosk"))
    parser.add_argument("--kiosk-config", metavar="FILE", type=Path, help=say("cli.help.kiosk_config"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    check = sub.add_parser("check", help=say("cli.help.check"), description=say("cli.help.check_description"))
    _source_options(check)
    check.add_argument("--json", action="store_true", help=say("cli.help.json"))
    check.add_argument("--report", metavar="FILE", type=Path, help=say("cli.help.report"))
    check.add_argument("--snapshot", action="store_true", help=say("cli.help.snapshot"))
    check.add_argument("--echo", action="store_true", help=say("cli.help.echo"))
    check.add_argument("--remember", action="store_true", help=say("cli.help.remember"))
    sub.add_parser("list-checks", help=say("cli.help.list_checks"))
    devices = sub.add_parser("list-devices", help=say("cli.help.list_devices"))
    devices.add_argument("--json", action="store_true", help=say("cli.help.devices_json"))
    profile = sub.add_parser("profile", help=say("cli.help.profile_command"))
    profile_sub = profile.add_subparsers(dest="profile_command", metavar="ACTION", parser_class=_Parser, required=True)
    profile_sub.add_parser("init", help=say("cli.help.profile_init")).add_argument("file", metavar="FILE", type=Path)
    profile_sub.add_parser("validate", help=say("cli.help.profile_validate")).add_argument(
        "file", metavar="FILE", type=Path)
    _guard_options(sub)
    kiosk = sub.add_parser("kiosk", help=say("cli.help.kiosk_command"))
    kiosk_sub = kiosk.add_subparsers(dest="kiosk_command", metavar="ACTION", parser_class=_Parser, required=True)
    set_pin = kiosk_sub.add_parser("set-pin", help=say("cli.help.set_pin"))
    set_pin.add_argument("--kiosk-config", metavar="FILE", type=Path, required=True,
                         help=say("cli.help.set_pin_config"))
    return parser


def _terminal_progress() -> RunListener:
    """A listener that keeps a single status line on stderr while checks run (only on a terminal)."""
    from checks.engine.runner import RunListener

    class TerminalProgress(RunListener):
        def check_finished(self, result: object, done: int, total: int) -> None:
            sys.stderr.write(f"\r{say('cli.progress', done=done, total=total)}")
            sys.stderr.flush()
            if done == total:
                sys.stderr.write("\r\033[K")

    return TerminalProgress()


def run_check(args: argparse.Namespace) -> int:
    from app.session import resolve
    from checks.engine.runner import Runner

    session = resolve(args)
    choose_language(args.lang, session.profile)
    for warning in session.profile.warnings() if session.profile else []:
        print(f"{PROG}: {say('cli.warning', warning=warning)}", file=sys.stderr)
    if session.notice:  # before any traffic to those servers
        print(f"{PROG}: {session.notice}", file=sys.stderr)
    listener = _terminal_progress() if (sys.stderr and sys.stderr.isatty() and not args.json) else None
    runner = Runner(session.checks, session.config, listener)
    try:
        results = runner.run()
    except KeyboardInterrupt:
        runner.cancel()
        print(say("cli.cancelled"), file=sys.stderr)
        return 130
    return finish_check(args, session, results)


def finish_check(args: argparse.Namespace, session: Session, results: list[CheckResult]) -> int:
    """Build, save and print the report of ``results``; a report that cannot be made still shows every result, and
    one that cannot be saved is told after them (exit 3)."""
    from app.session import save_report
    from checks.report.export import interview_text
    from checks.report.model import build_report
    from checks.storage.files import NotSaved
    from checks.storage.history import open_history

    try:
        history = open_history(args.remember)
        previous = history.last() if history else None
        report = build_report(results, session.profile, session.config.thresholds, previous)
        not_saved: NotSaved | None = None
        if args.report is not None:
            try:
                save_report(report, args.report)
            except NotSaved as error:
                not_saved = error
        if history:
            try:
                history.add(report)
            except OSError as error:
                print(f"{PROG}: {say('cli.not_remembered', error=error.strerror or error)}", file=sys.stderr)
        if args.json:
            print(report.to_json())
        else:
            colour = sys.stdout.isatty() and "NO_COLOR" not in os.environ
            interview = interview_text(report)
            print("\n".join([*interview, ""] if interview else []) + report.render_text(colour=colour))
        if not_saved is not None:
            sys.stdout.flush()  # the results first, then what went wrong
            print(f"{PROG}: --report: {not_saved}", file=sys.stderr)
            return EXIT_NOT_SAVED
        return EXIT_NOT_READY if report.overall == "not_ready" else EXIT_READY
    except Exception as error:  # whatever breaks the report, the results are not lost
        print(f"{PROG}: {say('cli.no_report', error=clean_error(error))}", file=sys.stderr)  # the app's own fault
        for result in results:
            print(f"{result.title} ({result.id}): {say(f'status.{result.status.value}')}: {result.summary}")
        return EXIT_NOT_READY


def profile_command(args: argparse.Namespace) -> int:
    """``profile init FILE`` writes the commented template; ``profile validate FILE`` reports problems."""
    from app.session import UsageError
    from checks.config.profile import (
        ProfileError,
        check_servers,
        load_profile,
        private_servers_notice,
        profile_template,
    )
    from checks.storage.files import write_atomically

    if args.profile_command == "init":
        if args.file.exists():
            raise UsageError(say("cli.errors.profile_exists", path=args.file))
        if not args.file.parent.resolve().is_dir():
            raise UsageError(say("cli.errors.no_folder", option="profile init", folder=args.file.parent))
        write_atomically(args.file, profile_template())
        print(say("cli.wrote_template", path=args.file))
        return 0
    try:
        profile = load_profile(args.file)
        private = [shown for _, shown in check_servers(profile)]
    except ProfileError as error:
        print(error, file=sys.stderr)
        return EXIT_USAGE
    for warning in profile.warnings():
        print(say("cli.warning", warning=warning), file=sys.stderr)
    if private:
        print(private_servers_notice(private))
    print(say("cli.valid_profile", path=args.file, name=profile.name))
    return 0


def list_checks() -> int:
    from checks.engine.discovery import find_plugins, load

    rows = []
    for plugin in find_plugins():
        loaded = load(plugin)
        title = loaded.title if loaded.error is None else say("cli.broken", error=loaded.error)
        rows.append((loaded.id, title, loaded.category, say("cli.builtin") if plugin.builtin else plugin.origin))
    heading = tuple(say_all("cli.list_heading"))
    widths = [max(len(r[i]) for r in [heading, *rows]) for i in range(4)]
    for row in [heading, *rows]:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
    return 0


def list_devices(as_json: bool) -> int:
    """Print the devices; there being none is an answer, not an error (exit 0)."""
    from checks.sources.listing import all_devices
    from checks.text.wording import say

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
    from checks.config.kiosk import KioskError, load_kiosk_config

    try:
        config = load_kiosk_config(args.kiosk_config)
    except KioskError as error:
        raise UsageError(f"--kiosk-config: {error}") from None
    if args.profile is None and config.profile_path() is not None:
        args.profile = config.profile_path()
    if args.only is None and config.checks:
        args.only = ",".join(config.checks)
    if args.server is None and config.librespeed_server and args.network != "nq":  # --server would name nq's
        args.server, args.server_source = config.librespeed_server, "kiosk"
    return config


def kiosk_set_pin(path: Path) -> int:
    """Ask for the new PIN twice (from the terminal, or two lines on standard input) and store its hash."""
    import getpass

    from app.session import UsageError
    from checks.config.kiosk import KioskError, write_pin_hash

    if sys.stdin is not None and sys.stdin.isatty():
        first, second = getpass.getpass(say("cli.pin_asked")), getpass.getpass(say("cli.pin_again"))
    else:
        lines = [*(sys.stdin.read() if sys.stdin is not None else "").splitlines(), "", ""]
        first, second = lines[0].strip(), lines[1].strip()
    if first != second:
        raise UsageError(say("cli.errors.pins_differ"))
    if not path.parent.resolve().is_dir():
        raise UsageError(say("cli.errors.no_folder", option="kiosk set-pin", folder=path.parent))
    try:
        write_pin_hash(path, first)
    except KioskError as error:
        raise UsageError(f"kiosk set-pin: {error}") from None
    print(say("cli.pin_set", path=path))
    return 0


def main(argv: list[str] | None = None) -> int:
    if sys.stdout is None or sys.stderr is None:  # a windowed app on Windows has no console
        sys.stdout = sys.stdout or open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
        sys.stderr = sys.stderr or open(os.devnull, "w")  # noqa: SIM115
    argv = sys.argv[1:] if argv is None else argv
    choose_language(early_language(argv))  # before the parser: its help and errors are in the language too
    parser = make_parser()
    args = parser.parse_args(profile_to_open(parser, argv))
    choose_language(getattr(args, "lang", None))
    if args.command == "guard":
        from app.guard_cli import run_guard

        return run_guard(args)
    from app.starting import no_screen

    window = args.command is None
    if window and no_screen():
        print(f"{PROG}: {say('cli.no_screen')}", file=sys.stderr)
        return EXIT_USAGE
    starting = None
    if window and args.kiosk:
        from app.lockdown import no_bus_autolaunch

        no_bus_autolaunch()  # before the first window: nothing the kiosk starts may outlive it
    if window:
        from app.starting import show_starting

        starting = show_starting(full_screen=args.kiosk)
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
            from checks.storage.settings import load_choice

            remembered = load_choice()
            args.camera = args.camera or remembered.camera
            args.mic = args.mic or remembered.mic
        session = resolve(args)
        choose_language(args.lang, session.profile)
    except UsageError as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return EXIT_USAGE
    if kiosk_config is not None:
        from app.kiosk import run_kiosk

        return run_kiosk(session, kiosk_config, starting=starting)
    from app.window import run_window

    def reload(profile: Path) -> Session:  # the window opens another profile; the other choices stay
        return resolve(argparse.Namespace(**{**vars(args), "profile": profile}))

    asked = args.lang or (session.profile.language if session.profile is not None else None)  # else remembered
    return run_window(session, screenshot=args.screenshot, demo=args.demo, reload=reload, starting=starting,
                      lang=asked)


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
