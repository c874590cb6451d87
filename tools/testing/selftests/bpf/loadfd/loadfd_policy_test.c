// SPDX-License-Identifier: GPL-2.0
/*
 * "Only vetted BPF objects run", enforced by a policy in an existing LSM:
 * the BPF-LSM gatekeeper (../progs/loadfd_gatekeeper.c, itself loaded
 * through BPF_LOAD_FD) allows BPF_LOAD_FD only for files whose fs-verity
 * digest is in its allowlist, and BPF_PROG_LOAD only by name from a loader
 * object (security review M4; issue "the file is the truth", item 5).
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
 *  ipe_fsverity_sig    IPE: "DEFAULT op=BPF_OBJECT action=DENY" and
 *                      "op=BPF_OBJECT fsverity_signature=TRUE action=ALLOW"
 *                      (signed by the test CA): an fs-verity file with a
 *                      builtin signature loads; the same bytes with fs-verity
 *                      but no signature, and a plain copy, get EACCES
 *  loadpin_not_pinned  LoadPin: the boot's first kernel_read_file() was a
 *                      BPF object (dev/guest-tests.sh loads one before any
 *                      module): LoadPin reported it and did not pin on it
 *  map_access_checked_at_prog_load  M8: a process that only received a
 *                      loader fd (here: inherited it) and whose map access an
 *                      LSM refuses gets EPERM from BPF_PROG_LOAD by name, with
 *                      a log line naming the map
 *  ima_appraisal       IMA: "appraise func=BPF_CHECK appraise_type=imasig"
 *                      (limited to a test ext4 by fsuuid), a throwaway key
 *                      certified by the test CA (dev/build.sh builds it into
 *                      the kernel) in the .ima keyring: a signed object
 *                      loads; an unsigned one and one changed after signing
 *                      get EACCES and a log line
 *
 * Needs CONFIG_BPF_LSM with "bpf" in the LSM list, CONFIG_FS_VERITY,
 * CONFIG_EXT4_FS and a loop device; mkfs.ext4 from the host.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <linux/keyctl.h>

#include <linux/fsverity.h>

#include "../../kselftest_harness.h"
#include "loadfd_e2e.h"

#define GK_OBJ "loadfd_gatekeeper"
#define VETTED_OBJ "loadfd_truth"
#define OTHER_OBJ "loadfd_minimal"

/* Copies @src to @dst. */
static void copy_file(struct __test_metadata *_metadata, const char *src, const char *dst)
{
	size_t size;
	unsigned char *data = read_file(_metadata, src, &size);
	int fd;

	fd = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ASSERT_LE(0, fd) TH_LOG("%s: %s", dst, strerror(errno));
	ASSERT_EQ((ssize_t)size, write(fd, data, size));
	ASSERT_EQ(0, fsync(fd));
	close(fd);
	free(data);
}

/* A new file @path (mode 0600) holding @len bytes of @data. */
static void write_file(struct __test_metadata *_metadata, const char *path, const void *data,
		       size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	ASSERT_LE(0, fd) TH_LOG("%s: %s", path, strerror(errno));
	ASSERT_EQ((ssize_t)len, write(fd, data, len));
	close(fd);
}

/* Turns fs-verity on for @path and returns its SHA-256 digest in @digest. */
static void verity_enable(struct __test_metadata *_metadata, const char *path,
			  unsigned char digest[32])
{
	struct fsverity_enable_arg arg = {
		.version = 1,
		.hash_algorithm = FS_VERITY_HASH_ALG_SHA256,
		.block_size = 4096,
	};
	struct {
		struct fsverity_digest d;
		unsigned char buf[64];
	} m = { .d.digest_size = 64 };
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, FS_IOC_ENABLE_VERITY, &arg))
		TH_LOG("FS_IOC_ENABLE_VERITY %s: %s", path, strerror(errno));
	ASSERT_EQ(0, ioctl(fd, FS_IOC_MEASURE_VERITY, &m.d))
		TH_LOG("FS_IOC_MEASURE_VERITY: %s", strerror(errno));
	ASSERT_EQ(FS_VERITY_HASH_ALG_SHA256, m.d.digest_algorithm);
	ASSERT_EQ(32, m.d.digest_size);
	memcpy(digest, m.d.digest, 32);
	close(fd);
}

