// SPDX-License-Identifier: GPL-2.0

//! How `bpf-loadfd attach` attaches a program, decided from what the loader
//! object says about it (SEC name, program type, expected attach type and
//! attach target), then done with the raw syscalls.

use std::ffi::CString;
use std::fs;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

use bpfobj::bpfobj::sec_def::{
    BPF_LSM_CGROUP, BPF_LSM_MAC, BPF_MODIFY_RETURN, BPF_PERF_EVENT, BPF_PROG_TYPE_KPROBE,
    BPF_PROG_TYPE_LSM, BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE,
    BPF_PROG_TYPE_TRACEPOINT, BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, BPF_TRACE_FEXIT,
    BPF_TRACE_ITER, BPF_TRACE_RAW_TP,
};

use crate::names;
use crate::sys::{self, PerfEventAttr, PERF_TYPE_TRACEPOINT};

/// How to attach one program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Plan {
    /// `BPF_LINK_CREATE` with this attach type and no target (fentry,
    /// fexit, fmod_ret, tp_btf, lsm, iter: the target is the program's
    /// `attach_btf_id`, set at load time).
    LinkCreate {
        /// `enum bpf_attach_type`.
        attach_type: u32,
    },
    /// `BPF_RAW_TRACEPOINT_OPEN` of this tracepoint (raw_tp).
    RawTracepoint {
        /// Tracepoint name.
        name: String,
    },
    /// A tracepoint perf event, then `BPF_LINK_CREATE(BPF_PERF_EVENT)`.
    Tracepoint {
        /// Subsystem (`syscalls`).
        category: String,
        /// Event (`sys_enter_execve`).
        name: String,
    },
    /// A kprobe perf event, then `BPF_LINK_CREATE(BPF_PERF_EVENT)`.
    Kprobe {
        /// Kernel function.
        func: String,
        /// Offset in it.
        offset: u64,
        /// kretprobe.
        retprobe: bool,
    },
}

impl Plan {
    /// A short description for the user.
    pub fn describe(&self) -> String {
        match self {
            Plan::LinkCreate { attach_type } => format!(
                "BPF_LINK_CREATE attach_type {}",
                names::attach_type_label(BPF_PROG_TYPE_TRACING, *attach_type)
            ),
            Plan::RawTracepoint { name } => format!("BPF_RAW_TRACEPOINT_OPEN '{name}'"),
            Plan::Tracepoint { category, name } => {
                format!("perf tracepoint {category}:{name} + BPF_LINK_CREATE(perf_event)")
            }
            Plan::Kprobe {
                func,
                offset,
                retprobe,
            } => format!(
                "perf {} {func}{} + BPF_LINK_CREATE(perf_event)",
                if *retprobe { "kretprobe" } else { "kprobe" },
                if *offset == 0 {
                    String::new()
                } else {
                    format!("+{offset:#x}")
                }
            ),
        }
    }
}

/// What the loader object says about a program.
#[derive(Clone, Copy, Debug)]
pub struct ProgDesc<'a> {
    /// SEC name (without `?`).
    pub section: &'a str,
    /// `enum bpf_prog_type`.
    pub prog_type: u32,
    /// `enum bpf_attach_type`.
    pub expected_attach_type: u32,
    /// Attach target from the SEC name.
    pub attach_func: &'a str,
}

fn parse_offset(s: &str) -> Option<u64> {
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => u64::from_str_radix(h, 16).ok(),
        None => s.parse().ok(),
    }
}

fn section_is(section: &str, prefixes: &[&str]) -> bool {
    prefixes.iter().any(|p| {
        section
            .strip_prefix(p)
            .is_some_and(|r| r.is_empty() || r.starts_with('/'))
    })
}

fn need_target(p: &ProgDesc<'_>, what: &str) -> Result<(), String> {
    if p.attach_func.is_empty() {
        return Err(format!(
            "SEC(\"{}\") names no {what} to attach to (use SEC(\"{}/<{what}>\"))",
            p.section, p.section
        ));
    }
    Ok(())
}

