// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* BPF_LOAD_FD loader objects, as /sys/kernel/bpf_loadfd describes them. */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "main.h"

#define LOADFD_SYSFS "/sys/kernel/bpf_loadfd"
/* Paths below LOADFD_SYSFS: a loader id, a subdirectory, a name (NAME_MAX). */
#define LOADFD_PATH_MAX (sizeof(LOADFD_SYSFS) + 2 * NAME_MAX + 32)

/* The first line of @dir/@name in @buf (empty on error). */
static void read_attr(const char *dir, const char *name, char *buf, size_t size)
{
	char path[LOADFD_PATH_MAX + 2 * NAME_MAX + 40];
	FILE *f;

	buf[0] = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return;
	if (!fgets(buf, size, f))
		buf[0] = 0;
	buf[strcspn(buf, "\n")] = 0;
	fclose(f);
}

static int cmp_names(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* The entries of @dir but "." and "..", sorted; their count or -1. */
static int list_dir(const char *dir, struct dirent ***names)
{
	int i, n, m = 0;

	n = scandir(dir, names, NULL, cmp_names);
	if (n < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (!strcmp((*names)[i]->d_name, ".") || !strcmp((*names)[i]->d_name, ".."))
			free((*names)[i]);
		else
			(*names)[m++] = (*names)[i];
	}
	return m;
}

static void free_list(struct dirent **names, int n)
{
	while (n > 0)
		free(names[--n]);
	free(names);
}

/*
 * The loader object a program id was loaded from: its id (and the loader
 * program's name in @name), or -1. Reads every loader's prog_ids, so only
 * root (who may read /sys/kernel/bpf_loadfd) sees it.
 */
int loader_of_prog(__u32 prog_id, char *name, size_t size)
{
	struct dirent **objs = NULL, **progs;
	char dir[LOADFD_PATH_MAX + 16], ids[4096], *p, *end;
	int i, j, n, m, found = -1;

	n = list_dir(LOADFD_SYSFS, &objs);
	for (i = 0; i < n && found < 0; i++) {
		snprintf(dir, sizeof(dir), LOADFD_SYSFS "/%s/programs", objs[i]->d_name);
		m = list_dir(dir, &progs);
		for (j = 0; j < m && found < 0; j++) {
			char pdir[LOADFD_PATH_MAX + NAME_MAX + 18];

			snprintf(pdir, sizeof(pdir), "%s/%s", dir, progs[j]->d_name);
			read_attr(pdir, "prog_ids", ids, sizeof(ids));
			for (p = ids; *p; p = end) {
				unsigned long id = strtoul(p, &end, 10);

				if (end == p)
					break;
				if (id == prog_id) {
					found = atoi(objs[i]->d_name);
					snprintf(name, size, "%s", progs[j]->d_name);
					break;
				}
			}
		}
		if (m > 0)
			free_list(progs, m);
	}
	if (n > 0)
		free_list(objs, n);
	return found;
}

static void show_progs(const char *odir)
{
	char dir[LOADFD_PATH_MAX + 16], pdir[LOADFD_PATH_MAX + NAME_MAX + 18], buf[4096], *p, *end;
	struct dirent **progs;
	int i, m;

	snprintf(dir, sizeof(dir), "%s/programs", odir);
	m = list_dir(dir, &progs);
	if (json_output) {
		jsonw_name(json_wtr, "programs");
		jsonw_start_array(json_wtr);
	}
	for (i = 0; i < m; i++) {
		snprintf(pdir, sizeof(pdir), "%s/%s", dir, progs[i]->d_name);
		if (json_output) {
			jsonw_start_object(json_wtr);
			jsonw_string_field(json_wtr, "name", progs[i]->d_name);
			read_attr(pdir, "section", buf, sizeof(buf));
			jsonw_string_field(json_wtr, "section", buf);
			read_attr(pdir, "insn_cnt", buf, sizeof(buf));
			jsonw_uint_field(json_wtr, "insn_cnt", strtoul(buf, NULL, 10));
			read_attr(pdir, "prog_ids", buf, sizeof(buf));
			jsonw_name(json_wtr, "prog_ids");
			jsonw_start_array(json_wtr);
			for (p = buf; *p; p = end) {
				unsigned long id = strtoul(p, &end, 10);

				if (end == p)
					break;
				jsonw_uint(json_wtr, id);
			}
			jsonw_end_array(json_wtr);
			jsonw_end_object(json_wtr);
			continue;
		}
		printf("\tprog %s", progs[i]->d_name);
		read_attr(pdir, "section", buf, sizeof(buf));
		printf("  section %s", buf);
		read_attr(pdir, "insn_cnt", buf, sizeof(buf));
		printf("  insns %s", buf);
		read_attr(pdir, "prog_ids", buf, sizeof(buf));
		if (buf[0])
			printf("  prog_ids %s", buf);
		printf("\n");
	}
	if (json_output)
		jsonw_end_array(json_wtr);
	if (m > 0)
		free_list(progs, m);
}

static void show_maps(const char *odir)
{
	char dir[LOADFD_PATH_MAX + 16], mdir[LOADFD_PATH_MAX + NAME_MAX + 18], id[32], origin[128];
	struct dirent **maps;
	int i, m;

	snprintf(dir, sizeof(dir), "%s/maps", odir);
	m = list_dir(dir, &maps);
	if (json_output) {
		jsonw_name(json_wtr, "maps");
		jsonw_start_array(json_wtr);
	}
	for (i = 0; i < m; i++) {
		snprintf(mdir, sizeof(mdir), "%s/%s", dir, maps[i]->d_name);
		read_attr(mdir, "id", id, sizeof(id));
		read_attr(mdir, "origin", origin, sizeof(origin));
		if (json_output) {
			jsonw_start_object(json_wtr);
			jsonw_string_field(json_wtr, "name", maps[i]->d_name);
			jsonw_uint_field(json_wtr, "id", strtoul(id, NULL, 10));
			jsonw_string_field(json_wtr, "origin", origin);
			jsonw_end_object(json_wtr);
		} else {
			printf("\tmap %s  id %s  %s\n", maps[i]->d_name, id, origin);
		}
	}
	if (json_output)
		jsonw_end_array(json_wtr);
	if (m > 0)
		free_list(maps, m);
}

static void show_loader(const char *name)
{
	char dir[LOADFD_PATH_MAX], sha[80], dev[32], ino[32], lic[128], ovr[128];

	snprintf(dir, sizeof(dir), LOADFD_SYSFS "/%s", name);
	read_attr(dir, "sha256", sha, sizeof(sha));
	read_attr(dir, "dev", dev, sizeof(dev));
	read_attr(dir, "ino", ino, sizeof(ino));
	read_attr(dir, "license", lic, sizeof(lic));
	read_attr(dir, "overrides", ovr, sizeof(ovr));
	if (json_output) {
		jsonw_start_object(json_wtr);
		jsonw_uint_field(json_wtr, "id", strtoul(name, NULL, 10));
		jsonw_string_field(json_wtr, "sha256", sha);
		jsonw_string_field(json_wtr, "dev", dev);
		jsonw_uint_field(json_wtr, "ino", strtoull(ino, NULL, 10));
		jsonw_string_field(json_wtr, "license", lic);
		jsonw_uint_field(json_wtr, "overrides", strtoul(ovr, NULL, 10));
		jsonw_string_field(json_wtr, "overrides_sha256",
				   strchr(ovr, ' ') ? strchr(ovr, ' ') + 1 : "");
	} else {
		printf("%s: file sha256 %s  dev %s  ino %s  license %s\n", name, sha, dev, ino,
		       lic);
		printf("\toverrides %s\n", ovr);
	}
	show_progs(dir);
	show_maps(dir);
	if (json_output)
		jsonw_end_object(json_wtr);
}

static int do_show(int argc, char **argv)
{
	struct dirent **objs;
	char *end;
	int i, n;

	if (argc > 1)
		usage();
	if (argc == 1) {
		strtoul(*argv, &end, 10);
		if (!**argv || *end) {
			p_err("loader id expected, got '%s'", *argv);
			return -1;
		}
	}
	n = list_dir(LOADFD_SYSFS, &objs);
	if (n < 0) {
		p_err("can't read %s: %s (BPF_LOAD_FD needs CONFIG_BPF_LOADFD; root only)",
		      LOADFD_SYSFS, strerror(errno));
		return -1;
	}
	if (json_output && !argc)
		jsonw_start_array(json_wtr);
	for (i = 0; i < n; i++) {
		if (argc && strcmp(objs[i]->d_name, *argv))
			continue;
		show_loader(objs[i]->d_name);
		if (argc)
			break;
	}
	if (json_output && !argc)
		jsonw_end_array(json_wtr);
	if (argc && i == n) {
		p_err("no loader object %s", *argv);
		free_list(objs, n);
		return -1;
	}
	free_list(objs, n);
	return 0;
}

static int do_help(int argc, char **argv)
{
	if (json_output) {
		jsonw_null(json_wtr);
		return 0;
	}

	fprintf(stderr,
		"Usage: %1$s %2$s { show | list } [ID]\n"
		"       %1$s %2$s help\n"
		"\n"
		"       Loader objects made by BPF_LOAD_FD; load one with\n"
		"       %1$s prog loadall OBJ PATH kernel_loader\n"
		"       " HELP_SPEC_OPTIONS " }\n"
		"",
		bin_name, argv[-2]);

	return 0;
}

static const struct cmd cmds[] = {
	{ "show",	do_show },
	{ "list",	do_show },
	{ "help",	do_help },
	{ 0 }
};

int do_loader_objs(int argc, char **argv)
{
	return cmd_select(cmds, argc, argv, do_help);
}
