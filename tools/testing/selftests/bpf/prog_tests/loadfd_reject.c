// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_LOAD_FD: hostile and unsupported objects.
 *
 * Each case takes a COPY of a real object (or a small dedicated one from
 * progs/loadfd_bad_*.c, or an upstream program using a feature the loader
 * refuses), damages it in one precise way, and checks that BPF_LOAD_FD fails
 * with the documented errno and exactly one log line naming the stage (and,
 * where the loader can, the section or extern), with log_true_size written
 * back. A control load of the unmodified object must then still succeed.
 *
 * The "mutate_*" subtests run seeded pseudo-random single mutations (byte
 * flips, u32 set to 0 / ~0 / random, truncations) over whole objects and
 * over their section header table, .BTF, .BTF.ext and relocation sections:
 * every result must be a loader fd or a documented errno with a reason in
 * the log. Oopses, warnings and leaks on these paths are caught by the
 * guest script (dmesg and kmemleak after the suites).
 *
 * Temporary files go to $TMPDIR (default /tmp). With LOADFD_REJECT_DUMP=/dir
 * every damaged object of the fixed cases is also written to
 * /dir/<case>.bpf.o, for `bpf-loadfd inspect`.
 */
#include <test_progs.h>
#include <elf.h>
#include <sys/mman.h>
#include <linux/btf.h>
#include "loadfd_helpers.h"

/* The object every fixed ELF, BTF, .BTF.ext and relocation case damages,
 * and the control load after each case.
 */
#define BASE_OBJ "test_global_data.bpf.o"

#define MUTATIONS_PER_OBJ 300
#define MUTATE_SEED 0x6c6f6164666421ULL	/* "loadfd!" */

#ifndef BTF_KIND_MAX
#define BTF_KIND_MAX 19
#endif

static struct loadfd_call call;

/* ---- objects and files ---- */

static int load_bytes(struct loadfd_call *c, const void *data, size_t len)
{
	int fd = loadfd_tmp_file(data, len);

	if (fd < 0)
		return -1;
	loadfd_call(c, fd);
	close(fd);
	return 0;
}

static void dump(const char *name, const struct loadfd_bytes *o)
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

/* The unmodified object still loads; its loader fd is closed. */
static void control_ok(const struct loadfd_bytes *o)
{
	if (load_bytes(&call, o->data, o->len))
		return;
	if (!ASSERT_OK_FD(call.ret, "control load")) {
		printf("control load: %s; log: '%s'\n", strerror(-call.ret), call.log);
		return;
	}
	ASSERT_OK(close(call.ret), "close control loader");
}

static void control_base_ok(void)
{
	struct loadfd_bytes base;

	if (loadfd_bytes_read(BASE_OBJ, &base))
		return;
	control_ok(&base);
	loadfd_bytes_free(&base);
}

/*
 * BPF_LOAD_FD on @o fails with @err; the log is exactly one line, which
 * starts with @prefix (the stage) and contains @needle (may be NULL);
 * log_true_size is the log's size with its NUL.
 */
static void expect_reject(const char *what, const struct loadfd_bytes *o, int err,
			  const char *prefix, const char *needle)
{
	struct loadfd_call *c = &call;
	bool one_line;

	dump(what, o);
	if (load_bytes(c, o->data, o->len))
		return;
	if (c->ret >= 0)
		close(c->ret);
	if (!ASSERT_EQ(c->ret, -err, "errno"))
		printf("[%s] expected %s, got %s; log: '%s'\n", what, strerror(err),
		       c->ret >= 0 ? "a loader fd" : strerror(-c->ret), c->log);
	one_line = ASSERT_EQ(loadfd_count_lines(c->log), 1, "one log line");
	if (one_line)
		ASSERT_EQ(c->log[strlen(c->log) - 1], '\n', "log ends in a newline");
	if (!ASSERT_STRNEQ(c->log, prefix, strlen(prefix), "log prefix (stage)"))
		printf("[%s] log '%s' does not start with '%s'\n", what, c->log, prefix);
	if (needle)
		ASSERT_HAS_SUBSTR(c->log, needle, "log names the cause");
	ASSERT_GT(c->log_true_size, 1, "log_true_size");
	ASSERT_NEQ(c->log_true_size, LOADFD_SENTINEL, "log_true_size written");
	ASSERT_EQ(c->log_true_size, strlen(c->log) + 1, "log_true_size is the log's size");
	printf("[%s] %s: %s", what, strerror(err), c->log);
}

