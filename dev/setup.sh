#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install everything the build and the VM need. Idempotent: a second run is a
# few seconds of checks.
set -euo pipefail
. "$(dirname "$0")/env.sh"

APT_PKGS=(build-essential flex bison bc libelf-dev libssl-dev dwarves cpio kmod rsync
  python3 python3-venv xz-utils zstd clang-19 lld-19 llvm-19 libclang-19-dev
  rustc-web rust-web-src linux-source-6.12 qemu-system-x86 busybox-static udev bpftool
  libcap-dev pkg-config zlib1g-dev openssl e2fsprogs util-linux
  python3-ply python3-git)  # the last two: checkpatch's spdxcheck.py (dev/check-series.sh)

missing=()
for p in "${APT_PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	log "apt: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

mkdir -p "$LOADFD_CACHE" "$TOOLS"
if ! "$TOOLS/bin/bindgen" --version 2>/dev/null | grep -q "$BINDGEN_VERSION"; then
	log "cargo: installing bindgen-cli $BINDGEN_VERSION"
	cargo install --locked --quiet "bindgen-cli@$BINDGEN_VERSION" --root "$TOOLS"
fi

if ! "$VENV/bin/vng" --version 2>/dev/null | grep -q "$VNG_VERSION"; then
	log "pip: installing virtme-ng $VNG_VERSION"
	python3 -m venv "$VENV"
	"$VENV/bin/pip" install -q "virtme-ng==$VNG_VERSION"
fi
log "setup: ok"
