// SPDX-License-Identifier: GPL-2.0

//! Extern symbols: `__kconfig` variables (the `.kconfig` map), typed and
//! typeless `__ksym` variables, and kernel functions (kfuncs).
//!
//! [`collect`] finds them like libbpf's `bpf_object__collect_externs`: an
//! extern is an undefined `NOTYPE` symbol with global or weak binding whose
//! BTF `VAR` or `FUNC` (with extern linkage) sits in the `.kconfig` or
//! `.ksyms` `DATASEC`. They are sorted like libbpf (kconfig first, by
//! alignment down and size up, then by name), which fixes the `.kconfig`
//! map layout and the index used in poisoned calls.
//!
//! [`fixup_btf`] rewrites them in the object's BTF copy the way libbpf does
//! before `BPF_BTF_LOAD`, because the kernel's BTF verifier rejects extern
//! linkage: `.ksyms` entries become 4-byte allocated `int` variables
//! (functions are replaced by a `dummy_ksym` variable and made global), and
//! `.kconfig` variables become allocated at their offset in the map.
//!
//! [`resolve`] asks the kernel ([`Env`]) for each extern's value.

use crate::bpfobj::btf::{
    Btf, BTF_FUNC_EXTERN, BTF_FUNC_GLOBAL, BTF_INT_BOOL, BTF_INT_SIGNED, BTF_KIND_ARRAY,
    BTF_KIND_CONST, BTF_KIND_DATASEC, BTF_KIND_ENUM, BTF_KIND_ENUM64, BTF_KIND_FLOAT,
    BTF_KIND_FUNC, BTF_KIND_INT, BTF_KIND_PTR, BTF_KIND_RESTRICT, BTF_KIND_TYPEDEF,
    BTF_KIND_TYPE_TAG, BTF_KIND_VAR, BTF_KIND_VOLATILE, BTF_PTR_SIZE, BTF_VAR_GLOBAL_ALLOCATED,
    BTF_VAR_GLOBAL_EXTERN, MAX_RESOLVE_DEPTH,
};
use crate::bpfobj::btf_edit::{datasec_of, BtfBuf, NameIndex};
use crate::bpfobj::bytes::to_usize;
use crate::bpfobj::checkpoint::{Checkpoint, Ticker};
use crate::bpfobj::compat::{KVVec, GFP_INPUT};
use crate::bpfobj::elf::{Elf, STB_WEAK};
use crate::bpfobj::error::{BtfError, Error, ExternError};
use crate::bpfobj::limits::{Cap, MAX_EXTERNS, MAX_KCONFIG_SIZE};
use crate::bpfobj::sort;

/// Name of the kconfig `DATASEC` and map.
pub const KCONFIG_SEC: &[u8] = b".kconfig";
/// Name of the ksyms `DATASEC`.
pub const KSYMS_SEC: &[u8] = b".ksyms";
/// Name of the variable added to `.ksyms` to stand for kfuncs.
pub const DUMMY_KSYM: &[u8] = b"dummy_ksym";
/// Base of the `imm` of a poisoned call to an unresolved weak kfunc
/// (libbpf's `POISON_CALL_KFUNC_BASE`): `imm = base + extern index`.
pub const POISON_CALL_KFUNC_BASE: i32 = 2_002_000_000;

/// libbpf's `enum libbpf_tristate` values.
const TRI_NO: u32 = 0;
const TRI_YES: u32 = 1;
const TRI_MODULE: u32 = 2;

/// The C type of a kconfig extern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KcfgType {
    /// `char` (1 byte): takes `y`/`m`/`n` or a number.
    Char,
    /// `bool` (1 byte).
    Bool,
    /// An integer of 1, 2, 4 or 8 bytes.
    Int,
    /// `enum libbpf_tristate`.
    Tristate,
    /// `char[N]`: takes a string.
    CharArray,
}

/// What an extern is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExternKind {
    /// A `__kconfig` variable, stored in the `.kconfig` map.
    Kconfig {
        /// Its C type.
        typ: KcfgType,
        /// Size in bytes.
        size: u32,
        /// Alignment in bytes.
        align: u32,
        /// Offset in the `.kconfig` map.
        data_off: u32,
        /// Whether the integer is signed.
        signed: bool,
    },
    /// A `__ksym` variable or kernel function.
    Ksym {
        /// The local BTF type (after modifiers and typedefs) of the
        /// variable, or the `FUNC_PROTO` of a function; 0 for a typeless
        /// ksym (`extern const void sym __ksym`).
        type_id: u32,
        /// Whether it is a function (kfunc).
        func: bool,
    },
}

