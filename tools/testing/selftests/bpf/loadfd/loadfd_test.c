// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_LOAD_FD selftests: the syscall edge (attr checks, permissions, the
 * object fd, the verifier-style log) and the ELF identity check.
 *
 * Every test asserts something only a kernel with BPF_LOAD_FD produces (the
 * reason in the log, log_true_size written back, or a control call that
 * reaches the command): on a kernel without it, every test fails.
 *
 * The valid object is loadfd_minimal.bpf.o, looked up in this order:
 *   $LOADFD_OBJ, $LOADFD_OBJDIR/loadfd_minimal.bpf.o, and next to this
 *   binary. A missing object is a failure, not a skip.
 * Temporary files go to $TMPDIR (default /tmp).
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/capability.h>

#include "../../kselftest_harness.h"

/*
 * What a valid object gets: a loader-object fd (1), or, in the stage before
 * loading was implemented, EOPNOTSUPP after the identity check (0).
 * assert_accepted() is the one place that knows the difference.
 */
#define LOADFD_ACCEPT_RETURNS_FD 1

/* LOADFD_MAX_OBJ_SIZE in kernel/bpf/loadfd/glue.h. */
#define LOADFD_MAX_OBJ_SIZE (16 * 1024 * 1024)

/* Kernel-internal log level bits (include/linux/bpf_verifier.h), no uapi. */
#define LOG_LEVEL1 1
#define LOG_FIXED 8
#define LOG_MASK 0x0f

#define LOG_SIZE 4096
#define SENTINEL 0xdeadbeefu

#ifndef EM_BPF
#define EM_BPF 247
#endif

#ifndef offsetofend
#define offsetofend(TYPE, MEMBER) \
	(offsetof(TYPE, MEMBER) + sizeof(((TYPE *)0)->MEMBER))
#endif

#define LOAD_FD_ATTR_END offsetofend(union bpf_attr, load_fd.pin_path_fd)

/* The result of one BPF_LOAD_FD call. */
struct call {
	int ret;
	int err;
	__u32 log_true_size;
	char what[64];		/* which case, for failure messages */
	char log[LOG_SIZE];
};

/* Starts a new call: cleared, named @fmt for failure messages. */
#define NEW_CALL(c, fmt, ...) do {						\
	memset((c), 0, sizeof(*(c)));						\
	snprintf((c)->what, sizeof((c)->what), fmt, ##__VA_ARGS__);		\
} while (0)

static __u64 ptr_to_u64(const void *p)
{
	return (__u64)(unsigned long)p;
}

/* The attr of a plain call on @obj_fd, logging into @c->log. */
static void init_attr(union bpf_attr *attr, struct call *c, int obj_fd)
{
	memset(attr, 0, sizeof(*attr));
	attr->load_fd.obj_fd = obj_fd;
	attr->load_fd.log_level = LOG_LEVEL1;
	attr->load_fd.log_buf = ptr_to_u64(c->log);
	attr->load_fd.log_size = sizeof(c->log);
	/* The kernel overwrites it whenever the command runs. */
	attr->load_fd.log_true_size = SENTINEL;
}

/* bpf(BPF_LOAD_FD, @attr, @size); @attr may be larger than the union. */
static void call_raw(struct call *c, void *attr, unsigned int size)
{
	union bpf_attr *a = attr;

	errno = 0;
	c->ret = syscall(__NR_bpf, BPF_LOAD_FD, attr, size);
	c->err = c->ret < 0 ? errno : 0;
	c->log_true_size = a->load_fd.log_true_size;
}

static void call_attr(struct call *c, union bpf_attr *attr)
{
	call_raw(c, attr, sizeof(*attr));
}

