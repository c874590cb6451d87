// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_LOAD_FD, C side.
 *
 * The syscall edge (permissions, the object fd, the read through
 * kernel_read_file() which runs the LSM hooks, the log buffer) and the kernel
 * objects a loader object is made of (maps, BTF, the anon-inode fd, its sysfs
 * directory, BPF_PROG_LOAD by name) have no Rust abstraction in 6.12, so they
 * live here. Everything about the object's bytes is decided in Rust
 * (loadfd_main.rs, load.rs and the core in core/).
 */
#include <crypto/sha2.h>
#include <linux/anon_inodes.h>
#include <linux/bpf.h>
#include <linux/bpf_loadfd.h>
#include <linux/bpf_verifier.h>
#include <linux/btf.h>
#include <linux/capability.h>
#include <linux/fdtable.h>
#include <linux/fs.h>
#include <linux/stat.h>
#include <linux/file.h>
#include <linux/idr.h>
#include <linux/kallsyms.h>
#include <linux/kernel_read_file.h>
#include <linux/kobject.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/vmalloc.h>
#include <linux/version.h>

#include "../tools/lib/bpf/relo_core.h"
#include "glue.h"

int kern_sys_bpf(int cmd, union bpf_attr *attr, unsigned int size);

struct loadfd_map {
	struct kobject kobj;		/* maps/<name> */
	struct bpf_map *map;		/* holds a reference and a uref */
	char *name;
	bool created;
};

struct loadfd_prog {
	struct kobject kobj;		/* programs/<name> */
	char *name;
	char *section;
	char *attach_func;
	char *attach_btf_name;		/* prefix + attach_func */
	u32 attach_btf_kind;
	u32 prog_type;
	u32 expected_attach_type;
	u32 prog_flags;
	bool sleepable;
	struct bpf_insn *insns;
	u32 insn_cnt;
	void *func_info;
	u32 func_info_cnt;
	u32 func_info_rec_size;
	void *line_info;
	u32 line_info_cnt;
	u32 line_info_rec_size;
	void *core_relos;
	u32 core_relo_cnt;
	u32 core_relo_rec_size;
	u32 *prog_ids;			/* programs loaded from it, under obj->lock */
	u32 prog_id_cnt;
};

struct loadfd_obj {
	struct kobject kobj;		/* /sys/kernel/bpf_loadfd/<id> */
	struct kobject *progs_dir;
	struct kobject *maps_dir;
	bool registered;
	int id;
	struct mutex lock;		/* protects programs' prog_ids */

	char *license;
	u32 kern_version;
	struct btf *btf;

	struct bpf_map **maps;		/* what MAP_IDX refers to */
	struct loadfd_map *map_info;
	u32 map_cnt;
	u32 map_cap;
	struct btf **btfs;		/* module BTFs, 1-based slots */
	u32 btf_cnt;
	struct loadfd_prog *progs;
	u32 prog_cnt;
	u32 prog_cap;

	dev_t dev;
	unsigned long ino;
	u8 sha256[SHA256_DIGEST_SIZE];

	/* Only valid during BPF_LOAD_FD. */
	struct bpf_verifier_log *log;
	int btf_fd;
	struct bpf_loadfd_map *umaps;
	bool *umap_used;
	u32 umap_cnt;
};

static struct kset *loadfd_kset;
static DEFINE_IDA(loadfd_ida);

void loadfd_log(struct bpf_verifier_log *log, const u8 *msg, size_t len)
{
	bpf_log(log, "%.*s\n", (int)min_t(size_t, len, 1024), msg);
}

/* ---- sysfs ------------------------------------------------------------ */

static ssize_t obj_id_show(struct kobject *kobj, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%d\n", container_of(kobj, struct loadfd_obj, kobj)->id);
}

static ssize_t obj_dev_show(struct kobject *kobj, struct kobj_attribute *a, char *buf)
{
	struct loadfd_obj *obj = container_of(kobj, struct loadfd_obj, kobj);

	return sysfs_emit(buf, "%u:%u\n", MAJOR(obj->dev), MINOR(obj->dev));
}

static ssize_t obj_ino_show(struct kobject *kobj, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%lu\n", container_of(kobj, struct loadfd_obj, kobj)->ino);
}

static ssize_t obj_sha256_show(struct kobject *kobj, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%*phN\n", SHA256_DIGEST_SIZE,
			  container_of(kobj, struct loadfd_obj, kobj)->sha256);
}

static ssize_t obj_license_show(struct kobject *kobj, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%s\n", container_of(kobj, struct loadfd_obj, kobj)->license);
}

static struct kobj_attribute obj_attr_id = __ATTR(id, 0444, obj_id_show, NULL);
static struct kobj_attribute obj_attr_dev = __ATTR(dev, 0444, obj_dev_show, NULL);
static struct kobj_attribute obj_attr_ino = __ATTR(ino, 0444, obj_ino_show, NULL);
static struct kobj_attribute obj_attr_sha256 = __ATTR(sha256, 0444, obj_sha256_show, NULL);
static struct kobj_attribute obj_attr_license = __ATTR(license, 0444, obj_license_show, NULL);

static struct attribute *obj_attrs[] = {
	&obj_attr_id.attr, &obj_attr_dev.attr, &obj_attr_ino.attr,
	&obj_attr_sha256.attr, &obj_attr_license.attr, NULL,
};
ATTRIBUTE_GROUPS(obj);

