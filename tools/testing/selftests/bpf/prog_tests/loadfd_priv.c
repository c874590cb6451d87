// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_LOAD_FD and BPF_PROG_LOAD by name against callers with less than
 * root, and the attr fields a caller must not be able to bend: what the
 * loader reveals and which inputs it refuses (security review of the
 * series; the finding each subtest covers is in its comment).
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
 *  pin_permissions      pinning by name checks the caller's own path
 *                       permissions
 *
 * test_progs runs as root: a CAP_BPF-only caller is test_progs with every
 * other capability dropped from its effective set (cap_helpers) for the
 * call, uid 65534 a forked child.
 */
#include <test_progs.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/mount.h>
#include <linux/netlink.h>
#include <bpf/btf.h>
#include "cap_helpers.h"
#include "loadfd_helpers.h"

#define KPTR_RESTRICT "/proc/sys/kernel/kptr_restrict"
#define ALL_CAPS (~0ULL)

/* What a forked child (with fewer privileges) saw; in shared memory. */
struct child_result {
	int stage;		/* where the child stopped, 0 = it ran to the end */
	int ret;		/* -errno or the fd of the call under test */
	int errs[4];		/* errno per path, for the sysfs test */
	int fs_fd;		/* token test: the child's bpffs context */
	int mnt_fd;		/* token test: the parent's bpffs mount */
	int go[2];		/* token test: parent -> child */
	int ready[2];		/* token test: child -> parent */
	int obj_fd;
	char log[LOADFD_LOG_SIZE];
};

static struct child_result *shared_result(void)
{
	struct child_result *r;

	r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!ASSERT_NEQ(r, MAP_FAILED, "mmap shared"))
		return NULL;
	memset(r, 0, sizeof(*r));
	r->obj_fd = -1;
	return r;
}

/* Waits for @pid; true if it exited with 0. */
static bool wait_child(pid_t pid, struct child_result *r)
{
	int status = 0;

	if (!ASSERT_EQ(waitpid(pid, &status, 0), pid, "waitpid"))
		return false;
	if (!ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child exit")) {
		printf("child status 0x%x, stopped at stage %d (ret %d)\n", status, r->stage,
		       r->ret);
		return false;
	}
	return true;
}

/*
 * Keeps CAP_BPF and nothing else in the effective set (still uid 0, so files
 * stay readable); *@old gets the set to restore with cap_enable_effective().
 */
static bool keep_only_cap_bpf(__u64 *old)
{
	return ASSERT_OK(cap_disable_effective(ALL_CAPS & ~(1ULL << CAP_BPF), old),
			 "keep only CAP_BPF");
}

static void restore_caps(__u64 old)
{
	ASSERT_OK(cap_enable_effective(old, NULL), "restore caps");
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

/* Sets kptr_restrict to @val; @saved gets the old value to restore. */
static bool set_kptr_restrict(char *saved, size_t size, const char *val)
{
	saved[0] = 0;
	if (!ASSERT_OK(loadfd_read_text(KPTR_RESTRICT, saved, size), "read kptr_restrict"))
		return false;
	if (!ASSERT_OK(write_text(KPTR_RESTRICT, val), "set kptr_restrict")) {
		saved[0] = 0;
		return false;
	}
	return true;
}

static void restore_kptr_restrict(const char *saved)
{
	if (saved[0])
		write_text(KPTR_RESTRICT, saved);
}

/* ---- H1: typeless ksyms ---- */

/*
 * As CAP_BPF only, with kptr_restrict=1 (so /proc/kallsyms shows this caller
 * zeros): the object's typeless ksym would hand it init_task's address as a
 * constant. Refused, with the reason, before anything is created.
 */
static void ksym_denied(void)
{
	char saved[16], log[LOADFD_LOG_SIZE];
	int obj, ret;
	__u64 caps;

	obj = loadfd_open("loadfd_ksym_leak.bpf.o");
	if (obj < 0)
		return;
	if (!set_kptr_restrict(saved, sizeof(saved), "1"))
		goto out;
	if (keep_only_cap_bpf(&caps)) {
		ret = loadfd_raw(obj, NULL, 0, log, sizeof(log));
		restore_caps(caps);
		if (ret >= 0)
			close(ret);
		if (!ASSERT_EQ(ret, -EPERM, "BPF_LOAD_FD as CAP_BPF only"))
			printf("log '%s'\n", log);
		loadfd_one_line(log, "kallsyms", "log names kallsyms");
	}
	restore_kptr_restrict(saved);
out:
	close(obj);
}

/* The same object as root (CAP_SYSLOG): loads, and the program sees what
 * /proc/kallsyms shows root.
 */
static __u64 kallsyms_addr(const char *name)
{
	unsigned long long addr, found = 0;
	char line[512], sym[256], type;
	FILE *f;

	f = fopen("/proc/kallsyms", "re");
	if (!ASSERT_OK_PTR(f, "/proc/kallsyms"))
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, sym) != 3 || strcmp(sym, name) ||
		    strchr(line, '['))
			continue;
		found = addr;
		break;
	}
	fclose(f);
	/* 0: not there, or the addresses are hidden (kptr_restrict). */
	ASSERT_NEQ(found, 0, "kallsyms address");
	return found;
}