/// Decides how to attach `p`, or explains why this tool cannot.
pub fn plan(p: &ProgDesc<'_>) -> Result<Plan, String> {
    let eat = p.expected_attach_type;
    match p.prog_type {
        BPF_PROG_TYPE_TRACING => match eat {
            BPF_TRACE_FENTRY | BPF_TRACE_FEXIT | BPF_MODIFY_RETURN | BPF_TRACE_RAW_TP
            | BPF_TRACE_ITER => Ok(Plan::LinkCreate { attach_type: eat }),
            _ => Err(format!(
                "tracing program with expected_attach_type {}: not supported by \
                 bpf-loadfd attach",
                names::attach_type_label(p.prog_type, eat)
            )),
        },
        BPF_PROG_TYPE_LSM if eat == BPF_LSM_MAC => Ok(Plan::LinkCreate { attach_type: eat }),
        BPF_PROG_TYPE_LSM if eat == BPF_LSM_CGROUP => Err(
            "lsm_cgroup programs attach to a cgroup: not supported by bpf-loadfd attach \
             (pin the program and use bpftool cgroup attach)"
                .to_string(),
        ),
        BPF_PROG_TYPE_RAW_TRACEPOINT | BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE => {
            need_target(p, "tracepoint")?;
            Ok(Plan::RawTracepoint {
                name: p.attach_func.to_string(),
            })
        }
        BPF_PROG_TYPE_TRACEPOINT => {
            need_target(p, "category/name")?;
            let (category, name) = p
                .attach_func
                .split_once('/')
                .filter(|(c, n)| !c.is_empty() && !n.is_empty() && !n.contains('/'))
                .ok_or_else(|| {
                    format!(
                        "SEC(\"{}\"): the tracepoint must be <category>/<name>",
                        p.section
                    )
                })?;
            Ok(Plan::Tracepoint {
                category: category.to_string(),
                name: name.to_string(),
            })
        }
        BPF_PROG_TYPE_KPROBE if eat == 0 && section_is(p.section, &["kprobe", "kretprobe"]) => {
            need_target(p, "function")?;
            let (func, offset) = match p.attach_func.split_once('+') {
                Some((f, o)) => (
                    f,
                    parse_offset(o)
                        .ok_or_else(|| format!("SEC(\"{}\"): bad offset '{o}'", p.section))?,
                ),
                None => (p.attach_func, 0),
            };
            if func.is_empty() {
                return Err(format!("SEC(\"{}\"): empty function name", p.section));
            }
            Ok(Plan::Kprobe {
                func: func.to_string(),
                offset,
                retprobe: section_is(p.section, &["kretprobe"]),
            })
        }
        BPF_PROG_TYPE_KPROBE => Err(format!(
            "SEC(\"{}\"): only kprobe/<func> and kretprobe/<func> are supported by \
             bpf-loadfd attach (not uprobes, ksyscall or multi-kprobes)",
            p.section
        )),
        t => Err(format!(
            "prog_type {} programs are not attached by bpf-loadfd attach (it handles \
             fentry, fexit, fmod_ret, tp_btf, iter, lsm, raw_tp, tracepoint and kprobe); \
             pin the program with 'bpf-loadfd pin' and attach it with bpftool or ip/tc",
            names::prog_type_label(t)
        )),
    }
}

/// A failed attach: what was tried, and the errno if a syscall failed.
#[derive(Debug)]
pub struct AttachError {
    /// What failed.
    pub what: String,
    /// The errno, if any.
    pub errno: Option<i32>,
}

impl std::fmt::Display for AttachError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.errno {
            Some(e) => write!(f, "{}: {}", self.what, sys::errno_describe(e)),
            None => f.write_str(&self.what),
        }
    }
}

fn fail(what: String) -> impl FnOnce(i32) -> AttachError {
    move |e| AttachError {
        what,
        errno: Some(e),
    }
}

fn read_first(paths: &[String]) -> Result<(String, String), AttachError> {
    let mut errs = Vec::new();
    for p in paths {
        match fs::read_to_string(p) {
            Ok(s) => return Ok((p.clone(), s.trim().to_string())),
            Err(e) => errs.push(format!("{p}: {e}")),
        }
    }
    Err(AttachError {
        what: errs.join("; "),
        errno: None,
    })
}

/// The id of a tracepoint from tracefs.
fn tracepoint_id(category: &str, name: &str) -> Result<u64, AttachError> {
    let (path, s) = read_first(&[
        format!("/sys/kernel/tracing/events/{category}/{name}/id"),
        format!("/sys/kernel/debug/tracing/events/{category}/{name}/id"),
    ])?;
    s.parse().map_err(|_| AttachError {
        what: format!("{path}: '{s}' is not a tracepoint id"),
        errno: None,
    })
}

/// The bit of `config` a `format/<field>` file (`config:0`) names.
pub fn parse_config_bit(s: &str) -> Option<u32> {
    let bit: u32 = s.trim().strip_prefix("config:")?.parse().ok()?;
    (bit < 64).then_some(bit)
}

