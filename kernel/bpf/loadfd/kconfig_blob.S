/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The running kernel's own .config, embedded for .kconfig externs: the loader
 * resolves them from this, never from anything userspace supplies.
 *
 * Only with CONFIG_IKCONFIG_PROC, where /proc/config.gz already shows every
 * user the same text; otherwise the blob is empty and .kconfig externs other
 * than the LINUX_* ones are missing (weak ones resolve to zero).
 */
	.section .rodata, "a"
	.global loadfd_config_data
loadfd_config_data:
#ifdef CONFIG_IKCONFIG_PROC
	.incbin "kernel/bpf/loadfd/config_data"
#endif
	.global loadfd_config_data_end
loadfd_config_data_end:
