// SPDX-License-Identifier: GPL-2.0

//! Strict ELF64 reading: only what a clang-built BPF relocatable object uses.

use crate::bpfobj::bytes::{cstr_at, sub, to_usize, CStrError, Cursor};
use crate::bpfobj::checkpoint::{Checkpoint, NoCheckpoint, Ticker};
use crate::bpfobj::compat::{KVVec, GFP_INPUT};
use crate::bpfobj::error::{ElfError, Error};
use crate::bpfobj::limits::{Cap, MAX_SECTIONS, MAX_SYMBOLS};
use crate::bpfobj::sort;

/// Size of an ELF64 file header.
pub const EHDR_SIZE: usize = 64;
/// `EM_BPF`.
pub const EM_BPF: u16 = 247;
/// `EM_NONE` (old LLVM emitted it for BPF).
pub const EM_NONE: u16 = 0;
/// `ET_REL`.
pub const ET_REL: u16 = 1;
const ELFCLASS64: u8 = 2;
#[cfg(target_endian = "little")]
const ELFDATA_HOST: u8 = 1;
#[cfg(target_endian = "big")]
const ELFDATA_HOST: u8 = 2;
const EV_CURRENT: u32 = 1;

/// The fields of the ELF64 header the loader uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// `e_type`.
    pub e_type: u16,
    /// `e_machine`.
    pub e_machine: u16,
    /// `e_shoff`: file offset of the section header table.
    pub e_shoff: u64,
    /// `e_shentsize`.
    pub e_shentsize: u16,
    /// `e_shnum`.
    pub e_shnum: u16,
    /// `e_shstrndx`.
    pub e_shstrndx: u16,
}

fn u16_at(b: &[u8], off: usize) -> u16 {
    let mut v = [0u8; 2];
    if let Some(s) = b.get(off..).and_then(|s| s.get(..2)) {
        v.copy_from_slice(s);
    }
    u16::from_ne_bytes(v)
}

fn u32_at(b: &[u8], off: usize) -> u32 {
    let mut v = [0u8; 4];
    if let Some(s) = b.get(off..).and_then(|s| s.get(..4)) {
        v.copy_from_slice(s);
    }
    u32::from_ne_bytes(v)
}

fn u64_at(b: &[u8], off: usize) -> u64 {
    let mut v = [0u8; 8];
    if let Some(s) = b.get(off..).and_then(|s| s.get(..8)) {
        v.copy_from_slice(s);
    }
    u64::from_ne_bytes(v)
}

/// Checks the ELF identity and header of a BPF object: ELF64, host byte order,
/// `ET_REL`, `EM_BPF` (or `EM_NONE`), current version.
pub fn check_header(data: &[u8]) -> Result<Header, Error> {
    let ehdr = data
        .get(..EHDR_SIZE)
        .ok_or(Error::new(ElfError::TooShort { len: data.len() }))?;
    if ehdr.get(..4) != Some(b"\x7fELF".as_slice()) {
        return Err(Error::new(ElfError::BadMagic));
    }
    let ident = |i: usize| ehdr.get(i).copied().unwrap_or(0);
    if ident(4) != ELFCLASS64 {
        return Err(Error::new(ElfError::BadClass { class: ident(4) }));
    }
    if ident(5) != ELFDATA_HOST {
        return Err(Error::new(ElfError::BadEndian { data: ident(5) }));
    }
    if u32::from(ident(6)) != EV_CURRENT {
        return Err(Error::new(ElfError::BadVersion {
            version: u32::from(ident(6)),
        }));
    }
    let hdr = Header {
        e_type: u16_at(ehdr, 16),
        e_machine: u16_at(ehdr, 18),
        e_shoff: u64_at(ehdr, 40),
        e_shentsize: u16_at(ehdr, 58),
        e_shnum: u16_at(ehdr, 60),
        e_shstrndx: u16_at(ehdr, 62),
    };
    let version = u32_at(ehdr, 20);
    if hdr.e_type != ET_REL {
        return Err(Error::new(ElfError::NotRel { e_type: hdr.e_type }));
    }
    if hdr.e_machine != EM_BPF && hdr.e_machine != EM_NONE {
        return Err(Error::new(ElfError::NotBpf {
            machine: hdr.e_machine,
        }));
    }
    if version != EV_CURRENT {
        return Err(Error::new(ElfError::BadVersion { version }));
    }
    let ehsize = u16_at(ehdr, 52);
    if usize::from(ehsize) != EHDR_SIZE {
        return Err(Error::new(ElfError::BadEhsize { ehsize }));
    }
    Ok(hdr)
}

// ---------------------------------------------------------------------------
// Section headers, symbols and relocations.
// ---------------------------------------------------------------------------

/// Size of an ELF64 section header (`e_shentsize` must equal it).
pub const SHDR_SIZE: usize = 64;
/// Size of an ELF64 symbol (`Elf64_Sym`).
pub const SYM_SIZE: usize = 24;
/// Size of an ELF64 `Elf64_Rel`.
pub const REL_SIZE: usize = 16;

/// `SHT_NULL`: an unused section header.
pub const SHT_NULL: u32 = 0;
/// `SHT_PROGBITS`: program-defined contents (code, data, BTF).
pub const SHT_PROGBITS: u32 = 1;
/// `SHT_SYMTAB`: the symbol table.
pub const SHT_SYMTAB: u32 = 2;
/// `SHT_STRTAB`: a string table.
pub const SHT_STRTAB: u32 = 3;
/// `SHT_RELA`: relocations with addends (never emitted for BPF; rejected).
pub const SHT_RELA: u32 = 4;
/// `SHT_NOBITS`: occupies no file space (`.bss`).
pub const SHT_NOBITS: u32 = 8;
/// `SHT_LLVM_ADDRSIG` (clang's address-significance table).
pub const SHT_LLVM_ADDRSIG: u32 = 0x6fff_4c03;
/// `SHT_REL`: relocations without addends.
pub const SHT_REL: u32 = 9;

/// `SHF_WRITE`: writable data.
pub const SHF_WRITE: u64 = 0x1;
/// `SHF_ALLOC`: occupies memory at run time.
pub const SHF_ALLOC: u64 = 0x2;
/// `SHF_EXECINSTR`: executable instructions.
pub const SHF_EXECINSTR: u64 = 0x4;

/// `SHN_UNDEF`: undefined section (externs).
pub const SHN_UNDEF: u16 = 0;
/// `SHN_LORESERVE`: first reserved section index.
pub const SHN_LORESERVE: u16 = 0xff00;
/// `SHN_ABS`: absolute value, not relative to a section.
pub const SHN_ABS: u16 = 0xfff1;
/// `SHN_COMMON`: common (unallocated) symbol.
pub const SHN_COMMON: u16 = 0xfff2;
/// `SHN_XINDEX`: index in an extended table (rejected: BPF objects never
/// need it).
pub const SHN_XINDEX: u16 = 0xffff;

/// `STB_LOCAL` symbol binding.
pub const STB_LOCAL: u8 = 0;
/// `STB_GLOBAL` symbol binding.
pub const STB_GLOBAL: u8 = 1;
/// `STB_WEAK` symbol binding.
pub const STB_WEAK: u8 = 2;

