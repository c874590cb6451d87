// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_LOAD_FD: a hostile caller (the findings of the security review of the
 * series; each subtest names its finding).
 *
 * Whatever a CAP_BPF caller hands BPF_LOAD_FD or BPF_PROG_LOAD-by-name, the
 * kernel must answer in bounded time, stop promptly on SIGKILL, allocate
 * within documented caps and charge it to the caller, and log no warning.
 * Each subtest builds or mutates one hostile object and checks the errno and
 * the one-line reason in the loader log, and that the kernel log gained no
 * WARNING, BUG, soft lockup, hung task, stall or stack dump meanwhile.
 * Nothing here asserts on time except one liveness bound: a child SIGKILLed
 * inside BPF_LOAD_FD must be gone within KILL_BOUND_MS.
 *
 * Loads that could run for minutes (or allocate without bound) on a kernel
 * without the fixes run in a child that is SIGKILLed after a generous bound,
 * so a broken kernel fails the subtest instead of hanging test_progs.
 *
 * Subtests and findings:
 *   c1_longname_16mib                C1  name cap (E2BIG)
 *   sigkill_*                        C1  SIGKILL within KILL_BOUND_MS, within caps
 *   h2_kconfig_huge                  H2a .kconfig size cap (E2BIG)
 *   h2_long_prog_name                H2b name cap on a 5 MB program name (E2BIG)
 *   h2_l1_prog_ids_10k_loads         H2c, L1  prog_ids lists live programs only
 *   h3_amplified_line_info           H3  equal insn_off records refused
 *   m1_core_relos_without_func_info  M1  CO-RE records never silently dropped
 *   l2_duplicate_data_sections       L2  duplicate map names (EINVAL)
 *   l2_odd_names                     L2  map/program names sysfs cannot hold
 *   m3_memcg_16m                     M3  charged to the caller's memcg (ENOMEM)
 *
 * Objects: clang-built ones from progs/loadfd_*.c and from the sources
 * loadfd/gen/hostile_c.py writes (dev/test-progs.sh generates them into
 * progs/ as loadfd_hostile_gen_<kind>.c, kept out of skeletons); the large
 * ones are built here, in memory, into memfds. With LOADFD_HOSTILE_DUMP=/dir
 * the objects go to /dir/<what>.bpf.o too.
 *
 * Needs root (cgroup v2 and /dev/kmsg); mounts cgroup2 on /sys/fs/cgroup
 * if nothing is mounted there.
 */
#include <test_progs.h>
#include <elf.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <linux/magic.h>
#include "loadfd_helpers.h"

#define CG_ROOT "/sys/fs/cgroup"

/* BPF_LOAD_FD reads at most this much (LOADFD_MAX_OBJ_SIZE). */
#define MAX_OBJ (16u << 20)
/* KSYM_NAME_LEN: the longest symbol or section name is one byte less. */
#define NAME_CAP 512

/* The liveness bound of the SIGKILL subtests, and how long before the kill
 * the child is given to get deep into BPF_LOAD_FD.
 */
#define KILL_AFTER_MS 100
#define KILL_BOUND_MS 5000
/* How long a load run in a child may take before the subtest gives up on
 * it (a broken kernel, not a slow one: the loads here take well under this).
 */
#define CHILD_BOUND_S 120

/* ---- small helpers ---- */

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

/* BPF_PROG_LOAD of @name from the loader object @loader_fd; with @c's log
 * as the log buffer when @c is not NULL. Returns the prog fd or -errno.
 */
static int prog_load(int loader_fd, const char *name, struct loadfd_call *c)
{
	union bpf_attr attr;
	int ret;

	memset(&attr, 0, sizeof(attr));
	attr.loader_fd = loader_fd;
	attr.loader_prog_name = ptr_to_u64(name);
	if (c) {
		memset(c->log, 0, sizeof(c->log));
		attr.log_level = LOADFD_LOG_LEVEL1;
		attr.log_buf = ptr_to_u64(c->log);
		attr.log_size = sizeof(c->log);
	}
	ret = syscall(__NR_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	ret = ret < 0 ? -errno : ret;
	if (c)
		c->ret = ret;
	return ret;
}

/* BPF_PROG_TEST_RUN of a socket filter on a @len-byte packet: its return
 * value, or -errno.
 */
static long long test_run_skb(int prog_fd, __u32 len)
{
	unsigned char pkt[256] = {};
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = pkt, .data_size_in = len, .repeat = 1);
	int err;

	if (len > sizeof(pkt))
		return -EINVAL;
	err = bpf_prog_test_run_opts(prog_fd, &topts);
	if (err)
		return err;
	return topts.retval;
}

/*
 * BPF_LOAD_FD failed with @err and logged one line containing @needle (may
 * be NULL).
 */
static void expect_reject(const char *what, const struct loadfd_call *c, int err,
			  const char *needle)
{
	if (!ASSERT_EQ(c->ret, -err, what))
		printf("[%s] expected %s, got %s; log: '%s'\n", what, strerror(err),
		       c->ret >= 0 ? "a loader fd" : strerror(-c->ret), c->log);
	if (ASSERT_EQ(loadfd_count_lines(c->log), 1, "one log line"))
		ASSERT_EQ(c->log[strlen(c->log) - 1], '\n', "log ends in a newline");
	else
		printf("[%s] not one log line: '%s'\n", what, c->log);
	if (needle)
		ASSERT_HAS_SUBSTR(c->log, needle, "log names the cause");
	printf("[%s] %s: %s", what, strerror(err), c->log);
}

/* ---- the kernel log ---- */

/* What a hostile object must never make the kernel print. */
static const char *const kmsg_bad[] = {
	"WARNING:", "BUG:", "Oops", "Call Trace", "soft lockup", "hung task",
	"blocked for more than", "detected stall", "oom-kill",
	"cannot create duplicate filename",
};

