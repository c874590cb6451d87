// SPDX-License-Identifier: GPL-2.0

//! Hostile objects (issue 7, the security review's findings): caps on names
//! and counts, checkpoints, `.BTF.ext` strictness, the byte budget, CO-RE
//! without func_info, map names and flags, `.kconfig` sizes, typeless ksym
//! refusals. Every object is built by hand (`tests/gen`); no test measures
//! time: the benchmark (`dev/bench-core.sh`) does.

mod gen;

use std::cell::Cell;

use bpfobj::checkpoint::{Checkpoint, NoCheckpoint};
use bpfobj::error::{
    ArenaError, BtfError, BtfExtError, ElfError, Error, ErrorClass, ErrorKind, ExternError,
    LinkError, Location, MapError, ObjectError, ProgError,
};
use bpfobj::externs::{Env, EnvError, KconfigValue, KfuncId, KsymBtf};
use bpfobj::limits::{
    Cap, CHECKPOINT_EVERY, MAX_EXTERNS, MAX_KCONFIG_SIZE, MAX_MAPS, MAX_MAP_NAME_LEN, MAX_NAME_LEN,
    MAX_PROGRAMS, MAX_PROG_BYTES, MAX_PROG_NAME_LEN, MAX_SECTIONS,
};
use bpfobj::object::Object;
use bpfobj::relocate::{self, Relocator};
use gen::*;

/// A kernel with every extern, or refusing typeless ksyms with `addr`.
struct Kernel {
    addr: Result<Option<u64>, EnvError>,
}

impl Checkpoint for Kernel {
    fn checkpoint(&self) -> Result<(), Error> {
        Ok(())
    }
}

impl Env for Kernel {
    fn kconfig(&self, _name: &[u8]) -> Option<KconfigValue<'_>> {
        Some(KconfigValue::Int(1))
    }
    fn ksym_btf(&self, _name: &[u8], _kind: u32, _local: u32) -> Option<KsymBtf> {
        Some(KsymBtf {
            btf_id: 1,
            btf_obj: 0,
        })
    }
    fn ksym_addr(&self, _name: &[u8]) -> Result<Option<u64>, EnvError> {
        self.addr
    }
    fn kfunc(&self, _name: &[u8], _local: u32) -> Option<KfuncId> {
        Some(KfuncId {
            btf_id: 1,
            btf_fd_slot: 0,
        })
    }
}

const KERNEL: Kernel = Kernel {
    addr: Ok(Some(0xffff_ffff_8100_0000)),
};

fn parse(data: &[u8]) -> Result<Object<'_>, Error> {
    Object::parse(data, &NoCheckpoint)
}

/// Parses, resolves and links every program with one budget, like
/// `load.rs`; the first error.
fn load(data: &[u8]) -> Result<usize, Error> {
    let obj = parse(data)?;
    let res = bpfobj::plan::resolve_externs(&obj, &KERNEL)?;
    let mut relocator = Relocator::new(&obj)?;
    let mut left = MAX_PROG_BYTES;
    for i in 0..obj.programs().len() {
        let l = relocator.relocate_within(i, &res, &NoCheckpoint, left)?;
        left -= l.insns.len() * 8
            + l.func_info.len() * 8
            + l.line_info.len() * 16
            + l.core_relos.len() * 16;
    }
    Ok(obj.programs().len())
}

// --- C1, H2b: names ----------------------------------------------------------

#[test]
fn long_symbol_names_are_too_big() {
    // poc/longname_syms.py: many symbols sharing one long name. Rejected at
    // the first symbol, reading at most MAX_NAME_LEN + 1 bytes of it.
    let data = longname_syms(100_000, 4 << 20);
    let e = parse(&data).unwrap_err();
    assert!(
        matches!(e.kind, ErrorKind::Elf(ElfError::SymbolNameTooLong)),
        "{e:?}"
    );
    assert_eq!(e.class(), ErrorClass::TooBig);
    assert!(e.to_string().contains("longer than 511"), "{e}");
    // The boundary: 511 bytes are fine, 512 are not.
    assert!(load(&longname_syms(1000, MAX_NAME_LEN)).is_ok());
    let e = parse(&longname_syms(10, MAX_NAME_LEN + 1)).unwrap_err();
    assert!(
        matches!(e.kind, ErrorKind::Elf(ElfError::SymbolNameTooLong)),
        "{e:?}"
    );
}

