// SPDX-License-Identifier: GPL-2.0
/* Unit tests for monitor/user/reader.c: raw images, explicit maps and ELF cores. */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

#include "mintmon/reader.h"
#include "../../monitor/user/layout.h"
/*
 * The synthetic kernel, built in: the layout choice at attach needs a kernel
 * to attach to, and tests/unit/build.mk links synth_kernel.c only into the
 * tests it lists.
 */
#include "synth_kernel.c"

/* A fresh error object for each call: a message from an earlier case cannot satisfy a check. */
static struct mintmon_error test_err;

static struct mintmon_error *fresh_err(void)
{
	mintmon_error_init(&test_err, 0);
	return &test_err;
}

static char dir[64];

static int setup(void **state)
{
	strcpy(dir, "/tmp/mintmon-test-reader-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static char *write_file(const char *name, const void *data, size_t size)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, size, f), size);
	fclose(f);
	return path;
}

static void test_raw(void **state)
{
	static u8 img[3 * 4096];
	struct mintmon_memory m;
	char spec[160];
	u8 buf[8];
	u64 fault;
	unsigned int i;

	for (i = 0; i < sizeof(img); i++)
		img[i] = (u8)(i / 4096 + 1);	/* page n holds n + 1 */
	snprintf(spec, sizeof(spec), "file:%s", write_file("raw", img, sizeof(img)));
	assert_int_equal(mintmon_reader_open(spec, &m, fresh_err()), 0);
	assert_int_equal(m.nr_ranges, 1);
	assert_int_equal(mintmon_memory_end(&m), sizeof(img));
	assert_int_equal(mintmon_memory_read(&m, 4096 - 4, buf, 8, &fault), 0);
	assert_int_equal(buf[0], 1);
	assert_int_equal(buf[7], 2);
	assert_int_equal(mintmon_memory_read(&m, 3 * 4096 - 4, buf, 8, &fault), -EFAULT);
	assert_int_equal(fault, 3 * 4096);
	mintmon_memory_deinit(&m);

	/* Explicit map: page 2 of the file is physical 0x100000000, page 0 is 0. */
	snprintf(spec, sizeof(spec), "file:%s/raw:map=0+0x1000@0,0x100000000+0x1000@0x2000", dir);
	assert_int_equal(mintmon_reader_open(spec, &m, fresh_err()), 0);
	assert_int_equal(m.nr_ranges, 2);
	assert_int_equal(mintmon_memory_read(&m, 0x100000000ull, buf, 1, &fault), 0);
	assert_int_equal(buf[0], 3);
	assert_int_equal(mintmon_memory_read(&m, 0x1000, buf, 1, &fault), -EFAULT);
	assert_int_equal(fault, 0x1000);

	mintmon_memory_deinit(&m);
}

/*
 * Two segments that touch in physical memory but not in the file: a read
 * across the seam takes each part from its own place in the file.
 */
static void test_adjacent_segments(void **state)
{
	static u8 img[3 * 4096];
	struct mintmon_memory m;
	char spec[200];
	u8 buf[16];
	u64 fault;
	unsigned int i;

	for (i = 0; i < sizeof(img); i++)
		img[i] = (u8)(i / 4096 + 1);	/* page n holds n + 1 */
	/* Physical [0, 0x1000) is file page 2, [0x1000, 0x2000) file page 0. */
	snprintf(spec, sizeof(spec), "file:%s:map=0+0x1000@0x2000,0x1000+0x1000@0",
		 write_file("seams", img, sizeof(img)));
	assert_int_equal(mintmon_reader_open(spec, &m, fresh_err()), 0);
	assert_int_equal(m.nr_ranges, 1);	/* merged: one range [0, 0x2000) */
	assert_int_equal(mintmon_memory_end(&m), 0x2000);
	assert_int_equal(mintmon_memory_read(&m, 0x1000 - 8, buf, 16, &fault), 0);
	assert_int_equal(buf[0], 3);
	assert_int_equal(buf[7], 3);
	assert_int_equal(buf[8], 1);
	assert_int_equal(buf[15], 1);
	/* Past both: a fault at the first byte after them. */
	assert_int_equal(mintmon_memory_read(&m, 0x2000 - 8, buf, 16, &fault), -EFAULT);
	assert_int_equal(fault, 0x2000);
	mintmon_memory_deinit(&m);
}

/* A minimal x86-64 ELF core: two PT_LOADs (physical 0x1000 and 0x5000) and a PT_NOTE. */
static size_t build_core(u8 *out, u16 type, u16 machine, u64 second_offset)
{
	Elf64_Ehdr eh = {0};
	Elf64_Phdr ph[3] = {0};

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = type;
	eh.e_machine = machine;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = 3;
	ph[0].p_type = PT_NOTE;		/* ignored by the reader */
	ph[0].p_offset = 0x200;
	ph[0].p_filesz = 0x10;
	ph[1].p_type = PT_LOAD;
	ph[1].p_paddr = 0x1000;
	ph[1].p_offset = 0x1000;
	ph[1].p_filesz = ph[1].p_memsz = 0x1000;
	ph[2].p_type = PT_LOAD;
	ph[2].p_paddr = 0x5000;
	ph[2].p_offset = second_offset;
	ph[2].p_filesz = ph[2].p_memsz = 0x1000;
	memset(out, 0, 0x3000);
	memcpy(out, &eh, sizeof(eh));
	memcpy(out + sizeof(eh), ph, sizeof(ph));
	memset(out + 0x1000, 0x11, 0x1000);
	memset(out + 0x2000, 0x55, 0x1000);
	return 0x3000;
}

static void test_elf(void **state)
{
	static u8 core[0x3000];
	struct mintmon_memory m;
	char spec[160];
	u8 b;
	u64 fault;
	size_t n = build_core(core, ET_CORE, EM_X86_64, 0x2000);

	snprintf(spec, sizeof(spec), "elf:%s", write_file("core", core, n));
	if (getenv("MINTMON_SEED_DIR")) {	/* seed for tests/fuzz/fuzz_elf_core */
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "cp %s/core %s/core", dir, getenv("MINTMON_SEED_DIR"));
		assert_int_equal(system(cmd), 0);
	}
	assert_int_equal(mintmon_reader_open(spec, &m, fresh_err()), 0);
	assert_int_equal(m.nr_ranges, 2);
	assert_int_equal(mintmon_memory_read(&m, 0x1fff, &b, 1, &fault), 0);
	assert_int_equal(b, 0x11);
	assert_int_equal(mintmon_memory_read(&m, 0x5000, &b, 1, &fault), 0);
	assert_int_equal(b, 0x55);
	/* The hole between the segments is a fault at its first address. */
	assert_int_equal(mintmon_memory_read(&m, 0x1ff0, core, 0x20, &fault), -EFAULT);
	assert_int_equal(fault, 0x2000);
	mintmon_memory_deinit(&m);
}

