// SPDX-License-Identifier: GPL-2.0
/*
 * "The file is the truth": what runs after BPF_LOAD_FD is what the file
 * says, whatever the caller does around the call (security review of the
 * series; the finding each test covers is in its comment).
 *
 *  fd_race               H5: a sibling thread dup2()s its own BTF or map
 *                        over every fd that appears in the caller's table
 *                        during 200 BPF_LOAD_FDs of an object with a 1 MiB
 *                        .data: no kernel-created BTF or map ever shows up
 *                        there, the loader's maps and its programs' BTF are
 *                        never the thread's, and no fd of the thread's is
 *                        closed by the kernel
 *  kconfig_not_suppliable H4: a caller's ARRAY map named .kconfig holding
 *                        0xdeadbeef: EINVAL and a reason; without it the
 *                        program returns the running kernel's version
 *  rodata_supplied_frozen H4: a supplied .rodata must be frozen (EINVAL and a
 *                        reason otherwise); a frozen one binds, sysfs says
 *                        "supplied", and the loader's "overrides" digest
 *                        follows the frozen value
 *  max_entries_declared  a caller resizes a BTF-defined map by declaring it
 *                        (BPF_LOADFD_MAP_MAX_ENTRIES): created with that
 *                        size, sysfs says "resized N (file: M)"; a global
 *                        data map or 0 entries: EINVAL and a reason
 *
 * Objects come from $LOADFD_OBJDIR or next to this binary.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/btf.h>
#include <linux/version.h>

#include "../../kselftest_harness.h"
#include "loadfd_e2e.h"

#define TRUTH_OBJ "loadfd_truth"
#define RACE_ROUNDS 200U
/* fds watched by the racing thread: the lowest free ones, where the kernel
 * would install its own (and where the thread's own fdinfo reads land).
 */
#define RACE_FDS 8
#define KIND_LEN 64