#[test]
fn long_program_name_is_too_big() {
    // poc/longprogname.py: a 5,000,000-byte program name.
    let e = parse(&long_prog_name(5_000_000)).unwrap_err();
    assert!(
        matches!(e.kind, ErrorKind::Elf(ElfError::SymbolNameTooLong)),
        "{e:?}"
    );
    assert_eq!(e.class(), ErrorClass::TooBig);
    // Over the sysfs name limit but a valid symbol name.
    let e = parse(&long_prog_name(MAX_PROG_NAME_LEN + 1)).unwrap_err();
    assert!(
        matches!(e.kind, ErrorKind::Prog(ProgError::NameTooLong)),
        "{e:?}"
    );
    assert_eq!(e.class(), ErrorClass::TooBig);
    assert!(load(&long_prog_name(MAX_PROG_NAME_LEN)).is_ok());
}

#[test]
fn long_section_name_is_too_big() {
    let mut e = Elf::new();
    let off = e.shstr_raw(&vec![b'x'; 100_000]);
    e.code(&raw_name(off), &body(2));
    let data = e.finish();
    let err = parse(&data).unwrap_err();
    assert!(
        err == Error::at_section(1, ElfError::SectionNameTooLong),
        "{err:?}"
    );
    assert_eq!(err.class(), ErrorClass::TooBig);
    // Log lines name the section; a name over the cap is not printed.
    assert_eq!(bpfobj::elf::section_name_of(&data, 1), None);
}

#[test]
fn long_btf_names_are_too_big_where_they_are_names() {
    // A DATASEC name over the cap (the kernel's limit for section names).
    let mut e = Elf::new();
    let sec = e.code(b"socket", &body(2));
    e.func(b"prog", sec, 0, 2);
    let mut btf = Btf::new();
    let int = btf.int(b"int", 4);
    let v = btf.var(b"v", int, 0);
    btf.datasec(&vec![b'd'; 600], 4, &[(v, 0, 4)]);
    add_btf(&mut e, &btf, None);
    let err = parse(&e.finish()).unwrap_err();
    assert!(
        matches!(err.kind, ErrorKind::Btf(BtfError::NameTooLong { .. })),
        "{err:?}"
    );

    // Tags and source lines may be long: they are not names.
    let data = many_progs(2, 4, 2, true, false);
    assert!(load(&data).is_ok());
    let mut e = Elf::new();
    let sec = e.code(b"socket", &body(2));
    e.func(b"prog", sec, 0, 2);
    let mut btf = Btf::new();
    let int = btf.int(b"int", 4);
    let proto = btf.func_proto(int, &[]);
    let f = btf.func(b"prog", proto, 1);
    btf.decl_tag(&vec![b't'; 100_000], f, -1);
    let file = btf.str(&vec![b'f'; 1 << 20]);
    let line_s = btf.str(&vec![b'l'; 1 << 20]);
    let sn = btf.str(b"socket");
    let ext = BtfExt {
        func_info: vec![(sn, vec![[0, f]])],
        line_info: vec![(sn, vec![line(0, file, line_s), line(1, file, line_s)])],
        core_relo: vec![],
    };
    add_btf(&mut e, &btf, Some(&ext));
    assert_eq!(load(&e.finish()), Ok(1));
}

#[test]
fn names_in_a_long_table_parse_in_linear_reads() {
    // Every symbol names a 511-byte string: at the cap, accepted; the
    // name of each is found once (symbol() does not search again).
    let data = longname_syms(20_000, MAX_NAME_LEN);
    let obj = parse(&data).unwrap();
    let elf = obj.elf();
    assert_eq!(elf.symbol_count(), 20_002);
    assert!(elf.symbols().skip(2).all(|s| s.name.len() == MAX_NAME_LEN));
}

// --- C1: counts --------------------------------------------------------------

#[test]
fn too_many_programs() {
    let err = parse(&many_progs(MAX_PROGRAMS + 1, 2, 1, false, false)).unwrap_err();
    assert_eq!(err, Error::too_many(Cap::Programs));
    assert_eq!(err.class(), ErrorClass::TooBig);
    assert_eq!(
        err.to_string(),
        "limit: more than 4096 programs (MAX_PROGRAMS)"
    );
    assert_eq!(
        load(&many_progs(MAX_PROGRAMS, 2, 1, true, false)),
        Ok(MAX_PROGRAMS)
    );
}

#[test]
fn too_many_sections() {
    let mut e = Elf::new();
    for i in 0..MAX_SECTIONS {
        e.data(format!("s{i}").as_bytes(), &[0]);
    }
    let err = parse(&e.finish()).unwrap_err();
    assert_eq!(err, Error::too_many(Cap::Sections));
    assert!(err.to_string().contains("MAX_SECTIONS"), "{err}");
}

