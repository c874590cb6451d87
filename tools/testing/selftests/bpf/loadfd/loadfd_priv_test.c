// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_LOAD_FD and BPF_PROG_LOAD by name against callers with less than
 * root, and the attr fields a caller must not be able to bend: what the
 * loader reveals and which inputs it refuses (security review of the
 * series; the finding each test covers is in its comment).
 *
 *  ksym_denied          H1: typeless ksym as a CAP_BPF-only caller with
 *                       kptr_restrict=1: EPERM and a log line
 *  ksym_root            H1: the same object as root loads and sees the
 *                       address /proc/kallsyms shows
 *  sysfs_root_only      M2: /sys/kernel/bpf_loadfd is not readable by uid
 *                       65534 (EACCES), though it is by root
 *  no_uevent            M2/L2: a new loader object is not broadcast as a
 *                       uevent
 *  token_refused        M5: BPF_LOAD_FD with a real BPF token (user
 *                       namespace + delegating bpffs): EOPNOTSUPP + reason
 *  token_map_flags      M5: an ELF map with BPF_F_TOKEN_FD: EINVAL + reason
 *  attach_btf_id_*      M7: by-name loads whose attach_btf_id (or
 *                       attach_btf_obj_fd) names another target: EINVAL
 *  loader_fd_no_name    L3: loader_fd without loader_prog_name: EINVAL
 *  map_by_name          M6: a CAP_BPF-only caller opens its loader's maps
 *                       by name (BPF_LOAD_FD_MAP_GET_FD) and reads the
 *                       file's values, where BPF_MAP_GET_FD_BY_ID is EPERM;
 *                       unknown name ENOENT, not a loader EINVAL
 *  map_by_name_unpriv   M8: a process without CAP_BPF holding a loader fd
 *                       gets no map fd from it: EPERM
 *
 * Every test runs as root in the VM and drops privileges in a child where
 * it needs to. Objects come from $LOADFD_OBJDIR or next to this binary.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/mount.h>
#include <linux/netlink.h>

#include "../../kselftest_harness.h"
#include "loadfd_e2e.h"

#define PRIV_TIMEOUT 120
#define KPTR_RESTRICT "/proc/sys/kernel/kptr_restrict"

/* What a child (with fewer privileges) saw; in shared memory. */
struct child_result {
	int stage;		/* where the child stopped, 0 = it ran to the end */
	int ret;		/* -errno or the fd of the call under test */
	int errs[4];		/* errno per path, for the sysfs test */
	int fs_fd;		/* token test: the child's bpffs context */
	int mnt_fd;		/* token test: the parent's bpffs mount */
	int go[2];		/* token test: parent -> child */
	int ready[2];		/* token test: child -> parent */
	int obj_fd;
	char log[REJECT_LOG_SIZE];
};

static struct child_result *shared_result(struct __test_metadata *_metadata)
{
	struct child_result *r;

	r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, r);
	memset(r, 0, sizeof(*r));
	return r;
}

/* Waits for @pid and fails the test unless it exited with 0. */
static void wait_child(struct __test_metadata *_metadata, pid_t pid, struct child_result *r)
{
	int status;

	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("child status 0x%x, stopped at stage %d (ret %d)", status, r->stage,
		       r->ret);
}

static int open_obj(struct __test_metadata *_metadata, const char *name)
{
	char path[PATH_MAX];
	int fd;

	obj_path(path, sizeof(path), name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("%s: %s (set LOADFD_OBJDIR)", path, strerror(errno));
	return fd;
}

/* Keeps CAP_BPF and nothing else (still uid 0, so files stay readable). */
static int keep_only_cap_bpf(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};

	data[CAP_TO_INDEX(CAP_BPF)].effective = CAP_TO_MASK(CAP_BPF);
	data[CAP_TO_INDEX(CAP_BPF)].permitted = CAP_TO_MASK(CAP_BPF);
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

static int become_nobody(void)
{
	if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
	    setresuid(65534, 65534, 65534))
		return -errno;
	return 0;
}

