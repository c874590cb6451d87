// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_LOAD_FD, "the file is the truth": what runs after BPF_LOAD_FD is what
 * the file says, whatever the caller does around the call (security review
 * of the series; the finding each subtest covers is in its comment).
 *
 *  fd_race                H5: a sibling thread dup2()s its own BTF or map
 *                         over every fd that appears in the caller's table
 *                         during 200 BPF_LOAD_FDs of an object with a 1 MiB
 *                         .data: no kernel-created BTF or map ever shows up
 *                         there, the loader's maps and its programs' BTF are
 *                         never the thread's, and no fd of the thread's is
 *                         closed by the kernel
 *  kconfig_not_suppliable H4: a caller's ARRAY map named .kconfig holding
 *                         0xdeadbeef: EINVAL and a reason; without it the
 *                         program returns the running kernel's version
 *  rodata_supplied_frozen H4: a supplied .rodata must be frozen (EINVAL and a
 *                         reason otherwise); a frozen one binds, sysfs says
 *                         "supplied", and the loader's "overrides" digest
 *                         follows the frozen value
 *  max_entries_declared   a caller resizes a BTF-defined map by declaring it
 *                         (BPF_LOADFD_MAP_MAX_ENTRIES): created with that
 *                         size, sysfs says "resized N (file: M)"; a global
 *                         data map or 0 entries: EINVAL and a reason
 */
#include <test_progs.h>
#include <pthread.h>
#include <stdatomic.h>
#include <linux/btf.h>
#include <linux/version.h>
#include "loadfd_helpers.h"

#define TRUTH_OBJ "loadfd_truth.bpf.o"
#define RACE_ROUNDS 200U
/* fds watched by the racing thread: the lowest free ones, where the kernel
 * would install its own (and where the thread's own fdinfo reads land).
 */
#define RACE_FDS 8
#define KIND_LEN 64

/* The smallest BTF the kernel accepts: one 32-bit int. */
static int evil_btf_load(void)
{
	static const char strs[] = "\0int";
	struct {
		struct btf_header hdr;
		struct btf_type t;
		__u32 enc;
		char strs[sizeof(strs)];
	} __packed b = {
		.hdr = { .magic = BTF_MAGIC, .version = BTF_VERSION,
			 .hdr_len = sizeof(struct btf_header),
			 .type_off = 0, .type_len = sizeof(struct btf_type) + 4,
			 .str_off = sizeof(struct btf_type) + 4, .str_len = sizeof(strs) },
		.t = { .name_off = 1, .info = BTF_KIND_INT << 24, .size = 4 },
		.enc = 32,
	};
	int fd;

	memcpy(b.strs, strs, sizeof(strs));
	fd = bpf_btf_load(&b, sizeof(b), NULL);
	ASSERT_OK_FD(fd, "BPF_BTF_LOAD");
	return fd;
}

static __u32 btf_id_of(int fd)
{
	struct bpf_btf_info info = {};
	__u32 len = sizeof(info);

	if (!ASSERT_OK(bpf_btf_get_info_by_fd(fd, &info, &len), "btf info"))
		return 0;
	return info.id;
}

struct race {
	int base;			/* lowest free fd when the test starts */
	int evil_map, evil_btf;
	long evil_map_id, evil_btf_id;
	atomic_int armed;		/* A is inside BPF_LOAD_FD */
	atomic_int stop;
	atomic_uint loops;		/* B's passes, for A's disarm handshake */
	unsigned int armed_polls;	/* B's passes while A was in the call */
	unsigned int swaps;		/* B replaced an fd that appeared */
	unsigned int kernel_objs;	/* ... and it was a BTF or map fd */
	char first_kind[KIND_LEN];
	int mine[RACE_FDS];		/* B dup2()ed at base + i this round */
};

/* @fd is (a dup of) thread B's own map or BTF. No asserts: B uses it. */
static bool is_evil(struct race *r, int fd)
{
	return loadfd_fdinfo(fd, "map_id") == r->evil_map_id ||
	       loadfd_fdinfo(fd, "btf_id") == r->evil_btf_id;
}

/* Thread B: whatever appears at base..base+RACE_FDS-1 while A is in the
 * call is replaced by B's map (or BTF, for what looks like BTF).
 */
