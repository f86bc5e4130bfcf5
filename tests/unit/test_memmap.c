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
 * the preset's one firmware range) and every other node's regions as
 * reserved, monitored or not (node 0 monitors 1 and 2, which changes its
 * windows, not its map). Touching reserved entries merge:
 *   node 0: 0x20000 + 0x20000 (n1 r1) and 0x40000 + 0x20000 (n2 r1) -> 0x20000 + 0x40000
 *           0x10000000 (n1 r2) and 0x18000000 (n2 r2), 128 MiB each -> 0x10000000 + 256 MiB
 *           0x38000000 (n1 r3) and 0x50000000 (n2 r3), 384 MiB each -> 0x38000000 + 768 MiB
 *   node 1: n0 r1 0x0 and n2 r1 0x40000 lie either side of its own r1 (0x20000)
 *           0x18000000 (n2 r2, 128 MiB) touches 0x20000000 (n0 r3, 384 MiB) -> + 512 MiB
 *   node 2: 0x0 (n0 r1) and 0x20000 (n1 r1) -> 0x0 + 256 KiB
 *           0x8000000 (n0 r2) and 0x10000000 (n1 r2) -> 0x8000000 + 256 MiB
 *           0x20000000 (n0 r3) and 0x38000000 (n1 r3) -> 0x20000000 + 768 MiB
 */
struct e820_expect {
	unsigned int nr;
	struct mint_memmap_e820_entry e[16];
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
	{ 9, {
		{ 0x0, 0x20000, RES },			/* node 0 region1 */
		{ 0x20000, 0x20000, RAM },
		{ 0x40000, 0x20000, RES },		/* node 2 region1 */
		{ 0xf0000, 0x10000, RES },		/* BIOS ROM */
		{ 0x8000000, 0x8000000, RES },		/* node 0 region2 */
		{ 0x10000000, 0x8000000, RAM },
		{ 0x18000000, 0x20000000, RES },	/* node 2 region2 + node 0 region3 */
		{ 0x38000000, 0x18000000, RAM },
		{ 0x50000000, 0x18000000, RES },	/* node 2 region3 */
	} },
	{ 7, {
		{ 0x0, 0x40000, RES },			/* node 0 and node 1 region1 */
		{ 0x40000, 0x20000, RAM },
		{ 0xf0000, 0x10000, RES },
		{ 0x8000000, 0x10000000, RES },		/* node 0 and node 1 region2 */
		{ 0x18000000, 0x8000000, RAM },
		{ 0x20000000, 0x30000000, RES },	/* node 0 and node 1 region3 */
		{ 0x50000000, 0x18000000, RAM },
	} },
};

