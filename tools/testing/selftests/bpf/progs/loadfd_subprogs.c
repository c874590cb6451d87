// SPDX-License-Identifier: GPL-2.0
/*
 * Subprogram layout for the loadfd core tests: two programs sharing
 * subprograms, a static and a global subprogram, a hidden global one (made
 * static in BTF), and a bpf_loop() callback (a BPF_PSEUDO_FUNC reference).
 *
 * prog_a reaches sub_global (which calls sub_static), then the callback
 * loop_cb; prog_b reaches sub_hidden (which calls sub_static). libbpf
 * appends in order of first use, depth first.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int out[4];

static __noinline int sub_static(int x)
{
	return x * 3 + 1;
}

__noinline int sub_global(int x)
{
	return sub_static(x) + 7;
}

__attribute__((visibility("hidden"))) __noinline int sub_hidden(int x)
{
	return sub_static(x) * 2;
}

static int loop_cb(__u32 idx, void *ctx)
{
	*(int *)ctx += idx;
	return 0;
}

SEC("socket")
int prog_a(void *ctx)
{
	int acc = 0;

	out[0] = sub_global(2);
	bpf_loop(4, loop_cb, &acc, 0);
	out[1] = acc;
	return 0;
}

SEC("socket")
int prog_b(void *ctx)
{
	out[2] = sub_hidden(5);
	return 0;
}

char _license[] SEC("license") = "GPL";
