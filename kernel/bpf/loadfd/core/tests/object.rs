// SPDX-License-Identifier: GPL-2.0

//! The object model and linking on real clang-built objects: concrete facts
//! about programs, maps, data, externs, relocations, subprogram layout and
//! func_info, plus rejections of corrupted objects.

mod common;
mod envs;

use bpfobj::struct_ops;
use std::collections::HashMap;

use bpfobj::btf::{
    Btf, BTF_FUNC_EXTERN, BTF_FUNC_GLOBAL, BTF_FUNC_STATIC, BTF_KIND_DATASEC, BTF_KIND_FUNC,
    BTF_KIND_VAR, BTF_VAR_GLOBAL_ALLOCATED, BTF_VAR_GLOBAL_EXTERN, BTF_VAR_STATIC,
};
use bpfobj::checkpoint::{Checkpoint, NoCheckpoint};
use bpfobj::elf::Elf;
use bpfobj::error::{
    BtfExtError, ElfError, Error, ErrorClass, ErrorKind, ExternError, LinkError, MapError,
    ObjectError, ProgError, RelocError, StructOpsError,
};
use bpfobj::externs::{
    self, Env, EnvError, ExternKind, ExternValue, KcfgType, KconfigValue, KfuncId, KsymBtf,
    POISON_CALL_KFUNC_BASE,
};
use bpfobj::insn::{
    Insn, BPF_PSEUDO_BTF_ID, BPF_PSEUDO_CALL, BPF_PSEUDO_FUNC, BPF_PSEUDO_KFUNC_CALL,
    BPF_PSEUDO_MAP_IDX, BPF_PSEUDO_MAP_IDX_VALUE,
};
use bpfobj::maps::{MapKind, SlotTarget, LIBBPF_PIN_BY_NAME, LIBBPF_PIN_NONE};

use bpfobj::object::Object;
use bpfobj::reloc::RelocKind;
use bpfobj::relocate::{self, Relocated};
use bpfobj::uapi::{
    BPF_F_MMAPABLE, BPF_F_RDONLY_PROG, BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_ARRAY_OF_MAPS,
    BPF_MAP_TYPE_HASH_OF_MAPS, BPF_MAP_TYPE_PROG_ARRAY,
};
use bpfobj::uapi::{
    BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_PROG_TYPE_SCHED_CLS, BPF_PROG_TYPE_TRACEPOINT,
    BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY,
};
use envs::YesEnv;

/// An `Env` with explicit answers; everything else is absent.
#[derive(Default)]
struct TestEnv {
    kconfig: HashMap<&'static [u8], KconfigValue<'static>>,
    btf: HashMap<&'static [u8], KsymBtf>,
    addr: HashMap<&'static [u8], u64>,
    kfuncs: HashMap<&'static [u8], KfuncId>,
}

impl Checkpoint for TestEnv {
    fn checkpoint(&self) -> Result<(), Error> {
        Ok(())
    }
}

impl Env for TestEnv {
    fn kconfig(&self, name: &[u8]) -> Option<KconfigValue<'_>> {
        self.kconfig.get(name).copied()
    }
    fn ksym_btf(&self, name: &[u8], _kind: u32, _local: u32) -> Option<KsymBtf> {
        self.btf.get(name).copied()
    }
    fn ksym_addr(&self, name: &[u8]) -> Result<Option<u64>, EnvError> {
        Ok(self.addr.get(name).copied())
    }
    fn kfunc(&self, name: &[u8], _local: u32) -> Option<KfuncId> {
        self.kfuncs.get(name).copied()
    }
}

/// An `Env` resolving every ksym and kfunc of `obj` (BTF id 1, vmlinux).
fn env_all(obj: &Object<'_>) -> TestEnv {
    let mut env = TestEnv::default();
    for e in obj.externs() {
        let n: &'static [u8] = Box::leak(e.essential_name.to_vec().into_boxed_slice());
        env.kfuncs.insert(
            n,
            KfuncId {
                btf_id: 1,
                btf_fd_slot: 0,
            },
        );
        env.btf.insert(
            n,
            KsymBtf {
                btf_id: 1,
                btf_obj: 0,
            },
        );
    }
    env
}

fn parse(data: &[u8]) -> Object<'_> {
    Object::parse(data, &NoCheckpoint).unwrap_or_else(|e| panic!("parse: {e}"))
}

fn no_externs(obj: &Object<'_>) -> externs::Resolved {
    bpfobj::plan::resolve_externs(obj, &TestEnv::default()).expect("resolve")
}

fn link_named(obj: &Object<'_>, name: &str, res: &externs::Resolved) -> Relocated {
    let p = obj.program_by_name(name.as_bytes()).expect("program");
    relocate::relocate(obj, p, res, &NoCheckpoint).unwrap_or_else(|e| panic!("link {name}: {e}"))
}

fn sym_value(obj: &Object<'_>, name: &str) -> u64 {
    obj.elf()
        .symbols()
        .find(|s| s.name == name.as_bytes())
        .expect("symbol")
        .value
}

fn name_of(obj: &Object<'_>, func: usize) -> String {
    String::from_utf8_lossy(obj.functions()[func].name).into_owned()
}

