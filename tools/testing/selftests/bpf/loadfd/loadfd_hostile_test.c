// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_LOAD_FD selftests: a hostile caller (the findings of the security
 * review of the series; each test names its finding).
 *
 * Whatever a CAP_BPF caller hands BPF_LOAD_FD or BPF_PROG_LOAD-by-name, the
 * kernel must answer in bounded time, stop promptly on SIGKILL, allocate
 * within documented caps and charge it to the caller, and log no warning.
 * Each test builds or mutates one hostile object and checks the errno and
 * the one-line reason in the loader log, and that the kernel log gained no
 * WARNING, BUG, soft lockup, hung task, stall or stack dump meanwhile.
 * Nothing here asserts on time except one liveness bound: a child SIGKILLed
 * inside BPF_LOAD_FD must be gone within KILL_BOUND_MS.
 *
 * Loads that could run for minutes (or allocate without bound) on a kernel
 * without the fixes run in a child that is SIGKILLed after a generous bound,
 * so a broken kernel fails the test instead of hanging the suite.
 *
 * Tests and findings:
 *   c1_longname_16mib                C1  name cap (E2BIG)
 *   sigkill.*                        C1  SIGKILL within KILL_BOUND_MS, within caps
 *   h2_kconfig_huge                  H2a .kconfig size cap (E2BIG)
 *   h2_long_prog_name                H2b name cap on a 5 MB program name (E2BIG)
 *   h2_l1_prog_ids_10k_loads         H2c, L1  prog_ids lists live programs only
 *   h3_amplified_line_info           H3  equal insn_off records refused
 *   m1_core_relos_without_func_info  M1  CO-RE records never silently dropped
 *   l2_duplicate_data_sections       L2  duplicate map names (EINVAL)
 *   l2_odd_names                     L2  map/program names sysfs cannot hold
 *   m3_memcg_16m                     M3  charged to the caller's memcg (ENOMEM)
 *
 * Objects: clang-built ones from ../progs/loadfd_*.c and from the sources
 * gen/hostile_c.py writes (in $LOADFD_OBJDIR, else next to this binary);
 * the large ones are built here, in memory, into memfds.
 *
 * Needs root (cgroup v2 and /dev/kmsg); mounts cgroup2 on /sys/fs/cgroup
 * if nothing is mounted there.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/magic.h>

#include "../../kselftest_harness.h"
#include "loadfd_util.h"

/* Kernel-internal log level (include/linux/bpf_verifier.h), no uapi. */
#define LOG_LEVEL1 1
#define LOG_SIZE 4096
#define SYSFS_DIR "/sys/kernel/bpf_loadfd"
#define CG_ROOT "/sys/fs/cgroup"

/* BPF_LOAD_FD reads at most this much (LOADFD_MAX_OBJ_SIZE). */
#define MAX_OBJ (16u << 20)
/* KSYM_NAME_LEN: the longest symbol or section name is one byte less. */
#define NAME_CAP 512

/* The liveness bound of the SIGKILL tests, and how long before the kill
 * the child is given to get deep into BPF_LOAD_FD.
 */
#define KILL_AFTER_MS 100
#define KILL_BOUND_MS 5000
/* How long a load run in a child may take before the test gives up on it
 * (a broken kernel, not a slow one: the loads here take well under this).
 */
#define CHILD_BOUND_S 120

/* ---- small helpers ---- */

static __u64 ptr_to_u64(const void *p)
{
	return (__u64)(unsigned long)p;
}

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static int write_str(const char *path, const char *s)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	if (n < 0)
		return -errno;
	return n == (ssize_t)strlen(s) ? 0 : -EIO;
}

/* ---- the calls ---- */

struct call {
	int ret;		/* loader/prog fd, or -errno */
	char log[LOG_SIZE];
};

/* BPF_LOAD_FD on @obj_fd with a level-1 log; the loader fd is left open. */
static void load_fd(struct call *c, int obj_fd)
{
	union bpf_attr attr;
	int ret;

	memset(c->log, 0, sizeof(c->log));
	memset(&attr, 0, sizeof(attr));
	attr.load_fd.obj_fd = obj_fd;
	attr.load_fd.log_level = LOG_LEVEL1;
	attr.load_fd.log_buf = ptr_to_u64(c->log);
	attr.load_fd.log_size = sizeof(c->log);
	ret = sys_bpf(BPF_LOAD_FD, &attr);
	c->ret = ret < 0 ? -errno : ret;
}

/* BPF_PROG_LOAD of @name from the loader object @loader_fd; with @c's log
 * as the log buffer when @c is not NULL. Returns the prog fd or -errno.
 */
static int prog_load(int loader_fd, const char *name, struct call *c)
{
	union bpf_attr attr;
	int ret;

	memset(&attr, 0, sizeof(attr));
	attr.loader_fd = loader_fd;
	attr.loader_prog_name = ptr_to_u64(name);
	if (c) {
		memset(c->log, 0, sizeof(c->log));
		attr.log_level = LOG_LEVEL1;
		attr.log_buf = ptr_to_u64(c->log);
		attr.log_size = sizeof(c->log);
	}
	ret = sys_bpf(BPF_PROG_LOAD, &attr);
	ret = ret < 0 ? -errno : ret;
	if (c)
		c->ret = ret;
	return ret;
}

static __u32 prog_id(struct __test_metadata *_metadata, int fd)
{
	struct bpf_prog_info info;
	union bpf_attr attr;

	memset(&info, 0, sizeof(info));
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = fd;
	attr.info.info_len = sizeof(info);
	attr.info.info = ptr_to_u64(&info);
	ASSERT_EQ(0, sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr))
		TH_LOG("prog info of fd %d: %s", fd, strerror(errno));
	return info.id;
}

/* BPF_PROG_TEST_RUN of a socket filter on a @len-byte packet: its return
 * value, or -errno.
 */
static long long test_run_skb(int prog_fd, __u32 len)
{
	unsigned char pkt[256] = {};
	union bpf_attr attr;

	if (len > sizeof(pkt))
		return -EINVAL;
	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = prog_fd;
	attr.test.data_in = ptr_to_u64(pkt);
	attr.test.data_size_in = len;
	attr.test.repeat = 1;
	if (sys_bpf(BPF_PROG_TEST_RUN, &attr))
		return -errno;
	return attr.test.retval;
}

/*
 * BPF_LOAD_FD failed with @err and logged one line containing @needle (may
 * be NULL).
 */
