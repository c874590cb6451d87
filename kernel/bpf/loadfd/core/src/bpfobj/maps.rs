// SPDX-License-Identifier: GPL-2.0

//! Map definitions: BTF-defined maps in `.maps` (libbpf's
//! `parse_btf_map_def`), global data maps for `.data*`, `.rodata*` and
//! `.bss*` (`bpf_object__init_global_data_maps`), the `.kconfig` map, and
//! the initial slots of map-in-maps and prog-arrays from `.rel.maps`
//! (`bpf_object__collect_map_relos`).

use crate::bpfobj::btf::{
    Btf, BTF_KIND_DATASEC, BTF_KIND_ENUM, BTF_KIND_ENUM64, BTF_KIND_FUNC_PROTO, BTF_KIND_PTR,
    BTF_KIND_STRUCT, BTF_KIND_VAR, BTF_VAR_GLOBAL_ALLOCATED, BTF_VAR_STATIC,
};
use crate::bpfobj::btf_edit::NameIndex;
use crate::bpfobj::bytes::to_usize;
use crate::bpfobj::checkpoint::Ticker;
use crate::bpfobj::compat::{KVVec, GFP_INPUT};
use crate::bpfobj::elf::{Elf, R_BPF_64_ABS64};
use crate::bpfobj::error::{Error, Location, MapError, ObjectError};
use crate::bpfobj::externs::KCONFIG_SEC;
use crate::bpfobj::limits::{Cap, MAX_MAPS, MAX_MAP_NAME_LEN};
use crate::bpfobj::model::{is_identifier_like, SectionKind};
use crate::bpfobj::model::{Function, Program};
use crate::bpfobj::sort;
use crate::bpfobj::uapi::*;

/// The `map_flags` an ELF map definition may carry: `BPF_F_NO_PREALLOC`
/// through `BPF_F_INNER_MAP` (bits 0 to 12), and the arena's
/// `BPF_F_SEGV_ON_FAULT` and `BPF_F_NO_USER_CONV`. Left out: `BPF_F_LINK`
/// (struct_ops maps come from `.struct_ops.link`), `BPF_F_PATH_FD` (not a
/// map flag), `BPF_F_VTYPE_BTF_OBJ_FD` and `BPF_F_TOKEN_FD`
/// (`BPF_MAP_CREATE` would read a file descriptor of the caller's), and any
/// flag newer than 6.12.
pub const MAP_FLAGS_ALLOWED: u32 = ((1 << 13) - 1) | BPF_F_SEGV_ON_FAULT | BPF_F_NO_USER_CONV;
/// `LIBBPF_PIN_NONE`.
pub const LIBBPF_PIN_NONE: u32 = 0;
/// `LIBBPF_PIN_BY_NAME`.
pub const LIBBPF_PIN_BY_NAME: u32 = 1;

/// Where a map comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapKind {
    /// A BTF-defined map in `.maps`.
    Btf,
    /// `.data` or `.data.*`.
    Data,
    /// `.rodata` or `.rodata.*` (read-only for programs, frozen).
    Rodata,
    /// `.bss` or `.bss.*` (zero-initialized).
    Bss,
    /// The `.kconfig` externs (read-only for programs, frozen).
    Kconfig,
}

/// The target of an initial slot of a map-in-map or prog-array.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlotTarget {
    /// A map (index in [`Object::maps`]).
    Map(usize),
    /// A program (index in [`Object::programs`]).
    Prog(usize),
}

