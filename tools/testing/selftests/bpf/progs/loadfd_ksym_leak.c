// SPDX-License-Identifier: GPL-2.0
/*
 * A typeless ksym is a kernel address the program may store anywhere: this
 * one hands init_task's address to whoever runs it (BPF_PROG_TEST_RUN writes
 * the context back). BPF_LOAD_FD must resolve it only for callers that
 * /proc/kallsyms would show the address to (prog_tests/loadfd_priv.c).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern const void init_task __ksym;

SEC("syscall")
int leak(__u64 *ctx)
{
	*ctx = (__u64)&init_task;
	return 0;
}

char _license[] SEC("license") = "GPL";
