// SPDX-License-Identifier: GPL-2.0

//! Strict `.BTF.ext` reading (func_info, line_info and CO-RE relocation
//! records), modelled on libbpf's `btf_ext__new` / `btf_ext_setup_info`.
//!
//! Stricter than libbpf: the subsections must exactly tile the bytes after
//! the header (no gap, overlap or trailing data), unknown header bytes must be
//! zero, record sizes are capped like the kernel's `MAX_FUNCINFO_REC_SIZE`,
//! instruction offsets must be instruction aligned, and CO-RE relocation
//! kinds must be known. A short or truncated block is an error, never
//! skipped.

use crate::bpfobj::btf::{Btf, BTF_KIND_FUNC, BTF_MAGIC, BTF_MAX_SIZE, BTF_VERSION};
use crate::bpfobj::bytes::{sub, to_usize, Cursor};
use crate::bpfobj::checkpoint::{Checkpoint, NoCheckpoint, Ticker};
use crate::bpfobj::error::{BtfError, BtfExtError, Error, ErrorKind, Location};
use crate::bpfobj::insn::INSN_SIZE;
use crate::bpfobj::limits::{Cap, MAX_EXT_BLOCKS, MAX_EXT_RECORDS};
use crate::bpfobj::sort;

/// Size of the mandatory part of `struct btf_ext_header` (through
/// `line_info_len`).
pub const BTF_EXT_HDR_MIN: usize = 24;
/// Size of `struct btf_ext_header` with the CO-RE relocation fields.
pub const BTF_EXT_HDR_CORE: usize = 32;
/// Largest accepted record size (the kernel's `MAX_FUNCINFO_REC_SIZE`, also
/// its line_info and core_relo limit).
pub const BTF_EXT_MAX_REC_SIZE: u32 = 252;
/// Size of the `bpf_func_info` fields read here.
pub const FUNC_INFO_MIN_SIZE: u32 = 8;
/// Size of the `bpf_line_info` fields read here.
pub const LINE_INFO_MIN_SIZE: u32 = 16;
/// Size of `struct bpf_core_relo`.
pub const CORE_RELO_MIN_SIZE: u32 = 16;
/// Size of a block header (`struct btf_ext_info_sec` without its records).
pub const BLOCK_HDR_SIZE: usize = 8;
/// The highest known `enum bpf_core_relo_kind` (`BPF_CORE_TYPE_MATCHES`).
pub const BPF_CORE_RELO_KIND_MAX: u32 = 12;

pub use crate::bpfobj::error::ExtSection;

impl ExtSection {
    /// The smallest record size of this subsection.
    pub fn min_rec_size(self) -> u32 {
        match self {
            ExtSection::FuncInfo => FUNC_INFO_MIN_SIZE,
            ExtSection::LineInfo => LINE_INFO_MIN_SIZE,
            ExtSection::CoreRelo => CORE_RELO_MIN_SIZE,
        }
    }
}

/// The fields of `struct btf_ext_header`; the CO-RE fields are 0 when the
/// header is the short (24-byte) form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BtfExtHeader {
    /// `magic`.
    pub magic: u16,
    /// `version`.
    pub version: u8,
    /// `flags`.
    pub flags: u8,
    /// `hdr_len`: the offsets below are relative to its end.
    pub hdr_len: u32,
    /// `func_info_off`.
    pub func_info_off: u32,
    /// `func_info_len`.
    pub func_info_len: u32,
    /// `line_info_off`.
    pub line_info_off: u32,
    /// `line_info_len`.
    pub line_info_len: u32,
    /// `core_relo_off`.
    pub core_relo_off: u32,
    /// `core_relo_len`.
    pub core_relo_len: u32,
}

/// One checked subsection: its record size and the blocks after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct SubSec<'a> {
    rec_size: u32,
    blocks: &'a [u8],
}

/// A strictly checked view of a `.BTF.ext` blob.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BtfExt<'a> {
    data: &'a [u8],
    hdr: BtfExtHeader,
    func: SubSec<'a>,
    line: SubSec<'a>,
    core: SubSec<'a>,
}

/// The records of one ELF section in one subsection
/// (`struct btf_ext_info_sec`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InfoBlock<'a> {
    /// Offset of the ELF section's name in the BTF string section.
    pub sec_name_off: u32,
    /// Size of each record (at least the subsection's minimum).
    pub rec_size: u32,
    /// The `num * rec_size` bytes of the records.
    pub records: &'a [u8],
    /// Number of records (not 0).
    pub num: u32,
}

/// A `bpf_func_info` record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FuncInfo {
    /// Instruction offset: in bytes in `.BTF.ext` (a multiple of 8).
    pub insn_off: u32,
    /// The `FUNC` type.
    pub type_id: u32,
}

