// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_LOAD_FD end-to-end test object: one BTF-defined map, "counter", that
 * loadfd_prog_test supplies by name in BPF_LOAD_FD's maps array (or lets the
 * kernel create). Each run adds 1 to slot 0 and stores the packet length in
 * slot 1.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} counter SEC(".maps");

SEC("tc")
int loadfd_count(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 *v;

	v = bpf_map_lookup_elem(&counter, &key);
	if (!v)
		return 2;
	__sync_fetch_and_add(v, 1);
	key = 1;
	v = bpf_map_lookup_elem(&counter, &key);
	if (!v)
		return 3;
	*v = skb->len;
	return 0;
}

char _license[] SEC("license") = "GPL";