/* A plain call on @obj_fd with a LOG_SIZE log. */
static void load(struct call *c, int obj_fd)
{
	union bpf_attr attr;

	NEW_CALL(c, "obj_fd %d", obj_fd);
	init_attr(&attr, c, obj_fd);
	call_attr(c, &attr);
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/*
 * The call failed with @err, the log is the one line that says why and
 * contains @needle, and log_true_size was written back.
 */
#define ASSERT_REJECTED(c, _err, needle) do {					\
	ASSERT_EQ(-1, (c)->ret)							\
		TH_LOG("[%s] expected %s, got fd %d; log: '%s'", (c)->what,	\
		       #_err, (c)->ret, (c)->log);				\
	ASSERT_EQ(_err, (c)->err)						\
		TH_LOG("[%s] expected %s, got %d (%s); log: '%s'", (c)->what,	\
		       #_err, (c)->err, strerror((c)->err), (c)->log);		\
	ASSERT_TRUE(strstr((c)->log, needle) != NULL)				\
		TH_LOG("[%s] log '%s' lacks '%s'", (c)->what, (c)->log,	\
		       needle);							\
	ASSERT_EQ(1, count_lines((c)->log))					\
		TH_LOG("[%s] not one line: '%s'", (c)->what, (c)->log);	\
	ASSERT_EQ('\n', (c)->log[strlen((c)->log) - 1]);			\
	ASSERT_EQ(strlen((c)->log) + 1, (c)->log_true_size)			\
		TH_LOG("[%s] log_true_size %u for '%s'", (c)->what,		\
		       (c)->log_true_size, (c)->log);				\
} while (0)

/* The call was refused before the command looked at it: log untouched. */
#define ASSERT_REFUSED_EARLY(c, _err) do {					\
	ASSERT_EQ(-1, (c)->ret);						\
	ASSERT_EQ(_err, (c)->err)						\
		TH_LOG("[%s] expected %s, got %d (%s)", (c)->what, #_err,	\
		       (c)->err, strerror((c)->err));				\
	ASSERT_EQ(0, (c)->log[0])						\
		TH_LOG("[%s] log written: '%s'", (c)->what, (c)->log);		\
	ASSERT_EQ(SENTINEL, (c)->log_true_size)					\
		TH_LOG("[%s] log_true_size written", (c)->what);		\
} while (0)


/* A bad obj_fd reached BPF_LOAD_FD: the control for refused-early cases. */
#define ASSERT_REACHED(c) ASSERT_REJECTED(c, EBADF, "obj_fd")

/* The valid object made it through every check the kernel has today. */
static void assert_accepted(struct __test_metadata *_metadata,
			    const struct call *c, off_t size)
{
#if LOADFD_ACCEPT_RETURNS_FD
	ASSERT_LE(0, c->ret)
		TH_LOG("errno %d (%s); log: '%s'", c->err, strerror(c->err), c->log);
	close(c->ret);
	(void)size;
#else
	char want[64];

	snprintf(want, sizeof(want), "accepted (%lld bytes)", (long long)size);
	ASSERT_REJECTED(c, EOPNOTSUPP, want);
#endif
}

/* ---- files ---- */

/* A private temporary directory; files in it are unlinked once open. */
struct tmpdir {
	char path[PATH_MAX];
	int nfiles;
};

static void tmpdir_create(struct __test_metadata *_metadata, struct tmpdir *t)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(t->path, sizeof(t->path), "%s/loadfd_test.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	ASSERT_TRUE(mkdtemp(t->path) != NULL)
		TH_LOG("mkdtemp %s: %s", t->path, strerror(errno));
}

FIXTURE(loadfd) {
	struct tmpdir t;
	struct call c;
};

FIXTURE_SETUP(loadfd)
{
	tmpdir_create(_metadata, &self->t);
}

FIXTURE_TEARDOWN(loadfd)
{
	rmdir(self->t.path);
}

/*
 * A new file with @len bytes of @data (or a hole of @len bytes when @data is
 * NULL), reopened read-only: kernel_read_file() refuses a file that is
 * open for writing, so the writer is closed first.
 */
static int tmp_file(struct __test_metadata *_metadata, struct tmpdir *t,
		    const void *data, size_t len)
{
	char path[PATH_MAX + 32];
	int wfd, fd;

	snprintf(path, sizeof(path), "%s/f%d", t->path, t->nfiles++);
	wfd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	ASSERT_LE(0, wfd) TH_LOG("create %s: %s", path, strerror(errno));
	if (data) {
		ASSERT_EQ((ssize_t)len, write(wfd, data, len));
	} else {
		ASSERT_EQ(0, ftruncate(wfd, len));
	}
	ASSERT_EQ(0, close(wfd));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("open %s: %s", path, strerror(errno));
	ASSERT_EQ(0, unlink(path));
	return fd;
}

static const char *valid_obj_path(char *buf, size_t size)
{
	const char *env = getenv("LOADFD_OBJ");
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	if (env && *env)
		return env;
	env = getenv("LOADFD_OBJDIR");
	if (env && *env) {
		snprintf(buf, size, "%s/loadfd_minimal.bpf.o", env);
		return buf;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return "loadfd_minimal.bpf.o";
	exe[n] = 0;
	slash = strrchr(exe, '/');
	if (slash)
		*slash = 0;
	snprintf(buf, size, "%s/loadfd_minimal.bpf.o", exe);
	return buf;
}

/* The clang-built valid object, read-only; fails the test if missing. */
static int open_valid_obj(struct __test_metadata *_metadata, off_t *size)
{
	char buf[PATH_MAX + 32];
	const char *path = valid_obj_path(buf, sizeof(buf));
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd)
		TH_LOG("valid object %s: %s (set LOADFD_OBJ=/path/loadfd_minimal.bpf.o)",
		       path, strerror(errno));
	ASSERT_EQ(0, fstat(fd, &st));
	if (size)
		*size = st.st_size;
	return fd;
}

/*
 * A well-formed ELF64 relocatable object for @machine, little endian:
 * sections NULL, .text, .symtab (null symbol + .text section symbol),
 * .strtab, .shstrtab. With EM_X86_64 it is a real x86-64 object holding
 * one `ret` (llvm-readelf and objdump take it); with EM_BPF, one `exit`.
 */
struct elf_rel {
	Elf64_Ehdr eh;				/* 0 */
	unsigned char text[8];			/* 64 */
	Elf64_Sym sym[2];			/* 72 */
	char strtab[8];				/* 120 */
	char shstrtab[40];			/* 128 */
	Elf64_Shdr sh[5];			/* 168 */
};

static const char shstrtab[] = "\0.text\0.symtab\0.strtab\0.shstrtab";

static void build_elf_rel(struct elf_rel *o, __u16 machine)
{
	memset(o, 0, sizeof(*o));
	memcpy(o->eh.e_ident, ELFMAG, SELFMAG);
	o->eh.e_ident[EI_CLASS] = ELFCLASS64;
	o->eh.e_ident[EI_DATA] = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ?
				 ELFDATA2LSB : ELFDATA2MSB;
	o->eh.e_ident[EI_VERSION] = EV_CURRENT;
	o->eh.e_ident[EI_OSABI] = ELFOSABI_SYSV;
	o->eh.e_type = ET_REL;
	o->eh.e_machine = machine;
	o->eh.e_version = EV_CURRENT;
	o->eh.e_shoff = offsetof(struct elf_rel, sh);
	o->eh.e_ehsize = sizeof(Elf64_Ehdr);
	o->eh.e_shentsize = sizeof(Elf64_Shdr);
	o->eh.e_shnum = 5;
	o->eh.e_shstrndx = 4;

	o->text[0] = machine == EM_X86_64 ? 0xc3 : 0x95; /* ret / BPF exit */
	o->sym[1].st_info = ELF64_ST_INFO(STB_LOCAL, STT_SECTION);
	o->sym[1].st_shndx = 1;
	memcpy(o->shstrtab, shstrtab, sizeof(shstrtab));

	o->sh[1] = (Elf64_Shdr){ .sh_name = 1, .sh_type = SHT_PROGBITS,
		.sh_flags = SHF_ALLOC | SHF_EXECINSTR,
		.sh_offset = offsetof(struct elf_rel, text),
		.sh_size = machine == EM_X86_64 ? 1 : 8, .sh_addralign = 8 };
	o->sh[2] = (Elf64_Shdr){ .sh_name = 7, .sh_type = SHT_SYMTAB,
		.sh_offset = offsetof(struct elf_rel, sym),
		.sh_size = sizeof(o->sym), .sh_link = 3, .sh_info = 2,
		.sh_addralign = 8, .sh_entsize = sizeof(Elf64_Sym) };
	o->sh[3] = (Elf64_Shdr){ .sh_name = 15, .sh_type = SHT_STRTAB,
		.sh_offset = offsetof(struct elf_rel, strtab),
		.sh_size = 1, .sh_addralign = 1 };
	o->sh[4] = (Elf64_Shdr){ .sh_name = 23, .sh_type = SHT_STRTAB,
		.sh_offset = offsetof(struct elf_rel, shstrtab),
		.sh_size = sizeof(shstrtab), .sh_addralign = 1 };
}

/* ---- the object fd ---- */

TEST_F(loadfd, bad_fd)
{
	load(&self->c, -1);
	ASSERT_REJECTED(&self->c, EBADF, "obj_fd -1");
	load(&self->c, INT_MAX);
	ASSERT_REJECTED(&self->c, EBADF, "obj_fd");
}

TEST_F(loadfd, closed_fd)
{
	int fd = tmp_file(_metadata, &self->t, "x", 1);
	char want[32];

	ASSERT_EQ(0, close(fd));
	load(&self->c, fd);
	snprintf(want, sizeof(want), "obj_fd %d", fd);
	ASSERT_REJECTED(&self->c, EBADF, want);
}

TEST_F(loadfd, opath_fd)
{
	int fd = open(self->t.path, O_PATH | O_CLOEXEC);

	ASSERT_LE(0, fd);
	load(&self->c, fd);
	ASSERT_REJECTED(&self->c, EBADF, "obj_fd");
	close(fd);
}

TEST_F(loadfd, pipe)
{
	int p[2];

	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	ASSERT_EQ(1, write(p[1], "x", 1));
	load(&self->c, p[0]);
	ASSERT_REJECTED(&self->c, EINVAL, "regular file");
	close(p[0]);
	close(p[1]);
}

TEST_F(loadfd, directory)
{
	int fd = open(self->t.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	ASSERT_LE(0, fd);
	load(&self->c, fd);
	ASSERT_REJECTED(&self->c, EINVAL, "regular file");
	close(fd);
}

TEST_F(loadfd, char_device)
{
	int fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);

	ASSERT_LE(0, fd);
	load(&self->c, fd);
	ASSERT_REJECTED(&self->c, EINVAL, "regular file");
	close(fd);
}

TEST_F(loadfd, empty_file)
{
	int fd = tmp_file(_metadata, &self->t, "", 0);

	load(&self->c, fd);
	ASSERT_REJECTED(&self->c, EINVAL, "obj_fd");
	close(fd);
}

/* kernel_read_file() denies writers: a file open for writing is busy. */
TEST_F(loadfd, open_for_writing)
{
	char path[PATH_MAX + 16];
	int fd;

	snprintf(path, sizeof(path), "%s/w", self->t.path);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, unlink(path));
	ASSERT_EQ(5, write(fd, "\x7f" "ELF\2", 5));
	load(&self->c, fd);
	ASSERT_REJECTED(&self->c, ETXTBSY, "obj_fd");
	close(fd);
}