/// One extern symbol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Extern<'a> {
    /// The symbol (and BTF) name.
    pub name: &'a [u8],
    /// For kfuncs, the name without a `___flavor` suffix (what the kernel is
    /// asked for); otherwise the name.
    pub essential_name: &'a [u8],
    /// ELF symbol index.
    pub symbol: u32,
    /// The BTF `VAR` or `FUNC`.
    pub btf_id: u32,
    /// The BTF `DATASEC` holding it.
    pub sec_btf_id: u32,
    /// Weak (`__weak`): may stay unresolved.
    pub weak: bool,
    /// What it is.
    pub kind: ExternKind,
    /// An `ld_imm64` of the object takes its address (a kfunc whose
    /// address is taken also needs its BTF id); set by `Object::parse` once
    /// the relocations are collected.
    pub addr_taken: bool,
}

/// Length of `name` without a `___flavor` suffix (libbpf's
/// `bpf_core_essential_name_len`).
pub fn essential_name_len(name: &[u8]) -> usize {
    let n = name.len();
    let mut i = n.saturating_sub(5);
    if n < 5 {
        return n;
    }
    loop {
        if let Some(&[x, b'_', b'_', b'_', y]) = name.get(i..).and_then(|s| s.get(..5)) {
            if x != b'_' && y != b'_' {
                return i.saturating_add(1);
            }
        }
        if i == 0 {
            return n;
        }
        i = i.saturating_sub(1);
    }
}

/// Alignment of a kconfig type (libbpf's `btf__align_of` for the kinds a
/// kconfig extern can have).
fn kcfg_align(btf: &Btf<'_>, id: u32) -> Result<u32, Error> {
    let mut id = id;
    for _ in 0..MAX_RESOLVE_DEPTH {
        let t = btf.type_by_id(id)?;
        match t.kind() {
            BTF_KIND_INT | BTF_KIND_ENUM | BTF_KIND_ENUM64 | BTF_KIND_FLOAT => {
                return Ok(t.size().min(BTF_PTR_SIZE))
            }
            BTF_KIND_PTR => return Ok(BTF_PTR_SIZE),
            BTF_KIND_TYPEDEF | BTF_KIND_VOLATILE | BTF_KIND_CONST | BTF_KIND_RESTRICT
            | BTF_KIND_TYPE_TAG => id = t.type_id(),
            BTF_KIND_ARRAY => id = t.array().map_or(0, |a| a.type_id),
            // Structs and others are not kconfig types anyway.
            _ => return Ok(0),
        }
    }
    Err(Error::at_type(id, BtfError::ResolveTooDeep))
}

/// libbpf's `find_kcfg_type`: `(type, signed)` or `None` if unsupported.
fn kcfg_type(btf: &Btf<'_>, id: u32, depth: u32) -> Result<Option<(KcfgType, bool)>, Error> {
    let (_, t) = btf.skip_mods_and_typedefs(id)?;
    let name = btf.str_at(t.name_off())?;
    Ok(match t.kind() {
        BTF_KIND_INT => {
            let enc = t.int_encoding().unwrap_or(0);
            if enc & BTF_INT_BOOL != 0 {
                return Ok((t.size() == 1).then_some((KcfgType::Bool, false)));
            }
            let signed = enc & BTF_INT_SIGNED != 0;
            match t.size() {
                1 => Some((KcfgType::Char, signed)),
                2 | 4 | 8 => Some((KcfgType::Int, signed)),
                _ => None,
            }
        }
        BTF_KIND_ENUM if t.size() != 4 => None,
        BTF_KIND_ENUM | BTF_KIND_ENUM64 => {
            (name == b"libbpf_tristate").then_some((KcfgType::Tristate, false))
        }
        BTF_KIND_ARRAY => {
            let a = t
                .array()
                .ok_or(Error::new(BtfError::BadTypeId { type_id: id }))?;
            if a.nelems == 0 || depth > 0 {
                return Ok(None);
            }
            match kcfg_type(btf, a.type_id, 1)? {
                Some((KcfgType::Char, _)) => Some((KcfgType::CharArray, false)),
                _ => None,
            }
        }
        _ => None,
    })
}

