// SPDX-License-Identifier: GPL-2.0

//! Userspace build of the loadfd core. The kernel mounts `src/bpfobj/mod.rs`
//! by path as `crate::bpfobj` (`kernel/bpf/loadfd/loadfd_main.rs`); this root
//! exists only for cargo (unit tests, property tests, fuzzing and the
//! `bpf-loadfd` shim), and re-exports the modules so that users write
//! `bpfobj::elf`, not `bpfobj::elf`.

#![no_std]

extern crate alloc;

mod bpfobj;
pub use bpfobj::*;
