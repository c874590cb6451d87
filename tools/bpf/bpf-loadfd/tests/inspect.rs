// SPDX-License-Identifier: GPL-2.0

//! `bpf-loadfd inspect` on real objects compiled with clang at test time
//! (through the core's test infrastructure: same compiler, flags and cache).

#[path = "../../../../kernel/bpf/loadfd/core/tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    // At run time: a target dir shared between clones keeps the binary of
    // whichever clone built it last.
    let dir =
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into());
    Path::new(&dir)
        .join("../../..")
        .canonicalize()
        .expect("repo root")
}

/// Compiles this repository's `tools/testing/selftests/bpf/progs/<name>.c`.
fn ours(name: &str) -> PathBuf {
    common::compile(&repo().join(format!("tools/testing/selftests/bpf/progs/{name}.c")))
}

/// Compiles a BPF C source written by the test.
fn compile_src(stem: &str, src: &str) -> PathBuf {
    let dir = common::cache().join("shim-src");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let c = dir.join(format!("{stem}.c"));
    common::write_atomic(&c, src.as_bytes());
    common::compile(&c)
}

fn shim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bpf-loadfd"))
        .args(args)
        .output()
        .expect("run bpf-loadfd")
}

fn inspect(obj: &Path, config: Option<&Path>) -> (i32, String) {
    let mut args = vec!["inspect".to_string(), obj.display().to_string()];
    if let Some(c) = config {
        args.push("--config".into());
        args.push(c.display().to_string());
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = shim(&refs);
    let stdout = String::from_utf8(out.stdout).expect("utf8");
    assert!(
        out.stderr.is_empty(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().expect("exit code"), stdout)
}

fn has(out: &str, needle: &str) {
    assert!(out.contains(needle), "missing {needle:?} in:\n{out}");
}

fn tmp_file(name: &str, contents: &[u8]) -> PathBuf {
    let p = common::cache().join(format!("shim-{}-{name}", std::process::id()));
    std::fs::write(&p, contents).expect("write");
    p
}

#[test]
fn minimal_names_its_program_and_section() {
    let (code, out) = inspect(&ours("loadfd_minimal"), None);
    assert_eq!(code, 0, "{out}");
    has(&out, "programs: 1\n  loadfd_minimal\n");
    has(&out, "    section:      socket (ELF section ");
    has(&out, "    prog_type:    1 (socket_filter)");
    has(&out, "program code: loadfd_minimal");
    has(&out, "license \"GPL\"");
    has(&out, "relocations: 0");
    has(
        &out,
        "verdict: the loader core accepts the object: 1 program(s) (0 cannot be loaded by name), 0 map(s)",
    );
}

#[test]
fn subprograms_are_appended_and_relocations_listed() {
    let (code, out) = inspect(&ours("loadfd_subprogs"), None);
    assert_eq!(code, 0, "{out}");
    has(&out, "  prog_a\n");
    has(&out, "  prog_b\n");
    has(&out, ": sub_global (subprogram, ");
    has(&out, ": loop_cb (subprogram, ");
    has(&out, "call subprogram 'sub_global'");
    has(&out, "callback 'loop_cb' -> ld_imm64 BPF_PSEUDO_FUNC");
    has(&out, "global data '.bss' + ");
    // Every linked program starts with its main function at insn 0.
    has(&out, "at insn     0: prog_a (main, ");
}

#[test]
fn maps_and_map_relocations() {
    let (code, out) = inspect(&ours("loadfd_execve"), None);
    assert_eq!(code, 0, "{out}");
    has(
        &out,
        "    section:      tracepoint/syscalls/sys_enter_execve",
    );
    has(&out, "    prog_type:    5 (tracepoint)");
    has(&out, "    attach to:    syscalls/sys_enter_execve");
    has(&out, "] execve_count: BTF map; type 2 (array)");
    has(&out, "map 'execve_count' -> ld_imm64 BPF_PSEUDO_MAP_IDX 0");
}

const KCONFIG_SRC: &str = r#"
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int CONFIG_HZ __kconfig;
extern _Bool CONFIG_SHIM_TEST_ABSENT __kconfig __weak;
extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern int bpf_shim_test_kfunc(void) __ksym __weak;

__u64 out_hz, out_absent, out_kver;

SEC("socket")
int shim_kconfig(struct __sk_buff *skb)
{
	out_hz = CONFIG_HZ;
	out_absent = CONFIG_SHIM_TEST_ABSENT;
	out_kver = LINUX_KERNEL_VERSION;
	if (bpf_shim_test_kfunc)
		return bpf_shim_test_kfunc();
	return 0;
}

char _license[] SEC("license") = "GPL";
"#;

#[test]
fn kconfig_externs_come_from_the_config_file() {
    let obj = compile_src("shim_kconfig", KCONFIG_SRC);
    let cfg = tmp_file(
        "config",
        b"#\n# Linux/x86 6.12.117 Kernel Configuration\n#\nCONFIG_HZ=300\n",
    );
    let (code, out) = inspect(&obj, Some(&cfg));
    assert_eq!(code, 0, "{out}");
    has(&out, &format!("  kconfig values from {}", cfg.display()));
    has(&out, "CONFIG_HZ: kconfig signed int, 4 bytes at .kconfig+");
    has(&out, &format!(", strong: = 300 (from {})", cfg.display()));
    has(&out, "CONFIG_SHIM_TEST_ABSENT: kconfig bool, 1 byte at");
    has(&out, &format!("weak: not set in {}: 0", cfg.display()));
    has(&out, "LINUX_KERNEL_VERSION: kconfig unsigned int");
    has(&out, "= 0x60c75 (6.12.117, from the header of");
    has(&out, "bpf_shim_test_kfunc: kfunc");
    has(
        &out,
        "resolved by the kernel at load time (0 / poisoned call if absent); placeholder here",
    );
    has(
        &out,
        "call kfunc 'bpf_shim_test_kfunc' -> BPF_PSEUDO_KFUNC_CALL",
    );

    // Without CONFIG_HZ the kernel fails the strong extern with ENOENT.
    let cfg2 = tmp_file("config-nohz", b"CONFIG_BPF=y\n");
    let (code, out) = inspect(&obj, Some(&cfg2));
    assert_eq!(code, 1, "{out}");
    has(&out, "rejected: externs: extern ");
    has(&out, ": not found in the running kernel ('CONFIG_HZ')\n");
    has(&out, &format!("note: extern 0 is 'CONFIG_HZ' (kconfig signed int, 4 bytes at .kconfig+0, strong, not set in {})", cfg2.display()));
    has(&out, "verdict: BPF_LOAD_FD would fail with ENOENT");
    std::fs::remove_file(cfg).ok();
    std::fs::remove_file(cfg2).ok();
}

#[test]
fn unknown_sections_are_eopnotsupp() {
    let obj = compile_src(
        "shim_badsec",
        "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n\
         SEC(\"not_a_section\") int f(void *ctx) { return 0; }\n\
         char _license[] SEC(\"license\") = \"GPL\";\n",
    );
    let (code, out) = inspect(&obj, None);
    assert_eq!(code, 1, "{out}");
    has(&out, "rejected: prog: section ");
    has(
        &out,
        ": unknown program section name (section 'not_a_section')\n",
    );
    has(&out, "is 'not_a_section': no SEC-table entry matches it");
    has(&out, "verdict: BPF_LOAD_FD would fail with EOPNOTSUPP");
}

#[test]
fn non_bpf_elf_is_enoexec() {
    let mut data = std::fs::read(ours("loadfd_minimal")).expect("read");
    data[18..20].copy_from_slice(&62u16.to_ne_bytes()); // EM_X86_64
    let f = tmp_file("x86.o", &data);
    let (code, out) = inspect(&f, None);
    assert_eq!(code, 1, "{out}");
    has(&out, "rejected: elf: e_machine 62");
    has(&out, "verdict: BPF_LOAD_FD would fail with ENOEXEC");
    std::fs::remove_file(f).ok();
}

#[test]
fn sec_defs_and_usage() {
    let out = shim(&["inspect", "--sec-defs"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    has(&text, "SEC-name table version 1");
    has(&text, "fentry[/TARGET]");
    let out = shim(&["inspect"]);
    assert_eq!(out.status.code(), Some(2));
    let out = shim(&["inspect", "x.o", "--config", "/nonexistent/config"]);
    assert_eq!(out.status.code(), Some(2));
    has(&String::from_utf8_lossy(&out.stderr), "/nonexistent/config");
}
