/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers for the BPF_LOAD_FD selftests that need no kernel: SHA-256
 * (libcrypto) to check /sys/kernel/bpf_loadfd/<id>/sha256 against, an ELF
 * symbol lookup (libelf) to find a global variable's section and offset in
 * a .bpf.o (the tests read and write global data through the loader's data
 * maps, which are named by section), and an ELF section lookup.
 */
#ifndef LOADFD_UTIL_H
#define LOADFD_UTIL_H

#include <elf.h>
#include <gelf.h>
#include <libelf.h>
#include <openssl/evp.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- SHA-256 (OpenSSL's libcrypto) ---- */

#define SHA256_LEN 32

static inline void sha256(const void *data, size_t len, unsigned char out[SHA256_LEN])
{
	unsigned int n = SHA256_LEN;

	if (!EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) || n != SHA256_LEN)
		memset(out, 0, SHA256_LEN);
}

static inline void sha256_hex(const void *data, size_t len, char hex[2 * SHA256_LEN + 1])
{
	unsigned char d[SHA256_LEN];
	int i;

	sha256(data, len, d);
	for (i = 0; i < SHA256_LEN; i++)
		sprintf(hex + 2 * i, "%02x", d[i]);
}

/* ---- ELF lookups (libelf) ---- */

struct elf_sym {
	char sec[64];		/* name of the symbol's section, e.g. ".bss" */
	uint64_t value;		/* offset in that section */
	uint64_t size;
	unsigned char type;	/* STT_* */
	unsigned char bind;	/* STB_* */
};

/* A libelf descriptor of the ELF64 image @elf (elf_end() it), or NULL. */
static inline Elf *elf_open_mem(const unsigned char *elf, size_t size, size_t *shstrndx)
{
	Elf *e;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return NULL;
	e = elf_memory((char *)elf, size);
	if (!e)
		return NULL;
	if (elf_kind(e) != ELF_K_ELF || gelf_getclass(e) != ELFCLASS64 ||
	    elf_getshdrstrndx(e, shstrndx)) {
		elf_end(e);
		return NULL;
	}
	return e;
}

/*
 * Looks up the STT_OBJECT or STT_FUNC symbol @name (defined in a section) in
 * the ELF64 object @elf. Returns 0, -ENOENT, or -EINVAL for a malformed file.
 */
static inline int elf_find_sym(const unsigned char *elf, size_t size, const char *name,
			       struct elf_sym *out)
{
	Elf_Scn *scn = NULL, *sec;
	GElf_Shdr sh, ssh;
	size_t shstrndx, i, n;
	Elf_Data *d;
	GElf_Sym sym;
	int ret = -ENOENT;
	Elf *e;

	e = elf_open_mem(elf, size, &shstrndx);
	if (!e)
		return -EINVAL;
	while ((scn = elf_nextscn(e, scn))) {
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB)
			break;
	}
	d = scn ? elf_getdata(scn, NULL) : NULL;
	if (!d || !sh.sh_entsize) {
		elf_end(e);
		return -EINVAL;
	}
	n = sh.sh_size / sh.sh_entsize;
	for (i = 1; i < n && ret == -ENOENT; i++) {
		const char *nm, *sn;
		unsigned char type;

		if (!gelf_getsym(d, i, &sym))
			break;
		type = GELF_ST_TYPE(sym.st_info);
		nm = elf_strptr(e, sh.sh_link, sym.st_name);
		if (!nm || strcmp(nm, name) || (type != STT_OBJECT && type != STT_FUNC) ||
		    sym.st_shndx == SHN_UNDEF || sym.st_shndx >= SHN_LORESERVE)
			continue;
		sec = elf_getscn(e, sym.st_shndx);
		sn = sec && gelf_getshdr(sec, &ssh) ? elf_strptr(e, shstrndx, ssh.sh_name) : NULL;
		if (!sn || strlen(sn) >= sizeof(out->sec)) {
			ret = -EINVAL;
			break;
		}
		strcpy(out->sec, sn);
		out->value = sym.st_value;
		out->size = sym.st_size;
		out->type = type;
		out->bind = GELF_ST_BIND(sym.st_info);
		ret = 0;
	}
	elf_end(e);
	return ret;
}

/*
 * The contents of the section @name of the ELF64 object @elf, in @elf's own
 * bytes (callers patch them). Returns 0, -ENOENT, or -EINVAL for a
 * malformed file (or a NOBITS section).
 */
static inline int elf_find_section(const unsigned char *elf, size_t size, const char *name,
				   const unsigned char **data, size_t *len)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	int ret = -ENOENT;
	GElf_Shdr sh;
	Elf *e;

	e = elf_open_mem(elf, size, &shstrndx);
	if (!e)
		return -EINVAL;
	while (ret == -ENOENT && (scn = elf_nextscn(e, scn))) {
		const char *nm = gelf_getshdr(scn, &sh) ?
					 elf_strptr(e, shstrndx, sh.sh_name) :
					 NULL;

		if (!nm || strcmp(nm, name))
			continue;
		if (sh.sh_type == SHT_NOBITS || sh.sh_offset > size ||
		    sh.sh_size > size - sh.sh_offset) {
			ret = -EINVAL;
			break;
		}
		*data = elf + sh.sh_offset;
		*len = sh.sh_size;
		ret = 0;
	}
	elf_end(e);
	return ret;
}

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

#ifdef __KSELFTEST_HARNESS_H
/* ---- for the kselftest_harness suites ---- */
#include <fcntl.h>
#include <sys/stat.h>

/* The loader id from /proc/self/fdinfo/<fd> ("loadfd_id:"). */
static inline int loader_id(struct __test_metadata *_metadata, int loader_fd)
{
	char path[64], line[256];
	int id = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", loader_fd);
	f = fopen(path, "re");
	ASSERT_NE(NULL, f) TH_LOG("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "loadfd_id: %d", &id) == 1)
			break;
	fclose(f);
	ASSERT_LE(0, id) TH_LOG("no loadfd_id in %s", path);
	return id;
}
#endif /* __KSELFTEST_HARNESS_H */

#endif /* LOADFD_UTIL_H */
