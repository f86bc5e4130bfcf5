// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for monitor/core/btf.c: a hand-encoded BTF blob holding one type
 * of every kind, lookups on it, one table of corruptions that must each be
 * rejected with a precise message, and a parse of this host's own kernel BTF.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <mintmon/btf.h>

/* A fresh error object for each call: a message from an earlier case cannot satisfy a check. */
static struct mintmon_error test_err;

static struct mintmon_error *fresh_err(void)
{
	mintmon_error_init(&test_err, 0);
	return &test_err;
}

/*
 * After a lookup on the fixture (whose error object is test_err, reset by
 * fresh_err() before each case): msg NULL means nothing may have been
 * recorded (absent names are not failures), else the failure's message and
 * code (err 0: code not checked, for the failures btf.c records as -EINVAL
 * while returning another errno; see tests/MUTATIONS.md, notes).
 */
static void check_err(int err, const char *msg)
{
	if (!msg) {
		if (mintmon_error_is_set(&test_err))
			fail_msg("unexpected error recorded: \"%s\"", test_err.msg);
		return;
	}
	if (!mintmon_error_is_set(&test_err) || !strstr(test_err.msg, msg))
		fail_msg("want \"%s\", got \"%s\"", msg, test_err.msg);
	if (err)
		assert_int_equal(test_err.code, err);
	assert_string_equal(test_err.step, "btf");
}

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* info word: kind in bits 24-28, kind_flag bit 31, vlen bits 0-15 */
#define INFO(kind, kflag, vlen) (((u32)(kflag) << 31) | ((u32)(kind) << 24) | (u32)(vlen))
#define K(name) MINTMON_BTF_KIND_##name

/*
 * String section. Offsets (first column) are checked by test_fixture_layout.
 */
static const char strs[] =
	"\0"			/*   0: ""              */
	"int\0"			/*   1                  */
	"char\0"		/*   5                  */
	"unsigned long\0"	/*  10                  */
	"node\0"		/*  24                  */
	"next\0"		/*  29                  */
	"name\0"		/*  34                  */
	"val\0"			/*  39                  */
	"a\0"			/*  43                  */
	"b\0"			/*  45                  */
	"flags\0"		/*  47                  */
	"mode\0"		/*  53                  */
	"node_t\0"		/*  58                  */
	"inner_t\0"		/*  65                  */
	"color\0"		/*  73                  */
	"RED\0"			/*  79                  */
	"BLUE\0"		/*  83                  */
	"big\0"			/*  88                  */
	"HUGE\0"		/*  92                  */
	"outer\0"		/*  97                  */
	"hdr\0"			/* 103                  */
	"count\0"		/* 107                  */
	"fn\0"			/* 113                  */
	"x\0"			/* 116                  */
	"var\0"			/* 118                  */
	".data\0"		/* 122                  */
	"double\0"		/* 128                  */
	"tag\0"			/* 135                  */
	"user\0"		/* 139                  */
	"fwd\0"			/* 144                  */
	"old\0"			/* 148                  */
	"bf";			/* 152, NUL from C   */

enum {
	S_INT = 1, S_CHAR = 5, S_ULONG = 10, S_NODE = 24, S_NEXT = 29, S_NAME = 34, S_VAL = 39,
	S_A = 43, S_B = 45, S_FLAGS = 47, S_MODE = 53, S_NODE_T = 58, S_INNER_T = 65,
	S_COLOR = 73, S_RED = 79, S_BLUE = 83, S_BIG = 88, S_HUGE = 92, S_OUTER = 97,
	S_HDR = 103, S_COUNT = 107, S_FN = 113, S_X = 116, S_VAR = 118, S_DATA = 122,
	S_DOUBLE = 128, S_TAG = 135, S_USER = 139, S_FWD = 144, S_OLD = 148, S_BF = 152,
	S_LEN = 155,
};

/* Word index of each type record in types[] (checked by test_fixture_layout). */
enum {
	W1 = 0, W2 = 4, W3 = 8, W4 = 12, W5 = 15, W6 = 33, W7 = 42, W8 = 51, W9 = 57, W10 = 60,
	W11 = 63, W12 = 66, W13 = 69, W14 = 72, W15 = 75, W16 = 82, W17 = 88, W18 = 97,
	W19 = 102, W20 = 105, W21 = 109, W22 = 115, W23 = 118, W24 = 122, W25 = 125,
	W26 = 131, W27 = 135, W_END = 144,
};
#define NR_TYPES 28	/* void + 27 */

/* Struct/union member j of the record at word w: name, type, offset words. */
#define MEM(w, j) ((w) + 3 + 3 * (j))

static const u32 types[] = {
	/* [1] W1: int, 4 bytes, signed, 32 bits */
	S_INT, INFO(K(INT), 0, 0), 4, 0x01000020,
	/* [2] W2: char, 1 byte, encoding CHAR, 8 bits */
	S_CHAR, INFO(K(INT), 0, 0), 1, 0x02000008,
	/* [3] W3: unsigned long, 8 bytes, 64 bits */
	S_ULONG, INFO(K(INT), 0, 0), 8, 0x00000040,
	/* [4] W4: struct node * */
	0, INFO(K(PTR), 0, 0), 5,
	/* [5] W5: struct node (kind_flag: offsets carry bitfield sizes), 32 bytes */
	S_NODE, INFO(K(STRUCT), 1, 5), 32,
		S_NEXT, 4, 0,			/* struct node *next;   bytes 0-7  */
		0, 6, 64,			/* union { ... };       bytes 8-15 */
		S_NAME, 8, 128,			/* char name[8];        bytes 16-23 */
		S_FLAGS, 1, (3u << 24) | 192,	/* int flags:3;         bit 192    */
		S_MODE, 1, (5u << 24) | 195,	/* int mode:5;          bit 195    */
	/* [6] W6: anonymous union, 8 bytes */
	0, INFO(K(UNION), 0, 2), 8,
		S_VAL, 3, 0,			/* unsigned long val;   */
		0, 7, 0,			/* struct { int a, b; }; */
	/* [7] W7: anonymous struct, 8 bytes */
	0, INFO(K(STRUCT), 0, 2), 8,
		S_A, 1, 0,			/* int a; */
		S_B, 1, 32,			/* int b; */
	/* [8] W8: char[8]: element type, index type, nelems */
	0, INFO(K(ARRAY), 0, 0), 0,
		2, 1, 8,
	/* [9] W9: typedef const volatile inner_t node_t */
	S_NODE_T, INFO(K(TYPEDEF), 0, 0), 10,
	/* [10] W10: const */
	0, INFO(K(CONST), 0, 0), 11,
	/* [11] W11: volatile */
	0, INFO(K(VOLATILE), 0, 0), 12,
	/* [12] W12: typedef inner_t */
	S_INNER_T, INFO(K(TYPEDEF), 0, 0), 13,
	/* [13] W13: type_tag "user" -> struct node */
	S_USER, INFO(K(TYPE_TAG), 0, 0), 5,
	/* [14] W14: struct node * restrict */
	0, INFO(K(RESTRICT), 0, 0), 4,
	/* [15] W15: enum color (kind_flag: signed), 4 bytes */
	S_COLOR, INFO(K(ENUM), 1, 2), 4,
		S_RED, 0,
		S_BLUE, 0xffffffff,		/* -1 */
	/* [16] W16: enum big, 8 bytes: HUGE = 0x100000002 (lo, hi) */
	S_BIG, INFO(K(ENUM64), 0, 1), 8,
		S_HUGE, 2, 1,
	/* [17] W17: struct outer, 48 bytes */
	S_OUTER, INFO(K(STRUCT), 0, 2), 48,
		S_HDR, 9, 0,			/* node_t hdr;          bytes 0-31  */
		S_COUNT, 3, 256,		/* unsigned long count; bytes 32-39 */
	/* [18] W18: int (struct node *x) */
	0, INFO(K(FUNC_PROTO), 0, 1), 1,
		S_X, 4,
	/* [19] W19: global function fn (vlen is the linkage) */
	S_FN, INFO(K(FUNC), 0, 1), 18,
	/* [20] W20: global variable var of type struct outer; linkage */
	S_VAR, INFO(K(VAR), 0, 0), 17, 1,
	/* [21] W21: section .data, 64 bytes: var at [0, 48) */
	S_DATA, INFO(K(DATASEC), 0, 1), 64,
		20, 0, 48,
	/* [22] W22: double */
	S_DOUBLE, INFO(K(FLOAT), 0, 0), 8,
	/* [23] W23: decl_tag "tag" on struct outer member 1 */
	S_TAG, INFO(K(DECL_TAG), 0, 0), 17, 1,
	/* [24] W24: struct fwd; (forward declaration) */
	S_FWD, INFO(K(FWD), 0, 0), 0,
	/* [25] W25: char[2][8] */
	0, INFO(K(ARRAY), 0, 0), 0,
		8, 1, 2,
	/* [26] W26: old-style bitfield int: 4 bytes, signed, 3 bits */
	S_INT, INFO(K(INT), 0, 0), 4, 0x01000003,
	/* [27] W27: struct old (no kind_flag), 8 bytes */
	S_OLD, INFO(K(STRUCT), 0, 2), 8,
		S_A, 1, 0,			/* int a;    */
		S_BF, 26, 37,			/* int bf:3; at bit 37 */
};