FIXTURE(gk) {
	char dir[64];		/* tmpfs scratch: image, mount point, plain copy */
	char mnt[96];
	char vetted[160], other[160], plain[160];
	bool mounted;
	struct obj gk;
	int links[4];
	unsigned char vetted_digest[32];
};

FIXTURE_SETUP(gk)
{
	static const char *const progs[] = { "gk_read", "gk_bpf", "gk_prog_load", "gk_map" };
	char cmd[512], src[PATH_MAX];
	unsigned char digest[32];
	__u8 one = 1;
	int i, fd, allowed;

	memset(self->links, -1, sizeof(self->links));
	snprintf(self->dir, sizeof(self->dir), "/tmp/loadfd-policy-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->mnt, sizeof(self->mnt), "%s/mnt", self->dir);
	ASSERT_EQ(0, mkdir(self->mnt, 0755));
	/* ext4 with the verity feature on a loop device. */
	snprintf(cmd, sizeof(cmd),
		 "mkfs.ext4 -q -F -O verity -b 4096 %s/img 16M >/dev/null 2>&1 && "
		 "mount -o loop %s/img %s", self->dir, self->dir, self->mnt);
	ASSERT_EQ(0, system(cmd)) TH_LOG("%s", cmd);
	self->mounted = true;

	obj_path(src, sizeof(src), VETTED_OBJ);
	snprintf(self->vetted, sizeof(self->vetted), "%s/vetted.bpf.o", self->mnt);
	copy_file(_metadata, src, self->vetted);
	verity_enable(_metadata, self->vetted, self->vetted_digest);
	snprintf(self->plain, sizeof(self->plain), "%s/plain.bpf.o", self->dir);
	copy_file(_metadata, src, self->plain);
	obj_path(src, sizeof(src), OTHER_OBJ);
	snprintf(self->other, sizeof(self->other), "%s/other.bpf.o", self->mnt);
	copy_file(_metadata, src, self->other);
	verity_enable(_metadata, self->other, digest);

	/* The gatekeeper, loaded through BPF_LOAD_FD and attached. */
	obj_open(_metadata, &self->gk, GK_OBJ);
	for (i = 0; i < 4; i++) {
		fd = obj_prog(_metadata, &self->gk, progs[i]);
		self->links[i] = raw_tp_open(_metadata, fd, NULL);
		close(fd);
	}
	allowed = obj_map(_metadata, &self->gk, "allowed");
	ASSERT_EQ(0, map_update(allowed, self->vetted_digest, &one, BPF_ANY));
	close(allowed);
}

FIXTURE_TEARDOWN(gk)
{
	char cmd[256];
	int i;

	for (i = 0; i < 4; i++)
		if (self->links[i] >= 0)
			close(self->links[i]);
	obj_close(&self->gk);
	if (self->mounted)
		umount2(self->mnt, MNT_DETACH);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->dir);
	if (system(cmd))
		TH_LOG("%s failed", cmd);
}

/* From here on, this process is under the gatekeeper. */
static void enforce(struct __test_metadata *_metadata, struct obj *gk, bool deny_overrides)
{
	__u32 tgid = getpid(), deny = deny_overrides;

	VAR_SET(gk, "deny_overrides", &deny);
	VAR_SET(gk, "target_tgid", &tgid);
}

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

TEST_F_TIMEOUT(gk, vetted_loads, E2E_TIMEOUT)
{
	char log[REJECT_LOG_SIZE], buf[128], hex[65];
	unsigned char sha[32];
	__u32 n, id, supplied;
	int loader, prog, i;
	struct obj o;

	enforce(_metadata, &self->gk, true);
	loader = load_path(self->vetted, NULL, 0, log, sizeof(log));
	ASSERT_LE(0, loader) TH_LOG("vetted: %s; log '%s'", strerror(-loader), log);
	prog = prog_load_ok(_metadata, loader, "truth_cfg_ret");
	ASSERT_EQ(7U, run_skb(_metadata, prog));

	VAR_GET(&self->gk, "reads_allowed", &n);
	ASSERT_EQ(1U, n);
	VAR_GET(&self->gk, "loads_from_loader", &n);
	ASSERT_EQ(1U, n);
	/* What the LSM saw in prog->aux->loadfd is the loader and its file. */
	memset(&o, 0, sizeof(o));
	o.loader = loader;
	o.id = loader_id(_metadata, loader);
	VAR_GET(&self->gk, "last_loader_id", &id);
	ASSERT_EQ((__u32)o.id, id);
	VAR_GET(&self->gk, "last_overrides", &supplied);
	ASSERT_EQ(0U, supplied);
	VAR_GET(&self->gk, "last_sha256", &sha);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", sha[i]);
	sysfs_read(_metadata, buf, sizeof(buf), SYSFS_DIR "/%d/sha256", o.id);
	ASSERT_STREQ(buf, hex);
	TH_LOG("vetted (fs-verity, allowed digest): loader %d, its program returned 7; the LSM saw loader %u, sha256 %.16s...",
	       o.id, id, hex);
	close(prog);
	close(loader);
}

