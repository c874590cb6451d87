// SPDX-License-Identifier: GPL-2.0
/* struct_ops of a module (bpf_testmod_ops, in bpf_testmod's BTF): a
 * .struct_ops.link map and a .struct_ops one sharing a program.
 * bpf_testmod's reg() calls test_1() and test_2(4, data).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "../bpf_testmod/bpf_testmod.h"

char _license[] SEC("license") = "GPL";

int test_1_result;
int test_2_result;

SEC("struct_ops/test_1")
int BPF_PROG(loadfd_mod_test_1)
{
	test_1_result = 0xdeadbeef;
	return 0;
}

SEC("struct_ops/test_2")
void BPF_PROG(loadfd_mod_test_2, int a, int b)
{
	test_2_result = a + b;
}

SEC(".struct_ops.link")
struct bpf_testmod_ops loadfd_testmod = {
	.test_1 = (void *)loadfd_mod_test_1,
	.test_2 = (void *)loadfd_mod_test_2,
	.data = 7,
};

SEC(".struct_ops")
struct bpf_testmod_ops loadfd_testmod_nolink = {
	.test_1 = (void *)loadfd_mod_test_1,
	.data = 9,
};

/* In no struct_ops map: it has no target, and cannot be loaded. */
SEC("?struct_ops/test_1")
int BPF_PROG(loadfd_mod_unused)
{
	return 0;
}
