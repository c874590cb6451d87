// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_LOAD_FD benchmark. A benchmark, not a test: it measures and prints,
 * and asserts nothing about time. Named so that the selftest runners (which
 * run loadfd_*test) do not pick it up.
 *
 * For each object, with CLOCK_MONOTONIC, N timed iterations after W warm-ups
 * (every timing includes closing what it created):
 *
 *   (a) libbpf:     bpf_object__open_file() + bpf_object__load() (every
 *                   program libbpf autoloads), bpf_object__close()
 *   (b) loadfd:     open() + BPF_LOAD_FD + BPF_PROG_LOAD by name of the same
 *                   programs, close() of everything
 *   (c) LOAD_FD:    open() + BPF_LOAD_FD + close(): in-kernel ELF/BTF parse,
 *                   relocation, map and BTF creation; no verification
 *   (d) libbpf open: bpf_object__open_file() + bpf_object__close(): the
 *                   userspace parse alone, no kernel
 *
 * The four are interleaved within an iteration (rotating order), so drift
 * affects them alike. Programs are those libbpf would autoload (SEC("?...")
 * programs are left out of both (a) and (b)). It also prints the sums of
 * bpf_prog_info verified_insns / xlated / jited sizes, and the rough kernel
 * memory of loader objects: MemAvailable and Slab from /proc/meminfo around
 * holding K loader objects of one object open at once.
 *
 * Output is Markdown on stdout; diagnostics go to stderr. Objects are looked
 * up in $LOADFD_OBJDIR, else next to this binary.
 *
 * usage: loadfd_bench [-n iters] [-w warmups] [-b budget_s] [-T total_s]
 *                     [-m obj[,obj]] [-k held] [-M] [object...]
 *
 * -b caps the time spent on one object's timed iterations: an object whose
 * warm-up says N iterations would take longer than budget_s gets fewer (at
 * least 5); the table shows the n used. -T (default 840 s, for the VM's
 * 1200 s timeout under TCG) spreads what is left of a total time budget over
 * the objects still to go (the per-object budget shrinks to fit) and skips
 * objects once it is used up, so a slow machine still gets a report. 0
 * disables either. -M skips the memory measurement.
 *
 * The Makefile also builds map_ptr_kern.bpf.o (24 maps of most types) but it
 * is not in the default list: its ringbuf has max_entries 0, which upstream
 * sets at run time (bpf_map__set_max_entries), and its XSKMAP needs
 * CONFIG_XDP_SOCKETS; name it on the command line to see both loaders refuse.
 *
 * Exit status: 0, or 2 if some object or mode could not be measured (the
 * table says which and why), or 1 on bad usage.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <linux/bpf.h>

#include <bpf/libbpf.h>

#include "loadfd_util.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define ERRMSG_LEN 320
#define LOG_SIZE (64 * 1024)	/* the verifier log rotates: we get its tail */
#define MIN_ITERS 5
#define SETTLE_S 3		/* for RCU / deferred frees before a meminfo reading */

/* Kernel-internal log level (include/linux/bpf_verifier.h), no uapi. */
#define LOG_LEVEL1 1

static const char *const default_objs[] = {
	"test_global_data", "test_subprogs", "bpf_loop", "test_core_reloc_kernel",
	"atomics", "test_btf_map_in_map", "fentry_test", "loop1", "loop6",
	"core_kern",
};

enum mode { M_LIBBPF, M_LOADFD, M_LOADFD_ONLY, M_OPEN_ONLY, M_NR };

static const char *const mode_tag[M_NR] = { "(a)", "(b)", "(c)", "(d)" };

struct prog_stats {
	unsigned long long verified;	/* sum of verified_insns */
	unsigned long long xlated;	/* sum of xlated instructions */
	unsigned long long jited;	/* sum of jited bytes */
	int progs;
};

