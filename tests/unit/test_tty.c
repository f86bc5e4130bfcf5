// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for mintmon_tty_name() (monitor/core/tasks.c): the TTY column
 * of ps, from the tty number of /proc/PID/stat field 7.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mintmon/tasks.h"

/*
 * The kernel's new_encode_dev() (include/linux/kdev_t.h), which is how
 * tty_nr is encoded: minor bits 0-7, major bits 8-19, minor bits 8-19 in
 * bits 20-31. Written out here, not taken from the code under test.
 */
static u32 encode(u32 major, u32 minor)
{
	return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

struct tty_case {
	const char *what;
	u32 tty_nr;
	const char *name;
};

static const struct tty_case cases[] = {
	{"no controlling tty", 0, "?"},
	{"first virtual console", 0x0401, "tty1"},		/* (4, 1): hand-encoded */
	{"last virtual console", 0x043f, "tty63"},		/* (4, 63) */
	{"first serial port", 0x0440, "ttyS0"},			/* (4, 64) */
	{"serial port 191 (minor 255)", 0x04ff, "ttyS191"},	/* (4, 255) */
	{"pseudo-terminal 3", 0x8803, "pts/3"},			/* (136, 3) */
	/* ps's legacy view: majors 136-143 each hold 256 ptys. */
	{"pts/256 as (137, 0)", 0x8900, "pts/256"},
	{"pts/2047 as (143, 255)", 0x8fff, "pts/2047"},
	{"system console", 0x0501, "console"},			/* (5, 1) */
	{"/dev/tty (5, 0) is not the console", 0x0500, "5,0"},
	{"/dev/ptmx (5, 2)", 0x0502, "5,2"},
	{"major 135, just below the ptys", 0x87ff, "135,255"},
	{"major 144, just above the ptys", 0x9000, "144,0"},
	{"a USB serial port (188, 0)", 0xbc00, "188,0"},
};

/* Minors above 255 only fit with new_encode_dev()'s high minor bits. */
struct dev_case {
	const char *what;
	u32 major, minor;
	const char *name;
};

static const struct dev_case dev_cases[] = {
	{"pts/256 as the kernel numbers it: (136, 256)", 136, 256, "pts/256"},
	{"pts/4095 (136, 4095)", 136, 4095, "pts/4095"},
	{"pts/70000 (136, 70000)", 136, 70000, "pts/70000"},
	{"pts with a large minor on major 137", 137, 300, "pts/556"},
	{"serial port with a large minor (4, 300)", 4, 300, "ttyS236"},
	{"large minor elsewhere", 200, 70000, "200,70000"},
	{"largest major and minor", 4095, 0xfffff, "4095,1048575"},
};

static void test_names(void **state)
{
	unsigned int i;
	char buf[32];

	for (i = 0; i < MINTMON_ARRAY_SIZE(cases); i++) {
		print_message("%s\n", cases[i].what);
		memset(buf, '#', sizeof(buf));
		mintmon_tty_name(cases[i].tty_nr, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].name);
	}
	for (i = 0; i < MINTMON_ARRAY_SIZE(dev_cases); i++) {
		const struct dev_case *c = &dev_cases[i];

		print_message("%s\n", c->what);
		mintmon_tty_name(encode(c->major, c->minor), buf, sizeof(buf));
		assert_string_equal(buf, c->name);
	}
	/* The hand-encoded numbers above agree with the formula. */
	assert_int_equal(encode(4, 1), 0x0401);
	assert_int_equal(encode(136, 3), 0x8803);
	assert_int_equal(encode(136, 256), 0x108800);
}

/* A short buffer gets a NUL-terminated prefix and nothing past its end. */
static void test_short_buffer(void **state)
{
	char buf[8];

	memset(buf, '#', sizeof(buf));
	mintmon_tty_name(0x0501, buf, 4);
	assert_string_equal(buf, "con");
	assert_int_equal(buf[4], '#');
	mintmon_tty_name(encode(4095, 0xfffff), buf, 5);
	assert_string_equal(buf, "4095");
	mintmon_tty_name(0x0401, buf, 1);
	assert_string_equal(buf, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_short_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
