// SPDX-License-Identifier: GPL-2.0

//! The object model: everything libbpf's `bpf_object__open` does, without
//! a kernel.
//!
//! [`Object::parse`] runs, in libbpf's order: ELF sections (license,
//! version, programs, data, maps, relocation sections), `.BTF` and
//! `.BTF.ext`, externs, the BTF fixups (`DATASEC` sizes and `VAR` offsets
//! from the ELF, hidden symbols made static, externs rewritten), maps
//! (BTF-defined, global data, `.kconfig`), the SEC-name table and the
//! relocation records. Linking a program (appending subprograms, applying
//! the records) is [`crate::bpfobj::relocate`].
//!
//! Strictness: every section, symbol and record the object uses is
//! checked; unknown program sections, arenas, legacy `maps`
//! and relocations the loader does not understand are rejected rather than
//! skipped. One exception, as in libbpf: relocations and `.BTF.ext` records
//! of code that no function symbol covers are ignored. A static linker
//! (`bpftool gen object`) leaves them behind for weak functions it replaced;
//! that code is never part of a loaded program.
//!
//! Hostile input: every count and name is capped ([`crate::bpfobj::limits`]),
//! every lookup is an index built once (by name, by section, by symbol),
//! so each pass is linear (n log n with its sort), and each loop over
//! the input calls the caller's [`Checkpoint`].

use crate::bpfobj::btf::{
    Btf, BTF_FUNC_GLOBAL, BTF_FUNC_STATIC, BTF_KIND_DATASEC, BTF_KIND_DECL_TAG, BTF_KIND_FUNC,
    BTF_VAR_GLOBAL_EXTERN, BTF_VAR_STATIC,
};
use crate::bpfobj::btf_edit::{BtfBuf, NameIndex};
use crate::bpfobj::btf_ext::{BtfExt, ExtSection, InfoBlock};
use crate::bpfobj::bytes::to_usize;
use crate::bpfobj::checkpoint::{Checkpoint, Ticker};
use crate::bpfobj::compat::{KVVec, GFP_INPUT};
use crate::bpfobj::elf::{
    Elf, Section, SHF_EXECINSTR, SHT_LLVM_ADDRSIG, SHT_NOBITS, SHT_PROGBITS, SHT_REL, SHT_RELA,
    SHT_STRTAB, SHT_SYMTAB, STB_GLOBAL, STB_LOCAL, STB_WEAK, STT_FUNC, STT_OBJECT, STV_HIDDEN,
    STV_INTERNAL,
};
use crate::bpfobj::error::{
    ArenaError, BtfError, BtfExtError, ElfError, Error, LinkError, Location, MapError, ObjectError,
    ProgError,
};
use crate::bpfobj::limits::{Cap, MAX_ARENA_VARS, MAX_MAPS, MAX_PROGRAMS, MAX_PROG_NAME_LEN};

use crate::bpfobj::externs::{self, Extern, KCONFIG_SEC, KSYMS_SEC};
use crate::bpfobj::insn::INSN_SZ;
use crate::bpfobj::maps::{self, MapDef, MapKind};
use crate::bpfobj::reloc::{self, Reloc};
use crate::bpfobj::sec_def;
use crate::bpfobj::sort;

pub(crate) use crate::bpfobj::model::is_identifier_like;
pub use crate::bpfobj::model::{Arena, Function, Program, SectionKind};
use crate::bpfobj::struct_ops::{self, StructOpsMap};

/// The section of `__arena` variables (clang's address space 1).
pub const ARENA_SEC: &[u8] = b".addr_space.1";

/// Longest license string `BPF_PROG_LOAD` takes (its buffer is 128 bytes).
pub const MAX_LICENSE_LEN: usize = 127;

/// A parsed and checked BPF object; see the module documentation.
pub struct Object<'a> {
    elf: Elf<'a>,
    btf: Option<Btf<'a>>,
    btf_ext: Option<BtfExt<'a>>,
    btf_fixed: KVVec<u8>,
    license: &'a [u8],
    kern_version: u32,
    sections: KVVec<SectionKind>,
    funcs: KVVec<Function<'a>>,
    programs: KVVec<Program<'a>>,
    maps: KVVec<MapDef<'a>>,
    inner_maps: KVVec<MapDef<'a>>,
    struct_ops: KVVec<StructOpsMap<'a>>,
    arena: Option<Arena<'a>>,
    externs: KVVec<Extern<'a>>,
    relocs: KVVec<Reloc>,
    ext_by_sym: KVVec<(u32, usize)>,
    prog_by_name: KVVec<usize>,
    text: Option<u32>,
    maps_sec: Option<u32>,
    kconfig_map: Option<usize>,
    /// `.BTF.ext` blocks of each subsection (func_info, line_info, CO-RE),
    /// as `(ELF section, block)` sorted by section.
    ext_blocks: [KVVec<(u32, InfoBlock<'a>)>; 3],
    /// Each program's exception callback, found in one pass over the BTF.
    exc_cbs: KVVec<Result<Option<usize>, Error>>,
    /// Map indices sorted by name.
    map_by_name: KVVec<usize>,
}

impl core::fmt::Debug for Object<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Object")
            .field("programs", &self.programs.len())
            .field("maps", &self.maps.len())
            .field("externs", &self.externs.len())
            .finish()
    }
}

fn is_or_has_prefix(name: &[u8], base: &[u8]) -> bool {
    match name.strip_prefix(base) {
        Some(rest) => rest.is_empty() || rest.first() == Some(&b'.'),
        None => false,
    }
}

fn ignored(s: &Section<'_>) -> bool {
    if s.sh_type == SHT_STRTAB || s.sh_type == SHT_LLVM_ADDRSIG {
        return true;
    }
    if s.sh_type == SHT_PROGBITS && s.size == 0 && s.name == b".text" {
        return true;
    }
    if s.name.starts_with(b".debug_") {
        return true;
    }
    if let Some(t) = s.name.strip_prefix(b".rel") {
        if t.starts_with(b".debug_") || t == b".BTF" || t == b".BTF.ext" {
            return true;
        }
    }
    false
}

