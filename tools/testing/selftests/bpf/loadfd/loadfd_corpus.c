// SPDX-License-Identifier: GPL-2.0
/*
 * loadfd_corpus: a corpus-wide differential of BPF_LOAD_FD against libbpf
 * (dev/corpus.sh builds it and runs it in the VM; not a test, so not *_test).
 *
 *   loadfd_corpus [-t SECONDS] [-P] [-s] [-o RESULTS.tsv] [-l LIST] [OBJ.bpf.o...]
 *
 * Each object runs in a forked child, killed after -t seconds (default 180),
 * so that no object can stop the run. The child:
 *
 *  1. opens and loads the object with plain libbpf (bpf_object__open_file(),
 *     bpf_object__load(); LIBBPF_PIN_BY_NAME maps in a fresh bpffs
 *     directory), times it, and keeps each autoload program's xlated
 *     instructions and verified_insns;
 *  2. loads the same file with BPF_LOAD_FD (bpf_load_fd(), a fresh bpffs
 *     directory as pin_path_fd) and then each of the same programs by name
 *     (BPF_PROG_LOAD with loader_fd/loader_prog_name), timed likewise from
 *     open() to the last program;
 *  3. compares the xlated instructions of every program both loaded. Masked,
 *     as they differ from one load to the next: the map id of an ld_imm64 of
 *     a map (the two maps' type, key, value, max_entries and flags must
 *     match, and a map value's offset too), the two immediates of an
 *     ld_imm64 of a subprogram (BPF_PSEUDO_FUNC), a 64-bit constant that is
 *     a different kernel pointer in each (the verifier bakes per-program
 *     pointers such as prog->aux or a btf_struct_meta into the code), and
 *     the off of a kfunc call (the index of the module BTF in the loader's
 *     fd_array). Everything else byte for byte;
 *  4. with -P, when libbpf cannot load the whole object, loads each program
 *     alone with libbpf (the others' autoload off, as test_loader does) so
 *     that the programs are compared one by one too.
 *
 * Output: one tab-separated line per program ("P") and per object ("O"), see
 * print_prog() and print_obj(); dev/corpus.sh turns them into
 * dev/corpus-results.md. With -s (the CI sample), TAP instead: "ok N NAME"
 * when both loaders load the whole object with identical xlated code, and a
 * "# Totals:" line.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/btf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#define REASON_LEN	300
#define VLOG_SIZE	(4 << 20)
#define LFD_LOG_SIZE	(64 << 10)
#define PIN_ROOT	"/sys/fs/bpf/loadfd_corpus"

enum pstat { P_SKIP, P_SAME, P_DIFFER, P_LIB_ONLY, P_LFD_ONLY, P_NEITHER };
static const char *const pstat_name[] = {
	"skip", "same", "differ", "libbpf_only", "loadfd_only", "neither",
};

struct side {
	bool ok;
	struct bpf_insn *insns;
	__u32 cnt;
	__u32 verified;
	char reason[REASON_LEN];
};

struct prog {
	char *name;
	char *sec;
	struct side lib, lfd;
	bool lib_alone;		/* lib comes from a load of this program alone (-P) */
	enum pstat st;
	int masked;		/* immediates masked */
	char detail[2 * REASON_LEN + 32];
};

struct objres {
	const char *path;
	char name[128];
	struct prog *progs;
	int nprogs;
	bool lib_open, lib_ok, lfd_ok;
	double lib_ms, lfd_ms;
	__u64 lib_verified;
	char lib_reason[REASON_LEN], lfd_reason[REASON_LEN];
	char feat[256];
};

static double t_timeout = 180;
static bool opt_fallback;
static double t_start_child;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Tabs and newlines would break the TSV. */
static void clean(char *s)
{
	for (; *s; s++)
		if (*s == '\t' || *s == '\n' || *s == '\r')
			*s = ' ';
}

static void set_reason(char *dst, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dst, REASON_LEN, fmt, ap);
	va_end(ap);
	clean(dst);
}

/*
 * The line of a verifier or loader log that says why: the last non-empty
 * line that is not the verifier's closing statistics.
 */
static void log_reason(const char *log, char *out, size_t size)
{
	const char *end = log + strlen(log), *p, *q, *best = NULL, *best_end = NULL;

	for (p = log; p < end; p = q + 1) {
		q = strchr(p, '\n');
		if (!q)
			q = end;
		while (p < q && (*p == ' ' || *p == '\t'))
			p++;
		if (q == p || !strncmp(p, "processed ", 10) ||
		    !strncmp(p, "verification time", 17) ||
		    !strncmp(p, "stack depth", 11) ||
		    !strncmp(p, "-- END", 6) || !strncmp(p, "func#", 5) ||
		    !strncmp(p, "mark_precise", 12))
			continue;
		best = p;
		best_end = q;
	}
	if (!best) {
		snprintf(out, size, "(empty log)");
		return;
	}
	snprintf(out, size, "%.*s", (int)(best_end - best), best);
	clean(out);
}

