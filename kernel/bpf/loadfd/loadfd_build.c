// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_LOAD_FD: the kernel objects a loader object is made of (BTF, maps,
 * programs, struct_ops maps), created as the core's plan says, and what the
 * running kernel knows for its externs. Called from Rust (load.rs, sys.rs);
 * each function returns 0 or -errno and logs its own reason.
 */
#include <linux/bpf_verifier.h>
#include <linux/btf.h>
#include <linux/ctype.h>
#include <linux/kallsyms.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "../tools/lib/bpf/relo_core.h"
#include "loadfd_obj.h"


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

static int loadfd_obj_load_btf(struct loadfd_obj *obj, const void *data, u32 size,
			       struct btf **ref)
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
	*ref = btf;
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
void loadfd_obj_name(char *dst, const char *name)
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

int loadfd_obj_begin(struct loadfd_obj *obj, const struct loadfd_obj_spec *spec,
		     struct btf **btf_ref)
{
	u32 map_cnt = spec->map_cnt, prog_cnt = spec->prog_cnt;

	*btf_ref = NULL;
	if (obj->maps || obj->progs)
		return -EINVAL;
	obj->maps = kvcalloc(map_cnt, sizeof(*obj->maps), LOADFD_GFP);
	obj->map_info = kvcalloc(map_cnt, sizeof(*obj->map_info), LOADFD_GFP);
	obj->progs = kvcalloc(prog_cnt, sizeof(*obj->progs), LOADFD_GFP);
	obj->btfs = kcalloc(LOADFD_MAX_MODULE_BTFS, sizeof(*obj->btfs), LOADFD_GFP);
	obj->license = kmemdup_nul(spec->license, min_t(u32, spec->license_len, 127),
				   LOADFD_GFP);
	if ((map_cnt && (!obj->maps || !obj->map_info)) || (prog_cnt && !obj->progs) ||
	    !obj->btfs || !obj->license)
		return -ENOMEM;
	obj->map_cap = map_cnt;
	obj->prog_cap = prog_cnt;
	loadfd_obj_init_children(obj);
	obj->kern_version = spec->kern_version;
	return spec->btf ? loadfd_obj_load_btf(obj, spec->btf, spec->btf_size, btf_ref) : 0;
}

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
int loadfd_arena_fill(struct loadfd_obj *obj, const union bpf_attr *attr, bpfptr_t uattr,
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

int loadfd_obj_add_map(struct loadfd_obj *obj, const struct loadfd_map_spec *s,
		       struct bpf_map **ref)
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
	*ref = map;
	return obj->map_cnt++;

err_put:
	bpf_map_put_with_uref(map);
err_name:
	kfree(name);
	return err;
}

static int loadfd_set_map_slot(struct loadfd_obj *obj, u32 map_idx, u32 slot, u32 target_map_idx)
{
	int err;

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

static int loadfd_add_prog_slot(struct loadfd_obj *obj, u32 map_idx, u32 slot, u32 prog_idx)
{
	struct loadfd_prog_slot *n;
	struct bpf_map *map;

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
	obj->prog_slots[obj->prog_slot_cnt++] =
		(struct loadfd_prog_slot){ map_idx, slot, prog_idx };
	return 0;
}

int loadfd_obj_add_slot(struct loadfd_obj *obj, u32 map_idx, u32 slot,
			enum loadfd_slot_kind kind, u32 target)
{
	switch (kind) {
	case LOADFD_SLOT_MAP:
		return loadfd_set_map_slot(obj, map_idx, slot, target);
	case LOADFD_SLOT_PROG:
		return loadfd_add_prog_slot(obj, map_idx, slot, target);
	}
	return -EINVAL;
}

/* A program's layouts are the Rust half's (which keeps them for the
 * object's life): the program borrows them, NULL when empty.
 */
static const void *loadfd_borrow(const void *p, u32 cnt)
{
	return cnt ? p : NULL;
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

	p = loadfd_prog_next(obj, s->name_len);
	if (IS_ERR(p))
		return PTR_ERR(p);
	obj->prog_cnt++;
	p->name = s->name;
	p->section = s->section;
	p->attach_func = s->attach_func;
	p->attach_btf_name = s->attach_btf_name;
	p->prog_type = s->prog_type;
	if (s->load_err) {
		/* Only its name, section and type are kept, and why. */
		p->load_err_msg = s->load_err_msg;
		p->load_err = s->load_err < 0 && s->load_err >= -MAX_ERRNO ? s->load_err : -EINVAL;
		bpf_log(obj->log, "prog '%s' cannot be loaded: %s\n", p->name, p->load_err_msg);
		return 0;
	}
	p->attach_btf_kind = s->attach_btf_kind;
	p->expected_attach_type = s->expected_attach_type;
	p->prog_flags = s->prog_flags;
	p->sleepable = s->sleepable;
	p->insn_cnt = s->insn_cnt;
	p->insns = loadfd_borrow(s->insns, s->insn_cnt);
	p->func_info_cnt = s->func_info_cnt;
	p->func_info_rec_size = s->func_info_rec_size;
	p->func_info = loadfd_borrow(s->func_info, s->func_info_cnt);
	p->line_info_cnt = s->line_info_cnt;
	p->line_info_rec_size = s->line_info_rec_size;
	p->line_info = loadfd_borrow(s->line_info, s->line_info_cnt);
	p->core_relo_cnt = s->core_relo_cnt;
	p->core_relo_rec_size = s->core_relo_rec_size;
	p->core_relos = loadfd_borrow(s->core_relos, s->core_relo_cnt);
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
				/* Borrowed: the object keeps the module's BTF. */
				if (btf_is_module(kbtf))
					p->st_ops_btf = kbtf;
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

int loadfd_obj_add_struct_ops(struct loadfd_obj *obj, const struct loadfd_st_ops_spec *s,
			      struct bpf_map **ref, struct btf **btf_ref)
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
	bool module;
	int err;
	u32 i;

	*btf_ref = NULL;
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
	/* A module's BTF stays with the object (Rust owns the reference) for
	 * the programs this map gives their attach target; vmlinux's is put
	 * here.
	 */
	module = btf_is_module(kbtf);
	if (module)
		*btf_ref = kbtf;
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
	if (module)
		attr.map_flags |= BPF_F_VTYPE_BTF_OBJ_FD;
	attr.btf_vmlinux_value_type_id = vtype_id;
	loadfd_obj_name(attr.map_name, name);
	/* Takes @e, on failure too. */
	map = bpf_struct_ops_map_create_kern(&attr, obj->btf, module ? kbtf : NULL, e);
	if (!module)
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
	*ref = map;
	return obj->map_cnt++;

err_expect:
	bpf_struct_ops_expect_free(e);
err_btf:
	if (!module)
		btf_put(kbtf);
err_name:
	kfree(name);
	return err;
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
		    u32 local_type_id, u32 *slot, struct btf **ref)
{
	const struct btf_type *t;
	char buf[KSYM_NAME_LEN];
	struct btf *btf;
	s32 id;
	u32 i;

	*ref = NULL;
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
	/* The loader keeps the module's BTF (not the module) alive: Rust owns
	 * the reference from here on.
	 */
	obj->btfs[obj->btf_cnt++] = btf;
	*slot = obj->btf_cnt;
	*ref = btf;
	return id;
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
