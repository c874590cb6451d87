// SPDX-License-Identifier: GPL-2.0

//! Names of uapi enum values, as libbpf and bpftool spell them
//! (`tools/lib/bpf/libbpf.c`: `prog_type_name[]`, `attach_type_name[]`,
//! `map_type_name[]`, `link_type_name[]`).

use bpfobj::uapi::{BPF_CGROUP_INET_INGRESS, BPF_PROG_TYPE_CGROUP_SKB};

const PROG_TYPES: &[&str] = &[
    "unspec",
    "socket_filter",
    "kprobe",
    "sched_cls",
    "sched_act",
    "tracepoint",
    "xdp",
    "perf_event",
    "cgroup_skb",
    "cgroup_sock",
    "lwt_in",
    "lwt_out",
    "lwt_xmit",
    "sock_ops",
    "sk_skb",
    "cgroup_device",
    "sk_msg",
    "raw_tracepoint",
    "cgroup_sock_addr",
    "lwt_seg6local",
    "lirc_mode2",
    "sk_reuseport",
    "flow_dissector",
    "cgroup_sysctl",
    "raw_tracepoint_writable",
    "cgroup_sockopt",
    "tracing",
    "struct_ops",
    "ext",
    "lsm",
    "sk_lookup",
    "syscall",
    "netfilter",
];

const ATTACH_TYPES: &[&str] = &[
    "cgroup_inet_ingress",
    "cgroup_inet_egress",
    "cgroup_inet_sock_create",
    "cgroup_sock_ops",
    "sk_skb_stream_parser",
    "sk_skb_stream_verdict",
    "cgroup_device",
    "sk_msg_verdict",
    "cgroup_inet4_bind",
    "cgroup_inet6_bind",
    "cgroup_inet4_connect",
    "cgroup_inet6_connect",
    "cgroup_inet4_post_bind",
    "cgroup_inet6_post_bind",
    "cgroup_udp4_sendmsg",
    "cgroup_udp6_sendmsg",
    "lirc_mode2",
    "flow_dissector",
    "cgroup_sysctl",
    "cgroup_udp4_recvmsg",
    "cgroup_udp6_recvmsg",
    "cgroup_getsockopt",
    "cgroup_setsockopt",
    "trace_raw_tp",
    "trace_fentry",
    "trace_fexit",
    "modify_return",
    "lsm_mac",
    "trace_iter",
    "cgroup_inet4_getpeername",
    "cgroup_inet6_getpeername",
    "cgroup_inet4_getsockname",
    "cgroup_inet6_getsockname",
    "xdp_devmap",
    "cgroup_inet_sock_release",
    "xdp_cpumap",
    "sk_lookup",
    "xdp",
    "sk_skb_verdict",
    "sk_reuseport_select",
    "sk_reuseport_select_or_migrate",
    "perf_event",
    "trace_kprobe_multi",
    "lsm_cgroup",
    "struct_ops",
    "netfilter",
    "tcx_ingress",
    "tcx_egress",
    "trace_uprobe_multi",
    "cgroup_unix_connect",
    "cgroup_unix_sendmsg",
    "cgroup_unix_recvmsg",
    "cgroup_unix_getpeername",
    "cgroup_unix_getsockname",
    "netkit_primary",
    "netkit_peer",
    "trace_kprobe_session",
];

const MAP_TYPES: &[&str] = &[
    "unspec",
    "hash",
    "array",
    "prog_array",
    "perf_event_array",
    "percpu_hash",
    "percpu_array",
    "stack_trace",
    "cgroup_array",
    "lru_hash",
    "lru_percpu_hash",
    "lpm_trie",
    "array_of_maps",
    "hash_of_maps",
    "devmap",
    "sockmap",
    "cpumap",
    "xskmap",
    "sockhash",
    "cgroup_storage",
    "reuseport_sockarray",
    "percpu_cgroup_storage",
    "queue",
    "stack",
    "sk_storage",
    "devmap_hash",
    "struct_ops",
    "ringbuf",
    "inode_storage",
    "task_storage",
    "bloom_filter",
    "user_ringbuf",
    "cgrp_storage",
    "arena",
];

const LINK_TYPES: &[&str] = &[
    "unspec",
    "raw_tracepoint",
    "tracing",
    "cgroup",
    "iter",
    "netns",
    "xdp",
    "perf_event",
    "kprobe_multi",
    "struct_ops",
    "netfilter",
    "tcx",
    "uprobe_multi",
    "netkit",
    "sockmap",
];

fn lookup(table: &'static [&'static str], v: u32) -> Option<&'static str> {
    table.get(usize::try_from(v).ok()?).copied()
}

/// `enum bpf_prog_type` name (`"tracing"`), or `None` if unknown.
pub fn prog_type(v: u32) -> Option<&'static str> {
    lookup(PROG_TYPES, v)
}

/// `enum bpf_attach_type` name (`"trace_fentry"`), or `None` if unknown.
pub fn attach_type(v: u32) -> Option<&'static str> {
    lookup(ATTACH_TYPES, v)
}

/// `enum bpf_map_type` name (`"array"`), or `None` if unknown.
pub fn map_type(v: u32) -> Option<&'static str> {
    lookup(MAP_TYPES, v)
}

/// `enum bpf_link_type` name (`"tracing"`), or `None` if unknown.
pub fn link_type(v: u32) -> Option<&'static str> {
    lookup(LINK_TYPES, v)
}