/// The first `VAR` or `FUNC` called `name` (libbpf's
/// `find_extern_btf_id`), which must have extern linkage.
fn find_extern_btf_id(
    btf: &Btf<'_>,
    index: &NameIndex<'_>,
    name: &[u8],
    symbol: u32,
) -> Result<u32, Error> {
    let id = index
        .first(name)
        .ok_or(Error::at_symbol(symbol, ExternError::NoBtf))?;
    let t = btf.type_by_id(id)?;
    let is_extern = match t.kind() {
        BTF_KIND_VAR => t.var_linkage() == Some(BTF_VAR_GLOBAL_EXTERN),
        _ => t.func_linkage() == Some(BTF_FUNC_EXTERN),
    };
    if !is_extern {
        return Err(Error::at_symbol(
            symbol,
            ExternError::NotExtern { type_id: id },
        ));
    }
    Ok(id)
}

fn kind_rank(k: &ExternKind) -> u8 {
    match k {
        ExternKind::Kconfig { .. } => 1,
        ExternKind::Ksym { .. } => 2,
    }
}

/// Finds every extern of the object, sorted like libbpf, with kconfig
/// offsets assigned. Returns the externs and the `.kconfig` map size.
pub(crate) fn collect<'a>(
    elf: &Elf<'a>,
    btf: Option<&Btf<'a>>,
    tick: &Ticker<'_>,
) -> Result<(KVVec<Extern<'a>>, u32), Error> {
    let mut out: KVVec<Extern<'a>> = KVVec::new();
    // Built on the first extern: objects without externs pay nothing.
    let mut index: Option<(NameIndex<'a>, KVVec<u32>)> = None;
    for sym in elf.symbols() {
        tick.tick()?;
        if !sym.is_extern() || sym.name.is_empty() {
            continue;
        }
        if out.len() >= MAX_EXTERNS {
            return Err(Error::too_many(Cap::Externs));
        }
        let btf = btf.ok_or(Error::at_symbol(sym.index, ExternError::NoBtf))?;
        if index.is_none() {
            let names = NameIndex::new(
                btf,
                |t| matches!(t.kind(), BTF_KIND_VAR | BTF_KIND_FUNC),
                tick,
            )?;
            index = Some((names, datasec_of(btf, tick)?));
        }
        let Some((names, secs)) = index.as_ref() else {
            return Err(Error::at_symbol(sym.index, ExternError::NoBtf));
        };
        let btf_id = find_extern_btf_id(btf, names, sym.name, sym.index)?;
        let t = btf.type_by_id(btf_id)?;
        let sec_btf_id = secs
            .get(to_usize(btf_id))
            .copied()
            .filter(|&s| s != 0)
            .ok_or(Error::at_symbol(sym.index, ExternError::NoDatasec))?;
        let sec_name = btf.name_of(sec_btf_id)?;
        let is_func = t.kind() == BTF_KIND_FUNC;
        let kind = if sec_name == KCONFIG_SEC {
            if is_func {
                return Err(Error::at_symbol(sym.index, ExternError::KconfigFunc));
            }
            let size = btf.resolve_size(t.type_id())?;
            // The .kconfig map value is allocated and zeroed at this size.
            if size > MAX_KCONFIG_SIZE {
                return Err(Error::at_symbol(sym.index, ExternError::KconfigTooBig));
            }
            let align = kcfg_align(btf, t.type_id())?;
            let (typ, signed) = match kcfg_type(btf, t.type_id(), 0)? {
                Some(x) if size > 0 && align > 0 => x,
                _ => return Err(Error::at_symbol(sym.index, ExternError::KconfigType)),
            };
            ExternKind::Kconfig {
                typ,
                size,
                align,
                data_off: 0,
                signed,
            }
        } else if sec_name == KSYMS_SEC {
            let (type_id, _) = btf.skip_mods_and_typedefs(t.type_id())?;
            ExternKind::Ksym {
                type_id,
                func: is_func,
            }
        } else {
            return Err(Error::at_symbol(
                sym.index,
                ExternError::BadSection { sec_btf_id },
            ));
        };
        let name = btf.str_at(t.name_off())?;
        let essential_name = if is_func {
            name.get(..essential_name_len(name)).unwrap_or(name)
        } else {
            name
        };
        out.push(
            Extern {
                name,
                essential_name,
                symbol: sym.index,
                btf_id,
                sec_btf_id,
                weak: sym.bind == STB_WEAK,
                kind,
                addr_taken: false,
            },
            GFP_INPUT,
        )?;
    }
    tick.now()?;
    sort::sort_by(&mut out, |a, b| {
        kind_rank(&a.kind)
            .cmp(&kind_rank(&b.kind))
            .then_with(|| match (a.kind, b.kind) {
                (
                    ExternKind::Kconfig {
                        align: aa,
                        size: sa,
                        ..
                    },
                    ExternKind::Kconfig {
                        align: ab,
                        size: sb,
                        ..
                    },
                ) => ab.cmp(&aa).then(sa.cmp(&sb)),
                _ => core::cmp::Ordering::Equal,
            })
            .then_with(|| a.name.cmp(b.name))
            // Total order (sort is not stable): symbol order among equal names.
            .then(a.symbol.cmp(&b.symbol))
    });
    let mut off: u32 = 0;
    for e in out.iter_mut() {
        if let ExternKind::Kconfig {
            size,
            align,
            ref mut data_off,
            ..
        } = e.kind
        {
            let bad = Error::at_symbol(e.symbol, ExternError::KconfigType);
            let rem = off.checked_rem(align).ok_or(bad)?;
            let start = if rem == 0 {
                off
            } else {
                off.checked_add(align.checked_sub(rem).ok_or(bad)?)
                    .ok_or(bad)?
            };
            *data_off = start;
            off = start
                .checked_add(size)
                .filter(|&end| end <= MAX_KCONFIG_SIZE)
                .ok_or(Error::too_many(Cap::KconfigSize))?;
        }
    }
    Ok((out, off))
}

/// Extern indices sorted by name.
struct ByName {
    idx: KVVec<usize>,
}

impl ByName {
    fn new(externs: &[Extern<'_>], tick: &Ticker<'_>) -> Result<Self, Error> {
        let mut idx = KVVec::with_capacity(externs.len(), GFP_INPUT)?;
        for i in 0..externs.len() {
            idx.push(i, GFP_INPUT)?;
        }
        tick.now()?;
        sort::sort_by_key(&mut idx, |&i| (externs.get(i).map(|e| e.name), i));
        Ok(ByName { idx })
    }

    fn find<'e, 'a>(&self, externs: &'e [Extern<'a>], name: &[u8]) -> Option<&'e Extern<'a>> {
        let i = self
            .idx
            .partition_point(|&i| externs.get(i).map_or(true, |e| e.name < name));
        self.idx
            .get(i)
            .and_then(|&i| externs.get(i))
            .filter(|e| e.name == name)
    }
}

/// The first 32-bit `INT` (libbpf's `find_int_btf_id`), 0 if none.
fn find_int32(btf: &Btf<'_>, tick: &Ticker<'_>) -> Result<u32, Error> {
    for t in btf.types() {
        tick.tick()?;
        if t.kind() == BTF_KIND_INT && t.int_bits() == Some(32) {
            return Ok(t.id());
        }
    }
    Ok(0)
}

/// Rewrites the externs in the BTF copy `buf` (of `btf`), like libbpf's
/// `add_dummy_ksym_var` and the second half of
/// `bpf_object__collect_externs`.
pub(crate) fn fixup_btf(
    buf: &mut BtfBuf,
    btf: &Btf<'_>,
    externs: &[Extern<'_>],
    tick: &Ticker<'_>,
) -> Result<(), Error> {
    let by_name = ByName::new(externs, tick)?;
    // A dummy variable stands for functions in .ksyms: the kernel accepts
    // only VARs in a DATASEC.
    tick.now()?;
    let ksyms = btf.find_by_name_kind(KSYMS_SEC, BTF_KIND_DATASEC);
    tick.now()?;
    let mut dummy: Option<(u32, u32)> = None;
    if let Some(sec) = ksyms {
        let has_func = btf
            .type_by_id(sec)?
            .datasec_vars()
            .any(|v| btf.type_by_id(v.type_id).map(|t| t.kind()) == Ok(BTF_KIND_FUNC));
        if has_func {
            let name_off = buf.add_str(DUMMY_KSYM)?;
            let id = buf.add_var(name_off, find_int32(btf, tick)?, BTF_VAR_GLOBAL_ALLOCATED)?;
            dummy = Some((id, name_off));
        }
    }

    let has_ksym = externs
        .iter()
        .any(|e| matches!(e.kind, ExternKind::Ksym { .. }));
    if let (true, Some(sec)) = (has_ksym, ksyms) {
        let int_id = find_int32(btf, tick)?;
        let t = btf.type_by_id(sec)?;
        let mut off: u32 = 0;
        for (i, vs) in (0u32..).zip(t.datasec_vars()) {
            tick.tick()?;
            let vt = btf.type_by_id(vs.type_id)?;
            let name = btf.str_at(vt.name_off())?;
            if by_name.find(externs, name).is_none() {
                return Err(Error::new(ExternError::NoSymbol {
                    type_id: vs.type_id,
                }));
            }
            if vt.kind() == BTF_KIND_FUNC {
                let (dummy_id, dummy_name) = dummy.ok_or(Error::new(ExternError::NoSymbol {
                    type_id: vs.type_id,
                }))?;
                let proto = btf.type_by_id(vt.type_id())?;
                for (j, p) in (0u32..).zip(proto.params()) {
                    if p.type_id != 0 && p.name_off == 0 {
                        buf.set_param_name(btf, proto.id(), j, dummy_name)?;
                    }
                }
                buf.set_datasec_var(btf, sec, i, Some(dummy_id), Some(off), Some(4))?;
                buf.set_func_linkage(btf, vt.id(), BTF_FUNC_GLOBAL)?;
            } else {
                buf.set_var(btf, vt.id(), Some(int_id), BTF_VAR_GLOBAL_ALLOCATED)?;
                buf.set_datasec_var(btf, sec, i, None, Some(off), Some(4))?;
            }
            off = off.checked_add(4).ok_or(Error::new(ExternError::NoSymbol {
                type_id: vs.type_id,
            }))?;
        }
        buf.set_size(btf, sec, off)?;
    }

    let kcfg_size = externs.iter().fold(0u32, |acc, e| match e.kind {
        ExternKind::Kconfig { data_off, size, .. } => acc.max(data_off.saturating_add(size)),
        ExternKind::Ksym { .. } => acc,
    });
    let kcfg_sec = externs.iter().find_map(|e| match e.kind {
        ExternKind::Kconfig { .. } => Some(e.sec_btf_id),
        ExternKind::Ksym { .. } => None,
    });
    if let Some(sec) = kcfg_sec {
        buf.set_size(btf, sec, kcfg_size)?;
        let t = btf.type_by_id(sec)?;
        for (i, vs) in (0u32..).zip(t.datasec_vars()) {
            tick.tick()?;
            let vt = btf.type_by_id(vs.type_id)?;
            let name = btf.str_at(vt.name_off())?;
            let data_off = match by_name.find(externs, name).map(|e| e.kind) {
                Some(ExternKind::Kconfig { data_off, .. }) if vt.kind() == BTF_KIND_VAR => data_off,
                _ => {
                    return Err(Error::new(ExternError::NoSymbol {
                        type_id: vs.type_id,
                    }))
                }
            };
            buf.set_var(btf, vt.id(), None, BTF_VAR_GLOBAL_ALLOCATED)?;
            buf.set_datasec_var(btf, sec, i, None, Some(data_off), None)?;
        }
    }
    Ok(())
}

/// A kconfig value from the running kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KconfigValue<'e> {
    /// A boolean (`y` or unset).
    Bool(bool),
    /// A tristate: `b'y'`, `b'm'` or `b'n'`.
    Tristate(u8),
    /// A number.
    Int(u64),
    /// A string (without quotes).
    Str(&'e [u8]),
}

/// A kernel BTF object found for a typed ksym.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KsymBtf {
    /// BTF id of the `VAR` (or `FUNC`) in its BTF object.
    pub btf_id: u32,
    /// Which BTF object: 0 for vmlinux, else a slot the glue understands
    /// (written to `insn[1].imm` of the `ld_imm64`).
    pub btf_obj: u32,
}

/// A kernel function found for a kfunc call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KfuncId {
    /// BTF id of the `FUNC`.
    pub btf_id: u32,
    /// `fd_array` slot of its module BTF, 0 for vmlinux (the call's `off`).
    pub btf_fd_slot: i16,
}

