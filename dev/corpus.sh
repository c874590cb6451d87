#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Corpus-wide differential of BPF_LOAD_FD against libbpf, on demand (not in
# CI, except the fixed sample, see --guest-sample).
#
#   dev/corpus.sh [--jobs N] [--timeout S] [--match REGEX] [--list FILE]
#                 [--limit N] [--vmlinux-h FILE] [--no-prog-fallback]
#                 [--build-only] [--no-results]
#   dev/corpus.sh --sample          build the sample, boot the VM, run it
#   dev/corpus.sh --build-sample    only build the sample and the driver (test.sh)
#   dev/corpus.sh --guest-sample    in the VM: the sample, TAP (guest-tests.sh)
#
# 1. Compiles every tools/testing/selftests/bpf/progs/*.c of the 6.12 tree
#    (not the series' own loadfd_*.c) and tools/sched_ext/*.bpf.c with the
#    selftests' own flags (BPF_CFLAGS, CLANG_CFLAGS, -DENABLE_ATOMICS_TESTS,
#    the per-file -CFLAGS, -O2 --target=bpf -mcpu=v3) against a vmlinux.h
#    from our vmlinux. Objects that do not compile are counted, not fatal.
#    Objects are cached in $LOADFD_CACHE/corpus/obj/<digest of every input
#    but the source>/, each with its source's sha256, so a second run
#    compiles nothing.
# 2. Builds the driver (tools/testing/selftests/bpf/loadfd/loadfd_corpus.c)
#    against the libbpf that dev/build-user.sh built for the selftests (it
#    has bpf_load_fd()), boots the VM with bpf_testmod.ko and runs it on
#    every object: plain libbpf, then BPF_LOAD_FD + BPF_PROG_LOAD by name,
#    xlated instructions compared (see the driver's header).
# 3. Writes dev/corpus-results.md from the run's results.tsv (kept with the
#    console log in $LOADFD_CACHE/corpus/runs/<UTC time>/).
#
# The kernel build lock (/tmp/loadfd-kbuild.lock) is held while vmlinux.h is
# generated and until the guest has booted and loaded bpf_testmod.ko: never
# a half-linked kernel or a module built for another vmlinux.
set -euo pipefail
. "$(dirname "$0")/env.sh"

CDIR=$LOADFD_CACHE/corpus
LOCK=/tmp/loadfd-kbuild.lock
SAMPLE=$LOADFD_REPO/dev/corpus-sample.txt
SELF=$KSRC/tools/testing/selftests/bpf
SCX=$KSRC/tools/sched_ext
DRIVER_SRC=$LOADFD_REPO/tools/testing/selftests/bpf/loadfd/loadfd_corpus.c
DRIVER=$CDIR/loadfd_corpus

mode=full
jobs=2
timeout_s=180
match=
list=
limit=0
vmlinux_h=
fallback=-P
results=1
while [ $# -gt 0 ]; do
	case "$1" in
	--sample) mode=sample; shift ;;
	--build-sample) mode=build-sample; shift ;;
	--guest-sample) mode=guest-sample; shift ;;
	--guest-run) mode=guest; shift; break ;;
	--build-only) mode=build; shift ;;
	--jobs) jobs=$2; shift 2 ;;
	--timeout) timeout_s=$2; shift 2 ;;
	--match) match=$2; shift 2 ;;
	--list) list=$2; shift 2 ;;
	--limit) limit=$2; shift 2 ;;
	--vmlinux-h) vmlinux_h=$(realpath "$2"); shift 2 ;;
	--no-prog-fallback) fallback=; shift ;;
	--no-results) results=0; shift ;;
	*) die "unknown option $1 (see the header of $0)" ;;
	esac
done

# Headers (vmlinux.h, libbpf's): the sample's own, so that dev/test.sh never
# rewrites them under a full run's compile.
INC=$CDIR/include
if [ "$mode" = build-sample ]; then
	INC=$CDIR/sample/include
	[ -n "$vmlinux_h" ] || vmlinux_h=$UBUILD/selftests/include/vmlinux.h
