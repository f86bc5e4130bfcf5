// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for monitor/core/text_x86_64.c: the encodings a run-time patch
 * site may hold, decoded from hand-encoded bytes (each annotated with the
 * instruction it is), and whether a site's state allows them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "mintmon/text.h"

#define AT 0xffffffff81000100ull

static const struct {
	const char *what;
	u8 bytes[8];
	u32 avail;
	u16 form;
	u64 target;
	u32 len;
} decode_cases[] = {
	{"nopl 0x0(%rax,%rax,1)", {0x0f, 0x1f, 0x44, 0x00, 0x00}, 5, MINTMON_FORM_NOP5, 0, 5},
	{"xchg %ax,%ax", {0x66, 0x90}, 2, MINTMON_FORM_NOP2, 0, 2},
	{"ret; int3 x4", {0xc3, 0xcc, 0xcc, 0xcc, 0xcc}, 5, MINTMON_FORM_RET, 0, 5},
	{"cs cs cs xor %eax,%eax", {0x2e, 0x2e, 0x2e, 0x31, 0xc0}, 5, MINTMON_FORM_XOR5, 0, 5},
	{"call .+0x105", {0xe8, 0x00, 0x01, 0x00, 0x00}, 5, MINTMON_FORM_CALL32, AT + 5 + 0x100, 5},
	{"jmp .-0x1000", {0xe9, 0xfb, 0xef, 0xff, 0xff}, 5, MINTMON_FORM_JMP32, AT - 0x1000, 5},
	{"jmp .+0x12 (rel8)", {0xeb, 0x10}, 2, MINTMON_FORM_JMP8, AT + 0x12, 2},
	{"jmp .-0x7e (rel8)", {0xeb, 0x80}, 2, MINTMON_FORM_JMP8, AT + 2 - 0x80, 2},
	{"jne rel32", {0x0f, 0x85, 0x10, 0x00, 0x00, 0x00}, 6, MINTMON_FORM_JCC32, AT + 0x16, 6},
	{"int3", {0xcc, 0x48}, 2, MINTMON_FORM_INT3, 0, 1},
	{"mov %rsp,%rbp: nothing", {0x48, 0x89, 0xe5}, 3, 0, 0, 0},
	{"a call cut short", {0xe8, 0x00, 0x01}, 3, 0, 0, 0},
	{"nop5 cut to 4 bytes", {0x0f, 0x1f, 0x44, 0x00}, 4, 0, 0, 0},
};

static void test_decode(void **state)
{
	unsigned int i;

	for (i = 0; i < sizeof(decode_cases) / sizeof(decode_cases[0]); i++) {
		u64 target = 0x1234;
		u32 len = 99;
		u16 form = mintmon_text_form_of(decode_cases[i].bytes, decode_cases[i].avail, AT,
						&target, &len);

		if (form != decode_cases[i].form)
			fail_msg("%s: form 0x%x, want 0x%x", decode_cases[i].what, form,
				 decode_cases[i].form);
		if (!form) {
			/* Nothing decoded: the out-parameters are left alone. */
			assert_true(target == 0x1234 && len == 99);
			continue;
		}
		assert_int_equal(len, decode_cases[i].len);
		assert_true(target == decode_cases[i].target);
	}
}

static void test_match(void **state)
{
	static const u8 call[] = {0xe8, 0x00, 0x01, 0x00, 0x00};	/* call AT+0x105 */
	static const u8 nop5[] = {0x0f, 0x1f, 0x44, 0x00, 0x00};
	struct mintmon_text_site s = {.addr = AT, .forms = MINTMON_FORM_CALL32, .nr_targets = 1,
				      .targets = {AT + 0x105}};
	u16 form;
	u32 len;

	assert_int_equal(mintmon_text_site_match(&s, call, 5, &form, &len), 1);
	assert_true(form == MINTMON_FORM_CALL32 && len == 5);
	/* Another target: not what the state says. */
	s.targets[0] = AT + 0x106;
	assert_int_equal(mintmon_text_site_match(&s, call, 5, &form, &len), 0);
	/* A form the state does not allow. */
	assert_int_equal(mintmon_text_site_match(&s, nop5, 5, &form, &len), 0);
	s.forms |= MINTMON_FORM_NOP5;
	assert_int_equal(mintmon_text_site_match(&s, nop5, 5, &form, &len), 1);
	assert_true(form == MINTMON_FORM_NOP5);
	/* Targets past nr_targets do not count. */
	s.targets[1] = AT + 0x105;
	assert_int_equal(mintmon_text_site_match(&s, call, 5, &form, &len), 0);
	s.nr_targets = 2;
	assert_int_equal(mintmon_text_site_match(&s, call, 5, &form, &len), 1);
	assert_string_equal(mintmon_text_form_name(MINTMON_FORM_JCC32), "jcc32");
	assert_string_equal(mintmon_text_form_name(MINTMON_FORM_NOP5 | MINTMON_FORM_NOP2), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