/* Header fields, as byte offsets in the blob. */
enum { H_MAGIC = 0, H_VERSION = 2, H_FLAGS = 3, H_HDR_LEN = 4, H_TYPE_OFF = 8,
       H_TYPE_LEN = 12, H_STR_OFF = 16, H_STR_LEN = 20 };

static void put32(u8 *p, u32 v)
{
	memcpy(p, &v, 4);
}

/*
 * Blob: 24-byte header (+ hdr_extra zero bytes), then the words, then the
 * strings. Returns a malloc'ed buffer and its size.
 */
static u8 *build(const u32 *words, size_t nwords, const char *s, size_t slen,
		 size_t hdr_extra, size_t *size_ret)
{
	size_t hdr = 24 + hdr_extra, tlen = nwords * 4, size = hdr + tlen + slen;
	u8 *b = calloc(1, size);

	assert_non_null(b);
	b[0] = 0x9f;		/* magic 0xeB9F, little-endian */
	b[1] = 0xeb;
	b[2] = 1;		/* version */
	b[3] = 0;		/* flags */
	put32(b + H_HDR_LEN, (u32)hdr);
	put32(b + H_TYPE_OFF, 0);
	put32(b + H_TYPE_LEN, (u32)tlen);
	put32(b + H_STR_OFF, (u32)tlen);
	put32(b + H_STR_LEN, (u32)slen);
	if (tlen)
		memcpy(b + hdr, words, tlen);
	memcpy(b + hdr + tlen, s, slen);
	*size_ret = size;
	return b;
}

static u8 *build_fixture(size_t *size_ret)
{
	return build(types, ARRAY_SIZE(types), strs, sizeof(strs), 0, size_ret);
}

static int fixture_setup(void **state)
{
	struct mintmon_btf *btf;
	size_t size;
	u8 *b = build_fixture(&size);

	assert_int_equal(mintmon_btf_create(b, size, fresh_err(), &btf), 0);
	/* The parser keeps its own copy. */
	memset(b, 0xa5, size);
	free(b);
	*state = btf;
	return 0;
}

static int fixture_teardown(void **state)
{
	mintmon_btf_destroy(*state);
	return 0;
}

static void test_fixture_layout(void **state)
{
	static const struct { u32 off; const char *s; } s_tab[] = {
		{ S_INT, "int" }, { S_CHAR, "char" }, { S_ULONG, "unsigned long" },
		{ S_NODE, "node" }, { S_NEXT, "next" }, { S_NAME, "name" }, { S_VAL, "val" },
		{ S_A, "a" }, { S_B, "b" }, { S_FLAGS, "flags" }, { S_MODE, "mode" },
		{ S_NODE_T, "node_t" }, { S_INNER_T, "inner_t" }, { S_COLOR, "color" },
		{ S_RED, "RED" }, { S_BLUE, "BLUE" }, { S_BIG, "big" }, { S_HUGE, "HUGE" },
		{ S_OUTER, "outer" }, { S_HDR, "hdr" }, { S_COUNT, "count" }, { S_FN, "fn" },
		{ S_X, "x" }, { S_VAR, "var" }, { S_DATA, ".data" }, { S_DOUBLE, "double" },
		{ S_TAG, "tag" }, { S_USER, "user" }, { S_FWD, "fwd" }, { S_OLD, "old" },
		{ S_BF, "bf" },
	};
	static const struct { u32 w; unsigned int kind; } w_tab[] = {
		{ W1, K(INT) }, { W2, K(INT) }, { W3, K(INT) }, { W4, K(PTR) },
		{ W5, K(STRUCT) }, { W6, K(UNION) }, { W7, K(STRUCT) }, { W8, K(ARRAY) },
		{ W9, K(TYPEDEF) }, { W10, K(CONST) }, { W11, K(VOLATILE) },
		{ W12, K(TYPEDEF) }, { W13, K(TYPE_TAG) }, { W14, K(RESTRICT) },
		{ W15, K(ENUM) }, { W16, K(ENUM64) }, { W17, K(STRUCT) },
		{ W18, K(FUNC_PROTO) }, { W19, K(FUNC) }, { W20, K(VAR) }, { W21, K(DATASEC) },
		{ W22, K(FLOAT) }, { W23, K(DECL_TAG) }, { W24, K(FWD) }, { W25, K(ARRAY) },
		{ W26, K(INT) }, { W27, K(STRUCT) },
	};
	size_t i;

	(void)state;
	assert_int_equal(sizeof(strs), S_LEN);
	for (i = 0; i < ARRAY_SIZE(s_tab); i++)
		assert_string_equal(strs + s_tab[i].off, s_tab[i].s);
	assert_int_equal(ARRAY_SIZE(types), W_END);
	for (i = 0; i < ARRAY_SIZE(w_tab); i++)
		assert_int_equal((types[w_tab[i].w + 1] >> 24) & 0x1f, w_tab[i].kind);
}

static void test_kinds_names(void **state)
{
	static const struct { u32 id; unsigned int kind; const char *name; } tab[] = {
		{ 0, K(UNKN), "" }, { 1, K(INT), "int" }, { 4, K(PTR), "" },
		{ 5, K(STRUCT), "node" }, { 6, K(UNION), "" }, { 8, K(ARRAY), "" },
		{ 9, K(TYPEDEF), "node_t" }, { 13, K(TYPE_TAG), "user" },
		{ 15, K(ENUM), "color" }, { 16, K(ENUM64), "big" }, { 19, K(FUNC), "fn" },
		{ 21, K(DATASEC), ".data" }, { 24, K(FWD), "fwd" }, { 27, K(STRUCT), "old" },
		{ NR_TYPES, K(UNKN), NULL }, { 0xffffffff, K(UNKN), NULL },
	};
	struct mintmon_btf *btf = *state;
	size_t i;

	assert_int_equal(mintmon_btf_nr_types(btf), NR_TYPES);
	assert_int_equal(mintmon_btf_size(btf), 24 + sizeof(types) + sizeof(strs));
	for (i = 0; i < ARRAY_SIZE(tab); i++) {
		assert_int_equal(mintmon_btf_kind(btf, tab[i].id), tab[i].kind);
		if (tab[i].name)
			assert_string_equal(mintmon_btf_name(btf, tab[i].id), tab[i].name);
		else
			assert_null(mintmon_btf_name(btf, tab[i].id));
	}
	assert_int_equal(mintmon_btf_vlen(btf, 5), 5);
	assert_int_equal(mintmon_btf_vlen(btf, 19), 1);
	assert_string_equal(mintmon_btf_kind_name(K(ENUM64)), "ENUM64");
	assert_string_equal(mintmon_btf_kind_name(31), "?");
}

static void test_find(void **state)
{
	static const struct { const char *name; unsigned int kind; int err; u32 id; } tab[] = {
		{ "node", K(STRUCT), 0, 5 },
		{ "node", K(UNION), -ENOENT, 0 },
		{ "node", K(UNKN), 0, 5 },
		{ "int", K(INT), 0, 1 },	/* lowest of the two ints named "int" */
		{ "node_t", K(TYPEDEF), 0, 9 },
		{ "fwd", K(FWD), 0, 24 },
		{ "fwd", K(STRUCT), -ENOENT, 0 },
		{ "color", K(ENUM), 0, 15 },
		{ "fn", K(FUNC), 0, 19 },
		{ "var", K(VAR), 0, 20 },
		{ "nod", K(UNKN), -ENOENT, 0 },
		{ "nodes", K(UNKN), -ENOENT, 0 },
		{ "", K(UNKN), -ENOENT, 0 },
	};
	struct mintmon_btf *btf = *state;
	size_t i;
	u32 id;

	for (i = 0; i < ARRAY_SIZE(tab); i++) {
		id = 0xdead;
		fresh_err();
		assert_int_equal(mintmon_btf_find(btf, tab[i].name, tab[i].kind, &id), tab[i].err);
		assert_int_equal(id, tab[i].err ? 0xdead : tab[i].id);
		check_err(tab[i].err, NULL);	/* absent: no failure */
	}
}

