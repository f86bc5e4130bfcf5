// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for monitor/core/error.c: what a failure records, how context
 * keeps it, how it is formatted, bounds on every buffer, the warning budget
 * and a NULL error object.
 *
 * Printed warnings go through mintmon_log() (monitor/user/shim.c), which
 * writes to stderr: the budget tests point fd 2 at a temporary file for the
 * duration of the calls and count its lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

#include "mintmon/error.h"

#define NO MINTMON_NO_ADDR

/* ---- stderr capture ---- */

static FILE *capture_file;
static int saved_stderr = -1;

static void capture_start(void)
{
	fflush(stderr);
	capture_file = tmpfile();
	assert_non_null(capture_file);
	saved_stderr = dup(2);
	assert_true(saved_stderr >= 0);
	assert_int_equal(dup2(fileno(capture_file), 2), 2);
}

/* Restore stderr; returns the captured text (malloc'ed) and its line count. */
static char *capture_end(unsigned int *lines_ret)
{
	long size;
	char *text;
	unsigned int lines = 0;
	long i;

	fflush(stderr);
	assert_int_equal(dup2(saved_stderr, 2), 2);
	close(saved_stderr);
	saved_stderr = -1;
	/* fd 2 wrote through the shared file offset: the stream knows nothing of it. */
	assert_int_equal(fseek(capture_file, 0, SEEK_END), 0);
	size = ftell(capture_file);
	assert_true(size >= 0);
	text = calloc(1, (size_t)size + 1);
	assert_non_null(text);
	rewind(capture_file);
	assert_int_equal(fread(text, 1, (size_t)size, capture_file), (size_t)size);
	fclose(capture_file);
	for (i = 0; i < size; i++)
		lines += text[i] == '\n';
	*lines_ret = lines;
	return text;
}

/* ---- what a failure records ---- */

static void test_init(void **state)
{
	struct mintmon_error e;

	memset(&e, 0xa5, sizeof(e));
	mintmon_error_init(&e, 1);
	assert_int_equal(e.code, 0);
	assert_null(e.step);
	assert_int_equal(e.phys, NO);
	assert_int_equal(e.vaddr, NO);
	assert_string_equal(e.msg, "");
	assert_int_equal(e.nr_warnings, 0);
	assert_int_equal(e.nr_suppressed, 0);
	assert_int_equal(e.verbose, 1);
	assert_false(mintmon_error_is_set(&e));
}

static void test_fail(void **state)
{
	struct mintmon_error e;

	mintmon_error_init(&e, 0);
	/* The code comes back, so that `return mintmon_fail(...)` works. */
	assert_int_equal(mintmon_fail(&e, -EINVAL, "btf", "bad %s %d", "magic", 7), -EINVAL);
	assert_true(mintmon_error_is_set(&e));
	assert_int_equal(e.code, -EINVAL);
	assert_string_equal(e.step, "btf");
	assert_string_equal(e.msg, "bad magic 7");
	assert_int_equal(e.phys, NO);
	assert_int_equal(e.vaddr, NO);

	/* fail_at keeps both addresses, 0 included (a real physical address). */
	assert_int_equal(mintmon_fail_at(&e, -EFAULT, "memory", 0, 0xffffffff81000000ull,
					 "cannot read"), -EFAULT);
	assert_int_equal(e.code, -EFAULT);
	assert_string_equal(e.step, "memory");
	assert_int_equal(e.phys, 0);
	assert_int_equal(e.vaddr, 0xffffffff81000000ull);

	/* A later failure replaces the earlier one, addresses too. */
	assert_int_equal(mintmon_fail(&e, -ENOENT, "kallsyms", "no table"), -ENOENT);
	assert_int_equal(e.code, -ENOENT);
	assert_string_equal(e.step, "kallsyms");
	assert_string_equal(e.msg, "no table");
	assert_int_equal(e.phys, NO);
	assert_int_equal(e.vaddr, NO);

	/* clear forgets the failure and the warning counts, not verbosity. */
	mintmon_error_warn(&e, "x", "w");
	mintmon_error_clear(&e);
	assert_false(mintmon_error_is_set(&e));
	assert_int_equal(e.code, 0);
	assert_string_equal(e.msg, "");
	assert_int_equal(e.phys, NO);
	assert_int_equal(e.vaddr, NO);
	assert_int_equal(e.nr_warnings, 0);
	assert_int_equal(e.verbose, 0);
}

