// SPDX-License-Identifier: GPL-2.0

//! `bpf-loadfd inspect`: run the userspace build of the loader core on a file
//! and explain the object, without any syscall.
//!
//! The report describes the ELF sections (and what the loader makes of
//! each), the programs (SEC-table classification, and the linked layout),
//! the maps, the externs (resolved with [`crate::env::InspectEnv`]) and every
//! relocation. Then it runs the steps of `BPF_LOAD_FD` that need no kernel,
//! in the kernel's order (size checks, `Object::parse`, extern resolution,
//! map slots, linking of each program), and either says the object would be
//! accepted or prints the rejection exactly as the kernel logs it, with the
//! errno the kernel would return.

use std::collections::HashMap;
use std::fmt::Write as _;

use bpfobj::checkpoint::NoCheckpoint;
use bpfobj::elf::{
    self, Elf, Section, SHF_ALLOC, SHF_EXECINSTR, SHF_WRITE, SHT_LLVM_ADDRSIG, SHT_NOBITS,
    SHT_NULL, SHT_PROGBITS, SHT_REL, SHT_RELA, SHT_STRTAB, SHT_SYMTAB,
};
use bpfobj::error::{Error, ErrorKind, ExternError, Location, ObjectError, ProgError};
use bpfobj::externs::{Extern, ExternKind, ExternValue, KcfgType, Resolved};
use bpfobj::insn::{Insn, INSN_SIZE};
use bpfobj::limits::MAX_OBJ_SIZE;
use bpfobj::maps::{MapDef, MapKind, SlotTarget};
use bpfobj::object::{Object, Program, SectionKind};
use bpfobj::plan::{Host, Plan, ProgOutcome, Reason};
use bpfobj::reloc::{Reloc, RelocKind};
use bpfobj::sec_def::{
    self, SecMatch, SEC_ATTACH_BTF, SEC_DEF_VERSION, SEC_SLEEPABLE, SEC_UNSUPPORTED, SEC_XDP_FRAGS,
};
use sha2::{Digest as _, Sha256};

use crate::env::{InspectEnv, Source};
use crate::names;
use crate::report::{SecDefInfo, SecDefsReport};

/// A rejection: the line the kernel logs and the errno it returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// The kernel's log line.
    pub line: String,
    /// The errno.
    pub errno: i32,
    /// The core error, if the rejection is one.
    pub error: Option<Error>,
    /// What the indices in the line refer to, when known.
    pub note: Option<String>,
}

impl Rejection {
    fn core(data: &[u8], obj: Option<&Object<'_>>, e: Error) -> Self {
        Rejection {
            line: Reason::new(data, obj, e).to_string(),
            errno: e.class().errno(),
            error: Some(e),
            note: None,
        }
    }

    fn other(line: String, errno: i32) -> Self {
        Rejection {
            line,
            errno,
            error: None,
            note: None,
        }
    }
}

/// Names what the indices of some common rejections refer to.
fn explain(
    e: &Error,
    elf: Option<&Elf<'_>>,
    obj: Option<&Object<'_>>,
    env: Option<&InspectEnv>,
) -> Option<String> {
    let section = |i: u32| {
        elf.and_then(|elf| elf.section(i).ok())
            .map(|sec| format!("section {i} is '{}'", s(sec.name)))
    };
    match *e {
        Error {
            kind: ErrorKind::Prog(ProgError::UnknownSection),
            location: Location::Section(i),
        } => section(i).map(|t| {
            format!("{t}: no SEC-table entry matches it (see bpf-loadfd inspect --sec-defs)")
        }),
        Error {
            kind: ErrorKind::Prog(ProgError::UnsupportedType { .. }),
            location: Location::Section(i),
        }
        | Error {
            kind: ErrorKind::Object(ObjectError::UnsupportedSection),
            location: Location::Section(i),
        }
        | Error {
            kind: ErrorKind::Object(ObjectError::LegacyMaps),
            location: Location::Section(i),
        } => section(i),
        Error {
            kind: ErrorKind::Extern(ExternError::Unresolved),
            location: Location::Extern(ext),
        } => {
            let ext_def = obj?.externs().get(ext as usize)?;
            let why = match env.and_then(|env| env.source(ext_def.name)) {
                Some(Source::NotInConfig(p)) => format!(", not set in {}", p.display()),
                _ => String::new(),
            };
            Some(format!(
                "extern {ext} is '{}' ({}, strong{why})",
                s(ext_def.name),
                extern_kind(ext_def)
            ))
        }
        _ => None,
    }
}

/// The findings of a run.
#[derive(Debug, Default)]
pub struct Report {
    /// Lines to print.
    pub lines: Vec<String>,
    /// The rejection, if the kernel would reject the object.
    pub rejection: Option<Rejection>,
    /// Programs of an accepted object that cannot be loaded by name: name,
    /// the line the kernel logs, the errno their by-name load fails with.
    pub refused: Vec<(String, String, i32)>,
}

