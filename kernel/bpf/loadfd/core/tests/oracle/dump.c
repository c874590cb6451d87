// SPDX-License-Identifier: GPL-2.0
/*
 * libbpf oracle for the loadfd core tests: opens a BPF object with the
 * tree's libbpf and prints, one fact per line, what libbpf makes of it.
 *
 * It includes libbpf.c itself so that it can run libbpf's relocation
 * without a kernel: the object is put in "gen_loader" (light skeleton)
 * mode, in which libbpf assumes every kernel feature, encodes maps as
 * BPF_PSEUDO_MAP_IDX / BPF_PSEUDO_MAP_IDX_VALUE, leaves CO-RE records for
 * the kernel, resolves typed ksyms and kfuncs to BTF id 0 and makes no
 * bpf(2) call. That is the same output contract as the loadfd core's
 * link step, so the two can be compared instruction by instruction.
 *
 * Usage: dump FILE [KCONFIG]
 *   KCONFIG is passed as bpf_object_open_opts.kconfig ("CONFIG_X=y\n...").
 * Or:    dump --link OUT IN...
 *   statically links BPF objects with the tree's bpf_linker (what
 *   `bpftool gen object` does).
 *
 * Output lines (all numbers decimal unless noted):
 *   prog NAME SEC TYPE EXPECTED_ATTACH_TYPE SEC_INSN_CNT AUTOLOAD
 *   map NAME TYPE KEY VALUE MAX_ENTRIES FLAGS NUMA MAP_EXTRA BTF_KEY BTF_VALUE INNER PIN INIT_HEX
 *   inner NAME TYPE KEY VALUE MAX_ENTRIES FLAGS
 *   slot MAP INDEX TARGET
 *   ext INDEX NAME KIND WEAK KCFG_OFF KCFG_SIZE
 *   kconfig HEX
 *   btf HEX                      (the BTF libbpf would load, after fixups)
 *   insns PROG HEX               (relocated and linked)
 *   func_info PROG INSN_OFF TYPE_ID
 *   line_info PROG INSN_OFF FILE_NAME_OFF LINE_OFF LINE_COL
 *   core PROG INSN_OFF_BYTES TYPE_ID ACCESS_STR_OFF KIND
 *   kernel_version N             (what LINUX_KERNEL_VERSION resolves to)
 *   error STAGE ERRNO
 *
 * Every program is relocated, including SEC("?...") ones (their autoload
 * is turned on after the "prog" lines are printed).
 */
#include "libbpf.c"

static void hex(const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	if (!n || !p) {
		printf("-");
		return;
	}
	for (i = 0; i < n; i++)
		printf("%02x", b[i]);
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (getenv("LOADFD_ORACLE_DEBUG"))
		return vfprintf(stderr, fmt, ap);
	return 0;
}

