// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_LOAD_FD against kernel and module BTF: CO-RE, module kfuncs and ksyms,
 * and the execve demo, each program loaded by name from a loader object and
 * run for real.
 *
 *  core_*            every CO-RE relocation kind (0..12) against vmlinux BTF
 *                    (progs/loadfd_core_kinds.c), checked against facts read
 *                    from /sys/kernel/btf/vmlinux with libbpf's BTF API
 *  module_core_*     CO-RE and attach targets in bpf_testmod's BTF
 *                    (prog_tests/core_reloc.c "module_probed"/"module_direct")
 *  kfunc_call_*      module kfuncs through the loader's module BTF slots
 *                    (prog_tests/kfunc_call.c success cases)
 *  ksyms_module_*    module typed ksym + module kfunc (prog_tests/ksyms_module.c)
 *  execve_*          progs/loadfd_execve.c on the sys_enter_execve tracepoint
 *  differential_*    the same objects loaded by libbpf: identical xlated
 *                    instructions
 *
 * The module subtests need bpf_testmod.ko, which test_progs loads itself
 * (they skip when it could not).
 */
#include <test_progs.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <linux/perf_event.h>
#include <bpf/btf.h>
#include "loadfd_helpers.h"

#define TESTMOD_FILE "/sys/kernel/bpf_testmod"
#define TESTMOD "bpf_testmod"

/* ---- BTF facts ---- */

static struct btf *vmlinux_btf(void)
{
	struct btf *btf = btf__load_vmlinux_btf();

	if (!ASSERT_OK_PTR(btf, "btf__load_vmlinux_btf (CONFIG_DEBUG_INFO_BTF?)"))
		return NULL;
	return btf;
}

/* The id of @name of @kind in @btf, or -1 (the subtest failed). */
static __s32 btf_id(const struct btf *btf, const char *name, __u32 kind, const char *which)
{
	__s32 id = btf__find_by_name_kind(btf, name, kind);

	if (!ASSERT_GT(id, 0, name)) {
		printf("%s BTF has no %s of kind %u\n", which, name, kind);
		return -1;
	}
	return id;
}

/* A struct member as vmlinux BTF describes it (kept after the BTF is freed). */
struct member {
	__u32 bit_off;		/* from the start of the outer struct */
	__u32 bitfield_size;	/* 0: not a bitfield */
	__u32 type_id;		/* the member's type, modifiers and typedefs skipped */
	__u32 size;		/* of that type (0 for arrays and the like) */
	bool is_signed;		/* a signed int or enum */
};

/* Member @name of struct @id, looked up through anonymous struct/union
 * members the way CO-RE field access strings see it.
 */
static bool find_member(const struct btf *btf, __u32 id, const char *name, __u32 base,
			struct member *out)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	const struct btf_member *m;
	int i;

	if (!t || !btf_is_composite(t))
		return false;
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, m++) {
		const char *mn = btf__name_by_offset(btf, m->name_off);
		__u32 off = base + btf_member_bit_offset(t, i);

		if (mn && !strcmp(mn, name)) {
			const struct btf_type *mt = btf__type_by_id(btf, m->type);

			out->bit_off = off;
			out->bitfield_size = btf_member_bitfield_size(t, i);
			out->type_id = m->type;
			while (mt && (btf_is_mod(mt) || btf_is_typedef(mt))) {
				out->type_id = mt->type;
				mt = btf__type_by_id(btf, out->type_id);
			}
			if (!mt)
				return false;
			out->size = btf_is_int(mt) || btf_is_any_enum(mt) ? mt->size : 0;
			out->is_signed =
				(btf_is_int(mt) &&
				 (btf_int_encoding(mt) & BTF_INT_SIGNED)) ||
				(btf_is_any_enum(mt) && btf_kflag(mt));
			return true;
		}
		if ((!mn || !*mn) && find_member(btf, m->type, name, off, out))
			return true;
	}
	return false;
}

static bool member(const struct btf *btf, __u32 id, const char *sname, const char *name,
		   struct member *out)
{
	if (ASSERT_TRUE(find_member(btf, id, name, 0, out), name))
		return true;
	printf("vmlinux BTF: struct %s has no field %s\n", sname, name);
	return false;
}

/* The value of enumerator @vname of enum @ename, 0 and *@ok false if missing. */
static __u64 enum_value(const struct btf *btf, const char *ename, const char *vname, bool *ok)
{
	const struct btf_type *t;
	__s32 id;
	int i;

	id = btf__find_by_name_kind(btf, ename, BTF_KIND_ENUM);
	if (id <= 0)
		id = btf__find_by_name_kind(btf, ename, BTF_KIND_ENUM64);
	if (!ASSERT_GT(id, 0, ename)) {
		*ok = false;
		return 0;
	}
	t = btf__type_by_id(btf, id);
	for (i = 0; i < btf_vlen(t); i++) {
		const char *n;
		__u64 v;

		if (btf_is_enum(t)) {
			n = btf__name_by_offset(btf, btf_enum(t)[i].name_off);
			v = btf_kflag(t) ? (__u64)(__s64)btf_enum(t)[i].val :
					   (__u64)(__u32)btf_enum(t)[i].val;
		} else {
			n = btf__name_by_offset(btf, btf_enum64(t)[i].name_off);
			v = btf_enum64_value(&btf_enum64(t)[i]);
		}
		if (n && !strcmp(n, vname))
			return v;
	}
	ASSERT_FAIL("vmlinux BTF: enum %s has no %s", ename, vname);
	*ok = false;
	return 0;
}

/*
 * What a CO-RE bitfield relocation yields for a member (libbpf and the
 * kernel's relo_core: the smallest naturally aligned load, at least the
 * member type's size, that covers the bits; little endian).
 */
struct bf_relo {
	__u64 byte_off, byte_size, lshift, rshift, is_signed;
};

static bool bf_expect(const struct member *m, struct bf_relo *r)
{
	__u32 bit_off = m->bit_off, bit_sz = m->bitfield_size;
	__u32 byte_sz = m->size, byte_off;

	if (!ASSERT_GT(bit_sz, 0, "a bitfield") ||
	    !ASSERT_GT(byte_sz, 0, "bitfield of an integer type"))
		return false;
	byte_off = bit_off / 8 / byte_sz * byte_sz;
	while (bit_off + bit_sz - byte_off * 8 > byte_sz * 8) {
		if (!ASSERT_LT(byte_sz, 8, "bitfield loadable"))
			return false;
		byte_sz *= 2;
		byte_off = bit_off / 8 / byte_sz * byte_sz;
	}
	r->byte_off = byte_off;
	r->byte_size = byte_sz;
	r->lshift = 64 - (bit_off + bit_sz - byte_off * 8);
	r->rshift = 64 - bit_sz;
	r->is_signed = m->is_signed;
	return true;
}