TEST_F_TIMEOUT(gk, unvetted_refused, E2E_TIMEOUT)
{
	char log[REJECT_LOG_SIZE];
	int ret;
	__u32 n;

	enforce(_metadata, &self->gk, true);
	/* The same bytes, without fs-verity. */
	ret = load_path(self->plain, NULL, 0, log, sizeof(log));
	ASSERT_EQ(-EPERM, ret) TH_LOG("plain copy: %d; log '%s'", ret, log);
	ASSERT_ONE_LINE(log, "security policy");
	TH_LOG("unvetted (same bytes, no fs-verity): EPERM, log: %s", log);
	/* fs-verity, but not on the allowlist. */
	ret = load_path(self->other, NULL, 0, log, sizeof(log));
	ASSERT_EQ(-EPERM, ret) TH_LOG("other: %d; log '%s'", ret, log);
	VAR_GET(&self->gk, "reads_denied", &n);
	ASSERT_EQ(2U, n);
}

TEST_F_TIMEOUT(gk, raw_prog_load_refused, E2E_TIMEOUT)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr;
	__u32 n;
	int fd;

	enforce(_metadata, &self->gk, true);
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insns = ptr_to_u64(insns);
	attr.insn_cnt = 2;
	attr.license = ptr_to_u64("GPL");
	fd = sys_bpf(BPF_PROG_LOAD, &attr);
	ASSERT_EQ(-1, fd);
	ASSERT_EQ(EPERM, errno);
	VAR_GET(&self->gk, "raw_loads_denied", &n);
	ASSERT_EQ(1U, n);
}

TEST_F_TIMEOUT(gk, override_refused, E2E_TIMEOUT)
{
	struct bpf_loadfd_map m = { .name = ".rodata" };
	char log[REJECT_LOG_SIZE];
	struct bpf_map_info ref = {};
	__u32 val = 9, n, supplied;
	int loader, prog, ro;
	struct obj o;

	/* A compatible frozen .rodata, shaped after the loader's own. */
	memset(&o, 0, sizeof(o));
	o.loader = load_path(self->vetted, NULL, 0, log, sizeof(log));
	ASSERT_LE(0, o.loader) TH_LOG("log '%s'", log);
	ro = loadfd_map_get(o.loader, ".rodata", BPF_F_RDONLY);
	ASSERT_LE(0, ro);
	map_info(_metadata, ro, &ref);
	close(ro);
	close(o.loader);
	m.fd = map_like(_metadata, &ref, &val, true);

	enforce(_metadata, &self->gk, true);
	loader = load_path(self->vetted, &m, 1, log, sizeof(log));
	ASSERT_EQ(-EPERM, loader) TH_LOG("override under deny_overrides: %d", loader);
	VAR_GET(&self->gk, "overrides_denied", &n);
	ASSERT_EQ(1U, n);

	/* Policy allows overrides: it loads, runs with the caller's value,
	 * and the provenance the LSM sees counts the supplied map.
	 */
	enforce(_metadata, &self->gk, false);
	loader = load_path(self->vetted, &m, 1, log, sizeof(log));
	ASSERT_LE(0, loader) TH_LOG("override allowed: %s; log '%s'", strerror(-loader), log);
	prog = prog_load_ok(_metadata, loader, "truth_cfg_ret");
	ASSERT_EQ(9U, run_skb(_metadata, prog));
	VAR_GET(&self->gk, "last_overrides", &supplied);
	ASSERT_EQ(1U, supplied);
	close(prog);
	close(loader);
	close(m.fd);
}

