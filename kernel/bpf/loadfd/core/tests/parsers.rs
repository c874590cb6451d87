// SPDX-License-Identifier: GPL-2.0

//! The ELF, BTF and `.BTF.ext` readers on real clang-built objects, checked
//! against independent tools (`llvm-readelf-19`, `bpftool`, the libbpf
//! oracle), plus property tests: random mutations and truncations of real
//! objects never panic.

#![allow(
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation
)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use bpfobj::btf::{self, Btf};
use bpfobj::btf_ext::{BtfExt, ExtSection, InfoBlock, InfoBlocks};
use bpfobj::elf::{self, Elf};
use bpfobj::error::{BtfError, ElfError, Error, ErrorKind};
use bpfobj::insn;
use proptest::prelude::*;

/// Upstream selftests programs: maps and data, CO-RE, ksyms, global and
/// static subprograms, tail calls, callbacks, decl tags.
const PROGS: &[&str] = &[
    "test_global_data",
    "test_core_reloc_kernel",
    "test_ksyms",
    "test_global_func1",
    "tailcall_bpf2bpf1",
    "test_cls_redirect",
    "test_legacy_printk",
    // These need vmlinux.h (from the 6.12 build's vmlinux).
    "bpf_loop",
    "test_btf_decl_tag",
    "test_subprogs",
];

fn tool(cmd: &str, args: &[&str], obj: &Path) -> String {
    let out = Command::new(cmd)
        .args(args)
        .arg(obj)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd}: {e}"));
    assert!(
        out.status.success(),
        "{cmd} {args:?} {}: {}",
        obj.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn hex(s: &str) -> u64 {
    u64::from_str_radix(s.trim_start_matches("0x"), 16).unwrap()
}

/// `(index, name, type, offset, size, link, info)` of every section, from
/// `llvm-readelf-19 -S -W`.
fn readelf_sections(obj: &Path) -> Vec<(u32, String, String, u64, u64, u32, u32)> {
    let text = tool("llvm-readelf-19", &["-S", "-W"], obj);
    let mut out = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.trim_start().strip_prefix('[') else {
            continue;
        };
        let (idx, rest) = rest.split_once(']').unwrap();
        let Ok(idx) = idx.trim().parse::<u32>() else {
            continue; // The "[Nr]" title line.
        };
        let f: Vec<&str> = rest.split_whitespace().collect();
        // Section 0 has an empty name, so its fields start one earlier.
        let (name, f) = if idx == 0 {
            ("", &f[..])
        } else {
            (f[0], &f[1..])
        };
        // Type Address Off Size ES [Flg] Lk Inf Al: the flags column may be empty.
        let n = f.len();
        out.push((
            idx,
            name.to_string(),
            f[0].to_string(),
            hex(f[2]),
            hex(f[3]),
            f[n - 3].parse().unwrap(),
            f[n - 2].parse().unwrap(),
        ));
    }
    out
}

/// `(value, size, type, bind, ndx, name)` of every symbol, from
/// `llvm-readelf-19 -s -W`.
fn readelf_symbols(obj: &Path) -> Vec<(u64, u64, String, String, String, String)> {
    let text = tool("llvm-readelf-19", &["-s", "-W"], obj);
    let mut out = Vec::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 7 || !f[0].ends_with(':') || f[0] == "Num:" {
            continue;
        }
        out.push((
            hex(f[1]),
            f[2].parse().unwrap(),
            f[3].to_string(),
            f[4].to_string(),
            f[6].to_string(),
            f.get(7).copied().unwrap_or("").to_string(),
        ));
    }
    out
}

/// `section name -> [(offset, info)]` from `llvm-readelf-19 -r -W`.
fn readelf_rels(obj: &Path) -> BTreeMap<String, Vec<(u64, u64)>> {
    let text = tool("llvm-readelf-19", &["-r", "-W"], obj);
    let mut out: BTreeMap<String, Vec<(u64, u64)>> = BTreeMap::new();
    let mut cur = None;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("Relocation section '") {
            let name = rest.split('\'').next().unwrap().to_string();
            out.insert(name.clone(), Vec::new());
            cur = Some(name);
            continue;
        }
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() >= 3 && f[0].chars().all(|c| c.is_ascii_hexdigit()) && f[0].len() == 16 {
            out.get_mut(cur.as_ref().unwrap())
                .unwrap()
                .push((hex(f[0]), hex(f[1])));
        }
    }
    out
}

