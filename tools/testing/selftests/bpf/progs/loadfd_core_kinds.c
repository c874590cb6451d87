// SPDX-License-Identifier: GPL-2.0
/*
 * Every CO-RE relocation kind (enum bpf_core_relo_kind, 0..12) against real
 * vmlinux types, recorded into .bss by one SEC("syscall") program.
 *
 * The local definitions are "flavors" (name___suffix) whose layout, sizes,
 * signedness and enum values deliberately differ from the kernel's, so a
 * recorded value can only be right if the relocation was applied against
 * the running kernel's BTF; clang's local value would be wrong.
 *
 * The context is a struct printf_spec (lib/vsprintf.c: unsigned and signed
 * bitfields in 8 bytes) that userspace packs at the bit offsets vmlinux BTF
 * gives; the program reads each bitfield back with
 * BPF_CORE_READ_BITFIELD_PROBED (BYTE_OFFSET, BYTE_SIZE, LSHIFT_U64,
 * RSHIFT_U64, SIGNED).
 *
 * prog_tests/loadfd_core.c checks the results against vmlinux BTF and
 * against the same object loaded by libbpf.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

/* Kernel: pid at some offset, comm[16], unsigned int flags. Here pid is
 * unsigned and early, flags is signed, comm is 4 bytes, and one field does
 * not exist in the kernel at all.
 */
struct task_struct___kinds {
	unsigned int pid;
	int flags;
	char comm[4];
	int loadfd_no_such_field;
} __attribute__((preserve_access_index));

/* Kernel: unsigned type:8, int field_width:24, unsigned flags:8,
 * unsigned base:8, int precision:16 (8 bytes). Here: other order, other
 * widths, and a trailing long (16 bytes).
 */
struct printf_spec___kinds {
	unsigned int base: 4;
	int precision: 12;
	unsigned int flags: 4;
	unsigned int type: 4;
	int field_width: 8;
	long loadfd_pad;
} __attribute__((preserve_access_index));

/* TYPE_MATCHES: members are a subset of the kernel's, same int sizes and
 * signedness (bitfield widths do not take part).
 */
struct printf_spec___match {
	int precision: 16;
	unsigned int type: 8;
} __attribute__((preserve_access_index));

/* A subset of task_struct: pid_t is int, flags unsigned int. */
struct task_struct___match {
	int pid;
	int tgid;
	unsigned int flags;
} __attribute__((preserve_access_index));

/* precision is signed in the kernel: no match. */
struct printf_spec___nomatch {
	unsigned int precision;
} __attribute__((preserve_access_index));

struct loadfd_no_such_type___kinds {
	int a;
};

/* Kernel values: BPF_PROG_TYPE_SYSCALL is 31 (uapi), CPUHP_AP_ONLINE_DYN
 * depends on the configuration.
 */
enum bpf_prog_type___kinds {
	BPF_PROG_TYPE_SYSCALL___kinds = 1000,
	LOADFD_NO_SUCH_PROG_TYPE___kinds = 1001,
};

enum cpuhp_state___kinds {
	CPUHP_AP_ONLINE_DYN___kinds = 7,
};

/* FIELD_BYTE_OFFSET, FIELD_BYTE_SIZE, FIELD_EXISTS, FIELD_SIGNED */
__u64 kinds_off_pid;
__u64 kinds_off_pid_plain;		/* vmlinux.h's struct task_struct */
__u64 kinds_size_comm;
__u64 kinds_exists_pid;
__u64 kinds_exists_missing;
__u64 kinds_signed_pid;
__u64 kinds_signed_flags;

/* The bitfields' relocations: FIELD_BYTE_OFFSET, FIELD_BYTE_SIZE,
 * FIELD_LSHIFT_U64, FIELD_RSHIFT_U64, FIELD_SIGNED.
 */
__u64 kinds_fw_byte_off;
__u64 kinds_fw_byte_size;
__u64 kinds_fw_lshift;
__u64 kinds_fw_rshift;
__u64 kinds_fw_signed;
__u64 kinds_ty_byte_off;
__u64 kinds_ty_byte_size;
__u64 kinds_ty_lshift;
__u64 kinds_ty_rshift;
__u64 kinds_ty_signed;

/* BPF_CORE_READ_BITFIELD_PROBED() of every printf_spec bitfield. */
__u64 kinds_bf_type;
__s64 kinds_bf_field_width;
__u64 kinds_bf_flags;
__u64 kinds_bf_base;
__s64 kinds_bf_precision;

/* TYPE_ID_LOCAL, TYPE_ID_TARGET */
__u64 kinds_id_local_task;
__u64 kinds_id_local_flavor;
__u64 kinds_id_kernel_task;
__u64 kinds_id_kernel_flavor;

/* TYPE_EXISTS, TYPE_SIZE */
__u64 kinds_type_exists_task;
__u64 kinds_type_exists_flavor;
__u64 kinds_type_exists_missing;
__u64 kinds_type_size_task;
__u64 kinds_type_size_spec;

