/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The running kernel's own .config, embedded for .kconfig externs: the loader
 * resolves them from this, never from anything userspace supplies.
 */
	.section .rodata, "a"
	.global loadfd_config_data
loadfd_config_data:
	.incbin "kernel/bpf/loadfd/config_data"
	.global loadfd_config_data_end
loadfd_config_data_end:
