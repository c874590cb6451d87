#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Benchmark of the core on hostile objects, in userspace: every shape of
# kernel/bpf/loadfd/core/tests/gen (long names, many programs, sections,
# .BTF.ext records, externs, record amplification) at 1, 4 and 16 MiB,
# through parse, extern resolution and linking every program. Prints a
# Markdown table: generator, size, seconds (best of 3), s/MiB, the longest
# stretch between two checkpoints, and the outcome.
#
#   dev/bench-core.sh
#
# A benchmark, not a test: nothing is asserted. What to look for: s/MiB flat
# across sizes (within 2x) and the worst 16 MiB case under 1 s.
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$LOADFD_REPO"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$LOADFD_CACHE/target}
cargo run --quiet --release --locked -p bpfobj --example bench_hostile
