// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the layout-file parser in memmap/lib/memmap.c
 * (mint_memmap_parse(), format in docs/memmap.md): well-formed files read
 * into the expected model, numbers in every notation, and one table of
 * malformed lines, each rejected with exactly one "file:line: reason".
 * Whole-layout rules (overlaps, alignment...) are in test_memmap.c.
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

static struct mint_memmap layout;

static void parse_ok(const char *text, size_t len)
{
	int err = mint_memmap_parse(&layout, "layout.txt", text, len);

	if (err)
		fail_msg("parse: %d %s", err, mint_memmap_strerror(&layout));
}

/* Every key, comments, blank lines, indentation, CRLF, no final newline. */
static const char full_file[] =
	"# The seed's machine, written out by hand.\n"
	"memory 0x68000000   # end of node 2's region3\n"
	"\n"
	"firmware 0xf0000 64K reserved\n"
	"firmware 0x9fc00 1k nvs\r\n"
	"\t\n"
	"node 0\n"
	"\tcpus 0-1,4\n"
	"\tcpus 6\n"
	"\tram 0x0 0x20000 name=region1\n"
	"\tram 0x8000000 128M name=region2\n"
	"\tram 0x20000000 384M kernel name=region3\n"
	"\tmonitors all\n"
	"\twindow 0x70000000 2M\n"
	"node 1\n"
	"  cpus 2 3\n"
	"  ram 131072 128K\n"				/* decimal */
	"  ram 0x38000000 0x18000000 name=region3 kernel\n"	/* flags in any order */
	"node 2\n"
	"  cpus 5\n"
	"  ram 0x50000000 384m kernel";			/* no newline at the end */

static void test_full_file(void **state)
{
	const struct mint_memmap *m = &layout;

	parse_ok(full_file, strlen(full_file));
	assert_int_equal(m->memory, 0x68000000);
	assert_int_equal(m->nr_firmware, 2);
	assert_int_equal(m->firmware[0].start, 0xf0000);
	assert_int_equal(m->firmware[0].size, 0x10000);
	assert_int_equal(m->firmware[0].type, MINT_MEMMAP_E820_RESERVED);
	assert_int_equal(m->firmware[1].start, 0x9fc00);
	assert_int_equal(m->firmware[1].size, 0x400);
	assert_int_equal(m->firmware[1].type, MINT_MEMMAP_E820_NVS);
	assert_int_equal(m->nr_nodes, 3);

	/* node 0: cpus 0,1,4,6 = 0b1010011 */
	assert_int_equal(m->nodes[0].cpus[0], 0x53);
	assert_int_equal(m->nodes[0].nr_regions, 3);
	assert_int_equal(m->nodes[0].regions[0].start, 0);
	assert_int_equal(m->nodes[0].regions[0].size, 0x20000);
	assert_string_equal(m->nodes[0].regions[0].name, "region1");
	assert_false(m->nodes[0].regions[0].kernel);
	assert_int_equal(m->nodes[0].regions[1].size, 0x8000000);	/* 128M */
	assert_int_equal(m->nodes[0].regions[2].start, 0x20000000);
	assert_int_equal(m->nodes[0].regions[2].size, 0x18000000);	/* 384M */
	assert_true(m->nodes[0].regions[2].kernel);
	assert_string_equal(m->nodes[0].regions[2].name, "region3");
	/* 'monitors all' = nodes 1 and 2, resolved at the end of the file */
	assert_int_equal(m->nodes[0].monitors, 0x6);
	assert_int_equal(m->nodes[0].nr_windows, 1);
	assert_int_equal(m->nodes[0].windows[0].start, 0x70000000);
	assert_int_equal(m->nodes[0].windows[0].size, 0x200000);

	/* node 1: cpus 2,3 */
	assert_int_equal(m->nodes[1].cpus[0], 0xc);
	assert_int_equal(m->nodes[1].regions[0].start, 0x20000);
	assert_int_equal(m->nodes[1].regions[0].size, 0x20000);
	assert_string_equal(m->nodes[1].regions[0].name, "");
	assert_true(m->nodes[1].regions[1].kernel);
	assert_string_equal(m->nodes[1].regions[1].name, "region3");
	assert_int_equal(m->nodes[1].monitors, 0);

	assert_int_equal(m->nodes[2].regions[0].size, 0x18000000);
	assert_true(m->nodes[2].regions[0].kernel);
	/* Parsing does not validate. */
	assert_false(m->validated);
}

