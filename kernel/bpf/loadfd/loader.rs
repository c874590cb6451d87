// SPDX-License-Identifier: GPL-2.0

//! The loader object's Rust half: the kernel objects it owns (its maps and
//! BTFs) and its programs' layouts, released by `Drop`. Its C half (`struct loadfd_obj`, `loadfd_obj.h`) borrows them and
//! frees this last (`loadfd_rs_release()`).

use kernel::{
    alloc::{KVVec, KVec},
    bpf::{Btf, MapUref},
    prelude::*,
    types::ARef,
};

use crate::bpfobj::compat::GFP_INPUT;
use crate::sys::MAX_MODULE_BTFS;

/// What a loader object owns on the Rust side.
pub(crate) struct LoaderObject {
    /// Its maps, created, bound or reused from a pin, then its struct_ops
    /// maps, in the object's index order (`obj->maps` borrows them);
    /// dropped first.
    pub(crate) maps: KVVec<MapUref>,
    /// Each loadable program as the verifier takes it (`obj->progs[i]`
    /// borrows the layouts), in the order they were added.
    pub(crate) progs: KVVec<ProgLayouts>,
    /// The object's BTF, as the kernel's BTF verifier loaded it
    /// (`obj->btf` borrows it).
    pub(crate) btf: Option<ARef<Btf>>,
    /// The module BTFs the object's ksyms and kfuncs are in: slot `i + 1`
    /// of `obj->btfs`, which borrows them.
    pub(crate) module_btfs: KVec<ARef<Btf>>,
    /// The module BTFs its struct_ops maps' structs are in (their
    /// programs' attach BTF borrows them).
    pub(crate) struct_ops_btfs: KVec<ARef<Btf>>,
}

impl LoaderObject {
    /// An empty object, with room for every module BTF it may use (so that
    /// recording one never allocates: C borrows each as soon as it is found).
    pub(crate) fn new() -> Result<Self> {
        Ok(LoaderObject {
            maps: KVVec::new(),
            progs: KVVec::new(),
            btf: None,
            module_btfs: KVec::with_capacity(MAX_MODULE_BTFS, GFP_INPUT)?,
            struct_ops_btfs: KVec::new(),
        })
    }
}

/// A program's `BPF_PROG_LOAD` layouts ([`crate::bpfobj::plan::ProgLoad`]),
/// kept for its loads by name.
pub(crate) struct ProgLayouts {
    pub(crate) insns: KVVec<u8>,
    pub(crate) func_info: KVVec<u8>,
    pub(crate) line_info: KVVec<u8>,
    pub(crate) core_relos: KVVec<u8>,
}
