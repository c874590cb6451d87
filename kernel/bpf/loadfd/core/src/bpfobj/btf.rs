// SPDX-License-Identifier: GPL-2.0

//! Strict BTF reading, modelled on the kernel's `kernel/bpf/btf.c`
//! (`btf_parse_hdr`, `btf_check_sec_info`, `btf_parse_str_sec`,
//! `btf_check_all_metas`).
//!
//! The checks are the kernel's structural ones, so that every later read is
//! in bounds and every type reference names an existing type. The semantic
//! rules that libbpf fixes up before `BPF_BTF_LOAD` are deliberately *not*
//! enforced here, because a clang-built object breaks them legitimately:
//! `DATASEC` sizes and variable offsets are 0, and `VAR`/`FUNC` may have extern
//! linkage. Names are only checked for being in range (clang emits names such
//! as `func.static_var` that are not C identifiers).

use core::fmt;

use crate::bpfobj::bytes::{cstr_at, sub, to_usize, CStrError, Cursor};
use crate::bpfobj::checkpoint::{Checkpoint, NoCheckpoint, Ticker};
use crate::bpfobj::compat::{KVVec, GFP_INPUT};
use crate::bpfobj::error::{BtfError, Error, ErrorKind};
use crate::bpfobj::sort;

/// `BTF_MAGIC` (native byte order only).
pub const BTF_MAGIC: u16 = 0xeb9f;
/// `BTF_VERSION`.
pub const BTF_VERSION: u8 = 1;
/// Size of `struct btf_header`.
pub const BTF_HDR_SIZE: usize = 24;
/// Largest accepted BTF blob, the kernel's `BTF_MAX_SIZE`.
pub const BTF_MAX_SIZE: usize = 16 * 1024 * 1024;
/// Type ids must be below this (the kernel's `BTF_MAX_TYPE`).
pub const BTF_MAX_TYPE: u32 = 0x000f_ffff;
/// Largest string offset (the kernel's `BTF_MAX_NAME_OFFSET`).
pub const BTF_MAX_NAME_OFFSET: u32 = 0x00ff_ffff;
/// Largest `vlen` (the kernel's `BTF_MAX_VLEN`).
pub const BTF_MAX_VLEN: u16 = 0xffff;
/// Longest chain of type references followed when resolving (the kernel's
/// `MAX_RESOLVE_DEPTH`).
pub const MAX_RESOLVE_DEPTH: u32 = 32;
/// Size of `struct btf_type`.
pub const BTF_TYPE_SIZE: usize = 12;
/// Size of a pointer on the BPF target.
pub const BTF_PTR_SIZE: u32 = 8;

/// Bits of `btf_type.info` that may be set (`BTF_INFO_MASK`).
const BTF_INFO_MASK: u32 = 0x9f00_ffff;
/// Bits of an `INT`'s extra word that may be set (`BTF_INT_MASK`).
const BTF_INT_MASK: u32 = 0x0fff_ffff;

/// `BTF_KIND_UNKN`: only type 0, `void`.
pub const BTF_KIND_UNKN: u32 = 0;
/// `BTF_KIND_INT`.
pub const BTF_KIND_INT: u32 = 1;
/// `BTF_KIND_PTR`.
pub const BTF_KIND_PTR: u32 = 2;
/// `BTF_KIND_ARRAY`.
pub const BTF_KIND_ARRAY: u32 = 3;
/// `BTF_KIND_STRUCT`.
pub const BTF_KIND_STRUCT: u32 = 4;
/// `BTF_KIND_UNION`.
pub const BTF_KIND_UNION: u32 = 5;
/// `BTF_KIND_ENUM`.
pub const BTF_KIND_ENUM: u32 = 6;
/// `BTF_KIND_FWD`.
pub const BTF_KIND_FWD: u32 = 7;
/// `BTF_KIND_TYPEDEF`.
pub const BTF_KIND_TYPEDEF: u32 = 8;
/// `BTF_KIND_VOLATILE`.
pub const BTF_KIND_VOLATILE: u32 = 9;
/// `BTF_KIND_CONST`.
pub const BTF_KIND_CONST: u32 = 10;
/// `BTF_KIND_RESTRICT`.
pub const BTF_KIND_RESTRICT: u32 = 11;
/// `BTF_KIND_FUNC`.
pub const BTF_KIND_FUNC: u32 = 12;
/// `BTF_KIND_FUNC_PROTO`.
pub const BTF_KIND_FUNC_PROTO: u32 = 13;
/// `BTF_KIND_VAR`.
pub const BTF_KIND_VAR: u32 = 14;
/// `BTF_KIND_DATASEC`.
pub const BTF_KIND_DATASEC: u32 = 15;
/// `BTF_KIND_FLOAT`.
pub const BTF_KIND_FLOAT: u32 = 16;
/// `BTF_KIND_DECL_TAG`.
pub const BTF_KIND_DECL_TAG: u32 = 17;
/// `BTF_KIND_TYPE_TAG`.
pub const BTF_KIND_TYPE_TAG: u32 = 18;
/// `BTF_KIND_ENUM64`.
pub const BTF_KIND_ENUM64: u32 = 19;
/// The highest known kind (`BTF_KIND_MAX` in 6.12).
pub const BTF_KIND_MAX: u32 = BTF_KIND_ENUM64;

/// `BTF_INT_SIGNED` encoding bit.
pub const BTF_INT_SIGNED: u32 = 1;
/// `BTF_INT_CHAR` encoding bit.
pub const BTF_INT_CHAR: u32 = 2;
/// `BTF_INT_BOOL` encoding bit.
pub const BTF_INT_BOOL: u32 = 4;

/// `BTF_VAR_STATIC` linkage.
pub const BTF_VAR_STATIC: u32 = 0;
/// `BTF_VAR_GLOBAL_ALLOCATED` linkage.
pub const BTF_VAR_GLOBAL_ALLOCATED: u32 = 1;
/// `BTF_VAR_GLOBAL_EXTERN` linkage (only in objects; libbpf rewrites it).
pub const BTF_VAR_GLOBAL_EXTERN: u32 = 2;

/// `BTF_FUNC_STATIC` linkage.
pub const BTF_FUNC_STATIC: u16 = 0;
/// `BTF_FUNC_GLOBAL` linkage.
pub const BTF_FUNC_GLOBAL: u16 = 1;
/// `BTF_FUNC_EXTERN` linkage (only in objects; libbpf rewrites it).
pub const BTF_FUNC_EXTERN: u16 = 2;

/// The fields of `struct btf_header`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BtfHeader {
    /// `magic`.
    pub magic: u16,
    /// `version`.
    pub version: u8,
    /// `flags`.
    pub flags: u8,
    /// `hdr_len`: the type and string offsets are relative to its end.
    pub hdr_len: u32,
    /// `type_off`.
    pub type_off: u32,
    /// `type_len`.
    pub type_len: u32,
    /// `str_off`.
    pub str_off: u32,
    /// `str_len`.
    pub str_len: u32,
}

/// `x` as a `usize` (infallible on every target the kernel supports BPF on;
/// `usize::MAX` otherwise, which every bounds check then rejects).
/// A strictly checked view of a BTF blob.
///
/// Type ids run from 0 (`void`, which has no record) to
/// [`Btf::nr_types`]` - 1`.
pub struct Btf<'a> {
    data: &'a [u8],
    hdr: BtfHeader,
    types: &'a [u8],
    strs: &'a [u8],
    /// Byte offset in `types` of the record of type id `i + 1`.
    offsets: KVVec<u32>,
}

impl fmt::Debug for Btf<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Btf")
            .field("hdr", &self.hdr)
            .field("nr_types", &self.nr_types())
            .finish()
    }
}

/// The record of `void` (type 0).
const VOID_RECORD: [u8; BTF_TYPE_SIZE] = [0; BTF_TYPE_SIZE];

/// Extra bytes after the `btf_type` of a kind with `vlen` items, or `None`
/// for an unknown kind.
fn meta_size(kind: u32, vlen: u16) -> Option<usize> {
    let n = usize::from(vlen);
    let per = match kind {
        BTF_KIND_INT | BTF_KIND_VAR | BTF_KIND_DECL_TAG => return Some(4),
        BTF_KIND_ARRAY => return Some(12),
        BTF_KIND_PTR | BTF_KIND_FWD | BTF_KIND_TYPEDEF | BTF_KIND_VOLATILE | BTF_KIND_CONST
        | BTF_KIND_RESTRICT | BTF_KIND_FUNC | BTF_KIND_FLOAT | BTF_KIND_TYPE_TAG => return Some(0),
        BTF_KIND_STRUCT | BTF_KIND_UNION | BTF_KIND_DATASEC | BTF_KIND_ENUM64 => 12,
        BTF_KIND_ENUM | BTF_KIND_FUNC_PROTO => 8,
        _ => return None,
    };
    n.checked_mul(per)
}

