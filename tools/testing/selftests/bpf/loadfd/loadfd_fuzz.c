// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_LOAD_FD fuzzer: a structure-aware mutator run in a VM (dev/fuzz-vm.sh
 * boots a KASAN/UBSAN/lockdep/KFENCE/kmemleak kernel for it). Not a test: it
 * is not named *_test, so dev/guest-tests.sh does not run it.
 *
 *   loadfd_fuzz [-s SEED] [-n EXECS] [-t SECONDS] [-j JOBS] [-d DIR]... [-x SUBSTR]...
 *               [-P SUBSTR]... [-w KB]
 *               [-i START] [-p PROGS] [-H HANG_SECONDS] [-D DUMPDIR] [-K] [-v] [-l] [-T]
 *
 * Seeds are every *.bpf.o in each -d DIR (default $LOADFD_OBJDIR, else the
 * directory of this binary), plus hostile shapes built here (the review's
 * long names, many programs, duplicate data sections). Execution i mutates
 * one seed with 1-4 operations drawn from an RNG seeded by (SEED, i) only, so
 * `-s SEED -i I -n 1 -v -D DIR` replays execution I and writes its object.
 * The operations: bit flips; bytes, u16, u32 and u64 set to interesting
 * values; ELF header, section header and symbol field edits; relocation and
 * instruction edits; BTF header, type and string edits; .BTF.ext header,
 * block and record edits; and, appended to the file, long names, duplicated
 * sections and symbols, sections spliced from another seed, replicated
 * .BTF.ext records; then truncation.
 *
 * Each mutant goes to BPF_LOAD_FD through a memfd with a log. A rejection must
 * come with a log line; a loader object gets BPF_PROG_LOAD by name for a few
 * of its programs (names read from the mutant's symbol table; sometimes a
 * wrong name or a contradicting attr), sometimes a walk of its sysfs
 * directory, and everything is closed in a random order.
 *
 * Executions run in a worker process; the parent restarts a worker that dies
 * (e.g. memcg OOM) or stops making progress (killed after HANG_SECONDS) and
 * skips that execution. After every execution the worker reads new kernel
 * log records and counts splats (KASAN, UBSAN, KFENCE, BUG, WARNING, lockdep,
 * lockups, stack dumps) against that execution. The last line of output is
 * a machine-readable "FUZZ-RESULT ..." summary.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/btf.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define __printf(a, b) __attribute__((format(printf, a, b)))

#define LOG_LEVEL1 1
#define LOG_SIZE 16384
#define PROG_LOG_SIZE (256 * 1024)
#define MAX_MUTANT (16u << 20)
#define MAX_SEEDS 512
#define MAX_NAMES 64
#define DESC_LEN 512
#define MAX_ERRNO 256
#define MAX_SAMPLES 16

/* ---- deterministic RNG (splitmix64) ---- */

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n); 0 for n == 0. */
static uint64_t rn(struct rng *r, uint64_t n)
{
	return n ? rnd(r) % n : 0;
}

static bool one_in(struct rng *r, uint64_t n)
{
	return rn(r, n) == 0;
}

/* ---- byte buffers ---- */

struct buf {
	unsigned char *d;
	size_t len, cap;
};

static void buf_reserve(struct buf *b, size_t cap)
{
	if (cap <= b->cap)
		return;
	b->d = realloc(b->d, cap);
	if (!b->d) {
		perror("realloc");
		exit(2);
	}
	b->cap = cap;
}

static uint64_t get_le(const unsigned char *d, size_t len, uint64_t off, int w)
{
	uint64_t v = 0;
	int i;

	if (off > len || (uint64_t)w > len - off)
		return 0;
	for (i = w - 1; i >= 0; i--)
		v = v << 8 | d[off + i];
	return v;
}

static void put_le(struct buf *b, uint64_t off, int w, uint64_t v)
{
	int i;

	if (off > b->len || (uint64_t)w > b->len - off)
		return;
	for (i = 0; i < w; i++)
		b->d[off + i] = (unsigned char)(v >> (8 * i));
}

/* Appends @n bytes (8-aligned start, like sections); returns their offset or
 * UINT64_MAX when the mutant would get too big.
 */
static uint64_t buf_append(struct buf *b, const void *p, size_t n)
{
	size_t off = (b->len + 7) & ~(size_t)7;

	if (off + n > MAX_MUTANT)
		return UINT64_MAX;
	buf_reserve(b, off + n);
	memset(b->d + b->len, 0, off - b->len);
	if (p)
		memcpy(b->d + off, p, n);
	else
		memset(b->d + off, 0, n);
	b->len = off + n;
	return off;
}

/* ---- seeds and their layout ---- */

struct sec {
	uint64_t off, size, flags, entsize;
	uint32_t name, type, link, info;
	char nm[64];
};

enum { EXT_FI, EXT_LI, EXT_CORE, EXT_NR };

struct ext_sub {
	uint32_t off, len;	/* relative to the end of the .BTF.ext header */
	uint32_t rec_size;
	uint32_t nblk, nrec;
	uint64_t *blk;		/* file offsets of block headers */
	uint64_t *rec;		/* file offsets of records */
	uint32_t *rec_blk;	/* block of each record */
};

struct seed {
	char name[96];
	bool no_prog_load;	/* -P: BPF_LOAD_FD only */
	unsigned char *d;
	size_t len;
	uint64_t shoff;
	unsigned int shnum, shstrndx;
	struct sec *secs;
	int symtab, btf, ext;
	uint64_t nsyms;
	/* .BTF: file offsets */
	uint64_t btf_off, btf_types, btf_strs;
	uint32_t btf_hdr_len, btf_type_len, btf_str_len;
	uint64_t *types;	/* file offset of each type record */
	uint32_t *type_size;
	uint32_t ntypes;
	/* .BTF.ext */
	uint32_t ext_hdr_len;
	struct ext_sub sub[EXT_NR];
	/* sections of these kinds, by index */
	int rel[64], nrel, exe[64], nexe;
};

static struct seed seeds[MAX_SEEDS];
static int nseeds;
static const char *excludes[16], *no_progs[16];
static int nexcludes, nno_progs;

static size_t btf_rec_size(const unsigned char *p, size_t avail)
{
	uint32_t info, vlen;

	if (avail < 12)
		return 0;
	info = (uint32_t)get_le(p, avail, 4, 4);
	vlen = BTF_INFO_VLEN(info);
	switch (BTF_INFO_KIND(info)) {
	case BTF_KIND_INT:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		return 16;
	case BTF_KIND_PTR:
	case BTF_KIND_FWD:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case BTF_KIND_FLOAT:
	case BTF_KIND_TYPE_TAG:
		return 12;
	case BTF_KIND_ARRAY:
		return 24;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_DATASEC:
		return 12 + (size_t)vlen * 12;
	case BTF_KIND_ENUM:
	case BTF_KIND_FUNC_PROTO:
		return 12 + (size_t)vlen * 8;
	case BTF_KIND_ENUM64:
		return 12 + (size_t)vlen * 12;
	}
	return 0;
}

static void parse_btf(struct seed *s)
{
	const struct sec *sc = &s->secs[s->btf];
	const unsigned char *b = s->d + sc->off;
	uint64_t p, end, cap = 0;

	if (sc->size < 24 || get_le(b, sc->size, 0, 2) != 0xeb9f)
		return;
	s->btf_off = sc->off;
	s->btf_hdr_len = (uint32_t)get_le(b, sc->size, 4, 4);
	if (s->btf_hdr_len < 24 || s->btf_hdr_len > sc->size)
		return;
	s->btf_types = sc->off + s->btf_hdr_len + get_le(b, sc->size, 8, 4);
	s->btf_type_len = (uint32_t)get_le(b, sc->size, 12, 4);
	s->btf_strs = sc->off + s->btf_hdr_len + get_le(b, sc->size, 16, 4);
	s->btf_str_len = (uint32_t)get_le(b, sc->size, 20, 4);
	end = s->btf_types + s->btf_type_len;
	if (end > sc->off + sc->size || s->btf_strs + s->btf_str_len > sc->off + sc->size)
		return;
	for (p = s->btf_types; p < end;) {
		size_t sz = btf_rec_size(s->d + p, end - p);

		if (!sz || p + sz > end)
			break;
		if (s->ntypes == cap) {
			cap = cap ? cap * 2 : 256;
			s->types = realloc(s->types, cap * sizeof(*s->types));
			s->type_size = realloc(s->type_size, cap * sizeof(*s->type_size));
		}
		s->types[s->ntypes] = p;
		s->type_size[s->ntypes++] = (uint32_t)sz;
		p += sz;
	}
}

static void parse_ext(struct seed *s)
{
	const struct sec *sc = &s->secs[s->ext];
	const unsigned char *e = s->d + sc->off;
	int k;

	if (sc->size < 24 || get_le(e, sc->size, 0, 2) != 0xeb9f)
		return;
	s->ext_hdr_len = (uint32_t)get_le(e, sc->size, 4, 4);
	if (s->ext_hdr_len < 24 || s->ext_hdr_len > sc->size)
		return;
	for (k = 0; k < EXT_NR; k++) {
		struct ext_sub *x = &s->sub[k];
		uint64_t base, p, end, rcap = 0, bcap = 0;

		if (16u + 8 * k > s->ext_hdr_len)
			break;
		x->off = (uint32_t)get_le(e, sc->size, 8 + 8 * k, 4);
		x->len = (uint32_t)get_le(e, sc->size, 12 + 8 * k, 4);
		base = sc->off + s->ext_hdr_len + x->off;
		end = base + x->len;
		if (x->len < 4 || end > sc->off + sc->size)
			continue;
		x->rec_size = (uint32_t)get_le(s->d, s->len, base, 4);
		if (x->rec_size < 4 || x->rec_size > 256)
			continue;
		for (p = base + 4; p + 8 <= end;) {
			uint32_t n = (uint32_t)get_le(s->d, s->len, p + 4, 4), i;

			if (x->nblk == bcap) {
				bcap = bcap ? bcap * 2 : 16;
				x->blk = realloc(x->blk, bcap * sizeof(*x->blk));
			}
			x->blk[x->nblk++] = p;
			p += 8;
			for (i = 0; i < n && p + x->rec_size <= end; i++, p += x->rec_size) {
				if (x->nrec == rcap) {
					rcap = rcap ? rcap * 2 : 64;
					x->rec = realloc(x->rec, rcap * sizeof(*x->rec));
					x->rec_blk = realloc(
						x->rec_blk,
						rcap * sizeof(*x->rec_blk));
				}
				x->rec_blk[x->nrec] = x->nblk - 1;
				x->rec[x->nrec++] = p;
			}
			if (i < n)
				break;
		}
	}
}

