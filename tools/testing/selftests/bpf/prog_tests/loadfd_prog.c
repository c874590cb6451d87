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
 * Plus what only BPF_LOAD_FD has: .kconfig as /proc/config.gz publishes it,
 * maps supplied by name (and what a supplied map that does not fit gets),
 * the BPF_PROG_LOAD-by-name errors, a BPF-LSM policy on the
 * READING_BPF_OBJECT read, and a differential test against libbpf (xlated
 * instructions of the same programs loaded both ways).
 *
 * (Was the kselftest loadfd/loadfd_prog_test.c; each of its tests is a
 * subtest of the same name here: e2e.X is X, supplied_map.V.rejected is
 * supplied_map_V, by_name.V.prog_load is by_name_V, differential.V.xlated is
 * differential_V.)
 */
#include <test_progs.h>
#include <dirent.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <openssl/evp.h>
#include <zlib.h>
#include <bpf/btf.h>
#include "loadfd_helpers.h"

/* ---- the running kernel ---- */

/* The address /proc/kallsyms gives the vmlinux symbol @name: true and
 * *@addr, or false (the subtest failed).
 */
static bool kallsyms_addr(const char *name, __u64 *addr)
{
	unsigned long long a, found = 0;
	char line[512], sym[256], type;
	bool seen = false;
	FILE *f;

	f = fopen("/proc/kallsyms", "re");
	if (!ASSERT_TRUE(f != NULL, "/proc/kallsyms"))
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &a, &type, sym) != 3 || strcmp(sym, name) ||
		    strchr(line, '['))
			continue;
		found = a;
		seen = true;
		break;
	}
	fclose(f);
	if (!ASSERT_TRUE(seen, name))
		return false;
	/* Per-cpu symbols start at 0 on x86_64; anything else at 0 means the
	 * addresses are hidden.
	 */
	if (strcmp(name, "__per_cpu_start") &&
	    !ASSERT_NEQ(found, 0ULL, "kallsyms address (kptr_restrict?)"))
		return false;
	*addr = found;
	return true;
}

/*
 * The value of @name in /proc/config.gz: 0 and the text after '=' (quotes
 * kept), -ENOENT when it is not set, -EIO (the subtest failed) when there
 * is no /proc/config.gz.
 */
static int kconfig_get(const char *name, char *val, size_t size)
{
	char line[1024];
	size_t n = strlen(name);
	int ret = -ENOENT;
	gzFile f;

	f = gzopen("/proc/config.gz", "rb");
	if (!ASSERT_TRUE(f != NULL, "/proc/config.gz (CONFIG_IKCONFIG_PROC)"))
		return -EIO;
	while (gzgets(f, line, sizeof(line))) {
		if (strncmp(line, name, n) || line[n] != '=')
			continue;
		line[strcspn(line, "\n")] = 0;
		snprintf(val, size, "%s", line + n + 1);
		ret = 0;
		break;
	}
	gzclose(f);
	return ret;
}

static bool kconfig_y(const char *name)
{
	char v[256];

	return kconfig_get(name, v, sizeof(v)) == 0 && !strcmp(v, "y");
}

/* KERNEL_VERSION() of uname -r, the way libbpf computes LINUX_KERNEL_VERSION. */
static __u32 kernel_version(void)
{
	unsigned int a = 0, b = 0, c = 0;
	struct utsname u;

	if (!ASSERT_OK(uname(&u), "uname") ||
	    !ASSERT_GE(sscanf(u.release, "%u.%u.%u", &a, &b, &c), 2, u.release))
		return 0;
	return (a << 16) + (b << 8) + (c > 255 ? 255 : c);
}

/* Any syscall: triggers raw_tp/sys_enter and sys_exit programs. */
static void trigger_syscalls(void)
{
	usleep(1);
	syscall(SYS_getppid);
}

static void trigger_nanosleep(void)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = 1000 };

	syscall(SYS_nanosleep, &ts, NULL);
}

static int raw_tp_open(int prog_fd, const char *tp)
{
	int fd = bpf_raw_tracepoint_open(tp, prog_fd);

	if (!ASSERT_OK_FD(fd, "BPF_RAW_TRACEPOINT_OPEN"))
		printf("raw_tp %s: %s\n", tp ? tp : "(btf)", strerror(-fd));
	return fd < 0 ? -1 : fd;
}

static int link_create(int prog_fd, int target_fd, enum bpf_attach_type type)
{
	int fd = bpf_link_create(prog_fd, target_fd, type, NULL);

	if (!ASSERT_OK_FD(fd, "BPF_LINK_CREATE"))
		printf("BPF_LINK_CREATE type %u: %s\n", type, strerror(-fd));
	return fd < 0 ? -1 : fd;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* The __u32 variable @var, or ~0U (the subtest failed). */
static __u32 var_u32(struct loadfd_obj *o, const char *var)
{
	__u32 v;

	return LOADFD_VAR_GET(o, var, &v) ? ~0U : v;
}

static void set_u32(struct loadfd_obj *o, const char *var, __u32 v)
{
	LOADFD_VAR_SET(o, var, &v);
}

static bool obj_sym(struct loadfd_obj *o, const char *name, struct loadfd_elf_sym *sym)
{
	int err = loadfd_elf_find_sym(o->elf.data, o->elf.len, name, sym);

	if (ASSERT_OK(err, name))
		return true;
	printf("%s: symbol %s: %s\n", o->file, name, strerror(-err));
	return false;
}

/* The map @map of loader @id comes from the object ("created"). */
static void assert_created(int id, const char *map)
{
	char buf[64];

	if (loadfd_sysfs_read(buf, sizeof(buf), LOADFD_SYSFS "/%d/maps/%s/origin", id, map))
		ASSERT_STREQ(buf, "created", map);
}

/* A read-only (BPF_F_RDONLY_PROG), frozen data map: userspace cannot write it. */
static void assert_frozen_rdonly(struct loadfd_obj *o, const char *map)
{
	struct bpf_map_info info;
	char big[512];
	__u32 key = 0;
	int fd, err;

	fd = loadfd_obj_map(o, map);
	if (fd < 0)
		return;
	if (loadfd_map_info(fd, &info)) {
		ASSERT_NEQ(info.map_flags & BPF_F_RDONLY_PROG, 0, "BPF_F_RDONLY_PROG");
		if (ASSERT_LE(info.value_size, sizeof(big), "value size")) {
			memset(big, 0, sizeof(big));
			err = bpf_map_update_elem(fd, &key, big, BPF_ANY);
			ASSERT_EQ(err, -EPERM, "update of a frozen map");
		}
	}
	close(fd);
}

/* ==== features: programs from loader objects, run for real ==== */

/* prog_tests/global_data.c: .data, .rodata, .bss, .rodata.str1.1, with
 * variables at non-zero offsets of their sections.
 */
struct foo {
	__u8 a;
	__u32 b;
	__u64 c;
};

static void e2e_global_data(void)
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
	static const char *const maps[] = {
		"result_number", "result_string", "result_struct",
		".bss", ".data", ".rodata", ".rodata.str1.1",
	};
	struct loadfd_elf_sym sym;
	struct loadfd_obj o;
	char str[32];
	struct foo val;
	__u64 num;
	size_t i;
	int prog = -1, fd;

	if (loadfd_obj_open(&o, "test_global_data.bpf.o"))
		goto out;

	/* Initial bytes of kernel-created data maps, at non-zero offsets. */
	if (!obj_sym(&o, "num4", &sym))
		goto out;
	ASSERT_STREQ(sym.sec, ".data", "num4 section");
	ASSERT_NEQ(sym.value, 0, "num4 offset (0: pick another variable)");
	ASSERT_EQ(loadfd_var_u64(&o, "num4"), 0xffeeffULL, "num4 initial");
	if (!LOADFD_VAR_GET(&o, "str1", &str))
		ASSERT_OK(memcmp(str, "abcdefghijklmnopqrstuvwxyz", 27), "str1 initial");
	if (!LOADFD_VAR_GET(&o, "struct3", &val)) {
		ASSERT_EQ(val.a, 41, "struct3.a");
		ASSERT_EQ(val.b, 0xeeeeefefU, "struct3.b");
		ASSERT_EQ(val.c, 0x2111111111111111ULL, "struct3.c");
	}

	prog = loadfd_obj_prog(&o, "load_static_data");
	if (prog < 0)
		goto out;
	ASSERT_EQ(loadfd_run_skb(prog), 0, "retval (TC_ACT_OK)");

	fd = loadfd_obj_map(&o, "result_number");
	if (fd < 0)
		goto out;
	for (i = 0; i < ARRAY_SIZE(numbers); i++) {
		num = 0xbad;
		ASSERT_OK(bpf_map_lookup_elem(fd, &numbers[i].key, &num), "result_number lookup");
		if (!ASSERT_EQ(num, numbers[i].num, "result_number"))
			printf("result_number[%u]\n", numbers[i].key);
	}
	close(fd);
	fd = loadfd_obj_map(&o, "result_string");
	if (fd < 0)
		goto out;
	for (i = 0; i < ARRAY_SIZE(strings); i++) {
		memset(str, 0x55, sizeof(str));
		ASSERT_OK(bpf_map_lookup_elem(fd, &strings[i].key, str), "result_string lookup");
		if (!ASSERT_OK(memcmp(str, strings[i].str, sizeof(str)), "result_string"))
			printf("result_string[%u]: '%.32s'\n", strings[i].key, str);
	}
	close(fd);
	fd = loadfd_obj_map(&o, "result_struct");
	if (fd < 0)
		goto out;
	for (i = 0; i < ARRAY_SIZE(structs); i++) {
		memset(&val, 0x55, sizeof(val));
		ASSERT_OK(bpf_map_lookup_elem(fd, &structs[i].key, &val), "result_struct lookup");
		if (!ASSERT_OK(memcmp(&val, &structs[i].val, sizeof(val)), "result_struct"))
			printf("result_struct[%u]: { %u, %u, %llu }\n", structs[i].key, val.a,
			       val.b, (unsigned long long)val.c);
	}
	close(fd);

	/* What the program wrote into .data and .bss. */
	ASSERT_EQ(loadfd_var_u64(&o, "num4"), 1234U, "num4 written");
	if (!LOADFD_VAR_GET(&o, "str1", &str))
		ASSERT_OK(memcmp(str, "abcdexghijklmnopqrstuvwxyz", 27), "str1 written");
	if (obj_sym(&o, "str2", &sym)) {
		ASSERT_STREQ(sym.sec, ".bss", "str2 section");
		ASSERT_NEQ(sym.value, 0, "str2 offset");
	}
	if (!LOADFD_VAR_GET(&o, "str2", &str))
		ASSERT_OK(memcmp(str, "\0\0hello", 8), "str2 written");

	/* .rodata is read-only for programs and frozen (global_data_rdonly). */
	assert_frozen_rdonly(&o, ".rodata");

	for (i = 0; i < ARRAY_SIZE(maps); i++)
		assert_created(o.id, maps[i]);
out:
	close_fd(&prog);
	loadfd_obj_close(&o);
}

/* prog_tests/subprogs.c: four programs (two pairs in one section) sharing
 * global and static subprograms, CO-RE in .text, a bpf_loop() callback.
 */
static void e2e_subprogs(void)
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
	int prog[4] = { -1, -1, -1, -1 }, link[4] = { -1, -1, -1, -1 };
	struct bpf_prog_info info;
	struct loadfd_obj o;
	size_t i;

	if (loadfd_obj_open(&o, "test_subprogs.bpf.o"))
		goto out;
	for (i = 0; i < ARRAY_SIZE(progs); i++) {
		ASSERT_EQ(var_u32(&o, progs[i].res), 0, progs[i].res);
		prog[i] = loadfd_obj_prog(&o, progs[i].prog);
		if (prog[i] < 0 || !loadfd_prog_info(prog[i], &info))
			goto out;
		ASSERT_EQ(info.type, BPF_PROG_TYPE_RAW_TRACEPOINT, "prog type");
		/* Every reachable subprogram appended exactly once. */
		ASSERT_EQ(info.nr_func_info, progs[i].nr_func_info, progs[i].prog);
		link[i] = raw_tp_open(prog[i], progs[i].tp);
		if (link[i] < 0)
			goto out;
	}
	trigger_syscalls();
	for (i = 0; i < ARRAY_SIZE(progs); i++)
		close_fd(&link[i]);
	for (i = 0; i < ARRAY_SIZE(progs); i++)
		ASSERT_EQ(var_u32(&o, progs[i].res), progs[i].expect, progs[i].res);
out:
	for (i = 0; i < ARRAY_SIZE(progs); i++) {
		close_fd(&link[i]);
		close_fd(&prog[i]);
	}
	loadfd_obj_close(&o);
}

/* prog_tests/bpf_loop.c, every subtest, on fentry/__x64_sys_nanosleep. */
static bool attach_fentry(struct loadfd_obj *o, const char *name, int *prog, int *link)
{
	close_fd(link);
	close_fd(prog);
	*prog = loadfd_obj_prog(o, name);
	if (*prog < 0)
		return false;
	*link = link_create(*prog, 0, BPF_TRACE_FENTRY);
	return *link >= 0;
}

static void e2e_bpf_loop(void)
{
	int prog = -1, link = -1, key, val, map = -1;
	struct loadfd_obj o;

	if (loadfd_obj_open(&o, "bpf_loop.bpf.o"))
		goto out;
	set_u32(&o, "pid", getpid());

	/* check_nr_loops */
	if (!attach_fentry(&o, "test_prog", &prog, &link))
		goto out;
	set_u32(&o, "nr_loops", 0);
	set_u32(&o, "nr_loops_returned", 77);
	trigger_nanosleep();
	ASSERT_EQ(var_u32(&o, "nr_loops_returned"), 0, "nr_loops 0: returned");
	set_u32(&o, "nr_loops", 500);
	trigger_nanosleep();
	ASSERT_EQ(var_u32(&o, "nr_loops_returned"), 500, "nr_loops 500: returned");
	ASSERT_EQ(var_u32(&o, "g_output"), 500 * 499 / 2, "nr_loops 500: g_output");
	set_u32(&o, "nr_loops", -1);
	trigger_nanosleep();
	ASSERT_EQ(var_u32(&o, "err"), (__u32)-E2BIG, "nr_loops -1: err");

	/* check_callback_fn_stop */
	if (!attach_fentry(&o, "test_prog", &prog, &link))
		goto out;
	set_u32(&o, "nr_loops", 400);
	set_u32(&o, "stop_index", 50);
	trigger_nanosleep();
	ASSERT_EQ(var_u32(&o, "nr_loops_returned"), 51, "stop: returned");
	ASSERT_EQ(var_u32(&o, "g_output"), 50 * 49 / 2, "stop: g_output");

	/* check_null_callback_ctx */
	if (!attach_fentry(&o, "prog_null_ctx", &prog, &link))
		goto out;
	set_u32(&o, "nr_loops", 10);
	trigger_nanosleep();
	ASSERT_EQ(var_u32(&o, "nr_loops_returned"), 10, "null ctx: returned");

	/* check_invalid_flags */
	set_u32(&o, "err", 0);
	if (!attach_fentry(&o, "prog_invalid_flags", &prog, &link))
		goto out;
	trigger_nanosleep();
	ASSERT_EQ(var_u32(&o, "err"), (__u32)-EINVAL, "invalid flags: err");

	/* check_nested_calls */
	if (!attach_fentry(&o, "prog_nested_calls", &prog, &link))
		goto out;
	set_u32(&o, "nr_loops", 100);
	set_u32(&o, "nested_callback_nr_loops", 4);
	trigger_nanosleep();
	ASSERT_EQ(var_u32(&o, "nr_loops_returned"), 100 * 4 * 4, "nested: returned");
	ASSERT_EQ(var_u32(&o, "g_output"), (4 * 3) / 2 * 4 * 100, "nested: g_output");

	/* check_non_constant_callback */
	if (!attach_fentry(&o, "prog_non_constant_callback", &prog, &link))
		goto out;
	set_u32(&o, "callback_selector", 0x0F);
	trigger_nanosleep();
	ASSERT_EQ(var_u32(&o, "g_output"), 0x0F, "callback 0x0F");
	set_u32(&o, "callback_selector", 0xF0);
	trigger_nanosleep();
	ASSERT_EQ(var_u32(&o, "g_output"), 0xF0, "callback 0xF0");

	/* check_stack */
	if (!attach_fentry(&o, "stack_check", &prog, &link))
		goto out;
	map = loadfd_obj_map(&o, "map1");
	if (map < 0)
		goto out;
	for (key = 1; key <= 12; key++) {
		val = key;
		ASSERT_OK(bpf_map_update_elem(map, &key, &val, BPF_NOEXIST), "map1 update");
	}
	trigger_nanosleep();
	for (key = 1; key <= 12; key++) {
		ASSERT_OK(bpf_map_lookup_elem(map, &key, &val), "map1 lookup");
		if (!ASSERT_EQ(val, key + 1, "map1 value"))
			printf("map1[%d]\n", key);
	}
out:
	close_fd(&map);
	close_fd(&link);
	close_fd(&prog);
	loadfd_obj_close(&o);
}