/// `(map name, value offset)` of every `BPF_PSEUDO_MAP_IDX_VALUE` load.
fn data_refs(obj: &Object<'_>, l: &Relocated) -> Vec<(String, i32)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < l.insns.len() {
        let insn = l.insns[i];
        if insn.is_ldimm64() {
            if insn.src() == BPF_PSEUDO_MAP_IDX_VALUE {
                let m = &obj.maps()[insn.imm as usize];
                out.push((
                    String::from_utf8_lossy(m.name).into_owned(),
                    l.insns[i + 1].imm,
                ));
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    out
}

fn layout_names(obj: &Object<'_>, l: &Relocated) -> Vec<(String, u32)> {
    l.layout
        .iter()
        .map(|p| (name_of(obj, p.func), p.insn_off))
        .collect()
}

/// Every call / callback reference in `l` lands on a placed function start.
fn check_targets(l: &Relocated) {
    let starts: Vec<i64> = l.layout.iter().map(|p| i64::from(p.insn_off)).collect();
    for (pc, insn) in l.insns.iter().enumerate() {
        let is_ref = insn.is_pseudo_call() || (insn.is_ldimm64() && insn.src() == BPF_PSEUDO_FUNC);
        if is_ref {
            let t = pc as i64 + i64::from(insn.imm) + 1;
            assert!(
                starts.contains(&t),
                "insn {pc} targets {t}, not a function start"
            );
        }
    }
}

fn fixed_btf<'a>(obj: &'a Object<'_>) -> Btf<'a> {
    Btf::parse(obj.btf().expect("btf")).expect("fixed BTF parses")
}

/// The fixed BTF has nothing the kernel's BTF verifier rejects for
/// linkage: no extern VAR or FUNC, DATASECs with a size.
fn check_kernel_linkage(btf: &Btf<'_>) {
    for t in btf.types() {
        match t.kind() {
            BTF_KIND_VAR => {
                assert_ne!(t.var_linkage(), Some(BTF_VAR_GLOBAL_EXTERN), "[{}]", t.id())
            }
            BTF_KIND_FUNC => assert_ne!(t.func_linkage(), Some(BTF_FUNC_EXTERN), "[{}]", t.id()),
            BTF_KIND_DATASEC => {
                assert!(t.size() > 0, "DATASEC [{}] size 0", t.id());
                let mut end = 0;
                for v in t.datasec_vars() {
                    assert!(
                        v.offset >= end,
                        "DATASEC [{}] unsorted or overlapping",
                        t.id()
                    );
                    end = v.offset + v.size;
                    assert!(end <= t.size());
                    assert_eq!(btf.type_by_id(v.type_id).unwrap().kind(), BTF_KIND_VAR);
                }
            }
            _ => {}
        }
    }
}

#[test]
fn global_data_offsets_upstream() {
    let data = common::upstream("test_global_data");
    let obj = parse(&data);
    assert_eq!(obj.license(), b"GPL");
    let p = &obj.programs()[0];
    assert_eq!((p.name, p.section), (&b"load_static_data"[..], &b"tc"[..]));
    assert_eq!(p.prog_type, BPF_PROG_TYPE_SCHED_CLS);
    assert_eq!(p.insn_cnt, 222);

    let names: Vec<&[u8]> = obj.maps().iter().map(|m| m.name).collect();
    assert_eq!(
        names,
        [
            &b"result_number"[..],
            b"result_string",
            b"result_struct",
            b".rodata",
            b".bss",
            b".data",
            b".rodata.str1.1"
        ]
    );
    let m = &obj.maps()[0];
    assert_eq!(
        (m.map_type, m.key_size, m.value_size, m.max_entries),
        (BPF_MAP_TYPE_ARRAY, 4, 8, 11)
    );
    assert_eq!(
        (obj.maps()[1].value_size, obj.maps()[1].max_entries),
        (32, 5)
    );
    assert_eq!(
        (obj.maps()[2].value_size, obj.maps()[2].max_entries),
        (16, 5)
    );
    // Data maps: array of one value, the section's bytes.
    let ro = &obj.maps()[3];
    assert_eq!(ro.kind, MapKind::Rodata);
    assert_eq!((ro.key_size, ro.value_size, ro.max_entries), (4, 96, 1));
    // All .rodata variables are static: read-only, not mmapable.
    assert_eq!(ro.map_flags, BPF_F_RDONLY_PROG);
    // num2 = 24 at offset 8 (load_static_data.bar is -1 at 0).
    assert_eq!(&ro.init_data[..8], &u64::MAX.to_ne_bytes());
    assert_eq!(&ro.init_data[8..16], &24u64.to_ne_bytes());
    let dat = &obj.maps()[5];
    assert_eq!(&dat.init_data[..8], &42u64.to_ne_bytes()); // num1
    assert!(obj.maps()[4].init_data.is_empty()); // .bss
    assert_eq!(obj.maps()[6].init_data, b"hello\0");

    let l = link_named(&obj, "load_static_data", &no_externs(&obj));
    let refs = data_refs(&obj, &l);
    // The RFC bug: dropping the symbol offset turns every one of these
    // into offset 0.
    for (map, off) in [
        (".rodata", 8),
        (".rodata", 16),
        (".bss", 8),
        (".data", 8),
        (".rodata", 32),
    ] {
        assert!(
            refs.contains(&(map.to_string(), off)),
            "missing {map}+{off} in {refs:?}"
        );
    }
    // BTF maps referenced as MAP_IDX with their index.
    let map_idx: Vec<i32> = l
        .insns
        .iter()
        .filter(|i| i.is_ldimm64() && i.src() == BPF_PSEUDO_MAP_IDX)
        .map(|i| i.imm)
        .collect();
    assert!(map_idx.contains(&0) && map_idx.contains(&1) && map_idx.contains(&2));

    // BTF: DATASEC sizes from the ELF, result maps at their symbol offsets.
    let btf = fixed_btf(&obj);
    check_kernel_linkage(&btf);
    let maps_ds = btf.find_by_name_kind(b".maps", BTF_KIND_DATASEC).unwrap();
    let t = btf.type_by_id(maps_ds).unwrap();
    assert_eq!(t.size(), 0x60);
    let offs: Vec<u32> = t.datasec_vars().map(|v| v.offset).collect();
    assert_eq!(offs, [0, 32, 64]);
    let ro_ds = btf.find_by_name_kind(b".rodata", BTF_KIND_DATASEC).unwrap();
    assert_eq!(btf.type_by_id(ro_ds).unwrap().size(), 96);
    assert_eq!(obj.maps()[3].btf_value_type_id, ro_ds);
}

#[test]
fn global_data_ours() {
    let data = common::ours("loadfd_globals");
    let obj = parse(&data);
    let by_name = |n: &str| &obj.maps()[obj.map_by_name(n.as_bytes()).expect(n)];
    let d = by_name(".data");
    assert_eq!(d.kind, MapKind::Data);
    assert_eq!(d.map_flags, BPF_F_MMAPABLE);
    assert_eq!(&d.init_data[8..16], &0x1122334455667788u64.to_ne_bytes());
    let r = by_name(".rodata");
    assert_eq!(r.map_flags, BPF_F_RDONLY_PROG | BPF_F_MMAPABLE);
    assert_eq!(
        r.init_data,
        [3u32.to_ne_bytes(), 42u32.to_ne_bytes()].concat()
    );
    assert_eq!(by_name(".bss").value_size, 16);
    assert_eq!(by_name(".data.custom").map_flags, BPF_F_MMAPABLE);
    // Only a hidden (static in BTF) variable: not mmapable.
    assert_eq!(by_name(".data.hidden").map_flags, 0);

    // Each load reads its own variable: map plus symbol offset (plus the
    // instruction's addend for the static variable, accessed through the
    // section symbol).
    let l = link_named(&obj, "globals", &no_externs(&obj));
    let refs = data_refs(&obj, &l);
    let want = [
        (".data", sym_value(&obj, "static_val")),
        (".data", sym_value(&obj, "data_val")),
        (".rodata", sym_value(&obj, "ro_val")),
        (".data.custom", sym_value(&obj, "custom_val")),
        (".data.hidden", sym_value(&obj, "hidden_val")),
        (".bss", sym_value(&obj, "bss_val")),
    ];
    let want: Vec<(String, i32)> = want
        .iter()
        .map(|(m, o)| (m.to_string(), *o as i32))
        .collect();
    assert_eq!(refs, want);
    assert_eq!(sym_value(&obj, "data_val"), 8);
    assert_eq!(sym_value(&obj, "static_val"), 16);
    // Globals are relocated through their own symbol (sym_off), statics
    // through the section symbol plus imm: both kinds are present.
    let datas: Vec<(u32, i32)> = obj
        .relocs()
        .iter()
        .filter_map(|r| match r.kind {
            RelocKind::Data { sym_off, .. } => {
                let f = &obj.functions()[r.func];
                let raw = Insn::from_bytes(f.insns[r.insn as usize * 8..][..8].try_into().unwrap());
                Some((sym_off, raw.imm))
            }
            _ => None,
        })
        .collect();
    assert!(
        datas.contains(&(0, 16)),
        "static via section symbol: {datas:?}"
    );
    assert!(datas.contains(&(8, 0)), "global via its symbol: {datas:?}");

    // Hidden variable is static in the BTF handed to the kernel.
    let btf = fixed_btf(&obj);
    check_kernel_linkage(&btf);
    let hv = btf.find_by_name_kind(b"hidden_val", BTF_KIND_VAR).unwrap();
    assert_eq!(
        btf.type_by_id(hv).unwrap().var_linkage(),
        Some(BTF_VAR_STATIC)
    );
    let dv = btf.find_by_name_kind(b"data_val", BTF_KIND_VAR).unwrap();
    assert_eq!(
        btf.type_by_id(dv).unwrap().var_linkage(),
        Some(BTF_VAR_GLOBAL_ALLOCATED)
    );
    let ds = btf.find_by_name_kind(b".data", BTF_KIND_DATASEC).unwrap();
    let t = btf.type_by_id(ds).unwrap();
    assert_eq!(t.size(), 20);
    let offs: Vec<(u32, u32)> = t.datasec_vars().map(|v| (v.offset, v.size)).collect();
    assert_eq!(offs, [(0, 8), (8, 8), (16, 4)]);
}

#[test]
fn subprogram_layout_and_func_info() {
    let data = common::ours("loadfd_subprogs");
    let obj = parse(&data);
    assert_eq!(obj.programs().len(), 2);
    let subs: Vec<String> = obj
        .functions()
        .iter()
        .enumerate()
        .filter(|(_, f)| f.program.is_none())
        .map(|(i, _)| name_of(&obj, i))
        .collect();
    assert_eq!(subs.len(), 4, "{subs:?}");

    let res = no_externs(&obj);
    let a = link_named(&obj, "prog_a", &res);
    let la = layout_names(&obj, &a);
    let names: Vec<&str> = la.iter().map(|(n, _)| n.as_str()).collect();
    // Depth first, in order of first use: sub_global, then what it calls,
    // then the callback.
    assert_eq!(names, ["prog_a", "sub_global", "sub_static", "loop_cb"]);
    let main_len = obj.programs()[0].insn_cnt;
    assert_eq!(la[1].1, main_len);
    check_targets(&a);
    // The callback is loaded as BPF_PSEUDO_FUNC.
    assert_eq!(
        a.insns
            .iter()
            .filter(|i| i.is_ldimm64() && i.src() == BPF_PSEUDO_FUNC)
            .count(),
        1
    );
    assert_eq!(a.insns.iter().filter(|i| i.is_pseudo_call()).count(), 2);

    // func_info: one per function, at its final offset, naming its FUNC.
    let btf = obj.btf_orig().unwrap();
    let fi: Vec<(u32, String)> = a
        .func_info
        .iter()
        .map(|f| {
            (
                f.insn_off,
                String::from_utf8_lossy(btf.name_of(f.type_id).unwrap()).into_owned(),
            )
        })
        .collect();
    let want: Vec<(u32, String)> = la.iter().map(|(n, o)| (*o, n.clone())).collect();
    assert_eq!(fi, want);
    // line_info rebased: sorted, inside the program, each function covered.
    assert!(a
        .line_info
        .windows(2)
        .all(|w| w[0].insn_off <= w[1].insn_off));
    assert!(a
        .line_info
        .iter()
        .all(|l| (l.insn_off as usize) < a.insns.len()));
    for (_, off) in &la {
        assert!(a.line_info.iter().any(|l| l.insn_off == *off));
    }

    let b = link_named(&obj, "prog_b", &res);
    let lb = layout_names(&obj, &b);
    let names: Vec<&str> = lb.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["prog_b", "sub_hidden", "sub_static"]);
    check_targets(&b);
    assert_eq!(b.func_info.len(), 3);

    // Relocation kinds recorded for prog_a.
    let pa = obj.programs()[0].func;
    let kinds: Vec<&'static str> = obj
        .relocs()
        .iter()
        .filter(|r| r.func == pa)
        .map(|r| match r.kind {
            RelocKind::Call { .. } => "call",
            RelocKind::SubprogAddr { .. } => "subprog_addr",
            RelocKind::Data { .. } => "data",
            _ => "other",
        })
        .collect();
    // `out` is loaded once (its address is reused for out[1]).
    assert_eq!(kinds, ["call", "data", "subprog_addr"]);

    // The hidden global subprogram is static in BTF, sub_global stays
    // global.
    let fixed = fixed_btf(&obj);
    let h = fixed
        .find_by_name_kind(b"sub_hidden", BTF_KIND_FUNC)
        .unwrap();
    assert_eq!(
        fixed.type_by_id(h).unwrap().func_linkage(),
        Some(BTF_FUNC_STATIC)
    );
    let g = fixed
        .find_by_name_kind(b"sub_global", BTF_KIND_FUNC)
        .unwrap();
    assert_eq!(
        fixed.type_by_id(g).unwrap().func_linkage(),
        Some(BTF_FUNC_GLOBAL)
    );
}

#[test]
fn subprograms_upstream() {
    for name in ["test_subprogs", "bpf_loop"] {
        let data = common::upstream(name);
        let obj = parse(&data);
        let res = no_externs(&obj);
        for (i, p) in obj.programs().iter().enumerate() {
            let l = relocate::relocate(&obj, i, &res, &NoCheckpoint).unwrap();
            check_targets(&l);
            assert_eq!(l.layout[0].func, p.func);
            assert_eq!(l.func_info.len(), l.layout.len(), "{name}/{:?}", p.name);
            for (f, pl) in l.func_info.iter().zip(l.layout.iter()) {
                assert_eq!(f.insn_off, pl.insn_off);
            }
            let refs = l
                .insns
                .iter()
                .filter(|i| i.is_ldimm64() && i.src() == BPF_PSEUDO_FUNC)
                .count();
            if name == "bpf_loop" {
                assert!(refs > 0, "bpf_loop program {:?} has a callback", p.name);
            }
        }
    }
}

#[test]
fn execve_demo_program() {
    let data = common::ours("loadfd_execve");
    let obj = parse(&data);
    let p = &obj.programs()[0];
    assert_eq!(p.name, b"count_execve");
    assert_eq!(p.section, b"tracepoint/syscalls/sys_enter_execve");
    assert_eq!(
        (p.prog_type, p.expected_attach_type),
        (BPF_PROG_TYPE_TRACEPOINT, 0)
    );
    assert_eq!(p.attach_func, b"syscalls/sys_enter_execve");
    assert!(!p.sleepable && !p.attach_btf);
    let m = &obj.maps()[0];
    assert_eq!(m.name, b"execve_count");
    assert_eq!(
        (
            m.kind,
            m.map_type,
            m.key_size,
            m.value_size,
            m.max_entries,
            m.pinning
        ),
        (MapKind::Btf, BPF_MAP_TYPE_ARRAY, 4, 8, 1, LIBBPF_PIN_NONE)
    );
    let btf = obj.btf_orig().unwrap();
    assert_eq!(btf.name_of(m.btf_key_type_id).unwrap(), b"__u32");
    assert_eq!(btf.name_of(m.btf_value_type_id).unwrap(), b"__u64");
    assert_eq!(obj.maps()[1].name, b".bss");
    let kinds: Vec<RelocKind> = obj.relocs().iter().map(|r| r.kind).collect();
    assert_eq!(
        kinds,
        [
            RelocKind::Ld64 { map: 0 },
            RelocKind::Data { map: 1, sym_off: 0 }
        ]
    );
    let l = link_named(&obj, "count_execve", &no_externs(&obj));
    let r0 = obj.relocs()[0].insn as usize;
    assert_eq!(
        (l.insns[r0].src(), l.insns[r0].imm),
        (BPF_PSEUDO_MAP_IDX, 0)
    );
    let r1 = obj.relocs()[1].insn as usize;
    assert_eq!(
        (l.insns[r1].src(), l.insns[r1].imm, l.insns[r1 + 1].imm),
        (BPF_PSEUDO_MAP_IDX_VALUE, 1, 0)
    );
}

#[test]
fn map_in_map_and_slots() {
    let data = common::upstream("test_btf_map_in_map");
    let obj = parse(&data);
    let idx = |n: &str| obj.map_by_name(n.as_bytes()).expect(n);
    let outer = &obj.maps()[idx("outer_arr")];
    assert_eq!(
        (outer.map_type, outer.max_entries, outer.value_size),
        (BPF_MAP_TYPE_ARRAY_OF_MAPS, 3, 4)
    );
    let inner = &obj.inner_maps()[outer.inner.unwrap()];
    assert_eq!(
        (
            inner.map_type,
            inner.max_entries,
            inner.key_size,
            inner.value_size
        ),
        (BPF_MAP_TYPE_ARRAY, 1, 4, 4)
    );
    assert_eq!(
        outer.slots.as_slice(),
        [
            (0, SlotTarget::Map(idx("inner_map1"))),
            (2, SlotTarget::Map(idx("inner_map2")))
        ]
    );
    let dynm = &obj.maps()[idx("outer_arr_dyn")];
    assert_eq!(obj.inner_maps()[dynm.inner.unwrap()].map_flags, 1 << 12); // BPF_F_INNER_MAP
    assert_eq!(
        dynm.slots.as_slice(),
        [
            (0, SlotTarget::Map(idx("inner_map3"))),
            (1, SlotTarget::Map(idx("inner_map4"))),
            (2, SlotTarget::Map(idx("inner_map5")))
        ]
    );
    let hash = &obj.maps()[idx("outer_hash")];
    assert_eq!(hash.map_type, BPF_MAP_TYPE_HASH_OF_MAPS);
    assert_eq!(
        hash.slots.as_slice(),
        [
            (0, SlotTarget::Map(idx("inner_map2"))),
            (4, SlotTarget::Map(idx("inner_map1")))
        ]
    );

    let data = common::upstream("test_prog_array_init");
    let obj = parse(&data);
    let pa = &obj.maps()[obj.map_by_name(b"prog_array_init").unwrap()];
    assert_eq!(
        (pa.map_type, pa.max_entries, pa.key_size, pa.value_size),
        (BPF_MAP_TYPE_PROG_ARRAY, 2, 4, 4)
    );
    assert_eq!(pa.inner, None);
    assert_eq!(
        pa.slots.as_slice(),
        [(
            1,
            SlotTarget::Prog(obj.program_by_name(b"tailcall_1").unwrap())
        )]
    );
}

#[test]
fn pinning() {
    let data = common::upstream("test_pinning");
    let obj = parse(&data);
    let pin: Vec<(&[u8], u32)> = obj.maps().iter().map(|m| (m.name, m.pinning)).collect();
    assert_eq!(
        pin,
        [
            (&b"pinmap"[..], LIBBPF_PIN_BY_NAME),
            (b"nopinmap", LIBBPF_PIN_NONE),
            (b"nopinmap2", LIBBPF_PIN_NONE)
        ]
    );
}

fn externs_env() -> TestEnv {
    let mut env = TestEnv::default();
    env.kconfig
        .insert(b"LINUX_KERNEL_VERSION", KconfigValue::Int(0x060c75));
    env.kconfig.insert(b"CONFIG_HZ", KconfigValue::Int(250));
    env.kconfig
        .insert(b"CONFIG_BPF_SYSCALL", KconfigValue::Bool(true));
    env.btf.insert(
        b"bpf_prog_active",
        KsymBtf {
            btf_id: 4242,
            btf_obj: 0,
        },
    );
    env.kfuncs.insert(
        b"bpf_rcu_read_lock",
        KfuncId {
            btf_id: 100,
            btf_fd_slot: 0,
        },
    );
    env.kfuncs.insert(
        b"bpf_rcu_read_unlock",
        KfuncId {
            btf_id: 101,
            btf_fd_slot: 3,
        },
    );
    env
}

#[test]
fn externs_kconfig_ksym_kfunc() {
    let data = common::ours("loadfd_externs");
    let obj = parse(&data);
    let names: Vec<&[u8]> = obj.externs().iter().map(|e| e.name).collect();
    // kconfig first (alignment down, size up, name), then ksyms by name.
    assert_eq!(
        names,
        [
            &b"CONFIG_HZ"[..],
            b"LINUX_KERNEL_VERSION",
            b"CONFIG_BPF_SYSCALL",
            b"CONFIG_LOADFD_MISSING",
            b"bpf_loadfd_missing_kfunc",
            b"bpf_prog_active",
            b"bpf_rcu_read_lock",
            b"bpf_rcu_read_unlock"
        ]
    );
    let offs: Vec<(u32, KcfgType)> = obj
        .externs()
        .iter()
        .filter_map(|e| match e.kind {
            ExternKind::Kconfig { data_off, typ, .. } => Some((data_off, typ)),
            _ => None,
        })
        .collect();
    assert_eq!(
        offs,
        [
            (0, KcfgType::Int),
            (4, KcfgType::Int),
            (8, KcfgType::Bool),
            (9, KcfgType::Bool)
        ]
    );
    let kc = &obj.maps()[obj.kconfig_map().unwrap()];
    assert_eq!(
        (kc.name, kc.value_size, kc.kind),
        (&b".kconfig"[..], 10, MapKind::Kconfig)
    );
    assert_eq!(kc.map_flags & BPF_F_RDONLY_PROG, BPF_F_RDONLY_PROG);
    assert!(obj.externs()[4].weak && !obj.externs()[6].weak);

    // BTF: .ksyms entries are 4-byte allocated VARs (functions replaced by
    // dummy_ksym), no extern linkage left, .kconfig VARs at their offsets.
    let btf = fixed_btf(&obj);
    check_kernel_linkage(&btf);
    let ks = btf
        .type_by_id(btf.find_by_name_kind(b".ksyms", BTF_KIND_DATASEC).unwrap())
        .unwrap();
    assert_eq!(ks.size(), 4 * ks.vlen() as u32);
    let dummy = btf.find_by_name_kind(b"dummy_ksym", BTF_KIND_VAR).unwrap();
    assert_eq!(
        dummy,
        obj.btf_orig().unwrap().nr_types(),
        "dummy_ksym is appended"
    );
    for (i, v) in ks.datasec_vars().enumerate() {
        assert_eq!((v.offset, v.size), (4 * i as u32, 4));
        assert_eq!(btf.type_by_id(v.type_id).unwrap().kind(), BTF_KIND_VAR);
    }
    let kcs = btf
        .type_by_id(
            btf.find_by_name_kind(b".kconfig", BTF_KIND_DATASEC)
                .unwrap(),
        )
        .unwrap();
    assert_eq!(kcs.size(), 10);
    let offs: Vec<u32> = kcs.datasec_vars().map(|v| v.offset).collect();
    assert_eq!(offs, [0, 4, 8, 9]);

    let res = bpfobj::plan::resolve_externs(&obj, &externs_env()).unwrap();
    let mut want = vec![0u8; 10];
    want[0..4].copy_from_slice(&250u32.to_ne_bytes());
    want[4..8].copy_from_slice(&0x060c75u32.to_ne_bytes());
    want[8] = 1;
    assert_eq!(res.kconfig.as_slice(), want);
    assert_eq!(res.values[3], ExternValue::Missing);
    assert_eq!(res.values[4], ExternValue::Missing);

    let l = link_named(&obj, "handle", &res);
    let kmap = obj.kconfig_map().unwrap() as i32;
    let refs = data_refs(&obj, &l);
    for off in [0, 4, 8, 9] {
        assert!(refs.contains(&(".kconfig".to_string(), off)), "{refs:?}");
    }
    assert!(l
        .insns
        .iter()
        .any(|i| i.is_ldimm64() && i.src() == BPF_PSEUDO_MAP_IDX_VALUE && i.imm == kmap));
    // Typed ksym.
    let pos = l
        .insns
        .iter()
        .position(|i| i.is_ldimm64() && i.src() == BPF_PSEUDO_BTF_ID)
        .expect("typed ksym");
    assert_eq!((l.insns[pos].imm, l.insns[pos + 1].imm), (4242, 0));
    // kfunc calls.
    let kf: Vec<(i32, i16)> = l
        .insns
        .iter()
        .filter(|i| i.is_call() && i.src() == BPF_PSEUDO_KFUNC_CALL)
        .map(|i| (i.imm, i.off))
        .collect();
    assert_eq!(kf, [(100, 0), (101, 3)]);
    // The missing weak kfunc: its call is poisoned with its extern index,
    // bpf_ksym_exists() sees 0.
    let poisoned: Vec<&Insn> = l
        .insns
        .iter()
        .filter(|i| i.is_call() && i.imm == POISON_CALL_KFUNC_BASE + 4)
        .collect();
    assert_eq!(poisoned.len(), 1);
    assert_eq!(poisoned[0].src(), 0);
    let ld = obj
        .relocs()
        .iter()
        .find(|r| r.kind == RelocKind::ExternLd64 { ext: 4 })
        .expect("bpf_ksym_exists reloc");
    assert_eq!(
        (
            l.insns[ld.insn as usize].src(),
            l.insns[ld.insn as usize].imm,
            l.insns[ld.insn as usize + 1].imm
        ),
        (0, 0, 0)
    );

    // Strong externs must resolve.
    let mut env = externs_env();
    env.kfuncs.remove(&b"bpf_rcu_read_lock"[..]);
    assert_eq!(
        bpfobj::plan::resolve_externs(&obj, &env).unwrap_err(),
        Error::at_extern(6, ExternError::Unresolved)
    );
    let mut env = externs_env();
    env.kconfig.remove(&b"CONFIG_BPF_SYSCALL"[..]);
    assert_eq!(
        bpfobj::plan::resolve_externs(&obj, &env).unwrap_err(),
        Error::at_extern(2, ExternError::Unresolved)
    );
    // A value that does not fit its type.
    let mut env = externs_env();
    env.kconfig
        .insert(b"CONFIG_BPF_SYSCALL", KconfigValue::Tristate(b'm'));
    assert_eq!(
        bpfobj::plan::resolve_externs(&obj, &env).unwrap_err(),
        Error::at_extern(2, ExternError::KconfigValue)
    );
    // A found weak kfunc gets a real call, and bpf_ksym_exists() its BTF id.
    let mut env = externs_env();
    env.kfuncs.insert(
        b"bpf_loadfd_missing_kfunc",
        KfuncId {
            btf_id: 7,
            btf_fd_slot: 1,
        },
    );
    env.btf.insert(
        b"bpf_loadfd_missing_kfunc",
        KsymBtf {
            btf_id: 7,
            btf_obj: 9,
        },
    );
    let res = bpfobj::plan::resolve_externs(&obj, &env).unwrap();
    let l = link_named(&obj, "handle", &res);
    assert!(l
        .insns
        .iter()
        .any(|i| i.is_call() && i.src() == BPF_PSEUDO_KFUNC_CALL && (i.imm, i.off) == (7, 1)));
    let i = ld.insn as usize;
    assert_eq!(
        (l.insns[i].src(), l.insns[i].imm, l.insns[i + 1].imm),
        (BPF_PSEUDO_BTF_ID, 7, 9)
    );
}

#[test]
fn typeless_and_typed_ksyms_upstream() {
    let data = common::upstream("test_ksyms");
    let obj = parse(&data);
    let mut env = TestEnv::default();
    for (i, e) in obj.externs().iter().enumerate() {
        match e.kind {
            ExternKind::Ksym {
                type_id: 0,
                func: false,
            } => {
                let name: &'static [u8] = Box::leak(e.name.to_vec().into_boxed_slice());
                env.addr
                    .insert(name, 0xffff_ffff_8100_0000 + i as u64 * 0x10);
            }
            _ => panic!("test_ksyms has only typeless ksyms"),
        }
    }
    let res = bpfobj::plan::resolve_externs(&obj, &env).unwrap();
    let l = link_named(&obj, "handler", &res);
    // Each typeless ksym becomes its address split over the two halves.
    let mut seen = 0;
    for r in obj.relocs() {
        if let RelocKind::ExternLd64 { ext } = r.kind {
            let i = r.insn as usize;
            let addr = 0xffff_ffff_8100_0000u64 + ext as u64 * 0x10;
            assert_eq!(l.insns[i].src(), 0);
            assert_eq!(l.insns[i].imm as u32, addr as u32);
            assert_eq!(l.insns[i + 1].imm as u32, (addr >> 32) as u32);
            seen += 1;
        }
    }
    assert!(seen >= 4);

    let data = common::upstream("test_ksyms_weak");
    let obj = parse(&data);
    // All weak: with nothing resolved, typed and typeless ksyms load 0 and
    // kfunc calls are poisoned with their extern index.
    assert!(obj.externs().iter().all(|e| e.weak));
    let res = bpfobj::plan::resolve_externs(&obj, &TestEnv::default()).unwrap();
    assert!(res.values.iter().all(|v| *v == ExternValue::Missing));
    let mut poisoned = 0;
    for i in 0..obj.programs().len() {
        let l = relocate::relocate(&obj, i, &res, &NoCheckpoint).unwrap();
        for r in obj.relocs() {
            let Some(pl) = l.layout.iter().find(|p| p.func == r.func) else {
                continue;
            };
            let at = (pl.insn_off + r.insn) as usize;
            match r.kind {
                RelocKind::ExternLd64 { .. } => {
                    assert_eq!(
                        (l.insns[at].src(), l.insns[at].imm, l.insns[at + 1].imm),
                        (0, 0, 0)
                    );
                }
                RelocKind::ExternCall { ext } => {
                    assert_eq!(
                        l.insns[at],
                        Insn {
                            code: 0x85,
                            regs: 0,
                            off: 0,
                            imm: POISON_CALL_KFUNC_BASE + ext as i32
                        }
                    );
                    poisoned += 1;
                }
                _ => {}
            }
        }
    }
    assert!(poisoned >= 2);
    // A strong extern that is missing is an error (NotFound class).
    let data = common::upstream("test_ksyms_btf");
    let obj = parse(&data);
    let err = bpfobj::plan::resolve_externs(&obj, &TestEnv::default()).unwrap_err();
    assert!(matches!(
        err.kind,
        ErrorKind::Extern(ExternError::Unresolved)
    ));
    assert_eq!(err.class(), ErrorClass::NotFound);
}

#[test]
fn tracing_sections_and_core_relos() {
    let data = common::upstream("fentry_test");
    let obj = parse(&data);
    for (i, p) in obj.programs().iter().enumerate() {
        assert_eq!(
            (p.prog_type, p.expected_attach_type),
            (BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY)
        );
        assert_eq!(
            p.attach_func,
            format!("bpf_fentry_test{}", i + 1).as_bytes()
        );
        assert!(p.attach_btf);
    }

    let data = common::upstream("test_core_reloc_kernel");
    let obj = parse(&data);
    let p = &obj.programs()[0];
    assert_eq!(p.section, b"raw_tracepoint/sys_enter");
    assert_eq!(p.prog_type, BPF_PROG_TYPE_RAW_TRACEPOINT);
    let l = relocate::relocate(&obj, 0, &no_externs(&obj), &NoCheckpoint).unwrap();
    assert!(l.core_relos.len() >= 5);
    for c in l.core_relos.iter() {
        assert_eq!(c.insn_off % 8, 0);
        assert!((c.insn_off / 8) < l.insns.len() as u32);
    }
    // CO-RE is left to the kernel: the records go out unapplied.
    let btf = obj.btf_orig().unwrap();
    assert!(l
        .core_relos
        .iter()
        .any(|c| btf.name_of(c.type_id).unwrap() == b"task_struct"));
}

#[test]
fn exception_callbacks() {
    let data = common::upstream("exceptions");
    let obj = parse(&data);
    let res = bpfobj::plan::resolve_externs(&obj, &env_all(&obj)).unwrap();
    let p = obj
        .program_by_name(b"exception_ext_mod_cb_runtime")
        .unwrap();
    let cb = relocate::exception_callback(&obj, p)
        .unwrap()
        .expect("callback");
    assert_eq!(name_of(&obj, cb), "exception_cb_mod");
    let l = relocate::relocate(&obj, p, &res, &NoCheckpoint).unwrap();
    assert_eq!(l.exception_cb, Some(cb));
    // The main program only throws (a kfunc call): the callback is
    // appended after it, then what the callback calls; all with func_info.
    let names: Vec<String> = layout_names(&obj, &l).into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "exception_ext_mod_cb_runtime",
            "exception_cb_mod",
            "exception_cb_mod_global"
        ]
    );
    assert_eq!(l.func_info.len(), 3);
    assert_eq!(l.func_info[1].insn_off, l.layout[1].insn_off);
    check_targets(&l);
    // Nothing calls the callback.
    let cb_off = i64::from(l.layout[1].insn_off);
    assert!(!l
        .insns
        .iter()
        .enumerate()
        .any(|(pc, i)| i.is_pseudo_call() && pc as i64 + i64::from(i.imm) + 1 == cb_off));
    // A program without the tag has none.
    let q = obj.program_by_name(b"exception_throw_always_1").unwrap();
    assert_eq!(relocate::exception_callback(&obj, q).unwrap(), None);
    let l = relocate::relocate(&obj, q, &res, &NoCheckpoint).unwrap();
    assert_eq!(l.exception_cb, None);
}

