// SPDX-License-Identifier: GPL-2.0

//! The core is a stack of modules: no module imports, directly or through
//! others, a module that imports it (architecture review §1.3). Read from
//! the sources: every `crate::bpfobj::<module>` path outside comments and
//! `#[cfg(test)]` code is an edge.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    // At run time: a target dir shared between clones keeps the binary of
    // whichever clone built it last.
    let root =
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into());
    let dir = Path::new(&root).join("src/bpfobj");
    let mut mods = BTreeMap::new();
    for e in fs::read_dir(&dir).expect("src/bpfobj") {
        let p = e.expect("entry").path();
        let name = p.file_stem().unwrap().to_string_lossy().into_owned();
        if p.extension().is_some_and(|x| x == "rs") && name != "mod" {
            let text = fs::read_to_string(&p).expect("read");
            let text = text.split("#[cfg(test)]").next().unwrap_or("").to_string();
            mods.insert(name, text);
        }
    }
    let mut g = BTreeMap::new();
    for (m, text) in &mods {
        let mut deps = BTreeSet::new();
        for line in text.lines().filter(|l| !l.trim_start().starts_with("//")) {
            for (i, _) in line.match_indices("crate::bpfobj::") {
                let rest = &line[i + "crate::bpfobj::".len()..];
                let d: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if mods.contains_key(&d) && d != *m {
                    deps.insert(d);
                }
            }
        }
        g.insert(m.clone(), deps);
    }
    g
}

/// The modules `m` reaches.
fn reach(g: &BTreeMap<String, BTreeSet<String>>, m: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<&str> = g[m].iter().map(String::as_str).collect();
    while let Some(d) = stack.pop() {
        if seen.insert(d.to_string()) {
            stack.extend(g[d].iter().map(String::as_str));
        }
    }
    seen
}

#[test]
fn the_core_has_no_import_cycles() {
    let g = graph();
    assert!(g.len() > 20, "read only {} modules", g.len());
    let cyclic: Vec<&String> = g.keys().filter(|m| reach(&g, m).contains(*m)).collect();
    assert!(cyclic.is_empty(), "modules on an import cycle: {cyclic:?}");
}

#[test]
fn the_parsers_stand_below_the_object() {
    let g = graph();
    for parser in [
        "bytes", "elf", "btf", "btf_ext", "insn", "error", "limits", "model",
    ] {
        let r = reach(&g, parser);
        for upper in ["object", "plan", "relocate", "maps", "reloc", "externs"] {
            assert!(!r.contains(upper), "{parser} reaches {upper}");
        }
    }
}