static void ksym_root(void)
{
	__u64 ctx = 0, want;
	int obj, loader, prog;
	char saved[16];

	if (!set_kptr_restrict(saved, sizeof(saved), "1"))
		return;
	want = kallsyms_addr("init_task");
	obj = loadfd_open("loadfd_ksym_leak.bpf.o");
	if (!want || obj < 0)
		goto out;
	loader = loadfd_ok(obj, NULL, 0, "loadfd_ksym_leak");
	if (loader < 0)
		goto out;
	prog = loadfd_prog_ok(loader, "leak");
	if (prog >= 0) {
		ASSERT_EQ(loadfd_run_ctx(prog, &ctx, sizeof(ctx)), 0, "retval");
		ASSERT_EQ(ctx, want, "the address kallsyms shows root");
		close(prog);
	}
	close(loader);
out:
	if (obj >= 0)
		close(obj);
	restore_kptr_restrict(saved);
}

/* ---- M6, M8: the loader's maps for its owner ---- */

static void map_by_name(void)
{
	struct bpf_map_info info = {};
	__u32 key = 0, *val = NULL, len = sizeof(info);
	int obj, loader = -1, ro = -1, err_id = 0, err_unknown, err_not_loader, got;
	char log[LOADFD_LOG_SIZE];
	__u64 caps;

	obj = loadfd_open("loadfd_truth.bpf.o");
	if (obj < 0)
		return;
	if (!keep_only_cap_bpf(&caps))
		goto out;
	loader = loadfd_raw(obj, NULL, 0, log, sizeof(log));
	if (loader >= 0)
		ro = bpf_load_fd_map_get_fd(loader, ".rodata", BPF_F_RDONLY);
	if (ro >= 0 && !bpf_map_get_info_by_fd(ro, &info, &len) && info.value_size >= 4) {
		val = calloc(1, info.value_size);
		if (val && bpf_map_lookup_elem(ro, &key, val)) {
			free(val);
			val = NULL;
		}
		err_id = bpf_map_get_fd_by_id(info.id);
		if (err_id >= 0)
			close(err_id);
	}
	err_unknown = loader >= 0 ? bpf_load_fd_map_get_fd(loader, "no_such_map", 0) : 0;
	err_not_loader = bpf_load_fd_map_get_fd(obj, ".rodata", 0);
	restore_caps(caps);
	if (err_unknown >= 0 && loader >= 0)
		close(err_unknown);
	if (err_not_loader >= 0)
		close(err_not_loader);

	if (!ASSERT_OK_FD(loader, "BPF_LOAD_FD as CAP_BPF only")) {
		printf("log '%s'\n", log);
		goto out;
	}
	if (!ASSERT_OK_FD(ro, ".rodata by name as CAP_BPF only") ||
	    !ASSERT_OK_PTR(val, "read .rodata"))
		goto out;
	got = (int)val[0];
	ASSERT_EQ(got, 7, "truth_cfg");
	ASSERT_EQ(err_id, -EPERM, "BPF_MAP_GET_FD_BY_ID as CAP_BPF only");
	ASSERT_EQ(err_unknown, -ENOENT, "unknown map name");
	ASSERT_EQ(err_not_loader, -EINVAL, "not a loader fd");
out:
	free(val);
	if (ro >= 0)
		close(ro);
	if (loader >= 0)
		close(loader);
	close(obj);
}

