"""Run-time hook of the Linux bundle: ``sounddevice`` loads the PortAudio library shipped inside the bundle.

sounddevice asks ``ctypes.util.find_library("portaudio")``, which only knows the system's libraries (and on Linux
none is shipped with the wheel), so a computer without libportaudio2 had no microphone. The bundle carries the
library it was built with; this makes the lookup answer with that copy, whatever the system has.
"""

import ctypes.util
import os
import sys

_BUNDLED = os.path.join(getattr(sys, "_MEIPASS", ""), "libportaudio.so.2")

if sys.platform.startswith("linux") and os.path.isfile(_BUNDLED):
    _system_lookup = ctypes.util.find_library

    def _find_library(name: str) -> str | None:
        return _BUNDLED if name == "portaudio" else _system_lookup(name)

    ctypes.util.find_library = _find_library
