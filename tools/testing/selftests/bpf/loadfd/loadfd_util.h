/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers for the BPF_LOAD_FD selftests that need no kernel: a SHA-256
 * (FIPS 180-4) to check /sys/kernel/bpf_loadfd/<id>/sha256 against, and an
 * ELF64 symbol lookup to find a global variable's section and offset in a
 * .bpf.o (the tests read and write global data through the loader's data
 * maps, which are named by section), and an ELF64 section lookup.
 */
#ifndef LOADFD_UTIL_H
#define LOADFD_UTIL_H

#include <elf.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- SHA-256 ---- */

#define SHA256_LEN 32

static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline uint32_t sha256_ror(uint32_t x, int n)
{
	return (x >> n) | (x << (32 - n));
}

static inline void sha256_block(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, k, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (i = 16; i < 64; i++)
		w[i] = w[i - 16] + w[i - 7] +
		       (sha256_ror(w[i - 15], 7) ^ sha256_ror(w[i - 15], 18) ^ (w[i - 15] >> 3)) +
		       (sha256_ror(w[i - 2], 17) ^ sha256_ror(w[i - 2], 19) ^ (w[i - 2] >> 10));
	a = h[0]; b = h[1]; c = h[2]; d = h[3];
	e = h[4]; f = h[5]; g = h[6]; k = h[7];
	for (i = 0; i < 64; i++) {
		t1 = k + (sha256_ror(e, 6) ^ sha256_ror(e, 11) ^ sha256_ror(e, 25)) +
		     ((e & f) ^ (~e & g)) + sha256_k[i] + w[i];
		t2 = (sha256_ror(a, 2) ^ sha256_ror(a, 13) ^ sha256_ror(a, 22)) +
		     ((a & b) ^ (a & c) ^ (b & c));
		k = g; g = f; f = e; e = d + t1;
		d = c; c = b; b = a; a = t1 + t2;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d;
	h[4] += e; h[5] += f; h[6] += g; h[7] += k;
}

static inline void sha256(const void *data, size_t len, unsigned char out[SHA256_LEN])
{
	uint32_t h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
			  0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	const unsigned char *p = data;
	unsigned char tail[128];
	uint64_t bits = (uint64_t)len * 8;
	size_t n = len, rest, tlen, i;

	for (; n >= 64; n -= 64, p += 64)
		sha256_block(h, p);
	rest = n;
	memset(tail, 0, sizeof(tail));
	memcpy(tail, p, rest);
	tail[rest] = 0x80;
	tlen = rest + 1 + 8 <= 64 ? 64 : 128;
	for (i = 0; i < 8; i++)
		tail[tlen - 1 - i] = (unsigned char)(bits >> (8 * i));
	sha256_block(h, tail);
	if (tlen == 128)
		sha256_block(h, tail + 64);
	for (i = 0; i < 8; i++) {
		out[4 * i] = (unsigned char)(h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(h[i] >> 8);
		out[4 * i + 3] = (unsigned char)h[i];
	}
}

/* @hex gets 64 lowercase hex digits and a NUL. */
static inline void sha256_hex(const void *data, size_t len, char hex[2 * SHA256_LEN + 1])
{
	unsigned char d[SHA256_LEN];
	int i;

	sha256(data, len, d);
	for (i = 0; i < SHA256_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

/* ---- ELF64 symbols ---- */

struct elf_sym {
	char sec[64];		/* name of the symbol's section, e.g. ".bss" */
	uint64_t value;		/* offset in that section */
	uint64_t size;
	unsigned char type;	/* STT_* */
	unsigned char bind;	/* STB_* */
};

static inline const char *elf_str(const unsigned char *elf, size_t size,
				  const Elf64_Shdr *strsh, uint32_t off)
{
	if (strsh->sh_offset > size || strsh->sh_size > size - strsh->sh_offset ||
	    off >= strsh->sh_size)
		return NULL;
	if (!memchr(elf + strsh->sh_offset + off, 0, strsh->sh_size - off))
		return NULL;
	return (const char *)elf + strsh->sh_offset + off;
}

/*
 * Looks up the STT_OBJECT or STT_FUNC symbol @name (defined in a section) in
 * the ELF64 object @elf. Returns 0, -ENOENT, or -EINVAL for a malformed file.
 */
static inline int elf_find_sym(const unsigned char *elf, size_t size, const char *name,
			       struct elf_sym *out)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)elf;
	const Elf64_Shdr *sh, *symsh = NULL, *strsh;
	const Elf64_Sym *syms;
	uint64_t i, n;

	if (size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_shentsize != sizeof(Elf64_Shdr))
		return -EINVAL;
	if (eh->e_shoff > size || (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr) > size - eh->e_shoff ||
	    eh->e_shstrndx >= eh->e_shnum || eh->e_shoff % 8)
		return -EINVAL;
	sh = (const Elf64_Shdr *)(elf + eh->e_shoff);
	for (i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_type == SHT_SYMTAB) {
			symsh = &sh[i];
			break;
		}
	}
	if (!symsh || symsh->sh_link >= eh->e_shnum || symsh->sh_offset > size ||
	    symsh->sh_size > size - symsh->sh_offset || symsh->sh_offset % 8)
		return -EINVAL;
	strsh = &sh[symsh->sh_link];
	syms = (const Elf64_Sym *)(elf + symsh->sh_offset);
	n = symsh->sh_size / sizeof(Elf64_Sym);
	for (i = 1; i < n; i++) {
		const char *nm = elf_str(elf, size, strsh, syms[i].st_name);
		const char *sec;
		unsigned char type = ELF64_ST_TYPE(syms[i].st_info);

		if (!nm || strcmp(nm, name) || (type != STT_OBJECT && type != STT_FUNC))
			continue;
		if (syms[i].st_shndx == SHN_UNDEF || syms[i].st_shndx >= eh->e_shnum)
			continue;
		sec = elf_str(elf, size, &sh[eh->e_shstrndx], sh[syms[i].st_shndx].sh_name);
		if (!sec || strlen(sec) >= sizeof(out->sec))
			return -EINVAL;
		strcpy(out->sec, sec);
		out->value = syms[i].st_value;
		out->size = syms[i].st_size;
		out->type = type;
		out->bind = ELF64_ST_BIND(syms[i].st_info);
		return 0;
	}
	return -ENOENT;
}

/*
 * The contents of the section @name of the ELF64 object @elf. Returns 0,
 * -ENOENT, or -EINVAL for a malformed file (or a NOBITS section).
 */
static inline int elf_find_section(const unsigned char *elf, size_t size, const char *name,
				   const unsigned char **data, size_t *len)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)elf;
	const Elf64_Shdr *sh;
	uint64_t i;

	if (size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_shentsize != sizeof(Elf64_Shdr))
		return -EINVAL;
	if (eh->e_shoff > size || (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr) > size - eh->e_shoff ||
	    eh->e_shstrndx >= eh->e_shnum || eh->e_shoff % 8)
		return -EINVAL;
	sh = (const Elf64_Shdr *)(elf + eh->e_shoff);
	for (i = 0; i < eh->e_shnum; i++) {
		const char *nm = elf_str(elf, size, &sh[eh->e_shstrndx], sh[i].sh_name);

		if (!nm || strcmp(nm, name))
			continue;
		if (sh[i].sh_type == SHT_NOBITS || sh[i].sh_offset > size ||
		    sh[i].sh_size > size - sh[i].sh_offset)
			return -EINVAL;
		*data = elf + sh[i].sh_offset;
		*len = sh[i].sh_size;
		return 0;
	}
	return -ENOENT;
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

