// SPDX-License-Identifier: GPL-2.0

//! The only file of the loader with `unsafe` and `bindings::`: entry points
//! called from C (`loadfd*.c`) and thin safe wrappers over what they hand us.

use core::fmt::{self, Write};
use core::marker::PhantomData;
use core::ptr::NonNull;
use kernel::bindings;
use kernel::bpf::{Btf, LineBuf, MapUref, VerifierLog};
use kernel::error::{code, Error, Result};
use kernel::ffi::{c_int, c_void};
use kernel::prelude::*;
use kernel::types::{ARef, ForeignOwnable};

use crate::loader::LoaderObject;

use crate::bpfobj::error::ErrorClass;
use crate::bpfobj::maps::MapDef;
use crate::bpfobj::plan::{
    MapPlan, ProgLoad, CORE_RELO_REC_SIZE, FUNC_INFO_REC_SIZE, LINE_INFO_REC_SIZE,
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
    /// Sizes the object's map and program arrays.
    pub(crate) fn reserve(&mut self, maps: usize, progs: usize) -> Result {
        let (maps, progs) = (len32(maps)?, len32(progs)?);
        // SAFETY: by the type invariant, `self.0` is the live object under construction.
        check(unsafe { bindings::loadfd_obj_reserve(self.0.as_ptr(), maps, progs) }).map(|_| ())
    }

    /// Records the license and kernel version.
    pub(crate) fn set_meta(&mut self, license: &[u8], kern_version: u32) -> Result {
        let len = len32(license.len())?;
        // SAFETY: `self.0` is live (invariant); `license` is valid for `len` bytes.
        check(unsafe {
            bindings::loadfd_obj_set_meta(self.0.as_ptr(), license.as_ptr(), len, kern_version)
        })
        .map(|_| ())
    }

    /// Loads the object's (fixed-up) BTF through the kernel's BTF verifier;
    /// the object borrows the returned reference.
    pub(crate) fn load_btf(&mut self, btf: &[u8]) -> Result<ARef<Btf>> {
        let len = len32(btf.len())?;
        let mut r = core::ptr::null_mut();
        // SAFETY: `self.0` is live (invariant); `btf` has `len` bytes; `r` is an out pointer.
        check(unsafe {
            bindings::loadfd_obj_load_btf(self.0.as_ptr(), btf.as_ptr().cast(), len, &mut r)
        })?;
        let r = NonNull::new(r).ok_or(code::EINVAL)?;
        // SAFETY: on success `loadfd_obj_load_btf()` hands over the new BTF's reference.
        Ok(unsafe { Btf::from_raw(r) })
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

    /// Sets initial slot `slot` of map-in-map `map` to map `target`.
    pub(crate) fn set_map_slot(&mut self, map: u32, slot: u32, target: u32) -> Result {
        // SAFETY: `self.0` is live (invariant); the C side checks the indices.
        check(unsafe { bindings::loadfd_obj_set_map_slot(self.0.as_ptr(), map, slot, target) })
            .map(|_| ())
    }

    /// Prog-array slot `slot` of map `map` gets program `prog` (an index of
    /// the programs added with [`ObjBuilder::add_prog`]) when that program
    /// is loaded by name.
    pub(crate) fn add_prog_slot(&mut self, map: u32, slot: u32, prog: u32) -> Result {
        // SAFETY: `self.0` is live (invariant); the C side checks the indices.
        check(unsafe { bindings::loadfd_obj_add_prog_slot(self.0.as_ptr(), map, slot, prog) })
            .map(|_| ())
    }

    /// Adds a relocated program (the C side copies everything).
    pub(crate) fn add_prog(&mut self, l: &ProgLoad<'_>) -> Result {
        let p = l.prog;
        let c = bindings::loadfd_prog_spec {
            name: p.name.as_ptr(),
            name_len: len32(p.name.len())?,
            section: p.section.as_ptr(),
            section_len: len32(p.section.len())?,
            attach_func: p.attach_func.as_ptr(),
            attach_func_len: len32(p.attach_func.len())?,
            attach_prefix: p.attach_btf_prefix.as_ptr(),
            attach_prefix_len: len32(p.attach_btf_prefix.len())?,
            attach_btf_kind: l.attach_btf_kind,
            prog_type: p.prog_type,
            expected_attach_type: l.expected_attach_type,
            prog_flags: p.prog_flags,
            sleepable: p.sleepable,
            insns: l.insns.as_ptr().cast(),
            insn_cnt: l.insn_cnt(),
            func_info: l.func_info.as_ptr().cast(),
            func_info_cnt: l.func_info_cnt(),
            func_info_rec_size: FUNC_INFO_REC_SIZE,
            line_info: l.line_info.as_ptr().cast(),
            line_info_cnt: l.line_info_cnt(),
            line_info_rec_size: LINE_INFO_REC_SIZE,
            core_relos: l.core_relos.as_ptr().cast(),
            core_relo_cnt: l.core_relo_cnt(),
            core_relo_rec_size: CORE_RELO_REC_SIZE,
        };
        // SAFETY: `self.0` is live (invariant); each pointer in `c` is valid for its count.
        check(unsafe { bindings::loadfd_obj_add_prog(self.0.as_ptr(), &c) }).map(|_| ())
    }

    /// Creates a struct_ops map of the object (after its programs): `progs`
    /// holds, per member of the struct, the index of the program the object
    /// puts there or [`struct_ops::NO_PROG`]. Returns the map's index.
    pub(crate) fn add_struct_ops(&mut self, s: &StructOpsMap<'_>) -> Result<(u32, MapUref)> {
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
        let mut r = core::ptr::null_mut();
        let obj = self.0.as_ptr();
        // SAFETY: `obj` is live (invariant); `c` points to valid lengths; `r` is out.
        let idx = check(unsafe { bindings::loadfd_obj_add_struct_ops(obj, &c, &mut r) })?;
        Ok((idx, map_ref(r)?))
    }

    /// Adds a program that cannot be loaded: its by-name load fails with
    /// `errno` and the line `why`.
    pub(crate) fn add_prog_error(
        &mut self,
        name: &[u8],
        section: &[u8],
        prog_type: u32,
        errno: Error,
        why: fmt::Arguments<'_>,
    ) -> Result {
        let mut line = LineBuf::new();
        // Cutting a too long line is fine: `write_str` never fails.
        let _ = line.write_fmt(why);
        let msg = line.as_bytes();
        // SAFETY: `self.0` is live (invariant); each pointer is valid for its length.
        check(unsafe {
            bindings::loadfd_obj_add_prog_error(
                self.0.as_ptr(),
                name.as_ptr(),
                len32(name.len())?,
                section.as_ptr(),
                len32(section.len())?,
                prog_type,
                errno.to_errno(),
                msg.as_ptr(),
                len32(msg.len())?,
            )
        })
        .map(|_| ())
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
    let mut len = 0usize;
    // SAFETY: the embedded `.config` is static, read-only `.rodata` of exactly that length.
    unsafe {
        let p = bindings::loadfd_kconfig_text(&mut len);
        core::slice::from_raw_parts(p, len)
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
    // SAFETY: only reschedules and reads the current task's signal state.
    match unsafe { bindings::loadfd_checkpoint() } {
        0 => Ok(()),
        r => Err(Error::from_errno(r)),
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

/// Sets up the C side (the `/sys/kernel/bpf_loadfd` kset).
pub(crate) fn glue_init() -> kernel::error::Result {
    // SAFETY: called once, from the module's init, before any loader exists.
    kernel::error::to_result(unsafe { bindings::loadfd_glue_init() })
}
