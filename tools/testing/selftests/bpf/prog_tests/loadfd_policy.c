// SPDX-License-Identifier: GPL-2.0
/*
 * "Only vetted BPF objects run", enforced by a policy in an existing LSM:
 * the BPF-LSM gatekeeper (progs/loadfd_gatekeeper.c, itself loaded through
 * BPF_LOAD_FD) allows BPF_LOAD_FD only for files whose fs-verity digest is
 * in its allowlist, and BPF_PROG_LOAD only by name from a loader object.
 *
 *  vetted_loads        an fs-verity file on ext4 whose digest is allowed:
 *                      loads, its program loads by name and runs, and the
 *                      gatekeeper saw the loader id and the file's SHA-256
 *                      through prog->aux->loadfd
 *  unvetted_refused    the same bytes without fs-verity (tmpfs), and an
 *                      fs-verity file whose digest is not allowed: EPERM
 *  raw_prog_load_refused  BPF_PROG_LOAD of raw instructions: EPERM
 *  override_refused    a supplied (frozen) .rodata: EPERM when the policy
 *                      says so, loads (and is counted in the provenance)
 *                      when it does not
 *  map_access_checked_at_prog_load  a process that only received a loader
 *                      fd (here: inherited it) and whose map access an LSM
 *                      refuses gets EPERM from BPF_PROG_LOAD by name, with a
 *                      log line naming the map
 *  ima_appraisal       IMA: "appraise func=BPF_CHECK appraise_type=imasig"
 *                      (limited to a test ext4 by fsuuid), a throwaway key
 *                      certified by the test CA in the .ima keyring: a signed
 *                      object loads; an unsigned one and one changed after
 *                      signing get EACCES and a log line
 *  ipe_fsverity_sig    IPE: "DEFAULT op=BPF_OBJECT action=DENY" and
 *                      "op=BPF_OBJECT fsverity_signature=TRUE action=ALLOW"
 *                      (signed by the test CA): an fs-verity file with a
 *                      builtin signature loads; the same bytes with fs-verity
 *                      but no signature, and a plain copy, get EACCES
 *  loadpin_not_pinned  LoadPin: the boot's first kernel_read_file() was a
 *                      BPF object (dev/guest-tests.sh loads one before any
 *                      module): LoadPin reported it and did not pin on it
 *
 * Policies are boot-global: the gatekeeper enforces only for this process
 * and is detached after each subtest, but the IMA rule (limited to a test
 * file system that is gone afterwards), the keys added to .ima and
 * .fs-verity, and the permissive IPE policy left active stay for the boot.
 * Hence serial_test_.
 *
 * Needs CONFIG_BPF_LSM with "bpf" in the LSM list, CONFIG_FS_VERITY,
 * CONFIG_EXT4_FS, a loop device and mkfs.ext4; IMA and IPE need the test CA
 * in $LOADFD_KEYDIR (dev/build.sh builds it into the kernel) and securityfs
 * (those subtests skip without them, as LoadPin's does without its report).
 */
#include <test_progs.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <linux/fsverity.h>
#include <openssl/evp.h>
#include "loadfd_helpers.h"

#define GK_OBJ "loadfd_gatekeeper.bpf.o"
#define VETTED_OBJ "loadfd_truth.bpf.o"
#define OTHER_OBJ "loadfd_minimal.bpf.o"

#define POLICY_LOG_SIZE 4096
#define SHA256_LEN 32

/* ---- files ---- */

static int run_cmd(const char *fmt, ...) __printf(1, 2);

static int run_cmd(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int ret;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	ret = system(cmd);
	if (ret)
		printf("'%s': status %d\n", cmd, ret);
	return ret;
}

/* A new file @path (mode @mode) holding @len bytes of @data: 0 or -1. */
static int write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	int ret = -1;

	if (!ASSERT_OK_FD(fd, path))
		return -1;
	if (ASSERT_EQ(write(fd, data, len), (ssize_t)len, "write") &&
	    ASSERT_OK(fsync(fd), "fsync"))
		ret = 0;
	close(fd);
	return ret;
}

/* Copies @src to @dst: 0 or -1. */
static int copy_file(const char *src, const char *dst)
{
	struct loadfd_bytes b;
	int ret;

	if (loadfd_bytes_read(src, &b))
		return -1;
	ret = write_file(dst, b.data, b.len, 0644);
	loadfd_bytes_free(&b);
	return ret;
}

/* The whole file at @path (free() it), or NULL. */
static unsigned char *read_all(const char *path, size_t *len)
{
	struct stat st;
	unsigned char *buf;
	size_t done = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (!ASSERT_OK_FD(fd, path))
		return NULL;
	if (!ASSERT_OK(fstat(fd, &st), "fstat") || !ASSERT_GT(st.st_size, 0, path)) {
		close(fd);
		return NULL;
	}
	buf = malloc(st.st_size);
	while (buf && done < (size_t)st.st_size) {
		n = read(fd, buf + done, st.st_size - done);
		if (!ASSERT_GT(n, 0, "read")) {
			free(buf);
			buf = NULL;
			break;
		}
		done += n;
	}
	close(fd);
	*len = done;
	return buf;
}