/// `STT_NOTYPE` symbol type.
pub const STT_NOTYPE: u8 = 0;
/// `STT_OBJECT` symbol type (variables, map definitions).
pub const STT_OBJECT: u8 = 1;
/// `STT_FUNC` symbol type (programs and subprograms).
pub const STT_FUNC: u8 = 2;
/// `STT_SECTION` symbol type (section symbols).
pub const STT_SECTION: u8 = 3;
/// `STT_FILE` symbol type (source file name).
pub const STT_FILE: u8 = 4;

/// `STV_DEFAULT` symbol visibility.
pub const STV_DEFAULT: u8 = 0;
/// `STV_INTERNAL` symbol visibility.
pub const STV_INTERNAL: u8 = 1;
/// `STV_HIDDEN` symbol visibility.
pub const STV_HIDDEN: u8 = 2;
/// `STV_PROTECTED` symbol visibility.
pub const STV_PROTECTED: u8 = 3;

/// `R_BPF_NONE`.
pub const R_BPF_NONE: u32 = 0;
/// `R_BPF_64_64`: `ld_imm64` of a map or data address.
pub const R_BPF_64_64: u32 = 1;
/// `R_BPF_64_ABS64`: 64-bit absolute data relocation (debug info, `.BTF`).
pub const R_BPF_64_ABS64: u32 = 2;
/// `R_BPF_64_ABS32`: 32-bit absolute data relocation (debug info, `.BTF.ext`).
pub const R_BPF_64_ABS32: u32 = 3;
/// `R_BPF_64_NODYLD32`: 32-bit relocation in `.BTF`/`.BTF.ext`, no dynamic
/// linking.
pub const R_BPF_64_NODYLD32: u32 = 4;
/// `R_BPF_64_32`: call to a function (pc-relative immediate).
pub const R_BPF_64_32: u32 = 10;

/// The name of section `idx`, read with only the checks this one read needs:
/// for messages about objects that [`Elf::parse`] rejected (say, because
/// another section lies outside the file).
pub fn section_name_of(data: &[u8], idx: u32) -> Option<&[u8]> {
    let hdr = check_header(data).ok()?;
    let shdr = |i: u32| {
        let off = usize::try_from(i).ok()?.checked_mul(SHDR_SIZE)?;
        let off = usize::try_from(hdr.e_shoff).ok()?.checked_add(off)?;
        sub(data, off, SHDR_SIZE)
    };
    let name_off = usize::try_from(u32_at(shdr(idx)?, 0)).ok()?;
    let strtab = shdr(u32::from(hdr.e_shstrndx))?;
    let strtab = sub(
        data,
        usize::try_from(u64_at(strtab, 24)).ok()?,
        usize::try_from(u64_at(strtab, 32)).ok()?,
    )?;
    cstr_at(strtab, name_off).ok()
}

/// Length of a name already found by [`cstr_at`], stored compactly.
fn name_len(name: &[u8]) -> u16 {
    // At most MAX_NAME_LEN (511) bytes.
    u16::try_from(name.len()).unwrap_or(u16::MAX)
}

/// Checks symbol `index` (`s`) and returns its name.
fn check_symbol<'a>(
    strtab: &'a [u8],
    shnum: u16,
    index: u32,
    s: &RawSym,
) -> Result<&'a [u8], Error> {
    let name = usize::try_from(s.name)
        .map_err(|_| CStrError::Bad)
        .and_then(|off| cstr_at(strtab, off))
        .map_err(|e| match e {
            CStrError::TooLong => Error::at_symbol(index, ElfError::SymbolNameTooLong),
            CStrError::Bad => Error::at_symbol(index, ElfError::BadSymbolName { name_off: s.name }),
        })?;
    let shndx_ok =
        s.shndx == SHN_UNDEF || s.shndx == SHN_ABS || s.shndx == SHN_COMMON || s.shndx < shnum;
    if !shndx_ok {
        return Err(Error::at_symbol(
            index,
            ElfError::BadSymbolShndx { shndx: s.shndx },
        ));
    }
    Ok(name)
}

/// A section header, with its name and contents resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Section<'a> {
    /// Index in the section header table.
    pub index: u32,
    /// Name (from the section header string table), without the NUL.
    pub name: &'a [u8],
    /// `sh_type`.
    pub sh_type: u32,
    /// `sh_flags`.
    pub flags: u64,
    /// `sh_offset`: file offset of the contents.
    pub offset: u64,
    /// `sh_size`: size in bytes (for `SHT_NOBITS`, the size in memory).
    pub size: u64,
    /// `sh_link`.
    pub link: u32,
    /// `sh_info`.
    pub info: u32,
    /// `sh_addralign`.
    pub addralign: u64,
    /// `sh_entsize`.
    pub entsize: u64,
    /// The contents; empty for `SHT_NOBITS` and `SHT_NULL`.
    pub data: &'a [u8],
}

/// A symbol of the symbol table, with its name resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Symbol<'a> {
    /// Index in the symbol table.
    pub index: u32,
    /// Name (from the symbol string table), without the NUL.
    pub name: &'a [u8],
    /// `st_name`: offset of the name in the string table (symbols with
    /// equal offsets have equal names).
    pub name_off: u32,
    /// `st_value` (in a relocatable object: offset in its section).
    pub value: u64,
    /// `st_size`.
    pub size: u64,
    /// `st_shndx`: a section index below the section count, or `SHN_UNDEF`,
    /// `SHN_ABS`, `SHN_COMMON`.
    pub shndx: u16,
    /// Binding (`STB_*`), the high nibble of `st_info`.
    pub bind: u8,
    /// Type (`STT_*`), the low nibble of `st_info`.
    pub typ: u8,
    /// Visibility (`STV_*`), the low two bits of `st_other`.
    pub visibility: u8,
}

impl Symbol<'_> {
    /// An undefined global or weak symbol with no type: an extern (libbpf's
    /// `sym_is_extern`).
    pub fn is_extern(&self) -> bool {
        self.shndx == SHN_UNDEF
            && (self.bind == STB_GLOBAL || self.bind == STB_WEAK)
            && self.typ == STT_NOTYPE
    }
}

/// One `Elf64_Rel` relocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rel {
    /// `r_offset`: byte offset in the target section (below its size).
    pub offset: u64,
    /// Symbol index (below the symbol count).
    pub sym: u32,
    /// Relocation type (`R_BPF_*`).
    pub typ: u32,
}

/// A raw section header.
struct Shdr {
    name: u32,
    sh_type: u32,
    flags: u64,
    offset: u64,
    size: u64,
    link: u32,
    info: u32,
    addralign: u64,
    entsize: u64,
}

impl Shdr {
    fn read(b: &[u8]) -> Option<Shdr> {
        let mut c = Cursor::new(b);
        let name = c.u32()?;
        let sh_type = c.u32()?;
        let flags = c.u64()?;
        let _addr = c.u64()?;
        Some(Shdr {
            name,
            sh_type,
            flags,
            offset: c.u64()?,
            size: c.u64()?,
            link: c.u32()?,
            info: c.u32()?,
            addralign: c.u64()?,
            entsize: c.u64()?,
        })
    }

    /// Whether the section occupies bytes of the file.
    fn has_file_data(&self) -> bool {
        self.sh_type != SHT_NOBITS && self.sh_type != SHT_NULL
    }
}

/// A raw symbol.
struct RawSym {
    name: u32,
    info: u8,
    other: u8,
    shndx: u16,
    value: u64,
    size: u64,
}

