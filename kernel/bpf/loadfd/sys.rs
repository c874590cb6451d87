// SPDX-License-Identifier: GPL-2.0

//! The only file of the loader with `unsafe` and `bindings::`: entry points
//! called from C (`loadfd*.c`) and thin safe wrappers over what they hand us.

use core::marker::PhantomData;
use core::ptr::NonNull;
use kernel::alloc::KVec;
use kernel::bindings;
use kernel::bpf::{Btf, MapUref, VerifierLog};
use kernel::error::{code, Error, Result};
use kernel::ffi::{c_int, c_void};
use kernel::prelude::*;
use kernel::types::{ARef, ForeignOwnable};

use crate::loader::{LoaderObject, Prog};

use crate::bpfobj::compat::GFP_INPUT;
use crate::bpfobj::error::ErrorClass;
use crate::bpfobj::maps::{MapDef, SlotTarget};
use crate::bpfobj::model::Program;
use crate::bpfobj::plan::{
    records, MapPlan, CORE_RELO_REC_SIZE, FUNC_INFO_REC_SIZE, INSN_REC_SIZE, LINE_INFO_REC_SIZE,
};
use crate::bpfobj::struct_ops::{self, StructOpsMap};

/// The errno of a core error class (the core's numbers are asserted
/// against the kernel's in `uapi_check.rs`).
pub(crate) fn class_error(class: ErrorClass) -> Error {
    Error::from_errno(-class.errno())
}

/// Most module BTFs one object may use (`obj->btfs`).
pub(crate) const MAX_MODULE_BTFS: usize = bindings::LOADFD_MAX_MODULE_BTFS as usize;

/// Converts a length for C, refusing what does not fit in a `u32`.
fn len32(n: usize) -> Result<u32> {
    u32::try_from(n).map_err(|_| code::E2BIG)
}

/// The map a successful `loadfd_obj_add_map()` or
/// `loadfd_obj_add_struct_ops()` handed over.
fn map_ref(r: *mut bindings::bpf_map) -> Result<MapUref> {
    let r = NonNull::new(r).ok_or(code::EINVAL)?;
    // SAFETY: on success both hand over the map with a reference and a user reference.
    Ok(unsafe { MapUref::from_raw(r) })
}

/// Maps a C return value (0 / index or negative errno) to a `Result`.
fn check(ret: c_int) -> Result<u32> {
    u32::try_from(ret).map_err(|_| Error::from_errno(ret))
}

/// A map definition for C: everything but its inner map and contents.
fn map_spec_c(
    d: &MapDef<'_>,
    max_entries: u32,
    btf_ids: (u32, u32),
) -> Result<bindings::loadfd_map_spec> {
    Ok(bindings::loadfd_map_spec {
        name: d.name.as_ptr(),
        name_len: len32(d.name.len())?,
        map_type: d.map_type,
        key_size: d.key_size,
        value_size: d.value_size,
        max_entries,
        map_flags: d.map_flags,
        numa_node: d.numa_node,
        btf_key_type_id: btf_ids.0,
        btf_value_type_id: btf_ids.1,
        map_extra: d.map_extra,
        inner: core::ptr::null(),
        init_data: core::ptr::null(),
        init_size: 0,
        freeze: false,
        kconfig: false,
        arena_data: core::ptr::null(),
        arena_data_len: 0,
        arena_size: 0,
        pin_by_name: false,
    })
}

// The core's "no program in this member" is the C side's.
const _: () = assert!(struct_ops::NO_PROG == bindings::LOADFD_NO_PROG);

/// What [`ObjBuilder::add_prog`] adds besides the program's names and
/// layouts.
pub(crate) enum ProgState<'a> {
    /// A program that links, with its `BPF_PROG_LOAD` attributes.
    Loadable {
        prog: &'a Program<'a>,
        expected_attach_type: u32,
        attach_btf_kind: u32,
    },
    /// A program that does not link: its loads by name fail with `errno`
    /// (and its names' `load_err` line).
    Refused { prog_type: u32, errno: Error },
}

/// The loader object under construction (`struct loadfd_obj`, owned by
/// `loadfd.c`; it outlives this builder).
///
/// # Invariants
///
/// `self.0` points to the object `loadfd.c` passed to `loadfd_rs_create()`, valid
/// and not used by anyone else for the whole call, which is this builder's
/// whole life.
pub(crate) struct ObjBuilder<'a>(
    NonNull<bindings::loadfd_obj>,
    PhantomData<&'a mut bindings::loadfd_obj>,
);

