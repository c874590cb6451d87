#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Upstream test_progs tests, run twice in the VM: once as usual (libbpf
# relocates and loads) and once with --kernel-loader (patch 0017: every
# bpf_object goes through BPF_LOAD_FD). On demand, not part of dev/test.sh.
#
#   dev/test-progs.sh [build|run|all] [-t TEST,TEST,...]
#
# build: a trimmed copy of tools/testing/selftests/bpf from the assembled tree
#   ($LOADFD_CACHE/test_progs-src: only the chosen prog_tests/*.c and the
#   progs/*.c their skeletons and bpf_object__open_file()s name), built into
#   $LOADFD_CACHE/test_progs against our vmlinux BTF, with our bpf_testmod.ko.
# run:   boots the VM, runs both ways, writes JSON summaries and logs to
#   $LOADFD_CACHE/vm/test_progs/ and prints the side-by-side table.
# all (default): build, then run.
#
# Takes /tmp/loadfd-kbuild.lock itself while it assembles the tree, snapshots
# it and while the VM runs: do not wrap it in flock. The VM console (kernel
# log included) is kept in $LOADFD_CACHE/vm/test_progs.console.log.
# Results of a run: dev/test-progs-results.md.
set -euo pipefail
. "$(dirname "$0")/env.sh"

# The chosen tests: skeleton users (libbpf skeletons and bpf_object__open_file)
# plus a few light-skeleton ones (marked in the report: a light skeleton
# loads through its own gen_loader program, not through bpf_object__load()).
TESTS_DEFAULT="global_data global_data_init subprogs subprogs_extable core_reloc ksyms ksyms_btf
ksyms_module kfunc_call btf_map_in_map bpf_loop fentry_test fexit_test atomics map_ptr skeleton
tailcalls test_global_funcs perf_event_stackmap ringbuf probe_user trace_printk attach_probe xdp
test_strncmp bpf_cookie task_local_storage dummy_st_ops struct_ops_module global_func_args
rdonly_maps varlen static_linked linked_funcs linked_vars linked_maps core_retro map_init
loadfd loadfd_reject loadfd_truth loadfd_priv loadfd_hostile loadfd_syscall loadfd_core
loadfd_policy loadfd_prog"

# Built (their functions are called by chosen tests: uprobe_multi_func_*,
# stack_mprotect) but not run.
BUILD_ONLY="uprobe_multi_test test_lsm"

SRC=$LOADFD_CACHE/test_progs-src           # shadow tree: tools/ copied, the rest linked
SELF=$SRC/tools/testing/selftests/bpf
OUT=$LOADFD_CACHE/test_progs               # make OUTPUT=
RES=$LOADFD_CACHE/vm/test_progs            # guest writes here (vm.sh --rwdir)
LOCK=/tmp/loadfd-kbuild.lock

mode=all
tests=$TESTS_DEFAULT
while [ $# -gt 0 ]; do
	case "$1" in
	build|run|all) mode=$1; shift ;;
	-t) tests=$(tr ',' ' ' <<<"$2"); shift 2 ;;
	--guest) mode=guest; shift ;;
	*) die "usage: dev/test-progs.sh [build|run|all] [-t TEST,...]" ;;
	esac
done
tests=$(tr -s ' \n' '  ' <<<"$tests" | sed 's/^ //; s/ $//')