static void test_resolve_and_size(void **state)
{
	static const struct {
		u32 id;
		u32 resolved;
		int size_err;
		u64 size;
		const char *msg;
	} tab[] = {
		{ 0, 0, -EINVAL, 0, "type 0: type 0 (UNKN) has no size" },	/* void */
		{ 1, 1, 0, 4, NULL },
		{ 2, 2, 0, 1, NULL },
		{ 3, 3, 0, 8, NULL },
		{ 4, 4, 0, 8, NULL },
		{ 5, 5, 0, 32, NULL },
		{ 6, 6, 0, 8, NULL },
		{ 8, 8, 0, 8, NULL },
		{ 9, 5, 0, 32, NULL },		/* typedef->const->volatile->typedef->tag */
		{ 10, 5, 0, 32, NULL },
		{ 14, 4, 0, 8, NULL },
		{ 15, 15, 0, 4, NULL },
		{ 16, 16, 0, 8, NULL },
		{ 17, 17, 0, 48, NULL },
		{ 18, 18, -EINVAL, 0, "type 18: type 18 (FUNC_PROTO) has no size" },
		{ 19, 19, -EINVAL, 0, "type 19: type 19 (FUNC) has no size" },
		{ 20, 20, 0, 48, NULL },	/* var: its type's size */
		{ 21, 21, 0, 64, NULL },
		{ 22, 22, 0, 8, NULL },
		{ 23, 23, -EINVAL, 0, "type 23: type 23 (DECL_TAG) has no size" },
		{ 24, 24, -EINVAL, 0, "type 24: type 24 (FWD) has no size" },
		{ 25, 25, 0, 16, NULL },	/* char[2][8] */
	};
	struct mintmon_btf *btf = *state;
	size_t i;
	u32 id;
	u64 size;

	for (i = 0; i < ARRAY_SIZE(tab); i++) {
		fresh_err();
		assert_int_equal(mintmon_btf_resolve(btf, tab[i].id, &id), 0);
		assert_int_equal(id, tab[i].resolved);
		check_err(0, NULL);
		size = 0xdead;
		assert_int_equal(mintmon_btf_type_size(btf, tab[i].id, &size), tab[i].size_err);
		assert_int_equal(size, tab[i].size_err ? 0xdead : tab[i].size);
		check_err(tab[i].size_err, tab[i].msg);
	}
	fresh_err();
	assert_int_equal(mintmon_btf_resolve(btf, NR_TYPES, &id), -EINVAL);
	check_err(-EINVAL, "BTF: resolve: type id 28 out of range, only 28 types");
	fresh_err();
	assert_int_equal(mintmon_btf_type_size(btf, NR_TYPES, &size), -EINVAL);
	check_err(-EINVAL, "BTF: type_size: type id 28 out of range, only 28 types");
}

static void test_member(void **state)
{
	static const struct {
		u32 id;
		const char *path;
		int err;
		u64 bit_offset;
		u32 bits, type;
		u64 size;
		const char *msg;	/* NULL: nothing recorded */
	} tab[] = {
		{ 5, "next", 0, 0, 0, 4, 8, NULL },
		{ 5, "val", 0, 64, 0, 3, 8, NULL },		/* in the anonymous union */
		{ 5, "a", 0, 64, 0, 1, 4, NULL },		/* anonymous struct in it */
		{ 5, "b", 0, 96, 0, 1, 4, NULL },
		{ 5, "name", 0, 128, 0, 8, 8, NULL },
		{ 5, "flags", 0, 192, 3, 1, 4, NULL },
		{ 5, "mode", 0, 195, 5, 1, 4, NULL },
		/* Absent names are no failure: callers probe alternatives. */
		{ 5, "nam", -ENOENT, 0, 0, 0, 0, NULL },
		{ 5, "names", -ENOENT, 0, 0, 0, 0, NULL },
		{ 9, "b", 0, 96, 0, 1, 4, NULL },		/* through the typedef chain */
		{ 6, "a", 0, 0, 0, 1, 4, NULL },		/* a union */
		{ 17, "hdr", 0, 0, 0, 9, 32, NULL },
		{ 17, "hdr.b", 0, 96, 0, 1, 4, NULL },
		{ 17, "hdr.name", 0, 128, 0, 8, 8, NULL },
		{ 17, "hdr.mode", 0, 195, 5, 1, 4, NULL },
		{ 17, "count", 0, 256, 0, 3, 8, NULL },
		{ 17, "hdr.next.x", -ENOENT, 0, 0, 0, 0, NULL },	/* next is a pointer */
		{ 17, "count.x", -ENOENT, 0, 0, 0, 0, NULL },
		{ 17, "hdr.flags.x", -EINVAL, 0, 0, 0, 0,
		  "member path 'hdr.flags.x': 'flags' is a bitfield" },
		{ 17, "hdr..b", -EINVAL, 0, 0, 0, 0,
		  "member path 'hdr..b' has an empty component" },
		{ 17, "", -EINVAL, 0, 0, 0, 0, "member path '' has an empty component" },
		{ 17, "hdr.", -EINVAL, 0, 0, 0, 0, "member path 'hdr.' has an empty component" },
		{ 27, "a", 0, 0, 0, 1, 4, NULL },
		{ 27, "bf", 0, 37, 3, 26, 4, NULL },		/* old-style bitfield */
		{ 1, "x", -ENOENT, 0, 0, 0, 0, NULL },		/* not a struct */
		{ NR_TYPES, "x", -EINVAL, 0, 0, 0, 0, "member: type id 28 out of range" },
	};
	struct mintmon_btf *btf = *state;
	struct mintmon_btf_member_info info;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(tab); i++) {
		print_message("member %u '%s'\n", tab[i].id, tab[i].path);
		memset(&info, 0xee, sizeof(info));
		fresh_err();
		assert_int_equal(mintmon_btf_member(btf, tab[i].id, tab[i].path, &info),
				 tab[i].err);
		check_err(tab[i].err, tab[i].msg);
		if (tab[i].err) {
			assert_int_equal(info.type_id, 0xeeeeeeee);
			continue;
		}
		assert_int_equal(info.bit_offset, tab[i].bit_offset);
		assert_int_equal(info.bitfield_size, tab[i].bits);
		assert_int_equal(info.type_id, tab[i].type);
		assert_int_equal(info.size, tab[i].size);
	}
}

static void test_offsetof(void **state)
{
	static const struct {
		const char *s, *path;
		int err;
		u64 off, size;
		const char *msg;	/* of offsetof; NULL: nothing recorded */
	} tab[] = {
		{ "node", "next", 0, 0, 8, NULL },
		{ "node", "b", 0, 12, 4, NULL },
		{ "node", "name", 0, 16, 8, NULL },
		{ "node", "flags", -EINVAL, 0, 4, "node.flags is a bitfield (3 bits at bit 192)" },
		{ "outer", "hdr.b", 0, 12, 4, NULL },
		{ "outer", "count", 0, 32, 8, NULL },
		{ "old", "bf", -EINVAL, 0, 4, "old.bf is a bitfield (3 bits at bit 37)" },
		{ "old", "zz", -ENOENT, 0, 0, NULL },
		{ "nope", "x", -ENOENT, 0, 0, NULL },
		{ "node_t", "next", -ENOENT, 0, 0, NULL },	/* a typedef, not a struct name */
	};
	struct mintmon_btf *btf = *state;
	size_t i;
	u64 v;

	for (i = 0; i < ARRAY_SIZE(tab); i++) {
		v = 0xdead;
		fresh_err();
		assert_int_equal(mintmon_btf_offsetof(btf, tab[i].s, tab[i].path, &v), tab[i].err);
		assert_int_equal(v, tab[i].err ? 0xdead : tab[i].off);
		check_err(tab[i].err, tab[i].msg);
		/* A bitfield has a size all the same. */
		v = 0xdead;
		fresh_err();
		assert_int_equal(mintmon_btf_member_size(btf, tab[i].s, tab[i].path, &v),
				 tab[i].err == -ENOENT ? -ENOENT : 0);
		assert_int_equal(v, tab[i].err == -ENOENT ? 0xdead : tab[i].size);
		check_err(0, NULL);
	}
}

static void test_array_ptr_int(void **state)
{
	struct mintmon_btf *btf = *state;
	struct mintmon_btf_array_info a;
	u32 t, size, bits, enc;

	assert_int_equal(mintmon_btf_array_info(btf, 8, &a), 0);
	assert_int_equal(a.elem_type, 2);
	assert_int_equal(a.index_type, 1);
	assert_int_equal(a.nelems, 8);
	assert_int_equal(mintmon_btf_array_info(btf, 25, &a), 0);
	assert_int_equal(a.elem_type, 8);
	assert_int_equal(a.nelems, 2);
	fresh_err();
	assert_int_equal(mintmon_btf_array_info(btf, 5, &a), -EINVAL);
	check_err(-EINVAL, "BTF: array_info: type 5 is STRUCT, not ARRAY");
	fresh_err();
	assert_int_equal(mintmon_btf_array_info(btf, NR_TYPES, &a), -EINVAL);
	check_err(-EINVAL, "BTF: array_info: type id 28 out of range");

	assert_int_equal(mintmon_btf_ptr_target(btf, 4, &t), 0);
	assert_int_equal(t, 5);
	assert_int_equal(mintmon_btf_ptr_target(btf, 14, &t), 0);	/* restrict pointer */
	assert_int_equal(t, 5);
	fresh_err();
	assert_int_equal(mintmon_btf_ptr_target(btf, 5, &t), -EINVAL);
	check_err(-EINVAL, "BTF: ptr_target: type 5 is STRUCT, not PTR");

	assert_int_equal(mintmon_btf_int_info(btf, 2, &size, &bits, &enc), 0);
	assert_int_equal(size, 1);
	assert_int_equal(bits, 8);
	assert_int_equal(enc, MINTMON_BTF_INT_CHAR);
	assert_int_equal(mintmon_btf_int_info(btf, 1, &size, &bits, &enc), 0);
	assert_int_equal(enc, MINTMON_BTF_INT_SIGNED);
	assert_int_equal(mintmon_btf_int_info(btf, 26, &size, &bits, &enc), 0);
	assert_int_equal(bits, 3);
	fresh_err();
	assert_int_equal(mintmon_btf_int_info(btf, 22, &size, &bits, &enc), -EINVAL);
	check_err(-EINVAL, "BTF: int_info: type 22 is FLOAT, not INT");
	/* Through modifiers to a struct: the id asked about is named. */
	fresh_err();
	assert_int_equal(mintmon_btf_int_info(btf, 9, &size, &bits, &enc), -EINVAL);
	check_err(-EINVAL, "BTF: int_info: type 9 is STRUCT, not INT");
}

