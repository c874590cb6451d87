// SPDX-License-Identifier: GPL-2.0

//! `bpfobj::sort`, the constant-stack heapsort that replaces `core`'s
//! recursive sorts (which overflowed the 16 KiB kernel stack: fuzz findings
//! F1 in `kconfig::Index::new` and F2 in `Elf::parse_with`).
//!
//! - It sorts like the std sorts it replaced (property tests against
//!   `sort_unstable_by_key`, lengths 0, 1, 2 up to 100,000).
//! - Its stack use does not grow with the input: measured here from the
//!   address of a local in the key function, in userspace. Whether the
//!   kernel's 16 KiB stack suffices for the whole load path is only
//!   observable in the VM (the fuzz run, `dev/fuzz-vm.sh`).
//! - The shapes that crashed the kernel (thousands of sections, a
//!   several-thousand-line `.config`, thousands of externs) parse, with the
//!   same results as a std sort would give.

// The std sorts are the reference here; the core may not use them.
#![allow(clippy::disallowed_methods)]

mod gen;

use std::cell::Cell;

use bpfobj::checkpoint::NoCheckpoint;
use bpfobj::error::{Error, ProgError};
use bpfobj::externs::ExternKind;
use bpfobj::kconfig::{self, Index};
use bpfobj::object::Object;
use bpfobj::sort;
use gen::*;
use proptest::prelude::*;

/// Checks `ours` (sorted by `key`) against std's unstable sort of `orig`:
/// the same key sequence and the same elements.
fn check_by_key<T: Clone + Ord + std::fmt::Debug, K: Ord + std::fmt::Debug>(
    orig: &[T],
    ours: &[T],
    key: impl Fn(&T) -> K,
) {
    let mut want = orig.to_vec();
    want.sort_unstable_by_key(&key);
    let keys = |v: &[T]| v.iter().map(&key).collect::<Vec<_>>();
    assert_eq!(keys(ours), keys(&want));
    let (mut a, mut b) = (ours.to_vec(), want);
    a.sort_unstable();
    b.sort_unstable();
    assert_eq!(a, b, "not a permutation of the input");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn sort_by_key_sorts_like_std(
        v in prop::collection::vec((0u8..16, any::<u32>()), 0..600),
    ) {
        let mut ours = v.clone();
        sort::sort_by_key(&mut ours, |e| e.0);
        check_by_key(&v, &ours, |e| e.0);
    }

    #[test]
    fn sort_and_sort_by_match_std(v in prop::collection::vec(any::<(u16, u8)>(), 0..600)) {
        let mut ours = v.clone();
        sort::sort(&mut ours);
        let mut want = v.clone();
        want.sort_unstable();
        prop_assert_eq!(&ours, &want);
        // Descending by a comparator.
        sort::sort_by(&mut ours, |a, b| b.cmp(a));
        want.reverse();
        prop_assert_eq!(ours, want);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4))]

    #[test]
    fn large_slices_sort_like_std(
        v in prop::collection::vec((any::<u16>(), any::<u64>()), 100_000),
    ) {
        let mut ours = v.clone();
        sort::sort_by_key(&mut ours, |e| e.0);
        check_by_key(&v, &ours, |e| e.0);
    }
}

#[test]
fn tiny_and_patterned_slices() {
    for n in [0usize, 1, 2, 3] {
        for v in patterns(n) {
            let mut ours = v.clone();
            sort::sort_by_key(&mut ours, |e| e.0);
            check_by_key(&v, &ours, |e| e.0);
        }
    }
    for v in patterns(100_000) {
        let mut ours = v.clone();
        sort::sort_by_key(&mut ours, |e| e.0);
        check_by_key(&v, &ours, |e| e.0);
    }
}

/// Sorted, reversed, all equal, sawtooth and organ pipe inputs of length
/// `n` (the shapes that drive quicksorts to their worst).
fn patterns(n: usize) -> Vec<Vec<(u32, u32)>> {
    let n32 = n as u32;
    let idx = 0..n32;
    vec![
        idx.clone().map(|i| (i, i)).collect(),
        idx.clone().map(|i| (n32 - i, i)).collect(),
        idx.clone().map(|i| (7, i)).collect(),
        idx.clone().map(|i| (i % 17, i)).collect(),
        idx.map(|i| (i.min(n32 - i), i)).collect(),
    ]
}