TEST_F(loadfd, oversize)
{
	int fd = tmp_file(_metadata, &self->t, NULL, 17 * 1024 * 1024);

	load(&self->c, fd);
	ASSERT_REJECTED(&self->c, E2BIG, "larger than");
	close(fd);
}

/* The size cap is inclusive: exactly the cap is read (and is not ELF). */
TEST_F(loadfd, size_cap_boundary)
{
	int fd = tmp_file(_metadata, &self->t, NULL, LOADFD_MAX_OBJ_SIZE + 1);

	load(&self->c, fd);
	ASSERT_REJECTED(&self->c, E2BIG, "larger than");
	close(fd);

	fd = tmp_file(_metadata, &self->t, NULL, LOADFD_MAX_OBJ_SIZE);
	load(&self->c, fd);
	ASSERT_REJECTED(&self->c, ENOEXEC, "bad magic");
	close(fd);
}

/* ---- ELF identity ---- */

TEST_F(loadfd, not_elf)
{
	static const char text[] =
		"this is a text file, not an ELF object; it is long enough "
		"to hold an ELF64 header\n";
	int fd = tmp_file(_metadata, &self->t, text, sizeof(text) - 1);

	load(&self->c, fd);
	ASSERT_REJECTED(&self->c, ENOEXEC, "bad magic");
	close(fd);
}