#[test]
fn kfunc_calls_upstream() {
    let data = common::upstream("kfunc_call_test");
    let obj = parse(&data);
    let mut env = TestEnv::default();
    for (i, e) in obj.externs().iter().enumerate() {
        let name: &'static [u8] = Box::leak(e.essential_name.to_vec().into_boxed_slice());
        env.kfuncs.insert(
            name,
            KfuncId {
                btf_id: 1000 + i as u32,
                btf_fd_slot: 1,
            },
        );
        env.btf.insert(
            name,
            KsymBtf {
                btf_id: 1000 + i as u32,
                btf_obj: 1,
            },
        );
    }
    let res = bpfobj::plan::resolve_externs(&obj, &env).unwrap();
    let mut calls = 0;
    for (i, _) in obj.programs().iter().enumerate() {
        let l = relocate::relocate(&obj, i, &res, &NoCheckpoint).unwrap();
        check_targets(&l);
        calls += l
            .insns
            .iter()
            .filter(|i| {
                i.is_call() && i.src() == BPF_PSEUDO_KFUNC_CALL && i.imm >= 1000 && i.off == 1
            })
            .count();
    }
    assert!(calls >= 10, "{calls}");
}

#[test]
fn every_upstream_object_links() {
    for name in [
        "map_ptr_kern",
        "loop1",
        "loop6",
        "atomics",
        "tailcall1",
        "tailcall_bpf2bpf1",
        "test_rdonly_maps",
        "test_mmap",
        "test_global_func1",
        "test_ksyms_btf",
        "core_kern",
        "test_vmlinux",
    ] {
        let data = common::upstream(name);
        let obj = parse(&data);
        let env = env_all(&obj);
        let res =
            bpfobj::plan::resolve_externs(&obj, &env).unwrap_or_else(|e| panic!("{name}: {e}"));
        if let Some(_b) = obj.btf() {
            check_kernel_linkage(&fixed_btf(&obj));
        }
        for i in 0..obj.programs().len() {
            let l = relocate::relocate(&obj, i, &res, &NoCheckpoint)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            check_targets(&l);
            // No pseudo ld_imm64 refers to the caller's fd table.
            for insn in l.insns.iter().filter(|i| i.is_ldimm64()) {
                assert!(matches!(
                    insn.src(),
                    0 | BPF_PSEUDO_MAP_IDX
                        | BPF_PSEUDO_MAP_IDX_VALUE
                        | BPF_PSEUDO_BTF_ID
                        | BPF_PSEUDO_FUNC
                ));
            }
            assert!(l
                .insns
                .iter()
                .all(|i| !i.is_call() || i.src() != BPF_PSEUDO_CALL || i.imm != -1));
        }
    }
}

