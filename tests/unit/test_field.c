// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for monitor/core/field.c: structure fields found by BTF path
 * in a small hand-encoded blob, spans of several fields, and values taken
 * out of a copied span (sizes, signs, fields outside the span).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mintmon/field.h"

/* The error object the BTF records into; reset before every case. */
static struct mintmon_error test_err;

/* info word: kind in bits 24-28, kind_flag bit 31, vlen bits 0-15 */
#define INFO(kind, kflag, vlen) (((u32)(kflag) << 31) | ((u32)(kind) << 24) | (u32)(vlen))
#define K(name) MINTMON_BTF_KIND_##name

static const char strs[] =
	"\0"		/*  0: ""    */
	"char\0"	/*  1        */
	"short\0"	/*  6        */
	"int\0"		/* 12        */
	"long\0"	/* 16        */
	"inner\0"	/* 21        */
	"outer\0"	/* 27        */
	"c\0"		/* 33        */
	"h\0"		/* 35        */
	"i\0"		/* 37        */
	"q\0"		/* 39        */
	"in\0"		/* 41        */
	"s\0"		/* 44        */
	"l\0"		/* 46        */
	"flags\0"	/* 48        */
	"name\0"	/* 54        */
	"u\0"		/* 59        */
	"a\0"		/* 61        */
	"b";		/* 63, NUL from C */

enum {
	S_CHAR = 1, S_SHORT = 6, S_INT = 12, S_LONG = 16, S_INNER = 21, S_OUTER = 27, S_C = 33,
	S_H = 35, S_I = 37, S_Q = 39, S_IN = 41, S_S = 44, S_L = 46, S_FLAGS = 48, S_NAME = 54,
	S_U = 59, S_A = 61, S_B = 63, S_LEN = 65,
};

/*
 * struct outer (56 bytes), as C would lay it out:
 *   0 char c;  2 short h;  4 int i;  8 long q;
 *  16 struct inner { short s; long l; } in;	(s at 16, l at 24)
 *  32 int flags:3;  40 char name[8];
 *  48 union u { int a; long b; };		(anonymous member)
 */
static const u32 types[] = {
	/* [1] char: 1 byte, signed, 8 bits */
	S_CHAR, INFO(K(INT), 0, 0), 1, 0x01000008,
	/* [2] short */
	S_SHORT, INFO(K(INT), 0, 0), 2, 0x01000010,
	/* [3] int */
	S_INT, INFO(K(INT), 0, 0), 4, 0x01000020,
	/* [4] long */
	S_LONG, INFO(K(INT), 0, 0), 8, 0x01000040,
	/* [5] struct inner, 16 bytes */
	S_INNER, INFO(K(STRUCT), 0, 2), 16,
		S_S, 2, 0,
		S_L, 4, 64,
	/* [6] char[8]: element, index type, nelems */
	0, INFO(K(ARRAY), 0, 0), 0,
		1, 3, 8,
	/* [7] struct outer, 56 bytes; kind_flag: offsets carry bitfield sizes */
	S_OUTER, INFO(K(STRUCT), 1, 8), 56,
		S_C, 1, 0,
		S_H, 2, 16,
		S_I, 3, 32,
		S_Q, 4, 64,
		S_IN, 5, 128,
		S_FLAGS, 3, (3u << 24) | 256,	/* 3-bit bitfield at byte 32 */
		S_NAME, 6, 320,
		0, 8, 384,			/* anonymous union u at byte 48 */
	/* [8] union u, 8 bytes */
	S_U, INFO(K(UNION), 0, 2), 8,
		S_A, 3, 0,
		S_B, 4, 0,
};

static struct mintmon_btf *make_btf(void)
{
	size_t tlen = sizeof(types), size = 24 + tlen + sizeof(strs);
	struct mintmon_btf *btf;
	u8 *b = calloc(1, size);
	u32 hdr[5] = {24, 0, (u32)tlen, (u32)tlen, (u32)sizeof(strs)};