impl RawSym {
    fn read(b: &[u8]) -> Option<RawSym> {
        let mut c = Cursor::new(b);
        Some(RawSym {
            name: c.u32()?,
            info: c.u8()?,
            other: c.u8()?,
            shndx: c.u16()?,
            value: c.u64()?,
            size: c.u64()?,
        })
    }
}

/// A strictly checked view of a BPF ELF relocatable object.
///
/// [`Elf::parse`] checks everything structural once (section table, section
/// bounds and overlap, string tables, the symbol table, every symbol's name
/// and section index, every `SHT_REL` section's shape), so the accessors only
/// fail on an out-of-range index from the caller. Names are found once, at
/// parse time (their lengths are kept), so every accessor is O(1), and
/// [`Elf::section_by_name`] is a binary search.
pub struct Elf<'a> {
    data: &'a [u8],
    header: Header,
    shdrs: &'a [u8],
    shstrtab: &'a [u8],
    symtab_index: u32,
    syms: &'a [u8],
    strtab: &'a [u8],
    /// Name length of each section.
    sec_name_len: KVVec<u16>,
    /// Name length of each symbol.
    sym_name_len: KVVec<u16>,
    /// Section indices sorted by name, then index.
    by_name: KVVec<u32>,
}

impl core::fmt::Debug for Elf<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Elf")
            .field("sections", &self.section_count())
            .field("symbols", &self.symbol_count())
            .finish()
    }
}

/// Checks that section `idx` is a usable string table and returns it.
fn strtab_of<'a>(data: &'a [u8], shdrs: &[u8], idx: u32) -> Result<&'a [u8], Error> {
    let sh = shdr_at(shdrs, idx).ok_or(Error::new(ElfError::BadSectionIndex { index: idx }))?;
    if sh.sh_type != SHT_STRTAB {
        return Err(Error::at_section(idx, ElfError::BadStrtab));
    }
    let tab = section_data(data, &sh, idx)?;
    // Must start with the empty string and end with a NUL, so every
    // in-range offset names a terminated string.
    if tab.first() != Some(&0) || tab.last() != Some(&0) {
        return Err(Error::at_section(idx, ElfError::BadStrtab));
    }
    Ok(tab)
}

fn shdr_at(shdrs: &[u8], idx: u32) -> Option<Shdr> {
    let off = usize::try_from(idx).ok()?.checked_mul(SHDR_SIZE)?;
    Shdr::read(sub(shdrs, off, SHDR_SIZE)?)
}

fn section_data<'a>(data: &'a [u8], sh: &Shdr, idx: u32) -> Result<&'a [u8], Error> {
    if !sh.has_file_data() {
        return Ok(&[]);
    }
    let bad = Error::at_section(
        idx,
        ElfError::SectionOutOfBounds {
            offset: sh.offset,
            size: sh.size,
        },
    );
    let off = usize::try_from(sh.offset).map_err(|_| bad)?;
    let len = usize::try_from(sh.size).map_err(|_| bad)?;
    sub(data, off, len).ok_or(bad)
}

/// `[start, end)` of a byte range, for the overlap check.
#[derive(Clone, Copy)]
struct Extent {
    start: u64,
    end: u64,
    section: u32,
}

