"""Kiosk configuration, the admin PIN's salted hash, and the limit on guesses."""

from __future__ import annotations

import hashlib
import re
import stat

import pytest

from checks.config.kiosk import KioskError, PinGate, hash_pin, load_kiosk_config, verify_pin, write_pin_hash


def test_a_pin_is_stored_only_as_a_salted_hash():
    first, second = hash_pin("246802"), hash_pin("246802")
    assert first != second and "246802" not in first  # salted: the same PIN never gives the same text
    assert verify_pin("246802", first) and verify_pin("246802", second)
    assert not verify_pin("246803", first) and not verify_pin("", first) and not verify_pin("246802", "garbage")


@pytest.mark.parametrize("pin", ["123", "1234", "12345", "abcdef", "123 456", "1234567890123", ""])
def test_a_pin_must_be_6_to_12_digits(pin):
    with pytest.raises(KioskError, match="6 to 12 digits"):
        hash_pin(pin)


def test_the_pin_hash_is_costly_to_guess_offline():
    """scrypt's work per guess grows with N·r·p and its memory with N·r: counted from the parameters the digest was
    really made with (recomputed here), not timed (beside other work a timing measured the load)."""
    stored = hash_pin("135790")
    n, r, p = (int(g) for g in stored.split("$")[1:4])
    salt, digest = (bytes.fromhex(g) for g in stored.split("$")[4:6])
    assert hashlib.scrypt(b"135790", salt=salt, n=n, r=r, p=p, dklen=len(digest), maxmem=2**30) == digest
    assert 128 * n * r >= 64 * 2**20  # scrypt's memory per guess: 64 MiB or more
    # four times the work of the cost PINs were hashed at before (2**14, 8, 1), and 100 times as many PINs to try:
    # 6 digits, not 4
    assert n * r * p >= 4 * 2**14 * 8


def test_a_pin_set_with_an_earlier_version_still_opens_the_kiosk():
    salt = bytes(16)
    digest = hashlib.scrypt(b"2468", salt=salt, n=2**14, r=8, p=1, dklen=32)
    assert verify_pin("2468", f"scrypt${2**14}$8$1${salt.hex()}${digest.hex()}")