macro_rules! out {
    ($r:expr, $($arg:tt)*) => {{
        let mut s = String::new();
        // Writing to a String cannot fail.
        let _ = write!(s, $($arg)*);
        $r.lines.push(s);
    }};
}

fn s(b: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(b)
}

fn sh_type_name(t: u32) -> String {
    match t {
        SHT_NULL => "NULL".into(),
        SHT_PROGBITS => "PROGBITS".into(),
        SHT_SYMTAB => "SYMTAB".into(),
        SHT_STRTAB => "STRTAB".into(),
        SHT_RELA => "RELA".into(),
        SHT_NOBITS => "NOBITS".into(),
        SHT_REL => "REL".into(),
        SHT_LLVM_ADDRSIG => "LLVM_ADDRSIG".into(),
        t => format!("{t:#x}"),
    }
}

fn sh_flags(f: u64) -> String {
    let mut out = String::new();
    for (bit, c) in [(SHF_WRITE, 'W'), (SHF_ALLOC, 'A'), (SHF_EXECINSTR, 'X')] {
        if f & bit != 0 {
            out.push(c);
        }
    }
    out
}

const MAP_FLAGS: &[(u32, &str)] = &[
    (1 << 0, "NO_PREALLOC"),
    (1 << 1, "NO_COMMON_LRU"),
    (1 << 2, "NUMA_NODE"),
    (1 << 3, "RDONLY"),
    (1 << 4, "WRONLY"),
    (1 << 5, "STACK_BUILD_ID"),
    (1 << 6, "ZERO_SEED"),
    (1 << 7, "RDONLY_PROG"),
    (1 << 8, "WRONLY_PROG"),
    (1 << 9, "CLONE"),
    (1 << 10, "MMAPABLE"),
    (1 << 11, "PRESERVE_ELEMS"),
    (1 << 12, "INNER_MAP"),
    (1 << 13, "LINK"),
    (1 << 14, "PATH_FD"),
    (1 << 15, "VTYPE_BTF_OBJ_FD"),
    (1 << 16, "TOKEN_FD"),
    (1 << 17, "SEGV_ON_FAULT"),
    (1 << 18, "NO_USER_CONV"),
];

fn map_flags(f: u32) -> String {
    if f == 0 {
        return "0".into();
    }
    let mut names: Vec<String> = MAP_FLAGS
        .iter()
        .filter(|(b, _)| f & b != 0)
        .map(|(_, n)| format!("BPF_F_{n}"))
        .collect();
    let known = MAP_FLAGS.iter().fold(0, |a, (b, _)| a | b);
    if f & !known != 0 {
        names.push(format!("{:#x}", f & !known));
    }
    format!("{f:#x} ({})", names.join("|"))
}

/// Runs `inspect` on `data` with extern values from `env_config`.
pub fn run(
    data: &[u8],
    config: Option<crate::env::Config>,
    symbols: Option<crate::env::Symbols>,
    no_config: &str,
) -> Report {
    let mut r = Report::default();
    out!(
        r,
        "file: {} bytes, sha256 {:x}",
        data.len(),
        Sha256::digest(data)
    );

    // What BPF_LOAD_FD checks before the core runs (kernel_read_file()).
    if data.is_empty() {
        let mut rej =
            Rejection::other("obj_fd N: not a readable regular file".into(), libc::EINVAL);
        rej.note = Some("kernel_read_file() refuses empty files".into());
        r.rejection = Some(rej);
        return r;
    }
    if data.len() > MAX_OBJ_SIZE {
        r.rejection = Some(Rejection::other(
            format!("obj_fd N: object larger than {MAX_OBJ_SIZE} bytes"),
            libc::E2BIG,
        ));
        return r;
    }

    let obj = match Object::parse(data, &NoCheckpoint) {
        Ok(o) => o,
        Err(e) => {
            // Show what can still be read, then the rejection.
            if let Ok(h) = elf::check_header(data) {
                header(&mut r, &h);
            }
            let elf = Elf::parse(data).ok();
            if let Some(elf) = &elf {
                out!(
                    r,
                    "sections: {} (as far as the ELF reader got)",
                    elf.section_count()
                );
                for sec in elf.sections() {
                    section_line(&mut r, &sec, "");
                }
            }
            let mut rej = Rejection::core(data, None, e);
            rej.note = explain(&e, elf.as_ref(), None, None);
            r.rejection = Some(rej);
            return r;
        }
    };

    let env = InspectEnv::new(config, obj.externs()).with_symbols(symbols);
    // The kernel's plan (bpfobj::plan), made with this host's page size and
    // a 6.12 kernel's uprobe-multi links.
    let host = Host {
        page_size: page_size(),
        uprobe_multi: true,
    };
    let mut plan = Plan::new(&obj, &env, host, &NoCheckpoint);
    let mut progs: Vec<ProgOutcome<'_>> = Vec::new();
    let mut fatal = None;
    if let Ok(plan) = plan.as_mut() {
        while let Some(step) = plan.next_prog(&NoCheckpoint) {
            match step {
                Ok(p) => progs.push(p),
                Err(e) => {
                    fatal = Some(e);
                    break;
                }
            }
        }
    }

    header(&mut r, &obj.elf().header());
    sections(&mut r, &obj);
    programs(&mut r, data, &obj, &progs, plan.is_ok());
    maps(&mut r, &obj);
    extern_list(
        &mut r,
        &obj,
        &env,
        plan.as_ref().ok().map(|p| p.resolved()),
        no_config,
    );
    relocations(&mut r, &obj);

    // The verdict, as the kernel's execution of the same plan
    // (kernel/bpf/loadfd/load.rs) gives it.
    let reject = |e: Error| {
        let mut rej = Rejection::core(data, Some(&obj), e);
        rej.note = explain(&e, Some(obj.elf()), Some(&obj), Some(&env));
        rej
    };
    if let Some(e) = plan.err().or(fatal) {
        r.rejection = Some(reject(e));
        return r;
    }
    for p in &progs {
        if let ProgOutcome::Refused { index, error } = p {
            let name = obj
                .programs()
                .get(*index)
                .map(|p| s(p.name).into_owned())
                .unwrap_or_default();
            let line = Reason::new(data, Some(&obj), *error).to_string();
            out!(r, "prog '{name}' cannot be loaded: {line}");
            r.refused.push((name, line, error.class().errno()));
        }
    }
    let kernel_checks = "BTF_LOAD of the fixed-up BTF, map creation, ksym/kfunc lookup, \
                         and the verifier at BPF_PROG_LOAD";
    out!(
        r,
        "verdict: the loader core accepts the object: {} program(s) ({} cannot be loaded \
         by name), {} map(s); the kernel still runs {kernel_checks}",
        obj.programs().len(),
        r.refused.len(),
        obj.maps().len()
    );
    r
}