static int write_text(const char *path, const char *text)
{
	ssize_t n = strlen(text);
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, text, n) != n)
		err = -errno;
	close(fd);
	return err;
}

FIXTURE(priv) {
	char kptr_restrict[16];		/* to restore; empty if unchanged */
	struct child_result *r;
};

FIXTURE_SETUP(priv)
{
	self->kptr_restrict[0] = 0;
	self->r = shared_result(_metadata);
	self->r->obj_fd = -1;
}

FIXTURE_TEARDOWN(priv)
{
	if (self->kptr_restrict[0])
		write_text(KPTR_RESTRICT, self->kptr_restrict);
	munmap(self->r, sizeof(*self->r));
}

static void set_kptr_restrict(struct __test_metadata *_metadata, char *saved, size_t size,
			      const char *val)
{
	ASSERT_EQ(0, read_text(KPTR_RESTRICT, saved, size));
	ASSERT_EQ(0, write_text(KPTR_RESTRICT, val)) TH_LOG("cannot set kptr_restrict");
}

/* ---- H1: typeless ksyms ---- */

/*
 * As CAP_BPF only, with kptr_restrict=1 (so /proc/kallsyms shows this caller
 * zeros): the object's typeless ksym would hand it init_task's address as a
 * constant. Refused, with the reason, before anything is created.
 */
TEST_F_TIMEOUT(priv, ksym_denied, PRIV_TIMEOUT)
{
	struct child_result *r = self->r;
	pid_t pid;

	set_kptr_restrict(_metadata, self->kptr_restrict, sizeof(self->kptr_restrict), "1");
	r->obj_fd = open_obj(_metadata, "loadfd_ksym_leak");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		r->stage = 1;
		if (keep_only_cap_bpf())
			_exit(1);
		r->stage = 0;
		r->ret = loadfd_raw(r->obj_fd, NULL, 0, r->log, sizeof(r->log));
		_exit(0);
	}
	wait_child(_metadata, pid, r);
	if (r->ret >= 0)
		close(r->ret);
	ASSERT_EQ(-EPERM, r->ret) TH_LOG("BPF_LOAD_FD as CAP_BPF only: %d, log '%s'", r->ret,
					r->log);
	ASSERT_ONE_LINE(r->log, "kallsyms");
	close(r->obj_fd);
}

/* ---- M6, M8: the loader's maps for its owner ---- */

TEST_F_TIMEOUT(priv, map_by_name, PRIV_TIMEOUT)
{
	struct child_result *r = self->r;
	pid_t pid;

	r->obj_fd = open_obj(_metadata, "loadfd_truth");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct bpf_map_info info = {};
		union bpf_attr attr;
		__u32 key = 0, *val;
		int loader, ro;

		r->stage = 1;
		if (keep_only_cap_bpf())
			_exit(1);
		r->stage = 2;
		loader = loadfd_raw(r->obj_fd, NULL, 0, r->log, sizeof(r->log));
		if (loader < 0)
			_exit(1);
		r->stage = 3;
		ro = loadfd_map_get(loader, ".rodata", BPF_F_RDONLY);
		r->ret = ro;
		if (ro < 0)
			_exit(1);
		r->stage = 4;
		if (obj_info(ro, &info, sizeof(info)) || info.value_size < 4)
			_exit(1);
		val = calloc(1, info.value_size);
		if (!val || map_lookup(ro, &key, val))
			_exit(1);
		r->errs[0] = (int)val[0];		/* truth_cfg: 7 */
		memset(&attr, 0, sizeof(attr));
		attr.map_id = info.id;
		r->errs[1] = sys_bpf(BPF_MAP_GET_FD_BY_ID, &attr) < 0 ? -errno : 0;
		r->errs[2] = loadfd_map_get(loader, "no_such_map", 0);
		r->errs[3] = loadfd_map_get(r->obj_fd, ".rodata", 0);
		r->stage = 0;
		_exit(0);
	}
	wait_child(_metadata, pid, r);
	ASSERT_EQ(7, r->errs[0]);
	ASSERT_EQ(-EPERM, r->errs[1]) TH_LOG("BPF_MAP_GET_FD_BY_ID as CAP_BPF only");
	ASSERT_EQ(-ENOENT, r->errs[2]);
	ASSERT_EQ(-EINVAL, r->errs[3]);
	close(r->obj_fd);
}