/// `(id, KIND, name)` of every type, from `bpftool btf dump file`.
fn bpftool_types(obj: &Path) -> Vec<(u32, String, String)> {
    let text = tool("bpftool", &["btf", "dump", "file"], obj);
    let mut out = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix('[') else {
            continue;
        };
        let (id, rest) = rest.split_once("] ").unwrap();
        let (kind, rest) = rest.split_once(' ').unwrap();
        let name = match rest.split('\'').nth(1).unwrap_or("") {
            "(anon)" => "",
            n => n,
        };
        out.push((id.parse().unwrap(), kind.to_string(), name.to_string()));
    }
    out
}

fn kind_name(k: u32) -> &'static str {
    match k {
        btf::BTF_KIND_INT => "INT",
        btf::BTF_KIND_PTR => "PTR",
        btf::BTF_KIND_ARRAY => "ARRAY",
        btf::BTF_KIND_STRUCT => "STRUCT",
        btf::BTF_KIND_UNION => "UNION",
        btf::BTF_KIND_ENUM => "ENUM",
        btf::BTF_KIND_FWD => "FWD",
        btf::BTF_KIND_TYPEDEF => "TYPEDEF",
        btf::BTF_KIND_VOLATILE => "VOLATILE",
        btf::BTF_KIND_CONST => "CONST",
        btf::BTF_KIND_RESTRICT => "RESTRICT",
        btf::BTF_KIND_FUNC => "FUNC",
        btf::BTF_KIND_FUNC_PROTO => "FUNC_PROTO",
        btf::BTF_KIND_VAR => "VAR",
        btf::BTF_KIND_DATASEC => "DATASEC",
        btf::BTF_KIND_FLOAT => "FLOAT",
        btf::BTF_KIND_DECL_TAG => "DECL_TAG",
        btf::BTF_KIND_TYPE_TAG => "TYPE_TAG",
        btf::BTF_KIND_ENUM64 => "ENUM64",
        _ => "?",
    }
}

fn s(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn elf_matches_readelf() {
    for name in PROGS {
        let path = common::upstream_path(name);
        let data = std::fs::read(&path).unwrap();
        let e = Elf::parse(&data).unwrap_or_else(|err| panic!("{name}: {err}"));

        let secs = readelf_sections(&path);
        assert_eq!(e.section_count() as usize, secs.len(), "{name}");
        for (idx, sname, _ty, off, size, link, info) in &secs {
            let sec = e.section(*idx).unwrap();
            assert_eq!(s(sec.name), *sname, "{name} section {idx}");
            assert_eq!((sec.offset, sec.size), (*off, *size), "{name} {sname}");
            assert_eq!((sec.link, sec.info), (*link, *info), "{name} {sname}");
            if sec.sh_type == elf::SHT_NOBITS {
                assert!(sec.data.is_empty());
            } else {
                assert_eq!(sec.data.len() as u64, sec.size);
            }
        }
        assert_eq!(e.sections().count(), secs.len());
        assert_eq!(e.section_by_name(b".BTF").unwrap().name, b".BTF");

        let syms = readelf_symbols(&path);
        assert_eq!(e.symbol_count() as usize, syms.len(), "{name}");
        for (sym, (value, size, ty, bind, ndx, sname)) in e.symbols().zip(&syms) {
            // readelf shows section symbols by their section's name.
            let shown = if sym.typ == elf::STT_SECTION {
                e.section(u32::from(sym.shndx)).unwrap().name
            } else {
                sym.name
            };
            assert_eq!(s(shown), *sname, "{name} symbol {}", sym.index);
            assert_eq!((sym.value, sym.size), (*value, *size), "{name} {sname}");
            let want_ty = match sym.typ {
                elf::STT_NOTYPE => "NOTYPE",
                elf::STT_OBJECT => "OBJECT",
                elf::STT_FUNC => "FUNC",
                elf::STT_SECTION => "SECTION",
                elf::STT_FILE => "FILE",
                _ => "?",
            };
            assert_eq!(want_ty, ty, "{name} {sname}");
            let want_bind = match sym.bind {
                elf::STB_LOCAL => "LOCAL",
                elf::STB_GLOBAL => "GLOBAL",
                elf::STB_WEAK => "WEAK",
                _ => "?",
            };
            assert_eq!(want_bind, bind, "{name} {sname}");
            let want_ndx = match sym.shndx {
                elf::SHN_UNDEF => "UND".to_string(),
                elf::SHN_ABS => "ABS".to_string(),
                elf::SHN_COMMON => "COM".to_string(),
                n => n.to_string(),
            };
            assert_eq!(want_ndx, *ndx, "{name} {sname}");
        }

        let rels = readelf_rels(&path);
        let mut seen = 0;
        for sec in e.sections().filter(|s| s.sh_type == elf::SHT_REL) {
            let want = &rels[&s(sec.name)];
            let got: Vec<(u64, u64)> = e
                .rels(&sec)
                .unwrap()
                .map(|r| {
                    let r = r.unwrap();
                    (r.offset, (u64::from(r.sym) << 32) | u64::from(r.typ))
                })
                .collect();
            assert_eq!(&got, want, "{name} {}", s(sec.name));
            seen += 1;
        }
        assert_eq!(seen, rels.len(), "{name}");
        // Non-REL sections are refused.
        let text = e.section_by_name(b".BTF").unwrap();
        assert!(matches!(
            e.rels(&text).map_err(|e| e.kind),
            Err(ErrorKind::Elf(ElfError::NotRelSection { .. }))
        ));
    }
}

fn btf_of<'a>(e: &Elf<'a>) -> &'a [u8] {
    e.section_by_name(b".BTF").unwrap().data
}

