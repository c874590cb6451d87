#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install everything, build the patched kernel, boot it in a VM and show
# BPF_LOAD_FD working on an example object through the bpf-loadfd shim.
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$LOADFD_REPO"
dev/setup.sh
dev/build.sh
dev/build-user.sh
dev/test-progs.sh build
dev/vm.sh --timeout 600 -- dev/guest-demo.sh
