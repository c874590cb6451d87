// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_LOAD_FD: the syscall edge (permissions, the object fd, the read through
 * kernel_read_file() which runs the LSM hooks, the caller's maps, the log)
 * and the loader fd. Everything about the object's bytes is decided in Rust
 * (loadfd_main.rs, load.rs and the core in core/).
 */
#include <linux/anon_inodes.h>
#include <linux/bpf_verifier.h>
#include <linux/capability.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kernel_read_file.h>
#include <linux/sched/signal.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/stat.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "loadfd_obj.h"

/* ---- the loader fd ------------------------------------------------------ */

static int loadfd_release(struct inode *inode, struct file *file)
{
	loadfd_obj_destroy(file->private_data);
	return 0;
}

static void loadfd_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct loadfd_obj *obj = file->private_data;

	seq_printf(m, "loadfd_id:\t%d\nprogs:\t%u\nmaps:\t%u\n", obj->id, obj->prog_cnt,
		   obj->map_cnt);
}

const struct file_operations loadfd_fops = {
	.release = loadfd_release,
	.show_fdinfo = loadfd_show_fdinfo,
};

/* ---- BPF_LOAD_FD --------------------------------------------------------- */

static ssize_t loadfd_read_obj(struct loadfd_obj *obj, int fd, void **buf)
{
	CLASS(fd, f)(fd);
	struct kstat st;
	loff_t size;
	ssize_t n;
	int err;

	if (fd_empty(f)) {
		bpf_log(obj->log, "obj_fd %d: not an open file descriptor\n", fd);
		return -EBADF;
	}
	/*
	 * kernel_read_file() would vmalloc() the buffer itself, uncharged:
	 * give it one charged to the caller. Sizes it refuses anyway (not a
	 * regular file, too large) get no buffer and its own error.
	 */
	size = i_size_read(file_inode(fd_file(f)));
	if (size > 0 && size <= LOADFD_MAX_OBJ_SIZE) {
		*buf = __vmalloc(size, LOADFD_GFP);
		if (!*buf) {
			bpf_log(obj->log, "obj_fd %d: no memory for its %lld bytes\n", fd, size);
			return -ENOMEM;
		}
	} else {
		size = LOADFD_MAX_OBJ_SIZE;
	}
	n = kernel_read_file(fd_file(f), 0, buf, size, NULL, READING_BPF_OBJECT);
	if (n < 0) {
		vfree(*buf);
		*buf = NULL;
	}
	switch (n) {
	case -EFBIG:
		/* Or it grew between the two looks at its size. */
		bpf_log(obj->log, "obj_fd %d: object larger than %lld bytes\n", fd, size);
		return -E2BIG;
	case -EINVAL:
		bpf_log(obj->log, "obj_fd %d: not a readable regular file\n", fd);
		return -EINVAL;
	case -EBADF:
		bpf_log(obj->log, "obj_fd %d: not opened for reading\n", fd);
		return -EBADF;
	case -EPERM:
	case -EACCES:
		/* kernel_read_file()'s LSM hooks: IMA appraisal, IPE, LoadPin,
		 * a BPF-LSM policy.
		 */
		bpf_log(obj->log, "obj_fd %d: reading the object was refused by a security policy (%zd)\n",
			fd, n);
		return n;
	}
	if (n < 0) {
		bpf_log(obj->log, "obj_fd %d: reading the object failed (%zd)\n", fd, n);
		return n;
	}
	/* What stat() reports for the file (overlayfs and friends report the
	 * real file's device and inode there, not the overlay inode's).
	 */
	err = vfs_getattr(&fd_file(f)->f_path, &st, STATX_INO, AT_STATX_SYNC_AS_STAT);
	if (err) {
		vfree(*buf);
		*buf = NULL;
		bpf_log(obj->log, "obj_fd %d: stat failed (%d)\n", fd, err);
		return err;
	}
	obj->dev = st.dev;
	obj->ino = st.ino;
	return n;
}