fn ext_of<'a>(e: &Elf<'a>) -> &'a [u8] {
    e.section_by_name(b".BTF.ext").unwrap().data
}

#[test]
fn btf_matches_bpftool() {
    for name in PROGS {
        let path = common::upstream_path(name);
        let data = std::fs::read(&path).unwrap();
        let e = Elf::parse(&data).unwrap();
        let raw = btf_of(&e);
        let b = Btf::parse(raw).unwrap_or_else(|err| panic!("{name}: {err}"));
        let want = bpftool_types(&path);
        assert_eq!(b.nr_types() as usize, want.len() + 1, "{name}");
        for (id, kind, tname) in &want {
            let t = b.type_by_id(*id).unwrap();
            assert_eq!(kind_name(t.kind()), kind, "{name} [{id}]");
            assert_eq!(s(b.name_of(*id).unwrap()), *tname, "{name} [{id}]");
            // type_offset points at the record in the raw blob.
            let off = b.type_offset(*id).unwrap();
            assert_eq!(&raw[off..off + t.record().len()], t.record());
        }
        assert_eq!(b.types().count(), want.len());
        // Lookups by name, and every sized type resolves within the depth cap.
        for (id, kind, tname) in &want {
            if tname.is_empty() {
                continue;
            }
            let t = b.type_by_id(*id).unwrap();
            let found = b.find_by_name_kind(tname.as_bytes(), t.kind()).unwrap();
            assert_eq!(b.name_of(found).unwrap(), tname.as_bytes(), "{name} {kind}");
            if t.kind() == btf::BTF_KIND_VAR {
                // Typeless ksyms are `const void` and have no size.
                match b.resolve_size(*id) {
                    Ok(size) => assert!(size > 0, "{name} {tname}"),
                    Err(err) => assert_eq!(
                        err,
                        Error::at_type(0, BtfError::NotSized { kind: 0 }),
                        "{name} {tname}"
                    ),
                }
            }
        }
        assert_eq!(b.type_by_id(0).unwrap().kind(), btf::BTF_KIND_UNKN);
        assert!(b.type_by_id(b.nr_types()).is_err());
    }
}