struct bad_case {
	const char *what;
	const char *prefix;	/* "file:" or "elf:" */
	int kind;		/* how the file is made */
	const char *map;	/* appended to the spec */
	int err;
	const char *msg;	/* must appear in the error; "%s": the file's path */
};

enum {
	MISSING, EMPTY, NOT_ELF, NOT_CORE, WRONG_MACHINE, SEGMENT_PAST_END, BAD_MAP, DIRECTORY,
	NO_LOADS, PAGE,
};

static const struct bad_case bad_cases[] = {
	{"missing file", "file:", MISSING, "", -ENOENT,
	 "cannot open /nonexistent/mintmon: No such file or directory"},
	{"a directory", "file:", DIRECTORY, "", -EINVAL, "%s is not a regular file"},
	{"empty file", "file:", EMPTY, "", -EINVAL, "%s is empty"},
	{"empty ELF", "elf:", EMPTY, "", -EINVAL, "%s is empty"},
	{"raw bytes as ELF", "elf:", NOT_ELF, "", -EINVAL, "%s is not an ELF file"},
	{"ELF executable, not a core", "elf:", NOT_CORE, "", -EINVAL,
	 "%s is not an x86-64 ELF core file"},
	{"ELF core of another machine", "elf:", WRONG_MACHINE, "", -EINVAL,
	 "%s is not an x86-64 ELF core file"},
	{"ELF core without PT_LOAD", "elf:", NO_LOADS, "", -EINVAL,
	 "%s has no loadable segments"},
	{"segment past the end of the file", "elf:", SEGMENT_PAST_END, "", -EINVAL,
	 "%s: segment at physical 0x5000 lies past the end of the file"},
	/* A map entry needs PHYS+SIZE@OFFSET: the size is missing here. */
	{"malformed map", "file:", BAD_MAP, ":map=0x1000@0", -EINVAL,
	 "bad map '0x1000@0': expected PHYS+SIZE@OFFSET[,...]"},
	{"map entry of size 0", "file:", PAGE, ":map=0x1000+0@0", -EINVAL, "bad map '0x1000+0@0'"},
	{"map past the end of the file", "file:", PAGE, ":map=0x1000+0x2000@0", -EINVAL,
	 "%s: segment at physical 0x1000 lies past the end of the file"},
	{"map entries overlap", "file:", PAGE, ":map=0x1000+0x800@0,0x1400+0x800@0x800", -EINVAL,
	 "%s: segments overlap at physical 0x1000"},
	{"unknown target scheme", "nettlp:", NOT_ELF, "", -EINVAL,
	 "unknown target 'nettlp:%s': expected file:PATH, elf:PATH or node:N"},
};

