// SPDX-License-Identifier: GPL-2.0
/* The text baseline file (baseline.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "baseline.h"

static const char magic[8] = "MMTXTBL";

static int bad(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static void put32(u8 *p, u32 v)
{
	memcpy(p, &v, 4);
}

static void put16(u8 *p, u16 v)
{
	memcpy(p, &v, 2);
}

static void put64(u8 *p, u64 v)
{
	memcpy(p, &v, 8);
}

int mintmon_baseline_parse(const u8 *buf, size_t size, struct mintmon_baseline *b, char *err,
			   size_t errlen)
{
	struct mintmon_baseline nb = {0};
	u64 off, need, prev_end = 0, prev_addr = 0, i;
	u8 sum[MINTMON_SHA256_LEN];

	/* Stage 1: the header. */
	if (size < MINTMON_BASELINE_HEADER + MINTMON_SHA256_LEN || memcmp(buf, magic, 8))
		return bad(err, errlen, "not a mintmon text baseline (no MMTXTBL header)");
	if (mintmon_le32(buf + 8) != 1 || mintmon_le32(buf + 12) != MINTMON_BASELINE_HEADER)
		return bad(err, errlen, "baseline version %u is not supported (1 is)",
			   mintmon_le32(buf + 8));
	nb.nr_pages = mintmon_le64(buf + 16);
	nb.nr_regions = mintmon_le32(buf + 24);
	nb.nr_sites = mintmon_le32(buf + 28);
	nb.kaslr_offset = mintmon_le64(buf + 32);
	nb.boot_id = mintmon_le64(buf + 40);
	nb.text_virt = mintmon_le64(buf + 48);
	memcpy(nb.release, buf + 56, 64);
	nb.release[64] = '\0';
	nb.data_size = mintmon_le64(buf + 120);
	if (!nb.nr_pages || nb.nr_pages > MINTMON_BASELINE_MAX_PAGES || !nb.nr_regions ||
	    nb.nr_regions > MINTMON_TEXT_MAX_REGIONS || nb.nr_sites > MINTMON_BASELINE_MAX_SITES)
		return bad(err, errlen, "baseline counts out of range (%llu pages, %u regions, "
			   "%u sites)", (unsigned long long)nb.nr_pages, nb.nr_regions, nb.nr_sites);
	/* Stage 2: the sections, each inside the file (counts are bounded: no wrap). */
	need = MINTMON_BASELINE_HEADER + (u64)nb.nr_regions * MINTMON_BASELINE_REGION +
	       nb.nr_pages * MINTMON_BASELINE_PAGE + (u64)nb.nr_sites * MINTMON_BASELINE_SITE;
	if (need > size - MINTMON_SHA256_LEN || nb.data_size != size - MINTMON_SHA256_LEN - need)
		return bad(err, errlen, "baseline is %zu bytes, its header says %llu + %llu", size,
			   (unsigned long long)need, (unsigned long long)nb.data_size);
	off = MINTMON_BASELINE_HEADER;
	for (i = 0; i < nb.nr_regions; i++, off += MINTMON_BASELINE_REGION) {
		struct mintmon_text_region *r = &nb.region[i];
		u64 pages;

		r->start = mintmon_le64(buf + off);
		r->end = mintmon_le64(buf + off + 8);
		r->kind = mintmon_le32(buf + off + 16);
		if (r->end <= r->start || r->start % MINTMON_TEXT_PAGE || r->start < prev_end ||
		    r->kind > MINTMON_TEXT_REGION_MODULE || r->end - r->start > (512ull << 20))
			return bad(err, errlen, "baseline region %llu is malformed",
				   (unsigned long long)i);
		r->first_page = i ? nb.region[i - 1].first_page +
					    (nb.region[i - 1].end - nb.region[i - 1].start +
					     MINTMON_TEXT_PAGE - 1) / MINTMON_TEXT_PAGE : 0;
		pages = r->first_page + (r->end - r->start + MINTMON_TEXT_PAGE - 1) / MINTMON_TEXT_PAGE;
		if (i + 1 == nb.nr_regions && pages != nb.nr_pages)
			return bad(err, errlen, "baseline regions hold %llu pages, its header says %llu",
				   (unsigned long long)pages, (unsigned long long)nb.nr_pages);
		prev_end = r->end;
	}
	nb.pages = buf + off;
	off += nb.nr_pages * MINTMON_BASELINE_PAGE;
	nb.sites = buf + off;
	off += (u64)nb.nr_sites * MINTMON_BASELINE_SITE;
	nb.data = buf + off;
	for (i = 0; i < nb.nr_pages; i++) {
		const u8 *p = nb.pages + i * MINTMON_BASELINE_PAGE;
		u64 doff = mintmon_le64(p + 32);
		u32 dlen = mintmon_le32(p + 40);

		if (!mintmon_in_bounds(nb.data_size, doff, dlen) || !dlen)
			return bad(err, errlen, "baseline page %llu: data outside the file",
				   (unsigned long long)i);
	}
	for (i = 0; i < nb.nr_sites; i++) {
		u64 addr = mintmon_le64(nb.sites + i * MINTMON_BASELINE_SITE);

		if (i && addr < prev_addr)
			return bad(err, errlen, "baseline sites are not sorted");
		prev_addr = addr;
	}
	/* Stage 3: the whole file's hash. */
	mintmon_sha256(buf, size - MINTMON_SHA256_LEN, sum);
	if (memcmp(sum, buf + size - MINTMON_SHA256_LEN, MINTMON_SHA256_LEN))
		return bad(err, errlen, "baseline checksum mismatch (the file is damaged)");
	*b = nb;
	return 0;
}

