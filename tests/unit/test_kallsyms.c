// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for monitor/core/kallsyms.c.
 *
 * The fixtures are built by a small encoder that emits the tables the way
 * scripts/kallsyms.c does (every label .balign 8, .long offsets/markers,
 * .asciz tokens, .short token index, ULEB128 name lengths), in the two
 * orders the parser knows (see include/mintmon/kallsyms.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "mintmon/kallsyms.h"

/* A fresh error object for each call: a message from an earlier case cannot satisfy a check. */
static struct mintmon_error test_err;

static struct mintmon_error *fresh_err(void)
{
	mintmon_error_init(&test_err, 0);
	return &test_err;
}

#define VADDR 0xffffffff82000000ull	/* where the fixture "is" in the kernel */
#define TEXT_START 0xffffffff81000000ull
#define TEXT_END 0xffffffffc0000000ull
#define NSYMS 300			/* more than 256: two markers */
#define BUF_SIZE (1 << 20)

enum layout { LAYOUT_6_1, LAYOUT_6_12 };

struct sym {
	char name[600];		/* type letter first */
	u64 addr;
	bool percpu;
};

struct fixture {
	u8 *buf;
	size_t size;
	struct sym syms[NSYMS];
	/* Where the encoder put things, for corrupting them. */
	size_t markers_off, names_off, names_end, token_off, index_off, base_off;
};

/* Token table: slot c is the character c; 0x80 "func_", 0x81 "long"; others empty. */
static const char *token(unsigned int c, char *one)
{
	if (c == 0x80)
		return "func_";
	if (c == 0x81)
		return "long";
	if (c >= 0x20 && c < 0x7f) {
		one[0] = (char)c;
		one[1] = 0;
		return one;
	}
	return "";
}

static void align8(size_t *pos)
{
	*pos = (*pos + 7) & ~(size_t)7;
}

static void put32(u8 *b, size_t *pos, u32 v)
{
	memcpy(b + *pos, &v, 4);
	*pos += 4;
}

/* Compress a name greedily with the two multi-character tokens. */
static size_t compress(const char *name, u8 *out)
{
	size_t n = 0;

	while (*name) {
		if (!strncmp(name, "func_", 5)) {
			out[n++] = 0x80;
			name += 5;
		} else if (!strncmp(name, "long", 4)) {
			out[n++] = 0x81;
			name += 4;
		} else {
			out[n++] = (u8)*name++;
		}
	}
	return n;
}

static void emit_offsets(struct fixture *x, size_t *pos, bool absolute_percpu)
{
	u64 base = x->syms[absolute_percpu ? 3 : 0].addr;	/* first non-percpu symbol */
	unsigned int i;

	align8(pos);
	for (i = 0; i < NSYMS; i++) {
		const struct sym *s = &x->syms[i];
		s32 v;

		if (!absolute_percpu)
			v = (s32)(s->addr - base);
		else if (s->percpu)
			v = (s32)s->addr;
		else
			v = (s32)(base - s->addr - 1);
		put32(x->buf, pos, (u32)v);
	}
	align8(pos);
	x->base_off = *pos;
	memcpy(x->buf + *pos, &base, 8);
	*pos += 8;
}

static void emit_names_and_markers(struct fixture *x, size_t *pos)
{
	u32 markers[(NSYMS + 255) / 256];
	unsigned int i;

	align8(pos);
	put32(x->buf, pos, NSYMS);	/* kallsyms_num_syms, then .balign 8 */
	align8(pos);
	x->names_off = *pos;
	for (i = 0; i < NSYMS; i++) {
		u8 c[600];
		size_t len = compress(x->syms[i].name, c);

		if (i % 256 == 0)
			markers[i / 256] = (u32)(*pos - x->names_off);
		if (len <= 0x7f) {
			x->buf[(*pos)++] = (u8)len;
		} else {	/* two-byte ULEB128, as since v6.1 */
			x->buf[(*pos)++] = (u8)((len & 0x7f) | 0x80);
			x->buf[(*pos)++] = (u8)(len >> 7);
		}
		memcpy(x->buf + *pos, c, len);
		*pos += len;
	}
	x->names_end = *pos;
	align8(pos);
	x->markers_off = *pos;
	for (i = 0; i < MINTMON_ARRAY_SIZE(markers); i++)
		put32(x->buf, pos, markers[i]);
}

static void emit_seqs(struct fixture *x, size_t *pos)
{
	align8(pos);
	memset(x->buf + *pos, 0x5a, 3 * NSYMS);	/* kallsyms_seqs_of_names: not parsed */
	*pos += 3 * NSYMS;
}

static void emit_tokens(struct fixture *x, size_t *pos)
{
	u16 index[256];
	size_t start;
	unsigned int c;

	align8(pos);
	start = x->token_off = *pos;
	for (c = 0; c < 256; c++) {
		char one[2];
		const char *t = token(c, one);

		index[c] = (u16)(*pos - start);
		memcpy(x->buf + *pos, t, strlen(t) + 1);
		*pos += strlen(t) + 1;
	}
	align8(pos);
	x->index_off = *pos;
	memcpy(x->buf + *pos, index, sizeof(index));
	*pos += sizeof(index);
}

static struct fixture *build(enum layout layout, bool absolute_percpu)
{
	struct fixture *x = calloc(1, sizeof(*x));
	size_t pos = 64;	/* some unrelated data first */
	unsigned int i;

	x->buf = calloc(1, BUF_SIZE);
	memset(x->buf, 0xcc, 64);
	/* 3 per-CPU symbols, then text symbols 16 bytes apart, one with a long name. */
	for (i = 0; i < NSYMS; i++) {
		struct sym *s = &x->syms[i];

		if (i < 3 && absolute_percpu) {
			snprintf(s->name, sizeof(s->name), "Apcpu_%u", i);
			s->addr = 0x1000 * i;
			s->percpu = true;
		} else {
			snprintf(s->name, sizeof(s->name), "%cfunc_%03u", i % 2 ? 't' : 'T', i);
			s->addr = TEXT_START + 16 * i;
		}
	}
	/* 1 + 200 characters: compressed length 201 needs two length bytes. */
	memset(x->syms[NSYMS - 1].name + 1, 'x', 200);
	x->syms[NSYMS - 1].name[201] = 0;

	if (layout == LAYOUT_6_1) {
		emit_offsets(x, &pos, absolute_percpu);
		emit_names_and_markers(x, &pos);
		emit_seqs(x, &pos);
		emit_tokens(x, &pos);
	} else {
		emit_names_and_markers(x, &pos);
		emit_tokens(x, &pos);
		emit_offsets(x, &pos, absolute_percpu);
		emit_seqs(x, &pos);
	}
	x->size = pos + 64;
	return x;
}

static void destroy(struct fixture *x)
{
	free(x->buf);
	free(x);
}

static void check_all_symbols(struct fixture *x, struct mintmon_kallsyms *ks)
{
	struct mintmon_kallsyms_iter it;
	struct mintmon_symbol sym;
	unsigned int i = 0;
	int ret;

	assert_int_equal(mintmon_kallsyms_count(ks), NSYMS);
	assert_int_equal(mintmon_kallsyms_table_vaddr(ks), VADDR + x->token_off);
	mintmon_kallsyms_iter_init(&it, ks);
	while ((ret = mintmon_kallsyms_iter_next(&it, &sym)) > 0) {
		assert_true(i < NSYMS);
		assert_int_equal(sym.type, x->syms[i].name[0]);
		assert_string_equal(sym.name, x->syms[i].name + 1);
		assert_int_equal(sym.addr, x->syms[i].addr);
		i++;
	}
	assert_int_equal(ret, 0);
	assert_int_equal(i, NSYMS);
}

/* With MINTMON_SEED_DIR set, save fixtures as seeds for tests/fuzz/fuzz_kallsyms. */
static void write_seed(const char *name, unsigned int i, const u8 *buf, size_t size)
{
	const char *dir = getenv("MINTMON_SEED_DIR");
	char path[256];
	FILE *f;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/%s-%u", dir, name, i);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, size, f), size);
	fclose(f);
}

struct layout_case {
	const char *what;
	enum layout layout;
	bool absolute_percpu;
};

static const struct layout_case layout_cases[] = {
	{"6.1 order, absolute per-CPU", LAYOUT_6_1, true},
	{"6.1 order, all relative", LAYOUT_6_1, false},
	{"6.12 order, absolute per-CPU", LAYOUT_6_12, true},
	{"6.12 order, all relative", LAYOUT_6_12, false},
};

static void test_layouts(void **state)
{
	unsigned int i;

	for (i = 0; i < MINTMON_ARRAY_SIZE(layout_cases); i++) {
		const struct layout_case *c = &layout_cases[i];
		struct fixture *x = build(c->layout, c->absolute_percpu);
		struct mintmon_kallsyms *ks = NULL;

		print_message("%s\n", c->what);
		write_seed("layout", i, x->buf, x->size);
		assert_int_equal(mintmon_kallsyms_create(x->buf, x->size, VADDR, TEXT_START,
							 TEXT_END, fresh_err(), &ks), 0);
		check_all_symbols(x, ks);
		mintmon_kallsyms_destroy(ks);
		destroy(x);
	}
}

static void test_lookup(void **state)
{
	struct fixture *x = build(LAYOUT_6_12, true);
	static const char *const names[] = {"func_010", "pcpu_2", "nope", "func_299"};
	struct mintmon_kallsyms *ks;
	u64 addrs[4];
	bool found[4];
	u64 addr;

	assert_int_equal(mintmon_kallsyms_create(x->buf, x->size, VADDR, TEXT_START, TEXT_END, fresh_err(), &ks), 0);
	assert_int_equal(mintmon_kallsyms_lookup_many(ks, names, 4, addrs, found), 2);
	assert_true(found[0]);
	assert_int_equal(addrs[0], TEXT_START + 16 * 10);
	assert_true(found[1]);
	assert_int_equal(addrs[1], 0x2000);
	assert_false(found[2]);
	assert_false(found[3]);	/* renamed to xxx... by the fixture */
	assert_int_equal(mintmon_kallsyms_lookup(ks, "func_123", &addr), 0);
	assert_int_equal(addr, TEXT_START + 16 * 123);
	assert_int_equal(mintmon_kallsyms_lookup(ks, "func_", &addr), -ENOENT);
	mintmon_kallsyms_destroy(ks);
	destroy(x);
}

/* Each corruption must make the parser refuse the tables, never crash. */
enum corruption {
	BAD_MARKER,
	BAD_BASE,
	BAD_INDEX,
	NO_TOKENS,
	TRUNCATED_NAMES,
	UNSORTED,
	ZERO_LENGTH_NAME,
};

struct corrupt_case {
	const char *what;
	enum layout layout;
	enum corruption how;
};

static const struct corrupt_case corrupt_cases[] = {
	{"marker 1 off by one", LAYOUT_6_12, BAD_MARKER},
	{"relative base outside the kernel text", LAYOUT_6_12, BAD_BASE},
	{"relative base outside the kernel text (6.1)", LAYOUT_6_1, BAD_BASE},
	{"token index disagrees with the table", LAYOUT_6_12, BAD_INDEX},
	{"no digit tokens", LAYOUT_6_12, NO_TOKENS},
	{"buffer ends inside the names", LAYOUT_6_12, TRUNCATED_NAMES},
	{"addresses not sorted", LAYOUT_6_1, UNSORTED},
	{"zero-length name", LAYOUT_6_12, ZERO_LENGTH_NAME},
};

static void test_corrupt(void **state)
{
	unsigned int i;

	for (i = 0; i < MINTMON_ARRAY_SIZE(corrupt_cases); i++) {
		const struct corrupt_case *c = &corrupt_cases[i];
		struct fixture *x = build(c->layout, true);
		struct mintmon_kallsyms *ks = NULL;
		size_t size = x->size;
		u64 bad = 0x1000;
		u32 v;

		print_message("%s\n", c->what);
		switch (c->how) {
		case BAD_MARKER:
			memcpy(&v, x->buf + x->markers_off + 4, 4);
			v++;
			memcpy(x->buf + x->markers_off + 4, &v, 4);
			break;
		case BAD_BASE:
			memcpy(x->buf + x->base_off, &bad, 8);
			break;
		case BAD_INDEX:
			x->buf[x->index_off + 2 * 100]++;
			break;
		case NO_TOKENS:
			memset(x->buf + x->token_off, 0, x->index_off - x->token_off);
			break;
		case TRUNCATED_NAMES:
			size = x->names_off + 100;
			break;
		case UNSORTED: {
			/* Swap two relative offsets: addresses go backwards. */
			u8 tmp[4];
			size_t off = x->base_off - 8 * 20;

			memcpy(tmp, x->buf + off, 4);
			memcpy(x->buf + off, x->buf + off + 4 * 9, 4);
			memcpy(x->buf + off + 4 * 9, tmp, 4);
			break;
		}
		case ZERO_LENGTH_NAME:
			x->buf[x->names_off] = 0;
			break;
		}
		assert_int_equal(mintmon_kallsyms_create(x->buf, size, VADDR, TEXT_START, TEXT_END,
							 fresh_err(), &ks), -ENOENT);
		assert_null(ks);
		destroy(x);
	}
}

static void test_garbage(void **state)
{
	u8 *buf = malloc(BUF_SIZE);
	struct mintmon_kallsyms *ks = NULL;
	unsigned int i, seed = 12345;

	for (i = 0; i < BUF_SIZE; i++) {
		seed = seed * 1103515245 + 12345;
		buf[i] = (u8)(seed >> 16);
	}
	assert_int_equal(mintmon_kallsyms_create(buf, BUF_SIZE, VADDR, TEXT_START, TEXT_END, fresh_err(), &ks),
			 -ENOENT);
	memset(buf, 0, BUF_SIZE);
	assert_int_equal(mintmon_kallsyms_create(buf, BUF_SIZE, VADDR, TEXT_START, TEXT_END, fresh_err(), &ks),
			 -ENOENT);
	assert_int_equal(mintmon_kallsyms_create(buf, 0, VADDR, TEXT_START, TEXT_END, fresh_err(), &ks), -ENOENT);
	assert_null(ks);
	free(buf);
}

/*
 * Hostile data below a valid token table: every 8-byte step reads as
 * kallsyms_num_syms = 0x10007 (bytes 07 00 01 00, then a zero u32), and
 * from every step on the bytes decode as names of 7 bytes each. Without a
 * bound on the search, each of the half million positions would decode
 * 65543 names: the parser must give up in bounded time instead.
 */
static void test_search_is_bounded(void **state)
{
	static const u8 pattern[8] = {0x07, 0x00, 0x01, 0x00, 0, 0, 0, 0};
	struct fixture *x = calloc(1, sizeof(*x));
	struct mintmon_kallsyms *ks = NULL;
	size_t pos = 4 << 20, i;

	x->buf = calloc(1, pos + 8192);
	for (i = 0; i < pos; i += 8)
		memcpy(x->buf + i, pattern, 8);
	emit_tokens(x, &pos);
	assert_int_equal(mintmon_kallsyms_create(x->buf, pos + 64, VADDR, TEXT_START, TEXT_END,
						 fresh_err(), &ks), -ENOENT);
	assert_null(ks);
	assert_non_null(strstr(test_err.msg, "gave up"));
	destroy(x);
}

/* A name whose tokens expand past KSYM_NAME_LEN is an error when read. */
static void test_overlong_expansion(void **state)
{
	struct fixture *x = build(LAYOUT_6_12, true);
	struct mintmon_kallsyms *ks;
	struct mintmon_kallsyms_iter it;
	struct mintmon_symbol sym;
	unsigned int i;
	int ret;

	/* The last name ends with 200 'x' tokens; make them "long": 800 characters. */
	for (i = 0; i < 200; i++)
		x->buf[x->names_end - 200 + i] = 0x81;
	assert_int_equal(mintmon_kallsyms_create(x->buf, x->size, VADDR, TEXT_START, TEXT_END, fresh_err(), &ks),
			 0);
	mintmon_kallsyms_iter_init(&it, ks);
	while ((ret = mintmon_kallsyms_iter_next(&it, &sym)) > 0)
		;
	assert_int_equal(ret, -EINVAL);
	mintmon_kallsyms_destroy(ks);
	destroy(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layouts),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_overlong_expansion),
		cmocka_unit_test(test_search_is_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