static void test_enum_value(void **state)
{
	static const struct { const char *e, *v; int err; s64 val; } tab[] = {
		{ "color", "RED", 0, 0 },
		{ "color", "BLUE", 0, -1 },		/* signed enum */
		{ "big", "HUGE", 0, 0x100000002ll },	/* ENUM64 */
		{ NULL, "BLUE", 0, -1 },		/* any enum */
		{ NULL, "HUGE", 0, 0x100000002ll },
		{ "color", "GREEN", -ENOENT, 0 },
		{ "color", "HUGE", -ENOENT, 0 },
		{ "nope", "RED", -ENOENT, 0 },
		{ NULL, "NOPE", -ENOENT, 0 },
	};
	struct mintmon_btf *btf = *state;
	size_t i;
	s64 v;

	for (i = 0; i < ARRAY_SIZE(tab); i++) {
		v = 0xdead;
		fresh_err();
		assert_int_equal(mintmon_btf_enum_value(btf, tab[i].e, tab[i].v, &v), tab[i].err);
		assert_int_equal(v, tab[i].err ? 0xdead : tab[i].val);
		check_err(tab[i].err, NULL);	/* absent: no failure */
	}
}

/* ---- rejections ---- */

enum patch_where { P_NONE, P_HDR8, P_HDR16, P_HDR32, P_TYPE, P_STR };

struct patch {
	enum patch_where where;
	u32 off;	/* byte offset (header, strings) or word index (types) */
	u32 val;
};

struct reject_case {
	const char *what;
	struct patch p[5];
	int err;
	const char *msg;	/* must appear in the warning */
};

static const struct reject_case reject_cases[] = {
	{ "bad magic", { { P_HDR16, H_MAGIC, 0x1234 } }, -EINVAL, "bad magic 0x1234" },
	{ "big-endian", { { P_HDR16, H_MAGIC, 0x9feb } }, -EINVAL, "byte-swapped" },
	{ "version", { { P_HDR8, H_VERSION, 2 } }, -EINVAL, "version 2 is not supported" },
	{ "flags", { { P_HDR8, H_FLAGS, 1 } }, -EINVAL, "header flags 0x01" },
	{ "hdr_len too small", { { P_HDR32, H_HDR_LEN, 20 } }, -EINVAL,
	  "header length 20 is smaller than 24" },
	{ "hdr_len too large", { { P_HDR32, H_HDR_LEN, 0x10000 } }, -EINVAL,
	  "header length 65536 runs past the end of the 755-byte blob" },
	{ "hdr_len wraps", { { P_HDR32, H_HDR_LEN, 0xffffffff } }, -EINVAL, "runs past the end" },
	{ "type section outside", { { P_HDR32, H_TYPE_LEN, 0xfffffff0 } }, -EINVAL,
	  "type section (offset 0, length 4294967280) runs past the end of the blob (731 bytes" },
	{ "type offset wraps", { { P_HDR32, H_TYPE_OFF, 0xfffffffc } }, -EINVAL,
	  "type section (offset 4294967292" },
	{ "string section outside", { { P_HDR32, H_STR_LEN, 156 } }, -EINVAL,
	  "string section (offset 576, length 156) runs past" },
	{ "string offset outside", { { P_HDR32, H_STR_OFF, 0x80000000 } }, -EINVAL,
	  "string section (offset 2147483648" },
	{ "sections overlap", { { P_HDR32, H_STR_OFF, 8 }, { P_HDR32, H_STR_LEN, 4 } }, -EINVAL,
	  "overlap" },
	{ "type section unaligned", { { P_HDR32, H_TYPE_OFF, 2 }, { P_HDR32, H_TYPE_LEN, 572 } },
	  -EINVAL, "type section offset 2 is not 4-byte aligned" },
	{ "string section empty", { { P_HDR32, H_STR_LEN, 0 } }, -EINVAL,
	  "string section is empty" },
	{ "string section not starting with NUL", { { P_STR, 0, 'x' } }, -EINVAL,
	  "does not start with a NUL" },
	{ "string section not NUL-terminated", { { P_STR, S_LEN - 1, 'x' } }, -EINVAL,
	  "not NUL-terminated" },
	{ "trailing bytes", { { P_HDR32, H_TYPE_LEN, W27 * 4 + 8 } }, -EINVAL,
	  "type 27: 8 bytes left at the end of the type section" },
	{ "vlen past the end", { { P_TYPE, W27 + 1, INFO(K(STRUCT), 0, 10) } }, -EINVAL,
	  "type 27 (STRUCT) with vlen 10 needs 120 more bytes, only 24 left" },
	{ "vlen huge", { { P_TYPE, W5 + 1, INFO(K(STRUCT), 1, 0xffff) } }, -EINVAL,
	  "type 5 (STRUCT) with vlen 65535 needs 786420 more bytes" },
	{ "unknown kind", { { P_TYPE, W22 + 1, INFO(20, 0, 0) } }, -EINVAL,
	  "type 22 has unknown kind 20" },
	{ "kind 0", { { P_TYPE, W22 + 1, 0 } }, -EINVAL, "type 22 has unknown kind 0" },
	{ "kind 31", { { P_TYPE, W22 + 1, INFO(31, 0, 0) } }, -EINVAL, "unknown kind 31" },
	{ "unused info bits", { { P_TYPE, W4 + 1, INFO(K(PTR), 0, 0) | 0x00010000 } }, -EINVAL,
	  "type 4 (PTR) has unused info bits set" },
	{ "ptr to bad id", { { P_TYPE, W4 + 2, 999 } }, -EINVAL,
	  "type 4 (PTR) refers to type 999, only 28 types" },
	{ "ptr to nr_types", { { P_TYPE, W4 + 2, NR_TYPES } }, -EINVAL,
	  "type 4 (PTR) refers to type 28, only 28 types" },
	{ "member bad id", { { P_TYPE, MEM(W5, 2) + 1, 99999 } }, -EINVAL,
	  "type 5 (STRUCT) member 2 refers to type 99999, only 28 types" },
	{ "array element bad id", { { P_TYPE, W8 + 3, 1000 } }, -EINVAL,
	  "type 8 (ARRAY) element type refers to type 1000" },
	{ "array index bad id", { { P_TYPE, W8 + 4, 1000 } }, -EINVAL,
	  "type 8 (ARRAY) index type refers to type 1000" },
	{ "typedef bad id", { { P_TYPE, W9 + 2, 0xffffffff } }, -EINVAL,
	  "type 9 (TYPEDEF) refers to type 4294967295" },
	{ "param bad id", { { P_TYPE, W18 + 4, 28 } }, -EINVAL,
	  "type 18 (FUNC_PROTO) param 0 refers to type 28" },
	{ "return bad id", { { P_TYPE, W18 + 2, 28 } }, -EINVAL,
	  "type 18 (FUNC_PROTO) return type refers to type 28" },
	{ "datasec bad id", { { P_TYPE, W21 + 3, 28 } }, -EINVAL,
	  "type 21 (DATASEC) variable 0 refers to type 28" },
	{ "datasec var outside", { { P_TYPE, W21 + 4, 0xfffffff0 } }, -EINVAL,
	  "type 21 (DATASEC) variable 0 at [4294967280, +48) is outside its 64 bytes" },
	{ "var bad id", { { P_TYPE, W20 + 2, 28 } }, -EINVAL, "type 20 (VAR) refers to type 28" },
	{ "decl_tag bad id", { { P_TYPE, W23 + 2, 28 } }, -EINVAL, "type 23 (DECL_TAG) refers" },
	{ "decl_tag bad index", { { P_TYPE, W23 + 3, (u32)-2 } }, -EINVAL,
	  "type 23 (DECL_TAG) has component index -2" },
	{ "func to non-proto", { { P_TYPE, W19 + 2, 17 } }, -EINVAL,
	  "type 19 (FUNC) refers to type 17 (STRUCT), not a FUNC_PROTO" },
	{ "type name offset", { { P_TYPE, W1, S_LEN } }, -EINVAL,
	  "type 1 (INT) has name offset 155, string section is 155 bytes" },
	{ "member name offset", { { P_TYPE, MEM(W5, 0), 0x7fffffff } }, -EINVAL,
	  "type 5 (STRUCT) member 0 has name offset 2147483647" },
	{ "enum value name offset", { { P_TYPE, W15 + 5, 1000 } }, -EINVAL,
	  "type 15 (ENUM) value 1 has name offset 1000" },
	{ "enum64 value name offset", { { P_TYPE, W16 + 3, 1000 } }, -EINVAL,
	  "type 16 (ENUM64) value 0 has name offset 1000" },
	{ "param name offset", { { P_TYPE, W18 + 3, 0xffffffff } }, -EINVAL,
	  "type 18 (FUNC_PROTO) param 0 has name offset 4294967295" },
	{ "int size 3", { { P_TYPE, W1 + 2, 3 } }, -EINVAL, "type 1 (INT) has size 3" },
	{ "int bits > size", { { P_TYPE, W2 + 3, 0x02000009 } }, -EINVAL,
	  "type 2 (INT) has 9 bits at bit 0, more than its 1 bytes" },
	{ "int offset + bits > size", { { P_TYPE, W2 + 3, 0x00040008 } }, -EINVAL,
	  "type 2 (INT) has 8 bits at bit 4" },
	{ "enum size 3", { { P_TYPE, W15 + 2, 3 } }, -EINVAL, "type 15 (ENUM) has size 3" },
	{ "float size 5", { { P_TYPE, W22 + 2, 5 } }, -EINVAL, "type 22 (FLOAT) has size 5" },
	{ "typedef cycle", { { P_TYPE, W11 + 2, 9 } }, -EINVAL,
	  "type 9 (TYPEDEF) is part of a reference cycle" },
	{ "const self-loop", { { P_TYPE, W10 + 2, 10 } }, -EINVAL, "reference cycle" },
	{ "array cycle", { { P_TYPE, W25 + 3, 25 } }, -EINVAL,
	  "type 25 (ARRAY) is part of a reference cycle through type 25" },
	/* char[0xffffffff] fits in u32; unsigned long[0xffffffff][0xffffffff] not */
	{ "array size > u32",
	  { { P_TYPE, W8 + 5, 0xffffffff }, { P_TYPE, W25 + 5, 0xffffffff },
	    { P_TYPE, MEM(W5, 2) + 1, 2 } },
	  -EINVAL, "type 25 (ARRAY) of 4294967295 elements: size overflows" },
	/* [8] = [25][0xffffffff], [25] = unsigned long[0xffffffff]: 2^67 bytes */
	{ "array size wraps u64",
	  { { P_TYPE, W8 + 3, 25 }, { P_TYPE, W8 + 5, 0xffffffff },
	    { P_TYPE, W25 + 3, 3 }, { P_TYPE, W25 + 5, 0xffffffff },
	    { P_TYPE, MEM(W5, 2) + 1, 2 } },
	  -EINVAL, "type 8 (ARRAY) of 4294967295 elements: size overflows" },
	{ "struct too small for member", { { P_TYPE, W7 + 2, 4 } }, -EINVAL,
	  "type 7 (STRUCT) member 1 ends at bit 64, past the type's 4 bytes" },
	{ "member offset huge", { { P_TYPE, MEM(W17, 1) + 2, 0xfffffff8 } }, -EINVAL,
	  "type 17 (STRUCT) member 1 ends at bit 4294967352" },
	{ "member not byte-aligned", { { P_TYPE, MEM(W17, 1) + 2, 257 } }, -EINVAL,
	  "type 17 (STRUCT) member 1 at bit 257 is not byte-aligned" },
	{ "bitfield past the end", { { P_TYPE, MEM(W5, 4) + 2, (5u << 24) | 254 } }, -EINVAL,
	  "type 5 (STRUCT) member 4 ends at bit 259, past the type's 32 bytes" },
	{ "bitfield of a pointer", { { P_TYPE, MEM(W5, 3) + 1, 4 } }, -EINVAL,
	  "type 5 (STRUCT) member 3 is a 3-bit bitfield of type 4 (PTR)" },
	{ "bitfield wider than type", { { P_TYPE, MEM(W5, 3) + 2, (40u << 24) | 192 } }, -EINVAL,
	  "member 3: 40-bit bitfield in a 4-byte type" },
	{ "member of type void", { { P_TYPE, MEM(W17, 1) + 1, 0 } }, -EINVAL,
	  "type 17 (STRUCT) member 1 (type 0): size is undefined" },
	{ "member of a func", { { P_TYPE, MEM(W17, 1) + 1, 19 } }, -EINVAL,
	  "member 1 (type 19): size is undefined" },
	{ "array of void", { { P_TYPE, W25 + 3, 0 } }, -EINVAL,
	  "type 25 (ARRAY) of 2 elements: size is undefined" },
};

