// SPDX-License-Identifier: GPL-2.0

//! Fuzz target, end to end: parse the input as a BPF object, resolve its
//! externs against a fake kernel, and link every program (the whole path
//! `BPF_LOAD_FD` runs in the kernel before any syscall).

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| bpfobj_fuzz::link_object(data));
