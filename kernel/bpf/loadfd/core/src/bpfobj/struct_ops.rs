// SPDX-License-Identifier: GPL-2.0

//! struct_ops maps: each variable of a `.struct_ops` or `.struct_ops.link`
//! section (`SEC("?.struct_ops")`: not created by default) is one map, as
//! libbpf's `init_struct_ops_maps()` finds them, and each `.rel.struct_ops`
//! entry puts a struct_ops program in one of its function pointer members
//! (`bpf_object__collect_st_ops_relos()`).
//!
//! What the kernel's struct looks like is only known to the kernel: matching
//! the object's members against it (libbpf's
//! `bpf_map__init_kern_struct_ops()`) is the glue's.

use crate::bpfobj::btf::{
    Btf, BTF_KIND_DATASEC, BTF_KIND_FUNC_PROTO, BTF_KIND_PTR, BTF_KIND_STRUCT, BTF_KIND_VAR,
};
use crate::bpfobj::bytes::to_usize;
use crate::bpfobj::checkpoint::Ticker;
use crate::bpfobj::compat::{KVVec, GFP_INPUT};
use crate::bpfobj::elf::{Elf, R_BPF_64_ABS64};
use crate::bpfobj::error::{Error, Location, ObjectError, StructOpsError};
use crate::bpfobj::limits::{Cap, MAX_STRUCT_OPS_MEMBERS};
use crate::bpfobj::model::{Function, Program, SectionKind};
use crate::bpfobj::sort;
use crate::bpfobj::uapi::BPF_PROG_TYPE_STRUCT_OPS;

/// No program in a member (see [`StructOpsMap::progs`]).
pub const NO_PROG: u32 = u32::MAX;

/// One struct_ops map of the object.
#[derive(Debug)]
pub struct StructOpsMap<'a> {
    /// The variable's name: the map's name.
    pub name: &'a [u8],
    /// The struct, in the object's BTF.
    pub type_id: u32,
    /// The variable's bytes (the struct's size).
    pub data: &'a [u8],
    /// In `.struct_ops.link`: created with `BPF_F_LINK`.
    pub link: bool,
    /// `false` in `SEC("?.struct_ops...")`: libbpf does not create it.
    pub autocreate: bool,
    /// ELF section index.
    pub section: u32,
    /// Offset of the variable in the section.
    pub sec_offset: u32,
    /// For each member of the struct, the index (in
    /// [`crate::bpfobj::object::Object::programs`]) of the program the
    /// object puts there, or [`NO_PROG`].
    pub progs: KVVec<u32>,
}

/// Whether `name` is a struct_ops section: `(Some(link), Some(autocreate))`.
pub fn section_flags(name: &[u8]) -> Option<(bool, bool)> {
    let (n, autocreate) = match name.strip_prefix(b"?") {
        Some(n) => (n, false),
        None => (name, true),
    };
    match n {
        b".struct_ops" => Some((false, autocreate)),
        b".struct_ops.link" => Some((true, autocreate)),
        _ => None,
    }
}

/// Whether BTF type `id` is a pointer to a function prototype.
fn is_func_ptr(btf: &Btf<'_>, id: u32) -> bool {
    let Ok((_, t)) = btf.skip_mods_and_typedefs(id) else {
        return false;
    };
    if t.kind() != BTF_KIND_PTR {
        return false;
    }
    btf.skip_mods_and_typedefs(t.type_id())
        .is_ok_and(|(_, p)| p.kind() == BTF_KIND_FUNC_PROTO)
}