static void apply(u8 *b, const struct patch *p)
{
	switch (p->where) {
	case P_NONE:
		break;
	case P_HDR8:
		b[p->off] = (u8)p->val;
		break;
	case P_HDR16:
		b[p->off] = (u8)p->val;
		b[p->off + 1] = (u8)(p->val >> 8);
		break;
	case P_HDR32:
		put32(b + p->off, p->val);
		break;
	case P_TYPE:
		put32(b + 24 + 4 * p->off, p->val);
		break;
	case P_STR:
		b[24 + sizeof(types) + p->off] = (u8)p->val;
		break;
	}
}

static void expect_reject(const u8 *b, size_t size, int err, const char *msg, const char *what)
{
	struct mintmon_btf *btf = (void *)0x1;

	if (mintmon_btf_create(b, size, fresh_err(), &btf) != err || !strstr(test_err.msg, msg)) {
		print_error("case '%s': want %d with \"%s\", got warning \"%s\"\n", what, err, msg,
			    test_err.msg);
		fail();
	}
	assert_ptr_equal(btf, (void *)0x1);	/* untouched on failure */
	assert_string_equal(test_err.step, "btf");
	if (err == -EINVAL)
		assert_int_equal(test_err.code, err);
}

static void test_rejections(void **state)
{
	size_t i, j, size;
	u8 *b;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(reject_cases); i++) {
		const struct reject_case *c = &reject_cases[i];

		b = build_fixture(&size);
		for (j = 0; j < ARRAY_SIZE(c->p); j++)
			apply(b, &c->p[j]);
		expect_reject(b, size, c->err, c->msg, c->what);
		free(b);
	}
}

/* Every prefix of the fixture is rejected (or is a complete valid blob). */
static void test_truncations(void **state)
{
	struct mintmon_btf *btf;
	size_t size, n;
	u8 *b = build_fixture(&size);

	(void)state;
	for (n = 0; n < size; n++) {
		u8 *t = malloc(n ? n : 1);

		memcpy(t, b, n);
		assert_int_not_equal(mintmon_btf_create(t, n, fresh_err(), &btf), 0);
		assert_true(strlen(test_err.msg) > 0);
		free(t);
	}
	expect_reject(b, 10, -EINVAL, "blob of 10 bytes is smaller than the 24-byte header",
		      "short blob");
	free(b);
}

static void test_header_variants(void **state)
{
	struct mintmon_btf *btf;
	size_t size;
	u8 *b;
	u32 id;

	(void)state;
	/* A longer header is accepted when the extra bytes are zero... */
	b = build(types, ARRAY_SIZE(types), strs, sizeof(strs), 8, &size);
	assert_int_equal(mintmon_btf_create(b, size, fresh_err(), &btf), 0);
	assert_int_equal(mintmon_btf_find(btf, "outer", K(STRUCT), &id), 0);
	assert_int_equal(id, 17);
	mintmon_btf_destroy(btf);
	/* ...and rejected when they are not: a field we would not understand. */
	b[29] = 1;
	expect_reject(b, size, -EINVAL, "header byte 29 of 32 is not zero", "extra header byte");
	free(b);

	/* Strings before types, with a gap: fine. */
	b = build(types, ARRAY_SIZE(types), strs, sizeof(strs), 0, &size);
	{
		size_t gap = 4, tlen = sizeof(types), slen = sizeof(strs);
		u8 *c = calloc(1, 24 + slen + gap + tlen);

		memcpy(c, b, 24);
		memcpy(c + 24, strs, slen);
		/* type section 4-aligned after the strings: 155 + 1 pad = 156 */
		put32(c + H_STR_OFF, 0);
		put32(c + H_TYPE_OFF, 156);
		memcpy(c + 24 + 156, types, tlen);
		assert_int_equal(mintmon_btf_create(c, 24 + 156 + tlen, fresh_err(), &btf), 0);
		assert_int_equal(mintmon_btf_nr_types(btf), NR_TYPES);
		mintmon_btf_destroy(btf);
		free(c);
	}
	free(b);

	/* No types at all: valid, only void. */
	b = build(NULL, 0, strs, sizeof(strs), 0, &size);
	assert_int_equal(mintmon_btf_create(b, size, fresh_err(), &btf), 0);
	assert_int_equal(mintmon_btf_nr_types(btf), 1);
	assert_int_equal(mintmon_btf_find(btf, "int", K(UNKN), &id), -ENOENT);
	mintmon_btf_destroy(btf);
	free(b);
}

static void test_long_string(void **state)
{
	char *s = calloc(1, 1 + 1100 + 1);
	size_t size;
	u8 *b;

	(void)state;
	memset(s + 1, 'a', 1100);
	b = build(NULL, 0, s, 1 + 1100 + 1, 0, &size);
	expect_reject(b, size, -EINVAL, "string at offset 1 is 1100 bytes long, the limit is 512",
		      "long string");
	free(b);
	free(s);
}

/* n typedefs, each referring to the next, the last to int (id n+1). */
static u8 *typedef_chain(u32 n, size_t *size_ret)
{
	u32 *w = calloc(3 * n + 4, sizeof(u32));
	u32 i;
	u8 *b;

	for (i = 0; i < n; i++) {
		w[3 * i] = S_NODE_T;
		w[3 * i + 1] = INFO(K(TYPEDEF), 0, 0);
		w[3 * i + 2] = i + 2;
	}
	w[3 * n] = S_INT;
	w[3 * n + 1] = INFO(K(INT), 0, 0);
	w[3 * n + 2] = 4;
	w[3 * n + 3] = 32;
	b = build(w, 3 * n + 4, strs, sizeof(strs), 0, size_ret);
	free(w);
	return b;
}

