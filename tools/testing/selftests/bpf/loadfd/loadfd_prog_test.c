// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_LOAD_FD end to end: objects loaded with BPF_LOAD_FD, programs loaded
 * from the loader object by name with BPF_PROG_LOAD, then run for real
 * (BPF_PROG_TEST_RUN, or attached with BPF_RAW_TRACEPOINT_OPEN /
 * BPF_LINK_CREATE and triggered), with the results checked the way the
 * upstream prog_tests check them (global_data.c, subprogs.c, bpf_loop.c,
 * ksyms.c, ksyms_btf.c, core_reloc.c, btf_map_in_map.c, fentry_test.c,
 * atomics.c), and libbpf's load-time adjustments (perf event array size).
 * Global variables are read and written through the loader's
 * kernel-created data maps (/sys/kernel/bpf_loadfd/<id>/maps/<section>/id),
 * at the offsets the object's symbol table gives.
 *
 * Plus what only BPF_LOAD_FD has: maps supplied by name and bound by
 * reference, sysfs, the BPF_PROG_LOAD-by-name errors, a BPF-LSM policy on
 * the READING_BPF_OBJECT read, and a differential test against libbpf
 * (xlated instructions of the same programs loaded both ways).
 *
 * Objects are looked up in $LOADFD_OBJDIR, else next to this binary. A
 * missing object is a failure. Temporary files go to $TMPDIR (default /tmp).
 *
 * LOADFD_E2E_ORACLE=libbpf runs the feature tests with the objects loaded by
 * libbpf instead of BPF_LOAD_FD (the tests that exist only for BPF_LOAD_FD
 * are skipped; the differential test compares libbpf with itself). It checks
 * the tests' own expectations on any kernel; the VM runner never sets it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include <linux/bpf.h>
#include <linux/btf.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "../../kselftest_harness.h"
#include "loadfd_util.h"

#include "loadfd_e2e.h"

/* ---- the fixture ---- */

FIXTURE(e2e) {
	struct tmpdir t;
};

FIXTURE_SETUP(e2e)
{
	libbpf_set_print(libbpf_print);
	tmpdir_create(_metadata, &self->t);
}

FIXTURE_TEARDOWN(e2e)
{
	rmdir(self->t.path);
}

#define E2E_TEST(name) TEST_F_TIMEOUT(e2e, name, E2E_TIMEOUT)

/* ==== features: programs from loader objects, run for real ==== */

/* prog_tests/global_data.c: .data, .rodata, .bss, .rodata.str1.1, with
 * variables at non-zero offsets of their sections.
 */
struct foo {
	__u8 a;
	__u32 b;
	__u64 c;
};

E2E_TEST(global_data)
{
	static const struct { __u32 key; __u64 num; } numbers[] = {
		{ 0, 0 }, { 1, 42 }, { 2, 24 }, { 3, 0 }, { 4, 0xffeeff }, { 5, 0xabab },
		{ 6, 1234 }, { 7, 0 }, { 8, 0xab }, { 9, 0x1111111111111111ULL },
		{ 10, ~0ULL },
	};
	static const struct { __u32 key; char str[32]; } strings[] = {
		{ 0, "abcdefghijklmnopqrstuvwxyz" }, { 1, "abcdefghijklmnopqrstuvwxyz" },
		{ 2, "" }, { 3, "abcdexghijklmnopqrstuvwxyz" }, { 4, "\0\0hello" },
	};
	static const struct { __u32 key; struct foo val; } structs[] = {
		{ 0, { 42, 0xfefeefef, 0x1111111111111111ULL } }, { 1, { 0 } },
		{ 2, { 0 } }, { 3, { 41, 0xeeeeefef, 0x2111111111111111ULL } },
	};
	struct bpf_map_info info;
	struct elf_sym sym;
	struct obj o;
	char str[32], big[128];
	struct foo val;
	__u64 num;
	__u32 key = 0;
	size_t i;
	int prog, fd, err;

	obj_open(_metadata, &o, "test_global_data");

	/* Initial bytes of kernel-created data maps, at non-zero offsets. */
	obj_sym(_metadata, &o, "num4", &sym);
	ASSERT_STREQ(".data", sym.sec);
	ASSERT_NE(0UL, sym.value) TH_LOG("num4 at offset 0: pick another variable");
	ASSERT_EQ(0xffeeffULL, var_u64(_metadata, &o, "num4"));
	VAR_GET(&o, "str1", &str);
	ASSERT_EQ(0, memcmp(str, "abcdefghijklmnopqrstuvwxyz", 27));
	VAR_GET(&o, "struct3", &val);
	ASSERT_EQ(41, val.a);
	ASSERT_EQ(0xeeeeefefU, val.b);
	ASSERT_EQ(0x2111111111111111ULL, val.c);

	prog = obj_prog(_metadata, &o, "load_static_data");
	ASSERT_EQ(0U, run_skb(_metadata, prog));	/* TC_ACT_OK */

	fd = obj_map(_metadata, &o, "result_number");
	for (i = 0; i < ARRAY_LEN(numbers); i++) {
		num = 0xbad;
		err = map_lookup(fd, &numbers[i].key, &num);
		ASSERT_EQ(0, err);
		ASSERT_EQ(numbers[i].num, num) TH_LOG("result_number[%u]", numbers[i].key);
	}
	close(fd);
	fd = obj_map(_metadata, &o, "result_string");
	for (i = 0; i < ARRAY_LEN(strings); i++) {
		memset(str, 0x55, sizeof(str));
		err = map_lookup(fd, &strings[i].key, str);
		ASSERT_EQ(0, err);
		ASSERT_EQ(0, memcmp(str, strings[i].str, sizeof(str)))
			TH_LOG("result_string[%u]: '%.32s'", strings[i].key, str);
	}
	close(fd);
	fd = obj_map(_metadata, &o, "result_struct");
	for (i = 0; i < ARRAY_LEN(structs); i++) {
		memset(&val, 0x55, sizeof(val));
		err = map_lookup(fd, &structs[i].key, &val);
		ASSERT_EQ(0, err);
		ASSERT_EQ(0, memcmp(&val, &structs[i].val, sizeof(val)))
			TH_LOG("result_struct[%u]: { %u, %u, %llu }", structs[i].key, val.a,
			       val.b, (unsigned long long)val.c);
	}
	close(fd);

	/* What the program wrote into .data and .bss. */
	ASSERT_EQ(1234U, var_u64(_metadata, &o, "num4"));
	VAR_GET(&o, "str1", &str);
	ASSERT_EQ(0, memcmp(str, "abcdexghijklmnopqrstuvwxyz", 27));
	obj_sym(_metadata, &o, "str2", &sym);
	ASSERT_STREQ(".bss", sym.sec);
	ASSERT_NE(0UL, sym.value);
	VAR_GET(&o, "str2", &str);
	ASSERT_EQ(0, memcmp(str, "\0\0hello", 8));

	/* .rodata is read-only for programs and frozen (global_data_rdonly). */
	fd = obj_map(_metadata, &o, ".rodata");
	map_info(_metadata, fd, &info);
	ASSERT_TRUE((info.map_flags & BPF_F_RDONLY_PROG) != 0) TH_LOG("flags 0x%x", info.map_flags);
	ASSERT_LE(info.value_size, sizeof(big));
	memset(big, 0, sizeof(big));
	err = map_update(fd, &key, big, BPF_ANY);
	ASSERT_EQ(-EPERM, err) TH_LOG(".rodata update: %s", strerror(-err));
	close(fd);

	if (!oracle()) {
		static const char *const maps[] = {
			"result_number", "result_string", "result_struct",
			".bss", ".data", ".rodata", ".rodata.str1.1",
		};
		char buf[64];

		for (i = 0; i < ARRAY_LEN(maps); i++) {
			sysfs_read(_metadata, buf, sizeof(buf), SYSFS_DIR "/%d/maps/%s/origin",
				   o.id, maps[i]);
			ASSERT_STREQ("created", buf);
		}
	}
	close(prog);
	obj_close(&o);
}

/* prog_tests/subprogs.c: four programs (two pairs in one section) sharing
 * global and static subprograms, CO-RE in .text, a bpf_loop() callback.
 */
E2E_TEST(subprogs)
{
	static const struct {
		const char *prog, *tp, *res;
		__u32 expect, nr_func_info;
	} progs[] = {
		/* (1 + 1) + (2 + 3 + (4 + 1)): prog1 get_task_tgid sub1 sub3 */
		{ "prog1", "sys_enter", "res1", 12, 4 },
		/* prog2 get_task_tgid sub2 sub5 sub1 sub3 */
		{ "prog2", "sys_exit", "res2", 17, 6 },
		/* prog3 get_task_tgid empty_callback sub3 sub1 */
		{ "prog3", "sys_enter", "res3", 19, 5 },
		/* prog4 get_task_tgid sub4 sub3 sub1 */
		{ "prog4", "sys_exit", "res4", 36, 5 },
	};
	struct bpf_prog_info info;
	int prog[4], link[4];
	struct obj o;
	size_t i;

	obj_open(_metadata, &o, "test_subprogs");
	for (i = 0; i < ARRAY_LEN(progs); i++) {
		ASSERT_EQ(0U, var_u32(_metadata, &o, progs[i].res));
		prog[i] = obj_prog(_metadata, &o, progs[i].prog);
		prog_info(_metadata, prog[i], &info);
		ASSERT_EQ((__u32)BPF_PROG_TYPE_RAW_TRACEPOINT, info.type);
		/* Every reachable subprogram appended exactly once. */
		ASSERT_EQ(progs[i].nr_func_info, info.nr_func_info) TH_LOG("%s", progs[i].prog);
		link[i] = raw_tp_open(_metadata, prog[i], progs[i].tp);
	}
	trigger_syscalls();
	for (i = 0; i < ARRAY_LEN(progs); i++)
		close(link[i]);
	for (i = 0; i < ARRAY_LEN(progs); i++) {
		ASSERT_EQ(progs[i].expect, var_u32(_metadata, &o, progs[i].res))
			TH_LOG("%s", progs[i].res);
		close(prog[i]);
	}
	obj_close(&o);
}

/* prog_tests/bpf_loop.c, every subtest, on fentry/__x64_sys_nanosleep. */
static int attach_fentry(struct __test_metadata *_metadata, struct obj *o, const char *name,
			 int *prog)
{
	*prog = obj_prog(_metadata, o, name);
	return link_create(_metadata, *prog, 0, BPF_TRACE_FENTRY);
}

static void set_u32(struct __test_metadata *_metadata, struct obj *o, const char *var, __u32 v)
{
	VAR_SET(o, var, &v);
}

E2E_TEST(bpf_loop)
{
	int prog, link, key, val, map;
	struct obj o;

	obj_open(_metadata, &o, "bpf_loop");
	set_u32(_metadata, &o, "pid", getpid());

	/* check_nr_loops */
	link = attach_fentry(_metadata, &o, "test_prog", &prog);
	set_u32(_metadata, &o, "nr_loops", 0);
	set_u32(_metadata, &o, "nr_loops_returned", 77);
	trigger_nanosleep();
	ASSERT_EQ(0U, var_u32(_metadata, &o, "nr_loops_returned"));
	set_u32(_metadata, &o, "nr_loops", 500);
	trigger_nanosleep();
	ASSERT_EQ(500U, var_u32(_metadata, &o, "nr_loops_returned"));
	ASSERT_EQ((__u64)(500 * 499 / 2), var_u32(_metadata, &o, "g_output"));
	set_u32(_metadata, &o, "nr_loops", -1);
	trigger_nanosleep();
	ASSERT_EQ((__u32)-E2BIG, var_u32(_metadata, &o, "err"));
	close(link);
	close(prog);

	/* check_callback_fn_stop */
	link = attach_fentry(_metadata, &o, "test_prog", &prog);
	set_u32(_metadata, &o, "nr_loops", 400);
	set_u32(_metadata, &o, "stop_index", 50);
	trigger_nanosleep();
	ASSERT_EQ(51U, var_u32(_metadata, &o, "nr_loops_returned"));
	ASSERT_EQ((__u64)(50 * 49 / 2), var_u32(_metadata, &o, "g_output"));
	close(link);
	close(prog);

	/* check_null_callback_ctx */
	link = attach_fentry(_metadata, &o, "prog_null_ctx", &prog);
	set_u32(_metadata, &o, "nr_loops", 10);
	trigger_nanosleep();
	ASSERT_EQ(10U, var_u32(_metadata, &o, "nr_loops_returned"));
	close(link);
	close(prog);

	/* check_invalid_flags */
	set_u32(_metadata, &o, "err", 0);
	link = attach_fentry(_metadata, &o, "prog_invalid_flags", &prog);
	trigger_nanosleep();
	ASSERT_EQ((__u32)-EINVAL, var_u32(_metadata, &o, "err"));
	close(link);
	close(prog);

	/* check_nested_calls */
	link = attach_fentry(_metadata, &o, "prog_nested_calls", &prog);
	set_u32(_metadata, &o, "nr_loops", 100);
	set_u32(_metadata, &o, "nested_callback_nr_loops", 4);
	trigger_nanosleep();
	ASSERT_EQ((__u64)(100 * 4 * 4), var_u32(_metadata, &o, "nr_loops_returned"));
	ASSERT_EQ((__u64)((4 * 3) / 2 * 4 * 100), var_u32(_metadata, &o, "g_output"));
	close(link);
	close(prog);

	/* check_non_constant_callback */
	link = attach_fentry(_metadata, &o, "prog_non_constant_callback", &prog);
	set_u32(_metadata, &o, "callback_selector", 0x0F);
	trigger_nanosleep();
	ASSERT_EQ(0x0FU, var_u32(_metadata, &o, "g_output"));
	set_u32(_metadata, &o, "callback_selector", 0xF0);
	trigger_nanosleep();
	ASSERT_EQ(0xF0U, var_u32(_metadata, &o, "g_output"));
	close(link);
	close(prog);

	/* check_stack */
	link = attach_fentry(_metadata, &o, "stack_check", &prog);
	map = obj_map(_metadata, &o, "map1");
	for (key = 1; key <= 12; key++) {
		val = key;
		ASSERT_EQ(0, map_update(map, &key, &val, BPF_NOEXIST));
	}
	trigger_nanosleep();
	for (key = 1; key <= 12; key++) {
		ASSERT_EQ(0, map_lookup(map, &key, &val));
		ASSERT_EQ(key + 1, val) TH_LOG("map1[%d]", key);
	}
	close(map);
	close(link);
	close(prog);
	obj_close(&o);
}

