"""The files each platform needs beside the program, made from ``assets/wording.toml`` at build time.

Linux: a ``.desktop`` entry (``@BUNDLE@`` stands for the bundle's folder, filled in by ``install-desktop-entry``)
and a shared-mime-info type for ``*.interview.toml`` profiles. macOS: the ``Info.plist`` keys, without which the
system silently denies the camera and the microphone.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from checks.wording import say

NAME = "interview-ready"
BUNDLE_ID = "org.interview-ready.app"
PROFILE_MIME = "application/x-interview-ready-profile"
PROFILE_GLOB = "*.interview.toml"
BUNDLE_PLACEHOLDER = "@BUNDLE@"


def desktop_entry() -> str:
    """The freedesktop.org application entry; double-clicking a profile runs ``interview-ready PROFILE``."""
    return "\n".join([
        "[Desktop Entry]",
        "Type=Application",
        f"Name={say('ui.app_name')}",
        f"Comment={say('bundle.comment')}",
        f'Exec="{BUNDLE_PLACEHOLDER}/{NAME}" %f',
        "Icon=camera-web",
        "Terminal=false",
        "Categories=Utility;",
        f"MimeType={PROFILE_MIME};",
        "",
    ])


def mime_xml() -> str:
    """The shared-mime-info type of a recruiter's profile, recognised by its double suffix."""
    return "\n".join([
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<mime-info xmlns="http://www.freedesktop.org/standards/shared-mime-info">',
        f'  <mime-type type="{PROFILE_MIME}">',
        f"    <comment>{escape(say('bundle.profile_type'))}</comment>",
        '    <sub-class-of type="text/plain"/>',
        f'    <glob pattern="{PROFILE_GLOB}" weight="80"/>',
        "  </mime-type>",
        "</mime-info>",
        "",
    ])


def info_plist(version: str) -> dict[str, Any]:
    """The macOS ``Info.plist`` entries PyInstaller adds to the ``.app``."""
    return {
        "CFBundleName": say("ui.app_name"),
        "CFBundleDisplayName": say("ui.app_name"),
        "CFBundleShortVersionString": version,
        "CFBundleVersion": version,
        "NSCameraUsageDescription": say("bundle.camera_usage"),
        "NSMicrophoneUsageDescription": say("bundle.microphone_usage"),
        "NSHighResolutionCapable": True,
        "LSMinimumSystemVersion": "11.0",
        "CFBundleDocumentTypes": [{
            "CFBundleTypeName": say("bundle.profile_type"),
            "CFBundleTypeRole": "Viewer",
            "LSHandlerRank": "Alternate",
            "CFBundleTypeExtensions": ["toml"],
        }],
    }
