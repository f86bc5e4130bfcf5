// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for monitor/core/health.c: the verdict from two samples
 * (table-driven: heartbeat, busy and idle CPUs, a stuck CPU among running
 * ones, panic, taint and oops counts, the order of precedence), and taint
 * letters as /proc/sys/kernel/tainted's bits name them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "mintmon/health.h"

/* Two CPUs; each described by: moved (clock/switches), idle in prev and cur, task changed. */
struct cpu_case {
	bool moved, idle_before, idle_after, other_task;
};

struct judge_case {
	const char *what;
	bool jiffies_moved;
	u64 span_ms, hung_ms;
	struct cpu_case cpu[2];
	s32 panic_cpu;
	u64 taint_before, taint_after, oops_before, oops_after;
	enum mintmon_health_state want;
	unsigned int stuck;		/* CPUs reported stuck */
	int stuck_cpu;			/* the first one's number, -1 none */
	bool all_idle;
};

#define BUSY_MOVING {true, false, false, false}
#define BUSY_STILL {false, false, false, false}
#define IDLE_STILL {false, true, true, false}

static const struct judge_case cases[] = {
	{"busy CPUs ticking", true, 1000, 1000, {BUSY_MOVING, BUSY_MOVING}, -1, 0, 0, 0, 0,
	 MINTMON_HEALTH_RUNNING, 0, -1, false},
	{"all idle, no tick for a second (NO_HZ): running", false, 1000, 1000,
	 {IDLE_STILL, IDLE_STILL}, -1, 0, 0, 0, 0, MINTMON_HEALTH_RUNNING, 0, -1, true},
	{"paused machine with a busy CPU: hung, that CPU", false, 1500, 1000,
	 {IDLE_STILL, BUSY_STILL}, -1, 0, 0, 0, 0, MINTMON_HEALTH_HUNG, 1, 1, false},
	{"one stuck CPU while the other runs: hung", true, 1000, 1000,
	 {BUSY_STILL, BUSY_MOVING}, -1, 0, 0, 0, 0, MINTMON_HEALTH_HUNG, 1, 0, false},
	{"not long enough to say hung", false, 500, 1000, {BUSY_STILL, BUSY_STILL}, -1, 0, 0, 0,
	 0, MINTMON_HEALTH_RUNNING, 0, -1, false},
	{"the task changed: it switched, not stuck", true, 1000, 1000,
	 {{false, false, false, true}, BUSY_MOVING}, -1, 0, 0, 0, 0, MINTMON_HEALTH_RUNNING, 0,
	 -1, false},
	{"went idle: not stuck", true, 1000, 1000, {{false, false, true, false}, BUSY_MOVING},
	 -1, 0, 0, 0, 0, MINTMON_HEALTH_RUNNING, 0, -1, false},
	{"panic wins over hung", false, 2000, 1000, {BUSY_STILL, BUSY_STILL}, 1, 0, 0x80, 0, 1,
	 MINTMON_HEALTH_PANICKED, 2, 0, false},
	{"hung wins over oopsed", false, 2000, 1000, {BUSY_STILL, IDLE_STILL}, -1, 0x80, 0x80,
	 1, 1, MINTMON_HEALTH_HUNG, 1, 0, false},
	{"taint D: oopsed", true, 1000, 1000, {BUSY_MOVING, BUSY_MOVING}, -1, 0, 0x80, 0, 0,
	 MINTMON_HEALTH_OOPSED, 0, -1, false},
	{"taint W: oopsed", true, 1000, 1000, {BUSY_MOVING, BUSY_MOVING}, -1, 0x200, 0x200, 0, 0,
	 MINTMON_HEALTH_OOPSED, 0, -1, false},
	{"oops count grew: oopsed", true, 1000, 1000, {BUSY_MOVING, BUSY_MOVING}, -1, 0, 0, 3, 4,
	 MINTMON_HEALTH_OOPSED, 0, -1, false},
	{"taint U (64): tainted", true, 1000, 1000, {BUSY_MOVING, BUSY_MOVING}, -1, 64, 64, 0, 0,
	 MINTMON_HEALTH_TAINTED, 0, -1, false},
};