static void expect_reject(struct __test_metadata *_metadata, const char *what,
			  const struct call *c, int err, const char *needle)
{
	ASSERT_EQ(-err, c->ret)
		TH_LOG("[%s] expected %s, got %s; log: '%s'", what, strerror(err),
		       c->ret >= 0 ? "a loader fd" : strerror(-c->ret), c->log);
	ASSERT_EQ(1, count_lines(c->log)) TH_LOG("[%s] not one log line: '%s'", what, c->log);
	ASSERT_EQ('\n', c->log[strlen(c->log) - 1]) TH_LOG("[%s] '%s'", what, c->log);
	if (needle)
		ASSERT_NE(NULL, strstr(c->log, needle))
			TH_LOG("[%s] log '%s' lacks '%s'", what, c->log, needle);
	TH_LOG("[%s] %s: %.*s", what, strerror(err), (int)strlen(c->log) - 1, c->log);
}

/* ---- the kernel log ---- */

/* What a hostile object must never make the kernel print. */
static const char *const kmsg_bad[] = {
	"WARNING:", "BUG:", "Oops", "Call Trace", "soft lockup", "hung task",
	"blocked for more than", "detected stall", "oom-kill",
	"cannot create duplicate filename",
};

/* /dev/kmsg opened at its end: kmsg_check() sees what was logged since. */
static int kmsg_open(struct __test_metadata *_metadata)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	ASSERT_LE(0, fd) TH_LOG("/dev/kmsg: %s", strerror(errno));
	ASSERT_LE(0, lseek(fd, 0, SEEK_END));
	return fd;
}

/* Fails the test if the kernel logged anything in kmsg_bad since @fd was
 * opened; shows the offending lines.
 */
static void kmsg_check(struct __test_metadata *_metadata, int fd, const char *what)
{
	char rec[8192];
	int bad = 0;
	ssize_t n;
	size_t i;

	for (;;) {
		char *msg;

		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)	/* overwritten: keep reading */
			continue;
		if (n <= 0)
			break;
		rec[n] = 0;
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		for (i = 0; i < ARRAY_SIZE(kmsg_bad); i++) {
			if (strstr(msg, kmsg_bad[i])) {
				if (bad++ < 20)
					TH_LOG("[%s] kernel log: %.*s", what,
					       (int)strcspn(msg, "\n"), msg);
				break;
			}
		}
	}
	close(fd);
	ASSERT_EQ(0, bad) TH_LOG("[%s] %d bad kernel log lines", what, bad);
}

/* ---- objects ---- */

/* With LOADFD_HOSTILE_DUMP=/dir, the objects go to /dir/<what>.bpf.o too. */
static void dump(const char *what, const struct obj_bytes *o)
{
	const char *dir = getenv("LOADFD_HOSTILE_DUMP");
	char path[PATH_MAX];
	FILE *f;

	if (!dir || !*dir)
		return;
	snprintf(path, sizeof(path), "%s/%s.bpf.o", dir, what);
	f = fopen(path, "we");
	if (!f)
		return;
	fwrite(o->data, 1, o->len, f);
	fclose(f);
}

/* A memfd holding the object @what (BPF_LOAD_FD reads shmem files like any
 * regular file). Its pages are charged to the caller's memory cgroup.
 */