/// This host's page size (what the kernel rounds ring buffers to).
fn page_size() -> u32 {
    // SAFETY: sysconf() has no preconditions.
    let n = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    u32::try_from(n).unwrap_or(4096)
}

fn header(r: &mut Report, h: &elf::Header) {
    let machine = match h.e_machine {
        elf::EM_BPF => "EM_BPF",
        elf::EM_NONE => "EM_NONE, old LLVM BPF",
        _ => "not BPF",
    };
    out!(
        r,
        "elf: ELF64 {}-endian ET_REL, e_machine {} ({machine}), {} section headers at {:#x}",
        if cfg!(target_endian = "little") {
            "little"
        } else {
            "big"
        },
        h.e_machine,
        h.e_shnum,
        h.e_shoff
    );
}

fn section_line(r: &mut Report, sec: &Section<'_>, role: &str) {
    let name = if sec.index == 0 {
        "".into()
    } else {
        s(sec.name)
    };
    out!(
        r,
        "  [{:2}] {:<28} {:<12} {:<3} {:>#8x}  {role}",
        sec.index,
        name,
        sh_type_name(sec.sh_type),
        sh_flags(sec.flags),
        sec.size
    );
}

fn names_list<'a>(it: impl Iterator<Item = &'a [u8]>) -> String {
    let v: Vec<String> = it.map(|n| s(n).into_owned()).collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

fn ext_counts(obj: &Object<'_>, sec_name: &[u8]) -> (u32, u32, u32) {
    let (Some(ext), Some(btf)) = (obj.btf_ext(), obj.btf_orig()) else {
        return (0, 0, 0);
    };
    let count = |it: bpfobj::btf_ext::InfoBlocks<'_>| {
        it.filter(|b| btf.str_at(b.sec_name_off).ok() == Some(sec_name))
            .map(|b| b.num)
            .sum::<u32>()
    };
    (
        count(ext.func_info_blocks()),
        count(ext.line_info_blocks()),
        count(ext.core_relo_blocks()),
    )
}