/* prog_tests/ksyms.c: typeless ksyms against /proc/kallsyms. */
static void e2e_ksyms_typeless(void)
{
	__u64 link_fops, per_cpu_start;
	int prog = -1, link;
	struct loadfd_obj o;
	struct stat st;

	loadfd_obj_init(&o);
	if (!kallsyms_addr("bpf_link_fops", &link_fops) ||
	    !kallsyms_addr("__per_cpu_start", &per_cpu_start) ||
	    !ASSERT_OK(stat("/sys/kernel/btf/vmlinux", &st), "stat vmlinux BTF"))
		goto out;

	if (loadfd_obj_open(&o, "test_ksyms.bpf.o"))
		goto out;
	ASSERT_EQ(loadfd_var_u64(&o, "out__bpf_link_fops"), ~0ULL, "before the run");
	prog = loadfd_obj_prog(&o, "handler");
	if (prog < 0)
		goto out;
	link = raw_tp_open(prog, "sys_enter");
	if (link < 0)
		goto out;
	trigger_syscalls();
	close(link);

	ASSERT_EQ(loadfd_var_u64(&o, "out__bpf_link_fops"), link_fops, "bpf_link_fops");
	ASSERT_EQ(loadfd_var_u64(&o, "out__bpf_link_fops1"), 0, "bpf_link_fops1");
	ASSERT_EQ(loadfd_var_u64(&o, "out__btf_size"), st.st_size, "btf_size");
	ASSERT_EQ(loadfd_var_u64(&o, "out__per_cpu_start"), per_cpu_start, "per_cpu_start");
out:
	close_fd(&prog);
	loadfd_obj_close(&o);
}

/* prog_tests/ksyms_btf.c "basic": typed ksyms (BPF_PSEUDO_BTF_ID). */
static void e2e_ksyms_typed(void)
{
	__u64 runqueues, prog_active;
	__u32 rq_cpu, this_rq_cpu;
	int prog = -1, link, active, this_active;
	struct loadfd_obj o;

	loadfd_obj_init(&o);
	if (!kallsyms_addr("runqueues", &runqueues) ||
	    !kallsyms_addr("bpf_prog_active", &prog_active))
		goto out;

	if (loadfd_obj_open(&o, "test_ksyms_btf.bpf.o"))
		goto out;
	prog = loadfd_obj_prog(&o, "handler");
	if (prog < 0)
		goto out;
	link = raw_tp_open(prog, "sys_enter");
	if (link < 0)
		goto out;
	trigger_syscalls();
	close(link);

	ASSERT_EQ(loadfd_var_u64(&o, "out__runqueues_addr"), runqueues, "runqueues");
	ASSERT_EQ(loadfd_var_u64(&o, "out__bpf_prog_active_addr"), prog_active,
		  "bpf_prog_active");
	rq_cpu = var_u32(&o, "out__rq_cpu");
	ASSERT_NEQ(rq_cpu, ~0U, "rq_cpu");
	ASSERT_LT(rq_cpu, (__u32)sysconf(_SC_NPROCESSORS_CONF), "rq_cpu < nr cpus");
	if (!LOADFD_VAR_GET(&o, "out__bpf_prog_active", &active))
		ASSERT_GE(active, 0, "bpf_prog_active");
	ASSERT_EQ(var_u32(&o, "out__cpu_0_rq_cpu"), 0, "cpu_0_rq_cpu");
	this_rq_cpu = var_u32(&o, "out__this_rq_cpu");
	ASSERT_EQ(this_rq_cpu, rq_cpu, "this_rq_cpu");
	if (!LOADFD_VAR_GET(&o, "out__this_bpf_prog_active", &this_active))
		ASSERT_EQ(this_active, active, "this_bpf_prog_active");
out:
	close_fd(&prog);
	loadfd_obj_close(&o);
}

/* prog_tests/ksyms_btf.c "weak_ksyms": existing and missing weak ksyms,
 * typed, typeless and kfuncs (calls to missing ones are dead code).
 */
static void e2e_ksyms_weak(void)
{
	int prog = -1, link, typed;
	struct loadfd_obj o;
	__u64 prog_active;

	loadfd_obj_init(&o);
	if (!kallsyms_addr("bpf_prog_active", &prog_active))
		goto out;
	if (loadfd_obj_open(&o, "test_ksyms_weak.bpf.o"))
		goto out;
	if (!LOADFD_VAR_GET(&o, "out__existing_typed", &typed))
		ASSERT_EQ(typed, -1, "existing_typed before the run");
	prog = loadfd_obj_prog(&o, "pass_handler");
	if (prog < 0)
		goto out;
	link = raw_tp_open(prog, "sys_enter");
	if (link < 0)
		goto out;
	trigger_syscalls();
	close(link);

	if (!LOADFD_VAR_GET(&o, "out__existing_typed", &typed))
		ASSERT_EQ(typed, 0, "existing_typed");
	ASSERT_EQ(loadfd_var_u64(&o, "out__existing_typeless"), prog_active, "existing_typeless");
	ASSERT_EQ(loadfd_var_u64(&o, "out__non_existent_typeless"), 0, "non_existent_typeless");
	ASSERT_EQ(loadfd_var_u64(&o, "out__non_existent_typed"), 0, "non_existent_typed");
out:
	close_fd(&prog);
	loadfd_obj_close(&o);
}

/* .kconfig: bool, tristate, char and int CONFIG_ externs, the LINUX_
 * virtual externs and missing weak ones, from loadfd_kconfig.c.
 */
static void e2e_kconfig(void)
{
	struct loadfd_obj o;
	int prog = -1;
	char hz[64];

	loadfd_obj_init(&o);
	ASSERT_TRUE(kconfig_y("CONFIG_BPF_LOADFD"), "CONFIG_BPF_LOADFD=y");
	ASSERT_TRUE(kconfig_y("CONFIG_BPF_SYSCALL"), "CONFIG_BPF_SYSCALL=y");
	ASSERT_TRUE(kconfig_y("CONFIG_BPF_JIT"), "CONFIG_BPF_JIT=y");
	if (!ASSERT_OK(kconfig_get("CONFIG_HZ", hz, sizeof(hz)), "CONFIG_HZ"))
		goto out;

	if (loadfd_obj_open(&o, "loadfd_kconfig.bpf.o"))
		goto out;
	ASSERT_EQ(loadfd_var_u64(&o, "out_hz"), 0xdead, "out_hz before the run");
	prog = loadfd_obj_prog(&o, "loadfd_kconfig");
	if (prog < 0)
		goto out;
	ASSERT_EQ(loadfd_run_skb(prog), 0, "retval");

	ASSERT_EQ(loadfd_var_u64(&o, "out_loadfd"), 1, "out_loadfd");
	ASSERT_EQ(loadfd_var_u64(&o, "out_syscall_tristate"), 1, "out_syscall_tristate (TRI_YES)");
	ASSERT_EQ(loadfd_var_u64(&o, "out_jit_char"), 'y', "out_jit_char");
	ASSERT_EQ(loadfd_var_u64(&o, "out_hz"), strtoull(hz, NULL, 10), "out_hz");
	ASSERT_EQ(loadfd_var_u64(&o, "out_kernel_version"), kernel_version(),
		  "out_kernel_version");
	ASSERT_EQ(loadfd_var_u64(&o, "out_syscall_wrapper"),
		  kconfig_y("CONFIG_ARCH_HAS_SYSCALL_WRAPPER") ? 1U : 0U, "out_syscall_wrapper");
	ASSERT_EQ(loadfd_var_u64(&o, "out_bpf_cookie"), 1, "out_bpf_cookie");
	ASSERT_EQ(loadfd_var_u64(&o, "out_missing_bool"), 0, "out_missing_bool");
	ASSERT_EQ(loadfd_var_u64(&o, "out_missing_int"), 0, "out_missing_int");

	/* .kconfig is a kernel-created, read-only, frozen map. */
	assert_created(o.id, ".kconfig");
	assert_frozen_rdonly(&o, ".kconfig");
out:
	close_fd(&prog);
	loadfd_obj_close(&o);
}

/* A string .kconfig extern (char array) from loadfd_kconfig_str.c. */
static void e2e_kconfig_string(void)
{
	char want[32], got[32], raw[256];
	struct loadfd_obj o;
	int prog = -1;
	size_t len;

	loadfd_obj_init(&o);
	if (!ASSERT_OK(kconfig_get("CONFIG_DEFAULT_HOSTNAME", raw, sizeof(raw)),
		       "CONFIG_DEFAULT_HOSTNAME"))
		goto out;
	len = strlen(raw);
	if (!ASSERT_TRUE(len >= 2 && raw[0] == '"' && raw[len - 1] == '"', "quoted") ||
	    !ASSERT_GT(sizeof(want), len - 2, "hostname fits"))
		goto out;
	memset(want, 0, sizeof(want));
	memcpy(want, raw + 1, len - 2);

	if (loadfd_obj_open(&o, "loadfd_kconfig_str.bpf.o"))
		goto out;
	prog = loadfd_obj_prog(&o, "loadfd_kconfig_str");
	if (prog < 0)
		goto out;
	ASSERT_EQ(loadfd_run_skb(prog), 0, "retval");
	if (!LOADFD_VAR_GET(&o, "out_hostname", &got) &&
	    !ASSERT_OK(memcmp(want, got, sizeof(got)), "out_hostname"))
		printf("got '%.32s', want '%s'\n", got, want);
out:
	close_fd(&prog);
	loadfd_obj_close(&o);
}

/*
 * .kconfig shows only what /proc/config.gz shows (review L4). With
 * CONFIG_IKCONFIG_PROC the weak externs of loadfd_kconfig_weak.c read the
 * running kernel's values and the strong one of loadfd_kconfig_str.c loads;
 * without it (dev/fuzz-vm.sh's kernel runs this subtest) no CONFIG_* value
 * exists: the weak ones read 0 and the strong one is refused with ENOENT.
 * LINUX_KERNEL_VERSION is the kernel's own either way.
 */
static void e2e_kconfig_published(void)
{
	bool published = access("/proc/config.gz", R_OK) == 0;
	char want[32], got[32], raw[256], log[LOADFD_LOG_SIZE];
	__u64 want_syscall = 0, want_hz = 0;
	int prog = -1, fd, ofd;
	struct loadfd_obj o;

	loadfd_obj_init(&o);
	printf("kconfig_published: /proc/config.gz %s\n", published ? "exists" : "does not exist");
	memset(want, 0, sizeof(want));
	if (published) {
		size_t len;

		want_syscall = kconfig_y("CONFIG_BPF_SYSCALL");
		if (!ASSERT_OK(kconfig_get("CONFIG_HZ", raw, sizeof(raw)), "CONFIG_HZ"))
			goto out;
		want_hz = strtoull(raw, NULL, 10);
		if (!ASSERT_OK(kconfig_get("CONFIG_DEFAULT_HOSTNAME", raw, sizeof(raw)),
			       "CONFIG_DEFAULT_HOSTNAME"))
			goto out;
		len = strlen(raw);
		if (!ASSERT_TRUE(len >= 2 && len - 2 < sizeof(want), "hostname fits"))
			goto out;
		memcpy(want, raw + 1, len - 2);
	}

	if (loadfd_obj_open(&o, "loadfd_kconfig_weak.bpf.o"))
		goto out;
	prog = loadfd_obj_prog(&o, "loadfd_kconfig_weak");
	if (prog < 0)
		goto out;
	ASSERT_EQ(loadfd_run_skb(prog), 0, "retval");
	ASSERT_EQ(loadfd_var_u64(&o, "out_syscall"), want_syscall, "out_syscall");
	ASSERT_EQ(loadfd_var_u64(&o, "out_hz"), want_hz, "out_hz");
	ASSERT_EQ(loadfd_var_u64(&o, "out_kernel_version"), kernel_version(),
		  "out_kernel_version");
	if (!LOADFD_VAR_GET(&o, "out_hostname", &got) &&
	    !ASSERT_OK(memcmp(want, got, sizeof(got)), "out_hostname"))
		printf("got '%.32s', want '%s'\n", got, want);
	close_fd(&prog);
	loadfd_obj_close(&o);

	/* A strong CONFIG_* extern exists only where the config is published. */
	ofd = loadfd_open("loadfd_kconfig_str.bpf.o");
	if (ofd < 0)
		goto out;
	fd = loadfd_raw(ofd, NULL, 0, log, sizeof(log));
	close(ofd);
	if (published) {
		if (!ASSERT_OK_FD(fd, "BPF_LOAD_FD with the config published"))
			printf("BPF_LOAD_FD: %s; log: '%s'\n", strerror(-fd), log);
		else
			close(fd);
	} else {
		if (!ASSERT_EQ(fd, -ENOENT, "BPF_LOAD_FD without the config"))
			printf("BPF_LOAD_FD: %d; log: '%s'\n", fd, log);
		if (fd >= 0)
			close(fd);
		loadfd_one_line(log, "not found in the running kernel ('CONFIG_DEFAULT_HOSTNAME')",
				"log");
	}
out:
	close_fd(&prog);
	loadfd_obj_close(&o);
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

static void e2e_core_reloc_kernel(void)
{
	struct core_reloc_kernel_output *out;
	struct core_reloc_data data;
	char comm[32], want[sizeof(out->comm)];
	int prog = -1, link, i, want_len;
	struct loadfd_obj o;

	loadfd_obj_init(&o);
	if (!ASSERT_OK(loadfd_read_text("/proc/self/comm", comm, sizeof(comm)), "comm"))
		goto out;
	memset(want, 0, sizeof(want));
	memcpy(want, comm, strnlen(comm, sizeof(want) - 1));
	want_len = strlen(comm) + 1 > sizeof(want) ? (int)sizeof(want) : (int)strlen(comm) + 1;

	if (loadfd_obj_open(&o, "test_core_reloc_kernel.bpf.o"))
		goto out;
	if (LOADFD_VAR_GET(&o, "data", &data))
		goto out;
	data.my_pid_tgid = (__u64)getpid() << 32 | (__u32)syscall(SYS_gettid);
	if (LOADFD_VAR_SET(&o, "data", &data))
		goto out;
	prog = loadfd_obj_prog(&o, "test_core_kernel");
	if (prog < 0)
		goto out;
	link = raw_tp_open(prog, "sys_enter");
	if (link < 0)
		goto out;
	trigger_syscalls();
	close(link);

	if (LOADFD_VAR_GET(&o, "data", &data))
		goto out;
	ASSERT_FALSE(data.skip, "skip");
	out = (struct core_reloc_kernel_output *)data.out;
	for (i = 0; i < 10; i++)
		if (!ASSERT_EQ(out->valid[i], 1, "valid"))
			printf("valid[%d]\n", i);
	if (!ASSERT_OK(memcmp(want, out->comm, sizeof(want)), "comm"))
		printf("comm '%.11s', want '%s'\n", out->comm, want);
	ASSERT_EQ(out->comm_len, want_len, "comm_len");
	ASSERT_TRUE(out->local_task_struct_matches, "local_task_struct_matches");
out:
	close_fd(&prog);
	loadfd_obj_close(&o);
}

/* The number of CPUs in /sys/devices/system/cpu/possible ("0-1,4"), or -1. */
static int possible_cpus(void)
{
	char buf[256], *p, *save = NULL;
	int n = 0, a, b;

	if (!ASSERT_OK(loadfd_read_text("/sys/devices/system/cpu/possible", buf, sizeof(buf)),
		       "possible cpus"))
		return -1;
	for (p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		if (sscanf(p, "%d-%d", &a, &b) == 2)
			n += b - a + 1;
		else
			n++;
	}
	return n;
}

static void map_entry(struct bpf_loadfd_map *m, const char *name, int fd)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->fd = fd;
}

