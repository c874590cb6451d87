// SPDX-License-Identifier: GPL-2.0
/*
 * The smallest object BPF_LOAD_FD must accept: one socket filter, a license,
 * BTF (built with -g), no maps, no relocations. Only the uapi header, so it
 * builds without libbpf or vmlinux.h.
 */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))

SEC("socket")
int loadfd_minimal(struct __sk_buff *skb)
{
	return skb->len ? 1 : 0;
}

char _license[] SEC("license") = "GPL";