const u8 *mintmon_baseline_hash(const struct mintmon_baseline *b, u64 i, u8 *map_ret)
{
	const u8 *p = b->pages + i * MINTMON_BASELINE_PAGE;

	*map_ret = p[44];
	return p;
}

int mintmon_baseline_page(const struct mintmon_baseline *b, u64 i, u32 len, u8 *out)
{
	const u8 *p = b->pages + i * MINTMON_BASELINE_PAGE;
	uLongf got = MINTMON_TEXT_PAGE;

	memset(out, 0, MINTMON_TEXT_PAGE);
	if (uncompress(out, &got, b->data + mintmon_le64(p + 32), mintmon_le32(p + 40)) != Z_OK ||
	    got != len)
		return -EINVAL;
	return 0;
}

void mintmon_baseline_site(const struct mintmon_baseline *b, u32 i,
			   struct mintmon_baseline_site *site_ret)
{
	const u8 *p = b->sites + (u64)i * MINTMON_BASELINE_SITE;

	site_ret->addr = mintmon_le64(p);
	site_ret->state = mintmon_le64(p + 8);
	site_ret->target = mintmon_le64(p + 16);
	site_ret->forms = mintmon_le16(p + 24);
	site_ret->kind = p[26];
	site_ret->flags = p[27];
	site_ret->form = mintmon_le16(p + 28);
	site_ret->len = p[30];
}

struct mintmon_baseline_writer {
	struct mintmon_baseline hdr;
	u8 *pages, *sites, *data;
	u64 nr_pages, data_size, data_cap;
	u32 nr_sites, sites_cap;
};

int mintmon_baseline_writer_create(const struct mintmon_baseline *hdr,
				   struct mintmon_baseline_writer **w_ret)
{
	struct mintmon_baseline_writer *w = calloc(1, sizeof(*w));

	if (!w || hdr->nr_pages > MINTMON_BASELINE_MAX_PAGES ||
	    !(w->pages = calloc(hdr->nr_pages, MINTMON_BASELINE_PAGE))) {
		free(w);
		return -ENOMEM;
	}
	w->hdr = *hdr;
	*w_ret = w;
	return 0;
}

void mintmon_baseline_writer_destroy(struct mintmon_baseline_writer *w)
{
	if (!w)
		return;
	free(w->pages);
	free(w->sites);
	free(w->data);
	free(w);
}

int mintmon_baseline_writer_page(struct mintmon_baseline_writer *w, const u8 *page, u32 len,
				 const u8 *hash, u8 map)
{
	uLongf zlen = compressBound(len);
	u8 *p;

	if (w->nr_pages >= w->hdr.nr_pages)
		return -E2BIG;
	if (w->data_cap - w->data_size < zlen) {
		u64 cap = w->data_cap ? w->data_cap * 2 : (8u << 20);
		u8 *nd;

		while (cap - w->data_size < zlen)
			cap *= 2;
		nd = realloc(w->data, cap);
		if (!nd)
			return -ENOMEM;
		w->data = nd;
		w->data_cap = cap;
	}
	/* Level 1: text compresses to about half at a fraction of level 6's cost. */
	if (compress2(w->data + w->data_size, &zlen, page, len, 1) != Z_OK)
		return -ENOMEM;
	p = w->pages + w->nr_pages++ * MINTMON_BASELINE_PAGE;
	memcpy(p, hash, MINTMON_SHA256_LEN);
	put64(p + 32, w->data_size);
	put32(p + 40, (u32)zlen);
	p[44] = map;
	w->data_size += zlen;
	return 0;
}