fn section_role(obj: &Object<'_>, sec: &Section<'_>) -> String {
    let kind = obj
        .section_kinds()
        .get(sec.index as usize)
        .copied()
        .unwrap_or(SectionKind::Other);
    let funcs = || {
        names_list(
            obj.functions()
                .iter()
                .filter(|f| f.section == sec.index)
                .map(|f| f.name),
        )
    };
    match kind {
        _ if sec.index == 0 => "null section".into(),
        SectionKind::Program => {
            let (fi, li, co) = ext_counts(obj, sec.name);
            format!(
                "program code: {} ({} insns; .BTF.ext: {fi} func_info, {li} line_info, {co} CO-RE)",
                funcs(),
                sec.size / INSN_SIZE as u64
            )
        }
        SectionKind::Text => {
            let (fi, li, co) = ext_counts(obj, sec.name);
            format!(
                "subprograms, appended to the programs that call them: {} \
                 (.BTF.ext: {fi} func_info, {li} line_info, {co} CO-RE)",
                funcs()
            )
        }
        SectionKind::Maps => format!(
            "BTF-defined maps: {}",
            names_list(
                obj.maps()
                    .iter()
                    .filter(|m| m.kind == MapKind::Btf)
                    .map(|m| m.name)
            )
        ),
        SectionKind::Data | SectionKind::Rodata | SectionKind::Bss => {
            match obj.data_map_of(sec.index).and_then(|i| obj.maps().get(i)) {
                Some(m) => format!(
                    "global data: map '{}' ({} bytes{})",
                    s(m.name),
                    m.value_size,
                    match m.kind {
                        MapKind::Rodata => ", read-only, frozen",
                        MapKind::Bss => ", zero-initialized",
                        _ => "",
                    }
                ),
                None => "global data (no map: no variables)".into(),
            }
        }
        SectionKind::CodeRel => {
            let target = obj
                .elf()
                .section(sec.info)
                .map(|t| s(t.name).into_owned())
                .unwrap_or_default();
            format!("relocations of [{}] {target}: {}", sec.info, sec.size / 16)
        }
        SectionKind::MapsRel => format!("initial map-in-map / prog-array slots: {}", sec.size / 16),
        SectionKind::StructOps => format!(
            "struct_ops maps{}: {}",
            if sec.name.ends_with(b".link") {
                " (BPF_F_LINK)"
            } else {
                ""
            },
            names_list(
                obj.struct_ops()
                    .iter()
                    .filter(|m| m.section == sec.index)
                    .map(|m| m.name)
            )
        ),
        SectionKind::Arena => match obj.arena() {
            Some(a) => format!(
                "__arena variables ({} bytes): the first pages of arena map '{}', filled by the \
                 kernel",
                a.size,
                obj.maps().get(a.map).map_or("?".into(), |m| s(m.name))
            ),
            None => "__arena variables".into(),
        },
        SectionKind::StructOpsRel => {
            format!(
                "struct_ops programs in function pointers: {}",
                sec.size / 16
            )
        }
        SectionKind::Btf => format!(
            ".BTF: {} types; the kernel verifies the fixed-up copy ({} bytes) with \
             BPF_BTF_LOAD",
            obj.btf_orig().map_or(0, |b| b.nr_types()),
            obj.btf().map_or(0, <[u8]>::len)
        ),
        SectionKind::BtfExt => "func_info, line_info and CO-RE records".into(),
        SectionKind::License => format!("license \"{}\"", s(obj.license())),
        SectionKind::Version => format!("kern_version {:#x}", obj.kern_version()),
        SectionKind::Symtab => format!("symbol table: {} symbols", obj.elf().symbol_count()),
        SectionKind::Other => {
            let why = if sec.sh_type == SHT_STRTAB {
                "string table"
            } else if sec.sh_type == SHT_LLVM_ADDRSIG {
                "LLVM address-significance table, ignored"
            } else if sec.name.starts_with(b".debug_") {
                "DWARF, ignored"
            } else if sec.sh_type == SHT_REL {
                "relocations of debug info, ignored"
            } else if sec.size == 0 {
                "empty, ignored"
            } else {
                "not used by the loader"
            };
            why.into()
        }
    }
}

fn sections(r: &mut Report, obj: &Object<'_>) {
    out!(r, "sections: {}", obj.elf().section_count());
    for sec in obj.elf().sections() {
        let role = section_role(obj, &sec);
        section_line(r, &sec, &role);
    }
}

fn prog_flags(p: &Program<'_>) -> String {
    let mut v = Vec::new();
    if p.sleepable {
        v.push("sleepable (BPF_F_SLEEPABLE)".to_string());
    }
    if p.prog_flags & bpfobj::uapi::BPF_F_XDP_HAS_FRAGS != 0 {
        v.push("BPF_F_XDP_HAS_FRAGS".into());
    }
    if !p.autoload {
        v.push("SEC(\"?...\"): not autoloaded by libbpf (BPF_LOAD_FD offers it anyway)".into());
    }
    v.join(", ")
}

