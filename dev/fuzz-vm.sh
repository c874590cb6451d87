#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# In-kernel fuzzing of BPF_LOAD_FD, on demand (not in CI). Builds a second
# kernel, dev/loadfd.config + dev/fuzz.config (KASAN, UBSAN, lockdep, KFENCE,
# lockup detectors, kmemleak), in its own directory $LOADFD_CACHE/build-fuzz
# from the same assembled tree; boots it; runs loadfd_fuzz (seeded from the
# selftests' objects, see tools/testing/selftests/bpf/loadfd/loadfd_fuzz.c);
# then scans the kernel log for splats and kmemleak for leaks and prints a
# markdown result table.
#
#   dev/fuzz-vm.sh [--seed S] [--jobs N] [--exclude SUBSTR]... [--weight KB] [--all-seeds]
#                  [--no-build | --build-only] [--kbuild DIR] [EXECUTIONS [SECONDS]]
#
# Under KASAN, lockdep and TCG a few seeds cost seconds per execution: the
# 1-2 MiB cap-sized objects of prog_tests/loadfd_hostile.c (loadfd_gen_*, 17 s per
# BPF_LOAD_FD; that suite covers them) are left out, and the benchmark's
# loop1, loop6 and core_kern get no BPF_PROG_LOAD (seconds of verification).
# --all-seeds keeps them all. The driver's own hostile shapes are small.
# --exclude leaves out the seed objects whose name contains SUBSTR (e.g. to
# keep fuzzing past a known crasher); --weight KB picks seeds with weight
# 1 / (1 + size / KB) rather than uniformly (more executions per hour).
# EXECUTIONS (default 200000) stops the run, or SECONDS (default 3600),
# whichever comes first. --kbuild boots another build (e.g. the normal
# $LOADFD_CACHE/build, for a quick check; implies --no-build). Needs the
# outputs of dev/build.sh, dev/build-user.sh (the seeds and loadfd_fuzz) and
# dev/test-progs.sh build (test_progs, for loadfd_prog/kconfig_published).
# Everything lands in $LOADFD_CACHE/fuzz/<UTC time>/: result.md, driver.log
# (the driver's output), kmsg.log and dmesg.log, kmemleak.log, console.log,
# and mutants/ (the objects of executions that splatted, hung, killed the
# driver or were refused without a reason). To replay execution I:
#
#   dev/vm.sh --kbuild ~/.cache/loadfd/build-fuzz -- \
#       ~/.cache/loadfd/user/selftests/loadfd_fuzz -s SEED -i I -n 1 -v -D /tmp
#
# Exit status: 0 when the run saw no splat, no leak in loader/bpf code, no
# refusal without a log line, and no dead or stuck driver.
set -euo pipefail
. "$(dirname "$0")/env.sh"

FKBUILD=$LOADFD_CACHE/build-fuzz
seed=0x6c6f616466757a7a
jobs=2
build=1
run=1
guest=0
xargs=()
defaults=(-x loadfd_gen_ -P loop1 -P loop6 -P core_kern)
while [ $# -gt 0 ]; do
	case "$1" in
	--seed) seed=$2; shift 2 ;;
	--jobs) jobs=$2; shift 2 ;;
	--exclude) xargs+=(-x "$2"); shift 2 ;;
	--weight) xargs+=(-w "$2"); shift 2 ;;
	--all-seeds) defaults=(); shift ;;
	--no-build) build=0; shift ;;
	--build-only) run=0; shift ;;
	--kbuild) FKBUILD=$2; build=0; shift 2 ;;
	--guest) guest=1; shift ;;
	--) shift; break ;;
	-*) die "unknown option $1" ;;
	*) break ;;
	esac
done
execs=${1:-200000}
secs=${2:-3600}

