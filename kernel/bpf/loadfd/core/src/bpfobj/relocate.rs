// SPDX-License-Identifier: GPL-2.0

//! Relocating one program: what libbpf's `bpf_object__relocate` does for a
//! main program in light-skeleton (`gen_loader`) mode.
//!
//! 1. The main function is copied; every subprogram it reaches through
//!    calls or callback addresses is appended once, depth first in the
//!    order of first use (libbpf's `bpf_object__reloc_code`), and call and
//!    callback `imm`s are set to the relative offset of the target. An
//!    exception callback (`exception_callback:` decl tag) is appended
//!    last, with what it reaches.
//! 2. func_info and line_info records of each appended function are copied
//!    with `insn_off` rebased onto the final layout, in instructions (as
//!    `BPF_PROG_LOAD` wants); CO-RE records likewise, in bytes. If the main
//!    function has no func_info (or line_info), none is produced; if it has
//!    and a subprogram has not, that is an error. A function's func_info is
//!    one record at its first instruction (what the verifier checks). A
//!    program with CO-RE records must have func_info: without it 6.12's
//!    verifier skips `check_core_relo()` and would run the program with
//!    its compile-time offsets.
//! 3. The data relocations are applied: maps become
//!    `ld_imm64 src=BPF_PSEUDO_MAP_IDX imm=<map index>`, globals
//!    `src=BPF_PSEUDO_MAP_IDX_VALUE imm=<map index>` with
//!    `insn[1].imm = insn[0].imm + symbol offset`, kconfig externs point
//!    into the `.kconfig` map, typed ksyms become `src=BPF_PSEUDO_BTF_ID`,
//!    typeless ones their address, kfunc calls `src=BPF_PSEUDO_KFUNC_CALL`
//!    (unresolved weak ones a poisoned helper call).
//!
//! No recursion: the depth-first walk keeps an explicit stack.
//!
//! Cost: linking a program is proportional to that program (its
//! functions' instructions, relocations and records, each found by binary
//! search), not to the object, so linking every program is linear in the
//! output. [`Relocator`] keeps the one object-sized table across programs.
//! What one program may hold is charged against a byte budget as it grows
//! ([`MAX_PROG_BYTES`] for one program alone, what is left of it when the
//! caller links several).

use crate::bpfobj::btf_ext::{CoreRelo, ExtSection, FuncInfo, InfoBlock, LineInfo};
use crate::bpfobj::checkpoint::{Checkpoint, Ticker};
use crate::bpfobj::compat::{KVVec, GFP_INPUT};
use crate::bpfobj::error::{Error, LinkError, Location};
use crate::bpfobj::externs::{ExternKind, ExternValue, Resolved, POISON_CALL_KFUNC_BASE};
use crate::bpfobj::insn::{
    Insn, BPF_PSEUDO_BTF_ID, BPF_PSEUDO_FUNC, BPF_PSEUDO_KFUNC_CALL, BPF_PSEUDO_MAP_IDX,
    BPF_PSEUDO_MAP_IDX_VALUE, CALL, INSN_SIZE,
};
use crate::bpfobj::limits::{Cap, MAX_PROG_BYTES};
use crate::bpfobj::object::{Function, Object};
use crate::bpfobj::reloc::{insn_of, RelocKind};

/// Most instructions a linked program may have (the verifier's
/// `BPF_COMPLEXITY_LIMIT_INSNS`).
pub const MAX_LINKED_INSNS: usize = 1_000_000;

/// Where a function landed in a linked program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placed {
    /// Index in [`Object::functions`].
    pub func: usize,
    /// First instruction in [`Relocated::insns`].
    pub insn_off: u32,
}

