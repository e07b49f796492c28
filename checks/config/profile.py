"""Recruiter profiles: a schema-versioned TOML file, validated before anything in it is used.

A profile is data from a stranger. It never executes anything; every string is bounded in size and free of
control characters; links are only ``http(s)``, ``mailto`` or ``tel``; the code that renders it escapes it.
:class:`ProfileError` names the file, the line where it can be found, and the field.

The format (``interview-ready profile init FILE`` writes a commented template)::

    schema = "interview-ready/profile@1"      # optional; the only version so far
    organisation = "Acme Hiring"
    role = "Backend developer"
    interview_at = 2026-12-01T14:00:00+01:00  # a TOML date-time with an offset, or local + time_zone
    time_zone = "Europe/Berlin"               # optional IANA name (needed when interview_at has no offset)
    platform = "teams"                        # zoom, teams, meet, webex or other
    language = "de"                           # optional: the language the app speaks (else the system's)
    meeting_link = "https://…"
    report_to = "jobs@acme.example"           # where "Send to recruiter" addresses the report
    required = ["camera.*", "mic.*"]          # checks that count for the verdict; others are "info"
    librespeed_server = "https://speed.acme.example/"
    nq_server = "https://nq.acme.example/"    # a networkQuality server (publishes /.well-known/nq)
    stun = ["stun.acme.example:3478"]

    [[backup_channels]]
    kind = "dial_in"                          # dial_in, phone, email, meeting_link or chat
    label = "Dial-in number"
    value = "+44 20 7946 0000,,123456#"

    [thresholds."network.latency"]
    warn_ms = 150
"""

from __future__ import annotations

import contextlib
import fnmatch
import re
import unicodedata
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from checks.api import ID_PATTERN
from checks.config.servers import REFUSED_KINDS, StunServer, address_kind, addresses_of, parse_server_url
from checks.engine.discovery import find_plugins
from checks.engine.thresholds import override_problems
from checks.storage.files import NotAFile, read_limited
from checks.text.resources import load_toml_asset, tomllib
from checks.text.untrusted import clean
from checks.text.wording import languages, say, say_all

SCHEMA = "interview-ready/profile@1"
MAX_PROFILE_BYTES = 64 * 1024
PLATFORMS = ("zoom", "teams", "meet", "webex", "other")
CHANNEL_KINDS = ("dial_in", "phone", "email", "meeting_link", "chat")
_PHONE = re.compile(r"^\+?[0-9][0-9 ().\-]{2,30}([,;]+[0-9#*]{1,20})*#?$")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?)+$")
_PATTERN = re.compile(r"^[a-z0-9_.*?]{1,80}$")
YEARS_BACK, YEARS_AHEAD = 1, 5  # an interview date lies at most a year back (a profile in use for a while) …
                                # … and five years ahead; anything else is a mistake or an attack on the run
# Characters that show as nothing (blank fillers): a name made of them looks empty or hides what follows.
_FILLERS = frozenset("\u115f\u1160\u2800\u3164\uffa0")
_VARIATION_RUN = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]{2,}")


class ProfileError(ValueError):
    """A profile that cannot be used, with a message naming the file, line or field."""


def _plain(text: str) -> str:
    """One line of text: no control characters (newlines, terminal escapes), trimmed."""
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") or c in _FILLERS for c in text) \
            or _VARIATION_RUN.search(text):
        raise ValueError(say("profile_errors.plain_text"))
    return text.strip()


def http_link(text: str) -> str:
    """An ``http(s)://host/…`` link; ValueError for any other scheme (``javascript:``, ``file:``, …)."""
    text = _plain(text)
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        raise ValueError(say("profile_errors.http_link"))
    if any(c.isspace() for c in text) or any(c in text for c in "<>\"'`\\"):
        raise ValueError(say("profile_errors.link_characters"))
    if not parts.hostname.isascii():  # shown as punycode, so a lookalike letter cannot pass for a Latin one
        try:
            host = parts.hostname.encode("idna").decode("ascii")
        except UnicodeError:
            raise ValueError(say("profile_errors.idna")) from None
        port = f":{parts.port}" if parts.port is not None else ""
        text = urlunsplit((parts.scheme, host + port, parts.path, parts.query, parts.fragment))
    return text


def link_host(link: str) -> str:
    """The host name of a link, lower case (punycode where it held other letters)."""
    return (urlsplit(link).hostname or "").rstrip(".").lower()