/* BPF_LOAD_FD of @file into @o with supplied maps (loadfd_obj_close() it
 * either way): 0 or -1.
 */
static int obj_open_maps(struct loadfd_obj *o, const char *file,
			 const struct bpf_loadfd_map *maps, __u32 map_cnt)
{
	int fd;

	loadfd_obj_init(o);
	o->file = file;
	if (loadfd_bytes_read(file, &o->elf))
		return -1;
	fd = loadfd_open(file);
	if (fd < 0)
		return -1;
	o->loader = loadfd_ok(fd, maps, map_cnt, file);
	close(fd);
	if (o->loader < 0)
		return -1;
	o->id = loadfd_id(o->loader);
	return o->id < 0 ? -1 : 0;
}

/* A perf event array declared without max_entries (most tracing tools) gets
 * one slot per possible CPU, as libbpf's map_set_def_max_entries() does; a
 * supplied one of that size binds.
 */
static void e2e_perf_event_array(void)
{
	struct bpf_map_info info = {};
	int map = -1, prog = -1, link, ncpus;
	struct bpf_loadfd_map m;
	struct loadfd_obj o;

	loadfd_obj_init(&o);
	ncpus = possible_cpus();
	if (ncpus < 0)
		goto out;
	if (loadfd_obj_open(&o, "loadfd_perf_array.bpf.o"))
		goto out;
	map = loadfd_obj_map(&o, "events");
	if (map < 0 || !loadfd_map_info(map, &info))
		goto out;
	ASSERT_EQ(info.max_entries, ncpus, "events max_entries");
	prog = loadfd_obj_prog(&o, "perf_out");
	if (prog < 0)
		goto out;
	link = raw_tp_open(prog, "sys_enter");
	close_fd(&link);
	close_fd(&prog);
	close_fd(&map);
	loadfd_obj_close(&o);

	map = loadfd_map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, ncpus, 0, "events");
	if (map < 0)
		goto out;
	map_entry(&m, "events", map);
	if (obj_open_maps(&o, "loadfd_perf_array.bpf.o", &m, 1))
		goto out;
	ASSERT_EQ(loadfd_sysfs_map_id(o.id, "events"), loadfd_map_id(map), "supplied events");
out:
	close_fd(&prog);
	close_fd(&map);
	loadfd_obj_close(&o);
}

/* Upstream prog_tests/prog_array_init.c: a prog array whose slot 1 the
 * object fills with tailcall_1 (.rel.maps); my_pid set in .rodata before load
 * (here: a supplied frozen .rodata).
 */
static void e2e_prog_array_init(void)
{
	int prog_tc = -1, prog_entry = -1, link = -1, value = 0, ro = -1, arr = -1;
	struct bpf_map_info ref = {};
	struct loadfd_elf_sym sym;
	struct bpf_loadfd_map m;
	unsigned char *val;
	pid_t pid = getpid();
	struct loadfd_obj o;
	__u32 key = 1, id = 0;

	if (loadfd_obj_open(&o, "test_prog_array_init.bpf.o"))
		goto out;
	ro = loadfd_obj_map(&o, ".rodata");
	if (ro < 0 || !loadfd_map_info(ro, &ref) || !obj_sym(&o, "my_pid", &sym))
		goto out;
	close_fd(&ro);
	loadfd_obj_close(&o);
	if (!ASSERT_GE(ref.value_size, sym.value + sizeof(pid), "my_pid in .rodata"))
		goto out;
	val = calloc(1, ref.value_size);
	if (!ASSERT_TRUE(val != NULL, "calloc"))
		goto out;
	memcpy(val + sym.value, &pid, sizeof(pid));
	ro = loadfd_map_like(&ref, val, true);
	free(val);
	if (ro < 0)
		goto out;
	map_entry(&m, ".rodata", ro);
	if (obj_open_maps(&o, "test_prog_array_init.bpf.o", &m, 1))
		goto out;

	/* Loading tailcall_1 by name fills slot 1. */
	prog_tc = loadfd_obj_prog(&o, "tailcall_1");
	if (prog_tc < 0)
		goto out;
	arr = loadfd_obj_map(&o, "prog_array_init");
	if (arr < 0)
		goto out;
	ASSERT_OK(bpf_map_lookup_elem(arr, &key, &id), "prog_array_init[1]");
	ASSERT_EQ(id, loadfd_prog_id(prog_tc), "slot 1 is tailcall_1");
	prog_entry = loadfd_obj_prog(&o, "entry");
	if (prog_entry < 0)
		goto out;
	link = raw_tp_open(prog_entry, "sys_enter");
	if (link < 0)
		goto out;
	usleep(1);
	if (!LOADFD_VAR_GET(&o, "value", &value))
		ASSERT_EQ(value, 42, "value");
out:
	close_fd(&link);
	close_fd(&arr);
	close_fd(&ro);
	close_fd(&prog_entry);
	close_fd(&prog_tc);
	loadfd_obj_close(&o);
}

/* prog_tests/btf_map_in_map.c: outer maps with .rel.maps initial slots,
 * then inner maps swapped from userspace.
 */
static __u32 slot_id(int outer, int key)
{
	__u32 id = 0;

	if (!ASSERT_OK(bpf_map_lookup_elem(outer, &key, &id), "outer map slot"))
		printf("outer map slot %d\n", key);
	return id;
}

static int inner_val(int map)
{
	int key = 0, val = -1;

	ASSERT_OK(bpf_map_lookup_elem(map, &key, &val), "inner map lookup");
	return val;
}

static void e2e_map_in_map(void)
{
	int inner[6] = { -1, -1, -1, -1, -1, -1 }, outer_arr = -1, outer_hash = -1;
	int outer_dyn = -1, outer_sock = -1, sock1 = -1, prog = -1, link = -1;
	int key = 0, input, i;
	struct loadfd_obj o;
	char name[32];
	__u32 id;

	if (loadfd_obj_open(&o, "test_btf_map_in_map.bpf.o"))
		goto out;
	for (i = 1; i <= 5; i++) {
		snprintf(name, sizeof(name), "inner_map%d", i);
		inner[i] = loadfd_obj_map(&o, name);
		if (inner[i] < 0)
			goto out;
	}
	outer_arr = loadfd_obj_map(&o, "outer_arr");
	outer_hash = loadfd_obj_map(&o, "outer_hash");
	outer_dyn = loadfd_obj_map(&o, "outer_arr_dyn");
	outer_sock = loadfd_obj_map(&o, "outer_sockarr");
	sock1 = loadfd_obj_map(&o, "sockarr_sz1");
	if (outer_arr < 0 || outer_hash < 0 || outer_dyn < 0 || outer_sock < 0 || sock1 < 0)
		goto out;

	/* The initial slots from .rel.maps. */
	ASSERT_EQ(slot_id(outer_arr, 0), loadfd_map_id(inner[1]), "outer_arr[0]");
	key = 1;
	ASSERT_EQ(bpf_map_lookup_elem(outer_arr, &key, &id), -ENOENT, "outer_arr[1] unset");
	ASSERT_EQ(slot_id(outer_arr, 2), loadfd_map_id(inner[2]), "outer_arr[2]");
	ASSERT_EQ(slot_id(outer_hash, 0), loadfd_map_id(inner[2]), "outer_hash[0]");
	ASSERT_EQ(slot_id(outer_hash, 4), loadfd_map_id(inner[1]), "outer_hash[4]");
	for (i = 0; i < 3; i++)
		ASSERT_EQ(slot_id(outer_dyn, i), loadfd_map_id(inner[3 + i]), "outer_arr_dyn[i]");
	ASSERT_EQ(slot_id(outer_sock, 0), loadfd_map_id(sock1), "outer_sockarr[0]");

	prog = loadfd_obj_prog(&o, "handle__sys_enter");
	if (prog < 0)
		goto out;
	link = raw_tp_open(prog, "sys_enter");
	if (link < 0)
		goto out;

	/* inner1 = input, inner2 = input + 1, inner3 = input + 2 */
	key = 0;
	ASSERT_OK(bpf_map_update_elem(outer_arr, &key, &inner[1], 0), "outer_arr = inner1");
	ASSERT_OK(bpf_map_update_elem(outer_hash, &key, &inner[2], 0), "outer_hash = inner2");
	ASSERT_OK(bpf_map_update_elem(outer_dyn, &key, &inner[3], 0), "outer_arr_dyn = inner3");
	input = 1;
	LOADFD_VAR_SET(&o, "input", &input);
	trigger_syscalls();
	ASSERT_EQ(inner_val(inner[1]), 1, "inner1");
	ASSERT_EQ(inner_val(inner[2]), 2, "inner2");
	ASSERT_EQ(inner_val(inner[3]), 3, "inner3");

	/* inner2 = input, inner1 = input + 1, inner4 = input + 2 */
	ASSERT_OK(bpf_map_update_elem(outer_arr, &key, &inner[2], 0), "outer_arr = inner2");
	ASSERT_OK(bpf_map_update_elem(outer_hash, &key, &inner[1], 0), "outer_hash = inner1");
	ASSERT_OK(bpf_map_update_elem(outer_dyn, &key, &inner[4], 0), "outer_arr_dyn = inner4");
	input = 3;
	LOADFD_VAR_SET(&o, "input", &input);
	trigger_syscalls();
	ASSERT_EQ(inner_val(inner[1]), 4, "inner1");
	ASSERT_EQ(inner_val(inner[2]), 3, "inner2");
	ASSERT_EQ(inner_val(inner[4]), 5, "inner4");

	/* inner5 = input + 2 */
	ASSERT_OK(bpf_map_update_elem(outer_dyn, &key, &inner[5], 0), "outer_arr_dyn = inner5");
	input = 5;
	LOADFD_VAR_SET(&o, "input", &input);
	trigger_syscalls();
	ASSERT_EQ(inner_val(inner[5]), 7, "inner5");
out:
	close_fd(&link);
	for (i = 1; i <= 5; i++)
		close_fd(&inner[i]);
	close_fd(&outer_arr);
	close_fd(&outer_hash);
	close_fd(&outer_dyn);
	close_fd(&outer_sock);
	close_fd(&sock1);
	close_fd(&prog);
	loadfd_obj_close(&o);
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

static void e2e_kfunc(void)
{
	struct loadfd_kfunc_args args;
	struct bpf_prog_info info;
	struct loadfd_obj o;
	int prog = -1, status;
	pid_t child;

	if (loadfd_obj_open(&o, "loadfd_kfunc.bpf.o"))
		goto out;
	prog = loadfd_obj_prog(&o, "loadfd_task_lookup");
	if (prog < 0 || !loadfd_prog_info(prog, &info))
		goto out;
	ASSERT_EQ(info.type, BPF_PROG_TYPE_SYSCALL, "prog type");

	memset(&args, 0, sizeof(args));
	args.pid = getpid();
	ASSERT_EQ(loadfd_run_ctx(prog, &args, sizeof(args)), 0, "retval (self)");
	ASSERT_EQ(args.found, 1, "found (self)");
	ASSERT_EQ(args.tgid, getpid(), "tgid (self)");
	ASSERT_EQ(args.acquired_tgid, getpid(), "acquired_tgid (self)");

	child = fork();
	if (!ASSERT_GE(child, 0, "fork"))
		goto out;
	if (child == 0) {
		pause();
		_exit(0);
	}
	memset(&args, 0, sizeof(args));
	args.pid = child;
	ASSERT_EQ(loadfd_run_ctx(prog, &args, sizeof(args)), 0, "retval (child)");
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	ASSERT_EQ(args.found, 1, "found (child)");
	ASSERT_EQ(args.tgid, child, "tgid (child)");
	ASSERT_EQ(args.acquired_tgid, child, "acquired_tgid (child)");

	/* No such task: bpf_task_from_pid() returns NULL. */
	memset(&args, 0, sizeof(args));
	args.pid = INT_MAX;
	args.found = 7;
	ASSERT_EQ(loadfd_run_ctx(prog, &args, sizeof(args)), 1, "retval (no task)");
	ASSERT_EQ(args.found, 0, "found (no task)");
out:
	close_fd(&prog);
	loadfd_obj_close(&o);
}

/* prog_tests/fentry_test.c: eight fentry programs whose attach target (and
 * attach_btf_id) comes from the SEC name.
 */
static void e2e_fentry(void)
{
	int prog[8], link[8], i, vmlinux_id;
	struct btf *vmlinux = NULL;
	struct bpf_prog_info info;
	char name[32], buf[64];
	struct loadfd_obj o;

	for (i = 0; i < 8; i++)
		prog[i] = link[i] = -1;
	loadfd_obj_init(&o);
	vmlinux = btf__load_vmlinux_btf();
	if (!ASSERT_OK_PTR(vmlinux, "btf__load_vmlinux_btf")) {
		vmlinux = NULL;
		goto out;
	}
	if (loadfd_obj_open(&o, "fentry_test.bpf.o"))
		goto out;
	for (i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "test%d_result", i + 1);
		ASSERT_EQ(loadfd_var_u64(&o, name), 0, name);
		snprintf(name, sizeof(name), "test%d", i + 1);
		prog[i] = loadfd_obj_prog(&o, name);
		if (prog[i] < 0 || !loadfd_prog_info(prog[i], &info))
			goto out;
		ASSERT_EQ(info.type, BPF_PROG_TYPE_TRACING, "prog type");
		snprintf(name, sizeof(name), "bpf_fentry_test%d", i + 1);
		vmlinux_id = btf__find_by_name_kind(vmlinux, name, BTF_KIND_FUNC);
		ASSERT_GT(vmlinux_id, 0, name);
		ASSERT_EQ(info.attach_btf_id, vmlinux_id, name);
		link[i] = link_create(prog[i], 0, BPF_TRACE_FENTRY);
		if (link[i] < 0)
			goto out;
	}
	if (loadfd_sysfs_read(buf, sizeof(buf), LOADFD_SYSFS "/%d/programs/test1/attach_func",
			      o.id))
		ASSERT_STREQ(buf, "bpf_fentry_test1", "attach_func");
	if (loadfd_sysfs_read(buf, sizeof(buf), LOADFD_SYSFS "/%d/programs/test1/section", o.id))
		ASSERT_STREQ(buf, "fentry/bpf_fentry_test1", "section");
	if (loadfd_sysfs_read(buf, sizeof(buf),
			      LOADFD_SYSFS "/%d/programs/test1/expected_attach_type", o.id))
		ASSERT_EQ(atoi(buf), BPF_TRACE_FENTRY, "expected_attach_type");

	/* bpf_prog_test_run_tracing() calls bpf_fentry_test1..8. */
	ASSERT_EQ(loadfd_run_ctx(prog[0], NULL, 0), 0, "retval");
	for (i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "test%d_result", i + 1);
		ASSERT_EQ(loadfd_var_u64(&o, name), 1, name);
	}
