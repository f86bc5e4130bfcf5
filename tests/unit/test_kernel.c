// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for monitor/core/kernel.c: the vmcoreinfo parser and kernel
 * discovery on memory that holds no kernel. Discovery on real kernels is
 * tested in tests/integration.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fake_memory.h"
#include "mintmon/kernel.h"

struct vmcoreinfo_case {
	const char *what;
	const char *text;
	int err;
	const char *osrelease;	/* NULL: absent */
	bool has_offset;
	u64 offset;
	bool has_phys_base;
	u64 phys_base;
};

static const struct vmcoreinfo_case cases[] = {
	{"typical note", "OSRELEASE=6.1.0-56-amd64\nPAGESIZE=4096\nKERNELOFFSET=2be00000\n"
	 "NUMBER(phys_base)=-104857600\n", 0, "6.1.0-56-amd64", true, 0x2be00000, true,
	 (u64)-104857600},
	{"no trailing newline", "KERNELOFFSET=1c000000", 0, NULL, true, 0x1c000000, false, 0},
	{"unknown keys only", "SYMBOL(init_uts_ns)=ffffffff8f000000\n", 0, NULL, false, 0, false, 0},
	{"empty", "", 0, NULL, false, 0, false, 0},
	{"text stops at NUL", "OSRELEASE=a\0KERNELOFFSET=zz\n", 0, "a", false, 0, false, 0},
	{"bad hex", "KERNELOFFSET=12g4\n", -EINVAL, NULL, false, 0, false, 0},
	{"hex too long", "KERNELOFFSET=12345678901234567\n", -EINVAL, NULL, false, 0, false, 0},
	{"release too long", "OSRELEASE=0123456789012345678901234567890123456789012345678901234"
	 "567890123456789\n", -EINVAL, NULL, false, 0, false, 0},
	{"phys_base without value", "NUMBER(phys_base)=\n", -EINVAL, NULL, false, 0, false, 0},
};

static void test_vmcoreinfo_parse(void **state)
{
	unsigned int i;

	for (i = 0; i < MINTMON_ARRAY_SIZE(cases); i++) {
		const struct vmcoreinfo_case *c = &cases[i];
		struct mintmon_vmcoreinfo info;
		size_t len = strlen(c->text);

		if (!strcmp(c->what, "text stops at NUL"))
			len = sizeof("OSRELEASE=a\0KERNELOFFSET=zz\n") - 1;
		print_message("%s\n", c->what);
		assert_int_equal(mintmon_vmcoreinfo_parse(c->text, len, &info), c->err);
		if (c->err)
			continue;
		assert_int_equal(info.has_osrelease, c->osrelease != NULL);
		if (c->osrelease)
			assert_string_equal(info.osrelease, c->osrelease);
		assert_int_equal(info.has_kerneloffset, c->has_offset);
		assert_int_equal(info.kerneloffset, c->offset);
		assert_int_equal(info.has_phys_base, c->has_phys_base);
		assert_int_equal(info.phys_base, c->phys_base);
	}
}

/* Memory with no kernel: zeros, and a page table that maps 8 MiB of zeros. */
static void test_no_kernel(void **state)
{
	struct fake_memory f;
	struct mintmon_memory m;
	struct mintmon_kernel *k = NULL;
	unsigned int i;

	fake_memory_init(&f, &m, 32 << 20);
	assert_int_equal(mintmon_kernel_create(&m, NULL, NULL, &k), -ENOENT);
	assert_null(k);
	/* PML4 at 0x1000 -> PDPT 0x2000 -> PD 0x3000: 8 MiB at 0x1000000, no kallsyms there. */
	fake_put64(&f, 0x1000 + 8 * 511, 0x2000 | 0x67);
	fake_put64(&f, 0x2000 + 8 * 510, 0x3000 | 0x67);
	for (i = 0; i < 4; i++)
		fake_put64(&f, 0x3000 + 8 * (8 + i), (0x1000000ull + i * 0x200000) | 0x81);
	assert_int_equal(mintmon_kernel_create(&m, NULL, NULL, &k), -ENOENT);
	assert_null(k);
	fake_memory_deinit(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vmcoreinfo_parse),
		cmocka_unit_test(test_no_kernel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