/* M8: the receiver of a loader fd is checked for the loader's maps. */
TEST_F_TIMEOUT(gk, map_access_checked_at_prog_load, E2E_TIMEOUT)
{
	struct shared {
		int ret;
		char log[REJECT_LOG_SIZE];
	} *r;
	char log[REJECT_LOG_SIZE];
	__u32 zero = 0, one = 1, tgid, n;
	int loader, go[2], prog, status;
	pid_t pid;

	r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, r);
	loader = load_path(self->vetted, NULL, 0, log, sizeof(log));
	ASSERT_LE(0, loader) TH_LOG("log '%s'", log);
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		union bpf_attr attr;
		char c;

		if (read(go[0], &c, 1) != 1)
			_exit(1);
		memset(&attr, 0, sizeof(attr));
		attr.log_level = 1;
		attr.log_buf = ptr_to_u64(r->log);
		attr.log_size = sizeof(r->log);
		r->ret = prog_load_raw(&attr, loader, "truth_cfg_ret");
		_exit(0);
	}
	/* The child is under the gatekeeper, with map access refused. */
	tgid = pid;
	VAR_SET(&self->gk, "deny_map_access", &one);
	VAR_SET(&self->gk, "target_tgid", &tgid);
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	VAR_SET(&self->gk, "target_tgid", &zero);
	VAR_GET(&self->gk, "map_access_denied", &n);
	ASSERT_EQ(-EPERM, r->ret) TH_LOG("by-name load without map access: %d; log '%s'", r->ret,
					  r->log);
	ASSERT_NE(NULL, strstr(r->log, "access to map")) TH_LOG("log '%s'", r->log);
	ASSERT_LE(1U, n);
	/* Control: with access, the same load works. */
	prog = prog_load_ok(_metadata, loader, "truth_cfg_ret");
	close(prog);
	close(loader);
	close(go[0]);
	close(go[1]);
	munmap(r, sizeof(*r));
}

/* ---- IMA and IPE (a fixture only for the longer timeout) ---- */

FIXTURE(sig) {
	int unused;
};

FIXTURE_SETUP(sig)
{
}

FIXTURE_TEARDOWN(sig)
{
}

#define IMA_POLICY "/sys/kernel/security/ima/policy"
#define IMA_FSUUID "6c6f6164-6664-4000-8000-696d61746573"	/* fixed: the policy names it */

/* The throwaway test CA: $LOADFD_KEYDIR, or dev/build.sh's cache dir. */
static void key_path(char *buf, size_t size, const char *file)
{
	const char *dir = getenv("LOADFD_KEYDIR");

	snprintf(buf, size, "%s/%s", dir ?: "/root/.cache/loadfd/keys", file);
}