#[test]
fn too_many_maps() {
    let mut e = Elf::new();
    let sec = e.code(b"socket", &body(2));
    e.func(b"prog", sec, 0, 2);
    for i in 0..=MAX_MAPS {
        e.data(format!(".data.m{i}").as_bytes(), &[0; 4]);
    }
    let err = parse(&e.finish()).unwrap_err();
    assert_eq!(err, Error::too_many(Cap::Maps));
}

#[test]
fn too_many_externs() {
    let err = parse(&many_externs(MAX_EXTERNS + 1, 1)).unwrap_err();
    assert_eq!(err, Error::too_many(Cap::Externs));
    assert_eq!(load(&many_externs(MAX_EXTERNS, 1)), Ok(1));
}

#[test]
fn too_many_ext_records() {
    // One block per section: more blocks than code sections cannot be.
    let data = many_records(1, 2);
    let mut obj_ext = BtfExt::default();
    for _ in 0..=bpfobj::limits::MAX_EXT_BLOCKS {
        obj_ext.line_info.push((1, vec![[0, 1, 1, 1]]));
    }
    let err = bpfobj::btf_ext::BtfExt::parse(&obj_ext.bytes()).unwrap_err();
    assert_eq!(err, Error::too_many(Cap::ExtBlocks));
    let mut big = BtfExt::default();
    let recs = (0..=bpfobj::limits::MAX_EXT_RECORDS)
        .map(|i| [i * 8, 1])
        .collect();
    big.func_info.push((1, recs));
    let err = bpfobj::btf_ext::BtfExt::parse(&big.bytes()).unwrap_err();
    assert_eq!(err, Error::too_many(Cap::ExtRecords));
    assert!(load(&data).is_ok());
}

// --- C1: checkpoints ---------------------------------------------------------

/// A checkpoint that counts calls and fails after `fail_after` of them.
struct Countdown {
    calls: Cell<u64>,
    fail_after: u64,
}

impl Countdown {
    fn new(fail_after: u64) -> Self {
        Countdown {
            calls: Cell::new(0),
            fail_after,
        }
    }
}

impl Checkpoint for Countdown {
    fn checkpoint(&self) -> Result<(), Error> {
        self.calls.set(self.calls.get() + 1);
        if self.calls.get() > self.fail_after {
            Err(Error::INTERRUPTED)
        } else {
            Ok(())
        }
    }
}

impl Env for Countdown {
    fn kconfig(&self, n: &[u8]) -> Option<KconfigValue<'_>> {
        KERNEL.kconfig(n)
    }
    fn ksym_btf(&self, n: &[u8], k: u32, l: u32) -> Option<KsymBtf> {
        KERNEL.ksym_btf(n, k, l)
    }
    fn ksym_addr(&self, n: &[u8]) -> Result<Option<u64>, EnvError> {
        KERNEL.ksym_addr(n)
    }
    fn kfunc(&self, n: &[u8], l: u32) -> Option<KfuncId> {
        KERNEL.kfunc(n, l)
    }
}

#[test]
fn checkpoints_interrupt_every_stage() {
    for data in [
        longname_syms(100_000, 100),
        many_progs(1000, 8, 4, true, true),
        many_sections(500, 20),
        many_records(2000, 8),
        many_externs(1000, 4),
    ] {
        // Parse: interrupted at the first checkpoint, wherever it is.
        let cp = Countdown::new(0);
        assert_eq!(Object::parse(&data, &cp).err(), Some(Error::INTERRUPTED));
        assert_eq!(Error::INTERRUPTED.class(), ErrorClass::Interrupted);

        // Parse counts: at least one checkpoint per CHECKPOINT_EVERY
        // symbols.
        let cp = Countdown::new(u64::MAX);
        let obj = Object::parse(&data, &cp).unwrap();
        let nsyms = u64::from(obj.elf().symbol_count());
        assert!(
            cp.calls.get() >= nsyms / u64::from(CHECKPOINT_EVERY),
            "{} checkpoints for {nsyms} symbols",
            cp.calls.get()
        );

        // Resolve and link.
        let env = Countdown::new(0);
        let res = bpfobj::plan::resolve_externs(&obj, &KERNEL).unwrap();
        // (Which externs an ld_imm64 takes is found at parse time.)
        if !obj.externs().is_empty() {
            assert_eq!(
                bpfobj::plan::resolve_externs(&obj, &env).err(),
                Some(Error::INTERRUPTED)
            );
        }
        let big = (0..obj.programs().len())
            .max_by_key(|&i| obj.programs()[i].insn_cnt)
            .unwrap();
        let cp = Countdown::new(0);
        if relocate::relocate(&obj, big, &res, &NoCheckpoint)
            .unwrap()
            .insns
            .len()
            > CHECKPOINT_EVERY as usize
        {
            assert_eq!(
                relocate::relocate(&obj, big, &res, &cp).err(),
                Some(Error::INTERRUPTED)
            );
        }
    }
}