static int obj_memfd(struct __test_metadata *_metadata, const char *what, const struct obj_bytes *o)
{
	size_t done = 0;
	ssize_t n;
	int fd;

	dump(what, o);

	fd = memfd_create("loadfd_hostile", MFD_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("memfd_create: %s", strerror(errno));
	while (done < o->len) {
		n = pwrite(fd, o->data + done, o->len - done, done);
		ASSERT_LT(0, n) TH_LOG("memfd write: %s", strerror(errno));
		done += n;
	}
	return fd;
}

/* ---- building ELF objects ---- */

struct esec {
	const char *name;
	__u32 type;
	__u64 flags;
	const void *data;
	size_t size;
	__u32 link, info;
	__u64 entsize;
};

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/*
 * An ELF64 EM_BPF relocatable object with the @n sections @s (indices 1..n)
 * and a .shstrtab after them.
 */
static void elf_build(struct __test_metadata *_metadata, const struct esec *s, int n,
		      struct obj_bytes *o)
{
	size_t off = sizeof(Elf64_Ehdr), shstr_len = 1, shstr_off, shoff, pos;
	Elf64_Ehdr *eh;
	Elf64_Shdr *sh;
	int i;

	for (i = 0; i < n; i++) {
		off = align8(off) + s[i].size;
		shstr_len += strlen(s[i].name) + 1;
	}
	shstr_len += sizeof(".shstrtab");
	shstr_off = align8(off);
	shoff = align8(shstr_off + shstr_len);
	o->len = shoff + (n + 2) * sizeof(Elf64_Shdr);
	o->data = calloc(1, o->len);
	ASSERT_NE(NULL, o->data);

	eh = (Elf64_Ehdr *)o->data;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_REL;
	eh->e_machine = EM_BPF;
	eh->e_version = EV_CURRENT;
	eh->e_shoff = shoff;
	eh->e_ehsize = sizeof(Elf64_Ehdr);
	eh->e_shentsize = sizeof(Elf64_Shdr);
	eh->e_shnum = n + 2;
	eh->e_shstrndx = n + 1;

	sh = (Elf64_Shdr *)(o->data + shoff);
	off = sizeof(Elf64_Ehdr);
	pos = 1;
	for (i = 0; i < n; i++) {
		Elf64_Shdr *h = &sh[i + 1];

		off = align8(off);
		memcpy(o->data + off, s[i].data, s[i].size);
		h->sh_name = pos;
		h->sh_type = s[i].type;
		h->sh_flags = s[i].flags;
		h->sh_offset = off;
		h->sh_size = s[i].size;
		h->sh_link = s[i].link;
		h->sh_info = s[i].info;
		h->sh_addralign = s[i].type == SHT_STRTAB ? 1 : 8;
		h->sh_entsize = s[i].entsize;
		memcpy(o->data + shstr_off + pos, s[i].name, strlen(s[i].name) + 1);
		pos += strlen(s[i].name) + 1;
		off += s[i].size;
	}
	memcpy(o->data + shstr_off + pos, ".shstrtab", sizeof(".shstrtab"));
	sh[n + 1].sh_name = pos;
	sh[n + 1].sh_type = SHT_STRTAB;
	sh[n + 1].sh_offset = shstr_off;
	sh[n + 1].sh_size = shstr_len;
	sh[n + 1].sh_addralign = 1;
}

static void put_sym(Elf64_Sym *s, __u32 name, int bind, int type, __u16 shndx, __u64 value,
		    __u64 size)
{
	s->st_name = name;
	s->st_info = ELF64_ST_INFO(bind, type);
	s->st_other = 0;
	s->st_shndx = shndx;
	s->st_value = value;
	s->st_size = size;
}

/* r0 = 0; exit */
static const unsigned char ret0[16] = { 0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0 };
static const char gpl[] = "GPL";

/* Section indices of the objects built below: 1 .strtab, 2 .symtab,
 * 3 the program's section, 4 license, then any extra sections.
 */
#define SEC_PROG 3

/*
 * A BTF-less object with one socket program, its code @insns (@insn_len
 * bytes), whose symbol has the name @prog_name (@name_len bytes; the name
 * need not be a C string). Then @nlocal local NOTYPE symbols all named
 * @local_name (may be NULL with @nlocal 0), and the sections @extra.
 */
static void build_prog_obj(struct __test_metadata *_metadata, const void *insns, size_t insn_len,
			   const char *prog_name, size_t name_len, const char *local_name,
			   size_t nlocal, const struct esec *extra, int nextra, struct obj_bytes *o)
{
	size_t local_len = local_name ? strlen(local_name) : 0;
	size_t strtab_len = 1 + name_len + 1 + (local_len ? local_len + 1 : 0);
	size_t nsyms = 1 + nlocal + 1, i;
	struct esec s[8];
	Elf64_Sym *syms;
	char *strtab;
	int n = 0;

	ASSERT_GE(4, nextra);
	strtab = calloc(1, strtab_len);
	syms = calloc(nsyms, sizeof(*syms));
	ASSERT_NE(NULL, strtab);
	ASSERT_NE(NULL, syms);
	memcpy(strtab + 1, prog_name, name_len);
	if (local_len)
		memcpy(strtab + 1 + name_len + 1, local_name, local_len);
	/* Locals first (sh_info is the first non-local), then the program. */
	for (i = 0; i < nlocal; i++)
		put_sym(&syms[1 + i], 1 + name_len + 1, STB_LOCAL, STT_NOTYPE, 0, 0, 0);
	put_sym(&syms[nsyms - 1], 1, STB_GLOBAL, STT_FUNC, SEC_PROG, 0, insn_len);

	s[n++] = (struct esec){ .name = ".strtab", .type = SHT_STRTAB, .data = strtab,
				.size = strtab_len };
	s[n++] = (struct esec){ .name = ".symtab", .type = SHT_SYMTAB, .data = syms,
				.size = nsyms * sizeof(*syms), .link = 1, .info = nsyms - 1,
				.entsize = sizeof(*syms) };
	s[n++] = (struct esec){ .name = "socket", .type = SHT_PROGBITS,
				.flags = SHF_ALLOC | SHF_EXECINSTR, .data = insns,
				.size = insn_len };
	s[n++] = (struct esec){ .name = "license", .type = SHT_PROGBITS,
				.flags = SHF_ALLOC | SHF_WRITE, .data = gpl, .size = sizeof(gpl) };
	for (i = 0; i < (size_t)nextra; i++)
		s[n++] = extra[i];
	elf_build(_metadata, s, n, o);
	free(strtab);
	free(syms);
}

/* ---- rewriting clang-built objects ---- */

static Elf64_Shdr *shdr(const struct obj_bytes *o, unsigned int i)
{
	return (Elf64_Shdr *)(o->data + ((Elf64_Ehdr *)o->data)->e_shoff) + i;
}

/*
 * A copy of @in whose section @name holds @len bytes of @data: they are
 * appended with a new section header table after them (the old contents
 * and table stay, unreferenced).
 */
static void obj_replace_section(struct __test_metadata *_metadata, const struct obj_bytes *in,
				const char *name, const void *data, size_t len, struct obj_bytes *out)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)in->data;
	size_t tbl = (size_t)eh->e_shnum * sizeof(Elf64_Shdr);
	size_t data_off = align8(in->len), shoff = align8(data_off + len);
	const unsigned char *old;
	size_t old_len;
	unsigned int i;
	Elf64_Shdr *sh;
	bool found = false;

	ASSERT_EQ(0, elf_find_section(in->data, in->len, name, &old, &old_len))
		TH_LOG("no section '%s'", name);
	out->len = shoff + tbl;
	out->data = calloc(1, out->len);
	ASSERT_NE(NULL, out->data);
	memcpy(out->data, in->data, in->len);
	memcpy(out->data + data_off, data, len);
	memcpy(out->data + shoff, in->data + eh->e_shoff, tbl);
	((Elf64_Ehdr *)out->data)->e_shoff = shoff;
	for (i = 0; i < eh->e_shnum; i++) {
		sh = shdr(out, i);
		if (sh->sh_offset == (size_t)(old - in->data) && sh->sh_size == old_len &&
		    sh->sh_type == SHT_PROGBITS && !found) {
			sh->sh_offset = data_off;
			sh->sh_size = len;
			found = true;
		}
	}
	ASSERT_TRUE(found);
}

/* struct btf_ext_header (libbpf's btf.h): the fields the tests rewrite. */
struct ext_hdr {
	__u16 magic;
	__u8 version;
	__u8 flags;
	__u32 hdr_len;
	__u32 func_info_off, func_info_len;
	__u32 line_info_off, line_info_len;
	__u32 core_relo_off, core_relo_len;
};

static void ext_hdr_read(struct __test_metadata *_metadata, const unsigned char *ext,
			 size_t len, struct ext_hdr *h)
{
	memset(h, 0, sizeof(*h));
	ASSERT_LE(24u, len);
	memcpy(h, ext, 24);
	ASSERT_EQ(0xeB9F, h->magic);
	ASSERT_LE(24u, h->hdr_len);
	ASSERT_LE(h->hdr_len, len);
	if (h->hdr_len >= sizeof(*h))
		memcpy(h, ext, sizeof(*h));
	ASSERT_LE((size_t)h->hdr_len + h->func_info_off + h->func_info_len, len);
	ASSERT_LE((size_t)h->hdr_len + h->line_info_off + h->line_info_len, len);
	ASSERT_LE((size_t)h->hdr_len + h->core_relo_off + h->core_relo_len, len);
}

/* The string at @off in the .BTF of @o. */
static const char *btf_str(struct __test_metadata *_metadata, const struct obj_bytes *o, __u32 off)
{
	const unsigned char *btf;
	__u32 hdr_len, str_off, str_len;
	size_t len;

	ASSERT_EQ(0, elf_find_section(o->data, o->len, ".BTF", &btf, &len));
	memcpy(&hdr_len, btf + 4, 4);
	memcpy(&str_off, btf + 16, 4);
	memcpy(&str_len, btf + 20, 4);
	ASSERT_LT(off, str_len);
	ASSERT_LE((size_t)hdr_len + str_off + str_len, len);
	return (const char *)btf + hdr_len + str_off + off;
}

/* ---- children ---- */

struct shared {
	struct call c;
	int cg_err;		/* moving into the cgroup failed: -errno */
};

/*
 * Runs BPF_LOAD_FD on @obj_fd in a child, inside the cgroup directory @cg
 * if not NULL, and waits at most @bound_s seconds for it; the child closes
 * the loader fd and exits. The result lands in @out. Returns false if the
 * child did not finish (then it has been SIGKILLed), with *@status its wait
 * status if it was reaped, else -1.
 */