fn is_struct_ops(name: &[u8]) -> bool {
    struct_ops::section_flags(name).is_some()
}

/// The `__arena` variables, as libbpf's `init_arena_map_data()` takes them:
/// one arena map at most, and the variables must fit it (in 4 KiB pages;
/// the kernel checks again with its page size).
fn arena_of<'a>(
    elf: &Elf<'a>,
    kinds: &[SectionKind],
    maps: &[MapDef<'a>],
    tick: &Ticker<'_>,
) -> Result<Option<Arena<'a>>, Error> {
    let mut arena_map = None;
    for (i, m) in maps.iter().enumerate() {
        tick.tick()?;
        if m.map_type == crate::bpfobj::uapi::BPF_MAP_TYPE_ARENA {
            if arena_map.is_some() {
                return Err(Error::at(
                    Location::Map(u32::try_from(i).unwrap_or(u32::MAX)),
                    ArenaError::TooManyMaps,
                ));
            }
            arena_map = Some(i);
        }
    }
    let Some(sec) = elf
        .sections()
        .find(|s| kinds.get(to_usize(s.index)) == Some(&SectionKind::Arena))
    else {
        return Ok(None);
    };
    let section = sec.index;
    let map = arena_map.ok_or(Error::at_section(section, ArenaError::NoMap))?;
    let size = u32::try_from(sec.size)
        .ok()
        .filter(|&n| n <= MAX_ARENA_VARS)
        .ok_or(Error::too_many(Cap::ArenaVars))?;
    let pages = maps.get(map).map_or(0, |m| u64::from(m.max_entries));
    if u64::from(size).div_ceil(4096) > pages {
        return Err(Error::at_section(section, ArenaError::TooSmall));
    }
    let data = if sec.sh_type == SHT_NOBITS {
        &[][..]
    } else {
        sec.data
    };
    Ok(Some(Arena {
        map,
        section,
        data,
        size,
    }))
}