/* ELF core with only a PT_NOTE: build_core()'s, cut to one header. */
static size_t build_core_no_loads(u8 *out)
{
	size_t n = build_core(out, ET_CORE, EM_X86_64, 0x2000);
	Elf64_Ehdr eh;

	memcpy(&eh, out, sizeof(eh));
	eh.e_phnum = 1;
	memcpy(out, &eh, sizeof(eh));
	return n;
}

static void test_bad(void **state)
{
	static u8 core[0x3000];
	unsigned int i;

	for (i = 0; i < MINTMON_ARRAY_SIZE(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct mintmon_memory m;
		char spec[200], msg[300];
		const char *path = NULL;

		print_message("%s\n", c->what);
		switch (c->kind) {
		case MISSING: path = "/nonexistent/mintmon"; break;
		case DIRECTORY: path = dir; break;
		case EMPTY: path = write_file("empty", "", 0); break;
		case NO_LOADS: path = write_file("noload", core, build_core_no_loads(core)); break;
		case PAGE: path = write_file("page", core, 0x1000); break;
		case NOT_ELF: path = write_file("junk", "hello, world", 12); break;
		case NOT_CORE:
			path = write_file("exec", core,
					  build_core(core, ET_EXEC, EM_X86_64, 0x2000));
			break;
		case WRONG_MACHINE:
			path = write_file("arm", core,
					  build_core(core, ET_CORE, EM_AARCH64, 0x2000));
			break;
		case SEGMENT_PAST_END:
			path = write_file("trunc", core,
					  build_core(core, ET_CORE, EM_X86_64, 0x2800));
			break;
		case BAD_MAP: path = write_file("m", "x", 1); break;
		}
		snprintf(spec, sizeof(spec), "%s%s%s", c->prefix, path, c->map);
		snprintf(msg, sizeof(msg), c->msg, path);
		assert_int_equal(mintmon_reader_open(spec, &m, fresh_err()), c->err);
		assert_int_equal(test_err.code, c->err);
		assert_string_equal(test_err.step, "target");
		if (!strstr(test_err.msg, msg))
			fail_msg("want \"%s\", got \"%s\"", msg, test_err.msg);
	}
}

/* More separate ranges than a memory source holds (MINTMON_MAX_PHYS_RANGES). */
static void test_too_many_ranges(void **state)
{
	static u8 page[0x1000];
	char spec[4096], *p;
	const char *path = write_file("page", page, sizeof(page));
	struct mintmon_memory m;
	unsigned int i;

	p = spec + snprintf(spec, sizeof(spec), "file:%s:map=", path);
	for (i = 0; i <= MINTMON_MAX_PHYS_RANGES; i++)
		p += snprintf(p, spec + sizeof(spec) - p, "%s%#x+0x10@0", i ? "," : "",
			      0x100000 * (i + 1));
	assert_int_equal(mintmon_reader_open(spec, &m, fresh_err()), -E2BIG);
	assert_int_equal(test_err.code, -E2BIG);
	assert_non_null(strstr(test_err.msg, "too many separate memory ranges"));
}

/* ---- the layout of a plain file: target (monitor/user/layout.c) ---- */

#define GiB (1ull << 30)
#define MiB (1ull << 20)
#define R(s, e) {(s), (e) - (s)}

/* The e820 RAM SeaBIOS gives a QEMU guest whose low RAM ends at low, high bytes above 4 GiB. */
#define QEMU_RAM(low, high) {R(0, 0x9fc00), R(0x100000, (low) - 0x21000), \
			     R(4 * GiB, 4 * GiB + (high))}