def platform_uses(platform: str, host: str) -> bool:
    """Whether ``host`` is one of the meeting hosts assets/platforms.toml lists for ``platform`` (or under one)."""
    hosts = load_toml_asset("platforms.toml").get(platform, {}).get("link_hosts", [])
    return any(host == h or host.endswith("." + h) for h in hosts)


def email_address(text: str) -> str:
    text = _plain(text)
    if not _EMAIL.match(text):
        raise ValueError(say("profile_errors.email"))
    return text


def phone_number(text: str) -> str:
    text = _plain(text)
    if not _PHONE.match(text):
        raise ValueError(say("profile_errors.phone"))
    return text


def tel_link(number: str) -> str:
    return "tel:" + quote(re.sub(r"[ ().\-]", "", number), safe="+,;#*")


def mailto_link(address: str) -> str:
    return "mailto:" + quote(address, safe="@.+-_")


Text = Annotated[str, StringConstraints(max_length=120), AfterValidator(_plain)]
LongText = Annotated[str, StringConstraints(max_length=300), AfterValidator(_plain)]
Link = Annotated[str, StringConstraints(max_length=2000), AfterValidator(http_link)]
Email = Annotated[str, StringConstraints(max_length=254), AfterValidator(email_address)]


def _pattern(text: str) -> str:
    if not _PATTERN.match(text):
        raise ValueError(say("profile_errors.pattern"))
    return text


def _matches_a_check(text: str) -> str:
    if not any(fnmatch.fnmatchcase(plugin.name, text) for plugin in find_plugins()):
        raise ValueError(say("profile_errors.no_match", pattern=text))
    return text


def _required(patterns: list[str] | None) -> list[str] | None:
    if patterns is not None and not patterns:
        raise ValueError(say("profile_errors.required_empty"))
    return patterns


class ThresholdProblems(ValueError):
    """Threshold overrides that break their declarations (assets/threshold_limits.toml), each with its place."""

    def __init__(self, problems: list[tuple[tuple[str, ...], str]]) -> None:
        super().__init__("; ".join(message for _, message in problems))
        self.problems = problems


