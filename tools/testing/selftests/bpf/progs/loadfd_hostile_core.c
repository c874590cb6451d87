// SPDX-License-Identifier: GPL-2.0
/*
 * One CO-RE field access (prog_tests/loadfd_hostile.c, finding M1): the test strips
 * func_info and line_info from .BTF.ext and keeps the CO-RE record. The
 * local layout puts len at offset 4 (pkt_type in the kernel's __sk_buff),
 * so a program whose CO-RE record is dropped reads the wrong field.
 */
#define SEC(x) __attribute__((section(x), used))

struct __sk_buff___loadfd {
	int pad;
	unsigned int len;
} __attribute__((preserve_access_index));

SEC("socket")
int prog(struct __sk_buff___loadfd *skb)
{
	return __builtin_preserve_access_index(skb->len);
}

char _license[] SEC("license") = "GPL";