/// Why the kernel would not answer a lookup (see [`Env::ksym_addr`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnvError {
    /// The caller may not see kernel addresses (`kptr_restrict`,
    /// `bpf_dump_raw_ok()`): EPERM. Fails weak externs too.
    Denied,
    /// The symbol lives in a module, whose address could go stale while
    /// the loader object lives: EOPNOTSUPP.
    InModule,
    /// A fatal signal: EINTR.
    Interrupted,
}

/// What the loader needs from the running kernel to resolve externs.
///
/// Each lookup returns `None` when the kernel has no such object (or when
/// it is incompatible with the local type: the implementation is expected
/// to check `local_type_id` of the object's BTF against the kernel's, like
/// libbpf's `bpf_core_types_are_compat`). [`resolve`] calls the
/// [`Checkpoint`] between lookups.
pub trait Env: Checkpoint {
    /// The value of a `CONFIG_*` option or a virtual `LINUX_*` extern
    /// (`LINUX_KERNEL_VERSION`, `LINUX_HAS_BPF_COOKIE`,
    /// `LINUX_HAS_SYSCALL_WRAPPER`).
    fn kconfig(&self, name: &[u8]) -> Option<KconfigValue<'_>>;
    /// The kernel BTF object of kind `btf_kind` (`BTF_KIND_VAR` or
    /// `BTF_KIND_FUNC`) called `name`; `local_type_id` is the object's own
    /// type for it (the variable's type or the function's `FUNC_PROTO`).
    fn ksym_btf(&self, name: &[u8], btf_kind: u32, local_type_id: u32) -> Option<KsymBtf>;
    /// The address of the kernel symbol `name` (typeless ksyms), `None` if
    /// there is none.
    fn ksym_addr(&self, name: &[u8]) -> Result<Option<u64>, EnvError>;
    /// The kernel function `name` for a kfunc call; `local_proto_id` is the
    /// object's `FUNC_PROTO` for it.
    fn kfunc(&self, name: &[u8], local_proto_id: u32) -> Option<KfuncId>;
}

