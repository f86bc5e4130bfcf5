/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The text baseline file of `mintmon text baseline` (docs/text.md): what a
 * watched kernel's text, rodata and run-time patch sites were, per page.
 * All little-endian:
 *
 *   header (128 bytes)
 *     0   "MMTXTBL\0"   magic
 *     8   u32 version (1), u32 header size (128)
 *     16  u64 pages, u32 regions (1..130), u32 sites
 *     32  u64 kaslr_offset, u64 boot id (mintmon_boot_id_hash), u64 _text
 *     56  char release[64], NUL-padded
 *     120 u64 data bytes
 *   regions   24 bytes each: u64 start, u64 end, u32 kind (0 text, 1 rodata, 2 a
 *             module's text), u32 0
 *   pages     48 bytes each: u8 sha256[32], u64 data offset, u32 data length,
 *             u8 mapping findings (MINTMON_TEXT_MAP_*), 3 bytes 0
 *   sites     32 bytes each, sorted by address: u64 addr, u64 state,
 *             u64 target (of the form it held), u16 allowed forms, u8 kind,
 *             u8 flags, u16 form it held (0: none), u8 its length, u8 0
 *   data      each page's bytes, zlib-compressed (compress2()), in page order
 *   trailer   SHA-256 of everything before it
 *
 * A baseline is read as untrusted input, in stages: the header (magic,
 * version, counts bounded), then the structure (every section inside the
 * file, computed without wrapping; regions ordered, pages' data inside the
 * data section), then the trailer's hash. A page's data is inflated only
 * when it is needed, into exactly one page.
 */
#ifndef MINTMON_BASELINE_H
#define MINTMON_BASELINE_H

#include <stdio.h>

#include "mintmon/text.h"

#define MINTMON_BASELINE_HEADER 128
#define MINTMON_BASELINE_REGION 24
#define MINTMON_BASELINE_PAGE 48
#define MINTMON_BASELINE_SITE 32
#define MINTMON_BASELINE_MAX_PAGES (1u << 17)	/* 512 MiB of text and rodata */
#define MINTMON_BASELINE_MAX_SITES (1u << 22)

struct mintmon_baseline_site {
	u64 addr, state, target;
	u16 forms, form;
	u8 kind, flags, len;
};

struct mintmon_baseline {
	u64 nr_pages;
	u32 nr_regions, nr_sites;
	u64 kaslr_offset, boot_id, text_virt;
	char release[65];
	struct mintmon_text_region region[MINTMON_TEXT_MAX_REGIONS];
	/* Into the caller's buffer (which must outlive this). */
	const u8 *pages, *sites, *data;
	u64 data_size;
};

/* Parse buf[0, size) (see above): 0, or -EINVAL with why in err (one line). */
int mintmon_baseline_parse(const u8 *buf, size_t size, struct mintmon_baseline *b, char *err,
			   size_t errlen);
/* Page i's hash and mapping findings. */
const u8 *mintmon_baseline_hash(const struct mintmon_baseline *b, u64 i, u8 *map_ret);
/*
 * Inflate page i into out (MINTMON_TEXT_PAGE bytes; zero past len): 0, or
 * -EINVAL if its data does not inflate to exactly len bytes.
 */
int mintmon_baseline_page(const struct mintmon_baseline *b, u64 i, u32 len, u8 *out);
void mintmon_baseline_site(const struct mintmon_baseline *b, u32 i,
			   struct mintmon_baseline_site *site_ret);

/* Writing: header fields, then the pages in order, then the sites. */
struct mintmon_baseline_writer;

int mintmon_baseline_writer_create(const struct mintmon_baseline *hdr,
				   struct mintmon_baseline_writer **w_ret);
/* Add page (len bytes) with its hash and mapping findings (in order). */
int mintmon_baseline_writer_page(struct mintmon_baseline_writer *w, const u8 *page, u32 len,
				 const u8 *hash, u8 map);
int mintmon_baseline_writer_site(struct mintmon_baseline_writer *w,
				 const struct mintmon_baseline_site *site);
/* Write everything to f; 0 or a negative errno. Frees w either way. */
int mintmon_baseline_writer_finish(struct mintmon_baseline_writer *w, FILE *f);
void mintmon_baseline_writer_destroy(struct mintmon_baseline_writer *w);

#endif /* MINTMON_BASELINE_H */
