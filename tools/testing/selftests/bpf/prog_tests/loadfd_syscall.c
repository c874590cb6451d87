// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_LOAD_FD: the syscall edge (attr checks, permissions, the object fd,
 * the verifier-style log) and the ELF identity check.
 *
 * Every subtest asserts something only a kernel with BPF_LOAD_FD produces
 * (the reason in the log, log_true_size written back, or a control call
 * that reaches the command); on a kernel without it the whole test skips.
 *
 * The valid object is loadfd_minimal.bpf.o next to test_progs. Temporary
 * files go to a private directory in $TMPDIR (default /tmp).
 */
#include <test_progs.h>
#include <elf.h>
#include <sys/mman.h>
#include "cap_helpers.h"
#include "loadfd_helpers.h"

#define VALID_OBJ "loadfd_minimal.bpf.o"

/* LOADFD_MAX_OBJ_SIZE in kernel/bpf/loadfd/glue.h. */
#define LOADFD_MAX_OBJ_SIZE (16 * 1024 * 1024)

/* Kernel-internal log level bits (include/linux/bpf_verifier.h), no uapi. */
#define LOG_LEVEL1 LOADFD_LOG_LEVEL1
#define LOG_FIXED 8
#define LOG_MASK 0x0f

#define LOG_SIZE LOADFD_LOG_SIZE
#define SENTINEL LOADFD_SENTINEL

#define ALL_CAPS (~0ULL)

#ifndef EM_BPF
#define EM_BPF 247
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

static struct call call;

/* Starts a new call: cleared, named @fmt for failure messages. */
#define NEW_CALL(c, fmt, ...) do {						\
	memset((c), 0, sizeof(*(c)));						\
	snprintf((c)->what, sizeof((c)->what), fmt, ##__VA_ARGS__);		\
} while (0)

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

/*
 * The call failed with @err, the log is the one line that says why and
 * contains @needle, and log_true_size was written back.
 */
static bool rejected(struct call *c, int err, const char *needle)
{
	bool ok = true;

	if (c->ret >= 0)
		close(c->ret);
	ok = ASSERT_EQ(c->ret, -1, "refused") && ok;
	ok = ASSERT_EQ(c->err, err, "errno") && ok;
	ok = ASSERT_HAS_SUBSTR(c->log, needle, "log names the reason") && ok;
	ok = ASSERT_EQ(loadfd_count_lines(c->log), 1, "one log line") && ok;
	ok = ASSERT_TRUE(c->log[0] && c->log[strlen(c->log) - 1] == '\n',
			 "log ends in a newline") && ok;
	ok = ASSERT_EQ(c->log_true_size, strlen(c->log) + 1, "log_true_size") && ok;
	if (!ok)
		printf("[%s] expected errno %d (%s) and '%s'; got ret %d, errno %d (%s)\n"
		       "[%s] log_true_size %u, log '%s'\n",
		       c->what, err, strerror(err), needle, c->ret, c->err, strerror(c->err),
		       c->what, c->log_true_size, c->log);
	return ok;
}

/* The call was refused before the command looked at it: log untouched. */
static bool refused_early(struct call *c, int err)
{
	bool ok = true;

	if (c->ret >= 0)
		close(c->ret);
	ok = ASSERT_EQ(c->ret, -1, "refused") && ok;
	ok = ASSERT_EQ(c->err, err, "errno") && ok;
	ok = ASSERT_EQ(c->log[0], 0, "log untouched") && ok;
	ok = ASSERT_EQ(c->log_true_size, SENTINEL, "log_true_size untouched") && ok;
	if (!ok)
		printf("[%s] expected errno %d (%s) before the command; got ret %d, errno %d (%s)\n"
		       "[%s] log_true_size %u, log '%s'\n",
		       c->what, err, strerror(err), c->ret, c->err, strerror(c->err),
		       c->what, c->log_true_size, c->log);
	return ok;
}