// --- C1: linking is per program -----------------------------------------------

#[test]
fn one_linker_links_like_fresh_ones() {
    // The relocator keeps one object-sized table across programs (and its
    // generations must never leak a placement into the next program):
    // any order, repeated, gives what a fresh link gives.
    for data in [
        many_progs(50, 6, 5, true, true),
        many_records(40, 4),
        many_externs(30, 3),
    ] {
        let obj = parse(&data).unwrap();
        let res = bpfobj::plan::resolve_externs(&obj, &KERNEL).unwrap();
        let n = obj.programs().len();
        let fresh: Vec<_> = (0..n)
            .map(|i| relocate::relocate(&obj, i, &res, &NoCheckpoint).unwrap())
            .collect();
        let mut relocator = Relocator::new(&obj).unwrap();
        let order: Vec<usize> = (0..n).rev().chain(0..n).chain((0..n).step_by(3)).collect();
        for i in order {
            let l = relocator.relocate(i, &res, &NoCheckpoint).unwrap();
            let f = &fresh[i];
            assert_eq!(l.insns.as_slice(), f.insns.as_slice());
            assert_eq!(l.func_info.as_slice(), f.func_info.as_slice());
            assert_eq!(l.line_info.as_slice(), f.line_info.as_slice());
            assert_eq!(l.core_relos.as_slice(), f.core_relos.as_slice());
            assert_eq!(l.layout.as_slice(), f.layout.as_slice());
        }
    }
}

// --- H3: .BTF.ext strictness and the byte budget ------------------------------

/// A program of `n` instructions with the given line_info and func_info
/// records (byte offsets).
fn with_records(n: u32, func: &[u32], lines: &[u32], core: &[u32]) -> Vec<u8> {
    let mut e = Elf::new();
    let sec = e.code(b"socket", &body(n as usize));
    e.func(b"prog", sec, 0, u64::from(n));
    let mut btf = Btf::new();
    let int = btf.int(b"int", 4);
    let proto = btf.func_proto(int, &[]);
    let f = btf.func(b"prog", proto, 1);
    let file = btf.str(b"f.c");
    let access = btf.str(b"0");
    let sn = btf.str(b"socket");
    let mut ext = BtfExt::default();
    if !func.is_empty() {
        ext.func_info
            .push((sn, func.iter().map(|&o| [o, f]).collect()));
    }
    if !lines.is_empty() {
        ext.line_info.push((
            sn,
            lines.iter().map(|&o| [o, file, file, 1 << 10]).collect(),
        ));
    }
    if !core.is_empty() {
        ext.core_relo
            .push((sn, core.iter().map(|&o| [o, int, access, 0]).collect()));
    }
    add_btf(&mut e, &btf, Some(&ext));
    e.finish()
}

#[test]
fn equal_insn_offs_are_rejected() {
    // poc/amp_lineinfo.py: copies of one line_info record.
    let amp = with_records(4, &[0], &vec![0; 300_000], &[]);
    let err = parse(&amp).unwrap_err();
    assert!(
        matches!(
            err.kind,
            ErrorKind::BtfExt(BtfExtError::NotIncreasing { rec: 1, .. })
        ),
        "{err:?}"
    );
    assert_eq!(err.class(), ErrorClass::Malformed);
    assert!(err.to_string().contains("not strictly increasing"), "{err}");
    // Decreasing, in each subsection; CO-RE too (one per instruction).
    for (f, l, c) in [
        (vec![0, 0], vec![0], vec![]),
        (vec![0], vec![8, 0], vec![]),
        (vec![0], vec![0], vec![8, 8]),
        (vec![0], vec![0], vec![16, 8]),
    ] {
        let err = parse(&with_records(4, &f, &l, &c)).unwrap_err();
        assert!(
            matches!(
                err.kind,
                ErrorKind::BtfExt(BtfExtError::NotIncreasing { .. })
            ),
            "{err:?}"
        );
    }
    assert_eq!(load(&with_records(4, &[0], &[0, 8, 24], &[8, 16])), Ok(1));
}