TEST_F_TIMEOUT(priv, map_by_name_unpriv, PRIV_TIMEOUT)
{
	struct child_result *r = self->r;
	int loader, fd;
	pid_t pid;

	r->obj_fd = open_obj(_metadata, "loadfd_truth");
	loader = loadfd_ok(_metadata, r->obj_fd, NULL, 0, "loadfd_truth");
	fd = loadfd_map_get(loader, ".data", 0);
	ASSERT_LE(0, fd) TH_LOG("as root: %s", strerror(-fd));
	close(fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		r->stage = 1;
		if (become_nobody())
			_exit(1);
		r->stage = 0;
		r->ret = loadfd_map_get(loader, ".data", 0);
		_exit(0);
	}
	wait_child(_metadata, pid, r);
	ASSERT_EQ(-EPERM, r->ret);
	close(loader);
	close(r->obj_fd);
}

/* BPF_LOAD_FD of loadfd_pin with pin directory @dir_fd, in a child. */
static int load_pinned(int obj_fd, int dir_fd, char *log, __u32 log_size)
{
	LIBBPF_OPTS(bpf_load_fd_opts, opts, .flags = BPF_F_PATH_FD, .pin_path_fd = dir_fd,
		    .log_level = LOG_LEVEL1, .log_buf = log, .log_size = log_size);

	log[0] = 0;
	return bpf_load_fd(obj_fd, &opts);
}

/*
 * Pinning by name checks the caller's own path permissions, as BPF_OBJ_GET
 * and BPF_OBJ_PIN do: a CAP_BPF-only caller (no CAP_DAC_OVERRIDE) neither
 * reuses a pin it may not open read-write nor pins in a directory it may not
 * write, and the refused load leaves no pin behind.
 */
TEST_F_TIMEOUT(priv, pin_permissions, PRIV_TIMEOUT)
{
	char dir[] = "/sys/fs/bpf/loadfd_priv_XXXXXX", pin[PATH_MAX];
	struct child_result *r = self->r;
	int dir_fd, map, phase;
	pid_t pid;

	ASSERT_NE(NULL, mkdtemp(dir)) TH_LOG("mkdtemp %s: %s", dir, strerror(errno));
	snprintf(pin, sizeof(pin), "%s/loadfd_pinned", dir);
	dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, dir_fd);
	r->obj_fd = open_obj(_metadata, "loadfd_pin");
	/* A compatible map pinned by root, readable only. */
	map = map_create(_metadata, BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0, "loadfd_pinned");
	ASSERT_EQ(0, bpf_obj_pin(map, pin));
	ASSERT_EQ(0, chmod(pin, 0400));
	ASSERT_EQ(0, chmod(dir, 0555));
	for (phase = 0; phase < 2; phase++) {
		/* Phase 1: no pin to reuse, so the map is created and pinned. */
		if (phase == 1)
			ASSERT_EQ(0, unlink(pin));
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			r->stage = 1;
			if (keep_only_cap_bpf())
				_exit(1);
			r->stage = 0;
			r->errs[phase] = load_pinned(r->obj_fd, dir_fd, r->log, sizeof(r->log));
			_exit(0);
		}
		wait_child(_metadata, pid, r);
		ASSERT_EQ(-EACCES, r->errs[phase]) TH_LOG("phase %d: log '%s'", phase, r->log);
		ASSERT_ONE_LINE(r->log, phase ? "maps: 'loadfd_pinned': pinning in the pin directory failed (-13)"
					      : "maps: 'loadfd_pinned': the pinned map cannot be reused (-13)");
	}
	ASSERT_NE(0, access(pin, F_OK)) TH_LOG("the refused load left %s", pin);
	/* Root may: the same load pins. */
	r->ret = load_pinned(r->obj_fd, dir_fd, r->log, sizeof(r->log));
	ASSERT_LE(0, r->ret) TH_LOG("as root: %s; log '%s'", strerror(-r->ret), r->log);
	ASSERT_EQ(0, access(pin, F_OK));
	close(r->ret);
	ASSERT_EQ(0, unlink(pin));
	ASSERT_EQ(0, chmod(dir, 0755));
	ASSERT_EQ(0, rmdir(dir));
	close(map);
	close(dir_fd);
	close(r->obj_fd);
}

