#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run every test: the core's userspace checks (rustfmt, clippy, cargo test),
# then the kernel build and the C selftests inside a VM running it.
# Ends with one line "N passed, N failed" and exits non-zero on any failure.
set -uo pipefail
. "$(dirname "$0")/env.sh"
cd "$LOADFD_REPO"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$LOADFD_CACHE/target}
export CARGO_TERM_COLOR=never

pass=0
fail=0
failed=()
t0=$(date +%s)
ok() { pass=$((pass + $1)); }
ko() { fail=$((fail + $1)); failed+=("$2"); }
step() { # name, command...: one check, one result
	local name=$1; shift
	log "$name"
	if "$@"; then ok 1; echo "ok - $name"; else ko 1 "$name"; echo "not ok - $name"; fi
}

dev/setup.sh || { echo "0 passed, 1 failed"; exit 1; }

step "rustfmt" cargo fmt --all --check
step "clippy" cargo clippy --workspace --all-targets --locked -q -- -D warnings

if ! step "kernel build" dev/build.sh; then
	echo "$pass passed, $((fail + 1)) failed (no kernel, VM tests not run)"
	exit 1
fi

# The core's tests compile real BPF objects against the kernel tree and the
# built vmlinux (vmlinux.h), so they run after the kernel build.
log "cargo test"
out=$(cargo test --workspace --locked 2>&1); rc=$?
printf '%s\n' "$out" | grep -E '^test |^test result|panicked|FAILED|error' | grep -v '\.\.\. ok$' || true
p=$(printf '%s\n' "$out" | sed -n 's/^test result: .* \([0-9]*\) passed; \([0-9]*\) failed.*/\1/p' | paste -sd+ | bc)
f=$(printf '%s\n' "$out" | sed -n 's/^test result: .* \([0-9]*\) passed; \([0-9]*\) failed.*/\2/p' | paste -sd+ | bc)
ok "${p:-0}"
[ "${f:-0}" -gt 0 ] && ko "$f" "cargo test"
[ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ] && ko 1 "cargo test (build)"
echo "cargo test: ${p:-0} passed, ${f:-0} failed"

if ! step "userspace test artifacts" dev/build-user.sh; then
	echo "$pass passed, $fail failed (VM tests not run)"
	exit 1
fi
# The corpus sample dev/guest-tests.sh runs (dev/corpus-sample.txt): ~25
# upstream objects, cached, and the driver; seconds.
step "corpus sample build" dev/corpus.sh --build-sample
# test_progs (upstream tests chosen for the loader, and prog_tests/loadfd.c)
# from a trimmed selftests build; the VM runs ./test_progs -t loadfd. About
# a minute cold, seconds warm. dev/test.sh builds the kernel itself: the
# kernel-build lock is its own (or its caller's).
step "test_progs build" env LOADFD_LOCK_HELD=1 dev/test-progs.sh build

log "selftests in the VM"
vmout=$(dev/vm.sh --timeout 900 -- dev/guest-tests.sh 2>&1); vmrc=$?
printf '%s\n' "$vmout" | grep -E '^(ok|not ok|#  RUN|# +(FAIL|OK)|# Totals|# loadfd)|Oops|BUG:|WARNING:|panicked' || true
totals=$(printf '%s\n' "$vmout" | grep -E '^# Totals: pass:' || true)
vp=0; vf=0
while read -r line; do
	[ -n "$line" ] || continue
	vp=$((vp + $(sed 's/.* pass:\([0-9]*\).*/\1/' <<<"$line")))
	vf=$((vf + $(sed 's/.* fail:\([0-9]*\).*/\1/' <<<"$line")))
	vf=$((vf + $(sed 's/.* error:\([0-9]*\).*/\1/' <<<"$line")))
done <<<"$totals"
ok "$vp"
[ "$vf" -gt 0 ] && ko "$vf" "VM selftests"
expected=$(printf '%s\n' "$vmout" | grep -c '^# loadfd-suite:' || true)
if [ "$vmrc" -ne 0 ] || [ -z "$totals" ] || [ "$(wc -l <<<"$totals")" -ne "$expected" ]; then
	ko 1 "VM run (rc=$vmrc, $(wc -l <<<"$totals")/$expected suites reported; see $LOADFD_CACHE/vm/last.log)"
fi
if printf '%s\n' "$vmout" | grep -qE 'Oops|BUG:|WARNING: CPU|Kernel panic|unreferenced object'; then
	ko 1 "kernel warnings in the VM log"
fi

echo "# total time $(( $(date +%s) - t0 )) s"
for f in "${failed[@]}"; do echo "# failed: $f"; done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
