// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_LOAD_FD end-to-end test object: a string .kconfig extern (a char
 * array, filled from the quoted value in the kernel's .config and
 * NUL-padded), kept apart from loadfd_kconfig.c so that a loader without
 * string support fails only loadfd_prog_test's "kconfig_string" test.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

extern const char CONFIG_DEFAULT_HOSTNAME[32] __kconfig;

char out_hostname[32] = "sentinel";

SEC("tc")
int loadfd_kconfig_str(struct __sk_buff *skb)
{
	__builtin_memcpy(out_hostname, CONFIG_DEFAULT_HOSTNAME, sizeof(out_hostname));
	return 0;
}

char _license[] SEC("license") = "GPL";
