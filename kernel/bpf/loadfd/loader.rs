// SPDX-License-Identifier: GPL-2.0

//! The loader object's Rust half: the kernel objects it owns, released by
//! `Drop`. Its C half (`struct loadfd_obj`, `loadfd_obj.h`) borrows them and
//! frees this last (`loadfd_rs_release()`).

use kernel::{alloc::KVec, bpf::Btf, prelude::*, types::ARef};

use crate::sys::MAX_MODULE_BTFS;

/// What a loader object owns on the Rust side.
pub(crate) struct LoaderObject {
    /// The object's BTF, as the kernel's BTF verifier loaded it
    /// (`obj->btf` borrows it).
    pub(crate) btf: Option<ARef<Btf>>,
    /// The module BTFs the object's ksyms and kfuncs are in: slot `i + 1`
    /// of `obj->btfs`, which borrows them.
    pub(crate) module_btfs: KVec<ARef<Btf>>,
}

impl LoaderObject {
    /// An empty object, with room for every module BTF it may use (so that
    /// recording one never allocates: C borrows each as soon as it is found).
    pub(crate) fn new() -> Result<Self> {
        Ok(LoaderObject {
            btf: None,
            module_btfs: KVec::with_capacity(MAX_MODULE_BTFS, GFP_KERNEL)?,
        })
    }
}