/* ---- ELF access to the copies (the originals are trusted) ---- */

static Elf64_Ehdr *ehdr(const struct loadfd_bytes *o)
{
	return (Elf64_Ehdr *)o->data;
}

static Elf64_Shdr *shdr(const struct loadfd_bytes *o, unsigned int i)
{
	return (Elf64_Shdr *)(o->data + ehdr(o)->e_shoff) + i;
}

static const char *sec_name(const struct loadfd_bytes *o, unsigned int i)
{
	Elf64_Shdr *strsh = shdr(o, ehdr(o)->e_shstrndx);

	return (const char *)o->data + strsh->sh_offset + shdr(o, i)->sh_name;
}

/* Index of section @name, or 0 (the subtest failed). */
static unsigned int sec_idx(const struct loadfd_bytes *o, const char *name)
{
	unsigned int i;

	for (i = 1; i < ehdr(o)->e_shnum; i++)
		if (!strcmp(sec_name(o, i), name))
			return i;
	ASSERT_FAIL("no section '%s'", name);
	return 0;
}

static unsigned int sec_by_type(const struct loadfd_bytes *o, __u32 type)
{
	unsigned int i;

	for (i = 1; i < ehdr(o)->e_shnum; i++)
		if (shdr(o, i)->sh_type == type)
			return i;
	ASSERT_FAIL("no section of type %u", type);
	return 0;
}

/* The SHT_REL section relocating the first executable section with
 * relocations (e.g. ".reltc").
 */
static unsigned int prog_rel_sec(const struct loadfd_bytes *o)
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

static unsigned char *sec_data(const struct loadfd_bytes *o, unsigned int i)
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

static void truncated_to_40_bytes(struct loadfd_bytes *o)
{
	o->len = 40;
	expect_reject("elf_truncated_40", o, ENOEXEC, "elf:", "shorter than an ELF64 header");
}

static void truncated_in_shdr_table(struct loadfd_bytes *o)
{
	Elf64_Ehdr *eh = ehdr(o);

	o->len = eh->e_shoff + eh->e_shnum / 2 * sizeof(Elf64_Shdr) + 20;
	expect_reject("elf_truncated_shdrs", o, EINVAL, "elf:", "section header table");
}

static void shoff_past_eof(struct loadfd_bytes *o)
{
	ehdr(o)->e_shoff = o->len + 64;
	expect_reject("elf_shoff_past_eof", o, EINVAL, "elf:", "section header table");
}

static void section_past_eof(struct loadfd_bytes *o)
{
	unsigned int i = sec_idx(o, ".BTF");

	if (!i)
		return;
	shdr(o, i)->sh_size = o->len;
	expect_reject("elf_section_past_eof", o, EINVAL, "elf: section",
		      "outside the file (section '.BTF')");
}

static void sections_overlap(struct loadfd_bytes *o)
{
	unsigned int ro = sec_idx(o, ".rodata");
	unsigned int data = sec_idx(o, ".data");

	if (!ro || !data)
		return;
	shdr(o, data)->sh_offset = shdr(o, ro)->sh_offset + 8;
	expect_reject("elf_sections_overlap", o, EINVAL, "elf: section", "overlap section");
}

static void shstrndx_out_of_range(struct loadfd_bytes *o)
{
	ehdr(o)->e_shstrndx = ehdr(o)->e_shnum;
	expect_reject("elf_shstrndx", o, EINVAL, "elf:", "e_shstrndx");
}

static void shnum_huge(struct loadfd_bytes *o)
{
	ehdr(o)->e_shnum = 0xffff;
	expect_reject("elf_shnum_huge", o, EINVAL, "elf:", "e_shnum");
}

static void shnum_past_eof(struct loadfd_bytes *o)
{
	/* Valid as a count, but the table would run past the end of the file. */
	ehdr(o)->e_shnum = 0xfe00;
	expect_reject("elf_shnum_past_eof", o, EINVAL, "elf:", "section header table");
}