static int run_cmd(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
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

/* The last 4 bytes of @cert's subject key identifier: the IMA key id. */
static __u32 ca_keyid(struct __test_metadata *_metadata, const char *cert)
{
	char cmd[1024], out[256] = "", *p;
	unsigned int b[4];
	size_t n;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "openssl x509 -in %s -noout -ext subjectKeyIdentifier", cert);
	f = popen(cmd, "r");
	ASSERT_NE(NULL, f);
	n = fread(out, 1, sizeof(out) - 1, f);
	pclose(f);
	out[n] = 0;
	while (n && (out[n - 1] == '\n' || out[n - 1] == ' '))
		out[--n] = 0;
	ASSERT_LE((size_t)11, n) TH_LOG("no subject key identifier in %s: '%s'", cert, out);
	p = out + n - 11;	/* "AA:BB:CC:DD" */
	ASSERT_EQ(4, sscanf(p, "%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3]));
	return b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
}

/* security.ima as evmctl ima_sign writes it (signature v2: RSA PKCS#1 v1.5
 * over the file's SHA-256).
 */
static void ima_sign(struct __test_metadata *_metadata, const char *dir, const char *path,
		     const char *key, __u32 keyid)
{
	unsigned char digest[SHA256_LEN], xattr[8 + 512];
	char dpath[256], spath[256];
	unsigned char *data, *sig;
	size_t size, sig_size;

	data = read_file(_metadata, path, &size);
	sha256(data, size, digest);
	free(data);
	snprintf(dpath, sizeof(dpath), "%s/digest", dir);
	snprintf(spath, sizeof(spath), "%s/sig", dir);
	write_file(_metadata, dpath, digest, SHA256_LEN);
	ASSERT_EQ(0, run_cmd("openssl pkeyutl -sign -inkey %s -pkeyopt digest:sha256 -in %s -out %s",
			     key, dpath, spath));
	sig = read_file(_metadata, spath, &sig_size);
	ASSERT_GE(sizeof(xattr) - 9, sig_size);
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
	ASSERT_EQ(0, setxattr(path, "security.ima", xattr, 9 + sig_size, 0))
		TH_LOG("setxattr security.ima: %s", strerror(errno));
}

TEST_F_TIMEOUT(sig, ima_appraisal, E2E_TIMEOUT)
{
	char dir[] = "/tmp/loadfd-ima-XXXXXX", mnt[64], src[PATH_MAX], cert[192];
	char key[192], der[256], path[3][128], log[REJECT_LOG_SIZE], rule[256];
	static const char *const names[] = { "signed", "unsigned", "changed" };
	unsigned char *cdata;
	size_t clen;
	long ima;
	int i, fd, ret, prog;
	__u32 keyid;

	key_path(cert, sizeof(cert), "test-ca.pem");
	key_path(key, sizeof(key), "test-ca.key");
	if (access(cert, R_OK) || access(key, R_OK) || access(IMA_POLICY, W_OK))
		SKIP(return, "no test CA or no writable %s", IMA_POLICY);
	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(mnt, sizeof(mnt), "%s/mnt", dir);
	ASSERT_EQ(0, mkdir(mnt, 0755));
	ASSERT_EQ(0, run_cmd("mkfs.ext4 -q -F -U %s %s/img 16M >/dev/null 2>&1 && "
			     "mount -o loop %s/img %s", IMA_FSUUID, dir, dir, mnt));

	/* A throwaway IMA key, certified by the test CA (which is in the
	 * builtin trusted keys, as .ima requires), into .ima.
	 */
	ASSERT_EQ(0, run_cmd("cd %s && printf '%%s\\n' 'subjectKeyIdentifier=hash' "
			     "'authorityKeyIdentifier=keyid' 'basicConstraints=critical,CA:FALSE' "
			     "'keyUsage=digitalSignature' > ext && "
			     "openssl req -new -newkey rsa:2048 -nodes -keyout ima.key "
			     "-subj '/CN=loadfd IMA test key' -out ima.csr >/dev/null 2>&1 && "
			     "openssl x509 -req -in ima.csr -CA %s -CAkey %s -set_serial 2 -days 2 "
			     "-sha256 -extfile ext -out ima.pem >/dev/null 2>&1", dir, cert, key));
	snprintf(cert, sizeof(cert), "%s/ima.pem", dir);
	snprintf(key, sizeof(key), "%s/ima.key", dir);
	ima = keyring_id(".ima");
	ASSERT_LT(0, ima) TH_LOG("no .ima keyring in /proc/keys");
	snprintf(der, sizeof(der), "%s/ima.der", dir);
	ASSERT_EQ(0, run_cmd("openssl x509 -in %s -outform DER -out %s", cert, der));
	cdata = read_file(_metadata, der, &clen);
	ASSERT_LT(0, syscall(SYS_add_key, "asymmetric", NULL, cdata, clen, ima))
		TH_LOG("add_key to .ima: %s", strerror(errno));
	free(cdata);
	keyid = ca_keyid(_metadata, cert);

	obj_path(src, sizeof(src), VETTED_OBJ);
	for (i = 0; i < 3; i++) {
		snprintf(path[i], sizeof(path[i]), "%s/%s.bpf.o", mnt, names[i]);
		copy_file(_metadata, src, path[i]);
	}
	ima_sign(_metadata, dir, path[0], key, keyid);
	/* Signed, then one byte changed (at the end: the ELF still parses). */
	ima_sign(_metadata, dir, path[2], key, keyid);
	fd = open(path[2], O_WRONLY | O_APPEND | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, write(fd, "x", 1));
	close(fd);

	snprintf(rule, sizeof(rule), "appraise func=BPF_CHECK fsuuid=%s appraise_type=imasig\n",
		 IMA_FSUUID);
	fd = open(IMA_POLICY, O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)strlen(rule), write(fd, rule, strlen(rule)))
		TH_LOG("IMA policy '%s': %s", rule, strerror(errno));
	close(fd);

	ret = load_path(path[0], NULL, 0, log, sizeof(log));
	ASSERT_LE(0, ret) TH_LOG("signed: %s; log '%s'", strerror(-ret), log);
	prog = prog_load_ok(_metadata, ret, "truth_cfg_ret");
	ASSERT_EQ(7U, run_skb(_metadata, prog));
	close(prog);
	close(ret);
	TH_LOG("IMA: the signed object loaded and ran");
	for (i = 1; i < 3; i++) {
		ret = load_path(path[i], NULL, 0, log, sizeof(log));
		ASSERT_EQ(-EACCES, ret) TH_LOG("%s: %d; log '%s'", names[i], ret, log);
		ASSERT_ONE_LINE(log, "security policy");
		TH_LOG("IMA: %s object refused: %s", names[i], log);
	}
	umount2(mnt, MNT_DETACH);
	run_cmd("rm -rf %s", dir);
}

/* ---- LoadPin ---- */

TEST(loadpin_not_pinned)
{
	int len = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	bool seen = false;
	char *buf, *line;

	ASSERT_LT(0, len);
	buf = calloc(1, len + 1);
	ASSERT_NE(NULL, buf);
	len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, len);
	ASSERT_LE(0, len);
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		if (!strstr(line, "LoadPin: bpf-object"))
			continue;
		seen = true;
		ASSERT_EQ(NULL, strstr(line, "bpf-object pinned")) TH_LOG("%s", line);
	}
	free(buf);
	if (!seen)
		SKIP(return, "no LoadPin report of a BPF object read in the kernel log");
}