impl<'a> Object<'a> {
    /// Parses and checks the object `data`; see the module documentation.
    ///
    /// `cp` is called from every loop over an input-sized collection; its
    /// error (a fatal signal in the kernel) ends the parse.
    pub fn parse(data: &'a [u8], cp: &dyn Checkpoint) -> Result<Object<'a>, Error> {
        let tick = Ticker::new(cp);
        let elf = Elf::parse_with(data, cp)?;
        let nsec = elf.section_count();
        let mut sections = KVVec::from_elem(SectionKind::Other, to_usize(nsec), GFP_INPUT)?;
        let mut license: Option<&'a [u8]> = None;
        let mut kern_version = 0;
        let mut seen_version = false;
        let mut btf_sec: Option<Section<'a>> = None;
        let mut ext_sec: Option<Section<'a>> = None;
        let mut maps_sec = None;
        let mut text = None;

        for s in elf.sections().skip(1) {
            tick.tick()?;
            // BPF objects carry SHT_REL only. A RELA section would otherwise
            // be skipped like any unknown one, silently dropping relocations.
            if s.sh_type == SHT_RELA {
                return Err(Error::at_section(s.index, ElfError::RelaUnsupported));
            }
            if ignored(&s) {
                continue;
            }
            let dup = Error::at_section(s.index, ObjectError::DuplicateSection);
            let kind = match s.name {
                b"license" => {
                    if license.is_some() {
                        return Err(dup);
                    }
                    license = Some(parse_license(&s)?);
                    SectionKind::License
                }
                b"version" => {
                    if seen_version {
                        return Err(dup);
                    }
                    seen_version = true;
                    let b: [u8; 4] = s
                        .data
                        .try_into()
                        .map_err(|_| Error::at_section(s.index, ObjectError::BadVersion))?;
                    kern_version = u32::from_ne_bytes(b);
                    SectionKind::Version
                }
                b"maps" => return Err(Error::at_section(s.index, ObjectError::LegacyMaps)),
                b".maps" => {
                    if maps_sec.is_some() {
                        return Err(dup);
                    }
                    if s.sh_type != SHT_PROGBITS {
                        return Err(Error::at_section(s.index, ObjectError::BadSectionType));
                    }
                    maps_sec = Some(s.index);
                    SectionKind::Maps
                }
                b".BTF" | b".BTF.ext" => {
                    if s.sh_type != SHT_PROGBITS {
                        return Err(Error::at_section(s.index, ObjectError::BadSectionType));
                    }
                    let slot = if s.name == b".BTF" {
                        &mut btf_sec
                    } else {
                        &mut ext_sec
                    };
                    if slot.is_some() {
                        return Err(dup);
                    }
                    *slot = Some(s);
                    if s.name == b".BTF" {
                        SectionKind::Btf
                    } else {
                        SectionKind::BtfExt
                    }
                }
                _ if s.sh_type == SHT_SYMTAB => SectionKind::Symtab,
                _ if s.sh_type == SHT_PROGBITS && s.size > 0 => {
                    if s.flags & SHF_EXECINSTR != 0 {
                        if s.name == b".text" {
                            if text.is_some() {
                                return Err(dup);
                            }
                            text = Some(s.index);
                            SectionKind::Text
                        } else {
                            SectionKind::Program
                        }
                    } else if is_or_has_prefix(s.name, b".data") {
                        SectionKind::Data
                    } else if is_or_has_prefix(s.name, b".rodata") {
                        SectionKind::Rodata
                    } else if is_struct_ops(s.name) {
                        SectionKind::StructOps
                    } else if s.name == ARENA_SEC {
                        SectionKind::Arena
                    } else {
                        SectionKind::Other
                    }
                }
                _ if s.sh_type == SHT_REL => {
                    let target = elf.section(s.info)?;
                    if target.flags & SHF_EXECINSTR != 0 {
                        SectionKind::CodeRel
                    } else if s.name == b".rel.maps" {
                        SectionKind::MapsRel
                    } else if target.sh_type == SHT_PROGBITS && is_struct_ops(target.name) {
                        SectionKind::StructOpsRel
                    } else if ignored(&target) {
                        SectionKind::Other
                    } else {
                        // Relocations in data (pointers in globals,
                        // struct_ops): libbpf drops them silently; the
                        // data would be wrong, so refuse.
                        return Err(Error::at_section(s.index, ObjectError::UnsupportedSection));
                    }
                }
                _ if s.sh_type == SHT_NOBITS && is_or_has_prefix(s.name, b".bss") => {
                    SectionKind::Bss
                }
                _ if s.sh_type == SHT_NOBITS && s.name == ARENA_SEC => SectionKind::Arena,
                _ => SectionKind::Other,
            };
            // Code and data sections are found by name (`.BTF.ext`, BTF
            // `DATASEC`s) and data sections name maps: names must be unique.
            let unique = || elf.section_by_name(s.name).map(|f| f.index) == Some(s.index);
            match kind {
                SectionKind::Program | SectionKind::Text | SectionKind::StructOps if !unique() => {
                    return Err(dup)
                }
                SectionKind::Data | SectionKind::Rodata | SectionKind::Bss if !unique() => {
                    return Err(Error::at(
                        Location::MapEntry {
                            section: s.index,
                            entry: 0,
                        },
                        MapError::DuplicateName,
                    ))
                }
                _ => {}
            }
            if let Some(k) = sections.get_mut(to_usize(s.index)) {
                *k = kind;
            }
        }

        let btf = match btf_sec {
            Some(s) => Some(Btf::parse_with(s.data, cp)?),
            None => None,
        };
        let btf_ext = match (ext_sec, btf.as_ref()) {
            (Some(s), Some(b)) => {
                let ext = BtfExt::parse_with(s.data, cp)?;
                ext.check_refs_with(b, cp)?;
                Some(ext)
            }
            (Some(s), None) => return Err(Error::at_section(s.index, ObjectError::BtfRequired)),
            (None, _) => None,
        };

        let mut funcs = collect_functions(&elf, &sections, &tick)?;
        let programs = classify_programs(&elf, &mut funcs, &sections, &tick)?;

        let (externs, kcfg_size) = externs::collect(&elf, btf.as_ref(), &tick)?;

        let mut obj = Object {
            elf,
            btf,
            btf_ext,
            btf_fixed: KVVec::new(),
            license: license.unwrap_or(b""),
            kern_version,
            sections,
            funcs,
            programs,
            maps: KVVec::new(),
            inner_maps: KVVec::new(),
            struct_ops: KVVec::new(),
            arena: None,
            externs,
            relocs: KVVec::new(),
            ext_by_sym: KVVec::new(),
            prog_by_name: KVVec::new(),
            text,
            maps_sec,
            kconfig_map: None,
            ext_blocks: [KVVec::new(), KVVec::new(), KVVec::new()],
            exc_cbs: KVVec::new(),
            map_by_name: KVVec::new(),
        };
        for (i, e) in obj.externs.iter().enumerate() {
            obj.ext_by_sym.push((e.symbol, i), GFP_INPUT)?;
        }
        sort::sort(&mut obj.ext_by_sym);
        obj.prog_by_name.reserve(obj.programs.len(), GFP_INPUT)?;
        for i in 0..obj.programs.len() {
            obj.prog_by_name.push(i, GFP_INPUT)?;
        }
        let progs = &obj.programs;
        sort::sort_by_key(&mut obj.prog_by_name, |&i| {
            (progs.get(i).map(|p| p.name), i)
        });
        cp.checkpoint()?;
        if let Some(btf) = obj.btf.as_ref() {
            obj.btf_fixed = fixup_btf(&obj.elf, btf, &obj.funcs, &obj.externs, &tick)?;
        } else if let Some(m) = maps_sec {
            return Err(Error::at_section(m, ObjectError::BtfRequired));
        }
        if let Some(ext) = obj.btf_ext {
            obj.ext_blocks = obj.check_ext_sections(&ext, &tick)?;
        }
        obj.exc_cbs = exception_callbacks(&obj, &tick)?;

        // Maps see the fixed-up BTF (DATASEC offsets, linkage).
        {
            let fixed = if obj.btf_fixed.is_empty() {
                None
            } else {
                Some(Btf::parse_with(obj.btf_fixed.as_slice(), cp)?)
            };
            let orig = obj.btf.as_ref();
            let (maps, inner, kconfig_map) = maps::collect(
                &obj.elf,
                &obj.sections,
                orig,
                fixed.as_ref(),
                maps_sec,
                kcfg_size,
                &tick,
            )?;
            obj.maps = maps;
            obj.inner_maps = inner;
            obj.kconfig_map = kconfig_map;
            obj.struct_ops = struct_ops::collect(
                &obj.elf,
                &obj.sections,
                orig,
                fixed.as_ref(),
                &obj.funcs,
                &obj.programs,
                &tick,
            )?;
            obj.arena = arena_of(&obj.elf, &obj.sections, &obj.maps, &tick)?;
            // struct_ops maps are maps of the loader object too.
            if obj.maps.len().saturating_add(obj.struct_ops.len()) > MAX_MAPS {
                return Err(Error::too_many(Cap::Maps));
            }
        }
        obj.map_by_name = maps::check_names(&obj.maps)?;
        // (map, slot, target, rel), sorted by map and slot.
        let slots = maps::collect_slots(&obj, &tick)?;
        for &(mi, slot, target, ri) in slots.iter() {
            tick.tick()?;
            let m = obj
                .maps
                .get_mut(mi)
                .ok_or(Error::new(MapError::RelBad { rel: ri }))?;
            m.slots.push((slot, target), GFP_INPUT)?;
        }
        obj.relocs = reloc::collect(&obj, &tick)?;
        // Which externs an ld_imm64 takes the address of.
        for r in obj.relocs.iter() {
            tick.tick()?;
            if let reloc::RelocKind::ExternLd64 { ext } = r.kind {
                if let Some(e) = obj.externs.get_mut(ext) {
                    e.addr_taken = true;
                }
            }
        }
        // Index each function's records.
        let mut start = 0;
        for (fi, f) in obj.funcs.iter_mut().enumerate() {
            tick.tick()?;
            let n = obj
                .relocs
                .get(start..)
                .map_or(0, |r| r.iter().take_while(|r| r.func == fi).count());
            f.reloc_start = start;
            start = start.checked_add(n).ok_or(Error::NO_MEM)?;
            f.reloc_end = start;
        }
        Ok(obj)
    }

    /// Every `.BTF.ext` block must name a code section of the object, at
    /// most once per subsection, and every record must be an aligned
    /// instruction offset inside it, strictly increasing: the verifier
    /// requires it of a program's func_info and line_info, so a section's
    /// must be too; CO-RE records come that way from clang and the libbpf
    /// linker (one per relocated instruction). So a function's records are
    /// a binary search away, and it has at most one of each kind per
    /// instruction. Returns the blocks of each subsection by section.
    fn check_ext_sections(
        &self,
        ext: &BtfExt<'a>,
        tick: &Ticker<'_>,
    ) -> Result<[KVVec<(u32, InfoBlock<'a>)>; 3], Error> {
        let btf = self
            .btf
            .as_ref()
            .ok_or(Error::at_section(0, ObjectError::BtfRequired))?;
        let mut out = [KVVec::new(), KVVec::new(), KVVec::new()];
        let subs = [
            ExtSection::FuncInfo,
            ExtSection::LineInfo,
            ExtSection::CoreRelo,
        ];
        for (sub, index) in subs.into_iter().zip(out.iter_mut()) {
            for b in ext.blocks(sub) {
                tick.tick()?;
                let name = btf.str_at(b.sec_name_off)?;
                let sec = self
                    .elf
                    .section_by_name(name)
                    .filter(|s| {
                        matches!(
                            self.sections.get(to_usize(s.index)),
                            Some(SectionKind::Program | SectionKind::Text)
                        )
                    })
                    .ok_or(Error::new(BtfExtError::UnknownSection {
                        sec_name_off: b.sec_name_off,
                    }))?;
                let mut prev: Option<u32> = None;
                for i in 0..b.num {
                    tick.tick()?;
                    let bad = Error::new(BtfExtError::BadRecord {
                        sec_name_off: b.sec_name_off,
                        rec: i,
                    });
                    let off = b
                        .record(i)
                        .and_then(|rec| rec.get(..4))
                        .and_then(|x| <[u8; 4]>::try_from(x).ok())
                        .map(u32::from_ne_bytes)
                        .ok_or(bad)?;
                    // Inside the section but in no function: code of a weak
                    // function a static linker eliminated (it keeps the
                    // records, like libbpf we ignore them: that code is never
                    // loaded). Outside the section: malformed.
                    if off % 8 != 0 || u64::from(off) >= sec.size {
                        return Err(bad);
                    }
                    if prev.is_some_and(|p| off <= p) {
                        return Err(Error::new(BtfExtError::NotIncreasing {
                            sec: sub,
                            sec_name_off: b.sec_name_off,
                            rec: i,
                        }));
                    }
                    prev = Some(off);
                }
                index.push((sec.index, b), GFP_INPUT)?;
            }
            // Blocks of the same section in file order, so the duplicate
            // reported is the later one.
            sort::sort_by(&mut *index, |a, b| {
                a.0.cmp(&b.0)
                    .then_with(|| a.1.records.as_ptr().cmp(&b.1.records.as_ptr()))
            });
            for pair in index.windows(2) {
                if let [(a, _), (b, blk)] = pair {
                    if a == b {
                        return Err(Error::new(BtfExtError::DuplicateBlock {
                            sec: sub,
                            sec_name_off: blk.sec_name_off,
                        }));
                    }
                }
            }
        }
        Ok(out)
    }

    /// The `.BTF.ext` block of subsection `sub` for ELF section `section`.
    pub fn ext_block(&self, sub: ExtSection, section: u32) -> Option<InfoBlock<'a>> {
        let index = match sub {
            ExtSection::FuncInfo => &self.ext_blocks[0],
            ExtSection::LineInfo => &self.ext_blocks[1],
            ExtSection::CoreRelo => &self.ext_blocks[2],
        };
        let i = index.partition_point(|e| e.0 < section);
        index.get(i).filter(|e| e.0 == section).map(|e| e.1)
    }

    /// The exception callback of program `prog` (libbpf's
    /// `bpf_prog_assign_exc_cb`), see [`crate::bpfobj::relocate`].
    pub fn exception_callback(&self, prog: usize) -> Result<Option<usize>, Error> {
        self.exc_cbs
            .get(prog)
            .copied()
            .unwrap_or(Err(Error::new(LinkError::BadProgram {
                prog: u32::try_from(prog).unwrap_or(u32::MAX),
            })))
    }

    /// The function of section `sec` containing instruction `insn` (in
    /// The relocation record of instruction `insn` of function `func`, if
    /// any.
    pub fn reloc_at(&self, func: usize, insn: u32) -> Option<&Reloc> {
        let f = self.functions().get(func)?;
        let recs = self.relocs().get(f.reloc_start..f.reloc_end)?;
        let i = recs.partition_point(|r| r.insn < insn);
        recs.get(i).filter(|r| r.insn == insn)
    }

    /// section instructions).
    pub fn func_at(&self, sec: u32, insn: u32) -> Option<usize> {
        let i = self
            .funcs
            .partition_point(|f| (f.section, f.insn_off) <= (sec, insn));
        let idx = i.checked_sub(1)?;
        let f = self.funcs.get(idx)?;
        (f.section == sec && insn.checked_sub(f.insn_off)? < f.insn_cnt).then_some(idx)
    }

    /// The function of section `sec` starting at instruction `insn`.
    pub fn func_starting_at(&self, sec: u32, insn: u32) -> Option<usize> {
        let idx = self.func_at(sec, insn)?;
        (self.funcs.get(idx)?.insn_off == insn).then_some(idx)
    }

    /// The ELF view.
    pub fn elf(&self) -> &Elf<'a> {
        &self.elf
    }

