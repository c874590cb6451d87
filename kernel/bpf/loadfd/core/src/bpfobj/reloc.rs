// SPDX-License-Identifier: GPL-2.0

//! Relocation records: every ELF relocation of a code section classified
//! like libbpf's `bpf_program__record_reloc` into a [`Reloc`], checked
//! (instruction kind, relocation type, symbol section, alignment, offsets
//! in range) once at parse time. [`crate::bpfobj::relocate`] applies them.

use crate::bpfobj::compat::{KVVec, GFP_INPUT};
use crate::bpfobj::elf::{
    Elf, Rel, Symbol, R_BPF_64_32, R_BPF_64_64, SHN_LORESERVE, SHN_UNDEF, STB_GLOBAL, STB_LOCAL,
    STB_WEAK, STT_FUNC, STT_SECTION,
};
use crate::bpfobj::error::{Error, RelocError};

use crate::bpfobj::bytes::to_usize;
use crate::bpfobj::checkpoint::Ticker;
use crate::bpfobj::externs::Extern;
use crate::bpfobj::externs::ExternKind;
use crate::bpfobj::insn::{Insn, BPF_PSEUDO_CALL, INSN_SIZE, INSN_SZ};
use crate::bpfobj::maps::MapDef;
use crate::bpfobj::model::{Arena, Function, SectionKind};
use crate::bpfobj::sort;

/// What a relocation does to its instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelocKind {
    /// `ld_imm64` of a BTF-defined map (libbpf's `RELO_LD64`).
    Ld64 {
        /// Index in [`Object::maps`].
        map: usize,
    },
    /// `ld_imm64` of a global variable (`RELO_DATA`): the value's address
    /// is the map's value plus `sym_off` plus the instruction's `imm`.
    Data {
        /// Index in [`Object::maps`].
        map: usize,
        /// The symbol's offset in its section.
        sym_off: u32,
    },
    /// Call of a `.text` subprogram (`RELO_CALL`).
    Call {
        /// The symbol's offset in `.text`, in bytes.
        sym_off: u32,
    },
    /// `ld_imm64` of a subprogram's address, a callback
    /// (`RELO_SUBPROG_ADDR`).
    SubprogAddr {
        /// The symbol's offset in `.text`, in bytes.
        sym_off: u32,
    },
    /// `ld_imm64` of an extern: kconfig value, ksym, kfunc address
    /// (`RELO_EXTERN_LD64`).
    ExternLd64 {
        /// Index in [`Object::externs`].
        ext: usize,
    },
    /// Call of a kfunc (`RELO_EXTERN_CALL`).
    ExternCall {
        /// Index in [`Object::externs`].
        ext: usize,
    },
}

/// One relocation of one instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reloc {
    /// Index in [`Object::functions`].
    pub func: usize,
    /// Instruction index within the function.
    pub insn: u32,
    /// What to do.
    pub kind: RelocKind,
    /// The ELF relocation section.
    pub section: u32,
    /// The relocation's index in it.
    pub rel: u32,
}

fn sym_is_subprog(s: &Symbol<'_>, text: Option<u32>) -> bool {
    if text != Some(u32::from(s.shndx)) {
        return false;
    }
    (s.bind == STB_LOCAL && s.typ == STT_SECTION)
        || ((s.bind == STB_GLOBAL || s.bind == STB_WEAK) && s.typ == STT_FUNC)
}