/* ---- IPE ---- */

#define IPE_DIR "/sys/kernel/security/ipe"

/* Signs @text with the test CA (PKCS#7 with the content, as IPE wants it)
 * and makes it the active IPE policy @name.
 */
static void ipe_activate(struct __test_metadata *_metadata, const char *dir, const char *name,
			 const char *text, const char *cert, const char *key)
{
	char in[256], out[256], active[256];
	unsigned char *p7;
	size_t len;
	int fd;

	snprintf(in, sizeof(in), "%s/%s.pol", dir, name);
	snprintf(out, sizeof(out), "%s/%s.p7s", dir, name);
	write_file(_metadata, in, text, strlen(text));
	ASSERT_EQ(0, run_cmd("openssl smime -sign -in %s -signer %s -inkey %s -noattr -nodetach "
			     "-nosmimecap -outform der -out %s", in, cert, key, out));
	p7 = read_file(_metadata, out, &len);
	fd = open(IPE_DIR "/new_policy", O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)len, write(fd, p7, len)) TH_LOG("new_policy %s: %s", name, strerror(errno));
	close(fd);
	free(p7);
	snprintf(active, sizeof(active), IPE_DIR "/policies/%s/active", name);
	fd = open(active, O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("%s: %s", active, strerror(errno));
	ASSERT_EQ(1, write(fd, "1", 1)) TH_LOG("activate %s: %s", name, strerror(errno));
	close(fd);
}

/* Turns fs-verity on for @path with a builtin signature by the test CA over
 * @digest (the file's fs-verity digest, measured on an identical copy).
 */
static void verity_enable_signed(struct __test_metadata *_metadata, const char *dir,
				 const char *path, const unsigned char digest[32],
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
	int fd;

	fmt[8] = FS_VERITY_HASH_ALG_SHA256;	/* __le16 */
	fmt[10] = 32;				/* __le16 digest size */
	memcpy(fmt + 12, digest, 32);
	snprintf(in, sizeof(in), "%s/fmt", dir);
	snprintf(out, sizeof(out), "%s/fmt.p7s", dir);
	write_file(_metadata, in, fmt, sizeof(fmt));
	ASSERT_EQ(0, run_cmd("openssl smime -sign -binary -noattr -nocerts -md sha256 -in %s "
			     "-signer %s -inkey %s -outform der -out %s", in, cert, key, out));
	sig = read_file(_metadata, out, &len);
	arg.sig_size = len;
	arg.sig_ptr = (__u64)(unsigned long)sig;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, FS_IOC_ENABLE_VERITY, &arg))
		TH_LOG("FS_IOC_ENABLE_VERITY with a signature: %s", strerror(errno));
	close(fd);
	free(sig);
}

