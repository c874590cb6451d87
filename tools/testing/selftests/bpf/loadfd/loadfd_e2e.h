/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Used by the BPF_LOAD_FD end-to-end selftest loadfd_prog_test.c (the
 * test_progs tests have their own in ../loadfd_helpers.h): raw bpf(2)
 * wrappers, objects loaded with BPF_LOAD_FD (or with libbpf), programs
 * loaded from them by name, their maps found through sysfs, global
 * variables read and written through the data maps, facts about the running
 * kernel, and the xlated-instruction comparison of the differential tests.
 *
 * Include it after "../../kselftest_harness.h": the helpers take the
 * harness's _metadata and fail the running test with its ASSERT_*()s.
 * Everything is static; a test file uses what it needs.
 */
#ifndef LOADFD_E2E_H
#define LOADFD_E2E_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include <linux/bpf.h>
#include <linux/btf.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "loadfd_util.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"

#define LOADER_LOG_SIZE (64 * 1024)
#define VERIFIER_LOG_SIZE (16 * 1024 * 1024)
#define REJECT_LOG_SIZE 4096
#define SYSFS_DIR "/sys/kernel/bpf_loadfd"
#define E2E_TIMEOUT 120

/* Kernel-internal log level (include/linux/bpf_verifier.h), no uapi. */
#define LOG_LEVEL1 1

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static __u64 ptr_to_u64(const void *p)
{
	return (__u64)(unsigned long)p;
}

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static bool oracle(void)
{
	const char *e = getenv("LOADFD_E2E_ORACLE");

	return e && !strcmp(e, "libbpf");
}

#define SKIP_IN_ORACLE()							\
	do {									\
		if (oracle())							\
			SKIP(return, "BPF_LOAD_FD only");			\
	} while (0)

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* The log is exactly one line, and contains @needle. */
#define ASSERT_ONE_LINE(log, needle) do {					\
	ASSERT_TRUE(strstr((log), (needle)) != NULL)				\
		TH_LOG("log '%s' lacks '%s'", (log), (needle));			\
	ASSERT_EQ(1, count_lines(log)) TH_LOG("not one line: '%s'", (log));	\
	ASSERT_EQ('\n', (log)[strlen(log) - 1]);				\
} while (0)

/* ---- files ---- */

struct tmpdir {
	char path[PATH_MAX];
	int nfiles;
};

static void tmpdir_create(struct __test_metadata *_metadata, struct tmpdir *t)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(t->path, sizeof(t->path), "%s/loadfd_prog_test.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	ASSERT_TRUE(mkdtemp(t->path) != NULL)
		TH_LOG("mkdtemp %s: %s", t->path, strerror(errno));
}

/* A new read-only file holding @len bytes of @data; unlinked once open. */
static int tmp_file(struct __test_metadata *_metadata, struct tmpdir *t,
		    const void *data, size_t len)
{
	char path[PATH_MAX + 32];
	int wfd, fd;

	snprintf(path, sizeof(path), "%s/f%d", t->path, t->nfiles++);
	wfd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	ASSERT_LE(0, wfd) TH_LOG("create %s: %s", path, strerror(errno));
	ASSERT_EQ((ssize_t)len, write(wfd, data, len));
	ASSERT_EQ(0, close(wfd));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("open %s: %s", path, strerror(errno));
	ASSERT_EQ(0, unlink(path));
	return fd;
}

/* The whole file at @path; fails the test if it cannot be read. */
static unsigned char *read_file(struct __test_metadata *_metadata, const char *path,
				size_t *size)
{
	unsigned char *buf;
	struct stat st;
	size_t done = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("%s: %s (set LOADFD_OBJDIR)", path, strerror(errno));
	ASSERT_EQ(0, fstat(fd, &st));
	ASSERT_LT(0, st.st_size) TH_LOG("%s is empty", path);
	buf = malloc(st.st_size);
	ASSERT_NE(NULL, buf);
	while (done < (size_t)st.st_size) {
		n = read(fd, buf + done, st.st_size - done);
		ASSERT_LT(0, n) TH_LOG("read %s: %s", path, strerror(errno));
		done += n;
	}
	close(fd);
	*size = done;
	return buf;
}

/* Reads a small sysfs/proc file into @buf without the trailing newline. */
static int read_text(const char *path, char *buf, size_t size)
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