/* /dev/kmsg opened at its end: kmsg_check() sees what was logged since. */
static int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (!ASSERT_OK_FD(fd, "/dev/kmsg"))
		return -1;
	if (!ASSERT_GE(lseek(fd, 0, SEEK_END), 0, "seek /dev/kmsg")) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Fails the subtest if the kernel logged anything in kmsg_bad since @fd
 * was opened (or it could not be read); shows the offending lines. Closes
 * @fd.
 */
static void kmsg_check(int fd, const char *what)
{
	char rec[8192];
	int bad = 0;
	ssize_t n;
	size_t i;

	if (!ASSERT_GE(fd, 0, "kernel log open"))
		return;
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
					printf("[%s] kernel log: %.*s\n", what,
					       (int)strcspn(msg, "\n"), msg);
				break;
			}
		}
	}
	close(fd);
	ASSERT_EQ(bad, 0, "bad kernel log lines");
}

/* ---- objects ---- */

static void dump(const char *what, const struct loadfd_bytes *o)
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
 * regular file), or -1. Its pages are charged to the caller's memory cgroup.
 */
static int obj_memfd(const char *what, const struct loadfd_bytes *o)
{
	size_t done = 0;
	ssize_t n;
	int fd;

	dump(what, o);
	fd = memfd_create("loadfd_hostile", MFD_CLOEXEC);
	if (!ASSERT_OK_FD(fd, "memfd_create"))
		return -1;
	while (done < o->len) {
		n = pwrite(fd, o->data + done, o->len - done, done);
		if (!ASSERT_GT(n, 0, "memfd write")) {
			close(fd);
			return -1;
		}
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
 * and a .shstrtab after them. 0 or -1.
 */
static int elf_build(const struct esec *s, int n, struct loadfd_bytes *o)
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
	if (!ASSERT_OK_PTR(o->data, "calloc object"))
		return -1;

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
	return 0;
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
 * 0 or -1.
 */
static int build_prog_obj(const void *insns, size_t insn_len, const char *prog_name,
			  size_t name_len, const char *local_name, size_t nlocal,
			  const struct esec *extra, int nextra, struct loadfd_bytes *o)
{
	size_t local_len = local_name ? strlen(local_name) : 0;
	size_t strtab_len = 1 + name_len + 1 + (local_len ? local_len + 1 : 0);
	size_t nsyms = 1 + nlocal + 1, i;
	struct esec s[8];
	Elf64_Sym *syms;
	char *strtab;
	int n = 0, err;

	if (!ASSERT_LE(nextra, 4, "extra sections"))
		return -1;
	strtab = calloc(1, strtab_len);
	syms = calloc(nsyms, sizeof(*syms));
	if (!ASSERT_OK_PTR(strtab, "calloc strtab") || !ASSERT_OK_PTR(syms, "calloc syms")) {
		free(strtab);
		free(syms);
		return -1;
	}
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
	err = elf_build(s, n, o);
	free(strtab);
	free(syms);
	return err;
}

/* ---- rewriting clang-built objects (trusted: built by clang here) ---- */

static Elf64_Shdr *shdr(const struct loadfd_bytes *o, unsigned int i)
{
	return (Elf64_Shdr *)(o->data + ((Elf64_Ehdr *)o->data)->e_shoff) + i;
}

/* The contents of section @name of @o, or -ENOENT. */
static int find_section(const struct loadfd_bytes *o, const char *name,
			const unsigned char **data, size_t *len)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)o->data;
	const Elf64_Shdr *strsh;
	unsigned int i;

	if (o->len < sizeof(*eh) ||
	    eh->e_shoff + (size_t)eh->e_shnum * sizeof(Elf64_Shdr) > o->len ||
	    eh->e_shstrndx >= eh->e_shnum)
		return -EINVAL;
	strsh = shdr(o, eh->e_shstrndx);
	for (i = 1; i < eh->e_shnum; i++) {
		const Elf64_Shdr *sh = shdr(o, i);

		if (strcmp((const char *)o->data + strsh->sh_offset + sh->sh_name, name))
			continue;
		if (sh->sh_type == SHT_NOBITS || sh->sh_offset + sh->sh_size > o->len)
			return -EINVAL;
		*data = o->data + sh->sh_offset;
		*len = sh->sh_size;
		return 0;
	}
	return -ENOENT;
}

/*
 * A copy of @in whose section @name holds @len bytes of @data: they are
 * appended with a new section header table after them (the old contents
 * and table stay, unreferenced). 0 or -1.
 */
static int obj_replace_section(const struct loadfd_bytes *in, const char *name, const void *data,
			       size_t len, struct loadfd_bytes *out)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)in->data;
	size_t tbl = (size_t)eh->e_shnum * sizeof(Elf64_Shdr);
	size_t data_off = align8(in->len), shoff = align8(data_off + len);
	const unsigned char *old;
	size_t old_len;
	unsigned int i;
	Elf64_Shdr *sh;
	bool found = false;

	if (!ASSERT_OK(find_section(in, name, &old, &old_len), name))
		return -1;
	out->len = shoff + tbl;
	out->data = calloc(1, out->len);
	if (!ASSERT_OK_PTR(out->data, "calloc object"))
		return -1;
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
	return ASSERT_TRUE(found, "section replaced") ? 0 : -1;
}

/* struct btf_ext_header (libbpf's btf.h): the fields the subtests rewrite. */
struct ext_hdr {
	__u16 magic;
	__u8 version;
	__u8 flags;
	__u32 hdr_len;
	__u32 func_info_off, func_info_len;
	__u32 line_info_off, line_info_len;
	__u32 core_relo_off, core_relo_len;
};

