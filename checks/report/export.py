"""Exports without Qt: the report as HTML (Jinja2, autoescaped), the summary text, and the mail draft link.

Every string from a profile or a check is escaped by the template engine; links in the HTML are only the ones a
profile validated (``http(s)``, ``mailto``, ``tel``). Nothing here sends anything: :func:`mailto_url` only builds
a link that opens a draft in the user's mail program. Exports hold words, numbers and plots of numbers; a picture
only when the user opted in to the camera snapshot (``--snapshot``, or the window's tick box); never a sound.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from markupsafe import Markup

from checks import __version__
from checks.api import CheckResult
from checks.report.model import (
    Report,
    category_label,
    channel_text,
    countdown,
    format_value,
    format_when,
    local_time,
    no_fix_text,
)
from checks.report.plots import HEIGHT, WIDTH, chart_svg, describe
from checks.text.resources import asset_path
from checks.text.wording import PSEUDO, labelled, say

PRINT_WIDTH = 560
"""The widest a figure is laid out in the PDF (across the checks table on an A4 page), in the layout's pixels."""
VERDICT_COLOURS = {"ready": "#1b7f3b", "warnings": "#b35c00", "not_ready": "#c62828"}
VERDICT_STATUS = {"ready": "pass", "warnings": "warn", "not_ready": "fail"}
"""The status icon that stands for each verdict."""


@dataclass(frozen=True)
class Figure:
    """A check's plot (SVG) or picture (JPEG) as every export shows it."""

    name: str
    """The name the PDF's layout knows the image by (``plot/<check id>``, ``picture/<check id>``)."""
    title: str
    description: str
    width: int
    height: int
    svg: str | None = None
    jpeg: bytes | None = None

    @property
    def data_uri(self) -> str:
        """The picture inline, for a standalone HTML file (nothing is fetched from anywhere)."""
        return "data:image/jpeg;base64," + base64.b64encode(self.jpeg or b"").decode("ascii")


def figures(r: CheckResult) -> list[Figure]:
    """What a check shows besides words: one plot of its series (if any), and its picture (if the user opted in)."""
    shown: list[Figure] = []
    if r.series:
        title = say("plot.title", title=r.title)
        shown.append(Figure(f"plot/{r.id}", title, describe(r.series), WIDTH, HEIGHT, svg=chart_svg(r.series, title)))
    if r.picture is not None:
        title = say("picture.screen_title" if r.category == "screen" else "picture.title")  # the camera's
        shown.append(Figure(f"picture/{r.id}", title, r.picture.description, r.picture.width,
                            r.picture.height, jpeg=r.picture.jpeg))
    return shown


def _figure(f: Figure) -> dict[str, Any]:
    print_width = min(f.width, PRINT_WIDTH)
    return {"name": f.name, "title": f.title, "description": f.description, "width": f.width, "height": f.height,
            "print_width": print_width, "print_height": round(f.height * print_width / f.width),
            "svg": Markup(f.svg) if f.svg else None,  # chart_svg escapes every text it puts in
            "src": f.data_uri if f.jpeg else None}


def has_picture(report: Report) -> bool:
    """True when the report holds the camera snapshot (the user opted in)."""
    return any(r.picture is not None for r in report.results)


def _row(report: Report, r: CheckResult) -> dict[str, Any]:
    info = report.is_info(r)
    return {
        "id": r.id, "title": r.title, "key": report.status_key(r), "status": report.status_label(r),
        "mark": say(f"status_mark.{report.status_key(r)}"), "value": format_value(r), "summary": r.summary,
        "advice": [] if info else list(r.advice), "limit": report.limits.get(r.id),
        "note": report.info_note() if info else None,
        "figures": [_figure(f) for f in figures(r)],
        "left": report.left_unchecked(r),
    }


def interview_lines(report: Report, now: datetime | None = None,
                    when_text: Callable[[datetime], str] = format_when) -> list[dict[str, str | None]]:
    """The interview as lines of text, each with its ``kind`` (the profile field) and ``link`` (or None); times in
    the candidate's local time, written by ``when_text`` (the window writes them as its language does)."""
    info = report.interview or {}
    lines: list[dict[str, str | None]] = []
    if info.get("organisation"):
        lines.append({"kind": "organisation", "text": say("report.interview_with", organisation=info["organisation"]),
                      "link": None})
    if info.get("role"):
        lines.append({"kind": "role", "text": say("report.role", role=info["role"]), "link": None})
    if info.get("starts_at"):
        starts = datetime.fromisoformat(info["starts_at"])
        when = when_text(local_time(starts))
        left = countdown(starts, now or datetime.now(timezone.utc))
        lines.append({"kind": "starts", "text": say("report.starts", when=when, countdown=left), "link": None})
    if info.get("platform"):
        name = say(f"report.platform_names.{info['platform']}")
        lines.append({"kind": "platform", "text": say("report.platform", platform=name), "link": None})
    if info.get("meeting_link"):
        lines.append({"kind": "meeting_link", "text": say("report.meeting_link", link="").rstrip(),
                      "link": info["meeting_link"]})
        if info.get("meeting_link_expected") is False:  # a host the platform does not use: maybe a lookalike
            host = urlsplit(info["meeting_link"]).hostname or ""
            lines.append({"kind": "link_unexpected", "link": None, "text": say(
                "report.link_unexpected", host=host, platform=say(f"report.platform_names.{info['platform']}"))})
    if info.get("report_to"):
        lines.append({"kind": "report_to", "text": say("report.report_to", address=info["report_to"]), "link": None})
    return lines