/* Turns fs-verity on for @path and gives its SHA-256 digest: 0 or -1. */
static int verity_enable(const char *path, unsigned char digest[32])
{
	struct fsverity_enable_arg arg = {
		.version = 1,
		.hash_algorithm = FS_VERITY_HASH_ALG_SHA256,
		.block_size = 4096,
	};
	union {
		struct fsverity_digest d;
		unsigned char buf[sizeof(struct fsverity_digest) + 64];
	} m = { .d.digest_size = 64 };
	int fd, ret = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (!ASSERT_OK_FD(fd, path))
		return -1;
	if (ASSERT_OK(ioctl(fd, FS_IOC_ENABLE_VERITY, &arg), "FS_IOC_ENABLE_VERITY") &&
	    ASSERT_OK(ioctl(fd, FS_IOC_MEASURE_VERITY, &m.d), "FS_IOC_MEASURE_VERITY") &&
	    ASSERT_EQ(m.d.digest_algorithm, FS_VERITY_HASH_ALG_SHA256, "digest algorithm") &&
	    ASSERT_EQ(m.d.digest_size, 32, "digest size")) {
		memcpy(digest, m.d.digest, 32);
		ret = 0;
	}
	close(fd);
	return ret;
}

/* BPF_LOAD_FD of the file at @path: loader fd or -errno. */
static int load_path(const char *path, const struct bpf_loadfd_map *maps, __u32 cnt,
		     char *log, __u32 log_size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = loadfd_raw(fd, maps, cnt, log, log_size);
	close(fd);
	return ret;
}

/* A mkdtemp() directory with an ext4 image (@mkfs_opts) mounted on
 * <dir>/mnt: 0 or -1 (scratch_remove() it either way).
 */
struct scratch {
	char dir[64];
	char mnt[96];
	bool mounted;
};

static int scratch_create(struct scratch *s, const char *prefix, const char *mkfs_opts)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->dir, sizeof(s->dir), "/tmp/%s-XXXXXX", prefix);
	if (!ASSERT_OK_PTR(mkdtemp(s->dir), "mkdtemp")) {
		s->dir[0] = 0;
		return -1;
	}
	snprintf(s->mnt, sizeof(s->mnt), "%s/mnt", s->dir);
	if (!ASSERT_OK(mkdir(s->mnt, 0755), "mkdir mnt"))
		return -1;
	if (!ASSERT_OK(run_cmd("mkfs.ext4 -q -F %s %s/img 16M >/dev/null 2>&1 && "
			       "mount -o loop %s/img %s", mkfs_opts, s->dir, s->dir, s->mnt),
		       "mkfs.ext4 and mount"))
		return -1;
	s->mounted = true;
	return 0;
}

static void scratch_remove(struct scratch *s)
{
	if (s->mounted)
		umount2(s->mnt, MNT_DETACH);
	if (s->dir[0])
		run_cmd("rm -rf %s", s->dir);
	memset(s, 0, sizeof(*s));
}

/* ---- the gatekeeper ---- */

struct gk {
	struct scratch s;	/* ext4 with verity; the plain copy beside it */
	char vetted[160], other[160], plain[160];
	struct loadfd_obj obj;
	int links[4];
	unsigned char vetted_digest[32];
};

static void gk_teardown(struct gk *g)
{
	int i;

	for (i = 0; i < 4; i++)
		if (g->links[i] >= 0)
			close(g->links[i]);
	loadfd_obj_close(&g->obj);
	scratch_remove(&g->s);
}

/* The test file system, the objects on it, and the gatekeeper loaded
 * through BPF_LOAD_FD and attached (enforcing for nobody yet): 0 or -1
 * (gk_teardown() it either way).
 */
static int gk_setup(struct gk *g)
{
	static const char *const progs[] = { "gk_read", "gk_bpf", "gk_prog_load", "gk_map" };
	unsigned char digest[32];
	__u8 one = 1;
	int i, fd, allowed, err;

	memset(g, 0, sizeof(*g));
	memset(g->links, -1, sizeof(g->links));
	loadfd_obj_init(&g->obj);
	if (scratch_create(&g->s, "loadfd-policy", "-O verity -b 4096"))
		return -1;
	snprintf(g->vetted, sizeof(g->vetted), "%s/vetted.bpf.o", g->s.mnt);
	snprintf(g->plain, sizeof(g->plain), "%s/plain.bpf.o", g->s.dir);
	snprintf(g->other, sizeof(g->other), "%s/other.bpf.o", g->s.mnt);
	if (copy_file(VETTED_OBJ, g->vetted) || verity_enable(g->vetted, g->vetted_digest) ||
	    copy_file(VETTED_OBJ, g->plain) || copy_file(OTHER_OBJ, g->other) ||
	    verity_enable(g->other, digest))
		return -1;

	if (loadfd_obj_open(&g->obj, GK_OBJ))
		return -1;
	for (i = 0; i < 4; i++) {
		fd = loadfd_obj_prog(&g->obj, progs[i]);
		if (fd < 0)
			return -1;
		g->links[i] = bpf_raw_tracepoint_open(NULL, fd);
		close(fd);
		if (!ASSERT_OK_FD(g->links[i], progs[i])) {
			g->links[i] = -1;
			return -1;
		}
	}
	allowed = loadfd_obj_map(&g->obj, "allowed");
	if (allowed < 0)
		return -1;
	err = bpf_map_update_elem(allowed, g->vetted_digest, &one, BPF_ANY);
	close(allowed);
	return ASSERT_OK(err, "allow the vetted digest") ? 0 : -1;
}