/// One map the object needs.
#[derive(Debug)]
pub struct MapDef<'a> {
    /// Name: the variable name for BTF maps, the ELF section name for data
    /// maps (`.data`, `.rodata.str1.1`, ...), `.kconfig`. An inner map
    /// template carries its outer map's name.
    pub name: &'a [u8],
    /// Where it comes from.
    pub kind: MapKind,
    /// ELF section (the symbol table's for `.kconfig`).
    pub section: u32,
    /// Offset of the definition in `.maps` (0 for others).
    pub sec_offset: u32,
    /// Size of the definition variable in `.maps` (0 for others).
    pub def_size: u32,
    /// Byte offset of the `values` member in the definition, if any.
    pub values_off: Option<u32>,
    /// `bpf_map_type`.
    pub map_type: u32,
    /// Key size.
    pub key_size: u32,
    /// Value size.
    pub value_size: u32,
    /// `max_entries` as written (see [`MapDef::max_entries_for`]).
    pub max_entries: u32,
    /// `map_flags` (for data maps: `BPF_F_RDONLY_PROG` and
    /// `BPF_F_MMAPABLE` as libbpf sets them).
    pub map_flags: u32,
    /// `numa_node`.
    pub numa_node: u32,
    /// `map_extra`.
    pub map_extra: u64,
    /// BTF key type (0 if none).
    pub btf_key_type_id: u32,
    /// BTF value type (0 if none; the `DATASEC` for data maps).
    pub btf_value_type_id: u32,
    /// `LIBBPF_PIN_NONE` or `LIBBPF_PIN_BY_NAME`.
    pub pinning: u32,
    /// The inner-map template (index in [`Object::inner_maps`]).
    pub inner: Option<usize>,
    /// Initial contents of data maps (empty for `.bss`, `.kconfig` and BTF
    /// maps).
    pub init_data: &'a [u8],
    /// Initial slots from `.rel.maps`, by slot index.
    pub slots: KVVec<(u32, SlotTarget)>,
}

impl MapDef<'_> {
    /// BTF key and value type ids to create the map with: libbpf drops them
    /// for the map types whose `BPF_MAP_CREATE` rejects BTF (ENOTSUPP):
    /// perf-event, cgroup and stack-trace arrays, map-in-map, dev/cpu/xsk
    /// maps, sockmap/sockhash, queue, stack and arena.
    pub fn create_btf_ids(&self) -> (u32, u32) {
        match self.map_type {
            // PERF_EVENT_ARRAY, STACK_TRACE, CGROUP_ARRAY, ARRAY/HASH_OF_MAPS,
            // DEVMAP, SOCKMAP, CPUMAP, XSKMAP, SOCKHASH, QUEUE, STACK,
            // DEVMAP_HASH, ARENA.
            4 | 7 | 8 | 12 | 13 | 14 | 15 | 16 | 17 | 18 | 22 | 23 | 25 | 33 => (0, 0),
            _ => (self.btf_key_type_id, self.btf_value_type_id),
        }
    }

    /// `max_entries` for `BPF_MAP_CREATE`: ring buffers are rounded up to a
    /// power-of-two multiple of `page_size`, like libbpf.
    pub fn max_entries_for(&self, page_size: u32) -> u32 {
        let sz = self.max_entries;
        if !matches!(
            self.map_type,
            BPF_MAP_TYPE_RINGBUF | BPF_MAP_TYPE_USER_RINGBUF
        ) || sz == 0
            || page_size == 0
        {
            return sz;
        }
        if sz.checked_rem(page_size) == Some(0)
            && sz.checked_div(page_size).is_some_and(u32::is_power_of_two)
        {
            return sz;
        }
        let mut mul: u32 = 1;
        while let Some(total) = mul.checked_mul(page_size) {
            if total > sz {
                return total;
            }
            match mul.checked_mul(2) {
                Some(m) => mul = m,
                None => break,
            }
        }
        sz
    }

    /// Whether programs may not write it (frozen after initialization).
    pub fn is_rdonly(&self) -> bool {
        self.map_flags & BPF_F_RDONLY_PROG != 0
    }
}

/// The attributes of one definition struct.
#[derive(Clone, Copy, Debug, Default)]
struct Spec {
    map_type: u32,
    key_size: u32,
    value_size: u32,
    max_entries: u32,
    map_flags: u32,
    numa_node: u32,
    map_extra: u64,
    key_type_id: u32,
    value_type_id: u32,
    pinning: u32,
    has_inner: bool,
    values_off: Option<u32>,
}

fn is_map_in_map(t: u32) -> bool {
    t == BPF_MAP_TYPE_ARRAY_OF_MAPS || t == BPF_MAP_TYPE_HASH_OF_MAPS
}

/// `__uint(name, N)`: a pointer to an array of `N` elements.
fn field_int(btf: &Btf<'_>, type_id: u32, bad: Error) -> Result<u32, Error> {
    let (_, t) = btf.skip_mods_and_typedefs(type_id)?;
    if t.kind() != BTF_KIND_PTR {
        return Err(bad);
    }
    let a = btf.type_by_id(t.type_id())?.array().ok_or(bad)?;
    Ok(a.nelems)
}

