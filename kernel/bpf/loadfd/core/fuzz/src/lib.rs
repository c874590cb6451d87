// SPDX-License-Identifier: GPL-2.0

//! Walkers shared by the fuzz targets (gimli style: parse, then touch every
//! accessor), with invariant checks that turn logic bugs into crashes.
//!
//! A parse error is a fine outcome; a panic (including a failed assertion
//! below) is a bug.

#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use bpfobj::btf::{self, Btf};
use bpfobj::btf_ext::{BtfExt, ExtSection};
use bpfobj::elf::{self, Elf};
use bpfobj::insn;

/// Parses `data` as a BPF ELF object and walks sections, symbols,
/// relocations, instructions and the object's `.BTF` and `.BTF.ext`.
pub fn walk_elf(data: &[u8]) {
    let Ok(e) = Elf::parse(data) else {
        return;
    };
    let n = e.section_count();
    assert_eq!(e.sections().count(), n as usize);
    for sec in e.sections() {
        // Contents are exactly the in-file bytes the header describes.
        if sec.sh_type == elf::SHT_NOBITS || sec.sh_type == elf::SHT_NULL {
            assert!(sec.data.is_empty());
        } else {
            let off = sec.offset as usize;
            assert_eq!(&data[off..off + sec.data.len()], sec.data);
            assert_eq!(sec.data.len() as u64, sec.size);
        }
        assert_eq!(e.section(sec.index).unwrap(), sec);
        if sec.flags & elf::SHF_EXECINSTR != 0 {
            if let Ok(insns) = insn::parse_insns(sec.data) {
                let mut out = vec![0u8; sec.data.len()];
                insn::write_insns(&insns, &mut out).unwrap();
                assert_eq!(out, sec.data);
                for i in insns.iter() {
                    let _ = (i.is_ldimm64(), i.is_pseudo_call(), i.dst(), i.src());
                }
            }
        }
        if let Ok(rels) = e.rels(&sec) {
            let target = e.section(sec.info).unwrap();
            for r in rels {
                match r {
                    Ok(r) => {
                        assert!(r.offset < target.size);
                        let sym = e.symbol(r.sym).unwrap();
                        let _ = e.section(u32::from(sym.shndx));
                    }
                    Err(_) => break,
                }
            }
        }
        let _ = e.section_by_name(sec.name);
    }
    let nsyms = e.symbol_count();
    assert_eq!(e.symbols().count(), nsyms as usize);
    for sym in e.symbols() {
        let ok = sym.shndx == elf::SHN_UNDEF
            || sym.shndx == elf::SHN_ABS
            || sym.shndx == elf::SHN_COMMON
            || u32::from(sym.shndx) < n;
        assert!(ok);
    }
    assert!(e.section(n).is_err());
    assert!(e.symbol(nsyms).is_err());
    let btf = e.section_by_name(b".BTF").map(|s| s.data);
    if let Some(b) = btf {
        walk_btf(b);
    }
    if let Some(x) = e.section_by_name(b".BTF.ext") {
        walk_btf_ext_with(x.data, btf.and_then(|b| Btf::parse(b).ok()).as_ref());
    }
}

/// Parses `data` as `.BTF` and walks every type.
pub fn walk_btf(data: &[u8]) {
    let Ok(b) = Btf::parse(data) else {
        return;
    };
    let nr = b.nr_types();
    assert!(nr >= 2);
    assert_eq!(b.types().count(), nr as usize - 1);
    for (i, t) in b.types().enumerate() {
        let id = t.id();
        assert_eq!(id as usize, i + 1);
        // The record is where type_offset says, inside the blob.
        let off = b.type_offset(id).unwrap();
        assert_eq!(&data[off..off + t.record().len()], t.record());
        assert!((1..=btf::BTF_KIND_MAX).contains(&t.kind()));
        let _ = b.name_of(id).unwrap();
        let _ = (t.vlen(), t.kflag(), t.size(), t.type_id(), t.info());
        for m in t.members() {
            b.str_at(m.name_off).unwrap();
            assert!(m.type_id != 0 && m.type_id < nr);
        }
        for p in t.params() {
            b.str_at(p.name_off).unwrap();
            assert!(p.type_id < nr);
        }
        for v in t.enum_values() {
            b.str_at(v.name_off).unwrap();
        }
        for v in t.datasec_vars() {
            assert!(v.type_id != 0 && v.type_id < nr);
        }
        if let Some(a) = t.array() {
            assert!(a.type_id < nr && a.index_type < nr);
        }
        let _ = (
            t.var_linkage(),
            t.func_linkage(),
            t.int_encoding(),
            t.int_bits(),
            t.int_offset(),
            t.decl_tag_component_idx(),
            t.is_mod_or_typedef(),
        );
        let _ = b.resolve_size(id);
        if let Ok((sid, st)) = b.skip_mods_and_typedefs(id) {
            assert_eq!(sid, st.id());
            assert!(!st.is_mod_or_typedef());
        }
        // Name lookups are linear: only for the first few types.
        if i < 16 {
            let name = b.str_at(t.name_off()).unwrap();
            if let Some(found) = b.find_by_name_kind(name, t.kind()) {
                assert!(found <= id);
            }
        }
    }
    assert!(b.type_by_id(nr).is_err());
    assert_eq!(b.type_by_id(0).unwrap().kind(), btf::BTF_KIND_UNKN);
}