/* Stores the low @m->bitfield_size bits of @v at the member's bit offset. */
static void bf_put(unsigned char *buf, const struct member *m, __u64 v)
{
	__u32 i;

	for (i = 0; i < m->bitfield_size; i++) {
		__u32 bit = m->bit_off + i;

		if (v >> i & 1)
			buf[bit / 8] |= 1 << (bit % 8);
		else
			buf[bit / 8] &= ~(1 << (bit % 8));
	}
}

/* @v as the bitfield @m holds it: truncated, then sign-extended if signed. */
static __u64 bf_value(const struct member *m, __u64 v)
{
	__u32 sz = m->bitfield_size;

	v &= sz >= 64 ? ~0ULL : (1ULL << sz) - 1;
	if (m->is_signed && sz < 64 && (v >> (sz - 1) & 1))
		v |= ~0ULL << sz;
	return v;
}

/* ---- bpf_testmod and module BTF ---- */

/* A new fd of the kernel BTF object named @name (a module's), and its id. */
static int kernel_btf_fd(const char *name, __u32 *id_out)
{
	__u32 id = 0;
	int fd, err;

	for (;;) {
		struct bpf_btf_info info;
		__u32 len = sizeof(info);
		char nm[64];

		err = bpf_btf_get_next_id(id, &id);
		if (err) {
			ASSERT_EQ(errno, ENOENT, "BPF_BTF_GET_NEXT_ID");
			break;
		}
		fd = bpf_btf_get_fd_by_id(id);
		if (fd < 0)
			continue;	/* freed meanwhile */
		memset(&info, 0, sizeof(info));
		memset(nm, 0, sizeof(nm));
		info.name = ptr_to_u64(nm);
		info.name_len = sizeof(nm);
		if (!bpf_btf_get_info_by_fd(fd, &info, &len) && info.kernel_btf &&
		    !strcmp(nm, name)) {
			*id_out = id;
			return fd;
		}
		close(fd);
	}
	ASSERT_FAIL("no kernel BTF object '%s': is %s.ko loaded?", name, name);
	return -1;
}

struct testmod {
	int btf_fd;
	__u32 btf_obj_id;
	struct btf *vmlinux;
	struct btf *btf;	/* split on vmlinux */
};

static void testmod_close(struct testmod *m)
{
	btf__free(m->btf);
	btf__free(m->vmlinux);
	if (m->btf_fd >= 0)
		close(m->btf_fd);
	memset(m, 0, sizeof(*m));
	m->btf_fd = -1;
}

/* bpf_testmod's BTF (test_progs loaded the module): 0, or -1 with the
 * subtest skipped (no module) or failed (testmod_close() it either way).
 */
static int testmod_open(struct testmod *m)
{
	struct stat st;

	memset(m, 0, sizeof(*m));
	m->btf_fd = -1;
	if (!env.has_testmod) {
		printf("bpf_testmod.ko is not loaded\n");
		test__skip();
		return -1;
	}
	if (!ASSERT_OK(stat(TESTMOD_FILE, &st), TESTMOD_FILE))
		return -1;
	m->vmlinux = vmlinux_btf();
	if (!m->vmlinux)
		return -1;
	m->btf_fd = kernel_btf_fd(TESTMOD, &m->btf_obj_id);
	if (m->btf_fd < 0)
		return -1;
	m->btf = btf__load_from_kernel_by_id_split(m->btf_obj_id, m->vmlinux);
	if (!ASSERT_OK_PTR(m->btf, "module BTF")) {
		m->btf = NULL;
		return -1;
	}
	return 0;
}

/* prog_tests/core_reloc.c: read(2) of /sys/kernel/bpf_testmod calls
 * bpf_testmod_test_read(), which fires the bpf_testmod_test_read tracepoint
 * with ctx { .buf, .off = 0, .len = @len }.
 */
static void trigger_testmod_read(size_t len)
{
	char buf[256];
	int fd;

	if (!ASSERT_GE(sizeof(buf), len, "read length"))
		return;
	fd = open(TESTMOD_FILE, O_RDONLY | O_CLOEXEC);
	if (!ASSERT_OK_FD(fd, TESTMOD_FILE))
		return;
	(void)!read(fd, buf, len);	/* the read itself may fail */
	close(fd);
}

/* ---- program loading and running ---- */

/* BPF_PROG_LOAD of @name from @loader_fd; @attr holds any extra fields
 * (and the log). Returns the prog fd or -errno.
 */
static int prog_load_raw(union bpf_attr *attr, int loader_fd, const char *name)
{
	int fd;

	attr->loader_fd = loader_fd;
	attr->loader_prog_name = ptr_to_u64(name);
	fd = syscall(__NR_bpf, BPF_PROG_LOAD, attr, sizeof(*attr));
	return fd < 0 ? -errno : fd;
}

/*
 * Loads @name with the extra attr fields of @extra (may be NULL); on failure
 * retries with the verifier log and shows its end. Prog fd or -1.
 */
static int prog_load_attr_ok(int loader_fd, const char *name, const union bpf_attr *extra)
{
	static char log[1 << 20];
	union bpf_attr attr;
	size_t len;
	int fd, err;

	memset(&attr, 0, sizeof(attr));
	if (extra)
		attr = *extra;
	fd = prog_load_raw(&attr, loader_fd, name);
	if (fd >= 0)
		return fd;
	err = -fd;
	log[0] = 0;
	memset(&attr, 0, sizeof(attr));
	if (extra)
		attr = *extra;
	attr.log_level = LOADFD_LOG_LEVEL1;
	attr.log_buf = ptr_to_u64(log);
	attr.log_size = sizeof(log);
	fd = prog_load_raw(&attr, loader_fd, name);
	if (fd >= 0)
		close(fd);
	len = strlen(log);
	ASSERT_FAIL("BPF_PROG_LOAD '%s' from the loader: %s; log (last 3000 bytes): '%s'",
		    name, strerror(err), log + (len > 3000 ? len - 3000 : 0));
	return -1;
}

/* A new fd of @prog from @o, with the extra attr fields @extra (ignored
 * when libbpf loaded the object: it found the attach target itself).
 */
static int obj_prog_attr(struct loadfd_obj *o, const char *prog, const union bpf_attr *extra)
{
	if (o->bobj)
		return loadfd_obj_prog(o, prog);
	return prog_load_attr_ok(o->loader, prog, extra);
}

/* The whole value (key 0) of the object's data map @sec; @len gets its size. */
static unsigned char *data_map_bytes(struct loadfd_obj *o, const char *sec, __u32 *len)
{
	struct bpf_map_info info;
	unsigned char *val = NULL;
	__u32 key = 0;
	int fd;

	fd = loadfd_obj_map(o, sec);
	if (fd < 0)
		return NULL;
	if (!loadfd_map_info(fd, &info))
		goto out;
	val = calloc(1, info.value_size);
	if (!ASSERT_OK_PTR(val, "calloc"))
		goto out;
	if (!ASSERT_OK(bpf_map_lookup_elem(fd, &key, val), sec)) {
		free(val);
		val = NULL;
		goto out;
	}
	*len = info.value_size;
out:
	close(fd);
	return val;
}