/* Records the layout of a well-formed seed; false if it is not ELF64 BPF. */
static bool seed_parse(struct seed *s)
{
	const unsigned char *d = s->d;
	unsigned int i;

	s->symtab = s->btf = s->ext = -1;
	if (s->len < 64 || memcmp(d, ELFMAG, SELFMAG) || d[EI_CLASS] != ELFCLASS64)
		return false;
	s->shoff = get_le(d, s->len, 40, 8);
	s->shnum = (unsigned int)get_le(d, s->len, 60, 2);
	s->shstrndx = (unsigned int)get_le(d, s->len, 62, 2);
	if (!s->shnum || s->shoff > s->len || (uint64_t)s->shnum * 64 > s->len - s->shoff ||
	    s->shstrndx >= s->shnum)
		return false;
	s->secs = calloc(s->shnum, sizeof(*s->secs));
	for (i = 0; i < s->shnum; i++) {
		struct sec *sc = &s->secs[i];
		uint64_t h = s->shoff + 64ull * i;

		sc->name = (uint32_t)get_le(d, s->len, h, 4);
		sc->type = (uint32_t)get_le(d, s->len, h + 4, 4);
		sc->flags = get_le(d, s->len, h + 8, 8);
		sc->off = get_le(d, s->len, h + 24, 8);
		sc->size = get_le(d, s->len, h + 32, 8);
		sc->link = (uint32_t)get_le(d, s->len, h + 40, 4);
		sc->info = (uint32_t)get_le(d, s->len, h + 44, 4);
		sc->entsize = get_le(d, s->len, h + 56, 8);
		if (sc->type == SHT_NOBITS || sc->off > s->len || sc->size > s->len - sc->off)
			sc->size = sc->type == SHT_NOBITS ? sc->size : 0;
	}
	for (i = 0; i < s->shnum; i++) {
		struct sec *sc = &s->secs[i], *ss = &s->secs[s->shstrndx];

		if (sc->name < ss->size) {
			size_t max = ss->size - sc->name;

			snprintf(sc->nm, sizeof(sc->nm), "%.*s",
				 (int)strnlen((const char *)d + ss->off + sc->name, max),
				 (const char *)d + ss->off + sc->name);
		}
		if (sc->type == SHT_NOBITS)
			continue;
		if (sc->type == SHT_SYMTAB && s->symtab < 0) {
			s->symtab = (int)i;
			s->nsyms = sc->size / 24;
		} else if (!strcmp(sc->nm, ".BTF")) {
			s->btf = (int)i;
		} else if (!strcmp(sc->nm, ".BTF.ext")) {
			s->ext = (int)i;
		} else if (sc->type == SHT_REL && s->nrel < (int)ARRAY_SIZE(s->rel)) {
			s->rel[s->nrel++] = (int)i;
		} else if (sc->type == SHT_PROGBITS &&
			   (sc->flags & SHF_EXECINSTR) && sc->size >= 8 &&
			   s->nexe < (int)ARRAY_SIZE(s->exe)) {
			s->exe[s->nexe++] = (int)i;
		}
	}
	if (s->btf >= 0)
		parse_btf(s);
	if (s->ext >= 0)
		parse_ext(s);
	return true;
}

static void seed_add(const char *name, unsigned char *d, size_t len)
{
	struct seed *s;
	int i;

	if (nseeds == MAX_SEEDS) {
		free(d);
		return;
	}
	s = &seeds[nseeds];
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->d = d;
	s->len = len;
	for (i = 0; i < nno_progs; i++)
		s->no_prog_load |= strstr(name, no_progs[i]) != NULL;
	if (!seed_parse(s)) {
		fprintf(stderr, "# seed %s: not an ELF64 object, skipped\n", name);
		free(d);
		return;
	}
	nseeds++;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.bpf.o of @dir, in name order (so seed indices are stable). */
static void seeds_from_dir(const char *dir)
{
	char *names[MAX_SEEDS], path[PATH_MAX];
	struct dirent *de;
	int n = 0, i;
	DIR *dp;

	dp = opendir(dir);
	if (!dp) {
		fprintf(stderr, "# %s: %s\n", dir, strerror(errno));
		return;
	}
	while ((de = readdir(dp)) && n < MAX_SEEDS) {
		size_t l = strlen(de->d_name);

		bool skip = false;

		for (i = 0; i < nexcludes; i++)
			skip |= strstr(de->d_name, excludes[i]) != NULL;
		if (l > 6 && !strcmp(de->d_name + l - 6, ".bpf.o") && !skip)
			names[n++] = strdup(de->d_name);
	}
	closedir(dp);
	qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n; i++) {
		struct stat st;
		unsigned char *d;
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		f = fopen(path, "re");
		if (!f || fstat(fileno(f), &st) || st.st_size <= 0 || st.st_size > MAX_MUTANT) {
			if (f)
				fclose(f);
			free(names[i]);
			continue;
		}
		d = malloc(st.st_size);
		if (d && fread(d, 1, st.st_size, f) == (size_t)st.st_size)
			seed_add(names[i], d, st.st_size);
		else
			free(d);
		fclose(f);
		free(names[i]);
	}
}

/* ---- hostile shapes (after the review's poc/mkelf.py generators) ---- */

struct esec {
	const char *name;
	size_t name_len;	/* 0: strlen(name) */
	uint32_t type, link, info;
	uint64_t flags, entsize, align;
	const void *data;
	size_t size;
};

/* An ELF64 EM_BPF relocatable object: the sections, then .shstrtab. */
static void mkelf(const char *name, const struct esec *secs, int n)
{
	struct buf b = {}, shstr = {};
	uint64_t *offs = calloc(n + 1, sizeof(*offs));
	uint32_t *noff = calloc(n + 1, sizeof(*noff));
	unsigned char sh[64];
	uint64_t shoff;
	int i;

	buf_reserve(&shstr, 64);
	shstr.d[0] = 0;
	shstr.len = 1;
	for (i = 0; i <= n; i++) {
		const char *nm = i < n ? secs[i].name : ".shstrtab";
		size_t l = i < n && secs[i].name_len ? secs[i].name_len : strlen(nm);

		noff[i] = (uint32_t)shstr.len;
		buf_reserve(&shstr, shstr.len + l + 1);
		memcpy(shstr.d + shstr.len, nm, l);
		shstr.d[shstr.len + l] = 0;
		shstr.len += l + 1;
	}
	buf_append(&b, NULL, 64);
	for (i = 0; i < n; i++)
		offs[i] = buf_append(&b, secs[i].data, secs[i].size);
	offs[n] = buf_append(&b, shstr.d, shstr.len);
	shoff = buf_append(&b, NULL, 64);	/* the null section */
	for (i = 0; i <= n; i++) {
		const struct esec *e = i < n ? &secs[i] : NULL;
		struct buf t = { sh, 64, 64 };

		memset(sh, 0, sizeof(sh));
		put_le(&t, 0, 4, noff[i]);
		put_le(&t, 4, 4, e ? e->type : SHT_STRTAB);
		put_le(&t, 8, 8, e ? e->flags : 0);
		put_le(&t, 24, 8, offs[i]);
		put_le(&t, 32, 8, e ? e->size : shstr.len);
		put_le(&t, 40, 4, e ? e->link : 0);
		put_le(&t, 44, 4, e ? e->info : 0);
		put_le(&t, 48, 8, e && e->align ? e->align : 8);
		put_le(&t, 56, 8, e ? e->entsize : 0);
		buf_append(&b, sh, 64);
	}
	memcpy(b.d, ELFMAG, SELFMAG);
	b.d[EI_CLASS] = ELFCLASS64;
	b.d[EI_DATA] = ELFDATA2LSB;
	b.d[EI_VERSION] = EV_CURRENT;
	put_le(&b, 16, 2, ET_REL);
	put_le(&b, 18, 2, EM_BPF);
	put_le(&b, 20, 4, EV_CURRENT);
	put_le(&b, 40, 8, shoff);
	put_le(&b, 52, 2, 64);
	put_le(&b, 58, 2, 64);
	put_le(&b, 60, 2, n + 2);
	put_le(&b, 62, 2, n + 1);
	free(shstr.d);
	free(offs);
	free(noff);
	seed_add(name, b.d, b.len);
}

static void put_sym(unsigned char *p, uint32_t name, unsigned char info, uint16_t shndx,
		    uint64_t value, uint64_t size)
{
	struct buf t = { p, 24, 24 };

	memset(p, 0, 24);
	put_le(&t, 0, 4, name);
	p[4] = info;
	put_le(&t, 6, 2, shndx);
	put_le(&t, 8, 8, value);
	put_le(&t, 16, 8, size);
}

static const unsigned char ret0[16] = { 0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95 };
static const char gpl[] = "GPL";

/*
 * One socket program "prog" (or @nprogs programs p0..pN) plus @nlong local
 * symbols all naming one @L-byte string; the program section may get a long
 * name too (@secname_long bytes appended to "socket/").
 */
static void mk_shape(const char *name, size_t L, unsigned int nlong, unsigned int nprogs,
		     size_t prog_name_len, size_t secname_long)
{
	size_t strsz = 1 + L + 1 + (prog_name_len ? prog_name_len + 1 : 0) + nprogs * 12;
	unsigned char *strtab = calloc(1, strsz), *syms, *insns;
	size_t nsym = 1 + nlong + nprogs, so = 1 + L + 1, i;
	char *secname = NULL;
	struct esec secs[4];

	syms = calloc(nsym, 24);
	insns = calloc(nprogs, 16);
	memset(strtab + 1, 'A', L);
	for (i = 0; i < nlong; i++)
		put_sym(syms + 24 * (1 + i), 1, STB_LOCAL << 4 | STT_NOTYPE, 0, 0, 0);
	for (i = 0; i < nprogs; i++) {
		uint32_t off = (uint32_t)so;

		if (prog_name_len) {
			memset(strtab + so, 'B', prog_name_len);
			so += prog_name_len + 1;
		} else {
			so += sprintf((char *)strtab + so, nprogs > 1 ? "p%zx" : "prog", i) + 1;
		}
		put_sym(syms + 24 * (1 + nlong + i), off,
			STB_GLOBAL << 4 | STT_FUNC, 3, 16 * i, 16);
		memcpy(insns + 16 * i, ret0, 16);
		if (prog_name_len)
			prog_name_len = 0;	/* only the first program's name is long */
	}
	if (secname_long) {
		secname = malloc(7 + secname_long + 1);
		memcpy(secname, "socket/", 7);
		memset(secname + 7, 'B', secname_long);
		secname[7 + secname_long] = 0;
	}
	secs[0] = (struct esec){ .name = ".strtab", .type = SHT_STRTAB, .data = strtab,
				 .size = so, .align = 1 };
	secs[1] = (struct esec){ .name = ".symtab", .type = SHT_SYMTAB, .data = syms,
				 .size = nsym * 24, .link = 1, .info = 1 + nlong, .entsize = 24 };
	secs[2] = (struct esec){ .name = secname ? secname : "socket", .type = SHT_PROGBITS,
				 .flags = SHF_ALLOC | SHF_EXECINSTR, .data = insns,
				 .size = 16 * nprogs };
	secs[3] = (struct esec){ .name = "license", .type = SHT_PROGBITS,
				 .flags = SHF_ALLOC | SHF_WRITE, .data = gpl, .size = 4,
				 .align = 1 };
	mkelf(name, secs, 4);
	free(strtab);
	free(syms);
	free(insns);
	free(secname);
}