    /// The object's own BTF, as in the file.
    pub fn btf_orig(&self) -> Option<&Btf<'a>> {
        self.btf.as_ref()
    }

    /// The `.BTF.ext`, if any.
    pub fn btf_ext(&self) -> Option<&BtfExt<'a>> {
        self.btf_ext.as_ref()
    }

    /// The fixed-up BTF blob for `BPF_BTF_LOAD` (`DATASEC` sizes and `VAR`
    /// offsets from the ELF, externs rewritten, hidden functions static),
    /// `None` if the object has no BTF. Type ids are those of the file's
    /// BTF (types are only appended).
    pub fn btf(&self) -> Option<&[u8]> {
        (!self.btf_fixed.is_empty()).then_some(self.btf_fixed.as_slice())
    }

    /// The license string (without its NUL); empty if none.
    pub fn license(&self) -> &'a [u8] {
        self.license
    }

    /// The `version` section's value, 0 if none.
    pub fn kern_version(&self) -> u32 {
        self.kern_version
    }

    /// What each ELF section is, by section index.
    pub fn section_kinds(&self) -> &[SectionKind] {
        &self.sections
    }

    /// All functions (programs and subprograms), sorted by section and
    /// offset.
    pub fn functions(&self) -> &[Function<'a>] {
        &self.funcs
    }

    /// The programs, in section and offset order.
    pub fn programs(&self) -> &[Program<'a>] {
        &self.programs
    }

    /// The maps: BTF-defined ones (in `.maps` order), then global data
    /// ones (in section order), then `.kconfig`. Instructions refer to
    /// maps by their index here.
    pub fn maps(&self) -> &[MapDef<'a>] {
        &self.maps
    }

    /// The `__arena` variables and their arena map, if the object has any.
    pub fn arena(&self) -> Option<&Arena<'a>> {
        self.arena.as_ref()
    }

    /// The struct_ops maps, in section and variable order.
    pub fn struct_ops(&self) -> &[StructOpsMap<'a>] {
        &self.struct_ops
    }

    /// Inner-map templates of map-in-maps ([`MapDef::inner`] indexes this).
    pub fn inner_maps(&self) -> &[MapDef<'a>] {
        &self.inner_maps
    }

    /// The externs, in libbpf's order.
    pub fn externs(&self) -> &[Extern<'a>] {
        &self.externs
    }

    /// Every relocation record, sorted by function and instruction.
    pub fn relocs(&self) -> &[Reloc] {
        &self.relocs
    }

    /// Index of the `.kconfig` map, if the object has kconfig externs.
    pub fn kconfig_map(&self) -> Option<usize> {
        self.kconfig_map
    }

    /// ELF index of `.text`, if the object has subprograms.
    pub fn text_section(&self) -> Option<u32> {
        self.text
    }

    /// ELF index of `.maps`, if any.
    pub fn maps_section(&self) -> Option<u32> {
        self.maps_sec
    }

    /// The program called `name`.
    pub fn program_by_name(&self, name: &[u8]) -> Option<usize> {
        let progs = &self.programs;
        let i = self
            .prog_by_name
            .partition_point(|&i| progs.get(i).map_or(true, |p| p.name < name));
        let idx = *self.prog_by_name.get(i)?;
        (progs.get(idx)?.name == name).then_some(idx)
    }

    /// The extern whose ELF symbol is `symbol`.
    pub fn extern_of_symbol(&self, symbol: u32) -> Option<usize> {
        let i = self.ext_by_sym.partition_point(|e| e.0 < symbol);
        self.ext_by_sym
            .get(i)
            .filter(|e| e.0 == symbol)
            .map(|e| e.1)
    }

    /// The BTF-defined map whose definition starts at `offset` in `.maps`.
    pub fn btf_map_at(&self, offset: u64) -> Option<usize> {
        // BTF maps come first, sorted by offset.
        let n = self.maps.partition_point(|m| m.kind == MapKind::Btf);
        let btf_maps = self.maps.get(..n)?;
        let i = btf_maps.partition_point(|m| u64::from(m.sec_offset) < offset);
        btf_maps
            .get(i)
            .filter(|m| u64::from(m.sec_offset) == offset)
            .map(|_| i)
    }

    /// The BTF-defined map whose definition contains bytes
    /// `[offset, offset + len)` of `.maps`.
    pub fn btf_map_containing(&self, offset: u64, len: u64) -> Option<usize> {
        let n = self.maps.partition_point(|m| m.kind == MapKind::Btf);
        let btf_maps = self.maps.get(..n)?;
        let i = btf_maps
            .partition_point(|m| u64::from(m.sec_offset) <= offset)
            .checked_sub(1)?;
        let m = btf_maps.get(i)?;
        let end = offset.checked_add(len)?;
        (end <= u64::from(m.sec_offset).checked_add(u64::from(m.def_size))?).then_some(i)
    }

    /// The global data map of ELF section `section`.
    pub fn data_map_of(&self, section: u32) -> Option<usize> {
        let is_data =
            |m: &MapDef<'_>| matches!(m.kind, MapKind::Data | MapKind::Rodata | MapKind::Bss);
        let start = self.maps.partition_point(|m| m.kind == MapKind::Btf);
        let data = self.maps.get(start..)?;
        let n = data.partition_point(is_data);
        let data = data.get(..n)?;
        let i = data.partition_point(|m| m.section < section);
        data.get(i)
            .filter(|m| m.section == section)
            .and_then(|_| start.checked_add(i))
    }

    /// The map called `name` (names are unique).
    pub fn map_by_name(&self, name: &[u8]) -> Option<usize> {
        let maps = &self.maps;
        let i = self
            .map_by_name
            .partition_point(|&i| maps.get(i).map_or(true, |m| m.name < name));
        let idx = *self.map_by_name.get(i)?;
        (maps.get(idx)?.name == name).then_some(idx)
    }
}

