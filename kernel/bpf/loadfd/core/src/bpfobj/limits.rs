// SPDX-License-Identifier: GPL-2.0

//! What one object may contain, and how the core yields while working.
//!
//! The caller of `BPF_LOAD_FD` may be hostile (CAP_BPF or a BPF token and
//! nothing else), so every count and size that decides how much time or
//! memory the core spends is capped here, each one well above what real
//! objects use. Over a cap the core fails with
//! [`ErrorKind::TooMany`](crate::bpfobj::error::ErrorKind::TooMany) (E2BIG),
//! whose log line names the cap and its value. Names have their own errors
//! (they carry the offending symbol, section or map).
//!
//! Time: with these caps every pass of the core is linear in the object
//! (n log n for the sorts), and every loop over an input-sized collection
//! calls a [`Checkpoint`](crate::bpfobj::checkpoint::Checkpoint) at least
//! every [`CHECKPOINT_EVERY`] iterations.
//! In the kernel that is `cond_resched()` plus a fatal-signal check, so a
//! SIGKILLed caller leaves within milliseconds with
//! [`Error::INTERRUPTED`](crate::bpfobj::error::Error::INTERRUPTED) (EINTR).

use crate::bpfobj::uapi::BPF_LOADFD_NAME_LEN;
use core::fmt;

/// Largest object file `BPF_LOAD_FD` reads (`LOADFD_MAX_OBJ_SIZE`, the same
/// cap as `BTF_MAX_SIZE`).
pub const MAX_OBJ_SIZE: usize = 16 * 1024 * 1024;

/// `KSYM_NAME_LEN`: the kernel's buffer for a symbol name, NUL included.
pub const KSYM_NAME_LEN: usize = 512;

/// Longest ELF symbol or section name, and longest BTF name used as one:
/// `KSYM_NAME_LEN - 1`, what kallsyms and the BTF verifier's identifier
/// check accept. The search for the terminating NUL stops here, so a name
/// costs at most this many byte reads however long the string table.
pub const MAX_NAME_LEN: usize = KSYM_NAME_LEN - 1;

/// Longest map name (callers name maps in `struct bpf_loadfd_map`).
pub const MAX_MAP_NAME_LEN: usize = BPF_LOADFD_NAME_LEN - 1;

/// Longest program name: it names a sysfs directory (`NAME_MAX`).
pub const MAX_PROG_NAME_LEN: usize = 255;

/// Most ELF sections (section headers, including the null one).
pub const MAX_SECTIONS: u32 = 16384;

/// Most ELF symbols (including the null one).
pub const MAX_SYMBOLS: u32 = 1 << 20;

/// Most programs per object (each gets a sysfs directory).
pub const MAX_PROGRAMS: usize = 4096;

/// Most maps per object, BTF-defined and global data together (each gets a
/// sysfs directory and a kernel map).
pub const MAX_MAPS: usize = 1024;

/// Most extern symbols (each is a kernel lookup).
pub const MAX_EXTERNS: usize = 4096;

/// Most blocks in each `.BTF.ext` subsection (one per code section).
pub const MAX_EXT_BLOCKS: u32 = MAX_SECTIONS;

/// Most records in each `.BTF.ext` subsection.
pub const MAX_EXT_RECORDS: u32 = 1 << 20;

/// Largest `.kconfig` map value, all kconfig externs together, and so also
/// the largest single kconfig extern: `KMALLOC_MAX_SIZE` on x86-64 (4 MiB),
/// the most an array map value may be.
pub const MAX_KCONFIG_SIZE: u32 = 4 << 20;

/// Byte budget of one loader object for what it keeps per program:
/// instructions, func_info, line_info and CO-RE records, all programs
/// together, in the sizes `BPF_PROG_LOAD` takes (8, 8, 16 and 16 bytes).
/// Each program gets its own copy of the subprograms it calls and of their
/// records, so this is what bounds the amplification a small object can
/// cause. [`crate::bpfobj::relocate`] stops a single program at the budget
/// left, before allocating past it.
pub const MAX_PROG_BYTES: usize = 64 << 20;