#define PROG_SHOW(field, fmt)							\
static ssize_t prog_##field##_show(struct kobject *kobj, struct kobj_attribute *a, \
				   char *buf)					\
{										\
	return sysfs_emit(buf, fmt "\n",					\
			  container_of(kobj, struct loadfd_prog, kobj)->field);	\
}										\
static struct kobj_attribute prog_attr_##field = __ATTR(field, 0444, prog_##field##_show, NULL)

PROG_SHOW(section, "%s");
PROG_SHOW(attach_func, "%s");
PROG_SHOW(prog_type, "%u");
PROG_SHOW(expected_attach_type, "%u");
PROG_SHOW(insn_cnt, "%u");

static ssize_t prog_prog_ids_show(struct kobject *kobj, struct kobj_attribute *a, char *buf)
{
	struct loadfd_prog *p = container_of(kobj, struct loadfd_prog, kobj);
	struct loadfd_obj *obj = container_of(kobj->parent->parent, struct loadfd_obj, kobj);
	int len = 0;
	u32 i;

	mutex_lock(&obj->lock);
	for (i = 0; i < p->prog_id_cnt; i++)
		len += sysfs_emit_at(buf, len, "%s%u", i ? " " : "", p->prog_ids[i]);
	mutex_unlock(&obj->lock);
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}

static struct kobj_attribute prog_attr_prog_ids = __ATTR(prog_ids, 0444, prog_prog_ids_show, NULL);

static struct attribute *prog_attrs[] = {
	&prog_attr_section.attr, &prog_attr_attach_func.attr, &prog_attr_prog_type.attr,
	&prog_attr_expected_attach_type.attr, &prog_attr_insn_cnt.attr,
	&prog_attr_prog_ids.attr, NULL,
};
ATTRIBUTE_GROUPS(prog);

static ssize_t map_id_show(struct kobject *kobj, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%u\n", container_of(kobj, struct loadfd_map, kobj)->map->id);
}

static ssize_t map_origin_show(struct kobject *kobj, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%s\n", container_of(kobj, struct loadfd_map, kobj)->created ?
			  "created" : "supplied");
}

static struct kobj_attribute map_attr_id = __ATTR(id, 0444, map_id_show, NULL);
static struct kobj_attribute map_attr_origin = __ATTR(origin, 0444, map_origin_show, NULL);

static struct attribute *map_attrs[] = { &map_attr_id.attr, &map_attr_origin.attr, NULL };
ATTRIBUTE_GROUPS(map);

static void loadfd_obj_free(struct loadfd_obj *obj)
{
	u32 i;

	for (i = 0; i < obj->prog_cnt; i++) {
		struct loadfd_prog *p = &obj->progs[i];

		kfree(p->name);
		kfree(p->section);
		kfree(p->attach_func);
		kfree(p->attach_btf_name);
		kvfree(p->insns);
		kvfree(p->func_info);
		kvfree(p->line_info);
		kvfree(p->core_relos);
		kfree(p->prog_ids);
	}
	kvfree(obj->progs);
	for (i = 0; i < obj->map_cnt; i++) {
		bpf_map_put_with_uref(obj->maps[i]);
		kfree(obj->map_info[i].name);
	}
	kvfree(obj->maps);
	kvfree(obj->map_info);
	for (i = 0; i < obj->btf_cnt; i++)
		btf_put(obj->btfs[i]);
	kfree(obj->btfs);
	btf_put(obj->btf);
	kfree(obj->license);
	if (obj->id >= 0)
		ida_free(&loadfd_ida, obj->id);
	kfree(obj);
}

/* Children are embedded in arrays freed with the object: their release has
 * nothing to do. The object's release runs once the children (which pin their
 * parents) are gone.
 */
static void loadfd_child_release(struct kobject *kobj)
{
}

static void loadfd_obj_release(struct kobject *kobj)
{
	loadfd_obj_free(container_of(kobj, struct loadfd_obj, kobj));
}

static const struct kobj_type loadfd_obj_ktype = {
	.release = loadfd_obj_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = obj_groups,
};

static const struct kobj_type loadfd_prog_ktype = {
	.release = loadfd_child_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = prog_groups,
};

static const struct kobj_type loadfd_map_ktype = {
	.release = loadfd_child_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = map_groups,
};

static void loadfd_obj_unregister(struct loadfd_obj *obj)
{
	u32 i;

	for (i = 0; i < obj->prog_cnt; i++)
		if (obj->progs[i].kobj.state_initialized)
			kobject_put(&obj->progs[i].kobj);
	for (i = 0; i < obj->map_cnt; i++)
		if (obj->map_info[i].kobj.state_initialized)
			kobject_put(&obj->map_info[i].kobj);
	kobject_put(obj->progs_dir);
	kobject_put(obj->maps_dir);
	/* Drops the last reference: loadfd_obj_release() frees everything. */
	kobject_put(&obj->kobj);
}