static void test_chain_limit(void **state)
{
	struct mintmon_btf *btf;
	size_t size;
	u64 sz;
	u32 id;
	u8 *b;

	(void)state;
	b = typedef_chain(MINTMON_BTF_MAX_CHAIN, &size);
	assert_int_equal(mintmon_btf_create(b, size, fresh_err(), &btf), 0);
	assert_int_equal(mintmon_btf_resolve(btf, 1, &id), 0);
	assert_int_equal(id, MINTMON_BTF_MAX_CHAIN + 1);
	assert_int_equal(mintmon_btf_type_size(btf, 1, &sz), 0);
	assert_int_equal(sz, 4);
	mintmon_btf_destroy(btf);
	free(b);

	b = typedef_chain(MINTMON_BTF_MAX_CHAIN + 1, &size);
	expect_reject(b, size, -EINVAL, "chain of typedefs/modifiers/arrays longer than 64",
		      "long chain");
	free(b);
}

static void test_too_many_types(void **state)
{
	u32 n = MINTMON_BTF_MAX_TYPES, i;	/* one more than allowed: ids 1..n */
	u32 *w = malloc((size_t)n * 12);
	size_t size;
	u8 *b;

	(void)state;
	for (i = 0; i < n; i++) {
		w[3 * i] = 0;
		w[3 * i + 1] = INFO(K(PTR), 0, 0);
		w[3 * i + 2] = 0;	/* void * */
	}
	b = build(w, 3 * (size_t)n, strs, sizeof(strs), 0, &size);
	expect_reject(b, size, -E2BIG, "more than 1048575 types", "too many types");
	free(b);
	free(w);
}

/*
 * struct A { union B; } and union B { struct A; }, both anonymous members:
 * consistent sizes, but a name search through them never ends by itself.
 */
static void test_anonymous_loop(void **state)
{
	static const u32 w[] = {
		/* [1] */ S_NODE, INFO(K(STRUCT), 0, 1), 8,
			0, 2, 0,
		/* [2] */ S_VAL, INFO(K(UNION), 0, 1), 8,
			0, 1, 0,
	};
	struct mintmon_btf_member_info info;
	struct mintmon_btf *btf;
	size_t size;
	u64 off;
	u8 *b;

	(void)state;
	b = build(w, ARRAY_SIZE(w), strs, sizeof(strs), 0, &size);
	assert_int_equal(mintmon_btf_create(b, size, fresh_err(), &btf), 0);
	assert_int_equal(mintmon_btf_member(btf, 1, "x", &info), -ELOOP);
	check_err(0, "type 1: anonymous members nested deeper than 16");
	fresh_err();
	assert_int_equal(mintmon_btf_offsetof(btf, "node", "x", &off), -ELOOP);
	check_err(0, "type 1: anonymous members nested deeper than 16");
	mintmon_btf_destroy(btf);
	free(b);
}

/*
 * Breadth instead of depth: struct A holds 600 anonymous union B, each of
 * which holds 600 anonymous empty struct C. 360,000 members to visit is more
 * than one search may take.
 */
static void test_anonymous_breadth(void **state)
{
	const u32 n = 600;
	u32 *w = calloc(3 * 3 + 2 * 3 * n, sizeof(u32)), *p = w, i;
	struct mintmon_btf_member_info info;
	struct mintmon_btf *btf;
	size_t size;
	u8 *b;

	(void)state;
	/* [1] struct node { union val; x 600 }, size 0 */
	*p++ = S_NODE;
	*p++ = INFO(K(STRUCT), 0, n);
	*p++ = 0;
	for (i = 0; i < n; i++) {
		*p++ = 0;
		*p++ = 2;
		*p++ = 0;
	}
	/* [2] union val { struct { }; x 600 }, size 0 */
	*p++ = S_VAL;
	*p++ = INFO(K(UNION), 0, n);
	*p++ = 0;
	for (i = 0; i < n; i++) {
		*p++ = 0;
		*p++ = 3;
		*p++ = 0;
	}
	/* [3] struct { }, size 0 */
	*p++ = 0;
	*p++ = INFO(K(STRUCT), 0, 0);
	*p++ = 0;
	b = build(w, (size_t)(p - w), strs, sizeof(strs), 0, &size);
	assert_int_equal(mintmon_btf_create(b, size, fresh_err(), &btf), 0);
	assert_int_equal(mintmon_btf_member(btf, 1, "x", &info), -ELOOP);
	check_err(0, "type 1: looking for member 'x' took more than 131072 steps");
	mintmon_btf_destroy(btf);
	free(b);
	free(w);
}

/*
 * Thousands of types sharing a name (kernels carry hundreds of DECL_TAG
 * "bpf_kfunc") take one index slot: accepted, and find() gives the first.
 */
static void test_repeated_names(void **state)
{
	const u32 n = 5000;
	u32 *w = calloc(4 * (size_t)n + 3, sizeof(u32)), *p = w, i, id;
	struct mintmon_btf *btf;
	size_t size;
	u8 *b;

	(void)state;
	*p++ = S_NODE;				/* [1] struct node {}, size 0 */
	*p++ = INFO(K(STRUCT), 0, 0);
	*p++ = 0;
	for (i = 0; i < n; i++) {		/* [2..] decl_tag "tag" on [1] */
		*p++ = S_TAG;
		*p++ = INFO(K(DECL_TAG), 0, 0);
		*p++ = 1;
		*p++ = (u32)-1;
	}
	b = build(w, (size_t)(p - w), strs, sizeof(strs), 0, &size);
	assert_int_equal(mintmon_btf_create(b, size, fresh_err(), &btf), 0);
	assert_int_equal(mintmon_btf_find(btf, "tag", K(DECL_TAG), &id), 0);
	assert_int_equal(id, 2);
	assert_int_equal(mintmon_btf_find(btf, "node", K(UNKN), &id), 0);
	assert_int_equal(id, 1);
	mintmon_btf_destroy(btf);
	free(b);
	free(w);
}

/* FNV-1a, the name index's hash (white box: the next test depends on it). */
static u32 fnv1a(const char *s)
{
	u32 h = 2166136261u;

	while (*s) {
		h ^= (u8)*s++;
		h *= 16777619u;
	}
	return h;
}

/*
 * 1025 distinct names that all land on index slot 0 (of 4096): a blob made
 * to degrade the name index to a list is rejected, not slowly accepted.
 */
static void test_index_collisions(void **state)
{
	const u32 n = 1025;
	char *s = calloc(n, 16), *sp = s + 1, name[16];
	u32 *w = calloc(3 * (size_t)n, sizeof(u32)), i, found = 0;
	size_t size;
	u8 *b;

	(void)state;
	for (i = 0; found < n; i++) {
		snprintf(name, sizeof(name), "c%x", i);
		if (fnv1a(name) & 4095)
			continue;
		w[3 * found] = (u32)(sp - s);
		w[3 * found + 1] = INFO(K(FWD), 0, 0);
		w[3 * found + 2] = 0;
		strcpy(sp, name);
		sp += strlen(name) + 1;
		found++;
	}
	b = build(w, 3 * (size_t)n, s, (size_t)(sp - s), 0, &size);
	expect_reject(b, size, -EINVAL, "more than 1024 names collide in the name index",
		      "index collisions");
	free(b);
	free(w);
	free(s);
}

static void test_bad_args(void **state)
{
	struct mintmon_btf *btf = *state, *out = NULL;
	static const u8 zero[64];

	/*
	 * A NULL blob or path is the caller's mistake, not the target's:
	 * refused, with no reason recorded (create() and member() return
	 * before recording one; see tests/MUTATIONS.md, notes).
	 */
	assert_int_equal(mintmon_btf_create(NULL, 10, fresh_err(), &out), -EINVAL);
	assert_int_equal(mintmon_btf_create(zero, (size_t)MINTMON_BTF_MAX_SIZE + 1, fresh_err(),
					    &out), -E2BIG);
	check_err(0, "BTF: blob of 268435457 bytes exceeds the limit of 268435456");
	assert_int_equal(mintmon_btf_create(zero, sizeof(zero), fresh_err(), &out), -EINVAL);
	check_err(-EINVAL, "bad magic 0x0000");
	assert_null(out);
	mintmon_btf_destroy(NULL);
	fresh_err();
	assert_int_equal(mintmon_btf_member(btf, 5, NULL, NULL), -EINVAL);
	{
		char path[MINTMON_BTF_MAX_PATH + 2];
		struct mintmon_btf_member_info info;

		memset(path, 'a', sizeof(path) - 1);
		path[sizeof(path) - 1] = '\0';
		fresh_err();
		assert_int_equal(mintmon_btf_member(btf, 5, path, &info), -EINVAL);
		check_err(-EINVAL, "BTF: member path longer than 256 bytes");
	}
}

/* ---- this host's kernel BTF ---- */

