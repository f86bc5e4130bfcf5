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
		fake_put64(&x->f, 0x3000 + 8 * i,
			   (MEM_SIZE - 0x400000 + (i - 8) * 0x200000) | P | PS);
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

/* ---- kernel image discovery: what makes an image ---- */

#define PD 0x3000ull	/* the fixture's kernel-map PD */
#define CHUNK 0x200000ull
#define IMG 0x1000000ull	/* where the fixture's image is */

/*
 * One PD entry of a kernel-map variant: index, and the physical address it
 * maps (a 2 MiB page unless pt is set: then a PT at pt whose first entry
 * maps phys). phys ~0: leave the entry empty.
 */
struct pd_entry {
	unsigned int index;
	u64 phys;
	u64 pt;
};

struct image_case {
	const char *what;
	struct pd_entry e[10];
	int err;
	u64 text_virt, text_phys, mapped_size;
};

#define E(i, phys) {(i), (phys), 0}
#define END {0, 0, 0}

static const struct image_case image_cases[] = {
	{"six contiguous chunks", {E(8, IMG), E(9, IMG + CHUNK), E(10, IMG + 2 * CHUNK),
	  E(11, IMG + 3 * CHUNK), E(12, IMG + 4 * CHUNK), E(13, IMG + 5 * CHUNK), END},
	 0, 0xffffffff81000000ull, IMG, 6 * CHUNK},
	/*
	 * The contiguity check: each chunk must follow the one before it in
	 * physical memory. Here six chunks are present (12 MiB, enough for a
	 * kernel) but the third jumps elsewhere: the image is 2 chunks, too
	 * small. Without the check the six would be taken for one image.
	 */
	{"third chunk elsewhere: 4 MiB, too small", {E(8, IMG), E(9, IMG + CHUNK),
	  E(10, 0x3000000), E(11, 0x3000000 + CHUNK), E(12, 0x3000000 + 2 * CHUNK),
	  E(13, 0x3000000 + 3 * CHUNK), END}, -ENOENT, 0, 0, 0},
	{"sixth chunk elsewhere: the image stops before it", {E(8, IMG), E(9, IMG + CHUNK),
	  E(10, IMG + 2 * CHUNK), E(11, IMG + 3 * CHUNK), E(12, IMG + 4 * CHUNK),
	  E(13, 0x3000000), E(14, 0x3000000 + CHUNK), END},
	 0, 0xffffffff81000000ull, IMG, 5 * CHUNK},
	{"a chunk mapped twice stops the image", {E(8, IMG), E(9, IMG + CHUNK),
	  E(10, IMG + 2 * CHUNK), E(11, IMG + 3 * CHUNK), E(12, IMG), E(13, IMG + CHUNK), END},
	 0, 0xffffffff81000000ull, IMG, 4 * CHUNK},
	{"a hole stops the image", {E(8, IMG), E(9, IMG + CHUNK), E(10, IMG + 2 * CHUNK),
	  E(11, IMG + 3 * CHUNK), E(13, IMG + 5 * CHUNK), E(14, IMG + 6 * CHUNK), END},
	 0, 0xffffffff81000000ull, IMG, 4 * CHUNK},
	{"_text at the start of the kernel map", {E(0, IMG), E(1, IMG + CHUNK),
	  E(2, IMG + 2 * CHUNK), E(3, IMG + 3 * CHUNK), END},
	 0, 0xffffffff80000000ull, IMG, 4 * CHUNK},
	{"exactly 8 MiB is enough", {E(20, IMG), E(21, IMG + CHUNK), E(22, IMG + 2 * CHUNK),
	  E(23, IMG + 3 * CHUNK), END}, 0, 0xffffffff82800000ull, IMG, 4 * CHUNK},
	{"first chunk not 2 MiB aligned", {E(8, IMG + 0x1000), E(9, IMG + CHUNK + 0x1000),
	  E(10, IMG + 2 * CHUNK + 0x1000), E(11, IMG + 3 * CHUNK + 0x1000), END},
	 -ENOENT, 0, 0, 0},
	{"a later chunk not 2 MiB aligned stops the image", {E(8, IMG), E(9, IMG + CHUNK),
	  E(10, IMG + 2 * CHUNK), E(11, IMG + 3 * CHUNK), E(12, IMG + 4 * CHUNK + 0x1000),
	  END}, 0, 0xffffffff81000000ull, IMG, 4 * CHUNK},
	/* set_memory_*() may split a chunk into 4 KiB pages: its first page counts. */
	{"first chunk split into 4 KiB pages", {{8, IMG, 0x9000}, E(9, IMG + CHUNK),
	  E(10, IMG + 2 * CHUNK), E(11, IMG + 3 * CHUNK), END},
	 0, 0xffffffff81000000ull, IMG, 4 * CHUNK},
	{"a split chunk in the middle", {E(8, IMG), {9, IMG + CHUNK, 0x9000},
	  E(10, IMG + 2 * CHUNK), E(11, IMG + 3 * CHUNK), END},
	 0, 0xffffffff81000000ull, IMG, 4 * CHUNK},
	{"split chunk whose first page is elsewhere", {E(8, IMG), {9, 0x3000000, 0x9000},
	  E(10, IMG + 2 * CHUNK), E(11, IMG + 3 * CHUNK), E(12, IMG + 4 * CHUNK), END},
	 -ENOENT, 0, 0, 0},
	{"split first chunk, first page not 2 MiB aligned", {{8, IMG + 0x1000, 0x9000},
	  E(9, IMG + CHUNK), E(10, IMG + 2 * CHUNK), E(11, IMG + 3 * CHUNK), END},
	 -ENOENT, 0, 0, 0},
};

