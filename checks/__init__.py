"""Interview Ready's core: the check API, discovery, runner, device sources, analysis and report (no Qt)."""

from importlib import metadata

try:
    __version__ = metadata.version("interview-ready")
except metadata.PackageNotFoundError:  # pragma: no cover - running from a checkout that is not installed
    __version__ = "0.0.0+unknown"

from checks.api import Cancelled, Check, CheckContext, CheckResult, Status

__all__ = ["Cancelled", "Check", "CheckContext", "CheckResult", "Status", "__version__"]