/* ==== core: every CO-RE relocation kind against vmlinux BTF ==== */

#define CORE_KINDS_OBJ "loadfd_core_kinds.bpf.o"

static const char *const relo_kind_names[] = {
	"FIELD_BYTE_OFFSET", "FIELD_BYTE_SIZE", "FIELD_EXISTS", "FIELD_SIGNED",
	"FIELD_LSHIFT_U64", "FIELD_RSHIFT_U64", "TYPE_ID_LOCAL", "TYPE_ID_TARGET",
	"TYPE_EXISTS", "TYPE_SIZE", "ENUMVAL_EXISTS", "ENUMVAL_VALUE", "TYPE_MATCHES",
};

#define NR_RELO_KINDS ((int)ARRAY_SIZE(relo_kind_names))

/* struct btf_ext_header (tools/lib/bpf/libbpf_internal.h) up to core_relo. */
struct ext_hdr {
	__u16 magic;
	__u8 version;
	__u8 flags;
	__u32 hdr_len;
	__u32 func_info_off, func_info_len;
	__u32 line_info_off, line_info_len;
	__u32 core_relo_off, core_relo_len;
};

/* Counts the CO-RE records of each kind in the object's .BTF.ext: 0 or -1. */
static int count_core_relos(const struct loadfd_bytes *o, int counts[NR_RELO_KINDS])
{
	const unsigned char *ext, *p, *end;
	struct ext_hdr h;
	__u32 rec_size;
	size_t len;
	int err;

	memset(counts, 0, NR_RELO_KINDS * sizeof(int));
	err = loadfd_elf_find_section(o->data, o->len, ".BTF.ext", &ext, &len);
	if (!ASSERT_OK(err, ".BTF.ext") || !ASSERT_LE(sizeof(h), len, ".BTF.ext header"))
		return -1;
	memcpy(&h, ext, sizeof(h));
	if (!ASSERT_EQ(h.magic, 0xeB9F, ".BTF.ext magic") ||
	    !ASSERT_LE(sizeof(h), h.hdr_len, "core_relo in the .BTF.ext header") ||
	    !ASSERT_GT(h.core_relo_len, 0, "CO-RE records") ||
	    !ASSERT_GE(len, (size_t)h.hdr_len + h.core_relo_off + h.core_relo_len,
		       "core_relo inside .BTF.ext"))
		return -1;
	p = ext + h.hdr_len + h.core_relo_off;
	end = p + h.core_relo_len;
	memcpy(&rec_size, p, 4);
	if (!ASSERT_LE(16, rec_size, "CO-RE record size"))
		return -1;
	p += 4;
	while (p < end) {
		__u32 sec_hdr[2], i;

		if (!ASSERT_LE(8, end - p, "CO-RE section header"))
			return -1;
		memcpy(sec_hdr, p, 8);
		p += 8;
		if (!ASSERT_LE((size_t)sec_hdr[1] * rec_size, (size_t)(end - p), "CO-RE records"))
			return -1;
		for (i = 0; i < sec_hdr[1]; i++, p += rec_size) {
			__u32 kind;

			memcpy(&kind, p + 12, 4);
			if (!ASSERT_LT(kind, NR_RELO_KINDS, "known CO-RE kind"))
				return -1;
			counts[kind]++;
		}
	}
	return 0;
}

/* The object really has a record of every kind (the compiler did not fold
 * any away), so the tests below exercise all thirteen. No kernel needed.
 */
static void core_kinds_in_object(void)
{
	struct loadfd_bytes o;
	int counts[NR_RELO_KINDS], k;

	if (loadfd_bytes_read(CORE_KINDS_OBJ, &o))
		return;
	if (!count_core_relos(&o, counts))
		for (k = 0; k < NR_RELO_KINDS; k++)
			if (!ASSERT_GT(counts[k], 0, relo_kind_names[k]))
				printf(CORE_KINDS_OBJ " has no CO-RE record of kind %d (%s)\n", k,
				       relo_kind_names[k]);
	loadfd_bytes_free(&o);
}

/* The printf_spec the program gets as its context, packed at the bit
 * offsets vmlinux BTF gives, with these values.
 */
static const struct {
	const char *member;
	__u64 value;
} spec_values[] = {
	{ "type", 0xa5 },
	{ "field_width", (__u64)-1234567 },
	{ "flags", 0x3c },
	{ "base", 10 },
	{ "precision", (__u64)-300 },
};

struct kinds_facts {
	struct member pid, comm, flags, spec[ARRAY_SIZE(spec_values)];
	struct bf_relo fw, ty;
	__u32 task_id, spec_id, task_size, spec_size;
	__s64 comm_size;
	__u32 local_task_id, local_flavor_id;
	__u64 enum_syscall, enum_cpuhp;
	unsigned char ctx[64];
};

/* The facts the program must find, from vmlinux BTF and the object's own
 * BTF: 0 or -1.
 */
