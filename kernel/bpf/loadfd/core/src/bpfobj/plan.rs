// SPDX-License-Identifier: GPL-2.0

//! What `BPF_LOAD_FD` makes of a parsed object, decided once for its two
//! users: the kernel executes the plan (creates the maps, fills their slots,
//! hands each program to the verifier), and `bpf-loadfd inspect` prints it.
//! Both therefore give the same verdict, errno and log line for everything
//! the core decides.
//!
//! The order is the kernel's: the object's BTF is loaded first (by the
//! caller: maps are created with its type ids and externs are checked
//! against it), then [`Plan::new`] resolves the externs (the `.kconfig` map's
//! contents are theirs) and checks the maps; programs are relocated one at a
//! time by [`Plan::next_prog`], against the resolved externs, within one
//! byte budget for the whole object; struct_ops maps come last, because
//! creating one gives its programs their attach target.

use core::fmt;

use crate::bpfobj::checkpoint::Checkpoint;
use crate::bpfobj::compat::{KVVec, GFP_INPUT};
use crate::bpfobj::elf;
use crate::bpfobj::error::{Error, Location, MapError};
use crate::bpfobj::externs::{self, Env, Resolved};
use crate::bpfobj::limits::{Cap, MAX_PROG_BYTES};
use crate::bpfobj::maps::{MapDef, MapKind, SlotTarget, LIBBPF_PIN_BY_NAME};
use crate::bpfobj::object::{Object, Program};
use crate::bpfobj::relocate::{Placed, Relocated, Relocator};
use crate::bpfobj::sec_def;
use crate::bpfobj::struct_ops::StructOpsMap;

/// Size of a `struct bpf_func_info` record as [`ProgLoad::func_info`] lays
/// it out.
pub const FUNC_INFO_REC_SIZE: u32 = 8;
/// Size of a `struct bpf_line_info` record.
pub const LINE_INFO_REC_SIZE: u32 = 16;
/// Size of a `struct bpf_core_relo` record.
pub const CORE_RELO_REC_SIZE: u32 = 16;
/// Size of a `struct bpf_insn`.
pub const INSN_REC_SIZE: u32 = 8;

/// Facts about the running kernel's build the plan depends on (not about
/// its symbols or types: those come through [`Env`]).
#[derive(Clone, Copy, Debug)]
pub struct Host {
    /// `PAGE_SIZE` (ring buffer sizes are rounded to it, as libbpf does).
    pub page_size: u32,
    /// The kernel has uprobe-multi links (`CONFIG_UPROBES`): USDT programs
    /// attach through them, as libbpf does where the kernel has them.
    pub uprobe_multi: bool,
}

/// One map of the object, as the kernel creates it (or binds the caller's).
#[derive(Clone, Copy, Debug)]
pub struct MapPlan<'p> {
    /// Its definition.
    pub def: &'p MapDef<'p>,
    /// `max_entries` to create it with.
    pub max_entries: u32,
    /// Key and value type ids in the object's BTF (0 if none).
    pub btf_key_type_id: u32,
    /// See [`MapPlan::btf_key_type_id`].
    pub btf_value_type_id: u32,
    /// The inner map template of a map-in-map, and its `max_entries`.
    pub inner: Option<(&'p MapDef<'p>, u32)>,
    /// The value of key 0 after creation (global data, `.kconfig`).
    pub init: Option<&'p [u8]>,
    /// Frozen after initialisation (`.rodata`, `.kconfig`).
    pub freeze: bool,
    /// `.kconfig`: the running kernel's values, never the caller's map.
    pub kconfig: bool,
    /// `LIBBPF_PIN_BY_NAME`.
    pub pin_by_name: bool,
    /// An arena's `__arena` variables: initial bytes and their size.
    pub arena: Option<(&'p [u8], u32)>,
}