int mintmon_baseline_writer_site(struct mintmon_baseline_writer *w,
				 const struct mintmon_baseline_site *site)
{
	u8 *p;

	if (w->nr_sites == w->sites_cap) {
		u32 cap = w->sites_cap ? w->sites_cap * 2 : 65536;
		u8 *ns;

		if (cap > MINTMON_BASELINE_MAX_SITES)
			return -E2BIG;
		ns = realloc(w->sites, (size_t)cap * MINTMON_BASELINE_SITE);
		if (!ns)
			return -ENOMEM;
		w->sites = ns;
		w->sites_cap = cap;
	}
	p = w->sites + (size_t)w->nr_sites++ * MINTMON_BASELINE_SITE;
	memset(p, 0, MINTMON_BASELINE_SITE);
	put64(p, site->addr);
	put64(p + 8, site->state);
	put64(p + 16, site->target);
	put16(p + 24, site->forms);
	p[26] = site->kind;
	p[27] = site->flags;
	put16(p + 28, site->form);
	p[30] = site->len;
	return 0;
}

int mintmon_baseline_writer_finish(struct mintmon_baseline_writer *w, FILE *f)
{
	u8 hdr[MINTMON_BASELINE_HEADER] = {0}, sum[MINTMON_SHA256_LEN];
	u64 regions_size = (u64)w->hdr.nr_regions * MINTMON_BASELINE_REGION;
	u64 total, off = 0;
	u8 *all;
	u32 i;
	int err = 0;

	if (w->nr_pages != w->hdr.nr_pages) {
		mintmon_baseline_writer_destroy(w);
		return -EINVAL;
	}
	memcpy(hdr, magic, 8);
	put32(hdr + 8, 1);
	put32(hdr + 12, MINTMON_BASELINE_HEADER);
	put64(hdr + 16, w->nr_pages);
	put32(hdr + 24, w->hdr.nr_regions);
	put32(hdr + 28, w->nr_sites);
	put64(hdr + 32, w->hdr.kaslr_offset);
	put64(hdr + 40, w->hdr.boot_id);
	put64(hdr + 48, w->hdr.text_virt);
	memcpy(hdr + 56, w->hdr.release, strnlen(w->hdr.release, 64));
	put64(hdr + 120, w->data_size);
	/* One buffer, so the trailer hashes exactly what is written. */
	total = sizeof(hdr) + regions_size + w->nr_pages * MINTMON_BASELINE_PAGE +
		(u64)w->nr_sites * MINTMON_BASELINE_SITE + w->data_size;
	all = malloc(total + MINTMON_SHA256_LEN);
	if (!all) {
		mintmon_baseline_writer_destroy(w);
		return -ENOMEM;
	}
#define APPEND(src, n) do { u64 n_ = (n); if (n_ != 0) memcpy(all + off, (src), n_); off += n_; } while (0)
	APPEND(hdr, sizeof(hdr));
	for (i = 0; i < w->hdr.nr_regions; i++) {
		u8 r[MINTMON_BASELINE_REGION] = {0};

		put64(r, w->hdr.region[i].start);
		put64(r + 8, w->hdr.region[i].end);
		put32(r + 16, w->hdr.region[i].kind);
		APPEND(r, sizeof(r));
	}
	APPEND(w->pages, w->nr_pages * MINTMON_BASELINE_PAGE);
	APPEND(w->sites, (u64)w->nr_sites * MINTMON_BASELINE_SITE);
	APPEND(w->data, w->data_size);
#undef APPEND
	mintmon_sha256(all, total, sum);
	memcpy(all + total, sum, sizeof(sum));
	if (fwrite(all, 1, total + sizeof(sum), f) != total + sizeof(sum) || fflush(f))
		err = -EIO;
	free(all);
	mintmon_baseline_writer_destroy(w);
	return err;
}