static void sysfs_read(struct __test_metadata *_metadata, char *buf, size_t size,
		       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void sysfs_read(struct __test_metadata *_metadata, char *buf, size_t size,
		       const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;
	int err;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	err = read_text(path, buf, size);
	ASSERT_EQ(0, err) TH_LOG("%s: %s", path, strerror(-err));
}

/* ---- raw bpf(2) wrappers: nothing below depends on libbpf ---- */

/* BPF_LOAD_FD on @obj_fd; returns the loader fd or -errno. */
static int loadfd_raw(int obj_fd, const struct bpf_loadfd_map *maps, __u32 map_cnt,
		      char *log, __u32 log_size)
{
	LIBBPF_OPTS(bpf_load_fd_opts, opts, .maps = maps, .map_cnt = map_cnt);

	if (log) {
		log[0] = 0;
		opts.log_level = LOG_LEVEL1;
		opts.log_buf = log;
		opts.log_size = log_size;
	}
	/* libbpf's bpf_load_fd(): -errno on failure. */
	return bpf_load_fd(obj_fd, &opts);
}

static int loadfd_ok(struct __test_metadata *_metadata, int obj_fd,
		     const struct bpf_loadfd_map *maps, __u32 map_cnt, const char *what)
{
	char *log = calloc(1, LOADER_LOG_SIZE);
	int fd;

	ASSERT_NE(NULL, log);
	fd = loadfd_raw(obj_fd, maps, map_cnt, log, LOADER_LOG_SIZE);
	ASSERT_LE(0, fd) TH_LOG("BPF_LOAD_FD %s: %s; log: '%s'", what, strerror(-fd), log);
	free(log);
	return fd;
}

/* BPF_LOAD_FD_MAP_GET_FD: a new fd of the loader's map @name, or -errno. */
static int loadfd_map_get(int loader_fd, const char *name, __u32 open_flags)
{
	return bpf_load_fd_map_get_fd(loader_fd, name, open_flags);
}

/* The fdinfo field @key ("progs", "maps") of a loader fd. */
static long fdinfo_field(struct __test_metadata *_metadata, int fd, const char *key)
{
	char path[64], line[256], fmt[64];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	snprintf(fmt, sizeof(fmt), "%s: %%ld", key);
	f = fopen(path, "re");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, fmt, &v) == 1)
			break;
	fclose(f);
	ASSERT_LE(0, v) TH_LOG("no '%s:' in %s", key, path);
	return v;
}

/* BPF_PROG_LOAD of @name from @loader_fd; @attr holds any extra fields
 * (and the log). Returns the prog fd or -errno.
 */
static int prog_load_raw(union bpf_attr *attr, int loader_fd, const char *name)
{
	int fd;

	attr->loader_fd = loader_fd;
	attr->loader_prog_name = ptr_to_u64(name);
	fd = sys_bpf(BPF_PROG_LOAD, attr);
	return fd < 0 ? -errno : fd;
}

/*
 * Loads @name with the extra attr fields of @extra (may be NULL); on failure
 * retries with the verifier log and shows its end.
 */
static int prog_load_attr_ok(struct __test_metadata *_metadata, int loader_fd, const char *name,
			     const union bpf_attr *extra)
{
	union bpf_attr attr;
	char *log;
	size_t len;
	int fd, err;

	memset(&attr, 0, sizeof(attr));
	if (extra)
		attr = *extra;
	fd = prog_load_raw(&attr, loader_fd, name);
	if (fd >= 0)
		return fd;
	err = -fd;
	log = calloc(1, VERIFIER_LOG_SIZE);
	ASSERT_NE(NULL, log);
	memset(&attr, 0, sizeof(attr));
	if (extra)
		attr = *extra;
	attr.log_level = LOG_LEVEL1;
	attr.log_buf = ptr_to_u64(log);
	attr.log_size = VERIFIER_LOG_SIZE;
	fd = prog_load_raw(&attr, loader_fd, name);
	if (fd >= 0)
		close(fd);
	len = strlen(log);
	ASSERT_LE(0, -err)
		TH_LOG("BPF_PROG_LOAD '%s' from the loader: %s; log (last 3000 bytes): '%s'",
		       name, strerror(err), log + (len > 3000 ? len - 3000 : 0));
	return -1;
}