static u8 *read_file(const char *path, size_t *size_ret)
{
	size_t cap = 1 << 20, n = 0, r;
	FILE *f = fopen(path, "rb");
	u8 *b;

	if (!f)
		return NULL;
	b = malloc(cap);
	assert_non_null(b);
	while ((r = fread(b + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			cap *= 2;
			b = realloc(b, cap);
			assert_non_null(b);
		}
	}
	fclose(f);
	*size_ret = n;
	return b;
}

static void test_host_vmlinux(void **state)
{
	const char *path = getenv("MINTMON_TEST_BTF") ? getenv("MINTMON_TEST_BTF") :
			   "/sys/kernel/btf/vmlinux";
	struct mintmon_btf_member_info pid, tgid, comm, pgd, uid, next;
	struct mintmon_btf_array_info arr;
	u64 task_size, mm_size, cred_size, sz;
	struct mintmon_btf *btf;
	u32 id, lh, t, size, bits, enc;
	size_t n;
	s64 v;
	u8 *b;

	(void)state;
	b = read_file(path, &n);
	if (!b) {
		print_message("no %s: skipped\n", path);
		skip();
	}
	assert_int_equal(mintmon_btf_create(b, n, fresh_err(), &btf), 0);
	free(b);
	assert_true(mintmon_btf_nr_types(btf) > 10000);

	assert_int_equal(mintmon_btf_find(btf, "task_struct", K(STRUCT), &id), 0);
	assert_int_equal(mintmon_btf_type_size(btf, id, &task_size), 0);
	assert_int_equal(mintmon_btf_member(btf, id, "pid", &pid), 0);
	assert_int_equal(mintmon_btf_member(btf, id, "tgid", &tgid), 0);
	assert_int_equal(mintmon_btf_member(btf, id, "comm", &comm), 0);
	/* pid_t pid; pid_t tgid; adjacent, 4 bytes, inside the struct */
	assert_int_equal(pid.size, 4);
	assert_int_equal(pid.bitfield_size, 0);
	assert_int_equal(tgid.bit_offset, pid.bit_offset + 32);
	assert_true(pid.bit_offset / 8 + 4 <= task_size);
	/* char comm[TASK_COMM_LEN], TASK_COMM_LEN == 16 */
	assert_int_equal(comm.size, 16);
	assert_true(comm.bit_offset / 8 + 16 <= task_size);
	assert_int_equal(mintmon_btf_array_info(btf, comm.type_id, &arr), 0);
	assert_int_equal(arr.nelems, 16);
	assert_int_equal(mintmon_btf_int_info(btf, arr.elem_type, &size, &bits, &enc), 0);
	assert_int_equal(size, 1);
	assert_int_equal(mintmon_btf_enum_value(btf, NULL, "TASK_COMM_LEN", &v), 0);
	assert_int_equal(v, 16);
	assert_int_equal(mintmon_btf_enum_value(btf, "pid_type", "PIDTYPE_PID", &v), 0);
	assert_int_equal(v, 0);

	/* mm_struct's fields sit in an anonymous struct since 6.1 */
	assert_int_equal(mintmon_btf_find(btf, "mm_struct", K(STRUCT), &id), 0);
	assert_int_equal(mintmon_btf_type_size(btf, id, &mm_size), 0);
	assert_int_equal(mintmon_btf_member(btf, id, "pgd", &pgd), 0);
	assert_int_equal(pgd.size, 8);
	assert_true(pgd.bit_offset % 64 == 0 && pgd.bit_offset / 8 + 8 <= mm_size);
	assert_int_equal(mintmon_btf_ptr_target(btf, pgd.type_id, &t), 0);

	/* kuid_t uid: a typedef'd struct of one u32 */
	assert_int_equal(mintmon_btf_find(btf, "cred", K(STRUCT), &id), 0);
	assert_int_equal(mintmon_btf_type_size(btf, id, &cred_size), 0);
	assert_int_equal(mintmon_btf_member(btf, id, "uid", &uid), 0);
	assert_int_equal(uid.size, 4);
	assert_true(uid.bit_offset / 8 + 4 <= cred_size);
	assert_int_equal(mintmon_btf_member_size(btf, "cred", "uid.val", &sz), 0);
	assert_int_equal(sz, 4);

	/* struct list_head { struct list_head *next, *prev; } */
	assert_int_equal(mintmon_btf_find(btf, "list_head", K(STRUCT), &lh), 0);
	assert_int_equal(mintmon_btf_member(btf, lh, "next", &next), 0);
	assert_int_equal(next.bit_offset, 0);
	assert_int_equal(mintmon_btf_ptr_target(btf, next.type_id, &t), 0);
	assert_int_equal(t, lh);
	assert_int_equal(mintmon_btf_offsetof(btf, "list_head", "prev", &sz), 0);
	assert_int_equal(sz, 8);
	mintmon_btf_destroy(btf);
}

/* ---- mintmon_btf_create_trusted() ---- */

/*
 * Every lookup on every id of btf, and on the member paths and names of
 * the fixture; with other, each result must equal other's.
 */
static const char *const probe_paths[] = {
	"next", "val", "a", "b", "name", "flags", "mode", "hdr", "hdr.b", "nam", "x.y",
};

static void all_lookups(const struct mintmon_btf *btf, const struct mintmon_btf *other)
{
	u32 nr = mintmon_btf_nr_types(btf), id, r1, r2, s1, b1, e1, s2, b2, e2;
	struct mintmon_btf_member_info m1, m2;
	struct mintmon_btf_array_info a1, a2;
	u64 z1, z2;
	size_t j;
	int e;

	if (other)
		assert_int_equal(nr, mintmon_btf_nr_types(other));
	for (id = 0; id < nr + 2; id++) {
		const char *n1 = mintmon_btf_name(btf, id);
		unsigned int kind = mintmon_btf_kind(btf, id);

		if (n1 && *n1) {
			e = mintmon_btf_find(btf, n1, kind, &r1);
			if (other) {
				assert_int_equal(e, mintmon_btf_find(other, n1, kind, &r2));
				if (!e)
					assert_int_equal(r1, r2);
			}
		}
		z1 = z2 = 0;
		memset(&m1, 0, sizeof(m1));
		memset(&m2, 0, sizeof(m2));
		memset(&a1, 0, sizeof(a1));
		memset(&a2, 0, sizeof(a2));
		r1 = r2 = s1 = b1 = e1 = s2 = b2 = e2 = 0;
		if (!other) {
			mintmon_btf_vlen(btf, id);
			mintmon_btf_resolve(btf, id, &r1);
			mintmon_btf_type_size(btf, id, &z1);
			mintmon_btf_array_info(btf, id, &a1);
			mintmon_btf_ptr_target(btf, id, &r1);
			mintmon_btf_int_info(btf, id, &s1, &b1, &e1);
			for (j = 0; j < ARRAY_SIZE(probe_paths); j++)
				mintmon_btf_member(btf, id, probe_paths[j], &m1);
			continue;
		}
		assert_int_equal(kind, mintmon_btf_kind(other, id));
		assert_true((!n1 && !mintmon_btf_name(other, id)) ||
			    (n1 && !strcmp(n1, mintmon_btf_name(other, id))));
		assert_int_equal(mintmon_btf_vlen(btf, id), mintmon_btf_vlen(other, id));
		assert_int_equal(mintmon_btf_resolve(btf, id, &r1), mintmon_btf_resolve(other, id, &r2));
		assert_int_equal(r1, r2);
		assert_int_equal(mintmon_btf_type_size(btf, id, &z1),
				 mintmon_btf_type_size(other, id, &z2));
		assert_int_equal(z1, z2);
		assert_int_equal(mintmon_btf_array_info(btf, id, &a1),
				 mintmon_btf_array_info(other, id, &a2));
		assert_memory_equal(&a1, &a2, sizeof(a1));
		assert_int_equal(mintmon_btf_ptr_target(btf, id, &r1),
				 mintmon_btf_ptr_target(other, id, &r2));
		assert_int_equal(r1, r2);
		assert_int_equal(mintmon_btf_int_info(btf, id, &s1, &b1, &e1),
				 mintmon_btf_int_info(other, id, &s2, &b2, &e2));
		assert_true(s1 == s2 && b1 == b2 && e1 == e2);
		for (j = 0; j < ARRAY_SIZE(probe_paths); j++) {
			assert_int_equal(mintmon_btf_member(btf, id, probe_paths[j], &m1),
					 mintmon_btf_member(other, id, probe_paths[j], &m2));
			assert_memory_equal(&m1, &m2, sizeof(m1));
		}
	}
}

/*
 * full's blob parsed again as a kept entry: with the name index full made,
 * and also with its record offsets; every lookup must answer as full does.
 * Returns the last one (the caller destroys it).
 */
static struct mintmon_btf *trusted_again(const struct mintmon_btf *full)
{
	struct mintmon_btf *t;

	assert_int_equal(mintmon_btf_create_trusted(mintmon_btf_data(full), mintmon_btf_size(full),
						    mintmon_btf_index(full),
						    mintmon_btf_index_len(full), NULL, 0, fresh_err(),
						    &t), 0);
	all_lookups(t, full);
	mintmon_btf_destroy(t);
	/* With its record offsets too: no walk, each type checked when first read. */
	assert_int_equal(mintmon_btf_create_trusted(mintmon_btf_data(full), mintmon_btf_size(full),
						    mintmon_btf_index(full),
						    mintmon_btf_index_len(full),
						    mintmon_btf_offsets(full),
						    mintmon_btf_offsets_len(full), fresh_err(), &t), 0);
	assert_ptr_equal(mintmon_btf_offsets(t), mintmon_btf_offsets(full));
	all_lookups(t, full);
	return t;
}

/* What create() accepts, create_trusted() accepts, with the same answers. */
static void test_trusted_same_lookups(void **state)
{
	const char *path = getenv("MINTMON_TEST_BTF") ? getenv("MINTMON_TEST_BTF") :
			   "/sys/kernel/btf/vmlinux";
	struct mintmon_btf *full, *trusted;
	u64 o1, o2;
	size_t size;
	u8 *b;

	(void)state;
	b = build_fixture(&size);
	assert_int_equal(mintmon_btf_create(b, size, fresh_err(), &full), 0);
	assert_int_equal(mintmon_btf_create_trusted(b, size, NULL, 0, NULL, 0, fresh_err(),
						    &trusted), 0);
	/* Used where it lies, not copied (btf.h): b is the caller's until destroy. */
	assert_ptr_equal(mintmon_btf_data(trusted), b);
	assert_int_equal(mintmon_btf_size(trusted), mintmon_btf_size(full));
	assert_memory_equal(mintmon_btf_data(trusted), mintmon_btf_data(full),
			    mintmon_btf_size(full));
	all_lookups(trusted, full);
	mintmon_btf_destroy(trusted);
	free(b);
	mintmon_btf_destroy(trusted_again(full));
	mintmon_btf_destroy(full);

	b = read_file(path, &size);
	if (!b)
		return;	/* the host's BTF: when there is one */
	assert_int_equal(mintmon_btf_create(b, size, fresh_err(), &full), 0);
	assert_int_equal(mintmon_btf_create_trusted(b, size, NULL, 0, NULL, 0, fresh_err(),
						    &trusted), 0);
	all_lookups(trusted, full);
	mintmon_btf_destroy(trusted);
	free(b);
	/* With the index and the record offsets of the full parse: the same again. */
	trusted = trusted_again(full);
	assert_int_equal(mintmon_btf_offsetof(trusted, "task_struct", "comm", &o1), 0);
	assert_int_equal(mintmon_btf_offsetof(full, "task_struct", "comm", &o2), 0);
	assert_int_equal(o1, o2);
	mintmon_btf_destroy(full);
	mintmon_btf_destroy(trusted);
}

/*
 * create_trusted() keeps the bounds checks: each corruption create()
 * refuses is refused, or accepted with every lookup in bounds and bounded
 * (ASan); so is every single bit flip of the fixture.
 */
static void test_trusted_corrupt(void **state)
{
	struct mintmon_btf *btf;
	size_t i, j, size;
	u8 *b;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(reject_cases); i++) {
		b = build_fixture(&size);
		for (j = 0; j < ARRAY_SIZE(reject_cases[i].p); j++)
			apply(b, &reject_cases[i].p[j]);
		if (!mintmon_btf_create_trusted(b, size, NULL, 0, NULL, 0, fresh_err(), &btf)) {
			all_lookups(btf, NULL);
			mintmon_btf_destroy(btf);
		} else {
			assert_true(mintmon_error_is_set(&test_err));
		}
		free(b);
	}
	/* A kept index: not a table, or ids past the types, is refused; any other is safe. */
	b = build_fixture(&size);
	{
		u32 nr, idx[2 * 64];
		size_t k;

		assert_int_equal(mintmon_btf_create(b, size, fresh_err(), &btf), 0);
		nr = mintmon_btf_nr_types(btf);
		mintmon_btf_destroy(btf);
		for (k = 0; k < ARRAY_SIZE(idx); k++)
			idx[k] = (u32)(k * 2654435761u) % nr;
		assert_int_equal(mintmon_btf_create_trusted(b, size, idx, sizeof(idx), NULL, 0,
							    fresh_err(), &btf), 0);
		all_lookups(btf, NULL);
		mintmon_btf_destroy(btf);
		for (k = 0; k < ARRAY_SIZE(idx); k++)
			idx[k] = 0xffffffffu;	/* full: find() stops at its probe bound */
		for (k = 0; k < ARRAY_SIZE(idx); k += 2)
			idx[k] = 1;
		assert_int_equal(mintmon_btf_create_trusted(b, size, idx, sizeof(idx), NULL, 0,
							    fresh_err(), &btf), 0);
		all_lookups(btf, NULL);
		mintmon_btf_destroy(btf);
		btf = (void *)0x1;
		idx[4] = nr;
		assert_int_equal(mintmon_btf_create_trusted(b, size, idx, sizeof(idx), NULL, 0,
							    fresh_err(), &btf), -EINVAL);
		assert_non_null(strstr(test_err.msg, "slot 2 holds type"));
		assert_int_equal(mintmon_btf_create_trusted(b, size, idx, sizeof(idx) - 8,
							    NULL, 0, fresh_err(), &btf), -EINVAL);
		assert_int_equal(mintmon_btf_create_trusted(b, size, idx, 8 * 8, NULL, 0, fresh_err(),
							    &btf), -EINVAL);
		assert_ptr_equal(btf, (void *)0x1);
	}
	for (i = 0; i < 8 * size; i++) {
		b[i / 8] ^= (u8)(1u << (i % 8));
		if (!mintmon_btf_create_trusted(b, size, NULL, 0, NULL, 0, fresh_err(), &btf)) {
			all_lookups(btf, NULL);
			mintmon_btf_destroy(btf);
		}
		b[i / 8] ^= (u8)(1u << (i % 8));
	}
	free(b);
}

