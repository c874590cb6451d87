/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interface between the C side (loadfd*.c) and the Rust side (loadfd_main.rs)
 * of BPF_LOAD_FD. Included by rust/bindings/bindings_helper.h.
 *
 * Rust decides what the object means (core/); C holds the kernel objects
 * the result is made of (maps, BTF, the loader fd and its sysfs directory),
 * because 6.12 has no Rust abstraction for any of them.
 */
#ifndef _BPF_LOADFD_GLUE_H
#define _BPF_LOADFD_GLUE_H

#include <linux/types.h>
#include <linux/version.h>	/* LINUX_VERSION_CODE, for Rust */

struct bpf_map;
struct bpf_verifier_log;
struct btf;
struct loadfd_obj;

/* Largest object file BPF_LOAD_FD reads (same cap as BTF_MAX_SIZE). */
#define LOADFD_MAX_OBJ_SIZE (16 * 1024 * 1024)
/* Most maps a caller may supply by name. */
#define LOADFD_MAX_USER_MAPS 1024
/* Most module BTFs one object may use (the verifier's MAX_KFUNC_BTFS). */
#define LOADFD_MAX_MODULE_BTFS 256
/* Longest name (program, section, map, attach target) the glue copies; the
 * core refuses longer ones first. KSYM_NAME_LEN: no kernel symbol is longer.
 */
#define LOADFD_MAX_NAME_LEN 512
/* Most programs loaded by name from one loader program that may be alive at
 * once: sysfs prog_ids lists them all in one page.
 */
#define LOADFD_MAX_LIVE_PROGS 256

/* A map the object defines, as Rust hands it to loadfd_obj_add_map(). */
struct loadfd_map_spec {
	const u8 *name;
	u32 name_len;
	u32 map_type;
	u32 key_size;
	u32 value_size;
	u32 max_entries;
	u32 map_flags;
	u32 numa_node;
	u32 btf_key_type_id;
	u32 btf_value_type_id;
	u64 map_extra;
	/* Inner map template for map-in-map, or NULL. */
	const struct loadfd_map_spec *inner;
	/* Initial value of key 0 (global data), or NULL. */
	const u8 *init_data;
	u32 init_size;
	/* Freeze after initialisation (.rodata, .kconfig). */
	bool freeze;
	/* .kconfig: values from the running kernel, never supplied. */
	bool kconfig;
	/* LIBBPF_PIN_BY_NAME: reused from, or pinned in, the pin directory. */
	bool pin_by_name;
	/* An arena's __arena variables: @arena_size bytes at the start of the
	 * arena, the first @arena_data_len of them from @arena_data.
	 */
	const u8 *arena_data;
	u32 arena_data_len;
	u32 arena_size;
};

/* A relocated program, as Rust hands it to loadfd_obj_add_prog(). The
 * strings are copied; the layouts (insns to core_relos) are Rust's, which
 * keeps them for the object's life: the program borrows them.
 */
struct loadfd_prog_spec {
	const u8 *name;
	u32 name_len;
	const u8 *section;
	u32 section_len;
	const u8 *attach_func;
	u32 attach_func_len;
	/* The attach target's BTF name is attach_prefix + attach_func. */
	const u8 *attach_prefix;
	u32 attach_prefix_len;
	u32 attach_btf_kind;
	u32 prog_type;
	u32 expected_attach_type;
	u32 prog_flags;
	bool sleepable;
	const void *insns;
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
};

/*
 * A struct_ops map (a variable of .struct_ops or .struct_ops.link), as Rust
 * hands it to loadfd_obj_add_struct_ops() once the programs are added.
 */
struct loadfd_st_ops_spec {
	const u8 *name;
	u32 name_len;
	/* The struct in the object's BTF, and the variable's bytes. */
	u32 type_id;
	const u8 *data;
	u32 data_len;
	/* For member i of the struct, the index of the program the object
	 * puts there (a .rel.struct_ops entry), or LOADFD_NO_PROG.
	 */
	const u32 *progs;
	u32 member_cnt;
	/* .struct_ops.link: BPF_F_LINK. */
	bool link;
};

#define LOADFD_NO_PROG 0xffffffffU

/* C, called from Rust while building @obj; each returns 0 or -errno and logs
 * its own reason.
 */
