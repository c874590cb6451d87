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
#include <linux/cpumask.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/filter.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/kallsyms.h>
#include <linux/kernel_read_file.h>
#include <linux/kernfs.h>
#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/stat.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/version.h>
#include <linux/vmalloc.h>

#include "../tools/lib/bpf/relo_core.h"
#include "glue.h"

/*
 * Input-sized C allocations: charged to the caller's memcg, and failing with
 * ENOMEM (and a log line) rather than warning about a size too large for the
 * allocator or invoking the memcg OOM killer on the caller (as
 * bpf_map_area_alloc() does).
 */
#define LOADFD_GFP (GFP_KERNEL_ACCOUNT | __GFP_NOWARN | __GFP_RETRY_MAYFAIL)

struct loadfd_map {
	struct kobject kobj;		/* maps/<name> */
	struct bpf_map *map;		/* holds a reference and a uref */
	char *name;
	bool created;
	/* Created with the max_entries the caller declared (@file_max_entries
	 * is what the file says).
	 */
	bool resized;
	u32 file_max_entries;
	/* LIBBPF_PIN_BY_NAME: @reused came from the pin directory; @pin is
	 * pinned there once the object has loaded (@pinned when done).
	 */
	bool reused;
	bool pin;
	bool pinned;
	/* An arena whose __arena variables wait for its user address (the
	 * caller's mmap()): @arena_size bytes, the first @arena_len from
	 * @arena_init; filled before the first program is loaded by name.
	 */
	void *arena_init;
	u32 arena_len;
	u32 arena_size;
	bool arena_pending;
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
	/* Live programs loaded from it (struct bpf_loadfd_live), and how many
	 * slots are taken (listed or being loaded); under loadfd_live_lock.
	 */
	struct list_head live;
	u32 live_cnt;
	/* Names this loader program for bpf_loadfd_prog_cookie(). */
	u64 cookie;
	/* A struct_ops program: the kernel struct (in @st_ops_btf, a module's
	 * BTF with a reference, or vmlinux's if NULL) and member a struct_ops
	 * map of the object puts it in; 0 if no map does.
	 */
	u32 st_ops_type_id;
	u32 st_ops_member;
	struct btf *st_ops_btf;
	/* A program that does not link: why its load by name fails. */
	int load_err;
	char *load_err_msg;
};

/*
 * A live program loaded by name from a loader program: listed in the loader
 * program's sysfs prog_ids from the moment it has an id until
 * bpf_prog_free_id() drops it. Owned by the program (prog->aux->loadfd_live);
 * @owner is NULL once the loader object is gone.
 */
struct bpf_loadfd_live {
	struct list_head node;
	struct loadfd_prog *owner;
	u64 cookie;
	u32 id;
};

struct loadfd_prog_slot {
	u32 map_idx;
	u32 slot;
	u32 prog_idx;
};

struct loadfd_obj {
	struct kobject kobj;		/* /sys/kernel/bpf_loadfd/<id> */
	struct kobject *progs_dir;
	struct kobject *maps_dir;
	bool registered;
	int id;

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
	/* Prog-array initial slots, filled when their program is loaded by
	 * name (as libbpf fills them after loading the programs).
	 */
	struct loadfd_prog_slot *prog_slots;
	u32 prog_slot_cnt;
	u32 prog_slot_cap;

	dev_t dev;
	unsigned long ino;
	u8 sha256[SHA256_DIGEST_SIZE];
	/* What the caller declared in load_fd.maps, in map order (see
	 * loadfd_overrides_digest()); all zero when nothing.
	 */
	u32 override_cnt;
	u8 overrides_sha256[SHA256_DIGEST_SIZE];

	/* Only valid during BPF_LOAD_FD. */
	struct bpf_verifier_log *log;
	struct bpf_loadfd_map *umaps;
	bool *umap_used;
	u32 umap_cnt;
	/* Serialises filling arenas (loadfd_arena_fill()). */
	struct mutex arena_lock;
	/* load_fd.pin_path_fd, taken once (BPF_F_PATH_FD). */
	struct path pin_dir;
	bool has_pin_dir;
};

static struct kset *loadfd_kset;
static DEFINE_IDA(loadfd_ida);
/* Loader program cookies: never reused, unlike ids and addresses. */
static atomic64_t loadfd_cookie_next = ATOMIC64_INIT(0);
/* Protects every loader program's live list and every bpf_loadfd_live. Taken
 * from bpf_prog_free_id(), in whatever context frees the program: irqsave.
 */