/* A bad obj_fd reached BPF_LOAD_FD: the control for refused-early cases. */
static bool reached(struct call *c)
{
	return rejected(c, EBADF, "obj_fd");
}

/* The valid object made it through every check: a loader fd (closed). */
static bool accepted(struct call *c)
{
	if (!ASSERT_OK_FD(c->ret, "loader fd")) {
		printf("[%s] errno %d (%s); log: '%s'\n", c->what, c->err, strerror(c->err),
		       c->log);
		return false;
	}
	close(c->ret);
	c->ret = -1;
	return true;
}

/* ---- files ---- */

/* A private temporary directory; files in it are unlinked once open. */
static char tmpdir[PATH_MAX];
static int nfiles;

static bool tmpdir_create(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/loadfd_syscall.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	nfiles = 0;
	if (!ASSERT_OK_PTR(mkdtemp(tmpdir), "mkdtemp")) {
		tmpdir[0] = 0;
		return false;
	}
	return true;
}

static void tmpdir_remove(void)
{
	if (tmpdir[0])
		ASSERT_OK(rmdir(tmpdir), "rmdir tmpdir");
	tmpdir[0] = 0;
}

/*
 * A new file with @len bytes of @data (or a hole of @len bytes when @data is
 * NULL), reopened read-only: kernel_read_file() refuses a file that is open
 * for writing, so the writer is closed first. -1 on failure.
 */
static int tmp_file(const void *data, size_t len)
{
	char path[PATH_MAX + 32];
	int wfd, fd = -1;

	snprintf(path, sizeof(path), "%s/f%d", tmpdir, nfiles++);
	wfd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (!ASSERT_OK_FD(wfd, "create tmp file"))
		return -1;
	if (data) {
		if (!ASSERT_EQ(write(wfd, data, len), (ssize_t)len, "write tmp file"))
			goto out;
	} else if (!ASSERT_OK(ftruncate(wfd, len), "ftruncate tmp file")) {
		goto out;
	}
	if (!ASSERT_OK(close(wfd), "close tmp file writer")) {
		wfd = -1;
		goto out;
	}
	wfd = -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_OK_FD(fd, "open tmp file");
out:
	if (wfd >= 0)
		close(wfd);
	ASSERT_OK(unlink(path), "unlink tmp file");
	return fd;
}

/* The clang-built valid object, read-only, and its size; -1 if missing. */
static int open_valid_obj(off_t *size)
{
	struct stat st;
	int fd;

	fd = loadfd_open(VALID_OBJ);
	if (fd < 0)
		return -1;
	if (!ASSERT_OK(fstat(fd, &st), "fstat")) {
		close(fd);
		return -1;
	}
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
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	o->eh.e_ident[EI_DATA] = ELFDATA2LSB;
#else
	o->eh.e_ident[EI_DATA] = ELFDATA2MSB;
#endif
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

	o->sh[1] = (Elf64_Shdr) { .sh_name = 1, .sh_type = SHT_PROGBITS,
		.sh_flags = SHF_ALLOC | SHF_EXECINSTR,
		.sh_offset = offsetof(struct elf_rel, text),
		.sh_size = machine == EM_X86_64 ? 1 : 8, .sh_addralign = 8 };
	o->sh[2] = (Elf64_Shdr) { .sh_name = 7, .sh_type = SHT_SYMTAB,
		.sh_offset = offsetof(struct elf_rel, sym),
		.sh_size = sizeof(o->sym), .sh_link = 3, .sh_info = 2,
		.sh_addralign = 8, .sh_entsize = sizeof(Elf64_Sym) };
	o->sh[3] = (Elf64_Shdr) { .sh_name = 15, .sh_type = SHT_STRTAB,
		.sh_offset = offsetof(struct elf_rel, strtab),
		.sh_size = 1, .sh_addralign = 1 };
	o->sh[4] = (Elf64_Shdr) { .sh_name = 23, .sh_type = SHT_STRTAB,
		.sh_offset = offsetof(struct elf_rel, shstrtab),
		.sh_size = sizeof(shstrtab), .sh_addralign = 1 };
}

