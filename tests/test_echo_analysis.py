"""The echo analysis on sound with a known answer: synthetic rooms (a delayed, scaled sweep plus an exponentially
decaying tail of known RT60) and sox's reverb applied to a real sweep."""

from __future__ import annotations

import itertools
import math
import shutil
import subprocess

import numpy as np
import pytest
import soundfile

from checks.analysis.echo import log_sweep, measure_echo
from checks.api import Status
from checks.builtin.echo import echo_verdict, handsfree_advice, response_series
from checks.engine.thresholds import Thresholds
from checks.report.plots import chart_svg
from checks.sources.echo import handsfree_profiles, sample_at
from checks.text.wording import say

RATE = 44100
LIMITS = Thresholds().for_check("mic.echo")


def room(gain_db: float, delay_ms: float, rt60_s: float = 0.0, *, reverb_db: float = -20.0, seed: int = 1,
         seconds: float = 1.0, rate: int = RATE) -> np.ndarray:
    """An impulse response: the direct path (``gain_db`` after ``delay_ms``) and, when ``rt60_s``, a noise tail
    ``reverb_db`` below it decaying by 60 dB in ``rt60_s``."""
    h = np.zeros(round(seconds * rate))
    d = round(delay_ms * rate / 1000)
    h[d] = 10 ** (gain_db / 20)
    if rt60_s:
        t = np.arange(len(h) - d - 1) / rate
        tail = np.random.default_rng(seed).standard_normal(len(t)) * 10 ** (-3 * t / rt60_s)
        h[d + 1 :] += 10 ** ((gain_db + reverb_db) / 20) * tail
    return h


