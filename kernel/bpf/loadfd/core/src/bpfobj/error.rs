// SPDX-License-Identifier: GPL-2.0

//! The core's error type: `Copy`, no allocation. An [`Error`] is a kind,
//! grouped by area ([`ErrorKind::Elf`], [`ErrorKind::Btf`], ...), and a
//! [`Location`]: the section, symbol, relocation, BTF type or extern the
//! problem is at. The glue lowers [`Error::class`] to an errno at the syscall
//! edge and writes the [`Display`](core::fmt::Display) form, one line, to the
//! caller's log: `<area>: <location><what>`.
//!
//! This module is a leaf that the area modules import, so the area enums
//! live here rather than next to their areas.

use core::fmt;

use crate::bpfobj::limits::{
    Cap, MAX_KCONFIG_SIZE, MAX_MAP_NAME_LEN, MAX_NAME_LEN, MAX_PROG_NAME_LEN,
};

/// What kind of failure an [`Error`] is; each class lowers to one errno.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorClass {
    /// The input is malformed (EINVAL).
    Malformed,
    /// The input is not a BPF ELF relocatable object at all (ENOEXEC).
    NotBpfObject,
    /// A size or count is beyond a cap (E2BIG).
    TooBig,
    /// Valid, but a feature this loader does not support (EOPNOTSUPP).
    Unsupported,
    /// Something the object needs does not exist (ENOENT).
    NotFound,
    /// Out of memory (ENOMEM).
    NoMem,
    /// The caller may not see what the object asks for (EPERM).
    Denied,
    /// The caller got a fatal signal while the core worked (EINTR).
    Interrupted,
}

impl ErrorClass {
    /// The errno (positive) the syscall returns for this class, in the
    /// numbering of the architectures BPF_LOAD_FD is built for (the
    /// asm-generic one, shared by x86 and arm64; the kernel build asserts it).
    pub fn errno(self) -> i32 {
        match self {
            ErrorClass::Malformed => EINVAL,
            ErrorClass::NotBpfObject => ENOEXEC,
            ErrorClass::TooBig => E2BIG,
            ErrorClass::Unsupported => EOPNOTSUPP,
            ErrorClass::NotFound => ENOENT,
            ErrorClass::NoMem => ENOMEM,
            ErrorClass::Denied => EPERM,
            ErrorClass::Interrupted => EINTR,
        }
    }
}

/// `EPERM`.
pub const EPERM: i32 = 1;
/// `ENOENT`.
pub const ENOENT: i32 = 2;
/// `EINTR`.
pub const EINTR: i32 = 4;
/// `E2BIG`.
pub const E2BIG: i32 = 7;
/// `ENOEXEC`.
pub const ENOEXEC: i32 = 8;
/// `ENOMEM`.
pub const ENOMEM: i32 = 12;
/// `EINVAL`.
pub const EINVAL: i32 = 22;
/// `EOPNOTSUPP`.
pub const EOPNOTSUPP: i32 = 95;

/// A rejection of the object: what is wrong, and where.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Error {
    /// What is wrong.
    pub kind: ErrorKind,
    /// Where it is.
    pub location: Location,
}

impl Error {
    /// Allocation failed.
    pub const NO_MEM: Error = Error {
        kind: ErrorKind::NoMem,
        location: Location::Object,
    };

    /// A [`Checkpoint`](crate::bpfobj::checkpoint::Checkpoint) found the
    /// caller killed.
    pub const INTERRUPTED: Error = Error {
        kind: ErrorKind::Interrupted,
        location: Location::Object,
    };

    /// An error of the object as a whole ([`Location::Object`]).
    pub fn new(kind: impl Into<ErrorKind>) -> Error {
        Error::at(Location::Object, kind)
    }

    /// An error at `location`.
    pub fn at(location: Location, kind: impl Into<ErrorKind>) -> Error {
        Error {
            kind: kind.into(),
            location,
        }
    }

    /// An error at ELF section `section`.
    pub fn at_section(section: u32, kind: impl Into<ErrorKind>) -> Error {
        Error::at(Location::Section(section), kind)
    }

    /// An error at ELF symbol `symbol`.
    pub fn at_symbol(symbol: u32, kind: impl Into<ErrorKind>) -> Error {
        Error::at(Location::Symbol(symbol), kind)
    }

    /// An error at BTF type `type_id`.
    pub fn at_type(type_id: u32, kind: impl Into<ErrorKind>) -> Error {
        Error::at(Location::Type(type_id), kind)
    }

    /// An error at relocation `rel` of ELF relocation section `section`.
    pub fn at_rel(section: u32, rel: u32, kind: impl Into<ErrorKind>) -> Error {
        Error::at(Location::Rel { section, rel }, kind)
    }

    /// An error at extern `ext` (index in `Object::externs`).
    pub fn at_extern(ext: u32, kind: impl Into<ErrorKind>) -> Error {
        Error::at(Location::Extern(ext), kind)
    }

    /// A count or size over `cap`.
    pub fn too_many(cap: Cap) -> Error {
        Error::new(ErrorKind::TooMany { cap })
    }

    /// The ELF section the error is about, if it names one (errors carry
    /// indices only; the glue adds the section's name to the log line).
    pub fn section(&self) -> Option<u32> {
        self.location.section()
    }

    /// The extern (index in `Object::externs`) the error is about, if any.
    pub fn extern_index(&self) -> Option<u32> {
        self.location.extern_index()
    }

    /// Whether a relocation error is the program's own (this program
    /// cannot be loaded, the object is fine) rather than the whole
    /// object's: running out of memory, a fatal signal and the object's
    /// byte budget refuse the object.
    pub fn is_program_local(&self) -> bool {
        !matches!(
            self.kind,
            ErrorKind::NoMem | ErrorKind::Interrupted | ErrorKind::TooMany { .. }
        )
    }

    /// The class (and so the errno) of this error.
    pub fn class(self) -> ErrorClass {
        self.kind.class()
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Self {
        Error::new(kind)
    }
}

impl From<crate::bpfobj::compat::AllocError> for Error {
    fn from(_: crate::bpfobj::compat::AllocError) -> Self {
        Error::NO_MEM
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = self.location;
        match self.kind {
            ErrorKind::NoMem => f.write_str("out of memory"),
            ErrorKind::Interrupted => f.write_str("interrupted by a fatal signal"),
            ErrorKind::TooMany { cap } => write!(f, "limit: {cap}"),
            ErrorKind::Elf(e) => write!(f, "elf: {at}{e}"),
            ErrorKind::Btf(e) => write!(f, "btf: {at}{e}"),
            ErrorKind::BtfExt(e) => write!(f, "btf.ext: {at}{e}"),
            ErrorKind::Insn(e) => write!(f, "insn: {at}{e}"),
            ErrorKind::Object(e) => write!(f, "obj: {at}{e}"),
            ErrorKind::Prog(e) => write!(f, "prog: {at}{e}"),
            ErrorKind::Map(e) => write!(f, "maps: {at}{e}"),
            ErrorKind::Arena(e) => write!(f, "arena: {at}{e}"),
            ErrorKind::StructOps(e) => write!(f, "struct_ops: {at}{e}"),
            ErrorKind::Reloc(e) => write!(f, "reloc: {at}{e}"),
            ErrorKind::Link(e) => write!(f, "link: {at}{e}"),
            ErrorKind::Extern(e) => write!(f, "externs: {at}{e}"),
        }
    }
}

/// What is wrong: memory, a signal, a cap, or a problem of one area of the
/// object.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// Allocation failed.
    NoMem,
    /// A [`Checkpoint`](crate::bpfobj::checkpoint::Checkpoint) found the caller
    /// killed.
    Interrupted,
    /// A count or size is over one of the caps of
    /// [`crate::bpfobj::limits`].
    TooMany {
        /// Which cap.
        cap: Cap,
    },
    /// The ELF file.
    Elf(ElfError),
    /// The `.BTF` section.
    Btf(BtfError),
    /// The `.BTF.ext` section.
    BtfExt(BtfExtError),
    /// Instructions.
    Insn(InsnError),
    /// A section of the object.
    Object(ObjectError),
    /// A program.
    Prog(ProgError),
    /// A map.
    Map(MapError),
    /// The arena.
    Arena(ArenaError),
    /// A `.struct_ops` section.
    StructOps(StructOpsError),
    /// A relocation.
    Reloc(RelocError),
    /// Linking a program.
    Link(LinkError),
    /// An extern.
    Extern(ExternError),
}

