// SPDX-License-Identifier: GPL-2.0

//! `BPF_LOAD_FD`: an in-kernel loader for BPF ELF objects.
//!
//! This crate decides everything about the object's bytes: the pure parsing,
//! relocation and planning core lives in `core/` (also a userspace crate,
//! which `bpf-loadfd inspect` runs), `load.rs` executes the core's plan,
//! `loader.rs` is the loader object's Rust half (it owns the object's maps,
//! BTFs and program layouts, which C borrows), and `sys.rs` is the only file
//! with `unsafe` (over `kernel::bpf`'s abstractions and the C contract).
//!
//! C keeps what 6.12 has no Rust abstraction for, split by concern:
//! `loadfd.c` (the syscall edge: permissions, the object fd, the read through
//! `kernel_read_file()`, the log buffer), `loadfd_build.c` (the maps, BTF and
//! programs the object is made of), `loadfd_prog.c` (`BPF_PROG_LOAD` by name)
//! and `loadfd_sysfs.c`; `glue.h` is the C/Rust contract, and `uapi_check.rs`
//! asserts the core's uapi numbers against the kernel's.

use kernel::prelude::*;

#[path = "core/src/bpfobj/mod.rs"]
pub mod bpfobj;
mod load;
mod loader;
mod sys;
mod uapi_check;

module! {
    type: LoadFd,
    name: "bpf_loadfd",
    author: "loadfd developers",
    description: "In-kernel loader for BPF ELF objects (BPF_LOAD_FD)",
    license: "GPL",
}

struct LoadFd;

impl kernel::Module for LoadFd {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        // Nothing to set up: C calls in through `loadfd_rs_create()`, and
        // `loadfd_sysfs.c` sets up its kset at subsys_initcall time.
        Ok(LoadFd)
    }
}
