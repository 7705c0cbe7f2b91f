#!/usr/bin/env bash
# Install the system libraries Qt (PySide6) and OpenCV need on Debian/Ubuntu, plus Xvfb
# for tests of the real window. As root it runs apt-get; otherwise it prints the exact
# apt-get line and fails, so `make` stops with instructions instead of a Qt crash later.
set -euo pipefail

PACKAGES=(
  libegl1 libgl1 libglib2.0-0 libfontconfig1 libdbus-1-3 libxkbcommon0
  libxkbcommon-x11-0 libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1
  libxcb-shape0 libxcb-randr0 libxcb-render-util0 libxcb-image0 libxcb-xinerama0
  libxcb-xkb1 fonts-dejavu-core xvfb xauth
)
PYTHON="${1:-python3}"
if ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
  PACKAGES+=(python3-venv)
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "system-deps: not a Debian/Ubuntu system; install Qt 6's xcb and EGL libraries yourself" >&2
  exit 0
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -eq 0 ]]; then
  echo "system-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "system-deps: missing system libraries. Install them with:" >&2
  echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
