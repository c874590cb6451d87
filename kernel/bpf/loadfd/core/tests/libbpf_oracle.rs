// SPDX-License-Identifier: GPL-2.0

//! Differential tests against the tree's libbpf (`tests/oracle/dump.c`):
//! for real objects, the core must see the same programs, maps, inner maps,
//! initial slots, externs, `.kconfig` contents and fixed-up BTF as libbpf's
//! `bpf_object__open`, and link every program to the same instructions,
//! func_info, line_info and CO-RE records as libbpf's relocation in
//! light-skeleton mode (which encodes maps as `BPF_PSEUDO_MAP_IDX(_VALUE)`
//! and resolves typed ksyms and kfuncs to BTF id 0, like the `Env` below).

mod common;

use std::collections::HashMap;
use std::path::Path;

use bpfobj::checkpoint::{Checkpoint, NoCheckpoint};
use bpfobj::externs::{self, Env, EnvError, KconfigValue, KfuncId, KsymBtf};
use bpfobj::maps::MapKind;
use bpfobj::object::Object;
use bpfobj::relocate;

/// What libbpf resolves externs to in light-skeleton mode.
struct OracleEnv {
    kconfig: HashMap<Vec<u8>, OwnedKconfig>,
}

enum OwnedKconfig {
    Tri(u8),
    Int(u64),
    Str(Vec<u8>),
}

impl OracleEnv {
    fn new(kconfig: Option<&str>, kernel_version: u32) -> Self {
        let mut m = HashMap::new();
        for line in kconfig.unwrap_or("").lines() {
            let Some((k, v)) = line.split_once('=') else {
                continue;
            };
            let val = match v.as_bytes().first() {
                Some(b'y' | b'n' | b'm') => OwnedKconfig::Tri(v.as_bytes()[0]),
                Some(b'"') => OwnedKconfig::Str(v.trim_matches('"').as_bytes().to_vec()),
                _ => {
                    let n = if let Some(h) = v.strip_prefix("0x").or(v.strip_prefix("0X")) {
                        u64::from_str_radix(h, 16)
                    } else if v.len() > 1 && v.starts_with('0') {
                        u64::from_str_radix(&v[1..], 8)
                    } else {
                        v.parse()
                    };
                    OwnedKconfig::Int(n.expect("kconfig number"))
                }
            };
            m.insert(k.as_bytes().to_vec(), val);
        }
        m.insert(
            b"LINUX_KERNEL_VERSION".to_vec(),
            OwnedKconfig::Int(u64::from(kernel_version)),
        );
        // gen_loader mode assumes every feature.
        m.insert(b"LINUX_HAS_BPF_COOKIE".to_vec(), OwnedKconfig::Int(1));
        m.insert(b"LINUX_HAS_SYSCALL_WRAPPER".to_vec(), OwnedKconfig::Int(1));
        OracleEnv { kconfig: m }
    }
}

fn kallsyms(name: &[u8]) -> Option<u64> {
    let text = std::fs::read_to_string("/proc/kallsyms").ok()?;
    for line in text.lines() {
        let mut it = line.split_whitespace();
        let (Some(addr), Some(typ), Some(sym)) = (it.next(), it.next(), it.next()) else {
            continue;
        };
        let base = match sym.find(".llvm.") {
            Some(i) if typ == "d" => &sym[..i],
            _ => sym,
        };
        if base.as_bytes() == name {
            return u64::from_str_radix(addr, 16).ok();
        }
    }
    None
}

impl Checkpoint for OracleEnv {
    fn checkpoint(&self) -> Result<(), bpfobj::error::Error> {
        Ok(())
    }
}

impl Env for OracleEnv {
    fn kconfig(&self, name: &[u8]) -> Option<KconfigValue<'_>> {
        Some(match self.kconfig.get(name)? {
            OwnedKconfig::Tri(c) => KconfigValue::Tristate(*c),
            OwnedKconfig::Int(v) => KconfigValue::Int(*v),
            OwnedKconfig::Str(s) => KconfigValue::Str(s),
        })
    }
    fn ksym_btf(&self, _name: &[u8], _kind: u32, _local: u32) -> Option<KsymBtf> {
        Some(KsymBtf {
            btf_id: 0,
            btf_obj: 0,
        })
    }
    fn ksym_addr(&self, name: &[u8]) -> Result<Option<u64>, EnvError> {
        Ok(kallsyms(name))
    }
    fn kfunc(&self, _name: &[u8], _local: u32) -> Option<KfuncId> {
        Some(KfuncId {
            btf_id: 0,
            btf_fd_slot: 0,
        })
    }
}