TEST_F(loadfd, shorter_than_header)
{
	int fd = tmp_file(_metadata, &self->t, ELFMAG "\2\1\1", 7);

	load(&self->c, fd);
	ASSERT_REJECTED(&self->c, ENOEXEC, "shorter than");
	close(fd);
}

TEST_F(loadfd, wrong_machine)
{
	struct elf_rel o;
	int fd;

	build_elf_rel(&o, EM_X86_64);
	fd = tmp_file(_metadata, &self->t, &o, sizeof(o));
	load(&self->c, fd);
	ASSERT_REJECTED(&self->c, ENOEXEC, "not EM_BPF");
	ASSERT_TRUE(strstr(self->c.log, "e_machine 62") != NULL)
		TH_LOG("log: '%s'", self->c.log);
	close(fd);
}

/* One field of an otherwise valid BPF ELF header changed. */
FIXTURE(elf_header) {
	struct tmpdir t;
	struct call c;
};

FIXTURE_SETUP(elf_header)
{
	tmpdir_create(_metadata, &self->t);
}

FIXTURE_TEARDOWN(elf_header)
{
	rmdir(self->t.path);
}

FIXTURE_VARIANT(elf_header)
{
	void (*mutate)(struct elf_rel *o);
	int err;
	const char *needle;
};

