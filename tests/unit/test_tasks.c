// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for monitor/core/tasks.c: the state letter. The walk itself is
 * tested against real kernels (tests/integration), whose /proc is the truth.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mintmon/tasks.h"

struct state_case {
	const char *what;
	u64 state;		/* task_struct.__state */
	u64 exit_state;
	char letter;
};

/* Values from include/linux/sched.h (v6.1 and v6.12 agree on all of these). */
static const struct state_case cases[] = {
	{"TASK_RUNNING", 0x0000, 0, 'R'},
	{"TASK_INTERRUPTIBLE", 0x0001, 0, 'S'},
	{"TASK_UNINTERRUPTIBLE", 0x0002, 0, 'D'},
	{"TASK_KILLABLE (WAKEKILL|UNINTERRUPTIBLE)", 0x0102, 0, 'D'},
	{"TASK_STOPPED (WAKEKILL|__TASK_STOPPED)", 0x0104, 0, 'T'},
	{"TASK_TRACED", 0x0008, 0, 't'},
	{"EXIT_ZOMBIE in exit_state", 0x0080, 0x0020, 'Z'},
	{"EXIT_DEAD in exit_state", 0x0080, 0x0010, 'X'},
	{"TASK_PARKED", 0x0040, 0, 'P'},
	{"TASK_IDLE (UNINTERRUPTIBLE|NOLOAD)", 0x0402, 0, 'I'},
	{"TASK_RTLOCK_WAIT reports as D", 0x1000, 0, 'D'},
	{"TASK_FREEZABLE|INTERRUPTIBLE (6.1)", 0x2001, 0, 'S'},
	{"TASK_NEW alone is not reported", 0x0800, 0, 'R'},
};

static void test_state_letters(void **state)
{
	unsigned int i;

	for (i = 0; i < MINTMON_ARRAY_SIZE(cases); i++) {
		print_message("%s\n", cases[i].what);
		assert_int_equal(mintmon_task_state_letter(cases[i].state, cases[i].exit_state),
				 cases[i].letter);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_letters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
