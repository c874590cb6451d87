#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the VM (dev/vm.sh): the load-time benchmark loadfd_bench. Its
# Markdown goes between the lines "<!-- loadfd-bench begin -->" and
# "<!-- loadfd-bench end rc=N -->", which dev/bench.sh extracts. Arguments are
# passed to loadfd_bench (see the top of loadfd_bench.c).
. "$(dirname "$0")/env.sh"
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
export LOADFD_OBJDIR=$UBUILD/selftests
bench=$UBUILD/selftests/loadfd_bench
[ -x "$bench" ] || { echo "# $bench missing (run dev/build-user.sh)"; exit 1; }

# The same modules as dev/guest-tests.sh: objects with module ksyms or kfuncs
# need bpf_testmod, and CO-RE candidates are searched in module BTF too (by
# libbpf and by the kernel alike; core_kern has a relocation that resolves
# only with it), so both loaders see the kernel the selftests ran on.
testmod=loaded
if ! grep -q '^bpf_testmod ' /proc/modules; then
	insmod "$UBUILD/bpf_testmod/bpf_testmod.ko" || testmod="NOT loaded (insmod failed)"
fi

slab_kb() { awk '/^Slab:/ { print $2 }' /proc/meminfo; }

# kmemleak (CONFIG_DEBUG_KMEMLEAK, for the selftests' leak check) tracks every
# kernel allocation: it would slow the in-kernel loader (not libbpf's
# userspace allocations) and add its metadata to Slab. This VM only
# benchmarks: turn it off for good, then wait until freeing its metadata has
# stopped moving Slab (under 1% per 2 s), so the memory numbers start quiet.
kml=/sys/kernel/debug/kmemleak
kmemleak="not built in"
if [ -e $kml ]; then
	if echo off > $kml 2>/dev/null; then
		kmemleak="turned off before measuring"
		prev=$(slab_kb)
		for _ in $(seq 30); do
			sleep 2
			cur=$(slab_kb)
			d=$((prev - cur))
			[ "${d#-}" -le $((prev / 100)) ] && break
			prev=$cur
		done
	else
		kmemleak="ON (could not turn it off: slower kernel allocations, larger Slab)"
	fi
fi

echo "<!-- loadfd-bench begin -->"
echo "- bpf_testmod $testmod; kmemleak $kmemleak;" \
	"bpf_jit_enable=$(cat /proc/sys/net/core/bpf_jit_enable 2>/dev/null || echo '?')"
"$bench" "$@"
rc=$?
echo "<!-- loadfd-bench end rc=$rc -->"
if dmesg | grep -E 'Oops|BUG:|WARNING: CPU|Kernel panic|Call Trace'; then
	echo "# kernel warnings during the benchmark (above)"
	rc=1
fi
exit $rc