struct layout_case {
	const char *name;
	u64 file_size;
	struct mintmon_phys_range ram[8];
	unsigned int nr;
	int err;		/* 0, -ENOENT, -ENODATA */
	u64 low_end;		/* 0: identity */
	const char *why;	/* in the reason, if err */
};

static const struct layout_case layout_cases[] = {
	{"1 GiB guest", 1 * GiB, {R(0, 0x9fc00), R(0x100000, 1 * GiB - 0x20000)}, 2, 0, 0, NULL},
	{"3 GiB pc guest (all below the hole)", 3 * GiB,
	 {R(0, 0x9fc00), R(0x100000, 3 * GiB - 0x21000)}, 2, 0, 0, NULL},
	{"image larger than the RAM", 2 * GiB, {R(0x100000, 1 * GiB)}, 1, 0, 0, NULL},
	{"4 GiB q35", 4 * GiB, QEMU_RAM(2 * GiB, 2 * GiB), 3, 0, 2 * GiB, NULL},
	{"4 GiB pc", 4 * GiB, QEMU_RAM(3 * GiB, 1 * GiB), 3, 0, 3 * GiB, NULL},
	{"8 GiB q35", 8 * GiB, QEMU_RAM(2 * GiB, 6 * GiB), 3, 0, 2 * GiB, NULL},
	{"8 GiB pc", 8 * GiB, QEMU_RAM(3 * GiB, 5 * GiB), 3, 0, 3 * GiB, NULL},
	{"4 GiB pc-1.7 (3.5 GiB low)", 4 * GiB, QEMU_RAM(0xe0000000ull, 512 * MiB), 3, 0,
	 0xe0000000ull, NULL},
	{"max-ram-below-4g=1G", 4 * GiB, QEMU_RAM(1 * GiB, 3 * GiB), 3, 0, 1 * GiB, NULL},
	{"e820 order does not matter", 4 * GiB,
	 {R(4 * GiB, 6 * GiB), R(0x100000, 2 * GiB - 0x21000), R(0, 0x9fc00)}, 3, 0, 2 * GiB,
	 NULL},
	{"RAM unknown", 4 * GiB, {{0, 0}}, 0, -ENODATA, 0, "unknown"},
	{"truncated image", 1 * GiB, {R(0x100000, 2 * GiB)}, 1, -ENOENT, 0, "truncated"},
	{"high RAM alone exceeds the file", 2 * GiB, QEMU_RAM(2 * GiB, 3 * GiB), 3, -ENOENT, 0,
	 "alone exceed"},
	{"low RAM above the split high RAM implies", 4 * GiB,
	 {R(0x100000, 3 * GiB), R(4 * GiB, 6 * GiB)}, 2, -ENOENT, 0, "must put the hole"},
	{"split off a page boundary", 4 * GiB + 0x800, QEMU_RAM(2 * GiB, 2 * GiB), 3, -ENOENT, 0,
	 "page boundary"},
	{"RAM range wraps", 4 * GiB, {{0xfffffffffffff000ull, 0x2000}}, 1, -ENOENT, 0, "wraps"},
};

