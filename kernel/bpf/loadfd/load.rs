// SPDX-License-Identifier: GPL-2.0

//! Building a loader object from the object's bytes (no `unsafe` here).
//!
//! The order matters: the object's BTF is loaded (and verified by the kernel)
//! first, because maps are created with its type ids and externs are checked
//! against it; externs are resolved before maps because the `.kconfig` map's
//! contents are theirs; programs are linked last, against the resolved externs.

use crate::bpfobj::{
    btf::BTF_KIND_FUNC,
    compat::{KVVec, GFP_INPUT},
    elf,
    error::{Error, ErrorClass},
    externs::{self, Env, EnvError, ExternKind, KconfigValue, KfuncId, KsymBtf},
    kconfig,
    limits::{Cap, Checkpoint, MAX_PROG_BYTES},
    link::{Linked, Linker},
    maps::{MapDef, MapKind, SlotTarget, LIBBPF_PIN_BY_NAME},
    object::Object,
    sec_def,
};
use crate::sys::{self, Errno, Log, MapSpec, ObjBuilder, ProgSpec, StructOpsSpec};

// The core's "no program in this member" is the C side's.
const _: () = assert!(crate::bpfobj::struct_ops::NO_PROG == sys::NO_PROG);

/// The kernel's [`Checkpoint`]: `cond_resched()`, and EINTR once the caller
/// has a fatal signal.
struct KernelCheckpoint;

impl Checkpoint for KernelCheckpoint {
    fn checkpoint(&self) -> Result<(), Error> {
        sys::checkpoint().map_err(|_| Error::Interrupted)
    }
}

/// What only the running kernel knows, for [`externs::resolve`].
struct KernelEnv<'b> {
    obj: &'b ObjBuilder,
    /// The running kernel's `.config`, indexed if the object has kconfig
    /// externs (one lookup each).
    kconfig: Option<kconfig::Index<'static>>,
}

impl Checkpoint for KernelEnv<'_> {
    fn checkpoint(&self) -> Result<(), Error> {
        KernelCheckpoint.checkpoint()
    }
}

impl Env for KernelEnv<'_> {
    fn kconfig(&self, name: &[u8]) -> Option<KconfigValue<'_>> {
        match name {
            b"LINUX_KERNEL_VERSION" => Some(KconfigValue::Int(u64::from(sys::kernel_version()))),
            b"LINUX_HAS_BPF_COOKIE" => Some(KconfigValue::Bool(true)),
            b"LINUX_HAS_SYSCALL_WRAPPER" => Some(KconfigValue::Bool(sys::has_syscall_wrapper())),
            _ => self.kconfig.as_ref()?.lookup(name),
        }
    }

    fn ksym_btf(&self, name: &[u8], btf_kind: u32, local_type_id: u32) -> Option<KsymBtf> {
        let (btf_id, btf_obj) = self.obj.btf_find(name, btf_kind, local_type_id)?;
        Some(KsymBtf { btf_id, btf_obj })
    }

    fn ksym_addr(&self, name: &[u8]) -> Result<Option<u64>, EnvError> {
        sys::kallsyms(name).map_err(|e| match e {
            Errno::PERM => EnvError::Denied,
            Errno::INTR => EnvError::Interrupted,
            // EOPNOTSUPP (a module symbol), or anything unexpected: refuse.
            _ => EnvError::InModule,
        })
    }

    fn kfunc(&self, name: &[u8], local_proto_id: u32) -> Option<KfuncId> {
        let (btf_id, slot) = self.obj.btf_find(name, BTF_KIND_FUNC, local_proto_id)?;
        let btf_fd_slot = i16::try_from(slot).ok()?;
        Some(KfuncId {
            btf_id,
            btf_fd_slot,
        })
    }
}

/// An ELF or BTF name for the log: printable ASCII as is, the rest escaped.
struct Name<'a>(&'a [u8]);

impl core::fmt::Display for Name<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for &c in self.0 {
            if c.is_ascii_graphic() || c == b' ' {
                write!(f, "{}", char::from(c))?;
            } else {
                write!(f, "\\x{c:02x}")?;
            }
        }
        Ok(())
    }
}

/// A core error as one log line: the error, and the section or extern name
/// when it can be found (names are at most `KSYM_NAME_LEN - 1` bytes; the
/// log truncates lines).
struct Reason<'a> {
    e: Error,
    sec: Option<&'a [u8]>,
    ext: Option<&'a [u8]>,
}

impl<'a> Reason<'a> {
    fn new(data: &'a [u8], obj: Option<&'a Object<'a>>, e: Error) -> Self {
        let sec = e.section().and_then(|i| elf::section_name_of(data, i));
        let ext = e
            .extern_index()
            .and_then(|i| obj?.externs().get(usize::try_from(i).ok()?))
            .map(|x| x.name);
        Reason { e, sec, ext }
    }
}

impl core::fmt::Display for Reason<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match (self.sec, self.ext) {
            (Some(n), _) => write!(f, "{} (section '{}')", self.e, Name(n)),
            (None, Some(n)) => write!(f, "{} ('{}')", self.e, Name(n)),
            (None, None) => write!(f, "{}", self.e),
        }
    }
}

