// SPDX-License-Identifier: GPL-2.0

//! Building a loader object from the object's bytes (no `unsafe` here).

use crate::bpfobj::{self, error::ErrorClass};
use crate::sys::{Errno, Log, ObjBuilder};

/// Runs the core on `data` and reports the first rejection to `log`.
pub(crate) fn create(data: &[u8], log: &mut Log, _obj: &mut ObjBuilder) -> Result<(), Errno> {
    if let Err(e) = bpfobj::elf::check_header(data) {
        log.line(format_args!("{e}"));
        return Err(lower(e.class()));
    }
    log.line(format_args!(
        "elf: BPF object accepted ({} bytes); loading is not implemented yet",
        data.len()
    ));
    Err(Errno::OPNOTSUPP)
}

/// Lowers a core error class to the errno the syscall returns.
pub(crate) fn lower(class: ErrorClass) -> Errno {
    match class {
        ErrorClass::Malformed => Errno::INVAL,
        ErrorClass::NotBpfObject => Errno::NOEXEC,
        ErrorClass::TooBig => Errno::TOOBIG,
        ErrorClass::Unsupported => Errno::OPNOTSUPP,
        ErrorClass::NotFound => Errno::NOENT,
        ErrorClass::NoMem => Errno::NOMEM,
    }
}
