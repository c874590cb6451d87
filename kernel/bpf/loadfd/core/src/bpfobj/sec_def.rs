// SPDX-License-Identifier: GPL-2.0

//! The documented, versioned mapping from a program's ELF section name
//! (`SEC("...")` in C) to its program type, expected attach type, attach
//! target and load flags.
//!
//! # The contract
//!
//! [`SEC_DEF_VERSION`] 1 is the table of libbpf 1.5 (`section_defs[]` in
//! Linux 6.12's `tools/lib/bpf/libbpf.c`). A section name is matched against the table in
//! order and the first match wins:
//!
//! - [`SecMatch::Exact`] patterns match only the exact name (`"socket"`);
//! - [`SecMatch::Plus`] patterns (libbpf's `"type+"`) match the exact name or
//!   the name followed by `/` and an attach target (`"kprobe/do_unlinkat"`).
//!
//! A leading `?` (libbpf's "not loaded by default" marker) is stripped before
//! matching; it only clears [`ProgSpec::autoload`]. Names that match no entry
//! are rejected. A `struct_ops` program's target is not in its name: it is
//! the member of the struct_ops map that names it
//! ([`crate::bpfobj::struct_ops`]).
//!
//! The attach target is the text after the matched prefix and its `/`. For
//! programs that attach through BTF ([`SEC_ATTACH_BTF`]) the kernel object
//! to look up is [`ProgSpec::attach_btf_prefix`] followed by the target, of
//! BTF kind [`ProgSpec::attach_btf_kind`] (for example `btf_trace_` + the
//! tracepoint for `tp_btf/`, `bpf_lsm_` + the hook for `lsm/`).
//!
//! Any change to the table that changes the result for a name accepted
//! before must bump [`SEC_DEF_VERSION`].

use crate::bpfobj::error::{Error, ProgError};
use crate::bpfobj::uapi::*;

/// Version of the section-name table (see the module documentation).
pub const SEC_DEF_VERSION: u32 = 1;

/// `expected_attach_type` may be dropped on kernels that do not know it
/// (libbpf's `SEC_EXP_ATTACH_OPT`; informational here).
pub const SEC_EXP_ATTACH_OPT: u32 = 1;
/// The program attaches to a kernel object found through BTF.
pub const SEC_ATTACH_BTF: u32 = 4;
/// The program is sleepable (`BPF_F_SLEEPABLE`).
pub const SEC_SLEEPABLE: u32 = 8;
/// The XDP program supports fragments (`BPF_F_XDP_HAS_FRAGS`).
pub const SEC_XDP_FRAGS: u32 = 16;
/// A USDT program: libbpf loads it with `BPF_TRACE_UPROBE_MULTI` as
/// expected attach type where the kernel has uprobe-multi links
/// ([`ProgSpec::usdt`]).
pub const SEC_USDT: u32 = 32;
/// The program is not supported by this loader (rejected).
pub const SEC_UNSUPPORTED: u32 = 1 << 31;

// BTF kind of the attach target of `SEC_ATTACH_BTF` programs: a typedef for
// raw tracepoints, a function for everything else.
use crate::bpfobj::btf::{BTF_KIND_FUNC as KIND_FUNC, BTF_KIND_TYPEDEF as KIND_TYPEDEF};

/// How a [`SecDef`] pattern matches a section name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecMatch {
    /// The section name must equal the pattern.
    Exact,
    /// The section name must equal the pattern, or be the pattern followed
    /// by `/` and an attach target.
    Plus,
}

/// One entry of the section-name table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SecDef {
    /// The section name or prefix.
    pub pattern: &'static [u8],
    /// How [`SecDef::pattern`] matches.
    pub matching: SecMatch,
    /// `bpf_prog_type`.
    pub prog_type: u32,
    /// `bpf_attach_type` passed as `expected_attach_type`.
    pub expected_attach_type: u32,
    /// `SEC_*` flags.
    pub flags: u32,
}