static bool ext_hdr_read(const unsigned char *ext, size_t len, struct ext_hdr *h)
{
	memset(h, 0, sizeof(*h));
	if (!ASSERT_GE(len, 24, ".BTF.ext size"))
		return false;
	memcpy(h, ext, 24);
	if (!ASSERT_EQ(h->magic, 0xeB9F, ".BTF.ext magic") ||
	    !ASSERT_GE(h->hdr_len, 24, ".BTF.ext hdr_len") ||
	    !ASSERT_LE(h->hdr_len, len, ".BTF.ext hdr_len in the section"))
		return false;
	if (h->hdr_len >= sizeof(*h))
		memcpy(h, ext, sizeof(*h));
	return ASSERT_LE((size_t)h->hdr_len + h->func_info_off + h->func_info_len, len,
			 "func_info in the section") &&
	       ASSERT_LE((size_t)h->hdr_len + h->line_info_off + h->line_info_len, len,
			 "line_info in the section") &&
	       ASSERT_LE((size_t)h->hdr_len + h->core_relo_off + h->core_relo_len, len,
			 "core_relo in the section");
}

/* The string at @off in the .BTF of @o, or NULL. */
static const char *btf_str(const struct loadfd_bytes *o, __u32 off)
{
	const unsigned char *btf;
	__u32 hdr_len, str_off, str_len;
	size_t len;

	if (!ASSERT_OK(find_section(o, ".BTF", &btf, &len), ".BTF"))
		return NULL;
	memcpy(&hdr_len, btf + 4, 4);
	memcpy(&str_off, btf + 16, 4);
	memcpy(&str_len, btf + 20, 4);
	if (!ASSERT_LT(off, str_len, "string offset") ||
	    !ASSERT_LE((size_t)hdr_len + str_off + str_len, len, "BTF strings in the section"))
		return NULL;
	return (const char *)btf + hdr_len + str_off + off;
}

/* ---- children ---- */

struct shared {
	struct loadfd_call c;
	int cg_err;		/* moving into the cgroup failed: -errno */
};

/*
 * Runs BPF_LOAD_FD on @obj_fd in a child, inside the cgroup directory @cg
 * if not NULL, and waits at most @bound_s seconds for it; the child closes
 * the loader fd and exits. The result lands in @out. Returns false if the
 * child did not finish (then it has been SIGKILLed), with *@status its wait
 * status if it was reaped, else -1.
 */
static bool load_in_child(int obj_fd, const char *cg, int bound_s, struct loadfd_call *out,
			  int *status)
{
	struct shared *sh;
	long long end;
	char path[PATH_MAX];
	pid_t pid, r = 0;
	int st = -1;

	*status = -1;
	out->ret = -EINPROGRESS;
	out->log[0] = 0;
	/* Shared with the child; touched here so its pages are charged to
	 * this process's cgroup, not to the child's.
	 */
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!ASSERT_NEQ(sh, MAP_FAILED, "mmap shared"))
		return false;
	memset(sh, 0, sizeof(*sh));
	sh->c.ret = -EINPROGRESS;
	fflush(stdout);
	pid = fork();
	if (!ASSERT_GE(pid, 0, "fork")) {
		munmap(sh, sizeof(*sh));
		return false;
	}
	if (pid == 0) {
		if (cg) {
			snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
			sh->cg_err = write_str(path, "0");
			if (sh->cg_err)
				_exit(1);
		}
		loadfd_call(&sh->c, obj_fd);
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
	if (!ASSERT_OK(sh->cg_err, "moving into the cgroup"))
		printf("moving into %s: %s\n", cg, strerror(-sh->cg_err));
	munmap(sh, sizeof(*sh));
	return r == pid && WIFEXITED(st);
}

/* load_in_child() that must finish; describes how it did not. */
static bool load_in_child_ok(const char *what, int obj_fd, const char *cg,
			     struct loadfd_call *out)
{
	int st;
	bool done = load_in_child(obj_fd, cg, CHILD_BOUND_S, out, &st);

	if (!ASSERT_TRUE(done, "BPF_LOAD_FD in a child finished"))
		printf("[%s] BPF_LOAD_FD %s\n", what,
		       st == -1 ? "did not return within the bound, nor after SIGKILL" :
		       WIFSIGNALED(st) && out->ret == -EINPROGRESS ?
		       "never returned: killed in it (memcg OOM killer, or the bound)" :
		       "child died");
	return done;
}

/* ---- cgroup v2 ---- */

/*
 * A new cgroup under CG_ROOT with the memory controller and memory.max
 * @max; its path goes to @path. cgroup2 is mounted on CG_ROOT if nothing
 * is. 0 or -1.
 */