/* Loads @name; on failure retries with the verifier log and shows its end. */
/* A program loaded by name with libbpf's bpf_prog_load() (loader_fd and
 * loader_prog_name in its opts); on failure, again with a log for the reason.
 */
static int prog_load_ok(struct __test_metadata *_metadata, int loader_fd, const char *name)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .loader_fd = loader_fd, .loader_prog_name = name);
	int fd;

	fd = bpf_prog_load(BPF_PROG_TYPE_UNSPEC, NULL, NULL, NULL, 0, &opts);
	if (fd >= 0)
		return fd;
	return prog_load_attr_ok(_metadata, loader_fd, name, NULL);
}

static int map_create(struct __test_metadata *_metadata, __u32 type, __u32 key_size,
		      __u32 value_size, __u32 max_entries, __u32 flags, const char *name)
{
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = type;
	attr.key_size = key_size;
	attr.value_size = value_size;
	attr.max_entries = max_entries;
	attr.map_flags = flags;
	strncpy(attr.map_name, name, sizeof(attr.map_name) - 1);
	fd = sys_bpf(BPF_MAP_CREATE, &attr);
	ASSERT_LE(0, fd) TH_LOG("BPF_MAP_CREATE %s: %s", name, strerror(errno));
	return fd;
}

static int map_lookup(int fd, const void *key, void *value)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = fd;
	attr.key = ptr_to_u64(key);
	attr.value = ptr_to_u64(value);
	return sys_bpf(BPF_MAP_LOOKUP_ELEM, &attr) ? -errno : 0;
}

static int map_update(int fd, const void *key, const void *value, __u64 flags)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = fd;
	attr.key = ptr_to_u64(key);
	attr.value = ptr_to_u64(value);
	attr.flags = flags;
	return sys_bpf(BPF_MAP_UPDATE_ELEM, &attr) ? -errno : 0;
}

static int map_fd_by_id(struct __test_metadata *_metadata, __u32 id)
{
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.map_id = id;
	fd = sys_bpf(BPF_MAP_GET_FD_BY_ID, &attr);
	ASSERT_LE(0, fd) TH_LOG("BPF_MAP_GET_FD_BY_ID %u: %s", id, strerror(errno));
	return fd;
}

static int obj_info(int fd, void *info, __u32 len)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = fd;
	attr.info.info_len = len;
	attr.info.info = ptr_to_u64(info);
	return sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr) ? -errno : 0;
}

static void map_info(struct __test_metadata *_metadata, int fd, struct bpf_map_info *info)
{
	memset(info, 0, sizeof(*info));
	ASSERT_EQ(0, obj_info(fd, info, sizeof(*info))) TH_LOG("map info of fd %d", fd);
}

/* A new array map shaped like @ref (e.g. a loader's .rodata) holding @val
 * (ref->value_size bytes) at key 0, frozen when @freeze: what a caller
 * supplies to configure an object.
 */
static int map_like(struct __test_metadata *_metadata, const struct bpf_map_info *ref,
		    const void *val, bool freeze)
{
	union bpf_attr attr;
	__u32 key = 0;
	int fd;

	fd = map_create(_metadata, ref->type, ref->key_size, ref->value_size, ref->max_entries,
			ref->map_flags, "supplied");
	ASSERT_EQ(0, map_update(fd, &key, val, BPF_ANY));
	if (freeze) {
		memset(&attr, 0, sizeof(attr));
		attr.map_fd = fd;
		ASSERT_EQ(0, sys_bpf(BPF_MAP_FREEZE, &attr))
			TH_LOG("BPF_MAP_FREEZE: %s", strerror(errno));
	}
	return fd;
}

static void prog_info(struct __test_metadata *_metadata, int fd, struct bpf_prog_info *info)
{
	memset(info, 0, sizeof(*info));
	ASSERT_EQ(0, obj_info(fd, info, sizeof(*info))) TH_LOG("prog info of fd %d", fd);
}

static __u32 map_id(struct __test_metadata *_metadata, int fd)
{
	struct bpf_map_info info;

	map_info(_metadata, fd, &info);
	return info.id;
}

static __u32 prog_id(struct __test_metadata *_metadata, int fd)
{
	struct bpf_prog_info info;

	prog_info(_metadata, fd, &info);
	return info.id;
}

