// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_LOAD_FD: the sysfs tree of loader objects (/sys/kernel/bpf_loadfd,
 * root only) and the loader object's lifetime, which its kobject holds.
 */
#include <linux/bpf_verifier.h>
#include <linux/btf.h>
#include <linux/kernfs.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/vmalloc.h>

#include "loadfd_obj.h"

static struct kset *loadfd_kset;
DEFINE_IDA(loadfd_ida);

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

static ssize_t obj_overrides_show(struct kobject *kobj, struct kobj_attribute *a, char *buf)
{
	struct loadfd_obj *obj = container_of(kobj, struct loadfd_obj, kobj);

	return sysfs_emit(buf, "%u %*phN\n", obj->override_cnt, SHA256_DIGEST_SIZE,
			  obj->overrides_sha256);
}

static ssize_t obj_license_show(struct kobject *kobj, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%s\n", container_of(kobj, struct loadfd_obj, kobj)->license);
}

static struct kobj_attribute obj_attr_id = __ATTR(id, 0400, obj_id_show, NULL);
static struct kobj_attribute obj_attr_dev = __ATTR(dev, 0400, obj_dev_show, NULL);
static struct kobj_attribute obj_attr_ino = __ATTR(ino, 0400, obj_ino_show, NULL);
static struct kobj_attribute obj_attr_sha256 = __ATTR(sha256, 0400, obj_sha256_show, NULL);
static struct kobj_attribute obj_attr_license = __ATTR(license, 0400, obj_license_show, NULL);
static struct kobj_attribute obj_attr_overrides = __ATTR(overrides, 0400, obj_overrides_show, NULL);

static struct attribute *obj_attrs[] = {
	&obj_attr_id.attr, &obj_attr_dev.attr, &obj_attr_ino.attr,
	&obj_attr_sha256.attr, &obj_attr_license.attr, &obj_attr_overrides.attr, NULL,
};
ATTRIBUTE_GROUPS(obj);

#define PROG_SHOW(field, fmt)							\
static ssize_t prog_##field##_show(struct kobject *kobj, struct kobj_attribute *a, \
				   char *buf)					\
{										\
	return sysfs_emit(buf, fmt "\n",					\
			  container_of(kobj, struct loadfd_prog, kobj)->field);	\
}										\
static struct kobj_attribute prog_attr_##field = __ATTR(field, 0400, prog_##field##_show, NULL)

PROG_SHOW(section, "%s");
PROG_SHOW(attach_func, "%s");
PROG_SHOW(prog_type, "%u");
PROG_SHOW(expected_attach_type, "%u");
PROG_SHOW(insn_cnt, "%u");

static_assert(LOADFD_MAX_NAME_LEN == KSYM_NAME_LEN);
static_assert(sizeof(((struct bpf_loadfd_prog *)0)->sha256) == SHA256_DIGEST_SIZE);
/* Every id of a u32 and a separator fit a page, so nothing is ever cut. */
static_assert(LOADFD_MAX_LIVE_PROGS * 11 + 1 <= PAGE_SIZE);

static ssize_t prog_prog_ids_show(struct kobject *kobj, struct kobj_attribute *a, char *buf)
{
	struct loadfd_prog *p = container_of(kobj, struct loadfd_prog, kobj);
	struct bpf_loadfd_live *l;
	unsigned long flags;
	int len = 0;

	spin_lock_irqsave(&loadfd_live_lock, flags);
	list_for_each_entry(l, &p->live, node)
		len += sysfs_emit_at(buf, len, "%s%u", len ? " " : "", l->id);
	spin_unlock_irqrestore(&loadfd_live_lock, flags);
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}

static struct kobj_attribute prog_attr_prog_ids = __ATTR(prog_ids, 0400, prog_prog_ids_show, NULL);

/* Why the program cannot be loaded (it does not link), or nothing. */
static ssize_t prog_error_show(struct kobject *kobj, struct kobj_attribute *a, char *buf)
{
	struct loadfd_prog *p = container_of(kobj, struct loadfd_prog, kobj);

	return sysfs_emit(buf, "%s\n", p->load_err_msg ?: "");
}