#[test]
fn btf_details_of_test_global_data() {
    let data = common::upstream("test_global_data");
    let e = Elf::parse(&data).unwrap();
    let b = Btf::parse(btf_of(&e)).unwrap();
    // struct foo { __u8 a; __u32 b; __u64 c; } in test_global_data.c.
    let foo = b.find_by_name_kind(b"foo", btf::BTF_KIND_STRUCT).unwrap();
    let t = b.type_by_id(foo).unwrap();
    assert_eq!(t.size(), 16);
    let m: Vec<_> = t.members().collect();
    assert_eq!(m.len(), 3);
    assert_eq!(
        m.iter().map(|m| m.bit_offset).collect::<Vec<_>>(),
        [0, 32, 64]
    );
    assert_eq!(b.str_at(m[1].name_off).unwrap(), b"b");
    assert_eq!(b.resolve_size(foo).unwrap(), 16);
    // .rodata: clang leaves the DATASEC size 0 (libbpf fixes it up).
    let ro = b
        .find_by_name_kind(b".rodata", btf::BTF_KIND_DATASEC)
        .unwrap();
    let ro = b.type_by_id(ro).unwrap();
    assert_eq!(ro.size(), 0);
    let vars: Vec<_> = ro.datasec_vars().collect();
    assert_eq!(vars.len(), 7);
    let v = b.type_by_id(vars[1].type_id).unwrap();
    assert_eq!(b.str_at(v.name_off()).unwrap(), b"num2");
    assert_eq!(v.var_linkage(), Some(btf::BTF_VAR_STATIC));
    assert_eq!(vars[1].size, 8);
    // The license is a global char[4].
    let lic = b.find_by_name_kind(b"_license", btf::BTF_KIND_VAR).unwrap();
    assert_eq!(b.resolve_size(lic).unwrap(), 4);
    let arr = b.type_by_id(lic).unwrap().type_id();
    let a = b.type_by_id(arr).unwrap().array().unwrap();
    assert_eq!(a.nelems, 4);
    let (_, elem) = b.skip_mods_and_typedefs(a.type_id).unwrap();
    assert_eq!(elem.kind(), btf::BTF_KIND_INT);
    assert_eq!(elem.int_bits(), Some(8));
    // Programs are global FUNCs with a FUNC_PROTO.
    let f = b
        .find_by_name_kind(b"load_static_data", btf::BTF_KIND_FUNC)
        .unwrap();
    let f = b.type_by_id(f).unwrap();
    assert_eq!(f.func_linkage(), Some(btf::BTF_FUNC_GLOBAL));
    let proto = b.type_by_id(f.type_id()).unwrap();
    assert_eq!(proto.kind(), btf::BTF_KIND_FUNC_PROTO);
    assert_eq!(proto.params().count(), 1);
}

/// Defined functions per executable section, from the symbol table.
fn funcs_per_section(path: &Path, e: &Elf<'_>) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for (_, _, ty, _, ndx, _) in readelf_symbols(path) {
        if ty != "FUNC" {
            continue;
        }
        if let Ok(n) = ndx.parse::<u32>() {
            *out.entry(s(e.section(n).unwrap().name)).or_insert(0) += 1;
        }
    }
    out
}

#[test]
fn btf_ext_matches_symbols() {
    for name in PROGS {
        let path = common::upstream_path(name);
        let data = std::fs::read(&path).unwrap();
        let e = Elf::parse(&data).unwrap();
        let b = Btf::parse(btf_of(&e)).unwrap();
        let x = BtfExt::parse(ext_of(&e)).unwrap_or_else(|err| panic!("{name}: {err}"));
        x.check_refs(&b).unwrap();
        assert_eq!(x.rec_size(ExtSection::FuncInfo), 8);
        assert_eq!(x.rec_size(ExtSection::LineInfo), 16);

        // One func_info per defined function, in its section.
        let mut fi: BTreeMap<String, usize> = BTreeMap::new();
        for blk in x.func_info_blocks() {
            let sec = s(b.str_at(blk.sec_name_off).unwrap());
            let size = e.section_by_name(sec.as_bytes()).unwrap().size;
            for f in blk.func_infos() {
                assert!(u64::from(f.insn_off) < size);
                assert_eq!(b.type_by_id(f.type_id).unwrap().kind(), btf::BTF_KIND_FUNC);
            }
            *fi.entry(sec).or_insert(0) += blk.func_infos().count();
            assert_eq!(blk.num as usize, blk.func_infos().count());
        }
        assert_eq!(fi, funcs_per_section(&path, &e), "{name}");

        // Line info: every function's first instruction has one.
        for blk in x.line_info_blocks() {
            let sec = s(b.str_at(blk.sec_name_off).unwrap());
            let size = e.section_by_name(sec.as_bytes()).unwrap().size;
            let lines: Vec<_> = blk.line_infos().collect();
            assert_eq!(lines.len(), blk.num as usize);
            assert!(lines.iter().all(|l| u64::from(l.insn_off) < size));
            assert!(lines.iter().any(|l| l.insn_off == 0), "{name} {sec}");
            assert!(!b.str_at(lines[0].file_name_off).unwrap().is_empty());
        }
        for blk in x.core_relo_blocks() {
            for r in blk.core_relos() {
                assert!(r.type_id < b.nr_types());
                assert!(r.kind <= 12);
            }
        }
    }
}