fi

sample_names() { sed -e 's/#.*//' -e 's/[[:space:]]//g' "$SAMPLE" | grep -v '^$'; }

# ---- in the VM ----

guest_setup() {
	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
	mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
	# Module kfuncs, ksyms, BTF and struct_ops for the objects that use them.
	grep -q '^bpf_testmod ' /proc/modules || insmod "$1"
}

if [ "$mode" = guest ]; then
	# dev/corpus.sh --guest-run RUNDIR MODULE DRIVER-ARGS...: the driver's
	# output goes to the host through RUNDIR (vm.out has its progress).
	gdir=$1 module=$2
	shift 2
	guest_setup "$module" || { echo "# insmod $module failed"; touch "$gdir/booted"; exit 1; }
	uname -r > "$gdir/uname"
	touch "$gdir/booted"	# the host may release the build lock now
	rc=0
	"$gdir/loadfd_corpus" "$@" || rc=$?
	dmesg > "$gdir/dmesg.log"
	echo "driver exit $rc" > "$gdir/done"
	exit "$rc"
fi

if [ "$mode" = guest-sample ]; then
	# What guest-tests.sh runs: the objects dev/corpus.sh --build-sample
	# compiled, both ways, identical xlated or "not ok".
	guest_setup "$UBUILD/bpf_testmod/bpf_testmod.ko"
	dir=$CDIR/sample
	[ -x "$dir/loadfd_corpus" ] || { echo "not ok 1 corpus sample: not built (dev/corpus.sh --build-sample)"
		echo "# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0"; exit 1; }
	exec "$dir/loadfd_corpus" -s -t 120 -l "$dir/objects.txt"
fi

# ---- on the host: compile ----

# The selftests' flags (tools/testing/selftests/bpf/Makefile): BPF_CFLAGS,
# CLANG_CFLAGS (clang's own system includes, -idirafter), test_progs'
# -DENABLE_ATOMICS_TESTS, CLANG_BPF_BUILD_RULE's -O2 --target=bpf -mcpu=v3.
# $(OUTPUT)/../usr/include (installed uapi headers) is the build's usr/include.
CLANG=clang-19
sys_inc=$($CLANG -v -E - </dev/null 2>&1 |
	sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')
# shellcheck disable=SC2206
SELF_FLAGS=(-g -Wall -Werror -D__TARGET_ARCH_x86 -mlittle-endian -I"$INC" -I"$SELF"
	-I"$KSRC/tools/include/uapi" -I"$KBUILD/usr/include" -Wno-compare-distinct-pointer-types
	$sys_inc -DENABLE_ATOMICS_TESTS -O2 --target=bpf -mcpu=v3)
# tools/sched_ext/Makefile's BPF_CFLAGS.
# shellcheck disable=SC2206
SCX_FLAGS=(-g -D__TARGET_ARCH_x86 -mlittle-endian -I"$SCX/include" -I"$SCX/include/bpf-compat"
	-I"$INC" -I"$KSRC/tools/include/uapi" -I"$KSRC/include" $sys_inc -Wall
	-Wno-compare-distinct-pointer-types -O2 -mcpu=v3 --target=bpf)

make_headers() { # vmlinux.h from our vmlinux, libbpf's headers as the selftests have them
	mkdir -p "$INC/bpf"
	[ -f "$UBUILD/selftests/include/bpf/bpf_helper_defs.h" ] ||
		die "no $UBUILD/selftests/include/bpf: run dev/build-user.sh"
	rsync -a --checksum "$UBUILD/selftests/include/bpf/" "$INC/bpf/"
	if [ -n "$vmlinux_h" ]; then
		cmp -s "$vmlinux_h" "$INC/vmlinux.h" || cp "$vmlinux_h" "$INC/vmlinux.h"
	else
		# Under the build lock: vmlinux is never read half-linked.
		flock -w 3600 "$LOCK" bpftool btf dump file "$KBUILD/vmlinux" format c > "$INC/vmlinux.h.tmp"
		if cmp -s "$INC/vmlinux.h.tmp" "$INC/vmlinux.h"; then
			rm "$INC/vmlinux.h.tmp"
		else
			mv "$INC/vmlinux.h.tmp" "$INC/vmlinux.h"
		fi
	fi
}

inputs_digest() { # everything an object depends on except its own source
	{
		$CLANG --version
		printf '%s\n' "${SELF_FLAGS[@]}" "${SCX_FLAGS[@]}"
		grep -E '^progs/[a-z0-9_]+\.c-CFLAGS' "$SELF/Makefile" || true
		cat "$INC/vmlinux.h" "$INC"/bpf/*.h "$SELF"/*.h "$SELF"/progs/*.h \
			"$SELF"/bpf_testmod/*.h "$SCX"/include/scx/*.h "$SCX"/include/bpf-compat/gnu/stubs.h
	} | sha256sum | cut -c1-16
}

# The sources: name<TAB>path; the series' own loadfd_*.c are not upstream's.
sources() {
	local f
	for f in "$SELF"/progs/*.c; do
		case "$(basename "$f")" in loadfd_*) continue ;; esac
		printf '%s\t%s\n' "$(basename "$f" .c)" "$f"
	done
	for f in "$SCX"/*.bpf.c; do
		[ -f "$f" ] && printf '%s\t%s\n' "$(basename "$f" .bpf.c)" "$f"
	done
}

select_sources() { # the sources, narrowed by --sample/--list/--match/--limit
	local all
	all=$(sources)
	if [ "$mode" = sample ] || [ "$mode" = build-sample ]; then
		all=$(awk -F'\t' 'NR == FNR { want[$1] = 1; next } want[$1]' <(sample_names) - <<<"$all")
	elif [ -n "$list" ]; then
		all=$(awk -F'\t' 'NR == FNR { sub(/[ \t#].*/, ""); if ($1 != "") want[$1] = 1; next } want[$1]' \
			"$list" - <<<"$all")
	fi
	[ -n "$match" ] && all=$(grep -E "^[^	]*($match)[^	]*	" <<<"$all" || true)
	[ "$limit" -gt 0 ] && all=$(head -n "$limit" <<<"$all")
	printf '%s\n' "$all"
}