static void test_find_kernel_images(void **state)
{
	struct pt_fixture *x = *state;
	unsigned int i, j;

	for (i = 0; i < MINTMON_ARRAY_SIZE(image_cases); i++) {
		const struct image_case *c = &image_cases[i];
		struct mintmon_arch_image img;

		print_message("%s\n", c->what);
		memset(x->f.bytes + PD, 0, 0x1000);
		memset(x->f.bytes + 0x9000, 0, 0x1000);
		for (j = 0; j < MINTMON_ARRAY_SIZE(c->e) && c->e[j].phys; j++) {
			const struct pd_entry *e = &c->e[j];

			if (e->pt) {
				fake_put64(&x->f, PD + 8 * e->index, e->pt | P | RW);
				fake_put64(&x->f, e->pt, e->phys | P | RW);
			} else {
				fake_put64(&x->f, PD + 8 * e->index, e->phys | P | PS);
			}
		}
		/* Only the 4-level root: the 5-level one maps the same PD. */
		assert_int_equal(mintmon_arch_x86_64.find_kernel(&x->m, 0, 0x2000, &img), c->err);
		if (c->err)
			continue;
		assert_int_equal(img.pgtable, 0x1000);
		assert_int_equal(img.text_virt, c->text_virt);
		assert_int_equal(img.text_phys, c->text_phys);
		assert_int_equal(img.mapped_size, c->mapped_size);
	}
}

/*
 * Tables that lie outside memory are not followed: a PML4 whose entry 511
 * points past the end, and a PUD entry that does.
 */
static void test_find_kernel_tables_outside(void **state)
{
	struct pt_fixture *x = *state;
	struct mintmon_arch_image img;

	fake_put64(&x->f, 0x1000 + 8 * 511, (MEM_SIZE + 0x2000) | TABLE);
	assert_int_equal(mintmon_arch_x86_64.find_kernel(&x->m, 0, 0x2000, &img), -ENOENT);
	fake_put64(&x->f, 0x1000 + 8 * 511, 0x2000 | TABLE);
	fake_put64(&x->f, 0x2000 + 8 * 510, (MEM_SIZE + 0x3000) | TABLE);
	assert_int_equal(mintmon_arch_x86_64.find_kernel(&x->m, 0, 0x2000, &img), -ENOENT);
	/* A large page where a table must be is no table. */
	fake_put64(&x->f, 0x2000 + 8 * 510, 0x40000000 | P | RW | PS);
	assert_int_equal(mintmon_arch_x86_64.find_kernel(&x->m, 0, 0x2000, &img), -ENOENT);
	/* The filter on entry 511: read-only is not a kernel top-level table. */
	fake_put64(&x->f, 0x2000 + 8 * 510, 0x3000 | TABLE);
	fake_put64(&x->f, 0x1000 + 8 * 511, 0x2000 | P | US);
	assert_int_equal(mintmon_arch_x86_64.find_kernel(&x->m, 0, 0x2000, &img), -ENOENT);
	fake_put64(&x->f, 0x1000 + 8 * 511, 0x2000 | TABLE);
	assert_int_equal(mintmon_arch_x86_64.find_kernel(&x->m, 0, 0x2000, &img), 0);
	/* The search window: start rounded up to a page, whole pages before end. */
	assert_int_equal(mintmon_arch_x86_64.find_kernel(&x->m, 0x1001, 0x6000, &img), -ENOENT);
	assert_int_equal(mintmon_arch_x86_64.find_kernel(&x->m, 0x1000, 0x1fff, &img), -ENOENT);
	assert_int_equal(mintmon_arch_x86_64.find_kernel(&x->m, 0x0001, 0x2000, &img), 0);
	assert_int_equal(img.pgtable, 0x1000);
}