/* prog_tests/ksyms.c: typeless ksyms against /proc/kallsyms. */
E2E_TEST(ksyms_typeless)
{
	__u64 link_fops, per_cpu_start;
	struct stat st;
	struct obj o;
	int prog, link;

	link_fops = kallsyms_addr(_metadata, "bpf_link_fops");
	per_cpu_start = kallsyms_addr(_metadata, "__per_cpu_start");
	ASSERT_EQ(0, stat("/sys/kernel/btf/vmlinux", &st));

	obj_open(_metadata, &o, "test_ksyms");
	ASSERT_EQ(~0ULL, var_u64(_metadata, &o, "out__bpf_link_fops"));
	prog = obj_prog(_metadata, &o, "handler");
	link = raw_tp_open(_metadata, prog, "sys_enter");
	trigger_syscalls();
	close(link);

	ASSERT_EQ(link_fops, var_u64(_metadata, &o, "out__bpf_link_fops"));
	ASSERT_EQ(0U, var_u64(_metadata, &o, "out__bpf_link_fops1"));
	ASSERT_EQ((__u64)st.st_size, var_u64(_metadata, &o, "out__btf_size"));
	ASSERT_EQ(per_cpu_start, var_u64(_metadata, &o, "out__per_cpu_start"));
	close(prog);
	obj_close(&o);
}

/* prog_tests/ksyms_btf.c "basic": typed ksyms (BPF_PSEUDO_BTF_ID). */
E2E_TEST(ksyms_typed)
{
	__u64 runqueues, prog_active;
	__u32 rq_cpu, this_rq_cpu;
	struct obj o;
	int prog, link, active, this_active;

	runqueues = kallsyms_addr(_metadata, "runqueues");
	prog_active = kallsyms_addr(_metadata, "bpf_prog_active");

	obj_open(_metadata, &o, "test_ksyms_btf");
	prog = obj_prog(_metadata, &o, "handler");
	link = raw_tp_open(_metadata, prog, "sys_enter");
	trigger_syscalls();
	close(link);

	ASSERT_EQ(runqueues, var_u64(_metadata, &o, "out__runqueues_addr"));
	ASSERT_EQ(prog_active, var_u64(_metadata, &o, "out__bpf_prog_active_addr"));
	rq_cpu = var_u32(_metadata, &o, "out__rq_cpu");
	ASSERT_NE(~0U, rq_cpu);
	ASSERT_GT((__u32)sysconf(_SC_NPROCESSORS_CONF), rq_cpu);
	VAR_GET(&o, "out__bpf_prog_active", &active);
	ASSERT_LE(0, active);
	ASSERT_EQ(0U, var_u32(_metadata, &o, "out__cpu_0_rq_cpu"));
	this_rq_cpu = var_u32(_metadata, &o, "out__this_rq_cpu");
	ASSERT_EQ(rq_cpu, this_rq_cpu);
	VAR_GET(&o, "out__this_bpf_prog_active", &this_active);
	ASSERT_EQ(active, this_active);
	close(prog);
	obj_close(&o);
}

/* prog_tests/ksyms_btf.c "weak_ksyms": existing and missing weak ksyms,
 * typed, typeless and kfuncs (calls to missing ones are dead code).
 */
E2E_TEST(ksyms_weak)
{
	__u64 prog_active;
	struct obj o;
	int prog, link, typed;

	prog_active = kallsyms_addr(_metadata, "bpf_prog_active");
	obj_open(_metadata, &o, "test_ksyms_weak");
	VAR_GET(&o, "out__existing_typed", &typed);
	ASSERT_EQ(-1, typed);
	prog = obj_prog(_metadata, &o, "pass_handler");
	link = raw_tp_open(_metadata, prog, "sys_enter");
	trigger_syscalls();
	close(link);

	VAR_GET(&o, "out__existing_typed", &typed);
	ASSERT_EQ(0, typed);
	ASSERT_EQ(prog_active, var_u64(_metadata, &o, "out__existing_typeless"));
	ASSERT_EQ(0U, var_u64(_metadata, &o, "out__non_existent_typeless"));
	ASSERT_EQ(0U, var_u64(_metadata, &o, "out__non_existent_typed"));
	close(prog);
	obj_close(&o);
}

/* .kconfig: bool, tristate, char and int CONFIG_ externs, the LINUX_
 * virtual externs and missing weak ones, from loadfd_kconfig.c.
 */
static bool kconfig_y(struct __test_metadata *_metadata, const char *name)
{
	char v[256];

	return kconfig_get(_metadata, name, v, sizeof(v)) == 0 && !strcmp(v, "y");
}

E2E_TEST(kconfig)
{
	struct bpf_map_info info;
	char hz[64], big[512];
	struct obj o;
	__u32 key = 0;
	int prog, fd, err;

	SKIP_IN_ORACLE();	/* CONFIG_BPF_LOADFD exists only with BPF_LOAD_FD */
	ASSERT_TRUE(kconfig_y(_metadata, "CONFIG_BPF_LOADFD"));
	ASSERT_TRUE(kconfig_y(_metadata, "CONFIG_BPF_SYSCALL"));
	ASSERT_TRUE(kconfig_y(_metadata, "CONFIG_BPF_JIT"));
	ASSERT_EQ(0, kconfig_get(_metadata, "CONFIG_HZ", hz, sizeof(hz)));

	obj_open(_metadata, &o, "loadfd_kconfig");
	ASSERT_EQ(0xdeadU, var_u64(_metadata, &o, "out_hz"));
	prog = obj_prog(_metadata, &o, "loadfd_kconfig");
	ASSERT_EQ(0U, run_skb(_metadata, prog));

	ASSERT_EQ(1U, var_u64(_metadata, &o, "out_loadfd"));
	ASSERT_EQ(1U, var_u64(_metadata, &o, "out_syscall_tristate"));	/* TRI_YES */
	ASSERT_EQ((__u64)('y'), var_u64(_metadata, &o, "out_jit_char"));
	ASSERT_EQ(strtoull(hz, NULL, 10), var_u64(_metadata, &o, "out_hz"));
	ASSERT_EQ(kernel_version(_metadata), var_u64(_metadata, &o, "out_kernel_version"));
	ASSERT_EQ(kconfig_y(_metadata, "CONFIG_ARCH_HAS_SYSCALL_WRAPPER") ? 1U : 0U,
		  var_u64(_metadata, &o, "out_syscall_wrapper"));
	ASSERT_EQ(1U, var_u64(_metadata, &o, "out_bpf_cookie"));
	ASSERT_EQ(0U, var_u64(_metadata, &o, "out_missing_bool"));
	ASSERT_EQ(0U, var_u64(_metadata, &o, "out_missing_int"));

	/* .kconfig is a kernel-created, read-only, frozen map. */
	sysfs_read(_metadata, big, sizeof(big), SYSFS_DIR "/%d/maps/.kconfig/origin", o.id);
	ASSERT_STREQ("created", big);
	fd = obj_map(_metadata, &o, ".kconfig");
	map_info(_metadata, fd, &info);
	ASSERT_TRUE((info.map_flags & BPF_F_RDONLY_PROG) != 0) TH_LOG("flags 0x%x", info.map_flags);
	ASSERT_LE(info.value_size, sizeof(big));
	memset(big, 0, sizeof(big));
	err = map_update(fd, &key, big, BPF_ANY);
	ASSERT_EQ(-EPERM, err) TH_LOG(".kconfig update: %s", strerror(-err));
	close(fd);
	close(prog);
	obj_close(&o);
}

/* A string .kconfig extern (char array) from loadfd_kconfig_str.c. */
E2E_TEST(kconfig_string)
{
	char want[32], got[32], raw[256];
	struct obj o;
	size_t len;
	int prog;

	SKIP_IN_ORACLE();
	ASSERT_EQ(0, kconfig_get(_metadata, "CONFIG_DEFAULT_HOSTNAME", raw, sizeof(raw)));
	len = strlen(raw);
	ASSERT_TRUE(len >= 2 && raw[0] == '"' && raw[len - 1] == '"') TH_LOG("'%s'", raw);
	ASSERT_GT(sizeof(want), len - 2);
	memset(want, 0, sizeof(want));
	memcpy(want, raw + 1, len - 2);

	obj_open(_metadata, &o, "loadfd_kconfig_str");
	prog = obj_prog(_metadata, &o, "loadfd_kconfig_str");
	ASSERT_EQ(0U, run_skb(_metadata, prog));
	VAR_GET(&o, "out_hostname", &got);
	ASSERT_EQ(0, memcmp(want, got, sizeof(got)))
		TH_LOG("got '%.32s', want '%s'", got, want);
	close(prog);
	obj_close(&o);
}

/*
 * .kconfig shows only what /proc/config.gz shows (review L4). With
 * CONFIG_IKCONFIG_PROC the weak externs of loadfd_kconfig_weak.c read the
 * running kernel's values and the strong one of loadfd_kconfig_str.c loads;
 * without it (dev/fuzz-vm.sh's kernel runs this test) no CONFIG_* value
 * exists: the weak ones read 0 and the strong one is refused with ENOENT.
 * LINUX_KERNEL_VERSION is the kernel's own either way.
 */
E2E_TEST(kconfig_published)
{
	bool published = access("/proc/config.gz", R_OK) == 0;
	char want[32], got[32], raw[256], *log;
	__u64 want_syscall = 0, want_hz = 0;
	struct obj o;
	int prog, fd, ofd;

	SKIP_IN_ORACLE();
	TH_LOG("/proc/config.gz %s", published ? "exists" : "does not exist");
	memset(want, 0, sizeof(want));
	if (published) {
		size_t len;

		want_syscall = kconfig_y(_metadata, "CONFIG_BPF_SYSCALL");
		ASSERT_EQ(0, kconfig_get(_metadata, "CONFIG_HZ", raw, sizeof(raw)));
		want_hz = strtoull(raw, NULL, 10);
		ASSERT_EQ(0, kconfig_get(_metadata, "CONFIG_DEFAULT_HOSTNAME", raw, sizeof(raw)));
		len = strlen(raw);
		ASSERT_TRUE(len >= 2 && len - 2 < sizeof(want)) TH_LOG("'%s'", raw);
		memcpy(want, raw + 1, len - 2);
	}

	obj_open(_metadata, &o, "loadfd_kconfig_weak");
	prog = obj_prog(_metadata, &o, "loadfd_kconfig_weak");
	ASSERT_EQ(0U, run_skb(_metadata, prog));
	ASSERT_EQ(want_syscall, var_u64(_metadata, &o, "out_syscall"));
	ASSERT_EQ(want_hz, var_u64(_metadata, &o, "out_hz"));
	ASSERT_EQ(kernel_version(_metadata), var_u64(_metadata, &o, "out_kernel_version"));
	VAR_GET(&o, "out_hostname", &got);
	ASSERT_EQ(0, memcmp(want, got, sizeof(got))) TH_LOG("got '%.32s', want '%s'", got, want);
	close(prog);
	obj_close(&o);

	/* A strong CONFIG_* extern exists only where the config is published. */
	obj_path(raw, sizeof(raw), "loadfd_kconfig_str");
	ofd = open(raw, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, ofd) TH_LOG("%s: %s", raw, strerror(errno));
	log = calloc(1, LOADER_LOG_SIZE);
	ASSERT_NE(NULL, log);
	fd = loadfd_raw(ofd, NULL, 0, log, LOADER_LOG_SIZE);
	close(ofd);
	if (published) {
		ASSERT_LE(0, fd) TH_LOG("BPF_LOAD_FD: %s; log: '%s'", strerror(-fd), log);
		close(fd);
	} else {
		ASSERT_EQ(-ENOENT, fd) TH_LOG("BPF_LOAD_FD: %d; log: '%s'", fd, log);
		ASSERT_ONE_LINE(log, "not found in the running kernel ('CONFIG_DEFAULT_HOSTNAME')");
	}
	free(log);
}

/* prog_tests/core_reloc.c "kernel": CO-RE against vmlinux BTF, applied by
 * the kernel's relo_core (field offsets, BPF_CORE_READ chains, type match).
 */
struct core_reloc_kernel_output {
	int valid[10];
	char comm[sizeof("test_progs")];
	int comm_len;
	bool local_task_struct_matches;
};

struct core_reloc_data {
	char in[256];
	char out[256];
	bool skip;
	__u64 my_pid_tgid;
};

E2E_TEST(core_reloc_kernel)
{
	struct core_reloc_kernel_output *out;
	struct core_reloc_data data;
	char comm[32], want[sizeof(out->comm)];
	struct obj o;
	int prog, link, i, want_len;

	ASSERT_EQ(0, read_text("/proc/self/comm", comm, sizeof(comm)));
	memset(want, 0, sizeof(want));
	memcpy(want, comm, strnlen(comm, sizeof(want) - 1));
	want_len = strlen(comm) + 1 > sizeof(want) ? (int)sizeof(want) : (int)strlen(comm) + 1;

	obj_open(_metadata, &o, "test_core_reloc_kernel");
	VAR_GET(&o, "data", &data);
	data.my_pid_tgid = (__u64)getpid() << 32 | (__u32)syscall(SYS_gettid);
	VAR_SET(&o, "data", &data);
	prog = obj_prog(_metadata, &o, "test_core_kernel");
	link = raw_tp_open(_metadata, prog, "sys_enter");
	trigger_syscalls();
	close(link);

	VAR_GET(&o, "data", &data);
	ASSERT_FALSE(data.skip);
	out = (struct core_reloc_kernel_output *)data.out;
	for (i = 0; i < 10; i++)
		ASSERT_EQ(1, out->valid[i]) TH_LOG("valid[%d]", i);
	ASSERT_EQ(0, memcmp(want, out->comm, sizeof(want)))
		TH_LOG("comm '%.11s', want '%s'", out->comm, want);
	ASSERT_EQ(want_len, out->comm_len);
	ASSERT_TRUE(out->local_task_struct_matches);
	close(prog);
	obj_close(&o);
}

/* prog_tests/btf_map_in_map.c: outer maps with .rel.maps initial slots,
 * then inner maps swapped from userspace.
 */
static __u32 slot_id(struct __test_metadata *_metadata, int outer, int key)
{
	__u32 id = 0;
	int err = map_lookup(outer, &key, &id);

	ASSERT_EQ(0, err) TH_LOG("outer map slot %d: %s", key, strerror(-err));
	return id;
}

static int inner_val(struct __test_metadata *_metadata, int map)
{
	int key = 0, val = -1;

	ASSERT_EQ(0, map_lookup(map, &key, &val));
	return val;
}

static void loadfd_map_entry(struct bpf_loadfd_map *m, const char *name, int fd);

/* The number of CPUs in /sys/devices/system/cpu/possible ("0-1,4"). */
static int possible_cpus(struct __test_metadata *_metadata)
{
	char buf[256], *p;
	int n = 0, a, b;

	ASSERT_EQ(0, read_text("/sys/devices/system/cpu/possible", buf, sizeof(buf)));
	for (p = strtok(buf, ","); p; p = strtok(NULL, ",")) {
		if (sscanf(p, "%d-%d", &a, &b) == 2)
			n += b - a + 1;
		else
			n++;
	}
	return n;
}

/* A perf event array declared without max_entries (most tracing tools) gets
 * one slot per possible CPU, as libbpf's map_set_def_max_entries() does; a
 * supplied one of that size binds.
 */