/// A linked program, ready for `BPF_PROG_LOAD`.
#[derive(Debug)]
pub struct Relocated {
    /// The instructions.
    pub insns: KVVec<Insn>,
    /// func_info (`insn_off` in instructions).
    pub func_info: KVVec<FuncInfo>,
    /// line_info (`insn_off` in instructions).
    pub line_info: KVVec<LineInfo>,
    /// CO-RE records for the kernel (`insn_off` in bytes).
    pub core_relos: KVVec<CoreRelo>,
    /// The functions in layout order; the first is the main function.
    pub layout: KVVec<Placed>,
    /// The exception callback, if the program has one (index in
    /// [`Object::functions`]).
    pub exception_cb: Option<usize>,
}

/// State of func_info or line_info collection.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Info {
    /// Still collecting.
    On,
    /// The main function has none: produce none.
    Off,
}

/// Size of a func_info record for `BPF_PROG_LOAD`.
const FUNC_INFO_BYTES: usize = 8;
/// Size of a line_info record for `BPF_PROG_LOAD`.
const LINE_INFO_BYTES: usize = 16;
/// Size of a CO-RE record for `BPF_PROG_LOAD`.
const CORE_RELO_BYTES: usize = 16;

/// Relocates the programs of one object, one at a time.
///
/// Holds the one table whose size is the object's (where each function
/// landed in the program being linked), allocated once: linking a program
/// then costs what that program is.
pub struct Relocator<'o, 'a> {
    obj: &'o Object<'a>,
    /// `(generation, offset)` per function: placed in the current program
    /// iff the generation is the current one.
    placed: KVVec<(u32, u32)>,
    generation: u32,
}

impl<'o, 'a> Relocator<'o, 'a> {
    /// A relocator for the programs of `obj`.
    pub fn new(obj: &'o Object<'a>) -> Result<Self, Error> {
        Ok(Relocator {
            obj,
            placed: KVVec::from_elem((0, 0), obj.functions().len(), GFP_INPUT)?,
            generation: 0,
        })
    }

    /// Links program `prog` with the extern values `res`; see the module
    /// documentation.
    pub fn relocate(
        &mut self,
        prog: usize,
        res: &Resolved,
        cp: &dyn Checkpoint,
    ) -> Result<Relocated, Error> {
        self.relocate_within(prog, res, cp, MAX_PROG_BYTES)
    }

    /// [`Relocator::relocate`], failing with
    /// [`ErrorKind::TooMany`](crate::bpfobj::error::ErrorKind::TooMany)
    /// (`MAX_PROG_BYTES`) as soon as the program's instructions and records
    /// would take more than `budget` bytes (in `BPF_PROG_LOAD`'s sizes).
    pub fn relocate_within(
        &mut self,
        prog: usize,
        res: &Resolved,
        cp: &dyn Checkpoint,
        budget: usize,
    ) -> Result<Relocated, Error> {
        let obj = self.obj;
        let p = obj
            .programs()
            .get(prog)
            .ok_or(Error::new(LinkError::BadProgram {
                prog: u32::try_from(prog).unwrap_or(u32::MAX),
            }))?;
        if res.values.len() != obj.externs().len() {
            return Err(Error::new(LinkError::BadProgram {
                prog: u32::try_from(prog).unwrap_or(u32::MAX),
            }));
        }
        // A new generation forgets the previous program's placements; on
        // wrap-around, clear them for real.
        self.generation = match self.generation.checked_add(1) {
            Some(g) => g,
            None => {
                for e in self.placed.iter_mut() {
                    *e = (0, 0);
                }
                1
            }
        };
        let tick = Ticker::new(cp);
        let mut l = State {
            obj,
            main: p.func,
            placed: &mut self.placed,
            generation: self.generation,
            out: Relocated {
                insns: KVVec::new(),
                func_info: KVVec::new(),
                line_info: KVVec::new(),
                core_relos: KVVec::new(),
                layout: KVVec::new(),
                exception_cb: None,
            },
            func_info: Info::On,
            line_info: Info::On,
            tick: &tick,
            budget,
            bytes: 0,
        };
        l.append(p.func)?;
        l.walk(p.func)?;
        if let Some(cb) = obj.exception_callback(prog)? {
            l.out.exception_cb = Some(cb);
            if l.placed_at(cb).is_none() {
                l.append(cb)?;
                l.walk(cb)?;
            }
        }
        if !l.out.core_relos.is_empty() && l.out.func_info.is_empty() {
            let symbol = obj.functions().get(p.func).map_or(u32::MAX, |f| f.symbol);
            return Err(Error::at_symbol(symbol, LinkError::CoreWithoutFuncInfo));
        }
        l.apply_data(res)?;
        Ok(l.out)
    }
}