	assert_non_null(b);
	b[0] = 0x9f;	/* magic 0xeB9F, little-endian */
	b[1] = 0xeb;
	b[2] = 1;	/* version; flags 0 */
	memcpy(b + 4, hdr, sizeof(hdr));	/* hdr_len, type_off/len, str_off/len */
	memcpy(b + 24, types, tlen);
	memcpy(b + 24 + tlen, strs, sizeof(strs));
	mintmon_error_init(&test_err, 0);
	assert_int_equal(mintmon_btf_create(b, size, &test_err, &btf), 0);
	free(b);
	return btf;
}

static int setup(void **state)
{
	*state = make_btf();
	return 0;
}

static int teardown(void **state)
{
	mintmon_btf_destroy(*state);
	return 0;
}

static void test_fixture_layout(void **state)
{
	static const struct { u32 off; const char *s; } tab[] = {
		{S_CHAR, "char"}, {S_SHORT, "short"}, {S_INT, "int"}, {S_LONG, "long"},
		{S_INNER, "inner"}, {S_OUTER, "outer"}, {S_C, "c"}, {S_H, "h"}, {S_I, "i"},
		{S_Q, "q"}, {S_IN, "in"}, {S_S, "s"}, {S_L, "l"}, {S_FLAGS, "flags"},
		{S_NAME, "name"}, {S_U, "u"}, {S_A, "a"}, {S_B, "b"},
	};
	unsigned int i;

	assert_int_equal(sizeof(strs), S_LEN);
	for (i = 0; i < MINTMON_ARRAY_SIZE(tab); i++)
		assert_string_equal(strs + tab[i].off, tab[i].s);
}

struct init_case {
	const char *type, *path;
	bool required;
	int err;
	bool present;
	u64 off;
	u32 size;
	const char *msg;	/* NULL: nothing may be recorded */
};

static const struct init_case init_cases[] = {
	{"outer", "c", true, 0, true, 0, 1, NULL},
	{"outer", "h", true, 0, true, 2, 2, NULL},
	{"outer", "i", true, 0, true, 4, 4, NULL},
	{"outer", "q", false, 0, true, 8, 8, NULL},
	{"outer", "in", true, 0, true, 16, 16, NULL},
	{"outer", "in.s", true, 0, true, 16, 2, NULL},
	{"outer", "in.l", true, 0, true, 24, 8, NULL},
	{"outer", "name", true, 0, true, 40, 8, NULL},	/* an array: its whole size */
	{"outer", "a", true, 0, true, 48, 4, NULL},	/* inside the anonymous union */
	{"outer", "b", true, 0, true, 48, 8, NULL},
	{"u", "b", true, 0, true, 0, 8, NULL},		/* a union by name */
	/* Absent and optional: not an error, nothing recorded. */
	{"outer", "nope", false, 0, false, 0, 0, NULL},
	{"outer", "in.nope", false, 0, false, 0, 0, NULL},
	{"nosuch", "c", false, 0, false, 0, 0, NULL},
	/* Absent and required: the error names type and path. */
	{"outer", "nope", true, -ENOENT, false, 0, 0, "BTF: no usable member outer.nope"},
	{"outer", "in.nope", true, -ENOENT, false, 0, 0, "no usable member outer.in.nope"},
	{"outer", "q.x", true, -ENOENT, false, 0, 0, "no usable member outer.q.x"},
	{"nosuch", "c", true, -ENOENT, false, 0, 0, "no usable member nosuch.c"},
	{"long", "c", true, -ENOENT, false, 0, 0, "no usable member long.c"},	/* an INT */
	/* A bitfield: the byte that holds its 3 bits (shift and width: test_bitfield). */
	{"outer", "flags", true, 0, true, 32, 1, NULL},
	{"outer", "flags", false, 0, true, 32, 1, NULL},
};

static void test_init(void **state)
{
	struct mintmon_btf *btf = *state;
	unsigned int i;

	for (i = 0; i < MINTMON_ARRAY_SIZE(init_cases); i++) {
		const struct init_case *c = &init_cases[i];
		struct mintmon_field f;

		print_message("%s.%s %s\n", c->type, c->path,
			      c->required ? "required" : "optional");
		mintmon_error_init(&test_err, 0);
		memset(&f, 0xee, sizeof(f));
		assert_int_equal(mintmon_field_init(btf, c->type, c->path, c->required, &f),
				 c->err);
		assert_int_equal(f.present, c->present);
		if (c->present) {
			assert_int_equal(f.off, c->off);
			assert_int_equal(f.size, c->size);
		}
		if (!c->msg) {
			assert_false(mintmon_error_is_set(&test_err));
			continue;
		}
		assert_true(mintmon_error_is_set(&test_err));
		assert_int_equal(test_err.code, c->err);
		assert_string_equal(test_err.step, "btf");
		assert_non_null(strstr(test_err.msg, c->msg));
	}
}