static int loadfd_obj_register(struct loadfd_obj *obj)
{
	int err;
	u32 i;

	obj->kobj.kset = loadfd_kset;
	err = kobject_init_and_add(&obj->kobj, &loadfd_obj_ktype, NULL, "%d", obj->id);
	obj->registered = true;
	if (err)
		return err;
	obj->progs_dir = kobject_create_and_add("programs", &obj->kobj);
	obj->maps_dir = kobject_create_and_add("maps", &obj->kobj);
	if (!obj->progs_dir || !obj->maps_dir)
		return -ENOMEM;
	for (i = 0; i < obj->prog_cnt; i++) {
		err = kobject_init_and_add(&obj->progs[i].kobj, &loadfd_prog_ktype,
					   obj->progs_dir, "%s", obj->progs[i].name);
		if (err)
			return err;
	}
	for (i = 0; i < obj->map_cnt; i++) {
		err = kobject_init_and_add(&obj->map_info[i].kobj, &loadfd_map_ktype,
					   obj->maps_dir, "%s", obj->map_info[i].name);
		if (err)
			return err;
	}
	kobject_uevent(&obj->kobj, KOBJ_ADD);
	return 0;
}

static void loadfd_obj_destroy(struct loadfd_obj *obj)
{
	if (obj->registered)
		loadfd_obj_unregister(obj);
	else
		loadfd_obj_free(obj);
}

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

static const struct file_operations loadfd_fops = {
	.release = loadfd_release,
	.show_fdinfo = loadfd_show_fdinfo,
};

/* ---- building the object (called from Rust) ---------------------------- */

/* A NUL-terminated copy of a (ptr, len) name from Rust. */
static char *loadfd_strdup(const u8 *s, u32 len)
{
	return kmemdup_nul(s, len, GFP_KERNEL);
}

int loadfd_obj_set_meta(struct loadfd_obj *obj, const u8 *license, u32 license_len,
			u32 kern_version)
{
	obj->license = loadfd_strdup(license, min_t(u32, license_len, 127));
	obj->kern_version = kern_version;
	return obj->license ? 0 : -ENOMEM;
}

int loadfd_obj_load_btf(struct loadfd_obj *obj, const void *data, u32 size)
{
	union bpf_attr attr = {};
	int fd;

	/* The full BPF_BTF_LOAD path, with a kernel pointer: the kernel's own
	 * BTF verifier checks the object's BTF, nothing is parsed loosely.
	 */
	attr.btf = (u64)(unsigned long)data;
	attr.btf_size = size;
	fd = kern_sys_bpf(BPF_BTF_LOAD, &attr, sizeof(attr));
	if (fd < 0) {
		bpf_log(obj->log, "btf: the kernel's BTF verifier rejected the object's BTF (%d)\n",
			fd);
		return fd;
	}
	obj->btf = btf_get_by_fd(fd);
	if (IS_ERR(obj->btf)) {
		int err = PTR_ERR(obj->btf);

		obj->btf = NULL;
		close_fd(fd);
		return err;
	}
	/* Kept open until BPF_LOAD_FD returns: BPF_MAP_CREATE takes BTF by fd. */
	obj->btf_fd = fd;
	return 0;
}

static bool loadfd_map_compatible(const struct bpf_map *map, const struct loadfd_map_spec *s)
{
	return map->map_type == s->map_type && map->key_size == s->key_size &&
	       map->value_size == s->value_size && map->max_entries == s->max_entries &&
	       map->map_flags == s->map_flags && map->map_extra == s->map_extra;
}

/* Copies @name into a BPF_OBJ_NAME_LEN map/prog name: only the characters
 * bpf_obj_name_cpy() accepts, the rest become '_'.
 */
static void loadfd_obj_name(char *dst, const char *name)
{
	size_t i;

	for (i = 0; i < BPF_OBJ_NAME_LEN - 1 && name[i]; i++)
		dst[i] = isalnum(name[i]) || name[i] == '_' || name[i] == '.' ? name[i] : '_';
	dst[i] = 0;
}

static int loadfd_map_create(struct loadfd_obj *obj, const struct loadfd_map_spec *s,
			     const char *name)
{
	union bpf_attr attr = {};
	int inner_fd = -1, fd;

	if (s->inner) {
		/* The inner map is only a template for BPF_MAP_CREATE. */
		inner_fd = loadfd_map_create(obj, s->inner, name);
		if (inner_fd < 0)
			return inner_fd;
	}
	attr.map_type = s->map_type;
	attr.key_size = s->key_size;
	attr.value_size = s->value_size;
	attr.max_entries = s->max_entries;
	attr.map_flags = s->map_flags;
	attr.numa_node = s->numa_node;
	attr.map_extra = s->map_extra;
	if (inner_fd >= 0)
		attr.inner_map_fd = inner_fd;
	if (obj->btf_fd >= 0 && (s->btf_key_type_id || s->btf_value_type_id)) {
		attr.btf_fd = obj->btf_fd;
		attr.btf_key_type_id = s->btf_key_type_id;
		attr.btf_value_type_id = s->btf_value_type_id;
	}
	loadfd_obj_name(attr.map_name, name);
	fd = kern_sys_bpf(BPF_MAP_CREATE, &attr, sizeof(attr));
	if (inner_fd >= 0)
		close_fd(inner_fd);
	if (fd < 0)
		bpf_log(obj->log, "maps: '%s': BPF_MAP_CREATE failed (%d)\n", name, fd);
	return fd;
}