# ---- in the VM: run the driver, then collect the kernel log and kmemleak ----
if [ "$guest" = 1 ]; then
	gdir=$1 seed=$2 jobs=$3 execs=$4 secs=$5 sel=$6
	shift 6	# the rest goes to the driver
	mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
	uname -r > "$gdir/uname"
	# Warnings and worse on the console (dev/vm.sh --verbose keeps it, with
	# a panic that kmsg.log, written through 9p, loses), and every "exec I"
	# mark the driver writes (-K), not rate-limited.
	echo 5 > /proc/sys/kernel/printk
	echo on > /proc/sys/kernel/printk_devkmsg
	kmemleak=/sys/kernel/debug/kmemleak
	[ -w $kmemleak ] && echo clear > $kmemleak
	# A mutant's map may ask for all memory: charge it to the fuzzer's memcg,
	# so the OOM killer takes a worker (restarted) and not the VM.
	cg=/sys/fs/cgroup
	if { mountpoint -q $cg || mount -t cgroup2 none $cg; } 2>/dev/null &&
		echo +memory > $cg/cgroup.subtree_control 2>/dev/null &&
		mkdir -p $cg/loadfd-fuzz && echo 1G > $cg/loadfd-fuzz/memory.max; then
		echo $$ > $cg/loadfd-fuzz/cgroup.procs
	else
		echo "# no memory cgroup: the fuzzer runs unconfined"
	fi
	# fuzz.config leaves out /proc/config.gz: .kconfig must then resolve
	# no CONFIG_* value (review L4). Only this kernel can show it: test_progs
	# loadfd_prog/kconfig_published, from a directory without bpf_testmod.ko
	# (built for the other kernel, test_progs would load it into this one).
	if (cd "$sel/test_progs" && ./test_progs -t loadfd_prog/kconfig_published -v) \
		>"$gdir/kconfig_published.log" 2>&1; then
		echo pass > "$gdir/kconfig_published"
	else
		echo fail > "$gdir/kconfig_published"
	fi
	# The kernel log as it is written: it survives a guest that dies.
	cat /dev/kmsg > "$gdir/kmsg.log" &
	kpid=$!
	echo "loadfd-fuzz: start seed=$seed" > /dev/kmsg
	rc=0
	"$sel/loadfd_fuzz" -s "$seed" -j "$jobs" -n "$execs" -t "$secs" -K \
		-d "$sel" -D "$gdir/mutants" "$@" 2>&1 | tee "$gdir/driver.log" || rc=$?
	echo "loadfd-fuzz: end rc=$rc" > /dev/kmsg
	# kmemleak reports objects unreferenced for a while; two scans make it
	# stable (as dev/guest-tests.sh does).
	if [ -w $kmemleak ]; then
		sleep 6
		echo scan > $kmemleak
		sleep 2
		echo scan > $kmemleak
		cat $kmemleak > "$gdir/kmemleak.log"
	fi
	dmesg > "$gdir/dmesg.log"
	kill $kpid 2>/dev/null || true
	exit "$rc"
fi

# ---- on the host ----
[ "$jobs" -ge 1 ] 2>/dev/null || die "--jobs wants a number"
FKMAKE=("${KMAKE[@]/#O=*/O=$FKBUILD}")
need_opts=(CONFIG_RUST CONFIG_DEBUG_INFO_BTF CONFIG_BPF_SYSCALL CONFIG_BPF_LOADFD
	CONFIG_KASAN CONFIG_KASAN_GENERIC CONFIG_KASAN_INLINE CONFIG_UBSAN CONFIG_PROVE_LOCKING
	CONFIG_KFENCE CONFIG_SOFTLOCKUP_DETECTOR CONFIG_DETECT_HUNG_TASK CONFIG_DEBUG_KMEMLEAK)

if [ "$build" = 1 ]; then
	# The same tree dev/build.sh assembles; only the O= directory differs.
	"$LOADFD_REPO/dev/build.sh" --assemble-only
	mkdir -p "$FKBUILD"
	cfgstamp=$(cat "$LOADFD_REPO/dev/loadfd.config" "$LOADFD_REPO/dev/fuzz.config" |
		sha256sum | cut -c1-16)
	if [ ! -f "$FKBUILD/.config" ] ||
		[ "$(cat "$FKBUILD/.loadfd-config-stamp" 2>/dev/null)" != "$cfgstamp" ]; then
		log "configuring the fuzz kernel (defconfig + loadfd.config + fuzz.config)"
		(cd "$KSRC" && virtme-configkernel --arch x86_64 --defconfig \
			--custom "$LOADFD_REPO/dev/loadfd.config" \
			--custom "$LOADFD_REPO/dev/fuzz.config" "${FKMAKE[@]}" >/dev/null 2>&1) ||
			die "fuzz kernel configuration failed"
		echo "$cfgstamp" > "$FKBUILD/.loadfd-config-stamp"
	fi
	make -s -C "$KSRC" "${FKMAKE[@]}" olddefconfig
	for opt in "${need_opts[@]}"; do
		grep -q "^$opt=y" "$FKBUILD/.config" ||
			die "$opt is not set in $FKBUILD/.config (a dependency is missing)"
	done
	log "building the fuzz kernel in $FKBUILD (make -j$(nproc) bzImage modules)"
	start=$(date +%s)
	if ! make -s -C "$KSRC" -j"$(nproc)" "${FKMAKE[@]}" bzImage modules 2>&1 |
		{ grep -vE 'die__process_unit: DW_TAG_label|die__process_class: tag not supported|tag__recode_dwarf_type' || true; }; then
		die "fuzz kernel build failed"
	fi
	log "fuzz kernel built in $(( $(date +%s) - start )) s"
