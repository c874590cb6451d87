// SPDX-License-Identifier: GPL-2.0

//! Editing a copy of the object's BTF, and the name and `DATASEC` indexes the
//! edits are found with: the BTF half of libbpf's `bpf_object_fixup_btf` and
//! `bpf_object__collect_externs` rewrites. Depends only on [`crate::bpfobj::btf`].

use crate::bpfobj::btf::{Btf, Type, BTF_KIND_DATASEC, BTF_KIND_VAR};
use crate::bpfobj::bytes::to_usize;
use crate::bpfobj::checkpoint::Ticker;
use crate::bpfobj::compat::{KVVec, GFP_INPUT};
use crate::bpfobj::error::{BtfError, Error};
use crate::bpfobj::sort;

/// Ids of the types selected by a filter, sorted by name, so that "the
/// first type called X" is a binary search instead of a scan of every type.
pub(crate) struct NameIndex<'b> {
    ents: KVVec<(&'b [u8], u32)>,
}

impl<'b> NameIndex<'b> {
    /// Indexes the named types of `btf` for which `keep` holds.
    ///
    /// Names longer than a name may be (tags) are left out: no lookup can
    /// match them. Types sharing a name offset are sorted by offset first,
    /// keeping the smallest id, so that sorting by name compares each
    /// distinct string once per comparison, not once per type.
    pub(crate) fn new(
        btf: &Btf<'b>,
        keep: impl Fn(&Type<'b>) -> bool,
        tick: &Ticker<'_>,
    ) -> Result<Self, Error> {
        let mut by_off: KVVec<(u32, u32)> = KVVec::new();
        for t in btf.types() {
            tick.tick()?;
            if t.name_off() == 0 || !keep(&t) {
                continue;
            }
            by_off.push((t.name_off(), t.id()), GFP_INPUT)?;
        }
        tick.now()?;
        sort::sort(&mut by_off);
        let mut ents = KVVec::new();
        let mut last = None;
        for &(off, id) in by_off.iter() {
            tick.tick()?;
            if last == Some(off) {
                continue;
            }
            last = Some(off);
            if let Some(name) = btf.name_at(off)? {
                ents.push((name, id), GFP_INPUT)?;
            }
        }
        tick.now()?;
        sort::sort(&mut ents);
        tick.now()?;
        Ok(NameIndex { ents })
    }

    /// The smallest id called `name`.
    pub(crate) fn first(&self, name: &[u8]) -> Option<u32> {
        let i = self.ents.partition_point(|(n, _)| *n < name);
        self.ents.get(i).filter(|(n, _)| *n == name).map(|e| e.1)
    }
}

/// For every type id, the first `DATASEC` listing it (0 if none).
pub(crate) fn datasec_of(btf: &Btf<'_>, tick: &Ticker<'_>) -> Result<KVVec<u32>, Error> {
    let mut out = KVVec::from_elem(0u32, to_usize(btf.nr_types()), GFP_INPUT)?;
    for t in btf.types() {
        tick.tick()?;
        if t.kind() != BTF_KIND_DATASEC {
            continue;
        }
        for v in t.datasec_vars() {
            tick.tick()?;
            if let Some(slot) = out.get_mut(to_usize(v.type_id)) {
                if *slot == 0 {
                    *slot = t.id();
                }
            }
        }
    }
    Ok(out)
}

/// A copy of the object's BTF being patched: the header, the type section
/// (types may be appended) and the string section (strings may be
/// appended). [`BtfBuf::finish`] lays them out as header, types, strings.
pub(crate) struct BtfBuf {
    hdr: KVVec<u8>,
    types: KVVec<u8>,
    strs: KVVec<u8>,
    types_base: usize,
    next_id: u32,
}

const HDR_TYPE_OFF: usize = 8;

impl BtfBuf {
    pub(crate) fn new(btf: &Btf<'_>) -> Result<Self, Error> {
        let h = btf.header();
        let data = btf.data();
        let bad = Error::new(BtfError::BadHdrLen { hdr_len: h.hdr_len });
        let hdr_len = to_usize(h.hdr_len);
        let types_base = hdr_len.checked_add(to_usize(h.type_off)).ok_or(bad)?;
        let mut hdr = KVVec::new();
        hdr.extend_from_slice(data.get(..hdr_len).ok_or(bad)?, GFP_INPUT)?;
        let mut types = KVVec::new();
        types.extend_from_slice(
            data.get(types_base..)
                .and_then(|d| d.get(..to_usize(h.type_len)))
                .ok_or(bad)?,
            GFP_INPUT,
        )?;
        let mut strs = KVVec::new();
        strs.extend_from_slice(btf.strings(), GFP_INPUT)?;
        Ok(BtfBuf {
            hdr,
            types,
            strs,
            types_base,
            next_id: btf.nr_types(),
        })
    }

