// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_LOAD_FD test object: a perf event array declared without max_entries,
 * as most tracing tools declare it; libbpf sizes it to the number of
 * possible CPUs, and so does the loader.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(int));
	__uint(value_size, sizeof(int));
} events SEC(".maps");

SEC("raw_tp/sys_enter")
int perf_out(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 v = 1;

	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &v, sizeof(v));
	return 0;
}

char _license[] SEC("license") = "GPL";