static void symbol_name_past_strtab(struct loadfd_bytes *o)
{
	unsigned int symtab = sec_by_type(o, SHT_SYMTAB);
	Elf64_Shdr *strsh;
	Elf64_Sym *sym;

	if (!symtab)
		return;
	strsh = shdr(o, shdr(o, symtab)->sh_link);
	sym = (Elf64_Sym *)sec_data(o, symtab) + 1;
	sym->st_name = strsh->sh_size + 16;
	expect_reject("elf_sym_name", o, EINVAL, "elf: symbol 1:", "name offset");
}

static void rela_section(struct loadfd_bytes *o)
{
	unsigned int rel = prog_rel_sec(o);
	char needle[128];

	if (!ASSERT_NEQ(rel, 0, "a program relocation section"))
		return;
	shdr(o, rel)->sh_type = SHT_RELA;
	snprintf(needle, sizeof(needle), "SHT_RELA is not supported for BPF (section '%s')",
		 sec_name(o, rel));
	expect_reject("elf_rela", o, EOPNOTSUPP, "elf: section", needle);
}

static void not_bpf_machine(struct loadfd_bytes *o)
{
	ehdr(o)->e_machine = EM_X86_64;
	expect_reject("elf_machine", o, ENOEXEC, "elf:", "not EM_BPF");
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

/* The object's .BTF header, or NULL. */
static struct btf_header *btf_hdr(const struct loadfd_bytes *o)
{
	unsigned int i = sec_idx(o, ".BTF");

	return i ? (struct btf_header *)sec_data(o, i) : NULL;
}

/* The first type of @kind in the object's .BTF (or NULL); *@nr_types gets
 * the count.
 */
static struct btf_type *btf_find_kind(const struct loadfd_bytes *o, unsigned int kind,
				      __u32 *nr_types)
{
	struct btf_header *h = btf_hdr(o);
	struct btf_type *found = NULL;
	unsigned char *p, *end;
	__u32 n = 0;

	if (!h)
		return NULL;
	p = (unsigned char *)h + h->hdr_len + h->type_off;
	end = p + h->type_len;
	while (p < end) {
		struct btf_type *t = (struct btf_type *)p;
		size_t sz = btf_type_size(t);

		if (!ASSERT_NEQ(sz, 0, "known BTF kind")) {
			printf("unknown BTF kind %u\n", BTF_INFO_KIND(t->info));
			return NULL;
		}
		if (!found && BTF_INFO_KIND(t->info) == kind)
			found = t;
		n++;
		p += sz;
	}
	if (!ASSERT_OK_PTR(found, "BTF type of the kind"))
		return NULL;
	*nr_types = n + 1;
	return found;
}

static void btf_bad_magic(struct loadfd_bytes *o)
{
	struct btf_header *h = btf_hdr(o);

	if (!h)
		return;
	h->magic = 0x9feb;
	expect_reject("btf_magic", o, EINVAL, "btf:", "magic");
}

static void btf_bad_hdr_len(struct loadfd_bytes *o)
{
	struct btf_header *h = btf_hdr(o);

	if (!h)
		return;
	h->hdr_len = 8;
	expect_reject("btf_hdr_len", o, EINVAL, "btf:", "hdr_len");
}

static void btf_hdr_len_past_blob(struct loadfd_bytes *o)
{
	unsigned int i = sec_idx(o, ".BTF");
	struct btf_header *h;

	if (!i)
		return;
	h = (void *)sec_data(o, i);
	h->hdr_len = shdr(o, i)->sh_size + 4;
	expect_reject("btf_hdr_len_past", o, EINVAL, "btf:", "hdr_len");
}

static void btf_type_ref_out_of_range(struct loadfd_bytes *o)
{
	__u32 nr_types = 0;
	struct btf_type *t = btf_find_kind(o, BTF_KIND_PTR, &nr_types);

	if (!t)
		return;
	t->type = nr_types + 1000;
	expect_reject("btf_type_ref", o, EINVAL, "btf: [", "invalid type_id");
}

static void btf_unknown_kind(struct loadfd_bytes *o)
{
	__u32 nr_types = 0;
	struct btf_type *t = btf_find_kind(o, BTF_KIND_PTR, &nr_types);

	if (!t)
		return;
	t->info = (t->info & ~(0x1fu << 24)) | (BTF_KIND_MAX + 1) << 24;
	expect_reject("btf_kind", o, EINVAL, "btf: [", "kind");
}

static void btf_ext_func_info_count_inflated(struct loadfd_bytes *o)
{
	unsigned int i = sec_idx(o, ".BTF.ext");
	unsigned char *ext, *fi;
	__u32 hdr_len, fi_off;

	if (!i)
		return;
	/* struct btf_ext_header (libbpf): magic, version, flags, hdr_len,
	 * func_info_off, func_info_len, ...; func_info starts with rec_size,
	 * then blocks of { sec_name_off, num_info, records }.
	 */
	ext = sec_data(o, i);
	hdr_len = get_u32(ext + 4);
	fi_off = get_u32(ext + 8);
	fi = ext + hdr_len + fi_off;
	if (!ASSERT_NEQ(get_u32(ext + 12), 0, "func_info"))
		return;
	put_u32(fi + 8, 0x10000);
	expect_reject("btf_ext_func_info", o, EINVAL, "btf.ext:", "func_info");
}

static void btf_ext_bad_magic(struct loadfd_bytes *o)
{
	unsigned int i = sec_idx(o, ".BTF.ext");

	if (!i)
		return;
	sec_data(o, i)[0] ^= 0xff;
	expect_reject("btf_ext_magic", o, EINVAL, "btf.ext:", "magic");
}

/* ---- relocations ---- */

static Elf64_Rel *first_rel(const struct loadfd_bytes *o, unsigned int *rel_sec)
{
	unsigned int rel = prog_rel_sec(o);

	if (!ASSERT_NEQ(rel, 0, "relocations of a program section"))
		return NULL;
	*rel_sec = rel;
	return (Elf64_Rel *)sec_data(o, rel);
}

static void reloc_insn_not_ldimm64(struct loadfd_bytes *o)
{
	unsigned int rs;
	Elf64_Rel *r = first_rel(o, &rs);
	unsigned char *insn;

	if (!r)
		return;
	insn = sec_data(o, shdr(o, rs)->sh_info) + r->r_offset;
	if (!ASSERT_EQ(insn[0], BPF_LD | BPF_IMM | BPF_DW, "rel 0 is on an ld_imm64"))
		return;
	insn[0] = BPF_ALU64 | BPF_MOV | BPF_K;
	expect_reject("reloc_not_ldimm64", o, EINVAL, "reloc: section", "rel 0: wrong instruction");
}

static void reloc_symbol_out_of_range(struct loadfd_bytes *o)
{
	unsigned int rs, symtab = sec_by_type(o, SHT_SYMTAB);
	Elf64_Rel *r = first_rel(o, &rs);
	__u64 nsyms;

	if (!r || !symtab)
		return;
	nsyms = shdr(o, symtab)->sh_size / sizeof(Elf64_Sym);
	r->r_info = ELF64_R_INFO(nsyms + 100, ELF64_R_TYPE(r->r_info));
	expect_reject("reloc_symbol", o, EINVAL, "elf: section", "rel 0: symbol");
}

static void reloc_offset_past_section(struct loadfd_bytes *o)
{
	unsigned int rs;
	Elf64_Rel *r = first_rel(o, &rs);

	if (!r)
		return;
	r->r_offset = shdr(o, shdr(o, rs)->sh_info)->sh_size + 8;
	expect_reject("reloc_offset", o, EINVAL, "elf: section", "outside the target section");
}

static void reloc_offset_unaligned(struct loadfd_bytes *o)
{
	unsigned int rs;
	Elf64_Rel *r = first_rel(o, &rs);

	if (!r)
		return;
	r->r_offset += 4;
	expect_reject("reloc_offset_unaligned", o, EINVAL, "reloc: section",
		      "rel 0: offset not instruction-aligned");
}

static const struct {
	const char *name;
	void (*damage)(struct loadfd_bytes *o);
} damaged[] = {
	{ "truncated_to_40_bytes", truncated_to_40_bytes },
	{ "truncated_in_shdr_table", truncated_in_shdr_table },
	{ "shoff_past_eof", shoff_past_eof },
	{ "section_past_eof", section_past_eof },
	{ "sections_overlap", sections_overlap },
	{ "shstrndx_out_of_range", shstrndx_out_of_range },
	{ "shnum_huge", shnum_huge },
	{ "shnum_past_eof", shnum_past_eof },
	{ "symbol_name_past_strtab", symbol_name_past_strtab },
	{ "rela_section", rela_section },
	{ "not_bpf_machine", not_bpf_machine },
	{ "btf_bad_magic", btf_bad_magic },
	{ "btf_bad_hdr_len", btf_bad_hdr_len },
	{ "btf_hdr_len_past_blob", btf_hdr_len_past_blob },
	{ "btf_type_ref_out_of_range", btf_type_ref_out_of_range },
	{ "btf_unknown_kind", btf_unknown_kind },
	{ "btf_ext_func_info_count_inflated", btf_ext_func_info_count_inflated },
	{ "btf_ext_bad_magic", btf_ext_bad_magic },
	{ "reloc_insn_not_ldimm64", reloc_insn_not_ldimm64 },
	{ "reloc_symbol_out_of_range", reloc_symbol_out_of_range },
	{ "reloc_offset_past_section", reloc_offset_past_section },
	{ "reloc_offset_unaligned", reloc_offset_unaligned },
};

/* A copy of the base object, damaged by @damage; then the control load. */
static void run_damaged(void (*damage)(struct loadfd_bytes *o))
{
	struct loadfd_bytes base, o = {};

	if (loadfd_bytes_read(BASE_OBJ, &base))
		return;
	if (loadfd_bytes_dup(&base, &o))
		goto out;
	/* Sanity: the layout the cases rely on (clang puts the section
	 * header table last).
	 */
	if (!ASSERT_EQ(ehdr(&o)->e_shentsize, sizeof(Elf64_Shdr), "e_shentsize") ||
	    !ASSERT_EQ(o.len, ehdr(&o)->e_shoff + (size_t)ehdr(&o)->e_shnum * sizeof(Elf64_Shdr),
		       "section header table last"))
		goto out;
	damage(&o);
	/* The loader is still fine after the rejection. */
	control_ok(&base);
out:
	loadfd_bytes_free(&o);
	loadfd_bytes_free(&base);
}

/* ---- dedicated and upstream objects ---- */

static void reject_obj(const char *file, int err, const char *prefix, const char *needle)
{
	struct loadfd_bytes o;

	if (loadfd_bytes_read(file, &o))
		return;
	expect_reject(file, &o, err, prefix, needle);
	loadfd_bytes_free(&o);
	control_base_ok();
}

static const struct {
	const char *name, *file;
	int err;
	const char *prefix, *needle;
} refused[] = {
	/* Accepted by the core, refused by BPF_BTF_LOAD (an enum of size 0),
	 * with the BTF verifier's own message as libbpf shows it.
	 */
	{ "btf_rejected_by_kernel_verifier", "loadfd_bad_fwd_enum.bpf.o", EINVAL,
	  "btf: the kernel's BTF verifier rejected the object's BTF (-22): ",
	  "ENUM loadfd_fwd_enum size=0 vlen=0 Unexpected size" },
	{ "unknown_section", "loadfd_bad_unknown_sec.bpf.o", EOPNOTSUPP, "prog: section",
	  "unknown program section name (section 'loadfd_no_such_section')" },
	/* A struct_ops map of a struct the kernel has no struct_ops for. */
	{ "struct_ops_not_in_kernel", "loadfd_bad_st_ops.bpf.o", ENOENT,
	  "struct_ops: 'loadfd_bad_ops'",
	  "struct bpf_struct_ops_loadfd_no_such_ops is not in the kernel's BTF" },
	/* The 6.12 selftests' struct_ops_module.c as it is: testmod_zeroed
	 * puts a program in a member bpf_testmod_ops lacks, which libbpf
	 * refuses too (prog_tests/test_struct_ops_module.c turns that map off
	 * first).
	 */
	{ "struct_ops_member_not_in_kernel", "struct_ops_module.bpf.o", EOPNOTSUPP,
	  "struct_ops: 'testmod_zeroed'", "member 'zeroed_op' is not in the kernel's struct" },
	{ "legacy_maps_section", "loadfd_bad_legacy_maps.bpf.o", EOPNOTSUPP, "obj: section",
	  "legacy 'maps' section" },
	{ "missing_strong_ksym", "loadfd_bad_missing_ksym.bpf.o", ENOENT, "externs: extern",
	  "not found in the running kernel ('loadfd_no_such_ksym')" },
	{ "missing_strong_kconfig", "loadfd_bad_missing_kconfig.bpf.o", ENOENT,
	  "externs: extern", "not found in the running kernel ('CONFIG_LOADFD_NO_SUCH')" },
};

/* ---- memfd: a shmem regular file ---- */

static int memfd_with(const void *data, size_t len)
{
	int fd = memfd_create("loadfd_reject", MFD_CLOEXEC);

	if (!ASSERT_OK_FD(fd, "memfd_create"))
		return -1;
	if (!ASSERT_EQ(pwrite(fd, data, len, 0), (ssize_t)len, "memfd write")) {
		close(fd);
		return -1;
	}
	return fd;
}

static void memfd_loads(void)
{
	struct loadfd_bytes o;
	int fd;

	if (loadfd_bytes_read(BASE_OBJ, &o))
		return;
	fd = memfd_with(o.data, o.len);
	loadfd_bytes_free(&o);
	if (fd < 0)
		return;
	loadfd_call(&call, fd);
	close(fd);
	if (!ASSERT_OK_FD(call.ret, "BPF_LOAD_FD of a memfd")) {
		printf("memfd: %s; log: '%s'\n", strerror(-call.ret), call.log);
		return;
	}
	ASSERT_OK(close(call.ret), "close loader");
}

static void memfd_truncated_rejected(void)
{
	struct loadfd_bytes o;
	int fd;

	if (loadfd_bytes_read(BASE_OBJ, &o))
		return;
	fd = memfd_with(o.data, 40);
	loadfd_bytes_free(&o);
	if (fd < 0)
		return;
	loadfd_call(&call, fd);
	close(fd);
	if (call.ret >= 0)
		close(call.ret);
	if (!ASSERT_EQ(call.ret, -ENOEXEC, "errno"))
		printf("got %d; log: '%s'\n", call.ret, call.log);
	ASSERT_STRNEQ(call.log, "elf:", 4, "log prefix");
	ASSERT_EQ(call.log_true_size, strlen(call.log) + 1, "log_true_size");
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

/* Up to @max ranges making up @r in the ORIGINAL object @o. */
static int region_ranges(const struct loadfd_bytes *o, enum region r, struct range *out, int max)
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
static void mutate_one(__u64 *seed, struct loadfd_bytes *m, const struct range *rg, char *desc,
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
	v = op < 10 ? 0 :
	    op < 13 ? 0xffffffffu :
		      (__u32)lcg_next(seed) ^ (__u32)lcg_next(seed) << 16;
	put_u32(m->data + off, v);
	snprintf(desc, dsize, "u32 at %zu = 0x%x", off, v);
}

/*
 * Every mutation: a loader fd (closed without error), or an allowed errno
 * with a non-empty log ending in a newline and log_true_size written.
 * Violations are counted (the first ones shown) and must be none.
 */
static void mutate(const char *file, __u64 seed)
{
	int by_errno[N_ALLOWED] = {}, by_region[R_NR][2] = {};
	int accepted = 0, multi_line = 0, total = 0, bad = 0;
	struct loadfd_bytes base, m = {};
	char desc[96], dist[256];
	struct range rg[8];
	size_t pos;
	int r, i, k, nr;

	if (loadfd_bytes_read(file, &base))
		return;
	if (loadfd_bytes_dup(&base, &m))
		goto out;
	for (r = 0; r < R_NR; r++) {
		nr = region_ranges(&base, r, rg, 8);
		if (!nr) {
			printf("%s: no %s region, skipped\n", file, region_names[r]);
			continue;
		}
		for (i = 0; i < region_share[r]; i++) {
			const struct range *pick = &rg[lcg_next(&seed) % nr];
			const char *why = NULL;
			bool ok = false;
			size_t len;

			memcpy(m.data, base.data, base.len);
			m.len = base.len;
			mutate_one(&seed, &m, pick, desc, sizeof(desc));
			if (getenv("LOADFD_REJECT_DUMP")) {
				char name[80];

				snprintf(name, sizeof(name), "mut_%s_%s_%03d", file,
					 r == R_BTF ? "btf" : r == R_BTF_EXT ? "btfext" :
					 region_names[r], i);
				dump(name, &m);
			}
			if (load_bytes(&call, m.data, m.len))
				goto out;
			total++;
			if (call.ret >= 0) {
				if (close(call.ret))
					why = "closing the loader fd failed";
				else
					accepted++;
				by_region[r][0]++;
			} else {
				by_region[r][1]++;
				for (k = 0; k < (int)N_ALLOWED; k++) {
					if (-call.ret == allowed_errnos[k]) {
						by_errno[k]++;
						ok = true;
					}
				}
				len = strlen(call.log);
				if (!ok)
					why = "undocumented errno";
				else if (!len)
					why = "empty log";
				else if (call.log[len - 1] != '\n')
					why = "log does not end in a newline";
				else if (call.log_true_size <= 1)
					why = "log_true_size <= 1";
				else if (call.log_true_size == LOADFD_SENTINEL)
					why = "log_true_size not written";
				if (loadfd_count_lines(call.log) != 1) {
					multi_line++;
					printf("%s %s #%d (%s): %d log lines: '%s'\n", file,
					       region_names[r], i, desc,
					       loadfd_count_lines(call.log), call.log);
				}
			}
			if (why && bad++ < 10)
				printf("%s %s #%d (%s): %s: errno %d (%s); log: '%s'\n", file,
				       region_names[r], i, desc, why, -call.ret,
				       call.ret < 0 ? strerror(-call.ret) : "none", call.log);
		}
	}
	pos = snprintf(dist, sizeof(dist), "%s: %d mutations: %d loaded", file, total, accepted);
	for (k = 0; k < (int)N_ALLOWED; k++)
		pos += snprintf(dist + pos, sizeof(dist) - pos, ", %s %d",
				allowed_names[k], by_errno[k]);
	printf("%s; %d multi-line logs\n", dist, multi_line);
	for (r = 0; r < R_NR; r++)
		printf("%s: %-8s loaded %d, rejected %d\n", file, region_names[r],
		       by_region[r][0], by_region[r][1]);
	ASSERT_EQ(bad, 0, "mutations answered outside the contract");
	ASSERT_GT(total, 0, "mutations run");
	/* The loader is still fine afterwards. */
	control_ok(&base);
out:
	loadfd_bytes_free(&m);
	loadfd_bytes_free(&base);
}

void test_loadfd_reject(void)
{
	int i;

	if (!loadfd_supported()) {
		test__skip();
		return;
	}
	for (i = 0; i < ARRAY_SIZE(damaged); i++)
		if (test__start_subtest(damaged[i].name))
			run_damaged(damaged[i].damage);
	for (i = 0; i < ARRAY_SIZE(refused); i++)
		if (test__start_subtest(refused[i].name))
			reject_obj(refused[i].file, refused[i].err, refused[i].prefix,
				   refused[i].needle);
	if (test__start_subtest("memfd_loads"))
		memfd_loads();
	if (test__start_subtest("memfd_truncated_rejected"))
		memfd_truncated_rejected();
	if (test__start_subtest("mutate_test_global_data"))
		mutate("test_global_data.bpf.o", MUTATE_SEED);
	if (test__start_subtest("mutate_bpf_loop"))
		mutate("bpf_loop.bpf.o", MUTATE_SEED + 1);
	if (test__start_subtest("mutate_loadfd_execve"))
		mutate("loadfd_execve.bpf.o", MUTATE_SEED + 2);
}