/* The file and the preset describe the same machine: same outputs. */
static void test_file_equals_preset(void **state)
{
	static const char text[] =
		"memory 0x68000000\n"
		"firmware 0xf0000 64K reserved\n"
		"node 0\ncpus 0\nram 0 128K\nram 128M 128M\nram 512M 384M kernel\nmonitors 1 2\n"
		"node 1\ncpus 1\nram 128K 128K\nram 256M 128M\nram 896M 384M kernel\n"
		"node 2\ncpus 2\nram 256K 128K\nram 384M 128M\nram 1280M 384M kernel\n";
	static struct mint_memmap preset;
	struct mint_memmap_e820 a, b;
	char ca[512], cb[512];
	unsigned int k;

	parse_ok(text, strlen(text));
	assert_int_equal(mint_memmap_validate(&layout), 0);
	assert_int_equal(mint_memmap_preset(&preset, "kexec-mint", 3), 0);
	assert_int_equal(mint_memmap_validate(&preset), 0);
	for (k = 0; k < 3; k++) {
		assert_int_equal(mint_memmap_node_e820(&layout, k, &a), 0);
		assert_int_equal(mint_memmap_node_e820(&preset, k, &b), 0);
		assert_int_equal(a.nr, b.nr);
		assert_memory_equal(a.entries, b.entries, a.nr * sizeof(a.entries[0]));
		assert_true(mint_memmap_node_cmdline(&layout, k, ca, sizeof(ca)) > 0);
		assert_true(mint_memmap_node_cmdline(&preset, k, cb, sizeof(cb)) > 0);
		assert_string_equal(ca, cb);
	}
}

/* "memory N": every accepted notation of a number. */
static void test_numbers(void **state)
{
	static const struct {
		const char *text;
		u64 value;
	} cases[] = {
		{ "1", 1 },
		{ "4096", 4096 },
		{ "0x1000", 0x1000 },
		{ "0X1000", 0x1000 },
		{ "0xABCdef", 0xabcdef },
		{ "4K", 4096 },
		{ "4k", 4096 },
		{ "0x10M", 0x1000000 },
		{ "3G", 3ULL << 30 },
		{ "1T", 1ULL << 40 },
		{ "4096T", 1ULL << 52 },			/* the largest memory allowed */
		{ "007", 7 },					/* decimal, not octal */
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char text[64];

		snprintf(text, sizeof(text), "memory %s\n", cases[i].text);
		parse_ok(text, strlen(text));
		if (layout.memory != cases[i].value)
			fail_msg("'%s' read as 0x%llx", cases[i].text,
				 (unsigned long long)layout.memory);
	}
}

/* The parser works on a length, not on a NUL: bytes past len are never read. */
static void test_length_bound(void **state)
{
	static const char text[] = "memory 1G\nnode 0\nfoo";
	char *copy = malloc(17);

	assert_non_null(copy);
	memcpy(copy, text, 17);	/* "memory 1G\nnode 0\n", no NUL; ASan traps overreads */
	parse_ok(copy, 17);
	assert_int_equal(layout.nr_nodes, 1);
	free(copy);
	/* An empty file parses to an empty layout (validation then complains). */
	parse_ok("", 0);
	assert_int_equal(layout.nr_nodes, 0);
	assert_int_equal(mint_memmap_validate(&layout), -EINVAL);
}

