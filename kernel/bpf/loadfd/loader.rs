// SPDX-License-Identifier: GPL-2.0

//! The loader object's Rust half: the kernel objects it owns (its maps and
//! BTFs) and its programs (names and layouts), released by `Drop`. Its C
//! half (`struct loadfd_obj`, `loadfd_obj.h`) borrows them and frees this
//! last (`loadfd_rs_release()`).

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
    /// Every program, in the order they were added (`obj->progs[i]`
    /// borrows its names and layouts).
    pub(crate) progs: KVVec<Prog>,
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

/// A program of the object: what its C half (`struct loadfd_prog`) borrows.
pub(crate) struct Prog {
    /// Its names, for sysfs and its loads by name.
    pub(crate) names: ProgNames,
    /// As the verifier takes it; empty for a program that does not link.
    pub(crate) layouts: ProgLayouts,
}

/// A program's strings, each NUL-terminated for C.
pub(crate) struct ProgNames {
    pub(crate) name: KVec<u8>,
    pub(crate) section: KVec<u8>,
    /// Empty for a program that does not link.
    pub(crate) attach_func: KVec<u8>,
    /// The attach target's BTF name (the `SEC()` prefix + `attach_func`).
    pub(crate) attach_btf_name: KVec<u8>,
    /// Why a program that does not link cannot be loaded (one log line, at
    /// most [`MAX_LOAD_ERR_LEN`] bytes); empty for a loadable one.
    pub(crate) load_err: KVec<u8>,
}

/// The longest reason kept for a program that does not link.
pub(crate) const MAX_LOAD_ERR_LEN: usize = 255;

/// `parts` concatenated and NUL-terminated (input-sized, so charged).
fn c_string(parts: &[&[u8]]) -> Result<KVec<u8>> {
    let mut s = KVec::new();
    for p in parts {
        s.extend_from_slice(p, GFP_INPUT)?;
    }
    s.push(0, GFP_INPUT)?;
    Ok(s)
}

impl ProgNames {
    /// The names of a program that links.
    pub(crate) fn new(
        name: &[u8],
        section: &[u8],
        attach_prefix: &[u8],
        attach_func: &[u8],
    ) -> Result<Self> {
        Ok(ProgNames {
            name: c_string(&[name])?,
            section: c_string(&[section])?,
            attach_func: c_string(&[attach_func])?,
            attach_btf_name: c_string(&[attach_prefix, attach_func])?,
            load_err: KVec::new(),
        })
    }

    /// The names of a program that does not link, and why (cut at
    /// [`MAX_LOAD_ERR_LEN`] bytes).
    pub(crate) fn refused(name: &[u8], section: &[u8], why: &[u8]) -> Result<Self> {
        Ok(ProgNames {
            name: c_string(&[name])?,
            section: c_string(&[section])?,
            attach_func: c_string(&[])?,
            attach_btf_name: c_string(&[])?,
            load_err: c_string(&[why.get(..MAX_LOAD_ERR_LEN).unwrap_or(why)])?,
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

impl ProgLayouts {
    /// No layouts (a program that does not link); allocates nothing.
    pub(crate) fn empty() -> Self {
        ProgLayouts {
            insns: KVVec::new(),
            func_info: KVVec::new(),
            line_info: KVVec::new(),
            core_relos: KVVec::new(),
        }
    }
}
