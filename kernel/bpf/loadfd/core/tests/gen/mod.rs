// SPDX-License-Identifier: GPL-2.0

//! Hand-built BPF objects for the hostile-input tests and the core
//! benchmark (`examples/bench_hostile.rs`): a small ELF writer, a BTF and
//! `.BTF.ext` builder, and generators for the shapes of the security review
//! (long names, many programs, many sections and `DATASEC`s, many
//! `.BTF.ext` records, many externs, record amplification).
//!
//! Everything here is plain std Rust with no dependency on the rest of the
//! test infrastructure (no clang, no kernel tree), so the benchmark can
//! include it by path.

#![allow(dead_code, unreachable_pub, clippy::all)]

pub const SHT_PROGBITS: u32 = 1;
pub const SHT_SYMTAB: u32 = 2;
pub const SHT_STRTAB: u32 = 3;
pub const SHT_NOBITS: u32 = 8;
pub const SHT_REL: u32 = 9;
pub const SHF_WRITE: u64 = 1;
pub const SHF_ALLOC: u64 = 2;
pub const SHF_EXECINSTR: u64 = 4;
pub const STB_LOCAL: u8 = 0;
pub const STB_GLOBAL: u8 = 1;
pub const STB_WEAK: u8 = 2;
pub const STT_NOTYPE: u8 = 0;
pub const STT_OBJECT: u8 = 1;
pub const STT_FUNC: u8 = 2;
pub const STT_SECTION: u8 = 3;
pub const SHN_ABS: u16 = 0xfff1;
pub const R_BPF_64_64: u32 = 1;
pub const R_BPF_64_32: u32 = 10;

/// One ELF section.
#[derive(Clone, Debug, Default)]
pub struct Sec {
    pub name: Vec<u8>,
    pub ty: u32,
    pub flags: u64,
    pub data: Vec<u8>,
    /// Size of an `SHT_NOBITS` section.
    pub nobits: u64,
    pub link: u32,
    pub info: u32,
    pub entsize: u64,
}

/// One ELF symbol; the name is an offset into [`Elf::strtab`].
#[derive(Clone, Copy, Debug, Default)]
pub struct Sym {
    pub name: u32,
    pub bind: u8,
    pub typ: u8,
    pub other: u8,
    pub shndx: u16,
    pub value: u64,
    pub size: u64,
}

/// A relocatable BPF ELF object being built. Sections get indices from 1
/// in the order they are added; `.strtab`, `.symtab` and `.shstrtab` are
/// appended by [`Elf::finish`].
pub struct Elf {
    pub secs: Vec<Sec>,
    pub strtab: Vec<u8>,
    pub syms: Vec<Sym>,
    /// Section names may be raw offsets into a custom `.shstrtab`
    /// (see [`Elf::shstr_raw`]).
    shstr_extra: Vec<u8>,
}

impl Default for Elf {
    fn default() -> Self {
        Self::new()
    }
}

impl Elf {
    pub fn new() -> Self {
        Elf {
            secs: Vec::new(),
            strtab: vec![0],
            syms: vec![Sym::default()],
            shstr_extra: Vec::new(),
        }
    }

    /// Adds a section, returning its index.
    pub fn sec(&mut self, s: Sec) -> u16 {
        self.secs.push(s);
        self.secs.len() as u16
    }

    /// A code section.
    pub fn code(&mut self, name: &[u8], insns: &[u8]) -> u16 {
        self.sec(Sec {
            name: name.to_vec(),
            ty: SHT_PROGBITS,
            flags: SHF_ALLOC | SHF_EXECINSTR,
            data: insns.to_vec(),
            ..Default::default()
        })
    }

    /// A data section (`.data*`, `.rodata*`).
    pub fn data(&mut self, name: &[u8], bytes: &[u8]) -> u16 {
        self.sec(Sec {
            name: name.to_vec(),
            ty: SHT_PROGBITS,
            flags: SHF_ALLOC | SHF_WRITE,
            data: bytes.to_vec(),
            ..Default::default()
        })
    }

    /// Adds a string to `.strtab`, returning its offset.
    pub fn str(&mut self, s: &[u8]) -> u32 {
        let off = self.strtab.len() as u32;
        self.strtab.extend_from_slice(s);
        self.strtab.push(0);
        off
    }