// --- Rejections of corrupted objects ---------------------------------------

/// File offset of section `name`'s data and of its header.
fn section_offsets(data: &[u8], name: &[u8]) -> (usize, usize) {
    let elf = Elf::parse(data).unwrap();
    let s = elf.section_by_name(name).unwrap();
    let h = elf.header();
    (
        s.offset as usize,
        h.e_shoff as usize + s.index as usize * 64,
    )
}

fn reject(data: &[u8]) -> Error {
    match Object::parse(data, &NoCheckpoint) {
        Ok(_) => panic!("corrupted object accepted"),
        Err(e) => e,
    }
}

#[test]
fn rejects_unknown_and_struct_ops_sections() {
    let mut data = common::ours("loadfd_execve");
    let (name_at, index) = {
        let elf = Elf::parse(&data).unwrap();
        let s = elf
            .section_by_name(b"tracepoint/syscalls/sys_enter_execve")
            .unwrap();
        // Rename the program section in place (same length): "tracepoint/"
        // -> "bogusbogus/".
        let shstr = elf.section(elf.header().e_shstrndx as u32).unwrap();
        let at = shstr.offset as usize
            + shstr
                .data
                .windows(s.name.len())
                .position(|w| w == s.name)
                .unwrap();
        (at, s.index)
    };
    data[name_at..name_at + 10].copy_from_slice(b"bogusbogus");
    let e = reject(&data);
    assert_eq!(e, Error::at_section(index, ProgError::UnknownSection));
    assert_eq!(e.class(), ErrorClass::Unsupported);
    assert_eq!(
        format!("{e}"),
        format!("prog: section {index}: unknown program section name")
    );
}