/// A program as `BPF_PROG_LOAD` takes it: the one shape a relocated
/// program has between the core and the verifier.
pub struct ProgLoad<'p> {
    /// Index of the program in [`Object::programs`].
    pub index: usize,
    /// The program (name, section, type, attach target, flags).
    pub prog: &'p Program<'p>,
    /// `expected_attach_type` to load it with.
    pub expected_attach_type: u32,
    /// BTF kind of the attach target, 0 if the target is not a BTF object
    /// (e.g. `kprobe/<func>`).
    pub attach_btf_kind: u32,
    /// `struct bpf_insn` array.
    pub insns: KVVec<u8>,
    /// `struct bpf_func_info` array ([`FUNC_INFO_REC_SIZE`]).
    pub func_info: KVVec<u8>,
    /// `struct bpf_line_info` array ([`LINE_INFO_REC_SIZE`]).
    pub line_info: KVVec<u8>,
    /// `struct bpf_core_relo` array ([`CORE_RELO_REC_SIZE`]).
    pub core_relos: KVVec<u8>,
    /// Where each function of the program landed (the main function
    /// first), for reports.
    pub layout: KVVec<Placed>,
    /// Index in [`Object::functions`] of the exception callback, if any.
    pub exception_cb: Option<usize>,
}

impl ProgLoad<'_> {
    /// Number of instructions.
    pub fn insn_cnt(&self) -> u32 {
        records(&self.insns, INSN_REC_SIZE)
    }

    /// Number of func_info records.
    pub fn func_info_cnt(&self) -> u32 {
        records(&self.func_info, FUNC_INFO_REC_SIZE)
    }

    /// Number of line_info records.
    pub fn line_info_cnt(&self) -> u32 {
        records(&self.line_info, LINE_INFO_REC_SIZE)
    }

    /// Number of CO-RE records.
    pub fn core_relo_cnt(&self) -> u32 {
        records(&self.core_relos, CORE_RELO_REC_SIZE)
    }
}