E2E_TEST(perf_event_array)
{
	struct bpf_map_info info = {};
	int map, prog, link, ncpus;
	struct obj o;

	ncpus = possible_cpus(_metadata);
	obj_open(_metadata, &o, "loadfd_perf_array");
	map = obj_map(_metadata, &o, "events");
	map_info(_metadata, map, &info);
	ASSERT_EQ((__u32)ncpus, info.max_entries);
	prog = obj_prog(_metadata, &o, "perf_out");
	link = raw_tp_open(_metadata, prog, "sys_enter");
	close(link);
	close(prog);
	close(map);
	obj_close(&o);
	if (!oracle()) {
		struct bpf_loadfd_map m;
		int fd;

		map = map_create(_metadata, BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, ncpus, 0, "events");
		loadfd_map_entry(&m, "events", map);
		fd = open(o.path, O_RDONLY | O_CLOEXEC);
		ASSERT_LE(0, fd);
		obj_load_fd(_metadata, &o, "loadfd_perf_array", fd, &m, 1);
		ASSERT_EQ(map_id(_metadata, map), obj_map_id(_metadata, &o, "events"));
		close(fd);
		close(map);
		obj_close(&o);
	}
}

/* Upstream prog_tests/prog_array_init.c: a prog array whose slot 1 the
 * object fills with tailcall_1 (.rel.maps); my_pid set in .rodata before load
 * (here: a supplied frozen .rodata).
 */
E2E_TEST(prog_array_init)
{
	int prog_tc, prog_entry, link, value = 0;
	pid_t pid = getpid();
	struct obj o;

	if (oracle()) {
		obj_open(_metadata, &o, "test_prog_array_init");
		SKIP(obj_close(&o); return, "needs .rodata set before load");
	}
	{
		struct bpf_map_info ref = {};
		struct bpf_loadfd_map m;
		unsigned char *val;
		struct elf_sym sym;
		int ro, fd;

		obj_open(_metadata, &o, "test_prog_array_init");
		ro = obj_map(_metadata, &o, ".rodata");
		map_info(_metadata, ro, &ref);
		close(ro);
		obj_close(&o);
		obj_init(_metadata, &o, "test_prog_array_init");
		obj_sym(_metadata, &o, "my_pid", &sym);
		free(o.elf);
		val = calloc(1, ref.value_size);
		ASSERT_NE(NULL, val);
		ASSERT_GE(ref.value_size, sym.value + sizeof(pid));
		memcpy(val + sym.value, &pid, sizeof(pid));
		ro = map_like(_metadata, &ref, val, true);
		free(val);
		loadfd_map_entry(&m, ".rodata", ro);
		fd = open(o.path, O_RDONLY | O_CLOEXEC);
		ASSERT_LE(0, fd);
		obj_load_fd(_metadata, &o, "test_prog_array_init", fd, &m, 1);
		close(fd);
		close(ro);
	}
	/* Loading tailcall_1 by name fills slot 1. */
	prog_tc = obj_prog(_metadata, &o, "tailcall_1");
	{
		int arr = obj_map(_metadata, &o, "prog_array_init");
		__u32 key = 1, id = 0;

		ASSERT_EQ(0, map_lookup(arr, &key, &id));
		ASSERT_EQ(prog_id(_metadata, prog_tc), id);
		close(arr);
	}
	prog_entry = obj_prog(_metadata, &o, "entry");
	link = raw_tp_open(_metadata, prog_entry, "sys_enter");
	usleep(1);
	VAR_GET(&o, "value", &value);
	ASSERT_EQ(42, value);
	close(link);
	close(prog_entry);
	close(prog_tc);
	obj_close(&o);
}

E2E_TEST(map_in_map)
{
	int inner[6], outer_arr, outer_hash, outer_dyn, outer_sock, sock1;
	int prog, link, key = 0, input, i, err, id;
	char name[32];
	struct obj o;

	obj_open(_metadata, &o, "test_btf_map_in_map");
	for (i = 1; i <= 5; i++) {
		snprintf(name, sizeof(name), "inner_map%d", i);
		inner[i] = obj_map(_metadata, &o, name);
	}
	outer_arr = obj_map(_metadata, &o, "outer_arr");
	outer_hash = obj_map(_metadata, &o, "outer_hash");
	outer_dyn = obj_map(_metadata, &o, "outer_arr_dyn");
	outer_sock = obj_map(_metadata, &o, "outer_sockarr");
	sock1 = obj_map(_metadata, &o, "sockarr_sz1");

	/* The initial slots from .rel.maps. */
	ASSERT_EQ(map_id(_metadata, inner[1]), slot_id(_metadata, outer_arr, 0));
	key = 1;
	err = map_lookup(outer_arr, &key, &id);
	ASSERT_EQ(-ENOENT, err) TH_LOG("outer_arr[1] is set");
	ASSERT_EQ(map_id(_metadata, inner[2]), slot_id(_metadata, outer_arr, 2));
	ASSERT_EQ(map_id(_metadata, inner[2]), slot_id(_metadata, outer_hash, 0));
	ASSERT_EQ(map_id(_metadata, inner[1]), slot_id(_metadata, outer_hash, 4));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(map_id(_metadata, inner[3 + i]), slot_id(_metadata, outer_dyn, i));
	ASSERT_EQ(map_id(_metadata, sock1), slot_id(_metadata, outer_sock, 0));

	prog = obj_prog(_metadata, &o, "handle__sys_enter");
	link = raw_tp_open(_metadata, prog, "sys_enter");

	/* inner1 = input, inner2 = input + 1, inner3 = input + 2 */
	key = 0;
	ASSERT_EQ(0, map_update(outer_arr, &key, &inner[1], 0));
	ASSERT_EQ(0, map_update(outer_hash, &key, &inner[2], 0));
	ASSERT_EQ(0, map_update(outer_dyn, &key, &inner[3], 0));
	input = 1;
	VAR_SET(&o, "input", &input);
	trigger_syscalls();
	ASSERT_EQ(1, inner_val(_metadata, inner[1]));
	ASSERT_EQ(2, inner_val(_metadata, inner[2]));
	ASSERT_EQ(3, inner_val(_metadata, inner[3]));

	/* inner2 = input, inner1 = input + 1, inner4 = input + 2 */
	ASSERT_EQ(0, map_update(outer_arr, &key, &inner[2], 0));
	ASSERT_EQ(0, map_update(outer_hash, &key, &inner[1], 0));
	ASSERT_EQ(0, map_update(outer_dyn, &key, &inner[4], 0));
	input = 3;
	VAR_SET(&o, "input", &input);
	trigger_syscalls();
	ASSERT_EQ(4, inner_val(_metadata, inner[1]));
	ASSERT_EQ(3, inner_val(_metadata, inner[2]));
	ASSERT_EQ(5, inner_val(_metadata, inner[4]));

	/* inner5 = input + 2 */
	ASSERT_EQ(0, map_update(outer_dyn, &key, &inner[5], 0));
	input = 5;
	VAR_SET(&o, "input", &input);
	trigger_syscalls();
	ASSERT_EQ(7, inner_val(_metadata, inner[5]));
	close(link);

	for (i = 1; i <= 5; i++)
		close(inner[i]);
	close(outer_arr);
	close(outer_hash);
	close(outer_dyn);
	close(outer_sock);
	close(sock1);
	close(prog);
	obj_close(&o);
}

/* vmlinux kfuncs (bpf_task_from_pid, bpf_task_acquire, bpf_task_release)
 * from a sleepable SEC("syscall") program, loadfd_kfunc.c.
 */
struct loadfd_kfunc_args {
	int pid;
	int tgid;
	int found;
	int acquired_tgid;
};

E2E_TEST(kfunc)
{
	struct loadfd_kfunc_args args;
	struct bpf_prog_info info;
	struct obj o;
	int prog, status;
	pid_t child;

	obj_open(_metadata, &o, "loadfd_kfunc");
	prog = obj_prog(_metadata, &o, "loadfd_task_lookup");
	prog_info(_metadata, prog, &info);
	ASSERT_EQ((__u32)BPF_PROG_TYPE_SYSCALL, info.type);

	memset(&args, 0, sizeof(args));
	args.pid = getpid();
	ASSERT_EQ(0U, run_ctx(_metadata, prog, &args, sizeof(args)));
	ASSERT_EQ(1, args.found);
	ASSERT_EQ(getpid(), args.tgid);
	ASSERT_EQ(getpid(), args.acquired_tgid);

	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		pause();
		_exit(0);
	}
	memset(&args, 0, sizeof(args));
	args.pid = child;
	ASSERT_EQ(0U, run_ctx(_metadata, prog, &args, sizeof(args)));
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	ASSERT_EQ(1, args.found);
	ASSERT_EQ(child, args.tgid);
	ASSERT_EQ(child, args.acquired_tgid);

	/* No such task: bpf_task_from_pid() returns NULL. */
	memset(&args, 0, sizeof(args));
	args.pid = INT_MAX;
	args.found = 7;
	ASSERT_EQ(1U, run_ctx(_metadata, prog, &args, sizeof(args)));
	ASSERT_EQ(0, args.found);
	close(prog);
	obj_close(&o);
}

/* prog_tests/fentry_test.c: eight fentry programs whose attach target (and
 * attach_btf_id) comes from the SEC name.
 */
E2E_TEST(fentry)
{
	int prog[8], link[8], i, vmlinux_id;
	struct bpf_prog_info info;
	struct btf *vmlinux;
	char name[32], buf[64];
	struct obj o;

	vmlinux = btf__load_vmlinux_btf();
	ASSERT_NE(NULL, vmlinux);
	obj_open(_metadata, &o, "fentry_test");
	for (i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "test%d_result", i + 1);
		ASSERT_EQ(0U, var_u64(_metadata, &o, name));
		snprintf(name, sizeof(name), "test%d", i + 1);
		prog[i] = obj_prog(_metadata, &o, name);
		prog_info(_metadata, prog[i], &info);
		ASSERT_EQ((__u32)BPF_PROG_TYPE_TRACING, info.type);
		snprintf(name, sizeof(name), "bpf_fentry_test%d", i + 1);
		vmlinux_id = btf__find_by_name_kind(vmlinux, name, BTF_KIND_FUNC);
		ASSERT_LT(0, vmlinux_id);
		ASSERT_EQ((__u32)vmlinux_id, info.attach_btf_id) TH_LOG("%s", name);
		link[i] = link_create(_metadata, prog[i], 0, BPF_TRACE_FENTRY);
	}
	if (!oracle()) {
		sysfs_read(_metadata, buf, sizeof(buf), SYSFS_DIR "/%d/programs/test1/attach_func",
			   o.id);
		ASSERT_STREQ("bpf_fentry_test1", buf);
		sysfs_read(_metadata, buf, sizeof(buf), SYSFS_DIR "/%d/programs/test1/section",
			   o.id);
		ASSERT_STREQ("fentry/bpf_fentry_test1", buf);
		sysfs_read(_metadata, buf, sizeof(buf),
			   SYSFS_DIR "/%d/programs/test1/expected_attach_type", o.id);
		ASSERT_EQ(BPF_TRACE_FENTRY, atoi(buf));
	}

	/* bpf_prog_test_run_tracing() calls bpf_fentry_test1..8. */
	ASSERT_EQ(0U, run_ctx(_metadata, prog[0], NULL, 0));
	for (i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "test%d_result", i + 1);
		ASSERT_EQ(1U, var_u64(_metadata, &o, name)) TH_LOG("%s", name);
		close(link[i]);
		close(prog[i]);
	}
	btf__free(vmlinux);
	obj_close(&o);
}

/* prog_tests/atomics.c: every BPF atomic op, run with BPF_PROG_TEST_RUN. */
E2E_TEST(atomics)
{
	static const char *const progs[] = { "add", "sub", "and", "or", "xor",
					     "cmpxchg", "xchg" };
	static const struct { const char *var; int size; __u64 want; } vals[] = {
		{ "add64_value", 8, 3 }, { "add64_result", 8, 1 },
		{ "add32_value", 4, 3 }, { "add32_result", 4, 1 },
		{ "add_stack_value_copy", 8, 3 }, { "add_stack_result", 8, 1 },
		{ "add_noreturn_value", 8, 3 },
		{ "sub64_value", 8, (__u64)-1 }, { "sub64_result", 8, 1 },
		{ "sub32_value", 4, (__u32)-1 }, { "sub32_result", 4, 1 },
		{ "sub_stack_value_copy", 8, (__u64)-1 }, { "sub_stack_result", 8, 1 },
		{ "sub_noreturn_value", 8, (__u64)-1 },
		{ "and64_value", 8, 0x010ull << 32 }, { "and64_result", 8, 0x110ull << 32 },
		{ "and32_value", 4, 0x010 }, { "and32_result", 4, 0x110 },
		{ "and_noreturn_value", 8, 0x010ull << 32 },
		{ "or64_value", 8, 0x111ull << 32 }, { "or64_result", 8, 0x110ull << 32 },
		{ "or32_value", 4, 0x111 }, { "or32_result", 4, 0x110 },
		{ "or_noreturn_value", 8, 0x111ull << 32 },
		{ "xor64_value", 8, 0x101ull << 32 }, { "xor64_result", 8, 0x110ull << 32 },
		{ "xor32_value", 4, 0x101 }, { "xor32_result", 4, 0x110 },
		{ "xor_noreturn_value", 8, 0x101ull << 32 },
		{ "cmpxchg64_value", 8, 2 }, { "cmpxchg64_result_fail", 8, 1 },
		{ "cmpxchg64_result_succeed", 8, 1 }, { "cmpxchg32_value", 4, 2 },
		{ "cmpxchg32_result_fail", 4, 1 }, { "cmpxchg32_result_succeed", 4, 1 },
		{ "xchg64_value", 8, 2 }, { "xchg64_result", 8, 1 },
		{ "xchg32_value", 4, 2 }, { "xchg32_result", 4, 1 },
	};
	struct obj o;
	__u64 v;
	bool skip;
	size_t i;
	int prog;

	obj_open(_metadata, &o, "atomics");
	VAR_GET(&o, "skip_tests", &skip);
	ASSERT_FALSE(skip) TH_LOG("atomics.bpf.o built without ENABLE_ATOMICS_TESTS");
	set_u32(_metadata, &o, "pid", getpid());
	for (i = 0; i < ARRAY_LEN(progs); i++) {
		prog = obj_prog(_metadata, &o, progs[i]);
		ASSERT_EQ(0U, run_ctx(_metadata, prog, NULL, 0)) TH_LOG("%s", progs[i]);
		close(prog);
	}
	for (i = 0; i < ARRAY_LEN(vals); i++) {
		v = vals[i].size == 8 ? var_u64(_metadata, &o, vals[i].var) :
					var_u32(_metadata, &o, vals[i].var);
		ASSERT_EQ(vals[i].want, v) TH_LOG("%s", vals[i].var);
	}
	obj_close(&o);
}

/* ==== maps supplied by name, bound by reference ==== */

static void loadfd_map_entry(struct bpf_loadfd_map *m, const char *name, int fd)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->fd = fd;
}