static int loadfd_check_perm(const union bpf_attr *attr, struct bpf_verifier_log *log)
{
	struct bpf_token *token;

	if (attr->load_fd.flags & ~(BPF_F_TOKEN_FD | BPF_F_PATH_FD)) {
		bpf_log(log, "flags 0x%x: unknown flags\n", attr->load_fd.flags);
		return -EINVAL;
	}
	if (attr->load_fd.flags & BPF_F_TOKEN_FD) {
		token = bpf_token_get_from_fd(attr->load_fd.token_fd);
		if (IS_ERR(token)) {
			bpf_log(log, "token_fd %d: not a BPF token\n", attr->load_fd.token_fd);
			return PTR_ERR(token);
		}
		bpf_token_put(token);
		/* The BTF and maps BPF_LOAD_FD creates would be checked against
		 * the caller's own capabilities, not the token's: refuse
		 * rather than half-honour it.
		 */
		bpf_log(log, "token_fd %d: BPF tokens are not supported by BPF_LOAD_FD yet\n",
			attr->load_fd.token_fd);
		return -EOPNOTSUPP;
	}
	if (attr->load_fd.token_fd) {
		bpf_log(log, "token_fd set without BPF_F_TOKEN_FD\n");
		return -EINVAL;
	}
	/* Same rule as BPF_PROG_LOAD for privileged program types. */
	if (!bpf_capable()) {
		bpf_log(log, "BPF_LOAD_FD needs CAP_BPF (or CAP_SYS_ADMIN)\n");
		return -EPERM;
	}
	return 0;
}

