/* SPDX-License-Identifier: GPL-2.0 */
/*
 * BPF_LOAD_FD: in-kernel loader for BPF ELF objects.
 * See Documentation/bpf/loadfd.rst.
 */
#ifndef _LINUX_BPF_LOADFD_H
#define _LINUX_BPF_LOADFD_H

#include <linux/bpfptr.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/types.h>
#include <uapi/linux/bpf.h>

union bpf_attr;
struct bpf_map;
struct bpf_prog;
struct btf;
struct bpf_loadfd_live;

/*
 * What BPF_PROG_LOAD takes from a loader object besides the instructions:
 * the maps (BPF_PSEUDO_MAP_IDX{,_VALUE} imm indexes @maps) and BTF objects
 * (the program BTF, and module BTFs that kfunc calls and typed ksyms refer to
 * by 1-based slot instead of an fd), all bound when BPF_LOAD_FD ran.
 */
struct bpf_loadfd_prog {
	struct bpf_map **maps;
	u32 map_cnt;
	u32 btf_cnt;
	struct btf *btf;
	struct btf **btfs;
	/*
	 * The attach target, resolved by the loader (from attach_prog_fd /
	 * attach_btf_obj_fd, or a module BTF target found by the SEC name);
	 * when set, BPF_PROG_LOAD uses it instead of resolving the fd again.
	 */
	struct bpf_prog *attach_prog;
	struct btf *attach_btf;
	/* Listing of the program in the loader's sysfs, handed to the
	 * program by bpf_loadfd_prog_published().
	 */
	struct bpf_loadfd_live *live;
	/* The program, with a reference, once it has an id (for the
	 * loader's steps after the load, such as prog-array slots).
	 */
	struct bpf_prog *prog;
	/*
	 * Provenance, for LSMs: while security_bpf_prog_load() and the
	 * verifier run, prog->aux->loadfd points here (BPF-LSM programs read
	 * it through BTF). The loader object (its sysfs id), the file
	 * BPF_LOAD_FD read (device, inode, SHA-256 of the bytes read), and
	 * how many of the object's maps the caller declared something about
	 * (load_fd.maps: supplied its own, or resized).
	 */
	u32 loader_id;
	u32 overrides;
	dev_t dev;
	unsigned long ino;
	u8 sha256[32];
	/* A digest of what the caller declared (sysfs "overrides"; all zero
	 * when nothing): a policy can allow a file with a given configuration.
	 */
	u8 overrides_sha256[32];
	/*
	 * The program as the verifier takes it: a kernel copy of the caller's
	 * attr with the program's instructions, license, func/line info and
	 * CO-RE records pointing to the loader's kernel memory.
	 */
	union bpf_attr attr;
};

/*
 * BPF_BTF_LOAD, BPF_MAP_CREATE (+ initial value and freeze) and a map-in-map
 * BPF_MAP_UPDATE_ELEM for the loader, with the syscalls' checks but without
 * fds: nothing the loader creates passes through the caller's fd table.
 */
struct btf *btf_new_kern(const void *data, u32 size, char __user *log_buf, u32 log_size,
			 u32 *log_true_size);
struct bpf_map *bpf_map_create_kern(union bpf_attr *attr, struct btf *btf,
				    struct bpf_map *inner, const void *value, bool freeze);
int bpf_map_update_inner_kern(struct bpf_map *map, void *key, struct bpf_map *inner);
int bpf_prog_array_update_kern(struct bpf_map *map, u32 index, struct bpf_prog *prog);

/*
 * A struct_ops map made by the loader: a BPF_MAP_UPDATE_ELEM (what
 * registers it, or makes a BPF_F_LINK map ready for BPF_LINK_CREATE) must
 * write the object's value. @value is the value BPF_LOAD_FD computed from
 * the object (libbpf's bpf_map__init_kern_struct_ops()), with function
 * pointers 0; @cookies[i] is, for member i of the kernel type, the cookie of
 * the loader program the object puts there (bpf_loadfd_prog_cookie() of a
 * program loaded by name from it), or 0 for none.
 */
struct bpf_struct_ops_expect {
	void *value;
	u64 *cookies;
	u32 member_cnt;
};