def test_a_hash_asking_for_an_absurd_cost_is_refused(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_text(f'pin_hash = "scrypt${2**30}$8$1${"0" * 32}${"0" * 64}"\n')
    with pytest.raises(KioskError, match="pin_hash"):
        load_kiosk_config(path)


def test_guesses_are_rate_limited():
    now = [1000.0]
    gate = PinGate(hash_pin("135791"), free=3, first_wait_s=30, max_wait_s=100, clock=lambda: now[0])
    assert [gate.try_pin("000000") for _ in range(3)] == [False, False, False]
    assert gate.wait_left() == 30
    assert not gate.try_pin("135791")  # even the right PIN waits
    now[0] += 30
    assert not gate.try_pin("000000") and gate.wait_left() == 60  # the wait doubles
    now[0] += 60
    assert not gate.try_pin("000000") and gate.wait_left() == 100  # and is capped
    now[0] += 100
    assert gate.try_pin("135791") and gate.failures == 0


def test_without_a_pin_the_gate_is_open():
    gate = PinGate(None)
    assert gate.open and gate.try_pin("")


def test_set_pin_keeps_the_rest_of_the_file(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_text("# our centre\nidle_timeout_s = 90  # a minute and a half\n")
    write_pin_hash(path, "864200")
    write_pin_hash(path, "975311")  # replaced, not added twice
    text = path.read_text()
    assert text.startswith("# our centre\nidle_timeout_s = 90  # a minute and a half\n")
    assert text.count("pin_hash") == 1
    config = load_kiosk_config(path)
    assert config.idle_timeout_s == 90 and verify_pin("975311", config.pin_hash)


@pytest.mark.parametrize("existing", [None, 0o644])
def test_the_config_with_the_pin_hash_is_readable_by_its_owner_only(tmp_path, existing):
    path = tmp_path / "kiosk.toml"
    if existing is not None:
        path.write_text("idle_timeout_s = 90\n")
        path.chmod(existing)
    write_pin_hash(path, "864200")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["kiosk.toml"]  # no temporary file left behind
    assert re.search(r"(?m)^pin_hash = ", path.read_text())


def test_defaults_without_a_file():
    config = load_kiosk_config(None)
    assert (config.idle_timeout_s, config.warning_s, config.pin_hash, config.checks) == (120, 20, None, ())


@pytest.mark.parametrize(("text", "named"), [
    ("idle_timeout_s = 5\n", "idle_timeout_s"),
    ("idle_timeout_s = 'soon'\n", "idle_timeout_s"),
    ("pin_hash = '1234'\n", "pin_hash"),
    ("checks = ['camera.*', 'rm -rf /']\n", "checks"),
    ("librespeed_server = 'javascript:alert(1)'\n", "librespeed_server"),
    ("surprise = 1\n", "surprise"),
    ("idle_timeout_s = \n", "line 1"),
    ("idle_timeout_s = 60\nwarning_s = 90\n", "warning_s: .*must be shorter than idle_timeout_s"),
    ("idle_timeout_s = 30\nwarning_s = 30\n", "warning_s"),
    ("checks = " + "[" * 500 + "]" * 500 + "\n", "nested too deeply"),
    ("idle_timeout_s = " + "9" * 5000 + "\n", "cannot be read"),
])
def test_a_bad_config_names_the_field(tmp_path, text, named):
    path = tmp_path / "kiosk.toml"
    path.write_text(text)
    with pytest.raises(KioskError, match=named):
        load_kiosk_config(path)


def test_the_profile_is_found_beside_the_config(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_text('profile = "acme.toml"\n')
    assert load_kiosk_config(path).profile_path() == tmp_path / "acme.toml"


def test_wrong_pins_are_kept_across_a_restart(tmp_path):
    import stat

    now = [5000.0]
    state = tmp_path / "state" / "kiosk-pin-wait.json"
    stored = hash_pin("135790")
    gate = PinGate(stored, first_wait_s=30, clock=lambda: now[0], state=state)
    assert [gate.try_pin(pin) for pin in ("000000", "111111", "222222")] == [False] * 3
    restarted = PinGate(stored, first_wait_s=30, clock=lambda: now[0], state=state)  # after a crash
    assert restarted.failures == 3 and restarted.wait_left() == 30
    assert not restarted.try_pin("135790")  # no fresh guesses, not even the right one
    assert stat.S_IMODE(state.stat().st_mode) == 0o600
    assert list(state.parent.iterdir()) == [state]  # written atomically: no half-written file left beside it
    now[0] += 30
    assert not restarted.try_pin("333333") and PinGate(stored, clock=lambda: now[0], state=state).wait_left() == 60
    now[0] += 60
    assert restarted.try_pin("135790")
    assert PinGate(stored, clock=lambda: now[0], state=state).failures == 0  # the right PIN starts afresh


def test_a_damaged_or_unwritable_pin_state_never_gives_fresh_guesses(tmp_path):
    state = tmp_path / "kiosk-pin-wait.json"
    stored = hash_pin("135790")
    state.write_text('{"failures": "many"', encoding="utf-8")
    assert PinGate(stored, state=state).wait_left() > 0  # damaged: as if the limit was reached
    state.write_text('{"failures": 3, "locked_until": 1e400}', encoding="utf-8")
    assert 0 < PinGate(stored, state=state).wait_left() <= 300  # never longer than the longest wait
    blocked = tmp_path / "a-file" / "kiosk-pin-wait.json"
    (tmp_path / "a-file").write_text("", encoding="utf-8")  # its folder cannot be made
    gate = PinGate(stored, state=blocked)
    assert [gate.try_pin("000000") for _ in range(3)] == [False] * 3 and gate.wait_left() > 0  # still limited
