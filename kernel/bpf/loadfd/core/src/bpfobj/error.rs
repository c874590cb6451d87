// SPDX-License-Identifier: GPL-2.0

//! The core's error type: `Copy`, no allocation, carrying the indices and
//! offsets that locate the problem. The glue lowers [`Error::class`] to an
//! errno at the syscall edge and writes the [`Display`](core::fmt::Display)
//! form, one line, to the caller's log.

use core::fmt;

use crate::bpfobj::limits::{MAX_KCONFIG_SIZE, MAX_MAP_NAME_LEN, MAX_NAME_LEN, MAX_PROG_NAME_LEN};

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

/// A rejection of the object, with its location.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// Allocation failed.
    NoMem,
    /// A [`Checkpoint`](crate::bpfobj::checkpoint::Checkpoint) found the caller
    /// killed.
    Interrupted,
    /// A count or size is over one of the caps of
    /// [`crate::bpfobj::limits`].
    TooMany {
        /// Which cap.
        cap: crate::bpfobj::limits::Cap,
    },
    /// A section name is longer than
    /// [`MAX_NAME_LEN`].
    ElfSectionNameTooLong {
        /// Section index.
        section: u32,
    },
    /// A symbol name is longer than
    /// [`MAX_NAME_LEN`].
    ElfSymbolNameTooLong {
        /// Symbol index.
        symbol: u32,
    },
    /// A BTF name (type, section or member name) is longer than
    /// [`MAX_NAME_LEN`].
    BtfNameTooLong {
        /// Offset of the string in the BTF string section.
        offset: u32,
    },
    /// The file is shorter than an ELF header.
    ElfTooShort {
        /// File size in bytes.
        len: usize,
    },
    /// The first four bytes are not `\x7fELF`.
    ElfBadMagic,
    /// Not ELFCLASS64.
    ElfBadClass {
        /// `e_ident[EI_CLASS]`.
        class: u8,
    },
    /// Not the host's byte order (little endian on x86_64).
    ElfBadEndian {
        /// `e_ident[EI_DATA]`.
        data: u8,
    },
    /// `e_ident[EI_VERSION]` or `e_version` is not `EV_CURRENT`.
    ElfBadVersion {
        /// The version found.
        version: u32,
    },
    /// Not a relocatable object (`ET_REL`).
    ElfNotRel {
        /// `e_type`.
        e_type: u16,
    },
    /// Not a BPF object (`EM_BPF`, or `EM_NONE` from old LLVM).
    ElfNotBpf {
        /// `e_machine`.
        machine: u16,
    },
    /// `e_ehsize` is not the size of an ELF64 header.
    ElfBadEhsize {
        /// `e_ehsize`.
        ehsize: u16,
    },
    // --- elf.rs ---
    /// `e_shentsize` is not the size of an ELF64 section header.
    ElfBadShentsize {
        /// `e_shentsize`.
        shentsize: u16,
    },
    /// `e_shnum` is 0 (extended numbering) or reaches `SHN_LORESERVE`.
    ElfBadShnum {
        /// `e_shnum`.
        shnum: u16,
    },
    /// The section header table is outside the file or overlaps the ELF header.
    ElfShdrOutOfBounds {
        /// `e_shoff`.
        shoff: u64,
        /// `e_shnum`.
        shnum: u16,
    },
    /// Section header 0 is not all zero.
    ElfBadNullSection,
    /// `e_shstrndx` does not name a section.
    ElfBadShstrndx {
        /// `e_shstrndx`.
        shstrndx: u16,
    },
    /// A section index is out of range.
    ElfBadSectionIndex {
        /// The index.
        index: u32,
    },
    /// A section's contents are outside the file.
    ElfSectionOutOfBounds {
        /// Section index.
        section: u32,
        /// `sh_offset`.
        offset: u64,
        /// `sh_size`.
        size: u64,
    },
    /// A section's contents overlap the ELF header or the section header table.
    ElfSectionOverlapsHeaders {
        /// Section index.
        section: u32,
    },
    /// Two sections' contents overlap.
    ElfSectionOverlap {
        /// Section index.
        section: u32,
        /// The section it overlaps.
        other: u32,
    },
    /// A string table is not `SHT_STRTAB`, or does not start and end with a NUL.
    ElfBadStrtab {
        /// Section index.
        section: u32,
    },
    /// A section name offset is outside the section header string table.
    ElfBadSectionName {
        /// Section index.
        section: u32,
        /// `sh_name`.
        name_off: u32,
    },
    /// The object has no `SHT_SYMTAB`.
    ElfNoSymtab,
    /// The object has more than one `SHT_SYMTAB`.
    ElfMultipleSymtab {
        /// Index of the second one.
        section: u32,
    },
    /// A symbol or relocation section has the wrong `sh_entsize`.
    ElfBadEntsize {
        /// Section index.
        section: u32,
        /// `sh_entsize`.
        entsize: u64,
    },
    /// A table section's size is not a multiple of its entry size (or is 0).
    ElfBadSectionSize {
        /// Section index.
        section: u32,
        /// `sh_size`.
        size: u64,
    },
    /// A section's `sh_link` does not name the right section.
    ElfBadLink {
        /// Section index.
        section: u32,
        /// `sh_link`.
        link: u32,
    },
    /// A section's `sh_info` is out of range.
    ElfBadInfo {
        /// Section index.
        section: u32,
        /// `sh_info`.
        info: u32,
    },
    /// Symbol 0 is not all zero.
    ElfBadNullSymbol,
    /// A symbol index is out of range.
    ElfBadSymbolIndex {
        /// The index.
        index: u32,
    },
    /// A symbol name offset is outside the string table.
    ElfBadSymbolName {
        /// Symbol index.
        symbol: u32,
        /// `st_name`.
        name_off: u32,
    },
    /// A symbol's section index is neither a section nor `SHN_UNDEF`/`ABS`/`COMMON`.
    ElfBadSymbolShndx {
        /// Symbol index.
        symbol: u32,
        /// `st_shndx`.
        shndx: u16,
    },
    /// Relocations were asked of a section that is not `SHT_REL`.
    ElfNotRelSection {
        /// Section index.
        section: u32,
        /// Its `sh_type`.
        sh_type: u32,
    },
    /// An `SHT_RELA` section (BPF uses `SHT_REL` only).
    ElfRelaUnsupported {
        /// Section index.
        section: u32,
    },
    /// A relocation's symbol index is out of range.
    ElfRelBadSymbol {
        /// Relocation section index.
        section: u32,
        /// Relocation number in the section.
        rel: u32,
        /// Symbol index.
        sym: u32,
    },
    /// A relocation's offset is outside its target section.
    ElfRelBadOffset {
        /// Relocation section index.
        section: u32,
        /// Relocation number in the section.
        rel: u32,
        /// `r_offset`.
        offset: u64,
    },
    // --- btf.rs ---
    /// The BTF blob is larger than `BTF_MAX_SIZE`.
    BtfTooBig {
        /// Size in bytes.
        size: usize,
    },
    /// The BTF blob is shorter than its header.
    BtfTooShort {
        /// Size in bytes.
        len: usize,
    },
    /// Not `BTF_MAGIC` in the host byte order.
    BtfBadMagic {
        /// `magic`.
        magic: u16,
    },
    /// Unsupported BTF version.
    BtfBadVersion {
        /// `version`.
        version: u8,
    },
    /// Unsupported BTF flags.
    BtfBadFlags {
        /// `flags`.
        flags: u8,
    },
    /// `hdr_len` is shorter than the header or longer than the blob.
    BtfBadHdrLen {
        /// `hdr_len`.
        hdr_len: u32,
    },
    /// Header bytes beyond the known header are not zero.
    BtfHeaderTail {
        /// `hdr_len`.
        hdr_len: u32,
    },
    /// Nothing after the header.
    BtfNoData,
    /// A BTF section is outside the blob.
    BtfSectionOutOfBounds {
        /// Section offset (after the header).
        off: u32,
        /// Section length.
        len: u32,
    },
    /// Unaccounted-for bytes between or after the BTF sections.
    BtfSectionGap {
        /// Offset (after the header) of the first such byte.
        off: u32,
    },
    /// The BTF type and string sections overlap.
    BtfSectionOverlap {
        /// Offset of the overlapping section.
        off: u32,
    },
    /// The string section is not the last one.
    BtfStrNotLast,
    /// `type_off` is not 4-byte aligned.
    BtfUnalignedTypeOff {
        /// `type_off`.
        type_off: u32,
    },
    /// The string section is empty, too long, or not NUL-delimited.
    BtfBadStrSection {
        /// `str_len`.
        str_len: u32,
    },
    /// The type section is empty.
    BtfNoTypes,
    /// More types than `BTF_MAX_TYPE`.
    BtfTooManyTypes {
        /// Type count reached.
        count: u32,
    },
    /// A type record runs past the end of the type section.
    BtfTypeTruncated {
        /// Type id.
        type_id: u32,
        /// Offset of the record in the type section.
        offset: u32,
    },
    /// Reserved `info` bits are set.
    BtfBadInfo {
        /// Type id.
        type_id: u32,
        /// `info`.
        info: u32,
    },
    /// Unknown kind.
    BtfBadKind {
        /// Type id.
        type_id: u32,
        /// Kind.
        kind: u32,
    },
    /// A name offset is outside the string section.
    BtfBadNameOff {
        /// Type id.
        type_id: u32,
        /// The name offset.
        name_off: u32,
    },
    /// A name is missing where required, or present where forbidden.
    BtfBadName {
        /// Type id.
        type_id: u32,
    },
    /// `vlen` is not allowed for this kind.
    BtfBadVlen {
        /// Type id.
        type_id: u32,
        /// `vlen`.
        vlen: u16,
    },
    /// `kind_flag` is set on a kind that does not allow it.
    BtfBadKflag {
        /// Type id.
        type_id: u32,
    },
    /// A size that is invalid for the kind.
    BtfBadSize {
        /// Type id.
        type_id: u32,
        /// The size.
        size: u32,
    },
    /// An `INT`'s encoding, bits or offset are invalid.
    BtfBadInt {
        /// Type id.
        type_id: u32,
        /// The `INT` data word.
        int_data: u32,
    },
    /// A referenced type id does not exist (or is `void` where not allowed).
    BtfBadTypeRef {
        /// Type id.
        type_id: u32,
        /// The referenced id.
        ref_id: u32,
    },
    /// A struct/union member or function parameter is invalid.
    BtfBadMember {
        /// Type id.
        type_id: u32,
        /// Member or parameter index.
        member: u32,
    },
    /// Unknown `VAR` or `FUNC` linkage.
    BtfBadLinkage {
        /// Type id.
        type_id: u32,
        /// The linkage.
        linkage: u32,
    },
    /// A `DECL_TAG`'s component index is invalid.
    BtfBadComponentIdx {
        /// Type id.
        type_id: u32,
        /// `component_idx`.
        component_idx: i32,
    },
    /// A type id looked up does not exist.
    BtfBadTypeId {
        /// Type id.
        type_id: u32,
    },
    /// A string offset looked up is outside the string section.
    BtfBadStrOff {
        /// The offset.
        offset: u32,
    },
    /// A chain of type references is longer than `MAX_RESOLVE_DEPTH`.
    BtfResolveTooDeep {
        /// Type id.
        type_id: u32,
    },
    /// The type has no size (`void`, `FUNC`, `FWD`, ...).
    BtfNotSized {
        /// Type id.
        type_id: u32,
        /// Its kind.
        kind: u32,
    },
    /// A type's size does not fit 32 bits.
    BtfSizeOverflow {
        /// Type id.
        type_id: u32,
    },
    // --- btf_ext.rs ---
    /// The `.BTF.ext` blob is larger than `BTF_MAX_SIZE`.
    BtfExtTooBig {
        /// Size in bytes.
        size: usize,
    },
    /// The `.BTF.ext` blob is shorter than its header.
    BtfExtTooShort {
        /// Size in bytes.
        len: usize,
    },
    /// Not `BTF_MAGIC` in the host byte order.
    BtfExtBadMagic {
        /// `magic`.
        magic: u16,
    },
    /// Unsupported `.BTF.ext` version.
    BtfExtBadVersion {
        /// `version`.
        version: u8,
    },
    /// Unsupported `.BTF.ext` flags.
    BtfExtBadFlags {
        /// `flags`.
        flags: u8,
    },
    /// `hdr_len` is not 24, or at least 32, 4-aligned and within the blob.
    BtfExtBadHdrLen {
        /// `hdr_len`.
        hdr_len: u32,
    },
    /// Header bytes beyond the known header are not zero.
    BtfExtHeaderTail {
        /// `hdr_len`.
        hdr_len: u32,
    },
    /// Nothing after the header.
    BtfExtNoData,
    /// A subsection is outside the blob.
    BtfExtSectionOutOfBounds {
        /// Subsection.
        sec: ExtSection,
        /// Offset (after the header).
        off: u32,
        /// Length.
        len: u32,
    },
    /// A subsection offset is not 4-byte aligned.
    BtfExtUnaligned {
        /// Subsection.
        sec: ExtSection,
        /// Offset.
        off: u32,
    },
    /// Unaccounted-for bytes between or after the subsections.
    BtfExtGap {
        /// Offset (after the header) of the first such byte.
        off: u32,
    },
    /// Two subsections overlap.
    BtfExtOverlap {
        /// Subsection.
        sec: ExtSection,
        /// Its offset.
        off: u32,
    },
    /// A subsection has no record size or no blocks.
    BtfExtNoRecords {
        /// Subsection.
        sec: ExtSection,
    },
    /// A record size is too small, unaligned or too large.
    BtfExtBadRecSize {
        /// Subsection.
        sec: ExtSection,
        /// The record size.
        rec_size: u32,
    },
    /// A block's header or records run past the end of the subsection.
    BtfExtTruncatedBlock {
        /// Subsection.
        sec: ExtSection,
        /// Block number.
        block: u32,
        /// Offset of the block in the subsection's block list.
        offset: u32,
    },
    /// A block has no records.
    BtfExtEmptyBlock {
        /// Subsection.
        sec: ExtSection,
        /// Block number.
        block: u32,
    },
    /// A record's instruction offset is not a multiple of the instruction size.
    BtfExtBadInsnOff {
        /// Subsection.
        sec: ExtSection,
        /// Block number.
        block: u32,
        /// Record number.
        rec: u32,
        /// `insn_off`.
        insn_off: u32,
    },
    /// Unknown CO-RE relocation kind.
    BtfExtBadCoreKind {
        /// Block number.
        block: u32,
        /// Record number.
        rec: u32,
        /// The kind.
        kind: u32,
    },
    /// A string offset in a record is outside the BTF string section.
    BtfExtBadStrOff {
        /// Subsection.
        sec: ExtSection,
        /// Block number.
        block: u32,
        /// The offset.
        off: u32,
    },
    /// A record's type id does not exist (or is not a `FUNC` for func_info).
    BtfExtBadTypeId {
        /// Subsection.
        sec: ExtSection,
        /// Block number.
        block: u32,
        /// Record number.
        rec: u32,
        /// The type id.
        type_id: u32,
    },
    // --- insn.rs ---
    /// An instruction buffer's size is not a multiple of 8.
    InsnBadSize {
        /// Size in bytes.
        len: usize,
    },
    // --- sec_def.rs, object.rs, maps.rs, externs.rs, reloc.rs, relocate.rs ---
    /// A program section name matches no entry of the SEC-name table.
    SecUnknown {
        /// ELF section index.
        section: u32,
    },
    /// A program section of a type this loader does not support
    /// (`struct_ops`).
    SecUnsupported {
        /// ELF section index.
        section: u32,
        /// Its `bpf_prog_type`.
        prog_type: u32,
    },
    /// A section that must be unique appears twice.
    ObjDuplicateSection {
        /// ELF section index of the second one.
        section: u32,
    },
    /// The `license` section has no NUL or is longer than 127 bytes.
    ObjBadLicense {
        /// ELF section index.
        section: u32,
    },
    /// The `version` section is not 4 bytes.
    ObjBadVersion {
        /// ELF section index.
        section: u32,
    },
    /// Legacy `maps` section (not supported, like libbpf 1.0).
    ObjLegacyMaps {
        /// ELF section index.
        section: u32,
    },
    /// `.maps`, `.BTF` or `.BTF.ext` is not `SHT_PROGBITS`.
    ObjBadSectionType {
        /// ELF section index.
        section: u32,
    },
    /// A section the loader does not support (`struct_ops`, arena,
    /// relocations inside data).
    ObjUnsupportedSection {
        /// ELF section index.
        section: u32,
    },
    /// BTF is needed (for `.maps`, externs or `.BTF.ext`) but missing.
    ObjBtfRequired {
        /// ELF section index of what needs it.
        section: u32,
    },
    /// A `.BTF.ext` block names a section that is not a code section.
    ObjExtUnknownSection {
        /// Offset of the section name in the BTF strings.
        sec_name_off: u32,
    },
    /// Two `.BTF.ext` blocks of one subsection for the same section.
    ObjExtDuplicateBlock {
        /// Subsection.
        sec: ExtSection,
        /// Offset of the section name in the BTF strings.
        sec_name_off: u32,
    },
    /// func_info or line_info `insn_off`s not strictly increasing (the
    /// verifier requires it), or more CO-RE records than instructions.
    ObjExtNotIncreasing {
        /// Subsection.
        sec: ExtSection,
        /// Offset of the block's section name in the BTF strings.
        sec_name_off: u32,
        /// Record number in the block.
        rec: u32,
    },
    /// A `.BTF.ext` record is misaligned or outside its section.
    ObjExtBadRecord {
        /// Offset of the block's section name in the BTF strings.
        sec_name_off: u32,
        /// Record number in the block.
        rec: u32,
    },
    /// A `DATASEC` has size 0 and no ELF section gives its size.
    ObjDatasecNoSection {
        /// The `DATASEC`'s type id.
        type_id: u32,
    },
    /// A `DATASEC` entry is not a `VAR`.
    ObjDatasecBadVar {
        /// The `DATASEC`'s type id.
        type_id: u32,
        /// Entry number.
        index: u32,
    },
    /// A global `VAR` of a `DATASEC` has no ELF symbol.
    ObjDatasecNoSymbol {
        /// The `DATASEC`'s type id.
        type_id: u32,
        /// Entry number.
        index: u32,
    },
    /// A function symbol is empty, misaligned, outside its section or
    /// unnamed.
    ProgBadFunc {
        /// ELF section index.
        section: u32,
        /// ELF symbol index.
        symbol: u32,
    },
    /// A static (local) function outside `.text` (a program must be global).
    ProgStatic {
        /// ELF section index.
        section: u32,
        /// ELF symbol index.
        symbol: u32,
    },
    /// Two functions overlap.
    ProgOverlap {
        /// ELF section index.
        section: u32,
        /// ELF symbol index of the second one.
        symbol: u32,
    },
    /// A program name that cannot name a sysfs directory (empty, `.`,
    /// `..`, a `/` or a control character) or is not identifier-like.
    ProgBadName {
        /// ELF section index.
        section: u32,
        /// ELF symbol index.
        symbol: u32,
    },
    /// A program name longer than
    /// [`MAX_PROG_NAME_LEN`].
    ProgNameTooLong {
        /// ELF section index.
        section: u32,
        /// ELF symbol index.
        symbol: u32,
    },
    /// Two programs have the same name.
    ProgDuplicateName {
        /// ELF symbol index of one of them.
        symbol: u32,
    },
    /// An extern symbol has no BTF `VAR` or `FUNC`.
    ExternNoBtf {
        /// ELF symbol index.
        symbol: u32,
    },
    /// An extern symbol's BTF `VAR` or `FUNC` does not have extern linkage.
    ExternNotExtern {
        /// ELF symbol index.
        symbol: u32,
        /// The BTF type.
        type_id: u32,
    },
    /// An extern is in no `DATASEC`.
    ExternNoDatasec {
        /// ELF symbol index.
        symbol: u32,
    },
    /// An extern is in a `DATASEC` other than `.kconfig` and `.ksyms`.
    ExternBadSection {
        /// ELF symbol index.
        symbol: u32,
        /// The `DATASEC`.
        sec_btf_id: u32,
    },
    /// A function in `.kconfig`.
    ExternKconfigFunc {
        /// ELF symbol index.
        symbol: u32,
    },
    /// A kconfig extern of an unsupported type.
    ExternKconfigType {
        /// ELF symbol index.
        symbol: u32,
    },
    /// A `.ksyms` or `.kconfig` entry has no extern symbol.
    ExternNoSymbol {
        /// The BTF type of the entry.
        type_id: u32,
    },
    /// A kconfig extern larger than
    /// [`MAX_KCONFIG_SIZE`].
    ExternKconfigTooBig {
        /// ELF symbol index.
        symbol: u32,
    },
    /// A typeless ksym, and the caller may not see kernel addresses.
    ExternKsymDenied {
        /// Extern index.
        ext: u32,
    },
    /// A typeless ksym that lives in a module (its address could go stale).
    ExternKsymInModule {
        /// Extern index.
        ext: u32,
    },
    /// A kconfig value does not fit the extern's type.
    ExternKconfigValue {
        /// Extern index.
        ext: u32,
    },
    /// A strong extern is not provided by the kernel.
    ExternUnresolved {
        /// Extern index.
        ext: u32,
    },
    /// `.maps` has no `DATASEC` in BTF.
    MapNoDatasec {
        /// ELF section index of `.maps`.
        section: u32,
    },
    /// A `.maps` entry is not a named `VAR` of a struct inside the section,
    /// or overlaps the previous one.
    MapBadVar {
        /// Entry number in the `.maps` `DATASEC`.
        map: u32,
    },
    /// A `.maps` variable is not global (static or extern maps).
    MapBadLinkage {
        /// Entry number in the `.maps` `DATASEC`.
        map: u32,
    },
    /// A map definition member is malformed or conflicts with another.
    MapBadDef {
        /// Entry number in the `.maps` `DATASEC`.
        map: u32,
        /// Member number.
        member: u32,
    },
    /// A map definition member this loader does not know or support.
    MapUnsupported {
        /// Entry number in the `.maps` `DATASEC`.
        map: u32,
        /// Member number.
        member: u32,
    },
    /// A map name that is not identifier-like (letters, digits, `_`, `.`).
    MapBadName {
        /// ELF section of the map (`.maps` for BTF-defined maps).
        section: u32,
        /// Entry number in the `.maps` `DATASEC` (0 for data maps).
        entry: u32,
    },
    /// A map name longer than
    /// [`MAX_MAP_NAME_LEN`].
    MapNameTooLong {
        /// ELF section of the map (`.maps` for BTF-defined maps).
        section: u32,
        /// Entry number in the `.maps` `DATASEC` (0 for data maps).
        entry: u32,
    },
    /// Two maps with the same name.
    MapDuplicateName {
        /// ELF section of the second one (`.maps` for BTF-defined maps).
        section: u32,
        /// Entry number in the `.maps` `DATASEC` (0 for data maps).
        entry: u32,
    },
    /// `map_flags` outside the allow-list (unknown flags, or ones that make
    /// `BPF_MAP_CREATE` read another object: `BPF_F_TOKEN_FD`,
    /// `BPF_F_VTYPE_BTF_OBJ_FD`, or arena and struct_ops flags).
    MapBadFlags {
        /// Entry number in the `.maps` `DATASEC`.
        map: u32,
        /// The flags.
        flags: u32,
    },
    /// A map-in-map whose inner map template is not one of the object's.
    MapInnerOutOfRange {
        /// Index of the map in the object.
        map: u32,
        /// Index of the inner map template.
        inner: u32,
    },
    /// A map definition without `type`.
    MapNoType {
        /// Entry number in the `.maps` `DATASEC`.
        map: u32,
    },
    /// A data section too large for a map.
    MapBadData {
        /// ELF section index.
        section: u32,
    },
    /// `.rel.maps` without `.maps`, or not relocating it.
    MapRelNoMaps {
        /// ELF section index of `.rel.maps`.
        section: u32,
    },
    /// A `.rel.maps` relocation is not a valid initial slot.
    MapRelBad {
        /// Relocation number.
        rel: u32,
    },
    /// `__arena` variables (`.addr_space.1`) without a `BPF_MAP_TYPE_ARENA`
    /// map in `.maps`.
    ArenaNoMap {
        /// ELF section index of `.addr_space.1`.
        section: u32,
    },
    /// More than one `BPF_MAP_TYPE_ARENA` map (libbpf supports one).
    ArenaTooManyMaps {
        /// The second arena map's index.
        map: u32,
    },
    /// The `__arena` variables do not fit the arena.
    ArenaTooSmall {
        /// ELF section index of `.addr_space.1`.
        section: u32,
    },
    /// A `.struct_ops` section has no BTF `DATASEC` of its name.
    StructOpsNoDatasec {
        /// ELF section index.
        section: u32,
    },
    /// A variable of a `.struct_ops` section is not a named struct inside
    /// the section.
    StructOpsBadVar {
        /// ELF section index.
        section: u32,
        /// Variable number in the `DATASEC`.
        var: u32,
    },
    /// A `.rel.struct_ops` relocation does not put a struct_ops program in
    /// a function pointer member of one of the section's variables.
    StructOpsRelBad {
        /// ELF section index of the relocation section.
        section: u32,
        /// Relocation number.
        rel: u32,
    },
    /// A relocation offset is not instruction-aligned.
    RelocBadOffset {
        /// ELF relocation section.
        section: u32,
        /// Relocation number.
        rel: u32,
    },
    /// A relocation's symbol is in a special section or not an extern.
    RelocBadSymbol {
        /// ELF relocation section.
        section: u32,
        /// Relocation number.
        rel: u32,
    },
    /// A relocation's function cannot be found (internal inconsistency).
    RelocNoFunc {
        /// ELF relocation section.
        section: u32,
        /// Relocation number.
        rel: u32,
    },
    /// A relocation against an instruction that is not a call or a whole
    /// `ld_imm64`, or of the wrong ELF type for it.
    RelocBadInsn {
        /// ELF relocation section.
        section: u32,
        /// Relocation number.
        rel: u32,
    },
    /// A call relocation that is not a subprogram call into `.text`, or a
    /// misaligned subprogram address.
    RelocBadCall {
        /// ELF relocation section.
        section: u32,
        /// Relocation number.
        rel: u32,
    },
    /// An `ld_imm64` relocation against something that is not a map, a
    /// global variable, a subprogram or an extern.
    RelocBadTarget {
        /// ELF relocation section.
        section: u32,
        /// Relocation number.
        rel: u32,
    },
    /// No map at the relocation's symbol.
    RelocNoMap {
        /// ELF relocation section.
        section: u32,
        /// Relocation number.
        rel: u32,
    },
    /// A global variable access outside its section.
    RelocDataRange {
        /// ELF relocation section.
        section: u32,
        /// Relocation number.
        rel: u32,
    },
    /// Two relocations of one instruction.
    RelocDuplicate {
        /// ELF relocation section.
        section: u32,
        /// Relocation number.
        rel: u32,
    },
    /// No program with this index.
    LinkBadProgram {
        /// Program index.
        prog: u32,
    },
    /// A function's code cannot be read (internal inconsistency).
    LinkBadFunc {
        /// ELF symbol index of the function.
        symbol: u32,
    },
    /// A call or callback reference that cannot be resolved.
    LinkBadCall {
        /// ELF symbol index of the calling function.
        symbol: u32,
        /// Instruction index in the function.
        insn: u32,
    },
    /// A call or callback target that is not the start of a `.text`
    /// function.
    LinkNoSubprog {
        /// ELF symbol index of the calling function.
        symbol: u32,
        /// Instruction index in the function.
        insn: u32,
    },
    /// A pseudo `ld_imm64` or kfunc call without a relocation (it would
    /// use the caller's file descriptors).
    LinkUnrelocated {
        /// ELF symbol index of the function.
        symbol: u32,
        /// Instruction index in the function.
        insn: u32,
    },
    /// A relocation that cannot be applied (unresolved value).
    LinkBadReloc {
        /// ELF relocation section.
        section: u32,
        /// Relocation number.
        rel: u32,
    },
    /// A subprogram without func_info while the program has some.
    LinkMissingFuncInfo {
        /// ELF symbol index of the subprogram.
        symbol: u32,
    },
    /// A subprogram without line_info while the program has some.
    LinkMissingLineInfo {
        /// ELF symbol index of the subprogram.
        symbol: u32,
    },
    /// A `.BTF.ext` record of a function is misaligned or targets a
    /// truncated `ld_imm64`.
    LinkBadExtRecord {
        /// ELF symbol index of the function.
        symbol: u32,
    },
    /// A function's func_info is not exactly one record at its first
    /// instruction (what the verifier requires of every subprogram).
    LinkBadFuncInfo {
        /// ELF symbol index of the function.
        symbol: u32,
    },
    /// A program with CO-RE relocations but no func_info: the 6.12
    /// verifier would silently ignore the relocations.
    LinkCoreWithoutFuncInfo {
        /// ELF symbol index of the program's function.
        symbol: u32,
    },
    /// The linked program would exceed the instruction limit.
    LinkTooBig {
        /// Instructions so far.
        insns: u32,
    },
    /// An `exception_callback:` decl tag not on a global program, with an
    /// empty name, or naming a static, hidden or ambiguous function.
    LinkBadExceptionCb {
        /// The decl tag's type id.
        type_id: u32,
    },
    /// An `exception_callback:` decl tag names no `.text` function.
    LinkNoExceptionCb {
        /// The decl tag's type id.
        type_id: u32,
    },
}