/* poc/dupdata.py: two ".data.x" sections and one named ".data/../x\ny". */
static void mk_dupdata(void)
{
	static const char strtab[] = "\0prog";
	static const unsigned char d1[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	static const unsigned char d2[8] = { 9, 10, 11, 12, 13, 14, 15, 16 };
	static const unsigned char zero[8];
	unsigned char syms[48];
	struct esec secs[7];

	put_sym(syms, 0, 0, 0, 0, 0);
	put_sym(syms + 24, 1, STB_GLOBAL << 4 | STT_FUNC, 3, 0, 16);
	secs[0] = (struct esec){ .name = ".strtab", .type = SHT_STRTAB, .data = strtab,
				 .size = sizeof(strtab), .align = 1 };
	secs[1] = (struct esec){ .name = ".symtab", .type = SHT_SYMTAB, .data = syms,
				 .size = 48, .link = 1, .info = 1, .entsize = 24 };
	secs[2] = (struct esec){ .name = "socket", .type = SHT_PROGBITS,
				 .flags = SHF_ALLOC | SHF_EXECINSTR, .data = ret0, .size = 16 };
	secs[3] = (struct esec){ .name = "license", .type = SHT_PROGBITS,
				 .flags = SHF_ALLOC | SHF_WRITE, .data = gpl, .size = 4,
				 .align = 1 };
	secs[4] = (struct esec){ .name = ".data.x", .type = SHT_PROGBITS,
				 .flags = SHF_ALLOC | SHF_WRITE, .data = d1, .size = 8 };
	secs[5] = secs[4];
	secs[5].data = d2;
	secs[6] = (struct esec){ .name = ".data/../x\ny", .type = SHT_PROGBITS,
				 .flags = SHF_ALLOC | SHF_WRITE, .data = zero, .size = 8 };
	mkelf("hostile_dupdata", secs, 7);
}

static void seeds_hostile(void)
{
	mk_shape("hostile_minimal", 0, 0, 1, 0, 0);
	mk_shape("hostile_longname_syms", 4096, 2000, 1, 0, 0);
	mk_shape("hostile_longname_syms_1m", 1 << 20, 16, 1, 0, 0);
	mk_shape("hostile_longprogname_513", 0, 0, 1, 513, 0);
	mk_shape("hostile_longprogname_100k", 0, 0, 1, 100000, 0);
	mk_shape("hostile_longsecname", 0, 0, 1, 0, 600);
	/* Scaled down: BPF_LOAD_FD of 2000 programs takes 4 s under KASAN and TCG. */
	mk_shape("hostile_manyprogs", 0, 0, 256, 0, 0);
	mk_dupdata();
}

/* ---- the mutant ---- */

struct mut {
	struct buf b;
	const struct seed *s;
	char desc[DESC_LEN];
	size_t dlen;
};

static void say(struct mut *m, const char *fmt, ...) __printf(2, 3);
static void say(struct mut *m, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (m->dlen >= sizeof(m->desc) - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(m->desc + m->dlen, sizeof(m->desc) - m->dlen, fmt, ap);
	va_end(ap);
	if (n > 0)
		m->dlen += (size_t)n;
	if (m->dlen >= sizeof(m->desc))
		m->dlen = sizeof(m->desc) - 1;
}

/* Current section header table of the mutant (after appends moved it). */
static bool cur_shdrs(const struct mut *m, uint64_t *shoff, unsigned int *shnum)
{
	*shoff = get_le(m->b.d, m->b.len, 40, 8);
	*shnum = (unsigned int)get_le(m->b.d, m->b.len, 60, 2);
	return *shnum && *shoff <= m->b.len && (uint64_t)*shnum * 64 <= m->b.len - *shoff;
}

static uint64_t shdr_at(const struct mut *m, unsigned int i, int field_off, int w)
{
	uint64_t shoff;
	unsigned int shnum;

	if (!cur_shdrs(m, &shoff, &shnum) || i >= shnum)
		return 0;
	return get_le(m->b.d, m->b.len, shoff + 64ull * i + field_off, w);
}

static void shdr_set(struct mut *m, unsigned int i, int field_off, int w, uint64_t v)
{
	uint64_t shoff;
	unsigned int shnum;

	if (cur_shdrs(m, &shoff, &shnum) && i < shnum)
		put_le(&m->b, shoff + 64ull * i + field_off, w, v);
}

static const uint64_t interesting_vals[] = {
	0, 1, 2, 3, 4, 7, 8, 12, 16, 24, 32, 63, 64, 65, 127, 128, 255, 256, 511, 512, 513,
	1023, 1024, 4095, 4096, 4097, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff,
	0x80000000, 0x80000001, 0xfffffff0, 0xfffffffe, 0xffffffff, 0x100000000ULL,
	0x7fffffffffffffffULL, 0x8000000000000000ULL, 0xfffffffffffffff8ULL,
	0xffffffffffffffffULL,
};

/* An interesting value for a @w-byte field now holding @cur. */
static uint64_t interesting(struct rng *r, const struct mut *m, uint64_t cur, int w)
{
	uint64_t v, mask = w == 8 ? ~0ULL : (1ULL << (8 * w)) - 1;

	switch (rn(r, 8)) {
	case 0:
	case 1:
	case 2:
		v = interesting_vals[rn(r, ARRAY_SIZE(interesting_vals))];
		break;
	case 3:
		v = cur + 1 + rn(r, 16);
		break;
	case 4:
		v = cur - 1 - rn(r, 16);
		break;
	case 5:
		v = one_in(r, 2) ? cur * 2 : cur ^ (1ULL << rn(r, 8 * w));
		break;
	case 6:	/* sizes and offsets relative to the file */
		v = m->b.len + rn(r, 3) - 1;
		break;
	default:
		v = rnd(r);
		if (one_in(r, 2))
			v &= 0xffff;
	}
	return v & mask;
}

static const char *const shdr_field_name[] = {
	"sh_name", "sh_type", "sh_flags", "sh_addr", "sh_offset", "sh_size",
	"sh_link", "sh_info", "sh_addralign", "sh_entsize",
};
static const int shdr_field_off[] = { 0, 4, 8, 16, 24, 32, 40, 44, 48, 56 };
static const int shdr_field_w[] = { 4, 4, 8, 8, 8, 8, 4, 4, 8, 8 };

/* A region of the seed file: [*off, *off + *len). */
static void pick_region(struct rng *r, const struct seed *s, uint64_t *off, uint64_t *len,
			const char **what)
{
	int tries;

	for (tries = 0; tries < 4; tries++) {
		unsigned int k = (unsigned int)rn(r, 8);
		int i = -1;

		switch (k) {
		case 0:
			*off = 0, *len = s->len, *what = "file";
			return;
		case 1:
			*off = 0, *len = 64, *what = "ehdr";
			return;
		case 2:
			*off = s->shoff, *len = 64ull * s->shnum, *what = "shdrs";
			return;
		case 3:
			i = s->symtab;
			break;
		case 4:
			i = s->btf;
			break;
		case 5:
			i = s->ext;
			break;
		case 6:
			i = s->nrel ? s->rel[rn(r, s->nrel)] : -1;
			break;
		default:
			i = (int)rn(r, s->shnum);
		}
		if (i > 0 && s->secs[i].type != SHT_NOBITS && s->secs[i].size) {
			*off = s->secs[i].off;
			*len = s->secs[i].size;
			*what = s->secs[i].nm[0] ? s->secs[i].nm : "sec";
			return;
		}
	}
	*off = 0, *len = s->len, *what = "file";
}

/* -- phase 0: edits in place -- */

static void op_bitflip(struct rng *r, struct mut *m)
{
	uint64_t off, len, at;
	const char *what;
	unsigned char x;

	pick_region(r, m->s, &off, &len, &what);
	at = off + rn(r, len);
	if (at >= m->b.len)
		return;
	if (one_in(r, 2)) {
		x = (unsigned char)(1u << rn(r, 8));
		m->b.d[at] ^= x;
		say(m, "flip %s+%llu^0x%02x; ", what, (unsigned long long)(at - off), x);
	} else {
		static const unsigned char bytes[] = { 0, 1, 0x7f, 0x80, 0xff, '.', '/', '\n' };

		x = one_in(r, 3) ? (unsigned char)rnd(r) : bytes[rn(r, sizeof(bytes))];
		m->b.d[at] = x;
		say(m, "byte %s+%llu=0x%02x; ", what, (unsigned long long)(at - off), x);
	}
}

static void op_int(struct rng *r, struct mut *m)
{
	static const int widths[] = { 2, 4, 4, 4, 8 };
	uint64_t off, len, at, v;
	const char *what;
	int w = widths[rn(r, ARRAY_SIZE(widths))];

	pick_region(r, m->s, &off, &len, &what);
	if (len < (uint64_t)w)
		return;
	at = off + rn(r, len / w) * w;
	v = interesting(r, m, get_le(m->b.d, m->b.len, at, w), w);
	put_le(&m->b, at, w, v);
	say(m, "u%d %s+%llu=0x%llx; ", 8 * w, what, (unsigned long long)(at - off),
	    (unsigned long long)v);
}

static void op_ehdr(struct rng *r, struct mut *m)
{
	static const struct { const char *n; int off, w; } f[] = {
		{ "ei_class", 4, 1 }, { "ei_data", 5, 1 }, { "e_type", 16, 2 },
		{ "e_machine", 18, 2 }, { "e_shoff", 40, 8 }, { "e_flags", 48, 4 },
		{ "e_ehsize", 52, 2 }, { "e_shentsize", 58, 2 }, { "e_shnum", 60, 2 },
		{ "e_shstrndx", 62, 2 },
	};
	unsigned int k = (unsigned int)rn(r, ARRAY_SIZE(f));
	uint64_t cur = get_le(m->b.d, m->b.len, f[k].off, f[k].w);
	uint64_t v = interesting(r, m, cur, f[k].w);

	if (f[k].off == 62 && one_in(r, 2))
		v = rn(r, m->s->shnum + 2);	/* another section as shstrtab */
	put_le(&m->b, f[k].off, f[k].w, v);
	say(m, "%s=0x%llx; ", f[k].n, (unsigned long long)v);
}

static void op_shdr(struct rng *r, struct mut *m)
{
	const struct seed *s = m->s;
	unsigned int i = (unsigned int)(one_in(r, 16) ? 0 : 1 + rn(r, s->shnum - 1));
	unsigned int k = (unsigned int)rn(r, ARRAY_SIZE(shdr_field_off));
	unsigned int j = (unsigned int)rn(r, s->shnum);
	int w = shdr_field_w[k];
	uint64_t cur = shdr_at(m, i, shdr_field_off[k], w), v;

	switch (rn(r, 4)) {
	case 0:	/* the same field of another section */
		v = shdr_at(m, j, shdr_field_off[k], w);
		break;
	case 1:	/* a section index, a type, an offset inside the file */
		v = k == 1 ? rn(r, 20) : k == 4 ? rn(r, s->len) : k == 0 ?
			rn(r, s->secs[s->shstrndx].size + 2) : rn(r, s->shnum + 2);
		break;
	default:
		v = interesting(r, m, cur, w);
	}
	if (i >= s->shnum)
		return;
	shdr_set(m, i, shdr_field_off[k], w, v);
	say(m, "shdr[%u %s].%s=0x%llx; ", i, s->secs[i].nm, shdr_field_name[k],
	    (unsigned long long)v);
}

static void op_sym(struct rng *r, struct mut *m)
{
	static const struct { const char *n; int off, w; } f[] = {
		{ "st_name", 0, 4 }, { "st_info", 4, 1 }, { "st_other", 5, 1 },
		{ "st_shndx", 6, 2 }, { "st_value", 8, 8 }, { "st_size", 16, 8 },
	};
	static const unsigned char stt[] = { STT_NOTYPE, STT_OBJECT, STT_FUNC, STT_SECTION,
					     STT_FILE, STT_TLS, 15 };
	const struct seed *s = m->s;
	uint64_t j, at, cur, v;
	unsigned int k;

	if (s->symtab < 0 || !s->nsyms)
		return;
	j = rn(r, s->nsyms);
	k = (unsigned int)rn(r, ARRAY_SIZE(f));
	at = s->secs[s->symtab].off + 24 * j + f[k].off;
	cur = get_le(m->b.d, m->b.len, at, f[k].w);
	if (k == 1 && one_in(r, 2)) {	/* bind and type from the interesting ones */
		v = rn(r, 3) << 4 | stt[rn(r, ARRAY_SIZE(stt))];
	} else if (k == 3 && one_in(r, 2)) {
		uint64_t shn[] = { SHN_UNDEF, SHN_ABS, SHN_COMMON, SHN_XINDEX,
				   s->shnum, s->shnum - 1, rn(r, s->shnum) };

		v = shn[rn(r, ARRAY_SIZE(shn))];
	} else if (k == 0 && one_in(r, 2)) {	/* another symbol's name */
		v = get_le(m->b.d, m->b.len, s->secs[s->symtab].off + 24 * rn(r, s->nsyms), 4);
	} else {
		v = interesting(r, m, cur, f[k].w);
	}
	put_le(&m->b, at, f[k].w, v);
	say(m, "sym[%llu].%s=0x%llx; ", (unsigned long long)j, f[k].n, (unsigned long long)v);
}

static void op_rel(struct rng *r, struct mut *m)
{
	const struct seed *s = m->s;
	const struct sec *rs;
	uint64_t j, at, v;
	int i;

	if (!s->nrel)
		return;
	i = s->rel[rn(r, s->nrel)];
	rs = &s->secs[i];
	if (rs->size < 16)
		return;
	j = rn(r, rs->size / 16);
	at = rs->off + 16 * j;
	switch (rn(r, 4)) {
	case 0: {	/* r_offset */
		uint64_t cur = get_le(m->b.d, m->b.len, at, 8);

		v = one_in(r, 2) ? cur + (int64_t)(rn(r, 5) - 2) * 4 : interesting(r, m, cur, 8);
		put_le(&m->b, at, 8, v);
		say(m, "rel[%s %llu].r_offset=0x%llx; ", rs->nm, (unsigned long long)j,
		    (unsigned long long)v);
		break;
	}
	case 1:	/* symbol */
		v = one_in(r, 2) ? rn(r, s->nsyms + 2) : interesting(r, m, 0, 4);
		put_le(&m->b, at + 12, 4, v);
		say(m, "rel[%s %llu].sym=%llu; ", rs->nm, (unsigned long long)j,
		    (unsigned long long)v);
		break;
	case 2:	/* type */
		v = one_in(r, 2) ? rn(r, 12) : interesting(r, m, 0, 4);
		put_le(&m->b, at + 8, 4, v);
		say(m, "rel[%s %llu].type=%llu; ", rs->nm, (unsigned long long)j,
		    (unsigned long long)v);
		break;
	default: {	/* the instruction it points at */
		uint64_t tgt = rs->info < s->shnum ? s->secs[rs->info].off : 0;
		uint64_t ioff = tgt + get_le(m->b.d, m->b.len, at, 8);
		static const unsigned char codes[] = { 0x18, 0x85, 0x95, 0x05, 0xb7, 0x61, 0x00 };

		if (!tgt || ioff + 16 > m->b.len)
			return;
		if (one_in(r, 2)) {
			m->b.d[ioff] = codes[rn(r, sizeof(codes))];
			say(m, "rel[%s %llu] insn code=0x%02x; ", rs->nm, (unsigned long long)j,
			    m->b.d[ioff]);
		} else {
			m->b.d[ioff + 1] =
				(unsigned char)((rn(r, 8) << 4) |
						(m->b.d[ioff + 1] & 0xf));
			say(m, "rel[%s %llu] insn src_reg=%u; ", rs->nm, (unsigned long long)j,
			    m->b.d[ioff + 1] >> 4);
		}
	}
	}
}

static void op_insn(struct rng *r, struct mut *m)
{
	static const unsigned char codes[] = {
		0x18, 0x85, 0x95, 0x05, 0x06, 0xb7, 0xbf, 0x61, 0x79, 0x7b, 0xdb, 0xc3, 0x15,
		0x8d, 0x00,
	};
	const struct seed *s = m->s;
	const struct sec *es;
	uint64_t at;

	if (!s->nexe)
		return;
	es = &s->secs[s->exe[rn(r, s->nexe)]];
	at = es->off + 8 * rn(r, es->size / 8);
	switch (rn(r, 4)) {
	case 0:
		m->b.d[at] = one_in(r, 2) ? codes[rn(r, sizeof(codes))] : (unsigned char)rnd(r);
		say(m, "insn[%s+%llu].code=0x%02x; ", es->nm, (unsigned long long)(at - es->off),
		    m->b.d[at]);
		break;
	case 1:	/* src_reg: the BPF_PSEUDO_* kinds live here */
		m->b.d[at + 1] = (unsigned char)(rn(r, 16) << 4 | (m->b.d[at + 1] & 0xf));
		say(m, "insn[%s+%llu].src=%u; ", es->nm, (unsigned long long)(at - es->off),
		    m->b.d[at + 1] >> 4);
		break;
	case 2: {
		uint64_t v = interesting(r, m, get_le(m->b.d, m->b.len, at + 2, 2), 2);

		put_le(&m->b, at + 2, 2, v);
		say(m, "insn[%s+%llu].off=0x%llx; ", es->nm, (unsigned long long)(at - es->off),
		    (unsigned long long)v);
		break;
	}
	default: {
		uint64_t v = interesting(r, m, get_le(m->b.d, m->b.len, at + 4, 4), 4);

		put_le(&m->b, at + 4, 4, v);
		say(m, "insn[%s+%llu].imm=0x%llx; ", es->nm, (unsigned long long)(at - es->off),
		    (unsigned long long)v);
	}
	}
}

static void op_btf_hdr(struct rng *r, struct mut *m)
{
	static const struct { const char *n; int off, w; } f[] = {
		{ "magic", 0, 2 }, { "version", 2, 1 }, { "flags", 3, 1 }, { "hdr_len", 4, 4 },
		{ "type_off", 8, 4 }, { "type_len", 12, 4 }, { "str_off", 16, 4 },
		{ "str_len", 20, 4 },
	};
	const struct seed *s = m->s;
	unsigned int k = (unsigned int)rn(r, ARRAY_SIZE(f));
	uint64_t at = s->btf_off + f[k].off, v;

	if (!s->btf_off)
		return;
	v = interesting(r, m, get_le(m->b.d, m->b.len, at, f[k].w), f[k].w);
	put_le(&m->b, at, f[k].w, v);
	say(m, "btf.%s=0x%llx; ", f[k].n, (unsigned long long)v);
}

static void op_btf_type(struct rng *r, struct mut *m)
{
	const struct seed *s = m->s;
	uint32_t t, kind, info;
	uint64_t at, v;

	if (!s->ntypes)
		return;
	t = (uint32_t)rn(r, s->ntypes);
	/* Arrays hold map attributes (__uint) and .kconfig sizes: favour them. */
	if (one_in(r, 3)) {
		uint32_t k, start = t;

		for (k = 0; k < s->ntypes; k++) {
			t = (start + k) % s->ntypes;
			if (BTF_INFO_KIND(get_le(m->b.d, m->b.len, s->types[t] + 4, 4)) ==
			    BTF_KIND_ARRAY)
				break;
		}
	}
	at = s->types[t];
	info = (uint32_t)get_le(m->b.d, m->b.len, at + 4, 4);
	kind = BTF_INFO_KIND(info);
	switch (rn(r, 6)) {
	case 0:	/* kind, vlen, kind_flag */
		switch (rn(r, 3)) {
		case 0:
			v = (info & ~(0x1fu << 24)) | (uint32_t)rn(r, 32) << 24;
			break;
		case 1:
			v = (info & ~0xffffu) | (interesting(r, m, info & 0xffff, 2) & 0xffff);
			break;
		default:
			v = info ^ 0x80000000u;
		}
		put_le(&m->b, at + 4, 4, v);
		say(m, "btf[%u kind %u].info=0x%llx; ", t + 1, kind, (unsigned long long)v);
		break;
	case 1:	/* name_off */
		v = one_in(r, 2) ? rn(r, s->btf_str_len + 2) :
				   get_le(m->b.d, m->b.len, s->types[rn(r, s->ntypes)], 4);
		put_le(&m->b, at, 4, v);
		say(m, "btf[%u kind %u].name_off=%llu; ", t + 1, kind, (unsigned long long)v);
		break;
	case 2:	/* size or type: another type id, itself (a cycle), or anything */
		v = one_in(r, 3) ? t + 1 : one_in(r, 2) ? rn(r, s->ntypes + 3) :
			interesting(r, m, get_le(m->b.d, m->b.len, at + 8, 4), 4);
		put_le(&m->b, at + 8, 4, v);
		say(m, "btf[%u kind %u].size_type=0x%llx; ", t + 1, kind, (unsigned long long)v);
		break;
	default: {	/* a u32 of the kind-specific data (array nelems, members, ...) */
		uint32_t words = (s->type_size[t] - 12) / 4, wi;

		if (!words)
			return;
		wi = kind == BTF_KIND_ARRAY && one_in(r, 2) ? 2 : (uint32_t)rn(r, words);
		v = one_in(r, 3) ? rn(r, s->ntypes + 3) :
			interesting(r, m, get_le(m->b.d, m->b.len, at + 12 + 4 * wi, 4), 4);
		put_le(&m->b, at + 12 + 4 * wi, 4, v);
		say(m, "btf[%u kind %u].data[%u]=0x%llx; ", t + 1, kind, wi,
		    (unsigned long long)v);
	}
	}
}

static void op_btf_str(struct rng *r, struct mut *m)
{
	static const unsigned char bytes[] = { 0, 'A', '.', '/', '\n', ' ', 0xff, '-' };
	const struct seed *s = m->s;
	uint64_t at;
	unsigned char x;

	if (!s->btf_off || !s->btf_str_len)
		return;
	if (one_in(r, 4)) {	/* no terminating NUL */
		at = s->btf_strs + s->btf_str_len - 1;
		x = 'A';
	} else {
		at = s->btf_strs + rn(r, s->btf_str_len);
		x = bytes[rn(r, sizeof(bytes))];
	}
	if (at < m->b.len)
		m->b.d[at] = x;
	say(m, "btf.str+%llu=0x%02x; ", (unsigned long long)(at - s->btf_strs), x);
}

static void op_ext_hdr(struct rng *r, struct mut *m)
{
	static const char *const f[] = { "magic", "version/flags", "hdr_len", "fi_off", "fi_len",
					 "li_off", "li_len", "core_off", "core_len" };
	const struct seed *s = m->s;
	uint64_t base, v;
	unsigned int k;

	if (s->ext < 0 || !s->ext_hdr_len)
		return;
	base = s->secs[s->ext].off;
	if (one_in(r, 4)) {	/* CO-RE records without func_info/line_info (M1) */
		put_le(&m->b, base + 12, 4, 0);
		put_le(&m->b, base + 20, 4, 0);
		say(m, "ext: strip func_info+line_info; ");
		return;
	}
	k = (unsigned int)rn(r, s->ext_hdr_len >= 32 ? 9 : 7);
	if (k == 0) {
		v = interesting(r, m, 0xeb9f, 2);
		put_le(&m->b, base, 2, v);
	} else if (k == 1) {
		v = interesting(r, m, get_le(m->b.d, m->b.len, base + 2, 2), 2);
		put_le(&m->b, base + 2, 2, v);
	} else {
		uint64_t at = base + 4 * k;

		v = interesting(r, m, get_le(m->b.d, m->b.len, at, 4), 4);
		put_le(&m->b, at, 4, v);
	}
	say(m, "ext.%s=0x%llx; ", f[k], (unsigned long long)v);
}

static const char *const ext_name[EXT_NR] = { "func_info", "line_info", "core_relo" };

static int pick_sub(struct rng *r, const struct seed *s)
{
	int k, start = (int)rn(r, EXT_NR);

	for (k = 0; k < EXT_NR; k++)
		if (s->sub[(start + k) % EXT_NR].nrec)
			return (start + k) % EXT_NR;
	return -1;
}

static void op_ext_rec(struct rng *r, struct mut *m)
{
	const struct seed *s = m->s;
	const struct ext_sub *x;
	int k = pick_sub(r, s);
	uint64_t v;

	if (k < 0)
		return;
	x = &s->sub[k];
	switch (rn(r, 5)) {
	case 0: {	/* rec_size */
		uint64_t at = s->secs[s->ext].off + s->ext_hdr_len + x->off;

		v = one_in(r, 2) ? x->rec_size + 4 * (rn(r, 3) - 1) :
				   interesting(r, m, x->rec_size, 4);
		put_le(&m->b, at, 4, v);
		say(m, "ext.%s.rec_size=%llu; ", ext_name[k], (unsigned long long)v);
		break;
	}
	case 1: {	/* a block's sec_name_off or num_info */
		uint32_t b = (uint32_t)rn(r, x->nblk);
		int fo = one_in(r, 2) ? 0 : 4;
		uint64_t cur = get_le(m->b.d, m->b.len, x->blk[b] + fo, 4);

		v = fo && one_in(r, 2) ? cur + 1 : interesting(r, m, cur, 4);
		put_le(&m->b, x->blk[b] + fo, 4, v);
		say(m, "ext.%s.blk[%u].%s=0x%llx; ", ext_name[k], b,
		    fo ? "num_info" : "sec_name_off", (unsigned long long)v);
		break;
	}
	case 2: {	/* every record of a block at the first one's insn_off */
		uint32_t i0 = (uint32_t)rn(r, x->nrec), i;
		uint64_t off0 = get_le(m->b.d, m->b.len, x->rec[i0], 4);

		for (i = 0; i < x->nrec; i++)
			if (x->rec_blk[i] == x->rec_blk[i0])
				put_le(&m->b, x->rec[i], 4, off0);
		say(m, "ext.%s.blk[%u] all insn_off=%llu; ", ext_name[k], x->rec_blk[i0],
		    (unsigned long long)off0);
		break;
	}
	default: {	/* a field of a record */
		uint32_t i = (uint32_t)rn(r, x->nrec), wi = (uint32_t)rn(r, x->rec_size / 4);
		uint64_t at = x->rec[i] + 4 * wi, cur = get_le(m->b.d, m->b.len, at, 4);

		if (wi == 0 && one_in(r, 2))
			v = cur + 8 * (rn(r, 5) - 2) + (one_in(r, 4) ? 4 : 0);
		else if (k == EXT_CORE && wi == 3 && one_in(r, 2))
			v = rn(r, 16);	/* relocation kind */
		else
			v = one_in(r, 3) ? rn(r, s->ntypes + 3) : interesting(r, m, cur, 4);
		put_le(&m->b, at, 4, v);
		say(m, "ext.%s.rec[%u].w%u=0x%llx; ", ext_name[k], i, wi, (unsigned long long)v);
	}
	}
}

/* -- phase 1: appends (new data at the end, headers pointed at it) -- */

/* Section index of the mutant's current SHT_SYMTAB and its string table. */
static int cur_symtab(const struct mut *m, unsigned int *strtab)
{
	uint64_t shoff;
	unsigned int shnum, i;

	if (!cur_shdrs(m, &shoff, &shnum))
		return -1;
	for (i = 1; i < shnum; i++) {
		if (shdr_at(m, i, 4, 4) == SHT_SYMTAB) {
			*strtab = (unsigned int)shdr_at(m, i, 40, 4);
			return *strtab < shnum ? (int)i : -1;
		}
	}
	return -1;
}

/* Copies section @i's current contents to the end, with @extra more bytes
 * (zeroed); points its header there. Returns the new offset or UINT64_MAX.
 */
static uint64_t sec_move(struct mut *m, unsigned int i, size_t extra)
{
	uint64_t off = shdr_at(m, i, 24, 8), size = shdr_at(m, i, 32, 8), noff;
	unsigned char *tmp;

	if (off > m->b.len || size > m->b.len - off || size + extra > MAX_MUTANT)
		return UINT64_MAX;
	tmp = malloc(size + extra + 1);
	memcpy(tmp, m->b.d + off, size);
	memset(tmp + size, 0, extra);
	noff = buf_append(&m->b, tmp, size + extra);
	free(tmp);
	if (noff != UINT64_MAX) {
		shdr_set(m, i, 24, 8, noff);
		shdr_set(m, i, 32, 8, size + extra);
	}
	return noff;
}

static const size_t long_lens[] = { 1, 15, 16, 63, 64, 65, 511, 512, 513, 4096, 65536, 1 << 20 };

/* A name of @l bytes: all 'A', an identifier, or with hostile bytes. */
static void fill_name(struct rng *r, unsigned char *p, size_t l)
{
	static const char hostile[] = "/\n .-%:\x7f\x80\xff";
	size_t i;
	int kind = (int)rn(r, 3);

	for (i = 0; i < l; i++)
		p[i] = kind == 0 ? 'A' : (unsigned char)"abcdefghijklmnopqrstuvwxyz_0123456789"[
			rn(r, i ? 37 : 27)];
	if (kind == 2)
		for (i = 0; i < 1 + l / 64; i++)
			p[rn(r, l)] = hostile[rn(r, sizeof(hostile) - 1)];
}

static void op_longname(struct rng *r, struct mut *m)
{
	size_t l = long_lens[rn(r, ARRAY_SIZE(long_lens))];
	unsigned int strtab, target;
	uint64_t shoff, size, noff;
	unsigned int shnum;
	int symtab;

	if (!cur_shdrs(m, &shoff, &shnum))
		return;
	symtab = cur_symtab(m, &strtab);
	switch (symtab < 0 ? 1 : rn(r, 3)) {
	case 0:	/* symbol name(s) */
	case 2: {
		uint64_t soff = shdr_at(m, symtab, 24, 8), ssz = shdr_at(m, symtab, 32, 8);
		uint64_t nsyms = ssz / 24, j, n;

		size = shdr_at(m, strtab, 32, 8);
		noff = sec_move(m, strtab, l + 1);
		if (noff == UINT64_MAX || !nsyms || soff > m->b.len || ssz > m->b.len - soff)
			return;
		fill_name(r, m->b.d + noff + size, l);
		/* One symbol (a program name, usually), or all (longname_syms). */
		n = one_in(r, 4) ? nsyms : 1;
		for (j = 0; j < n; j++) {
			uint64_t k = n == 1 ? rn(r, nsyms) : j;

			if (n == 1) {	/* prefer a function: a program name */
				uint64_t t;

				for (t = 0; t < nsyms; t++) {
					uint64_t c = (k + t) % nsyms;

					if ((m->b.d[soff + 24 * c + 4] & 0xf) == STT_FUNC) {
						k = c;
						break;
					}
				}
			}
			put_le(&m->b, soff + 24 * k, 4, size);
		}
		say(m, "longname: %zu-byte name for %s; ", l,
		    n == 1 ? "one symbol" : "every symbol");
		return;
	}
	default: {	/* a section name */
		unsigned int shstrndx = (unsigned int)get_le(m->b.d, m->b.len, 62, 2);

		if (shstrndx >= shnum)
			return;
		size = shdr_at(m, shstrndx, 32, 8);
		noff = sec_move(m, shstrndx, l + 1);
		if (noff == UINT64_MAX)
			return;
		fill_name(r, m->b.d + noff + size, l);
		/* Keep the prefix ("socket/", ".data.") so the name still means something. */
		target = 1 + (unsigned int)rn(r, shnum - 1);
		if (one_in(r, 2)) {
			uint64_t old = shdr_at(m, target, 0, 4), pre = 0;

			while (pre < 8 && old + pre < size && m->b.d[noff + old + pre] &&
			       pre < l) {
				m->b.d[noff + size + pre] = m->b.d[noff + old + pre];
				pre++;
			}
		}
		shdr_set(m, target, 0, 4, size);
		say(m, "longname: %zu-byte name for section %u; ", l, target);
	}
	}
}

static void op_dupsec(struct rng *r, struct mut *m)
{
	static const unsigned int counts[] = { 1, 1, 1, 2, 16, 1000 };
	unsigned int n = counts[rn(r, ARRAY_SIZE(counts))], shnum, i, k;
	uint64_t shoff, noff;
	unsigned char *tbl;

	if (!cur_shdrs(m, &shoff, &shnum) || shnum < 2 || shnum + n >= SHN_LORESERVE)
		return;
	i = 1 + (unsigned int)rn(r, shnum - 1);
	tbl = malloc(64ull * (shnum + n));
	memcpy(tbl, m->b.d + shoff, 64ull * shnum);
	for (k = 0; k < n; k++)
		memcpy(tbl + 64ull * (shnum + k), m->b.d + shoff + 64ull * i, 64);
	noff = buf_append(&m->b, tbl, 64ull * (shnum + n));
	free(tbl);
	if (noff == UINT64_MAX)
		return;
	put_le(&m->b, 40, 8, noff);
	put_le(&m->b, 60, 2, shnum + n);
	/* Sometimes the copy gets its own data: same name, different bytes. */
	if (n == 1 && one_in(r, 2) && sec_move(m, shnum, 0) != UINT64_MAX) {
		uint64_t o = shdr_at(m, shnum, 24, 8), sz = shdr_at(m, shnum, 32, 8);

		if (sz && o + sz <= m->b.len)
			m->b.d[o + rn(r, sz)] ^= 0x5a;
	}
	say(m, "dup section %u x%u; ", i, n);
}

static void op_dupsym(struct rng *r, struct mut *m)
{
	static const unsigned int counts[] = { 1, 2, 64, 4096 };
	unsigned int n = counts[rn(r, ARRAY_SIZE(counts))], strtab, k;
	int symtab = cur_symtab(m, &strtab);
	uint64_t size, noff, nsyms, j;

	if (symtab < 0)
		return;
	size = shdr_at(m, symtab, 32, 8);
	nsyms = size / 24;
	if (!nsyms)
		return;
	j = rn(r, nsyms);
	noff = sec_move(m, (unsigned int)symtab, 24ull * n);
	if (noff == UINT64_MAX)
		return;
	for (k = 0; k < n; k++)
		memcpy(m->b.d + noff + size + 24ull * k, m->b.d + noff + 24 * j, 24);
	say(m, "dup symbol %llu x%u; ", (unsigned long long)j, n);
}

static void op_splice(struct rng *r, struct mut *m)
{
	const struct seed *s = m->s, *o = &seeds[rn(r, nseeds)];
	unsigned int i, j, k;
	uint64_t noff;

	if (s->shnum < 2 || o->shnum < 2)
		return;
	i = 1 + (unsigned int)rn(r, s->shnum - 1);

	/* The same-named section of the other seed, else any section. */
	j = 1 + (unsigned int)rn(r, o->shnum - 1);
	for (k = 1; k < o->shnum; k++) {
		if (!strcmp(o->secs[k].nm, s->secs[i].nm)) {
			j = k;
			break;
		}
	}
	if (o->secs[j].type == SHT_NOBITS || !o->secs[j].size)
		return;
	noff = buf_append(&m->b, o->d + o->secs[j].off, o->secs[j].size);
	if (noff == UINT64_MAX)
		return;
	shdr_set(m, i, 24, 8, noff);
	shdr_set(m, i, 32, 8, o->secs[j].size);
	say(m, "splice section %u (%s) <- %s section %u (%s); ", i, s->secs[i].nm, o->name, j,
	    o->secs[j].nm);
}

/* func_info/line_info/CO-RE amplification: one record repeated R times. */
static void op_ext_amp(struct rng *r, struct mut *m)
{
	static const uint32_t reps[] = { 2, 3, 100, 10000, 100000 };
	const struct seed *s = m->s;
	uint32_t R = reps[rn(r, ARRAY_SIZE(reps))], i, k2;
	const struct ext_sub *x;
	uint64_t ext, hl, at, noff;
	struct buf nb = {};
	int k = pick_sub(r, s);

	if (k < 0)
		return;
	x = &s->sub[k];
	if ((uint64_t)R * x->rec_size > MAX_MUTANT / 2)
		R = MAX_MUTANT / 2 / x->rec_size;
	i = (uint32_t)rn(r, x->nrec);
	ext = s->secs[s->ext].off;
	hl = s->ext_hdr_len;
	/* New .BTF.ext: the header, then the three subsections with the copies. */
	buf_append(&nb, m->b.d + ext, hl);
	for (k2 = 0; k2 < EXT_NR; k2++) {
		const struct ext_sub *y = &s->sub[k2];
		uint64_t start = nb.len - hl;

		if (8 + 8 * k2 + 8 > hl)
			break;
		if (!y->len) {
			put_le(&nb, 8 + 8 * k2, 4, start);
			continue;
		}
		if (k2 != (uint32_t)k) {
			size_t o = nb.len;

			buf_reserve(&nb, o + y->len);
			memcpy(nb.d + o, m->b.d + ext + hl + y->off, y->len);
			nb.len = o + y->len;
		} else {
			uint64_t sub0 = ext + hl + y->off, cut = x->rec[i] + x->rec_size - sub0;
			uint64_t blk = x->blk[x->rec_blk[i]] - sub0;
			size_t o = nb.len, n = (size_t)(R - 1) * x->rec_size, j;

			buf_reserve(&nb, o + y->len + n);
			memcpy(nb.d + o, m->b.d + sub0, cut);
			for (j = 0; j < R - 1; j++)
				memcpy(nb.d + o + cut + j * x->rec_size, m->b.d + x->rec[i],
				       x->rec_size);
			memcpy(nb.d + o + cut + n, m->b.d + sub0 + cut, y->len - cut);
			nb.len = o + y->len + n;
			put_le(&nb, o + blk + 4, 4,
			       get_le(nb.d, nb.len, o + blk + 4, 4) + R - 1);
		}
		put_le(&nb, 8 + 8 * k2, 4, start);
		put_le(&nb, 12 + 8 * k2, 4, nb.len - hl - start);
	}
	noff = buf_append(&m->b, nb.d, nb.len);
	if (noff != UINT64_MAX) {
		at = (uint64_t)s->ext;
		shdr_set(m, (unsigned int)at, 24, 8, noff);
		shdr_set(m, (unsigned int)at, 32, 8, nb.len);
	}
	free(nb.d);
	say(m, "ext.%s.rec[%u] x%u; ", ext_name[k], i, R);
}

/* -- phase 2 -- */

static void op_trunc(struct rng *r, struct mut *m)
{
	const struct seed *s = m->s;
	uint64_t l;

	switch (rn(r, 4)) {
	case 0:
		l = rn(r, 128);
		break;
	case 1: {	/* inside or at the end of a section */
		const struct sec *sc = &s->secs[s->shnum > 1 ? 1 + rn(r, s->shnum - 1) : 0];

		l = sc->off + (sc->type == SHT_NOBITS ? 0 : rn(r, sc->size + 1));
		break;
	}
	case 2:
		l = m->b.len - 1 - rn(r, 8);
		break;
	default:
		l = rn(r, m->b.len);
	}
	if (l < m->b.len)
		m->b.len = l;
	say(m, "truncate %llu; ", (unsigned long long)m->b.len);
}

enum op {
	OP_BITFLIP, OP_INT, OP_EHDR, OP_SHDR, OP_SYM, OP_REL, OP_INSN, OP_BTF_HDR, OP_BTF_TYPE,
	OP_BTF_STR, OP_EXT_HDR, OP_EXT_REC, OP_LONGNAME, OP_DUPSEC, OP_DUPSYM, OP_SPLICE,
	OP_EXT_AMP, OP_TRUNC, OP_NR,
};

static const struct {
	void (*fn)(struct rng *r, struct mut *m);
	int weight, phase;
} ops[OP_NR] = {
	[OP_BITFLIP] = { op_bitflip, 10, 0 },	[OP_INT] = { op_int, 10, 0 },
	[OP_EHDR] = { op_ehdr, 3, 0 },		[OP_SHDR] = { op_shdr, 12, 0 },
	[OP_SYM] = { op_sym, 8, 0 },		[OP_REL] = { op_rel, 6, 0 },
	[OP_INSN] = { op_insn, 5, 0 },		[OP_BTF_HDR] = { op_btf_hdr, 3, 0 },
	[OP_BTF_TYPE] = { op_btf_type, 14, 0 },	[OP_BTF_STR] = { op_btf_str, 3, 0 },
	[OP_EXT_HDR] = { op_ext_hdr, 3, 0 },	[OP_EXT_REC] = { op_ext_rec, 8, 0 },
	[OP_LONGNAME] = { op_longname, 3, 1 },	[OP_DUPSEC] = { op_dupsec, 3, 1 },
	[OP_DUPSYM] = { op_dupsym, 2, 1 },	[OP_SPLICE] = { op_splice, 2, 1 },
	[OP_EXT_AMP] = { op_ext_amp, 2, 1 },	[OP_TRUNC] = { op_trunc, 3, 2 },
};

static uint64_t g_seed;
static unsigned int weight_kb;

/* A seed: uniformly, or with -w KB weighted 1 / (1 + size / KB), so big
 * objects (the kernel's time per execution grows with them) come less often.
 */
static const struct seed *pick_seed(struct rng *r)
{
	static uint64_t *cum;
	uint64_t x;
	int i;

	if (!weight_kb)
		return &seeds[rn(r, nseeds)];
	if (!cum) {
		cum = calloc(nseeds, sizeof(*cum));
		for (i = 0; i < nseeds; i++)
			cum[i] = (i ? cum[i - 1] : 0) +
				 (1000000ull * weight_kb * 1024) /
					 (weight_kb * 1024ull + seeds[i].len);
	}
	x = rn(r, cum[nseeds - 1]);
	for (i = 0; cum[i] <= x; i++)
		;
	return &seeds[i];
}

static void exec_rng(struct rng *r, uint64_t idx)
{
	r->s = g_seed ^ (idx * 0xd1b54a32d192ed03ULL);
	rnd(r);
}

/* Builds the mutant of execution @idx into @m; the rest of the execution's
 * random choices continue from @r.
 */
static void generate(uint64_t idx, struct rng *r, struct mut *m)
{
	int opl[4], nops, i, total = 0, phase;

	exec_rng(r, idx);
	m->s = pick_seed(r);
	m->dlen = 0;
	m->desc[0] = 0;
	buf_reserve(&m->b, m->s->len);
	memcpy(m->b.d, m->s->d, m->s->len);
	m->b.len = m->s->len;
	say(m, "%s: ", m->s->name);
	for (i = 0; i < OP_NR; i++)
		total += ops[i].weight;
	/* 1 in 32 unchanged: the success paths, and PROG_LOAD of real programs. */
	nops = one_in(r, 32) ? 0 : rn(r, 10) < 6 ? 1 : rn(r, 10) < 7 ? 2 : 3 + (int)rn(r, 2);
	for (i = 0; i < nops; i++) {
		int w = (int)rn(r, total), k;

		for (k = 0; w >= ops[k].weight; k++)
			w -= ops[k].weight;
		opl[i] = k;
	}
	if (!nops)
		say(m, "unchanged; ");
	for (phase = 0; phase < 3; phase++) {
		for (i = 0; i < nops; i++) {
			size_t before = m->dlen;

			if (ops[opl[i]].phase != phase)
				continue;
			ops[opl[i]].fn(r, m);
			/* Not applicable to this seed (no BTF, no relocations...). */
			if (m->dlen == before)
				op_bitflip(r, m);
		}
	}
}

/* ---- shared statistics (the parent restarts dead workers) ---- */

struct stats {
	uint64_t next;		/* next execution index */
	uint64_t execs;
	uint64_t load_ok, prog_tries, prog_ok;
	uint64_t load_err[MAX_ERRNO + 1], prog_err[MAX_ERRNO + 1];
	uint64_t load_empty, prog_empty, load_undoc, splats, deaths, hangs;
	uint64_t sysfs_walks;
	int nsamples;
};

static struct stats *st;

/* Describes an event: rare ones (@always) are all printed, the frequent
 * ones only until MAX_SAMPLES have been; the counters have the rest.
 */
static bool sample(bool always, const char *fmt, ...) __printf(2, 3);
static bool sample(bool always, const char *fmt, ...)
{
	va_list ap;

	if (st->nsamples >= MAX_SAMPLES && !always)
		return false;
	st->nsamples++;
	va_start(ap, fmt);
	printf("# ");
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	va_end(ap);
	return true;
}

/* ---- the calls ---- */

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static const char *dump_dir;
static bool verbose, mark_kmsg;
static unsigned int max_progs = 2;

static void dump(const char *kind, uint64_t idx, const struct mut *m)
{
	char path[PATH_MAX];
	FILE *f;

	if (!dump_dir)
		return;
	snprintf(path, sizeof(path), "%s/%s-%llu.bpf.o", dump_dir, kind, (unsigned long long)idx);
	f = fopen(path, "we");
	if (!f)
		return;
	fwrite(m->b.d, 1, m->b.len, f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/%s-%llu.txt", dump_dir, kind, (unsigned long long)idx);
	f = fopen(path, "we");
	if (!f)
		return;
	fprintf(f, "seed 0x%llx exec %llu\n%s\n", (unsigned long long)g_seed,
		(unsigned long long)idx, m->desc);
	fclose(f);
}

/* Program names of the mutant: global functions in executable sections. */
static int prog_names(const struct mut *m, const char **names, int max)
{
	unsigned int strtab, shnum;
	uint64_t shoff, soff, ssz, toff, tsz, j;
	int symtab = cur_symtab(m, &strtab), n = 0;

	if (symtab < 0 || !cur_shdrs(m, &shoff, &shnum))
		return 0;
	soff = shdr_at(m, symtab, 24, 8);
	ssz = shdr_at(m, symtab, 32, 8);
	toff = shdr_at(m, strtab, 24, 8);
	tsz = shdr_at(m, strtab, 32, 8);
	if (soff > m->b.len || ssz > m->b.len - soff || toff > m->b.len || tsz > m->b.len - toff)
		return 0;
	for (j = 1; j < ssz / 24 && j < 100000 && n < max; j++) {
		const unsigned char *sy = m->b.d + soff + 24 * j;
		uint32_t nm = (uint32_t)get_le(sy, 24, 0, 4);
		unsigned int shndx = (unsigned int)get_le(sy, 24, 6, 2);

		if ((sy[4] & 0xf) != STT_FUNC || (sy[4] >> 4) == STB_LOCAL || shndx >= shnum ||
		    !(shdr_at(m, shndx, 8, 8) & SHF_EXECINSTR) || nm >= tsz ||
		    !memchr(m->b.d + toff + nm, 0, tsz - nm))
			continue;
		names[n++] = (const char *)m->b.d + toff + nm;
	}
	return n;
}

static int kmsg_fd = -1, kmsg_mark_fd = -1;
static unsigned int worker_id;

static const char *const splat_pat[] = {
	"BUG:", "WARNING:", "KASAN", "UBSAN", "KFENCE", "kernel BUG", "Oops",
	"general protection", "soft lockup", "hung task", "blocked for more than",
	"possible recursive locking", "possible circular locking", "inconsistent lock state",
	"Call Trace:", "page allocation failure", "rcu_sched self-detected stall",
	"rcu: INFO:", "kmemleak: ", "list_add corruption", "list_del corruption",
	"refcount_t:", "stack-protector", "Kernel panic",
};

/* Reads the kernel log records printed since the last call; counts a splat
 * against execution @idx (once) if one matches.
 */
static void kmsg_check(uint64_t idx, const struct mut *m)
{
	char rec[8192];
	bool hit = false;
	ssize_t n;
	size_t i;

	if (kmsg_fd < 0)
		return;
	for (;;) {
		n = read(kmsg_fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* records overwritten; go on with newer ones */
		if (n <= 0)
			break;
		rec[n] = 0;
		for (i = 0; i < ARRAY_SIZE(splat_pat); i++) {
			char *msg = strchr(rec, ';'), *nl;

			if (!strstr(rec, splat_pat[i]))
				continue;
			msg = msg ? msg + 1 : rec;
			nl = strchr(msg, '\n');
			if (nl)
				*nl = 0;
			if (!hit) {
				st->splats++;
				sample(true, "splat at exec %llu (%s): %s", (unsigned long long)idx,
				       m->desc, msg);
				dump("splat", idx, m);
			}
			hit = true;
			break;
		}
	}
}

static const int documented[] = { EINVAL, ENOEXEC, E2BIG, EOPNOTSUPP, ENOENT, ENOMEM, EINTR };

static void count_err(uint64_t *hist, int err)
{
	hist[err > 0 && err < MAX_ERRNO ? err : MAX_ERRNO]++;
}

/* Reads every file under the loader's sysfs directory (names come from the
 * object; the show functions format them).
 */
static void walk(const char *dir, int depth)
{
	char path[PATH_MAX], buf[4096];
	struct dirent *de;
	DIR *dp;

	if (depth > 3)
		return;
	dp = opendir(dir);
	if (!dp)
		return;
	while ((de = readdir(dp))) {
		int fd;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (de->d_type == DT_DIR) {
			walk(path, depth + 1);
			continue;
		}
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
	}
	closedir(dp);
}

static void sysfs_walk(int loader_fd)
{
	char path[64], line[128];
	int id = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", loader_fd);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "loadfd_id: %d", &id) == 1)
			break;
	fclose(f);
	if (id < 0)
		return;
	snprintf(path, sizeof(path), "/sys/kernel/bpf_loadfd/%d", id);
	walk(path, 0);
	st->sysfs_walks++;
}

static int memfd = -1;
static char *load_log, *prog_log;

static void run_one(uint64_t idx, struct mut *m)
{
	const char *names[MAX_NAMES];
	int prog_fds[8], nprog = 0, loader, n, i;
	union bpf_attr attr;
	struct rng r;
	size_t done;

	generate(idx, &r, m);
	if (verbose)
		printf("# exec %llu: %s\n", (unsigned long long)idx, m->desc);
	/* Ties a splat, or the last words of a dying kernel, to an execution. */
	if (kmsg_mark_fd >= 0) {
		char mark[64];	/* one write() is one record (glibc's dprintf seeks) */
		int l = snprintf(mark, sizeof(mark), "<4>loadfd-fuzz: exec %llu worker %u\n",
				 (unsigned long long)idx, worker_id);

		if (write(kmsg_mark_fd, mark, l) != l)
			kmsg_mark_fd = -1;
	}
	if (ftruncate(memfd, 0))
		perror("ftruncate");
	for (done = 0; done < m->b.len;) {
		ssize_t w = pwrite(memfd, m->b.d + done, m->b.len - done, done);

		if (w <= 0) {
			perror("pwrite");
			exit(2);
		}
		done += w;
	}

	memset(&attr, 0, sizeof(attr));
	load_log[0] = 0;
	attr.load_fd.obj_fd = memfd;
	attr.load_fd.log_level = LOG_LEVEL1;
	attr.load_fd.log_buf = (uint64_t)(unsigned long)load_log;
	attr.load_fd.log_size = LOG_SIZE;
	loader = (int)sys_bpf(BPF_LOAD_FD, &attr);
	if (loader < 0) {
		int err = errno;
		bool doc = false;

		count_err(st->load_err, err);
		for (i = 0; i < (int)ARRAY_SIZE(documented); i++)
			doc |= err == documented[i];
		if (!doc) {
			st->load_undoc++;
			if (sample(false, "undocumented errno %s at exec %llu (%s); log: %.120s",
				   strerrorname_np(err) ?: "?", (unsigned long long)idx, m->desc,
				   load_log))
				dump("errno", idx, m);
		}
		if (!load_log[0]) {
			st->load_empty++;
			if (sample(false, "empty log for %s at exec %llu (%s)",
				   strerrorname_np(err) ?: "?", (unsigned long long)idx, m->desc))
				dump("emptylog", idx, m);
		}
		if (verbose)
			printf("#   BPF_LOAD_FD: %s: %s%s", strerrorname_np(err) ?: "?", load_log,
			       load_log[0] && load_log[strlen(load_log) - 1] == '\n' ? "" : "\n");
		goto out;
	}
	st->load_ok++;
	if (verbose)
		printf("#   BPF_LOAD_FD: loader fd\n");
	n = m->s->no_prog_load ? 0 : prog_names(m, names, MAX_NAMES);
	for (i = 0; i < (int)max_progs && nprog < (int)ARRAY_SIZE(prog_fds) &&
		    !m->s->no_prog_load; i++) {
		char longname[600];
		const char *name;
		bool perturbed;
		int fd, err;

		/* Sometimes a name the object does not have, short or too long. */
		if (!n || one_in(&r, 16)) {
			if (i && !n)
				break;
			memset(longname, 'q', sizeof(longname) - 1);
			longname[one_in(&r, 2) ? 8 : sizeof(longname) - 1] = 0;
			name = longname;
		} else {
			name = names[rn(&r, n)];
		}
		memset(&attr, 0, sizeof(attr));
		/* Fields the loader object provides, or that must match it. */
		perturbed = true;
		switch (rn(&r, 24)) {
		case 0:
			attr.prog_type = (uint32_t)rn(&r, 40);
			break;
		case 1:
			attr.insn_cnt = 1;
			break;
		case 2:
			attr.attach_btf_id = (uint32_t)rnd(&r) & 0xffff;
			break;
		case 3:
			attr.expected_attach_type = (uint32_t)rn(&r, 60);
			break;
		default:
			perturbed = false;
		}
		attr.loader_fd = loader;
		attr.loader_prog_name = (uint64_t)(unsigned long)name;
		st->prog_tries++;
		fd = (int)sys_bpf(BPF_PROG_LOAD, &attr);
		if (fd >= 0) {
			st->prog_ok++;
			prog_fds[nprog++] = fd;
			continue;
		}
		err = errno;
		count_err(st->prog_err, err);
		/* Again with a log: every refusal should say why. */
		prog_log[0] = 0;
		attr.log_level = LOG_LEVEL1;
		attr.log_buf = (uint64_t)(unsigned long)prog_log;
		attr.log_size = PROG_LOG_SIZE;
		fd = (int)sys_bpf(BPF_PROG_LOAD, &attr);
		if (fd >= 0) {
			prog_fds[nprog++] = fd;
		} else if (!prog_log[0] && !perturbed) {
			/* With fields set by hand, BPF_PROG_LOAD's own attr checks
			 * may refuse without a log, as for any program.
			 */
			st->prog_empty++;
			if (sample(false,
				   "PROG_LOAD '%.40s': %s with an empty log at exec %llu (%s)",
				   name, strerrorname_np(err) ?: "?",
				   (unsigned long long)idx, m->desc))
				dump("progemptylog", idx, m);
		}
		if (verbose) {
			size_t l = strlen(prog_log);
			const char *tail = prog_log;

			/* The verifier's verdict is its last line. */
			while (l && prog_log[l - 1] == '\n')
				prog_log[--l] = 0;
			if (l && strrchr(prog_log, '\n'))
				tail = strrchr(prog_log, '\n') + 1;
			printf("#   PROG_LOAD '%.40s'%s: %s: %s\n", name,
			       perturbed ? " (attr fields set)" : "", strerrorname_np(err) ?: "?",
			       tail);
		}
	}
	if (one_in(&r, 8))
		sysfs_walk(loader);
	/* Programs outlive their loader object, or not. */
	if (one_in(&r, 2)) {
		close(loader);
		loader = -1;
	}
	for (i = 0; i < nprog; i++)
		close(prog_fds[i]);
	if (loader >= 0)
		close(loader);
out:
	kmsg_check(idx, m);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* -T: the time BPF_LOAD_FD and BPF_PROG_LOAD take on each unmodified seed. */
static void time_seeds(void)
{
	const char *names[MAX_NAMES];
	struct mut m = {};
	union bpf_attr attr;
	int i, k, n, fd, loader;
	double t, tl, tp;

	memfd = memfd_create("loadfd_fuzz", MFD_CLOEXEC);
	load_log = malloc(LOG_SIZE);
	for (i = 0; i < nseeds; i++) {
		m.s = &seeds[i];
		buf_reserve(&m.b, m.s->len);
		memcpy(m.b.d, m.s->d, m.s->len);
		m.b.len = m.s->len;
		if (ftruncate(memfd, 0) || pwrite(memfd, m.b.d, m.b.len, 0) != (ssize_t)m.b.len)
			exit(2);
		memset(&attr, 0, sizeof(attr));
		attr.load_fd.obj_fd = memfd;
		attr.load_fd.log_level = LOG_LEVEL1;
		attr.load_fd.log_buf = (uint64_t)(unsigned long)load_log;
		attr.load_fd.log_size = LOG_SIZE;
		t = now();
		loader = (int)sys_bpf(BPF_LOAD_FD, &attr);
		tl = now() - t;
		n = loader < 0 ? 0 : prog_names(&m, names, 4);
		t = now();
		for (k = 0; k < n; k++) {
			memset(&attr, 0, sizeof(attr));
			attr.loader_fd = loader;
			attr.loader_prog_name = (uint64_t)(unsigned long)names[k];
			fd = (int)sys_bpf(BPF_PROG_LOAD, &attr);
			if (fd >= 0)
				close(fd);
		}
		tp = now() - t;
		printf("%-40s %8zu bytes: BPF_LOAD_FD %7.1f ms (%s), %d PROG_LOAD %7.1f ms\n",
		       m.s->name, m.s->len, tl * 1e3, loader < 0 ? strerrorname_np(errno) : "ok",
		       n, tp * 1e3);
		if (loader >= 0)
			close(loader);
	}
	free(m.b.d);
}

static void worker(uint64_t end, double deadline, unsigned int jobs)
{
	struct mut m = {};
	unsigned int n = 0;

	memfd = memfd_create("loadfd_fuzz", MFD_CLOEXEC);
	if (memfd < 0) {
		perror("memfd_create");
		exit(2);
	}
	load_log = malloc(LOG_SIZE);
	prog_log = malloc(PROG_LOG_SIZE);
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg_fd >= 0)
		lseek(kmsg_fd, 0, SEEK_END);
	if (mark_kmsg)
		kmsg_mark_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	while (st->next < end) {
		uint64_t idx = st->next;

		if ((n++ & 15) == 0 && now() > deadline)
			break;
		run_one(idx, &m);
		st->execs++;
		st->next = idx + jobs;
	}
	free(m.b.d);
	exit(0);
}

static void errno_hist(char *out, size_t size, const uint64_t *hist)
{
	size_t pos = 0;
	int e;

	out[0] = 0;
	for (e = 1; e <= MAX_ERRNO; e++) {
		const char *nm;

		if (!hist[e])
			continue;
		nm = e == MAX_ERRNO ? "other" : strerrorname_np(e) ?: "?";
		pos += snprintf(out + pos, pos < size ? size - pos : 0, "%s%s:%llu",
				pos ? "," : "", nm, (unsigned long long)hist[e]);
	}
	if (!pos)
		snprintf(out, size, "-");
}

static void print_usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-s SEED] [-n EXECS] [-t SECONDS] [-j JOBS] [-d DIR]... [-x SUBSTR]...\n"
		"          [-P SUBSTR]... [-w KB]\n"
		"          [-i START] [-p PROGS] [-H HANG_SECONDS] [-D DUMPDIR] [-K] [-v] [-l] [-T]\n"
		"  -j  worker processes (execution i goes to worker i %% JOBS)\n"
		"  -K  write \"loadfd-fuzz: exec I worker W\" to the kernel log (and console)\n"
		"      before each execution\n"
		"  -x  leave out seeds whose file name contains SUBSTR\n"
		"  -P  no BPF_PROG_LOAD for seeds whose file name contains SUBSTR (slow verification)\n"
		"  -w  pick seeds with weight 1 / (1 + size / KB) instead of uniformly\n"
		"  -l  list the seeds and exit\n"
		"  -T  time BPF_LOAD_FD and BPF_PROG_LOAD on each unmodified seed and exit\n",
		prog);
	exit(2);
}

#define MAX_JOBS 8

static struct stats *all;

static pid_t spawn(unsigned int w, uint64_t end, double deadline, unsigned int jobs)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	if (!pid) {
		st = &all[w];
		worker_id = w;
		worker(end, deadline, jobs);
	}
	return pid;
}