/// The value of one extern after [`resolve`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExternValue {
    /// Unresolved weak extern: zero, or a poisoned call.
    Missing,
    /// A kconfig extern, set in [`Resolved::kconfig`].
    Kconfig,
    /// A typed ksym variable.
    Btf(KsymBtf),
    /// A typeless ksym's address.
    Addr(u64),
    /// A kfunc: for calls, and (if the object takes its address) its BTF
    /// object for `ld_imm64`.
    Kfunc {
        /// The call target.
        call: KfuncId,
        /// The `ld_imm64` target, if needed.
        btf: Option<KsymBtf>,
    },
}

/// The externs' values for one kernel.
#[derive(Debug)]
pub struct Resolved {
    /// The initial contents of the `.kconfig` map (empty if none).
    pub kconfig: KVVec<u8>,
    /// One value per [`Object::externs`] entry.
    pub values: KVVec<ExternValue>,
}

fn write_num(out: &mut [u8], size: u32, v: u64) -> bool {
    match size {
        1 => u8::try_from(v).ok().map(|x| {
            out.get_mut(..1)
                .map(|d| d.copy_from_slice(&x.to_ne_bytes()))
        }),
        2 => u16::try_from(v).ok().map(|x| {
            out.get_mut(..2)
                .map(|d| d.copy_from_slice(&x.to_ne_bytes()))
        }),
        4 => u32::try_from(v).ok().map(|x| {
            out.get_mut(..4)
                .map(|d| d.copy_from_slice(&x.to_ne_bytes()))
        }),
        8 => Some(
            out.get_mut(..8)
                .map(|d| d.copy_from_slice(&v.to_ne_bytes())),
        ),
        _ => None,
    }
    .flatten()
    .is_some()
}

