// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for monitor/core/text.c on the synthetic kernel
 * (tests/unit/synth_kernel.c builds text integrity metadata as the kernel
 * leaves it: a jump table, static call sites and trampolines, ftrace records
 * with an ftrace_ops trampoline, two kprobes, one optimized):
 *   - the regions, pages and their hashes, and the mapping checks
 *     (remapped, writable, executable rodata, non-executable text);
 *   - every site decoded with the forms its state allows, consistent with
 *     the bytes as built;
 *   - changed bytes explained by a site only when its current bytes are
 *     what its current state says, table-driven;
 *   - hostile metadata (wild pointers, looping lists, absurd counts) gives
 *     skipped entries or a missing kind, never a crash or an endless walk.
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
	struct mintmon_text *t;
};

static struct synth_kernel *built;	/* one build, copied per test */

static int group_setup(void **state)
{
	struct synth_params p;

	synth_fuzz_params(&p);
	built = synth_new(&p);
	return built ? 0 : -1;
}

static int group_teardown(void **state)
{
	synth_free(built);
	return 0;
}

static void env_init_params(struct env *v, const struct synth_params *p)
{
	memset(v, 0, sizeof(*v));
	v->sk = synth_new(p);
	assert_non_null(v->sk);
	synth_memory_init(&v->sm, &v->m, v->sk->mem, v->sk->p.mem_size);
	mintmon_error_init(&v->e, 0);
	assert_int_equal(mintmon_kernel_create(&v->m, NULL, &v->e, &v->k), 0);
	assert_int_equal(mintmon_text_create(v->k, &v->t), 0);
}

static void env_init(struct env *v)
{
	env_init_params(v, &built->p);
}

static void env_fini(struct env *v)
{
	mintmon_text_destroy(v->t);
	mintmon_kernel_destroy(v->k);
	mintmon_memory_deinit(&v->m);
	synth_free(v->sk);
}

static u8 *va_bytes(struct env *v, u64 va)
{
	return v->sk->mem + synth_pa(v->sk, va);
}

static void put32(u8 *p, u32 x)
{
	memcpy(p, &x, 4);
}

static void put_rel32(u8 *p, u64 at, u8 op, u64 target)
{
	p[0] = op;
	put32(p + 1, (u32)(target - (at + 5)));
}

static void test_regions_and_pages(void **state)
{
	struct env v;
	const struct mintmon_text_region *r;
	unsigned int nr;
	u64 n, va, i;
	u32 len, kind;
	u8 *buf, *map;
	u8 (*hash)[MINTMON_SHA256_LEN];

	env_init(&v);
	r = mintmon_text_regions(v.t, &nr);
	assert_int_equal(nr, 2);
	assert_true(r[0].start == v.sk->text.text_start && r[0].end == v.sk->text.text_end);
	assert_true(r[1].start == v.sk->text.rodata_start && r[1].end == v.sk->text.rodata_end);
	n = mintmon_text_nr_pages(v.t);
	assert_int_equal(n, (r[0].end - r[0].start) / 4096 + (r[1].end - r[1].start) / 4096);
	assert_int_equal(mintmon_text_page(v.t, r[1].first_page, &va, &len, &kind), 0);
	assert_true(va == r[1].start && len == 4096 && kind == MINTMON_TEXT_REGION_RODATA);
	assert_int_equal(mintmon_text_page(v.t, n, &va, &len, &kind), -ERANGE);

	buf = malloc(n * 4096);
	map = calloc(n, 1);
	hash = calloc(n, MINTMON_SHA256_LEN);
	assert_non_null(buf);
	assert_int_equal(mintmon_text_read_pages(v.t, 0, (u32)n, buf, map), 0);
	assert_int_equal(mintmon_text_hash_pages(v.t, 0, (u32)n, buf, hash), 0);
	for (i = 0; i < n; i++) {
		u8 want[MINTMON_SHA256_LEN];

		mintmon_text_page(v.t, i, &va, &len, &kind);
		assert_int_equal(map[i], 0);	/* text RX, rodata RO+NX, where the image says */
		assert_memory_equal(buf + i * 4096, va_bytes(&v, va), len);
		mintmon_sha256(va_bytes(&v, va), len, want);
		assert_memory_equal(hash[i], want, MINTMON_SHA256_LEN);
	}
	free(buf);
	free(map);
	free(hash);
	env_fini(&v);
}