static int kinds_facts(struct kinds_facts *f)
{
	struct btf *vm, *local = NULL;
	bool ok = true;
	__s32 id;
	size_t i;

	memset(f, 0, sizeof(*f));
	vm = vmlinux_btf();
	if (!vm)
		return -1;
	id = btf_id(vm, "task_struct", BTF_KIND_STRUCT, "vmlinux");
	if (id < 0)
		goto fail;
	f->task_id = id;
	f->task_size = btf__type_by_id(vm, f->task_id)->size;
	if (!member(vm, f->task_id, "task_struct", "pid", &f->pid) ||
	    !member(vm, f->task_id, "task_struct", "comm", &f->comm) ||
	    !member(vm, f->task_id, "task_struct", "flags", &f->flags))
		goto fail;
	f->comm_size = btf__resolve_size(vm, f->comm.type_id);
	if (!ASSERT_GT(f->comm_size, 0, "size of task_struct.comm"))
		goto fail;
	id = btf_id(vm, "printf_spec", BTF_KIND_STRUCT, "vmlinux");
	if (id < 0)
		goto fail;
	f->spec_id = id;
	f->spec_size = btf__type_by_id(vm, f->spec_id)->size;
	if (!ASSERT_GE(sizeof(f->ctx), f->spec_size, "printf_spec fits the context"))
		goto fail;
	for (i = 0; i < ARRAY_SIZE(spec_values); i++) {
		if (!member(vm, f->spec_id, "printf_spec", spec_values[i].member, &f->spec[i]))
			goto fail;
		if (!ASSERT_GT(f->spec[i].bitfield_size, 0, spec_values[i].member)) {
			printf("printf_spec.%s is no longer a bitfield\n", spec_values[i].member);
			goto fail;
		}
		bf_put(f->ctx, &f->spec[i], spec_values[i].value);
	}
	if (!bf_expect(&f->spec[1], &f->fw) ||	/* field_width */
	    !bf_expect(&f->spec[0], &f->ty))	/* type */
		goto fail;
	f->enum_syscall = enum_value(vm, "bpf_prog_type", "BPF_PROG_TYPE_SYSCALL", &ok);
	f->enum_cpuhp = enum_value(vm, "cpuhp_state", "CPUHP_AP_ONLINE_DYN", &ok);
	if (!ok)
		goto fail;

	/* The object's own BTF numbering (BPF_LOAD_FD and libbpf keep it). */
	local = btf__parse_elf(CORE_KINDS_OBJ, NULL);
	if (!ASSERT_OK_PTR(local, "btf__parse_elf")) {
		local = NULL;
		goto fail;
	}
	id = btf_id(local, "task_struct", BTF_KIND_STRUCT, "object");
	if (id < 0)
		goto fail;
	f->local_task_id = id;
	id = btf_id(local, "task_struct___kinds", BTF_KIND_STRUCT, "object");
	if (id < 0)
		goto fail;
	f->local_flavor_id = id;
	btf__free(local);
	btf__free(vm);

	/* The premises: the local (clang) values differ from the kernel's,
	 * so a right answer proves the relocation was applied.
	 */
	ok = ASSERT_NEQ(f->pid.bit_off / 8, 0, "task_struct.pid not at offset 0 in vmlinux") && ok;
	ok = ASSERT_NEQ(f->comm_size, 4, "task_struct.comm size not 4") && ok;
	ok = ASSERT_TRUE(f->pid.is_signed, "vmlinux task_struct.pid is signed") && ok;
	ok = ASSERT_FALSE(f->flags.is_signed, "vmlinux task_struct.flags is unsigned") && ok;
	ok = ASSERT_NEQ(f->spec_size, 16, "printf_spec size not 16") && ok;
	ok = ASSERT_NEQ(f->enum_syscall, 1000, "BPF_PROG_TYPE_SYSCALL not 1000") && ok;
	ok = ASSERT_NEQ(f->enum_cpuhp, 7, "CPUHP_AP_ONLINE_DYN not 7") && ok;
	return ok ? 0 : -1;
fail:
	btf__free(local);
	btf__free(vm);
	return -1;
}

/* Runs core_kinds on the packed printf_spec and checks what it recorded. */
static void kinds_run_check(struct loadfd_obj *o, const struct kinds_facts *f, const char *who)
{
	unsigned char ctx[sizeof(f->ctx)];
	char what[160];
	size_t i;
	int prog;

	prog = loadfd_obj_prog(o, "core_kinds");
	if (prog < 0)
		return;
	if (!ASSERT_EQ(loadfd_var_u64(o, "kinds_ran"), 0, "kinds_ran before the run")) {
		close(prog);
		return;
	}
	memcpy(ctx, f->ctx, sizeof(ctx));
	ASSERT_EQ(loadfd_run_ctx(prog, ctx, f->spec_size), 0, who);
	close(prog);
	if (!ASSERT_EQ(loadfd_var_u64(o, "kinds_ran"), 1, "core_kinds ran")) {
		printf("%s: core_kinds did not run\n", who);
		return;
	}

#define KIND(var, want, desc) do {						\
	snprintf(what, sizeof(what), "%s: %s: %s", who, var, desc);		\
	ASSERT_EQ(loadfd_var_u64(o, var), (__u64)(want), what);		\
} while (0)

	KIND("kinds_off_pid", f->pid.bit_off / 8,
	     "FIELD_BYTE_OFFSET of task_struct___kinds.pid != vmlinux task_struct.pid");
	KIND("kinds_off_pid_plain", f->pid.bit_off / 8,
	     "FIELD_BYTE_OFFSET of task_struct.pid != vmlinux");
	KIND("kinds_size_comm", f->comm_size,
	     "FIELD_BYTE_SIZE of task_struct___kinds.comm (local 4) != vmlinux");
	KIND("kinds_exists_pid", 1, "FIELD_EXISTS of an existing field");
	KIND("kinds_exists_missing", 0, "FIELD_EXISTS of task_struct___kinds.loadfd_no_such_field");
	KIND("kinds_signed_pid", f->pid.is_signed,
	     "FIELD_SIGNED of pid (local unsigned) != vmlinux signedness");
	KIND("kinds_signed_flags", f->flags.is_signed,
	     "FIELD_SIGNED of flags (local signed) != vmlinux signedness");

	KIND("kinds_fw_byte_off", f->fw.byte_off, "FIELD_BYTE_OFFSET of bitfield field_width");
	KIND("kinds_fw_byte_size", f->fw.byte_size, "FIELD_BYTE_SIZE of bitfield field_width");
	KIND("kinds_fw_lshift", f->fw.lshift, "FIELD_LSHIFT_U64 of bitfield field_width");
	KIND("kinds_fw_rshift", f->fw.rshift, "FIELD_RSHIFT_U64 of bitfield field_width");
	KIND("kinds_fw_signed", f->fw.is_signed, "FIELD_SIGNED of bitfield field_width");
	KIND("kinds_ty_byte_off", f->ty.byte_off, "FIELD_BYTE_OFFSET of bitfield type");
	KIND("kinds_ty_byte_size", f->ty.byte_size, "FIELD_BYTE_SIZE of bitfield type");
	KIND("kinds_ty_lshift", f->ty.lshift, "FIELD_LSHIFT_U64 of bitfield type");
	KIND("kinds_ty_rshift", f->ty.rshift, "FIELD_RSHIFT_U64 of bitfield type");
	KIND("kinds_ty_signed", f->ty.is_signed, "FIELD_SIGNED of bitfield type");

	for (i = 0; i < ARRAY_SIZE(spec_values); i++) {
		char var[64];

		snprintf(var, sizeof(var), "kinds_bf_%s", spec_values[i].member);
		KIND(var, bf_value(&f->spec[i], spec_values[i].value),
		     "BPF_CORE_READ_BITFIELD_PROBED() of the packed printf_spec");
	}

	KIND("kinds_id_local_task", f->local_task_id,
	     "TYPE_ID_LOCAL of struct task_struct != its id in the object's BTF");
	KIND("kinds_id_local_flavor", f->local_flavor_id,
	     "TYPE_ID_LOCAL of struct task_struct___kinds != its id in the object's BTF");
	KIND("kinds_id_kernel_task", f->task_id,
	     "TYPE_ID_TARGET of struct task_struct != its id in /sys/kernel/btf/vmlinux");
	KIND("kinds_id_kernel_flavor", f->task_id,
	     "TYPE_ID_TARGET of struct task_struct___kinds != task_struct's vmlinux id");

	KIND("kinds_type_exists_task", 1, "TYPE_EXISTS of struct task_struct");
	KIND("kinds_type_exists_flavor", 1, "TYPE_EXISTS of struct printf_spec___kinds");
	KIND("kinds_type_exists_missing", 0, "TYPE_EXISTS of struct loadfd_no_such_type___kinds");
	KIND("kinds_type_size_task", f->task_size, "TYPE_SIZE of struct task_struct != vmlinux");
	KIND("kinds_type_size_spec", f->spec_size,
	     "TYPE_SIZE of struct printf_spec___kinds (local 16) != vmlinux");

	KIND("kinds_enum_exists_syscall", 1, "ENUMVAL_EXISTS of BPF_PROG_TYPE_SYSCALL___kinds");
	KIND("kinds_enum_exists_missing", 0,
	     "ENUMVAL_EXISTS of LOADFD_NO_SUCH_PROG_TYPE___kinds");
	KIND("kinds_enum_value_syscall", f->enum_syscall,
	     "ENUMVAL_VALUE of BPF_PROG_TYPE_SYSCALL (local 1000) != vmlinux");
	KIND("kinds_enum_value_syscall", BPF_PROG_TYPE_SYSCALL,
	     "ENUMVAL_VALUE of BPF_PROG_TYPE_SYSCALL != the uapi value");
	KIND("kinds_enum_value_cpuhp", f->enum_cpuhp,
	     "ENUMVAL_VALUE of CPUHP_AP_ONLINE_DYN (local 7) != vmlinux");

	KIND("kinds_matches_task", 1, "TYPE_MATCHES of task_struct___match (pid, tgid, flags)");
	KIND("kinds_matches_spec", 1, "TYPE_MATCHES of printf_spec___match (a matching subset)");
	KIND("kinds_matches_not", 0,
	     "TYPE_MATCHES of printf_spec___nomatch (unsigned precision; the kernel's is signed)");