out:
	for (i = 0; i < 8; i++) {
		close_fd(&link[i]);
		close_fd(&prog[i]);
	}
	btf__free(vmlinux);
	loadfd_obj_close(&o);
}

/* prog_tests/atomics.c: every BPF atomic op, run with BPF_PROG_TEST_RUN. */
static void e2e_atomics(void)
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
	struct loadfd_obj o;
	bool skip = true;
	size_t i;
	__u64 v;
	int prog;

	if (loadfd_obj_open(&o, "atomics.bpf.o"))
		goto out;
	LOADFD_VAR_GET(&o, "skip_tests", &skip);
	if (!ASSERT_FALSE(skip, "atomics.bpf.o built with ENABLE_ATOMICS_TESTS"))
		goto out;
	set_u32(&o, "pid", getpid());
	for (i = 0; i < ARRAY_SIZE(progs); i++) {
		prog = loadfd_obj_prog(&o, progs[i]);
		if (prog < 0)
			goto out;
		ASSERT_EQ(loadfd_run_ctx(prog, NULL, 0), 0, progs[i]);
		close(prog);
	}
	for (i = 0; i < ARRAY_SIZE(vals); i++) {
		v = vals[i].size == 8 ? loadfd_var_u64(&o, vals[i].var) : var_u32(&o, vals[i].var);
		ASSERT_EQ(v, vals[i].want, vals[i].var);
	}
out:
	loadfd_obj_close(&o);
}

/* ==== struct_ops ==== */

/* Offset of member @member of struct @tname in @btf, and its index in *@idx;
 * -1 (the subtest failed) if there is none.
 */
static int btf_member_off(const struct btf *btf, const char *tname, const char *member,
			  __u32 *idx)
{
	const struct btf_member *m;
	const struct btf_type *t;
	int id, i;

	id = btf__find_by_name_kind(btf, tname, BTF_KIND_STRUCT);
	if (!ASSERT_GT(id, 0, tname))
		return -1;
	t = btf__type_by_id(btf, id);
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, m++) {
		if (!strcmp(btf__name_by_offset(btf, m->name_off), member)) {
			if (idx)
				*idx = i;
			return btf_member_bit_offset(t, i) / 8;
		}
	}
	ASSERT_FAIL("struct %s has no member %s", tname, member);
	return -1;
}

/* A struct_ops map of value type @vid made by the caller (BPF_MAP_CREATE
 * wants some object BTF for it; the value type is vmlinux's).
 */
static int own_st_ops_map(int vid, __u32 vsize)
{
	LIBBPF_OPTS(bpf_map_create_opts, mo, .btf_vmlinux_value_type_id = vid);
	struct btf *b = btf__new_empty();
	int fd = -1;

	if (!ASSERT_OK_PTR(b, "btf__new_empty"))
		return -1;
	if (ASSERT_GT(btf__add_int(b, "int", 4, BTF_INT_SIGNED), 0, "btf__add_int") &&
	    ASSERT_OK(btf__load_into_kernel(b), "btf__load_into_kernel")) {
		mo.btf_fd = btf__fd(b);
		fd = bpf_map_create(BPF_MAP_TYPE_STRUCT_OPS, "own", 4, vsize, 1, &mo);
		if (!ASSERT_OK_FD(fd, "struct_ops map"))
			fd = -1;
	}
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
static void e2e_struct_ops_dummy(void)
{
	struct dummy_ops_state state = { .val = 0xbeef };
	__u64 args[1] = { (unsigned long)&state };
	int doff, off1, off2, offs, vid, tid;
	int t1 = -1, t2 = -1, ts = -1, t1b = -1, map = -1, own = -1;
	__u32 vsize, idx2 = 0, zero = 0;
	struct btf *vmlinux;
	struct bpf_prog_info pinfo;
	struct bpf_map_info minfo;
	struct loadfd_obj o, other;
	char buf[64], want[16];
	__u64 *value = NULL;

	loadfd_obj_init(&o);
	loadfd_obj_init(&other);
	vmlinux = btf__load_vmlinux_btf();
	if (!ASSERT_OK_PTR(vmlinux, "btf__load_vmlinux_btf")) {
		vmlinux = NULL;
		goto out;
	}
	vid = btf__find_by_name_kind(vmlinux, "bpf_struct_ops_bpf_dummy_ops", BTF_KIND_STRUCT);
	tid = btf__find_by_name_kind(vmlinux, "bpf_dummy_ops", BTF_KIND_STRUCT);
	if (!ASSERT_GT(vid, 0, "bpf_struct_ops_bpf_dummy_ops") ||
	    !ASSERT_GT(tid, 0, "bpf_dummy_ops"))
		goto out;
	vsize = btf__type_by_id(vmlinux, vid)->size;
	doff = btf_member_off(vmlinux, "bpf_struct_ops_bpf_dummy_ops", "data", NULL);
	off1 = btf_member_off(vmlinux, "bpf_dummy_ops", "test_1", NULL);
	off2 = btf_member_off(vmlinux, "bpf_dummy_ops", "test_2", &idx2);
	offs = btf_member_off(vmlinux, "bpf_dummy_ops", "test_sleepable", NULL);
	if (doff < 0 || off1 < 0 || off2 < 0 || offs < 0)
		goto out;
	off1 += doff;
	off2 += doff;
	offs += doff;

	if (loadfd_obj_open(&o, "dummy_st_ops_success.bpf.o"))
		goto out;
	assert_created(o.id, "dummy_1");
	/* The member is the program's expected_attach_type, as libbpf sets it. */
	snprintf(want, sizeof(want), "%u", idx2);
	if (loadfd_sysfs_read(buf, sizeof(buf),
			      LOADFD_SYSFS "/%d/programs/test_2/expected_attach_type", o.id))
		ASSERT_STREQ(buf, want, "test_2 expected_attach_type");
	map = loadfd_obj_map(&o, "dummy_1");
	if (map < 0 || !loadfd_map_info(map, &minfo))
		goto out;
	ASSERT_EQ(minfo.type, BPF_MAP_TYPE_STRUCT_OPS, "map type");
	ASSERT_EQ(minfo.value_size, vsize, "value size");
	ASSERT_EQ(minfo.btf_vmlinux_value_type_id, vid, "btf_vmlinux_value_type_id");
	ASSERT_EQ(minfo.map_flags & BPF_F_LINK, 0, "no BPF_F_LINK");

	t1 = loadfd_obj_prog(&o, "test_1");
	t2 = loadfd_obj_prog(&o, "test_2");
	ts = loadfd_obj_prog(&o, "test_sleepable");
	if (t1 < 0 || t2 < 0 || ts < 0 || !loadfd_prog_info(t1, &pinfo))
		goto out;
	ASSERT_EQ(pinfo.type, BPF_PROG_TYPE_STRUCT_OPS, "prog type");
	ASSERT_EQ(pinfo.attach_btf_id, tid, "attach_btf_id");
	/* dummy_st_ops' test_1: returns the state's value, sets it to 0x5a. */
	ASSERT_EQ(loadfd_run_ctx(t1, args, sizeof(args)), 0xbeef, "test_1 retval");
	ASSERT_EQ(state.val, 0x5a, "state.val");

	value = calloc(1, vsize);
	if (!ASSERT_TRUE(value != NULL, "calloc"))
		goto out;
	/* The object names three programs: none is not its value. */
	ASSERT_EQ(bpf_map_update_elem(map, &zero, value, 0), -EINVAL, "update without programs");
	/* Its programs in its members: every check passes and bpf_dummy_ops,
	 * which registers nowhere, says so (as for libbpf's map).
	 */
	value[off1 / 8] = t1;
	value[off2 / 8] = t2;
	value[offs / 8] = ts;
	ASSERT_EQ(bpf_map_update_elem(map, &zero, value, 0), -EOPNOTSUPP,
		  "update with its programs");
	/* The same program loaded from another loader object of the file. */
	if (loadfd_obj_open(&other, "dummy_st_ops_success.bpf.o"))
		goto out;
	t1b = loadfd_obj_prog(&other, "test_1");
	if (t1b < 0)
		goto out;
	value[off1 / 8] = t1b;
	ASSERT_EQ(bpf_map_update_elem(map, &zero, value, 0), -EINVAL,
		  "update with another loader's test_1");
	/* A map the caller made itself takes that program (so the EINVAL
	 * above is the loader's check), and any value at all.
	 */
	own = own_st_ops_map(vid, vsize);
	if (own < 0)
		goto out;
	ASSERT_EQ(bpf_map_update_elem(own, &zero, value, 0), -EOPNOTSUPP, "own map update");
	memset(value, 0, vsize);
	ASSERT_EQ(bpf_map_update_elem(own, &zero, value, 0), -EOPNOTSUPP,
		  "own map update, empty value");
out:
	free(value);
	close_fd(&own);
	close_fd(&t1b);
	close_fd(&t1);
	close_fd(&t2);
	close_fd(&ts);
	close_fd(&map);
	loadfd_obj_close(&other);
	loadfd_obj_close(&o);
	btf__free(vmlinux);
}

/* The u32 variable @name of @bo's .bss (mapped: the kernel map's memory),
 * or ~0U (the subtest failed).
 */
static __u32 bss_u32(struct bpf_object *bo, const char *name)
{
	struct bpf_map *bss = bpf_object__find_map_by_name(bo, ".bss");
	const struct btf *btf = bpf_object__btf(bo);
	const struct btf_var_secinfo *v;
	const struct btf_type *ds;
	__u8 *mem;
	size_t sz;
	int id, i;

	if (!ASSERT_OK_PTR(bss, ".bss map") || !ASSERT_TRUE(btf != NULL, "object BTF"))
		return ~0U;
	mem = bpf_map__initial_value(bss, &sz);
	id = btf__find_by_name_kind(btf, ".bss", BTF_KIND_DATASEC);
	if (!ASSERT_TRUE(mem != NULL, ".bss memory") || !ASSERT_GT(id, 0, ".bss DATASEC"))
		return ~0U;
	ds = btf__type_by_id(btf, id);
	v = btf_var_secinfos(ds);
	for (i = 0; i < btf_vlen(ds); i++, v++) {
		const struct btf_type *vt = btf__type_by_id(btf, v->type);

		if (!strcmp(btf__name_by_offset(btf, vt->name_off), name))
			return *(__u32 *)(mem + v->offset);
	}
	ASSERT_FAIL("no .bss variable %s", name);
	return ~0U;
}

/* BPF_PROG_LOAD of @name by name with a level-1 log in @log: fd or -errno. */
static int prog_load_log(int loader, const char *name, char *log, __u32 size)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .loader_fd = loader, .loader_prog_name = name,
		    .log_level = LOADFD_LOG_LEVEL1, .log_buf = log, .log_size = size);

	log[0] = 0;
	return bpf_prog_load(BPF_PROG_TYPE_UNSPEC, NULL, NULL, NULL, 0, &opts);
}

/* A struct_ops program no map of the object names has no target. */
static void st_ops_unused_refused(void)
{
	char log[LOADFD_LOG_SIZE];
	int lfd, loader, fd;

	lfd = loadfd_open("loadfd_st_ops_mod.bpf.o");
	if (lfd < 0)
		return;
	loader = loadfd_ok(lfd, NULL, 0, "loadfd_st_ops_mod.bpf.o");
	close(lfd);
	if (loader < 0)
		return;
	fd = prog_load_log(loader, "loadfd_mod_unused", log, sizeof(log));
	ASSERT_EQ(fd, -EINVAL, "loadfd_mod_unused");
	if (fd >= 0)
		close(fd);
	loadfd_one_line(log, "no struct_ops map of the object uses this struct_ops program", "log");
	close(loader);
}

/*
 * struct_ops of a module (bpf_testmod_ops, prog_tests/test_struct_ops_module.c
 * with the object as it is): the map's value type is in bpf_testmod's BTF.
 * bpf_testmod's reg() runs test_1() and test_2(4, data), so the results show
 * which programs and data were registered.
 */
static void e2e_struct_ops_module(void)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .kernel_loader = true);
	struct btf *vmlinux = NULL, *mod = NULL;
	struct bpf_map *lmap, *nmap;
	struct bpf_link *link;
	struct bpf_map_info info;
	struct bpf_btf_info binfo;
	struct bpf_object *bo;
	char bname[64];
	__u32 blen = sizeof(binfo), vsize, zero = 0;
	int fd, vid, t1, t2, doff, off1, offd;
	__u64 *value = NULL;

	if (!env.has_testmod) {
		printf("bpf_testmod.ko is not loaded\n");
		test__skip();
		return;
	}
	bo = bpf_object__open_file("loadfd_st_ops_mod.bpf.o", &oo);
	if (!ASSERT_OK_PTR(bo, "open loadfd_st_ops_mod.bpf.o"))
		return;
	if (!ASSERT_OK(bpf_object__load(bo), "bpf_object__load"))
		goto out;
	lmap = bpf_object__find_map_by_name(bo, "loadfd_testmod");
	nmap = bpf_object__find_map_by_name(bo, "loadfd_testmod_nolink");
	if (!ASSERT_OK_PTR(lmap, "loadfd_testmod") || !ASSERT_OK_PTR(nmap, "loadfd_testmod_nolink"))
		goto out;

	/* The value type is the module's. */
	if (!loadfd_map_info(bpf_map__fd(lmap), &info))
		goto out;
	ASSERT_EQ(info.type, BPF_MAP_TYPE_STRUCT_OPS, "map type");
	ASSERT_EQ(info.map_flags & BPF_F_LINK, BPF_F_LINK, "BPF_F_LINK");
	ASSERT_GT(info.btf_vmlinux_id, 0, "btf_vmlinux_id");
	fd = bpf_btf_get_fd_by_id(info.btf_vmlinux_id);
	if (!ASSERT_OK_FD(fd, "module BTF"))
		goto out;
	memset(&binfo, 0, sizeof(binfo));
	memset(bname, 0, sizeof(bname));
	binfo.name = ptr_to_u64(bname);
	binfo.name_len = sizeof(bname);
	ASSERT_OK(bpf_btf_get_info_by_fd(fd, &binfo, &blen), "BTF info");
	ASSERT_STREQ(bname, "bpf_testmod", "BTF name");
	close(fd);

	link = bpf_map__attach_struct_ops(lmap);
	if (!ASSERT_OK_PTR(link, "attach loadfd_testmod"))
		goto out;
	ASSERT_EQ(bss_u32(bo, "test_1_result"), 0xdeadbeef, "test_1_result");
	ASSERT_EQ(bss_u32(bo, "test_2_result"), 4 + 7, "test_2_result");
	ASSERT_OK(bpf_link__destroy(link), "detach");

	/* The .struct_ops map registers on BPF_MAP_UPDATE_ELEM: with its own
	 * data only. Value layout from the module's BTF, as libbpf builds it.
	 */
	vmlinux = btf__load_vmlinux_btf();
	if (!ASSERT_OK_PTR(vmlinux, "btf__load_vmlinux_btf")) {
		vmlinux = NULL;
		goto out;
	}
	mod = btf__load_module_btf("bpf_testmod", vmlinux);
	if (!ASSERT_OK_PTR(mod, "btf__load_module_btf")) {
		mod = NULL;
		goto out;
	}
	vid = btf__find_by_name_kind(mod, "bpf_struct_ops_bpf_testmod_ops", BTF_KIND_STRUCT);
	if (!ASSERT_GT(vid, 0, "bpf_struct_ops_bpf_testmod_ops"))
		goto out;
	vsize = btf__type_by_id(mod, vid)->size;
	doff = btf_member_off(mod, "bpf_struct_ops_bpf_testmod_ops", "data", NULL);
	off1 = btf_member_off(mod, "bpf_testmod_ops", "test_1", NULL);
	offd = btf_member_off(mod, "bpf_testmod_ops", "data", NULL);
	if (doff < 0 || off1 < 0 || offd < 0)
		goto out;
	off1 += doff;
	offd += doff;
	value = calloc(1, vsize);
	if (!ASSERT_TRUE(value != NULL, "calloc"))
		goto out;
	t1 = bpf_program__fd(bpf_object__find_program_by_name(bo, "loadfd_mod_test_1"));
	t2 = bpf_program__fd(bpf_object__find_program_by_name(bo, "loadfd_mod_test_2"));
	if (!ASSERT_OK_FD(t1, "loadfd_mod_test_1") || !ASSERT_OK_FD(t2, "loadfd_mod_test_2"))
		goto out;
	value[off1 / 8] = t1;
	*(__u32 *)((__u8 *)value + offd) = 10;
	ASSERT_EQ(bpf_map_update_elem(bpf_map__fd(nmap), &zero, value, 0), -EINVAL,
		  "update with other data");
	/* Another program of the same type where the object puts test_1. */
	value[off1 / 8] = t2;
	*(__u32 *)((__u8 *)value + offd) = 9;
	ASSERT_EQ(bpf_map_update_elem(bpf_map__fd(nmap), &zero, value, 0), -EINVAL,
		  "update with another program");

	link = bpf_map__attach_struct_ops(nmap);
	if (ASSERT_OK_PTR(link, "attach loadfd_testmod_nolink"))
		ASSERT_OK(bpf_link__destroy(link), "detach");

	st_ops_unused_refused();