struct bpf_map *bpf_struct_ops_map_create_kern(union bpf_attr *attr, struct btf *btf,
					       struct btf *vtype_btf,
					       struct bpf_struct_ops_expect *expect);
void bpf_struct_ops_expect_free(struct bpf_struct_ops_expect *e);
#ifdef CONFIG_BPF_JIT
/* bpf_struct_ops.c, for bpf_struct_ops_map_create_kern(). */
struct bpf_map *bpf_struct_ops_map_alloc_kern(union bpf_attr *attr, struct btf *vtype_btf);
void bpf_struct_ops_map_set_expect(struct bpf_map *map, struct bpf_struct_ops_expect *e);
#else
static inline struct bpf_map *bpf_struct_ops_map_alloc_kern(union bpf_attr *attr,
							    struct btf *vtype_btf)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static inline void bpf_struct_ops_map_set_expect(struct bpf_map *map,
						 struct bpf_struct_ops_expect *e)
{
}
#endif

/* An object's __arena variables in its arena (kernel/bpf/arena.c). */
#if defined(CONFIG_MMU) && defined(CONFIG_64BIT)
int bpf_arena_fill_kern(struct bpf_map *map, const void *data, u32 len, u64 size);
#else
static inline int bpf_arena_fill_kern(struct bpf_map *map, const void *data, u32 len, u64 size)
{
	return -EOPNOTSUPP;
}
#endif

/*
 * Pinning by name (LIBBPF_PIN_BY_NAME) in a bpffs directory taken once from
 * an fd: BPF_OBJ_GET and BPF_OBJ_PIN of one name in it, with their checks,
 * without fds.
 */
struct path;
int bpf_pin_dir_get(int fd, struct path *dir);
struct bpf_map *bpf_map_get_pinned_kern(const struct path *dir, const char *name);
int bpf_map_pin_kern(const struct path *dir, const char *name, struct bpf_map *map);
int bpf_map_unpin_kern(const struct path *dir, const char *name, struct bpf_map *map);

#if IS_ENABLED(CONFIG_BPF_LOADFD)
int bpf_loadfd_create(const union bpf_attr *attr, bpfptr_t uattr, u32 uattr_size);
int bpf_loadfd_map_get_fd(const union bpf_attr *attr);
struct bpf_loadfd_prog *bpf_loadfd_prog_get(const union bpf_attr *attr, bpfptr_t uattr,
					    u32 uattr_size);
int bpf_loadfd_prog_put(struct bpf_loadfd_prog *lp, int ret, bpfptr_t uattr, u32 uattr_size);
/* The program loaded for @lp has its id (called before it gets an fd). */
void bpf_loadfd_prog_published(struct bpf_prog *prog, struct bpf_loadfd_prog *lp);
/* From bpf_prog_free_id(): drops the program from its loader's listing. */
void bpf_loadfd_prog_free_id(struct bpf_prog *prog);
/* Which loader program @prog was loaded from by name (unique for the
 * kernel's lifetime, kept after the loader object is gone), 0 if none.
 */
u64 bpf_loadfd_prog_cookie(const struct bpf_prog *prog);
#else
static inline u64 bpf_loadfd_prog_cookie(const struct bpf_prog *prog)
{
	return 0;
}

static inline void bpf_loadfd_prog_published(struct bpf_prog *prog,
					     struct bpf_loadfd_prog *lp)
{
}

static inline void bpf_loadfd_prog_free_id(struct bpf_prog *prog)
{
}

static inline int bpf_loadfd_create(const union bpf_attr *attr, bpfptr_t uattr,
				    u32 uattr_size)
{
	return -EOPNOTSUPP;
}

static inline int bpf_loadfd_map_get_fd(const union bpf_attr *attr)
{
	return -EOPNOTSUPP;
}

static inline struct bpf_loadfd_prog *bpf_loadfd_prog_get(const union bpf_attr *attr,
							  bpfptr_t uattr, u32 uattr_size)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static inline int bpf_loadfd_prog_put(struct bpf_loadfd_prog *lp, int ret, bpfptr_t uattr,
				      u32 uattr_size)
{
	return ret;
}
#endif

#endif /* _LINUX_BPF_LOADFD_H */
