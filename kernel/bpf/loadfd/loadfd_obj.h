/* SPDX-License-Identifier: GPL-2.0 */
/*
 * BPF_LOAD_FD: the loader object and its parts, as the C files share them
 * (loadfd.c: the syscall edge; loadfd_build.c: building it from Rust;
 * loadfd_prog.c: BPF_PROG_LOAD by name; loadfd_sysfs.c: sysfs and lifetime).
 * Not part of the C<->Rust contract, which is glue.h.
 */
#ifndef _BPF_LOADFD_OBJ_H
#define _BPF_LOADFD_OBJ_H

#include <crypto/sha2.h>
#include <linux/bpf.h>
#include <linux/bpf_loadfd.h>
#include <linux/bpfptr.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/path.h>
#include <linux/sched/signal.h>
#include <linux/spinlock.h>

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
	/* Borrowed from the Rust half, like the layouts below. */
	const char *name;
	const char *section;
	const char *attach_func;
	const char *attach_btf_name;	/* prefix + attach_func */
	u32 attach_btf_kind;
	u32 prog_type;
	u32 expected_attach_type;
	u32 prog_flags;
	bool sleepable;
	/* The program as the verifier takes it: borrowed from the Rust half. */
	const struct bpf_insn *insns;
	u32 insn_cnt;
	const void *func_info;
	u32 func_info_cnt;
	u32 func_info_rec_size;
	const void *line_info;
	u32 line_info_cnt;
	u32 line_info_rec_size;
	const void *core_relos;
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
	 * BTF the Rust half holds, or vmlinux's if NULL) and member a struct_ops
	 * map of the object puts it in; 0 if no map does.
	 */
	u32 st_ops_type_id;
	u32 st_ops_member;
	struct btf *st_ops_btf;
	/* A program that does not link: why its load by name fails
	 * (borrowed too).
	 */
	int load_err;
	const char *load_err_msg;
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
	/* The Rust half (loadfd_rs_create()): owns the map and BTF references. */
	void *rs;
	struct kobject kobj;		/* /sys/kernel/bpf_loadfd/<id> */
	struct kobject *progs_dir;
	struct kobject *maps_dir;
	int id;

	char *license;
	u32 kern_version;
	/* Borrowed from the Rust half (@rs), which holds the references. */
	struct btf *btf;

	struct bpf_map **maps;		/* what MAP_IDX refers to; borrowed */
	struct loadfd_map *map_info;
	u32 map_cnt;
	u32 map_cap;
	struct btf **btfs;		/* module BTFs, 1-based slots; borrowed */
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

/*
 * Called between units of input-sized work: reschedules if needed and
 * returns -EINTR once the caller has a fatal signal, 0 otherwise (the Rust
 * side does the same through kernel::task).
 */
static inline int loadfd_checkpoint(void)
{
	cond_resched();
	return fatal_signal_pending(current) ? -EINTR : 0;
}

/* loadfd_sysfs.c */
extern struct ida loadfd_ida;
/* A new, empty loader object, owned by its kobject. */
struct loadfd_obj *loadfd_obj_alloc(void);
/* Initialises the kobjects of the program and map slots (loadfd_obj_begin()). */
void loadfd_obj_init_children(struct loadfd_obj *obj);
/* Adds the object, its programs and its maps to sysfs. */
int loadfd_obj_register(struct loadfd_obj *obj);
/* Drops the creator's reference: the object and everything it holds go once
 * sysfs readers are done (at once if it was never registered).
 */
void loadfd_obj_destroy(struct loadfd_obj *obj);

/* loadfd.c */
extern const struct file_operations loadfd_fops;

/* loadfd_build.c */
/* @name as a kernel object name (BPF_OBJ_NAME_LEN, what the kernel takes). */
void loadfd_obj_name(char *dst, const char *name);
/* Fills the arenas still waiting for their user address, before program
 * @prog is loaded by name.
 */
int loadfd_arena_fill(struct loadfd_obj *obj, const union bpf_attr *attr, bpfptr_t uattr,
		      u32 uattr_size, const char *prog);

/* loadfd_prog.c */
extern atomic64_t loadfd_cookie_next;
extern spinlock_t loadfd_live_lock;
/* Fails a BPF_PROG_LOAD by name with @err and one log line. */
__printf(5, 6) int loadfd_prog_reject(const union bpf_attr *attr, bpfptr_t uattr,
				      u32 uattr_size, int err, const char *fmt, ...);

#endif /* _BPF_LOADFD_OBJ_H */
