// SPDX-License-Identifier: GPL-2.0
/*
 * The loadfd demo program: counts execve() calls in an array map and in a
 * global variable. Needs only the uapi header and libbpf's bpf_helpers.h.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} execve_count SEC(".maps");

__u64 total_execs = 0;

SEC("tracepoint/syscalls/sys_enter_execve")
int count_execve(void *ctx)
{
	__u32 key = 0;
	__u64 *v;

	v = bpf_map_lookup_elem(&execve_count, &key);
	if (v)
		__sync_fetch_and_add(v, 1);
	__sync_fetch_and_add(&total_execs, 1);
	return 0;
}

char _license[] SEC("license") = "GPL";