/*
 * node:N through a stand-in for the module ($MINTMON_MINT_ROOT): sysfs
 * files that name the windows, and a plain file as /dev/mint/nodeN (its
 * offsets are physical addresses, as the device's are).
 */
static void mkdirs(const char *path)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/%s'", dir, path);
	assert_int_equal(system(cmd), 0);
}

static void test_node(void **state)
{
	static const struct {
		const char *windows;	/* /sys/kernel/mint/node1/windows */
		int err;		/* of mintmon_reader_open() */
		const char *msg;	/* in the error line */
	} cases[] = {
		/* Two windows with a gap: node 1's region2 and region3. */
		{ "0x10000 0x2000\n0x20000 0x1000\n", 0, NULL },
		{ "", -ENOENT, "serves no window" },
		{ "0x10000\n", -EINVAL, "malformed window line" },
		{ "0x10000 0x0\n", -EINVAL, "malformed window line" },
		{ "0xfffffffffffff000 0x2000\n", -EINVAL, "malformed window line" },
		{ "0x10000 0x2000 junk\n", -EINVAL, "malformed window line" },
		/* Overlapping windows: the reader's own segment checks. */
		{ "0x10000 0x2000\n0x11000 0x1000\n", -EINVAL, "overlap" },
	};
	struct mintmon_memory m;
	char buf[512], root[128];
	u8 data[0x21000] = { 0 }, got[16];
	struct mintmon_kernel_options opts;
	u64 fault = 0;
	unsigned int i;
	int err;

	snprintf(root, sizeof(root), "%s/mint", dir);
	setenv("MINTMON_MINT_ROOT", root, 1);
	err = mintmon_reader_open("node:1", &m, fresh_err());
	assert_int_equal(err, -ENODEV);
	assert_non_null(strstr(mintmon_error_format(&test_err, (char *)data, 256), "not loaded"));

	mkdirs("mint/sys/kernel/mint");
	err = mintmon_reader_open("node:1", &m, fresh_err());
	assert_int_equal(err, -ENOENT);
	assert_non_null(strstr(mintmon_error_format(&test_err, (char *)data, 256),
			       "not a node this one watches"));

	mkdirs("mint/sys/kernel/mint/node1");
	mkdirs("mint/dev/mint");
	memcpy(data + 0x10ff8, "PEERDATA", 8);
	memcpy(data + 0x20000, "REGION3!", 8);
	write_file("mint/dev/mint/node1", data, sizeof(data));
	write_file("mint/sys/kernel/mint/node1/kernel_window", "0x10000 0x2000\n", 15);
	for (i = 0; i < MINTMON_ARRAY_SIZE(cases); i++) {
		write_file("mint/sys/kernel/mint/node1/windows", cases[i].windows,
			   strlen(cases[i].windows));
		err = mintmon_reader_open("node:1", &m, fresh_err());
		assert_int_equal(err, cases[i].err);
		if (err) {
			mintmon_error_format(&test_err, buf, sizeof(buf));
			if (!strstr(buf, cases[i].msg))
				fail_msg("case %u: '%s' lacks '%s'", i, buf, cases[i].msg);
			continue;
		}
		assert_int_equal(m.nr_ranges, 2);
		assert_int_equal(m.ranges[0].start, 0x10000);
		assert_int_equal(m.ranges[1].size, 0x1000);
		assert_string_equal(mintmon_reader_layout(&m), "node 1");
		opts = (struct mintmon_kernel_options){ 0 };
		assert_true(mintmon_reader_search_window(&m, &opts));
		assert_int_equal(opts.search_start, 0x10000);
		assert_int_equal(opts.search_end, 0x12000);
		/* Both windows are below 1 MiB: the first one is the trampoline's. */
		assert_int_equal(opts.first_start, 0x10000);
		assert_int_equal(opts.first_end, 0x12000);
		assert_int_equal(mintmon_memory_read(&m, 0x10ff8, got, 8, &fault), 0);
		assert_memory_equal(got, "PEERDATA", 8);
		assert_int_equal(mintmon_memory_read(&m, 0x20000, got, 8, &fault), 0);
		assert_memory_equal(got, "REGION3!", 8);
		/* The gap between the windows and past the last one are faults. */
		assert_int_equal(mintmon_memory_read(&m, 0x11ffc, got, 8, &fault), -EFAULT);
		assert_int_equal(fault, 0x12000);
		assert_int_equal(mintmon_memory_read(&m, 0x21000, got, 1, &fault), -EFAULT);
		mintmon_memory_deinit(&m);
	}
	assert_int_equal(mintmon_reader_open("node:x", &m, fresh_err()), -EINVAL);
	assert_int_equal(mintmon_reader_open("node:16", &m, fresh_err()), -EINVAL);
	unsetenv("MINTMON_MINT_ROOT");
}