#[test]
fn struct_ops_maps_and_their_programs() {
    let data = common::upstream("dummy_st_ops_success");
    let obj = parse(&data);
    let st = obj.struct_ops();
    assert_eq!(st.len(), 1);
    let m = &st[0];
    assert_eq!(m.name, b"dummy_1");
    assert!(!m.link && m.autocreate);
    let btf = obj.btf_orig().unwrap();
    let t = btf.type_by_id(m.type_id).unwrap();
    assert_eq!(btf.str_at(t.name_off()).unwrap(), b"bpf_dummy_ops");
    assert_eq!(m.data.len(), t.size() as usize);
    assert_eq!(m.progs.len(), t.vlen() as usize);
    // Each function pointer member names its program, by member name.
    let named: Vec<(&[u8], &[u8])> = t
        .members()
        .zip(m.progs.iter())
        .filter(|(_, &p)| p != struct_ops::NO_PROG)
        .map(|(mb, &p)| {
            (
                btf.str_at(mb.name_off).unwrap(),
                obj.programs()[p as usize].name,
            )
        })
        .collect();
    assert_eq!(
        named,
        vec![
            (&b"test_1"[..], &b"test_1"[..]),
            (b"test_2", b"test_2"),
            (b"test_sleepable", b"test_sleepable")
        ]
    );
    assert!(obj.programs().iter().all(|p| p.prog_type == 27));
}