int loadfd_obj_set_meta(struct loadfd_obj *obj, const u8 *license, u32 license_len,
			u32 kern_version);
/* Sizes the object's arrays once the core knows the counts. */
int loadfd_obj_reserve(struct loadfd_obj *obj, u32 map_cnt, u32 prog_cnt);
/* Loads the object's BTF through the kernel's BTF verifier. *@ref gets the
 * new BTF and its reference, which Rust owns (obj->btf borrows it).
 */
int loadfd_obj_load_btf(struct loadfd_obj *obj, const void *btf, u32 size, struct btf **ref);
/* Returns the map's index in the object (>= 0) or -errno. On success *@ref
 * gets the map with a reference and a user reference, which Rust owns
 * (obj->maps[] borrows it).
 */
int loadfd_obj_add_map(struct loadfd_obj *obj, const struct loadfd_map_spec *spec,
		       struct bpf_map **ref);
int loadfd_obj_set_map_slot(struct loadfd_obj *obj, u32 map_idx, u32 slot, u32 target_map_idx);
/* Prog-array slot @slot of map @map_idx gets program @prog_idx when that
 * program is loaded by name.
 */
int loadfd_obj_add_prog_slot(struct loadfd_obj *obj, u32 map_idx, u32 slot, u32 prog_idx);
int loadfd_obj_add_prog(struct loadfd_obj *obj, const struct loadfd_prog_spec *spec);
/* A program of the object that cannot be loaded (it does not link): its
 * BPF_PROG_LOAD by name fails with @err and the line @msg.
 */
int loadfd_obj_add_prog_error(struct loadfd_obj *obj, const u8 *name, u32 name_len,
			      const u8 *section, u32 section_len, u32 prog_type, int err,
			      const u8 *msg, u32 msg_len);
/* Creates a struct_ops map (as libbpf's bpf_map__init_kern_struct_ops() and
 * bpf_object__create_map()) and gives its programs their attach target.
 * Returns the map's index or -errno, and *@ref as loadfd_obj_add_map() does.
 */
int loadfd_obj_add_struct_ops(struct loadfd_obj *obj, const struct loadfd_st_ops_spec *spec,
			      struct bpf_map **ref);

/* The running kernel's .config (kconfig_blob.S). */
extern const u8 loadfd_config_data[];
extern const u8 loadfd_config_data_end[];

/* C, called from Rust: what the running kernel knows. */
/* The kernel's own .config text (CONFIG_FOO=y lines). */
const u8 *loadfd_kconfig_text(size_t *len);
/* BTF id of @name/@kind in vmlinux or a module whose type is compatible with
 * the object's @local_type_id (0: no check); *@slot is 0 for vmlinux or the
 * object's 1-based module BTF slot. Returns the id, or -ENOENT. When that
 * module BTF takes a new slot, *@ref gets its reference, which Rust owns
 * (obj->btfs[] borrows it); otherwise *@ref is NULL.
 */
s32 loadfd_btf_find(struct loadfd_obj *obj, const u8 *name, size_t len, u32 kind,
		    u32 local_type_id, u32 *slot, struct btf **ref);
/* Address of the vmlinux symbol @name in *@addr (typeless ksyms). Returns 1
 * if found, 0 if not, -EPERM if the caller may not see kernel addresses
 * (kallsyms_show_value(), as bpf_kallsyms_lookup_name() requires), -EOPNOTSUPP
 * if @name is a module symbol (its address could go stale while the loader
 * object lives), -EINTR on a fatal signal.
 */
int loadfd_kallsyms(const u8 *name, size_t len, u64 *addr);
/* Called between units of input-sized work: reschedules if needed and
 * returns -EINTR once the caller has a fatal signal, 0 otherwise.
 */
int loadfd_checkpoint(void);

/* Rust, called from C: build the loader object @obj from @len bytes at @data.
 * *@rs gets the object's Rust half (what it owns: its BTFs), built or not;
 * loadfd_rs_release() frees it, after everything that borrows from it.
 */
int loadfd_rs_create(const u8 *data, size_t len, struct bpf_verifier_log *log,
		     struct loadfd_obj *obj, void **rs);
void loadfd_rs_release(void *rs);

/* C, called once from the Rust module's init. */
int loadfd_glue_init(void);

#endif /* _BPF_LOADFD_GLUE_H */