/* An object file's bytes (the suites mutate copies of them). */
struct obj_bytes {
	unsigned char *data;
	size_t len;
};

/* Reads object @name ($LOADFD_OBJDIR, or next to the binary) into @o. */
static inline void obj_bytes_read(struct __test_metadata *_metadata, const char *name,
				  struct obj_bytes *o)
{
	char path[PATH_MAX];
	struct stat st;
	size_t done = 0;
	ssize_t n;
	int fd;

	obj_path(path, sizeof(path), name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("%s: %s (set LOADFD_OBJDIR)", path, strerror(errno));
	ASSERT_EQ(0, fstat(fd, &st));
	ASSERT_LT(sizeof(Elf64_Ehdr), (size_t)st.st_size) TH_LOG("%s: too small", path);
	o->data = malloc(st.st_size);
	ASSERT_NE(NULL, o->data);
	while (done < (size_t)st.st_size) {
		n = read(fd, o->data + done, st.st_size - done);
		ASSERT_LT(0, n) TH_LOG("read %s: %s", path, strerror(errno));
		done += n;
	}
	close(fd);
	o->len = done;
}

static inline void obj_bytes_free(struct obj_bytes *o)
{
	free(o->data);
	o->data = NULL;
	o->len = 0;
}
#endif /* __KSELFTEST_HARNESS_H */

#endif /* LOADFD_UTIL_H */
