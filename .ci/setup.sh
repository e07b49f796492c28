#!/usr/bin/env bash
# Sets up everything Interview Ready needs, on Debian or Ubuntu: system packages (as root; otherwise the
# exact command is printed), then a virtual environment in .venv with the app installed (for the bundle: .venv-bundle,
# with the small OpenCV it ships, bundle/opencv_wheel.py).
# Usage: .ci/setup.sh run|test|bundle      (used by ./run, ./test, ./build and CI)
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-run}

run_packages=(libportaudio2 libgl1 libegl1 libglib2.0-0 libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libfontconfig1 libdbus-1-3
              libx11-6)  # the screen check reads the X11 display through libX11
test_packages=(pulseaudio pulseaudio-utils libasound2-plugins espeak-ng sox poppler-utils zbar-tools coturn nftables
               iproute2 openssl ethtool php-cli desktop-file-utils shared-mime-info asterisk-core-sounds-en-wav
               alsa-utils xvfb xauth xdotool x11-utils openbox xclip imagemagick libxcb-icccm4 libxcb-keysyms1
               libxcb-image0 libxcb-render-util0 libxcb-shape0 xterm dconf-cli gsettings-desktop-schemas
               libglib2.0-bin
               dbus-x11     # dbus-launch, which D-Bus's autolaunch runs: the kiosk's test shows it starts none
               at-spi2-core dbus-daemon python3-pyatspi  # the screen reader's view: the AT-SPI bus, read by pyatspi
               nginx-light)  # the networkQuality server of tests/test_nq_live.py
bundle_packages=(binutils  # PyInstaller reads the libraries' dependencies with objdump
                 g++ cmake ninja-build nasm)  # the small OpenCV is compiled once (nasm: libjpeg-turbo's fast code)
python=${PYTHON:-python3}
packages=("${run_packages[@]}")
[ "$what" = test ] && packages+=("${test_packages[@]}")
[ "$what" = bundle ] && packages+=("${bundle_packages[@]}")
"$python" -c "import ensurepip" 2>/dev/null || packages+=(python3-venv)

if command -v dpkg >/dev/null 2>&1; then
  missing=()
  for p in "${packages[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
      echo "Installing system packages: ${missing[*]}"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
      echo "Some system packages are missing. Install them with:"
      echo "  sudo apt-get install ${missing[*]}"
      exit 1
    fi
  fi
else
  echo "Not a Debian or Ubuntu system: install PortAudio yourself if the microphone check says it is missing."
fi

venv=.venv
[ "$what" = bundle ] && venv=.venv-bundle  # its own: the tests keep the official OpenCV (they write videos with its FFmpeg)
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
stamp=$venv/.installed-$what
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ bundle/opencv_wheel.py -nt "$stamp" ]; then
  "$venv/bin/python" -m pip install -q --upgrade pip
  if [ "$what" = bundle ]; then  # first, so that the app's own requirement finds OpenCV installed
    opencv=$("$venv/bin/python" bundle/opencv_wheel.py)
    "$venv/bin/python" -m pip install -q --force-reinstall --no-deps "$opencv"  # NumPy comes with the app
  fi
  if [ "$what" = test ] || [ "$what" = bundle ]; then
    "$venv/bin/python" -m pip install -q -e ".[$what]"
  else
    "$venv/bin/python" -m pip install -q -e .
  fi
  touch "$stamp"
fi
# The translations' compiled catalogs (assets/locale/*/LC_MESSAGES/messages.mo, never committed), made again from the
# .po files every time: a .po changed since (a pull, a translator's edit) counts at once. Quick: a second or less.
compiled=$("$venv/bin/pybabel" compile -d assets/locale -D messages 2>&1) || { echo "$compiled"; exit 1; }