/* ---- libbpf's messages ---- */

static char *lib_log;
static size_t lib_log_len, lib_log_cap;

static int lib_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char buf[4096];
	int n;

	if (level != LIBBPF_WARN)
		return 0;
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n < 0)
		return 0;
	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	if (lib_log_len + n + 1 > lib_log_cap) {
		size_t cap = (lib_log_len + n + 1) * 2;
		char *p = realloc(lib_log, cap);

		if (!p)
			return 0;
		lib_log = p;
		lib_log_cap = cap;
	}
	memcpy(lib_log + lib_log_len, buf, n);
	lib_log_len += n;
	lib_log[lib_log_len] = 0;
	return 0;
}

static void lib_log_reset(void)
{
	lib_log_len = 0;
	if (lib_log)
		lib_log[0] = 0;
}

/*
 * Why libbpf failed: the last line of the verifier log it printed (with the
 * program's name), else its first message (libbpf names the cause first and
 * then says "failed to load object").
 */
static void lib_reason(char *out)
{
	const char *b, *e;
	char tmp[REASON_LEN];

	if (!lib_log || !lib_log[0]) {
		set_reason(out, "(no libbpf message)");
		return;
	}
	b = strstr(lib_log, "-- BEGIN PROG LOAD LOG --");
	e = b ? strstr(b, "-- END PROG LOAD LOG --") : NULL;
	if (b && e) {
		const char *ln = b, *name;
		char *blk = strndup(b + 25, e - b - 25);
		int nlen = 0;

		/* "libbpf: prog 'NAME': -- BEGIN ..." */
		while (ln > lib_log && ln[-1] != '\n')
			ln--;
		name = strstr(ln, "prog '");
		if (name && name < b) {
			name += 6;
			nlen = strcspn(name, "'");
		}
		log_reason(blk ? blk : "", tmp, sizeof(tmp));
		free(blk);
		set_reason(out, "prog '%.*s': %s", nlen, name ? name : "", tmp);
		return;
	}
	b = lib_log;
	if (!strncmp(b, "libbpf: ", 8))
		b += 8;
	set_reason(out, "%.*s", (int)strcspn(b, "\n"), b);
}

/* ---- bpffs directories for pin-by-name maps ---- */

static void rm_dir(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *d;
	DIR *dp = opendir(dir);

	if (!dp)
		return;
	while ((d = readdir(dp))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		if (unlink(path))
			rm_dir(path);
	}
	closedir(dp);
	rmdir(dir);
}

static void pin_dirs(pid_t pid, char *lib, char *lfd, size_t size)
{
	char top[PATH_MAX];

	snprintf(top, sizeof(top), PIN_ROOT "/%d", (int)pid);
	snprintf(lib, size, "%s/lib", top);
	snprintf(lfd, size, "%s/lfd", top);
}

static void pin_cleanup(pid_t pid)
{
	char lib[PATH_MAX], lfd[PATH_MAX], top[PATH_MAX];

	pin_dirs(pid, lib, lfd, sizeof(lib));
	rm_dir(lib);
	rm_dir(lfd);
	snprintf(top, sizeof(top), PIN_ROOT "/%d", (int)pid);
	rmdir(top);
}

/* ---- xlated code ---- */

struct map_sig {
	__u32 id, type, key, value, max_entries, flags;
};

static struct map_sig *sigs;
static int nsigs;
static int map_sig(__u32 id, struct map_sig *out);

/* The maps the code refers to, while they exist (the comparison comes later). */
static void resolve_maps(const struct side *s)
{
	struct map_sig m;
	__u32 i;

	for (i = 0; i + 1 < s->cnt; i++) {
		const struct bpf_insn *x = &s->insns[i];

		if (x->code != (BPF_LD | BPF_IMM | BPF_DW))
			continue;
		if (x->src_reg == BPF_PSEUDO_MAP_FD || x->src_reg == BPF_PSEUDO_MAP_VALUE)
			map_sig(x->imm, &m);
		i++;
	}
}

static int get_xlated(int fd, struct side *s)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), n;

	if (bpf_prog_get_info_by_fd(fd, &info, &len))
		return -errno;
	n = info.xlated_prog_len;
	s->verified = info.verified_insns;
	s->insns = calloc(1, n ? n : 1);
	if (!s->insns)
		return -ENOMEM;
	memset(&info, 0, sizeof(info));
	info.xlated_prog_len = n;
	info.xlated_prog_insns = (__u64)(unsigned long)s->insns;
	len = sizeof(info);
	if (bpf_prog_get_info_by_fd(fd, &info, &len))
		return -errno;
	s->cnt = n / sizeof(struct bpf_insn);
	resolve_maps(s);
	return 0;
}

