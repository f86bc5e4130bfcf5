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
	int err;
};

enum { MISSING, EMPTY, NOT_ELF, NOT_CORE, WRONG_MACHINE, SEGMENT_PAST_END, BAD_MAP, BAD_SCHEME };

static const struct bad_case bad_cases[] = {
	{"missing file", "file:", MISSING, -ENOENT},
	{"empty file", "file:", EMPTY, -EINVAL},
	{"empty ELF", "elf:", EMPTY, -EINVAL},
	{"raw bytes as ELF", "elf:", NOT_ELF, -EINVAL},
	{"ELF executable, not a core", "elf:", NOT_CORE, -EINVAL},
	{"ELF core of another machine", "elf:", WRONG_MACHINE, -EINVAL},
	{"segment past the end of the file", "elf:", SEGMENT_PAST_END, -EINVAL},
	{"malformed map", "file:", BAD_MAP, -EINVAL},
	{"unknown target scheme", "nettlp:", NOT_ELF, -EINVAL},
};

static void test_bad(void **state)
{
	static u8 core[0x3000];
	unsigned int i;

	for (i = 0; i < MINTMON_ARRAY_SIZE(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct mintmon_memory m;
		char spec[200];
		const char *path = NULL;

		print_message("%s\n", c->what);
		switch (c->kind) {
		case MISSING: path = "/nonexistent/mintmon"; break;
		case EMPTY: path = write_file("empty", "", 0); break;
		case NOT_ELF: path = write_file("junk", "hello, world", 12); break;
		case NOT_CORE:
			path = write_file("exec", core, build_core(core, ET_EXEC, EM_X86_64, 0x2000));
			break;
		case WRONG_MACHINE:
			path = write_file("arm", core, build_core(core, ET_CORE, EM_AARCH64, 0x2000));
			break;
		case SEGMENT_PAST_END:
			path = write_file("trunc", core, build_core(core, ET_CORE, EM_X86_64, 0x2800));
			break;
		case BAD_MAP: path = write_file("m", "x", 1); break;
		}
		/* A map entry needs PHYS+SIZE@OFFSET: the size is missing here. */
		snprintf(spec, sizeof(spec), "%s%s%s", c->prefix, path,
			 c->kind == BAD_MAP ? ":map=0x1000@0" : "");
		assert_int_equal(mintmon_reader_open(spec, &m, fresh_err()), c->err);
		assert_true(strlen(test_err.msg) > 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_raw),
		cmocka_unit_test(test_elf),
		cmocka_unit_test(test_bad),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