/// `__ulong(name, N)`: an int field, or a one-value enum.
fn field_long(btf: &Btf<'_>, type_id: u32, bad: Error) -> Result<u64, Error> {
    let (_, t) = btf.skip_mods_and_typedefs(type_id)?;
    match t.kind() {
        BTF_KIND_PTR => field_int(btf, type_id, bad).map(u64::from),
        BTF_KIND_ENUM | BTF_KIND_ENUM64 => {
            let mut vals = t.enum_values();
            match (vals.next(), vals.next()) {
                (Some(v), None) => Ok(v.val),
                _ => Err(bad),
            }
        }
        _ => Err(bad),
    }
}

/// Parses a definition struct (libbpf's `parse_btf_map_def`, strict
/// mode). `inner` receives the `values` inner-map definition; `None`
/// when parsing an inner definition itself.
fn parse_def(
    btf: &Btf<'_>,
    def_id: u32,
    map: u32,
    inner: Option<&mut Spec>,
) -> Result<Spec, Error> {
    let is_inner = inner.is_none();
    let mut inner = inner;
    let def = btf.type_by_id(def_id)?;
    let vlen = def.members().count();
    let mut s = Spec::default();
    // Members seen, by position in MEMBERS: clang never emits one twice,
    // so a repeat is malformed (and a definition is at most 11 members).
    let mut seen: u32 = 0;
    for (i, m) in def.members().enumerate() {
        let member = u32::try_from(i).unwrap_or(u32::MAX);
        let bad = Error::at(Location::MapMember { map, member }, MapError::BadDef);
        let conflict = |old: u32, new: u32| old != 0 && old != new;
        let name = btf.str_at(m.name_off)?;
        if let Some(bit) = MEMBERS.iter().position(|&n| n == name) {
            let bit = u32::try_from(bit).ok().and_then(|b| 1u32.checked_shl(b));
            let bit = bit.ok_or(bad)?;
            if seen & bit != 0 {
                return Err(bad);
            }
            seen |= bit;
        }
        match name {
            b"type" => s.map_type = field_int(btf, m.type_id, bad)?,
            b"max_entries" => s.max_entries = field_int(btf, m.type_id, bad)?,
            b"map_flags" => s.map_flags = field_int(btf, m.type_id, bad)?,
            b"numa_node" => s.numa_node = field_int(btf, m.type_id, bad)?,
            b"key_size" | b"value_size" => {
                let sz = field_int(btf, m.type_id, bad)?;
                let slot = if btf.str_at(m.name_off)? == b"key_size" {
                    &mut s.key_size
                } else {
                    &mut s.value_size
                };
                if conflict(*slot, sz) {
                    return Err(bad);
                }
                *slot = sz;
            }
            name @ (b"key" | b"value") => {
                let t = btf.type_by_id(m.type_id)?;
                if t.kind() != BTF_KIND_PTR {
                    return Err(bad);
                }
                let sz = btf.resolve_size(t.type_id())?;
                let (slot, id) = if name == b"key" {
                    (&mut s.key_size, &mut s.key_type_id)
                } else {
                    (&mut s.value_size, &mut s.value_type_id)
                };
                if conflict(*slot, sz) {
                    return Err(bad);
                }
                *slot = sz;
                *id = t.type_id();
            }
            b"values" => {
                let in_map = is_map_in_map(s.map_type);
                let prog_array = s.map_type == BPF_MAP_TYPE_PROG_ARRAY;
                if is_inner || !(in_map || prog_array) {
                    return Err(Error::at(
                        Location::MapMember { map, member },
                        MapError::Unsupported,
                    ));
                }
                if i.checked_add(1) != Some(vlen) || conflict(s.value_size, 4) {
                    return Err(bad);
                }
                s.value_size = 4;
                let arr = btf.type_by_id(m.type_id)?.array().ok_or(bad)?;
                if arr.nelems != 0 {
                    return Err(bad);
                }
                let (_, ptr) = btf.skip_mods_and_typedefs(arr.type_id)?;
                if ptr.kind() != BTF_KIND_PTR {
                    return Err(bad);
                }
                let (target_id, target) = btf.skip_mods_and_typedefs(ptr.type_id())?;
                s.values_off = Some(m.bit_offset / 8);
                if prog_array {
                    if target.kind() != BTF_KIND_FUNC_PROTO {
                        return Err(bad);
                    }
                    continue;
                }
                if target.kind() != BTF_KIND_STRUCT {
                    return Err(bad);
                }
                let spec = parse_def(btf, target_id, map, None)?;
                if let Some(dst) = inner.as_deref_mut() {
                    *dst = spec;
                }
                s.has_inner = true;
            }
            b"pinning" => {
                if is_inner {
                    return Err(bad);
                }
                let v = field_int(btf, m.type_id, bad)?;
                if v != LIBBPF_PIN_NONE && v != LIBBPF_PIN_BY_NAME {
                    return Err(bad);
                }
                s.pinning = v;
            }
            b"map_extra" => s.map_extra = field_long(btf, m.type_id, bad)?,
            _ => {
                return Err(Error::at(
                    Location::MapMember { map, member },
                    MapError::Unsupported,
                ))
            }
        }
    }
    if s.map_type == 0 {
        return Err(Error::at(Location::Map(map), MapError::NoType));
    }
    if s.map_flags & !MAP_FLAGS_ALLOWED != 0 {
        return Err(Error::at(
            Location::Map(map),
            MapError::BadFlags { flags: s.map_flags },
        ));
    }
    Ok(s)
}