impl ErrorKind {
    /// The class (and so the errno) of this kind.
    pub fn class(self) -> ErrorClass {
        match self {
            ErrorKind::NoMem => ErrorClass::NoMem,
            ErrorKind::Interrupted => ErrorClass::Interrupted,
            ErrorKind::TooMany { .. } => ErrorClass::TooBig,
            ErrorKind::Elf(e) => e.class(),
            ErrorKind::Btf(e) => e.class(),
            ErrorKind::BtfExt(e) => e.class(),
            ErrorKind::Insn(e) => e.class(),
            ErrorKind::Object(e) => e.class(),
            ErrorKind::Prog(e) => e.class(),
            ErrorKind::Map(e) => e.class(),
            ErrorKind::Arena(e) => e.class(),
            ErrorKind::StructOps(e) => e.class(),
            ErrorKind::Reloc(e) => e.class(),
            ErrorKind::Link(e) => e.class(),
            ErrorKind::Extern(e) => e.class(),
        }
    }
}

/// `From` each area's enum to [`ErrorKind`], and to an [`Error`] of the
/// object as a whole, so that `?` and `.into()` lift an area's error.
macro_rules! from_area {
    ($($area:ident($ty:ident)),* $(,)?) => {$(
        impl From<$ty> for ErrorKind {
            fn from(e: $ty) -> Self {
                ErrorKind::$area(e)
            }
        }

        impl From<$ty> for Error {
            fn from(e: $ty) -> Self {
                Error::new(e)
            }
        }
    )*};
}

from_area!(
    Elf(ElfError),
    Btf(BtfError),
    BtfExt(BtfExtError),
    Insn(InsnError),
    Object(ObjectError),
    Prog(ProgError),
    Map(MapError),
    Arena(ArenaError),
    StructOps(StructOpsError),
    Reloc(RelocError),
    Link(LinkError),
    Extern(ExternError),
);

/// Where in the object an [`Error`] is. Displays as the log line's
/// location, separator included (`section 3: `, `[7] `); empty for
/// [`Location::Object`].
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// The object as a whole (what the kind's own fields say, if
    /// anything).
    Object,
    /// An ELF section, by index.
    Section(u32),
    /// An ELF symbol, by index.
    Symbol(u32),
    /// A function: the ELF section and symbol of a program or
    /// subprogram.
    Func {
        /// ELF section index.
        section: u32,
        /// ELF symbol index.
        symbol: u32,
    },
    /// An instruction of a function.
    Insn {
        /// ELF symbol index of the function.
        symbol: u32,
        /// Instruction index in the function.
        insn: u32,
    },
    /// A relocation: its ELF relocation section and number.
    Rel {
        /// ELF section index of the relocation section.
        section: u32,
        /// Relocation number in the section.
        rel: u32,
    },
    /// A BTF type, by id.
    Type(u32),
    /// A block of a `.BTF.ext` subsection.
    ExtBlock {
        /// Subsection.
        sec: ExtSection,
        /// Block number.
        block: u32,
    },
    /// A record of a `.BTF.ext` block.
    ExtRecord {
        /// Subsection.
        sec: ExtSection,
        /// Block number.
        block: u32,
        /// Record number in the block.
        rec: u32,
    },
    /// A map: its entry number in the `.maps` `DATASEC`, or its index in
    /// the object (the kind says which).
    Map(u32),
    /// A member of a map definition.
    MapMember {
        /// Entry number in the `.maps` `DATASEC`.
        map: u32,
        /// Member number.
        member: u32,
    },
    /// A map by its ELF section (`.maps` for BTF-defined maps) and entry
    /// number in the `.maps` `DATASEC` (0 for data maps).
    MapEntry {
        /// ELF section index.
        section: u32,
        /// Entry number in the `.maps` `DATASEC`.
        entry: u32,
    },
    /// A variable of a `.struct_ops` section.
    StructOpsVar {
        /// ELF section index.
        section: u32,
        /// Variable number in the `DATASEC`.
        var: u32,
    },
    /// An extern, by index in `Object::externs`.
    Extern(u32),
}

impl Location {
    /// The ELF section, if the location names one.
    pub fn section(&self) -> Option<u32> {
        match *self {
            Location::Section(section)
            | Location::Func { section, .. }
            | Location::Rel { section, .. }
            | Location::MapEntry { section, .. }
            | Location::StructOpsVar { section, .. } => Some(section),
            _ => None,
        }
    }

    /// The extern (index in `Object::externs`), if the location is one.
    pub fn extern_index(&self) -> Option<u32> {
        match *self {
            Location::Extern(ext) => Some(ext),
            _ => None,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Location::Object => Ok(()),
            Location::Section(section) => write!(f, "section {section}: "),
            Location::Symbol(symbol) => write!(f, "symbol {symbol}: "),
            Location::Func { section, symbol } => write!(f, "section {section} symbol {symbol}: "),
            Location::Insn { symbol, insn } => write!(f, "symbol {symbol} insn {insn}: "),
            Location::Rel { section, rel } => write!(f, "section {section} rel {rel}: "),
            Location::Type(type_id) => write!(f, "[{type_id}] "),
            Location::ExtBlock { sec, block } => write!(f, "{sec} block {block}: "),
            Location::ExtRecord { sec, block, rec } => write!(f, "{sec} block {block} rec {rec}: "),
            Location::Map(map) => write!(f, "map {map}: "),
            Location::MapMember { map, member } => write!(f, "map {map} member {member}: "),
            Location::MapEntry { section, entry } => write!(f, "section {section} entry {entry}: "),
            Location::StructOpsVar { section, var } => write!(f, "section {section} var {var}: "),
            Location::Extern(ext) => write!(f, "extern {ext}: "),
        }
    }
}

/// A malformed or unsupported ELF file: its header, section table,
/// symbols or relocation sections (`elf`).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ElfError {
    /// A section name is longer than
    /// [`MAX_NAME_LEN`].
    ///
    /// At a [`Location::Section`].
    SectionNameTooLong,
    /// A symbol name is longer than
    /// [`MAX_NAME_LEN`].
    ///
    /// At a [`Location::Symbol`].
    SymbolNameTooLong,
    /// The file is shorter than an ELF header.
    TooShort {
        /// File size in bytes.
        len: usize,
    },
    /// The first four bytes are not `\x7fELF`.
    BadMagic,
    /// Not ELFCLASS64.
    BadClass {
        /// `e_ident[EI_CLASS]`.
        class: u8,
    },
    /// Not the host's byte order (little endian on x86_64).
    BadEndian {
        /// `e_ident[EI_DATA]`.
        data: u8,
    },
    /// `e_ident[EI_VERSION]` or `e_version` is not `EV_CURRENT`.
    BadVersion {
        /// The version found.
        version: u32,
    },
    /// Not a relocatable object (`ET_REL`).
    NotRel {
        /// `e_type`.
        e_type: u16,
    },
    /// Not a BPF object (`EM_BPF`, or `EM_NONE` from old LLVM).
    NotBpf {
        /// `e_machine`.
        machine: u16,
    },
    /// `e_ehsize` is not the size of an ELF64 header.
    BadEhsize {
        /// `e_ehsize`.
        ehsize: u16,
    },
    /// `e_shentsize` is not the size of an ELF64 section header.
    BadShentsize {
        /// `e_shentsize`.
        shentsize: u16,
    },
    /// `e_shnum` is 0 (extended numbering) or reaches `SHN_LORESERVE`.
    BadShnum {
        /// `e_shnum`.
        shnum: u16,
    },
    /// The section header table is outside the file or overlaps the ELF header.
    ShdrOutOfBounds {
        /// `e_shoff`.
        shoff: u64,
        /// `e_shnum`.
        shnum: u16,
    },
    /// Section header 0 is not all zero.
    BadNullSection,
    /// `e_shstrndx` does not name a section.
    BadShstrndx {
        /// `e_shstrndx`.
        shstrndx: u16,
    },
    /// A section index is out of range.
    BadSectionIndex {
        /// The index.
        index: u32,
    },
    /// A section's contents are outside the file.
    ///
    /// At a [`Location::Section`].
    SectionOutOfBounds {
        /// `sh_offset`.
        offset: u64,
        /// `sh_size`.
        size: u64,
    },
    /// A section's contents overlap the ELF header or the section header table.
    ///
    /// At a [`Location::Section`].
    SectionOverlapsHeaders,
    /// Two sections' contents overlap.
    ///
    /// At a [`Location::Section`].
    SectionOverlap {
        /// The section it overlaps.
        other: u32,
    },
    /// A string table is not `SHT_STRTAB`, or does not start and end with a NUL.
    ///
    /// At a [`Location::Section`].
    BadStrtab,
    /// A section name offset is outside the section header string table.
    ///
    /// At a [`Location::Section`].
    BadSectionName {
        /// `sh_name`.
        name_off: u32,
    },
    /// The object has no `SHT_SYMTAB`.
    NoSymtab,
    /// The object has more than one `SHT_SYMTAB`.
    ///
    /// At a [`Location::Section`].
    MultipleSymtab,
    /// A symbol or relocation section has the wrong `sh_entsize`.
    ///
    /// At a [`Location::Section`].
    BadEntsize {
        /// `sh_entsize`.
        entsize: u64,
    },
    /// A table section's size is not a multiple of its entry size (or is 0).
    ///
    /// At a [`Location::Section`].
    BadSectionSize {
        /// `sh_size`.
        size: u64,
    },
    /// A section's `sh_link` does not name the right section.
    ///
    /// At a [`Location::Section`].
    BadLink {
        /// `sh_link`.
        link: u32,
    },
    /// A section's `sh_info` is out of range.
    ///
    /// At a [`Location::Section`].
    BadInfo {
        /// `sh_info`.
        info: u32,
    },
    /// Symbol 0 is not all zero.
    BadNullSymbol,
    /// A symbol index is out of range.
    BadSymbolIndex {
        /// The index.
        index: u32,
    },
    /// A symbol name offset is outside the string table.
    ///
    /// At a [`Location::Symbol`].
    BadSymbolName {
        /// `st_name`.
        name_off: u32,
    },
    /// A symbol's section index is neither a section nor `SHN_UNDEF`/`ABS`/`COMMON`.
    ///
    /// At a [`Location::Symbol`].
    BadSymbolShndx {
        /// `st_shndx`.
        shndx: u16,
    },
    /// Relocations were asked of a section that is not `SHT_REL`.
    ///
    /// At a [`Location::Section`].
    NotRelSection {
        /// Its `sh_type`.
        sh_type: u32,
    },
    /// An `SHT_RELA` section (BPF uses `SHT_REL` only).
    ///
    /// At a [`Location::Section`].
    RelaUnsupported,
    /// A relocation's symbol index is out of range.
    ///
    /// At a [`Location::Rel`].
    RelBadSymbol {
        /// Symbol index.
        sym: u32,
    },
    /// A relocation's offset is outside its target section.
    ///
    /// At a [`Location::Rel`].
    RelBadOffset {
        /// `r_offset`.
        offset: u64,
    },
}