def heard(h: np.ndarray, *, noise_dbfs: float = -80.0, seed: int = 2, rate: int = RATE,
          sweep: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The sweep, and what a microphone hears of it through ``h`` with background noise, 0.8 s past its end."""
    s = log_sweep(1.5, rate) if sweep is None else sweep
    n = len(s) + len(h)
    recorded = np.fft.irfft(np.fft.rfft(s, n) * np.fft.rfft(h, n), n)[: len(s) + round(0.8 * rate)]
    recorded += 10 ** (noise_dbfs / 20) * np.random.default_rng(seed).standard_normal(len(recorded))
    return s, recorded.astype(np.float32)


# -- properties -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rate", [16000, 44100, 48000])
def test_a_louder_return_has_a_lower_return_loss(rate):
    losses = [measure_echo(*heard(room(g, 25.0, rate=rate), rate=rate), rate).return_loss_db
              for g in (-40, -30, -20, -10, -3)]
    assert all(a > b for a, b in itertools.pairwise(losses)), losses
    assert losses == pytest.approx([40, 30, 20, 10, 3], abs=0.5)  # a pure delay: the gain it was given


@pytest.mark.parametrize("shift_ms", [0.0, 7.3, 40.0, 212.5])
def test_a_delay_shift_is_measured_as_the_same_shift(shift_ms):
    base = measure_echo(*heard(room(-12, 10.0)), RATE).delay_ms
    moved = measure_echo(*heard(room(-12, 10.0 + shift_ms)), RATE).delay_ms
    assert base == pytest.approx(10.0, abs=0.05)
    assert moved - base == pytest.approx(round(shift_ms * RATE / 1000) / RATE * 1000, abs=0.05)


def test_a_return_before_lag_zero_is_a_negative_delay_with_the_full_return():
    s, recorded = heard(room(-6, 5.0))
    early = recorded[round(0.015 * RATE) :]  # the recording cut 15 ms late: the direct path 10 ms "before" the sweep
    found = measure_echo(s, early, RATE)
    assert found.delay_ms == pytest.approx(-10.0, abs=0.05)
    assert found.return_loss_db == pytest.approx(6.0, abs=0.5)


def test_a_longer_decay_has_a_longer_rt60():
    rt60s = [measure_echo(*heard(room(-10, 20.0, rt)), RATE, tail_s=0.8).rt60_s for rt in (0.15, 0.3, 0.5, 0.8)]
    assert all(r is not None for r in rt60s), rt60s
    assert all(a < b for a, b in itertools.pairwise(rt60s)), rt60s
    assert rt60s == pytest.approx([0.15, 0.3, 0.5, 0.8], rel=0.15)


def test_a_direct_path_has_almost_no_decay_and_a_room_has_less_direct_sound():
    dry = measure_echo(*heard(room(-10, 20.0)), RATE)
    wet = measure_echo(*heard(room(-10, 20.0, 0.8, reverb_db=-10)), RATE)
    assert dry.rt60_s is not None and dry.rt60_s < 0.05
    assert dry.direct_to_reverberant_db is not None and wet.direct_to_reverberant_db is not None
    assert dry.direct_to_reverberant_db > wet.direct_to_reverberant_db + 20


@pytest.mark.skipif(shutil.which("sox") is None, reason="sox is not installed")
def test_sox_reverb_is_a_room_and_more_reverberance_rings_longer(tmp_path):
    s = log_sweep(1.5, RATE)
    soundfile.write(tmp_path / "dry.wav", np.concatenate([s, np.zeros(RATE, np.float32)]), RATE, subtype="FLOAT")
    rt60s = []
    for reverberance in (20, 50, 80):
        subprocess.run(["sox", "-V1", str(tmp_path / "dry.wav"), str(tmp_path / "wet.wav"), "reverb",
                        str(reverberance)], check=True, timeout=30)
        wet, _ = soundfile.read(tmp_path / "wet.wav", dtype="float32")
        rt60s.append(measure_echo(s, wet[: len(s) + RATE], RATE).rt60_s)
    assert all(r is not None for r in rt60s) and rt60s == sorted(rt60s), rt60s
    found = measure_echo(s, wet[: len(s) + RATE], RATE)
    assert echo_verdict(found, LIMITS) == (Status.WARN, ["strong", "room"])  # sox's reverb keeps the dry sound


# -- no return: headphones --------------------------------------------------------------------------------------------


def test_silence_and_noise_alone_are_no_return():
    s = log_sweep(1.5, RATE)
    silent = measure_echo(s, np.zeros(len(s) + RATE, np.float32), RATE)
    assert not silent.returned and silent.return_loss_db == math.inf and silent.delay_ms is None
    noisy = measure_echo(*heard(np.zeros(10), noise_dbfs=-50.0), RATE)
    assert not noisy.returned and noisy.delay_ms is None and noisy.rt60_s is None
    assert noisy.return_loss_db > LIMITS["warn_return_loss_db"]
    assert echo_verdict(noisy, LIMITS) == (Status.PASS, [])


def test_a_faint_return_under_noise_is_found_and_passes():
    found = measure_echo(*heard(room(-45, 30.0), noise_dbfs=-70.0), RATE)
    assert found.returned and found.return_loss_db == pytest.approx(45, abs=1.0)
    assert echo_verdict(found, LIMITS) == (Status.PASS, [])


# -- input validation ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("played", "recorded", "rate", "message"), [
    (np.ones(100), np.ones(RATE), RATE, "at least"),
    (log_sweep(0.5, RATE), np.ones(100), RATE, "at least"),
    (log_sweep(0.5, RATE), np.full(RATE, np.nan), RATE, "NaN"),
    (log_sweep(0.5, RATE), np.ones((2, 2, RATE)), RATE, "3-D"),
    (log_sweep(0.5, RATE), np.array(["a"] * RATE), RATE, "numbers"),
    (log_sweep(0.5, RATE), np.ones(RATE), 0, "sample rate"),
    (np.zeros(RATE), np.ones(2 * RATE), RATE, "silent"),
])
def test_unusable_input_is_a_clear_value_error(played, recorded, rate, message):
    with pytest.raises(ValueError, match=message):
        measure_echo(played, recorded, rate)


def test_a_sweep_fits_a_hands_free_rate_and_rejects_impossible_settings():
    s = log_sweep(1.5, 8000)
    assert len(s) == 12000 and np.abs(s).max() == pytest.approx(10 ** (-15 / 20), rel=0.01)
    found = measure_echo(*heard(room(-10, 30.0, rate=8000), rate=8000, sweep=s), 8000)
    assert found.return_loss_db == pytest.approx(10, abs=0.5) and found.delay_ms == pytest.approx(30, abs=0.2)
    with pytest.raises(ValueError, match="highest frequency"):
        log_sweep(1.0, 200)
    with pytest.raises(ValueError, match="positive"):
        log_sweep(0.0, RATE)


def test_stereo_recordings_are_averaged():
    s, mono = heard(room(-10, 30.0))
    found = measure_echo(s, np.column_stack([mono, mono]), RATE)
    assert found.return_loss_db == pytest.approx(10, abs=0.5)


# -- the plot and the Bluetooth hint -------------------------------------------------------------------------------


def test_the_impulse_response_plot_starts_at_the_delay_and_falls_from_zero_db():
    found = measure_echo(*heard(room(-10, 30.0, 0.4)), RATE)
    series = response_series(found)
    assert series.x_unit == "ms" and series.y_unit == "dB" and series.label == say("plot.impulse")
    xs, ys = zip(*series.points, strict=True)
    assert xs[0] == pytest.approx(29.0, abs=0.1)  # from the onset, 1 ms before the direct path
    assert max(ys) == pytest.approx(0.0, abs=1.5) and min(ys) < -30 and all(y >= -80 for y in ys)
    svg = chart_svg([series], "Echo")
    assert "<polyline" in svg and say("plot.impulse") in svg


PACTL_CARDS = """\
Card #0
	Name: alsa_card.pci-0000_00_1f.3
	Driver: module-alsa-card.c
	Active Profile: output:analog-stereo+input:analog-stereo
	Properties:
		device.description = "Built-in Audio"
Card #3
	Name: bluez_card.00_1B_66_AA_BB_CC
	Driver: module-bluez5-device.c
	Properties:
		device.description = "WH-1000XM4"
	Profiles:
		a2dp_sink: High Fidelity Playback (A2DP Sink) (sinks: 1, sources: 0, priority: 40, available: yes)
		headset_head_unit: Headset Head Unit (HSP/HFP) (sinks: 1, sources: 1, priority: 30, available: yes)
	Active Profile: headset_head_unit
"""


def test_a_bluetooth_headset_in_hands_free_mode_is_named_with_the_fix():
    assert handsfree_profiles(PACTL_CARDS) == [("WH-1000XM4", "headset_head_unit")]
    assert handsfree_profiles(PACTL_CARDS.replace("Active Profile: headset_head_unit", "Active Profile: a2dp_sink")) \
        == []
    pipewire = PACTL_CARDS.replace("Active Profile: headset_head_unit", "Active Profile: headset-head-unit-msbc")
    assert handsfree_profiles(pipewire) == [("WH-1000XM4", "headset-head-unit-msbc")]
    [advice] = handsfree_advice(48000, handsfree_profiles(PACTL_CARDS))
    assert advice == say("mic.echo.handsfree", name="WH-1000XM4", profile="headset_head_unit")
    assert "stereo" in advice and "separate microphone" in advice
    assert handsfree_advice(16000, []) == [say("mic.echo.low_rate", rate=16000)]
    assert handsfree_advice(48000, []) == []


def test_the_recording_is_placed_by_its_blocks_times_whatever_one_block_says():
    """Blocks of 10 ms as PulseAudio hands them, each with the time of its first sample, as measured here on a busy
    machine: most exact, now and then one 2 to 9 ms early and the next right again, the first one among them. The
    sweep's start falls where the blocks' times agree, not where the first block's says (8.5 ms off: an echo read
    that much early)."""
    rate, size, t0 = 44100, 441, 1000.0
    early = {0: 0.0085, 7: 0.0061, 8: 0.0020, 40: 0.0085, 41: 0.0085, 90: 0.0044}  # block: seconds early
    blocks = [(t0 + i * size / rate - early.get(i, 0.0), np.zeros((size, 1), np.float32)) for i in range(200)]
    for when_s in (0.35, 0.5, 1.2):
        assert sample_at(t0 + when_s, blocks, rate) == round(when_s * rate)
    # a sound dropped before the sweep (the blocks go on, their times jump): counted from the blocks around it
    gap = [(when + (0.05 if i >= 20 else 0.0), block) for i, (when, block) in enumerate(blocks)]
    assert sample_at(t0 + 0.05 + 1.2, gap, rate) == round(1.2 * rate)