/// The members a map definition may have.
const MEMBERS: [&[u8]; 11] = [
    b"type",
    b"max_entries",
    b"map_flags",
    b"numa_node",
    b"key_size",
    b"value_size",
    b"key",
    b"value",
    b"values",
    b"pinning",
    b"map_extra",
];

fn def_from_spec<'a>(name: &'a [u8], section: u32, s: &Spec) -> MapDef<'a> {
    MapDef {
        name,
        kind: MapKind::Btf,
        section,
        sec_offset: 0,
        def_size: 0,
        values_off: s.values_off,
        map_type: s.map_type,
        key_size: s.key_size,
        value_size: s.value_size,
        max_entries: s.max_entries,
        map_flags: s.map_flags,
        numa_node: s.numa_node,
        map_extra: s.map_extra,
        btf_key_type_id: s.key_type_id,
        btf_value_type_id: s.value_type_id,
        pinning: s.pinning,
        inner: None,
        init_data: &[],
        slots: KVVec::new(),
    }
}

/// Whether a data map is mmapable: its `DATASEC` has a non-static `VAR`.
fn mmapable(btf: &Btf<'_>, id: u32) -> bool {
    let Ok(t) = btf.type_by_id(id) else {
        return false;
    };
    if id == 0 || t.kind() != BTF_KIND_DATASEC {
        return false;
    }
    let found = t.datasec_vars().any(|v| {
        btf.type_by_id(v.type_id)
            .ok()
            .and_then(|vt| vt.var_linkage())
            .is_some_and(|l| l != BTF_VAR_STATIC)
    });
    found
}

/// Collected maps: (maps, inner map templates, index of `.kconfig`).
pub(crate) type Maps<'a> = (KVVec<MapDef<'a>>, KVVec<MapDef<'a>>, Option<usize>);