/// The blocks of one ELF section.
fn blocks_named<'a>(b: &Btf<'_>, blocks: InfoBlocks<'a>, sec: &str) -> Vec<InfoBlock<'a>> {
    blocks
        .filter(|blk| b.str_at(blk.sec_name_off).unwrap() == sec.as_bytes())
        .collect()
}

#[test]
fn btf_ext_records_match_libbpf() {
    // One program, no subprograms: libbpf's per-program CO-RE, func_info
    // and line_info records are exactly the object's.
    let path = common::upstream_path("test_core_reloc_kernel");
    let data = std::fs::read(&path).unwrap();
    let e = Elf::parse(&data).unwrap();
    let x = BtfExt::parse(ext_of(&e)).unwrap();
    let mut ours = BTreeSet::new();
    for blk in x.core_relo_blocks() {
        for r in blk.core_relos() {
            ours.insert((r.insn_off, r.type_id, r.access_str_off, r.kind));
        }
    }
    assert!(!ours.is_empty());
    let oracle = common::run_oracle(&path, None);
    let theirs: BTreeSet<(u32, u32, u32, u32)> = oracle
        .tagged("core")
        .iter()
        .map(|l| {
            (
                l[1].parse().unwrap(),
                l[2].parse().unwrap(),
                l[3].parse().unwrap(),
                l[4].parse().unwrap(),
            )
        })
        .collect();
    assert_eq!(ours, theirs);

    // func_info and line_info, per program (libbpf counts instructions, the
    // object bytes).
    let b = Btf::parse(btf_of(&e)).unwrap();
    let mut progs = 0;
    for p in oracle.tagged("prog") {
        let (prog, sec) = (&p[0], &p[1]);
        let block = |blocks| blocks_named(&b, blocks, sec);
        let ours_fi: Vec<(u32, u32)> = block(x.func_info_blocks())
            .iter()
            .flat_map(|blk| blk.func_infos())
            .map(|f| (f.insn_off / 8, f.type_id))
            .collect();
        let theirs_fi: Vec<(u32, u32)> = oracle
            .tagged("func_info")
            .iter()
            .filter(|l| &l[0] == prog)
            .map(|l| (l[1].parse().unwrap(), l[2].parse().unwrap()))
            .collect();
        assert_eq!(ours_fi, theirs_fi, "{prog}");
        let ours_li: Vec<[u32; 4]> = block(x.line_info_blocks())
            .iter()
            .flat_map(|blk| blk.line_infos())
            .map(|l| [l.insn_off / 8, l.file_name_off, l.line_off, l.line_col])
            .collect();
        let theirs_li: Vec<[u32; 4]> = oracle
            .tagged("line_info")
            .iter()
            .filter(|l| &l[0] == prog)
            .map(|l| std::array::from_fn(|i| l[i + 1].parse().unwrap()))
            .collect();
        assert!(!ours_li.is_empty());
        assert_eq!(ours_li, theirs_li, "{prog}");
        progs += 1;
    }
    assert_eq!(progs, 1);
}