def interview_text(report: Report, now: datetime | None = None) -> list[str]:
    """The interview as plain lines, each link written out in full."""
    return [f"{line['text']} {line['link'] or ''}".rstrip() for line in interview_lines(report, now)]


def view_model(report: Report, now: datetime | None = None) -> dict[str, Any]:
    """Everything a rendered report shows, as plain values (the HTML template and the PDF use it)."""
    first = report.fix_first
    organisation = (report.interview or {}).get("organisation") or report.profile
    interview = interview_lines(report, now)
    return {
        "title": say("report.title"),
        "language": "en" if report.language == PSEUDO else report.language,  # the page's lang attribute
        "generated": say("report.generated", when=format_when(local_time(report.generated_at))),
        "organisation": organisation,
        "headline": report.headline(),
        "mark": say(f"status_mark.{VERDICT_STATUS[report.overall]}"),
        "colour": VERDICT_COLOURS[report.overall],
        "fix_first_label": say("report.fix_first"),
        "fix_first": _row(report, first) if first else None,
        "interview_label": say("report.interview"),
        "interview": interview,
        "has_links": any(line["link"] for line in interview) or any(c.get("link") for c in report.backup_channels),
        "link_hint": say("report.link_hint"),
        "fixes_label": say("report.fixes"),
        "fixes": [_row(report, r) for r in report.fixes()],
        "nothing_to_fix": no_fix_text(report),
        "checks_label": say("report.checks"),
        "categories": [{"label": category_label(c), "results": [_row(report, r) for r in results]}
                       for c, results in report.by_category()],
        "changes_label": say("report.changes"),
        "changes": list(report.changes),
        "record_label": say("guard.timeline_title"),
        "record": list(report.interview_record),
        "backup_label": say("report.backup"),
        "backup_intro": say("report.backup_intro"),
        "backup_from": say("report.backup_from", organisation=organisation or ""),
        "channels": [{"text": channel_text(c), "value": c.get("value"), "link": c.get("link")}
                     for c in report.backup_channels],
        "reminders": list(report.reminders),
        "checklist_label": say("report.checklist_title"),
        "checklist": list(report.checklist),
        "export_note": say("report.export_note_picture" if has_picture(report) else "report.export_note"),
        "app": f"Interview Ready {__version__}",
    }


def render_html(report: Report, now: datetime | None = None, for_print: bool = False) -> str:
    """The report as a standalone HTML page (autoescaped: text from a profile can never become markup).
    ``for_print`` leaves out the page width and margins meant for a browser (the PDF's page sets them)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(loader=FileSystemLoader(str(asset_path("templates"))), undefined=StrictUndefined,
                      autoescape=select_autoescape(default=True, default_for_string=True))
    return env.get_template("report.html.j2").render(v=view_model(report, now), for_print=for_print)


def summary_text(report: Report, now: datetime | None = None) -> str:
    """A few lines for the clipboard or a message: the verdict, the fix first, each check needing something."""
    lines = [say("report.summary_title", headline=report.headline()), *interview_text(report, now)]
    first = report.fix_first
    if first:
        lines.append(say("report.summary_fix_first", title=first.title, summary=first.summary))
    for r in report.fixes():
        value = f" ({format_value(r)})" if r.value is not None else ""
        lines.append(f"[{say(f'status_mark.{r.status.value}')}] {labelled(f'{r.title}{value}', r.summary)}")
        if report.left_unchecked(r):
            lines.append(f"  {report.left_unchecked(r)}")
    lines.extend(f"  {c}" for c in report.changes)
    return "\n".join(lines)


def mailto_url(report: Report, files: Sequence[Path] = ()) -> str | None:
    """A ``mailto:`` link for a draft to the profile's ``report_to`` with the summary in the body (None without an
    address). It only opens a draft; the user attaches ``files`` and sends it themselves."""
    info = report.interview or {}
    address = info.get("report_to")
    if not address:
        return None
    if info.get("role"):
        subject = say("report.mail_subject_role", role=info["role"], headline=report.headline())
    else:
        subject = say("report.mail_subject", headline=report.headline())
    parts = [say("report.mail_body_intro"), summary_text(report)]
    if files:
        parts.append(say("report.mail_body_attach", files="\n".join(str(f) for f in files)))
    parts.append(say("report.mail_body_end"))
    body = "\n\n".join(parts)
    return f"mailto:{quote(address, safe='@.+-_')}?subject={quote(subject, safe='')}&body={quote(body, safe='')}"
