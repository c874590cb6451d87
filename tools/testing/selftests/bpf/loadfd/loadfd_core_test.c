// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_LOAD_FD against kernel and module BTF: CO-RE, module kfuncs and ksyms,
 * and the execve demo, each program loaded by name from a loader object and
 * run for real.
 *
 *  core.*            every CO-RE relocation kind (0..12) against vmlinux BTF
 *                    (progs/loadfd_core_kinds.c), checked against facts read
 *                    from /sys/kernel/btf/vmlinux with libbpf's BTF API
 *  module_core.*     CO-RE and attach targets in bpf_testmod's BTF
 *                    (prog_tests/core_reloc.c "module_probed"/"module_direct")
 *  kfunc_call.*      module kfuncs through the loader's module BTF slots
 *                    (prog_tests/kfunc_call.c success cases)
 *  ksyms_module.*    module typed ksym + module kfunc (prog_tests/ksyms_module.c)
 *  execve.*          progs/loadfd_execve.c on the sys_enter_execve tracepoint
 *  differential.*    the same objects loaded by libbpf: identical xlated
 *                    instructions
 *
 * Needs bpf_testmod.ko loaded (dev/guest-tests.sh does it) for the module
 * tests. LOADFD_E2E_ORACLE=libbpf loads the objects with libbpf instead of
 * BPF_LOAD_FD (see loadfd_prog_test.c), which checks the tests' own
 * expectations on any kernel.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/perf_event.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "../../kselftest_harness.h"
#include "loadfd_e2e.h"

#define TESTMOD_FILE "/sys/kernel/bpf_testmod"
#define TESTMOD "bpf_testmod"

/* ---- BTF facts ---- */

static struct btf *vmlinux_btf(struct __test_metadata *_metadata)
{
	struct btf *btf = btf__load_vmlinux_btf();

	ASSERT_NE(NULL, btf) TH_LOG("btf__load_vmlinux_btf: %s (CONFIG_DEBUG_INFO_BTF?)",
				    strerror(errno));
	return btf;
}

static __s32 btf_id(struct __test_metadata *_metadata, const struct btf *btf, const char *name,
		    __u32 kind, const char *which)
{
	__s32 id = btf__find_by_name_kind(btf, name, kind);

	ASSERT_LT(0, id) TH_LOG("%s BTF has no %s of kind %u", which, name, kind);
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
			out->is_signed = (btf_is_int(mt) && (btf_int_encoding(mt) & BTF_INT_SIGNED)) ||
					 (btf_is_any_enum(mt) && btf_kflag(mt));
			return true;
		}
		if ((!mn || !*mn) && find_member(btf, m->type, name, off, out))
			return true;
	}
	return false;
}

static void member(struct __test_metadata *_metadata, const struct btf *btf, __u32 id,
		   const char *sname, const char *name, struct member *out)
{
	ASSERT_TRUE(find_member(btf, id, name, 0, out))
		TH_LOG("vmlinux BTF: struct %s has no member %s", sname, name);
}