/* One malformed input per rule: exact errno and exact message. */
static const struct {
	const char *text;
	int err;
	const char *msg;
} bad[] = {
	/* keys */
	{ "memory 1G\n\n# comment\n\n\n\n\n\n\n\n\nfoo 1\n", -EINVAL,
	  "layout.txt:12: unknown key 'foo'" },
	{ "Memory 1G\n", -EINVAL, "layout.txt:1: unknown key 'Memory'" },
	{ "memory 1G\nnode 0\nram\x01 0 4K\n", -EINVAL, "layout.txt:3: unknown key 'ram?'" },
	{ "memory 1G\nthis-is-a-very-long-key-that-goes-on-and-on-and-on 1\n", -EINVAL,
	  "layout.txt:2: unknown key 'this-is-a-very-long-key-that-goe...'" },
	/* arity */
	{ "memory\n", -EINVAL, "layout.txt:1: expected 'memory SIZE'" },
	{ "memory 1G 2G\n", -EINVAL, "layout.txt:1: expected 'memory SIZE'" },
	{ "node\n", -EINVAL, "layout.txt:1: expected 'node ID'" },
	{ "node 0 1\n", -EINVAL, "layout.txt:1: expected 'node ID'" },
	{ "firmware 0xf0000 64K\n", -EINVAL,
	  "layout.txt:1: expected 'firmware START SIZE reserved|acpi|nvs|unusable'" },
	{ "node 0\nram 0\n", -EINVAL,
	  "layout.txt:2: expected 'ram START SIZE [kernel] [name=NAME]'" },
	{ "node 0\nram 0 4K kernel name=a b\n", -EINVAL,
	  "layout.txt:2: expected 'ram START SIZE [kernel] [name=NAME]'" },
	{ "node 0\ncpus\n", -EINVAL, "layout.txt:2: expected 'cpus LIST (e.g. 0-3,8)'" },
	{ "node 0\nmonitors\n", -EINVAL,
	  "layout.txt:2: expected 'monitors NODE... | monitors all'" },
	{ "node 0\nwindow 0\n", -EINVAL, "layout.txt:2: expected 'window START SIZE'" },
	/* numbers */
	{ "memory 1Q\n", -EINVAL, "layout.txt:1: invalid number '1Q'" },
	{ "memory 16MB\n", -EINVAL, "layout.txt:1: invalid number '16MB'" },
	{ "memory 0x\n", -EINVAL, "layout.txt:1: invalid number '0x'" },
	{ "memory 0xg\n", -EINVAL, "layout.txt:1: invalid number '0xg'" },
	{ "memory -1\n", -EINVAL, "layout.txt:1: invalid number '-1'" },
	{ "memory K\n", -EINVAL, "layout.txt:1: invalid number 'K'" },
	{ "memory 1_000\n", -EINVAL, "layout.txt:1: invalid number '1_000'" },
	{ "memory 18446744073709551616\n", -ERANGE,
	  "layout.txt:1: number '18446744073709551616' is out of range" },
	{ "memory 0x10000000000000000\n", -ERANGE,
	  "layout.txt:1: number '0x10000000000000000' is out of range" },
	{ "memory 16777216T\n", -ERANGE, "layout.txt:1: number '16777216T' is out of range" },
	{ "memory 0\n", -ERANGE,
	  "layout.txt:1: memory size must be between 1 and 0x10000000000000 bytes" },
	{ "memory 4097T\n", -ERANGE,
	  "layout.txt:1: memory size must be between 1 and 0x10000000000000 bytes" },
	{ "memory 1G\nmemory 2G\n", -EINVAL, "layout.txt:2: 'memory' given twice" },
	/* nodes */
	{ "node 16\n", -ERANGE, "layout.txt:1: node '16' is out of range (0 to 15)" },
	{ "node 1K\n", -EINVAL, "layout.txt:1: invalid number '1K'" },
	{ "node 0\nnode 1\nnode 0\n", -EEXIST, "layout.txt:3: node 0 is declared twice" },
	{ "ram 0 4K\n", -EINVAL, "layout.txt:1: 'ram' before any 'node' line" },
	{ "cpus 0\n", -EINVAL, "layout.txt:1: 'cpus' before any 'node' line" },
	{ "monitors all\n", -EINVAL, "layout.txt:1: 'monitors' before any 'node' line" },
	{ "window 0 4K\n", -EINVAL, "layout.txt:1: 'window' before any 'node' line" },
	/* ram */
	{ "node 0\nram 0 0\n", -EINVAL, "layout.txt:2: ram at 0x0: size must not be zero" },
	{ "node 0\nram 0xfffffffffffff000 8K\n", -ERANGE,
	  "layout.txt:2: ram 0xfffffffffffff000 + 0x2000 ends beyond the 52-bit physical address space" },
	{ "node 0\nram 0xffffffffff000 8K\n", -ERANGE,
	  "layout.txt:2: ram 0xffffffffff000 + 0x2000 ends beyond the 52-bit physical address space" },
	{ "node 0\nram 0 4K kernal\n", -EINVAL,
	  "layout.txt:2: unexpected 'kernal' in 'ram START SIZE [kernel] [name=NAME]'" },
	{ "node 0\nram 0 4K kernel kernel\n", -EINVAL,
	  "layout.txt:2: unexpected 'kernel' in 'ram START SIZE [kernel] [name=NAME]'" },
	{ "node 0\nram 0 4K name=\n", -EINVAL,
	  "layout.txt:2: unexpected 'name=' in 'ram START SIZE [kernel] [name=NAME]'" },
	{ "node 0\nram 0 4K name=a/b\n", -EINVAL,
	  "layout.txt:2: invalid region name 'name=a/b' (letters, digits, '_', '-', '.')" },
	{ "node 0\nram 0 4K name=abcdefghijklmnop\n", -ENAMETOOLONG,
	  "layout.txt:2: region name longer than 15 characters" },
	{ "node 0\nram 0 4K\nram 8K 4K\nram 16K 4K\nram 24K 4K\nram 32K 4K\nram 40K 4K\n"
	  "ram 48K 4K\nram 56K 4K\nram 64K 4K\n", -E2BIG,
	  "layout.txt:10: node 0 has more than 8 ram regions" },
	/* cpus */
	{ "node 0\ncpus 256\n", -ERANGE, "layout.txt:2: CPU '256' is out of range (0 to 255)" },
	{ "node 0\ncpus 3-1\n", -EINVAL, "layout.txt:2: invalid CPU range '3-1'" },
	{ "node 0\ncpus 0,,1\n", -EINVAL, "layout.txt:2: invalid CPU list '0,,1'" },
	{ "node 0\ncpus 0,\n", -EINVAL, "layout.txt:2: invalid CPU list '0,'" },
	{ "node 0\ncpus -3\n", -EINVAL, "layout.txt:2: invalid CPU list '-3'" },
	{ "node 0\ncpus 1-\n", -EINVAL, "layout.txt:2: invalid CPU list '1-'" },
	{ "node 0\ncpus 1-2-3\n", -EINVAL, "layout.txt:2: invalid number '2-3'" },
	{ "node 0\ncpus 1K\n", -EINVAL, "layout.txt:2: invalid number '1K'" },
	/* monitors */
	{ "node 0\nmonitors 0\n", -EINVAL, "layout.txt:2: node 0 cannot monitor itself" },
	{ "node 0\nmonitors 1 16\n", -ERANGE,
	  "layout.txt:2: node '16' is out of range (0 to 15)" },
	{ "node 0\nmonitors all 1\n", -EINVAL, "layout.txt:2: invalid number 'all'" },
	/* firmware */
	{ "firmware 0xf0000 64K rom\n", -EINVAL,
	  "layout.txt:1: unknown firmware type 'rom' (reserved, acpi, nvs or unusable)" },
	{ "firmware 0xf0000 0 reserved\n", -EINVAL,
	  "layout.txt:1: firmware at 0xf0000: size must not be zero" },
	/* windows */
	{ "node 0\nwindow 0 0\n", -EINVAL, "layout.txt:2: window at 0x0: size must not be zero" },
	{ "node 0\nwindow 0 4K\nwindow 0 4K\nwindow 0 4K\nwindow 0 4K\nwindow 0 4K\n"
	  "window 0 4K\nwindow 0 4K\nwindow 0 4K\nwindow 0 4K\n", -E2BIG,
	  "layout.txt:10: node 0 has more than 8 windows" },
	/* lines */
	{ "memory 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 "
	  "29 30 31 32 33 34 35 36 37 38 39 40\n", -E2BIG,
	  "layout.txt:1: more than 40 fields on one line" },
	{ "memory 1G\0\n", -EINVAL, "layout.txt:1: invalid number '1G?'" },
};

