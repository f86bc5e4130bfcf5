// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer entry point for the text baseline file (monitor/user/baseline.c):
 * each input is parsed as it is, and again with its trailing SHA-256
 * corrected so that mutations get past the checksum to the structure
 * checks and the page inflation. A parsed baseline has every page inflated
 * and every site read.
 *
 * Seeds: MINTMON_SEED_DIR=tests/fuzz/seeds/fuzz_baseline build/fuzz/fuzz_baseline -runs=0
 * writes a small valid baseline (two regions, three pages, two sites).
 */
#include <stdio.h>
#include <stdlib.h>

#include "../../monitor/user/baseline.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

static void write_seeds(const char *dir)
{
	struct mintmon_baseline hdr = {.nr_pages = 3, .nr_regions = 2, .kaslr_offset = 0x1000000,
				       .boot_id = 1, .text_virt = 0xffffffff81000000,
				       .release = "6.1.0-seed"};
	struct mintmon_baseline_writer *w;
	struct mintmon_baseline_site site = {.addr = 0xffffffff81001000, .forms = 2, .form = 2,
					     .len = 5};
	u8 page[4096], hash[32];
	char path[512];
	unsigned int i;
	FILE *f;

	hdr.region[0] = (struct mintmon_text_region){.start = 0xffffffff81000000,
							.end = 0xffffffff81002000, .kind = 0};
	hdr.region[1] = (struct mintmon_text_region){.start = 0xffffffff82000000,
							.end = 0xffffffff82000100, .kind = 1};
	if (mintmon_baseline_writer_create(&hdr, &w))
		abort();
	for (i = 0; i < 3; i++) {
		u32 len = i == 2 ? 0x100 : 4096;

		memset(page, 0xcc, sizeof(page));
		page[i] = 0x90;
		mintmon_sha256(page, len, hash);
		if (mintmon_baseline_writer_page(w, page, len, hash, 0))
			abort();
	}
	mintmon_baseline_writer_site(w, &site);
	site.addr += 0x40;
	mintmon_baseline_writer_site(w, &site);
	snprintf(path, sizeof(path), "%s/small", dir);
	f = fopen(path, "wb");
	if (!f || mintmon_baseline_writer_finish(w, f) || fclose(f))
		abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("MINTMON_SEED_DIR");

	if (dir)
		write_seeds(dir);
	return 0;
}

static void use(const u8 *buf, size_t size)
{
	struct mintmon_baseline b;
	struct mintmon_baseline_site s;
	u8 page[MINTMON_TEXT_PAGE], map;
	char why[256];
	u64 i;
	u32 j;

	if (mintmon_baseline_parse(buf, size, &b, why, sizeof(why)))
		return;
	for (i = 0; i < b.nr_pages; i++) {
		mintmon_baseline_hash(&b, i, &map);
		mintmon_baseline_page(&b, i, MINTMON_TEXT_PAGE, page);
	}
	for (j = 0; j < b.nr_sites; j++)
		mintmon_baseline_site(&b, j, &s);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	u8 *copy;

	use(data, size);
	if (size < 32)
		return 0;
	copy = malloc(size);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	mintmon_sha256(copy, size - 32, copy + size - 32);
	use(copy, size);
	free(copy);
	return 0;
}
