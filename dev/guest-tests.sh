#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the VM (dev/vm.sh): every selftest suite, TAP output. Each suite
# announces itself with "# loadfd-suite: NAME" so the host can tell a suite
# that never reported from one that passed.
. "$(dirname "$0")/env.sh"
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
export LOADFD_OBJDIR=$UBUILD/selftests
# Module kfuncs, ksyms and BTF for the tests that use them (as in BPF CI).
insmod "$UBUILD/bpf_testmod/bpf_testmod.ko" || { echo "# insmod bpf_testmod failed"; exit 1; }
rc=0
for t in "$UBUILD"/selftests/loadfd_*test; do
	[ -x "$t" ] || continue
	echo "# loadfd-suite: $(basename "$t")"
	"$t" || rc=1
done
dmesg | grep -E 'Oops|BUG:|WARNING: CPU|Kernel panic|Call Trace' && rc=1
exit $rc
