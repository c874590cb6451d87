// SPDX-License-Identifier: GPL-2.0

//! The core's error type: `Copy`, no allocation, carrying the indices and
//! offsets that locate the problem. The glue lowers [`Error::class`] to an
//! errno at the syscall edge and writes the [`Display`](core::fmt::Display)
//! form, one line, to the caller's log.

use core::fmt;

/// What kind of failure an [`Error`] is; each class lowers to one errno.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorClass {
    /// The input is malformed (EINVAL).
    Malformed,
    /// The input is not a BPF ELF relocatable object at all (ENOEXEC).
    NotBpfObject,
    /// A size or count is beyond a cap (E2BIG).
    TooBig,
    /// Valid, but a feature this loader does not support (EOPNOTSUPP).
    Unsupported,
    /// Something the object needs does not exist (ENOENT).
    NotFound,
    /// Out of memory (ENOMEM).
    NoMem,
}

/// A rejection of the object, with its location.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// Allocation failed.
    NoMem,
    /// The file is shorter than an ELF header.
    ElfTooShort {
        /// File size in bytes.
        len: usize,
    },
    /// The first four bytes are not `\x7fELF`.
    ElfBadMagic,
    /// Not ELFCLASS64.
    ElfBadClass {
        /// `e_ident[EI_CLASS]`.
        class: u8,
    },
    /// Not the host's byte order (little endian on x86_64).
    ElfBadEndian {
        /// `e_ident[EI_DATA]`.
        data: u8,
    },
    /// `e_ident[EI_VERSION]` or `e_version` is not `EV_CURRENT`.
    ElfBadVersion {
        /// The version found.
        version: u32,
    },
    /// Not a relocatable object (`ET_REL`).
    ElfNotRel {
        /// `e_type`.
        e_type: u16,
    },
    /// Not a BPF object (`EM_BPF`, or `EM_NONE` from old LLVM).
    ElfNotBpf {
        /// `e_machine`.
        machine: u16,
    },
    /// `e_ehsize` is not the size of an ELF64 header.
    ElfBadEhsize {
        /// `e_ehsize`.
        ehsize: u16,
    },
}

impl Error {
    /// The class (and so the errno) of this error.
    pub fn class(self) -> ErrorClass {
        match self {
            Error::NoMem => ErrorClass::NoMem,
            Error::ElfTooShort { .. }
            | Error::ElfBadMagic
            | Error::ElfBadClass { .. }
            | Error::ElfBadEndian { .. }
            | Error::ElfNotRel { .. }
            | Error::ElfNotBpf { .. } => ErrorClass::NotBpfObject,
            Error::ElfBadVersion { .. } | Error::ElfBadEhsize { .. } => ErrorClass::Malformed,
        }
    }
}

impl From<crate::bpfobj::compat::AllocError> for Error {
    fn from(_: crate::bpfobj::compat::AllocError) -> Self {
        Error::NoMem
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::NoMem => write!(f, "out of memory"),
            Error::ElfTooShort { len } => {
                write!(f, "elf: file is {len} bytes, shorter than an ELF64 header")
            }
            Error::ElfBadMagic => write!(f, "elf: bad magic, not an ELF file"),
            Error::ElfBadClass { class } => write!(f, "elf: EI_CLASS {class}, not ELFCLASS64"),
            Error::ElfBadEndian { data } => {
                write!(f, "elf: EI_DATA {data}, not the host byte order")
            }
            Error::ElfBadVersion { version } => write!(f, "elf: version {version}, not EV_CURRENT"),
            Error::ElfNotRel { e_type } => {
                write!(f, "elf: e_type {e_type}, not a relocatable object (ET_REL)")
            }
            Error::ElfNotBpf { machine } => {
                write!(f, "elf: e_machine {machine}, not EM_BPF")
            }
            Error::ElfBadEhsize { ehsize } => write!(f, "elf: e_ehsize {ehsize}, expected 64"),
        }
    }
}