#undef KIND
}

/* BPF_LOAD_FD: every kind right. */
static void core_kinds(void)
{
	struct kinds_facts f;
	struct loadfd_obj o;

	if (!loadfd_obj_open(&o, CORE_KINDS_OBJ) && !kinds_facts(&f))
		kinds_run_check(&o, &f, "BPF_LOAD_FD");
	loadfd_obj_close(&o);
}

/* The same object loaded by libbpf and by BPF_LOAD_FD, run on the same
 * context: libbpf gets the facts right too (so the expectations are
 * right), and the two .bss maps are byte for byte the same.
 */
static void core_kinds_vs_libbpf(void)
{
	unsigned char *a = NULL, *b = NULL;
	__u32 alen = 0, blen = 0, i;
	struct kinds_facts f;
	struct loadfd_obj lo, o;

	loadfd_obj_init(&o);
	if (loadfd_obj_open_libbpf(&lo, CORE_KINDS_OBJ) || kinds_facts(&f))
		goto out;
	kinds_run_check(&lo, &f, "libbpf");
	if (loadfd_obj_open(&o, CORE_KINDS_OBJ))
		goto out;
	kinds_run_check(&o, &f, "BPF_LOAD_FD");

	a = data_map_bytes(&lo, ".bss", &alen);
	b = data_map_bytes(&o, ".bss", &blen);
	if (!a || !b || !ASSERT_EQ(alen, blen, ".bss size: libbpf vs BPF_LOAD_FD"))
		goto out;
	for (i = 0; i < alen; i++)
		if (a[i] != b[i])
			break;
	if (!ASSERT_EQ(i, alen, ".bss identical"))
		printf(".bss differs first at byte %u: libbpf 0x%02x, BPF_LOAD_FD 0x%02x\n",
		       i, a[i], b[i]);
out:
	free(a);
	free(b);
	loadfd_obj_close(&o);
	loadfd_obj_close(&lo);
}

/* ==== module_core: CO-RE and attach targets in bpf_testmod's BTF ==== */

#define CORE_MODULE_OBJ "test_core_reloc_module.bpf.o"

/* progs/test_core_reloc_module.c */
struct core_reloc_module_output {
	long long len;
	long long off;
	int read_ctx_sz;
	bool read_ctx_exists;
	bool buf_exists;
	bool len_exists;
	bool off_exists;
	char comm[sizeof("test_progs")];
	int comm_len;
};

struct core_reloc_module_data {
	char in[256];
	char out[256];
	bool skip;
	__u64 my_pid_tgid;
};

#define TESTMOD_READ_LEN 123

/*
 * Attaches @prog_fd (raw_tp: @tp; tp_btf: NULL), reads /sys/kernel/bpf_testmod
 * and checks what prog_tests/core_reloc.c checks for module_probed and
 * module_direct.
 */
static void module_core_run(struct testmod *m, struct loadfd_obj *o, int prog_fd, const char *tp)
{
	struct core_reloc_module_output *out;
	struct core_reloc_module_data data;
	char comm[32], want[sizeof(out->comm)];
	__s32 ctx_id;
	int link, want_len;

	ctx_id = btf_id(m->btf, "bpf_testmod_test_read_ctx", BTF_KIND_STRUCT, TESTMOD);
	if (ctx_id < 0 || !ASSERT_OK(loadfd_read_text("/proc/self/comm", comm, sizeof(comm)),
				     "/proc/self/comm"))
		return;
	memset(want, 0, sizeof(want));
	memcpy(want, comm, strnlen(comm, sizeof(want) - 1));
	want_len = strlen(comm) + 1 > sizeof(want) ? (int)sizeof(want) : (int)strlen(comm) + 1;

	memset(&data, 0, sizeof(data));
	data.my_pid_tgid = (__u64)getpid() << 32 | (__u32)syscall(SYS_gettid);
	if (LOADFD_VAR_SET(o, "data", &data))
		return;
	link = bpf_raw_tracepoint_open(tp, prog_fd);
	if (!ASSERT_OK_FD(link, tp ? tp : "BPF_RAW_TRACEPOINT_OPEN (BTF target)"))
		return;
	trigger_testmod_read(TESTMOD_READ_LEN);
	close(link);

	if (LOADFD_VAR_GET(o, "data", &data))
		return;
	ASSERT_FALSE(data.skip, "data.skip");
	out = (struct core_reloc_module_output *)data.out;
	if (!ASSERT_EQ(out->len, TESTMOD_READ_LEN,
		       "read_ctx->len (the program ran, read the field)"))
		return;
	ASSERT_EQ(out->off, 0, "read_ctx->off");
	ASSERT_EQ(out->read_ctx_sz, (int)btf__type_by_id(m->btf, ctx_id)->size,
		  "TYPE_SIZE of bpf_testmod_test_read_ctx == module BTF");
	ASSERT_TRUE(out->read_ctx_exists, "TYPE_EXISTS against module BTF");
	ASSERT_TRUE(out->buf_exists, "FIELD_EXISTS buf");
	ASSERT_TRUE(out->len_exists, "FIELD_EXISTS len");
	ASSERT_TRUE(out->off_exists, "FIELD_EXISTS off");
	if (!ASSERT_OK(memcmp(want, out->comm, sizeof(want)), "comm"))
		printf("comm '%.11s', want '%s'\n", out->comm, want);
	ASSERT_EQ(out->comm_len, want_len, "comm_len");
}