/// How deep below this frame the key function of `sort_by_key` ran, in
/// bytes, sorting `n` 48-byte elements (like the core's tuples).
#[inline(never)]
fn sort_stack_depth(n: usize) -> usize {
    let top = 0u8;
    let top = std::hint::black_box(&top) as *const u8 as usize;
    let low = Cell::new(usize::MAX);
    let mut x: u64 = 0x6c6f_6164_6664;
    let mut v: Vec<(&[u8], &[u8], u64, usize)> = (0..n)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (&b"name"[..(x % 5) as usize], &b""[..], x, i)
        })
        .collect();
    run_sort(&mut v, &|| {
        let probe = 0u8;
        let at = std::hint::black_box(&probe) as *const u8 as usize;
        low.set(low.get().min(at));
    });
    assert!(v.windows(2).all(|w| (w[0].0, w[0].3) <= (w[1].0, w[1].3)));
    top.saturating_sub(low.get())
}

#[inline(never)]
fn run_sort(v: &mut [(&[u8], &[u8], u64, usize)], probe: &dyn Fn()) {
    sort::sort_by_key(v, |e| {
        probe();
        (e.0, e.3)
    });
}

#[test]
fn sort_stack_use_is_constant() {
    // Rust's sort_unstable_by_key on the same input goes about 10 KiB
    // deeper at 100,000 elements than at 16 (debug build): that is what
    // overran the kernel stack. Ours must not grow at all.
    let small = sort_stack_depth(16);
    assert!(small > 0 && small < 16 * 1024, "{small}");
    for n in [1000, 4000, 100_000] {
        assert_eq!(sort_stack_depth(n), small, "n = {n}");
    }
}

// --- Regressions: the shapes that overflowed the kernel stack ---------------

#[test]
fn thousands_of_sections_parse() {
    // F2: the section extent sort in Elf::parse_with, then the program,
    // function, name and DATASEC sorts of Object::parse.
    let n = 4000;
    let data = many_sections(n, 2);
    let obj = Object::parse(&data, &NoCheckpoint).unwrap();
    assert!(obj.elf().section_count() as usize > n);
    assert_eq!(obj.programs().len(), n);
    for i in [0, 1, n / 2, n - 1] {
        let name = format!("f{i}");
        let p = obj.program_by_name(name.as_bytes()).unwrap();
        assert_eq!(obj.programs()[p].name, name.as_bytes());
    }
    assert_eq!(obj.program_by_name(b"f4000"), None);
    // Functions sorted by section then offset.
    let funcs = obj.functions();
    assert!(funcs.windows(2).all(|w| w[0].section < w[1].section));
}

#[test]
fn duplicate_names_among_thousands_name_the_later() {
    // Equal sort keys are made total with the index, so the duplicate
    // reported does not depend on how the sort orders them.
    let mut e = Elf::new();
    let mut syms = Vec::new();
    for i in 0..4000 {
        let sec = e.code(format!("kprobe/s{i}").as_bytes(), &body(2));
        let name = if i == 3999 {
            "p17".to_string()
        } else {
            format!("p{i}")
        };
        syms.push(e.func(name.as_bytes(), sec, 0, 2));
    }
    let err = Object::parse(&e.finish(), &NoCheckpoint).unwrap_err();
    assert_eq!(err, Error::at_symbol(syms[3999], ProgError::DuplicateName));
}

#[test]
fn thousands_of_config_lines_index() {
    // F1: kconfig::Index::new sorted (name, value, line) tuples.
    let mut config = String::from("# Automatically generated file\n");
    for i in 0..5000 {
        // Reverse order, a comment every so often, and some names twice
        // (the first line wins, as in a linear scan).
        let k = 5000 - i;
        match i % 7 {
            0 => config.push_str(&format!("# CONFIG_OFF_{k} is not set\n")),
            1 => config.push_str(&format!("CONFIG_DUP_{}=\"{i}\"\n", k % 50)),
            2 => config.push_str(&format!("CONFIG_T_{k}=m\n")),
            _ => config.push_str(&format!("CONFIG_N_{k}={i}\n")),
        }
    }
    let config = config.as_bytes();
    assert!(config.split(|&c| c == b'\n').count() > 5000);
    let index = Index::new(config, &NoCheckpoint).unwrap();
    for line in config.split(|&c| c == b'\n') {
        let name = match line.iter().position(|&c| c == b'=') {
            Some(eq) => &line[..eq],
            None => line
                .strip_prefix(b"# ")
                .unwrap_or(line)
                .split(|&c| c == b' ')
                .next()
                .unwrap(),
        };
        assert_eq!(
            index.lookup(name),
            kconfig::lookup(config, name),
            "{name:?}"
        );
    }
    assert_eq!(index.lookup(b"CONFIG_NONE"), None);
}