const fn def(
    pattern: &'static [u8],
    matching: SecMatch,
    prog_type: u32,
    expected_attach_type: u32,
    flags: u32,
) -> SecDef {
    SecDef {
        pattern,
        matching,
        prog_type,
        expected_attach_type,
        flags,
    }
}

use SecMatch::{Exact as E, Plus as P};

const ATTACHABLE_OPT: u32 = SEC_EXP_ATTACH_OPT;
const BTF: u32 = SEC_ATTACH_BTF;
const BTF_S: u32 = SEC_ATTACH_BTF | SEC_SLEEPABLE;

/// The table, version [`SEC_DEF_VERSION`], in matching order.
pub static SEC_DEFS: &[SecDef] = &[
    def(b"socket", E, BPF_PROG_TYPE_SOCKET_FILTER, 0, 0),
    def(
        b"sk_reuseport/migrate",
        E,
        BPF_PROG_TYPE_SK_REUSEPORT,
        BPF_SK_REUSEPORT_SELECT_OR_MIGRATE,
        0,
    ),
    def(
        b"sk_reuseport",
        E,
        BPF_PROG_TYPE_SK_REUSEPORT,
        BPF_SK_REUSEPORT_SELECT,
        0,
    ),
    def(b"kprobe", P, BPF_PROG_TYPE_KPROBE, 0, 0),
    def(b"uprobe", P, BPF_PROG_TYPE_KPROBE, 0, 0),
    def(b"uprobe.s", P, BPF_PROG_TYPE_KPROBE, 0, SEC_SLEEPABLE),
    def(b"kretprobe", P, BPF_PROG_TYPE_KPROBE, 0, 0),
    def(b"uretprobe", P, BPF_PROG_TYPE_KPROBE, 0, 0),
    def(b"uretprobe.s", P, BPF_PROG_TYPE_KPROBE, 0, SEC_SLEEPABLE),
    def(
        b"kprobe.multi",
        P,
        BPF_PROG_TYPE_KPROBE,
        BPF_TRACE_KPROBE_MULTI,
        0,
    ),
    def(
        b"kretprobe.multi",
        P,
        BPF_PROG_TYPE_KPROBE,
        BPF_TRACE_KPROBE_MULTI,
        0,
    ),
    def(
        b"kprobe.session",
        P,
        BPF_PROG_TYPE_KPROBE,
        BPF_TRACE_KPROBE_SESSION,
        0,
    ),
    def(
        b"uprobe.multi",
        P,
        BPF_PROG_TYPE_KPROBE,
        BPF_TRACE_UPROBE_MULTI,
        0,
    ),
    def(
        b"uretprobe.multi",
        P,
        BPF_PROG_TYPE_KPROBE,
        BPF_TRACE_UPROBE_MULTI,
        0,
    ),
    def(
        b"uprobe.multi.s",
        P,
        BPF_PROG_TYPE_KPROBE,
        BPF_TRACE_UPROBE_MULTI,
        SEC_SLEEPABLE,
    ),
    def(
        b"uretprobe.multi.s",
        P,
        BPF_PROG_TYPE_KPROBE,
        BPF_TRACE_UPROBE_MULTI,
        SEC_SLEEPABLE,
    ),
    def(b"ksyscall", P, BPF_PROG_TYPE_KPROBE, 0, 0),
    def(b"kretsyscall", P, BPF_PROG_TYPE_KPROBE, 0, 0),
    def(b"usdt", P, BPF_PROG_TYPE_KPROBE, 0, SEC_USDT),
    def(
        b"usdt.s",
        P,
        BPF_PROG_TYPE_KPROBE,
        0,
        SEC_USDT | SEC_SLEEPABLE,
    ),
    def(
        b"tc/ingress",
        E,
        BPF_PROG_TYPE_SCHED_CLS,
        BPF_TCX_INGRESS,
        0,
    ),
    def(b"tc/egress", E, BPF_PROG_TYPE_SCHED_CLS, BPF_TCX_EGRESS, 0),
    def(
        b"tcx/ingress",
        E,
        BPF_PROG_TYPE_SCHED_CLS,
        BPF_TCX_INGRESS,
        0,
    ),
    def(b"tcx/egress", E, BPF_PROG_TYPE_SCHED_CLS, BPF_TCX_EGRESS, 0),
    def(b"tc", E, BPF_PROG_TYPE_SCHED_CLS, 0, 0),
    def(b"classifier", E, BPF_PROG_TYPE_SCHED_CLS, 0, 0),
    def(b"action", E, BPF_PROG_TYPE_SCHED_ACT, 0, 0),
    def(
        b"netkit/primary",
        E,
        BPF_PROG_TYPE_SCHED_CLS,
        BPF_NETKIT_PRIMARY,
        0,
    ),
    def(
        b"netkit/peer",
        E,
        BPF_PROG_TYPE_SCHED_CLS,
        BPF_NETKIT_PEER,
        0,
    ),
    def(b"tracepoint", P, BPF_PROG_TYPE_TRACEPOINT, 0, 0),
    def(b"tp", P, BPF_PROG_TYPE_TRACEPOINT, 0, 0),
    def(b"raw_tracepoint", P, BPF_PROG_TYPE_RAW_TRACEPOINT, 0, 0),
    def(b"raw_tp", P, BPF_PROG_TYPE_RAW_TRACEPOINT, 0, 0),
    def(
        b"raw_tracepoint.w",
        P,
        BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE,
        0,
        0,
    ),
    def(b"raw_tp.w", P, BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE, 0, 0),
    def(b"tp_btf", P, BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP, BTF),
    def(b"fentry", P, BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, BTF),
    def(
        b"fmod_ret",
        P,
        BPF_PROG_TYPE_TRACING,
        BPF_MODIFY_RETURN,
        BTF,
    ),
    def(b"fexit", P, BPF_PROG_TYPE_TRACING, BPF_TRACE_FEXIT, BTF),
    def(
        b"fentry.s",
        P,
        BPF_PROG_TYPE_TRACING,
        BPF_TRACE_FENTRY,
        BTF_S,
    ),
    def(
        b"fmod_ret.s",
        P,
        BPF_PROG_TYPE_TRACING,
        BPF_MODIFY_RETURN,
        BTF_S,
    ),
    def(b"fexit.s", P, BPF_PROG_TYPE_TRACING, BPF_TRACE_FEXIT, BTF_S),
    def(b"freplace", P, BPF_PROG_TYPE_EXT, 0, BTF),
    def(b"lsm", P, BPF_PROG_TYPE_LSM, BPF_LSM_MAC, BTF),
    def(b"lsm.s", P, BPF_PROG_TYPE_LSM, BPF_LSM_MAC, BTF_S),
    def(b"lsm_cgroup", P, BPF_PROG_TYPE_LSM, BPF_LSM_CGROUP, BTF),
    def(b"iter", P, BPF_PROG_TYPE_TRACING, BPF_TRACE_ITER, BTF),
    def(b"iter.s", P, BPF_PROG_TYPE_TRACING, BPF_TRACE_ITER, BTF_S),
    def(b"syscall", E, BPF_PROG_TYPE_SYSCALL, 0, SEC_SLEEPABLE),
    def(
        b"xdp.frags/devmap",
        E,
        BPF_PROG_TYPE_XDP,
        BPF_XDP_DEVMAP,
        SEC_XDP_FRAGS,
    ),
    def(b"xdp/devmap", E, BPF_PROG_TYPE_XDP, BPF_XDP_DEVMAP, 0),
    def(
        b"xdp.frags/cpumap",
        E,
        BPF_PROG_TYPE_XDP,
        BPF_XDP_CPUMAP,
        SEC_XDP_FRAGS,
    ),
    def(b"xdp/cpumap", E, BPF_PROG_TYPE_XDP, BPF_XDP_CPUMAP, 0),
    def(b"xdp.frags", E, BPF_PROG_TYPE_XDP, BPF_XDP, SEC_XDP_FRAGS),
    def(b"xdp", E, BPF_PROG_TYPE_XDP, BPF_XDP, ATTACHABLE_OPT),
    def(b"perf_event", E, BPF_PROG_TYPE_PERF_EVENT, 0, 0),
    def(b"lwt_in", E, BPF_PROG_TYPE_LWT_IN, 0, 0),
    def(b"lwt_out", E, BPF_PROG_TYPE_LWT_OUT, 0, 0),
    def(b"lwt_xmit", E, BPF_PROG_TYPE_LWT_XMIT, 0, 0),
    def(b"lwt_seg6local", E, BPF_PROG_TYPE_LWT_SEG6LOCAL, 0, 0),
    def(
        b"sockops",
        E,
        BPF_PROG_TYPE_SOCK_OPS,
        BPF_CGROUP_SOCK_OPS,
        ATTACHABLE_OPT,
    ),
    def(
        b"sk_skb/stream_parser",
        E,
        BPF_PROG_TYPE_SK_SKB,
        BPF_SK_SKB_STREAM_PARSER,
        ATTACHABLE_OPT,
    ),
    def(
        b"sk_skb/stream_verdict",
        E,
        BPF_PROG_TYPE_SK_SKB,
        BPF_SK_SKB_STREAM_VERDICT,
        ATTACHABLE_OPT,
    ),
    def(
        b"sk_skb/verdict",
        E,
        BPF_PROG_TYPE_SK_SKB,
        BPF_SK_SKB_VERDICT,
        ATTACHABLE_OPT,
    ),
    def(b"sk_skb", E, BPF_PROG_TYPE_SK_SKB, 0, 0),
    def(
        b"sk_msg",
        E,
        BPF_PROG_TYPE_SK_MSG,
        BPF_SK_MSG_VERDICT,
        ATTACHABLE_OPT,
    ),
    def(
        b"lirc_mode2",
        E,
        BPF_PROG_TYPE_LIRC_MODE2,
        BPF_LIRC_MODE2,
        ATTACHABLE_OPT,
    ),
    def(
        b"flow_dissector",
        E,
        BPF_PROG_TYPE_FLOW_DISSECTOR,
        BPF_FLOW_DISSECTOR,
        ATTACHABLE_OPT,
    ),
    def(
        b"cgroup_skb/ingress",
        E,
        BPF_PROG_TYPE_CGROUP_SKB,
        BPF_CGROUP_INET_INGRESS,
        ATTACHABLE_OPT,
    ),
    def(
        b"cgroup_skb/egress",
        E,
        BPF_PROG_TYPE_CGROUP_SKB,
        BPF_CGROUP_INET_EGRESS,
        ATTACHABLE_OPT,
    ),
    def(b"cgroup/skb", E, BPF_PROG_TYPE_CGROUP_SKB, 0, 0),
    def(
        b"cgroup/sock_create",
        E,
        BPF_PROG_TYPE_CGROUP_SOCK,
        BPF_CGROUP_INET_SOCK_CREATE,
        0,
    ),
    def(
        b"cgroup/sock_release",
        E,
        BPF_PROG_TYPE_CGROUP_SOCK,
        BPF_CGROUP_INET_SOCK_RELEASE,
        0,
    ),
    def(
        b"cgroup/sock",
        E,
        BPF_PROG_TYPE_CGROUP_SOCK,
        BPF_CGROUP_INET_SOCK_CREATE,
        ATTACHABLE_OPT,
    ),
    def(
        b"cgroup/post_bind4",
        E,
        BPF_PROG_TYPE_CGROUP_SOCK,
        BPF_CGROUP_INET4_POST_BIND,
        0,
    ),
    def(
        b"cgroup/post_bind6",
        E,
        BPF_PROG_TYPE_CGROUP_SOCK,
        BPF_CGROUP_INET6_POST_BIND,
        0,
    ),
    def(
        b"cgroup/bind4",
        E,
        BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
        BPF_CGROUP_INET4_BIND,
        0,
    ),
    def(
        b"cgroup/bind6",
        E,
        BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
        BPF_CGROUP_INET6_BIND,
        0,
    ),
    def(
        b"cgroup/connect4",
        E,
        BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
        BPF_CGROUP_INET4_CONNECT,
        0,
    ),
    def(
        b"cgroup/connect6",
        E,
        BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
        BPF_CGROUP_INET6_CONNECT,
        0,
    ),
    def(
        b"cgroup/connect_unix",
        E,
        BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
        BPF_CGROUP_UNIX_CONNECT,
        0,
    ),
    def(
        b"cgroup/sendmsg4",
        E,
        BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
        BPF_CGROUP_UDP4_SENDMSG,
        0,
    ),
    def(
        b"cgroup/sendmsg6",
        E,
        BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
        BPF_CGROUP_UDP6_SENDMSG,
        0,
    ),
    def(
        b"cgroup/sendmsg_unix",
        E,
        BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
        BPF_CGROUP_UNIX_SENDMSG,
        0,
    ),
    def(
        b"cgroup/recvmsg4",
        E,
        BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
        BPF_CGROUP_UDP4_RECVMSG,
        0,
    ),
    def(
        b"cgroup/recvmsg6",
        E,
        BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
        BPF_CGROUP_UDP6_RECVMSG,
        0,
    ),
    def(
        b"cgroup/recvmsg_unix",
        E,
        BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
        BPF_CGROUP_UNIX_RECVMSG,
        0,
    ),
    def(
        b"cgroup/getpeername4",
        E,
        BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
        BPF_CGROUP_INET4_GETPEERNAME,
        0,
    ),
    def(
        b"cgroup/getpeername6",
        E,
        BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
        BPF_CGROUP_INET6_GETPEERNAME,
        0,
    ),
    def(
        b"cgroup/getpeername_unix",
        E,
        BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
        BPF_CGROUP_UNIX_GETPEERNAME,
        0,
    ),
    def(
        b"cgroup/getsockname4",
        E,
        BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
        BPF_CGROUP_INET4_GETSOCKNAME,
        0,
    ),
    def(
        b"cgroup/getsockname6",
        E,
        BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
        BPF_CGROUP_INET6_GETSOCKNAME,
        0,
    ),
    def(
        b"cgroup/getsockname_unix",
        E,
        BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
        BPF_CGROUP_UNIX_GETSOCKNAME,
        0,
    ),
    def(
        b"cgroup/sysctl",
        E,
        BPF_PROG_TYPE_CGROUP_SYSCTL,
        BPF_CGROUP_SYSCTL,
        0,
    ),
    def(
        b"cgroup/getsockopt",
        E,
        BPF_PROG_TYPE_CGROUP_SOCKOPT,
        BPF_CGROUP_GETSOCKOPT,
        0,
    ),
    def(
        b"cgroup/setsockopt",
        E,
        BPF_PROG_TYPE_CGROUP_SOCKOPT,
        BPF_CGROUP_SETSOCKOPT,
        0,
    ),
    def(
        b"cgroup/dev",
        E,
        BPF_PROG_TYPE_CGROUP_DEVICE,
        BPF_CGROUP_DEVICE,
        ATTACHABLE_OPT,
    ),
    def(b"struct_ops", P, BPF_PROG_TYPE_STRUCT_OPS, 0, 0),
    def(
        b"struct_ops.s",
        P,
        BPF_PROG_TYPE_STRUCT_OPS,
        0,
        SEC_SLEEPABLE,
    ),
    def(b"sk_lookup", E, BPF_PROG_TYPE_SK_LOOKUP, BPF_SK_LOOKUP, 0),
    def(b"netfilter", E, BPF_PROG_TYPE_NETFILTER, BPF_NETFILTER, 0),
];