#[test]
fn struct_ops_link_and_optional_sections() {
    // sched_ext's scx_simple uses .struct_ops.link; the selftests' ?-sections
    // are not created by default.
    let data = common::upstream("struct_ops_autocreate");
    let obj = parse(&data);
    assert!(obj.struct_ops().iter().any(|m| !m.autocreate));
    assert!(obj.struct_ops().iter().any(|m| m.autocreate));
}

#[test]
fn arena_variables() {
    let data = common::ours("loadfd_arena");
    let obj = parse(&data);
    let a = obj.arena().expect("arena");
    assert_eq!(obj.maps()[a.map].name, b"arena");
    // int loadfd_arena_counter + char loadfd_arena_buf[5000].
    assert_eq!(a.size, 5004);
    assert_eq!(a.data.len(), 5004);
    // Both variables are read through the arena map.
    let datas = obj
        .relocs()
        .iter()
        .filter(|r| matches!(r.kind, RelocKind::Data { map, .. } if map == a.map))
        .count();
    assert_eq!(datas, 2);
}

#[test]
fn rejects_bad_struct_ops_relocations() {
    let base = common::upstream("dummy_st_ops_success");
    let (rel_off, _) = section_offsets(&base, b".rel.struct_ops");
    let rel_sec = Elf::parse(&base)
        .unwrap()
        .section_by_name(b".rel.struct_ops")
        .unwrap()
        .index;
    // Offset moved off the function pointer member.
    let mut d = base.clone();
    let off = u64::from_ne_bytes(d[rel_off..rel_off + 8].try_into().unwrap());
    d[rel_off..rel_off + 8].copy_from_slice(&(off + 4).to_ne_bytes());
    assert_eq!(
        reject(&d),
        Error::at_rel(rel_sec, 0, StructOpsError::RelBad)
    );
    // Outside the section.
    let mut d = base.clone();
    d[rel_off..rel_off + 8].copy_from_slice(&(1u64 << 20).to_ne_bytes());
    assert_eq!(reject(&d).class(), ErrorClass::Malformed);
}