/* The parent's view of a worker that died or hung at its current execution. */
static void lost(unsigned int w, const char *why, const char *kind, unsigned int jobs,
		 struct mut *m)
{
	struct rng r;

	st = &all[w];
	generate(st->next, &r, m);
	sample(true, "%s at exec %llu (%s)", why, (unsigned long long)st->next, m->desc);
	dump(kind, st->next, m);
	st->next += jobs;
}

int main(int argc, char **argv)
{
	uint64_t start = 0, execs = 1000, end, lastn[MAX_JOBS];
	double secs = 0, t0, deadline, lastp[MAX_JOBS], last_print;
	unsigned int jobs = 1, running, w;
	pid_t pids[MAX_JOBS] = {};
	const char *dirs[16];
	int ndirs = 0, opt, hang_s = 120;
	bool list = false, timing = false;
	char h1[2048], h2[2048];
	struct stats tot = {};
	struct mut m = {};
	int k;

	setvbuf(stdout, NULL, _IOLBF, 0);
	g_seed = 0x6c6f616466757a7aULL;	/* "loadfuzz" */
	while ((opt = getopt(argc, argv, "s:n:t:j:d:x:P:w:i:p:H:D:KTvlh")) != -1) {
		switch (opt) {
		case 's':
			g_seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			execs = strtoull(optarg, NULL, 0);
			break;
		case 't':
			secs = strtod(optarg, NULL);
			break;
		case 'j':
			jobs = (unsigned int)strtoul(optarg, NULL, 0);
			if (!jobs || jobs > MAX_JOBS)
				print_usage(argv[0]);
			break;
		case 'd':
			if (ndirs < (int)ARRAY_SIZE(dirs))
				dirs[ndirs++] = optarg;
			break;
		case 'x':
			if (nexcludes < (int)ARRAY_SIZE(excludes))
				excludes[nexcludes++] = optarg;
			break;
		case 'P':
			if (nno_progs < (int)ARRAY_SIZE(no_progs))
				no_progs[nno_progs++] = optarg;
			break;
		case 'w':
			weight_kb = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'i':
			start = strtoull(optarg, NULL, 0);
			break;
		case 'p':
			max_progs = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'H':
			hang_s = atoi(optarg);
			break;
		case 'D':
			dump_dir = optarg;
			break;
		case 'K':
			mark_kmsg = true;
			break;
		case 'T':
			timing = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'l':
			list = true;
			break;
		default:
			print_usage(argv[0]);
		}
	}
	if (!ndirs) {
		static char self[PATH_MAX];
		const char *env = getenv("LOADFD_OBJDIR");
		ssize_t l = readlink("/proc/self/exe", self, sizeof(self) - 1);

		if (env && *env) {
			dirs[ndirs++] = env;
		} else if (l > 0) {
			self[l] = 0;
			*strrchr(self, '/') = 0;
			dirs[ndirs++] = self;
		}
	}
	for (k = 0; k < ndirs; k++)
		seeds_from_dir(dirs[k]);
	seeds_hostile();
	if (list) {
		for (k = 0; k < nseeds; k++)
			printf("%3d %-40s %8zu bytes, %u sections, %u BTF types, %u+%u+%u ext records\n",
			       k, seeds[k].name, seeds[k].len, seeds[k].shnum,
			       seeds[k].ntypes, seeds[k].sub[0].nrec,
			       seeds[k].sub[1].nrec, seeds[k].sub[2].nrec);
		return 0;
	}
	if (timing) {
		time_seeds();
		return 0;
	}
	if (dump_dir && execs == 1) {	/* replay: write the object first */
		struct rng r;

		generate(start, &r, &m);
		dump("replay", start, &m);
	}

	all = mmap(NULL, MAX_JOBS * sizeof(*all), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (all == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	st = &all[0];
	end = start + execs;
	printf("# loadfd_fuzz: seed 0x%llx, executions %llu..%llu, %d seeds, %u workers, time limit %.0f s\n",
	       (unsigned long long)g_seed, (unsigned long long)start,
	       (unsigned long long)end, nseeds, jobs, secs);
	t0 = last_print = now();
	deadline = secs > 0 ? t0 + secs : 1e300;
	for (w = 0; w < jobs; w++) {
		all[w].next = start + w;
		lastn[w] = all[w].next;
		lastp[w] = t0;
		pids[w] = spawn(w, end, deadline, jobs);
	}
	running = jobs;
	while (running) {
		double t = now();

		for (w = 0; w < jobs; w++) {
			int status;
			pid_t r;

			if (!pids[w])
				continue;
			r = waitpid(pids[w], &status, WNOHANG);
			if (r == pids[w]) {
				pids[w] = 0;
				running--;
				if (WIFSIGNALED(status) && all[w].next < end) {
					char why[64];

					all[w].deaths++;
					snprintf(
						why, sizeof(why),
						"worker %u killed by signal %d",
						w, WTERMSIG(status));
					lost(w, why, "death", jobs, &m);
				} else if (WIFEXITED(status) && WEXITSTATUS(status)) {
					printf("# worker %u failed (exit %d)\n",
					       w, WEXITSTATUS(status));
					return 2;
				}
			} else if (all[w].next != lastn[w]) {
				lastn[w] = all[w].next;
				lastp[w] = t;
			} else if (t - lastp[w] > hang_s) {
				char why[64];

				kill(pids[w], SIGKILL);
				waitpid(pids[w], &status, 0);
				pids[w] = 0;
				running--;
				all[w].hangs++;
				snprintf(why, sizeof(why),
					 "no progress for %d s in worker %u",
					 hang_s, w);
				lost(w, why, "hang", jobs, &m);
			}
			if (!pids[w] && all[w].next < end && now() < deadline) {
				uint64_t deaths = 0;
				unsigned int v;

				for (v = 0; v < jobs; v++)
					deaths += all[v].deaths + all[v].hangs;
				if (deaths > 100) {
					printf("# too many worker deaths, not restarting\n");
					continue;
				}
				lastn[w] = all[w].next;
				lastp[w] = now();
				pids[w] = spawn(w, end, deadline, jobs);
				running++;
			}
		}
		if (t - last_print >= 60) {
			uint64_t e = 0, ok = 0, sp = 0;

			last_print = t;
			for (w = 0; w < jobs; w++) {
				e += all[w].execs;
				ok += all[w].load_ok;
				sp += all[w].splats;
			}
			printf("# progress: %llu executions, %.1f exec/s, %llu loaded, %llu splats\n",
			       (unsigned long long)e, e / (t - t0),
			       (unsigned long long)ok, (unsigned long long)sp);
		}
		usleep(100000);
	}
	t0 = now() - t0;
	for (w = 0; w < jobs; w++) {
		const struct stats *x = &all[w];

		tot.execs += x->execs;
		tot.load_ok += x->load_ok;
		tot.prog_tries += x->prog_tries;
		tot.prog_ok += x->prog_ok;
		for (k = 0; k <= MAX_ERRNO; k++) {
			tot.load_err[k] += x->load_err[k];
			tot.prog_err[k] += x->prog_err[k];
		}
		tot.load_empty += x->load_empty;
		tot.prog_empty += x->prog_empty;
		tot.load_undoc += x->load_undoc;
		/* Every worker reads every kernel record: the most any one saw. */
		if (x->splats > tot.splats)
			tot.splats = x->splats;
		tot.deaths += x->deaths;
		tot.hangs += x->hangs;
		tot.sysfs_walks += x->sysfs_walks;
	}
	errno_hist(h1, sizeof(h1), tot.load_err);
	errno_hist(h2, sizeof(h2), tot.prog_err);
	printf("# executions %llu in %.0f s: %.1f exec/s\n", (unsigned long long)tot.execs, t0,
	       tot.execs / t0);
	printf("# BPF_LOAD_FD: %llu loader objects; errnos %s\n",
	       (unsigned long long)tot.load_ok, h1);
	printf("# BPF_PROG_LOAD by name: %llu of %llu loaded; errnos %s\n",
	       (unsigned long long)tot.prog_ok, (unsigned long long)tot.prog_tries, h2);
	printf("# rejections with an empty log: BPF_LOAD_FD %llu, BPF_PROG_LOAD %llu; undocumented errnos %llu\n",
	       (unsigned long long)tot.load_empty,
	       (unsigned long long)tot.prog_empty,
	       (unsigned long long)tot.load_undoc);
	printf("# splats seen by the driver %llu, worker deaths %llu, hangs %llu, sysfs walks %llu\n",
	       (unsigned long long)tot.splats, (unsigned long long)tot.deaths,
	       (unsigned long long)tot.hangs,
	       (unsigned long long)tot.sysfs_walks);
	printf("FUZZ-RESULT seed=0x%llx executions=%llu seconds=%.0f exec_per_s=%.1f loaded=%llu prog_tries=%llu prog_ok=%llu load_errnos=%s prog_errnos=%s load_empty_log=%llu prog_empty_log=%llu undocumented=%llu splats=%llu deaths=%llu hangs=%llu\n",
	       (unsigned long long)g_seed, (unsigned long long)tot.execs, t0,
	       tot.execs / t0, (unsigned long long)tot.load_ok,
	       (unsigned long long)tot.prog_tries,
	       (unsigned long long)tot.prog_ok, h1, h2,
	       (unsigned long long)tot.load_empty,
	       (unsigned long long)tot.prog_empty,
	       (unsigned long long)tot.load_undoc,
	       (unsigned long long)tot.splats, (unsigned long long)tot.deaths,
	       (unsigned long long)tot.hangs);
	free(m.b.d);
	return tot.splats || tot.load_empty || tot.deaths || tot.hangs ? 1 : 0;
}