    /// Position in `types` of field word `word` (4-byte units) of type `id`.
    fn pos(&self, btf: &Btf<'_>, id: u32, word: usize) -> Result<usize, Error> {
        let bad = Error::new(BtfError::BadTypeId { type_id: id });
        btf.type_offset(id)?
            .checked_sub(self.types_base)
            .and_then(|p| p.checked_add(word.checked_mul(4)?))
            .ok_or(bad)
    }

    fn get(&self, pos: usize) -> Option<u32> {
        let b = self.types.get(pos..)?.get(..4)?;
        Some(u32::from_ne_bytes(b.try_into().ok()?))
    }

    fn put(&mut self, pos: usize, v: u32, id: u32) -> Result<(), Error> {
        let dst = self
            .types
            .get_mut(pos..)
            .and_then(|d| d.get_mut(..4))
            .ok_or(Error::new(BtfError::BadTypeId { type_id: id }))?;
        dst.copy_from_slice(&v.to_ne_bytes());
        Ok(())
    }

    /// Appends a string, returning its offset.
    pub(crate) fn add_str(&mut self, s: &[u8]) -> Result<u32, Error> {
        let off = u32::try_from(self.strs.len()).map_err(|_| Error::NO_MEM)?;
        self.strs.extend_from_slice(s, GFP_INPUT)?;
        self.strs.push(0, GFP_INPUT)?;
        Ok(off)
    }

    /// Appends a `VAR`, returning its id.
    pub(crate) fn add_var(
        &mut self,
        name_off: u32,
        type_id: u32,
        linkage: u32,
    ) -> Result<u32, Error> {
        let id = self.next_id;
        let info = BTF_KIND_VAR << 24;
        for w in [name_off, info, type_id, linkage] {
            self.types.extend_from_slice(&w.to_ne_bytes(), GFP_INPUT)?;
        }
        self.next_id = id.checked_add(1).ok_or(Error::NO_MEM)?;
        Ok(id)
    }

    /// Sets the `size` word of type `id`.
    pub(crate) fn set_size(&mut self, btf: &Btf<'_>, id: u32, size: u32) -> Result<(), Error> {
        let p = self.pos(btf, id, 2)?;
        self.put(p, size, id)
    }

    /// Sets a `VAR`'s type (if given) and linkage.
    pub(crate) fn set_var(
        &mut self,
        btf: &Btf<'_>,
        id: u32,
        type_id: Option<u32>,
        linkage: u32,
    ) -> Result<(), Error> {
        if let Some(t) = type_id {
            let p = self.pos(btf, id, 2)?;
            self.put(p, t, id)?;
        }
        let p = self.pos(btf, id, 3)?;
        self.put(p, linkage, id)
    }

    /// Sets a `FUNC`'s linkage.
    pub(crate) fn set_func_linkage(
        &mut self,
        btf: &Btf<'_>,
        id: u32,
        linkage: u16,
    ) -> Result<(), Error> {
        let p = self.pos(btf, id, 1)?;
        let info = self
            .get(p)
            .ok_or(Error::new(BtfError::BadTypeId { type_id: id }))?;
        self.put(p, (info & !0xffff) | u32::from(linkage), id)
    }