static int map_sig(__u32 id, struct map_sig *out)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int i, fd;

	for (i = 0; i < nsigs; i++)
		if (sigs[i].id == id) {
			*out = sigs[i];
			return 0;
		}
	fd = bpf_map_get_fd_by_id(id);
	if (fd < 0)
		return -errno;
	if (bpf_map_get_info_by_fd(fd, &info, &len)) {
		close(fd);
		return -errno;
	}
	close(fd);
	out->id = id;
	out->type = info.type;
	out->key = info.key_size;
	out->value = info.value_size;
	out->max_entries = info.max_entries;
	out->flags = info.map_flags;
	sigs = realloc(sigs, (nsigs + 1) * sizeof(*sigs));
	if (sigs)
		sigs[nsigs++] = *out;
	else
		nsigs = 0;
	return 0;
}

/* A kernel-half address (x86-64: the top bit set); constants never are. */
static bool kernel_ptr(__u64 v)
{
	return v >> 63;
}

static void insn_str(const struct bpf_insn *i, char *buf, size_t size)
{
	snprintf(buf, size, "code 0x%02x dst r%u src r%u off %d imm %d", i->code, i->dst_reg,
		 i->src_reg, i->off, i->imm);
}

/*
 * Compares libbpf's (a) and BPF_LOAD_FD's (b) xlated code; the masks are in
 * the header. Returns the number of differing instructions and describes the
 * first one in @detail.
 */
static int xlated_diff(const struct side *a, const struct side *b, int *masked, char *detail)
{
	__u32 i, n = a->cnt < b->cnt ? a->cnt : b->cnt;
	char sa[96], sb[96];
	int diffs = 0;

	*masked = 0;
	detail[0] = 0;
	for (i = 0; i < n; i++) {
		const struct bpf_insn *x = &a->insns[i], *y = &b->insns[i];
		const char *why = NULL;

		if (x->code == (BPF_LD | BPF_IMM | BPF_DW) && i + 1 < n) {
			const struct bpf_insn *x1 = x + 1, *y1 = y + 1;
			__u64 vx = ((__u64)(__u32)x1->imm << 32) | (__u32)x->imm;
			__u64 vy = ((__u64)(__u32)y1->imm << 32) | (__u32)y->imm;
			struct map_sig ma, mb;

			if (x->code != y->code || x->dst_reg != y->dst_reg ||
			    x->src_reg != y->src_reg || x->off != y->off || memcmp(x1, y1, 4) ||
			    x1->off != y1->off || y1->code != x1->code)
				why = "ld_imm64";
			else if (x->src_reg == BPF_PSEUDO_MAP_FD ||
				 x->src_reg == BPF_PSEUDO_MAP_VALUE) {
				(*masked)++;
				if (x->src_reg == BPF_PSEUDO_MAP_VALUE && x1->imm != y1->imm)
					why = "map value offset";
				else if (map_sig(x->imm, &ma) || map_sig(y->imm, &mb))
					why = "map id not found";
				else if (ma.type != mb.type ||
					 ma.key != mb.key ||
					 ma.value != mb.value ||
					 ma.max_entries != mb.max_entries ||
					 ma.flags != mb.flags)
					why = "maps differ";
			} else if (x->src_reg == BPF_PSEUDO_FUNC) {
				(*masked)++;
			} else if (vx != vy) {
				if (kernel_ptr(vx) && kernel_ptr(vy))
					(*masked)++;
				else
					why = "ld_imm64 value";
			}
			if (why && diffs++ == 0) {
				insn_str(x, sa, sizeof(sa));
				insn_str(y, sb, sizeof(sb));
				snprintf(detail, REASON_LEN,
					 "insn %u (%s): libbpf {%s imm2 %d = 0x%llx}, BPF_LOAD_FD {%s imm2 %d = 0x%llx}",
					 i, why, sa, x1->imm, (unsigned long long)vx, sb, y1->imm,
					 (unsigned long long)vy);
			}
			i++;
			continue;
		}
		if (x->code == (BPF_JMP | BPF_CALL) && x->src_reg == BPF_PSEUDO_KFUNC_CALL &&
		    y->code == x->code && y->src_reg == x->src_reg && y->dst_reg == x->dst_reg &&
		    y->imm == x->imm) {
			if (x->off != y->off)
				(*masked)++;
			continue;
		}
		if (!memcmp(x, y, sizeof(*x)))
			continue;
		if (diffs++ == 0) {
			insn_str(x, sa, sizeof(sa));
			insn_str(y, sb, sizeof(sb));
			snprintf(detail, REASON_LEN,
				 "insn %u: libbpf {%s}, BPF_LOAD_FD {%s}", i,
				 sa, sb);
		}
	}
	if (a->cnt != b->cnt) {
		if (!diffs)
			snprintf(detail, REASON_LEN, "%u insns with libbpf, %u with BPF_LOAD_FD",
				 a->cnt, b->cnt);
		diffs++;
	}
	return diffs;
}

/* ---- features of the object (for the load-time classes) ---- */

static void add_feat(struct objres *o, const char *f)
{
	size_t l = strlen(o->feat);

	if (strstr(o->feat, f))
		return;
	snprintf(o->feat + l, sizeof(o->feat) - l, "%s%s", l ? "," : "", f);
}

