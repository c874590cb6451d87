// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_LOAD_FD rejection test object (prog_tests/loadfd_reject.c): a strong typed ksym
 * the kernel does not have. BPF_LOAD_FD fails with ENOENT and names the
 * extern (a weak one would read as zero instead).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

extern const int loadfd_no_such_ksym __ksym;

int out;

SEC("raw_tp/sys_enter")
int loadfd_bad_missing_ksym(void *ctx)
{
	out = *(const int *)bpf_this_cpu_ptr(&loadfd_no_such_ksym);
	return 0;
}

char _license[] SEC("license") = "GPL";
