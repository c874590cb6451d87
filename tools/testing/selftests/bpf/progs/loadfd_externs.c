// SPDX-License-Identifier: GPL-2.0
/*
 * Externs for the loadfd core tests: kconfig values (virtual, strong,
 * weak and missing), a typed ksym, kfunc calls, and a weak kfunc that is
 * both called and tested with bpf_ksym_exists() (an ld_imm64 of a kfunc).
 */
#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int LINUX_KERNEL_VERSION __kconfig;
extern int CONFIG_HZ __kconfig __weak;
extern bool CONFIG_BPF_SYSCALL __kconfig;
extern bool CONFIG_LOADFD_MISSING __kconfig __weak;
extern const int bpf_prog_active __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;
extern int bpf_loadfd_missing_kfunc(int x) __ksym __weak;

int out_kver, out_hz, out_syscall, out_missing, out_active, out_kfunc;

SEC("tp_btf/sys_enter")
int handle(__u64 *ctx)
{
	out_kver = LINUX_KERNEL_VERSION;
	out_hz = CONFIG_HZ;
	out_syscall = CONFIG_BPF_SYSCALL;
	out_missing = CONFIG_LOADFD_MISSING;
	bpf_rcu_read_lock();
	out_active = *(int *)bpf_this_cpu_ptr(&bpf_prog_active);
	bpf_rcu_read_unlock();
	if (bpf_ksym_exists(bpf_loadfd_missing_kfunc))
		out_kfunc = bpf_loadfd_missing_kfunc(1);
	return 0;
}

char _license[] SEC("license") = "GPL";
