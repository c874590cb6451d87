#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Seeds and runs one cargo-fuzz target of the loadfd core's parsers.
#
#   kernel/bpf/loadfd/core/fuzz/run.sh TARGET SECONDS
#
# TARGET is parse_elf, parse_btf or parse_btf_ext. Seeds are real objects
# compiled with clang-19 from the kernel tree's BPF selftests (cached in
# fuzz/seeds/), plus any objects the core's integration tests left in
# target/tmp/loadfd-bpf/; parse_btf and parse_btf_ext get their .BTF and
# .BTF.ext sections (llvm-objcopy-19 --dump-section). The corpus grows in
# fuzz/corpus/TARGET, crashes land in fuzz/artifacts/TARGET, the libFuzzer
# log in fuzz/artifacts/TARGET.log.
#
# Only a stable toolchain is assumed: cargo-fuzz's -Z flags are enabled with
# RUSTC_BOOTSTRAP=1. The core has no unsafe code, so the default sanitizer is
# none (SANITIZER=address works too: stable ships the ASan runtime).
# Everything runs under nice -n 19.
#
# Environment: LOADFD_KSRC (kernel tree, default /root/.cache/loadfd/linux),
# LOADFD_VMLINUX (vmlinux for vmlinux.h, default
# /root/.cache/loadfd/build/vmlinux; programs needing it are skipped if it
# is missing), CLANG, OBJCOPY, SANITIZER, JOBS (libFuzzer -jobs, default 1).

set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 parse_elf|parse_btf|parse_btf_ext|link_object SECONDS" >&2
	exit 2
fi
target=$1
secs=$2
case $target in
parse_elf | parse_btf | parse_btf_ext | link_object) ;;
*)
	echo "unknown target $target" >&2
	exit 2
	;;
esac

here=$(cd "$(dirname "$0")" && pwd)
core=$(dirname "$here")
repo=$(cd "$core/../../../.." && pwd)
ksrc=${LOADFD_KSRC:-/root/.cache/loadfd/linux}
vmlinux=${LOADFD_VMLINUX:-/root/.cache/loadfd/build/vmlinux}
clang=${CLANG:-clang-19}
objcopy=${OBJCOPY:-llvm-objcopy-19}
sanitizer=${SANITIZER:-none}
jobs=${JOBS:-1}

progs=$ksrc/tools/testing/selftests/bpf/progs
seeds=$here/seeds
corpus=$here/corpus/$target
mkdir -p "$seeds/include/bpf" "$corpus" "$here/artifacts"

# Selftests programs with maps, data sections, subprograms, callbacks,
# CO-RE, ksyms/kfuncs, decl tags and many BTF kinds.
plain="test_global_data test_core_reloc_kernel test_ksyms test_global_func1
	tailcall_bpf2bpf1 test_cls_redirect test_legacy_printk test_pinning
	test_map_in_map test_btf_map_in_map test_static_linked1 test_xdp_noinline
	test_l4lb_noinline strobemeta_subprogs test_sockmap_kern pyperf_subprogs"
needs_vmlinux="bpf_loop test_subprogs linked_funcs1 test_btf_decl_tag
	test_map_init kfunc_call_test test_core_reloc_existence btf_type_tag
	test_core_reloc_enum64val test_core_extern test_ringbuf iters"

inc=$seeds/include
if [ ! -s "$inc/bpf/bpf_helper_defs.h" ]; then
	python3 "$ksrc/scripts/bpf_doc.py" --header \
		--file "$ksrc/include/uapi/linux/bpf.h" >"$inc/bpf/bpf_helper_defs.h.tmp"
	cp "$inc/bpf/bpf_helper_defs.h.tmp" "$inc/bpf_helper_defs.h"
	mv "$inc/bpf/bpf_helper_defs.h.tmp" "$inc/bpf/bpf_helper_defs.h"
fi
list=$plain
if [ -f "$vmlinux" ]; then
	if [ ! -s "$inc/vmlinux.h" ]; then
		bpftool btf dump file "$vmlinux" format c >"$inc/vmlinux.h.tmp"
		mv "$inc/vmlinux.h.tmp" "$inc/vmlinux.h"
	fi
	list="$plain $needs_vmlinux"
fi
for p in $list; do
	[ -f "$progs/$p.c" ] || continue
	[ -s "$seeds/$p.bpf.o" ] && continue
	nice -n 19 "$clang" -O2 -g -target bpf -D__TARGET_ARCH_x86 -mcpu=v3 \
		-Wno-compare-distinct-pointer-types \
		-I"$inc" -I"$inc/bpf" -I"$ksrc/tools/testing/selftests/bpf" -I"$progs" \
		-I"$ksrc/tools/include/uapi" -I"$ksrc/tools/lib" \
		-idirafter "$ksrc/tools/include" -idirafter /usr/include/x86_64-linux-gnu \
		-c "$progs/$p.c" -o "$seeds/$p.bpf.o.tmp" 2>/dev/null &&
		mv "$seeds/$p.bpf.o.tmp" "$seeds/$p.bpf.o" ||
		{
			rm -f "$seeds/$p.bpf.o.tmp"
			echo "note: could not compile $p, skipped" >&2
		}
done

# Seed the corpus (idempotent: seeds are named after their source).
shopt -s nullglob
objs=("$seeds"/*.bpf.o "$repo"/target/tmp/loadfd-bpf/*.bpf.o)
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
for o in "${objs[@]}"; do
	name=seed-$(basename "$o" .bpf.o)
	case $target in
	parse_elf | link_object) cp "$o" "$corpus/$name.o" ;;
	parse_btf) "$objcopy" --dump-section ".BTF=$corpus/$name.btf" "$o" "$tmp" 2>/dev/null || true ;;
	parse_btf_ext) "$objcopy" --dump-section ".BTF.ext=$corpus/$name.btf.ext" "$o" "$tmp" 2>/dev/null || true ;;
	esac
done
echo "$target: $(ls "$corpus" | wc -l) corpus files, running ${secs}s" >&2

# Run. libFuzzer exits non-zero on a crash; the crash input is in
# fuzz/artifacts/TARGET/ (reproduce with: cargo fuzz run TARGET FILE).
cd "$core"
log=$here/artifacts/$target.log
extra=()
if [ "$jobs" -gt 1 ]; then
	# libFuzzer then writes per-job logs (fuzz-N.log) in the current directory.
	extra=(-jobs="$jobs" -workers="$jobs")
fi
set +e
RUSTC_BOOTSTRAP=1 nice -n 19 cargo fuzz run --fuzz-dir "$here" -s "$sanitizer" \
	"$target" "$corpus" -- -max_total_time="$secs" -print_final_stats=1 \
	-max_len=1048576 -rss_limit_mb=4096 "${extra[@]}" \
	2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
echo "--- $target: exit $status; $(grep -h 'stat::number_of_executed_units' "$log" | tail -1)" \
	"$(grep -h '^Done ' "$log" | tail -1)" >&2
exit "$status"