static __u64 slot_u64(struct __test_metadata *_metadata, int map, __u32 key)
{
	__u64 v = 0xbad;

	ASSERT_EQ(0, map_lookup(map, &key, &v));
	return v;
}

/* ==== libbpf's whole-object kernel loader ==== */

/* The id of the loader object whose map @map has id @id, or -1. */
static int loader_of_map(const char *map, __u32 id)
{
	char path[PATH_MAX], buf[32];
	struct dirent *e;
	int found = -1;
	DIR *d;

	d = opendir(SYSFS_DIR);
	if (!d)
		return -1;
	while ((e = readdir(d)) && found < 0) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), SYSFS_DIR "/%s/maps/%s/id", e->d_name, map);
		if (!read_text(path, buf, sizeof(buf)) && strtoul(buf, NULL, 10) == id)
			found = atoi(e->d_name);
	}
	closedir(d);
	return found;
}

/*
 * bpf_object_open_opts.kernel_loader: bpf_object__load() hands the file to
 * BPF_LOAD_FD and loads each program by name. What the program changed
 * before load is declared to the kernel (.rodata supplied frozen, a new
 * max_entries declared), .data values set before load are written into the
 * kernel's map, and the internal maps are mmap()ed from the kernel's maps,
 * as skeletons expect.
 */
/* Offset of member @member of struct @tname in @btf, and its index in *@idx. */
static __u32 btf_member_off(struct __test_metadata *_metadata, const struct btf *btf,
			    const char *tname, const char *member, __u32 *idx)
{
	const struct btf_member *m;
	const struct btf_type *t;
	int id, i;

	id = btf__find_by_name_kind(btf, tname, BTF_KIND_STRUCT);
	ASSERT_LT(0, id) TH_LOG("no struct %s", tname);
	t = btf__type_by_id(btf, id);
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, m++) {
		if (!strcmp(btf__name_by_offset(btf, m->name_off), member)) {
			if (idx)
				*idx = i;
			return btf_member_bit_offset(t, i) / 8;
		}
	}
	ASSERT_TRUE(false) TH_LOG("struct %s has no member %s", tname, member);
	return 0;
}

/* A struct_ops map of value type @vid made by the caller (BPF_MAP_CREATE
 * wants some object BTF for it; the value type is vmlinux's).
 */
static int own_st_ops_map(struct __test_metadata *_metadata, int vid, __u32 vsize)
{
	LIBBPF_OPTS(bpf_map_create_opts, mo, .btf_vmlinux_value_type_id = vid);
	struct btf *b = btf__new_empty();
	int fd;

	ASSERT_NE(NULL, b);
	ASSERT_LT(0, btf__add_int(b, "int", 4, BTF_INT_SIGNED));
	ASSERT_EQ(0, btf__load_into_kernel(b));
	mo.btf_fd = btf__fd(b);
	fd = bpf_map_create(BPF_MAP_TYPE_STRUCT_OPS, "own", 4, vsize, 1, &mo);
	btf__free(b);
	return fd;
}

/* struct bpf_dummy_ops_state (net/bpf/bpf_dummy_struct_ops.c). */
struct dummy_ops_state {
	int val;
};

/*
 * prog_tests/dummy_st_ops.c through BPF_LOAD_FD: the .struct_ops map is
 * created with the kernel's value type, its programs load by name with the
 * struct and member as target and run. Attaching (BPF_MAP_UPDATE_ELEM)
 * takes only the object's value: the programs loaded from the programs the
 * object names, in their members.
 */
E2E_TEST(struct_ops_dummy)
{
	struct dummy_ops_state state = { .val = 0xbeef };
	__u64 args[1] = { (unsigned long)&state };
	__u32 vsize, doff, off1, off2, offs, idx2, zero = 0;
	struct bpf_prog_info pinfo;
	struct bpf_map_info minfo;
	int t1, t2, ts, t1b, map, own, vid, tid;
	struct btf *vmlinux;
	struct obj o, other;
	char buf[64], want[16];
	__u64 *value;

	SKIP_IN_ORACLE();
	vmlinux = btf__load_vmlinux_btf();
	ASSERT_NE(NULL, vmlinux);
	vid = btf__find_by_name_kind(vmlinux, "bpf_struct_ops_bpf_dummy_ops", BTF_KIND_STRUCT);
	tid = btf__find_by_name_kind(vmlinux, "bpf_dummy_ops", BTF_KIND_STRUCT);
	ASSERT_LT(0, vid);
	ASSERT_LT(0, tid);
	vsize = btf__type_by_id(vmlinux, vid)->size;
	doff = btf_member_off(_metadata, vmlinux, "bpf_struct_ops_bpf_dummy_ops", "data", NULL);
	off1 = doff + btf_member_off(_metadata, vmlinux, "bpf_dummy_ops", "test_1", NULL);
	off2 = doff + btf_member_off(_metadata, vmlinux, "bpf_dummy_ops", "test_2", &idx2);
	offs = doff + btf_member_off(_metadata, vmlinux, "bpf_dummy_ops", "test_sleepable", NULL);

	obj_open(_metadata, &o, "dummy_st_ops_success");
	sysfs_read(_metadata, buf, sizeof(buf), SYSFS_DIR "/%d/maps/dummy_1/origin", o.id);
	ASSERT_STREQ("created", buf);
	/* The member is the program's expected_attach_type, as libbpf sets it. */
	snprintf(want, sizeof(want), "%u", idx2);
	sysfs_read(_metadata, buf, sizeof(buf),
		   SYSFS_DIR "/%d/programs/test_2/expected_attach_type", o.id);
	ASSERT_STREQ(want, buf);
	map = obj_map(_metadata, &o, "dummy_1");
	map_info(_metadata, map, &minfo);
	ASSERT_EQ((__u32)BPF_MAP_TYPE_STRUCT_OPS, minfo.type);
	ASSERT_EQ(vsize, minfo.value_size);
	ASSERT_EQ((__u32)vid, minfo.btf_vmlinux_value_type_id);
	ASSERT_EQ(0U, minfo.map_flags & BPF_F_LINK);

	t1 = obj_prog(_metadata, &o, "test_1");
	t2 = obj_prog(_metadata, &o, "test_2");
	ts = obj_prog(_metadata, &o, "test_sleepable");
	prog_info(_metadata, t1, &pinfo);
	ASSERT_EQ((__u32)BPF_PROG_TYPE_STRUCT_OPS, pinfo.type);
	ASSERT_EQ((__u32)tid, pinfo.attach_btf_id);
	/* dummy_st_ops' test_1: returns the state's value, sets it to 0x5a. */
	ASSERT_EQ(0xbeefU, run_ctx(_metadata, t1, args, sizeof(args)));
	ASSERT_EQ(0x5a, state.val);

	value = calloc(1, vsize);
	ASSERT_NE(NULL, value);
	/* The object names three programs: none is not its value. */
	ASSERT_EQ(-EINVAL, map_update(map, &zero, value, 0));
	/* Its programs in its members: every check passes and bpf_dummy_ops,
	 * which registers nowhere, says so (as for libbpf's map).
	 */
	value[off1 / 8] = t1;
	value[off2 / 8] = t2;
	value[offs / 8] = ts;
	ASSERT_EQ(-EOPNOTSUPP, map_update(map, &zero, value, 0));
	/* The same program loaded from another loader object of the file. */
	obj_open(_metadata, &other, "dummy_st_ops_success");
	t1b = obj_prog(_metadata, &other, "test_1");
	value[off1 / 8] = t1b;
	ASSERT_EQ(-EINVAL, map_update(map, &zero, value, 0));
	/* A map the caller made itself takes that program (so the EINVAL
	 * above is the loader's check), and any value at all.
	 */
	own = own_st_ops_map(_metadata, vid, vsize);
	ASSERT_LE(0, own) TH_LOG("struct_ops map: %s", strerror(errno));
	ASSERT_EQ(-EOPNOTSUPP, map_update(own, &zero, value, 0));
	memset(value, 0, vsize);
	ASSERT_EQ(-EOPNOTSUPP, map_update(own, &zero, value, 0));
	close(own);
	free(value);
	close(t1b);
	obj_close(&other);
	close(t1);
	close(t2);
	close(ts);
	close(map);
	obj_close(&o);
	btf__free(vmlinux);
}

/* The u32 variable @name of @bo's .bss (mapped: the kernel map's memory). */
static __u32 bss_u32(struct __test_metadata *_metadata, struct bpf_object *bo, const char *name)
{
	struct bpf_map *bss = bpf_object__find_map_by_name(bo, ".bss");
	const struct btf *btf = bpf_object__btf(bo);
	const struct btf_var_secinfo *v;
	const struct btf_type *ds;
	__u8 *mem;
	size_t sz;
	int id, i;

	ASSERT_NE(NULL, bss);
	mem = bpf_map__initial_value(bss, &sz);
	ASSERT_NE(NULL, mem);
	id = btf__find_by_name_kind(btf, ".bss", BTF_KIND_DATASEC);
	ASSERT_LT(0, id);
	ds = btf__type_by_id(btf, id);
	v = btf_var_secinfos(ds);
	for (i = 0; i < btf_vlen(ds); i++, v++) {
		if (!strcmp(btf__name_by_offset(btf, btf__type_by_id(btf, v->type)->name_off), name))
			return *(__u32 *)(mem + v->offset);
	}
	ASSERT_TRUE(false) TH_LOG("no .bss variable %s", name);
	return 0;
}

/* A struct_ops program no map of the object names has no target. */
static void st_ops_unused_refused(struct __test_metadata *_metadata)
{
	char log[REJECT_LOG_SIZE] = "";
	char lpath[PATH_MAX];
	union bpf_attr attr;
	int lfd, loader;

	obj_path(lpath, sizeof(lpath), "loadfd_st_ops_mod");
	lfd = open(lpath, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, lfd);
	loader = loadfd_ok(_metadata, lfd, NULL, 0, "loadfd_st_ops_mod");
	close(lfd);
	memset(&attr, 0, sizeof(attr));
	attr.log_level = 1;
	attr.log_buf = ptr_to_u64(log);
	attr.log_size = sizeof(log);
	ASSERT_EQ(-EINVAL, prog_load_raw(&attr, loader, "loadfd_mod_unused"));
	ASSERT_ONE_LINE(log, "no struct_ops map of the object uses this struct_ops program");
	close(loader);
}

/*
 * struct_ops of a module (bpf_testmod_ops, prog_tests/test_struct_ops_module.c
 * with the object as it is): the map's value type is in bpf_testmod's BTF.
 * bpf_testmod's reg() runs test_1() and test_2(4, data), so the results show
 * which programs and data were registered.
 */
E2E_TEST(struct_ops_module)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .kernel_loader = true);
	struct btf *vmlinux, *mod;
	struct bpf_map *lmap, *nmap;
	struct bpf_link *link;
	struct bpf_map_info info;
	struct bpf_btf_info binfo;
	struct bpf_object *bo;
	char path[PATH_MAX], bname[64];
	__u32 blen = sizeof(binfo), vsize, doff, off1, offd, zero = 0;
	__u64 *value;
	int fd, vid, t1;

	SKIP_IN_ORACLE();
	libbpf_set_print(libbpf_print);
	obj_path(path, sizeof(path), "loadfd_st_ops_mod");
	bo = bpf_object__open_file(path, &oo);
	ASSERT_NE(NULL, bo) TH_LOG("open %s: %s", path, strerror(errno));
	ASSERT_EQ(0, bpf_object__load(bo));
	lmap = bpf_object__find_map_by_name(bo, "loadfd_testmod");
	nmap = bpf_object__find_map_by_name(bo, "loadfd_testmod_nolink");
	ASSERT_TRUE(lmap && nmap);

	/* The value type is the module's. */
	map_info(_metadata, bpf_map__fd(lmap), &info);
	ASSERT_EQ((__u32)BPF_MAP_TYPE_STRUCT_OPS, info.type);
	ASSERT_EQ((__u32)BPF_F_LINK, info.map_flags & BPF_F_LINK);
	ASSERT_LT(0U, info.btf_vmlinux_id);
	fd = bpf_btf_get_fd_by_id(info.btf_vmlinux_id);
	ASSERT_LE(0, fd);
	memset(&binfo, 0, sizeof(binfo));
	binfo.name = ptr_to_u64(bname);
	binfo.name_len = sizeof(bname);
	ASSERT_EQ(0, bpf_btf_get_info_by_fd(fd, &binfo, &blen));
	ASSERT_STREQ("bpf_testmod", bname);
	close(fd);

	link = bpf_map__attach_struct_ops(lmap);
	ASSERT_NE(NULL, link) TH_LOG("attach: %s", strerror(errno));
	ASSERT_EQ(0xdeadbeefU, bss_u32(_metadata, bo, "test_1_result"));
	ASSERT_EQ(4U + 7, bss_u32(_metadata, bo, "test_2_result"));
	ASSERT_EQ(0, bpf_link__destroy(link));

	/* The .struct_ops map registers on BPF_MAP_UPDATE_ELEM: with its own
	 * data only. Value layout from the module's BTF, as libbpf builds it.
	 */
	vmlinux = btf__load_vmlinux_btf();
	ASSERT_NE(NULL, vmlinux);
	mod = btf__load_module_btf("bpf_testmod", vmlinux);
	ASSERT_NE(NULL, mod);
	vid = btf__find_by_name_kind(mod, "bpf_struct_ops_bpf_testmod_ops", BTF_KIND_STRUCT);
	ASSERT_LT(0, vid);
	vsize = btf__type_by_id(mod, vid)->size;
	doff = btf_member_off(_metadata, mod, "bpf_struct_ops_bpf_testmod_ops", "data", NULL);
	off1 = doff + btf_member_off(_metadata, mod, "bpf_testmod_ops", "test_1", NULL);
	offd = doff + btf_member_off(_metadata, mod, "bpf_testmod_ops", "data", NULL);
	value = calloc(1, vsize);
	ASSERT_NE(NULL, value);
	t1 = bpf_program__fd(bpf_object__find_program_by_name(bo, "loadfd_mod_test_1"));
	ASSERT_LE(0, t1);
	value[off1 / 8] = t1;
	*(__u32 *)((__u8 *)value + offd) = 10;
	ASSERT_EQ(-EINVAL, map_update(bpf_map__fd(nmap), &zero, value, 0));
	/* Another program of the same type where the object puts test_1. */
	value[off1 / 8] = bpf_program__fd(bpf_object__find_program_by_name(bo,
									  "loadfd_mod_test_2"));
	*(__u32 *)((__u8 *)value + offd) = 9;
	ASSERT_EQ(-EINVAL, map_update(bpf_map__fd(nmap), &zero, value, 0));
	free(value);
	btf__free(mod);
	btf__free(vmlinux);

	link = bpf_map__attach_struct_ops(nmap);
	ASSERT_NE(NULL, link) TH_LOG("attach: %s", strerror(errno));
	ASSERT_EQ(0, bpf_link__destroy(link));

	st_ops_unused_refused(_metadata);
	bpf_object__close(bo);
}