impl ElfError {
    /// The class (and so the errno) of this error.
    pub fn class(self) -> ErrorClass {
        match self {
            ElfError::SectionNameTooLong | ElfError::SymbolNameTooLong => ErrorClass::TooBig,
            ElfError::TooShort { .. }
            | ElfError::BadMagic
            | ElfError::BadClass { .. }
            | ElfError::BadEndian { .. }
            | ElfError::NotRel { .. }
            | ElfError::NotBpf { .. } => ErrorClass::NotBpfObject,
            ElfError::BadVersion { .. }
            | ElfError::BadEhsize { .. }
            | ElfError::BadShentsize { .. }
            | ElfError::BadShnum { .. }
            | ElfError::ShdrOutOfBounds { .. }
            | ElfError::BadNullSection
            | ElfError::BadShstrndx { .. }
            | ElfError::BadSectionIndex { .. }
            | ElfError::SectionOutOfBounds { .. }
            | ElfError::SectionOverlapsHeaders
            | ElfError::SectionOverlap { .. }
            | ElfError::BadStrtab
            | ElfError::BadSectionName { .. }
            | ElfError::NoSymtab
            | ElfError::MultipleSymtab
            | ElfError::BadEntsize { .. }
            | ElfError::BadSectionSize { .. }
            | ElfError::BadLink { .. }
            | ElfError::BadInfo { .. }
            | ElfError::BadNullSymbol
            | ElfError::BadSymbolIndex { .. }
            | ElfError::BadSymbolName { .. }
            | ElfError::BadSymbolShndx { .. }
            | ElfError::NotRelSection { .. }
            | ElfError::RelBadSymbol { .. }
            | ElfError::RelBadOffset { .. } => ErrorClass::Malformed,
            ElfError::RelaUnsupported => ErrorClass::Unsupported,
        }
    }
}

/// The log line's text after the area and the location.
impl fmt::Display for ElfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ElfError::SectionNameTooLong => {
                write!(f, "name longer than {MAX_NAME_LEN} bytes (KSYM_NAME_LEN - 1)")
            }
            ElfError::SymbolNameTooLong => {
                write!(f, "name longer than {MAX_NAME_LEN} bytes (KSYM_NAME_LEN - 1)")
            }
            ElfError::TooShort { len } => {
                write!(f, "file is {len} bytes, shorter than an ELF64 header")
            }
            ElfError::BadMagic => f.write_str("bad magic, not an ELF file"),
            ElfError::BadClass { class } => write!(f, "EI_CLASS {class}, not ELFCLASS64"),
            ElfError::BadEndian { data } => write!(f, "EI_DATA {data}, not the host byte order"),
            ElfError::BadVersion { version } => write!(f, "version {version}, not EV_CURRENT"),
            ElfError::NotRel { e_type } => {
                write!(f, "e_type {e_type}, not a relocatable object (ET_REL)")
            }
            ElfError::NotBpf { machine } => write!(f, "e_machine {machine}, not EM_BPF"),
            ElfError::BadEhsize { ehsize } => write!(f, "e_ehsize {ehsize}, expected 64"),
            ElfError::BadShentsize { shentsize } => {
                write!(f, "e_shentsize {shentsize}, expected 64")
            }
            ElfError::BadShnum { shnum } => {
                write!(f, "e_shnum {shnum}, must be 1..0xff00 (no extended numbering)")
            }
            ElfError::ShdrOutOfBounds { shoff, shnum } => write!(
                f,
                "section header table at {shoff} ({shnum} entries) is outside the file or overlaps the ELF header"
            ),
            ElfError::BadNullSection => f.write_str("section header 0 is not all zero"),
            ElfError::BadShstrndx { shstrndx } => {
                write!(f, "e_shstrndx {shstrndx} does not name a section")
            }
            ElfError::BadSectionIndex { index } => write!(f, "section index {index} out of range"),
            ElfError::SectionOutOfBounds { offset, size } => {
                write!(f, "contents at {offset} size {size} are outside the file")
            }
            ElfError::SectionOverlapsHeaders => {
                f.write_str("contents overlap the ELF header or section header table")
            }
            ElfError::SectionOverlap { other } => write!(f, "contents overlap section {other}"),
            ElfError::BadStrtab => f.write_str("not a string table starting and ending with NUL"),
            ElfError::BadSectionName { name_off } => {
                write!(f, "name offset {name_off} out of range")
            }
            ElfError::NoSymtab => f.write_str("no symbol table"),
            ElfError::MultipleSymtab => f.write_str("a second symbol table"),
            ElfError::BadEntsize { entsize } => write!(f, "bad sh_entsize {entsize}"),
            ElfError::BadSectionSize { size } => {
                write!(f, "size {size} is not a non-zero multiple of its entry size")
            }
            ElfError::BadLink { link } => write!(f, "bad sh_link {link}"),
            ElfError::BadInfo { info } => write!(f, "bad sh_info {info}"),
            ElfError::BadNullSymbol => f.write_str("symbol 0 is not all zero"),
            ElfError::BadSymbolIndex { index } => write!(f, "symbol index {index} out of range"),
            ElfError::BadSymbolName { name_off } => {
                write!(f, "name offset {name_off} out of range")
            }
            ElfError::BadSymbolShndx { shndx } => write!(f, "bad section index {shndx}"),
            ElfError::NotRelSection { sh_type } => write!(f, "type {sh_type}, not SHT_REL"),
            ElfError::RelaUnsupported => f.write_str("SHT_RELA is not supported for BPF"),
            ElfError::RelBadSymbol { sym } => write!(f, "symbol {sym} out of range"),
            ElfError::RelBadOffset { offset } => {
                write!(f, "offset {offset} outside the target section")
            }
        }
    }
}

