"""What a run is: the checks and sources the arguments (or a profile) choose, and saving its report.

Both the command line and the window use it; it loads Qt only to write a PDF.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app.starting import no_screen
from checks.builtin.echo import asked
from checks.config.servers import NetworkSettings, StunServer, parse_server_url
from checks.engine.discovery import LoadedCheck, discover
from checks.engine.runner import RunConfig
from checks.engine.thresholds import Thresholds
from checks.report.export import has_picture, render_html
from checks.report.model import Report
from checks.sources.camera import CameraSpec
from checks.sources.mic import MicSpec
from checks.storage.files import write_atomically
from checks.text.resources import asset_path
from checks.text.wording import say

if TYPE_CHECKING:
    from checks.config.profile import Profile

REPORT_SUFFIXES = (".json", ".html", ".pdf")


class UsageError(Exception):
    """A bad argument; the message names it."""


@dataclass
class Session:
    """What the arguments resolve to: the checks to run and how."""

    checks: list[LoadedCheck]
    config: RunConfig
    profile: Profile | None
    private_servers: tuple[str, ...] = ()
    """The profile's servers on a private network that this run uses, named to the candidate before it starts
    (:func:`checks.config.profile.private_servers_notice`)."""

    @property
    def notice(self) -> str:
        """The sentence naming :attr:`private_servers` (empty when there are none), in the language in use."""
        from checks.config.profile import private_servers_notice

        return private_servers_notice(self.private_servers)


def resolve(args: argparse.Namespace) -> Session:
    """Validate the arguments and build the run; :class:`UsageError` names what is wrong."""
    demo = getattr(args, "demo", False)
    camera_text = args.camera or (str(asset_path("demo", "camera.avi")) if demo else "auto")
    mic_text = args.mic or (str(asset_path("demo", "speech.wav")) if demo else "auto")
    try:
        camera = CameraSpec.parse(camera_text)
    except ValueError as error:
        raise UsageError(str(error)) from None
    mic = MicSpec.parse(mic_text)
    profile, private = None, ()
    if args.profile is not None:  # the profile's validation (pydantic) is loaded only for a profile
        from checks.config.profile import ProfileError, check_servers, load_profile

        try:
            profile = load_profile(args.profile)
            private = tuple(shown for field, shown in check_servers(profile)  # the command line's are the user's
                            if not (field in ("librespeed_server", "nq_server") and args.server)
                            and not (field.startswith("stun[") and args.stun))
        except ProfileError as error:
            raise UsageError(f"--profile: {error}") from None
    nq = args.network == "nq"  # --server names the networkQuality server; LibreSpeed's is not used
    try:  # the command line wins over the profile
        server_text = (args.server if not nq else None) or (profile.librespeed_server if profile else None)
        server = parse_server_url(server_text) if server_text else None
        nq_text = (args.server if nq else None) or (profile.nq_server if profile else None)
        nq_server = parse_server_url(nq_text) if nq_text else None
        stun = tuple(StunServer.parse(s) for s in (args.stun or (profile.stun if profile else [])))
    except ValueError as error:
        raise UsageError(str(error)) from None
    backend = args.network or ("none" if demo else "auto")
    report = getattr(args, "report", None)
    if report is not None:
        if report.suffix.lower() not in REPORT_SUFFIXES:
            raise UsageError(say("cli.errors.report_suffix", path=report, suffixes=", ".join(REPORT_SUFFIXES)))
        if not report.parent.resolve().is_dir():
            raise UsageError(say("cli.errors.no_folder", option="--report", folder=report.parent))
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
        raise UsageError(say("cli.errors.snapshot_alone"))
    source = getattr(args, "server_source", "cli") if args.server else "profile"
    config = RunConfig(camera=camera, mic=mic, network=NetworkSettings(backend, server, stun, source, nq_server),
                       thresholds=thresholds,
                       picture=snapshot, screen=getattr(args, "screen", "auto"))
    return Session(checks, config, profile, private)


def save_report(report: Report, path: Path) -> None:
    """Save the report as .json, .html or .pdf by the file's suffix (Qt is loaded only for a PDF): checked and
    whole, or :class:`checks.storage.files.NotSaved` and the old file unchanged. A report holding a picture is the
    user's alone (0600); any other is as the umask says."""
    suffix = path.suffix.lower()
    private = has_picture(report)
    if suffix == ".json":
        write_atomically(path, report.to_json() + "\n", private)
    elif suffix == ".html":
        write_atomically(path, render_html(report), private)
    elif suffix == ".pdf":
        if no_screen():  # a PDF needs no screen: lay it out offscreen
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from app.export import write_pdf

        write_pdf(report, path)
    else:
        raise ValueError(f"a report is saved as {', '.join(REPORT_SUFFIXES)}, not {suffix or 'a file without one'}")