#[test]
fn rejects_bad_relocations() {
    let base = common::ours("loadfd_execve");
    let (rel_off, _) = section_offsets(&base, b".reltracepoint/syscalls/sys_enter_execve");
    let elf = Elf::parse(&base).unwrap();
    let rel_sec = elf
        .section_by_name(b".reltracepoint/syscalls/sys_enter_execve")
        .unwrap()
        .index;

    // Misaligned offset.
    let mut d = base.clone();
    let off = u64::from_ne_bytes(d[rel_off..rel_off + 8].try_into().unwrap());
    d[rel_off..rel_off + 8].copy_from_slice(&(off + 4).to_ne_bytes());
    assert_eq!(reject(&d), Error::at_rel(rel_sec, 0, RelocError::BadOffset));

    // Pointing at an instruction that is not an ld_imm64 or call.
    let mut d = base.clone();
    d[rel_off..rel_off + 8].copy_from_slice(&0u64.to_ne_bytes());
    assert_eq!(reject(&d), Error::at_rel(rel_sec, 0, RelocError::BadInsn));

    // Wrong ELF relocation type for an ld_imm64.
    let mut d = base.clone();
    let info = u64::from_ne_bytes(d[rel_off + 8..rel_off + 16].try_into().unwrap());
    d[rel_off + 8..rel_off + 16].copy_from_slice(&((info & !0xffff_ffff) | 10).to_ne_bytes());
    assert_eq!(reject(&d), Error::at_rel(rel_sec, 0, RelocError::BadInsn));

    // Both relocations on the same instruction.
    let mut d = base.clone();
    let first = d[rel_off..rel_off + 8].to_vec();
    d[rel_off + 16..rel_off + 24].copy_from_slice(&first);
    let info = u64::from_ne_bytes(d[rel_off + 8..rel_off + 16].try_into().unwrap());
    d[rel_off + 24..rel_off + 32].copy_from_slice(&info.to_ne_bytes());
    assert_eq!(reject(&d), Error::at_rel(rel_sec, 1, RelocError::Duplicate));
}

#[test]
fn rejects_unrelocated_pseudo_ldimm64_and_bad_license() {
    // An ld_imm64 claiming a map fd without a relocation would use the
    // caller's fd table: rejected at link time.
    let mut d = common::ours("loadfd_globals");
    let (off, size) = {
        let elf = Elf::parse(&d).unwrap();
        let s = elf.section_by_name(b"socket").unwrap();
        (s.offset as usize, s.size as usize)
    };
    // The object's last instructions are `w0 = 0; exit`; rewrite them into
    // an ld_imm64 with src_reg = BPF_PSEUDO_MAP_FD and no relocation.
    let n = size / 8;
    let ld = Insn {
        code: 0x18,
        regs: 0x10,
        off: 0,
        imm: 3,
    };
    d[off + (n - 2) * 8..off + (n - 1) * 8].copy_from_slice(&ld.to_bytes());
    d[off + (n - 1) * 8..off + n * 8].copy_from_slice(&Insn::default().to_bytes());
    let obj = Object::parse(&d, &NoCheckpoint).unwrap();
    let res = no_externs(&obj);
    let e = relocate::relocate(&obj, 0, &res, &NoCheckpoint).unwrap_err();
    assert!(
        matches!(e.kind, ErrorKind::Link(LinkError::Unrelocated)),
        "{e:?}"
    );

    // License without a NUL.
    let mut d = common::ours("loadfd_globals");
    let (lic, _) = section_offsets(&d, b"license");
    d[lic + 3] = b'!';
    assert!(matches!(
        reject(&d).kind,
        ErrorKind::Object(ObjectError::BadLicense)
    ));
}

#[test]
fn rejects_bad_func_info_and_missing_btf() {
    // Without .BTF, .maps cannot be parsed.
    // Rename .BTF to .debug_abbrev (an ignored section) by pointing its
    // sh_name at that name: .BTF.ext (and .maps) are left without BTF.
    let mut d = common::ours("loadfd_execve");
    let (_, btf_hdr) = section_offsets(&d, b".BTF");
    let (_, dbg_hdr) = section_offsets(&d, b".debug_abbrev");
    let name = d[dbg_hdr..dbg_hdr + 4].to_vec();
    d[btf_hdr..btf_hdr + 4].copy_from_slice(&name);
    let e = reject(&d);
    assert!(
        matches!(e.kind, ErrorKind::Object(ObjectError::BtfRequired)),
        "{e:?}"
    );
    assert_eq!(e.class(), ErrorClass::Malformed);

    // A func_info record pointing between functions (insn_off past the
    // program's end) is rejected at parse time.
    let mut d = common::ours("loadfd_execve");
    let (ext_off, _) = section_offsets(&d, b".BTF.ext");
    let hdr_len = u32::from_ne_bytes(d[ext_off + 4..ext_off + 8].try_into().unwrap()) as usize;
    let fi_off = u32::from_ne_bytes(d[ext_off + 8..ext_off + 12].try_into().unwrap()) as usize;
    // func_info: rec_size, then blocks {sec_name_off, num, records}.
    let rec = ext_off + hdr_len + fi_off + 4 + 8;
    d[rec..rec + 4].copy_from_slice(&0x10000u32.to_ne_bytes());
    let e = reject(&d);
    assert!(
        matches!(
            e.kind,
            ErrorKind::BtfExt(BtfExtError::BadRecord { rec: 0, .. })
        ),
        "{e:?}"
    );
}

