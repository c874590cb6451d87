#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Assemble the kernel tree (pristine 6.12 + this repo's new files + patches/)
# and build it out of tree. Content-based: only files whose bytes changed are
# rewritten, so make rebuilds only what an edit touched.
set -euo pipefail
. "$(dirname "$0")/env.sh"
assemble_only=0
[ "${1:-}" = "--assemble-only" ] && assemble_only=1

[ -f "$KSRC_TARBALL" ] || die "$KSRC_TARBALL missing (run dev/setup.sh)"
stamp=$(stat -c '%s-%Y' "$KSRC_TARBALL")
if [ "$(cat "$LOADFD_CACHE/tarball.stamp" 2>/dev/null)" != "$stamp" ] || [ ! -f "$KSRC/Makefile" ]; then
	log "extracting $KSRC_TARBALL"
	rm -rf "$KSRC" "$KBUILD" "$KBACKUP" "$LOADFD_CACHE/manifest" "$LOADFD_CACHE/x"
	mkdir -p "$LOADFD_CACHE/x"
	tar -C "$LOADFD_CACHE/x" -xf "$KSRC_TARBALL"
	mv "$LOADFD_CACHE/x"/linux-source-* "$KSRC"
	rmdir "$LOADFD_CACHE/x"
	echo "$stamp" > "$LOADFD_CACHE/tarball.stamp"
fi

cd "$LOADFD_REPO"
# Overlay = every file of the repo at a kernel path (tracked or new, not ignored).
overlay=$( { git ls-files; git ls-files --others --exclude-standard; } | sort -u |
	grep -E '^(Documentation|include|kernel|rust|tools|samples|scripts|fs|security)/' |
	grep -vE '/(target|fuzz/corpus|fuzz/artifacts)/' | while read -r f; do [ -f "$f" ] && echo "$f"; done)
patches=$(ls patches/*.patch 2>/dev/null | sort || true)
patched=$(for p in $patches; do sed -n 's@^+++ b/@@p; s@^--- a/@@p' "$p"; done | sed 's/\t.*//' | sort -u)
manifest=$(printf '%s\n%s\n' "$overlay" "$patched" | grep -v '^$' | sort -u)

mkdir -p "$KBACKUP"
old=$(cat "$LOADFD_CACHE/manifest" 2>/dev/null || true)
# Save the pristine version of every file before it is first touched.
while read -r f; do
	[ -n "$f" ] || continue
	if ! grep -qxF "$f" <<<"$old" && [ -f "$KSRC/$f" ] && [ ! -e "$KBACKUP/$f" ]; then
		mkdir -p "$KBACKUP/$(dirname "$f")"; cp -p "$KSRC/$f" "$KBACKUP/$f"
	fi
done <<<"$manifest"

stage=$(mktemp -d); trap 'rm -rf "$stage"' EXIT
while read -r f; do
	[ -n "$f" ] || continue
	if [ -f "$KBACKUP/$f" ]; then mkdir -p "$stage/$(dirname "$f")"; cp "$KBACKUP/$f" "$stage/$f"; fi
done <<<"$manifest"
while read -r f; do
	[ -n "$f" ] || continue
	mkdir -p "$stage/$(dirname "$f")"; cp "$f" "$stage/$f"
done <<<"$overlay"
for p in $patches; do
	patch -p1 -d "$stage" --batch --forward --no-backup-if-mismatch -s < "$p" ||
		die "patch $p does not apply to the pristine tree"
done

changed=0
sync_file() { # $1 = path relative to the tree
	if [ -f "$stage/$1" ]; then
		if ! cmp -s "$stage/$1" "$KSRC/$1"; then
			mkdir -p "$KSRC/$(dirname "$1")"; cp "$stage/$1" "$KSRC/$1"; changed=$((changed + 1))
		fi
	elif [ -f "$KBACKUP/$1" ]; then
		cmp -s "$KBACKUP/$1" "$KSRC/$1" || { cp "$KBACKUP/$1" "$KSRC/$1"; changed=$((changed + 1)); }
	elif [ -e "$KSRC/$1" ]; then
		rm -f "$KSRC/$1"; changed=$((changed + 1))
	fi
}
while read -r f; do [ -n "$f" ] && sync_file "$f"; done <<<"$manifest"
# Files we touched last time but no longer do go back to pristine (or away).
while read -r f; do
	[ -n "$f" ] || continue
	grep -qxF "$f" <<<"$manifest" || sync_file "$f"
done <<<"$old"
echo "$manifest" > "$LOADFD_CACHE/manifest"
log "tree assembled: $(wc -l <<<"$manifest") managed files, $changed rewritten"
[ "$assemble_only" = 1 ] && exit 0

cd "$KSRC"
# A throwaway test CA in the kernel's builtin trusted keys
# (CONFIG_SYSTEM_TRUSTED_KEYS in dev/loadfd.config): prog_tests/loadfd_policy.c signs
# the IMA key, IPE policies and fs-verity files with it. One per machine, in
# the cache, never in the repo; the guest finds it in $LOADFD_CACHE/keys.
keys=$LOADFD_CACHE/keys
if [ ! -s "$keys/test-ca.pem" ] || [ ! -s "$keys/test-ca.key" ]; then
	mkdir -p "$keys"
	openssl req -x509 -newkey rsa:2048 -nodes -days 36500 -sha256 \
		-subj "/CN=loadfd throwaway test CA" \
		-keyout "$keys/test-ca.key" -out "$keys/test-ca.pem" >/dev/null 2>&1 ||
		die "cannot create the test CA in $keys"
fi
cmp -s "$keys/test-ca.pem" certs/loadfd-test-ca.pem || cp "$keys/test-ca.pem" certs/loadfd-test-ca.pem
mkdir -p "$KBUILD"
cfgstamp=$(cat "$LOADFD_REPO/dev/loadfd.config" | sha256sum | cut -c1-16)
if [ ! -f "$KBUILD/.config" ] || [ "$(cat "$KBUILD/.loadfd-config-stamp" 2>/dev/null)" != "$cfgstamp" ]; then
	log "configuring (virtme-ng defconfig + dev/loadfd.config)"
	virtme-configkernel --arch x86_64 --defconfig --custom "$LOADFD_REPO/dev/loadfd.config" \
		"${KMAKE[@]}" >/dev/null 2>&1 || die "kernel configuration failed"
	echo "$cfgstamp" > "$KBUILD/.loadfd-config-stamp"
fi
# Kconfig changes from patches are picked up by olddefconfig (cheap, no-op if none).
make -s "${KMAKE[@]}" olddefconfig
for opt in CONFIG_RUST CONFIG_DEBUG_INFO_BTF CONFIG_BPF_SYSCALL CONFIG_BPF_LOADFD; do
	grep -q "^$opt=y" "$KBUILD/.config" || die "$opt is not set in the final .config"
done
log "building kernel (make -j$(nproc) bzImage modules)"
start=$(date +%s)
if ! make -s -j"$(nproc)" "${KMAKE[@]}" bzImage modules 2>&1 |
	{ grep -vE 'die__process_unit: DW_TAG_label|die__process_class: tag not supported|tag__recode_dwarf_type' || true; }; then
	die "kernel build failed"
fi
log "kernel built in $(( $(date +%s) - start )) s: $KBUILD/arch/x86/boot/bzImage"
