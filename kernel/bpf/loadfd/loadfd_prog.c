// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_PROG_LOAD of a program of a loader object by name: the program as
 * the verifier takes it, its attach target, and the live programs loaded
 * from it.
 */
#include <linux/bpf_verifier.h>
#include <linux/btf.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/filter.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "loadfd_obj.h"

/* Loader program cookies: never reused, unlike ids and addresses. */
atomic64_t loadfd_cookie_next = ATOMIC64_INIT(0);
/* Protects every loader program's live list and every bpf_loadfd_live. Taken
 * from bpf_prog_free_id(), in whatever context frees the program: irqsave.
 */
DEFINE_SPINLOCK(loadfd_live_lock);

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
__printf(5, 6) int loadfd_prog_reject(const union bpf_attr *attr, bpfptr_t uattr,
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

	/* Kept until bpf_loadfd_prog_put(): the caller's fd
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

/* One BPF_PROG_LOAD by name, from bpf_loadfd_prog_get() to bpf_loadfd_prog_put(). */
struct loadfd_prog_load {
	struct bpf_loadfd_prog lp;	/* what syscall.c gets */
	struct file *file;		/* the loader fd's file, held meanwhile */
	struct loadfd_prog *p;
};

/* Releases everything a load by name held. */
static void loadfd_prog_load_free(struct loadfd_prog_load *l)
{
	struct bpf_loadfd_prog *lp = &l->lp;

	if (lp->prog)
		bpf_prog_put(lp->prog);
	/* Still here if the program never got an id. */
	if (lp->live)
		loadfd_live_unreserve(lp->live);
	if (lp->attach_prog)
		bpf_prog_put(lp->attach_prog);
	btf_put(lp->attach_btf);
	fput(l->file);
	kfree(l);
}

/*
 * BPF_PROG_LOAD of a program of a loader object, by name: the program as the
 * verifier takes it (lp->attr, a kernel copy of @attr with the program's
 * instructions, license, func/line info and CO-RE records in kernel memory,
 * and the maps and BTF objects the loader bound), for syscall.c's
 * bpf_prog_load() to verify; bpf_loadfd_prog_put() finishes the load.
 * Returns an ERR_PTR with the reason in the caller's log on refusal.
 */
struct bpf_loadfd_prog *bpf_loadfd_prog_get(const union bpf_attr *attr, bpfptr_t uattr,
					    u32 uattr_size)
{
	struct loadfd_prog_load *l;
	struct loadfd_prog *p = NULL;
	struct loadfd_obj *obj;
	union bpf_attr *kattr;
	char name[KSYM_NAME_LEN];
	struct file *file;
	long len;
	int ret;
	u32 i;

	/* Keeps loader_fd reservable: it means nothing without a name. */
	if (!attr->loader_prog_name)
		return ERR_PTR(loadfd_prog_reject(attr, uattr, uattr_size, -EINVAL,
						  "loader_fd %u set without loader_prog_name\n",
						  attr->loader_fd));
	file = fget(attr->loader_fd);
	if (!file)
		return ERR_PTR(loadfd_prog_reject(attr, uattr, uattr_size, -EBADF,
						  "loader_fd %u: not an open file descriptor\n",
						  attr->loader_fd));
	/* Never trust private_data of a file that is not a loader object. */
	if (file->f_op != &loadfd_fops) {
		fput(file);
		return ERR_PTR(loadfd_prog_reject(attr, uattr, uattr_size, -EINVAL,
						  "loader_fd %u: not a BPF_LOAD_FD loader object\n",
						  attr->loader_fd));
	}
	obj = file->private_data;
	len = strncpy_from_bpfptr(name, make_bpfptr(attr->loader_prog_name, uattr.is_kernel),
				  sizeof(name));
	if (len < 0) {
		ret = loadfd_prog_reject(attr, uattr, uattr_size, -EFAULT,
					 "loader_prog_name: bad address\n");
		goto err_file;
	}
	if (len == sizeof(name)) {
		ret = loadfd_prog_reject(attr, uattr, uattr_size, -E2BIG,
					 "loader_prog_name: longer than %zu bytes\n",
					 sizeof(name) - 1);
		goto err_file;
	}
	for (i = 0; i < obj->prog_cnt; i++) {
		if (!strcmp(obj->progs[i].name, name)) {
			p = &obj->progs[i];
			break;
		}
	}
	if (!p) {
		ret = loadfd_prog_reject(attr, uattr, uattr_size, -ENOENT,
					 "loader %d has no program '%s'\n", obj->id, name);
		goto err_file;
	}
	if (p->load_err) {
		ret = loadfd_prog_reject(attr, uattr, uattr_size, p->load_err,
					 "prog '%s': %s\n", name, p->load_err_msg);
		goto err_file;
	}
	if (loadfd_attr_contradicts(attr, p)) {
		ret = loadfd_prog_reject(attr, uattr, uattr_size, -EINVAL,
					 "prog '%s': attr sets fields the loader object provides (insns, license, BTF, func/line info, CO-RE records, fd_array, or a different type)\n",
					 name);
		goto err_file;
	}
	l = kzalloc(sizeof(*l), GFP_KERNEL);
	if (!l) {
		ret = loadfd_prog_reject(attr, uattr, uattr_size, -ENOMEM,
					 "prog '%s': out of memory\n", name);
		goto err_file;
	}
	l->file = file;
	l->p = p;
	l->lp.live = loadfd_live_reserve(p);
	if (IS_ERR(l->lp.live)) {
		ret = PTR_ERR(l->lp.live);
		l->lp.live = NULL;
		if (ret == -E2BIG)
			ret = loadfd_prog_reject(attr, uattr, uattr_size, ret,
						 "prog '%s': %u programs loaded from it are still live, the most its prog_ids lists\n",
						 name, LOADFD_MAX_LIVE_PROGS);
		else
			ret = loadfd_prog_reject(attr, uattr, uattr_size, ret,
						 "prog '%s': out of memory\n", name);
		goto err;
	}
	kattr = &l->lp.attr;
	*kattr = *attr;
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
	ret = loadfd_prog_target(attr, uattr, uattr_size, kattr, p, &l->lp);
	if (!ret && p->prog_type == BPF_PROG_TYPE_STRUCT_OPS)
		ret = loadfd_st_ops_target(attr, uattr, uattr_size, kattr, p, &l->lp);
	if (ret)
		goto err;
	/* The caller may hold this loader fd without ever having held a map
	 * fd (SCM_RIGHTS, pidfd_getfd): LSMs decide on its map access here,
	 * as they would have when it opened the maps.
	 */
	for (i = 0; i < obj->map_cnt; i++) {
		ret = security_bpf_map(obj->maps[i], FMODE_CAN_READ | FMODE_CAN_WRITE);
		if (ret) {
			ret = loadfd_prog_reject(attr, uattr, uattr_size, ret,
						 "prog '%s': access to map '%s' denied (%d)\n",
						 name, obj->map_info[i].name, ret);
			goto err;
		}
	}

	ret = loadfd_arena_fill(obj, attr, uattr, uattr_size, name);
	if (ret)
		goto err;

	l->lp.loader_id = obj->id;
	l->lp.dev = obj->dev;
	l->lp.ino = obj->ino;
	memcpy(l->lp.sha256, obj->sha256, sizeof(l->lp.sha256));
	memcpy(l->lp.overrides_sha256, obj->overrides_sha256, sizeof(l->lp.overrides_sha256));
	l->lp.overrides = obj->override_cnt;
	l->lp.maps = obj->maps;
	l->lp.map_cnt = obj->map_cnt;
	l->lp.btf = obj->btf;
	l->lp.btfs = obj->btfs;
	l->lp.btf_cnt = obj->btf_cnt;
	return &l->lp;

err:
	loadfd_prog_load_free(l);
	return ERR_PTR(ret);
err_file:
	fput(file);
	return ERR_PTR(ret);
}

/*
 * Finishes a BPF_PROG_LOAD by name whose verification returned @ret (the new
 * program's fd, or -errno): the caller's log_true_size, the prog-array slots
 * that name the program (as libbpf fills them once the programs are
 * loaded), then everything bpf_loadfd_prog_get() held. Returns the result of
 * the whole load.
 */
int bpf_loadfd_prog_put(struct bpf_loadfd_prog *lp, int ret, bpfptr_t uattr, u32 uattr_size)
{
	struct loadfd_prog_load *l = container_of(lp, struct loadfd_prog_load, lp);
	const union bpf_attr *kattr = &lp->attr;
	struct loadfd_obj *obj = l->file->private_data;
	struct loadfd_prog *p = l->p;
	u32 i;

	if (uattr_size >= offsetofend(union bpf_attr, log_true_size) &&
	    copy_to_bpfptr_offset(uattr, offsetof(union bpf_attr, log_true_size),
				  &kattr->log_true_size, sizeof(kattr->log_true_size))) {
		/* Same as bpf_prog_load(): the program exists, the fd is the caller's. */
		if (ret >= 0)
			close_fd(ret);
		ret = -EFAULT;
	}
	for (i = 0; ret >= 0 && lp->prog && i < obj->prog_slot_cnt; i++) {
		struct loadfd_prog_slot *ps = &obj->prog_slots[i];
		int err;

		if (ps->prog_idx != p - obj->progs)
			continue;
		err = bpf_prog_array_update_kern(obj->maps[ps->map_idx], ps->slot, lp->prog);
		if (err) {
			close_fd(ret);
			ret = loadfd_prog_reject(kattr, uattr, uattr_size, err,
						 "prog '%s': setting slot %u of prog array '%s' failed (%d)\n",
						 p->name, ps->slot,
						 obj->map_info[ps->map_idx].name, err);
		}
	}
	loadfd_prog_load_free(l);
	return ret;
}
