// SPDX-License-Identifier: GPL-2.0

//! Bounds-checked readers over untrusted bytes, shared by the ELF, BTF,
//! `.BTF.ext` and instruction parsers (the leaf every parser builds on).

use crate::bpfobj::limits::MAX_NAME_LEN;

/// A `u32` from the input as an index or length. On the 64-bit kernels BPF
/// runs on this never saturates; if it did, the bounds check that follows
/// would refuse it.
pub(crate) fn to_usize(x: u32) -> usize {
    usize::try_from(x).unwrap_or(usize::MAX)
}

/// A little bounds-checked reader over a byte slice, in host byte order.
///
/// Every read either returns the value and advances, or returns `None` and
/// leaves the cursor where it was; nothing here can panic.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    /// A cursor over `b`.
    pub(crate) fn new(b: &'a [u8]) -> Self {
        Cursor(b)
    }

    /// Reads `N` bytes.
    pub(crate) fn bytes<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (b, rest) = self.0.split_first_chunk::<N>()?;
        self.0 = rest;
        Some(*b)
    }

    /// Reads a `u8`.
    pub(crate) fn u8(&mut self) -> Option<u8> {
        self.bytes::<1>().map(|[b]| b)
    }

    /// Reads a `u16`.
    pub(crate) fn u16(&mut self) -> Option<u16> {
        self.bytes::<2>().map(u16::from_ne_bytes)
    }

    /// Reads a `u32`.
    pub(crate) fn u32(&mut self) -> Option<u32> {
        self.bytes::<4>().map(u32::from_ne_bytes)
    }

    /// Reads a `u64`.
    pub(crate) fn u64(&mut self) -> Option<u64> {
        self.bytes::<8>().map(u64::from_ne_bytes)
    }
}

/// `b[off..off + len]`, or `None` if any part of it is out of bounds.
pub(crate) fn sub(b: &[u8], off: usize, len: usize) -> Option<&[u8]> {
    b.get(off..off.checked_add(len)?)
}

/// Why [`cstr_at`] found no name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CStrError {
    /// The offset is outside the table, or the string is not terminated.
    Bad,
    /// No NUL within [`MAX_NAME_LEN`] bytes.
    TooLong,
}

/// The NUL-terminated string at `off` in the string table `tab`, without its
/// NUL. The search for the NUL reads at most [`MAX_NAME_LEN`]` + 1` bytes:
/// names are never longer, and an unbounded search per name is quadratic
/// when many names share one long string.
pub(crate) fn cstr_at(tab: &[u8], off: usize) -> Result<&[u8], CStrError> {
    let s = tab.get(off..).ok_or(CStrError::Bad)?;
    let window = s.get(..MAX_NAME_LEN.saturating_add(1)).unwrap_or(s);
    match window.iter().position(|&b| b == 0) {
        Some(end) => s.get(..end).ok_or(CStrError::Bad),
        None if window.len() < s.len() => Err(CStrError::TooLong),
        None if window.len() > MAX_NAME_LEN => Err(CStrError::TooLong),
        None => Err(CStrError::Bad),
    }
}
