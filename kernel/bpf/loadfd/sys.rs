// SPDX-License-Identifier: GPL-2.0

//! The only file of the loader with `unsafe` and `bindings::`: entry points
//! called from C (`loadfd*.c`) and thin safe wrappers over what they hand us.

use core::fmt::{self, Write};
use kernel::bindings;
use kernel::ffi::c_int;

use crate::bpfobj::error::ErrorClass;
use crate::bpfobj::maps::MapDef;
use crate::bpfobj::plan::{
    MapPlan, ProgLoad, CORE_RELO_REC_SIZE, FUNC_INFO_REC_SIZE, LINE_INFO_REC_SIZE,
};
use crate::bpfobj::struct_ops::{self, StructOpsMap};

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
    pub(crate) const INTR: Errno = Errno::from_code(bindings::EINTR);
    pub(crate) const PERM: Errno = Errno::from_code(bindings::EPERM);

    const fn from_code(code: u32) -> Errno {
        // CAST: errno constants are small positive numbers (< 4096).
        Errno(-(code as c_int))
    }

    /// The errno of a core error class (the core's numbers are asserted
    /// against the kernel's in `uapi_check.rs`).
    pub(crate) fn from_class(class: ErrorClass) -> Errno {
        Errno(-class.errno())
    }
}

/// The caller's log (`struct bpf_verifier_log`, set up by `loadfd.c`).
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
            // NO-OVERFLOW: `n` is at most the room left in `buf`.
            self.len = self.len.saturating_add(n);
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
        // SAFETY: `self.0` is the live log loadfd.c set up; `line.buf` has `line.len` bytes.
        unsafe { bindings::loadfd_log(self.0, line.buf.as_ptr(), line.len) };
    }
}

/// Converts a length for C, refusing what does not fit in a `u32`.
fn len32(n: usize) -> Result<u32, Errno> {
    u32::try_from(n).map_err(|_| Errno::TOOBIG)
}

/// Maps a C return value (0 / index or negative errno) to a `Result`.
fn check(ret: c_int) -> Result<u32, Errno> {
    u32::try_from(ret).map_err(|_| Errno(ret))
}