static void *race_thread(void *arg)
{
	struct race *r = arg;
	char path[64], kind[KIND_LEN];
	int i;

	while (!atomic_load(&r->stop)) {
		atomic_fetch_add(&r->loops, 1);
		if (!atomic_load(&r->armed))
			continue;
		r->armed_polls++;
		for (i = 0; i < RACE_FDS; i++) {
			int fd = r->base + i, evil;
			ssize_t len;

			if (fcntl(fd, F_GETFD) < 0 || is_evil(r, fd))
				continue;
			snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
			len = readlink(path, kind, sizeof(kind) - 1);
			if (len < 0)
				continue;
			kind[len] = 0;
			/* The loader fd itself is the call's result: leave it, so
			 * that every round can check what the loader bound.
			 */
			if (strstr(kind, "bpf-loadfd"))
				continue;
			evil = strstr(kind, "btf") ? r->evil_btf : r->evil_map;
			if (dup2(evil, fd) != fd)
				continue;
			r->mine[i] = 1;
			r->swaps++;
			if (strstr(kind, "btf") || strstr(kind, "bpf-map")) {
				if (!r->kernel_objs++)
					snprintf(r->first_kind, sizeof(r->first_kind), "%s", kind);
			}
		}
	}
	return NULL;
}

/* Waits until B has seen armed == 0 (two full passes). */
static void race_disarm(struct race *r)
{
	unsigned int start;

	atomic_store(&r->armed, 0);
	start = atomic_load(&r->loops);
	while (atomic_load(&r->loops) - start < 2)
		;
}

/* One round's loader: its maps and its program's BTF are the file's, and
 * the program runs with the file's value.
 */
static bool race_check_loader(struct race *r, int loader, __u32 evil_map_id, __u32 evil_btf_id)
{
	struct bpf_prog_info info;
	bool ok = true;
	int id, prog;

	id = loadfd_id(loader);
	if (id < 0)
		return false;
	ok = ASSERT_NEQ(loadfd_sysfs_map_id(id, ".data"), evil_map_id, ".data not B's") && ok;
	ok = ASSERT_NEQ(loadfd_sysfs_map_id(id, ".rodata"), evil_map_id, ".rodata not B's") && ok;
	ok = ASSERT_NEQ(loadfd_sysfs_map_id(id, ".kconfig"), evil_map_id, ".kconfig not B's") && ok;
	prog = loadfd_prog_ok(loader, "truth_cfg_ret");
	if (prog < 0)
		return false;
	if (loadfd_prog_info(prog, &info)) {
		ok = ASSERT_NEQ(info.btf_id, evil_btf_id, "prog BTF not B's") && ok;
		ok = ASSERT_NEQ(info.btf_id, 0, "prog has BTF") && ok;
	} else {
		ok = false;
	}
	ok = ASSERT_EQ(loadfd_run_skb(prog), 7, "truth_cfg_ret") && ok;
	close(prog);
	return ok;
}

