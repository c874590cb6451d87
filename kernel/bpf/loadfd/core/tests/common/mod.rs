// SPDX-License-Identifier: GPL-2.0

//! Test infrastructure shared by the core's integration tests: compiles real
//! BPF objects with clang at test time and builds the libbpf oracle.
//!
//! - The kernel tree is `$LOADFD_KSRC` or `/root/.cache/loadfd/linux`; tests
//!   panic if it is missing (no silent skips).
//! - Objects are compiled with `clang-19 -O2 -g -target bpf
//!   -D__TARGET_ARCH_x86 -mcpu=v3` against the tree's selftests and libbpf
//!   headers (`bpf_helper_defs.h` is generated with `scripts/bpf_doc.py`
//!   into a cache directory, never into the tree).
//! - Programs that include `vmlinux.h` get one generated with `bpftool btf
//!   dump` from `$LOADFD_VMLINUX` or `/root/.cache/loadfd/build/vmlinux`.
//! - Everything is cached under `target/tmp/loadfd-bpf/`, keyed by a hash
//!   of the source and flags; writes are atomic (temp file + rename), so
//!   parallel tests and test binaries can share the cache.
//!
//! Usage: `mod common;` then `common::upstream("test_global_data")` (an
//! upstream selftests program) or `common::ours("loadfd_execve")` (a program
//! under this repo's `tools/testing/selftests/bpf/progs/`), both returning
//! the object's bytes.

#![allow(dead_code, unreachable_pub)]

use std::collections::hash_map::DefaultHasher;
use std::fs;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// The clang used for BPF objects.
pub const CLANG: &str = "clang-19";

/// The kernel source tree (panics if missing).
pub fn ksrc() -> PathBuf {
    let p = std::env::var_os("LOADFD_KSRC")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/root/.cache/loadfd/linux"));
    assert!(
        p.join("tools/lib/bpf/libbpf.c").is_file(),
        "kernel tree not found at {} (set LOADFD_KSRC)",
        p.display()
    );
    p
}

/// The crate directory of this checkout: from the environment `cargo test`
/// runs the binary in, since a test binary cached in a target directory
/// shared between checkouts may have been compiled in another one.
pub fn manifest_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

/// The repository root.
pub fn repo() -> PathBuf {
    manifest_dir()
        .join("../../../..")
        .canonicalize()
        .expect("repo root")
}

/// The cache directory (`target/tmp/loadfd-bpf`).
pub fn cache() -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("loadfd-bpf");
    fs::create_dir_all(&d).expect("create cache dir");
    d
}

fn unique_tmp(dir: &Path, name: &str) -> PathBuf {
    static N: AtomicU64 = AtomicU64::new(0);
    dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ))
}

/// Writes `bytes` to `path` atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) {
    let tmp = unique_tmp(path.parent().expect("parent"), "w");
    fs::write(&tmp, bytes).expect("write temp file");
    fs::rename(&tmp, path).expect("rename temp file");
}

fn run(cmd: &mut Command) -> Vec<u8> {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn hash_of(parts: &[&[u8]]) -> String {
    let mut h = DefaultHasher::new();
    for p in parts {
        p.hash(&mut h);
    }
    format!("{:016x}", h.finish())
}

/// The include directory with `bpf_helper_defs.h` and `bpf/*.h`.
pub fn include_dir() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let k = ksrc();
        let uapi = fs::read(k.join("include/uapi/linux/bpf.h")).expect("uapi bpf.h");
        let dir = cache().join(format!("include-{}", hash_of(&[&uapi])));
        if dir.join("bpf/bpf_helpers.h").exists() {
            return dir;
        }
        let tmp = unique_tmp(&cache(), "include");
        fs::create_dir_all(tmp.join("bpf")).expect("mkdir include");
        let defs = run(Command::new("python3")
            .arg(k.join("scripts/bpf_doc.py"))
            .arg("--header")
            .arg("--file")
            .arg(k.join("include/uapi/linux/bpf.h")));
        fs::write(tmp.join("bpf_helper_defs.h"), &defs).expect("write defs");
        fs::write(tmp.join("bpf/bpf_helper_defs.h"), &defs).expect("write defs");
        for e in fs::read_dir(k.join("tools/lib/bpf")).expect("tools/lib/bpf") {
            let p = e.expect("dir entry").path();
            if p.extension().is_some_and(|x| x == "h") {
                fs::copy(&p, tmp.join("bpf").join(p.file_name().expect("name")))
                    .expect("copy libbpf header");
            }
        }
        if fs::rename(&tmp, &dir).is_err() {
            // Another process won the race.
            let _ = fs::remove_dir_all(&tmp);
        }
        dir
    })
    .clone()
}