impl<'a> Btf<'a> {
    /// Parses and checks a BTF blob (the contents of an object's `.BTF`).
    pub fn parse(data: &'a [u8]) -> Result<Btf<'a>, Error> {
        Self::parse_with(data, &NoCheckpoint)
    }

    /// [`Btf::parse`], calling `cp` as it goes.
    pub fn parse_with(data: &'a [u8], cp: &dyn Checkpoint) -> Result<Btf<'a>, Error> {
        let tick = Ticker::new(cp);
        let hdr = Self::parse_hdr(data)?;
        let body = data
            .get(to_usize(hdr.hdr_len)..)
            .ok_or(Error::new(BtfError::BadHdrLen {
                hdr_len: hdr.hdr_len,
            }))?;
        Self::check_sec_info(&hdr, body.len())?;
        let strs = sub(body, to_usize(hdr.str_off), to_usize(hdr.str_len)).ok_or(Error::new(
            BtfError::SectionOutOfBounds {
                off: hdr.str_off,
                len: hdr.str_len,
            },
        ))?;
        // btf_parse_str_sec: last, non-empty, starts with "" and ends with NUL.
        if hdr.str_off.checked_add(hdr.str_len).map(to_usize) != Some(body.len()) {
            return Err(Error::new(BtfError::StrNotLast));
        }
        if strs.first() != Some(&0)
            || strs.last() != Some(&0)
            || hdr.str_len.saturating_sub(1) > BTF_MAX_NAME_OFFSET
        {
            return Err(Error::new(BtfError::BadStrSection {
                str_len: hdr.str_len,
            }));
        }
        // btf_parse_type_sec.
        if hdr.type_off & 3 != 0 {
            return Err(Error::new(BtfError::UnalignedTypeOff {
                type_off: hdr.type_off,
            }));
        }
        if hdr.type_len == 0 {
            return Err(Error::new(BtfError::NoTypes));
        }
        let types = sub(body, to_usize(hdr.type_off), to_usize(hdr.type_len)).ok_or(Error::new(
            BtfError::SectionOutOfBounds {
                off: hdr.type_off,
                len: hdr.type_len,
            },
        ))?;
        let mut btf = Btf {
            data,
            hdr,
            types,
            strs,
            offsets: KVVec::new(),
        };
        btf.check_all_metas(&tick)?;
        btf.check_all_refs(&tick)?;
        Ok(btf)
    }

    /// `btf_parse_hdr`.
    fn parse_hdr(data: &[u8]) -> Result<BtfHeader, Error> {
        if data.len() > BTF_MAX_SIZE {
            return Err(Error::new(BtfError::TooBig { size: data.len() }));
        }
        let mut c = Cursor::new(data);
        let short = Error::new(BtfError::TooShort { len: data.len() });
        let magic = c.u16().ok_or(short)?;
        if magic != BTF_MAGIC {
            return Err(Error::new(BtfError::BadMagic { magic }));
        }
        let version = c.u8().ok_or(short)?;
        let flags = c.u8().ok_or(short)?;
        let hdr_len = c.u32().ok_or(short)?;
        if to_usize(hdr_len) < BTF_HDR_SIZE || to_usize(hdr_len) > data.len() {
            return Err(Error::new(BtfError::BadHdrLen { hdr_len }));
        }
        // Header bytes this reader does not know must be zero (forward
        // compatibility rule of btf_parse_hdr).
        let tail = data.get(BTF_HDR_SIZE..to_usize(hdr_len)).unwrap_or(&[]);
        if tail.iter().any(|&b| b != 0) {
            return Err(Error::new(BtfError::HeaderTail { hdr_len }));
        }
        if version != BTF_VERSION {
            return Err(Error::new(BtfError::BadVersion { version }));
        }
        if flags != 0 {
            return Err(Error::new(BtfError::BadFlags { flags }));
        }
        if to_usize(hdr_len) == data.len() {
            return Err(Error::new(BtfError::NoData));
        }
        Ok(BtfHeader {
            magic,
            version,
            flags,
            hdr_len,
            type_off: c.u32().ok_or(short)?,
            type_len: c.u32().ok_or(short)?,
            str_off: c.u32().ok_or(short)?,
            str_len: c.u32().ok_or(short)?,
        })
    }

    /// `btf_check_sec_info`: the type and string sections exactly tile the
    /// bytes after the header (no gap, no overlap, nothing else).
    fn check_sec_info(hdr: &BtfHeader, body_len: usize) -> Result<(), Error> {
        let mut secs = [(hdr.type_off, hdr.type_len), (hdr.str_off, hdr.str_len)];
        sort::sort(&mut secs);
        let expected =
            u64::try_from(body_len).map_err(|_| Error::new(BtfError::TooBig { size: body_len }))?;
        let mut total: u64 = 0;
        for (off, len) in secs {
            let (off64, len64) = (u64::from(off), u64::from(len));
            if expected < off64 {
                return Err(Error::new(BtfError::SectionOutOfBounds { off, len }));
            }
            if total < off64 {
                return Err(Error::new(BtfError::SectionGap {
                    off: total_u32(total),
                }));
            }
            if total > off64 {
                return Err(Error::new(BtfError::SectionOverlap { off }));
            }
            if expected.saturating_sub(total) < len64 {
                return Err(Error::new(BtfError::SectionOutOfBounds { off, len }));
            }
            total = total.saturating_add(len64);
        }
        if total != expected {
            return Err(Error::new(BtfError::SectionGap {
                off: total_u32(total),
            }));
        }
        Ok(())
    }

    /// Whether `off` is a valid string offset.
    fn name_ok(&self, off: u32) -> bool {
        to_usize(off) < self.strs.len()
    }

    /// Whether the string at `off` is non-empty.
    fn name_nonempty(&self, off: u32) -> bool {
        off != 0 && self.strs.get(to_usize(off)).is_some_and(|&b| b != 0)
    }

    /// `btf_check_all_metas`: walks the type section, checks each record's
    /// meta data and records its offset.
    fn check_all_metas(&mut self, tick: &Ticker<'_>) -> Result<(), Error> {
        let types = self.types;
        let mut cur: usize = 0;
        let mut offsets: KVVec<u32> = KVVec::new();
        let mut type_id: u32 = 1;
        while cur < types.len() {
            tick.tick()?;
            if type_id >= BTF_MAX_TYPE {
                return Err(Error::new(BtfError::TooManyTypes { count: type_id }));
            }
            let rest = types.get(cur..).unwrap_or(&[]);
            let offset =
                u32::try_from(cur).map_err(|_| Error::new(BtfError::TooBig { size: cur }))?;
            let truncated = Error::at_type(type_id, BtfError::TypeTruncated { offset });
            let mut c = Cursor::new(rest);
            let (Some(name_off), Some(info), Some(size_type)) = (c.u32(), c.u32(), c.u32()) else {
                return Err(truncated);
            };
            if info & !BTF_INFO_MASK != 0 {
                return Err(Error::at_type(type_id, BtfError::BadInfo { info }));
            }
            let kind = kind_of(info);
            let vlen = vlen_of(info);
            let extra = match meta_size(kind, vlen) {
                Some(n) if kind != BTF_KIND_UNKN => n,
                _ => return Err(Error::at_type(type_id, BtfError::BadKind { kind })),
            };
            if !self.name_ok(name_off) {
                return Err(Error::at_type(type_id, BtfError::BadNameOff { name_off }));
            }
            let len = BTF_TYPE_SIZE.checked_add(extra).ok_or(truncated)?;
            let rec = rest.get(..len).ok_or(truncated)?;
            let t = Type {
                id: type_id,
                rec,
                name_off,
                info,
                size_type,
            };
            self.check_meta(&t)?;
            offsets.push(offset, GFP_INPUT)?;
            cur = cur.checked_add(len).ok_or(truncated)?;
            type_id = type_id.checked_add(1).ok_or(truncated)?;
        }
        self.offsets = offsets;
        Ok(())
    }

    /// The kind-specific part of `btf_check_meta`.
    fn check_meta(&self, t: &Type<'_>) -> Result<(), Error> {
        let type_id = t.id;
        let kind = t.kind();
        let vlen = t.vlen();
        let no_vlen = || {
            if vlen != 0 {
                Err(Error::at_type(type_id, BtfError::BadVlen { vlen }))
            } else {
                Ok(())
            }
        };
        let no_kflag = || {
            if t.kflag() {
                Err(Error::at_type(type_id, BtfError::BadKflag))
            } else {
                Ok(())
            }
        };
        let bad_name = Error::at_type(type_id, BtfError::BadName);
        match kind {
            BTF_KIND_INT => {
                no_vlen()?;
                no_kflag()?;
                let int_data = t.extra_u32(0);
                if int_data & !BTF_INT_MASK != 0 {
                    return Err(Error::at_type(type_id, BtfError::BadInt { int_data }));
                }
                let nr_bits = (int_data & 0xff).saturating_add((int_data >> 16) & 0xff);
                let bytes = nr_bits.div_ceil(8);
                let encoding = (int_data >> 24) & 0xf;
                if nr_bits > 128
                    || bytes > t.size()
                    || !matches!(encoding, 0 | BTF_INT_SIGNED | BTF_INT_CHAR | BTF_INT_BOOL)
                {
                    return Err(Error::at_type(type_id, BtfError::BadInt { int_data }));
                }
            }
            BTF_KIND_PTR | BTF_KIND_VOLATILE | BTF_KIND_CONST | BTF_KIND_RESTRICT => {
                no_vlen()?;
                no_kflag()?;
                if t.name_off != 0 {
                    return Err(bad_name);
                }
            }
            BTF_KIND_TYPEDEF | BTF_KIND_TYPE_TAG => {
                no_vlen()?;
                no_kflag()?;
                if !self.name_nonempty(t.name_off) {
                    return Err(bad_name);
                }
            }
            BTF_KIND_FWD => {
                no_vlen()?;
                if t.size_type != 0 {
                    return Err(Error::at_type(
                        type_id,
                        BtfError::BadTypeRef {
                            ref_id: t.size_type,
                        },
                    ));
                }
                if !self.name_nonempty(t.name_off) {
                    return Err(bad_name);
                }
            }
            BTF_KIND_ARRAY => {
                no_vlen()?;
                no_kflag()?;
                if t.name_off != 0 {
                    return Err(bad_name);
                }
                if t.size_type != 0 {
                    return Err(Error::at_type(
                        type_id,
                        BtfError::BadSize { size: t.size_type },
                    ));
                }
                for ref_id in [t.extra_u32(0), t.extra_u32(1)] {
                    if ref_id == 0 {
                        return Err(Error::at_type(type_id, BtfError::BadTypeRef { ref_id }));
                    }
                }
            }
            BTF_KIND_STRUCT | BTF_KIND_UNION => {
                let is_union = kind == BTF_KIND_UNION;
                let mut last_offset = 0;
                for (i, m) in (0u32..).zip(t.members()) {
                    if !self.name_ok(m.name_off) {
                        return Err(Error::at_type(
                            type_id,
                            BtfError::BadNameOff {
                                name_off: m.name_off,
                            },
                        ));
                    }
                    if m.type_id == 0 {
                        return Err(Error::at_type(type_id, BtfError::BadTypeRef { ref_id: 0 }));
                    }
                    let off = m.bit_offset;
                    if (is_union && off != 0) || last_offset > off || off.div_ceil(8) > t.size() {
                        return Err(Error::at_type(type_id, BtfError::BadMember { member: i }));
                    }
                    last_offset = off;
                }
            }
            BTF_KIND_ENUM | BTF_KIND_ENUM64 => {
                // Size 0 is a forward-declared enum (`enum Z;`, vlen 0): the
                // kernel refuses it at BPF_BTF_LOAD, but libbpf opens such
                // objects, so it is the object layer's call.
                let fwd = t.size() == 0 && vlen == 0;
                if !fwd && !matches!(t.size(), 1 | 2 | 4 | 8) {
                    return Err(Error::at_type(
                        type_id,
                        BtfError::BadSize { size: t.size() },
                    ));
                }
                for v in t.enum_values() {
                    if !self.name_ok(v.name_off) {
                        return Err(Error::at_type(
                            type_id,
                            BtfError::BadNameOff {
                                name_off: v.name_off,
                            },
                        ));
                    }
                    if !self.name_nonempty(v.name_off) {
                        return Err(bad_name);
                    }
                }
            }
            BTF_KIND_FUNC => {
                no_kflag()?;
                if !self.name_nonempty(t.name_off) {
                    return Err(bad_name);
                }
                if vlen > BTF_FUNC_EXTERN {
                    return Err(Error::at_type(
                        type_id,
                        BtfError::BadLinkage {
                            linkage: u32::from(vlen),
                        },
                    ));
                }
            }
            BTF_KIND_FUNC_PROTO => {
                no_kflag()?;
                if t.name_off != 0 {
                    return Err(bad_name);
                }
                let last = u32::from(vlen).saturating_sub(1);
                for (i, p) in (0u32..).zip(t.params()) {
                    if !self.name_ok(p.name_off) {
                        return Err(Error::at_type(
                            type_id,
                            BtfError::BadNameOff {
                                name_off: p.name_off,
                            },
                        ));
                    }
                    // Only the last parameter may be `...` (type 0, no name).
                    if p.type_id == 0 && (i != last || p.name_off != 0) {
                        return Err(Error::at_type(type_id, BtfError::BadMember { member: i }));
                    }
                }
            }
            BTF_KIND_VAR => {
                no_vlen()?;
                no_kflag()?;
                if !self.name_nonempty(t.name_off) {
                    return Err(bad_name);
                }
                if t.size_type == 0 {
                    return Err(Error::at_type(type_id, BtfError::BadTypeRef { ref_id: 0 }));
                }
                let linkage = t.extra_u32(0);
                if linkage > BTF_VAR_GLOBAL_EXTERN {
                    return Err(Error::at_type(type_id, BtfError::BadLinkage { linkage }));
                }
            }
            BTF_KIND_DATASEC => {
                no_kflag()?;
                if !self.name_nonempty(t.name_off) {
                    return Err(bad_name);
                }
                for v in t.datasec_vars() {
                    if v.type_id == 0 {
                        return Err(Error::at_type(type_id, BtfError::BadTypeRef { ref_id: 0 }));
                    }
                }
            }
            BTF_KIND_FLOAT => {
                no_vlen()?;
                no_kflag()?;
                if !matches!(t.size(), 2 | 4 | 8 | 12 | 16) {
                    return Err(Error::at_type(
                        type_id,
                        BtfError::BadSize { size: t.size() },
                    ));
                }
            }
            BTF_KIND_DECL_TAG => {
                no_vlen()?;
                no_kflag()?;
                if !self.name_nonempty(t.name_off) {
                    return Err(bad_name);
                }
                if t.size_type == 0 {
                    return Err(Error::at_type(type_id, BtfError::BadTypeRef { ref_id: 0 }));
                }
                let component_idx = t.decl_tag_component_idx().unwrap_or(-1);
                if component_idx < -1 {
                    return Err(Error::at_type(
                        type_id,
                        BtfError::BadComponentIdx { component_idx },
                    ));
                }
            }
            _ => return Err(Error::at_type(type_id, BtfError::BadKind { kind })),
        }
        Ok(())
    }

    /// Second pass: every referenced type id exists, `FUNC`s point at
    /// `FUNC_PROTO`s and decl tags at a valid component.
    fn check_all_refs(&self, tick: &Ticker<'_>) -> Result<(), Error> {
        let nr = self.nr_types();
        for t in self.types() {
            tick.tick()?;
            let type_id = t.id;
            let check = |ref_id: u32| {
                if ref_id >= nr {
                    Err(Error::at_type(type_id, BtfError::BadTypeRef { ref_id }))
                } else {
                    Ok(())
                }
            };
            match t.kind() {
                BTF_KIND_PTR | BTF_KIND_TYPEDEF | BTF_KIND_VOLATILE | BTF_KIND_CONST
                | BTF_KIND_RESTRICT | BTF_KIND_TYPE_TAG | BTF_KIND_VAR => check(t.size_type)?,
                BTF_KIND_FUNC => {
                    check(t.size_type)?;
                    if self.type_by_id(t.size_type)?.kind() != BTF_KIND_FUNC_PROTO {
                        return Err(Error::at_type(
                            type_id,
                            BtfError::BadTypeRef {
                                ref_id: t.size_type,
                            },
                        ));
                    }
                }
                BTF_KIND_ARRAY => {
                    let a = t
                        .array()
                        .ok_or(Error::new(BtfError::BadTypeId { type_id }))?;
                    check(a.type_id)?;
                    check(a.index_type)?;
                }
                BTF_KIND_STRUCT | BTF_KIND_UNION => {
                    for m in t.members() {
                        check(m.type_id)?;
                    }
                }
                BTF_KIND_FUNC_PROTO => {
                    check(t.size_type)?;
                    for p in t.params() {
                        check(p.type_id)?;
                    }
                }
                BTF_KIND_DATASEC => {
                    for v in t.datasec_vars() {
                        check(v.type_id)?;
                    }
                }
                BTF_KIND_DECL_TAG => {
                    check(t.size_type)?;
                    self.check_decl_tag(&t)?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// A decl tag's target and component index, like the kernel's
    /// `btf_decl_tag_resolve`.
    fn check_decl_tag(&self, t: &Type<'_>) -> Result<(), Error> {
        let type_id = t.id;
        let component_idx = t.decl_tag_component_idx().unwrap_or(-1);
        let target = self.type_by_id(t.size_type)?;
        let n = match target.kind() {
            BTF_KIND_STRUCT | BTF_KIND_UNION => u32::from(target.vlen()),
            BTF_KIND_FUNC => u32::from(self.type_by_id(target.size_type)?.vlen()),
            BTF_KIND_VAR | BTF_KIND_TYPEDEF => 0,
            _ => {
                return Err(Error::at_type(
                    type_id,
                    BtfError::BadTypeRef {
                        ref_id: t.size_type,
                    },
                ))
            }
        };
        if component_idx != -1 && u32::try_from(component_idx).map_or(true, |i| i >= n) {
            return Err(Error::at_type(
                type_id,
                BtfError::BadComponentIdx { component_idx },
            ));
        }
        Ok(())
    }

    /// The raw blob.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// The header.
    pub fn header(&self) -> BtfHeader {
        self.hdr
    }

    /// The string section.
    pub fn strings(&self) -> &'a [u8] {
        self.strs
    }

    /// Number of type ids, including `void` (0): valid ids are
    /// `0..nr_types()`.
    pub fn nr_types(&self) -> u32 {
        // At most BTF_MAX_TYPE entries (checked in parse).
        u32::try_from(self.offsets.len())
            .unwrap_or(BTF_MAX_TYPE)
            .saturating_add(1)
    }

    /// Byte offset, in the raw blob, of the record of type `id` (not 0).
    pub fn type_offset(&self, id: u32) -> Result<usize, Error> {
        let bad = Error::new(BtfError::BadTypeId { type_id: id });
        let idx = id.checked_sub(1).ok_or(bad)?;
        let off = *self.offsets.get(to_usize(idx)).ok_or(bad)?;
        to_usize(self.hdr.hdr_len)
            .checked_add(to_usize(self.hdr.type_off))
            .and_then(|o| o.checked_add(to_usize(off)))
            .ok_or(bad)
    }

    /// Type `id`; id 0 is `void` (kind [`BTF_KIND_UNKN`], no name, size 0).
    pub fn type_by_id(&self, id: u32) -> Result<Type<'a>, Error> {
        if id == 0 {
            return Ok(Type {
                id: 0,
                rec: &VOID_RECORD,
                name_off: 0,
                info: 0,
                size_type: 0,
            });
        }
        let bad = Error::new(BtfError::BadTypeId { type_id: id });
        let idx = to_usize(id.checked_sub(1).ok_or(bad)?);
        let off = to_usize(*self.offsets.get(idx).ok_or(bad)?);
        let end = match self.offsets.get(idx.checked_add(1).ok_or(bad)?) {
            Some(&next) => to_usize(next),
            None => self.types.len(),
        };
        let rec = self.types.get(off..end).ok_or(bad)?;
        let mut c = Cursor::new(rec);
        let (Some(name_off), Some(info), Some(size_type)) = (c.u32(), c.u32(), c.u32()) else {
            return Err(bad);
        };
        Ok(Type {
            id,
            rec,
            name_off,
            info,
            size_type,
        })
    }

    /// All types except `void`, in id order.
    pub fn types(&self) -> Types<'_, 'a> {
        Types { btf: self, next: 1 }
    }

    /// The name at offset `off` of the string section, without its NUL.
    ///
    /// Names are at most [`MAX_NAME_LEN`](crate::bpfobj::limits::MAX_NAME_LEN)
    /// bytes (the kernel's limit for identifiers and section names): a
    /// longer string is
    /// [`BtfError::NameTooLong`](crate::bpfobj::error::BtfError::NameTooLong),
    /// found reading at most that many bytes.
    pub fn str_at(&self, off: u32) -> Result<&'a [u8], Error> {
        cstr_at(self.strs, to_usize(off)).map_err(|e| match e {
            CStrError::Bad => Error::new(BtfError::BadStrOff { offset: off }),
            CStrError::TooLong => Error::new(BtfError::NameTooLong { offset: off }),
        })
    }

    /// [`Btf::str_at`], with `None` for a string too long to be a name
    /// (tags may be: the kernel does not limit their length).
    pub fn name_at(&self, off: u32) -> Result<Option<&'a [u8]>, Error> {
        match self.str_at(off) {
            Ok(s) => Ok(Some(s)),
            Err(Error {
                kind: ErrorKind::Btf(BtfError::NameTooLong { .. }),
                ..
            }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Whether `off` is a valid string offset: it starts a NUL-terminated
    /// string, since the string section ends with a NUL. O(1), for strings
    /// that are not names (source lines, CO-RE access strings).
    pub fn str_ok(&self, off: u32) -> bool {
        to_usize(off) < self.strs.len()
    }

    /// The name of type `id` (empty for anonymous types and `void`).
    pub fn name_of(&self, id: u32) -> Result<&'a [u8], Error> {
        let t = self.type_by_id(id)?;
        self.str_at(t.name_off)
    }

    /// The first type of kind `kind` called `name`.
    pub fn find_by_name_kind(&self, name: &[u8], kind: u32) -> Option<u32> {
        self.types()
            .find(|t| t.kind() == kind && self.str_at(t.name_off) == Ok(name))
            .map(|t| t.id)
    }

    /// Follows `TYPEDEF`, `CONST`, `VOLATILE`, `RESTRICT` and `TYPE_TAG`
    /// from `id` to the first other type (at most [`MAX_RESOLVE_DEPTH`]
    /// steps).
    pub fn skip_mods_and_typedefs(&self, id: u32) -> Result<(u32, Type<'a>), Error> {
        let mut id = id;
        for _ in 0..MAX_RESOLVE_DEPTH {
            let t = self.type_by_id(id)?;
            if !t.is_mod_or_typedef() {
                return Ok((id, t));
            }
            id = t.size_type;
        }
        Err(Error::at_type(id, BtfError::ResolveTooDeep))
    }

    /// The size in bytes of type `id`, like libbpf's `btf__resolve_size`
    /// (at most [`MAX_RESOLVE_DEPTH`] steps; array sizes must fit a `u32`).
    pub fn resolve_size(&self, id: u32) -> Result<u32, Error> {
        let start = id;
        let mut id = id;
        let mut nelems: u64 = 1;
        for _ in 0..MAX_RESOLVE_DEPTH {
            let t = self.type_by_id(id)?;
            let size = match t.kind() {
                BTF_KIND_INT | BTF_KIND_STRUCT | BTF_KIND_UNION | BTF_KIND_ENUM
                | BTF_KIND_ENUM64 | BTF_KIND_DATASEC | BTF_KIND_FLOAT => t.size_type,
                BTF_KIND_PTR => BTF_PTR_SIZE,
                BTF_KIND_TYPEDEF | BTF_KIND_VOLATILE | BTF_KIND_CONST | BTF_KIND_RESTRICT
                | BTF_KIND_VAR | BTF_KIND_TYPE_TAG => {
                    id = t.size_type;
                    continue;
                }
                BTF_KIND_ARRAY => {
                    let a = t
                        .array()
                        .ok_or(Error::new(BtfError::BadTypeId { type_id: id }))?;
                    nelems = nelems
                        .checked_mul(u64::from(a.nelems))
                        .filter(|&n| n <= u64::from(u32::MAX))
                        .ok_or(Error::at_type(start, BtfError::SizeOverflow))?;
                    id = a.type_id;
                    continue;
                }
                kind => return Err(Error::at_type(id, BtfError::NotSized { kind })),
            };
            return nelems
                .checked_mul(u64::from(size))
                .and_then(|s| u32::try_from(s).ok())
                .ok_or(Error::at_type(start, BtfError::SizeOverflow));
        }
        Err(Error::at_type(start, BtfError::ResolveTooDeep))
    }
}

/// `u64` to `u32` for an offset already bounded by a `u32` sum.
fn total_u32(total: u64) -> u32 {
    u32::try_from(total).unwrap_or(u32::MAX)
}

fn kind_of(info: u32) -> u32 {
    (info >> 24) & 0x1f
}

fn vlen_of(info: u32) -> u16 {
    u16::try_from(info & 0xffff).unwrap_or(u16::MAX)
}

/// Iterator over the types of a [`Btf`], see [`Btf::types`].
#[derive(Debug)]
pub struct Types<'b, 'a> {
    btf: &'b Btf<'a>,
    next: u32,
}

impl<'a> Iterator for Types<'_, 'a> {
    type Item = Type<'a>;

    fn next(&mut self) -> Option<Type<'a>> {
        let t = self.btf.type_by_id(self.next).ok()?;
        self.next = self.next.checked_add(1)?;
        Some(t)
    }
}

/// One BTF type record (`struct btf_type` and its kind-specific data).
///
/// The accessors for another kind's data return `None` or an empty
/// iterator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Type<'a> {
    id: u32,
    rec: &'a [u8],
    name_off: u32,
    info: u32,
    size_type: u32,
}

/// A member of a `STRUCT` or `UNION` (`struct btf_member`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Member {
    /// Name offset (0 for anonymous members).
    pub name_off: u32,
    /// Member type.
    pub type_id: u32,
    /// The raw `offset` word.
    pub offset: u32,
    /// Offset in bits from the start of the struct.
    pub bit_offset: u32,
    /// Bitfield size in bits, 0 if not a bitfield (or no `kind_flag`).
    pub bitfield_size: u32,
}

