// SPDX-License-Identifier: GPL-2.0
/* A struct_ops map of a struct no kernel registers: BPF_LOAD_FD refuses it
 * (ENOENT, naming the value type it looked for), as libbpf does.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char _license[] SEC("license") = "GPL";

struct loadfd_no_such_ops {
	int (*run)(void);
	int flags;
};

SEC("struct_ops/run")
int loadfd_bad_run(void)
{
	return 0;
}

SEC(".struct_ops")
struct loadfd_no_such_ops loadfd_bad_ops = {
	.run = (void *)loadfd_bad_run,
	.flags = 1,
};