static bool load_in_child(struct __test_metadata *_metadata, int obj_fd, const char *cg,
			  int bound_s, struct call *out, int *status)
{
	struct shared *sh;
	long long end;
	char path[PATH_MAX];
	pid_t pid, r = 0;
	int st = -1;

	/* Shared with the child; touched here so its pages are charged to
	 * this process's cgroup, not to the child's.
	 */
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	memset(sh, 0, sizeof(*sh));
	sh->c.ret = -EINPROGRESS;
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (cg) {
			snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
			sh->cg_err = write_str(path, "0");
			if (sh->cg_err)
				_exit(1);
		}
		load_fd(&sh->c, obj_fd);
		if (sh->c.ret >= 0)
			close(sh->c.ret);
		_exit(0);
	}
	end = now_ms() + bound_s * 1000LL;
	while ((r = waitpid(pid, &st, WNOHANG)) == 0 && now_ms() < end)
		sleep_ms(20);
	if (r == 0) {
		kill(pid, SIGKILL);
		end = now_ms() + KILL_BOUND_MS;
		while ((r = waitpid(pid, &st, WNOHANG)) == 0 && now_ms() < end)
			sleep_ms(20);
	}
	*status = r == pid ? st : -1;
	*out = sh->c;
	ASSERT_EQ(0, sh->cg_err) TH_LOG("moving into %s: %s", cg, strerror(-sh->cg_err));
	munmap(sh, sizeof(*sh));
	return r == pid && WIFEXITED(st);
}

/* load_in_child() that must finish; describes how it did not. */
static void load_in_child_ok(struct __test_metadata *_metadata, const char *what, int obj_fd,
			     const char *cg, struct call *out)
{
	int st;
	bool done = load_in_child(_metadata, obj_fd, cg, CHILD_BOUND_S, out, &st);

	ASSERT_TRUE(done)
		TH_LOG("[%s] BPF_LOAD_FD %s", what,
		       st == -1 ? "did not return within the bound, nor after SIGKILL" :
		       WIFSIGNALED(st) && out->ret == -EINPROGRESS ?
		       "never returned: killed in it (memcg OOM killer, or the bound)" :
		       "child died");
}

/* ---- cgroup v2 ---- */

/*
 * A new cgroup under CG_ROOT with the memory controller and memory.max
 * @max; its path goes to @path. cgroup2 is mounted on CG_ROOT if nothing is.
 */
static void cg_create(struct __test_metadata *_metadata, const char *name, const char *max,
		      char *path, size_t size)
{
	char file[PATH_MAX + 32];
	struct statfs sfs;
	int err;

	if (statfs(CG_ROOT, &sfs) || sfs.f_type != CGROUP2_SUPER_MAGIC) {
		mkdir(CG_ROOT, 0755);
		ASSERT_EQ(0, mount("cgroup2", CG_ROOT, "cgroup2", 0, NULL))
			TH_LOG("mount cgroup2 on %s: %s", CG_ROOT, strerror(errno));
	}
	err = write_str(CG_ROOT "/cgroup.subtree_control", "+memory");
	ASSERT_EQ(0, err) TH_LOG("enabling the memory controller: %s", strerror(-err));
	snprintf(path, size, "%s/loadfd_hostile_%d_%s", CG_ROOT, getpid(), name);
	ASSERT_EQ(0, mkdir(path, 0755)) TH_LOG("mkdir %s: %s", path, strerror(errno));
	snprintf(file, sizeof(file), "%s/memory.max", path);
	err = write_str(file, max);
	ASSERT_EQ(0, err) TH_LOG("%s = %s: %s", file, max, strerror(-err));
	snprintf(file, sizeof(file), "%s/memory.swap.max", path);
	write_str(file, "0");
}

/* Removes the (empty) cgroup; its dying memcg may linger a moment. */
static void cg_remove(const char *path)
{
	int i;

	for (i = 0; i < 100 && rmdir(path) && errno == EBUSY; i++)
		sleep_ms(50);
}

/* Counts the events of @key (e.g. "oom_kill") in the cgroup's memory.events. */
static long cg_event(const char *cg, const char *key)
{
	char path[PATH_MAX + 32], line[128], k[64];
	long v, n = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/memory.events", cg);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %ld", k, &v) == 2 && !strcmp(k, key))
			n = v;
	fclose(f);
	return n;
}

/*
 * load_in_child_ok() inside a new memory cgroup limited to @max, removed
 * again before anything is asserted; returns its oom_kill event count.
 */
static long load_in_memcg(struct __test_metadata *_metadata, const char *what, int obj_fd,
			  const char *max, struct call *out)
{
	char cg[PATH_MAX];
	bool done;
	long ooms;
	int st;

	cg_create(_metadata, what, max, cg, sizeof(cg));
	done = load_in_child(_metadata, obj_fd, cg, CHILD_BOUND_S, out, &st);
	ooms = cg_event(cg, "oom_kill");
	cg_remove(cg);
	ASSERT_TRUE(done)
		TH_LOG("[%s] BPF_LOAD_FD %s; memcg oom_kill events: %ld", what,
		       st == -1 ? "did not return within the bound, nor after SIGKILL" :
		       "never returned: killed in it (memcg OOM killer, or the bound)", ooms);
	return ooms;
}

/* ---- the tests ---- */

FIXTURE(hostile) {
	int kmsg;
	struct obj_bytes o;
	int fd;
};

FIXTURE_SETUP(hostile)
{
	self->kmsg = kmsg_open(_metadata);
	self->fd = -1;
}

FIXTURE_TEARDOWN(hostile)
{
	if (self->fd >= 0)
		close(self->fd);
	obj_bytes_free(&self->o);
}

/* The loader still works: a small real object loads. */
static void control_ok(struct __test_metadata *_metadata)
{
	static struct call c;
	struct obj_bytes o;
	int fd;

	obj_bytes_read(_metadata, "loadfd_minimal", &o);
	fd = obj_memfd(_metadata, "control", &o);
	load_fd(&c, fd);
	close(fd);
	obj_bytes_free(&o);
	ASSERT_LE(0, c.ret) TH_LOG("control load: %s; log: '%s'", strerror(-c.ret), c.log);
	close(c.ret);
}

/*
 * C1: a 16 MiB object whose symbols carry a name of about 16 MiB. The loader
 * caps names at KSYM_NAME_LEN instead of scanning them (once per use).
 */