static int cg_create(const char *name, const char *max, char *path, size_t size)
{
	char file[PATH_MAX + 32];
	struct statfs sfs;

	if (statfs(CG_ROOT, &sfs) || sfs.f_type != CGROUP2_SUPER_MAGIC) {
		mkdir(CG_ROOT, 0755);
		if (!ASSERT_OK(mount("cgroup2", CG_ROOT, "cgroup2", 0, NULL), "mount cgroup2"))
			return -1;
	}
	if (!ASSERT_OK(write_str(CG_ROOT "/cgroup.subtree_control", "+memory"),
		       "enable the memory controller"))
		return -1;
	snprintf(path, size, "%s/loadfd_hostile_%d_%s", CG_ROOT, getpid(), name);
	if (!ASSERT_OK(mkdir(path, 0755), "mkdir cgroup"))
		return -1;
	snprintf(file, sizeof(file), "%s/memory.max", path);
	if (!ASSERT_OK(write_str(file, max), "memory.max")) {
		rmdir(path);
		return -1;
	}
	snprintf(file, sizeof(file), "%s/memory.swap.max", path);
	write_str(file, "0");
	return 0;
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
 * again before anything is asserted; *@ooms gets its oom_kill event count.
 * False if it did not finish (the subtest failed).
 */
static bool load_in_memcg(const char *what, int obj_fd, const char *max, struct loadfd_call *out,
			  long *ooms)
{
	char cg[PATH_MAX];
	bool done;
	int st;

	out->ret = -EINPROGRESS;
	out->log[0] = 0;
	*ooms = -1;
	if (cg_create(what, max, cg, sizeof(cg)))
		return false;
	done = load_in_child(obj_fd, cg, CHILD_BOUND_S, out, &st);
	*ooms = cg_event(cg, "oom_kill");
	cg_remove(cg);
	if (!ASSERT_TRUE(done, "BPF_LOAD_FD in a memcg finished"))
		printf("[%s] BPF_LOAD_FD %s; memcg oom_kill events: %ld\n", what,
		       st == -1 ? "did not return within the bound, nor after SIGKILL" :
		       "never returned: killed in it (memcg OOM killer, or the bound)", *ooms);
	return done;
}

/* ---- the subtests ---- */

static struct loadfd_call call, pcall;

/* The loader still works: a small real object loads. */
static void control_ok(void)
{
	struct loadfd_bytes o;
	int fd;

	if (loadfd_bytes_read("loadfd_minimal.bpf.o", &o))
		return;
	fd = obj_memfd("control", &o);
	loadfd_bytes_free(&o);
	if (fd < 0)
		return;
	loadfd_call(&call, fd);
	close(fd);
	if (!ASSERT_OK_FD(call.ret, "control load")) {
		printf("control load: %s; log: '%s'\n", strerror(-call.ret), call.log);
		return;
	}
	close(call.ret);
}

/*
 * C1: a 16 MiB object whose symbols carry a name of about 16 MiB. The loader
 * caps names at KSYM_NAME_LEN instead of scanning them (once per use).
 */
static void c1_longname_16mib(int kmsg)
{
	size_t len = MAX_OBJ - 4096;
	struct loadfd_bytes o = {};
	char *name = malloc(len + 1);
	int fd = -1, err;

	if (!ASSERT_OK_PTR(name, "malloc"))
		goto out;
	memset(name, 'A', len);
	name[len] = 0;
	/* Few symbols: a loader that scans the name per use still finishes. */
	err = build_prog_obj(ret0, sizeof(ret0), "prog", 4, name, 8, NULL, 0, &o);
	free(name);
	if (err || !ASSERT_LE(o.len, MAX_OBJ, "object size"))
		goto out;
	fd = obj_memfd("c1_longname", &o);
	if (fd < 0)
		goto out;
	if (load_in_child_ok("longname", fd, NULL, &call))
		expect_reject("c1_longname", &call, E2BIG, "name");
	kmsg_check(kmsg, "c1_longname");
	kmsg = -1;
	control_ok();
out:
	if (kmsg >= 0)
		close(kmsg);
	if (fd >= 0)
		close(fd);
	loadfd_bytes_free(&o);
}

/* ---- C1: SIGKILL during BPF_LOAD_FD ---- */

/* Every kfunc extern costs a scan of vmlinux (and module) BTF. */
static int make_ksyms(struct loadfd_bytes *o)
{
	return loadfd_bytes_read("loadfd_hostile_gen_ksyms.bpf.o", o);
}

/* Many programs, each in its own section with func_info and line_info. */
static int make_progs(struct loadfd_bytes *o)
{
	return loadfd_bytes_read("loadfd_hostile_gen_progs.bpf.o", o);
}

/* 16 MiB of symbols, all with a name of the longest allowed length. */
static int make_longname_max(struct loadfd_bytes *o)
{
	char name[NAME_CAP];
	size_t nsyms = (MAX_OBJ - 8192) / sizeof(Elf64_Sym);

	memset(name, 'A', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	if (build_prog_obj(ret0, sizeof(ret0), "prog", 4, name, nsyms, NULL, 0, o))
		return -1;
	return ASSERT_LE(o->len, MAX_OBJ, "object size") ? 0 : -1;
}

/* Programs in the funcs object (MAX_PROGRAMS is 4096). */
#define FUNCS_PROGS 4000

/*
 * 16 MiB of one-instruction functions: FUNCS_PROGS programs in "socket",
 * and as many static subprograms in .text as fit, none called. Linking a
 * program must cost what that program reaches, not what the object holds.
 */
static int make_funcs(struct loadfd_bytes *o)
{
	static const unsigned char exit_insn[8] = { 0x95 };
	size_t nfuncs = (MAX_OBJ - (64u << 10)) / (sizeof(Elf64_Sym) + 8);
	size_t nsub = nfuncs - FUNCS_PROGS, strtab_len, pos, i;
	unsigned char *insns;
	struct esec s[5];
	Elf64_Sym *syms;
	char *strtab;
	int err = -1;

	/* "\0f\0" then "p<i>\0" per program. */
	strtab_len = 3 + FUNCS_PROGS * 8;
	strtab = calloc(1, strtab_len);
	syms = calloc(1 + nfuncs, sizeof(*syms));
	insns = malloc(nfuncs * 8);
	if (!ASSERT_OK_PTR(strtab, "calloc") || !ASSERT_OK_PTR(syms, "calloc") ||
	    !ASSERT_OK_PTR(insns, "malloc"))
		goto out;
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
	err = elf_build(s, 5, o);
	if (!err && !ASSERT_LE(o->len, MAX_OBJ, "object size"))
		err = -1;
out:
	free(strtab);
	free(syms);
	free(insns);
	return err;
}

static const struct {
	const char *what;
	/* Builds the object; all are within the loader's caps and load. */
	int (*make)(struct loadfd_bytes *o);
} sigkill_variants[] = {
	{ "sigkill_ksyms", make_ksyms },
	{ "sigkill_progs", make_progs },
	{ "sigkill_funcs", make_funcs },
	{ "sigkill_longname_max", make_longname_max },
};

/*
 * C1: a child SIGKILLed KILL_AFTER_MS into BPF_LOAD_FD of a slow object is
 * gone within KILL_BOUND_MS, and the kernel logged no lockup; the object is
 * within the caps (an uninterrupted load of it succeeds).
 */
static void sigkill_killed_promptly(const char *what, int (*make)(struct loadfd_bytes *o))
{
	struct loadfd_bytes o = {};
	int pfd[2] = { -1, -1 }, st = 0, fd = -1, kmsg = -1;
	long long t0, killed;
	pid_t pid, r;
	char x;

	if (make(&o))
		goto out;
	fd = obj_memfd(what, &o);
	if (fd < 0)
		goto out;
	kmsg = kmsg_open();
	if (kmsg < 0 || !ASSERT_OK(pipe2(pfd, O_CLOEXEC), "pipe"))
		goto out;
	fflush(stdout);
	pid = fork();
	if (!ASSERT_GE(pid, 0, "fork"))
		goto out;
	if (pid == 0) {
		union bpf_attr attr;

		memset(&attr, 0, sizeof(attr));
		attr.load_fd.obj_fd = fd;
		if (write(pfd[1], "x", 1) != 1)
			_exit(2);
		syscall(__NR_bpf, BPF_LOAD_FD, &attr, sizeof(attr));
		_exit(0);
	}
	close(pfd[1]);
	pfd[1] = -1;
	if (!ASSERT_EQ(read(pfd[0], &x, 1), 1, "child started")) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		goto out;
	}
	t0 = now_ms();
	sleep_ms(KILL_AFTER_MS);
	r = waitpid(pid, &st, WNOHANG);
	if (r == pid) {
		/* Nothing left to interrupt: the kill bound holds trivially. */
		printf("BPF_LOAD_FD returned within %d ms; nothing to kill\n", KILL_AFTER_MS);
	} else {
		ASSERT_OK(kill(pid, SIGKILL), "SIGKILL");
		killed = now_ms();
		while ((r = waitpid(pid, &st, WNOHANG)) == 0 && now_ms() - killed < KILL_BOUND_MS)
			sleep_ms(10);
		if (r != pid) {
			/* Waiting for it measures how long it held out, and
			 * keeps the next subtest from running beside it.
			 */
			printf("child still in BPF_LOAD_FD %d ms after SIGKILL\n", KILL_BOUND_MS);
			waitpid(pid, &st, 0);
			printf("it left BPF_LOAD_FD %lld ms after SIGKILL\n", now_ms() - killed);
		}
		ASSERT_EQ(r, pid, "gone within the kill bound");
		printf("killed %lld ms into BPF_LOAD_FD, gone %lld ms later\n", killed - t0,
		       now_ms() - killed);
		if (!ASSERT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "killed by SIGKILL"))
			printf("child status 0x%x\n", st);
	}
	kmsg_check(kmsg, what);

	/* Within the caps: the whole load succeeds when left alone. */
	t0 = now_ms();
	if (load_in_child_ok("uninterrupted", fd, NULL, &call) &&
	    !ASSERT_OK_FD(call.ret, "uninterrupted load"))
		printf("uninterrupted load: %s; log: '%s'\n", strerror(-call.ret), call.log);
	printf("uninterrupted BPF_LOAD_FD of %zu bytes: %lld ms\n", o.len, now_ms() - t0);
	kmsg = kmsg_open();
	kmsg_check(kmsg, what);
	kmsg = -1;
out:
	if (kmsg >= 0)
		close(kmsg);
	if (pfd[0] >= 0)
		close(pfd[0]);
	if (pfd[1] >= 0)
		close(pfd[1]);
	if (fd >= 0)
		close(fd);
	loadfd_bytes_free(&o);
}