/// A map definition for C: everything but its inner map and contents.
fn map_spec_c(
    d: &MapDef<'_>,
    max_entries: u32,
    btf_ids: (u32, u32),
) -> Result<bindings::loadfd_map_spec, Errno> {
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
pub(crate) struct ObjBuilder(*mut bindings::loadfd_obj);

impl ObjBuilder {
    /// Sizes the object's map and program arrays.
    pub(crate) fn reserve(&mut self, maps: usize, progs: usize) -> Result<(), Errno> {
        let (maps, progs) = (len32(maps)?, len32(progs)?);
        // SAFETY: by the type invariant, `self.0` is the live object under construction.
        check(unsafe { bindings::loadfd_obj_reserve(self.0, maps, progs) }).map(|_| ())
    }

    /// Records the license and kernel version.
    pub(crate) fn set_meta(&mut self, license: &[u8], kern_version: u32) -> Result<(), Errno> {
        let len = len32(license.len())?;
        // SAFETY: `self.0` is live (invariant); `license` is valid for `len` bytes.
        check(unsafe { bindings::loadfd_obj_set_meta(self.0, license.as_ptr(), len, kern_version) })
            .map(|_| ())
    }

    /// Loads the object's (fixed-up) BTF through the kernel's BTF verifier.
    pub(crate) fn load_btf(&mut self, btf: &[u8]) -> Result<(), Errno> {
        let len = len32(btf.len())?;
        // SAFETY: `self.0` is live (invariant); `btf` is valid for `len` bytes.
        check(unsafe { bindings::loadfd_obj_load_btf(self.0, btf.as_ptr().cast(), len) })
            .map(|_| ())
    }

    /// Binds the caller's map of this name or creates it; returns its index.
    pub(crate) fn add_map(&mut self, m: &MapPlan<'_>) -> Result<u32, Errno> {
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
        // SAFETY: `self.0` is live (invariant); `c` and the slices it points to outlive the call.
        check(unsafe { bindings::loadfd_obj_add_map(self.0, &c) })
    }

    /// Sets initial slot `slot` of map-in-map `map` to map `target`.
    pub(crate) fn set_map_slot(&mut self, map: u32, slot: u32, target: u32) -> Result<(), Errno> {
        // SAFETY: `self.0` is live (invariant); the C side checks the indices.
        check(unsafe { bindings::loadfd_obj_set_map_slot(self.0, map, slot, target) }).map(|_| ())
    }

    /// Prog-array slot `slot` of map `map` gets program `prog` (an index of
    /// the programs added with [`ObjBuilder::add_prog`]) when that program
    /// is loaded by name.
    pub(crate) fn add_prog_slot(&mut self, map: u32, slot: u32, prog: u32) -> Result<(), Errno> {
        // SAFETY: `self.0` is live (invariant); the C side checks the indices.
        check(unsafe { bindings::loadfd_obj_add_prog_slot(self.0, map, slot, prog) }).map(|_| ())
    }

    /// Adds a relocated program (the C side copies everything).
    pub(crate) fn add_prog(&mut self, l: &ProgLoad<'_>) -> Result<(), Errno> {
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
        check(unsafe { bindings::loadfd_obj_add_prog(self.0, &c) }).map(|_| ())
    }

    /// Creates a struct_ops map of the object (after its programs): `progs`
    /// holds, per member of the struct, the index of the program the object
    /// puts there or [`struct_ops::NO_PROG`]. Returns the map's index.
    pub(crate) fn add_struct_ops(&mut self, s: &StructOpsMap<'_>) -> Result<u32, Errno> {
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
        // SAFETY: `self.0` is live (invariant); each pointer in `c` is valid for its length.
        check(unsafe { bindings::loadfd_obj_add_struct_ops(self.0, &c) })
    }

    /// Adds a program that cannot be loaded: its by-name load fails with
    /// `errno` and the line `why`.
    pub(crate) fn add_prog_error(
        &mut self,
        name: &[u8],
        section: &[u8],
        prog_type: u32,
        errno: Errno,
        why: fmt::Arguments<'_>,
    ) -> Result<(), Errno> {
        let mut line = LineBuf {
            buf: [0; LINE_MAX],
            len: 0,
        };
        // Cutting a too long line is fine: `write_str` never fails.
        let _ = line.write_fmt(why);
        let msg = line.buf.get(..line.len).unwrap_or(&[]);
        // SAFETY: `self.0` is live (invariant); each pointer is valid for its length.
        check(unsafe {
            bindings::loadfd_obj_add_prog_error(
                self.0,
                name.as_ptr(),
                len32(name.len())?,
                section.as_ptr(),
                len32(section.len())?,
                prog_type,
                errno.0,
                msg.as_ptr(),
                len32(msg.len())?,
            )
        })
        .map(|_| ())
    }

    /// BTF id of `name` of BTF kind `kind` in vmlinux or a module, with the
    /// module BTF slot (0 for vmlinux).
    pub(crate) fn btf_find(
        &self,
        name: &[u8],
        kind: u32,
        local_type_id: u32,
    ) -> Option<(u32, u32)> {
        let mut slot = 0u32;
        // SAFETY: `self.0` is live (invariant); `name` is valid; `slot` is a valid out pointer.
        let id = unsafe {
            bindings::loadfd_btf_find(
                self.0,
                name.as_ptr(),
                name.len(),
                kind,
                local_type_id,
                &mut slot,
            )
        };
        u32::try_from(id).ok().map(|id| (id, slot))
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
pub(crate) fn kernel_version() -> u32 {
    // SAFETY: a pure function of the build.
    unsafe { bindings::loadfd_kernel_version() }
}

/// `CONFIG_ARCH_HAS_SYSCALL_WRAPPER`.
pub(crate) fn has_syscall_wrapper() -> bool {
    // SAFETY: a pure function of the build.
    unsafe { bindings::loadfd_has_syscall_wrapper() }
}

/// Address of the vmlinux symbol `name` (kallsyms), if it exists.
///
/// Fails with [`Errno::PERM`] if the caller may not see kernel addresses,
/// [`Errno::OPNOTSUPP`] for a module symbol and [`Errno::INTR`] on a fatal
/// signal.
pub(crate) fn kallsyms(name: &[u8]) -> Result<Option<u64>, Errno> {
    let mut addr = 0u64;
    // SAFETY: `name` is valid for its length (C copies it); `addr` is a valid out pointer.
    let ret = unsafe { bindings::loadfd_kallsyms(name.as_ptr(), name.len(), &mut addr) };
    match ret {
        0 => Ok(None),
        r if r > 0 => Ok(Some(addr)),
        r => Err(Errno(r)),
    }
}

/// Gives the CPU back if needed; fails with [`Errno::INTR`] once the caller
/// has a fatal signal. Called between units of input-sized work.
pub(crate) fn checkpoint() -> Result<(), Errno> {
    // SAFETY: only reschedules and reads the current task's signal state.
    match unsafe { bindings::loadfd_checkpoint() } {
        0 => Ok(()),
        r => Err(Errno(r)),
    }
}

/// Builds a loader object from the object file's bytes.
///
/// Returns 0 or a negative errno; every rejection also writes its reason to
/// `log`.
///
/// # Safety
///
/// `data` must be valid for reads of `len` bytes and not change during the
/// call; `log` must be a log initialised with `bpf_vlog_init()` and `obj` the
/// loader object under construction, both valid for the call.
#[no_mangle]
pub(crate) unsafe extern "C" fn loadfd_rs_create(
    data: *const u8,
    len: usize,
    log: *mut bindings::bpf_verifier_log,
    obj: *mut bindings::loadfd_obj,
) -> c_int {
    let data = if len == 0 {
        &[][..]
    } else {
        // SAFETY: the caller guarantees `data` is valid for `len` bytes and unchanged meanwhile.
        unsafe { core::slice::from_raw_parts(data, len) }
    };
    let mut log = Log(log);
    // INVARIANT: `obj` is the object under construction, valid for this call.
    let mut obj = ObjBuilder(obj);
    match crate::load::create(data, &mut log, &mut obj) {
        Ok(()) => 0,
        Err(Errno(e)) => e,
    }
}

/// Sets up the C side (the `/sys/kernel/bpf_loadfd` kset).
pub(crate) fn glue_init() -> kernel::error::Result {
    // SAFETY: called once, from the module's init, before any loader exists.
    kernel::error::to_result(unsafe { bindings::loadfd_glue_init() })
}