/* The same object as root (CAP_SYSLOG): loads, and the program sees what
 * /proc/kallsyms shows root.
 */
TEST_F_TIMEOUT(priv, ksym_root, PRIV_TIMEOUT)
{
	__u64 ctx = 0, want;
	int obj, loader, prog;

	set_kptr_restrict(_metadata, self->kptr_restrict, sizeof(self->kptr_restrict), "1");
	want = kallsyms_addr(_metadata, "init_task");
	obj = open_obj(_metadata, "loadfd_ksym_leak");
	loader = loadfd_ok(_metadata, obj, NULL, 0, "loadfd_ksym_leak");
	prog = prog_load_ok(_metadata, loader, "leak");
	ASSERT_EQ(0U, run_ctx(_metadata, prog, &ctx, sizeof(ctx)));
	ASSERT_EQ(want, ctx);
	close(prog);
	close(loader);
	close(obj);
}

/* ---- M2, L2: sysfs ---- */

/*
 * The loader's sysfs lists program and map ids, which only CAP_SYS_ADMIN may
 * enumerate otherwise (BPF_*_GET_NEXT_ID), and the provenance of every loader
 * object: root only.
 */
TEST_F_TIMEOUT(priv, sysfs_root_only, PRIV_TIMEOUT)
{
	struct child_result *r = self->r;
	char paths[4][PATH_MAX], buf[256];
	int obj, loader, id, i;
	pid_t pid;

	obj = open_obj(_metadata, "loadfd_minimal");
	loader = loadfd_ok(_metadata, obj, NULL, 0, "loadfd_minimal");
	id = loader_id(_metadata, loader);
	snprintf(paths[0], PATH_MAX, SYSFS_DIR);
	snprintf(paths[1], PATH_MAX, SYSFS_DIR "/%d/sha256", id);
	snprintf(paths[2], PATH_MAX, SYSFS_DIR "/%d/programs/loadfd_minimal/prog_ids", id);
	snprintf(paths[3], PATH_MAX, SYSFS_DIR "/%d/programs/loadfd_minimal/attach_func", id);
	for (i = 1; i < 4; i++)
		ASSERT_EQ(0, read_text(paths[i], buf, sizeof(buf))) TH_LOG("root: %s", paths[i]);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		r->stage = 1;
		if (become_nobody())
			_exit(1);
		r->stage = 0;
		for (i = 0; i < 4; i++) {
			int fd = open(paths[i], O_RDONLY | O_CLOEXEC);

			r->errs[i] = fd < 0 ? errno : 0;
		}
		_exit(0);
	}
	wait_child(_metadata, pid, r);
	for (i = 0; i < 4; i++) {
		const char *path = paths[i];
		int err = r->errs[i];

		EXPECT_EQ(EACCES, err) TH_LOG("uid 65534 opening %s: %s", path,
					      err ? strerror(err) : "opened");
	}
	close(loader);
	close(obj);
}

/* Creating (and closing) a loader object sends no uevent. */
TEST_F_TIMEOUT(priv, no_uevent, PRIV_TIMEOUT)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	struct pollfd pfd;
	char msg[4096];
	int sk, obj, loader, seen = 0;
	ssize_t n;

	sk = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    NETLINK_KOBJECT_UEVENT);
	ASSERT_LE(0, sk) TH_LOG("uevent socket: %s", strerror(errno));
	ASSERT_EQ(0, bind(sk, (struct sockaddr *)&sa, sizeof(sa)));
	obj = open_obj(_metadata, "loadfd_minimal");
	loader = loadfd_ok(_metadata, obj, NULL, 0, "loadfd_minimal");
	close(loader);
	pfd.fd = sk;
	pfd.events = POLLIN;
	while (poll(&pfd, 1, 500) > 0) {
		n = recv(sk, msg, sizeof(msg) - 1, 0);
		if (n <= 0)
			break;
		msg[n] = 0;
		/* "ACTION@DEVPATH" then NUL-separated KEY=VALUE pairs. */
		if (strstr(msg, "bpf_loadfd")) {
			seen++;
			TH_LOG("uevent: %s", msg);
		}
	}
	EXPECT_EQ(0, seen);
	close(obj);
	close(sk);
}