/// Number of `rec`-byte records in `b` (the budget keeps it far below
/// `u32::MAX`).
pub fn records(b: &[u8], rec: u32) -> u32 {
    let n = usize::try_from(rec)
        .ok()
        .and_then(|r| b.len().checked_div(r))
        .unwrap_or(0);
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// What became of one program.
pub enum ProgOutcome<'p> {
    /// It can be loaded by name.
    Load(ProgLoad<'p>),
    /// It cannot (its own relocation or call does not link): its by-name
    /// load fails with this error. The object is still loaded, as libbpf
    /// loads an object whose unloaded programs do not relocate.
    Refused {
        /// Index of the program in [`Object::programs`].
        index: usize,
        /// Why.
        error: Error,
    },
}

/// Resolves every extern of `obj` against the running kernel `env` (see
/// [`externs::resolve`]).
pub fn resolve_externs(obj: &Object<'_>, env: &impl Env) -> Result<Resolved, Error> {
    let kcfg_size = obj
        .kconfig_map()
        .and_then(|i| obj.maps().get(i))
        .map_or(0, |m| m.value_size);
    externs::resolve(obj.externs(), kcfg_size, env)
}

/// Number of maps the kernel creates or binds for `obj`: its maps, then
/// its struct_ops maps ([`Plan::struct_ops`]). Known before the plan is
/// made, so the kernel can size the loader object first.
pub fn map_count(obj: &Object<'_>) -> usize {
    obj.maps()
        .len()
        .saturating_add(obj.struct_ops().iter().filter(|m| m.autocreate).count())
}

/// The plan for one object; see the module documentation.
pub struct Plan<'o, 'a> {
    obj: &'o Object<'a>,
    host: Host,
    resolved: Resolved,
    relocator: Relocator<'o, 'a>,
    /// What is left of the programs' byte budget.
    left: usize,
    /// The next program [`Plan::next_prog`] relocates.
    next: usize,
}

impl<'o, 'a> Plan<'o, 'a> {
    /// Resolves the externs of `obj` through `env` and checks what the maps
    /// refer to. Call it once the object's BTF is loaded.
    pub fn new(
        obj: &'o Object<'a>,
        env: &impl Env,
        host: Host,
        cp: &dyn Checkpoint,
    ) -> Result<Self, Error> {
        let resolved = resolve_externs(obj, env)?;
        for (i, m) in (0u32..).zip(obj.maps().iter()) {
            cp.checkpoint()?;
            if let Some(j) = m.inner {
                if obj.inner_maps().get(j).is_none() {
                    return Err(Error::at(
                        Location::Map(i),
                        MapError::InnerOutOfRange {
                            inner: u32::try_from(j).unwrap_or(u32::MAX),
                        },
                    ));
                }
            }
        }
        Ok(Plan {
            obj,
            host,
            resolved,
            relocator: Relocator::new(obj)?,
            left: MAX_PROG_BYTES,
            next: 0,
        })
    }

    /// The object.
    pub fn object(&self) -> &'o Object<'a> {
        self.obj
    }

    /// The resolved externs.
    pub fn resolved(&self) -> &Resolved {
        &self.resolved
    }

    /// See [`map_count`].
    pub fn map_count(&self) -> usize {
        map_count(self.obj)
    }

    /// Map `i` of the object (programs refer to maps by this index).
    pub fn map(&self, i: usize) -> Option<MapPlan<'_>> {
        let m = self.obj.maps().get(i)?;
        let page = self.host.page_size;
        let (btf_key_type_id, btf_value_type_id) = m.create_btf_ids();
        let init = match m.kind {
            MapKind::Kconfig => Some(self.resolved.kconfig.as_slice()),
            MapKind::Data | MapKind::Rodata => Some(m.init_data),
            MapKind::Bss | MapKind::Btf => None,
        };
        Some(MapPlan {
            def: m,
            max_entries: m.max_entries_for(page),
            btf_key_type_id,
            btf_value_type_id,
            // Checked by `new()`.
            inner: m
                .inner
                .and_then(|j| self.obj.inner_maps().get(j))
                .map(|d| (d, d.max_entries_for(page))),
            init,
            freeze: matches!(m.kind, MapKind::Rodata | MapKind::Kconfig),
            kconfig: matches!(m.kind, MapKind::Kconfig),
            pin_by_name: m.pinning == LIBBPF_PIN_BY_NAME,
            arena: self
                .obj
                .arena()
                .filter(|a| a.map == i)
                .map(|a| (a.data, a.size)),
        })
    }

    /// The object's maps, in index order.
    pub fn maps(&self) -> impl Iterator<Item = MapPlan<'_>> + '_ {
        (0..self.obj.maps().len()).filter_map(|i| self.map(i))
    }

    /// Initial slots of the maps, as `(map, slot, target)`: a map-in-map
    /// slot holds another map of the object, a prog-array slot a program,
    /// filled when that program is loaded by name.
    pub fn slots(&self) -> impl Iterator<Item = (usize, u32, SlotTarget)> + '_ {
        self.obj
            .maps()
            .iter()
            .enumerate()
            .flat_map(|(i, m)| m.slots.iter().map(move |&(slot, t)| (i, slot, t)))
    }

    /// The struct_ops maps the kernel creates, after the programs
    /// (`SEC("?.struct_ops")` ones are not created, as in libbpf).
    pub fn struct_ops(&self) -> impl Iterator<Item = &'o StructOpsMap<'a>> + 'o {
        self.obj.struct_ops().iter().filter(|m| m.autocreate)
    }

    /// Relocates the next program. `None` once every program has been
    /// relocated; `Some(Err)` for an error that refuses the whole object
    /// (memory, a fatal signal, the object's byte budget).
    pub fn next_prog(&mut self, cp: &dyn Checkpoint) -> Option<Result<ProgOutcome<'o>, Error>> {
        let obj = self.obj;
        let index = self.next;
        let prog = obj.programs().get(index)?;
        self.next = index.saturating_add(1);
        Some(self.prog(index, prog, cp))
    }

    fn prog(
        &mut self,
        index: usize,
        prog: &'o Program<'a>,
        cp: &dyn Checkpoint,
    ) -> Result<ProgOutcome<'o>, Error> {
        // Each program gets its own copy of the subprograms it calls and of
        // their records, so a small hostile object could otherwise make the
        // loader hold a lot: all programs share one byte budget, and the
        // relocator stops a program at what is left of it.
        let r = match self
            .relocator
            .relocate_within(index, &self.resolved, cp, self.left)
        {
            Ok(r) => r,
            Err(e) if e.is_program_local() => return Ok(ProgOutcome::Refused { index, error: e }),
            Err(e) => return Err(e),
        };
        // The relocator charged exactly this against `left`.
        self.left = self
            .left
            .checked_sub(prog_size(&r))
            .ok_or(Error::too_many(Cap::ProgBytes))?;
        Ok(ProgOutcome::Load(ProgLoad {
            index,
            prog,
            expected_attach_type: sec_def::expected_attach_type_for(
                prog.expected_attach_type,
                prog.usdt,
                self.host.uprobe_multi,
            ),
            attach_btf_kind: if prog.attach_btf {
                prog.attach_btf_kind
            } else {
                0
            },
            insns: insn_layout(&r)?,
            func_info: layout(r.func_info.iter().map(|f| [f.insn_off, f.type_id]))?,
            line_info: layout(
                r.line_info
                    .iter()
                    .map(|l| [l.insn_off, l.file_name_off, l.line_off, l.line_col]),
            )?,
            core_relos: layout(
                r.core_relos
                    .iter()
                    .map(|c| [c.insn_off, c.type_id, c.access_str_off, c.kind]),
            )?,
            exception_cb: r.exception_cb,
            layout: r.layout,
        }))
    }
}

