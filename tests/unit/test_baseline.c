// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for monitor/user/baseline.c: a baseline written and read back
 * field for field, then table-driven damage (truncation, a wrong magic or
 * version, counts out of range, sections that do not add up, page data
 * outside the file, unsorted sites, a flipped byte) each refused with its
 * own reason. Damage that a structural check must catch is re-sealed (the
 * trailer recomputed) so that the checksum cannot be what refuses it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../monitor/user/baseline.h"

#define NPAGES 3

static u8 page_bytes(u64 i, u32 j)
{
	return (u8)(i * 7 + j / 13);
}

/* A baseline of two regions (2 pages of text, 1 partial page of rodata) and 3 sites. */
static u8 *make(size_t *size_ret)
{
	struct mintmon_baseline hdr = {.nr_pages = NPAGES, .nr_regions = 2,
				       .kaslr_offset = 0x2a000000, .boot_id = 0x1122334455667788,
				       .text_virt = 0xffffffffab000000, .release = "6.1.0-test"};
	struct mintmon_baseline_writer *w;
	u8 page[4096], hash[32];
	char *buf = NULL;
	size_t size = 0;
	FILE *f;
	u64 i;

	hdr.region[0] = (struct mintmon_text_region){.start = 0xffffffffab001000,
							.end = 0xffffffffab003000, .kind = 0};
	hdr.region[1] = (struct mintmon_text_region){.start = 0xffffffffac000000,
							.end = 0xffffffffac000800, .kind = 1};
	assert_int_equal(mintmon_baseline_writer_create(&hdr, &w), 0);
	for (i = 0; i < NPAGES; i++) {
		u32 j, len = i == 2 ? 0x800 : 4096;

		for (j = 0; j < len; j++)
			page[j] = page_bytes(i, j);
		mintmon_sha256(page, len, hash);
		assert_int_equal(mintmon_baseline_writer_page(w, page, len, hash, (u8)i), 0);
	}
	for (i = 0; i < 3; i++) {
		struct mintmon_baseline_site s = {.addr = 0xffffffffab001010 + i * 0x100,
						  .state = i, .target = 0xffffffffab002000,
						  .forms = MINTMON_FORM_NOP5, .form = MINTMON_FORM_NOP5,
						  .kind = (u8)i, .flags = 1, .len = 5};

		assert_int_equal(mintmon_baseline_writer_site(w, &s), 0);
	}
	f = open_memstream(&buf, &size);
	assert_non_null(f);
	assert_int_equal(mintmon_baseline_writer_finish(w, f), 0);
	fclose(f);
	*size_ret = size;
	return (u8 *)buf;
}

static void reseal(u8 *buf, size_t size)
{
	mintmon_sha256(buf, size - 32, buf + size - 32);
}

static void test_round_trip(void **state)
{
	struct mintmon_baseline b;
	struct mintmon_baseline_site s;
	char why[128];
	size_t size;
	u8 *buf = make(&size), out[4096], map;
	u64 i;

	assert_int_equal(mintmon_baseline_parse(buf, size, &b, why, sizeof(why)), 0);
	assert_true(b.nr_pages == NPAGES && b.nr_regions == 2 && b.nr_sites == 3);
	assert_true(b.kaslr_offset == 0x2a000000 && b.boot_id == 0x1122334455667788 &&
		    b.text_virt == 0xffffffffab000000);
	assert_string_equal(b.release, "6.1.0-test");
	assert_true(b.region[1].start == 0xffffffffac000000 && b.region[1].kind == 1 &&
		    b.region[1].first_page == 2);
	for (i = 0; i < NPAGES; i++) {
		u32 j, len = i == 2 ? 0x800 : 4096;
		u8 want[32];

		assert_int_equal(mintmon_baseline_page(&b, i, len, out), 0);
		for (j = 0; j < len; j++)
			assert_int_equal(out[j], page_bytes(i, j));
		for (; j < 4096; j++)
			assert_int_equal(out[j], 0);
		mintmon_sha256(out, len, want);
		assert_memory_equal(mintmon_baseline_hash(&b, i, &map), want, 32);
		assert_int_equal(map, i);
		/* A page asked for with another length does not inflate to it. */
		assert_int_equal(mintmon_baseline_page(&b, i, len - 1, out), -EINVAL);
	}
	mintmon_baseline_site(&b, 2, &s);
	assert_true(s.addr == 0xffffffffab001210 && s.state == 2 && s.kind == 2 &&
		    s.form == MINTMON_FORM_NOP5 && s.len == 5 && s.flags == 1);
	free(buf);
}

enum damage { D_TRUNCATE, D_MAGIC, D_VERSION, D_PAGES_HUGE, D_REGIONS_MANY, D_SITES_HUGE,
	      D_DATA_SIZE, D_REGION_ORDER, D_REGION_PAGES, D_PAGE_DATA_OUT, D_SITES_UNSORTED,
	      D_FLIP };

static const struct {
	enum damage d;
	bool reseal;
	const char *why;	/* a word of the error */
} damage_cases[] = {
	{D_TRUNCATE, false, "bytes"},
	{D_MAGIC, false, "not a mintmon text baseline"},
	{D_VERSION, false, "version"},
	{D_PAGES_HUGE, false, "counts out of range"},
	{D_REGIONS_MANY, false, "counts out of range"},
	{D_SITES_HUGE, false, "counts out of range"},
	{D_DATA_SIZE, true, "its header says"},
	{D_REGION_ORDER, true, "region 1 is malformed"},
	{D_REGION_PAGES, true, "regions hold"},
	{D_PAGE_DATA_OUT, true, "data outside the file"},
	{D_SITES_UNSORTED, true, "not sorted"},
	{D_FLIP, false, "checksum"},
};

static void put64(u8 *p, u64 v)
{
	memcpy(p, &v, 8);
}

static void test_damage(void **state)
{
	unsigned int c;

	for (c = 0; c < sizeof(damage_cases) / sizeof(damage_cases[0]); c++) {
		struct mintmon_baseline b;
		char why[160] = "";
		size_t size;
		u8 *buf = make(&size);
		const size_t regions = 128, pages = regions + 2 * 24, sites = pages + NPAGES * 48;

		switch (damage_cases[c].d) {
		case D_TRUNCATE: size -= 100; break;
		case D_MAGIC: buf[0] = 'X'; break;
		case D_VERSION: buf[8] = 2; break;
		case D_PAGES_HUGE: put64(buf + 16, 1ull << 40); break;
		case D_REGIONS_MANY: buf[24] = MINTMON_TEXT_MAX_REGIONS + 1; break;
		case D_SITES_HUGE: buf[31] = 0x80; break;
		case D_DATA_SIZE: put64(buf + 120, 1); break;
		case D_REGION_ORDER: put64(buf + regions + 24, 0xffffffffab001000); break;
		case D_REGION_PAGES: put64(buf + regions + 8, 0xffffffffab004000); break;
		case D_PAGE_DATA_OUT: put64(buf + pages + 48 + 32, 1ull << 62); break;
		case D_SITES_UNSORTED: put64(buf + sites + 32, 0); break;
		case D_FLIP: buf[size - 40] ^= 1; break;
		}
		if (damage_cases[c].reseal)
			reseal(buf, size);
		if (mintmon_baseline_parse(buf, size, &b, why, sizeof(why)) != -EINVAL ||
		    !strstr(why, damage_cases[c].why))
			fail_msg("damage case %u: \"%s\", want \"%s\"", c, why, damage_cases[c].why);
		free(buf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_damage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