# prog_tests/X.c defining test NAME (void test_NAME(void) or serial_test_NAME).
test_file() { # $1 = selftests/bpf dir, $2 = test name
	if [ -f "$1/prog_tests/$2.c" ]; then echo "$2.c"; return; fi
	local f; f=$(cd "$1/prog_tests" && grep -lE "^void (serial_)?test_$2\((void)?\)" ./*.c | head -1)
	[ -n "$f" ] || die "no test $2 in prog_tests/"
	basename "$f"
}

# progs/*.c a prog_tests/*.c needs: "X.skel.h", "X.lskel.h", "X.bpf.o"
# (bpf_object__open_file), "X_" #name ".bpf.o" prefixes (core_reloc's
# btf__core_reloc_*), the parts of linked skeletons, and .c files a prog
# #includes; btf_data.c always (resolve_btfids of test_progs).
deps_of() { # $1 = selftests/bpf dir of the full tree; rest = tests
	local d=$1; shift
	local names=() t n
	local f
	for t in "$@"; do
		f=$(test_file "$d" "$t")
		while read -r n; do names+=("$n"); done < <(
			grep -ohE '"(\./)?[A-Za-z0-9_]+\.(skel\.h|lskel\.h|subskel\.h|bpf\.o)"' "$d/prog_tests/$f" |
				sed -E 's/^"(\.\/)?//; s/\.(skel\.h|lskel\.h|subskel\.h|bpf\.o)"$//'
			grep -ohE '"[A-Za-z0-9_]+_" #' "$d/prog_tests/$f" | sed -E 's/^"//; s/" #$//; s/$/*/')
	done
	names+=(btf_data)
	# The Makefile wants every light skeleton (LSKELS, LSKELS_EXTRA) and
	# every linked skeleton whether a test includes it or not.
	names+=($(awk '/\\$/ { sub(/\\$/, ""); printf "%s", $0; next } { print }' "$d/Makefile" |
		sed -nE 's/^(LSKELS|LSKELS_EXTRA) := //p; s/^LINKED_SKELS := //p' |
		tr ' \t' '\n\n' | sed -nE 's/\.(c|skel\.h)$//p'))
	local linked
	for n in "${names[@]}"; do
		linked=$(sed -n "s/^$n\.skel\.h-deps := //p" "$d/Makefile")
		if [ -n "$linked" ]; then
			for l in $linked; do echo "${l%.bpf.o}"; done
		else
			echo "$n"
		fi
	done | sort -u | while read -r n; do
		for f in "$d"/progs/$n.c; do [ -f "$f" ] && basename "$f"; done
	done > "$OUT/.progs"
	# progs that #include another .c need it too
	(cd "$d/progs" && grep -ohE '#include "[A-Za-z0-9_]+\.c"' $(cat "$OUT/.progs") |
		sed -E 's/.*"(.*)"/\1/' || true) >> "$OUT/.progs"
	sort -u "$OUT/.progs"
}

build() {
	mkdir -p "$SRC/tools" "$OUT"
	local t0 t1 t2
	t0=$(date +%s)
	# Under the kernel-build lock: assemble the tree, snapshot tools/ and the
	# vmlinux BTF, build bpf_testmod.ko against the kernel as it is now.
	# LOADFD_LOCK_HELD=1: the caller (dev/test.sh under flock) holds it.
	exec 9>"$LOCK"
	if [ -z "${LOADFD_LOCK_HELD:-}" ]; then
		log "test_progs: waiting for $LOCK"
		flock 9
	fi
	"$LOADFD_REPO/dev/build.sh" --assemble-only
	[ -f "$KBUILD/vmlinux" ] || die "no $KBUILD/vmlinux (run dev/build.sh)"
	local full=$KSRC/tools/testing/selftests/bpf
	local progs; progs=$(deps_of "$full" $tests $BUILD_ONLY)
	log "test_progs: $(wc -w <<<"$tests") tests, $(wc -l <<<"$progs") BPF programs"
	# Shadow tree: every top-level entry of the kernel tree linked, tools/
	# copied (mtimes kept, so a warm build rebuilds nothing), selftests/bpf
	# trimmed to the chosen tests.
	local e
	for e in "$KSRC"/*; do
		[ "$(basename "$e")" = tools ] || ln -sfn "$e" "$SRC/$(basename "$e")"
	done
	{
		# tests.h is generated in the copy (from its prog_tests/*.c): kept.
		echo "P /testing/selftests/bpf/prog_tests/tests.h"
		echo "H /testing/selftests/bpf/prog_tests/tests.h"
		for t in $tests $BUILD_ONLY; do echo "+ /testing/selftests/bpf/prog_tests/$(test_file "$full" "$t")"; done
		echo "- /testing/selftests/bpf/prog_tests/*.c"
		for p in $progs; do echo "+ /testing/selftests/bpf/progs/$p"; done
		# Generated below, not in the source tree: kept.
		echo "P /testing/selftests/bpf/progs/loadfd_hostile_gen_*.c"
		echo "- /testing/selftests/bpf/progs/*.c"
		echo "- /testing/selftests/bpf/loadfd/"
		echo "- /testing/selftests/bpf/bpf_testmod/*.ko"
		echo "- /testing/selftests/bpf/bpf_testmod/*.o"
		echo "- /testing/selftests/bpf/bpf_testmod/.*.cmd"
		echo "+ /testing/selftests/bpf/"
		echo "+ /testing/selftests/lib.mk"
		echo "- /testing/selftests/*"
		echo "- /perf/"
	} > "$OUT/.filter"
	rsync -a --delete --delete-excluded --filter="merge $OUT/.filter" "$KSRC/tools/" "$SRC/tools/"
	# The hostile objects prog_tests/loadfd_hostile.c loads, generated as
	# loadfd/Makefile does (loadfd/gen/hostile_c.py, its HOSTILE_N_* counts)
	# into progs/, named loadfd_hostile_gen_<kind>.c so that SKEL_BLACKLIST
	# (loadfd_hostile_%) keeps them out of skeletons. Rewritten only when
	# they change: a warm build recompiles nothing.
	local k n
	if grep -qw loadfd_hostile <<<"$tests"; then
		for k in ksyms progs amp; do
			n=$(sed -n "s/^HOSTILE_N_$k := //p" "$full/loadfd/Makefile")
			[ -n "$n" ] || die "no HOSTILE_N_$k in $full/loadfd/Makefile"
			python3 "$full/loadfd/gen/hostile_c.py" "$k" "$n" "$OUT/.hostile_gen.c"
			cmp -s "$OUT/.hostile_gen.c" "$SELF/progs/loadfd_hostile_gen_$k.c" ||
				mv "$OUT/.hostile_gen.c" "$SELF/progs/loadfd_hostile_gen_$k.c"
			rm -f "$OUT/.hostile_gen.c"
		done
	else
		rm -f "$SELF"/progs/loadfd_hostile_gen_*.c
	fi
	# vmlinux BTF only (the selftests' VMLINUX_BTF; bpftool and resolve_btfids
	# read raw BTF); rewritten only when it changed.
	objcopy -O binary --only-section=.BTF "$KBUILD/vmlinux" "$OUT/.vmlinux.btf.tmp"
	if cmp -s "$OUT/.vmlinux.btf.tmp" "$OUT/vmlinux.btf"; then rm -f "$OUT/.vmlinux.btf.tmp"
	else mv "$OUT/.vmlinux.btf.tmp" "$OUT/vmlinux.btf"; fi
	# bpf_testmod.ko, as dev/build-user.sh builds it: module BTF is relative
	# to this vmlinux, so it is rebuilt (cheaply) against every kernel.
	rsync -a --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' --exclude='*.mod*' \
		--exclude=Module.symvers --exclude=modules.order \
		"$SELF/bpf_testmod/" "$OUT/bpf_testmod-build/"
	# kbuild does not relink an external module when only vmlinux changed
	# (its BTF would then be refused: "failed to validate module BTF").
	local btfsum; btfsum=$(sha256sum < "$OUT/vmlinux.btf")
	[ "$(cat "$OUT/bpf_testmod-build/.vmlinux-btf" 2>/dev/null)" = "$btfsum" ] ||
		rm -f "$OUT/bpf_testmod-build/bpf_testmod.ko"
	nice make -s -C "$KSRC" "${KMAKE[@]}" M="$OUT/bpf_testmod-build" -j2 modules
	echo "$btfsum" > "$OUT/bpf_testmod-build/.vmlinux-btf"
	cp -p "$OUT/bpf_testmod-build/bpf_testmod.ko" "$OUT/bpf_testmod.ko"
	[ -n "${LOADFD_LOCK_HELD:-}" ] || flock -u 9
	exec 9>&-
	t1=$(date +%s)
	# test_progs itself, from the snapshot, outside the lock. No LLVM
	# disassembler (Debian's llvm-19-dev has no static libraries). The extra files
	# test_progs copies next to itself: the uprobe targets only (no
	# xdp_synproxy, sign-file or the other test modules).
	log "test_progs: building in $OUT (make -j2)"
	# With OUTPUT outside the source dir, the .d files and the linked-skeleton
	# rules name skeletons and objects relative to OUTPUT: without vpath a
	# rebuild stops at "No rule to make target 'atomics.lskel.h'" and every
	# warm build relinks the linked skeletons and recompiles every test.
	printf '%s\n' 'vpath %.skel.h $(OUTPUT)' 'vpath %.lskel.h $(OUTPUT)' 'vpath %.bpf.o $(OUTPUT)' \
		'$(notdir %.lskel.h): $(OUTPUT)/%.lskel.h' '	@true' > "$OUT/.vpath.mk"
	nice make -s -C "$SELF" -f Makefile -f "$OUT/.vpath.mk" OUTPUT="$OUT" LLVM=-19 VMLINUX_BTF="$OUT/vmlinux.btf" -j2 feature-llvm=0 \
		TRUNNER_EXTRA_FILES="$OUT/urandom_read $OUT/liburandom_read.so $OUT/uprobe_multi" \
		"$OUT/test_progs" 2>&1 | { grep -v 'Circular .* dependency dropped' || true; }
	t2=$(date +%s)
	log "test_progs: snapshot + bpf_testmod $((t1 - t0)) s, test_progs $((t2 - t1)) s, total $((t2 - t0)) s"
	echo "$((t2 - t0))" > "$OUT/.build-seconds"
}

# Inside the VM: both runs, JSON summaries, then -v of the tests that fail
# only with --kernel-loader (their libbpf and verifier lines).
guest() {
	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
	mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
	mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing
	ulimit -l unlimited || true
	# A writable copy: some tests write next to the binary.
	local w=/tmp/test_progs
	rm -rf "$w"; mkdir -p "$w"
	cp -a "$OUT"/test_progs "$OUT"/*.bpf.o "$OUT"/bpf_testmod.ko "$OUT"/urandom_read \
		"$OUT"/liburandom_read.so "$OUT"/uprobe_multi "$w"/
	# core_reloc_btfgen (matched by -t core_reloc) runs ./bpftool gen min_core_btf.
	cp -L "$OUT"/bpftool "$w"/bpftool
	mkdir -p "$RES"
	rm -f "$RES"/*
	cd "$w"
	local list; list=$(tr ' ' ',' <<<"$tests")
	echo "# test_progs: normal"
	local s; s=$(date +%s)
	./test_progs -J "$RES/normal.json" -t "$list" > "$RES/normal.log" 2>&1 || true
	echo "# normal: $(( $(date +%s) - s )) s: $(grep -E '^Summary' "$RES/normal.log" | tr '\n' ' ')"
	echo "# test_progs: --kernel-loader"
	s=$(date +%s)
	./test_progs --kernel-loader -J "$RES/kloader.json" -t "$list" > "$RES/kloader.log" 2>&1 || true
	echo "# kernel-loader: $(( $(date +%s) - s )) s: $(grep -E '^Summary' "$RES/kloader.log" | tr '\n' ' ')"
	# Tests that fail only with --kernel-loader, again with -v.
	local only
	only=$(python3 - "$RES/normal.json" "$RES/kloader.json" <<'EOF'
import json, sys
n = {t["name"]: t for t in json.load(open(sys.argv[1]))["results"]}
k = {t["name"]: t for t in json.load(open(sys.argv[2]))["results"]}
print(",".join(x for x in k if k[x].get("failed") and not n.get(x, {}).get("failed")))
EOF
)
	if [ -n "$only" ]; then
		echo "# test_progs -v --kernel-loader -t $only"
		./test_progs -v --kernel-loader -t "$only" > "$RES/kloader-v.log" 2>&1 || true
	fi
	dmesg > "$RES/dmesg.log"
	dmesg | grep -E 'Oops|BUG:|WARNING: CPU|Kernel panic|soft lockup|blocked for more than' || true
	echo "# test_progs: done"
}

run() {
	[ -x "$OUT/test_progs" ] || die "no $OUT/test_progs (dev/test-progs.sh build)"
	exec 9>"$LOCK"
	log "test_progs: waiting for $LOCK"
	flock 9
	# bpf_testmod.ko's BTF is relative to the vmlinux it was built against.
	objcopy -O binary --only-section=.BTF "$KBUILD/vmlinux" "$OUT/.vmlinux.btf.now"
	cmp -s "$OUT/.vmlinux.btf.now" "$OUT/vmlinux.btf" ||
		die "the kernel changed since test_progs was built: dev/test-progs.sh (build and run)"
	rm -f "$OUT/.vmlinux.btf.now"
	local rc=0
	LOADFD_VM_LOG=$LOADFD_CACHE/vm/test_progs.console.log \
		"$LOADFD_REPO/dev/vm.sh" --verbose --timeout "${LOADFD_TEST_PROGS_TIMEOUT:-5400}" -- \
		"$LOADFD_REPO/dev/test-progs.sh" --guest -t "$(tr ' ' ',' <<<"$tests")" || rc=$?
	flock -u 9
	exec 9>&-
	[ -f "$RES/kloader.json" ] || die "the VM run did not finish (rc $rc): $LOADFD_CACHE/vm/test_progs.console.log"
	python3 "$LOADFD_REPO/dev/test-progs-table.py" "$RES/normal.log" "$RES/kloader.log"
}

case "$mode" in
build) build ;;
run) run ;;
all) build; run ;;
guest) guest ;;
esac
