/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the BPF_LOAD_FD tools under loadfd/ (loadfd_bench) share: where a
 * test object is. The test_progs tests have theirs in ../loadfd_helpers.h.
 */
#ifndef LOADFD_UTIL_H
#define LOADFD_UTIL_H

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Path of the BPF object NAME.bpf.o: in $LOADFD_OBJDIR, else next to the
 * running binary.
 */
static void obj_path(char *buf, size_t size, const char *name)
{
	const char *dir = getenv("LOADFD_OBJDIR");
	char exe[PATH_MAX / 2];
	ssize_t n;
	char *slash;

	if (dir && *dir) {
		snprintf(buf, size, "%s/%s.bpf.o", dir, name);
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0) {
		snprintf(buf, size, "%s.bpf.o", name);
		return;
	}
	exe[n] = 0;
	slash = strrchr(exe, '/');
	if (slash)
		*slash = 0;
	snprintf(buf, size, "%s/%s.bpf.o", exe, name);
}

#endif /* LOADFD_UTIL_H */