fi
[ "$run" = 1 ] || exit 0
xargs=("${defaults[@]}" "${xargs[@]}")
[ -f "$FKBUILD/arch/x86/boot/bzImage" ] || die "no kernel in $FKBUILD (run dev/fuzz-vm.sh without --no-build)"
[ -x "$UBUILD/selftests/loadfd_fuzz" ] || die "no $UBUILD/selftests/loadfd_fuzz (run dev/build-user.sh)"
TP=$LOADFD_CACHE/test_progs
[ -x "$TP/test_progs" ] || die "no $TP/test_progs (run dev/test-progs.sh build)"

# The tree the run started from (the repo may move on during a long run).
gitrev=$(cd "$LOADFD_REPO" && git rev-parse --short HEAD)
git -C "$LOADFD_REPO" diff --quiet HEAD -- dev kernel include patches 2>/dev/null ||
	gitrev="$gitrev+changes"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
gdir=$LOADFD_CACHE/vm/fuzz-$stamp	# the guest writes only under dev/vm.sh's --rwdir
out=$LOADFD_CACHE/fuzz/$stamp
mkdir -p "$gdir/mutants" "$LOADFD_CACHE/fuzz"
# A run takes hours: it uses its own copy of the selftests build (driver,
# seeds), so dev/build-user.sh may rebuild meanwhile.
sel=$gdir/selftests
cp -a "$UBUILD/selftests" "$sel"
# test_progs and the two objects of loadfd_prog/kconfig_published, not
# bpf_testmod.ko (see the guest part).
mkdir "$sel/test_progs"
cp -a "$TP/test_progs" "$TP/loadfd_kconfig_weak.bpf.o" "$TP/loadfd_kconfig_str.bpf.o" \
	"$sel/test_progs/"
log "fuzzing: seed $seed, $jobs workers, $execs executions or $secs s; results in $out"
rc=0
# The kernel console in console.log: it keeps a panic, which kmsg.log
# (written through 9p by the guest, cached) loses. 4-level paging: under
# TCG's la57 CPU one boot in four of the KASAN kernel died before init
# (KASAN wild-memory-access in an interrupt during identify_cpu()).
append=(--verbose --append no5lvl)
# Every KASAN report, not only the first.
grep -q '^CONFIG_KASAN=y' "$FKBUILD/.config" && append+=(--append kasan_multi_shot)
# The boot, kmemleak scans and the kernel's own slowness under KASAN and TCG
# need time beyond the run.
LOADFD_VM_LOG=$LOADFD_CACHE/vm/fuzz-$stamp.console.log \
	"$LOADFD_REPO/dev/vm.sh" --kbuild "$FKBUILD" --timeout $((secs + 1800)) "${append[@]}" -- \
	"$LOADFD_REPO/dev/fuzz-vm.sh" --guest "$gdir" "$seed" "$jobs" "$execs" "$secs" "$sel" "${xargs[@]}" ||
	rc=$?
mv "$LOADFD_CACHE/vm/fuzz-$stamp.console.log" "$gdir/console.log"
rm -rf "$sel"
mv "$gdir" "$out"

# ---- the verdict ----
# The streamed log is complete unless the guest died (then the console has
# the end); dmesg.log may have wrapped.
kern=$out/kmsg.log
grep -q 'loadfd-fuzz: end' "$kern" 2>/dev/null || kern=$out/console.log
# One count per report: its header line. A stack dump with no header nearby
# (dump_stack(), e.g. sysfs on a duplicate name) counts too; an OOM kill's
# is counted apart (the dead worker is already a failure).
splat_re='BUG: |WARNING: |UBSAN: |KASAN: |KFENCE: |kernel BUG at|general protection fault|Oops|soft lockup|blocked for more than|page allocation failure|self-detected stall|detected stalls|inconsistent lock state|possible recursive locking|possible circular locking|refcount_t: |list_add corruption|list_del corruption|Kernel panic'
# Each report names the executions each worker had started last (-K marks).
scan() { # $1 = 1: after the start marker (the run), 0: before (boot)
	awk -v want="$1" -v re="$splat_re" '
		function at() { s = ""; for (w in ex) s = s " " ex[w] "/w" w; return s ? " [after exec" s "]" : "" }
		/loadfd-fuzz: start/ { on = 1; next }
		/loadfd-fuzz: exec [0-9]+ worker/ { ex[$NF] = $(NF - 2); next }
		/invoked oom-killer/ { oom = 1 }
		/Killed process|oom_reaper/ { oom = 0 }
		$0 ~ re { last = NR; if (on == want) print $0 at(); next }
		/Call Trace:/ && !oom && (last == 0 || NR - last > 60) {
			last = NR; if (on == want) print "stack dump without a header: line " NR at()
		}' "$kern" | sed -E 's/^[0-9]+,[0-9]+,[0-9]+,[^;]*;//; s/^\[ *[0-9.]+\] //'
}
splats=$(scan 1)
boot_splats=$(scan 0)
nsplats=$(grep -c . <<<"$splats" || true)
nboot=$(grep -c . <<<"$boot_splats" || true)
ooms=$(grep -c 'invoked oom-killer' "$kern" || true)
# A guest that died: the last executions it started.
lastex=$(grep -aoE 'loadfd-fuzz: exec [0-9]+ worker [0-9]+' "$kern" 2>/dev/null |
	awk '{ ex[$NF] = $3 } END { for (w in ex) { printf "%s exec %s (worker %s)", sep, ex[w], w; sep = "," } }' || true)