/// Reports a core error to the log and lowers it to an errno.
fn reject(log: &mut Log, data: &[u8], obj: Option<&Object<'_>>, e: Error) -> Errno {
    log.line(format_args!("{}", Reason::new(data, obj, e)));
    lower(e.class())
}

/// Whether a linker error is the program's own (the object is fine, this
/// program cannot be loaded), rather than the whole object's.
fn program_error(e: &Error) -> bool {
    !matches!(
        e,
        Error::NoMem | Error::Interrupted | Error::TooMany { .. }
    )
}

/// Lowers a core error class to the errno the syscall returns.
pub(crate) fn lower(class: ErrorClass) -> Errno {
    match class {
        ErrorClass::Malformed => Errno::INVAL,
        ErrorClass::NotBpfObject => Errno::NOEXEC,
        ErrorClass::TooBig => Errno::TOOBIG,
        ErrorClass::Unsupported => Errno::OPNOTSUPP,
        ErrorClass::NotFound => Errno::NOENT,
        ErrorClass::NoMem => Errno::NOMEM,
        ErrorClass::Denied => Errno::PERM,
        ErrorClass::Interrupted => Errno::INTR,
    }
}

fn map_spec<'a>(
    m: &'a MapDef<'a>,
    inner: Option<&'a MapSpec<'a>>,
    init: Option<&'a [u8]>,
) -> MapSpec<'a> {
    let page = u32::try_from(kernel::page::PAGE_SIZE).unwrap_or(4096);
    let (btf_key_type_id, btf_value_type_id) = m.create_btf_ids();
    MapSpec {
        name: m.name,
        map_type: m.map_type,
        key_size: m.key_size,
        value_size: m.value_size,
        max_entries: m.max_entries_for(page),
        map_flags: m.map_flags,
        numa_node: m.numa_node,
        map_extra: m.map_extra,
        btf_key_type_id,
        btf_value_type_id,
        inner,
        init,
        freeze: matches!(m.kind, MapKind::Rodata | MapKind::Kconfig),
        kconfig: matches!(m.kind, MapKind::Kconfig),
        pin_by_name: m.pinning == LIBBPF_PIN_BY_NAME,
        arena: None,
    }
}

/// Serialises the linked program into the layouts `BPF_PROG_LOAD` takes.
struct ProgBytes {
    insns: KVVec<u8>,
    func_info: KVVec<u8>,
    line_info: KVVec<u8>,
    core_relos: KVVec<u8>,
}

fn put_u32s(out: &mut KVVec<u8>, vals: &[u32]) -> Result<(), Error> {
    for v in vals {
        out.extend_from_slice(&v.to_ne_bytes(), GFP_INPUT)?;
    }
    Ok(())
}

/// What `l` takes in the layouts of [`prog_bytes`].
fn prog_size(l: &Linked) -> usize {
    [
        (l.insns.len(), 8),
        (l.func_info.len(), 8),
        (l.line_info.len(), 16),
        (l.core_relos.len(), 16),
    ]
    .iter()
    .fold(0usize, |acc, &(n, size)| {
        acc.saturating_add(n.saturating_mul(size))
    })
}

fn prog_bytes(l: &Linked) -> Result<ProgBytes, Error> {
    let mut b = ProgBytes {
        insns: KVVec::new(),
        func_info: KVVec::new(),
        line_info: KVVec::new(),
        core_relos: KVVec::new(),
    };
    for insn in l.insns.iter() {
        b.insns
            .extend_from_slice(&insn.to_bytes(), GFP_INPUT)?;
    }
    for f in l.func_info.iter() {
        put_u32s(&mut b.func_info, &[f.insn_off, f.type_id])?;
    }
    for li in l.line_info.iter() {
        put_u32s(
            &mut b.line_info,
            &[li.insn_off, li.file_name_off, li.line_off, li.line_col],
        )?;
    }
    for r in l.core_relos.iter() {
        put_u32s(
            &mut b.core_relos,
            &[r.insn_off, r.type_id, r.access_str_off, r.kind],
        )?;
    }
    Ok(b)
}

/// Reports a fatal signal seen between two steps of the glue.
fn interrupted(log: &mut Log, e: Errno) -> Errno {
    log.line(format_args!("{}", Error::Interrupted));
    e
}