#[test]
fn one_func_info_per_function() {
    // Strictly increasing, but two func_info records in one function.
    let data = with_records(4, &[0, 8], &[0], &[]);
    let obj = parse(&data).unwrap();
    let res = bpfobj::plan::resolve_externs(&obj, &KERNEL).unwrap();
    let err = relocate::relocate(&obj, 0, &res, &NoCheckpoint).unwrap_err();
    assert!(
        matches!(err.kind, ErrorKind::Link(LinkError::BadFuncInfo)),
        "{err:?}"
    );
    // Or one not at its start.
    let data = with_records(4, &[8], &[0], &[]);
    let obj = parse(&data).unwrap();
    let err = relocate::relocate(&obj, 0, &res, &NoCheckpoint).unwrap_err();
    assert!(
        matches!(err.kind, ErrorKind::Link(LinkError::BadFuncInfo)),
        "{err:?}"
    );
}

#[test]
fn duplicate_ext_blocks_are_rejected() {
    let mut e = Elf::new();
    let sec = e.code(b"socket", &body(2));
    e.func(b"prog", sec, 0, 2);
    let mut btf = Btf::new();
    let int = btf.int(b"int", 4);
    let proto = btf.func_proto(int, &[]);
    let f = btf.func(b"prog", proto, 1);
    let sn = btf.str(b"socket");
    let ext = BtfExt {
        func_info: vec![(sn, vec![[0, f]]), (sn, vec![[0, f]])],
        ..Default::default()
    };
    add_btf(&mut e, &btf, Some(&ext));
    let err = parse(&e.finish()).unwrap_err();
    assert!(
        matches!(
            err.kind,
            ErrorKind::BtfExt(BtfExtError::DuplicateBlock { .. })
        ),
        "{err:?}"
    );
}

#[test]
fn amplification_hits_the_byte_budget() {
    // poc/gen_amp_c.py: many programs calling one big subprogram, each
    // getting its own copy of it and of its records. 4096 programs x
    // 20000 instructions x (8 + 16) bytes is 1.9 GB; the budget stops the
    // loader at 64 MiB.
    let data = many_progs(MAX_PROGRAMS, 2, 20_000, true, false);
    assert!(data.len() < (1 << 20));
    let err = load(&data).unwrap_err();
    assert_eq!(err, Error::too_many(Cap::ProgBytes));
    assert_eq!(err.class(), ErrorClass::TooBig);
    assert!(err.to_string().contains("MAX_PROG_BYTES"), "{err}");

    // One program alone stops at the budget it is given, before copying
    // past it.
    let obj = parse(&data).unwrap();
    let res = bpfobj::plan::resolve_externs(&obj, &KERNEL).unwrap();
    let mut relocator = Relocator::new(&obj).unwrap();
    let one = relocator.relocate(0, &res, &NoCheckpoint).unwrap();
    let bytes = one.insns.len() * 8 + one.func_info.len() * 8 + one.line_info.len() * 16;
    assert_eq!(
        relocator
            .relocate_within(0, &res, &NoCheckpoint, bytes - 1)
            .unwrap_err(),
        Error::too_many(Cap::ProgBytes)
    );
    assert!(relocator
        .relocate_within(0, &res, &NoCheckpoint, bytes)
        .is_ok());
}

// --- M1: CO-RE without func_info --------------------------------------------

#[test]
fn core_relos_need_func_info() {
    // poc/core.c + strip_fi_li.py: CO-RE records, no func_info/line_info.
    let data = many_progs(1, 4, 4, false, true);
    let obj = parse(&data).unwrap();
    let res = bpfobj::plan::resolve_externs(&obj, &KERNEL).unwrap();
    let err = relocate::relocate(&obj, 0, &res, &NoCheckpoint).unwrap_err();
    assert!(
        matches!(err.kind, ErrorKind::Link(LinkError::CoreWithoutFuncInfo)),
        "{err:?}"
    );
    assert_eq!(err.class(), ErrorClass::Malformed);
    assert!(err.to_string().contains("without func_info"), "{err}");
    // With func_info the same records link.
    assert_eq!(load(&many_progs(1, 4, 4, true, true)), Ok(1));
}

// --- L2: map and program names -------------------------------------------------

/// A program and data sections called `names`.
fn with_data(names: &[&[u8]]) -> Vec<u8> {
    let mut e = Elf::new();
    let sec = e.code(b"socket", &body(2));
    e.func(b"prog", sec, 0, 2);
    for n in names {
        e.data(n, &[0; 8]);
    }
    e.finish()
}