fn programs(
    r: &mut Report,
    data: &[u8],
    obj: &Object<'_>,
    progs: &[ProgOutcome<'_>],
    resolved: bool,
) {
    out!(r, "programs: {}", obj.programs().len());
    for (i, p) in obj.programs().iter().enumerate() {
        out!(r, "  {}", s(p.name));
        out!(
            r,
            "    section:      {} (ELF section {})",
            s(p.section),
            p.sec_idx
        );
        out!(
            r,
            "    prog_type:    {}",
            names::prog_type_label(p.prog_type)
        );
        out!(
            r,
            "    attach_type:  {}",
            names::attach_type_label(p.prog_type, p.expected_attach_type)
        );
        if p.attach_func.is_empty() {
            out!(r, "    attach to:    -");
        } else if p.attach_btf {
            out!(
                r,
                "    attach to:    {} (BTF {} '{}{}' in vmlinux, looked up at BPF_PROG_LOAD)",
                s(p.attach_func),
                if p.attach_btf_kind == 8 {
                    "TYPEDEF"
                } else {
                    "FUNC"
                },
                s(p.attach_btf_prefix),
                s(p.attach_func)
            );
        } else {
            out!(r, "    attach to:    {}", s(p.attach_func));
        }
        let flags = prog_flags(p);
        if !flags.is_empty() {
            out!(r, "    flags:        {flags}");
        }
        out!(r, "    insns:        {} (main function)", p.insn_cnt);
        match progs.get(i) {
            Some(ProgOutcome::Load(l)) => {
                out!(
                    r,
                    "    linked:       {} insns; func_info {}, line_info {}, CO-RE {} \
                     (applied by the kernel's relo_core)",
                    l.insn_cnt(),
                    l.func_info_cnt(),
                    l.line_info_cnt(),
                    l.core_relo_cnt()
                );
                for (k, pl) in l.layout.iter().enumerate() {
                    let Some(f) = obj.functions().get(pl.func) else {
                        continue;
                    };
                    let what = if k == 0 {
                        "main"
                    } else if l.exception_cb == Some(pl.func) {
                        "exception callback"
                    } else {
                        "subprogram"
                    };
                    out!(
                        r,
                        "      at insn {:>5}: {} ({what}, {} insns)",
                        pl.insn_off,
                        s(f.name),
                        f.insn_cnt
                    );
                }
            }
            Some(ProgOutcome::Refused { error, .. }) => out!(
                r,
                "    linked:       cannot be loaded: {}",
                Reason::new(data, Some(obj), *error)
            ),
            None if !resolved => out!(
                r,
                "    linked:       not linked: the object is refused before its programs"
            ),
            None => {}
        }
    }
}

fn map_line(m: &MapDef<'_>) -> String {
    let kind = match m.kind {
        MapKind::Btf => "BTF map",
        MapKind::Data => "global data",
        MapKind::Rodata => "read-only global data, frozen",
        MapKind::Bss => "zeroed global data",
        MapKind::Kconfig => ".kconfig externs, frozen",
    };
    let mut line = format!(
        "{kind}; type {}, key {}, value {}, max_entries {}",
        names::map_type_label(m.map_type),
        m.key_size,
        m.value_size,
        m.max_entries
    );
    let page = 4096;
    if m.max_entries_for(page) != m.max_entries {
        let _ = write!(
            line,
            " (created with {} for {page}-byte pages)",
            m.max_entries_for(page)
        );
    }
    let _ = write!(line, ", flags {}", map_flags(m.map_flags));
    if m.numa_node != 0 {
        let _ = write!(line, ", numa_node {}", m.numa_node);
    }
    if m.map_extra != 0 {
        let _ = write!(line, ", map_extra {:#x}", m.map_extra);
    }
    if m.btf_key_type_id != 0 || m.btf_value_type_id != 0 {
        let _ = write!(
            line,
            ", BTF key/value types {}/{}",
            m.btf_key_type_id, m.btf_value_type_id
        );
    }
    if m.pinning != 0 {
        let _ = write!(
            line,
            ", pinning {} (ignored by BPF_LOAD_FD: use 'bpf-loadfd pin --maps')",
            m.pinning
        );
    }
    line
}

fn maps(r: &mut Report, obj: &Object<'_>) {
    out!(r, "maps: {}", obj.maps().len());
    for (i, m) in obj.maps().iter().enumerate() {
        out!(r, "  [{i}] {}: {}", s(m.name), map_line(m));
        match m.kind {
            MapKind::Data | MapKind::Rodata => {
                out!(
                    r,
                    "      initial data: {} bytes from the ELF section",
                    m.init_data.len()
                );
            }
            MapKind::Kconfig => out!(r, "      initial data: the extern values below"),
            _ => {}
        }
        if let Some(j) = m.inner {
            match obj.inner_maps().get(j) {
                Some(inner) => out!(r, "      inner map: {}", map_line(inner)),
                None => out!(r, "      inner map: #{j} (missing)"),
            }
        }
        for (slot, t) in m.slots.iter() {
            let target = match t {
                SlotTarget::Map(k) => format!(
                    "map '{}'",
                    obj.maps().get(*k).map_or("?".into(), |m| s(m.name))
                ),
                SlotTarget::Prog(k) => format!(
                    "program '{}' (prog-array slots are not supported)",
                    obj.programs().get(*k).map_or("?".into(), |p| s(p.name))
                ),
            };
            out!(r, "      slot {slot}: {target}");
        }
    }
}

fn kcfg_value(e: &Extern<'_>, res: &Resolved) -> Option<String> {
    let ExternKind::Kconfig {
        typ,
        size,
        data_off,
        signed,
        ..
    } = e.kind
    else {
        return None;
    };
    let start = data_off as usize;
    let b = res.kconfig.get(start..start.checked_add(size as usize)?)?;
    let uint = || {
        let mut v = [0u8; 8];
        v.get_mut(..b.len())?.copy_from_slice(b);
        Some(u64::from_ne_bytes(v))
    };
    Some(match typ {
        KcfgType::Bool => (b.first() == Some(&1)).to_string(),
        KcfgType::Tristate => match uint()? {
            0 => "n".into(),
            1 => "y".into(),
            2 => "m".into(),
            v => v.to_string(),
        },
        KcfgType::Char => {
            let c = *b.first()?;
            if c.is_ascii_graphic() {
                format!("'{}' ({c})", char::from(c))
            } else {
                c.to_string()
            }
        }
        KcfgType::Int => {
            let v = uint()?;
            if signed && (1..8).contains(&size) {
                let shift = 64 - size * 8;
                (((v << shift) as i64) >> shift).to_string()
            } else if signed {
                (v as i64).to_string()
            } else {
                v.to_string()
            }
        }
        KcfgType::CharArray => {
            let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
            format!("\"{}\"", s(&b[..end]))
        }
    })
}

fn extern_kind(e: &Extern<'_>) -> String {
    match e.kind {
        ExternKind::Kconfig {
            typ,
            size,
            data_off,
            signed,
            ..
        } => {
            let t = match typ {
                KcfgType::Bool => "bool",
                KcfgType::Tristate => "tristate",
                KcfgType::Char => "char",
                KcfgType::Int if signed => "signed int",
                KcfgType::Int => "unsigned int",
                KcfgType::CharArray => "char[]",
            };
            let unit = if size == 1 { "byte" } else { "bytes" };
            format!("kconfig {t}, {size} {unit} at .kconfig+{data_off}")
        }
        ExternKind::Ksym {
            type_id: 0,
            func: false,
        } => "typeless ksym (kallsyms address)".into(),
        ExternKind::Ksym {
            type_id,
            func: false,
        } => {
            format!("typed ksym (local BTF type {type_id}; kernel BTF id at load time)")
        }
        ExternKind::Ksym {
            type_id,
            func: true,
        } => {
            let mut k = format!("kfunc (local BTF proto {type_id})");
            if e.essential_name != e.name {
                let _ = write!(k, ", looked up as '{}'", s(e.essential_name));
            }
            k
        }
    }
}

fn extern_list(
    r: &mut Report,
    obj: &Object<'_>,
    env: &InspectEnv,
    res: Option<&Resolved>,
    no_config: &str,
) {
    out!(r, "externs: {}", obj.externs().len());
    if obj.externs().is_empty() {
        return;
    }
    let has_kconfig = obj
        .externs()
        .iter()
        .any(|e| matches!(e.kind, ExternKind::Kconfig { .. }));
    match env.config() {
        Some(c) if has_kconfig => out!(r, "  kconfig values from {}", c.path.display()),
        None if has_kconfig => out!(r, "  kconfig values: placeholders ({no_config})"),
        _ => {}
    }
    for (i, e) in obj.externs().iter().enumerate() {
        let strength = if e.weak { "weak" } else { "strong" };
        let source = env.source(e.name).or_else(|| env.source(e.essential_name));
        let value = match (res.and_then(|r| r.values.get(i)), source) {
            (_, Some(Source::Kernel)) => {
                if e.weak {
                    "resolved by the kernel at load time (0 / poisoned call if absent); \
                     placeholder here"
                        .to_string()
                } else {
                    "resolved by the kernel at load time (ENOENT if absent); placeholder here"
                        .to_string()
                }
            }
            (v, Some(Source::Symbols(p, found))) => {
                let where_ = match found {
                    Some(None) => "in vmlinux".to_string(),
                    Some(Some(m)) => format!("in module {m}"),
                    None => "absent".to_string(),
                };
                let what = match v {
                    Some(ExternValue::Missing) => "unresolved (weak): 0 / poisoned call",
                    Some(_) => "resolved",
                    None => "the kernel would fail",
                };
                format!("{where_} per {}: {what}", p.display())
            }
            (Some(ExternValue::Kconfig), src) => {
                let mut v = res
                    .and_then(|r| kcfg_value(e, r))
                    .unwrap_or_else(|| "?".into());
                if e.name == b"LINUX_KERNEL_VERSION" {
                    if let Ok(n) = v.parse::<u32>() {
                        v = format!("{n:#x}");
                    }
                }
                match src {
                    Some(Source::Config(p)) => format!("= {v} (from {})", p.display()),
                    Some(Source::Virtual(how)) => format!("= {v} ({how})"),
                    Some(Source::NoConfig) => format!("= {v} (placeholder: no .config)"),
                    _ => format!("= {v}"),
                }
            }
            (Some(ExternValue::Missing), Some(Source::NotInConfig(p))) => {
                format!("not set in {}: 0", p.display())
            }
            (Some(ExternValue::Missing), _) => "unresolved: 0".into(),
            (Some(_), _) => "resolved".into(),
            (None, Some(Source::NotInConfig(p))) => {
                format!(
                    "not set in {}: the kernel would fail with ENOENT",
                    p.display()
                )
            }
            (None, Some(Source::Config(p))) => format!("set in {}", p.display()),
            (None, Some(Source::Virtual(how))) => format!("computed ({how})"),
            (None, Some(Source::NoConfig)) => "placeholder (no .config)".into(),
            (None, _) => "not reached: resolution stopped at the failing extern".into(),
        };
        out!(
            r,
            "  [{i}] {}: {}, {strength}: {value}",
            s(e.name),
            extern_kind(e)
        );
    }
}

/// Symbol names of every relocation, by (section, index).
fn rel_symbols<'a>(obj: &Object<'a>) -> HashMap<(u32, u32), &'a [u8]> {
    let elf = obj.elf();
    let mut out = HashMap::new();
    for sec in elf.sections() {
        if obj.section_kinds().get(sec.index as usize) != Some(&SectionKind::CodeRel) {
            continue;
        }
        let Ok(rels) = elf.rels(&sec) else { continue };
        for (i, rel) in (0u32..).zip(rels) {
            if let Ok(sym) = rel.and_then(|rel| elf.symbol(rel.sym)) {
                out.insert((sec.index, i), sym.name);
            }
        }
    }
    out
}

