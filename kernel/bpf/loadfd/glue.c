// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_LOAD_FD, C side: the syscall edge. Permissions, the object fd, the read
 * through kernel_read_file() (which runs the LSM hooks) and the log buffer are
 * kernel plumbing with no Rust abstraction in 6.12; everything about the
 * object's contents is decided in Rust (loadfd_main.rs and core/).
 */
#include <linux/bpf.h>
#include <linux/bpf_loadfd.h>
#include <linux/bpf_verifier.h>
#include <linux/capability.h>
#include <linux/file.h>
#include <linux/kernel_read_file.h>
#include <linux/vmalloc.h>

#include "glue.h"

void loadfd_log(struct bpf_verifier_log *log, const char *msg, size_t len)
{
	bpf_log(log, "%.*s\n", (int)min_t(size_t, len, 1024), msg);
}

static ssize_t loadfd_read_obj(int fd, void **buf, struct bpf_verifier_log *log)
{
	CLASS(fd, f)(fd);
	ssize_t n;

	if (fd_empty(f)) {
		bpf_log(log, "obj_fd %d: not an open file descriptor\n", fd);
		return -EBADF;
	}
	n = kernel_read_file(fd_file(f), 0, buf, LOADFD_MAX_OBJ_SIZE, NULL,
			     READING_BPF_OBJECT);
	switch (n) {
	case -EFBIG:
		bpf_log(log, "obj_fd %d: object larger than %u bytes\n", fd,
			LOADFD_MAX_OBJ_SIZE);
		return -E2BIG;
	case -EINVAL:
		bpf_log(log, "obj_fd %d: not a readable regular file\n", fd);
		return -EINVAL;
	case -EBADF:
		bpf_log(log, "obj_fd %d: not opened for reading\n", fd);
		return -EBADF;
	}
	if (n < 0)
		bpf_log(log, "obj_fd %d: reading the object failed (%zd)\n", fd, n);
	return n;
}

static int loadfd_check_perm(const union bpf_attr *attr, struct bpf_verifier_log *log)
{
	struct bpf_token *token = NULL;
	bool cap;

	if (attr->load_fd.flags & ~BPF_F_TOKEN_FD) {
		bpf_log(log, "flags 0x%x: unknown flags\n", attr->load_fd.flags);
		return -EINVAL;
	}
	if (attr->load_fd.flags & BPF_F_TOKEN_FD) {
		token = bpf_token_get_from_fd(attr->load_fd.token_fd);
		if (IS_ERR(token)) {
			bpf_log(log, "token_fd %d: not a BPF token\n", attr->load_fd.token_fd);
			return PTR_ERR(token);
		}
		/* A token that does not delegate BPF_LOAD_FD grants nothing. */
		if (!bpf_token_allow_cmd(token, BPF_LOAD_FD)) {
			bpf_token_put(token);
			token = NULL;
		}
	} else if (attr->load_fd.token_fd) {
		bpf_log(log, "token_fd set without BPF_F_TOKEN_FD\n");
		return -EINVAL;
	}
	/* Same rule as BPF_PROG_LOAD for privileged program types. */
	cap = bpf_token_capable(token, CAP_BPF);
	bpf_token_put(token);
	if (!cap) {
		bpf_log(log, "BPF_LOAD_FD needs CAP_BPF (or CAP_SYS_ADMIN)\n");
		return -EPERM;
	}
	return 0;
}

int bpf_loadfd_create(const union bpf_attr *attr, bpfptr_t uattr, u32 uattr_size)
{
	struct bpf_verifier_log *log;
	void *buf = NULL;
	u32 log_true_size;
	ssize_t n;
	int ret, err;

	/* The log is large; keep it off the stack like bpf_check() does. */
	log = kzalloc(sizeof(*log), GFP_KERNEL);
	if (!log)
		return -ENOMEM;
	ret = bpf_vlog_init(log, attr->load_fd.log_level,
			    u64_to_user_ptr(attr->load_fd.log_buf),
			    attr->load_fd.log_size);
	if (ret)
		goto out_free_log;

	ret = loadfd_check_perm(attr, log);
	if (ret)
		goto out_log;

	n = loadfd_read_obj(attr->load_fd.obj_fd, &buf, log);
	if (n < 0) {
		ret = n;
		goto out_log;
	}
	ret = loadfd_rs_create(buf, n, log);
	vfree(buf);

out_log:
	err = bpf_vlog_finalize(log, &log_true_size);
	if (uattr_size >= offsetofend(union bpf_attr, load_fd.log_true_size) &&
	    copy_to_bpfptr_offset(uattr, offsetof(union bpf_attr, load_fd.log_true_size),
				  &log_true_size, sizeof(log_true_size)))
		err = -EFAULT;
	if (!ret)
		ret = err;
out_free_log:
	kfree(log);
	return ret;
}