out:
	free(value);
	btf__free(mod);
	btf__free(vmlinux);
	bpf_object__close(bo);
}

/* ==== arenas, partial objects ==== */

/*
 * __arena variables (loadfd_arena.c): the kernel writes their initial values
 * at the start of the arena once the arena has a user address (the caller's
 * mmap(), as libbpf maps it before loading programs); a program loaded by
 * name before that is refused with the reason. Then the same through
 * libbpf's kernel_loader.
 */
static void e2e_arena(void)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .kernel_loader = true);
	long page = sysconf(_SC_PAGESIZE);
	struct loadfd_elf_sym counter, buf;
	char log[LOADFD_LOG_SIZE];
	struct bpf_object *bo = NULL;
	int map = -1, prog = -1, err;
	struct loadfd_obj o;
	__u8 *mem = MAP_FAILED;
	struct bpf_map *am;
	size_t sz;

	if (loadfd_obj_open(&o, "loadfd_arena.bpf.o") ||
	    !obj_sym(&o, "loadfd_arena_counter", &counter) ||
	    !obj_sym(&o, "loadfd_arena_buf", &buf))
		goto out;
	ASSERT_STREQ(counter.sec, ".addr_space.1", "counter section");

	err = prog_load_log(o.loader, "loadfd_arena_inc", log, sizeof(log));
	ASSERT_EQ(err, -EINVAL, "load before mmap()");
	if (err >= 0)
		close(err);
	loadfd_one_line(log, "arena 'arena' has no user address yet: mmap() it", "log");

	map = loadfd_obj_map(&o, "arena");
	if (map < 0)
		goto out;
	mem = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_SHARED, map, 0);
	if (!ASSERT_NEQ((void *)mem, MAP_FAILED, "mmap arena"))
		goto out;
	prog = loadfd_obj_prog(&o, "loadfd_arena_inc");
	if (prog < 0)
		goto out;
	/* The file's values, then the program's changes, in the caller's
	 * mapping of the arena.
	 */
	ASSERT_EQ(*(int *)(mem + counter.value), 41, "counter (file)");
	ASSERT_EQ(mem[buf.value + 4999], 3, "buf[4999] (file)");
	ASSERT_EQ(loadfd_run_ctx(prog, NULL, 0), 42, "first run");
	ASSERT_EQ(loadfd_run_ctx(prog, NULL, 0), 43, "second run");
	ASSERT_EQ(*(int *)(mem + counter.value), 43, "counter");
	ASSERT_EQ(mem[buf.value + 4999], 11, "buf[4999]");
	close_fd(&prog);
	munmap(mem, 4 * page);
	mem = MAP_FAILED;
	close_fd(&map);
	loadfd_obj_close(&o);

	bo = bpf_object__open_file("loadfd_arena.bpf.o", &oo);
	if (!ASSERT_OK_PTR(bo, "open (kernel_loader)")) {
		bo = NULL;
		goto out;
	}
	if (!ASSERT_OK(bpf_object__load(bo), "bpf_object__load"))
		goto out;
	err = bpf_program__fd(bpf_object__find_program_by_name(bo, "loadfd_arena_inc"));
	if (!ASSERT_OK_FD(err, "loadfd_arena_inc"))
		goto out;
	ASSERT_EQ(loadfd_run_ctx(err, NULL, 0), 42, "run (kernel_loader)");
	am = bpf_object__find_map_by_name(bo, "arena");
	if (!ASSERT_OK_PTR(am, "arena map"))
		goto out;
	mem = bpf_map__initial_value(am, &sz);
	if (ASSERT_TRUE(mem != NULL, "arena memory")) {
		ASSERT_EQ(*(int *)(mem + counter.value), 42, "counter (kernel_loader)");
		ASSERT_EQ(mem[buf.value + 4999], 7, "buf[4999] (kernel_loader)");
	}
	mem = MAP_FAILED;
out:
	if (mem != MAP_FAILED)
		munmap(mem, 4 * page);
	close_fd(&prog);
	close_fd(&map);
	bpf_object__close(bo);
	loadfd_obj_close(&o);
}

/*
 * An object with a program that cannot be linked (loadfd_partial.c): as
 * libbpf relocates only the programs it loads, BPF_LOAD_FD accepts the
 * object, says why that program cannot be loaded, and its by-name load fails
 * with the reason while the other program loads.
 */
static void e2e_partial_object(void)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .kernel_loader = true);
	static char llog[64 * 1024];
	char log[LOADFD_LOG_SIZE], buf[300];
	struct bpf_object *bo = NULL;
	int fd, loader = -1, prog, id;

	fd = loadfd_open("loadfd_partial.bpf.o");
	if (fd < 0)
		return;
	loader = loadfd_raw(fd, NULL, 0, llog, sizeof(llog));
	close(fd);
	if (!ASSERT_OK_FD(loader, "BPF_LOAD_FD")) {
		printf("BPF_LOAD_FD: %s: %s\n", strerror(-loader), llog);
		return;
	}
	loadfd_one_line(llog, "prog 'loadfd_partial_bad' cannot be loaded: link: ", "loader log");
	id = loadfd_id(loader);
	if (id < 0)
		goto out;
	if (loadfd_sysfs_read(buf, sizeof(buf),
			      LOADFD_SYSFS "/%d/programs/loadfd_partial_bad/error", id) &&
	    !ASSERT_OK(strncmp(buf, "link: ", 6), "loadfd_partial_bad error"))
		printf("error '%s'\n", buf);
	if (loadfd_sysfs_read(buf, sizeof(buf), LOADFD_SYSFS "/%d/programs/loadfd_partial_ok/error",
			      id))
		ASSERT_STREQ(buf, "", "loadfd_partial_ok error");

	prog = loadfd_prog_ok(loader, "loadfd_partial_ok");
	if (prog < 0)
		goto out;
	ASSERT_EQ(loadfd_run_skb(prog), 7, "loadfd_partial_ok retval");
	close(prog);
	prog = prog_load_log(loader, "loadfd_partial_bad", log, sizeof(log));
	ASSERT_EQ(prog, -EINVAL, "loadfd_partial_bad");
	if (prog >= 0)
		close(prog);
	loadfd_one_line(log, "prog 'loadfd_partial_bad': link: ", "log");

	/* libbpf's kernel_loader, with the broken program not autoloaded. */
	bo = bpf_object__open_file("loadfd_partial.bpf.o", &oo);
	if (!ASSERT_OK_PTR(bo, "open (kernel_loader)")) {
		bo = NULL;
		goto out;
	}
	bpf_program__set_autoload(bpf_object__find_program_by_name(bo, "loadfd_partial_bad"),
				  false);
	if (!ASSERT_OK(bpf_object__load(bo), "bpf_object__load"))
		goto out;
	prog = bpf_program__fd(bpf_object__find_program_by_name(bo, "loadfd_partial_ok"));
	if (ASSERT_OK_FD(prog, "loadfd_partial_ok (kernel_loader)"))
		ASSERT_EQ(loadfd_run_skb(prog), 7, "retval (kernel_loader)");
out:
	bpf_object__close(bo);
	close_fd(&loader);
}

/* ==== sched_ext, libbpf's kernel_loader, bpftool ==== */

/* The sum over CPUs of key @key of the per-CPU u64 array @map. */
static __u64 percpu_sum(int map, __u32 key)
{
	int n = libbpf_num_possible_cpus(), i;
	__u64 *v, sum = 0;

	if (!ASSERT_GT(n, 0, "possible cpus"))
		return 0;
	v = calloc(n, sizeof(*v));
	if (!ASSERT_TRUE(v != NULL, "calloc"))
		return 0;
	if (ASSERT_OK(bpf_map_lookup_elem(map, &key, v), "per-cpu lookup"))
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
		if (!loadfd_read_text("/sys/kernel/sched_ext/state", buf, sizeof(buf)) &&
		    !strcmp(buf, want))
			return true;
		usleep(10000);
	}
	return false;
}

/* The id of the loader object whose map @map has id @id, or -1. */
static int loader_of_map(const char *map, __u32 id)
{
	char path[PATH_MAX], buf[32];
	struct dirent *e;
	int found = -1;
	DIR *d;

	d = opendir(LOADFD_SYSFS);
	if (!d)
		return -1;
	while ((e = readdir(d)) && found < 0) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), LOADFD_SYSFS "/%s/maps/%s/id", e->d_name, map);
		if (!loadfd_read_text(path, buf, sizeof(buf)) && strtoul(buf, NULL, 10) == id)
			found = atoi(e->d_name);
	}
	closedir(d);
	return found;
}

/*
 * A sched_ext scheduler from the 6.12 tree (tools/sched_ext/scx_simple.bpf.c)
 * through libbpf's kernel_loader, as scx_simple's own loader would use it:
 * the kernel creates the .struct_ops.link map, loads its programs by name,
 * and bpf_map__attach_struct_ops() enables it; tasks are then scheduled by
 * it (its statistics count them). A value other than the file's, changed
 * before load, is refused. test_progs does not build scx_simple.bpf.o:
 * loadfd/Makefile does, into $LOADFD_OBJDIR (dev/guest-tests.sh sets it).
 * Enables a scheduler for every task: the test is serial.
 */
static void e2e_struct_ops_sched_ext(void)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .kernel_loader = true);
	const char *dir = getenv("LOADFD_OBJDIR");
	struct bpf_object *bo = NULL;
	struct bpf_link *link;
	struct bpf_map *ops, *stats;
	char path[PATH_MAX], buf[64];
	int i, off, loader, status, err;
	void *data;
	size_t sz;
	pid_t pid;
	__u32 id;

	if (access("/sys/kernel/sched_ext/state", F_OK)) {
		printf("no sched_ext (CONFIG_SCHED_CLASS_EXT)\n");
		test__skip();
		return;
	}
	if (!dir) {
		printf("LOADFD_OBJDIR (where loadfd/Makefile put scx_simple.bpf.o) is not set\n");
		test__skip();
		return;
	}
	snprintf(path, sizeof(path), "%s/scx_simple.bpf.o", dir);
	if (!ASSERT_TRUE(scx_state_is("disabled"), "sched_ext disabled"))
		return;

	/* The struct_ops data is the file's: a timeout set before load is
	 * refused when the struct_ops is attached.
	 */
	bo = bpf_object__open_file(path, &oo);
	if (!ASSERT_OK_PTR(bo, path)) {
		bo = NULL;
		goto out;
	}
	ops = bpf_object__find_map_by_name(bo, "simple_ops");
	if (!ASSERT_OK_PTR(ops, "simple_ops"))
		goto out;
	data = bpf_map__initial_value(ops, &sz);
	off = btf_member_off(bpf_object__btf(bo), "sched_ext_ops", "timeout_ms", NULL);
	if (!ASSERT_TRUE(data != NULL, "simple_ops value") || off < 0)
		goto out;
	ASSERT_EQ(*(__u32 *)(data + off), 0, "timeout_ms in the file");
	*(__u32 *)(data + off) = 5000;
	if (!ASSERT_OK(bpf_object__load(bo), "bpf_object__load"))
		goto out;
	link = bpf_map__attach_struct_ops(ops);
	err = errno;
	if (!ASSERT_NULL(link, "attach with a changed timeout_ms")) {
		bpf_link__destroy(link);
		goto out;
	}
	ASSERT_EQ(err, EINVAL, "errno");
	ASSERT_TRUE(scx_state_is("disabled"), "still disabled");
	bpf_object__close(bo);

	bo = bpf_object__open_file(path, &oo);
	if (!ASSERT_OK_PTR(bo, path)) {
		bo = NULL;
		goto out;
	}
	if (!ASSERT_OK(bpf_object__load(bo), "bpf_object__load"))
		goto out;
	ops = bpf_object__find_map_by_name(bo, "simple_ops");
	stats = bpf_object__find_map_by_name(bo, "stats");
	if (!ASSERT_OK_PTR(ops, "simple_ops") || !ASSERT_OK_PTR(stats, "stats"))
		goto out;
	ASSERT_EQ(bpf_map__map_flags(ops) & BPF_F_LINK, BPF_F_LINK, "BPF_F_LINK");
	id = loadfd_map_id(bpf_map__fd(ops));
	loader = loader_of_map("simple_ops", id);
	if (!ASSERT_GE(loader, 0, "loader object of simple_ops"))
		goto out;
	assert_created(loader, "simple_ops");

	link = bpf_map__attach_struct_ops(ops);
	if (!ASSERT_OK_PTR(link, "attach"))
		goto out;
	ASSERT_TRUE(scx_state_is("enabled"), "sched_ext enabled");
	if (ASSERT_OK(loadfd_read_text("/sys/kernel/sched_ext/root/ops", buf, sizeof(buf)),
		      "root/ops"))
		ASSERT_STREQ(buf, "simple", "root/ops");
	/* Work for the scheduler: tasks that wake up, run and sleep. */
	for (i = 0; i < 20; i++) {
		pid = fork();
		if (!ASSERT_GE(pid, 0, "fork"))
			break;
		if (!pid) {
			usleep(1000);
			_exit(0);
		}
		ASSERT_EQ(waitpid(pid, &status, 0), pid, "waitpid");
	}
	ASSERT_GT(percpu_sum(bpf_map__fd(stats), 0) + percpu_sum(bpf_map__fd(stats), 1), 0,
		  "tasks scheduled by scx_simple");
	ASSERT_OK(bpf_link__destroy(link), "detach");
	ASSERT_TRUE(scx_state_is("disabled"), "sched_ext disabled again");
out:
	bpf_object__close(bo);
}