/// Malformed `.BTF`, or a `DATASEC` that does not describe the object
/// (`btf`, `object`).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BtfError {
    /// A BTF name (type, section or member name) is longer than
    /// [`MAX_NAME_LEN`].
    NameTooLong {
        /// Offset of the string in the BTF string section.
        offset: u32,
    },
    /// The BTF blob is larger than `BTF_MAX_SIZE`.
    TooBig {
        /// Size in bytes.
        size: usize,
    },
    /// The BTF blob is shorter than its header.
    TooShort {
        /// Size in bytes.
        len: usize,
    },
    /// Not `BTF_MAGIC` in the host byte order.
    BadMagic {
        /// `magic`.
        magic: u16,
    },
    /// Unsupported BTF version.
    BadVersion {
        /// `version`.
        version: u8,
    },
    /// Unsupported BTF flags.
    BadFlags {
        /// `flags`.
        flags: u8,
    },
    /// `hdr_len` is shorter than the header or longer than the blob.
    BadHdrLen {
        /// `hdr_len`.
        hdr_len: u32,
    },
    /// Header bytes beyond the known header are not zero.
    HeaderTail {
        /// `hdr_len`.
        hdr_len: u32,
    },
    /// Nothing after the header.
    NoData,
    /// A BTF section is outside the blob.
    SectionOutOfBounds {
        /// Section offset (after the header).
        off: u32,
        /// Section length.
        len: u32,
    },
    /// Unaccounted-for bytes between or after the BTF sections.
    SectionGap {
        /// Offset (after the header) of the first such byte.
        off: u32,
    },
    /// The BTF type and string sections overlap.
    SectionOverlap {
        /// Offset of the overlapping section.
        off: u32,
    },
    /// The string section is not the last one.
    StrNotLast,
    /// `type_off` is not 4-byte aligned.
    UnalignedTypeOff {
        /// `type_off`.
        type_off: u32,
    },
    /// The string section is empty, too long, or not NUL-delimited.
    BadStrSection {
        /// `str_len`.
        str_len: u32,
    },
    /// The type section is empty.
    NoTypes,
    /// More types than `BTF_MAX_TYPE`.
    TooManyTypes {
        /// Type count reached.
        count: u32,
    },
    /// A type record runs past the end of the type section.
    ///
    /// At a [`Location::Type`].
    TypeTruncated {
        /// Offset of the record in the type section.
        offset: u32,
    },
    /// Reserved `info` bits are set.
    ///
    /// At a [`Location::Type`].
    BadInfo {
        /// `info`.
        info: u32,
    },
    /// Unknown kind.
    ///
    /// At a [`Location::Type`].
    BadKind {
        /// Kind.
        kind: u32,
    },
    /// A name offset is outside the string section.
    ///
    /// At a [`Location::Type`].
    BadNameOff {
        /// The name offset.
        name_off: u32,
    },
    /// A name is missing where required, or present where forbidden.
    ///
    /// At a [`Location::Type`].
    BadName,
    /// `vlen` is not allowed for this kind.
    ///
    /// At a [`Location::Type`].
    BadVlen {
        /// `vlen`.
        vlen: u16,
    },
    /// `kind_flag` is set on a kind that does not allow it.
    ///
    /// At a [`Location::Type`].
    BadKflag,
    /// A size that is invalid for the kind.
    ///
    /// At a [`Location::Type`].
    BadSize {
        /// The size.
        size: u32,
    },
    /// An `INT`'s encoding, bits or offset are invalid.
    ///
    /// At a [`Location::Type`].
    BadInt {
        /// The `INT` data word.
        int_data: u32,
    },
    /// A referenced type id does not exist (or is `void` where not allowed).
    ///
    /// At a [`Location::Type`].
    BadTypeRef {
        /// The referenced id.
        ref_id: u32,
    },
    /// A struct/union member or function parameter is invalid.
    ///
    /// At a [`Location::Type`].
    BadMember {
        /// Member or parameter index.
        member: u32,
    },
    /// Unknown `VAR` or `FUNC` linkage.
    ///
    /// At a [`Location::Type`].
    BadLinkage {
        /// The linkage.
        linkage: u32,
    },
    /// A `DECL_TAG`'s component index is invalid.
    ///
    /// At a [`Location::Type`].
    BadComponentIdx {
        /// `component_idx`.
        component_idx: i32,
    },
    /// A type id looked up does not exist.
    BadTypeId {
        /// Type id.
        type_id: u32,
    },
    /// A string offset looked up is outside the string section.
    BadStrOff {
        /// The offset.
        offset: u32,
    },
    /// A chain of type references is longer than `MAX_RESOLVE_DEPTH`.
    ///
    /// At a [`Location::Type`].
    ResolveTooDeep,
    /// The type has no size (`void`, `FUNC`, `FWD`, ...).
    ///
    /// At a [`Location::Type`].
    NotSized {
        /// Its kind.
        kind: u32,
    },
    /// A type's size does not fit 32 bits.
    ///
    /// At a [`Location::Type`].
    SizeOverflow,
    /// A `DATASEC` has size 0 and no ELF section gives its size.
    DatasecNoSection {
        /// The `DATASEC`'s type id.
        type_id: u32,
    },
    /// A `DATASEC` entry is not a `VAR`.
    DatasecBadVar {
        /// The `DATASEC`'s type id.
        type_id: u32,
        /// Entry number.
        index: u32,
    },
    /// A global `VAR` of a `DATASEC` has no ELF symbol.
    DatasecNoSymbol {
        /// The `DATASEC`'s type id.
        type_id: u32,
        /// Entry number.
        index: u32,
    },
}

impl BtfError {
    /// The class (and so the errno) of this error.
    pub fn class(self) -> ErrorClass {
        match self {
            BtfError::NameTooLong { .. }
            | BtfError::TooBig { .. }
            | BtfError::HeaderTail { .. }
            | BtfError::TooManyTypes { .. } => ErrorClass::TooBig,
            BtfError::TooShort { .. }
            | BtfError::BadMagic { .. }
            | BtfError::BadHdrLen { .. }
            | BtfError::NoData
            | BtfError::SectionOutOfBounds { .. }
            | BtfError::SectionGap { .. }
            | BtfError::SectionOverlap { .. }
            | BtfError::StrNotLast
            | BtfError::UnalignedTypeOff { .. }
            | BtfError::BadStrSection { .. }
            | BtfError::NoTypes
            | BtfError::TypeTruncated { .. }
            | BtfError::BadInfo { .. }
            | BtfError::BadKind { .. }
            | BtfError::BadNameOff { .. }
            | BtfError::BadName
            | BtfError::BadVlen { .. }
            | BtfError::BadKflag
            | BtfError::BadSize { .. }
            | BtfError::BadInt { .. }
            | BtfError::BadTypeRef { .. }
            | BtfError::BadMember { .. }
            | BtfError::BadLinkage { .. }
            | BtfError::BadComponentIdx { .. }
            | BtfError::BadTypeId { .. }
            | BtfError::BadStrOff { .. }
            | BtfError::ResolveTooDeep
            | BtfError::NotSized { .. }
            | BtfError::SizeOverflow
            | BtfError::DatasecNoSection { .. }
            | BtfError::DatasecBadVar { .. }
            | BtfError::DatasecNoSymbol { .. } => ErrorClass::Malformed,
            BtfError::BadVersion { .. } | BtfError::BadFlags { .. } => ErrorClass::Unsupported,
        }
    }
}