static void mut_elf32(struct elf_rel *o) { o->eh.e_ident[EI_CLASS] = ELFCLASS32; }
static void mut_bad_class(struct elf_rel *o) { o->eh.e_ident[EI_CLASS] = 7; }
static void mut_swap_endian(struct elf_rel *o)
{
	o->eh.e_ident[EI_DATA] = o->eh.e_ident[EI_DATA] == ELFDATA2LSB ?
				 ELFDATA2MSB : ELFDATA2LSB;
}
static void mut_et_exec(struct elf_rel *o) { o->eh.e_type = ET_EXEC; }
static void mut_et_dyn(struct elf_rel *o) { o->eh.e_type = ET_DYN; }
static void mut_magic(struct elf_rel *o) { o->eh.e_ident[EI_MAG3] = 'f'; }
static void mut_ident_version(struct elf_rel *o) { o->eh.e_ident[EI_VERSION] = 0; }
static void mut_e_version(struct elf_rel *o) { o->eh.e_version = 2; }
static void mut_ehsize(struct elf_rel *o) { o->eh.e_ehsize = 52; }

FIXTURE_VARIANT_ADD(elf_header, elf32) {
	.mutate = mut_elf32, .err = ENOEXEC, .needle = "ELFCLASS64" };
FIXTURE_VARIANT_ADD(elf_header, bad_class) {
	.mutate = mut_bad_class, .err = ENOEXEC, .needle = "ELFCLASS64" };
FIXTURE_VARIANT_ADD(elf_header, big_endian) {
	.mutate = mut_swap_endian, .err = ENOEXEC, .needle = "byte order" };
FIXTURE_VARIANT_ADD(elf_header, et_exec) {
	.mutate = mut_et_exec, .err = ENOEXEC, .needle = "ET_REL" };
FIXTURE_VARIANT_ADD(elf_header, et_dyn) {
	.mutate = mut_et_dyn, .err = ENOEXEC, .needle = "ET_REL" };
FIXTURE_VARIANT_ADD(elf_header, bad_magic) {
	.mutate = mut_magic, .err = ENOEXEC, .needle = "bad magic" };
FIXTURE_VARIANT_ADD(elf_header, ident_version) {
	.mutate = mut_ident_version, .err = EINVAL, .needle = "EV_CURRENT" };
FIXTURE_VARIANT_ADD(elf_header, e_version) {
	.mutate = mut_e_version, .err = EINVAL, .needle = "EV_CURRENT" };
FIXTURE_VARIANT_ADD(elf_header, ehsize) {
	.mutate = mut_ehsize, .err = EINVAL, .needle = "e_ehsize" };

TEST_F(elf_header, rejected)
{
	struct elf_rel o;
	int fd;

	build_elf_rel(&o, EM_BPF);
	variant->mutate(&o);
	fd = tmp_file(_metadata, &self->t, &o, sizeof(o));
	load(&self->c, fd);
	ASSERT_REJECTED(&self->c, variant->err, variant->needle);
	close(fd);
}

/* ---- the valid object ---- */