static void e2e_libbpf_kernel_loader(void)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .kernel_loader = true);
	struct bpf_map *rodata, *data, *hash;
	struct bpf_map_info info;
	struct bpf_object *bo;
	int prog, loader;
	char buf[128];
	__u32 *cfg;
	__u8 *big;
	size_t sz;

	bo = bpf_object__open_file("loadfd_truth.bpf.o", &oo);
	if (!ASSERT_OK_PTR(bo, "open loadfd_truth.bpf.o"))
		return;
	rodata = bpf_object__find_map_by_name(bo, ".rodata");
	data = bpf_object__find_map_by_name(bo, ".data");
	hash = bpf_object__find_map_by_name(bo, "truth_hash");
	if (!ASSERT_OK_PTR(rodata, ".rodata") || !ASSERT_TRUE(data != NULL, ".data") ||
	    !ASSERT_OK_PTR(hash, "truth_hash"))
		goto out;
	cfg = bpf_map__initial_value(rodata, &sz);
	if (!ASSERT_TRUE(cfg != NULL, ".rodata value"))
		goto out;
	ASSERT_EQ(*cfg, 7, "cfg in the file");
	*cfg = 9;
	big = bpf_map__initial_value(data, &sz);
	if (!ASSERT_TRUE(big != NULL, ".data value") ||
	    !ASSERT_EQ(sz, (size_t)1 << 20, ".data size"))
		goto out;
	big[1] = 3;
	ASSERT_OK(bpf_map__set_max_entries(hash, 1024), "set_max_entries");
	if (!ASSERT_OK(bpf_object__load(bo), "bpf_object__load"))
		goto out;

	prog = bpf_program__fd(bpf_object__find_program_by_name(bo, "truth_cfg_ret"));
	if (!ASSERT_OK_FD(prog, "truth_cfg_ret"))
		goto out;
	ASSERT_EQ(loadfd_run_skb(prog), 12, "retval: .rodata 9 + .data 3");
	/* .data is the kernel's map now, mapped where the image was. */
	big = bpf_map__initial_value(data, &sz);
	if (!ASSERT_TRUE(big != NULL, ".data mapped"))
		goto out;
	big[1] = 5;
	ASSERT_EQ(loadfd_run_skb(prog), 14, "retval: .rodata 9 + .data 5");
	prog = bpf_program__fd(bpf_object__find_program_by_name(bo, "truth_kver"));
	if (ASSERT_OK_FD(prog, "truth_kver"))
		ASSERT_EQ(loadfd_run_skb(prog), kernel_version(), "LINUX_KERNEL_VERSION");
	if (!loadfd_map_info(bpf_map__fd(hash), &info))
		goto out;
	ASSERT_EQ(info.max_entries, 1024, "truth_hash max_entries");

	/* The kernel's record: one loader object, both declarations. */
	loader = loader_of_map("truth_hash", info.id);
	if (!ASSERT_GE(loader, 0, "loader object of truth_hash"))
		goto out;
	if (loadfd_sysfs_read(buf, sizeof(buf), LOADFD_SYSFS "/%d/maps/truth_hash/origin", loader))
		ASSERT_STREQ(buf, "resized 1024 (file: 16)", "truth_hash origin");
	if (loadfd_sysfs_read(buf, sizeof(buf), LOADFD_SYSFS "/%d/maps/.rodata/origin", loader))
		ASSERT_STREQ(buf, "supplied", ".rodata origin");
	assert_created(loader, ".data");
	if (loadfd_sysfs_read(buf, sizeof(buf), LOADFD_SYSFS "/%d/overrides", loader) &&
	    !ASSERT_OK(strncmp(buf, "2 ", 2), "overrides"))
		printf("overrides '%s'\n", buf);
	bpf_object__close(bo);
	bo = NULL;
	ASSERT_LT(loader_of_map("truth_hash", info.id), 0, "the loader went with the object");
out:
	bpf_object__close(bo);
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

/* @out (bpftool's output) contains @want; frees nothing. */
static void assert_has(const char *out, const char *want, const char *cmd)
{
	if (!ASSERT_TRUE(strstr(out, want) != NULL, cmd))
		printf("'%s' lacks %s\n", out, want);
}

/*
 * bpftool with patch "bpftool: loader objects" ($LOADFD_BPFTOOL, which
 * dev/guest-tests.sh sets): loader show lists a live loader object (JSON),
 * prog show names the loader a program came from, and prog loadall ...
 * kernel_loader loads through BPF_LOAD_FD.
 */
static void e2e_bpftool_loader(void)
{
	const char *bpftool = getenv("LOADFD_BPFTOOL");
	char cmd[PATH_MAX * 2], want[160], sha[80], cwd[PATH_MAX];
	char dir[] = "/sys/fs/bpf/loadfd_bpftool_XXXXXX";
	struct loadfd_obj o;
	int prog = -1;
	char *out;
	__u32 id;

	loadfd_obj_init(&o);
	if (!bpftool) {
		printf("LOADFD_BPFTOOL (a bpftool with the loader commands) is not set\n");
		test__skip();
		return;
	}
	if (loadfd_obj_open(&o, "loadfd_map_ref.bpf.o"))
		goto out;
	prog = loadfd_obj_prog(&o, "loadfd_count");
	if (prog < 0)
		goto out;
	id = loadfd_prog_id(prog);
	if (!loadfd_sysfs_read(sha, sizeof(sha), LOADFD_SYSFS "/%d/sha256", o.id))
		goto out;

	snprintf(cmd, sizeof(cmd), "%s -j loader show %d", bpftool, o.id);
	out = run_capture(cmd);
	if (!ASSERT_TRUE(out != NULL, cmd))
		goto out;
	snprintf(want, sizeof(want), "\"sha256\":\"%s\"", sha);
	assert_has(out, want, cmd);
	assert_has(out, "\"name\":\"loadfd_count\"", cmd);
	snprintf(want, sizeof(want), "\"prog_ids\":[%u]", id);
	assert_has(out, want, cmd);
	free(out);

	snprintf(cmd, sizeof(cmd), "%s -j prog show id %u", bpftool, id);
	out = run_capture(cmd);
	if (!ASSERT_TRUE(out != NULL, cmd))
		goto out;
	snprintf(want, sizeof(want), "\"loader_id\":%d,\"loader_prog\":\"loadfd_count\"", o.id);
	assert_has(out, want, cmd);
	free(out);
	close_fd(&prog);
	loadfd_obj_close(&o);

	/* prog loadall ... kernel_loader: through BPF_LOAD_FD, pinned. */
	if (!ASSERT_TRUE(mkdtemp(dir) != NULL, "mkdtemp on bpffs") ||
	    !ASSERT_OK(rmdir(dir), "rmdir") ||
	    !ASSERT_TRUE(getcwd(cwd, sizeof(cwd)) != NULL, "getcwd"))
		goto out;
	snprintf(cmd, sizeof(cmd), "%s prog loadall %s/loadfd_map_ref.bpf.o %s kernel_loader 2>&1",
		 bpftool, cwd, dir);
	out = run_capture(cmd);
	if (!ASSERT_TRUE(out != NULL, cmd))
		goto out;
	free(out);
	snprintf(cmd, sizeof(cmd), "%s/loadfd_count", dir);
	prog = bpf_obj_get(cmd);
	if (ASSERT_OK_FD(prog, cmd))
		ASSERT_EQ(loadfd_run_skb(prog), 0, "retval");
	ASSERT_OK(unlink(cmd), "unlink pin");
	ASSERT_OK(rmdir(dir), "rmdir pin dir");
out:
	close_fd(&prog);
	loadfd_obj_close(&o);
}

/* ==== LIBBPF_PIN_BY_NAME maps and a pin directory ==== */

/* BPF_LOAD_FD of loadfd_pin with @dir_fd as pin directory (-1: none):
 * loader fd or -errno, the log in @log (LOADFD_LOG_SIZE bytes).
 */
static int load_pin_obj(int dir_fd, __u32 flags, const struct bpf_loadfd_map *maps,
			__u32 map_cnt, char *log)
{
	LIBBPF_OPTS(bpf_load_fd_opts, opts, .maps = maps, .map_cnt = map_cnt,
		    .log_level = LOADFD_LOG_LEVEL1, .log_buf = log, .log_size = LOADFD_LOG_SIZE);
	int ofd, fd;

	if (dir_fd >= 0) {
		opts.flags = flags;
		opts.pin_path_fd = dir_fd;
	}
	log[0] = 0;
	ofd = loadfd_open("loadfd_pin.bpf.o");
	if (ofd < 0)
		return -EBADF;
	fd = bpf_load_fd(ofd, &opts);
	close(ofd);
	return fd;
}

/* loadfd_pin loaded with the pin directory @dir_fd into @o: 0 or -1. */
static int pin_obj_open(struct loadfd_obj *o, int dir_fd, char *log)
{
	int fd;

	loadfd_obj_init(o);
	o->file = "loadfd_pin.bpf.o";
	if (loadfd_bytes_read(o->file, &o->elf))
		return -1;
	fd = load_pin_obj(dir_fd, BPF_F_PATH_FD, NULL, 0, log);
	if (!ASSERT_OK_FD(fd, "BPF_LOAD_FD with a pin directory")) {
		printf("BPF_LOAD_FD: %s; log: '%s'\n", strerror(-fd), log);
		return -1;
	}
	o->loader = fd;
	o->id = loadfd_id(fd);
	return o->id < 0 ? -1 : 0;
}

/* A refused load_pin_obj(): -EINVAL and a one-line log containing @needle. */
static void pin_refused(int fd, const char *log, const char *needle, const char *what)
{
	if (!ASSERT_EQ(fd, -EINVAL, what))
		printf("%s: log '%s'\n", what, log);
	if (fd >= 0)
		close(fd);
	loadfd_one_line(log, needle, what);
}

static __u64 slot_u64(int map, __u32 key)
{
	__u64 v = 0xbad;

	ASSERT_OK(bpf_map_lookup_elem(map, &key, &v), "map lookup");
	return v;
}

/*
 * As libbpf with a pin root: a map marked LIBBPF_PIN_BY_NAME is pinned in
 * the directory the first load names and reused (same map) by the next;
 * an incompatible pin, a directory that is not on bpffs, or none at all is
 * refused with a reason, and a failed load leaves no pin behind.
 */
static void e2e_pin_by_name(void)
{
	char dir[] = "/sys/fs/bpf/loadfd_pin_XXXXXX", pin[PATH_MAX], buf[128];
	int dir_fd = -1, tmp_fd, pin_fd = -1, other = -1, prog, fd, n;
	static char log[LOADFD_LOG_SIZE];
	struct bpf_loadfd_map m;
	struct loadfd_obj a, b;
	bool made = false;
	__u32 key = 0;
	pid_t pid;
	__u64 v;

	loadfd_obj_init(&a);
	loadfd_obj_init(&b);
	if (!ASSERT_TRUE(mkdtemp(dir) != NULL, "mkdtemp on bpffs (mounted?)"))
		return;
	made = true;
	snprintf(pin, sizeof(pin), "%s/loadfd_pinned", dir);
	dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (!ASSERT_OK_FD(dir_fd, dir))
		goto out;

	/* No directory: refused, not loaded without its pin. */
	fd = load_pin_obj(-1, 0, NULL, 0, log);
	pin_refused(fd, log,
		    "maps: 'loadfd_pinned': pinning by name needs a BPF filesystem directory",
		    "no directory");
	fd = load_pin_obj(dir_fd, 0, NULL, 0, log);
	pin_refused(fd, log, "pin_path_fd set without BPF_F_PATH_FD", "no BPF_F_PATH_FD");
	tmp_fd = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (!ASSERT_OK_FD(tmp_fd, "/tmp"))
		goto out;
	fd = load_pin_obj(tmp_fd, BPF_F_PATH_FD, NULL, 0, log);
	close(tmp_fd);
	pin_refused(fd, log, "not a directory of a BPF filesystem", "/tmp");

	/* A load that fails after creating loadfd_pinned pins nothing. */
	other = loadfd_map_create(BPF_MAP_TYPE_HASH, 4, 8, 1, 0, "loadfd_other");
	if (other < 0)
		goto out;
	map_entry(&m, "loadfd_unpinned", other);
	fd = load_pin_obj(dir_fd, BPF_F_PATH_FD, &m, 1, log);
	pin_refused(fd, log, "maps: 'loadfd_unpinned': supplied map", "unfit supplied map");
	ASSERT_NEQ(access(pin, F_OK), 0, "no pin after a failed load");
	close_fd(&other);

	/* The loader fd cannot be installed (EMFILE) after the pin was made:
	 * the pin is undone.
	 */
	pid = fork();
	if (!ASSERT_GE(pid, 0, "fork"))
		goto out;
	if (pid == 0) {
		LIBBPF_OPTS(bpf_load_fd_opts, opts, .flags = BPF_F_PATH_FD, .pin_path_fd = dir_fd);
		struct rlimit rl = { 64, 64 };
		int ofd;

		ofd = open("loadfd_pin.bpf.o", O_RDONLY | O_CLOEXEC);
		if (ofd < 0 || ofd >= 64 || dir_fd >= 64 || setrlimit(RLIMIT_NOFILE, &rl))
			_exit(2);
		while (dup(dir_fd) >= 0)
			;
		_exit(bpf_load_fd(ofd, &opts) == -EMFILE ? 0 : 1);
	}
	ASSERT_EQ(waitpid(pid, &n, 0), pid, "waitpid");
	if (!ASSERT_TRUE(WIFEXITED(n) && WEXITSTATUS(n) == 0, "EMFILE child"))
		printf("child status 0x%x\n", n);
	ASSERT_NEQ(access(pin, F_OK), 0, "no pin after EMFILE");

	/* First load: created and pinned; the other map is not pinned. */
	if (pin_obj_open(&a, dir_fd, log))
		goto out;
	if (loadfd_sysfs_read(buf, sizeof(buf), LOADFD_SYSFS "/%d/maps/loadfd_pinned/origin", a.id))
		ASSERT_STREQ(buf, "created, pinned", "loadfd_pinned origin");
	assert_created(a.id, "loadfd_unpinned");
	if (loadfd_sysfs_read(buf, sizeof(buf), LOADFD_SYSFS "/%d/overrides", a.id) &&
	    !ASSERT_OK(strncmp(buf, "0 ", 2), "overrides (first load)"))
		printf("overrides '%s'\n", buf);
	pin_fd = bpf_obj_get(pin);
	if (!ASSERT_OK_FD(pin_fd, pin))
		goto out;
	ASSERT_EQ(loadfd_map_id(pin_fd), loadfd_sysfs_map_id(a.id, "loadfd_pinned"),
		  "the pin is the loader's map");
	snprintf(buf, sizeof(buf), "%s/loadfd_unpinned", dir);
	ASSERT_NEQ(access(buf, F_OK), 0, "loadfd_unpinned not pinned");
	prog = loadfd_obj_prog(&a, "loadfd_pin_count");
	if (prog < 0)
		goto out;
	ASSERT_EQ(loadfd_run_skb(prog), 0, "retval (first)");
	close(prog);

	/* Second load: the pinned map is reused, the other one is its own. */
	if (pin_obj_open(&b, dir_fd, log))
		goto out;
	if (loadfd_sysfs_read(buf, sizeof(buf), LOADFD_SYSFS "/%d/maps/loadfd_pinned/origin", b.id))
		ASSERT_STREQ(buf, "reused", "loadfd_pinned origin (second)");
	ASSERT_EQ(loadfd_sysfs_map_id(a.id, "loadfd_pinned"),
		  loadfd_sysfs_map_id(b.id, "loadfd_pinned"), "the same pinned map");
	ASSERT_NEQ(loadfd_sysfs_map_id(a.id, "loadfd_unpinned"),
		   loadfd_sysfs_map_id(b.id, "loadfd_unpinned"), "its own unpinned map");
	/* Reusing a pin is declared like a supplied map. */
	if (loadfd_sysfs_read(buf, sizeof(buf), LOADFD_SYSFS "/%d/overrides", b.id) &&
	    !ASSERT_OK(strncmp(buf, "1 ", 2), "overrides (second load)"))
		printf("overrides '%s'\n", buf);
	prog = loadfd_obj_prog(&b, "loadfd_pin_count");
	if (prog < 0)
		goto out;
	ASSERT_EQ(loadfd_run_skb(prog), 0, "retval (second)");
	close(prog);
	ASSERT_OK(bpf_map_lookup_elem(pin_fd, &key, &v), "pinned map lookup");
	ASSERT_EQ(v, 2, "both programs count in the pinned map");
	fd = loadfd_obj_map(&b, "loadfd_unpinned");
	if (fd >= 0) {
		ASSERT_EQ(slot_u64(fd, 0), 1, "loadfd_unpinned[0]");
		close(fd);
	}
	loadfd_obj_close(&b);
	loadfd_obj_close(&a);
	close_fd(&pin_fd);

	/* An incompatible map pinned under the name: refused, as libbpf does. */
	if (!ASSERT_OK(unlink(pin), "unlink pin"))
		goto out;
	other = loadfd_map_create(BPF_MAP_TYPE_ARRAY, 4, 4, 1, 0, "loadfd_other");
	if (other < 0 || !ASSERT_OK(bpf_obj_pin(other, pin), "pin another map"))
		goto out;
	fd = load_pin_obj(dir_fd, BPF_F_PATH_FD, NULL, 0, log);
	pin_refused(fd, log, "maps: 'loadfd_pinned': pinned map (type 2 key 4 value 4 max 1",
		    "incompatible pin");
	close_fd(&other);

	/* Something pinned there that is not a map: refused too. */
	if (!ASSERT_OK(unlink(pin), "unlink pin") || !ASSERT_OK(mkdir(pin, 0700), "mkdir"))
		goto out;
	fd = load_pin_obj(dir_fd, BPF_F_PATH_FD, NULL, 0, log);
	pin_refused(fd, log, "maps: 'loadfd_pinned': the pinned map cannot be reused (-22)",
		    "not a map");
	ASSERT_OK(rmdir(pin), "rmdir");
out:
	close_fd(&other);
	close_fd(&pin_fd);
	loadfd_obj_close(&b);
	loadfd_obj_close(&a);
	close_fd(&dir_fd);
	if (made) {
		unlink(pin);
		rmdir(pin);
		ASSERT_OK(rmdir(dir), "rmdir pin directory");
	}
}

