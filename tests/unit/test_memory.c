// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for monitor/core/memory.c: range bookkeeping, the read front
 * end, vectored reads (with and without a source readv) and the RAM check
 * that keeps every read inside the target's own RAM.
 */
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

/* ---- vectored reads ---- */

/*
 * A source with its own readv (as a network reader would have): serves each
 * request from a fake_memory, records what it was asked, and can fail the
 * whole call as a transport would. Empty requests are skipped, as the front
 * end (memory.c) expects of it.
 */
struct vec_source {
	struct fake_memory f;
	unsigned int readv_calls;
	unsigned int requests_seen;	/* non-empty requests passed to readv */
	unsigned int max_batch;		/* largest n of one readv call */
	int fail_with;			/* whole-call error, 0: none */
};

static int vec_readv(void *ctx, struct mintmon_iov *iov, unsigned int n)
{
	struct vec_source *v = ctx;
	unsigned int i;

	v->readv_calls++;
	if (n > v->max_batch)
		v->max_batch = n;
	if (v->fail_with)
		return v->fail_with;
	for (i = 0; i < n; i++) {
		if (!iov[i].len)
			continue;
		v->requests_seen++;
		iov[i].err = fake_read(&v->f, iov[i].phys, iov[i].buf, iov[i].len, &iov[i].fault);
	}
	return 0;
}

static int vec_read(void *ctx, u64 phys, void *buf, size_t len, u64 *fault_ret)
{
	return fake_read(&((struct vec_source *)ctx)->f, phys, buf, len, fault_ret);
}

static const struct mintmon_memory_ops vec_ops = {.read = vec_read, .readv = vec_readv};

static void vec_init(struct vec_source *v, struct mintmon_memory *m, u64 size)
{
	memset(v, 0, sizeof(*v));
	fake_memory_init(&v->f, m, size);
	m->ops = &vec_ops;
	m->ctx = v;
}

static void iov_set(struct mintmon_iov *iov, u64 phys, void *buf, u32 len)
{
	iov->phys = phys;
	iov->buf = buf;
	iov->len = len;
	iov->err = 12345;	/* must be overwritten */
	iov->fault = 0xdead;
}

/*
 * Per-request results through read() one by one (no readv in the ops):
 * good, past the end, empty, good again. One round trip per call however
 * many requests; statistics count only the requests served.
 */
static void test_readv_fallback(void **state)
{
	struct fake_memory f;
	struct mintmon_memory m;
	struct mintmon_iov iov[4];
	u8 a[8], b[16], d[4];

	fake_memory_init(&f, &m, 0x1000);
	f.bytes[0x10] = 0x11;
	f.bytes[0x800] = 0x22;
	iov_set(&iov[0], 0x10, a, 8);
	iov_set(&iov[1], 0xff8, b, 16);		/* 8 bytes past the end */
	iov_set(&iov[2], 0x20, NULL, 0);	/* empty: nothing to do, no error */
	iov_set(&iov[3], 0x800, d, 4);
	assert_int_equal(mintmon_memory_readv(&m, iov, 4), -EFAULT);
	assert_int_equal(iov[0].err, 0);
	assert_int_equal(a[0], 0x11);
	assert_int_equal(iov[1].err, -EFAULT);
	assert_int_equal(iov[1].fault, 0x1000);
	assert_int_equal(iov[2].err, 0);
	assert_int_equal(iov[3].err, 0);
	assert_int_equal(d[0], 0x22);
	assert_int_equal(f.reads, 3);		/* the empty request reached nothing */
	assert_int_equal(m.round_trips, 1);
	assert_int_equal(m.reads, 2);
	assert_int_equal(m.bytes_read, 12);

	/* The first failing request's error is returned, whichever kind it is. */
	iov_set(&iov[0], 0x10, a, 8);
	iov_set(&iov[1], ~0ull - 2, b, 8);	/* wraps: refused in front */
	assert_int_equal(mintmon_memory_readv(&m, iov, 2), -EFAULT);
	assert_int_equal(iov[1].fault, ~0ull - 2);
	assert_int_equal(f.reads, 4);
	assert_int_equal(m.round_trips, 2);
	assert_int_equal(m.reads, 3);
	fake_memory_deinit(&f);
}