    /// Adds a symbol, returning its index.
    pub fn sym(&mut self, s: Sym) -> u32 {
        self.syms.push(s);
        (self.syms.len() - 1) as u32
    }

    /// A global function symbol named `name` at instruction `insn` of
    /// section `sec`, `len` instructions long.
    pub fn func(&mut self, name: &[u8], sec: u16, insn: u64, len: u64) -> u32 {
        let n = self.str(name);
        self.sym(Sym {
            name: n,
            bind: STB_GLOBAL,
            typ: STT_FUNC,
            shndx: sec,
            value: insn * 8,
            size: len * 8,
            ..Default::default()
        })
    }

    /// Relocations for section `target`: `(offset, symbol, type)`.
    pub fn rels(&mut self, target: u16, rels: &[(u64, u32, u32)]) -> u16 {
        let mut data = Vec::with_capacity(rels.len() * 16);
        for &(off, sym, ty) in rels {
            data.extend_from_slice(&off.to_le_bytes());
            data.extend_from_slice(&(((sym as u64) << 32) | ty as u64).to_le_bytes());
        }
        let name = [b".rel".as_slice(), &self.secs[target as usize - 1].name].concat();
        self.sec(Sec {
            name,
            ty: SHT_REL,
            data,
            // Patched to .symtab in finish().
            link: u32::MAX,
            info: target as u32,
            entsize: 16,
            ..Default::default()
        })
    }

    /// Makes the next section's name point at raw `.shstrtab` bytes
    /// (`bytes` must contain the NUL it wants, or none at all).
    pub fn shstr_raw(&mut self, bytes: &[u8]) -> u32 {
        let off = self.shstr_extra.len() as u32;
        self.shstr_extra.extend_from_slice(bytes);
        off
    }

    /// The object's bytes.
    pub fn finish(mut self) -> Vec<u8> {
        let nuser = self.secs.len() as u32;
        let (strtab_idx, symtab_idx, shstrtab_idx) = (nuser + 1, nuser + 2, nuser + 3);
        for s in self.secs.iter_mut() {
            if s.ty == SHT_REL && s.link == u32::MAX {
                s.link = symtab_idx;
            }
        }
        let mut symtab = Vec::with_capacity(self.syms.len() * 24);
        let mut first_global = self.syms.len() as u32;
        for (i, s) in self.syms.iter().enumerate() {
            if s.bind != STB_LOCAL && (i as u32) < first_global {
                first_global = i as u32;
            }
            symtab.extend_from_slice(&s.name.to_le_bytes());
            symtab.push((s.bind << 4) | (s.typ & 0xf));
            symtab.push(s.other);
            symtab.extend_from_slice(&s.shndx.to_le_bytes());
            symtab.extend_from_slice(&s.value.to_le_bytes());
            symtab.extend_from_slice(&s.size.to_le_bytes());
        }
        let strtab = std::mem::take(&mut self.strtab);
        self.secs.push(Sec {
            name: b".strtab".to_vec(),
            ty: SHT_STRTAB,
            data: strtab,
            ..Default::default()
        });
        self.secs.push(Sec {
            name: b".symtab".to_vec(),
            ty: SHT_SYMTAB,
            data: symtab,
            link: strtab_idx,
            info: first_global,
            entsize: 24,
            ..Default::default()
        });
        // .shstrtab: the extra raw bytes first (after the leading NUL),
        // then every section name.
        let mut shstr = vec![0u8];
        let extra_base = shstr.len() as u32;
        shstr.extend_from_slice(&self.shstr_extra);
        shstr.push(0);
        let mut name_offs = Vec::new();
        for s in self.secs.iter() {
            if let Some(raw) = s.name.strip_prefix(b"\xff@".as_slice()) {
                // "\xff@<offset>": a raw offset into the extra bytes.
                let off: u32 = std::str::from_utf8(raw).unwrap().parse().unwrap();
                name_offs.push(extra_base + off);
            } else {
                name_offs.push(shstr.len() as u32);
                shstr.extend_from_slice(&s.name);
                shstr.push(0);
            }
        }
        name_offs.push(shstr.len() as u32);
        shstr.extend_from_slice(b".shstrtab\0");
        self.secs.push(Sec {
            name: b".shstrtab".to_vec(),
            ty: SHT_STRTAB,
            data: shstr,
            ..Default::default()
        });
        assert_eq!(self.secs.len() as u32, shstrtab_idx);

        let mut out = vec![0u8; 64];
        let mut offs = Vec::new();
        for s in &self.secs {
            while out.len() % 8 != 0 {
                out.push(0);
            }
            offs.push(out.len() as u64);
            if s.ty != SHT_NOBITS {
                out.extend_from_slice(&s.data);
            }
        }
        while out.len() % 8 != 0 {
            out.push(0);
        }
        let shoff = out.len() as u64;
        out.extend_from_slice(&[0u8; 64]);
        for (i, s) in self.secs.iter().enumerate() {
            let size = if s.ty == SHT_NOBITS {
                s.nobits
            } else {
                s.data.len() as u64
            };
            let mut h = Vec::with_capacity(64);
            h.extend_from_slice(&name_offs[i].to_le_bytes());
            h.extend_from_slice(&s.ty.to_le_bytes());
            h.extend_from_slice(&s.flags.to_le_bytes());
            h.extend_from_slice(&0u64.to_le_bytes());
            h.extend_from_slice(&offs[i].to_le_bytes());
            h.extend_from_slice(&size.to_le_bytes());
            h.extend_from_slice(&s.link.to_le_bytes());
            h.extend_from_slice(&s.info.to_le_bytes());
            h.extend_from_slice(&8u64.to_le_bytes());
            h.extend_from_slice(&s.entsize.to_le_bytes());
            out.extend_from_slice(&h);
        }
        let shnum = self.secs.len() as u16 + 1;
        out[..4].copy_from_slice(b"\x7fELF");
        out[4] = 2; // ELFCLASS64
        out[5] = 1; // little endian
        out[6] = 1;
        out[16..18].copy_from_slice(&1u16.to_le_bytes()); // ET_REL
        out[18..20].copy_from_slice(&247u16.to_le_bytes()); // EM_BPF
        out[20..24].copy_from_slice(&1u32.to_le_bytes());
        out[40..48].copy_from_slice(&shoff.to_le_bytes());
        out[52..54].copy_from_slice(&64u16.to_le_bytes());
        out[58..60].copy_from_slice(&64u16.to_le_bytes());
        out[60..62].copy_from_slice(&shnum.to_le_bytes());
        out[62..64].copy_from_slice(&(shstrtab_idx as u16).to_le_bytes());
        out
    }
}