TEST_F_TIMEOUT(hostile, c1_longname_16mib, 300)
{
	static struct call c;
	size_t len = MAX_OBJ - 4096;
	char *name = malloc(len + 1);

	ASSERT_NE(NULL, name);
	memset(name, 'A', len);
	name[len] = 0;
	/* Few symbols: a loader that scans the name per use still finishes. */
	build_prog_obj(_metadata, ret0, sizeof(ret0), "prog", 4, name, 8, NULL, 0, &self->o);
	free(name);
	ASSERT_GE(MAX_OBJ, self->o.len);
	self->fd = obj_memfd(_metadata, "c1_longname", &self->o);
	load_in_child_ok(_metadata, "longname", self->fd, NULL, &c);
	expect_reject(_metadata, "c1_longname", &c, E2BIG, "name");
	kmsg_check(_metadata, self->kmsg, "c1_longname");
	control_ok(_metadata);
}

/* ---- C1: SIGKILL during BPF_LOAD_FD ---- */

FIXTURE(sigkill) {
	int kmsg;
	struct obj_bytes o;
	int fd;
};

FIXTURE_VARIANT(sigkill) {
	const char *what;
	/* Builds the object; all are within the loader's caps and load. */
	void (*make)(struct __test_metadata *_metadata, struct obj_bytes *o);
};

/* Every kfunc extern costs a scan of vmlinux (and module) BTF. */
static void make_ksyms(struct __test_metadata *_metadata, struct obj_bytes *o)
{
	obj_bytes_read(_metadata, "loadfd_gen_ksyms", o);
}

/* Many programs, each in its own section with func_info and line_info. */
static void make_progs(struct __test_metadata *_metadata, struct obj_bytes *o)
{
	obj_bytes_read(_metadata, "loadfd_gen_progs", o);
}

/* 16 MiB of symbols, all with a name of the longest allowed length. */
static void make_longname_max(struct __test_metadata *_metadata, struct obj_bytes *o)
{
	char name[NAME_CAP];
	size_t nsyms = (MAX_OBJ - 8192) / sizeof(Elf64_Sym);

	memset(name, 'A', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	build_prog_obj(_metadata, ret0, sizeof(ret0), "prog", 4, name, nsyms, NULL, 0, o);
	ASSERT_GE(MAX_OBJ, o->len);
}

/* Programs in the funcs object (MAX_PROGRAMS is 4096). */
#define FUNCS_PROGS 4000

/*
 * 16 MiB of one-instruction functions: FUNCS_PROGS programs in "socket",
 * and as many static subprograms in .text as fit, none called. Linking a
 * program must cost what that program reaches, not what the object holds.
 */
static void make_funcs(struct __test_metadata *_metadata, struct obj_bytes *o)
{
	static const unsigned char exit_insn[8] = { 0x95 };
	size_t nfuncs = (MAX_OBJ - (64u << 10)) / (sizeof(Elf64_Sym) + 8);
	size_t nsub = nfuncs - FUNCS_PROGS, strtab_len, pos, i;
	unsigned char *insns;
	struct esec s[5];
	Elf64_Sym *syms;
	char *strtab;

	/* "\0f\0" then "p<i>\0" per program. */
	strtab_len = 3 + FUNCS_PROGS * 8;
	strtab = calloc(1, strtab_len);
	syms = calloc(1 + nfuncs, sizeof(*syms));
	insns = malloc(nfuncs * 8);
	ASSERT_NE(NULL, strtab);
	ASSERT_NE(NULL, syms);
	ASSERT_NE(NULL, insns);
	strtab[1] = 'f';
	pos = 3;
	for (i = 0; i < nfuncs; i++)
		memcpy(insns + i * 8, exit_insn, 8);
	/* Locals first: the subprograms, all named "f", in .text (section 5). */
	for (i = 0; i < nsub; i++)
		put_sym(&syms[1 + i], 1, STB_LOCAL, STT_FUNC, 5, i * 8, 8);
	for (i = 0; i < FUNCS_PROGS; i++) {
		put_sym(&syms[1 + nsub + i], pos, STB_GLOBAL, STT_FUNC, SEC_PROG, i * 8, 8);
		pos += sprintf(strtab + pos, "p%zu", i) + 1;
	}
	s[0] = (struct esec){ .name = ".strtab", .type = SHT_STRTAB, .data = strtab,
			      .size = pos };
	s[1] = (struct esec){ .name = ".symtab", .type = SHT_SYMTAB, .data = syms,
			      .size = (1 + nfuncs) * sizeof(*syms), .link = 1, .info = 1 + nsub,
			      .entsize = sizeof(*syms) };
	s[2] = (struct esec){ .name = "socket", .type = SHT_PROGBITS,
			      .flags = SHF_ALLOC | SHF_EXECINSTR, .data = insns,
			      .size = FUNCS_PROGS * 8 };
	s[3] = (struct esec){ .name = "license", .type = SHT_PROGBITS,
			      .flags = SHF_ALLOC | SHF_WRITE, .data = gpl, .size = sizeof(gpl) };
	s[4] = (struct esec){ .name = ".text", .type = SHT_PROGBITS,
			      .flags = SHF_ALLOC | SHF_EXECINSTR, .data = insns,
			      .size = nsub * 8 };
	elf_build(_metadata, s, 5, o);
	free(strtab);
	free(syms);
	free(insns);
	ASSERT_GE(MAX_OBJ, o->len);
}

FIXTURE_VARIANT_ADD(sigkill, ksyms) {
	.what = "sigkill_ksyms",
	.make = make_ksyms,
};

FIXTURE_VARIANT_ADD(sigkill, progs) {
	.what = "sigkill_progs",
	.make = make_progs,
};

FIXTURE_VARIANT_ADD(sigkill, funcs) {
	.what = "sigkill_funcs",
	.make = make_funcs,
};

FIXTURE_VARIANT_ADD(sigkill, longname_max) {
	.what = "sigkill_longname_max",
	.make = make_longname_max,
};

FIXTURE_SETUP(sigkill)
{
	variant->make(_metadata, &self->o);
	self->fd = obj_memfd(_metadata, variant->what, &self->o);
	self->kmsg = kmsg_open(_metadata);
}

FIXTURE_TEARDOWN(sigkill)
{
	if (self->fd >= 0)
		close(self->fd);
	obj_bytes_free(&self->o);
}

/*
 * C1: a child SIGKILLed KILL_AFTER_MS into BPF_LOAD_FD of a slow object is
 * gone within KILL_BOUND_MS, and the kernel logged no lockup; the object is
 * within the caps (an uninterrupted load of it succeeds).
 */
TEST_F_TIMEOUT(sigkill, killed_promptly, 600)
{
	static struct call c;
	long long t0, killed;
	int pfd[2], st = 0;
	pid_t pid, r;
	char x;

	ASSERT_EQ(0, pipe2(pfd, O_CLOEXEC));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		union bpf_attr attr;

		memset(&attr, 0, sizeof(attr));
		attr.load_fd.obj_fd = self->fd;
		if (write(pfd[1], "x", 1) != 1)
			_exit(2);
		sys_bpf(BPF_LOAD_FD, &attr);
		_exit(0);
	}
	close(pfd[1]);
	ASSERT_EQ(1, read(pfd[0], &x, 1));
	close(pfd[0]);
	t0 = now_ms();
	sleep_ms(KILL_AFTER_MS);
	r = waitpid(pid, &st, WNOHANG);
	if (r == pid) {
		/* Nothing left to interrupt: the kill bound holds trivially. */
		TH_LOG("BPF_LOAD_FD returned within %d ms; nothing to kill", KILL_AFTER_MS);
	} else {
		ASSERT_EQ(0, kill(pid, SIGKILL));
		killed = now_ms();
		while ((r = waitpid(pid, &st, WNOHANG)) == 0 && now_ms() - killed < KILL_BOUND_MS)
			sleep_ms(10);
		if (r != pid) {
			/* Waiting for it (bounded by the test's timeout) measures
			 * how long it held out, and keeps the next test from
			 * running beside it.
			 */
			TH_LOG("child still in BPF_LOAD_FD %d ms after SIGKILL", KILL_BOUND_MS);
			waitpid(pid, &st, 0);
			TH_LOG("it left BPF_LOAD_FD %lld ms after SIGKILL", now_ms() - killed);
		}
		ASSERT_EQ(pid, r)
			TH_LOG("child still in BPF_LOAD_FD %d ms after SIGKILL", KILL_BOUND_MS);
		TH_LOG("killed %lld ms into BPF_LOAD_FD, gone %lld ms later", killed - t0,
		       now_ms() - killed);
		ASSERT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
			TH_LOG("child status 0x%x", st);
	}
	kmsg_check(_metadata, self->kmsg, "sigkill");

	/* Within the caps: the whole load succeeds when left alone. */
	t0 = now_ms();
	load_in_child_ok(_metadata, "uninterrupted", self->fd, NULL, &c);
	ASSERT_LE(0, c.ret)
		TH_LOG("uninterrupted load: %s; log: '%s'", strerror(-c.ret), c.log);
	TH_LOG("uninterrupted BPF_LOAD_FD of %zu bytes: %lld ms", self->o.len, now_ms() - t0);
	self->kmsg = kmsg_open(_metadata);
	kmsg_check(_metadata, self->kmsg, "sigkill");
}