def _thresholds(table: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    problems = override_problems(table)
    for check_id, values in table.items():
        for key, value in values.items():
            if isinstance(value, str):
                try:
                    _plain(value)
                except ValueError as error:
                    problems.append(((check_id, key), str(error)))
            if key in ENDPOINT_KEYS and not any(p[0] == (check_id, key) for p in problems):
                for item in value:  # well-formed HOST:PORT (override_problems found no problem)
                    refused = refused_address(StunServer.parse(item).host)
                    if refused:
                        problems.append(((check_id, key), say("profile_errors.endpoint", item=repr(item),
                                                                problem=refused)))
    if problems:
        raise ThresholdProblems(problems)
    return table


def _check_id(text: str) -> str:
    if not ID_PATTERN.match(text):
        raise ValueError(say("profile_errors.check_id"))
    return text


def refused_address(host: str) -> str | None:
    """Why a profile may not name ``host`` (an IP address that is this computer, link-local, multicast or none), in
    words; None when it may (a name is judged by what it resolves to: :func:`check_servers`)."""
    kind = address_kind(host)
    if kind in REFUSED_KINDS:
        return say("profile_errors.address", address=host, kind=say(f"profile_errors.address_kinds.{kind}"))
    return None


def _allowed(host: str) -> None:
    refused = refused_address(host)
    if refused:
        raise ValueError(refused)


def _stun(text: str) -> str:
    _allowed(StunServer.parse(text).host)
    return text


def _server(text: str) -> str:
    url = parse_server_url(http_link(text))
    _allowed(urlsplit(url).hostname or "")
    return url


def _language(code: str) -> str:
    if code not in languages():
        raise ValueError(say("profile_errors.one_of", choices=", ".join(languages())))
    return code


class BackupChannel(BaseModel):
    """A way to reach the interviewer when the meeting link fails."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["dial_in", "phone", "email", "meeting_link", "chat"]
    label: Text = ""
    value: LongText

    @field_validator("value")
    @classmethod
    def _value_fits_kind(cls, value: str, info: ValidationInfo) -> str:
        check = {"dial_in": phone_number, "phone": phone_number, "email": email_address,
                 "meeting_link": http_link}.get(info.data.get("kind", ""))
        return check(value) if check else value

    @property
    def link(self) -> str | None:
        """The link that opens this channel (``tel:``, ``mailto:`` or ``https:``), or None for plain text."""
        if self.kind in ("dial_in", "phone"):
            return tel_link(self.value)
        if self.kind == "email":
            return mailto_link(self.value)
        if self.kind == "meeting_link":
            return self.value
        return None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "label": self.label, "value": self.value, "link": self.link}


class Profile(BaseModel):
    """A validated recruiter profile. Build it with :func:`load_profile` or :func:`parse_profile`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    schema_: Literal["interview-ready/profile@1"] = Field(SCHEMA, alias="schema")
    organisation: Text | None = None
    role: Text | None = None
    time_zone: Annotated[str, StringConstraints(max_length=64)] | None = None
    interview_at: datetime | None = None
    platform: Literal["zoom", "teams", "meet", "webex", "other"] | None = None
    language: Annotated[str, AfterValidator(_language)] | None = None
    """The language the app speaks to the candidate, unless they choose another (``--lang``, the window's menu)."""
    meeting_link: Link | None = None
    report_to: Email | None = None
    required: Annotated[list[Annotated[str, AfterValidator(_pattern), AfterValidator(_matches_a_check)]],
                        Field(max_length=50), AfterValidator(_required)] | None = None
    librespeed_server: Annotated[str, StringConstraints(max_length=2000), AfterValidator(_server)] | None = None
    nq_server: Annotated[str, StringConstraints(max_length=2000), AfterValidator(_server)] | None = None
    stun: Annotated[list[Annotated[str, StringConstraints(max_length=300), AfterValidator(_stun)]],
                    Field(max_length=5)] = []
    backup_channels: Annotated[list[BackupChannel], Field(max_length=10)] = []
    thresholds: Annotated[dict[Annotated[str, AfterValidator(_check_id)],
                               Annotated[dict[Annotated[str, StringConstraints(max_length=64)], Any],
                                         Field(max_length=30)]],
                          Field(max_length=100), AfterValidator(_thresholds)] = {}
    path: Path | None = Field(None, exclude=True)

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(say("profile_errors.time_zone")) from None
        return value

    @field_validator("interview_at")
    @classmethod
    def _aware(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        if value is None:
            return value
        if value.tzinfo is None:
            if not info.data.get("time_zone"):
                raise ValueError(say("profile_errors.needs_zone"))
            value = value.replace(tzinfo=ZoneInfo(info.data["time_zone"]))
        now = (info.context or {}).get("now") or datetime.now(timezone.utc)
        earliest, latest = _years_from(now, -YEARS_BACK), _years_from(now, YEARS_AHEAD)
        try:
            sane = earliest <= value.astimezone(timezone.utc) <= latest
        except (OverflowError, ValueError):  # beyond what a date can hold once its offset is applied
            sane = False
        if not sane:
            raise ValueError(say("profile_errors.date_range", earliest=f"{earliest:%Y-%m-%d}",
                                 latest=f"{latest:%Y-%m-%d}"))
        return value

    @property
    def name(self) -> str:
        """The organisation, else the file's name."""
        return self.organisation or (self.path.stem if self.path else "profile")

    @property
    def platform_key(self) -> str | None:
        """The platform whose needs the network checks apply (None for ``other`` or when not set)."""
        return self.platform if self.platform in ("zoom", "teams", "meet", "webex") else None

    def is_required(self, check_id: str) -> bool:
        """Whether a check counts for the verdict (all do when the profile lists no ``required`` checks)."""
        return is_required(check_id, self.required)

    def threshold_overrides(self, check_ids: list[str] | None = None) -> dict[str, dict[str, Any]]:
        """The threshold overrides, with the profile's platform set for each network check in ``check_ids``."""
        out: dict[str, dict[str, Any]] = {}
        if self.platform_key:
            for check_id in check_ids or []:
                if check_id.startswith("network."):
                    out[check_id] = {"platform": self.platform_key}
        for check_id, table in self.thresholds.items():
            out[check_id] = {**out.get(check_id, {}), **table}
        return out

    def servers(self) -> list[tuple[str, str, str]]:
        """Every server this profile sends traffic to: (field, host, as shown): the speed-test server, the STUN
        servers, and a meeting platform's endpoints set in its thresholds."""
        out = []
        for field_name in ("librespeed_server", "nq_server"):
            url = getattr(self, field_name)
            if url:
                host = urlsplit(url).hostname or ""
                out.append((field_name, host, host))
        out += [(f"stun[{i + 1}]", StunServer.parse(s).host, s) for i, s in enumerate(self.stun)]
        for check_id, table in self.thresholds.items():
            for key in ENDPOINT_KEYS:
                for i, item in enumerate(table.get(key) or []):
                    out.append((f'thresholds."{check_id}".{key}[{i + 1}]', StunServer.parse(item).host, item))
        return out

    def warnings(self) -> list[str]:
        """What is allowed but looks wrong, in one line each naming the file and field."""
        where = str(self.path) if self.path else "profile"
        out = []
        host = link_host(self.meeting_link or "")
        if self.meeting_link and self.platform_key and not platform_uses(self.platform_key, host):
            known = load_toml_asset("platforms.toml")[self.platform_key]
            out.append(say("profile_warnings.link_host", where=where, host=host, platform=known["name"],
                           hosts=", ".join(known["link_hosts"])))
        if self.required is not None:
            names = [plugin.name for plugin in find_plugins()]
            for category in EXPECTED_CATEGORIES:
                if not any(n.startswith(f"{category}.") and self.is_required(n) for n in names):
                    out.append(say("profile_warnings.leaves_out", where=where, category=category,
                                   what=say(f"verdict.unchecked.what.{category}")))
        return out

    def interview_summary(self) -> dict[str, Any]:
        """What the report says about the interview (all validated; escaped wherever it is rendered)."""
        return {
            "organisation": self.organisation,
            "role": self.role,
            "starts_at": self.interview_at.isoformat() if self.interview_at else None,
            "platform": self.platform,
            "meeting_link": self.meeting_link,
            "meeting_link_expected": (platform_uses(self.platform_key, link_host(self.meeting_link))
                                      if self.meeting_link and self.platform_key else None),
            "report_to": self.report_to,
        }


EXPECTED_CATEGORIES = ("camera", "mic", "network")
"""What a candidate expects checked: a ``required`` list that leaves out a whole one of them is warned about."""

ENDPOINT_KEYS = ("tcp", "udp_stun")
"""The thresholds that name servers (a meeting platform's endpoints, assets/platforms.toml)."""


def check_servers(profile: Profile, timeout: float = 2.0) -> list[tuple[str, str]]:
    """Judge the servers ``profile`` names by the addresses they resolve to, before any traffic: a name that
    resolves to this computer, a link-local, multicast or no address raises :class:`ProfileError` naming the
    field; those that lie on a private network are returned as (field, "name (address)") for the candidate to be
    told (:func:`private_servers_notice`). A name that does not resolve is left to the checks to report."""
    where = clean(profile.path) if profile.path else "profile"
    servers = profile.servers()
    resolved = addresses_of([host for _, host, _ in servers], timeout)
    private = []
    for field_name, host, shown in servers:
        for address in resolved.get(host, []):
            kind = address_kind(address)
            if kind in REFUSED_KINDS:
                problem = refused_address(address) if address == host else say(
                    "profile_errors.address_of", host=host, address=address,
                    kind=say(f"profile_errors.address_kinds.{kind}"))
                raise ProfileError(say("profile_errors.field", where=where, field=field_name, message=problem))
        inside = [a for a in resolved.get(host, []) if address_kind(a) == "private"]
        if inside:
            private.append((field_name, shown if inside == [host] else f"{shown} ({', '.join(inside)})"))
    return private


def private_servers_notice(servers: list[str] | tuple[str, ...]) -> str:
    """The sentence that names a profile's servers on a private network to the candidate (empty for none)."""
    return say("profile_notice.private", servers=", ".join(dict.fromkeys(servers))) if servers else ""


def _years_from(when: datetime, years: int) -> datetime:
    """The same day ``years`` later (earlier when negative); 29 February becomes the 28th in other years."""
    return when.replace(year=when.year + years, day=min(when.day, 28) if when.month == 2 else when.day)


def is_required(check_id: str, patterns: list[str] | tuple[str, ...] | None) -> bool:
    """True when ``patterns`` is None (everything counts) or one of them matches ``check_id``."""
    return patterns is None or any(fnmatch.fnmatchcase(check_id, p) for p in patterns)


def load_profile(path: Path) -> Profile:
    """Read and validate a profile; :class:`ProfileError` says what is wrong and where."""
    path = Path(path)
    try:
        raw = read_limited(path, MAX_PROFILE_BYTES)
    except NotAFile:
        raise ProfileError(say("profile_errors.not_a_file", where=clean(path))) from None
    except OSError as error:
        raise ProfileError(say("profile_errors.unreadable", where=clean(path),
                               error=clean(error.strerror or error))) from None
    if len(raw) > MAX_PROFILE_BYTES:
        raise ProfileError(say("profile_errors.too_large", where=clean(path), kib=MAX_PROFILE_BYTES // 1024))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ProfileError(say("profile_errors.not_utf8", where=clean(path))) from None
    return parse_profile(text, path)


def parse_profile(text: str, path: Path | None = None, now: datetime | None = None) -> Profile:
    """Validate a profile's text; ``path`` only names it in messages, ``now`` is the time dates are judged from."""
    where = clean(path) if path else "profile"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ProfileError(f"{where}: {error}") from None
    except RecursionError:  # lists or tables nested hundreds deep
        raise ProfileError(say("profile_errors.nested", where=where)) from None
    except ValueError as error:  # what the reader cannot hold, such as a number of thousands of digits
        raise ProfileError(say("profile_errors.unreadable", where=where, error=str(error).split(";")[0])) from None
    try:
        profile = Profile.model_validate(data, context={"now": now})
    except ValidationError as error:
        raise ProfileError("\n".join(_describe(where, text, error.errors()))) from None
    return profile.model_copy(update={"path": path})


PYDANTIC_WORDS = {
    **dict.fromkeys(("string_type", "string_unicode"), "profile_errors.types.text"),
    **dict.fromkeys(("int_type", "int_parsing", "int_from_float"), "profile_errors.types.whole_number"),
    **dict.fromkeys(("float_type", "float_parsing"), "profile_errors.types.number"),
    **dict.fromkeys(("bool_type", "bool_parsing"), "profile_errors.types.yes_or_no"),
    **dict.fromkeys(("list_type", "tuple_type", "set_type"), "profile_errors.types.list"),
    **dict.fromkeys(("dict_type", "model_type", "model_attributes_type"), "profile_errors.types.table"),
    **dict.fromkeys(("datetime_type", "datetime_parsing", "datetime_from_date_parsing"),
                    "profile_errors.types.date_time"),
    "string_too_long": "profile_errors.types.text_too_long",
    "string_too_short": "profile_errors.types.text_too_short",
    "too_long": "profile_errors.types.too_many",
    "too_short": "profile_errors.types.too_few",
    "greater_than_equal": "profile_errors.types.at_least",
    "less_than_equal": "profile_errors.types.at_most",
    "greater_than": "profile_errors.types.more_than",
    "less_than": "profile_errors.types.less_than",
}
"""pydantic's error types, each with the wording that says it (its ``ctx`` fills the fields); others keep pydantic's
own English phrase."""


def _describe(where: str, text: str, errors: list[Any]) -> list[str]:
    """One line per faulty field: the file, the line, the field and what it must be."""
    grouped: dict[tuple[Any, ...], list[Any]] = {}
    expanded = []
    for error in errors:  # one line for each threshold that breaks its declaration
        problems = error.get("ctx", {}).get("error")
        if isinstance(problems, ThresholdProblems):
            expanded += [{"loc": ("thresholds", *loc), "msg": message, "type": "threshold"}
                         for loc, message in problems.problems]
        else:
            expanded.append(error)
    for error in expanded:
        # pydantic adds union members and validator names to some locations; keep the user's own keys
        loc = tuple(p for p in error.get("loc", ())
                    if isinstance(p, int) or error.get("type") == "threshold" or not _internal(p))
        grouped.setdefault(loc, []).append(error)
    lines = []
    for loc, group in grouped.items():
        error = group[0]
        message = str(error.get("msg", "is not valid")).removeprefix("Value error, ")
        message = message.replace("Input should be", "must be").replace("String should have", "must have")
        message = re.sub(r"^--(stun|server) ", "", message)
        kind = PYDANTIC_WORDS.get(str(error.get("type")))
        if kind is not None:  # pydantic's own phrase, said in the language in use
            context = {k: v for k, v in (error.get("ctx") or {}).items() if isinstance(v, (int, float, str))}
            with contextlib.suppress(KeyError, IndexError):
                message = say(kind, **context)
        if len(group) > 1:
            message = say("profile_errors.wrong_type")
        elif error.get("type") == "extra_forbidden":
            message = say("profile_errors.not_a_field")
        elif error.get("type") == "literal_error" and loc and loc[-1] == "platform":
            message = say("profile_errors.one_of", choices=", ".join(PLATFORMS))
        line = _line_of(text, loc)
        field_name = _field_name(loc) or say("profile_errors.whole")
        lines.append(say("profile_errors.line", where=where, line=line, field=field_name, message=message) if line
                     else say("profile_errors.field", where=where, field=field_name, message=message))
    return lines


def _internal(part: str) -> bool:
    """A location part pydantic adds (a union member, a validator, a dict key marker), not a key of the file."""
    return part.startswith(("function-", "str", "list[", "dict[", "constrained-")) or part in (
        "bool", "int", "float", "[key]")


def _field_name(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            name = "schema" if part == "schema_" else clean(part, 80)  # a key of the file: anything
            out += ("." if out else "") + (name if re.fullmatch(r"[A-Za-z0-9_\-]+", name) else f'"{name}"')
    return out


def _line_of(text: str, loc: tuple[Any, ...]) -> int | None:
    """The line of the key or table a validation error is about (best effort; None when not found)."""
    wanted = ["schema" if p == "schema_" else p for p in loc]
    if not wanted:
        return None
    prefix: list[Any] = []
    counts: dict[str, int] = {}
    best: tuple[int, int] | None = None  # (length of the matched path, line)
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        header = re.match(r"^(\[\[?)\s*([^\]]+?)\s*\]", stripped)
        if header:
            names = [n.strip().strip('"').strip("'") for n in re.findall(r'"[^"]*"|\'[^\']*\'|[^.]+', header.group(2))]
            prefix = list(names)
            if header.group(1) == "[[":
                key = ".".join(names)
                prefix.append(counts.get(key, 0))
                counts[key] = counts.get(key, 0) + 1
            path = prefix
        else:
            assignment = re.match(r'^("[^"]*"|[A-Za-z0-9_\-]+)\s*=', stripped)
            if not assignment:
                continue
            path = [*prefix, assignment.group(1).strip('"')]
        if path == wanted[:len(path)] and (best is None or len(path) > best[0]):
            best = (len(path), number)
    return best[1] if best else None


_EXAMPLE_DAY = date.today() + timedelta(days=14)  # the template's interview lies in the valid range


def profile_template() -> str:
    """The commented template ``profile init`` writes: its comments in the language in use, the keys English."""
    def comment(key: str, **fields: Any) -> str:
        return "\n".join(f"# {line}" for line in say_all(f"profile_template.{key}", **fields))

    def after(line: str, key: str, **fields: Any) -> str:  # a comment beside a line, aligned as in the docs
        return f"{line.ljust(39)} # {say(f'profile_template.{key}', **fields)}"

    language = f'# language = "{languages()[-1]}"'
    return "\n".join([
        comment("intro"),
        'schema = "interview-ready/profile@1"',
        "",
        after('organisation = "Acme Hiring"', "organisation"),
        'role = "Backend developer"',
        comment("interview_at"),
        f"interview_at = {_EXAMPLE_DAY:%Y-%m-%d}T14:00:00+01:00",
        '# time_zone = "Europe/Berlin"',
        after('platform = "teams"', "platform"),
        after(language, "language", languages=", ".join(languages())),
        'meeting_link = "https://teams.microsoft.com/l/meetup-join/123"',
        after('report_to = "jobs@acme.example"', "report_to"),
        "",
        comment("required"),
        '# required = ["camera.*", "mic.*", "network.*"]',
        "",
        comment("servers"),
        '# librespeed_server = "https://speed.acme.example/"',
        '# nq_server = "https://nq.acme.example/"',
        '# stun = ["stun.acme.example:3478"]',
        "",
        comment("backup_channels"),
        "[[backup_channels]]",
        'kind = "dial_in"',
        f"label = {_toml_string(say('profile_template.dial_in_label'))}",
        'value = "+44 20 7946 0000,,123456#"',
        "",
        "[[backup_channels]]",
        'kind = "phone"',
        f"label = {_toml_string(say('profile_template.phone_label'))}",
        'value = "+44 20 7946 0001"',
        "",
        "[[backup_channels]]",
        'kind = "meeting_link"',
        f"label = {_toml_string(say('profile_template.meeting_link_label'))}",
        'value = "https://meet.example.com/acme-backup"',
        "",
        comment("thresholds"),
        '# [thresholds."network.latency"]',
        "# warn_ms = 150",
        "",
    ])


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


TEMPLATE = profile_template()
"""The template as ``profile init`` writes it in English (the language in use when the module is imported)."""