/* From here on, this process is under the gatekeeper: 0 or -1. */
static int enforce(struct gk *g, bool deny_overrides)
{
	__u32 tgid = getpid(), deny = deny_overrides;

	if (LOADFD_VAR_SET(&g->obj, "deny_overrides", &deny) ||
	    LOADFD_VAR_SET(&g->obj, "target_tgid", &tgid))
		return -1;
	return 0;
}

/* The gatekeeper's __u32 counter @var, or ~0U. */
static __u32 gk_u32(struct gk *g, const char *var)
{
	__u32 v;

	return LOADFD_VAR_GET(&g->obj, var, &v) ? ~0U : v;
}

static void vetted_loads(struct gk *g)
{
	char log[POLICY_LOG_SIZE], buf[128], hex[65];
	unsigned char sha[32];
	int loader, prog = -1, id, i;
	__u32 lsm_id;

	if (enforce(g, true))
		return;
	loader = load_path(g->vetted, NULL, 0, log, sizeof(log));
	if (!ASSERT_OK_FD(loader, "vetted object loads")) {
		printf("vetted: %s; log '%s'\n", strerror(-loader), log);
		return;
	}
	prog = loadfd_prog_ok(loader, "truth_cfg_ret");
	if (prog < 0)
		goto out;
	ASSERT_EQ(loadfd_run_skb(prog), 7, "truth_cfg_ret retval");

	ASSERT_EQ(gk_u32(g, "reads_allowed"), 1, "reads_allowed");
	ASSERT_EQ(gk_u32(g, "loads_from_loader"), 1, "loads_from_loader");
	/* What the LSM saw in prog->aux->loadfd is the loader and its file. */
	id = loadfd_id(loader);
	lsm_id = gk_u32(g, "last_loader_id");
	ASSERT_EQ(lsm_id, (__u32)id, "last_loader_id");
	ASSERT_EQ(gk_u32(g, "last_overrides"), 0, "last_overrides");
	if (LOADFD_VAR_GET(&g->obj, "last_sha256", &sha))
		goto out;
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", sha[i]);
	if (loadfd_sysfs_read(buf, sizeof(buf), LOADFD_SYSFS "/%d/sha256", id))
		ASSERT_STREQ(hex, buf, "the LSM saw the file's sha256");
	printf("vetted (fs-verity, allowed digest): loader %d, its program returned 7;\n"
	       "the LSM saw loader %u, sha256 %.16s...\n", id, lsm_id, hex);
out:
	if (prog >= 0)
		close(prog);
	close(loader);
}

static void unvetted_refused(struct gk *g)
{
	char log[POLICY_LOG_SIZE];
	int ret;

	if (enforce(g, true))
		return;
	/* The same bytes, without fs-verity. */
	ret = load_path(g->plain, NULL, 0, log, sizeof(log));
	if (ret >= 0)
		close(ret);
	ASSERT_EQ(ret, -EPERM, "plain copy refused");
	loadfd_one_line(log, "security policy", "plain copy log");
	printf("unvetted (same bytes, no fs-verity): %d, log: %s", ret, log);
	/* fs-verity, but not on the allowlist. */
	ret = load_path(g->other, NULL, 0, log, sizeof(log));
	if (ret >= 0)
		close(ret);
	if (!ASSERT_EQ(ret, -EPERM, "fs-verity file not on the allowlist refused"))
		printf("other: %d; log '%s'\n", ret, log);
	ASSERT_EQ(gk_u32(g, "reads_denied"), 2, "reads_denied");
}

static void raw_prog_load_refused(struct gk *g)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr;
	int fd, err;

	if (enforce(g, true))
		return;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insns = ptr_to_u64(insns);
	attr.insn_cnt = 2;
	attr.license = ptr_to_u64("GPL");
	fd = syscall(__NR_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	err = errno;
	if (fd >= 0)
		close(fd);
	ASSERT_EQ(fd, -1, "raw BPF_PROG_LOAD refused");
	ASSERT_EQ(err, EPERM, "errno");
	ASSERT_EQ(gk_u32(g, "raw_loads_denied"), 1, "raw_loads_denied");
}