/* ---- H2: no WARN from any input ---- */

/* H2a: a 2 GiB + 1 .kconfig extern (the kernel's BTF verifier takes it). */
TEST_F(hostile, h2_kconfig_huge)
{
	static struct call c;

	obj_bytes_read(_metadata, "loadfd_kcfg_huge", &self->o);
	self->fd = obj_memfd(_metadata, "h2_kconfig_huge", &self->o);
	load_in_child_ok(_metadata, "kcfg_huge", self->fd, NULL, &c);
	expect_reject(_metadata, "h2_kconfig_huge", &c, E2BIG, "kconfig");
	kmsg_check(_metadata, self->kmsg, "h2_kconfig_huge");
	control_ok(_metadata);
}

/* H2b: a program whose name is 5,000,000 bytes. */
TEST_F(hostile, h2_long_prog_name)
{
	static struct call c;
	size_t len = 5000000;
	char *name = malloc(len);

	ASSERT_NE(NULL, name);
	memset(name, 'A', len);
	build_prog_obj(_metadata, ret0, sizeof(ret0), name, len, NULL, 0, NULL, 0, &self->o);
	free(name);
	self->fd = obj_memfd(_metadata, "h2_long_prog_name", &self->o);
	load_in_child_ok(_metadata, "long_prog_name", self->fd, NULL, &c);
	expect_reject(_metadata, "h2_long_prog_name", &c, E2BIG, "name");
	kmsg_check(_metadata, self->kmsg, "h2_long_prog_name");
	control_ok(_metadata);
}

#define MANY_LOADS 10000
#define KEEP_OPEN 3

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

/* Reads the prog_ids sysfs file @path: up to @max ids, sorted, into @ids. */
static int read_prog_ids(struct __test_metadata *_metadata, const char *path, __u32 *ids,
			 int max)
{
	static char buf[1 << 20];
	char *p, *end;
	ssize_t n;
	int fd, cnt = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("%s: %s", path, strerror(errno));
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	ASSERT_LE(0, n) TH_LOG("read %s: %s", path, strerror(errno));
	buf[n] = 0;
	for (p = buf; cnt < max; p = end) {
		unsigned long v = strtoul(p, &end, 10);

		if (end == p)
			break;
		ids[cnt++] = v;
	}
	qsort(ids, cnt, sizeof(*ids), cmp_u32);
	return cnt;
}

/*
 * Waits (a freed program's id is dropped once the program is gone, which
 * may be deferred) until the prog_ids file @path lists exactly @want (@n
 * ids, sorted); fails the test with what it lists otherwise.
 */
static void expect_prog_ids(struct __test_metadata *_metadata, const char *path,
			    const __u32 *want, int n)
{
	static __u32 got[MANY_LOADS + 16];
	long long end = now_ms() + 10000;
	int cnt, i;

	do {
		cnt = read_prog_ids(_metadata, path, got, ARRAY_SIZE(got));
		if (cnt == n && !memcmp(got, want, n * sizeof(*want)))
			return;
		sleep_ms(100);
	} while (now_ms() < end);
	for (i = 0; i < cnt && i < 5; i++)
		TH_LOG("prog_ids[%d] = %u", i, got[i]);
	ASSERT_EQ(n, cnt) TH_LOG("%s lists %d ids, want the %d live ones", path, cnt, n);
	ASSERT_TRUE(false) TH_LOG("%s lists other ids than the live ones", path);
}

/*
 * H2c, L1: 10,000 BPF_PROG_LOADs of one program from one loader object all
 * succeed, and prog_ids lists only the programs still alive.
 */
