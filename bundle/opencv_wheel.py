"""The small OpenCV the app bundle ships, built once from the release's own source on PyPI and kept in a cache.

The official ``opencv-python-headless`` wheel is 150 MB installed: every OpenCV module, plus FFmpeg, OpenBLAS and
their codecs, which it links and so always loads. The app uses five modules (core, imgproc, imgcodecs, videoio,
objdetect: pictures, the camera and the face detector) and reads video only as Motion JPEG, which OpenCV decodes
itself. This builds the same release with only those (and what they need), so the bundle is 130 MB smaller.

    python bundle/opencv_wheel.py      prints the wheel's path (building it first if it is not in the cache)

The cache is ``$INTERVIEW_READY_CACHE``, else ``$XDG_CACHE_HOME/interview-ready``, else ``~/.cache/interview-ready``;
a wheel there is named by the release and a digest of the options, so a change of either builds anew. Building
takes about 16 minutes on two cores; it needs a C++ compiler (Debian: ``g++``), and pip fetches CMake and the
build's Python packages. The venv keeps the official wheel: the tests write test videos with its FFmpeg.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

VERSION = "4.14.0.94"  # the official wheel's release (the venv's), so the bundle runs the same OpenCV
SOURCE = ("https://files.pythonhosted.org/packages/67/8a/51ff1c6287be0b6cd3070cf095875da4ff7d6eda38507e6ada5608786a78/"
          f"opencv_python_headless-{VERSION}.tar.gz")
SHA256 = "4afa2ea1214453648be88259f035712454faa9039b686de7753569ba8eec1577"
MODULES = ("core", "imgproc", "imgcodecs", "videoio", "objdetect", "python3", "python_bindings_generator")
OFF = (  # libraries and features the app never uses
    "FFMPEG", "GSTREAMER", "LAPACK", "EIGEN", "IPP", "TBB", "OPENEXR", "TIFF", "WEBP", "JASPER", "OPENJPEG", "AVIF",
    "PROTOBUF", "OPENCL", "VA", "VA_INTEL", "1394", "GPHOTO2", "OBSENSOR", "ITT", "ADE", "QUIRC", "IMGCODEC_HDR",
    "IMGCODEC_SUNRASTER", "IMGCODEC_PXM", "IMGCODEC_PFM",
)
OPTIONS = (
    f"-DBUILD_LIST={','.join(MODULES)}",
    *(f"-DWITH_{name}=OFF" for name in OFF),
    "-DBUILD_OPENEXR=OFF", "-DBUILD_opencv_dnn=OFF", "-DBUILD_opencv_gapi=OFF",
    "-DBUILD_ZLIB=ON", "-DBUILD_PNG=ON", "-DBUILD_JPEG=ON",  # built in: PNG and JPEG (and Motion JPEG video)
    "-DCPU_DISPATCH=SSE4_1;AVX2",  # the baseline stays SSE3 (every 64-bit PC); faster code where the CPU has more
    "-DPYTHON3_LIMITED_API=ON",
)


def cache_dir() -> Path:
    if os.environ.get("INTERVIEW_READY_CACHE"):
        return Path(os.environ["INTERVIEW_READY_CACHE"])
    base = Path(os.environ["XDG_CACHE_HOME"]) if os.environ.get("XDG_CACHE_HOME") else Path.home() / ".cache"
    return base / "interview-ready"


def key() -> str:
    """A digest of what the wheel is built from: release, source and options."""
    return hashlib.sha256("\n".join((VERSION, SHA256, *OPTIONS)).encode()).hexdigest()[:16]


def cached_wheel(folder: Path) -> Path | None:
    """The wheel built for this Python (another Python builds its own beside it)."""
    python = f"cp{sys.version_info.major}{sys.version_info.minor}"
    wheels = sorted(path for path in folder.glob(f"opencv_python_headless-{VERSION}-*.whl")
                    if path.name.split("-")[2] == python or "-abi3-" in path.name)
    return wheels[0] if wheels else None


def download(target: Path) -> None:
    print(f"Downloading the OpenCV {VERSION} source (96 MB)…", file=sys.stderr, flush=True)
    digest = hashlib.sha256()
    try:
        with urllib.request.urlopen(SOURCE, timeout=120) as answer, target.open("wb") as out:
            while chunk := answer.read(1 << 20):
                digest.update(chunk)
                out.write(chunk)
    except OSError as error:  # no network, a proxy refusing, a full disk
        raise SystemExit(f"the OpenCV source could not be downloaded from {SOURCE}: {error}") from None
    if digest.hexdigest() != SHA256:
        raise SystemExit(f"the OpenCV source downloaded from {SOURCE} is not the expected one (SHA-256 differs)")


def build(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="opencv-", dir=folder) as tmp:
        work = Path(tmp)
        source = work / SOURCE.rsplit("/", 1)[1]
        download(source)
        print("Building the small OpenCV for the bundle (once; about 16 minutes on two cores)…", file=sys.stderr,
              flush=True)
        env = {**os.environ, "ENABLE_HEADLESS": "1", "CMAKE_ARGS": " ".join(OPTIONS),
               "CMAKE_BUILD_PARALLEL_LEVEL": str(os.cpu_count() or 2)}
        if shutil.which("ninja"):
            env["CMAKE_GENERATOR"] = "Ninja"
        log = work / "build.log"
        with log.open("w") as out:
            command = [sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "-w", str(work), str(source)]
            done = subprocess.run(command, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
        wheel = cached_wheel(work)
        if done.returncode != 0 or wheel is None:
            print(log.read_text(errors="replace")[-6000:], file=sys.stderr)
            raise SystemExit("building OpenCV failed (its log's end is above)")
        return wheel.replace(folder / wheel.name)  # whole, or not at all: a build cut short leaves nothing behind


def wheel() -> Path:
    folder = cache_dir() / f"opencv-{key()}"
    return cached_wheel(folder) or build(folder)


if __name__ == "__main__":
    print(wheel())
