// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_LOAD_FD selftests: hostile and unsupported objects.
 *
 * Each case takes a COPY of a real object (or a small dedicated one from
 * ../progs/loadfd_bad_*.c, or an upstream program using a feature the loader
 * refuses), damages it in one precise way, and checks that BPF_LOAD_FD fails
 * with the documented errno and exactly one log line naming the stage (and,
 * where the loader can, the section or extern), with log_true_size written
 * back. A control load of the unmodified object must then still succeed.
 *
 * The "mutate" tests run seeded pseudo-random single mutations (byte flips,
 * u32 set to 0 / ~0 / random, truncations) over whole objects and over their
 * section header table, .BTF, .BTF.ext and relocation sections: every result
 * must be a loader fd or a documented errno with a reason in the log.
 * Oopses, warnings and leaks on these paths are caught by the guest script
 * (dmesg and kmemleak after the suites).
 *
 * Objects are looked up in $LOADFD_OBJDIR, else next to this binary.
 * Temporary files go to $TMPDIR (default /tmp). With
 * LOADFD_REJECT_DUMP=/dir every damaged object of the fixed cases is also
 * written to /dir/<case>.bpf.o, for `bpf-loadfd inspect`.
 *
 * Every test asserts something only a kernel with BPF_LOAD_FD produces, so
 * on a kernel without the command every test fails.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/btf.h>

#include "../../kselftest_harness.h"
#include "loadfd_util.h"

/* Kernel-internal log level (include/linux/bpf_verifier.h), no uapi. */
#define LOG_LEVEL1 1
#define LOG_SIZE 4096
#define SENTINEL 0xdeadbeefu

/* The object every fixed ELF, BTF, .BTF.ext and relocation case damages,
 * and the control load after each case.
 */
#define BASE_OBJ "test_global_data"

#define MUTATIONS_PER_OBJ 300
#define MUTATE_TIMEOUT 120
#define MUTATE_SEED 0x6c6f6164666421ULL	/* "loadfd!" */

#ifndef BTF_KIND_MAX
#define BTF_KIND_MAX 19
#endif

/* ---- the call ---- */

struct call {
	int ret;		/* loader fd, or -errno */
	__u32 log_true_size;
	char log[LOG_SIZE];
};

static __u64 ptr_to_u64(const void *p)
{
	return (__u64)(unsigned long)p;
}