impl ObjBuilder<'_> {
    /// Sizes the object for `maps` maps and `progs` programs, records its
    /// license and kernel version, and loads its (fixed-up) BTF, if any,
    /// through the kernel's BTF verifier; the object borrows the returned
    /// reference.
    pub(crate) fn begin(
        &mut self,
        license: &[u8],
        kern_version: u32,
        maps: usize,
        progs: usize,
        btf: Option<&[u8]>,
    ) -> Result<Option<ARef<Btf>>> {
        let c = bindings::loadfd_obj_spec {
            license: license.as_ptr(),
            license_len: len32(license.len())?,
            kern_version,
            map_cnt: len32(maps)?,
            prog_cnt: len32(progs)?,
            btf: btf.map_or(core::ptr::null(), |b| b.as_ptr().cast()),
            btf_size: len32(btf.map_or(0, |b| b.len()))?,
        };
        let mut r = core::ptr::null_mut();
        // SAFETY: `self.0` is live (invariant); `c`'s pointers are valid for their lengths.
        check(unsafe { bindings::loadfd_obj_begin(self.0.as_ptr(), &c, &mut r) })?;
        // SAFETY: a BTF `loadfd_obj_begin()` hands over comes with its reference.
        Ok(NonNull::new(r).map(|r| unsafe { Btf::from_raw(r) }))
    }

    /// Binds the caller's map of this name or creates it; returns its index
    /// and the map, which the object borrows.
    pub(crate) fn add_map(&mut self, m: &MapPlan<'_>) -> Result<(u32, MapUref)> {
        let inner = match m.inner {
            Some((d, max_entries)) => Some(map_spec_c(d, max_entries, d.create_btf_ids())?),
            None => None,
        };
        let mut c = map_spec_c(
            m.def,
            m.max_entries,
            (m.btf_key_type_id, m.btf_value_type_id),
        )?;
        c.inner = inner
            .as_ref()
            .map_or(core::ptr::null(), |i| i as *const bindings::loadfd_map_spec);
        if let Some(d) = m.init {
            c.init_data = d.as_ptr();
            c.init_size = len32(d.len())?;
        }
        c.freeze = m.freeze;
        c.kconfig = m.kconfig;
        c.pin_by_name = m.pin_by_name;
        if let Some((d, size)) = m.arena {
            c.arena_data = d.as_ptr();
            c.arena_data_len = len32(d.len())?;
            c.arena_size = size;
        }
        let mut r = core::ptr::null_mut();
        // SAFETY: `self.0` is live (invariant); `c` and its slices outlive the call; `r` is out.
        let idx = check(unsafe { bindings::loadfd_obj_add_map(self.0.as_ptr(), &c, &mut r) })?;
        Ok((idx, map_ref(r)?))
    }

    /// Sets initial slot `slot` of map `map`: a map-in-map's slot to a map
    /// now, a prog array's slot to a program (an index of the programs
    /// added with [`ObjBuilder::add_prog`]) when that program is loaded by
    /// name.
    pub(crate) fn add_slot(&mut self, map: usize, slot: u32, target: SlotTarget) -> Result {
        let (kind, target) = match target {
            SlotTarget::Map(t) => (bindings::loadfd_slot_kind_LOADFD_SLOT_MAP, t),
            SlotTarget::Prog(p) => (bindings::loadfd_slot_kind_LOADFD_SLOT_PROG, p),
        };
        let (map, target) = (len32(map)?, len32(target)?);
        // SAFETY: `self.0` is live (invariant); the C side checks the indices.
        check(unsafe { bindings::loadfd_obj_add_slot(self.0.as_ptr(), map, slot, kind, target) })
            .map(|_| ())
    }

    /// Adds program `kept`, which the object borrows from now on, whatever
    /// the result: its names and layouts must stay where they are for the
    /// object's life.
    pub(crate) fn add_prog(&mut self, kept: &Prog, state: ProgState<'_>) -> Result {
        let (n, l) = (&kept.names, &kept.layouts);
        let mut c = bindings::loadfd_prog_spec {
            name: n.name.as_ptr().cast(),
            // Without its NUL.
            name_len: len32(n.name.len().saturating_sub(1))?,
            section: n.section.as_ptr().cast(),
            attach_func: n.attach_func.as_ptr().cast(),
            attach_btf_name: n.attach_btf_name.as_ptr().cast(),
            ..Default::default()
        };
        match state {
            ProgState::Loadable {
                prog: p,
                expected_attach_type,
                attach_btf_kind,
            } => {
                c.attach_btf_kind = attach_btf_kind;
                c.prog_type = p.prog_type;
                c.expected_attach_type = expected_attach_type;
                c.prog_flags = p.prog_flags;
                c.sleepable = p.sleepable;
                c.insns = l.insns.as_ptr().cast();
                c.insn_cnt = records(&l.insns, INSN_REC_SIZE);
                c.func_info = l.func_info.as_ptr().cast();
                c.func_info_cnt = records(&l.func_info, FUNC_INFO_REC_SIZE);
                c.func_info_rec_size = FUNC_INFO_REC_SIZE;
                c.line_info = l.line_info.as_ptr().cast();
                c.line_info_cnt = records(&l.line_info, LINE_INFO_REC_SIZE);
                c.line_info_rec_size = LINE_INFO_REC_SIZE;
                c.core_relos = l.core_relos.as_ptr().cast();
                c.core_relo_cnt = records(&l.core_relos, CORE_RELO_REC_SIZE);
                c.core_relo_rec_size = CORE_RELO_REC_SIZE;
            }
            ProgState::Refused { prog_type, errno } => {
                c.prog_type = prog_type;
                c.load_err = errno.to_errno();
                c.load_err_msg = n.load_err.as_ptr().cast();
            }
        }
        // SAFETY: `self.0` is live (invariant); each pointer in `c` is valid for
        // its count or NUL-terminated, and `kept` outlives the object.
        check(unsafe { bindings::loadfd_obj_add_prog(self.0.as_ptr(), &c) }).map(|_| ())
    }

    /// Creates a struct_ops map of the object (after its programs): `progs`
    /// holds, per member of the struct, the index of the program the object
    /// puts there or [`struct_ops::NO_PROG`]. Returns the map's index and
    /// the map; the module BTF its struct is in, if any, goes to
    /// `module_btf` whatever the result (the programs borrow it), which
    /// must have room for it.
    pub(crate) fn add_struct_ops(
        &mut self,
        s: &StructOpsMap<'_>,
        module_btf: &mut KVec<ARef<Btf>>,
    ) -> Result<(u32, MapUref)> {
        let c = bindings::loadfd_st_ops_spec {
            name: s.name.as_ptr(),
            name_len: len32(s.name.len())?,
            type_id: s.type_id,
            data: s.data.as_ptr(),
            data_len: len32(s.data.len())?,
            progs: s.progs.as_ptr(),
            member_cnt: len32(s.progs.len())?,
            link: s.link,
        };
        let (mut r, mut b) = (core::ptr::null_mut(), core::ptr::null_mut());
        let obj = self.0.as_ptr();
        // SAFETY: `obj` is live (invariant); `c` points to valid lengths; `r` and `b` are out.
        let ret = unsafe { bindings::loadfd_obj_add_struct_ops(obj, &c, &mut r, &mut b) };
        if let Some(b) = NonNull::new(b) {
            // SAFETY: a BTF `loadfd_obj_add_struct_ops()` hands over comes with its reference.
            module_btf.push(unsafe { Btf::from_raw(b) }, GFP_INPUT)?;
        }
        let idx = check(ret)?;
        Ok((idx, map_ref(r)?))
    }

    /// BTF id of `name` of BTF kind `kind` in vmlinux or a module, with the
    /// module BTF slot (0 for vmlinux), and the module BTF's reference when
    /// this lookup gave it its slot (the object borrows it from then on).
    pub(crate) fn btf_find(
        &self,
        name: &[u8],
        kind: u32,
        local_type_id: u32,
    ) -> Option<(u32, u32, Option<ARef<Btf>>)> {
        let mut slot = 0u32;
        let mut r = core::ptr::null_mut();
        // SAFETY: `self.0` is live (invariant); `name` is valid; `slot` and `r` are out pointers.
        let id = unsafe {
            bindings::loadfd_btf_find(
                self.0.as_ptr(),
                name.as_ptr(),
                name.len(),
                kind,
                local_type_id,
                &mut slot,
                &mut r,
            )
        };
        let new = match NonNull::new(r) {
            // SAFETY: a BTF `loadfd_btf_find()` returns comes with its reference.
            Some(r) => Some(unsafe { Btf::from_raw(r) }),
            None => None,
        };
        u32::try_from(id).ok().map(|id| (id, slot, new))
    }
}