/* BPF_LOAD_FD of a new file holding @data, @len bytes (a hole if NULL). */
static bool load_file(struct call *c, const void *data, size_t len)
{
	int fd = tmp_file(data, len);

	if (fd < 0)
		return false;
	load(c, fd);
	close(fd);
	return true;
}

/* ---- the object fd ---- */

static void bad_fd(void)
{
	load(&call, -1);
	rejected(&call, EBADF, "obj_fd -1");
	load(&call, INT_MAX);
	rejected(&call, EBADF, "obj_fd");
}

static void closed_fd(void)
{
	int fd = tmp_file("x", 1);
	char want[32];

	if (fd < 0)
		return;
	ASSERT_OK(close(fd), "close");
	load(&call, fd);
	snprintf(want, sizeof(want), "obj_fd %d", fd);
	rejected(&call, EBADF, want);
}

static void opath_fd(void)
{
	int fd = open(tmpdir, O_PATH | O_CLOEXEC);

	if (!ASSERT_OK_FD(fd, "open O_PATH"))
		return;
	load(&call, fd);
	rejected(&call, EBADF, "obj_fd");
	close(fd);
}

static void pipe_fd(void)
{
	int p[2];

	if (!ASSERT_OK(pipe2(p, O_CLOEXEC), "pipe2"))
		return;
	if (ASSERT_EQ(write(p[1], "x", 1), 1, "write pipe")) {
		load(&call, p[0]);
		rejected(&call, EINVAL, "regular file");
	}
	close(p[0]);
	close(p[1]);
}

static void dir_fd(void)
{
	int fd = open(tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (!ASSERT_OK_FD(fd, "open directory"))
		return;
	load(&call, fd);
	rejected(&call, EINVAL, "regular file");
	close(fd);
}

static void char_device(void)
{
	int fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);

	if (!ASSERT_OK_FD(fd, "open /dev/zero"))
		return;
	load(&call, fd);
	rejected(&call, EINVAL, "regular file");
	close(fd);
}

static void empty_file(void)
{
	if (load_file(&call, "", 0))
		rejected(&call, EINVAL, "obj_fd");
}

/* kernel_read_file() denies writers: a file open for writing is busy. */
static void open_for_writing(void)
{
	char path[PATH_MAX + 16];
	int fd;

	snprintf(path, sizeof(path), "%s/w", tmpdir);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (!ASSERT_OK_FD(fd, "create"))
		return;
	ASSERT_OK(unlink(path), "unlink");
	if (ASSERT_EQ(write(fd, "\177ELF\2", 5), 5, "write")) {
		load(&call, fd);
		rejected(&call, ETXTBSY, "obj_fd");
	}
	close(fd);
}

static void oversize(void)
{
	if (load_file(&call, NULL, 17 * 1024 * 1024))
		rejected(&call, E2BIG, "larger than");
}

/* The size cap is inclusive: exactly the cap is read (and is not ELF). */
static void size_cap_boundary(void)
{
	if (load_file(&call, NULL, LOADFD_MAX_OBJ_SIZE + 1))
		rejected(&call, E2BIG, "larger than");
	if (load_file(&call, NULL, LOADFD_MAX_OBJ_SIZE))
		rejected(&call, ENOEXEC, "bad magic");
}

/* ---- ELF identity ---- */

static void not_elf(void)
{
	static const char text[] =
		"this is a text file, not an ELF object; it is long enough "
		"to hold an ELF64 header\n";

	if (load_file(&call, text, sizeof(text) - 1))
		rejected(&call, ENOEXEC, "bad magic");
}

static void shorter_than_header(void)
{
	if (load_file(&call, ELFMAG "\2\1\1", 7))
		rejected(&call, ENOEXEC, "shorter than");
}