impl Error {
    /// The ELF section the error is about, if it names one (errors carry
    /// indices only; the glue adds the section's name to the log line).
    pub fn section(&self) -> Option<u32> {
        match *self {
            Error::ElfSectionOutOfBounds { section, .. }
            | Error::ElfSectionOverlapsHeaders { section, .. }
            | Error::ElfSectionOverlap { section, .. }
            | Error::ElfBadStrtab { section, .. }
            | Error::ElfBadSectionName { section, .. }
            | Error::ElfMultipleSymtab { section, .. }
            | Error::ElfBadEntsize { section, .. }
            | Error::ElfBadSectionSize { section, .. }
            | Error::ElfBadLink { section, .. }
            | Error::ElfBadInfo { section, .. }
            | Error::ElfNotRelSection { section, .. }
            | Error::ElfRelaUnsupported { section, .. }
            | Error::ElfRelBadSymbol { section, .. }
            | Error::ElfRelBadOffset { section, .. }
            | Error::SecUnknown { section, .. }
            | Error::SecUnsupported { section, .. }
            | Error::ObjDuplicateSection { section, .. }
            | Error::ObjBadLicense { section, .. }
            | Error::ObjBadVersion { section, .. }
            | Error::ObjLegacyMaps { section, .. }
            | Error::ObjBadSectionType { section, .. }
            | Error::ObjUnsupportedSection { section, .. }
            | Error::ObjBtfRequired { section, .. }
            | Error::ProgBadFunc { section, .. }
            | Error::ProgStatic { section, .. }
            | Error::ProgOverlap { section, .. }
            | Error::ProgBadName { section, .. }
            | Error::ProgNameTooLong { section, .. }
            | Error::ElfSectionNameTooLong { section }
            | Error::MapBadName { section, .. }
            | Error::MapNameTooLong { section, .. }
            | Error::MapDuplicateName { section, .. }
            | Error::MapNoDatasec { section, .. }
            | Error::MapBadData { section, .. }
            | Error::MapRelNoMaps { section, .. }
            | Error::ArenaNoMap { section }
            | Error::ArenaTooSmall { section }
            | Error::StructOpsNoDatasec { section }
            | Error::StructOpsBadVar { section, .. }
            | Error::StructOpsRelBad { section, .. }
            | Error::RelocBadOffset { section, .. }
            | Error::RelocBadSymbol { section, .. }
            | Error::RelocNoFunc { section, .. }
            | Error::RelocBadInsn { section, .. }
            | Error::RelocBadCall { section, .. }
            | Error::RelocBadTarget { section, .. }
            | Error::RelocNoMap { section, .. }
            | Error::RelocDataRange { section, .. }
            | Error::RelocDuplicate { section, .. }
            | Error::LinkBadReloc { section, .. } => Some(section),
            _ => None,
        }
    }