/// The running kernel's own `.config` text.
pub(crate) fn kconfig_text() -> &'static [u8] {
    // SAFETY: `kconfig_blob.S` places the two symbols around the embedded
    // `.config`, static read-only data that lives as long as the kernel.
    unsafe {
        let start = core::ptr::addr_of!(bindings::loadfd_config_data).cast::<u8>();
        let end = core::ptr::addr_of!(bindings::loadfd_config_data_end).cast::<u8>();
        core::slice::from_raw_parts(start, (end as usize).saturating_sub(start as usize))
    }
}

/// `LINUX_VERSION_CODE`.
pub(crate) const KERNEL_VERSION: u32 = bindings::LINUX_VERSION_CODE;

/// Address of the vmlinux symbol `name` (kallsyms), if it exists.
///
/// Fails with `EPERM` if the caller may not see kernel addresses,
/// `EOPNOTSUPP` for a module symbol and `EINTR` on a fatal signal.
pub(crate) fn kallsyms(name: &[u8]) -> Result<Option<u64>> {
    let mut addr = 0u64;
    // SAFETY: `name` is valid for its length (C copies it); `addr` is a valid out pointer.
    let ret = unsafe { bindings::loadfd_kallsyms(name.as_ptr(), name.len(), &mut addr) };
    match ret {
        0 => Ok(None),
        r if r > 0 => Ok(Some(addr)),
        r => Err(Error::from_errno(r)),
    }
}