/// A program and BTF-defined maps `(name, type, map_flags)`.
fn with_btf_maps(maps: &[(&[u8], u32, u32)]) -> Vec<u8> {
    let mut e = Elf::new();
    let sec = e.code(b"socket", &body(2));
    e.func(b"prog", sec, 0, 2);
    let mut btf = Btf::new();
    let int = btf.int(b"int", 4);
    let idx = btf.int(b"__ARRAY_SIZE_TYPE__", 4);
    let mut vars = Vec::new();
    for (i, &(name, ty, flags)) in maps.iter().enumerate() {
        let t = btf.array(int, idx, ty);
        let pt = btf.ptr(t);
        let f = btf.array(int, idx, flags);
        let pf = btf.ptr(f);
        let m = btf.array(int, idx, 1);
        let pm = btf.ptr(m);
        let def = btf.struct_(
            b"",
            24,
            &[
                (b"type", pt, 0),
                (b"map_flags", pf, 64),
                (b"max_entries", pm, 128),
            ],
        );
        let v = btf.var(name, def, 1);
        vars.push((v, (i * 24) as u32, 24));
        let n = e.str(name);
        e.sym(Sym {
            name: n,
            bind: STB_GLOBAL,
            typ: STT_OBJECT,
            shndx: 3,
            value: (i * 24) as u64,
            size: 24,
            ..Default::default()
        });
    }
    btf.datasec(b".maps", (maps.len() * 24) as u32, &vars);
    add_btf(&mut e, &btf, None);
    // Section 3 after .BTF (2).
    e.data(b".maps", &vec![0; maps.len() * 24]);
    e.finish()
}