/* ---- one level at a time ---- */

struct walk_start_case {
	const char *what;
	unsigned int levels;
	u64 vaddr;
	int err;
	u64 entry_phys;		/* root 0x10000 */
};

static const struct walk_start_case walk_start_cases[] = {
	{"lowest address", 4, 0, 0, 0x10000},
	{"top of user space", 4, 0x00007fffffffffffull, 0, 0x10000 + 8 * 255},
	{"first non-canonical", 4, 0x0000800000000000ull, -EINVAL, 0},
	{"last non-canonical", 4, 0xffff7fffffffffffull, -EINVAL, 0},
	{"bottom of kernel space", 4, 0xffff800000000000ull, 0, 0x10000 + 8 * 256},
	{"kernel map", 4, 0xffffffff81000000ull, 0, 0x10000 + 8 * 511},
	{"a bit above 48 flipped", 4, 0xfffeffff81000000ull, -EINVAL, 0},
	{"5-level: top of user space", 5, 0x00ffffffffffffffull, 0, 0x10000 + 8 * 255},
	{"5-level: non-canonical", 5, 0x0100000000000000ull, -EINVAL, 0},
	{"5-level: bottom of kernel space", 5, 0xff00000000000000ull, 0, 0x10000 + 8 * 256},
	{"5-level: 4-level kernel address", 5, 0xffff888000000000ull, 0, 0x10000 + 8 * 511},
	{"3 levels", 3, 0, -EINVAL, 0},
	{"6 levels", 6, 0, -EINVAL, 0},
};

static void test_walk_start(void **state)
{
	unsigned int i;

	for (i = 0; i < MINTMON_ARRAY_SIZE(walk_start_cases); i++) {
		const struct walk_start_case *c = &walk_start_cases[i];
		struct mintmon_walk w;

		print_message("%s\n", c->what);
		memset(&w, 0, sizeof(w));
		assert_int_equal(mintmon_arch_x86_64.walk_start(c->levels, 0x10000, c->vaddr, &w),
				 c->err);
		if (c->err)
			continue;
		assert_int_equal(w.entry_phys, c->entry_phys);
		assert_int_equal(w.level, c->levels);
		assert_int_equal(w.vaddr, c->vaddr);
	}
}

#define PAT_LARGE (1ull << 12)	/* PAT bit of a 2 MiB / 1 GiB entry: not address */
#define PKEY (0xfull << 59)	/* protection key bits: not address */

/*
 * A walk fed the entries in order, each one taken as read at the
 * w.entry_phys the walk asked for (checked against want_next).
 */
struct walk_case {
	const char *what;
	unsigned int levels;
	u64 vaddr;
	u64 entry[5];
	u64 want_next[5];	/* entry_phys after each step (0: not checked) */
	unsigned int steps;	/* entries taken */
	int ret;		/* of the last step: 1 done, or an error */
	u64 phys, page_size;
	bool writable, executable, user;
};