impl<'a> Elf<'a> {
    /// Parses and checks a whole BPF ELF object.
    pub fn parse(data: &'a [u8]) -> Result<Elf<'a>, Error> {
        Self::parse_with(data, &NoCheckpoint)
    }

    /// [`Elf::parse`], calling `cp` as it goes.
    pub fn parse_with(data: &'a [u8], cp: &dyn Checkpoint) -> Result<Elf<'a>, Error> {
        let tick = Ticker::new(cp);
        let header = check_header(data)?;
        if usize::from(header.e_shentsize) != SHDR_SIZE {
            return Err(Error::new(ElfError::BadShentsize {
                shentsize: header.e_shentsize,
            }));
        }
        if header.e_shnum == 0 || header.e_shnum >= SHN_LORESERVE {
            return Err(Error::new(ElfError::BadShnum {
                shnum: header.e_shnum,
            }));
        }
        let shnum = u32::from(header.e_shnum);
        let table_len = usize::from(header.e_shnum)
            .checked_mul(SHDR_SIZE)
            .ok_or(Error::new(ElfError::BadShnum {
                shnum: header.e_shnum,
            }))?;
        let table_bad = Error::new(ElfError::ShdrOutOfBounds {
            shoff: header.e_shoff,
            shnum: header.e_shnum,
        });
        let shoff = usize::try_from(header.e_shoff).map_err(|_| table_bad)?;
        if shoff < EHDR_SIZE {
            return Err(table_bad);
        }
        let shdrs = sub(data, shoff, table_len).ok_or(table_bad)?;
        let table_end = shoff.checked_add(table_len).ok_or(table_bad)?;
        // After the bounds check: a table that is not even in the file is
        // malformed, whatever its count.
        if shnum > MAX_SECTIONS {
            return Err(Error::too_many(Cap::Sections));
        }

        // Section 0 is the all-zero null section (no extended numbering).
        if shdrs
            .get(..SHDR_SIZE)
            .map_or(true, |s| s.iter().any(|&b| b != 0))
        {
            return Err(Error::new(ElfError::BadNullSection));
        }

        // Bounds of every section's contents, then no overlap with the
        // headers or with each other (like the kernel's btf_check_sec_info).
        let mut extents: KVVec<Extent> =
            KVVec::with_capacity(usize::from(header.e_shnum), GFP_INPUT)?;
        let (ehdr_end, tab_start, tab_end) = (
            u64::try_from(EHDR_SIZE).map_err(|_| table_bad)?,
            u64::try_from(shoff).map_err(|_| table_bad)?,
            u64::try_from(table_end).map_err(|_| table_bad)?,
        );
        for idx in 1..shnum {
            tick.tick()?;
            let sh =
                shdr_at(shdrs, idx).ok_or(Error::new(ElfError::BadSectionIndex { index: idx }))?;
            section_data(data, &sh, idx)?;
            if !sh.has_file_data() || sh.size == 0 {
                continue;
            }
            // In bounds of a usize-sized file, so this cannot overflow.
            let end = sh.offset.checked_add(sh.size).ok_or(Error::at_section(
                idx,
                ElfError::SectionOutOfBounds {
                    offset: sh.offset,
                    size: sh.size,
                },
            ))?;
            if sh.offset < ehdr_end || (sh.offset < tab_end && end > tab_start) {
                return Err(Error::at_section(idx, ElfError::SectionOverlapsHeaders));
            }
            extents.push(
                Extent {
                    start: sh.offset,
                    end,
                    section: idx,
                },
                GFP_INPUT,
            )?;
        }
        // The section index makes the key total (sort is not stable).
        sort::sort_by_key(&mut extents, |e| (e.start, e.end, e.section));
        for pair in extents.windows(2) {
            if let [a, b] = pair {
                if a.end > b.start {
                    return Err(Error::at_section(
                        b.section,
                        ElfError::SectionOverlap { other: a.section },
                    ));
                }
            }
        }

        // Section names.
        let shstrndx = header.e_shstrndx;
        if shstrndx == SHN_UNDEF || shstrndx >= header.e_shnum {
            return Err(Error::new(ElfError::BadShstrndx { shstrndx }));
        }
        let shstrtab = strtab_of(data, shdrs, u32::from(shstrndx))?;
        let mut symtab = None;
        let mut sec_name_len = KVVec::with_capacity(usize::from(header.e_shnum), GFP_INPUT)?;
        sec_name_len.push(0, GFP_INPUT)?;
        for idx in 1..shnum {
            tick.tick()?;
            let sh =
                shdr_at(shdrs, idx).ok_or(Error::new(ElfError::BadSectionIndex { index: idx }))?;
            let name = usize::try_from(sh.name)
                .map_err(|_| CStrError::Bad)
                .and_then(|off| cstr_at(shstrtab, off))
                .map_err(|e| match e {
                    CStrError::TooLong => Error::at_section(idx, ElfError::SectionNameTooLong),
                    CStrError::Bad => {
                        Error::at_section(idx, ElfError::BadSectionName { name_off: sh.name })
                    }
                })?;
            sec_name_len.push(name_len(name), GFP_INPUT)?;
            match sh.sh_type {
                SHT_SYMTAB => {
                    if symtab.is_some() {
                        return Err(Error::at_section(idx, ElfError::MultipleSymtab));
                    }
                    symtab = Some((idx, sh));
                }
                SHT_REL => Self::check_rel_section(&sh, idx, shnum)?,
                _ => {}
            }
        }

        // The symbol table and its string table.
        let (symtab_index, sh) = symtab.ok_or(Error::new(ElfError::NoSymtab))?;
        if usize::try_from(sh.entsize).ok() != Some(SYM_SIZE) {
            return Err(Error::at_section(
                symtab_index,
                ElfError::BadEntsize {
                    entsize: sh.entsize,
                },
            ));
        }
        let syms = section_data(data, &sh, symtab_index)?;
        if syms.is_empty() || syms.len() % SYM_SIZE != 0 {
            return Err(Error::at_section(
                symtab_index,
                ElfError::BadSectionSize { size: sh.size },
            ));
        }
        let nsyms = u32::try_from(syms.len() / SYM_SIZE).map_err(|_| {
            Error::at_section(symtab_index, ElfError::BadSectionSize { size: sh.size })
        })?;
        if nsyms > MAX_SYMBOLS {
            return Err(Error::too_many(Cap::Symbols));
        }
        if sh.link == 0 || sh.link >= shnum {
            return Err(Error::at_section(
                symtab_index,
                ElfError::BadLink { link: sh.link },
            ));
        }
        if sh.info > nsyms {
            return Err(Error::at_section(
                symtab_index,
                ElfError::BadInfo { info: sh.info },
            ));
        }
        let strtab = strtab_of(data, shdrs, sh.link)?;

        // Symbol 0 is the all-zero null symbol; every other symbol has an
        // in-range name and a real or special section index.
        if syms
            .get(..SYM_SIZE)
            .map_or(true, |s| s.iter().any(|&b| b != 0))
        {
            return Err(Error::new(ElfError::BadNullSymbol));
        }
        let mut sym_name_len = KVVec::with_capacity(to_usize(nsyms), GFP_INPUT)?;
        sym_name_len.push(0, GFP_INPUT)?;
        for (i, raw) in syms.chunks_exact(SYM_SIZE).enumerate().skip(1) {
            tick.tick()?;
            let index = u32::try_from(i)
                .map_err(|_| Error::new(ElfError::BadSymbolIndex { index: u32::MAX }))?;
            let s = RawSym::read(raw).ok_or(Error::new(ElfError::BadSymbolIndex { index }))?;
            let name = check_symbol(strtab, header.e_shnum, index, &s)?;
            sym_name_len.push(name_len(name), GFP_INPUT)?;
        }

        let mut elf = Elf {
            data,
            header,
            shdrs,
            shstrtab,
            symtab_index,
            syms,
            strtab,
            sec_name_len,
            sym_name_len,
            by_name: KVVec::new(),
        };
        let mut by_name = KVVec::with_capacity(usize::from(header.e_shnum), GFP_INPUT)?;
        for idx in 0..shnum {
            by_name.push(idx, GFP_INPUT)?;
        }
        cp.checkpoint()?;
        sort::sort_by_key(&mut by_name, |&i| (elf.section_name(i), i));
        cp.checkpoint()?;
        elf.by_name = by_name;
        Ok(elf)
    }

    /// The name of section `idx` (empty if out of range).
    fn section_name(&self, idx: u32) -> &'a [u8] {
        let len = self.sec_name_len.get(to_usize(idx)).copied().unwrap_or(0);
        shdr_at(self.shdrs, idx)
            .and_then(|sh| sub(self.shstrtab, to_usize(sh.name), usize::from(len)))
            .unwrap_or(&[])
    }

    fn check_rel_section(sh: &Shdr, idx: u32, shnum: u32) -> Result<(), Error> {
        if usize::try_from(sh.entsize).ok() != Some(REL_SIZE) {
            return Err(Error::at_section(
                idx,
                ElfError::BadEntsize {
                    entsize: sh.entsize,
                },
            ));
        }
        let rel_size = u64::try_from(REL_SIZE)
            .map_err(|_| Error::at_section(idx, ElfError::BadSectionSize { size: sh.size }))?;
        if sh.size.checked_rem(rel_size) != Some(0) {
            return Err(Error::at_section(
                idx,
                ElfError::BadSectionSize { size: sh.size },
            ));
        }
        if sh.info == 0 || sh.info >= shnum || sh.info == idx {
            return Err(Error::at_section(idx, ElfError::BadInfo { info: sh.info }));
        }
        // sh_link must name the one symbol table; checked against it in
        // [`Elf::rels`] (the symbol table may come later).
        if sh.link == 0 || sh.link >= shnum {
            return Err(Error::at_section(idx, ElfError::BadLink { link: sh.link }));
        }
        Ok(())
    }

    /// The whole object.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// The ELF header.
    pub fn header(&self) -> Header {
        self.header
    }

    /// Number of section headers, including the null section 0.
    pub fn section_count(&self) -> u32 {
        u32::from(self.header.e_shnum)
    }

    /// Section `idx` (0 is the null section).
    pub fn section(&self, idx: u32) -> Result<Section<'a>, Error> {
        let bad = Error::new(ElfError::BadSectionIndex { index: idx });
        if idx >= self.section_count() {
            return Err(bad);
        }
        let sh = shdr_at(self.shdrs, idx).ok_or(bad)?;
        let len = *self.sec_name_len.get(to_usize(idx)).ok_or(bad)?;
        let name = sub(self.shstrtab, to_usize(sh.name), usize::from(len)).ok_or(
            Error::at_section(idx, ElfError::BadSectionName { name_off: sh.name }),
        )?;
        let data = section_data(self.data, &sh, idx)?;
        Ok(Section {
            index: idx,
            name,
            sh_type: sh.sh_type,
            flags: sh.flags,
            offset: sh.offset,
            size: sh.size,
            link: sh.link,
            info: sh.info,
            addralign: sh.addralign,
            entsize: sh.entsize,
            data,
        })
    }

    /// All sections in index order, starting with the null section 0.
    pub fn sections(&self) -> Sections<'_, 'a> {
        Sections { elf: self, next: 0 }
    }