/* ---- H2: no WARN from any input ---- */

/* H2a: a 2 GiB + 1 .kconfig extern (the kernel's BTF verifier takes it). */
static void h2_kconfig_huge(int kmsg)
{
	struct loadfd_bytes o;
	int fd;

	if (loadfd_bytes_read("loadfd_kcfg_huge.bpf.o", &o))
		goto out;
	fd = obj_memfd("h2_kconfig_huge", &o);
	loadfd_bytes_free(&o);
	if (fd < 0)
		goto out;
	if (load_in_child_ok("kcfg_huge", fd, NULL, &call))
		expect_reject("h2_kconfig_huge", &call, E2BIG, "kconfig");
	close(fd);
	kmsg_check(kmsg, "h2_kconfig_huge");
	control_ok();
	return;
out:
	close(kmsg);
}

/* H2b: a program whose name is 5,000,000 bytes. */
static void h2_long_prog_name(int kmsg)
{
	size_t len = 5000000;
	char *name = malloc(len);
	struct loadfd_bytes o = {};
	int fd, err;

	if (!ASSERT_OK_PTR(name, "malloc"))
		goto out;
	memset(name, 'A', len);
	err = build_prog_obj(ret0, sizeof(ret0), name, len, NULL, 0, NULL, 0, &o);
	free(name);
	if (err)
		goto out;
	fd = obj_memfd("h2_long_prog_name", &o);
	loadfd_bytes_free(&o);
	if (fd < 0)
		goto out;
	if (load_in_child_ok("long_prog_name", fd, NULL, &call))
		expect_reject("h2_long_prog_name", &call, E2BIG, "name");
	close(fd);
	kmsg_check(kmsg, "h2_long_prog_name");
	control_ok();
	return;
out:
	loadfd_bytes_free(&o);
	close(kmsg);
}