static void test_context(void **state)
{
	struct mintmon_error e;

	mintmon_error_init(&e, 0);
	mintmon_fail_at(&e, -EFAULT, "memory", 0x1000, 0xffff888000001000ull, "read failed");
	/* Returns the code given; keeps the code, addresses, message recorded. */
	assert_int_equal(mintmon_error_context(&e, -EIO, "tasks", "cannot read task %d", 42),
			 -EIO);
	assert_int_equal(e.code, -EFAULT);
	assert_string_equal(e.step, "tasks");
	assert_string_equal(e.msg, "cannot read task 42: read failed");
	assert_int_equal(e.phys, 0x1000);
	assert_int_equal(e.vaddr, 0xffff888000001000ull);
	/* Contexts stack outermost first. */
	mintmon_error_context(&e, -EIO, "ps", "walk");
	assert_string_equal(e.msg, "walk: cannot read task 42: read failed");
	assert_string_equal(e.step, "ps");
	assert_int_equal(e.phys, 0x1000);

	/* With no failure recorded: the context alone, with the code given. */
	mintmon_error_clear(&e);
	assert_int_equal(mintmon_error_context(&e, -ESRCH, "tasks", "no pid %d", 7), -ESRCH);
	assert_true(mintmon_error_is_set(&e));
	assert_int_equal(e.code, -ESRCH);
	assert_string_equal(e.step, "tasks");
	assert_string_equal(e.msg, "no pid 7");
	assert_int_equal(e.phys, NO);
	assert_int_equal(e.vaddr, NO);

	/*
	 * Stale fields of an object whose fields were set but whose failure was
	 * not (step NULL) must not leak into the context: addresses and text.
	 */
	mintmon_error_init(&e, 0);
	e.phys = 0x1234;
	e.vaddr = 0x5678;
	strcpy(e.msg, "stale");
	mintmon_error_context(&e, -EIO, "poll", "fresh");
	assert_string_equal(e.msg, "fresh");
	assert_int_equal(e.phys, NO);
	assert_int_equal(e.vaddr, NO);

	/* A failure recorded with code 0 takes the context's code. */
	mintmon_error_init(&e, 0);
	mintmon_fail(&e, 0, "x", "odd");
	mintmon_error_context(&e, -EPROTO, "y", "ctx");
	assert_int_equal(e.code, -EPROTO);
	assert_string_equal(e.msg, "ctx: odd");
}

/* ---- formatting ---- */

struct format_case {
	const char *what;
	const char *msg;
	u64 phys, vaddr;
	const char *want;
};

static const struct format_case format_cases[] = {
	{"message only", "cannot attach", NO, NO, "cannot attach"},
	{"empty message", "", NO, NO, "unknown error"},
	{"physical", "read failed", 0x1000, NO, "read failed (physical 0x1000)"},
	{"virtual", "read failed", NO, 0xffffffff81000000ull,
	 "read failed (at 0xffffffff81000000)"},
	{"both, virtual first", "read failed", 0x2000, 0xffff888000002000ull,
	 "read failed (at 0xffff888000002000) (physical 0x2000)"},
	{"0 is an address: 0x0", "read failed", 0, 0, "read failed (at 0x0) (physical 0x0)"},
	{"physical already in the message", "cannot read 0x1000 bytes at 0x7000", 0x7000, NO,
	 "cannot read 0x1000 bytes at 0x7000"},
	{"virtual already in the message", "task at 0xffff888000001000", 0x1000,
	 0xffff888000001000ull, "task at 0xffff888000001000 (physical 0x1000)"},
	/*
	 * A longer number that merely starts with the address's digits is
	 * another address: 0x10000 does not mention 0x1000.
	 */
	{"prefix of a longer number", "table at 0x10000", 0x1000, NO,
	 "table at 0x10000 (physical 0x1000)"},
	{"address at the very end", "fault at 0x1000", 0x1000, NO, "fault at 0x1000"},
};