struct bobj {
	const char *name;
	char path[PATH_MAX];
	long long size;
	char **progs;		/* names of the programs libbpf autoloads */
	int nprogs;
	int *fds;		/* nprogs prog fds, for (b) */
	double *samples[M_NR];	/* microseconds */
	int n;			/* timed iterations done */
	int err[M_NR];		/* -errno of the mode's first failure, or 0 */
	char errmsg[M_NR][ERRMSG_LEN];
	struct prog_stats st[2];	/* [0] libbpf, [1] BPF_LOAD_FD */
	bool have_st[2];
};

static struct {
	int iters;
	int warmups;
	double budget_s;
	double total_s;
	const char *mem_objs;
	int held;
	bool no_mem;
} opt = {
	.iters = 20,
	.warmups = 2,
	.budget_s = 60,
	.total_s = 840,
	.mem_objs = "test_global_data",
	.held = 100,
};

/* ---- small helpers ---- */

static __u64 ptr_to_u64(const void *p)
{
	return (__u64)(unsigned long)p;
}

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void set_err(struct bobj *o, enum mode m, int err, const char *fmt, ...)
{
	va_list ap;

	if (o->err[m])
		return;
	o->err[m] = err ? err : -EINVAL;
	va_start(ap, fmt);
	vsnprintf(o->errmsg[m], sizeof(o->errmsg[m]), fmt, ap);
	va_end(ap);
	/* One line, and nothing that breaks a Markdown table. */
	for (char *p = o->errmsg[m]; *p; p++)
		if (*p == '\n' || *p == '|' || *p == '\t')
			*p = ' ';
}

/* The last non-empty line of @log (modified in place). */
static const char *last_line(char *log)
{
	size_t len = strnlen(log, LOG_SIZE - 1);
	char *nl;

	log[len] = 0;
	while (len && (log[len - 1] == '\n' || log[len - 1] == ' '))
		log[--len] = 0;
	nl = strrchr(log, '\n');
	nl = nl ? nl + 1 : log;
	return *nl ? nl : "(empty)";
}

/* ---- libbpf messages: kept (first warning since reset), not printed ---- */

static char libbpf_msg[ERRMSG_LEN];

static int libbpf_capture(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_WARN && !libbpf_msg[0]) {
		vsnprintf(libbpf_msg, sizeof(libbpf_msg), fmt, args);
		libbpf_msg[strcspn(libbpf_msg, "\n")] = 0;
	}
	return 0;
}

/* ---- bpf_prog_info ---- */

static void add_prog_stats(struct prog_stats *st, int prog_fd)
{
	struct bpf_prog_info info;
	union bpf_attr attr;

	memset(&info, 0, sizeof(info));
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = prog_fd;
	attr.info.info_len = sizeof(info);
	attr.info.info = ptr_to_u64(&info);
	if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr)) {
		fprintf(stderr, "# BPF_OBJ_GET_INFO_BY_FD: %s\n", strerror(errno));
		return;
	}
	st->verified += info.verified_insns;
	st->xlated += info.xlated_prog_len / sizeof(struct bpf_insn);
	st->jited += info.jited_prog_len;
	st->progs++;
}

/* ---- the four measured operations; each cleans up after itself ---- */

/* (a) libbpf open + load + close. */
static int do_libbpf(struct bobj *o, struct prog_stats *st)
{
	struct bpf_object *obj;
	struct bpf_program *p;
	int err;

	libbpf_msg[0] = 0;
	obj = bpf_object__open_file(o->path, NULL);
	if (!obj) {
		err = -errno;
		set_err(o, M_LIBBPF, err, "bpf_object__open_file: %s; %s", strerror(-err),
			libbpf_msg);
		return err;
	}
	err = bpf_object__load(obj);
	if (err) {
		set_err(o, M_LIBBPF, err, "bpf_object__load: %s; %s", strerror(-err), libbpf_msg);
		bpf_object__close(obj);
		return err;
	}
	if (st) {
		bpf_object__for_each_program(p, obj)
			if (bpf_program__autoload(p))
				add_prog_stats(st, bpf_program__fd(p));
	}
	bpf_object__close(obj);
	return 0;
}

