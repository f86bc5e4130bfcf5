/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel image a watched node booted, as the reference of `text verify
 * --image` (docs/text.md): a bzImage (its compressed payload: gzip, xz or
 * zstd, as Debian's kernels use) or a vmlinux.
 *
 * A bzImage's payload is the stripped vmlinux ELF followed by the KASLR
 * relocations that arch/x86/tools/relocs writes and the decompressor
 * applies (arch/x86/boot/compressed/misc.c handle_relocations()): read
 * backwards from the end, u32 link addresses of 32-bit fields to add the
 * offset to, a 0, those to subtract it from (inverse, x86-64 per-CPU
 * references), a 0, and 64-bit fields, a 0. The image is loaded as the
 * decompressor does, its PT_LOADs at their link addresses, and relocated
 * by the discovered KASLR offset. All of it is untrusted input: every
 * header, length and entry is bounded, the output size is capped.
 */
#ifndef MINTMON_IMAGE_H
#define MINTMON_IMAGE_H

#include <stddef.h>

#include "mintmon/platform.h"

#define MINTMON_IMAGE_MAX_OUT (512u << 20)	/* decompressed bytes at most */
#define MINTMON_IMAGE_MAX_SEGS 8

struct mintmon_image_seg {
	u64 vaddr, size;
	u8 *data;		/* a private copy, relocated by mintmon_image_relocate() */
};

struct mintmon_image {
	u8 *raw;		/* the ELF and what follows it (decompressed) */
	size_t raw_size, elf_size;
	char format[16];	/* "bzImage/xz", "vmlinux"... */
	struct mintmon_image_seg seg[MINTMON_IMAGE_MAX_SEGS];
	unsigned int nr_seg;
	bool have_relocs;
	u64 relocs_applied, relocs_outside;
	void *elf;		/* libelf's Elf over raw */
};

/* A whole regular file of at most max bytes (malloc'd), or NULL with why in err. */
u8 *mintmon_file_read(const char *path, size_t max, size_t *size_ret, char *err, size_t errlen);

/* Open and load path: 0, or -EINVAL / -ENOENT / -ENOMEM with why in err (one line). */
int mintmon_image_open(const char *path, struct mintmon_image *img, char *err, size_t errlen);
/* Same, from bytes in memory (the fuzzer's entry). */
int mintmon_image_open_mem(const u8 *buf, size_t size, struct mintmon_image *img, char *err,
			   size_t errlen);
void mintmon_image_close(struct mintmon_image *img);

/*
 * Apply the relocations for a kernel placed delta bytes above its link
 * address (the KASLR offset). -EINVAL if there are none and delta != 0
 * (a vmlinux cannot be relocated here) or they are malformed.
 */
int mintmon_image_relocate(struct mintmon_image *img, u64 delta, char *err, size_t errlen);

/* The loaded bytes at link address va, len of them in one segment; NULL if not loaded. */
const u8 *mintmon_image_at(const struct mintmon_image *img, u64 va, u64 len);

/* A section by name: its link address and size (0 if absent). */
int mintmon_image_section(const struct mintmon_image *img, const char *name, u64 *addr_ret,
			  u64 *size_ret);

/* Section i (from 0): its name, link address and size; -ENOENT past the last. */
int mintmon_image_section_at(const struct mintmon_image *img, unsigned int i,
			     const char **name_ret, u64 *addr_ret, u64 *size_ret);

#endif /* MINTMON_IMAGE_H */