static void override_refused(struct gk *g)
{
	LIBBPF_OPTS(bpf_map_create_opts, mopts);
	struct bpf_loadfd_map m = { .name = ".rodata", .fd = -1 };
	char log[POLICY_LOG_SIZE];
	struct bpf_map_info ref;
	int loader, prog, ro;
	__u32 val = 9, key = 0;

	/* A compatible frozen .rodata, shaped after the loader's own. */
	loader = load_path(g->vetted, NULL, 0, log, sizeof(log));
	if (!ASSERT_OK_FD(loader, "load the vetted object")) {
		printf("log '%s'\n", log);
		return;
	}
	ro = bpf_load_fd_map_get_fd(loader, ".rodata", BPF_F_RDONLY);
	close(loader);
	if (!ASSERT_OK_FD(ro, ".rodata"))
		return;
	if (!loadfd_map_info(ro, &ref)) {
		close(ro);
		return;
	}
	close(ro);
	mopts.map_flags = ref.map_flags;
	m.fd = bpf_map_create(ref.type, "supplied", ref.key_size, ref.value_size,
			      ref.max_entries, &mopts);
	if (!ASSERT_OK_FD(m.fd, "supplied .rodata"))
		return;
	if (!ASSERT_GE(ref.value_size, sizeof(val), ".rodata value size") ||
	    !ASSERT_OK(bpf_map_update_elem(m.fd, &key, &val, BPF_ANY), "set .rodata") ||
	    !ASSERT_OK(bpf_map_freeze(m.fd), "BPF_MAP_FREEZE"))
		goto out;

	if (enforce(g, true))
		goto out;
	loader = load_path(g->vetted, &m, 1, log, sizeof(log));
	if (loader >= 0)
		close(loader);
	ASSERT_EQ(loader, -EPERM, "override under deny_overrides");
	ASSERT_EQ(gk_u32(g, "overrides_denied"), 1, "overrides_denied");

	/* Policy allows overrides: it loads, runs with the caller's value,
	 * and the provenance the LSM sees counts the supplied map.
	 */
	if (enforce(g, false))
		goto out;
	loader = load_path(g->vetted, &m, 1, log, sizeof(log));
	if (!ASSERT_OK_FD(loader, "override allowed")) {
		printf("override allowed: %s; log '%s'\n", strerror(-loader), log);
		goto out;
	}
	prog = loadfd_prog_ok(loader, "truth_cfg_ret");
	if (prog >= 0) {
		ASSERT_EQ(loadfd_run_skb(prog), 9, "runs with the supplied value");
		ASSERT_EQ(gk_u32(g, "last_overrides"), 1, "last_overrides");
		close(prog);
	}
	close(loader);
out:
	close(m.fd);
}

/* The receiver of a loader fd is checked for the loader's maps. */
static void map_access_checked_at_prog_load(struct gk *g)
{
	struct shared {
		int ret;
		char log[POLICY_LOG_SIZE];
	} *r;
	char log[POLICY_LOG_SIZE];
	__u32 zero = 0, one = 1, tgid;
	int loader, go[2] = { -1, -1 }, prog, status;
	pid_t pid;

	r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!ASSERT_NEQ(r, MAP_FAILED, "mmap shared"))
		return;
	r->ret = 1;
	loader = load_path(g->vetted, NULL, 0, log, sizeof(log));
	if (!ASSERT_OK_FD(loader, "load the vetted object")) {
		printf("log '%s'\n", log);
		goto out_unmap;
	}
	if (!ASSERT_OK(pipe(go), "pipe"))
		goto out;
	pid = fork();
	if (!ASSERT_GE(pid, 0, "fork"))
		goto out;
	if (pid == 0) {
		union bpf_attr attr;
		char c;
		int fd;

		if (read(go[0], &c, 1) != 1)
			_exit(1);
		memset(&attr, 0, sizeof(attr));
		attr.log_level = 1;
		attr.log_buf = ptr_to_u64(r->log);
		attr.log_size = sizeof(r->log);
		attr.loader_fd = loader;
		attr.loader_prog_name = ptr_to_u64("truth_cfg_ret");
		fd = syscall(__NR_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
		r->ret = fd < 0 ? -errno : fd;
		_exit(0);
	}
	/* The child is under the gatekeeper, with map access refused. */
	tgid = pid;
	if (LOADFD_VAR_SET(&g->obj, "deny_map_access", &one) ||
	    LOADFD_VAR_SET(&g->obj, "target_tgid", &tgid) ||
	    !ASSERT_EQ(write(go[1], "g", 1), 1, "start the child")) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		goto out;
	}
	if (!ASSERT_EQ(waitpid(pid, &status, 0), pid, "waitpid") ||
	    !ASSERT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status), "child exit"))
		goto out;
	LOADFD_VAR_SET(&g->obj, "target_tgid", &zero);
	if (!ASSERT_EQ(r->ret, -EPERM, "by-name load without map access"))
		printf("by-name load without map access: %d; log '%s'\n", r->ret, r->log);
	ASSERT_HAS_SUBSTR(r->log, "access to map", "log names the map access");
	ASSERT_GE(gk_u32(g, "map_access_denied"), 1, "map_access_denied");
	/* Control: with access, the same load works. */
	prog = loadfd_prog_ok(loader, "truth_cfg_ret");
	if (prog >= 0)
		close(prog);