static void add_cert(struct __test_metadata *_metadata, const char *dir, const char *cert,
		     const char *keyring)
{
	char der[256];
	unsigned char *data;
	size_t len;
	long id = keyring_id(keyring);

	ASSERT_LT(0, id) TH_LOG("no %s keyring in /proc/keys", keyring);
	snprintf(der, sizeof(der), "%s/ca.der", dir);
	ASSERT_EQ(0, run_cmd("openssl x509 -in %s -outform DER -out %s", cert, der));
	data = read_file(_metadata, der, &len);
	ASSERT_LT(0, syscall(SYS_add_key, "asymmetric", NULL, data, len, id))
		TH_LOG("add_key to %s: %s", keyring, strerror(errno));
	free(data);
}

TEST_F_TIMEOUT(sig, ipe_fsverity_sig, E2E_TIMEOUT)
{
	char dir[] = "/tmp/loadfd-ipe-XXXXXX", mnt[64], src[PATH_MAX], cert[192];
	char key[192], path[4][128], log[REJECT_LOG_SIZE], pol[512], name[2][64];
	static const char *const names[] = { "measure", "signed", "unsigned", "plain" };
	unsigned char digest[32];
	struct timespec now;
	int i, ret, prog;

	key_path(cert, sizeof(cert), "test-ca.pem");
	key_path(key, sizeof(key), "test-ca.key");
	if (access(cert, R_OK) || access(key, R_OK) || access(IPE_DIR "/new_policy", W_OK))
		SKIP(return, "no test CA or no IPE (%s)", IPE_DIR);
	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(mnt, sizeof(mnt), "%s/mnt", dir);
	ASSERT_EQ(0, mkdir(mnt, 0755));
	ASSERT_EQ(0, run_cmd("mkfs.ext4 -q -F -O verity -b 4096 %s/img 16M >/dev/null 2>&1 && "
			     "mount -o loop %s/img %s", dir, dir, mnt));
	add_cert(_metadata, dir, cert, ".fs-verity");

	obj_path(src, sizeof(src), VETTED_OBJ);
	for (i = 0; i < 4; i++) {
		snprintf(path[i], sizeof(path[i]), "%s/%s.bpf.o", i == 3 ? dir : mnt, names[i]);
		copy_file(_metadata, src, path[i]);
	}
	verity_enable(_metadata, path[0], digest);
	verity_enable_signed(_metadata, dir, path[1], digest, cert, key);
	verity_enable(_metadata, path[2], digest);

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
	ipe_activate(_metadata, dir, name[0], pol, cert, key);

	/* No ASSERT until the permissive policy is back. */
	ret = load_path(path[1], NULL, 0, log, sizeof(log));
	if (ret >= 0) {
		union bpf_attr attr;
		__u32 retval = 0;
		int loader = ret;

		memset(&attr, 0, sizeof(attr));
		prog = prog_load_raw(&attr, loader, "truth_cfg_ret");
		ret = prog < 0 ? prog : test_run_raw(prog, test_pkt, sizeof(test_pkt), NULL, 0,
						     &retval);
		if (!ret && retval != 7)
			ret = -EINVAL;
		if (prog >= 0)
			close(prog);
		close(loader);
		TH_LOG("IPE: the fs-verity object with a builtin signature loaded (run: %d, returned %u)",
		       ret, retval);
	} else {
		TH_LOG("signed: %d; log '%s'", ret, log);
	}
	for (i = 2; i < 4 && ret >= 0; i++) {
		ret = load_path(path[i], NULL, 0, log, sizeof(log));
		if (ret == -EACCES && strstr(log, "security policy")) {
			TH_LOG("IPE: %s object refused: %s", names[i], log);
			ret = 0;
		} else {
			TH_LOG("%s: %d; log '%s'", names[i], ret, log);
			ret = -1000 - i;
		}
	}
	/* Whatever happened, let the rest of the run load objects again. */
	snprintf(pol, sizeof(pol), "policy_name=%s policy_version=0.%ld.1\nDEFAULT action=ALLOW\n",
		 name[1], (long)(now.tv_sec % 65535) + 1);
	ipe_activate(_metadata, dir, name[1], pol, cert, key);
	umount2(mnt, MNT_DETACH);
	run_cmd("rm -rf %s", dir);
	ASSERT_LE(0, ret) TH_LOG("see the lines above");
}

TEST_HARNESS_MAIN