/* ==== maps supplied by name, bound by reference ==== */

/*
 * "counter" is supplied; then the caller's fd for it is closed and another
 * map is dup2()'d onto the same number before BPF_PROG_LOAD: the program
 * must still update the original map (bound when BPF_LOAD_FD ran).
 */
static void e2e_maps_by_reference(void)
{
	int fd_a, fd_b = -1, fd_a2 = -1, prog = -1, i;
	struct bpf_prog_info info;
	struct bpf_loadfd_map m;
	__u32 id_a, id_b, ids[4], len = sizeof(info);
	struct loadfd_obj o;
	char buf[64];

	loadfd_obj_init(&o);
	fd_a = loadfd_map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0, "counter_a");
	if (fd_a < 0)
		return;
	id_a = loadfd_map_id(fd_a);
	map_entry(&m, "counter", fd_a);
	if (obj_open_maps(&o, "loadfd_map_ref.bpf.o", &m, 1))
		goto out;
	if (loadfd_sysfs_read(buf, sizeof(buf), LOADFD_SYSFS "/%d/maps/counter/origin", o.id))
		ASSERT_STREQ(buf, "supplied", "counter origin");
	ASSERT_EQ(loadfd_sysfs_map_id(o.id, "counter"), id_a, "counter is the supplied map");
	ASSERT_EQ(loadfd_fdinfo(o.loader, "maps"), 1, "fdinfo maps");

	/*
	 * dup2() another map over the caller's fd: the number now names map B
	 * and the caller holds no fd of map A at all.
	 */
	fd_b = loadfd_map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0, "counter_b");
	if (fd_b < 0 || !ASSERT_NEQ(fd_a, fd_b, "another fd") ||
	    !ASSERT_EQ(dup2(fd_b, fd_a), fd_a, "dup2"))
		goto out;
	ASSERT_OK(close(fd_b), "close");
	fd_b = fd_a;
	fd_a = -1;
	id_b = loadfd_map_id(fd_b);
	ASSERT_NEQ(id_b, id_a, "another map under the fd");

	prog = loadfd_obj_prog(&o, "loadfd_count");
	if (prog < 0)
		goto out;
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = ARRAY_SIZE(ids);
	info.map_ids = ptr_to_u64(ids);
	if (!ASSERT_OK(bpf_prog_get_info_by_fd(prog, &info, &len), "prog info"))
		goto out;
	ASSERT_EQ(info.nr_map_ids, 1, "nr_map_ids");
	ASSERT_EQ(ids[0], id_a, "the program uses the supplied map");
	ASSERT_STREQ(info.name, "loadfd_count", "prog name");

	for (i = 0; i < 3; i++)
		ASSERT_EQ(loadfd_run_skb(prog), 0, "retval");
	ASSERT_EQ(slot_u64(fd_b, 0), 0, "the dup2()'d map untouched [0]");
	ASSERT_EQ(slot_u64(fd_b, 1), 0, "the dup2()'d map untouched [1]");
	fd_a2 = bpf_map_get_fd_by_id(id_a);
	if (!ASSERT_OK_FD(fd_a2, "BPF_MAP_GET_FD_BY_ID"))
		goto out;
	ASSERT_EQ(slot_u64(fd_a2, 0), 3, "supplied map [0]");
	ASSERT_EQ(slot_u64(fd_a2, 1), sizeof(loadfd_pkt), "supplied map [1]");

	/* The program outlives the loader object and keeps the map. */
	loadfd_obj_close(&o);
	ASSERT_EQ(loadfd_run_skb(prog), 0, "retval after close");
	ASSERT_EQ(slot_u64(fd_a2, 0), 4, "supplied map [0] after close");
	ASSERT_EQ(slot_u64(fd_b, 0), 0, "the dup2()'d map untouched after close");
out:
	close_fd(&prog);
	close_fd(&fd_a2);
	close_fd(&fd_b);
	close_fd(&fd_a);
	loadfd_obj_close(&o);
}

/* A supplied map that does not fit, or a bad maps[] entry. */
enum bad_map {
	BAD_MAX_ENTRIES, BAD_VALUE_SIZE, BAD_TYPE, BAD_FLAGS, BAD_NOT_A_MAP,
	BAD_UNKNOWN_NAME, BAD_ENTRY_FLAGS, BAD_EMPTY_NAME,
};

static const struct {
	const char *name;
	enum bad_map kind;
	int err;
	const char *needle;
	const char *needle2;
} supplied_map[] = {
	{ "supplied_map_max_entries", BAD_MAX_ENTRIES, EINVAL, "'counter'", "match" },
	{ "supplied_map_value_size", BAD_VALUE_SIZE, EINVAL, "'counter'", "match" },
	{ "supplied_map_map_type", BAD_TYPE, EINVAL, "'counter'", "match" },
	{ "supplied_map_map_flags", BAD_FLAGS, EINVAL, "'counter'", "match" },
	{ "supplied_map_not_a_map", BAD_NOT_A_MAP, EINVAL, "'counter'", "not a map" },
	{ "supplied_map_unknown_name", BAD_UNKNOWN_NAME, EINVAL, "no map 'nosuchmap'", "maps[1]" },
	{ "supplied_map_entry_flags", BAD_ENTRY_FLAGS, EINVAL, "maps[0]", "flags" },
	{ "supplied_map_empty_name", BAD_EMPTY_NAME, EINVAL, "maps[0]", "name" },
};

static void supplied_map_rejected(int v)
{
	char log[LOADFD_LOG_SIZE];
	struct bpf_loadfd_map m[2];
	int good, other = -1, obj_fd = -1, ret;
	__u32 cnt = 1;

	good = loadfd_map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0, "counter");
	if (good < 0)
		return;
	switch (supplied_map[v].kind) {
	case BAD_MAX_ENTRIES:
		other = loadfd_map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 8, 0, "c");
		break;
	case BAD_VALUE_SIZE:
		other = loadfd_map_create(BPF_MAP_TYPE_ARRAY, 4, 4, 4, 0, "c");
		break;
	case BAD_TYPE:
		other = loadfd_map_create(BPF_MAP_TYPE_HASH, 4, 8, 4, 0, "c");
		break;
	case BAD_FLAGS:
		other = loadfd_map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_MMAPABLE, "c");
		break;
	case BAD_NOT_A_MAP:
		other = loadfd_tmp_file("x", 1);
		break;
	default:
		other = dup(good);
		ASSERT_OK_FD(other, "dup");
		break;
	}
	if (other < 0)
		goto out;
	map_entry(&m[0], "counter", other);
	if (supplied_map[v].kind == BAD_UNKNOWN_NAME) {
		map_entry(&m[0], "counter", good);
		map_entry(&m[1], "nosuchmap", other);
		cnt = 2;
	} else if (supplied_map[v].kind == BAD_ENTRY_FLAGS) {
		m[0].flags = 1u << 1;	/* not a known BPF_LOADFD_MAP_* flag */
	} else if (supplied_map[v].kind == BAD_EMPTY_NAME) {
		m[0].name[0] = 0;
	}

	obj_fd = loadfd_open("loadfd_map_ref.bpf.o");
	if (obj_fd < 0)
		goto out;
	ret = loadfd_raw(obj_fd, m, cnt, log, sizeof(log));
	if (!ASSERT_EQ(ret, -supplied_map[v].err, "BPF_LOAD_FD"))
		printf("got %d (%s); log: '%s'\n", ret, ret < 0 ? strerror(-ret) : "a loader", log);
	if (ret >= 0)
		close(ret);
	loadfd_one_line(log, supplied_map[v].needle, "log");
	if (!ASSERT_HAS_SUBSTR(log, supplied_map[v].needle2, "log"))
		printf("log '%s' lacks '%s'\n", log, supplied_map[v].needle2);

	/* Control: the same call with the good map loads. */
	map_entry(&m[0], "counter", good);
	ret = loadfd_raw(obj_fd, m, 1, log, sizeof(log));
	if (!ASSERT_OK_FD(ret, "control"))
		printf("control: %s; log: '%s'\n", strerror(-ret), log);
	else
		close(ret);
out:
	close_fd(&obj_fd);
	close_fd(&other);
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
static void dir_list(const char *path, char *buf, size_t size)
{
	struct dirent **ents;
	size_t len = 0;
	int n, i;

	buf[0] = 0;
	n = scandir(path, &ents, NULL, alphasort);
	if (!ASSERT_GE(n, 0, path))
		return;
	for (i = 0; i < n; i++) {
		if (strcmp(ents[i]->d_name, ".") && strcmp(ents[i]->d_name, ".."))
			len += snprintf(buf + len, len < size ? size - len : 0, "%s%s",
					len ? " " : "", ents[i]->d_name);
		free(ents[i]);
	}
	free(ents);
}

static void sha256_hex(const void *data, size_t len, char hex[65])
{
	unsigned char d[32];
	unsigned int n = sizeof(d);
	int i;

	if (!ASSERT_EQ(EVP_Digest(data, len, d, &n, EVP_sha256(), NULL), 1, "EVP_Digest") ||
	    !ASSERT_EQ(n, 32, "digest size"))
		memset(d, 0, sizeof(d));
	for (i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", d[i]);
}

/* The sysfs file @dir/@file is @want. */
static void assert_sysfs(const char *dir, const char *file, const char *want)
{
	char buf[256];

	if (loadfd_sysfs_read(buf, sizeof(buf), "%s/%s", dir, file))
		ASSERT_STREQ(buf, want, file);
}

static void e2e_sysfs(void)
{
	char hex[65], buf[256], want[256], dir[128];
	int fd, prog1 = -1, prog2 = -1, dup_fd, map = -1;
	struct loadfd_bytes bytes = {};
	struct bpf_map_info info;
	struct loadfd_elf_sym sym;
	struct loadfd_obj o, o2;
	struct stat st;

	loadfd_obj_init(&o);
	loadfd_obj_init(&o2);
	/* The test's own SHA-256 first. */
	sha256_hex("abc", 3, hex);
	ASSERT_STREQ(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		     "sha256(abc)");
	sha256_hex("", 0, hex);
	ASSERT_STREQ(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		     "sha256()");

	/* From a private copy, so dev/ino are those of a plain file. */
	if (loadfd_bytes_read("loadfd_map_ref.bpf.o", &bytes))
		return;
	fd = loadfd_tmp_file(bytes.data, bytes.len);
	if (fd < 0 || !ASSERT_OK(fstat(fd, &st), "fstat"))
		goto out;
	sha256_hex(bytes.data, bytes.len, hex);
	o.file = "loadfd_map_ref.bpf.o";
	o.elf = bytes;
	bytes.data = NULL;
	o.loader = loadfd_ok(fd, NULL, 0, "a copy of loadfd_map_ref.bpf.o");
	close(fd);
	if (o.loader < 0)
		goto out;
	o.id = loadfd_id(o.loader);
	if (o.id < 0)
		goto out;

	snprintf(dir, sizeof(dir), LOADFD_SYSFS "/%d", o.id);
	snprintf(want, sizeof(want), "%d", o.id);
	assert_sysfs(dir, "id", want);
	assert_sysfs(dir, "license", "GPL");
	snprintf(want, sizeof(want), "%u:%u", major(st.st_dev), minor(st.st_dev));
	assert_sysfs(dir, "dev", want);
	snprintf(want, sizeof(want), "%llu", (unsigned long long)st.st_ino);
	assert_sysfs(dir, "ino", want);
	assert_sysfs(dir, "sha256", hex);
	ASSERT_EQ(loadfd_fdinfo(o.loader, "progs"), 1, "fdinfo progs");
	ASSERT_EQ(loadfd_fdinfo(o.loader, "maps"), 1, "fdinfo maps");

	/* programs/<name>/ */
	snprintf(buf, sizeof(buf), "%s/programs", dir);
	dir_list(buf, want, sizeof(want));
	ASSERT_STREQ(want, "loadfd_count", "programs/");
	assert_sysfs(dir, "programs/loadfd_count/section", "tc");
	if (loadfd_sysfs_read(buf, sizeof(buf), "%s/programs/loadfd_count/prog_type", dir))
		ASSERT_EQ(atoi(buf), BPF_PROG_TYPE_SCHED_CLS, "prog_type");
	assert_sysfs(dir, "programs/loadfd_count/attach_func", "");
	if (obj_sym(&o, "loadfd_count", &sym)) {
		ASSERT_EQ(sym.type, STT_FUNC, "loadfd_count is a function");
		if (loadfd_sysfs_read(buf, sizeof(buf), "%s/programs/loadfd_count/insn_cnt", dir))
			ASSERT_EQ(strtoull(buf, NULL, 10), sym.size / 8, "insn_cnt");
	}
	assert_sysfs(dir, "programs/loadfd_count/prog_ids", "");

	/* maps/<name>/ */
	snprintf(buf, sizeof(buf), "%s/maps", dir);
	dir_list(buf, want, sizeof(want));
	ASSERT_STREQ(want, "counter", "maps/");
	assert_sysfs(dir, "maps/counter/origin", "created");
	map = loadfd_obj_map(&o, "counter");
	if (map < 0 || !loadfd_map_info(map, &info))
		goto out;
	ASSERT_EQ(info.type, BPF_MAP_TYPE_ARRAY, "map type");
	ASSERT_EQ(info.key_size, 4, "key_size");
	ASSERT_EQ(info.value_size, 8, "value_size");
	ASSERT_EQ(info.max_entries, 4, "max_entries");
	ASSERT_STREQ(info.name, "counter", "map name");

	/* prog_ids lists every program loaded from it. */
	prog1 = loadfd_obj_prog(&o, "loadfd_count");
	prog2 = loadfd_obj_prog(&o, "loadfd_count");
	if (prog1 < 0 || prog2 < 0)
		goto out;
	snprintf(want, sizeof(want), "%u %u", loadfd_prog_id(prog1), loadfd_prog_id(prog2));
	assert_sysfs(dir, "programs/loadfd_count/prog_ids", want);
	ASSERT_EQ(loadfd_run_skb(prog1), 0, "retval prog1");
	ASSERT_EQ(loadfd_run_skb(prog2), 0, "retval prog2");
	ASSERT_EQ(slot_u64(map, 0), 2, "counter[0]");

	/* A second loader of the same file: its own id, directory and maps. */
	if (loadfd_obj_open(&o2, "loadfd_map_ref.bpf.o"))
		goto out;
	ASSERT_NEQ(o.id, o2.id, "another loader id");
	ASSERT_NEQ(loadfd_sysfs_map_id(o.id, "counter"), loadfd_sysfs_map_id(o2.id, "counter"),
		   "another counter map");
	snprintf(buf, sizeof(buf), LOADFD_SYSFS "/%d", o2.id);
	loadfd_obj_close(&o2);
	ASSERT_TRUE(dir_gone(buf), "the other loader's directory gone after close()");
	ASSERT_OK(stat(dir, &st), "this loader's directory still there");

	/* The directory lives as long as the file: dup() keeps it. */
	dup_fd = dup(o.loader);
	if (!ASSERT_OK_FD(dup_fd, "dup"))
		goto out;
	close_fd(&o.loader);
	ASSERT_OK(stat(dir, &st), "the directory stays while a dup of the loader fd is open");
	ASSERT_EQ(loadfd_id(dup_fd), o.id, "loadfd_id of the dup");
	close(dup_fd);
	ASSERT_TRUE(dir_gone(dir), "the directory gone after the last close()");

	/* Programs and maps outlive the loader object. */
	ASSERT_EQ(loadfd_run_skb(prog1), 0, "retval after close");
	ASSERT_EQ(slot_u64(map, 0), 3, "counter[0] after close");
out:
	close_fd(&prog1);
	close_fd(&prog2);
	close_fd(&map);
	loadfd_bytes_free(&bytes);
	loadfd_obj_close(&o2);
	loadfd_obj_close(&o);
}

/* ==== BPF_PROG_LOAD by name: what it refuses ==== */

struct by_name_ctx {
	int loader;
	int map_fd;
	int file_fd;
	int closed_fd;
};

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
	snprintf(a->prog_name, sizeof(a->prog_name), "renamed");
}