/// The name of a section whose `sh_name` is `off` into the raw
/// `.shstrtab` bytes added with [`Elf::shstr_raw`].
pub fn raw_name(off: u32) -> Vec<u8> {
    let mut v = b"\xff@".to_vec();
    v.extend_from_slice(off.to_string().as_bytes());
    v
}

// --- Instructions ----------------------------------------------------------

/// One instruction's bytes.
pub fn insn(code: u8, dst: u8, src: u8, off: i16, imm: i32) -> [u8; 8] {
    let mut b = [0u8; 8];
    b[0] = code;
    b[1] = (src << 4) | (dst & 0xf);
    b[2..4].copy_from_slice(&off.to_le_bytes());
    b[4..8].copy_from_slice(&imm.to_le_bytes());
    b
}

/// `r0 = imm`.
pub fn mov0(imm: i32) -> [u8; 8] {
    insn(0xb7, 0, 0, 0, imm)
}

/// `exit`.
pub fn exit() -> [u8; 8] {
    insn(0x95, 0, 0, 0, 0)
}

/// A call of a subprogram (relocated, `imm = -1`).
pub fn call_sub() -> [u8; 8] {
    insn(0x85, 0, 1, 0, -1)
}

/// A kfunc call (relocated against the extern).
pub fn call_kfunc() -> [u8; 8] {
    insn(0x85, 0, 2, 0, 0)
}

/// `r1 = ld_imm64 0` (two slots), relocated against a symbol.
pub fn ld_imm64() -> [u8; 16] {
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&insn(0x18, 1, 0, 0, 0));
    b
}

/// `n` instructions: `r0 = i` ... then `exit`.
pub fn body(n: usize) -> Vec<u8> {
    let mut v = Vec::with_capacity(n * 8);
    for i in 0..n.saturating_sub(1) {
        v.extend_from_slice(&mov0(i as i32));
    }
    v.extend_from_slice(&exit());
    v
}

// --- BTF -------------------------------------------------------------------