/* ENUMVAL_EXISTS, ENUMVAL_VALUE */
__u64 kinds_enum_exists_syscall;
__u64 kinds_enum_exists_missing;
__u64 kinds_enum_value_syscall;
__u64 kinds_enum_value_cpuhp;

/* TYPE_MATCHES on small types only. The kernel's relo_core (which the
 * loader uses, as light skeletons do) limits bpf_core_types_match() to
 * MAX_TYPES_MATCH_DEPTH 2 nested levels and fails the relocation (-EINVAL)
 * beyond; libbpf recurses 32 levels. So matching all of vmlinux.h's
 * task_struct is a known difference of in-kernel CO-RE, not tested here.
 */
__u64 kinds_matches_task;
__u64 kinds_matches_spec;
__u64 kinds_matches_not;

__u64 kinds_ran;

/* bpf_core_read.h has no wrapper for FIELD_SIGNED, LSHIFT_U64, RSHIFT_U64. */
#define field_signed(f) __builtin_preserve_field_info(f, BPF_FIELD_SIGNED)
#define field_lshift(f) __builtin_preserve_field_info(f, BPF_FIELD_LSHIFT_U64)
#define field_rshift(f) __builtin_preserve_field_info(f, BPF_FIELD_RSHIFT_U64)

SEC("syscall")
int core_kinds(struct printf_spec___kinds *spec)
{
	struct task_struct___kinds *t = NULL;

	kinds_off_pid = bpf_core_field_offset(t->pid);
	kinds_off_pid_plain = bpf_core_field_offset(struct task_struct, pid);
	kinds_size_comm = bpf_core_field_size(t->comm);
	kinds_exists_pid = bpf_core_field_exists(t->pid);
	kinds_exists_missing = bpf_core_field_exists(t->loadfd_no_such_field);
	kinds_signed_pid = field_signed(t->pid);
	kinds_signed_flags = field_signed(t->flags);

	kinds_fw_byte_off = bpf_core_field_offset(spec->field_width);
	kinds_fw_byte_size = bpf_core_field_size(spec->field_width);
	kinds_fw_lshift = field_lshift(spec->field_width);
	kinds_fw_rshift = field_rshift(spec->field_width);
	kinds_fw_signed = field_signed(spec->field_width);
	kinds_ty_byte_off = bpf_core_field_offset(spec->type);
	kinds_ty_byte_size = bpf_core_field_size(spec->type);
	kinds_ty_lshift = field_lshift(spec->type);
	kinds_ty_rshift = field_rshift(spec->type);
	kinds_ty_signed = field_signed(spec->type);

	kinds_bf_type = BPF_CORE_READ_BITFIELD_PROBED(spec, type);
	kinds_bf_field_width = BPF_CORE_READ_BITFIELD_PROBED(spec, field_width);
	kinds_bf_flags = BPF_CORE_READ_BITFIELD_PROBED(spec, flags);
	kinds_bf_base = BPF_CORE_READ_BITFIELD_PROBED(spec, base);
	kinds_bf_precision = BPF_CORE_READ_BITFIELD_PROBED(spec, precision);

	kinds_id_local_task = bpf_core_type_id_local(struct task_struct);
	kinds_id_local_flavor = bpf_core_type_id_local(struct task_struct___kinds);
	kinds_id_kernel_task = bpf_core_type_id_kernel(struct task_struct);
	kinds_id_kernel_flavor = bpf_core_type_id_kernel(struct task_struct___kinds);

	kinds_type_exists_task = bpf_core_type_exists(struct task_struct);
	kinds_type_exists_flavor = bpf_core_type_exists(struct printf_spec___kinds);
	kinds_type_exists_missing = bpf_core_type_exists(struct loadfd_no_such_type___kinds);
	kinds_type_size_task = bpf_core_type_size(struct task_struct);
	kinds_type_size_spec = bpf_core_type_size(struct printf_spec___kinds);

	kinds_enum_exists_syscall = bpf_core_enum_value_exists(enum bpf_prog_type___kinds,
							       BPF_PROG_TYPE_SYSCALL___kinds);
	kinds_enum_exists_missing = bpf_core_enum_value_exists(enum bpf_prog_type___kinds,
							       LOADFD_NO_SUCH_PROG_TYPE___kinds);
	kinds_enum_value_syscall = bpf_core_enum_value(enum bpf_prog_type___kinds,
						       BPF_PROG_TYPE_SYSCALL___kinds);
	kinds_enum_value_cpuhp = bpf_core_enum_value(enum cpuhp_state___kinds,
						     CPUHP_AP_ONLINE_DYN___kinds);

	kinds_matches_task = bpf_core_type_matches(struct task_struct___match);
	kinds_matches_spec = bpf_core_type_matches(struct printf_spec___match);
	kinds_matches_not = bpf_core_type_matches(struct printf_spec___nomatch);

	kinds_ran = 1;
	return 0;
}

char _license[] SEC("license") = "GPL";