static void fd_race(void)
{
	unsigned int result_swapped = 0, checked = 0, failed = 0, closed = 0, stray = 0, round;
	__u32 evil_map_id, evil_btf_id;
	struct race r = {};
	pthread_t thread;
	int first_err = 0, obj_fd, i;

	r.evil_map = r.evil_btf = -1;
	obj_fd = loadfd_open(TRUTH_OBJ);
	if (obj_fd < 0)
		return;
	r.evil_map = loadfd_map_create(BPF_MAP_TYPE_ARRAY, 4, 1 << 20, 1, 0, "evil");
	r.evil_btf = evil_btf_load();
	if (r.evil_map < 0 || r.evil_btf < 0)
		goto out;
	evil_map_id = loadfd_map_id(r.evil_map);
	evil_btf_id = btf_id_of(r.evil_btf);
	if (!ASSERT_NEQ(evil_map_id, 0, "evil map id") ||
	    !ASSERT_NEQ(evil_btf_id, 0, "evil btf id"))
		goto out;
	r.evil_map_id = evil_map_id;
	r.evil_btf_id = evil_btf_id;
	r.base = dup(0);
	if (!ASSERT_OK_FD(r.base, "dup"))
		goto out;
	close(r.base);
	/* The watched fds must be free: the test's own fds sit below base. */
	for (i = 0; i < RACE_FDS; i++)
		if (!ASSERT_LT(fcntl(r.base + i, F_GETFD), 0, "watched fd free"))
			goto out;
	if (!ASSERT_OK(pthread_create(&thread, NULL, race_thread, &r), "pthread_create"))
		goto out;

	for (round = 0; round < RACE_ROUNDS; round++) {
		int loader;

		atomic_store(&r.armed, 1);
		loader = loadfd_raw(obj_fd, NULL, 0, NULL, 0);
		race_disarm(&r);
		if (loader < 0) {
			/* A substituted BTF or map makes the load fail, or
			 * worse; counted, and reported after the loop.
			 */
			if (!failed++)
				first_err = loader;
		} else if (loadfd_fdinfo(loader, "loadfd_id") < 0) {
			ASSERT_TRUE(is_evil(&r, loader), "a swapped loader fd is B's");
			/* B replaced the loader fd itself once it was installed,
			 * which is the caller's business.
			 */
			result_swapped++;
		} else if (race_check_loader(&r, loader, evil_map_id, evil_btf_id)) {
			checked++;
		}
		/* B's dups at the watched fds are B's: the kernel must not have
		 * closed any of them (the old loader closed fd numbers it had
		 * installed, whatever they held by then). Close them for the
		 * next round.
		 */
		for (i = 0; i < RACE_FDS; i++) {
			int fd = r.base + i;

			if (r.mine[i] && fcntl(fd, F_GETFD) < 0)
				closed++;
			r.mine[i] = 0;
			if (fcntl(fd, F_GETFD) < 0)
				continue;
			if (!is_evil(&r, fd) && fd != loader) {
				if (!stray++)
					printf("round %u: fd %d is neither B's nor the loader\n",
					       round, fd);
			}
			close(fd);
		}
		if (loader >= r.base + RACE_FDS)
			close(loader);
	}
	atomic_store(&r.stop, 1);
	pthread_join(thread, NULL);
	printf("%u rounds: %u checked, %u polls by the thread during the calls, %u swaps, %u loader fds swapped, %u failed\n",
	       RACE_ROUNDS, checked, r.armed_polls, r.swaps, result_swapped,
	       failed);
	/* The thread really watched the calls. */
	ASSERT_GT(r.armed_polls, 0, "thread polled during the calls");
	if (!ASSERT_EQ(r.kernel_objs, 0, "kernel-created fds in the caller's table"))
		printf("%u kernel-created fds appeared (first '%s'); %u loads failed\n",
		       r.kernel_objs, r.first_kind, failed);
	ASSERT_EQ(stray, 0, "watched fds are B's or the loader");
	ASSERT_EQ(closed, 0, "fds of the thread closed by the kernel");
	if (!ASSERT_EQ(failed, 0, "failed loads"))
		printf("first failure: %s\n", strerror(-first_err));
	ASSERT_EQ(checked, RACE_ROUNDS, "rounds checked");
out:
	if (r.evil_map >= 0)
		close(r.evil_map);
	if (r.evil_btf >= 0)
		close(r.evil_btf);
	close(obj_fd);
}

/* An ARRAY map like the loader's .kconfig (value 4 bytes: one extern). */
static int fake_kconfig(void)
{
	__u32 key = 0, val = 0xdeadbeef;
	int fd;

	fd = loadfd_map_create(BPF_MAP_TYPE_ARRAY, 4, 4, 1, BPF_F_RDONLY_PROG | BPF_F_MMAPABLE,
			       ".kconfig");
	if (fd < 0)
		return -1;
	if (!ASSERT_OK(bpf_map_update_elem(fd, &key, &val, BPF_ANY), "fill .kconfig")) {
		close(fd);
		return -1;
	}
	return fd;
}

