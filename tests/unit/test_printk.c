// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for monitor/core/printk.c on the synthetic kernel's printk
 * ring (tests/unit/synth_kernel.c writes it as the kernel's writer does:
 * 64 descriptors and 2 KiB of text, 100 records, so both rings have
 * wrapped and the oldest records are gone):
 *   - every live record comes back, in order, with its fields and text,
 *     and the lost ones are counted as dropped, not invented;
 *   - a cursor returns only new records, and records lost between two
 *     reads show as dropped;
 *   - records that change while they are read are left out;
 *   - hand-broken rings (bad lengths, wrapped or wild positions, garbage
 *     descriptors, a geometry out of bounds) give the valid records and
 *     skip the rest, or one clear error; never a crash or an endless loop
 *     (ASan, and every walk is bounded by the ring's size);
 *   - the syslog formatting of dmesg.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mintmon/printk.h"
#include "synth_kernel.h"

/* Offsets in the synthetic ring (synth_kernel.c's PRB_* / PD_* / PI_*). */
#define R_COUNT_BITS	0x00
#define R_HEAD_ID	0x18
#define R_TAIL_ID	0x20
#define R_SIZE_BITS	0x30
#define R_DATA		0x38
#define D_SIZE		0x18
#define D_STATE		0x00
#define D_BEGIN		0x08
#define D_NEXT		0x10
#define I_SIZE		0x58
#define I_SEQ		0x00
#define I_TEXT_LEN	0x10
#define ID_MASK		((1ull << 62) - 1)

struct env {
	struct synth_kernel *sk;
	struct synth_memory sm;
	struct mintmon_memory m;
	struct mintmon_error e;
	struct mintmon_kernel *k;
	struct mintmon_log *log;
};

static void env_init(struct env *v, const struct synth_params *p)
{
	memset(v, 0, sizeof(*v));
	v->sk = synth_new(p);
	assert_non_null(v->sk);
	synth_memory_init(&v->sm, &v->m, v->sk->mem, p->mem_size);
	mintmon_error_init(&v->e, 0);
	assert_int_equal(mintmon_kernel_create(&v->m, NULL, &v->e, &v->k), 0);
	assert_int_equal(mintmon_log_create(v->k, &v->log), 0);
}

static void env_fini(struct env *v)
{
	mintmon_log_destroy(v->log);
	mintmon_kernel_destroy(v->k);
	mintmon_memory_deinit(&v->m);
	synth_free(v->sk);
}

struct got {
	struct mintmon_log_record r[SYNTH_MAX_LOG];
	char text[SYNTH_MAX_LOG][SYNTH_LOG_TEXT];
	unsigned int n;
	unsigned int stop_after;	/* 0: never */
};

static int collect(void *arg, const struct mintmon_log_record *r)
{
	struct got *g = arg;

	assert_true(g->n < SYNTH_MAX_LOG);
	assert_true(r->text_len <= SYNTH_LOG_TEXT);
	g->r[g->n] = *r;
	memcpy(g->text[g->n], r->text, r->text_len);
	g->r[g->n].text = g->text[g->n];
	g->n++;
	return g->stop_after && g->n == g->stop_after ? 7 : 0;
}

/* got holds exactly the live records of sk from seq `from` on, with every field. */
static void assert_live(const struct synth_kernel *sk, const struct got *g, u64 from)
{
	unsigned int i, n = 0;

	for (i = 0; i < sk->nr_log; i++) {
		const struct synth_log_rec *w = &sk->log[i];
		const struct mintmon_log_record *r;

		if (!w->live || w->seq < from)
			continue;
		assert_true(n < g->n);
		r = &g->r[n++];
		assert_int_equal(r->seq, w->seq);
		assert_int_equal(r->ts_nsec, w->ts_nsec);
		assert_int_equal(r->level, w->level);
		assert_int_equal(r->facility, w->facility);
		assert_int_equal(r->flags, w->flags);
		assert_int_equal(r->caller_id, w->caller_id);
		assert_int_equal(r->text_len, w->len);
		assert_memory_equal(r->text, w->text, w->len);
	}
	assert_int_equal(n, g->n);
}

static unsigned int nr_live(const struct synth_kernel *sk)
{
	unsigned int i, n = 0;

	for (i = 0; i < sk->nr_log; i++)
		n += sk->log[i].live;
	return n;
}

static u64 first_live(const struct synth_kernel *sk)
{
	unsigned int i;

	for (i = 0; i < sk->nr_log; i++) {
		if (sk->log[i].live)
			return sk->log[i].seq;
	}
	return sk->nr_log;
}

static void test_read_all(void **state)
{
	struct synth_params p;
	struct mintmon_log_stats st;
	struct got *g = calloc(1, sizeof(*g));
	struct env v;

	synth_default_params(&p);
	env_init(&v, &p);
	/* Both rings wrapped: the oldest records are gone (not all 64 slots fit in 2 KiB). */
	assert_true(nr_live(v.sk) > 10 && nr_live(v.sk) < 64);
	assert_int_equal(mintmon_log_read(v.log, NULL, collect, g, &st), 0);
	assert_live(v.sk, g, 0);
	assert_int_equal(st.records, g->n);
	assert_int_equal(st.skipped, 0);
	assert_int_equal(st.dropped, 0);	/* from the oldest on: nothing is missing */
	assert_int_equal(st.next_seq, v.sk->nr_log);
	assert_true(g->r[0].seq == first_live(v.sk));
	env_fini(&v);
	free(g);
}

/* A cursor: the next read returns only what came since; lost ones count as dropped. */
static void test_cursor(void **state)
{
	struct mintmon_log_cursor cur = {0};
	struct mintmon_log_stats st;
	struct synth_params p;
	struct got *g = calloc(1, sizeof(*g));
	struct env v;
	unsigned int i;

	synth_default_params(&p);
	env_init(&v, &p);
	assert_int_equal(mintmon_log_read(v.log, &cur, collect, g, &st), 0);
	assert_true(cur.valid);
	assert_int_equal(cur.next_seq, v.sk->nr_log);
	/* Nothing new: nothing returned, nothing dropped. */
	g->n = 0;
	assert_int_equal(mintmon_log_read(v.log, &cur, collect, g, &st), 0);
	assert_int_equal(g->n, 0);
	assert_int_equal(st.dropped, 0);
	/* Three new records: those three. */
	synth_log_add(v.sk, 3, 0, 2, 1, "new one", 7);
	synth_log_add(v.sk, 4, 0, 2, 1, "new two", 7);
	synth_log_add(v.sk, 6, 1, 2, 1, "new three\nsecond line", 21);
	assert_int_equal(mintmon_log_read(v.log, &cur, collect, g, &st), 0);
	assert_int_equal(g->n, 3);
	assert_live(v.sk, g, v.sk->nr_log - 3);
	/* 200 more while nobody reads: the ring keeps the last few, the rest are dropped. */
	for (i = 0; i < 200; i++)
		synth_log_add(v.sk, 6, 0, 2, 1, "flood of records that wrap", 26);
	g->n = 0;
	assert_int_equal(mintmon_log_read(v.log, &cur, collect, g, &st), 0);
	assert_live(v.sk, g, 0);
	assert_int_equal(st.dropped, first_live(v.sk) - (v.sk->nr_log - 200));
	assert_true(st.dropped > 100);
	/* A callback that stops: its value, and the cursor after the last one it took. */
	for (i = 0; i < 5; i++)
		synth_log_add(v.sk, 6, 0, 2, 1, "after the flood", 15);
	g->n = 0;
	g->stop_after = 2;
	assert_int_equal(mintmon_log_read(v.log, &cur, collect, g, &st), 7);
	assert_int_equal(g->n, 2);
	g->n = 0;
	g->stop_after = 0;
	assert_int_equal(mintmon_log_read(v.log, &cur, collect, g, &st), 0);
	assert_int_equal(g->n, 3);
	assert_int_equal(g->r[0].seq, v.sk->nr_log - 3);
	env_fini(&v);
	free(g);
}

/* A writer that moves on while we read: the record whose slot it reused is left out. */
static struct env *hooked;
static unsigned int hook_calls, hook_at;

static void writer_hook(struct synth_memory *sm, u64 phys, u64 len)
{
	if (++hook_calls == hook_at)
		synth_log_add(hooked->sk, 5, 0, 2, 1, "written while read", 18);
}

static void test_changes_under_read(void **state)
{
	struct mintmon_log_stats st;
	struct synth_params p;
	struct got *g = calloc(1, sizeof(*g));
	struct env v;
	unsigned int at;

	synth_default_params(&p);
	/*
	 * Each request the reader makes is followed by one new record, at
	 * every point of the read in turn; with 16 KiB of text the descriptor
	 * ring is what is full, so the record takes the slot of the oldest
	 * live one (its info changes between our reads of descriptor and info).
	 */
	for (at = 1; at < 80; at++) {
		p.log_size_bits = at < 40 ? 11 : 14;
		env_init(&v, &p);
		hooked = &v;
		hook_calls = 0;
		hook_at = at < 40 ? at : at - 39;
		v.sm.hook = writer_hook;
		g->n = 0;
		assert_int_equal(mintmon_log_read(v.log, NULL, collect, g, &st), 0);
		v.sm.hook = NULL;
		/* Whatever came back is what the ring held, field for field. */
		if (g->n) {
			unsigned int i;

			for (i = 0; i < g->n; i++) {
				const struct synth_log_rec *w = &v.sk->log[g->r[i].seq];

				assert_true(g->r[i].seq < v.sk->nr_log);
				assert_int_equal(g->r[i].text_len, w->len);
				assert_memory_equal(g->r[i].text, w->text, w->len);
				assert_int_equal(g->r[i].ts_nsec, w->ts_nsec);
				assert_true(!i || g->r[i].seq > g->r[i - 1].seq);
			}
		}
		env_fini(&v);
	}
	free(g);
}

/* ---- broken rings ---- */

enum where { W_RING, W_DESC, W_INFO, W_TEXT };

struct corruption {
	const char *what;
	enum where where;
	int slot;		/* W_DESC/W_INFO: which live record (0 the oldest); -1 the newest */
	u32 off;		/* in the ring, the descriptor, the info, or the block */
	u32 len;		/* 1, 2, 4 or 8 */
	u64 value;
	bool xor;		/* value is xor'ed in */
	int err;		/* expected mintmon_log_read() return */
	int min_skipped;	/* at least this many records skipped (-1: don't care) */
	int lost;		/* at most this many live records missing */
	const char *msg;	/* in the error, when err */
};

static const struct corruption corruptions[] = {
	/* The geometry. */
	{"descriptor bits 0", W_RING, 0, R_COUNT_BITS, 4, 0, false, -EINVAL, 0, 0, "not a ring"},
	{"descriptor bits 40", W_RING, 0, R_COUNT_BITS, 4, 40, false, -EINVAL, 0, 0, "not a ring"},
	{"data bits 63", W_RING, 0, R_SIZE_BITS, 4, 63, false, -EINVAL, 0, 0, "not a ring"},
	{"no data", W_RING, 0, R_DATA, 8, 0, false, -EINVAL, 0, 0, "not a ring"},
	{"data pointer into nowhere", W_RING, 0, R_DATA, 8, 0x7fff0000ull, false, -ENXIO, 0, 0,
	 "cannot read the printk text"},
	/* Head and tail. */
	{"tail far behind the head: clamped to one ring", W_RING, 0, R_TAIL_ID, 8, 0x12345, false,
	 0, -1, 0, NULL},
	{"tail ahead of the head", W_RING, 0, R_TAIL_ID, 8, 1ull << 40, true, 0, -1, 64, NULL},
	{"head far ahead", W_RING, 0, R_HEAD_ID, 8, 1ull << 50, true, 0, -1, 64, NULL},
	/* Descriptors. */
	{"state of another id", W_DESC, 3, D_STATE, 8, 0x40, true, 0, 0, 1, NULL},
	{"state reserved", W_DESC, 3, D_STATE, 8, 2ull << 62, true, 0, 0, 1, NULL},
	{"block past the ring", W_DESC, 4, D_NEXT, 8, 1ull << 20, false, 0, 1, 1, NULL},
	{"block longer than a record", W_DESC, 4, D_BEGIN, 8, 0x400, true, 0, 1, 1, NULL},
	{"block of another id", W_TEXT, 5, 0, 8, 1, true, 0, 1, 1, NULL},
	{"begin after next", W_DESC, 6, D_BEGIN, 8, 0x38, true, 0, 1, 1, NULL},
	{"no data but a text length", W_DESC, 7, D_BEGIN, 8, 1, true, 0, 1, 1, NULL},
	/* Infos. */
	{"text longer than its block", W_INFO, 2, I_TEXT_LEN, 2, 0xffff, false, 0, 1, 1, NULL},
	{"seq of another slot", W_INFO, 2, I_SEQ, 8, 1, true, 0, 1, 1, NULL},
	{"seq going back", W_INFO, -1, I_SEQ, 8, 0, false, 0, 1, 1, NULL},
};

static u64 live_id(const struct env *v, int which)
{
	u64 count = 1ull << v->sk->p.log_count_bits;
	u64 head = synth_get64(v->sk, v->sk->prb_phys + R_HEAD_ID) & ID_MASK;
	unsigned int live = nr_live(v->sk);

	/* Records are written one id each: the newest is head, the oldest live head - live + 1. */
	(void)count;
	return which < 0 ? head : (head - live + 1 + (u64)which) & ID_MASK;
}

static void poke(struct synth_kernel *sk, u64 phys, const struct corruption *c)
{
	u64 v = 0;

	memcpy(&v, sk->mem + phys, c->len);
	v = c->xor ? v ^ c->value : c->value;
	memcpy(sk->mem + phys, &v, c->len);
}

static void test_broken_rings(void **state)
{
	struct synth_params p;
	struct got *g = calloc(1, sizeof(*g));
	unsigned int i;

	synth_default_params(&p);
	for (i = 0; i < MINTMON_ARRAY_SIZE(corruptions); i++) {
		const struct corruption *c = &corruptions[i];
		u64 count = 1ull << p.log_count_bits, phys, id;
		struct mintmon_log_stats st = {0};
		struct env v;
		int err;

		print_message("%s\n", c->what);
		env_init(&v, &p);
		id = live_id(&v, c->slot);
		switch (c->where) {
		case W_RING:
			phys = v.sk->prb_phys + c->off;
			break;
		case W_DESC:
			phys = v.sk->log_descs + (id & (count - 1)) * D_SIZE + c->off;
			break;
		case W_INFO:
			phys = v.sk->log_infos + (id & (count - 1)) * I_SIZE + c->off;
			break;
		default: {	/* the block's first bytes: its id */
			u64 d = v.sk->log_descs + (id & (count - 1)) * D_SIZE;
			u64 size = 1ull << p.log_size_bits, b = synth_get64(v.sk, d + D_BEGIN);
			u64 n = synth_get64(v.sk, d + D_NEXT);

			phys = v.sk->log_text + ((b >> p.log_size_bits) == (n >> p.log_size_bits) ?
						 (b & (size - 1)) : 0) + c->off;
		}
		}
		poke(v.sk, phys, c);
		g->n = 0;
		mintmon_error_clear(&v.e);
		err = mintmon_log_read(v.log, NULL, collect, g, &st);
		assert_int_equal(err, c->err);
		if (err) {
			assert_true(mintmon_error_is_set(&v.e));
			assert_non_null(strstr(v.e.msg, c->msg));
			env_fini(&v);
			continue;
		}
		/* What came back is true, in order; at most c->lost live records are missing. */
		for (unsigned int j = 0; j < g->n; j++) {
			const struct synth_log_rec *w = &v.sk->log[g->r[j].seq];

			assert_true(g->r[j].seq < v.sk->nr_log && w->live);
			assert_int_equal(g->r[j].text_len, w->len);
			assert_memory_equal(g->r[j].text, w->text, w->len);
			assert_true(!j || g->r[j].seq > g->r[j - 1].seq);
		}
		assert_true(g->n + (unsigned int)c->lost >= nr_live(v.sk));
		if (c->min_skipped >= 0)
			assert_true(st.skipped >= (u64)c->min_skipped);
		env_fini(&v);
	}
	free(g);
}

/* Random bytes over the whole ring, many times: bounded, in bounds (ASan), true or skipped. */
static void test_garbage(void **state)
{
	struct synth_params p;
	struct got *g = calloc(1, sizeof(*g));
	struct env v;
	unsigned int round, i;
	u64 x = 0x9e3779b97f4a7c15ull;

	synth_default_params(&p);
	env_init(&v, &p);
	for (round = 0; round < 300; round++) {
		struct synth_kernel *sk = v.sk;
		u8 *saved = malloc(sk->log_region.size);

		memcpy(saved, sk->mem + sk->log_region.start, sk->log_region.size);
		for (i = 0; i < 1 + round % 16; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			sk->mem[sk->log_region.start + x % sk->log_region.size] ^= (u8)(x >> 32);
		}
		g->n = 0;
		if (!mintmon_log_read(v.log, NULL, collect, g, NULL))
			assert_true(g->n <= 64);
		memcpy(sk->mem + sk->log_region.start, saved, sk->log_region.size);
		free(saved);
	}
	env_fini(&v);
	free(g);
}

static void test_no_ring(void **state)
{
	struct synth_params p;
	struct mintmon_log *log = (void *)0x1;
	struct env v;

	synth_default_params(&p);
	p.btf_omit[0] = "printk_ringbuffer";
	v.sk = synth_new(&p);
	assert_non_null(v.sk);
	synth_memory_init(&v.sm, &v.m, v.sk->mem, p.mem_size);
	mintmon_error_init(&v.e, 0);
	assert_int_equal(mintmon_kernel_create(&v.m, NULL, &v.e, &v.k), 0);
	assert_int_equal(mintmon_log_create(v.k, &log), -ENOENT);
	assert_ptr_equal(log, (void *)0x1);
	assert_non_null(strstr(v.e.msg, "printk_ringbuffer"));
	v.log = NULL;
	env_fini(&v);
}

static void test_format(void **state)
{
	static const struct {
		u64 ts;
		const char *text, *want;
	} cases[] = {
		{0, "Linux version 6.1", "[    0.000000] Linux version 6.1\n"},
		{1234567891, "two\nlines", "[    1.234567] two\n[    1.234567] lines\n"},
		{99999999999999ull, "", "[99999.999999] \n"},
		{123456789012345678ull, "big", "[123456789.012345] big\n"},
		{5000, "ends in a newline\n", "[    0.000005] ends in a newline\n[    0.000005] \n"},
	};
	char buf[128];
	unsigned int i;

	for (i = 0; i < MINTMON_ARRAY_SIZE(cases); i++) {
		struct mintmon_log_record r = {.ts_nsec = cases[i].ts, .text = cases[i].text,
					       .text_len = (u16)strlen(cases[i].text)};
		size_t n = mintmon_log_format(&r, buf, sizeof(buf));

		assert_string_equal(buf, cases[i].want);
		assert_int_equal(n, strlen(cases[i].want));
		/* Cut short: the length it needs, and a NUL-terminated prefix. */
		assert_int_equal(mintmon_log_format(&r, buf, 5), n);
		assert_int_equal(strlen(buf), 4);
		assert_int_equal(mintmon_log_format(&r, NULL, 0), n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_all),
		cmocka_unit_test(test_cursor),
		cmocka_unit_test(test_changes_under_read),
		cmocka_unit_test(test_broken_rings),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_no_ring),
		cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
