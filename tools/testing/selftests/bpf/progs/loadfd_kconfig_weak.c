// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_LOAD_FD end-to-end test object: weak .kconfig externs that name real
 * options. With /proc/config.gz (CONFIG_IKCONFIG_PROC) they read the running
 * kernel's values; without it the kernel publishes no .config and they must
 * read as zero, as a missing weak extern does: loadfd_prog_test's
 * "kconfig_published". LINUX_KERNEL_VERSION comes from the kernel either way.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

extern bool CONFIG_BPF_SYSCALL __kconfig __weak;
extern int CONFIG_HZ __kconfig __weak;
extern const char CONFIG_DEFAULT_HOSTNAME[32] __kconfig __weak;
extern unsigned int LINUX_KERNEL_VERSION __kconfig;

__u64 out_syscall = 0xdead;
__u64 out_hz = 0xdead;
__u64 out_kernel_version = 0xdead;
char out_hostname[32] = "sentinel";

SEC("tc")
int loadfd_kconfig_weak(struct __sk_buff *skb)
{
	out_syscall = CONFIG_BPF_SYSCALL;
	out_hz = CONFIG_HZ;
	out_kernel_version = LINUX_KERNEL_VERSION;
	__builtin_memcpy(out_hostname, CONFIG_DEFAULT_HOSTNAME, sizeof(out_hostname));
	return 0;
}

char _license[] SEC("license") = "GPL";