/*
 * __arena variables (loadfd_arena.c): the kernel writes their initial values
 * at the start of the arena once the arena has a user address (the caller's
 * mmap(), as libbpf maps it before loading programs); a program loaded by
 * name before that is refused with the reason. Then the same through
 * libbpf's kernel_loader.
 */
E2E_TEST(arena)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .kernel_loader = true);
	long page = sysconf(_SC_PAGESIZE);
	struct elf_sym counter, buf;
	char log[REJECT_LOG_SIZE] = "";
	char path[PATH_MAX];
	struct bpf_object *bo;
	struct bpf_map *am;
	struct obj o;
	union bpf_attr attr;
	int map, prog, err;
	__u8 *mem;
	size_t sz;

	SKIP_IN_ORACLE();
	obj_open(_metadata, &o, "loadfd_arena");
	obj_sym(_metadata, &o, "loadfd_arena_counter", &counter);
	obj_sym(_metadata, &o, "loadfd_arena_buf", &buf);
	ASSERT_STREQ(".addr_space.1", counter.sec);

	memset(&attr, 0, sizeof(attr));
	attr.log_level = 1;
	attr.log_buf = ptr_to_u64(log);
	attr.log_size = sizeof(log);
	err = prog_load_raw(&attr, o.loader, "loadfd_arena_inc");
	ASSERT_EQ(-EINVAL, err);
	ASSERT_ONE_LINE(log, "arena 'arena' has no user address yet: mmap() it");

	map = obj_map(_metadata, &o, "arena");
	mem = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_SHARED, map, 0);
	ASSERT_NE(MAP_FAILED, mem) TH_LOG("mmap arena: %s", strerror(errno));
	prog = obj_prog(_metadata, &o, "loadfd_arena_inc");
	/* The file's values, then the program's changes, in the caller's
	 * mapping of the arena.
	 */
	ASSERT_EQ(41, *(int *)(mem + counter.value));
	ASSERT_EQ(3, mem[buf.value + 4999]);
	ASSERT_EQ(42U, run_ctx(_metadata, prog, NULL, 0));
	ASSERT_EQ(43U, run_ctx(_metadata, prog, NULL, 0));
	ASSERT_EQ(43, *(int *)(mem + counter.value));
	ASSERT_EQ(11, mem[buf.value + 4999]);
	close(prog);
	munmap(mem, 4 * page);
	close(map);
	obj_close(&o);

	libbpf_set_print(libbpf_print);
	obj_path(path, sizeof(path), "loadfd_arena");
	bo = bpf_object__open_file(path, &oo);
	ASSERT_NE(NULL, bo);
	ASSERT_EQ(0, bpf_object__load(bo));
	prog = bpf_program__fd(bpf_object__find_program_by_name(bo, "loadfd_arena_inc"));
	ASSERT_LE(0, prog);
	ASSERT_EQ(42U, run_ctx(_metadata, prog, NULL, 0));
	am = bpf_object__find_map_by_name(bo, "arena");
	mem = bpf_map__initial_value(am, &sz);
	ASSERT_NE(NULL, mem);
	ASSERT_EQ(42, *(int *)(mem + counter.value));
	ASSERT_EQ(7, mem[buf.value + 4999]);
	bpf_object__close(bo);
}

/*
 * An object with a program that cannot be linked (loadfd_partial.c): as
 * libbpf relocates only the programs it loads, BPF_LOAD_FD accepts the
 * object, says why that program cannot be loaded, and its by-name load fails
 * with the reason while the other program loads.
 */
E2E_TEST(partial_object)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .kernel_loader = true);
	char log[REJECT_LOG_SIZE] = "", *llog, path[PATH_MAX];
	struct bpf_object *bo;
	union bpf_attr attr;
	int fd, loader, prog;

	SKIP_IN_ORACLE();
	obj_path(path, sizeof(path), "loadfd_partial");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	llog = calloc(1, LOADER_LOG_SIZE);
	ASSERT_NE(NULL, llog);
	memset(&attr, 0, sizeof(attr));
	attr.load_fd.obj_fd = fd;
	attr.load_fd.log_level = 1;
	attr.load_fd.log_buf = ptr_to_u64(llog);
	attr.load_fd.log_size = LOADER_LOG_SIZE;
	loader = sys_bpf(BPF_LOAD_FD, &attr);
	ASSERT_LE(0, loader) TH_LOG("BPF_LOAD_FD: %s: %s", strerror(errno), llog);
	close(fd);
	ASSERT_ONE_LINE(llog, "prog 'loadfd_partial_bad' cannot be loaded: link: ");
	free(llog);
	{
		char buf[300];
		int id = loader_id(_metadata, loader);

		sysfs_read(_metadata, buf, sizeof(buf),
			   SYSFS_DIR "/%d/programs/loadfd_partial_bad/error", id);
		ASSERT_EQ(0, strncmp(buf, "link: ", 6)) TH_LOG("error '%s'", buf);
		sysfs_read(_metadata, buf, sizeof(buf),
			   SYSFS_DIR "/%d/programs/loadfd_partial_ok/error", id);
		ASSERT_STREQ("", buf);
	}

	prog = prog_load_ok(_metadata, loader, "loadfd_partial_ok");
	ASSERT_EQ(7U, run_skb(_metadata, prog));
	close(prog);
	memset(&attr, 0, sizeof(attr));
	attr.log_level = 1;
	attr.log_buf = ptr_to_u64(log);
	attr.log_size = sizeof(log);
	ASSERT_EQ(-EINVAL, prog_load_raw(&attr, loader, "loadfd_partial_bad"));
	ASSERT_ONE_LINE(log, "prog 'loadfd_partial_bad': link: ");
	close(loader);

	/* libbpf's kernel_loader, with the broken program not autoloaded. */
	libbpf_set_print(libbpf_print);
	bo = bpf_object__open_file(path, &oo);
	ASSERT_NE(NULL, bo);
	bpf_program__set_autoload(bpf_object__find_program_by_name(bo, "loadfd_partial_bad"),
				  false);
	ASSERT_EQ(0, bpf_object__load(bo));
	prog = bpf_program__fd(bpf_object__find_program_by_name(bo, "loadfd_partial_ok"));
	ASSERT_EQ(7U, run_skb(_metadata, prog));
	bpf_object__close(bo);
}

/* The sum over CPUs of key @key of the per-CPU u64 array @map. */
static __u64 percpu_sum(struct __test_metadata *_metadata, int map, __u32 key)
{
	int n = libbpf_num_possible_cpus(), i;
	__u64 *v, sum = 0;

	ASSERT_LT(0, n);
	v = calloc(n, sizeof(*v));
	ASSERT_NE(NULL, v);
	ASSERT_EQ(0, map_lookup(map, &key, v));
	for (i = 0; i < n; i++)
		sum += v[i];
	free(v);
	return sum;
}

/* /sys/kernel/sched_ext/state, waiting up to ~5 s for @want. */
static bool scx_state_is(const char *want)
{
	char buf[64];
	int i;

	for (i = 0; i < 500; i++) {
		if (read_text("/sys/kernel/sched_ext/state", buf, sizeof(buf)) >= 0 &&
		    !strcmp(buf, want))
			return true;
		usleep(10000);
	}
	return false;
}

/*
 * A sched_ext scheduler from the 6.12 tree (tools/sched_ext/scx_simple.bpf.c)
 * through libbpf's kernel_loader, as scx_simple's own loader would use it:
 * the kernel creates the .struct_ops.link map, loads its programs by name,
 * and bpf_map__attach_struct_ops() enables it; tasks are then scheduled by
 * it (its statistics count them). A value other than the file's, changed
 * before load, is refused.
 */
E2E_TEST(struct_ops_sched_ext)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .kernel_loader = true);
	struct bpf_object *bo;
	struct bpf_link *link;
	struct bpf_map *ops, *stats;
	char path[PATH_MAX], buf[64];
	__u32 off, id;
	void *data;
	size_t sz;
	int i, loader, status;
	pid_t pid;

	SKIP_IN_ORACLE();
	if (access("/sys/kernel/sched_ext/state", F_OK))
		SKIP(return, "no sched_ext (CONFIG_SCHED_CLASS_EXT)");
	ASSERT_TRUE(scx_state_is("disabled"));
	libbpf_set_print(libbpf_print);
	obj_path(path, sizeof(path), "scx_simple");

	/* The struct_ops data is the file's: a timeout set before load is
	 * refused when the struct_ops is attached.
	 */
	bo = bpf_object__open_file(path, &oo);
	ASSERT_NE(NULL, bo) TH_LOG("open %s: %s", path, strerror(errno));
	ops = bpf_object__find_map_by_name(bo, "simple_ops");
	ASSERT_NE(NULL, ops);
	data = bpf_map__initial_value(ops, &sz);
	ASSERT_NE(NULL, data);
	off = btf_member_off(_metadata, bpf_object__btf(bo), "sched_ext_ops", "timeout_ms", NULL);
	ASSERT_EQ(0U, *(__u32 *)(data + off));
	*(__u32 *)(data + off) = 5000;
	ASSERT_EQ(0, bpf_object__load(bo));
	link = bpf_map__attach_struct_ops(ops);
	ASSERT_EQ(NULL, link);
	ASSERT_EQ(EINVAL, errno);
	ASSERT_TRUE(scx_state_is("disabled"));
	bpf_object__close(bo);

	bo = bpf_object__open_file(path, &oo);
	ASSERT_NE(NULL, bo);
	ASSERT_EQ(0, bpf_object__load(bo));
	ops = bpf_object__find_map_by_name(bo, "simple_ops");
	stats = bpf_object__find_map_by_name(bo, "stats");
	ASSERT_TRUE(ops && stats);
	ASSERT_EQ((__u32)BPF_F_LINK, bpf_map__map_flags(ops) & BPF_F_LINK);
	id = map_id(_metadata, bpf_map__fd(ops));
	loader = loader_of_map("simple_ops", id);
	ASSERT_LE(0, loader) TH_LOG("no loader object has map %u", id);
	sysfs_read(_metadata, buf, sizeof(buf), SYSFS_DIR "/%d/maps/simple_ops/origin", loader);
	ASSERT_STREQ("created", buf);

	link = bpf_map__attach_struct_ops(ops);
	ASSERT_NE(NULL, link) TH_LOG("attach: %s", strerror(errno));
	ASSERT_TRUE(scx_state_is("enabled"));
	ASSERT_EQ(0, read_text("/sys/kernel/sched_ext/root/ops", buf, sizeof(buf)));
	ASSERT_STREQ("simple", buf);
	/* Work for the scheduler: tasks that wake up, run and sleep. */
	for (i = 0; i < 20; i++) {
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid) {
			usleep(1000);
			_exit(0);
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
	}
	ASSERT_LT(0ULL, percpu_sum(_metadata, bpf_map__fd(stats), 0) +
			percpu_sum(_metadata, bpf_map__fd(stats), 1));
	ASSERT_EQ(0, bpf_link__destroy(link));
	ASSERT_TRUE(scx_state_is("disabled"));
	bpf_object__close(bo);
}

E2E_TEST(libbpf_kernel_loader)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .kernel_loader = true);
	struct bpf_map *rodata, *data, *hash;
	struct bpf_map_info info;
	struct bpf_object *bo;
	char path[PATH_MAX], buf[128];
	int prog, loader, err;
	__u32 *cfg;
	__u8 *big;
	size_t sz;

	SKIP_IN_ORACLE();
	libbpf_set_print(libbpf_print);
	obj_path(path, sizeof(path), "loadfd_truth");
	bo = bpf_object__open_file(path, &oo);
	ASSERT_NE(NULL, bo) TH_LOG("open %s: %s", path, strerror(errno));
	rodata = bpf_object__find_map_by_name(bo, ".rodata");
	data = bpf_object__find_map_by_name(bo, ".data");
	hash = bpf_object__find_map_by_name(bo, "truth_hash");
	ASSERT_TRUE(rodata && data && hash);
	cfg = bpf_map__initial_value(rodata, &sz);
	ASSERT_NE(NULL, cfg);
	ASSERT_EQ(7U, *cfg);
	*cfg = 9;
	big = bpf_map__initial_value(data, &sz);
	ASSERT_NE(NULL, big);
	ASSERT_EQ((size_t)1 << 20, sz);
	big[1] = 3;
	ASSERT_EQ(0, bpf_map__set_max_entries(hash, 1024));
	err = bpf_object__load(bo);
	ASSERT_EQ(0, err) TH_LOG("bpf_object__load: %s", strerror(-err));

	prog = bpf_program__fd(bpf_object__find_program_by_name(bo, "truth_cfg_ret"));
	ASSERT_LE(0, prog);
	ASSERT_EQ(12U, run_skb(_metadata, prog)) TH_LOG(".rodata 9 + .data 3");
	/* .data is the kernel's map now, mapped where the image was. */
	big = bpf_map__initial_value(data, &sz);
	ASSERT_NE(NULL, big);
	big[1] = 5;
	ASSERT_EQ(14U, run_skb(_metadata, prog));
	prog = bpf_program__fd(bpf_object__find_program_by_name(bo, "truth_kver"));
	ASSERT_EQ(kernel_version(_metadata), run_skb(_metadata, prog));
	map_info(_metadata, bpf_map__fd(hash), &info);
	ASSERT_EQ(1024U, info.max_entries);

	/* The kernel's record: one loader object, both declarations. */
	loader = loader_of_map("truth_hash", info.id);
	ASSERT_LE(0, loader) TH_LOG("no loader object has map %u", info.id);
	sysfs_read(_metadata, buf, sizeof(buf), SYSFS_DIR "/%d/maps/truth_hash/origin", loader);
	ASSERT_STREQ("resized 1024 (file: 16)", buf);
	sysfs_read(_metadata, buf, sizeof(buf), SYSFS_DIR "/%d/maps/.rodata/origin", loader);
	ASSERT_STREQ("supplied", buf);
	sysfs_read(_metadata, buf, sizeof(buf), SYSFS_DIR "/%d/maps/.data/origin", loader);
	ASSERT_STREQ("created", buf);
	sysfs_read(_metadata, buf, sizeof(buf), SYSFS_DIR "/%d/overrides", loader);
	ASSERT_EQ(0, strncmp(buf, "2 ", 2)) TH_LOG("overrides '%s'", buf);
	bpf_object__close(bo);
	ASSERT_GT(0, loader_of_map("truth_hash", info.id)) TH_LOG("the loader outlived the object");
}

/* Runs @cmd (a shell line) and returns its stdout (malloc'ed), or NULL. */
static char *run_capture(const char *cmd)
{
	size_t len = 0, cap = 1 << 16;
	char *out = malloc(cap);
	FILE *f;

	if (!out)
		return NULL;
	f = popen(cmd, "r");
	if (!f) {
		free(out);
		return NULL;
	}
	while (len + 1 < cap && !feof(f))
		len += fread(out + len, 1, cap - 1 - len, f);
	out[len] = 0;
	if (pclose(f)) {
		free(out);
		return NULL;
	}
	return out;
}