// --- No panics on corrupted real objects ------------------------------------

/// Runs every stage on `data`; errors are fine, panics are not.
fn run_all(data: &[u8]) -> usize {
    let Ok(obj) = Object::parse(data, &NoCheckpoint) else {
        return 0;
    };
    let _ = obj.btf();
    for env in [&YesEnv(&NoCheckpoint) as &dyn Env, &TestEnv::default()] {
        let res = match env_dyn_resolve(&obj, env) {
            Ok(r) => r,
            Err(e) => {
                let _ = format!("{e}");
                continue;
            }
        };
        for i in 0..obj.programs().len() {
            if let Err(e) = relocate::relocate(&obj, i, &res, &NoCheckpoint) {
                let _ = format!("{e}");
            }
        }
    }
    1
}

fn env_dyn_resolve(obj: &Object<'_>, env: &dyn Env) -> Result<externs::Resolved, Error> {
    struct Dyn<'e>(&'e dyn Env);
    impl Checkpoint for Dyn<'_> {
        fn checkpoint(&self) -> Result<(), Error> {
            self.0.checkpoint()
        }
    }
    impl Env for Dyn<'_> {
        fn kconfig(&self, n: &[u8]) -> Option<KconfigValue<'_>> {
            self.0.kconfig(n)
        }
        fn ksym_btf(&self, n: &[u8], k: u32, l: u32) -> Option<KsymBtf> {
            self.0.ksym_btf(n, k, l)
        }
        fn ksym_addr(&self, n: &[u8]) -> Result<Option<u64>, EnvError> {
            self.0.ksym_addr(n)
        }
        fn kfunc(&self, n: &[u8], l: u32) -> Option<KfuncId> {
            self.0.kfunc(n, l)
        }
    }
    bpfobj::plan::resolve_externs(obj, &Dyn(env))
}

#[test]
fn corrupted_objects_never_panic() {
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let objects = [
        common::ours("loadfd_subprogs"),
        common::ours("loadfd_externs"),
        common::ours("loadfd_globals"),
        common::upstream("test_btf_map_in_map"),
        common::upstream("test_global_data"),
        common::upstream("exceptions"),
    ];
    let mut parsed = 0;
    for base in &objects {
        assert_eq!(run_all(base), 1, "the pristine object parses");
        for _ in 0..1500 {
            let mut d = base.clone();
            let n = 1 + next() % 4;
            for _ in 0..n {
                let at = (next() % d.len() as u64) as usize;
                match next() % 4 {
                    0 => d[at] ^= 1 << (next() % 8),
                    1 => d[at] = next() as u8,
                    _ => {
                        let at = at & !3;
                        if at + 4 <= d.len() {
                            let vals = [0u32, 1, 8, 0xffff_ffff, 0x7fff_ffff, d.len() as u32];
                            let v = vals[(next() % vals.len() as u64) as usize];
                            d[at..at + 4].copy_from_slice(&v.to_ne_bytes());
                        }
                    }
                }
            }
            parsed += run_all(&d);
        }
    }
    // Many mutations hit bytes nobody reads (DWARF); some parse.
    assert!(parsed > 0);
}

#[test]
fn statically_linked_objects() {
    // Weak functions replaced by the linker leave relocations and .BTF.ext
    // records of uncovered code behind: ignored, as libbpf does.
    let path = common::upstream_linked(&["linked_funcs1", "linked_funcs2"]);
    let data = std::fs::read(path).unwrap();
    let obj = parse(&data);
    let res = bpfobj::plan::resolve_externs(&obj, &env_all(&obj)).unwrap();
    for i in 0..obj.programs().len() {
        let l = relocate::relocate(&obj, i, &res, &NoCheckpoint).unwrap();
        check_targets(&l);
        assert_eq!(l.func_info.len(), l.layout.len());
    }
    // The tree's linker with clang-19 places map2 (extern in the first
    // file) at offset 0 of .maps, over map1: libbpf cannot open the result
    // either. The overlapping definitions are rejected.
    let path = common::upstream_linked(&["linked_maps1", "linked_maps2"]);
    let data = std::fs::read(path).unwrap();
    let e = reject(&data);
    assert!(matches!(e.kind, ErrorKind::Map(MapError::BadVar)), "{e:?}");
}

#[test]
fn map_extra_and_flags() {
    let data = common::upstream("bloom_filter_map");
    let obj = parse(&data);
    let m = &obj.maps()[obj.map_by_name(b"map_bloom").unwrap()];
    // BPF_MAP_TYPE_BLOOM_FILTER, no key, __uint(map_extra, 5).
    assert_eq!(
        (m.map_type, m.key_size, m.max_entries, m.map_extra),
        (30, 0, 10000, 5)
    );
    let outer = &obj.maps()[obj.map_by_name(b"outer_map").unwrap()];
    let inner = &obj.inner_maps()[outer.inner.unwrap()];
    assert_eq!(inner.map_type, 30);
}

/// A relocation section retyped to SHT_RELA must be refused, not skipped:
/// skipping it would leave every map and data load of the program as a
/// constant 0 (found by the VM rejection tests).
#[test]
fn rela_section_is_rejected() {
    use bpfobj::elf::{Elf, SHDR_SIZE, SHT_RELA};
    let mut data = common::upstream("test_global_data");
    let (off, idx) = {
        let elf = Elf::parse(&data).expect("elf");
        let sec = elf.section_by_name(b".reltc").expect(".reltc");
        let off = elf.header().e_shoff as usize + sec.index as usize * SHDR_SIZE + 4;
        (off, sec.index)
    };
    data[off..off + 4].copy_from_slice(&SHT_RELA.to_ne_bytes());
    assert_eq!(
        Object::parse(&data, &NoCheckpoint).err(),
        Some(Error::at_section(idx, ElfError::RelaUnsupported))
    );
}

/// Rejections name the section even when the ELF as a whole does not parse
/// (the kernel glue appends the name to the log line).
#[test]
fn section_name_of_a_broken_object() {
    use bpfobj::elf::{section_name_of, Elf, SHDR_SIZE};
    let mut data = common::upstream("test_global_data");
    let (off, idx) = {
        let elf = Elf::parse(&data).expect("elf");
        let sec = elf.section_by_name(b".BTF").expect(".BTF");
        (
            elf.header().e_shoff as usize + sec.index as usize * SHDR_SIZE + 32,
            sec.index,
        )
    };
    let size = data.len() as u64;
    data[off..off + 8].copy_from_slice(&size.to_ne_bytes());
    assert!(Elf::parse(&data).is_err());
    assert_eq!(section_name_of(&data, idx), Some(&b".BTF"[..]));
    assert_eq!(section_name_of(&data, 0xffff), None);
    assert_eq!(section_name_of(&data[..40], idx), None);
}