pub const BTF_KIND_INT: u32 = 1;
pub const BTF_KIND_PTR: u32 = 2;
pub const BTF_KIND_ARRAY: u32 = 3;
pub const BTF_KIND_STRUCT: u32 = 4;
pub const BTF_KIND_FUNC: u32 = 12;
pub const BTF_KIND_FUNC_PROTO: u32 = 13;
pub const BTF_KIND_VAR: u32 = 14;
pub const BTF_KIND_DATASEC: u32 = 15;
pub const BTF_KIND_DECL_TAG: u32 = 17;

/// A BTF blob being built.
pub struct Btf {
    pub types: Vec<u8>,
    pub strs: Vec<u8>,
    pub n: u32,
}

impl Default for Btf {
    fn default() -> Self {
        Self::new()
    }
}

impl Btf {
    pub fn new() -> Self {
        Btf {
            types: Vec::new(),
            strs: vec![0],
            n: 0,
        }
    }

    /// Adds a string, returning its offset.
    pub fn str(&mut self, s: &[u8]) -> u32 {
        let off = self.strs.len() as u32;
        self.strs.extend_from_slice(s);
        self.strs.push(0);
        off
    }

    /// Adds a type record, returning its id.
    pub fn raw(
        &mut self,
        name_off: u32,
        kind: u32,
        vlen: u32,
        kflag: bool,
        st: u32,
        extra: &[u32],
    ) -> u32 {
        let info = (kind << 24) | vlen | if kflag { 1 << 31 } else { 0 };
        for w in [name_off, info, st].iter().chain(extra) {
            self.types.extend_from_slice(&w.to_le_bytes());
        }
        self.n += 1;
        self.n
    }

    pub fn int(&mut self, name: &[u8], size: u32) -> u32 {
        let n = self.str(name);
        self.raw(n, BTF_KIND_INT, 0, false, size, &[size * 8])
    }

    pub fn ptr(&mut self, t: u32) -> u32 {
        self.raw(0, BTF_KIND_PTR, 0, false, t, &[])
    }

    pub fn array(&mut self, elem: u32, index: u32, n: u32) -> u32 {
        self.raw(0, BTF_KIND_ARRAY, 0, false, 0, &[elem, index, n])
    }

    /// A struct with `(name, type, bit offset)` members.
    pub fn struct_(&mut self, name: &[u8], size: u32, members: &[(&[u8], u32, u32)]) -> u32 {
        let n = if name.is_empty() { 0 } else { self.str(name) };
        let mut extra = Vec::new();
        for &(m, t, off) in members {
            extra.extend_from_slice(&[self.str(m), t, off]);
        }
        self.raw(
            n,
            BTF_KIND_STRUCT,
            members.len() as u32,
            false,
            size,
            &extra,
        )
    }

    pub fn func_proto(&mut self, ret: u32, params: &[u32]) -> u32 {
        let mut extra = Vec::new();
        for &p in params {
            extra.extend_from_slice(&[0, p]);
        }
        self.raw(
            0,
            BTF_KIND_FUNC_PROTO,
            params.len() as u32,
            false,
            ret,
            &extra,
        )
    }

    /// A `FUNC` whose name is at `name_off`.
    pub fn func_at(&mut self, name_off: u32, proto: u32, linkage: u32) -> u32 {
        self.raw(name_off, BTF_KIND_FUNC, linkage, false, proto, &[])
    }

    pub fn func(&mut self, name: &[u8], proto: u32, linkage: u32) -> u32 {
        let n = self.str(name);
        self.func_at(n, proto, linkage)
    }

    pub fn var(&mut self, name: &[u8], t: u32, linkage: u32) -> u32 {
        let n = self.str(name);
        self.raw(n, BTF_KIND_VAR, 0, false, t, &[linkage])
    }

    /// A `DATASEC` with `(var, offset, size)` entries.
    pub fn datasec(&mut self, name: &[u8], size: u32, vars: &[(u32, u32, u32)]) -> u32 {
        let n = self.str(name);
        let mut extra = Vec::new();
        for &(t, o, s) in vars {
            extra.extend_from_slice(&[t, o, s]);
        }
        self.raw(n, BTF_KIND_DATASEC, vars.len() as u32, false, size, &extra)
    }

    pub fn decl_tag(&mut self, name: &[u8], t: u32, component: i32) -> u32 {
        let n = self.str(name);
        self.raw(n, BTF_KIND_DECL_TAG, 0, false, t, &[component as u32])
    }