static void test_layout_choose(void **state)
{
	unsigned int i;

	for (i = 0; i < MINTMON_ARRAY_SIZE(layout_cases); i++) {
		const struct layout_case *c = &layout_cases[i];
		u64 low_end = 0x1234;
		char why[160] = "";
		int err = mintmon_layout_choose(c->file_size, c->ram, c->nr, &low_end, why,
						sizeof(why));

		assert_int_equal(err, c->err);
		if (!err) {
			assert_int_equal(low_end, c->low_end);
		} else {
			assert_int_equal(low_end, 0x1234);	/* untouched */
			assert_non_null(strstr(why, c->why));
		}
	}
	/* why may be NULL. */
	assert_int_equal(mintmon_layout_choose(GiB, NULL, 0, NULL, NULL, 0), -ENODATA);
}

static void test_layout_guesses(void **state)
{
	u64 g[MINTMON_LAYOUT_MAX_GUESSES];

	assert_int_equal(mintmon_layout_guesses(2 * GiB, g), 0);	/* below every split */
	assert_int_equal(mintmon_layout_guesses(0xb0000000ull, g), 1);
	assert_int_equal(g[0], 2 * GiB);
	assert_int_equal(mintmon_layout_guesses(4 * GiB, g), 4);
	assert_int_equal(g[0], 3 * GiB);		/* pc, QEMU's default machine, first */
	assert_int_equal(g[1], 2 * GiB);
	assert_int_equal(g[2], 0xe0000000ull);
	assert_int_equal(g[3], 0xb0000000ull);
}