/// Collects the maps. `orig` is the file's BTF (names and definitions),
/// `fixed` the fixed-up copy (`.maps` offsets, linkage).
pub(crate) fn collect<'a>(
    elf: &Elf<'a>,
    sections: &[SectionKind],
    orig: Option<&Btf<'a>>,
    fixed: Option<&Btf<'_>>,
    maps_sec: Option<u32>,
    kcfg_size: u32,
    tick: &Ticker<'_>,
) -> Result<Maps<'a>, Error> {
    let too_many = Error::too_many(Cap::Maps);
    let mut maps: KVVec<MapDef<'a>> = KVVec::new();
    let mut inner_maps: KVVec<MapDef<'a>> = KVVec::new();

    if let Some(sec) = maps_sec {
        let (Some(orig), Some(fixed)) = (orig, fixed) else {
            return Err(Error::at_section(sec, ObjectError::BtfRequired));
        };
        let s = elf.section(sec)?;
        let ds = fixed
            .find_by_name_kind(b".maps", BTF_KIND_DATASEC)
            .ok_or(Error::at_section(sec, MapError::NoDatasec))?;
        // Entries are sorted by offset (BTF fixup); definitions must not
        // overlap (the kernel's DATASEC check would reject them too).
        let mut prev_end: u64 = 0;
        for (i, vs) in (0u32..).zip(fixed.type_by_id(ds)?.datasec_vars()) {
            tick.tick()?;
            if maps.len() >= MAX_MAPS {
                return Err(too_many);
            }
            let var = orig.type_by_id(vs.type_id)?;
            let name = orig.str_at(var.name_off())?;
            let end = u64::from(vs.offset).checked_add(u64::from(vs.size));
            if name.is_empty()
                || end.map_or(true, |e| e > s.size)
                || u64::from(vs.offset) < prev_end
                || var.kind() != BTF_KIND_VAR
            {
                return Err(Error::at(Location::Map(i), MapError::BadVar));
            }
            prev_end = end.unwrap_or(u64::MAX);
            let linkage = fixed.type_by_id(vs.type_id)?.var_linkage();
            if linkage != Some(BTF_VAR_GLOBAL_ALLOCATED) {
                return Err(Error::at(Location::Map(i), MapError::BadLinkage));
            }
            let (def_id, def) = orig.skip_mods_and_typedefs(var.type_id())?;
            if def.kind() != BTF_KIND_STRUCT || def.size() > vs.size {
                return Err(Error::at(Location::Map(i), MapError::BadVar));
            }
            let mut inner = Spec::default();
            let spec = parse_def(orig, def_id, i, Some(&mut inner))?;
            let mut m = def_from_spec(name, sec, &spec);
            m.sec_offset = vs.offset;
            m.def_size = vs.size;
            if spec.has_inner {
                m.inner = Some(inner_maps.len());
                inner_maps.push(def_from_spec(name, sec, &inner), GFP_INPUT)?;
            }
            maps.push(m, GFP_INPUT)?;
        }
    }

    // Only names starting with '.' can match: data section names and
    // .kconfig (libbpf looks them up among all types; only DATASECs and
    // tags can have such names).
    let names = match fixed {
        Some(b) => {
            let strs = b.strings();
            let dotted =
                |t: &crate::bpfobj::btf::Type<'_>| strs.get(to_usize(t.name_off())) == Some(&b'.');
            Some(NameIndex::new(b, dotted, tick)?)
        }
        None => None,
    };
    let find_by_name = |name: &[u8]| names.as_ref().and_then(|n| n.first(name)).unwrap_or(0);
    for s in elf.sections() {
        tick.tick()?;
        let kind = match sections.get(to_usize(s.index)) {
            Some(SectionKind::Data) => MapKind::Data,
            Some(SectionKind::Rodata) => MapKind::Rodata,
            Some(SectionKind::Bss) => MapKind::Bss,
            _ => continue,
        };
        if s.size == 0 {
            continue;
        }
        if maps.len() >= MAX_MAPS {
            return Err(too_many);
        }
        let value_size =
            u32::try_from(s.size).map_err(|_| Error::at_section(s.index, MapError::BadData))?;
        let btf_value_type_id = find_by_name(s.name);
        let mut map_flags = if kind == MapKind::Rodata {
            BPF_F_RDONLY_PROG
        } else {
            0
        };
        if fixed.is_some_and(|b| mmapable(b, btf_value_type_id)) {
            map_flags |= BPF_F_MMAPABLE;
        }
        maps.push(
            MapDef {
                name: s.name,
                kind,
                section: s.index,
                sec_offset: 0,
                def_size: 0,
                values_off: None,
                map_type: BPF_MAP_TYPE_ARRAY,
                key_size: 4,
                value_size,
                max_entries: 1,
                map_flags,
                numa_node: 0,
                map_extra: 0,
                btf_key_type_id: 0,
                btf_value_type_id,
                pinning: LIBBPF_PIN_NONE,
                inner: None,
                init_data: if kind == MapKind::Bss { &[] } else { s.data },
                slots: KVVec::new(),
            },
            GFP_INPUT,
        )?;
    }

    let mut kconfig = None;
    if kcfg_size > 0 {
        if maps.len() >= MAX_MAPS {
            return Err(too_many);
        }
        let btf_value_type_id = find_by_name(KCONFIG_SEC);
        let mut map_flags = BPF_F_RDONLY_PROG;
        if fixed.is_some_and(|b| mmapable(b, btf_value_type_id)) {
            map_flags |= BPF_F_MMAPABLE;
        }
        kconfig = Some(maps.len());
        maps.push(
            MapDef {
                name: KCONFIG_SEC,
                kind: MapKind::Kconfig,
                section: elf.symtab_index(),
                sec_offset: 0,
                def_size: 0,
                values_off: None,
                map_type: BPF_MAP_TYPE_ARRAY,
                key_size: 4,
                value_size: kcfg_size,
                max_entries: 1,
                map_flags,
                numa_node: 0,
                map_extra: 0,
                btf_key_type_id: 0,
                btf_value_type_id,
                pinning: LIBBPF_PIN_NONE,
                inner: None,
                init_data: &[],
                slots: KVVec::new(),
            },
            GFP_INPUT,
        )?;
    }
    Ok((maps, inner_maps, kconfig))
}