static void wrong_machine(void)
{
	struct elf_rel o;

	build_elf_rel(&o, EM_X86_64);
	if (!load_file(&call, &o, sizeof(o)))
		return;
	rejected(&call, ENOEXEC, "not EM_BPF");
	ASSERT_HAS_SUBSTR(call.log, "e_machine 62", "log names e_machine");
}

/* One field of an otherwise valid BPF ELF header changed. */
static void mut_elf32(struct elf_rel *o)
{
	o->eh.e_ident[EI_CLASS] = ELFCLASS32;
}

static void mut_bad_class(struct elf_rel *o)
{
	o->eh.e_ident[EI_CLASS] = 7;
}

static void mut_swap_endian(struct elf_rel *o)
{
	o->eh.e_ident[EI_DATA] = o->eh.e_ident[EI_DATA] == ELFDATA2LSB ?
				 ELFDATA2MSB : ELFDATA2LSB;
}

static void mut_et_exec(struct elf_rel *o)
{
	o->eh.e_type = ET_EXEC;
}

static void mut_et_dyn(struct elf_rel *o)
{
	o->eh.e_type = ET_DYN;
}

static void mut_magic(struct elf_rel *o)
{
	o->eh.e_ident[EI_MAG3] = 'f';
}

static void mut_ident_version(struct elf_rel *o)
{
	o->eh.e_ident[EI_VERSION] = 0;
}

static void mut_e_version(struct elf_rel *o)
{
	o->eh.e_version = 2;
}

static void mut_ehsize(struct elf_rel *o)
{
	o->eh.e_ehsize = 52;
}

static const struct {
	const char *name;
	void (*mutate)(struct elf_rel *o);
	int err;
	const char *needle;
} elf_header[] = {
	{ "elf_header_elf32", mut_elf32, ENOEXEC, "ELFCLASS64" },
	{ "elf_header_bad_class", mut_bad_class, ENOEXEC, "ELFCLASS64" },
	{ "elf_header_big_endian", mut_swap_endian, ENOEXEC, "byte order" },
	{ "elf_header_et_exec", mut_et_exec, ENOEXEC, "ET_REL" },
	{ "elf_header_et_dyn", mut_et_dyn, ENOEXEC, "ET_REL" },
	{ "elf_header_bad_magic", mut_magic, ENOEXEC, "bad magic" },
	{ "elf_header_ident_version", mut_ident_version, EINVAL, "EV_CURRENT" },
	{ "elf_header_e_version", mut_e_version, EINVAL, "EV_CURRENT" },
	{ "elf_header_ehsize", mut_ehsize, EINVAL, "e_ehsize" },
};

static void elf_header_rejected(int i)
{
	struct elf_rel o;

	build_elf_rel(&o, EM_BPF);
	elf_header[i].mutate(&o);
	if (load_file(&call, &o, sizeof(o)))
		rejected(&call, elf_header[i].err, elf_header[i].needle);
}

/* ---- the valid object ---- */

static void valid_object(void)
{
	off_t size;
	int fd = open_valid_obj(&size);

	if (fd < 0)
		return;
	load(&call, fd);
	accepted(&call);

	/* The object is read from offset 0 whatever the file position. */
	ASSERT_EQ(lseek(fd, 0, SEEK_END), size, "lseek to the end");
	load(&call, fd);
	accepted(&call);
	close(fd);
}

/* ---- attr checks ---- */

/* Non-zero bytes after load_fd.pin_path_fd, inside the union: EINVAL. */
static void attr_tail_inside(void)
{
	static const size_t offs[] = { LOAD_FD_ATTR_END, LOAD_FD_ATTR_END + 3,
				       sizeof(union bpf_attr) - 1 };
	union bpf_attr attr;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(offs); i++) {
		NEW_CALL(&call, "non-zero byte at %zu", offs[i]);
		init_attr(&attr, &call, -1);
		((unsigned char *)&attr)[offs[i]] = 1;
		call_attr(&call, &attr);
		refused_early(&call, EINVAL);
	}
	/* Control: the same call with a zero tail reaches the command. */
	load(&call, -1);
	reached(&call);
}

