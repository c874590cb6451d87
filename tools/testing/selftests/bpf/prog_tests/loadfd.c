// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_LOAD_FD in test_progs: the kernel loads a BPF ELF object and programs
 * are loaded from it by name. Beside it: loadfd_reject.c (refused objects),
 * loadfd_truth.c (what runs is what the file says), loadfd_priv.c (callers
 * with less than root), loadfd_hostile.c (a hostile caller); all run with
 * ./test_progs -t loadfd. The suites that need more than test_progs offers
 * (policies, the syscall edge case by case, libbpf differentials) are
 * tools/testing/selftests/bpf/loadfd/.
 */
#include <test_progs.h>
#include <network_helpers.h>
#include <bpf/btf.h>
#include "cap_helpers.h"
#include "test_global_data.skel.h"
#include "dummy_st_ops_success.skel.h"
#include "loadfd_arena.skel.h"
#include <openssl/evp.h>
#include <sys/mman.h>

#define LOG_SIZE 4096

static char log_buf[LOG_SIZE];

/* Whether this kernel has BPF_LOAD_FD: an unknown flag gets a reason in the
 * log from the loader, and nothing from a kernel without the command.
 */
static bool have_loadfd(void)
{
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	memset(log_buf, 0, sizeof(log_buf));
	attr.load_fd.obj_fd = -1U;
	attr.load_fd.flags = 1U << 31;
	attr.load_fd.log_level = 1;
	attr.load_fd.log_buf = ptr_to_u64(log_buf);
	attr.load_fd.log_size = sizeof(log_buf);
	fd = syscall(__NR_bpf, BPF_LOAD_FD, &attr, sizeof(attr));
	if (fd >= 0)
		close(fd);
	return fd < 0 && errno == EINVAL && log_buf[0];
}

static int load_obj(const char *file, int *err)
{
	LIBBPF_OPTS(bpf_load_fd_opts, opts, .log_level = 1, .log_buf = log_buf,
		    .log_size = sizeof(log_buf));
	int obj_fd, fd;

	log_buf[0] = 0;
	obj_fd = open(file, O_RDONLY | O_CLOEXEC);
	if (!ASSERT_OK_FD(obj_fd, file))
		return -1;
	fd = bpf_load_fd(obj_fd, &opts);
	*err = fd < 0 ? -errno : 0;
	close(obj_fd);
	return fd;
}

static int prog_by_name(int loader_fd, const char *name)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .loader_fd = loader_fd,
		    .loader_prog_name = name);

	return bpf_prog_load(BPF_PROG_TYPE_UNSPEC, NULL, NULL, NULL, 0, &opts);
}

/* The smallest object: one socket filter, loaded by name, runs. */
static void subtest_by_name(void)
{
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = &pkt_v4,
		    .data_size_in = sizeof(pkt_v4), .repeat = 1);
	int loader, prog, err;

	loader = load_obj("loadfd_minimal.bpf.o", &err);
	if (!ASSERT_OK_FD(loader, "bpf_load_fd"))
		return;
	prog = prog_by_name(loader, "loadfd_minimal");
	if (ASSERT_OK_FD(prog, "by name")) {
		ASSERT_OK(bpf_prog_test_run_opts(prog, &topts), "test_run");
		ASSERT_EQ(topts.retval, 1, "retval");
		close(prog);
	}
	prog = prog_by_name(loader, "no_such_prog");
	ASSERT_EQ(prog, -ENOENT, "unknown name");
	close(loader);
}

/* Global data: the maps are the kernel's, opened by name. */
static void subtest_maps_by_name(void)
{
	int loader, map, err, zero = 0;
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	loader = load_obj("test_global_data.bpf.o", &err);
	if (!ASSERT_OK_FD(loader, "bpf_load_fd"))
		return;
	map = bpf_load_fd_map_get_fd(loader, ".rodata", 0);
	if (ASSERT_OK_FD(map, ".rodata")) {
		ASSERT_OK(bpf_map_get_info_by_fd(map, &info, &len), "info");
		ASSERT_EQ(info.type, BPF_MAP_TYPE_ARRAY, "type");
		ASSERT_TRUE(info.map_flags & BPF_F_RDONLY_PROG, "read-only");
		/* Frozen: the programs' constants cannot change. */
		ASSERT_ERR(bpf_map_update_elem(map, &zero, log_buf, 0), "update");
		close(map);
	}
	ASSERT_EQ(bpf_load_fd_map_get_fd(loader, "no_such_map", 0), -ENOENT, "unknown map");
	close(loader);
}