    /// The extern (index in `Object::externs`) the error is about, if any.
    pub fn extern_index(&self) -> Option<u32> {
        match *self {
            Error::ExternKconfigValue { ext, .. }
            | Error::ExternUnresolved { ext, .. }
            | Error::ExternKsymDenied { ext }
            | Error::ExternKsymInModule { ext } => Some(ext),
            _ => None,
        }
    }
}

impl Error {
    /// Whether a relocation error is the program's own (this program
    /// cannot be loaded, the object is fine) rather than the whole
    /// object's: running out of memory, a fatal signal and the object's
    /// byte budget refuse the object.
    pub fn is_program_local(&self) -> bool {
        !matches!(
            self,
            Error::NoMem | Error::Interrupted | Error::TooMany { .. }
        )
    }

    /// The class (and so the errno) of this error.
    pub fn class(self) -> ErrorClass {
        match self {
            Error::NoMem => ErrorClass::NoMem,
            Error::Interrupted => ErrorClass::Interrupted,
            Error::ExternKsymDenied { .. } => ErrorClass::Denied,
            Error::TooMany { .. }
            | Error::ElfSectionNameTooLong { .. }
            | Error::ElfSymbolNameTooLong { .. }
            | Error::BtfNameTooLong { .. }
            | Error::ProgNameTooLong { .. }
            | Error::MapNameTooLong { .. }
            | Error::ExternKconfigTooBig { .. } => ErrorClass::TooBig,
            Error::ExternKsymInModule { .. } => ErrorClass::Unsupported,
            Error::ProgBadName { .. }
            | Error::MapBadName { .. }
            | Error::MapDuplicateName { .. }
            | Error::MapBadFlags { .. }
            | Error::MapInnerOutOfRange { .. }
            | Error::ObjExtDuplicateBlock { .. }
            | Error::ObjExtNotIncreasing { .. }
            | Error::LinkBadFuncInfo { .. }
            | Error::LinkCoreWithoutFuncInfo { .. } => ErrorClass::Malformed,
            Error::ElfTooShort { .. }
            | Error::ElfBadMagic
            | Error::ElfBadClass { .. }
            | Error::ElfBadEndian { .. }
            | Error::ElfNotRel { .. }
            | Error::ElfNotBpf { .. } => ErrorClass::NotBpfObject,
            Error::ElfBadVersion { .. } | Error::ElfBadEhsize { .. } => ErrorClass::Malformed,
            // elf.rs, btf.rs, btf_ext.rs, insn.rs.
            Error::ElfBadShentsize { .. }
            | Error::ElfBadShnum { .. }
            | Error::ElfShdrOutOfBounds { .. }
            | Error::ElfBadNullSection
            | Error::ElfBadShstrndx { .. }
            | Error::ElfBadSectionIndex { .. }
            | Error::ElfSectionOutOfBounds { .. }
            | Error::ElfSectionOverlapsHeaders { .. }
            | Error::ElfSectionOverlap { .. }
            | Error::ElfBadStrtab { .. }
            | Error::ElfBadSectionName { .. }
            | Error::ElfNoSymtab
            | Error::ElfMultipleSymtab { .. }
            | Error::ElfBadEntsize { .. }
            | Error::ElfBadSectionSize { .. }
            | Error::ElfBadLink { .. }
            | Error::ElfBadInfo { .. }
            | Error::ElfBadNullSymbol
            | Error::ElfBadSymbolIndex { .. }
            | Error::ElfBadSymbolName { .. }
            | Error::ElfBadSymbolShndx { .. }
            | Error::ElfNotRelSection { .. }
            | Error::ElfRelBadSymbol { .. }
            | Error::ElfRelBadOffset { .. } => ErrorClass::Malformed,
            Error::ElfRelaUnsupported { .. } => ErrorClass::Unsupported,
            Error::BtfTooBig { .. }
            | Error::BtfHeaderTail { .. }
            | Error::BtfTooManyTypes { .. }
            | Error::BtfExtTooBig { .. }
            | Error::BtfExtHeaderTail { .. } => ErrorClass::TooBig,
            Error::BtfBadVersion { .. }
            | Error::BtfBadFlags { .. }
            | Error::BtfExtBadVersion { .. }
            | Error::BtfExtBadFlags { .. } => ErrorClass::Unsupported,
            Error::BtfTooShort { .. }
            | Error::BtfBadMagic { .. }
            | Error::BtfBadHdrLen { .. }
            | Error::BtfNoData
            | Error::BtfSectionOutOfBounds { .. }
            | Error::BtfSectionGap { .. }
            | Error::BtfSectionOverlap { .. }
            | Error::BtfStrNotLast
            | Error::BtfUnalignedTypeOff { .. }
            | Error::BtfBadStrSection { .. }
            | Error::BtfNoTypes
            | Error::BtfTypeTruncated { .. }
            | Error::BtfBadInfo { .. }
            | Error::BtfBadKind { .. }
            | Error::BtfBadNameOff { .. }
            | Error::BtfBadName { .. }
            | Error::BtfBadVlen { .. }
            | Error::BtfBadKflag { .. }
            | Error::BtfBadSize { .. }
            | Error::BtfBadInt { .. }
            | Error::BtfBadTypeRef { .. }
            | Error::BtfBadMember { .. }
            | Error::BtfBadLinkage { .. }
            | Error::BtfBadComponentIdx { .. }
            | Error::BtfBadTypeId { .. }
            | Error::BtfBadStrOff { .. }
            | Error::BtfResolveTooDeep { .. }
            | Error::BtfNotSized { .. }
            | Error::BtfSizeOverflow { .. }
            | Error::BtfExtTooShort { .. }
            | Error::BtfExtBadMagic { .. }
            | Error::BtfExtBadHdrLen { .. }
            | Error::BtfExtNoData
            | Error::BtfExtSectionOutOfBounds { .. }
            | Error::BtfExtUnaligned { .. }
            | Error::BtfExtGap { .. }
            | Error::BtfExtOverlap { .. }
            | Error::BtfExtNoRecords { .. }
            | Error::BtfExtBadRecSize { .. }
            | Error::BtfExtTruncatedBlock { .. }
            | Error::BtfExtEmptyBlock { .. }
            | Error::BtfExtBadInsnOff { .. }
            | Error::BtfExtBadCoreKind { .. }
            | Error::BtfExtBadStrOff { .. }
            | Error::BtfExtBadTypeId { .. }
            | Error::InsnBadSize { .. } => ErrorClass::Malformed,
            // sec_def.rs, object.rs, maps.rs, externs.rs, reloc.rs, relocate.rs.
            Error::SecUnknown { .. }
            | Error::SecUnsupported { .. }
            | Error::ObjLegacyMaps { .. }
            | Error::ObjUnsupportedSection { .. }
            | Error::ProgStatic { .. }
            | Error::ExternBadSection { .. }
            | Error::ExternKconfigFunc { .. }
            | Error::ExternKconfigType { .. }
            | Error::MapBadLinkage { .. }
            | Error::MapUnsupported { .. } => ErrorClass::Unsupported,
            Error::ExternUnresolved { .. }
            | Error::LinkBadProgram { .. }
            | Error::LinkNoExceptionCb { .. } => ErrorClass::NotFound,
            Error::LinkTooBig { .. } | Error::ArenaTooSmall { .. } => ErrorClass::TooBig,
            Error::ObjDuplicateSection { .. }
            | Error::ObjBadLicense { .. }
            | Error::ObjBadVersion { .. }
            | Error::ObjBadSectionType { .. }
            | Error::ObjBtfRequired { .. }
            | Error::ObjExtUnknownSection { .. }
            | Error::ObjExtBadRecord { .. }
            | Error::ObjDatasecNoSection { .. }
            | Error::ObjDatasecBadVar { .. }
            | Error::ObjDatasecNoSymbol { .. }
            | Error::ProgBadFunc { .. }
            | Error::ProgOverlap { .. }
            | Error::ProgDuplicateName { .. }
            | Error::ExternNoBtf { .. }
            | Error::ExternNotExtern { .. }
            | Error::ExternNoDatasec { .. }
            | Error::ExternNoSymbol { .. }
            | Error::ExternKconfigValue { .. }
            | Error::MapNoDatasec { .. }
            | Error::MapBadVar { .. }
            | Error::MapBadDef { .. }
            | Error::MapNoType { .. }
            | Error::MapBadData { .. }
            | Error::MapRelNoMaps { .. }
            | Error::MapRelBad { .. }
            | Error::ArenaNoMap { .. }
            | Error::ArenaTooManyMaps { .. }
            | Error::StructOpsNoDatasec { .. }
            | Error::StructOpsBadVar { .. }
            | Error::StructOpsRelBad { .. }
            | Error::RelocBadOffset { .. }
            | Error::RelocBadSymbol { .. }
            | Error::RelocNoFunc { .. }
            | Error::RelocBadInsn { .. }
            | Error::RelocBadCall { .. }
            | Error::RelocBadTarget { .. }
            | Error::RelocNoMap { .. }
            | Error::RelocDataRange { .. }
            | Error::RelocDuplicate { .. }
            | Error::LinkBadFunc { .. }
            | Error::LinkBadCall { .. }
            | Error::LinkNoSubprog { .. }
            | Error::LinkUnrelocated { .. }
            | Error::LinkBadReloc { .. }
            | Error::LinkMissingFuncInfo { .. }
            | Error::LinkMissingLineInfo { .. }
            | Error::LinkBadExtRecord { .. }
            | Error::LinkBadExceptionCb { .. } => ErrorClass::Malformed,
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

impl From<crate::bpfobj::compat::AllocError> for Error {
    fn from(_: crate::bpfobj::compat::AllocError) -> Self {
        Error::NoMem
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::NoMem => write!(f, "out of memory"),
            Error::Interrupted => write!(f, "interrupted by a fatal signal"),
            Error::TooMany { cap } => write!(f, "limit: {cap}"),
            Error::ElfSectionNameTooLong { section } => write!(
                f,
                "elf: section {section}: name longer than {MAX_NAME_LEN} bytes (KSYM_NAME_LEN - 1)"
            ),
            Error::ElfSymbolNameTooLong { symbol } => write!(
                f,
                "elf: symbol {symbol}: name longer than {MAX_NAME_LEN} bytes (KSYM_NAME_LEN - 1)"
            ),
            Error::BtfNameTooLong { offset } => write!(
                f,
                "btf: name at string offset {offset} longer than {MAX_NAME_LEN} bytes (KSYM_NAME_LEN - 1)"
            ),
            Error::ProgBadName { section, symbol } => write!(
                f,
                "prog: section {section} symbol {symbol}: program name is not identifier-like \
                 (letters, digits, '_' and '.')"
            ),
            Error::ProgNameTooLong { section, symbol } => write!(
                f,
                "prog: section {section} symbol {symbol}: program name longer than \
                 {MAX_PROG_NAME_LEN} bytes (MAX_PROG_NAME_LEN)"
            ),
            Error::ExternKconfigTooBig { symbol } => write!(
                f,
                "externs: symbol {symbol}: kconfig extern larger than {MAX_KCONFIG_SIZE} bytes \
                 (MAX_KCONFIG_SIZE)"
            ),
            Error::ExternKsymDenied { ext } => write!(
                f,
                "externs: extern {ext}: typeless ksym needs kallsyms access (kptr_restrict)"
            ),
            Error::ExternKsymInModule { ext } => write!(
                f,
                "externs: extern {ext}: typeless ksym in a module is not supported"
            ),
            Error::MapBadName { section, entry } => write!(
                f,
                "maps: section {section} entry {entry}: map name is not identifier-like \
                 (letters, digits, '_' and '.')"
            ),
            Error::MapNameTooLong { section, entry } => write!(
                f,
                "maps: section {section} entry {entry}: map name longer than \
                 {MAX_MAP_NAME_LEN} bytes (BPF_LOADFD_NAME_LEN - 1)"
            ),
            Error::MapDuplicateName { section, entry } => {
                write!(f, "maps: section {section} entry {entry}: duplicate map name")
            }
            Error::MapInnerOutOfRange { map, inner } => {
                write!(f, "maps: map {map}: inner map {inner} out of range")
            }
            Error::MapBadFlags { map, flags } => write!(
                f,
                "maps: map {map}: map_flags {flags:#x} not allowed (unknown, BPF_F_TOKEN_FD, \
                 BPF_F_VTYPE_BTF_OBJ_FD, arena or struct_ops flags)"
            ),
            Error::ObjExtDuplicateBlock { sec, sec_name_off } => write!(
                f,
                "btf.ext: {sec}: two blocks for the section name at {sec_name_off}"
            ),
            Error::ObjExtNotIncreasing {
                sec,
                sec_name_off,
                rec,
            } => write!(
                f,
                "btf.ext: {sec}: section name at {sec_name_off} rec {rec}: insn_off not strictly \
                 increasing"
            ),
            Error::LinkBadFuncInfo { symbol } => write!(
                f,
                "link: symbol {symbol}: func_info is not one record at the function's first \
                 instruction"
            ),
            Error::LinkCoreWithoutFuncInfo { symbol } => write!(
                f,
                "link: symbol {symbol}: CO-RE relocations without func_info (the kernel would \
                 ignore them)"
            ),
            Error::ElfTooShort { len } => {
                write!(f, "elf: file is {len} bytes, shorter than an ELF64 header")
            }
            Error::ElfBadMagic => write!(f, "elf: bad magic, not an ELF file"),
            Error::ElfBadClass { class } => write!(f, "elf: EI_CLASS {class}, not ELFCLASS64"),
            Error::ElfBadEndian { data } => {
                write!(f, "elf: EI_DATA {data}, not the host byte order")
            }
            Error::ElfBadVersion { version } => write!(f, "elf: version {version}, not EV_CURRENT"),
            Error::ElfNotRel { e_type } => {
                write!(f, "elf: e_type {e_type}, not a relocatable object (ET_REL)")
            }
            Error::ElfNotBpf { machine } => {
                write!(f, "elf: e_machine {machine}, not EM_BPF")
            }
            Error::ElfBadEhsize { ehsize } => write!(f, "elf: e_ehsize {ehsize}, expected 64"),
            // elf.rs.
            Error::ElfBadShentsize { shentsize } => {
                write!(f, "elf: e_shentsize {shentsize}, expected 64")
            }
            Error::ElfBadShnum { shnum } => {
                write!(f, "elf: e_shnum {shnum}, must be 1..0xff00 (no extended numbering)")
            }
            Error::ElfShdrOutOfBounds { shoff, shnum } => write!(
                f,
                "elf: section header table at {shoff} ({shnum} entries) is outside the file or overlaps the ELF header"
            ),
            Error::ElfBadNullSection => write!(f, "elf: section header 0 is not all zero"),
            Error::ElfBadShstrndx { shstrndx } => {
                write!(f, "elf: e_shstrndx {shstrndx} does not name a section")
            }
            Error::ElfBadSectionIndex { index } => {
                write!(f, "elf: section index {index} out of range")
            }
            Error::ElfSectionOutOfBounds {
                section,
                offset,
                size,
            } => write!(
                f,
                "elf: section {section}: contents at {offset} size {size} are outside the file"
            ),
            Error::ElfSectionOverlapsHeaders { section } => write!(
                f,
                "elf: section {section}: contents overlap the ELF header or section header table"
            ),
            Error::ElfSectionOverlap { section, other } => {
                write!(f, "elf: section {section}: contents overlap section {other}")
            }
            Error::ElfBadStrtab { section } => write!(
                f,
                "elf: section {section}: not a string table starting and ending with NUL"
            ),
            Error::ElfBadSectionName { section, name_off } => {
                write!(f, "elf: section {section}: name offset {name_off} out of range")
            }
            Error::ElfNoSymtab => write!(f, "elf: no symbol table"),
            Error::ElfMultipleSymtab { section } => {
                write!(f, "elf: section {section}: a second symbol table")
            }
            Error::ElfBadEntsize { section, entsize } => {
                write!(f, "elf: section {section}: bad sh_entsize {entsize}")
            }
            Error::ElfBadSectionSize { section, size } => write!(
                f,
                "elf: section {section}: size {size} is not a non-zero multiple of its entry size"
            ),
            Error::ElfBadLink { section, link } => {
                write!(f, "elf: section {section}: bad sh_link {link}")
            }
            Error::ElfBadInfo { section, info } => {
                write!(f, "elf: section {section}: bad sh_info {info}")
            }
            Error::ElfBadNullSymbol => write!(f, "elf: symbol 0 is not all zero"),
            Error::ElfBadSymbolIndex { index } => {
                write!(f, "elf: symbol index {index} out of range")
            }
            Error::ElfBadSymbolName { symbol, name_off } => {
                write!(f, "elf: symbol {symbol}: name offset {name_off} out of range")
            }
            Error::ElfBadSymbolShndx { symbol, shndx } => {
                write!(f, "elf: symbol {symbol}: bad section index {shndx}")
            }
            Error::ElfNotRelSection { section, sh_type } => {
                write!(f, "elf: section {section}: type {sh_type}, not SHT_REL")
            }
            Error::ElfRelaUnsupported { section } => {
                write!(f, "elf: section {section}: SHT_RELA is not supported for BPF")
            }
            Error::ElfRelBadSymbol { section, rel, sym } => {
                write!(f, "elf: section {section} rel {rel}: symbol {sym} out of range")
            }
            Error::ElfRelBadOffset {
                section,
                rel,
                offset,
            } => write!(
                f,
                "elf: section {section} rel {rel}: offset {offset} outside the target section"
            ),
            // btf.rs.
            Error::BtfTooBig { size } => {
                write!(f, "btf: {size} bytes, larger than BTF_MAX_SIZE")
            }
            Error::BtfTooShort { len } => write!(f, "btf: {len} bytes, shorter than the header"),
            Error::BtfBadMagic { magic } => {
                write!(f, "btf: magic {magic:#x}, not 0xeb9f in host byte order")
            }
            Error::BtfBadVersion { version } => write!(f, "btf: unsupported version {version}"),
            Error::BtfBadFlags { flags } => write!(f, "btf: unsupported flags {flags:#x}"),
            Error::BtfBadHdrLen { hdr_len } => write!(f, "btf: bad hdr_len {hdr_len}"),
            Error::BtfHeaderTail { hdr_len } => {
                write!(f, "btf: unsupported non-zero header bytes (hdr_len {hdr_len})")
            }
            Error::BtfNoData => write!(f, "btf: no data after the header"),
            Error::BtfSectionOutOfBounds { off, len } => {
                write!(f, "btf: section at {off} len {len} is outside the blob")
            }
            Error::BtfSectionGap { off } => {
                write!(f, "btf: unsupported data at offset {off} (gap or trailing bytes)")
            }
            Error::BtfSectionOverlap { off } => write!(f, "btf: section overlap at offset {off}"),
            Error::BtfStrNotLast => write!(f, "btf: string section is not at the end"),
            Error::BtfUnalignedTypeOff { type_off } => {
                write!(f, "btf: type_off {type_off} is not 4-byte aligned")
            }
            Error::BtfBadStrSection { str_len } => {
                write!(f, "btf: invalid string section (str_len {str_len})")
            }
            Error::BtfNoTypes => write!(f, "btf: no type found"),
            Error::BtfTooManyTypes { count } => write!(f, "btf: more than {count} types"),
            Error::BtfTypeTruncated { type_id, offset } => {
                write!(f, "btf: [{type_id}] at {offset}: record truncated")
            }
            Error::BtfBadInfo { type_id, info } => {
                write!(f, "btf: [{type_id}] invalid btf_info {info:#x}")
            }
            Error::BtfBadKind { type_id, kind } => {
                write!(f, "btf: [{type_id}] invalid kind {kind}")
            }
            Error::BtfBadNameOff { type_id, name_off } => {
                write!(f, "btf: [{type_id}] invalid name_offset {name_off}")
            }
            Error::BtfBadName { type_id } => write!(f, "btf: [{type_id}] invalid name"),
            Error::BtfBadVlen { type_id, vlen } => {
                write!(f, "btf: [{type_id}] vlen {vlen} not allowed")
            }
            Error::BtfBadKflag { type_id } => write!(f, "btf: [{type_id}] invalid kind_flag"),
            Error::BtfBadSize { type_id, size } => {
                write!(f, "btf: [{type_id}] invalid size {size}")
            }
            Error::BtfBadInt { type_id, int_data } => {
                write!(f, "btf: [{type_id}] invalid int data {int_data:#x}")
            }
            Error::BtfBadTypeRef { type_id, ref_id } => {
                write!(f, "btf: [{type_id}] invalid type_id {ref_id}")
            }
            Error::BtfBadMember { type_id, member } => {
                write!(f, "btf: [{type_id}] member/param {member} invalid")
            }
            Error::BtfBadLinkage { type_id, linkage } => {
                write!(f, "btf: [{type_id}] invalid linkage {linkage}")
            }
            Error::BtfBadComponentIdx {
                type_id,
                component_idx,
            } => write!(f, "btf: [{type_id}] invalid component_idx {component_idx}"),
            Error::BtfBadTypeId { type_id } => write!(f, "btf: type id {type_id} out of range"),
            Error::BtfBadStrOff { offset } => {
                write!(f, "btf: string offset {offset} out of range")
            }
            Error::BtfResolveTooDeep { type_id } => {
                write!(f, "btf: [{type_id}] type chain deeper than 32")
            }
            Error::BtfNotSized { type_id, kind } => {
                write!(f, "btf: [{type_id}] kind {kind} has no size")
            }
            Error::BtfSizeOverflow { type_id } => {
                write!(f, "btf: [{type_id}] size does not fit 32 bits")
            }
            // btf_ext.rs.
            Error::BtfExtTooBig { size } => {
                write!(f, "btf.ext: {size} bytes, larger than BTF_MAX_SIZE")
            }
            Error::BtfExtTooShort { len } => {
                write!(f, "btf.ext: {len} bytes, shorter than the header")
            }
            Error::BtfExtBadMagic { magic } => {
                write!(f, "btf.ext: magic {magic:#x}, not 0xeb9f in host byte order")
            }
            Error::BtfExtBadVersion { version } => {
                write!(f, "btf.ext: unsupported version {version}")
            }
            Error::BtfExtBadFlags { flags } => write!(f, "btf.ext: unsupported flags {flags:#x}"),
            Error::BtfExtBadHdrLen { hdr_len } => write!(f, "btf.ext: bad hdr_len {hdr_len}"),
            Error::BtfExtHeaderTail { hdr_len } => {
                write!(f, "btf.ext: unsupported non-zero header bytes (hdr_len {hdr_len})")
            }
            Error::BtfExtNoData => write!(f, "btf.ext: no data after the header"),
            Error::BtfExtSectionOutOfBounds { sec, off, len } => {
                write!(f, "btf.ext: {sec} at {off} len {len} is outside the blob")
            }
            Error::BtfExtUnaligned { sec, off } => {
                write!(f, "btf.ext: {sec} offset {off} is not 4-byte aligned")
            }
            Error::BtfExtGap { off } => {
                write!(f, "btf.ext: unsupported data at offset {off} (gap or trailing bytes)")
            }
            Error::BtfExtOverlap { sec, off } => {
                write!(f, "btf.ext: {sec} at {off} overlaps another subsection")
            }
            Error::BtfExtNoRecords { sec } => write!(f, "btf.ext: {sec} has no records"),
            Error::BtfExtBadRecSize { sec, rec_size } => {
                write!(f, "btf.ext: {sec} invalid record size {rec_size}")
            }
            Error::BtfExtTruncatedBlock { sec, block, offset } => {
                write!(f, "btf.ext: {sec} block {block} at {offset} is truncated")
            }
            Error::BtfExtEmptyBlock { sec, block } => {
                write!(f, "btf.ext: {sec} block {block} has no records")
            }
            Error::BtfExtBadInsnOff {
                sec,
                block,
                rec,
                insn_off,
            } => write!(
                f,
                "btf.ext: {sec} block {block} rec {rec}: insn_off {insn_off} not a multiple of 8"
            ),
            Error::BtfExtBadCoreKind { block, rec, kind } => {
                write!(f, "btf.ext: core_relo block {block} rec {rec}: unknown kind {kind}")
            }
            Error::BtfExtBadStrOff { sec, block, off } => {
                write!(f, "btf.ext: {sec} block {block}: string offset {off} out of range")
            }
            Error::BtfExtBadTypeId {
                sec,
                block,
                rec,
                type_id,
            } => write!(f, "btf.ext: {sec} block {block} rec {rec}: invalid type_id {type_id}"),
            // insn.rs.
            Error::InsnBadSize { len } => {
                write!(f, "insn: {len} bytes, not a multiple of 8")
            }
            // sec_def.rs, object.rs, maps.rs, externs.rs, reloc.rs, relocate.rs.
            Error::SecUnknown { section } => {
                write!(f, "prog: section {section}: unknown program section name")
            }
            Error::SecUnsupported { section, prog_type } => write!(
                f,
                "prog: section {section}: program type {prog_type} is not supported"
            ),
            Error::ObjDuplicateSection { section } => {
                write!(f, "obj: section {section}: duplicate section")
            }
            Error::ObjBadLicense { section } => write!(
                f,
                "obj: section {section}: license is not a NUL-terminated string of at most 127 bytes"
            ),
            Error::ObjBadVersion { section } => {
                write!(f, "obj: section {section}: version section is not 4 bytes")
            }
            Error::ObjLegacyMaps { section } => write!(
                f,
                "obj: section {section}: legacy 'maps' section is not supported, use .maps"
            ),
            Error::ObjBadSectionType { section } => {
                write!(f, "obj: section {section}: not SHT_PROGBITS")
            }
            Error::ObjUnsupportedSection { section } => {
                write!(f, "obj: section {section}: section kind not supported")
            }
            Error::ObjBtfRequired { section } => {
                write!(f, "obj: section {section}: needs .BTF, which is missing")
            }
            Error::ObjExtUnknownSection { sec_name_off } => write!(
                f,
                "btf.ext: block for section name at {sec_name_off}: no such code section"
            ),
            Error::ObjExtBadRecord { sec_name_off, rec } => write!(
                f,
                "btf.ext: section name at {sec_name_off} rec {rec}: not an instruction of the section"
            ),
            Error::ObjDatasecNoSection { type_id } => write!(
                f,
                "btf: DATASEC [{type_id}]: size 0 and no ELF section to take it from"
            ),
            Error::ObjDatasecBadVar { type_id, index } => {
                write!(f, "btf: DATASEC [{type_id}] entry {index}: not a VAR")
            }
            Error::ObjDatasecNoSymbol { type_id, index } => write!(
                f,
                "btf: DATASEC [{type_id}] entry {index}: no ELF symbol for the variable"
            ),
            Error::ProgBadFunc { section, symbol } => write!(
                f,
                "prog: section {section} symbol {symbol}: bad function (size, alignment or bounds)"
            ),
            Error::ProgStatic { section, symbol } => write!(
                f,
                "prog: section {section} symbol {symbol}: static programs are not supported"
            ),
            Error::ProgOverlap { section, symbol } => {
                write!(f, "prog: section {section} symbol {symbol}: overlaps another function")
            }
            Error::ProgDuplicateName { symbol } => {
                write!(f, "prog: symbol {symbol}: duplicate program name")
            }
            Error::ExternNoBtf { symbol } => {
                write!(f, "externs: symbol {symbol}: no BTF VAR or FUNC for the extern")
            }
            Error::ExternNotExtern { symbol, type_id } => write!(
                f,
                "externs: symbol {symbol}: BTF [{type_id}] does not have extern linkage"
            ),
            Error::ExternNoDatasec { symbol } => {
                write!(f, "externs: symbol {symbol}: extern is in no DATASEC")
            }
            Error::ExternBadSection { symbol, sec_btf_id } => write!(
                f,
                "externs: symbol {symbol}: DATASEC [{sec_btf_id}] is neither .kconfig nor .ksyms"
            ),
            Error::ExternKconfigFunc { symbol } => {
                write!(f, "externs: symbol {symbol}: functions are not allowed in .kconfig")
            }
            Error::ExternKconfigType { symbol } => {
                write!(f, "externs: symbol {symbol}: unsupported kconfig type")
            }
            Error::ExternNoSymbol { type_id } => {
                write!(f, "externs: BTF [{type_id}]: extern DATASEC entry without a symbol")
            }
            Error::ExternKconfigValue { ext } => {
                write!(f, "externs: extern {ext}: kconfig value does not fit its type")
            }
            Error::ExternUnresolved { ext } => {
                write!(f, "externs: extern {ext}: not found in the running kernel")
            }
            Error::MapNoDatasec { section } => {
                write!(f, "maps: section {section}: no .maps DATASEC in BTF")
            }
            Error::MapBadVar { map } => {
                write!(
                    f,
                    "maps: map {map}: not a named struct variable inside .maps, or overlapping"
                )
            }
            Error::MapBadLinkage { map } => {
                write!(f, "maps: map {map}: only global map variables are supported")
            }
            Error::MapBadDef { map, member } => {
                write!(f, "maps: map {map} member {member}: malformed or conflicting")
            }
            Error::MapUnsupported { map, member } => {
                write!(f, "maps: map {map} member {member}: not supported")
            }
            Error::MapNoType { map } => write!(f, "maps: map {map}: no map type"),
            Error::MapBadData { section } => {
                write!(f, "maps: section {section}: data section too large")
            }
            Error::MapRelNoMaps { section } => {
                write!(f, "maps: section {section}: .rel.maps does not relocate .maps")
            }
            Error::MapRelBad { rel } => {
                write!(f, "maps: .rel.maps rel {rel}: not a valid initial slot")
            }
            Error::ArenaNoMap { section } => write!(
                f,
                "arena: section {section}: __arena variables need a BPF_MAP_TYPE_ARENA map in .maps"
            ),
            Error::ArenaTooManyMaps { map } => {
                write!(f, "arena: map {map}: more than one BPF_MAP_TYPE_ARENA map")
            }
            Error::ArenaTooSmall { section } => write!(
                f,
                "arena: section {section}: the __arena variables do not fit the arena's pages"
            ),
            Error::StructOpsNoDatasec { section } => {
                write!(f, "struct_ops: section {section}: no BTF DATASEC of that name")
            }
            Error::StructOpsBadVar { section, var } => write!(
                f,
                "struct_ops: section {section} var {var}: not a named struct inside the section"
            ),
            Error::StructOpsRelBad { section, rel } => write!(
                f,
                "struct_ops: section {section} rel {rel}: not a struct_ops program in a function \
                 pointer member"
            ),
            Error::RelocBadOffset { section, rel } => {
                write!(f, "reloc: section {section} rel {rel}: offset not instruction-aligned")
            }
            Error::RelocBadSymbol { section, rel } => {
                write!(f, "reloc: section {section} rel {rel}: bad symbol")
            }
            Error::RelocNoFunc { section, rel } => {
                write!(f, "reloc: section {section} rel {rel}: not inside a function")
            }
            Error::RelocBadInsn { section, rel } => write!(
                f,
                "reloc: section {section} rel {rel}: wrong instruction or relocation type"
            ),
            Error::RelocBadCall { section, rel } => {
                write!(f, "reloc: section {section} rel {rel}: bad subprogram call or address")
            }
            Error::RelocBadTarget { section, rel } => {
                write!(
                    f,
                    "reloc: section {section} rel {rel}: symbol is not a map, global or extern"
                )
            }
            Error::RelocNoMap { section, rel } => {
                write!(f, "reloc: section {section} rel {rel}: no map at the symbol")
            }
            Error::RelocDataRange { section, rel } => {
                write!(f, "reloc: section {section} rel {rel}: offset outside the data section")
            }
            Error::RelocDuplicate { section, rel } => {
                write!(f, "reloc: section {section} rel {rel}: instruction relocated twice")
            }
            Error::LinkBadProgram { prog } => write!(f, "link: no program {prog}"),
            Error::LinkBadFunc { symbol } => {
                write!(f, "link: symbol {symbol}: function code unreadable")
            }
            Error::LinkBadCall { symbol, insn } => {
                write!(f, "link: symbol {symbol} insn {insn}: unresolvable call")
            }
            Error::LinkNoSubprog { symbol, insn } => write!(
                f,
                "link: symbol {symbol} insn {insn}: target is not a .text function"
            ),
            Error::LinkUnrelocated { symbol, insn } => write!(
                f,
                "link: symbol {symbol} insn {insn}: pseudo instruction without relocation"
            ),
            Error::LinkBadReloc { section, rel } => {
                write!(f, "link: section {section} rel {rel}: cannot apply")
            }
            Error::LinkMissingFuncInfo { symbol } => {
                write!(f, "link: symbol {symbol}: subprogram has no func_info")
            }
            Error::LinkMissingLineInfo { symbol } => {
                write!(f, "link: symbol {symbol}: subprogram has no line_info")
            }
            Error::LinkBadExtRecord { symbol } => {
                write!(f, "link: symbol {symbol}: bad .BTF.ext record")
            }
            Error::LinkTooBig { insns } => {
                write!(f, "link: program exceeds the instruction limit at {insns}")
            }
            Error::LinkBadExceptionCb { type_id } => {
                write!(f, "link: decl tag [{type_id}]: bad exception_callback")
            }
            Error::LinkNoExceptionCb { type_id } => {
                write!(f, "link: decl tag [{type_id}]: exception callback not found")
            }
        }
    }
}