static void test_format(void **state)
{
	unsigned int i;

	for (i = 0; i < MINTMON_ARRAY_SIZE(format_cases); i++) {
		const struct format_case *c = &format_cases[i];
		struct mintmon_error e;
		char buf[200];

		print_message("%s\n", c->what);
		mintmon_error_init(&e, 0);
		mintmon_fail_at(&e, -EIO, "t", c->phys, c->vaddr, "%s", c->msg);
		assert_ptr_equal(mintmon_error_format(&e, buf, sizeof(buf)), buf);
		assert_string_equal(buf, c->want);
	}
}

/*
 * Every buffer size from 0 up gives a NUL-terminated prefix of the full line
 * and writes nothing past size (the guard bytes; ASan watches the rest).
 */
static void test_format_truncation(void **state)
{
	struct mintmon_error e;
	char full[200], buf[200];
	size_t len, size;

	mintmon_error_init(&e, 0);
	mintmon_fail_at(&e, -EIO, "t", 0x2000, 0xffff888000002000ull, "read failed");
	mintmon_error_format(&e, full, sizeof(full));
	len = strlen(full);
	for (size = 0; size <= len + 1; size++) {
		memset(buf, '#', sizeof(buf));
		mintmon_error_format(&e, buf, size);
		if (size == 0) {
			assert_int_equal(buf[0], '#');	/* nothing written at all */
			continue;
		}
		assert_int_equal(strlen(buf), size - 1 < len ? size - 1 : len);
		assert_memory_equal(buf, full, strlen(buf));
		assert_int_equal(buf[size], '#');
	}
}

/* Messages longer than MINTMON_ERROR_MSG_LEN are cut, never overflow. */
static void test_message_truncation(void **state)
{
	char longer[3 * MINTMON_ERROR_MSG_LEN];
	char out[4 * MINTMON_ERROR_MSG_LEN];
	struct mintmon_error e;

	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	mintmon_error_init(&e, 0);
	mintmon_fail(&e, -EIO, "t", "%s", longer);
	assert_int_equal(strlen(e.msg), MINTMON_ERROR_MSG_LEN - 1);
	assert_int_equal(e.nr_warnings, 1);	/* counted; printing is off */

	/* Context in front of a full message: the context survives, the tail is cut. */
	mintmon_error_context(&e, -EIO, "t", "ctx");
	assert_int_equal(strlen(e.msg), MINTMON_ERROR_MSG_LEN - 1);
	assert_memory_equal(e.msg, "ctx: aaa", 8);
	/* A context that is itself too long. */
	mintmon_error_context(&e, -EIO, "t", "%s", longer);
	assert_int_equal(strlen(e.msg), MINTMON_ERROR_MSG_LEN - 1);
	/* An empty recorded message: the context alone, also cut. */
	mintmon_error_clear(&e);
	mintmon_error_context(&e, -EIO, "t", "%s", longer);
	assert_int_equal(strlen(e.msg), MINTMON_ERROR_MSG_LEN - 1);
	/* Warnings are formatted into a buffer of the same size. */
	mintmon_error_warn(&e, "t", "%s", longer);
	/* And a full message still formats with its addresses in a big buffer. */
	e.phys = 0x1000;
	mintmon_error_format(&e, out, sizeof(out));
	assert_int_equal(strlen(out), MINTMON_ERROR_MSG_LEN - 1 + strlen(" (physical 0x1000)"));
}

/* ---- the warning budget ---- */

struct burst_case {
	const char *what;
	int verbose;
	unsigned int warnings;		/* warnings issued */
	unsigned int lines;		/* lines printed */
	unsigned int suppressed;	/* nr_suppressed afterwards */
};