/* With modules: the live one's core text is a region of its own, after the kernel's. */
static void test_module_regions(void **state)
{
	struct env v;
	struct mintmon_text *t;
	const struct mintmon_text_region *r;
	unsigned int nr;

	env_init(&v);
	assert_int_equal(mintmon_text_create_modules(v.k, &t), 0);
	r = mintmon_text_regions(t, &nr);
	/* synth_b is still coming (not live): only synth_a. */
	assert_int_equal(nr, 3);
	assert_int_equal(r[2].kind, MINTMON_TEXT_REGION_MODULE);
	assert_string_equal(r[2].name, "synth_a");
	assert_true(r[2].start == 0xffffffffc0110000ull && r[2].end == r[2].start + 0x1000);
	assert_true(r[2].module == v.sk->p.page_offset_base + v.sk->text.mod_phys[1]);
	assert_int_equal(mintmon_text_nr_pages(t), mintmon_text_nr_pages(v.t) + 1);
	assert_string_equal(mintmon_text_region_name(r[2].kind), "module");
	mintmon_text_destroy(t);
	env_fini(&v);
}

/* The platform's SHA-256 against FIPS 180-2's "abc" vector. */
static void test_sha256_vector(void **state)
{
	static const u8 abc[32] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae,
		0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61,
		0xf2, 0x00, 0x15, 0xad,
	};
	u8 out[32];

	mintmon_sha256("abc", 3, out);
	assert_memory_equal(out, abc, 32);
}

/* A page-table change to the 2 MiB entry that maps text or rodata, and what it must show. */
static const struct {
	const char *what;
	bool rodata;
	u64 set, clear;
	bool move;		/* map the text entry to another 2 MiB of RAM */
	u8 want;
} map_cases[] = {
	{"text made writable", false, 0x2, 0, false, MINTMON_TEXT_MAP_WRITABLE},
	{"text made not executable", false, 1ull << 63, 0, false, MINTMON_TEXT_MAP_NOEXEC},
	{"rodata made executable", true, 0, 1ull << 63, false, MINTMON_TEXT_MAP_EXEC},
	{"rodata made writable", true, 0x2, 0, false, MINTMON_TEXT_MAP_WRITABLE},
	{"text mapped to a copy elsewhere", false, 0, 0, true, MINTMON_TEXT_MAP_REMAPPED},
	{"text unmapped", false, 0, 0x1, false, MINTMON_TEXT_MAP_UNMAPPED},
};

static void test_mapping_findings(void **state)
{
	unsigned int c;

	for (c = 0; c < sizeof(map_cases) / sizeof(map_cases[0]); c++) {
		struct env v;
		const struct mintmon_text_region *r;
		unsigned int nr;
		u64 pmd, pte, page;
		u8 *buf = malloc(4096), mp = 0xff;

		env_init(&v);
		r = mintmon_text_regions(v.t, &nr);
		pmd = map_cases[c].rodata ? v.sk->text.rodata_pmd_phys : v.sk->text.text_pmd_phys;
		page = map_cases[c].rodata ? r[1].first_page : 3;
		pte = synth_get64(v.sk, pmd);
		pte = (pte | map_cases[c].set) & ~map_cases[c].clear;
		if (map_cases[c].move)
			pte += 0x400000;	/* the heap, 4 MiB further */
		synth_put64(v.sk, pmd, pte);
		assert_int_equal(mintmon_text_read_pages(v.t, page, 1, buf, &mp), 0);
		if (mp != map_cases[c].want)
			fail_msg("%s: mapping findings 0x%x, want 0x%x", map_cases[c].what, mp,
				 map_cases[c].want);
		free(buf);
		env_fini(&v);
	}
}

static const struct mintmon_text_site *site_at(const struct mintmon_text_sites *s, u64 addr)
{
	u32 i = mintmon_text_sites_lower_bound(s, addr);

	return i < s->nr && s->site[i].addr == addr ? &s->site[i] : NULL;
}