static void test_readv_empty(void **state)
{
	struct fake_memory f;
	struct mintmon_memory m;
	struct mintmon_iov iov[2];

	fake_memory_init(&f, &m, 0x1000);
	/* No requests, or only empty ones: no round trip, nothing counted. */
	assert_int_equal(mintmon_memory_readv(&m, iov, 0), 0);
	iov_set(&iov[0], 0x10, NULL, 0);
	iov_set(&iov[1], 0x5000, NULL, 0);	/* outside memory, but empty */
	assert_int_equal(mintmon_memory_readv(&m, iov, 2), 0);
	assert_int_equal(iov[0].err, 0);
	assert_int_equal(iov[1].err, 0);
	assert_int_equal(f.reads, 0);
	assert_int_equal(m.round_trips, 0);
	assert_int_equal(m.reads, 0);
	assert_int_equal(m.bytes_read, 0);
	fake_memory_deinit(&f);
}

/* A source's own readv: all requests in one call, per-request results kept. */
static void test_readv_source(void **state)
{
	struct vec_source v;
	struct mintmon_memory m;
	struct mintmon_iov iov[3];
	u8 a[8], b[8], c[8];

	vec_init(&v, &m, 0x1000);
	v.f.bytes[0x100] = 0x33;
	iov_set(&iov[0], 0x100, a, 8);
	iov_set(&iov[1], 0x2000, b, 8);		/* the source does not hold it */
	iov_set(&iov[2], 0x108, c, 8);
	assert_int_equal(mintmon_memory_readv(&m, iov, 3), -EFAULT);
	assert_int_equal(v.readv_calls, 1);
	assert_int_equal(v.f.reads, 3);		/* all through readv, none through read */
	assert_int_equal(iov[0].err, 0);
	assert_int_equal(a[0], 0x33);
	assert_int_equal(iov[1].err, -EFAULT);
	assert_int_equal(iov[1].fault, 0x2000);
	assert_int_equal(iov[2].err, 0);
	assert_int_equal(m.round_trips, 1);
	assert_int_equal(m.reads, 2);
	assert_int_equal(m.bytes_read, 16);

	/* A transport failure fails every request, with the source's error. */
	v.fail_with = -ETIMEDOUT;
	iov_set(&iov[0], 0x100, a, 8);
	iov_set(&iov[1], 0x108, b, 8);
	assert_int_equal(mintmon_memory_readv(&m, iov, 2), -ETIMEDOUT);
	assert_int_equal(iov[0].err, -ETIMEDOUT);
	assert_int_equal(iov[1].err, -ETIMEDOUT);
	assert_int_equal(m.round_trips, 2);
	assert_int_equal(m.reads, 2);		/* nothing more served */
	assert_int_equal(m.bytes_read, 16);
	fake_memory_deinit(&v.f);
}

/*
 * More requests than one readv batch (MINTMON_READV_BATCH): the source sees at most that many at a
 * time, every request is served, and the caller still counts one round
 * trip (one call of the front end).
 */
static void test_readv_many(void **state)
{
	enum { N = 150 };
	struct vec_source v;
	struct mintmon_memory m;
	struct mintmon_iov *iov = calloc(N, sizeof(*iov));
	u8 *out = calloc(N, 8);
	unsigned int i;

	vec_init(&v, &m, 0x10000);
	for (i = 0; i < N; i++) {
		v.f.bytes[64 * i] = (u8)i;
		iov_set(&iov[i], 64 * i, out + 8 * i, 8);
	}
	assert_int_equal(mintmon_memory_readv(&m, iov, N), 0);
	assert_int_equal(v.readv_calls, (N + MINTMON_READV_BATCH - 1) / MINTMON_READV_BATCH);
	assert_int_equal(v.max_batch, MINTMON_READV_BATCH);
	assert_int_equal(v.requests_seen, N);
	for (i = 0; i < N; i++) {
		assert_int_equal(iov[i].err, 0);
		assert_int_equal(out[8 * i], (u8)i);
		assert_int_equal(iov[i].len, 8);
	}
	assert_int_equal(m.round_trips, 1);
	assert_int_equal(m.reads, N);
	assert_int_equal(m.bytes_read, 8 * N);
	fake_memory_deinit(&v.f);
	free(iov);
	free(out);
}

