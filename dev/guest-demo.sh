#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The demo, inside the VM: load an example object with BPF_LOAD_FD.
set -euo pipefail
. "$(dirname "$0")/env.sh"
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
obj=$UBUILD/selftests/loadfd_minimal.bpf.o
echo "\$ bpf-loadfd inspect $obj"
"$UBUILD/bpf-loadfd" inspect "$obj"
echo "\$ bpf-loadfd load $obj"
"$UBUILD/bpf-loadfd" load "$obj" || true
