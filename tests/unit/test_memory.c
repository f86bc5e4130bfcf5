// SPDX-License-Identifier: GPL-2.0
/* Unit tests for monitor/core/memory.c: range bookkeeping and the read front end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fake_memory.h"

static void test_ranges(void **state)
{
	struct mintmon_memory m = {0};

	assert_int_equal(mintmon_memory_end(&m), 0);
	assert_int_equal(mintmon_memory_add_range(&m, 0x100000000ull, 0x1000), 0);
	assert_int_equal(mintmon_memory_add_range(&m, 0, 0x2000), 0);
	/* Kept sorted. */
	assert_int_equal(m.ranges[0].start, 0);
	assert_int_equal(m.ranges[1].start, 0x100000000ull);
	/* Overlaps, empty and wrapping ranges are refused. */
	assert_int_equal(mintmon_memory_add_range(&m, 0x1000, 0x2000), -EEXIST);
	assert_int_equal(mintmon_memory_add_range(&m, 0xfffff000ull, 0x2000), -EEXIST);
	assert_int_equal(mintmon_memory_add_range(&m, 0x5000, 0), -EINVAL);
	assert_int_equal(mintmon_memory_add_range(&m, ~0ull - 10, 100), -EINVAL);
	assert_true(mintmon_memory_contains(&m, 0x1000, 0x1000));
	assert_false(mintmon_memory_contains(&m, 0x1000, 0x1001));
	assert_false(mintmon_memory_contains(&m, 0x2000, 1));
	assert_true(mintmon_memory_contains(&m, 0x100000fffull, 1));
	assert_false(mintmon_memory_contains(&m, ~0ull, 2));
	assert_int_equal(mintmon_memory_end(&m), 0x100001000ull);
}

static void test_too_many_ranges(void **state)
{
	struct mintmon_memory m = {0};
	unsigned int i;

	for (i = 0; i < MINTMON_MAX_PHYS_RANGES; i++)
		assert_int_equal(mintmon_memory_add_range(&m, 0x2000ull * i, 0x1000), 0);
	assert_int_equal(mintmon_memory_add_range(&m, 0x10000000, 0x1000), -E2BIG);
}

static void test_read(void **state)
{
	struct fake_memory f;
	struct mintmon_memory m;
	u8 buf[16];
	u64 fault = 0;

	fake_memory_init(&f, &m, 0x1000);
	f.bytes[0xff0] = 0xab;
	assert_int_equal(mintmon_memory_read(&m, 0xff0, buf, 16, &fault), 0);
	assert_int_equal(buf[0], 0xab);
	assert_int_equal(m.bytes_read, 16);
	assert_int_equal(m.reads, 1);
	/* A read past the end reports the first missing address. */
	assert_int_equal(mintmon_memory_read(&m, 0xff8, buf, 16, &fault), -EFAULT);
	assert_int_equal(fault, 0x1000);
	/* A read whose end wraps is refused before reaching the source. */
	f.reads = 0;
	assert_int_equal(mintmon_memory_read(&m, ~0ull - 4, buf, 16, &fault), -EFAULT);
	assert_int_equal(fault, ~0ull - 4);
	assert_int_equal(f.reads, 0);
	assert_int_equal(m.bytes_read, 16);
	fake_memory_deinit(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_too_many_ranges),
		cmocka_unit_test(test_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