static struct kobj_attribute prog_attr_error = __ATTR(error, 0400, prog_error_show, NULL);

static struct attribute *prog_attrs[] = {
	&prog_attr_section.attr, &prog_attr_attach_func.attr, &prog_attr_prog_type.attr,
	&prog_attr_expected_attach_type.attr, &prog_attr_insn_cnt.attr,
	&prog_attr_prog_ids.attr, &prog_attr_error.attr, NULL,
};
ATTRIBUTE_GROUPS(prog);

static ssize_t map_id_show(struct kobject *kobj, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%u\n", container_of(kobj, struct loadfd_map, kobj)->map->id);
}

static ssize_t map_origin_show(struct kobject *kobj, struct kobj_attribute *a, char *buf)
{
	struct loadfd_map *m = container_of(kobj, struct loadfd_map, kobj);

	const char *pinned = m->pinned ? ", pinned" : "";

	if (m->reused)
		return sysfs_emit(buf, "reused\n");
	if (m->resized)
		return sysfs_emit(buf, "resized %u (file: %u)%s\n", m->map->max_entries,
				  m->file_max_entries, pinned);
	return sysfs_emit(buf, "%s%s\n", m->created ? "created" : "supplied", pinned);
}

static struct kobj_attribute map_attr_id = __ATTR(id, 0400, map_id_show, NULL);
static struct kobj_attribute map_attr_origin = __ATTR(origin, 0400, map_origin_show, NULL);

static struct attribute *map_attrs[] = { &map_attr_id.attr, &map_attr_origin.attr, NULL };
ATTRIBUTE_GROUPS(map);

/* Programs loaded from @p outlive it: they only stop being listed. */
static void loadfd_prog_orphan_live(struct loadfd_prog *p)
{
	struct bpf_loadfd_live *l, *tmp;
	unsigned long flags;

	spin_lock_irqsave(&loadfd_live_lock, flags);
	list_for_each_entry_safe(l, tmp, &p->live, node) {
		list_del(&l->node);
		l->owner = NULL;
	}
	spin_unlock_irqrestore(&loadfd_live_lock, flags);
}