fn parse_license<'a>(s: &Section<'a>) -> Result<&'a [u8], Error> {
    let bad = Error::at_section(s.index, ObjectError::BadLicense);
    let nul = s.data.iter().position(|&b| b == 0).ok_or(bad)?;
    if nul > MAX_LICENSE_LEN {
        return Err(bad);
    }
    s.data.get(..nul).ok_or(bad)
}

fn collect_functions<'a>(
    elf: &Elf<'a>,
    sections: &[SectionKind],
    tick: &Ticker<'_>,
) -> Result<KVVec<Function<'a>>, Error> {
    let mut funcs: KVVec<Function<'a>> = KVVec::new();
    for sym in elf.symbols() {
        tick.tick()?;
        if sym.typ != STT_FUNC || sym.shndx == 0 {
            continue;
        }
        let sec = u32::from(sym.shndx);
        let kind = sections.get(to_usize(sec)).copied();
        if !matches!(kind, Some(SectionKind::Program | SectionKind::Text)) {
            // A function symbol outside code we load (e.g. SHN_ABS).
            if elf.section(sec).is_ok_and(|s| s.flags & SHF_EXECINSTR != 0) {
                return Err(Error::at(
                    Location::Func {
                        section: sec,
                        symbol: sym.index,
                    },
                    ProgError::BadFunc,
                ));
            }
            continue;
        }
        let s = elf.section(sec)?;
        let bad = Error::at(
            Location::Func {
                section: sec,
                symbol: sym.index,
            },
            ProgError::BadFunc,
        );
        let end = sym.value.checked_add(sym.size).ok_or(bad)?;
        if sym.size == 0
            || sym.size % INSN_SZ != 0
            || sym.value % INSN_SZ != 0
            || end > s.size
            || sym.name.is_empty()
        {
            return Err(bad);
        }
        if kind == Some(SectionKind::Program) && sym.bind == STB_LOCAL {
            return Err(Error::at(
                Location::Func {
                    section: sec,
                    symbol: sym.index,
                },
                ProgError::Static,
            ));
        }
        let start = usize::try_from(sym.value).map_err(|_| bad)?;
        let len = usize::try_from(sym.size).map_err(|_| bad)?;
        let insns = s.data.get(start..).and_then(|d| d.get(..len)).ok_or(bad)?;
        let global = sym.bind == STB_GLOBAL || sym.bind == STB_WEAK;
        funcs.push(
            Function {
                name: sym.name,
                symbol: sym.index,
                section: sec,
                insn_off: u32::try_from(sym.value / INSN_SZ).map_err(|_| bad)?,
                insn_cnt: u32::try_from(sym.size / INSN_SZ).map_err(|_| bad)?,
                insns,
                global,
                hidden: global && (sym.visibility == STV_HIDDEN || sym.visibility == STV_INTERNAL),
                program: None,
                reloc_start: 0,
                reloc_end: 0,
            },
            GFP_INPUT,
        )?;
    }
    tick.now()?;
    sort::sort_by_key(&mut funcs, |f| (f.section, f.insn_off, f.symbol));
    for pair in funcs.windows(2) {
        tick.tick()?;
        if let [a, b] = pair {
            if a.section == b.section && a.insn_off.saturating_add(a.insn_cnt) > b.insn_off {
                return Err(Error::at(
                    Location::Func {
                        section: b.section,
                        symbol: b.symbol,
                    },
                    ProgError::Overlap,
                ));
            }
        }
    }
    Ok(funcs)
}