TEST_F(loadfd, valid_object)
{
	off_t size;
	int fd = open_valid_obj(_metadata, &size);

	load(&self->c, fd);
	assert_accepted(_metadata, &self->c, size);

	/* The object is read from offset 0 whatever the file position. */
	ASSERT_EQ(size, lseek(fd, 0, SEEK_END));
	load(&self->c, fd);
	assert_accepted(_metadata, &self->c, size);
	close(fd);
}

/* ---- attr checks ---- */

/* Non-zero bytes after load_fd.pin_path_fd, inside the union: EINVAL. */
TEST_F(loadfd, attr_tail_inside)
{
	static const size_t offs[] = { LOAD_FD_ATTR_END, LOAD_FD_ATTR_END + 3,
				       sizeof(union bpf_attr) - 1 };
	union bpf_attr attr;
	size_t i;

	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		NEW_CALL(&self->c, "non-zero byte at %zu", offs[i]);
		init_attr(&attr, &self->c, -1);
		((unsigned char *)&attr)[offs[i]] = 1;
		call_attr(&self->c, &attr);
		ASSERT_REFUSED_EARLY(&self->c, EINVAL);
	}
	/* Control: the same call with a zero tail reaches the command. */
	load(&self->c, -1);
	ASSERT_REACHED(&self->c);
}

/* Non-zero bytes beyond sizeof(union bpf_attr): E2BIG; zeros are fine. */
TEST_F(loadfd, attr_tail_beyond)
{
	union {
		union bpf_attr attr;
		unsigned char bytes[sizeof(union bpf_attr) + 64];
	} big;

	NEW_CALL(&self->c, "non-zero byte beyond the union");
	memset(&big, 0, sizeof(big));
	init_attr(&big.attr, &self->c, -1);
	big.bytes[sizeof(union bpf_attr) + 63] = 1;
	call_raw(&self->c, &big, sizeof(big));
	ASSERT_REFUSED_EARLY(&self->c, E2BIG);

	/* Control: a larger attr with a zero tail reaches the command. */
	NEW_CALL(&self->c, "zero bytes beyond the union");
	memset(&big, 0, sizeof(big));
	init_attr(&big.attr, &self->c, -1);
	call_raw(&self->c, &big, sizeof(big));
	ASSERT_REACHED(&self->c);
}

/*
 * An attr shorter than load_fd.log_true_size: the kernel must not write
 * log_true_size beyond what the caller passed (the log still works).
 */
TEST_F(loadfd, attr_short)
{
	union bpf_attr attr;

	NEW_CALL(&self->c, "line %d", __LINE__);
	init_attr(&attr, &self->c, -1);
	call_raw(&self->c, &attr, offsetof(union bpf_attr, load_fd.log_true_size));
	ASSERT_EQ(-1, self->c.ret);
	ASSERT_EQ(EBADF, self->c.err);
	ASSERT_TRUE(strstr(self->c.log, "obj_fd -1") != NULL)
		TH_LOG("log: '%s'", self->c.log);
	ASSERT_EQ(SENTINEL, self->c.log_true_size);

	/* Only obj_fd: no log, the fd is still checked. */
	NEW_CALL(&self->c, "line %d", __LINE__);
	init_attr(&attr, &self->c, -1);
	call_raw(&self->c, &attr, offsetofend(union bpf_attr, load_fd.obj_fd));
	ASSERT_EQ(-1, self->c.ret);
	ASSERT_EQ(EBADF, self->c.err);
	ASSERT_EQ(0, self->c.log[0]);
	ASSERT_EQ(SENTINEL, self->c.log_true_size);
}

TEST_F(loadfd, unknown_flags)
{
	union bpf_attr attr;
	int bit;

	for (bit = 0; bit < 32; bit++) {
		if ((1u << bit) == BPF_F_TOKEN_FD || (1u << bit) == BPF_F_PATH_FD)
			continue;
		NEW_CALL(&self->c, "flags bit %d", bit);
		init_attr(&attr, &self->c, -1);
		attr.load_fd.flags = 1u << bit;
		call_attr(&self->c, &attr);
		ASSERT_REJECTED(&self->c, EINVAL, "unknown flags");
	}
}