/* ---- M5: tokens ---- */

/*
 * The child: a user namespace (and mount namespace) of its own, a bpffs
 * context the parent turns into a delegating mount, a BPF token from it,
 * and BPF_LOAD_FD with that token. It shares the parent's fd table
 * (CLONE_FILES), so fds need no passing.
 */
static int token_child(void *arg)
{
	struct child_result *r = arg;
	union bpf_attr attr;
	int bpffs_fd, token_fd;
	char c;

	r->stage = 1;
	if (read(r->go[0], &c, 1) != 1)
		return 1;
	r->stage = 2;
	r->fs_fd = syscall(__NR_fsopen, "bpf", 0);
	if (r->fs_fd < 0)
		return 1;
	if (write(r->ready[1], "f", 1) != 1)
		return 1;
	r->stage = 3;
	if (read(r->go[0], &c, 1) != 1 || r->mnt_fd < 0)
		return 1;
	r->stage = 4;
	/* fsmount() gives an O_PATH fd; BPF_TOKEN_CREATE needs a real one. */
	bpffs_fd = openat(r->mnt_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (bpffs_fd < 0) {
		r->ret = -errno;
		return 1;
	}
	r->stage = 5;
	memset(&attr, 0, sizeof(attr));
	attr.token_create.bpffs_fd = bpffs_fd;
	token_fd = sys_bpf(BPF_TOKEN_CREATE, &attr);
	if (token_fd < 0) {
		r->ret = -errno;
		return 1;
	}
	r->stage = 0;
	memset(&attr, 0, sizeof(attr));
	attr.load_fd.obj_fd = r->obj_fd;
	attr.load_fd.flags = BPF_F_TOKEN_FD;
	attr.load_fd.token_fd = token_fd;
	attr.load_fd.log_level = LOG_LEVEL1;
	attr.load_fd.log_buf = ptr_to_u64(r->log);
	attr.load_fd.log_size = sizeof(r->log);
	r->ret = sys_bpf(BPF_LOAD_FD, &attr);
	if (r->ret < 0)
		r->ret = -errno;
	close(token_fd);
	close(bpffs_fd);
	return 0;
}

/*
 * BPF_LOAD_FD with a real token that delegates every command. The BTF and
 * maps it would create are not created under the token, so the command
 * refuses tokens outright, with the reason, instead of failing half-way.
 */
TEST_F_TIMEOUT(priv, token_refused, PRIV_TIMEOUT)
{
	const size_t stack_size = 1 << 20;
	struct child_result *r = self->r;
	char path[64], *stack;
	pid_t pid;
	char c;

	r->obj_fd = open_obj(_metadata, "loadfd_minimal");
	r->mnt_fd = -1;
	ASSERT_EQ(0, pipe2(r->go, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(r->ready, O_CLOEXEC));
	stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	ASSERT_NE(MAP_FAILED, stack);
	pid = clone(token_child, stack + stack_size,
		    CLONE_NEWUSER | CLONE_NEWNS | CLONE_FILES | SIGCHLD, r);
	ASSERT_LE(0, pid) TH_LOG("clone(CLONE_NEWUSER): %s (needs CONFIG_USER_NS)",
				 strerror(errno));
	/* Root in its namespace is root outside. */
	snprintf(path, sizeof(path), "/proc/%d/uid_map", pid);
	ASSERT_EQ(0, write_text(path, "0 0 1"));
	snprintf(path, sizeof(path), "/proc/%d/gid_map", pid);
	ASSERT_EQ(0, write_text(path, "0 0 1"));
	ASSERT_EQ(1, write(r->go[1], "u", 1));
	ASSERT_EQ(1, read(r->ready[0], &c, 1)) TH_LOG("fsopen in the child: stage %d",
						       r->stage);
	/* Delegation options need CAP_SYS_ADMIN in the initial namespace. */
	ASSERT_EQ(0, syscall(__NR_fsconfig, r->fs_fd, FSCONFIG_SET_STRING, "delegate_cmds",
			     "any", 0)) TH_LOG("fsconfig delegate_cmds: %s", strerror(errno));
	ASSERT_EQ(0, syscall(__NR_fsconfig, r->fs_fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0))
		TH_LOG("fsconfig create: %s", strerror(errno));
	r->mnt_fd = syscall(__NR_fsmount, r->fs_fd, 0, 0);
	ASSERT_LE(0, r->mnt_fd) TH_LOG("fsmount: %s", strerror(errno));
	ASSERT_EQ(1, write(r->go[1], "m", 1));
	wait_child(_metadata, pid, r);
	if (r->ret >= 0)
		close(r->ret);
	ASSERT_EQ(-EOPNOTSUPP, r->ret) TH_LOG("BPF_LOAD_FD with a token: %d, log '%s'", r->ret,
					     r->log);
	ASSERT_ONE_LINE(r->log, "token");
	close(r->mnt_fd);
	close(r->fs_fd);
	close(r->obj_fd);
	munmap(stack, stack_size);
}

/* A map definition asking BPF_MAP_CREATE for a token (from fd 0 of the
 * caller, as the object cannot name one).
 */
TEST_F_TIMEOUT(priv, token_map_flags, PRIV_TIMEOUT)
{
	char log[REJECT_LOG_SIZE];
	int obj, ret;

	obj = open_obj(_metadata, "loadfd_bad_token_map");
	ret = loadfd_raw(obj, NULL, 0, log, sizeof(log));
	if (ret >= 0)
		close(ret);
	ASSERT_EQ(-EINVAL, ret) TH_LOG("log '%s'", log);
	ASSERT_ONE_LINE(log, "flags");
	close(obj);
}

/* ---- M7: the SEC name's attach target ---- */

/* An fd of the vmlinux BTF object. */
static int vmlinux_btf_fd(struct __test_metadata *_metadata)
{
	union bpf_attr attr;
	__u32 id = 0;
	int fd;

	for (;;) {
		struct bpf_btf_info info;
		char name[64] = "";

		memset(&attr, 0, sizeof(attr));
		attr.start_id = id;
		if (sys_bpf(BPF_BTF_GET_NEXT_ID, &attr))
			break;
		id = attr.next_id;
		memset(&attr, 0, sizeof(attr));
		attr.btf_id = id;
		fd = sys_bpf(BPF_BTF_GET_FD_BY_ID, &attr);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		info.name = ptr_to_u64(name);
		info.name_len = sizeof(name);
		if (!obj_info(fd, &info, sizeof(info)) && info.kernel_btf &&
		    !strcmp(name, "vmlinux"))
			return fd;
		close(fd);
	}
	ASSERT_TRUE(false) TH_LOG("no vmlinux BTF object");
	return -1;
}

static __s32 vmlinux_func_id(struct __test_metadata *_metadata, const char *name)
{
	struct btf *btf = btf__load_vmlinux_btf();
	__s32 id;

	ASSERT_NE(NULL, btf) TH_LOG("vmlinux BTF: %s", strerror(errno));
	id = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC);
	btf__free(btf);
	ASSERT_LT(0, id) TH_LOG("%s not in vmlinux BTF", name);
	return id;
}

/*
 * SEC("fentry/bpf_fentry_test1") program test1 loaded with the attach fields
 * of @extra: returns the prog fd or -errno, with the log in @log.
 */
static int load_test1(struct __test_metadata *_metadata, int loader, const union bpf_attr *extra,
		      char *log, __u32 log_size)
{
	union bpf_attr attr = *extra;

	log[0] = 0;
	attr.log_level = LOG_LEVEL1;
	attr.log_buf = ptr_to_u64(log);
	attr.log_size = log_size;
	return prog_load_raw(&attr, loader, "test1");
}

/* attach_btf_id naming another function than the SEC name: EINVAL. The
 * right id (the SEC name's own target) loads.
 */
TEST_F_TIMEOUT(priv, attach_btf_id_mismatch, PRIV_TIMEOUT)
{
	char *log = calloc(1, VERIFIER_LOG_SIZE);
	union bpf_attr extra;
	int obj, loader, fd;

	ASSERT_NE(NULL, log);
	obj = open_obj(_metadata, "fentry_test");
	loader = loadfd_ok(_metadata, obj, NULL, 0, "fentry_test");

	memset(&extra, 0, sizeof(extra));
	extra.attach_btf_id = vmlinux_func_id(_metadata, "bpf_fentry_test2");
	fd = load_test1(_metadata, loader, &extra, log, REJECT_LOG_SIZE);
	if (fd >= 0)
		close(fd);
	ASSERT_EQ(-EINVAL, fd) TH_LOG("fentry/bpf_fentry_test1 at bpf_fentry_test2: %d, log '%s'",
				      fd, log);
	ASSERT_ONE_LINE(log, "bpf_fentry_test1");

	extra.attach_btf_id = vmlinux_func_id(_metadata, "bpf_fentry_test1");
	fd = load_test1(_metadata, loader, &extra, log, VERIFIER_LOG_SIZE);
	ASSERT_LE(0, fd) TH_LOG("own target: %s; log '%s'", strerror(-fd), log);
	close(fd);
	close(loader);
	close(obj);
	free(log);
}

/* attach_btf_obj_fd + attach_btf_id naming another function: EINVAL. */
TEST_F_TIMEOUT(priv, attach_btf_id_obj_fd_mismatch, PRIV_TIMEOUT)
{
	char log[REJECT_LOG_SIZE];
	union bpf_attr extra;
	int obj, loader, btf_fd, fd;

	obj = open_obj(_metadata, "fentry_test");
	loader = loadfd_ok(_metadata, obj, NULL, 0, "fentry_test");
	btf_fd = vmlinux_btf_fd(_metadata);

	memset(&extra, 0, sizeof(extra));
	extra.attach_btf_obj_fd = btf_fd;
	extra.attach_btf_id = vmlinux_func_id(_metadata, "bpf_fentry_test2");
	fd = load_test1(_metadata, loader, &extra, log, sizeof(log));
	if (fd >= 0)
		close(fd);
	ASSERT_EQ(-EINVAL, fd) TH_LOG("log '%s'", log);
	ASSERT_ONE_LINE(log, "attach_btf_id");
	close(btf_fd);
	close(loader);
	close(obj);
}

/* ---- L3: loader_fd without loader_prog_name ---- */

/*
 * An ordinary, valid program whose attr also sets loader_fd: the field would
 * be silently ignored, so it could never get a meaning later. EINVAL.
 */
TEST_F_TIMEOUT(priv, loader_fd_no_name, PRIV_TIMEOUT)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	char log[REJECT_LOG_SIZE] = "";
	union bpf_attr attr;
	int obj, loader, fd;

	obj = open_obj(_metadata, "loadfd_minimal");
	loader = loadfd_ok(_metadata, obj, NULL, 0, "loadfd_minimal");
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insns = ptr_to_u64(insns);
	attr.insn_cnt = ARRAY_LEN(insns);
	attr.license = ptr_to_u64("GPL");
	attr.log_level = LOG_LEVEL1;
	attr.log_buf = ptr_to_u64(log);
	attr.log_size = sizeof(log);
	attr.loader_fd = loader;
	fd = sys_bpf(BPF_PROG_LOAD, &attr);
	if (fd >= 0)
		close(fd);
	ASSERT_EQ(-1, fd) TH_LOG("loaded, loader_fd ignored");
	ASSERT_EQ(EINVAL, errno);
	ASSERT_ONE_LINE(log, "loader_prog_name");
	close(loader);
	close(obj);
}

TEST_HARNESS_MAIN
