#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Load-time benchmark, BPF_LOAD_FD against libbpf: builds the kernel and the
# userspace artifacts (dev/build.sh, dev/build-user.sh), runs loadfd_bench in
# the VM (dev/guest-bench.sh) and prints a Markdown report on stdout, also
# kept in $LOADFD_CACHE/bench/last.md (the VM's output in vm.log next to it).
#
#   dev/bench.sh [--no-build] [-- loadfd_bench ARGS...]
#
# e.g. dev/bench.sh --no-build -- -n 5 -M loop1 core_kern
# A benchmark, not a test: nothing is asserted about time. Exit status is
# non-zero if the VM run failed or produced no report; a report in which
# some object could not be measured says so and still counts as a report
# (exit 2).
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$LOADFD_REPO"

build=1
while [ $# -gt 0 ]; do
	case "$1" in
	--no-build) build=0; shift ;;
	--) shift; break ;;
	*) die "usage: dev/bench.sh [--no-build] [-- loadfd_bench ARGS...]" ;;
	esac
done

if [ "$build" = 1 ]; then
	dev/build.sh
	dev/build-user.sh
fi
[ -x "$UBUILD/selftests/loadfd_bench" ] || die "no $UBUILD/selftests/loadfd_bench (run dev/build-user.sh)"

out=$LOADFD_CACHE/bench
mkdir -p "$out"
vmlog=$out/vm.log
log "bench: running loadfd_bench in the VM (its output goes to stderr and $vmlog)"
set +e
dev/vm.sh --timeout 1200 -- dev/guest-bench.sh "$@" 2>&1 | tee "$vmlog" >&2
vmrc=${PIPESTATUS[0]}
set -e

body=$(tr -d '\r' < "$vmlog" |
	sed -n '/^<!-- loadfd-bench begin -->$/,/^<!-- loadfd-bench end/p' |
	grep -v '^<!-- loadfd-bench ' || true)
if [ -z "$body" ]; then
	tail -n 40 "$vmlog" >&2
	die "bench: no report in the VM output (vm.sh exit $vmrc; see $vmlog)"
fi

# vm.sh logs "vm: booting .../bzImage with kvm|tcg"; the last boot is the one
# that ran (a failed KVM boot is retried with TCG).
accel=$(tr -d '\r' < "$vmlog" | sed -n 's/.*vm: booting .* with \(kvm\|tcg\) .*/\1/p' | tail -n 1)
accel=${accel:-${LOADFD_VM_ACCEL:-unknown}}
host_cpus=$(nproc)
host_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
case "$accel" in
tcg) how="under **TCG** (QEMU software emulation, no KVM): every guest instruction, kernel and user, is translated in software, so absolute times are inflated many times over and noisy" ;;
kvm) how="under **KVM**: absolute times still include virtualization overhead" ;;
*) how="with an unknown accelerator (see $vmlog)" ;;
esac
rev=$(git describe --always --dirty 2>/dev/null || echo unknown)

{
	echo "## BPF_LOAD_FD load-time benchmark"
	echo
	echo "> **Only the ratios mean something.** The VM ran $how, with 2 vCPUs on a" \
		"${host_cpus}-core host (${host_model:-?}), and the kernel is a debug build" \
		"(dev/loadfd.config: CONFIG_RUST_OVERFLOW_CHECKS, DEBUG_KERNEL, ...)." \
		"Compare columns within a row, not with numbers from real hardware."
	echo
	echo "- $(date -u '+%Y-%m-%d %H:%M UTC'), repo $rev, VM exit status $vmrc"
	printf '%s\n' "$body"
} > "$out/last.md"
cat "$out/last.md"
log "bench: report saved to $out/last.md"
exit "$vmrc"
