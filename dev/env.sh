# SPDX-License-Identifier: GPL-2.0
# Common environment for the dev scripts. Sourced, not executed.
# Everything heavy lives in $LOADFD_CACHE, outside the clone, so a second run
# only rebuilds what changed.

LOADFD_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LOADFD_CACHE=${LOADFD_CACHE:-$HOME/.cache/loadfd}
KSRC_TARBALL=${KSRC_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
KSRC=$LOADFD_CACHE/linux          # assembled source tree (pristine + overlay + patches)
KBUILD=$LOADFD_CACHE/build        # O= build directory
KBACKUP=$LOADFD_CACHE/pristine    # pristine copies of every file we ever touched
TOOLS=$LOADFD_CACHE/tools
VENV=$LOADFD_CACHE/venv
UBUILD=$LOADFD_CACHE/user         # userspace artifacts (selftests, shim, libbpf)
BINDGEN_VERSION=0.71.1
VNG_VERSION=1.42

# Tests and tools that need the kernel tree or vmlinux find them here.
export LOADFD_CACHE LOADFD_KSRC=$KSRC LOADFD_VMLINUX=$KBUILD/vmlinux
export PATH=$VENV/bin:$TOOLS/bin:$PATH
export LIBCLANG_PATH=/usr/lib/llvm-19/lib
KMAKE=(LLVM=-19 RUSTC=/usr/bin/rustc HOSTRUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc
       BINDGEN=$TOOLS/bin/bindgen O="$KBUILD")

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