static void map_by_name_unpriv(void)
{
	struct child_result *r = shared_result();
	int obj, loader, fd;
	pid_t pid;

	if (!r)
		return;
	obj = loadfd_open("loadfd_truth.bpf.o");
	if (obj < 0)
		goto out_unmap;
	loader = loadfd_ok(obj, NULL, 0, "loadfd_truth");
	if (loader < 0)
		goto out;
	fd = bpf_load_fd_map_get_fd(loader, ".data", 0);
	if (!ASSERT_OK_FD(fd, "as root"))
		goto out_loader;
	close(fd);
	pid = fork();
	if (!ASSERT_GE(pid, 0, "fork"))
		goto out_loader;
	if (pid == 0) {
		r->stage = 1;
		if (become_nobody())
			_exit(1);
		r->stage = 0;
		r->ret = bpf_load_fd_map_get_fd(loader, ".data", 0);
		_exit(0);
	}
	if (wait_child(pid, r))
		ASSERT_EQ(r->ret, -EPERM, "map by name as uid 65534");
out_loader:
	close(loader);
out:
	close(obj);
out_unmap:
	munmap(r, sizeof(*r));
}

/* BPF_LOAD_FD of loadfd_pin with pin directory @dir_fd. */
static int load_pinned(int obj_fd, int dir_fd, char *log, __u32 log_size)
{
	LIBBPF_OPTS(bpf_load_fd_opts, opts, .flags = BPF_F_PATH_FD, .pin_path_fd = dir_fd,
		    .log_level = LOADFD_LOG_LEVEL1, .log_buf = log, .log_size = log_size);

	log[0] = 0;
	return bpf_load_fd(obj_fd, &opts);
}

/*
 * Pinning by name checks the caller's own path permissions, as BPF_OBJ_GET
 * and BPF_OBJ_PIN do: a CAP_BPF-only caller (no CAP_DAC_OVERRIDE) neither
 * reuses a pin it may not open read-write nor pins in a directory it may not
 * write, and the refused load leaves no pin behind.
 */
static void pin_permissions(void)
{
	char dir[] = "/sys/fs/bpf/loadfd_priv_XXXXXX", pin[PATH_MAX], log[LOADFD_LOG_SIZE];
	int dir_fd = -1, map = -1, obj = -1, phase, ret;
	bool pinned = false;
	__u64 caps;

	if (!ASSERT_OK_PTR(mkdtemp(dir), "mkdtemp in bpffs"))
		return;
	snprintf(pin, sizeof(pin), "%s/loadfd_pinned", dir);
	dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (!ASSERT_OK_FD(dir_fd, "open pin dir"))
		goto out;
	obj = loadfd_open("loadfd_pin.bpf.o");
	if (obj < 0)
		goto out;
	/* A compatible map pinned by root, readable only. */
	map = loadfd_map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0, "loadfd_pinned");
	if (map < 0 || !ASSERT_OK(bpf_obj_pin(map, pin), "pin"))
		goto out;
	pinned = true;
	if (!ASSERT_OK(chmod(pin, 0400), "chmod pin") || !ASSERT_OK(chmod(dir, 0555), "chmod dir"))
		goto out;
	for (phase = 0; phase < 2; phase++) {
		/* Phase 1: no pin to reuse, so the map is created and pinned. */
		if (phase == 1) {
			if (!ASSERT_OK(unlink(pin), "unlink pin"))
				goto out;
			pinned = false;
		}
		if (!keep_only_cap_bpf(&caps))
			goto out;
		ret = load_pinned(obj, dir_fd, log, sizeof(log));
		restore_caps(caps);
		if (ret >= 0)
			close(ret);
		if (!ASSERT_EQ(ret, -EACCES, phase ? "pin in a read-only dir" : "reuse a 0400 pin"))
			printf("phase %d: log '%s'\n", phase, log);
		loadfd_one_line(
			log,
			phase ? "maps: 'loadfd_pinned': pinning in the pin directory failed (-13)" :
				"maps: 'loadfd_pinned': the pinned map cannot be reused (-13)",
			"log names the map and the error");
	}
	if (!ASSERT_NEQ(access(pin, F_OK), 0, "the refused load left no pin"))
		pinned = true;
	/* Root may: the same load pins. */
	ret = load_pinned(obj, dir_fd, log, sizeof(log));
	if (ASSERT_OK_FD(ret, "as root")) {
		close(ret);
		if (ASSERT_OK(access(pin, F_OK), "pinned by root"))
			pinned = true;
	} else {
		printf("as root: %s; log '%s'\n", strerror(-ret), log);
	}
