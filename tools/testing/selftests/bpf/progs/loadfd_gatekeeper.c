// SPDX-License-Identifier: GPL-2.0
/*
 * A BPF-LSM gatekeeper: only vetted BPF objects run.
 *
 *  - BPF_LOAD_FD reads the object with kernel_read_file(READING_BPF_OBJECT):
 *    allowed only if the file has fs-verity and its digest is in @allowed
 *    (fs-verity makes the digest cover every byte the kernel will read, and
 *    no write can change the file afterwards).
 *  - BPF_PROG_LOAD is allowed only by name from a loader object
 *    (loader_prog_name): raw instructions are refused, and so is a program
 *    whose prog->aux->loadfd (the loader's provenance) is missing.
 *  - With @deny_overrides, a BPF_LOAD_FD that supplies any map (and so
 *    replaces values of the file, e.g. a frozen .rodata) is refused.
 *  - With @deny_map_access, every map access check (security_bpf_map(): a
 *    new map fd, or BPF_PROG_LOAD by name checking the loader's maps for a
 *    caller that may only have received the loader fd) is refused.
 *
 * It enforces only for @target_tgid (0: nobody), so a test can run it
 * without locking out the rest of the system; a real policy would enforce
 * for everyone (and pin itself). prog_tests/loadfd_policy.c loads it
 * through BPF_LOAD_FD.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define EPERM 1
#define SHA256_DIGEST_SIZE 32
#define FSVERITY_DIGEST_HDR 4	/* sizeof(struct fsverity_digest) */
#define FS_VERITY_HASH_ALG_SHA256 1

struct digest {
	__u8 b[SHA256_DIGEST_SIZE];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct digest);
	__type(value, __u8);
} allowed SEC(".maps");

/* Scratch for the fs-verity digest (bpf_dynptr_from_mem() wants map memory). */
struct verity_buf {
	__u8 b[FSVERITY_DIGEST_HDR + SHA256_DIGEST_SIZE];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct verity_buf);
} scratch SEC(".maps");

__u32 target_tgid;
__u32 deny_overrides;
__u32 deny_map_access;

/* What the hooks decided, for the test. */
__u32 reads_allowed;
__u32 reads_denied;
__u32 raw_loads_denied;
__u32 overrides_denied;
__u32 map_access_denied;
__u32 loads_from_loader;
__u32 last_loader_id;
__u32 last_overrides;
__u8 last_sha256[SHA256_DIGEST_SIZE];

extern int bpf_get_fsverity_digest(struct file *file, struct bpf_dynptr *digest_ptr) __ksym;

static bool enforced(void)
{
	return target_tgid && (bpf_get_current_pid_tgid() >> 32) == target_tgid;
}

SEC("lsm/kernel_read_file")
int BPF_PROG(gk_read, struct file *file, enum kernel_read_file_id id, bool contents, int ret)
{
	struct bpf_dynptr ptr;
	struct verity_buf *v;
	struct digest d;
	__u32 zero = 0;

	if (ret || id != READING_BPF_OBJECT || !enforced())
		return ret;
	v = bpf_map_lookup_elem(&scratch, &zero);
	if (!v)
		goto deny;
	bpf_dynptr_from_mem(v->b, sizeof(v->b), 0, &ptr);
	/* No fs-verity (or another hash): not vetted. */
	if (bpf_get_fsverity_digest(file, &ptr) < 0 ||
	    v->b[0] != FS_VERITY_HASH_ALG_SHA256 || v->b[2] != SHA256_DIGEST_SIZE)
		goto deny;
	__builtin_memcpy(d.b, v->b + FSVERITY_DIGEST_HDR, SHA256_DIGEST_SIZE);
	if (!bpf_map_lookup_elem(&allowed, &d))
		goto deny;
	reads_allowed++;
	return 0;
deny:
	reads_denied++;
	return -EPERM;
}

SEC("lsm/bpf")
int BPF_PROG(gk_bpf, int cmd, union bpf_attr *attr, unsigned int size, int ret)
{
	if (ret || !enforced())
		return ret;
	if (cmd == BPF_PROG_LOAD && !attr->loader_prog_name) {
		raw_loads_denied++;
		return -EPERM;
	}
	if (cmd == BPF_LOAD_FD && deny_overrides && attr->load_fd.map_cnt) {
		overrides_denied++;
		return -EPERM;
	}
	return 0;
}

SEC("lsm/bpf_map")
int BPF_PROG(gk_map, struct bpf_map *map, fmode_t fmode, int ret)
{
	if (ret || !enforced() || !deny_map_access)
		return ret;
	map_access_denied++;
	return -EPERM;
}

SEC("lsm/bpf_prog_load")
int BPF_PROG(gk_prog_load, struct bpf_prog *prog, union bpf_attr *attr,
	     struct bpf_token *token, int ret)
{
	const struct bpf_loadfd_prog *lp;

	if (ret || !enforced())
		return ret;
	lp = prog->aux->loadfd;
	if (!lp) {
		raw_loads_denied++;
		return -EPERM;
	}
	last_loader_id = lp->loader_id;
	last_overrides = lp->overrides;
	__builtin_memcpy(last_sha256, lp->sha256, SHA256_DIGEST_SIZE);
	loads_from_loader++;
	return 0;
}

char _license[] SEC("license") = "GPL";