/* BPF_LOAD_FD of @obj_fd; on failure, again with the log for the reason. */
static int loadfd(struct bobj *o, enum mode m, int obj_fd)
{
	union bpf_attr attr;
	char *log;
	int fd, err;

	memset(&attr, 0, sizeof(attr));
	attr.load_fd.obj_fd = obj_fd;
	fd = sys_bpf(BPF_LOAD_FD, &attr);
	if (fd >= 0)
		return fd;
	err = -errno;
	log = calloc(1, LOG_SIZE);
	if (log) {
		memset(&attr, 0, sizeof(attr));
		attr.load_fd.obj_fd = obj_fd;
		attr.load_fd.log_level = LOG_LEVEL1;
		attr.load_fd.log_buf = ptr_to_u64(log);
		attr.load_fd.log_size = LOG_SIZE;
		fd = sys_bpf(BPF_LOAD_FD, &attr);
		if (fd >= 0)
			close(fd);
	}
	set_err(o, m, err, "BPF_LOAD_FD: %s; log: %s", strerror(-err),
		log ? last_line(log) : "-");
	free(log);
	return err;
}

/* BPF_PROG_LOAD of @name from @loader; on failure, the verifier log's end. */
static int prog_load(struct bobj *o, int loader, const char *name)
{
	union bpf_attr attr;
	char *log;
	int fd, err;

	memset(&attr, 0, sizeof(attr));
	attr.loader_fd = loader;
	attr.loader_prog_name = ptr_to_u64(name);
	fd = sys_bpf(BPF_PROG_LOAD, &attr);
	if (fd >= 0)
		return fd;
	err = -errno;
	log = calloc(1, LOG_SIZE);
	if (log) {
		memset(&attr, 0, sizeof(attr));
		attr.loader_fd = loader;
		attr.loader_prog_name = ptr_to_u64(name);
		attr.log_level = LOG_LEVEL1;
		attr.log_buf = ptr_to_u64(log);
		attr.log_size = LOG_SIZE;
		fd = sys_bpf(BPF_PROG_LOAD, &attr);
		if (fd >= 0)
			close(fd);
	}
	set_err(o, M_LOADFD, err, "BPF_PROG_LOAD '%s' by name: %s; log: %s", name,
		strerror(-err), log ? last_line(log) : "-");
	free(log);
	return err;
}

static int open_obj(struct bobj *o, enum mode m)
{
	int fd = open(o->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		int err = -errno;

		set_err(o, m, err, "open %s: %s", o->path, strerror(-err));
		return err;
	}
	return fd;
}

/* (b) BPF_LOAD_FD + BPF_PROG_LOAD by name of every program + close. */
static int do_loadfd(struct bobj *o, struct prog_stats *st)
{
	int obj_fd, loader, i, n = 0, err = 0;

	obj_fd = open_obj(o, M_LOADFD);
	if (obj_fd < 0)
		return obj_fd;
	loader = loadfd(o, M_LOADFD, obj_fd);
	close(obj_fd);
	if (loader < 0)
		return loader;
	for (i = 0; i < o->nprogs; i++) {
		int fd = prog_load(o, loader, o->progs[i]);

		if (fd < 0) {
			err = fd;
			break;
		}
		o->fds[n++] = fd;
	}
	if (st && !err)
		for (i = 0; i < n; i++)
			add_prog_stats(st, o->fds[i]);
	for (i = 0; i < n; i++)
		close(o->fds[i]);
	close(loader);
	return err;
}

/* (c) BPF_LOAD_FD alone + close. */
static int do_loadfd_only(struct bobj *o)
{
	int obj_fd, loader;

	obj_fd = open_obj(o, M_LOADFD_ONLY);
	if (obj_fd < 0)
		return obj_fd;
	loader = loadfd(o, M_LOADFD_ONLY, obj_fd);
	close(obj_fd);
	if (loader < 0)
		return loader;
	close(loader);
	return 0;
}