out:
	if (pinned)
		ASSERT_OK(unlink(pin), "unlink pin");
	chmod(dir, 0755);
	ASSERT_OK(rmdir(dir), "rmdir pin dir");
	if (map >= 0)
		close(map);
	if (obj >= 0)
		close(obj);
	if (dir_fd >= 0)
		close(dir_fd);
}

/* ---- M2, L2: sysfs ---- */

/*
 * The loader's sysfs lists program and map ids, which only CAP_SYS_ADMIN may
 * enumerate otherwise (BPF_*_GET_NEXT_ID), and the provenance of every loader
 * object: root only.
 */
static void sysfs_root_only(void)
{
	struct child_result *r = shared_result();
	char paths[4][PATH_MAX], buf[256];
	int obj, loader, id, i;
	pid_t pid;

	if (!r)
		return;
	obj = loadfd_open("loadfd_minimal.bpf.o");
	if (obj < 0)
		goto out_unmap;
	loader = loadfd_ok(obj, NULL, 0, "loadfd_minimal");
	if (loader < 0)
		goto out;
	id = loadfd_id(loader);
	if (id < 0)
		goto out_loader;
	snprintf(paths[0], PATH_MAX, LOADFD_SYSFS);
	snprintf(paths[1], PATH_MAX, LOADFD_SYSFS "/%d/sha256", id);
	snprintf(paths[2], PATH_MAX, LOADFD_SYSFS "/%d/programs/loadfd_minimal/prog_ids", id);
	snprintf(paths[3], PATH_MAX, LOADFD_SYSFS "/%d/programs/loadfd_minimal/attach_func", id);
	for (i = 1; i < 4; i++)
		ASSERT_OK(loadfd_read_text(paths[i], buf, sizeof(buf)), paths[i]);

	pid = fork();
	if (!ASSERT_GE(pid, 0, "fork"))
		goto out_loader;
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
	if (wait_child(pid, r))
		for (i = 0; i < 4; i++)
			if (!ASSERT_EQ(r->errs[i], EACCES, "uid 65534 opening"))
				printf("uid 65534 opening %s: %s\n", paths[i],
				       r->errs[i] ? strerror(r->errs[i]) : "opened");
out_loader:
	close(loader);
out:
	close(obj);
out_unmap:
	munmap(r, sizeof(*r));
}

/* Creating (and closing) a loader object sends no uevent. */
static void no_uevent(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	int sk, obj = -1, loader, seen = 0;
	struct pollfd pfd;
	char msg[4096];
	ssize_t n;

	sk = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_KOBJECT_UEVENT);
	if (!ASSERT_OK_FD(sk, "uevent socket"))
		return;
	if (!ASSERT_OK(bind(sk, (struct sockaddr *)&sa, sizeof(sa)), "bind"))
		goto out;
	obj = loadfd_open("loadfd_minimal.bpf.o");
	if (obj < 0)
		goto out;
	loader = loadfd_ok(obj, NULL, 0, "loadfd_minimal");
	if (loader < 0)
		goto out;
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
			printf("uevent: %s\n", msg);
		}
	}
	ASSERT_EQ(seen, 0, "bpf_loadfd uevents");