/// Whether `v` fits a `size`-byte integer (libbpf's
/// `is_kcfg_value_in_range`); returns the bits to store.
fn kcfg_fit(v: u64, size: u32, signed: bool) -> Option<u64> {
    if size == 8 {
        return Some(v);
    }
    let bits = size.checked_mul(8)?;
    let mask = 1u64.checked_shl(bits)?.wrapping_sub(1);
    if signed {
        let half = 1u64.checked_shl(bits.checked_sub(1)?)?;
        (v.wrapping_add(half) < 1u64.checked_shl(bits)?).then_some(v & mask)
    } else {
        (v >> bits == 0).then_some(v)
    }
}

fn set_kcfg(
    out: &mut [u8],
    ext: u32,
    typ: KcfgType,
    size: u32,
    signed: bool,
    value: KconfigValue<'_>,
) -> Result<(), Error> {
    let bad = Error::at_extern(ext, ExternError::KconfigValue);
    let tristate = |c: u8, out: &mut [u8]| -> Result<(), Error> {
        let ok = match typ {
            KcfgType::Bool if c != b'm' => write_num(out, 1, u64::from(c == b'y')),
            KcfgType::Tristate => {
                let v = match c {
                    b'y' => TRI_YES,
                    b'm' => TRI_MODULE,
                    _ => TRI_NO,
                };
                write_num(out, 4, u64::from(v))
            }
            KcfgType::Char => write_num(out, 1, u64::from(c)),
            _ => false,
        };
        ok.then_some(()).ok_or(bad)
    };
    match value {
        KconfigValue::Bool(b) => tristate(if b { b'y' } else { b'n' }, out),
        KconfigValue::Tristate(c) if matches!(c, b'y' | b'm' | b'n') => tristate(c, out),
        KconfigValue::Tristate(_) => Err(bad),
        KconfigValue::Int(v) => {
            if !matches!(typ, KcfgType::Int | KcfgType::Char | KcfgType::Bool) {
                return Err(bad);
            }
            if typ == KcfgType::Bool && v > 1 {
                return Err(bad);
            }
            let bits = kcfg_fit(v, size, signed).ok_or(bad)?;
            write_num(out, size, bits).then_some(()).ok_or(bad)
        }
        KconfigValue::Str(s) => {
            if typ != KcfgType::CharArray {
                return Err(bad);
            }
            // Truncated to size - 1 bytes plus a NUL, like libbpf.
            let room = usize::try_from(size)
                .map_err(|_| bad)?
                .checked_sub(1)
                .ok_or(bad)?;
            let n = s.len().min(room);
            let dst = out.get_mut(..n.checked_add(1).ok_or(bad)?).ok_or(bad)?;
            let (body, nul) = dst.split_at_mut(n);
            body.copy_from_slice(s.get(..n).ok_or(bad)?);
            nul.fill(0);
            Ok(())
        }
    }
}