/* (d) libbpf open alone + close. */
static int do_open_only(struct bobj *o)
{
	struct bpf_object *obj;
	int err;

	libbpf_msg[0] = 0;
	obj = bpf_object__open_file(o->path, NULL);
	if (!obj) {
		err = -errno;
		set_err(o, M_OPEN_ONLY, err, "bpf_object__open_file: %s; %s", strerror(-err),
			libbpf_msg);
		return err;
	}
	bpf_object__close(obj);
	return 0;
}

static int run_mode(struct bobj *o, enum mode m, bool collect)
{
	switch (m) {
	case M_LIBBPF:
		return do_libbpf(o, collect ? &o->st[0] : NULL);
	case M_LOADFD:
		return do_loadfd(o, collect ? &o->st[1] : NULL);
	case M_LOADFD_ONLY:
		return do_loadfd_only(o);
	case M_OPEN_ONLY:
		return do_open_only(o);
	default:
		return -EINVAL;
	}
}

/* ---- per object ---- */

/* The programs libbpf would autoload, by name (from a throwaway open). */
static int list_progs(struct bobj *o)
{
	struct bpf_object *obj;
	struct bpf_program *p;
	struct stat st;
	int n = 0, err;

	if (stat(o->path, &st)) {
		err = -errno;
		for (int m = 0; m < M_NR; m++)
			set_err(o, m, err, "%s: %s", o->path, strerror(-err));
		return err;
	}
	o->size = st.st_size;
	libbpf_msg[0] = 0;
	obj = bpf_object__open_file(o->path, NULL);
	if (!obj) {
		err = -errno;
		for (int m = 0; m < M_NR; m++)
			set_err(o, m, err, "bpf_object__open_file: %s; %s", strerror(-err),
				libbpf_msg);
		return err;
	}
	bpf_object__for_each_program(p, obj)
		n++;
	o->progs = calloc(n ? n : 1, sizeof(*o->progs));
	o->fds = calloc(n ? n : 1, sizeof(*o->fds));
	if (!o->progs || !o->fds)
		goto nomem;
	bpf_object__for_each_program(p, obj) {
		if (!bpf_program__autoload(p))
			continue;
		o->progs[o->nprogs] = strdup(bpf_program__name(p));
		if (!o->progs[o->nprogs])
			goto nomem;
		o->nprogs++;
	}
	bpf_object__close(obj);
	return 0;
nomem:
	bpf_object__close(obj);
	for (int m = 0; m < M_NR; m++)
		set_err(o, m, -ENOMEM, "out of memory");
	return -ENOMEM;
}

static void free_obj(struct bobj *o)
{
	for (int i = 0; i < o->nprogs; i++)
		free(o->progs[i]);
	free(o->progs);
	free(o->fds);
	for (int m = 0; m < M_NR; m++)
		free(o->samples[m]);
}

static void bench_obj(struct bobj *o, double budget_s)
{
	double t_iter = 0;
	int n, i, m;

	fprintf(stderr, "# %s: %d programs\n", o->name, o->nprogs);
	for (m = 0; m < M_NR; m++) {
		o->samples[m] = calloc(opt.iters ? opt.iters : 1, sizeof(double));
		if (!o->samples[m]) {
			set_err(o, m, -ENOMEM, "out of memory");
			continue;
		}
	}
	/* Warm-ups; the first collects bpf_prog_info, the last times one pass. */
	for (i = 0; i < opt.warmups || i == 0; i++) {
		t_iter = 0;
		for (m = 0; m < M_NR; m++) {
			double t0;
			int err;

			if (o->err[m])
				continue;
			t0 = now_us();
			err = run_mode(o, m, i == 0);
			t_iter += now_us() - t0;
			if (!err && i == 0 && (m == M_LIBBPF || m == M_LOADFD))
				o->have_st[m == M_LOADFD] = true;
		}
	}
	n = opt.iters;
	if (budget_s > 0 && t_iter > 0 && t_iter * n > budget_s * 1e6) {
		n = (int)(budget_s * 1e6 / t_iter);
		if (n < MIN_ITERS)
			n = MIN_ITERS;
		if (n > opt.iters)
			n = opt.iters;
		fprintf(stderr, "# %s: %.0f us per iteration, %d iterations (budget %g s)\n",
			o->name, t_iter, n, budget_s);
	}
	for (i = 0; i < n; i++) {
		for (int k = 0; k < M_NR; k++) {
			double t0, t1;

			m = (i + k) % M_NR;
			if (o->err[m])
				continue;
			t0 = now_us();
			if (run_mode(o, m, false))
				continue;	/* set_err() recorded it; the mode is dropped */
			t1 = now_us();
			o->samples[m][i] = t1 - t0;
		}
	}
	o->n = n;
}