fn kprobe_pmu() -> Result<(u32, u32), AttachError> {
    let dir = "/sys/bus/event_source/devices/kprobe";
    let (path, t) = read_first(&[format!("{dir}/type")])?;
    let pmu = t.parse().map_err(|_| AttachError {
        what: format!("{path}: '{t}' is not a PMU type"),
        errno: None,
    })?;
    let (path, f) = read_first(&[format!("{dir}/format/retprobe")])?;
    let bit = parse_config_bit(&f).ok_or_else(|| AttachError {
        what: format!("{path}: unexpected format '{f}'"),
        errno: None,
    })?;
    Ok((pmu, bit))
}

/// Attaches `prog` following `plan`; returns the link fd.
pub fn attach(prog: BorrowedFd<'_>, plan: &Plan) -> Result<OwnedFd, AttachError> {
    match plan {
        Plan::LinkCreate { attach_type } => {
            sys::link_create(prog, 0, *attach_type).map_err(fail("BPF_LINK_CREATE".to_string()))
        }
        Plan::RawTracepoint { name } => {
            let c = CString::new(name.as_bytes()).map_err(|_| AttachError {
                what: format!("tracepoint name '{name}' contains a NUL byte"),
                errno: None,
            })?;
            sys::raw_tracepoint_open(prog, Some(&c))
                .map_err(fail(format!("BPF_RAW_TRACEPOINT_OPEN '{name}'")))
        }
        Plan::Tracepoint { category, name } => {
            let id = tracepoint_id(category, name)?;
            let attr = PerfEventAttr {
                type_: PERF_TYPE_TRACEPOINT,
                config: id,
                ..PerfEventAttr::default()
            };
            let ev = sys::perf_event_open(&attr, None).map_err(fail(format!(
                "perf_event_open tracepoint {category}:{name}"
            )))?;
            perf_link(prog, ev.as_fd())
        }
        Plan::Kprobe {
            func,
            offset,
            retprobe,
        } => {
            let (pmu, bit) = kprobe_pmu()?;
            let c = CString::new(func.as_bytes()).map_err(|_| AttachError {
                what: format!("function name '{func}' contains a NUL byte"),
                errno: None,
            })?;
            let attr = PerfEventAttr {
                type_: pmu,
                config: if *retprobe { 1u64 << bit } else { 0 },
                config2: *offset,
                ..PerfEventAttr::default()
            };
            let what = if *retprobe { "kretprobe" } else { "kprobe" };
            let ev = sys::perf_event_open(&attr, Some(&c))
                .map_err(fail(format!("perf_event_open {what} {func}")))?;
            perf_link(prog, ev.as_fd())
        }
    }
}

