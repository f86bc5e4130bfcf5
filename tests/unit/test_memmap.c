// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for memmap/lib/memmap.c: the kexec-mint preset against the
 * numbers of the seed's Kexec-Mint (worked out by hand below from the brief's
 * table, not from the code), every per-node output, and one table of
 * layouts that validation must reject with a precise message.
 * The layout-file syntax itself is tested in test_memmap_parse.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <mintmon/memmap.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define RAM MINT_MEMMAP_E820_RAM
#define RES MINT_MEMMAP_E820_RESERVED
#define ACPI MINT_MEMMAP_E820_ACPI
#define NVS MINT_MEMMAP_E820_NVS

/* A layout is ~9 KiB: keep it off the (ASan-enlarged) stack. */
static struct mint_memmap layout;

static struct mint_memmap *parse_ok(const char *text)
{
	int err = mint_memmap_parse(&layout, "t.txt", text, strlen(text));

	if (err)
		fail_msg("parse: %d %s", err, mint_memmap_strerror(&layout));
	err = mint_memmap_validate(&layout);
	if (err)
		fail_msg("validate: %d %s", err, mint_memmap_strerror(&layout));
	return &layout;
}

/*
 * The seed's arithmetic, region by region, for k = 0, 1, 2:
 *   region1 = (k % 5) * 0x20000,             size 0x20000
 *   region2 = 0x8000000 + 0x8000000 * (k % 5), size 0x8000000
 *   region3 = 0x20000000 + k * 0x18000000,   size 0x18000000
 */
static const struct {
	u64 r1, r2, r3;
} seed[3] = {
	{ 0x00000, 0x08000000, 0x20000000 },	/* k = 0 */
	{ 0x20000, 0x10000000, 0x38000000 },	/* k = 1: 0x8000000 * 2, 0x20000000 + 0x18000000 */
	{ 0x40000, 0x18000000, 0x50000000 },	/* k = 2: 0x8000000 * 3, 0x20000000 + 0x30000000 */
};

/*
 * e820 of each node by hand. Every node gets the BIOS ROM (0xf0000, 64 KiB,
 * the preset's one firmware range). Node 0 also gets nodes 1 and 2 as
 * reserved; touching reserved windows merge:
 *   0x20000 + 0x20000 (n1 r1) and 0x40000 + 0x20000 (n2 r1) -> 0x20000 + 0x40000
 *   0x10000000 (n1 r2) and 0x18000000 (n2 r2), 128 MiB each -> 0x10000000 + 256 MiB
 *   0x38000000 (n1 r3) and 0x50000000 (n2 r3), 384 MiB each -> 0x38000000 + 768 MiB
 */
struct e820_expect {
	unsigned int nr;
	struct mint_memmap_e820_entry e[8];
};

static const struct e820_expect seed_e820[3] = {
	{ 7, {
		{ 0x0, 0x20000, RAM },
		{ 0x20000, 0x40000, RES },
		{ 0xf0000, 0x10000, RES },
		{ 0x8000000, 0x8000000, RAM },
		{ 0x10000000, 0x10000000, RES },
		{ 0x20000000, 0x18000000, RAM },
		{ 0x38000000, 0x30000000, RES },
	} },
	{ 4, {
		{ 0x20000, 0x20000, RAM },
		{ 0xf0000, 0x10000, RES },
		{ 0x10000000, 0x8000000, RAM },
		{ 0x38000000, 0x18000000, RAM },
	} },
	{ 4, {
		{ 0x40000, 0x20000, RAM },
		{ 0xf0000, 0x10000, RES },
		{ 0x18000000, 0x8000000, RAM },
		{ 0x50000000, 0x18000000, RAM },
	} },
};

/* The same maps as kernel arguments: 0x20000 = 128K, 0x8000000 = 128M, 0x18000000 = 384M. */
static const char *const seed_cmdline[3] = {
	"memmap=exactmap memmap=128K@0x0 memmap=256K$0x20000 memmap=64K$0xf0000 "
	"memmap=128M@0x8000000 memmap=256M$0x10000000 memmap=384M@0x20000000 "
	"memmap=768M$0x38000000",
	"memmap=exactmap memmap=128K@0x20000 memmap=64K$0xf0000 memmap=128M@0x10000000 "
	"memmap=384M@0x38000000",
	"memmap=exactmap memmap=128K@0x40000 memmap=64K$0xf0000 memmap=128M@0x18000000 "
	"memmap=384M@0x50000000",
};

