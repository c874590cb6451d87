#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boot the built kernel with virtme-ng and run a command inside it.
#
#   dev/vm.sh [--timeout SECONDS] [--kbuild DIR] [--append ARG]... [--verbose]
#             [--shell] [-- COMMAND...]
#
# --kbuild boots the kernel built in DIR instead of $KBUILD (dev/fuzz-vm.sh
# keeps its KASAN kernel in its own build directory); --append adds a kernel
# command-line argument; --verbose shows the kernel console (a panic too).
#
# Exit status is the guest command's. The console output is shown and kept in
# $LOADFD_CACHE/vm/last.log. KVM is used only where it really works: /dev/kvm
# with kvm_intel or kvm_amd loaded (a PVM host's /dev/kvm cannot boot a stock
# kernel) and a boot that does not die in QEMU's KVM setup; otherwise TCG.
# LOADFD_VM_ACCEL=kvm|tcg forces the choice.
set -euo pipefail
. "$(dirname "$0")/env.sh"

timeout_s=600
shell=0
append=()
while [ $# -gt 0 ]; do
	case "$1" in
	--timeout) timeout_s=$2; shift 2 ;;
	--kbuild) KBUILD=$2; shift 2 ;;
	--append) append+=(--append "$2"); shift 2 ;;
	--verbose) append+=(--verbose); shift ;;
	--shell) shell=1; shift ;;
	--) shift; break ;;
	*) break ;;
	esac
done
[ -f "$KBUILD/arch/x86/boot/bzImage" ] || die "no kernel at $KBUILD (run dev/build.sh)"

accel=${LOADFD_VM_ACCEL:-}
if [ -z "$accel" ]; then
	accel=tcg
	if [ -w /dev/kvm ] && { [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; }; then
		accel=kvm
	fi
fi

mkdir -p "$LOADFD_CACHE/vm"
# LOADFD_VM_LOG: another console log (a long run beside short ones).
logf=${LOADFD_VM_LOG:-$LOADFD_CACHE/vm/last.log}
vng_args=(--run "$KBUILD" --memory 2G --cpus 2 --cwd "$LOADFD_REPO"
	--rwdir "$LOADFD_CACHE/vm" "${append[@]}")

run_vng() { # $1 = accel; rest = extra vng args
	local a=$1; shift
	local extra=()
	# Single-threaded TCG: with one host thread per vCPU, QEMU let a vCPU run
	# a text-poke INT3 after the patching ended (Oops: int3 at a static-branch
	# site when sched_ext flips its keys); LOADFD_VM_MTTCG=1 restores it.
	[ "$a" = tcg ] && extra=(--disable-kvm)
	[ "$a" = tcg ] && [ -z "${LOADFD_VM_MTTCG:-}" ] && extra+=("--qemu-opts=-accel tcg,thread=single")
	log "vm: booting $(basename "$KBUILD")/bzImage with $a (timeout ${timeout_s}s)"
	# QEMU truncates a file it gets as stdout; always go through a pipe.
	set +e
	timeout --foreground -k 10 "$timeout_s" vng "${vng_args[@]}" "${extra[@]}" "$@" </dev/null 2>&1 |
		tee "$logf"
	local rc=${PIPESTATUS[0]}
	set -e
	[ "$rc" -eq 124 ] && log "vm: timed out after ${timeout_s}s"
	return "$rc"
}

if [ "$shell" = 1 ]; then
	extra=()
	[ "$accel" = tcg ] && extra=(--disable-kvm)
	exec vng "${vng_args[@]}" "${extra[@]}"
fi
[ $# -gt 0 ] || die "usage: dev/vm.sh [--timeout S] -- COMMAND..."
# The guest shares the host's root; give it the same cache location.
cmd=$(printf '%q ' env "LOADFD_CACHE=$LOADFD_CACHE" "$@")

rc=0
run_vng "$accel" --exec "$cmd" || rc=$?
if [ "$accel" = kvm ] && [ "$rc" -ne 0 ] && grep -qiE 'kvm|failed to set MSR' "$logf" &&
	! grep -q 'virtme-ng-init' "$logf"; then
	log "vm: KVM boot failed before the guest started; retrying with TCG"
	rc=0
	run_vng tcg --exec "$cmd" || rc=$?
fi
exit "$rc"
