// SPDX-License-Identifier: GPL-2.0

//! `BPF_LOAD_FD`: an in-kernel loader for BPF ELF objects.
//!
//! `glue.c` owns the syscall edge (permissions, the object fd, the read through
//! `kernel_read_file()`, the log buffer). This crate decides everything about the
//! object's bytes: the pure parsing and relocation core lives in `core/` (also a
//! userspace crate) and `sys.rs` is the only file with `unsafe`.

use kernel::prelude::*;

#[path = "core/src/bpfobj/mod.rs"]
pub mod bpfobj;
mod load;
mod sys;

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
        sys::glue_init()?;
        Ok(LoadFd)
    }
}