#define MANY_LOADS 10000
#define KEEP_OPEN 3

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

/* Reads the prog_ids sysfs file @path: up to @max ids, sorted, into @ids;
 * -1 if it cannot be read.
 */
static int read_prog_ids(const char *path, __u32 *ids, int max)
{
	static char buf[1 << 20];
	char *p, *end;
	ssize_t n;
	int fd, cnt = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (!ASSERT_OK_FD(fd, path))
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (!ASSERT_GE(n, 0, "read prog_ids"))
		return -1;
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
 * ids, sorted); fails the subtest with what it lists otherwise.
 */
static void expect_prog_ids(const char *path, const __u32 *want, int n)
{
	static __u32 got[MANY_LOADS + 16];
	long long end = now_ms() + 10000;
	int cnt, i;

	do {
		cnt = read_prog_ids(path, got, ARRAY_SIZE(got));
		if (cnt < 0)
			return;
		if (cnt == n && !memcmp(got, want, n * sizeof(*want)))
			return;
		sleep_ms(100);
	} while (now_ms() < end);
	for (i = 0; i < cnt && i < 5; i++)
		printf("prog_ids[%d] = %u\n", i, got[i]);
	if (ASSERT_EQ(cnt, n, "prog_ids lists the live programs"))
		ASSERT_FAIL("%s lists other ids than the live ones", path);
}

/*
 * H2c, L1: 10,000 BPF_PROG_LOADs of one program from one loader object all
 * succeed, and prog_ids lists only the programs still alive.
 */