/* raw_tp/bpf_testmod_test_read: CO-RE reads of a module struct. */
static void module_core_raw_tp_probed(struct testmod *m)
{
	struct loadfd_obj o;
	int prog;

	if (!loadfd_obj_open(&o, CORE_MODULE_OBJ)) {
		prog = loadfd_obj_prog(&o, "test_core_module_probed");
		if (prog >= 0) {
			module_core_run(m, &o, prog, "bpf_testmod_test_read");
			close(prog);
		}
	}
	loadfd_obj_close(&o);
}

/* tp_btf/bpf_testmod_test_read with the module target given explicitly
 * (attach_btf_obj_fd + attach_btf_id of btf_trace_bpf_testmod_test_read).
 */
static void module_core_tp_btf_direct(struct testmod *m)
{
	struct bpf_prog_info info;
	union bpf_attr extra;
	struct loadfd_obj o;
	__s32 target;
	int prog;

	loadfd_obj_init(&o);
	target = btf_id(m->btf, "btf_trace_bpf_testmod_test_read", BTF_KIND_TYPEDEF, TESTMOD);
	if (target < 0)
		return;
	memset(&extra, 0, sizeof(extra));
	extra.attach_btf_obj_fd = m->btf_fd;
	extra.attach_btf_id = target;
	if (loadfd_obj_open(&o, CORE_MODULE_OBJ))
		goto out;
	prog = obj_prog_attr(&o, "test_core_module_direct", &extra);
	if (prog < 0)
		goto out;
	if (loadfd_prog_info(prog, &info) &&
	    ASSERT_EQ(info.type, BPF_PROG_TYPE_TRACING, "prog type") &&
	    ASSERT_EQ(info.attach_btf_obj_id, m->btf_obj_id, "attach_btf_obj_id") &&
	    ASSERT_EQ(info.attach_btf_id, extra.attach_btf_id, "attach_btf_id"))
		module_core_run(m, &o, prog, NULL);
	close(prog);
out:
	loadfd_obj_close(&o);
}

/*
 * tp_btf/bpf_testmod_test_read with nothing in the attr: the attach target
 * must be found in module BTF, as libbpf finds it.
 */
static void module_core_tp_btf_default_target(struct testmod *m)
{
	struct bpf_prog_info info;
	union bpf_attr attr;
	struct loadfd_obj o;
	__s32 target;
	int prog;

	loadfd_obj_init(&o);
	target = btf_id(m->btf, "btf_trace_bpf_testmod_test_read", BTF_KIND_TYPEDEF, TESTMOD);
	if (target < 0 || loadfd_obj_open(&o, CORE_MODULE_OBJ))
		goto out;
	/* No log: a level-1 log of a successful load of this program does not
	 * fit a small buffer and fails with ENOSPC.
	 */
	memset(&attr, 0, sizeof(attr));
	prog = prog_load_raw(&attr, o.loader, "test_core_module_direct");
	if (!ASSERT_OK_FD(prog, "tp_btf without attach_btf_obj_fd")) {
		printf("BPF_PROG_LOAD of tp_btf/bpf_testmod_test_read without attach_btf_obj_fd: "
		       "%s; the loader should find the attach target in module BTF like libbpf\n",
		       strerror(-prog));
		goto out;
	}
	if (loadfd_prog_info(prog, &info) &&
	    ASSERT_EQ(info.attach_btf_obj_id, m->btf_obj_id, "attach_btf_obj_id") &&
	    ASSERT_EQ(info.attach_btf_id, target, "attach_btf_id"))
		module_core_run(m, &o, prog, NULL);
	close(prog);
out:
	loadfd_obj_close(&o);
}

/* ==== kfunc_call: module kfuncs through the loader's module BTF slots ==== */

struct syscall_test_args {
	__u8 data[16];
	size_t size;
};

enum run_kind { RUN_TC, RUN_SYSCALL, RUN_SYSCALL_NULL };

/* prog_tests/kfunc_call.c kfunc_tests[] success cases, plus
 * kfunc_call_test_pass (pass_ctx, pass1, pass2, mem_len_pass1/fail2).
 */
static const struct {
	const char *name;
	const char *prog;
	enum run_kind run;
	int retval;
} kfunc_call[] = {
	{ "kfunc_call_test1", "kfunc_call_test1", RUN_TC, 12 },
	{ "kfunc_call_test2", "kfunc_call_test2", RUN_TC, 3 },
	{ "kfunc_call_test4", "kfunc_call_test4", RUN_TC, -1234 },
	{ "kfunc_call_test_ref_btf_id", "kfunc_call_test_ref_btf_id", RUN_TC, 0 },
	{ "kfunc_call_test_get_mem", "kfunc_call_test_get_mem", RUN_TC, 42 },
	{ "kfunc_call_test_pass", "kfunc_call_test_pass", RUN_TC, 0 },
	{ "kfunc_call_test_static_unused_arg", "kfunc_call_test_static_unused_arg", RUN_TC, 0 },
	{ "kfunc_call_ctx", "kfunc_call_ctx", RUN_TC, 0 },
	{ "kfunc_call_syscall_test", "kfunc_syscall_test", RUN_SYSCALL, 0 },
	{ "kfunc_call_syscall_test_null", "kfunc_syscall_test_null", RUN_SYSCALL_NULL, 0 },
};

static void kfunc_call_run(int i)
{
	struct syscall_test_args args = { .size = 10 };
	struct bpf_prog_info info;
	__u32 retval = 0;
	struct loadfd_obj o;
	int prog;

	if (loadfd_obj_open(&o, "kfunc_call_test.bpf.o"))
		goto out;
	prog = loadfd_obj_prog(&o, kfunc_call[i].prog);
	if (prog < 0)
		goto out;
	if (!loadfd_prog_info(prog, &info) ||
	    !ASSERT_EQ(info.type, kfunc_call[i].run == RUN_TC ? BPF_PROG_TYPE_SCHED_CLS :
							      BPF_PROG_TYPE_SYSCALL, "prog type"))
		goto close_prog;
	switch (kfunc_call[i].run) {
	case RUN_TC:
		retval = loadfd_run_skb(prog);
		break;
	case RUN_SYSCALL:
		retval = loadfd_run_ctx(prog, &args, sizeof(args));
		break;
	case RUN_SYSCALL_NULL:
		retval = loadfd_run_ctx(prog, NULL, 0);
		break;
	}
	ASSERT_EQ((int)retval, kfunc_call[i].retval, kfunc_call[i].prog);
close_prog:
	close(prog);
out:
	loadfd_obj_close(&o);
}