/* ---- statistics and output ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median (mean of the middle two for even n) and p90 (nearest rank). */
static void med_p90(const double *s, int n, double *med, double *p90)
{
	double *v = malloc(n * sizeof(*v));

	*med = *p90 = 0;
	if (!v || n <= 0) {
		free(v);
		return;
	}
	memcpy(v, s, n * sizeof(*v));
	qsort(v, n, sizeof(*v), cmp_double);
	*med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	*p90 = v[(9 * n + 9) / 10 - 1];
	free(v);
}

static void fmt_us(char *buf, size_t size, double us)
{
	if (us >= 100)
		snprintf(buf, size, "%.0f", us);
	else
		snprintf(buf, size, "%.1f", us);
}

static bool mode_ok(const struct bobj *o, enum mode m)
{
	return !o->err[m] && o->n > 0;
}

static void cell_time(const struct bobj *o, enum mode m, double *med)
{
	char a[32], b[32];
	double p90;

	*med = 0;
	if (!mode_ok(o, m)) {
		if (o->err[m] == -ETIME)
			printf(" not run |");
		else
			printf(" failed %s |", mode_tag[m]);
		return;
	}
	med_p90(o->samples[m], o->n, med, &p90);
	fmt_us(a, sizeof(a), *med);
	fmt_us(b, sizeof(b), p90);
	printf(" %s / %s |", a, b);
}

static void print_env(void)
{
	char model[256] = "?", line[512];
	struct utsname u;
	FILE *f;

	f = fopen("/proc/cpuinfo", "re");
	while (f && fgets(line, sizeof(line), f)) {
		char *c = strchr(line, ':');

		if (!strncmp(line, "model name", 10) && c) {
			snprintf(model, sizeof(model), "%s", c + 2);
			model[strcspn(model, "\n")] = 0;
			break;
		}
	}
	if (f)
		fclose(f);
	uname(&u);
	printf("- guest kernel %s, %ld online CPUs (%s), libbpf %u.%u (static, built from "
	       "the kernel tree)\n", u.release, sysconf(_SC_NPROCESSORS_ONLN), model,
	       libbpf_major_version(), libbpf_minor_version());
	printf("- %d timed iterations per object after %d warm-ups (fewer where a row's n says "
	       "so: time budget %g s per object, %g s in all), CLOCK_MONOTONIC, times in "
	       "microseconds as **median / p90** (p90 = nearest rank); every timing includes "
	       "closing what it created (frees the kernel defers are not timed)\n",
	       opt.iters, opt.warmups, opt.budget_s, opt.total_s);
	printf("- programs: those libbpf autoloads (no `SEC(\"?...\")`), the same set for (a) "
	       "and (b)\n\n");
}