static void kconfig_not_suppliable(void)
{
	struct bpf_loadfd_map m = { .name = ".kconfig" };
	char log[LOADFD_LOG_SIZE], rel[128];
	int obj_fd, loader, prog, a = 0, b = 0, c = 0, kfd;
	__u32 ret;

	obj_fd = loadfd_open(TRUTH_OBJ);
	if (obj_fd < 0)
		return;
	kfd = fake_kconfig();
	if (kfd < 0)
		goto out;
	m.fd = kfd;
	loader = loadfd_raw(obj_fd, &m, 1, log, sizeof(log));
	if (loader >= 0)
		close(loader);
	ASSERT_EQ(loader, -EINVAL, "a supplied .kconfig");
	loadfd_one_line(log, ".kconfig", "log names .kconfig");
	ASSERT_HAS_SUBSTR(log, "cannot be supplied", "log says why");

	/* Without it, the value is the running kernel's. */
	loader = loadfd_ok(obj_fd, NULL, 0, TRUTH_OBJ);
	if (loader < 0)
		goto out;
	prog = loadfd_prog_ok(loader, "truth_kver");
	if (prog >= 0) {
		ret = loadfd_run_skb(prog);
		if (ASSERT_OK(loadfd_read_text("/proc/sys/kernel/osrelease", rel, sizeof(rel)),
			      "osrelease") &&
		    ASSERT_GE(sscanf(rel, "%d.%d.%d", &a, &b, &c), 2, "parse osrelease"))
			ASSERT_EQ(ret, (__u32)KERNEL_VERSION(a, b, c > 255 ? 255 : c),
				  "LINUX_KERNEL_VERSION");
		close(prog);
	}
	close(loader);
out:
	if (kfd >= 0)
		close(kfd);
	close(obj_fd);
}

/* A loader of the object with @m supplied, and its id; -1 on failure. */
static int load_supplied(int obj_fd, const struct bpf_loadfd_map *m, int *id)
{
	int loader = loadfd_ok(obj_fd, m, m ? 1 : 0, TRUTH_OBJ);

	if (loader < 0)
		return -1;
	*id = loadfd_id(loader);
	if (*id < 0) {
		close(loader);
		return -1;
	}
	return loader;
}

static void rodata_supplied_frozen(void)
{
	struct bpf_loadfd_map m = { .name = ".rodata" };
	char log[LOADFD_LOG_SIZE], buf[64], ov[2][128];
	struct bpf_map_info ref = {};
	int obj_fd, loader, prog, ro, id, sfd = -1;
	__u32 val = 9;
	void *valbuf = NULL;

	obj_fd = loadfd_open(TRUTH_OBJ);
	if (obj_fd < 0)
		return;
	/* The loader's own .rodata says what a compatible map looks like. */
	loader = load_supplied(obj_fd, NULL, &id);
	if (loader < 0)
		goto out;
	ro = bpf_load_fd_map_get_fd(loader, ".rodata", 0);
	close(loader);
	if (!ASSERT_OK_FD(ro, ".rodata by name"))
		goto out;
	if (!loadfd_map_info(ro, &ref)) {
		close(ro);
		goto out;
	}
	close(ro);
	/* truth_cfg is the .rodata's first (only) __u32. */
	valbuf = calloc(1, ref.value_size > 4 ? ref.value_size : 4);
	if (!ASSERT_OK_PTR(valbuf, "calloc"))
		goto out;
	memcpy(valbuf, &val, 4);

	sfd = loadfd_map_like(&ref, valbuf, false);
	if (sfd < 0)
		goto out;
	m.fd = sfd;
	loader = loadfd_raw(obj_fd, &m, 1, log, sizeof(log));
	if (loader >= 0)
		close(loader);
	ASSERT_EQ(loader, -EINVAL, "an unfrozen .rodata");
	loadfd_one_line(log, "frozen", "log says frozen");

	if (!ASSERT_OK(bpf_map_freeze(sfd), "BPF_MAP_FREEZE"))
		goto out;
	loader = load_supplied(obj_fd, &m, &id);
	if (loader < 0)
		goto out;
	ASSERT_EQ(loadfd_sysfs_map_id(id, ".rodata"), loadfd_map_id(sfd), "the supplied .rodata");
	if (loadfd_sysfs_read(buf, sizeof(buf), LOADFD_SYSFS "/%d/maps/.rodata/origin", id))
		ASSERT_STREQ(buf, "supplied", "origin");
	prog = loadfd_prog_ok(loader, "truth_cfg_ret");
	if (prog >= 0) {
		ASSERT_EQ(loadfd_run_skb(prog), 9, "the supplied value runs");
		close(prog);
	}
	/* The provenance names the override, and its digest covers the
	 * frozen value: another value, another digest; the same, the same.
	 */
	if (loadfd_sysfs_read(ov[0], sizeof(ov[0]), LOADFD_SYSFS "/%d/overrides", id))
		ASSERT_STRNEQ(ov[0], "1 ", 2, "one override");
	close(loader);
	loader = load_supplied(obj_fd, &m, &id);
	if (loader < 0)
		goto out;
	if (loadfd_sysfs_read(ov[1], sizeof(ov[1]), LOADFD_SYSFS "/%d/overrides", id))
		ASSERT_STREQ(ov[1], ov[0], "same value, same digest");
	close(loader);
	val = 10;
	memcpy(valbuf, &val, 4);
	close(sfd);
	sfd = loadfd_map_like(&ref, valbuf, true);
	if (sfd < 0)
		goto out;
	m.fd = sfd;
	loader = load_supplied(obj_fd, &m, &id);
	if (loader < 0)
		goto out;
	if (loadfd_sysfs_read(ov[1], sizeof(ov[1]), LOADFD_SYSFS "/%d/overrides", id))
		ASSERT_NEQ(strcmp(ov[1], ov[0]), 0, "another value, another digest");
	close(loader);
	/* Nothing declared: nothing listed. */
	loader = load_supplied(obj_fd, NULL, &id);
	if (loader < 0)
		goto out;
	if (loadfd_sysfs_read(ov[1], sizeof(ov[1]), LOADFD_SYSFS "/%d/overrides", id))
		ASSERT_STRNEQ(ov[1], "0 0000", 6, "no override");
	close(loader);
out:
	free(valbuf);
	if (sfd >= 0)
		close(sfd);
	close(obj_fd);
}