out:
	if (go[0] >= 0)
		close(go[0]);
	if (go[1] >= 0)
		close(go[1]);
	close(loader);
out_unmap:
	munmap(r, sizeof(*r));
}

static const struct {
	const char *name;
	void (*run)(struct gk *g);
} gk_tests[] = {
	{ "vetted_loads", vetted_loads },
	{ "unvetted_refused", unvetted_refused },
	{ "raw_prog_load_refused", raw_prog_load_refused },
	{ "override_refused", override_refused },
	{ "map_access_checked_at_prog_load", map_access_checked_at_prog_load },
};

/* ---- IMA and IPE ---- */

#define IMA_POLICY "/sys/kernel/security/ima/policy"
#define IMA_FSUUID "6c6f6164-6664-4000-8000-696d61746573"	/* fixed: the policy names it */
#define IPE_DIR "/sys/kernel/security/ipe"

/* The throwaway test CA: $LOADFD_KEYDIR, or dev/build.sh's cache dir. */
static void key_path(char *buf, size_t size, const char *file)
{
	const char *dir = getenv("LOADFD_KEYDIR");

	snprintf(buf, size, "%s/%s", dir ?: "/root/.cache/loadfd/keys", file);
}

/* The id of the keyring called @name in /proc/keys, or -1. */
static long keyring_id(const char *name)
{
	char line[512], desc[256];
	unsigned long id;
	long ret = -1;
	FILE *f = fopen("/proc/keys", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		/* "<id> <flags> <usage> <timeout> <perm> <uid> <gid> keyring <desc>: ..." */
		if (sscanf(line, "%lx %*s %*s %*s %*s %*s %*s keyring %255[^:]", &id, desc) == 2 &&
		    !strcmp(desc, name)) {
			ret = id;
			break;
		}
	}
	fclose(f);
	return ret;
}

/* Adds the certificate @cert (PEM) to the keyring @keyring: 0 or -1. */
static int add_cert(const char *dir, const char *cert, const char *keyring)
{
	unsigned char *data;
	char der[256];
	long id = keyring_id(keyring);
	size_t len;
	int ret = -1;

	if (!ASSERT_GT(id, 0, keyring)) {
		printf("no %s keyring in /proc/keys\n", keyring);
		return -1;
	}
	snprintf(der, sizeof(der), "%s/cert.der", dir);
	if (!ASSERT_OK(run_cmd("openssl x509 -in %s -outform DER -out %s", cert, der),
		       "certificate to DER"))
		return -1;
	data = read_all(der, &len);
	if (!data)
		return -1;
	if (ASSERT_GT(syscall(SYS_add_key, "asymmetric", NULL, data, len, id), 0, "add_key"))
		ret = 0;
	else
		printf("add_key to %s: %s\n", keyring, strerror(errno));
	free(data);
	return ret;
}

/* The last 4 bytes of @cert's subject key identifier: the IMA key id; 0 on
 * failure.
 */
