/* SPDX-License-Identifier: GPL-2.0 */
/*
 * BPF_LOAD_FD: in-kernel loader for BPF ELF objects.
 * See Documentation/bpf/loadfd.rst.
 */
#ifndef _LINUX_BPF_LOADFD_H
#define _LINUX_BPF_LOADFD_H

#include <linux/bpfptr.h>
#include <linux/errno.h>
#include <linux/types.h>

union bpf_attr;

#if IS_ENABLED(CONFIG_BPF_LOADFD)
int bpf_loadfd_create(const union bpf_attr *attr, bpfptr_t uattr, u32 uattr_size);
#else
static inline int bpf_loadfd_create(const union bpf_attr *attr, bpfptr_t uattr,
				    u32 uattr_size)
{
	return -EOPNOTSUPP;
}
#endif

#endif /* _LINUX_BPF_LOADFD_H */