/// The log line's text after the area and the location.
impl fmt::Display for BtfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            BtfError::NameTooLong { offset } => write!(
                f,
                "name at string offset {offset} longer than {MAX_NAME_LEN} bytes (KSYM_NAME_LEN - 1)"
            ),
            BtfError::TooBig { size } => write!(f, "{size} bytes, larger than BTF_MAX_SIZE"),
            BtfError::TooShort { len } => write!(f, "{len} bytes, shorter than the header"),
            BtfError::BadMagic { magic } => {
                write!(f, "magic {magic:#x}, not 0xeb9f in host byte order")
            }
            BtfError::BadVersion { version } => write!(f, "unsupported version {version}"),
            BtfError::BadFlags { flags } => write!(f, "unsupported flags {flags:#x}"),
            BtfError::BadHdrLen { hdr_len } => write!(f, "bad hdr_len {hdr_len}"),
            BtfError::HeaderTail { hdr_len } => {
                write!(f, "unsupported non-zero header bytes (hdr_len {hdr_len})")
            }
            BtfError::NoData => f.write_str("no data after the header"),
            BtfError::SectionOutOfBounds { off, len } => {
                write!(f, "section at {off} len {len} is outside the blob")
            }
            BtfError::SectionGap { off } => {
                write!(f, "unsupported data at offset {off} (gap or trailing bytes)")
            }
            BtfError::SectionOverlap { off } => write!(f, "section overlap at offset {off}"),
            BtfError::StrNotLast => f.write_str("string section is not at the end"),
            BtfError::UnalignedTypeOff { type_off } => {
                write!(f, "type_off {type_off} is not 4-byte aligned")
            }
            BtfError::BadStrSection { str_len } => {
                write!(f, "invalid string section (str_len {str_len})")
            }
            BtfError::NoTypes => f.write_str("no type found"),
            BtfError::TooManyTypes { count } => write!(f, "more than {count} types"),
            BtfError::TypeTruncated { offset } => write!(f, "at {offset}: record truncated"),
            BtfError::BadInfo { info } => write!(f, "invalid btf_info {info:#x}"),
            BtfError::BadKind { kind } => write!(f, "invalid kind {kind}"),
            BtfError::BadNameOff { name_off } => write!(f, "invalid name_offset {name_off}"),
            BtfError::BadName => f.write_str("invalid name"),
            BtfError::BadVlen { vlen } => write!(f, "vlen {vlen} not allowed"),
            BtfError::BadKflag => f.write_str("invalid kind_flag"),
            BtfError::BadSize { size } => write!(f, "invalid size {size}"),
            BtfError::BadInt { int_data } => write!(f, "invalid int data {int_data:#x}"),
            BtfError::BadTypeRef { ref_id } => write!(f, "invalid type_id {ref_id}"),
            BtfError::BadMember { member } => write!(f, "member/param {member} invalid"),
            BtfError::BadLinkage { linkage } => write!(f, "invalid linkage {linkage}"),
            BtfError::BadComponentIdx { component_idx } => {
                write!(f, "invalid component_idx {component_idx}")
            }
            BtfError::BadTypeId { type_id } => write!(f, "type id {type_id} out of range"),
            BtfError::BadStrOff { offset } => write!(f, "string offset {offset} out of range"),
            BtfError::ResolveTooDeep => f.write_str("type chain deeper than 32"),
            BtfError::NotSized { kind } => write!(f, "kind {kind} has no size"),
            BtfError::SizeOverflow => f.write_str("size does not fit 32 bits"),
            BtfError::DatasecNoSection { type_id } => {
                write!(f, "DATASEC [{type_id}]: size 0 and no ELF section to take it from")
            }
            BtfError::DatasecBadVar { type_id, index } => {
                write!(f, "DATASEC [{type_id}] entry {index}: not a VAR")
            }
            BtfError::DatasecNoSymbol { type_id, index } => {
                write!(f, "DATASEC [{type_id}] entry {index}: no ELF symbol for the variable")
            }
        }
    }
}

/// Malformed `.BTF.ext`, or blocks and records that do not fit the
/// object's code sections (`btf_ext`, `object`).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BtfExtError {
    /// The `.BTF.ext` blob is larger than `BTF_MAX_SIZE`.
    TooBig {
        /// Size in bytes.
        size: usize,
    },
    /// The `.BTF.ext` blob is shorter than its header.
    TooShort {
        /// Size in bytes.
        len: usize,
    },
    /// Not `BTF_MAGIC` in the host byte order.
    BadMagic {
        /// `magic`.
        magic: u16,
    },
    /// Unsupported `.BTF.ext` version.
    BadVersion {
        /// `version`.
        version: u8,
    },
    /// Unsupported `.BTF.ext` flags.
    BadFlags {
        /// `flags`.
        flags: u8,
    },
    /// `hdr_len` is not 24, or at least 32, 4-aligned and within the blob.
    BadHdrLen {
        /// `hdr_len`.
        hdr_len: u32,
    },
    /// Header bytes beyond the known header are not zero.
    HeaderTail {
        /// `hdr_len`.
        hdr_len: u32,
    },
    /// Nothing after the header.
    NoData,
    /// A subsection is outside the blob.
    SectionOutOfBounds {
        /// Subsection.
        sec: ExtSection,
        /// Offset (after the header).
        off: u32,
        /// Length.
        len: u32,
    },
    /// A subsection offset is not 4-byte aligned.
    Unaligned {
        /// Subsection.
        sec: ExtSection,
        /// Offset.
        off: u32,
    },
    /// Unaccounted-for bytes between or after the subsections.
    Gap {
        /// Offset (after the header) of the first such byte.
        off: u32,
    },
    /// Two subsections overlap.
    Overlap {
        /// Subsection.
        sec: ExtSection,
        /// Its offset.
        off: u32,
    },
    /// A subsection has no record size or no blocks.
    NoRecords {
        /// Subsection.
        sec: ExtSection,
    },
    /// A record size is too small, unaligned or too large.
    BadRecSize {
        /// Subsection.
        sec: ExtSection,
        /// The record size.
        rec_size: u32,
    },
    /// A block's header or records run past the end of the subsection.
    TruncatedBlock {
        /// Subsection.
        sec: ExtSection,
        /// Block number.
        block: u32,
        /// Offset of the block in the subsection's block list.
        offset: u32,
    },
    /// A block has no records.
    EmptyBlock {
        /// Subsection.
        sec: ExtSection,
        /// Block number.
        block: u32,
    },
    /// A record's instruction offset is not a multiple of the instruction size.
    ///
    /// At a [`Location::ExtRecord`].
    BadInsnOff {
        /// `insn_off`.
        insn_off: u32,
    },
    /// Unknown CO-RE relocation kind.
    ///
    /// At a [`Location::ExtRecord`].
    BadCoreKind {
        /// The kind.
        kind: u32,
    },
    /// A string offset in a record is outside the BTF string section.
    ///
    /// At a [`Location::ExtBlock`].
    BadStrOff {
        /// The offset.
        off: u32,
    },
    /// A record's type id does not exist (or is not a `FUNC` for func_info).
    ///
    /// At a [`Location::ExtRecord`].
    BadTypeId {
        /// The type id.
        type_id: u32,
    },
    /// A `.BTF.ext` block names a section that is not a code section.
    UnknownSection {
        /// Offset of the section name in the BTF strings.
        sec_name_off: u32,
    },
    /// Two `.BTF.ext` blocks of one subsection for the same section.
    DuplicateBlock {
        /// Subsection.
        sec: ExtSection,
        /// Offset of the section name in the BTF strings.
        sec_name_off: u32,
    },
    /// func_info or line_info `insn_off`s not strictly increasing (the
    /// verifier requires it), or more CO-RE records than instructions.
    NotIncreasing {
        /// Subsection.
        sec: ExtSection,
        /// Offset of the block's section name in the BTF strings.
        sec_name_off: u32,
        /// Record number in the block.
        rec: u32,
    },
    /// A `.BTF.ext` record is misaligned or outside its section.
    BadRecord {
        /// Offset of the block's section name in the BTF strings.
        sec_name_off: u32,
        /// Record number in the block.
        rec: u32,
    },
}

impl BtfExtError {
    /// The class (and so the errno) of this error.
    pub fn class(self) -> ErrorClass {
        match self {
            BtfExtError::TooBig { .. } | BtfExtError::HeaderTail { .. } => ErrorClass::TooBig,
            BtfExtError::TooShort { .. }
            | BtfExtError::BadMagic { .. }
            | BtfExtError::BadHdrLen { .. }
            | BtfExtError::NoData
            | BtfExtError::SectionOutOfBounds { .. }
            | BtfExtError::Unaligned { .. }
            | BtfExtError::Gap { .. }
            | BtfExtError::Overlap { .. }
            | BtfExtError::NoRecords { .. }
            | BtfExtError::BadRecSize { .. }
            | BtfExtError::TruncatedBlock { .. }
            | BtfExtError::EmptyBlock { .. }
            | BtfExtError::BadInsnOff { .. }
            | BtfExtError::BadCoreKind { .. }
            | BtfExtError::BadStrOff { .. }
            | BtfExtError::BadTypeId { .. }
            | BtfExtError::UnknownSection { .. }
            | BtfExtError::DuplicateBlock { .. }
            | BtfExtError::NotIncreasing { .. }
            | BtfExtError::BadRecord { .. } => ErrorClass::Malformed,
            BtfExtError::BadVersion { .. } | BtfExtError::BadFlags { .. } => {
                ErrorClass::Unsupported
            }
        }
    }
}

/// The log line's text after the area and the location.
impl fmt::Display for BtfExtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            BtfExtError::TooBig { size } => write!(f, "{size} bytes, larger than BTF_MAX_SIZE"),
            BtfExtError::TooShort { len } => write!(f, "{len} bytes, shorter than the header"),
            BtfExtError::BadMagic { magic } => {
                write!(f, "magic {magic:#x}, not 0xeb9f in host byte order")
            }
            BtfExtError::BadVersion { version } => write!(f, "unsupported version {version}"),
            BtfExtError::BadFlags { flags } => write!(f, "unsupported flags {flags:#x}"),
            BtfExtError::BadHdrLen { hdr_len } => write!(f, "bad hdr_len {hdr_len}"),
            BtfExtError::HeaderTail { hdr_len } => {
                write!(f, "unsupported non-zero header bytes (hdr_len {hdr_len})")
            }
            BtfExtError::NoData => f.write_str("no data after the header"),
            BtfExtError::SectionOutOfBounds { sec, off, len } => {
                write!(f, "{sec} at {off} len {len} is outside the blob")
            }
            BtfExtError::Unaligned { sec, off } => {
                write!(f, "{sec} offset {off} is not 4-byte aligned")
            }
            BtfExtError::Gap { off } => write!(
                f,
                "unsupported data at offset {off} (gap or trailing bytes)"
            ),
            BtfExtError::Overlap { sec, off } => {
                write!(f, "{sec} at {off} overlaps another subsection")
            }
            BtfExtError::NoRecords { sec } => write!(f, "{sec} has no records"),
            BtfExtError::BadRecSize { sec, rec_size } => {
                write!(f, "{sec} invalid record size {rec_size}")
            }
            BtfExtError::TruncatedBlock { sec, block, offset } => {
                write!(f, "{sec} block {block} at {offset} is truncated")
            }
            BtfExtError::EmptyBlock { sec, block } => {
                write!(f, "{sec} block {block} has no records")
            }
            BtfExtError::BadInsnOff { insn_off } => {
                write!(f, "insn_off {insn_off} not a multiple of 8")
            }
            BtfExtError::BadCoreKind { kind } => write!(f, "unknown kind {kind}"),
            BtfExtError::BadStrOff { off } => write!(f, "string offset {off} out of range"),
            BtfExtError::BadTypeId { type_id } => write!(f, "invalid type_id {type_id}"),
            BtfExtError::UnknownSection { sec_name_off } => write!(
                f,
                "block for section name at {sec_name_off}: no such code section"
            ),
            BtfExtError::DuplicateBlock { sec, sec_name_off } => write!(
                f,
                "{sec}: two blocks for the section name at {sec_name_off}"
            ),
            BtfExtError::NotIncreasing {
                sec,
                sec_name_off,
                rec,
            } => write!(
                f,
                "{sec}: section name at {sec_name_off} rec {rec}: insn_off not strictly increasing"
            ),
            BtfExtError::BadRecord { sec_name_off, rec } => write!(
                f,
                "section name at {sec_name_off} rec {rec}: not an instruction of the section"
            ),
        }
    }
}

/// An instruction buffer that is not whole instructions (`insn`).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InsnError {
    /// An instruction buffer's size is not a multiple of 8.
    BadSize {
        /// Size in bytes.
        len: usize,
    },
}

impl InsnError {
    /// The class (and so the errno) of this error.
    pub fn class(self) -> ErrorClass {
        match self {
            InsnError::BadSize { .. } => ErrorClass::Malformed,
        }
    }
}

/// The log line's text after the area and the location.
impl fmt::Display for InsnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            InsnError::BadSize { len } => write!(f, "{len} bytes, not a multiple of 8"),
        }
    }
}

/// A section of the object that is malformed, duplicated or not
/// supported (`object`).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectError {
    /// A section that must be unique appears twice.
    ///
    /// At a [`Location::Section`].
    DuplicateSection,
    /// The `license` section has no NUL or is longer than 127 bytes.
    ///
    /// At a [`Location::Section`].
    BadLicense,
    /// The `version` section is not 4 bytes.
    ///
    /// At a [`Location::Section`].
    BadVersion,
    /// Legacy `maps` section (not supported, like libbpf 1.0).
    ///
    /// At a [`Location::Section`].
    LegacyMaps,
    /// `.maps`, `.BTF` or `.BTF.ext` is not `SHT_PROGBITS`.
    ///
    /// At a [`Location::Section`].
    BadSectionType,
    /// A section the loader does not support (`struct_ops`, arena,
    /// relocations inside data).
    ///
    /// At a [`Location::Section`].
    UnsupportedSection,
    /// BTF is needed (for `.maps`, externs or `.BTF.ext`) but missing.
    ///
    /// At a [`Location::Section`].
    BtfRequired,
}

impl ObjectError {
    /// The class (and so the errno) of this error.
    pub fn class(self) -> ErrorClass {
        match self {
            ObjectError::DuplicateSection
            | ObjectError::BadLicense
            | ObjectError::BadVersion
            | ObjectError::BadSectionType
            | ObjectError::BtfRequired => ErrorClass::Malformed,
            ObjectError::LegacyMaps | ObjectError::UnsupportedSection => ErrorClass::Unsupported,
        }
    }
}

/// The log line's text after the area and the location.
impl fmt::Display for ObjectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ObjectError::DuplicateSection => f.write_str("duplicate section"),
            ObjectError::BadLicense => {
                f.write_str("license is not a NUL-terminated string of at most 127 bytes")
            }
            ObjectError::BadVersion => f.write_str("version section is not 4 bytes"),
            ObjectError::LegacyMaps => {
                f.write_str("legacy 'maps' section is not supported, use .maps")
            }
            ObjectError::BadSectionType => f.write_str("not SHT_PROGBITS"),
            ObjectError::UnsupportedSection => f.write_str("section kind not supported"),
            ObjectError::BtfRequired => f.write_str("needs .BTF, which is missing"),
        }
    }
}

/// A program: its section name, function symbol or name (`sec_def`,
/// `object`).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProgError {
    /// A program section name matches no entry of the SEC-name table.
    ///
    /// At a [`Location::Section`].
    UnknownSection,
    /// A program section of a type this loader does not support
    /// (`struct_ops`).
    ///
    /// At a [`Location::Section`].
    UnsupportedType {
        /// Its `bpf_prog_type`.
        prog_type: u32,
    },
    /// A function symbol is empty, misaligned, outside its section or
    /// unnamed.
    ///
    /// At a [`Location::Func`].
    BadFunc,
    /// A static (local) function outside `.text` (a program must be global).
    ///
    /// At a [`Location::Func`].
    Static,
    /// Two functions overlap.
    ///
    /// At a [`Location::Func`].
    Overlap,
    /// A program name that cannot name a sysfs directory (empty, `.`,
    /// `..`, a `/` or a control character) or is not identifier-like.
    ///
    /// At a [`Location::Func`].
    BadName,
    /// A program name longer than
    /// [`MAX_PROG_NAME_LEN`].
    ///
    /// At a [`Location::Func`].
    NameTooLong,
    /// Two programs have the same name.
    ///
    /// At a [`Location::Symbol`].
    DuplicateName,
}

impl ProgError {
    /// The class (and so the errno) of this error.
    pub fn class(self) -> ErrorClass {
        match self {
            ProgError::UnknownSection | ProgError::UnsupportedType { .. } | ProgError::Static => {
                ErrorClass::Unsupported
            }
            ProgError::BadFunc
            | ProgError::Overlap
            | ProgError::BadName
            | ProgError::DuplicateName => ErrorClass::Malformed,
            ProgError::NameTooLong => ErrorClass::TooBig,
        }
    }
}

/// The log line's text after the area and the location.
impl fmt::Display for ProgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ProgError::UnknownSection => f.write_str("unknown program section name"),
            ProgError::UnsupportedType { prog_type } => {
                write!(f, "program type {prog_type} is not supported")
            }
            ProgError::BadFunc => f.write_str("bad function (size, alignment or bounds)"),
            ProgError::Static => f.write_str("static programs are not supported"),
            ProgError::Overlap => f.write_str("overlaps another function"),
            ProgError::BadName => {
                f.write_str("program name is not identifier-like (letters, digits, '_' and '.')")
            }
            ProgError::NameTooLong => write!(
                f,
                "program name longer than {MAX_PROG_NAME_LEN} bytes (MAX_PROG_NAME_LEN)"
            ),
            ProgError::DuplicateName => f.write_str("duplicate program name"),
        }
    }
}

