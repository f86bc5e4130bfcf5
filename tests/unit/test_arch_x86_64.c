// SPDX-License-Identifier: GPL-2.0
/* Unit tests for monitor/core/arch_x86_64.c: page-table walks and kernel discovery. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fake_memory.h"
#include "mintmon/arch.h"

#define P 0x001ull	/* present */
#define RW 0x002ull
#define US 0x004ull
#define PS 0x080ull	/* large page */
#define NX (1ull << 63)
#define TABLE (P | RW | US)	/* _PAGE_TABLE, as the kernel writes upper levels */
#define MEM_SIZE (64ull << 20)

/*
 * Fixture layout (physical):
 *   0x1000  PML4 (4-level root)      0x6000  PML5 (5-level root: [511] -> 0x1000,
 *   0x2000  PDPT for 511 (kernel)                            [273] -> 0x1000)
 *   0x3000  PD: kernel image map     0x7000  PDPT for user addresses (PML4[254])
 *   0x4000  PDPT for 273 (direct map, one 1 GiB page -> 0)
 *   0x5000  PT for one 4 KiB user page
 *   0x8000  PD for user addresses
 * Kernel image: PD[8..13] map 0xffffffff81000000.. -> 0x1000000.., 2 MiB each;
 * PD[8..9] executable text, PD[10..13] non-executable read-only data.
 */
struct pt_fixture {
	struct fake_memory f;
	struct mintmon_memory m;
};

static int setup(void **state)
{
	struct pt_fixture *x = calloc(1, sizeof(*x));
	unsigned int i;

	fake_memory_init(&x->f, &x->m, MEM_SIZE);
	fake_put64(&x->f, 0x1000 + 8 * 511, 0x2000 | TABLE);
	fake_put64(&x->f, 0x2000 + 8 * 510, 0x3000 | TABLE);
	for (i = 8; i < 14; i++)
		fake_put64(&x->f, 0x3000 + 8 * i,
			   (0x1000000ull + (i - 8) * 0x200000) | P | PS | (i < 10 ? 0 : NX));
	fake_put64(&x->f, 0x1000 + 8 * 273, 0x4000 | TABLE);
	fake_put64(&x->f, 0x4000 + 8 * 0, 0x0 | P | RW | PS | NX);
	fake_put64(&x->f, 0x1000 + 8 * 254, 0x7000 | TABLE);
	fake_put64(&x->f, 0x7000 + 8 * 0, 0x8000 | TABLE);
	fake_put64(&x->f, 0x8000 + 8 * 0, 0x5000 | TABLE);
	fake_put64(&x->f, 0x5000 + 8 * 1, 0x123000 | P | RW | US);
	fake_put64(&x->f, 0x6000 + 8 * 511, 0x1000 | TABLE);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct pt_fixture *x = *state;

	fake_memory_deinit(&x->f);
	free(x);
	return 0;
}

struct translate_case {
	const char *what;
	unsigned int levels;
	u64 root;
	u64 vaddr;
	int err;
	u64 phys;
	u64 page_size;
};

static const struct translate_case translate_cases[] = {
	{"4 KiB user page", 4, 0x1000, 0x00007f0000001234ull, 0, 0x123234, 0x1000},
	{"2 MiB kernel page", 4, 0x1000, 0xffffffff81234567ull, 0, 0x1234567, 0x200000},
	{"1 GiB direct-map page", 4, 0x1000, 0xffff888012345678ull, 0, 0x12345678, 1ull << 30},
	{"unmapped PML4 slot", 4, 0x1000, 0xffffc90000000000ull, -ENXIO, 0, 0},
	{"unmapped 2 MiB slot below _text", 4, 0x1000, 0xffffffff80000000ull, -ENXIO, 0, 0},
	{"non-canonical with 4 levels", 4, 0x1000, 0x0000800000000000ull, -EINVAL, 0, 0},
	{"5-level: kernel through PML5[511]", 5, 0x6000, 0xffffffff81234567ull, 0, 0x1234567,
	 0x200000},
	{"5-level: canonical only at 57 bits", 5, 0x6000, 0x0100000000000000ull, -EINVAL, 0, 0},
	{"root outside memory", 4, MEM_SIZE + 0x1000, 0xffffffff81000000ull, -EFAULT, 0, 0},
	{"bad level count", 3, 0x1000, 0xffffffff81000000ull, -EINVAL, 0, 0},
};

