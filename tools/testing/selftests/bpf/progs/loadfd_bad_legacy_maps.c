// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_LOAD_FD rejection test object (prog_tests/loadfd_reject.c): a map in the legacy
 * "maps" section (struct bpf_map_def, no BTF map definition). libbpf 1.0
 * dropped it; BPF_LOAD_FD refuses it with EOPNOTSUPP.
 */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))

struct loadfd_legacy_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};

struct loadfd_legacy_map_def loadfd_legacy_map SEC("maps") = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = 4,
	.value_size = 4,
	.max_entries = 1,
};

static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)BPF_FUNC_map_lookup_elem;

SEC("socket")
int loadfd_bad_legacy_maps(struct __sk_buff *skb)
{
	int key = 0;

	return bpf_map_lookup_elem(&loadfd_legacy_map, &key) ? 1 : 0;
}

char _license[] SEC("license") = "GPL";