# compile_one NAME SRC OUTDIR: name.bpf.o, or name.err; name.key is the
# source's sha256 either way, so a failure is cached too.
compile_one() {
	local name=$1 src=$2 out=$3 key extra=()
	key=$(sha256sum "$src" | cut -c1-64)
	[ "$(cat "$out/$name.key" 2>/dev/null)" = "$key" ] && return 0
	rm -f "$out/$name.bpf.o" "$out/$name.err" "$out/$name.key"
	case "$src" in
	"$SCX"/*)
		timeout 600 nice $CLANG "${SCX_FLAGS[@]}" -c "$src" -o "$out/$name.tmp.o" \
			2> "$out/$name.log" || { mv "$out/$name.log" "$out/$name.err"; echo "$key" > "$out/$name.key"; return 0; }
		;;
	*)
		# Per-file flags of the selftests' Makefile.
		extra+=($(sed -n "s|^progs/$name\.c-CFLAGS := ||p" "$SELF/Makefile"))
		case "$name" in test_l4lb_noinline|test_xdp_noinline) extra+=(-fno-inline) ;; esac
		timeout 600 nice $CLANG "${SELF_FLAGS[@]}" "${extra[@]}" -c "$src" -o "$out/$name.tmp.o" \
			2> "$out/$name.log" || { mv "$out/$name.log" "$out/$name.err"; echo "$key" > "$out/$name.key"; return 0; }
		;;
	esac
	rm -f "$out/$name.log"
	mv "$out/$name.tmp.o" "$out/$name.bpf.o"
	echo "$key" > "$out/$name.key"
}
export -f compile_one
export CLANG SELF SCX

# compile OUTLIST: compiles the selected sources (at most $jobs at a time),
# writes the object paths that compiled to OUTLIST, prints counts.
compile() {
	local outlist=$1 digest dir srcs n ok
	make_headers
	digest=$(inputs_digest)
	dir=$CDIR/obj/$digest
	mkdir -p "$dir"
	touch "$dir"
	# Objects of older inputs (each kernel whose BTF changed): keep four sets.
	ls -dt "$CDIR"/obj/*/ | tail -n +5 | xargs -r rm -rf
	srcs=$(select_sources)
	[ -n "$srcs" ] || die "no sources selected"
	n=$(wc -l <<<"$srcs")
	log "corpus: $n sources, objects in $dir"
	# Arrays do not cross export -f: pass the flags through the environment.
	SELF_FLAGS_S=$(printf '%q ' "${SELF_FLAGS[@]}") SCX_FLAGS_S=$(printf '%q ' "${SCX_FLAGS[@]}") \
	xargs -P "$jobs" -L 1 bash -c 'eval "SELF_FLAGS=($SELF_FLAGS_S)"; eval "SCX_FLAGS=($SCX_FLAGS_S)";
		compile_one "$1" "$2" "$3"' _ <<<"$(awk -F'\t' -v d="$dir" '{ print $1, $2, d }' <<<"$srcs")"
	: > "$outlist"
	ok=0
	while IFS=$'\t' read -r name _; do
		if [ -f "$dir/$name.bpf.o" ]; then
			echo "$dir/$name.bpf.o" >> "$outlist"
			ok=$((ok + 1))
		fi
	done <<<"$srcs"
	log "corpus: $ok of $n compiled ($((n - ok)) did not; their errors: $dir/*.err)"
	echo "$n $ok $dir"
}