/* Key 0 gets the initial bytes of a global data map; then it may be frozen. */
static int loadfd_map_init(struct loadfd_obj *obj, int fd, const struct loadfd_map_spec *s,
			   const char *name)
{
	union bpf_attr attr = {};
	u32 key = 0;
	int err;

	if (s->init_data) {
		if (s->init_size != s->value_size) {
			bpf_log(obj->log, "maps: '%s': %u initial bytes for a %u byte value\n",
				name, s->init_size, s->value_size);
			return -EINVAL;
		}
		attr.map_fd = fd;
		attr.key = (u64)(unsigned long)&key;
		attr.value = (u64)(unsigned long)s->init_data;
		err = kern_sys_bpf(BPF_MAP_UPDATE_ELEM, &attr, sizeof(attr));
		if (err) {
			bpf_log(obj->log, "maps: '%s': writing initial data failed (%d)\n",
				name, err);
			return err;
		}
	}
	if (s->freeze) {
		memset(&attr, 0, sizeof(attr));
		attr.map_fd = fd;
		err = kern_sys_bpf(BPF_MAP_FREEZE, &attr, sizeof(attr));
		if (err) {
			bpf_log(obj->log, "maps: '%s': freezing failed (%d)\n", name, err);
			return err;
		}
	}
	return 0;
}

int loadfd_obj_reserve(struct loadfd_obj *obj, u32 map_cnt, u32 prog_cnt)
{
	if (obj->maps || obj->progs)
		return -EINVAL;
	obj->maps = kvcalloc(map_cnt, sizeof(*obj->maps), GFP_KERNEL_ACCOUNT);
	obj->map_info = kvcalloc(map_cnt, sizeof(*obj->map_info), GFP_KERNEL_ACCOUNT);
	obj->progs = kvcalloc(prog_cnt, sizeof(*obj->progs), GFP_KERNEL_ACCOUNT);
	obj->btfs = kcalloc(LOADFD_MAX_MODULE_BTFS, sizeof(*obj->btfs), GFP_KERNEL_ACCOUNT);
	if ((map_cnt && (!obj->maps || !obj->map_info)) || (prog_cnt && !obj->progs) ||
	    !obj->btfs)
		return -ENOMEM;
	obj->map_cap = map_cnt;
	obj->prog_cap = prog_cnt;
	return 0;
}

int loadfd_obj_add_map(struct loadfd_obj *obj, const struct loadfd_map_spec *s)
{
	struct loadfd_map *info;
	struct bpf_map *map = NULL;
	bool created = false;
	char *name;
	int err, fd;
	u32 i;

	if (obj->map_cnt >= obj->map_cap)
		return -EINVAL;
	info = &obj->map_info[obj->map_cnt];
	name = loadfd_strdup(s->name, s->name_len);
	if (!name)
		return -ENOMEM;
	for (i = 0; i < obj->umap_cnt; i++) {
		if (strncmp(obj->umaps[i].name, name, BPF_LOADFD_NAME_LEN))
			continue;
		map = bpf_map_get_with_uref(obj->umaps[i].fd);
		if (IS_ERR(map)) {
			bpf_log(obj->log, "maps: '%s': supplied fd %u is not a map\n", name,
				obj->umaps[i].fd);
			err = PTR_ERR(map);
			goto err_name;
		}
		if (!loadfd_map_compatible(map, s)) {
			bpf_log(obj->log,
				"maps: '%s': supplied map (type %u key %u value %u max %u flags 0x%x) does not match the object (type %u key %u value %u max %u flags 0x%x)\n",
				name, map->map_type, map->key_size, map->value_size,
				map->max_entries, map->map_flags, s->map_type, s->key_size,
				s->value_size, s->max_entries, s->map_flags);
			bpf_map_put_with_uref(map);
			err = -EINVAL;
			goto err_name;
		}
		obj->umap_used[i] = true;
		break;
	}
	if (!map) {
		fd = loadfd_map_create(obj, s, name);
		if (fd < 0) {
			err = fd;
			goto err_name;
		}
		err = loadfd_map_init(obj, fd, s, name);
		if (!err) {
			/* Bound by reference from here on; the fd only served the
			 * bpf() calls above.
			 */
			map = bpf_map_get_with_uref(fd);
			if (IS_ERR(map))
				err = PTR_ERR(map);
		}
		close_fd(fd);
		if (err)
			goto err_name;
		created = true;
	}
	obj->maps[obj->map_cnt] = map;
	info->map = map;
	info->name = name;
	info->created = created;
	return obj->map_cnt++;

err_name:
	kfree(name);
	return err;
}