    /// The blob.
    pub fn bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&0xeb9fu16.to_le_bytes());
        out.push(1);
        out.push(0);
        out.extend_from_slice(&24u32.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&(self.types.len() as u32).to_le_bytes());
        out.extend_from_slice(&(self.types.len() as u32).to_le_bytes());
        out.extend_from_slice(&(self.strs.len() as u32).to_le_bytes());
        out.extend_from_slice(&self.types);
        out.extend_from_slice(&self.strs);
        out
    }
}

/// A `.BTF.ext` being built: blocks of `(section name offset, records)`
/// per subsection, records as `u32` words.
#[derive(Default)]
pub struct BtfExt {
    pub func_info: Vec<(u32, Vec<[u32; 2]>)>,
    pub line_info: Vec<(u32, Vec<[u32; 4]>)>,
    pub core_relo: Vec<(u32, Vec<[u32; 4]>)>,
}

fn subsection<const N: usize>(blocks: &[(u32, Vec<[u32; N]>)]) -> Vec<u8> {
    if blocks.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    out.extend_from_slice(&((N * 4) as u32).to_le_bytes());
    for (name, recs) in blocks {
        out.extend_from_slice(&name.to_le_bytes());
        out.extend_from_slice(&(recs.len() as u32).to_le_bytes());
        for r in recs {
            for w in r {
                out.extend_from_slice(&w.to_le_bytes());
            }
        }
    }
    out
}

impl BtfExt {
    /// The blob.
    pub fn bytes(&self) -> Vec<u8> {
        let f = subsection(&self.func_info);
        let l = subsection(&self.line_info);
        let c = subsection(&self.core_relo);
        let mut out = Vec::new();
        out.extend_from_slice(&0xeb9fu16.to_le_bytes());
        out.push(1);
        out.push(0);
        out.extend_from_slice(&32u32.to_le_bytes());
        let (fo, lo, co) = (0u32, f.len() as u32, (f.len() + l.len()) as u32);
        for w in [fo, f.len() as u32, lo, l.len() as u32, co, c.len() as u32] {
            out.extend_from_slice(&w.to_le_bytes());
        }
        out.extend_from_slice(&f);
        out.extend_from_slice(&l);
        out.extend_from_slice(&c);
        out
    }
}

/// Adds `.BTF` (and `.BTF.ext` if given) to `elf`.
pub fn add_btf(elf: &mut Elf, btf: &Btf, ext: Option<&BtfExt>) {
    elf.sec(Sec {
        name: b".BTF".to_vec(),
        ty: SHT_PROGBITS,
        data: btf.bytes(),
        ..Default::default()
    });
    if let Some(x) = ext {
        elf.sec(Sec {
            name: b".BTF.ext".to_vec(),
            ty: SHT_PROGBITS,
            data: x.bytes(),
            ..Default::default()
        });
    }
}

/// A line_info record for instruction `insn` (bytes: `insn * 8`).
pub fn line(insn: u32, file: u32, line: u32) -> [u32; 4] {
    [insn * 8, file, line, (insn + 1) << 10]
}

// --- The review's shapes ---------------------------------------------------

/// `nsyms` local symbols whose names all point at one `len`-byte name
/// (`poc/longname_syms.py`), plus one socket program. With `len` above
/// the name cap the object must fail fast; at the cap it must parse in
/// time linear in `nsyms`.
pub fn longname_syms(nsyms: usize, len: usize) -> Vec<u8> {
    let mut e = Elf::new();
    let sec = e.code(b"socket", &body(2));
    e.func(b"prog", sec, 0, 2);
    let name = e.str(&vec![b'A'; len]);
    for i in 0..nsyms {
        e.sym(Sym {
            name,
            bind: STB_LOCAL,
            typ: STT_NOTYPE,
            shndx: SHN_ABS,
            value: i as u64,
            ..Default::default()
        });
    }
    // Locals must come first in a real symtab; the core does not care.
    e.finish()
}

/// A program whose name is `len` bytes (`poc/longprogname.py`).
pub fn long_prog_name(len: usize) -> Vec<u8> {
    let mut e = Elf::new();
    let sec = e.code(b"socket", &body(2));
    e.func(&vec![b'p'; len], sec, 0, 2);
    e.finish()
}

/// A program called `name`.
pub fn prog_named(name: &[u8]) -> Vec<u8> {
    let mut e = Elf::new();
    let sec = e.code(b"socket", &body(2));
    e.func(name, sec, 0, 2);
    e.finish()
}