static void load_fd(struct call *c, int obj_fd)
{
	union bpf_attr attr;
	int ret;

	memset(c, 0, sizeof(*c));
	memset(&attr, 0, sizeof(attr));
	attr.load_fd.obj_fd = obj_fd;
	attr.load_fd.log_level = LOG_LEVEL1;
	attr.load_fd.log_buf = ptr_to_u64(c->log);
	attr.load_fd.log_size = sizeof(c->log);
	attr.load_fd.log_true_size = SENTINEL;
	ret = syscall(__NR_bpf, BPF_LOAD_FD, &attr, sizeof(attr));
	c->ret = ret < 0 ? -errno : ret;
	c->log_true_size = attr.load_fd.log_true_size;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* ---- objects and files ---- */

static void obj_dup(struct __test_metadata *_metadata, const struct obj_bytes *src,
		    struct obj_bytes *dst)
{
	dst->data = malloc(src->len);
	ASSERT_NE(NULL, dst->data);
	memcpy(dst->data, src->data, src->len);
	dst->len = src->len;
}

/* A new regular file holding @len bytes of @data, open read-only; unlinked.
 * The writer is closed first: kernel_read_file() refuses files open for
 * writing (ETXTBSY).
 */
static int tmp_file(struct __test_metadata *_metadata, const void *data, size_t len)
{
	const char *tmp = getenv("TMPDIR");
	char path[PATH_MAX];
	int wfd, fd;

	snprintf(path, sizeof(path), "%s/loadfd_reject.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	wfd = mkostemp(path, O_CLOEXEC);
	ASSERT_LE(0, wfd) TH_LOG("mkostemp %s: %s", path, strerror(errno));
	ASSERT_EQ((ssize_t)len, write(wfd, data, len)) TH_LOG("write %s", path);
	ASSERT_EQ(0, close(wfd));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("open %s: %s", path, strerror(errno));
	ASSERT_EQ(0, unlink(path));
	return fd;
}

static void load_bytes(struct __test_metadata *_metadata, struct call *c, const void *data,
		       size_t len)
{
	int fd = tmp_file(_metadata, data, len);

	load_fd(c, fd);
	close(fd);
}

static void dump(const char *name, const struct obj_bytes *o)
{
	const char *dir = getenv("LOADFD_REJECT_DUMP");
	char path[PATH_MAX];
	FILE *f;

	if (!dir || !*dir)
		return;
	snprintf(path, sizeof(path), "%s/%s.bpf.o", dir, name);
	f = fopen(path, "we");
	if (!f)
		return;
	fwrite(o->data, 1, o->len, f);
	fclose(f);
}

/* ---- the checks ---- */

/* The unmodified object still loads: returns a loader fd, which is closed. */
static void control_ok(struct __test_metadata *_metadata, const struct obj_bytes *o)
{
	static struct call c;

	load_bytes(_metadata, &c, o->data, o->len);
	ASSERT_LE(0, c.ret) TH_LOG("control load failed: %s; log: '%s'", strerror(-c.ret), c.log);
	ASSERT_EQ(0, close(c.ret));
}

static void control_base_ok(struct __test_metadata *_metadata)
{
	struct obj_bytes base;

	obj_bytes_read(_metadata, BASE_OBJ, &base);
	control_ok(_metadata, &base);
	obj_bytes_free(&base);
}

/*
 * BPF_LOAD_FD on @o fails with @err; the log is exactly one line, which starts
 * with @prefix (the stage) and contains @needle (may be NULL);
 * log_true_size is the log's size with its NUL.
 */
static void expect_reject(struct __test_metadata *_metadata, const char *what,
			  const struct obj_bytes *o, int err, const char *prefix, const char *needle)
{
	static struct call c;

	dump(what, o);
	load_bytes(_metadata, &c, o->data, o->len);
	if (c.ret >= 0)
		close(c.ret);
	ASSERT_EQ(-err, c.ret)
		TH_LOG("[%s] expected %s, got %s; log: '%s'", what, strerror(err),
		       c.ret >= 0 ? "a loader fd" : strerror(-c.ret), c.log);
	ASSERT_EQ(1, count_lines(c.log)) TH_LOG("[%s] not one line: '%s'", what, c.log);
	ASSERT_EQ('\n', c.log[strlen(c.log) - 1]) TH_LOG("[%s] '%s'", what, c.log);
	ASSERT_EQ(0, strncmp(c.log, prefix, strlen(prefix)))
		TH_LOG("[%s] log '%s' does not start with '%s'", what, c.log, prefix);
	if (needle)
		ASSERT_NE(NULL, strstr(c.log, needle))
			TH_LOG("[%s] log '%s' lacks '%s'", what, c.log, needle);
	ASSERT_LT(1u, c.log_true_size) TH_LOG("[%s] log_true_size %u", what, c.log_true_size);
	ASSERT_NE(SENTINEL, c.log_true_size);
	ASSERT_EQ(strlen(c.log) + 1, c.log_true_size)
		TH_LOG("[%s] log_true_size %u for '%s'", what, c.log_true_size, c.log);
	TH_LOG("[%s] %s: %.*s", what, strerror(err), (int)strlen(c.log) - 1, c.log);
}

/* ---- ELF access to the copies (the originals are trusted) ---- */

static Elf64_Ehdr *ehdr(const struct obj_bytes *o)
{
	return (Elf64_Ehdr *)o->data;
}

static Elf64_Shdr *shdr(const struct obj_bytes *o, unsigned int i)
{
	return (Elf64_Shdr *)(o->data + ehdr(o)->e_shoff) + i;
}

static const char *sec_name(const struct obj_bytes *o, unsigned int i)
{
	Elf64_Shdr *strsh = shdr(o, ehdr(o)->e_shstrndx);

	return (const char *)o->data + strsh->sh_offset + shdr(o, i)->sh_name;
}

/* Index of section @name, or fails the test. */
static unsigned int sec_idx(struct __test_metadata *_metadata, const struct obj_bytes *o,
			    const char *name)
{
	unsigned int i;

	for (i = 1; i < ehdr(o)->e_shnum; i++)
		if (!strcmp(sec_name(o, i), name))
			return i;
	ASSERT_TRUE(false) TH_LOG("no section '%s'", name);
	return 0;
}

static unsigned int sec_by_type(struct __test_metadata *_metadata, const struct obj_bytes *o,
				__u32 type)
{
	unsigned int i;

	for (i = 1; i < ehdr(o)->e_shnum; i++)
		if (shdr(o, i)->sh_type == type)
			return i;
	ASSERT_TRUE(false) TH_LOG("no section of type %u", type);
	return 0;
}

/* The SHT_REL section relocating the first executable section with
 * relocations (e.g. ".reltc").
 */
static unsigned int prog_rel_sec(const struct obj_bytes *o)
{
	unsigned int i;

	for (i = 1; i < ehdr(o)->e_shnum; i++) {
		Elf64_Shdr *sh = shdr(o, i);

		if (sh->sh_type == SHT_REL && sh->sh_info < ehdr(o)->e_shnum &&
		    (shdr(o, sh->sh_info)->sh_flags & SHF_EXECINSTR) && sh->sh_size)
			return i;
	}
	return 0;
}

static unsigned char *sec_data(const struct obj_bytes *o, unsigned int i)
{
	return o->data + shdr(o, i)->sh_offset;
}

static void put_u32(unsigned char *p, __u32 v)
{
	memcpy(p, &v, sizeof(v));
}

static __u32 get_u32(const unsigned char *p)
{
	__u32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* ---- ELF ---- */

FIXTURE(damaged) {
	struct obj_bytes base;	/* the original */
	struct obj_bytes o;		/* the copy each case damages */
};

FIXTURE_SETUP(damaged)
{
	obj_bytes_read(_metadata, BASE_OBJ, &self->base);
	obj_dup(_metadata, &self->base, &self->o);
	/* Sanity: the layout the cases below rely on (clang puts the section
	 * header table last).
	 */
	ASSERT_EQ(sizeof(Elf64_Shdr), ehdr(&self->o)->e_shentsize);
	ASSERT_EQ(self->o.len, ehdr(&self->o)->e_shoff +
			       (size_t)ehdr(&self->o)->e_shnum * sizeof(Elf64_Shdr));
}

FIXTURE_TEARDOWN(damaged)
{
	/* The loader is still fine after the rejection. */
	if (self->base.data && _metadata->exit_code == KSFT_PASS)
		control_ok(_metadata, &self->base);
	obj_bytes_free(&self->o);
	obj_bytes_free(&self->base);
}

TEST_F(damaged, truncated_to_40_bytes)
{
	self->o.len = 40;
	expect_reject(_metadata, "elf_truncated_40", &self->o, ENOEXEC, "elf:",
		      "shorter than an ELF64 header");
}

TEST_F(damaged, truncated_in_shdr_table)
{
	Elf64_Ehdr *eh = ehdr(&self->o);

	self->o.len = eh->e_shoff + eh->e_shnum / 2 * sizeof(Elf64_Shdr) + 20;
	expect_reject(_metadata, "elf_truncated_shdrs", &self->o, EINVAL, "elf:",
		      "section header table");
}

TEST_F(damaged, shoff_past_eof)
{
	ehdr(&self->o)->e_shoff = self->o.len + 64;
	expect_reject(_metadata, "elf_shoff_past_eof", &self->o, EINVAL, "elf:",
		      "section header table");
}

TEST_F(damaged, section_past_eof)
{
	unsigned int i = sec_idx(_metadata, &self->o, ".BTF");

	shdr(&self->o, i)->sh_size = self->o.len;
	expect_reject(_metadata, "elf_section_past_eof", &self->o, EINVAL, "elf: section",
		      "outside the file (section '.BTF')");
}

TEST_F(damaged, sections_overlap)
{
	unsigned int ro = sec_idx(_metadata, &self->o, ".rodata");
	unsigned int data = sec_idx(_metadata, &self->o, ".data");

	shdr(&self->o, data)->sh_offset = shdr(&self->o, ro)->sh_offset + 8;
	expect_reject(_metadata, "elf_sections_overlap", &self->o, EINVAL, "elf: section",
		      "overlap section");
}

TEST_F(damaged, shstrndx_out_of_range)
{
	ehdr(&self->o)->e_shstrndx = ehdr(&self->o)->e_shnum;
	expect_reject(_metadata, "elf_shstrndx", &self->o, EINVAL, "elf:", "e_shstrndx");
}

TEST_F(damaged, shnum_huge)
{
	ehdr(&self->o)->e_shnum = 0xffff;
	expect_reject(_metadata, "elf_shnum_huge", &self->o, EINVAL, "elf:", "e_shnum");
}

TEST_F(damaged, shnum_past_eof)
{
	/* Valid as a count, but the table would run past the end of the file. */
	ehdr(&self->o)->e_shnum = 0xfe00;
	expect_reject(_metadata, "elf_shnum_past_eof", &self->o, EINVAL, "elf:",
		      "section header table");
}

TEST_F(damaged, symbol_name_past_strtab)
{
	unsigned int symtab = sec_by_type(_metadata, &self->o, SHT_SYMTAB);
	Elf64_Shdr *strsh = shdr(&self->o, shdr(&self->o, symtab)->sh_link);
	Elf64_Sym *sym = (Elf64_Sym *)sec_data(&self->o, symtab) + 1;

	sym->st_name = strsh->sh_size + 16;
	expect_reject(_metadata, "elf_sym_name", &self->o, EINVAL, "elf: symbol 1:",
		      "name offset");
}

TEST_F(damaged, rela_section)
{
	unsigned int rel = prog_rel_sec(&self->o);
	char needle[128];

	ASSERT_NE(0u, rel);
	shdr(&self->o, rel)->sh_type = SHT_RELA;
	snprintf(needle, sizeof(needle), "SHT_RELA is not supported for BPF (section '%s')",
		 sec_name(&self->o, rel));
	expect_reject(_metadata, "elf_rela", &self->o, EOPNOTSUPP, "elf: section", needle);
}

TEST_F(damaged, not_bpf_machine)
{
	ehdr(&self->o)->e_machine = EM_X86_64;
	expect_reject(_metadata, "elf_machine", &self->o, ENOEXEC, "elf:", "not EM_BPF");
}

/* ---- .BTF and .BTF.ext ---- */

/* Size of the BTF type record at @t (common header included), or 0. */
static size_t btf_type_size(const struct btf_type *t)
{
	__u32 vlen = BTF_INFO_VLEN(t->info);

	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_INT:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		return sizeof(*t) + 4;
	case BTF_KIND_PTR:
	case BTF_KIND_FWD:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case BTF_KIND_FLOAT:
	case BTF_KIND_TYPE_TAG:
		return sizeof(*t);
	case BTF_KIND_ARRAY:
		return sizeof(*t) + sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return sizeof(*t) + vlen * sizeof(struct btf_member);
	case BTF_KIND_ENUM:
		return sizeof(*t) + vlen * sizeof(struct btf_enum);
	case BTF_KIND_FUNC_PROTO:
		return sizeof(*t) + vlen * sizeof(struct btf_param);
	case BTF_KIND_DATASEC:
		return sizeof(*t) + vlen * sizeof(struct btf_var_secinfo);
	case BTF_KIND_ENUM64:
		return sizeof(*t) + vlen * sizeof(struct btf_enum64);
	}
	return 0;
}

/* The first type of @kind in the object's .BTF; *@nr_types gets the count. */
static struct btf_type *btf_find_kind(struct __test_metadata *_metadata, const struct obj_bytes *o,
				      unsigned int kind, __u32 *nr_types)
{
	unsigned char *btf = sec_data(o, sec_idx(_metadata, o, ".BTF"));
	struct btf_header *h = (struct btf_header *)btf;
	unsigned char *p = btf + h->hdr_len + h->type_off, *end = p + h->type_len;
	struct btf_type *found = NULL;
	__u32 n = 0;

	while (p < end) {
		struct btf_type *t = (struct btf_type *)p;
		size_t sz = btf_type_size(t);

		ASSERT_NE(0ul, sz) TH_LOG("unknown BTF kind %u", BTF_INFO_KIND(t->info));
		if (!found && BTF_INFO_KIND(t->info) == kind)
			found = t;
		n++;
		p += sz;
	}
	ASSERT_NE(NULL, found) TH_LOG("no BTF type of kind %u", kind);
	*nr_types = n + 1;
	return found;
}

TEST_F(damaged, btf_bad_magic)
{
	struct btf_header *h = (void *)sec_data(&self->o, sec_idx(_metadata, &self->o, ".BTF"));

	h->magic = 0x9feb;
	expect_reject(_metadata, "btf_magic", &self->o, EINVAL, "btf:", "magic");
}

TEST_F(damaged, btf_bad_hdr_len)
{
	struct btf_header *h = (void *)sec_data(&self->o, sec_idx(_metadata, &self->o, ".BTF"));

	h->hdr_len = 8;
	expect_reject(_metadata, "btf_hdr_len", &self->o, EINVAL, "btf:", "hdr_len");
}

TEST_F(damaged, btf_hdr_len_past_blob)
{
	unsigned int i = sec_idx(_metadata, &self->o, ".BTF");
	struct btf_header *h = (void *)sec_data(&self->o, i);

	h->hdr_len = shdr(&self->o, i)->sh_size + 4;
	expect_reject(_metadata, "btf_hdr_len_past", &self->o, EINVAL, "btf:", "hdr_len");
}

TEST_F(damaged, btf_type_ref_out_of_range)
{
	__u32 nr_types;
	struct btf_type *t = btf_find_kind(_metadata, &self->o, BTF_KIND_PTR, &nr_types);

	t->type = nr_types + 1000;
	expect_reject(_metadata, "btf_type_ref", &self->o, EINVAL, "btf: [", "invalid type_id");
}

TEST_F(damaged, btf_unknown_kind)
{
	__u32 nr_types;
	struct btf_type *t = btf_find_kind(_metadata, &self->o, BTF_KIND_PTR, &nr_types);

	t->info = (t->info & ~(0x1fu << 24)) | (BTF_KIND_MAX + 1) << 24;
	expect_reject(_metadata, "btf_kind", &self->o, EINVAL, "btf: [", "kind");
}

TEST_F(damaged, btf_ext_func_info_count_inflated)
{
	unsigned char *ext = sec_data(&self->o, sec_idx(_metadata, &self->o, ".BTF.ext"));
	/* struct btf_ext_header (libbpf): magic, version, flags, hdr_len,
	 * func_info_off, func_info_len, ...; func_info starts with rec_size,
	 * then blocks of { sec_name_off, num_info, records }.
	 */
	__u32 hdr_len = get_u32(ext + 4), fi_off = get_u32(ext + 8);
	unsigned char *fi = ext + hdr_len + fi_off;

	ASSERT_NE(0u, get_u32(ext + 12)) TH_LOG("no func_info");
	put_u32(fi + 8, 0x10000);
	expect_reject(_metadata, "btf_ext_func_info", &self->o, EINVAL, "btf.ext:", "func_info");
}

TEST_F(damaged, btf_ext_bad_magic)
{
	unsigned char *ext = sec_data(&self->o, sec_idx(_metadata, &self->o, ".BTF.ext"));

	ext[0] ^= 0xff;
	expect_reject(_metadata, "btf_ext_magic", &self->o, EINVAL, "btf.ext:", "magic");
}

/* ---- relocations ---- */

static Elf64_Rel *first_rel(struct __test_metadata *_metadata, const struct obj_bytes *o,
			    unsigned int *rel_sec)
{
	unsigned int rel = prog_rel_sec(o);

	ASSERT_NE(0u, rel) TH_LOG("no relocations of a program section");
	*rel_sec = rel;
	return (Elf64_Rel *)sec_data(o, rel);
}

TEST_F(damaged, reloc_insn_not_ldimm64)
{
	unsigned int rs;
	Elf64_Rel *r = first_rel(_metadata, &self->o, &rs);
	unsigned char *insn = sec_data(&self->o, shdr(&self->o, rs)->sh_info) + r->r_offset;

	ASSERT_EQ(BPF_LD | BPF_IMM | BPF_DW, insn[0]) TH_LOG("rel 0 is not on an ld_imm64");
	insn[0] = BPF_ALU64 | BPF_MOV | BPF_K;
	expect_reject(_metadata, "reloc_not_ldimm64", &self->o, EINVAL, "reloc: section",
		      "rel 0: wrong instruction");
}

TEST_F(damaged, reloc_symbol_out_of_range)
{
	unsigned int rs, symtab = sec_by_type(_metadata, &self->o, SHT_SYMTAB);
	Elf64_Rel *r = first_rel(_metadata, &self->o, &rs);
	__u64 nsyms = shdr(&self->o, symtab)->sh_size / sizeof(Elf64_Sym);

	r->r_info = ELF64_R_INFO(nsyms + 100, ELF64_R_TYPE(r->r_info));
	expect_reject(_metadata, "reloc_symbol", &self->o, EINVAL, "elf: section",
		      "rel 0: symbol");
}

TEST_F(damaged, reloc_offset_past_section)
{
	unsigned int rs;
	Elf64_Rel *r = first_rel(_metadata, &self->o, &rs);

	r->r_offset = shdr(&self->o, shdr(&self->o, rs)->sh_info)->sh_size + 8;
	expect_reject(_metadata, "reloc_offset", &self->o, EINVAL, "elf: section",
		      "outside the target section");
}

TEST_F(damaged, reloc_offset_unaligned)
{
	unsigned int rs;
	Elf64_Rel *r = first_rel(_metadata, &self->o, &rs);

	r->r_offset += 4;
	expect_reject(_metadata, "reloc_offset_unaligned", &self->o, EINVAL, "reloc: section",
		      "rel 0: offset not instruction-aligned");
}

/* ---- dedicated and upstream objects ---- */

static void reject_obj(struct __test_metadata *_metadata, const char *name, int err,
		       const char *prefix, const char *needle)
{
	struct obj_bytes o;

	obj_bytes_read(_metadata, name, &o);
	expect_reject(_metadata, name, &o, err, prefix, needle);
	obj_bytes_free(&o);
	control_base_ok(_metadata);
}

TEST(btf_rejected_by_kernel_verifier)
{
	/* Accepted by the core, refused by BPF_BTF_LOAD (an enum of size 0),
	 * with the BTF verifier's own message as libbpf shows it.
	 */
	reject_obj(_metadata, "loadfd_bad_fwd_enum", EINVAL,
		   "btf: the kernel's BTF verifier rejected the object's BTF (-22): ",
		   "ENUM loadfd_fwd_enum size=0 vlen=0 Unexpected size");
}

TEST(unknown_section)
{
	reject_obj(_metadata, "loadfd_bad_unknown_sec", EOPNOTSUPP, "prog: section",
		   "unknown program section name (section 'loadfd_no_such_section')");
}

TEST(struct_ops_not_in_kernel)
{
	/* A struct_ops map of a struct the kernel has no struct_ops for. */
	reject_obj(_metadata, "loadfd_bad_st_ops", ENOENT, "struct_ops: 'loadfd_bad_ops'",
		   "struct bpf_struct_ops_loadfd_no_such_ops is not in the kernel's BTF");
}

TEST(struct_ops_member_not_in_kernel)
{
	/* The 6.12 selftests' struct_ops_module.c as it is: testmod_zeroed
	 * puts a program in a member bpf_testmod_ops lacks, which libbpf
	 * refuses too (the test turns that map off first).
	 */
	reject_obj(_metadata, "struct_ops_module", EOPNOTSUPP, "struct_ops: 'testmod_zeroed'",
		   "member 'zeroed_op' is not in the kernel's struct");
}

TEST(legacy_maps_section)
{
	reject_obj(_metadata, "loadfd_bad_legacy_maps", EOPNOTSUPP, "obj: section",
		   "legacy 'maps' section");
}

TEST(missing_strong_ksym)
{
	reject_obj(_metadata, "loadfd_bad_missing_ksym", ENOENT, "externs: extern",
		   "not found in the running kernel ('loadfd_no_such_ksym')");
}

TEST(missing_strong_kconfig)
{
	reject_obj(_metadata, "loadfd_bad_missing_kconfig", ENOENT, "externs: extern",
		   "not found in the running kernel ('CONFIG_LOADFD_NO_SUCH')");
}

/* ---- memfd: a shmem regular file ---- */

static int memfd_with(struct __test_metadata *_metadata, const void *data, size_t len)
{
	int fd = memfd_create("loadfd_reject", MFD_CLOEXEC);

	ASSERT_LE(0, fd) TH_LOG("memfd_create: %s", strerror(errno));
	ASSERT_EQ((ssize_t)len, pwrite(fd, data, len, 0));
	return fd;
}

TEST(memfd_loads)
{
	static struct call c;
	struct obj_bytes o;
	int fd;

	obj_bytes_read(_metadata, BASE_OBJ, &o);
	fd = memfd_with(_metadata, o.data, o.len);
	load_fd(&c, fd);
	ASSERT_LE(0, c.ret) TH_LOG("memfd: %s; log: '%s'", strerror(-c.ret), c.log);
	ASSERT_EQ(0, close(c.ret));
	close(fd);
	obj_bytes_free(&o);
}

TEST(memfd_truncated_rejected)
{
	static struct call c;
	struct obj_bytes o;
	int fd;

	obj_bytes_read(_metadata, BASE_OBJ, &o);
	fd = memfd_with(_metadata, o.data, 40);
	load_fd(&c, fd);
	close(fd);
	obj_bytes_free(&o);
	if (c.ret >= 0)
		close(c.ret);
	ASSERT_EQ(-ENOEXEC, c.ret) TH_LOG("got %d; log: '%s'", c.ret, c.log);
	ASSERT_EQ(0, strncmp(c.log, "elf:", 4)) TH_LOG("log: '%s'", c.log);
	ASSERT_EQ(strlen(c.log) + 1, c.log_true_size);
}

/* ---- seeded mutations ---- */

/*
 * The errnos Documentation/bpf/loadfd.rst lists for a malformed or
 * unsupported object. EPERM (we are privileged) and EBADF (the fd is a
 * readable regular file) cannot apply. ENOMEM is documented and a mutated
 * map definition can legitimately ask BPF_MAP_CREATE for more than there is.
 */
static const int allowed_errnos[] = { EINVAL, ENOEXEC, E2BIG, EOPNOTSUPP, ENOENT, ENOMEM };
static const char *const allowed_names[] = {
	"EINVAL", "ENOEXEC", "E2BIG", "EOPNOTSUPP", "ENOENT", "ENOMEM",
};
#define N_ALLOWED ARRAY_SIZE(allowed_errnos)

enum region { R_WHOLE, R_SHDRS, R_BTF, R_BTF_EXT, R_RELOC, R_NR };

static const char *const region_names[R_NR] = {
	"whole", "shdrs", ".BTF", ".BTF.ext", "relocs",
};

/* Of the MUTATIONS_PER_OBJ mutations, how many go to each region. */
static const int region_share[R_NR] = { 100, 50, 50, 50, 50 };

static __u64 lcg_next(__u64 *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 33;
}

struct range {
	size_t start, end;	/* [start, end) within the file, non-empty */
};

/* Up to 8 ranges making up @r in the ORIGINAL object @o. */
static int region_ranges(const struct obj_bytes *o, enum region r, struct range *out, int max)
{
	Elf64_Ehdr *eh = ehdr(o);
	int n = 0;
	unsigned int i;

	switch (r) {
	case R_WHOLE:
		out[n++] = (struct range){ 0, o->len };
		break;
	case R_SHDRS:
		out[n++] = (struct range){ eh->e_shoff,
					   eh->e_shoff + (size_t)eh->e_shnum * sizeof(Elf64_Shdr) };
		break;
	default:
		for (i = 1; i < eh->e_shnum && n < max; i++) {
			Elf64_Shdr *sh = shdr(o, i);
			bool want;

			if (!sh->sh_size || sh->sh_type == SHT_NOBITS)
				continue;
			if (r == R_BTF)
				want = !strcmp(sec_name(o, i), ".BTF");
			else if (r == R_BTF_EXT)
				want = !strcmp(sec_name(o, i), ".BTF.ext");
			else	/* relocations of code and of .maps */
				want = sh->sh_type == SHT_REL && sh->sh_info < eh->e_shnum &&
				       ((shdr(o, sh->sh_info)->sh_flags & SHF_EXECINSTR) ||
					!strcmp(sec_name(o, sh->sh_info), ".maps"));
			if (want)
				out[n++] = (struct range){ sh->sh_offset,
							   sh->sh_offset + sh->sh_size };
		}
	}
	return n;
}

/* Applies one mutation inside @rg to @m (a copy); describes it in @desc. */
static void mutate_one(__u64 *seed, struct obj_bytes *m, const struct range *rg, char *desc,
		       size_t dsize)
{
	size_t span = rg->end - rg->start;
	size_t off = rg->start + lcg_next(seed) % span;
	unsigned int op = lcg_next(seed) % 16;
	__u32 v;

	if (op == 0) {
		m->len = off;
		snprintf(desc, dsize, "truncate to %zu", off);
		return;
	}
	if (op < 7 || span < 4) {
		unsigned char x = 1u << (lcg_next(seed) % 8);

		if (op >= 5)	/* any non-zero xor */
			x = 1 + lcg_next(seed) % 255;
		m->data[off] ^= x;
		snprintf(desc, dsize, "byte %zu ^= 0x%02x", off, x);
		return;
	}
	/* A u32 at a 4-aligned offset (the fields are), inside the range. */
	off = rg->start + (lcg_next(seed) % (span / 4)) * 4;
	if (off + 4 > rg->end)
		off = rg->end - 4;
	v = op < 10 ? 0 : op < 13 ? 0xffffffffu : (__u32)lcg_next(seed) ^ (__u32)lcg_next(seed) << 16;
	put_u32(m->data + off, v);
	snprintf(desc, dsize, "u32 at %zu = 0x%x", off, v);
}

FIXTURE(mutate) {
	struct obj_bytes base;
};

FIXTURE_VARIANT(mutate) {
	const char *obj;
	__u64 seed;
};

FIXTURE_VARIANT_ADD(mutate, test_global_data) {
	.obj = "test_global_data",
	.seed = MUTATE_SEED,
};

FIXTURE_VARIANT_ADD(mutate, bpf_loop) {
	.obj = "bpf_loop",
	.seed = MUTATE_SEED + 1,
};

FIXTURE_VARIANT_ADD(mutate, loadfd_execve) {
	.obj = "loadfd_execve",
	.seed = MUTATE_SEED + 2,
};

FIXTURE_SETUP(mutate)
{
	obj_bytes_read(_metadata, variant->obj, &self->base);
}

FIXTURE_TEARDOWN(mutate)
{
	obj_bytes_free(&self->base);
}

TEST_F_TIMEOUT(mutate, run, MUTATE_TIMEOUT)
{
	static struct call c;
	int by_errno[N_ALLOWED] = {}, by_region[R_NR][2] = {};
	int accepted = 0, multi_line = 0, total = 0;
	__u64 seed = variant->seed;
	char desc[96], dist[256];
	struct range rg[8];
	struct obj_bytes m;
	size_t pos;
	int r, i, k, nr;

	obj_dup(_metadata, &self->base, &m);
	for (r = 0; r < R_NR; r++) {
		nr = region_ranges(&self->base, r, rg, 8);
		if (!nr) {
			TH_LOG("%s: no %s region, skipped", variant->obj, region_names[r]);
			continue;
		}
		for (i = 0; i < region_share[r]; i++) {
			const struct range *pick = &rg[lcg_next(&seed) % nr];
			bool ok = false;

			memcpy(m.data, self->base.data, self->base.len);
			m.len = self->base.len;
			mutate_one(&seed, &m, pick, desc, sizeof(desc));
			if (getenv("LOADFD_REJECT_DUMP")) {
				char name[64];

				snprintf(name, sizeof(name), "mut_%s_%s_%03d", variant->obj,
					 r == R_BTF ? "btf" : r == R_BTF_EXT ? "btfext" :
					 region_names[r], i);
				dump(name, &m);
			}
			load_bytes(_metadata, &c, m.data, m.len);
			total++;
			if (c.ret >= 0) {
				ASSERT_EQ(0, close(c.ret));
				accepted++;
				by_region[r][0]++;
				continue;
			}
			by_region[r][1]++;
			for (k = 0; k < (int)N_ALLOWED; k++) {
				if (-c.ret == allowed_errnos[k]) {
					by_errno[k]++;
					ok = true;
				}
			}
			ASSERT_TRUE(ok)
				TH_LOG("%s %s #%d (%s): undocumented errno %d (%s); log: '%s'",
				       variant->obj, region_names[r], i, desc, -c.ret,
				       strerror(-c.ret), c.log);
			ASSERT_NE(0, c.log[0])
				TH_LOG("%s %s #%d (%s): %s with an empty log", variant->obj,
				       region_names[r], i, desc, strerror(-c.ret));
			ASSERT_EQ('\n', c.log[strlen(c.log) - 1])
				TH_LOG("%s %s #%d (%s): log '%s'", variant->obj, region_names[r],
				       i, desc, c.log);
			ASSERT_LT(1u, c.log_true_size);
			ASSERT_NE(SENTINEL, c.log_true_size);
			if (count_lines(c.log) != 1) {
				multi_line++;
				TH_LOG("%s %s #%d (%s): %d log lines: '%s'", variant->obj,
				       region_names[r], i, desc, count_lines(c.log), c.log);
			}
		}
	}
	obj_bytes_free(&m);

	pos = snprintf(dist, sizeof(dist), "%s: %d mutations: %d loaded", variant->obj, total,
		       accepted);
	for (k = 0; k < (int)N_ALLOWED; k++)
		pos += snprintf(dist + pos, sizeof(dist) - pos, ", %s %d",
				allowed_names[k], by_errno[k]);
	ksft_print_msg("%s; %d multi-line logs\n", dist, multi_line);
	for (r = 0; r < R_NR; r++)
		ksft_print_msg("%s: %-8s loaded %d, rejected %d\n", variant->obj, region_names[r],
			       by_region[r][0], by_region[r][1]);
	/* The loader is still fine afterwards. */
	control_ok(_metadata, &self->base);
}

TEST_HARNESS_MAIN