impl SecDef {
    /// If `name` matches this entry, the attach target (empty if none).
    pub fn matches<'n>(&self, name: &'n [u8]) -> Option<&'n [u8]> {
        match self.matching {
            SecMatch::Exact => (name == self.pattern).then_some(&[][..]),
            SecMatch::Plus => {
                let rest = name.strip_prefix(self.pattern)?;
                match rest.split_first() {
                    None => Some(&[][..]),
                    Some((b'/', target)) => Some(target),
                    Some(_) => None,
                }
            }
        }
    }
}

/// What the section name says about a program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProgSpec<'a> {
    /// The matched table entry.
    pub def: &'static SecDef,
    /// The section name without a leading `?`.
    pub section: &'a [u8],
    /// `bpf_prog_type`.
    pub prog_type: u32,
    /// `expected_attach_type`.
    pub expected_attach_type: u32,
    /// The attach target: the section name after the matched prefix and its
    /// `/` (`"do_unlinkat"` for `fentry/do_unlinkat`,
    /// `"syscalls/sys_enter_execve"` for `tracepoint/syscalls/...`); empty if
    /// none.
    pub attach_func: &'a [u8],
    /// Whether the attach target is a kernel BTF object.
    pub attach_btf: bool,
    /// For [`ProgSpec::attach_btf`] programs, the prefix of the BTF name to
    /// look up (`btf_trace_`, `bpf_lsm_`, `bpf_iter_` or empty).
    pub attach_btf_prefix: &'static [u8],
    /// For [`ProgSpec::attach_btf`] programs, the BTF kind to look up.
    pub attach_btf_kind: u32,
    /// The program is sleepable.
    pub sleepable: bool,
    /// `BPF_PROG_LOAD` `prog_flags` implied by the section name.
    pub prog_flags: u32,
    /// `false` for `SEC("?...")` programs (libbpf does not load them by
    /// default); informational.
    pub autoload: bool,
    /// A USDT program ([`SEC_USDT`]): where the kernel has uprobe-multi
    /// links, its expected attach type is `BPF_TRACE_UPROBE_MULTI` (see
    /// [`ProgSpec::expected_attach_type_for`]), so `bpf_get_attach_cookie()`
    /// resolves to the uprobe-multi helper as under libbpf.
    pub usdt: bool,
}