/// `nprogs` socket programs of `insns` instructions each in one section,
/// each calling one `.text` subprogram of `sub_insns` instructions; BTF
/// with a `FUNC` per function, and (if `records`) func_info and one
/// line_info record per instruction. With `core`, one CO-RE record per
/// subprogram instruction too.
pub fn many_progs(
    nprogs: usize,
    insns: usize,
    sub_insns: usize,
    records: bool,
    core: bool,
) -> Vec<u8> {
    let insns = insns.max(2);
    let sub_insns = sub_insns.max(1);
    let mut e = Elf::new();
    let mut code = Vec::with_capacity(nprogs * insns * 8);
    for _ in 0..nprogs {
        code.extend_from_slice(&call_sub());
        code.extend_from_slice(&body(insns - 1));
    }
    let prog_sec = e.code(b"socket", &code);
    let text = e.code(b".text", &body(sub_insns));
    let mut btf = Btf::new();
    let int = btf.int(b"int", 4);
    let proto = btf.func_proto(int, &[]);
    let file = btf.str(b"hostile.c");
    let src = btf.str(b"return 0;");
    let access = btf.str(b"0");
    let mut fi = Vec::new();
    let mut li = Vec::new();
    let sub = e.func(b"sub", text, 0, sub_insns as u64);
    let mut rels = Vec::new();
    for p in 0..nprogs {
        let name = format!("p{p}");
        e.func(name.as_bytes(), prog_sec, (p * insns) as u64, insns as u64);
        rels.push(((p * insns * 8) as u64, sub, R_BPF_64_32));
        let f = btf.func(name.as_bytes(), proto, 1);
        fi.push([(p * insns * 8) as u32, f]);
        for i in 0..insns {
            li.push(line((p * insns + i) as u32, file, src));
        }
    }
    e.rels(prog_sec, &rels);
    let subf = btf.func(b"sub", proto, 0);
    let sec_name = btf.str(b"socket");
    let text_name = btf.str(b".text");
    let mut ext = BtfExt::default();
    if records {
        ext.func_info.push((sec_name, fi));
        ext.func_info.push((text_name, vec![[0, subf]]));
        ext.line_info.push((sec_name, li));
        ext.line_info.push((
            text_name,
            (0..sub_insns as u32).map(|i| line(i, file, src)).collect(),
        ));
    }
    if core {
        ext.core_relo.push((
            text_name,
            (0..sub_insns as u32)
                .map(|i| [i * 8, int, access, 0])
                .collect(),
        ));
    }
    let has_ext = records || core;
    add_btf(&mut e, &btf, has_ext.then_some(&ext));
    e.finish()
}

/// `nsecs` program sections `kprobe/f<i>` of one program each, with a
/// `DATASEC` per section of `vars` static `VAR`s, so both the section
/// index and the `DATASEC` fixup are exercised; func_info and line_info
/// per program.
pub fn many_sections(nsecs: usize, vars: usize) -> Vec<u8> {
    let mut e = Elf::new();
    let mut btf = Btf::new();
    let int = btf.int(b"int", 4);
    let proto = btf.func_proto(int, &[]);
    let file = btf.str(b"hostile.c");
    let src = btf.str(b"return 0;");
    let mut ext = BtfExt::default();
    let var = btf.var(b"v", int, 0);
    for s in 0..nsecs {
        let name = format!("kprobe/f{s}");
        let sec = e.code(name.as_bytes(), &body(2));
        let fname = format!("f{s}");
        e.func(fname.as_bytes(), sec, 0, 2);
        let f = btf.func(fname.as_bytes(), proto, 1);
        let sn = btf.str(name.as_bytes());
        ext.func_info.push((sn, vec![[0, f]]));
        ext.line_info
            .push((sn, vec![line(0, file, src), line(1, file, src)]));
        // A DATASEC named after the section, with size 0: the fixup
        // takes the size from the ELF section found by name.
        let entries: Vec<(u32, u32, u32)> = (0..vars).map(|_| (var, 0, 4)).collect();
        btf.datasec(name.as_bytes(), 0, &entries);
    }
    add_btf(&mut e, &btf, Some(&ext));
    e.finish()
}