static DEFINE_SPINLOCK(loadfd_live_lock);

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
		struct loadfd_prog *p = &obj->progs[i];

		loadfd_prog_orphan_live(p);
		kfree(p->name);
		kfree(p->section);
		kfree(p->attach_func);
		kfree(p->attach_btf_name);
		btf_put(p->st_ops_btf);
		kfree(p->load_err_msg);
		kvfree(p->insns);
		kvfree(p->func_info);
		kvfree(p->line_info);
		kvfree(p->core_relos);
		cond_resched();
	}
	kvfree(obj->progs);
	kvfree(obj->prog_slots);
	for (i = 0; i < obj->map_cnt; i++) {
		bpf_map_put_with_uref(obj->maps[i]);
		kfree(obj->map_info[i].name);
		kvfree(obj->map_info[i].arena_init);
		cond_resched();
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

	for (i = 0; i < obj->prog_cnt; i++) {
		if (obj->progs[i].kobj.state_initialized)
			kobject_put(&obj->progs[i].kobj);
		cond_resched();
	}
	for (i = 0; i < obj->map_cnt; i++) {
		if (obj->map_info[i].kobj.state_initialized)
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
		err = loadfd_checkpoint();
		if (!err)
			err = loadfd_sysfs_name_ok(obj, obj->progs_dir, "program",
						   obj->progs[i].name);
		if (!err)
			err = kobject_init_and_add(&obj->progs[i].kobj, &loadfd_prog_ktype,
						   obj->progs_dir, "%s", obj->progs[i].name);
		if (err)
			return err;
	}
	for (i = 0; i < obj->map_cnt; i++) {
		err = loadfd_checkpoint();
		if (!err)
			err = loadfd_sysfs_name_ok(obj, obj->maps_dir, "map",
						   obj->map_info[i].name);
		if (!err)
			err = kobject_init_and_add(&obj->map_info[i].kobj, &loadfd_map_ktype,
						   obj->maps_dir, "%s", obj->map_info[i].name);
		if (err)
			return err;
	}
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

/*
 * A NUL-terminated copy of a (ptr, len) name from Rust, or an ERR_PTR. The
 * core caps names first; the cap here keeps the allocation small whatever
 * it passes.
 */
static char *loadfd_strdup(struct loadfd_obj *obj, const char *what, const u8 *s, u32 len)
{
	char *p;

	if (len > LOADFD_MAX_NAME_LEN) {
		bpf_log(obj->log, "%s: name of %u bytes, longer than %u\n", what, len,
			LOADFD_MAX_NAME_LEN);
		return ERR_PTR(-E2BIG);
	}
	p = kmemdup_nul(s, len, LOADFD_GFP);
	return p ?: ERR_PTR(-ENOMEM);
}

int loadfd_obj_set_meta(struct loadfd_obj *obj, const u8 *license, u32 license_len,
			u32 kern_version)
{
	obj->license = kmemdup_nul(license, min_t(u32, license_len, 127), LOADFD_GFP);
	obj->kern_version = kern_version;
	return obj->license ? 0 : -ENOMEM;
}

/*
 * The BTF verifier's own reason for refusing @data, in @reason (empty if the
 * caller asked for no log or its buffer is full). The verifier logs every
 * type it checks and writes only to user memory: a second parse logs into
 * the unused end of the caller's log buffer, and the last line it wrote
 * there is read back. That region is then overwritten by the line that
 * reports it.
 */
static void loadfd_btf_reason(struct loadfd_obj *obj, const void *data, u32 size,
			      char *reason, size_t len)
{
	struct bpf_verifier_log *log = obj->log;
	u32 room, true_size = 0, n, tail, i, j;
	char __user *ubuf;
	struct btf *btf;
	char *buf;

	reason[0] = 0;
	/* Nothing written yet beyond end_pos, and not wrapped (rotating). */
	if (!log->level || !log->ubuf || log->start_pos ||
	    log->end_pos + 128 > log->len_total || loadfd_checkpoint())
		return;
	room = log->len_total - log->end_pos;
	ubuf = log->ubuf + log->end_pos;
	btf = btf_new_kern(data, size, ubuf, room, &true_size);
	if (!IS_ERR(btf)) {
		btf_put(btf);
		return;
	}
	/* What the verifier left there: a string of min(true_size, room)
	 * bytes with its NUL.
	 */
	n = min(true_size, room);
	if (n <= 1)
		return;
	n--;
	tail = min_t(u32, n, 512);
	buf = kmalloc(tail + 1, LOADFD_GFP);
	if (!buf)
		return;
	if (copy_from_user(buf, ubuf + n - tail, tail)) {
		kfree(buf);
		return;
	}
	buf[tail] = 0;
	/* The last non-empty line. The caller could have changed the bytes:
	 * keep printable ASCII only.
	 */
	while (tail && (buf[tail - 1] == '\n' || buf[tail - 1] == 0))
		buf[--tail] = 0;
	i = tail;
	while (i && buf[i - 1] != '\n')
		i--;
	for (j = 0; buf[i] && j + 1 < len; i++)
		reason[j++] = isprint(buf[i]) ? buf[i] : '?';
	reason[j] = 0;
	kfree(buf);
}

int loadfd_obj_load_btf(struct loadfd_obj *obj, const void *data, u32 size)
{
	struct btf *btf;

	/* BPF_BTF_LOAD's parse and checks, with no fd: the kernel's own BTF
	 * verifier checks the object's BTF, nothing is parsed loosely, and no
	 * other thread of the caller can swap it through the fd table.
	 */
	btf = btf_new_kern(data, size, NULL, 0, NULL);
	if (IS_ERR(btf)) {
		int err = PTR_ERR(btf);
		char reason[192];

		if (err != -ENOMEM)
			loadfd_btf_reason(obj, data, size, reason, sizeof(reason));
		else
			reason[0] = 0;
		bpf_log(obj->log, "btf: the kernel's BTF verifier rejected the object's BTF (%d)%s%s\n",
			err, reason[0] ? ": " : "", reason);
		/* The verifier's own errnos (EEXIST for a bad size_type, ...)
		 * mean "malformed" here; only resource errors pass through.
		 */
		return err == -ENOMEM || err == -E2BIG ? err : -EINVAL;
	}
	obj->btf = btf;
	return 0;
}

static u32 loadfd_max_entries(const struct loadfd_map_spec *s);

/* libbpf's map_is_reuse_compat(): devmaps get BPF_F_RDONLY_PROG from the
 * kernel whether or not the object asks for it.
 */
static bool loadfd_map_compatible(const struct bpf_map *map, const struct loadfd_map_spec *s)
{
	u32 flags = map->map_flags;

	if (map->map_type == BPF_MAP_TYPE_DEVMAP || map->map_type == BPF_MAP_TYPE_DEVMAP_HASH)
		flags &= ~BPF_F_RDONLY_PROG;
	return map->map_type == s->map_type && map->key_size == s->key_size &&
	       map->value_size == s->value_size && map->max_entries == loadfd_max_entries(s) &&
	       flags == s->map_flags && map->map_extra == s->map_extra;
}

static void loadfd_map_mismatch(struct loadfd_obj *obj, const char *name, const char *what,
				const struct bpf_map *map, const struct loadfd_map_spec *s)
{
	bpf_log(obj->log,
		"maps: '%s': %s map (type %u key %u value %u max %u flags 0x%x) does not match the object (type %u key %u value %u max %u flags 0x%x)\n",
		name, what, map->map_type, map->key_size, map->value_size, map->max_entries,
		map->map_flags, s->map_type, s->key_size, s->value_size, loadfd_max_entries(s),
		s->map_flags);
}

/*
 * LIBBPF_PIN_BY_NAME, as libbpf's bpf_object__reuse_map(): the map pinned
 * under @name in the pin directory if there is one (NULL if not), checked
 * against what the object declares (@s, after any declared resize).
 */
static struct bpf_map *loadfd_map_reuse_pinned(struct loadfd_obj *obj, const char *name,
					       const struct loadfd_map_spec *s)
{
	struct bpf_map *map;

	map = bpf_map_get_pinned_kern(&obj->pin_dir, name);
	if (map == ERR_PTR(-ENOENT))
		return NULL;
	if (IS_ERR(map)) {
		bpf_log(obj->log, "maps: '%s': the pinned map cannot be reused (%ld)\n", name,
			PTR_ERR(map));
		return map;
	}
	if (!loadfd_map_compatible(map, s)) {
		loadfd_map_mismatch(obj, name, "pinned", map, s);
		bpf_map_put_with_uref(map);
		return ERR_PTR(-EINVAL);
	}
	return map;
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

/* As libbpf (map_set_def_max_entries()): a perf event array declared
 * without max_entries gets one slot per possible CPU.
 */
static u32 loadfd_max_entries(const struct loadfd_map_spec *s)
{
	if (s->map_type == BPF_MAP_TYPE_PERF_EVENT_ARRAY && !s->max_entries)
		return num_possible_cpus();
	return s->max_entries;
}

/*
 * BPF_MAP_CREATE's checks, initial value and freeze, all before the map has
 * an id, and no fd: nobody can reach the map before it is complete.
 */
static struct bpf_map *loadfd_map_create(struct loadfd_obj *obj, const struct loadfd_map_spec *s,
					 const char *name)
{
	struct bpf_map *inner = NULL, *map;
	union bpf_attr attr = {};
	struct btf *btf = NULL;

	if (s->init_data && s->init_size != s->value_size) {
		bpf_log(obj->log, "maps: '%s': %u initial bytes for a %u byte value\n", name,
			s->init_size, s->value_size);
		return ERR_PTR(-EINVAL);
	}
	if (s->inner) {
		/* The inner map is only a template for the outer one. */
		inner = loadfd_map_create(obj, s->inner, name);
		if (IS_ERR(inner))
			return inner;
	}
	attr.map_type = s->map_type;
	attr.key_size = s->key_size;
	attr.value_size = s->value_size;
	attr.max_entries = loadfd_max_entries(s);
	attr.map_flags = s->map_flags;
	attr.numa_node = s->numa_node;
	attr.map_extra = s->map_extra;
	if (obj->btf && (s->btf_key_type_id || s->btf_value_type_id)) {
		btf = obj->btf;
		attr.btf_key_type_id = s->btf_key_type_id;
		attr.btf_value_type_id = s->btf_value_type_id;
	}
	loadfd_obj_name(attr.map_name, name);
	map = bpf_map_create_kern(&attr, btf, inner, s->init_data, s->freeze);
	if (inner)
		bpf_map_put_with_uref(inner);
	if (IS_ERR(map)) {
		bpf_log(obj->log, "maps: '%s': BPF_MAP_CREATE failed (%ld)\n", name, PTR_ERR(map));
		/* ENOTSUPP (524) is kernel-internal; the log keeps it. */
		if (PTR_ERR(map) == -ENOTSUPP)
			return ERR_PTR(-EOPNOTSUPP);
	}
	return map;
}

int loadfd_obj_reserve(struct loadfd_obj *obj, u32 map_cnt, u32 prog_cnt)
{
	if (obj->maps || obj->progs)
		return -EINVAL;
	obj->maps = kvcalloc(map_cnt, sizeof(*obj->maps), LOADFD_GFP);
	obj->map_info = kvcalloc(map_cnt, sizeof(*obj->map_info), LOADFD_GFP);
	obj->progs = kvcalloc(prog_cnt, sizeof(*obj->progs), LOADFD_GFP);
	obj->btfs = kcalloc(LOADFD_MAX_MODULE_BTFS, sizeof(*obj->btfs), LOADFD_GFP);
	if ((map_cnt && (!obj->maps || !obj->map_info)) || (prog_cnt && !obj->progs) ||
	    !obj->btfs)
		return -ENOMEM;
	obj->map_cap = map_cnt;
	obj->prog_cap = prog_cnt;
	return 0;
}

static __printf(5, 6) int loadfd_prog_reject(const union bpf_attr *attr, bpfptr_t uattr,
					     u32 uattr_size, int err, const char *fmt, ...);

/*
 * An arena's __arena variables (libbpf copies them into its mapping of the
 * arena). Their pages sit at the arena's user address, which exists only
 * with map_extra or once the caller has mmap()ed the arena: filled now, or
 * kept for loadfd_arena_fill().
 */
static int loadfd_arena_init(struct loadfd_obj *obj, struct loadfd_map *info,
			     struct bpf_map *map, const struct loadfd_map_spec *s,
			     const char *name, bool created)
{
	int err;

	if (!created) {
		bpf_log(obj->log,
			"maps: '%s': an arena with __arena variables cannot be supplied or reused: their initial values are the file's\n",
			name);
		return -EINVAL;
	}
	if (s->arena_data_len > s->arena_size) {
		bpf_log(obj->log, "maps: '%s': %u initial bytes for %u bytes of __arena variables\n",
			name, s->arena_data_len, s->arena_size);
		return -EINVAL;
	}
	err = bpf_arena_fill_kern(map, s->arena_data, s->arena_data_len, s->arena_size);
	if (err == -ENXIO) {
		info->arena_init = s->arena_data_len ?
				   kvmemdup(s->arena_data, s->arena_data_len, LOADFD_GFP) : NULL;
		if (s->arena_data_len && !info->arena_init)
			return -ENOMEM;
		info->arena_len = s->arena_data_len;
		info->arena_size = s->arena_size;
		info->arena_pending = true;
		return 0;
	}
	if (err)
		bpf_log(obj->log, "maps: '%s': no arena pages for %u bytes of __arena variables (%d)\n",
			name, s->arena_size, err);
	return err;
}

/* Before a program is loaded by name: the arenas still waiting for their
 * user address get their variables, or the load is refused with a reason.
 */
static int loadfd_arena_fill(struct loadfd_obj *obj, const union bpf_attr *attr, bpfptr_t uattr,
			     u32 uattr_size, const char *prog)
{
	int err = 0;
	u32 i;

	mutex_lock(&obj->arena_lock);
	for (i = 0; !err && i < obj->map_cnt; i++) {
		struct loadfd_map *m = &obj->map_info[i];

		if (!m->arena_pending)
			continue;
		err = bpf_arena_fill_kern(obj->maps[i], m->arena_init, m->arena_len, m->arena_size);
		if (err == -ENXIO) {
			err = loadfd_prog_reject(attr, uattr, uattr_size, -EINVAL,
						 "prog '%s': arena '%s' has no user address yet: mmap() it (BPF_LOAD_FD_MAP_GET_FD) before loading programs, as libbpf does\n",
						 prog, m->name);
		} else if (err) {
			err = loadfd_prog_reject(attr, uattr, uattr_size, err,
						 "prog '%s': no arena pages for the %u bytes of __arena variables of '%s' (%d)\n",
						 prog, m->arena_size, m->name, err);
		} else {
			m->arena_pending = false;
			kvfree(m->arena_init);
			m->arena_init = NULL;
		}
	}
	mutex_unlock(&obj->arena_lock);
	return err;
}

int loadfd_obj_add_map(struct loadfd_obj *obj, const struct loadfd_map_spec *s)
{
	struct loadfd_map *info;
	struct bpf_map *map = NULL;
	bool created = false, reused = false;
	u32 resized = 0;
	char *name;
	int err;
	u32 i;

	err = loadfd_checkpoint();
	if (err)
		return err;
	if (obj->map_cnt >= obj->map_cap)
		return -EINVAL;
	info = &obj->map_info[obj->map_cnt];
	name = loadfd_strdup(obj, "maps", s->name, s->name_len);
	if (IS_ERR(name))
		return PTR_ERR(name);
	/* The core allows only known flags; BPF_F_TOKEN_FD would make
	 * BPF_MAP_CREATE take a token from the caller's fd 0.
	 */
	if ((s->map_flags | (s->inner ? s->inner->map_flags : 0)) & BPF_F_TOKEN_FD) {
		bpf_log(obj->log, "maps: '%s': map_flags BPF_F_TOKEN_FD is not allowed in an object\n",
			name);
		err = -EINVAL;
		goto err_name;
	}
	/* Created, resized or supplied: a map marked for pinning is pinned. */
	if (s->pin_by_name && !obj->has_pin_dir) {
		bpf_log(obj->log,
			"maps: '%s': pinning by name needs a BPF filesystem directory (BPF_F_PATH_FD and pin_path_fd)\n",
			name);
		err = -EINVAL;
		goto err_name;
	}
	for (i = 0; i < obj->umap_cnt; i++) {
		if (strncmp(obj->umaps[i].name, name, BPF_LOADFD_NAME_LEN))
			continue;
		if (obj->umaps[i].flags & BPF_LOADFD_MAP_MAX_ENTRIES) {
			/* Global data sizes are the file's (section maps are
			 * named after their section; BTF-defined ones are C
			 * identifiers).
			 */
			if (name[0] == '.' || s->kconfig) {
				bpf_log(obj->log,
					"maps: '%s': max_entries of a global data map is the file's\n",
					name);
				err = -EINVAL;
				goto err_name;
			}
			resized = obj->umaps[i].max_entries;
			obj->umap_used[i] = true;
			break;
		}
		map = bpf_map_get_with_uref(obj->umaps[i].fd);
		if (IS_ERR(map)) {
			bpf_log(obj->log, "maps: '%s': supplied fd %u is not a map\n", name,
				obj->umaps[i].fd);
			err = PTR_ERR(map);
			goto err_name;
		}
		/* The file's constants are the file's: .kconfig comes from
		 * the running kernel only, and a supplied .rodata must not
		 * change once programs rely on it (the verifier treats a
		 * frozen read-only map's values as constants).
		 */
		err = -EINVAL;
		if (s->kconfig) {
			bpf_log(obj->log,
				"maps: '%s': cannot be supplied: .kconfig values come from the running kernel\n",
				name);
			goto err_put;
		}
		if (s->freeze && !READ_ONCE(map->frozen)) {
			bpf_log(obj->log,
				"maps: '%s': a supplied read-only data map must be frozen (BPF_MAP_FREEZE)\n",
				name);
			goto err_put;
		}
		if (!loadfd_map_compatible(map, s)) {
			loadfd_map_mismatch(obj, name, "supplied", map, s);
			goto err_put;
		}
		obj->umap_used[i] = true;
		break;
	}
	if (!map) {
		struct loadfd_map_spec rs = *s;

		if (resized)
			rs.max_entries = resized;
		if (s->pin_by_name) {
			map = loadfd_map_reuse_pinned(obj, name, &rs);
			if (IS_ERR(map)) {
				err = PTR_ERR(map);
				goto err_name;
			}
			reused = map;
		}
		if (!map) {
			map = loadfd_map_create(obj, &rs, name);
			if (IS_ERR(map)) {
				err = PTR_ERR(map);
				goto err_name;
			}
			created = true;
		}
	}
	if (s->arena_size) {
		err = loadfd_arena_init(obj, info, map, s, name, created);
		if (err)
			goto err_put;
	}
	obj->maps[obj->map_cnt] = map;
	info->map = map;
	info->name = name;
	info->created = created;
	info->resized = resized && !reused;
	info->file_max_entries = s->max_entries;
	info->reused = reused;
	/* As libbpf: what it did not find pinned, it pins. */
	info->pin = s->pin_by_name && !reused;
	return obj->map_cnt++;

err_put:
	bpf_map_put_with_uref(map);
err_name:
	kfree(name);
	return err;
}

int loadfd_obj_set_map_slot(struct loadfd_obj *obj, u32 map_idx, u32 slot, u32 target_map_idx)
{
	int err;

	err = loadfd_checkpoint();
	if (err)
		return err;
	if (map_idx >= obj->map_cnt || target_map_idx >= obj->map_cnt)
		return -EINVAL;
	/* As libbpf: a map reused from its pin keeps its contents. */
	if (obj->map_info[map_idx].reused)
		return 0;
	err = bpf_map_update_inner_kern(obj->maps[map_idx], &slot, obj->maps[target_map_idx]);
	if (err)
		bpf_log(obj->log, "maps: '%s': setting slot %u to map '%s' failed (%d)\n",
			obj->map_info[map_idx].name, slot, obj->map_info[target_map_idx].name,
			err);
	return err;
}

int loadfd_obj_add_prog_slot(struct loadfd_obj *obj, u32 map_idx, u32 slot, u32 prog_idx)
{
	struct loadfd_prog_slot *n;
	struct bpf_map *map;
	int err;

	err = loadfd_checkpoint();
	if (err)
		return err;
	if (map_idx >= obj->map_cnt || prog_idx >= obj->prog_cap)
		return -EINVAL;
	map = obj->maps[map_idx];
	if (map->map_type != BPF_MAP_TYPE_PROG_ARRAY || slot >= map->max_entries) {
		bpf_log(obj->log, "maps: '%s': no prog-array slot %u\n",
			obj->map_info[map_idx].name, slot);
		return -EINVAL;
	}
	/* One per .rel.maps entry (bounded by the core); doubling keeps it
	 * linear.
	 */
	if (obj->prog_slot_cnt == obj->prog_slot_cap) {
		u32 cap = max(16U, obj->prog_slot_cap * 2);

		n = kvrealloc(obj->prog_slots, array_size(cap, sizeof(*n)), LOADFD_GFP);
		if (!n)
			return -ENOMEM;
		obj->prog_slots = n;
		obj->prog_slot_cap = cap;
	}
	obj->prog_slots[obj->prog_slot_cnt++] = (struct loadfd_prog_slot){ map_idx, slot, prog_idx };
	return 0;
}

static void *loadfd_dup(const void *p, size_t n)
{
	return n ? kvmemdup(p, n, LOADFD_GFP) : NULL;
}

/* prefix + func, the attach target's BTF name. */
static char *loadfd_attach_btf_name(struct loadfd_obj *obj, const struct loadfd_prog_spec *s)
{
	char *p;

	/* Prefixes come from the core's SEC table: a few bytes. */
	if (s->attach_prefix_len > 32 || s->attach_func_len > LOADFD_MAX_NAME_LEN) {
		bpf_log(obj->log, "programs: attach target name of %u + %u bytes is too long\n",
			s->attach_prefix_len, s->attach_func_len);
		return ERR_PTR(-E2BIG);
	}
	p = kmalloc(s->attach_prefix_len + s->attach_func_len + 1, LOADFD_GFP);
	if (!p)
		return ERR_PTR(-ENOMEM);
	memcpy(p, s->attach_prefix, s->attach_prefix_len);
	memcpy(p + s->attach_prefix_len, s->attach_func, s->attach_func_len);
	p[s->attach_prefix_len + s->attach_func_len] = 0;
	return p;
}

/*
 * The next program slot of @obj, set up for a program named by @name_len
 * bytes: its sysfs directory is named after it.
 */
static struct loadfd_prog *loadfd_prog_next(struct loadfd_obj *obj, u32 name_len)
{
	struct loadfd_prog *p;
	int err;

	err = loadfd_checkpoint();
	if (err)
		return ERR_PTR(err);
	if (obj->prog_cnt >= obj->prog_cap)
		return ERR_PTR(-EINVAL);
	if (name_len > NAME_MAX) {
		bpf_log(obj->log, "programs: name of %u bytes, longer than %d (NAME_MAX, sysfs)\n",
			name_len, NAME_MAX);
		return ERR_PTR(-E2BIG);
	}
	p = &obj->progs[obj->prog_cnt];
	INIT_LIST_HEAD(&p->live);
	p->cookie = atomic64_inc_return(&loadfd_cookie_next);
	return p;
}

int loadfd_obj_add_prog(struct loadfd_obj *obj, const struct loadfd_prog_spec *s)
{
	struct loadfd_prog *p;
	char *name, *section, *attach_func, *attach_btf_name;
	int err;

	p = loadfd_prog_next(obj, s->name_len);
	if (IS_ERR(p))
		return PTR_ERR(p);

	name = loadfd_strdup(obj, "programs", s->name, s->name_len);
	section = loadfd_strdup(obj, "programs", s->section, s->section_len);
	attach_func = loadfd_strdup(obj, "programs", s->attach_func, s->attach_func_len);
	attach_btf_name = loadfd_attach_btf_name(obj, s);
	/* Counted before the checks so loadfd_obj_free() frees what was copied. */
	p->name = IS_ERR(name) ? NULL : name;
	p->section = IS_ERR(section) ? NULL : section;
	p->attach_func = IS_ERR(attach_func) ? NULL : attach_func;
	p->attach_btf_name = IS_ERR(attach_btf_name) ? NULL : attach_btf_name;
	obj->prog_cnt++;
	err = PTR_ERR_OR_ZERO(name) ?: PTR_ERR_OR_ZERO(section) ?:
	      PTR_ERR_OR_ZERO(attach_func) ?: PTR_ERR_OR_ZERO(attach_btf_name);
	if (err)
		return err;

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
	if ((s->insn_cnt && !p->insns) ||
	    (s->func_info_cnt && !p->func_info) || (s->line_info_cnt && !p->line_info) ||
	    (s->core_relo_cnt && !p->core_relos))
		return -ENOMEM;
	return 0;
}

/* The member of @t called @name, or NULL. */
static const struct btf_member *loadfd_member_by_name(const struct btf *btf,
						      const struct btf_type *t,
						      const char *name, u32 *idx)
{
	const struct btf_member *m;
	u32 i;

	for_each_member(i, t, m) {
		if (!strcmp(btf_name_by_offset(btf, m->name_off), name)) {
			*idx = i;
			return m;
		}
	}
	return NULL;
}

/* The size of type @id, or -EINVAL. */
static s64 loadfd_type_size(const struct btf *btf, u32 id)
{
	const struct btf_type *t = btf_type_by_id(btf, id);
	u32 size;

	if (!t || IS_ERR(btf_resolve_size(btf, t, &size)))
		return -EINVAL;
	return size;
}

/*
 * The kernel side of struct_ops map @s of type @t (the object's struct
 * @tname): libbpf's bpf_map__init_kern_struct_ops(). Fills @e->value (a
 * struct bpf_struct_ops_<tname> of @vt) with the members the object sets and
 * @e->cookies with its programs, and records each program's target.
 */
static int loadfd_st_ops_init(struct loadfd_obj *obj, const struct loadfd_st_ops_spec *s,
			      const char *name, const struct btf_type *t,
			      struct btf *kbtf, u32 ktype_id, u32 data_off,
			      struct bpf_struct_ops_expect *e)
{
	const struct btf_type *ktype = btf_type_by_id(kbtf, ktype_id);
	const struct btf_member *m, *km;
	u32 i, kidx;

	for_each_member(i, t, m) {
		const struct btf_type *mt, *kmt;
		const char *mname = btf_name_by_offset(obj->btf, m->name_off);
		u32 moff = __btf_member_bit_offset(t, m) / 8, kmoff, pidx;
		struct loadfd_prog *p;
		s64 msize, kmsize;

		if (loadfd_checkpoint())
			return -EINTR;
		msize = loadfd_type_size(obj->btf, m->type);
		if (msize < 0 || moff + msize > s->data_len) {
			bpf_log(obj->log, "struct_ops: '%s': member '%s' has no size or lies outside the value\n",
				name, mname);
			return -EINVAL;
		}
		pidx = i < s->member_cnt ? s->progs[i] : LOADFD_NO_PROG;
		km = loadfd_member_by_name(kbtf, ktype, mname, &kidx);
		if (!km) {
			/* As libbpf: a member this kernel does not have may
			 * only be zero, and name no program.
			 */
			if (memchr_inv(s->data + moff, 0, msize) || pidx != LOADFD_NO_PROG) {
				bpf_log(obj->log, "struct_ops: '%s': member '%s' is not in the kernel's struct\n",
					name, mname);
				return -EOPNOTSUPP;
			}
			continue;
		}
		if (__btf_member_bitfield_size(t, m) || __btf_member_bitfield_size(ktype, km)) {
			bpf_log(obj->log, "struct_ops: '%s': bitfield member '%s' is not supported\n",
				name, mname);
			return -EOPNOTSUPP;
		}
		kmoff = data_off + __btf_member_bit_offset(ktype, km) / 8;
		mt = btf_type_skip_modifiers(obj->btf, m->type, NULL);
		kmt = btf_type_skip_modifiers(kbtf, km->type, NULL);
		if (!mt || !kmt || BTF_INFO_KIND(mt->info) != BTF_INFO_KIND(kmt->info)) {
			bpf_log(obj->log, "struct_ops: '%s': member '%s' is of another kind in the kernel\n",
				name, mname);
			return -EOPNOTSUPP;
		}
		if (btf_type_is_ptr(mt)) {
			/* Only the programs the object names: the pointer's
			 * own bytes are not copied.
			 */
			if (pidx == LOADFD_NO_PROG)
				continue;
			if (pidx >= obj->prog_cnt) {
				bpf_log(obj->log, "struct_ops: '%s': member '%s' names program %u of %u\n",
					name, mname, pidx, obj->prog_cnt);
				return -EINVAL;
			}
			p = &obj->progs[pidx];
			if (p->prog_type != BPF_PROG_TYPE_STRUCT_OPS) {
				bpf_log(obj->log, "struct_ops: '%s': member '%s' is not a struct_ops program ('%s')\n",
					name, mname, p->name);
				return -EINVAL;
			}
			if (!btf_type_resolve_func_ptr(kbtf, km->type, NULL)) {
				bpf_log(obj->log, "struct_ops: '%s': kernel member '%s' is not a function pointer\n",
					name, mname);
				return -EOPNOTSUPP;
			}
			/* One program may serve several maps of the same
			 * struct, in the same member.
			 */
			if (p->st_ops_type_id &&
			    (p->st_ops_type_id != ktype_id || p->st_ops_member != kidx ||
			     p->st_ops_btf != (btf_is_module(kbtf) ? kbtf : NULL))) {
				bpf_log(obj->log, "struct_ops: '%s': program '%s' is already member %u of another struct\n",
					name, p->name, p->st_ops_member);
				return -EINVAL;
			}
			if (!p->st_ops_type_id) {
				p->st_ops_type_id = ktype_id;
				p->st_ops_member = kidx;
				p->expected_attach_type = kidx;
				if (btf_is_module(kbtf)) {
					btf_get(kbtf);
					p->st_ops_btf = kbtf;
				}
			}
			if (kidx < e->member_cnt)
				e->cookies[kidx] = p->cookie;
			continue;
		}
		/* Kernel BTF: kmoff + kmsize lies inside the value type. */
		kmsize = loadfd_type_size(kbtf, km->type);
		if (kmsize != msize) {
			bpf_log(obj->log, "struct_ops: '%s': member '%s' is %lld bytes, %lld in the kernel\n",
				name, mname, msize, kmsize);
			return -EOPNOTSUPP;
		}
		memcpy(e->value + kmoff, s->data + moff, msize);
	}
	return 0;
}

int loadfd_obj_add_struct_ops(struct loadfd_obj *obj, const struct loadfd_st_ops_spec *s)
{
	const struct btf_type *t, *vt, *ktype;
	struct bpf_struct_ops_expect *e = NULL;
	const struct btf_member *dm;
	char tname[KSYM_NAME_LEN], vname[KSYM_NAME_LEN + 16];
	union bpf_attr attr = {};
	struct btf *kbtf = NULL;
	struct loadfd_map *info;
	struct bpf_map *map;
	s32 vtype_id, ktype_id;
	const char *n;
	char *name;
	int err;
	u32 i;

	err = loadfd_checkpoint();
	if (err)
		return err;
	if (obj->map_cnt >= obj->map_cap || !obj->btf) {
		bpf_log(obj->log, "struct_ops: a map beyond the %u reserved, or an object without BTF\n",
			obj->map_cap);
		return -EINVAL;
	}
	name = loadfd_strdup(obj, "struct_ops", s->name, s->name_len);
	if (IS_ERR(name))
		return PTR_ERR(name);
	t = btf_type_by_id(obj->btf, s->type_id);
	if (!t || !btf_type_is_struct(t) || t->size != s->data_len ||
	    btf_type_vlen(t) != s->member_cnt) {
		bpf_log(obj->log, "struct_ops: '%s': type %u is not the variable's struct\n", name,
			s->type_id);
		err = -EINVAL;
		goto err_name;
	}
	/* struct foo___v2 in the object is the kernel's struct foo. */
	n = btf_name_by_offset(obj->btf, t->name_off);
	snprintf(tname, sizeof(tname), "%.*s", (int)bpf_core_essential_name_len(n), n);
	snprintf(vname, sizeof(vname), "bpf_struct_ops_%s", tname);
	if (!tname[0]) {
		bpf_log(obj->log, "struct_ops: '%s': anonymous struct\n", name);
		err = -EOPNOTSUPP;
		goto err_name;
	}
	/* The map value's type first: it says which BTF (vmlinux or a
	 * module) has the struct.
	 */
	vtype_id = bpf_find_btf_id(vname, BTF_KIND_STRUCT, &kbtf);
	if (vtype_id < 0) {
		bpf_log(obj->log, "struct_ops: '%s': struct %s is not in the kernel's BTF\n", name,
			vname);
		err = -ENOENT;
		goto err_name;
	}
	ktype_id = btf_find_by_name_kind(kbtf, tname, BTF_KIND_STRUCT);
	vt = btf_type_by_id(kbtf, vtype_id);
	ktype = ktype_id > 0 ? btf_type_by_id(kbtf, ktype_id) : NULL;
	dm = NULL;
	if (ktype) {
		const struct btf_member *m;

		for_each_member(i, vt, m) {
			if (m->type == ktype_id) {
				dm = m;
				break;
			}
		}
	}
	if (!dm) {
		bpf_log(obj->log, "struct_ops: '%s': struct %s is not a struct_ops type of the kernel\n",
			name, tname);
		err = -ENOENT;
		goto err_btf;
	}
	err = -ENOMEM;
	e = kzalloc(sizeof(*e), LOADFD_GFP);
	if (!e)
		goto err_btf;
	e->member_cnt = btf_type_vlen(ktype);
	e->value = kvzalloc(vt->size, LOADFD_GFP);
	e->cookies = kvcalloc(max(e->member_cnt, 1U), sizeof(*e->cookies), LOADFD_GFP);
	if (!e->value || !e->cookies)
		goto err_expect;
	err = loadfd_st_ops_init(obj, s, name, t, kbtf, ktype_id,
				 __btf_member_bit_offset(vt, dm) / 8, e);
	if (err)
		goto err_expect;

	attr.map_type = BPF_MAP_TYPE_STRUCT_OPS;
	attr.key_size = sizeof(u32);
	attr.value_size = vt->size;
	attr.max_entries = 1;
	attr.map_flags = s->link ? BPF_F_LINK : 0;
	if (btf_is_module(kbtf))
		attr.map_flags |= BPF_F_VTYPE_BTF_OBJ_FD;
	attr.btf_vmlinux_value_type_id = vtype_id;
	loadfd_obj_name(attr.map_name, name);
	/* Takes @e, on failure too. */
	map = bpf_struct_ops_map_create_kern(&attr, obj->btf,
					     btf_is_module(kbtf) ? kbtf : NULL, e);
	btf_put(kbtf);
	if (IS_ERR(map)) {
		err = PTR_ERR(map);
		bpf_log(obj->log, "struct_ops: '%s': BPF_MAP_CREATE failed (%d)\n", name, err);
		kfree(name);
		return err == -ENOTSUPP ? -EOPNOTSUPP : err;
	}
	info = &obj->map_info[obj->map_cnt];
	obj->maps[obj->map_cnt] = map;
	info->map = map;
	info->name = name;
	info->created = true;
	info->file_max_entries = 1;
	return obj->map_cnt++;

err_expect:
	bpf_struct_ops_expect_free(e);
err_btf:
	btf_put(kbtf);
err_name:
	kfree(name);
	return err;
}

int loadfd_obj_add_prog_error(struct loadfd_obj *obj, const u8 *name, u32 name_len,
			      const u8 *section, u32 section_len, u32 prog_type, int err,
			      const u8 *msg, u32 msg_len)
{
	struct loadfd_prog *p;
	char *n, *sec, *why;
	int ret;

	p = loadfd_prog_next(obj, name_len);
	if (IS_ERR(p))
		return PTR_ERR(p);
	n = loadfd_strdup(obj, "programs", name, name_len);
	sec = loadfd_strdup(obj, "programs", section, section_len);
	why = kmemdup_nul(msg, min_t(u32, msg_len, 255), LOADFD_GFP);
	p->name = IS_ERR(n) ? NULL : n;
	p->section = IS_ERR(sec) ? NULL : sec;
	p->load_err_msg = why;
	p->attach_func = kstrdup("", LOADFD_GFP);
	p->attach_btf_name = kstrdup("", LOADFD_GFP);
	obj->prog_cnt++;
	ret = PTR_ERR_OR_ZERO(n) ?: PTR_ERR_OR_ZERO(sec);
	if (ret)
		return ret;
	if (!why || !p->attach_func || !p->attach_btf_name)
		return -ENOMEM;
	p->prog_type = prog_type;
	p->load_err = err < 0 && err >= -MAX_ERRNO ? err : -EINVAL;
	bpf_log(obj->log, "prog '%s' cannot be loaded: %s\n", p->name, why);
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
	/* A linear scan of vmlinux and every module's BTF: one per extern, so
	 * give the CPU back and stop for a fatal signal in between (the core's
	 * next checkpoint turns the failed lookup into EINTR).
	 */
	if (loadfd_checkpoint())
		return -EINTR;
	/* vmlinux first, then modules; takes a reference on the BTF found. */
	id = bpf_find_btf_id(buf, kind, &btf);
	cond_resched();
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

int loadfd_checkpoint(void)
{
	cond_resched();
	return fatal_signal_pending(current) ? -EINTR : 0;
}

struct loadfd_ksym {
	u64 addr;
	bool seen;
};

/* First match, as kallsyms_lookup_name() takes it. */
static int loadfd_kallsyms_first(void *data, unsigned long addr)
{
	struct loadfd_ksym *k = data;

	k->addr = addr;
	k->seen = true;
	return 1;
}

int loadfd_kallsyms(const u8 *name, size_t len, u64 *addr)
{
	struct loadfd_ksym k = {};
	char buf[KSYM_NAME_LEN];
	int err;

	*addr = 0;
	err = loadfd_checkpoint();
	if (err)
		return err;
	/* The address ends up as a constant the program can store anywhere:
	 * only for callers /proc/kallsyms would show it to. Checked before the
	 * lookup, so a weak extern cannot probe either.
	 */
	if (!bpf_dump_raw_ok(current_cred()))
		return -EPERM;
	if (!loadfd_cstr(buf, name, len) || !buf[0])
		return 0;
	/* vmlinux only: a binary search over the sorted names. An address of 0
	 * is real too (per-cpu symbols such as __per_cpu_start).
	 */
	kallsyms_on_each_match_symbol(loadfd_kallsyms_first, buf, &k);
	if (k.seen) {
		*addr = k.addr;
		return 1;
	}
	if (module_kallsyms_lookup_name(buf))
		return -EOPNOTSUPP;
	return 0;
}

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
 * max_entries (le32), and for a supplied or reused map its type, key size, value size, max_entries and flags (le32 each)
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
	obj = kzalloc(sizeof(*obj), LOADFD_GFP);
	if (!log || !obj) {
		kfree(log);
		kfree(obj);
		return -ENOMEM;
	}
	mutex_init(&obj->arena_lock);
	obj->id = -1;
	obj->log = log;
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
	ret = loadfd_pin_dir_get(obj, attr);
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

/*
 * The attach target of @p. A non-zero attach_prog_fd (attach_btf_obj_fd) is
 * resolved here, once, into @lp, and the kernel takes the target from @lp
 * rather than from the fd again, so a dup2() cannot swap it after the check
 * below. When the SEC name names a target, attach_btf_id is filled in with it
 * or must already be it: a vetted fentry/X or lsm/A program cannot be
 * pointed at Y or B.
 */
static int loadfd_prog_target(const union bpf_attr *attr, bpfptr_t uattr, u32 uattr_size,
			      union bpf_attr *kattr, const struct loadfd_prog *p,
			      struct bpf_loadfd_prog *lp)
{
	const char *where = "vmlinux or module BTF";
	struct bpf_prog *tgt;
	struct btf *btf;
	s32 id;

	if (attr->attach_prog_fd) {
		tgt = bpf_prog_get(attr->attach_prog_fd);
		if (!IS_ERR(tgt)) {
			lp->attach_prog = tgt;
		} else {
			btf = btf_get_by_fd(attr->attach_btf_obj_fd);
			if (IS_ERR(btf))
				return loadfd_prog_reject(attr, uattr, uattr_size, -EINVAL,
							  "prog '%s': attach_prog_fd %u is neither a program nor BTF\n",
							  p->name, attr->attach_prog_fd);
			lp->attach_btf = btf;
			if (!btf_is_kernel(btf))
				return loadfd_prog_reject(attr, uattr, uattr_size, -EINVAL,
							  "prog '%s': attach_btf_obj_fd %u is not kernel BTF\n",
							  p->name, attr->attach_btf_obj_fd);
		}
	}
	/* No target in the SEC name: the caller's fields, as for any program. */
	if (!p->attach_btf_kind || !p->attach_func[0])
		return 0;

	if (lp->attach_prog) {
		/* Like libbpf: the function's own name in the program's BTF. */
		where = "the attach_prog_fd program's BTF";
		btf = lp->attach_prog->aux->btf;
		id = btf ? btf_find_by_name_kind(btf, p->attach_func, BTF_KIND_FUNC) : -ENOENT;
	} else if (lp->attach_btf) {
		where = "the attach_btf_obj_fd BTF";
		id = btf_find_by_name_kind(lp->attach_btf, p->attach_btf_name,
					   p->attach_btf_kind);
	} else {
		id = loadfd_attach_btf_id(p, &lp->attach_btf);
	}
	if (id < 0)
		return loadfd_prog_reject(attr, uattr, uattr_size, -ENOENT,
					  "prog '%s': attach target '%s' not found in %s\n",
					  p->name, lp->attach_prog ? p->attach_func :
					  p->attach_btf_name, where);
	if (kattr->attach_btf_id && kattr->attach_btf_id != id)
		return loadfd_prog_reject(attr, uattr, uattr_size, -EINVAL,
					  "prog '%s': attach_btf_id %u is not its SEC name's target '%s' (%d in %s)\n",
					  p->name, kattr->attach_btf_id, p->attach_btf_name, id,
					  where);
	kattr->attach_btf_id = id;
	return 0;
}

/*
 * A struct_ops program's target is the kernel struct and member a struct_ops
 * map of the object puts it in (where libbpf takes attach_btf_id and
 * expected_attach_type from); a caller's other target contradicts it.
 */
static int loadfd_st_ops_target(const union bpf_attr *attr, bpfptr_t uattr, u32 uattr_size,
				union bpf_attr *kattr, const struct loadfd_prog *p,
				struct bpf_loadfd_prog *lp)
{
	struct btf *btf = p->st_ops_btf ?: bpf_get_btf_vmlinux();

	if (!p->st_ops_type_id)
		return loadfd_prog_reject(attr, uattr, uattr_size, -EINVAL,
					  "prog '%s': no struct_ops map of the object uses this struct_ops program\n",
					  p->name);
	if (lp->attach_prog || (lp->attach_btf && lp->attach_btf != btf) ||
	    (kattr->attach_btf_id && kattr->attach_btf_id != p->st_ops_type_id))
		return loadfd_prog_reject(attr, uattr, uattr_size, -EINVAL,
					  "prog '%s': the attach target is not the struct_ops member %u the object puts it in\n",
					  p->name, p->st_ops_member);
	kattr->attach_btf_id = p->st_ops_type_id;
	kattr->expected_attach_type = p->st_ops_member;
	if (p->st_ops_btf && !lp->attach_btf) {
		btf_get(p->st_ops_btf);
		lp->attach_btf = p->st_ops_btf;
	}
	return 0;
}

/*
 * Takes one of @p's live-program slots for a load, or fails if all are
 * taken: prog_ids must list every live program, and a page holds
 * LOADFD_MAX_LIVE_PROGS of them.
 */
static struct bpf_loadfd_live *loadfd_live_reserve(struct loadfd_prog *p)
{
	struct bpf_loadfd_live *live;
	unsigned long flags;
	bool full;

	live = kzalloc(sizeof(*live), LOADFD_GFP);
	if (!live)
		return ERR_PTR(-ENOMEM);
	live->owner = p;
	live->cookie = p->cookie;
	INIT_LIST_HEAD(&live->node);
	spin_lock_irqsave(&loadfd_live_lock, flags);
	full = p->live_cnt >= LOADFD_MAX_LIVE_PROGS;
	if (!full)
		p->live_cnt++;
	spin_unlock_irqrestore(&loadfd_live_lock, flags);
	if (full) {
		kfree(live);
		return ERR_PTR(-E2BIG);
	}
	return live;
}

/* The load failed before the program got an id: give the slot back. */
static void loadfd_live_unreserve(struct bpf_loadfd_live *live)
{
	unsigned long flags;

	spin_lock_irqsave(&loadfd_live_lock, flags);
	live->owner->live_cnt--;
	spin_unlock_irqrestore(&loadfd_live_lock, flags);
	kfree(live);
}

/* From __bpf_prog_load(), once the program has its id and before it is
 * exposed through an fd: from now on it is listed until it is freed.
 */
void bpf_loadfd_prog_published(struct bpf_prog *prog, struct bpf_loadfd_prog *lp)
{
	struct bpf_loadfd_live *live = lp->live;
	unsigned long flags;

	/* Kept until loadfd_prog_load() is done with it: the caller's fd
	 * may be closed by another thread as soon as it exists.
	 */
	bpf_prog_inc(prog);
	lp->prog = prog;
	if (!live)
		return;
	lp->live = NULL;
	live->id = prog->aux->id;
	spin_lock_irqsave(&loadfd_live_lock, flags);
	list_add_tail(&live->node, &live->owner->live);
	prog->aux->loadfd_live = live;
	spin_unlock_irqrestore(&loadfd_live_lock, flags);
}

/* The caller holds a reference on @prog: its listing, set before it had an
 * fd, is only freed with it.
 */
u64 bpf_loadfd_prog_cookie(const struct bpf_prog *prog)
{
	const struct bpf_loadfd_live *live = READ_ONCE(prog->aux->loadfd_live);

	return live ? live->cookie : 0;
}

/* From bpf_prog_free_id(): the id is going away, so is its listing. */
void bpf_loadfd_prog_free_id(struct bpf_prog *prog)
{
	struct bpf_loadfd_live *live;
	unsigned long flags;

	if (!READ_ONCE(prog->aux->loadfd_live))
		return;
	spin_lock_irqsave(&loadfd_live_lock, flags);
	live = prog->aux->loadfd_live;
	prog->aux->loadfd_live = NULL;
	if (live && live->owner) {
		list_del(&live->node);
		live->owner->live_cnt--;
	}
	spin_unlock_irqrestore(&loadfd_live_lock, flags);
	kfree(live);
}

static int loadfd_prog_load(const union bpf_attr *attr, bpfptr_t uattr, u32 uattr_size)
{
	struct bpf_loadfd_prog lp = {};
	struct loadfd_prog *p = NULL;
	struct loadfd_obj *obj;
	union bpf_attr *kattr;
	char name[KSYM_NAME_LEN];
	long len;
	int ret;
	u32 i;

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
	if (p->load_err)
		return loadfd_prog_reject(attr, uattr, uattr_size, p->load_err,
					  "prog '%s': %s\n", name, p->load_err_msg);
	if (loadfd_attr_contradicts(attr, p))
		return loadfd_prog_reject(attr, uattr, uattr_size, -EINVAL,
					  "prog '%s': attr sets fields the loader object provides (insns, license, BTF, func/line info, CO-RE records, fd_array, or a different type)\n",
					  name);

	lp.live = loadfd_live_reserve(p);
	if (IS_ERR(lp.live)) {
		ret = PTR_ERR(lp.live);
		lp.live = NULL;
		if (ret == -E2BIG)
			return loadfd_prog_reject(attr, uattr, uattr_size, ret,
						  "prog '%s': %u programs loaded from it are still live, the most its prog_ids lists\n",
						  name, LOADFD_MAX_LIVE_PROGS);
		return loadfd_prog_reject(attr, uattr, uattr_size, ret,
					  "prog '%s': out of memory\n", name);
	}
	kattr = kmemdup(attr, sizeof(*attr), GFP_KERNEL);
	if (!kattr) {
		ret = loadfd_prog_reject(attr, uattr, uattr_size, -ENOMEM,
					 "prog '%s': out of memory\n", name);
		goto out;
	}
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
	ret = loadfd_prog_target(attr, uattr, uattr_size, kattr, p, &lp);
	if (!ret && p->prog_type == BPF_PROG_TYPE_STRUCT_OPS)
		ret = loadfd_st_ops_target(attr, uattr, uattr_size, kattr, p, &lp);
	if (ret)
		goto out;
	/* The caller may hold this loader fd without ever having held a map
	 * fd (SCM_RIGHTS, pidfd_getfd): LSMs decide on its map access here,
	 * as they would have when it opened the maps.
	 */
	for (i = 0; i < obj->map_cnt; i++) {
		ret = security_bpf_map(obj->maps[i], FMODE_CAN_READ | FMODE_CAN_WRITE);
		if (ret) {
			ret = loadfd_prog_reject(attr, uattr, uattr_size, ret,
						 "prog '%s': access to map '%s' denied (%d)\n", name,
						 obj->map_info[i].name, ret);
			goto out;
		}
	}

	ret = loadfd_arena_fill(obj, attr, uattr, uattr_size, name);
	if (ret)
		goto out;

	lp.loader_id = obj->id;
	lp.dev = obj->dev;
	lp.ino = obj->ino;
	memcpy(lp.sha256, obj->sha256, sizeof(lp.sha256));
	memcpy(lp.overrides_sha256, obj->overrides_sha256, sizeof(lp.overrides_sha256));
	lp.overrides = obj->override_cnt;
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
	/* The prog-array slots that name this program, as libbpf fills them
	 * once the programs are loaded.
	 */
	for (i = 0; ret >= 0 && lp.prog && i < obj->prog_slot_cnt; i++) {
		struct loadfd_prog_slot *ps = &obj->prog_slots[i];
		int err;

		if (ps->prog_idx != p - obj->progs)
			continue;
		err = bpf_prog_array_update_kern(obj->maps[ps->map_idx], ps->slot, lp.prog);
		if (err) {
			close_fd(ret);
			ret = loadfd_prog_reject(attr, uattr, uattr_size, err,
						 "prog '%s': setting slot %u of prog array '%s' failed (%d)\n",
						 name, ps->slot, obj->map_info[ps->map_idx].name, err);
		}
	}
out:
	if (lp.prog)
		bpf_prog_put(lp.prog);
	/* Still here if the program never got an id. */
	if (lp.live)
		loadfd_live_unreserve(lp.live);
	if (lp.attach_prog)
		bpf_prog_put(lp.attach_prog);
	btf_put(lp.attach_btf);
	kfree(kattr);
	return ret;
}

int bpf_loadfd_prog_load(const union bpf_attr *attr, bpfptr_t uattr, u32 uattr_size)
{
	/* Keeps loader_fd reservable: it means nothing without a name. */
	if (!attr->loader_prog_name)
		return loadfd_prog_reject(attr, uattr, uattr_size, -EINVAL,
					  "loader_fd %u set without loader_prog_name\n",
					  attr->loader_fd);
	return loadfd_prog_load(attr, uattr, uattr_size);
}

int loadfd_glue_init(void)
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
