// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_LOAD_FD end-to-end test object: a map pinned by name
 * (LIBBPF_PIN_BY_NAME) next to one that is not. Two loader objects given
 * the same pin directory share loadfd_pinned and each has its own
 * loadfd_unpinned: loadfd_prog_test's "pin_by_name".
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} loadfd_pinned SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} loadfd_unpinned SEC(".maps");

SEC("tc")
int loadfd_pin_count(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 *v;

	v = bpf_map_lookup_elem(&loadfd_pinned, &key);
	if (v)
		__sync_fetch_and_add(v, 1);
	v = bpf_map_lookup_elem(&loadfd_unpinned, &key);
	if (v)
		__sync_fetch_and_add(v, 1);
	return 0;
}

char _license[] SEC("license") = "GPL";