    /// Sets the name of parameter `j` of `FUNC_PROTO` `id`.
    pub(crate) fn set_param_name(
        &mut self,
        btf: &Btf<'_>,
        id: u32,
        j: u32,
        name_off: u32,
    ) -> Result<(), Error> {
        let word = to_usize(j)
            .checked_mul(2)
            .and_then(|w| w.checked_add(3))
            .ok_or(Error::new(BtfError::BadTypeId { type_id: id }))?;
        let p = self.pos(btf, id, word)?;
        self.put(p, name_off, id)
    }

    /// Sets fields of entry `i` of `DATASEC` `id`.
    pub(crate) fn set_datasec_var(
        &mut self,
        btf: &Btf<'_>,
        id: u32,
        i: u32,
        type_id: Option<u32>,
        offset: Option<u32>,
        size: Option<u32>,
    ) -> Result<(), Error> {
        let base = to_usize(i)
            .checked_mul(3)
            .and_then(|w| w.checked_add(3))
            .ok_or(Error::new(BtfError::BadTypeId { type_id: id }))?;
        for (k, v) in [type_id, offset, size].into_iter().enumerate() {
            if let Some(v) = v {
                let p = self.pos(btf, id, base.checked_add(k).ok_or(Error::NO_MEM)?)?;
                self.put(p, v, id)?;
            }
        }
        Ok(())
    }

    /// Sorts the entries of `DATASEC` `id` by offset (stable).
    pub(crate) fn sort_datasec(&mut self, btf: &Btf<'_>, id: u32) -> Result<(), Error> {
        let n = btf.type_by_id(id)?.datasec_vars().count();
        let start = self.pos(btf, id, 3)?;
        let len = n.checked_mul(12).ok_or(Error::NO_MEM)?;
        let bad = Error::new(BtfError::BadTypeId { type_id: id });
        let mut ents: KVVec<(u32, usize, [u8; 12])> = KVVec::with_capacity(n, GFP_INPUT)?;
        let region = self
            .types
            .get(start..)
            .and_then(|d| d.get(..len))
            .ok_or(bad)?;
        for (i, c) in region.chunks_exact(12).enumerate() {
            let rec: [u8; 12] = c.try_into().map_err(|_| bad)?;
            let [_, _, _, _, o0, o1, o2, o3, ..] = rec;
            let off = u32::from_ne_bytes([o0, o1, o2, o3]);
            ents.push((off, i, rec), GFP_INPUT)?;
        }
        sort::sort_by_key(&mut ents, |e| (e.0, e.1));
        let region = self
            .types
            .get_mut(start..)
            .and_then(|d| d.get_mut(..len))
            .ok_or(bad)?;
        for (dst, e) in region.chunks_exact_mut(12).zip(ents.iter()) {
            dst.copy_from_slice(&e.2);
        }
        Ok(())
    }

    /// The blob: header (with new section offsets), types, strings.
    pub(crate) fn finish(self) -> Result<KVVec<u8>, Error> {
        let type_len = u32::try_from(self.types.len()).map_err(|_| Error::NO_MEM)?;
        let str_len = u32::try_from(self.strs.len()).map_err(|_| Error::NO_MEM)?;
        let mut out = KVVec::with_capacity(
            self.hdr
                .len()
                .checked_add(self.types.len())
                .and_then(|n| n.checked_add(self.strs.len()))
                .ok_or(Error::NO_MEM)?,
            GFP_INPUT,
        )?;
        out.extend_from_slice(&self.hdr, GFP_INPUT)?;
        // type_off, type_len, str_off, str_len.
        for (k, v) in [0, type_len, type_len, str_len].into_iter().enumerate() {
            let at = k
                .checked_mul(4)
                .and_then(|o| o.checked_add(HDR_TYPE_OFF))
                .ok_or(Error::NO_MEM)?;
            out.get_mut(at..)
                .and_then(|d| d.get_mut(..4))
                .ok_or(Error::new(BtfError::BadHdrLen { hdr_len: 0 }))?
                .copy_from_slice(&v.to_ne_bytes());
        }
        out.extend_from_slice(&self.types, GFP_INPUT)?;
        out.extend_from_slice(&self.strs, GFP_INPUT)?;
        Ok(out)
    }
}