static void test_span(void **state)
{
	static const struct mintmon_field c = {0, 1, true, 0, 0}, q = {8, 8, true, 0, 0},
		in_l = {24, 8, true, 0, 0}, h = {2, 2, true, 0, 0}, i = {4, 4, true, 0, 0},
		gone = {1000, 8, false, 0, 0}, gone0 = {0, 0, false, 0, 0};
	struct {
		const char *what;
		const struct mintmon_field *f[4];
		unsigned int n;
		u64 lo, hi;
	} cases[] = {
		{"three, absent ignored", {&in_l, &gone, &c, &q}, 4, 0, 32},
		{"two in the middle", {&i, &h}, 2, 2, 8},
		{"one", {&q}, 1, 8, 16},
		{"only absent", {&gone, &gone0}, 2, 0, 0},
		{"none", {NULL}, 0, 0, 0},
	};
	unsigned int k;

	for (k = 0; k < MINTMON_ARRAY_SIZE(cases); k++) {
		u64 lo = 0xdead, hi = 0xbeef;

		print_message("%s\n", cases[k].what);
		mintmon_field_span(cases[k].f, cases[k].n, &lo, &hi);
		assert_int_equal(lo, cases[k].lo);
		assert_int_equal(hi, cases[k].hi);
	}
}

/* The bytes of one struct outer, with the top bit of each number set. */
static void fill_outer(u8 *img)
{
	static const u8 h[2] = {0x01, 0x80}, i[4] = {0x02, 0, 0, 0x80},
		q[8] = {0x03, 0, 0, 0, 0, 0, 0, 0x80}, s[2] = {0xff, 0x7f};

	memset(img, 0, 56);
	img[0] = 0x80;			/* c = -128 */
	memcpy(img + 2, h, 2);		/* h = 0x8001 */
	memcpy(img + 4, i, 4);		/* i = 0x80000002 */
	memcpy(img + 8, q, 8);		/* q = 0x8000000000000003 */
	memcpy(img + 16, s, 2);		/* in.s = 0x7fff: positive */
	memset(img + 24, 0xff, 8);	/* in.l = -1 */
	memcpy(img + 40, "abcdefgh", 8);
	memset(img + 48, 0x11, 8);
}

struct get_case {
	const char *what;
	struct mintmon_field f;
	u64 lo, hi;		/* the span copied */
	u64 value;
	s64 svalue;
};