impl ProgSpec<'_> {
    /// `expected_attach_type` for a kernel that has (`uprobe_multi`) or
    /// lacks uprobe-multi links, as libbpf's `libbpf_prepare_prog_load()`.
    pub fn expected_attach_type_for(&self, uprobe_multi: bool) -> u32 {
        expected_attach_type_for(self.expected_attach_type, self.usdt, uprobe_multi)
    }
}

/// See [`ProgSpec::expected_attach_type_for`].
pub fn expected_attach_type_for(expected: u32, usdt: bool, uprobe_multi: bool) -> u32 {
    if usdt && uprobe_multi {
        BPF_TRACE_UPROBE_MULTI
    } else {
        expected
    }
}

/// The first table entry matching `name` (no `?` stripping).
pub fn find(name: &[u8]) -> Option<(&'static SecDef, &[u8])> {
    SEC_DEFS
        .iter()
        .find_map(|d| d.matches(name).map(|target| (d, target)))
}

/// Classifies the program section `sec_name` (ELF section `sec_idx`, used
/// only for the error).
pub fn classify(sec_idx: u32, sec_name: &[u8]) -> Result<ProgSpec<'_>, Error> {
    let (autoload, section) = match sec_name.strip_prefix(b"?") {
        Some(rest) => (false, rest),
        None => (true, sec_name),
    };
    let (def, attach_func) =
        find(section).ok_or(Error::at_section(sec_idx, ProgError::UnknownSection))?;
    if def.flags & SEC_UNSUPPORTED != 0 {
        return Err(Error::at_section(
            sec_idx,
            ProgError::UnsupportedType {
                prog_type: def.prog_type,
            },
        ));
    }
    let attach_btf = def.flags & SEC_ATTACH_BTF != 0;
    let (attach_btf_prefix, attach_btf_kind): (&'static [u8], u32) = if !attach_btf {
        (b"", 0)
    } else {
        match def.expected_attach_type {
            BPF_TRACE_RAW_TP => (b"btf_trace_", KIND_TYPEDEF),
            BPF_LSM_MAC | BPF_LSM_CGROUP => (b"bpf_lsm_", KIND_FUNC),
            BPF_TRACE_ITER => (b"bpf_iter_", KIND_FUNC),
            _ => (b"", KIND_FUNC),
        }
    };
    let sleepable = def.flags & SEC_SLEEPABLE != 0;
    let mut prog_flags = 0;
    if sleepable {
        prog_flags |= BPF_F_SLEEPABLE;
    }
    if def.prog_type == BPF_PROG_TYPE_XDP && def.flags & SEC_XDP_FRAGS != 0 {
        prog_flags |= BPF_F_XDP_HAS_FRAGS;
    }
    Ok(ProgSpec {
        def,
        section,
        prog_type: def.prog_type,
        expected_attach_type: def.expected_attach_type,
        attach_func,
        attach_btf,
        attach_btf_prefix,
        attach_btf_kind,
        sleepable,
        prog_flags,
        autoload,
        usdt: def.flags & SEC_USDT != 0,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
mod tests {
    use super::*;

    fn ok(name: &[u8]) -> ProgSpec<'_> {
        classify(7, name).unwrap()
    }

    #[test]
    fn usdt_uses_uprobe_multi_where_the_kernel_has_it() {
        for sec in [
            &b"usdt"[..],
            b"usdt//proc/self/exe:test:usdt3",
            b"usdt.s/x:y:z",
        ] {
            let p = classify(1, sec).unwrap();
            assert!(p.usdt);
            assert_eq!(p.expected_attach_type_for(true), BPF_TRACE_UPROBE_MULTI);
            assert_eq!(p.expected_attach_type_for(false), 0);
        }
        let k = classify(1, b"kprobe/do_unlinkat").unwrap();
        assert!(!k.usdt);
        assert_eq!(k.expected_attach_type_for(true), 0);
    }

    #[test]
    fn exact_and_plus() {
        let s = ok(b"socket");
        assert_eq!(s.prog_type, BPF_PROG_TYPE_SOCKET_FILTER);
        assert_eq!(s.attach_func, b"");
        assert_eq!(
            classify(3, b"socket/x"),
            Err(Error::at_section(3, ProgError::UnknownSection))
        );

        let k = ok(b"kprobe/do_unlinkat");
        assert_eq!(k.prog_type, BPF_PROG_TYPE_KPROBE);
        assert_eq!(k.attach_func, b"do_unlinkat");
        assert_eq!(ok(b"kprobe").attach_func, b"");
        // "kprobeX" is not "kprobe+".
        assert_eq!(
            classify(3, b"kprobex"),
            Err(Error::at_section(3, ProgError::UnknownSection))
        );

        let t = ok(b"tracepoint/syscalls/sys_enter_execve");
        assert_eq!(t.prog_type, BPF_PROG_TYPE_TRACEPOINT);
        assert_eq!(t.attach_func, b"syscalls/sys_enter_execve");
        assert_eq!(
            ok(b"tp/sched/sched_switch").prog_type,
            BPF_PROG_TYPE_TRACEPOINT
        );
    }

    #[test]
    fn btf_attach() {
        let f = ok(b"fentry/do_unlinkat");
        assert_eq!(
            (f.prog_type, f.expected_attach_type, f.attach_func),
            (BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, &b"do_unlinkat"[..])
        );
        assert!(f.attach_btf && !f.sleepable);
        assert_eq!(
            (f.attach_btf_prefix, f.attach_btf_kind),
            (&b""[..], KIND_FUNC)
        );

        let l = ok(b"lsm.s/bprm_committed_creds");
        assert_eq!(l.prog_type, BPF_PROG_TYPE_LSM);
        assert_eq!(l.expected_attach_type, BPF_LSM_MAC);
        assert!(l.sleepable);
        assert_eq!(l.prog_flags, BPF_F_SLEEPABLE);
        assert_eq!(l.attach_btf_prefix, b"bpf_lsm_");

        let tp = ok(b"tp_btf/sched_switch");
        assert_eq!(tp.expected_attach_type, BPF_TRACE_RAW_TP);
        assert_eq!(
            (tp.attach_btf_prefix, tp.attach_btf_kind),
            (&b"btf_trace_"[..], KIND_TYPEDEF)
        );

        let it = ok(b"iter/task");
        assert_eq!(it.expected_attach_type, BPF_TRACE_ITER);
        assert_eq!(it.attach_btf_prefix, b"bpf_iter_");
        assert_eq!(ok(b"fexit/x").expected_attach_type, BPF_TRACE_FEXIT);
        assert_eq!(ok(b"fmod_ret/x").expected_attach_type, BPF_MODIFY_RETURN);
        // "fentry.s/x" must not be taken by "fentry+".
        assert!(ok(b"fentry.s/x").sleepable);
    }

    #[test]
    fn networking() {
        assert_eq!(ok(b"tc").prog_type, BPF_PROG_TYPE_SCHED_CLS);
        assert_eq!(ok(b"classifier").prog_type, BPF_PROG_TYPE_SCHED_CLS);
        assert_eq!(ok(b"tc/ingress").expected_attach_type, BPF_TCX_INGRESS);
        let x = ok(b"xdp");
        assert_eq!(
            (x.prog_type, x.expected_attach_type),
            (BPF_PROG_TYPE_XDP, BPF_XDP)
        );
        assert_eq!(ok(b"xdp.frags").prog_flags, BPF_F_XDP_HAS_FRAGS);
        assert_eq!(ok(b"xdp/devmap").expected_attach_type, BPF_XDP_DEVMAP);
        let c = ok(b"cgroup_skb/egress");
        assert_eq!(
            (c.prog_type, c.expected_attach_type),
            (BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_EGRESS)
        );
        assert_eq!(
            ok(b"cgroup/connect4").expected_attach_type,
            BPF_CGROUP_INET4_CONNECT
        );
        assert_eq!(
            ok(b"cgroup/sock").expected_attach_type,
            BPF_CGROUP_INET_SOCK_CREATE
        );
        assert_eq!(ok(b"perf_event").prog_type, BPF_PROG_TYPE_PERF_EVENT);
        let s = ok(b"syscall");
        assert_eq!(s.prog_type, BPF_PROG_TYPE_SYSCALL);
        assert!(s.sleepable);
    }

    #[test]
    fn question_mark_and_rejections() {
        let q = ok(b"?raw_tp/sys_enter");
        assert!(!q.autoload);
        assert_eq!(q.section, b"raw_tp/sys_enter");
        assert_eq!(q.prog_type, BPF_PROG_TYPE_RAW_TRACEPOINT);
        let st = ok(b"struct_ops/init");
        assert_eq!(st.prog_type, BPF_PROG_TYPE_STRUCT_OPS);
        assert!(!st.attach_btf);
        let st = ok(b"struct_ops.s/x");
        assert_eq!(st.prog_type, BPF_PROG_TYPE_STRUCT_OPS);
        assert!(st.sleepable);
        assert_eq!(
            classify(4, b".text"),
            Err(Error::at_section(4, ProgError::UnknownSection))
        );
        assert_eq!(
            classify(4, b""),
            Err(Error::at_section(4, ProgError::UnknownSection))
        );
        assert_eq!(
            classify(4, b"?"),
            Err(Error::at_section(4, ProgError::UnknownSection))
        );
    }

    #[test]
    fn table_is_reachable() {
        // Every entry is the first match for its own pattern: no entry is
        // shadowed by an earlier one.
        for d in SEC_DEFS {
            let (found, target) = find(d.pattern).unwrap();
            assert_eq!(found, d, "{:?}", core::str::from_utf8(d.pattern));
            assert!(target.is_empty());
        }
    }
}
