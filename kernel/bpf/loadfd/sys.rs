// SPDX-License-Identifier: GPL-2.0

//! The only file of the loader with `unsafe` and `bindings::`: entry points
//! called from `glue.c` and thin safe wrappers over what they hand us.

use core::fmt::{self, Write};
use kernel::bindings;
use kernel::ffi::c_int;

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
        // SAFETY: `self.0` is the live log glue.c set up; `line.buf` has `line.len` bytes.
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

/// A map of the object, as the C side creates or binds it.
pub(crate) struct MapSpec<'a> {
    pub(crate) name: &'a [u8],
    pub(crate) map_type: u32,
    pub(crate) key_size: u32,
    pub(crate) value_size: u32,
    pub(crate) max_entries: u32,
    pub(crate) map_flags: u32,
    pub(crate) numa_node: u32,
    pub(crate) map_extra: u64,
    pub(crate) btf_key_type_id: u32,
    pub(crate) btf_value_type_id: u32,
    pub(crate) inner: Option<&'a MapSpec<'a>>,
    pub(crate) init: Option<&'a [u8]>,
    pub(crate) freeze: bool,
    pub(crate) kconfig: bool,
    pub(crate) pin_by_name: bool,
    /// An arena's `__arena` variables: initial bytes and size.
    pub(crate) arena: Option<(&'a [u8], u32)>,
}

impl MapSpec<'_> {
    fn to_c(
        &self,
        inner: *const bindings::loadfd_map_spec,
    ) -> Result<bindings::loadfd_map_spec, Errno> {
        let (init_data, init_size) = match self.init {
            Some(d) => (d.as_ptr(), len32(d.len())?),
            None => (core::ptr::null(), 0),
        };
        Ok(bindings::loadfd_map_spec {
            name: self.name.as_ptr(),
            name_len: len32(self.name.len())?,
            map_type: self.map_type,
            key_size: self.key_size,
            value_size: self.value_size,
            max_entries: self.max_entries,
            map_flags: self.map_flags,
            numa_node: self.numa_node,
            btf_key_type_id: self.btf_key_type_id,
            btf_value_type_id: self.btf_value_type_id,
            map_extra: self.map_extra,
            inner,
            init_data,
            init_size,
            freeze: self.freeze,
            kconfig: self.kconfig,
            arena_data: self.arena.map_or(core::ptr::null(), |(d, _)| d.as_ptr()),
            arena_data_len: match self.arena {
                Some((d, _)) => len32(d.len())?,
                None => 0,
            },
            arena_size: self.arena.map_or(0, |(_, n)| n),
            pin_by_name: self.pin_by_name,
        })
    }
}

/// A relocated program, in the layouts `BPF_PROG_LOAD` takes.
pub(crate) struct ProgSpec<'a> {
    pub(crate) name: &'a [u8],
    pub(crate) section: &'a [u8],
    pub(crate) attach_func: &'a [u8],
    /// BTF name prefix of the attach target (`btf_trace_`, `bpf_lsm_`, ...).
    pub(crate) attach_prefix: &'a [u8],
    pub(crate) attach_btf_kind: u32,
    pub(crate) prog_type: u32,
    pub(crate) expected_attach_type: u32,
    pub(crate) prog_flags: u32,
    pub(crate) sleepable: bool,
    /// `struct bpf_insn` array.
    pub(crate) insns: &'a [u8],
    pub(crate) func_info: &'a [u8],
    pub(crate) func_info_rec_size: u32,
    pub(crate) line_info: &'a [u8],
    pub(crate) line_info_rec_size: u32,
    pub(crate) core_relos: &'a [u8],
    pub(crate) core_relo_rec_size: u32,
}

/// A struct_ops map, as the C side creates it.
pub(crate) struct StructOpsSpec<'a> {
    pub(crate) name: &'a [u8],
    pub(crate) type_id: u32,
    pub(crate) data: &'a [u8],
    pub(crate) progs: &'a [u32],
    pub(crate) link: bool,
}

/// No program in a struct_ops member.
pub(crate) const NO_PROG: u32 = bindings::LOADFD_NO_PROG;

/// Number of `rec`-byte records in `b`.
fn records(b: &[u8], rec: u32) -> Result<u32, Errno> {
    match usize::try_from(rec) {
        Ok(0) | Err(_) => Ok(0),
        Ok(r) => len32(b.len() / r),
    }
}

/// The loader object under construction (`struct loadfd_obj`, owned by
/// `glue.c`; it outlives this builder).
///
/// # Invariants
///
/// `self.0` points to the object `glue.c` passed to `loadfd_rs_create()`, valid
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
    pub(crate) fn add_map(&mut self, spec: &MapSpec<'_>) -> Result<u32, Errno> {
        let inner = match spec.inner {
            Some(i) => Some(i.to_c(core::ptr::null())?),
            None => None,
        };
        let inner_ptr = inner
            .as_ref()
            .map_or(core::ptr::null(), |i| i as *const bindings::loadfd_map_spec);
        let c = spec.to_c(inner_ptr)?;
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
    pub(crate) fn add_prog(&mut self, p: &ProgSpec<'_>) -> Result<(), Errno> {
        let c = bindings::loadfd_prog_spec {
            name: p.name.as_ptr(),
            name_len: len32(p.name.len())?,
            section: p.section.as_ptr(),
            section_len: len32(p.section.len())?,
            attach_func: p.attach_func.as_ptr(),
            attach_func_len: len32(p.attach_func.len())?,
            attach_prefix: p.attach_prefix.as_ptr(),
            attach_prefix_len: len32(p.attach_prefix.len())?,
            attach_btf_kind: p.attach_btf_kind,
            prog_type: p.prog_type,
            expected_attach_type: p.expected_attach_type,
            prog_flags: p.prog_flags,
            sleepable: p.sleepable,
            insns: p.insns.as_ptr().cast(),
            insn_cnt: records(p.insns, 8)?,
            func_info: p.func_info.as_ptr().cast(),
            func_info_cnt: records(p.func_info, p.func_info_rec_size)?,
            func_info_rec_size: p.func_info_rec_size,
            line_info: p.line_info.as_ptr().cast(),
            line_info_cnt: records(p.line_info, p.line_info_rec_size)?,
            line_info_rec_size: p.line_info_rec_size,
            core_relos: p.core_relos.as_ptr().cast(),
            core_relo_cnt: records(p.core_relos, p.core_relo_rec_size)?,
            core_relo_rec_size: p.core_relo_rec_size,
        };
        // SAFETY: `self.0` is live (invariant); each pointer in `c` is valid for its length.
        check(unsafe { bindings::loadfd_obj_add_prog(self.0, &c) }).map(|_| ())
    }

    /// Creates a struct_ops map of the object (after its programs): `progs`
    /// holds, per member of the struct, the index of the program the object
    /// puts there or [`NO_PROG`]. Returns the map's index.
    pub(crate) fn add_struct_ops(&mut self, s: &StructOpsSpec<'_>) -> Result<u32, Errno> {
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
