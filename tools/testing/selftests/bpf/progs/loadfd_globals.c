// SPDX-License-Identifier: GPL-2.0
/*
 * Global data for the loadfd core tests: variables at non-zero offsets in
 * .data, .rodata, .bss and a custom .data.custom section, a static
 * variable, and a hidden variable alone in its own section (so that map is
 * not mmapable). A loader that drops the symbol offset of a data
 * relocation (the RFC's bug) reads pad_* instead of *_val.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 pad_data = 1;
__u64 data_val = 0x1122334455667788ULL;
const volatile __u32 ro_pad = 3;
const volatile __u32 ro_val = 42;
__u64 bss_pad;
__u64 bss_val;
__u32 custom_pad SEC(".data.custom") = 11;
__u32 custom_val SEC(".data.custom") = 77;
static __u32 static_val = 5;
__attribute__((visibility("hidden"))) __u32 hidden_val SEC(".data.hidden") = 9;

SEC("socket")
int globals(void *ctx)
{
	static_val++;
	bss_val = data_val + ro_val + custom_val + static_val + hidden_val;
	return 0;
}

char _license[] SEC("license") = "GPL";