fn classify_programs<'a>(
    elf: &Elf<'a>,
    funcs: &mut [Function<'a>],
    sections: &[SectionKind],
    tick: &Ticker<'_>,
) -> Result<KVVec<Program<'a>>, Error> {
    let mut programs: KVVec<Program<'a>> = KVVec::new();
    for (fi, f) in funcs.iter_mut().enumerate() {
        tick.tick()?;
        if sections.get(to_usize(f.section)) != Some(&SectionKind::Program) {
            continue;
        }
        if programs.len() >= MAX_PROGRAMS {
            return Err(Error::too_many(Cap::Programs));
        }
        let (section, symbol) = (f.section, f.symbol);
        if f.name.len() > MAX_PROG_NAME_LEN {
            return Err(Error::at(
                Location::Func { section, symbol },
                ProgError::NameTooLong,
            ));
        }
        if !is_identifier_like(f.name) {
            return Err(Error::at(
                Location::Func { section, symbol },
                ProgError::BadName,
            ));
        }
        let sec = elf.section(f.section)?;
        let spec = sec_def::classify(f.section, sec.name)?;
        f.program = Some(programs.len());
        programs.push(
            Program {
                name: f.name,
                section: spec.section,
                sec_idx: f.section,
                prog_type: spec.prog_type,
                expected_attach_type: spec.expected_attach_type,
                attach_func: spec.attach_func,
                attach_btf: spec.attach_btf,
                attach_btf_prefix: spec.attach_btf_prefix,
                attach_btf_kind: spec.attach_btf_kind,
                sleepable: spec.sleepable,
                prog_flags: spec.prog_flags,
                autoload: spec.autoload,
                usdt: spec.usdt,
                insn_cnt: f.insn_cnt,
                func: fi,
            },
            GFP_INPUT,
        )?;
    }
    // Programs are looked up by name: names must be unique.
    tick.now()?;
    let mut order: KVVec<usize> = KVVec::with_capacity(programs.len(), GFP_INPUT)?;
    for i in 0..programs.len() {
        order.push(i, GFP_INPUT)?;
    }
    // The index makes the key total (sort is not stable): the duplicate
    // reported is the later program.
    sort::sort_by_key(&mut order, |&i| (programs.get(i).map(|p| p.name), i));
    for pair in order.windows(2) {
        if let [a, b] = pair {
            let (pa, pb) = (programs.get(*a), programs.get(*b));
            if let (Some(pa), Some(pb)) = (pa, pb) {
                if pa.name == pb.name {
                    return Err(Error::at_symbol(
                        funcs.get(pb.func).map_or(0, |f| f.symbol),
                        ProgError::DuplicateName,
                    ));
                }
            }
        }
    }
    Ok(programs)
}

/// Global and weak `STT_OBJECT` symbols sorted by name, for matching BTF
/// variables to their symbols (libbpf's `find_elf_var_sym`).
struct VarSyms<'a> {
    syms: KVVec<(&'a [u8], u32)>,
}