/// What collecting the relocation records needs of the object being parsed
/// (`Object` implements it; this module stays below the object).
pub(crate) trait RelocInput<'a> {
    /// The ELF file.
    fn elf(&self) -> &Elf<'a>;
    /// What each section is.
    fn section_kinds(&self) -> &[SectionKind];
    /// The function covering instruction `insn` of section `sec`.
    fn func_at(&self, sec: u32, insn: u32) -> Option<usize>;
    /// The functions.
    fn functions(&self) -> &[Function<'a>];
    /// The `.text` section, if any.
    fn text_section(&self) -> Option<u32>;
    /// The maps.
    fn maps(&self) -> &[MapDef<'a>];
    /// The externs.
    fn externs(&self) -> &[Extern<'a>];
    /// The extern symbol `symbol` is, if any.
    fn extern_of_symbol(&self, symbol: u32) -> Option<usize>;
    /// The BTF-defined map at `offset` of `.maps`.
    fn btf_map_at(&self, offset: u64) -> Option<usize>;
    /// The `__arena` variables, if any.
    fn arena(&self) -> Option<&Arena<'a>>;
    /// The global-data map of section `section`.
    fn data_map_of(&self, section: u32) -> Option<usize>;
}

/// Instruction `i` of function `f`.
pub(crate) fn insn_of(f: &Function<'_>, i: u32) -> Option<Insn> {
    let off = to_usize(i).checked_mul(INSN_SIZE)?;
    let b = f.insns.get(off..)?.get(..INSN_SIZE)?;
    Some(Insn::from_bytes(b.try_into().ok()?))
}

/// Classifies one relocation; `None` for a relocation of code that no
/// function covers (see [`crate::bpfobj::object`]).
fn record<'a>(
    obj: &impl RelocInput<'a>,
    section: u32,
    target: u32,
    ri: u32,
    rel: &Rel,
) -> Result<Option<Reloc>, Error> {
    let elf = obj.elf();
    let at = |e: fn(u32, u32) -> Error| e(section, ri);
    if rel.offset % INSN_SZ != 0 {
        return Err(at(|section, rel| {
            Error::at_rel(section, rel, RelocError::BadOffset)
        }));
    }
    let sym = elf.symbol(rel.sym)?;
    if sym.shndx != SHN_UNDEF && u32::from(sym.shndx) >= elf.section_count() {
        return Err(at(|section, rel| {
            Error::at_rel(section, rel, RelocError::BadSymbol)
        }));
    }
    let sec_insn = u32::try_from(rel.offset / INSN_SZ)
        .map_err(|_| at(|section, rel| Error::at_rel(section, rel, RelocError::BadOffset)))?;
    let Some(func) = obj.func_at(target, sec_insn) else {
        return Ok(None);
    };
    let f = obj.functions().get(func).ok_or(at(|section, rel| {
        Error::at_rel(section, rel, RelocError::NoFunc)
    }))?;
    let local = sec_insn.saturating_sub(f.insn_off);
    let bad_insn = at(|section, rel| Error::at_rel(section, rel, RelocError::BadInsn));
    let insn = insn_of(f, local).ok_or(bad_insn)?;
    if insn.is_ldimm64() {
        if local.checked_add(1).map_or(true, |n| n >= f.insn_cnt) || rel.typ != R_BPF_64_64 {
            return Err(bad_insn);
        }
    } else if insn.is_call() {
        if rel.typ != R_BPF_64_32 {
            return Err(bad_insn);
        }
    } else {
        return Err(bad_insn);
    }
    let mk = |kind| {
        Ok(Some(Reloc {
            func,
            insn: local,
            kind,
            section,
            rel: ri,
        }))
    };

    if sym.is_extern() {
        let ext = obj.extern_of_symbol(rel.sym).ok_or(at(|section, rel| {
            Error::at_rel(section, rel, RelocError::BadSymbol)
        }))?;
        if insn.is_call() {
            let is_kfunc = obj
                .externs()
                .get(ext)
                .is_some_and(|e| matches!(e.kind, ExternKind::Ksym { func: true, .. }));
            if !is_kfunc {
                return Err(bad_insn);
            }
            return mk(RelocKind::ExternCall { ext });
        }
        return mk(RelocKind::ExternLd64 { ext });
    }

    let bad_call = at(|section, rel| Error::at_rel(section, rel, RelocError::BadCall));
    let sym_off = u32::try_from(sym.value).map_err(|_| bad_call)?;
    if insn.is_call() {
        if insn.src() != BPF_PSEUDO_CALL
            || obj.text_section() != Some(u32::from(sym.shndx))
            || sym.shndx == SHN_UNDEF
            || sym.value % INSN_SZ != 0
        {
            return Err(bad_call);
        }
        return mk(RelocKind::Call { sym_off });
    }

    let bad_target = at(|section, rel| Error::at_rel(section, rel, RelocError::BadTarget));
    if sym.shndx == SHN_UNDEF || sym.shndx >= SHN_LORESERVE {
        return Err(bad_target);
    }
    if sym_is_subprog(&sym, obj.text_section()) {
        if sym.value % INSN_SZ != 0 || insn.imm % 8 != 0 {
            return Err(bad_call);
        }
        return mk(RelocKind::SubprogAddr { sym_off });
    }
    let shndx = u32::from(sym.shndx);
    match obj.section_kinds().get(to_usize(shndx)) {
        Some(SectionKind::Maps) => {
            let map = obj.btf_map_at(sym.value).ok_or(at(|section, rel| {
                Error::at_rel(section, rel, RelocError::NoMap)
            }))?;
            mk(RelocKind::Ld64 { map })
        }
        Some(SectionKind::Arena) => {
            // libbpf: the variables are the first bytes of the arena.
            let a = obj.arena().ok_or(at(|section, rel| {
                Error::at_rel(section, rel, RelocError::NoMap)
            }))?;
            let off = i64::from(insn.imm).checked_add(i64::from(sym_off));
            if !off.is_some_and(|o| o >= 0 && o < i64::from(a.size)) {
                return Err(at(|section, rel| {
                    Error::at_rel(section, rel, RelocError::DataRange)
                }));
            }
            mk(RelocKind::Data {
                map: a.map,
                sym_off,
            })
        }
        Some(SectionKind::Data | SectionKind::Rodata | SectionKind::Bss) => {
            let map = obj.data_map_of(shndx).ok_or(at(|section, rel| {
                Error::at_rel(section, rel, RelocError::NoMap)
            }))?;
            let size = obj.maps().get(map).map_or(0, |m| m.value_size);
            let off = i64::from(insn.imm).checked_add(i64::from(sym_off));
            if !off.is_some_and(|o| o >= 0 && o < i64::from(size)) {
                return Err(at(|section, rel| {
                    Error::at_rel(section, rel, RelocError::DataRange)
                }));
            }
            mk(RelocKind::Data { map, sym_off })
        }
        _ => Err(bad_target),
    }
}

/// Records every relocation of the object's code sections, sorted by
/// function and instruction.
pub(crate) fn collect<'a>(
    obj: &impl RelocInput<'a>,
    tick: &Ticker<'_>,
) -> Result<KVVec<Reloc>, Error> {
    let elf = obj.elf();
    let mut out: KVVec<Reloc> = KVVec::new();
    for s in elf.sections() {
        tick.tick()?;
        if obj.section_kinds().get(to_usize(s.index)) != Some(&SectionKind::CodeRel) {
            continue;
        }
        let mut iter = elf.rels(&s)?;
        out.reserve(iter.remaining(), GFP_INPUT)?;
        let mut ri: u32 = 0;
        for rel in &mut iter {
            tick.tick()?;
            if let Some(r) = record(obj, s.index, s.info, ri, &rel?)? {
                out.push(r, GFP_INPUT)?;
            }
            ri = ri.checked_add(1).ok_or(Error::NO_MEM)?;
        }
    }
    tick.now()?;
    sort::sort_by_key(&mut out, |r| (r.func, r.insn, r.section, r.rel));
    tick.now()?;
    for pair in out.windows(2) {
        tick.tick()?;
        if let [a, b] = pair {
            if a.func == b.func && a.insn == b.insn {
                return Err(Error::at_rel(b.section, b.rel, RelocError::Duplicate));
            }
        }
    }
    Ok(out)
}
