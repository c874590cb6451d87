/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the BPF_LOAD_FD tests in test_progs (prog_tests/loadfd*.c):
 * the probe that skips them on a kernel without the command, objects read
 * as bytes (the tests damage copies of them) and handed to BPF_LOAD_FD from
 * a file, raw BPF_LOAD_FD with its log, the loader's fdinfo and sysfs, and a
 * few map and program shortcuts. Include after <test_progs.h>: the helpers
 * fail the running subtest with its ASSERT_*()s and return an error (a
 * negative value, NULL or false) for the caller to stop on.
 *
 * Objects are opened by file name relative to the current directory (where
 * test_progs keeps its *.bpf.o); the names are spelled "X.bpf.o" in the
 * tests so that dev/test-progs.sh finds the BPF programs they need.
 */
#ifndef __LOADFD_HELPERS_H
#define __LOADFD_HELPERS_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <bpf/bpf.h>

/* Kernel-internal log level (include/linux/bpf_verifier.h), no uapi. */
#define LOADFD_LOG_LEVEL1 1
#define LOADFD_LOG_SIZE 4096
#define LOADFD_SYSFS "/sys/kernel/bpf_loadfd"
#define LOADFD_SENTINEL 0xdeadbeefu

/*
 * Whether this kernel has BPF_LOAD_FD: an unknown flag gets a reason in the
 * log from the loader, and nothing from a kernel without the command.
 */
static inline bool loadfd_supported(void)
{
	char log[256] = "";
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.load_fd.obj_fd = -1U;
	attr.load_fd.flags = 1U << 31;
	attr.load_fd.log_level = LOADFD_LOG_LEVEL1;
	attr.load_fd.log_buf = ptr_to_u64(log);
	attr.load_fd.log_size = sizeof(log);
	fd = syscall(__NR_bpf, BPF_LOAD_FD, &attr, sizeof(attr));
	if (fd >= 0)
		close(fd);
	return fd < 0 && errno == EINVAL && log[0];
}

static inline int loadfd_count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* The log is exactly one line (ending in '\n') and contains @needle. */
static inline bool loadfd_one_line(const char *log, const char *needle, const char *what)
{
	bool ok;

	ok = ASSERT_HAS_SUBSTR(log, needle, what);
	ok = ASSERT_EQ(loadfd_count_lines(log), 1, "one log line") && ok;
	if (ok)
		ok = ASSERT_EQ(log[strlen(log) - 1], '\n', "log ends in a newline");
	if (!ok)
		printf("%s: log '%s'\n", what, log);
	return ok;
}

/* ---- object files ---- */

struct loadfd_bytes {
	unsigned char *data;
	size_t len;
};

/* Reads the file @file (relative to the current directory) into @o. */
static inline int loadfd_bytes_read(const char *file, struct loadfd_bytes *o)
{
	struct stat st;
	size_t done = 0;
	ssize_t n;
	int fd;

	o->data = NULL;
	o->len = 0;
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (!ASSERT_OK_FD(fd, file))
		return -1;
	if (!ASSERT_OK(fstat(fd, &st), "fstat") || !ASSERT_GT(st.st_size, 64, "object size"))
		goto err;
	o->data = malloc(st.st_size);
	if (!ASSERT_OK_PTR(o->data, "malloc"))
		goto err;
	while (done < (size_t)st.st_size) {
		n = read(fd, o->data + done, st.st_size - done);
		if (!ASSERT_GT(n, 0, "read object"))
			goto err;
		done += n;
	}
	close(fd);
	o->len = done;
	return 0;
err:
	free(o->data);
	o->data = NULL;
	close(fd);
	return -1;
}

static inline int loadfd_bytes_dup(const struct loadfd_bytes *src, struct loadfd_bytes *dst)
{
	dst->data = malloc(src->len);
	dst->len = src->len;
	if (!ASSERT_OK_PTR(dst->data, "malloc"))
		return -1;
	memcpy(dst->data, src->data, src->len);
	return 0;
}

static inline void loadfd_bytes_free(struct loadfd_bytes *o)
{
	free(o->data);
	o->data = NULL;
	o->len = 0;
}

/*
 * A new regular file holding @len bytes of @data, open read-only and
 * unlinked, or -1. The writer is closed first: kernel_read_file() refuses
 * files open for writing (ETXTBSY).
 */
