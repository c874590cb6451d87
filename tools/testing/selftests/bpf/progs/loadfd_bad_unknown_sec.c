// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_LOAD_FD rejection test object (prog_tests/loadfd_reject.c): a program in a
 * section whose name matches no SEC-name table entry. BPF_LOAD_FD must refuse
 * it (EOPNOTSUPP, the log names the section) instead of guessing a type.
 */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))

SEC("loadfd_no_such_section")
int loadfd_bad_unknown_sec(void *ctx)
{
	return 0;
}

char _license[] SEC("license") = "GPL";