static const struct walk_case walk_cases[] = {
	{"4 KiB page, all the way down", 4, 0x00007f0000401234ull,
	 {0x7000 | TABLE, 0x8000 | TABLE, 0x5000 | TABLE, 0x123000 | P | RW | US},
	 {0x7000 + 8 * 0, 0x8000 + 8 * 2, 0x5000 + 8 * 1, 0}, 4, 1,
	 0x123234, 0x1000, true, true, true},
	{"4 KiB page: bit 7 is PAT there, not PS", 4, 0x1234,
	 {0x7000 | TABLE, 0x8000 | TABLE, 0x5000 | TABLE, 0x123000 | P | PS}, {0}, 4, 1,
	 0x123234, 0x1000, false, true, false},
	{"2 MiB page, PAT and key bits not address", 4, 0xffffffff81234567ull,
	 {0x2000 | TABLE, 0x3000 | TABLE, 0x1200000 | PAT_LARGE | PKEY | P | PS}, {0}, 3, 1,
	 0x1234567, 0x200000, false, true, false},
	{"1 GiB page", 4, 0xffff888012345678ull,
	 {0x4000 | TABLE, 0x40000000 | PAT_LARGE | P | RW | PS | NX}, {0}, 2, 1,
	 0x52345678, 1ull << 30, true, false, false},
	{"5 levels to a 2 MiB page", 5, 0xffffffff81234567ull,
	 {0x1000 | TABLE, 0x2000 | TABLE, 0x3000 | TABLE, 0x1200000 | P | PS},
	 {0x1000 + 8 * 511, 0x2000 + 8 * 510, 0x3000 + 8 * 9, 0}, 4, 1,
	 0x1234567, 0x200000, false, true, false},
	/* Not present at each level. */
	{"top level not present", 4, 0x1000, {0}, {0}, 1, -ENXIO, 0, 0, false, false, false},
	{"PUD not present", 4, 0x1000, {0x7000 | TABLE, RW | US}, {0}, 2, -ENXIO,
	 0, 0, false, false, false},
	{"PMD not present", 4, 0x1000, {TABLE, TABLE, 0x1000000 | PS}, {0}, 3, -ENXIO,
	 0, 0, false, false, false},
	{"PTE not present", 4, 0x1000, {TABLE, TABLE, TABLE, 0x123000 | RW}, {0}, 4, -ENXIO,
	 0, 0, false, false, false},
	/* A large page where none can be. */
	{"PS at the top level (4)", 4, 0x1000, {0x40000000 | P | PS}, {0}, 1, -EINVAL,
	 0, 0, false, false, false},
	{"PS at the top level (5)", 5, 0x1000, {0x40000000 | P | PS}, {0}, 1, -EINVAL,
	 0, 0, false, false, false},
	{"PS at level 4 of 5", 5, 0x1000, {TABLE, 0x40000000 | P | PS}, {0}, 2, -EINVAL,
	 0, 0, false, false, false},
	/* Permissions: any level can take them away. */
	{"NX above an executable leaf", 4, 0x1000,
	 {TABLE | NX, TABLE, TABLE, 0x5000 | P | RW | US}, {0}, 4, 1,
	 0x5000, 0x1000, true, false, true},
	{"read-only above a writable leaf", 4, 0x1000,
	 {TABLE, P | US, TABLE, 0x5000 | P | RW | US}, {0}, 4, 1,
	 0x5000, 0x1000, false, true, true},
	{"supervisor above a user leaf", 4, 0x1000,
	 {TABLE, TABLE, P | RW, 0x5000 | P | RW | US}, {0}, 4, 1,
	 0x5000, 0x1000, true, true, false},
	{"all allowed above, leaf takes them", 4, 0x1000,
	 {TABLE, TABLE, TABLE, 0x5000 | P | NX}, {0}, 4, 1,
	 0x5000, 0x1000, false, false, false},
};

static void test_walk_step(void **state)
{
	unsigned int i, k;

	for (i = 0; i < MINTMON_ARRAY_SIZE(walk_cases); i++) {
		const struct walk_case *c = &walk_cases[i];
		struct mintmon_translation t;
		struct mintmon_walk w;
		int ret = 0;

		print_message("%s\n", c->what);
		assert_int_equal(mintmon_arch_x86_64.walk_start(c->levels, 0x1000, c->vaddr, &w),
				 0);
		memset(&t, 0xee, sizeof(t));
		for (k = 0; k < c->steps; k++) {
			ret = mintmon_arch_x86_64.walk_step(&w, c->entry[k], &t);
			if (k + 1 < c->steps)
				assert_int_equal(ret, 0);
			if (!ret && c->want_next[k])
				assert_int_equal(w.entry_phys, c->want_next[k]);
		}
		assert_int_equal(ret, c->ret);
		if (ret != 1)
			continue;
		assert_int_equal(t.phys, c->phys);
		assert_int_equal(t.page_size, c->page_size);
		assert_int_equal(t.writable, c->writable);
		assert_int_equal(t.executable, c->executable);
		assert_int_equal(t.user, c->user);
	}
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
		cmocka_unit_test_setup_teardown(test_find_kernel_images, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find_kernel_tables_outside, setup, teardown),
		cmocka_unit_test(test_walk_start),
		cmocka_unit_test(test_walk_step),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