/*
 * bpftool with patch "bpftool: loader objects" ($LOADFD_BPFTOOL): loader
 * show lists a live loader object (JSON), prog show names the loader a
 * program came from, and prog loadall ... kernel_loader loads through
 * BPF_LOAD_FD.
 */
E2E_TEST(bpftool_loader)
{
	const char *bpftool = getenv("LOADFD_BPFTOOL");
	char cmd[PATH_MAX * 2], want[160], sha[80], dir[] = "/sys/fs/bpf/loadfd_bpftool_XXXXXX";
	struct obj o;
	char *out;
	int prog;
	__u32 id;

	SKIP_IN_ORACLE();
	if (!bpftool)
		SKIP(return, "LOADFD_BPFTOOL is not set");
	obj_open(_metadata, &o, "loadfd_map_ref");
	prog = obj_prog(_metadata, &o, "loadfd_count");
	id = prog_id(_metadata, prog);
	sysfs_read(_metadata, sha, sizeof(sha), SYSFS_DIR "/%d/sha256", o.id);

	snprintf(cmd, sizeof(cmd), "%s -j loader show %d", bpftool, o.id);
	out = run_capture(cmd);
	ASSERT_NE(NULL, out) TH_LOG("%s failed", cmd);
	snprintf(want, sizeof(want), "\"sha256\":\"%s\"", sha);
	ASSERT_NE(NULL, strstr(out, want)) TH_LOG("'%s' lacks %s", out, want);
	snprintf(want, sizeof(want), "\"name\":\"loadfd_count\"");
	ASSERT_NE(NULL, strstr(out, want)) TH_LOG("'%s' lacks %s", out, want);
	snprintf(want, sizeof(want), "\"prog_ids\":[%u]", id);
	ASSERT_NE(NULL, strstr(out, want)) TH_LOG("'%s' lacks %s", out, want);
	free(out);

	snprintf(cmd, sizeof(cmd), "%s -j prog show id %u", bpftool, id);
	out = run_capture(cmd);
	ASSERT_NE(NULL, out) TH_LOG("%s failed", cmd);
	snprintf(want, sizeof(want), "\"loader_id\":%d,\"loader_prog\":\"loadfd_count\"", o.id);
	ASSERT_NE(NULL, strstr(out, want)) TH_LOG("'%s' lacks %s", out, want);
	free(out);
	close(prog);
	obj_close(&o);

	/* prog loadall ... kernel_loader: through BPF_LOAD_FD, pinned. */
	ASSERT_NE(NULL, mkdtemp(dir));
	ASSERT_EQ(0, rmdir(dir));
	snprintf(cmd, sizeof(cmd), "%s prog loadall %s/loadfd_map_ref.bpf.o %s kernel_loader 2>&1",
		 bpftool, getenv("LOADFD_OBJDIR") ?: ".", dir);
	out = run_capture(cmd);
	ASSERT_NE(NULL, out) TH_LOG("%s failed", cmd);
	free(out);
	snprintf(cmd, sizeof(cmd), "%s/loadfd_count", dir);
	prog = bpf_obj_get(cmd);
	ASSERT_LE(0, prog) TH_LOG("%s: %s", cmd, strerror(errno));
	ASSERT_EQ(0U, run_skb(_metadata, prog));
	close(prog);
	ASSERT_EQ(0, unlink(cmd));
	ASSERT_EQ(0, rmdir(dir));
}

/* ==== LIBBPF_PIN_BY_NAME maps and a pin directory ==== */

/* BPF_LOAD_FD of loadfd_pin with @dir_fd as pin directory (-1: none). */
static int load_pin_obj(struct __test_metadata *_metadata, int dir_fd, __u32 flags,
			const struct bpf_loadfd_map *maps, __u32 map_cnt, char *log)
{
	LIBBPF_OPTS(bpf_load_fd_opts, opts, .maps = maps, .map_cnt = map_cnt,
		    .log_level = LOG_LEVEL1, .log_buf = log, .log_size = LOADER_LOG_SIZE);
	char path[PATH_MAX];
	int ofd, fd;

	if (dir_fd >= 0) {
		opts.flags = flags;
		opts.pin_path_fd = dir_fd;
	}
	obj_path(path, sizeof(path), "loadfd_pin");
	ofd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, ofd) TH_LOG("%s: %s", path, strerror(errno));
	log[0] = 0;
	fd = bpf_load_fd(ofd, &opts);
	close(ofd);
	return fd;
}

static void pin_obj_open(struct __test_metadata *_metadata, struct obj *o, int dir_fd, char *log)
{
	int fd = load_pin_obj(_metadata, dir_fd, BPF_F_PATH_FD, NULL, 0, log);

	ASSERT_LE(0, fd) TH_LOG("BPF_LOAD_FD: %s; log: '%s'", strerror(-fd), log);
	obj_init(_metadata, o, "loadfd_pin");
	o->loader = fd;
	o->id = loader_id(_metadata, fd);
}

/*
 * As libbpf with a pin root: a map marked LIBBPF_PIN_BY_NAME is pinned in
 * the directory the first load names and reused (same map) by the next;
 * an incompatible pin, a directory that is not on bpffs, or none at all is
 * refused with a reason, and a failed load leaves no pin behind.
 */
E2E_TEST(pin_by_name)
{
	char dir[] = "/sys/fs/bpf/loadfd_pin_XXXXXX", pin[PATH_MAX], buf[128], *log;
	int dir_fd, tmp_fd, pin_fd, other, prog, fd, n;
	struct bpf_loadfd_map m;
	pid_t pid;
	struct obj a, b;
	__u32 key = 0;
	__u64 v;

	SKIP_IN_ORACLE();
	log = calloc(1, LOADER_LOG_SIZE);
	ASSERT_NE(NULL, log);
	ASSERT_NE(NULL, mkdtemp(dir)) TH_LOG("mkdtemp %s: %s (bpffs mounted?)", dir,
					     strerror(errno));
	snprintf(pin, sizeof(pin), "%s/loadfd_pinned", dir);
	dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, dir_fd);

	/* No directory: refused, not loaded without its pin. */
	fd = load_pin_obj(_metadata, -1, 0, NULL, 0, log);
	ASSERT_EQ(-EINVAL, fd);
	ASSERT_ONE_LINE(log, "maps: 'loadfd_pinned': pinning by name needs a BPF filesystem directory");
	fd = load_pin_obj(_metadata, dir_fd, 0, NULL, 0, log);
	ASSERT_EQ(-EINVAL, fd);
	ASSERT_ONE_LINE(log, "pin_path_fd set without BPF_F_PATH_FD");
	tmp_fd = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, tmp_fd);
	fd = load_pin_obj(_metadata, tmp_fd, BPF_F_PATH_FD, NULL, 0, log);
	close(tmp_fd);
	ASSERT_EQ(-EINVAL, fd);
	ASSERT_ONE_LINE(log, "not a directory of a BPF filesystem");

	/* A load that fails after creating loadfd_pinned pins nothing. */
	other = map_create(_metadata, BPF_MAP_TYPE_HASH, 4, 8, 1, 0, "loadfd_other");
	loadfd_map_entry(&m, "loadfd_unpinned", other);
	fd = load_pin_obj(_metadata, dir_fd, BPF_F_PATH_FD, &m, 1, log);
	ASSERT_EQ(-EINVAL, fd);
	ASSERT_ONE_LINE(log, "maps: 'loadfd_unpinned': supplied map");
	ASSERT_NE(0, access(pin, F_OK)) TH_LOG("a failed load left %s", pin);
	close(other);

	/* The loader fd cannot be installed (EMFILE) after the pin was made:
	 * the pin is undone.
	 */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		LIBBPF_OPTS(bpf_load_fd_opts, opts, .flags = BPF_F_PATH_FD, .pin_path_fd = dir_fd);
		struct rlimit rl = { 64, 64 };
		char path[PATH_MAX];
		int ofd;

		obj_path(path, sizeof(path), "loadfd_pin");
		ofd = open(path, O_RDONLY | O_CLOEXEC);
		if (ofd < 0 || ofd >= 64 || dir_fd >= 64 || setrlimit(RLIMIT_NOFILE, &rl))
			_exit(2);
		while (dup(dir_fd) >= 0)
			;
		_exit(bpf_load_fd(ofd, &opts) == -EMFILE ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &n, 0));
	ASSERT_TRUE(WIFEXITED(n) && WEXITSTATUS(n) == 0) TH_LOG("child status 0x%x", n);
	ASSERT_NE(0, access(pin, F_OK)) TH_LOG("the load that failed with EMFILE left %s", pin);

	/* First load: created and pinned; the other map is not pinned. */
	pin_obj_open(_metadata, &a, dir_fd, log);
	sysfs_read(_metadata, buf, sizeof(buf), SYSFS_DIR "/%d/maps/loadfd_pinned/origin", a.id);
	ASSERT_STREQ("created, pinned", buf);
	sysfs_read(_metadata, buf, sizeof(buf), SYSFS_DIR "/%d/maps/loadfd_unpinned/origin", a.id);
	ASSERT_STREQ("created", buf);
	sysfs_read(_metadata, buf, sizeof(buf), SYSFS_DIR "/%d/overrides", a.id);
	ASSERT_EQ(0, strncmp(buf, "0 ", 2)) TH_LOG("overrides '%s'", buf);
	pin_fd = bpf_obj_get(pin);
	ASSERT_LE(0, pin_fd) TH_LOG("bpf_obj_get %s: %s", pin, strerror(errno));
	ASSERT_EQ(obj_map_id(_metadata, &a, "loadfd_pinned"), map_id(_metadata, pin_fd));
	snprintf(buf, sizeof(buf), "%s/loadfd_unpinned", dir);
	ASSERT_NE(0, access(buf, F_OK));
	prog = obj_prog(_metadata, &a, "loadfd_pin_count");
	ASSERT_EQ(0U, run_skb(_metadata, prog));
	close(prog);

	/* Second load: the pinned map is reused, the other one is its own. */
	pin_obj_open(_metadata, &b, dir_fd, log);
	sysfs_read(_metadata, buf, sizeof(buf), SYSFS_DIR "/%d/maps/loadfd_pinned/origin", b.id);
	ASSERT_STREQ("reused", buf);
	ASSERT_EQ(obj_map_id(_metadata, &a, "loadfd_pinned"),
		  obj_map_id(_metadata, &b, "loadfd_pinned"));
	ASSERT_NE(obj_map_id(_metadata, &a, "loadfd_unpinned"),
		  obj_map_id(_metadata, &b, "loadfd_unpinned"));
	/* Reusing a pin is declared like a supplied map. */
	sysfs_read(_metadata, buf, sizeof(buf), SYSFS_DIR "/%d/overrides", b.id);
	ASSERT_EQ(0, strncmp(buf, "1 ", 2)) TH_LOG("overrides '%s'", buf);
	prog = obj_prog(_metadata, &b, "loadfd_pin_count");
	ASSERT_EQ(0U, run_skb(_metadata, prog));
	close(prog);
	ASSERT_EQ(0, map_lookup(pin_fd, &key, &v));
	ASSERT_EQ(2U, v) TH_LOG("both programs count in the pinned map");
	fd = obj_map(_metadata, &b, "loadfd_unpinned");
	ASSERT_EQ(1U, slot_u64(_metadata, fd, 0));
	close(fd);
	obj_close(&b);
	obj_close(&a);
	close(pin_fd);

	/* An incompatible map pinned under the name: refused, as libbpf does. */
	ASSERT_EQ(0, unlink(pin));
	other = map_create(_metadata, BPF_MAP_TYPE_ARRAY, 4, 4, 1, 0, "loadfd_other");
	ASSERT_EQ(0, bpf_obj_pin(other, pin));
	fd = load_pin_obj(_metadata, dir_fd, BPF_F_PATH_FD, NULL, 0, log);
	ASSERT_EQ(-EINVAL, fd);
	ASSERT_ONE_LINE(log, "maps: 'loadfd_pinned': pinned map (type 2 key 4 value 4 max 1");
	close(other);

	/* Something pinned there that is not a map: refused too. */
	ASSERT_EQ(0, unlink(pin));
	ASSERT_EQ(0, mkdir(pin, 0700));
	fd = load_pin_obj(_metadata, dir_fd, BPF_F_PATH_FD, NULL, 0, log);
	ASSERT_EQ(-EINVAL, fd);
	ASSERT_ONE_LINE(log, "maps: 'loadfd_pinned': the pinned map cannot be reused (-22)");
	n = rmdir(pin);
	ASSERT_EQ(0, n);
	close(dir_fd);
	ASSERT_EQ(0, rmdir(dir));
	free(log);
}

/*
 * "counter" is supplied; then the caller's fd for it is closed and another
 * map is dup2()'d onto the same number before BPF_PROG_LOAD: the program
 * must still update the original map (bound when BPF_LOAD_FD ran).
 */
E2E_TEST(maps_by_reference)
{
	struct bpf_loadfd_map m;
	struct bpf_prog_info info;
	__u32 id_a, id_b, ids[4];
	int fd_a, fd_b, fd_a2, prog, i;
	char buf[64];
	struct obj o;

	SKIP_IN_ORACLE();
	fd_a = map_create(_metadata, BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0, "counter_a");
	id_a = map_id(_metadata, fd_a);
	loadfd_map_entry(&m, "counter", fd_a);
	obj_load_fd(_metadata, &o, "loadfd_map_ref", -1, &m, 1);
	sysfs_read(_metadata, buf, sizeof(buf), SYSFS_DIR "/%d/maps/counter/origin", o.id);
	ASSERT_STREQ("supplied", buf);
	ASSERT_EQ(id_a, obj_map_id(_metadata, &o, "counter"));
	ASSERT_EQ(1, fdinfo_field(_metadata, o.loader, "maps"));

	/*
	 * dup2() another map over the caller's fd: the number now names map B
	 * and the caller holds no fd of map A at all.
	 */
	fd_b = map_create(_metadata, BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0, "counter_b");
	ASSERT_NE(fd_a, fd_b);
	ASSERT_EQ(fd_a, dup2(fd_b, fd_a));
	ASSERT_EQ(0, close(fd_b));
	fd_b = fd_a;
	id_b = map_id(_metadata, fd_b);
	ASSERT_NE(id_a, id_b);

	prog = obj_prog(_metadata, &o, "loadfd_count");
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = ARRAY_LEN(ids);
	info.map_ids = ptr_to_u64(ids);
	ASSERT_EQ(0, obj_info(prog, &info, sizeof(info)));
	ASSERT_EQ(1U, info.nr_map_ids);
	ASSERT_EQ(id_a, ids[0]) TH_LOG("the program uses map %u, not the supplied %u", ids[0],
				       id_a);
	ASSERT_STREQ("loadfd_count", info.name);

	for (i = 0; i < 3; i++)
		ASSERT_EQ(0U, run_skb(_metadata, prog));
	ASSERT_EQ(0U, slot_u64(_metadata, fd_b, 0)) TH_LOG("the dup2()'d map was updated");
	ASSERT_EQ(0U, slot_u64(_metadata, fd_b, 1));
	fd_a2 = map_fd_by_id(_metadata, id_a);
	ASSERT_EQ(3U, slot_u64(_metadata, fd_a2, 0));
	ASSERT_EQ(sizeof(test_pkt), slot_u64(_metadata, fd_a2, 1));

	/* The program outlives the loader object and keeps the map. */
	obj_close(&o);
	ASSERT_EQ(0U, run_skb(_metadata, prog));
	ASSERT_EQ(4U, slot_u64(_metadata, fd_a2, 0));
	ASSERT_EQ(0U, slot_u64(_metadata, fd_b, 0));
	close(prog);
	close(fd_a2);
	close(fd_b);
}