build_driver() { # $1 = output path
	local lib=$UBUILD/selftests/libbpf/libbpf.a
	[ -f "$lib" ] || die "no $lib: run dev/build-user.sh"
	nm "$lib" 2>/dev/null | grep ' T bpf_load_fd$' >/dev/null || die "$lib has no bpf_load_fd(): run dev/build-user.sh"
	if [ ! -x "$1" ] || [ "$DRIVER_SRC" -nt "$1" ] || [ "$lib" -nt "$1" ]; then
		cc -O2 -g -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter \
			-Wno-missing-field-initializers -Wno-format-truncation -I"$KSRC/tools/include/uapi" \
			-I"$UBUILD/selftests/include" "$DRIVER_SRC" -o "$1.tmp" "$lib" -lelf -lz
		mv "$1.tmp" "$1"
	fi
}

if [ "$mode" = build-sample ]; then
	# Cheap enough for dev/test.sh: ~25 cached objects and one C file. The
	# vmlinux.h is the one dev/build-user.sh generated for the selftests
	# (no lock: dev/test.sh may itself run under the build lock).
	mkdir -p "$CDIR/sample"
	read -r n ok dir < <(compile "$CDIR/sample/objects.txt")
	[ "$n" = "$(sample_names | wc -l)" ] || die "corpus-sample.txt names sources that do not exist"
	build_driver "$CDIR/sample/loadfd_corpus"
	[ "$ok" = "$n" ] || die "$((n - ok)) sample objects did not compile (see $dir/*.err)"
	exit 0
fi

stamp=$(date -u +%Y%m%dT%H%M%SZ)
# The guest writes only under dev/vm.sh's --rwdir ($LOADFD_CACHE/vm).
gdir=$LOADFD_CACHE/vm/corpus-$stamp
mkdir -p "$gdir" "$CDIR/runs"
read -r n_src n_ok objdir < <(compile "$gdir/objects.txt")
build_driver "$DRIVER"
if [ "$mode" = build ]; then
	rm -rf "$gdir"
	exit 0
fi

# ---- boot the VM and run the driver ----

[ -s "$gdir/objects.txt" ] || die "nothing compiled"
cp "$DRIVER" "$gdir/loadfd_corpus"
# libbpf's feature probes happen once, in the driver's parent, on a small object.
warm=()
[ -f "$objdir/test_global_data.bpf.o" ] && warm=(-w "$objdir/test_global_data.bpf.o")
if [ "$mode" = sample ]; then
	guest_cmd=("$LOADFD_REPO/dev/corpus.sh" --guest-run "$gdir" "$UBUILD/bpf_testmod/bpf_testmod.ko"
		-s -t "$timeout_s" "${warm[@]}" -l "$gdir/objects.txt")