/// Linking one program.
struct State<'l, 'o, 'a> {
    obj: &'o Object<'a>,
    main: usize,
    placed: &'l mut KVVec<(u32, u32)>,
    generation: u32,
    out: Relocated,
    func_info: Info,
    line_info: Info,
    tick: &'l Ticker<'l>,
    /// Bytes the program may take, and takes so far.
    budget: usize,
    bytes: usize,
}

fn i64_to_u32(v: i64) -> Option<u32> {
    u32::try_from(v).ok()
}

impl<'o, 'a> State<'_, 'o, 'a> {
    fn func(&self, i: usize) -> Result<&'o Function<'a>, Error> {
        self.obj
            .functions()
            .get(i)
            .ok_or(Error::at_symbol(u32::MAX, LinkError::BadFunc))
    }

    /// Where function `fi` starts in this program, if it was placed.
    fn placed_at(&self, fi: usize) -> Option<u32> {
        self.placed
            .get(fi)
            .filter(|e| e.0 == self.generation)
            .map(|e| e.1)
    }

    /// Takes `n` records of `size` bytes from the budget.
    fn charge(&mut self, n: usize, size: usize) -> Result<(), Error> {
        self.bytes = n
            .checked_mul(size)
            .and_then(|b| b.checked_add(self.bytes))
            .filter(|&b| b <= self.budget)
            .ok_or(Error::too_many(Cap::ProgBytes))?;
        Ok(())
    }

    /// Rebases a `.BTF.ext` byte offset of function `f` placed at `off`;
    /// `None` if the record is not in `f`.
    fn rebase(f: &Function<'_>, off: u32, insn_off: u32) -> Result<Option<u32>, Error> {
        let bad = Error::at_symbol(f.symbol, LinkError::BadExtRecord);
        if insn_off % 8 != 0 {
            return Err(bad);
        }
        let sec_insn = insn_off / 8;
        let Some(local) = sec_insn.checked_sub(f.insn_off) else {
            return Ok(None);
        };
        if local >= f.insn_cnt {
            return Ok(None);
        }
        off.checked_add(local).map(Some).ok_or(bad)
    }

    /// Copies the func_info, line_info and CO-RE records of function `fi`
    /// placed at `off`.
    fn ext_info(&mut self, fi: usize, off: u32) -> Result<(), Error> {
        if self.obj.btf_ext().is_none() {
            return Ok(());
        }
        let f = *self.func(fi)?;
        let is_main = fi == self.main;
        let obj = self.obj;
        let block = |sub| obj.ext_block(sub, f.section);

        if self.func_info == Info::On {
            let (b, range) = match block(ExtSection::FuncInfo) {
                Some(b) => (Some(b), sorted_range(&b, &f)),
                None => (None, 0..0),
            };
            match (b, range.len()) {
                (_, 0) if is_main => self.func_info = Info::Off,
                (_, 0) => return Err(Error::at_symbol(f.symbol, LinkError::MissingFuncInfo)),
                (Some(b), 1) => {
                    let [insn_off, type_id] = words::<2>(&b, range.start, f.symbol)?;
                    if u64::from(insn_off) != u64::from(f.insn_off).saturating_mul(8) {
                        return Err(Error::at_symbol(f.symbol, LinkError::BadFuncInfo));
                    }
                    self.charge(1, FUNC_INFO_BYTES)?;
                    self.out.func_info.push(
                        FuncInfo {
                            insn_off: off,
                            type_id,
                        },
                        GFP_INPUT,
                    )?;
                }
                _ => return Err(Error::at_symbol(f.symbol, LinkError::BadFuncInfo)),
            }
        }
        if self.line_info == Info::On {
            let (b, range) = match block(ExtSection::LineInfo) {
                Some(b) => (Some(b), sorted_range(&b, &f)),
                None => (None, 0..0),
            };
            match b {
                Some(b) if !range.is_empty() => {
                    self.charge(range.len(), LINE_INFO_BYTES)?;
                    self.out.line_info.reserve(range.len(), GFP_INPUT)?;
                    for i in range {
                        self.tick.tick()?;
                        let [insn_off, file_name_off, line_off, line_col] =
                            words::<4>(&b, i, f.symbol)?;
                        let at = Self::rebase(&f, off, insn_off)?
                            .ok_or(Error::at_symbol(f.symbol, LinkError::BadExtRecord))?;
                        self.out.line_info.push(
                            LineInfo {
                                insn_off: at,
                                file_name_off,
                                line_off,
                                line_col,
                            },
                            GFP_INPUT,
                        )?;
                    }
                }
                _ if is_main => self.line_info = Info::Off,
                _ => return Err(Error::at_symbol(f.symbol, LinkError::MissingLineInfo)),
            }
        }
        if let Some(b) = block(ExtSection::CoreRelo) {
            let range = sorted_range(&b, &f);
            self.charge(range.len(), CORE_RELO_BYTES)?;
            self.out.core_relos.reserve(range.len(), GFP_INPUT)?;
            for i in range {
                self.tick.tick()?;
                let bad = Error::at_symbol(f.symbol, LinkError::BadExtRecord);
                let r = b.core_relo(i).ok_or(bad)?;
                let at = Self::rebase(&f, off, r.insn_off)?.ok_or(bad)?;
                // An ld_imm64 target must not be truncated.
                let local = at.saturating_sub(off);
                let insn = insn_of(&f, local).ok_or(bad)?;
                if insn.is_ldimm64() && local.checked_add(1).map_or(true, |n| n >= f.insn_cnt) {
                    return Err(bad);
                }
                let bytes = at
                    .checked_mul(8)
                    .ok_or(Error::new(LinkError::TooBig { insns: u32::MAX }))?;
                self.out.core_relos.push(
                    CoreRelo {
                        insn_off: bytes,
                        ..r
                    },
                    GFP_INPUT,
                )?;
            }
        }
        Ok(())
    }

    /// Appends function `fi`; returns where it starts.
    fn append(&mut self, fi: usize) -> Result<u32, Error> {
        let f = *self.func(fi)?;
        let off = self.out.insns.len();
        let total = off.checked_add(usize::try_from(f.insn_cnt).map_err(|_| Error::NO_MEM)?);
        let total =
            total
                .filter(|&t| t <= MAX_LINKED_INSNS)
                .ok_or(Error::new(LinkError::TooBig {
                    insns: u32::try_from(off).unwrap_or(u32::MAX),
                }))?;
        let off32 =
            u32::try_from(off).map_err(|_| Error::new(LinkError::TooBig { insns: u32::MAX }))?;
        let n = total.saturating_sub(off);
        self.charge(n, INSN_SIZE)?;
        self.out.insns.reserve(n, GFP_INPUT)?;
        for i in 0..f.insn_cnt {
            self.tick.tick()?;
            let insn = insn_of(&f, i).ok_or(Error::at_symbol(f.symbol, LinkError::BadFunc))?;
            self.out.insns.push(insn, GFP_INPUT)?;
        }
        let generation = self.generation;
        if let Some(p) = self.placed.get_mut(fi) {
            *p = (generation, off32);
        }
        self.out.layout.push(
            Placed {
                func: fi,
                insn_off: off32,
            },
            GFP_INPUT,
        )?;
        self.ext_info(fi, off32)?;
        Ok(off32)
    }

    /// The subprogram called or referenced by instruction `local` of `f`,
    /// as a section instruction index in `.text`, if the instruction is a
    /// subprogram call or callback reference.
    fn target_of(
        &self,
        fi: usize,
        f: &Function<'a>,
        local: u32,
        insn: Insn,
    ) -> Result<Option<u32>, Error> {
        let at = Error::at(
            Location::Insn {
                symbol: f.symbol,
                insn: local,
            },
            LinkError::BadCall,
        );
        let rec = self.obj.reloc_at(fi, local).map(|r| r.kind);
        if insn.is_pseudo_call() {
            let sub = match rec {
                Some(RelocKind::ExternCall { .. }) => return Ok(None),
                Some(RelocKind::Call { sym_off }) => i64::from(sym_off / 8)
                    .checked_add(i64::from(insn.imm))
                    .and_then(|v| v.checked_add(1))
                    .ok_or(at)?,
                Some(_) => return Err(at),
                None => {
                    // A static call inside .text needs no relocation.
                    if Some(f.section) != self.obj.text_section() {
                        return Err(at);
                    }
                    i64::from(f.insn_off)
                        .checked_add(i64::from(local))
                        .and_then(|v| v.checked_add(i64::from(insn.imm)))
                        .and_then(|v| v.checked_add(1))
                        .ok_or(at)?
                }
            };
            return i64_to_u32(sub).map(Some).ok_or(at);
        }
        if insn.is_ldimm64() {
            return match rec {
                Some(RelocKind::SubprogAddr { sym_off }) => {
                    let b = i64::from(sym_off)
                        .checked_add(i64::from(insn.imm))
                        .ok_or(at)?;
                    if b % 8 != 0 {
                        return Err(at);
                    }
                    i64_to_u32(b / 8).map(Some).ok_or(at)
                }
                None if insn.src() != 0 => Err(Error::at(
                    Location::Insn {
                        symbol: f.symbol,
                        insn: local,
                    },
                    LinkError::Unrelocated,
                )),
                _ => Ok(None),
            };
        }
        if insn.is_call() && insn.src() != 0 && rec.is_none() {
            // A raw kfunc call: its fd_array slot would be the caller's.
            return Err(Error::at(
                Location::Insn {
                    symbol: f.symbol,
                    insn: local,
                },
                LinkError::Unrelocated,
            ));
        }
        Ok(None)
    }

    /// Walks the functions reachable from `start` (already placed),
    /// appending and fixing call targets.
    fn walk(&mut self, start: usize) -> Result<(), Error> {
        // The stack's live part is `stack[..depth]` (KVVec has no pop).
        let mut stack: KVVec<(usize, u32)> = KVVec::new();
        stack.push((start, 0), GFP_INPUT)?;
        let mut depth: usize = 1;
        let text = self.obj.text_section();
        'outer: while let Some(&(fi, from)) = depth.checked_sub(1).and_then(|t| stack.get(t)) {
            let f = *self.func(fi)?;
            let base = self
                .placed_at(fi)
                .ok_or(Error::at_symbol(f.symbol, LinkError::BadFunc))?;
            let mut local = from;
            while local < f.insn_cnt {
                self.tick.tick()?;
                let insn =
                    insn_of(&f, local).ok_or(Error::at_symbol(f.symbol, LinkError::BadFunc))?;
                let next = local.saturating_add(if insn.is_ldimm64() { 2 } else { 1 });
                let Some(sub) = self.target_of(fi, &f, local, insn)? else {
                    local = next;
                    continue;
                };
                let bad = Error::at(
                    Location::Insn {
                        symbol: f.symbol,
                        insn: local,
                    },
                    LinkError::NoSubprog,
                );
                let text = text.ok_or(bad)?;
                let target = self.obj.func_starting_at(text, sub).ok_or(bad)?;
                let (sub_off, descend) = match self.placed_at(target) {
                    Some(o) => (o, false),
                    None => (self.append(target)?, true),
                };
                let pos = base.checked_add(local).ok_or(bad)?;
                let rel = i64::from(sub_off)
                    .checked_sub(i64::from(pos))
                    .and_then(|v| v.checked_sub(1))
                    .ok_or(bad)?;
                let slot = self
                    .out
                    .insns
                    .get_mut(usize::try_from(pos).map_err(|_| bad)?)
                    .ok_or(bad)?;
                slot.imm = i32::try_from(rel).map_err(|_| bad)?;
                if slot.is_ldimm64() {
                    slot.set_src(BPF_PSEUDO_FUNC);
                }
                if descend {
                    let top = depth.checked_sub(1).ok_or(bad)?;
                    if let Some(t) = stack.get_mut(top) {
                        t.1 = next;
                    }
                    match stack.get_mut(depth) {
                        Some(slot) => *slot = (target, 0),
                        None => stack.push((target, 0), GFP_INPUT)?,
                    }
                    depth = depth.checked_add(1).ok_or(bad)?;
                    continue 'outer;
                }
                local = next;
            }
            // Done with this function.
            depth = depth.saturating_sub(1);
        }
        Ok(())
    }

    /// Applies the map, data and extern records of every placed function.
    fn apply_data(&mut self, res: &Resolved) -> Result<(), Error> {
        let obj = self.obj;
        for p in self.out.layout.iter() {
            let f = obj
                .functions()
                .get(p.func)
                .ok_or(Error::at_symbol(u32::MAX, LinkError::BadFunc))?;
            for r in obj.relocs().get(f.reloc_start..f.reloc_end).unwrap_or(&[]) {
                self.tick.tick()?;
                let bad = Error::at_rel(r.section, r.rel, LinkError::BadReloc);
                let pos =
                    usize::try_from(p.insn_off.checked_add(r.insn).ok_or(bad)?).map_err(|_| bad)?;
                let (first, rest) = self
                    .out
                    .insns
                    .get_mut(pos..)
                    .and_then(|s| s.split_first_mut())
                    .ok_or(bad)?;
                let idx = |i: usize| i32::try_from(i).map_err(|_| bad);
                match r.kind {
                    RelocKind::Ld64 { map } => {
                        first.set_src(BPF_PSEUDO_MAP_IDX);
                        first.imm = idx(map)?;
                    }
                    RelocKind::Data { map, sym_off } => {
                        let second = rest.first_mut().ok_or(bad)?;
                        let off = i64::from(first.imm)
                            .checked_add(i64::from(sym_off))
                            .ok_or(bad)?;
                        second.imm = i32::try_from(off).map_err(|_| bad)?;
                        first.set_src(BPF_PSEUDO_MAP_IDX_VALUE);
                        first.imm = idx(map)?;
                    }
                    RelocKind::ExternLd64 { ext } => {
                        let second = rest.first_mut().ok_or(bad)?;
                        let e = obj.externs().get(ext).ok_or(bad)?;
                        let v = res.values.get(ext).copied().ok_or(bad)?;
                        match (e.kind, v) {
                            (ExternKind::Kconfig { data_off, .. }, _) => {
                                let map = obj.kconfig_map().ok_or(bad)?;
                                first.set_src(BPF_PSEUDO_MAP_IDX_VALUE);
                                first.imm = idx(map)?;
                                second.imm = i32::try_from(data_off).map_err(|_| bad)?;
                            }
                            (_, ExternValue::Btf(b))
                            | (_, ExternValue::Kfunc { btf: Some(b), .. }) => {
                                first.set_src(BPF_PSEUDO_BTF_ID);
                                first.imm = i32::from_ne_bytes(b.btf_id.to_ne_bytes());
                                second.imm = i32::from_ne_bytes(b.btf_obj.to_ne_bytes());
                            }
                            (_, ExternValue::Addr(a)) => {
                                let [l0, l1, l2, l3, h0, h1, h2, h3] = a.to_le_bytes();
                                first.set_src(0);
                                first.imm = i32::from_le_bytes([l0, l1, l2, l3]);
                                second.imm = i32::from_le_bytes([h0, h1, h2, h3]);
                            }
                            (_, ExternValue::Missing) => {
                                first.set_src(0);
                                first.imm = 0;
                                second.imm = 0;
                            }
                            _ => return Err(bad),
                        }
                    }
                    RelocKind::ExternCall { ext } => match res.values.get(ext).copied() {
                        Some(ExternValue::Kfunc { call, .. }) => {
                            first.set_src(BPF_PSEUDO_KFUNC_CALL);
                            first.imm = i32::from_ne_bytes(call.btf_id.to_ne_bytes());
                            first.off = call.btf_fd_slot;
                        }
                        Some(ExternValue::Missing) => {
                            *first = Insn {
                                code: CALL,
                                regs: 0,
                                off: 0,
                                imm: POISON_CALL_KFUNC_BASE.checked_add(idx(ext)?).ok_or(bad)?,
                            };
                        }
                        _ => return Err(bad),
                    },
                    RelocKind::Call { .. } | RelocKind::SubprogAddr { .. } => {}
                }
            }
        }
        Ok(())
    }
}