/* Non-zero bytes beyond sizeof(union bpf_attr): E2BIG; zeros are fine. */
static void attr_tail_beyond(void)
{
	union {
		union bpf_attr attr;
		unsigned char bytes[sizeof(union bpf_attr) + 64];
	} big;

	NEW_CALL(&call, "non-zero byte beyond the union");
	memset(&big, 0, sizeof(big));
	init_attr(&big.attr, &call, -1);
	big.bytes[sizeof(union bpf_attr) + 63] = 1;
	call_raw(&call, &big, sizeof(big));
	refused_early(&call, E2BIG);

	/* Control: a larger attr with a zero tail reaches the command. */
	NEW_CALL(&call, "zero bytes beyond the union");
	memset(&big, 0, sizeof(big));
	init_attr(&big.attr, &call, -1);
	call_raw(&call, &big, sizeof(big));
	reached(&call);
}

/*
 * An attr shorter than load_fd.log_true_size: the kernel must not write
 * log_true_size beyond what the caller passed (the log still works).
 */
static void attr_short(void)
{
	union bpf_attr attr;

	NEW_CALL(&call, "attr up to log_size");
	init_attr(&attr, &call, -1);
	call_raw(&call, &attr, offsetof(union bpf_attr, load_fd.log_true_size));
	ASSERT_EQ(call.ret, -1, "refused");
	ASSERT_EQ(call.err, EBADF, "errno");
	ASSERT_HAS_SUBSTR(call.log, "obj_fd -1", "log");
	ASSERT_EQ(call.log_true_size, SENTINEL, "log_true_size not written");

	/* Only obj_fd: no log, the fd is still checked. */
	NEW_CALL(&call, "attr up to obj_fd");
	init_attr(&attr, &call, -1);
	call_raw(&call, &attr, offsetofend(union bpf_attr, load_fd.obj_fd));
	ASSERT_EQ(call.ret, -1, "refused (obj_fd only)");
	ASSERT_EQ(call.err, EBADF, "errno (obj_fd only)");
	ASSERT_EQ(call.log[0], 0, "no log (obj_fd only)");
	ASSERT_EQ(call.log_true_size, SENTINEL, "log_true_size not written (obj_fd only)");
}

static void unknown_flags(void)
{
	union bpf_attr attr;
	int bit;

	for (bit = 0; bit < 32; bit++) {
		if ((1u << bit) == BPF_F_TOKEN_FD || (1u << bit) == BPF_F_PATH_FD)
			continue;
		NEW_CALL(&call, "flags bit %d", bit);
		init_attr(&attr, &call, -1);
		attr.load_fd.flags = 1u << bit;
		call_attr(&call, &attr);
		rejected(&call, EINVAL, "unknown flags");
	}
}

static void token_fd_without_flag(void)
{
	union bpf_attr attr;
	int fd = tmp_file("x", 1);

	if (fd < 0)
		return;
	NEW_CALL(&call, "token_fd %d without the flag", fd);
	init_attr(&attr, &call, fd);
	attr.load_fd.token_fd = fd;
	call_attr(&call, &attr);
	rejected(&call, EINVAL, "BPF_F_TOKEN_FD");

	NEW_CALL(&call, "token_fd -1 without the flag");
	init_attr(&attr, &call, fd);
	attr.load_fd.token_fd = -1;
	call_attr(&call, &attr);
	rejected(&call, EINVAL, "BPF_F_TOKEN_FD");
	close(fd);
}

static void token_fd_not_a_token(void)
{
	union bpf_attr attr;
	int fd = tmp_file("x", 1);

	if (fd < 0)
		return;
	NEW_CALL(&call, "token_fd %d: a file", fd);
	init_attr(&attr, &call, fd);
	attr.load_fd.flags = BPF_F_TOKEN_FD;
	attr.load_fd.token_fd = fd;
	call_attr(&call, &attr);
	rejected(&call, EINVAL, "not a BPF token");

	NEW_CALL(&call, "token_fd -1");
	init_attr(&attr, &call, fd);
	attr.load_fd.flags = BPF_F_TOKEN_FD;
	attr.load_fd.token_fd = -1;
	call_attr(&call, &attr);
	rejected(&call, EBADF, "not a BPF token");
	close(fd);
}

