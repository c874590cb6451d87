// SPDX-License-Identifier: GPL-2.0

//! Fuzz target: parse the input as a BPF ELF object (and its .BTF and .BTF.ext), then walk everything.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| bpfobj_fuzz::walk_elf(data));
