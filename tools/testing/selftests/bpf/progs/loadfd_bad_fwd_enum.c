// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_LOAD_FD rejection test object (prog_tests/loadfd_reject.c): a global pointer to
 * a forward-declared enum. clang emits the enum as a BTF ENUM with no values
 * and size 0. The loader's core accepts it (it is well-formed BTF as far as
 * the loader needs), the kernel's BTF verifier does not (an enum's size must
 * be 1, 2, 4 or 8): BPF_LOAD_FD fails at BPF_BTF_LOAD with EINVAL.
 */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))

enum loadfd_fwd_enum;

enum loadfd_fwd_enum *loadfd_fwd_enum_ptr;

SEC("socket")
int loadfd_bad_fwd_enum(struct __sk_buff *skb)
{
	return loadfd_fwd_enum_ptr ? 1 : 0;
}

char _license[] SEC("license") = "GPL";