/// The struct_ops maps of the object, in section and variable order. `btf`
/// is the fixed-up BTF (variable offsets from the ELF).
pub(crate) fn collect<'a>(
    elf: &Elf<'a>,
    kinds: &[SectionKind],
    orig: Option<&Btf<'a>>,
    fixed: Option<&Btf<'_>>,
    funcs: &[Function<'a>],
    programs: &[Program<'a>],
    tick: &Ticker<'_>,
) -> Result<KVVec<StructOpsMap<'a>>, Error> {
    let mut out: KVVec<StructOpsMap<'a>> = KVVec::new();
    let mut members = 0usize;
    for sec in elf.sections() {
        if kinds.get(to_usize(sec.index)) != Some(&SectionKind::StructOps) {
            continue;
        }
        tick.tick()?;
        let section = sec.index;
        let (link, autocreate) =
            section_flags(sec.name).ok_or(Error::at_section(section, StructOpsError::NoDatasec))?;
        // Types and names from the file's BTF; the variables' offsets from
        // the fixed-up one (the same type ids, offsets from the ELF).
        let (Some(btf), Some(fixed)) = (orig, fixed) else {
            return Err(Error::at_section(section, ObjectError::BtfRequired));
        };
        let ds = fixed
            .find_by_name_kind(sec.name, BTF_KIND_DATASEC)
            .and_then(|id| fixed.type_by_id(id).ok())
            .ok_or(Error::at_section(section, StructOpsError::NoDatasec))?;
        for (var, vsi) in (0u32..).zip(ds.datasec_vars()) {
            tick.tick()?;
            let bad = Error::at(
                Location::StructOpsVar { section, var },
                StructOpsError::BadVar,
            );
            let v = btf.type_by_id(vsi.type_id).map_err(|_| bad)?;
            if v.kind() != BTF_KIND_VAR {
                return Err(bad);
            }
            let name = btf.str_at(v.name_off()).map_err(|_| bad)?;
            let (type_id, t) = btf.skip_mods_and_typedefs(v.type_id()).map_err(|_| bad)?;
            let tname = btf.str_at(t.name_off()).map_err(|_| bad)?;
            if t.kind() != BTF_KIND_STRUCT || tname.is_empty() || name.is_empty() {
                return Err(bad);
            }
            let end = vsi.offset.checked_add(t.size()).ok_or(bad)?;
            let data = sec
                .data
                .get(to_usize(vsi.offset)..to_usize(end))
                .ok_or(bad)?;
            members = members.saturating_add(usize::from(t.vlen()));
            if members > MAX_STRUCT_OPS_MEMBERS {
                return Err(Error::too_many(Cap::StructOpsMembers));
            }
            let mut progs = KVVec::new();
            progs.reserve(usize::from(t.vlen()), GFP_INPUT)?;
            for _ in 0..t.vlen() {
                progs.push(NO_PROG, GFP_INPUT)?;
            }
            out.push(
                StructOpsMap {
                    name,
                    type_id,
                    data,
                    link,
                    autocreate,
                    section,
                    sec_offset: vsi.offset,
                    progs,
                },
                GFP_INPUT,
            )?;
        }
    }
    if out.is_empty() {
        return Ok(out);
    }
    let Some(btf) = orig else {
        return Ok(out);
    };

    // Variables by (section, offset), which must not overlap; members by
    // (map, bit offset): each relocation is two binary searches.
    let mut by_off: KVVec<(u32, u32, u32, usize)> = KVVec::new();
    let mut by_member: KVVec<(usize, u32, usize, u32)> = KVVec::new();
    for (mi, m) in out.iter().enumerate() {
        tick.tick()?;
        let end = u32::try_from(m.data.len())
            .ok()
            .and_then(|l| m.sec_offset.checked_add(l))
            .ok_or(Error::at(
                Location::StructOpsVar {
                    section: m.section,
                    var: 0,
                },
                StructOpsError::BadVar,
            ))?;
        by_off.push((m.section, m.sec_offset, end, mi), GFP_INPUT)?;
        let t = btf.type_by_id(m.type_id)?;
        for (i, mb) in t.members().enumerate() {
            tick.tick()?;
            by_member.push((mi, mb.bit_offset, i, mb.type_id), GFP_INPUT)?;
        }
    }
    sort::sort(&mut by_off);
    sort::sort(&mut by_member);
    for pair in by_off.windows(2) {
        if let [a, b] = pair {
            if a.0 == b.0 && b.1 < a.2 {
                return Err(Error::at(
                    Location::StructOpsVar {
                        section: b.0,
                        var: u32::try_from(b.3).unwrap_or(u32::MAX),
                    },
                    StructOpsError::BadVar,
                ));
            }
        }
    }

    for rel_sec in elf.sections() {
        if kinds.get(to_usize(rel_sec.index)) != Some(&SectionKind::StructOpsRel) {
            continue;
        }
        for (ri, rel) in (0u32..).zip(elf.rels(&rel_sec)?) {
            tick.tick()?;
            let rel = rel?;
            let bad = Error::at_rel(rel_sec.index, ri, StructOpsError::RelBad);
            if rel.typ != R_BPF_64_ABS64 {
                return Err(bad);
            }
            let off = u32::try_from(rel.offset).map_err(|_| bad)?;
            let key = (rel_sec.info, off);
            let i = by_off.partition_point(|e| (e.0, e.1) <= key);
            let &(_, start, _, mi) = i
                .checked_sub(1)
                .and_then(|i| by_off.get(i))
                .filter(|e| e.0 == rel_sec.info && off < e.2)
                .ok_or(bad)?;
            let bits = off
                .checked_sub(start)
                .and_then(|o| o.checked_mul(8))
                .ok_or(bad)?;
            let j = by_member.partition_point(|e| (e.0, e.1) < (mi, bits));
            let &(_, _, member_idx, member_type) = by_member
                .get(j)
                .filter(|e| e.0 == mi && e.1 == bits)
                .ok_or(bad)?;
            let m = out.get_mut(mi).ok_or(bad)?;
            if !is_func_ptr(btf, member_type) {
                return Err(bad);
            }
            // The symbol is the program's function (or its section, with
            // the program at that offset), as libbpf finds it.
            let sym = elf.symbol(rel.sym)?;
            if sym.value % 8 != 0 {
                return Err(bad);
            }
            let insn = u32::try_from(sym.value / 8).map_err(|_| bad)?;
            let shndx = u32::from(sym.shndx);
            let k = funcs.partition_point(|f| (f.section, f.insn_off) < (shndx, insn));
            let p = funcs
                .get(k)
                .filter(|f| f.section == shndx && f.insn_off == insn)
                .and_then(|f| f.program)
                .ok_or(bad)?;
            if programs.get(p).map(|p| p.prog_type) != Some(BPF_PROG_TYPE_STRUCT_OPS) {
                return Err(bad);
            }
            let slot = m.progs.get_mut(member_idx).ok_or(bad)?;
            if *slot != NO_PROG {
                return Err(bad);
            }
            *slot = u32::try_from(p).map_err(|_| bad)?;
        }
    }
    Ok(out)
}