struct btf_ext_hdr {
	__u16 magic;
	__u8 version;
	__u8 flags;
	__u32 hdr_len;
	__u32 func_info_off, func_info_len, line_info_off, line_info_len;
	__u32 core_relo_off, core_relo_len;
};

static void btf_features(struct objres *o)
{
	struct btf_ext *ext = NULL;
	struct btf *btf = btf__parse_elf(o->path, &ext);
	__u32 i, n;

	if (!btf) {
		add_feat(o, "nobtf");
		return;
	}
	if (ext) {
		__u32 size;
		const struct btf_ext_hdr *h = btf_ext__raw_data(ext, &size);

		if (h && size >= sizeof(*h) && h->hdr_len >= sizeof(*h) && h->core_relo_len > 4)
			add_feat(o, "core");
	}
	n = btf__type_cnt(btf);
	for (i = 1; i < n; i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);
		const char *name = btf__name_by_offset(btf, t->name_off);
		const struct btf_var_secinfo *vs;
		int j;

		if (btf_kind(t) == BTF_KIND_FUNC && btf_vlen(t) == BTF_FUNC_EXTERN /* linkage */)
			add_feat(o, "kfunc");
		if (btf_kind(t) != BTF_KIND_DATASEC || !name)
			continue;
		if (!strcmp(name, ".kconfig"))
			add_feat(o, "kconfig");
		if (!strncmp(name, ".struct_ops", 11))
			add_feat(o, "struct_ops");
		if (!strcmp(name, ".addr_space.1"))
			add_feat(o, "arena");
		if (strcmp(name, ".ksyms"))
			continue;
		vs = btf_var_secinfos(t);
		for (j = 0; j < btf_vlen(t); j++) {
			const struct btf_type *v = btf__type_by_id(btf, vs[j].type);

			add_feat(o, btf_kind(v) == BTF_KIND_FUNC ? "kfunc" : "ksym");
		}
	}
	btf__free(btf);
	btf_ext__free(ext);
}

static void libbpf_features(struct objres *o, struct bpf_object *obj)
{
	struct bpf_program *p;
	struct bpf_map *m;

	bpf_object__for_each_map(m, obj) {
		switch (bpf_map__type(m)) {
		case BPF_MAP_TYPE_PROG_ARRAY:
			add_feat(o, "prog_array");
			break;
		case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
			add_feat(o, "perf_array");
			break;
		case BPF_MAP_TYPE_RINGBUF:
			add_feat(o, "ringbuf");
			break;
		case BPF_MAP_TYPE_ARRAY_OF_MAPS:
		case BPF_MAP_TYPE_HASH_OF_MAPS:
			add_feat(o, "map_in_map");
			break;
		case BPF_MAP_TYPE_STRUCT_OPS:
			add_feat(o, "struct_ops");
			break;
		case BPF_MAP_TYPE_ARENA:
			add_feat(o, "arena");
			break;
		default:
			break;
		}
		if (bpf_map__is_internal(m))
			add_feat(o, "global_data");
		if (bpf_map__pin_path(m))
			add_feat(o, "pin");
	}
	bpf_object__for_each_program(p, obj)
		if (!strncmp(bpf_program__section_name(p), "usdt", 4))
			add_feat(o, "usdt");
}

/* ---- BPF_LOAD_FD side ---- */

static int loader_id(int fd)
{
	char path[64], line[128];
	int id = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "loadfd_id: %d", &id) == 1)
			break;
	fclose(f);
	return id;
}

/* libbpf could not open the file: the programs as the loader lists them. */
static void progs_from_sysfs(struct objres *o, int loader)
{
	char dir[PATH_MAX], path[PATH_MAX + 300], sec[256];
	struct dirent *d;
	DIR *dp;
	int id = loader_id(loader);

	snprintf(dir, sizeof(dir), "/sys/kernel/bpf_loadfd/%d/programs", id);
	dp = opendir(dir);
	if (!dp)
		return;
	while ((d = readdir(dp))) {
		FILE *f;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/section", dir, d->d_name);
		sec[0] = 0;
		f = fopen(path, "r");
		if (f) {
			if (!fgets(sec, sizeof(sec), f))
				sec[0] = 0;
			fclose(f);
		}
		sec[strcspn(sec, "\n")] = 0;
		if (sec[0] == '?')	/* not autoloaded, as with libbpf */
			continue;
		o->progs = realloc(o->progs, (o->nprogs + 1) * sizeof(*o->progs));
		memset(&o->progs[o->nprogs], 0, sizeof(*o->progs));
		o->progs[o->nprogs].name = strdup(d->d_name);
		o->progs[o->nprogs].sec = strdup(sec);
		o->nprogs++;
	}
	closedir(dp);
}

