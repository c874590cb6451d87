// SPDX-License-Identifier: GPL-2.0

//! The only file of the loader with `unsafe` and `bindings::`: entry points
//! called from `glue.c` and thin safe wrappers over what they hand us.

use kernel::ffi::c_int;
use core::fmt::{self, Write};
use kernel::bindings;

/// A negative errno as returned to C; the named constants are the ones the
/// loader uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Errno(c_int);

impl Errno {
    pub(crate) const INVAL: Errno = Errno::from_code(bindings::EINVAL);
    pub(crate) const NOEXEC: Errno = Errno::from_code(bindings::ENOEXEC);
    pub(crate) const TOOBIG: Errno = Errno::from_code(bindings::E2BIG);
    pub(crate) const OPNOTSUPP: Errno = Errno::from_code(bindings::EOPNOTSUPP);
    pub(crate) const NOENT: Errno = Errno::from_code(bindings::ENOENT);
    pub(crate) const NOMEM: Errno = Errno::from_code(bindings::ENOMEM);

    const fn from_code(code: u32) -> Errno {
        // CAST: errno constants are small positive numbers (< 4096).
        Errno(-(code as c_int))
    }
}

/// The caller's log (`struct bpf_verifier_log`, set up by `glue.c`).
pub(crate) struct Log(*mut bindings::bpf_verifier_log);

/// Longest line the log takes; longer reasons are cut.
const LINE_MAX: usize = 256;

struct LineBuf {
    buf: [u8; LINE_MAX],
    len: usize,
}

impl Write for LineBuf {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let room = self.buf.get_mut(self.len..).unwrap_or(&mut []);
        let n = s.len().min(room.len());
        if let (Some(dst), Some(src)) = (room.get_mut(..n), s.as_bytes().get(..n)) {
            dst.copy_from_slice(src);
            self.len += n;
        }
        Ok(())
    }
}

impl Log {
    /// Appends one line (the reason for a rejection, with its location).
    pub(crate) fn line(&mut self, args: fmt::Arguments<'_>) {
        let mut line = LineBuf {
            buf: [0; LINE_MAX],
            len: 0,
        };
        // Cutting a too long line is fine: `write_str` never fails.
        let _ = line.write_fmt(args);
        // SAFETY: `self.0` is the log `glue.c` initialised with `bpf_vlog_init()`
        // and keeps alive for the whole `loadfd_rs_create()` call; `line.buf` is
        // valid for `line.len` bytes and `loadfd_log()` reads no further.
        unsafe { bindings::loadfd_log(self.0, line.buf.as_ptr(), line.len) };
    }
}

/// Builds a loader object from the object file's bytes.
///
/// Returns a new fd or a negative errno; every rejection also writes its reason
/// to `log`.
///
/// # Safety
///
/// `data` must be valid for reads of `len` bytes and not change during the
/// call; `log` must be a log initialised with `bpf_vlog_init()` and `obj` the
/// loader object under construction, both valid for the call.
#[no_mangle]
pub unsafe extern "C" fn loadfd_rs_create(
    data: *const u8,
    len: usize,
    log: *mut bindings::bpf_verifier_log,
    _obj: *mut bindings::loadfd_obj,
) -> c_int {
    let data = if len == 0 {
        &[][..]
    } else {
        // SAFETY: the caller guarantees `data` is valid for `len` bytes (the
        // buffer `kernel_read_file()` filled) and unchanged while we run.
        unsafe { core::slice::from_raw_parts(data, len) }
    };
    let mut log = Log(log);
    match crate::load::create(data, &mut log) {
        Ok(fd) => fd,
        Err(Errno(e)) => e,
    }
}

/// Sets up the C side (the `/sys/kernel/bpf_loadfd` kset).
pub(crate) fn glue_init() -> kernel::error::Result {
    // SAFETY: called once, from the module's init, before any loader exists.
    kernel::error::to_result(unsafe { bindings::loadfd_glue_init() })
}