static void assert_e820(const struct mint_memmap_e820 *got, const struct e820_expect *want,
			unsigned int node)
{
	unsigned int i;

	if (got->nr != want->nr)
		fail_msg("node %u: %u e820 entries, want %u", node, got->nr, want->nr);
	for (i = 0; i < want->nr; i++) {
		const struct mint_memmap_e820_entry *g = &got->entries[i], *w = &want->e[i];

		if (g->addr != w->addr || g->size != w->size || g->type != w->type)
			fail_msg("node %u entry %u: 0x%llx+0x%llx type %u, want 0x%llx+0x%llx type %u",
				 node, i, (unsigned long long)g->addr, (unsigned long long)g->size,
				 g->type, (unsigned long long)w->addr, (unsigned long long)w->size,
				 w->type);
	}
}

static void test_preset_seed_numbers(void **state)
{
	struct mint_memmap *m = &layout;
	unsigned int k;

	assert_int_equal(mint_memmap_preset(m, "kexec-mint", 3), 0);
	assert_int_equal(mint_memmap_validate(m), 0);
	assert_int_equal(m->nr_nodes, 3);
	/* The region3s tile 0x20000000-0x68000000 (brief); installed memory ends there. */
	assert_int_equal(m->memory, 0x68000000);
	for (k = 0; k < 3; k++) {
		const struct mint_memmap_node *node = &m->nodes[k];
		struct mint_memmap_range kw;
		u64 ram;

		assert_int_equal(node->nr_regions, 3);
		assert_int_equal(node->regions[0].start, seed[k].r1);
		assert_int_equal(node->regions[0].size, 0x20000);
		assert_int_equal(node->regions[1].start, seed[k].r2);
		assert_int_equal(node->regions[1].size, 0x8000000);
		assert_int_equal(node->regions[2].start, seed[k].r3);
		assert_int_equal(node->regions[2].size, 0x18000000);
		assert_string_equal(node->regions[2].name, "region3");
		/* Node k runs on CPU k. */
		assert_int_equal(node->cpus[0], 1ULL << k);
		/* The kernel window is region3. */
		assert_int_equal(mint_memmap_node_kernel_window(m, k, &kw), 0);
		assert_int_equal(kw.start, seed[k].r3);
		assert_int_equal(kw.size, 0x18000000);
		/* 128 KiB + 128 MiB + 384 MiB */
		assert_int_equal(mint_memmap_node_ram(m, k, &ram), 0);
		assert_int_equal(ram, 0x20000 + 0x8000000 + 0x18000000);
	}
	/* Node 0 monitors nodes 1 and 2; they monitor nothing. */
	assert_int_equal(m->nodes[0].monitors, 0x6);
	assert_int_equal(m->nodes[1].monitors, 0);
	assert_int_equal(m->nodes[2].monitors, 0);
}

static void test_preset_seed_e820_and_cmdline(void **state)
{
	struct mint_memmap *m = &layout;
	struct mint_memmap_e820 e820;
	char buf[512];
	unsigned int k;

	assert_int_equal(mint_memmap_preset(m, "kexec-mint", 3), 0);
	assert_int_equal(mint_memmap_validate(m), 0);
	for (k = 0; k < 3; k++) {
		assert_int_equal(mint_memmap_node_e820(m, k, &e820), 0);
		assert_e820(&e820, &seed_e820[k], k);
		assert_int_equal(mint_memmap_node_cmdline(m, k, buf, sizeof(buf)),
				 (int)strlen(seed_cmdline[k]));
		assert_string_equal(buf, seed_cmdline[k]);
	}
}

/* Node 0 sees every peer region as a window, and no node sees a peer's RAM as RAM. */
static void test_preset_seed_windows(void **state)
{
	static const struct mint_memmap_window want[] = {
		{ 0x20000, 0x20000, 1, 0 },
		{ 0x40000, 0x20000, 2, 0 },
		{ 0x10000000, 0x8000000, 1, 1 },
		{ 0x18000000, 0x8000000, 2, 1 },
		{ 0x38000000, 0x18000000, 1, 2 },
		{ 0x50000000, 0x18000000, 2, 2 },
	};
	struct mint_memmap *m = &layout;
	struct mint_memmap_windows win;
	struct mint_memmap_e820 e820;
	unsigned int i, k, j;

	assert_int_equal(mint_memmap_preset(m, "kexec-mint", 3), 0);
	assert_int_equal(mint_memmap_validate(m), 0);
	assert_int_equal(mint_memmap_node_windows(m, 0, &win), 0);
	assert_int_equal(win.nr, ARRAY_SIZE(want));
	for (i = 0; i < win.nr; i++) {
		assert_int_equal(win.w[i].start, want[i].start);
		assert_int_equal(win.w[i].size, want[i].size);
		assert_int_equal(win.w[i].owner, want[i].owner);
		assert_int_equal(win.w[i].region, want[i].region);
	}
	assert_int_equal(mint_memmap_node_windows(m, 1, &win), 0);
	assert_int_equal(win.nr, 0);
	for (k = 0; k < 3; k++) {
		assert_int_equal(mint_memmap_node_e820(m, k, &e820), 0);
		for (j = 0; j < e820.nr; j++) {
			int owner;

			if (e820.entries[j].type != RAM)
				continue;
			owner = mint_memmap_owner(m, e820.entries[j].addr);
			assert_int_equal(owner, (int)k);
			assert_int_equal(mint_memmap_owner(m, e820.entries[j].addr +
							      e820.entries[j].size - 1), (int)k);
		}
	}
}