static inline int loadfd_tmp_file(const void *data, size_t len)
{
	const char *tmp = getenv("TMPDIR");
	char path[PATH_MAX];
	int wfd, fd;

	snprintf(path, sizeof(path), "%s/loadfd_test.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	wfd = mkostemp(path, O_CLOEXEC);
	if (!ASSERT_OK_FD(wfd, "mkostemp"))
		return -1;
	if (!ASSERT_EQ(write(wfd, data, len), (ssize_t)len, "write tmp file")) {
		close(wfd);
		unlink(path);
		return -1;
	}
	if (!ASSERT_OK(close(wfd), "close tmp file writer")) {
		unlink(path);
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (!ASSERT_OK(unlink(path), "unlink tmp file") || !ASSERT_OK_FD(fd, "open tmp file")) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* An object file opened read-only, or -1. */
static inline int loadfd_open(const char *file)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC);

	ASSERT_OK_FD(fd, file);
	return fd;
}

/* ---- BPF_LOAD_FD ---- */

struct loadfd_call {
	int ret;		/* loader fd, or -errno */
	__u32 log_true_size;
	char log[LOADFD_LOG_SIZE];
};

/* Raw BPF_LOAD_FD of @obj_fd with a level-1 log; log_true_size starts as
 * LOADFD_SENTINEL. The loader fd (if any) is left open.
 */
static inline void loadfd_call(struct loadfd_call *c, int obj_fd)
{
	union bpf_attr attr;
	int ret;

	memset(c, 0, sizeof(*c));
	memset(&attr, 0, sizeof(attr));
	attr.load_fd.obj_fd = obj_fd;
	attr.load_fd.log_level = LOADFD_LOG_LEVEL1;
	attr.load_fd.log_buf = ptr_to_u64(c->log);
	attr.load_fd.log_size = sizeof(c->log);
	attr.load_fd.log_true_size = LOADFD_SENTINEL;
	ret = syscall(__NR_bpf, BPF_LOAD_FD, &attr, sizeof(attr));
	c->ret = ret < 0 ? -errno : ret;
	c->log_true_size = attr.load_fd.log_true_size;
}

/* BPF_LOAD_FD through libbpf with supplied maps and a log: fd or -errno. */
static inline int loadfd_raw(int obj_fd, const struct bpf_loadfd_map *maps, __u32 map_cnt,
			     char *log, __u32 log_size)
{
	LIBBPF_OPTS(bpf_load_fd_opts, opts, .maps = maps, .map_cnt = map_cnt);

	if (log) {
		log[0] = 0;
		opts.log_level = LOADFD_LOG_LEVEL1;
		opts.log_buf = log;
		opts.log_size = log_size;
	}
	return bpf_load_fd(obj_fd, &opts);
}

/* A loader fd of @obj_fd, or -1 (the reason shown). */
static inline int loadfd_ok(int obj_fd, const struct bpf_loadfd_map *maps, __u32 map_cnt,
			    const char *what)
{
	static char log[64 * 1024];
	int fd;

	fd = loadfd_raw(obj_fd, maps, map_cnt, log, sizeof(log));
	if (!ASSERT_OK_FD(fd, what)) {
		printf("BPF_LOAD_FD %s: %s; log: '%s'\n", what, strerror(-fd), log);
		return -1;
	}
	return fd;
}

/* The value of "@key:" in /proc/self/fdinfo/@fd, or -1 (no asserts). */
static inline long loadfd_fdinfo(int fd, const char *key)
{
	char path[64], buf[1024], *p;
	size_t klen = strlen(key);
	long v = -1;
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return -1;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	for (p = buf; p; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (!strncmp(p, key, klen) && p[klen] == ':') {
			v = strtol(p + klen + 1, NULL, 10);
			break;
		}
	}
	return v;
}

/* The loader id of a loader fd (fdinfo "loadfd_id:"), or -1. */
static inline int loadfd_id(int loader_fd)
{
	long id = loadfd_fdinfo(loader_fd, "loadfd_id");

	ASSERT_GE(id, 0, "loadfd_id in fdinfo");
	return id;
}

/* A small sysfs/proc file without its trailing newline: 0 or -errno. */
static inline int loadfd_read_text(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = 0;
	return 0;
}

static inline bool loadfd_sysfs_read(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static inline bool loadfd_sysfs_read(char *buf, size_t size, const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;

	buf[0] = 0;
	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return ASSERT_OK(loadfd_read_text(path, buf, size), path);
}

/* /sys/kernel/bpf_loadfd/<id>/maps/<map>/id, or 0. */
static inline __u32 loadfd_sysfs_map_id(int id, const char *map)
{
	char buf[64], *end;
	unsigned long v;

	if (!loadfd_sysfs_read(buf, sizeof(buf), LOADFD_SYSFS "/%d/maps/%s/id", id, map))
		return 0;
	v = strtoul(buf, &end, 10);
	if (!ASSERT_TRUE(*buf && !*end && v > 0 && v <= UINT_MAX, "sysfs map id"))
		return 0;
	return v;
}

/* ---- programs and maps ---- */

/* BPF_PROG_LOAD of @name from a loader object: prog fd, or -errno. */
static inline int loadfd_prog(int loader_fd, const char *name)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .loader_fd = loader_fd, .loader_prog_name = name);

	return bpf_prog_load(BPF_PROG_TYPE_UNSPEC, NULL, NULL, NULL, 0, &opts);
}