fn insn_at(obj: &Object<'_>, r: &Reloc) -> Option<Insn> {
    let f = obj.functions().get(r.func)?;
    let off = (r.insn as usize).checked_mul(INSN_SIZE)?;
    let b = f.insns.get(off..off.checked_add(INSN_SIZE)?)?;
    Some(Insn::from_bytes(b.try_into().ok()?))
}

fn text_func(obj: &Object<'_>, insn: i64) -> String {
    let Some(text) = obj.text_section() else {
        return "?".into();
    };
    u32::try_from(insn)
        .ok()
        .and_then(|i| obj.func_starting_at(text, i))
        .and_then(|f| obj.functions().get(f))
        .map_or_else(
            || format!(".text insn {insn}"),
            |f| format!("'{}'", s(f.name)),
        )
}

fn reloc_target(obj: &Object<'_>, r: &Reloc, insn: Option<Insn>) -> String {
    let imm = i64::from(insn.map_or(0, |i| i.imm));
    let map_name = |m: usize| obj.maps().get(m).map_or("?".into(), |m| s(m.name));
    match r.kind {
        RelocKind::Ld64 { map } => format!(
            "map '{}' -> ld_imm64 BPF_PSEUDO_MAP_IDX {map}",
            map_name(map)
        ),
        RelocKind::Data { map, sym_off } => format!(
            "global data '{}' + {} -> ld_imm64 BPF_PSEUDO_MAP_IDX_VALUE {map}",
            map_name(map),
            i64::from(sym_off) + imm
        ),
        RelocKind::Call { sym_off } => format!(
            "call subprogram {}",
            text_func(obj, i64::from(sym_off / 8) + imm + 1)
        ),
        RelocKind::SubprogAddr { sym_off } => format!(
            "callback {} -> ld_imm64 BPF_PSEUDO_FUNC",
            text_func(obj, (i64::from(sym_off) + imm) / 8)
        ),
        RelocKind::ExternLd64 { ext } => {
            let e = obj.externs().get(ext);
            let what = match e.map(|e| e.kind) {
                Some(ExternKind::Kconfig { data_off, .. }) => {
                    format!("-> ld_imm64 BPF_PSEUDO_MAP_IDX_VALUE .kconfig + {data_off}")
                }
                Some(ExternKind::Ksym {
                    type_id: 0,
                    func: false,
                }) => "-> ld_imm64 of its kallsyms address".into(),
                Some(ExternKind::Ksym { .. }) => "-> ld_imm64 BPF_PSEUDO_BTF_ID".into(),
                None => "?".into(),
            };
            format!("extern '{}' {what}", e.map_or("?".into(), |e| s(e.name)))
        }
        RelocKind::ExternCall { ext } => format!(
            "call kfunc '{}' -> BPF_PSEUDO_KFUNC_CALL (poisoned if weak and absent)",
            obj.externs().get(ext).map_or("?".into(), |e| s(e.name))
        ),
    }
}

