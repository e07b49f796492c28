"""Kiosk mode for a shared machine (no Qt): its configuration, the admin PIN, and the limit on PIN guesses.

The PIN is stored only as a salted scrypt hash (``scrypt$n$r$p$salt$hash``, hex), written by
``interview-ready kiosk set-pin``. The configuration is TOML, validated like a profile::

    idle_timeout_s = 120         # wipe everything after this long without a touch or a key (30 to 3600)
    warning_s = 20               # show a countdown this long before the wipe
    profile = "acme.toml"        # optional: a recruiter profile to apply (relative to this file)
    checks = ["camera.*", "mic.*", "network.*"]   # optional: which checks run
    librespeed_server = "http://speed.centre.example/"   # optional: the centre's own speed-test server
    language = "de"              # optional: the start screen's language, again after each wipe (else the system's)
    pin_hash = "scrypt$…"        # written by set-pin

The file holds the PIN's hash, so it is written readable by its owner only (0600). A PIN has 6 to 12 digits and
scrypt's cost (64 MiB, about half a second a guess) makes trying every 6-digit PIN offline take days, not minutes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
import secrets
import time
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from checks.config.servers import parse_server_url
from checks.storage.files import NotAFile, read_limited, write_atomically
from checks.text.resources import tomllib
from checks.text.untrusted import clean
from checks.text.wording import languages, say

MAX_CONFIG_BYTES = 16 * 1024
_SCRYPT = {"n": 2**16, "r": 8, "p": 1}
_MAX_SCRYPT_N = 2**20  # a stored hash asking for more would take minutes and gigabytes to check
_PIN = re.compile(r"^[0-9]{6,12}$")
_STORED_PIN = re.compile(r"^[0-9]{4,12}$")  # hashes written before PINs had 6 digits still verify
_HASH = re.compile(r"^scrypt\$(\d+)\$(\d+)\$(\d+)\$([0-9a-f]{32})\$([0-9a-f]{64})$")


class KioskError(ValueError):
    """A kiosk configuration or PIN that cannot be used; the message names the file and field."""


class KioskConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    idle_timeout_s: int = Field(120, ge=30, le=3600)
    warning_s: int = Field(20, ge=5, le=120)
    profile: str | None = Field(None, max_length=500)
    checks: tuple[str, ...] = Field(default=(), max_length=50)
    librespeed_server: str | None = Field(None, max_length=500)
    pin_hash: str | None = Field(None, max_length=200)
    language: str | None = Field(None, max_length=20)
    path: Path | None = None

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        if value is not None and value not in languages():
            raise ValueError(f"{value!r} is not a language the app speaks; choose one of {', '.join(languages())}")
        return value

    @field_validator("librespeed_server")
    @classmethod
    def _server(cls, value: str | None) -> str | None:
        return None if value is None else parse_server_url(value)

    @field_validator("pin_hash")
    @classmethod
    def _hash(cls, value: str | None) -> str | None:
        match = _HASH.match(value) if value is not None else None
        if value is not None and (not match or not 2 <= int(match.group(1)) <= _MAX_SCRYPT_N
                                  or not 1 <= int(match.group(2)) <= 32 or not 1 <= int(match.group(3)) <= 16):
            raise ValueError(say("kiosk_errors.not_a_hash"))
        return value

    @field_validator("warning_s")
    @classmethod
    def _warning_before_wipe(cls, value: int, info: ValidationInfo) -> int:
        idle = info.data.get("idle_timeout_s")
        if idle is not None and value >= idle:
            raise ValueError(say("kiosk_errors.warning_too_long", value=value, idle=idle))
        return value

    @field_validator("checks")
    @classmethod
    def _checks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in value:
            if not re.fullmatch(r"[a-z0-9_.*?]{1,80}", pattern):
                raise ValueError(say("kiosk_errors.pattern", pattern=pattern))
        return value

    def profile_path(self) -> Path | None:
        if self.profile is None:
            return None
        path = Path(self.profile)
        return path if path.is_absolute() or self.path is None else self.path.parent / path


def load_kiosk_config(path: Path | None) -> KioskConfig:
    """The configuration in ``path``, or the defaults when there is none; :class:`KioskError` says what is wrong."""
    if path is None:
        return KioskConfig()
    try:
        raw = read_limited(path, MAX_CONFIG_BYTES)
    except NotAFile:
        raise KioskError(say("profile_errors.not_a_file", where=clean(path))) from None
    except OSError as error:
        raise KioskError(say("profile_errors.unreadable", where=path, error=error.strerror or error)) from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise KioskError(say("kiosk_errors.too_large", where=path, kib=MAX_CONFIG_BYTES // 1024))
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise KioskError(say("kiosk_errors.problem", where=path, problem=error)) from None
    except RecursionError:
        raise KioskError(say("kiosk_errors.nested", where=path)) from None
    except ValueError as error:  # what the reader cannot hold, such as a number of thousands of digits
        raise KioskError(say("profile_errors.unreadable", where=path, error=str(error).split(";")[0])) from None
    try:
        return KioskConfig(**data, path=path)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(clean(p, 80) for p in first["loc"]) or say("kiosk_errors.whole_file")  # keys: anything
        raise KioskError(say("kiosk_errors.field", where=path, field=field,
                             message=str(first["msg"]).removeprefix("Value error, "))) from None
    except TypeError as error:
        raise KioskError(say("kiosk_errors.problem", where=path, problem=error)) from None


def hash_pin(pin: str) -> str:
    """A salted scrypt hash of ``pin`` (6 to 12 digits)."""
    if not _PIN.match(pin):
        raise KioskError(say("kiosk_errors.pin_digits"))
    salt = secrets.token_bytes(16)
    digest = _scrypt(pin, salt, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${salt.hex()}${digest.hex()}"


def verify_pin(pin: str, stored: str) -> bool:
    """Whether ``pin`` matches the stored hash (in constant time)."""
    match = _HASH.match(stored or "")
    if not match or not _STORED_PIN.match(pin):
        return False
    n, r, p = (int(g) for g in match.groups()[:3])
    if not (2 <= n <= _MAX_SCRYPT_N and 1 <= r <= 32 and 1 <= p <= 16):
        return False
    digest = _scrypt(pin, bytes.fromhex(match.group(4)), n=n, r=r, p=p)
    return hmac.compare_digest(digest.hex(), match.group(5))


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, dklen=32, maxmem=130 * r * n + 2**20)


def write_pin_hash(path: Path, pin: str) -> None:
    """Store the hash of ``pin`` in the configuration file (made if missing), keeping its other lines."""
    line = f'pin_hash = "{hash_pin(pin)}"'
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if re.search(r"(?m)^pin_hash\s*=.*$", text):
        text = re.sub(r"(?m)^pin_hash\s*=.*$", lambda _: line, text)
    else:
        text = f"{text.rstrip()}\n{line}\n".lstrip("\n")
    write_atomically(path, text, private=True)
    load_kiosk_config(path)  # what was written must read back


def pin_state_path() -> Path:
    """Where the kiosk keeps its count of wrong PINs between runs (the user's state folder)."""
    from platformdirs import user_state_path

    return user_state_path("interview-ready") / "kiosk-pin-wait.json"


class PinGate:
    """Limits PIN guesses: after ``free`` wrong ones, each further try waits longer (doubling, capped).

    With ``state``, the count and the wait are kept in that file (written atomically, readable only by its
    owner), so a crash or a restart of the kiosk gives no fresh guesses. A file that cannot be read counts as
    "no wrong guesses" only when it does not exist; a damaged one counts as a wait already in force.
    """

    def __init__(self, stored: str | None, free: int = 3, first_wait_s: float = 30.0, max_wait_s: float = 300.0,
                 clock: Callable[[], float] = time.time, state: Path | None = None) -> None:
        self.stored = stored
        self.free = free
        self.first_wait_s = first_wait_s
        self.max_wait_s = max_wait_s
        self.clock = clock
        self.state = state
        self.failures = 0
        self.locked_until = 0.0
        self._load()

    def wait_left(self) -> float:
        """Seconds until the next guess is accepted (0 when it is; never more than the longest wait, even when
        the clock was set back)."""
        return min(self.max_wait_s, max(0.0, self.locked_until - self.clock()))

    def _load(self) -> None:
        if self.state is None or self.stored is None:
            return
        try:
            data = json.loads(self.state.read_text(encoding="utf-8"))
            self.failures = max(0, int(data["failures"]))
            self.locked_until = float(data["locked_until"])
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError, TypeError):  # damaged or unreadable: as if the limit was reached
            self.failures = self.free
            self.locked_until = self.clock() + self.first_wait_s
        if not math.isfinite(self.locked_until):
            self.locked_until = self.clock() + self.max_wait_s

    def _save(self) -> None:
        if self.state is None:
            return
        text = json.dumps({"failures": self.failures, "locked_until": self.locked_until})
        try:
            self.state.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(self.state, text, private=True)
        except OSError:  # a read-only home: the limit still holds for this run
            return

    @property
    def open(self) -> bool:
        """No PIN was set: leaving kiosk mode needs none (the app warns about this when it starts)."""
        return self.stored is None

    def try_pin(self, pin: str) -> bool:
        """True when ``pin`` is right (or no PIN is set) and no wait is in force."""
        if self.stored is None:
            return True
        if self.wait_left() > 0:
            return False
        if verify_pin(pin, self.stored):
            self.failures, self.locked_until = 0, 0.0
            self._save()
            return True
        self.failures += 1
        if self.failures >= self.free:
            wait = self.first_wait_s * 2 ** min(32, self.failures - self.free)
            self.locked_until = self.clock() + min(self.max_wait_s, wait)
        self._save()
        return False
