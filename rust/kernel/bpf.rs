// SPDX-License-Identifier: GPL-2.0

//! BPF objects: BTF and maps as reference-counted types, and the verifier
//! log a BPF command writes its reasons to.
//!
//! C headers: [`include/linux/bpf.h`](srctree/include/linux/bpf.h),
//! [`include/linux/btf.h`](srctree/include/linux/btf.h) and
//! [`include/linux/bpf_verifier.h`](srctree/include/linux/bpf_verifier.h).

use crate::{
    bindings,
    types::{ARef, AlwaysRefCounted, Opaque},
};
use core::{
    fmt::{self, Write},
    marker::PhantomData,
    ptr::NonNull,
};

/// A BTF object (`struct btf`): the kernel's, a module's, or one loaded from
/// user or kernel memory.
///
/// # Invariants
///
/// Instances are always valid BTF objects created by the C portion of the
/// kernel, and always reference-counted: a call to `btf_get()` keeps the
/// object alive at least until the matching `btf_put()`.
#[repr(transparent)]
pub struct Btf(Opaque<bindings::btf>);

impl Btf {
    /// Takes over a reference the caller owns.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid `struct btf`, and the caller must own a
    /// reference to it (from `btf_get()` or the function that created it),
    /// which the returned [`ARef`] releases.
    pub unsafe fn from_raw(ptr: NonNull<bindings::btf>) -> ARef<Btf> {
        // SAFETY: `Btf` wraps `struct btf` transparently; the caller hands over its reference.
        unsafe { ARef::from_raw(ptr.cast()) }
    }

    /// The `struct btf` pointer, for C that borrows it (it stays valid as
    /// long as this reference is held).
    pub fn as_ptr(&self) -> *mut bindings::btf {
        self.0.get()
    }
}

// SAFETY: The type invariants guarantee that `Btf` is always refcounted.
unsafe impl AlwaysRefCounted for Btf {
    fn inc_ref(&self) {
        // SAFETY: The existence of a shared reference means that the refcount is nonzero.
        unsafe { bindings::btf_get(self.0.get()) };
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The safety requirements guarantee that the refcount is nonzero.
        unsafe { bindings::btf_put(obj.cast().as_ptr()) };
    }
}

// SAFETY: BTF objects are immutable once created and their refcount is
// atomic; `btf_put()` may be called from any thread.
unsafe impl Send for Btf {}
// SAFETY: See `Send`; `&Btf` only reads.
unsafe impl Sync for Btf {}

/// A BPF map (`struct bpf_map`), held by a kernel reference (what programs
/// and inner-map slots hold; a reference does not keep a map's user-visible
/// state, which needs a user reference).
///
/// # Invariants
///
/// Instances are always valid maps created by the C portion of the kernel,
/// and always reference-counted: `bpf_map_inc()` keeps the map alive at
/// least until the matching `bpf_map_put()`.
#[repr(transparent)]
pub struct Map(Opaque<bindings::bpf_map>);

impl Map {
    /// Takes over a reference the caller owns.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid `struct bpf_map`, and the caller must own
    /// a (non-user) reference to it, which the returned [`ARef`] releases.
    pub unsafe fn from_raw(ptr: NonNull<bindings::bpf_map>) -> ARef<Map> {
        // SAFETY: `Map` wraps `struct bpf_map` transparently; the caller hands over its reference.
        unsafe { ARef::from_raw(ptr.cast()) }
    }

    /// The `struct bpf_map` pointer, for C that borrows it.
    pub fn as_ptr(&self) -> *mut bindings::bpf_map {
        self.0.get()
    }
}

// SAFETY: The type invariants guarantee that `Map` is always refcounted.
unsafe impl AlwaysRefCounted for Map {
    fn inc_ref(&self) {
        // SAFETY: The existence of a shared reference means that the refcount is nonzero.
        unsafe { bindings::bpf_map_inc(self.0.get()) };
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The safety requirements guarantee that the refcount is nonzero.
        unsafe { bindings::bpf_map_put(obj.cast().as_ptr()) };
    }
}

// SAFETY: A map's refcount is atomic and `bpf_map_put()` may be called from
// any thread (the final free is deferred to a work item).
unsafe impl Send for Map {}
// SAFETY: See `Send`; the methods of `&Map` read fields set before the map
// is published.
unsafe impl Sync for Map {}