/*
 * Kept record offsets: nothing is walked at create, so every check happens
 * at a type's first read. Bit flips of the blob under the clean parse's
 * offsets, and offsets that point anywhere, keep every lookup in bounds
 * (ASan) and bounded; a type that fails its checks reads as void, with the
 * reason recorded; a table that is not one is refused.
 */
static void test_trusted_kept_offsets(void **state)
{
	struct mintmon_btf *full, *btf;
	const u32 *good;
	u32 *offs, nr, id, k;
	size_t i, size;
	u8 *b;

	(void)state;
	b = build_fixture(&size);
	assert_int_equal(mintmon_btf_create(b, size, fresh_err(), &full), 0);
	nr = mintmon_btf_nr_types(full);
	offs = malloc(nr * sizeof(*offs));
	assert_non_null(offs);
	memcpy(offs, mintmon_btf_offsets(full), nr * sizeof(*offs));
	good = mintmon_btf_offsets(full);
	for (i = 0; i < 8 * size; i++) {
		b[i / 8] ^= (u8)(1u << (i % 8));
		if (!mintmon_btf_create_trusted(b, size, NULL, 0, offs, nr * sizeof(*offs),
						fresh_err(), &btf)) {
			all_lookups(btf, NULL);
			mintmon_btf_destroy(btf);
		}
		b[i / 8] ^= (u8)(1u << (i % 8));
	}
	/* Offsets anywhere: inside records, past the type section, huge. */
	for (k = 0; k < 64; k++) {
		for (id = 1; id < nr; id++)
			offs[id] = k < 32 ? (id * 2654435761u + k) % (u32)(size + 16) :
				   (id * 40503u) << (k - 32);
		if (!mintmon_btf_create_trusted(b, size, NULL, 0, offs, nr * sizeof(*offs),
						fresh_err(), &btf)) {
			all_lookups(btf, NULL);
			mintmon_btf_destroy(btf);
		}
	}
	/*
	 * Past the type section: the type reads as void, and says why (when
	 * the name index is built, at create, which reads every type).
	 */
	memcpy(offs, good, nr * sizeof(*offs));
	offs[1] = 0xfffffff0u;
	assert_int_equal(mintmon_btf_create_trusted(b, size, NULL, 0, offs, nr * sizeof(*offs),
						    fresh_err(), &btf), 0);
	assert_non_null(strstr(test_err.msg, "kept offset of type 1"));
	assert_int_equal(mintmon_btf_kind(btf, 1), MINTMON_BTF_KIND_UNKN);
	assert_int_equal(mintmon_btf_kind(btf, 2), mintmon_btf_kind(full, 2));
	mintmon_btf_destroy(btf);
	/* Not a table: a ragged length, none, or a first offset (void's) other than 0. */
	btf = (void *)0x1;
	assert_int_equal(mintmon_btf_create_trusted(b, size, NULL, 0, offs, nr * sizeof(*offs) - 1,
						    fresh_err(), &btf), -EINVAL);
	assert_int_equal(mintmon_btf_create_trusted(b, size, NULL, 0, offs, 0, fresh_err(), &btf),
			 -EINVAL);
	offs[0] = 4;
	assert_int_equal(mintmon_btf_create_trusted(b, size, NULL, 0, offs, nr * sizeof(*offs),
						    fresh_err(), &btf), -EINVAL);
	assert_ptr_equal(btf, (void *)0x1);
	mintmon_btf_destroy(full);
	free(offs);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_layout),
		cmocka_unit_test_setup_teardown(test_kinds_names, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_find, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_resolve_and_size, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_member, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_offsetof, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_array_ptr_int, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_enum_value, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_bad_args, fixture_setup, fixture_teardown),
		cmocka_unit_test(test_rejections),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_header_variants),
		cmocka_unit_test(test_long_string),
		cmocka_unit_test(test_chain_limit),
		cmocka_unit_test(test_too_many_types),
		cmocka_unit_test(test_anonymous_loop),
		cmocka_unit_test(test_anonymous_breadth),
		cmocka_unit_test(test_repeated_names),
		cmocka_unit_test(test_index_collisions),
		cmocka_unit_test(test_host_vmlinux),
		cmocka_unit_test(test_trusted_same_lookups),
		cmocka_unit_test(test_trusted_corrupt),
		cmocka_unit_test(test_trusted_kept_offsets),
	};

	return cmocka_run_group_tests_name("btf", tests, NULL, NULL);
}