/* A supplied map that does not fit, or a bad maps[] entry. */
enum bad_map {
	BAD_MAX_ENTRIES, BAD_VALUE_SIZE, BAD_TYPE, BAD_FLAGS, BAD_NOT_A_MAP,
	BAD_UNKNOWN_NAME, BAD_ENTRY_FLAGS, BAD_EMPTY_NAME,
};

FIXTURE(supplied_map) {
	struct tmpdir t;
	char log[REJECT_LOG_SIZE];
};

FIXTURE_VARIANT(supplied_map) {
	enum bad_map kind;
	int err;
	const char *needle;
	const char *needle2;
};

FIXTURE_SETUP(supplied_map)
{
	tmpdir_create(_metadata, &self->t);
}

FIXTURE_TEARDOWN(supplied_map)
{
	rmdir(self->t.path);
}

FIXTURE_VARIANT_ADD(supplied_map, max_entries) {
	.kind = BAD_MAX_ENTRIES, .err = EINVAL, .needle = "'counter'", .needle2 = "match" };
FIXTURE_VARIANT_ADD(supplied_map, value_size) {
	.kind = BAD_VALUE_SIZE, .err = EINVAL, .needle = "'counter'", .needle2 = "match" };
FIXTURE_VARIANT_ADD(supplied_map, map_type) {
	.kind = BAD_TYPE, .err = EINVAL, .needle = "'counter'", .needle2 = "match" };
FIXTURE_VARIANT_ADD(supplied_map, map_flags) {
	.kind = BAD_FLAGS, .err = EINVAL, .needle = "'counter'", .needle2 = "match" };
FIXTURE_VARIANT_ADD(supplied_map, not_a_map) {
	.kind = BAD_NOT_A_MAP, .err = EINVAL, .needle = "'counter'", .needle2 = "not a map" };
FIXTURE_VARIANT_ADD(supplied_map, unknown_name) {
	.kind = BAD_UNKNOWN_NAME, .err = EINVAL, .needle = "no map 'nosuchmap'",
	.needle2 = "maps[1]" };
FIXTURE_VARIANT_ADD(supplied_map, entry_flags) {
	.kind = BAD_ENTRY_FLAGS, .err = EINVAL, .needle = "maps[0]", .needle2 = "flags" };
FIXTURE_VARIANT_ADD(supplied_map, empty_name) {
	.kind = BAD_EMPTY_NAME, .err = EINVAL, .needle = "maps[0]", .needle2 = "name" };

TEST_F_TIMEOUT(supplied_map, rejected, E2E_TIMEOUT)
{
	struct bpf_loadfd_map m[2];
	int good, other = -1, obj_fd, ret;
	__u32 cnt = 1;
	char path[PATH_MAX];

	SKIP_IN_ORACLE();
	good = map_create(_metadata, BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0, "counter");
	switch (variant->kind) {
	case BAD_MAX_ENTRIES:
		other = map_create(_metadata, BPF_MAP_TYPE_ARRAY, 4, 8, 8, 0, "c");
		break;
	case BAD_VALUE_SIZE:
		other = map_create(_metadata, BPF_MAP_TYPE_ARRAY, 4, 4, 4, 0, "c");
		break;
	case BAD_TYPE:
		other = map_create(_metadata, BPF_MAP_TYPE_HASH, 4, 8, 4, 0, "c");
		break;
	case BAD_FLAGS:
		other = map_create(_metadata, BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_MMAPABLE, "c");
		break;
	case BAD_NOT_A_MAP:
		other = tmp_file(_metadata, &self->t, "x", 1);
		break;
	default:
		other = dup(good);
		break;
	}
	loadfd_map_entry(&m[0], "counter", other);
	if (variant->kind == BAD_UNKNOWN_NAME) {
		loadfd_map_entry(&m[0], "counter", good);
		loadfd_map_entry(&m[1], "nosuchmap", other);
		cnt = 2;
	} else if (variant->kind == BAD_ENTRY_FLAGS) {
		m[0].flags = 1u << 1;	/* not a known BPF_LOADFD_MAP_* flag */
	} else if (variant->kind == BAD_EMPTY_NAME) {
		m[0].name[0] = 0;
	}

	obj_path(path, sizeof(path), "loadfd_map_ref");
	obj_fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, obj_fd) TH_LOG("%s: %s", path, strerror(errno));
	ret = loadfd_raw(obj_fd, m, cnt, self->log, sizeof(self->log));
	ASSERT_EQ(-variant->err, ret) TH_LOG("got %d (%s); log: '%s'", ret,
					     ret < 0 ? strerror(-ret) : "a loader", self->log);
	ASSERT_ONE_LINE(self->log, variant->needle);
	ASSERT_TRUE(strstr(self->log, variant->needle2) != NULL)
		TH_LOG("log '%s' lacks '%s'", self->log, variant->needle2);

	/* Control: the same call with the good map loads. */
	loadfd_map_entry(&m[0], "counter", good);
	ret = loadfd_raw(obj_fd, m, 1, self->log, sizeof(self->log));
	ASSERT_LE(0, ret) TH_LOG("control: %s; log: '%s'", strerror(-ret), self->log);
	close(ret);
	close(obj_fd);
	close(other);
	close(good);
}

/* ==== sysfs and fdinfo ==== */

static bool dir_gone(const char *path)
{
	struct stat st;
	int i;

	/* Removed when the last reference to the loader file is dropped. */
	for (i = 0; i < 200; i++) {
		if (stat(path, &st) && errno == ENOENT)
			return true;
		usleep(10000);
	}
	return false;
}

/* The names in directory @path, sorted, space separated. */
static void dir_list(struct __test_metadata *_metadata, const char *path, char *buf,
		     size_t size)
{
	struct dirent **ents;
	size_t len = 0;
	int n, i;

	n = scandir(path, &ents, NULL, alphasort);
	ASSERT_LE(0, n) TH_LOG("%s: %s", path, strerror(errno));
	buf[0] = 0;
	for (i = 0; i < n; i++) {
		if (strcmp(ents[i]->d_name, ".") && strcmp(ents[i]->d_name, ".."))
			len += snprintf(buf + len, len < size ? size - len : 0, "%s%s",
					len ? " " : "", ents[i]->d_name);
		free(ents[i]);
	}
	free(ents);
}

E2E_TEST(sysfs)
{
	char hex[2 * SHA256_LEN + 1], buf[256], want[256], dir[128];
	unsigned char *bytes;
	struct bpf_map_info info;
	struct elf_sym sym;
	struct obj o, o2;
	int fd, prog1, prog2, dup_fd, map;
	struct stat st;
	size_t size;

	SKIP_IN_ORACLE();
	/* The test's own SHA-256 first. */
	sha256_hex("abc", 3, hex);
	ASSERT_STREQ("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", hex);
	sha256_hex("", 0, hex);
	ASSERT_STREQ("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", hex);

	/* From a private copy, so dev/ino are those of a plain file. */
	obj_path(buf, sizeof(buf), "loadfd_map_ref");
	bytes = read_file(_metadata, buf, &size);
	fd = tmp_file(_metadata, &self->t, bytes, size);
	ASSERT_EQ(0, fstat(fd, &st));
	sha256_hex(bytes, size, hex);
	obj_load_fd(_metadata, &o, "loadfd_map_ref", fd, NULL, 0);
	close(fd);

	snprintf(dir, sizeof(dir), SYSFS_DIR "/%d", o.id);
	sysfs_read(_metadata, buf, sizeof(buf), "%s/id", dir);
	ASSERT_EQ(o.id, atoi(buf));
	sysfs_read(_metadata, buf, sizeof(buf), "%s/license", dir);
	ASSERT_STREQ("GPL", buf);
	sysfs_read(_metadata, buf, sizeof(buf), "%s/dev", dir);
	snprintf(want, sizeof(want), "%u:%u", major(st.st_dev), minor(st.st_dev));
	ASSERT_STREQ(want, buf);
	sysfs_read(_metadata, buf, sizeof(buf), "%s/ino", dir);
	snprintf(want, sizeof(want), "%llu", (unsigned long long)st.st_ino);
	ASSERT_STREQ(want, buf);
	sysfs_read(_metadata, buf, sizeof(buf), "%s/sha256", dir);
	ASSERT_STREQ(hex, buf);
	ASSERT_EQ(1, fdinfo_field(_metadata, o.loader, "progs"));
	ASSERT_EQ(1, fdinfo_field(_metadata, o.loader, "maps"));

	/* programs/<name>/ */
	snprintf(buf, sizeof(buf), "%s/programs", dir);
	dir_list(_metadata, buf, want, sizeof(want));
	ASSERT_STREQ("loadfd_count", want);
	sysfs_read(_metadata, buf, sizeof(buf), "%s/programs/loadfd_count/section", dir);
	ASSERT_STREQ("tc", buf);
	sysfs_read(_metadata, buf, sizeof(buf), "%s/programs/loadfd_count/prog_type", dir);
	ASSERT_EQ(BPF_PROG_TYPE_SCHED_CLS, atoi(buf));
	sysfs_read(_metadata, buf, sizeof(buf), "%s/programs/loadfd_count/attach_func", dir);
	ASSERT_STREQ("", buf);
	obj_sym(_metadata, &o, "loadfd_count", &sym);
	ASSERT_EQ(STT_FUNC, sym.type);
	sysfs_read(_metadata, buf, sizeof(buf), "%s/programs/loadfd_count/insn_cnt", dir);
	ASSERT_EQ(sym.size / 8, strtoull(buf, NULL, 10));
	sysfs_read(_metadata, buf, sizeof(buf), "%s/programs/loadfd_count/prog_ids", dir);
	ASSERT_STREQ("", buf);

	/* maps/<name>/ */
	snprintf(buf, sizeof(buf), "%s/maps", dir);
	dir_list(_metadata, buf, want, sizeof(want));
	ASSERT_STREQ("counter", want);
	sysfs_read(_metadata, buf, sizeof(buf), "%s/maps/counter/origin", dir);
	ASSERT_STREQ("created", buf);
	map = obj_map(_metadata, &o, "counter");
	map_info(_metadata, map, &info);
	ASSERT_EQ((__u32)BPF_MAP_TYPE_ARRAY, info.type);
	ASSERT_EQ(4U, info.key_size);
	ASSERT_EQ(8U, info.value_size);
	ASSERT_EQ(4U, info.max_entries);
	ASSERT_STREQ("counter", info.name);

	/* prog_ids lists every program loaded from it. */
	prog1 = obj_prog(_metadata, &o, "loadfd_count");
	prog2 = obj_prog(_metadata, &o, "loadfd_count");
	snprintf(want, sizeof(want), "%u %u", prog_id(_metadata, prog1),
		 prog_id(_metadata, prog2));
	sysfs_read(_metadata, buf, sizeof(buf), "%s/programs/loadfd_count/prog_ids", dir);
	ASSERT_STREQ(want, buf);
	ASSERT_EQ(0U, run_skb(_metadata, prog1));
	ASSERT_EQ(0U, run_skb(_metadata, prog2));
	ASSERT_EQ(2U, slot_u64(_metadata, map, 0));

	/* A second loader of the same file: its own id, directory and maps. */
	obj_open(_metadata, &o2, "loadfd_map_ref");
	ASSERT_NE(o.id, o2.id);
	ASSERT_NE(obj_map_id(_metadata, &o, "counter"), obj_map_id(_metadata, &o2, "counter"));
	snprintf(buf, sizeof(buf), SYSFS_DIR "/%d", o2.id);
	obj_close(&o2);
	ASSERT_TRUE(dir_gone(buf)) TH_LOG("%s still there after close()", buf);
	ASSERT_EQ(0, stat(dir, &st)) TH_LOG("%s went away with the other loader", dir);

	/* The directory lives as long as the file: dup() keeps it. */
	dup_fd = dup(o.loader);
	ASSERT_LE(0, dup_fd);
	close(o.loader);
	o.loader = -1;
	ASSERT_EQ(0, stat(dir, &st)) TH_LOG("%s gone while a dup of the loader fd is open", dir);
	ASSERT_EQ(o.id, loader_id(_metadata, dup_fd));
	close(dup_fd);
	ASSERT_TRUE(dir_gone(dir)) TH_LOG("%s still there after the last close()", dir);

	/* Programs and maps outlive the loader object. */
	ASSERT_EQ(0U, run_skb(_metadata, prog1));
	ASSERT_EQ(3U, slot_u64(_metadata, map, 0));
	close(prog1);
	close(prog2);
	close(map);
	free(bytes);
	obj_close(&o);
}

/* ==== BPF_PROG_LOAD by name: what it refuses ==== */

struct by_name_ctx {
	int loader;
	int map_fd;
	int file_fd;
	int closed_fd;
};

FIXTURE(by_name) {
	struct tmpdir t;
	struct obj o;
	struct by_name_ctx c;
	char log[REJECT_LOG_SIZE];
};

FIXTURE_VARIANT(by_name) {
	void (*mutate)(union bpf_attr *attr, const char **name, struct by_name_ctx *c);
	int err;		/* 0: loads */
	const char *needle;
};

FIXTURE_SETUP(by_name)
{
	tmpdir_create(_metadata, &self->t);
	self->o.loader = -1;
	self->c.loader = -1;
	self->c.map_fd = -1;
	self->c.file_fd = -1;
	self->c.closed_fd = -1;
	if (oracle())
		return;
	obj_open(_metadata, &self->o, "loadfd_map_ref");
	self->c.loader = self->o.loader;
	self->c.map_fd = map_create(_metadata, BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0, "m");
	self->c.file_fd = tmp_file(_metadata, &self->t, "x", 1);
	self->c.closed_fd = dup(self->c.file_fd);
	ASSERT_LE(0, self->c.closed_fd);
	close(self->c.closed_fd);
}

FIXTURE_TEARDOWN(by_name)
{
	if (self->c.map_fd >= 0)
		close(self->c.map_fd);
	if (self->c.file_fd >= 0)
		close(self->c.file_fd);
	obj_close(&self->o);
	rmdir(self->t.path);
}