int loadfd_obj_set_map_slot(struct loadfd_obj *obj, u32 map_idx, u32 slot, u32 target_map_idx)
{
	union bpf_attr attr = {};
	int outer_fd, inner_fd, err;

	if (map_idx >= obj->map_cnt || target_map_idx >= obj->map_cnt)
		return -EINVAL;
	/* BPF_MAP_UPDATE_ELEM of a map-in-map takes fds: lend both maps one for
	 * the duration of the call.
	 */
	bpf_map_inc_with_uref(obj->maps[map_idx]);
	outer_fd = bpf_map_new_fd(obj->maps[map_idx], O_RDWR | O_CLOEXEC);
	if (outer_fd < 0) {
		bpf_map_put_with_uref(obj->maps[map_idx]);
		return outer_fd;
	}
	bpf_map_inc_with_uref(obj->maps[target_map_idx]);
	inner_fd = bpf_map_new_fd(obj->maps[target_map_idx], O_RDWR | O_CLOEXEC);
	if (inner_fd < 0) {
		bpf_map_put_with_uref(obj->maps[target_map_idx]);
		close_fd(outer_fd);
		return inner_fd;
	}
	attr.map_fd = outer_fd;
	attr.key = (u64)(unsigned long)&slot;
	attr.value = (u64)(unsigned long)&inner_fd;
	err = kern_sys_bpf(BPF_MAP_UPDATE_ELEM, &attr, sizeof(attr));
	if (err)
		bpf_log(obj->log, "maps: '%s': setting slot %u to map '%s' failed (%d)\n",
			obj->map_info[map_idx].name, slot, obj->map_info[target_map_idx].name,
			err);
	close_fd(inner_fd);
	close_fd(outer_fd);
	return err;
}

static void *loadfd_dup(const void *p, size_t n)
{
	return n ? kvmemdup(p, n, GFP_KERNEL_ACCOUNT) : NULL;
}

int loadfd_obj_add_prog(struct loadfd_obj *obj, const struct loadfd_prog_spec *s)
{
	struct loadfd_prog *p;

	if (obj->prog_cnt >= obj->prog_cap)
		return -EINVAL;
	p = &obj->progs[obj->prog_cnt];

	p->name = loadfd_strdup(s->name, s->name_len);
	p->section = loadfd_strdup(s->section, s->section_len);
	p->attach_func = loadfd_strdup(s->attach_func, s->attach_func_len);
	p->attach_btf_name = kasprintf(GFP_KERNEL, "%.*s%.*s", (int)s->attach_prefix_len,
				       s->attach_prefix, (int)s->attach_func_len, s->attach_func);
	p->attach_btf_kind = s->attach_btf_kind;
	p->prog_type = s->prog_type;
	p->expected_attach_type = s->expected_attach_type;
	p->prog_flags = s->prog_flags;
	p->sleepable = s->sleepable;
	p->insn_cnt = s->insn_cnt;
	p->insns = loadfd_dup(s->insns, (size_t)s->insn_cnt * sizeof(struct bpf_insn));
	p->func_info_cnt = s->func_info_cnt;
	p->func_info_rec_size = s->func_info_rec_size;
	p->func_info = loadfd_dup(s->func_info, (size_t)s->func_info_cnt * s->func_info_rec_size);
	p->line_info_cnt = s->line_info_cnt;
	p->line_info_rec_size = s->line_info_rec_size;
	p->line_info = loadfd_dup(s->line_info, (size_t)s->line_info_cnt * s->line_info_rec_size);
	p->core_relo_cnt = s->core_relo_cnt;
	p->core_relo_rec_size = s->core_relo_rec_size;
	p->core_relos = loadfd_dup(s->core_relos,
				   (size_t)s->core_relo_cnt * s->core_relo_rec_size);
	/* Counted before the checks so loadfd_obj_free() frees what was copied. */
	obj->prog_cnt++;
	if (!p->name || !p->section || !p->attach_func || !p->attach_btf_name ||
	    (s->insn_cnt && !p->insns) ||
	    (s->func_info_cnt && !p->func_info) || (s->line_info_cnt && !p->line_info) ||
	    (s->core_relo_cnt && !p->core_relos))
		return -ENOMEM;
	return 0;
}

const u8 *loadfd_kconfig_text(size_t *len)
{
	*len = loadfd_config_data_end - loadfd_config_data;
	return loadfd_config_data;
}

/* LINUX_KERNEL_VERSION for .kconfig externs is, by definition, this. */
u32 loadfd_kernel_version(void)
{
	return LINUX_VERSION_CODE;
}

bool loadfd_has_syscall_wrapper(void)
{
	return IS_ENABLED(CONFIG_ARCH_HAS_SYSCALL_WRAPPER);
}

/* Copies a (ptr, len) name from Rust into @buf as a C string; false if it
 * does not fit.
 */
static bool loadfd_cstr(char buf[KSYM_NAME_LEN], const u8 *name, size_t len)
{
	if (len >= KSYM_NAME_LEN)
		return false;
	memcpy(buf, name, len);
	buf[len] = 0;
	return true;
}