features=$(for o in KASAN UBSAN PROVE_LOCKING KFENCE SOFTLOCKUP_DETECTOR DETECT_HUNG_TASK DEBUG_KMEMLEAK; do
	grep -q "^CONFIG_$o=y" "$FKBUILD/.config" && printf '%s ' "$o"; done)

leaks=-
if [ -f "$out/kmemleak.log" ]; then
	ours=$(awk '/unreferenced object/ { if (b ~ /loadfd|bpf|btf/) { print b; n++ } b = "" }
		{ b = b "\n" $0 }
		END { if (b ~ /loadfd|bpf|btf/) print b }' "$out/kmemleak.log")
	leaks=$(grep -c 'unreferenced object' <<<"$ours" || true)
	other=$(grep -c 'unreferenced object' "$out/kmemleak.log" || true)
	[ -n "$ours" ] && printf '%s\n' "$ours" > "$out/leaks.log"
fi

res=$(grep -a '^FUZZ-RESULT' "$out/driver.log" 2>/dev/null | tail -n 1 || true)
field() { sed -nE "s/.* $1=([^ ]*).*/\1/p" <<<"$res"; }
kver=$(cat "$out/uname" 2>/dev/null || echo "?")
empty=$(( $(field load_empty_log || echo 0) + 0 ))
{
	echo "| date | kernel | seed | executions | exec/s | BPF_LOAD_FD: loader objects; errnos | BPF_PROG_LOAD by name: loaded / tried; errnos | splats | leaks (loader/bpf) | empty-log rejections | driver deaths / hangs |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|"
	printf '| %s | %s (%s; %s workers), tree %s | %s | %s | %s | %s; %s | %s / %s; %s | %s | %s | %s (PROG_LOAD: %s) | %s / %s |\n' \
		"$(date -u +%F)" "$kver" "${features% }" "$jobs" "$gitrev" "$(field seed)" "$(field executions)" \
		"$(field exec_per_s)" "$(field loaded)" "$(field load_errnos | sed 's/,/, /g')" \
		"$(field prog_ok)" "$(field prog_tries)" "$(field prog_errnos | sed 's/,/, /g')" \
		"$nsplats" "$leaks" "$empty" "$(field prog_empty_log)" "$(field deaths)" "$(field hangs)"
	echo
	[ -n "$res" ] || echo "The driver printed no FUZZ-RESULT line (guest exit $rc; last started:$lastex): see $out/console.log."
	[ "$nsplats" = 0 ] || { echo "Splats during the run:"; echo '```'; printf '%s\n' "$splats" | head -n 40; echo '```'; }
	[ "$nboot" = 0 ] || echo "Splats while booting (before the fuzzer started, not counted): $nboot; see $kern."
	# The loader and map creation should say ENOMEM rather than invoke the OOM killer.
	[ "$ooms" = 0 ] || echo "memcg OOM kills (worker deaths; the 1 GiB cgroup ran out): $ooms."
	[ "$leaks" = - ] || echo "kmemleak: $leaks leaks in loader/bpf code, $((other - leaks)) elsewhere."
	[ ${#xargs[@]} = 0 ] || echo "Driver options: ${xargs[*]} (-x: seeds left out, -P: seeds without BPF_PROG_LOAD, -w: size weighting)."
	echo "Undocumented errnos from BPF_LOAD_FD: $(field undocumented). Driver output: $out/driver.log."
	echo "test_progs loadfd_prog/kconfig_published on this kernel (no /proc/config.gz): $(cat "$out/kconfig_published" 2>/dev/null || echo "not run") ($out/kconfig_published.log)."
} > "$out/result.md"
cat "$out/result.md"
[ -n "$res" ] && [ "$nsplats" = 0 ] && [ "$leaks" = 0 ] && [ "$empty" = 0 ] &&
	[ "$(cat "$out/kconfig_published" 2>/dev/null)" = pass ] &&
	[ "$(field deaths)" = 0 ] && [ "$(field hangs)" = 0 ]
