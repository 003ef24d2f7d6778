#!/usr/bin/env bash
# Installs what `make run` (build) or `make test` (test) needs on a Debian
# machine, only what is missing: Debian packages, and Node.js 20+ for the
# test EHR (Debian 12 ships 18; then node@20 comes from the npm registry).
set -euo pipefail
what=${1:?usage: ensure-deps.sh build|test}
cd "$(dirname "$0")/.."

build_pkgs=(gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev)
test_pkgs=(xvfb xauth libgl1-mesa-dri imagemagick libxml2-utils dcmtk dicom3tools poppler-utils x11-xserver-utils chromium)

sudo=""
if [ "$(id -u)" != 0 ]; then sudo=sudo; fi

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

apt_install() {
  local missing=()
  for p in "$@"; do installed "$p" || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
}

if ! command -v go >/dev/null; then
  echo "Go 1.26 is needed on PATH (https://go.dev/dl); Debian's golang-go is too old for this module." >&2
  exit 1
fi

apt_install "${build_pkgs[@]}"
[ "$what" = build ] && exit 0

apt_install "${test_pkgs[@]}"

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  apt_install nodejs npm
fi
if [ "$(node_major)" -lt 20 ]; then
  # The Medplum engine needs Node 20 or newer: take it from the npm registry.
  mkdir -p .cache/node
  npm install --prefix .cache/node --no-audit --no-fund node@20 >&2
fi