s32 loadfd_btf_find(struct loadfd_obj *obj, const u8 *name, size_t len, u32 kind,
		    u32 local_type_id, u32 *slot)
{
	const struct btf_type *t;
	char buf[KSYM_NAME_LEN];
	struct btf *btf;
	s32 id;
	u32 i;

	if (!loadfd_cstr(buf, name, len))
		return -ENOENT;
	/* vmlinux first, then modules; takes a reference on the BTF found. */
	id = bpf_find_btf_id(buf, kind, &btf);
	if (id < 0)
		return -ENOENT;
	/* Like libbpf: the object's declaration must match the kernel's type
	 * (the variable's type, or the function's prototype).
	 */
	t = btf_type_by_id(btf, id);
	if (obj->btf && local_type_id && t &&
	    bpf_core_types_are_compat(obj->btf, local_type_id, btf, t->type) <= 0) {
		bpf_log(obj->log, "externs: '%s': the object's type does not match the kernel's\n",
			buf);
		btf_put(btf);
		return -ENOENT;
	}
	if (!btf_is_module(btf)) {
		btf_put(btf);
		*slot = 0;
		return id;
	}
	for (i = 0; i < obj->btf_cnt; i++) {
		if (obj->btfs[i] == btf) {
			btf_put(btf);
			*slot = i + 1;
			return id;
		}
	}
	if (!obj->btfs || obj->btf_cnt >= LOADFD_MAX_MODULE_BTFS) {
		btf_put(btf);
		bpf_log(obj->log, "externs: more than %u module BTFs\n", LOADFD_MAX_MODULE_BTFS);
		return -E2BIG;
	}
	/* The loader keeps the module's BTF (not the module) alive. */
	obj->btfs[obj->btf_cnt++] = btf;
	*slot = obj->btf_cnt;
	return id;
}

static int loadfd_kallsyms_seen(void *data, unsigned long addr)
{
	*(bool *)data = true;
	return 1;
}

bool loadfd_kallsyms(const u8 *name, size_t len, u64 *addr)
{
	char buf[KSYM_NAME_LEN];
	bool seen = false;

	if (!loadfd_cstr(buf, name, len))
		return false;
	*addr = kallsyms_lookup_name(buf);
	if (*addr)
		return true;
	/* 0 is also a real address (per-cpu symbols such as __per_cpu_start). */
	kallsyms_on_each_match_symbol(loadfd_kallsyms_seen, buf, &seen);
	return seen;
}

/* ---- BPF_LOAD_FD --------------------------------------------------------- */