/// A `bpf_line_info` record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineInfo {
    /// Instruction offset: in bytes in `.BTF.ext` (a multiple of 8).
    pub insn_off: u32,
    /// Offset of the file name in the BTF string section.
    pub file_name_off: u32,
    /// Offset of the source line in the BTF string section.
    pub line_off: u32,
    /// Line number (high 22 bits) and column (low 10 bits).
    pub line_col: u32,
}

/// A `bpf_core_relo` record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CoreRelo {
    /// Instruction offset in bytes (a multiple of 8).
    pub insn_off: u32,
    /// The root type of the access.
    pub type_id: u32,
    /// Offset of the access string in the BTF string section.
    pub access_str_off: u32,
    /// `enum bpf_core_relo_kind`.
    pub kind: u32,
}

impl FuncInfo {
    fn read(b: &[u8]) -> Option<FuncInfo> {
        let mut c = Cursor::new(b);
        Some(FuncInfo {
            insn_off: c.u32()?,
            type_id: c.u32()?,
        })
    }
}

impl LineInfo {
    fn read(b: &[u8]) -> Option<LineInfo> {
        let mut c = Cursor::new(b);
        Some(LineInfo {
            insn_off: c.u32()?,
            file_name_off: c.u32()?,
            line_off: c.u32()?,
            line_col: c.u32()?,
        })
    }
}

impl CoreRelo {
    fn read(b: &[u8]) -> Option<CoreRelo> {
        let mut c = Cursor::new(b);
        Some(CoreRelo {
            insn_off: c.u32()?,
            type_id: c.u32()?,
            access_str_off: c.u32()?,
            kind: c.u32()?,
        })
    }
}

/// Splits one block off the front of `blocks`: `(block, rest)`.
fn split_block(blocks: &[u8], rec_size: u32) -> Option<(InfoBlock<'_>, &[u8])> {
    let mut c = Cursor::new(blocks);
    let sec_name_off = c.u32()?;
    let num = c.u32()?;
    let len = to_usize(num).checked_mul(to_usize(rec_size))?;
    let records = sub(blocks, BLOCK_HDR_SIZE, len)?;
    let rest = blocks.get(BLOCK_HDR_SIZE.checked_add(len)?..)?;
    Some((
        InfoBlock {
            sec_name_off,
            rec_size,
            records,
            num,
        },
        rest,
    ))
}