/// What `r` takes in the layouts of [`ProgLoad`].
fn prog_size(r: &Relocated) -> usize {
    [
        (r.insns.len(), INSN_REC_SIZE),
        (r.func_info.len(), FUNC_INFO_REC_SIZE),
        (r.line_info.len(), LINE_INFO_REC_SIZE),
        (r.core_relos.len(), CORE_RELO_REC_SIZE),
    ]
    .iter()
    .fold(0usize, |acc, &(n, size)| {
        acc.saturating_add(n.saturating_mul(usize::try_from(size).unwrap_or(usize::MAX)))
    })
}

/// Concatenates fixed-size records of `N` host-endian `u32`s.
fn layout<const N: usize>(recs: impl Iterator<Item = [u32; N]>) -> Result<KVVec<u8>, Error> {
    let mut out = KVVec::new();
    for r in recs {
        for v in r {
            out.extend_from_slice(&v.to_ne_bytes(), GFP_INPUT)?;
        }
    }
    Ok(out)
}

/// Concatenates instructions.
fn insn_layout(r: &Relocated) -> Result<KVVec<u8>, Error> {
    let mut out = KVVec::new();
    for i in r.insns.iter() {
        out.extend_from_slice(&i.to_bytes(), GFP_INPUT)?;
    }
    Ok(out)
}

/// An ELF or BTF name for a log line: printable ASCII as is, the rest
/// escaped.
pub struct Name<'n>(pub &'n [u8]);

impl fmt::Display for Name<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for &c in self.0 {
            if c.is_ascii_graphic() || c == b' ' {
                write!(f, "{}", char::from(c))?;
            } else {
                write!(f, "\\x{c:02x}")?;
            }
        }
        Ok(())
    }
}

/// A core error as the one log line the kernel writes (and `inspect`
/// prints): the error, and the section or extern name when it can be
/// found.
pub struct Reason<'r> {
    /// The error.
    pub error: Error,
    sec: Option<&'r [u8]>,
    ext: Option<&'r [u8]>,
}

impl<'r> Reason<'r> {
    /// The reason for `e`, found in the object file `data` (parsed as `obj`
    /// if it got that far).
    pub fn new(data: &'r [u8], obj: Option<&'r Object<'r>>, e: Error) -> Self {
        let sec = e.section().and_then(|i| elf::section_name_of(data, i));
        let ext = e
            .extern_index()
            .and_then(|i| obj?.externs().get(usize::try_from(i).ok()?))
            .map(|x| x.name);
        Reason { error: e, sec, ext }
    }
}

impl fmt::Display for Reason<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.sec, self.ext) {
            (Some(n), _) => write!(f, "{} (section '{}')", self.error, Name(n)),
            (None, Some(n)) => write!(f, "{} ('{}')", self.error, Name(n)),
            (None, None) => write!(f, "{}", self.error),
        }
    }
}