TEST_F(loadfd, token_fd_without_flag)
{
	union bpf_attr attr;
	int fd = tmp_file(_metadata, &self->t, "x", 1);

	NEW_CALL(&self->c, "line %d", __LINE__);
	init_attr(&attr, &self->c, fd);
	attr.load_fd.token_fd = fd;
	call_attr(&self->c, &attr);
	ASSERT_REJECTED(&self->c, EINVAL, "BPF_F_TOKEN_FD");

	NEW_CALL(&self->c, "line %d", __LINE__);
	init_attr(&attr, &self->c, fd);
	attr.load_fd.token_fd = -1;
	call_attr(&self->c, &attr);
	ASSERT_REJECTED(&self->c, EINVAL, "BPF_F_TOKEN_FD");
	close(fd);
}

TEST_F(loadfd, token_fd_not_a_token)
{
	union bpf_attr attr;
	int fd = tmp_file(_metadata, &self->t, "x", 1);

	NEW_CALL(&self->c, "line %d", __LINE__);
	init_attr(&attr, &self->c, fd);
	attr.load_fd.flags = BPF_F_TOKEN_FD;
	attr.load_fd.token_fd = fd;
	call_attr(&self->c, &attr);
	ASSERT_REJECTED(&self->c, EINVAL, "not a BPF token");

	NEW_CALL(&self->c, "line %d", __LINE__);
	init_attr(&attr, &self->c, fd);
	attr.load_fd.flags = BPF_F_TOKEN_FD;
	attr.load_fd.token_fd = -1;
	call_attr(&self->c, &attr);
	ASSERT_REJECTED(&self->c, EBADF, "not a BPF token");
	close(fd);
}

/* ---- permissions ---- */

/* Drop every capability (and root, when we are root) in this process. */
static int drop_privileges(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = {};

	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0))
		return -1;
	if (geteuid() == 0 &&
	    (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
	     setresuid(65534, 65534, 65534)))
		return -1;
	if (syscall(SYS_capset, &hdr, data))
		return -1;
	if (syscall(SYS_capget, &hdr, data))
		return -1;
	if (data[0].effective || data[1].effective || data[0].permitted ||
	    data[1].permitted)
		return -1;
	return 0;
}

TEST_F(loadfd, unprivileged)
{
	struct call *c;
	union bpf_attr attr;
	int fd, status;
	off_t size;
	pid_t pid;

	/* A valid object: the capability check alone refuses it. */
	fd = open_valid_obj(_metadata, &size);
	c = mmap(NULL, sizeof(*c), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, c);
	memset(c, 0, sizeof(*c));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (drop_privileges())
			_exit(1);
		init_attr(&attr, c, fd);
		call_attr(c, &attr);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status)) TH_LOG("could not drop privileges");
	ASSERT_REJECTED(c, EPERM, "CAP_BPF");

	/* Control: the same call with our privileges. */
	load(&self->c, fd);
	assert_accepted(_metadata, &self->c, size);
	munmap(c, sizeof(*c));
	close(fd);
}

/* ---- the log ---- */

/* Each case is refused by bpf_vlog_init(), before anything is logged. */
TEST_F(loadfd, log_inconsistent)
{
	static const struct {
		const char *what;
		__u32 level;
		bool buf;
		__u32 size;
	} cases[] = {
		{ "buffer without size", LOG_LEVEL1, true, 0 },
		{ "size without buffer", LOG_LEVEL1, false, LOG_SIZE },
		{ "buffer without level", 0, true, LOG_SIZE },
		{ "unknown level bits", LOG_MASK + 1, true, LOG_SIZE },
		{ "unknown level bits, no buffer", 1u << 31, false, 0 },
		{ "size above UINT_MAX >> 2", LOG_LEVEL1, true, (UINT_MAX >> 2) + 1 },
	};
	union bpf_attr attr;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		NEW_CALL(&self->c, "%s", cases[i].what);
		init_attr(&attr, &self->c, -1);
		attr.load_fd.log_level = cases[i].level;
		attr.load_fd.log_buf = cases[i].buf ? ptr_to_u64(self->c.log) : 0;
		attr.load_fd.log_size = cases[i].size;
		call_attr(&self->c, &attr);
		ASSERT_REFUSED_EARLY(&self->c, EINVAL);
	}
	/* Control: consistent parameters reach the command. */
	load(&self->c, -1);
	ASSERT_REACHED(&self->c);
}