/// The vmlinux image whose BTF gives `vmlinux.h`.
pub fn vmlinux() -> PathBuf {
    let p = std::env::var_os("LOADFD_VMLINUX")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/root/.cache/loadfd/build/vmlinux"));
    assert!(
        p.is_file(),
        "{} not found: programs that include vmlinux.h need the 6.12 kernel build \
         (or set LOADFD_VMLINUX to a file with .BTF)",
        p.display()
    );
    p
}

/// A directory containing `vmlinux.h` generated from [`vmlinux`].
pub fn vmlinux_h_dir() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let v = vmlinux();
        let meta = fs::metadata(&v).expect("stat vmlinux");
        let stamp = format!("{}:{}:{:?}", v.display(), meta.len(), meta.modified().ok());
        let dir = cache().join(format!("vmlinux-{}", hash_of(&[stamp.as_bytes()])));
        let h = dir.join("vmlinux.h");
        if h.exists() {
            return dir;
        }
        fs::create_dir_all(&dir).expect("mkdir vmlinux dir");
        let out = run(Command::new("bpftool")
            .args(["btf", "dump", "file"])
            .arg(&v)
            .args(["format", "c"]));
        write_atomic(&h, &out);
        dir
    })
    .clone()
}

/// The clang flags (without `-c`, `-o` and the source).
pub fn cflags(with_vmlinux: bool) -> Vec<String> {
    let k = ksrc();
    let mut f: Vec<String> = [
        "-O2",
        "-g",
        "-target",
        "bpf",
        "-D__TARGET_ARCH_x86",
        "-mcpu=v3",
        "-Wno-compare-distinct-pointer-types",
        // As the selftests Makefile does when clang supports them.
        "-DENABLE_ATOMICS_TESTS",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if with_vmlinux {
        f.push(format!("-I{}", vmlinux_h_dir().display()));
    }
    f.push(format!("-I{}", include_dir().display()));
    for d in [
        "tools/testing/selftests/bpf",
        "tools/testing/selftests/bpf/progs",
        "tools/include/uapi",
        "tools/lib",
    ] {
        f.push(format!("-I{}", k.join(d).display()));
    }
    // tools/include last: its linux/types.h clashes with some programs'
    // own definitions (map_ptr_kern.c), as in the selftests Makefile,
    // which does not use it for BPF programs at all.
    f.push(format!("-idirafter{}", k.join("tools/include").display()));
    f.push("-idirafter/usr/include/x86_64-linux-gnu".to_string());
    f
}

/// Compiles the BPF C file `src` (cached) and returns the object's path.
pub fn compile(src: &Path) -> PathBuf {
    let text = fs::read(src).unwrap_or_else(|e| panic!("{}: {e}", src.display()));
    let with_vmlinux = String::from_utf8_lossy(&text).contains("vmlinux.h");
    let flags = cflags(with_vmlinux);
    let stem = src.file_stem().expect("stem").to_string_lossy().to_string();
    let key = hash_of(&[&text, flags.join(" ").as_bytes(), CLANG.as_bytes()]);
    let out = cache().join(format!("{stem}-{key}.bpf.o"));
    if out.exists() {
        return out;
    }
    let tmp = unique_tmp(&cache(), &stem);
    run(Command::new(CLANG)
        .args(&flags)
        .arg("-c")
        .arg(src)
        .arg("-o")
        .arg(&tmp));
    fs::rename(&tmp, &out).expect("rename object");
    out
}

/// The bytes of the upstream selftests program `progs/<name>.c`.
pub fn upstream(name: &str) -> Vec<u8> {
    let src = ksrc().join(format!("tools/testing/selftests/bpf/progs/{name}.c"));
    fs::read(compile(&src)).expect("read object")
}

/// Path of the compiled upstream selftests program `progs/<name>.c`.
pub fn upstream_path(name: &str) -> PathBuf {
    compile(&ksrc().join(format!("tools/testing/selftests/bpf/progs/{name}.c")))
}

/// The bytes of this repository's `tools/testing/selftests/bpf/progs/<name>.c`.
pub fn ours(name: &str) -> Vec<u8> {
    fs::read(ours_path(name)).expect("read object")
}

/// Path of the compiled repo program `tools/testing/selftests/bpf/progs/<name>.c`.
pub fn ours_path(name: &str) -> PathBuf {
    compile(&repo().join(format!("tools/testing/selftests/bpf/progs/{name}.c")))
}

/// Statically links the upstream selftests programs `names` with the
/// tree's `bpf_linker` (like `bpftool gen object`), cached.
pub fn upstream_linked(names: &[&str]) -> PathBuf {
    let inputs: Vec<PathBuf> = names.iter().map(|n| upstream_path(n)).collect();
    let mut parts = Vec::new();
    for i in &inputs {
        parts.push(fs::read(i).expect("read input"));
    }
    let bin = oracle();
    parts.push(fs::read(&bin).expect("read oracle"));
    let refs: Vec<&[u8]> = parts.iter().map(|p| p.as_slice()).collect();
    let out = cache().join(format!(
        "{}-{}.linked.bpf.o",
        names.join("+"),
        hash_of(&refs)
    ));
    if out.exists() {
        return out;
    }
    let tmp = unique_tmp(&cache(), "linked");
    run(Command::new(bin).arg("--link").arg(&tmp).args(&inputs));
    fs::rename(&tmp, &out).expect("rename linked object");
    out
}

/// `llvm-objdump` of an object (for debugging failing tests).
pub fn objdump(obj: &Path) -> String {
    String::from_utf8_lossy(&run(Command::new("llvm-objdump-19")
        .args(["-dr", "--no-show-raw-insn"])
        .arg(obj)))
    .to_string()
}

const LIBBPF_SRCS: &[&str] = &[
    "bpf",
    "nlattr",
    "btf",
    "libbpf_errno",
    "str_error",
    "netlink",
    "bpf_prog_linfo",
    "libbpf_probes",
    "hashmap",
    "btf_dump",
    "ringbuf",
    "strset",
    "linker",
    "gen_loader",
    "relo_core",
    "usdt",
    "zip",
    "elf",
    "features",
    "btf_iter",
    "btf_relocate",
];

/// Builds the libbpf oracle (`tests/oracle/dump.c` linked with the tree's
/// libbpf, compiled straight from `tools/lib/bpf/*.c` into the cache; the
/// tree is only read) and returns its path.
pub fn oracle() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let k = ksrc();
        let dump = manifest_dir().join("tests/oracle/dump.c");
        let mut parts = vec![fs::read(&dump).expect("dump.c")];
        for s in LIBBPF_SRCS.iter().chain(["libbpf"].iter()) {
            parts.push(fs::read(k.join(format!("tools/lib/bpf/{s}.c"))).expect("libbpf src"));
        }
        let refs: Vec<&[u8]> = parts.iter().map(|p| p.as_slice()).collect();
        let dir = cache().join(format!("oracle-{}", hash_of(&refs)));
        let bin = dir.join("dump");
        if bin.exists() {
            return bin;
        }
        fs::create_dir_all(&dir).expect("mkdir oracle");
        let cflags = |c: &mut Command| {
            c.args(["-g", "-O1", "-std=gnu89", "-w"])
                .args(["-D_LARGEFILE64_SOURCE", "-D_FILE_OFFSET_BITS=64"])
                .arg(format!("-I{}", k.join("tools/lib/bpf").display()))
                .arg(format!("-I{}", k.join("tools/include").display()))
                .arg(format!("-I{}", k.join("tools/include/uapi").display()));
        };
        let mut objs = Vec::new();
        for s in LIBBPF_SRCS {
            let o = dir.join(format!("{s}.o"));
            let mut c = Command::new("cc");
            cflags(&mut c);
            run(c
                .arg("-c")
                .arg(k.join(format!("tools/lib/bpf/{s}.c")))
                .arg("-o")
                .arg(&o));
            objs.push(o);
        }
        let tmp = unique_tmp(&dir, "dump");
        let mut c = Command::new("cc");
        cflags(&mut c);
        run(c
            .arg(&dump)
            .args(&objs)
            .args(["-lelf", "-lz", "-o"])
            .arg(&tmp));
        fs::rename(&tmp, &bin).expect("rename oracle");
        bin
    })
    .clone()
}