/* The same maps as kernel arguments: 0x20000 = 128K, 0x8000000 = 128M, 0x18000000 = 384M. */
static const char *const seed_cmdline[3] = {
	"memmap=exactmap memmap=128K@0x0 memmap=256K$0x20000 memmap=64K$0xf0000 "
	"memmap=128M@0x8000000 memmap=256M$0x10000000 memmap=384M@0x20000000 "
	"memmap=768M$0x38000000",
	"memmap=exactmap memmap=128K$0x0 memmap=128K@0x20000 memmap=128K$0x40000 "
	"memmap=64K$0xf0000 memmap=128M$0x8000000 memmap=128M@0x10000000 "
	"memmap=512M$0x18000000 memmap=384M@0x38000000 memmap=384M$0x50000000",
	"memmap=exactmap memmap=256K$0x0 memmap=128K@0x40000 memmap=64K$0xf0000 "
	"memmap=256M$0x8000000 memmap=128M@0x18000000 memmap=768M$0x20000000 "
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
	/* Node 1 monitors nobody, but node 0's RAM is reserved in its map too. */
	static const struct e820_expect want1 = { 6, {
		{ 0x0, 0x20000, RES },			/* node 0's two touching regions */
		{ 0x9fc00, 0x400, RES },
		{ 0x20000000, 0x10000000, RES },	/* node 0's kernel region */
		{ 0x30000000, 0x8000000, RAM },		/* touches it, another type */
		{ 0x3ff00000, 0x10000, ACPI },
		{ 0x3ff10000, 0x10000, NVS },		/* node 0's window is not here */
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

/*
 * Every node's map reserves all memory of the other nodes, whether it
 * monitors them or not; monitoring only adds windows. One small layout per
 * case, its expected e820 worked out by hand.
 */
/* Three nodes whose regions touch each other and firmware (two cases below). */
#define TOUCHING_LAYOUT							\
	"memory 1G\n"							\
	"firmware 0x3ff0000 64K acpi\n"					\
	"firmware 0xc000000 1M reserved\n"				\
	"node 0\ncpus 0\nram 0x20000000 64M kernel\nwindow 0x38000000 1M\n"	\
	"node 1\ncpus 1\nram 0x4000000 32M\nram 0x8000000 32M\nram 0x24000000 64M kernel\n" \
	"node 2\ncpus 2\nram 0xa000000 32M\nram 0x28000000 64M kernel\n"

static const struct {
	const char *what;
	const char *text;
	unsigned int node;
	struct e820_expect want;
	unsigned int nr_windows;	/* mint_memmap_node_windows() */
} foreign_cases[] = {
	{ "two nodes, nobody monitors: each reserves the other",
	  "memory 1G\n"
	  "node 0\ncpus 0\nram 0x20000000 256M kernel\n"
	  "node 1\ncpus 1\nram 0x30000000 256M kernel\n",
	  0, { 2, {
		{ 0x20000000, 0x10000000, RAM },
		{ 0x30000000, 0x10000000, RES },	/* node 1, not monitored */
	  } }, 0 },
	{ "the same for node 1",
	  "memory 1G\n"
	  "node 0\ncpus 0\nram 0x20000000 256M kernel\n"
	  "node 1\ncpus 1\nram 0x30000000 256M kernel\n",
	  1, { 2, {
		{ 0x20000000, 0x10000000, RES },	/* node 0 */
		{ 0x30000000, 0x10000000, RAM },
	  } }, 0 },
	{ "monitoring changes the windows, not the map",
	  "memory 1G\n"
	  "node 0\ncpus 0\nram 0x20000000 256M kernel\nmonitors 1\n"
	  "node 1\ncpus 1\nram 0x30000000 256M kernel\n",
	  0, { 2, {
		{ 0x20000000, 0x10000000, RAM },
		{ 0x30000000, 0x10000000, RES },
	  } }, 1 },
	/*
	 * Three nodes: node 1's 0x8000000 and node 2's 0xa000000 touch and
	 * merge into one reserved entry; node 2's touches reserved firmware
	 * (merged too) and node 1's 0x4000000 touches ACPI firmware (not
	 * merged, another type). Node 0's window is reserved, its own.
	 */
	{ "touching foreign regions and firmware",
	  TOUCHING_LAYOUT,
	  0, { 6, {
		{ 0x3ff0000, 0x10000, ACPI },
		{ 0x4000000, 0x2000000, RES },		/* node 1 region 0 */
		{ 0x8000000, 0x4100000, RES },		/* node 1 r1 + node 2 r0 + firmware */
		{ 0x20000000, 0x4000000, RAM },
		{ 0x24000000, 0x8000000, RES },		/* node 1 and node 2 kernel regions */
		{ 0x38000000, 0x100000, RES },		/* node 0's window */
	  } }, 1 },
	{ "... and node 2 of it: node 0's window is not in its map",
	  TOUCHING_LAYOUT,
	  2, { 7, {
		{ 0x3ff0000, 0x10000, ACPI },
		{ 0x4000000, 0x2000000, RES },
		{ 0x8000000, 0x2000000, RES },		/* node 1 region 1 */
		{ 0xa000000, 0x2000000, RAM },		/* touches both, another type */
		{ 0xc000000, 0x100000, RES },		/* firmware */
		{ 0x20000000, 0x8000000, RES },		/* node 0 and node 1 kernel regions */
		{ 0x28000000, 0x4000000, RAM },
	  } }, 0 },
};

static void test_e820_reserves_foreign(void **state)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(foreign_cases); i++) {
		struct mint_memmap *m = parse_ok(foreign_cases[i].text);
		struct mint_memmap_windows win;
		struct mint_memmap_e820 e820;

		print_message("  %s\n", foreign_cases[i].what);
		assert_int_equal(mint_memmap_node_e820(m, foreign_cases[i].node, &e820), 0);
		assert_e820(&e820, &foreign_cases[i].want, foreign_cases[i].node);
		assert_int_equal(mint_memmap_node_windows(m, foreign_cases[i].node, &win), 0);
		assert_int_equal(win.nr, foreign_cases[i].nr_windows);
	}
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
	static const struct e820_expect want1 = { 13, {
		{ 0x0, 0x20000, RES },			/* node 0 region1 */
		{ 0x20000, 0x20000, RAM },
		{ 0x40000, 0x20000, RES },		/* node 2 region1 */
		{ 0x9fc00, 0x400, RES },
		{ 0xf0000, 0x10000, RES },
		{ 0x8000000, 0x8000000, RES },
		{ 0x10000000, 0x8000000, RAM },
		{ 0x18000000, 0x20000000, RES },
		{ 0x38000000, 0x18000000, RAM },
		{ 0x50000000, 0x18000000, RES },	/* node 2 region3 */
		{ 0x7ffd0000, 0x10000, ACPI },
		{ 0x7ffe0000, 0x30000, RES },
		{ 0xfeffc000, 0x4000, RES },
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
	  "node 0 window 0x30000000-0x30000fff overlaps node 1 ram 0x30000000-0x301fffff, which 'monitors 1' already makes a window" },
	/* Reading a peer takes 'monitors': a window line is no back door (kexec used to find out at load time). */
	{ "window over a peer's ram without monitors",
	  "memory 1G\nnode 0\ncpus 0\nram 0x20000000 2M kernel\nwindow 0x301ff000 8K\n"
	  "node 1\ncpus 1\nram 0x30000000 2M kernel name=k1\n", -EINVAL,
	  "node 0 window 0x301ff000-0x30200fff overlaps node 1 ram 0x30000000-0x301fffff (k1): to read node 1's memory, say 'monitors 1'" },
	{ "window over a later node's ram",
	  "memory 1G\nnode 0\ncpus 0\nram 0x20000000 2M kernel\n"
	  "node 1\ncpus 1\nram 0x30000000 2M kernel\nwindow 0x20000000 4K\n", -EINVAL,
	  "node 1 window 0x20000000-0x20000fff overlaps node 0 ram 0x20000000-0x201fffff: to read node 0's memory, say 'monitors 0'" },
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

	/* What the canonical text could not say, or a message could not print. */
	assert_int_equal(mint_memmap_preset(m, "kexec-mint", 2), 0);
	m->firmware[0].type = 99;
	assert_int_equal(mint_memmap_validate(m), -EINVAL);
	assert_string_equal(mint_memmap_strerror(m),
			    "firmware at 0xf0000: e820 type 99 cannot be passed through");

	assert_int_equal(mint_memmap_preset(m, "kexec-mint", 2), 0);
	m->nodes[1].monitors = 1U << 20;
	assert_int_equal(mint_memmap_validate(m), -EINVAL);
	assert_string_equal(mint_memmap_strerror(m), "node 1 monitors node 20, which does not exist");

	assert_int_equal(mint_memmap_preset(m, "kexec-mint", 2), 0);
	memcpy(m->nodes[0].regions[1].name, "a b", 4);
	assert_int_equal(mint_memmap_validate(m), -EINVAL);
	assert_string_equal(mint_memmap_strerror(m),
			    "node 0 region 1: a name is at most 15 letters, digits, '_', '-' or '.'");

	assert_int_equal(mint_memmap_preset(m, "kexec-mint", 2), 0);
	memset(m->nodes[0].regions[2].name, 'x', MINT_MEMMAP_NAME_SIZE);	/* no NUL */
	assert_int_equal(mint_memmap_validate(m), -EINVAL);
	assert_string_equal(mint_memmap_strerror(m),
			    "node 0 region 2: a name is at most 15 letters, digits, '_', '-' or '.'");
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

/*
 * kexec's self-kexec case: a reserved range read back from a node's own
 * map, possibly merged by the kernel with neighbours; only what is not
 * other nodes' RAM (or the node's windows) is firmware.
 */
static void test_subtract_foreign(void **state)
{
	static const struct {
		const char *what;
		unsigned int node;
		u64 start, size;
		unsigned int nr;
		struct mint_memmap_range want[4];
	} cases[] = {
		/* preset, 3 nodes: node 0 r1 0x0, node 1 r1 0x20000, node 2 r1 0x40000 ... */
		{ "a peer region alone: nothing left", 1, 0x0, 0x20000, 0, { { 0 } } },
		{ "two adjacent peer regions (node 2 r2 + node 0 r3)", 1, 0x18000000, 0x20000000,
		  0, { { 0 } } },
		{ "a peer region merged with the firmware after it", 2, 0x20000, 0x30000,
		  1, { { 0x40000, 0x10000 } } },	/* 0x20000-0x3ffff is node 1's */
		{ "firmware before and after two peer regions", 0, 0x10000, 0x60000,
		  2, { { 0x10000, 0x10000 }, { 0x60000, 0x10000 } } },	/* n1 r1, n2 r1 */
		{ "the node's own RAM is not cut (it is no reserved range)", 0, 0x0, 0x30000,
		  1, { { 0x0, 0x20000 } } },		/* 0x20000-0x2ffff is node 1's */
		{ "nothing foreign in it", 1, 0x9fc00, 0x400, 1, { { 0x9fc00, 0x400 } } },
		{ "above installed memory", 1, 0x7ffff000, 0x1000,
		  1, { { 0x7ffff000, 0x1000 } } },
		{ "across three peer regions and the gaps between", 0, 0x30000000, 0x40000000,
		  2, { { 0x30000000, 0x8000000 }, { 0x68000000, 0x8000000 } } },
	};
	struct mint_memmap_ranges r;
	unsigned int i, j;

	assert_int_equal(mint_memmap_preset(&layout, "kexec-mint", 3), 0);
	/* No validation needed: kexec calls it while adding firmware. */
	assert_false(layout.validated);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		print_message("  %s\n", cases[i].what);
		assert_int_equal(mint_memmap_subtract_foreign(&layout, cases[i].node,
							      cases[i].start, cases[i].size, &r), 0);
		if (r.nr != cases[i].nr)
			fail_msg("%s: %u pieces, want %u", cases[i].what, r.nr, cases[i].nr);
		for (j = 0; j < r.nr; j++) {
			assert_int_equal(r.r[j].start, cases[i].want[j].start);
			assert_int_equal(r.r[j].size, cases[i].want[j].size);
		}
	}
	/* The node's own windows are cut too (a monitor's map reads them back as reserved). */
	parse_ok("memory 1G\nnode 0\ncpus 0\nram 0x20000000 2M kernel\nwindow 0x3fe00000 1M\n"
		 "node 1\ncpus 1\nram 0x30000000 2M kernel\n");
	assert_int_equal(mint_memmap_subtract_foreign(&layout, 0, 0x3fd00000, 0x300000, &r), 0);
	assert_int_equal(r.nr, 2);
	assert_int_equal(r.r[0].start, 0x3fd00000);
	assert_int_equal(r.r[0].size, 0x100000);
	assert_int_equal(r.r[1].start, 0x3ff00000);
	/* ... but not for another node, whose map does not have them. */
	assert_int_equal(mint_memmap_subtract_foreign(&layout, 1, 0x3fd00000, 0x300000, &r), 0);
	assert_int_equal(r.nr, 1);
	/* Bad arguments; *ranges_ret untouched. */
	r.nr = 77;
	assert_int_equal(mint_memmap_subtract_foreign(&layout, 2, 0, 0x1000, &r), -ENOENT);
	assert_int_equal(mint_memmap_subtract_foreign(&layout, 99, 0, 0x1000, &r), -ENOENT);
	assert_int_equal(mint_memmap_subtract_foreign(&layout, 0, 0x1000, 0, &r), -EINVAL);
	assert_int_equal(mint_memmap_subtract_foreign(&layout, 0, ~0ULL, 2, &r), -EINVAL);
	assert_int_equal(r.nr, 77);
	/* A hand-filled wrapping region cuts to the top, without overflow. */
	layout.nodes[1].regions[0].start = ~0ULL - 0xfff;
	layout.nodes[1].regions[0].size = 0x2000;
	assert_int_equal(mint_memmap_subtract_foreign(&layout, 0, ~0ULL - 0x1fff, 0x1fff, &r), 0);
	assert_int_equal(r.nr, 1);
	assert_int_equal(r.r[0].size, 0x1000);
}

/* FNV-1a 64: the published test vectors. */
static void test_hash(void **state)
{
	assert_true(mint_memmap_hash("", 0) == 0xcbf29ce484222325ULL);
	assert_true(mint_memmap_hash("a", 1) == 0xaf63dc4c8601ec8cULL);
	assert_true(mint_memmap_hash("foobar", 6) == 0x85944171f73967e8ULL);
}

/* The preset for three nodes as canonical text, written out by hand. */
static const char preset3_canonical[] =
	"memory 0x68000000\n"
	"firmware 0xf0000 0x10000 reserved\n"
	"node 0\n"
	"  cpus 0\n"
	"  ram 0x0 0x20000 name=region1\n"
	"  ram 0x8000000 0x8000000 name=region2\n"
	"  ram 0x20000000 0x18000000 kernel name=region3\n"
	"  monitors 1 2\n"
	"node 1\n"
	"  cpus 1\n"
	"  ram 0x20000 0x20000 name=region1\n"
	"  ram 0x10000000 0x8000000 name=region2\n"
	"  ram 0x38000000 0x18000000 kernel name=region3\n"
	"node 2\n"
	"  cpus 2\n"
	"  ram 0x40000 0x20000 name=region1\n"
	"  ram 0x18000000 0x8000000 name=region2\n"
	"  ram 0x50000000 0x18000000 kernel name=region3\n";

/* Every field the canonical text carries; firmware as a set (its order is not kept). */
static void assert_layouts_equal(const struct mint_memmap *a, const struct mint_memmap *b)
{
	unsigned int id, i, j;

	assert_int_equal(a->memory, b->memory);
	assert_int_equal(a->nr_nodes, b->nr_nodes);
	for (id = 0; id < a->nr_nodes; id++) {
		const struct mint_memmap_node *x = &a->nodes[id], *y = &b->nodes[id];

		assert_int_equal(x->present, y->present);
		assert_int_equal(x->nr_regions, y->nr_regions);
		for (i = 0; i < x->nr_regions; i++) {
			assert_int_equal(x->regions[i].start, y->regions[i].start);
			assert_int_equal(x->regions[i].size, y->regions[i].size);
			assert_int_equal(x->regions[i].kernel, y->regions[i].kernel);
			assert_string_equal(x->regions[i].name, y->regions[i].name);
		}
		assert_memory_equal(x->cpus, y->cpus, sizeof(x->cpus));
		assert_int_equal(x->monitors, y->monitors);
		assert_int_equal(x->nr_windows, y->nr_windows);
		assert_memory_equal(x->windows, y->windows, x->nr_windows * sizeof(x->windows[0]));
	}
	assert_int_equal(a->nr_firmware, b->nr_firmware);
	for (i = 0; i < a->nr_firmware; i++) {
		for (j = 0; j < b->nr_firmware; j++) {
			if (a->firmware[i].start == b->firmware[j].start &&
			    a->firmware[i].size == b->firmware[j].size &&
			    a->firmware[i].type == b->firmware[j].type)
				break;
		}
		if (j == b->nr_firmware)
			fail_msg("firmware 0x%llx is missing", (unsigned long long)a->firmware[i].start);
	}
}

static char text1[MINT_MEMMAP_TEXT_MAX + 1], text2[MINT_MEMMAP_TEXT_MAX + 1];
static unsigned char blob[sizeof(struct mint_memmap_handover) + MINT_MEMMAP_TEXT_MAX];
static struct mint_memmap back;

/* format -> parse -> format gives the same bytes and an equal layout; the blob carries it. */
static void round_trip(const struct mint_memmap *m)
{
	unsigned int id, node;
	int len, len2, n;
	u64 hash;

	len = mint_memmap_format(m, text1, sizeof(text1));
	assert_true(len > 0 && len <= MINT_MEMMAP_TEXT_MAX);
	assert_int_equal(strlen(text1), len);
	if (mint_memmap_parse(&back, "canonical", text1, (size_t)len) ||
	    mint_memmap_validate(&back))
		fail_msg("canonical text does not read back: %s\n%s",
			 mint_memmap_strerror(&back), text1);
	assert_layouts_equal(m, &back);
	len2 = mint_memmap_format(&back, text2, sizeof(text2));
	assert_int_equal(len2, len);
	assert_memory_equal(text1, text2, (size_t)len);
	/* Deterministic: again, the same bytes. */
	assert_int_equal(mint_memmap_format(m, text2, sizeof(text2)), len);
	assert_memory_equal(text1, text2, (size_t)len);

	for (id = 0; id < m->nr_nodes; id++) {
		n = mint_memmap_handover_build(m, id, blob, sizeof(blob));
		assert_int_equal(n, 24 + len);
		assert_memory_equal(blob + 24, text1, (size_t)len);
		node = 99;
		hash = 0;
		if (mint_memmap_handover_parse(&back, blob, (size_t)n, &node, &hash))
			fail_msg("hand-over of node %u refused: %s", id, mint_memmap_strerror(&back));
		assert_int_equal(node, id);
		assert_true(hash == mint_memmap_hash(text1, (size_t)len));
		assert_true(back.validated);
		assert_layouts_equal(m, &back);
	}
}

static void test_format_round_trip(void **state)
{
	static struct mint_memmap m;
	unsigned int nodes;
	int len;

	for (nodes = 1; nodes <= 3; nodes++) {
		assert_int_equal(mint_memmap_preset(&m, "kexec-mint", nodes), 0);
		assert_int_equal(mint_memmap_validate(&m), 0);
		round_trip(&m);
	}
	/* The text for three nodes, byte for byte. */
	len = mint_memmap_format(&m, text1, sizeof(text1));
	assert_int_equal(len, (int)strlen(preset3_canonical));
	assert_string_equal(text1, preset3_canonical);
	assert_true(mint_memmap_hash(text1, (size_t)len) ==
		    mint_memmap_hash(preset3_canonical, strlen(preset3_canonical)));

	/* Firmware, windows, monitors, CPU ranges, unnamed regions, firmware added later. */
	parse_ok(small_layout);
	round_trip(&layout);
	parse_ok("memory 4G\n"
		 "firmware 0x3ff00000 64K acpi\nfirmware 0x9fc00 1K reserved\n"
		 "node 0\ncpus 0-3,8,10-11\nram 0 64K\nram 0x20000000 256M kernel name=k.0\n"
		 "monitors 2\nwindow 0x80000000 2M\nwindow 0x70000000 4K\n"
		 "node 1\ncpus 4\nram 0x30000000 128M kernel\nmonitors all\n"
		 "node 2\ncpus 255\nram 0x10000 64K name=low_2\nram 0x38000000 2M kernel\n");
	assert_int_equal(mint_memmap_add_firmware(&layout, 0xfeffc000, 0x4000, RES), 0);
	assert_int_equal(mint_memmap_add_firmware(&layout, 0x7ffe0000, 0x20000, NVS), 0);
	assert_int_equal(mint_memmap_add_firmware(&layout, 0x9f000, 0xc00, RES), 0);	/* merges */
	assert_int_equal(mint_memmap_validate(&layout), 0);
	round_trip(&layout);
	len = mint_memmap_format(&layout, text1, sizeof(text1));
	assert_non_null(strstr(text1, "memory 0x100000000\n"
				      "firmware 0x9f000 0x1000 reserved\n"
				      "firmware 0x3ff00000 0x10000 acpi\n"
				      "firmware 0x7ffe0000 0x20000 nvs\n"
				      "firmware 0xfeffc000 0x4000 reserved\n"
				      "node 0\n  cpus 0-3,8,10-11\n"));
	assert_non_null(strstr(text1, "  monitors 2\n  window 0x80000000 0x200000\n"
				      "  window 0x70000000 0x1000\n"));
	assert_non_null(strstr(text1, "  cpus 4\n  ram 0x30000000 0x8000000 kernel\n"
				      "  monitors 0 2\n"));
	assert_non_null(strstr(text1, "  ram 0x10000 0x10000 name=low_2\n"));
}

/* The firmware ranges' order in the struct is no part of the identity. */
static void test_format_firmware_order(void **state)
{
	static struct mint_memmap a, b;
	int la, lb;

	assert_int_equal(mint_memmap_preset(&a, "kexec-mint", 2), 0);
	assert_int_equal(mint_memmap_preset(&b, "kexec-mint", 2), 0);
	assert_int_equal(mint_memmap_add_firmware(&a, 0x7ffe0000, 0x20000, RES), 0);
	assert_int_equal(mint_memmap_add_firmware(&a, 0x9fc00, 0x400, RES), 0);
	assert_int_equal(mint_memmap_add_firmware(&b, 0x9fc00, 0x400, RES), 0);
	assert_int_equal(mint_memmap_add_firmware(&b, 0x7ffe0000, 0x20000, RES), 0);
	assert_int_equal(mint_memmap_validate(&a), 0);
	assert_int_equal(mint_memmap_validate(&b), 0);
	la = mint_memmap_format(&a, text1, sizeof(text1));
	lb = mint_memmap_format(&b, text2, sizeof(text2));
	assert_int_equal(la, lb);
	assert_memory_equal(text1, text2, (size_t)la);
	/* A hand-filled layout with two touching ranges of one type says them as one. */
	a.firmware[a.nr_firmware].start = 0xe0000;
	a.firmware[a.nr_firmware].size = 0x10000;	/* touches the preset's 0xf0000 */
	a.firmware[a.nr_firmware++].type = RES;
	assert_int_equal(mint_memmap_validate(&a), 0);
	la = mint_memmap_format(&a, text1, sizeof(text1));
	assert_non_null(strstr(text1, "firmware 0xe0000 0x20000 reserved\n"));
	assert_int_equal(mint_memmap_parse(&b, "t", text1, (size_t)la), 0);
	assert_int_equal(mint_memmap_validate(&b), 0);
	assert_int_equal(b.nr_firmware, a.nr_firmware - 1);
	assert_int_equal(mint_memmap_format(&b, text2, sizeof(text2)), la);
	assert_memory_equal(text1, text2, (size_t)la);
}

static void test_format_buffer(void **state)
{
	size_t len = strlen(preset3_canonical);
	static char buf[1024];

	assert_int_equal(mint_memmap_preset(&layout, "kexec-mint", 3), 0);
	assert_int_equal(mint_memmap_format(&layout, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(mint_memmap_validate(&layout), 0);
	/* Exactly enough: all bytes, no NUL after them; one short: -ENOSPC. */
	memset(buf, '#', sizeof(buf));
	assert_int_equal(mint_memmap_format(&layout, buf, len), (int)len);
	assert_memory_equal(buf, preset3_canonical, len);
	assert_int_equal(buf[len], '#');
	memset(buf, '#', sizeof(buf));
	assert_int_equal(mint_memmap_format(&layout, buf, len - 1), -ENOSPC);
	assert_int_equal(buf[len - 1], '#');	/* nothing written beyond size */
	assert_int_equal(mint_memmap_format(&layout, NULL, 0), -ENOSPC);
	/* With room, NUL-terminated. */
	assert_int_equal(mint_memmap_format(&layout, buf, len + 1), (int)len);
	assert_int_equal(buf[len], '\0');
	/* The blob needs the header and the text. */
	assert_int_equal(mint_memmap_handover_build(&layout, 0, blob, 24 + len), 24 + (int)len);
	assert_int_equal(mint_memmap_handover_build(&layout, 0, blob, 24 + len - 1), -ENOSPC);
	assert_int_equal(mint_memmap_handover_build(&layout, 0, blob, 23), -ENOSPC);
	assert_int_equal(mint_memmap_handover_build(&layout, 3, blob, sizeof(blob)), -ENOENT);
	layout.validated = false;
	assert_int_equal(mint_memmap_handover_build(&layout, 0, blob, sizeof(blob)), -EINVAL);
}

/*
 * The largest layout the limits allow (not a valid one: validation would
 * refuse its e820 sizes, so it is marked validated by hand) still formats
 * within MINT_MEMMAP_TEXT_MAX: the bound is structural.
 */
static void test_format_bound(void **state)
{
	static struct mint_memmap m;
	unsigned int id, i, c;
	int len;

	mint_memmap_init(&m);
	m.memory = MINT_MEMMAP_PHYS_LIMIT;
	m.nr_nodes = MINT_MEMMAP_MAX_NODES;
	for (i = 0; i < MINT_MEMMAP_MAX_FIRMWARE; i++) {
		m.firmware[i].start = MINT_MEMMAP_PHYS_LIMIT - 0x1000000000ULL * (i + 1);
		m.firmware[i].size = 0xfffffffffULL;
		m.firmware[i].type = MINT_MEMMAP_E820_UNUSABLE;
	}
	m.nr_firmware = MINT_MEMMAP_MAX_FIRMWARE;
	for (id = 0; id < MINT_MEMMAP_MAX_NODES; id++) {
		struct mint_memmap_node *n = &m.nodes[id];

		n->present = true;
		n->nr_regions = MINT_MEMMAP_MAX_REGIONS;
		for (i = 0; i < MINT_MEMMAP_MAX_REGIONS; i++) {
			n->regions[i].start = 0xf000000000000ULL + i;
			n->regions[i].size = 0xfffffffffffffULL;
			n->regions[i].kernel = true;
			memset(n->regions[i].name, 'n', MINT_MEMMAP_NAME_SIZE - 1);
		}
		n->nr_windows = MINT_MEMMAP_MAX_WINDOWS;
		for (i = 0; i < MINT_MEMMAP_MAX_WINDOWS; i++) {
			n->windows[i].start = 0xf000000000000ULL;
			n->windows[i].size = 0xfffffffffffffULL;
		}
		n->monitors = 0xffff & ~(1U << id);
		/* every other CPU: the longest lists */
		for (c = id * 2; c < MINT_MEMMAP_MAX_CPUS; c += 2 * MINT_MEMMAP_MAX_NODES)
			n->cpus[c / 64] |= 1ULL << (c % 64);
	}
	m.validated = true;
	len = mint_memmap_format(&m, text1, sizeof(text1));
	print_message("  largest canonical text: %d bytes\n", len);
	assert_true(len > 16000 && len <= MINT_MEMMAP_TEXT_MAX);
}

/* One corruption of a good blob per case: refused at the right stage. */
static void test_handover_corrupt(void **state)
{
	static const struct {
		const char *what;
		unsigned int off;	/* byte to change, or ~0U */
		unsigned int width;	/* 1, 2, 4 or 8: write value there little-endian */
		unsigned long long value;
		int cut;		/* bytes to drop at the end (after the change) */
		bool rehash;		/* fix the hash after changing the text */
		int err;
		const char *msg;
	} cases[] = {
		{ "magic", 0, 4, 0x4d544e48, 0, false, -EINVAL,
		  "hand-over: magic 0x4d544e48, not 0x484e544d" },
		{ "version 0", 4, 2, 0, 0, false, -EINVAL, "hand-over: version 0, only 1 is known" },
		{ "version 2", 4, 2, 2, 0, false, -EINVAL, "hand-over: version 2, only 1 is known" },
		{ "header size below 24", 6, 2, 23, 0, false, -EINVAL,
		  "hand-over: header size 23 is not between 24 and the blob's BLOB bytes" },
		{ "header size beyond the blob", 6, 2, 0xffff, 0, false, -EINVAL,
		  "hand-over: header size 65535 is not between 24 and the blob's BLOB bytes" },
		{ "a larger header shifts the text off its hash", 6, 2, 25, 0, false, -EINVAL,
		  "hand-over: TEXT bytes of text do not fit in the TEXT-1 after the header" },
		{ "node not in the layout", 8, 4, 3, 0, false, -ENOENT,
		  "hand-over: node 3 is not in the layout (nodes 0 to 2)" },
		{ "text longer than allowed", 12, 4, MINT_MEMMAP_TEXT_MAX + 1, 0, false, -EINVAL,
		  "hand-over: 32769 bytes of text, more than the 32768 allowed" },
		{ "text length wraps with the header", 12, 4, 0xffffffffULL, 0, false, -EINVAL,
		  "hand-over: 4294967295 bytes of text, more than the 32768 allowed" },
		{ "text longer than the blob", 12, 4, 0, 1, false, -EINVAL,	/* value: TEXT+1 */
		  "hand-over: TEXT+1 bytes of text do not fit in the TEXT-1 after the header" },
		{ "hash", 16, 8, 0x0123456789abcdefULL, 0, false, -EBADMSG,
		  "hand-over: the text hashes to HASH, the header says 0123456789abcdef" },
		{ "a text byte (hash mismatch)", 24 + 7, 1, '7', 0, false, -EBADMSG, NULL },
		{ "truncated text", ~0U, 0, 0, 1, false, -EINVAL,
		  "hand-over: TEXT bytes of text do not fit in the TEXT-1 after the header" },
		{ "truncated header", ~0U, 0, 0, -23, false, -EINVAL,
		  "hand-over: 23 bytes, shorter than its 24-byte header" },
		{ "empty", ~0U, 0, 0, -0, false, -EINVAL, NULL },
		{ "text that does not parse, hashed", 24, 1, 'M', 0, true, -EINVAL,
		  "hand-over:1: unknown key 'Memory'" },
		/* "memory 0x68000000" becomes "memory 0x18000000" */
		{ "text that parses but does not validate, hashed", 24 + 9, 1, '1', 0, true, -ERANGE,
		  "hand-over: node 0 ram 0x20000000-0x37ffffff (region3) lies outside installed memory 0x0-0x17ffffff" },
	};
	char want[256];
	unsigned int i, node;
	u64 hash, good_hash;
	int n, len;

	assert_int_equal(mint_memmap_preset(&layout, "kexec-mint", 3), 0);
	assert_int_equal(mint_memmap_validate(&layout), 0);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t blen;
		int err;

		n = mint_memmap_handover_build(&layout, 1, blob, sizeof(blob));
		assert_true(n > 24);
		len = n - 24;
		good_hash = mint_memmap_hash(blob + 24, (size_t)len);
		blen = (size_t)n;
		if (cases[i].off != ~0U) {
			unsigned long long v = cases[i].value;
			unsigned int b;

			if (!strcmp(cases[i].what, "text longer than the blob"))
				v = (unsigned long long)len + 1;
			for (b = 0; b < cases[i].width; b++)
				blob[cases[i].off + b] = (unsigned char)(v >> (8 * b));
		}
		if (cases[i].rehash) {
			hash = mint_memmap_hash(blob + 24, (size_t)len);
			for (n = 0; n < 8; n++)
				blob[16 + n] = (unsigned char)(hash >> (8 * n));
		}
		if (cases[i].cut > 0)
			blen -= (size_t)cases[i].cut;
		else if (cases[i].cut < 0 || !strcmp(cases[i].what, "empty"))
			blen = (size_t)-cases[i].cut;
		node = 77;
		hash = 77;
		err = mint_memmap_handover_parse(&back, blob, blen, &node, &hash);
		if (err != cases[i].err)
			fail_msg("%s: %d '%s', want %d", cases[i].what, err,
				 mint_memmap_strerror(&back), cases[i].err);
		/* out-parameters untouched, layout not usable */
		assert_int_equal(node, 77);
		assert_true(hash == 77);
		assert_false(back.validated);
		assert_non_null(strstr(mint_memmap_strerror(&back), "hand-over:"));
		if (!cases[i].msg)
			continue;
		/* BLOB, TEXT, TEXT-1, TEXT+1, HASH stand for this blob's numbers. */
		{
			const char *p = cases[i].msg;
			size_t o = 0;

			while (*p && o < sizeof(want) - 32) {
				if (!strncmp(p, "BLOB", 4)) {
					o += (size_t)snprintf(want + o, sizeof(want) - o, "%zu", blen);
					p += 4;
				} else if (!strncmp(p, "TEXT-1", 6) || !strncmp(p, "TEXT+1", 6)) {
					o += (size_t)snprintf(want + o, sizeof(want) - o, "%d",
							      len + (p[4] == '+' ? 1 : -1));
					p += 6;
				} else if (!strncmp(p, "TEXT", 4)) {
					o += (size_t)snprintf(want + o, sizeof(want) - o, "%d", len);
					p += 4;
				} else if (!strncmp(p, "HASH", 4)) {
					o += (size_t)snprintf(want + o, sizeof(want) - o, "%016llx",
							      (unsigned long long)good_hash);
					p += 4;
				} else {
					want[o++] = *p++;
				}
			}
			want[o] = '\0';
		}
		if (strcmp(mint_memmap_strerror(&back), want))
			fail_msg("%s: '%s', want '%s'", cases[i].what, mint_memmap_strerror(&back),
				 want);
	}
	/* Bytes after the text are ignored. */
	n = mint_memmap_handover_build(&layout, 2, blob, sizeof(blob));
	blob[n] = 'x';
	assert_int_equal(mint_memmap_handover_parse(&back, blob, (size_t)n + 1, &node, &hash), 0);
	assert_int_equal(node, 2);
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
		cmocka_unit_test(test_e820_reserves_foreign),
		cmocka_unit_test(test_subtract_foreign),
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_format_round_trip),
		cmocka_unit_test(test_format_firmware_order),
		cmocka_unit_test(test_format_buffer),
		cmocka_unit_test(test_format_bound),
		cmocka_unit_test(test_handover_corrupt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