/// A small valid BTF (int, func_proto, func; strings `.text`, `f`,
/// `int`) for [`BtfExt::check_refs`].
fn tiny_btf() -> Vec<u8> {
    let strs = b"\0.text\0f\0int\0";
    let words: [u32; 10] = [9, 1 << 24, 4, 32, 0, 13 << 24, 1, 7, (12 << 24) | 1, 2];
    let types: Vec<u8> = words.iter().flat_map(|w| w.to_ne_bytes()).collect();
    let mut v = Vec::new();
    v.extend_from_slice(&btf::BTF_MAGIC.to_ne_bytes());
    v.extend_from_slice(&[btf::BTF_VERSION, 0]);
    for w in [
        24,
        0,
        types.len() as u32,
        types.len() as u32,
        strs.len() as u32,
    ] {
        v.extend_from_slice(&w.to_ne_bytes());
    }
    v.extend_from_slice(&types);
    v.extend_from_slice(strs);
    v
}

/// Parses `data` as `.BTF.ext` and walks every record.
pub fn walk_btf_ext(data: &[u8]) {
    let tiny = tiny_btf();
    let b = Btf::parse(&tiny).unwrap();
    walk_btf_ext_with(data, Some(&b));
}

fn walk_btf_ext_with(data: &[u8], btf: Option<&Btf<'_>>) {
    let Ok(x) = BtfExt::parse(data) else {
        return;
    };
    for sec in [
        ExtSection::FuncInfo,
        ExtSection::LineInfo,
        ExtSection::CoreRelo,
    ] {
        let rec_size = x.rec_size(sec);
        assert!(rec_size >= sec.min_rec_size() && rec_size % 4 == 0);
        for blk in x.blocks(sec) {
            assert!(blk.num > 0);
            assert_eq!(blk.rec_size, rec_size);
            assert_eq!(blk.records.len(), blk.num as usize * rec_size as usize);
            let n = match sec {
                ExtSection::FuncInfo => blk
                    .func_infos()
                    .map(|f| assert_eq!(f.insn_off % 8, 0))
                    .count(),
                ExtSection::LineInfo => blk
                    .line_infos()
                    .map(|l| assert_eq!(l.insn_off % 8, 0))
                    .count(),
                ExtSection::CoreRelo => blk
                    .core_relos()
                    .map(|c| assert!(c.insn_off % 8 == 0 && c.kind <= 12))
                    .count(),
            };
            assert_eq!(n, blk.num as usize);
            assert!(blk.record(blk.num - 1).is_some());
            assert!(blk.record(blk.num).is_none());
        }
    }
    if let Some(b) = btf {
        let _ = x.check_refs(b);
    }
}

/// A kernel where every extern exists: kconfig from a fixed `.config`,
/// ksyms and kfuncs with made-up ids (odd names are missing, so weak and
/// strong unresolved paths run too).
struct FakeKernel;

const FAKE_CONFIG: &[u8] =
    b"CONFIG_BPF=y\nCONFIG_HZ=250\nCONFIG_MODULES=m\nCONFIG_DEFAULT_HOSTNAME=\"(none)\"\n";

impl bpfobj::checkpoint::Checkpoint for FakeKernel {
    fn checkpoint(&self) -> Result<(), bpfobj::error::Error> {
        Ok(())
    }
}

impl bpfobj::externs::Env for FakeKernel {
    fn kconfig(&self, name: &[u8]) -> Option<bpfobj::externs::KconfigValue<'_>> {
        use bpfobj::externs::KconfigValue;
        match name {
            b"LINUX_KERNEL_VERSION" => Some(KconfigValue::Int(0x060c00)),
            b"LINUX_HAS_BPF_COOKIE" | b"LINUX_HAS_SYSCALL_WRAPPER" => {
                Some(KconfigValue::Bool(true))
            }
            _ => bpfobj::kconfig::lookup(FAKE_CONFIG, name),
        }
    }

    fn ksym_btf(&self, name: &[u8], _kind: u32, local: u32) -> Option<bpfobj::externs::KsymBtf> {
        (name.len() % 2 == 0).then_some(bpfobj::externs::KsymBtf {
            btf_id: 1000 + local,
            btf_obj: (name.len() % 3) as u32,
        })
    }

    fn ksym_addr(&self, name: &[u8]) -> Result<Option<u64>, bpfobj::externs::EnvError> {
        use bpfobj::externs::EnvError;
        match name.len() % 5 {
            // Refusals as the kernel gives them (kptr_restrict, modules).
            3 => Err(EnvError::Denied),
            4 => Err(EnvError::InModule),
            _ => Ok((name.len() % 2 == 0).then_some(0xffff_ffff_8100_0000 + name.len() as u64)),
        }
    }

    fn kfunc(&self, name: &[u8], local: u32) -> Option<bpfobj::externs::KfuncId> {
        (name.len() % 2 == 0).then_some(bpfobj::externs::KfuncId {
            btf_id: 2000 + local,
            btf_fd_slot: (name.len() % 3) as i16,
        })
    }
}

/// Parses `data` as a BPF object, resolves externs against [`FakeKernel`]
/// and links every program, checking that each linked program's records
/// point inside its instructions.
pub fn link_object(data: &[u8]) {
    use bpfobj::{checkpoint::NoCheckpoint, object::Object, relocate::Relocator};
    let Ok(obj) = Object::parse(data, &NoCheckpoint) else {
        return;
    };
    let Ok(res) = bpfobj::plan::resolve_externs(&obj, &FakeKernel) else {
        return;
    };
    let Ok(mut relocator) = Relocator::new(&obj) else {
        return;
    };
    for i in 0..obj.programs().len() {
        let Ok(l) = relocator.relocate(i, &res, &NoCheckpoint) else {
            continue;
        };
        let n = l.insns.len() as u32;
        assert!(n > 0);
        for f in l.func_info.iter() {
            assert!(f.insn_off < n, "func_info past the end");
        }
        for li in l.line_info.iter() {
            assert!(li.insn_off < n, "line_info past the end");
        }
        for r in l.core_relos.iter() {
            assert!(r.insn_off / 8 < n, "core_relo past the end");
        }
    }
}