out:
	if (obj >= 0)
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
	token_fd = bpf_token_create(bpffs_fd, NULL);
	if (token_fd < 0) {
		r->ret = token_fd;
		return 1;
	}
	r->stage = 0;
	memset(&attr, 0, sizeof(attr));
	attr.load_fd.obj_fd = r->obj_fd;
	attr.load_fd.flags = BPF_F_TOKEN_FD;
	attr.load_fd.token_fd = token_fd;
	attr.load_fd.log_level = LOADFD_LOG_LEVEL1;
	attr.load_fd.log_buf = ptr_to_u64(r->log);
	attr.load_fd.log_size = sizeof(r->log);
	r->ret = syscall(__NR_bpf, BPF_LOAD_FD, &attr, sizeof(attr));
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
static void token_refused(void)
{
	const size_t stack_size = 1 << 20;
	struct child_result *r = shared_result();
	char path[64], *stack = MAP_FAILED;
	pid_t pid = -1;
	char c;

	if (!r)
		return;
	r->mnt_fd = r->fs_fd = -1;
	r->go[0] = r->go[1] = r->ready[0] = r->ready[1] = -1;
	r->obj_fd = loadfd_open("loadfd_minimal.bpf.o");
	if (r->obj_fd < 0)
		goto out;
	if (!ASSERT_OK(pipe2(r->go, O_CLOEXEC), "pipe") ||
	    !ASSERT_OK(pipe2(r->ready, O_CLOEXEC), "pipe"))
		goto out;
	stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (!ASSERT_NEQ(stack, MAP_FAILED, "child stack"))
		goto out;
	pid = clone(token_child, stack + stack_size,
		    CLONE_NEWUSER | CLONE_NEWNS | CLONE_FILES | SIGCHLD, r);
	if (!ASSERT_GE(pid, 0, "clone(CLONE_NEWUSER)"))
		goto out;
	/* Root in its namespace is root outside. */
	snprintf(path, sizeof(path), "/proc/%d/uid_map", pid);
	if (!ASSERT_OK(write_text(path, "0 0 1"), "uid_map"))
		goto out_kill;
	snprintf(path, sizeof(path), "/proc/%d/gid_map", pid);
	if (!ASSERT_OK(write_text(path, "0 0 1"), "gid_map"))
		goto out_kill;
	if (!ASSERT_EQ(write(r->go[1], "u", 1), 1, "go") ||
	    !ASSERT_EQ(read(r->ready[0], &c, 1), 1, "fsopen in the child")) {
		printf("child stage %d\n", r->stage);
		goto out_kill;
	}
	/* Delegation options need CAP_SYS_ADMIN in the initial namespace. */
	if (!ASSERT_OK(syscall(__NR_fsconfig, r->fs_fd, FSCONFIG_SET_STRING, "delegate_cmds",
			       "any", 0), "fsconfig delegate_cmds") ||
	    !ASSERT_OK(syscall(__NR_fsconfig, r->fs_fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0),
		       "fsconfig create"))
		goto out_kill;
	r->mnt_fd = syscall(__NR_fsmount, r->fs_fd, 0, 0);
	if (!ASSERT_OK_FD(r->mnt_fd, "fsmount"))
		goto out_kill;
	if (!ASSERT_EQ(write(r->go[1], "m", 1), 1, "go"))
		goto out_kill;
	if (wait_child(pid, r)) {
		if (r->ret >= 0)
			close(r->ret);
		if (!ASSERT_EQ(r->ret, -EOPNOTSUPP, "BPF_LOAD_FD with a token"))
			printf("log '%s'\n", r->log);
		loadfd_one_line(r->log, "token", "log names the token");
	}
	pid = -1;
out_kill:
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
out:
	if (r->mnt_fd >= 0)
		close(r->mnt_fd);
	if (r->fs_fd >= 0)
		close(r->fs_fd);
	if (r->obj_fd >= 0)
		close(r->obj_fd);
	if (r->go[0] >= 0) {
		close(r->go[0]);
		close(r->go[1]);
	}
	if (r->ready[0] >= 0) {
		close(r->ready[0]);
		close(r->ready[1]);
	}
	if (stack != MAP_FAILED)
		munmap(stack, stack_size);
	munmap(r, sizeof(*r));
}