static void test_preset_node_counts(void **state)
{
	static const struct {
		const char *preset;
		unsigned int nodes;
		int err;
		const char *msg;
	} cases[] = {
		{ "kexec-mint", 1, 0, "" },
		{ "kexec-mint", 2, 0, "" },
		{ "kexec-mint", 0, -ERANGE, "preset kexec-mint supports 1 to 3 nodes, not 0" },
		/* k % 5 would allow 5, but node 3's region2 is node 0's region3 */
		{ "kexec-mint", 4, -ERANGE,
		  "preset kexec-mint supports 1 to 3 nodes, not 4 (node 3's region2 would overlap node 0's region3)" },
		{ "kexec-mint", 5, -ERANGE,
		  "preset kexec-mint supports 1 to 3 nodes, not 5 (node 3's region2 would overlap node 0's region3)" },
		{ "kexec-mint", 4000000000U, -ERANGE,
		  "preset kexec-mint supports 1 to 3 nodes, not 4000000000 (node 3's region2 would overlap node 0's region3)" },
		{ "mint", 3, -ENOENT, "unknown preset 'mint' (known: kexec-mint)" },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int err = mint_memmap_preset(&layout, cases[i].preset, cases[i].nodes);

		if (!err)
			err = mint_memmap_validate(&layout);
		if (err != cases[i].err)
			fail_msg("case %u: %d (%s), want %d", i, err, mint_memmap_strerror(&layout),
				 cases[i].err);
		assert_string_equal(mint_memmap_strerror(&layout), cases[i].msg);
	}
	/* One node: installed memory ends at its region3, and it monitors nobody. */
	assert_int_equal(mint_memmap_preset(&layout, "kexec-mint", 1), 0);
	assert_int_equal(layout.memory, 0x38000000);
	assert_int_equal(layout.nodes[0].monitors, 0);
}

/* A two-node layout used by the output tests below. */
static const char small_layout[] =
	"memory 1G\n"
	"firmware 0x9fc00 1K reserved\n"	/* not page aligned: firmware need not be */
	"firmware 0x3ff00000 64K acpi\n"
	"firmware 0x3ff10000 64K nvs\n"
	"node 0\n"
	"  cpus 0-1\n"
	"  ram 0 64K\n"
	"  ram 64K 64K\n"			/* touches the first: one e820 entry */
	"  ram 0x20000000 256M kernel\n"
	"  monitors all\n"
	"  window 0x3fe00000 1M\n"		/* an extra window of node 0 */
	"node 1\n"
	"  cpus 2\n"
	"  ram 0x30000000 128M kernel\n";