static int raw_tp_open(struct __test_metadata *_metadata, int prog_fd, const char *tp)
{
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.raw_tracepoint.name = ptr_to_u64(tp);
	attr.raw_tracepoint.prog_fd = prog_fd;
	fd = sys_bpf(BPF_RAW_TRACEPOINT_OPEN, &attr);
	ASSERT_LE(0, fd) TH_LOG("BPF_RAW_TRACEPOINT_OPEN %s: %s", tp ? tp : "(btf)",
				strerror(errno));
	return fd;
}

static int link_create(struct __test_metadata *_metadata, int prog_fd, int target_fd,
		       __u32 attach_type)
{
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.link_create.prog_fd = prog_fd;
	attr.link_create.target_fd = target_fd;
	attr.link_create.attach_type = attach_type;
	fd = sys_bpf(BPF_LINK_CREATE, &attr);
	ASSERT_LE(0, fd) TH_LOG("BPF_LINK_CREATE type %u: %s", attach_type, strerror(errno));
	return fd;
}

/* An Ethernet + IPv4 frame for skb program test runs. */
static const unsigned char test_pkt[64] = {
	[12] = 0x08, [13] = 0x00,			/* ETH_P_IP */
	[14] = 0x45, [16] = 0x00, [17] = 50,		/* IPv4, tot_len 50 */
	[22] = 64, [23] = 6,				/* ttl, TCP */
	[26] = 127, [29] = 1, [30] = 127, [33] = 1,	/* 127.0.0.1 -> 127.0.0.1 */
};

static int test_run_raw(int prog_fd, const void *data, __u32 data_size, void *ctx,
			__u32 ctx_size, __u32 *retval)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = prog_fd;
	attr.test.data_in = ptr_to_u64(data);
	attr.test.data_size_in = data_size;
	attr.test.ctx_in = ptr_to_u64(ctx);
	attr.test.ctx_size_in = ctx_size;
	if (sys_bpf(BPF_PROG_TEST_RUN, &attr))
		return -errno;
	*retval = attr.test.retval;
	return 0;
}

/* BPF_PROG_TEST_RUN of an skb program on test_pkt; returns its retval. */
static __u32 run_skb(struct __test_metadata *_metadata, int prog_fd)
{
	__u32 retval = 0xdeadbeef;

	ASSERT_EQ(0, test_run_raw(prog_fd, test_pkt, sizeof(test_pkt), NULL, 0, &retval))
		TH_LOG("BPF_PROG_TEST_RUN: %s", strerror(errno));
	return retval;
}

/* BPF_PROG_TEST_RUN without data (raw_tp, tracing, syscall programs). */
static __u32 run_ctx(struct __test_metadata *_metadata, int prog_fd, void *ctx, __u32 ctx_size)
{
	__u32 retval = 0xdeadbeef;
	int err;

	err = test_run_raw(prog_fd, NULL, 0, ctx, ctx_size, &retval);
	ASSERT_EQ(0, err) TH_LOG("BPF_PROG_TEST_RUN: %s", strerror(-err));
	return retval;
}

/* ---- objects: loaded by BPF_LOAD_FD (or, in oracle mode, libbpf) ---- */

struct obj {
	const char *name;
	char path[PATH_MAX];
	unsigned char *elf;
	size_t elf_size;
	int loader;		/* BPF_LOAD_FD loader fd */
	int id;			/* loader id */
	struct bpf_object *bobj;	/* oracle mode */
};

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	fprintf(stderr, "# libbpf: ");
	return vfprintf(stderr, fmt, args);
}

static void obj_init(struct __test_metadata *_metadata, struct obj *o, const char *name)
{
	memset(o, 0, sizeof(*o));
	o->name = name;
	o->loader = -1;
	o->id = -1;
	obj_path(o->path, sizeof(o->path), name);
	o->elf = read_file(_metadata, o->path, &o->elf_size);
}

/* libbpf's bpf_object__open_file() and bpf_object__load() of @o->path. */
static void obj_libbpf_load(struct __test_metadata *_metadata, struct obj *o)
{
	int err;

	libbpf_set_print(libbpf_print);
	o->bobj = bpf_object__open_file(o->path, NULL);
	ASSERT_NE(NULL, o->bobj) TH_LOG("libbpf open %s", o->path);
	err = bpf_object__load(o->bobj);
	ASSERT_EQ(0, err) TH_LOG("libbpf load %s: %d", o->path, err);
}

