// SPDX-License-Identifier: GPL-2.0

//! How `bpf-loadfd attach` attaches a program, decided from what the loader
//! object says about it (SEC name, program type, expected attach type and
//! attach target) and the target given on the command line, then done with
//! the raw syscalls.

use std::ffi::CString;
use std::fs;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;

use bpfobj::uapi::{
    BPF_LSM_CGROUP, BPF_LSM_MAC, BPF_MODIFY_RETURN, BPF_PERF_EVENT, BPF_PROG_TYPE_CGROUP_DEVICE,
    BPF_PROG_TYPE_CGROUP_SKB, BPF_PROG_TYPE_CGROUP_SOCK, BPF_PROG_TYPE_CGROUP_SOCKOPT,
    BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_PROG_TYPE_CGROUP_SYSCTL, BPF_PROG_TYPE_KPROBE,
    BPF_PROG_TYPE_LSM, BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE,
    BPF_PROG_TYPE_SCHED_CLS, BPF_PROG_TYPE_SOCK_OPS, BPF_PROG_TYPE_TRACEPOINT,
    BPF_PROG_TYPE_TRACING, BPF_PROG_TYPE_XDP, BPF_TCX_EGRESS, BPF_TCX_INGRESS, BPF_TRACE_FENTRY,
    BPF_TRACE_FEXIT, BPF_TRACE_ITER, BPF_TRACE_RAW_TP, BPF_XDP,
};

use crate::args::Target;
use crate::names;
use crate::sys::{self, PerfEventAttr, PERF_TYPE_TRACEPOINT};