/// `nkcfg` `__kconfig` externs of assorted sizes and alignments (ints of
/// 1 to 8 bytes, char arrays) and `nksym` typeless ksyms, in a scrambled
/// order.
fn many_mixed_externs(nkcfg: usize, nksym: usize) -> Vec<u8> {
    let mut e = Elf::new();
    let mut btf = Btf::new();
    let ch = btf.raw(btf.strs.len() as u32, 1, 0, false, 1, &[(2 << 24) | 8]);
    btf.str(b"char");
    let idx = btf.int(b"__ARRAY_SIZE_TYPE__", 4);
    let ints = [1, 2, 4, 8].map(|s| btf.int(format!("u{s}").as_bytes(), s));
    let void = btf.raw(0, 10, 0, false, 0, &[]);
    let (mut kcfg, mut ksyms) = (Vec::new(), Vec::new());
    for i in 0..nkcfg.max(nksym) {
        let j = (i * 7919) % nkcfg.max(nksym);
        if j < nkcfg {
            let name = format!("CONFIG_X{j}");
            let (t, size) = match j % 5 {
                4 => (btf.array(ch, idx, (j % 13 + 1) as u32), (j % 13 + 1) as u32),
                k => (ints[k], 1 << k),
            };
            kcfg.push((btf.var(name.as_bytes(), t, 2), 0, size));
            let n = e.str(name.as_bytes());
            e.sym(Sym {
                name: n,
                bind: STB_GLOBAL,
                typ: STT_NOTYPE,
                shndx: 0,
                ..Default::default()
            });
        }
        if j < nksym {
            let name = format!("ksym{j}");
            ksyms.push((btf.var(name.as_bytes(), void, 2), 0, 0));
            let n = e.str(name.as_bytes());
            e.sym(Sym {
                name: n,
                bind: STB_GLOBAL,
                typ: STT_NOTYPE,
                shndx: 0,
                ..Default::default()
            });
        }
    }
    btf.datasec(b".kconfig", 0, &kcfg);
    btf.datasec(b".ksyms", 0, &ksyms);
    let sec = e.code(b"socket", &body(2));
    e.func(b"prog", sec, 0, 2);
    add_btf(&mut e, &btf, None);
    e.finish()
}

#[test]
fn thousands_of_externs_sort_like_libbpf() {
    // The externs comparator sort, the name index and the symbol index.
    let data = many_mixed_externs(3000, 1000);
    let obj = Object::parse(&data, &NoCheckpoint).unwrap();
    let ext = obj.externs();
    assert_eq!(ext.len(), 4000);
    // libbpf's cmp_externs: kconfig first, by alignment descending, size
    // ascending, then name; ksyms by name.
    let rank = |k: &ExternKind| match *k {
        ExternKind::Kconfig { align, size, .. } => (0, u32::MAX - align, size),
        ExternKind::Ksym { .. } => (1, 0, 0),
    };
    let mut want = ext.to_vec();
    want.sort_by(|a, b| rank(&a.kind).cmp(&rank(&b.kind)).then(a.name.cmp(b.name)));
    assert_eq!(ext, &want[..]);
    // Offsets: increasing, aligned, and the map as big as the last one.
    let mut end = 0;
    for x in ext {
        if let ExternKind::Kconfig {
            data_off,
            size,
            align,
            ..
        } = x.kind
        {
            assert!(data_off >= end && data_off % align == 0, "{x:?}");
            end = data_off + size;
        }
    }
    let m = &obj.maps()[obj.kconfig_map().unwrap()];
    assert_eq!(m.value_size, end);
    for (i, x) in ext.iter().enumerate() {
        assert_eq!(obj.extern_of_symbol(x.symbol), Some(i));
    }
}
