// SPDX-License-Identifier: GPL-2.0
/*
 * A map definition with BPF_F_TOKEN_FD in map_flags: for BPF_MAP_CREATE that
 * flag means "take a token from map_token_fd", which the object cannot
 * supply (it would be fd 0 of whoever calls BPF_LOAD_FD). Refused.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(map_flags, BPF_F_TOKEN_FD);
} tokmap SEC(".maps");

SEC("socket")
int use_tokmap(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&tokmap, &key);

	return v ? 1 : 0;
}

char _license[] SEC("license") = "GPL";