/* prog_tests/kfunc_call.c "subprog": module kfuncs (test1, test3) called
 * from a .text subprogram, next to a typed vmlinux ksym.
 */
static void kfunc_call_subprog_run(void)
{
	struct loadfd_obj o;
	int prog, v;

	if (loadfd_obj_open(&o, "kfunc_call_test_subprog.bpf.o"))
		goto out;
	prog = loadfd_obj_prog(&o, "kfunc_call_test1");
	if (prog < 0)
		goto out;
	ASSERT_EQ(loadfd_run_skb(prog), 10, "retval");
	if (!LOADFD_VAR_GET(&o, "active_res", &v))
		ASSERT_NEQ(v, -1, "active_res: bpf_prog_active read");
	if (!LOADFD_VAR_GET(&o, "sk_state_res", &v))
		ASSERT_EQ(v, BPF_TCP_CLOSE, "sk_state_res: bpf_kfunc_call_test3() result");
	close(prog);
out:
	loadfd_obj_close(&o);
}

/* ==== ksyms_module: module typed ksym and module kfunc ==== */

#define KSYMS_MODULE_OBJ "test_ksyms_module.bpf.o"

/* prog_tests/ksyms_module.c: bpf_testmod_test_mod_kfunc(42) stores 42 in
 * the module's per-cpu bpf_testmod_ksym_percpu, read back through the
 * typed ksym; the unresolved weak kfunc behind `if (x)` is dead code.
 */
static void ksyms_module_load(void)
{
	struct loadfd_obj o;
	int prog, v;

	if (loadfd_obj_open(&o, KSYMS_MODULE_OBJ))
		goto out;
	prog = loadfd_obj_prog(&o, "load");
	if (prog < 0)
		goto out;
	ASSERT_EQ(loadfd_run_skb(prog), 0, "retval");
	if (!LOADFD_VAR_GET(&o, "out_bpf_testmod_ksym", &v))
		ASSERT_EQ(v, 42, "out_bpf_testmod_ksym");
	close(prog);
out:
	loadfd_obj_close(&o);
}

/* 257 calls of one module kfunc: all of them share one module BTF slot. */
static void ksyms_module_load_256(void)
{
	struct loadfd_obj o;
	int prog;

	if (loadfd_obj_open(&o, KSYMS_MODULE_OBJ))
		goto out;
	prog = loadfd_obj_prog(&o, "load_256");
	if (prog < 0)
		goto out;
	ASSERT_EQ(loadfd_run_skb(prog), 0, "retval");
	close(prog);
out:
	loadfd_obj_close(&o);
}

/* ==== execve: the demo object on a tracepoint ==== */

#define EXECVE_TP "events/syscalls/sys_enter_execve/id"
#define EXECVE_RUNS 5

/* The tracepoint id of syscalls/sys_enter_execve (mounts tracefs if
 * needed), or 0.
 */
static __u64 execve_tp_id(void)
{
	static const char *const dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char path[PATH_MAX], buf[32];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(path, sizeof(path), "%s/" EXECVE_TP, dirs[i]);
		if (!loadfd_read_text(path, buf, sizeof(buf)))
			return strtoull(buf, NULL, 10);
	}
	if (mount("tracefs", dirs[0], "tracefs", 0, NULL))
		printf("mount tracefs on %s: %s\n", dirs[0], strerror(errno));
	snprintf(path, sizeof(path), "%s/" EXECVE_TP, dirs[0]);
	if (!ASSERT_OK(loadfd_read_text(path, buf, sizeof(buf)), path)) {
		printf("%s: CONFIG_FTRACE_SYSCALLS?\n", path);
		return 0;
	}
	return strtoull(buf, NULL, 10);
}

static int perf_tp_open(__u64 id)
{
	struct perf_event_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_TRACEPOINT;
	attr.size = sizeof(attr);
	attr.config = id;
	attr.sample_period = 1;
	attr.wakeup_events = 1;
	/* A BPF program on a tracepoint event runs on every CPU. */
	fd = syscall(__NR_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	ASSERT_OK_FD(fd, "perf_event_open tracepoint");
	return fd;
}

static bool run_true(int n)
{
	int i, status;
	pid_t pid;

	for (i = 0; i < n; i++) {
		pid = fork();
		if (!ASSERT_GE(pid, 0, "fork"))
			return false;
		if (pid == 0) {
			execl("/bin/true", "true", (char *)NULL);
			_exit(127);
		}
		if (!ASSERT_EQ(waitpid(pid, &status, 0), pid, "waitpid") ||
		    !ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0, "/bin/true"))
			return false;
	}
	return true;
}

/* execve_count[0], or ~0ULL (the subtest failed). */
static __u64 read_execve_count(struct loadfd_obj *o)
{
	__u64 v = ~0ULL;
	__u32 key = 0;
	int fd;

	fd = loadfd_obj_map(o, "execve_count");
	if (fd < 0)
		return ~0ULL;
	if (!ASSERT_OK(bpf_map_lookup_elem(fd, &key, &v), "execve_count[0]"))
		v = ~0ULL;
	close(fd);
	return v;
}

/*
 * loadfd_execve.c: count_execve on syscalls/sys_enter_execve counts every
 * execve in the map execve_count and in .bss total_execs; N runs of
 * /bin/true add at least N, and nothing once it is detached. @ioctl:
 * PERF_EVENT_IOC_SET_BPF instead of BPF_LINK_CREATE.
 */
