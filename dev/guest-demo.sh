#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The demo, inside the VM: an execve counter loaded from its ELF file by the
# kernel (BPF_LOAD_FD), loaded by name (BPF_PROG_LOAD), attached, counting.
set -euo pipefail
. "$(dirname "$0")/env.sh"
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing
shim=$UBUILD/bpf-loadfd
obj=$UBUILD/selftests/loadfd_execve.bpf.o
run() { printf '\n$ %s\n' "$*"; "$@"; }

run "$shim" inspect "$obj"
run "$shim" load "$obj"
# --maps pins the maps the kernel created (opened by name through the loader
# fd, BPF_LOAD_FD_MAP_GET_FD: CAP_BPF is enough) at /sys/fs/bpf/demo/maps/.
mkdir -p /sys/fs/bpf/demo
run "$shim" attach "$obj" count_execve --pin /sys/fs/bpf/demo/loadfd_execve --maps
for i in 1 2 3 4 5; do /bin/true; done
echo "(ran /bin/true 5 times)"
run bpftool map dump pinned /sys/fs/bpf/demo/maps/execve_count
count=$(bpftool -j map dump pinned /sys/fs/bpf/demo/maps/execve_count |
	grep -o '"value": *[0-9]*' | grep -o '[0-9]*$' | head -1)
rm -r /sys/fs/bpf/demo
if [ "${count:-0}" -ge 5 ]; then
	echo "demo: OK, the loader-built program counted $count execve calls"
else
	echo "demo: FAILED, expected at least 5 execve calls, map says '${count:-?}'"
	exit 1
fi

# Why it exists: a policy decides on the file. A BPF-LSM gatekeeper (itself
# loaded through BPF_LOAD_FD) allows BPF_LOAD_FD only of fs-verity files whose
# digest it knows, and BPF_PROG_LOAD only by name from a loader object.
echo
echo "# Only vetted objects run (tools/testing/selftests/bpf/progs/loadfd_gatekeeper.c):"
# (prog_tests/loadfd_policy.c, in the test_progs dev/test-progs.sh builds.)
export LOADFD_OBJDIR=$UBUILD/selftests LOADFD_KEYDIR=$LOADFD_CACHE/keys
mountpoint -q /sys/kernel/security || mount -t securityfs securityfs /sys/kernel/security
if ! out=$(cd "$LOADFD_CACHE/test_progs" &&
	./test_progs -v -t loadfd_policy/vetted_loads,loadfd_policy/unvetted_refused 2>&1); then
	printf '%s\n' "$out" | tail -30
	echo "demo: FAILED, the policy subtests did not pass"
	exit 1
fi
printf '%s\n' "$out" | grep -E 'vetted|refused|OK$|Summary'
echo "demo: OK, the vetted object loaded and the unvetted copy was refused"