/* ---- permissions ---- */

/*
 * A valid object with every capability dropped from the effective set
 * (cap_helpers): the capability check alone refuses it.
 */
static void unprivileged(void)
{
	union bpf_attr attr;
	__u64 old_caps;
	off_t size;
	int fd;

	fd = open_valid_obj(&size);
	if (fd < 0)
		return;
	if (!ASSERT_OK(cap_disable_effective(ALL_CAPS, &old_caps), "drop every capability"))
		goto out;
	NEW_CALL(&call, "no capabilities");
	init_attr(&attr, &call, fd);
	call_attr(&call, &attr);
	ASSERT_OK(cap_enable_effective(old_caps, NULL), "restore capabilities");
	rejected(&call, EPERM, "CAP_BPF");

	/* Control: the same call with our privileges. */
	load(&call, fd);
	accepted(&call);
out:
	close(fd);
}

/* ---- the log ---- */

/* Each case is refused by bpf_vlog_init(), before anything is logged. */
static void log_inconsistent(void)
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

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		NEW_CALL(&call, "%s", cases[i].what);
		init_attr(&attr, &call, -1);
		attr.load_fd.log_level = cases[i].level;
		attr.load_fd.log_buf = 0;
		if (cases[i].buf)
			attr.load_fd.log_buf = ptr_to_u64(call.log);
		attr.load_fd.log_size = cases[i].size;
		call_attr(&call, &attr);
		refused_early(&call, EINVAL);
	}
	/* Control: consistent parameters reach the command. */
	load(&call, -1);
	reached(&call);
}

/* No log at all: still the same errno, and log_true_size is 0. */
static void log_none(void)
{
	union bpf_attr attr;

	NEW_CALL(&call, "no log");
	init_attr(&attr, &call, -1);
	attr.load_fd.log_level = 0;
	attr.load_fd.log_buf = 0;
	attr.load_fd.log_size = 0;
	call_attr(&call, &attr);
	ASSERT_EQ(call.ret, -1, "refused");
	ASSERT_EQ(call.err, EBADF, "errno");
	ASSERT_EQ(call.log_true_size, 0, "log_true_size");
}

/* log_true_size is the full log size, with or without a buffer. */
static void log_true_size_full(void)
{
	union bpf_attr attr;
	__u32 full;

	load(&call, -1);
	if (!reached(&call))
		return;
	full = call.log_true_size;
	if (!ASSERT_GT(full, 1, "full log size"))
		return;

	/* log_level without a buffer: only the size is reported. */
	NEW_CALL(&call, "level without a buffer");
	init_attr(&attr, &call, -1);
	attr.load_fd.log_buf = 0;
	attr.load_fd.log_size = 0;
	call_attr(&call, &attr);
	ASSERT_EQ(call.ret, -1, "refused");
	ASSERT_EQ(call.err, EBADF, "errno");
	ASSERT_EQ(call.log_true_size, full, "log_true_size without a buffer");
	ASSERT_EQ(call.log[0], 0, "no log written");

	/* A buffer of exactly that size holds the whole log. */
	NEW_CALL(&call, "buffer of log_true_size bytes");
	init_attr(&attr, &call, -1);
	attr.load_fd.log_size = full;
	call_attr(&call, &attr);
	reached(&call);
}

/*
 * A tiny buffer: the rejection errno is kept (not ENOSPC), the buffer holds
 * the last bytes of the log (rotating mode) or the first ones
 * (BPF_LOG_FIXED), NUL-terminated, and log_true_size is the full size.
 */