/// A parameter of a `FUNC_PROTO` (`struct btf_param`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Param {
    /// Name offset (may be 0).
    pub name_off: u32,
    /// Parameter type (0 only for a trailing `...`).
    pub type_id: u32,
}

/// An `ENUM` or `ENUM64` value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EnumValue {
    /// Name offset.
    pub name_off: u32,
    /// The value's bits: for a 32-bit `ENUM`, sign-extended if the enum is
    /// signed (`kind_flag`) and zero-extended otherwise.
    pub val: u64,
}

/// A `DATASEC` entry (`struct btf_var_secinfo`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VarSecinfo {
    /// The `VAR` (or `FUNC` for `.ksyms`) type.
    pub type_id: u32,
    /// Offset in the section (0 in objects before fixup).
    pub offset: u32,
    /// Size in bytes.
    pub size: u32,
}

/// An `ARRAY`'s data (`struct btf_array`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Array {
    /// Element type.
    pub type_id: u32,
    /// Index type.
    pub index_type: u32,
    /// Number of elements.
    pub nelems: u32,
}

/// Iterator over fixed-size items after a type record.
#[derive(Clone, Debug)]
pub struct Items<'a, T> {
    chunks: core::slice::ChunksExact<'a, u8>,
    kflag: bool,
    read: fn(&[u8], bool) -> Option<T>,
}