static __u32 ca_keyid(const char *cert)
{
	char cmd[1024], out[256] = "", *p;
	unsigned int b[4];
	size_t n;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "openssl x509 -in %s -noout -ext subjectKeyIdentifier", cert);
	f = popen(cmd, "r");
	if (!ASSERT_OK_PTR(f, "popen openssl"))
		return 0;
	n = fread(out, 1, sizeof(out) - 1, f);
	pclose(f);
	out[n] = 0;
	while (n && (out[n - 1] == '\n' || out[n - 1] == ' '))
		out[--n] = 0;
	if (!ASSERT_GE(n, 11, "subject key identifier")) {
		printf("no subject key identifier in %s: '%s'\n", cert, out);
		return 0;
	}
	p = out + n - 11;	/* "AA:BB:CC:DD" */
	if (!ASSERT_EQ(sscanf(p, "%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3]), 4, "key id"))
		return 0;
	return b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
}

/* security.ima as evmctl ima_sign writes it (signature v2: RSA PKCS#1 v1.5
 * over the file's SHA-256): 0 or -1.
 */
static int ima_sign(const char *dir, const char *path, const char *key, __u32 keyid)
{
	unsigned char digest[SHA256_LEN], xattr[8 + 512];
	char dpath[256], spath[256];
	unsigned char *data, *sig;
	unsigned int dlen = SHA256_LEN;
	size_t size, sig_size;
	int ok;

	data = read_all(path, &size);
	if (!data)
		return -1;
	ok = EVP_Digest(data, size, digest, &dlen, EVP_sha256(), NULL);
	free(data);
	if (!ASSERT_TRUE(ok && dlen == SHA256_LEN, "sha256"))
		return -1;
	snprintf(dpath, sizeof(dpath), "%s/digest", dir);
	snprintf(spath, sizeof(spath), "%s/sig", dir);
	if (write_file(dpath, digest, SHA256_LEN, 0600) ||
	    !ASSERT_OK(
		    run_cmd("openssl pkeyutl -sign -inkey %s -pkeyopt digest:sha256 -in %s -out %s",
			    key, dpath, spath),
		    "openssl pkeyutl -sign"))
		return -1;
	sig = read_all(spath, &sig_size);
	if (!sig)
		return -1;
	if (!ASSERT_LE(sig_size, sizeof(xattr) - 9, "signature size")) {
		free(sig);
		return -1;
	}
	xattr[0] = 3;		/* EVM_IMA_XATTR_DIGSIG */
	xattr[1] = 2;		/* signature v2 */
	xattr[2] = 4;		/* HASH_ALGO_SHA256 */
	xattr[3] = keyid >> 24;
	xattr[4] = keyid >> 16;
	xattr[5] = keyid >> 8;
	xattr[6] = keyid;
	xattr[7] = sig_size >> 8;
	xattr[8] = sig_size;
	memcpy(xattr + 9, sig, sig_size);
	free(sig);
	return ASSERT_OK(setxattr(path, "security.ima", xattr, 9 + sig_size, 0),
			 "setxattr security.ima") ? 0 : -1;
}

static void ima_appraisal(void)
{
	static const char *const names[] = { "signed", "unsigned", "changed" };
	char cert[192], key[192], path[3][128], log[POLICY_LOG_SIZE], rule[256];
	struct scratch s;
	int i, fd, ret, prog;
	__u32 keyid;

	key_path(cert, sizeof(cert), "test-ca.pem");
	key_path(key, sizeof(key), "test-ca.key");
	if (access(cert, R_OK) || access(key, R_OK) || access(IMA_POLICY, W_OK)) {
		printf("no test CA (%s) or no writable %s\n", cert, IMA_POLICY);
		test__skip();
		return;
	}
	if (scratch_create(&s, "loadfd-ima", "-U " IMA_FSUUID))
		goto out;

	/* A throwaway IMA key, certified by the test CA (which is in the
	 * builtin trusted keys, as .ima requires), into .ima.
	 */
	if (!ASSERT_OK(run_cmd("cd %s && printf '%%s\\n' 'subjectKeyIdentifier=hash' "
			       "'authorityKeyIdentifier=keyid' 'basicConstraints=critical,CA:FALSE' "
			       "'keyUsage=digitalSignature' > ext && "
			       "openssl req -new -newkey rsa:2048 -nodes -keyout ima.key "
			       "-subj '/CN=loadfd IMA test key' -out ima.csr >/dev/null 2>&1 && "
			       "openssl x509 -req -in ima.csr -CA %s -CAkey %s -set_serial 2 -days 2 "
			       "-sha256 -extfile ext -out ima.pem >/dev/null 2>&1",
			       s.dir, cert, key),
		       "IMA key certified by the test CA"))
		goto out;
	snprintf(cert, sizeof(cert), "%s/ima.pem", s.dir);
	snprintf(key, sizeof(key), "%s/ima.key", s.dir);
	if (add_cert(s.dir, cert, ".ima"))
		goto out;
	keyid = ca_keyid(cert);
	if (!keyid)
		goto out;

	for (i = 0; i < 3; i++) {
		snprintf(path[i], sizeof(path[i]), "%s/%s.bpf.o", s.mnt, names[i]);
		if (copy_file(VETTED_OBJ, path[i]))
			goto out;
	}
	if (ima_sign(s.dir, path[0], key, keyid) ||
	    /* Signed, then one byte changed (at the end: the ELF still parses). */
	    ima_sign(s.dir, path[2], key, keyid))
		goto out;
	fd = open(path[2], O_WRONLY | O_APPEND | O_CLOEXEC);
	if (!ASSERT_OK_FD(fd, "open to change"))
		goto out;
	ret = write(fd, "x", 1);
	close(fd);
	if (!ASSERT_EQ(ret, 1, "change one byte"))
		goto out;

	snprintf(rule, sizeof(rule), "appraise func=BPF_CHECK fsuuid=%s appraise_type=imasig\n",
		 IMA_FSUUID);
	fd = open(IMA_POLICY, O_WRONLY | O_CLOEXEC);
	if (!ASSERT_OK_FD(fd, IMA_POLICY))
		goto out;
	ret = write(fd, rule, strlen(rule));
	close(fd);
	if (!ASSERT_EQ(ret, (ssize_t)strlen(rule), "IMA policy rule")) {
		printf("IMA policy '%s': %s\n", rule, strerror(errno));
		goto out;
	}

	ret = load_path(path[0], NULL, 0, log, sizeof(log));
	if (!ASSERT_OK_FD(ret, "signed object loads")) {
		printf("signed: %s; log '%s'\n", strerror(-ret), log);
		goto out;
	}
	prog = loadfd_prog_ok(ret, "truth_cfg_ret");
	if (prog >= 0) {
		ASSERT_EQ(loadfd_run_skb(prog), 7, "signed object's program runs");
		close(prog);
	}
	close(ret);
	printf("IMA: the signed object loaded and ran\n");
	for (i = 1; i < 3; i++) {
		ret = load_path(path[i], NULL, 0, log, sizeof(log));
		if (ret >= 0)
			close(ret);
		if (!ASSERT_EQ(ret, -EACCES, names[i]))
			printf("%s: %d; log '%s'\n", names[i], ret, log);
		loadfd_one_line(log, "security policy", names[i]);
		printf("IMA: %s object refused: %s", names[i], log);
	}
out:
	scratch_remove(&s);
}

/* Signs @text with the test CA (PKCS#7 with the content, as IPE wants it)
 * and makes it the active IPE policy @name. No asserts (the caller restores
 * a permissive policy first): 0 or -1.
 */
static int ipe_activate(const char *dir, const char *name, const char *text, const char *cert,
			const char *key)
{
	char in[256], out[256], active[256];
	unsigned char *p7;
	ssize_t n;
	size_t len;
	int fd;

	snprintf(in, sizeof(in), "%s/%s.pol", dir, name);
	snprintf(out, sizeof(out), "%s/%s.p7s", dir, name);
	fd = open(in, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	if (n != (ssize_t)strlen(text) ||
	    run_cmd("openssl smime -sign -in %s -signer %s -inkey %s -noattr -nodetach "
		    "-nosmimecap -outform der -out %s", in, cert, key, out))
		return -1;
	fd = open(out, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	len = lseek(fd, 0, SEEK_END);
	p7 = malloc(len);
	n = p7 ? pread(fd, p7, len, 0) : -1;
	close(fd);
	if (n != (ssize_t)len) {
		free(p7);
		return -1;
	}
	fd = open(IPE_DIR "/new_policy", O_WRONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : write(fd, p7, len);
	if (fd >= 0)
		close(fd);
	free(p7);
	if (n != (ssize_t)len) {
		printf("new_policy %s: %s\n", name, strerror(errno));
		return -1;
	}
	snprintf(active, sizeof(active), IPE_DIR "/policies/%s/active", name);
	fd = open(active, O_WRONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : write(fd, "1", 1);
	if (fd >= 0)
		close(fd);
	if (n != 1) {
		printf("activate %s: %s\n", name, strerror(errno));
		return -1;
	}
	return 0;
}

/* Turns fs-verity on for @path with a builtin signature by the test CA over
 * @digest (the file's fs-verity digest, measured on an identical copy).
 */
static int verity_enable_signed(const char *dir, const char *path, const unsigned char digest[32],
				const char *cert, const char *key)
{
	struct fsverity_enable_arg arg = {
		.version = 1,
		.hash_algorithm = FS_VERITY_HASH_ALG_SHA256,
		.block_size = 4096,
	};
	unsigned char fmt[8 + 4 + 32] = "FSVerity";
	char in[256], out[256];
	unsigned char *sig;
	size_t len;
	int fd, ret = -1;

	fmt[8] = FS_VERITY_HASH_ALG_SHA256;	/* __le16 */
	fmt[10] = 32;				/* __le16 digest size */
	memcpy(fmt + 12, digest, 32);
	snprintf(in, sizeof(in), "%s/fmt", dir);
	snprintf(out, sizeof(out), "%s/fmt.p7s", dir);
	if (write_file(in, fmt, sizeof(fmt), 0600) ||
	    !ASSERT_OK(run_cmd("openssl smime -sign -binary -noattr -nocerts -md sha256 -in %s "
			       "-signer %s -inkey %s -outform der -out %s", in, cert, key, out),
		       "sign the fs-verity digest"))
		return -1;
	sig = read_all(out, &len);
	if (!sig)
		return -1;
	arg.sig_size = len;
	arg.sig_ptr = (__u64)(unsigned long)sig;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (ASSERT_OK_FD(fd, path)) {
		if (ASSERT_OK(ioctl(fd, FS_IOC_ENABLE_VERITY, &arg),
			      "FS_IOC_ENABLE_VERITY with a signature"))
			ret = 0;
		close(fd);
	}
	free(sig);
	return ret;
}

static void ipe_fsverity_sig(void)
{
	static const char *const names[] = { "measure", "signed", "unsigned", "plain" };
	char cert[192], key[192], path[4][128], log[POLICY_LOG_SIZE], pol[512], name[2][64];
	unsigned char digest[32];
	struct timespec now;
	struct scratch s;
	int i, ret, prog, restored;

	key_path(cert, sizeof(cert), "test-ca.pem");
	key_path(key, sizeof(key), "test-ca.key");
	if (access(cert, R_OK) || access(key, R_OK) || access(IPE_DIR "/new_policy", W_OK)) {
		printf("no test CA (%s) or no IPE (%s)\n", cert, IPE_DIR);
		test__skip();
		return;
	}
	if (scratch_create(&s, "loadfd-ipe", "-O verity -b 4096") ||
	    add_cert(s.dir, cert, ".fs-verity"))
		goto out;
	for (i = 0; i < 4; i++) {
		snprintf(path[i], sizeof(path[i]), "%s/%s.bpf.o", i == 3 ? s.dir : s.mnt, names[i]);
		if (copy_file(VETTED_OBJ, path[i]))
			goto out;
	}
	if (verity_enable(path[0], digest) ||
	    verity_enable_signed(s.dir, path[1], digest, cert, key) ||
	    verity_enable(path[2], digest))
		goto out;

	/* Versions only grow within a boot (IPE refuses to activate an older
	 * one): take them from the clock.
	 */
	clock_gettime(CLOCK_BOOTTIME, &now);
	snprintf(name[0], sizeof(name[0]), "loadfd_deny_%ld", (long)now.tv_nsec);
	snprintf(name[1], sizeof(name[1]), "loadfd_allow_%ld", (long)now.tv_nsec);
	snprintf(pol, sizeof(pol),
		 "policy_name=%s policy_version=0.%ld.0\n"
		 "DEFAULT action=ALLOW\n"
		 "DEFAULT op=BPF_OBJECT action=DENY\n"
		 "op=BPF_OBJECT fsverity_signature=TRUE action=ALLOW\n",
		 name[0], (long)(now.tv_sec % 65535) + 1);
	ret = ipe_activate(s.dir, name[0], pol, cert, key);
	if (!ASSERT_OK(ret, "activate the IPE policy"))
		goto restore;

	/* No ASSERT until the permissive policy is back. */
	ret = load_path(path[1], NULL, 0, log, sizeof(log));
	if (ret >= 0) {
		__u32 retval = 0;
		int loader = ret;

		prog = loadfd_prog(loader, "truth_cfg_ret");
		ret = prog;
		if (prog >= 0) {
			LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = loadfd_pkt,
				    .data_size_in = sizeof(loadfd_pkt), .repeat = 1);

			ret = bpf_prog_test_run_opts(prog, &topts);
			retval = topts.retval;
			if (!ret && retval != 7)
				ret = -EINVAL;
			close(prog);
		}
		close(loader);
		printf("IPE: the fs-verity object with a builtin signature loaded (run: %d, returned %u)\n",
		       ret, retval);
	} else {
		printf("signed: %d; log '%s'\n", ret, log);
	}
	for (i = 2; i < 4 && ret >= 0; i++) {
		ret = load_path(path[i], NULL, 0, log, sizeof(log));
		if (ret == -EACCES && strstr(log, "security policy")) {
			printf("IPE: %s object refused: %s", names[i], log);
			ret = 0;
		} else {
			if (ret >= 0)
				close(ret);
			printf("%s: %d; log '%s'\n", names[i], ret, log);
			ret = -1000 - i;
		}
	}
restore:
	/* Whatever happened, let the rest of the run load objects again. */
	snprintf(pol, sizeof(pol), "policy_name=%s policy_version=0.%ld.1\nDEFAULT action=ALLOW\n",
		 name[1], (long)(now.tv_sec % 65535) + 1);
	restored = ipe_activate(s.dir, name[1], pol, cert, key);
	ASSERT_OK(restored, "permissive IPE policy back");
	ASSERT_GE(ret, 0, "IPE: signed loads, unsigned and plain refused (see above)");
out:
	scratch_remove(&s);
}

/* ---- LoadPin ---- */

static void loadpin_not_pinned(void)
{
	int len = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	bool seen = false;
	char *buf, *line;

	if (!ASSERT_GT(len, 0, "kernel log size"))
		return;
	buf = calloc(1, len + 1);
	if (!ASSERT_OK_PTR(buf, "calloc"))
		return;
	len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, len);
	if (!ASSERT_GE(len, 0, "read the kernel log")) {
		free(buf);
		return;
	}
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		if (!strstr(line, "LoadPin: bpf-object"))
			continue;
		seen = true;
		if (!ASSERT_NULL(strstr(line, "bpf-object pinned"), "LoadPin did not pin"))
			printf("%s\n", line);
	}
	free(buf);
	if (!seen) {
		printf("no LoadPin report of a BPF object read in the kernel log\n");
		test__skip();
	}
}

void serial_test_loadfd_policy(void)
{
	struct gk g;
	int i;

	if (!loadfd_supported()) {
		test__skip();
		return;
	}
	for (i = 0; i < ARRAY_SIZE(gk_tests); i++) {
		if (!test__start_subtest(gk_tests[i].name))
			continue;
		if (!gk_setup(&g))
			gk_tests[i].run(&g);
		gk_teardown(&g);
	}
	if (test__start_subtest("ima_appraisal"))
		ima_appraisal();
	if (test__start_subtest("ipe_fsverity_sig"))
		ipe_fsverity_sig();
	if (test__start_subtest("loadpin_not_pinned"))
		loadpin_not_pinned();
}