#[test]
fn duplicate_map_names_are_rejected() {
    // poc/dupdata.py: two `.data.x` sections.
    let err = parse(&with_data(&[b".data.x", b".data.x"])).unwrap_err();
    assert!(
        matches!(
            err,
            Error {
                kind: ErrorKind::Map(MapError::DuplicateName),
                location: Location::MapEntry { section: 3, .. }
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.class(), ErrorClass::Malformed);
    assert!(err.to_string().contains("duplicate map name"), "{err}");
    // BTF-defined maps with one name.
    let err = parse(&with_btf_maps(&[(b"m", 2, 0), (b"m", 2, 0)])).unwrap_err();
    assert!(
        matches!(
            err,
            Error {
                kind: ErrorKind::Map(MapError::DuplicateName),
                location: Location::MapEntry { entry: 1, .. }
            }
        ),
        "{err:?}"
    );
    let obj_data = with_btf_maps(&[(b"a", 2, 0), (b"b", 1, 0)]);
    let obj = parse(&obj_data).unwrap();
    assert_eq!(obj.map_by_name(b"b"), Some(1));
    assert_eq!(obj.map_by_name(b"c"), None);
    // Two code sections with one name.
    let mut e = Elf::new();
    let a = e.code(b"socket", &body(2));
    e.func(b"a", a, 0, 2);
    let b = e.code(b"socket", &body(2));
    e.func(b"b", b, 0, 2);
    let err = parse(&e.finish()).unwrap_err();
    assert_eq!(err, Error::at_section(2, ObjectError::DuplicateSection));
}

#[test]
fn map_names_are_identifiers_of_bounded_length() {
    for bad in [
        b".data.a-b".as_slice(),
        b".data.a/b",
        b".data.a\nb",
        b".rodata.\x01",
    ] {
        let err = parse(&with_data(&[bad])).unwrap_err();
        assert!(
            matches!(err.kind, ErrorKind::Map(MapError::BadName)),
            "{bad:?}: {err:?}"
        );
        assert_eq!(err.class(), ErrorClass::Malformed);
    }
    let long = [b".data.".as_slice(), &[b'x'; MAX_MAP_NAME_LEN - 5]].concat();
    let err = parse(&with_data(&[&long])).unwrap_err();
    assert!(
        matches!(err.kind, ErrorKind::Map(MapError::NameTooLong)),
        "{err:?}"
    );
    assert_eq!(err.class(), ErrorClass::TooBig);
    let ok = [b".data.".as_slice(), &[b'x'; MAX_MAP_NAME_LEN - 6]].concat();
    let obj_ok = with_data(&[&ok, b".rodata.str1.1", b".bss"]);
    assert!(parse(&obj_ok).is_ok());
}

#[test]
fn program_names_are_identifiers() {
    for bad in [b"a/b".as_slice(), b"a\nb", b"..", b"a b", b"\x7f"] {
        let err = parse(&prog_named(bad)).unwrap_err();
        assert!(
            matches!(err.kind, ErrorKind::Prog(ProgError::BadName)),
            "{bad:?}: {err:?}"
        );
        assert_eq!(err.class(), ErrorClass::Malformed);
    }
    assert!(parse(&prog_named(b"handle_tp.v2_x")).is_ok());
}

// --- M5, L5: map flags and types -------------------------------------------

#[test]
fn map_flags_pass_an_allow_list() {
    const BPF_F_TOKEN_FD: u32 = 1 << 16;
    const BPF_F_VTYPE_BTF_OBJ_FD: u32 = 1 << 15;
    for flags in [BPF_F_TOKEN_FD, BPF_F_VTYPE_BTF_OBJ_FD, 1 << 13, 1 << 31] {
        let err = parse(&with_btf_maps(&[(b"m", 2, flags)])).unwrap_err();
        assert_eq!(
            err,
            Error::at(Location::Map(0), MapError::BadFlags { flags }),
            "{flags:#x}"
        );
        assert_eq!(err.class(), ErrorClass::Malformed);
    }
    // BPF_F_NO_PREALLOC | BPF_F_RDONLY_PROG | BPF_F_INNER_MAP.
    let ok = with_btf_maps(&[(b"m", 1, 1 | (1 << 7) | (1 << 12))]);
    assert!(parse(&ok).is_ok());
}

#[test]
fn arena_maps() {
    // One arena map is fine (its flags included); two are refused, as
    // libbpf refuses them.
    const BPF_F_MMAPABLE: u32 = 1 << 10;
    const BPF_F_SEGV_ON_FAULT: u32 = 1 << 17;
    let one = with_btf_maps(&[(b"arena", 33, BPF_F_MMAPABLE | BPF_F_SEGV_ON_FAULT)]);
    assert!(parse(&one).is_ok());
    let two = with_btf_maps(&[(b"a1", 33, BPF_F_MMAPABLE), (b"a2", 33, BPF_F_MMAPABLE)]);
    let err = parse(&two).unwrap_err();
    assert_eq!(err, Error::at(Location::Map(1), ArenaError::TooManyMaps));
    assert_eq!(err.class(), ErrorClass::Malformed);
}

#[test]
fn repeated_map_def_members_are_malformed() {
    let mut e = Elf::new();
    let sec = e.code(b"socket", &body(2));
    e.func(b"prog", sec, 0, 2);
    let mut btf = Btf::new();
    let int = btf.int(b"int", 4);
    let idx = btf.int(b"__ARRAY_SIZE_TYPE__", 4);
    let t = btf.array(int, idx, 2);
    let pt = btf.ptr(t);
    let members: Vec<(&[u8], u32, u32)> = (0..1000)
        .map(|i| (b"type".as_slice(), pt, i * 64))
        .collect();
    let def = btf.struct_(b"", 8000, &members);
    let v = btf.var(b"m", def, 1);
    btf.datasec(b".maps", 8000, &[(v, 0, 8000)]);
    let n = e.str(b"m");
    e.sym(Sym {
        name: n,
        bind: STB_GLOBAL,
        typ: STT_OBJECT,
        shndx: 3,
        size: 8000,
        ..Default::default()
    });
    add_btf(&mut e, &btf, None);
    e.data(b".maps", &vec![0; 8000]);
    let err = parse(&e.finish()).unwrap_err();
    assert_eq!(
        err,
        Error::at(Location::MapMember { map: 0, member: 1 }, MapError::BadDef)
    );
}

// --- H2a: .kconfig size -----------------------------------------------------

/// `extern char NAME[n] __kconfig` for each `(name, n)`, loaded by one
/// program.
fn kconfig_arrays(vars: &[(&[u8], u32)]) -> Vec<u8> {
    let mut e = Elf::new();
    let mut btf = Btf::new();
    let ch = btf.raw(btf.strs.len() as u32, 1, 0, false, 1, &[(2 << 24) | 8]);
    btf.str(b"char");
    let idx = btf.int(b"__ARRAY_SIZE_TYPE__", 4);
    let mut entries = Vec::new();
    let mut rels = Vec::new();
    let mut code = Vec::new();
    for &(name, n) in vars {
        let a = btf.array(ch, idx, n);
        let v = btf.var(name, a, 2);
        entries.push((v, 0, n));
        let sn = e.str(name);
        let s = e.sym(Sym {
            name: sn,
            bind: STB_GLOBAL,
            typ: STT_NOTYPE,
            shndx: 0,
            ..Default::default()
        });
        rels.push((code.len() as u64, s, R_BPF_64_64));
        code.extend_from_slice(&ld_imm64());
    }
    code.extend_from_slice(&exit());
    btf.datasec(b".kconfig", 0, &entries);
    let sec = e.code(b"socket", &code);
    e.func(b"prog", sec, 0, (code.len() / 8) as u64);
    e.rels(sec, &rels);
    add_btf(&mut e, &btf, None);
    e.finish()
}

#[test]
fn kconfig_size_is_capped() {
    // poc/kcfg_huge.c: extern char CONFIG_HUGE[0x80000001] __kconfig.
    let err = parse(&kconfig_arrays(&[(b"CONFIG_HUGE", 0x8000_0001)])).unwrap_err();
    assert!(
        matches!(err.kind, ErrorKind::Extern(ExternError::KconfigTooBig)),
        "{err:?}"
    );
    assert_eq!(err.class(), ErrorClass::TooBig);
    assert!(err.to_string().contains("MAX_KCONFIG_SIZE"), "{err}");
    // Each under the cap, together over it.
    let half = MAX_KCONFIG_SIZE / 2 + 1;
    let err = parse(&kconfig_arrays(&[(b"CONFIG_A", half), (b"CONFIG_B", half)])).unwrap_err();
    assert_eq!(err, Error::too_many(Cap::KconfigSize));
    // At the cap: fine, and the map is that big.
    let data = kconfig_arrays(&[(b"CONFIG_A", MAX_KCONFIG_SIZE)]);
    let obj = parse(&data).unwrap();
    let m = &obj.maps()[obj.kconfig_map().unwrap()];
    assert_eq!(m.value_size, MAX_KCONFIG_SIZE);
}

// --- H1 (core side): typeless ksyms the kernel refuses --------------------------

#[test]
fn typeless_ksym_refusals() {
    let data = many_externs(3, 1);
    let obj = parse(&data).unwrap();
    let cases = [
        (EnvError::Denied, ErrorClass::Denied, "kallsyms access"),
        (
            EnvError::InModule,
            ErrorClass::Unsupported,
            "in a module is not supported",
        ),
        (
            EnvError::Interrupted,
            ErrorClass::Interrupted,
            "fatal signal",
        ),
    ];
    for (env_err, class, msg) in cases {
        let err = bpfobj::plan::resolve_externs(&obj, &Kernel { addr: Err(env_err) }).unwrap_err();
        assert_eq!(err.class(), class, "{err:?}");
        assert!(err.to_string().contains(msg), "{err}");
        if class != ErrorClass::Interrupted {
            assert_eq!(err.extern_index(), Some(0));
        }
    }
    // Weak typeless ksyms fail closed too.
    let mut weak = data.clone();
    let elf = bpfobj::elf::Elf::parse(&data).unwrap();
    let symtab = elf.section(elf.symtab_index()).unwrap();
    for s in elf.symbols().filter(|s| s.name.starts_with(b"k")) {
        let at = symtab.offset as usize + s.index as usize * 24 + 4;
        weak[at] = (STB_WEAK << 4) | STT_NOTYPE;
    }
    let obj = parse(&weak).unwrap();
    assert!(obj.externs().iter().all(|e| e.weak));
    let err = bpfobj::plan::resolve_externs(
        &obj,
        &Kernel {
            addr: Err(EnvError::Denied),
        },
    )
    .unwrap_err();
    assert_eq!(err.class(), ErrorClass::Denied);
    // Missing weak ones are still fine.
    assert!(bpfobj::plan::resolve_externs(&obj, &Kernel { addr: Ok(None) }).is_ok());
}

// --- M3: accounted allocations ------------------------------------------------

#[test]
fn core_allocations_are_accounted() {
    // Every allocation of the core passes compat's GFP_INPUT (accounted,
    // no OOM kill, no warning): no other GFP flag set is even exported.
    // At run time: a cached binary may come from another checkout.
    let dir = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("src/bpfobj");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for (i, line) in text.lines().enumerate() {
            if path.ends_with("compat.rs") {
                continue;
            }
            assert!(
                !line.contains("GFP_KERNEL"),
                "{}:{}: {line}",
                path.display(),
                i + 1
            );
        }
    }
    let _ = bpfobj::compat::GFP_INPUT;
}