static int obj_file(struct __test_metadata *_metadata, struct obj *o)
{
	int fd;

	obj_init(_metadata, o, TRUTH_OBJ);
	fd = open(o->path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("%s: %s", o->path, strerror(errno));
	return fd;
}

/* The smallest BTF the kernel accepts: one 32-bit int. */
static int evil_btf_load(struct __test_metadata *_metadata)
{
	static const char strs[] = "\0int";
	struct {
		struct btf_header hdr;
		struct btf_type t;
		__u32 enc;
		char strs[sizeof(strs)];
	} __attribute__((packed)) b = {
		.hdr = { .magic = BTF_MAGIC, .version = BTF_VERSION,
			 .hdr_len = sizeof(struct btf_header),
			 .type_off = 0, .type_len = sizeof(struct btf_type) + 4,
			 .str_off = sizeof(struct btf_type) + 4, .str_len = sizeof(strs) },
		.t = { .name_off = 1, .info = BTF_KIND_INT << 24, .size = 4 },
		.enc = 32,
	};
	union bpf_attr attr;
	int fd;

	memcpy(b.strs, strs, sizeof(strs));
	memset(&attr, 0, sizeof(attr));
	attr.btf = ptr_to_u64(&b);
	attr.btf_size = sizeof(b);
	fd = sys_bpf(BPF_BTF_LOAD, &attr);
	ASSERT_LE(0, fd) TH_LOG("BPF_BTF_LOAD: %s", strerror(errno));
	return fd;
}

static __u32 btf_id_of(struct __test_metadata *_metadata, int fd)
{
	struct bpf_btf_info info = {};

	ASSERT_EQ(0, obj_info(fd, &info, sizeof(info)));
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

/* The value of "@key:" in /proc/self/fdinfo/@fd, or -1. No harness
 * asserts: thread B uses it too. Opens (and closes) one fd itself.
 */
static long fd_field(int fd, const char *key)
{
	char path[64], buf[1024], *p;
	size_t klen = strlen(key);
	long v = -1;
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return -1;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	for (p = buf; p; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (!strncmp(p, key, klen) && p[klen] == ':') {
			v = strtol(p + klen + 1, NULL, 10);
			break;
		}
	}
	return v;
}

/* @fd is (a dup of) thread B's own map or BTF. */
static bool is_evil(struct race *r, int fd)
{
	return fd_field(fd, "map_id") == r->evil_map_id || fd_field(fd, "btf_id") == r->evil_btf_id;
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

/* A fixture only for the longer timeout (200 loads of a 1 MiB object). */
FIXTURE(race) {
	int unused;
};

FIXTURE_SETUP(race)
{
}

FIXTURE_TEARDOWN(race)
{
}

TEST_F_TIMEOUT(race, fd_race, E2E_TIMEOUT)
{
	unsigned int result_swapped = 0, checked = 0, failed = 0, closed = 0, round;
	int first_err = 0;
	__u32 evil_map_id, evil_btf_id;
	struct race r = {};
	pthread_t thread;
	struct obj o;
	int obj_fd, i;

	obj_fd = obj_file(_metadata, &o);
	r.evil_map = map_create(_metadata, BPF_MAP_TYPE_ARRAY, 4, 1 << 20, 1, 0, "evil");
	r.evil_btf = evil_btf_load(_metadata);
	evil_map_id = map_id(_metadata, r.evil_map);
	evil_btf_id = btf_id_of(_metadata, r.evil_btf);
	r.evil_map_id = evil_map_id;
	r.evil_btf_id = evil_btf_id;
	r.base = dup(0);
	ASSERT_LE(0, r.base);
	close(r.base);
	/* The watched fds must be free: the test's own fds sit below base. */
	for (i = 0; i < RACE_FDS; i++)
		ASSERT_GT(0, fcntl(r.base + i, F_GETFD));
	ASSERT_EQ(0, pthread_create(&thread, NULL, race_thread, &r));

	for (round = 0; round < RACE_ROUNDS; round++) {
		struct bpf_prog_info info = {};
		int loader, prog;

		atomic_store(&r.armed, 1);
		loader = loadfd_raw(obj_fd, NULL, 0, NULL, 0);
		race_disarm(&r);
		if (loader < 0) {
			/* A substituted BTF or map makes the load fail, or
			 * worse; counted, and reported after the loop.
			 */
			if (!failed++)
				first_err = loader;
		} else if (fd_field(loader, "loadfd_id") < 0) {
			ASSERT_TRUE(is_evil(&r, loader));
			/* B replaced the loader fd itself once it was installed,
			 * which is the caller's business.
			 */
			result_swapped++;
		} else {
			o.loader = loader;
			o.id = loader_id(_metadata, loader);
			ASSERT_NE(evil_map_id, obj_map_id(_metadata, &o, ".data"));
			ASSERT_NE(evil_map_id, obj_map_id(_metadata, &o, ".rodata"));
			ASSERT_NE(evil_map_id, obj_map_id(_metadata, &o, ".kconfig"));
			prog = prog_load_ok(_metadata, loader, "truth_cfg_ret");
			prog_info(_metadata, prog, &info);
			ASSERT_NE(evil_btf_id, info.btf_id);
			ASSERT_NE(0U, info.btf_id);
			ASSERT_EQ(7U, run_skb(_metadata, prog));
			close(prog);
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
			ASSERT_TRUE(is_evil(&r, fd) || fd == loader)
				TH_LOG("round %u: fd %d is neither B's nor the loader", round, fd);
			close(fd);
		}
		if (loader >= r.base + RACE_FDS)
			close(loader);
	}
	atomic_store(&r.stop, 1);
	pthread_join(thread, NULL);
	TH_LOG("%u rounds: %u checked, %u polls by the thread during the calls, %u swaps, %u loader fds swapped, %u failed",
	       RACE_ROUNDS, checked, r.armed_polls, r.swaps, result_swapped, failed);
	/* The thread really watched the calls. */
	ASSERT_LT(0U, r.armed_polls);
	ASSERT_EQ(0U, r.kernel_objs)
		TH_LOG("%u kernel-created fds appeared in the caller's table (first '%s'); %u loads failed",
		       r.kernel_objs, r.first_kind, failed);
	ASSERT_EQ(0U, closed) TH_LOG("the kernel closed %u fds the thread had dup2()ed", closed);
	ASSERT_EQ(0U, failed) TH_LOG("first failure: %s", strerror(-first_err));
	ASSERT_EQ(RACE_ROUNDS, checked);
	close(r.evil_map);
	close(r.evil_btf);
	close(obj_fd);
	free(o.elf);
}

/* An ARRAY map like the loader's .kconfig (value 4 bytes: one extern). */
static int fake_kconfig(struct __test_metadata *_metadata)
{
	__u32 key = 0, val = 0xdeadbeef;
	int fd;

	fd = map_create(_metadata, BPF_MAP_TYPE_ARRAY, 4, 4, 1,
			BPF_F_RDONLY_PROG | BPF_F_MMAPABLE, ".kconfig");
	ASSERT_EQ(0, map_update(fd, &key, &val, BPF_ANY));
	return fd;
}

TEST(kconfig_not_suppliable)
{
	struct bpf_loadfd_map m = { .name = ".kconfig" };
	char log[REJECT_LOG_SIZE], rel[128];
	int obj_fd, loader, prog, a = 0, b = 0, c = 0;
	struct obj o;
	__u32 ret;

	obj_fd = obj_file(_metadata, &o);
	m.fd = fake_kconfig(_metadata);
	loader = loadfd_raw(obj_fd, &m, 1, log, sizeof(log));
	ASSERT_EQ(-EINVAL, loader) TH_LOG("log: '%s'", log);
	ASSERT_ONE_LINE(log, ".kconfig");
	ASSERT_NE(NULL, strstr(log, "cannot be supplied")) TH_LOG("log: '%s'", log);

	/* Without it, the value is the running kernel's. */
	loader = loadfd_ok(_metadata, obj_fd, NULL, 0, TRUTH_OBJ);
	prog = prog_load_ok(_metadata, loader, "truth_kver");
	ret = run_skb(_metadata, prog);
	ASSERT_EQ(0, read_text("/proc/sys/kernel/osrelease", rel, sizeof(rel)));
	ASSERT_LE(2, sscanf(rel, "%d.%d.%d", &a, &b, &c));
	ASSERT_EQ((__u32)KERNEL_VERSION(a, b, c > 255 ? 255 : c), ret);
	close(prog);
	close(loader);
	close(m.fd);
	close(obj_fd);
	free(o.elf);
}

TEST(rodata_supplied_frozen)
{
	struct bpf_loadfd_map m = { .name = ".rodata" };
	struct bpf_map_info ref = {};
	char log[REJECT_LOG_SIZE], buf[64], ov[2][128];
	__u32 val = 9;
	union bpf_attr attr;
	struct obj o;
	int obj_fd, loader, prog, ro;

	obj_fd = obj_file(_metadata, &o);
	/* The loader's own .rodata says what a compatible map looks like. */
	o.loader = loadfd_ok(_metadata, obj_fd, NULL, 0, TRUTH_OBJ);
	o.id = loader_id(_metadata, o.loader);
	ro = obj_map(_metadata, &o, ".rodata");
	map_info(_metadata, ro, &ref);
	close(ro);
	close(o.loader);

	m.fd = map_like(_metadata, &ref, &val, false);
	loader = loadfd_raw(obj_fd, &m, 1, log, sizeof(log));
	ASSERT_EQ(-EINVAL, loader) TH_LOG("log: '%s'", log);
	ASSERT_ONE_LINE(log, "frozen");

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = m.fd;
	ASSERT_EQ(0, sys_bpf(BPF_MAP_FREEZE, &attr)) TH_LOG("BPF_MAP_FREEZE: %s", strerror(errno));
	o.loader = loadfd_ok(_metadata, obj_fd, &m, 1, TRUTH_OBJ);
	o.id = loader_id(_metadata, o.loader);
	ASSERT_EQ(map_id(_metadata, m.fd), obj_map_id(_metadata, &o, ".rodata"));
	sysfs_read(_metadata, buf, sizeof(buf), SYSFS_DIR "/%d/maps/.rodata/origin", o.id);
	ASSERT_STREQ("supplied", buf);
	prog = prog_load_ok(_metadata, o.loader, "truth_cfg_ret");
	ASSERT_EQ(9U, run_skb(_metadata, prog));
	close(prog);
	/* The provenance names the override, and its digest covers the
	 * frozen value: another value, another digest; the same, the same.
	 */
	sysfs_read(_metadata, ov[0], sizeof(ov[0]), SYSFS_DIR "/%d/overrides", o.id);
	ASSERT_EQ(0, strncmp(ov[0], "1 ", 2)) TH_LOG("overrides: '%s'", ov[0]);
	close(o.loader);
	o.loader = loadfd_ok(_metadata, obj_fd, &m, 1, TRUTH_OBJ);
	o.id = loader_id(_metadata, o.loader);
	sysfs_read(_metadata, ov[1], sizeof(ov[1]), SYSFS_DIR "/%d/overrides", o.id);
	ASSERT_STREQ(ov[0], ov[1]);
	close(o.loader);
	val = 10;
	close(m.fd);
	m.fd = map_like(_metadata, &ref, &val, true);
	o.loader = loadfd_ok(_metadata, obj_fd, &m, 1, TRUTH_OBJ);
	o.id = loader_id(_metadata, o.loader);
	sysfs_read(_metadata, ov[1], sizeof(ov[1]), SYSFS_DIR "/%d/overrides", o.id);
	ASSERT_STRNE(ov[0], ov[1]);
	close(o.loader);
	/* Nothing declared: nothing listed. */
	o.loader = loadfd_ok(_metadata, obj_fd, NULL, 0, TRUTH_OBJ);
	o.id = loader_id(_metadata, o.loader);
	sysfs_read(_metadata, ov[1], sizeof(ov[1]), SYSFS_DIR "/%d/overrides", o.id);
	ASSERT_EQ(0, strncmp(ov[1], "0 0000", 6)) TH_LOG("overrides: '%s'", ov[1]);
	close(o.loader);
	close(m.fd);
	close(obj_fd);
	free(o.elf);
}

TEST(max_entries_declared)
{
	struct bpf_loadfd_map m = { .name = "truth_hash", .max_entries = 1024,
				    .flags = BPF_LOADFD_MAP_MAX_ENTRIES };
	struct bpf_map_info info = {};
	char log[REJECT_LOG_SIZE], buf[64];
	struct obj o;
	int obj_fd, fd, ret;

	obj_fd = obj_file(_metadata, &o);
	o.loader = loadfd_ok(_metadata, obj_fd, &m, 1, TRUTH_OBJ);
	o.id = loader_id(_metadata, o.loader);
	fd = loadfd_map_get(o.loader, "truth_hash", BPF_F_RDONLY);
	ASSERT_LE(0, fd);
	map_info(_metadata, fd, &info);
	ASSERT_EQ(1024U, info.max_entries);
	close(fd);
	sysfs_read(_metadata, buf, sizeof(buf), SYSFS_DIR "/%d/maps/truth_hash/origin", o.id);
	ASSERT_STREQ("resized 1024 (file: 16)", buf);
	close(o.loader);

	strcpy(m.name, ".data");
	ret = loadfd_raw(obj_fd, &m, 1, log, sizeof(log));
	ASSERT_EQ(-EINVAL, ret);
	ASSERT_ONE_LINE(log, "global data map is the file's");

	strcpy(m.name, "truth_hash");
	m.max_entries = 0;
	ret = loadfd_raw(obj_fd, &m, 1, log, sizeof(log));
	ASSERT_EQ(-EINVAL, ret);
	ASSERT_ONE_LINE(log, "max_entries 0");
	close(obj_fd);
	free(o.elf);
}

TEST_HARNESS_MAIN