/* As loadfd_prog(), failing the subtest (with the verifier log's end). */
static inline int loadfd_prog_ok(int loader_fd, const char *name)
{
	static char log[1 << 20];
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .loader_fd = loader_fd, .loader_prog_name = name,
		    .log_level = LOADFD_LOG_LEVEL1, .log_buf = log, .log_size = sizeof(log));
	size_t len;
	int fd;

	fd = loadfd_prog(loader_fd, name);
	if (fd >= 0)
		return fd;
	ASSERT_OK_FD(fd, name);
	log[0] = 0;
	fd = bpf_prog_load(BPF_PROG_TYPE_UNSPEC, NULL, NULL, NULL, 0, &opts);
	if (fd >= 0)
		close(fd);
	len = strlen(log);
	printf("BPF_PROG_LOAD '%s' by name: log (end): '%s'\n", name,
	       log + (len > 3000 ? len - 3000 : 0));
	return -1;
}

/* An Ethernet + IPv4 frame for skb program test runs. */
static const unsigned char loadfd_pkt[64] = {
	[12] = 0x08, [13] = 0x00,			/* ETH_P_IP */
	[14] = 0x45, [16] = 0x00, [17] = 50,		/* IPv4, tot_len 50 */
	[22] = 64, [23] = 6,				/* ttl, TCP */
	[26] = 127, [29] = 1, [30] = 127, [33] = 1,	/* 127.0.0.1 -> 127.0.0.1 */
};

/* BPF_PROG_TEST_RUN of an skb program on loadfd_pkt: its retval, or
 * 0xdeadbeef (the subtest failed).
 */
static inline __u32 loadfd_run_skb(int prog_fd)
{
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = loadfd_pkt,
		    .data_size_in = sizeof(loadfd_pkt), .repeat = 1);

	if (!ASSERT_OK(bpf_prog_test_run_opts(prog_fd, &topts), "test_run"))
		return 0xdeadbeef;
	return topts.retval;
}

/* BPF_PROG_TEST_RUN without data (raw_tp, tracing programs). */
static inline __u32 loadfd_run_ctx(int prog_fd, void *ctx, __u32 ctx_size)
{
	LIBBPF_OPTS(bpf_test_run_opts, topts, .ctx_in = ctx, .ctx_size_in = ctx_size);

	if (!ASSERT_OK(bpf_prog_test_run_opts(prog_fd, &topts), "test_run"))
		return 0xdeadbeef;
	return topts.retval;
}

static inline bool loadfd_map_info(int fd, struct bpf_map_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return ASSERT_OK(bpf_map_get_info_by_fd(fd, info, &len), "map info");
}

static inline bool loadfd_prog_info(int fd, struct bpf_prog_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return ASSERT_OK(bpf_prog_get_info_by_fd(fd, info, &len), "prog info");
}

/* The id of map @fd, or 0. */
static inline __u32 loadfd_map_id(int fd)
{
	struct bpf_map_info info;

	return loadfd_map_info(fd, &info) ? info.id : 0;
}

static inline int loadfd_map_create(__u32 type, __u32 key_size, __u32 value_size,
				    __u32 max_entries, __u32 flags, const char *name)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = flags);
	int fd;

	fd = bpf_map_create(type, name, key_size, value_size, max_entries, &opts);
	ASSERT_OK_FD(fd, "BPF_MAP_CREATE");
	return fd;
}

#endif /* __LOADFD_HELPERS_H */