/// One program calling `nsubs` static subprograms in `.text`, each with
/// func_info, line_info and CO-RE records on every instruction: many
/// `.BTF.ext` records in few blocks, and many functions per program.
pub fn many_records(nsubs: usize, sub_insns: usize) -> Vec<u8> {
    let sub_insns = sub_insns.max(2);
    let mut e = Elf::new();
    let mut prog = Vec::new();
    for _ in 0..nsubs {
        prog.extend_from_slice(&call_sub());
    }
    prog.extend_from_slice(&exit());
    let prog_len = nsubs + 1;
    let prog_sec = e.code(b"socket", &prog);
    let text = e.code(b".text", &body(sub_insns).repeat(nsubs));
    let mut btf = Btf::new();
    let int = btf.int(b"int", 4);
    let proto = btf.func_proto(int, &[]);
    let file = btf.str(b"hostile.c");
    let src = btf.str(b"return 0;");
    let access = btf.str(b"0");
    e.func(b"prog", prog_sec, 0, prog_len as u64);
    let pf = btf.func(b"prog", proto, 1);
    let mut rels = Vec::new();
    let mut fi = Vec::new();
    let mut li = Vec::new();
    let mut cr = Vec::new();
    for s in 0..nsubs {
        let name = format!("s{s}");
        let sym = e.func(
            name.as_bytes(),
            text,
            (s * sub_insns) as u64,
            sub_insns as u64,
        );
        rels.push(((s * 8) as u64, sym, R_BPF_64_32));
        let f = btf.func(name.as_bytes(), proto, 0);
        fi.push([(s * sub_insns * 8) as u32, f]);
        for i in 0..sub_insns {
            let at = (s * sub_insns + i) as u32;
            li.push(line(at, file, src));
            cr.push([at * 8, int, access, 0]);
        }
    }
    e.rels(prog_sec, &rels);
    let sn = btf.str(b"socket");
    let tn = btf.str(b".text");
    let mut ext = BtfExt::default();
    ext.func_info.push((sn, vec![[0, pf]]));
    ext.func_info.push((tn, fi));
    ext.line_info.push((
        sn,
        (0..prog_len as u32).map(|i| line(i, file, src)).collect(),
    ));
    ext.line_info.push((tn, li));
    ext.core_relo.push((tn, cr));
    add_btf(&mut e, &btf, Some(&ext));
    e.finish()
}

/// `nexterns` typeless ksyms (`extern const void kN __ksym`) and programs
/// loading each of them `loads` times in all (ld_imm64 relocations, at
/// most 65536 per program).
pub fn many_externs(nexterns: usize, loads: usize) -> Vec<u8> {
    let mut e = Elf::new();
    let mut btf = Btf::new();
    let mut code = Vec::new();
    let mut rels = Vec::new();
    let mut syms = Vec::new();
    let mut vars = Vec::new();
    let mut progs = Vec::new();
    let mut start = 0usize;
    // The fixup turns ksyms into `int` variables.
    btf.int(b"int", 4);
    // `const void`: what clang emits for a typeless ksym.
    let void_var_type = btf.raw(0, 10, 0, false, 0, &[]);
    for k in 0..nexterns {
        let name = format!("k{k}");
        let n = e.str(name.as_bytes());
        syms.push(e.sym(Sym {
            name: n,
            bind: STB_GLOBAL,
            typ: STT_NOTYPE,
            shndx: 0,
            ..Default::default()
        }));
        // Typeless: a VAR of type void, extern linkage.
        let v = btf.var(name.as_bytes(), void_var_type, 2);
        vars.push((v, 0, 0));
    }
    btf.datasec(b".ksyms", 0, &vars);
    let mut in_prog = 0;
    for _ in 0..loads {
        for &s in syms.iter() {
            rels.push(((code.len()) as u64, s, R_BPF_64_64));
            code.extend_from_slice(&ld_imm64());
            in_prog += 1;
            if in_prog == 65536 {
                code.extend_from_slice(&exit());
                progs.push((start, code.len() / 8 - start));
                start = code.len() / 8;
                in_prog = 0;
            }
        }
    }
    code.extend_from_slice(&mov0(0));
    code.extend_from_slice(&exit());
    progs.push((start, code.len() / 8 - start));
    let sec = e.code(b"socket", &code);
    for (i, &(at, n)) in progs.iter().enumerate() {
        e.func(format!("prog{i}").as_bytes(), sec, at as u64, n as u64);
    }
    e.rels(sec, &rels);
    add_btf(&mut e, &btf, None);
    e.finish()
}