static void test_sites_as_built(void **state)
{
	struct env v;
	struct mintmon_text_sites *s;
	const struct synth_text *tx;
	const struct mintmon_text_site *site;
	u32 i;

	env_init(&v);
	tx = &v.sk->text;
	assert_int_equal(mintmon_text_sites_create(v.t, &s), 0);
	for (i = 0; i < MINTMON_SITE_NR_KINDS; i++)
		assert_int_equal(s->count[i], tx->nr[i]);
	assert_int_equal(s->skipped, 0);
	assert_int_equal(s->missing, 0);
	for (i = 0; i < s->nr; i++) {
		u16 form;
		u32 len;

		if (i)
			assert_true(s->site[i - 1].addr <= s->site[i].addr);
		if (!mintmon_text_site_match(&s->site[i], va_bytes(&v, s->site[i].addr), 16, &form,
					     &len))
			fail_msg("site %u (%s at 0x%llx) does not hold a form its state allows", i,
				 mintmon_text_site_kind_name(s->site[i].kind),
				 (unsigned long long)s->site[i].addr);
	}
	site = site_at(s, tx->jl_nop_site);
	assert_non_null(site);
	assert_int_equal(site->forms, MINTMON_FORM_NOP2 | MINTMON_FORM_NOP5);
	site = site_at(s, tx->jl_jmp_site);
	assert_non_null(site);
	assert_int_equal(site->forms, MINTMON_FORM_JMP8 | MINTMON_FORM_JMP32);
	assert_true(site->nr_targets == 1 && site->targets[0] == tx->jl_target);
	site = site_at(s, tx->sc_site);
	assert_true(site && site->kind == MINTMON_SITE_STATIC_CALL && site->state == tx->sc_func);
	site = site_at(s, tx->ft_call_site);
	assert_true(site && site->kind == MINTMON_SITE_FTRACE && site->forms == MINTMON_FORM_CALL32);
	site = site_at(s, tx->kp_site);
	assert_true(site && site->forms == MINTMON_FORM_INT3 && site->orig_len == 1 &&
		    site->orig[0] == 0x55);
	site = site_at(s, tx->kp_opt_site);
	assert_true(site && (site->flags & MINTMON_SITE_OPTIMIZED) && site->orig_len == 5);
	assert_memory_equal(site->orig, "\x48\x89\xe5\x41\x54", 5);
	mintmon_text_sites_destroy(s);
	env_fini(&v);
}

/*
 * A change and the state around it. mutate() writes the new bytes at addr
 * (the "old" copy keeps the bytes as built) and may change the site's
 * state; the compare must say explained or tampered.
 */
enum change_case {
	JL_ENABLE_KEY_AND_SITE,		/* key A enabled, its nop5 site now jmp32 to its target */
	JL_SITE_WITHOUT_KEY,		/* the same jmp32, key A still disabled */
	JL_WRONG_TARGET,		/* key A enabled, jmp32 to the target + 1 */
	SC_RETARGET_WITH_KEY,		/* key synth_a's func and its call site both moved */
	SC_RETARGET_WITHOUT_KEY,	/* only the call site moved */
	FT_ENABLE,			/* record flags ENABLED, nop5 -> call ftrace_caller */
	FT_CALL_WITHOUT_FLAGS,		/* the call, flags still 0 */
	FT_CALL_ELSEWHERE,		/* flags ENABLED, call to a function that is no ftrace entry */
	KP_NEW_INT3,			/* an INT3 where no kprobe is registered */
	TEXT_FLIP,			/* three bytes of a function body */
	RODATA_FLIP,			/* a byte of linux_banner */
};

static const struct {
	enum change_case c;
	bool explained;
	enum mintmon_text_site_kind kind;
} change_cases[] = {
	{JL_ENABLE_KEY_AND_SITE, true, MINTMON_SITE_JUMP_LABEL},
	{JL_SITE_WITHOUT_KEY, false, 0},
	{JL_WRONG_TARGET, false, 0},
	{SC_RETARGET_WITH_KEY, true, MINTMON_SITE_STATIC_CALL},
	{SC_RETARGET_WITHOUT_KEY, false, 0},
	{FT_ENABLE, true, MINTMON_SITE_FTRACE},
	{FT_CALL_WITHOUT_FLAGS, false, 0},
	{FT_CALL_ELSEWHERE, false, 0},
	{KP_NEW_INT3, false, 0},
	{TEXT_FLIP, false, 0},
	{RODATA_FLIP, false, 0},
};

