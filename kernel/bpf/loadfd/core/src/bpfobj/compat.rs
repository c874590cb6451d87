// SPDX-License-Identifier: GPL-2.0

//! The one place where the kernel and userspace builds differ (like the
//! `#ifdef __KERNEL__` block at the top of libbpf's `relo_core.c`).
//!
//! Both sides offer the 6.12 kernel's `KVVec` API subset: fallible
//! allocation only (`push`, `with_capacity`, `reserve`, `extend_from_slice`,
//! `from_elem`), with GFP flags that userspace ignores.
//!
//! Every allocation of the core is sized by its (untrusted) input, so it
//! uses [`GFP_INPUT`]: charged to the caller's memory cgroup, and failing
//! with `ENOMEM` at the cgroup's limit instead of invoking the OOM killer on
//! the caller (as `bpf_map_area_alloc()` does), without a warning for sizes
//! the page allocator would warn about.

#[cfg(kernel)]
pub use kernel::alloc::{AllocError, Flags, KVVec};

/// `GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN`.
#[cfg(kernel)]
pub const GFP_INPUT: Flags = kernel::alloc::flags::GFP_KERNEL_ACCOUNT
    .union(kernel::alloc::flags::__GFP_RETRY_MAYFAIL)
    .union(kernel::alloc::flags::__GFP_NOWARN);

#[cfg(not(kernel))]
pub use user::{AllocError, Flags, KVVec, GFP_INPUT};

#[cfg(not(kernel))]
mod user {
    use core::ops::{Deref, DerefMut};

    /// Allocation failure.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct AllocError;

    /// Allocation flags (ignored in userspace).
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Flags(u32);

    /// Stand-in for the kernel's `GFP_INPUT`.
    pub const GFP_INPUT: Flags = Flags(0);

    /// A vector whose every allocation is fallible, like the kernel's `KVVec`.
    #[derive(Debug, Clone, PartialEq, Eq, Default)]
    pub struct KVVec<T>(alloc::vec::Vec<T>);

    impl<T> KVVec<T> {
        /// An empty vector (does not allocate).
        pub const fn new() -> Self {
            KVVec(alloc::vec::Vec::new())
        }

        /// An empty vector with room for `n` elements.
        pub fn with_capacity(n: usize, _flags: Flags) -> Result<Self, AllocError> {
            let mut v = alloc::vec::Vec::new();
            v.try_reserve(n).map_err(|_| AllocError)?;
            Ok(KVVec(v))
        }

        /// Makes room for `n` more elements.
        pub fn reserve(&mut self, n: usize, _flags: Flags) -> Result<(), AllocError> {
            self.0.try_reserve(n).map_err(|_| AllocError)
        }

        /// Appends `v`.
        pub fn push(&mut self, v: T, flags: Flags) -> Result<(), AllocError> {
            self.reserve(1, flags)?;
            self.0.push(v);
            Ok(())
        }

        /// Number of elements.
        pub fn len(&self) -> usize {
            self.0.len()
        }

        /// Whether the vector is empty.
        pub fn is_empty(&self) -> bool {
            self.0.is_empty()
        }

        /// The elements as a slice.
        pub fn as_slice(&self) -> &[T] {
            &self.0
        }

        /// The elements as a mutable slice.
        pub fn as_mut_slice(&mut self) -> &mut [T] {
            &mut self.0
        }
    }

    impl<T: Clone> KVVec<T> {
        /// Appends a copy of every element of `s`.
        pub fn extend_from_slice(&mut self, s: &[T], flags: Flags) -> Result<(), AllocError> {
            self.reserve(s.len(), flags)?;
            self.0.extend_from_slice(s);
            Ok(())
        }

        /// A vector of `n` copies of `v`.
        pub fn from_elem(v: T, n: usize, flags: Flags) -> Result<Self, AllocError> {
            let mut out = Self::with_capacity(n, flags)?;
            out.0.resize(n, v);
            Ok(out)
        }
    }

    impl<T> Deref for KVVec<T> {
        type Target = [T];
        fn deref(&self) -> &[T] {
            &self.0
        }
    }

    impl<T> DerefMut for KVVec<T> {
        fn deref_mut(&mut self) -> &mut [T] {
            &mut self.0
        }
    }
}
