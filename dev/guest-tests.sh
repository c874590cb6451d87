#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the VM (dev/vm.sh): every selftest suite, TAP output. Each suite
# announces itself with "# loadfd-suite: NAME" so the host can tell a suite
# that never reported from one that passed.
. "$(dirname "$0")/env.sh"
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
mountpoint -q /sys/kernel/security || mount -t securityfs securityfs /sys/kernel/security
export LOADFD_OBJDIR=$UBUILD/selftests
export LOADFD_SHIM=$UBUILD/bpf-loadfd
export LOADFD_BPFTOOL=$UBUILD/bpftool/bpftool
# The throwaway test CA dev/build.sh built into the kernel (loadfd_policy).
export LOADFD_KEYDIR=$LOADFD_CACHE/keys
# The boot's first kernel_read_file() is a BPF object: LoadPin must not pin
# on it (test_progs loadfd_policy/loadpin_not_pinned reads its report).
"$UBUILD/bpf-loadfd" load "$UBUILD/selftests/loadfd_minimal.bpf.o" >/dev/null 2>&1 || true
# Module kfuncs, ksyms and BTF for the tests that use them (as in BPF CI).
insmod "$UBUILD/bpf_testmod/bpf_testmod.ko" || { echo "# insmod bpf_testmod failed"; exit 1; }
# The kernel log as it happens, on the host (the VM's console is not
# captured): what the kernel said last if the guest dies mid-run.
dmesg -w > "$LOADFD_CACHE/vm/guest-dmesg.log" 2>&1 &
kmemleak=/sys/kernel/debug/kmemleak
# Forget what boot leaked; only what the suites leak counts.
[ -w $kmemleak ] && echo clear > $kmemleak

rc=0
for t in "$UBUILD"/selftests/loadfd_*test; do
	[ -x "$t" ] || continue
	echo "# loadfd-suite: $(basename "$t")"
	"$t" || rc=1
done
# Upstream objects libbpf and BPF_LOAD_FD both load, with identical xlated
# code (dev/corpus.sh; the whole corpus runs on demand only).
echo "# loadfd-suite: corpus_sample"
"$(dirname "$0")/corpus.sh" --guest-sample || rc=1
# prog_tests/loadfd*.c in test_progs, as BPF CI would run them
# (dev/test-progs.sh builds them): loadfd, loadfd_reject, loadfd_truth,
# loadfd_priv, loadfd_hostile, loadfd_syscall, loadfd_core, loadfd_policy
# (serial: IMA, IPE and the BPF-LSM gatekeeper are boot-global; it finds the
# test CA through LOADFD_KEYDIR), loadfd_prog (serial: sched_ext and a
# BPF-LSM policy; it finds scx_simple.bpf.o through LOADFD_OBJDIR and bpftool
# through LOADFD_BPFTOOL). One TAP line per test with its subtest count; the
# Totals line counts subtests (each was one kselftest test before).
# test_progs loads its own bpf_testmod.ko (the module subtests of
# loadfd_core and loadfd_prog need it).
echo "# loadfd-suite: test_progs_loadfd"
tp_dir=$LOADFD_CACHE/test_progs
tp_want="loadfd loadfd_reject loadfd_truth loadfd_priv loadfd_hostile loadfd_syscall loadfd_core
	loadfd_policy loadfd_prog"
tp_out=$(cd "$tp_dir" && ./test_progs -t loadfd 2>&1); tp_rc=$?
printf '%s\n' "$tp_out" | grep -E '^#[0-9]+|FAIL|Summary' | sed 's/^/# /'
tp_sum=$(grep -E '^Summary: ' <<<"$tp_out" | tail -1)
tp_n=0; tp_bad=0; tp_ok=0; tp_ko=0
for t in $tp_want; do
	tp_n=$((tp_n + 1))
	st=$(grep -oE "^#[0-9]+ +$t:[A-Z]+" <<<"$tp_out" | sed 's/.*://' | tail -1)
	ns=$(grep -cE "^#[0-9]+/[0-9]+ +$t/[^ ]+:OK" <<<"$tp_out" || true)
	nf=$(grep -cE "^#[0-9]+/[0-9]+ +$t/[^ ]+:(FAIL|SKIP)" <<<"$tp_out" || true)
	tp_ok=$((tp_ok + ns)); tp_ko=$((tp_ko + nf))
	if [ "$st" = OK ] && [ "$ns" -gt 0 ] && [ "$nf" -eq 0 ]; then
		echo "ok $tp_n test_progs $t: $ns subtests"
	else
		echo "not ok $tp_n test_progs $t: ${st:-not run}, $ns subtests OK, $nf failed or skipped"
		tp_bad=1
	fi
done
if [ "$tp_rc" -eq 0 ] && [ "$tp_bad" -eq 0 ] &&
	[[ "$tp_sum" =~ ([0-9]+)/([0-9]+)\ PASSED,\ ([0-9]+)\ SKIPPED,\ 0\ FAILED ]] &&
	[ "${BASH_REMATCH[3]}" -eq 0 ]; then
	echo "# Totals: pass:${BASH_REMATCH[2]} fail:0 xfail:0 xpass:0 skip:0 error:0"
else
	echo "# test_progs -t loadfd (rc=$tp_rc): $tp_sum"
	echo "# Totals: pass:$tp_ok fail:$(( tp_ko > 0 ? tp_ko : 1 )) xfail:0 xpass:0 skip:0 error:0"
	rc=1
fi
# test_progs unloads the bpf_testmod it loaded.

# Leaks: kmemleak reports objects unreferenced for a few seconds; two scans
# make reports stable. Only reports whose allocation backtrace goes through
# the loader or the bpf syscall count (the rest of the VM is not under test).
echo "# loadfd-suite: kmemleak"
if [ -w $kmemleak ]; then
	sleep 6
	echo scan > $kmemleak
	sleep 2
	echo scan > $kmemleak
	ours=$(awk '/unreferenced object/ { if (b ~ /loadfd|bpf|btf/) { print b; n++ } b = "" }
		{ b = b "\n" $0 }
		END { if (b ~ /loadfd|bpf|btf/) { print b; n++ } }' $kmemleak)
	if [ -n "$ours" ]; then
		printf '%s\n' "$ours" | sed 's/^/# /'
		echo "not ok 1 kmemleak: leaks in loader/bpf code"
		echo "# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0"
		rc=1
	else
		echo "ok 1 kmemleak: no leaks in loader/bpf code ($(grep -c 'unreferenced object' $kmemleak) elsewhere)"
		echo "# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0"
	fi
else
	echo "not ok 1 kmemleak: $kmemleak missing (CONFIG_DEBUG_KMEMLEAK)"
	echo "# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0"
	rc=1
fi
# Any splat fails the run. The lockup detectors print "BUG: soft lockup" and,
# for a hung task, "INFO: task ... blocked for more than N seconds".
dmesg | grep -E 'Oops|BUG:|WARNING: CPU|Kernel panic|Call Trace|soft lockup|hung task|blocked for more than' && rc=1
exit $rc