/* The object @name loaded by libbpf, whatever LOADFD_E2E_ORACLE says (the
 * reference side of a differential test).
 */
static void obj_open_libbpf(struct __test_metadata *_metadata, struct obj *o, const char *name)
{
	obj_init(_metadata, o, name);
	obj_libbpf_load(_metadata, o);
}

/* BPF_LOAD_FD of the object @name (from its file, or from @obj_fd >= 0). */
static void obj_load_fd(struct __test_metadata *_metadata, struct obj *o, const char *name,
			int obj_fd, const struct bpf_loadfd_map *maps, __u32 map_cnt)
{
	int fd = obj_fd;

	obj_init(_metadata, o, name);
	if (oracle()) {
		ASSERT_TRUE(map_cnt == 0 && obj_fd < 0);
		obj_libbpf_load(_metadata, o);
		return;
	}
	if (obj_fd < 0) {
		fd = open(o->path, O_RDONLY | O_CLOEXEC);
		ASSERT_LE(0, fd) TH_LOG("%s: %s", o->path, strerror(errno));
	}
	o->loader = loadfd_ok(_metadata, fd, maps, map_cnt, name);
	if (obj_fd < 0)
		close(fd);
	o->id = loader_id(_metadata, o->loader);
}

static void obj_open(struct __test_metadata *_metadata, struct obj *o, const char *name)
{
	obj_load_fd(_metadata, o, name, -1, NULL, 0);
}

static void obj_close(struct obj *o)
{
	if (o->loader >= 0)
		close(o->loader);
	o->loader = -1;
	bpf_object__close(o->bobj);
	o->bobj = NULL;
	free(o->elf);
	o->elf = NULL;
}

/* A new fd of the program @prog, loaded by name from the loader. */
static int obj_prog(struct __test_metadata *_metadata, struct obj *o, const char *prog)
{
	if (o->bobj) {
		struct bpf_program *p = bpf_object__find_program_by_name(o->bobj, prog);
		int fd;

		ASSERT_NE(NULL, p) TH_LOG("%s has no program %s", o->name, prog);
		fd = dup(bpf_program__fd(p));
		ASSERT_LE(0, fd);
		return fd;
	}
	return prog_load_ok(_metadata, o->loader, prog);
}

/* /sys/kernel/bpf_loadfd/<id>/maps/<name>/id */
static __u32 obj_map_id(struct __test_metadata *_metadata, struct obj *o, const char *map)
{
	char buf[64], *end;
	unsigned long id;

	sysfs_read(_metadata, buf, sizeof(buf), SYSFS_DIR "/%d/maps/%s/id", o->id, map);
	id = strtoul(buf, &end, 10);
	ASSERT_TRUE(*buf && !*end && id > 0 && id <= UINT_MAX)
		TH_LOG("maps/%s/id: '%s'", map, buf);
	return (__u32)id;
}

/* A new fd of the object's map @map (BTF-defined name, or data section). */
static int obj_map(struct __test_metadata *_metadata, struct obj *o, const char *map)
{
	int fd;

	if (o->bobj) {
		struct bpf_map *m = bpf_object__find_map_by_name(o->bobj, map);

		ASSERT_NE(NULL, m) TH_LOG("%s has no map %s", o->name, map);
		fd = dup(bpf_map__fd(m));
		ASSERT_LE(0, fd);
		return fd;
	}
	fd = loadfd_map_get(o->loader, map, 0);
	ASSERT_LE(0, fd) TH_LOG("BPF_LOAD_FD_MAP_GET_FD %s: %s", map, strerror(-fd));
	return fd;
}

static void obj_sym(struct __test_metadata *_metadata, struct obj *o, const char *name,
		    struct elf_sym *sym)
{
	int err = elf_find_sym(o->elf, o->elf_size, name, sym);

	ASSERT_EQ(0, err) TH_LOG("%s: symbol %s: %s", o->path, name, strerror(-err));
}

/*
 * Reads (@set false) or writes (@set true) the global variable @var through
 * the data map of its section: key 0, at the symbol's offset.
 */
