#!/usr/bin/env bash
# Build the stand-in image offline, from Debian's packages only (no image registry needed).
#
# Usage: scripts/build-offline-image.sh [IMAGE]   (default: owui-lab/python:offline)
# Then:  export OWUI_LAB_IMAGE=owui-lab/python:offline
#
# Reuses the image when it already exists. Needs root, debootstrap and a running Docker daemon.
set -euo pipefail
image="${1:-owui-lab/python:offline}"
if docker image inspect "$image" >/dev/null 2>&1; then
  echo "image $image already present: reusing it"
  exit 0
fi
command -v debootstrap >/dev/null || { echo "debootstrap is missing: apt-get install -y debootstrap" >&2; exit 1; }
rootfs="$(mktemp -d /tmp/owui-lab-rootfs.XXXXXX)"
trap 'rm -rf "$rootfs"' EXIT
echo "building $image from Debian bookworm packages into $rootfs (about a minute)"
debootstrap --variant=minbase --include=python3-minimal,libpython3.11-stdlib bookworm "$rootfs" >"$rootfs.log" 2>&1 \
  || { echo "debootstrap failed; see $rootfs.log" >&2; trap - EXIT; exit 1; }
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
# Byte-compile the standard library once here, or every stand-in container recompiles its imports.
chroot "$rootfs" python3 -m compileall -q /usr/lib/python3.11 >/dev/null 2>&1 || true
tar -C "$rootfs" -c . | docker import \
  --change 'CMD ["python3"]' \
  --change 'ENV PYTHONUNBUFFERED=1' \
  - "$image" >/dev/null
rm -f "$rootfs.log"
echo "built $image"