impl<T> Iterator for Items<'_, T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        // Records were sized by parse(); a short one cannot occur.
        (self.read)(self.chunks.next()?, self.kflag)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.chunks.size_hint()
    }
}

impl<T> Items<'_, T> {
    /// Number of items not yet returned.
    pub fn remaining(&self) -> usize {
        self.chunks.len()
    }
}

fn read_member(b: &[u8], kflag: bool) -> Option<Member> {
    let mut c = Cursor::new(b);
    let name_off = c.u32()?;
    let type_id = c.u32()?;
    let offset = c.u32()?;
    let (bit_offset, bitfield_size) = if kflag {
        (offset & 0x00ff_ffff, offset >> 24)
    } else {
        (offset, 0)
    };
    Some(Member {
        name_off,
        type_id,
        offset,
        bit_offset,
        bitfield_size,
    })
}

fn read_param(b: &[u8], _kflag: bool) -> Option<Param> {
    let mut c = Cursor::new(b);
    Some(Param {
        name_off: c.u32()?,
        type_id: c.u32()?,
    })
}

fn read_enum(b: &[u8], signed: bool) -> Option<EnumValue> {
    let mut c = Cursor::new(b);
    let name_off = c.u32()?;
    let raw = c.u32()?;
    let val = if signed {
        // Sign-extend the 32-bit value's bits.
        i64::from(i32::from_ne_bytes(raw.to_ne_bytes())).to_ne_bytes()
    } else {
        u64::from(raw).to_ne_bytes()
    };
    Some(EnumValue {
        name_off,
        val: u64::from_ne_bytes(val),
    })
}