static void test_malformed(void **state)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		/* The NUL case needs its real length; the rest are strings. */
		size_t len = strlen(bad[i].text);
		int err;

		if (!strncmp(bad[i].text, "memory 1G", 9) && bad[i].text[9] == '\0')
			len = sizeof("memory 1G\0\n") - 1;
		err = mint_memmap_parse(&layout, "layout.txt", bad[i].text, len);
		if (err != bad[i].err || strcmp(mint_memmap_strerror(&layout), bad[i].msg))
			fail_msg("case %u: got %d '%s', want %d '%s'", i, err,
				 mint_memmap_strerror(&layout), bad[i].err, bad[i].msg);
		/* One line: no newline inside the message. */
		assert_null(strchr(mint_memmap_strerror(&layout), '\n'));
	}
}

/* Messages are bounded whatever the file name and token lengths. */
static void test_long_names(void **state)
{
	static char name[1024];
	const char *msg;

	memset(name, 'n', sizeof(name) - 1);
	assert_int_equal(mint_memmap_parse(&layout, name, "bogus\n", 6), -EINVAL);
	msg = mint_memmap_strerror(&layout);
	assert_int_equal(strlen(msg), MINT_MEMMAP_ERRMSG_SIZE - 1);
	assert_int_equal(mint_memmap_parse(&layout, NULL, "bogus\n", 6), -EINVAL);
	assert_string_equal(mint_memmap_strerror(&layout), "layout:1: unknown key 'bogus'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_file),
		cmocka_unit_test(test_file_equals_preset),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_length_bound),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_long_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