static u64 mutate(struct env *v, enum change_case c)
{
	const struct synth_text *tx = &v->sk->text;
	u64 at = 0;
	u8 *p;

	switch (c) {
	case JL_ENABLE_KEY_AND_SITE:
	case JL_SITE_WITHOUT_KEY:
	case JL_WRONG_TARGET:
		at = tx->jl_nop_site;
		if (c != JL_SITE_WITHOUT_KEY)
			put32(v->sk->mem + tx->key_a_phys, 1);
		put_rel32(va_bytes(v, at), at, 0xe9, tx->jl_nop_target + (c == JL_WRONG_TARGET));
		break;
	case SC_RETARGET_WITH_KEY:
	case SC_RETARGET_WITHOUT_KEY:
		at = tx->sc_site;
		if (c == SC_RETARGET_WITH_KEY)
			synth_put64(v->sk, tx->sc_key_phys, tx->sc_other_func);
		put_rel32(va_bytes(v, at), at, 0xe8, tx->sc_other_func);
		break;
	case FT_ENABLE:
	case FT_CALL_WITHOUT_FLAGS:
	case FT_CALL_ELSEWHERE:
		at = tx->ft_nop_site;
		if (c != FT_CALL_WITHOUT_FLAGS)
			synth_put64(v->sk, tx->ft_records_phys + 8, 0x80000000ull | 1);
		put_rel32(va_bytes(v, at), at, 0xe8,
			  c == FT_CALL_ELSEWHERE ? tx->sc_other_func : tx->ftrace_caller);
		break;
	case KP_NEW_INT3:
		/* Over the first byte of an ftrace nop5 (elsewhere is int3 padding already). */
		at = tx->ft_nop_site;
		*va_bytes(v, at) = 0xcc;
		break;
	case TEXT_FLIP:
		at = tx->sc_func + 0x40;
		p = va_bytes(v, at);
		p[0] = 0x48, p[1] = 0x31, p[2] = 0xc0;	/* over int3 padding */
		break;
	case RODATA_FLIP:
		at = tx->rodata_start + 8;	/* "Linux version" */
		*va_bytes(v, at) ^= 0x20;
		break;
	}
	return at;
}

static void test_compare_cases(void **state)
{
	unsigned int c;

	for (c = 0; c < sizeof(change_cases) / sizeof(change_cases[0]); c++) {
		struct env v;
		struct mintmon_text_sites *s;
		struct mintmon_text_change ch[8];
		u8 old[4096 + 16], cur[4096 + 16];
		u64 at, page;
		u32 nr, tampered;

		env_init(&v);
		/* old: the page around the change as built; cur: after the change. */
		at = mutate(&v, change_cases[c].c);
		page = at & ~4095ull;
		memcpy(cur, va_bytes(&v, page), 4096);
		memcpy(old, built->mem + synth_pa(v.sk, page), 4096);
		assert_int_equal(mintmon_text_sites_create(v.t, &s), 0);
		tampered = mintmon_text_compare(s, page, old, cur, 4096, ch, 8, &nr);
		if (nr < 1 || (tampered == 0) != change_cases[c].explained ||
		    ch[0].explained != change_cases[c].explained)
			fail_msg("case %u: %u changes, %u tampered, first %s", c, nr, tampered,
				 nr && ch[0].explained ? "explained" : "tampered");
		assert_int_equal(nr, 1);
		if (change_cases[c].explained) {
			assert_non_null(ch[0].site);
			assert_int_equal(ch[0].site->kind, change_cases[c].kind);
			assert_true(ch[0].addr == at);
		} else {
			/* Located: from the first changed byte to the last (one spot per case). */
			u32 first = 0, last = 4095;

			while (old[first] == cur[first])
				first++;
			while (old[last] == cur[last])
				last--;
			assert_true(ch[0].addr == page + first);
			assert_int_equal(ch[0].len, last - first + 1);
		}
		mintmon_text_sites_destroy(s);
		env_fini(&v);
	}
}