static void obj_var_io(struct __test_metadata *_metadata, struct obj *o, const char *var,
		       void *buf, size_t size, bool set)
{
	struct bpf_map_info info;
	struct elf_sym sym;
	unsigned char *val;
	__u32 key = 0;
	int fd, err;

	obj_sym(_metadata, o, var, &sym);
	ASSERT_EQ(STT_OBJECT, sym.type) TH_LOG("%s is not a variable", var);
	ASSERT_EQ(size, sym.size) TH_LOG("%s: %zu bytes, the object says %llu", var, size,
					 (unsigned long long)sym.size);
	fd = obj_map(_metadata, o, sym.sec);
	map_info(_metadata, fd, &info);
	ASSERT_EQ((__u32)BPF_MAP_TYPE_ARRAY, info.type);
	ASSERT_LE(sym.value + size, info.value_size)
		TH_LOG("%s at %s+%llu beyond the %u byte map value", var, sym.sec,
		       (unsigned long long)sym.value, info.value_size);
	val = calloc(1, info.value_size);
	ASSERT_NE(NULL, val);
	err = map_lookup(fd, &key, val);
	ASSERT_EQ(0, err) TH_LOG("lookup %s: %s", sym.sec, strerror(-err));
	if (set) {
		memcpy(val + sym.value, buf, size);
		err = map_update(fd, &key, val, BPF_ANY);
		ASSERT_EQ(0, err) TH_LOG("update %s: %s", sym.sec, strerror(-err));
	} else {
		memcpy(buf, val + sym.value, size);
	}
	free(val);
	close(fd);
}

#define VAR_GET(o, var, ptr) obj_var_io(_metadata, (o), (var), (ptr), sizeof(*(ptr)), false)
#define VAR_SET(o, var, ptr) obj_var_io(_metadata, (o), (var), (ptr), sizeof(*(ptr)), true)

static __u64 var_u64(struct __test_metadata *_metadata, struct obj *o, const char *var)
{
	__u64 v;

	VAR_GET(o, var, &v);
	return v;
}

static __u32 var_u32(struct __test_metadata *_metadata, struct obj *o, const char *var)
{
	__u32 v;

	VAR_GET(o, var, &v);
	return v;
}

/* ---- the running kernel ---- */

/* The address /proc/kallsyms gives a vmlinux symbol. */
static __u64 kallsyms_addr(struct __test_metadata *_metadata, const char *name)
{
	unsigned long long addr, found = 0;
	char line[512], sym[256], type;
	bool seen = false;
	FILE *f;

	f = fopen("/proc/kallsyms", "re");
	ASSERT_NE(NULL, f) TH_LOG("/proc/kallsyms: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, sym) != 3 || strcmp(sym, name) ||
		    strchr(line, '['))
			continue;
		found = addr;
		seen = true;
		break;
	}
	fclose(f);
	ASSERT_TRUE(seen) TH_LOG("%s not in /proc/kallsyms", name);
	/* Per-cpu symbols start at 0 on x86_64; anything else at 0 means the
	 * addresses are hidden.
	 */
	if (strcmp(name, "__per_cpu_start"))
		ASSERT_NE(0ULL, found) TH_LOG("/proc/kallsyms hides addresses (kptr_restrict?)");
	return found;
}

/*
 * The value of @name in /proc/config.gz: 0 and the text after '=' (quotes
 * kept), or -ENOENT when it is not set.
 */
static int kconfig_get(struct __test_metadata *_metadata, const char *name, char *val,
		       size_t size)
{
	char line[1024];
	size_t n = strlen(name);
	gzFile f;
	int ret = -ENOENT;

	f = gzopen("/proc/config.gz", "rb");
	ASSERT_NE(NULL, f) TH_LOG("/proc/config.gz: %s (needs CONFIG_IKCONFIG_PROC)",
				  strerror(errno));
	while (gzgets(f, line, sizeof(line))) {
		if (strncmp(line, name, n) || line[n] != '=')
			continue;
		line[strcspn(line, "\n")] = 0;
		snprintf(val, size, "%s", line + n + 1);
		ret = 0;
		break;
	}
	gzclose(f);
	return ret;
}

/* KERNEL_VERSION() of uname -r, the way libbpf computes LINUX_KERNEL_VERSION. */
static __u32 kernel_version(struct __test_metadata *_metadata)
{
	unsigned int a = 0, b = 0, c = 0;
	struct utsname u;

	ASSERT_EQ(0, uname(&u));
	ASSERT_LE(2, sscanf(u.release, "%u.%u.%u", &a, &b, &c)) TH_LOG("release %s", u.release);
	return (a << 16) + (b << 8) + (c > 255 ? 255 : c);
}