static int lfd_prog_load(int loader, const char *name, char *reason)
{
	LIBBPF_OPTS(bpf_prog_load_opts, po, .loader_fd = loader, .loader_prog_name = name);
	char tmp[REASON_LEN];
	char *log;
	int fd;

	fd = bpf_prog_load(BPF_PROG_TYPE_UNSPEC, NULL, NULL, NULL, 0, &po);
	if (fd >= 0)
		return fd;
	fd = -errno;
	/* Again with the verifier log, for the reason. */
	log = calloc(1, VLOG_SIZE);
	if (log) {
		LIBBPF_OPTS(bpf_prog_load_opts, po2, .loader_fd = loader, .loader_prog_name = name,
			    .log_level = 1, .log_buf = log, .log_size = VLOG_SIZE);
		int fd2 = bpf_prog_load(BPF_PROG_TYPE_UNSPEC, NULL, NULL, NULL, 0, &po2);

		if (fd2 >= 0)
			close(fd2);
		log_reason(log, tmp, sizeof(tmp));
		free(log);
	} else {
		snprintf(tmp, sizeof(tmp), "(no memory for the log)");
	}
	if (!strncmp(tmp, "prog '", 6))	/* the loader's own line names it */
		set_reason(reason, "%s (%s)", tmp, strerror(-fd));
	else
		set_reason(reason, "prog '%s': %s (%s)", name, tmp, strerror(-fd));
	return fd;
}

/* As libbpf before it loads programs: map every arena of the loader (at
 * map_extra if set), which gives it the user address the verifier and the
 * kernel's __arena variables need. Mappings live until the child exits.
 */
static void map_arenas(int loader)
{
	long page = sysconf(_SC_PAGESIZE);
	char dir[128];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "/sys/kernel/bpf_loadfd/%d/maps", loader_id(loader));
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);
		int fd;

		if (de->d_name[0] == '.' && (!de->d_name[1] || de->d_name[1] == '.'))
			continue;
		fd = bpf_load_fd_map_get_fd(loader, de->d_name, 0);
		if (fd < 0)
			continue;
		if (!bpf_map_get_info_by_fd(fd, &info, &len) && info.type == BPF_MAP_TYPE_ARENA)
			mmap((void *)(long)info.map_extra, (size_t)info.max_entries * page,
			     PROT_READ | PROT_WRITE,
			     info.map_extra ? MAP_SHARED | MAP_FIXED : MAP_SHARED, fd, 0);
		close(fd);
	}
	closedir(d);
}

static void run_loadfd(struct objres *o, const char *pindir)
{
	char *log = calloc(1, LFD_LOG_SIZE);
	int obj_fd, loader, dfd, i;
	double t0, tx = 0;

	mkdir(pindir, 0700);
	dfd = open(pindir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	t0 = now_ms();
	obj_fd = open(o->path, O_RDONLY | O_CLOEXEC);
	if (obj_fd < 0) {
		set_reason(o->lfd_reason, "open: %s", strerror(errno));
		return;
	}
	{
		LIBBPF_OPTS(bpf_load_fd_opts, lo, .log_level = 1,
			    .log_buf = log, .log_size = log ? LFD_LOG_SIZE : 0,
			    .flags = dfd >= 0 ? BPF_F_PATH_FD : 0,
			    .pin_path_fd = dfd >= 0 ? dfd : 0);

		loader = bpf_load_fd(obj_fd, &lo);
	}
	if (loader < 0) {
		int err = -loader;
		char tmp[REASON_LEN];

		log_reason(log ? log : "", tmp, sizeof(tmp));
		set_reason(o->lfd_reason, "BPF_LOAD_FD: %s (%s)", tmp, strerror(err));
		close(obj_fd);
		free(log);
		return;
	}
	if (!o->lib_open)
		progs_from_sysfs(o, loader);
	map_arenas(loader);
	o->lfd_ok = true;
	for (i = 0; i < o->nprogs; i++) {
		struct prog *p = &o->progs[i];
		int fd = lfd_prog_load(loader, p->name, p->lfd.reason);
		double t1;

		if (fd < 0) {
			if (o->lfd_ok)
				snprintf(o->lfd_reason, REASON_LEN, "%s", p->lfd.reason);
			o->lfd_ok = false;
			continue;
		}
		p->lfd.ok = true;
		t1 = now_ms();
		if (get_xlated(fd, &p->lfd))
			set_reason(p->lfd.reason, "no xlated code: %s", strerror(errno));
		close(fd);
		tx += now_ms() - t1;	/* not timed, as on libbpf's side */
	}
	o->lfd_ms = now_ms() - t0 - tx;
	close(loader);
	close(obj_fd);
	if (dfd >= 0)
		close(dfd);
	free(log);
}

/* ---- libbpf side ---- */

static struct bpf_object *lib_open(struct objres *o, const char *pindir)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .pin_root_path = pindir);

	return bpf_object__open_file(o->path, &oo);
}