/// Checks the map names: identifier-like, at most [`MAX_MAP_NAME_LEN`]
/// bytes (callers name maps in `struct bpf_loadfd_map`), unique (each names
/// a sysfs directory). Returns the map indices sorted by name.
pub(crate) fn check_names(maps: &[MapDef<'_>]) -> Result<KVVec<usize>, Error> {
    let entry = |m: &MapDef<'_>, i: usize| match m.kind {
        MapKind::Btf => u32::try_from(i).unwrap_or(u32::MAX),
        _ => 0,
    };
    let mut order = KVVec::with_capacity(maps.len(), GFP_INPUT)?;
    for (i, m) in maps.iter().enumerate() {
        let (section, entry) = (m.section, entry(m, i));
        if m.name.len() > MAX_MAP_NAME_LEN {
            return Err(Error::at(
                Location::MapEntry { section, entry },
                MapError::NameTooLong,
            ));
        }
        if !is_identifier_like(m.name) {
            return Err(Error::at(
                Location::MapEntry { section, entry },
                MapError::BadName,
            ));
        }
        order.push(i, GFP_INPUT)?;
    }
    sort::sort_by_key(&mut order, |&i| (maps.get(i).map(|m| m.name), i));
    for pair in order.windows(2) {
        if let [a, b] = pair {
            if let (Some(ma), Some(mb)) = (maps.get(*a), maps.get(*b)) {
                if ma.name == mb.name {
                    return Err(Error::at(
                        Location::MapEntry {
                            section: mb.section,
                            entry: entry(mb, *b),
                        },
                        MapError::DuplicateName,
                    ));
                }
            }
        }
    }
    Ok(order)
}

