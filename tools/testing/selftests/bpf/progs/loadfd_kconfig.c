// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_LOAD_FD end-to-end test object: .kconfig externs.
 *
 * The loader fills .kconfig from the running kernel's own .config and the
 * virtual LINUX_* externs; weak externs the kernel does not have read as
 * zero. The program copies every value into .data, whose initial values are
 * sentinels, so a program that never ran (or read an unset .kconfig) is
 * caught by loadfd_prog_test's "kconfig" test.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

extern bool CONFIG_BPF_LOADFD __kconfig;		/* bool, =y */
extern enum libbpf_tristate CONFIG_BPF_SYSCALL __kconfig;	/* bool read as tristate */
extern char CONFIG_BPF_JIT __kconfig;			/* bool read as char: 'y' */
extern int CONFIG_HZ __kconfig;				/* int */
extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern bool LINUX_HAS_SYSCALL_WRAPPER __kconfig;
extern bool LINUX_HAS_BPF_COOKIE __kconfig;
extern bool CONFIG_LOADFD_E2E_NO_SUCH_BOOL __kconfig __weak;
extern int CONFIG_LOADFD_E2E_NO_SUCH_INT __kconfig __weak;

__u64 out_loadfd = 0xdead;
__u64 out_syscall_tristate = 0xdead;
__u64 out_jit_char = 0xdead;
__u64 out_hz = 0xdead;
__u64 out_kernel_version = 0xdead;
__u64 out_syscall_wrapper = 0xdead;
__u64 out_bpf_cookie = 0xdead;
__u64 out_missing_bool = 0xdead;
__u64 out_missing_int = 0xdead;

SEC("tc")
int loadfd_kconfig(struct __sk_buff *skb)
{
	out_loadfd = CONFIG_BPF_LOADFD;
	out_syscall_tristate = CONFIG_BPF_SYSCALL;
	out_jit_char = CONFIG_BPF_JIT;
	out_hz = CONFIG_HZ;
	out_kernel_version = LINUX_KERNEL_VERSION;
	out_syscall_wrapper = LINUX_HAS_SYSCALL_WRAPPER;
	out_bpf_cookie = LINUX_HAS_BPF_COOKIE;
	out_missing_bool = CONFIG_LOADFD_E2E_NO_SUCH_BOOL;
	out_missing_int = CONFIG_LOADFD_E2E_NO_SUCH_INT;
	return 0;
}

char _license[] SEC("license") = "GPL";