/// Most struct_ops members, all struct_ops maps together (a kernel struct
/// has tens; each member is one check against the kernel's struct).
pub const MAX_STRUCT_OPS_MEMBERS: usize = 1 << 16;

/// Most bytes of `__arena` variables: the kernel allocates and fills their
/// pages in one go (`bpf_arena_fill_kern()`), so this bounds that step.
pub const MAX_ARENA_VARS: u32 = 64 << 20;

/// How many iterations of a cheap loop may pass between two checkpoints.
pub const CHECKPOINT_EVERY: u32 = 256;

/// A capped count, for [`ErrorKind::TooMany`](crate::bpfobj::error::ErrorKind::TooMany).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cap {
    /// [`MAX_SECTIONS`].
    Sections,
    /// [`MAX_SYMBOLS`].
    Symbols,
    /// [`MAX_PROGRAMS`].
    Programs,
    /// [`MAX_MAPS`].
    Maps,
    /// [`MAX_EXTERNS`].
    Externs,
    /// [`MAX_EXT_BLOCKS`].
    ExtBlocks,
    /// [`MAX_EXT_RECORDS`].
    ExtRecords,
    /// [`MAX_KCONFIG_SIZE`].
    KconfigSize,
    /// [`MAX_PROG_BYTES`].
    ProgBytes,
    /// [`MAX_STRUCT_OPS_MEMBERS`].
    StructOpsMembers,
    /// [`MAX_ARENA_VARS`].
    ArenaVars,
}

impl Cap {
    /// The cap's constant name.
    pub fn name(self) -> &'static str {
        match self {
            Cap::Sections => "MAX_SECTIONS",
            Cap::Symbols => "MAX_SYMBOLS",
            Cap::Programs => "MAX_PROGRAMS",
            Cap::Maps => "MAX_MAPS",
            Cap::Externs => "MAX_EXTERNS",
            Cap::ExtBlocks => "MAX_EXT_BLOCKS",
            Cap::ExtRecords => "MAX_EXT_RECORDS",
            Cap::KconfigSize => "MAX_KCONFIG_SIZE",
            Cap::ProgBytes => "MAX_PROG_BYTES",
            Cap::StructOpsMembers => "MAX_STRUCT_OPS_MEMBERS",
            Cap::ArenaVars => "MAX_ARENA_VARS",
        }
    }

    /// The cap's value.
    pub fn value(self) -> u64 {
        let wide = |v: usize| u64::try_from(v).unwrap_or(u64::MAX);
        match self {
            Cap::Sections => u64::from(MAX_SECTIONS),
            Cap::Symbols => u64::from(MAX_SYMBOLS),
            Cap::Programs => wide(MAX_PROGRAMS),
            Cap::Maps => wide(MAX_MAPS),
            Cap::Externs => wide(MAX_EXTERNS),
            Cap::ExtBlocks => u64::from(MAX_EXT_BLOCKS),
            Cap::ExtRecords => u64::from(MAX_EXT_RECORDS),
            Cap::KconfigSize => u64::from(MAX_KCONFIG_SIZE),
            Cap::ProgBytes => wide(MAX_PROG_BYTES),
            Cap::StructOpsMembers => wide(MAX_STRUCT_OPS_MEMBERS),
            Cap::ArenaVars => u64::from(MAX_ARENA_VARS),
        }
    }

    /// What is counted, for the log line.
    fn what(self) -> &'static str {
        match self {
            Cap::Sections => "ELF sections",
            Cap::Symbols => "ELF symbols",
            Cap::Programs => "programs",
            Cap::Maps => "maps",
            Cap::Externs => "extern symbols",
            Cap::ExtBlocks => "blocks in one .BTF.ext subsection",
            Cap::ExtRecords => "records in one .BTF.ext subsection",
            Cap::KconfigSize => "bytes of .kconfig externs",
            Cap::ProgBytes => "bytes of instructions, func_info, line_info and CO-RE records",
            Cap::StructOpsMembers => "struct_ops members",
            Cap::ArenaVars => "bytes of __arena variables",
        }
    }
}

impl fmt::Display for Cap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "more than {} {} ({})",
            self.value(),
            self.what(),
            self.name()
        )
    }
}