/// What collecting the maps' initial slots needs of the object being parsed
/// (`Object` implements it; this module stays below the object).
pub(crate) trait SlotInput<'a> {
    /// The ELF file.
    fn elf(&self) -> &Elf<'a>;
    /// What each section is.
    fn section_kinds(&self) -> &[SectionKind];
    /// The `.maps` section, if any.
    fn maps_section(&self) -> Option<u32>;
    /// The BTF-defined map whose definition covers `len` bytes at `offset`.
    fn btf_map_containing(&self, offset: u64, len: u64) -> Option<usize>;
    /// The BTF-defined map at `offset` of `.maps`.
    fn btf_map_at(&self, offset: u64) -> Option<usize>;
    /// The maps.
    fn maps(&self) -> &[MapDef<'a>];
    /// The program called `name`.
    fn program_by_name(&self, name: &[u8]) -> Option<usize>;
    /// The programs.
    fn programs(&self) -> &[Program<'a>];
    /// The functions.
    fn functions(&self) -> &[Function<'a>];
}

/// Records the initial slots from `.rel.maps` (libbpf's
/// `bpf_object__collect_map_relos`).
pub(crate) fn collect_slots<'a>(
    obj: &impl SlotInput<'a>,
    tick: &Ticker<'_>,
) -> Result<KVVec<(usize, u32, SlotTarget, u32)>, Error> {
    let elf = obj.elf();
    let Some(rel_sec) = elf
        .sections()
        .find(|s| obj.section_kinds().get(to_usize(s.index)) == Some(&SectionKind::MapsRel))
    else {
        return Ok(KVVec::new());
    };
    let maps_sec = obj
        .maps_section()
        .ok_or(Error::at_section(rel_sec.index, MapError::RelNoMaps))?;
    if rel_sec.info != maps_sec {
        return Err(Error::at_section(rel_sec.index, MapError::RelNoMaps));
    }
    // (map, slot, target, rel): sorted once, then checked for repeats.
    let mut found: KVVec<(usize, u32, SlotTarget, u32)> = KVVec::new();
    for (ri, rel) in (0u32..).zip(elf.rels(&rel_sec)?) {
        tick.tick()?;
        let rel = rel?;
        let bad = Error::new(MapError::RelBad { rel: ri });
        if rel.typ != R_BPF_64_ABS64 {
            return Err(bad);
        }
        let sym = elf.symbol(rel.sym)?;
        let off = u32::try_from(rel.offset).map_err(|_| bad)?;
        let mi = obj.btf_map_containing(rel.offset, 8).ok_or(bad)?;
        let map = obj.maps().get(mi).ok_or(bad)?;
        let target = if is_map_in_map(map.map_type) {
            if u32::from(sym.shndx) != maps_sec {
                return Err(bad);
            }
            if map.map_type == BPF_MAP_TYPE_HASH_OF_MAPS && map.key_size != 4 {
                return Err(bad);
            }
            let t = obj
                .btf_map_at(sym.value)
                .filter(|&t| obj.maps().get(t).is_some_and(|m| m.name == sym.name))
                .ok_or(bad)?;
            SlotTarget::Map(t)
        } else if map.map_type == BPF_MAP_TYPE_PROG_ARRAY {
            let p = obj.program_by_name(sym.name).ok_or(bad)?;
            let prog = obj.programs().get(p).ok_or(bad)?;
            let f = obj.functions().get(prog.func).ok_or(bad)?;
            if prog.sec_idx != u32::from(sym.shndx)
                || u64::from(f.insn_off).checked_mul(8) != Some(sym.value)
            {
                return Err(bad);
            }
            SlotTarget::Prog(p)
        } else {
            return Err(bad);
        };
        let values_off = map.values_off.ok_or(bad)?;
        let moff = off
            .checked_sub(map.sec_offset)
            .and_then(|o| o.checked_sub(values_off))
            .ok_or(bad)?;
        if moff % 8 != 0 {
            return Err(bad);
        }
        let slot = moff / 8;
        if slot >= map.max_entries {
            return Err(bad);
        }
        found.push((mi, slot, target, ri), GFP_INPUT)?;
    }
    tick.now()?;
    sort::sort_by_key(&mut found, |e| (e.0, e.1, e.3));
    for pair in found.windows(2) {
        if let [a, b] = pair {
            if (a.0, a.1) == (b.0, b.1) {
                return Err(Error::new(MapError::RelBad { rel: b.3 }));
            }
        }
    }
    Ok(found)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
mod tests {
    use super::*;

    fn m(map_type: u32, max_entries: u32) -> MapDef<'static> {
        MapDef {
            max_entries,
            map_type,
            ..def_from_spec(b"x", 0, &Spec::default())
        }
    }

    #[test]
    fn ringbuf_rounding() {
        assert_eq!(m(BPF_MAP_TYPE_RINGBUF, 4096).max_entries_for(4096), 4096);
        assert_eq!(
            m(BPF_MAP_TYPE_RINGBUF, 3 * 4096).max_entries_for(4096),
            4 * 4096
        );
        assert_eq!(m(BPF_MAP_TYPE_RINGBUF, 100).max_entries_for(4096), 4096);
        assert_eq!(
            m(BPF_MAP_TYPE_USER_RINGBUF, 8192).max_entries_for(4096),
            8192
        );
        assert_eq!(m(BPF_MAP_TYPE_RINGBUF, 0).max_entries_for(4096), 0);
        assert_eq!(m(BPF_MAP_TYPE_ARRAY, 100).max_entries_for(4096), 100);
        assert_eq!(
            m(BPF_MAP_TYPE_RINGBUF, u32::MAX).max_entries_for(4096),
            u32::MAX
        );
    }

    #[test]
    fn btf_ids_dropped_where_map_create_rejects_them() {
        let with_btf = |t| MapDef {
            btf_key_type_id: 3,
            btf_value_type_id: 4,
            ..m(t, 1)
        };
        assert_eq!(with_btf(BPF_MAP_TYPE_ARRAY).create_btf_ids(), (3, 4));
        assert_eq!(with_btf(BPF_MAP_TYPE_RINGBUF).create_btf_ids(), (3, 4));
        for t in [4, 7, 8, 12, 13, 14, 15, 16, 17, 18, 22, 23, 25, 33] {
            assert_eq!(with_btf(t).create_btf_ids(), (0, 0), "map type {t}");
        }
    }
}
