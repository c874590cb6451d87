// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_LOAD_FD rejection test object (prog_tests/loadfd_reject.c): a strong .kconfig
 * extern the running kernel's .config does not define. BPF_LOAD_FD fails
 * with ENOENT and names the extern.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

extern int CONFIG_LOADFD_NO_SUCH __kconfig;

int out;

SEC("raw_tp/sys_enter")
int loadfd_bad_missing_kconfig(void *ctx)
{
	out = CONFIG_LOADFD_NO_SUCH;
	return 0;
}

char _license[] SEC("license") = "GPL";