static void run_libbpf(struct objres *o, const char *pindir)
{
	struct bpf_program *p;
	struct bpf_object *obj;
	double t0;
	int i, n = 0, err;

	mkdir(pindir, 0700);
	lib_log_reset();
	t0 = now_ms();
	obj = lib_open(o, pindir);
	if (!obj) {
		lib_reason(o->lib_reason);
		return;
	}
	o->lib_open = true;
	libbpf_features(o, obj);
	bpf_object__for_each_program(p, obj)
		if (bpf_program__autoload(p))
			n++;
	o->progs = calloc(n ? n : 1, sizeof(*o->progs));
	i = 0;
	bpf_object__for_each_program(p, obj) {
		if (!bpf_program__autoload(p))
			continue;
		o->progs[i].name = strdup(bpf_program__name(p));
		o->progs[i].sec = strdup(bpf_program__section_name(p));
		i++;
	}
	o->nprogs = n;
	err = bpf_object__load(obj);
	o->lib_ms = now_ms() - t0;
	if (err) {
		lib_reason(o->lib_reason);
		bpf_object__close(obj);
		rm_dir(pindir);
		return;
	}
	o->lib_ok = true;
	for (i = 0; i < n; i++) {
		struct prog *q = &o->progs[i];

		p = bpf_object__find_program_by_name(obj, q->name);
		q->lib.ok = p && bpf_program__fd(p) >= 0;
		if (q->lib.ok && get_xlated(bpf_program__fd(p), &q->lib))
			set_reason(q->lib.reason, "no xlated code: %s", strerror(errno));
		o->lib_verified += q->lib.verified;
	}
	bpf_object__close(obj);
	rm_dir(pindir);
}

/* -P: each program alone, when libbpf cannot load them all together. */
static void run_libbpf_alone(struct objres *o, const char *pindir)
{
	int i;

	for (i = 0; i < o->nprogs; i++) {
		struct prog *q = &o->progs[i];
		struct bpf_program *p;
		struct bpf_object *obj;

		if (now_ms() - t_start_child > t_timeout * 1e3 * 0.6)
			break;	/* leave the rest as "skip", within the timeout */
		lib_log_reset();
		obj = lib_open(o, pindir);
		if (!obj)
			break;
		bpf_object__for_each_program(p, obj)
			bpf_program__set_autoload(p, !strcmp(bpf_program__name(p), q->name));
		q->lib_alone = true;
		if (bpf_object__load(obj)) {
			lib_reason(q->lib.reason);
		} else {
			p = bpf_object__find_program_by_name(obj, q->name);
			q->lib.ok = true;
			if (get_xlated(bpf_program__fd(p), &q->lib))
				set_reason(q->lib.reason, "no xlated code: %s", strerror(errno));
		}
		bpf_object__close(obj);
		rm_dir(pindir);
	}
}

/* ---- comparison and output ---- */

static void compare(struct objres *o)
{
	int i;

	for (i = 0; i < o->nprogs; i++) {
		struct prog *p = &o->progs[i];
		bool lib_done = o->lib_ok || p->lib_alone;

		if (!lib_done)
			p->st = P_SKIP;
		else if (p->lib.ok && p->lfd.ok)
			p->st = xlated_diff(&p->lib, &p->lfd, &p->masked,
					    p->detail) ?
					P_DIFFER :
					P_SAME;
		else if (p->lib.ok)
			p->st = P_LIB_ONLY;
		else if (p->lfd.ok)
			p->st = P_LFD_ONLY;
		else
			p->st = P_NEITHER;
		if (p->st == P_LIB_ONLY)
			snprintf(p->detail, REASON_LEN, "%s", p->lfd.reason);
		else if (p->st == P_LFD_ONLY)
			snprintf(p->detail, REASON_LEN, "%s", p->lib.reason);
		else if (p->st == P_NEITHER)
			snprintf(p->detail, sizeof(p->detail),
				 "libbpf: %s | BPF_LOAD_FD: %s", p->lib.reason,
				 p->lfd.reason);
		clean(p->detail);
	}
}

static const char *obj_status(const struct objres *o, int *same, int *differ)
{
	int i;

	*same = *differ = 0;
	for (i = 0; i < o->nprogs; i++) {
		*same += o->progs[i].st == P_SAME;
		*differ += o->progs[i].st == P_DIFFER;
	}
	if (o->lib_ok && o->lfd_ok)
		return *differ ? "differ" : "same";
	if (o->lib_ok)
		return "libbpf_only";
	if (o->lfd_ok)
		return "loadfd_only";
	return "neither";
}

/*
 * P <obj> <prog> <sec> <status> <lib verified> <lfd verified> <lib insns>
 *   <lfd insns> <masked> <alone> <detail>
 */
static void print_prog(FILE *f, const struct objres *o, const struct prog *p)
{
	fprintf(f, "P\t%s\t%s\t%s\t%s\t%u\t%u\t%u\t%u\t%d\t%d\t%s\n", o->name, p->name, p->sec,
		pstat_name[p->st], p->lib.verified, p->lfd.verified, p->lib.cnt, p->lfd.cnt,
		p->masked, p->lib_alone, p->detail);
}