static void fill(struct mintmon_health_sample *a, struct mintmon_health_sample *b,
		 const struct judge_case *c)
{
	unsigned int i;

	memset(a, 0, sizeof(*a));
	memset(b, 0, sizeof(*b));
	a->when_ms = 10000;
	b->when_ms = 10000 + c->span_ms;
	a->jiffies = 5000;
	b->jiffies = 5000 + (c->jiffies_moved ? 250 : 0);
	a->panic_cpu = -1;
	b->panic_cpu = c->panic_cpu;
	a->tainted = c->taint_before;
	b->tainted = c->taint_after;
	a->oops_count = c->oops_before;
	b->oops_count = c->oops_after;
	a->nr_cpus = b->nr_cpus = 2;
	for (i = 0; i < 2; i++) {
		a->cpu_id[i] = b->cpu_id[i] = (u16)i;
		a->cpu[i].clock = 1000000 * (i + 1);
		b->cpu[i].clock = a->cpu[i].clock + (c->cpu[i].moved ? 4000000 : 0);
		a->cpu[i].nr_switches = b->cpu[i].nr_switches = 77;
		a->cpu[i].curr = 0xffff888000100000ull + 0x1000 * i;
		b->cpu[i].curr = a->cpu[i].curr + (c->cpu[i].other_task ? 0x40000 : 0);
		a->cpu[i].idle = c->cpu[i].idle_before;
		b->cpu[i].idle = c->cpu[i].idle_after;
	}
}

static void test_judge(void **state)
{
	unsigned int i;

	for (i = 0; i < MINTMON_ARRAY_SIZE(cases); i++) {
		struct mintmon_health_sample a, b;
		struct mintmon_health_verdict v;

		print_message("%s\n", cases[i].what);
		fill(&a, &b, &cases[i]);
		mintmon_health_judge(&a, &b, cases[i].hung_ms, &v);
		assert_int_equal(v.state, cases[i].want);
		assert_int_equal(v.nr_stuck, cases[i].stuck);
		if (cases[i].stuck_cpu >= 0) {
			assert_int_equal(v.stuck_cpu[0], cases[i].stuck_cpu);
			assert_int_equal(v.stuck_task[0], b.cpu[cases[i].stuck_cpu].curr);
		}
		assert_int_equal(v.all_idle, cases[i].all_idle);
		assert_int_equal(v.heartbeat_moved, cases[i].jiffies_moved);
	}
}

/* A switch with the clock standing still is movement too (nr_switches). */
static void test_switches_count(void **state)
{
	const struct judge_case c = {"", true, 1000, 1000, {BUSY_STILL, BUSY_MOVING}, -1, 0, 0, 0, 0,
				     MINTMON_HEALTH_RUNNING, 0, -1, false};
	struct mintmon_health_sample a, b;
	struct mintmon_health_verdict v;

	fill(&a, &b, &c);
	b.cpu[0].nr_switches++;
	mintmon_health_judge(&a, &b, 1000, &v);
	assert_int_equal(v.state, MINTMON_HEALTH_RUNNING);
	assert_int_equal(v.nr_stuck, 0);
}

static void test_taint_letters(void **state)
{
	static const struct {
		u64 mask;
		const char *want;
	} letters[] = {
		{0, ""}, {1, "P"}, {64, "U"}, {0x80, "D"}, {0x200, "W"},
		{0x3000, "OE"},		/* an unsigned out-of-tree module */
		{0x2201, "PWE"}, {1ull << 19, "J"}, {1ull << 40, "?"},
	};
	char buf[40];
	unsigned int i;

	for (i = 0; i < MINTMON_ARRAY_SIZE(letters); i++) {
		mintmon_health_taint_letters(NULL, letters[i].mask, buf, sizeof(buf));
		assert_string_equal(buf, letters[i].want);
	}
	mintmon_health_taint_letters(NULL, 0x2201, buf, 2);	/* cut short, NUL-terminated */
	assert_string_equal(buf, "P");
}

static void test_state_names(void **state)
{
	assert_string_equal(mintmon_health_state_name(MINTMON_HEALTH_RUNNING), "running");
	assert_string_equal(mintmon_health_state_name(MINTMON_HEALTH_HUNG), "hung");
	assert_string_equal(mintmon_health_state_name(MINTMON_HEALTH_PANICKED), "panicked");
	assert_string_equal(mintmon_health_state_name(MINTMON_HEALTH_UNREACHABLE), "unreachable");
	assert_string_equal(mintmon_health_state_name((enum mintmon_health_state)99), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_judge),
		cmocka_unit_test(test_switches_count),
		cmocka_unit_test(test_taint_letters),
		cmocka_unit_test(test_state_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
