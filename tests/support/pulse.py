"""A private PulseAudio server for tests: a null sink whose monitor is the default source.

The server runs in the foreground as a child of the test process, with its own socket, runtime folder and
home folder under a fresh temporary folder, so it touches no sound set-up of the machine. Clients reach it
through :attr:`PulseServer.env`: ``PULSE_SERVER`` for ``pactl``/``paplay``, and a ``.asoundrc`` in the
temporary home that makes ALSA's ``default`` device the pulse plugin (libasound2-plugins), which is what
PortAudio (sounddevice) enumerates. PortAudio lists devices when it initialises, so code under test must run
in a subprocess started with this environment, after the server is up.

Needs the Debian packages pulseaudio, pulseaudio-utils, libasound2-plugins and libportaudio2.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

SINK = "ir_test"
SOURCE = f"{SINK}.monitor"
RATE = 44100

_SERVER_SCRIPT = """\
.fail
load-module module-native-protocol-unix socket={socket} auth-anonymous=1
load-module module-null-sink sink_name={sink} rate={rate} channels=2
load-module module-always-sink
set-default-sink {sink}
set-default-source {sink}.monitor
"""

# Overrides whatever /etc/asound.conf or pipewire-alsa make of "default": these tests must hear only their server.
_ASOUNDRC = """\
pcm.!default {
    type pulse
    hint { show on description "Interview Ready test server" }
}
ctl.!default { type pulse }
"""


class PulseUnavailable(Exception):
    """PulseAudio is not installed or its server did not start; the message says why."""


class PulseServer:
    """A running private PulseAudio server. Use :func:`start_pulse` to make one."""

    def __init__(self, root: Path, process: subprocess.Popen[bytes], env: dict[str, str]) -> None:
        self.root = root
        self.process = process
        self.env = env
        self.log = root / "pulse.log"

    def pactl(self, *args: str, timeout: float = 10) -> str:
        done = subprocess.run(["pactl", *args], env=self.env, capture_output=True, text=True, timeout=timeout,
                              check=False)
        if done.returncode != 0:
            raise RuntimeError(f"pactl {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout

    def count(self, kind: str) -> int:
        """How many ``source-outputs`` (recording streams) or ``sink-inputs`` (playing streams) exist."""
        return len([line for line in self.pactl("list", "short", kind).splitlines() if line.strip()])

    def wait_for(self, kind: str, n: int, timeout: float = 10) -> None:
        """Wait until exactly ``n`` streams of ``kind`` exist."""
        end = time.monotonic() + timeout
        while self.count(kind) != n:
            if time.monotonic() > end:
                raise AssertionError(f"the server still has {self.count(kind)} {kind}, not {n}, after {timeout} s")
            time.sleep(0.05)

    @contextlib.contextmanager
    def playing(self, wav: Path) -> Iterator[subprocess.Popen[bytes]]:
        """Play ``wav`` into the null sink (so it is heard on its monitor) until the block ends."""
        player = subprocess.Popen(["paplay", f"--device={SINK}", str(wav)], env=self.env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            self.wait_for("sink-inputs", 1)
            yield player
        finally:
            player.terminate()
            player.wait(10)

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """End the server (SIGKILL: as if it crashed) and wait for it to be gone."""
        if self.running:
            self.process.send_signal(sig)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def start_pulse(timeout: float = 15) -> PulseServer:
    """Start a private server and wait until it answers; :class:`PulseUnavailable` if it cannot start."""
    for tool in ("pulseaudio", "pactl", "paplay"):
        if shutil.which(tool) is None:
            raise PulseUnavailable(f"{tool} is not installed (apt-get install pulseaudio pulseaudio-utils)")
    # A short path: a unix socket path may not be longer than 107 bytes.
    root = Path(tempfile.mkdtemp(prefix="ir-pulse-"))
    runtime, home = root / "run", root / "home"
    for folder in (runtime, home / ".config"):
        folder.mkdir(parents=True)
    runtime.chmod(0o700)
    socket = root / "native"
    script = root / "server.pa"
    script.write_text(_SERVER_SCRIPT.format(socket=socket, sink=SINK, rate=RATE))
    (home / ".asoundrc").write_text(_ASOUNDRC)
    env = {
        **os.environ,
        "PULSE_SERVER": f"unix:{socket}",
        "PULSE_RUNTIME_PATH": str(runtime),
        "XDG_RUNTIME_DIR": str(runtime),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "NO_COLOR": "1",
    }
    for name in ("PULSE_SINK", "PULSE_SOURCE", "PULSE_COOKIE", "ALSA_CONFIG_PATH", "AUDIODEV"):
        env.pop(name, None)
    log = root / "pulse.log"
    # Root gets a warning ("not intended to be run as root") but a per-user server works; -n: no default.pa.
    command = ["pulseaudio", "--daemonize=no", "--exit-idle-time=-1", "--system=false", "--use-pid-file=no",
               "-n", "-F", str(script), f"--log-target=file:{log}"]
    process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    server = PulseServer(root, process, env)
    end = time.monotonic() + timeout
    while True:
        if not server.running:
            reason = log.read_text(errors="replace").strip() if log.exists() else ""
            server.close()
            raise PulseUnavailable(f"pulseaudio exited with code {process.returncode}: {reason[-1500:]}")
        try:
            info = server.pactl("info", timeout=5)
        except (RuntimeError, subprocess.TimeoutExpired):
            info = ""
        if f"Default Source: {SOURCE}" in info:
            realtime(process.pid)
            return server
        if time.monotonic() > end:
            server.close()
            raise PulseUnavailable(f"pulseaudio did not answer on {socket} within {timeout} s")
        time.sleep(0.1)


def realtime(pid: int) -> None:
    """Give every thread of the server round-robin real-time priority, as a desktop's rtkit gives its sound server
    (root only; elsewhere it runs as it comes), above the lab's and the sound tests' own (./test): a client above
    its server left it no time, and a microphone "sent no sound data". By itself, as root, PulseAudio makes only its
    sinks' threads real-time; its main thread, which starts a loopback and sets its latency, waited behind the rest
    of the machine's work, and a loopback of 40 ms started under load ran 60 to 110 ms late for as long as it lived
    (its rate adjustment is off, :func:`loopback`)."""
    subprocess.run(["chrt", "--all-tasks", "--rr", "--pid", "7", str(pid)], check=False, capture_output=True,
                   timeout=10)


def module_server() -> Iterator[PulseServer]:
    """The body of a module-wide pytest fixture: a private server for the module's tests, closed after them; the
    tests are skipped when PulseAudio cannot start here."""
    import pytest

    try:
        server = start_pulse()
    except PulseUnavailable as error:
        pytest.skip(f"PulseAudio could not start: {error}")
    try:
        yield server
    finally:
        server.close()


ROOM = "ir_room"
"""A second null sink: the room the speakers' sound travels through to the microphone (its monitor)."""