/// `N (name)`, or `N` if the value has no known name.
pub fn label(v: u32, name: Option<&str>) -> String {
    match name {
        Some(n) => format!("{v} ({n})"),
        None => v.to_string(),
    }
}

/// A program type for humans: `26 (tracing)`.
pub fn prog_type_label(v: u32) -> String {
    label(v, prog_type(v))
}

/// A map type for humans: `2 (array)`.
pub fn map_type_label(v: u32) -> String {
    label(v, map_type(v))
}

/// A link type for humans: `2 (tracing)`.
pub fn link_type_label(v: u32) -> String {
    label(v, link_type(v))
}

/// The name of a program's expected attach type. 0 is
/// `BPF_CGROUP_INET_INGRESS`, but for every program type except
/// `cgroup_skb` it means "none", so it has no name there.
pub fn expected_attach_type(prog_type: u32, v: u32) -> Option<&'static str> {
    if v == BPF_CGROUP_INET_INGRESS && prog_type != BPF_PROG_TYPE_CGROUP_SKB {
        return None;
    }
    attach_type(v)
}

/// An expected attach type for humans: `24 (trace_fentry)`, or a bare `0`
/// (see [`expected_attach_type`]).
pub fn attach_type_label(prog_type: u32, v: u32) -> String {
    label(v, expected_attach_type(prog_type, v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bpfobj::uapi::{
        BPF_LSM_MAC, BPF_PERF_EVENT, BPF_PROG_TYPE_LSM, BPF_PROG_TYPE_NETFILTER,
        BPF_PROG_TYPE_SOCKET_FILTER, BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY,
        BPF_TRACE_KPROBE_SESSION, BPF_TRACE_RAW_TP,
    };
    use bpfobj::uapi::{BPF_MAP_TYPE_RINGBUF, BPF_MAP_TYPE_USER_RINGBUF};

    #[test]
    fn tables_line_up_with_the_uapi_values() {
        assert_eq!(prog_type(BPF_PROG_TYPE_TRACING), Some("tracing"));
        assert_eq!(prog_type(BPF_PROG_TYPE_LSM), Some("lsm"));
        assert_eq!(prog_type(BPF_PROG_TYPE_NETFILTER), Some("netfilter"));
        assert_eq!(prog_type(BPF_PROG_TYPE_NETFILTER + 1), None);
        assert_eq!(attach_type(BPF_TRACE_RAW_TP), Some("trace_raw_tp"));
        assert_eq!(attach_type(BPF_TRACE_FENTRY), Some("trace_fentry"));
        assert_eq!(attach_type(BPF_LSM_MAC), Some("lsm_mac"));
        assert_eq!(attach_type(BPF_PERF_EVENT), Some("perf_event"));
        assert_eq!(
            attach_type(BPF_TRACE_KPROBE_SESSION),
            Some("trace_kprobe_session")
        );
        assert_eq!(attach_type(BPF_TRACE_KPROBE_SESSION + 1), None);
        assert_eq!(map_type(BPF_MAP_TYPE_RINGBUF), Some("ringbuf"));
        assert_eq!(map_type(BPF_MAP_TYPE_USER_RINGBUF), Some("user_ringbuf"));
        assert_eq!(map_type(25), Some("devmap_hash"));
        assert_eq!(map_type(33), Some("arena"));
        assert_eq!(link_type(14), Some("sockmap"));
    }

    /// Each table's position `i` holds the name of the enumerator whose
    /// value is `i` in the patched header (`BPF_PROG_TYPE_` + upper-cased
    /// name, and so on).
    #[test]
    fn tables_match_the_patched_header() {
        let tables: &[(&str, &[&str])] = &[
            ("BPF_PROG_TYPE_", PROG_TYPES),
            ("BPF_", ATTACH_TYPES),
            ("BPF_MAP_TYPE_", MAP_TYPES),
            ("BPF_LINK_TYPE_", LINK_TYPES),
        ];
        let mut exprs = Vec::new();
        for (prefix, names) in tables {
            for n in names.iter() {
                exprs.push(format!("{prefix}{}", n.to_uppercase()));
            }
        }
        let refs: Vec<&str> = exprs.iter().map(String::as_str).collect();
        let vals = crate::ctest::c_values(&refs);
        let mut k = 0;
        for (_, names) in tables {
            for i in 0..names.len() {
                assert_eq!(
                    vals[k], i as i64,
                    "{} is {}, table has it at {i}",
                    refs[k], vals[k]
                );
                k += 1;
            }
        }
        // The tables end where the enums do.
        let ends = crate::ctest::c_values(&[
            "__MAX_BPF_PROG_TYPE",
            "__MAX_BPF_ATTACH_TYPE",
            "__MAX_BPF_MAP_TYPE",
            "__MAX_BPF_LINK_TYPE",
        ]);
        for ((_, names), end) in tables.iter().zip(ends) {
            assert_eq!(names.len() as i64, end);
        }
    }

    #[test]
    fn labels() {
        assert_eq!(prog_type_label(BPF_PROG_TYPE_TRACING), "26 (tracing)");
        assert_eq!(prog_type_label(999), "999");
        assert_eq!(attach_type_label(BPF_PROG_TYPE_SOCKET_FILTER, 0), "0");
        assert_eq!(
            attach_type_label(BPF_PROG_TYPE_CGROUP_SKB, 0),
            "0 (cgroup_inet_ingress)"
        );
        assert_eq!(
            attach_type_label(BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY),
            "24 (trace_fentry)"
        );
        assert_eq!(map_type_label(2), "2 (array)");
        assert_eq!(link_type_label(2), "2 (tracing)");
    }
}
