// SPDX-License-Identifier: GPL-2.0
/*
 * A .kconfig extern of 2 GiB + 1 bytes (prog_tests/loadfd_hostile.c, finding H2a):
 * the kernel's BTF verifier accepts the DATASEC, so only the loader's cap on
 * the .kconfig size stands between it and a 2 GiB allocation.
 */
#define SEC(x) __attribute__((section(x), used))
#define __kconfig __attribute__((section(".kconfig")))

extern char CONFIG_LOADFD_HUGE[0x80000001] __kconfig __attribute__((weak));

SEC("socket")
int prog(void *ctx)
{
	return CONFIG_LOADFD_HUGE[5];
}

char _license[] SEC("license") = "GPL";
