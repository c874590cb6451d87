/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the BPF_LOAD_FD tests in test_progs (prog_tests/loadfd*.c):
 * the probe that skips them on a kernel without the command, objects read
 * as bytes (the tests damage copies of them) and handed to BPF_LOAD_FD from
 * a file, raw BPF_LOAD_FD with its log, the loader's fdinfo and sysfs, and a
 * few map and program shortcuts; objects loaded by BPF_LOAD_FD (or by
 * libbpf, for a reference) with their programs, maps and global variables;
 * the xlated-instruction comparison of the differential tests. Include
 * after <test_progs.h>: the helpers fail the running subtest with its
 * ASSERT_*()s and return an error (a negative value, NULL or false) for the
 * caller to stop on.
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

#include <gelf.h>
#include <libelf.h>

#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

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

static inline __printf(3, 4) bool loadfd_sysfs_read(char *buf, size_t size,
						      const char *fmt, ...);

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

/* The id of program @fd, or 0. */
static inline __u32 loadfd_prog_id(int fd)
{
	struct bpf_prog_info info;

	return loadfd_prog_info(fd, &info) ? info.id : 0;
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

/* A new array map shaped like @ref (e.g. a loader's .rodata) holding @val
 * (ref->value_size bytes) at key 0, frozen when @freeze: what a caller
 * supplies to configure an object. -1 on failure.
 */
static inline int loadfd_map_like(const struct bpf_map_info *ref, const void *val, bool freeze)
{
	__u32 key = 0;
	int fd;

	fd = loadfd_map_create(ref->type, ref->key_size, ref->value_size, ref->max_entries,
			       ref->map_flags, "supplied");
	if (fd < 0)
		return -1;
	if (!ASSERT_OK(bpf_map_update_elem(fd, &key, val, BPF_ANY), "supplied map update") ||
	    (freeze && !ASSERT_OK(bpf_map_freeze(fd), "BPF_MAP_FREEZE"))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* ---- ELF lookups (libelf) ---- */

struct loadfd_elf_sym {
	char sec[64];		/* name of the symbol's section, e.g. ".bss" */
	__u64 value;		/* offset in that section */
	__u64 size;
	unsigned char type;	/* STT_* */
	unsigned char bind;	/* STB_* */
};

/* A libelf descriptor of the ELF64 image @elf (elf_end() it), or NULL. */
static inline Elf *loadfd_elf_open_mem(const unsigned char *elf, size_t size, size_t *shstrndx)
{
	Elf *e;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return NULL;
	e = elf_memory((char *)elf, size);
	if (!e)
		return NULL;
	if (elf_kind(e) != ELF_K_ELF || gelf_getclass(e) != ELFCLASS64 ||
	    elf_getshdrstrndx(e, shstrndx)) {
		elf_end(e);
		return NULL;
	}
	return e;
}

/*
 * Looks up the STT_OBJECT or STT_FUNC symbol @name (defined in a section) in
 * the ELF64 object @elf. Returns 0, -ENOENT, or -EINVAL for a malformed file
 * (no asserts).
 */
static inline int loadfd_elf_find_sym(const unsigned char *elf, size_t size, const char *name,
				      struct loadfd_elf_sym *out)
{
	Elf_Scn *scn = NULL, *sec;
	GElf_Shdr sh, ssh;
	size_t shstrndx, i, n;
	Elf_Data *d;
	GElf_Sym sym;
	int ret = -ENOENT;
	Elf *e;

	e = loadfd_elf_open_mem(elf, size, &shstrndx);
	if (!e)
		return -EINVAL;
	while ((scn = elf_nextscn(e, scn))) {
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB)
			break;
	}
	d = scn ? elf_getdata(scn, NULL) : NULL;
	if (!d || !sh.sh_entsize) {
		elf_end(e);
		return -EINVAL;
	}
	n = sh.sh_size / sh.sh_entsize;
	for (i = 1; i < n && ret == -ENOENT; i++) {
		const char *nm, *sn;
		unsigned char type;

		if (!gelf_getsym(d, i, &sym))
			break;
		type = GELF_ST_TYPE(sym.st_info);
		nm = elf_strptr(e, sh.sh_link, sym.st_name);
		if (!nm || strcmp(nm, name) || (type != STT_OBJECT && type != STT_FUNC) ||
		    sym.st_shndx == SHN_UNDEF || sym.st_shndx >= SHN_LORESERVE)
			continue;
		sec = elf_getscn(e, sym.st_shndx);
		sn = sec && gelf_getshdr(sec, &ssh) ? elf_strptr(e, shstrndx, ssh.sh_name) : NULL;
		if (!sn || strlen(sn) >= sizeof(out->sec)) {
			ret = -EINVAL;
			break;
		}
		memcpy(out->sec, sn, strlen(sn) + 1);
		out->value = sym.st_value;
		out->size = sym.st_size;
		out->type = type;
		out->bind = GELF_ST_BIND(sym.st_info);
		ret = 0;
	}
	elf_end(e);
	return ret;
}

/*
 * The contents of the section @name of the ELF64 object @elf, in @elf's own
 * bytes. Returns 0, -ENOENT, or -EINVAL for a malformed file (or a NOBITS
 * section); no asserts.
 */
static inline int loadfd_elf_find_section(const unsigned char *elf, size_t size, const char *name,
					  const unsigned char **data, size_t *len)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	int ret = -ENOENT;
	GElf_Shdr sh;
	Elf *e;

	e = loadfd_elf_open_mem(elf, size, &shstrndx);
	if (!e)
		return -EINVAL;
	while (ret == -ENOENT && (scn = elf_nextscn(e, scn))) {
		const char *nm = gelf_getshdr(scn, &sh) ?
					 elf_strptr(e, shstrndx, sh.sh_name) :
					 NULL;

		if (!nm || strcmp(nm, name))
			continue;
		if (sh.sh_type == SHT_NOBITS || sh.sh_offset > size ||
		    sh.sh_size > size - sh.sh_offset) {
			ret = -EINVAL;
			break;
		}
		*data = elf + sh.sh_offset;
		*len = sh.sh_size;
		ret = 0;
	}
	elf_end(e);
	return ret;
}

/* ---- objects: loaded by BPF_LOAD_FD, or by libbpf for a reference ---- */

struct loadfd_obj {
	const char *file;		/* "X.bpf.o", relative to the current directory */
	struct loadfd_bytes elf;	/* its bytes (symbols, sections) */
	int loader;			/* BPF_LOAD_FD loader fd, or -1 */
	int id;				/* loader id, or -1 */
	struct bpf_object *bobj;	/* loaded by libbpf instead */
};

static inline void loadfd_obj_init(struct loadfd_obj *o)
{
	memset(o, 0, sizeof(*o));
	o->loader = -1;
	o->id = -1;
}

static inline void loadfd_obj_close(struct loadfd_obj *o)
{
	if (o->loader >= 0)
		close(o->loader);
	bpf_object__close(o->bobj);
	loadfd_bytes_free(&o->elf);
	loadfd_obj_init(o);
}

/* BPF_LOAD_FD of @file into @o (loadfd_obj_close() it either way): 0 or -1. */
static inline int loadfd_obj_open(struct loadfd_obj *o, const char *file)
{
	int fd;

	loadfd_obj_init(o);
	o->file = file;
	if (loadfd_bytes_read(file, &o->elf))
		return -1;
	fd = loadfd_open(file);
	if (fd < 0)
		return -1;
	o->loader = loadfd_ok(fd, NULL, 0, file);
	close(fd);
	if (o->loader < 0)
		return -1;
	o->id = loadfd_id(o->loader);
	return o->id < 0 ? -1 : 0;
}

/* @file opened and loaded by libbpf (bpf_object__load()): 0 or -1. */
static inline int loadfd_obj_open_libbpf(struct loadfd_obj *o, const char *file)
{
	loadfd_obj_init(o);
	o->file = file;
	if (loadfd_bytes_read(file, &o->elf))
		return -1;
	o->bobj = bpf_object__open_file(file, NULL);
	if (!ASSERT_OK_PTR(o->bobj, "libbpf open")) {
		o->bobj = NULL;
		return -1;
	}
	return ASSERT_OK(bpf_object__load(o->bobj), "libbpf load") ? 0 : -1;
}

/* A new fd of the program @prog: loaded by name from the loader, or a dup
 * of libbpf's. -1 on failure (the reason shown).
 */
static inline int loadfd_obj_prog(struct loadfd_obj *o, const char *prog)
{
	struct bpf_program *p;
	int fd;

	if (!o->bobj)
		return loadfd_prog_ok(o->loader, prog);
	p = bpf_object__find_program_by_name(o->bobj, prog);
	if (!ASSERT_OK_PTR(p, prog))
		return -1;
	fd = dup(bpf_program__fd(p));
	ASSERT_OK_FD(fd, "dup prog fd");
	return fd;
}

/* A new fd of the object's map @map (BTF-defined name or data section). */
static inline int loadfd_obj_map(struct loadfd_obj *o, const char *map)
{
	struct bpf_map *m;
	int fd;

	if (o->bobj) {
		m = bpf_object__find_map_by_name(o->bobj, map);
		if (!ASSERT_OK_PTR(m, map))
			return -1;
		fd = dup(bpf_map__fd(m));
		ASSERT_OK_FD(fd, "dup map fd");
		return fd;
	}
	fd = bpf_load_fd_map_get_fd(o->loader, map, 0);
	if (!ASSERT_OK_FD(fd, "BPF_LOAD_FD_MAP_GET_FD"))
		printf("map %s: %s\n", map, strerror(-fd));
	return fd < 0 ? -1 : fd;
}

/*
 * Reads (@set false) or writes (@set true) the global variable @var through
 * the data map of its section: key 0, at the symbol's offset. 0 or -1.
 */
static inline int loadfd_obj_var_io(struct loadfd_obj *o, const char *var, void *buf,
				    size_t size, bool set)
{
	struct loadfd_elf_sym sym;
	struct bpf_map_info info;
	unsigned char *val = NULL;
	int fd, err, ret = -1;
	__u32 key = 0;

	err = loadfd_elf_find_sym(o->elf.data, o->elf.len, var, &sym);
	if (!ASSERT_OK(err, "symbol in the object")) {
		printf("%s: symbol %s: %s\n", o->file, var, strerror(-err));
		return -1;
	}
	if (!ASSERT_EQ(sym.type, STT_OBJECT, "symbol is a variable") ||
	    !ASSERT_EQ(sym.size, size, "variable size"))
		return -1;
	fd = loadfd_obj_map(o, sym.sec);
	if (fd < 0)
		return -1;
	if (!loadfd_map_info(fd, &info) ||
	    !ASSERT_EQ(info.type, BPF_MAP_TYPE_ARRAY, "data map type") ||
	    !ASSERT_LE(sym.value + size, info.value_size, "variable inside the map value"))
		goto out;
	val = calloc(1, info.value_size);
	if (!ASSERT_OK_PTR(val, "calloc"))
		goto out;
	if (!ASSERT_OK(bpf_map_lookup_elem(fd, &key, val), "data map lookup"))
		goto out;
	if (set) {
		memcpy(val + sym.value, buf, size);
		if (!ASSERT_OK(bpf_map_update_elem(fd, &key, val, BPF_ANY), "data map update"))
			goto out;
	} else {
		memcpy(buf, val + sym.value, size);
	}
	ret = 0;
out:
	if (ret)
		printf("%s: variable %s in %s\n", o->file, var, sym.sec);
	free(val);
	close(fd);
	return ret;
}

#define LOADFD_VAR_GET(o, var, ptr) loadfd_obj_var_io((o), (var), (ptr), sizeof(*(ptr)), false)
#define LOADFD_VAR_SET(o, var, ptr) loadfd_obj_var_io((o), (var), (ptr), sizeof(*(ptr)), true)

/* The __u64 variable @var, or ~0ULL (the subtest failed). */
static inline __u64 loadfd_var_u64(struct loadfd_obj *o, const char *var)
{
	__u64 v;

	return LOADFD_VAR_GET(o, var, &v) ? ~0ULL : v;
}

/* ---- differential: xlated instructions ---- */

struct loadfd_xlated {
	struct bpf_insn *insns;
	__u32 cnt;
	__u32 nr_func_info;
	__u32 nr_line_info;
};

/* The xlated instructions of @prog_fd (free() x->insns): 0 or -1. */
static inline int loadfd_get_xlated(int prog_fd, struct loadfd_xlated *x)
{
	struct bpf_prog_info info;
	__u32 len, ilen = sizeof(info);

	memset(x, 0, sizeof(*x));
	if (!loadfd_prog_info(prog_fd, &info))
		return -1;
	len = info.xlated_prog_len;
	if (!ASSERT_GT(len, 0, "xlated instructions (bpf_dump_raw_ok?)") ||
	    !ASSERT_EQ(len % sizeof(struct bpf_insn), 0, "xlated length"))
		return -1;
	x->nr_func_info = info.nr_func_info;
	x->nr_line_info = info.nr_line_info;
	x->insns = calloc(1, len);
	if (!ASSERT_OK_PTR(x->insns, "calloc"))
		return -1;
	memset(&info, 0, sizeof(info));
	info.xlated_prog_len = len;
	info.xlated_prog_insns = ptr_to_u64(x->insns);
	if (!ASSERT_OK(bpf_prog_get_info_by_fd(prog_fd, &info, &ilen), "xlated insns") ||
	    !ASSERT_EQ(info.xlated_prog_len, len, "xlated length again"))
		return -1;
	x->cnt = len / sizeof(struct bpf_insn);
	return 0;
}

static inline void loadfd_insn_str(const struct bpf_insn *i, char *buf, size_t size)
{
	snprintf(buf, size, "code 0x%02x dst r%u src r%u off %d imm %d", i->code, i->dst_reg,
		 i->src_reg, i->off, i->imm);
}

/*
 * Compares @a (libbpf) and @b (BPF_LOAD_FD) instruction by instruction. An
 * ld_imm64 pair is compared without its two imm fields (they hold map ids,
 * value offsets and BTF-resolved addresses); everything else byte for byte.
 * Returns the number of differing instructions; prints the first ones.
 */
static inline int loadfd_xlated_diff(const char *prog, const struct loadfd_xlated *a,
				     const struct loadfd_xlated *b, int *masked)
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
				loadfd_insn_str(x, sa, sizeof(sa));
				loadfd_insn_str(y, sb, sizeof(sb));
				printf("%s: insn %u (ld_imm64): libbpf {%s}, BPF_LOAD_FD {%s}\n",
				       prog, i, sa, sb);
			}
			i++;
			continue;
		}
		same = !memcmp(x, y, sizeof(*x));
		if (!same && diffs++ < 8) {
			loadfd_insn_str(x, sa, sizeof(sa));
			loadfd_insn_str(y, sb, sizeof(sb));
			printf("%s: insn %u: libbpf {%s}, BPF_LOAD_FD {%s}\n", prog, i, sa, sb);
		}
	}
	if (a->cnt != b->cnt) {
		printf("%s: %u instructions with libbpf, %u with BPF_LOAD_FD (first %u compared)\n",
		       prog, a->cnt, b->cnt, n);
		diffs++;
	}
	return diffs;
}

#endif /* __LOADFD_HELPERS_H */