static __u64 enum_value(struct __test_metadata *_metadata, const struct btf *btf,
			const char *ename, const char *vname)
{
	const struct btf_type *t;
	__s32 id;
	int i;

	id = btf__find_by_name_kind(btf, ename, BTF_KIND_ENUM);
	if (id <= 0)
		id = btf__find_by_name_kind(btf, ename, BTF_KIND_ENUM64);
	ASSERT_LT(0, id) TH_LOG("vmlinux BTF has no enum %s", ename);
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
	ASSERT_TRUE(false) TH_LOG("vmlinux BTF: enum %s has no %s", ename, vname);
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

static void bf_expect(struct __test_metadata *_metadata, const struct member *m,
		      struct bf_relo *r)
{
	__u32 bit_off = m->bit_off, bit_sz = m->bitfield_size;
	__u32 byte_sz = m->size, byte_off;

	ASSERT_LT(0U, bit_sz) TH_LOG("not a bitfield");
	ASSERT_LT(0U, byte_sz) TH_LOG("bitfield of a non-integer type");
	byte_off = bit_off / 8 / byte_sz * byte_sz;
	while (bit_off + bit_sz - byte_off * 8 > byte_sz * 8) {
		ASSERT_GT(8U, byte_sz) TH_LOG("bitfield at bit %u not loadable", bit_off);
		byte_sz *= 2;
		byte_off = bit_off / 8 / byte_sz * byte_sz;
	}
	r->byte_off = byte_off;
	r->byte_size = byte_sz;
	r->lshift = 64 - (bit_off + bit_sz - byte_off * 8);
	r->rshift = 64 - bit_sz;
	r->is_signed = m->is_signed;
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
static int kernel_btf_fd(struct __test_metadata *_metadata, const char *name, __u32 *id_out)
{
	union bpf_attr attr;
	__u32 id = 0;
	int fd;

	for (;;) {
		struct bpf_btf_info info;
		char nm[64];

		memset(&attr, 0, sizeof(attr));
		attr.start_id = id;
		if (sys_bpf(BPF_BTF_GET_NEXT_ID, &attr)) {
			ASSERT_EQ(ENOENT, errno) TH_LOG("BPF_BTF_GET_NEXT_ID: %s", strerror(errno));
			break;
		}
		id = attr.next_id;
		memset(&attr, 0, sizeof(attr));
		attr.btf_id = id;
		fd = sys_bpf(BPF_BTF_GET_FD_BY_ID, &attr);
		if (fd < 0)
			continue;	/* freed meanwhile */
		memset(&info, 0, sizeof(info));
		memset(nm, 0, sizeof(nm));
		info.name = ptr_to_u64(nm);
		info.name_len = sizeof(nm);
		if (!obj_info(fd, &info, sizeof(info)) && info.kernel_btf && !strcmp(nm, name)) {
			*id_out = id;
			return fd;
		}
		close(fd);
	}
	ASSERT_TRUE(false) TH_LOG("no kernel BTF object '%s': is %s.ko loaded "
				  "(dev/guest-tests.sh insmods it)?", name, name);
	return -1;
}

struct testmod {
	int btf_fd;
	__u32 btf_obj_id;
	struct btf *vmlinux;
	struct btf *btf;	/* split on vmlinux */
};

static void testmod_open(struct __test_metadata *_metadata, struct testmod *m)
{
	struct stat st;

	ASSERT_EQ(0, stat(TESTMOD_FILE, &st))
		TH_LOG("%s: %s: bpf_testmod.ko is not loaded", TESTMOD_FILE, strerror(errno));
	m->vmlinux = vmlinux_btf(_metadata);
	m->btf_fd = kernel_btf_fd(_metadata, TESTMOD, &m->btf_obj_id);
	m->btf = btf__load_from_kernel_by_id_split(m->btf_obj_id, m->vmlinux);
	ASSERT_NE(NULL, m->btf) TH_LOG("module BTF %u: %s", m->btf_obj_id, strerror(errno));
}

static void testmod_close(struct testmod *m)
{
	btf__free(m->btf);
	btf__free(m->vmlinux);
	if (m->btf_fd >= 0)
		close(m->btf_fd);
}

/* A fixture whose setup requires bpf_testmod and opens its BTF. */
#define TESTMOD_FIXTURE(name)							\
	FIXTURE(name) {								\
		struct testmod m;						\
	};									\
	FIXTURE_SETUP(name)							\
	{									\
		libbpf_set_print(libbpf_print);					\
		self->m.btf_fd = -1;						\
		testmod_open(_metadata, &self->m);				\
	}									\
	FIXTURE_TEARDOWN(name)							\
	{									\
		testmod_close(&self->m);					\
	}

/* prog_tests/core_reloc.c: read(2) of /sys/kernel/bpf_testmod calls
 * bpf_testmod_test_read(), which fires the bpf_testmod_test_read tracepoint
 * with ctx { .buf, .off = 0, .len = @len }.
 */
static void trigger_testmod_read(struct __test_metadata *_metadata, size_t len)
{
	char buf[256];
	int fd;

	ASSERT_GE(sizeof(buf), len);
	fd = open(TESTMOD_FILE, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("%s: %s", TESTMOD_FILE, strerror(errno));
	(void)!read(fd, buf, len);	/* the read itself may fail */
	close(fd);
}

/* ---- program loading and running ---- */

/* A new fd of @prog from @o, with the extra attr fields @extra (ignored
 * when libbpf loaded the object: it found the attach target itself).
 */
static int obj_prog_attr(struct __test_metadata *_metadata, struct obj *o, const char *prog,
			 const union bpf_attr *extra)
{
	if (o->bobj)
		return obj_prog(_metadata, o, prog);
	return prog_load_attr_ok(_metadata, o->loader, prog, extra);
}

/* The whole value (key 0) of the object's data map @sec; @len gets its size. */
static unsigned char *data_map_bytes(struct __test_metadata *_metadata, struct obj *o,
				     const char *sec, __u32 *len)
{
	struct bpf_map_info info;
	unsigned char *val;
	__u32 key = 0;
	int fd, err;

	fd = obj_map(_metadata, o, sec);
	map_info(_metadata, fd, &info);
	val = calloc(1, info.value_size);
	ASSERT_NE(NULL, val);
	err = map_lookup(fd, &key, val);
	ASSERT_EQ(0, err) TH_LOG("%s lookup: %s", sec, strerror(-err));
	close(fd);
	*len = info.value_size;
	return val;
}

/* ==== core: every CO-RE relocation kind against vmlinux BTF ==== */

static const char *const relo_kind_names[] = {
	"FIELD_BYTE_OFFSET", "FIELD_BYTE_SIZE", "FIELD_EXISTS", "FIELD_SIGNED",
	"FIELD_LSHIFT_U64", "FIELD_RSHIFT_U64", "TYPE_ID_LOCAL", "TYPE_ID_TARGET",
	"TYPE_EXISTS", "TYPE_SIZE", "ENUMVAL_EXISTS", "ENUMVAL_VALUE", "TYPE_MATCHES",
};

#define NR_RELO_KINDS ((int)ARRAY_LEN(relo_kind_names))

static const char *relo_kind_name(int k)
{
	return k >= 0 && k < NR_RELO_KINDS ? relo_kind_names[k] : "?";
}

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

/* Counts the CO-RE records of each kind in the object's .BTF.ext. */
static void count_core_relos(struct __test_metadata *_metadata, const struct obj *o,
			     int counts[NR_RELO_KINDS])
{
	const unsigned char *ext, *p, *end;
	struct ext_hdr h;
	__u32 rec_size;
	size_t len;
	int err;

	memset(counts, 0, NR_RELO_KINDS * sizeof(int));
	err = elf_find_section(o->elf, o->elf_size, ".BTF.ext", &ext, &len);
	ASSERT_EQ(0, err) TH_LOG("%s: .BTF.ext: %s", o->path, strerror(-err));
	ASSERT_LE(sizeof(h), len);
	memcpy(&h, ext, sizeof(h));
	ASSERT_EQ(0xeB9F, h.magic);
	ASSERT_LE(sizeof(h), h.hdr_len) TH_LOG("no core_relo in the .BTF.ext header");
	ASSERT_LT(0U, h.core_relo_len) TH_LOG("%s has no CO-RE records", o->path);
	ASSERT_GE(len, (size_t)h.hdr_len + h.core_relo_off + h.core_relo_len);
	p = ext + h.hdr_len + h.core_relo_off;
	end = p + h.core_relo_len;
	memcpy(&rec_size, p, 4);
	ASSERT_LE(16U, rec_size);
	p += 4;
	while (p < end) {
		__u32 sec_hdr[2], i;

		ASSERT_LE(8, end - p);
		memcpy(sec_hdr, p, 8);
		p += 8;
		ASSERT_LE((size_t)sec_hdr[1] * rec_size, (size_t)(end - p));
		for (i = 0; i < sec_hdr[1]; i++, p += rec_size) {
			__u32 kind;

			memcpy(&kind, p + 12, 4);
			ASSERT_GT((__u32)NR_RELO_KINDS, kind) TH_LOG("unknown CO-RE kind %u", kind);
			counts[kind]++;
		}
	}
}

FIXTURE(core) {
	int unused;
};

FIXTURE_SETUP(core)
{
	libbpf_set_print(libbpf_print);
}

FIXTURE_TEARDOWN(core)
{
}

#define CORE_TEST(name) TEST_F_TIMEOUT(core, name, E2E_TIMEOUT)

/* The object really has a record of every kind (the compiler did not fold
 * any away), so the tests below exercise all thirteen. No kernel needed.
 */
CORE_TEST(kinds_in_object)
{
	int counts[NR_RELO_KINDS], k;
	struct obj o;

	obj_init(_metadata, &o, "loadfd_core_kinds");
	count_core_relos(_metadata, &o, counts);
	for (k = 0; k < NR_RELO_KINDS; k++)
		EXPECT_LT(0, counts[k])
			TH_LOG("loadfd_core_kinds.bpf.o has no CO-RE record of kind %d (%s)", k,
			       relo_kind_name(k));
	free(o.elf);
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
	struct member pid, comm, flags, spec[ARRAY_LEN(spec_values)];
	struct bf_relo fw, ty;
	__u32 task_id, spec_id, task_size, spec_size;
	__s64 comm_size;
	__u32 local_task_id, local_flavor_id;
	__u64 enum_syscall, enum_cpuhp;
	unsigned char ctx[64];
};

static void kinds_facts(struct __test_metadata *_metadata, struct obj *o,
			struct kinds_facts *f)
{
	struct btf *vm = vmlinux_btf(_metadata), *local;
	size_t i;

	memset(f, 0, sizeof(*f));
	f->task_id = btf_id(_metadata, vm, "task_struct", BTF_KIND_STRUCT, "vmlinux");
	f->task_size = btf__type_by_id(vm, f->task_id)->size;
	member(_metadata, vm, f->task_id, "task_struct", "pid", &f->pid);
	member(_metadata, vm, f->task_id, "task_struct", "comm", &f->comm);
	member(_metadata, vm, f->task_id, "task_struct", "flags", &f->flags);
	f->comm_size = btf__resolve_size(vm, f->comm.type_id);
	ASSERT_LT(0, f->comm_size);
	f->spec_id = btf_id(_metadata, vm, "printf_spec", BTF_KIND_STRUCT, "vmlinux");
	f->spec_size = btf__type_by_id(vm, f->spec_id)->size;
	ASSERT_GE(sizeof(f->ctx), f->spec_size);
	for (i = 0; i < ARRAY_LEN(spec_values); i++) {
		member(_metadata, vm, f->spec_id, "printf_spec", spec_values[i].member,
		       &f->spec[i]);
		ASSERT_LT(0U, f->spec[i].bitfield_size)
			TH_LOG("printf_spec.%s is no longer a bitfield", spec_values[i].member);
		bf_put(f->ctx, &f->spec[i], spec_values[i].value);
	}
	bf_expect(_metadata, &f->spec[1], &f->fw);	/* field_width */
	bf_expect(_metadata, &f->spec[0], &f->ty);	/* type */
	f->enum_syscall = enum_value(_metadata, vm, "bpf_prog_type", "BPF_PROG_TYPE_SYSCALL");
	f->enum_cpuhp = enum_value(_metadata, vm, "cpuhp_state", "CPUHP_AP_ONLINE_DYN");

	/* The object's own BTF numbering (BPF_LOAD_FD and libbpf keep it). */
	local = btf__parse_elf(o->path, NULL);
	ASSERT_NE(NULL, local) TH_LOG("btf__parse_elf %s: %s", o->path, strerror(errno));
	f->local_task_id = btf_id(_metadata, local, "task_struct", BTF_KIND_STRUCT, "object");
	f->local_flavor_id = btf_id(_metadata, local, "task_struct___kinds", BTF_KIND_STRUCT,
				    "object");
	btf__free(local);
	btf__free(vm);

	/* The premises: the local (clang) values differ from the kernel's,
	 * so a right answer proves the relocation was applied.
	 */
	ASSERT_NE(0U, f->pid.bit_off / 8) TH_LOG("task_struct.pid at offset 0 in vmlinux");
	ASSERT_NE(4, f->comm_size);
	ASSERT_TRUE(f->pid.is_signed) TH_LOG("vmlinux task_struct.pid is unsigned");
	ASSERT_FALSE(f->flags.is_signed) TH_LOG("vmlinux task_struct.flags is signed");
	ASSERT_NE(16U, f->spec_size);
	ASSERT_NE(1000ULL, f->enum_syscall);
	ASSERT_NE(7ULL, f->enum_cpuhp);
}

/* Runs core_kinds on the packed printf_spec and checks what it recorded. */
static void kinds_run_check(struct __test_metadata *_metadata, struct obj *o,
			    const struct kinds_facts *f, const char *who)
{
	unsigned char ctx[sizeof(f->ctx)];
	size_t i;
	int prog;

	prog = obj_prog(_metadata, o, "core_kinds");
	ASSERT_EQ(0ULL, var_u64(_metadata, o, "kinds_ran"));
	memcpy(ctx, f->ctx, sizeof(ctx));
	ASSERT_EQ(0U, run_ctx(_metadata, prog, ctx, f->spec_size)) TH_LOG("%s: retval", who);
	close(prog);
	ASSERT_EQ(1ULL, var_u64(_metadata, o, "kinds_ran")) TH_LOG("%s: core_kinds did not run", who);

#define KIND(var, want, what)							\
	EXPECT_EQ((__u64)(want), var_u64(_metadata, o, var))			\
		TH_LOG("%s: %s: %s", who, var, what)

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

	for (i = 0; i < ARRAY_LEN(spec_values); i++) {
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

/* BPF_LOAD_FD (or, in oracle mode, libbpf): every kind right. */
CORE_TEST(kinds)
{
	struct kinds_facts f;
	struct obj o;

	obj_open(_metadata, &o, "loadfd_core_kinds");
	kinds_facts(_metadata, &o, &f);
	kinds_run_check(_metadata, &o, &f, oracle() ? "libbpf" : "BPF_LOAD_FD");
	obj_close(&o);
}

/* The same object loaded by libbpf and by BPF_LOAD_FD, run on the same
 * context: libbpf gets the facts right too (so the expectations are
 * right), and the two .bss maps are byte for byte the same.
 */
CORE_TEST(kinds_vs_libbpf)
{
	unsigned char *a, *b;
	struct kinds_facts f;
	struct obj lo, o;
	__u32 alen, blen, i;

	obj_open_libbpf(_metadata, &lo, "loadfd_core_kinds");
	kinds_facts(_metadata, &lo, &f);
	kinds_run_check(_metadata, &lo, &f, "libbpf");
	obj_open(_metadata, &o, "loadfd_core_kinds");
	kinds_run_check(_metadata, &o, &f, oracle() ? "libbpf (oracle)" : "BPF_LOAD_FD");

	a = data_map_bytes(_metadata, &lo, ".bss", &alen);
	b = data_map_bytes(_metadata, &o, ".bss", &blen);
	ASSERT_EQ(alen, blen) TH_LOG(".bss: %u bytes with libbpf, %u with BPF_LOAD_FD", alen, blen);
	for (i = 0; i < alen; i++)
		if (a[i] != b[i])
			break;
	EXPECT_EQ(alen, i) TH_LOG(".bss differs first at byte %u: libbpf 0x%02x, BPF_LOAD_FD 0x%02x",
				  i, a[i < alen ? i : 0], b[i < alen ? i : 0]);
	free(a);
	free(b);
	obj_close(&o);
	obj_close(&lo);
}

/* ==== module_core: CO-RE and attach targets in bpf_testmod's BTF ==== */

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
static void module_core_run(struct __test_metadata *_metadata, struct testmod *m, struct obj *o,
			    int prog_fd, const char *tp)
{
	struct core_reloc_module_output *out;
	struct core_reloc_module_data data;
	char comm[32], want[sizeof(out->comm)];
	__s32 ctx_id;
	int link, want_len;

	ctx_id = btf_id(_metadata, m->btf, "bpf_testmod_test_read_ctx", BTF_KIND_STRUCT,
			TESTMOD);
	ASSERT_EQ(0, read_text("/proc/self/comm", comm, sizeof(comm)));
	memset(want, 0, sizeof(want));
	memcpy(want, comm, strnlen(comm, sizeof(want) - 1));
	want_len = strlen(comm) + 1 > sizeof(want) ? (int)sizeof(want) : (int)strlen(comm) + 1;

	memset(&data, 0, sizeof(data));
	data.my_pid_tgid = (__u64)getpid() << 32 | (__u32)syscall(SYS_gettid);
	VAR_SET(o, "data", &data);
	link = raw_tp_open(_metadata, prog_fd, tp);
	trigger_testmod_read(_metadata, TESTMOD_READ_LEN);
	close(link);

	VAR_GET(o, "data", &data);
	ASSERT_FALSE(data.skip);
	out = (struct core_reloc_module_output *)data.out;
	ASSERT_EQ(TESTMOD_READ_LEN, out->len)
		TH_LOG("read_ctx->len: the program did not run or read the wrong field");
	EXPECT_EQ(0, out->off) TH_LOG("read_ctx->off");
	EXPECT_EQ((int)btf__type_by_id(m->btf, ctx_id)->size, out->read_ctx_sz)
		TH_LOG("TYPE_SIZE of bpf_testmod_test_read_ctx != module BTF");
	EXPECT_TRUE(out->read_ctx_exists) TH_LOG("TYPE_EXISTS against module BTF");
	EXPECT_TRUE(out->buf_exists) TH_LOG("FIELD_EXISTS buf");
	EXPECT_TRUE(out->len_exists) TH_LOG("FIELD_EXISTS len");
	EXPECT_TRUE(out->off_exists) TH_LOG("FIELD_EXISTS off");
	EXPECT_EQ(0, memcmp(want, out->comm, sizeof(want)))
		TH_LOG("comm '%.11s', want '%s'", out->comm, want);
	EXPECT_EQ(want_len, out->comm_len);
}

TESTMOD_FIXTURE(module_core)

/* raw_tp/bpf_testmod_test_read: CO-RE reads of a module struct. */
TEST_F_TIMEOUT(module_core, raw_tp_probed, E2E_TIMEOUT)
{
	struct obj o;
	int prog;

	obj_open(_metadata, &o, "test_core_reloc_module");
	prog = obj_prog(_metadata, &o, "test_core_module_probed");
	module_core_run(_metadata, &self->m, &o, prog, "bpf_testmod_test_read");
	close(prog);
	obj_close(&o);
}

/* tp_btf/bpf_testmod_test_read with the module target given explicitly
 * (attach_btf_obj_fd + attach_btf_id of btf_trace_bpf_testmod_test_read).
 */
TEST_F_TIMEOUT(module_core, tp_btf_direct, E2E_TIMEOUT)
{
	struct bpf_prog_info info;
	union bpf_attr extra;
	struct obj o;
	int prog;

	memset(&extra, 0, sizeof(extra));
	extra.attach_btf_obj_fd = self->m.btf_fd;
	extra.attach_btf_id = btf_id(_metadata, self->m.btf, "btf_trace_bpf_testmod_test_read",
				     BTF_KIND_TYPEDEF, TESTMOD);
	obj_open(_metadata, &o, "test_core_reloc_module");
	prog = obj_prog_attr(_metadata, &o, "test_core_module_direct", &extra);
	prog_info(_metadata, prog, &info);
	ASSERT_EQ((__u32)BPF_PROG_TYPE_TRACING, info.type);
	ASSERT_EQ(self->m.btf_obj_id, info.attach_btf_obj_id);
	ASSERT_EQ(extra.attach_btf_id, info.attach_btf_id);
	module_core_run(_metadata, &self->m, &o, prog, NULL);
	close(prog);
	obj_close(&o);
}

/*
 * tp_btf/bpf_testmod_test_read with nothing in the attr: the attach target
 * must be found in module BTF, as libbpf finds it.
 */
TEST_F_TIMEOUT(module_core, tp_btf_default_target, E2E_TIMEOUT)
{
	__s32 target = btf_id(_metadata, self->m.btf, "btf_trace_bpf_testmod_test_read",
			      BTF_KIND_TYPEDEF, TESTMOD);
	struct bpf_prog_info info;
	union bpf_attr attr;
	struct obj o;
	int prog;

	obj_open(_metadata, &o, "test_core_reloc_module");
	if (o.bobj) {
		prog = obj_prog(_metadata, &o, "test_core_module_direct");
	} else {
		/* No log: a level-1 log of a successful load of this program
		 * does not fit a small buffer and fails with ENOSPC.
		 */
		memset(&attr, 0, sizeof(attr));
		prog = prog_load_raw(&attr, o.loader, "test_core_module_direct");
		ASSERT_LE(0, prog)
			TH_LOG("BPF_PROG_LOAD of tp_btf/bpf_testmod_test_read without "
			       "attach_btf_obj_fd: %s; the loader should find the attach "
			       "target in module BTF like libbpf", strerror(-prog));
	}
	prog_info(_metadata, prog, &info);
	ASSERT_EQ(self->m.btf_obj_id, info.attach_btf_obj_id);
	ASSERT_EQ((__u32)target, info.attach_btf_id);
	module_core_run(_metadata, &self->m, &o, prog, NULL);
	close(prog);
	obj_close(&o);
}

/* ==== kfunc_call: module kfuncs through the loader's module BTF slots ==== */

struct syscall_test_args {
	__u8 data[16];
	size_t size;
};

enum run_kind { RUN_TC, RUN_SYSCALL, RUN_SYSCALL_NULL };

TESTMOD_FIXTURE(kfunc_call)

FIXTURE_VARIANT(kfunc_call) {
	const char *prog;
	enum run_kind run;
	int retval;
};

/* prog_tests/kfunc_call.c kfunc_tests[] success cases, plus
 * kfunc_call_test_pass (pass_ctx, pass1, pass2, mem_len_pass1/fail2).
 */
FIXTURE_VARIANT_ADD(kfunc_call, test1) { "kfunc_call_test1", RUN_TC, 12 };
FIXTURE_VARIANT_ADD(kfunc_call, test2) { "kfunc_call_test2", RUN_TC, 3 };
FIXTURE_VARIANT_ADD(kfunc_call, test4) { "kfunc_call_test4", RUN_TC, -1234 };
FIXTURE_VARIANT_ADD(kfunc_call, test_ref_btf_id) { "kfunc_call_test_ref_btf_id", RUN_TC, 0 };
FIXTURE_VARIANT_ADD(kfunc_call, test_get_mem) { "kfunc_call_test_get_mem", RUN_TC, 42 };
FIXTURE_VARIANT_ADD(kfunc_call, test_pass) { "kfunc_call_test_pass", RUN_TC, 0 };
FIXTURE_VARIANT_ADD(kfunc_call, test_static_unused_arg) {
	"kfunc_call_test_static_unused_arg", RUN_TC, 0 };
FIXTURE_VARIANT_ADD(kfunc_call, ctx) { "kfunc_call_ctx", RUN_TC, 0 };
FIXTURE_VARIANT_ADD(kfunc_call, syscall_test) { "kfunc_syscall_test", RUN_SYSCALL, 0 };
FIXTURE_VARIANT_ADD(kfunc_call, syscall_test_null) {
	"kfunc_syscall_test_null", RUN_SYSCALL_NULL, 0 };

TEST_F_TIMEOUT(kfunc_call, run, E2E_TIMEOUT)
{
	struct syscall_test_args args = { .size = 10 };
	struct bpf_prog_info info;
	__u32 retval = 0;
	struct obj o;
	int prog;

	obj_open(_metadata, &o, "kfunc_call_test");
	prog = obj_prog(_metadata, &o, variant->prog);
	prog_info(_metadata, prog, &info);
	ASSERT_EQ(variant->run == RUN_TC ? (__u32)BPF_PROG_TYPE_SCHED_CLS :
					    (__u32)BPF_PROG_TYPE_SYSCALL, info.type);
	switch (variant->run) {
	case RUN_TC:
		retval = run_skb(_metadata, prog);
		break;
	case RUN_SYSCALL:
		retval = run_ctx(_metadata, prog, &args, sizeof(args));
		break;
	case RUN_SYSCALL_NULL:
		retval = run_ctx(_metadata, prog, NULL, 0);
		break;
	}
	ASSERT_EQ((__u32)variant->retval, retval)
		TH_LOG("%s returned %d", variant->prog, (int)retval);
	close(prog);
	obj_close(&o);
}

/* prog_tests/kfunc_call.c "subprog": module kfuncs (test1, test3) called
 * from a .text subprogram, next to a typed vmlinux ksym.
 */
TESTMOD_FIXTURE(kfunc_call_subprog)

TEST_F_TIMEOUT(kfunc_call_subprog, run, E2E_TIMEOUT)
{
	struct obj o;
	int prog, v;

	obj_open(_metadata, &o, "kfunc_call_test_subprog");
	prog = obj_prog(_metadata, &o, "kfunc_call_test1");
	ASSERT_EQ(10U, run_skb(_metadata, prog));
	VAR_GET(&o, "active_res", &v);
	ASSERT_NE(-1, v) TH_LOG("active_res: bpf_prog_active not read");
	VAR_GET(&o, "sk_state_res", &v);
	ASSERT_EQ(BPF_TCP_CLOSE, v) TH_LOG("sk_state_res: bpf_kfunc_call_test3() result");
	close(prog);
	obj_close(&o);
}

/* ==== ksyms_module: module typed ksym and module kfunc ==== */

TESTMOD_FIXTURE(ksyms_module)

/* prog_tests/ksyms_module.c: bpf_testmod_test_mod_kfunc(42) stores 42 in
 * the module's per-cpu bpf_testmod_ksym_percpu, read back through the
 * typed ksym; the unresolved weak kfunc behind `if (x)` is dead code.
 */
TEST_F_TIMEOUT(ksyms_module, load, E2E_TIMEOUT)
{
	struct obj o;
	int prog, v;

	obj_open(_metadata, &o, "test_ksyms_module");
	prog = obj_prog(_metadata, &o, "load");
	ASSERT_EQ(0U, run_skb(_metadata, prog));
	VAR_GET(&o, "out_bpf_testmod_ksym", &v);
	ASSERT_EQ(42, v) TH_LOG("out_bpf_testmod_ksym");
	close(prog);
	obj_close(&o);
}

/* 257 calls of one module kfunc: all of them share one module BTF slot. */
TEST_F_TIMEOUT(ksyms_module, load_256, E2E_TIMEOUT)
{
	struct obj o;
	int prog;

	obj_open(_metadata, &o, "test_ksyms_module");
	prog = obj_prog(_metadata, &o, "load_256");
	ASSERT_EQ(0U, run_skb(_metadata, prog));
	close(prog);
	obj_close(&o);
}

/* ==== execve: the demo object on a tracepoint ==== */

#define EXECVE_TP "events/syscalls/sys_enter_execve/id"
#define EXECVE_RUNS 5

/* The tracepoint id of syscalls/sys_enter_execve; mounts tracefs if needed. */
static __u64 execve_tp_id(struct __test_metadata *_metadata)
{
	static const char *const dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char path[PATH_MAX], buf[32];
	size_t i;

	for (i = 0; i < ARRAY_LEN(dirs); i++) {
		snprintf(path, sizeof(path), "%s/" EXECVE_TP, dirs[i]);
		if (!read_text(path, buf, sizeof(buf)))
			return strtoull(buf, NULL, 10);
	}
	if (mount("tracefs", dirs[0], "tracefs", 0, NULL))
		TH_LOG("mount tracefs on %s: %s", dirs[0], strerror(errno));
	snprintf(path, sizeof(path), "%s/" EXECVE_TP, dirs[0]);
	ASSERT_EQ(0, read_text(path, buf, sizeof(buf)))
		TH_LOG("%s: %s (CONFIG_FTRACE_SYSCALLS?)", path, strerror(errno));
	return strtoull(buf, NULL, 10);
}

static int perf_tp_open(struct __test_metadata *_metadata, __u64 id)
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
	ASSERT_LE(0, fd) TH_LOG("perf_event_open tracepoint %llu: %s", (unsigned long long)id,
				strerror(errno));
	return fd;
}

static void run_true(struct __test_metadata *_metadata, int n)
{
	int i, status;
	pid_t pid;

	for (i = 0; i < n; i++) {
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			execl("/bin/true", "true", (char *)NULL);
			_exit(127);
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("/bin/true: status 0x%x", status);
	}
}

static __u64 execve_count(struct __test_metadata *_metadata, struct obj *o)
{
	__u64 v = 0;
	__u32 key = 0;
	int fd, err;

	fd = obj_map(_metadata, o, "execve_count");
	err = map_lookup(fd, &key, &v);
	ASSERT_EQ(0, err) TH_LOG("execve_count[0]: %s", strerror(-err));
	close(fd);
	return v;
}

FIXTURE(execve) {
	int unused;
};

FIXTURE_VARIANT(execve) {
	bool ioctl;	/* PERF_EVENT_IOC_SET_BPF instead of BPF_LINK_CREATE */
};

FIXTURE_SETUP(execve)
{
	libbpf_set_print(libbpf_print);
}

FIXTURE_TEARDOWN(execve)
{
}

FIXTURE_VARIANT_ADD(execve, link_create) { .ioctl = false };
FIXTURE_VARIANT_ADD(execve, ioc_set_bpf) { .ioctl = true };

/*
 * loadfd_execve.c: count_execve on syscalls/sys_enter_execve counts every
 * execve in the map execve_count and in .bss total_execs; N runs of
 * /bin/true add at least N, and nothing once it is detached.
 */
TEST_F_TIMEOUT(execve, counts, E2E_TIMEOUT)
{
	__u64 id, before, after, total;
	struct bpf_prog_info info;
	int prog, pfd, link = -1;
	struct obj o;

	obj_open(_metadata, &o, "loadfd_execve");
	prog = obj_prog(_metadata, &o, "count_execve");
	prog_info(_metadata, prog, &info);
	ASSERT_EQ((__u32)BPF_PROG_TYPE_TRACEPOINT, info.type);
	id = execve_tp_id(_metadata);
	if (!oracle()) {
		char buf[128];

		sysfs_read(_metadata, buf, sizeof(buf), SYSFS_DIR "/%d/programs/count_execve/section",
			   o.id);
		ASSERT_STREQ("tracepoint/syscalls/sys_enter_execve", buf);
	}
	ASSERT_EQ(0ULL, execve_count(_metadata, &o));
	ASSERT_EQ(0ULL, var_u64(_metadata, &o, "total_execs"));

	pfd = perf_tp_open(_metadata, id);
	if (variant->ioctl) {
		ASSERT_EQ(0, ioctl(pfd, PERF_EVENT_IOC_SET_BPF, prog))
			TH_LOG("PERF_EVENT_IOC_SET_BPF: %s", strerror(errno));
	} else {
		link = link_create(_metadata, prog, pfd, BPF_PERF_EVENT);
	}
	ASSERT_EQ(0, ioctl(pfd, PERF_EVENT_IOC_ENABLE, 0))
		TH_LOG("PERF_EVENT_IOC_ENABLE: %s", strerror(errno));

	before = execve_count(_metadata, &o);
	run_true(_metadata, EXECVE_RUNS);
	after = execve_count(_metadata, &o);
	ASSERT_LE(before + EXECVE_RUNS, after)
		TH_LOG("execve_count went from %llu to %llu over %d execs of /bin/true",
		       (unsigned long long)before, (unsigned long long)after, EXECVE_RUNS);
	total = var_u64(_metadata, &o, "total_execs");
	ASSERT_LE((__u64)EXECVE_RUNS, total) TH_LOG("total_execs %llu", (unsigned long long)total);

	/* Detached: no more counting (an exec already inside the program
	 * when the link went away may still finish; give it time).
	 */
	if (link >= 0)
		close(link);
	close(pfd);
	usleep(100 * 1000);
	before = execve_count(_metadata, &o);
	run_true(_metadata, 2);
	ASSERT_EQ(before, execve_count(_metadata, &o)) TH_LOG("counting after detach");
	close(prog);
	obj_close(&o);
}

/* ==== differential: the same objects loaded by libbpf ==== */

FIXTURE(differential) {
	int unused;
};

FIXTURE_VARIANT(differential) {
	const char *obj;
	bool testmod;
};

FIXTURE_SETUP(differential)
{
	libbpf_set_print(libbpf_print);
}

FIXTURE_TEARDOWN(differential)
{
}

FIXTURE_VARIANT_ADD(differential, loadfd_core_kinds) { .obj = "loadfd_core_kinds" };
FIXTURE_VARIANT_ADD(differential, test_core_reloc_module) {
	.obj = "test_core_reloc_module", .testmod = true };
FIXTURE_VARIANT_ADD(differential, kfunc_call_test) {
	.obj = "kfunc_call_test", .testmod = true };
FIXTURE_VARIANT_ADD(differential, kfunc_call_test_subprog) {
	.obj = "kfunc_call_test_subprog", .testmod = true };
FIXTURE_VARIANT_ADD(differential, test_ksyms_module) {
	.obj = "test_ksyms_module", .testmod = true };
FIXTURE_VARIANT_ADD(differential, loadfd_execve) { .obj = "loadfd_execve" };

/*
 * Every program of the object, loaded by libbpf and by name from a
 * BPF_LOAD_FD loader, has the same xlated instructions (ld_imm64 immediates
 * masked), func_info and line_info counts. A program libbpf attached to a
 * module BTF target gets the same target (attach_btf_obj_fd) here.
 */
TEST_F_TIMEOUT(differential, xlated, E2E_TIMEOUT)
{
	struct bpf_program *p;
	struct testmod m = { .btf_fd = -1 };
	struct obj lo, o;
	int nprogs = 0;

	if (variant->testmod)
		testmod_open(_metadata, &m);
	obj_open_libbpf(_metadata, &lo, variant->obj);
	obj_open(_metadata, &o, variant->obj);

	bpf_object__for_each_program(p, lo.bobj) {
		const char *name = bpf_program__name(p);
		struct xlated a = {}, b = {};
		struct bpf_prog_info info;
		union bpf_attr extra;
		int fd, btf_fd = -1, masked;

		memset(&extra, 0, sizeof(extra));
		prog_info(_metadata, bpf_program__fd(p), &info);
		if (info.attach_btf_obj_id) {
			union bpf_attr attr;

			memset(&attr, 0, sizeof(attr));
			attr.btf_id = info.attach_btf_obj_id;
			btf_fd = sys_bpf(BPF_BTF_GET_FD_BY_ID, &attr);
			ASSERT_LE(0, btf_fd) TH_LOG("BTF %u: %s", info.attach_btf_obj_id,
						    strerror(errno));
			extra.attach_btf_obj_fd = btf_fd;
			extra.attach_btf_id = info.attach_btf_id;
		}
		fd = obj_prog_attr(_metadata, &o, name, &extra);
		ASSERT_LE(0, fd);
		get_xlated(_metadata, bpf_program__fd(p), &a);
		get_xlated(_metadata, fd, &b);
		EXPECT_EQ(0, xlated_diff(_metadata, name, &a, &b, &masked))
			TH_LOG("%s/%s: xlated instructions differ", variant->obj, name);
		EXPECT_EQ(a.nr_func_info, b.nr_func_info) TH_LOG("%s: func_info", name);
		EXPECT_EQ(a.nr_line_info, b.nr_line_info) TH_LOG("%s: line_info", name);
		free(a.insns);
		free(b.insns);
		close(fd);
		if (btf_fd >= 0)
			close(btf_fd);
		nprogs++;
	}
	ASSERT_LT(0, nprogs);
	obj_close(&o);
	obj_close(&lo);
	if (variant->testmod)
		testmod_close(&m);
}

TEST_HARNESS_MAIN