/// A network interface, as given on the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NetDev {
    /// `--dev NAME`.
    Name(String),
    /// `--ifindex N`.
    Index(u32),
}

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
    /// `BPF_LINK_CREATE` on a network interface (xdp, tcx).
    Netdev {
        /// `BPF_XDP`, `BPF_TCX_INGRESS` or `BPF_TCX_EGRESS`.
        attach_type: u32,
        /// The interface.
        dev: NetDev,
    },
    /// `BPF_LINK_CREATE` on a cgroup, with the program's expected attach
    /// type.
    Cgroup {
        /// `enum bpf_attach_type`.
        attach_type: u32,
        /// The cgroup directory.
        path: PathBuf,
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
            Plan::Netdev { attach_type, dev } => format!(
                "BPF_LINK_CREATE attach_type {} on {}",
                names::label(*attach_type, names::attach_type(*attach_type)),
                match dev {
                    NetDev::Name(n) => n.clone(),
                    NetDev::Index(i) => format!("ifindex {i}"),
                }
            ),
            Plan::Cgroup { attach_type, path } => format!(
                "BPF_LINK_CREATE attach_type {} on cgroup {}",
                names::label(*attach_type, names::attach_type(*attach_type)),
                path.display()
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

fn netdev(p: &ProgDesc<'_>, attach_type: u32, t: &Target) -> Result<Plan, String> {
    let dev = match (&t.dev, t.ifindex) {
        (Some(name), _) => NetDev::Name(name.clone()),
        (None, Some(i)) => NetDev::Index(i),
        (None, None) => {
            let not = if t.cgroup.is_some() {
                ", not a cgroup"
            } else {
                ""
            };
            return Err(format!(
                "SEC(\"{}\") programs attach to a network interface{not}: give --dev NAME \
                 or --ifindex N",
                p.section
            ));
        }
    };
    Ok(Plan::Netdev { attach_type, dev })
}

fn cgroup(p: &ProgDesc<'_>, t: &Target) -> Result<Plan, String> {
    let path = t.cgroup.clone().ok_or_else(|| {
        let not = if *t == Target::default() {
            ""
        } else {
            ", not a network interface"
        };
        format!(
            "SEC(\"{}\") programs attach to a cgroup{not}: give --cgroup PATH",
            p.section
        )
    })?;
    Ok(Plan::Cgroup {
        attach_type: p.expected_attach_type,
        path,
    })
}

/// Decides how to attach `p` to `target`, or explains why this tool cannot.
pub fn plan(p: &ProgDesc<'_>, target: &Target) -> Result<Plan, String> {
    let plan = plan_type(p, target)?;
    let wants_target = matches!(plan, Plan::Netdev { .. } | Plan::Cgroup { .. });
    if !wants_target && *target != Target::default() {
        return Err(format!(
            "--dev, --ifindex and --cgroup are for xdp, tc/tcx and cgroup programs, not \
             SEC(\"{}\")",
            p.section
        ));
    }
    Ok(plan)
}

fn plan_type(p: &ProgDesc<'_>, target: &Target) -> Result<Plan, String> {
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
        BPF_PROG_TYPE_LSM if eat == BPF_LSM_CGROUP => cgroup(p, target),
        // cgroup/skb has no direction and attaches at ingress (0), as
        // libbpf's bpf_program__attach_cgroup() does.
        BPF_PROG_TYPE_CGROUP_SKB
        | BPF_PROG_TYPE_CGROUP_SOCK
        | BPF_PROG_TYPE_CGROUP_SOCK_ADDR
        | BPF_PROG_TYPE_SOCK_OPS
        | BPF_PROG_TYPE_CGROUP_DEVICE
        | BPF_PROG_TYPE_CGROUP_SYSCTL
        | BPF_PROG_TYPE_CGROUP_SOCKOPT => cgroup(p, target),
        BPF_PROG_TYPE_XDP if eat == BPF_XDP => netdev(p, eat, target),
        BPF_PROG_TYPE_XDP => Err(format!(
            "SEC(\"{}\") programs run from a devmap or cpumap entry, not an interface",
            p.section
        )),
        BPF_PROG_TYPE_SCHED_CLS if eat == BPF_TCX_INGRESS || eat == BPF_TCX_EGRESS => {
            netdev(p, eat, target)
        }
        // The tcx link needs a direction, which SEC("tc") does not give
        // (libbpf's bpf_program__attach_tcx() fails on it too).
        BPF_PROG_TYPE_SCHED_CLS if eat == 0 => Err(format!(
            "SEC(\"{}\") names no direction: use SEC(\"tcx/ingress\") or \
             SEC(\"tcx/egress\"), or pin the program and attach it with tc",
            p.section
        )),
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
             fentry, fexit, fmod_ret, tp_btf, iter, lsm, raw_tp, tracepoint, kprobe, xdp, \
             tcx and cgroup programs); pin the program with 'bpf-loadfd pin' and attach it \
             with bpftool or ip/tc",
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
        Plan::Netdev { attach_type, dev } => {
            let ifindex = match dev {
                NetDev::Index(i) => *i,
                NetDev::Name(n) => {
                    let c = CString::new(n.as_bytes()).map_err(|_| AttachError {
                        what: format!("interface name '{n}' contains a NUL byte"),
                        errno: None,
                    })?;
                    sys::if_nametoindex(&c).map_err(fail(format!("interface '{n}'")))?
                }
            };
            sys::link_create(prog, ifindex, *attach_type)
                .map_err(fail("BPF_LINK_CREATE".to_string()))
        }
        Plan::Cgroup { attach_type, path } => {
            let cg = fs::OpenOptions::new()
                .read(true)
                .custom_flags(libc::O_DIRECTORY)
                .open(path)
                .map_err(|e| AttachError {
                    what: format!("{}: {e}", path.display()),
                    errno: None,
                })?;
            // The link holds the cgroup; `cg` can be closed afterwards.
            sys::link_create(prog, fd_target(cg.as_fd()), *attach_type)
                .map_err(fail("BPF_LINK_CREATE".to_string()))
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

fn fd_target(fd: BorrowedFd<'_>) -> u32 {
    use std::os::fd::AsRawFd;
    fd.as_raw_fd().unsigned_abs()
}

/// Links `prog` to the perf event `ev`. The link holds the event, so the
/// caller's fd for it can be closed.
fn perf_link(prog: BorrowedFd<'_>, ev: BorrowedFd<'_>) -> Result<OwnedFd, AttachError> {
    sys::link_create(prog, fd_target(ev), BPF_PERF_EVENT)
        .map_err(fail("BPF_LINK_CREATE(perf_event)".to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bpfobj::uapi::{
        BPF_CGROUP_INET_EGRESS, BPF_CGROUP_INET_INGRESS, BPF_CGROUP_INET_SOCK_CREATE,
        BPF_PROG_TYPE_SOCKET_FILTER, BPF_TRACE_KPROBE_MULTI, BPF_XDP_DEVMAP,
    };

    fn plan0(p: &ProgDesc<'_>) -> Result<Plan, String> {
        plan(p, &Target::default())
    }

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
                plan0(&p(sec, t, eat, target)),
                Ok(Plan::LinkCreate { attach_type: eat }),
                "{sec}"
            );
        }
        assert!(
            plan0(&p("lsm_cgroup/x", BPF_PROG_TYPE_LSM, BPF_LSM_CGROUP, "x"))
                .unwrap_err()
                .contains("give --cgroup PATH")
        );
    }

    #[test]
    fn raw_tracepoints_use_the_name_after_the_slash() {
        assert_eq!(
            plan0(&p(
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
            plan0(&p(
                "raw_tracepoint.w/bpf_test_finish",
                BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE,
                0,
                "bpf_test_finish"
            )),
            Ok(Plan::RawTracepoint {
                name: "bpf_test_finish".into()
            })
        );
        let e = plan0(&p("raw_tp", BPF_PROG_TYPE_RAW_TRACEPOINT, 0, "")).unwrap_err();
        assert!(e.contains("names no tracepoint"), "{e}");
    }

    #[test]
    fn tracepoints_and_kprobes() {
        assert_eq!(
            plan0(&p(
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
        assert!(plan0(&p("tp/x", BPF_PROG_TYPE_TRACEPOINT, 0, "x")).is_err());
        assert!(plan0(&p("tp/a/b/c", BPF_PROG_TYPE_TRACEPOINT, 0, "a/b/c")).is_err());
        assert_eq!(
            plan0(&p(
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
            plan0(&p(
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
        assert!(plan0(&p("kprobe/f+zz", BPF_PROG_TYPE_KPROBE, 0, "f+zz")).is_err());
        assert!(plan0(&p("kprobe", BPF_PROG_TYPE_KPROBE, 0, "")).is_err());
        assert!(plan0(&p("uprobe/x", BPF_PROG_TYPE_KPROBE, 0, "x"))
            .unwrap_err()
            .contains("uprobes"));
        assert!(plan0(&p(
            "kprobe.multi/x*",
            BPF_PROG_TYPE_KPROBE,
            BPF_TRACE_KPROBE_MULTI,
            "x*"
        ))
        .is_err());
    }

    #[test]
    fn other_types_are_refused_with_a_reason() {
        let e = plan0(&p("socket", BPF_PROG_TYPE_SOCKET_FILTER, 0, "")).unwrap_err();
        assert!(e.contains("1 (socket_filter)"), "{e}");
        // A target for a program that takes none.
        let eth0 = Target {
            dev: Some("eth0".into()),
            ..Target::default()
        };
        let e = plan(
            &p("fentry/f", BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, "f"),
            &eth0,
        );
        assert!(e.unwrap_err().contains("not SEC(\"fentry/f\")"));
    }

    #[test]
    fn xdp_and_tcx_attach_to_an_interface() {
        let eth0 = Target {
            dev: Some("eth0".into()),
            ..Target::default()
        };
        let idx3 = Target {
            ifindex: Some(3),
            ..Target::default()
        };
        assert_eq!(
            plan(&p("xdp", BPF_PROG_TYPE_XDP, BPF_XDP, ""), &eth0),
            Ok(Plan::Netdev {
                attach_type: BPF_XDP,
                dev: NetDev::Name("eth0".into())
            })
        );
        for (sec, eat) in [
            ("tcx/ingress", BPF_TCX_INGRESS),
            ("tc/egress", BPF_TCX_EGRESS),
        ] {
            assert_eq!(
                plan(&p(sec, BPF_PROG_TYPE_SCHED_CLS, eat, ""), &idx3),
                Ok(Plan::Netdev {
                    attach_type: eat,
                    dev: NetDev::Index(3)
                })
            );
        }
        let e = plan0(&p("xdp", BPF_PROG_TYPE_XDP, BPF_XDP, "")).unwrap_err();
        assert!(e.contains("--dev NAME or --ifindex N"), "{e}");
        let cg = Target {
            cgroup: Some("/sys/fs/cgroup".into()),
            ..Target::default()
        };
        let e = plan(&p("xdp", BPF_PROG_TYPE_XDP, BPF_XDP, ""), &cg).unwrap_err();
        assert!(e.contains("not a cgroup"), "{e}");
        let e = plan(
            &p("xdp/devmap", BPF_PROG_TYPE_XDP, BPF_XDP_DEVMAP, ""),
            &eth0,
        );
        assert!(e.unwrap_err().contains("devmap"));
        let e = plan(&p("tc", BPF_PROG_TYPE_SCHED_CLS, 0, ""), &eth0).unwrap_err();
        assert!(e.contains("names no direction"), "{e}");
    }

    #[test]
    fn cgroup_programs_use_their_expected_attach_type() {
        let cg = Target {
            cgroup: Some("/sys/fs/cgroup/x".into()),
            ..Target::default()
        };
        for (sec, t, eat) in [
            (
                "cgroup_skb/egress",
                BPF_PROG_TYPE_CGROUP_SKB,
                BPF_CGROUP_INET_EGRESS,
            ),
            (
                "cgroup/skb",
                BPF_PROG_TYPE_CGROUP_SKB,
                BPF_CGROUP_INET_INGRESS,
            ),
            (
                "cgroup/sock",
                BPF_PROG_TYPE_CGROUP_SOCK,
                BPF_CGROUP_INET_SOCK_CREATE,
            ),
            ("lsm_cgroup/socket_bind", BPF_PROG_TYPE_LSM, BPF_LSM_CGROUP),
        ] {
            assert_eq!(
                plan(&p(sec, t, eat, ""), &cg),
                Ok(Plan::Cgroup {
                    attach_type: eat,
                    path: "/sys/fs/cgroup/x".into()
                }),
                "{sec}"
            );
        }
        let eth0 = Target {
            dev: Some("eth0".into()),
            ..Target::default()
        };
        let e = plan(&p("cgroup/dev", BPF_PROG_TYPE_CGROUP_DEVICE, 6, ""), &eth0);
        assert!(e.unwrap_err().contains("not a network interface"));
        assert_eq!(
            Plan::Cgroup {
                attach_type: BPF_CGROUP_INET_INGRESS,
                path: "/sys/fs/cgroup/x".into()
            }
            .describe(),
            "BPF_LINK_CREATE attach_type 0 (cgroup_inet_ingress) on cgroup /sys/fs/cgroup/x"
        );
        assert_eq!(
            Plan::Netdev {
                attach_type: BPF_XDP,
                dev: NetDev::Index(2)
            }
            .describe(),
            "BPF_LINK_CREATE attach_type 37 (xdp) on ifindex 2"
        );
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