/* No log at all: still the same errno, and log_true_size is 0. */
TEST_F(loadfd, log_none)
{
	union bpf_attr attr;

	NEW_CALL(&self->c, "line %d", __LINE__);
	init_attr(&attr, &self->c, -1);
	attr.load_fd.log_level = 0;
	attr.load_fd.log_buf = 0;
	attr.load_fd.log_size = 0;
	call_attr(&self->c, &attr);
	ASSERT_EQ(-1, self->c.ret);
	ASSERT_EQ(EBADF, self->c.err);
	ASSERT_EQ(0u, self->c.log_true_size);
}

/* log_true_size is the full log size, with or without a buffer. */
TEST_F(loadfd, log_true_size)
{
	union bpf_attr attr;
	__u32 full;

	load(&self->c, -1);
	ASSERT_REACHED(&self->c);
	full = self->c.log_true_size;
	ASSERT_LT(1u, full);

	/* log_level without a buffer: only the size is reported. */
	NEW_CALL(&self->c, "line %d", __LINE__);
	init_attr(&attr, &self->c, -1);
	attr.load_fd.log_buf = 0;
	attr.load_fd.log_size = 0;
	call_attr(&self->c, &attr);
	ASSERT_EQ(-1, self->c.ret);
	ASSERT_EQ(EBADF, self->c.err);
	ASSERT_EQ(full, self->c.log_true_size);
	ASSERT_EQ(0, self->c.log[0]);

	/* A buffer of exactly that size holds the whole log. */
	NEW_CALL(&self->c, "line %d", __LINE__);
	init_attr(&attr, &self->c, -1);
	attr.load_fd.log_size = full;
	call_attr(&self->c, &attr);
	ASSERT_REACHED(&self->c);
}

/*
 * A tiny buffer: the rejection errno is kept (not ENOSPC), the buffer holds
 * the last bytes of the log (rotating mode) or the first ones
 * (BPF_LOG_FIXED), NUL-terminated, and log_true_size is the full size.
 */
TEST_F(loadfd, log_truncated)
{
	enum { TINY = 8 };
	char full[LOG_SIZE];
	union bpf_attr attr;
	size_t len;

	load(&self->c, -1);
	ASSERT_REACHED(&self->c);
	strcpy(full, self->c.log);
	len = strlen(full);
	ASSERT_LT((size_t)TINY, len);

	memset(&self->c, 0x55, sizeof(self->c));
	strcpy(self->c.what, "tiny log");
	init_attr(&attr, &self->c, -1);
	attr.load_fd.log_size = TINY;
	call_attr(&self->c, &attr);
	ASSERT_EQ(-1, self->c.ret);
	ASSERT_EQ(EBADF, self->c.err);
	ASSERT_EQ(len + 1, self->c.log_true_size);
	ASSERT_EQ(0, self->c.log[TINY - 1]);
	ASSERT_EQ(0, memcmp(self->c.log, full + len - (TINY - 1), TINY - 1))
		TH_LOG("rotating log: '%.*s'", TINY - 1, self->c.log);
	ASSERT_EQ(0x55, (unsigned char)self->c.log[TINY]) TH_LOG("wrote past log_size");

	memset(&self->c, 0x55, sizeof(self->c));
	strcpy(self->c.what, "tiny log");
	init_attr(&attr, &self->c, -1);
	attr.load_fd.log_level = LOG_LEVEL1 | LOG_FIXED;
	attr.load_fd.log_size = TINY;
	call_attr(&self->c, &attr);
	ASSERT_EQ(-1, self->c.ret);
	ASSERT_EQ(EBADF, self->c.err);
	ASSERT_EQ(len + 1, self->c.log_true_size);
	ASSERT_EQ(0, self->c.log[TINY - 1]);
	ASSERT_EQ(0, memcmp(self->c.log, full, TINY - 1))
		TH_LOG("fixed log: '%.*s'", TINY - 1, self->c.log);
	ASSERT_EQ(0x55, (unsigned char)self->c.log[TINY]) TH_LOG("wrote past log_size");
}

TEST_HARNESS_MAIN