/* prog_tests/global_data.c's checks, with the skeleton loaded by the kernel. */
static void subtest_skeleton(void)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .kernel_loader = true);
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = &pkt_v4,
		    .data_size_in = sizeof(pkt_v4), .repeat = 1);
	struct test_global_data *skel;
	static const struct {
		__u32 key;
		__u64 num;
	} want[] = { { 1, 42 }, { 2, 24 }, { 4, 0xffeeff }, { 5, 0xabab }, { 6, 1234 },
		     { 9, 0x1111111111111111ULL }, { 10, ~0ULL } };
	__u64 num = 0;
	int i;

	skel = test_global_data__open_opts(&oo);
	if (!ASSERT_OK_PTR(skel, "open"))
		return;
	if (!ASSERT_OK(test_global_data__load(skel), "load"))
		goto out;
	ASSERT_OK(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.load_static_data), &topts),
		  "test_run");
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		ASSERT_OK(bpf_map_lookup_elem(bpf_map__fd(skel->maps.result_number), &want[i].key,
					      &num), "lookup");
		ASSERT_EQ(num, want[i].num, "relocated value");
	}
out:
	test_global_data__destroy(skel);
}

/* A refused object: the errno and the reason in the log. */
static void subtest_refused(void)
{
	int loader, err;

	loader = load_obj("loadfd_bad_legacy_maps.bpf.o", &err);
	if (!ASSERT_LT(loader, 0, "refused")) {
		close(loader);
		return;
	}
	ASSERT_EQ(err, -EOPNOTSUPP, "errno");
	ASSERT_HAS_SUBSTR(log_buf, "legacy 'maps' section", "log");
}

/* CAP_BPF is what BPF_LOAD_FD needs (CAP_SYS_ADMIN is not), and without it
 * nothing loads.
 */
static void subtest_caps(void)
{
	__u64 caps = 0;
	int loader, err;

	if (!ASSERT_OK(cap_disable_effective(1ULL << CAP_SYS_ADMIN | 1ULL << CAP_PERFMON |
					     1ULL << CAP_NET_ADMIN, &caps), "drop admin"))
		return;
	loader = load_obj("loadfd_minimal.bpf.o", &err);
	if (ASSERT_OK_FD(loader, "CAP_BPF only"))
		close(loader);
	ASSERT_OK(cap_disable_effective(1ULL << CAP_BPF, NULL), "drop CAP_BPF");
	loader = load_obj("loadfd_minimal.bpf.o", &err);
	ASSERT_LT(loader, 0, "no CAP_BPF");
	ASSERT_EQ(err, -EPERM, "errno");
	if (loader >= 0)
		close(loader);
	cap_enable_effective(caps, NULL);
}

/* struct_ops: the kernel creates the map from the file; its programs load
 * with their member as target and run (prog_tests/dummy_st_ops.c).
 */
static void subtest_struct_ops(void)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .kernel_loader = true);
	struct bpf_dummy_ops_state { int val; } state = { .val = 0xbeef };
	__u64 args[1] = { (unsigned long)&state };
	LIBBPF_OPTS(bpf_test_run_opts, topts, .ctx_in = args, .ctx_size_in = sizeof(args));
	struct dummy_st_ops_success *skel;

	skel = dummy_st_ops_success__open_opts(&oo);
	if (!ASSERT_OK_PTR(skel, "open"))
		return;
	if (!ASSERT_OK(dummy_st_ops_success__load(skel), "load"))
		goto out;
	ASSERT_OK(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.test_1), &topts), "test_run");
	ASSERT_EQ(topts.retval, 0xbeef, "retval");
	ASSERT_EQ(state.val, 0x5a, "state");
	/* The object's value only: no programs where it names three. */
	{
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);
		void *zero_val;
		int zero = 0;

		ASSERT_OK(bpf_map_get_info_by_fd(bpf_map__fd(skel->maps.dummy_1), &info, &len),
			  "info");
		zero_val = calloc(1, info.value_size);
		if (ASSERT_OK_PTR(zero_val, "calloc")) {
			ASSERT_EQ(bpf_map_update_elem(bpf_map__fd(skel->maps.dummy_1), &zero,
						      zero_val, 0), -EINVAL, "other value");
			free(zero_val);
		}
	}
out:
	dummy_st_ops_success__destroy(skel);
}

