// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_LOAD_FD test object for "the file is the truth" (prog_tests/loadfd_truth.c):
 * a .kconfig value, a .rodata constant and a 1 MiB .data, each returned by
 * a program, so a test sees whose value a loaded program really uses, and a
 * hash map to resize.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

extern unsigned int LINUX_KERNEL_VERSION __kconfig;

const volatile __u32 truth_cfg = 7;

/* A map a caller may resize by declaring it (BPF_LOADFD_MAP_MAX_ENTRIES). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} truth_hash SEC(".maps");

/* Large enough that creating and filling the map takes a while: the window
 * the fd race in prog_tests/loadfd_truth.c aims at.
 */
__u8 truth_big[1 << 20] = { 1 };

SEC("tc")
int truth_kver(struct __sk_buff *skb)
{
	return LINUX_KERNEL_VERSION;
}

SEC("tc")
int truth_cfg_ret(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&truth_hash, &key);

	return truth_cfg + truth_big[1] + (v ? *v : 0);
}

char _license[] SEC("license") = "GPL";
