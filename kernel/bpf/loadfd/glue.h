/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interface between the C side (loadfd*.c) and the Rust side (loadfd_main.rs)
 * of BPF_LOAD_FD. Included by rust/bindings/bindings_helper.h.
 *
 * Rust decides what the object means (core/) and owns what it is made of:
 * the maps, BTFs and program layouts, through kernel::bpf. C makes those
 * kernel objects (map creation, the BTF verifier and struct_ops use BPF
 * internals that 6.12 has no Rust abstraction for) and keeps the loader fd,
 * the programs' load-by-name state and the sysfs directory, which borrow
 * from Rust.
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

/* A program, as Rust hands it to loadfd_obj_add_prog(). Its strings
 * (NUL-terminated) and layouts (insns to core_relos) are Rust's, which keeps
 * them for the object's life, whatever loadfd_obj_add_prog() returns: the
 * program borrows them. A program that does not link has @load_err (a
 * negative errno) and @load_err_msg instead of layouts: its BPF_PROG_LOAD by
 * name fails with them.
 */
struct loadfd_prog_spec {
	const char *name;
	u32 name_len;
	const char *section;
	const char *attach_func;
	/* The attach target's BTF name: the SEC() prefix + attach_func. */
	const char *attach_btf_name;
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
	int load_err;
	const char *load_err_msg;
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

/* What the object is as a whole, as Rust hands it to loadfd_obj_begin(). */
struct loadfd_obj_spec {
	const u8 *license;
	u32 license_len;
	u32 kern_version;
	/* How many maps (struct_ops ones included) and programs follow. */
	u32 map_cnt;
	u32 prog_cnt;
	/* The object's BTF (fixed up by the core), or NULL. */
	const void *btf;
	u32 btf_size;
};

/* An initial slot of a map-in-map (LOADFD_SLOT_MAP: @target is a map
 * index) or of a prog array (LOADFD_SLOT_PROG: @target is a program index;
 * filled when that program is loaded by name).
 */
enum loadfd_slot_kind {
	LOADFD_SLOT_MAP,
	LOADFD_SLOT_PROG,
};

/*
 * The C<->Rust contract: nine functions.
 *
 * C, called from Rust while building @obj, in this order: begin, the maps,
 * their slots, the programs, the struct_ops maps. Each returns 0 (or an
 * index) or -errno, and logs its own reason.
 */
/* Sizes the object and loads its BTF through the kernel's BTF verifier.
 * *@btf_ref gets the new BTF and its reference, which Rust owns (obj->btf
 * borrows it); NULL if the object has no BTF.
 */
int loadfd_obj_begin(struct loadfd_obj *obj, const struct loadfd_obj_spec *spec,
		     struct btf **btf_ref);
/* Returns the map's index in the object (>= 0) or -errno. On success *@ref
 * gets the map with a reference and a user reference, which Rust owns
 * (obj->maps[] borrows it).
 */
int loadfd_obj_add_map(struct loadfd_obj *obj, const struct loadfd_map_spec *spec,
		       struct bpf_map **ref);
int loadfd_obj_add_slot(struct loadfd_obj *obj, u32 map_idx, u32 slot,
			enum loadfd_slot_kind kind, u32 target);
int loadfd_obj_add_prog(struct loadfd_obj *obj, const struct loadfd_prog_spec *spec);
/* Creates a struct_ops map (as libbpf's bpf_map__init_kern_struct_ops() and
 * bpf_object__create_map()) and gives its programs their attach target.
 * Returns the map's index or -errno, and *@ref as loadfd_obj_add_map() does.
 * When the struct is a module's, *@btf_ref gets that module's BTF with a
 * reference, which Rust owns (its programs borrow it), whatever the result;
 * otherwise *@btf_ref is NULL.
 */
int loadfd_obj_add_struct_ops(struct loadfd_obj *obj, const struct loadfd_st_ops_spec *spec,
			      struct bpf_map **ref, struct btf **btf_ref);

/* C, called from Rust: what the running kernel knows. */
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

/* The running kernel's .config (kconfig_blob.S), read by Rust. */
extern const u8 loadfd_config_data[];
extern const u8 loadfd_config_data_end[];

/* Rust, called from C: build the loader object @obj from @len bytes at @data.
 * *@rs gets the object's Rust half (what it owns: its BTFs), built or not;
 * loadfd_rs_release() frees it, after everything that borrows from it.
 */
int loadfd_rs_create(const u8 *data, size_t len, struct bpf_verifier_log *log,
		     struct loadfd_obj *obj, void **rs);
void loadfd_rs_release(void *rs);

#endif /* _BPF_LOADFD_GLUE_H */
