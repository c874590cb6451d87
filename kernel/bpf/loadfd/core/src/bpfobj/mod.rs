// SPDX-License-Identifier: GPL-2.0

//! BPF ELF object parsing and relocation, shared by the kernel and userspace.
//!
//! Sans-IO and `unsafe`-free: everything here takes the object's bytes and
//! returns plans and results; the kernel glue turns them into syscalls. Every
//! read of untrusted input is bounds-checked (the lints below make indexing,
//! unchecked arithmetic and panics compile errors), because in the kernel a
//! panic is an oops.
//!
//! Sorts go through [`sort`]: `core`'s recursive sorts would overflow the
//! kernel stack on input-sized slices (`clippy.toml` denies them).

#![forbid(unsafe_code)]
#![deny(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::cast_possible_truncation,
    clippy::disallowed_methods
)]

pub mod btf;
pub(crate) mod btf_edit;
pub mod btf_ext;
pub(crate) mod bytes;
pub mod checkpoint;
pub mod compat;
pub mod elf;
pub mod error;
pub mod externs;
pub mod insn;
pub mod kconfig;
pub mod limits;
pub mod maps;
pub mod model;
pub mod object;
pub mod plan;
pub mod reloc;
pub mod relocate;
pub mod sec_def;
pub mod sort;
pub mod struct_ops;
pub mod uapi;
