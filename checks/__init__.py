"""Interview Ready's core, without Qt.

- ``api.py``: the check API, what plugin authors import (``from checks.api import Check``);
- ``engine/``: finding checks, running them with deadlines, the registry of devices, the thresholds;
- ``sources/``: the opened camera, microphone and screen, and one recording;
- ``analysis/``: pure analysis of frames, sound and network figures;
- ``netprobe/``: the network probes (STUN, LibreSpeed, speedtest.net, networkQuality, reachability);
- ``builtin/``: the built-in checks;
- ``report/``: the report model, the order of fixes, the guided flow's steps, exports and plots;
- ``storage/``: what is kept on the disk (written whole or not at all);
- ``guard/``: interview mode's judgement and watchers;
- ``config/``: profiles, the network's servers, the kiosk's configuration;
- ``text/``: the wording, the asset files, text from outside made safe.
"""

from importlib import metadata

try:
    __version__ = metadata.version("interview-ready")
except metadata.PackageNotFoundError:  # pragma: no cover - running from a checkout that is not installed
    __version__ = "0.0.0+unknown"

from checks.api import Cancelled, Check, CheckContext, CheckResult, Status

__all__ = ["Cancelled", "Check", "CheckContext", "CheckResult", "Status", "__version__"]
