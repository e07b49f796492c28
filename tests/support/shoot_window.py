"""Pictures of the window for the README, each on a fresh X server (Xvfb with openbox) of a candidate's screen size,
the window opened as a candidate opens it, the whole screen taken with ImageMagick's ``import -window root``:

    .venv/bin/python -m tests.support.shoot_window docs

- ``window-SCREEN-LANG.png``: the demo check done, on the screens of tests/test_window_fits.py, in each language;
- ``window-STATE.png``: each state a candidate meets (tests/support/window_states.py), on a 1366×768 laptop;
- ``window.png``: the demo check done on a 1920×1080 monitor (the window alone).
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.support.window_states import STATES, on_screen
from tests.test_window_fits import SCREENS

LANGUAGES = ("en", "de", "es", "fr")


def _name(screen: str) -> str:
    return screen.replace(" text ", "-text").replace("%", "")


def main(folder: Path) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    failed = 0
    shots: list[tuple[Path, tuple[int, int, int | None], str, list[str]]] = []
    for screen, size in SCREENS.items():
        for lang in LANGUAGES:
            shots.append((folder / f"window-{_name(screen)}-{lang}.png", size, "all-good", ["--lang", lang]))
    for state in STATES:
        shots.append((folder / f"window-{state}.png", (1366, 768, None), state, []))
    for path, (width, height, font_dpi), state, args in shots:
        shown = on_screen(width, height, state, *args, "--root-shot", str(path), font_dpi=font_dpi)
        trouble = shown["clipped"] + shown["out_of_reach"]
        failed += bool(trouble) or not shown.get("root_saved")
        print(path, trouble or "ok")
    shown = on_screen(1920, 1080, "all-good", "--out", str(folder / "window.png"))
    print(folder / "window.png", "ok" if shown.get("saved") else "not saved")
    return int(failed > 0 or not shown.get("saved"))


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs")))