static void print_tables(struct bobj *objs, int nobjs)
{
	int i;

	printf("### Load time (µs, median / p90)\n\n");
	printf("| object | progs | n | (a) libbpf open+load | (b) BPF_LOAD_FD + PROG_LOAD "
	       "| b/a | (c) BPF_LOAD_FD alone | (d) libbpf open alone "
	       "| PROG_LOAD share of (b) |\n");
	printf("|---|--:|--:|--:|--:|--:|--:|--:|--:|\n");
	for (i = 0; i < nobjs; i++) {
		struct bobj *o = &objs[i];
		double a, b, c, d;

		printf("| %s | %d | %d |", o->name, o->nprogs, o->n);
		cell_time(o, M_LIBBPF, &a);
		cell_time(o, M_LOADFD, &b);
		if (a > 0 && b > 0)
			printf(" %.2f |", b / a);
		else
			printf(" - |");
		cell_time(o, M_LOADFD_ONLY, &c);
		cell_time(o, M_OPEN_ONLY, &d);
		if (b > 0 && c > 0)
			printf(" %.0f%% |\n", 100.0 * (b - c) / b);
		else
			printf(" - |\n");
	}
	printf("\n(a) `bpf_object__open_file` + `bpf_object__load` + `bpf_object__close`; "
	       "(b) `open` + `BPF_LOAD_FD` + `BPF_PROG_LOAD` by name per program + `close`; "
	       "(c) `open` + `BPF_LOAD_FD` + `close` (in-kernel parse, relocation, map and BTF "
	       "creation, no verification); (d) `bpf_object__open_file` + `bpf_object__close` "
	       "(userspace parse, no kernel). PROG_LOAD share = ((b) − (c)) / (b) of the "
	       "medians: the part of (b) spent in BPF_PROG_LOAD (verifier, CO-RE, JIT).\n\n");

	printf("### What the kernel verified (sums over the programs, from bpf_prog_info)\n\n");
	printf("| object | file KiB | progs | verified insns | xlated insns | jited bytes "
	       "| same in libbpf's load |\n");
	printf("|---|--:|--:|--:|--:|--:|---|\n");
	for (i = 0; i < nobjs; i++) {
		struct bobj *o = &objs[i];
		const struct prog_stats *s = o->have_st[1] ? &o->st[1] : &o->st[0];
		const char *same;

		if (!o->have_st[0] && !o->have_st[1]) {
			printf("| %s | %.1f | %d | - | - | - | - |\n", o->name, o->size / 1024.0,
			       o->nprogs);
			continue;
		}
		if (!o->have_st[0] || !o->have_st[1])
			same = o->have_st[1] ? "(libbpf failed)" : "(BPF_LOAD_FD failed; libbpf's)";
		else if (!memcmp(&o->st[0], &o->st[1], sizeof(o->st[0])))
			same = "yes";
		else
			same = NULL;
		printf("| %s | %.1f | %d | %llu | %llu | %llu |", o->name, o->size / 1024.0,
		       s->progs, s->verified, s->xlated, s->jited);
		if (same)
			printf(" %s |\n", same);
		else
			printf(" no: libbpf %llu / %llu / %llu |\n", o->st[0].verified,
			       o->st[0].xlated, o->st[0].jited);
	}
	printf("\n");

	for (i = 0; i < nobjs; i++) {
		struct bobj *o = &objs[i];

		if (o->err[0] == -ETIME) {
			printf("- **%s** %s\n", o->name, o->errmsg[0]);
			continue;
		}
		for (int m = 0; m < M_NR; m++)
			if (o->err[m])
				printf("- **%s %s failed** (%s): %s\n", o->name, mode_tag[m],
				       strerror(-o->err[m]), o->errmsg[m]);
	}
}

/* ---- loader kernel memory ---- */

struct meminfo {
	long avail_kb;
	long slab_kb;
};

static int read_meminfo(struct meminfo *mi)
{
	char line[256];
	FILE *f = fopen("/proc/meminfo", "re");

	mi->avail_kb = mi->slab_kb = -1;
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "MemAvailable: %ld kB", &mi->avail_kb);
		sscanf(line, "Slab: %ld kB", &mi->slab_kb);
	}
	fclose(f);
	return mi->avail_kb < 0 || mi->slab_kb < 0 ? -ENOENT : 0;
}

static void settle(struct meminfo *mi)
{
	sleep(SETTLE_S);
	read_meminfo(mi);
}