static void test_outputs_small_layout(void **state)
{
	static const struct e820_expect want0 = { 7, {
		{ 0x0, 0x20000, RAM },
		{ 0x9fc00, 0x400, RES },
		{ 0x20000000, 0x10000000, RAM },
		{ 0x30000000, 0x8000000, RES },		/* node 1 */
		{ 0x3fe00000, 0x100000, RES },		/* the window line */
		{ 0x3ff00000, 0x10000, ACPI },
		{ 0x3ff10000, 0x10000, NVS },		/* touches ACPI but another type */
	} };
	static const struct e820_expect want1 = { 4, {
		{ 0x9fc00, 0x400, RES },
		{ 0x30000000, 0x8000000, RAM },
		{ 0x3ff00000, 0x10000, ACPI },
		{ 0x3ff10000, 0x10000, NVS },
	} };
	struct mint_memmap *m = parse_ok(small_layout);
	struct mint_memmap_windows win;
	struct mint_memmap_e820 e820;
	char buf[256];

	assert_int_equal(mint_memmap_node_e820(m, 0, &e820), 0);
	assert_e820(&e820, &want0, 0);
	assert_int_equal(mint_memmap_node_e820(m, 1, &e820), 0);
	assert_e820(&e820, &want1, 1);
	/* ACPI data is '#', NVS and reserved are '$'; 1K firmware sizes print as K. */
	assert_true(mint_memmap_node_cmdline(m, 0, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "memmap=exactmap memmap=128K@0x0 memmap=1K$0x9fc00 "
			    "memmap=256M@0x20000000 memmap=128M$0x30000000 memmap=1M$0x3fe00000 "
			    "memmap=64K#0x3ff00000 memmap=64K$0x3ff10000");
	assert_int_equal(mint_memmap_node_windows(m, 0, &win), 0);
	assert_int_equal(win.nr, 2);
	assert_int_equal(win.w[0].owner, 1);
	assert_int_equal(win.w[1].owner, MINT_MEMMAP_NO_OWNER);
	assert_int_equal(win.w[1].start, 0x3fe00000);
	/* CPUs 0-1 */
	assert_int_equal(m->nodes[0].cpus[0], 0x3);
}

static void test_cmdline_buffer(void **state)
{
	struct mint_memmap *m = &layout;
	size_t len = strlen(seed_cmdline[1]);
	char buf[256];

	assert_int_equal(mint_memmap_preset(m, "kexec-mint", 3), 0);
	assert_int_equal(mint_memmap_validate(m), 0);
	/* Exactly enough room, one byte short, none. */
	assert_int_equal(mint_memmap_node_cmdline(m, 1, buf, len + 1), (int)len);
	assert_int_equal(mint_memmap_node_cmdline(m, 1, buf, len), -ENOSPC);
	assert_int_equal(buf[len - 1], '\0');	/* still terminated */
	assert_int_equal(mint_memmap_node_cmdline(m, 1, buf, 0), -ENOSPC);
}

static void test_outputs_need_validation(void **state)
{
	struct mint_memmap *m = &layout;
	struct mint_memmap_range kw;
	struct mint_memmap_e820 e820;
	struct mint_memmap_windows win;
	char buf[64];
	u64 ram;

	assert_int_equal(mint_memmap_preset(m, "kexec-mint", 2), 0);
	assert_int_equal(mint_memmap_node_e820(m, 0, &e820), -EINVAL);
	assert_int_equal(mint_memmap_node_cmdline(m, 0, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(mint_memmap_node_kernel_window(m, 0, &kw), -EINVAL);
	assert_int_equal(mint_memmap_node_windows(m, 0, &win), -EINVAL);
	assert_int_equal(mint_memmap_node_ram(m, 0, &ram), -EINVAL);
	assert_int_equal(mint_memmap_validate(m), 0);
	assert_int_equal(mint_memmap_node_e820(m, 2, &e820), -ENOENT);
	/* Adding firmware invalidates the layout again. */
	assert_int_equal(mint_memmap_add_firmware(m, 0x7ffe0000, 0x20000, ACPI), 0);
	assert_false(m->validated);
	assert_int_equal(mint_memmap_node_e820(m, 0, &e820), -EINVAL);
	assert_int_equal(mint_memmap_validate(m), 0);
	assert_int_equal(mint_memmap_node_e820(m, 1, &e820), 0);
	assert_int_equal(e820.entries[e820.nr - 1].addr, 0x7ffe0000);
	assert_int_equal(e820.entries[e820.nr - 1].type, ACPI);
}

static void test_add_firmware_errors(void **state)
{
	static const struct {
		u64 start, size;
		u32 type;
		int err;
		const char *msg;
	} cases[] = {
		{ 0x1000, 0x1000, RAM, -EINVAL,
		  "firmware at 0x1000: e820 type 1 cannot be passed through" },
		{ 0x1000, 0x1000, 99, -EINVAL,
		  "firmware at 0x1000: e820 type 99 cannot be passed through" },
		{ 0x1000, 0, RES, -EINVAL, "firmware at 0x1000: size must not be zero" },
		{ 0xfffffffffffff000ULL, 0x2000, RES, -ERANGE,
		  "firmware 0xfffffffffffff000 + 0x2000 ends beyond the 52-bit physical address space" },
		{ 0xfffff000000000ULL, 0x1000000000ULL, RES, -ERANGE,
		  "firmware 0xfffff000000000 + 0x1000000000 ends beyond the 52-bit physical address space" },
		/* Overlapping node 0's region1 is caught by validation. */
		{ 0x10000, 0x1000, ACPI, -EINVAL,
		  "firmware 0x10000-0x10fff (ACPI) overlaps node 0 ram 0x0-0x1ffff (region1)" },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int err;

		assert_int_equal(mint_memmap_preset(&layout, "kexec-mint", 3), 0);
		err = mint_memmap_add_firmware(&layout, cases[i].start, cases[i].size,
					       cases[i].type);
		if (!err)
			err = mint_memmap_validate(&layout);
		if (err != cases[i].err)
			fail_msg("case %u: %d (%s), want %d", i, err, mint_memmap_strerror(&layout),
				 cases[i].err);
		assert_string_equal(mint_memmap_strerror(&layout), cases[i].msg);
	}
	/* At most MINT_MEMMAP_MAX_FIRMWARE separate ranges (4 KiB gaps between them). */
	mint_memmap_init(&layout);
	for (i = 0; i < MINT_MEMMAP_MAX_FIRMWARE; i++)
		assert_int_equal(mint_memmap_add_firmware(&layout, i * 0x2000ULL, 0x1000, RES), 0);
	assert_int_equal(mint_memmap_add_firmware(&layout, 0x100000, 0x1000, RES), -E2BIG);
	assert_string_equal(mint_memmap_strerror(&layout), "more than 32 firmware ranges");
	/* ... but one more that touches an existing range of its type still fits. */
	assert_int_equal(mint_memmap_add_firmware(&layout, 0x1000, 0x1000, RES), 0);
	assert_int_equal(layout.nr_firmware, 31);
}

/*
 * QEMU/SeaBIOS's e820 added on top of the preset, as the patched kexec does
 * with the running machine's map: the BIOS ROM the preset already has must
 * not collide, touching ranges of one type fold into one, other types stay.
 */
static void test_add_firmware_merges(void **state)
{
	static const struct mint_memmap_e820_entry live[] = {
		{ 0x9fc00, 0x400, RES },		/* EBDA */
		{ 0xf0000, 0x10000, RES },		/* BIOS ROM, already in the preset */
		{ 0xf8000, 0x8000, RES },		/* inside it */
		{ 0x7ffe0000, 0x20000, RES },
		{ 0x7ffd0000, 0x10000, ACPI },		/* touches the above, another type */
		{ 0x7fff0000, 0x20000, RES },		/* overlaps 0x7ffe0000 and goes on */
		{ 0xfeffc000, 0x4000, RES },
	};
	static const struct e820_expect want1 = { 7, {
		{ 0x20000, 0x20000, RAM },
		{ 0x9fc00, 0x400, RES },
		{ 0xf0000, 0x10000, RES },
		{ 0x10000000, 0x8000000, RAM },
		{ 0x38000000, 0x18000000, RAM },
		{ 0x7ffd0000, 0x10000, ACPI },
		{ 0x7ffe0000, 0x30000, RES },
	} };
	struct mint_memmap_e820 e820;
	unsigned int i;

	assert_int_equal(mint_memmap_preset(&layout, "kexec-mint", 3), 0);
	for (i = 0; i < ARRAY_SIZE(live); i++)
		assert_int_equal(mint_memmap_add_firmware(&layout, live[i].addr, live[i].size,
							  live[i].type), 0);
	/* ROM + EBDA + ACPI + 0x7ffe0000-0x8000ffff + 0xfeffc000 */
	assert_int_equal(layout.nr_firmware, 5);
	assert_int_equal(mint_memmap_validate(&layout), 0);
	assert_int_equal(mint_memmap_node_e820(&layout, 1, &e820), 0);
	/* the last entry, 0xfeffc000, is checked apart to keep want1 short */
	assert_int_equal(e820.nr, 8);
	assert_int_equal(e820.entries[7].addr, 0xfeffc000);
	e820.nr = 7;
	assert_e820(&e820, &want1, 1);
}

/* One layout per rule; each must fail validation with exactly this message. */
static const struct {
	const char *what;
	const char *text;
	int err;
	const char *msg;
} bad_layouts[] = {
	{ "no memory line",
	  "node 0\ncpus 0\nram 0x20000000 2M kernel\n", -EINVAL,
	  "no installed memory (add 'memory SIZE')" },
	{ "no nodes",
	  "memory 1G\n", -EINVAL, "no nodes (add 'node 0')" },
	{ "a gap in node ids",
	  "memory 1G\nnode 0\ncpus 0\nram 0x20000000 2M kernel\nnode 2\ncpus 2\n"
	  "ram 0x30000000 2M kernel\n", -EINVAL,
	  "node 1 is missing (nodes are numbered 0 to 2)" },
	{ "node without ram",
	  "memory 1G\nnode 0\ncpus 0\n", -EINVAL, "node 0 has no ram" },
	{ "node without cpus",
	  "memory 1G\nnode 0\nram 0x20000000 2M kernel\n", -EINVAL, "node 0 has no cpus" },
	{ "no kernel region",
	  "memory 1G\nnode 0\ncpus 0\nram 0x20000000 2M\n", -EINVAL,
	  "node 0 has 0 kernel regions, needs exactly one" },
	{ "two kernel regions",
	  "memory 1G\nnode 0\ncpus 0\nram 0x20000000 2M kernel\nram 0x30000000 2M kernel\n",
	  -EINVAL, "node 0 has 2 kernel regions, needs exactly one" },
	{ "region start not 4 KiB aligned",
	  "memory 1G\nnode 0\ncpus 0\nram 0x800 4K\nram 0x20000000 2M kernel\n", -EINVAL,
	  "node 0 ram 0x800-0x17ff is not 4 KiB aligned" },
	{ "region size not 4 KiB aligned",
	  "memory 1G\nnode 0\ncpus 0\nram 0x1000 0x1800 name=low\nram 0x20000000 2M kernel\n",
	  -EINVAL, "node 0 ram 0x1000-0x27ff (low) is not 4 KiB aligned" },
	{ "kernel region not 2 MiB aligned",
	  "memory 1G\nnode 0\ncpus 0\nram 0x20100000 2M kernel\n", -EINVAL,
	  "node 0 ram 0x20100000-0x202fffff: a kernel region must be 2 MiB aligned" },
	{ "kernel region size not 2 MiB multiple",
	  "memory 1G\nnode 0\ncpus 0\nram 0x20000000 3M kernel\n", -EINVAL,
	  "node 0 ram 0x20000000-0x202fffff: a kernel region must be 2 MiB aligned" },
	{ "region outside installed memory",
	  "memory 1G\nnode 0\ncpus 0\nram 0x3ff00000 2M kernel\n", -ERANGE,
	  "node 0 ram 0x3ff00000-0x400fffff lies outside installed memory 0x0-0x3fffffff" },
	{ "overlapping nodes",
	  "memory 1G\nnode 0\ncpus 0\nram 0x20000000 256M kernel\n"
	  "node 1\ncpus 1\nram 0x2fe00000 64M kernel\n", -EINVAL,
	  "node 1 ram 0x2fe00000-0x33dfffff overlaps node 0 ram 0x20000000-0x2fffffff" },
	/* The seed's expansion: node 0's region3 grown to 0x48000000 to cover its peers. */
	{ "the seed's expanded region3",
	  "memory 0x68000000\n"
	  "node 0\ncpus 0\nram 0x20000000 0x48000000 kernel name=region3\n"
	  "node 1\ncpus 1\nram 0x38000000 0x18000000 kernel name=region3\n", -EINVAL,
	  "node 1 ram 0x38000000-0x4fffffff (region3) overlaps node 0 ram 0x20000000-0x67ffffff (region3)" },
	{ "overlap inside one node",
	  "memory 1G\nnode 0\ncpus 0\nram 0x1000 8K\nram 0x2000 4K\nram 0x20000000 2M kernel\n",
	  -EINVAL, "node 0 ram 0x2000-0x2fff overlaps node 0 ram 0x1000-0x2fff" },
	{ "firmware over a node's ram",
	  "memory 1G\nfirmware 0x20001000 4K acpi\nnode 0\ncpus 0\nram 0x20000000 2M kernel\n",
	  -EINVAL, "firmware 0x20001000-0x20001fff (ACPI) overlaps node 0 ram 0x20000000-0x201fffff" },
	{ "firmware ranges overlapping",
	  "memory 1G\nfirmware 0xe0000 128K reserved\nfirmware 0xf0000 4K acpi\n"
	  "node 0\ncpus 0\nram 0x20000000 2M kernel\n", -EINVAL,
	  "firmware 0xf0000-0xf0fff (ACPI) overlaps firmware 0xe0000-0xfffff (reserved)" },
	{ "shared cpu",
	  "memory 1G\nnode 0\ncpus 0-3\nram 0x20000000 2M kernel\n"
	  "node 1\ncpus 3-4\nram 0x30000000 2M kernel\n", -EINVAL,
	  "node 0 and node 1 share cpu 3" },
	{ "shared cpu above 64",
	  "memory 1G\nnode 0\ncpus 100\nram 0x20000000 2M kernel\n"
	  "node 1\ncpus 99-101\nram 0x30000000 2M kernel\n", -EINVAL,
	  "node 0 and node 1 share cpu 100" },
	{ "monitoring a missing node",
	  "memory 1G\nnode 0\ncpus 0\nram 0x20000000 2M kernel\nmonitors 3\n", -EINVAL,
	  "node 0 monitors node 3, which does not exist" },
	{ "window over the monitor's own ram",
	  "memory 1G\nnode 0\ncpus 0\nram 0x20000000 256M kernel\nwindow 0x2ff00000 2M\n",
	  -EINVAL,
	  "node 0 window 0x2ff00000-0x300fffff overlaps the node's own ram 0x20000000-0x2fffffff" },
	{ "window not 4 KiB aligned",
	  "memory 1G\nnode 0\ncpus 0\nram 0x20000000 2M kernel\nwindow 0x30000800 4K\n",
	  -EINVAL, "node 0 window 0x30000800-0x300017ff is not 4 KiB aligned" },
	{ "window over firmware",
	  "memory 1G\nfirmware 0xf0000 64K reserved\nnode 0\ncpus 0\nram 0x20000000 2M kernel\n"
	  "window 0xe0000 128K\n", -EINVAL,
	  "node 0 window 0xe0000-0xfffff overlaps firmware 0xf0000-0xfffff (reserved)" },
	{ "window over a monitored peer",
	  "memory 1G\nnode 0\ncpus 0\nram 0x20000000 2M kernel\nmonitors 1\nwindow 0x30000000 4K\n"
	  "node 1\ncpus 1\nram 0x30000000 2M kernel\n", -EINVAL,
	  "node 0 window 0x30000000-0x30000fff overlaps node 0 window onto node 1 ram 0x30000000-0x301fffff" },
	{ "other ram where KASLR looks (above 512 MiB)",
	  "memory 2G\nnode 0\ncpus 0\nram 0x20000000 2M kernel\nram 0x40000000 4K name=high\n",
	  -EINVAL,
	  "node 0 ram 0x40000000-0x40000fff (high) reaches above 0x20000000, where KASLR may put the kernel outside its kernel region" },
	{ "other ram above a low kernel region",
	  "memory 1G\nnode 0\ncpus 0\nram 0x1000000 16M kernel\nram 0x8000000 4K\n", -EINVAL,
	  "node 0 ram 0x8000000-0x8000fff reaches above 0x1000000, where KASLR may put the kernel outside its kernel region" },
};

static void test_validation_errors(void **state)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad_layouts); i++) {
		int err = mint_memmap_parse(&layout, "t.txt", bad_layouts[i].text,
					    strlen(bad_layouts[i].text));

		if (err)
			fail_msg("%s: parse failed: %s", bad_layouts[i].what,
				 mint_memmap_strerror(&layout));
		err = mint_memmap_validate(&layout);
		if (err != bad_layouts[i].err ||
		    strcmp(mint_memmap_strerror(&layout), bad_layouts[i].msg))
			fail_msg("%s: got %d '%s', want %d '%s'", bad_layouts[i].what, err,
				 mint_memmap_strerror(&layout), bad_layouts[i].err,
				 bad_layouts[i].msg);
		assert_false(layout.validated);
	}
}