static const struct burst_case burst_cases[] = {
	{"quiet: counted, nothing printed", 0, 25, 0, 0},
	{"verbose, below the burst", 1, MINTMON_WARN_BURST - 1, MINTMON_WARN_BURST - 1, 0},
	/* The burst's last message is followed by one notice that more are held back. */
	{"verbose, exactly the burst", 1, MINTMON_WARN_BURST, MINTMON_WARN_BURST + 1, 0},
	{"verbose, a flood", 1, 1000, MINTMON_WARN_BURST + 1, 1000 - MINTMON_WARN_BURST},
};

static void test_warn_burst(void **state)
{
	unsigned int i, j;

	for (i = 0; i < MINTMON_ARRAY_SIZE(burst_cases); i++) {
		const struct burst_case *c = &burst_cases[i];
		struct mintmon_error e;
		unsigned int lines;
		char *text;

		print_message("%s\n", c->what);
		mintmon_error_init(&e, c->verbose);
		capture_start();
		for (j = 0; j < c->warnings; j++)
			mintmon_error_warn(&e, "tasks", "skipped task %u", j);
		text = capture_end(&lines);
		assert_int_equal(lines, c->lines);
		assert_int_equal(e.nr_warnings, c->warnings);
		assert_int_equal(e.nr_suppressed, c->suppressed);
		/* Warnings are not failures. */
		assert_false(mintmon_error_is_set(&e));
		if (c->lines)
			assert_memory_equal(text, "mintmon: tasks: skipped task 0\n", 31);
		/* The first BURST messages are the ones printed, then the notice. */
		if (c->lines > MINTMON_WARN_BURST) {
			char last[100], next[40];

			snprintf(last, sizeof(last),
				 "skipped task %u\nmintmon: tasks: further messages suppressed\n",
				 MINTMON_WARN_BURST - 1);
			snprintf(next, sizeof(next), "skipped task %u\n", MINTMON_WARN_BURST);
			assert_non_null(strstr(text, last));
			assert_null(strstr(text, next));
		}
		free(text);
	}
}

/* Failures count against the same budget; clear restarts it. */
static void test_burst_restarts(void **state)
{
	struct mintmon_error e;
	unsigned int lines, j;
	char *text;

	mintmon_error_init(&e, 1);
	capture_start();
	for (j = 0; j < 2 * MINTMON_WARN_BURST; j++)
		mintmon_fail(&e, -EIO, "poll", "failure %u", j);
	text = capture_end(&lines);
	free(text);
	assert_int_equal(lines, MINTMON_WARN_BURST + 1);
	assert_int_equal(e.nr_suppressed, MINTMON_WARN_BURST);
	/* Suppressed from the log, still recorded as the failure. */
	assert_string_equal(e.msg, "failure 19");

	mintmon_error_clear(&e);
	capture_start();
	mintmon_error_warn(&e, "poll", "again");
	mintmon_error_warn(&e, "poll", "and again");
	text = capture_end(&lines);
	assert_int_equal(lines, 2);
	assert_string_equal(text, "mintmon: poll: again\nmintmon: poll: and again\n");
	free(text);

	/* A warning leaves a recorded failure alone. */
	capture_start();
	mintmon_fail_at(&e, -EFAULT, "memory", 0x10, NO, "first");
	mintmon_error_warn(&e, "memory", "second");
	free(capture_end(&lines));
	assert_int_equal(e.code, -EFAULT);
	assert_string_equal(e.msg, "first");
	assert_int_equal(e.phys, 0x10);
}

/* ---- no error object ---- */

static void test_null(void **state)
{
	mintmon_error_clear(NULL);
	assert_int_equal(mintmon_fail(NULL, -EIO, "t", "x %d", 1), -EIO);
	assert_int_equal(mintmon_fail_at(NULL, -EFAULT, "t", 1, 2, "x"), -EFAULT);
	assert_int_equal(mintmon_error_context(NULL, -ENOENT, "t", "x"), -ENOENT);
	mintmon_error_warn(NULL, "t", "x");
	assert_false(mintmon_error_is_set(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_fail),
		cmocka_unit_test(test_context),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_truncation),
		cmocka_unit_test(test_message_truncation),
		cmocka_unit_test(test_warn_burst),
		cmocka_unit_test(test_burst_restarts),
		cmocka_unit_test(test_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