impl<'a> BtfExt<'a> {
    /// Parses and checks a `.BTF.ext` blob.
    pub fn parse(data: &'a [u8]) -> Result<BtfExt<'a>, Error> {
        Self::parse_with(data, &NoCheckpoint)
    }

    /// [`BtfExt::parse`], calling `cp` as it goes.
    pub fn parse_with(data: &'a [u8], cp: &dyn Checkpoint) -> Result<BtfExt<'a>, Error> {
        let tick = Ticker::new(cp);
        let hdr = Self::parse_hdr(data)?;
        let body = data
            .get(to_usize(hdr.hdr_len)..)
            .ok_or(Error::new(BtfExtError::BadHdrLen {
                hdr_len: hdr.hdr_len,
            }))?;
        let secs = [
            (ExtSection::FuncInfo, hdr.func_info_off, hdr.func_info_len),
            (ExtSection::LineInfo, hdr.line_info_off, hdr.line_info_len),
            (ExtSection::CoreRelo, hdr.core_relo_off, hdr.core_relo_len),
        ];
        Self::check_layout(secs, body.len())?;
        let [func, line, core] =
            secs.map(|(sec, off, len)| Self::setup_info(body, sec, off, len, &tick));
        Ok(BtfExt {
            data,
            hdr,
            func: func?,
            line: line?,
            core: core?,
        })
    }

    fn parse_hdr(data: &[u8]) -> Result<BtfExtHeader, Error> {
        if data.len() > BTF_MAX_SIZE {
            return Err(Error::new(BtfExtError::TooBig { size: data.len() }));
        }
        let short = Error::new(BtfExtError::TooShort { len: data.len() });
        let mut c = Cursor::new(data);
        let magic = c.u16().ok_or(short)?;
        if magic != BTF_MAGIC {
            return Err(Error::new(BtfExtError::BadMagic { magic }));
        }
        let version = c.u8().ok_or(short)?;
        let flags = c.u8().ok_or(short)?;
        let hdr_len = c.u32().ok_or(short)?;
        let hl = to_usize(hdr_len);
        if hl < BTF_EXT_HDR_MIN
            || (hl > BTF_EXT_HDR_MIN && hl < BTF_EXT_HDR_CORE)
            || hdr_len & 3 != 0
            || hl > data.len()
        {
            return Err(Error::new(BtfExtError::BadHdrLen { hdr_len }));
        }
        if data
            .get(BTF_EXT_HDR_CORE..hl)
            .is_some_and(|tail| tail.iter().any(|&b| b != 0))
        {
            return Err(Error::new(BtfExtError::HeaderTail { hdr_len }));
        }
        if version != BTF_VERSION {
            return Err(Error::new(BtfExtError::BadVersion { version }));
        }
        if flags != 0 {
            return Err(Error::new(BtfExtError::BadFlags { flags }));
        }
        if hl == data.len() {
            return Err(Error::new(BtfExtError::NoData));
        }
        let func_info_off = c.u32().ok_or(short)?;
        let func_info_len = c.u32().ok_or(short)?;
        let line_info_off = c.u32().ok_or(short)?;
        let line_info_len = c.u32().ok_or(short)?;
        let (core_relo_off, core_relo_len) = if hl >= BTF_EXT_HDR_CORE {
            (c.u32().ok_or(short)?, c.u32().ok_or(short)?)
        } else {
            (0, 0)
        };
        Ok(BtfExtHeader {
            magic,
            version,
            flags,
            hdr_len,
            func_info_off,
            func_info_len,
            line_info_off,
            line_info_len,
            core_relo_off,
            core_relo_len,
        })
    }

    /// The non-empty subsections exactly tile the bytes after the header.
    fn check_layout(mut secs: [(ExtSection, u32, u32); 3], body_len: usize) -> Result<(), Error> {
        // `sec` makes the key total (sort is not stable).
        sort::sort_by_key(&mut secs, |&(sec, off, len)| (len != 0, off, len, sec));
        let expected = u64::try_from(body_len)
            .map_err(|_| Error::new(BtfExtError::TooBig { size: body_len }))?;
        let mut total: u64 = 0;
        for (sec, off, len) in secs {
            if len == 0 {
                continue;
            }
            let (off64, len64) = (u64::from(off), u64::from(len));
            if off & 3 != 0 {
                return Err(Error::new(BtfExtError::Unaligned { sec, off }));
            }
            if off64.checked_add(len64).map_or(true, |end| end > expected) {
                return Err(Error::new(BtfExtError::SectionOutOfBounds {
                    sec,
                    off,
                    len,
                }));
            }
            if total < off64 {
                return Err(Error::new(BtfExtError::Gap {
                    off: u32::try_from(total).unwrap_or(u32::MAX),
                }));
            }
            if total > off64 {
                return Err(Error::new(BtfExtError::Overlap { sec, off }));
            }
            total = total.saturating_add(len64);
        }
        if total != expected {
            return Err(Error::new(BtfExtError::Gap {
                off: u32::try_from(total).unwrap_or(u32::MAX),
            }));
        }
        Ok(())
    }

    /// `btf_ext_setup_info`, rejecting every short or inconsistent block.
    fn setup_info(
        body: &'a [u8],
        sec: ExtSection,
        off: u32,
        len: u32,
        tick: &Ticker<'_>,
    ) -> Result<SubSec<'a>, Error> {
        if len == 0 {
            return Ok(SubSec {
                rec_size: sec.min_rec_size(),
                blocks: &[],
            });
        }
        let info = sub(body, to_usize(off), to_usize(len)).ok_or(Error::new(
            BtfExtError::SectionOutOfBounds { sec, off, len },
        ))?;
        let mut c = Cursor::new(info);
        let rec_size = c.u32().ok_or(Error::new(BtfExtError::NoRecords { sec }))?;
        if rec_size < sec.min_rec_size() || rec_size & 3 != 0 || rec_size > BTF_EXT_MAX_REC_SIZE {
            return Err(Error::new(BtfExtError::BadRecSize { sec, rec_size }));
        }
        let blocks = info.get(4..).unwrap_or(&[]);
        if blocks.is_empty() {
            return Err(Error::new(BtfExtError::NoRecords { sec }));
        }
        let mut rest = blocks;
        let mut block: u32 = 0;
        let mut records: u32 = 0;
        while !rest.is_empty() {
            tick.tick()?;
            if block >= MAX_EXT_BLOCKS {
                return Err(Error::too_many(Cap::ExtBlocks));
            }
            let consumed = blocks.len().saturating_sub(rest.len());
            let offset = u32::try_from(consumed).unwrap_or(u32::MAX);
            let (b, tail) =
                split_block(rest, rec_size).ok_or(Error::new(BtfExtError::TruncatedBlock {
                    sec,
                    block,
                    offset,
                }))?;
            if b.num == 0 {
                return Err(Error::new(BtfExtError::EmptyBlock { sec, block }));
            }
            records = records
                .checked_add(b.num)
                .filter(|&n| n <= MAX_EXT_RECORDS)
                .ok_or(Error::too_many(Cap::ExtRecords))?;
            for (rec, r) in (0u32..).zip(b.records.chunks_exact(to_usize(rec_size))) {
                tick.tick()?;
                let mut c = Cursor::new(r);
                let insn_off = c.u32().ok_or(Error::new(BtfExtError::TruncatedBlock {
                    sec,
                    block,
                    offset,
                }))?;
                if to_usize(insn_off) % INSN_SIZE != 0 {
                    return Err(Error::at(
                        Location::ExtRecord { sec, block, rec },
                        BtfExtError::BadInsnOff { insn_off },
                    ));
                }
                if sec == ExtSection::CoreRelo {
                    let relo =
                        CoreRelo::read(r).ok_or(Error::new(BtfExtError::TruncatedBlock {
                            sec,
                            block,
                            offset,
                        }))?;
                    if relo.kind > BPF_CORE_RELO_KIND_MAX {
                        return Err(Error::at(
                            Location::ExtRecord {
                                sec: ExtSection::CoreRelo,
                                block,
                                rec,
                            },
                            BtfExtError::BadCoreKind { kind: relo.kind },
                        ));
                    }
                }
            }
            rest = tail;
            block = block.saturating_add(1);
        }
        Ok(SubSec { rec_size, blocks })
    }

    /// The raw blob.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// The header.
    pub fn header(&self) -> BtfExtHeader {
        self.hdr
    }

    /// Record size of a subsection (its minimum if the subsection is empty).
    pub fn rec_size(&self, sec: ExtSection) -> u32 {
        self.sub(sec).rec_size
    }

    fn sub(&self, sec: ExtSection) -> SubSec<'a> {
        match sec {
            ExtSection::FuncInfo => self.func,
            ExtSection::LineInfo => self.line,
            ExtSection::CoreRelo => self.core,
        }
    }