/* A layout filled by hand (not by the parser) is rechecked as untrusted. */
static void test_validation_of_hand_filled_struct(void **state)
{
	struct mint_memmap *m = &layout;

	assert_int_equal(mint_memmap_preset(m, "kexec-mint", 2), 0);
	m->nodes[1].regions[0].size = 0;
	assert_int_equal(mint_memmap_validate(m), -EINVAL);
	assert_string_equal(mint_memmap_strerror(m), "ram at 0x20000: size must not be zero");

	assert_int_equal(mint_memmap_preset(m, "kexec-mint", 2), 0);
	m->nodes[1].regions[2].start = ~0ULL - 0xfff;	/* start + size would wrap */
	assert_int_equal(mint_memmap_validate(m), -ERANGE);

	assert_int_equal(mint_memmap_preset(m, "kexec-mint", 2), 0);
	m->nodes[0].nr_regions = MINT_MEMMAP_MAX_REGIONS + 1;
	assert_int_equal(mint_memmap_validate(m), -ERANGE);
	assert_string_equal(mint_memmap_strerror(m), "node 0 has too many regions or windows");

	assert_int_equal(mint_memmap_preset(m, "kexec-mint", 2), 0);
	m->nr_nodes = MINT_MEMMAP_MAX_NODES + 1;
	assert_int_equal(mint_memmap_validate(m), -ERANGE);

	assert_int_equal(mint_memmap_preset(m, "kexec-mint", 2), 0);
	m->firmware[0].type = RAM;
	assert_int_equal(mint_memmap_validate(m), -EINVAL);
	assert_string_equal(mint_memmap_strerror(m), "firmware at 0xf0000 cannot be RAM");

	assert_int_equal(mint_memmap_preset(m, "kexec-mint", 2), 0);
	m->nodes[1].monitors = 1U << 1;
	assert_int_equal(mint_memmap_validate(m), -EINVAL);
	assert_string_equal(mint_memmap_strerror(m), "node 1 cannot monitor itself");

	assert_int_equal(mint_memmap_preset(m, "kexec-mint", 2), 0);
	m->memory = MINT_MEMMAP_PHYS_LIMIT + 1;
	assert_int_equal(mint_memmap_validate(m), -ERANGE);
}