static ssize_t loadfd_read_obj(struct loadfd_obj *obj, int fd, void **buf)
{
	CLASS(fd, f)(fd);
	struct kstat st;
	ssize_t n;
	int err;

	if (fd_empty(f)) {
		bpf_log(obj->log, "obj_fd %d: not an open file descriptor\n", fd);
		return -EBADF;
	}
	n = kernel_read_file(fd_file(f), 0, buf, LOADFD_MAX_OBJ_SIZE, NULL,
			     READING_BPF_OBJECT);
	switch (n) {
	case -EFBIG:
		bpf_log(obj->log, "obj_fd %d: object larger than %u bytes\n", fd,
			LOADFD_MAX_OBJ_SIZE);
		return -E2BIG;
	case -EINVAL:
		bpf_log(obj->log, "obj_fd %d: not a readable regular file\n", fd);
		return -EINVAL;
	case -EBADF:
		bpf_log(obj->log, "obj_fd %d: not opened for reading\n", fd);
		return -EBADF;
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
	struct bpf_token *token = NULL;
	bool cap;

	if (attr->load_fd.flags & ~BPF_F_TOKEN_FD) {
		bpf_log(log, "flags 0x%x: unknown flags\n", attr->load_fd.flags);
		return -EINVAL;
	}
	if (attr->load_fd.flags & BPF_F_TOKEN_FD) {
		token = bpf_token_get_from_fd(attr->load_fd.token_fd);
		if (IS_ERR(token)) {
			bpf_log(log, "token_fd %d: not a BPF token\n", attr->load_fd.token_fd);
			return PTR_ERR(token);
		}
		/* A token that does not delegate BPF_LOAD_FD grants nothing. */
		if (!bpf_token_allow_cmd(token, BPF_LOAD_FD)) {
			bpf_token_put(token);
			token = NULL;
		}
	} else if (attr->load_fd.token_fd) {
		bpf_log(log, "token_fd set without BPF_F_TOKEN_FD\n");
		return -EINVAL;
	}
	/* Same rule as BPF_PROG_LOAD for privileged program types. */
	cap = bpf_token_capable(token, CAP_BPF);
	bpf_token_put(token);
	if (!cap) {
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
	obj->umaps = kvcalloc(cnt, sizeof(*obj->umaps), GFP_KERNEL);
	obj->umap_used = kcalloc(cnt, sizeof(*obj->umap_used), GFP_KERNEL);
	if (!obj->umaps || !obj->umap_used)
		return -ENOMEM;
	if (copy_from_bpfptr(obj->umaps, make_bpfptr(attr->load_fd.maps, uattr.is_kernel),
			     cnt * sizeof(*obj->umaps)))
		return -EFAULT;
	obj->umap_cnt = cnt;
	for (i = 0; i < cnt; i++) {
		if (obj->umaps[i].flags) {
			bpf_log(obj->log, "maps[%u]: flags must be zero\n", i);
			return -EINVAL;
		}
		if (!memchr(obj->umaps[i].name, 0, BPF_LOADFD_NAME_LEN) || !obj->umaps[i].name[0]) {
			bpf_log(obj->log, "maps[%u]: name is empty or not NUL-terminated\n", i);
			return -EINVAL;
		}
	}
	return 0;
}

int bpf_loadfd_create(const union bpf_attr *attr, bpfptr_t uattr, u32 uattr_size)
{
	struct bpf_verifier_log *log;
	struct loadfd_obj *obj;
	u32 log_true_size, i;
	void *buf = NULL;
	int ret, err, fd;
	ssize_t n;

	/* The log is large; keep it off the stack like bpf_check() does. */
	log = kzalloc(sizeof(*log), GFP_KERNEL);
	obj = kzalloc(sizeof(*obj), GFP_KERNEL_ACCOUNT);
	if (!log || !obj) {
		kfree(log);
		kfree(obj);
		return -ENOMEM;
	}
	obj->id = -1;
	obj->btf_fd = -1;
	obj->log = log;
	mutex_init(&obj->lock);
	ret = bpf_vlog_init(log, attr->load_fd.log_level,
			    u64_to_user_ptr(attr->load_fd.log_buf),
			    attr->load_fd.log_size);
	if (ret) {
		kfree(log);
		loadfd_obj_free(obj);
		return ret;
	}

	ret = loadfd_check_perm(attr, log);
	if (ret)
		goto out;
	ret = loadfd_copy_umaps(obj, attr, uattr);
	if (ret)
		goto out;
	n = loadfd_read_obj(obj, attr->load_fd.obj_fd, &buf);
	if (n < 0) {
		ret = n;
		goto out;
	}
	sha256(buf, n, obj->sha256);
	ret = loadfd_rs_create(buf, n, log, obj);
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
	ret = ida_alloc(&loadfd_ida, GFP_KERNEL);
	if (ret < 0)
		goto out;
	obj->id = ret;
	ret = loadfd_obj_register(obj);
	if (ret) {
		bpf_log(log, "sysfs: registering the loader object failed (%d)\n", ret);
		goto out;
	}
out:
	/* Every rejection has a reason in the log; this covers the few paths
	 * (allocation failures, internal checks) that have nothing to add.
	 */
	if (ret && !log->end_pos)
		bpf_log(log, "BPF_LOAD_FD: %s (%d)\n",
			ret == -ENOMEM ? "out of memory" : "failed", ret);
	if (obj->btf_fd >= 0)
		close_fd(obj->btf_fd);
	obj->btf_fd = -1;
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
	if (ret) {
		loadfd_obj_destroy(obj);
		return ret;
	}
	fd = anon_inode_getfd("bpf-loadfd", &loadfd_fops, obj, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		loadfd_obj_destroy(obj);
	return fd;
}

/* ---- BPF_PROG_LOAD by name ----------------------------------------------- */

/* Loader programs take these from the object; a caller setting them would
 * contradict it.
 */
static bool loadfd_attr_contradicts(const union bpf_attr *attr, const struct loadfd_prog *p)
{
	return attr->insn_cnt || attr->insns || attr->license || attr->kern_version ||
	       attr->prog_btf_fd || attr->func_info_rec_size || attr->func_info ||
	       attr->func_info_cnt || attr->line_info_rec_size || attr->line_info ||
	       attr->line_info_cnt || attr->core_relo_cnt || attr->core_relos ||
	       attr->core_relo_rec_size || attr->fd_array ||
	       (attr->prog_type && attr->prog_type != p->prog_type) ||
	       (attr->expected_attach_type &&
		attr->expected_attach_type != p->expected_attach_type);
}

/* BTF id of the attach target the SEC name names (fentry/<func>: FUNC
 * <func>; tp_btf/<tp>: TYPEDEF btf_trace_<tp>; lsm/<hook>: FUNC
 * bpf_lsm_<hook>; the core's SEC table says which), in vmlinux and then in
 * module BTF like libbpf. A module's BTF is returned, with a reference, in
 * *@mod_btf.
 */
static s32 loadfd_attach_btf_id(const struct loadfd_prog *p, struct btf **mod_btf)
{
	struct btf *btf;
	s32 id;

	*mod_btf = NULL;
	id = bpf_find_btf_id(p->attach_btf_name, p->attach_btf_kind, &btf);
	if (id < 0)
		return id;
	if (btf_is_module(btf))
		*mod_btf = btf;
	else
		btf_put(btf);
	return id;
}

/* Writes the reason for a BPF_PROG_LOAD-by-name rejection that happens before
 * the verifier (which has its own log) to the caller's log buffer.
 */
static __printf(5, 6) int loadfd_prog_reject(const union bpf_attr *attr, bpfptr_t uattr,
					     u32 uattr_size, int err, const char *fmt, ...)
{
	struct bpf_verifier_log *log;
	u32 true_size;
	va_list args;

	log = kzalloc(sizeof(*log), GFP_KERNEL);
	if (log && !bpf_vlog_init(log, attr->log_level, u64_to_user_ptr(attr->log_buf),
				  attr->log_size)) {
		va_start(args, fmt);
		bpf_verifier_vlog(log, fmt, args);
		va_end(args);
		bpf_vlog_finalize(log, &true_size);
		if (uattr_size >= offsetofend(union bpf_attr, log_true_size))
			copy_to_bpfptr_offset(uattr, offsetof(union bpf_attr, log_true_size),
					      &true_size, sizeof(true_size));
	}
	kfree(log);
	return err;
}

int bpf_loadfd_prog_load(const union bpf_attr *attr, bpfptr_t uattr, u32 uattr_size)
{
	struct bpf_loadfd_prog lp = {};
	struct loadfd_prog *p = NULL;
	struct loadfd_obj *obj;
	union bpf_attr *kattr;
	char name[KSYM_NAME_LEN];
	u32 *ids, i;
	long len;
	int ret;

	CLASS(fd, f)(attr->loader_fd);

	if (fd_empty(f))
		return loadfd_prog_reject(attr, uattr, uattr_size, -EBADF,
					  "loader_fd %u: not an open file descriptor\n",
					  attr->loader_fd);
	/* Never trust private_data of a file that is not a loader object. */
	if (fd_file(f)->f_op != &loadfd_fops)
		return loadfd_prog_reject(attr, uattr, uattr_size, -EINVAL,
					  "loader_fd %u: not a BPF_LOAD_FD loader object\n",
					  attr->loader_fd);
	obj = fd_file(f)->private_data;
	len = strncpy_from_bpfptr(name, make_bpfptr(attr->loader_prog_name, uattr.is_kernel),
				  sizeof(name));
	if (len < 0)
		return loadfd_prog_reject(attr, uattr, uattr_size, -EFAULT,
					  "loader_prog_name: bad address\n");
	if (len == sizeof(name))
		return loadfd_prog_reject(attr, uattr, uattr_size, -E2BIG,
					  "loader_prog_name: longer than %zu bytes\n",
					  sizeof(name) - 1);
	for (i = 0; i < obj->prog_cnt; i++) {
		if (!strcmp(obj->progs[i].name, name)) {
			p = &obj->progs[i];
			break;
		}
	}
	if (!p)
		return loadfd_prog_reject(attr, uattr, uattr_size, -ENOENT,
					  "loader %d has no program '%s'\n", obj->id, name);
	if (loadfd_attr_contradicts(attr, p))
		return loadfd_prog_reject(attr, uattr, uattr_size, -EINVAL,
					  "prog '%s': attr sets fields the loader object provides (insns, license, BTF, func/line info, CO-RE records, fd_array, or a different type)\n",
					  name);

	kattr = kmemdup(attr, sizeof(*attr), GFP_KERNEL);
	if (!kattr)
		return loadfd_prog_reject(attr, uattr, uattr_size, -ENOMEM,
					  "prog '%s': out of memory\n", name);
	kattr->prog_type = p->prog_type;
	kattr->expected_attach_type = p->expected_attach_type;
	kattr->insns = (u64)(unsigned long)p->insns;
	kattr->insn_cnt = p->insn_cnt;
	kattr->license = (u64)(unsigned long)obj->license;
	kattr->kern_version = obj->kern_version;
	kattr->func_info = (u64)(unsigned long)p->func_info;
	kattr->func_info_cnt = p->func_info_cnt;
	kattr->func_info_rec_size = p->func_info_rec_size;
	kattr->line_info = (u64)(unsigned long)p->line_info;
	kattr->line_info_cnt = p->line_info_cnt;
	kattr->line_info_rec_size = p->line_info_rec_size;
	kattr->core_relos = (u64)(unsigned long)p->core_relos;
	kattr->core_relo_cnt = p->core_relo_cnt;
	kattr->core_relo_rec_size = p->core_relo_rec_size;
	/* Kept set (as a kernel pointer) so LSMs can see where it came from. */
	kattr->loader_prog_name = (u64)(unsigned long)p->name;
	kattr->prog_flags |= p->prog_flags;
	if (p->sleepable)
		kattr->prog_flags |= BPF_F_SLEEPABLE;
	if (!kattr->prog_name[0])
		loadfd_obj_name(kattr->prog_name, p->name);
	if (!kattr->attach_btf_id && !kattr->attach_prog_fd && p->attach_btf_kind &&
	    p->attach_func[0]) {
		ret = loadfd_attach_btf_id(p, &lp.attach_btf);
		if (ret < 0) {
			loadfd_prog_reject(attr, uattr, uattr_size, ret,
					   "prog '%s': attach target '%s' not found in vmlinux or module BTF\n",
					   name, p->attach_btf_name);
			goto out;
		}
		kattr->attach_btf_id = ret;
	}

	lp.maps = obj->maps;
	lp.map_cnt = obj->map_cnt;
	lp.btf = obj->btf;
	lp.btfs = obj->btfs;
	lp.btf_cnt = obj->btf_cnt;
	ret = bpf_prog_load_from_loader(kattr, sizeof(*kattr), &lp);

	if (uattr_size >= offsetofend(union bpf_attr, log_true_size) &&
	    copy_to_bpfptr_offset(uattr, offsetof(union bpf_attr, log_true_size),
				  &kattr->log_true_size, sizeof(kattr->log_true_size))) {
		/* Same as bpf_prog_load(): the program exists, the fd is the caller's. */
		if (ret >= 0)
			close_fd(ret);
		ret = -EFAULT;
	}
	if (ret >= 0 && lp.prog_id) {
		mutex_lock(&obj->lock);
		ids = krealloc_array(p->prog_ids, p->prog_id_cnt + 1, sizeof(*ids), GFP_KERNEL);
		if (ids) {
			ids[p->prog_id_cnt++] = lp.prog_id;
			p->prog_ids = ids;
		}
		mutex_unlock(&obj->lock);
	}
out:
	btf_put(lp.attach_btf);
	kfree(kattr);
	return ret;
}

int loadfd_glue_init(void)
{
	loadfd_kset = kset_create_and_add("bpf_loadfd", NULL, kernel_kobj);
	return loadfd_kset ? 0 : -ENOMEM;
}