fn read_enum64(b: &[u8], _kflag: bool) -> Option<EnumValue> {
    let mut c = Cursor::new(b);
    let name_off = c.u32()?;
    let lo = c.u32()?;
    let hi = c.u32()?;
    Some(EnumValue {
        name_off,
        val: u64::from(hi) << 32 | u64::from(lo),
    })
}

fn read_vsi(b: &[u8], _kflag: bool) -> Option<VarSecinfo> {
    let mut c = Cursor::new(b);
    Some(VarSecinfo {
        type_id: c.u32()?,
        offset: c.u32()?,
        size: c.u32()?,
    })
}

impl<'a> Type<'a> {
    /// The type id.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// The record's bytes (the `btf_type` and its kind-specific data).
    pub fn record(&self) -> &'a [u8] {
        self.rec
    }

    /// The kind (`BTF_KIND_*`).
    pub fn kind(&self) -> u32 {
        kind_of(self.info)
    }

    /// The name offset.
    pub fn name_off(&self) -> u32 {
        self.name_off
    }

    /// The raw `info` word.
    pub fn info(&self) -> u32 {
        self.info
    }

    /// `vlen` (for `FUNC`: the linkage).
    pub fn vlen(&self) -> u16 {
        vlen_of(self.info)
    }

    /// `kind_flag`.
    pub fn kflag(&self) -> bool {
        self.info & 0x8000_0000 != 0
    }

    /// The `size` word: the byte size of `INT`, `STRUCT`, `UNION`, `ENUM`,
    /// `ENUM64`, `DATASEC` and `FLOAT` (the same word as [`Type::type_id`]).
    pub fn size(&self) -> u32 {
        self.size_type
    }

    /// The `type` word: the referenced type of `PTR`, modifiers, `TYPEDEF`,
    /// `TYPE_TAG`, `FUNC`, `VAR`, `DECL_TAG`, and `FUNC_PROTO`'s return type
    /// (the same word as [`Type::size`]).
    pub fn type_id(&self) -> u32 {
        self.size_type
    }

    /// Whether this is a `TYPEDEF`, `CONST`, `VOLATILE`, `RESTRICT` or
    /// `TYPE_TAG`.
    pub fn is_mod_or_typedef(&self) -> bool {
        matches!(
            self.kind(),
            BTF_KIND_TYPEDEF
                | BTF_KIND_VOLATILE
                | BTF_KIND_CONST
                | BTF_KIND_RESTRICT
                | BTF_KIND_TYPE_TAG
        )
    }

    /// The bytes after the `btf_type`.
    fn extra(&self) -> &'a [u8] {
        self.rec.get(BTF_TYPE_SIZE..).unwrap_or(&[])
    }

    /// The `n`th `u32` after the `btf_type` (0 if absent).
    fn extra_u32(&self, n: usize) -> u32 {
        n.checked_mul(4)
            .and_then(|off| sub(self.extra(), off, 4))
            .and_then(|b| Cursor::new(b).u32())
            .unwrap_or(0)
    }

    fn items<T>(
        &self,
        kinds: &[u32],
        size: usize,
        read: fn(&[u8], bool) -> Option<T>,
    ) -> Items<'a, T> {
        let data: &'a [u8] = if kinds.contains(&self.kind()) {
            self.extra()
        } else {
            &[]
        };
        Items {
            chunks: data.chunks_exact(size),
            kflag: self.kflag(),
            read,
        }
    }

    /// The members of a `STRUCT` or `UNION`.
    pub fn members(&self) -> Items<'a, Member> {
        self.items(&[BTF_KIND_STRUCT, BTF_KIND_UNION], 12, read_member)
    }

    /// The parameters of a `FUNC_PROTO`.
    pub fn params(&self) -> Items<'a, Param> {
        self.items(&[BTF_KIND_FUNC_PROTO], 8, read_param)
    }

    /// The values of an `ENUM` or `ENUM64`.
    pub fn enum_values(&self) -> Items<'a, EnumValue> {
        if self.kind() == BTF_KIND_ENUM64 {
            self.items(&[BTF_KIND_ENUM64], 12, read_enum64)
        } else {
            self.items(&[BTF_KIND_ENUM], 8, read_enum)
        }
    }

    /// The entries of a `DATASEC`.
    pub fn datasec_vars(&self) -> Items<'a, VarSecinfo> {
        self.items(&[BTF_KIND_DATASEC], 12, read_vsi)
    }

    /// A `VAR`'s linkage (`BTF_VAR_*`).
    pub fn var_linkage(&self) -> Option<u32> {
        (self.kind() == BTF_KIND_VAR).then(|| self.extra_u32(0))
    }

    /// A `FUNC`'s linkage (`BTF_FUNC_*`, stored in `vlen`).
    pub fn func_linkage(&self) -> Option<u16> {
        (self.kind() == BTF_KIND_FUNC).then(|| self.vlen())
    }

    /// An `INT`'s encoding bits (`BTF_INT_SIGNED`, `BTF_INT_CHAR`,
    /// `BTF_INT_BOOL`).
    pub fn int_encoding(&self) -> Option<u32> {
        (self.kind() == BTF_KIND_INT).then(|| (self.extra_u32(0) >> 24) & 0xf)
    }

    /// An `INT`'s width in bits.
    pub fn int_bits(&self) -> Option<u32> {
        (self.kind() == BTF_KIND_INT).then(|| self.extra_u32(0) & 0xff)
    }

    /// An `INT`'s bit offset.
    pub fn int_offset(&self) -> Option<u32> {
        (self.kind() == BTF_KIND_INT).then(|| (self.extra_u32(0) >> 16) & 0xff)
    }

    /// An `ARRAY`'s element type, index type and length.
    pub fn array(&self) -> Option<Array> {
        (self.kind() == BTF_KIND_ARRAY).then(|| Array {
            type_id: self.extra_u32(0),
            index_type: self.extra_u32(1),
            nelems: self.extra_u32(2),
        })
    }

    /// A `DECL_TAG`'s component index (-1 for the whole type).
    pub fn decl_tag_component_idx(&self) -> Option<i32> {
        (self.kind() == BTF_KIND_DECL_TAG)
            .then(|| i32::from_ne_bytes(self.extra_u32(0).to_ne_bytes()))
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
    use crate::bpfobj::error::Location;

    extern crate std;
    use std::vec;
    use std::vec::Vec;

    /// Builds BTF blobs type by type.
    struct B {
        types: Vec<u8>,
        strs: Vec<u8>,
        n: u32,
    }

    impl B {
        fn new() -> B {
            B {
                types: Vec::new(),
                strs: vec![0],
                n: 0,
            }
        }

        /// Adds a string, returns its offset.
        fn s(&mut self, name: &str) -> u32 {
            let off = self.strs.len() as u32;
            self.strs.extend_from_slice(name.as_bytes());
            self.strs.push(0);
            off
        }

        /// Adds a type record, returns its id.
        fn t(
            &mut self,
            name_off: u32,
            kind: u32,
            kflag: bool,
            vlen: u16,
            size_type: u32,
            extra: &[u32],
        ) -> u32 {
            let info = (u32::from(kflag) << 31) | (kind << 24) | u32::from(vlen);
            for w in [name_off, info, size_type].iter().chain(extra) {
                self.types.extend_from_slice(&w.to_ne_bytes());
            }
            self.n += 1;
            self.n
        }

        fn int(&mut self, name: &str, size: u32, bits: u32) -> u32 {
            let n = self.s(name);
            self.t(n, BTF_KIND_INT, false, 0, size, &[bits])
        }

        fn blob(&self) -> Vec<u8> {
            blob_of(&self.types, &self.strs)
        }
    }

    fn blob_of(types: &[u8], strs: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(&BTF_MAGIC.to_ne_bytes());
        v.push(BTF_VERSION);
        v.push(0);
        v.extend_from_slice(&24u32.to_ne_bytes());
        v.extend_from_slice(&0u32.to_ne_bytes());
        v.extend_from_slice(&(types.len() as u32).to_ne_bytes());
        v.extend_from_slice(&(types.len() as u32).to_ne_bytes());
        v.extend_from_slice(&(strs.len() as u32).to_ne_bytes());
        v.extend_from_slice(types);
        v.extend_from_slice(strs);
        v
    }

    fn put32(v: &mut [u8], at: usize, x: u32) {
        v[at..at + 4].copy_from_slice(&x.to_ne_bytes());
    }

    /// One type of every kind, referencing each other.
    fn every_kind() -> (B, [u32; 20]) {
        let mut b = B::new();
        let int = b.int("int", 4, BTF_INT_SIGNED << 24 | 32); // 1
        let ptr = b.t(0, BTF_KIND_PTR, false, 0, int, &[]); // 2
        let arr = b.t(0, BTF_KIND_ARRAY, false, 0, 0, &[int, int, 3]); // 3
        let (sn, a, c) = (b.s("s"), b.s("a"), b.s("c"));
        let st = b.t(sn, BTF_KIND_STRUCT, false, 2, 16, &[a, int, 0, c, arr, 32]); // 4
        let un = b.t(0, BTF_KIND_UNION, true, 2, 4, &[a, int, 3 << 24, c, int, 0]); // 5
        let (en, e1, e2) = (b.s("e"), b.s("E1"), b.s("E2"));
        let enm = b.t(en, BTF_KIND_ENUM, true, 2, 4, &[e1, 1, e2, u32::MAX]); // 6
        let fwd_n = b.s("fw");
        let fwd = b.t(fwd_n, BTF_KIND_FWD, true, 0, 0, &[]); // 7
        let td_n = b.s("td");
        let td = b.t(td_n, BTF_KIND_TYPEDEF, false, 0, int, &[]); // 8
        let vol = b.t(0, BTF_KIND_VOLATILE, false, 0, td, &[]); // 9
        let cst = b.t(0, BTF_KIND_CONST, false, 0, vol, &[]); // 10
        let res = b.t(0, BTF_KIND_RESTRICT, false, 0, ptr, &[]); // 11
        let p_n = b.s("x");
        let proto = b.t(0, BTF_KIND_FUNC_PROTO, false, 2, int, &[p_n, ptr, 0, 0]); // 12
        let f_n = b.s("f");
        let func = b.t(f_n, BTF_KIND_FUNC, false, BTF_FUNC_GLOBAL, proto, &[]); // 13
        let v_n = b.s("v");
        let var = b.t(v_n, BTF_KIND_VAR, false, 0, st, &[BTF_VAR_GLOBAL_ALLOCATED]); // 14
        let ds_n = b.s(".data");
        let ds = b.t(ds_n, BTF_KIND_DATASEC, false, 1, 0, &[var, 0, 16]); // 15
        let fl_n = b.s("double");
        let fl = b.t(fl_n, BTF_KIND_FLOAT, false, 0, 8, &[]); // 16
        let tag_n = b.s("tag");
        let dtag = b.t(tag_n, BTF_KIND_DECL_TAG, false, 0, st, &[1]); // 17
        let ttag = b.t(tag_n, BTF_KIND_TYPE_TAG, false, 0, int, &[]); // 18
        let e64_n = b.s("e64");
        let e64 = b.t(e64_n, BTF_KIND_ENUM64, false, 1, 8, &[e1, 2, 1]); // 19
        (
            b,
            [
                0, int, ptr, arr, st, un, enm, fwd, td, vol, cst, res, func, proto, var, ds, fl,
                dtag, ttag, e64,
            ],
        )
    }

    #[test]
    fn parses_every_kind() {
        let (b, ids) = every_kind();
        let data = b.blob();
        let btf = Btf::parse(&data).unwrap();
        assert_eq!(btf.nr_types(), 20);
        assert_eq!(btf.types().count(), 19);
        for (kind, id) in ids.iter().enumerate() {
            assert_eq!(btf.type_by_id(*id).unwrap().kind(), kind as u32);
        }
        let int = btf.type_by_id(1).unwrap();
        assert_eq!(
            (int.int_bits(), int.int_offset(), int.int_encoding()),
            (Some(32), Some(0), Some(BTF_INT_SIGNED))
        );
        assert_eq!(btf.name_of(1).unwrap(), b"int");
        let a = btf.type_by_id(3).unwrap().array().unwrap();
        assert_eq!(
            a,
            Array {
                type_id: 1,
                index_type: 1,
                nelems: 3
            }
        );
        let m: Vec<_> = btf.type_by_id(4).unwrap().members().collect();
        assert_eq!(m.len(), 2);
        assert_eq!(
            (m[1].type_id, m[1].bit_offset, m[1].bitfield_size),
            (3, 32, 0)
        );
        let u: Vec<_> = btf.type_by_id(5).unwrap().members().collect();
        assert_eq!((u[0].bit_offset, u[0].bitfield_size), (0, 3));
        let e: Vec<_> = btf.type_by_id(6).unwrap().enum_values().collect();
        assert_eq!(e[1].val, u64::MAX, "signed 32-bit enums sign-extend");
        let e64: Vec<_> = btf.type_by_id(19).unwrap().enum_values().collect();
        assert_eq!(e64[0].val, (1 << 32) | 2);
        let p: Vec<_> = btf.type_by_id(12).unwrap().params().collect();
        assert_eq!(
            p,
            [
                Param {
                    name_off: btf
                        .type_by_id(12)
                        .unwrap()
                        .params()
                        .next()
                        .unwrap()
                        .name_off,
                    type_id: 2
                },
                Param {
                    name_off: 0,
                    type_id: 0
                }
            ]
        );
        assert_eq!(
            btf.type_by_id(13).unwrap().func_linkage(),
            Some(BTF_FUNC_GLOBAL)
        );
        assert_eq!(btf.type_by_id(14).unwrap().var_linkage(), Some(1));
        let vs: Vec<_> = btf.type_by_id(15).unwrap().datasec_vars().collect();
        assert_eq!(
            vs,
            [VarSecinfo {
                type_id: 14,
                offset: 0,
                size: 16
            }]
        );
        assert_eq!(
            btf.type_by_id(17).unwrap().decl_tag_component_idx(),
            Some(1)
        );
        // Accessors of another kind are empty.
        assert_eq!(int.members().count(), 0);
        assert_eq!(int.array(), None);
        assert_eq!(int.var_linkage(), None);
        assert_eq!(btf.type_by_id(4).unwrap().int_bits(), None);
        // Lookups.
        assert_eq!(btf.find_by_name_kind(b"s", BTF_KIND_STRUCT), Some(4));
        assert_eq!(btf.find_by_name_kind(b"s", BTF_KIND_UNION), None);
        assert_eq!(btf.find_by_name_kind(b"tag", BTF_KIND_TYPE_TAG), Some(18));
        let (id, t) = btf.skip_mods_and_typedefs(10).unwrap();
        assert_eq!((id, t.kind()), (1, BTF_KIND_INT));
        assert_eq!(btf.skip_mods_and_typedefs(4).unwrap().0, 4);
        assert_eq!(btf.resolve_size(14).unwrap(), 16);
        assert_eq!(btf.resolve_size(3).unwrap(), 12);
        assert_eq!(btf.resolve_size(11).unwrap(), 8);
        assert_eq!(btf.resolve_size(15).unwrap(), 0);
        assert_eq!(btf.resolve_size(16).unwrap(), 8);
        assert_eq!(
            btf.resolve_size(13),
            Err(Error::at_type(
                13,
                BtfError::NotSized {
                    kind: BTF_KIND_FUNC
                }
            ))
        );
        assert_eq!(
            btf.resolve_size(0),
            Err(Error::at_type(0, BtfError::NotSized { kind: 0 }))
        );
        // Offsets of records in the raw blob.
        assert_eq!(btf.type_offset(1).unwrap(), 24);
        assert_eq!(btf.type_offset(2).unwrap(), 24 + 16);
        let off = btf.type_offset(19).unwrap();
        assert_eq!(&data[off..off + 24], btf.type_by_id(19).unwrap().record());
        assert_eq!(
            btf.type_offset(0),
            Err(Error::new(BtfError::BadTypeId { type_id: 0 }))
        );
        assert_eq!(
            btf.type_offset(20),
            Err(Error::new(BtfError::BadTypeId { type_id: 20 }))
        );
        assert_eq!(
            btf.type_by_id(20),
            Err(Error::new(BtfError::BadTypeId { type_id: 20 }))
        );
        assert_eq!(btf.str_at(0).unwrap(), b"");
        let len = btf.strings().len() as u32;
        assert_eq!(
            btf.str_at(len),
            Err(Error::new(BtfError::BadStrOff { offset: len }))
        );
        assert_eq!(btf.header().type_len as usize, b.types.len());
    }

    #[test]
    fn rejects_bad_header() {
        let (b, _) = every_kind();
        let good = b.blob();
        assert_eq!(
            Btf::parse(&good[..7]).err(),
            Some(Error::new(BtfError::TooShort { len: 7 }))
        );
        assert_eq!(
            Btf::parse(&[]).err(),
            Some(Error::new(BtfError::TooShort { len: 0 }))
        );
        let mut big = good.clone();
        big.resize(BTF_MAX_SIZE + 1, 0);
        assert_eq!(
            Btf::parse(&big).err(),
            Some(Error::new(BtfError::TooBig {
                size: BTF_MAX_SIZE + 1
            }))
        );
        let with = |f: &dyn Fn(&mut Vec<u8>)| {
            let mut v = good.clone();
            f(&mut v);
            Btf::parse(&v).map(|_| ())
        };
        assert_eq!(
            with(&|v| v[..2].copy_from_slice(&BTF_MAGIC.swap_bytes().to_ne_bytes())),
            Err(Error::new(BtfError::BadMagic {
                magic: BTF_MAGIC.swap_bytes()
            }))
        );
        assert_eq!(
            with(&|v| v[2] = 2),
            Err(Error::new(BtfError::BadVersion { version: 2 }))
        );
        assert_eq!(
            with(&|v| v[3] = 1),
            Err(Error::new(BtfError::BadFlags { flags: 1 }))
        );
        assert_eq!(
            with(&|v| put32(v, 4, 20)),
            Err(Error::new(BtfError::BadHdrLen { hdr_len: 20 }))
        );
        let len = good.len() as u32;
        assert_eq!(
            with(&|v| put32(v, 4, len + 1)),
            Err(Error::new(BtfError::BadHdrLen { hdr_len: len + 1 }))
        );
        // A longer header: unknown bytes must be zero.
        let longer = |tail: u8| {
            let mut v = good[..24].to_vec();
            put32(&mut v, 4, 28);
            v.extend_from_slice(&[tail, 0, 0, 0]);
            v.extend_from_slice(&good[24..]);
            Btf::parse(&v).map(|b| b.nr_types())
        };
        assert_eq!(longer(0), Ok(20));
        assert_eq!(
            longer(1),
            Err(Error::new(BtfError::HeaderTail { hdr_len: 28 }))
        );
        assert_eq!(
            Btf::parse(&good[..24]).err(),
            Some(Error::new(BtfError::NoData))
        );
    }

    #[test]
    fn rejects_bad_section_layout() {
        let (b, _) = every_kind();
        let good = b.blob();
        let tl = b.types.len() as u32;
        let sl = b.strs.len() as u32;
        let with = |type_off: u32, type_len: u32, str_off: u32, str_len: u32, extra: usize| {
            let mut v = good.clone();
            put32(&mut v, 8, type_off);
            put32(&mut v, 12, type_len);
            put32(&mut v, 16, str_off);
            put32(&mut v, 20, str_len);
            v.resize(v.len() + extra, 0);
            Btf::parse(&v).map(|_| ())
        };
        assert_eq!(with(0, tl, tl, sl, 0), Ok(()));
        // Gap before the first section, and trailing data.
        assert_eq!(
            with(4, tl - 4, tl, sl, 0),
            Err(Error::new(BtfError::SectionGap { off: 0 }))
        );
        assert_eq!(
            with(0, tl, tl, sl, 4),
            Err(Error::new(BtfError::SectionGap { off: tl + sl }))
        );
        assert_eq!(
            with(0, tl, tl, sl - 1, 0),
            Err(Error::new(BtfError::SectionGap { off: tl + sl - 1 }))
        );
        // Overlap, and sections past the end.
        assert_eq!(
            with(0, tl, tl - 4, sl, 0),
            Err(Error::new(BtfError::SectionOverlap { off: tl - 4 }))
        );
        assert_eq!(
            with(0, tl, tl, sl + 1, 0),
            Err(Error::new(BtfError::SectionOutOfBounds {
                off: tl,
                len: sl + 1
            }))
        );
        assert_eq!(
            with(0, tl, u32::MAX, sl, 0),
            Err(Error::new(BtfError::SectionOutOfBounds {
                off: u32::MAX,
                len: sl
            }))
        );
        assert_eq!(
            with(0, u32::MAX, tl, sl, 0),
            Err(Error::new(BtfError::SectionOutOfBounds {
                off: 0,
                len: u32::MAX
            }))
        );
        // Strings first: the string section must be last.
        let mut v = good[..24].to_vec();
        v.extend_from_slice(&b.strs);
        v.extend_from_slice(&b.types);
        put32(&mut v, 8, sl);
        put32(&mut v, 16, 0);
        assert_eq!(Btf::parse(&v).err(), Some(Error::new(BtfError::StrNotLast)));
        // An empty type section at an unaligned offset.
        let mut v = good[..24].to_vec();
        v.push(0);
        put32(&mut v, 8, 1);
        put32(&mut v, 12, 0);
        put32(&mut v, 16, 0);
        put32(&mut v, 20, 1);
        assert_eq!(
            Btf::parse(&v).err(),
            Some(Error::new(BtfError::UnalignedTypeOff { type_off: 1 }))
        );
        put32(&mut v, 8, 0);
        put32(&mut v, 16, 0);
        assert_eq!(Btf::parse(&v).err(), Some(Error::new(BtfError::NoTypes)));
        // String section contents.
        let strs_bad = |s: &[u8]| Btf::parse(&blob_of(&b.types, s)).map(|_| ());
        let mut s = b.strs.clone();
        s[0] = b'x';
        assert_eq!(
            strs_bad(&s),
            Err(Error::new(BtfError::BadStrSection { str_len: sl }))
        );
        let mut s = b.strs.clone();
        *s.last_mut().unwrap() = b'x';
        assert_eq!(
            strs_bad(&s),
            Err(Error::new(BtfError::BadStrSection { str_len: sl }))
        );
        let mut v = blob_of(&b.types, &[]);
        v.truncate(24 + tl as usize);
        assert_eq!(
            Btf::parse(&v).err(),
            Some(Error::new(BtfError::BadStrSection { str_len: 0 }))
        );
    }

    /// Parses a blob of `every_kind()` with type `id`'s word `word` (0 =
    /// name_off, 1 = info, 2 = size/type, 3.. = extra) set to `v`.
    fn patched(id: u32, word: usize, v: u32) -> Result<u32, Error> {
        let (b, _) = every_kind();
        let mut data = b.blob();
        let off = Btf::parse(&b.blob()).unwrap().type_offset(id).unwrap();
        put32(&mut data, off + 4 * word, v);
        Btf::parse(&data).map(|b| b.nr_types())
    }

    fn info(kind: u32, kflag: bool, vlen: u16) -> u32 {
        (u32::from(kflag) << 31) | (kind << 24) | u32::from(vlen)
    }

    #[test]
    fn rejects_bad_common_fields() {
        assert_eq!(
            patched(1, 1, info(BTF_KIND_INT, false, 0) | 0x0100_0000_u32 << 5),
            Err(Error::at_type(
                1,
                BtfError::BadInfo {
                    info: info(BTF_KIND_INT, false, 0) | 0x2000_0000
                }
            ))
        );
        assert_eq!(
            patched(1, 1, info(0, false, 0)),
            Err(Error::at_type(1, BtfError::BadKind { kind: 0 }))
        );
        assert_eq!(
            patched(1, 1, info(20, false, 0)),
            Err(Error::at_type(1, BtfError::BadKind { kind: 20 }))
        );
        assert_eq!(
            patched(2, 0, 0x00ff_ffff),
            Err(Error::at_type(
                2,
                BtfError::BadNameOff {
                    name_off: 0x00ff_ffff
                }
            ))
        );
        // A vlen that runs past the end of the type section.
        let n = every_kind().0.n;
        assert!(matches!(
            patched(n, 1, info(BTF_KIND_ENUM64, false, 2)),
            Err(Error {
                kind: ErrorKind::Btf(BtfError::TypeTruncated { .. }),
                location: Location::Type(19)
            })
        ));
        assert!(matches!(
            patched(4, 1, info(BTF_KIND_STRUCT, false, 0xffff)),
            Err(Error {
                kind: ErrorKind::Btf(BtfError::TypeTruncated { .. }),
                location: Location::Type(4)
            })
        ));
        // Truncating the last record.
        let (b, _) = every_kind();
        let mut types = b.types.clone();
        types.truncate(types.len() - 4);
        assert_eq!(
            Btf::parse(&blob_of(&types, &b.strs)).err(),
            Some(Error::at_type(
                19,
                BtfError::TypeTruncated {
                    offset: (b.types.len() - 24) as u32
                }
            ))
        );
    }

    #[test]
    fn rejects_bad_kind_data() {
        let vlen = |id, kind, v| patched(id, 1, info(kind, false, v));
        let kflag = |id, kind| patched(id, 1, info(kind, true, 0));
        // INT.
        assert_eq!(
            vlen(1, BTF_KIND_INT, 1),
            Err(Error::at_type(1, BtfError::BadVlen { vlen: 1 }))
        );
        assert_eq!(
            kflag(1, BTF_KIND_INT),
            Err(Error::at_type(1, BtfError::BadKflag))
        );
        for d in [0x1000_0020, 129, 33, 3 << 24 | 8, 0x0020_0010] {
            assert_eq!(
                patched(1, 3, d),
                Err(Error::at_type(1, BtfError::BadInt { int_data: d }))
            );
        }
        // PTR and modifiers: no name, no vlen, no kflag.
        assert_eq!(patched(2, 0, 1), Err(Error::at_type(2, BtfError::BadName)));
        assert_eq!(
            vlen(9, BTF_KIND_VOLATILE, 1),
            Err(Error::at_type(9, BtfError::BadVlen { vlen: 1 }))
        );
        assert_eq!(
            kflag(10, BTF_KIND_CONST),
            Err(Error::at_type(10, BtfError::BadKflag))
        );
        // TYPEDEF and TYPE_TAG need a name.
        assert_eq!(patched(8, 0, 0), Err(Error::at_type(8, BtfError::BadName)));
        assert_eq!(
            patched(18, 0, 0),
            Err(Error::at_type(18, BtfError::BadName))
        );
        // FWD: a name, no type.
        assert_eq!(patched(7, 0, 0), Err(Error::at_type(7, BtfError::BadName)));
        assert_eq!(
            patched(7, 2, 1),
            Err(Error::at_type(7, BtfError::BadTypeRef { ref_id: 1 }))
        );
        // ARRAY.
        assert_eq!(patched(3, 0, 1), Err(Error::at_type(3, BtfError::BadName)));
        assert_eq!(
            patched(3, 2, 4),
            Err(Error::at_type(3, BtfError::BadSize { size: 4 }))
        );
        assert_eq!(
            patched(3, 3, 0),
            Err(Error::at_type(3, BtfError::BadTypeRef { ref_id: 0 }))
        );
        assert_eq!(
            patched(3, 4, 0),
            Err(Error::at_type(3, BtfError::BadTypeRef { ref_id: 0 }))
        );
        assert_eq!(
            patched(3, 4, 20),
            Err(Error::at_type(3, BtfError::BadTypeRef { ref_id: 20 }))
        );
        // STRUCT members: name, type, offsets.
        assert_eq!(
            patched(4, 3, 0x00ff_0000),
            Err(Error::at_type(
                4,
                BtfError::BadNameOff {
                    name_off: 0x00ff_0000
                }
            ))
        );
        assert_eq!(
            patched(4, 4, 0),
            Err(Error::at_type(4, BtfError::BadTypeRef { ref_id: 0 }))
        );
        assert_eq!(
            patched(4, 7, 99),
            Err(Error::at_type(4, BtfError::BadTypeRef { ref_id: 99 }))
        );
        assert_eq!(
            patched(4, 5, 64),
            Err(Error::at_type(4, BtfError::BadMember { member: 1 }))
        );
        assert_eq!(
            patched(4, 8, 129),
            Err(Error::at_type(4, BtfError::BadMember { member: 1 }))
        );
        assert_eq!(
            patched(5, 8, 8),
            Err(Error::at_type(5, BtfError::BadMember { member: 1 }))
        );
        // ENUM: size and value names.
        assert_eq!(
            patched(6, 2, 3),
            Err(Error::at_type(6, BtfError::BadSize { size: 3 }))
        );
        assert_eq!(
            patched(6, 2, 16),
            Err(Error::at_type(6, BtfError::BadSize { size: 16 }))
        );
        assert_eq!(patched(6, 3, 0), Err(Error::at_type(6, BtfError::BadName)));
        assert_eq!(
            patched(19, 3, 0x00ff_0000),
            Err(Error::at_type(
                19,
                BtfError::BadNameOff {
                    name_off: 0x00ff_0000
                }
            ))
        );
        // A forward-declared enum has size 0 and no values.
        let mut b = B::new();
        let n = b.s("Z");
        b.t(n, BTF_KIND_ENUM, false, 0, 0, &[]);
        Btf::parse(&b.blob()).unwrap();
        let mut b = B::new();
        let (n, v) = (b.s("Z"), b.s("V"));
        b.t(n, BTF_KIND_ENUM, false, 1, 0, &[v, 0]);
        assert_eq!(
            Btf::parse(&b.blob()).err(),
            Some(Error::at_type(1, BtfError::BadSize { size: 0 }))
        );
        // FUNC: name, linkage, kflag, FUNC_PROTO target.
        assert_eq!(
            patched(13, 0, 0),
            Err(Error::at_type(13, BtfError::BadName))
        );
        assert_eq!(vlen(13, BTF_KIND_FUNC, 2), Ok(20));
        assert_eq!(
            vlen(13, BTF_KIND_FUNC, 3),
            Err(Error::at_type(13, BtfError::BadLinkage { linkage: 3 }))
        );
        assert_eq!(
            kflag(13, BTF_KIND_FUNC),
            Err(Error::at_type(13, BtfError::BadKflag))
        );
        assert_eq!(
            patched(13, 2, 1),
            Err(Error::at_type(13, BtfError::BadTypeRef { ref_id: 1 }))
        );
        assert_eq!(
            patched(13, 2, 20),
            Err(Error::at_type(13, BtfError::BadTypeRef { ref_id: 20 }))
        );
        // FUNC_PROTO: no name; `...` only last.
        assert_eq!(
            patched(12, 0, 1),
            Err(Error::at_type(12, BtfError::BadName))
        );
        assert_eq!(
            patched(12, 4, 0),
            Err(Error::at_type(12, BtfError::BadMember { member: 0 }))
        );
        assert_eq!(
            patched(12, 5, 1),
            Err(Error::at_type(12, BtfError::BadMember { member: 1 }))
        );
        assert_eq!(
            patched(12, 2, 20),
            Err(Error::at_type(12, BtfError::BadTypeRef { ref_id: 20 }))
        );
        // VAR: name, type, linkage.
        assert_eq!(
            patched(14, 0, 0),
            Err(Error::at_type(14, BtfError::BadName))
        );
        assert_eq!(
            patched(14, 2, 0),
            Err(Error::at_type(14, BtfError::BadTypeRef { ref_id: 0 }))
        );
        assert_eq!(patched(14, 3, 2), Ok(20));
        assert_eq!(
            patched(14, 3, 3),
            Err(Error::at_type(14, BtfError::BadLinkage { linkage: 3 }))
        );
        // DATASEC: name, entries' types.
        assert_eq!(
            patched(15, 0, 0),
            Err(Error::at_type(15, BtfError::BadName))
        );
        assert_eq!(
            kflag(15, BTF_KIND_DATASEC),
            Err(Error::at_type(15, BtfError::BadKflag))
        );
        assert_eq!(
            patched(15, 3, 0),
            Err(Error::at_type(15, BtfError::BadTypeRef { ref_id: 0 }))
        );
        assert_eq!(
            patched(15, 3, 20),
            Err(Error::at_type(15, BtfError::BadTypeRef { ref_id: 20 }))
        );
        // FLOAT size.
        assert_eq!(
            patched(16, 2, 3),
            Err(Error::at_type(16, BtfError::BadSize { size: 3 }))
        );
        // DECL_TAG: value, target, component.
        assert_eq!(
            patched(17, 0, 0),
            Err(Error::at_type(17, BtfError::BadName))
        );
        assert_eq!(
            patched(17, 2, 0),
            Err(Error::at_type(17, BtfError::BadTypeRef { ref_id: 0 }))
        );
        assert_eq!(
            patched(17, 2, 1),
            Err(Error::at_type(17, BtfError::BadTypeRef { ref_id: 1 }))
        );
        assert_eq!(
            patched(17, 3, (-2i32) as u32),
            Err(Error::at_type(
                17,
                BtfError::BadComponentIdx { component_idx: -2 }
            ))
        );
        assert_eq!(
            patched(17, 3, 2),
            Err(Error::at_type(
                17,
                BtfError::BadComponentIdx { component_idx: 2 }
            ))
        );
        assert_eq!(patched(17, 3, (-1i32) as u32), Ok(20));
        // A decl tag on a function parameter is checked against its proto.
        assert_eq!(patched(17, 2, 13), Ok(20));
        assert_eq!(
            {
                let (b, _) = every_kind();
                let mut data = b.blob();
                let off = Btf::parse(&b.blob()).unwrap().type_offset(17).unwrap();
                put32(&mut data, off + 8, 14);
                Btf::parse(&data).map(|_| ())
            },
            Err(Error::at_type(
                17,
                BtfError::BadComponentIdx { component_idx: 1 }
            ))
        );
        // References out of range.
        assert_eq!(
            patched(2, 2, 20),
            Err(Error::at_type(2, BtfError::BadTypeRef { ref_id: 20 }))
        );
        assert_eq!(
            patched(18, 2, u32::MAX),
            Err(Error::at_type(
                18,
                BtfError::BadTypeRef { ref_id: u32::MAX }
            ))
        );
    }

    #[test]
    fn resolve_depth_and_size_caps() {
        let mut b = B::new();
        let int = b.int("int", 4, 32);
        let name = b.s("t");
        let mut id = int;
        for _ in 0..40 {
            id = b.t(name, BTF_KIND_TYPEDEF, false, 0, id, &[]);
        }
        let big = b.t(0, BTF_KIND_ARRAY, false, 0, 0, &[int, int, u32::MAX]);
        let big2 = b.t(0, BTF_KIND_ARRAY, false, 0, 0, &[big, int, 2]);
        let zero = b.t(0, BTF_KIND_ARRAY, false, 0, 0, &[big, int, 0]);
        // A self-referencing pointer chain is fine to parse but has no end.
        let next = b.n + 2;
        let c1 = b.t(0, BTF_KIND_CONST, false, 0, next, &[]);
        let _c2 = b.t(0, BTF_KIND_CONST, false, 0, c1, &[]);
        let data = b.blob();
        let btf = Btf::parse(&data).unwrap();
        assert_eq!(btf.resolve_size(int + 30).unwrap(), 4);
        assert_eq!(btf.skip_mods_and_typedefs(int + 31).unwrap().0, int);
        assert_eq!(
            btf.resolve_size(id),
            Err(Error::at_type(id, BtfError::ResolveTooDeep))
        );
        assert!(matches!(
            btf.skip_mods_and_typedefs(id),
            Err(Error {
                kind: ErrorKind::Btf(BtfError::ResolveTooDeep),
                ..
            })
        ));
        assert_eq!(
            btf.resolve_size(big),
            Err(Error::at_type(big, BtfError::SizeOverflow))
        );
        let one = {
            let mut b2 = B::new();
            let int = b2.int("char", 1, 8);
            let a = b2.t(0, BTF_KIND_ARRAY, false, 0, 0, &[int, int, u32::MAX]);
            let d = b2.blob();
            Btf::parse(&d).unwrap().resolve_size(a)
        };
        assert_eq!(one, Ok(u32::MAX));
        assert_eq!(
            btf.resolve_size(big2),
            Err(Error::at_type(big2, BtfError::SizeOverflow))
        );
        assert_eq!(btf.resolve_size(zero), Ok(0));
        assert!(matches!(
            btf.resolve_size(c1),
            Err(Error {
                kind: ErrorKind::Btf(BtfError::ResolveTooDeep),
                ..
            })
        ));
        assert!(matches!(
            btf.skip_mods_and_typedefs(c1),
            Err(Error {
                kind: ErrorKind::Btf(BtfError::ResolveTooDeep),
                ..
            })
        ));
    }

    #[test]
    fn caps_the_type_count() {
        let mut b = B::new();
        for _ in 0..BTF_MAX_TYPE - 1 {
            b.t(0, BTF_KIND_PTR, false, 0, 0, &[]);
        }
        let data = b.blob();
        assert_eq!(Btf::parse(&data).unwrap().nr_types(), BTF_MAX_TYPE);
        b.t(0, BTF_KIND_PTR, false, 0, 0, &[]);
        let data = b.blob();
        assert_eq!(
            Btf::parse(&data).err(),
            Some(Error::new(BtfError::TooManyTypes {
                count: BTF_MAX_TYPE
            }))
        );
    }

    #[test]
    fn every_truncation_is_rejected() {
        let (b, _) = every_kind();
        let good = b.blob();
        for len in 0..good.len() {
            assert!(Btf::parse(&good[..len]).is_err(), "prefix {len}");
        }
    }
}
