// SPDX-License-Identifier: GPL-2.0

//! The plan (`bpfobj::plan`) on real clang-built objects: what the kernel
//! executes and `bpf-loadfd inspect` prints. (The VM test
//! `loadfd_inspect_test` checks that the kernel does what the plan says.)

mod common;
mod envs;

use bpfobj::checkpoint::NoCheckpoint;
use bpfobj::error::{Error, ErrorClass, Location, MapError};
use bpfobj::object::Object;
use bpfobj::plan::{self, Host, Plan, ProgOutcome, Reason, FUNC_INFO_REC_SIZE};
use bpfobj::relocate;
use envs::YesEnv;

const HOST: Host = Host {
    page_size: 4096,
    uprobe_multi: true,
};

fn outcomes<'o>(obj: &'o Object<'o>) -> Vec<ProgOutcome<'o>> {
    let mut plan = Plan::new(obj, &YesEnv(&NoCheckpoint), HOST, &NoCheckpoint).unwrap();
    let mut out = Vec::new();
    while let Some(step) = plan.next_prog(&NoCheckpoint) {
        out.push(step.unwrap());
    }
    out
}

#[test]
fn an_unlinkable_program_is_refused_alone() {
    let data = common::ours("loadfd_partial");
    let obj = Object::parse(&data, &NoCheckpoint).unwrap();
    let out = outcomes(&obj);
    assert_eq!(out.len(), 2);
    let mut loaded = Vec::new();
    let mut refused = Vec::new();
    for o in &out {
        match o {
            ProgOutcome::Load(p) => loaded.push(p.prog.name),
            ProgOutcome::Refused { index, error } => {
                assert!(error.is_program_local());
                assert_eq!(error.class(), ErrorClass::Malformed);
                // The line the kernel logs (sysfs programs/<name>/error).
                let line = Reason::new(&data, Some(&obj), *error).to_string();
                assert!(
                    line.contains("pseudo instruction without relocation"),
                    "{line}"
                );
                refused.push(obj.programs()[*index].name);
            }
        }
    }
    assert_eq!(loaded, [b"loadfd_partial_ok".as_slice()]);
    assert_eq!(refused, [b"loadfd_partial_bad".as_slice()]);
}

#[test]
fn prog_load_layouts_are_the_relocated_program() {
    let data = common::upstream("test_subprogs");
    let obj = Object::parse(&data, &NoCheckpoint).unwrap();
    let res = plan::resolve_externs(&obj, &YesEnv(&NoCheckpoint)).unwrap();
    let out = outcomes(&obj);
    assert_eq!(out.len(), obj.programs().len());
    for o in &out {
        let ProgOutcome::Load(p) = o else {
            panic!("test_subprogs: a program was refused");
        };
        let r = relocate::relocate(&obj, p.index, &res, &NoCheckpoint).unwrap();
        assert_eq!(p.insn_cnt() as usize, r.insns.len());
        assert_eq!(p.func_info_cnt() as usize, r.func_info.len());
        assert_eq!(p.line_info_cnt() as usize, r.line_info.len());
        assert_eq!(p.core_relo_cnt() as usize, r.core_relos.len());
        assert_eq!(
            p.func_info.len(),
            r.func_info.len() * FUNC_INFO_REC_SIZE as usize
        );
        let first: Vec<u8> = r.insns.iter().flat_map(|i| i.to_bytes()).collect();
        assert_eq!(&p.insns[..], &first[..]);
        assert_eq!(p.layout.len(), r.layout.len());
    }
}

#[test]
fn map_count_includes_created_struct_ops_maps() {
    let data = common::upstream("dummy_st_ops_success");
    let obj = Object::parse(&data, &NoCheckpoint).unwrap();
    let created = obj.struct_ops().iter().filter(|m| m.autocreate).count();
    assert!(created > 0);
    assert_eq!(plan::map_count(&obj), obj.maps().len() + created);
    let plan = Plan::new(&obj, &YesEnv(&NoCheckpoint), HOST, &NoCheckpoint).unwrap();
    assert_eq!(plan.struct_ops().count(), created);
    assert_eq!(plan.maps().count(), obj.maps().len());
}

#[test]
fn global_data_maps_carry_their_bytes_and_rodata_is_frozen() {
    let data = common::upstream("test_global_data");
    let obj = Object::parse(&data, &NoCheckpoint).unwrap();
    let plan = Plan::new(&obj, &YesEnv(&NoCheckpoint), HOST, &NoCheckpoint).unwrap();
    let mut seen_rodata = false;
    for m in plan.maps() {
        if m.def.name.ends_with(b".rodata") {
            seen_rodata = true;
            assert!(m.freeze);
            assert_eq!(m.init.map(<[u8]>::len), Some(m.def.value_size as usize));
        }
        if m.def.name.ends_with(b".bss") {
            assert!(!m.freeze);
            assert_eq!(m.init, None);
        }
    }
    assert!(seen_rodata);
}

#[test]
fn a_bad_inner_map_index_is_a_core_error() {
    // The kernel's last ad-hoc line is a core error now, the same in
    // `inspect`.
    let e = Error::at(Location::Map(3), MapError::InnerOutOfRange { inner: 7 });
    assert_eq!(e.class().errno(), 22);
    assert_eq!(e.to_string(), "maps: map 3: inner map 7 out of range");
}