    /// The blocks of one subsection.
    pub fn blocks(&self, sec: ExtSection) -> InfoBlocks<'a> {
        let s = self.sub(sec);
        InfoBlocks {
            rest: s.blocks,
            rec_size: s.rec_size,
        }
    }

    /// The func_info blocks.
    pub fn func_info_blocks(&self) -> InfoBlocks<'a> {
        self.blocks(ExtSection::FuncInfo)
    }

    /// The line_info blocks.
    pub fn line_info_blocks(&self) -> InfoBlocks<'a> {
        self.blocks(ExtSection::LineInfo)
    }

    /// The CO-RE relocation blocks.
    pub fn core_relo_blocks(&self) -> InfoBlocks<'a> {
        self.blocks(ExtSection::CoreRelo)
    }

    /// Checks every string offset and type id against the object's BTF:
    /// section names, func_info `FUNC` types, line_info file and line
    /// strings, CO-RE root types and access strings.
    pub fn check_refs(&self, btf: &Btf<'_>) -> Result<(), Error> {
        self.check_refs_with(btf, &NoCheckpoint)
    }

    /// [`BtfExt::check_refs`], calling `cp` as it goes.
    pub fn check_refs_with(&self, btf: &Btf<'_>, cp: &dyn Checkpoint) -> Result<(), Error> {
        let tick = Ticker::new(cp);
        let nr = btf.nr_types();
        for sec in [
            ExtSection::FuncInfo,
            ExtSection::LineInfo,
            ExtSection::CoreRelo,
        ] {
            for (block, b) in (0u32..).zip(self.blocks(sec)) {
                tick.tick()?;
                let bad_str = |off: u32| {
                    Error::at(
                        Location::ExtBlock { sec, block },
                        BtfExtError::BadStrOff { off },
                    )
                };
                // A section name: a name, so at most MAX_NAME_LEN bytes.
                btf.str_at(b.sec_name_off).map_err(|e| match e {
                    Error {
                        kind: ErrorKind::Btf(BtfError::NameTooLong { .. }),
                        ..
                    } => e,
                    _ => bad_str(b.sec_name_off),
                })?;
                match sec {
                    ExtSection::FuncInfo => {
                        for (rec, fi) in (0u32..).zip(b.func_infos()) {
                            tick.tick()?;
                            let is_func = fi.type_id < nr
                                && btf.type_by_id(fi.type_id).map(|t| t.kind())
                                    == Ok(BTF_KIND_FUNC);
                            if !is_func {
                                return Err(Error::at(
                                    Location::ExtRecord { sec, block, rec },
                                    BtfExtError::BadTypeId {
                                        type_id: fi.type_id,
                                    },
                                ));
                            }
                        }
                    }
                    ExtSection::LineInfo => {
                        // Any length: only the offset is checked, like the
                        // kernel's check_btf_line().
                        for li in b.line_infos() {
                            tick.tick()?;
                            if !btf.str_ok(li.file_name_off) {
                                return Err(bad_str(li.file_name_off));
                            }
                            if !btf.str_ok(li.line_off) {
                                return Err(bad_str(li.line_off));
                            }
                        }
                    }
                    ExtSection::CoreRelo => {
                        for (rec, cr) in (0u32..).zip(b.core_relos()) {
                            tick.tick()?;
                            if cr.type_id >= nr {
                                return Err(Error::at(
                                    Location::ExtRecord { sec, block, rec },
                                    BtfExtError::BadTypeId {
                                        type_id: cr.type_id,
                                    },
                                ));
                            }
                            if !btf.str_ok(cr.access_str_off) {
                                return Err(bad_str(cr.access_str_off));
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// Iterator over the blocks of one subsection, see [`BtfExt::blocks`].
#[derive(Clone, Debug)]
pub struct InfoBlocks<'a> {
    rest: &'a [u8],
    rec_size: u32,
}

impl<'a> Iterator for InfoBlocks<'a> {
    type Item = InfoBlock<'a>;

    fn next(&mut self) -> Option<InfoBlock<'a>> {
        // Every block was checked by parse(), so this only ends at the end.
        let (b, rest) = split_block(self.rest, self.rec_size)?;
        self.rest = rest;
        Some(b)
    }
}

/// Iterator over the records of a block, see [`InfoBlock::func_infos`].
#[derive(Clone, Debug)]
pub struct Records<'a, T> {
    chunks: core::slice::ChunksExact<'a, u8>,
    read: fn(&[u8]) -> Option<T>,
}

impl<T> Iterator for Records<'_, T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        (self.read)(self.chunks.next()?)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.chunks.size_hint()
    }
}

impl<'a> InfoBlock<'a> {
    fn records<T>(&self, read: fn(&[u8]) -> Option<T>) -> Records<'a, T> {
        // A block built by parse() has rec_size >= the record's size and
        // records.len() == num * rec_size; a hand-built inconsistent block
        // yields fewer records, never a panic.
        let size = to_usize(self.rec_size).max(1);
        Records {
            chunks: self.records.chunks_exact(size),
            read,
        }
    }

    /// The records as `bpf_func_info` (for a func_info block).
    pub fn func_infos(&self) -> Records<'a, FuncInfo> {
        self.records(FuncInfo::read)
    }

    /// The records as `bpf_line_info` (for a line_info block).
    pub fn line_infos(&self) -> Records<'a, LineInfo> {
        self.records(LineInfo::read)
    }

    /// The records as `bpf_core_relo` (for a core_relo block).
    pub fn core_relos(&self) -> Records<'a, CoreRelo> {
        self.records(CoreRelo::read)
    }

    /// Record `i` as `bpf_core_relo` (for a core_relo block).
    pub fn core_relo(&self, i: u32) -> Option<CoreRelo> {
        CoreRelo::read(self.record(i)?)
    }

    /// The raw bytes of record `i`.
    pub fn record(&self, i: u32) -> Option<&'a [u8]> {
        let size = to_usize(self.rec_size);
        sub(self.records, to_usize(i).checked_mul(size)?, size)
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

    fn words(w: &[u32]) -> Vec<u8> {
        w.iter().flat_map(|x| x.to_ne_bytes()).collect()
    }

    /// A subsection: record size, then blocks of (name, records).
    fn subsec(rec_size: u32, blocks: &[(u32, &[&[u32]])]) -> Vec<u8> {
        let mut v = words(&[rec_size]);
        for (name, recs) in blocks {
            v.extend(words(&[*name, recs.len() as u32]));
            for r in recs.iter() {
                v.extend(words(r));
            }
        }
        v
    }

    /// A `.BTF.ext` with a 32-byte header and the three subsections in
    /// order.
    fn ext_of(func: &[u8], line: &[u8], core: &[u8]) -> Vec<u8> {
        let (f, l, c) = (func.len() as u32, line.len() as u32, core.len() as u32);
        let mut v = Vec::new();
        v.extend_from_slice(&BTF_MAGIC.to_ne_bytes());
        v.extend_from_slice(&[BTF_VERSION, 0]);
        v.extend(words(&[32, 0, f, f, l, f + l, c]));
        v.extend_from_slice(func);
        v.extend_from_slice(line);
        v.extend_from_slice(core);
        v
    }

    // String offsets in `btf()`: 1 ".text", 7 "prog", 12 "file", 17 "line",
    // 22 "0:1".
    fn good_parts() -> (Vec<u8>, Vec<u8>, Vec<u8>) {
        let func = subsec(8, &[(1, &[&[0, 3], &[16, 3]]), (7, &[&[0, 3]])]);
        let line = subsec(
            16,
            &[(1, &[&[0, 12, 17, 5 << 10 | 2], &[8, 12, 17, 6 << 10]])],
        );
        let core = subsec(16, &[(7, &[&[8, 1, 22, 0]])]);
        (func, line, core)
    }

    fn good() -> Vec<u8> {
        let (f, l, c) = good_parts();
        ext_of(&f, &l, &c)
    }

    /// A BTF with int (1), func_proto (2), func (3).
    fn btf() -> Vec<u8> {
        let strs = b"\0.text\0prog\0file\0line\0\x30:1\0int\0";
        let types = words(&[
            26,
            btf_info(1, 0),
            4,
            32,
            0,
            btf_info(13, 0),
            1,
            7,
            btf_info(12, 1),
            2,
        ]);
        let mut v = Vec::new();
        v.extend_from_slice(&BTF_MAGIC.to_ne_bytes());
        v.extend_from_slice(&[BTF_VERSION, 0]);
        v.extend(words(&[
            24,
            0,
            types.len() as u32,
            types.len() as u32,
            strs.len() as u32,
        ]));
        v.extend(types);
        v.extend_from_slice(strs);
        v
    }

    fn btf_info(kind: u32, vlen: u32) -> u32 {
        kind << 24 | vlen
    }

    fn put32(v: &mut [u8], at: usize, x: u32) {
        v[at..at + 4].copy_from_slice(&x.to_ne_bytes());
    }

    #[test]
    fn parses_all_subsections() {
        let data = good();
        let x = BtfExt::parse(&data).unwrap();
        assert_eq!(x.header().hdr_len, 32);
        let f: Vec<_> = x.func_info_blocks().collect();
        assert_eq!(f.len(), 2);
        assert_eq!((f[0].sec_name_off, f[0].num, f[0].rec_size), (1, 2, 8));
        assert_eq!(
            f[0].func_infos().collect::<Vec<_>>(),
            [
                FuncInfo {
                    insn_off: 0,
                    type_id: 3
                },
                FuncInfo {
                    insn_off: 16,
                    type_id: 3
                }
            ]
        );
        assert_eq!(f[0].record(1), Some(words(&[16, 3]).as_slice()));
        assert_eq!(f[0].record(2), None);
        let l: Vec<_> = x.line_info_blocks().flat_map(|b| b.line_infos()).collect();
        assert_eq!(
            l[0],
            LineInfo {
                insn_off: 0,
                file_name_off: 12,
                line_off: 17,
                line_col: 5 << 10 | 2
            }
        );
        assert_eq!(l.len(), 2);
        let c: Vec<_> = x.core_relo_blocks().flat_map(|b| b.core_relos()).collect();
        assert_eq!(
            c,
            [CoreRelo {
                insn_off: 8,
                type_id: 1,
                access_str_off: 22,
                kind: 0
            }]
        );
        let b = btf();
        x.check_refs(&Btf::parse(&b).unwrap()).unwrap();
        assert_eq!(x.rec_size(ExtSection::CoreRelo), 16);
        assert_eq!(x.data().len(), data.len());
    }

    #[test]
    fn parses_short_header_and_bigger_records() {
        // 24-byte header: no CO-RE part.
        let func = subsec(12, &[(1, &[&[0, 3, 77], &[8, 3, 78]])]);
        let mut v = Vec::new();
        v.extend_from_slice(&BTF_MAGIC.to_ne_bytes());
        v.extend_from_slice(&[BTF_VERSION, 0]);
        v.extend(words(&[24, 0, func.len() as u32, func.len() as u32, 0]));
        v.extend(&func);
        let x = BtfExt::parse(&v).unwrap();
        assert_eq!(x.core_relo_blocks().count(), 0);
        assert_eq!(x.line_info_blocks().count(), 0);
        let b = x.func_info_blocks().next().unwrap();
        assert_eq!(b.rec_size, 12);
        assert_eq!(
            b.func_infos().map(|f| f.insn_off).collect::<Vec<_>>(),
            [0, 8]
        );
        // A header longer than known: the extra bytes must be zero.
        let (f, l, c) = good_parts();
        let longer = |tail: u32| {
            let mut v = ext_of(&f, &l, &c);
            put32(&mut v, 4, 36);
            v.splice(32..32, words(&[tail]));
            BtfExt::parse(&v).map(|x| x.func_info_blocks().count())
        };
        assert_eq!(longer(0), Ok(2));
        assert_eq!(
            longer(1),
            Err(Error::new(BtfExtError::HeaderTail { hdr_len: 36 }))
        );
    }

    #[test]
    fn rejects_bad_header() {
        let g = good();
        assert_eq!(
            BtfExt::parse(&g[..7]).err(),
            Some(Error::new(BtfExtError::TooShort { len: 7 }))
        );
        let mut big = g.clone();
        big.resize(BTF_MAX_SIZE + 1, 0);
        assert_eq!(
            BtfExt::parse(&big).err(),
            Some(Error::new(BtfExtError::TooBig {
                size: BTF_MAX_SIZE + 1
            }))
        );
        let with = |f: &dyn Fn(&mut Vec<u8>)| {
            let mut v = good();
            f(&mut v);
            BtfExt::parse(&v).map(|_| ())
        };
        assert_eq!(
            with(&|v| v[..2].copy_from_slice(&BTF_MAGIC.swap_bytes().to_ne_bytes())),
            Err(Error::new(BtfExtError::BadMagic {
                magic: BTF_MAGIC.swap_bytes()
            }))
        );
        assert_eq!(
            with(&|v| v[2] = 0),
            Err(Error::new(BtfExtError::BadVersion { version: 0 }))
        );
        assert_eq!(
            with(&|v| v[3] = 4),
            Err(Error::new(BtfExtError::BadFlags { flags: 4 }))
        );
        let len = g.len() as u32;
        for hdr_len in [0, 20, 28, 33, len + 4] {
            assert_eq!(
                with(&|v| put32(v, 4, hdr_len)),
                Err(Error::new(BtfExtError::BadHdrLen { hdr_len }))
            );
        }
        assert_eq!(
            BtfExt::parse(&g[..32]).err(),
            Some(Error::new(BtfExtError::NoData))
        );
    }

    #[test]
    fn rejects_bad_layout() {
        let (f, l, c) = good_parts();
        let (fl, ll, cl) = (f.len() as u32, l.len() as u32, c.len() as u32);
        let with = |fo: u32, flen: u32, lo: u32, llen: u32, co: u32, clen: u32, extra: usize| {
            let mut v = ext_of(&f, &l, &c);
            for (i, w) in [fo, flen, lo, llen, co, clen].into_iter().enumerate() {
                put32(&mut v, 8 + 4 * i, w);
            }
            v.resize(v.len() + extra, 0);
            BtfExt::parse(&v).map(|_| ())
        };
        let (lo, co) = (fl, fl + ll);
        assert_eq!(with(0, fl, lo, ll, co, cl, 0), Ok(()));
        assert_eq!(
            with(2, fl, lo, ll, co, cl, 0),
            Err(Error::new(BtfExtError::Unaligned {
                sec: ExtSection::FuncInfo,
                off: 2
            }))
        );
        assert_eq!(
            with(0, fl, lo, ll, co, cl + 4, 0),
            Err(Error::new(BtfExtError::SectionOutOfBounds {
                sec: ExtSection::CoreRelo,
                off: co,
                len: cl + 4
            }))
        );
        assert_eq!(
            with(0, fl, lo, ll, u32::MAX - 3, cl, 0),
            Err(Error::new(BtfExtError::SectionOutOfBounds {
                sec: ExtSection::CoreRelo,
                off: u32::MAX - 3,
                len: cl
            }))
        );
        assert_eq!(
            with(4, fl - 4, lo, ll, co, cl, 0),
            Err(Error::new(BtfExtError::Gap { off: 0 }))
        );
        assert_eq!(
            with(0, fl, lo, ll, co, cl, 4),
            Err(Error::new(BtfExtError::Gap { off: fl + ll + cl }))
        );
        // Dropping the CO-RE subsection leaves its bytes unaccounted for.
        assert_eq!(
            with(0, fl, lo, ll, 0, 0, 0),
            Err(Error::new(BtfExtError::Gap { off: fl + ll }))
        );
        assert_eq!(
            with(0, fl, lo - 8, ll, co, cl, 0),
            Err(Error::new(BtfExtError::Overlap {
                sec: ExtSection::LineInfo,
                off: lo - 8
            }))
        );
    }

    /// Parses a blob made of `func` alone as the func_info subsection.
    fn func_only(func: &[u8]) -> Result<(), Error> {
        BtfExt::parse(&ext_of(func, &[], &[])).map(|_| ())
    }

    #[test]
    fn rejects_bad_records() {
        let fi = ExtSection::FuncInfo;
        for rec_size in [4, 10, 256] {
            assert_eq!(
                func_only(&subsec(rec_size, &[(1, &[&[0, 3]])])),
                Err(Error::new(BtfExtError::BadRecSize { sec: fi, rec_size }))
            );
        }
        assert_eq!(
            BtfExt::parse(&ext_of(&[], &subsec(8, &[(1, &[&[0, 3]])]), &[])).err(),
            Some(Error::new(BtfExtError::BadRecSize {
                sec: ExtSection::LineInfo,
                rec_size: 8
            }))
        );
        assert_eq!(
            func_only(&words(&[8])),
            Err(Error::new(BtfExtError::NoRecords { sec: fi }))
        );
        // A block header cut short, and records cut short.
        let mut v = subsec(8, &[(1, &[&[0, 3]])]);
        v.extend(words(&[1]));
        assert_eq!(
            func_only(&v),
            Err(Error::new(BtfExtError::TruncatedBlock {
                sec: fi,
                block: 1,
                offset: 16
            }))
        );
        let mut v = subsec(8, &[(1, &[&[0, 3], &[8, 3]])]);
        put32(&mut v, 8, 3);
        assert_eq!(
            func_only(&v),
            Err(Error::new(BtfExtError::TruncatedBlock {
                sec: fi,
                block: 0,
                offset: 0
            }))
        );
        let mut v = subsec(8, &[(1, &[&[0, 3]])]);
        put32(&mut v, 8, u32::MAX);
        assert_eq!(
            func_only(&v),
            Err(Error::new(BtfExtError::TruncatedBlock {
                sec: fi,
                block: 0,
                offset: 0
            }))
        );
        // An empty block followed by data.
        let mut v = subsec(8, &[(1, &[])]);
        v.extend(words(&[0, 3]));
        assert_eq!(
            func_only(&v),
            Err(Error::new(BtfExtError::EmptyBlock { sec: fi, block: 0 }))
        );
        assert_eq!(
            func_only(&subsec(8, &[(1, &[&[0, 3]]), (1, &[&[8, 3], &[12, 3]])])),
            Err(Error::at(
                Location::ExtRecord {
                    sec: fi,
                    block: 1,
                    rec: 1
                },
                BtfExtError::BadInsnOff { insn_off: 12 }
            ))
        );
        assert_eq!(
            BtfExt::parse(&ext_of(&[], &[], &subsec(16, &[(1, &[&[0, 1, 1, 13]])]))).err(),
            Some(Error::at(
                Location::ExtRecord {
                    sec: ExtSection::CoreRelo,
                    block: 0,
                    rec: 0
                },
                BtfExtError::BadCoreKind { kind: 13 }
            ))
        );
    }

    #[test]
    fn check_refs_against_btf() {
        let b = btf();
        let btf = Btf::parse(&b).unwrap();
        let refs = |func: &[u8], line: &[u8], core: &[u8]| {
            BtfExt::parse(&ext_of(func, line, core))
                .unwrap()
                .check_refs(&btf)
        };
        let (f, l, c) = good_parts();
        assert_eq!(refs(&f, &l, &c), Ok(()));
        assert_eq!(
            refs(&subsec(8, &[(100, &[&[0, 3]])]), &l, &c),
            Err(Error::at(
                Location::ExtBlock {
                    sec: ExtSection::FuncInfo,
                    block: 0
                },
                BtfExtError::BadStrOff { off: 100 }
            ))
        );
        for type_id in [1, 4] {
            assert_eq!(
                refs(&subsec(8, &[(1, &[&[0, 3], &[8, type_id]])]), &l, &c),
                Err(Error::at(
                    Location::ExtRecord {
                        sec: ExtSection::FuncInfo,
                        block: 0,
                        rec: 1
                    },
                    BtfExtError::BadTypeId { type_id }
                ))
            );
        }
        assert_eq!(
            refs(&f, &subsec(16, &[(1, &[&[0, 12, 99, 0]])]), &c),
            Err(Error::at(
                Location::ExtBlock {
                    sec: ExtSection::LineInfo,
                    block: 0
                },
                BtfExtError::BadStrOff { off: 99 }
            ))
        );
        assert_eq!(
            refs(&f, &l, &subsec(16, &[(7, &[&[0, 4, 22, 0]])])),
            Err(Error::at(
                Location::ExtRecord {
                    sec: ExtSection::CoreRelo,
                    block: 0,
                    rec: 0
                },
                BtfExtError::BadTypeId { type_id: 4 }
            ))
        );
        assert_eq!(
            refs(&f, &l, &subsec(16, &[(7, &[&[0, 1, 1000, 0]])])),
            Err(Error::at(
                Location::ExtBlock {
                    sec: ExtSection::CoreRelo,
                    block: 0
                },
                BtfExtError::BadStrOff { off: 1000 }
            ))
        );
    }

    #[test]
    fn hand_built_blocks_never_panic() {
        let recs = words(&[1, 2, 3]);
        for rec_size in [0, 3, 8, 16, u32::MAX] {
            let b = InfoBlock {
                sec_name_off: 0,
                rec_size,
                records: &recs,
                num: 7,
            };
            let _ = b.func_infos().count() + b.line_infos().count() + b.core_relos().count();
            let _ = b.record(u32::MAX);
        }
    }

    #[test]
    fn every_truncation_is_rejected() {
        let g = good();
        for len in 0..g.len() {
            assert!(BtfExt::parse(&g[..len]).is_err(), "prefix {len}");
        }
    }
}