/// Gives the CPU back if needed; fails with `EINTR` once the caller has a
/// fatal signal. Called between units of input-sized work.
pub(crate) fn checkpoint() -> Result {
    kernel::task::cond_resched();
    if kernel::current!().fatal_signal_pending() {
        Err(code::EINTR)
    } else {
        Ok(())
    }
}

/// Builds a loader object from the object file's bytes.
///
/// Returns 0 or a negative errno; every rejection also writes its reason to
/// `log`. `*rs` gets the object's Rust half whatever the result: its C half
/// may already borrow from it.
///
/// # Safety
///
/// `data` must be valid for reads of `len` bytes and not change during the
/// call; `log` must be a log initialised with `bpf_vlog_init()` and `obj` the
/// loader object under construction, both valid for the call and used by no
/// one else meanwhile; `rs` must be valid for a write.
#[no_mangle]
pub(crate) unsafe extern "C" fn loadfd_rs_create(
    data: *const u8,
    len: usize,
    log: *mut bindings::bpf_verifier_log,
    obj: *mut bindings::loadfd_obj,
    rs: *mut *mut c_void,
) -> c_int {
    let data = if len == 0 {
        &[][..]
    } else {
        // SAFETY: the caller guarantees `data` is valid for `len` bytes and unchanged meanwhile.
        unsafe { core::slice::from_raw_parts(data, len) }
    };
    let (Some(log), Some(obj)) = (NonNull::new(log), NonNull::new(obj)) else {
        return code::EINVAL.to_errno();
    };
    let mut lo = match LoaderObject::new().and_then(|lo| Ok(KBox::new(lo, GFP_KERNEL)?)) {
        Ok(lo) => lo,
        Err(e) => return e.to_errno(),
    };
    // SAFETY: the caller guarantees `log` is initialised and ours for the call.
    let mut log = unsafe { VerifierLog::from_raw(log) };
    // INVARIANT: `obj` is the object under construction, valid for this call.
    let mut obj = ObjBuilder(obj, PhantomData);
    let ret = match crate::load::create(data, &mut log, &mut obj, &mut lo) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    };
    // SAFETY: the caller guarantees `rs` is valid for a write.
    unsafe { *rs = lo.into_foreign().cast_mut() };
    ret
}

/// Frees a loader object's Rust half (everything it owns).
///
/// # Safety
///
/// `rs` must be NULL or what `loadfd_rs_create()` stored, not used since
/// (and not afterwards: nothing may borrow from it any more).
#[no_mangle]
pub(crate) unsafe extern "C" fn loadfd_rs_release(rs: *mut c_void) {
    if !rs.is_null() {
        // SAFETY: The caller guarantees `rs` came from `into_foreign()`, given back once.
        drop(unsafe { KBox::<LoaderObject>::from_foreign(rs) });
    }
}