static const struct bpf_insn two_insns[2] = {
	{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
	{ .code = BPF_JMP | BPF_EXIT },
};
static char long_name[600];

static void mut_none(union bpf_attr *a, const char **n, struct by_name_ctx *c) {}
static void mut_unknown(union bpf_attr *a, const char **n, struct by_name_ctx *c)
{
	*n = "nope";
}
static void mut_too_long(union bpf_attr *a, const char **n, struct by_name_ctx *c)
{
	memset(long_name, 'a', sizeof(long_name) - 1);
	*n = long_name;
}
static void mut_loader_map(union bpf_attr *a, const char **n, struct by_name_ctx *c)
{
	c->loader = c->map_fd;
}
static void mut_loader_file(union bpf_attr *a, const char **n, struct by_name_ctx *c)
{
	c->loader = c->file_fd;
}
static void mut_loader_closed(union bpf_attr *a, const char **n, struct by_name_ctx *c)
{
	c->loader = c->closed_fd;
}
static void mut_insns(union bpf_attr *a, const char **n, struct by_name_ctx *c)
{
	a->insns = ptr_to_u64(two_insns);
	a->insn_cnt = 2;
}
static void mut_insns_only(union bpf_attr *a, const char **n, struct by_name_ctx *c)
{
	a->insns = ptr_to_u64(two_insns);
}
static void mut_insn_cnt(union bpf_attr *a, const char **n, struct by_name_ctx *c)
{
	a->insn_cnt = 2;
}
static void mut_license(union bpf_attr *a, const char **n, struct by_name_ctx *c)
{
	a->license = ptr_to_u64("GPL");
}
static void mut_kern_version(union bpf_attr *a, const char **n, struct by_name_ctx *c)
{
	a->kern_version = 0x060c00;
}
static void mut_btf_fd(union bpf_attr *a, const char **n, struct by_name_ctx *c)
{
	a->prog_btf_fd = c->file_fd;
}
static void mut_func_info(union bpf_attr *a, const char **n, struct by_name_ctx *c)
{
	a->func_info_rec_size = 8;
	a->func_info_cnt = 1;
	a->func_info = ptr_to_u64(two_insns);
}
static void mut_line_info(union bpf_attr *a, const char **n, struct by_name_ctx *c)
{
	a->line_info_rec_size = 16;
	a->line_info_cnt = 1;
	a->line_info = ptr_to_u64(two_insns);
}
static void mut_core_relos(union bpf_attr *a, const char **n, struct by_name_ctx *c)
{
	a->core_relo_rec_size = 16;
	a->core_relo_cnt = 1;
	a->core_relos = ptr_to_u64(two_insns);
}
static void mut_fd_array(union bpf_attr *a, const char **n, struct by_name_ctx *c)
{
	a->fd_array = ptr_to_u64(&c->map_fd);
}
static void mut_prog_type(union bpf_attr *a, const char **n, struct by_name_ctx *c)
{
	a->prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
}
static void mut_attach_type(union bpf_attr *a, const char **n, struct by_name_ctx *c)
{
	a->expected_attach_type = BPF_CGROUP_INET_INGRESS + 1;
}
static void mut_same_type(union bpf_attr *a, const char **n, struct by_name_ctx *c)
{
	a->prog_type = BPF_PROG_TYPE_SCHED_CLS;
}
static void mut_prog_name(union bpf_attr *a, const char **n, struct by_name_ctx *c)
{
	strcpy(a->prog_name, "renamed");
}

#define CONTRADICTS "attr sets fields the loader object provides"

FIXTURE_VARIANT_ADD(by_name, defaults) { .mutate = mut_none, .err = 0 };
FIXTURE_VARIANT_ADD(by_name, matching_prog_type) { .mutate = mut_same_type, .err = 0 };
FIXTURE_VARIANT_ADD(by_name, own_prog_name) { .mutate = mut_prog_name, .err = 0 };
FIXTURE_VARIANT_ADD(by_name, unknown_name) {
	.mutate = mut_unknown, .err = ENOENT, .needle = "no program 'nope'" };
FIXTURE_VARIANT_ADD(by_name, name_too_long) {
	.mutate = mut_too_long, .err = E2BIG, .needle = "loader_prog_name" };
FIXTURE_VARIANT_ADD(by_name, loader_is_a_map) {
	.mutate = mut_loader_map, .err = EINVAL, .needle = "not a BPF_LOAD_FD loader object" };
FIXTURE_VARIANT_ADD(by_name, loader_is_a_file) {
	.mutate = mut_loader_file, .err = EINVAL, .needle = "not a BPF_LOAD_FD loader object" };
FIXTURE_VARIANT_ADD(by_name, loader_closed) {
	.mutate = mut_loader_closed, .err = EBADF, .needle = "loader_fd" };
FIXTURE_VARIANT_ADD(by_name, insns) {
	.mutate = mut_insns, .err = EINVAL, .needle = CONTRADICTS };
FIXTURE_VARIANT_ADD(by_name, insns_only) {
	.mutate = mut_insns_only, .err = EINVAL, .needle = CONTRADICTS };
FIXTURE_VARIANT_ADD(by_name, insn_cnt) {
	.mutate = mut_insn_cnt, .err = EINVAL, .needle = CONTRADICTS };
FIXTURE_VARIANT_ADD(by_name, license) {
	.mutate = mut_license, .err = EINVAL, .needle = CONTRADICTS };
FIXTURE_VARIANT_ADD(by_name, kern_version) {
	.mutate = mut_kern_version, .err = EINVAL, .needle = CONTRADICTS };
FIXTURE_VARIANT_ADD(by_name, prog_btf_fd) {
	.mutate = mut_btf_fd, .err = EINVAL, .needle = CONTRADICTS };
FIXTURE_VARIANT_ADD(by_name, func_info) {
	.mutate = mut_func_info, .err = EINVAL, .needle = CONTRADICTS };
FIXTURE_VARIANT_ADD(by_name, line_info) {
	.mutate = mut_line_info, .err = EINVAL, .needle = CONTRADICTS };
FIXTURE_VARIANT_ADD(by_name, core_relos) {
	.mutate = mut_core_relos, .err = EINVAL, .needle = CONTRADICTS };
FIXTURE_VARIANT_ADD(by_name, fd_array) {
	.mutate = mut_fd_array, .err = EINVAL, .needle = CONTRADICTS };
FIXTURE_VARIANT_ADD(by_name, prog_type_mismatch) {
	.mutate = mut_prog_type, .err = EINVAL, .needle = CONTRADICTS };
FIXTURE_VARIANT_ADD(by_name, attach_type_mismatch) {
	.mutate = mut_attach_type, .err = EINVAL, .needle = CONTRADICTS };

TEST_F_TIMEOUT(by_name, prog_load, E2E_TIMEOUT)
{
	struct bpf_prog_info info;
	const char *name = "loadfd_count";
	union bpf_attr attr;
	int fd;

	SKIP_IN_ORACLE();
	memset(&attr, 0, sizeof(attr));
	self->log[0] = 0;
	if (variant->err) {
		/* The rejection is logged; a verifier log could overflow. */
		attr.log_level = LOG_LEVEL1;
		attr.log_buf = ptr_to_u64(self->log);
		attr.log_size = sizeof(self->log);
		attr.log_true_size = 0xdeadbeef;
	}
	variant->mutate(&attr, &name, &self->c);
	fd = prog_load_raw(&attr, self->c.loader, name);

	if (!variant->err) {
		ASSERT_LE(0, fd) TH_LOG("%s; log: '%s'", strerror(-fd), self->log);
		prog_info(_metadata, fd, &info);
		ASSERT_EQ((__u32)BPF_PROG_TYPE_SCHED_CLS, info.type);
		ASSERT_STREQ(attr.prog_name[0] ? attr.prog_name : "loadfd_count", info.name);
		ASSERT_EQ(0U, run_skb(_metadata, fd));
		close(fd);
		return;
	}
	ASSERT_EQ(-variant->err, fd) TH_LOG("expected %s, got %d (%s); log: '%s'",
					    strerror(variant->err), fd,
					    fd < 0 ? strerror(-fd) : "a program", self->log);
	ASSERT_ONE_LINE(self->log, variant->needle);
	ASSERT_EQ(strlen(self->log) + 1, attr.log_true_size);

	/* Control: the loader still loads the program. */
	fd = prog_load_ok(_metadata, self->o.loader, "loadfd_count");
	close(fd);
}

/* ==== a BPF-LSM policy on the object read ==== */

static __u32 lsm_var(struct __test_metadata *_metadata, struct obj *o, const char *var)
{
	return var_u32(_metadata, o, var);
}

E2E_TEST(lsm)
{
	char path[PATH_MAX], *log;
	unsigned char *bytes;
	struct bpf_prog_info info;
	int prog, link, victim, other, l;
	struct stat st_v, st_o;
	__u64 ino;
	size_t size;
	struct obj o;

	SKIP_IN_ORACLE();
	log = calloc(1, LOADER_LOG_SIZE);
	ASSERT_NE(NULL, log);
	obj_open(_metadata, &o, "loadfd_lsm");
	prog = obj_prog(_metadata, &o, "loadfd_deny_obj");
	prog_info(_metadata, prog, &info);
	ASSERT_EQ((__u32)BPF_PROG_TYPE_LSM, info.type);
	ASSERT_NE(0U, info.attach_btf_id);

	obj_path(path, sizeof(path), "loadfd_minimal");
	bytes = read_file(_metadata, path, &size);
	victim = tmp_file(_metadata, &self->t, bytes, size);
	other = tmp_file(_metadata, &self->t, bytes, size);
	ASSERT_EQ(0, fstat(victim, &st_v));
	ASSERT_EQ(0, fstat(other, &st_o));
	ASSERT_NE(st_v.st_ino, st_o.st_ino);
	ino = st_v.st_ino;
	VAR_SET(&o, "target_ino", &ino);

	/* Not attached yet. */
	l = loadfd_ok(_metadata, victim, NULL, 0, "victim, no policy");
	close(l);

	link = link_create(_metadata, prog, 0, BPF_LSM_MAC);
	l = loadfd_raw(victim, NULL, 0, log, LOADER_LOG_SIZE);
	ASSERT_EQ(-EPERM, l) TH_LOG("victim under the policy: %d (%s); log: '%s'", l,
				    l < 0 ? strerror(-l) : "loaded", log);
	ASSERT_ONE_LINE(log, "obj_fd");
	l = loadfd_ok(_metadata, other, NULL, 0, "another file under the policy");
	close(l);
	ASSERT_EQ(1U, lsm_var(_metadata, &o, "denied"));
	ASSERT_EQ(2U, lsm_var(_metadata, &o, "seen_bpf_objects"));

	/* Detached: the file loads again. */
	close(link);
	l = loadfd_ok(_metadata, victim, NULL, 0, "victim, policy detached");
	close(l);
	ASSERT_EQ(1U, lsm_var(_metadata, &o, "denied"));
	ASSERT_EQ(2U, lsm_var(_metadata, &o, "seen_bpf_objects"));

	close(victim);
	close(other);
	close(prog);
	free(bytes);
	free(log);
	obj_close(&o);
}

/* ==== differential: BPF_LOAD_FD against libbpf ==== */

FIXTURE(differential) {
	int unused;
};

FIXTURE_VARIANT(differential) {
	const char *obj;
	int min_ldimm64;	/* map references the object must have */
};

FIXTURE_SETUP(differential)
{
	libbpf_set_print(libbpf_print);
}

FIXTURE_TEARDOWN(differential)
{
}

FIXTURE_VARIANT_ADD(differential, test_global_data) {
	.obj = "test_global_data", .min_ldimm64 = 20 };
FIXTURE_VARIANT_ADD(differential, test_subprogs) {
	.obj = "test_subprogs", .min_ldimm64 = 1 };
FIXTURE_VARIANT_ADD(differential, bpf_loop) { .obj = "bpf_loop", .min_ldimm64 = 1 };
FIXTURE_VARIANT_ADD(differential, test_core_reloc_kernel) {
	.obj = "test_core_reloc_kernel", .min_ldimm64 = 1 };
FIXTURE_VARIANT_ADD(differential, test_btf_map_in_map) {
	.obj = "test_btf_map_in_map", .min_ldimm64 = 3 };
FIXTURE_VARIANT_ADD(differential, test_ksyms_btf) {
	.obj = "test_ksyms_btf", .min_ldimm64 = 2 };
FIXTURE_VARIANT_ADD(differential, atomics) { .obj = "atomics", .min_ldimm64 = 7 };
/* SEC("usdt"): BPF_TRACE_UPROBE_MULTI as expected attach type, as libbpf sets
 * it on a kernel with uprobe-multi links; with 0, bpf_get_attach_cookie()
 * becomes another helper and the xlated code differs.
 */
FIXTURE_VARIANT_ADD(differential, test_usdt) { .obj = "test_usdt", .min_ldimm64 = 2 };

TEST_F_TIMEOUT(differential, xlated, E2E_TIMEOUT)
{
	struct bpf_object *bobj, *bobj2 = NULL;
	struct bpf_program *p;
	char path[PATH_MAX];
	struct obj o;
	int err, nprogs = 0, total_masked = 0;

	obj_path(path, sizeof(path), variant->obj);
	bobj = bpf_object__open_file(path, NULL);
	ASSERT_NE(NULL, bobj) TH_LOG("libbpf open %s", path);
	err = bpf_object__load(bobj);
	ASSERT_EQ(0, err) TH_LOG("libbpf load %s: %d", path, err);
	if (oracle()) {
		/* Self-check of the comparison: libbpf against libbpf. */
		bobj2 = bpf_object__open_file(path, NULL);
		ASSERT_NE(NULL, bobj2);
		ASSERT_EQ(0, bpf_object__load(bobj2));
		memset(&o, 0, sizeof(o));
		o.loader = -1;
	} else {
		obj_open(_metadata, &o, variant->obj);
	}

	bpf_object__for_each_program(p, bobj) {
		const char *name = bpf_program__name(p);
		struct xlated a = {}, b = {};
		int fd, masked;

		if (bobj2)
			fd = dup(bpf_program__fd(bpf_object__find_program_by_name(bobj2, name)));
		else
			fd = prog_load_ok(_metadata, o.loader, name);
		ASSERT_LE(0, fd);
		get_xlated(_metadata, bpf_program__fd(p), &a);
		get_xlated(_metadata, fd, &b);
		ASSERT_EQ(0, xlated_diff(_metadata, name, &a, &b, &masked))
			TH_LOG("%s/%s: xlated instructions differ", variant->obj, name);
		ASSERT_EQ(a.nr_func_info, b.nr_func_info) TH_LOG("%s: func_info", name);
		ASSERT_EQ(a.nr_line_info, b.nr_line_info) TH_LOG("%s: line_info", name);
		total_masked += masked;
		nprogs++;
		free(a.insns);
		free(b.insns);
		close(fd);
	}
	ASSERT_LT(0, nprogs);
	ASSERT_LE(variant->min_ldimm64, total_masked);
	bpf_object__close(bobj);
	bpf_object__close(bobj2);
	if (!oracle())
		obj_close(&o);
}

TEST_HARNESS_MAIN