/*
 * 16 nodes with 8 separate regions each, all monitored by node 0, plus 32
 * firmware ranges: node 0's e820 needs more entries than boot_params holds.
 * Regions are 4 KiB with 4 KiB gaps so that nothing merges.
 */
static void test_e820_too_many_entries(void **state)
{
	static char text[16384];
	size_t len = 0;
	unsigned int n, i;
	int err;

	len += (size_t)snprintf(text + len, sizeof(text) - len, "memory 4G\n");
	for (i = 0; i < 32; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"firmware 0x%x 4K reserved\n", 0x1000000 + i * 0x2000);
	for (n = 0; n < 16; n++) {
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"node %u\ncpus %u\nram 0x%x 2M kernel\n%s", n, n,
					0x40000000 + n * 0x400000, n ? "" : "monitors all\n");
		for (i = 0; i < 7; i++)
			len += (size_t)snprintf(text + len, sizeof(text) - len, "ram 0x%x 4K\n",
						0x2000000 + (n * 8 + i) * 0x2000);
	}
	assert_true(len < sizeof(text) - 1);
	err = mint_memmap_parse(&layout, "t.txt", text, len);
	assert_int_equal(err, 0);
	err = mint_memmap_validate(&layout);
	/* 8 own + 32 firmware + 15 * 8 windows = 160 entries */
	assert_int_equal(err, -E2BIG);
	assert_string_equal(mint_memmap_strerror(&layout),
			    "node 0 needs 160 e820 entries, at most 128 fit");
}

