// SPDX-License-Identifier: GPL-2.0

//! Userspace build of the loadfd core. The kernel includes [`bpfobj`] by path
//! from `kernel/bpf/loadfd/loadfd_main.rs`; this root exists only for cargo
//! (unit tests, property tests, fuzzing and the `bpf-loadfd` shim).

#![no_std]

extern crate alloc;

pub mod bpfobj;