    /// The first section called `name` (a binary search).
    pub fn section_by_name(&self, name: &[u8]) -> Option<Section<'a>> {
        let i = self
            .by_name
            .partition_point(|&i| self.section_name(i) < name);
        let idx = *self.by_name.get(i)?;
        if self.section_name(idx) != name {
            return None;
        }
        self.section(idx).ok()
    }

    /// Index of the symbol table section.
    pub fn symtab_index(&self) -> u32 {
        self.symtab_index
    }

    /// Number of symbols, including the null symbol 0.
    pub fn symbol_count(&self) -> u32 {
        // Checked to fit in parse().
        u32::try_from(self.syms.len() / SYM_SIZE).unwrap_or(0)
    }

    /// Symbol `idx` (0 is the null symbol).
    pub fn symbol(&self, idx: u32) -> Result<Symbol<'a>, Error> {
        let bad = Error::new(ElfError::BadSymbolIndex { index: idx });
        let off = usize::try_from(idx)
            .ok()
            .and_then(|i| i.checked_mul(SYM_SIZE))
            .ok_or(bad)?;
        let s = sub(self.syms, off, SYM_SIZE)
            .and_then(RawSym::read)
            .ok_or(bad)?;
        let len = *self.sym_name_len.get(to_usize(idx)).ok_or(bad)?;
        let name = sub(self.strtab, to_usize(s.name), usize::from(len)).ok_or(Error::at_symbol(
            idx,
            ElfError::BadSymbolName { name_off: s.name },
        ))?;
        Ok(Symbol {
            index: idx,
            name,
            name_off: s.name,
            value: s.value,
            size: s.size,
            shndx: s.shndx,
            bind: s.info.checked_shr(4).unwrap_or(0),
            typ: s.info & 0xf,
            visibility: s.other & 0x3,
        })
    }

    /// All symbols in index order, starting with the null symbol 0.
    pub fn symbols(&self) -> Symbols<'_, 'a> {
        Symbols { elf: self, next: 0 }
    }

    /// The relocations of the `SHT_REL` section `sec` (`SHT_RELA` is
    /// rejected). Each item is checked: symbol index in range, offset inside
    /// the target section `sec.info`.
    pub fn rels(&self, sec: &Section<'a>) -> Result<RelIter<'a>, Error> {
        if sec.sh_type == SHT_RELA {
            return Err(Error::at_section(sec.index, ElfError::RelaUnsupported));
        }
        if sec.sh_type != SHT_REL {
            return Err(Error::at_section(
                sec.index,
                ElfError::NotRelSection {
                    sh_type: sec.sh_type,
                },
            ));
        }
        // Re-read our own header: `sec` may have been built by the caller.
        let own = self.section(sec.index)?;
        if own.sh_type != SHT_REL {
            return Err(Error::at_section(
                sec.index,
                ElfError::NotRelSection {
                    sh_type: own.sh_type,
                },
            ));
        }
        if own.link != self.symtab_index {
            return Err(Error::at_section(
                own.index,
                ElfError::BadLink { link: own.link },
            ));
        }
        let target = self.section(own.info)?;
        if own.data.len() % REL_SIZE != 0 {
            return Err(Error::at_section(
                own.index,
                ElfError::BadSectionSize { size: own.size },
            ));
        }
        Ok(RelIter {
            chunks: own.data.chunks_exact(REL_SIZE),
            section: own.index,
            target_size: target.size,
            nsyms: self.symbol_count(),
            next: 0,
        })
    }
}

/// Iterator over an object's sections, see [`Elf::sections`].
#[derive(Clone, Debug)]
pub struct Sections<'e, 'a> {
    elf: &'e Elf<'a>,
    next: u32,
}

impl<'a> Iterator for Sections<'_, 'a> {
    type Item = Section<'a>;

    fn next(&mut self) -> Option<Section<'a>> {
        // Every header was checked by parse(), so this only ends at the end.
        let s = self.elf.section(self.next).ok()?;
        self.next = self.next.checked_add(1)?;
        Some(s)
    }
}

/// Iterator over an object's symbols, see [`Elf::symbols`].
#[derive(Clone, Debug)]
pub struct Symbols<'e, 'a> {
    elf: &'e Elf<'a>,
    next: u32,
}

impl<'a> Iterator for Symbols<'_, 'a> {
    type Item = Symbol<'a>;

    fn next(&mut self) -> Option<Symbol<'a>> {
        // Every symbol was checked by parse(), so this only ends at the end.
        let s = self.elf.symbol(self.next).ok()?;
        self.next = self.next.checked_add(1)?;
        Some(s)
    }
}

/// Iterator over the relocations of one `SHT_REL` section, see [`Elf::rels`].
#[derive(Clone, Debug)]
pub struct RelIter<'a> {
    chunks: core::slice::ChunksExact<'a, u8>,
    section: u32,
    target_size: u64,
    nsyms: u32,
    next: u32,
}

impl RelIter<'_> {
    /// Number of relocations not yet returned.
    pub fn remaining(&self) -> usize {
        self.chunks.len()
    }
}

impl Iterator for RelIter<'_> {
    type Item = Result<Rel, Error>;

    fn next(&mut self) -> Option<Result<Rel, Error>> {
        let raw = self.chunks.next()?;
        let rel = self.next;
        self.next = self.next.saturating_add(1);
        let mut c = Cursor::new(raw);
        let (Some(offset), Some(info)) = (c.u64(), c.u64()) else {
            return Some(Err(Error::at_section(
                self.section,
                ElfError::BadSectionSize { size: 0 },
            )));
        };
        let sym = u32::try_from(info.checked_shr(32).unwrap_or(0)).unwrap_or(u32::MAX);
        let typ = u32::try_from(info & 0xffff_ffff).unwrap_or(u32::MAX);
        if sym >= self.nsyms {
            return Some(Err(Error::at_rel(
                self.section,
                rel,
                ElfError::RelBadSymbol { sym },
            )));
        }
        if offset >= self.target_size {
            return Some(Err(Error::at_rel(
                self.section,
                rel,
                ElfError::RelBadOffset { offset },
            )));
        }
        Some(Ok(Rel { offset, sym, typ }))
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation
)]
mod tests {
    use super::*;

    extern crate std;
    use std::vec::Vec;

    fn minimal() -> [u8; 64] {
        let mut h = [0u8; 64];
        h[..4].copy_from_slice(b"\x7fELF");
        h[4] = ELFCLASS64;
        h[5] = ELFDATA_HOST;
        h[6] = 1;
        h[16..18].copy_from_slice(&ET_REL.to_ne_bytes());
        h[18..20].copy_from_slice(&EM_BPF.to_ne_bytes());
        h[20..24].copy_from_slice(&1u32.to_ne_bytes());
        h[52..54].copy_from_slice(&64u16.to_ne_bytes());
        h
    }

    #[test]
    fn accepts_minimal_bpf_header() {
        let h = check_header(&minimal()).unwrap();
        assert_eq!(h.e_machine, EM_BPF);
    }

    #[test]
    fn rejects_each_identity_field() {
        assert_eq!(
            check_header(&[0; 10]),
            Err(Error::new(ElfError::TooShort { len: 10 }))
        );
        let mut h = minimal();
        h[0] = 0;
        assert_eq!(check_header(&h), Err(Error::new(ElfError::BadMagic)));
        let mut h = minimal();
        h[4] = 1;
        assert_eq!(
            check_header(&h),
            Err(Error::new(ElfError::BadClass { class: 1 }))
        );
        let mut h = minimal();
        h[5] = 2;
        assert_eq!(
            check_header(&h),
            Err(Error::new(ElfError::BadEndian { data: 2 }))
        );
        let mut h = minimal();
        h[16] = 2;
        assert_eq!(
            check_header(&h),
            Err(Error::new(ElfError::NotRel { e_type: 2 }))
        );
        let mut h = minimal();
        h[18..20].copy_from_slice(&62u16.to_ne_bytes());
        assert_eq!(
            check_header(&h),
            Err(Error::new(ElfError::NotBpf { machine: 62 }))
        );
    }

