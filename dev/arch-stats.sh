#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The loader's shape at a commit, as issue 11 measures it:
#
#   dev/arch-stats.sh [COMMIT...]        (default: HEAD)
#
# - C lines: kernel/bpf/loadfd/*.c and *.h (the loader's C; patches/ not
#   counted);
# - Rust lines: the kernel glue (kernel/bpf/loadfd/*.rs), the core
#   (kernel/bpf/loadfd/core/src/**.rs) and the abstractions (rust/kernel/*.rs
#   of this repo);
# - C<->Rust functions: the functions glue.h declares plus the Rust
#   functions C calls (#[no_mangle]), each counted once;
# - unsafe: `unsafe {` blocks, `unsafe fn` and `unsafe impl` per file, and how
#   many blocks lack a `// SAFETY:` comment on the lines just above them.
# Lines are physical lines (blank and comment lines included).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- HEAD
for c in "$@"; do
	git rev-parse -q --verify "$c^{commit}" >/dev/null || { echo "no commit $c" >&2; exit 1; }
	python3 - "$c" <<'PY'
import re, subprocess, sys
c = sys.argv[1]
files = subprocess.run(["git", "ls-tree", "-r", "--name-only", c], capture_output=True,
                       text=True, check=True).stdout.split()
def show(f):
    return subprocess.run(["git", "show", f"{c}:{f}"], capture_output=True, text=True,
                          check=True).stdout
D = "kernel/bpf/loadfd/"
def direct(f, exts):
    return f.startswith(D) and "/" not in f[len(D):] and f.endswith(exts)
cfiles = [f for f in files if direct(f, (".c", ".h"))]
glue_rs = [f for f in files if direct(f, (".rs",))]
core_rs = [f for f in files if f.startswith(D + "core/src/") and f.endswith(".rs")]
abs_rs = [f for f in files if f.startswith("rust/kernel/") and f.endswith(".rs")]
lines = lambda fs: sum(show(f).count("\n") for f in fs)
names = set()
if D + "glue.h" in files:
    g = re.sub(r"/\*.*?\*/", "", show(D + "glue.h"), flags=re.S)
    g = re.sub(r"#define[^\n]*(\\\n[^\n]*)*", "", g)
    for m in re.finditer(r"\b([a-z_][a-z0-9_]*)\s*\([^;{}()]*\)\s*;", g):
        names.add(m.group(1))
for f in glue_rs:
    for m in re.finditer(r"#\[no_mangle\]\s*(?:pub(?:\([^)]*\))?\s+)?(?:unsafe\s+)?extern\s+\"C\"\s+fn\s+(\w+)",
                         show(f)):
        names.add(m.group(1))
sha = subprocess.run(["git", "rev-parse", "--short", c], capture_output=True, text=True).stdout.strip()
print(f"== {c} ({sha})")
print(f"C lines (kernel/bpf/loadfd/*.[ch], {len(cfiles)} files): {lines(cfiles)}")
for f in cfiles:
    print(f"    {f[len(D):]}: {show(f).count(chr(10))}")
print(f"Rust lines: glue {lines(glue_rs)} ({len(glue_rs)} files), core {lines(core_rs)} "
      f"({len(core_rs)} files), rust/kernel {lines(abs_rs)} ({len(abs_rs)} files)")
print(f"C<->Rust functions: {len(names)}: {' '.join(sorted(names))}")
tot_b = tot_miss = 0
for f in glue_rs + core_rs + abs_rs:
    src = show(f).split("\n")
    blocks = fns = impls = miss = 0
    for i, l in enumerate(src):
        code = l.split("//")[0]
        if re.search(r"\bunsafe\s+impl\b", code):
            impls += 1
        if re.search(r"\bunsafe\s+(extern\s+\"C\"\s+)?fn\b", code):
            fns += 1
        for _ in re.finditer(r"\bunsafe\s*\{", code):
            blocks += 1
            ctx = "\n".join(src[max(0, i - 4):i + 1])
            if "SAFETY:" not in ctx:
                miss += 1
                print(f"    no SAFETY comment: {f}:{i + 1}")
    if blocks or fns or impls:
        print(f"    {f}: {blocks} unsafe blocks, {fns} unsafe fn, {impls} unsafe impl")
    tot_b += blocks; tot_miss += miss
print(f"unsafe blocks: {tot_b}, without a SAFETY comment: {tot_miss}")
PY
done