/* A plain file re-mapped as a QEMU split: pages move, ranges and the RAM check follow. */
static void test_remap(void **state)
{
	static u8 img[4 * 4096];
	struct mintmon_reader_segment segs[2];
	struct mintmon_phys_range ram = {0, 0x1000};
	struct mintmon_memory m;
	char spec[160];
	u8 buf[8];
	u64 fault, size = 0;
	unsigned int i;

	for (i = 0; i < sizeof(img); i++)
		img[i] = (u8)(i / 4096 + 1);
	snprintf(spec, sizeof(spec), "file:%s", write_file("split", img, sizeof(img)));
	assert_int_equal(mintmon_reader_open(spec, &m, fresh_err()), 0);
	assert_true(mintmon_reader_plain_file(&m, &size));
	assert_int_equal(size, sizeof(img));
	assert_string_equal(mintmon_reader_layout(&m), "identity");
	assert_int_equal(mintmon_memory_set_ram(&m, &ram, 1), 0);

	/* file [0, 0x1000) -> [0, 0x1000), file [0x1000, 0x4000) -> [4 GiB, 4 GiB + 0x3000) */
	assert_int_equal(mintmon_layout_split(size, 0x1000, segs), 2);
	assert_int_equal(mintmon_reader_remap(&m, segs, 2, "qemu split at 0x1000", fresh_err()), 0);
	assert_string_equal(mintmon_reader_layout(&m), "qemu split at 0x1000");
	assert_int_equal(m.nr_ranges, 2);
	assert_int_equal(m.nr_ram, 0);			/* the old RAM check is gone */
	assert_int_equal(mintmon_memory_end(&m), 4 * GiB + 0x3000);
	assert_int_equal(mintmon_memory_read(&m, 0, buf, 1, &fault), 0);
	assert_int_equal(buf[0], 1);
	assert_int_equal(mintmon_memory_read(&m, 4 * GiB, buf, 1, &fault), 0);
	assert_int_equal(buf[0], 2);
	assert_int_equal(mintmon_memory_read(&m, 4 * GiB + 0x2fff, buf, 1, &fault), 0);
	assert_int_equal(buf[0], 4);
	assert_int_equal(mintmon_memory_read(&m, 0x1000, buf, 1, &fault), -EFAULT);
	assert_int_equal(fault, 0x1000);

	/* Bad segment lists leave the layout as it was. */
	segs[1].size = 0x4000;				/* past the file's end */
	assert_int_equal(mintmon_reader_remap(&m, segs, 2, "bad", fresh_err()), -EINVAL);
	assert_non_null(strstr(test_err.msg, "past the end of the file"));
	segs[1].size = 0x1000;
	segs[1].phys = 0x800;				/* overlaps segment 0 */
	assert_int_equal(mintmon_reader_remap(&m, segs, 2, "bad", fresh_err()), -EINVAL);
	assert_non_null(strstr(test_err.msg, "overlap"));
	segs[1].size = 0;
	assert_int_equal(mintmon_reader_remap(&m, segs, 2, "bad", fresh_err()), -EINVAL);
	assert_int_equal(mintmon_reader_remap(&m, segs, 0, "bad", fresh_err()), -EINVAL);
	assert_string_equal(mintmon_reader_layout(&m), "qemu split at 0x1000");
	assert_int_equal(mintmon_memory_read(&m, 4 * GiB, buf, 1, &fault), 0);
	assert_int_equal(buf[0], 2);

	/* And back to identity. */
	segs[0].phys = 0;
	segs[0].size = size;
	segs[0].offset = 0;
	assert_int_equal(mintmon_reader_remap(&m, segs, 1, "identity", fresh_err()), 0);
	assert_int_equal(m.nr_ranges, 1);
	assert_int_equal(mintmon_memory_read(&m, 0x3000, buf, 1, &fault), 0);
	assert_int_equal(buf[0], 4);
	mintmon_memory_deinit(&m);

	/* map= and ELF targets have their layout already: no re-mapping. */
	snprintf(spec, sizeof(spec), "file:%s/split:map=0+0x1000@0x1000", dir);
	assert_int_equal(mintmon_reader_open(spec, &m, fresh_err()), 0);
	assert_false(mintmon_reader_plain_file(&m, NULL));
	assert_string_equal(mintmon_reader_layout(&m), "map");
	assert_int_equal(mintmon_reader_remap(&m, segs, 1, "identity", fresh_err()), -EINVAL);
	mintmon_memory_deinit(&m);
}

/*
 * A synthetic kernel (64 MiB, all its data below 64 MiB) whose e820 table
 * also lists high_ram bytes of RAM at 4 GiB, in a file of 64 MiB + extra
 * bytes: the identity layout finds the kernel, its RAM says how the file
 * is split. Page n of the extra bytes starts with HIGH_MARK + n.
 */
#define HIGH_MARK 0x4849474800000000ull