/// Links `prog` to the perf event `ev`. The link holds the event, so the
/// caller's fd for it can be closed.
fn perf_link(prog: BorrowedFd<'_>, ev: BorrowedFd<'_>) -> Result<OwnedFd, AttachError> {
    use std::os::fd::AsRawFd;
    sys::link_create(prog, ev.as_raw_fd().unsigned_abs(), BPF_PERF_EVENT)
        .map_err(fail("BPF_LINK_CREATE(perf_event)".to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bpfobj::bpfobj::sec_def::{
        BPF_CGROUP_INET_INGRESS, BPF_PROG_TYPE_CGROUP_SKB, BPF_PROG_TYPE_SOCKET_FILTER,
        BPF_PROG_TYPE_XDP, BPF_TRACE_KPROBE_MULTI,
    };

    fn p<'a>(section: &'a str, prog_type: u32, eat: u32, func: &'a str) -> ProgDesc<'a> {
        ProgDesc {
            section,
            prog_type,
            expected_attach_type: eat,
            attach_func: func,
        }
    }

    #[test]
    fn btf_attached_programs_use_link_create() {
        for (sec, t, eat) in [
            (
                "fentry/do_unlinkat",
                BPF_PROG_TYPE_TRACING,
                BPF_TRACE_FENTRY,
            ),
            ("fexit/do_unlinkat", BPF_PROG_TYPE_TRACING, BPF_TRACE_FEXIT),
            ("fmod_ret/x", BPF_PROG_TYPE_TRACING, BPF_MODIFY_RETURN),
            ("tp_btf/sys_enter", BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP),
            ("iter/task", BPF_PROG_TYPE_TRACING, BPF_TRACE_ITER),
            ("lsm/kernel_read_file", BPF_PROG_TYPE_LSM, BPF_LSM_MAC),
        ] {
            let target = sec.split_once('/').unwrap().1;
            assert_eq!(
                plan(&p(sec, t, eat, target)),
                Ok(Plan::LinkCreate { attach_type: eat }),
                "{sec}"
            );
        }
        assert!(
            plan(&p("lsm_cgroup/x", BPF_PROG_TYPE_LSM, BPF_LSM_CGROUP, "x"))
                .unwrap_err()
                .contains("cgroup")
        );
    }

    #[test]
    fn raw_tracepoints_use_the_name_after_the_slash() {
        assert_eq!(
            plan(&p(
                "raw_tp/sys_enter",
                BPF_PROG_TYPE_RAW_TRACEPOINT,
                0,
                "sys_enter"
            )),
            Ok(Plan::RawTracepoint {
                name: "sys_enter".into()
            })
        );
        assert_eq!(
            plan(&p(
                "raw_tracepoint.w/bpf_test_finish",
                BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE,
                0,
                "bpf_test_finish"
            )),
            Ok(Plan::RawTracepoint {
                name: "bpf_test_finish".into()
            })
        );
        let e = plan(&p("raw_tp", BPF_PROG_TYPE_RAW_TRACEPOINT, 0, "")).unwrap_err();
        assert!(e.contains("names no tracepoint"), "{e}");
    }

    #[test]
    fn tracepoints_and_kprobes() {
        assert_eq!(
            plan(&p(
                "tracepoint/syscalls/sys_enter_execve",
                BPF_PROG_TYPE_TRACEPOINT,
                0,
                "syscalls/sys_enter_execve"
            )),
            Ok(Plan::Tracepoint {
                category: "syscalls".into(),
                name: "sys_enter_execve".into()
            })
        );
        assert!(plan(&p("tp/x", BPF_PROG_TYPE_TRACEPOINT, 0, "x")).is_err());
        assert!(plan(&p("tp/a/b/c", BPF_PROG_TYPE_TRACEPOINT, 0, "a/b/c")).is_err());
        assert_eq!(
            plan(&p(
                "kprobe/do_unlinkat",
                BPF_PROG_TYPE_KPROBE,
                0,
                "do_unlinkat"
            )),
            Ok(Plan::Kprobe {
                func: "do_unlinkat".into(),
                offset: 0,
                retprobe: false
            })
        );
        assert_eq!(
            plan(&p(
                "kretprobe/do_unlinkat+0x10",
                BPF_PROG_TYPE_KPROBE,
                0,
                "do_unlinkat+0x10"
            )),
            Ok(Plan::Kprobe {
                func: "do_unlinkat".into(),
                offset: 16,
                retprobe: true
            })
        );
        assert!(plan(&p("kprobe/f+zz", BPF_PROG_TYPE_KPROBE, 0, "f+zz")).is_err());
        assert!(plan(&p("kprobe", BPF_PROG_TYPE_KPROBE, 0, "")).is_err());
        assert!(plan(&p("uprobe/x", BPF_PROG_TYPE_KPROBE, 0, "x"))
            .unwrap_err()
            .contains("uprobes"));
        assert!(plan(&p(
            "kprobe.multi/x*",
            BPF_PROG_TYPE_KPROBE,
            BPF_TRACE_KPROBE_MULTI,
            "x*"
        ))
        .is_err());
    }

    #[test]
    fn other_types_are_refused_with_a_reason() {
        let e = plan(&p("socket", BPF_PROG_TYPE_SOCKET_FILTER, 0, "")).unwrap_err();
        assert!(e.contains("1 (socket_filter)"), "{e}");
        assert!(plan(&p("xdp", BPF_PROG_TYPE_XDP, 37, "")).is_err());
        assert!(plan(&p(
            "cgroup_skb/ingress",
            BPF_PROG_TYPE_CGROUP_SKB,
            BPF_CGROUP_INET_INGRESS,
            ""
        ))
        .is_err());
    }

    #[test]
    fn descriptions_and_pmu_format() {
        assert_eq!(
            Plan::LinkCreate {
                attach_type: BPF_TRACE_FENTRY
            }
            .describe(),
            "BPF_LINK_CREATE attach_type 24 (trace_fentry)"
        );
        assert_eq!(
            Plan::Kprobe {
                func: "f".into(),
                offset: 16,
                retprobe: true
            }
            .describe(),
            "perf kretprobe f+0x10 + BPF_LINK_CREATE(perf_event)"
        );
        assert_eq!(parse_config_bit("config:0\n"), Some(0));
        assert_eq!(parse_config_bit("config:63"), Some(63));
        assert_eq!(parse_config_bit("config:64"), None);
        assert_eq!(parse_config_bit("config1:0"), None);
    }
}