/// What the libbpf oracle printed for one object.
#[derive(Debug, Default)]
pub struct OracleOut {
    /// All lines, split on spaces.
    pub lines: Vec<Vec<String>>,
}

impl OracleOut {
    /// Lines whose first word is `tag`, without the tag.
    pub fn tagged(&self, tag: &str) -> Vec<&[String]> {
        self.lines
            .iter()
            .filter(|l| l.first().is_some_and(|t| t == tag))
            .map(|l| &l[1..])
            .collect()
    }

    /// The first line tagged `error`, if any.
    pub fn error(&self) -> Option<&[String]> {
        self.tagged("error").into_iter().next()
    }
}

/// Runs the oracle on `obj` with optional kconfig text.
pub fn run_oracle(obj: &Path, kconfig: Option<&str>) -> OracleOut {
    let mut c = Command::new(oracle());
    c.arg(obj);
    if let Some(k) = kconfig {
        c.arg(k);
    }
    let out = String::from_utf8(run(&mut c)).expect("utf8 oracle output");
    OracleOut {
        lines: out
            .lines()
            .map(|l| l.split(' ').map(str::to_string).collect())
            .collect(),
    }
}

/// Decodes the oracle's hex (`-` is empty).
pub fn unhex(s: &str) -> Vec<u8> {
    if s == "-" {
        return Vec::new();
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}