static void max_entries_declared(void)
{
	struct bpf_loadfd_map m = { .name = "truth_hash", .max_entries = 1024,
				    .flags = BPF_LOADFD_MAP_MAX_ENTRIES };
	char log[LOADFD_LOG_SIZE], buf[64];
	struct bpf_map_info info;
	int obj_fd, fd, ret, loader, id;

	obj_fd = loadfd_open(TRUTH_OBJ);
	if (obj_fd < 0)
		return;
	loader = load_supplied(obj_fd, &m, &id);
	if (loader < 0)
		goto out;
	fd = bpf_load_fd_map_get_fd(loader, "truth_hash", BPF_F_RDONLY);
	if (ASSERT_OK_FD(fd, "truth_hash by name")) {
		if (loadfd_map_info(fd, &info))
			ASSERT_EQ(info.max_entries, 1024, "declared max_entries");
		close(fd);
	}
	if (loadfd_sysfs_read(buf, sizeof(buf), LOADFD_SYSFS "/%d/maps/truth_hash/origin", id))
		ASSERT_STREQ(buf, "resized 1024 (file: 16)", "origin");
	close(loader);

	strcpy(m.name, ".data");
	ret = loadfd_raw(obj_fd, &m, 1, log, sizeof(log));
	if (ret >= 0)
		close(ret);
	ASSERT_EQ(ret, -EINVAL, "resizing .data");
	loadfd_one_line(log, "global data map is the file's", "log: .data");

	strcpy(m.name, "truth_hash");
	m.max_entries = 0;
	ret = loadfd_raw(obj_fd, &m, 1, log, sizeof(log));
	if (ret >= 0)
		close(ret);
	ASSERT_EQ(ret, -EINVAL, "0 entries");
	loadfd_one_line(log, "max_entries 0", "log: max_entries 0");
out:
	close(obj_fd);
}

void test_loadfd_truth(void)
{
	if (!loadfd_supported()) {
		test__skip();
		return;
	}
	if (test__start_subtest("fd_race"))
		fd_race();
	if (test__start_subtest("kconfig_not_suppliable"))
		kconfig_not_suppliable();
	if (test__start_subtest("rodata_supplied_frozen"))
		rodata_supplied_frozen();
	if (test__start_subtest("max_entries_declared"))
		max_entries_declared();
}