int main(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = "");
	LIBBPF_OPTS(gen_loader_opts, gopts);
	struct bpf_program *prog;
	struct bpf_object *obj;
	struct bpf_map *map;
	const void *raw;
	__u32 raw_sz;
	int err, i;
	size_t j;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE [KCONFIG] | --link OUT IN...\n", argv[0]);
		return 2;
	}
	if (!strcmp(argv[1], "--link")) {
		struct bpf_linker *linker;

		if (argc < 4)
			return 2;
		linker = bpf_linker__new(argv[2], NULL);
		if (!linker)
			return 1;
		for (i = 3; i < argc; i++)
			if (bpf_linker__add_file(linker, argv[i], NULL))
				return 1;
		if (bpf_linker__finalize(linker))
			return 1;
		bpf_linker__free(linker);
		return 0;
	}
	if (argc > 2)
		opts.kconfig = argv[2];
	libbpf_set_print(quiet);

	obj = bpf_object__open_file(argv[1], &opts);
	if (!obj) {
		printf("error open %d\n", errno);
		return 0;
	}

	bpf_object__for_each_program(prog, obj) {
		printf("prog %s %s %d %d %zu %d\n", prog->name, prog->sec_name,
		       prog->type, prog->expected_attach_type, prog->sec_insn_cnt,
		       prog->autoload);
	}
	for (i = 0; i < (int)obj->nr_maps; i++) {
		map = &obj->maps[i];
		printf("map %s %u %u %u %u %u %u %llu %u %u %d %d ", map->name,
		       map->def.type, map->def.key_size, map->def.value_size,
		       map->def.max_entries, map->def.map_flags, map->numa_node,
		       (unsigned long long)map->map_extra, map->btf_key_type_id,
		       map->btf_value_type_id, map->inner_map != NULL,
		       map->pin_path != NULL);
		hex(map->mmaped, map->mmaped && map->libbpf_type != LIBBPF_MAP_KCONFIG ?
			map->def.value_size : 0);
		printf("\n");
		if (map->inner_map)
			printf("inner %s %u %u %u %u %u\n", map->name,
			       map->inner_map->def.type, map->inner_map->def.key_size,
			       map->inner_map->def.value_size,
			       map->inner_map->def.max_entries,
			       map->inner_map->def.map_flags);
		for (j = 0; j < (size_t)map->init_slots_sz; j++) {
			if (!map->init_slots[j])
				continue;
			if (bpf_map_type__is_map_in_map(map->def.type))
				printf("slot %s %zu %s\n", map->name, j,
				       ((struct bpf_map *)map->init_slots[j])->name);
			else
				printf("slot %s %zu %s\n", map->name, j,
				       ((struct bpf_program *)map->init_slots[j])->name);
		}
	}

	printf("kernel_version %u\n", get_kernel_version());
	bpf_object__for_each_program(prog, obj)
		prog->autoload = true;

	/* Relocate like bpf_object__load() would in gen_loader mode. */
	err = bpf_object__gen_loader(obj, &gopts);
	if (err) {
		printf("error gen_loader %d\n", err);
		return 0;
	}
	bpf_gen__init(obj->gen_loader, 0, obj->nr_programs, obj->nr_maps);
	err = bpf_object__resolve_externs(obj, obj->kconfig);
	if (err) {
		printf("error externs %d\n", err);
		return 0;
	}
	for (i = 0; i < obj->nr_extern; i++) {
		struct extern_desc *ext = &obj->externs[i];

		printf("ext %d %s %s %d %d %d\n", i, ext->name,
		       ext->type == EXT_KCFG ? "kcfg" : "ksym", ext->is_weak,
		       ext->type == EXT_KCFG ? ext->kcfg.data_off : -1,
		       ext->type == EXT_KCFG ? ext->kcfg.sz : -1);
	}
	if (obj->kconfig_map_idx >= 0) {
		map = &obj->maps[obj->kconfig_map_idx];
		printf("kconfig ");
		hex(map->mmaped, map->def.value_size);
		printf("\n");
	}
	err = bpf_object__relocate(obj, NULL);
	if (err) {
		printf("error relocate %d\n", err);
		return 0;
	}
	err = bpf_object__sanitize_and_load_btf(obj);
	if (err) {
		printf("error btf %d\n", err);
		return 0;
	}
	if (obj->btf) {
		raw = btf__raw_data(obj->btf, &raw_sz);
		printf("btf ");
		hex(raw, raw_sz);
		printf("\n");
	}

	bpf_object__for_each_program(prog, obj) {
		const char *rec;

		printf("insns %s ", prog->name);
		hex(prog->insns, prog->insns_cnt * sizeof(struct bpf_insn));
		printf("\n");
		for (j = 0, rec = prog->func_info; j < prog->func_info_cnt;
		     j++, rec += prog->func_info_rec_size) {
			const struct bpf_func_info *fi = (const void *)rec;

			printf("func_info %s %u %u\n", prog->name, fi->insn_off, fi->type_id);
		}
		for (j = 0, rec = prog->line_info; j < prog->line_info_cnt;
		     j++, rec += prog->line_info_rec_size) {
			const struct bpf_line_info *li = (const void *)rec;

			printf("line_info %s %u %u %u %u\n", prog->name, li->insn_off,
			       li->file_name_off, li->line_off, li->line_col);
		}
		for (i = 0; i < prog->nr_reloc; i++) {
			const struct reloc_desc *relo = &prog->reloc_desc[i];

			if (relo->type != RELO_CORE)
				continue;
			printf("core %s %d %u %u %u\n", prog->name, relo->insn_idx * 8,
			       relo->core_relo->type_id, relo->core_relo->access_str_off,
			       relo->core_relo->kind);
		}
	}
	return 0;
}