else
	guest_cmd=("$LOADFD_REPO/dev/corpus.sh" --guest-run "$gdir" "$UBUILD/bpf_testmod/bpf_testmod.ko"
		-t "$timeout_s" $fallback "${warm[@]}" -o "$gdir/results.tsv" -l "$gdir/objects.txt")
fi

# bpf_testmod.ko is built against one vmlinux (module BTF is relative to
# it): dev/build-user.sh's if it is newer than vmlinux, else our own copy,
# built here under the lock.
testmod=$UBUILD/bpf_testmod/bpf_testmod.ko
fresh_testmod() {
	[ "$UBUILD/bpf_testmod/bpf_testmod.ko" -nt "$KBUILD/vmlinux" ] &&
		{ testmod=$UBUILD/bpf_testmod/bpf_testmod.ko; return; }
	log "corpus: $UBUILD/bpf_testmod is older than vmlinux; building a copy in $CDIR/bpf_testmod"
	rsync -a --delete --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' \
		"$SELF/bpf_testmod/" "$CDIR/bpf_testmod/"
	nice make -s -C "$KSRC" "${KMAKE[@]}" M="$CDIR/bpf_testmod" modules >&2
	testmod=$CDIR/bpf_testmod/bpf_testmod.ko
}
# Hold the build lock from before the boot until the guest has loaded
# bpf_testmod.ko (then the kernel and module on disk no longer matter).
exec 9>"$LOCK"
log "corpus: waiting for $LOCK"
flock 9
fresh_testmod
guest_cmd[3]=$testmod
t0=$(date +%s)
vmrc=0
LOADFD_VM_LOG=$gdir/console.log "$LOADFD_REPO/dev/vm.sh" --timeout $((n_ok * 30 + 600)) -- \
	"${guest_cmd[@]}" > "$gdir/vm.out" 2>&1 9>&- &
vmpid=$!
while kill -0 "$vmpid" 2>/dev/null && [ ! -e "$gdir/booted" ]; do sleep 1; done
flock -u 9
exec 9>&-
log "corpus: guest up, lock released; $n_ok objects (progress: $gdir/vm.out)"
wait "$vmpid" || vmrc=$?
secs=$(( $(date +%s) - t0 ))

out=$CDIR/runs/$stamp
mv "$gdir" "$out"
if [ "$mode" = sample ]; then
	grep -E '^(ok|not ok|#)' "$out/vm.out" || true
	log "corpus sample: vm.sh exit $vmrc, ${secs}s, log $out/vm.out"
	exit "$vmrc"
fi
[ -f "$out/done" ] || die "the guest did not finish (vm.sh exit $vmrc); see $out/console.log, $out/vm.out"
log "corpus: $(cat "$out/done"), ${secs}s in the VM; results in $out"
rev=$(git -C "$LOADFD_REPO" rev-parse --short HEAD)
dirty=$(git -C "$LOADFD_REPO" status --porcelain --untracked-files=no | grep -q . && echo "+dirty" || true)
note=
[ -n "$match$list" ] || [ "$limit" -gt 0 ] && note="a subset of the corpus:${match:+ --match $match}${list:+ --list $(basename "$list")}$( [ "$limit" -gt 0 ] && echo " --limit $limit")"
report=$LOADFD_REPO/dev/corpus-results.md
[ "$results" = 1 ] || report=$out/corpus-results.md
python3 "$LOADFD_REPO/dev/corpus-report.py" "$out/results.tsv" "$stamp" "$rev$dirty" "$n_src" "$n_ok" \
	"$secs" "$(cat "$out/uname" 2>/dev/null || echo '?')" "$objdir" "$note" > "$report.tmp"
mv "$report.tmp" "$report"
log "corpus: wrote $report"