TEST_F_TIMEOUT(hostile, h2_l1_prog_ids_10k_loads, 600)
{
	static struct call c;
	__u32 keep_ids[KEEP_OPEN];
	int keep[KEEP_OPEN], i, fd;
	char path[PATH_MAX];

	obj_bytes_read(_metadata, "loadfd_minimal", &self->o);
	self->fd = obj_memfd(_metadata, "h2_l1_minimal", &self->o);
	load_fd(&c, self->fd);
	ASSERT_LE(0, c.ret) TH_LOG("BPF_LOAD_FD: %s; log: '%s'", strerror(-c.ret), c.log);
	snprintf(path, sizeof(path), SYSFS_DIR "/%d/programs/loadfd_minimal/prog_ids",
		 loader_id(_metadata, c.ret));
	for (i = 0; i < MANY_LOADS; i++) {
		fd = prog_load(c.ret, "loadfd_minimal", NULL);
		ASSERT_LE(0, fd) TH_LOG("load %d: %s", i, strerror(-fd));
		if (i >= MANY_LOADS - KEEP_OPEN)
			keep[i - (MANY_LOADS - KEEP_OPEN)] = fd;
		else
			close(fd);
	}
	for (i = 0; i < KEEP_OPEN; i++)
		keep_ids[i] = prog_id(_metadata, keep[i]);
	qsort(keep_ids, KEEP_OPEN, sizeof(*keep_ids), cmp_u32);
	expect_prog_ids(_metadata, path, keep_ids, KEEP_OPEN);
	for (i = 0; i < KEEP_OPEN; i++)
		close(keep[i]);
	expect_prog_ids(_metadata, path, keep_ids, 0);
	close(c.ret);
	kmsg_check(_metadata, self->kmsg, "h2_l1_prog_ids");
}

/* ---- H3: func_info/line_info amplification ---- */

/* How many copies of one line_info record the amplified object carries. */
#define AMP_COPIES 300000

/*
 * H3: 200 programs calling one static subprogram whose first line_info
 * record is repeated AMP_COPIES times (all at the same insn_off): each
 * program would get its own copy, about 1 GB in all. Refused up front
 * (records not strictly increasing, or over the budget). Run in a 512 MiB
 * memory cgroup so a kernel that tries does not take the VM down.
 */
TEST_F_TIMEOUT(hostile, h3_amplified_line_info, 300)
{
	static struct call c;
	const unsigned char *ext, *li, *p;
	size_t ext_len, li_new_len, pos;
	unsigned char *nli, *next;
	__u32 rec, blk_name, blk_num, out_len;
	struct ext_hdr h, nh;
	struct obj_bytes amp;
	bool found = false;

	obj_bytes_read(_metadata, "loadfd_gen_amp", &amp);
	ASSERT_EQ(0, elf_find_section(amp.data, amp.len, ".BTF.ext", &ext, &ext_len));
	ext_hdr_read(_metadata, ext, ext_len, &h);
	ASSERT_NE(0u, h.line_info_len);
	li = ext + h.hdr_len + h.line_info_off;
	memcpy(&rec, li, 4);
	ASSERT_LE(16u, rec);
	li_new_len = h.line_info_len + (size_t)AMP_COPIES * rec;
	nli = malloc(li_new_len);
	ASSERT_NE(NULL, nli);
	memcpy(nli, li, 4);
	pos = 4;
	/* Copy the blocks, the .text one (the subprogram) amplified. */
	for (p = li + 4; p < li + h.line_info_len; p += 8 + (size_t)blk_num * rec) {
		memcpy(&blk_name, p, 4);
		memcpy(&blk_num, p + 4, 4);
		if (!found && blk_num && !strcmp(btf_str(_metadata, &amp, blk_name), ".text")) {
			__u32 n = AMP_COPIES;
			int i;

			memcpy(nli + pos, p, 4);
			memcpy(nli + pos + 4, &n, 4);
			pos += 8;
			for (i = 0; i < AMP_COPIES; i++, pos += rec)
				memcpy(nli + pos, p + 8, rec);
			found = true;
		} else {
			memcpy(nli + pos, p, 8 + (size_t)blk_num * rec);
			pos += 8 + (size_t)blk_num * rec;
		}
	}
	ASSERT_TRUE(found) TH_LOG("no line_info for .text");
	li_new_len = pos;

	/* New .BTF.ext: header, func_info as is, the new line_info, CO-RE. */
	nh = h;
	nh.func_info_off = 0;
	nh.line_info_off = h.func_info_len;
	nh.line_info_len = li_new_len;
	nh.core_relo_off = h.core_relo_len ? nh.line_info_off + li_new_len : 0;
	out_len = h.hdr_len + h.func_info_len + li_new_len + h.core_relo_len;
	next = calloc(1, out_len);
	ASSERT_NE(NULL, next);
	memcpy(next, ext, h.hdr_len);
	memcpy(next, &nh, h.hdr_len < sizeof(nh) ? h.hdr_len : sizeof(nh));
	memcpy(next + h.hdr_len, ext + h.hdr_len + h.func_info_off, h.func_info_len);
	memcpy(next + h.hdr_len + nh.line_info_off, nli, li_new_len);
	if (h.core_relo_len)
		memcpy(next + h.hdr_len + nh.core_relo_off,
		       ext + h.hdr_len + h.core_relo_off, h.core_relo_len);
	obj_replace_section(_metadata, &amp, ".BTF.ext", next, out_len, &self->o);
	free(nli);
	free(next);
	obj_bytes_free(&amp);

	self->fd = obj_memfd(_metadata, "h3_amp", &self->o);
	load_in_memcg(_metadata, "h3_amp", self->fd, "512M", &c);
	if (c.ret == -E2BIG)
		expect_reject(_metadata, "h3_amp", &c, E2BIG, NULL);
	else
		expect_reject(_metadata, "h3_amp", &c, EINVAL, "increasing");
	kmsg_check(_metadata, self->kmsg, "h3_amp");
	control_ok(_metadata);
}

/* ---- M1: CO-RE records without func_info ---- */

/*
 * M1: a program with a CO-RE relocation whose .BTF.ext keeps only the
 * CO-RE records: 6.12's BPF_PROG_LOAD would ignore them (it reads CO-RE
 * records only with func_info), so the program would run with the
 * compile-time offsets. BPF_LOAD_FD, or the by-name BPF_PROG_LOAD, must
 * refuse it with a reason. The unmodified object loads and runs through
 * both (the control).
 */
#define M1_PKT_LEN 64