static const struct get_case get_cases[] = {
	{"size 1, sign bit", {0, 1, true, 0, 0}, 0, 56, 0x80, -128},
	{"size 2, sign bit", {2, 2, true, 0, 0}, 0, 56, 0x8001, -32767},
	{"size 4, sign bit", {4, 4, true, 0, 0}, 0, 56, 0x80000002u, (s32)0x80000002u},
	{"size 8, sign bit", {8, 8, true, 0, 0}, 0, 56, 0x8000000000000003ull,
	 (s64)0x8000000000000003ull},
	{"size 2, positive", {16, 2, true, 0, 0}, 0, 56, 0x7fff, 0x7fff},
	{"size 8, all ones", {24, 8, true, 0, 0}, 0, 56, ~0ull, -1},
	{"8-byte array, little-endian", {40, 8, true, 0, 0}, 0, 56, 0x6867666564636261ull,
	 0x6867666564636261ll},
	{"size 3 (odd), sign from bit 23", {1, 3, true, 0, 0}, 0, 56, 0x800100, -0x7fff00},
	/* Spans that start or stop short. */
	{"span starts at the field", {8, 8, true, 0, 0}, 8, 32, 0x8000000000000003ull,
	 (s64)0x8000000000000003ull},
	{"span ends at the field's end", {24, 8, true, 0, 0}, 8, 32, ~0ull, -1},
	{"field before the span", {4, 4, true, 0, 0}, 8, 32, 0, 0},
	{"field straddles the span's start", {4, 8, true, 0, 0}, 8, 32, 0, 0},
	{"field straddles the span's end", {24, 8, true, 0, 0}, 8, 28, 0, 0},
	{"field past the span", {40, 8, true, 0, 0}, 8, 32, 0, 0},
	{"empty span", {8, 8, true, 0, 0}, 8, 8, 0, 0},
	/*
	 * Bitfields: bytes at off, then bits from shift. h = 0x8001 at 2:
	 * bits 0-2 are 001; bits 13-15 of it (byte 3, shift 5) are 100;
	 * across bytes 2-3 from bit 4, 12 bits: 0x800.
	 */
	{"bitfield :3 at bit 0", {2, 1, true, 0, 3}, 0, 56, 1, 1},
	{"bitfield :3 at bit 5 (printk_info.level)", {3, 1, true, 5, 3}, 0, 56, 4, -4},
	{"bitfield :12 across two bytes", {2, 2, true, 4, 12}, 0, 56, 0x800, -0x800},
	{"bitfield :57 from bit 7", {8, 8, true, 7, 57}, 0, 56, 0x8000000000000003ull >> 7,
	 (s64)0x8000000000000003ull >> 7},
	/* Not numbers. */
	{"absent", {0, 1, false, 0, 0}, 0, 56, 0, 0},
	{"size 0", {0, 0, true, 0, 0}, 0, 56, 0, 0},
	{"size 16 (struct inner)", {16, 16, true, 0, 0}, 0, 56, 0, 0},
};

static void test_get(void **state)
{
	u8 img[56];
	unsigned int k;

	fill_outer(img);
	for (k = 0; k < MINTMON_ARRAY_SIZE(get_cases); k++) {
		const struct get_case *c = &get_cases[k];
		/* A private copy of exactly the span: ASan catches any read outside. */
		size_t n = c->hi - c->lo;
		u8 *span = malloc(n ? n : 1);

		print_message("%s\n", c->what);
		memcpy(span, img + c->lo, n);
		assert_int_equal(mintmon_field_get(&c->f, span, c->lo, c->hi), c->value);
		assert_int_equal(mintmon_field_get_signed(&c->f, span, c->lo, c->hi), c->svalue);
		free(span);
	}
}

/* The whole path: fields from BTF, their span, the values from it. */
static void test_fields_from_btf(void **state)
{
	struct mintmon_btf *btf = *state;
	struct mintmon_field c, q, in_s, in_l, missing;
	const struct mintmon_field *all[] = {&c, &q, &in_s, &in_l, &missing};
	u8 img[56];
	u64 lo, hi;

	fill_outer(img);
	mintmon_error_init(&test_err, 0);
	assert_int_equal(mintmon_field_init(btf, "outer", "q", true, &q), 0);
	assert_int_equal(mintmon_field_init(btf, "outer", "in.s", true, &in_s), 0);
	assert_int_equal(mintmon_field_init(btf, "outer", "in.l", true, &in_l), 0);
	assert_int_equal(mintmon_field_init(btf, "outer", "c", true, &c), 0);
	assert_int_equal(mintmon_field_init(btf, "outer", "gone", false, &missing), 0);
	mintmon_field_span(all, MINTMON_ARRAY_SIZE(all), &lo, &hi);
	assert_int_equal(lo, 0);
	assert_int_equal(hi, 32);
	assert_int_equal(mintmon_field_get_signed(&c, img + lo, lo, hi), -128);
	assert_int_equal(mintmon_field_get(&q, img + lo, lo, hi), 0x8000000000000003ull);
	assert_int_equal(mintmon_field_get_signed(&in_s, img + lo, lo, hi), 0x7fff);
	assert_int_equal(mintmon_field_get_signed(&in_l, img + lo, lo, hi), -1);
	assert_int_equal(mintmon_field_get(&missing, img + lo, lo, hi), 0);
	assert_false(mintmon_error_is_set(&test_err));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_layout),
		cmocka_unit_test_setup_teardown(test_init, setup, teardown),
		cmocka_unit_test(test_span),
		cmocka_unit_test(test_get),
		cmocka_unit_test_setup_teardown(test_fields_from_btf, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