/// A map definition: `.maps`, data sections, `.rel.maps` (`maps`).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapError {
    /// `.maps` has no `DATASEC` in BTF.
    ///
    /// At a [`Location::Section`].
    NoDatasec,
    /// A `.maps` entry is not a named `VAR` of a struct inside the section,
    /// or overlaps the previous one.
    ///
    /// At a [`Location::Map`].
    BadVar,
    /// A `.maps` variable is not global (static or extern maps).
    ///
    /// At a [`Location::Map`].
    BadLinkage,
    /// A map definition member is malformed or conflicts with another.
    ///
    /// At a [`Location::MapMember`].
    BadDef,
    /// A map definition member this loader does not know or support.
    ///
    /// At a [`Location::MapMember`].
    Unsupported,
    /// A map name that is not identifier-like (letters, digits, `_`, `.`).
    ///
    /// At a [`Location::MapEntry`].
    BadName,
    /// A map name longer than
    /// [`MAX_MAP_NAME_LEN`].
    ///
    /// At a [`Location::MapEntry`].
    NameTooLong,
    /// Two maps with the same name.
    ///
    /// At a [`Location::MapEntry`].
    DuplicateName,
    /// `map_flags` outside the allow-list (unknown flags, or ones that make
    /// `BPF_MAP_CREATE` read another object: `BPF_F_TOKEN_FD`,
    /// `BPF_F_VTYPE_BTF_OBJ_FD`, or arena and struct_ops flags).
    ///
    /// At a [`Location::Map`].
    BadFlags {
        /// The flags.
        flags: u32,
    },
    /// A map-in-map whose inner map template is not one of the object's.
    ///
    /// At a [`Location::Map`].
    InnerOutOfRange {
        /// Index of the inner map template.
        inner: u32,
    },
    /// A map definition without `type`.
    ///
    /// At a [`Location::Map`].
    NoType,
    /// A data section too large for a map.
    ///
    /// At a [`Location::Section`].
    BadData,
    /// `.rel.maps` without `.maps`, or not relocating it.
    ///
    /// At a [`Location::Section`].
    RelNoMaps,
    /// A `.rel.maps` relocation is not a valid initial slot.
    RelBad {
        /// Relocation number.
        rel: u32,
    },
}

impl MapError {
    /// The class (and so the errno) of this error.
    pub fn class(self) -> ErrorClass {
        match self {
            MapError::NoDatasec
            | MapError::BadVar
            | MapError::BadDef
            | MapError::BadName
            | MapError::DuplicateName
            | MapError::BadFlags { .. }
            | MapError::InnerOutOfRange { .. }
            | MapError::NoType
            | MapError::BadData
            | MapError::RelNoMaps
            | MapError::RelBad { .. } => ErrorClass::Malformed,
            MapError::BadLinkage | MapError::Unsupported => ErrorClass::Unsupported,
            MapError::NameTooLong => ErrorClass::TooBig,
        }
    }
}

/// The log line's text after the area and the location.
impl fmt::Display for MapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            MapError::NoDatasec => f.write_str("no .maps DATASEC in BTF"),
            MapError::BadVar => {
                f.write_str("not a named struct variable inside .maps, or overlapping")
            }
            MapError::BadLinkage => f.write_str("only global map variables are supported"),
            MapError::BadDef => f.write_str("malformed or conflicting"),
            MapError::Unsupported => f.write_str("not supported"),
            MapError::BadName => {
                f.write_str("map name is not identifier-like (letters, digits, '_' and '.')")
            }
            MapError::NameTooLong => {
                write!(f, "map name longer than {MAX_MAP_NAME_LEN} bytes (BPF_LOADFD_NAME_LEN - 1)")
            }
            MapError::DuplicateName => f.write_str("duplicate map name"),
            MapError::BadFlags { flags } => write!(
                f,
                "map_flags {flags:#x} not allowed (unknown, BPF_F_TOKEN_FD, BPF_F_VTYPE_BTF_OBJ_FD, arena or struct_ops flags)"
            ),
            MapError::InnerOutOfRange { inner } => write!(f, "inner map {inner} out of range"),
            MapError::NoType => f.write_str("no map type"),
            MapError::BadData => f.write_str("data section too large"),
            MapError::RelNoMaps => f.write_str(".rel.maps does not relocate .maps"),
            MapError::RelBad { rel } => write!(f, ".rel.maps rel {rel}: not a valid initial slot"),
        }
    }
}

/// `__arena` variables and the `BPF_MAP_TYPE_ARENA` map (`maps`).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArenaError {
    /// `__arena` variables (`.addr_space.1`) without a `BPF_MAP_TYPE_ARENA`
    /// map in `.maps`.
    ///
    /// At a [`Location::Section`].
    NoMap,
    /// More than one `BPF_MAP_TYPE_ARENA` map (libbpf supports one).
    ///
    /// At a [`Location::Map`].
    TooManyMaps,
    /// The `__arena` variables do not fit the arena.
    ///
    /// At a [`Location::Section`].
    TooSmall,
}

impl ArenaError {
    /// The class (and so the errno) of this error.
    pub fn class(self) -> ErrorClass {
        match self {
            ArenaError::NoMap | ArenaError::TooManyMaps => ErrorClass::Malformed,
            ArenaError::TooSmall => ErrorClass::TooBig,
        }
    }
}

/// The log line's text after the area and the location.
impl fmt::Display for ArenaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ArenaError::NoMap => {
                f.write_str("__arena variables need a BPF_MAP_TYPE_ARENA map in .maps")
            }
            ArenaError::TooManyMaps => f.write_str("more than one BPF_MAP_TYPE_ARENA map"),
            ArenaError::TooSmall => {
                f.write_str("the __arena variables do not fit the arena's pages")
            }
        }
    }
}

/// A `.struct_ops` section or its relocations (`struct_ops`).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StructOpsError {
    /// A `.struct_ops` section has no BTF `DATASEC` of its name.
    ///
    /// At a [`Location::Section`].
    NoDatasec,
    /// A variable of a `.struct_ops` section is not a named struct inside
    /// the section.
    ///
    /// At a [`Location::StructOpsVar`].
    BadVar,
    /// A `.rel.struct_ops` relocation does not put a struct_ops program in
    /// a function pointer member of one of the section's variables.
    ///
    /// At a [`Location::Rel`].
    RelBad,
}

impl StructOpsError {
    /// The class (and so the errno) of this error.
    pub fn class(self) -> ErrorClass {
        match self {
            StructOpsError::NoDatasec | StructOpsError::BadVar | StructOpsError::RelBad => {
                ErrorClass::Malformed
            }
        }
    }
}

/// The log line's text after the area and the location.
impl fmt::Display for StructOpsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            StructOpsError::NoDatasec => f.write_str("no BTF DATASEC of that name"),
            StructOpsError::BadVar => f.write_str("not a named struct inside the section"),
            StructOpsError::RelBad => {
                f.write_str("not a struct_ops program in a function pointer member")
            }
        }
    }
}

/// A relocation of program code that cannot be collected (`reloc`).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelocError {
    /// A relocation offset is not instruction-aligned.
    ///
    /// At a [`Location::Rel`].
    BadOffset,
    /// A relocation's symbol is in a special section or not an extern.
    ///
    /// At a [`Location::Rel`].
    BadSymbol,
    /// A relocation's function cannot be found (internal inconsistency).
    ///
    /// At a [`Location::Rel`].
    NoFunc,
    /// A relocation against an instruction that is not a call or a whole
    /// `ld_imm64`, or of the wrong ELF type for it.
    ///
    /// At a [`Location::Rel`].
    BadInsn,
    /// A call relocation that is not a subprogram call into `.text`, or a
    /// misaligned subprogram address.
    ///
    /// At a [`Location::Rel`].
    BadCall,
    /// An `ld_imm64` relocation against something that is not a map, a
    /// global variable, a subprogram or an extern.
    ///
    /// At a [`Location::Rel`].
    BadTarget,
    /// No map at the relocation's symbol.
    ///
    /// At a [`Location::Rel`].
    NoMap,
    /// A global variable access outside its section.
    ///
    /// At a [`Location::Rel`].
    DataRange,
    /// Two relocations of one instruction.
    ///
    /// At a [`Location::Rel`].
    Duplicate,
}

impl RelocError {
    /// The class (and so the errno) of this error.
    pub fn class(self) -> ErrorClass {
        match self {
            RelocError::BadOffset
            | RelocError::BadSymbol
            | RelocError::NoFunc
            | RelocError::BadInsn
            | RelocError::BadCall
            | RelocError::BadTarget
            | RelocError::NoMap
            | RelocError::DataRange
            | RelocError::Duplicate => ErrorClass::Malformed,
        }
    }
}

/// The log line's text after the area and the location.
impl fmt::Display for RelocError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            RelocError::BadOffset => f.write_str("offset not instruction-aligned"),
            RelocError::BadSymbol => f.write_str("bad symbol"),
            RelocError::NoFunc => f.write_str("not inside a function"),
            RelocError::BadInsn => f.write_str("wrong instruction or relocation type"),
            RelocError::BadCall => f.write_str("bad subprogram call or address"),
            RelocError::BadTarget => f.write_str("symbol is not a map, global or extern"),
            RelocError::NoMap => f.write_str("no map at the symbol"),
            RelocError::DataRange => f.write_str("offset outside the data section"),
            RelocError::Duplicate => f.write_str("instruction relocated twice"),
        }
    }
}