/* loadfd_id from /proc/self/fdinfo/<fd>, or -1. */
static int loader_id(int fd)
{
	char path[64], line[256];
	int id = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "loadfd_id: %d", &id) == 1)
			break;
	if (f)
		fclose(f);
	return id;
}

/* Sum of the fdinfo "memlock:" of every map the loader @fd holds, or -1. */
static long long loader_maps_memlock(int fd, int *nmaps)
{
	char dir[128], path[PATH_MAX], line[256];
	long long sum = 0;
	struct dirent *de;
	DIR *d;
	int id = loader_id(fd);

	*nmaps = 0;
	if (id < 0)
		return -1;
	snprintf(dir, sizeof(dir), "/sys/kernel/bpf_loadfd/%d/maps", id);
	d = opendir(dir);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		union bpf_attr attr;
		unsigned int map_id;
		long long ml = -1;
		int mfd, tfd;
		FILE *f;

		if (de->d_name[0] == '.' && (!de->d_name[1] || !strcmp(de->d_name, "..")))
			continue;
		snprintf(path, sizeof(path), "%s/%s/id", dir, de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		tfd = fscanf(f, "%u", &map_id);
		fclose(f);
		if (tfd != 1)
			continue;
		memset(&attr, 0, sizeof(attr));
		attr.map_id = map_id;
		mfd = sys_bpf(BPF_MAP_GET_FD_BY_ID, &attr);
		if (mfd < 0)
			continue;
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", mfd);
		f = fopen(path, "re");
		while (f && fgets(line, sizeof(line), f))
			if (sscanf(line, "memlock: %lld", &ml) == 1)
				break;
		if (f)
			fclose(f);
		close(mfd);
		if (ml >= 0) {
			sum += ml;
			(*nmaps)++;
		}
	}
	closedir(d);
	return sum;
}

static void raise_nofile(int need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= (rlim_t)need)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= (rlim_t)need ?
		      (rlim_t)need : rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
}

static int bench_mem(const char *name)
{
	struct meminfo m0, m1, m2;
	struct bobj o;
	long long memlock;
	int *fds, i, n = 0, nmaps = 0, obj_fd;

	memset(&o, 0, sizeof(o));
	o.name = name;
	obj_path(o.path, sizeof(o.path), name);
	fds = calloc(opt.held, sizeof(*fds));
	if (!fds)
		return -ENOMEM;
	raise_nofile(opt.held + 64);
	obj_fd = open_obj(&o, M_LOADFD_ONLY);
	if (obj_fd < 0)
		goto fail;
	/* One load and close first, so one-time kernel setup is not counted. */
	fds[0] = loadfd(&o, M_LOADFD_ONLY, obj_fd);
	if (fds[0] < 0)
		goto fail;
	memlock = loader_maps_memlock(fds[0], &nmaps);
	close(fds[0]);
	settle(&m0);
	for (n = 0; n < opt.held; n++) {
		fds[n] = loadfd(&o, M_LOADFD_ONLY, obj_fd);
		if (fds[n] < 0)
			break;
	}
	settle(&m1);
	for (i = 0; i < n; i++)
		close(fds[i]);
	settle(&m2);
	close(obj_fd);
	free(fds);
	if (n < opt.held)
		goto fail_late;

	printf("| %s | %d | %ld → %ld | %.1f | %ld → %ld | %.1f | %ld | %ld |",
	       name, n, m0.avail_kb, m1.avail_kb, (double)(m0.avail_kb - m1.avail_kb) / n,
	       m0.slab_kb, m1.slab_kb, (double)(m1.slab_kb - m0.slab_kb) / n,
	       m0.avail_kb - m2.avail_kb, m2.slab_kb - m0.slab_kb);
	if (memlock >= 0)
		printf(" %.1f (%d maps) |\n", memlock / 1024.0, nmaps);
	else
		printf(" ? |\n");
	return 0;

fail:
	if (obj_fd >= 0)
		close(obj_fd);
	free(fds);
fail_late:
	printf("| %s | %d | failed: %s | | | | | | |\n", name, n, o.errmsg[M_LOADFD_ONLY]);
	return -1;
}

