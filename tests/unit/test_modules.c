// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for monitor/core/modules.c on the synthetic kernel's module
 * list (two modules in the v6.4+ layout, struct module_memory mem[7]): both
 * listed newest first with /proc/modules' name, size (every part's), refs,
 * state, address and taints; a loop or a wild pointer in the list ends the
 * walk and says the list is broken; a kernel without the list is -ENOENT.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mintmon/modules.h"
#include "synth_kernel.h"

struct env {
	struct synth_kernel *sk;
	struct synth_memory sm;
	struct mintmon_memory m;
	struct mintmon_error e;
	struct mintmon_kernel *k;
};

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
}

static void env_fini(struct env *v)
{
	mintmon_kernel_destroy(v->k);
	mintmon_memory_deinit(&v->m);
	synth_free(v->sk);
}

static void test_list(void **state)
{
	struct mintmon_module mods[4];
	struct env v;
	u32 nr, broken;

	env_init(&v);
	assert_int_equal(mintmon_modules_list(v.k, mods, 4, &nr, &broken), 0);
	assert_int_equal(nr, 2);
	assert_int_equal(broken, 0);
	assert_string_equal(mods[0].name, "synth_b");
	assert_string_equal(mods[1].name, "synth_a");
	/* Sizes of mem[0..3]: 0x1000 + 0x2000 + 0x3000 + 0x4000. */
	assert_int_equal(mods[0].size, 0xa000);
	assert_true(mods[0].text_base == 0xffffffffc0100000ull && mods[0].text_size == 0x1000);
	assert_true(mods[1].text_base == 0xffffffffc0110000ull);
	assert_string_equal(mintmon_module_state_name(mods[0].state), "Loading");
	assert_string_equal(mintmon_module_state_name(mods[1].state), "Live");
	assert_int_equal(mods[0].refcnt, 0);
	assert_int_equal(mods[1].refcnt, 1);
	assert_true(mods[1].taints == 1ull << 12 && mods[0].taints == 0);
	/* Room for one: the count says how many were there. */
	assert_int_equal(mintmon_modules_list(v.k, mods, 1, &nr, &broken), 0);
	assert_int_equal(nr, 1);
	env_fini(&v);
}

static void test_broken_lists(void **state)
{
	static const struct {
		const char *what;
		int how;	/* 0: the second's next back to the first, 1: into the hole, 2: NULL */
		u32 nr;
	} cases[] = {
		{"a loop", 0, 2},
		{"a next into the e820 hole", 1, 2},
		{"a NULL next", 2, 2},
	};
	unsigned int c;

	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct mintmon_module mods[8];
		struct env v;
		u64 next;
		u32 nr, broken;

		env_init(&v);
		next = cases[c].how == 0 ? synth_get64(v.sk, v.sk->text.modules_phys) :
		       cases[c].how == 1 ? v.sk->p.page_offset_base + v.sk->p.hole_phys : 0;
		synth_put64(v.sk, v.sk->text.mod_phys[1] + 8, next);
		assert_int_equal(mintmon_modules_list(v.k, mods, 8, &nr, &broken), 0);
		if (broken != 1 || nr < cases[c].nr || nr > 8)
			fail_msg("%s: %u modules, broken %u", cases[c].what, nr, broken);
		env_fini(&v);
	}
}

static void test_no_module_support(void **state)
{
	struct synth_params p;
	struct mintmon_module mods[2];
	struct env v;
	u32 nr, broken;

	memset(&v, 0, sizeof(v));
	synth_fuzz_params(&p);
	p.btf_omit[0] = "module";
	v.sk = synth_new(&p);
	assert_non_null(v.sk);
	synth_memory_init(&v.sm, &v.m, v.sk->mem, p.mem_size);
	mintmon_error_init(&v.e, 0);
	assert_int_equal(mintmon_kernel_create(&v.m, NULL, &v.e, &v.k), 0);
	assert_int_equal(mintmon_modules_list(v.k, mods, 2, &nr, &broken), -ENOENT);
	assert_non_null(strstr(v.e.msg, "layout"));
	env_fini(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_broken_lists),
		cmocka_unit_test(test_no_module_support),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
