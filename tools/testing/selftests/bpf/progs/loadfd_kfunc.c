// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_LOAD_FD end-to-end test object: vmlinux kfunc calls.
 *
 * A BPF_PROG_TYPE_SYSCALL program (SEC("syscall") is sleepable, so this also
 * checks that the loader adds BPF_F_SLEEPABLE) looks a task up by pid with
 * bpf_task_from_pid(), takes a second reference with bpf_task_acquire(),
 * reads the tgid through both references and drops them. The caller passes the pid
 * in the context and reads the result back from it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
void bpf_task_release(struct task_struct *p) __ksym;

struct loadfd_kfunc_args {
	int pid;
	int tgid;
	int found;
	int acquired_tgid;
};

SEC("syscall")
int loadfd_task_lookup(struct loadfd_kfunc_args *args)
{
	struct task_struct *t, *t2;

	args->found = 0;
	args->acquired_tgid = 0;
	t = bpf_task_from_pid(args->pid);
	if (!t)
		return 1;
	args->found = 1;
	args->tgid = t->tgid;
	t2 = bpf_task_acquire(t);
	if (t2) {
		args->acquired_tgid = t2->tgid;
		bpf_task_release(t2);
	}
	bpf_task_release(t);
	return 0;
}

char _license[] SEC("license") = "GPL";