static int bench_mems(void)
{
	char *list = strdup(opt.mem_objs), *save = NULL, *tok;
	int rc = 0;

	if (!list)
		return -ENOMEM;
	printf("### Loader kernel memory (rough)\n\n");
	printf("| object | loaders held | MemAvailable KiB (before → holding) | "
	       "per loader KiB | Slab KiB (before → holding) | per loader KiB "
	       "| MemAvailable not back after close KiB | Slab not back after close KiB "
	       "| maps memlock of one loader KiB |\n");
	printf("|---|--:|--:|--:|--:|--:|--:|--:|--:|\n");
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (bench_mem(tok))
			rc = -1;
	printf("\nRough: system-wide /proc/meminfo counters read %d s after each step "
	       "(RCU and workqueue frees of the loader are deferred), with per-CPU page lists "
	       "and everything else the VM does mixed in. A loader object holds the maps it "
	       "created (their memlock is in the last column; libbpf would create the same "
	       "maps), the object's BTF, the relocated programs and its sysfs directory. "
	       "BPF_LOAD_FD only: no program is loaded.\n\n", SETTLE_S);
	free(list);
	return rc;
}

/* ---- main ---- */

static void usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s [-n iters] [-w warmups] [-b budget_s] [-T total_s] [-m obj[,obj]] "
		"[-k held] [-M] "
		"[object...]\n", argv0);
}

int main(int argc, char **argv)
{
	const char *const *names = default_objs;
	struct bobj *objs;
	int nobjs = ARRAY_LEN(default_objs), c, i, rc = 0;
	double t_start;

	while ((c = getopt(argc, argv, "n:w:b:T:m:k:Mh")) != -1) {
		switch (c) {
		case 'n':
			opt.iters = atoi(optarg);
			break;
		case 'w':
			opt.warmups = atoi(optarg);
			break;
		case 'b':
			opt.budget_s = atof(optarg);
			break;
		case 'T':
			opt.total_s = atof(optarg);
			break;
		case 'm':
			opt.mem_objs = optarg;
			break;
		case 'k':
			opt.held = atoi(optarg);
			break;
		case 'M':
			opt.no_mem = true;
			break;
		default:
			usage(argv[0]);
			return 1;
		}
	}
	if (opt.iters < 1 || opt.warmups < 0 || opt.held < 1 || opt.budget_s < 0 ||
	    opt.total_s < 0) {
		usage(argv[0]);
		return 1;
	}
	if (optind < argc) {
		names = (const char *const *)&argv[optind];
		nobjs = argc - optind;
	}
	objs = calloc(nobjs, sizeof(*objs));
	if (!objs)
		return 1;
	libbpf_set_print(libbpf_capture);
	setvbuf(stdout, NULL, _IOLBF, 0);

	print_env();
	/* Memory first, on a quiet kernel: the timing runs leave deferred frees. */
	if (!opt.no_mem && bench_mems())
		rc = 2;
	t_start = now_us();
	for (i = 0; i < nobjs; i++) {
		struct bobj *o = &objs[i];
		double budget = opt.budget_s;

		o->name = names[i];
		obj_path(o->path, sizeof(o->path), o->name);
		if (opt.total_s > 0) {
			double left = opt.total_s - (now_us() - t_start) / 1e6;

			if (left <= 0) {
				for (int m = 0; m < M_NR; m++)
					set_err(o, m, -ETIME,
						"not run: the -T %g s time limit was used up",
						opt.total_s);
				continue;
			}
			if (budget <= 0 || budget > left / (nobjs - i))
				budget = left / (nobjs - i);
		}
		if (list_progs(o))
			continue;
		bench_obj(o, budget);
	}
	print_tables(objs, nobjs);
	for (i = 0; i < nobjs; i++) {
		for (int m = 0; m < M_NR; m++)
			if (objs[i].err[m])
				rc = 2;
		free_obj(&objs[i]);
	}
	free(objs);
	return rc;
}
