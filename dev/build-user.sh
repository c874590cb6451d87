#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build what the VM runs: the C selftests (from the assembled, patched tree so
# they use the new uapi) and the bpf-loadfd shim.
set -euo pipefail
. "$(dirname "$0")/env.sh"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$LOADFD_CACHE/target}
mkdir -p "$UBUILD" "$UBUILD/bpftool"
# Build from the assembled tree (patched uapi headers, current sources): make
# sure it has this checkout's files.
"$(dirname "$0")/build.sh" --assemble-only
make -s -C "$KSRC/tools/testing/selftests/bpf/loadfd" OUTPUT="$UBUILD/selftests" KSRC="$KSRC" KBUILD="$KBUILD"
cargo build -q --release --locked -p bpf-loadfd
# bpftool with the loader patch (prog load kernel_loader, loader show), for
# test_progs loadfd_prog/bpftool_loader; without its BPF skeletons (profiling,
# pids), which nothing here uses.
make -s -C "$KSRC/tools/bpf/bpftool" OUTPUT="$UBUILD/bpftool/" feature-clang-bpf-co-re=0 \
	-j"$(nproc)"
install -m 755 "$CARGO_TARGET_DIR/release/bpf-loadfd" "$UBUILD/bpf-loadfd"
# bpf_testmod.ko from the selftests: module BTF, module kfuncs and ksyms. Built
# from a copy so the managed tree stays clean; rebuilt against every vmlinux
# because module BTF is relative to vmlinux BTF.
rsync -a --delete --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' \
	"$KSRC/tools/testing/selftests/bpf/bpf_testmod/" "$UBUILD/bpf_testmod/"
# An M= build does not relink a module when only vmlinux changed (the .ko
# depends on vmlinux only in a full build): drop one older than vmlinux.
find "$UBUILD/bpf_testmod" -name '*.ko' ! -newer "$KBUILD/vmlinux" -delete
make -s -C "$KSRC" "${KMAKE[@]}" M="$UBUILD/bpf_testmod" modules