/*
 * O <obj> <status> <lib ms> <lfd ms> <progs> <same> <differ> <lib verified>
 *   <features> <libbpf reason> <BPF_LOAD_FD reason>
 */
static void print_obj(FILE *f, const struct objres *o, const char *status)
{
	int same, differ;
	const char *st = obj_status(o, &same, &differ);

	fprintf(f, "O\t%s\t%s\t%.3f\t%.3f\t%d\t%d\t%d\t%llu\t%s\t%s\t%s\n", o->name,
		status ? status : st, o->lib_ms, o->lfd_ms, o->nprogs, same, differ,
		(unsigned long long)o->lib_verified, o->feat[0] ? o->feat : "-",
		o->lib_ok ? "-" : o->lib_reason, o->lfd_ok ? "-" : o->lfd_reason);
}

static void obj_name(const char *path, char *name, size_t size)
{
	const char *b = strrchr(path, '/');
	size_t l;

	snprintf(name, size, "%s", b ? b + 1 : path);
	l = strlen(name);
	if (l > 6 && !strcmp(name + l - 6, ".bpf.o"))
		name[l - 6] = 0;
}

static void child(const char *path, int out_fd)
{
	char lib_dir[PATH_MAX], lfd_dir[PATH_MAX], top[PATH_MAX];
	struct objres o = { .path = path };
	FILE *f = fdopen(out_fd, "w");
	int i;

	t_start_child = now_ms();
	obj_name(path, o.name, sizeof(o.name));
	pin_dirs(getpid(), lib_dir, lfd_dir, sizeof(lib_dir));
	snprintf(top, sizeof(top), PIN_ROOT "/%d", (int)getpid());
	mkdir(top, 0700);
	btf_features(&o);
	run_libbpf(&o, lib_dir);
	run_loadfd(&o, lfd_dir);
	if (opt_fallback && o.lib_open && !o.lib_ok && o.nprogs > 1)
		run_libbpf_alone(&o, lib_dir);
	else if (o.lib_open && !o.lib_ok && o.nprogs == 1) {
		/* The one program failed: that is libbpf's per-program result. */
		o.progs[0].lib_alone = true;
		snprintf(o.progs[0].lib.reason, REASON_LEN, "%s", o.lib_reason);
	}
	compare(&o);
	for (i = 0; i < o.nprogs; i++)
		print_prog(f, &o, &o.progs[i]);
	print_obj(f, &o, NULL);
	fclose(f);
	_exit(0);
}

/* ---- the parent: one child per object, with a deadline ---- */

struct run {
	FILE *out;
	bool tap;
	int n, pass, fail;
};

/* The program and instruction of the first "differ" P line. */
static void first_differ(const char *buf, char *reason)
{
	const char *p;

	for (p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		const char *f = p, *e;
		int k;

		if (strncmp(p, "P\t", 2))
			continue;
		for (k = 0; k < 4 && f; k++)
			f = strchr(f, '\t') ? strchr(f, '\t') + 1 : NULL;
		if (!f || strncmp(f, "differ\t", 7))
			continue;
		/* the detail: after the line's last tab */
		for (e = f + strcspn(f, "\n"); e > f && e[-1] != '\t'; e--)
			;
		e--;
		{
			const char *name = strchr(strchr(p, '\t') + 1, '\t') + 1;

			snprintf(reason, REASON_LEN, "prog %.*s: %.*s",
				 (int)strcspn(name, "\t"), name,
				 (int)strcspn(e + 1, "\n"), e + 1);
		}
		return;
	}
}