/* ---- the target's RAM ---- */

struct set_ram_case {
	const char *what;
	struct mintmon_phys_range in[6];
	unsigned int nr;
	struct mintmon_phys_range out[4];
	unsigned int nr_out;
};

static const struct set_ram_case set_ram_cases[] = {
	{"sorted, apart", {{0x1000, 0x1000}, {0x4000, 0x1000}}, 2,
	 {{0x1000, 0x1000}, {0x4000, 0x1000}}, 2},
	{"unsorted", {{0x9000, 0x1000}, {0x1000, 0x1000}, {0x4000, 0x1000}}, 3,
	 {{0x1000, 0x1000}, {0x4000, 0x1000}, {0x9000, 0x1000}}, 3},
	{"touching ranges merge", {{0x2000, 0x1000}, {0x1000, 0x1000}, {0x3000, 0x800}}, 3,
	 {{0x1000, 0x2800}}, 1},
	{"overlapping ranges merge", {{0x1000, 0x2000}, {0x2000, 0x2000}}, 2,
	 {{0x1000, 0x3000}}, 1},
	{"a range inside another", {{0x1000, 0x8000}, {0x2000, 0x1000}}, 2,
	 {{0x1000, 0x8000}}, 1},
	{"same start, shorter second", {{0x1000, 0x3000}, {0x1000, 0x1000}}, 2,
	 {{0x1000, 0x3000}}, 1},
	{"empty ranges dropped", {{0x5000, 0}, {0x1000, 0x1000}}, 2, {{0x1000, 0x1000}}, 1},
	{"wrapping range dropped", {{0xfffffffffffff000ull, 0x2000}, {0x1000, 0x1000}}, 2,
	 {{0x1000, 0x1000}}, 1},
	{"top of the address space kept", {{0xffffffffffffe000ull, 0x1000}}, 1,
	 {{0xffffffffffffe000ull, 0x1000}}, 1},
	{"nothing: no restriction", {{0}}, 0, {{0}}, 0},
};

static void test_set_ram(void **state)
{
	unsigned int i, j;

	for (i = 0; i < MINTMON_ARRAY_SIZE(set_ram_cases); i++) {
		const struct set_ram_case *c = &set_ram_cases[i];
		struct mintmon_memory m;

		print_message("%s\n", c->what);
		memset(&m, 0, sizeof(m));
		m.nr_ram = 7;	/* stale */
		assert_int_equal(mintmon_memory_set_ram(&m, c->in, c->nr), 0);
		assert_int_equal(m.nr_ram, c->nr_out);
		for (j = 0; j < c->nr_out; j++) {
			assert_int_equal(m.ram[j].start, c->out[j].start);
			assert_int_equal(m.ram[j].size, c->out[j].size);
		}
	}
}

