// SPDX-License-Identifier: GPL-2.0
/* __arena variables: the first bytes of the object's arena, with initial
 * values, over two pages; a program that changes them.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define __arena __attribute__((address_space(1)))

char _license[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARENA);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 4);		/* pages */
} arena SEC(".maps");

int __arena loadfd_arena_counter = 41;
char __arena loadfd_arena_buf[5000] = { [4999] = 3 };

SEC("syscall")
int loadfd_arena_inc(void *ctx)
{
#if defined(__BPF_FEATURE_ADDR_SPACE_CAST)
	loadfd_arena_buf[4999] += 4;
	return ++loadfd_arena_counter;
#else
	return -1;
#endif
}