TEST_F(hostile, m1_core_relos_without_func_info)
{
	static struct call c, pc;
	const unsigned char *ext;
	unsigned char *next;
	struct ext_hdr h, nh;
	size_t ext_len, out_len;
	struct obj_bytes core;
	int fd, ofd;

	obj_bytes_read(_metadata, "loadfd_hostile_core", &core);
	ASSERT_EQ(0, elf_find_section(core.data, core.len, ".BTF.ext", &ext, &ext_len));
	ext_hdr_read(_metadata, ext, ext_len, &h);
	ASSERT_LE(sizeof(h), h.hdr_len);
	ASSERT_NE(0u, h.core_relo_len) TH_LOG("the object has no CO-RE records");
	ASSERT_NE(0u, h.func_info_len);

	/* Control: as compiled, it loads, and the program reads skb->len. */
	ofd = obj_memfd(_metadata, "m1_control", &core);
	load_fd(&c, ofd);
	close(ofd);
	ASSERT_LE(0, c.ret) TH_LOG("control: %s; log: '%s'", strerror(-c.ret), c.log);
	fd = prog_load(c.ret, "prog", &pc);
	ASSERT_LE(0, fd) TH_LOG("control prog: %s; log: '%s'", strerror(-fd), pc.log);
	/* The socket filter sees the packet without its Ethernet header. */
	ASSERT_EQ(M1_PKT_LEN - 14, test_run_skb(fd, M1_PKT_LEN));
	close(fd);
	close(c.ret);

	nh = h;
	nh.func_info_off = 0;
	nh.func_info_len = 0;
	nh.line_info_off = 0;
	nh.line_info_len = 0;
	nh.core_relo_off = 0;
	out_len = h.hdr_len + h.core_relo_len;
	next = calloc(1, out_len);
	ASSERT_NE(NULL, next);
	memcpy(next, ext, h.hdr_len);
	memcpy(next, &nh, sizeof(nh));
	memcpy(next + h.hdr_len, ext + h.hdr_len + h.core_relo_off, h.core_relo_len);
	obj_replace_section(_metadata, &core, ".BTF.ext", next, out_len, &self->o);
	free(next);
	obj_bytes_free(&core);

	self->fd = obj_memfd(_metadata, "m1_core_no_func_info", &self->o);
	load_fd(&c, self->fd);
	if (c.ret < 0) {
		expect_reject(_metadata, "m1_core_no_func_info", &c, EINVAL, NULL);
	} else {
		fd = prog_load(c.ret, "prog", &pc);
		close(c.ret);
		if (fd >= 0) {
			/* Show the harm: skb->len read from the compile-time offset. */
			TH_LOG("loaded without CO-RE: returns %lld for a %d-byte packet",
			       test_run_skb(fd, M1_PKT_LEN), M1_PKT_LEN);
			close(fd);
		}
		ASSERT_EQ(-EINVAL, fd)
			TH_LOG("CO-RE records without func_info accepted (%s); log: '%s'",
			       fd >= 0 ? "loaded" : strerror(-fd), pc.log);
		ASSERT_NE(0, pc.log[0]) TH_LOG("BPF_PROG_LOAD refused without a reason");
		TH_LOG("BPF_PROG_LOAD: EINVAL: %s", pc.log);
	}
	kmsg_check(_metadata, self->kmsg, "m1");
}

/* ---- L2: names that cannot be sysfs (or map) names ---- */

static const unsigned char data8[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

/* L2: two sections called .data.x would be two maps of one name. */
TEST_F(hostile, l2_duplicate_data_sections)
{
	static struct call c;
	struct esec extra[2] = {
		{ .name = ".data.x", .type = SHT_PROGBITS, .flags = SHF_ALLOC | SHF_WRITE,
		  .data = data8, .size = sizeof(data8) },
		{ .name = ".data.x", .type = SHT_PROGBITS, .flags = SHF_ALLOC | SHF_WRITE,
		  .data = data8, .size = sizeof(data8) },
	};

	build_prog_obj(_metadata, ret0, sizeof(ret0), "prog", 4, NULL, 0, extra, 2, &self->o);
	self->fd = obj_memfd(_metadata, "l2_dup_data", &self->o);
	load_fd(&c, self->fd);
	if (c.ret >= 0)
		close(c.ret);
	expect_reject(_metadata, "l2_dup_data", &c, EINVAL, "duplicate");
	kmsg_check(_metadata, self->kmsg, "l2_dup_data");
	control_ok(_metadata);
}

/*
 * L2: a data map (section .data.<x>) and a program whose names are paths
 * with a newline in them: neither can name a sysfs directory.
 */
TEST_F(hostile, l2_odd_names)
{
	static struct call c;
	static const char odd[] = "x/../y\nz";
	struct esec extra[1] = {
		{ .name = ".data.x/../y\nz", .type = SHT_PROGBITS,
		  .flags = SHF_ALLOC | SHF_WRITE, .data = data8, .size = sizeof(data8) },
	};

	build_prog_obj(_metadata, ret0, sizeof(ret0), "prog", 4, NULL, 0, extra, 1, &self->o);
	self->fd = obj_memfd(_metadata, "l2_odd_map_name", &self->o);
	load_fd(&c, self->fd);
	if (c.ret >= 0)
		close(c.ret);
	expect_reject(_metadata, "l2_odd_map_name", &c, EINVAL, NULL);
	close(self->fd);
	obj_bytes_free(&self->o);

	build_prog_obj(_metadata, ret0, sizeof(ret0), odd, strlen(odd), NULL, 0, NULL, 0,
		       &self->o);
	self->fd = obj_memfd(_metadata, "l2_odd_prog_name", &self->o);
	load_fd(&c, self->fd);
	if (c.ret >= 0)
		close(c.ret);
	expect_reject(_metadata, "l2_odd_prog_name", &c, EINVAL, NULL);
	kmsg_check(_metadata, self->kmsg, "l2_odd_names");
	control_ok(_metadata);
}

/* ---- M3: memory charged to the caller ---- */

/* Instructions of the M3 program: under the verifier's 1M, about 8 MB. */
#define M3_INSNS 999999

/*
 * M3: in a memory cgroup limited to 16 MiB, BPF_LOAD_FD of an object that
 * needs more than that (one 8 MB program: the loader reads, links and keeps
 * it) fails with ENOMEM, without the OOM killer; the VM is fine afterwards.
 * The object's memfd is written here, outside the cgroup.
 */
TEST_F_TIMEOUT(hostile, m3_memcg_16m, 300)
{
	static struct call c;
	size_t len = (size_t)M3_INSNS * 8, i;
	unsigned char *insns = malloc(len);
	long ooms;

	ASSERT_NE(NULL, insns);
	for (i = 0; i + 8 < len; i += 8)
		memcpy(insns + i, ret0, 8);
	memcpy(insns + len - 8, ret0 + 8, 8);
	build_prog_obj(_metadata, insns, len, "prog", 4, NULL, 0, NULL, 0, &self->o);
	free(insns);
	self->fd = obj_memfd(_metadata, "m3_big_prog", &self->o);

	/* Control: it does load without the limit (it is within the caps). */
	load_in_child_ok(_metadata, "m3_unlimited", self->fd, NULL, &c);
	ASSERT_LE(0, c.ret) TH_LOG("without memcg: %s; log: '%s'", strerror(-c.ret), c.log);

	ooms = load_in_memcg(_metadata, "m3_memcg", self->fd, "16M", &c);
	ASSERT_EQ(0, ooms) TH_LOG("the memcg OOM killer ran %ld times", ooms);
	expect_reject(_metadata, "m3_memcg", &c, ENOMEM, NULL);
	kmsg_check(_metadata, self->kmsg, "m3_memcg");
	control_ok(_metadata);
}

TEST_HARNESS_MAIN
