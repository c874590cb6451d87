/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interface between the C glue (glue.c) and the Rust side (loadfd_main.rs)
 * of BPF_LOAD_FD. Included by rust/bindings/bindings_helper.h.
 */
#ifndef _BPF_LOADFD_GLUE_H
#define _BPF_LOADFD_GLUE_H

#include <linux/types.h>

struct bpf_verifier_log;

/* Largest object file BPF_LOAD_FD reads (same cap as BTF_MAX_SIZE). */
#define LOADFD_MAX_OBJ_SIZE (16 * 1024 * 1024)

/* C, called from Rust: append one line (no newline in @msg) to the log. */
void loadfd_log(struct bpf_verifier_log *log, const char *msg, size_t len);

/* Rust, called from C: build a loader object from @len bytes at @data. */
int loadfd_rs_create(const u8 *data, size_t len, struct bpf_verifier_log *log);

#endif /* _BPF_LOADFD_GLUE_H */