impl<'a> VarSyms<'a> {
    fn new(elf: &Elf<'a>, tick: &Ticker<'_>) -> Result<Self, Error> {
        // (name offset, index, name): symbols sharing a name offset are
        // collapsed to the first one before sorting by name, so the sort
        // compares each distinct string, not each symbol.
        let mut by_off: KVVec<(u32, u32, &'a [u8])> = KVVec::new();
        for s in elf.symbols() {
            tick.tick()?;
            if s.typ == STT_OBJECT && (s.bind == STB_GLOBAL || s.bind == STB_WEAK) {
                by_off.push((s.name_off, s.index, s.name), GFP_INPUT)?;
            }
        }
        tick.now()?;
        sort::sort_by_key(&mut by_off, |e| (e.0, e.1));
        let mut syms = KVVec::new();
        let mut last = None;
        for &(off, index, name) in by_off.iter() {
            tick.tick()?;
            if last != Some(off) {
                last = Some(off);
                syms.push((name, index), GFP_INPUT)?;
            }
        }
        // Stable by index among equal names: the first symbol wins, like
        // libbpf's linear search.
        tick.now()?;
        sort::sort(&mut syms);
        tick.now()?;
        Ok(VarSyms { syms })
    }

    fn find(&self, name: &[u8]) -> Option<u32> {
        let i = self.syms.partition_point(|(n, _)| *n < name);
        self.syms
            .get(i)
            .filter(|(n, _)| *n == name)
            .map(|(_, idx)| *idx)
    }
}

/// Builds the BTF blob for `BPF_BTF_LOAD`: libbpf's `bpf_object__collect_externs`
/// rewrites, `bpf_object_fixup_btf` (`DATASEC` size and offsets, hidden
/// variables static, entries sorted) and the hidden-subprogram rule of
/// `bpf_object__sanitize_and_load_btf`.
fn fixup_btf(
    elf: &Elf<'_>,
    btf: &Btf<'_>,
    funcs: &[Function<'_>],
    externs: &[Extern<'_>],
    tick: &Ticker<'_>,
) -> Result<KVVec<u8>, Error> {
    let mut buf = BtfBuf::new(btf)?;
    externs::fixup_btf(&mut buf, btf, externs, tick)?;

    let syms = VarSyms::new(elf, tick)?;
    for t in btf.types() {
        tick.tick()?;
        if t.kind() != BTF_KIND_DATASEC {
            continue;
        }
        let type_id = t.id();
        let name = btf.str_at(t.name_off())?;
        if name != KCONFIG_SEC && name != KSYMS_SEC {
            let mut fix_offsets = false;
            if t.size() == 0 {
                let size = elf
                    .section_by_name(name)
                    .map(|s| s.size)
                    .filter(|&s| s != 0)
                    .and_then(|s| u32::try_from(s).ok())
                    .ok_or(Error::new(BtfError::DatasecNoSection { type_id }))?;
                buf.set_size(btf, type_id, size)?;
                fix_offsets = true;
            }
            for (i, vs) in (0u32..).zip(t.datasec_vars()) {
                tick.tick()?;
                let var = btf.type_by_id(vs.type_id)?;
                let linkage = var
                    .var_linkage()
                    .ok_or(Error::new(BtfError::DatasecBadVar { type_id, index: i }))?;
                if linkage == BTF_VAR_STATIC || linkage == BTF_VAR_GLOBAL_EXTERN {
                    continue;
                }
                let vname = btf.str_at(var.name_off())?;
                let sym = syms
                    .find(vname)
                    .ok_or(Error::new(BtfError::DatasecNoSymbol { type_id, index: i }))?;
                let sym = elf.symbol(sym)?;
                if fix_offsets {
                    let off = u32::try_from(sym.value)
                        .map_err(|_| Error::new(BtfError::DatasecNoSymbol { type_id, index: i }))?;
                    buf.set_datasec_var(btf, type_id, i, None, Some(off), None)?;
                }
                if sym.visibility == STV_HIDDEN || sym.visibility == STV_INTERNAL {
                    buf.set_var(btf, var.id(), None, BTF_VAR_STATIC)?;
                }
            }
        }
        buf.sort_datasec(btf, type_id)?;
    }

    // Hidden global subprograms: the first global FUNC of that name becomes
    // static.
    let globals = NameIndex::new(
        btf,
        |t| t.kind() == BTF_KIND_FUNC && t.func_linkage() == Some(BTF_FUNC_GLOBAL),
        tick,
    )?;
    for f in funcs.iter().filter(|f| f.hidden && f.program.is_none()) {
        tick.tick()?;
        if let Some(id) = globals.first(f.name) {
            buf.set_func_linkage(btf, id, BTF_FUNC_STATIC)?;
        }
    }
    buf.finish()
}

/// Prefix of the decl tag naming a program's exception callback.
pub const EXCEPTION_CB_TAG: &[u8] = b"exception_callback:";

/// An `exception_callback:` decl tag.
enum ExcTag<'a> {
    /// One that fails the link of every program that has not settled its
    /// callback before it: unreadable, or not on a global `FUNC`.
    Bad(Error),
    /// On the `FUNC` called `target`, naming `value` (`None`: longer than
    /// a name).
    On {
        target: &'a [u8],
        value: Option<&'a [u8]>,
        type_id: u32,
    },
}

fn exc_tag<'a>(obj: &Object<'a>, t: &crate::bpfobj::btf::Type<'a>) -> ExcTag<'a> {
    let Some(btf) = obj.btf_orig() else {
        return ExcTag::Bad(Error::at_section(0, ObjectError::BtfRequired));
    };
    let bad = Error::new(LinkError::BadExceptionCb { type_id: t.id() });
    let value_off = u32::try_from(EXCEPTION_CB_TAG.len())
        .ok()
        .and_then(|n| t.name_off().checked_add(n));
    let value = match value_off.map(|o| btf.name_at(o)) {
        Some(Ok(v)) => v,
        Some(Err(e)) => return ExcTag::Bad(e),
        None => return ExcTag::Bad(bad),
    };
    let target = match btf.type_by_id(t.type_id()) {
        Ok(target) => target,
        Err(e) => return ExcTag::Bad(e),
    };
    if target.kind() != BTF_KIND_FUNC || target.func_linkage() != Some(BTF_FUNC_GLOBAL) {
        return ExcTag::Bad(bad);
    }
    match btf.str_at(target.name_off()) {
        Ok(name) => ExcTag::On {
            target: name,
            value,
            type_id: t.id(),
        },
        Err(e) => ExcTag::Bad(e),
    }
}

/// The exception callback of every program, in one pass over the BTF
/// (what [`exception_callback`] used to find with one pass per program,
/// with the same result for each).
///
/// For one program the tags are read in id order: a bad tag fails it; a
/// tag on another program is skipped; a second tag on it means none
/// (the verifier rejects the program); an empty name, or a name that is
/// not exactly one global, visible, non-program function, fails it.
pub(crate) fn exception_callbacks(
    obj: &Object<'_>,
    tick: &Ticker<'_>,
) -> Result<KVVec<Result<Option<usize>, Error>>, Error> {
    let nprogs = obj.programs().len();
    let mut out = KVVec::from_elem(Ok(None), nprogs, GFP_INPUT)?;
    let Some(btf) = obj.btf_orig() else {
        return Ok(out);
    };
    // Settled: the program's result is final.
    let mut settled = KVVec::from_elem(false, nprogs, GFP_INPUT)?;
    // Non-program functions by name, built on the first tag.
    let mut by_name: Option<KVVec<(&[u8], usize)>> = None;
    let strs = btf.strings();
    for t in btf.types() {
        tick.tick()?;
        if t.kind() != BTF_KIND_DECL_TAG || t.decl_tag_component_idx() != Some(-1) {
            continue;
        }
        let name = usize::try_from(t.name_off())
            .ok()
            .and_then(|o| strs.get(o..))
            .unwrap_or(&[]);
        if !name.starts_with(EXCEPTION_CB_TAG) {
            continue;
        }
        let (target, value, type_id) = match exc_tag(obj, &t) {
            ExcTag::Bad(e) => {
                for (r, s) in out.iter_mut().zip(settled.iter()) {
                    if !s {
                        *r = Err(e);
                    }
                }
                return Ok(out);
            }
            ExcTag::On {
                target,
                value,
                type_id,
            } => (target, value, type_id),
        };
        let Some(p) = obj.program_by_name(target) else {
            continue;
        };
        let (Some(r), Some(s)) = (out.get_mut(p), settled.get_mut(p)) else {
            continue;
        };
        if *s {
            continue;
        }
        if matches!(r, Ok(Some(_))) {
            // Several callbacks: the verifier rejects the program.
            *r = Ok(None);
            *s = true;
            continue;
        }
        let bad = Error::new(LinkError::BadExceptionCb { type_id });
        if value == Some(b"".as_slice()) {
            *r = Err(bad);
            *s = true;
            continue;
        }
        if by_name.is_none() {
            let mut v = KVVec::new();
            for (i, f) in obj.functions().iter().enumerate() {
                tick.tick()?;
                if f.program.is_none() {
                    v.push((f.name, i), GFP_INPUT)?;
                }
            }
            tick.now()?;
            sort::sort(&mut v);
            by_name = Some(v);
        }
        let funcs = by_name.as_deref().unwrap_or(&[]);
        let value = value.unwrap_or(&[]);
        let lo = funcs.partition_point(|e| e.0 < value);
        let hi = funcs.partition_point(|e| e.0 <= value);
        let hit = match funcs.get(lo..hi).unwrap_or(&[]) {
            [] => Err(Error::new(LinkError::NoExceptionCb { type_id })),
            [(_, i)] => match obj.functions().get(*i) {
                Some(f) if f.global && !f.hidden => Ok(*i),
                _ => Err(bad),
            },
            _ => Err(bad),
        };
        match hit {
            Ok(i) => *r = Ok(Some(i)),
            Err(e) => {
                *r = Err(e);
                *s = true;
            }
        }
    }
    Ok(out)
}

impl<'a> reloc::RelocInput<'a> for Object<'a> {
    fn elf(&self) -> &Elf<'a> {
        Object::elf(self)
    }
    fn section_kinds(&self) -> &[SectionKind] {
        Object::section_kinds(self)
    }
    fn func_at(&self, sec: u32, insn: u32) -> Option<usize> {
        Object::func_at(self, sec, insn)
    }
    fn functions(&self) -> &[Function<'a>] {
        Object::functions(self)
    }
    fn text_section(&self) -> Option<u32> {
        Object::text_section(self)
    }
    fn maps(&self) -> &[MapDef<'a>] {
        Object::maps(self)
    }
    fn externs(&self) -> &[Extern<'a>] {
        Object::externs(self)
    }
    fn extern_of_symbol(&self, symbol: u32) -> Option<usize> {
        Object::extern_of_symbol(self, symbol)
    }
    fn btf_map_at(&self, offset: u64) -> Option<usize> {
        Object::btf_map_at(self, offset)
    }
    fn arena(&self) -> Option<&Arena<'a>> {
        Object::arena(self)
    }
    fn data_map_of(&self, section: u32) -> Option<usize> {
        Object::data_map_of(self, section)
    }
}

impl<'a> maps::SlotInput<'a> for Object<'a> {
    fn elf(&self) -> &Elf<'a> {
        Object::elf(self)
    }
    fn section_kinds(&self) -> &[SectionKind] {
        Object::section_kinds(self)
    }
    fn maps_section(&self) -> Option<u32> {
        Object::maps_section(self)
    }
    fn btf_map_containing(&self, offset: u64, len: u64) -> Option<usize> {
        Object::btf_map_containing(self, offset, len)
    }
    fn btf_map_at(&self, offset: u64) -> Option<usize> {
        Object::btf_map_at(self, offset)
    }
    fn maps(&self) -> &[MapDef<'a>] {
        Object::maps(self)
    }
    fn program_by_name(&self, name: &[u8]) -> Option<usize> {
        Object::program_by_name(self, name)
    }
    fn programs(&self) -> &[Program<'a>] {
        Object::programs(self)
    }
    fn functions(&self) -> &[Function<'a>] {
        Object::functions(self)
    }
}