static void log_truncated(void)
{
	enum { TINY = 8 };
	char full[LOG_SIZE];
	union bpf_attr attr;
	size_t len;

	load(&call, -1);
	if (!reached(&call))
		return;
	snprintf(full, sizeof(full), "%s", call.log);
	len = strlen(full);
	if (!ASSERT_GT(len, TINY, "full log length"))
		return;

	memset(&call, 0x55, sizeof(call));
	snprintf(call.what, sizeof(call.what), "tiny log");
	init_attr(&attr, &call, -1);
	attr.load_fd.log_size = TINY;
	call_attr(&call, &attr);
	ASSERT_EQ(call.ret, -1, "refused");
	ASSERT_EQ(call.err, EBADF, "errno");
	ASSERT_EQ(call.log_true_size, len + 1, "log_true_size");
	ASSERT_EQ(call.log[TINY - 1], 0, "NUL-terminated");
	if (!ASSERT_OK(memcmp(call.log, full + len - (TINY - 1), TINY - 1),
		       "rotating log holds the end"))
		printf("rotating log: '%.*s'\n", TINY - 1, call.log);
	ASSERT_EQ((unsigned char)call.log[TINY], 0x55, "nothing written past log_size");

	memset(&call, 0x55, sizeof(call));
	snprintf(call.what, sizeof(call.what), "tiny fixed log");
	init_attr(&attr, &call, -1);
	attr.load_fd.log_level = LOG_LEVEL1 | LOG_FIXED;
	attr.load_fd.log_size = TINY;
	call_attr(&call, &attr);
	ASSERT_EQ(call.ret, -1, "refused (fixed)");
	ASSERT_EQ(call.err, EBADF, "errno (fixed)");
	ASSERT_EQ(call.log_true_size, len + 1, "log_true_size (fixed)");
	ASSERT_EQ(call.log[TINY - 1], 0, "NUL-terminated (fixed)");
	if (!ASSERT_OK(memcmp(call.log, full, TINY - 1), "fixed log holds the start"))
		printf("fixed log: '%.*s'\n", TINY - 1, call.log);
	ASSERT_EQ((unsigned char)call.log[TINY], 0x55, "nothing written past log_size (fixed)");
}

static const struct {
	const char *name;
	void (*run)(void);
} syscall_tests[] = {
	{ "bad_fd", bad_fd },
	{ "closed_fd", closed_fd },
	{ "opath_fd", opath_fd },
	{ "pipe", pipe_fd },
	{ "directory", dir_fd },
	{ "char_device", char_device },
	{ "empty_file", empty_file },
	{ "open_for_writing", open_for_writing },
	{ "oversize", oversize },
	{ "size_cap_boundary", size_cap_boundary },
	{ "not_elf", not_elf },
	{ "shorter_than_header", shorter_than_header },
	{ "wrong_machine", wrong_machine },
	{ "valid_object", valid_object },
	{ "attr_tail_inside", attr_tail_inside },
	{ "attr_tail_beyond", attr_tail_beyond },
	{ "attr_short", attr_short },
	{ "unknown_flags", unknown_flags },
	{ "token_fd_without_flag", token_fd_without_flag },
	{ "token_fd_not_a_token", token_fd_not_a_token },
	{ "unprivileged", unprivileged },
	{ "log_inconsistent", log_inconsistent },
	{ "log_none", log_none },
	{ "log_true_size", log_true_size_full },
	{ "log_truncated", log_truncated },
};

void test_loadfd_syscall(void)
{
	int i;

	if (!loadfd_supported()) {
		test__skip();
		return;
	}
	for (i = 0; i < ARRAY_SIZE(syscall_tests); i++) {
		if (!test__start_subtest(syscall_tests[i].name))
			continue;
		if (!tmpdir_create())
			continue;
		syscall_tests[i].run();
		tmpdir_remove();
	}
	for (i = 0; i < ARRAY_SIZE(elf_header); i++) {
		if (!test__start_subtest(elf_header[i].name))
			continue;
		if (!tmpdir_create())
			continue;
		elf_header_rejected(i);
		tmpdir_remove();
	}
}
