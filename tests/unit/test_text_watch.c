// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for monitor/core/text_watch.c on the synthetic kernel: the
 * first cycle takes the baseline; a legitimate change (a jump label's key
 * and its site switched together, a kprobe armed) keeps every page clean;
 * a changed byte in a function or in rodata, or a site holding what its
 * state forbids, is a suspect at the step that sees it and tampered at the
 * next; put back, the page is clean again; a step with the heartbeat
 * standing still reads nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mintmon/text.h"
#include "synth_kernel.h"

struct env {
	struct synth_kernel *sk;
	struct synth_memory sm;
	struct mintmon_memory m;
	struct mintmon_error e;
	struct mintmon_kernel *k;
	struct mintmon_text_watch *w;
	struct mintmon_text_watch_state st;
};

#define STEPS 8		/* steps per cycle */

static void env_init(struct env *v)
{
	struct synth_params p;

	memset(v, 0, sizeof(*v));
	synth_fuzz_params(&p);
	v->sk = synth_new(&p);
	assert_non_null(v->sk);
	synth_memory_init(&v->sm, &v->m, v->sk->mem, p.mem_size);
	mintmon_error_init(&v->e, 0);
	assert_int_equal(mintmon_kernel_create(&v->m, NULL, &v->e, &v->k), 0);
	assert_int_equal(mintmon_text_watch_create(v->k, STEPS, &v->w), 0);
}

static void env_fini(struct env *v)
{
	mintmon_text_watch_destroy(v->w);
	mintmon_kernel_destroy(v->k);
	mintmon_memory_deinit(&v->m);
	synth_free(v->sk);
}

/* Steps until a full cycle more is done (a cycle may take one step more than STEPS). */
static void cycle(struct env *v)
{
	u64 c = v->st.cycles;
	unsigned int i;

	for (i = 0; i < STEPS + 2 && v->st.cycles == c; i++)
		assert_int_equal(mintmon_text_watch_step(v->w, true, 0, &v->st), 0);
	assert_true(v->st.cycles == c + 1);
}

static u8 *at(struct env *v, u64 va)
{
	return v->sk->mem + synth_pa(v->sk, va);
}

static void test_baseline_then_clean(void **state)
{
	struct env v;
	u64 checked;

	env_init(&v);
	assert_false(v.st.baseline_done);
	cycle(&v);
	assert_true(v.st.baseline_done && v.st.tampered_pages == 0);
	assert_int_equal(v.st.pages_checked, mintmon_text_watch_pages(v.w));
	cycle(&v);
	assert_int_equal(v.st.tampered_pages, 0);
	/* The heartbeat stands still: nothing is read. */
	checked = v.st.pages_checked;
	assert_int_equal(mintmon_text_watch_step(v.w, false, 0, &v.st), 0);
	assert_true(v.st.pages_checked == checked);
	env_fini(&v);
}

/* Changes the kernel makes itself: a key and its site switched, a kprobe armed. */
static void test_legitimate_changes(void **state)
{
	struct env v;
	u8 *site;
	u32 rel;

	env_init(&v);
	cycle(&v);
	/* Key A enabled, its nop5 site now a jmp32 to its target. */
	memcpy(v.sk->mem + v.sk->text.key_a_phys, &(u32){1}, 4);
	site = at(&v, v.sk->text.jl_nop_site);
	rel = (u32)(v.sk->text.jl_nop_target - (v.sk->text.jl_nop_site + 5));
	site[0] = 0xe9;
	memcpy(site + 1, &rel, 4);
	/* Key A's other site (branch 1) goes from jmp8 to nop2 with it, as the kernel patches. */
	site = at(&v, v.sk->text.jl_nop_site + 3 * 0x100);
	assert_int_equal(site[0], 0xeb);
	site[0] = 0x66;
	site[1] = 0x90;
	cycle(&v);
	cycle(&v);
	assert_int_equal(v.st.tampered_pages, 0);
	env_fini(&v);
}

static const struct {
	const char *what;
	int where;		/* 0: a function body, 1: rodata, 2, 3: a site against its state */
} tamper_cases[] = {
	{"function body", 0},
	{"rodata", 1},
	{"jump label site without its key", 2},
	/* Zeros are what a masked site hashes as: only the site check sees this. */
	{"a site zeroed", 3},
};

static void test_tampering(void **state)
{
	unsigned int c;

	for (c = 0; c < sizeof(tamper_cases) / sizeof(tamper_cases[0]); c++) {
		struct env v;
		u64 va;
		u8 *p, saved[5];

		env_init(&v);
		cycle(&v);
		va = tamper_cases[c].where == 0 ? v.sk->text.sc_func + 0x40 :
		     tamper_cases[c].where == 1 ? v.sk->text.rodata_start + 0x10 :
						  v.sk->text.jl_nop_site;
		p = at(&v, va);
		memcpy(saved, p, 5);
		if (tamper_cases[c].where == 2)
			memcpy(p, "\xe9\x00\x00\x00\x00", 5);	/* jmp .+5, key A disabled */
		else if (tamper_cases[c].where == 3)
			memset(p, 0, 5);
		else
			p[0] ^= 0x5a;
		cycle(&v);	/* seen: a suspect, then confirmed at the next step */
		assert_int_equal(mintmon_text_watch_step(v.w, true, 0, &v.st), 0);
		if (v.st.tampered_pages != 1 || v.st.first_tampered != (va & ~4095ull))
			fail_msg("%s: %u tampered pages, first at 0x%llx, want 0x%llx",
				 tamper_cases[c].what, v.st.tampered_pages,
				 (unsigned long long)v.st.first_tampered,
				 (unsigned long long)(va & ~4095ull));
		memcpy(p, saved, 5);
		cycle(&v);	/* the cycle in progress may have passed the page already */
		cycle(&v);
		assert_int_equal(v.st.tampered_pages, 0);
		env_fini(&v);
	}
}

/* A change that is gone by the next step (a torn read): never tampered. */
static void test_transient_change(void **state)
{
	struct env v;
	u64 i;
	u8 *p;

	env_init(&v);
	cycle(&v);
	p = at(&v, v.sk->text.text_start);
	p[0x20] ^= 0xff;	/* changed for the step that reads the first page... */
	assert_int_equal(mintmon_text_watch_step(v.w, true, 0, &v.st), 0);
	p[0x20] ^= 0xff;	/* ...and back before the next */
	for (i = 0; i < 2 * STEPS + 2; i++) {
		assert_int_equal(mintmon_text_watch_step(v.w, true, 0, &v.st), 0);
		assert_int_equal(v.st.tampered_pages, 0);
	}
	env_fini(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_baseline_then_clean),
		cmocka_unit_test(test_legitimate_changes),
		cmocka_unit_test(test_tampering),
		cmocka_unit_test(test_transient_change),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
