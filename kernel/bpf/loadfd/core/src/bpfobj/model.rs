// SPDX-License-Identifier: GPL-2.0

//! The parts an object is made of, as [`crate::bpfobj::object::Object`]
//! presents them: what each ELF section is, its functions and its programs.
//! A leaf of the core: the collectors that build an object (maps, relocation
//! records, struct_ops) use these types without depending on the object.

/// What an ELF section is to the loader.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SectionKind {
    /// Not used (debug info, string tables, unknown non-program data).
    Other,
    /// Executable code holding programs.
    Program,
    /// `.text`: subprograms.
    Text,
    /// `.maps`: BTF-defined maps.
    Maps,
    /// `.data` or `.data.*`.
    Data,
    /// `.rodata` or `.rodata.*`.
    Rodata,
    /// `.bss` or `.bss.*`.
    Bss,
    /// Relocations of a code section.
    CodeRel,
    /// `.rel.maps`: initial map-in-map and prog-array slots.
    MapsRel,
    /// `.struct_ops` or `.struct_ops.link` (maybe with a leading `?`).
    StructOps,
    /// Relocations of a struct_ops section: its programs.
    StructOpsRel,
    /// `.addr_space.1`: `__arena` variables, the first bytes of the arena.
    Arena,
    /// `.BTF`.
    Btf,
    /// `.BTF.ext`.
    BtfExt,
    /// `license`.
    License,
    /// `version`.
    Version,
    /// The symbol table.
    Symtab,
}

/// A function: a program's entry point or a `.text` subprogram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Function<'a> {
    /// Symbol name.
    pub name: &'a [u8],
    /// ELF symbol index.
    pub symbol: u32,
    /// ELF section index.
    pub section: u32,
    /// Offset in the section, in instructions.
    pub insn_off: u32,
    /// Length, in instructions.
    pub insn_cnt: u32,
    /// The instructions' bytes.
    pub insns: &'a [u8],
    /// Global or weak binding.
    pub global: bool,
    /// Global but hidden or internal visibility: verified as static.
    pub hidden: bool,
    /// Index in [`Object::programs`] for an entry point, `None` for a
    /// subprogram.
    pub program: Option<usize>,
    /// First record in [`Object::relocs`] (records are sorted by function,
    /// then instruction).
    pub reloc_start: usize,
    /// One past the last record in [`Object::relocs`].
    pub reloc_end: usize,
}

/// A program: an entry-point function in a `SEC("...")` section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Program<'a> {
    /// Function (symbol) name; what `BPF_PROG_LOAD` asks for.
    pub name: &'a [u8],
    /// Section name, without a leading `?`.
    pub section: &'a [u8],
    /// ELF section index.
    pub sec_idx: u32,
    /// `bpf_prog_type` from the section name.
    pub prog_type: u32,
    /// `expected_attach_type` from the section name.
    pub expected_attach_type: u32,
    /// Attach target from the section name (`"do_unlinkat"` for
    /// `fentry/do_unlinkat`), empty if none.
    pub attach_func: &'a [u8],
    /// Whether the target is a kernel BTF object.
    pub attach_btf: bool,
    /// BTF name prefix of the target (see [`sec_def::ProgSpec`]).
    pub attach_btf_prefix: &'static [u8],
    /// BTF kind of the target.
    pub attach_btf_kind: u32,
    /// Sleepable program.
    pub sleepable: bool,
    /// `prog_flags` implied by the section name.
    pub prog_flags: u32,
    /// `false` for `SEC("?...")`.
    pub autoload: bool,
    /// A USDT program (see [`sec_def::ProgSpec::usdt`]).
    pub usdt: bool,
    /// Instructions of the main function alone.
    pub insn_cnt: u32,
    /// Index in [`Object::functions`].
    pub func: usize,
}

/// Whether `name` is identifier-like: ASCII letters, digits, `_` and `.`
/// (the characters of C identifiers and ELF section names). Program and map
/// names name sysfs directories and appear in logs.
pub(crate) fn is_identifier_like(name: &[u8]) -> bool {
    !name.is_empty()
        && name != b"."
        && name != b".."
        && name
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || c == b'_' || c == b'.')
}

/// `__arena` variables: the first bytes of the object's arena map.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arena<'a> {
    /// The `BPF_MAP_TYPE_ARENA` map (index in [`Object::maps`]).
    pub map: usize,
    /// ELF section index of `.addr_space.1`.
    pub section: u32,
    /// Initial bytes (empty if the section is `SHT_NOBITS`).
    pub data: &'a [u8],
    /// Size of the variables, from the section (at least `data.len()`).
    pub size: u32,
}