/* A map definition asking BPF_MAP_CREATE for a token (from fd 0 of the
 * caller, as the object cannot name one).
 */
static void token_map_flags(void)
{
	char log[LOADFD_LOG_SIZE];
	int obj, ret;

	obj = loadfd_open("loadfd_bad_token_map.bpf.o");
	if (obj < 0)
		return;
	ret = loadfd_raw(obj, NULL, 0, log, sizeof(log));
	if (ret >= 0)
		close(ret);
	if (!ASSERT_EQ(ret, -EINVAL, "BPF_F_TOKEN_FD in a map definition"))
		printf("log '%s'\n", log);
	loadfd_one_line(log, "flags", "log names the flags");
	close(obj);
}

/* ---- M7: the SEC name's attach target ---- */

/* An fd of the vmlinux BTF object, or -1. */
static int vmlinux_btf_fd(void)
{
	__u32 id = 0;
	int fd;

	while (!bpf_btf_get_next_id(id, &id)) {
		struct bpf_btf_info info;
		char name[64] = "";
		__u32 len = sizeof(info);

		fd = bpf_btf_get_fd_by_id(id);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		info.name = ptr_to_u64(name);
		info.name_len = sizeof(name);
		if (!bpf_btf_get_info_by_fd(fd, &info, &len) && info.kernel_btf &&
		    !strcmp(name, "vmlinux"))
			return fd;
		close(fd);
	}
	ASSERT_FAIL("no vmlinux BTF object");
	return -1;
}

static __s32 vmlinux_func_id(const char *name)
{
	struct btf *btf = btf__load_vmlinux_btf();
	__s32 id;

	if (!ASSERT_OK_PTR(btf, "vmlinux BTF"))
		return -1;
	id = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC);
	btf__free(btf);
	if (!ASSERT_GT(id, 0, name))
		return -1;
	return id;
}

/*
 * SEC("fentry/bpf_fentry_test1") program test1 loaded by name with the
 * attach fields of @extra: the prog fd or -errno, with the log in @log.
 */