/* The loader object's provenance in sysfs: the SHA-256 of the bytes the
 * kernel read (what a policy vetted), here against libcrypto's.
 */
static void subtest_provenance(void)
{
	unsigned char digest[32], *bytes = NULL;
	char path[128], hex[65], got[80] = "";
	struct bpf_loadfd_info { int id; } li;
	unsigned int n = sizeof(digest);
	int loader, err, fd, i;
	ssize_t len;
	FILE *f;

	loader = load_obj("loadfd_minimal.bpf.o", &err);
	if (!ASSERT_OK_FD(loader, "bpf_load_fd"))
		return;
	/* The loader id, from the fd's fdinfo. */
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", loader);
	f = fopen(path, "r");
	li.id = -1;
	while (f && fgets(got, sizeof(got), f))
		if (sscanf(got, "loadfd_id: %d", &li.id) == 1)
			break;
	if (f)
		fclose(f);
	if (!ASSERT_GE(li.id, 0, "loadfd_id"))
		goto out;
	snprintf(path, sizeof(path), "/sys/kernel/bpf_loadfd/%d/sha256", li.id);
	fd = open(path, O_RDONLY);
	if (!ASSERT_OK_FD(fd, "sysfs sha256"))
		goto out;
	len = read(fd, got, sizeof(got) - 1);
	close(fd);
	if (!ASSERT_GE(len, 64, "read"))
		goto out;
	got[64] = 0;
	fd = open("loadfd_minimal.bpf.o", O_RDONLY);
	if (!ASSERT_OK_FD(fd, "object"))
		goto out;
	bytes = malloc(1 << 20);
	len = bytes ? read(fd, bytes, 1 << 20) : -1;
	close(fd);
	if (!ASSERT_GT(len, 0, "read object"))
		goto out;
	ASSERT_EQ(EVP_Digest(bytes, len, digest, &n, EVP_sha256(), NULL), 1, "EVP_Digest");
	for (i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", digest[i]);
	ASSERT_STREQ(got, hex, "sha256 of the bytes read");
out:
	free(bytes);
	close(loader);
}

/* One program that cannot be linked does not make the others unloadable
 * (libbpf relocates only what it loads).
 */
static void subtest_partial(void)
{
	int loader, prog, err;

	loader = load_obj("loadfd_partial.bpf.o", &err);
	if (!ASSERT_OK_FD(loader, "bpf_load_fd"))
		return;
	ASSERT_HAS_SUBSTR(log_buf, "prog 'loadfd_partial_bad' cannot be loaded: link:", "log");
	prog = prog_by_name(loader, "loadfd_partial_ok");
	if (ASSERT_OK_FD(prog, "good program"))
		close(prog);
	prog = prog_by_name(loader, "loadfd_partial_bad");
	ASSERT_EQ(prog, -EINVAL, "broken program");
	close(loader);
}

/* __arena variables: the kernel writes them into the arena the skeleton
 * maps before its programs load.
 */
static void subtest_arena(void)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .kernel_loader = true);
	LIBBPF_OPTS(bpf_test_run_opts, topts);
	struct loadfd_arena *skel;

	skel = loadfd_arena__open_opts(&oo);
	if (!ASSERT_OK_PTR(skel, "open"))
		return;
	if (!ASSERT_OK(loadfd_arena__load(skel), "load"))
		goto out;
	ASSERT_OK(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.loadfd_arena_inc), &topts),
		  "test_run");
	ASSERT_EQ(topts.retval, 42, "counter");
	ASSERT_EQ(skel->arena->loadfd_arena_counter, 42, "in the arena");
	ASSERT_EQ(skel->arena->loadfd_arena_buf[4999], 7, "buf");
out:
	loadfd_arena__destroy(skel);
}

void test_loadfd(void)
{
	if (!have_loadfd()) {
		test__skip();
		return;
	}
	if (test__start_subtest("by_name"))
		subtest_by_name();
	if (test__start_subtest("maps_by_name"))
		subtest_maps_by_name();
	if (test__start_subtest("skeleton"))
		subtest_skeleton();
	if (test__start_subtest("refused"))
		subtest_refused();
	if (test__start_subtest("caps"))
		subtest_caps();
	if (test__start_subtest("struct_ops"))
		subtest_struct_ops();
	if (test__start_subtest("provenance"))
		subtest_provenance();
	if (test__start_subtest("partial"))
		subtest_partial();
	if (test__start_subtest("arena"))
		subtest_arena();
}