#[test]
fn insns_of_real_programs() {
    let data = common::upstream("test_global_data");
    let e = Elf::parse(&data).unwrap();
    let tc = e.section_by_name(b"tc").unwrap();
    let insns = insn::parse_insns(tc.data).unwrap();
    assert_eq!(insns.len() * insn::INSN_SIZE, tc.data.len());
    // Every R_BPF_64_64 relocation lands on an ld_imm64.
    let rel = e.section_by_name(b".reltc").unwrap();
    let mut n = 0;
    for r in e.rels(&rel).unwrap() {
        let r = r.unwrap();
        assert_eq!(r.typ, elf::R_BPF_64_64);
        assert!(insns[r.offset as usize / insn::INSN_SIZE].is_ldimm64());
        n += 1;
    }
    assert!(n > 0);
    assert!(insns.last().unwrap().is_exit());
    let mut out = vec![0u8; tc.data.len()];
    insn::write_insns(&insns, &mut out).unwrap();
    assert_eq!(out, tc.data);
}

/// Parses everything reachable, the way the fuzz targets do.
fn walk_all(data: &[u8]) {
    let Ok(e) = Elf::parse(data) else {
        return;
    };
    for sec in e.sections() {
        if let Ok(rels) = e.rels(&sec) {
            for r in rels {
                let _ = r;
            }
        }
    }
    for sym in e.symbols() {
        let _ = e.section(u32::from(sym.shndx));
    }
    if let Some(sec) = e.section_by_name(b".BTF") {
        walk_btf(sec.data);
    }
    if let Some(sec) = e.section_by_name(b".BTF.ext") {
        let _ = BtfExt::parse(sec.data).map(|x| {
            for blk in x
                .func_info_blocks()
                .chain(x.line_info_blocks())
                .chain(x.core_relo_blocks())
            {
                let _ =
                    blk.func_infos().count() + blk.line_infos().count() + blk.core_relos().count();
            }
        });
    }
}

fn walk_btf(data: &[u8]) {
    let Ok(b) = Btf::parse(data) else {
        return;
    };
    for t in b.types() {
        let _ = b.resolve_size(t.id());
        let _ = b.skip_mods_and_typedefs(t.id());
        let _ = b.name_of(t.id());
        let _ = t.members().count()
            + t.params().count()
            + t.enum_values().count()
            + t.datasec_vars().count();
    }
}

fn corpus() -> &'static [Vec<u8>] {
    static OBJS: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    OBJS.get_or_init(|| PROGS.iter().take(3).map(|p| common::upstream(p)).collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn elf_mutations_never_panic(
        which in 0usize..3,
        muts in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let objs = corpus();
        let mut data = objs[which].clone();
        for (i, v) in &muts {
            let i = i.index(data.len());
            data[i] = *v;
        }
        if truncate {
            data.truncate(cut.index(data.len() + 1));
        }
        walk_all(&data);
    }

    #[test]
    fn btf_mutations_never_panic(
        which in 0usize..3,
        muts in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let objs = corpus();
        let e = Elf::parse(&objs[which]).unwrap();
        let mut btf = btf_of(&e).to_vec();
        let mut ext = ext_of(&e).to_vec();
        for (i, v) in &muts {
            let bi = i.index(btf.len());
            btf[bi] = *v;
            let ei = i.index(ext.len());
            ext[ei] = *v;
        }
        if truncate {
            btf.truncate(cut.index(btf.len() + 1));
            ext.truncate(cut.index(ext.len() + 1));
        }
        walk_btf(&btf);
        if let Ok(x) = BtfExt::parse(&ext) {
            if let Ok(b) = Btf::parse(btf_of(&e)) {
                let _ = x.check_refs(&b);
            }
        }
    }

    #[test]
    fn btf_word_mutations_never_panic(
        which in 0usize..3,
        word in any::<prop::sample::Index>(),
        value in prop_oneof![Just(0u32), Just(1), Just(u32::MAX), Just(0x8000_0000), any::<u32>()],
    ) {
        // Aligned 32-bit overwrites hit header fields, ids, counts and
        // offsets more often than byte flips.
        let objs = corpus();
        let e = Elf::parse(&objs[which]).unwrap();
        let mut btf = btf_of(&e).to_vec();
        let i = word.index(btf.len() / 4) * 4;
        btf[i..i + 4].copy_from_slice(&value.to_ne_bytes());
        walk_btf(&btf);
        let mut ext = ext_of(&e).to_vec();
        let i = word.index(ext.len() / 4) * 4;
        ext[i..i + 4].copy_from_slice(&value.to_ne_bytes());
        let _ = BtfExt::parse(&ext);
    }
}