static void test_owner_and_type_names(void **state)
{
	struct mint_memmap *m = &layout;

	assert_int_equal(mint_memmap_preset(m, "kexec-mint", 3), 0);
	assert_int_equal(mint_memmap_owner(m, 0x0), 0);
	assert_int_equal(mint_memmap_owner(m, 0x1ffff), 0);
	assert_int_equal(mint_memmap_owner(m, 0x20000), 1);
	assert_int_equal(mint_memmap_owner(m, 0x67ffffff), 2);
	assert_int_equal(mint_memmap_owner(m, 0x68000000), -ENOENT);
	/* between the region1s and the BIOS ROM */
	assert_int_equal(mint_memmap_owner(m, 0x60000), -ENOENT);
	assert_int_equal(mint_memmap_owner(m, ~0ULL), -ENOENT);
	assert_string_equal(mint_memmap_e820_type_name(RAM), "RAM");
	assert_string_equal(mint_memmap_e820_type_name(RES), "reserved");
	assert_string_equal(mint_memmap_e820_type_name(ACPI), "ACPI");
	assert_string_equal(mint_memmap_e820_type_name(NVS), "NVS");
	assert_string_equal(mint_memmap_e820_type_name(MINT_MEMMAP_E820_UNUSABLE), "unusable");
	assert_string_equal(mint_memmap_e820_type_name(42), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_preset_seed_numbers),
		cmocka_unit_test(test_preset_seed_e820_and_cmdline),
		cmocka_unit_test(test_preset_seed_windows),
		cmocka_unit_test(test_preset_node_counts),
		cmocka_unit_test(test_outputs_small_layout),
		cmocka_unit_test(test_cmdline_buffer),
		cmocka_unit_test(test_outputs_need_validation),
		cmocka_unit_test(test_add_firmware_errors),
		cmocka_unit_test(test_add_firmware_merges),
		cmocka_unit_test(test_validation_errors),
		cmocka_unit_test(test_validation_of_hand_filled_struct),
		cmocka_unit_test(test_e820_too_many_entries),
		cmocka_unit_test(test_owner_and_type_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