/* Any syscall: triggers raw_tp/sys_enter and sys_exit programs. */
static void trigger_syscalls(void)
{
	usleep(1);
	syscall(SYS_getppid);
}

static void trigger_nanosleep(void)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = 1000 };

	syscall(SYS_nanosleep, &ts, NULL);
}

/* ---- differential: xlated instructions ---- */

struct xlated {
	struct bpf_insn *insns;
	__u32 cnt;
	__u32 nr_func_info;
	__u32 nr_line_info;
};

static void get_xlated(struct __test_metadata *_metadata, int prog_fd, struct xlated *x)
{
	struct bpf_prog_info info;
	__u32 len;

	prog_info(_metadata, prog_fd, &info);
	len = info.xlated_prog_len;
	ASSERT_LT(0U, len) TH_LOG("no xlated instructions (bpf_dump_raw_ok?)");
	ASSERT_EQ(0UL, len % sizeof(struct bpf_insn));
	x->nr_func_info = info.nr_func_info;
	x->nr_line_info = info.nr_line_info;
	x->insns = calloc(1, len);
	ASSERT_NE(NULL, x->insns);
	memset(&info, 0, sizeof(info));
	info.xlated_prog_len = len;
	info.xlated_prog_insns = ptr_to_u64(x->insns);
	ASSERT_EQ(0, obj_info(prog_fd, &info, sizeof(info)));
	ASSERT_EQ(len, info.xlated_prog_len);
	x->cnt = len / sizeof(struct bpf_insn);
}

static void insn_str(const struct bpf_insn *i, char *buf, size_t size)
{
	snprintf(buf, size, "code 0x%02x dst r%u src r%u off %d imm %d", i->code, i->dst_reg,
		 i->src_reg, i->off, i->imm);
}

/*
 * Compares @a (libbpf) and @b (BPF_LOAD_FD) instruction by instruction. An
 * ld_imm64 pair is compared without its two imm fields (they hold map ids,
 * value offsets and BTF-resolved addresses); everything else byte for byte.
 * Returns the number of differing instructions; reports the first ones.
 */
static int xlated_diff(struct __test_metadata *_metadata, const char *prog,
		       const struct xlated *a, const struct xlated *b, int *masked)
{
	char sa[96], sb[96];
	__u32 i, n = a->cnt < b->cnt ? a->cnt : b->cnt;
	int diffs = 0;

	*masked = 0;
	for (i = 0; i < n; i++) {
		const struct bpf_insn *x = &a->insns[i], *y = &b->insns[i];
		bool same;

		if (x->code == (BPF_LD | BPF_IMM | BPF_DW) && i + 1 < n) {
			const struct bpf_insn *x1 = x + 1, *y1 = y + 1;

			same = x->code == y->code && x->dst_reg == y->dst_reg &&
			       x->src_reg == y->src_reg && x->off == y->off &&
			       x1->code == y1->code && x1->dst_reg == y1->dst_reg &&
			       x1->src_reg == y1->src_reg && x1->off == y1->off;
			(*masked)++;
			if (!same && diffs++ < 8) {
				insn_str(x, sa, sizeof(sa));
				insn_str(y, sb, sizeof(sb));
				TH_LOG("%s: insn %u (ld_imm64): libbpf {%s}, BPF_LOAD_FD {%s}",
				       prog, i, sa, sb);
			}
			i++;
			continue;
		}
		same = !memcmp(x, y, sizeof(*x));
		if (!same && diffs++ < 8) {
			insn_str(x, sa, sizeof(sa));
			insn_str(y, sb, sizeof(sb));
			TH_LOG("%s: insn %u: libbpf {%s}, BPF_LOAD_FD {%s}", prog, i, sa, sb);
		}
	}
	if (a->cnt != b->cnt) {
		TH_LOG("%s: %u instructions with libbpf, %u with BPF_LOAD_FD (first %u compared)",
		       prog, a->cnt, b->cnt, n);
		diffs++;
	}
	return diffs;
}

#pragma GCC diagnostic pop

#endif /* LOADFD_E2E_H */