/// Resolves `externs` (an object's, see
/// [`crate::bpfobj::plan::resolve_externs`]) against the running kernel
/// `env`.
///
/// Unresolved weak externs get [`ExternValue::Missing`] (zero, or a
/// poisoned call); an unresolved strong extern is an error. The kconfig
/// bytes are computed in the layout of the object's `.kconfig` map, of
/// `kcfg_size` bytes.
pub fn resolve(externs: &[Extern<'_>], kcfg_size: u32, env: &impl Env) -> Result<Resolved, Error> {
    let mut kconfig = KVVec::from_elem(
        0u8,
        usize::try_from(kcfg_size).map_err(|_| Error::NO_MEM)?,
        GFP_INPUT,
    )?;
    let mut values = KVVec::with_capacity(externs.len(), GFP_INPUT)?;
    for (i, e) in (0u32..).zip(externs.iter()) {
        // Each lookup may scan the kernel's BTF or kallsyms.
        env.checkpoint()?;
        let missing = |weak: bool| {
            if weak {
                Ok(ExternValue::Missing)
            } else {
                Err(Error::at_extern(i, ExternError::Unresolved))
            }
        };
        let v = match e.kind {
            ExternKind::Kconfig {
                typ,
                size,
                data_off,
                signed,
                ..
            } => match env.kconfig(e.name) {
                Some(val) => {
                    let start = usize::try_from(data_off)
                        .map_err(|_| Error::at_extern(i, ExternError::KconfigValue))?;
                    let slot = kconfig
                        .get_mut(start..)
                        .ok_or(Error::at_extern(i, ExternError::KconfigValue))?;
                    set_kcfg(slot, i, typ, size, signed, val)?;
                    ExternValue::Kconfig
                }
                None => missing(e.weak)?,
            },
            ExternKind::Ksym {
                type_id: 0,
                func: false,
            } => match env.ksym_addr(e.name) {
                Ok(Some(a)) => ExternValue::Addr(a),
                Ok(None) => missing(e.weak)?,
                Err(EnvError::Denied) => return Err(Error::at_extern(i, ExternError::KsymDenied)),
                Err(EnvError::InModule) => {
                    return Err(Error::at_extern(i, ExternError::KsymInModule))
                }
                Err(EnvError::Interrupted) => return Err(Error::INTERRUPTED),
            },
            ExternKind::Ksym {
                type_id,
                func: false,
            } => match env.ksym_btf(e.name, BTF_KIND_VAR, type_id) {
                Some(b) => ExternValue::Btf(b),
                None => missing(e.weak)?,
            },
            ExternKind::Ksym {
                type_id,
                func: true,
            } => match env.kfunc(e.essential_name, type_id) {
                Some(call) => {
                    let btf = if e.addr_taken {
                        match env.ksym_btf(e.essential_name, BTF_KIND_FUNC, type_id) {
                            Some(b) => Some(b),
                            None if e.weak => None,
                            None => return Err(Error::at_extern(i, ExternError::Unresolved)),
                        }
                    } else {
                        None
                    };
                    ExternValue::Kfunc { call, btf }
                }
                None => missing(e.weak)?,
            },
        };
        values.push(v, GFP_INPUT)?;
    }
    Ok(Resolved { kconfig, values })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn essential_names() {
        assert_eq!(essential_name_len(b"bpf_foo"), 7);
        assert_eq!(essential_name_len(b"bpf_foo___v2"), 7);
        assert_eq!(essential_name_len(b"a___b"), 1);
        assert_eq!(essential_name_len(b"a____b"), 6);
        assert_eq!(essential_name_len(b"abc"), 3);
        assert_eq!(essential_name_len(b"x___b___c"), 5);
        assert_eq!(essential_name_len(b""), 0);
    }

    #[test]
    fn kcfg_values() {
        let mut b = [0xffu8; 8];
        set_kcfg(
            &mut b,
            0,
            KcfgType::Bool,
            1,
            false,
            KconfigValue::Bool(true),
        )
        .unwrap();
        assert_eq!(b[0], 1);
        assert!(set_kcfg(
            &mut b,
            0,
            KcfgType::Bool,
            1,
            false,
            KconfigValue::Tristate(b'm')
        )
        .is_err());
        set_kcfg(
            &mut b,
            0,
            KcfgType::Tristate,
            4,
            false,
            KconfigValue::Tristate(b'm'),
        )
        .unwrap();
        assert_eq!(&b[..4], &TRI_MODULE.to_ne_bytes());
        set_kcfg(
            &mut b,
            0,
            KcfgType::Char,
            1,
            false,
            KconfigValue::Tristate(b'y'),
        )
        .unwrap();
        assert_eq!(b[0], b'y');
        set_kcfg(
            &mut b,
            0,
            KcfgType::Int,
            2,
            false,
            KconfigValue::Int(0x1234),
        )
        .unwrap();
        assert_eq!(&b[..2], &0x1234u16.to_ne_bytes());
        assert!(set_kcfg(
            &mut b,
            0,
            KcfgType::Int,
            2,
            false,
            KconfigValue::Int(0x10000)
        )
        .is_err());
        // -1 as a signed 4-byte int.
        set_kcfg(
            &mut b,
            0,
            KcfgType::Int,
            4,
            true,
            KconfigValue::Int(u64::MAX),
        )
        .unwrap();
        assert_eq!(&b[..4], &(-1i32).to_ne_bytes());
        assert!(set_kcfg(
            &mut b,
            0,
            KcfgType::Int,
            4,
            true,
            KconfigValue::Int(1 << 31)
        )
        .is_err());
        let mut s = [0xffu8; 4];
        set_kcfg(
            &mut s,
            0,
            KcfgType::CharArray,
            4,
            false,
            KconfigValue::Str(b"abcdef"),
        )
        .unwrap();
        assert_eq!(&s, b"abc\0");
        assert!(set_kcfg(&mut s, 0, KcfgType::Int, 4, false, KconfigValue::Str(b"x")).is_err());
    }
}