fn relocations(r: &mut Report, obj: &Object<'_>) {
    out!(r, "relocations: {}", obj.relocs().len());
    let syms = rel_symbols(obj);
    for rel in obj.relocs() {
        let Some(f) = obj.functions().get(rel.func) else {
            continue;
        };
        let sec_insn = f.insn_off.saturating_add(rel.insn);
        let sym = syms.get(&(rel.section, rel.rel)).map_or("?".into(), |n| {
            if n.is_empty() {
                "<section>".into()
            } else {
                s(n)
            }
        });
        out!(
            r,
            "  {}+{} (section {} insn {}): {}  [rel section {} #{}, symbol {}]",
            s(f.name),
            rel.insn,
            f.section,
            sec_insn,
            reloc_target(obj, rel, insn_at(obj, rel)),
            rel.section,
            rel.rel,
            sym
        );
    }
}

/// `inspect --sec-defs`: the SEC-name table the loader accepts.
pub fn sec_defs() -> SecDefsReport {
    let sec_defs = sec_def::SEC_DEFS
        .iter()
        .map(|d| {
            let notes = [
                (SEC_ATTACH_BTF, "target via vmlinux BTF"),
                (SEC_SLEEPABLE, "sleepable"),
                (SEC_XDP_FRAGS, "xdp frags"),
                (SEC_UNSUPPORTED, "UNSUPPORTED (EOPNOTSUPP)"),
            ];
            SecDefInfo {
                sec: match d.matching {
                    SecMatch::Exact => s(d.pattern).into_owned(),
                    SecMatch::Plus => format!("{}[/TARGET]", s(d.pattern)),
                },
                prog_type: d.prog_type,
                prog_type_name: names::prog_type(d.prog_type),
                expected_attach_type: d.expected_attach_type,
                expected_attach_type_name: names::expected_attach_type(
                    d.prog_type,
                    d.expected_attach_type,
                ),
                notes: notes
                    .iter()
                    .filter(|(flag, _)| d.flags & flag != 0)
                    .map(|(_, note)| *note)
                    .collect(),
            }
        })
        .collect();
    SecDefsReport {
        version: SEC_DEF_VERSION,
        sec_defs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Render;

    fn bpf_header() -> Vec<u8> {
        let mut h = vec![0u8; 64];
        h[..4].copy_from_slice(b"\x7fELF");
        h[4] = 2; // ELFCLASS64
        h[5] = if cfg!(target_endian = "little") { 1 } else { 2 };
        h[6] = 1; // EV_CURRENT
        h[16..18].copy_from_slice(&1u16.to_ne_bytes()); // ET_REL
        h[18..20].copy_from_slice(&elf::EM_BPF.to_ne_bytes());
        h[20..24].copy_from_slice(&1u32.to_ne_bytes());
        h[52..54].copy_from_slice(&64u16.to_ne_bytes());
        h[58..60].copy_from_slice(&64u16.to_ne_bytes());
        h
    }

    #[test]
    fn not_bpf_is_enoexec() {
        let mut h = bpf_header();
        h[18..20].copy_from_slice(&62u16.to_ne_bytes());
        let r = run(&h, None, None, "");
        let rej = r.rejection.unwrap();
        assert_eq!(rej.errno, libc::ENOEXEC);
        assert!(rej.line.contains("not EM_BPF"), "{}", rej.line);
        assert!(r.lines[0].starts_with("file: 64 bytes, sha256 "));

        let r = run(b"hello", None, None, "");
        assert_eq!(r.rejection.unwrap().errno, libc::ENOEXEC);
    }

    #[test]
    fn size_checks_come_first() {
        let r = run(b"", None, None, "");
        assert_eq!(r.rejection.unwrap().errno, libc::EINVAL);
        let big = vec![0u8; MAX_OBJ_SIZE + 1];
        let r = run(&big, None, None, "");
        let rej = r.rejection.unwrap();
        assert_eq!(rej.errno, libc::E2BIG);
        assert!(rej.line.contains("16777216"));
    }

    #[test]
    fn class_errnos() {
        use bpfobj::error::ErrorClass;
        // The core's errno numbers are this host's (the kernel build checks
        // them against the kernel's).
        assert_eq!(ErrorClass::Malformed.errno(), libc::EINVAL);
        assert_eq!(ErrorClass::NotBpfObject.errno(), libc::ENOEXEC);
        assert_eq!(ErrorClass::TooBig.errno(), libc::E2BIG);
        assert_eq!(ErrorClass::Unsupported.errno(), libc::EOPNOTSUPP);
        assert_eq!(ErrorClass::NotFound.errno(), libc::ENOENT);
        assert_eq!(ErrorClass::NoMem.errno(), libc::ENOMEM);
        assert_eq!(ErrorClass::Denied.errno(), libc::EPERM);
        assert_eq!(ErrorClass::Interrupted.errno(), libc::EINTR);
    }

    #[test]
    fn flags_and_types_render() {
        assert_eq!(map_flags(0), "0");
        assert_eq!(map_flags(0x480), "0x480 (BPF_F_RDONLY_PROG|BPF_F_MMAPABLE)");
        assert_eq!(map_flags(1 << 30), "0x40000000 (0x40000000)");
        assert_eq!(sh_flags(SHF_ALLOC | SHF_EXECINSTR), "AX");
        assert_eq!(sh_type_name(SHT_REL), "REL");
        assert_eq!(sh_type_name(0x7000_0000), "0x70000000");
    }

    #[test]
    fn sec_def_table_lists_every_entry() {
        let t = sec_defs().text();
        let t: Vec<&str> = t.lines().collect();
        assert_eq!(t.len(), sec_def::SEC_DEFS.len() + 2);
        assert!(t
            .iter()
            .any(|l| l.contains("fentry[/TARGET]") && l.contains("tracing")));
        assert!(t
            .iter()
            .any(|l| l.contains("struct_ops.s[/") && l.contains("sleepable")));
    }
}