static void test_set_ram_limits(void **state)
{
	struct mintmon_phys_range r[MINTMON_MAX_PHYS_RANGES + 1];
	struct mintmon_memory m;
	unsigned int i;

	memset(&m, 0, sizeof(m));
	for (i = 0; i < MINTMON_ARRAY_SIZE(r); i++) {
		r[i].start = 0x2000ull * (MINTMON_ARRAY_SIZE(r) - i);	/* descending */
		r[i].size = 0x1000;
	}
	/* Exactly the limit: kept, sorted. */
	assert_int_equal(mintmon_memory_set_ram(&m, r, MINTMON_MAX_PHYS_RANGES), 0);
	assert_int_equal(m.nr_ram, MINTMON_MAX_PHYS_RANGES);
	assert_int_equal(m.ram[0].start, 0x4000);
	/* One more: refused, and what was set stays. */
	assert_int_equal(mintmon_memory_set_ram(&m, r, MINTMON_MAX_PHYS_RANGES + 1), -E2BIG);
	assert_int_equal(m.nr_ram, MINTMON_MAX_PHYS_RANGES);
	assert_int_equal(m.ram[0].start, 0x4000);

	/* m->ram itself as the input: unsorted, with an empty range, touching ones. */
	memset(&m, 0, sizeof(m));
	m.ram[0] = (struct mintmon_phys_range){0x5000, 0x1000};
	m.ram[1] = (struct mintmon_phys_range){0x9000, 0};
	m.ram[2] = (struct mintmon_phys_range){0x1000, 0x1000};
	m.ram[3] = (struct mintmon_phys_range){0x0, 0x1000};
	m.ram[4] = (struct mintmon_phys_range){0x4000, 0x1000};
	assert_int_equal(mintmon_memory_set_ram(&m, m.ram, 5), 0);
	assert_int_equal(m.nr_ram, 2);
	assert_int_equal(m.ram[0].start, 0);
	assert_int_equal(m.ram[0].size, 0x2000);
	assert_int_equal(m.ram[1].start, 0x4000);
	assert_int_equal(m.ram[1].size, 0x2000);
}

/*
 * RAM [0x1000, 0x2000) and [0x3000, 0x4000) in a source that holds all of
 * [0, 0x10000): a read outside RAM is refused before the source sees it,
 * with the first address outside RAM as the fault.
 */
struct ram_read_case {
	const char *what;
	u64 phys, len;
	int err;
	u64 fault;
};

static const struct ram_read_case ram_read_cases[] = {
	{"inside the first range", 0x1000, 16, 0, 0},
	{"a whole range", 0x3000, 0x1000, 0, 0},
	{"ends exactly at a range's end", 0x3ff0, 16, 0, 0},
	{"below all RAM", 0x0, 16, -EFAULT, 0x0},
	{"one byte below a range", 0xfff, 2, -EFAULT, 0xfff},
	{"straddles a range's end", 0x1ff8, 16, -EFAULT, 0x2000},
	{"in the hole", 0x2000, 1, -EFAULT, 0x2000},
	{"starts in the hole, ends in RAM", 0x2ff8, 16, -EFAULT, 0x2ff8},
	{"spans the hole", 0x1000, 0x3000, -EFAULT, 0x2000},
	{"past the last range", 0x4000, 1, -EFAULT, 0x4000},
	{"far past, in the source", 0x8000, 8, -EFAULT, 0x8000},
	{"end wraps", ~0ull - 4, 16, -EFAULT, ~0ull - 4},
};

static void test_reads_outside_ram(void **state)
{
	static const struct mintmon_phys_range ram[] = {{0x3000, 0x1000}, {0x1000, 0x1000}};
	struct fake_memory f;
	struct mintmon_memory m;
	static u8 buf[0x3000];
	unsigned int i;

	fake_memory_init(&f, &m, 0x10000);
	assert_int_equal(mintmon_memory_set_ram(&m, ram, 2), 0);
	for (i = 0; i < MINTMON_ARRAY_SIZE(ram_read_cases); i++) {
		const struct ram_read_case *c = &ram_read_cases[i];
		unsigned int calls = f.reads;
		u64 reads = m.reads, bytes = m.bytes_read, fault = 0xdead;
		struct mintmon_iov iov;

		print_message("%s\n", c->what);
		/* The check alone. */
		assert_int_equal(mintmon_memory_check_ram(&m, c->phys, c->len, &fault), c->err);
		if (c->err)
			assert_int_equal(fault, c->fault);
		/* A plain read. */
		fault = 0xdead;
		assert_int_equal(mintmon_memory_read(&m, c->phys, buf, c->len, &fault), c->err);
		assert_int_equal(f.reads, calls + !c->err);
		if (c->err)
			assert_int_equal(fault, c->fault);
		/* The same as one request of a vectored read. */
		iov_set(&iov, c->phys, buf, (u32)c->len);
		assert_int_equal(mintmon_memory_readv(&m, &iov, 1), c->err);
		assert_int_equal(iov.err, c->err);
		assert_int_equal(f.reads, calls + 2 * !c->err);
		if (c->err) {
			assert_int_equal(iov.fault, c->fault);
			assert_int_equal(m.reads, reads);
			assert_int_equal(m.bytes_read, bytes);
		}
	}
	/* Lifting the restriction lets the source answer again. */
	assert_int_equal(mintmon_memory_set_ram(&m, NULL, 0), 0);
	assert_int_equal(mintmon_memory_read(&m, 0x2000, buf, 16, NULL), 0);
	fake_memory_deinit(&f);
}