static void loadfd_obj_free(struct loadfd_obj *obj)
{
	u32 i;

	for (i = 0; i < obj->prog_cnt; i++) {
		loadfd_prog_orphan_live(&obj->progs[i]);
		cond_resched();
	}
	kvfree(obj->progs);
	kvfree(obj->prog_slots);
	for (i = 0; i < obj->map_cnt; i++) {
		kfree(obj->map_info[i].name);
		kvfree(obj->map_info[i].arena_init);
		cond_resched();
	}
	kvfree(obj->maps);
	kvfree(obj->map_info);
	kfree(obj->btfs);
	kfree(obj->license);
	if (obj->id >= 0)
		ida_free(&loadfd_ida, obj->id);
	/* Last: the maps and BTFs the object borrowed from its Rust half. */
	loadfd_rs_release(obj->rs);
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

struct loadfd_obj *loadfd_obj_alloc(void)
{
	struct loadfd_obj *obj = kzalloc(sizeof(*obj), LOADFD_GFP);

	if (!obj)
		return NULL;
	/* From here on the kobject owns the object: loadfd_obj_destroy() puts
	 * it whether or not it was ever added to sysfs.
	 */
	kobject_init(&obj->kobj, &loadfd_obj_ktype);
	mutex_init(&obj->arena_lock);
	obj->id = -1;
	return obj;
}

void loadfd_obj_init_children(struct loadfd_obj *obj)
{
	u32 i;

	/* Input-sized (within the core's caps): yield between slots. */
	for (i = 0; i < obj->prog_cap; i++) {
		kobject_init(&obj->progs[i].kobj, &loadfd_prog_ktype);
		cond_resched();
	}
	for (i = 0; i < obj->map_cap; i++) {
		kobject_init(&obj->map_info[i].kobj, &loadfd_map_ktype);
		cond_resched();
	}
}

void loadfd_obj_destroy(struct loadfd_obj *obj)
{
	u32 i;

	/* Every child kobject was initialised with its slot (in sysfs or not),
	 * and pins its parent only once added.
	 */
	for (i = 0; i < obj->prog_cap; i++) {
		kobject_put(&obj->progs[i].kobj);
		cond_resched();
	}
	for (i = 0; i < obj->map_cap; i++) {
		kobject_put(&obj->map_info[i].kobj);
		cond_resched();
	}
	kobject_put(obj->progs_dir);
	kobject_put(obj->maps_dir);
	/* Drops the last reference: loadfd_obj_release() frees everything. */
	kobject_put(&obj->kobj);
}

/*
 * Whether @name can be a new directory in @dir. The core refuses names that
 * are not identifiers and duplicate names first; this keeps sysfs from ever
 * rewriting a name or dumping a stack for a duplicate (sysfs_warn_dup()).
 */
static int loadfd_sysfs_name_ok(struct loadfd_obj *obj, struct kobject *dir,
				const char *what, const char *name)
{
	struct kernfs_node *kn;
	size_t len = strlen(name), i;
	bool odd = !len || len > NAME_MAX || !strcmp(name, ".") || !strcmp(name, "..");

	/* No '/' (sysfs would rewrite it) and nothing that breaks a listing. */
	for (i = 0; i < len && !odd; i++)
		odd = name[i] == '/' || iscntrl(name[i]);
	if (odd) {
		bpf_log(obj->log, "sysfs: a %s name of %zu bytes cannot be a directory name\n",
			what, len);
		return -EINVAL;
	}
	kn = kernfs_find_and_get(dir->sd, name);
	if (kn) {
		kernfs_put(kn);
		bpf_log(obj->log, "sysfs: duplicate %s name '%s'\n", what, name);
		return -EINVAL;
	}
	return 0;
}

/*
 * The object's directory. No uevent is sent: that would broadcast the new
 * loader object to every listener, and the directory is root-only.
 */
int loadfd_obj_register(struct loadfd_obj *obj)
{
	int err;
	u32 i;

	if (!loadfd_kset)
		return -ENODEV;
	obj->kobj.kset = loadfd_kset;
	err = kobject_add(&obj->kobj, NULL, "%d", obj->id);
	if (err)
		return err;
	obj->progs_dir = kobject_create_and_add("programs", &obj->kobj);
	obj->maps_dir = kobject_create_and_add("maps", &obj->kobj);
	if (!obj->progs_dir || !obj->maps_dir)
		return -ENOMEM;
	for (i = 0; i < obj->prog_cnt; i++) {
		err = loadfd_checkpoint();
		if (!err)
			err = loadfd_sysfs_name_ok(obj, obj->progs_dir, "program",
						   obj->progs[i].name);
		if (!err)
			err = kobject_add(&obj->progs[i].kobj, obj->progs_dir, "%s",
					  obj->progs[i].name);
		if (err)
			return err;
	}
	for (i = 0; i < obj->map_cnt; i++) {
		err = loadfd_checkpoint();
		if (!err)
			err = loadfd_sysfs_name_ok(obj, obj->maps_dir, "map",
						   obj->map_info[i].name);
		if (!err)
			err = kobject_add(&obj->map_info[i].kobj, obj->maps_dir, "%s",
					  obj->map_info[i].name);
		if (err)
			return err;
	}
	return 0;
}

static int __init loadfd_sysfs_init(void)
{
	/* Root only, like the ids it lists (BPF_*_GET_NEXT_ID need
	 * CAP_SYS_ADMIN): the names and provenance of every loader object.
	 */
	struct iattr ia = { .ia_valid = ATTR_MODE, .ia_mode = S_IFDIR | 0700 };
	int err;

	loadfd_kset = kset_create_and_add("bpf_loadfd", NULL, kernel_kobj);
	if (!loadfd_kset)
		return -ENOMEM;
	err = kernfs_setattr(loadfd_kset->kobj.sd, &ia);
	if (err) {
		kset_unregister(loadfd_kset);
		loadfd_kset = NULL;
	}
	return err;
}
subsys_initcall(loadfd_sysfs_init);