#define CONTRADICTS "attr sets fields the loader object provides"

static const struct {
	const char *name;
	void (*mutate)(union bpf_attr *attr, const char **name, struct by_name_ctx *c);
	int err;		/* 0: loads */
	const char *needle;
} by_name[] = {
	{ "by_name_defaults", mut_none, 0 },
	{ "by_name_matching_prog_type", mut_same_type, 0 },
	{ "by_name_own_prog_name", mut_prog_name, 0 },
	{ "by_name_unknown_name", mut_unknown, ENOENT, "no program 'nope'" },
	{ "by_name_name_too_long", mut_too_long, E2BIG, "loader_prog_name" },
	{ "by_name_loader_is_a_map", mut_loader_map, EINVAL, "not a BPF_LOAD_FD loader object" },
	{ "by_name_loader_is_a_file", mut_loader_file, EINVAL, "not a BPF_LOAD_FD loader object" },
	{ "by_name_loader_closed", mut_loader_closed, EBADF, "loader_fd" },
	{ "by_name_insns", mut_insns, EINVAL, CONTRADICTS },
	{ "by_name_insns_only", mut_insns_only, EINVAL, CONTRADICTS },
	{ "by_name_insn_cnt", mut_insn_cnt, EINVAL, CONTRADICTS },
	{ "by_name_license", mut_license, EINVAL, CONTRADICTS },
	{ "by_name_kern_version", mut_kern_version, EINVAL, CONTRADICTS },
	{ "by_name_prog_btf_fd", mut_btf_fd, EINVAL, CONTRADICTS },
	{ "by_name_func_info", mut_func_info, EINVAL, CONTRADICTS },
	{ "by_name_line_info", mut_line_info, EINVAL, CONTRADICTS },
	{ "by_name_core_relos", mut_core_relos, EINVAL, CONTRADICTS },
	{ "by_name_fd_array", mut_fd_array, EINVAL, CONTRADICTS },
	{ "by_name_prog_type_mismatch", mut_prog_type, EINVAL, CONTRADICTS },
	{ "by_name_attach_type_mismatch", mut_attach_type, EINVAL, CONTRADICTS },
};

static void by_name_prog_load(int v)
{
	struct by_name_ctx c = { -1, -1, -1, -1 };
	const char *name = "loadfd_count";
	char log[LOADFD_LOG_SIZE] = "";
	struct bpf_prog_info info;
	struct loadfd_obj o;
	union bpf_attr attr;
	int fd;

	if (loadfd_obj_open(&o, "loadfd_map_ref.bpf.o"))
		goto out;
	c.loader = o.loader;
	c.map_fd = loadfd_map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0, "m");
	c.file_fd = loadfd_tmp_file("x", 1);
	if (c.map_fd < 0 || c.file_fd < 0)
		goto out;
	c.closed_fd = dup(c.file_fd);
	if (!ASSERT_OK_FD(c.closed_fd, "dup"))
		goto out;
	close(c.closed_fd);

	memset(&attr, 0, sizeof(attr));
	if (by_name[v].err) {
		/* The rejection is logged; a verifier log could overflow. */
		attr.log_level = LOADFD_LOG_LEVEL1;
		attr.log_buf = ptr_to_u64(log);
		attr.log_size = sizeof(log);
		attr.log_true_size = LOADFD_SENTINEL;
	}
	by_name[v].mutate(&attr, &name, &c);
	attr.loader_fd = c.loader;
	attr.loader_prog_name = ptr_to_u64(name);
	fd = syscall(__NR_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	if (fd < 0)
		fd = -errno;

	if (!by_name[v].err) {
		if (!ASSERT_OK_FD(fd, "BPF_PROG_LOAD by name")) {
			printf("%s; log: '%s'\n", strerror(-fd), log);
			goto out;
		}
		if (loadfd_prog_info(fd, &info)) {
			ASSERT_EQ(info.type, BPF_PROG_TYPE_SCHED_CLS, "prog type");
			ASSERT_STREQ(info.name, attr.prog_name[0] ? attr.prog_name : "loadfd_count",
				     "prog name");
		}
		ASSERT_EQ(loadfd_run_skb(fd), 0, "retval");
		close(fd);
		goto out;
	}
	if (!ASSERT_EQ(fd, -by_name[v].err, "BPF_PROG_LOAD by name"))
		printf("expected %s, got %d (%s); log: '%s'\n", strerror(by_name[v].err), fd,
		       fd < 0 ? strerror(-fd) : "a program", log);
	if (fd >= 0)
		close(fd);
	loadfd_one_line(log, by_name[v].needle, "log");
	ASSERT_EQ(attr.log_true_size, strlen(log) + 1, "log_true_size");

	/* Control: the loader still loads the program. */
	fd = loadfd_prog_ok(o.loader, "loadfd_count");
	close_fd(&fd);
out:
	close_fd(&c.map_fd);
	close_fd(&c.file_fd);
	loadfd_obj_close(&o);
}

/* ==== a BPF-LSM policy on the object read ==== */

static void e2e_lsm(void)
{
	static char log[64 * 1024];
	int prog = -1, link = -1, victim = -1, other = -1, l;
	struct loadfd_bytes bytes = {};
	struct bpf_prog_info info;
	struct stat st_v, st_o;
	struct loadfd_obj o;
	__u64 ino;

	if (loadfd_obj_open(&o, "loadfd_lsm.bpf.o"))
		goto out;
	prog = loadfd_obj_prog(&o, "loadfd_deny_obj");
	if (prog < 0 || !loadfd_prog_info(prog, &info))
		goto out;
	ASSERT_EQ(info.type, BPF_PROG_TYPE_LSM, "prog type");
	ASSERT_NEQ(info.attach_btf_id, 0, "attach_btf_id");

	if (loadfd_bytes_read("loadfd_minimal.bpf.o", &bytes))
		goto out;
	victim = loadfd_tmp_file(bytes.data, bytes.len);
	other = loadfd_tmp_file(bytes.data, bytes.len);
	if (victim < 0 || other < 0 || !ASSERT_OK(fstat(victim, &st_v), "fstat") ||
	    !ASSERT_OK(fstat(other, &st_o), "fstat") ||
	    !ASSERT_NEQ(st_v.st_ino, st_o.st_ino, "two files"))
		goto out;
	ino = st_v.st_ino;
	if (LOADFD_VAR_SET(&o, "target_ino", &ino))
		goto out;

	/* Not attached yet. */
	l = loadfd_ok(victim, NULL, 0, "victim, no policy");
	close_fd(&l);

	link = link_create(prog, 0, BPF_LSM_MAC);
	if (link < 0)
		goto out;
	l = loadfd_raw(victim, NULL, 0, log, sizeof(log));
	if (!ASSERT_EQ(l, -EPERM, "victim under the policy"))
		printf("victim under the policy: %d (%s); log: '%s'\n", l,
		       l < 0 ? strerror(-l) : "loaded", log);
	close_fd(&l);
	loadfd_one_line(log, "obj_fd", "log");
	l = loadfd_ok(other, NULL, 0, "another file under the policy");
	close_fd(&l);
	ASSERT_EQ(var_u32(&o, "denied"), 1, "denied");
	ASSERT_EQ(var_u32(&o, "seen_bpf_objects"), 2, "seen_bpf_objects");

	/* Detached: the file loads again. */
	close_fd(&link);
	l = loadfd_ok(victim, NULL, 0, "victim, policy detached");
	close_fd(&l);
	ASSERT_EQ(var_u32(&o, "denied"), 1, "denied after detach");
	ASSERT_EQ(var_u32(&o, "seen_bpf_objects"), 2, "seen_bpf_objects after detach");
out:
	close_fd(&link);
	close_fd(&victim);
	close_fd(&other);
	close_fd(&prog);
	loadfd_bytes_free(&bytes);
	loadfd_obj_close(&o);
}

/* ==== differential: BPF_LOAD_FD against libbpf ==== */

static const struct {
	const char *name;
	const char *file;
	int min_ldimm64;	/* map references the object must have */
} differential[] = {
	{ "differential_test_global_data", "test_global_data.bpf.o", 20 },
	{ "differential_test_subprogs", "test_subprogs.bpf.o", 1 },
	{ "differential_bpf_loop", "bpf_loop.bpf.o", 1 },
	{ "differential_test_core_reloc_kernel", "test_core_reloc_kernel.bpf.o", 1 },
	{ "differential_test_btf_map_in_map", "test_btf_map_in_map.bpf.o", 3 },
	{ "differential_test_ksyms_btf", "test_ksyms_btf.bpf.o", 2 },
	{ "differential_atomics", "atomics.bpf.o", 7 },
	/* SEC("usdt"): BPF_TRACE_UPROBE_MULTI as expected attach type, as
	 * libbpf sets it on a kernel with uprobe-multi links; with 0,
	 * bpf_get_attach_cookie() becomes another helper and the xlated code
	 * differs.
	 */
	{ "differential_test_usdt", "test_usdt.bpf.o", 2 },
};

static void differential_xlated(int v)
{
	struct loadfd_obj lo, o;
	struct bpf_program *p;
	int nprogs = 0, total_masked = 0;

	loadfd_obj_init(&o);
	if (loadfd_obj_open_libbpf(&lo, differential[v].file) ||
	    loadfd_obj_open(&o, differential[v].file))
		goto out;

	bpf_object__for_each_program(p, lo.bobj) {
		const char *name = bpf_program__name(p);
		struct loadfd_xlated a = {}, b = {};
		int fd, masked;

		fd = loadfd_prog_ok(o.loader, name);
		if (fd >= 0 && !loadfd_get_xlated(bpf_program__fd(p), &a) &&
		    !loadfd_get_xlated(fd, &b)) {
			if (!ASSERT_EQ(loadfd_xlated_diff(name, &a, &b, &masked), 0,
				       "xlated instructions"))
				printf("%s/%s: xlated instructions differ\n", differential[v].file,
				       name);
			ASSERT_EQ(b.nr_func_info, a.nr_func_info, "func_info");
			ASSERT_EQ(b.nr_line_info, a.nr_line_info, "line_info");
			total_masked += masked;
		}
		nprogs++;
		free(a.insns);
		free(b.insns);
		if (fd >= 0)
			close(fd);
	}
	ASSERT_GT(nprogs, 0, "programs compared");
	ASSERT_GE(total_masked, differential[v].min_ldimm64, "map references");
out:
	loadfd_obj_close(&o);
	loadfd_obj_close(&lo);
}

/* ==== the test ==== */

static const struct {
	const char *name;
	void (*run)(void);
} e2e[] = {
	{ "global_data", e2e_global_data },
	{ "subprogs", e2e_subprogs },
	{ "bpf_loop", e2e_bpf_loop },
	{ "ksyms_typeless", e2e_ksyms_typeless },
	{ "ksyms_typed", e2e_ksyms_typed },
	{ "ksyms_weak", e2e_ksyms_weak },
	{ "kconfig", e2e_kconfig },
	{ "kconfig_string", e2e_kconfig_string },
	{ "kconfig_published", e2e_kconfig_published },
	{ "core_reloc_kernel", e2e_core_reloc_kernel },
	{ "perf_event_array", e2e_perf_event_array },
	{ "prog_array_init", e2e_prog_array_init },
	{ "map_in_map", e2e_map_in_map },
	{ "kfunc", e2e_kfunc },
	{ "fentry", e2e_fentry },
	{ "atomics", e2e_atomics },
	{ "struct_ops_dummy", e2e_struct_ops_dummy },
	{ "struct_ops_module", e2e_struct_ops_module },
	{ "arena", e2e_arena },
	{ "partial_object", e2e_partial_object },
	{ "struct_ops_sched_ext", e2e_struct_ops_sched_ext },
	{ "libbpf_kernel_loader", e2e_libbpf_kernel_loader },
	{ "bpftool_loader", e2e_bpftool_loader },
	{ "pin_by_name", e2e_pin_by_name },
	{ "maps_by_reference", e2e_maps_by_reference },
	{ "sysfs", e2e_sysfs },
	{ "lsm", e2e_lsm },
};

/*
 * Serial: struct_ops_sched_ext enables a sched_ext scheduler for every task,
 * lsm attaches a BPF-LSM program to every BPF object read.
 */
void serial_test_loadfd_prog(void)
{
	int i;

	if (!loadfd_supported()) {
		test__skip();
		return;
	}
	for (i = 0; i < ARRAY_SIZE(e2e); i++)
		if (test__start_subtest(e2e[i].name))
			e2e[i].run();
	for (i = 0; i < ARRAY_SIZE(supplied_map); i++)
		if (test__start_subtest(supplied_map[i].name))
			supplied_map_rejected(i);
	for (i = 0; i < ARRAY_SIZE(by_name); i++)
		if (test__start_subtest(by_name[i].name))
			by_name_prog_load(i);
	for (i = 0; i < ARRAY_SIZE(differential); i++)
		if (test__start_subtest(differential[i].name))
			differential_xlated(i);
}
