// SPDX-License-Identifier: GPL-2.0

//! Test helper: evaluates C expressions against the patched uapi header
//! with the C compiler, so the Rust mirrors are checked against the header
//! itself rather than against numbers copied by hand.
//!
//! The kernel tree is `$LOADFD_KSRC` or `/root/.cache/loadfd/linux` (as in
//! the core's tests); a missing tree fails the test, it is never skipped.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

/// The patched `include/uapi/linux/bpf.h`.
pub fn patched_header() -> PathBuf {
    let ksrc = std::env::var_os("LOADFD_KSRC")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/root/.cache/loadfd/linux"));
    let h = ksrc.join("include/uapi/linux/bpf.h");
    assert!(
        h.is_file(),
        "{} not found (set LOADFD_KSRC to the patched tree)",
        h.display()
    );
    let text = std::fs::read_to_string(&h).expect("read bpf.h");
    assert!(
        text.contains("loader_prog_name") && text.contains("BPF_LOAD_FD"),
        "{} lacks the loadfd patches",
        h.display()
    );
    h
}

/// The value of each C expression (cast to `long long`) with the patched
/// header and `<stddef.h>` included.
pub fn c_values(exprs: &[&str]) -> Vec<i64> {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "bpf-loadfd-ctest-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let mut src = format!(
        "#include <stddef.h>\n#include <stdio.h>\n#include \"{}\"\nint main(void)\n{{\n",
        patched_header().display()
    );
    for e in exprs {
        let _ = writeln!(src, "\tprintf(\"%lld\\n\", (long long)({e}));");
    }
    src.push_str("\treturn 0;\n}\n");
    let c = dir.join("t.c");
    let bin = dir.join("t");
    std::fs::write(&c, src).expect("write t.c");
    let out = Command::new("cc")
        .arg("-w")
        .arg(&c)
        .arg("-o")
        .arg(&bin)
        .output()
        .expect("run cc");
    assert!(
        out.status.success(),
        "cc failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new(&bin).output().expect("run test program");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out.status.success());
    let vals: Vec<i64> = String::from_utf8(out.stdout)
        .expect("utf8")
        .lines()
        .map(|l| l.parse().expect("number"))
        .collect();
    assert_eq!(vals.len(), exprs.len());
    vals
}