static int load_test1(int loader, const union bpf_attr *extra, char *log, __u32 log_size)
{
	union bpf_attr attr = *extra;
	int fd;

	log[0] = 0;
	attr.log_level = LOADFD_LOG_LEVEL1;
	attr.log_buf = ptr_to_u64(log);
	attr.log_size = log_size;
	attr.loader_fd = loader;
	attr.loader_prog_name = ptr_to_u64("test1");
	fd = syscall(__NR_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	return fd < 0 ? -errno : fd;
}

#define VERIFIER_LOG_SIZE (16 * 1024 * 1024)

/* attach_btf_id naming another function than the SEC name: EINVAL. The
 * right id (the SEC name's own target) loads.
 */
static void attach_btf_id_mismatch(void)
{
	char *log = calloc(1, VERIFIER_LOG_SIZE);
	int obj = -1, loader = -1, fd;
	union bpf_attr extra;

	if (!ASSERT_OK_PTR(log, "calloc"))
		return;
	obj = loadfd_open("fentry_test.bpf.o");
	if (obj < 0)
		goto out;
	loader = loadfd_ok(obj, NULL, 0, "fentry_test");
	if (loader < 0)
		goto out;

	memset(&extra, 0, sizeof(extra));
	extra.attach_btf_id = vmlinux_func_id("bpf_fentry_test2");
	if ((__s32)extra.attach_btf_id < 0)
		goto out;
	fd = load_test1(loader, &extra, log, LOADFD_LOG_SIZE);
	if (fd >= 0)
		close(fd);
	if (!ASSERT_EQ(fd, -EINVAL, "fentry/bpf_fentry_test1 at bpf_fentry_test2"))
		printf("log '%s'\n", log);
	loadfd_one_line(log, "bpf_fentry_test1", "log names the SEC target");

	extra.attach_btf_id = vmlinux_func_id("bpf_fentry_test1");
	if ((__s32)extra.attach_btf_id < 0)
		goto out;
	fd = load_test1(loader, &extra, log, VERIFIER_LOG_SIZE);
	if (ASSERT_OK_FD(fd, "own target"))
		close(fd);
	else
		printf("own target: %s; log '%s'\n", strerror(-fd), log);
out:
	if (loader >= 0)
		close(loader);
	if (obj >= 0)
		close(obj);
	free(log);
}

/* attach_btf_obj_fd + attach_btf_id naming another function: EINVAL. */
static void attach_btf_id_obj_fd_mismatch(void)
{
	int obj, loader = -1, btf_fd = -1, fd;
	char log[LOADFD_LOG_SIZE];
	union bpf_attr extra;
	__s32 id;

	obj = loadfd_open("fentry_test.bpf.o");
	if (obj < 0)
		return;
	loader = loadfd_ok(obj, NULL, 0, "fentry_test");
	if (loader < 0)
		goto out;
	btf_fd = vmlinux_btf_fd();
	id = vmlinux_func_id("bpf_fentry_test2");
	if (btf_fd < 0 || id < 0)
		goto out;
	memset(&extra, 0, sizeof(extra));
	extra.attach_btf_obj_fd = btf_fd;
	extra.attach_btf_id = id;
	fd = load_test1(loader, &extra, log, sizeof(log));
	if (fd >= 0)
		close(fd);
	if (!ASSERT_EQ(fd, -EINVAL, "attach_btf_obj_fd + another attach_btf_id"))
		printf("log '%s'\n", log);
	loadfd_one_line(log, "attach_btf_id", "log names attach_btf_id");
out:
	if (btf_fd >= 0)
		close(btf_fd);
	if (loader >= 0)
		close(loader);
	close(obj);
}

/* ---- L3: loader_fd without loader_prog_name ---- */

/*
 * An ordinary, valid program whose attr also sets loader_fd: the field would
 * be silently ignored, so it could never get a meaning later. EINVAL.
 */
static void loader_fd_no_name(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	char log[LOADFD_LOG_SIZE] = "";
	union bpf_attr attr;
	int obj, loader, fd, err;

	obj = loadfd_open("loadfd_minimal.bpf.o");
	if (obj < 0)
		return;
	loader = loadfd_ok(obj, NULL, 0, "loadfd_minimal");
	if (loader < 0)
		goto out;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insns = ptr_to_u64(insns);
	attr.insn_cnt = ARRAY_SIZE(insns);
	attr.license = ptr_to_u64("GPL");
	attr.log_level = LOADFD_LOG_LEVEL1;
	attr.log_buf = ptr_to_u64(log);
	attr.log_size = sizeof(log);
	attr.loader_fd = loader;
	fd = syscall(__NR_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	err = errno;
	if (fd >= 0)
		close(fd);
	ASSERT_EQ(fd, -1, "loader_fd not ignored");
	ASSERT_EQ(err, EINVAL, "errno");
	loadfd_one_line(log, "loader_prog_name", "log names loader_prog_name");
	close(loader);
out:
	close(obj);
}

void test_loadfd_priv(void)
{
	if (!loadfd_supported()) {
		test__skip();
		return;
	}
	if (test__start_subtest("ksym_denied"))
		ksym_denied();
	if (test__start_subtest("map_by_name"))
		map_by_name();
	if (test__start_subtest("map_by_name_unpriv"))
		map_by_name_unpriv();
	if (test__start_subtest("pin_permissions"))
		pin_permissions();
	if (test__start_subtest("ksym_root"))
		ksym_root();
	if (test__start_subtest("sysfs_root_only"))
		sysfs_root_only();
	if (test__start_subtest("no_uevent"))
		no_uevent();
	if (test__start_subtest("token_refused"))
		token_refused();
	if (test__start_subtest("token_map_flags"))
		token_map_flags();
	if (test__start_subtest("attach_btf_id_mismatch"))
		attach_btf_id_mismatch();
	if (test__start_subtest("attach_btf_id_obj_fd_mismatch"))
		attach_btf_id_obj_fd_mismatch();
	if (test__start_subtest("loader_fd_no_name"))
		loader_fd_no_name();
}
