// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_LOAD_FD end-to-end test object: one program per attach kind the
 * bpf-loadfd shim's attach handles through an interface or a cgroup (xdp,
 * tcx, cgroup_skb). Each counts its runs in .bss so loadfd_shim_test can
 * see traffic reach it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

__u64 xdp_runs;
__u64 tcx_runs;
__u64 cgroup_runs;

SEC("xdp")
int shim_xdp(struct xdp_md *ctx)
{
	__sync_fetch_and_add(&xdp_runs, 1);
	return XDP_PASS;
}

SEC("tcx/ingress")
int shim_tcx(struct __sk_buff *skb)
{
	__sync_fetch_and_add(&tcx_runs, 1);
	return TCX_NEXT;
}

SEC("cgroup_skb/egress")
int shim_cgroup(struct __sk_buff *skb)
{
	__sync_fetch_and_add(&cgroup_runs, 1);
	return 1;
}

char _license[] SEC("license") = "GPL";