/// The first `N` words of record `i` of block `b`.
fn words<const N: usize>(b: &InfoBlock<'_>, i: u32, symbol: u32) -> Result<[u32; N], Error> {
    let bad = Error::at_symbol(symbol, LinkError::BadExtRecord);
    let rec = b.record(i).ok_or(bad)?;
    let mut out = [0u32; N];
    for (w, c) in out.iter_mut().zip(rec.chunks_exact(4)) {
        *w = u32::from_ne_bytes(c.try_into().map_err(|_| bad)?);
    }
    if rec.len() < N.checked_mul(4).ok_or(bad)? {
        return Err(bad);
    }
    Ok(out)
}

/// The records of sorted block `b` that fall in function `f` (binary
/// search on the byte instruction offsets; sortedness is checked at parse
/// time).
fn sorted_range(b: &InfoBlock<'_>, f: &Function<'_>) -> core::ops::Range<u32> {
    let key = |i: u32| {
        b.record(i)
            .and_then(|r| r.get(..4))
            .and_then(|w| <[u8; 4]>::try_from(w).ok())
            .map_or(u32::MAX, u32::from_ne_bytes)
    };
    let lo = u64::from(f.insn_off).saturating_mul(8);
    let hi = u64::from(f.insn_off.saturating_add(f.insn_cnt)).saturating_mul(8);
    // First record with key >= bound.
    let lower = |bound: u64| {
        let (mut l, mut r) = (0u32, b.num);
        while l < r {
            let m = l.saturating_add(r.saturating_sub(l) / 2);
            if u64::from(key(m)) < bound {
                l = m.saturating_add(1);
            } else {
                r = m;
            }
        }
        l
    };
    lower(lo)..lower(hi)
}

/// The exception callback of program `prog` (libbpf's
/// `bpf_prog_assign_exc_cb`): the global `.text` function named by an
/// `exception_callback:<name>` decl tag on the program's `FUNC`. Found for
/// every program at once when the object is parsed
/// (`exception_callbacks`).
pub fn exception_callback(obj: &Object<'_>, prog: usize) -> Result<Option<usize>, Error> {
    obj.exception_callback(prog)
}

/// Links program `prog` of `obj` with the extern values `res`; see the
/// module documentation. To link several programs of one object, use one
/// [`Relocator`].
pub fn relocate(
    obj: &Object<'_>,
    prog: usize,
    res: &Resolved,
    cp: &dyn Checkpoint,
) -> Result<Relocated, Error> {
    Relocator::new(obj)?.relocate(prog, res, cp)
}