static void test_translate(void **state)
{
	struct pt_fixture *x = *state;
	unsigned int i;

	for (i = 0; i < MINTMON_ARRAY_SIZE(translate_cases); i++) {
		const struct translate_case *c = &translate_cases[i];
		struct mintmon_translation t;
		u64 fault = 0;
		int err = mintmon_arch_x86_64.translate(&x->m, c->levels, c->root, c->vaddr, &t,
							&fault);

		print_message("%s\n", c->what);
		assert_int_equal(err, c->err);
		if (err == -EFAULT)
			assert_int_equal(fault, c->root + 8 * 511);
		if (err)
			continue;
		assert_int_equal(t.phys, c->phys);
		assert_int_equal(t.page_size, c->page_size);
	}
}

static void test_permissions(void **state)
{
	struct pt_fixture *x = *state;
	struct mintmon_translation t;
	u64 fault;

	assert_int_equal(mintmon_arch_x86_64.translate(&x->m, 4, 0x1000, 0xffffffff81000000ull,
						       &t, &fault), 0);
	assert_true(t.executable);
	assert_false(t.writable);
	assert_int_equal(mintmon_arch_x86_64.translate(&x->m, 4, 0x1000, 0xffffffff81400000ull,
						       &t, &fault), 0);
	assert_false(t.executable);
	assert_int_equal(mintmon_arch_x86_64.translate(&x->m, 4, 0x1000, 0x00007f0000001000ull,
						       &t, &fault), 0);
	assert_true(t.user);
	assert_true(t.writable);
}

static void test_find_kernel_4level(void **state)
{
	struct pt_fixture *x = *state;
	struct mintmon_arch_image img;

	assert_int_equal(mintmon_arch_x86_64.find_kernel(&x->m, 0, MEM_SIZE, &img), 0);
	assert_int_equal(img.pgtable, 0x1000);
	assert_int_equal(img.levels, 4);
	assert_int_equal(img.text_virt, 0xffffffff81000000ull);
	assert_int_equal(img.text_phys, 0x1000000);
	assert_int_equal(img.mapped_size, 6 * 0x200000);
}

static void test_find_kernel_5level(void **state)
{
	struct pt_fixture *x = *state;
	struct mintmon_arch_image img;

	/* Starting past the PML4 leaves only the PML5 at 0x6000. */
	assert_int_equal(mintmon_arch_x86_64.find_kernel(&x->m, 0x2000, MEM_SIZE, &img), 0);
	assert_int_equal(img.pgtable, 0x6000);
	assert_int_equal(img.levels, 5);
	assert_int_equal(img.text_virt, 0xffffffff81000000ull);
}

static void test_find_kernel_rejects(void **state)
{
	struct pt_fixture *x = *state;
	struct mintmon_arch_image img;

	/* A kernel map of 2 chunks (4 MiB) is too small to be a kernel. */
	memset(x->f.bytes + 0x3000 + 8 * 10, 0, 4 * 8);
	assert_int_equal(mintmon_arch_x86_64.find_kernel(&x->m, 0, MEM_SIZE, &img), -ENOENT);
	/* Physically discontiguous chunks stop the image: 2 + 0. */
	fake_put64(&x->f, 0x3000 + 8 * 10, 0x3000000 | P | PS);
	assert_int_equal(mintmon_arch_x86_64.find_kernel(&x->m, 0, MEM_SIZE, &img), -ENOENT);
	/* A contiguous image that runs past the end of memory is not accepted. */
	for (unsigned int i = 8; i < 14; i++)
		fake_put64(&x->f, 0x3000 + 8 * i, (MEM_SIZE - 0x400000 + (i - 8) * 0x200000) | P | PS);
	assert_int_equal(mintmon_arch_x86_64.find_kernel(&x->m, 0, MEM_SIZE, &img), -ENOENT);
	/* A self-referencing table is walked a bounded number of levels. */
	fake_put64(&x->f, 0x1000 + 8 * 511, 0x1000 | TABLE);
	fake_put64(&x->f, 0x6000 + 8 * 511, 0x6000 | TABLE);
	assert_int_equal(mintmon_arch_x86_64.find_kernel(&x->m, 0, MEM_SIZE, &img), -ENOENT);
}

static void test_find_kernel_empty(void **state)
{
	struct fake_memory f;
	struct mintmon_memory m;
	struct mintmon_arch_image img;

	fake_memory_init(&f, &m, 1 << 20);
	memset(f.bytes, 0xff, 1 << 20);	/* every entry "present, large": nothing valid */
	assert_int_equal(mintmon_arch_x86_64.find_kernel(&m, 0, 1 << 20, &img), -ENOENT);
	fake_memory_deinit(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_translate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_permissions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find_kernel_4level, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find_kernel_5level, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find_kernel_rejects, setup, teardown),
		cmocka_unit_test(test_find_kernel_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