static void h2_l1_prog_ids_10k_loads(int kmsg)
{
	__u32 keep_ids[KEEP_OPEN];
	int keep[KEEP_OPEN], i, fd = -1, failed = 0, first_err = 0, kept = 0, id;
	struct loadfd_bytes o;
	char path[PATH_MAX];

	if (loadfd_bytes_read("loadfd_minimal.bpf.o", &o))
		goto out;
	fd = obj_memfd("h2_l1_minimal", &o);
	loadfd_bytes_free(&o);
	if (fd < 0)
		goto out;
	loadfd_call(&call, fd);
	if (!ASSERT_OK_FD(call.ret, "BPF_LOAD_FD")) {
		printf("BPF_LOAD_FD: %s; log: '%s'\n", strerror(-call.ret), call.log);
		goto out;
	}
	id = loadfd_id(call.ret);
	if (id < 0)
		goto out_loader;
	snprintf(path, sizeof(path), LOADFD_SYSFS "/%d/programs/loadfd_minimal/prog_ids", id);
	for (i = 0; i < MANY_LOADS; i++) {
		int p = prog_load(call.ret, "loadfd_minimal", NULL);

		if (p < 0) {
			if (!failed++)
				first_err = p;
			continue;
		}
		if (i >= MANY_LOADS - KEEP_OPEN)
			keep[kept++] = p;
		else
			close(p);
	}
	if (!ASSERT_EQ(failed, 0, "by-name loads failed"))
		printf("first failure: %s\n", strerror(-first_err));
	if (!ASSERT_EQ(kept, KEEP_OPEN, "programs kept open"))
		goto out_keep;
	for (i = 0; i < KEEP_OPEN; i++) {
		struct bpf_prog_info info;

		if (!loadfd_prog_info(keep[i], &info))
			goto out_keep;
		keep_ids[i] = info.id;
	}
	qsort(keep_ids, KEEP_OPEN, sizeof(*keep_ids), cmp_u32);
	expect_prog_ids(path, keep_ids, KEEP_OPEN);
out_keep:
	for (i = 0; i < kept; i++)
		close(keep[i]);
	if (kept == KEEP_OPEN)
		expect_prog_ids(path, keep_ids, 0);
out_loader:
	close(call.ret);
out:
	if (fd >= 0)
		close(fd);
	kmsg_check(kmsg, "h2_l1_prog_ids");
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
static void h3_amplified_line_info(int kmsg)
{
	const unsigned char *ext, *li, *p;
	size_t ext_len, li_new_len, pos;
	unsigned char *nli = NULL, *next = NULL;
	__u32 rec, blk_name, blk_num, out_len;
	struct loadfd_bytes amp = {}, o = {};
	struct ext_hdr h, nh;
	bool found = false;
	int fd = -1;
	long ooms;

	if (loadfd_bytes_read("loadfd_hostile_gen_amp.bpf.o", &amp))
		goto out;
	if (!ASSERT_OK(find_section(&amp, ".BTF.ext", &ext, &ext_len), ".BTF.ext") ||
	    !ext_hdr_read(ext, ext_len, &h) || !ASSERT_NEQ(h.line_info_len, 0, "line_info"))
		goto out;
	li = ext + h.hdr_len + h.line_info_off;
	memcpy(&rec, li, 4);
	if (!ASSERT_GE(rec, 16, "line_info rec_size"))
		goto out;
	li_new_len = h.line_info_len + (size_t)AMP_COPIES * rec;
	nli = malloc(li_new_len);
	if (!ASSERT_OK_PTR(nli, "malloc"))
		goto out;
	memcpy(nli, li, 4);
	pos = 4;
	/* Copy the blocks, the .text one (the subprogram) amplified. */
	for (p = li + 4; p < li + h.line_info_len; p += 8 + (size_t)blk_num * rec) {
		const char *sec;

		memcpy(&blk_name, p, 4);
		memcpy(&blk_num, p + 4, 4);
		sec = !found && blk_num ? btf_str(&amp, blk_name) : NULL;
		if (sec && !strcmp(sec, ".text")) {
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
	if (!ASSERT_TRUE(found, "line_info for .text"))
		goto out;
	li_new_len = pos;

	/* New .BTF.ext: header, func_info as is, the new line_info, CO-RE. */
	nh = h;
	nh.func_info_off = 0;
	nh.line_info_off = h.func_info_len;
	nh.line_info_len = li_new_len;
	nh.core_relo_off = h.core_relo_len ? nh.line_info_off + li_new_len : 0;
	out_len = h.hdr_len + h.func_info_len + li_new_len + h.core_relo_len;
	next = calloc(1, out_len);
	if (!ASSERT_OK_PTR(next, "calloc"))
		goto out;
	memcpy(next, ext, h.hdr_len);
	memcpy(next, &nh, h.hdr_len < sizeof(nh) ? h.hdr_len : sizeof(nh));
	memcpy(next + h.hdr_len, ext + h.hdr_len + h.func_info_off, h.func_info_len);
	memcpy(next + h.hdr_len + nh.line_info_off, nli, li_new_len);
	if (h.core_relo_len)
		memcpy(next + h.hdr_len + nh.core_relo_off,
		       ext + h.hdr_len + h.core_relo_off, h.core_relo_len);
	if (obj_replace_section(&amp, ".BTF.ext", next, out_len, &o))
		goto out;

	fd = obj_memfd("h3_amp", &o);
	if (fd < 0)
		goto out;
	if (load_in_memcg("h3_amp", fd, "512M", &call, &ooms)) {
		if (call.ret == -E2BIG)
			expect_reject("h3_amp", &call, E2BIG, NULL);
		else
			expect_reject("h3_amp", &call, EINVAL, "increasing");
	}
	kmsg_check(kmsg, "h3_amp");
	kmsg = -1;
	control_ok();
out:
	if (kmsg >= 0)
		close(kmsg);
	if (fd >= 0)
		close(fd);
	free(nli);
	free(next);
	loadfd_bytes_free(&amp);
	loadfd_bytes_free(&o);
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

static void m1_core_relos_without_func_info(int kmsg)
{
	struct loadfd_bytes core = {}, o = {};
	unsigned char *next = NULL;
	const unsigned char *ext;
	size_t ext_len, out_len;
	struct ext_hdr h, nh;
	int fd = -1, pfd, ofd;

	if (loadfd_bytes_read("loadfd_hostile_core.bpf.o", &core))
		goto out;
	if (!ASSERT_OK(find_section(&core, ".BTF.ext", &ext, &ext_len), ".BTF.ext") ||
	    !ext_hdr_read(ext, ext_len, &h) ||
	    !ASSERT_GE(h.hdr_len, sizeof(h), ".BTF.ext hdr_len with CO-RE") ||
	    !ASSERT_NEQ(h.core_relo_len, 0, "the object has CO-RE records") ||
	    !ASSERT_NEQ(h.func_info_len, 0, "the object has func_info"))
		goto out;

	/* Control: as compiled, it loads, and the program reads skb->len. */
	ofd = obj_memfd("m1_control", &core);
	if (ofd < 0)
		goto out;
	loadfd_call(&call, ofd);
	close(ofd);
	if (!ASSERT_OK_FD(call.ret, "control")) {
		printf("control: %s; log: '%s'\n", strerror(-call.ret), call.log);
		goto out;
	}
	pfd = prog_load(call.ret, "prog", &pcall);
	close(call.ret);
	if (!ASSERT_OK_FD(pfd, "control prog")) {
		printf("control prog: %s; log: '%s'\n", strerror(-pfd), pcall.log);
		goto out;
	}
	/* The socket filter sees the packet without its Ethernet header. */
	ASSERT_EQ(test_run_skb(pfd, M1_PKT_LEN), M1_PKT_LEN - 14, "skb->len");
	close(pfd);

	nh = h;
	nh.func_info_off = 0;
	nh.func_info_len = 0;
	nh.line_info_off = 0;
	nh.line_info_len = 0;
	nh.core_relo_off = 0;
	out_len = h.hdr_len + h.core_relo_len;
	next = calloc(1, out_len);
	if (!ASSERT_OK_PTR(next, "calloc"))
		goto out;
	memcpy(next, ext, h.hdr_len);
	memcpy(next, &nh, sizeof(nh));
	memcpy(next + h.hdr_len, ext + h.hdr_len + h.core_relo_off, h.core_relo_len);
	if (obj_replace_section(&core, ".BTF.ext", next, out_len, &o))
		goto out;

	fd = obj_memfd("m1_core_no_func_info", &o);
	if (fd < 0)
		goto out;
	loadfd_call(&call, fd);
	if (call.ret < 0) {
		expect_reject("m1_core_no_func_info", &call, EINVAL, NULL);
	} else {
		pfd = prog_load(call.ret, "prog", &pcall);
		close(call.ret);
		if (pfd >= 0) {
			/* Show the harm: skb->len read from the compile-time offset. */
			printf("loaded without CO-RE: returns %lld for a %d-byte packet\n",
			       test_run_skb(pfd, M1_PKT_LEN), M1_PKT_LEN);
			close(pfd);
		}
		if (!ASSERT_EQ(pfd, -EINVAL, "CO-RE records without func_info refused"))
			printf("accepted (%s); log: '%s'\n", pfd >= 0 ? "loaded" : strerror(-pfd),
			       pcall.log);
		ASSERT_NEQ(pcall.log[0], 0, "BPF_PROG_LOAD gives a reason");
		printf("BPF_PROG_LOAD: EINVAL: %s\n", pcall.log);
	}
out:
	kmsg_check(kmsg, "m1");
	if (fd >= 0)
		close(fd);
	free(next);
	loadfd_bytes_free(&core);
	loadfd_bytes_free(&o);
}

/* ---- L2: names that cannot be sysfs (or map) names ---- */

static const unsigned char data8[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

/* BPF_LOAD_FD of @o from a memfd into @c (a loader fd is closed); false if
 * the memfd could not be made.
 */
static bool load_memfd(const char *what, const struct loadfd_bytes *o, struct loadfd_call *c)
{
	int fd = obj_memfd(what, o);

	if (fd < 0)
		return false;
	loadfd_call(c, fd);
	close(fd);
	if (c->ret >= 0)
		close(c->ret);
	return true;
}

/* L2: two sections called .data.x would be two maps of one name. */
static void l2_duplicate_data_sections(int kmsg)
{
	struct esec extra[2] = {
		{ .name = ".data.x", .type = SHT_PROGBITS, .flags = SHF_ALLOC | SHF_WRITE,
		  .data = data8, .size = sizeof(data8) },
		{ .name = ".data.x", .type = SHT_PROGBITS, .flags = SHF_ALLOC | SHF_WRITE,
		  .data = data8, .size = sizeof(data8) },
	};
	struct loadfd_bytes o = {};

	if (!build_prog_obj(ret0, sizeof(ret0), "prog", 4, NULL, 0, extra, 2, &o) &&
	    load_memfd("l2_dup_data", &o, &call)) {
		expect_reject("l2_dup_data", &call, EINVAL, "duplicate");
		kmsg_check(kmsg, "l2_dup_data");
		kmsg = -1;
		control_ok();
	}
	if (kmsg >= 0)
		close(kmsg);
	loadfd_bytes_free(&o);
}

/*
 * L2: a data map (section .data.<x>) and a program whose names are paths
 * with a newline in them: neither can name a sysfs directory.
 */
static void l2_odd_names(int kmsg)
{
	static const char odd[] = "x/../y\nz";
	struct esec extra[1] = {
		{ .name = ".data.x/../y\nz", .type = SHT_PROGBITS,
		  .flags = SHF_ALLOC | SHF_WRITE, .data = data8, .size = sizeof(data8) },
	};
	struct loadfd_bytes o = {};

	if (build_prog_obj(ret0, sizeof(ret0), "prog", 4, NULL, 0, extra, 1, &o) ||
	    !load_memfd("l2_odd_map_name", &o, &call))
		goto out;
	expect_reject("l2_odd_map_name", &call, EINVAL, NULL);
	loadfd_bytes_free(&o);

	if (build_prog_obj(ret0, sizeof(ret0), odd, strlen(odd), NULL, 0, NULL, 0, &o) ||
	    !load_memfd("l2_odd_prog_name", &o, &call))
		goto out;
	expect_reject("l2_odd_prog_name", &call, EINVAL, NULL);
	kmsg_check(kmsg, "l2_odd_names");
	kmsg = -1;
	control_ok();
out:
	if (kmsg >= 0)
		close(kmsg);
	loadfd_bytes_free(&o);
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
static void m3_memcg_16m(int kmsg)
{
	size_t len = (size_t)M3_INSNS * 8, i;
	unsigned char *insns = malloc(len);
	struct loadfd_bytes o = {};
	int fd = -1, err;
	long ooms;

	if (!ASSERT_OK_PTR(insns, "malloc"))
		goto out;
	for (i = 0; i + 8 < len; i += 8)
		memcpy(insns + i, ret0, 8);
	memcpy(insns + len - 8, ret0 + 8, 8);
	err = build_prog_obj(insns, len, "prog", 4, NULL, 0, NULL, 0, &o);
	free(insns);
	if (err)
		goto out;
	fd = obj_memfd("m3_big_prog", &o);
	loadfd_bytes_free(&o);
	if (fd < 0)
		goto out;

	/* Control: it does load without the limit (it is within the caps). */
	if (load_in_child_ok("m3_unlimited", fd, NULL, &call) &&
	    !ASSERT_OK_FD(call.ret, "without memcg"))
		printf("without memcg: %s; log: '%s'\n", strerror(-call.ret), call.log);

	if (load_in_memcg("m3_memcg", fd, "16M", &call, &ooms)) {
		ASSERT_EQ(ooms, 0, "memcg OOM kills");
		expect_reject("m3_memcg", &call, ENOMEM, NULL);
	}
	kmsg_check(kmsg, "m3_memcg");
	kmsg = -1;
	control_ok();
out:
	if (kmsg >= 0)
		close(kmsg);
	if (fd >= 0)
		close(fd);
}

static const struct {
	const char *name;
	void (*run)(int kmsg);	/* gets /dev/kmsg opened at its end; closes it */
} hostile[] = {
	{ "c1_longname_16mib", c1_longname_16mib },
	{ "h2_kconfig_huge", h2_kconfig_huge },
	{ "h2_long_prog_name", h2_long_prog_name },
	{ "h2_l1_prog_ids_10k_loads", h2_l1_prog_ids_10k_loads },
	{ "h3_amplified_line_info", h3_amplified_line_info },
	{ "m1_core_relos_without_func_info", m1_core_relos_without_func_info },
	{ "l2_duplicate_data_sections", l2_duplicate_data_sections },
	{ "l2_odd_names", l2_odd_names },
	{ "m3_memcg_16m", m3_memcg_16m },
};

void test_loadfd_hostile(void)
{
	int i, kmsg;

	if (!loadfd_supported()) {
		test__skip();
		return;
	}
	for (i = 0; i < ARRAY_SIZE(hostile); i++) {
		if (!test__start_subtest(hostile[i].name))
			continue;
		kmsg = kmsg_open();
		if (kmsg >= 0)
			hostile[i].run(kmsg);
	}
	for (i = 0; i < ARRAY_SIZE(sigkill_variants); i++)
		if (test__start_subtest(sigkill_variants[i].what))
			sigkill_killed_promptly(sigkill_variants[i].what, sigkill_variants[i].make);
}