/// A program that cannot be linked: subprogram calls, applied
/// relocations, `.BTF.ext` records (`relocate`).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkError {
    /// No program with this index.
    BadProgram {
        /// Program index.
        prog: u32,
    },
    /// A function's code cannot be read (internal inconsistency).
    ///
    /// At a [`Location::Symbol`].
    BadFunc,
    /// A call or callback reference that cannot be resolved.
    ///
    /// At a [`Location::Insn`].
    BadCall,
    /// A call or callback target that is not the start of a `.text`
    /// function.
    ///
    /// At a [`Location::Insn`].
    NoSubprog,
    /// A pseudo `ld_imm64` or kfunc call without a relocation (it would
    /// use the caller's file descriptors).
    ///
    /// At a [`Location::Insn`].
    Unrelocated,
    /// A relocation that cannot be applied (unresolved value).
    ///
    /// At a [`Location::Rel`].
    BadReloc,
    /// A subprogram without func_info while the program has some.
    ///
    /// At a [`Location::Symbol`].
    MissingFuncInfo,
    /// A subprogram without line_info while the program has some.
    ///
    /// At a [`Location::Symbol`].
    MissingLineInfo,
    /// A `.BTF.ext` record of a function is misaligned or targets a
    /// truncated `ld_imm64`.
    ///
    /// At a [`Location::Symbol`].
    BadExtRecord,
    /// A function's func_info is not exactly one record at its first
    /// instruction (what the verifier requires of every subprogram).
    ///
    /// At a [`Location::Symbol`].
    BadFuncInfo,
    /// A program with CO-RE relocations but no func_info: the 6.12
    /// verifier would silently ignore the relocations.
    ///
    /// At a [`Location::Symbol`].
    CoreWithoutFuncInfo,
    /// The linked program would exceed the instruction limit.
    TooBig {
        /// Instructions so far.
        insns: u32,
    },
    /// An `exception_callback:` decl tag not on a global program, with an
    /// empty name, or naming a static, hidden or ambiguous function.
    BadExceptionCb {
        /// The decl tag's type id.
        type_id: u32,
    },
    /// An `exception_callback:` decl tag names no `.text` function.
    NoExceptionCb {
        /// The decl tag's type id.
        type_id: u32,
    },
}

impl LinkError {
    /// The class (and so the errno) of this error.
    pub fn class(self) -> ErrorClass {
        match self {
            LinkError::BadProgram { .. } | LinkError::NoExceptionCb { .. } => ErrorClass::NotFound,
            LinkError::BadFunc
            | LinkError::BadCall
            | LinkError::NoSubprog
            | LinkError::Unrelocated
            | LinkError::BadReloc
            | LinkError::MissingFuncInfo
            | LinkError::MissingLineInfo
            | LinkError::BadExtRecord
            | LinkError::BadFuncInfo
            | LinkError::CoreWithoutFuncInfo
            | LinkError::BadExceptionCb { .. } => ErrorClass::Malformed,
            LinkError::TooBig { .. } => ErrorClass::TooBig,
        }
    }
}

/// The log line's text after the area and the location.
impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            LinkError::BadProgram { prog } => write!(f, "no program {prog}"),
            LinkError::BadFunc => f.write_str("function code unreadable"),
            LinkError::BadCall => f.write_str("unresolvable call"),
            LinkError::NoSubprog => f.write_str("target is not a .text function"),
            LinkError::Unrelocated => f.write_str("pseudo instruction without relocation"),
            LinkError::BadReloc => f.write_str("cannot apply"),
            LinkError::MissingFuncInfo => f.write_str("subprogram has no func_info"),
            LinkError::MissingLineInfo => f.write_str("subprogram has no line_info"),
            LinkError::BadExtRecord => f.write_str("bad .BTF.ext record"),
            LinkError::BadFuncInfo => {
                f.write_str("func_info is not one record at the function's first instruction")
            }
            LinkError::CoreWithoutFuncInfo => {
                f.write_str("CO-RE relocations without func_info (the kernel would ignore them)")
            }
            LinkError::TooBig { insns } => {
                write!(f, "program exceeds the instruction limit at {insns}")
            }
            LinkError::BadExceptionCb { type_id } => {
                write!(f, "decl tag [{type_id}]: bad exception_callback")
            }
            LinkError::NoExceptionCb { type_id } => {
                write!(f, "decl tag [{type_id}]: exception callback not found")
            }
        }
    }
}

/// An extern (`.kconfig`, `.ksyms`) that is malformed or that the
/// kernel cannot resolve (`externs`).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExternError {
    /// An extern symbol has no BTF `VAR` or `FUNC`.
    ///
    /// At a [`Location::Symbol`].
    NoBtf,
    /// An extern symbol's BTF `VAR` or `FUNC` does not have extern linkage.
    ///
    /// At a [`Location::Symbol`].
    NotExtern {
        /// The BTF type.
        type_id: u32,
    },
    /// An extern is in no `DATASEC`.
    ///
    /// At a [`Location::Symbol`].
    NoDatasec,
    /// An extern is in a `DATASEC` other than `.kconfig` and `.ksyms`.
    ///
    /// At a [`Location::Symbol`].
    BadSection {
        /// The `DATASEC`.
        sec_btf_id: u32,
    },
    /// A function in `.kconfig`.
    ///
    /// At a [`Location::Symbol`].
    KconfigFunc,
    /// A kconfig extern of an unsupported type.
    ///
    /// At a [`Location::Symbol`].
    KconfigType,
    /// A `.ksyms` or `.kconfig` entry has no extern symbol.
    NoSymbol {
        /// The BTF type of the entry.
        type_id: u32,
    },
    /// A kconfig extern larger than
    /// [`MAX_KCONFIG_SIZE`].
    ///
    /// At a [`Location::Symbol`].
    KconfigTooBig,
    /// A typeless ksym, and the caller may not see kernel addresses.
    ///
    /// At a [`Location::Extern`].
    KsymDenied,
    /// A typeless ksym that lives in a module (its address could go stale).
    ///
    /// At a [`Location::Extern`].
    KsymInModule,
    /// A kconfig value does not fit the extern's type.
    ///
    /// At a [`Location::Extern`].
    KconfigValue,
    /// A strong extern is not provided by the kernel.
    ///
    /// At a [`Location::Extern`].
    Unresolved,
}

impl ExternError {
    /// The class (and so the errno) of this error.
    pub fn class(self) -> ErrorClass {
        match self {
            ExternError::NoBtf
            | ExternError::NotExtern { .. }
            | ExternError::NoDatasec
            | ExternError::NoSymbol { .. }
            | ExternError::KconfigValue => ErrorClass::Malformed,
            ExternError::BadSection { .. }
            | ExternError::KconfigFunc
            | ExternError::KconfigType
            | ExternError::KsymInModule => ErrorClass::Unsupported,
            ExternError::KconfigTooBig => ErrorClass::TooBig,
            ExternError::KsymDenied => ErrorClass::Denied,
            ExternError::Unresolved => ErrorClass::NotFound,
        }
    }
}

/// The log line's text after the area and the location.
impl fmt::Display for ExternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ExternError::NoBtf => f.write_str("no BTF VAR or FUNC for the extern"),
            ExternError::NotExtern { type_id } => {
                write!(f, "BTF [{type_id}] does not have extern linkage")
            }
            ExternError::NoDatasec => f.write_str("extern is in no DATASEC"),
            ExternError::BadSection { sec_btf_id } => {
                write!(f, "DATASEC [{sec_btf_id}] is neither .kconfig nor .ksyms")
            }
            ExternError::KconfigFunc => f.write_str("functions are not allowed in .kconfig"),
            ExternError::KconfigType => f.write_str("unsupported kconfig type"),
            ExternError::NoSymbol { type_id } => {
                write!(f, "BTF [{type_id}]: extern DATASEC entry without a symbol")
            }
            ExternError::KconfigTooBig => write!(
                f,
                "kconfig extern larger than {MAX_KCONFIG_SIZE} bytes (MAX_KCONFIG_SIZE)"
            ),
            ExternError::KsymDenied => {
                f.write_str("typeless ksym needs kallsyms access (kptr_restrict)")
            }
            ExternError::KsymInModule => f.write_str("typeless ksym in a module is not supported"),
            ExternError::KconfigValue => f.write_str("kconfig value does not fit its type"),
            ExternError::Unresolved => f.write_str("not found in the running kernel"),
        }
    }
}

/// Which subsection of `.BTF.ext` an item or error belongs to (ordered
/// like the header's fields).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExtSection {
    /// `func_info`.
    FuncInfo,
    /// `line_info`.
    LineInfo,
    /// `core_relo`.
    CoreRelo,
}

impl fmt::Display for ExtSection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ExtSection::FuncInfo => "func_info",
            ExtSection::LineInfo => "line_info",
            ExtSection::CoreRelo => "core_relo",
        })
    }
}
