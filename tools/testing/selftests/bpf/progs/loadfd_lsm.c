// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_LOAD_FD end-to-end test object: a BPF-LSM policy on the
 * kernel_read_file hook that refuses one BPF object file.
 *
 * BPF_LOAD_FD reads the object with kernel_read_file(..., READING_BPF_OBJECT),
 * so the hook sees the file. The test writes the inode number of the file to
 * refuse into target_ino (through the loader's kernel-created .bss map); any
 * other file, and any other kind of read, is allowed.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

/* READING_BPF_OBJECT in the patched include/linux/kernel_read_file.h. */
#define LOADFD_READING_BPF_OBJECT 7
#define LOADFD_EPERM 1

__u64 target_ino;
__u32 denied;
__u32 seen_bpf_objects;

SEC("lsm/kernel_read_file")
int BPF_PROG(loadfd_deny_obj, struct file *file, enum kernel_read_file_id id,
	     bool contents, int ret)
{
	if (ret)
		return ret;
	if ((int)id != LOADFD_READING_BPF_OBJECT)
		return 0;
	__sync_fetch_and_add(&seen_bpf_objects, 1);
	if (!target_ino || file->f_inode->i_ino != target_ino)
		return 0;
	__sync_fetch_and_add(&denied, 1);
	return -LOADFD_EPERM;
}

char _license[] SEC("license") = "GPL";
