// SPDX-License-Identifier: GPL-2.0
/* One program that cannot be linked (an ld_imm64 naming a map by a raw fd,
 * which the loader never takes from the caller's fd table), one that can:
 * as with libbpf, which relocates only the programs it loads, the second
 * still loads.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char _license[] SEC("license") = "GPL";

SEC("socket")
int loadfd_partial_ok(struct __sk_buff *skb)
{
	return 7;
}

SEC("socket")
int loadfd_partial_bad(struct __sk_buff *skb)
{
	/* r1 = map fd 1 (BPF_LD | BPF_DW | BPF_IMM, src BPF_PSEUDO_MAP_FD) */
	asm volatile (".8byte 0x0000000100001118; .8byte 0" ::: "r1");
	return 0;
}