/// Runs the core on `data` and builds the loader object `ob`; every rejection
/// is reported to `log`.
pub(crate) fn create(data: &[u8], log: &mut Log, ob: &mut ObjBuilder) -> Result<(), Errno> {
    let obj = Object::parse(data, &KernelCheckpoint).map_err(|e| reject(log, data, None, e))?;
    // libbpf does not create SEC("?.struct_ops") maps.
    let st_ops_cnt = obj.struct_ops().iter().filter(|m| m.autocreate).count();
    ob.reserve(
        obj.maps().len().saturating_add(st_ops_cnt),
        obj.programs().len(),
    )?;
    ob.set_meta(obj.license(), obj.kern_version())?;
    if let Some(btf) = obj.btf() {
        ob.load_btf(btf)?;
    }

    let has_kconfig = obj
        .externs()
        .iter()
        .any(|e| matches!(e.kind, ExternKind::Kconfig { .. }));
    let kconfig = if has_kconfig {
        Some(
            kconfig::Index::new(sys::kconfig_text(), &KernelCheckpoint)
                .map_err(|e| reject(log, data, Some(&obj), e))?,
        )
    } else {
        None
    };
    let resolved = externs::resolve(&obj, &KernelEnv { obj: ob, kconfig })
        .map_err(|e| reject(log, data, Some(&obj), e))?;

    for (i, m) in obj.maps().iter().enumerate() {
        sys::checkpoint().map_err(|e| interrupted(log, e))?;
        let inner_def = match m.inner {
            Some(j) => match obj.inner_maps().get(j) {
                Some(d) => Some(d),
                None => {
                    log.line(format_args!("maps: map {i}: inner map {j} out of range"));
                    return Err(Errno::INVAL);
                }
            },
            None => None,
        };
        let inner = inner_def.map(|d| map_spec(d, None, None));
        let init = match m.kind {
            MapKind::Kconfig => Some(resolved.kconfig.as_slice()),
            MapKind::Data | MapKind::Rodata => Some(m.init_data),
            MapKind::Bss | MapKind::Btf => None,
        };
        let mut spec = map_spec(m, inner.as_ref(), init);
        if let Some(a) = obj.arena().filter(|a| a.map == i) {
            spec.arena = Some((a.data, a.size));
        }
        let idx = ob.add_map(&spec)?;
        // Programs refer to maps by core index; the C side must agree.
        if usize::try_from(idx).ok() != Some(i) {
            log.line(format_args!("maps: map {i} was bound at index {idx}"));
            return Err(Errno::INVAL);
        }
    }
    for (i, m) in (0u32..).zip(obj.maps().iter()) {
        for &(slot, target) in m.slots.iter() {
            match target {
                SlotTarget::Map(t) => {
                    let t = u32::try_from(t).map_err(|_| Errno::INVAL)?;
                    ob.set_map_slot(i, slot, t)?;
                }
                SlotTarget::Prog(p) => {
                    // Filled when program `p` is loaded by name.
                    let p = u32::try_from(p).map_err(|_| Errno::INVAL)?;
                    ob.add_prog_slot(i, slot, p)?;
                }
            }
        }
    }

    // Each program gets its own copy of the subprograms it calls and of
    // their records, so a small hostile object could otherwise make the
    // loader hold a lot: all programs share one byte budget, and the linker
    // stops a program at what is left of it.
    let mut linker = Linker::new(&obj).map_err(|e| reject(log, data, Some(&obj), e))?;
    let mut left = MAX_PROG_BYTES;
    for (i, p) in obj.programs().iter().enumerate() {
        let linked = match linker.link_within(i, &resolved, &KernelCheckpoint, left) {
            Ok(l) => l,
            // As libbpf, which relocates only the programs it loads: one
            // program that cannot be linked does not make the others
            // unloadable. Its by-name load fails with this reason.
            Err(e) if program_error(&e) => {
                ob.add_prog_error(
                    p.name,
                    p.section,
                    p.prog_type,
                    lower(e.class()),
                    format_args!("{}", Reason::new(data, Some(&obj), e)),
                )?;
                continue;
            }
            Err(e) => return Err(reject(log, data, Some(&obj), e)),
        };
        // The linker charged exactly this against `left`.
        let over = Error::TooMany {
            cap: Cap::ProgBytes,
        };
        left = match left.checked_sub(prog_size(&linked)) {
            Some(l) => l,
            None => return Err(reject(log, data, Some(&obj), over)),
        };
        let b = prog_bytes(&linked).map_err(|e| reject(log, data, Some(&obj), e))?;
        ob.add_prog(&ProgSpec {
            name: p.name,
            section: p.section,
            attach_func: p.attach_func,
            attach_prefix: p.attach_btf_prefix,
            // 0: the target (e.g. kprobe/<func>) is not a BTF object.
            attach_btf_kind: if p.attach_btf { p.attach_btf_kind } else { 0 },
            prog_type: p.prog_type,
            // Every 6.12 kernel with uprobes has uprobe-multi links.
            expected_attach_type: sec_def::expected_attach_type_for(
                p.expected_attach_type,
                p.usdt,
                cfg!(CONFIG_UPROBES),
            ),
            prog_flags: p.prog_flags,
            sleepable: p.sleepable,
            insns: &b.insns,
            func_info: &b.func_info,
            func_info_rec_size: 8,
            line_info: &b.line_info,
            line_info_rec_size: 16,
            core_relos: &b.core_relos,
            core_relo_rec_size: 16,
        })?;
    }

    // struct_ops maps come last: creating one gives its programs their
    // attach target. Programs refer to no struct_ops map by index.
    for m in obj.struct_ops().iter().filter(|m| m.autocreate) {
        sys::checkpoint().map_err(|e| interrupted(log, e))?;
        ob.add_struct_ops(&StructOpsSpec {
            name: m.name,
            type_id: m.type_id,
            data: m.data,
            progs: &m.progs,
            link: m.link,
        })?;
    }
    Ok(())
}