/* Changed bytes a few apart are one finding; far apart, two. */
static void test_compare_grouping(void **state)
{
	struct mintmon_text_sites none = {0};
	struct mintmon_text_change ch[4];
	u8 old[64] = {0}, cur[64] = {0};
	u32 nr;

	cur[10] = 1, cur[13] = 1;	/* two unchanged bytes between: one run */
	cur[40] = 1;			/* far: another */
	assert_int_equal(mintmon_text_compare(&none, 0x1000, old, cur, 64, ch, 4, &nr), 2);
	assert_int_equal(nr, 2);
	assert_true(ch[0].addr == 0x100a && ch[0].len == 4 && !ch[0].explained);
	assert_true(ch[1].addr == 0x1028 && ch[1].len == 1);
	/* More changes than room: all counted, the first max kept. */
	memset(cur, 0, sizeof(cur));
	for (nr = 0; nr < 8; nr++)
		cur[nr * 8] = 1;
	assert_int_equal(mintmon_text_compare(&none, 0x1000, old, cur, 64, ch, 4, &nr), 8);
	assert_int_equal(nr, 8);
}

/* A kprobe whose saved byte is not what the baseline had there: not explained. */
static void test_kprobe_saved_byte(void **state)
{
	struct env v;
	struct mintmon_text_sites *s;
	struct mintmon_text_change ch[4];
	u8 old[4096], cur[4096];
	u64 page;
	u32 nr;

	env_init(&v);
	page = v.sk->text.kp_site & ~4095ull;
	memcpy(cur, va_bytes(&v, page), 4096);
	memcpy(old, cur, 4096);
	old[v.sk->text.kp_site - page] = 0x55;	/* what the probe saved: explained */
	assert_int_equal(mintmon_text_sites_create(v.t, &s), 0);
	assert_int_equal(mintmon_text_compare(s, page, old, cur, 4096, ch, 4, &nr), 0);
	assert_true(nr == 1 && ch[0].explained && ch[0].site->kind == MINTMON_SITE_KPROBE);
	old[v.sk->text.kp_site - page] = 0x53;	/* the probe claims another original */
	assert_int_equal(mintmon_text_compare(s, page, old, cur, 4096, ch, 4, &nr), 1);
	assert_true(nr == 1 && !ch[0].explained && ch[0].site);
	mintmon_text_sites_destroy(s);
	env_fini(&v);
}

/* Hostile metadata: what each corruption does, and that decoding ends. */
enum hostile {
	H_JUMP_CODE_OUTSIDE,	/* an entry's code 1 GiB away */
	H_JUMP_KEY_WILD,	/* an entry's key in the e820 hole */
	H_FTRACE_PAGE_LOOP,	/* ftrace_page.next = itself */
	H_FTRACE_RECORDS_WILD,	/* records in the e820 hole */
	H_FTRACE_INDEX_HUGE,	/* index 0x7fffffff */
	H_KPROBE_LOOP,		/* the second probe's next is the first */
	H_KPROBE_WILD,		/* a bucket points into the hole */
	H_SC_KEY_WILD,		/* a static call site's key 1 GiB away */
};