/// `n` BTF types whose names all point at one `len`-byte string, all
/// `FUNC`s (indexed by the extern and hidden-function lookups) and global
/// `OBJECT` symbols pointing at `k` distinct `len`-byte names sharing a
/// prefix (sorted by name); one extern forces the BTF name index.
pub fn long_btf_names(n: usize, len: usize, k: usize, nsyms: usize) -> Vec<u8> {
    let mut e = Elf::new();
    let sec = e.code(b"socket", &body(2));
    e.func(b"prog", sec, 0, 2);
    let mut btf = Btf::new();
    let int = btf.int(b"int", 4);
    let proto = btf.func_proto(int, &[]);
    let long = btf.str(&vec![b'F'; len]);
    for _ in 0..n {
        btf.func_at(long, proto, 1);
    }
    let mut names = Vec::new();
    for i in 0..k.max(1) {
        let mut s = vec![b'G'; len.saturating_sub(8)];
        s.extend_from_slice(format!("{:08}", k - i).as_bytes());
        names.push(e.str(&s));
    }
    for i in 0..nsyms {
        e.sym(Sym {
            name: names[i % names.len()],
            bind: STB_GLOBAL,
            typ: STT_OBJECT,
            shndx: SHN_ABS,
            ..Default::default()
        });
    }
    // One kfunc extern, so the BTF name index is built.
    let kn = e.str(b"bpf_kfunc");
    e.sym(Sym {
        name: kn,
        bind: STB_WEAK,
        typ: STT_NOTYPE,
        shndx: 0,
        ..Default::default()
    });
    let kf = btf.func(b"bpf_kfunc", proto, 2);
    btf.datasec(b".ksyms", 0, &[(kf, 0, 0)]);
    add_btf(&mut e, &btf, None);
    e.finish()
}

/// A generator of one hostile shape, scaled to about `size` bytes.
pub struct Shape {
    pub name: &'static str,
    pub make: fn(usize) -> Vec<u8>,
}

/// The shapes of the benchmark, each within the caps (so the core does
/// all its work rather than stopping at a cap), scaled by size.
pub fn shapes() -> Vec<Shape> {
    vec![
        Shape {
            name: "longname_syms",
            // 511-byte names (the cap), one symbol per 24 bytes.
            make: |size| longname_syms(size / 24, 511),
        },
        Shape {
            name: "long_btf_names",
            // 1M types at most (BTF_MAX_TYPE): 12 bytes each, plus
            // symbols over distinct 511-byte names.
            make: |size| {
                let n = (size / 2 / 12).min(900_000);
                let k = (size / 4 / 512).max(1);
                let nsyms = size / 4 / 24;
                long_btf_names(n, 511, k, nsyms)
            },
        },
        Shape {
            name: "many_progs",
            // 4096 programs (the cap) with records: about 24 bytes per
            // instruction (8 code, 16 line_info).
            make: |size| {
                let nprogs = 4096;
                let insns = (size / nprogs / 24).max(3);
                many_progs(nprogs, insns, 16, true, false)
            },
        },
        Shape {
            name: "many_sections",
            // A section per program, 4096 at most (the program cap), the
            // rest DATASEC entries.
            make: |size| {
                let nsecs = (size / 1024).min(4096);
                let vars = (size * 7 / 8 / nsecs / 12).max(1);
                many_sections(nsecs, vars)
            },
        },
        Shape {
            name: "many_records",
            // Subprograms of 16 instructions: 8 code + 16 line_info + 16
            // CO-RE bytes per instruction.
            make: |size| {
                let nsubs = (size / 16 / 46).max(1);
                many_records(nsubs, 16)
            },
        },
        Shape {
            name: "amp_budget",
            // poc/gen_amp_c.py: 4096 programs calling one subprogram that
            // fills the object (8 code + 16 line_info bytes per
            // instruction); each program copies it, so the loader stops
            // at MAX_PROG_BYTES (64 MiB of copies) whatever the size.
            make: |size| many_progs(4096, 2, (size / 24).min(900_000), true, false),
        },
        Shape {
            name: "many_externs",
            // 4096 externs (the cap), the rest relocations against them.
            make: |size| {
                let n = 4096;
                let loads = (size / n / 32).max(1);
                many_externs(n, loads)
            },
        },
    ]
}