/// A map held with a user reference as well as a reference, as a map fd or
/// a pin holds it: while it is held the map keeps its user-visible state
/// (a program array its programs), which a bare [`Map`] reference does not.
///
/// # Invariants
///
/// `self.0` points to a valid map on which this value owns one reference
/// and one user reference (as from `bpf_map_inc_with_uref()`), released
/// together by `bpf_map_put_with_uref()` when it is dropped.
pub struct MapUref(NonNull<bindings::bpf_map>);

impl MapUref {
    /// Takes over a reference and a user reference the caller owns.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid `struct bpf_map` on which the caller owns
    /// one reference and one user reference, which the returned value
    /// releases.
    pub unsafe fn from_raw(ptr: NonNull<bindings::bpf_map>) -> Self {
        // INVARIANT: The caller hands over a reference and a user reference.
        MapUref(ptr)
    }

    /// The `struct bpf_map` pointer, for C that borrows it.
    pub fn as_ptr(&self) -> *mut bindings::bpf_map {
        self.0.as_ptr()
    }

    /// The map.
    pub fn map(&self) -> &Map {
        // SAFETY: The map is valid while `self` holds it (invariant); `Map` wraps it transparently.
        unsafe { &*self.0.as_ptr().cast::<Map>() }
    }
}

impl Drop for MapUref {
    fn drop(&mut self) {
        // SAFETY: This value owns a reference and a user reference (invariant), given back once.
        unsafe { bindings::bpf_map_put_with_uref(self.0.as_ptr()) };
    }
}

// SAFETY: See `Map`: the counts are atomic and may be dropped on any thread.
unsafe impl Send for MapUref {}
// SAFETY: See `Map`.
unsafe impl Sync for MapUref {}

/// Longest line [`VerifierLog::line`] writes; longer ones are cut.
pub const LOG_LINE_MAX: usize = 256;

/// The log of a BPF command (`struct bpf_verifier_log`), where it explains
/// a rejection to its caller.
///
/// # Invariants
///
/// `self.0` points to a log set up with `bpf_vlog_init()`, valid and used by
/// nothing else for `'a`.
pub struct VerifierLog<'a>(
    NonNull<bindings::bpf_verifier_log>,
    PhantomData<&'a mut bindings::bpf_verifier_log>,
);

impl<'a> VerifierLog<'a> {
    /// Borrows the log at `ptr`.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a log set up with `bpf_vlog_init()` that is valid,
    /// and written by no one else, for `'a`.
    pub unsafe fn from_raw(ptr: NonNull<bindings::bpf_verifier_log>) -> Self {
        // INVARIANT: The caller guarantees the log is valid and ours for `'a`.
        VerifierLog(ptr, PhantomData)
    }

    /// Appends one line (a newline is added); lines longer than
    /// [`LOG_LINE_MAX`] are cut.
    pub fn line(&mut self, args: fmt::Arguments<'_>) {
        let mut line = LineBuf::new();
        // Cutting a long line is fine: `write_str` never fails.
        let _ = line.write_fmt(args);
        let bytes = line.as_bytes();
        let len = i32::try_from(bytes.len()).unwrap_or(0);
        // `%.*s` takes an `int` length and a buffer of that many bytes, which `bpf_log()` copies.
        // SAFETY: The log is valid and ours (invariant); `bytes` has `len` bytes.
        unsafe {
            bindings::bpf_log(
                self.0.as_ptr(),
                crate::c_str!("%.*s\n").as_char_ptr(),
                len,
                bytes.as_ptr(),
            )
        };
    }
}

/// A line being formatted, cut at [`LOG_LINE_MAX`] bytes.
pub struct LineBuf {
    buf: [u8; LOG_LINE_MAX],
    len: usize,
}

impl LineBuf {
    /// An empty line.
    pub const fn new() -> Self {
        LineBuf {
            buf: [0; LOG_LINE_MAX],
            len: 0,
        }
    }

    /// What was written so far.
    pub fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&[])
    }
}

impl Default for LineBuf {
    fn default() -> Self {
        Self::new()
    }
}

impl Write for LineBuf {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let room = self.buf.get_mut(self.len..).unwrap_or(&mut []);
        let n = s.len().min(room.len());
        if let (Some(dst), Some(src)) = (room.get_mut(..n), s.as_bytes().get(..n)) {
            dst.copy_from_slice(src);
            self.len = self.len.saturating_add(n);
        }
        Ok(())
    }
}