/* Two RAM ranges that touch are one: a read across the seam is fine. */
static void test_read_across_merged_ram(void **state)
{
	static const struct mintmon_phys_range ram[] = {{0x2000, 0x1000}, {0x1000, 0x1000}};
	struct fake_memory f;
	struct mintmon_memory m;
	u8 buf[32];
	u64 fault;

	fake_memory_init(&f, &m, 0x10000);
	assert_int_equal(mintmon_memory_set_ram(&m, ram, 2), 0);
	assert_int_equal(mintmon_memory_read(&m, 0x1ff0, buf, 32, &fault), 0);
	assert_int_equal(mintmon_memory_read(&m, 0x2ff0, buf, 32, &fault), -EFAULT);
	assert_int_equal(fault, 0x3000);
	fake_memory_deinit(&f);
}

/*
 * With a readv source, requests outside RAM are refused in front: the
 * source sees only the others, and each request keeps its own result.
 */
static void test_readv_ram_mixed(void **state)
{
	static const struct mintmon_phys_range ram[] = {{0x1000, 0x1000}};
	struct vec_source v;
	struct mintmon_memory m;
	struct mintmon_iov iov[4];
	u8 a[8], b[8], c[8], d[8];

	vec_init(&v, &m, 0x10000);
	v.f.bytes[0x1800] = 0x44;
	assert_int_equal(mintmon_memory_set_ram(&m, ram, 1), 0);
	iov_set(&iov[0], 0x0800, a, 8);		/* below RAM */
	iov_set(&iov[1], 0x1800, b, 8);
	iov_set(&iov[2], 0x1ffc, c, 8);		/* straddles its end */
	iov_set(&iov[3], 0x1808, d, 8);
	assert_int_equal(mintmon_memory_readv(&m, iov, 4), -EFAULT);
	assert_int_equal(v.requests_seen, 2);
	assert_int_equal(iov[0].err, -EFAULT);
	assert_int_equal(iov[0].fault, 0x0800);
	assert_int_equal(iov[1].err, 0);
	assert_int_equal(b[0], 0x44);
	assert_int_equal(iov[2].err, -EFAULT);
	assert_int_equal(iov[2].fault, 0x2000);
	assert_int_equal(iov[3].err, 0);
	/* Lengths given back as they were: the caller's requests are intact. */
	assert_int_equal(iov[0].len, 8);
	assert_int_equal(iov[2].len, 8);
	assert_int_equal(m.reads, 2);
	assert_int_equal(m.bytes_read, 16);
	assert_int_equal(m.round_trips, 1);

	/* All refused: the source is not called at all. */
	iov_set(&iov[0], 0x0, a, 8);
	iov_set(&iov[1], 0x3000, b, 8);
	assert_int_equal(mintmon_memory_readv(&m, iov, 2), -EFAULT);
	assert_int_equal(v.readv_calls, 1);
	assert_int_equal(m.round_trips, 1);
	fake_memory_deinit(&v.f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_too_many_ranges),
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_readv_fallback),
		cmocka_unit_test(test_readv_empty),
		cmocka_unit_test(test_readv_source),
		cmocka_unit_test(test_readv_many),
		cmocka_unit_test(test_set_ram),
		cmocka_unit_test(test_set_ram_limits),
		cmocka_unit_test(test_reads_outside_ram),
		cmocka_unit_test(test_read_across_merged_ram),
		cmocka_unit_test(test_readv_ram_mixed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