static int loadfd_copy_umaps(struct loadfd_obj *obj, const union bpf_attr *attr,
			     bpfptr_t uattr)
{
	u32 i, cnt = attr->load_fd.map_cnt;

	if (!cnt) {
		if (attr->load_fd.maps) {
			bpf_log(obj->log, "maps set with map_cnt 0\n");
			return -EINVAL;
		}
		return 0;
	}
	if (cnt > LOADFD_MAX_USER_MAPS) {
		bpf_log(obj->log, "map_cnt %u: more than %u maps\n", cnt, LOADFD_MAX_USER_MAPS);
		return -E2BIG;
	}
	obj->umaps = kvcalloc(cnt, sizeof(*obj->umaps), LOADFD_GFP);
	obj->umap_used = kcalloc(cnt, sizeof(*obj->umap_used), LOADFD_GFP);
	if (!obj->umaps || !obj->umap_used)
		return -ENOMEM;
	if (copy_from_bpfptr(obj->umaps, make_bpfptr(attr->load_fd.maps, uattr.is_kernel),
			     cnt * sizeof(*obj->umaps)))
		return -EFAULT;
	obj->umap_cnt = cnt;
	for (i = 0; i < cnt; i++) {
		if (obj->umaps[i].flags & ~BPF_LOADFD_MAP_MAX_ENTRIES) {
			bpf_log(obj->log, "maps[%u]: unknown flags 0x%x\n", i, obj->umaps[i].flags);
			return -EINVAL;
		}
		if ((obj->umaps[i].flags & BPF_LOADFD_MAP_MAX_ENTRIES) &&
		    !obj->umaps[i].max_entries) {
			bpf_log(obj->log, "maps[%u]: max_entries 0\n", i);
			return -EINVAL;
		}
		if (!memchr(obj->umaps[i].name, 0, BPF_LOADFD_NAME_LEN) || !obj->umaps[i].name[0]) {
			bpf_log(obj->log, "maps[%u]: name is empty or not NUL-terminated\n", i);
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * A digest of everything the caller declared instead of the file, so a
 * policy can allow a vetted file with a vetted configuration: for each
 * supplied, resized or reused (pinned by name) map in map order, its name
 * (with the NUL), one byte of kind (1, 2, 3), then for a resized map
 * max_entries (le32), and for a supplied or reused map its type, key size,
 * value size, max_entries and flags (le32 each)
 * and, when it is a frozen single-entry array (a supplied .rodata), the
 * value, which can no longer change. Other supplied maps' contents are the
 * caller's and not covered.
 */
static void loadfd_overrides_digest(struct loadfd_obj *obj)
{
	struct sha256_state sctx;
	u32 i, key = 0;

	sha256_init(&sctx);
	for (i = 0; i < obj->map_cnt; i++) {
		struct loadfd_map *m = &obj->map_info[i];
		struct bpf_map *map = m->map;
		__le32 v[5];
		u8 kind;

		if (m->created && !m->resized)
			continue;
		/* A supplied value can be large: yield between maps. */
		cond_resched();
		obj->override_cnt++;
		kind = m->resized ? 1 : m->reused ? 3 : 2;
		sha256_update(&sctx, (const u8 *)m->name, strlen(m->name) + 1);
		sha256_update(&sctx, &kind, 1);
		if (m->resized) {
			v[0] = cpu_to_le32(map->max_entries);
			sha256_update(&sctx, (u8 *)v, 4);
			continue;
		}
		v[0] = cpu_to_le32(map->map_type);
		v[1] = cpu_to_le32(map->key_size);
		v[2] = cpu_to_le32(map->value_size);
		v[3] = cpu_to_le32(map->max_entries);
		v[4] = cpu_to_le32(map->map_flags);
		sha256_update(&sctx, (u8 *)v, sizeof(v));
		if (map->map_type == BPF_MAP_TYPE_ARRAY && map->max_entries == 1 &&
		    READ_ONCE(map->frozen)) {
			void *val;

			rcu_read_lock();
			val = map->ops->map_lookup_elem(map, &key);
			if (val)
				sha256_update(&sctx, val, map->value_size);
			rcu_read_unlock();
		}
	}
	if (obj->override_cnt)
		sha256_final(&sctx, obj->overrides_sha256);
}

/* load_fd.pin_path_fd: a BPF filesystem directory, looked up once. */
static int loadfd_pin_dir_get(struct loadfd_obj *obj, const union bpf_attr *attr)
{
	int fd = attr->load_fd.pin_path_fd;
	int err;

	if (!(attr->load_fd.flags & BPF_F_PATH_FD)) {
		if (!fd)
			return 0;
		bpf_log(obj->log, "pin_path_fd set without BPF_F_PATH_FD\n");
		return -EINVAL;
	}
	err = bpf_pin_dir_get(fd, &obj->pin_dir);
	if (err) {
		bpf_log(obj->log, "pin_path_fd %d: not a directory of a BPF filesystem (%d)\n",
			fd, err);
		return err;
	}
	obj->has_pin_dir = true;
	return 0;
}

static void loadfd_unpin_maps(struct loadfd_obj *obj)
{
	u32 i;

	for (i = 0; i < obj->map_cnt; i++) {
		struct loadfd_map *m = &obj->map_info[i];

		if (!m->pinned)
			continue;
		/* Only a pin that still holds this map goes (never skipped:
		 * a killed caller leaves no pin behind either).
		 */
		cond_resched();
		bpf_map_unpin_kern(&obj->pin_dir, m->name, m->map);
		m->pinned = false;
	}
}

/*
 * The maps to pin by name, pinned once everything else has succeeded (libbpf
 * pins each as it creates it and unpins them all if the load fails later;
 * here a failed load never shows a pin). A name taken since the lookup
 * fails the load, as it fails libbpf's second attempt.
 */
static int loadfd_pin_maps(struct loadfd_obj *obj)
{
	int err;
	u32 i;

	for (i = 0; i < obj->map_cnt; i++) {
		struct loadfd_map *m = &obj->map_info[i];

		if (!m->pin)
			continue;
		err = loadfd_checkpoint();
		if (!err)
			err = bpf_map_pin_kern(&obj->pin_dir, m->name, m->map);
		if (err) {
			bpf_log(obj->log, "maps: '%s': pinning in the pin directory failed (%d)\n",
				m->name, err);
			loadfd_unpin_maps(obj);
			return err;
		}
		m->pinned = true;
	}
	return 0;
}

int bpf_loadfd_create(const union bpf_attr *attr, bpfptr_t uattr, u32 uattr_size)
{
	struct bpf_verifier_log *log;
	struct loadfd_obj *obj;
	u32 log_true_size, i;
	void *buf = NULL;
	u64 pos;
	int ret, err, fd;
	ssize_t n;

	/* The log is large; keep it off the stack like bpf_check() does. */
	log = kzalloc(sizeof(*log), GFP_KERNEL);
	obj = loadfd_obj_alloc();
	if (!log || !obj) {
		kfree(log);
		if (obj)
			loadfd_obj_destroy(obj);
		return -ENOMEM;
	}
	obj->log = log;
	ret = bpf_vlog_init(log, attr->load_fd.log_level,
			    u64_to_user_ptr(attr->load_fd.log_buf),
			    attr->load_fd.log_size);
	if (ret) {
		kfree(log);
		loadfd_obj_destroy(obj);
		return ret;
	}

	ret = loadfd_check_perm(attr, log);
	if (ret)
		goto out;
	ret = loadfd_copy_umaps(obj, attr, uattr);
	if (ret)
		goto out;
	ret = loadfd_pin_dir_get(obj, attr);
	if (ret)
		goto out;
	n = loadfd_read_obj(obj, attr->load_fd.obj_fd, &buf);
	if (n < 0) {
		ret = n;
		goto out;
	}
	sha256(buf, n, obj->sha256);
	ret = loadfd_rs_create(buf, n, log, obj, &obj->rs);
	vfree(buf);
	if (ret)
		goto out;
	for (i = 0; i < obj->umap_cnt; i++) {
		if (!obj->umap_used[i]) {
			bpf_log(log, "maps[%u]: the object has no map '%s'\n", i,
				obj->umaps[i].name);
			ret = -EINVAL;
			goto out;
		}
	}
	loadfd_overrides_digest(obj);
	ret = ida_alloc(&loadfd_ida, GFP_KERNEL);
	if (ret < 0)
		goto out;
	obj->id = ret;
	pos = log->end_pos;
	ret = loadfd_obj_register(obj);
	if (ret) {
		/* Unless it said why already: one line per rejection. */
		if (log->end_pos == pos)
			bpf_log(log, "sysfs: registering the loader object failed (%d)\n", ret);
		goto out;
	}
	ret = loadfd_pin_maps(obj);
out:
	/* Every rejection has a reason in the log; this covers the few paths
	 * (allocation failures, internal checks) that have nothing to add.
	 */
	if (ret && !log->end_pos)
		bpf_log(log, "BPF_LOAD_FD: %s (%d)\n",
			ret == -ENOMEM ? "out of memory" : "failed", ret);
	kvfree(obj->umaps);
	kfree(obj->umap_used);
	obj->umaps = NULL;
	obj->umap_used = NULL;
	obj->umap_cnt = 0;
	obj->log = NULL;

	err = bpf_vlog_finalize(log, &log_true_size);
	if (uattr_size >= offsetofend(union bpf_attr, load_fd.log_true_size) &&
	    copy_to_bpfptr_offset(uattr, offsetof(union bpf_attr, load_fd.log_true_size),
				  &log_true_size, sizeof(log_true_size)))
		err = -EFAULT;
	kfree(log);
	if (!ret)
		ret = err;
	if (ret)
		goto err_destroy;
	fd = anon_inode_getfd("bpf-loadfd", &loadfd_fops, obj, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err_destroy;
	}
	if (obj->has_pin_dir)
		path_put(&obj->pin_dir);
	obj->has_pin_dir = false;
	return fd;

err_destroy:
	loadfd_unpin_maps(obj);
	if (obj->has_pin_dir)
		path_put(&obj->pin_dir);
	loadfd_obj_destroy(obj);
	return ret;
}

/* BPF_LOAD_FD_MAP_GET_FD: a new fd for a loader map, by name. Whoever could
 * create the loader (CAP_BPF) may open its maps; BPF_MAP_GET_FD_BY_ID would
 * need CAP_SYS_ADMIN. bpf_map_new_fd() runs security_bpf_map() for the
 * access asked for, as for every new map fd.
 */
int bpf_loadfd_map_get_fd(const union bpf_attr *attr)
{
	char name[BPF_LOADFD_NAME_LEN];
	struct loadfd_obj *obj;
	struct bpf_map *map = NULL;
	int f_flags, fd;
	long len;
	u32 i;

	if (!bpf_capable())
		return -EPERM;
	f_flags = bpf_get_file_flag(attr->load_fd_map.open_flags);
	if (f_flags < 0)
		return f_flags;
	len = strncpy_from_user(name, u64_to_user_ptr(attr->load_fd_map.name), sizeof(name));
	if (len < 0)
		return len;
	if (len == sizeof(name))
		return -E2BIG;

	CLASS(fd, f)(attr->load_fd_map.loader_fd);
	if (fd_empty(f))
		return -EBADF;
	if (fd_file(f)->f_op != &loadfd_fops)
		return -EINVAL;
	obj = fd_file(f)->private_data;
	for (i = 0; i < obj->map_cnt; i++) {
		if (!strcmp(obj->map_info[i].name, name)) {
			map = obj->maps[i];
			break;
		}
	}
	if (!map)
		return -ENOENT;
	bpf_map_inc_with_uref(map);
	fd = bpf_map_new_fd(map, f_flags);
	if (fd < 0)
		bpf_map_put_with_uref(map);
	return fd;
}