    // --- Hand-built objects for Elf::parse. ---

    /// One section of a hand-built object (data placed by [`build`]).
    struct Sec {
        name: &'static [u8],
        ty: u32,
        flags: u64,
        data: Vec<u8>,
        nobits_size: u64,
        link: u32,
        info: u32,
        entsize: u64,
    }

    fn sec(name: &'static [u8], ty: u32, data: Vec<u8>) -> Sec {
        Sec {
            name,
            ty,
            flags: 0,
            data,
            nobits_size: 0,
            link: 0,
            info: 0,
            entsize: 0,
        }
    }

    fn sym(name: u32, info: u8, shndx: u16, value: u64, size: u64) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(&name.to_ne_bytes());
        v.push(info);
        v.push(0);
        v.extend_from_slice(&shndx.to_ne_bytes());
        v.extend_from_slice(&value.to_ne_bytes());
        v.extend_from_slice(&size.to_ne_bytes());
        v
    }

    fn rel(offset: u64, sym: u32, typ: u32) -> Vec<u8> {
        let mut v = offset.to_ne_bytes().to_vec();
        v.extend_from_slice(&((u64::from(sym) << 32) | u64::from(typ)).to_ne_bytes());
        v
    }

    /// Lays out header, section contents (8-aligned) and the section header
    /// table; a `.shstrtab` is appended as the last section.
    fn build(secs: &[Sec]) -> Vec<u8> {
        let mut shstr = std::vec![0u8];
        let mut names = Vec::new();
        for s in secs.iter().map(|s| s.name).chain([b".shstrtab".as_slice()]) {
            names.push(shstr.len() as u32);
            shstr.extend_from_slice(s);
            shstr.push(0);
        }
        let mut out = tests_header().to_vec();
        let mut hdrs = std::vec![[0u8; 64]];
        let shsec = sec(b".shstrtab", SHT_STRTAB, shstr);
        for (i, s) in secs.iter().chain([&shsec]).enumerate() {
            while out.len() % 8 != 0 {
                out.push(0);
            }
            let mut h = [0u8; 64];
            h[0..4].copy_from_slice(&names[i].to_ne_bytes());
            h[4..8].copy_from_slice(&s.ty.to_ne_bytes());
            h[8..16].copy_from_slice(&s.flags.to_ne_bytes());
            h[24..32].copy_from_slice(&(out.len() as u64).to_ne_bytes());
            let size = if s.ty == SHT_NOBITS {
                s.nobits_size
            } else {
                s.data.len() as u64
            };
            h[32..40].copy_from_slice(&size.to_ne_bytes());
            h[40..44].copy_from_slice(&s.link.to_ne_bytes());
            h[44..48].copy_from_slice(&s.info.to_ne_bytes());
            h[48..56].copy_from_slice(&8u64.to_ne_bytes());
            h[56..64].copy_from_slice(&s.entsize.to_ne_bytes());
            if s.ty != SHT_NOBITS {
                out.extend_from_slice(&s.data);
            }
            hdrs.push(h);
        }
        while out.len() % 8 != 0 {
            out.push(0);
        }
        let shoff = out.len() as u64;
        for h in &hdrs {
            out.extend_from_slice(h);
        }
        out[40..48].copy_from_slice(&shoff.to_ne_bytes());
        out[58..60].copy_from_slice(&64u16.to_ne_bytes());
        out[60..62].copy_from_slice(&(hdrs.len() as u16).to_ne_bytes());
        out[62..64].copy_from_slice(&((hdrs.len() - 1) as u16).to_ne_bytes());
        out
    }

    fn tests_header() -> [u8; 64] {
        minimal()
    }

    const TEXT: u32 = 1;
    const DATA: u32 = 2;
    const BSS: u32 = 3;
    const STRTAB: u32 = 4;
    const SYMTAB: u32 = 5;
    const RELTEXT: u32 = 6;
    const SHSTRTAB: u32 = 7;

    /// A small valid object: a program, data, bss, symbols and one
    /// relocation.
    fn object() -> Vec<u8> {
        let mut text = sec(b"prog", SHT_PROGBITS, std::vec![0u8; 32]);
        text.flags = SHF_ALLOC | SHF_EXECINSTR;
        let mut data = sec(b".data", SHT_PROGBITS, std::vec![1u8; 8]);
        data.flags = SHF_ALLOC | SHF_WRITE;
        let mut bss = sec(b".bss", SHT_NOBITS, Vec::new());
        bss.nobits_size = 4096;
        let strtab = sec(b".strtab", SHT_STRTAB, b"\0prog\0var\0".to_vec());
        let mut syms = std::vec![0u8; 24];
        syms.extend(sym(0, STT_SECTION, TEXT as u16, 0, 0));
        syms.extend(sym(1, (STB_GLOBAL << 4) | STT_FUNC, TEXT as u16, 0, 32));
        syms.extend(sym(6, (STB_GLOBAL << 4) | STT_OBJECT, DATA as u16, 0, 8));
        syms.extend(sym(6, (STB_WEAK << 4) | STT_NOTYPE, SHN_UNDEF, 0, 0));
        let mut symtab = sec(b".symtab", SHT_SYMTAB, syms);
        symtab.link = STRTAB;
        symtab.info = 2;
        symtab.entsize = 24;
        let mut rels = rel(0, 3, R_BPF_64_64);
        rels.extend(rel(16, 1, R_BPF_64_64));
        let mut reltext = sec(b".relprog", SHT_REL, rels);
        reltext.link = SYMTAB;
        reltext.info = TEXT;
        reltext.entsize = 16;
        build(&[text, data, bss, strtab, symtab, reltext])
    }

    fn shoff(o: &[u8]) -> usize {
        u64::from_ne_bytes(o[40..48].try_into().unwrap()) as usize
    }

    /// Byte offset of field `field` of section header `idx`.
    fn sh(o: &[u8], idx: u32, field: usize) -> usize {
        shoff(o) + idx as usize * 64 + field
    }

    const SH_NAME: usize = 0;
    const SH_TYPE: usize = 4;
    const SH_OFFSET: usize = 24;
    const SH_SIZE: usize = 32;
    const SH_LINK: usize = 40;
    const SH_INFO: usize = 44;
    const SH_ENTSIZE: usize = 56;

    fn put16(o: &mut [u8], at: usize, v: u16) {
        o[at..at + 2].copy_from_slice(&v.to_ne_bytes());
    }

    fn put32(o: &mut [u8], at: usize, v: u32) {
        o[at..at + 4].copy_from_slice(&v.to_ne_bytes());
    }

    fn put64(o: &mut [u8], at: usize, v: u64) {
        o[at..at + 8].copy_from_slice(&v.to_ne_bytes());
    }

    fn get64(o: &[u8], at: usize) -> u64 {
        u64::from_ne_bytes(o[at..at + 8].try_into().unwrap())
    }

    /// Offset of symbol `idx` in the file.
    fn sym_at(o: &[u8], idx: usize) -> usize {
        get64(o, sh(o, SYMTAB, SH_OFFSET)) as usize + idx * 24
    }

    /// Applies `f` to a fresh object and parses it.
    fn parse_with(f: impl FnOnce(&mut Vec<u8>)) -> Result<(), Error> {
        let mut o = object();
        f(&mut o);
        Elf::parse(&o).map(|_| ())
    }

    #[test]
    fn parses_hand_built_object() {
        let o = object();
        let e = Elf::parse(&o).unwrap();
        assert_eq!(e.section_count(), 8);
        assert_eq!(e.sections().count(), 8);
        assert_eq!(e.symtab_index(), SYMTAB);
        let t = e.section(TEXT).unwrap();
        assert_eq!(t.name, b"prog");
        assert_eq!(t.flags, SHF_ALLOC | SHF_EXECINSTR);
        assert_eq!(t.data.len(), 32);
        let b = e.section_by_name(b".bss").unwrap();
        assert_eq!((b.index, b.size, b.data.len()), (BSS, 4096, 0));
        assert_eq!(e.section(0).unwrap().sh_type, SHT_NULL);
        assert!(e.section_by_name(b"nope").is_none());
        assert_eq!(e.symbol_count(), 5);
        let s = e.symbol(2).unwrap();
        assert_eq!(
            (s.name, s.bind, s.typ, s.shndx, s.size),
            (b"prog".as_slice(), STB_GLOBAL, STT_FUNC, TEXT as u16, 32)
        );
        let w = e.symbol(4).unwrap();
        assert_eq!(
            (w.name, w.bind, w.shndx),
            (b"var".as_slice(), STB_WEAK, SHN_UNDEF)
        );
        assert_eq!(e.symbols().count(), 5);
        let r = e.section(RELTEXT).unwrap();
        let rels: Vec<_> = e.rels(&r).unwrap().map(|r| r.unwrap()).collect();
        assert_eq!(
            rels,
            [
                Rel {
                    offset: 0,
                    sym: 3,
                    typ: R_BPF_64_64
                },
                Rel {
                    offset: 16,
                    sym: 1,
                    typ: R_BPF_64_64
                }
            ]
        );
        assert_eq!(e.section(SHSTRTAB).unwrap().name, b".shstrtab");
    }

    #[test]
    fn rejects_bad_section_table() {
        let shentsize = |o: &mut Vec<u8>| put16(o, 58, 40);
        assert_eq!(
            parse_with(shentsize),
            Err(Error::new(ElfError::BadShentsize { shentsize: 40 }))
        );
        assert_eq!(
            parse_with(|o| put16(o, 60, 0)),
            Err(Error::new(ElfError::BadShnum { shnum: 0 }))
        );
        assert_eq!(
            parse_with(|o| put16(o, 60, 0xff00)),
            Err(Error::new(ElfError::BadShnum { shnum: 0xff00 }))
        );
        // Table beyond the end, inside the ELF header, or truncated.
        let o = object();
        let len = o.len() as u64;
        assert_eq!(
            parse_with(|o| put64(o, 40, len)),
            Err(Error::new(ElfError::ShdrOutOfBounds {
                shoff: len,
                shnum: 8
            }))
        );
        assert_eq!(
            parse_with(|o| put64(o, 40, 8)),
            Err(Error::new(ElfError::ShdrOutOfBounds { shoff: 8, shnum: 8 }))
        );
        assert_eq!(
            parse_with(|o| put64(o, 40, u64::MAX)),
            Err(Error::new(ElfError::ShdrOutOfBounds {
                shoff: u64::MAX,
                shnum: 8
            }))
        );
        assert_eq!(
            parse_with(|o| {
                let at = sh(o, 0, SH_SIZE);
                o[at] = 1;
            }),
            Err(Error::new(ElfError::BadNullSection))
        );
        // e_shstrndx.
        assert_eq!(
            parse_with(|o| put16(o, 62, 0)),
            Err(Error::new(ElfError::BadShstrndx { shstrndx: 0 }))
        );
        assert_eq!(
            parse_with(|o| put16(o, 62, 8)),
            Err(Error::new(ElfError::BadShstrndx { shstrndx: 8 }))
        );
        assert_eq!(
            parse_with(|o| put16(o, 62, DATA as u16)),
            Err(Error::at_section(DATA, ElfError::BadStrtab))
        );
    }

    #[test]
    fn rejects_bad_section_contents() {
        let o = object();
        let len = o.len() as u64;
        assert_eq!(
            parse_with(|o| {
                let at = sh(o, DATA, SH_OFFSET);
                put64(o, at, len);
            }),
            Err(Error::at_section(
                DATA,
                ElfError::SectionOutOfBounds {
                    offset: len,
                    size: 8
                }
            ))
        );
        assert_eq!(
            parse_with(|o| {
                let at = sh(o, DATA, SH_SIZE);
                put64(o, at, u64::MAX);
            }),
            Err(Error::at_section(
                DATA,
                ElfError::SectionOutOfBounds {
                    offset: get64(&object(), sh(&object(), DATA, SH_OFFSET)),
                    size: u64::MAX
                }
            ))
        );
        // Over the ELF header or the section header table.
        assert_eq!(
            parse_with(|o| {
                let at = sh(o, DATA, SH_OFFSET);
                put64(o, at, 0);
            }),
            Err(Error::at_section(DATA, ElfError::SectionOverlapsHeaders))
        );
        let table = shoff(&o) as u64;
        assert_eq!(
            parse_with(|o| {
                let at = sh(o, DATA, SH_OFFSET);
                put64(o, at, table + 4);
            }),
            Err(Error::at_section(DATA, ElfError::SectionOverlapsHeaders))
        );
        // Two sections sharing bytes.
        let text_off = get64(&o, sh(&o, TEXT, SH_OFFSET));
        assert_eq!(
            parse_with(|o| {
                let at = sh(o, DATA, SH_OFFSET);
                put64(o, at, text_off + 8);
            }),
            Err(Error::at_section(
                DATA,
                ElfError::SectionOverlap { other: TEXT }
            ))
        );
        // NOBITS and empty sections may sit anywhere.
        let mut ok = object();
        let at = sh(&ok, BSS, SH_OFFSET);
        put64(&mut ok, at, text_off);
        let at = sh(&ok, BSS, SH_SIZE);
        put64(&mut ok, at, u64::MAX);
        Elf::parse(&ok).unwrap();
        // Names.
        assert_eq!(
            parse_with(|o| {
                let at = sh(o, DATA, SH_NAME);
                put32(o, at, 10_000);
            }),
            Err(Error::at_section(
                DATA,
                ElfError::BadSectionName { name_off: 10_000 }
            ))
        );
        // A string table not ending in NUL.
        assert_eq!(
            parse_with(|o| {
                let at = get64(o, sh(o, STRTAB, SH_OFFSET)) as usize + 9;
                o[at] = b'x';
            }),
            Err(Error::at_section(STRTAB, ElfError::BadStrtab))
        );
        let at = get64(&o, sh(&o, SHSTRTAB, SH_OFFSET)) as usize;
        assert_eq!(
            parse_with(|o| o[at] = b'x'),
            Err(Error::at_section(SHSTRTAB, ElfError::BadStrtab))
        );
    }

    #[test]
    fn rejects_bad_symbol_table() {
        assert_eq!(
            parse_with(|o| {
                let at = sh(o, SYMTAB, SH_TYPE);
                put32(o, at, SHT_PROGBITS);
            }),
            Err(Error::new(ElfError::NoSymtab))
        );
        assert_eq!(
            parse_with(|o| {
                let at = sh(o, DATA, SH_TYPE);
                put32(o, at, SHT_SYMTAB);
            }),
            Err(Error::at_section(SYMTAB, ElfError::MultipleSymtab))
        );
        assert_eq!(
            parse_with(|o| {
                let at = sh(o, SYMTAB, SH_ENTSIZE);
                put64(o, at, 16);
            }),
            Err(Error::at_section(
                SYMTAB,
                ElfError::BadEntsize { entsize: 16 }
            ))
        );
        assert_eq!(
            parse_with(|o| {
                let at = sh(o, SYMTAB, SH_SIZE);
                put64(o, at, 47);
            }),
            Err(Error::at_section(
                SYMTAB,
                ElfError::BadSectionSize { size: 47 }
            ))
        );
        assert_eq!(
            parse_with(|o| {
                let at = sh(o, SYMTAB, SH_SIZE);
                put64(o, at, 0);
            }),
            Err(Error::at_section(
                SYMTAB,
                ElfError::BadSectionSize { size: 0 }
            ))
        );
        for link in [0, 99] {
            assert_eq!(
                parse_with(|o| {
                    let at = sh(o, SYMTAB, SH_LINK);
                    put32(o, at, link);
                }),
                Err(Error::at_section(SYMTAB, ElfError::BadLink { link }))
            );
        }
        assert_eq!(
            parse_with(|o| {
                let at = sh(o, SYMTAB, SH_LINK);
                put32(o, at, DATA);
            }),
            Err(Error::at_section(DATA, ElfError::BadStrtab))
        );
        assert_eq!(
            parse_with(|o| {
                let at = sh(o, SYMTAB, SH_INFO);
                put32(o, at, 6);
            }),
            Err(Error::at_section(SYMTAB, ElfError::BadInfo { info: 6 }))
        );
        assert_eq!(
            parse_with(|o| {
                let at = sym_at(o, 0) + 8;
                o[at] = 1;
            }),
            Err(Error::new(ElfError::BadNullSymbol))
        );
        assert_eq!(
            parse_with(|o| {
                let at = sym_at(o, 3);
                put32(o, at, 10);
            }),
            Err(Error::at_symbol(
                3,
                ElfError::BadSymbolName { name_off: 10 }
            ))
        );
        for shndx in [8, 0xff00, SHN_XINDEX] {
            assert_eq!(
                parse_with(|o| {
                    let at = sym_at(o, 2) + 6;
                    put16(o, at, shndx);
                }),
                Err(Error::at_symbol(2, ElfError::BadSymbolShndx { shndx }))
            );
        }
        for shndx in [SHN_ABS, SHN_COMMON] {
            parse_with(|o| {
                let at = sym_at(o, 2) + 6;
                put16(o, at, shndx);
            })
            .unwrap();
        }
    }

    #[test]
    fn rejects_bad_relocations() {
        assert_eq!(
            parse_with(|o| {
                let at = sh(o, RELTEXT, SH_ENTSIZE);
                put64(o, at, 24);
            }),
            Err(Error::at_section(
                RELTEXT,
                ElfError::BadEntsize { entsize: 24 }
            ))
        );
        assert_eq!(
            parse_with(|o| {
                let at = sh(o, RELTEXT, SH_SIZE);
                put64(o, at, 24);
            }),
            Err(Error::at_section(
                RELTEXT,
                ElfError::BadSectionSize { size: 24 }
            ))
        );
        for info in [0, RELTEXT, 8] {
            assert_eq!(
                parse_with(|o| {
                    let at = sh(o, RELTEXT, SH_INFO);
                    put32(o, at, info);
                }),
                Err(Error::at_section(RELTEXT, ElfError::BadInfo { info }))
            );
        }
        assert_eq!(
            parse_with(|o| {
                let at = sh(o, RELTEXT, SH_LINK);
                put32(o, at, 0);
            }),
            Err(Error::at_section(RELTEXT, ElfError::BadLink { link: 0 }))
        );

        let rels_of = |f: &dyn Fn(&mut Vec<u8>)| -> Result<Vec<Rel>, Error> {
            let mut o = object();
            f(&mut o);
            let e = Elf::parse(&o)?;
            let r = e.section(RELTEXT)?;
            e.rels(&r)?.collect()
        };
        // sh_link naming something other than the symbol table.
        assert_eq!(
            rels_of(&|o| {
                let at = sh(o, RELTEXT, SH_LINK);
                put32(o, at, STRTAB);
            }),
            Err(Error::at_section(
                RELTEXT,
                ElfError::BadLink { link: STRTAB }
            ))
        );
        assert_eq!(
            rels_of(&|o| {
                let at = sh(o, RELTEXT, SH_TYPE);
                put32(o, at, SHT_RELA);
            }),
            Err(Error::at_section(RELTEXT, ElfError::RelaUnsupported))
        );
        let rel_at = |o: &[u8], i: usize| get64(o, sh(o, RELTEXT, SH_OFFSET)) as usize + i * 16;
        assert_eq!(
            rels_of(&|o| {
                let at = rel_at(o, 1) + 8;
                put64(o, at, (5u64 << 32) | 1);
            }),
            Err(Error::at_rel(RELTEXT, 1, ElfError::RelBadSymbol { sym: 5 }))
        );
        assert_eq!(
            rels_of(&|o| {
                let at = rel_at(o, 0);
                put64(o, at, 32);
            }),
            Err(Error::at_rel(
                RELTEXT,
                0,
                ElfError::RelBadOffset { offset: 32 }
            ))
        );
        // Asking for relocations of a non-REL section.
        let o = object();
        let e = Elf::parse(&o).unwrap();
        let t = e.section(TEXT).unwrap();
        assert_eq!(
            e.rels(&t).err(),
            Some(Error::at_section(
                TEXT,
                ElfError::NotRelSection {
                    sh_type: SHT_PROGBITS
                }
            ))
        );
        // A caller-made Section claiming to be REL is re-checked.
        let fake = Section {
            sh_type: SHT_REL,
            ..t
        };
        assert_eq!(
            e.rels(&fake).err(),
            Some(Error::at_section(
                TEXT,
                ElfError::NotRelSection {
                    sh_type: SHT_PROGBITS
                }
            ))
        );
    }

    #[test]
    fn rejects_out_of_range_lookups() {
        let o = object();
        let e = Elf::parse(&o).unwrap();
        assert_eq!(
            e.section(8),
            Err(Error::new(ElfError::BadSectionIndex { index: 8 }))
        );
        assert_eq!(
            e.section(u32::MAX),
            Err(Error::new(ElfError::BadSectionIndex { index: u32::MAX }))
        );
        assert_eq!(
            e.symbol(5),
            Err(Error::new(ElfError::BadSymbolIndex { index: 5 }))
        );
        assert_eq!(
            e.symbol(u32::MAX),
            Err(Error::new(ElfError::BadSymbolIndex { index: u32::MAX }))
        );
    }

    #[test]
    fn every_truncation_is_rejected() {
        let o = object();
        for len in 0..o.len() {
            assert!(Elf::parse(&o[..len]).is_err(), "prefix {len}");
        }
        // Trailing bytes after the section header table are harmless.
        let mut longer = o.clone();
        longer.extend_from_slice(&[0; 16]);
        Elf::parse(&longer).unwrap();
    }
}