def add_room(server: PulseServer) -> None:
    """Add the room, and make its monitor the default microphone."""
    server.pactl("load-module", "module-null-sink", f"sink_name={ROOM}", f"rate={RATE}", "channels=2")
    server.pactl("set-default-source", f"{ROOM}.monitor")


@contextlib.contextmanager
def loopback(server: PulseServer, latency_ms: int, volume_db: float) -> Iterator[str]:
    """The speakers (:data:`SINK`) heard in the room ``latency_ms`` later, ``volume_db`` quieter, settled before it
    yields the module's index (an echo, as laptop speakers beside the microphone make)."""
    module = server.pactl("load-module", "module-loopback", f"source={SINK}.monitor", f"sink={ROOM}",
                          f"latency_msec={latency_ms}", "adjust_time=0", "source_dont_move=true",
                          "sink_dont_move=true").strip()
    try:
        server.wait_for("sink-inputs", 1)
        [index] = [line.split()[0] for line in server.pactl("list", "short", "sink-inputs").splitlines()]
        server.pactl("set-sink-input-volume", index, f"{volume_db}dB")
        carrying(server, volume_db)
        yield module
    finally:
        server.pactl("unload-module", module)


def _tone(seconds: float, peak_dbfs: float) -> bytes:
    """A 1 kHz tone, stereo 16-bit at :data:`RATE`, as raw bytes to play."""
    import numpy as np

    t = np.arange(int(seconds * RATE)) / RATE
    wave = (10 ** (peak_dbfs / 20) * 32767 * np.sin(2 * np.pi * 1000 * t)).astype("<i2")
    return np.repeat(wave[:, None], 2, axis=1).tobytes()


def heard_peak_dbfs(server: PulseServer, tone_s: float = 0.4, peak_dbfs: float = -6.0) -> float:
    """Play a tone into the speakers (:data:`SINK`) and record the room's monitor meanwhile: the loudest the room
    heard, in dBFS (−120 for silence)."""
    import numpy as np

    recorder = subprocess.Popen(["parec", f"--device={ROOM}.monitor", "--format=s16le", f"--rate={RATE}",
                                 "--channels=2", "--latency-msec=20"], env=server.env, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.2)
        subprocess.run(["pacat", f"--device={SINK}", "--format=s16le", f"--rate={RATE}", "--channels=2"],
                       input=_tone(tone_s, peak_dbfs), env=server.env, timeout=10, check=True,
                       stderr=subprocess.DEVNULL)
        time.sleep(0.3)
    finally:
        recorder.terminate()
        data = recorder.communicate(timeout=10)[0]
    samples = np.frombuffer(data[: len(data) // 2 * 2], "<i2").astype(np.float64)
    peak = float(np.abs(samples).max()) if samples.size else 0.0
    return 20 * np.log10(peak / 32767) if peak > 0 else -120.0


def carrying(server: PulseServer, volume_db: float, timeout: float = 30.0) -> None:
    """Wait until what joins the speakers to the room (a loopback, a sox pipeline) carries sound: a tone played into
    the speakers comes back in the room at ``volume_db`` (within 6 dB). Under load PulseAudio's loopback may start
    late, and a test played into it then found nothing come back; a path that never carries sound fails here,
    saying so."""
    want = -6.0 + volume_db - 6.0
    end = time.monotonic() + timeout
    heard = -120.0
    while time.monotonic() < end:
        heard = heard_peak_dbfs(server)
        if heard >= want:
            return
    raise AssertionError(f"the loopback did not carry sound within {timeout:g} s (heard {heard:.1f} dBFS, "
                         f"want {want:.1f})")
