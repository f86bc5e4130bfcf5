// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for monitor/user/image.c on the hand-built image of
 * image_fixture.h: the payload read out of a bzImage in each compression
 * Debian uses (gzip, xz, zstd), loaded at its link address, its three
 * kinds of relocations applied by a KASLR offset, sections found by name;
 * a vmlinux (no relocations) accepted only unrelocated; damaged images
 * (no header, an old protocol, a payload past the end, an unknown or
 * corrupt compression, an ELF for another machine, relocations that end
 * early) each refused with its own reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../monitor/user/image.h"
#include "image_fixture.h"

#define DELTA 0x2a400000ull

static void test_each_compression(void **state)
{
	static const enum fix_comp comps[] = {FIX_GZIP, FIX_XZ, FIX_ZSTD};
	static const char *const names[] = {"bzImage/gzip", "bzImage/xz", "bzImage/zstd"};
	unsigned int i;

	for (i = 0; i < 3; i++) {
		struct mintmon_image img;
		char why[256] = "";
		size_t len;
		unsigned char *b = fix_image(comps[i], &len);
		const u8 *t;
		u64 addr, size;

		if (mintmon_image_open_mem(b, len, &img, why, sizeof(why)))
			fail_msg("%s: %s", names[i], why);
		assert_string_equal(img.format, names[i]);
		assert_true(img.have_relocs);
		assert_int_equal(mintmon_image_relocate(&img, DELTA, why, sizeof(why)), 0);
		assert_int_equal(img.relocs_applied, 3);
		t = mintmon_image_at(&img, FIX_VADDR, FIX_SIZE);
		assert_non_null(t);
		assert_int_equal(mintmon_le32(t + 0x10), (u32)(0x81000040u + DELTA));
		assert_int_equal((s32)mintmon_le32(t + 0x20), -0x1000 - (s32)DELTA);
		assert_true(mintmon_le64(t + 0x30) == 0xffffffff81000080ull + DELTA);
		assert_null(mintmon_image_at(&img, FIX_VADDR + 0xf0, 0x20));	/* past the segment */
		assert_int_equal(mintmon_image_section(&img, ".text", &addr, &size), 0);
		assert_true(addr == FIX_VADDR && size == 0xe0);
		assert_int_equal(mintmon_image_section(&img, ".altinstructions", &addr, &size),
				 -ENOENT);
		mintmon_image_close(&img);
		free(b);
	}
}

static void test_vmlinux(void **state)
{
	struct mintmon_image img;
	char why[256];
	size_t len;
	unsigned char *b = fix_image(FIX_RAW_ELF, &len);

	assert_int_equal(mintmon_image_open_mem(b, len, &img, why, sizeof(why)), 0);
	assert_string_equal(img.format, "vmlinux");
	assert_false(img.have_relocs);
	assert_int_equal(mintmon_image_relocate(&img, 0, why, sizeof(why)), 0);
	assert_int_equal(mintmon_image_relocate(&img, DELTA, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "give its vmlinuz"));
	mintmon_image_close(&img);
	free(b);
}

enum damage { D_NO_HDRS, D_OLD_PROTOCOL, D_PAYLOAD_PAST_END, D_UNKNOWN_COMP, D_CORRUPT_GZIP,
	      D_MACHINE, D_RELOCS_SHORT, D_TRUNCATED_FILE };

static void test_damage(void **state)
{
	static const struct {
		enum damage d;
		const char *why;
	} cases[] = {
		{D_NO_HDRS, "not a kernel image"},
		{D_OLD_PROTOCOL, "predates payload offsets"},
		{D_PAYLOAD_PAST_END, "truncated"},
		{D_UNKNOWN_COMP, "unknown compression"},
		{D_CORRUPT_GZIP, "cannot decompress"},
		{D_MACHINE, "not an x86-64 kernel image"},
		{D_RELOCS_SHORT, "relocations end early"},
		{D_TRUNCATED_FILE, "truncated"},
	};
	unsigned int c;

	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct mintmon_image img;
		char why[256] = "";
		size_t len;
		unsigned char *b;
		int ret;

		if (cases[c].d == D_MACHINE || cases[c].d == D_RELOCS_SHORT) {
			size_t plen, elf_len;

			b = fix_payload(&plen, &elf_len);
			len = plen;
			if (cases[c].d == D_MACHINE)
				((Elf64_Ehdr *)b)->e_machine = EM_AARCH64;
			else
				memset(b + elf_len, 0xff, 4 * 4);	/* no terminators but the first */
			/* As a vmlinux with something after it: relocations, read as such. */
			ret = mintmon_image_open_mem(b, len, &img, why, sizeof(why));
			if (!ret) {
				img.have_relocs = true;
				ret = mintmon_image_relocate(&img, DELTA, why, sizeof(why));
				mintmon_image_close(&img);
			}
		} else {
			b = fix_image(FIX_GZIP, &len);
			switch (cases[c].d) {
			case D_NO_HDRS: memcpy(b + 0x202, "HdrX", 4); break;
			case D_OLD_PROTOCOL: b[0x206] = 0x07; break;
			case D_PAYLOAD_PAST_END: b[0x24f] = 0x10; break;
			case D_UNKNOWN_COMP: b[5 * 512] = 0x42; break;	/* "BZh": bzip2 */
			case D_CORRUPT_GZIP: memset(b + 5 * 512 + 20, 0xa5, 40); break;
			case D_TRUNCATED_FILE: len = 5 * 512 + 10; break;
			default: break;
			}
			ret = mintmon_image_open_mem(b, len, &img, why, sizeof(why));
			if (!ret)
				mintmon_image_close(&img);
		}
		if (ret == 0 || !strstr(why, cases[c].why))
			fail_msg("damage case %u: %d \"%s\", want \"%s\"", c, ret, why, cases[c].why);
		free(b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_compression),
		cmocka_unit_test(test_vmlinux),
		cmocka_unit_test(test_damage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