static void run_one(struct run *r, const char *path)
{
	char *buf = NULL, name[128], line_status[32] = "";
	size_t len = 0, cap = 0;
	int pfd[2], status;
	double t0 = now_ms();
	bool timed_out = false;
	pid_t pid;

	obj_name(path, name, sizeof(name));
	if (pipe2(pfd, O_CLOEXEC))
		return;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		child(path, pfd[1]);
	}
	close(pfd[1]);
	for (;;) {
		struct pollfd pf = { .fd = pfd[0], .events = POLLIN };
		int left = t_timeout * 1e3 - (now_ms() - t0), n;

		if (left <= 0) {
			timed_out = true;
			kill(pid, SIGKILL);
			break;
		}
		if (poll(&pf, 1, left) <= 0)
			continue;
		if (len + 65536 > cap) {
			cap = (len + 65536) * 2;
			buf = realloc(buf, cap);
		}
		n = read(pfd[0], buf + len, cap - len - 1);
		if (n <= 0)
			break;
		len += n;
	}
	close(pfd[0]);
	waitpid(pid, &status, 0);
	pin_cleanup(pid);
	if (buf)
		buf[len] = 0;
	if (!buf || (strncmp(buf, "O\t", 2) && !strstr(buf, "\nO\t"))) {
		/* The child died before its object line: say how. */
		struct objres o = {};

		snprintf(o.name, sizeof(o.name), "%s", name);
		if (timed_out)
			snprintf(line_status, sizeof(line_status), "timeout");
		else if (WIFSIGNALED(status))
			snprintf(line_status, sizeof(line_status), "signal_%d", WTERMSIG(status));
		else
			snprintf(line_status, sizeof(line_status), "exit_%d", WEXITSTATUS(status));
		set_reason(o.lib_reason, "%s after %.0f ms", line_status, now_ms() - t0);
		set_reason(o.lfd_reason, "%s", o.lib_reason);
		len = 0;
		{
			char *s = NULL;
			size_t sl = 0;
			FILE *m = open_memstream(&s, &sl);

			print_obj(m, &o, line_status);
			fclose(m);
			free(buf);
			buf = s;
		}
	}
	if (r->out) {
		fputs(buf, r->out);
		fflush(r->out);
	}
	r->n++;
	{
		char *o = strstr(buf, "O\t"), st[32] = "?", reason[REASON_LEN] = "";
		char *fields[12] = {};
		int k = 0;

		while (o && o != buf && o[-1] != '\n')
			o = strstr(o + 1, "O\t");
		if (o) {
			char *s = strdup(o), *tok, *save = NULL;

			s[strcspn(s, "\n")] = 0;
			for (tok = strtok_r(s, "\t", &save); tok && k < 12;
			     tok = strtok_r(NULL, "\t", &save))
				fields[k++] = tok;
			if (k > 2)
				snprintf(st, sizeof(st), "%s", fields[2]);
			if (k > 11)
				snprintf(reason, sizeof(reason), "%s",
					 strcmp(fields[11], "-") ? fields[11] : fields[10]);
			if (!strcmp(st, "differ"))
				first_differ(buf, reason);
			if (r->tap) {
				if (!strcmp(st, "same") && k > 5 && strcmp(fields[5], "0")) {
					printf("ok %d %s (%s ms libbpf, %s ms BPF_LOAD_FD, %s progs)\n",
					       r->n, name, fields[3], fields[4],
					       fields[5]);
					r->pass++;
				} else {
					printf("not ok %d %s # %s: %s\n", r->n,
					       name, st,
					       strcmp(st, "same") ?
						       reason :
						       "no program to compare");
					r->fail++;
				}
			} else {
				printf("# %d %s: %s (libbpf %s ms, BPF_LOAD_FD %s ms)%s%s\n",
				       r->n, name, st, k > 3 ? fields[3] : "?",
				       k > 4 ? fields[4] : "?",
				       strcmp(st, "same") ? " " : "",
				       strcmp(st, "same") ? reason : "");
			}
			free(s);
		}
		fflush(stdout);
	}
	free(buf);
}

/* libbpf probes kernel features once per process: probe them here, before
 * the forks, so that no child's load time includes them.
 */
static void warm_up(const char *path)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);

	if (obj) {
		bpf_object__load(obj);
		bpf_object__close(obj);
	}
	lib_log_reset();
}

static void usage(void)
{
	fprintf(stderr,
		"usage: loadfd_corpus [-t SECONDS] [-P] [-s] [-o OUT.tsv] [-w WARMUP.bpf.o]\n"
		"                     [-l LIST] [OBJ.bpf.o...]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct run r = {};
	char **objs = NULL, line[PATH_MAX];
	const char *warm = NULL;
	int nobjs = 0, i, c;
	FILE *l;

	while ((c = getopt(argc, argv, "t:Psl:o:w:")) != -1) {
		switch (c) {
		case 't':
			t_timeout = atof(optarg);
			break;
		case 'P':
			opt_fallback = true;
			break;
		case 's':
			r.tap = true;
			break;
		case 'o':
			r.out = fopen(optarg, "w");
			if (!r.out) {
				perror(optarg);
				return 1;
			}
			break;
		case 'w':
			warm = optarg;
			break;
		case 'l':
			l = fopen(optarg, "r");
			if (!l) {
				perror(optarg);
				return 1;
			}
			while (fgets(line, sizeof(line), l)) {
				line[strcspn(line, "\n")] = 0;
				if (!line[0] || line[0] == '#')
					continue;
				objs = realloc(objs, (nobjs + 1) * sizeof(*objs));
				objs[nobjs++] = strdup(line);
			}
			fclose(l);
			break;
		default:
			usage();
		}
	}
	for (i = optind; i < argc; i++) {
		objs = realloc(objs, (nobjs + 1) * sizeof(*objs));
		objs[nobjs++] = argv[i];
	}
	if (!nobjs)
		usage();
	libbpf_set_print(lib_print);
	mkdir(PIN_ROOT, 0700);
	warm_up(warm ? warm : objs[0]);
	if (r.tap)
		printf("1..%d\n", nobjs);
	for (i = 0; i < nobjs; i++)
		run_one(&r, objs[i]);
	rmdir(PIN_ROOT);
	if (r.tap) {
		printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:0 error:0\n",
		       r.pass, r.fail);
		return r.fail ? 1 : 0;
	}
	if (r.out)
		fclose(r.out);
	return 0;
}