static void execve_counts(bool ioctl_attach)
{
	__u64 id, before, after, total;
	int prog = -1, pfd = -1, link = -1;
	struct bpf_prog_info info;
	struct loadfd_obj o;
	char buf[128];

	if (loadfd_obj_open(&o, "loadfd_execve.bpf.o"))
		goto out;
	prog = loadfd_obj_prog(&o, "count_execve");
	if (prog < 0 || !loadfd_prog_info(prog, &info) ||
	    !ASSERT_EQ(info.type, BPF_PROG_TYPE_TRACEPOINT, "prog type"))
		goto out;
	id = execve_tp_id();
	if (!id)
		goto out;
	if (!loadfd_sysfs_read(buf, sizeof(buf), LOADFD_SYSFS "/%d/programs/count_execve/section",
			       o.id) ||
	    !ASSERT_STREQ(buf, "tracepoint/syscalls/sys_enter_execve", "section in sysfs"))
		goto out;
	if (!ASSERT_EQ(read_execve_count(&o), 0, "execve_count before") ||
	    !ASSERT_EQ(loadfd_var_u64(&o, "total_execs"), 0, "total_execs before"))
		goto out;

	pfd = perf_tp_open(id);
	if (pfd < 0)
		goto out;
	if (ioctl_attach) {
		if (!ASSERT_OK(ioctl(pfd, PERF_EVENT_IOC_SET_BPF, prog), "PERF_EVENT_IOC_SET_BPF"))
			goto out;
	} else {
		link = bpf_link_create(prog, pfd, BPF_PERF_EVENT, NULL);
		if (!ASSERT_OK_FD(link, "BPF_LINK_CREATE BPF_PERF_EVENT"))
			goto out;
	}
	if (!ASSERT_OK(ioctl(pfd, PERF_EVENT_IOC_ENABLE, 0), "PERF_EVENT_IOC_ENABLE"))
		goto out;

	before = read_execve_count(&o);
	if (!run_true(EXECVE_RUNS))
		goto out;
	after = read_execve_count(&o);
	if (!ASSERT_NEQ(before, ~0ULL, "execve_count") ||
	    !ASSERT_GE(after, before + EXECVE_RUNS, "execve_count grew by the execs"))
		goto out;
	total = loadfd_var_u64(&o, "total_execs");
	ASSERT_GE(total, EXECVE_RUNS, "total_execs");

	/* Detached: no more counting (an exec already inside the program
	 * when the link went away may still finish; give it time).
	 */
	if (link >= 0)
		close(link);
	link = -1;
	close(pfd);
	pfd = -1;
	usleep(100 * 1000);
	before = read_execve_count(&o);
	if (run_true(2))
		ASSERT_EQ(read_execve_count(&o), before, "no counting after detach");
out:
	if (link >= 0)
		close(link);
	if (pfd >= 0)
		close(pfd);
	if (prog >= 0)
		close(prog);
	loadfd_obj_close(&o);
}

/* ==== differential: the same objects loaded by libbpf ==== */

static const struct {
	const char *name;
	const char *file;
	bool testmod;
} differential[] = {
	{ "differential_loadfd_core_kinds", "loadfd_core_kinds.bpf.o" },
	{ "differential_test_core_reloc_module", "test_core_reloc_module.bpf.o", true },
	{ "differential_kfunc_call_test", "kfunc_call_test.bpf.o", true },
	{ "differential_kfunc_call_test_subprog", "kfunc_call_test_subprog.bpf.o", true },
	{ "differential_test_ksyms_module", "test_ksyms_module.bpf.o", true },
	{ "differential_loadfd_execve", "loadfd_execve.bpf.o" },
};

/*
 * Every program of the object, loaded by libbpf and by name from a
 * BPF_LOAD_FD loader, has the same xlated instructions (ld_imm64 immediates
 * masked), func_info and line_info counts. A program libbpf attached to a
 * module BTF target gets the same target (attach_btf_obj_fd) here.
 */
static void differential_xlated(const char *file)
{
	struct loadfd_obj lo, o;
	struct bpf_program *p;
	int nprogs = 0;

	loadfd_obj_init(&o);
	if (loadfd_obj_open_libbpf(&lo, file) || loadfd_obj_open(&o, file))
		goto out;

	bpf_object__for_each_program(p, lo.bobj) {
		const char *name = bpf_program__name(p);
		struct loadfd_xlated a = {}, b = {};
		struct bpf_prog_info info;
		union bpf_attr extra;
		int fd = -1, btf_fd = -1, masked;
		char what[128];

		nprogs++;
		memset(&extra, 0, sizeof(extra));
		if (!loadfd_prog_info(bpf_program__fd(p), &info))
			continue;
		if (info.attach_btf_obj_id) {
			btf_fd = bpf_btf_get_fd_by_id(info.attach_btf_obj_id);
			if (!ASSERT_OK_FD(btf_fd, "attach BTF object"))
				continue;
			extra.attach_btf_obj_fd = btf_fd;
			extra.attach_btf_id = info.attach_btf_id;
		}
		fd = obj_prog_attr(&o, name, &extra);
		if (fd >= 0 && !loadfd_get_xlated(bpf_program__fd(p), &a) &&
		    !loadfd_get_xlated(fd, &b)) {
			snprintf(what, sizeof(what), "%s/%s: xlated instructions", file, name);
			ASSERT_EQ(loadfd_xlated_diff(name, &a, &b, &masked), 0, what);
			snprintf(what, sizeof(what), "%s/%s: func_info", file, name);
			ASSERT_EQ(b.nr_func_info, a.nr_func_info, what);
			snprintf(what, sizeof(what), "%s/%s: line_info", file, name);
			ASSERT_EQ(b.nr_line_info, a.nr_line_info, what);
		}
		free(a.insns);
		free(b.insns);
		if (fd >= 0)
			close(fd);
		if (btf_fd >= 0)
			close(btf_fd);
	}
	ASSERT_GT(nprogs, 0, "programs compared");
out:
	loadfd_obj_close(&o);
	loadfd_obj_close(&lo);
}

/* Runs @call (which may use m) when bpf_testmod's BTF could be opened. */
#define WITH_TESTMOD(call) do {							\
	struct testmod m;							\
										\
	if (!testmod_open(&m))							\
		call;								\
	testmod_close(&m);							\
} while (0)

void test_loadfd_core(void)
{
	int i;

	if (!loadfd_supported()) {
		test__skip();
		return;
	}
	if (test__start_subtest("core_kinds_in_object"))
		core_kinds_in_object();
	if (test__start_subtest("core_kinds"))
		core_kinds();
	if (test__start_subtest("core_kinds_vs_libbpf"))
		core_kinds_vs_libbpf();
	if (test__start_subtest("module_core_raw_tp_probed"))
		WITH_TESTMOD(module_core_raw_tp_probed(&m));
	if (test__start_subtest("module_core_tp_btf_direct"))
		WITH_TESTMOD(module_core_tp_btf_direct(&m));
	if (test__start_subtest("module_core_tp_btf_default_target"))
		WITH_TESTMOD(module_core_tp_btf_default_target(&m));
	for (i = 0; i < ARRAY_SIZE(kfunc_call); i++)
		if (test__start_subtest(kfunc_call[i].name))
			WITH_TESTMOD(kfunc_call_run(i));
	if (test__start_subtest("kfunc_call_subprog_run"))
		WITH_TESTMOD(kfunc_call_subprog_run());
	if (test__start_subtest("ksyms_module_load"))
		WITH_TESTMOD(ksyms_module_load());
	if (test__start_subtest("ksyms_module_load_256"))
		WITH_TESTMOD(ksyms_module_load_256());
	if (test__start_subtest("execve_link_create"))
		execve_counts(false);
	if (test__start_subtest("execve_ioc_set_bpf"))
		execve_counts(true);
	for (i = 0; i < ARRAY_SIZE(differential); i++) {
		if (!test__start_subtest(differential[i].name))
			continue;
		if (differential[i].testmod)
			WITH_TESTMOD(differential_xlated(differential[i].file));
		else
			differential_xlated(differential[i].file);
	}
}