static void test_hostile_metadata(void **state)
{
	static const struct {
		enum hostile h;
		u32 min_skipped;
		int kind;		/* whose count drops (-1: none) */
		u32 count;		/* that kind's count then */
	} cases[] = {
		{H_JUMP_CODE_OUTSIDE, 1, MINTMON_SITE_JUMP_LABEL, 3},
		{H_JUMP_KEY_WILD, 1, MINTMON_SITE_JUMP_LABEL, 3},
		{H_FTRACE_PAGE_LOOP, 1, MINTMON_SITE_FTRACE, 11},
		{H_FTRACE_RECORDS_WILD, 10, MINTMON_SITE_FTRACE, 1},
		{H_FTRACE_INDEX_HUGE, 1, MINTMON_SITE_FTRACE, 1},
		{H_KPROBE_LOOP, 1, MINTMON_SITE_KPROBE, 2},
		{H_KPROBE_WILD, 1, MINTMON_SITE_KPROBE, 2},
		{H_SC_KEY_WILD, 1, MINTMON_SITE_STATIC_CALL, 4},
	};
	unsigned int c;

	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct env v;
		struct mintmon_text_sites *s;
		const struct synth_text *tx;
		u64 hole, kp2;
		u32 v32;

		env_init(&v);
		tx = &v.sk->text;
		hole = v.sk->p.page_offset_base + v.sk->p.hole_phys;
		switch (cases[c].h) {
		case H_JUMP_CODE_OUTSIDE:
			memcpy(&v32, v.sk->mem + tx->jump_table_phys, 4);
			v32 += 0x40000000;
			memcpy(v.sk->mem + tx->jump_table_phys, &v32, 4);
			break;
		case H_JUMP_KEY_WILD:
			synth_put64(v.sk, tx->jump_table_phys + 8, 0x4000000000ull);
			break;
		case H_FTRACE_PAGE_LOOP:
			synth_put64(v.sk, tx->ft_page_phys,
				    v.sk->p.page_offset_base + tx->ft_page_phys);
			break;
		case H_FTRACE_RECORDS_WILD:
			synth_put64(v.sk, tx->ft_page_phys + 8, hole);
			break;
		case H_FTRACE_INDEX_HUGE:
			v32 = 0x7fffffff;
			memcpy(v.sk->mem + tx->ft_page_phys + 16, &v32, 4);
			break;
		case H_KPROBE_LOOP:
			kp2 = synth_get64(v.sk, tx->kp_phys) - v.sk->p.page_offset_base;
			synth_put64(v.sk, kp2, v.sk->p.page_offset_base + tx->kp_phys);
			break;
		case H_KPROBE_WILD:
			synth_put64(v.sk, tx->kp_table_phys + 8 * 9, hole);
			break;
		case H_SC_KEY_WILD:
			memcpy(&v32, v.sk->mem + tx->sc_table_phys + 4, 4);
			v32 += 0x40000000;
			memcpy(v.sk->mem + tx->sc_table_phys + 4, &v32, 4);
			break;
		}
		assert_int_equal(mintmon_text_sites_create(v.t, &s), 0);
		if (s->skipped < cases[c].min_skipped || s->count[cases[c].kind] != cases[c].count)
			fail_msg("hostile case %u: %u skipped, %u sites of kind %d", c, s->skipped,
				 s->count[cases[c].kind], cases[c].kind);
		mintmon_text_sites_destroy(s);
		env_fini(&v);
	}
}

/*
 * A kernel whose BTF lacks a structure the decoding needs: that kind is
 * missing (said, not guessed), the others decode; an empty kprobe table
 * is no probe, not a missing kind.
 */
static void test_missing_kinds(void **state)
{
	struct synth_params p = built->p;
	struct mintmon_text_sites *s;
	struct env v;

	p.btf_omit[0] = "dyn_ftrace";
	p.btf_omit[1] = "static_key.enabled";
	env_init_params(&v, &p);
	synth_put64(v.sk, v.sk->text.kp_table_phys + 8 * 5, 0);
	assert_int_equal(mintmon_text_sites_create(v.t, &s), 0);
	assert_int_equal(s->missing, 1u << MINTMON_SITE_FTRACE | 1u << MINTMON_SITE_JUMP_LABEL);
	assert_int_equal(s->count[MINTMON_SITE_FTRACE], 0);
	assert_int_equal(s->count[MINTMON_SITE_JUMP_LABEL], 0);
	assert_int_equal(s->count[MINTMON_SITE_STATIC_CALL], v.sk->text.nr[1]);
	assert_int_equal(s->count[MINTMON_SITE_KPROBE], 0);
	mintmon_text_sites_destroy(s);
	env_fini(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_vector),
		cmocka_unit_test(test_regions_and_pages),
		cmocka_unit_test(test_module_regions),
		cmocka_unit_test(test_mapping_findings),
		cmocka_unit_test(test_sites_as_built),
		cmocka_unit_test(test_compare_cases),
		cmocka_unit_test(test_compare_grouping),
		cmocka_unit_test(test_kprobe_saved_byte),
		cmocka_unit_test(test_hostile_metadata),
		cmocka_unit_test(test_missing_kinds),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
