"""The files each platform needs beside the program, made from the wording (in English) at build time.

Linux: a ``.desktop`` entry (``@BUNDLE@`` stands for the bundle's folder, filled in by ``install-desktop-entry``)
and a shared-mime-info type for ``*.interview.toml`` profiles. macOS: the ``Info.plist`` keys, without which the
system silently denies the camera and the microphone.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from checks.text.wording import say

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


def babel_locale_data() -> set[str]:
    """The CLDR locale files (``babel/locale-data/<name>.dat``) the app's languages need: each language's own and
    its parents' up to ``root``. The other ~1000 (about 30 MB) stay out of the bundle."""
    from babel.core import get_global

    from checks.text.wording import PSEUDO, babel_locale, languages

    needed = {"root"}
    for code in (*languages(), PSEUDO):
        name = str(babel_locale(code))
        while name != "root":
            needed.add(name)
            name = get_global("parent_exceptions").get(name) or (name.rsplit("_", 1)[0] if "_" in name else "root")
    return needed


def keep_data(destination: str) -> bool:
    """Whether a data file the analysis collected goes into the bundle: not Qt's own translations (7 MB; the app
    has its own wording), none of the app's catalogs as they lie in ``assets/locale`` (the ``.po`` files and the
    template translators work on, a ``.mo`` compiled some time before: the spec adds each catalog compiled as the
    build starts), and of Babel's locale data only :func:`babel_locale_data`."""
    path = destination.replace("\\", "/")
    if "Qt/translations/" in path or (path.startswith("assets/locale/") and path.endswith((".po", ".pot", ".mo"))):
        return False
    if "babel/locale-data/" in path:
        return path.rsplit("/", 1)[-1].removesuffix(".dat") in babel_locale_data()
    return True