static const char *write_split_image(const char *name, u64 high_ram, u64 extra)
{
	struct synth_params p;
	struct synth_kernel *sk;
	static char path[128];
	u8 *page = calloc(1, 4096);
	u64 at, i;
	FILE *f;

	synth_default_params(&p);
	sk = synth_new(&p);
	assert_non_null(sk);
	assert_non_null(page);
	/* The last e820 entry (the local APIC's page) becomes RAM at 4 GiB. */
	at = sk->regions[SYNTH_R_E820].start + sk->regions[SYNTH_R_E820].size - 20;
	assert_int_equal(synth_get64(sk, at), 0xfee00000ull);
	if (high_ram) {
		synth_put64(sk, at, 4 * GiB);
		synth_put64(sk, at + 8, high_ram);
		sk->mem[at + 16] = 1;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(sk->mem, 1, p.mem_size, f), p.mem_size);
	for (i = 0; i < extra / 4096; i++) {
		u64 mark = HIGH_MARK + i;

		memcpy(page, &mark, sizeof(mark));
		assert_int_equal(fwrite(page, 1, 4096, f), 4096);
	}
	fclose(f);
	free(page);
	synth_free(sk);
	return path;
}

static struct mintmon_session *attach_file(const char *path, struct mintmon_memory *m, int *err)
{
	struct mintmon_kernel_options opts = {0};
	struct mintmon_session *s = NULL;
	char spec[160];

	snprintf(spec, sizeof(spec), "file:%s", path);
	assert_int_equal(mintmon_reader_open(spec, m, fresh_err()), 0);
	*err = mintmon_layout_attach(m, &opts, 0, &s);
	return s;
}

static void test_layout_attach(void **state)
{
	struct mintmon_memory m;
	struct mintmon_session *s;
	u64 mark, fault;
	int err;

	/* Plain: identity, as before. */
	s = attach_file(write_split_image("plain", 0, 0), &m, &err);
	assert_int_equal(err, 0);
	assert_string_equal(mintmon_reader_layout(&m), "identity");
	assert_int_equal(m.nr_ranges, 1);
	mintmon_session_destroy(s);
	mintmon_memory_deinit(&m);

	/*
	 * 16 MiB at 4 GiB, the file 16 MiB longer: the kernel is found as
	 * identity, its RAM says "split at 64 MiB", attach again on that.
	 */
	s = attach_file(write_split_image("split", 16 * MiB, 16 * MiB), &m, &err);
	assert_int_equal(err, 0);
	assert_non_null(s->k);
	assert_string_equal(mintmon_reader_layout(&m), "qemu split at 0x4000000");
	assert_int_equal(m.nr_ranges, 2);
	assert_int_equal(s->k->nr_ram, 4);
	assert_int_equal(s->k->ram[3].start, 4 * GiB);
	assert_int_equal(mintmon_memory_read(&m, 4 * GiB + 5 * 4096, &mark, 8, &fault), 0);
	assert_int_equal(mark, HIGH_MARK + 5);
	/* What identity served there (file offset 64 MiB) is not RAM now. */
	assert_int_equal(mintmon_memory_read(&m, 64 * MiB, &mark, 8, &fault), -EFAULT);
	mintmon_session_destroy(s);
	mintmon_memory_deinit(&m);

	/* RAM above 4 GiB bigger than the whole file: nothing fits, identity is kept and named. */
	s = attach_file(write_split_image("short", 128 * MiB, 16 * MiB), &m, &err);
	assert_int_equal(err, 0);
	assert_string_equal(mintmon_reader_layout(&m),
			    "identity (the kernel's RAM lies beyond the file)");
	assert_int_equal(s->k->nr_ram, 4);
	assert_int_equal(m.nr_ram, s->k->nr_ram);	/* the RAM check is back on */
	mintmon_session_destroy(s);
	mintmon_memory_deinit(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_raw),
		cmocka_unit_test(test_adjacent_segments),
		cmocka_unit_test(test_elf),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_too_many_ranges),
		cmocka_unit_test(test_layout_choose),
		cmocka_unit_test(test_layout_guesses),
		cmocka_unit_test(test_remap),
		cmocka_unit_test(test_layout_attach),
		cmocka_unit_test(test_node),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