fn s(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// libbpf's name for an internal map with an empty object name.
fn internal_name(real: &[u8]) -> String {
    let mut n: String = s(real).chars().take(15).collect();
    n = n
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    n
}

fn num<T: std::str::FromStr>(x: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    x.parse().expect("number")
}

/// Compares the core with libbpf on `obj_path`; returns a summary.
fn cross_check(obj_path: &Path, kconfig: Option<&str>) -> String {
    let out = common::run_oracle(obj_path, kconfig);
    if let Some(e) = out.error() {
        panic!("libbpf oracle failed on {}: {e:?}", obj_path.display());
    }
    let data = std::fs::read(obj_path).expect("read object");
    let obj = Object::parse(&data, &NoCheckpoint)
        .unwrap_or_else(|e| panic!("core rejected {}: {e}", obj_path.display()));
    let ctx = obj_path.file_name().unwrap().to_string_lossy().to_string();

    // Programs.
    let progs = out.tagged("prog");
    assert_eq!(progs.len(), obj.programs().len(), "{ctx}: program count");
    for (l, p) in progs.iter().zip(obj.programs()) {
        assert_eq!(l[0], s(p.name), "{ctx}: program name");
        assert_eq!(l[1], s(p.section), "{ctx}: {} section", l[0]);
        assert_eq!(num::<u32>(&l[2]), p.prog_type, "{ctx}: {} type", l[0]);
        assert_eq!(
            num::<u32>(&l[3]),
            p.expected_attach_type,
            "{ctx}: {} eat",
            l[0]
        );
        assert_eq!(num::<u32>(&l[4]), p.insn_cnt, "{ctx}: {} insns", l[0]);
        assert_eq!(l[5] == "1", p.autoload, "{ctx}: {} autoload", l[0]);
    }

    // Maps.
    let maps = out.tagged("map");
    assert_eq!(maps.len(), obj.maps().len(), "{ctx}: map count");
    for (l, m) in maps.iter().zip(obj.maps()) {
        let name = if m.kind == MapKind::Btf {
            s(m.name)
        } else {
            internal_name(m.name)
        };
        assert_eq!(l[0], name, "{ctx}: map name");
        let what = format!("{ctx}: map {name}");
        assert_eq!(num::<u32>(&l[1]), m.map_type, "{what} type");
        assert_eq!(num::<u32>(&l[2]), m.key_size, "{what} key");
        assert_eq!(num::<u32>(&l[3]), m.value_size, "{what} value");
        assert_eq!(num::<u32>(&l[4]), m.max_entries_for(4096), "{what} max");
        assert_eq!(num::<u32>(&l[5]), m.map_flags, "{what} flags");
        assert_eq!(num::<u32>(&l[6]), m.numa_node, "{what} numa");
        assert_eq!(num::<u64>(&l[7]), m.map_extra, "{what} extra");
        assert_eq!(num::<u32>(&l[8]), m.btf_key_type_id, "{what} btf key");
        assert_eq!(num::<u32>(&l[9]), m.btf_value_type_id, "{what} btf value");
        assert_eq!(l[10] == "1", m.inner.is_some(), "{what} inner");
        assert_eq!(l[11] == "1", m.pinning == 1, "{what} pinning");
        let init = common::unhex(&l[12]);
        match m.kind {
            MapKind::Btf | MapKind::Kconfig => {}
            MapKind::Bss => assert!(init.iter().all(|&b| b == 0), "{what} bss"),
            _ => assert_eq!(init, m.init_data, "{what} initial data"),
        }
    }
    for l in out.tagged("inner") {
        let m = &obj.maps()[obj.map_by_name(l[0].as_bytes()).expect("outer map")];
        let i = &obj.inner_maps()[m.inner.expect("inner map")];
        let got = [
            i.map_type,
            i.key_size,
            i.value_size,
            i.max_entries,
            i.map_flags,
        ];
        let want: Vec<u32> = l[1..6].iter().map(|x| num(x)).collect();
        assert_eq!(got.to_vec(), want, "{ctx}: inner map of {}", l[0]);
    }
    let slots = out.tagged("slot");
    let ours: usize = obj.maps().iter().map(|m| m.slots.len()).sum();
    assert_eq!(slots.len(), ours, "{ctx}: slot count");
    for l in &slots {
        let m = &obj.maps()[obj.map_by_name(l[0].as_bytes()).expect("slot map")];
        let idx: u32 = num(&l[1]);
        let (_, t) = m.slots.iter().find(|(i, _)| *i == idx).expect("slot");
        let tname = match *t {
            bpfobj::maps::SlotTarget::Map(j) => s(obj.maps()[j].name),
            bpfobj::maps::SlotTarget::Prog(j) => s(obj.programs()[j].name),
        };
        assert_eq!(tname, l[2], "{ctx}: slot {} of {}", l[1], l[0]);
    }

    // Externs.
    let exts = out.tagged("ext");
    assert_eq!(exts.len(), obj.externs().len(), "{ctx}: extern count");
    for (l, e) in exts.iter().zip(obj.externs()) {
        assert_eq!(l[1], s(e.name), "{ctx}: extern order");
        assert_eq!(l[3] == "1", e.weak, "{ctx}: extern {} weak", l[1]);
        if let externs::ExternKind::Kconfig { data_off, size, .. } = e.kind {
            assert_eq!(l[2], "kcfg");
            assert_eq!(num::<u32>(&l[4]), data_off, "{ctx}: {} data_off", l[1]);
            assert_eq!(num::<u32>(&l[5]), size, "{ctx}: {} size", l[1]);
        } else {
            assert_eq!(l[2], "ksym");
        }
    }
    let kv: u32 = num(&out.tagged("kernel_version")[0][0]);
    let env = OracleEnv::new(kconfig, kv);
    let res =
        bpfobj::plan::resolve_externs(&obj, &env).unwrap_or_else(|e| panic!("{ctx}: resolve: {e}"));
    if let Some(k) = out.tagged("kconfig").first() {
        assert_eq!(
            res.kconfig.as_slice(),
            common::unhex(&k[0]),
            "{ctx}: kconfig bytes"
        );
    } else {
        assert!(res.kconfig.is_empty());
    }

    // BTF for BPF_BTF_LOAD.
    if let Some(b) = out.tagged("btf").first() {
        let want = common::unhex(&b[0]);
        let got = obj.btf().expect("btf");
        if got != want.as_slice() {
            let first = got.iter().zip(&want).position(|(a, b)| a != b);
            panic!(
                "{ctx}: fixed BTF differs: ours {} bytes, libbpf {} bytes, first difference at {first:?}",
                got.len(),
                want.len()
            );
        }
    } else {
        assert!(obj.btf().is_none());
    }

    // Relocated programs.
    let mut summary = String::new();
    for l in out.tagged("insns") {
        let name = &l[0];
        let pi = obj.program_by_name(name.as_bytes()).expect("program");
        let linked = relocate::relocate(&obj, pi, &res, &NoCheckpoint)
            .unwrap_or_else(|e| panic!("{ctx}: link {name}: {e}"));
        let want = common::unhex(&l[1]);
        let got: Vec<u8> = linked.insns.iter().flat_map(|i| i.to_bytes()).collect();
        if got != want {
            let n = got.len().min(want.len()) / 8;
            let first = (0..n).find(|&i| got[i * 8..i * 8 + 8] != want[i * 8..i * 8 + 8]);
            panic!(
                "{ctx}: {name}: linked insns differ: ours {} libbpf {}; first difference at insn {first:?}: ours {:02x?} libbpf {:02x?}",
                got.len() / 8,
                want.len() / 8,
                first.map(|i| &got[i * 8..i * 8 + 8]),
                first.map(|i| &want[i * 8..i * 8 + 8]),
            );
        }
        let fi: Vec<(u32, u32)> = out
            .tagged("func_info")
            .iter()
            .filter(|x| &x[0] == name)
            .map(|x| (num(&x[1]), num(&x[2])))
            .collect();
        let ours: Vec<(u32, u32)> = linked
            .func_info
            .iter()
            .map(|f| (f.insn_off, f.type_id))
            .collect();
        assert_eq!(ours, fi, "{ctx}: {name}: func_info");
        let li: Vec<[u32; 4]> = out
            .tagged("line_info")
            .iter()
            .filter(|x| &x[0] == name)
            .map(|x| [num(&x[1]), num(&x[2]), num(&x[3]), num(&x[4])])
            .collect();
        let ours: Vec<[u32; 4]> = linked
            .line_info
            .iter()
            .map(|l| [l.insn_off, l.file_name_off, l.line_off, l.line_col])
            .collect();
        assert_eq!(ours, li, "{ctx}: {name}: line_info");
        let cr: Vec<[u32; 4]> = out
            .tagged("core")
            .iter()
            .filter(|x| &x[0] == name)
            .map(|x| [num(&x[1]), num(&x[2]), num(&x[3]), num(&x[4])])
            .collect();
        let ours: Vec<[u32; 4]> = linked
            .core_relos
            .iter()
            .map(|c| [c.insn_off, c.type_id, c.access_str_off, c.kind])
            .collect();
        assert_eq!(ours, cr, "{ctx}: {name}: core_relos");
        summary.push_str(&format!(
            "{name}: {} insns, {} func_info, {} line_info, {} core\n",
            linked.insns.len(),
            linked.func_info.len(),
            linked.line_info.len(),
            linked.core_relos.len()
        ));
    }
    summary
}

macro_rules! upstream {
    ($($test:ident: $name:literal $(, kconfig = $k:expr)?;)*) => {
        $(
            #[test]
            fn $test() {
                #[allow(unused_mut, unused_assignments)]
                let mut k: Option<&str> = None;
                $(k = Some($k);)?
                let s = cross_check(&common::upstream_path($name), k);
                eprintln!("{}", s);
            }
        )*
    };
}

macro_rules! ours {
    ($($test:ident: $name:literal $(, kconfig = $k:expr)?;)*) => {
        $(
            #[test]
            fn $test() {
                #[allow(unused_mut, unused_assignments)]
                let mut k: Option<&str> = None;
                $(k = Some($k);)?
                let s = cross_check(&common::ours_path($name), k);
                eprintln!("{}", s);
            }
        )*
    };
}

macro_rules! linked {
    ($($test:ident: [$($name:literal),*] $(, kconfig = $k:expr)?;)*) => {
        $(
            #[test]
            fn $test() {
                #[allow(unused_mut, unused_assignments)]
                let mut k: Option<&str> = None;
                $(k = Some($k);)?
                let s = cross_check(&common::upstream_linked(&[$($name),*]), k);
                eprintln!("{}", s);
            }
        )*
    };
}

// Statically linked objects: DATASEC sizes and offsets already set by the
// linker, weak and extern functions resolved across files.
linked! {
    linked_funcs: ["linked_funcs1", "linked_funcs2"];
    linked_vars: ["linked_vars1", "linked_vars2"], kconfig = "CONFIG_BPF_SYSCALL=y\n";
}

const CORE_EXTERN_CFG: &str = "CONFIG_BPF_SYSCALL=n\nCONFIG_TRISTATE=m\nCONFIG_BOOL=y\n\
CONFIG_CHAR=100\nCONFIG_USHORT=30000\nCONFIG_INT=123456\nCONFIG_ULONG=0xDEADBEEFC0DE\n\
CONFIG_STR=\"abracad\"\nCONFIG_MISSING=0\n";

upstream! {
    upstream_test_global_data: "test_global_data";
    upstream_test_btf_map_in_map: "test_btf_map_in_map";
    upstream_map_ptr_kern: "map_ptr_kern";
    upstream_loop1: "loop1";
    upstream_loop6: "loop6";
    upstream_atomics: "atomics";
    upstream_fentry_test: "fentry_test";
    upstream_test_core_reloc_kernel: "test_core_reloc_kernel";
    upstream_test_pinning: "test_pinning";
    upstream_tailcall1: "tailcall1";
    upstream_tailcall_bpf2bpf1: "tailcall_bpf2bpf1";
    upstream_test_rdonly_maps: "test_rdonly_maps";
    upstream_test_mmap: "test_mmap";
    upstream_test_core_extern: "test_core_extern", kconfig = CORE_EXTERN_CFG;
    upstream_test_global_func1: "test_global_func1";
    upstream_test_subprogs: "test_subprogs";
    upstream_bpf_loop: "bpf_loop";
    upstream_test_ksyms_btf: "test_ksyms_btf";
    upstream_test_ksyms_weak: "test_ksyms_weak";
    upstream_kfunc_call_test: "kfunc_call_test";
    upstream_exceptions: "exceptions";
    upstream_core_kern: "core_kern";
    upstream_test_vmlinux: "test_vmlinux";
    upstream_test_prog_array_init: "test_prog_array_init";
    upstream_bloom_filter_map: "bloom_filter_map";
    upstream_bloom_filter_bench: "bloom_filter_bench";
    upstream_test_ringbuf: "test_ringbuf";
    upstream_test_skeleton: "test_skeleton", kconfig = "CONFIG_BPF_SYSCALL=y\n";
    upstream_test_sk_storage_tracing: "test_sk_storage_tracing";
}

ours! {
    ours_loadfd_subprogs: "loadfd_subprogs";
    ours_loadfd_globals: "loadfd_globals";
    ours_loadfd_execve: "loadfd_execve";
    ours_loadfd_externs: "loadfd_externs", kconfig = "CONFIG_HZ=250\nCONFIG_BPF_SYSCALL=y\n";
    ours_loadfd_minimal: "loadfd_minimal";
    ours_loadfd_map_ref: "loadfd_map_ref";
    ours_loadfd_kfunc: "loadfd_kfunc";
    ours_loadfd_lsm: "loadfd_lsm";
    ours_loadfd_kconfig: "loadfd_kconfig",
        kconfig = "CONFIG_BPF_LOADFD=y\nCONFIG_BPF_SYSCALL=y\nCONFIG_BPF_JIT=y\nCONFIG_HZ=250\n";
    ours_loadfd_kconfig_str: "loadfd_kconfig_str",
        kconfig = "CONFIG_DEFAULT_HOSTNAME=\"(none)\"\n";
}
